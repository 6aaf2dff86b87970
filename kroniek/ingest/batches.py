"""Ingest's read side: sources to prepared batches (rows ready to store and records to quarantine).

Reading a record and deriving what ingest stores for it (structure, language, content hash, id) needs nothing
from the archive, so it can run apart from the process that writes: `background_batches` runs it in a second
process and hands the batches over through a bounded queue, while the archive de-duplicates and writes the
previous batch. On a machine with two cores that overlaps the two halves of ingest; the batches, their order
and everything in them are the same as `prepared_batches` gives in the writing process.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from kroniek.errors import ArchiveError, InputError
from kroniek.ingest.language import detect_language
from kroniek.ingest.readers import STDIN, Item, ReadOptions, Rejected, read_path, read_records
from kroniek.ingest.structure import layout, layout_json
from kroniek.model import ArticleDate, ArticleRow, QuarantineRow, RawArticle

Source = str | Path | Mapping[str, Any] | RawArticle

# `ingest_workers = 0` (auto) reads in a second process when the machine has two cores or more and the files to
# read hold at least this much: below it, starting the process costs more than it saves.
AUTO_BACKGROUND_BYTES = 16 * 1024 * 1024


def content_hash(text: str) -> str:
    """The hash that makes the same content one article: SHA-256 of the text without surrounding whitespace."""
    return hashlib.sha256(text.strip().encode("utf-8", "surrogatepass")).hexdigest()


def article_id(raw: RawArticle, digest: str) -> str:
    """The input's id where it gives one, otherwise a stable id from the content hash."""
    return raw.id if raw.id else "k" + digest[:16]


def prepare(raw: RawArticle, language: bool = True) -> ArticleRow:
    """Derive what ingest stores for an article: structure, language, content hash and id.

    `language=False` leaves the language empty, for the writing process to fill in (see `background_batches`).
    """
    digest = content_hash(raw.text)
    origin = raw.origin
    return ArticleRow(
        id=article_id(raw, digest), content_hash=digest, date=raw.date, source=raw.source, url=raw.url,
        title=raw.title, text=raw.text, structure_json=layout_json(layout(raw.text, raw.title)),
        language=detect_language(raw.text) if language else "",
        meta_json=json.dumps(raw.meta, ensure_ascii=False, default=str) if raw.meta else "{}",
        origin_file=origin.file if origin else None, origin_line=origin.line if origin else None)


@dataclass
class PreparedBatch:
    """One batch of input, in input order: rows to store, records to quarantine, text size, and the errors that
    stopped a whole input (a missing file) since the previous batch."""

    rows: list[ArticleRow] = field(default_factory=list)
    quarantine: list[QuarantineRow] = field(default_factory=list)
    bytes: int = 0
    errors: list[str] = field(default_factory=list)


def read_sources(sources: Iterable[Source], opts: ReadOptions, errors: list[str]) -> Iterator[Item]:
    """Every record of the sources in order: paths (files, directories, '-') are read, records taken as they are.

    An input that cannot be read at all (a missing file) is noted in `errors` and the next one is read.
    """
    records: list[Mapping[str, Any] | RawArticle] = []
    for src in sources:
        if isinstance(src, str | Path):
            if records:
                yield from read_records(records, options=opts)
                records = []
            try:
                yield from read_path(src, opts)
            except InputError as e:
                errors.append(f"{e}" + (f" ({e.hint})" if e.hint else ""))
        else:
            records.append(src)
    if records:
        yield from read_records(records, options=opts)


class _Preparer:
    """`prepare` over a list of articles, in this process or in a pool of `workers` processes."""

    def __init__(self, workers: int, language: bool = True) -> None:
        self.workers = workers
        self.language = language
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, articles: list[RawArticle]) -> list[ArticleRow]:
        if self.workers <= 1 or len(articles) < 4 * self.workers:
            return [prepare(a, self.language) for a in articles]
        if self._pool is None:
            # forkserver: workers start from a clean process, not a fork of one holding SQLite and index threads
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context("forkserver"))
        chunk = max(1, len(articles) // (4 * self.workers))
        return list(self._pool.map(partial(prepare, language=self.language), articles, chunksize=chunk))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def prepared_batches(sources: Iterable[Source], opts: ReadOptions, batch_size: int,
                     prepare_workers: int = 1, language: bool = True) -> Iterator[PreparedBatch]:
    """Read the sources and prepare their articles, `batch_size` records at a time (in this process)."""
    errors: list[str] = []
    preparer = _Preparer(prepare_workers, language)
    items: list[Item] = []

    def finish() -> PreparedBatch:
        batch = PreparedBatch(errors=errors[:])
        errors.clear()
        articles: list[RawArticle] = []
        for item in items:
            if isinstance(item, Rejected):
                batch.quarantine.append(QuarantineRow(item.origin.file, item.origin.line, item.reason, item.raw))
            else:
                articles.append(item)
                batch.bytes += len(item.text)
        batch.rows = preparer(articles)
        items.clear()
        return batch

    try:
        for item in read_sources(sources, opts, errors):
            items.append(item)
            if len(items) >= batch_size:
                yield finish()
        if items or errors:
            yield finish()
    finally:
        preparer.close()


def wants_background(sources: list[Source], workers: int) -> bool:
    """Whether ingest should read in a second process: asked for (workers >= 2), or `auto` (0) on a machine with
    two cores or more and files that hold at least AUTO_BACKGROUND_BYTES. Records given in memory and standard
    input are always read by the writing process."""
    if workers == 1 or not sources:
        return False
    if not all(isinstance(s, str | Path) and str(s) != STDIN for s in sources):
        return False
    if workers >= 2:
        return True
    if (os.cpu_count() or 1) < 2:
        return False
    total = 0
    for src in sources:
        path = Path(str(src))
        try:
            if path.is_dir():
                total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            elif path.exists():
                total += path.stat().st_size
        except OSError:
            continue
        if total >= AUTO_BACKGROUND_BYTES:
            return True
    return False


# A batch crosses the pipe as plain tuples: pickling a dataclass costs several times more than its fields.
_Packed = tuple[list[tuple[Any, ...]], list[QuarantineRow], int, list[str]]


def _pack(batch: PreparedBatch, languages: int = 0) -> _Packed:
    """The batch as plain tuples; the language of its first `languages` rows identified here when still empty."""
    rows = [(r.id, r.content_hash, (r.date.year, r.date.month, r.date.day) if r.date else None, r.source, r.url,
             r.title, r.text, r.structure_json, r.language or (detect_language(r.text) if i < languages else ""),
             r.meta_json, r.origin_file, r.origin_line)
            for i, r in enumerate(batch.rows)]
    return rows, batch.quarantine, batch.bytes, batch.errors


class LanguageShare:
    """How much of each batch's language identification the reading process takes on, adjusted batch by batch.

    The reading process parses, lays out and hashes; the writer stores. Identifying the language can be done on
    either side, and the side with time to spare should do it. When the reader has its next batch ready while the
    previous one is still on its way (the writer is behind and has stopped taking batches), it takes a larger share
    of the next batch's languages; when the previous batch is gone already, a smaller one. The languages found are
    the same either way; only who spends the time changes.
    """

    STEP = 0.125

    def __init__(self, share: float = 0.5) -> None:
        self.share = share

    def rows(self, count: int) -> int:
        """How many of a batch's `count` rows the reading process identifies the language of."""
        return round(self.share * count)

    def update(self, writer_behind: bool) -> None:
        """Adjust the share, knowing whether the writer was still behind when the reader had a batch ready."""
        step = self.STEP if writer_behind else -self.STEP
        self.share = min(1.0, max(0.0, self.share + step))


class _Sender:
    """Writes the reading process's messages to its output on a thread of its own, one message ahead, so that the
    reader prepares the next batch while the writer takes in the last (a pipe holds 64 KB, a batch megabytes)."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self._pending = 0  # messages put and not yet written out
        self._lock = threading.Lock()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kroniek-ingest-send", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            if message is None:
                return
            try:
                if self.error is None:
                    self._out.write(message)
                    self._out.flush()
            except BaseException as e:  # noqa: BLE001 - the reading loop raises it
                self.error = e
            with self._lock:
                self._pending -= 1

    def busy(self) -> bool:
        """Whether a message put earlier is still being written (the other side is not taking it in)."""
        with self._lock:
            return self._pending > 0

    def send(self, message: bytes) -> None:
        """Queue a message; waits while the one before it is still queued. Raises what an earlier write raised.
        Once the thread has stopped (after `close`), the message is written here."""
        if self.error is not None:
            raise self.error
        if not self._thread.is_alive():
            self._out.write(message)
            self._out.flush()
            return
        with self._lock:
            self._pending += 1
        self._queue.put(message)

    def close(self) -> None:
        """Write what is queued and stop the thread; raises what a write raised. Safe to call again."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise self.error


class _Unpacker:
    """Turns packed batches back into PreparedBatch objects (dates are few: each is built once).

    When the reading process works alone it leaves the language of each article to this side: the writer
    has time to spare while the reader parses the next batch, and identifying the language is the step that
    evens the two out (measured in docs/benchmarks.md).
    """

    def __init__(self) -> None:
        self._dates: dict[tuple[int, int | None, int | None], ArticleDate] = {}

    def _date(self, key: tuple[int, int | None, int | None] | None) -> ArticleDate | None:
        if key is None:
            return None
        got = self._dates.get(key)
        if got is None:
            got = self._dates[key] = ArticleDate(*key)
        return got

    def __call__(self, packed: _Packed) -> PreparedBatch:
        rows, quarantine, size, errors = packed
        date = self._date
        return PreparedBatch(
            rows=[ArticleRow(i, h, date(d), src, url, title, text, structure, lang or detect_language(text), meta,
                             file, line)
                  for i, h, d, src, url, title, text, structure, lang, meta, file, line in rows],
            quarantine=quarantine, bytes=size, errors=errors)


def _serve() -> None:
    """The reading process (`python -m kroniek.ingest.batches`): reads its task from standard input, writes each
    prepared batch to standard output as ("batch", batch), then ("done", None), or ("error", exception)."""
    out = sys.stdout.buffer
    sender = _Sender(out)
    try:
        sources, opts, batch_size, prepare_workers = pickle.load(sys.stdin.buffer)
        share = LanguageShare()
        for batch in prepared_batches(sources, opts, batch_size, prepare_workers, language=prepare_workers > 1):
            share.update(writer_behind=sender.busy())
            sender.send(pickle.dumps(("batch", _pack(batch, share.rows(len(batch.rows)))),
                                     protocol=pickle.HIGHEST_PROTOCOL))
        sender.send(pickle.dumps(("done", None)))
        sender.close()
    except BrokenPipeError:  # the writer stopped reading: nothing is left to tell it
        return
    except BaseException as e:  # noqa: BLE001 - every failure is handed to the writer, which raises it
        try:
            message = pickle.dumps(("error", e))
        except Exception:  # an exception that cannot cross processes: its type and message can
            message = pickle.dumps(("error", RuntimeError(f"{type(e).__name__}: {e}")))
        try:
            sender.send(message)
            sender.close()
        except BrokenPipeError:
            return


# Batches read off the pipe ahead of the writer: a pipe holds only 64 KB, so without this the reading process
# would wait for the writer at every batch. Bounds the memory the two can run ahead by.
READ_AHEAD_BATCHES = 1


def background_batches(sources: list[Source], opts: ReadOptions, batch_size: int,
                       workers: int) -> Iterator[PreparedBatch]:
    """`prepared_batches` run in a second process (with `workers - 2` preparing processes of its own when
    workers > 2); the batches come back in order through a pipe, which a thread of this process empties while
    the writer works (SQLite lets go of the GIL while it writes)."""
    unpack = _Unpacker()
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([sys.executable, "-m", "kroniek.ingest.batches"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors, env=env)
        assert proc.stdin is not None and proc.stdout is not None
        stdout = proc.stdout
        ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=READ_AHEAD_BATCHES)
        stop = threading.Event()

        def take() -> None:
            while not stop.is_set():
                try:
                    kind, payload = pickle.load(stdout)
                except (EOFError, pickle.UnpicklingError, OSError, ValueError):
                    kind, payload = "lost", None
                if kind == "batch":
                    kind, payload = "ready", unpack(payload)
                while not stop.is_set():
                    try:
                        ahead.put((kind, payload), timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if kind != "ready":
                    return

        taker = threading.Thread(target=take, name="kroniek-ingest-pipe", daemon=True)
        try:
            pickle.dump(([str(s) for s in sources], opts, batch_size, max(1, workers - 2)), proc.stdin)
            proc.stdin.close()
            taker.start()
            while True:
                kind, payload = ahead.get()
                if kind == "ready":
                    yield payload
                elif kind == "error":
                    raise payload
                elif kind == "lost":
                    proc.wait(timeout=10)
                    errors.seek(0)
                    tail = errors.read()[-2000:].decode("utf-8", "replace").strip()
                    raise ArchiveError(f"the ingest reading process stopped unexpectedly (exit code {proc.returncode})"
                                       + (f": {tail}" if tail else ""),
                                       hint="run the ingest again with --workers 1 to read in one process")
                else:
                    return
        finally:
            stop.set()
            if proc.poll() is None:
                proc.terminate()
            if taker.is_alive():
                taker.join(timeout=10)
            stdout.close()
            proc.wait(timeout=10)


if __name__ == "__main__":
    # run the module's own copy, so that what it pickles names kroniek.ingest.batches, not __main__
    from kroniek.ingest.batches import _serve as serve

    serve()

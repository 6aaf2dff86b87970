"""The SQLite backend of the archive: one file in WAL mode; one writing connection, and reading connections of
their own for the threads that read.

Writes go through the one writer connection, one transaction at a time under a lock (and, across processes, the
archive's writer lock). Reads never take that lock: each read borrows a read-only connection from a small pool, so a
server's requests read side by side, and beside a writer in this or another process. In WAL mode a reader sees
only committed transactions, as of the moment its read began; a read of several statements that must agree (an
article and its annotations, a page and its count) runs inside `snapshot()`, one read transaction.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from kroniek.errors import ArchiveError
from kroniek.model import (
    Analysis,
    ArticleDate,
    ArticleRow,
    EntityLink,
    Link,
    QuarantineRow,
    StoredArticle,
    StoryRow,
    Structure,
)
from kroniek.store.base import Store, fill_annotations
from kroniek.store.locks import FileWriterLock
from kroniek.store.migrations import migrate, pending, register_functions

# WAL with synchronous=NORMAL is durable across application crashes and fast for bulk loads; a 64 MB page cache
# keeps the id and hash indexes warm during ingest. No memory-mapped I/O, so the process's memory stays bounded.
PRAGMAS = (
    "PRAGMA busy_timeout=10000",  # first: a second process that opens a new archive waits for the first
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",
)
_ARTICLE_COLS = ("id, content_hash, date, date_precision, date_start, date_end, source, url, title, text, structure, "
                 "language, meta, origin_file, origin_line, ingested_at")
# A reading connection keeps a smaller page cache than the writer; idle ones beyond this number are closed.
READER_PRAGMAS = ("PRAGMA busy_timeout=10000", "PRAGMA cache_size=-16384", "PRAGMA temp_store=MEMORY")
MAX_IDLE_READERS = 8
# The columns of a quotation and of a time expression on the calendar, as their lists and their exports give them.
_QUOTE_COLS = ('q.article_id, a.date AS article_date, a.title AS article_title, q.start, q."end", q.text, q.kind, '
               "q.cue, q.speaker_mention, coalesce(e.canonical, q.speaker) AS speaker, q.speaker_entity_id")
# The join that names a quotation's speaker after its archive entity (the `e` of _QUOTE_COLS and _SPEAKER_SQL).
_SPEAKER_JOIN = "LEFT JOIN entities e ON e.id = q.speaker_entity_id"
_TIMEX_COLS = ('t.article_id, t.start, t."end", t.text, t.type, t.value, t.ref_start, t.ref_end, t.sentence_start, '
               "t.sentence_end, a.date AS article_date, a.title AS article_title, a.structure AS article_structure, "
               "substr(a.text, coalesce(t.sentence_start, t.start) + 1, "
               'coalesce(t.sentence_end, t."end") - coalesce(t.sentence_start, t.start)) AS sentence')
_STREAM_ROWS = 500  # rows an export reader fetches at a time
_CHUNK = 500  # parameters per IN (...) list, below SQLite's limit
_AUTOCHECKPOINT = 1000  # SQLite's default: the committing connection checkpoints once the WAL holds 1,000 pages
# During an ingest the WAL is checkpointed by a thread of its own; should it fall behind, the writer checkpoints
# in its place once the WAL has grown to this size.
WAL_LIMIT_BYTES = 256 * 1024 * 1024

log = logging.getLogger(__name__)
_UPSERT = sqlite3.sqlite_version_info >= (3, 24, 0)


class _Checkpointer(threading.Thread):
    """Copies committed pages from the WAL into the database file on its own connection, each time it is woken.

    SQLite's automatic checkpoint runs inside the COMMIT of the connection that crosses the WAL's size threshold,
    so an ingest's writer would otherwise stop every few batches to copy pages and wait for the disk to sync them
    (a third of its time on a bulk load). A PASSIVE checkpoint takes no lock that the writer needs, so both go
    on at once; SQLite releases the GIL while it works.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(name="kroniek-checkpoint", daemon=True)
        self._path = path
        self._wake = threading.Event()
        self._stopping = False
        self.runs = 0

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self.join()

    def run(self) -> None:
        try:
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:  # the writer then checkpoints itself at WAL_LIMIT_BYTES and at the end
            log.warning("background checkpoints are off for %s: %s", self._path, e)
            return
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.runs += 1
        except sqlite3.Error as e:
            log.warning("background checkpoint of %s stopped: %s", self._path, e)
        finally:
            db.close()


def _execute_waiting(db: sqlite3.Connection, sql: str, seconds: float = 10.0) -> None:
    """Execute a statement, trying again while another connection holds the lock it needs: turning a new archive to
    WAL takes a lock that SQLite's busy timeout does not wait for, so two processes that open a new archive at once
    would otherwise see "database is locked"."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            db.execute(sql)
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


@lru_cache(maxsize=16384)
def _date_columns(d: ArticleDate | None) -> tuple[str | None, str | None, str | None, str | None]:
    """date, date_precision, date_start, date_end of an article date; remembered, as a feed repeats its dates."""
    if d is None:
        return None, None, None, None
    return d.isoformat(), d.precision.value, d.first_day.isoformat(), d.last_day.isoformat()


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _article(row: sqlite3.Row) -> StoredArticle:
    return StoredArticle(
        id=row["id"], date=ArticleDate.parse(row["date"]) if row["date"] else None, source=row["source"],
        url=row["url"], title=row["title"], text=row["text"],
        structure=Structure.from_dict(json.loads(row["structure"])), language=row["language"],
        meta=json.loads(row["meta"]), content_hash=row["content_hash"], origin_file=row["origin_file"],
        origin_line=row["origin_line"], ingested_at=row["ingested_at"])


def _references(rows: Sequence[ArticleRow]) -> Iterator[tuple[str, int, int, str]]:
    """(article id, start, end, text) of each reference of the rows, read from their structure JSON (which the
    writers of kroniek/ingest end with `"references": []` when there are none)."""
    for r in rows:
        if r.structure_json.endswith('"references": []}'):
            continue
        for ref in json.loads(r.structure_json).get("references", []):
            yield r.id, ref["start"], ref["end"], ref["text"]


_LINK_COLS = 'l.id, l.source_id, l.start, l."end", l.text, l.tried, l.key, l.head, l.target_id, l.score'


def _link(row: sqlite3.Row) -> Link:
    return Link(source_id=row["source_id"], start=row["start"], end=row["end"], text=row["text"],
                target_id=row["target_id"], score=row["score"], key=row["key"], head=row["head"],
                tried=bool(row["tried"]), id=row["id"])


# The month an article falls in, as "YYYY-MM", or "YYYY" for an article dated only by its year (model.month_text).
_MONTH_SQL = ("CASE WHEN {t}.date_precision = 'year' THEN substr({t}.date_start, 1, 4) "
              "ELSE substr({t}.date_start, 1, 7) END")

# A quotation's speaker as the archive names it: its archive entity's name, else the name its article gave.
_SPEAKER_SQL = "coalesce(e.canonical, q.speaker)"

# The largest integer SQLite stores (a larger id names no entity).
_MAX_INTEGER = 2**63 - 1


class SQLiteStore(Store):
    """The archive in one SQLite file."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._lock = threading.RLock()  # the writer connection's
        self._checkpointer: _Checkpointer | None = None
        in_memory = str(path) == ":memory:"
        # An in-memory database lives in its one connection: there, reads use it too, under the lock.
        self._in_memory = in_memory
        self._idle: list[sqlite3.Connection] = []
        self._idle_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()  # .db: the connection of this thread's snapshot, while it lasts
        self._writer = FileWriterLock(None if in_memory else self.path.with_name(self.path.name + ".lock"))
        try:
            if readonly:
                if not self.path.exists():
                    raise ArchiveError(f"the archive {self.path} does not exist",
                                       hint="build one first with `kroniek ingest PATH --archive FILE`")
                self._db = sqlite3.connect(self._read_only_uri(), uri=True, check_same_thread=False)
            else:
                if self.path.parent and not self.path.parent.exists():
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            register_functions(self._db)
            for pragma in PRAGMAS:
                if readonly and "journal_mode" in pragma:
                    continue
                _execute_waiting(self._db, pragma)
            if not readonly and pending(self._db):
                # two processes that open a new (or older) archive at once migrate it one after the other: the
                # second finds the migrations done
                with self._writer.hold():
                    migrate(self._db)
            else:
                self._db.execute("SELECT 1 FROM articles LIMIT 1")
            # an archive made before links were kept, opened read-only, has none (and no table for them)
            self._has_links = bool(self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'links'").fetchall())
            # and one made before entity resolution has its entities as each analysis stored them
            self._has_resolution = bool(self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entity_reasons'").fetchall())
        except sqlite3.DatabaseError as e:
            raise ArchiveError(f"cannot open the archive {self.path}: {e}",
                               hint="check that the file is a Kroniek archive and that it is writable") from None

    def close(self) -> None:
        with self._idle_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()
        with self._lock:
            self._db.close()

    # --- reading connections -----------------------------------------------------------------------------------

    def _read_only_uri(self) -> str:
        return self.path.resolve().as_uri() + "?mode=ro"

    def _open_reader(self) -> sqlite3.Connection:
        """A new read-only connection to the archive file."""
        try:
            db = sqlite3.connect(self._read_only_uri(), uri=True, check_same_thread=False, isolation_level=None)
            db.row_factory = sqlite3.Row
            for pragma in READER_PRAGMAS:
                db.execute(pragma)
        except sqlite3.Error as e:
            raise ArchiveError(f"cannot read the archive {self.path}: {e}",
                               hint="check that the file exists and is readable") from None
        return db

    def _borrow(self) -> sqlite3.Connection:
        with self._idle_lock:
            if self._closed:
                raise ArchiveError(f"the archive {self.path} is closed")
            if self._idle:
                return self._idle.pop()
        return self._open_reader()

    def _give_back(self, db: sqlite3.Connection) -> None:
        if db.in_transaction:  # a snapshot whose end failed
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        with self._idle_lock:
            if not self._closed and len(self._idle) < MAX_IDLE_READERS:
                self._idle.append(db)
                return
        db.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read with: this thread's snapshot's, else one borrowed from the pool (in memory: the
        one connection, under its lock)."""
        held = getattr(self._local, "db", None)
        if held is not None:
            yield held
        elif self._in_memory:
            with self._lock:
                yield self._db
        else:
            db = self._borrow()
            try:
                yield db
            finally:
                self._give_back(db)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read of this thread inside sees the archive as one read transaction does: as of its first read,
        whatever writers commit meanwhile. Nested uses share the outer one."""
        if getattr(self._local, "db", None) is not None:
            yield
            return
        if self._in_memory:
            with self._lock:
                yield
            return
        db = self._borrow()
        self._local.db = db
        try:
            db.execute("BEGIN")  # deferred: the snapshot is taken by the first read
            try:
                yield
            finally:
                db.execute("COMMIT")
        finally:
            self._local.db = None
            self._give_back(db)

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Inside, checkpoints run on a thread of their own instead of inside the writer's commits (see
        `_Checkpointer`); on leaving, the WAL is checkpointed in full and emptied, and SQLite's own automatic
        checkpoints are back. Nested uses share the outer one."""
        if self.readonly or self._checkpointer is not None:
            yield
            return
        checkpointer = _Checkpointer(self.path)
        with self._lock:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = checkpointer
        checkpointer.start()
        try:
            yield
        finally:
            self._checkpointer = None
            checkpointer.stop()
            with self._lock:
                self._db.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT}")
                # readers keep their snapshot: with one open, this copies what it can and leaves the WAL be
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def _after_commit(self) -> None:
        """Wake the background checkpoint, or checkpoint here if the WAL outgrew WAL_LIMIT_BYTES meanwhile."""
        checkpointer = self._checkpointer
        if checkpointer is None:
            return
        try:
            wal = os.path.getsize(f"{self.path}-wal")
        except OSError:
            wal = 0
        if wal <= WAL_LIMIT_BYTES and checkpointer.is_alive():
            checkpointer.poke()
            return
        try:
            self._db.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
        except sqlite3.Error as e:  # the rows are committed; the WAL is only copied later
            log.warning("checkpoint of %s failed: %s", self.path, e)

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._reading() as db:
            return db.execute(sql, params).fetchall()

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """The rows of one query, fetched a few hundred at a time, on one reading connection from the first fetch
        to the last: this thread's snapshot's when it holds one (the stream is then read inside it), else one
        borrowed from the pool for the whole stream, the stream's alone (its fetches may come from any thread, as
        a streamed response's do), given back when the stream ends or is closed. One statement reads as of one
        moment: every row is from the archive as it was at the first fetch. In memory: the one connection, under
        the writer's lock for each fetch."""
        held = getattr(self._local, "db", None)
        if held is None and self._in_memory:
            with self._lock:
                cursor = self._db.execute(sql, params)
            try:
                while True:
                    with self._lock:
                        rows = cursor.fetchmany(_STREAM_ROWS)
                    if not rows:
                        return
                    yield from rows
            finally:
                with self._lock:
                    cursor.close()
        db = held if held is not None else self._borrow()
        try:
            cursor = db.execute(sql, params)
            try:
                while rows := cursor.fetchmany(_STREAM_ROWS):
                    yield from rows
            finally:
                cursor.close()
        finally:
            if held is None:
                self._give_back(db)

    # --- ingest ------------------------------------------------------------------------------------------------

    def existing(self, hashes: Sequence[str], ids: Sequence[str]) -> tuple[set[str], dict[str, str]]:
        found: set[str] = set()
        owners: dict[str, str] = {}
        with self._lock:
            for part in _chunks(list(hashes)):
                found.update(r[0] for r in self._db.execute(
                    f"SELECT content_hash FROM articles WHERE content_hash IN ({_marks(len(part))})", part))
            for part in _chunks(list(ids)):
                owners.update((r[0], r[1]) for r in self._db.execute(
                    f"SELECT id, content_hash FROM articles WHERE id IN ({_marks(len(part))})", part))
        return found, owners

    def insert(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow],
               sources: Sequence[ArticleRow] = ()) -> None:
        self._insert(rows, quarantine, only_if_all_new=False, sources=sources)

    def insert_if_all_new(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> bool:
        # ON CONFLICT DO NOTHING needs SQLite 3.24; with an older library the archive looks rows up first
        return bool(rows) and _UPSERT and self._insert(rows, quarantine, only_if_all_new=True)

    def _insert(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow], only_if_all_new: bool,
                sources: Sequence[ArticleRow] = ()) -> bool:
        """One transaction of articles and quarantined records. With `only_if_all_new`, a row whose id or content
        hash is taken is skipped by SQLite, and if any was, the transaction is rolled back and False returned."""
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint="open it writable to ingest")
        at = _now()
        values = [(r.id, r.content_hash, *_date_columns(r.date), r.source, r.url, r.title, r.text, r.structure_json,
                   r.language, r.meta_json, r.origin_file, r.origin_line, at) for r in rows]
        sql = f"INSERT INTO articles ({_ARTICLE_COLS}) VALUES ({_marks(16)})"
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                if only_if_all_new:
                    before = self._db.total_changes
                    self._db.executemany(sql + " ON CONFLICT DO NOTHING", values)
                    if self._db.total_changes - before != len(values):
                        self._db.execute("ROLLBACK")
                        return False
                else:
                    self._db.executemany(sql, values)
                self._log_changes(r.id for r in rows)
                self._db.executemany('INSERT INTO links (source_id, start, "end", text) VALUES (?, ?, ?, ?)',
                                     _references(rows))
                self._db.executemany(
                    "INSERT INTO quarantine (file, line, reason, raw, at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM quarantine WHERE file IS ? AND line IS ? AND reason = ? AND raw = ?)",
                    [(q.file, q.line, q.reason, q.raw, at, q.file, q.line, q.reason, q.raw) for q in quarantine])
                # a further source: the stored article of that text, where its own source or address differs
                self._db.executemany(
                    "INSERT OR IGNORE INTO article_sources (article_id, source, url, origin_file, origin_line, at) "
                    "SELECT a.id, ?, ?, ?, ?, ? FROM articles a WHERE a.content_hash = ? "
                    "AND (coalesce(a.source, '') != ? OR coalesce(a.url, '') != ?)",
                    [(r.source or "", r.url or "", r.origin_file, r.origin_line, at, r.content_hash, r.source or "",
                      r.url or "") for r in sources])
                self._db.execute("COMMIT")
            except sqlite3.Error as e:
                self._db.execute("ROLLBACK")
                raise ArchiveError(f"cannot write to the archive {self.path}: {e}",
                                   hint="check free disk space and that no other program holds the file") from None
            self._after_commit()
        return True

    def _log_changes(self, ids: Iterable[str]) -> None:
        """Give each changed article the next number of the change log (inside the caller's transaction)."""
        self._db.executemany("INSERT INTO changes (article_id) VALUES (?)", ((i,) for i in ids))

    # --- the change log and the writer lock ----------------------------------------------------------------------

    def last_change(self) -> int:
        row = self._q("SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
        return int(row[0][0]) if row else 0

    def changes_after(self, seq: int, limit: int = 1000) -> list[tuple[int, str]]:
        return [(int(r[0]), r[1]) for r in self._q(
            "SELECT seq, article_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))]

    def forget_changes(self, through: int) -> None:
        if self.readonly:
            return
        with self._lock:
            self._db.execute("DELETE FROM changes WHERE seq <= ?", (through,))

    def forgotten_changes(self) -> int:
        # numbers are given out without gaps here (a rolled-back transaction gives its numbers back), so what was
        # dropped is everything below the first entry left, or everything when none is
        first = self._q("SELECT min(seq) FROM changes")[0][0]
        return self.last_change() if first is None else int(first) - 1

    def writer_lock(self, *, wait: bool = True, timeout: float | None = None) -> AbstractContextManager[bool]:
        """An exclusive lock on the file `<archive>.lock` beside the archive (flock: the kernel releases it when
        the process dies, so a killed writer never leaves it taken)."""
        return self._writer.hold(wait=wait, timeout=timeout)

    # --- reading articles --------------------------------------------------------------------------------------

    def article(self, article_id: str, *, annotations: bool = True) -> StoredArticle | None:
        with self.snapshot():  # the article and its annotations as of one moment
            rows = self._q(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ?", (article_id,))
            if not rows:
                return None
            art = _article(rows[0])
            return self._annotate(art) if annotations else art

    def _annotate(self, art: StoredArticle) -> StoredArticle:
        """Fill in the stored annotations of an article read without them (all from one snapshot)."""
        with self.snapshot():
            return self._annotations(art)

    def _annotations(self, art: StoredArticle) -> StoredArticle:
        aid = (art.id,)
        art.entities = [dict(r) for r in self._q(
            'SELECT m.start, m."end", m.text, e.label, e.canonical, e.id AS entity_id FROM mentions m '
            'JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? ORDER BY m.start', aid)]
        art.quotes = [dict(r) for r in self._q(
            f'SELECT q.start, q."end", q.text, q.kind, q.cue, q.speaker_mention, {_SPEAKER_SQL} AS speaker, '
            "q.speaker_entity_id FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id "
            "WHERE q.article_id = ? ORDER BY q.start", aid)]
        art.timexes = [dict(r) for r in self._q(
            'SELECT start, "end", text, type, value, ref_start, ref_end, sentence_start, sentence_end '
            'FROM timexes WHERE article_id = ? ORDER BY start', aid)]
        art.analyses = {r[0]: r[1] for r in self._q("SELECT stage, version FROM analyses WHERE article_id = ?", aid)}
        art.other_sources = [dict(r) for r in self._q(
            "SELECT source, url, origin_file, origin_line FROM article_sources WHERE article_id = ? "
            "ORDER BY at, source, url", aid)]
        story = self._q("SELECT story_id FROM story_members WHERE article_id = ?", aid)
        art.story_id = story[0][0] if story else None
        return art

    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None,
                 unanalysed: bool = False, batch_size: int = 500) -> Iterator[StoredArticle]:
        extra, params = self._article_filter(language, unanalysed)
        if ids is None:
            last_rowid = -1
            while True:
                rows = self._q(f"SELECT rowid, {_ARTICLE_COLS} FROM articles WHERE rowid > ?{extra} "
                               f"ORDER BY rowid LIMIT ?", (last_rowid, *params, batch_size))
                if not rows:
                    return
                last_rowid = rows[-1]["rowid"]
                yield from (_article(r) for r in rows)
        else:
            for part in _chunks(list(ids), batch_size):
                rows = self._q(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id IN ({_marks(len(part))}){extra}",
                               (*part, *params))
                by_id = {r["id"]: r for r in rows}
                yield from (_article(by_id[i]) for i in part if i in by_id)

    def _annotate_all(self, arts: list[StoredArticle]) -> list[StoredArticle]:
        """`_annotations` of many articles at once, from one snapshot."""
        if not arts:
            return arts
        ids = (json.dumps(list(dict.fromkeys(a.id for a in arts))),)
        among = "IN (SELECT value FROM json_each(?))"
        by: dict[str, dict[str, list[dict[str, Any]]]] = {}
        with self.snapshot():
            for kind, sql in (
                    ("entities", 'SELECT m.article_id, m.start, m."end", m.text, e.label, e.canonical, '
                                 "e.id AS entity_id FROM mentions m JOIN entities e ON e.id = m.entity_id "
                                 f"WHERE m.article_id {among} ORDER BY m.article_id, m.start"),
                    ("quotes", 'SELECT q.article_id, q.start, q."end", q.text, q.kind, q.cue, q.speaker_mention, '
                               f"{_SPEAKER_SQL} AS speaker, q.speaker_entity_id FROM quotes q LEFT JOIN entities e "
                               f"ON e.id = q.speaker_entity_id WHERE q.article_id {among} "
                               "ORDER BY q.article_id, q.start"),
                    ("timexes", 'SELECT article_id, start, "end", text, type, value, ref_start, ref_end, '
                                f"sentence_start, sentence_end FROM timexes WHERE article_id {among} "
                                "ORDER BY article_id, start"),
                    ("sources", "SELECT article_id, source, url, origin_file, origin_line FROM article_sources "
                                f"WHERE article_id {among} ORDER BY article_id, at, source, url")):
                found = by[kind] = {}
                for r in self._q(sql, ids):
                    row = dict(r)
                    found.setdefault(row.pop("article_id"), []).append(row)
            stages: dict[str, dict[str, str]] = {}
            for r in self._q(f"SELECT article_id, stage, version FROM analyses WHERE article_id {among}", ids):
                stages.setdefault(r[0], {})[r[1]] = r[2]
            story_of = {r[0]: r[1] for r in self._q(
                f"SELECT article_id, story_id FROM story_members WHERE article_id {among}", ids)}
        return fill_annotations(arts, by, stages, story_of)

    def count(self, *, language: str | None = None, unanalysed: bool = False) -> int:
        cond, params = self._article_filter(language, unanalysed)
        return int(self._q(f"SELECT count(*) FROM articles WHERE 1 = 1{cond}", params)[0][0])

    @staticmethod
    def _article_filter(language: str | None, unanalysed: bool) -> tuple[str, list[Any]]:
        """The extra WHERE conditions (each starting with AND) and their parameters for `articles` and `count`."""
        cond, params = "", []
        if language:
            cond += " AND language = ?"
            params.append(language)
        if unanalysed:
            cond += " AND NOT EXISTS (SELECT 1 FROM analyses WHERE analyses.article_id = articles.id)"
        return cond, params

    def stats(self) -> dict[str, Any]:
        with self.snapshot():
            return self._stats()

    def _stats(self) -> dict[str, Any]:
        by_month = [{"month": r[0], "articles": r[1]} for r in self._q(
            f"SELECT {_MONTH_SQL.format(t='articles')} AS month, count(*) FROM articles GROUP BY month "
            "ORDER BY month")]
        by_source = [{"source": r[0], "articles": r[1]} for r in self._q(
            "SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY n DESC, source")]
        by_language = [{"language": r[0], "articles": r[1]} for r in self._q(
            "SELECT language, count(*) AS n FROM articles GROUP BY language ORDER BY n DESC")]
        span = self._q("SELECT min(date_start), max(date_end) FROM articles")[0]
        return {
            "articles": self.count(),
            "quarantined": self.count_quarantined(),
            "analysed": int(self._q("SELECT count(DISTINCT article_id) FROM analyses")[0][0]),
            "entities": int(self._q("SELECT count(*) FROM entities" + (
                " WHERE resolved_id IS NULL OR resolved_id = id" if self._has_resolution else ""))[0][0]),
            "first_day": span[0], "last_day": span[1],
            "by_month": by_month, "by_source": by_source, "by_language": by_language,
        }

    def quarantined(self, limit: int = 100, offset: int = 0) -> list[QuarantineRow]:
        return [QuarantineRow(r["file"], r["line"], r["reason"], r["raw"], r["at"], r["id"]) for r in self._q(
            "SELECT id, file, line, reason, raw, at FROM quarantine ORDER BY id LIMIT ? OFFSET ?", (limit, offset))]

    def count_quarantined(self) -> int:
        return int(self._q("SELECT count(*) FROM quarantine")[0][0])

    # --- annotations -------------------------------------------------------------------------------------------

    def _entity_id(self, canonical: str, label: str, cache: dict[tuple[str, str], tuple[int, int]]) -> tuple[int, int]:
        """The row of a name and label (made when new) and the archive entity it resolves to."""
        key = (canonical, label)
        if key not in cache:
            self._db.execute("INSERT OR IGNORE INTO entities (canonical, label, name_key) "
                             "VALUES (?, ?, kroniek_name_key(?))", (canonical, label, canonical))
            row = self._db.execute("SELECT id, coalesce(resolved_id, id) FROM entities WHERE canonical = ? "
                                   "AND label = ?", key).fetchone()
            cache[key] = (int(row[0]), int(row[1]))
        return cache[key]

    def _speaker_ids(self, article_id: str, speaker: str,
                     ids: dict[str, tuple[int, int]]) -> tuple[int | None, int | None]:
        """The base row of a quotation's speaker (its name's row in the article, else the PER row of that name)
        and the archive entity it points at (where that row's mentions in the article point)."""
        if not speaker:
            return None, None
        if speaker in ids:
            base, target = ids[speaker]
        else:
            row = self._db.execute("SELECT id, coalesce(resolved_id, id) FROM entities WHERE canonical = ? "
                                   "AND label = 'PER'", (speaker,)).fetchone()
            if row is None:
                return None, None
            base, target = int(row[0]), int(row[1])
        here = self._db.execute("SELECT entity_id FROM mentions WHERE base_id = ? AND article_id = ? LIMIT 1",
                                (base, article_id)).fetchone()
        return base, int(here[0]) if here else target

    def save_analyses(self, analyses: Sequence[Analysis], version: str, stages: Sequence[str]) -> None:
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint="open it writable to analyse")
        at = _now()
        cache: dict[tuple[str, str], tuple[int, int]] = {}
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for a in analyses:
                    ids: dict[str, tuple[int, int]] = {}
                    if "entities" in stages:
                        self._db.execute("DELETE FROM mentions WHERE article_id = ?", (a.id,))
                        for e in a.entities:
                            base, target = self._entity_id(e.canonical or e.text, e.label, cache)
                            ids[e.canonical or e.text] = (base, target)
                            self._db.execute("INSERT OR IGNORE INTO entity_variants VALUES (?, ?)", (base, e.text))
                            self._db.execute('INSERT INTO mentions (article_id, entity_id, start, "end", text, base_id) '
                                             "VALUES (?, ?, ?, ?, ?, ?)", (a.id, target, e.start, e.end, e.text, base))
                    if "quotes" in stages:
                        self._db.execute("DELETE FROM quotes WHERE article_id = ?", (a.id,))
                        for q in a.quotes:
                            speaker_base, speaker_id = self._speaker_ids(a.id, q.speaker, ids)
                            self._db.execute(
                                'INSERT INTO quotes (article_id, start, "end", text, kind, cue, speaker_mention, '
                                "speaker, speaker_entity_id, speaker_base_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (a.id, q.start, q.end, q.text, q.kind, q.cue, q.speaker_mention, q.speaker,
                                 speaker_id, speaker_base))
                    if "timexes" in stages:
                        self._db.execute("DELETE FROM timexes WHERE article_id = ?", (a.id,))
                        for t in a.timexes:
                            period = (t.period[0].isoformat(), t.period[1].isoformat()) if t.period else None
                            self._db.execute(
                                'INSERT INTO timexes (article_id, start, "end", text, type, value, ref_start, ref_end, '
                                "sentence_start, sentence_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (a.id, t.start, t.end, t.text, t.type, t.value, period[0] if period else None,
                                 period[1] if period else None, t.sentence_start, t.sentence_end))
                    self._db.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?)",
                                         [(a.id, s, version, at) for s in stages])
                self._log_changes(a.id for a in analyses)
                self._db.execute("COMMIT")
            except sqlite3.Error as e:
                self._db.execute("ROLLBACK")
                raise ArchiveError(f"cannot store analyses in {self.path}: {e}",
                                   hint="check free disk space and that no other program holds the file") from None

    # --- entities, quotes, timeline ----------------------------------------------------------------------------

    @staticmethod
    def _entity_filter(label: str | None, query: str | None) -> tuple[str, list[Any]]:
        """The WHERE clause (of fixed text) and its parameters for `entities` and `count_entities`."""
        cond, params = [], []
        if label:
            cond.append("e.label = ?")
            params.append(label)
        if query:
            cond.append("e.canonical LIKE ?")
            params.append(f"%{query}%")
        return (f"WHERE {' AND '.join(cond)}" if cond else ""), params

    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> list[dict[str, Any]]:
        where, params = self._entity_filter(label, query)
        return [dict(r) for r in self._q(
            f"SELECT e.id, e.canonical, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles "
            f"FROM entities e JOIN mentions m ON m.entity_id = e.id {where} GROUP BY e.id "
            f"ORDER BY mentions DESC, e.canonical LIMIT ? OFFSET ?", (*params, limit, offset))]

    def count_entities(self, label: str | None = None, query: str | None = None) -> int:
        where, params = self._entity_filter(label, query)
        return int(self._q(f"SELECT count(DISTINCT e.id) FROM entities e JOIN mentions m ON m.entity_id = e.id "
                           f"{where}", params)[0][0])

    def resolve_entity(self, key: int | str) -> dict[str, Any] | None:
        number = key if isinstance(key, int) else int(key) if key.isascii() and key.isdigit() else None
        if not self._has_resolution:
            return self._resolve_unresolved(key, number)
        if number is not None and 0 <= number <= _MAX_INTEGER:
            rows = self._q("SELECT t.id, t.canonical, t.label FROM entities e "
                           "JOIN entities t ON t.id = coalesce(e.resolved_id, e.id) WHERE e.id = ?", (number,))
            return dict(rows[0]) if rows else None
        key = str(key)
        # the rows of that name and the rows with mentions of that text; the entity with most of their mentions
        rows = self._q(
            "WITH bases AS (SELECT id FROM entities WHERE canonical = ? "
            "UNION SELECT entity_id FROM entity_variants WHERE variant = ?) "
            "SELECT t.id, t.canonical, t.label FROM mentions m JOIN entities t ON t.id = m.entity_id "
            "WHERE m.base_id IN (SELECT id FROM bases) GROUP BY t.id "
            "ORDER BY count(*) DESC, t.id LIMIT 1", (key, key))
        if not rows:  # a name no mention has (any more): its row's entity
            rows = self._q("SELECT t.id, t.canonical, t.label FROM entities e "
                           "JOIN entities t ON t.id = coalesce(e.resolved_id, e.id) WHERE e.canonical = ? "
                           "ORDER BY t.id LIMIT 1", (key,))
        return dict(rows[0]) if rows else None

    def _resolve_unresolved(self, key: int | str, number: int | None) -> dict[str, Any] | None:
        """`resolve_entity` in an archive made before entity resolution, opened read-only: an id, else the most
        mentioned entity of that name, else one with that variant."""
        if number is not None and 0 <= number <= _MAX_INTEGER:
            rows = self._q("SELECT id, canonical, label FROM entities WHERE id = ?", (number,))
        else:
            rows = self._q("SELECT e.id, e.canonical, e.label FROM entities e LEFT JOIN mentions m ON "
                           "m.entity_id = e.id WHERE e.canonical = ? GROUP BY e.id ORDER BY count(m.rowid) DESC",
                           (str(key),)) or self._q(
                "SELECT e.id, e.canonical, e.label FROM entity_variants v JOIN entities e ON e.id = v.entity_id "
                "WHERE v.variant = ? LIMIT 1", (str(key),))
        return dict(rows[0]) if rows else None

    def entity_variants(self, entity_id: int) -> list[str]:
        return [r[0] for r in self._q("SELECT DISTINCT text FROM mentions WHERE entity_id = ? ORDER BY text",
                                      (entity_id,))]

    # --- entity resolution ----------------------------------------------------------------------------------------

    def entity_rows(self, name_keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        where, params = "", []
        if name_keys is not None:
            where = "WHERE e.name_key IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(dict.fromkeys(name_keys))))
        return [dict(r) for r in self._q(
            "SELECT e.id, e.canonical, e.label, e.name_key, e.resolved_id, count(m.rowid) AS mentions, "
            "count(DISTINCT m.article_id) AS articles, min(a.date_start) AS first_day, "
            f"max(a.date_start) AS last_day FROM entities e LEFT JOIN mentions m ON m.base_id = e.id "
            f"LEFT JOIN articles a ON a.id = m.article_id {where} GROUP BY e.id ORDER BY e.id", params)]

    def entity_mentions(self, entity_ids: Sequence[int], per_row: int | None = None) -> list[dict[str, Any]]:
        ids = json.dumps(list(dict.fromkeys(int(i) for i in entity_ids)))
        cols = ('m.base_id, m.entity_id, m.article_id, a.date_start AS day, m.start, m."end", m.text, '
                "substr(a.text, max(0, m.start - 40) + 1, m.start - max(0, m.start - 40)) AS before")
        if per_row is None:
            return [dict(r) for r in self._q(
                f"SELECT {cols} FROM mentions m JOIN articles a ON a.id = m.article_id "
                "WHERE m.base_id IN (SELECT value FROM json_each(?)) ORDER BY m.base_id, m.article_id, m.start",
                (ids,))]
        return [dict(r) for r in self._q(
            "WITH pairs AS (SELECT DISTINCT base_id, article_id FROM mentions "
            "WHERE base_id IN (SELECT value FROM json_each(?))), "
            "ranked AS (SELECT p.base_id, p.article_id, row_number() OVER (PARTITION BY p.base_id "
            "ORDER BY a.date_start DESC, p.article_id DESC) AS n FROM pairs p JOIN articles a ON a.id = p.article_id) "
            f"SELECT {cols} FROM ranked r JOIN mentions m ON m.base_id = r.base_id AND m.article_id = r.article_id "
            "JOIN articles a ON a.id = m.article_id WHERE r.n <= ? ORDER BY m.base_id, m.article_id, m.start",
            (ids, per_row))]

    def save_resolution(self, base_ids: Sequence[int], links: Sequence[EntityLink]) -> list[str]:
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint="open it writable to resolve entities")
        bases = list(dict.fromkeys(int(b) for b in base_ids))
        changed: dict[str, None] = {}
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                targets: dict[tuple[str, str], int] = {}
                for link in links:
                    key = (link.canonical, link.label)
                    if key not in targets:
                        self._db.execute("INSERT OR IGNORE INTO entities (canonical, label, name_key) "
                                         "VALUES (?, ?, kroniek_name_key(?))", (*key, link.canonical))
                        targets[key] = int(self._db.execute(
                            "SELECT id FROM entities WHERE canonical = ? AND label = ?", key).fetchone()[0])
                default: dict[int, int] = {}
                here: dict[tuple[int, str], int] = {}
                for link in links:
                    target = targets[(link.canonical, link.label)]
                    if link.article_id is None:
                        default[link.base_id] = target
                    else:
                        here[(link.base_id, link.article_id)] = target
                # an archive entity resolves to itself; any other row to its own link's entity
                own = {b: t for b, t in default.items() if b not in targets.values()}
                self._db.executemany("UPDATE entities SET resolved_id = ? WHERE id = ?",
                                     [(t, b) for b, t in own.items()] + [(t, t) for t in targets.values()])
                for part in _chunks(bases):
                    marks = _marks(len(part))
                    moves = []
                    for r in self._db.execute(f"SELECT DISTINCT base_id, article_id, entity_id FROM mentions "
                                              f"WHERE base_id IN ({marks})", part).fetchall():
                        want = here.get((r[0], r[1]), default.get(r[0]))
                        if want is not None and want != r[2]:
                            moves.append((want, r[0], r[1]))
                            changed[r[1]] = None
                    self._db.executemany("UPDATE mentions SET entity_id = ? WHERE base_id = ? AND article_id = ?",
                                         moves)
                    speakers = []
                    for r in self._db.execute(f"SELECT rowid, speaker_base_id, article_id, speaker_entity_id "
                                              f"FROM quotes WHERE speaker_base_id IN ({marks})", part).fetchall():
                        want = here.get((r[1], r[2]), default.get(r[1]))
                        if want is not None and want != r[3]:
                            speakers.append((want, r[0]))
                            changed[r[2]] = None
                    self._db.executemany("UPDATE quotes SET speaker_entity_id = ? WHERE rowid = ?", speakers)
                    self._db.execute(f"DELETE FROM entity_reasons WHERE base_id IN ({marks})", part)
                reasons = {(link.base_id, targets[(link.canonical, link.label)]): link.reason
                           for link in links if link.reason}
                for (base, target), reason in reasons.items():
                    n = self._db.execute("SELECT count(DISTINCT article_id) FROM mentions WHERE base_id = ? "
                                         "AND entity_id = ?", (base, target)).fetchone()[0]
                    if n and base != target:
                        self._db.execute("INSERT OR REPLACE INTO entity_reasons VALUES (?, ?, ?, ?)",
                                         (base, target, reason, n))
                self._log_changes(changed)
                self._db.execute("COMMIT")
            except sqlite3.Error as e:
                self._db.execute("ROLLBACK")
                raise ArchiveError(f"cannot store the entity resolution in {self.path}: {e}",
                                   hint="check free disk space and that no other program holds the file") from None
            self._after_commit()
        return list(changed)

    def entity_merges(self, entity_id: int) -> list[dict[str, Any]]:
        if not self._has_resolution:
            return []
        return [dict(r) for r in self._q(
            "SELECT m.text, m.base_id, b.canonical, b.label, count(DISTINCT m.article_id) AS articles, r.reason, "
            "r.articles AS merged_articles "
            "FROM mentions m JOIN entities b ON b.id = m.base_id "
            "LEFT JOIN entity_reasons r ON r.base_id = m.base_id AND r.entity_id = m.entity_id "
            "WHERE m.entity_id = ? GROUP BY m.base_id, m.text ORDER BY articles DESC, b.canonical, m.text",
            (entity_id,))]

    def entity_counts(self, entity_id: int) -> tuple[int, int]:
        row = self._q("SELECT count(*), count(DISTINCT article_id) FROM mentions WHERE entity_id = ?",
                      (entity_id,))[0]
        return int(row[0]), int(row[1])

    def entity_months(self, entity_id: int) -> list[dict[str, Any]]:
        return [{"month": r[0], "mentions": r[1], "articles": r[2]} for r in self._q(
            f"SELECT {_MONTH_SQL.format(t='a')} AS month, count(*), count(DISTINCT a.id) FROM mentions m "
            "JOIN articles a ON a.id = m.article_id WHERE m.entity_id = ? GROUP BY month ORDER BY month",
            (entity_id,))]

    def co_occurring(self, entity_id: int, limit: int = 20) -> list[dict[str, Any]]:
        return [dict(r) for r in self._q(
            "SELECT e.id, e.canonical, e.label, count(DISTINCT m2.article_id) AS articles FROM mentions m1 "
            "JOIN mentions m2 ON m2.article_id = m1.article_id AND m2.entity_id != m1.entity_id "
            "JOIN entities e ON e.id = m2.entity_id WHERE m1.entity_id = ? GROUP BY e.id "
            "ORDER BY articles DESC, e.canonical LIMIT ?", (entity_id, limit))]

    @staticmethod
    def _quote_filter(speaker: str | None, article_ids: Sequence[str] | None,
                      speaker_id: int | None = None) -> tuple[str, list[Any]]:
        """The WHERE clause (of fixed text) and its parameters for `quotes` and `count_quotes`."""
        cond: list[str] = []
        params: list[Any] = []
        if speaker_id is not None:
            cond.append("(q.speaker_entity_id = ? OR (q.speaker_entity_id IS NULL AND q.speaker = ?))")
            params += [speaker_id, speaker or ""]
        elif speaker:
            cond.append("q.speaker = ?")
            params.append(speaker)
        if article_ids is not None:
            cond.append("q.article_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(article_ids)))
        return (f"WHERE {' AND '.join(cond)}" if cond else ""), params

    def count_quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None, *,
                     speaker_id: int | None = None) -> int:
        where, params = self._quote_filter(speaker, article_ids, speaker_id)
        return int(self._q(f"SELECT count(*) FROM quotes q {where}", params)[0][0])

    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               limit: int = 100, offset: int = 0, *, speaker_id: int | None = None) -> list[dict[str, Any]]:
        where, params = self._quote_filter(speaker, article_ids, speaker_id)
        return [dict(r) for r in self._q(
            f"SELECT {_QUOTE_COLS} FROM quotes q JOIN articles a ON a.id = q.article_id {_SPEAKER_JOIN} {where} "
            f"ORDER BY a.date_start, q.article_id, q.start LIMIT ? OFFSET ?", (*params, limit, offset))]

    def export_quotes(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        # every row is read: the articles are walked in date order (their date index), so that only the
        # quotations of one date are sorted at a time, rather than all of them at once
        where, params = self._quote_filter(None, article_ids)
        return (dict(r) for r in self._stream(
            f"SELECT {_QUOTE_COLS} FROM articles a INDEXED BY articles_date CROSS JOIN quotes q "
            f"ON q.article_id = a.id {_SPEAKER_JOIN} {where} ORDER BY a.date_start, q.article_id, q.start", params))

    def quotes_about(self, entity_id: int, limit: int = 50) -> list[dict[str, Any]]:
        return [dict(r) for r in self._q(
            'SELECT DISTINCT q.article_id, a.date AS article_date, a.title AS article_title, q.start, q."end", '
            f"q.text, q.kind, q.cue, q.speaker_mention, {_SPEAKER_SQL} AS speaker, q.speaker_entity_id, "
            "a.date_start FROM mentions m "
            'JOIN quotes q ON q.article_id = m.article_id AND m.start >= q.start AND m."end" <= q."end" '
            "JOIN articles a ON a.id = q.article_id LEFT JOIN entities e ON e.id = q.speaker_entity_id "
            "WHERE m.entity_id = ? AND (q.speaker_entity_id IS NULL OR q.speaker_entity_id != ?) "
            "ORDER BY a.date_start, q.article_id, q.start LIMIT ?", (entity_id, entity_id, limit))]

    @staticmethod
    def _timex_filter(entity_id: int | None, in_sentence: bool,
                      article_ids: Sequence[str] | None) -> tuple[str, list[Any]]:
        """The WHERE clause (of fixed text) and its parameters for `calendar_timexes` and its count."""
        cond: list[str] = ["t.ref_start IS NOT NULL"]
        params: list[Any] = []
        if entity_id is not None:
            if in_sentence:
                cond.append("EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = t.article_id AND m.entity_id = ? "
                            "AND m.start >= coalesce(t.sentence_start, t.start) "
                            'AND m."end" <= coalesce(t.sentence_end, t."end"))')
            else:
                cond.append("EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = t.article_id AND m.entity_id = ?)")
            params.append(entity_id)
        if article_ids is not None:
            cond.append("t.article_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(article_ids)))
        return f"WHERE {' AND '.join(cond)}", params

    def count_calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                               article_ids: Sequence[str] | None = None) -> int:
        where, params = self._timex_filter(entity_id, in_sentence, article_ids)
        return int(self._q(f"SELECT count(*) FROM timexes t {where}", params)[0][0])

    def calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                         article_ids: Sequence[str] | None = None, limit: int = 500,
                         offset: int = 0) -> list[dict[str, Any]]:
        where, params = self._timex_filter(entity_id, in_sentence, article_ids)
        return [dict(r) for r in self._q(
            f"SELECT {_TIMEX_COLS} FROM timexes t JOIN articles a ON a.id = t.article_id {where} "
            f"ORDER BY t.ref_start, t.ref_end, a.date_start, t.article_id, t.start LIMIT ? OFFSET ?",
            (*params, limit, offset))]

    def export_timexes(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        # every row is read: they are walked in the order of the periods they name (their index), so that only
        # those that name the same period are sorted at a time
        where, params = self._timex_filter(None, True, article_ids)
        return (dict(r) for r in self._stream(
            f"SELECT {_TIMEX_COLS} FROM timexes t INDEXED BY timexes_ref JOIN articles a ON a.id = t.article_id "
            f"{where} ORDER BY t.ref_start, t.ref_end, a.date_start, t.article_id, t.start", params))

    def mentions_in(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        return [dict(r) for r in self._q(
            'SELECT m.article_id, m.start, m."end", e.id, e.canonical, e.label FROM mentions m '
            "JOIN entities e ON e.id = m.entity_id WHERE m.article_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY m.article_id, m.start", (json.dumps(list(article_ids)),))]

    def speakers(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return [dict(r) for r in self._q(
            f"SELECT {_SPEAKER_SQL} AS speaker, q.speaker_entity_id, count(*) AS quotes, "
            "count(DISTINCT q.article_id) AS articles FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id "
            "WHERE q.speaker IS NOT NULL AND q.speaker != '' "
            "GROUP BY coalesce(q.speaker_entity_id, -1), CASE WHEN q.speaker_entity_id IS NULL THEN q.speaker END "
            "ORDER BY quotes DESC, speaker LIMIT ? OFFSET ?", (limit, offset))]

    def count_speakers(self) -> int:
        return int(self._q(
            "SELECT count(*) FROM (SELECT 1 FROM quotes q WHERE q.speaker IS NOT NULL AND q.speaker != '' "
            "GROUP BY coalesce(q.speaker_entity_id, -1), CASE WHEN q.speaker_entity_id IS NULL THEN q.speaker END)"
            )[0][0])

    # --- links -------------------------------------------------------------------------------------------------

    def links_from(self, article_id: str) -> list[Link]:
        if not self._has_links:
            return []
        return [_link(r) for r in self._q(f"SELECT {_LINK_COLS} FROM links l WHERE l.source_id = ? ORDER BY l.start",
                                          (article_id,))]

    def links_to(self, article_id: str, limit: int = 100) -> list[Link]:
        if not self._has_links:
            return []
        return [_link(r) for r in self._q(
            f"SELECT {_LINK_COLS} FROM links l JOIN articles a ON a.id = l.source_id WHERE l.target_id = ? "
            "ORDER BY a.date_start IS NULL, a.date_start DESC, l.source_id, l.start LIMIT ?", (article_id, limit))]

    def links(self, after: int = 0, limit: int = 500, *, untried: bool = False) -> list[Link]:
        if not self._has_links:
            return []
        cond = " AND l.tried = 0" if untried else ""
        return [_link(r) for r in self._q(
            f"SELECT {_LINK_COLS} FROM links l WHERE l.id > ?{cond} ORDER BY l.id LIMIT ?", (after, limit))]

    def waiting_links(self, keys: Sequence[str]) -> list[Link]:
        if not self._has_links or not keys:
            return []
        found: dict[int, Link] = {}
        for part in _chunks(list(keys)):
            marks = _marks(len(part))
            for r in self._q(f"SELECT {_LINK_COLS} FROM links l WHERE l.target_id IS NULL AND l.key IN ({marks}) "
                             f"UNION SELECT {_LINK_COLS} FROM links l WHERE l.target_id IS NULL "
                             f"AND l.head IN ({marks})", (*part, *part)):
                found.setdefault(r["id"], _link(r))
        return [found[i] for i in sorted(found)]

    def save_links(self, links: Sequence[Link]) -> None:
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint="open it writable to resolve references")
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "UPDATE links SET tried = ?, key = ?, head = ?, target_id = ?, score = ? WHERE id = ?",
                    [(int(x.tried), x.key, x.head, x.target_id, x.score, x.id) for x in links if x.id is not None])
                self._db.execute("COMMIT")
            except sqlite3.Error as e:
                self._db.execute("ROLLBACK")
                raise ArchiveError(f"cannot store links in {self.path}: {e}",
                                   hint="check free disk space and that no other program holds the file") from None

    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        for art in self.articles(article_ids):
            yield self._annotate(art).to_dict()

    def export_entities(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        where, params = "", []
        if article_ids is not None:
            where = "WHERE m.article_id IN (SELECT value FROM json_each(?)) "
            params.append(json.dumps(list(article_ids)))
        for r in self._stream(
                "SELECT e.id, e.canonical, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles, "
                "json_group_array(DISTINCT m.text) AS variants FROM mentions m JOIN entities e ON e.id = m.entity_id "
                f"{where}GROUP BY e.id ORDER BY mentions DESC, e.canonical, e.id", params):
            row = dict(r)
            row["variants"] = sorted(json.loads(row["variants"]))
            yield row

    # --- stories ------------------------------------------------------------------------------------------------

    def story_order(self, *, unassigned: bool = False) -> list[tuple[str, str | None]]:
        where = " WHERE NOT EXISTS (SELECT 1 FROM story_members s WHERE s.article_id = a.id)" if unassigned else ""
        return [(r[0], r[1]) for r in self._q(
            f"SELECT a.id, a.date_start FROM articles a{where} ORDER BY a.date_start IS NULL, a.date_start, a.id")]

    def story_inputs(self, ids: Sequence[str], text_chars: int) -> list[tuple[str, str | None, str]]:
        found: dict[str, tuple[str, str | None, str]] = {}
        text = "substr(text, 1, ?)" if text_chars > 0 else "text"
        for part in _chunks(list(ids), 500):
            params = ((text_chars,) if text_chars > 0 else ()) + tuple(part)
            for r in self._q(f"SELECT id, title, {text} FROM articles WHERE id IN ({_marks(len(part))})", params):
                found[r[0]] = (r[0], r[1], r[2])
        return [found[i] for i in ids if i in found]

    @contextlib.contextmanager
    def _transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction on the writer connection, under its lock: committed when the block ends, rolled
        back (and an ArchiveError that names the archive) on an SQLite error; `doing` says what needs writing."""
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint=f"open it writable to {doing}")
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.Error as e:
                self._db.execute("ROLLBACK")
                raise ArchiveError(f"cannot write to the archive {self.path}: {e}",
                                   hint="check free disk space and that no other program holds the file") from None
            self._after_commit()

    def save_stories(self, members: Sequence[tuple[str, str, float]], stories: Sequence[StoryRow],
                     merges: Sequence[tuple[str, str]] = ()) -> None:
        with self._transaction("detect stories") as db:
            db.executemany("INSERT OR REPLACE INTO story_members (article_id, story_id, score) VALUES (?, ?, ?)",
                           members)
            for gone, into in merges:
                db.execute("UPDATE story_members SET story_id = ? WHERE story_id = ?", (into, gone))
                db.execute("DELETE FROM stories WHERE id = ?", (gone,))
            db.executemany(
                "INSERT OR REPLACE INTO stories (id, title, title_article, first_date, last_date, size, keywords) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(st.id, st.title, st.title_article, st.first_date, st.last_date, st.size,
                  json.dumps(list(st.keywords), ensure_ascii=False)) for st in stories])

    def clear_stories(self) -> int:
        with self._transaction("detect stories") as db:
            n = db.execute("SELECT count(*) FROM story_members").fetchone()[0]
            db.execute("DELETE FROM story_members")
            db.execute("DELETE FROM stories")
        return int(n)

    def count_stories(self, min_size: int = 1) -> int:
        return int(self._q("SELECT count(*) FROM stories WHERE size >= ?", (min_size,))[0][0])

    def story_rows(self, ids: Sequence[str] | None = None, limit: int = 50, offset: int = 0,
                   min_size: int = 1) -> list[StoryRow]:
        cols = "id, title, title_article, first_date, last_date, size, keywords"
        if ids is None:
            rows = self._q(f"SELECT {cols} FROM stories WHERE size >= ? ORDER BY last_date DESC, size DESC, id "
                           "LIMIT ? OFFSET ?", (min_size, limit, offset))
        else:
            rows = []
            for part in _chunks(list(dict.fromkeys(ids)), 500):
                rows += self._q(f"SELECT {cols} FROM stories WHERE id IN ({_marks(len(part))}) AND size >= ?",
                                (*part, min_size))
            rows.sort(key=lambda r: (r["last_date"], r["size"]), reverse=True)
            rows = rows[offset:offset + limit]
        return [StoryRow(r["id"], r["title"], r["title_article"], r["first_date"], r["last_date"], r["size"],
                         tuple(json.loads(r["keywords"]))) for r in rows]

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        return {r[0]: r[1] for r in self._q(
            "SELECT article_id, story_id FROM story_members WHERE article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),))}

    def story_members(self, story_id: str) -> list[tuple[str, float]]:
        return [(r[0], r[1]) for r in self._q(
            "SELECT s.article_id, s.score FROM story_members s JOIN articles a ON a.id = s.article_id "
            "WHERE s.story_id = ? ORDER BY a.date_start IS NULL, a.date_start, a.id", (story_id,))]

    def entity_stories(self, entity_id: int, limit: int = 20) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self._q(
            "SELECT s.story_id, count(DISTINCT m.article_id) AS n FROM mentions m "
            "JOIN story_members s ON s.article_id = m.article_id WHERE m.entity_id = ? "
            "GROUP BY s.story_id ORDER BY n DESC, s.story_id LIMIT ?", (entity_id, limit))]

"""Readers for the input formats: dated-line text, JSON Lines, CSV, directories and standard input.

Every reader is a generator over a binary stream read line by line, so memory stays flat on inputs of any size;
a single line is read in slices of at most `max_article_bytes`, so not even a file without line ends is held whole.
The limit counts bytes as read, not characters, for a line, an article and a CSV record alike.
A reader yields a `RawArticle` for each record it can read and a `Rejected` (file, line, reason, raw record) for
each one it cannot; a bad record never stops the records around it.

Bytes are decoded as UTF-8 (a leading byte order mark is dropped); a stream that starts with a UTF-16 or UTF-32
byte order mark is read in that encoding (see encoding.py). Undecodable bytes are kept through decoding as
surrogate escapes, so the record that holds them can be rejected with its line number while the rest of the file
is read. CRLF and CR line ends in the dated-line and CSV formats are read as LF (a file with CR line ends only is
read line by line): the article text, and so every offset into it, uses LF. JSON Lines end at LF or CRLF, since a
CR is whitespace inside a JSON line; a JSON Lines `text` field is kept verbatim.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import orjson

from kroniek.errors import DateError, InputError
from kroniek.ingest.encoding import as_utf8, nul_hint
from kroniek.model import DEFAULT_MAX_ARTICLE_BYTES, INPUT_FORMATS, ArticleDate, Origin, RawArticle

FORMATS = INPUT_FORMATS
EXTENSIONS = {".txt": "dated", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
FIELDS = ("id", "date", "title", "source", "url", "text")
STDIN = "-"

# The article limits that can be asked for: below a kilobyte nearly every record would be quarantined, and an
# article of more than a gigabyte is no article (a reader holds one article, and sometimes a line, in memory).
MIN_ARTICLE_BYTES = 1024
MAX_ARTICLE_BYTES = 1024 * 1024 * 1024
# How much of a rejected record the quarantine keeps; the rest is counted, not stored.
RAW_KEEP_CHARS = 64 * 1024
# Lists and objects in a record nest at most this deep: deeper ones cannot be stored as JSON, pickled or
# serialised again by the parsers' own limits (orjson writes at most 255 levels, pickle stops near 500).
MAX_NESTING = 100

# A dated-line header: optional leading whitespace, `date`, one space, a token that starts with a digit, then one
# space before the article (or the end of the line). A token that is not a readable date rejects the article.
_HEADER = re.compile(r"^[ \t\f\v\ufeff]*date (\d\S*)(?: |$)")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_ANY_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class Rejected:
    """A record that could not be read: where it was, why, and the record as it was found.

    The quarantine stores all three as text, so undecodable bytes and lone surrogates in the reason or the raw
    record are written as \\xNN and \\uXXXX escapes: a record that could not be read must still be storable.
    """

    origin: Origin
    reason: str
    raw: str

    def __post_init__(self) -> None:
        for name in ("reason", "raw"):
            value = getattr(self, name)
            if _has_surrogate(value):
                object.__setattr__(self, name, _printable(value))
        if _has_surrogate(self.origin.file):
            object.__setattr__(self, "origin", Origin(_printable(self.origin.file), self.origin.line))


Item = RawArticle | Rejected


@dataclass
class ReadOptions:
    """How readers treat their input."""

    fmt: str | None = None  # one of FORMATS; None: by file extension (standard input: sniffed)
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    require_date: bool = True  # an article without a date is rejected unless this is False
    columns: Mapping[str, str] = field(default_factory=dict)  # Kroniek field -> column name in a CSV header
    source: str | None = None  # the source of articles whose record names none


def article_limit(megabytes: float) -> int:
    """The article limit in bytes for a size in megabytes (MiB); ValueError, saying what can be given, for a size
    that is not a number, is infinite, or lies outside 0.001..1024."""
    low, high = 0.001, MAX_ARTICLE_BYTES // 2**20  # 0.001 MB: just over MIN_ARTICLE_BYTES
    if not math.isfinite(megabytes) or not low <= megabytes <= high:
        raise ValueError(f"{megabytes} is not an article size: give a number of megabytes from {low} to {high}")
    return int(megabytes * 2**20)


def _limit(opts: ReadOptions) -> int:
    """The options' article limit, checked: a limit of 0 or less would quarantine every line or switch it off."""
    limit = opts.max_article_bytes
    if isinstance(limit, bool) or not isinstance(limit, int) or not MIN_ARTICLE_BYTES <= limit <= MAX_ARTICLE_BYTES:
        raise InputError(f"max_article_bytes must be a whole number from {MIN_ARTICLE_BYTES} to "
                         f"{MAX_ARTICLE_BYTES}, not {limit!r}", hint="give a size in that range")
    return limit


def _keep(raw: str) -> str:
    if len(raw) <= RAW_KEEP_CHARS:
        return raw
    return raw[:RAW_KEEP_CHARS] + f"\n[... {len(raw) - RAW_KEEP_CHARS} more characters not kept]"


def _escape_surrogate(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _printable(raw: str) -> str:
    """The raw record with undecodable bytes shown as \\xNN (other lone surrogates as \\uXXXX), so it can be
    stored and printed."""
    return _ANY_SURROGATE.sub(_escape_surrogate, raw)


def _has_surrogate(text: str) -> bool:
    """Whether `text` holds a surrogate code point: UTF-8 cannot encode one, and encoding is far cheaper than a search."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@lru_cache(maxsize=16384)
def _date(value: str) -> ArticleDate:
    """`ArticleDate.parse`, remembered: a feed repeats the same few thousand dates (a failure is not remembered)."""
    return ArticleDate.parse(value)


def _undecodable(text: str, encoding: str = "UTF-8") -> str | None:
    """Why `text` cannot be stored when it holds bytes that were not text in the input's encoding, or None."""
    if not _has_surrogate(text):
        return None
    m = _SURROGATE.search(text)
    if not m:
        return None
    if encoding != "UTF-8":  # the transcoding marks them with one \\xff (see encoding.py)
        return f"bytes that are not {encoding} text (first at character {m.start()})"
    return f"bytes that are not UTF-8 (first one \\x{ord(m.group()) - 0xDC00:02x} at character {m.start()})" + \
        nul_hint(text)


def _raw_lines(stream: IO[bytes], limit: int, cr_ends: bool = False) -> Iterator[tuple[int, bytes, bool]]:
    """Yield (line number, line as bytes with its line end, whether it was cut at `limit` bytes) for each line.

    Lines end at LF or CRLF; with `cr_ends` a CR alone ends a line too, so that a file with old Mac line ends is
    read line by line and not as one line. A byte order mark at the start of the stream is dropped.
    """
    number = 0
    first = True
    pending = b""  # with `cr_ends`: the start of a line not ended yet, after the CR line ends before it
    drop_lf = False  # an over-long line skipped up to a CR: an LF right after it is that line's end
    while True:
        if not (first or drop_lf or pending):
            # the usual line: under the limit, ended by LF or CRLF (or the last one), no CR inside
            chunk = stream.readline(limit + 1)
            if chunk and len(chunk) <= limit:
                cr = chunk.find(b"\r")
                if cr < 0 or (cr == len(chunk) - 2 and chunk.endswith(b"\n")) or not cr_ends:
                    number += 1
                    yield number, chunk, False
                    continue
        elif drop_lf:
            # one byte more, for the LF that may end the line before
            chunk = stream.readline(limit + 2)
            drop_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
                if not chunk:
                    continue
        elif first:
            # the first read has room for a byte order mark besides the `limit + 1` bytes that show a line too long
            chunk = stream.readline(limit + 4)
            first = False
            if chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
        else:
            chunk = stream.readline(limit + 1)
        # too long: more than `limit` bytes before the line end (with `cr_ends`, a CR at the end is one)
        cut = (_content_bytes(chunk) if cr_ends else len(chunk) - chunk.endswith(b"\n")) > limit
        if cr_ends and (pending or (b"\r" in chunk and chunk[chunk.find(b"\r"):] not in (b"\r\n", b"\r"))):
            # a line with CR line ends inside it: split it here, keeping its unended last piece for the next read
            data = pending + chunk
            if not data:
                return
            pieces = data.splitlines(keepends=True)
            pending = b"" if not chunk or chunk.endswith(b"\n") else pieces.pop()
            for piece in pieces:
                number += 1
                if _content_bytes(piece) > limit:
                    yield number, piece[:limit], True
                else:
                    yield number, piece, False
            if _content_bytes(pending) > limit:
                number += 1
                yield number, pending[:limit], True
                if pending.endswith(b"\r"):  # ended already, at a CR an LF may follow
                    pending, drop_lf = b"", True
                else:
                    pending, drop_lf = _skip_line(stream, limit)
            continue
        if not chunk:
            return
        number += 1
        if chunk.endswith(b"\r") and cr_ends:
            drop_lf = True  # the line ended at a CR, which an LF may follow
        if cut and not chunk.endswith(b"\n") and not (cr_ends and chunk.endswith(b"\r")):
            if cr_ends:
                pending, drop_lf = _skip_line(stream, limit)
            else:
                # skip the rest of the over-long line without holding it
                while True:
                    rest = stream.readline(limit)
                    if not rest or rest.endswith(b"\n"):
                        break
        if cut:
            chunk = chunk[:limit]
        yield number, chunk, cut


_LINE_END = re.compile(rb"\r\n?|\n")


def _content_bytes(line: bytes) -> int:
    """The length of a line without its line end."""
    if line.endswith(b"\r\n"):
        return len(line) - 2
    return len(line) - 1 if line.endswith((b"\n", b"\r")) else len(line)


def _skip_line(stream: IO[bytes], limit: int) -> tuple[bytes, bool]:
    """Read past the rest of an over-long line that may end at a CR, without holding it; return what was read
    after its end (the start of the next lines) and whether it ended at a CR that an LF may still follow."""
    while True:
        rest = stream.readline(limit)
        if not rest:
            return b"", False
        m = _LINE_END.search(rest)
        if m:
            return rest[m.end():], m.group() == b"\r" and m.end() == len(rest)


def _decode(chunk: bytes) -> str:
    """A line as text: undecodable bytes kept as surrogate escapes, a CRLF or CR line end read as LF."""
    line = chunk.decode("utf-8", "surrogateescape")
    if line.endswith("\r\n"):
        return line[:-2] + "\n"
    if line.endswith("\r"):
        return line[:-1] + "\n"
    return line


# --- the dated-line format ---------------------------------------------------------------------------------------

def read_dated(stream: IO[bytes], name: str, options: ReadOptions | None = None) -> Iterator[Item]:
    """Read articles in the dated-line format: `date YYYY[-MM[-DD]] <article>` up to the next header line."""
    opts = options or ReadOptions()
    limit = _limit(opts)
    stream, encoding = as_utf8(stream)
    start_line = 0
    header = ""
    date_token: str | None = None
    parts: list[str] = []
    size = 0
    problem: str | None = None

    def finish() -> Item | None:
        text = "".join(parts).rstrip()
        origin = Origin(name, start_line or 1)

        def rejected(reason: str) -> Rejected:
            # the raw record is written out only for a rejected article
            return Rejected(origin, reason, _keep(_printable(header + "".join(parts))))

        if date_token is None and (not text or text.isspace()):
            return None
        if problem:
            return rejected(problem)
        # undecodable bytes before a missing date: they are the likelier cause (a file in another encoding)
        bad = _undecodable(text, encoding)
        if bad:
            return rejected(bad + ("; no `date YYYY-MM-DD` header line before it either" if date_token is None
                                   else ""))
        if date_token is None and opts.require_date:
            return rejected("missing date: text before the first `date YYYY-MM-DD` header line" + nul_hint(text))
        if not text or text.isspace():
            return rejected("empty article: a date header with no text after it")
        date = None
        if date_token is not None:
            try:
                date = _date(date_token)
            except DateError as e:
                return rejected(f"impossible date {date_token!r}: {e}")
        return RawArticle(text=text, date=date, source=opts.source, origin=origin)

    for number, chunk, too_long in _raw_lines(stream, limit, cr_ends=True):
        line = _decode(chunk)
        m = _HEADER.match(line)
        if m:
            item = finish()
            if item is not None:
                yield item
            start_line, date_token, problem, size = number, m.group(1), None, 0
            header = line[:m.end()]
            rest = line[m.end():]
            # a header alone on its line: the article starts on the next line
            parts = [rest] if rest.strip() else []
            # the limit counts bytes as read: the line's less those of its header (a short, mostly ASCII prefix)
            size = len(chunk) - (len(header) if header.isascii() else len(header.encode("utf-8", "surrogateescape")))
        else:
            parts.append(line)
            size += len(chunk)
        if too_long:
            problem = f"a line longer than the limit of {limit} bytes (see max_article_bytes)"
        if size > limit and problem is None:
            problem = f"article longer than the limit of {limit} bytes (see max_article_bytes)"
        if problem and size > RAW_KEEP_CHARS:
            # an article already rejected: keep only what the quarantine stores
            joined = "".join(parts)[:RAW_KEEP_CHARS]
            parts, size = [joined], len(joined)
    item = finish()
    if item is not None:
        yield item


# --- JSON Lines and CSV records ----------------------------------------------------------------------------------

def _article_from_record(rec: Mapping[str, Any], origin: Origin, opts: ReadOptions,
                         surrogate_free: bool = False) -> RawArticle:
    """Turn a decoded record (JSON object or CSV row) into an article, or raise InputError.

    `surrogate_free`: the caller has already made sure that no string in the record holds a surrogate.
    """
    text = rec.get("text")
    if text is None:
        raise InputError("no `text` field", field="text")
    if not isinstance(text, str):
        raise InputError(f"`text` must be a string, not {type(text).__name__}", field="text")
    if not text or text.isspace():
        raise InputError("empty article: `text` holds no text", field="text")
    if not surrogate_free and _has_surrogate(text):
        raise InputError("`text` holds an unpaired surrogate, which is not valid Unicode text", field="text")
    values: dict[str, str | None] = {}
    for key in ("id", "title", "source", "url"):
        value = rec.get(key)
        if value is None or value == "":
            values[key] = None
        elif key == "id" and isinstance(value, int) and not isinstance(value, bool):
            values[key] = str(value)
        elif isinstance(value, str):
            if not surrogate_free and _has_surrogate(value):
                raise InputError(f"`{key}` holds an unpaired surrogate, which is not valid Unicode text", field=key)
            values[key] = value
        else:
            raise InputError(f"`{key}` must be a string, not {type(value).__name__}", field=key)
    raw_date = rec.get("date")
    date = None
    if raw_date is None or raw_date == "":
        if opts.require_date:
            raise DateError("missing date", field="date",
                            hint="give each record a `date` (YYYY, YYYY-MM or YYYY-MM-DD), or allow undated articles")
    elif isinstance(raw_date, str):
        if not surrogate_free and _has_surrogate(raw_date):
            raise DateError("`date` holds an unpaired surrogate, which is not valid Unicode text", field="date")
        try:
            date = _date(raw_date)
        except DateError as e:
            raise DateError(str(e), field="date") from None
    else:
        raise DateError(f"`date` must be a string, not {type(raw_date).__name__}", field="date")
    meta = {k: v for k, v in rec.items() if k not in FIELDS}
    if meta:
        problem = _meta_problem(meta, check_text=not surrogate_free)
        if problem:
            raise InputError(problem[1], field=problem[0])
    return RawArticle(text=text, date=date, id=values["id"], title=values["title"],
                      source=values["source"] or opts.source, url=values["url"], meta=meta, origin=origin)


def _meta_problem(meta: Mapping[str, Any], check_text: bool) -> tuple[str, str] | None:
    """What makes a record's other fields unstorable, as (field, reason), or None: lists and objects nested deeper
    than MAX_NESTING, or (with `check_text`) a lone surrogate in a key or a string. Walked without recursion."""
    kinds = (str, Mapping, list, tuple) if check_text else (Mapping, list, tuple)
    stack: list[tuple[str, Any, int]] = [(str(k), v, 2) for k, v in meta.items() if isinstance(v, kinds)]
    if check_text:
        for key in meta:
            if isinstance(key, str) and _has_surrogate(key):
                return _printable(key), "a field name holds an unpaired surrogate, which is not valid Unicode text"
    while stack:
        key, value, depth = stack.pop()
        if isinstance(value, str):
            if check_text and _has_surrogate(value):
                return key, f"`{_printable(key)}` holds an unpaired surrogate, which is not valid Unicode text"
            continue
        if isinstance(value, Mapping):
            children: Iterable[Any] = value.values()
            if check_text and any(isinstance(k, str) and _has_surrogate(k) for k in value):
                return key, f"`{_printable(key)}` holds an unpaired surrogate, which is not valid Unicode text"
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > MAX_NESTING:
            return key, (f"`{_printable(key)}` nests lists and objects deeper than {MAX_NESTING} levels, "
                         "more than Kroniek stores")
        stack.extend((key, c, depth + 1) for c in children if isinstance(c, kinds))
    return None


def read_jsonl(stream: IO[bytes], name: str, options: ReadOptions | None = None) -> Iterator[Item]:
    """Read one JSON object per line; `text` is required, other known fields optional, the rest kept as meta.

    Each line is parsed from its bytes by orjson, which accepts only valid UTF-8 and valid Unicode escapes, so a
    record it reads needs no further checks; a line it refuses goes through `_jsonl_record`, which says why (or
    reads what Python's own parser accepts, such as NaN).
    """
    opts = options or ReadOptions()
    limit = _limit(opts)
    stream, encoding = as_utf8(stream)
    for number, chunk, too_long in _raw_lines(stream, limit):
        origin = Origin(name, number)
        if too_long:
            yield Rejected(origin, f"a line longer than the limit of {opts.max_article_bytes} bytes "
                                   "(see max_article_bytes)", _keep(_printable(_decode(chunk))))
            continue
        try:
            rec = orjson.loads(chunk)
        except orjson.JSONDecodeError:
            line = _decode(chunk)
            if not line or line.isspace():  # no stripped copy of a long line
                continue
            found = _jsonl_record(line, origin, encoding)
            if isinstance(found, Rejected):
                yield found
                continue
            rec = found
        if not isinstance(rec, dict):
            yield Rejected(origin, f"a JSON {type(rec).__name__}, not an object", _keep(_decode(chunk).rstrip("\n")))
            continue
        if type(rec.get("id")) is float:  # orjson reads an integer beyond 64 bits as a float; Python keeps it whole
            rec = json.loads(chunk)
        try:
            # the record holds no undecodable byte and no lone surrogate: both parsers refuse those
            yield _article_from_record(rec, origin, opts, surrogate_free=True)
        except InputError as e:
            yield Rejected(origin, e.args[0], _keep(_decode(chunk).rstrip("\n")))


def _jsonl_record(line: str, origin: Origin, encoding: str = "UTF-8") -> Any:
    """The value of a JSON line that orjson refused, or why it cannot be read (a Rejected)."""
    bad = _undecodable(line, encoding)
    if bad:
        return Rejected(origin, bad, _keep(_printable(line.rstrip("\n"))))
    try:
        rec = json.loads(line)
    except ValueError as e:
        return Rejected(origin, f"not valid JSON: {e}{nul_hint(line)}", _keep(line.rstrip("\n")))
    except RecursionError:
        return Rejected(origin, f"lists and objects nested deeper than {MAX_NESTING} levels, more than Kroniek "
                                "reads", _keep(line.rstrip("\n")))
    if isinstance(rec, list | dict) and _meta_problem({"": rec}, check_text=False):
        return Rejected(origin, f"lists and objects nested deeper than {MAX_NESTING} levels, more than Kroniek "
                                "reads", _keep(line.rstrip("\n")))
    if ("\\ud" in line or "\\uD" in line) and _SURROGATE_ESCAPE.search(line) and \
            _ANY_SURROGATE.search(json.dumps(rec, ensure_ascii=False)):
        # a \uD800-style escape without its pair: no valid Unicode text, and not storable
        return Rejected(origin, "an unpaired surrogate escape (\\uD800-\\uDFFF) in a string",
                        _keep(line.rstrip("\n")))
    return rec


_CSV_FIELD_END = re.compile(r"[,\r\n]")


def _csv_scan(line: str, quoted: bool) -> tuple[bool, bool]:
    """Follow one line through the CSV dialect Kroniek reads (comma, double quotes, a doubled quote inside quotes,
    not strict): whether it ends inside a quoted field, given whether it starts inside one, and whether that field
    opened on this line. The reader uses this only to find its way after a record it could not read."""
    i, n = 0, len(line)
    opened = False
    field_start = not quoted
    while i < n:
        if quoted:
            j = line.find('"', i)
            if j < 0:
                return True, opened
            if line.startswith('"', j + 1):  # a doubled quote: a quote in the text
                i = j + 2
                continue
            quoted, field_start, i = False, False, j + 1  # the closing quote; anything up to a comma is text
            continue
        if field_start and line[i] == '"':
            quoted, opened, i = True, True, i + 1
            continue
        m = _CSV_FIELD_END.search(line, i)
        if m is None or m.group() != ",":
            return False, False  # the line ends the record
        field_start, i = True, m.end()
    return quoted, opened and quoted


class _RecordTooLong(Exception):
    """Raised through the csv module when the record it reads outgrows the limit, so that it stops reading it."""


class _CsvLines:
    """The decoded lines of a CSV file as the csv module asks for them, with what the reader needs to know about the
    record being read: its lines, so they can be read again after a quote that is never closed; whether a line was
    cut at the limit; and whether the file ended inside the record. A record that outgrows the limit raises
    `_RecordTooLong` from inside the csv module, which keeps memory bounded (and ends that run of `lines`)."""

    def __init__(self, lines: Iterator[tuple[int, bytes, bool]], limit: int) -> None:
        self._lines = lines
        self._limit = limit
        self._again: list[tuple[int, str, int, int, bool]] = []  # lines to read again, the next one last
        self.record: list[tuple[int, str, int, int, bool]] = []  # (number, line, bytes, bytes before its end, cut)
        self.bytes = 0
        self.too_long = False
        self.ended = False

    def _next(self) -> tuple[int, str, int, int, bool]:
        if self._again:
            return self._again.pop()
        number, chunk, cut = next(self._lines)
        return number, _decode(chunk), len(chunk), _content_bytes(chunk), cut

    def lines(self) -> Iterator[str]:
        """The lines for a csv reader (a generator, which the csv module resumes faster than it calls a method)."""
        limit = self._limit
        while self._again:
            item = self._again.pop()
            self.record.append(item)
            self.bytes += item[2]
            self.too_long = self.too_long or item[4]
            if self.bytes - item[2] + item[3] > limit:
                raise _RecordTooLong
            yield item[1]
        for number, chunk, cut in self._lines:
            size = len(chunk)
            if chunk.endswith(b"\n") and not chunk.endswith(b"\r\n"):
                item = (number, chunk.decode("utf-8", "surrogateescape"), size, size - 1, cut)
            else:
                item = (number, _decode(chunk), size, _content_bytes(chunk), cut)
            self.record.append(item)
            self.bytes += size
            if cut:
                self.too_long = True
            if self.bytes - size + item[3] > limit:
                raise _RecordTooLong
            yield item[1]
        self.ended = True

    def start(self) -> None:
        """A new record starts."""
        self.record, self.bytes, self.too_long, self.ended = [], 0, False, False

    @property
    def first(self) -> int:
        """The number of the record's first line."""
        return self.record[0][0] if self.record else 0

    def raw(self, lines: list[tuple[int, str, int, int, bool]] | None = None) -> str:
        """The record's lines (or some of them) as read, cut to what the quarantine keeps."""
        kept: list[str] = []
        size = 0
        for item in self.record if lines is None else lines:
            kept.append(item[1])
            size += len(item[1])
            if size > RAW_KEEP_CHARS:
                break
        return _keep(_printable("".join(kept).rstrip("\n")))

    def skip_rest(self) -> None:
        """Read past the rest of a record the csv module stopped reading (inside a quoted field, it goes on to the
        line that closes it), without keeping those lines."""
        quoted = False
        for item in self.record:
            quoted = _csv_scan(item[1], quoted)[0]
        while quoted:
            try:
                line = self._next()[1]
            except StopIteration:
                return
            quoted = _csv_scan(line, quoted)[0]

    def read_again_after_open_quote(self) -> tuple[int, str]:
        """For a record that the end of the file ended, inside a quoted field: keep the record up to the line where
        that quote opened, and read the lines after it again as records of their own (the quote swallowed them).
        Returns the number of that line and the record up to it."""
        quoted, opened_at = False, len(self.record) - 1
        for i, item in enumerate(self.record):
            quoted, opened = _csv_scan(item[1], quoted)
            if opened:
                opened_at = i
        kept, again = self.record[:opened_at + 1], self.record[opened_at + 1:]
        self._again.extend(reversed(again))
        return kept[-1][0], self.raw(kept)


def read_csv(stream: IO[bytes], name: str, options: ReadOptions | None = None) -> Iterator[Item]:
    """Read a CSV file with a header row; `options.columns` maps Kroniek's field names to other column names.

    Lines end at LF, CRLF or CR. A record is at most `max_article_bytes` long; one that is longer is quarantined
    and the reader goes on after it. A quote that is never closed quarantines its record, and the lines it would
    have swallowed up to the end of the file are read as records of their own.
    """
    opts = options or ReadOptions()
    limit = _limit(opts)
    stream, encoding = as_utf8(stream)
    source = _CsvLines(_raw_lines(stream, limit, cr_ends=True), limit)
    # the csv module's own limit counts characters, so it never binds before the one in bytes
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    reader = csv.reader(source.lines())
    try:
        header = next(reader, None)
    except csv.Error as e:
        yield Rejected(Origin(name, 1), f"cannot read the CSV header: {e}", source.raw())
        return
    except _RecordTooLong:
        yield Rejected(Origin(name, 1), f"the CSV header is longer than the limit of {limit} bytes "
                                        "(see max_article_bytes): the file is not read", source.raw())
        return
    if header is None:
        return
    if source.ended:
        yield Rejected(Origin(name, 1), "a quote in the CSV header is never closed, so the header runs to the end of "
                                        "the file: the file is not read; close the quote", source.raw())
        return
    bad = _undecodable(",".join(header), encoding)
    if bad:
        yield Rejected(Origin(name, 1), f"the CSV header holds {bad}: the file is not read; save it as UTF-8",
                       _keep(_printable(",".join(header))))
        return
    rename = {col: key for key, col in opts.columns.items()}
    names = [rename.get(h.strip(), h.strip()) for h in header]
    if "text" not in names:
        wanted = opts.columns.get("text", "text")
        columns = ", ".join(header)
        if len(columns) > 300:
            columns = columns[:300] + "…"
        yield Rejected(Origin(name, 1), f"the CSV header has no `{wanted}` column (columns: {columns})"
                                        + nul_hint(",".join(header)),
                       _keep(_printable(",".join(header))))
        return
    while True:
        source.start()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _RecordTooLong:
            origin = Origin(name, source.first)
            raw = source.raw()
            source.skip_rest()
            reader = csv.reader(source.lines())
            yield Rejected(origin, f"a record longer than the limit of {limit} bytes (see max_article_bytes)", raw)
            continue
        except csv.Error as e:
            origin = Origin(name, source.first)
            raw = source.raw()
            source.skip_rest()
            yield Rejected(origin, f"cannot read the CSV record: {e}", raw)
            continue
        origin = Origin(name, source.first)
        if source.ended:
            line, raw = source.read_again_after_open_quote()
            reader = csv.reader(source.lines())
            where = f"on line {line}" if line != origin.line else "on this line"
            yield Rejected(origin, f"a quote opened {where} is never closed, so the record would run to the end of "
                                   "the file; the lines after it are read as records of their own", raw)
            continue
        raw = ",".join(row)
        if source.too_long:
            yield Rejected(origin, f"a line longer than the limit of {limit} bytes (see max_article_bytes)",
                           _keep(_printable(raw)))
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        bad = _undecodable(raw, encoding)
        if bad:
            yield Rejected(origin, bad, _keep(_printable(raw)))
            continue
        if len(row) != len(names):
            yield Rejected(origin, f"{len(row)} fields where the header has {len(names)}", _keep(raw))
            continue
        try:
            # the row holds no surrogate: the undecodable bytes were looked for above
            yield _article_from_record(dict(zip(names, row, strict=True)), origin, opts, surrogate_free=True)
        except InputError as e:
            yield Rejected(origin, e.args[0], _keep(raw))


# --- files, directories, standard input --------------------------------------------------------------------------

_READERS = {"dated": read_dated, "jsonl": read_jsonl, "csv": read_csv}


def format_of(path: Path) -> str | None:
    """The format a file's extension stands for, or None."""
    return EXTENSIONS.get(path.suffix.lower())


def _sniff(stream: IO[bytes]) -> str:
    head = stream.peek(64) if hasattr(stream, "peek") else b""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "jsonl" if text.startswith(b"{") else "dated"


def read_stream(stream: IO[bytes], name: str, options: ReadOptions | None = None) -> Iterator[Item]:
    """Read one binary stream in the format of `options.fmt` (sniffed when None: JSON Lines or dated lines)."""
    opts = options or ReadOptions()
    stream = as_utf8(stream)[0]
    fmt = opts.fmt or _sniff(stream)
    if fmt not in _READERS:
        raise InputError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    yield from _READERS[fmt](stream, name, opts)


def files_in(path: Path) -> Iterator[Path]:
    """The readable files under a directory, recursively, in name order, by extension."""
    for child in sorted(path.rglob("*")):
        if child.is_file() and format_of(child) and not any(p.startswith(".") for p in child.relative_to(path).parts):
            yield child


def read_path(path: str | Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Read a file, a directory (recursively) or standard input (`-`)."""
    opts = options or ReadOptions()
    if str(path) == STDIN:
        stream = sys.stdin.buffer
        if not hasattr(stream, "peek"):
            stream = io.BufferedReader(stream)  # so the format can be sniffed without consuming input
        yield from read_stream(stream, "<stdin>", opts)
        return
    p = Path(path)
    if p.is_dir():
        for f in files_in(p):
            # a file that cannot be opened (gone since the listing, say) is quarantined; the others are read
            try:
                yield from read_path(f, opts)
            except InputError as e:
                yield Rejected(Origin(str(f)), f"{e.args[0]}" + (f" ({e.hint})" if e.hint else ""), "")
        return
    if not p.exists():
        raise InputError(f"{p} does not exist", hint="check the path")
    fmt = opts.fmt or format_of(p)
    if fmt is None:
        raise InputError(f"cannot tell the format of {p} from its extension",
                         hint=f"name it .txt, .jsonl or .csv, or give the format ({', '.join(FORMATS)})")
    try:
        fh = p.open("rb")
    except OSError as e:
        raise InputError(f"cannot open {p}: {e.strerror}", hint="check the path and its permissions") from None
    name = _printable(str(p))  # a file name need not be UTF-8
    with fh:
        try:
            yield from _READERS[fmt](fh, name, opts)
        except OSError as e:
            # the records read before the error are kept; the rest of the file is not read
            yield Rejected(Origin(name), f"reading stopped at an error: {e.strerror or e}; the records before it "
                                         "were read, the rest of the file was not", "")



def read_paths(paths: Iterable[str | Path], options: ReadOptions | None = None) -> Iterator[Item]:
    """Read several paths, one after the other."""
    for path in paths:
        yield from read_path(path, options)


def read_records(records: Iterable[Mapping[str, Any] | RawArticle], name: str = "<records>",
                 options: ReadOptions | None = None) -> Iterator[Item]:
    """Read records already in memory (dicts with the JSON Lines fields, or RawArticle objects)."""
    opts = options or ReadOptions()
    for i, rec in enumerate(records, 1):
        if isinstance(rec, RawArticle):
            yield rec
            continue
        origin = Origin(name, i)
        try:
            if not isinstance(rec, Mapping):
                raise InputError(f"a {type(rec).__name__}, not a record")
            yield _article_from_record(rec, origin, opts)
        except InputError as e:
            yield Rejected(origin, e.args[0], _keep(repr(rec)))

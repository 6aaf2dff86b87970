"""The PostgreSQL backend of the archive (psycopg 3): the archive of record for many writers and readers.

The same contract as the SQLite store (tests/test_store_contract.py runs against both): de-duplication by content
hash and id, the quarantine, the change log the search index catches up from, the annotations, and one writer at a
time, here through a PostgreSQL advisory lock held by a connection of its own (the server releases it when that
connection ends, so a killed writer never leaves the archive locked). Articles go in with COPY.

Differences that PostgreSQL imposes or that many machines need:

- PostgreSQL's text cannot hold U+0000. Each one is stored as U+FFFD, one character for one, so every offset into
  the text (structure, annotations) still holds; the content hash is that of the text as read.
- Text sorts byte-wise (`COLLATE "C"`), as in SQLite, whatever the database's collation.
- The change log keeps what the search indexes of other machines may still need: `forget_changes` drops only
  entries older than `keep_changes` seconds (a week by default). An index that falls further behind is rebuilt.

Values always travel as parameters; the SQL text is made of fixed fragments only.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, overload

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
    name_key,
)
from kroniek.settings import shown_location
from kroniek.store.base import Store, fill_annotations
from kroniek.store.locks import ReentrantWriterLock
from kroniek.store.postgres_migrations import migrate

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.rows import dict_row
except ImportError:  # pragma: no cover - the extra is not installed
    psycopg = None  # type: ignore[assignment]

# The writer lock: an advisory lock on these two int4 keys, a constant and a hash of the archive's schema (so two
# archives in one database, each in its own schema, have a lock each).
WRITER_LOCK = 0x6B726F77  # "krow"
_POLL_SECONDS = 0.05  # how often a waiting writer tries the lock again
KEEP_CHANGES_SECONDS = 7 * 24 * 3600.0

_ARTICLE_COLS = ("id, content_hash, date, date_precision, date_start, date_end, source, url, title, text, structure, "
                 "language, meta, origin_file, origin_line, ingested_at")
_COPY_ARTICLES = f"COPY articles ({_ARTICLE_COLS}) FROM STDIN"
_COPY_CHANGES = "COPY changes (article_id) FROM STDIN"
_COPY_LINKS = 'COPY links (source_id, start, "end", text) FROM STDIN'
# The columns of a quotation and of a time expression on the calendar, as their lists and their exports give them;
# a quotation's speaker is named after its archive entity where it has one (the `e` of _SPEAKER_JOIN).
_QUOTE_COLS = ('q.article_id, a.date AS article_date, a.title AS article_title, q.start, q."end", q.text, q.kind, '
               "q.cue, q.speaker_mention, coalesce(e.canonical, q.speaker) AS speaker, q.speaker_entity_id")
_SPEAKER_JOIN = "LEFT JOIN entities e ON e.id = q.speaker_entity_id"
_QUOTE_ORDER = 'a.date_start NULLS FIRST, q.article_id COLLATE "C", q.start'
_TIMEX_COLS = ('t.article_id, t.start, t."end", t.text, t.type, t.value, t.ref_start, t.ref_end, t.sentence_start, '
               "t.sentence_end, a.date AS article_date, a.title AS article_title, a.structure AS article_structure, "
               "substr(a.text, coalesce(t.sentence_start, t.start) + 1, "
               'coalesce(t.sentence_end, t."end") - coalesce(t.sentence_start, t.start)) AS sentence')
_TIMEX_ORDER = 't.ref_start, t.ref_end, a.date_start NULLS FIRST, t.article_id COLLATE "C", t.start'
# the speakers of `speakers` and `count_speakers`: one per archive entity, and one per name that is no entity
_SPEAKER_GROUPS = ("FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id "
                   "WHERE q.speaker IS NOT NULL AND q.speaker != '' GROUP BY coalesce(q.speaker_entity_id, -1), "
                   "CASE WHEN q.speaker_entity_id IS NULL THEN q.speaker END")
_LINK_COLS = 'l.id, l.source_id, l.start, l."end", l.text, l.tried, l.key, l.head, l.target_id, l.score'
_STREAM_ROWS = 500  # rows an export reader fetches at a time
MAX_IDLE_READERS = 8  # reading connections kept open for the next read; more are closed when given back

# The month an article falls in, as "YYYY-MM", or "YYYY" for an article dated only by its year (model.month_text).
_MONTH_SQL = ("(CASE WHEN {t}.date_precision = 'year' THEN to_char({t}.date_start, 'YYYY') "
              "ELSE to_char({t}.date_start, 'YYYY-MM') END) COLLATE \"C\"")

_MAX_BIGINT = 2**63 - 1  # a larger id names no entity


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(value: datetime | date | str | None) -> str | None:
    """A day as ISO text, a time as SQLite's store writes it (seconds, with the offset)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return value.isoformat()


@overload
def _t(value: str) -> str: ...
@overload
def _t(value: None) -> None: ...
@overload
def _t(value: str | None) -> str | None: ...


def _t(value: str | None) -> str | None:
    """Text as PostgreSQL can hold it: U+0000 becomes U+FFFD (one character for one)."""
    if value is not None and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


@lru_cache(maxsize=16384)
def _date_columns(d: ArticleDate | None) -> tuple[str | None, str | None, date | None, date | None]:
    """date, date_precision, date_start, date_end of an article date; remembered, as a feed repeats its dates."""
    if d is None:
        return None, None, None, None
    return d.isoformat(), d.precision.value, d.first_day, d.last_day


def _article(row: dict[str, Any]) -> StoredArticle:
    return StoredArticle(
        id=row["id"], date=ArticleDate.parse(row["date"]) if row["date"] else None, source=row["source"],
        url=row["url"], title=row["title"], text=row["text"],
        structure=Structure.from_dict(json.loads(row["structure"])), language=row["language"],
        meta=json.loads(row["meta"]), content_hash=row["content_hash"], origin_file=row["origin_file"],
        origin_line=row["origin_line"], ingested_at=_iso(row["ingested_at"]) or "")


def _references(rows: Sequence[ArticleRow]) -> Iterator[tuple[str, int, int, str]]:
    """(article id, start, end, text) of each reference of the rows, read from their structure JSON (which the
    writers of kroniek/ingest end with `"references": []` when there are none)."""
    for r in rows:
        if r.structure_json.endswith('"references": []}'):
            continue
        for ref in json.loads(r.structure_json).get("references", []):
            yield _t(r.id), ref["start"], ref["end"], _t(ref["text"])


def _link(row: dict[str, Any]) -> Link:
    return Link(source_id=row["source_id"], start=row["start"], end=row["end"], text=row["text"],
                target_id=row["target_id"], score=row["score"], key=row["key"], head=row["head"],
                tried=bool(row["tried"]), id=row["id"])


def _days(rows: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    """Rows with their day columns as ISO text, as the SQLite store gives them."""
    for r in rows:
        for n in names:
            r[n] = _iso(r[n])
    return rows


class AdvisoryWriterLock(ReentrantWriterLock):
    """The archive's writer lock: a session-level advisory lock, on a connection of its own. Re-entrant within a
    process; threads take turns."""

    def __init__(self, connect: Any) -> None:
        super().__init__()
        self._connect = connect
        self._conn: Any = None

    def _try(self) -> bool:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(current_schema()))",
                                 (WRITER_LOCK,)).fetchone()
        return bool(row[0])

    def _take(self, wait: bool, deadline: float | None) -> bool:
        while True:
            try:
                if self._try():
                    return True
            except psycopg.Error as e:
                raise ArchiveError(f"cannot take the archive's writer lock: {e}",
                                   hint="check that the PostgreSQL server is reachable") from None
            if not wait or (deadline is not None and time.monotonic() >= deadline):
                return False
            time.sleep(_POLL_SECONDS)

    def _release(self) -> None:
        if self._conn is None or self._conn.closed:
            return
        try:
            self._conn.execute("SELECT pg_advisory_unlock(%s, hashtext(current_schema()))", (WRITER_LOCK,))
        except psycopg.Error:  # the connection is gone, and the server dropped its lock with it
            self._conn.close()

    def held_elsewhere(self) -> bool:
        """Whether another process (or connection) holds the lock now (a look, not a promise)."""
        if self._depth:
            return False
        with self.hold(wait=False) as got:
            return not got

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PostgresStore(Store):
    """The archive in a PostgreSQL database (in the schema its URL's search_path names, by default public).

    Writes go through one connection, a transaction at a time under a lock (and, across processes and machines,
    the archive's writer lock). Reads borrow read-only connections of their own from a small pool, so a server's
    threads read side by side, and beside a writer; a read of several statements that must agree runs inside
    `snapshot()`, one REPEATABLE READ transaction."""

    def __init__(self, url: str, *, readonly: bool = False, keep_changes: float = KEEP_CHANGES_SECONDS,
                 connect_timeout: int = 10) -> None:
        if psycopg is None:
            raise ArchiveError("a PostgreSQL archive needs psycopg, which is not installed",
                               hint="pip install 'kroniek[postgres]'")
        self.url = url
        self.readonly = readonly
        self.keep_changes = keep_changes
        self._shown = shown_location(url)
        self._connect_timeout = connect_timeout
        self._lock = threading.RLock()  # the writing connection's
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()  # .db: the connection of this thread's snapshot, while it lasts
        self._db = self._connection(readonly=readonly)
        self._writer = AdvisoryWriterLock(lambda: self._connection(readonly=False))
        try:
            encoding = self._db.execute("SHOW server_encoding").fetchone()[0]
            if encoding.upper() not in ("UTF8", "UTF-8"):
                raise ArchiveError(f"the database of {self._shown} is encoded in {encoding}, not UTF8",
                                   hint="create it with `createdb -E UTF8 -T template0 NAME`")
            if readonly:
                if self._db.execute("SELECT to_regclass('articles') IS NULL").fetchone()[0]:
                    raise ArchiveError(f"the archive {self._shown} holds no Kroniek archive",
                                       hint="build one first with `kroniek ingest PATH --archive URL`")
            else:
                migrate(self._db)
        except psycopg.Error as e:
            self._db.close()
            raise ArchiveError(f"cannot open the archive {self._shown}: {str(e).strip()}",
                               hint="check that the database exists and that this user may create tables in it"
                               ) from None
        except ArchiveError:
            self._db.close()
            raise

    def _connection(self, *, readonly: bool) -> Any:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=self._connect_timeout)
        except psycopg.Error as e:
            raise ArchiveError(f"cannot connect to the archive {self._shown}: {str(e).strip()}",
                               hint="check that the PostgreSQL server runs and the URL's host, port, user and "
                                    "database") from None
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute("SET DateStyle = 'ISO, YMD'")
        if readonly:
            conn.execute("SET default_transaction_read_only = on")
        return conn

    def close(self) -> None:
        with self._idle_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()
        with self._lock:
            self._writer.close()
            self._db.close()

    # --- reading connections -----------------------------------------------------------------------------------

    def _borrow(self) -> Any:
        with self._idle_lock:
            if self._closed:
                raise ArchiveError(f"the archive {self._shown} is closed")
            while self._idle:
                db = self._idle.pop()
                if not db.closed and not db.broken:
                    return db
                db.close()
        db = self._connection(readonly=True)
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # of the transactions of `snapshot`
        return db

    def _give_back(self, db: Any) -> None:
        if not db.closed and not db.broken and db.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            with self._idle_lock:
                if not self._closed and len(self._idle) < MAX_IDLE_READERS:
                    self._idle.append(db)
                    return
        db.close()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read of this thread inside sees the archive as of one moment (one REPEATABLE READ transaction),
        whatever writers commit meanwhile. Nested uses share the outer one."""
        if getattr(self._local, "db", None) is not None:
            yield
            return
        db = self._borrow()
        self._local.db = db
        try:
            with db.transaction():
                yield
        except psycopg.Error as e:
            raise self._read_error(e) from None
        finally:
            self._local.db = None
            self._give_back(db)

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """A query's rows as dicts, on this thread's snapshot's connection or one borrowed for it. A connection
        the server has dropped (a restart, an idle timeout) is opened again once, outside a snapshot, so a
        long-running reader such as `kroniek serve` outlives it."""
        held = getattr(self._local, "db", None)
        for attempt in (1, 2):
            db = held if held is not None else self._borrow()
            try:
                with db.cursor(row_factory=dict_row) as cur:
                    cur.execute(sql, params)
                    return cur.fetchall()
            except psycopg.Error as e:
                # a pooled connection the server dropped (a restart, an idle timeout) is opened again, once
                if isinstance(e, psycopg.OperationalError) and attempt == 1 and held is None and db.broken:
                    continue
                raise self._read_error(e) from None
            finally:
                if held is None:
                    self._give_back(db)
        raise AssertionError("unreachable")

    def _read_error(self, e: Exception) -> ArchiveError:
        """The archive's error for a failed read."""
        return ArchiveError(f"cannot read the archive {self._shown}: {str(e).strip()}",
                            hint="check that the PostgreSQL server is reachable")

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row of a query."""
        rows = self._q(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """The rows of one query through a server-side cursor, a few hundred at a time, on one connection from the
        first fetch to the last (this thread's snapshot's, else one borrowed for the stream alone and given back
        when it ends or is closed): every row is from the archive as it was when the query began."""
        held = getattr(self._local, "db", None)
        db = held if held is not None else self._borrow()
        try:
            with db.transaction(), db.cursor(name="kroniek_export", row_factory=dict_row) as cur:
                cur.execute(sql, params)
                while rows := cur.fetchmany(_STREAM_ROWS):
                    yield from rows
        except psycopg.Error as e:
            raise self._read_error(e) from None
        finally:
            if held is None:
                self._give_back(db)

    def _writable(self, what: str) -> None:
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint=f"open it writable to {what}")

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[Any]:
        """One transaction on the writing connection (opened again first when the server dropped it); a database
        error becomes an ArchiveError."""
        with self._lock:
            try:
                self._db.execute("SELECT 1")  # a round trip: whether the server still holds this connection
            except psycopg.OperationalError:
                self._db.close()
                self._db = self._connection(readonly=self.readonly)
            try:
                with self._db.transaction():
                    yield self._db
            except psycopg.Error as e:
                raise ArchiveError(f"cannot {what} the archive {self._shown}: {str(e).strip()}",
                                   hint="check the PostgreSQL server's log and free disk space") from None

    # --- ingest ------------------------------------------------------------------------------------------------

    def existing(self, hashes: Sequence[str], ids: Sequence[str]) -> tuple[set[str], dict[str, str]]:
        found = {r["content_hash"] for r in self._q(
            "SELECT content_hash FROM articles WHERE content_hash = ANY(%s)", (list(hashes),))}
        owners = {r["id"]: r["content_hash"] for r in self._q(
            "SELECT id, content_hash FROM articles WHERE id = ANY(%s)", ([_t(i) for i in ids],))}
        back = {_t(i): i for i in ids}  # an id as it was asked for
        return found, {back.get(k, k): v for k, v in owners.items()}

    def insert(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow],
               sources: Sequence[ArticleRow] = ()) -> None:
        self._writable("ingest")
        with self._transaction("write to") as db:
            self._write(db, rows, quarantine, sources)

    def insert_if_all_new(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> bool:
        """COPY the rows straight into the table: a taken id or content hash (or one repeated within `rows`) breaks
        a unique constraint, and the transaction, so nothing is stored."""
        self._writable("ingest")
        if not rows:
            return False
        try:
            with self._transaction("write to") as db:
                try:
                    self._write(db, rows, quarantine, ())
                except pg_errors.UniqueViolation as e:
                    raise _NotAllNew from e
        except _NotAllNew:
            return False
        return True

    @staticmethod
    def _write(db: Any, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow],
               sources: Sequence[ArticleRow]) -> None:
        """COPY articles, their change-log entries and their references (as links not tried yet); add quarantined
        records not kept yet and the further sources (inside the caller's transaction)."""
        at = _now()
        with db.cursor() as cur:
            if rows:
                with cur.copy(_COPY_ARTICLES) as copy:
                    for r in rows:
                        copy.write_row((_t(r.id), r.content_hash, *_date_columns(r.date), _t(r.source), _t(r.url),
                                        _t(r.title), _t(r.text), _t(r.structure_json), r.language, _t(r.meta_json),
                                        _t(r.origin_file), r.origin_line, at))
                with cur.copy(_COPY_CHANGES) as copy:
                    for r in rows:
                        copy.write_row((_t(r.id),))
                refs = list(_references(rows))
                if refs:
                    with cur.copy(_COPY_LINKS) as copy:
                        for ref in refs:
                            copy.write_row(ref)
            # a bad record is kept once, however often the same input is read
            records = list(dict.fromkeys((_t(q.file), q.line, _t(q.reason), _t(q.raw)) for q in quarantine))
            if records:
                cur.executemany(
                    "INSERT INTO quarantine (file, line, reason, raw, at) SELECT %s, %s, %s, %s, %s WHERE NOT EXISTS "
                    "(SELECT 1 FROM quarantine WHERE file IS NOT DISTINCT FROM %s AND line IS NOT DISTINCT FROM %s "
                    "AND reason = %s AND raw = %s)", [(*rec, at, *rec) for rec in records])
            # a further source: the stored article of that text, where its own source or address differs
            if sources:
                cur.executemany(
                    "INSERT INTO article_sources (article_id, source, url, origin_file, origin_line, at) "
                    "SELECT a.id, %s, %s, %s, %s, %s FROM articles a WHERE a.content_hash = %s "
                    "AND (coalesce(a.source, '') != %s OR coalesce(a.url, '') != %s) ON CONFLICT DO NOTHING",
                    [(_t(r.source) or "", _t(r.url) or "", _t(r.origin_file), r.origin_line, at, r.content_hash,
                      _t(r.source) or "", _t(r.url) or "") for r in sources])

    @staticmethod
    def _log_changes(db: Any, ids: Iterable[str]) -> None:
        """Give each changed article the next number of the change log (inside the caller's transaction)."""
        with db.cursor() as cur:
            cur.executemany("INSERT INTO changes (article_id) VALUES (%s)", [(i,) for i in ids])

    # --- the change log and the writer lock ----------------------------------------------------------------------

    def last_change(self) -> int:
        row = self._q("SELECT last_value, is_called FROM change_seq")[0]
        return int(row["last_value"]) if row["is_called"] else 0

    def changes_after(self, seq: int, limit: int = 1000) -> list[tuple[int, str]]:
        return [(int(r["seq"]), r["article_id"]) for r in self._q(
            "SELECT seq, article_id FROM changes WHERE seq > %s ORDER BY seq LIMIT %s", (seq, limit))]

    def forget_changes(self, through: int) -> None:
        """Drop the log entries up to `through` that are older than `keep_changes` seconds (the search indexes of
        other machines may still need the younger ones)."""
        if self.readonly:
            return
        cutoff = datetime.now(UTC) - timedelta(seconds=self.keep_changes)
        with self._transaction("write to") as db:
            db.execute("WITH gone AS (DELETE FROM changes WHERE seq <= %s AND at <= %s RETURNING seq) "
                       "UPDATE change_log SET forgotten = greatest(forgotten, (SELECT max(seq) FROM gone)) "
                       "WHERE EXISTS (SELECT 1 FROM gone)", (through, cutoff))

    def forgotten_changes(self) -> int:
        return int(self._one("SELECT forgotten FROM change_log"))

    def writer_lock(self, *, wait: bool = True, timeout: float | None = None) -> AbstractContextManager[bool]:
        """An advisory lock of the database (per schema), held by a connection of its own: the server releases it
        when that connection ends, so a killed writer never leaves it taken."""
        return self._writer.hold(wait=wait, timeout=timeout)

    # --- reading articles --------------------------------------------------------------------------------------

    def article(self, article_id: str, *, annotations: bool = True) -> StoredArticle | None:
        with self.snapshot():  # the article and its annotations as of one moment
            rows = self._q(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = %s", (_t(article_id),))
            if not rows:
                return None
            art = _article(rows[0])
            return self._annotate_all([art])[0] if annotations else art

    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None,
                 unanalysed: bool = False, batch_size: int = 500) -> Iterator[StoredArticle]:
        extra, params = self._article_filter(language, unanalysed)
        if ids is None:
            last = -1
            while True:
                rows = self._q(f"SELECT pos, {_ARTICLE_COLS} FROM articles WHERE pos > %s{extra} "
                               "ORDER BY pos LIMIT %s", (last, *params, batch_size))
                if not rows:
                    return
                last = rows[-1]["pos"]
                yield from (_article(r) for r in rows)
        else:
            wanted = list(ids)
            for i in range(0, len(wanted), batch_size):
                part = wanted[i:i + batch_size]
                rows = self._q(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ANY(%s){extra}",
                               ([_t(x) for x in part], *params))
                by_id = {r["id"]: r for r in rows}
                yield from (_article(by_id[k]) for k in map(_t, part) if k in by_id)

    def _annotate_all(self, arts: list[StoredArticle]) -> list[StoredArticle]:
        """Fill in the stored annotations of articles read without them, one query per kind, all from one
        snapshot."""
        if not arts:
            return arts
        ids = (list(dict.fromkeys(a.id for a in arts)),)
        by: dict[str, dict[str, list[dict[str, Any]]]] = {k: {} for k in ("entities", "quotes", "timexes", "sources")}
        with self.snapshot():
            for kind, sql in (
                    ("entities", 'SELECT m.article_id, m.start, m."end", m.text, e.label, e.canonical, '
                                 "e.id AS entity_id FROM mentions m JOIN entities e ON e.id = m.entity_id "
                                 "WHERE m.article_id = ANY(%s) ORDER BY m.article_id, m.start"),
                    ("quotes", 'SELECT q.article_id, q.start, q."end", q.text, q.kind, q.cue, q.speaker_mention, '
                               "coalesce(e.canonical, q.speaker) AS speaker, q.speaker_entity_id FROM quotes q "
                               f"{_SPEAKER_JOIN} WHERE q.article_id = ANY(%s) ORDER BY q.article_id, q.start"),
                    ("timexes", 'SELECT article_id, start, "end", text, type, value, ref_start, ref_end, '
                                "sentence_start, sentence_end FROM timexes WHERE article_id = ANY(%s) "
                                "ORDER BY article_id, start"),
                    ("sources", "SELECT article_id, source, url, origin_file, origin_line FROM article_sources "
                                'WHERE article_id = ANY(%s) ORDER BY article_id, at, source COLLATE "C", '
                                'url COLLATE "C"')):
                rows = self._q(sql, ids)
                if kind == "timexes":
                    _days(rows, "ref_start", "ref_end")
                for r in rows:
                    by[kind].setdefault(r.pop("article_id"), []).append(r)
            stages: dict[str, dict[str, str]] = {}
            for r in self._q("SELECT article_id, stage, version FROM analyses WHERE article_id = ANY(%s) "
                             "ORDER BY article_id, stage", ids):
                stages.setdefault(r["article_id"], {})[r["stage"]] = r["version"]
            story_of = {r["article_id"]: r["story_id"] for r in self._q(
                "SELECT article_id, story_id FROM story_members WHERE article_id = ANY(%s)", ids)}
        return fill_annotations(arts, by, stages, story_of)

    def count(self, *, language: str | None = None, unanalysed: bool = False) -> int:
        cond, params = self._article_filter(language, unanalysed)
        return int(self._one(f"SELECT count(*) FROM articles WHERE true{cond}", params))

    @staticmethod
    def _article_filter(language: str | None, unanalysed: bool) -> tuple[str, list[Any]]:
        """The extra WHERE conditions (each starting with AND) and their parameters for `articles` and `count`."""
        cond, params = "", []
        if language:
            cond += " AND language = %s"
            params.append(language)
        if unanalysed:
            cond += " AND NOT EXISTS (SELECT 1 FROM analyses WHERE analyses.article_id = articles.id)"
        return cond, params

    def stats(self) -> dict[str, Any]:
        with self.snapshot():
            by_month = [{"month": r["month"], "articles": r["n"]} for r in self._q(
                f"SELECT {_MONTH_SQL.format(t='articles')} AS month, count(*) AS n FROM articles GROUP BY month "
                "ORDER BY month NULLS FIRST")]
            by_source = [{"source": r["source"], "articles": r["n"]} for r in self._q(
                'SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY n DESC, source COLLATE "C" '
                "NULLS FIRST")]
            by_language = [{"language": r["language"], "articles": r["n"]} for r in self._q(
                'SELECT language, count(*) AS n FROM articles GROUP BY language ORDER BY n DESC, language COLLATE "C"')]
            span = self._q("SELECT min(date_start) AS first, max(date_end) AS last FROM articles")[0]
            return {
                "articles": self.count(),
                "quarantined": self.count_quarantined(),
                "analysed": int(self._one("SELECT count(DISTINCT article_id) FROM analyses")),
                "entities": int(self._one("SELECT count(*) FROM entities WHERE resolved_id IS NULL "
                                          "OR resolved_id = id")),
                "first_day": _iso(span["first"]), "last_day": _iso(span["last"]),
                "by_month": by_month, "by_source": by_source, "by_language": by_language,
            }

    def quarantined(self, limit: int = 100, offset: int = 0) -> list[QuarantineRow]:
        return [QuarantineRow(r["file"], r["line"], r["reason"], r["raw"], _iso(r["at"]) or "", r["id"])
                for r in self._q("SELECT id, file, line, reason, raw, at FROM quarantine ORDER BY id "
                                 "LIMIT %s OFFSET %s", (limit, offset))]

    def count_quarantined(self) -> int:
        return int(self._one("SELECT count(*) FROM quarantine"))

    # --- annotations -------------------------------------------------------------------------------------------

    def save_analyses(self, analyses: Sequence[Analysis], version: str, stages: Sequence[str]) -> None:
        """In one transaction and a few statements per batch: the entity rows are made together, the old
        annotations of the stages deleted together, the new ones copied in. The rows and speakers come out as the
        SQLite store's, which stores the articles one by one: a quotation's speaker is its name's row in the
        article, else the person row of that name stored before (by an earlier batch or an earlier article of
        this one). An article given twice keeps its last analysis."""
        self._writable("analyse")
        at = _now()
        last = list({a.id: a for a in analyses}.values())
        ids = [_t(a.id) for a in last]
        with self._transaction("store analyses in") as db, db.cursor() as cur:
            # person rows stored before this batch, by name: (row, the archive entity it resolves to)
            people: dict[str, tuple[int, int]] = {}
            # where each (row, article) of the mentions this batch keeps points (the speakers follow them)
            pointing: dict[tuple[int, str], int] = {}
            if "quotes" in stages:
                names = list({_t(q.speaker) for a in last for q in a.quotes if q.speaker})
                if names:
                    cur.execute("SELECT canonical, id, coalesce(resolved_id, id) FROM entities WHERE label = 'PER' "
                                "AND canonical = ANY(%s)", (names,))
                    people = {c: (int(i), int(t)) for c, i, t in cur.fetchall()}
                if "entities" not in stages:
                    cur.execute("SELECT DISTINCT base_id, article_id, entity_id FROM mentions "
                                "WHERE article_id = ANY(%s) AND base_id IS NOT NULL", (ids,))
                    pointing = {(int(b), a): int(e) for b, a, e in cur.fetchall()}
                cur.execute("DELETE FROM quotes WHERE article_id = ANY(%s)", (ids,))
            rows: dict[tuple[str, str], tuple[int, int]] = {}
            if "entities" in stages:
                keys = list(dict.fromkeys((_t(e.canonical or e.text), e.label) for a in last for e in a.entities))
                if keys:
                    names, labels = [k[0] for k in keys], [k[1] for k in keys]
                    cur.execute("INSERT INTO entities (canonical, label, name_key) SELECT * FROM unnest(%s::text[], "
                                "%s::text[], %s::text[]) ON CONFLICT DO NOTHING",
                                (names, labels, [name_key(n) for n in names]))
                    cur.execute("SELECT e.id, coalesce(e.resolved_id, e.id), e.canonical, e.label FROM entities e "
                                "JOIN unnest(%s::text[], %s::text[]) AS k (canonical, label) "
                                "ON e.canonical = k.canonical AND e.label = k.label", (names, labels))
                    rows = {(c, lab): (int(i), int(t)) for i, t, c, lab in cur.fetchall()}
                cur.execute("DELETE FROM mentions WHERE article_id = ANY(%s)", (ids,))
            if "timexes" in stages:
                cur.execute("DELETE FROM timexes WHERE article_id = ANY(%s)", (ids,))
            mentions: list[tuple[Any, ...]] = []
            variants: list[tuple[int, str]] = []
            quotes: list[tuple[Any, ...]] = []
            timexes: list[tuple[Any, ...]] = []
            for a, aid in zip(last, ids, strict=True):
                own: dict[str, tuple[int, int]] = {}  # the rows this article names, by name
                if "entities" in stages:
                    for e in a.entities:
                        name = _t(e.canonical or e.text)
                        base, target = rows[(name, e.label)]
                        own[name] = (base, target)
                        pointing[(base, aid)] = target
                        variants.append((base, _t(e.text)))
                        mentions.append((aid, target, e.start, e.end, _t(e.text), base))
                if "quotes" in stages:
                    for q in a.quotes:
                        speaker = _t(q.speaker)
                        found = (own.get(speaker) or people.get(speaker)) if speaker else None
                        if found is None:
                            quotes.append((aid, q.start, q.end, _t(q.text), q.kind, _t(q.cue),
                                           _t(q.speaker_mention), speaker, None, None))
                            continue
                        base, target = found
                        quotes.append((aid, q.start, q.end, _t(q.text), q.kind, _t(q.cue), _t(q.speaker_mention),
                                       speaker, pointing.get((base, aid), target), base))
                if "timexes" in stages:
                    for t in a.timexes:
                        timexes.append((aid, t.start, t.end, _t(t.text), t.type, _t(t.value),
                                        t.period[0] if t.period else None, t.period[1] if t.period else None,
                                        t.sentence_start, t.sentence_end))
                for e in a.entities if "entities" in stages else ():
                    if e.label == "PER":  # a person row the later articles of the batch find stored
                        name = _t(e.canonical or e.text)
                        people.setdefault(name, rows[(name, "PER")])
            if variants:
                pairs = list(dict.fromkeys(variants))
                cur.execute("INSERT INTO entity_variants (entity_id, variant) SELECT * FROM unnest(%s::bigint[], "
                            "%s::text[]) ON CONFLICT DO NOTHING", ([p[0] for p in pairs], [p[1] for p in pairs]))
            if mentions:
                with cur.copy('COPY mentions (article_id, entity_id, start, "end", text, base_id) FROM STDIN') as copy:
                    for m in mentions:
                        copy.write_row(m)
            if quotes:
                with cur.copy('COPY quotes (article_id, start, "end", text, kind, cue, speaker_mention, speaker, '
                              "speaker_entity_id, speaker_base_id) FROM STDIN") as copy:
                    for row in quotes:
                        copy.write_row(row)
            if timexes:
                with cur.copy('COPY timexes (article_id, start, "end", text, type, value, ref_start, ref_end, '
                              "sentence_start, sentence_end) FROM STDIN") as copy:
                    for row in timexes:
                        copy.write_row(row)
            if last and stages:
                cur.execute("INSERT INTO analyses (article_id, stage, version, at) SELECT a, s, %s, %s FROM "
                            "unnest(%s::text[]) AS a CROSS JOIN unnest(%s::text[]) AS s "
                            "ON CONFLICT (article_id, stage) DO UPDATE SET version = excluded.version, at = excluded.at",
                            (version, at, ids, list(dict.fromkeys(stages))))
            self._log_changes(db, [_t(a.id) for a in analyses])

    # --- entities ------------------------------------------------------------------------------------------------

    @staticmethod
    def _entity_filter(label: str | None, query: str | None) -> tuple[str, list[Any]]:
        """The WHERE clause (of fixed text) and its parameters for `entities` and `count_entities`."""
        cond: list[str] = []
        params: list[Any] = []
        if label:
            cond.append("e.label = %s")
            params.append(label)
        if query:
            # SQLite's LIKE: case-insensitive, and % and _ are wildcards (no escape character)
            cond.append("e.canonical ILIKE %s ESCAPE ''")
            params.append(f"%{_t(query)}%")
        return (f"WHERE {' AND '.join(cond)}" if cond else ""), params

    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> list[dict[str, Any]]:
        where, params = self._entity_filter(label, query)
        return self._q(
            f"SELECT e.id, e.canonical, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles "
            f"FROM entities e JOIN mentions m ON m.entity_id = e.id {where} GROUP BY e.id "
            f'ORDER BY mentions DESC, e.canonical COLLATE "C", e.id LIMIT %s OFFSET %s', (*params, limit, offset))

    def count_entities(self, label: str | None = None, query: str | None = None) -> int:
        where, params = self._entity_filter(label, query)
        return int(self._one(f"SELECT count(DISTINCT e.id) FROM entities e JOIN mentions m ON m.entity_id = e.id "
                             f"{where}", params))

    def resolve_entity(self, key: int | str) -> dict[str, Any] | None:
        number = key if isinstance(key, int) else int(key) if key.isascii() and key.isdigit() else None
        if number is not None and 0 <= number <= _MAX_BIGINT:
            rows = self._q("SELECT t.id, t.canonical, t.label FROM entities e "
                           "JOIN entities t ON t.id = coalesce(e.resolved_id, e.id) WHERE e.id = %s", (number,))
            return rows[0] if rows else None
        name = _t(str(key))
        # the rows of that name and the rows with mentions of that text; the entity with most of their mentions
        rows = self._q(
            "WITH bases AS (SELECT id FROM entities WHERE canonical = %s "
            "UNION SELECT entity_id FROM entity_variants WHERE variant = %s) "
            "SELECT t.id, t.canonical, t.label FROM mentions m JOIN entities t ON t.id = m.entity_id "
            "WHERE m.base_id IN (SELECT id FROM bases) GROUP BY t.id "
            "ORDER BY count(*) DESC, t.id LIMIT 1", (name, name))
        if not rows:  # a name no mention has (any more): its row's entity
            rows = self._q("SELECT t.id, t.canonical, t.label FROM entities e "
                           "JOIN entities t ON t.id = coalesce(e.resolved_id, e.id) WHERE e.canonical = %s "
                           "ORDER BY t.id LIMIT 1", (name,))
        return rows[0] if rows else None

    def entity_variants(self, entity_id: int) -> list[str]:
        return [r["text"] for r in self._q(
            'SELECT text FROM mentions WHERE entity_id = %s GROUP BY text ORDER BY text COLLATE "C"', (entity_id,))]

    def entity_counts(self, entity_id: int) -> tuple[int, int]:
        row = self._q("SELECT count(*) AS n, count(DISTINCT article_id) AS a FROM mentions WHERE entity_id = %s",
                      (entity_id,))[0]
        return int(row["n"]), int(row["a"])

    def entity_months(self, entity_id: int) -> list[dict[str, Any]]:
        return self._q(
            f"SELECT {_MONTH_SQL.format(t='a')} AS month, count(*) AS mentions, count(DISTINCT a.id) AS articles "
            "FROM mentions m JOIN articles a ON a.id = m.article_id WHERE m.entity_id = %s GROUP BY month "
            "ORDER BY month NULLS FIRST", (entity_id,))

    def co_occurring(self, entity_id: int, limit: int = 20) -> list[dict[str, Any]]:
        return self._q(
            "SELECT e.id, e.canonical, e.label, count(DISTINCT m2.article_id) AS articles FROM mentions m1 "
            "JOIN mentions m2 ON m2.article_id = m1.article_id AND m2.entity_id != m1.entity_id "
            "JOIN entities e ON e.id = m2.entity_id WHERE m1.entity_id = %s GROUP BY e.id "
            'ORDER BY articles DESC, e.canonical COLLATE "C", e.id LIMIT %s', (entity_id, limit))

    # --- entity resolution ----------------------------------------------------------------------------------------

    def entity_rows(self, name_keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        where, params = "", []
        if name_keys is not None:
            where = "WHERE e.name_key = ANY(%s)"
            params.append([_t(k) for k in dict.fromkeys(name_keys)])
        return _days(self._q(
            "SELECT e.id, e.canonical, e.label, e.name_key, e.resolved_id, count(m.base_id) AS mentions, "
            "count(DISTINCT m.article_id) AS articles, min(a.date_start) AS first_day, "
            "max(a.date_start) AS last_day FROM entities e LEFT JOIN mentions m ON m.base_id = e.id "
            f"LEFT JOIN articles a ON a.id = m.article_id {where} GROUP BY e.id ORDER BY e.id", params),
            "first_day", "last_day")

    def entity_mentions(self, entity_ids: Sequence[int], per_row: int | None = None) -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(int(i) for i in entity_ids))
        cols = ('m.base_id, m.entity_id, m.article_id, a.date_start AS day, m.start, m."end", m.text, '
                "substr(a.text, greatest(0, m.start - 40) + 1, m.start - greatest(0, m.start - 40)) AS before")
        order = 'm.base_id, m.article_id COLLATE "C", m.start'
        if per_row is None:
            return _days(self._q(
                f"SELECT {cols} FROM mentions m JOIN articles a ON a.id = m.article_id "
                f"WHERE m.base_id = ANY(%s) ORDER BY {order}", (ids,)), "day")
        return _days(self._q(
            "WITH pairs AS (SELECT DISTINCT base_id, article_id FROM mentions WHERE base_id = ANY(%s)), "
            "ranked AS (SELECT p.base_id, p.article_id, row_number() OVER (PARTITION BY p.base_id "
            'ORDER BY a.date_start DESC NULLS LAST, p.article_id COLLATE "C" DESC) AS n FROM pairs p '
            "JOIN articles a ON a.id = p.article_id) "
            f"SELECT {cols} FROM ranked r JOIN mentions m ON m.base_id = r.base_id AND m.article_id = r.article_id "
            f"JOIN articles a ON a.id = m.article_id WHERE r.n <= %s ORDER BY {order}", (ids, per_row)), "day")

    def save_resolution(self, base_ids: Sequence[int], links: Sequence[EntityLink]) -> list[str]:
        self._writable("resolve entities")
        bases = list(dict.fromkeys(int(b) for b in base_ids))
        changed: dict[str, None] = {}
        with self._transaction("store the entity resolution in") as db, db.cursor() as cur:
            keys = list(dict.fromkeys((_t(link.canonical), link.label) for link in links))
            targets: dict[tuple[str, str], int] = {}
            if keys:
                names, labels = [k[0] for k in keys], [k[1] for k in keys]
                cur.execute("INSERT INTO entities (canonical, label, name_key) SELECT * FROM unnest(%s::text[], "
                            "%s::text[], %s::text[]) ON CONFLICT DO NOTHING",
                            (names, labels, [name_key(n) for n in names]))
                cur.execute("SELECT e.id, e.canonical, e.label FROM entities e JOIN unnest(%s::text[], %s::text[]) "
                            "AS k (canonical, label) ON e.canonical = k.canonical AND e.label = k.label",
                            (names, labels))
                targets = {(c, lab): int(i) for i, c, lab in cur.fetchall()}
            default: dict[int, int] = {}
            here: dict[tuple[int, str], int] = {}
            for link in links:
                target = targets[(_t(link.canonical), link.label)]
                if link.article_id is None:
                    default[link.base_id] = target
                else:
                    here[(link.base_id, _t(link.article_id))] = target
            # an archive entity resolves to itself; any other row to its own link's entity
            own = {b: t for b, t in default.items() if b not in targets.values()}
            resolved = {**own, **{t: t for t in targets.values()}}
            if resolved:
                cur.execute("UPDATE entities e SET resolved_id = v.r FROM unnest(%s::bigint[], %s::bigint[]) "
                            "AS v (id, r) WHERE e.id = v.id", (list(resolved), list(resolved.values())))
            cur.execute("SELECT base_id, article_id, entity_id FROM mentions WHERE base_id = ANY(%s) "
                        'GROUP BY base_id, article_id, entity_id ORDER BY base_id, article_id COLLATE "C"', (bases,))
            moves = []
            for base, aid, now in cur.fetchall():
                want = here.get((base, aid), default.get(base))
                if want is not None and want != now:
                    moves.append((want, base, aid))
                    changed[aid] = None
            if moves:
                cur.execute("UPDATE mentions m SET entity_id = v.e FROM unnest(%s::bigint[], %s::bigint[], "
                            "%s::text[]) AS v (e, b, a) WHERE m.base_id = v.b AND m.article_id = v.a",
                            ([x[0] for x in moves], [x[1] for x in moves], [x[2] for x in moves]))
            cur.execute("SELECT id, speaker_base_id, article_id, speaker_entity_id FROM quotes "
                        "WHERE speaker_base_id = ANY(%s) ORDER BY id", (bases,))
            speakers = []
            for qid, base, aid, now in cur.fetchall():
                want = here.get((base, aid), default.get(base))
                if want is not None and want != now:
                    speakers.append((want, qid))
                    changed[aid] = None
            if speakers:
                cur.execute("UPDATE quotes q SET speaker_entity_id = v.e FROM unnest(%s::bigint[], %s::bigint[]) "
                            "AS v (e, id) WHERE q.id = v.id", ([x[0] for x in speakers], [x[1] for x in speakers]))
            cur.execute("DELETE FROM entity_reasons WHERE base_id = ANY(%s)", (bases,))
            reasons = {(link.base_id, targets[(_t(link.canonical), link.label)]): _t(link.reason)
                       for link in links if link.reason}
            reasons = {k: v for k, v in reasons.items() if k[0] != k[1]}
            if reasons:
                pairs = list(reasons)
                cur.execute("SELECT base_id, entity_id, count(DISTINCT article_id) FROM mentions "
                            "WHERE (base_id, entity_id) IN (SELECT * FROM unnest(%s::bigint[], %s::bigint[])) "
                            "GROUP BY base_id, entity_id", ([p[0] for p in pairs], [p[1] for p in pairs]))
                counted = [(b, e, reasons[(b, e)], n) for b, e, n in cur.fetchall() if n]
                cur.executemany("INSERT INTO entity_reasons (base_id, entity_id, reason, articles) "
                                "VALUES (%s, %s, %s, %s) ON CONFLICT (base_id, entity_id) DO UPDATE "
                                "SET reason = excluded.reason, articles = excluded.articles", counted)
            self._log_changes(db, changed)
        return list(changed)

    def entity_merges(self, entity_id: int) -> list[dict[str, Any]]:
        return self._q(
            "SELECT m.text, m.base_id, b.canonical, b.label, count(DISTINCT m.article_id) AS articles, r.reason, "
            "r.articles AS merged_articles "
            "FROM mentions m JOIN entities b ON b.id = m.base_id "
            "LEFT JOIN entity_reasons r ON r.base_id = m.base_id AND r.entity_id = m.entity_id "
            "WHERE m.entity_id = %s GROUP BY m.base_id, m.text, b.canonical, b.label, r.reason, r.articles "
            'ORDER BY articles DESC, b.canonical COLLATE "C", m.text COLLATE "C"', (entity_id,))

    # --- quotations, timeline, speakers ---------------------------------------------------------------------------

    @staticmethod
    def _quote_filter(speaker: str | None, article_ids: Sequence[str] | None,
                      speaker_id: int | None = None) -> tuple[str, list[Any]]:
        """The WHERE clause (of fixed text) and its parameters for `quotes` and `count_quotes`."""
        cond: list[str] = []
        params: list[Any] = []
        if speaker_id is not None:
            cond.append("(q.speaker_entity_id = %s OR (q.speaker_entity_id IS NULL AND q.speaker = %s))")
            params += [speaker_id, _t(speaker) or ""]
        elif speaker:
            cond.append("q.speaker = %s")
            params.append(_t(speaker))
        if article_ids is not None:
            cond.append("q.article_id = ANY(%s)")
            params.append([_t(i) for i in article_ids])
        return (f"WHERE {' AND '.join(cond)}" if cond else ""), params

    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               limit: int = 100, offset: int = 0, *, speaker_id: int | None = None) -> list[dict[str, Any]]:
        where, params = self._quote_filter(speaker, article_ids, speaker_id)
        return self._q(
            f"SELECT {_QUOTE_COLS} FROM quotes q JOIN articles a ON a.id = q.article_id {_SPEAKER_JOIN} {where} "
            f"ORDER BY {_QUOTE_ORDER} LIMIT %s OFFSET %s", (*params, limit, offset))

    def count_quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None, *,
                     speaker_id: int | None = None) -> int:
        where, params = self._quote_filter(speaker, article_ids, speaker_id)
        return int(self._one(f"SELECT count(*) FROM quotes q {where}", params))

    def export_quotes(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        where, params = self._quote_filter(None, article_ids)
        return self._stream(f"SELECT {_QUOTE_COLS} FROM quotes q JOIN articles a ON a.id = q.article_id "
                            f"{_SPEAKER_JOIN} {where} ORDER BY {_QUOTE_ORDER}", params)

    def quotes_about(self, entity_id: int, limit: int = 50) -> list[dict[str, Any]]:
        return _days(self._q(
            "SELECT * FROM (SELECT DISTINCT q.article_id, a.date AS article_date, a.title AS article_title, q.start, "
            'q."end", q.text, q.kind, q.cue, q.speaker_mention, coalesce(e.canonical, q.speaker) AS speaker, '
            "q.speaker_entity_id, a.date_start FROM mentions m "
            'JOIN quotes q ON q.article_id = m.article_id AND m.start >= q.start AND m."end" <= q."end" '
            f"JOIN articles a ON a.id = q.article_id {_SPEAKER_JOIN} WHERE m.entity_id = %s "
            "AND (q.speaker_entity_id IS NULL OR q.speaker_entity_id != %s)) AS found "
            'ORDER BY date_start NULLS FIRST, article_id COLLATE "C", start LIMIT %s',
            (entity_id, entity_id, limit)), "date_start")

    @staticmethod
    def _timex_filter(entity_id: int | None, in_sentence: bool,
                      article_ids: Sequence[str] | None) -> tuple[str, list[Any]]:
        """The WHERE clause (of fixed text) and its parameters for `calendar_timexes` and its count."""
        cond: list[str] = ["t.ref_start IS NOT NULL"]
        params: list[Any] = []
        if entity_id is not None:
            if in_sentence:
                cond.append("EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = t.article_id AND m.entity_id = %s "
                            "AND m.start >= coalesce(t.sentence_start, t.start) "
                            'AND m."end" <= coalesce(t.sentence_end, t."end"))')
            else:
                cond.append("EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = t.article_id "
                            "AND m.entity_id = %s)")
            params.append(entity_id)
        if article_ids is not None:
            cond.append("t.article_id = ANY(%s)")
            params.append([_t(i) for i in article_ids])
        return f"WHERE {' AND '.join(cond)}", params

    def calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                         article_ids: Sequence[str] | None = None, limit: int = 500,
                         offset: int = 0) -> list[dict[str, Any]]:
        where, params = self._timex_filter(entity_id, in_sentence, article_ids)
        return _days(self._q(
            f"SELECT {_TIMEX_COLS} FROM timexes t JOIN articles a ON a.id = t.article_id {where} "
            f"ORDER BY {_TIMEX_ORDER} LIMIT %s OFFSET %s", (*params, limit, offset)), "ref_start", "ref_end")

    def count_calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                               article_ids: Sequence[str] | None = None) -> int:
        where, params = self._timex_filter(entity_id, in_sentence, article_ids)
        return int(self._one(f"SELECT count(*) FROM timexes t {where}", params))

    def export_timexes(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        where, params = self._timex_filter(None, True, article_ids)
        for r in self._stream(f"SELECT {_TIMEX_COLS} FROM timexes t JOIN articles a ON a.id = t.article_id {where} "
                              f"ORDER BY {_TIMEX_ORDER}", params):
            yield _days([r], "ref_start", "ref_end")[0]

    def mentions_in(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        return self._q(
            'SELECT m.article_id, m.start, m."end", e.id, e.canonical, e.label FROM mentions m '
            "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ANY(%s) "
            'ORDER BY m.article_id COLLATE "C", m.start', ([_t(i) for i in article_ids],))

    def speakers(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return self._q(
            "SELECT * FROM (SELECT min(coalesce(e.canonical, q.speaker)) AS speaker, "
            "min(q.speaker_entity_id) AS speaker_entity_id, count(*) AS quotes, "
            f"count(DISTINCT q.article_id) AS articles {_SPEAKER_GROUPS}) AS found "
            'ORDER BY quotes DESC, speaker COLLATE "C", speaker_entity_id NULLS FIRST LIMIT %s OFFSET %s',
            (limit, offset))

    def count_speakers(self) -> int:
        return int(self._one(f"SELECT count(*) FROM (SELECT 1 {_SPEAKER_GROUPS}) AS found"))

    # --- links -------------------------------------------------------------------------------------------------

    def links_from(self, article_id: str) -> list[Link]:
        return [_link(r) for r in self._q(f"SELECT {_LINK_COLS} FROM links l WHERE l.source_id = %s "
                                          "ORDER BY l.start", (_t(article_id),))]

    def links_to(self, article_id: str, limit: int = 100) -> list[Link]:
        return [_link(r) for r in self._q(
            f"SELECT {_LINK_COLS} FROM links l JOIN articles a ON a.id = l.source_id WHERE l.target_id = %s "
            'ORDER BY a.date_start DESC NULLS LAST, l.source_id COLLATE "C", l.start LIMIT %s',
            (_t(article_id), limit))]

    def links(self, after: int = 0, limit: int = 500, *, untried: bool = False) -> list[Link]:
        cond = " AND NOT l.tried" if untried else ""
        return [_link(r) for r in self._q(
            f"SELECT {_LINK_COLS} FROM links l WHERE l.id > %s{cond} ORDER BY l.id LIMIT %s", (after, limit))]

    def waiting_links(self, keys: Sequence[str]) -> list[Link]:
        if not keys:
            return []
        wanted = [_t(k) for k in dict.fromkeys(keys)]
        return [_link(r) for r in self._q(
            f"SELECT {_LINK_COLS} FROM links l WHERE l.target_id IS NULL AND (l.key = ANY(%s) OR l.head = ANY(%s)) "
            "ORDER BY l.id", (wanted, wanted))]

    def save_links(self, links: Sequence[Link]) -> None:
        self._writable("resolve references")
        with self._transaction("store links in") as db, db.cursor() as cur:
            cur.executemany(
                "UPDATE links SET tried = %s, key = %s, head = %s, target_id = %s, score = %s WHERE id = %s",
                [(bool(x.tried), _t(x.key), _t(x.head), _t(x.target_id), x.score, x.id)
                 for x in links if x.id is not None])

    # --- export readers ----------------------------------------------------------------------------------------

    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        for art in self.annotated_articles(article_ids):
            yield art.to_dict()

    def export_entities(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        where, params = "", []
        if article_ids is not None:
            where = "WHERE m.article_id = ANY(%s) "
            params.append([_t(i) for i in article_ids])
        for r in self._stream(
                "SELECT e.id, e.canonical, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles, "
                "array_agg(DISTINCT m.text) AS variants FROM mentions m JOIN entities e ON e.id = m.entity_id "
                f'{where}GROUP BY e.id ORDER BY mentions DESC, e.canonical COLLATE "C", e.id', params):
            r["variants"] = sorted(r["variants"])
            yield r

    # --- stories ------------------------------------------------------------------------------------------------

    def story_order(self, *, unassigned: bool = False) -> list[tuple[str, str | None]]:
        where = " WHERE NOT EXISTS (SELECT 1 FROM story_members s WHERE s.article_id = a.id)" if unassigned else ""
        return [(r["id"], _iso(r["date_start"])) for r in self._q(
            f'SELECT a.id, a.date_start FROM articles a{where} ORDER BY a.date_start NULLS LAST, a.id COLLATE "C"')]

    def story_inputs(self, ids: Sequence[str], text_chars: int) -> list[tuple[str, str | None, str]]:
        wanted = [_t(i) for i in ids]
        if text_chars > 0:
            rows = self._q("SELECT id, title, substr(text, 1, %s) AS text FROM articles WHERE id = ANY(%s)",
                           (text_chars, wanted))
        else:
            rows = self._q("SELECT id, title, text FROM articles WHERE id = ANY(%s)", (wanted,))
        found = {r["id"]: (r["id"], r["title"], r["text"]) for r in rows}
        return [found[i] for i in wanted if i in found]

    def save_stories(self, members: Sequence[tuple[str, str, float]], stories: Sequence[StoryRow],
                     merges: Sequence[tuple[str, str]] = ()) -> None:
        """As SQLite's: an article given twice, or a story, keeps its last row."""
        self._writable("detect stories")
        last_members = list({_t(m[0]): (_t(m[0]), _t(m[1]), float(m[2])) for m in members}.values())
        last_stories = list({st.id: st for st in stories}.values())
        with self._transaction("write to") as db, db.cursor() as cur:
            if last_members:
                cur.execute("INSERT INTO story_members (article_id, story_id, score) SELECT * FROM "
                            "unnest(%s::text[], %s::text[], %s::float8[]) ON CONFLICT (article_id) DO UPDATE "
                            "SET story_id = excluded.story_id, score = excluded.score",
                            ([m[0] for m in last_members], [m[1] for m in last_members],
                             [m[2] for m in last_members]))
            for gone, into in merges:
                cur.execute("UPDATE story_members SET story_id = %s WHERE story_id = %s", (_t(into), _t(gone)))
                cur.execute("DELETE FROM stories WHERE id = %s", (_t(gone),))
            if last_stories:
                cur.executemany(
                    "INSERT INTO stories (id, title, title_article, first_date, last_date, size, keywords) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
                    "title_article = excluded.title_article, first_date = excluded.first_date, "
                    "last_date = excluded.last_date, size = excluded.size, keywords = excluded.keywords",
                    [(_t(st.id), _t(st.title), _t(st.title_article), st.first_date, st.last_date, st.size,
                      _t(json.dumps(list(st.keywords), ensure_ascii=False))) for st in last_stories])

    def clear_stories(self) -> int:
        self._writable("detect stories")
        with self._transaction("write to") as db:
            n = db.execute("SELECT count(*) FROM story_members").fetchone()[0]
            db.execute("DELETE FROM story_members")
            db.execute("DELETE FROM stories")
        return int(n)

    def count_stories(self, min_size: int = 1) -> int:
        return int(self._one("SELECT count(*) FROM stories WHERE size >= %s", (min_size,)))

    def story_rows(self, ids: Sequence[str] | None = None, limit: int = 50, offset: int = 0,
                   min_size: int = 1) -> list[StoryRow]:
        cols = "id, title, title_article, first_date, last_date, size, keywords"
        if ids is None:
            rows = self._q(f'SELECT {cols} FROM stories WHERE size >= %s ORDER BY last_date COLLATE "C" DESC, '
                           'size DESC, id COLLATE "C" LIMIT %s OFFSET %s', (min_size, limit, offset))
        else:
            rows = self._q(f'SELECT {cols} FROM stories WHERE id = ANY(%s) AND size >= %s ORDER BY id COLLATE "C"',
                           ([_t(i) for i in dict.fromkeys(ids)], min_size))
            rows.sort(key=lambda r: (r["last_date"], r["size"]), reverse=True)
            rows = rows[offset:offset + limit]
        return [StoryRow(r["id"], r["title"], r["title_article"], r["first_date"], r["last_date"], r["size"],
                         tuple(json.loads(r["keywords"]))) for r in rows]

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        return {r["article_id"]: r["story_id"] for r in self._q(
            "SELECT article_id, story_id FROM story_members WHERE article_id = ANY(%s)",
            ([_t(i) for i in article_ids],))}

    def story_members(self, story_id: str) -> list[tuple[str, float]]:
        return [(r["article_id"], r["score"]) for r in self._q(
            "SELECT s.article_id, s.score FROM story_members s JOIN articles a ON a.id = s.article_id "
            'WHERE s.story_id = %s ORDER BY a.date_start NULLS LAST, a.id COLLATE "C"', (_t(story_id),))]

    def entity_stories(self, entity_id: int, limit: int = 20) -> list[tuple[str, int]]:
        return [(r["story_id"], int(r["n"])) for r in self._q(
            "SELECT s.story_id, count(DISTINCT m.article_id) AS n FROM mentions m "
            "JOIN story_members s ON s.article_id = m.article_id WHERE m.entity_id = %s "
            'GROUP BY s.story_id ORDER BY n DESC, s.story_id COLLATE "C" LIMIT %s', (entity_id, limit))]


class _NotAllNew(Exception):
    """A row of `insert_if_all_new` was not new: the transaction is rolled back and nothing is stored."""

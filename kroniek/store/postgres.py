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
from kroniek.model import Analysis, ArticleDate, ArticleRow, QuarantineRow, StoredArticle, StoryRow, Structure
from kroniek.settings import shown_location
from kroniek.store.base import Store
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
_COPY_QUARANTINE = "COPY quarantine (file, line, reason, raw, at) FROM STDIN"

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


def _days(rows: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    """Rows with their day columns as ISO text, as the SQLite store gives them."""
    for r in rows:
        for n in names:
            r[n] = _iso(r[n])
    return rows


class AdvisoryWriterLock:
    """The archive's writer lock: a session-level advisory lock, on a connection of its own. Re-entrant within a
    process; threads take turns."""

    def __init__(self, connect: Any) -> None:
        self._connect = connect
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._conn: Any = None

    @contextlib.contextmanager
    def hold(self, *, wait: bool = True, timeout: float | None = None) -> Iterator[bool]:
        """Hold the lock inside the block; yields True. With `wait=False` (or once `timeout` seconds have passed)
        it yields False at once when another writer holds it, and the block runs without the lock."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._thread_lock.acquire(blocking=wait, timeout=-1 if timeout is None or not wait else timeout):
            yield False
            return
        try:
            if self._depth == 0 and not self._take(wait, deadline):
                yield False
                return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._thread_lock.release()

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
    """The archive in a PostgreSQL database (in the schema its URL's search_path names, by default public)."""

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
        self._lock = threading.RLock()
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
        with self._lock:
            self._writer.close()
            self._db.close()

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """A query's rows as dicts. A connection the server has dropped (a restart, an idle timeout) is opened
        again once, so a long-running reader such as `kroniek serve` outlives it."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._db.cursor(row_factory=dict_row) as cur:
                        cur.execute(sql, params)
                        return cur.fetchall()
                except psycopg.OperationalError as e:
                    if attempt == 1 and self._db.broken:
                        self._db.close()
                        self._db = self._connection(readonly=self.readonly)
                        continue
                    raise ArchiveError(f"cannot read the archive {self._shown}: {str(e).strip()}",
                                       hint="check that the PostgreSQL server is reachable") from None
                except psycopg.Error as e:
                    raise ArchiveError(f"cannot read the archive {self._shown}: {str(e).strip()}",
                                       hint="check that the PostgreSQL server is reachable") from None
            raise AssertionError("unreachable")

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row of a query."""
        rows = self._q(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def _writable(self, what: str) -> None:
        if self.readonly:
            raise ArchiveError("the archive is open read-only", hint=f"open it writable to {what}")

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[Any]:
        """One transaction on the store's connection; a database error becomes an ArchiveError."""
        with self._lock:
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

    def insert(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> None:
        self._writable("ingest")
        with self._transaction("write to") as db:
            self._copy(db, rows, quarantine)

    def insert_if_all_new(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> bool:
        """COPY the rows straight into the table: a taken id or content hash (or one repeated within `rows`) breaks
        a unique constraint, and the transaction, so nothing is stored."""
        self._writable("ingest")
        if not rows:
            return False
        with self._lock:
            try:
                with self._db.transaction():
                    self._copy(self._db, rows, quarantine)
            except pg_errors.UniqueViolation:
                return False
            except psycopg.Error as e:
                raise ArchiveError(f"cannot write to the archive {self._shown}: {str(e).strip()}",
                                   hint="check the PostgreSQL server's log and free disk space") from None
        return True

    @staticmethod
    def _copy(db: Any, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> None:
        """COPY articles, their change-log entries and quarantined records (inside the caller's transaction)."""
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
            if quarantine:
                with cur.copy(_COPY_QUARANTINE) as copy:
                    for q in quarantine:
                        copy.write_row((_t(q.file), q.line, _t(q.reason), _t(q.raw), at))

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
        rows = self._q(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = %s", (_t(article_id),))
        if not rows:
            return None
        art = _article(rows[0])
        return self._annotate(art) if annotations else art

    def _annotate(self, art: StoredArticle) -> StoredArticle:
        """Fill in the stored annotations of an article read without them."""
        aid = (art.id,)
        art.entities = self._q(
            'SELECT m.start, m."end", m.text, e.label, e.canonical, e.id AS entity_id FROM mentions m '
            "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = %s ORDER BY m.start", aid)
        art.quotes = self._q(
            'SELECT start, "end", text, kind, cue, speaker_mention, speaker, speaker_entity_id FROM quotes '
            "WHERE article_id = %s ORDER BY start", aid)
        art.timexes = _days(self._q(
            'SELECT start, "end", text, type, value, ref_start, ref_end, sentence_start, sentence_end '
            "FROM timexes WHERE article_id = %s ORDER BY start", aid), "ref_start", "ref_end")
        art.analyses = {r["stage"]: r["version"] for r in self._q(
            "SELECT stage, version FROM analyses WHERE article_id = %s ORDER BY stage", aid)}
        art.story_id = self._one("SELECT story_id FROM story_members WHERE article_id = %s", aid)
        return art

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

    def annotated_articles(self, ids: Iterable[str] | None = None, *,
                           batch_size: int = 500) -> Iterator[StoredArticle]:
        """Articles with their annotations, read batch by batch: five queries per batch, not per article."""
        batch: list[StoredArticle] = []
        for art in self.articles(ids, batch_size=batch_size):
            batch.append(art)
            if len(batch) >= batch_size:
                yield from self._annotate_all(batch)
                batch = []
        yield from self._annotate_all(batch)

    def _annotate_all(self, arts: list[StoredArticle]) -> list[StoredArticle]:
        """Fill in the stored annotations of articles read without them, in one query per kind."""
        if not arts:
            return arts
        ids = (list(dict.fromkeys(a.id for a in arts)),)
        by: dict[str, dict[str, list[dict[str, Any]]]] = {k: {} for k in ("entities", "quotes", "timexes")}
        for kind, sql in (
                ("entities", 'SELECT m.article_id, m.start, m."end", m.text, e.label, e.canonical, '
                             "e.id AS entity_id FROM mentions m JOIN entities e ON e.id = m.entity_id "
                             "WHERE m.article_id = ANY(%s) ORDER BY m.article_id, m.start"),
                ("quotes", 'SELECT article_id, start, "end", text, kind, cue, speaker_mention, speaker, '
                           "speaker_entity_id FROM quotes WHERE article_id = ANY(%s) ORDER BY article_id, start"),
                ("timexes", 'SELECT article_id, start, "end", text, type, value, ref_start, ref_end, '
                            "sentence_start, sentence_end FROM timexes WHERE article_id = ANY(%s) "
                            "ORDER BY article_id, start")):
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
        for a in arts:
            # lists of their own: an article asked for twice is two objects
            a.entities = [dict(x) for x in by["entities"].get(a.id, [])]
            a.quotes = [dict(x) for x in by["quotes"].get(a.id, [])]
            a.timexes = [dict(x) for x in by["timexes"].get(a.id, [])]
            a.analyses = dict(stages.get(a.id, {}))
            a.story_id = story_of.get(a.id)
        return arts

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
            "quarantined": int(self._one("SELECT count(*) FROM quarantine")),
            "analysed": int(self._one("SELECT count(DISTINCT article_id) FROM analyses")),
            "entities": int(self._one("SELECT count(*) FROM entities")),
            "first_day": _iso(span["first"]), "last_day": _iso(span["last"]),
            "by_month": by_month, "by_source": by_source, "by_language": by_language,
        }

    def quarantined(self, limit: int = 100, offset: int = 0) -> list[QuarantineRow]:
        return [QuarantineRow(r["file"], r["line"], r["reason"], r["raw"], _iso(r["at"]) or "", r["id"])
                for r in self._q("SELECT id, file, line, reason, raw, at FROM quarantine ORDER BY id "
                                 "LIMIT %s OFFSET %s", (limit, offset))]

    # --- annotations -------------------------------------------------------------------------------------------

    def save_analyses(self, analyses: Sequence[Analysis], version: str, stages: Sequence[str]) -> None:
        """In one transaction and a few statements per batch: entities are created together, the old annotations
        of the stages deleted together, the new ones copied in. An article given twice keeps its last analysis."""
        self._writable("analyse")
        at = _now()
        last = list({a.id: a for a in analyses}.values())
        ids = [_t(a.id) for a in last]
        with self._transaction("store analyses in") as db, db.cursor() as cur:
            known: dict[str, int] = {}  # person entities stored before this batch, by name
            if "quotes" in stages:
                names = list({_t(q.speaker) for a in last for q in a.quotes if q.speaker})
                if names:
                    cur.execute("SELECT canonical, id FROM entities WHERE label = 'PER' AND canonical = ANY(%s)",
                                (names,))
                    known = dict(cur.fetchall())
                cur.execute("DELETE FROM quotes WHERE article_id = ANY(%s)", (ids,))
            entity_ids: dict[tuple[str, str], int] = {}
            if "entities" in stages:
                keys = list(dict.fromkeys((_t(e.canonical or e.text), e.label) for a in last for e in a.entities))
                if keys:
                    names, labels = [k[0] for k in keys], [k[1] for k in keys]
                    cur.execute("INSERT INTO entities (canonical, label) SELECT * FROM unnest(%s::text[], %s::text[]) "
                                "ON CONFLICT DO NOTHING", (names, labels))
                    cur.execute("SELECT e.id, e.canonical, e.label FROM entities e JOIN unnest(%s::text[], "
                                "%s::text[]) AS k (canonical, label) ON e.canonical = k.canonical AND "
                                "e.label = k.label", (names, labels))
                    entity_ids = {(c, lab): i for i, c, lab in cur.fetchall()}
                cur.execute("DELETE FROM mentions WHERE article_id = ANY(%s)", (ids,))
            if "timexes" in stages:
                cur.execute("DELETE FROM timexes WHERE article_id = ANY(%s)", (ids,))
            mentions: list[tuple[Any, ...]] = []
            variants: list[tuple[int, str]] = []
            quotes: list[tuple[Any, ...]] = []
            timexes: list[tuple[Any, ...]] = []
            for a, aid in zip(last, ids, strict=True):
                own: dict[str, int] = {}  # the entities this article names, by canonical name
                if "entities" in stages:
                    for e in a.entities:
                        name = _t(e.canonical or e.text)
                        eid = entity_ids[(name, e.label)]
                        own[name] = eid
                        variants.append((eid, _t(e.text)))
                        mentions.append((aid, eid, e.start, e.end, _t(e.text)))
                if "quotes" in stages:
                    for q in a.quotes:
                        # the entity of its own article's of that name, else the person of that name stored
                        # before (by an earlier batch, or an earlier article of this one)
                        speaker = _t(q.speaker)
                        sid = (own.get(speaker) or known.get(speaker)) if speaker else None
                        quotes.append((aid, q.start, q.end, _t(q.text), q.kind, _t(q.cue), _t(q.speaker_mention),
                                       speaker, sid))
                if "timexes" in stages:
                    for t in a.timexes:
                        timexes.append((aid, t.start, t.end, _t(t.text), t.type, _t(t.value),
                                        t.period[0] if t.period else None, t.period[1] if t.period else None,
                                        t.sentence_start, t.sentence_end))
                for e in a.entities if "entities" in stages else ():
                    if e.label == "PER":
                        name = _t(e.canonical or e.text)
                        known.setdefault(name, entity_ids[(name, "PER")])
            if variants:
                pairs = list(dict.fromkeys(variants))
                cur.execute("INSERT INTO entity_variants (entity_id, variant) SELECT * FROM unnest(%s::bigint[], "
                            "%s::text[]) ON CONFLICT DO NOTHING", ([p[0] for p in pairs], [p[1] for p in pairs]))
            if mentions:
                with cur.copy('COPY mentions (article_id, entity_id, start, "end", text) FROM STDIN') as copy:
                    for m in mentions:
                        copy.write_row(m)
            if quotes:
                with cur.copy('COPY quotes (article_id, start, "end", text, kind, cue, speaker_mention, speaker, '
                              "speaker_entity_id) FROM STDIN") as copy:
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

    # --- entities, quotes, timeline ----------------------------------------------------------------------------

    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> list[dict[str, Any]]:
        cond: list[str] = []
        params: list[Any] = []
        if label:
            cond.append("e.label = %s")
            params.append(label)
        if query:
            # SQLite's LIKE: case-insensitive, and % and _ are wildcards (no escape character)
            cond.append("e.canonical ILIKE %s ESCAPE ''")
            params.append(f"%{_t(query)}%")
        where = f"WHERE {' AND '.join(cond)}" if cond else ""
        return self._q(
            f"SELECT e.id, e.canonical, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles "
            f"FROM entities e JOIN mentions m ON m.entity_id = e.id {where} GROUP BY e.id "
            f'ORDER BY mentions DESC, e.canonical COLLATE "C", e.id LIMIT %s OFFSET %s', (*params, limit, offset))

    def resolve_entity(self, key: int | str) -> dict[str, Any] | None:
        number = key if isinstance(key, int) else int(key) if key.isascii() and key.isdigit() else None
        if number is not None and 0 <= number <= _MAX_BIGINT:
            rows = self._q("SELECT id, canonical, label FROM entities WHERE id = %s", (number,))
        else:
            name = _t(str(key))
            rows = self._q("SELECT e.id, e.canonical, e.label FROM entities e LEFT JOIN mentions m ON "
                           "m.entity_id = e.id WHERE e.canonical = %s GROUP BY e.id "
                           "ORDER BY count(m.entity_id) DESC, e.id", (name,))
            if not rows:
                rows = self._q("SELECT e.id, e.canonical, e.label FROM entity_variants v JOIN entities e ON "
                               "e.id = v.entity_id WHERE v.variant = %s ORDER BY e.id LIMIT 1", (name,))
        return rows[0] if rows else None

    def entity_variants(self, entity_id: int) -> list[str]:
        return [r["variant"] for r in self._q(
            'SELECT variant FROM entity_variants WHERE entity_id = %s ORDER BY variant COLLATE "C"', (entity_id,))]

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

    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        cond: list[str] = []
        params: list[Any] = []
        if speaker:
            cond.append("(q.speaker = %s OR q.speaker_entity_id IN (SELECT entity_id FROM entity_variants "
                        "WHERE variant = %s) OR q.speaker_entity_id IN (SELECT id FROM entities WHERE canonical = %s))")
            params += [_t(speaker)] * 3
        if article_ids is not None:
            cond.append("q.article_id = ANY(%s)")
            params.append([_t(i) for i in article_ids])
        where = f"WHERE {' AND '.join(cond)}" if cond else ""
        return self._q(
            f'SELECT q.article_id, a.date AS article_date, a.title AS article_title, q.start, q."end", q.text, '
            f"q.kind, q.cue, q.speaker_mention, q.speaker, q.speaker_entity_id FROM quotes q "
            f"JOIN articles a ON a.id = q.article_id {where} "
            f'ORDER BY a.date_start NULLS FIRST, q.article_id COLLATE "C", q.start LIMIT %s OFFSET %s',
            (*params, limit, offset))

    def quotes_about(self, entity_id: int, limit: int = 50) -> list[dict[str, Any]]:
        return _days(self._q(
            "SELECT * FROM (SELECT DISTINCT q.article_id, a.date AS article_date, a.title AS article_title, q.start, "
            'q."end", q.text, q.kind, q.cue, q.speaker_mention, q.speaker, q.speaker_entity_id, a.date_start '
            'FROM mentions m JOIN quotes q ON q.article_id = m.article_id AND m.start >= q.start AND m."end" <= q."end" '
            "JOIN articles a ON a.id = q.article_id WHERE m.entity_id = %s "
            "AND (q.speaker_entity_id IS NULL OR q.speaker_entity_id != %s)) AS found "
            'ORDER BY date_start NULLS FIRST, article_id COLLATE "C", start LIMIT %s',
            (entity_id, entity_id, limit)), "date_start")

    def calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                         article_ids: Sequence[str] | None = None, limit: int = 500,
                         offset: int = 0) -> list[dict[str, Any]]:
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
        return _days(self._q(
            f'SELECT t.article_id, t.start, t."end", t.text, t.type, t.value, t.ref_start, t.ref_end, '
            f"t.sentence_start, t.sentence_end, a.date AS article_date, a.title AS article_title, "
            f"a.structure AS article_structure, "
            f"substr(a.text, coalesce(t.sentence_start, t.start) + 1, "
            f'coalesce(t.sentence_end, t."end") - coalesce(t.sentence_start, t.start)) AS sentence '
            f"FROM timexes t JOIN articles a ON a.id = t.article_id WHERE {' AND '.join(cond)} "
            f'ORDER BY t.ref_start, t.ref_end, a.date_start NULLS FIRST, t.article_id COLLATE "C", t.start '
            f"LIMIT %s OFFSET %s", (*params, limit, offset)), "ref_start", "ref_end")

    def mentions_in(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        return self._q(
            'SELECT m.article_id, m.start, m."end", e.id, e.canonical, e.label FROM mentions m '
            "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ANY(%s) "
            'ORDER BY m.article_id COLLATE "C", m.start', ([_t(i) for i in article_ids],))

    def speakers(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return self._q(
            "SELECT speaker, min(speaker_entity_id) AS speaker_entity_id, count(*) AS quotes, "
            "count(DISTINCT article_id) AS articles FROM quotes WHERE speaker IS NOT NULL AND speaker != '' "
            'GROUP BY speaker ORDER BY quotes DESC, speaker COLLATE "C" LIMIT %s OFFSET %s', (limit, offset))

    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        for art in self.annotated_articles(article_ids):
            yield art.to_dict()

    # --- stories ------------------------------------------------------------------------------------------------

    def story_order(self, *, unassigned: bool = False) -> list[tuple[str, str | None]]:
        where = " WHERE NOT EXISTS (SELECT 1 FROM story_members s WHERE s.article_id = a.id)" if unassigned else ""
        return [(r["id"], _iso(r["date_start"])) for r in self._q(
            f'SELECT a.id, a.date_start FROM articles a{where} ORDER BY a.date_start NULLS LAST, a.id COLLATE "C"')]

    def save_stories(self, members: Sequence[tuple[str, str, float]], stories: Sequence[StoryRow]) -> None:
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
            if last_stories:
                cur.executemany(
                    "INSERT INTO stories (id, title, title_article, first_date, last_date, size, keywords) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
                    "title_article = excluded.title_article, first_date = excluded.first_date, "
                    "last_date = excluded.last_date, size = excluded.size, keywords = excluded.keywords",
                    [(_t(st.id), _t(st.title), _t(st.title_article), st.first_date, st.last_date, st.size,
                      _t(json.dumps(list(st.keywords), ensure_ascii=False))) for st in last_stories])
            self._log_changes(db, [_t(m[0]) for m in members])

    def clear_stories(self) -> int:
        self._writable("detect stories")
        with self._transaction("write to") as db:
            n = db.execute("SELECT count(*) FROM story_members").fetchone()[0]
            db.execute("INSERT INTO changes (article_id) SELECT article_id FROM story_members")
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

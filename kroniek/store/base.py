"""The storage interface of the archive, the rows it keeps, and the calendar periods of TIMEX3 values.

A backend (SQLite now, PostgreSQL later) implements `Store`; the `Archive` facade is its only caller.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from kroniek.model import Analysis, ArticleDate, Structure
from kroniek.nlp.timex_normalise import value_range

STAGES = ("entities", "quotes", "timexes")


class ArticleRow(NamedTuple):
    """An article ready to be stored: the reader's record plus what ingest derived from it.

    A named tuple, not a dataclass: ingest makes one for every article, and a tuple is made several times faster.
    """

    id: str
    content_hash: str
    date: ArticleDate | None
    source: str | None
    url: str | None
    title: str | None
    text: str
    structure_json: str
    language: str
    meta_json: str
    origin_file: str | None
    origin_line: int | None


@dataclass(frozen=True)
class QuarantineRow:
    """A record that could not be read, as the quarantine keeps it."""

    file: str | None
    line: int | None
    reason: str
    raw: str
    at: str = ""
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StoredArticle:
    """An article as the archive holds it, with its annotations once analysed."""

    id: str
    date: ArticleDate | None
    source: str | None
    url: str | None
    title: str | None
    text: str
    structure: Structure
    language: str
    meta: dict[str, Any]
    content_hash: str
    origin_file: str | None = None
    origin_line: int | None = None
    ingested_at: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    timexes: list[dict[str, Any]] = field(default_factory=list)
    analyses: dict[str, str] = field(default_factory=dict)  # stage -> pipeline version

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, structure as offsets)."""
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        d["date_precision"] = self.date.precision.value if self.date else None
        d["structure"] = self.structure.to_dict()
        return d


class Store(ABC):
    """What the archive needs from a storage backend."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def existing(self, hashes: Sequence[str], ids: Sequence[str]) -> tuple[set[str], dict[str, str]]:
        """The given content hashes already stored, and the given ids already stored (id -> its content hash)."""

    @abstractmethod
    def insert(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> None:
        """Store new articles and quarantined records in one transaction."""

    def insert_if_all_new(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> bool:
        """Store the rows and quarantined records in one transaction if no row's id or content hash is stored
        already or repeated within `rows`, and return True; otherwise store nothing and return False.

        The common case of an ingest (new articles) in one statement, without looking the rows up first; a backend
        that cannot tell returns False, and the archive looks them up (`existing`) and calls `insert`.
        """
        return False

    def bulk_writes(self) -> AbstractContextManager[None]:
        """A context for a long run of inserts (an ingest): a backend may move its housekeeping off the writing
        thread inside it. Every insert is committed as usual; leaving the context tidies up."""
        return nullcontext()

    # The change log: each transaction that stores an article or replaces its annotations gives it the next
    # sequence number. The search index records the last number it holds, and catches up from there.

    @abstractmethod
    def last_change(self) -> int:
        """The highest sequence number the change log has given out (0 for none); it never decreases."""

    @abstractmethod
    def changes_after(self, seq: int, limit: int = 1000) -> list[tuple[int, str]]:
        """Up to `limit` (sequence number, article id) pairs logged after `seq`, in order."""

    @abstractmethod
    def forget_changes(self, through: int) -> None:
        """Drop the log entries up to and including `through` (the index holds them); numbers are not reused."""

    @abstractmethod
    def writer_lock(self, *, wait: bool = True, timeout: float | None = None) -> AbstractContextManager[bool]:
        """A context that holds the archive's one writer lock across processes; it yields False without the lock
        when `wait` is False (or `timeout` passed) and another writer has it. Re-entrant within a process."""

    @abstractmethod
    def article(self, article_id: str, *, annotations: bool = True) -> StoredArticle | None: ...

    @abstractmethod
    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None,
                 unanalysed: bool = False, batch_size: int = 500) -> Iterator[StoredArticle]:
        """Stored articles (all in storage order, or the given ids in the given order), without annotations;
        `unanalysed` keeps only those with no stored analysis."""

    @abstractmethod
    def count(self, *, language: str | None = None, unanalysed: bool = False) -> int:
        """How many articles are stored (in one language; with no stored analysis)."""

    @abstractmethod
    def stats(self) -> dict[str, Any]: ...

    @abstractmethod
    def quarantined(self, limit: int = 100, offset: int = 0) -> list[QuarantineRow]: ...

    @abstractmethod
    def save_analyses(self, analyses: Sequence[Analysis], version: str, stages: Sequence[str]) -> None:
        """Replace the annotations of the given stages of each article by those of its analysis."""

    @abstractmethod
    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> list[dict[str, Any]]: ...

    @abstractmethod
    def entity(self, key: int | str) -> dict[str, Any] | None: ...

    @abstractmethod
    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               limit: int = 100, offset: int = 0) -> list[dict[str, Any]]: ...

    @abstractmethod
    def timeline(self, entity: int | str | None = None, article_ids: Sequence[str] | None = None,
                 limit: int = 500) -> list[dict[str, Any]]: ...

    @abstractmethod
    def speakers(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Resolved speakers with their quotation and article counts, most quoted first."""

    @abstractmethod
    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]: ...


# --- calendar periods of TIMEX3 values ---------------------------------------------------------------------------

def period_of(value: str) -> tuple[str, str] | None:
    """The first and last ISO day of the calendar period a TIMEX3 value names, or None when it names none."""
    period = value_range(value)
    return (period[0].isoformat(), period[1].isoformat()) if period else None
    return None

"""The storage interface of the archive, the rows it keeps, and the calendar periods of TIMEX3 values.

A backend (SQLite now, PostgreSQL later) implements `Store`; the `Archive` facade is its only caller.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from kroniek.model import Analysis, ArticleDate, Structure

STAGES = ("entities", "quotes", "timexes")


@dataclass(frozen=True)
class ArticleRow:
    """An article ready to be stored: the reader's record plus what ingest derived from it."""

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

    @abstractmethod
    def article(self, article_id: str, *, annotations: bool = True) -> StoredArticle | None: ...

    @abstractmethod
    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None,
                 unanalysed: bool = False, batch_size: int = 500) -> Iterator[StoredArticle]:
        """Stored articles (all in storage order, or the given ids in the given order), without annotations;
        `unanalysed` keeps only those with no stored analysis."""

    @abstractmethod
    def count(self) -> int: ...

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

    @abstractmethod
    def search_text(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Articles whose text or title holds `text` (case-insensitive): a plain scan, until the index is there."""


# --- calendar periods of TIMEX3 values ---------------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(?:-WE)?(?:T.*)?$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|AU|WI)$")
_DECADE = re.compile(r"^(\d{3})X$")
_CENTURY = re.compile(r"^(\d{2})XX$")
# Meteorological seasons; winter runs into the next year.
_SEASONS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "AU": (9, 11), "WI": (12, 14)}


def _month_end(year: int, month: int) -> dt.date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(value: str) -> tuple[str, str] | None:
    """The first and last ISO day of the calendar period a TIMEX3 value names, or None when it names none."""
    try:
        if m := _YMD.match(value):
            y, mo, d = (int(g) if g else None for g in m.groups())
            assert y is not None
            if y == 0:
                return None
            if d is not None and mo is not None:
                day = dt.date(y, mo, d)
                return day.isoformat(), day.isoformat()
            if mo is not None:
                return dt.date(y, mo, 1).isoformat(), _month_end(y, mo).isoformat()
            return f"{y:04d}-01-01", f"{y:04d}-12-31"
        if m := _WEEK.match(value):
            monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
        if m := _QUARTER.match(value):
            y, q = int(m.group(1)), int(m.group(2))
            return dt.date(y, 3 * q - 2, 1).isoformat(), _month_end(y, 3 * q).isoformat()
        if m := _HALF.match(value):
            y, h = int(m.group(1)), int(m.group(2))
            return dt.date(y, 6 * h - 5, 1).isoformat(), _month_end(y, 6 * h).isoformat()
        if m := _SEASON.match(value):
            y = int(m.group(1))
            first, last = _SEASONS[m.group(2)]
            return dt.date(y, first, 1).isoformat(), _month_end(y, last).isoformat()
        if m := _DECADE.match(value):
            y = int(m.group(1)) * 10
            return f"{y:04d}-01-01", f"{y + 9:04d}-12-31"
        if m := _CENTURY.match(value):
            y = int(m.group(1)) * 100
            return f"{y:04d}-01-01", f"{y + 99:04d}-12-31"
    except ValueError:
        return None
    return None

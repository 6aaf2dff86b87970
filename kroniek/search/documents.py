"""The store-independent document the search index holds, and how articles and analyses become one."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kroniek.errors import DateError
from kroniek.model import Analysis, ArticleDate, EntityMention, Quote, TimeExpression

ENTITY_LABELS = ("PER", "ORG", "LOC", "MISC")

# TIMEX3 values that name a calendar period (see ../shared/eval/FORMAT.md): a year, month or day (optionally with a
# time after 'T'), an ISO week, a quarter, a half year, a season, a decade (201X or 201) or a century (19XX or 19).
_TIMEX_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$")
_TIMEX_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TIMEX_YEAR = re.compile(r"^(\d{4})$")
_TIMEX_WEEK = re.compile(r"^(\d{4})-W(\d{2})(?:-WE)?$")
_TIMEX_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_TIMEX_HALF = re.compile(r"^(\d{4})-H([12])$")
_TIMEX_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|AU|WI)$")
_TIMEX_DECADE = re.compile(r"^(\d{3})X?$")
_TIMEX_CENTURY = re.compile(r"^(\d{2})(?:XX)?$")
_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "AU": (9, 11), "WI": (12, 14)}


def _month_period(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    """From the first day of month `first` to the last day of month `last` (months past 12 run into next year)."""
    ly, lm = year + (last - 1) // 12, (last - 1) % 12 + 1
    return dt.date(year, first, 1), dt.date(ly, lm, calendar.monthrange(ly, lm)[1])


def timex_period(value: str) -> tuple[dt.date, dt.date] | None:
    """The calendar period a TIMEX3 value names, or None (durations, sets, PRESENT_REF and the like)."""
    v = value.strip().upper()
    try:
        if m := _TIMEX_DAY.match(v):
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return d, d
        if m := _TIMEX_MONTH.match(v):
            return _month_period(int(m[1]), int(m[2]), int(m[2]))
        if m := _TIMEX_YEAR.match(v):
            return dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
        if m := _TIMEX_WEEK.match(v):
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return monday, monday + dt.timedelta(days=6)
        if m := _TIMEX_QUARTER.match(v):
            q = int(m[2])
            return _month_period(int(m[1]), 3 * q - 2, 3 * q)
        if m := _TIMEX_HALF.match(v):
            h = int(m[2])
            return _month_period(int(m[1]), 6 * h - 5, 6 * h)
        if m := _TIMEX_SEASON.match(v):
            return _month_period(int(m[1]), *_SEASON_MONTHS[m[2]])
        if m := _TIMEX_DECADE.match(v):
            start = int(m[1]) * 10
            return dt.date(max(start, 1), 1, 1), dt.date(start + 9, 12, 31)
        if m := _TIMEX_CENTURY.match(v):
            start = int(m[1]) * 100
            return dt.date(max(start, 1), 1, 1), dt.date(start + 99, 12, 31)
    except ValueError:
        return None
    return None


@dataclass
class IndexDoc:
    """One article as the search index sees it; built from the store, never read back into it."""

    id: str
    text: str
    title: str = ""
    source: str | None = None
    date: ArticleDate | None = None
    # canonical entity names by label (PER, ORG, LOC, MISC)
    entities: dict[str, list[str]] = field(default_factory=dict)
    speakers: list[str] = field(default_factory=list)
    # periods the article refers to (from its time expressions), first and last day
    mentions: list[tuple[dt.date, dt.date]] = field(default_factory=list)

    @property
    def date_start(self) -> dt.date | None:
        """First day of the publication period (a month- or year-dated article covers a period)."""
        return self.date.first_day if self.date else None

    @property
    def date_end(self) -> dt.date | None:
        """Last day of the publication period."""
        return self.date.last_day if self.date else None

    @classmethod
    def build(cls, id: str, text: str, *, title: str | None = None, source: str | None = None,
              date: ArticleDate | str | None = None, entities: Iterable[EntityMention] = (),
              quotes: Iterable[Quote] = (), timexes: Iterable[TimeExpression] = ()) -> IndexDoc:
        """An IndexDoc from an article's fields and its annotations (canonical names preferred, duplicates merged)."""
        if isinstance(date, str):
            try:
                date = ArticleDate.parse(date)
            except DateError:
                date = None
        by_label: dict[str, list[str]] = {}
        for e in entities:
            name = (e.canonical or e.text).strip()
            label = e.label.upper()
            names = by_label.setdefault(label, [])
            if name and name not in names:
                names.append(name)
        speakers: list[str] = []
        for q in quotes:
            name = (q.speaker or q.speaker_mention).strip()
            if name and name not in speakers:
                speakers.append(name)
        mentions: list[tuple[dt.date, dt.date]] = []
        for t in timexes:
            if t.type.upper() in ("DATE", "TIME"):
                period = timex_period(t.value)
                if period and period not in mentions:
                    mentions.append(period)
        return cls(id=id, text=text, title=title or "", source=source, date=date, entities=by_label,
                   speakers=speakers, mentions=mentions)

    @classmethod
    def from_analysis(cls, analysis: Analysis, *, title: str | None = None,
                      source: str | None = None) -> IndexDoc:
        """An IndexDoc from a stored analysis (the article's title and source come from the store)."""
        if title is None and analysis.structure.title is not None:
            title = analysis.structure.title.of(analysis.text)
        return cls.build(analysis.id, analysis.text, title=title, source=source, date=analysis.date,
                         entities=analysis.entities, quotes=analysis.quotes, timexes=analysis.timexes)


def from_stored(article: Any) -> IndexDoc:
    """An IndexDoc from an article as the store returns it (annotations as dicts: entities, quotes, timexes)."""
    entities = [EntityMention(e.get("start", 0), e.get("end", 0), e.get("text") or "", e.get("label") or "MISC",
                              e.get("canonical")) for e in (article.entities or [])]
    quotes = [Quote(q.get("start", 0), q.get("end", 0), q.get("text") or "", q.get("kind") or "",
                    speaker_mention=q.get("speaker_mention") or "", speaker=q.get("speaker") or "")
              for q in (article.quotes or [])]
    timexes = [TimeExpression(t.get("start", 0), t.get("end", 0), t.get("text") or "", t.get("type") or "",
                              t.get("value") or "") for t in (article.timexes or [])]
    return IndexDoc.build(article.id, article.text, title=article.title, source=article.source, date=article.date,
                          entities=entities, quotes=quotes, timexes=timexes)

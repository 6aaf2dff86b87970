"""The store-independent document the search index holds, and how articles and analyses become one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kroniek.errors import DateError
from kroniek.model import ArticleDate, EntityMention, Quote, TimeExpression
from kroniek.model import headline as article_headline

ENTITY_LABELS = ("PER", "ORG", "LOC", "MISC")


@dataclass
class IndexDoc:
    """One article as the search index sees it; built from the store, never read back into it."""

    id: str
    text: str
    title: str = ""
    source: str | None = None
    date: ArticleDate | None = None
    # what heads the article in a list of hits when it has no title (model.headline): kept in the index, so that a
    # page of hits is read from the index alone
    headline: str = ""
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
              quotes: Iterable[Quote] = (), timexes: Iterable[TimeExpression] = (),
              headline: str = "") -> IndexDoc:
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
                period = t.period
                if period and period not in mentions:
                    mentions.append(period)
        return cls(id=id, text=text, title=title or "", source=source, date=date, headline=headline,
                   entities=by_label, speakers=speakers, mentions=mentions)


def from_stored(article: Any) -> IndexDoc:
    """An IndexDoc from an article as the store returns it (annotations as dicts: entities, quotes, timexes); an
    untitled article gets its headline."""
    entities = [EntityMention(e.get("start", 0), e.get("end", 0), e.get("text") or "", e.get("label") or "MISC",
                              e.get("canonical")) for e in (article.entities or [])]
    quotes = [Quote(q.get("start", 0), q.get("end", 0), q.get("text") or "", q.get("kind") or "",
                    speaker_mention=q.get("speaker_mention") or "", speaker=q.get("speaker") or "")
              for q in (article.quotes or [])]
    timexes = [TimeExpression(t.get("start", 0), t.get("end", 0), t.get("text") or "", t.get("type") or "",
                              t.get("value") or "", period=_stored_period(t)) for t in (article.timexes or [])]
    return IndexDoc.build(article.id, article.text, title=article.title, source=article.source, date=article.date,
                          entities=entities, quotes=quotes, timexes=timexes,
                          headline="" if article.title and article.title.strip() else article_headline(article))


def _stored_period(timex: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The period the store keeps for a time expression (ISO days `ref_start`, `ref_end`), as dates."""
    start, end = timex.get("ref_start"), timex.get("ref_end")
    if not start or not end:
        return None
    try:
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        return None

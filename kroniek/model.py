"""Data classes shared by every part of Kroniek: dates, raw articles, structure and annotations.

All spans are Python string offsets into the article text exactly as it was read (see ../shared/eval/FORMAT.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from kroniek.errors import DateError


class Precision(StrEnum):
    """How much of an article date is known."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, order=True)
class ArticleDate:
    """A publication date known to a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise DateError("a day without a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"impossible month {self.month:02d} in {self.year}-{self.month:02d}")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateError(f"impossible day {self.year}-{self.month:02d}-{self.day:02d} "
                                f"({calendar.month_name[self.month]} {self.year} has {last} days)")

    @classmethod
    def parse(cls, value: str) -> ArticleDate:
        """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (also a full ISO timestamp, whose date part is kept)."""
        text = value.strip()
        if "T" in text and len(text) > 10:
            text = text.split("T", 1)[0]
        elif " " in text and len(text) > 10:
            text = text.split(" ", 1)[0]
        m = _DATE_RE.match(text)
        if not m:
            raise DateError(f"cannot read date {value!r}; write YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in m.groups())
        assert year is not None
        return cls(year, month, day)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def first_day(self) -> dt.date:
        """The first day of the period the date stands for."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        """The last day of the period the date stands for."""
        if self.day is not None:
            return self.first_day
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()


@dataclass(frozen=True)
class Origin:
    """Where a record was read: file (or '<stdin>') and 1-based line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class RawArticle:
    """An article as a reader produced it, before structure and analysis."""

    text: str
    date: ArticleDate | None
    id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None


@dataclass(frozen=True)
class Span:
    """A stretch of the article text, as offsets."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start:self.end]


@dataclass(frozen=True)
class Reference:
    """A pointer to another article, such as a 'Lees ook:' line."""

    start: int
    end: int
    text: str
    kind: str = "lees-ook"


@dataclass
class Structure:
    """The layout of an article as offsets into its text."""

    paragraphs: list[Span] = field(default_factory=list)
    title: Span | None = None
    lede: Span | None = None
    subheadings: list[Span] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Structure:
        def span(x: dict[str, int] | None) -> Span | None:
            return Span(x["start"], x["end"]) if x else None

        return cls(
            paragraphs=[Span(p["start"], p["end"]) for p in d.get("paragraphs", [])],
            title=span(d.get("title")),
            lede=span(d.get("lede")),
            subheadings=[Span(p["start"], p["end"]) for p in d.get("subheadings", [])],
            references=[Reference(**r) for r in d.get("references", [])],
        )


@dataclass(frozen=True)
class EntityMention:
    """A named entity in one article; `canonical` is the article-level (and archive-level) name it stands for."""

    start: int
    end: int
    text: str
    label: str  # PER, ORG, LOC, MISC
    canonical: str | None = None


@dataclass(frozen=True)
class Quote:
    """A quotation: what was said, by whom (as mentioned and as resolved), with which cue."""

    start: int
    end: int
    text: str
    kind: str  # direct, partial, indirect
    cue: str = ""
    speaker_mention: str = ""
    speaker: str = ""
    speaker_start: int | None = None
    speaker_end: int | None = None


@dataclass(frozen=True)
class TimeExpression:
    """A time expression normalised against the article date (TIMEX3 type and value)."""

    start: int
    end: int
    text: str
    type: str  # DATE, TIME, DURATION, SET
    value: str
    sentence_start: int | None = None
    sentence_end: int | None = None
    # the calendar period the value names (first and last day), worked out once where the value is made (the NLP
    # layer); None for durations, sets, vague references and values that name no fixed period
    period: tuple[dt.date, dt.date] | None = None


@dataclass
class Analysis:
    """Everything Kroniek reads from one article; serialises to the analysis format of FORMAT.md."""

    id: str
    date: ArticleDate | None
    text: str
    language: str = "nl"
    structure: Structure = field(default_factory=Structure)
    entities: list[EntityMention] = field(default_factory=list)
    timexes: list[TimeExpression] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    sentences: list[Span] = field(default_factory=list)

    def to_format(self) -> dict[str, Any]:
        """The analysis as one object of the scorer's JSON Lines format."""
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date.precision.value if self.date else None,
            "language": self.language,
            "text": self.text,
            "entities": [{"start": e.start, "end": e.end, "text": e.text, "label": e.label,
                          **({"canonical": e.canonical} if e.canonical else {})} for e in self.entities],
            "timexes": [{"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
                        for t in self.timexes],
            "quotes": [{"start": q.start, "end": q.end, "text": q.text, "kind": q.kind, "cue": q.cue,
                        "speaker_mention": q.speaker_mention, "speaker": q.speaker} for q in self.quotes],
            "references": [asdict(r) for r in self.structure.references],
            "subheadings": [{"start": s.start, "end": s.end, "text": s.of(self.text)}
                            for s in self.structure.subheadings],
        }


# --- what the archive stores -----------------------------------------------------------------------------------

# The input formats the readers take (kroniek.ingest.readers).
INPUT_FORMATS = ("dated", "jsonl", "csv")
# The analysis stages, stored and re-run separately.
STAGES = ("entities", "quotes", "timexes")
# What can be exported (`Archive.export`): the articles a query selects, or the entities, quotations, timeline
# events and stories of those articles; one row each (the columns per kind are in kroniek/export.py and
# docs/export.md).
EXPORT_KINDS = ("articles", "entities", "quotes", "timeline", "stories")
# The largest article (and largest input line) read by default; a longer one is quarantined.
DEFAULT_MAX_ARTICLE_BYTES = 64 * 1024 * 1024


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
    story_id: str | None = None  # the story the article belongs to, once stories were detected
    # the other places the same text came from (source, url, origin_file, origin_line)
    other_sources: list[dict[str, Any]] = field(default_factory=list)
    # the archived article each "Lees ook" reference points to, by the reference's start offset (where resolved)
    reference_targets: dict[int, LinkedArticle] = field(default_factory=dict)
    # the articles whose references point to this one, and the articles related to it (see Archive.related)
    referenced_by: list[LinkedArticle] = field(default_factory=list)
    related: list[LinkedArticle] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, structure as offsets; each reference with the article it
        points to, `article_id` and `article`, or None; the articles that point to it and those related to it)."""
        d = asdict(self)
        for name in ("reference_targets", "referenced_by", "related"):
            d.pop(name)
        d["date"] = self.date.isoformat() if self.date else None
        d["date_precision"] = self.date.precision.value if self.date else None
        d["structure"] = self.structure.to_dict()
        for ref in d["structure"].get("references", []):
            target = self.reference_targets.get(ref["start"])
            ref["article_id"] = target.id if target else None
            ref["article"] = target.to_dict() if target else None
        d["referenced_by"] = [a.to_dict() for a in self.referenced_by]
        d["related"] = [a.to_dict() for a in self.related]
        d["headline"] = headline(self)
        return d


@dataclass
class Link:
    """A "Lees ook" reference of one article (`source_id`, offsets and text) and the archived article it points
    to (`target_id`, with the `score` of the match), as the store keeps it.

    Every reference is stored with its article, not tried yet (`tried`); once tried it has its lookup keys (the
    reference's title key and head without spaces, see kroniek.references) and a target where one matched.
    """

    source_id: str
    start: int
    end: int
    text: str
    target_id: str | None = None
    score: float | None = None
    key: str | None = None
    head: str | None = None
    tried: bool = False
    id: int | None = None


@dataclass(frozen=True)
class LinkedArticle:
    """Another article as an article's page lists it: its id, headline and date, and how the two are related.

    `relation`: "reference" (this article points to it), "referenced-by" (it points to this article), "story" (it
    comes just before or after it in its story) or "similar" (it shares names and title words); `text` is the reference's text for the first two; `score` how well the
    reference matched the title (0-100), or the search score of a similar article.
    """

    id: str
    title: str
    date: str | None
    relation: str
    text: str = ""
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# A headline longer than this is cut at a word and ends in an ellipsis.
HEADLINE_CHARS = 120
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’]*\s+(?=[\"'“‘(]*[A-Z0-9À-Ý])|\n")


def headline(article: StoredArticle) -> str:
    """What heads an article wherever it is listed: its title, else the title line its structure found, else its
    first sentence (at most HEADLINE_CHARS characters, cut at a word)."""
    if article.title and article.title.strip():
        return " ".join(article.title.split())
    st, text = article.structure, article.text
    if st.title is not None:
        line = text[st.title.start:st.title.end]
    else:
        return text_headline(text, st.paragraphs[0].start if st.paragraphs else 0)
    return _cut_headline(line)


def text_headline(text: str, start: int = 0) -> str:
    """The headline of an untitled text: its first sentence from `start` (at most HEADLINE_CHARS characters)."""
    body = text[start:start + 4 * HEADLINE_CHARS].lstrip()
    cut = _FIRST_SENTENCE.search(body)
    return _cut_headline(body[:cut.start()] if cut else body)


def _cut_headline(line: str) -> str:
    line = " ".join(line.split())
    if len(line) > HEADLINE_CHARS:
        line = line[:HEADLINE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return line


# --- months ------------------------------------------------------------------------------------------------------

def month_code(date: ArticleDate) -> int:
    """The month an article falls in as one number, YYYYMM; an article dated only by its year has month 00.

    The one month encoding of Kroniek: the index's month facet holds it, and `month_text` reads it back in the
    form the store's counts per month use."""
    return date.year * 100 + (date.month or 0)


def month_text(code: int) -> str:
    """"YYYY-MM" for a month code, "YYYY" for a year-only one."""
    year, month = divmod(code, 100)
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


# --- names ------------------------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Text folded to lower-case ASCII (accents dropped), the form in which names are compared; a text with no
    letters or digits left after that (a name in another script) is only case-folded."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return ascii_text if any(c.isalnum() for c in ascii_text) else text.casefold()


_NAME_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")


def name_words(name: str) -> list[str]:
    """The words of a name, folded, with the parts of a hyphenated name as words ("Zijlaard-Van Moorsel" ->
    zijlaard, van, moorsel)."""
    return [fold(w) for w in _NAME_SPLIT.split(name) if w and fold(w)]


def name_key(name: str) -> str:
    """The key under which the archive keeps the names that may be one entity together: the last word of the name,
    folded ("Stef Blok", "Blok" and "Minister Blok" -> "blok"). The store keeps it with each entity row; entity
    resolution (`kroniek.entities`) compares only names that share it."""
    words = name_words(name)
    return words[-1] if words else fold(name).strip()


@dataclass(frozen=True)
class EntityLink:
    """Where entity resolution puts the mentions of one stored entity row (a name and label as an article's
    analysis gave them): the archive entity, known by its name and label, that they belong to, in every article of
    the row (`article_id` None) or in one article only, and why (empty: the row is that entity itself)."""

    base_id: int
    canonical: str
    label: str
    reason: str = ""
    article_id: str | None = None


# --- what the archive is asked and answers ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Facet filters chosen by the user: each narrows a search to one value (see `search.query.combined`)."""

    source: str | None = None
    entity: str | None = None
    speaker: str | None = None
    month: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in (("source", self.source), ("entity", self.entity),
                                    ("speaker", self.speaker), ("month", self.month)) if v]


Item = TypeVar("Item")


@dataclass
class Listing(Generic[Item]):
    """One page of a list the archive answers with: the items, how many the list holds over all its pages, and
    which page this is (`offset` items skipped, at most `limit` on a page). Every list is paged alike."""

    items: list[Item]
    total: int
    offset: int
    limit: int

    @property
    def more(self) -> int:
        """How many items follow this page."""
        return max(0, self.total - self.offset - len(self.items))

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "offset": self.offset, "limit": self.limit,
                "items": [i.to_dict() if hasattr(i, "to_dict") else i for i in self.items]}


@dataclass
class EntityDetail:
    """One entity across the archive: its names, how often and when it is mentioned, and who is named with it."""

    id: int
    canonical: str
    label: str
    variants: list[str]
    mentions: int
    articles: int
    by_month: list[dict[str, Any]]  # month ("YYYY-MM" or "YYYY"), mentions, articles
    co_occurring: list[dict[str, Any]]  # id, canonical, label, articles
    stories: list[dict[str, Any]] = field(default_factory=list)  # the stories that name it most: StoryRow + articles
    quotes_about: list[dict[str, Any]] = field(default_factory=list)  # quotations that name it (by others)
    # each name it was merged from and why: variant, label, articles, reason (see `Archive.entity`)
    merges: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SpeakerDetail:
    """A speaker's quotations in time order (one page), with the entity the name stands for when the archive
    knows it."""

    name: str
    entity: EntityDetail | None
    quotes: Listing[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "speaker": self.entity.to_dict() if self.entity else None,
                "quotes": self.quotes.to_dict()}


@dataclass
class Timeline(Listing[dict[str, Any]]):
    """Time expressions on the calendar in the order of the time they name, one page of them (the items are its
    events).

    For an entity, an event is a time expression in a sentence that names it; when no sentence does, the
    timeline widens to the time expressions of the articles that name it (`widened`)."""

    entity: EntityDetail | None = None
    widened: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "widened": self.widened,
                "entity": self.entity.to_dict() if self.entity else None}


# --- stories -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryRow:
    """A story as the store keeps it: known by the id of its first article; its title is the headline of its most
    representative article (`title_article`); dates are the first days of its first and latest articles' periods
    (ISO); `keywords` are the heaviest stems of its profile."""

    id: str
    title: str
    title_article: str
    first_date: str
    last_date: str
    size: int
    keywords: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["keywords"] = list(self.keywords)
        return d


@dataclass
class StoryDetail:
    """One story with its articles in date order, the names and speakers it is about, the number of its articles
    per month (for a chart), and the time expressions of its articles on the calendar."""

    story: StoryRow
    articles: list[dict[str, Any]]  # id, date, headline, source, score
    entities: list[dict[str, Any]]  # id, canonical, label, articles
    speakers: list[dict[str, Any]]  # speaker, quotes
    by_month: list[dict[str, Any]]  # month, articles
    timeline: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {**self.story.to_dict(), "articles": self.articles, "entities": self.entities,
                "speakers": self.speakers, "by_month": self.by_month, "timeline": self.timeline}

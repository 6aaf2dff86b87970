"""The API's own models: what a client sees, kept apart from the stored rows so internal fields never leak."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

Item = TypeVar("Item")


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    hint: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The one error shape of every endpoint."""

    error: ErrorBody


class ListPage(BaseModel, Generic[Item]):
    """One page of a list: every list endpoint answers in this shape, and pages with `limit` and `offset`."""

    total: int = Field(description="how many items the list holds over all its pages")
    offset: int = Field(description="items skipped before this page")
    limit: int = Field(description="the most items a page holds")
    items: list[Item]


class Health(BaseModel):
    status: str
    version: str
    articles: int
    writable: bool


class SpanOut(BaseModel):
    start: int
    end: int


class LinkedOut(BaseModel):
    """Another article, as an article lists it: one it points to, one that points to it, or a related one."""

    id: str
    title: str = Field(description="the article's headline")
    date: str | None
    relation: str = Field(description="reference (this article points to it), referenced-by (it points to this "
                                      "article), story (just before or after it in its story) or similar (it "
                                      "shares names and headline words)")
    text: str = Field("", description="the text of the reference (for reference and referenced-by)")
    score: float | None = Field(None, description="how well the reference matched the title (0-100), or the "
                                                  "search score of a similar article")


class ReferenceOut(BaseModel):
    start: int
    end: int
    text: str
    kind: str
    article_id: str | None = Field(None, description="the archived article this reference points to, if found")
    article: LinkedOut | None = Field(None, description="that article: id, headline, date and the match's score")


class StructureOut(BaseModel):
    title: SpanOut | None = None
    lede: SpanOut | None = None
    paragraphs: list[SpanOut] = []
    subheadings: list[SpanOut] = []
    references: list[ReferenceOut] = []


class MentionOut(BaseModel):
    start: int
    end: int
    text: str
    label: str
    canonical: str | None = None
    entity_id: int | None = None


class QuoteOut(BaseModel):
    start: int
    end: int
    text: str
    kind: str
    cue: str | None = None
    speaker_mention: str | None = None
    speaker: str | None = None
    speaker_entity_id: int | None = None


class TimexOut(BaseModel):
    start: int
    end: int
    text: str
    type: str
    value: str
    ref_start: str | None = Field(None, description="first day of the period the value names")
    ref_end: str | None = Field(None, description="last day of the period the value names")


class ArticleOut(BaseModel):
    id: str
    date: str | None
    date_precision: str | None
    title: str | None
    source: str | None
    url: str | None
    language: str
    text: str
    structure: StructureOut
    entities: list[MentionOut]
    quotes: list[QuoteOut]
    timexes: list[TimexOut]
    analyses: dict[str, str] = Field(description="analysis stage -> pipeline version")
    referenced_by: list[LinkedOut] = Field([], description="the articles whose references point to this one, "
                                                           "newest first")
    related: list[LinkedOut] = Field([], description="up to five related articles: those linked to this one "
                                                     "either way, its neighbours in its story, then the nearest "
                                                     "by shared names and words")


class FacetBucket(BaseModel):
    value: str
    count: int
    label: str | None = None


class HitOut(BaseModel):
    id: str
    score: float
    date: str | None
    title: str
    source: str | None
    snippet: str = Field(description="HTML: escaped text with <mark> around matched words")
    title_html: str = ""


class SearchOut(BaseModel):
    query: str
    total: int
    offset: int
    limit: int
    sort: str
    hits: list[HitOut]
    facets: dict[str, list[FacetBucket]]


class EntityOut(BaseModel):
    id: int
    canonical: str
    label: str
    mentions: int
    articles: int


class EntityMonth(BaseModel):
    month: str | None
    mentions: int
    articles: int


class CoEntity(BaseModel):
    id: int
    canonical: str
    label: str
    articles: int


class StoryOut(BaseModel):
    id: str = Field(description="the id of the story's first article")
    title: str = Field(description="the headline of the story's most representative article")
    title_article: str
    first_date: str
    last_date: str
    size: int = Field(description="the number of its articles")
    keywords: list[str] = Field(description="the heaviest stems of the story's profile")


class StoryOfEntity(StoryOut):
    articles_naming: int = Field(description="how many of the story's articles name the entity")


class StoryArticle(BaseModel):
    id: str
    date: str | None
    headline: str
    source: str | None
    score: float = Field(description="the score with which the article joined the story (1 for its first)")


class StoryEntity(BaseModel):
    id: int
    canonical: str
    label: str
    articles: int


class StorySpeaker(BaseModel):
    speaker: str
    quotes: int


class StoryMonth(BaseModel):
    month: str
    articles: int


class StoryDetail(StoryOut):
    articles: list[StoryArticle]
    entities: list[StoryEntity]
    speakers: list[StorySpeaker]
    by_month: list[StoryMonth]
    timeline: list[dict[str, Any]]


class QuoteInArticle(BaseModel):
    article_id: str
    article_date: str | None
    article_title: str | None
    start: int
    end: int
    text: str
    kind: str
    cue: str | None = None
    speaker_mention: str | None = None
    speaker: str | None = None
    speaker_entity_id: int | None = None


class EntityMerge(BaseModel):
    variant: str = Field(description="a name (or a shorter form of it) the entity was put together from")
    label: str = Field(description="the label that name had in those articles")
    articles: int
    reason: str = Field(description="why it is this entity: e.g. the surname of the only person of that name, "
                                    "label drift, or the full name in the same article")


class EntityDetail(EntityOut):
    variants: list[str]
    merges: list[EntityMerge] = Field(default=[], description="the names merged into the entity and why")
    by_month: list[EntityMonth]
    co_occurring: list[CoEntity]
    stories: list[StoryOfEntity] = []
    quotes_about: list[QuoteInArticle] = Field(default=[], description="quotations by others that name it")


class SpeakerOut(BaseModel):
    speaker: str
    speaker_entity_id: int | None = None
    quotes: int
    articles: int


class SpeakerDetail(BaseModel):
    speaker: EntityDetail | None = Field(None, description="the speaker as a named entity, when known as one")
    name: str
    quotes: ListPage[QuoteInArticle] = Field(description="one page of the speaker's quotations, in time order")


class EventEntity(BaseModel):
    id: int
    canonical: str
    label: str


class TimelineEvent(BaseModel):
    article_id: str
    article_date: str | None
    article_title: str | None
    start: int
    end: int
    text: str
    type: str
    value: str
    ref_start: str
    ref_end: str
    sentence: str
    entities: list[EventEntity]


class TimelineOut(ListPage[TimelineEvent]):
    """One page of the timeline; for an entity, whether it was widened to the articles that name it."""

    widened: bool = Field(description="no sentence names the entity beside a time expression: these are the events "
                                      "of the articles that name it")
    entity: EntityDetail | None = Field(None, description="the entity asked for, when one was")


class QuarantineOut(BaseModel):
    id: int
    file: str | None
    line: int | None
    reason: str
    raw: str = Field(description="the start of the record as it was read")
    raw_chars: int = Field(description="the length of the whole record, in characters")
    at: str


class IngestArticle(BaseModel):
    """One article to ingest: what the archive reads from a record (the request body as a whole is bounded)."""

    text: str = Field(min_length=1)
    date: str = Field(min_length=4, description="YYYY, YYYY-MM or YYYY-MM-DD")
    id: str | None = Field(None, description="the article's id; by default one made from its text")
    title: str | None = None
    source: str | None = None
    url: str | None = None


class IngestRequest(BaseModel):
    """Articles to ingest. Each is read on its own, as a line of a JSON Lines file is: one that cannot be read (no
    text, an impossible date, a field of the wrong type) is quarantined with its reason and the rest go in."""

    articles: list[dict[str, Any]] = Field(
        min_length=1, description="articles as JSON objects with the fields of IngestArticle; other fields are kept "
                                  "as the article's metadata",
        json_schema_extra={"items": IngestArticle.model_json_schema()})
    analyze: bool = Field(True, description="run the NLP pipeline over the new articles")


class IngestOut(BaseModel):
    new: int
    duplicates: int
    quarantined: int
    not_dutch: int
    analysed: int
    new_ids: list[str]
    errors: list[str]

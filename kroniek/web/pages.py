"""The web UI: server-rendered pages over the same archive calls as the API; every page works without JavaScript."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from kroniek.errors import NotFound
from kroniek.model import EntityDetail, EntityMention, Filters, Listing, Quote, TimeExpression, headline
from kroniek.server.deps import MAX_NAME, MAX_OFFSET, ArchiveDep, QueryDep
from kroniek.web import charts
from kroniek.web.markup import Links, marks_for, render
from kroniek.web.render import (
    article_url,
    entity_url,
    page,
    pager,
    search_url,
    speaker_url,
    story_url,
    text_for,
)

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Name = Annotated[str | None, Query(max_length=MAX_NAME)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
PAGE = 20
LIST_PAGE = 50  # names, speakers
QUOTES_PAGE = 100
TIMELINE_PAGE = 300


@router.get("/")
@router.get("/search")
def search_page(request: Request, archive: ArchiveDep, q: QueryDep, source: Name = None, entity: Name = None,
                speaker: Name = None, month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
                sort: Literal["relevance", "date", "date-asc"] = "relevance", exact: bool = False,
                offset: Offset = 0) -> HTMLResponse:
    """Search with facets (a chart of articles per month, sources, entities, speakers) and highlighted snippets."""
    filters = Filters(source=source, entity=entity, speaker=speaker, month=month)
    result = archive.search(q, limit=PAGE, offset=offset, sort=sort, facets=True, filters=filters, exact=exact)
    state = {"q": q, **dict(filters.items()), "sort": sort if sort != "relevance" else None,
             "exact": "true" if exact else None}

    def narrowed(**change: Any) -> str:
        return search_url(**{**state, **change})

    months = {f.value: f.count for f in result.facets.get("month", [])}
    chart = charts.bar_chart(charts.month_bars(months, lambda m: narrowed(month=m)),
                             title=text_for(request, "facet.months"), unit="")
    return page(request, "search.html", q=q, result=result, filters=filters.items(), state=state,
                narrowed=narrowed, chart=chart, offset=offset, page_size=PAGE, sort=sort, exact=exact)


@router.get("/articles/{article_id:path}")
def article_page(request: Request, archive: ArchiveDep,
                 article_id: Annotated[str, Path(min_length=1, max_length=200)]) -> HTMLResponse:
    """An article with its entities, quotations (with speakers) and time expressions (with values) marked."""
    art = archive.get_article(article_id)
    text = art.text
    marks = marks_for([EntityMention(e["start"], e["end"], e["text"], e["label"], e["canonical"])
                       for e in art.entities],
                      [Quote(q["start"], q["end"], q["text"], q["kind"], q["cue"] or "", q["speaker_mention"] or "",
                             q["speaker"] or "") for q in art.quotes],
                      [TimeExpression(t["start"], t["end"], t["text"], t["type"], t["value"]) for t in art.timexes],
                      Links(entity=entity_url, speaker=speaker_url),
                      said_by=text_for(request, "article.said_by"))
    blocks: list[tuple[int, str, Any, Any]] = []
    st = art.structure
    for p in st.paragraphs:
        blocks.append((p.start, "p", render(text, marks, p.start, p.end), None))
    for s in st.subheadings:
        blocks.append((s.start, "h2", render(text, marks, s.start, s.end), None))
    for r in st.references:
        # The line's lead-in ("Lees ook:") is not part of the reference but belongs on the page.
        line_start = text.rfind("\n", 0, r.start) + 1
        lead = text[line_start:r.start] if r.start - line_start <= 40 else ""
        # a reference found in the archive is itself a link: its text is drawn without links of its own
        target = art.reference_targets.get(r.start)
        blocks.append((r.start, "ref", render(text, marks, r.start, r.end, links=not target), (lead, target)))
    if not blocks:
        blocks.append((0, "p", render(text, marks, 0, len(text)), None))
    blocks.sort(key=lambda b: b[0])
    title = render(text, marks, st.title.start, st.title.end) if st.title else headline(art)
    entities: dict[tuple[str, str], int] = {}
    for e in art.entities:
        key = (e["canonical"] or e["text"], e["label"])
        entities[key] = entities.get(key, 0) + 1
    story_title = archive.story_summary(art.story_id).title if art.story_id else None
    return page(request, "article.html", art=art, title=title, headline=headline(art), blocks=blocks,
                story_title=story_title,
                entities=sorted(entities.items(), key=lambda kv: (-kv[1], kv[0])))


@router.get("/entities")
def entities_page(request: Request, archive: ArchiveDep,
                  label: Literal["PER", "ORG", "LOC", "MISC"] | None = None, q: Name = None,
                  offset: Offset = 0) -> HTMLResponse:
    """The archive's entities, most mentioned first."""
    found = archive.entities(label=label, limit=LIST_PAGE, offset=offset, query=q or None)
    return page(request, "entities.html", rows=found.items, total=found.total, label=label, q=q or "",
                pager=pager(found, "/entities", label=label, q=q))


def _entity_page(request: Request, archive: Any, ent: EntityDetail | None, name: str, quotes: Listing[Any],
                 path: str, speaker_view: bool) -> HTMLResponse:
    months = {m["month"]: m["mentions"] for m in ent.by_month if m["month"]} if ent else {}
    chart = charts.bar_chart(charts.month_bars(months, lambda m: search_url(entity=name, month=m)),
                             title=text_for(request, "entity.per_month"))
    return page(request, "entity.html", ent=ent, name=name, quotes=quotes.items, pager=pager(quotes, path),
                chart=chart, speaker_view=speaker_view)


@router.get("/entities/{key}")
def entity_page(request: Request, archive: ArchiveDep,
                key: Annotated[str, Path(min_length=1, max_length=MAX_NAME)], offset: Offset = 0) -> HTMLResponse:
    """An entity: quotations over time (when it speaks), co-occurring entities, mentions per month."""
    ent = archive.entity(key)
    quotes = (archive.quotes(speaker=ent.canonical, limit=QUOTES_PAGE, offset=offset) if ent.label == "PER"
              else Listing([], 0, offset, QUOTES_PAGE))
    return _entity_page(request, archive, ent, ent.canonical, quotes, entity_url(key), speaker_view=False)


@router.get("/speakers")
def speakers_page(request: Request, archive: ArchiveDep, offset: Offset = 0) -> HTMLResponse:
    """The most quoted speakers."""
    found = archive.speakers(limit=LIST_PAGE, offset=offset)
    return page(request, "speakers.html", rows=found.items, total=found.total, pager=pager(found, "/speakers"))


@router.get("/speakers/{name}")
def speaker_page(request: Request, archive: ArchiveDep,
                 name: Annotated[str, Path(min_length=1, max_length=MAX_NAME)],
                 offset: Offset = 0) -> HTMLResponse:
    """A speaker: quotations over time, co-occurring entities, mentions per month."""
    detail = archive.speaker(name, QUOTES_PAGE, offset)
    return _entity_page(request, archive, detail.entity, detail.name, detail.quotes, speaker_url(name),
                        speaker_view=True)


@router.get("/timeline")
def timeline_page(request: Request, archive: ArchiveDep, q: QueryDep, entity: Name = None,
                  offset: Offset = 0) -> HTMLResponse:
    """What happened when, for a query or an entity (the archive's one rule: the sentences that name the entity,
    else the articles that do)."""
    try:
        timeline = archive.timeline(q, entity or None, TIMELINE_PAGE, offset)
    except NotFound:  # a name the archive does not know: an empty timeline, headed by that name
        return page(request, "timeline.html", events=[], total=0, q=q, entity=entity or "", what=entity,
                    widened=False, pager={})
    what = timeline.entity.canonical if timeline.entity else q
    return page(request, "timeline.html", events=timeline.items, total=timeline.total, q=q, entity=entity or "",
                what=what, widened=timeline.widened, pager=pager(timeline, "/timeline", q=q, entity=entity))


@router.get("/stories")
def stories_page(request: Request, archive: ArchiveDep, q: QueryDep, offset: Offset = 0) -> HTMLResponse:
    """Stories, latest first (or those with an article the query matches), with their spans and sizes."""
    found = archive.stories(q, limit=PAGE * 2, offset=offset)
    return page(request, "stories.html", rows=found.items, total=found.total, q=q,
                pager=pager(found, "/stories", q=q))


@router.get("/stories/{story_id:path}")
def story_page(request: Request, archive: ArchiveDep,
               story_id: Annotated[str, Path(min_length=1, max_length=200)]) -> HTMLResponse:
    """A story: a chart of its articles per month, its articles, names, speakers and timeline."""
    detail = archive.story(story_id)
    months = {m["month"]: m["articles"] for m in detail.by_month}
    chart = charts.bar_chart(charts.month_bars(months, lambda m: search_url(q=f"story:{story_id}", month=m)),
                             title=text_for(request, "story.per_month"))
    return page(request, "story.html", s=detail.story, detail=detail, chart=chart)


__all__ = ["router", "article_url", "story_url"]

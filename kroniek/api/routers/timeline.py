"""The timeline: time expressions placed on the calendar, for an entity, a query, or the whole archive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kroniek.api.deps import MAX_NAME, ArchiveDep, QueryDep
from kroniek.api.schemas import TimelineEvent
from kroniek.api.search_query import matching_ids

router = APIRouter(tags=["timeline"])

# A query's timeline is drawn from at most this many matching articles.
MAX_TIMELINE_ARTICLES = 500


def timeline_events(archive: Any, q: str, entity: str | None, limit: int) -> list[TimelineEvent]:
    """The events for a query and/or an entity (shared with the web page)."""
    ids = list(matching_ids(archive, q, MAX_TIMELINE_ARTICLES)) if q.strip() else None
    rows = archive.timeline(entity=entity or None, article_ids=ids, limit=limit)
    return [TimelineEvent.model_validate(r) for r in rows]


@router.get("/timeline", response_model=list[TimelineEvent])
def timeline(archive: ArchiveDep, q: QueryDep,
             entity: Annotated[str | None, Query(max_length=MAX_NAME, description="an entity id or name")] = None,
             limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[TimelineEvent]:
    """What happened when: time expressions in calendar order with their sentence and the entities in it."""
    return timeline_events(archive, q, entity, limit)

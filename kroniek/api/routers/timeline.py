"""The timeline: time expressions placed on the calendar, for an entity, a query, or the whole archive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kroniek.api.schemas import ErrorResponse, TimelineEvent
from kroniek.server.deps import MAX_NAME, ArchiveDep, QueryDep

router = APIRouter(tags=["timeline"])


@router.get("/timeline", response_model=list[TimelineEvent], responses={404: {"model": ErrorResponse}})
def timeline(archive: ArchiveDep, q: QueryDep,
             entity: Annotated[str | None, Query(max_length=MAX_NAME, description="an entity id or name")] = None,
             limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[TimelineEvent]:
    """What happened when: time expressions in calendar order with their sentence and the entities in it. For an
    entity, the sentences that name it, or (when none does) the articles that name it."""
    return [TimelineEvent.model_validate(e) for e in archive.timeline(q, entity or None, limit).events]

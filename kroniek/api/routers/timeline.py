"""The timeline: time expressions placed on the calendar, for an entity, a query, or the whole archive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kroniek.api.schemas import ErrorResponse, TimelineOut
from kroniek.server.deps import MAX_NAME, ArchiveDep, PageDep, QueryDep

router = APIRouter(tags=["timeline"])


@router.get("/timeline", response_model=TimelineOut, responses={404: {"model": ErrorResponse}})
def timeline(archive: ArchiveDep, q: QueryDep, page: PageDep,
             entity: Annotated[str | None, Query(max_length=MAX_NAME, description="an entity id or name")] = None,
             ) -> TimelineOut:
    """What happened when: time expressions in calendar order with their sentence and the entities in it, one
    page of them. For an entity, the sentences that name it, or (when none does) the articles that name it."""
    found = archive.timeline(q, entity or None, page.limit, page.offset)
    return TimelineOut.model_validate(found.to_dict())

"""Stories: the threads that articles form over time, as the archive detects them (see docs/stories.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from kroniek.api.schemas import ErrorResponse, ListPage, StoryDetail, StoryOut
from kroniek.server.deps import MAX_NAME, ArchiveDep, PageDep, QueryDep

router = APIRouter(tags=["stories"])

StoryId = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="a story id, as the list gives it")]


@router.get("/stories", response_model=ListPage[StoryOut])
def stories(archive: ArchiveDep, page: PageDep, q: QueryDep = "",
            min_size: Annotated[int, Query(ge=1, le=1_000_000, description="at least this many articles")] = 2,
            ) -> ListPage[StoryOut]:
    """Stories, latest first: all of them, or those with an article the query matches."""
    found = archive.stories(q, limit=page.limit, offset=page.offset, min_size=min_size)
    return ListPage[StoryOut].model_validate(found.to_dict())


@router.get("/stories/{story_id}", response_model=StoryDetail, responses={404: {"model": ErrorResponse}})
def story(archive: ArchiveDep, story_id: StoryId) -> StoryDetail:
    """One story: its articles in date order, its names and speakers, its articles per month and its timeline."""
    return StoryDetail.model_validate(archive.story(story_id).to_dict())

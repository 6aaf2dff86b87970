"""Stories: groups of articles that follow one event, once the archive computes them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kroniek.api.deps import ArchiveDep, PageDep
from kroniek.api.errors import ApiError
from kroniek.api.schemas import ErrorResponse

router = APIRouter(tags=["stories"])


@router.get("/stories", response_model=list[dict[str, Any]], responses={501: {"model": ErrorResponse}})
def stories(archive: ArchiveDep, page: PageDep) -> list[dict[str, Any]]:
    """Stories in the archive, newest first."""
    finder = getattr(archive, "stories", None)
    if finder is None:
        raise ApiError(501, "not_implemented", "this archive does not compute stories yet")
    return list(finder(limit=page.limit, offset=page.offset))

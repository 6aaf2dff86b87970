"""Stories: groups of articles that follow one event, once the archive computes them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kroniek.server.deps import ArchiveDep, PageDep

router = APIRouter(tags=["stories"])


@router.get("/stories", response_model=list[dict[str, Any]])
def stories(archive: ArchiveDep, page: PageDep) -> list[dict[str, Any]]:
    """Stories in the archive, newest first; empty while the archive does not compute stories."""
    finder = getattr(archive, "stories", None)
    return list(finder(limit=page.limit, offset=page.offset)) if finder else []

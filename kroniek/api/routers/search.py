"""Search: a query in the Kroniek query language, facet filters, sorting, paging, and facets over all matches."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from kroniek.api.schemas import ErrorResponse, SearchOut
from kroniek.model import Filters
from kroniek.server.deps import MAX_NAME, ArchiveDep, PageDep, QueryDep

router = APIRouter(tags=["search"])

Sort = Literal["relevance", "date", "date-asc"]


@router.get("/search", response_model=SearchOut, responses={400: {"model": ErrorResponse}})
def search(archive: ArchiveDep, page: PageDep, q: QueryDep,
           source: Annotated[str | None, Query(max_length=MAX_NAME, description="only this source")] = None,
           entity: Annotated[str | None, Query(max_length=MAX_NAME, description="only articles naming this")] = None,
           speaker: Annotated[str | None, Query(max_length=MAX_NAME, description="only articles quoting this")]
           = None,
           month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="only this month (YYYY-MM)")]
           = None,
           sort: Sort = "relevance",
           exact: Annotated[bool, Query(description="match the words as written: no stemming, stop words kept")]
           = False,
           facets: bool = True) -> SearchOut:
    """Ranked search with highlighted snippets; facets count every match by month, source, entity and speaker."""
    filters = Filters(source=source, entity=entity, speaker=speaker, month=month)
    result = archive.search(q, limit=page.limit, offset=page.offset, sort=sort, facets=facets, filters=filters,
                            exact=exact)
    return SearchOut.model_validate(result, from_attributes=True)

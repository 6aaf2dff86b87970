"""Export: the articles of a query (or the whole archive) with their annotations, or their entities, quotations,
timeline events or stories, streamed as JSON Lines, CSV or Parquet."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from kroniek.api.schemas import ErrorResponse
from kroniek.export import MEDIA_TYPES, encode
from kroniek.model import Filters
from kroniek.server.deps import MAX_NAME, ArchiveDep, QueryDep, SettingsDep

router = APIRouter(tags=["export"])

# model.EXPORT_KINDS and export.FORMATS, spelled out for the OpenAPI schema
Kind = Literal["articles", "entities", "quotes", "timeline", "stories"]
Format = Literal["jsonl", "csv", "parquet"]


@router.get("/export", responses={200: {"content": {MEDIA_TYPES["jsonl"]: {}, MEDIA_TYPES["csv"]: {},
                                                    MEDIA_TYPES["parquet"]: {}},
                                        "description": "a stream of rows of one kind"},
                                  400: {"model": ErrorResponse}})
def export(archive: ArchiveDep, settings: SettingsDep, q: QueryDep,
           what: Annotated[Kind, Query(description="articles, or the entities, quotations, timeline events or "
                                                   "stories of those articles")] = "articles",
           format: Format = "jsonl",
           source: Annotated[str | None, Query(max_length=MAX_NAME, description="only articles of this source")]
           = None,
           entity: Annotated[str | None, Query(max_length=MAX_NAME, description="only articles naming this")] = None,
           speaker: Annotated[str | None, Query(max_length=MAX_NAME, description="only articles quoting this")]
           = None,
           month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="only this month (YYYY-MM)")]
           = None,
           exact: Annotated[bool, Query(description="match the words as written: no stemming, stop words kept")]
           = False,
           limit: Annotated[int | None, Query(ge=1, le=1_000_000, description="at most this many rows")] = None,
           ) -> StreamingResponse:
    """The articles matching `q` and the filters (all when none is given; newest first for a query) with their
    annotations, or the entities, quotations, timeline events or stories of those articles; Parquet comes a row
    group at a time."""
    most = min(limit or settings.max_export_rows, settings.max_export_rows)
    filters = Filters(source=source, entity=entity, speaker=speaker, month=month)
    # a bad query is an error response here, not a broken stream
    rows = archive.export(q, what=what, most=most, exact=exact, filters=filters)
    name = f"kroniek-{what}.{format}"
    return StreamingResponse(encode(rows, what, format), media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})

"""Export: articles with their annotations, streamed as JSON Lines or CSV, for a query or the whole archive."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from kroniek.api.schemas import ErrorResponse
from kroniek.export import export_lines
from kroniek.server.deps import ArchiveDep, QueryDep, SettingsDep

router = APIRouter(tags=["export"])

@router.get("/export", responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}},
                                        "description": "a stream of articles"},
                                  400: {"model": ErrorResponse}})
def export(archive: ArchiveDep, settings: SettingsDep, q: QueryDep,
           format: Literal["jsonl", "csv"] = "jsonl",
           limit: Annotated[int | None, Query(ge=1, le=1_000_000, description="at most this many articles")] = None,
           ) -> StreamingResponse:
    """Articles matching `q` (all when empty), newest first for a query, with their annotations."""
    most = min(limit or settings.max_export_rows, settings.max_export_rows)
    rows = archive.export(q, most=most)  # a bad query is an error response here, not a broken stream
    body = (line.encode() for line in export_lines(rows, format))
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    name = "kroniek-export." + format
    return StreamingResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

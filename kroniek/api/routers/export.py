"""Export: articles with their annotations, streamed as JSON Lines or CSV, for a query or the whole archive."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from itertools import islice
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from kroniek.api.deps import ArchiveDep, QueryDep, SettingsDep
from kroniek.api.schemas import ErrorResponse
from kroniek.api.search_query import matching_ids

router = APIRouter(tags=["export"])

CSV_COLUMNS = ["id", "date", "source", "title", "url", "language", "entities", "speakers", "timexes", "text"]


def _csv_row(row: dict[str, Any]) -> list[str]:
    ents = sorted({f"{e.get('canonical') or e['text']} ({e['label']})" for e in row.get("entities", [])})
    speakers = sorted({q["speaker"] for q in row.get("quotes", []) if q.get("speaker")})
    timexes = [f"{t['text']}={t['value']}" for t in row.get("timexes", [])]
    return [row.get("id") or "", row.get("date") or "", row.get("source") or "", row.get("title") or "",
            row.get("url") or "", row.get("language") or "", "; ".join(ents), "; ".join(speakers),
            "; ".join(timexes), row.get("text") or ""]


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        row.pop("meta", None)
        yield (json.dumps(row, ensure_ascii=False) + "\n").encode()


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(_csv_row(row))
        yield buf.getvalue().encode()
        buf.seek(0)
        buf.truncate()
    if buf.getvalue():
        yield buf.getvalue().encode()


@router.get("/export", responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}},
                                        "description": "a stream of articles"},
                                  400: {"model": ErrorResponse}})
def export(archive: ArchiveDep, settings: SettingsDep, q: QueryDep,
           format: Literal["jsonl", "csv"] = "jsonl",
           limit: Annotated[int | None, Query(ge=1, le=1_000_000, description="at most this many articles")] = None,
           ) -> StreamingResponse:
    """Articles matching `q` (all when empty), newest first for a query, with their annotations."""
    most = min(limit or settings.max_export_rows, settings.max_export_rows)
    if q.strip():
        # Run the first page now, so that a bad query is an error response and not a broken stream.
        ids = list(matching_ids(archive, q, most))
        rows: Iterator[dict[str, Any]] = archive.export_rows(ids)
    else:
        rows = islice(archive.export_rows(None), most)
    body = _jsonl(rows) if format == "jsonl" else _csv(rows)
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    name = "kroniek-export." + format
    return StreamingResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

"""Ingest over HTTP: POST articles with the configured bearer token; without a token the archive is read-only."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from kroniek.api.deps import ArchiveDep, SettingsDep, require_token
from kroniek.api.errors import ApiError
from kroniek.api.schemas import ErrorResponse, IngestOut, IngestRequest
from kroniek.errors import ModelError

router = APIRouter(tags=["ingest"])


@router.post("/ingest", response_model=IngestOut, dependencies=[Depends(require_token)],
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                        413: {"model": ErrorResponse}})
def ingest(archive: ArchiveDep, settings: SettingsDep, body: IngestRequest) -> IngestOut:
    """Add articles; the same text twice is one article, and unreadable records are quarantined."""
    if len(body.articles) > settings.max_ingest_articles:
        raise ApiError(413, "too_large", f"at most {settings.max_ingest_articles} articles per request")
    # Each object goes to the archive as a record (never a path); the archive quarantines those it cannot read.
    report = archive.ingest(list(body.articles))
    analysed = 0
    errors = list(report.errors)
    if body.analyze and report.new_ids:
        try:
            analysed = archive.analyze(report.new_ids)
        except ModelError as err:
            errors.append(f"stored but not analysed: {err}")
    return IngestOut(new=report.new, duplicates=report.duplicates, quarantined=report.quarantined,
                     not_dutch=report.not_dutch, analysed=analysed, new_ids=report.new_ids, errors=errors)

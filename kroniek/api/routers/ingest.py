"""Ingest over HTTP: POST articles with the configured bearer token; without a token the archive is read-only."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from kroniek.api.schemas import ErrorResponse, IngestOut, IngestRequest
from kroniek.server.deps import ArchiveDep, SettingsDep, require_token
from kroniek.server.errors import ApiError

router = APIRouter(tags=["ingest"])


@router.post("/ingest", response_model=IngestOut, dependencies=[Depends(require_token)],
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                        413: {"model": ErrorResponse}})
def ingest(archive: ArchiveDep, settings: SettingsDep, body: IngestRequest) -> IngestOut:
    """Add articles; the same text twice is one article, and unreadable records are quarantined."""
    if len(body.articles) > settings.max_ingest_articles:
        raise ApiError(413, "too_large", f"at most {settings.max_ingest_articles} articles per request")
    # Each object goes to the archive as a record (never a path); the archive quarantines those it cannot read.
    report = archive.ingest_and_analyze(list(body.articles), analyze=body.analyze)
    errors = list(report.errors)
    if report.not_analysed:
        errors.append(f"stored but not analysed: {report.not_analysed}")
    return IngestOut(new=report.new, duplicates=report.duplicates, quarantined=report.quarantined,
                     not_dutch=report.not_dutch, analysed=report.analysed, new_ids=report.new_ids, errors=errors)

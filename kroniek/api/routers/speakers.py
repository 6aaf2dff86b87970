"""Speakers and their quotations, in time order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from kroniek.api.schemas import ErrorResponse, QuoteInArticle, SpeakerDetail, SpeakerOut
from kroniek.server.deps import MAX_NAME, ArchiveDep, PageDep

router = APIRouter(tags=["speakers"])

SpeakerName = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="a speaker's name")]


@router.get("/speakers", response_model=list[SpeakerOut])
def speakers(archive: ArchiveDep, page: PageDep) -> list[SpeakerOut]:
    """The most quoted speakers with their quotation and article counts."""
    return [SpeakerOut.model_validate(s) for s in archive.speakers(limit=page.limit, offset=page.offset)]


@router.get("/speakers/{name}", response_model=SpeakerDetail, responses={404: {"model": ErrorResponse}})
def speaker(archive: ArchiveDep, name: SpeakerName, page: PageDep) -> SpeakerDetail:
    """One speaker's quotations over time."""
    return SpeakerDetail.model_validate(archive.speaker(name, page.limit, page.offset).to_dict())


@router.get("/quotes", response_model=list[QuoteInArticle])
def quotes(archive: ArchiveDep, page: PageDep,
           speaker: Annotated[str | None, Query(max_length=MAX_NAME)] = None) -> list[QuoteInArticle]:
    """Quotations in time order, optionally by one speaker."""
    rows = archive.quotes(speaker=speaker or None, limit=page.limit, offset=page.offset)
    return [QuoteInArticle.model_validate(q) for q in rows]

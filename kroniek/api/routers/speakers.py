"""Speakers and their quotations, in time order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from kroniek.api.schemas import ErrorResponse, ListPage, QuoteInArticle, SpeakerDetail, SpeakerOut
from kroniek.server.deps import MAX_NAME, ArchiveDep, PageDep

router = APIRouter(tags=["speakers"])

SpeakerName = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="a speaker's name")]


@router.get("/speakers", response_model=ListPage[SpeakerOut])
def speakers(archive: ArchiveDep, page: PageDep) -> ListPage[SpeakerOut]:
    """The most quoted speakers with their quotation and article counts."""
    return ListPage[SpeakerOut].model_validate(archive.speakers(limit=page.limit, offset=page.offset).to_dict())


@router.get("/speakers/{name}", response_model=SpeakerDetail, responses={404: {"model": ErrorResponse}})
def speaker(archive: ArchiveDep, name: SpeakerName, page: PageDep) -> SpeakerDetail:
    """One speaker's quotations over time, one page of them."""
    return SpeakerDetail.model_validate(archive.speaker(name, page.limit, page.offset).to_dict())


@router.get("/quotes", response_model=ListPage[QuoteInArticle])
def quotes(archive: ArchiveDep, page: PageDep,
           speaker: Annotated[str | None, Query(max_length=MAX_NAME)] = None) -> ListPage[QuoteInArticle]:
    """Quotations in time order, optionally by one speaker."""
    found = archive.quotes(speaker=speaker or None, limit=page.limit, offset=page.offset)
    return ListPage[QuoteInArticle].model_validate(found.to_dict())

"""Speakers and their quotations, in time order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from kroniek.api.deps import MAX_NAME, ArchiveDep, PageDep
from kroniek.api.schemas import EntityDetail, ErrorResponse, QuoteInArticle, SpeakerDetail, SpeakerOut
from kroniek.errors import NotFound

router = APIRouter(tags=["speakers"])

SpeakerName = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="a speaker's name")]


def speaker_detail(archive: Any, name: str, limit: int, offset: int) -> SpeakerDetail:
    """A speaker's quotations and, when the speaker is a known entity, that entity (shared with the web page)."""
    quotes = archive.quotes(speaker=name, limit=limit, offset=offset)
    try:
        ent = EntityDetail.model_validate(archive.entity(name))
    except NotFound:
        ent = None
    if not quotes and ent is None and offset == 0:
        raise NotFound(f"no speaker {name!r}", hint="list speakers at /api/speakers")
    return SpeakerDetail(name=ent.canonical if ent else name, speaker=ent,
                         quotes=[QuoteInArticle.model_validate(q) for q in quotes])


@router.get("/speakers", response_model=list[SpeakerOut])
def speakers(archive: ArchiveDep, page: PageDep) -> list[SpeakerOut]:
    """The most quoted speakers with their quotation and article counts."""
    return [SpeakerOut.model_validate(s) for s in archive.speakers(limit=page.limit, offset=page.offset)]


@router.get("/speakers/{name}", response_model=SpeakerDetail, responses={404: {"model": ErrorResponse}})
def speaker(archive: ArchiveDep, name: SpeakerName, page: PageDep) -> SpeakerDetail:
    """One speaker's quotations over time."""
    return speaker_detail(archive, name, page.limit, page.offset)


@router.get("/quotes", response_model=list[QuoteInArticle])
def quotes(archive: ArchiveDep, page: PageDep,
           speaker: Annotated[str | None, Query(max_length=MAX_NAME)] = None) -> list[QuoteInArticle]:
    """Quotations in time order, optionally by one speaker."""
    rows = archive.quotes(speaker=speaker or None, limit=page.limit, offset=page.offset)
    return [QuoteInArticle.model_validate(q) for q in rows]

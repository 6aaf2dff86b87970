"""Named entities: the list with counts, and one entity with its mentions per month and co-occurring entities."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from kroniek.api.schemas import EntityDetail, EntityOut, ErrorResponse, ListPage
from kroniek.server.deps import MAX_NAME, ArchiveDep, PageDep

router = APIRouter(tags=["entities"])

Label = Literal["PER", "ORG", "LOC", "MISC"]
EntityKey = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="an entity id, name or variant")]


@router.get("/entities", response_model=ListPage[EntityOut])
def entities(archive: ArchiveDep, page: PageDep, label: Label | None = None,
             q: Annotated[str | None, Query(max_length=MAX_NAME, description="names containing this")] = None,
             ) -> ListPage[EntityOut]:
    """Entities, most mentioned first."""
    found = archive.entities(label=label, limit=page.limit, offset=page.offset, query=q or None)
    return ListPage[EntityOut].model_validate(found.to_dict())


@router.get("/entities/{key}", response_model=EntityDetail, responses={404: {"model": ErrorResponse}})
def entity(archive: ArchiveDep, key: EntityKey) -> EntityDetail:
    """One entity: its variants and the names merged into it (with why), mentions per month and the entities that
    appear in the same articles."""
    return EntityDetail.model_validate(archive.entity(key).to_dict())

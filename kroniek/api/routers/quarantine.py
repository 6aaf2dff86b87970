"""The quarantine: the records that could not be read, with their file, line and reason."""

from __future__ import annotations

from fastapi import APIRouter

from kroniek.api.schemas import ListPage, QuarantineOut
from kroniek.server.deps import ArchiveDep, PageDep

router = APIRouter(tags=["quarantine"])

# A raw record can be as large as an article; a page shows the start of each.
RAW_CHARS = 2000


@router.get("/quarantine", response_model=ListPage[QuarantineOut])
def quarantine(archive: ArchiveDep, page: PageDep) -> ListPage[QuarantineOut]:
    """The records that could not be read, in the order they were quarantined (`kroniek quarantine --raw` prints
    them whole)."""
    found = archive.quarantined(limit=page.limit, offset=page.offset)
    items = [QuarantineOut(id=r.id or 0, file=r.file, line=r.line, reason=r.reason, raw=r.raw[:RAW_CHARS],
                           raw_chars=len(r.raw), at=r.at) for r in found.items]
    return ListPage[QuarantineOut](total=found.total, offset=found.offset, limit=found.limit, items=items)

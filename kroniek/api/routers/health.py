"""Health: is the archive open, how many articles, may it be written."""

from __future__ import annotations

from fastapi import APIRouter

from kroniek import __version__
from kroniek.api.schemas import Health
from kroniek.server.deps import ArchiveDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(archive: ArchiveDep, settings: SettingsDep) -> Health:
    """The server is up and its archive is open."""
    return Health(status="ok", version=__version__, articles=archive.count(), writable=settings.writable)

"""Settings of the API and web server: which archive, which limits, and the ingest token (if any)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kroniek.settings import Location, archive_location

TOKEN_ENV = "KRONIEK_TOKEN"


@dataclass(frozen=True)
class Settings:
    """What one server instance serves and how much one request may ask for."""

    archive_path: Location  # a SQLite file or a PostgreSQL URL
    # Without a token the archive is read-only: the ingest endpoint answers 403.
    token: str | None = None
    max_query_length: int = 500
    max_page_size: int = 100
    default_page_size: int = 20
    # Exports stream, but are still bounded so that one request cannot hold a worker for ever.
    max_export_rows: int = 100_000
    max_ingest_bytes: int = 5_000_000
    max_ingest_articles: int = 1000
    # POST /api/ingest waits this long for another writer (a CLI ingest, say) before it answers 503 and stores
    # nothing
    writer_wait_seconds: float = 30.0
    # the whole query string, however many parameters: a bound before any parameter is parsed
    max_query_string_bytes: int = 16_384
    # the search index's folder; None: the archive's own place (see kroniek.archive.index_path)
    index_path: Path | None = None

    @classmethod
    def from_env(cls, archive_path: str | Path, **overrides: Any) -> Settings:
        """Settings for an archive, the token taken from $KRONIEK_TOKEN unless given."""
        token = overrides.pop("token", None) or os.environ.get(TOKEN_ENV) or None
        return replace(cls(archive_location(archive_path), token=token), **overrides)

    @property
    def writable(self) -> bool:
        return bool(self.token)

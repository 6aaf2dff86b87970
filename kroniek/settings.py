"""Settings of the Kroniek core: where the archive is and how ingest batches and limits its input."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kroniek.model import DEFAULT_MAX_ARTICLE_BYTES

ARCHIVE_ENV = "KRONIEK_ARCHIVE"
DEFAULT_ARCHIVE = "kroniek.db"


def default_archive() -> Path:
    """The archive path from $KRONIEK_ARCHIVE, else `kroniek.db` in the working directory."""
    return Path(os.environ.get(ARCHIVE_ENV) or DEFAULT_ARCHIVE)


@dataclass
class CoreSettings:
    """Knobs of ingest and analysis; the defaults suit a laptop."""

    archive: Path = field(default_factory=default_archive)
    ingest_batch: int = 2000  # articles per ingest transaction
    # 1: read and prepare articles in the writing process; 2: in a second process beside it (more: with
    # workers - 2 preparing processes of its own); 0: a second process when there are two cores and a large input
    ingest_workers: int = 0
    # memory the search index may use while it builds (a budget for large ingests and reindexing)
    index_heap_mb: int = 1024
    # ingest makes new articles searchable (commits the search index) every so many articles, and at its end
    index_commit_every: int = 50_000
    # how long an ingest, analysis or reindex waits for another process that is writing to the same archive
    writer_wait: float = 3600.0
    analyze_batch: int = 64  # articles per analysis transaction (and per spaCy pipe call)
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES  # a longer article is quarantined
    require_date: bool = True  # an article without a date is quarantined unless this is False

"""Settings of the Kroniek core: where the archive and its search index are, and how ingest batches and limits its
input."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from kroniek.errors import ArchiveError
from kroniek.model import DEFAULT_MAX_ARTICLE_BYTES

ARCHIVE_ENV = "KRONIEK_ARCHIVE"
DEFAULT_ARCHIVE = "kroniek.db"
INDEX_ENV = "KRONIEK_INDEX"
SPLIT_ENV = "KRONIEK_INDEX_SPLIT_YEARS"

# An archive is a SQLite file (a path) or a PostgreSQL database (a URL with one of these schemes).
DATABASE_SCHEMES = ("postgresql://", "postgres://")

Location = str | Path  # a path of a SQLite archive, or the URL of a PostgreSQL one (always a str)


def is_database_url(location: str | Path) -> bool:
    """Whether an archive location names a PostgreSQL database (`postgresql://...`) rather than a file."""
    return isinstance(location, str) and location.lower().startswith(DATABASE_SCHEMES)


def archive_location(value: str | Path) -> Location:
    """An archive location as given on a command line or in the environment: a database URL stays the text it is,
    anything else is a path."""
    return value if is_database_url(value) else Path(value)


def shown_location(location: str | Path) -> str:
    """An archive location to print: a database URL without its password."""
    if not is_database_url(location):
        return str(location)
    parts = urlsplit(str(location))
    if parts.password is None:
        return str(location)
    netloc = re.sub(r":[^@]*@", ":***@", parts.netloc, count=1)
    return urlunsplit(parts._replace(netloc=netloc))


def database_parts(url: str) -> tuple[str, int, str, str]:
    """The host, port, database and schema a `postgresql://` URL names, with libpq's defaults where it names none
    (local socket, 5432, the user's name, no schema: the server's search_path)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or (query.get("host") or ["localhost"])[0]
    try:
        port = parts.port or int((query.get("port") or ["5432"])[0])
    except ValueError:
        port = 5432
    user = parts.username or (query.get("user") or [os.environ.get("PGUSER") or ""])[0]
    dbname = unquote(parts.path.lstrip("/")) or (query.get("dbname") or [user])[0]
    found = re.search(r"search_path\s*=\s*([^\s,]+)", " ".join(query.get("options", [])))
    return host, port, dbname, found.group(1) if found else ""


def default_archive() -> Location:
    """The archive from $KRONIEK_ARCHIVE (a path or a `postgresql://` URL), else `kroniek.db` in the working
    directory."""
    return archive_location(os.environ.get(ARCHIVE_ENV) or DEFAULT_ARCHIVE)


def default_index() -> Path | None:
    """The search index folder from $KRONIEK_INDEX, else None (the archive's own place, see `index_dir`)."""
    value = os.environ.get(INDEX_ENV)
    return Path(value) if value else None


def default_split_years() -> int | None:
    """The years per part of a new split search index from $KRONIEK_INDEX_SPLIT_YEARS, else None."""
    value = os.environ.get(SPLIT_ENV, "").strip()
    if not value:
        return None
    try:
        years = int(value)
    except ValueError:
        years = -1
    if years < 0:
        raise ArchiveError(f"${SPLIT_ENV} must be a whole number of years (0: one index), not {value!r}",
                           hint="unset it, or set it to 0 (one index) or N (N years a part)")
    return years


def data_dir() -> Path:
    """Where Kroniek keeps what belongs to the user rather than to an archive file: $XDG_DATA_HOME/kroniek, by
    default ~/.local/share/kroniek."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kroniek"


@dataclass
class CoreSettings:
    """Knobs of ingest and analysis; the defaults suit a laptop."""

    archive: Location = field(default_factory=default_archive)
    # the search index's folder; None: beside a SQLite archive (`<file>.index/`), or for a PostgreSQL archive in
    # the user's data folder under a name made of the database's host, port, name and schema (see `index_dir`)
    index: Path | None = field(default_factory=default_index)
    ingest_batch: int = 2000  # articles per ingest transaction
    # 1: read and prepare articles in the writing process; 2: in a second process beside it (more: with
    # workers - 2 preparing processes of its own); 0: a second process when there are two cores and a large input
    ingest_workers: int = 0
    # memory the search index may use while it builds (a budget for large ingests and reindexing)
    index_heap_mb: int = 1024
    # a new search index split by period, one part per so many years of publication (kroniek/search/split.py); 0:
    # one index. None: a new index is one index, an existing one keeps its layout. $KRONIEK_INDEX_SPLIT_YEARS
    index_split_years: int | None = field(default_factory=default_split_years)
    # a catch-up of the search index commits (makes what it did durable and searchable) every so many articles
    index_commit_every: int = 50_000
    # a write (ingest, analysis, load) that leaves more changes than this for the search index returns when the
    # store has them and leaves the indexing to the next search (which waits for it) or `kroniek index`; a smaller
    # one indexes them before it returns. 0: always index before returning
    index_defer_above: int = 10_000
    # a search looks this often (at most) whether the store holds changes its index lacks (written elsewhere into
    # another index: a PostgreSQL archive with writers on other machines), and indexes them
    index_follow_seconds: float = 2.0
    # how long an ingest, analysis or reindex waits for another process that is writing to the same archive
    writer_wait: float = 3600.0
    analyze_batch: int = 64  # articles per analysis transaction (and per spaCy pipe call)
    # processes that run the analysis (kroniek.workers): 1 in this process; 0 one per core (at most 8), but one
    # for fewer than analyze_workers_from articles, where loading the model again costs more than it saves
    analyze_workers: int = 0
    analyze_workers_from: int = 300
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES  # a longer article is quarantined
    require_date: bool = True  # an article without a date is quarantined unless this is False

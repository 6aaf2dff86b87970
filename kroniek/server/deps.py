"""Dependencies shared by every router: the settings, the open archive, paging, query limits, the ingest token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kroniek.server.errors import ApiError
from kroniek.server.settings import Settings

# Hard ceilings stated in the OpenAPI schema; the settings may only lower what a request gets.
MAX_PAGE = 100
MAX_QUERY = 500
MAX_OFFSET = 10_000
MAX_NAME = 200


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_archive(request: Request) -> Any:
    """The archive opened by the app's lifespan."""
    archive = getattr(request.app.state, "archive", None)
    if archive is None:
        raise ApiError(503, "archive_unavailable", "the archive is not open")
    return archive


@dataclass(frozen=True)
class Page:
    """How many results and from where."""

    limit: int
    offset: int


def paging(settings: Annotated[Settings, Depends(get_settings)],
           limit: Annotated[int | None, Query(ge=1, le=MAX_PAGE, description="results per page")] = None,
           offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="results to skip")] = 0) -> Page:
    """Paging, limited by the settings."""
    size = settings.default_page_size if limit is None else limit
    if size > settings.max_page_size:
        raise ApiError(422, "limit_exceeded", f"limit may be at most {settings.max_page_size}")
    return Page(size, offset)


def query_text(settings: Annotated[Settings, Depends(get_settings)],
               q: Annotated[str, Query(max_length=MAX_QUERY, description="a query in the Kroniek query language")]
               = "") -> str:
    """The search query, limited in length by the settings."""
    if len(q) > settings.max_query_length:
        raise ApiError(422, "query_too_long", f"a query may be at most {settings.max_query_length} characters")
    return q


_bearer = HTTPBearer(auto_error=False, description="the token configured with KRONIEK_TOKEN")


def require_token(settings: Annotated[Settings, Depends(get_settings)],
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """Allow writing only with the configured token; without one the archive is read-only."""
    if not settings.token:
        raise ApiError(403, "read_only", "the archive is read-only",
                       hint="start the server with a token (KRONIEK_TOKEN) to allow ingest")
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "a bearer token is required",
                       headers={"WWW-Authenticate": "Bearer"})
    if not secrets.compare_digest(credentials.credentials.encode(), settings.token.encode()):
        raise ApiError(401, "unauthorized", "the token is not valid", headers={"WWW-Authenticate": "Bearer"})


SettingsDep = Annotated[Settings, Depends(get_settings)]
ArchiveDep = Annotated[Any, Depends(get_archive)]
PageDep = Annotated[Page, Depends(paging)]
QueryDep = Annotated[str, Depends(query_text)]

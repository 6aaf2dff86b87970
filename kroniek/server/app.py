"""The FastAPI application: `create_app(settings)` wires the archive, the API routers, the web pages and errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kroniek import __version__
from kroniek.api.routers import (
    articles,
    entities,
    export,
    health,
    ingest,
    quarantine,
    search,
    speakers,
    stories,
    timeline,
)
from kroniek.api.schemas import ErrorResponse
from kroniek.server import docs, errors
from kroniek.server.limits import BodyLimit, QueryLimit
from kroniek.server.security import SecurityHeaders
from kroniek.server.settings import Settings

DESCRIPTION = """Kroniek's archive over HTTP: search with facets, articles with their annotations, names and
speakers, the timeline, stories and exports. Every error has one shape: `{"error": {"status", "code", "message",
"hint"?, "details"?}}`. The archive is read-only unless the server was started with a token."""


# Every endpoint may answer these, in the one error shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "a query that cannot be read"},
    404: {"model": ErrorResponse, "description": "not in the archive"},
    413: {"model": ErrorResponse, "description": "the request body is too large"},
    414: {"model": ErrorResponse, "description": "the query string is too long"},
    422: {"model": ErrorResponse, "description": "a parameter out of its limits"},
    503: {"model": ErrorResponse, "description": "the archive or the model is not available"},
}


def create_app(settings: Settings) -> FastAPI:
    """A Kroniek server for one archive; the archive (and with ingest, the NLP pipeline) opens in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from kroniek.archive import Archive
        from kroniek.settings import CoreSettings

        core = CoreSettings(writer_wait=settings.writer_wait_seconds)
        if settings.index_path is not None:
            core.index = settings.index_path
        archive = Archive.open(settings.archive_path, readonly=not settings.writable, settings=core)
        app.state.archive = archive
        try:
            yield
        finally:
            app.state.archive = None
            archive.close()

    app = FastAPI(title="Kroniek", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  responses={422: {"model": ErrorResponse, "description": "invalid request"}},
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.archive = None
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_ingest_bytes)
    app.add_middleware(QueryLimit, max_bytes=settings.max_query_string_bytes)
    # added last, so outermost: it sees every response, the limits' refusals included
    app.add_middleware(SecurityHeaders)
    docs.install(app)
    for module in (health, search, articles, entities, speakers, timeline, stories, quarantine, export, ingest):
        app.include_router(module.router, prefix="/api", responses=ERRORS)

    from kroniek.web import pages
    from kroniek.web.render import STATIC, error_page

    app.state.html_error = error_page
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app

"""One JSON error shape for every error of the API, mapped from the core's exception tree in this one place.

    {"error": {"status": 404, "code": "not_found", "message": "...", "hint": "...", "details": [...]}}

Pages outside /api get the same information as an HTML error page, when the web edge registers a renderer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kroniek.errors import (
    ArchiveError,
    InputError,
    KroniekError,
    ModelError,
    NotFound,
    QueryError,
)
from kroniek.server.security import security_headers

log = logging.getLogger(__name__)

# Most specific first: the first class the error is an instance of decides status and code.
CORE_ERRORS: list[tuple[type[KroniekError], int, str]] = [
    (NotFound, 404, "not_found"),
    (QueryError, 400, "bad_query"),
    (InputError, 422, "bad_input"),
    (ArchiveError, 503, "archive_unavailable"),
    (ModelError, 503, "model_unavailable"),
    (KroniekError, 400, "error"),
]

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "too_large", 414: "uri_too_long",
              415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests", 500: "internal_error",
              503: "unavailable"}

HtmlRenderer = Callable[[Request, int, dict[str, Any]], Response]


class ApiError(Exception):
    """An error an edge raises itself (a limit, a missing token), with its status and code."""

    def __init__(self, status: int, code: str, message: str, *, hint: str = "",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.hint, self.headers = status, code, hint, headers


def error_body(status: int, code: str, message: str, hint: str = "",
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one error shape."""
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if hint:
        body["hint"] = hint
    if details:
        body["details"] = details
    return {"error": body}


def core_status(exc: KroniekError) -> tuple[int, str]:
    """HTTP status and code for an error of the core."""
    for cls, status, code in CORE_ERRORS:
        if isinstance(exc, cls):
            return status, code
    return 400, "error"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path in ("/openapi.json", "/docs", "/health") \
        or getattr(request.app.state, "html_error", None) is None


def _respond(request: Request, status: int, body: dict[str, Any],
             headers: dict[str, str] | None = None) -> Response:
    if not _wants_json(request):
        renderer: HtmlRenderer = request.app.state.html_error
        response = renderer(request, status, body["error"])
        if headers:
            response.headers.update(headers)
        return response
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        # Only where and what: the offending input itself is not echoed back.
        details.append({"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", "")),
                        "type": str(err.get("type", ""))})
    return details


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(KroniekError)
    async def _core(request: Request, exc: KroniekError) -> Response:
        status, code = core_status(exc)
        body = error_body(status, code, str(exc), exc.hint)
        if isinstance(exc, QueryError) and exc.position is not None:
            body["error"]["details"] = [{"loc": ["query", "q"], "msg": "position", "position": exc.position}]
        return _respond(request, status, body)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc.status, error_body(exc.status, exc.code, str(exc), exc.hint), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _respond(request, 422, error_body(422, "invalid_request", "the request is not valid",
                                                 details=_validation_details(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return _respond(request, exc.status_code, error_body(exc.status_code, code, message),
                        dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        # Starlette answers this one outside every middleware, so the security headers are added here
        return _respond(request, 500, error_body(500, "internal_error", "an unexpected error occurred",
                                                 "the server log has the details"), security_headers(request.url.path))

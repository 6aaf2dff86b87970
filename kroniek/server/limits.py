"""Bounds on requests: on bodies, enforced while they are read, so an oversized upload is refused early, and on the
query string, refused before any parameter is parsed."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Answer 413 in the one error shape when a request body is longer than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _TooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            # The app may catch the error of a body cut short and answer it (FastAPI: 400, "error parsing the
            # body"); that answer is dropped for the refusal.
            if exceeded and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except _TooLarge:
            pass
        if exceeded and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await _refuse(send, 413, "too_large", f"the request body may be at most {self.max_bytes} bytes")


class QueryLimit:
    """Answer 414 in the one error shape when the query string is longer than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string") or b"") > self.max_bytes:
            await _refuse(send, 414, "uri_too_long", f"the query string may be at most {self.max_bytes} bytes")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    """A JSON error in the one shape, sent before the app has seen the request."""
    body = json.dumps({"error": {"status": status, "code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass

"""Security headers on every HTTP response of the server: API, pages, static files, the OpenAPI document, the docs.

The pages need no script at all, so their policy forbids scripts: an escaping slip cannot run in the browser. The
API docs (Swagger UI) are served from this server, so their policy allows scripts, styles and fetches from this
origin only, and images from it or as data: URLs (Swagger UI's stylesheet draws its icons that way). No page may be
framed by another site, no response is sniffed into another type, and no full address leaves as a Referer.

A plain ASGI middleware, so that it sees every response, including those of mounted apps and of other middleware.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'")
DOCS_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}
DOCS_PREFIX = "/docs"


def security_headers(path: str) -> dict[str, str]:
    """The security headers for a response to `path`."""
    docs = path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/")
    return {"Content-Security-Policy": DOCS_POLICY if docs else PAGE_POLICY, **COMMON_HEADERS}


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                 for k, v in security_headers(scope.get("path", "")).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""Security headers on every response: pages, API, static files, the OpenAPI document, the docs, errors of each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import TOKEN, annotated, client, writable_client  # noqa: F401

from kroniek.server.app import create_app
from kroniek.server.security import DOCS_POLICY, PAGE_POLICY
from kroniek.server.settings import Settings


def assert_secure(headers: object, policy: str = PAGE_POLICY) -> None:
    h = headers  # httpx.Headers: case-insensitive
    assert h["content-security-policy"] == policy  # type: ignore[index]
    assert "frame-ancestors 'none'" in policy
    assert h["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert h["referrer-policy"] == "same-origin"  # type: ignore[index]
    assert h["x-frame-options"] == "DENY"  # type: ignore[index]


@pytest.mark.parametrize("path", [
    "/", "/search?q=MH17", "/articles/ref-mh17", "/entities", "/speakers", "/timeline", "/stories",
    "/static/kroniek.css", "/api/health", "/api/search?q=MH17", "/api/articles/ref-mh17", "/api/entities",
    "/api/export?limit=1", "/openapi.json",
    # errors: a page, the API, a validation error, a bad query, a file that is not there
    "/no-such-page", "/articles/nothing", "/api/no-such-endpoint", "/api/entities?limit=0",
    "/api/search?q=%22open", "/static/no-such-file.css",
])
def test_http_security_headers_on_every_response(client: TestClient, path: str) -> None:
    assert_secure(client.get(path).headers)


@pytest.mark.parametrize("path", ["/docs", "/docs/start.js", "/docs/assets/swagger-ui-bundle.js",
                                  "/docs/assets/swagger-ui.css"])
def test_http_security_docs_have_their_own_policy(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert_secure(r.headers, DOCS_POLICY)


def test_http_security_docs_policy_allows_this_origin_only() -> None:
    for directive in DOCS_POLICY.split(";"):
        name, *sources = directive.split()
        assert set(sources) <= {"'self'", "'none'", "data:"}, directive
        if name in ("script-src", "connect-src", "style-src"):
            assert sources == ["'self'"], directive


def test_http_security_headers_on_refusals_of_the_limits(writable_client: TestClient) -> None:
    too_big = writable_client.post("/api/ingest", content=b"x" * 6_000_000, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert too_big.status_code == 413
    assert_secure(too_big.headers)
    too_long = writable_client.get("/api/search?q=a&x=" + "a" * 20_000)
    assert too_long.status_code == 414
    assert_secure(too_long.headers)
    forbidden = writable_client.post("/api/ingest", json={"articles": [{"text": "x", "date": "2020"}]})
    assert forbidden.status_code == 401
    assert_secure(forbidden.headers)


@pytest.fixture()
def failing_client(annotated: tuple[Path, str]) -> Iterator[TestClient]:
    """A server with one more route, one that fails: an unexpected error is answered outside every middleware."""
    app = create_app(Settings(annotated[0]))

    def fail() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/fail", fail)
    app.add_api_route("/fail", fail)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", ["/api/fail", "/fail"])
def test_http_security_headers_on_unexpected_errors(failing_client: TestClient, path: str) -> None:
    r = failing_client.get(path)
    assert r.status_code == 500 and "boom" not in r.text
    assert_secure(r.headers)

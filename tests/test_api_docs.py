# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""The API docs at /docs are served from this server alone: page, start script and Swagger UI's files.

The browser side (Swagger UI renders the operations with every request off this server refused, and the content
security policy lets it run) is in test_browser_demo.py.
"""

from __future__ import annotations

from html.parser import HTMLParser

from fastapi.testclient import TestClient
from web_support import annotated, client  # noqa: F401


class _Refs(HTMLParser):
    """Every address a page loads (script src, link href) and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.refs.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.refs.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data)


def test_api_docs_load_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = _Refs()
    refs.feed(page.text)
    assert refs.inline == []  # the policy allows no inline script
    assert len(refs.refs) == 4 and all(r.startswith("/") and not r.startswith("//") for r in refs.refs), refs.refs
    types = {}
    for ref in refs.refs:
        got = client.get(ref)
        assert got.status_code == 200, ref
        types[ref.rsplit(".", 1)[-1]] = got.headers["content-type"]
    assert types["js"].startswith("text/javascript") and types["css"].startswith("text/css")


def test_api_docs_start_swagger_ui_on_the_openapi_document(client: TestClient) -> None:
    script = client.get("/docs/start.js").text
    assert "SwaggerUIBundle(" in script and '"/openapi.json"' in script and "validatorUrl: null" in script
    assert "http" not in script
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000  # Swagger UI itself, not a placeholder
    assert client.get("/openapi.json").json()["info"]["title"] == "Kroniek"

# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""The security properties of the server, one test (or one group) each: writing needs the token, compared in
constant time, and is off unless configured; bodies, query strings, names and pages are bounded; every page
escapes what it shows. (Security headers: test_http_security.py; SQL: test_store_sql.py; the loopback default:
test_web_server.py.)"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from web_support import TOKEN, annotated, app_routes, client, writable_client  # noqa: F401

from kroniek.archive import Archive
from kroniek.model import STAGES, Analysis, EntityMention, Quote, TimeExpression
from kroniek.server import deps
from kroniek.server.app import create_app
from kroniek.server.settings import TOKEN_ENV, Settings

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
ONE_ARTICLE = {"articles": [{"text": "Een nieuw artikel over de gemeenteraad.", "date": "2020-01-01"}],
               "analyze": False}


def write_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route that is not a read, from the app itself: a new one is checked too."""
    return [(m, path) for path, methods in app_routes(client.app) for m in sorted(methods - READ_METHODS)]


# --- writing needs the token -------------------------------------------------------------------------------------

def test_api_security_write_routes_are_off_without_a_token(client: TestClient) -> None:
    routes = write_routes(client)
    assert ("POST", "/api/ingest") in routes
    before = client.get("/api/health").json()["articles"]
    for method, path in routes:
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}, {"Authorization": "Bearer "}):
            r = client.request(method, path, json=ONE_ARTICLE, headers=headers)
            assert r.status_code == 403 and r.json()["error"]["code"] == "read_only", (method, path, headers)
    assert client.get("/api/health").json() == {**client.get("/api/health").json(), "articles": before,
                                                "writable": False}
    # and the archive itself is open read-only: a slip in a route could not write either
    assert client.app.state.archive.store.readonly is True  # type: ignore[attr-defined]


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}",
                                           f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN.upper()}"])
def test_api_security_write_routes_refuse_anything_but_the_token(writable_client: TestClient,
                                                                 authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    for method, path in write_routes(writable_client):
        r = writable_client.request(method, path, json=ONE_ARTICLE, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (method, path, authorization)
    assert writable_client.get("/api/health").json()["articles"] == 2


def test_api_security_the_token_lets_a_write_through(writable_client: TestClient) -> None:
    r = writable_client.post("/api/ingest", json=ONE_ARTICLE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["new"] == 1


def test_api_security_writing_is_off_unless_a_token_is_configured(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert not Settings.from_env(tmp_path / "a.db").writable
    monkeypatch.setenv(TOKEN_ENV, "")
    assert not Settings.from_env(tmp_path / "a.db").writable
    assert not Settings(tmp_path / "a.db", token="").writable
    assert not Settings(tmp_path / "a.db").writable


def test_api_security_token_is_compared_in_constant_time() -> None:
    """The token is compared by `secrets.compare_digest` only: no `==` or `!=` on it anywhere in the edges."""
    tree = ast.parse(inspect.getsource(deps.require_token))
    digests = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr == "compare_digest" and isinstance(n.func.value, ast.Name)
               and n.func.value.id in ("secrets", "hmac")]
    assert len(digests) == 1
    compared = ast.unparse(digests[0])
    assert "settings.token" in compared and "credentials.credentials" in compared
    edges = Path(deps.__file__).resolve().parent.parent
    for path in [*sorted((edges / "api").rglob("*.py")), *sorted((edges / "web").rglob("*.py")),
                 *sorted((edges / "server").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                text = ast.unparse(node)
                assert not re.search(r"\btoken\b|\.credentials\b", text), f"{path.name}: {text}"


# --- sizes ---------------------------------------------------------------------------------------------------------

def test_api_security_body_is_bounded_even_without_a_declared_length(writable_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"articles": [{"date": "2020", "text": "'
        for _ in range(60):
            yield b"woord " * 20_000
        yield b'"}]}'

    r = writable_client.post("/api/ingest", content=chunks(), headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert writable_client.get("/api/health").json()["articles"] == 2


def test_api_security_body_with_a_false_length_is_refused(writable_client: TestClient) -> None:
    r = writable_client.post("/api/ingest", content=b"{}", headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Content-Length": "-1"})
    assert r.status_code in (400, 413)


@pytest.mark.parametrize("path", ["/api/search?q=MH17", "/search?q=MH17", "/api/health", "/entities"])
def test_api_security_query_string_is_bounded(client: TestClient, path: str) -> None:
    assert client.get(path + "&pad=" + "a" * 16_000 if "?" in path else path + "?pad=" + "a" * 16_000
                      ).status_code == 200
    r = client.get(path + ("&" if "?" in path else "?") + "pad=" + "a" * 17_000)
    assert r.status_code == 414 and r.json()["error"]["code"] == "uri_too_long"


@pytest.mark.parametrize("url", [
    "/api/search?q=" + "a" * 501, "/search?q=" + "a" * 501, "/timeline?q=" + "a" * 501,
    "/api/search?q=MH17&source=" + "s" * 201, "/api/search?q=MH17&entity=" + "e" * 201,
    "/api/search?q=MH17&speaker=" + "s" * 201, "/api/entities?q=" + "e" * 201, "/api/quotes?speaker=" + "s" * 201,
    "/api/timeline?entity=" + "e" * 201, "/api/entities/" + "e" * 201, "/api/speakers/" + "s" * 201,
    "/api/articles/" + "a" * 201, "/articles/" + "a" * 201, "/entities/" + "e" * 201,
])
def test_api_security_queries_and_names_are_bounded(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 422


PAGED = ["/api/search?q=MH17", "/api/entities", "/api/speakers", "/api/speakers/Stef%20Blok", "/api/quotes",
         "/api/timeline", "/api/stories", "/api/quarantine"]


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(("param", "ok", "refused"), [("limit", ["1", "100"], ["0", "-1", "101", "1e9", "x"]),
                                                      ("offset", ["0", "10000"], ["-1", "10001", "99999999999"])])
def test_api_security_limit_and_offset_are_bounded(client: TestClient, path: str, param: str, ok: list[str],
                                                   refused: list[str]) -> None:
    sep = "&" if "?" in path else "?"
    for value in ok:
        assert client.get(f"{path}{sep}{param}={value}").status_code == 200, value
    for value in refused:
        r = client.get(f"{path}{sep}{param}={value}")
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", value


@pytest.mark.parametrize("path", ["/search?q=MH17", "/entities", "/entities/Stef%20Blok", "/speakers",
                                  "/speakers/Stef%20Blok", "/timeline"])
def test_api_security_page_offsets_are_bounded(client: TestClient, path: str) -> None:
    sep = "&" if "?" in path else "?"
    assert client.get(f"{path}{sep}offset=10000").status_code == 200
    for value in ("-1", "10001"):
        r = client.get(f"{path}{sep}offset={value}")
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), value


def test_api_security_settings_lower_the_ceilings(annotated: tuple[Path, str]) -> None:
    settings = Settings(annotated[0], max_page_size=5, max_export_rows=3)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        assert c.get("/api/entities?limit=5").status_code == 200
        assert c.get("/api/entities?limit=6").json()["error"]["code"] == "limit_exceeded"
        assert len(c.get("/api/export?limit=1000").text.splitlines()) == 3
        assert c.get("/api/export?limit=1000001").status_code == 422


# --- every page escapes what it shows ------------------------------------------------------------------------------

HOSTILE = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE_ID = "id-" + HOSTILE


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An archive where every field a page shows holds markup: id, title, source, text, names, speaker, timex."""
    path = tmp_path_factory.mktemp("hostile") / "kroniek.db"
    text = (f"Kop {HOSTILE}\n\nIn 2019 zei {HOSTILE} dat het zo was: “Dit is {HOSTILE} gezegd”, zei hij.\n\n"
            f"Lees ook: Kop {HOSTILE}")
    with Archive.open(path) as archive:
        archive.ingest([{"id": HOSTILE_ID, "date": "2019-02-01", "title": f"Kop {HOSTILE}", "source": HOSTILE,
                         "url": "javascript:alert(3)", "text": text}])
        art = archive.get_article(HOSTILE_ID)
        who = text.index(HOSTILE, text.index("zei"))
        said = text.index("“") + 1
        year = text.index("2019")
        analysis = Analysis(
            id=art.id, date=art.date, text=art.text, structure=art.structure,
            entities=[EntityMention(who, who + len(HOSTILE), HOSTILE, "PER", HOSTILE)],
            quotes=[Quote(said, text.index("”"), text[said:text.index("”")], "direct", "zei", HOSTILE, HOSTILE)],
            timexes=[TimeExpression(year, year + 4, "2019", "DATE", "2019",
                                    period=(dt.date(2019, 1, 1), dt.date(2019, 12, 31)))])
        archive.store.save_analyses([analysis], "test", STAGES)
        archive._on_articles_changed([art.id])
        archive.update_stories()  # a story of its one article: its title and keywords hold the markup too
    with TestClient(create_app(Settings(path)), raise_server_exceptions=False) as c:
        yield c


def _h(value: str) -> str:
    return quote(value, safe="")


HOSTILE_PAGES = [
    "/", f"/search?q={_h(HOSTILE)}", f"/search?q=kop&source={_h(HOSTILE)}", f"/search?entity={_h(HOSTILE)}",
    f"/search?speaker={_h(HOSTILE)}", "/search?q=kop", f"/articles/{_h(HOSTILE_ID)}", f"/articles/{_h(HOSTILE)}",
    "/entities", f"/entities?q={_h(HOSTILE)}", f"/entities/{_h(HOSTILE)}", "/speakers", f"/speakers/{_h(HOSTILE)}",
    "/timeline", f"/timeline?q={_h(HOSTILE)}", f"/timeline?entity={_h(HOSTILE)}", "/stories",
    f"/stories?q={_h(HOSTILE)}", f"/stories/{_h(HOSTILE_ID)}", f"/stories/{_h(HOSTILE)}",
    f"/{_h(HOSTILE)}", f"/search?q=kop&month={_h(HOSTILE)}", f"/search?q=kop&{_h(HOSTILE)}={_h(HOSTILE)}",
]


def test_api_security_every_page_is_covered(hostile_client: TestClient) -> None:
    """Each page route of the app appears in HOSTILE_PAGES, so that a new page is checked too."""
    page_paths = {path for path, methods in app_routes(hostile_client.app)
                  if "GET" in methods and not path.startswith(("/api", "/docs", "/openapi"))}
    assert {"/", "/search", "/entities", "/timeline"} <= page_paths
    covered = {re.sub(r"\?.*", "", p) for p in HOSTILE_PAGES}
    for route_path in page_paths:
        pattern = re.sub(r"\{[^}:]+:path\}", ".+", route_path)
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern) + "$"
        assert any(re.match(pattern, p) for p in covered), route_path


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_api_security_pages_escape_everything(hostile_client: TestClient, path: str) -> None:
    r = hostile_client.get(path)
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<script" not in html.lower() and "<img" not in html.lower(), path
    assert "javascript:" not in html
    # attribute values cannot be broken out of: no raw quote of the hostile text survives inside a tag
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        assert "alert(" not in tag or "&#34;" in tag or "&quot;" in tag or "%22" in tag, tag


def test_api_security_hostile_archive_shows_its_text(hostile_client: TestClient) -> None:
    """The escaping test is not vacuous: the hostile text is on the pages, as text."""
    html = hostile_client.get(f"/articles/{_h(HOSTILE_ID)}").text
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "&lt;script&gt;" in hostile_client.get("/speakers").text
    assert "&lt;script&gt;" in hostile_client.get("/entities").text
    assert "&lt;script&gt;" in hostile_client.get("/timeline").text
    assert "&lt;script&gt;" in hostile_client.get(f"/stories/{_h(HOSTILE_ID)}").text

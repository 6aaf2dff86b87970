# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""One JSON error shape for every error, and the limits on queries, pages and bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import TOKEN, annotated, client, writable_client  # noqa: F401

from kroniek.errors import ArchiveError, DateError, InputError, KroniekError, ModelError, NotFound, QueryError
from kroniek.server.errors import core_status


def assert_shape(body: dict[str, Any], status: int, code: str | None = None) -> None:
    assert set(body) == {"error"}
    err = body["error"]
    assert err["status"] == status and isinstance(err["message"], str) and err["message"]
    assert set(err) <= {"status", "code", "message", "hint", "details"}
    if code:
        assert err["code"] == code


@pytest.mark.parametrize(("exc", "status", "code"), [
    (NotFound("x"), 404, "not_found"),
    (QueryError("x", position=3), 400, "bad_query"),
    (DateError("x"), 422, "bad_input"),
    (InputError("x"), 422, "bad_input"),
    (ArchiveError("x"), 503, "archive_unavailable"),
    (ModelError("x"), 503, "model_unavailable"),
    (KroniekError("x"), 400, "error"),
])
def test_api_core_errors_map_to_one_status_each(exc: KroniekError, status: int, code: str) -> None:
    assert core_status(exc) == (status, code)


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/api/articles/does-not-exist", 404, "not_found"),
    ("/api/entities/Niemand%20Bekend", 404, "not_found"),
    ("/api/speakers/Niemand%20Bekend", 404, "not_found"),
    ("/api/no-such-endpoint", 404, "not_found"),
    ("/api/entities?limit=0", 422, "invalid_request"),
    ("/api/entities?limit=101", 422, "invalid_request"),
    ("/api/entities?offset=-1", 422, "invalid_request"),
    ("/api/entities?offset=10001", 422, "invalid_request"),
    ("/api/entities?label=PERSON", 422, "invalid_request"),
    ("/api/search?q=" + "a" * 501, 422, "invalid_request"),
    ("/api/search?q=MH17&month=2019-2", 422, "invalid_request"),
    ("/api/search?q=MH17&sort=random", 422, "invalid_request"),
    ("/api/search?q=MH17&limit=abc", 422, "invalid_request"),
    ("/api/export?format=xml", 422, "invalid_request"),
    ("/api/timeline?limit=100000", 422, "invalid_request"),
])
def test_api_errors_have_one_shape(client: TestClient, url: str, status: int, code: str) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert_shape(r.json(), status, code)


def test_api_validation_error_does_not_echo_the_input(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "<script>" + "a" * 600}).json()
    assert "<script>" not in str(body)
    assert body["error"]["details"][0]["loc"] == ["query", "q"]


def test_api_bad_query_is_400_with_a_position(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": '"MH17 zonder einde'})
    assert r.status_code == 400
    assert_shape(r.json(), 400, "bad_query")


def test_api_wrong_method_is_405_in_the_shape(client: TestClient) -> None:
    r = client.delete("/api/health")
    assert r.status_code == 405
    assert_shape(r.json(), 405, "method_not_allowed")


def test_api_ingest_without_credentials_is_401(writable_client: TestClient) -> None:
    r = writable_client.post("/api/ingest", json={"articles": [{"text": "x", "date": "2020"}]})
    assert r.status_code == 401
    assert_shape(r.json(), 401, "unauthorized")


def test_api_ingest_body_over_the_limit_is_413(writable_client: TestClient) -> None:
    huge = {"articles": [{"text": "woord " * 1_000_000, "date": "2020"}]}
    r = writable_client.post("/api/ingest", json=huge, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413
    assert_shape(r.json(), 413, "too_large")


def test_api_ingest_malformed_json_is_422(writable_client: TestClient) -> None:
    r = writable_client.post("/api/ingest", content=b"{not json", headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 422
    assert_shape(r.json(), 422)


def test_api_ingest_needs_at_least_one_article(writable_client: TestClient) -> None:
    r = writable_client.post("/api/ingest", json={"articles": []}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 422
    assert_shape(r.json(), 422, "invalid_request")


def test_api_path_names_never_reach_the_file_system(client: TestClient) -> None:
    for url in ("/api/articles/..%2F..%2Fetc%2Fpasswd", "/static/..%2F..%2Fapi%2Fapp.py", "/static/../../kroniek.db"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "root:" not in r.text and "import" not in r.text


def test_web_errors_are_pages_in_the_same_terms(client: TestClient) -> None:
    r = client.get("/articles/does-not-exist", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in r.text and "does-not-exist" in r.text

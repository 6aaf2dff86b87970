# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""Hostile queries: deep nesting, characters that are not text, and prefixes the regex syntax would refuse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from fastapi.testclient import TestClient
from web_support import annotated, client  # noqa: F401

from kroniek.errors import QueryError
from kroniek.search.documents import IndexDoc
from kroniek.search.index import SearchIndex
from kroniek.search.query import MAX_NESTING, MAX_PREFIXES, parse


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    idx = SearchIndex(None)
    idx.add([IndexDoc.build("ist", "Een reportage uit İstanbul over de Bosporus.", title="Turkije"),
             IndexDoc.build("cafe", "Het café van Rene\u0301 aan de Gracht.", title="Amsterdam")])
    idx.commit()
    return idx


@pytest.mark.parametrize("make", [
    lambda n: "(" * n + "MH17" + ")" * n,
    lambda n: "NOT " * n + "MH17",
    lambda n: "-(" * n + "MH17" + ")" * n,
    lambda n: "title:" + "(" * n + "MH17" + ")" * n,
], ids=["parentheses", "not", "minus-groups", "field-group"])
def test_search_query_nesting_is_limited_with_a_query_error(make) -> None:  # type: ignore[no-untyped-def]
    parse(make(MAX_NESTING // 2))
    with pytest.raises(QueryError, match=f"nested more than {MAX_NESTING} levels") as err:
        parse(make(10_000))
    assert err.value.position is not None and err.value.position < 200


def test_search_246_nested_parentheses_are_a_query_error_not_a_recursion_error(index: SearchIndex) -> None:
    query = "(" * 246 + "MH17" + ")" * 246
    assert len(query) <= 500
    with pytest.raises(QueryError, match="nested more than"):
        index.search(query)


@pytest.mark.parametrize("query,position", [("a\udcff", 1), ("\ud800", 0), ('"MH17 \udc80"', 6)])
def test_search_query_with_a_lone_surrogate_is_a_query_error(index: SearchIndex, query: str, position: int) -> None:
    with pytest.raises(QueryError, match="not text") as err:
        index.search(query)
    assert err.value.position == position
    err.value.pointer(query).encode("utf-8")  # printable


@pytest.mark.parametrize("query,hit", [("İstanbul*", "ist"), ("İst*", "ist"),
                                       ("Rene\u0301*", "cafe"), ("caf*", "cafe")])
def test_search_prefix_with_characters_outside_ascii_finds_its_article(index: SearchIndex, query: str,
                                                                        hit: str) -> None:
    assert [h.id for h in index.search(query).hits] == [hit]


def test_search_prefix_words_are_limited(index: SearchIndex) -> None:
    index.search(" ".join(["caf*"] * MAX_PREFIXES))
    with pytest.raises(QueryError, match=f"more than {MAX_PREFIXES} prefix words"):
        index.search("x* " * 30_000)


def test_api_hostile_queries_are_400_and_the_server_keeps_answering(client: TestClient) -> None:  # noqa: F811
    for query in ["(" * 246 + "MH17" + ")" * 246, "NOT " * 120 + "MH17"]:
        res = client.get("/api/search", params={"q": query})
        assert res.status_code == 400 and res.json()["error"]["code"] == "bad_query", res.text[:300]
    res = client.get("/api/search", params={"q": "İstanbul*"})
    assert res.status_code == 200
    assert client.get("/api/search", params={"q": "MH17"}).status_code == 200


def test_cli_search_with_an_undecodable_byte_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
           "PYTHONIOENCODING": "utf-8"}
    db = tmp_path / "k.db"
    subprocess.run([sys.executable, "-m", "kroniek.cli", "ingest", "--no-analyze", "-q", "--archive", str(db), "-"],
                   input=b'{"date": "2019-01-01", "text": "Een bericht over MH17."}\n', env=env, check=True,
                   capture_output=True)
    res = subprocess.run([os.fsencode(sys.executable), b"-m", b"kroniek.cli", b"search", b"--archive",
                          os.fsencode(db), b"MH\xff17"], env=env, capture_output=True)
    assert res.returncode == 1, res.stderr
    assert b"Traceback" not in res.stderr and b"not text at character 3" in res.stderr

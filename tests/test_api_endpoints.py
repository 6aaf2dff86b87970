# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""Every API endpoint, in process, over an archive whose seed article carries its gold analysis."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from web_support import (  # noqa: F401
    REFERENCED_TITLE,
    SCRIPT,
    SLASHED_ID,
    TOKEN,
    annotated,
    client,
    slashed_client,
    writable_client,
)


def test_api_health_counts_articles(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["articles"] == 54 + 1 + 2
    assert body["writable"] is False


def test_api_article_has_text_structure_and_annotations(client: TestClient, annotated: tuple[Path, str]) -> None:
    seed_id = annotated[1]
    art = client.get(f"/api/articles/{seed_id}").json()
    assert art["date"] == "2019-02" and art["date_precision"] == "month"
    text = art["text"]
    for group in ("entities", "quotes", "timexes"):
        assert art[group], group
        for a in art[group]:
            assert text[a["start"]:a["end"]] == a["text"]
    assert any(q["speaker"] == "Stef Blok" and q["text"] == "We mogen hoopvol zijn" for q in art["quotes"])
    assert {"text": "vorig jaar mei", "value": "2018-05"}.items() <= next(
        t for t in art["timexes"] if t["text"] == "vorig jaar mei").items()
    assert [text[s["start"]:s["end"]] for s in art["structure"]["subheadings"]] == [
        "‘Nog niet vooruitlopen op onderhandelingen’"]


def test_api_article_reference_resolves_to_the_article_with_that_title(client: TestClient,
                                                                       annotated: tuple[Path, str]) -> None:
    refs = client.get(f"/api/articles/{annotated[1]}").json()["structure"]["references"]
    assert [(r["text"], r["article_id"]) for r in refs] == [(REFERENCED_TITLE, "ref-mh17")]


def test_api_article_reference_names_its_article_and_the_article_what_points_to_it(
        client: TestClient, annotated: tuple[Path, str]) -> None:
    seed = client.get(f"/api/articles/{annotated[1]}").json()
    (ref,) = seed["structure"]["references"]
    assert ref["article"] == {"id": "ref-mh17", "title": REFERENCED_TITLE, "date": "2018-05-25",
                              "relation": "reference", "text": REFERENCED_TITLE, "score": 100.0}
    # related: the linked article first, then the nearest by names and words, never the article itself
    assert seed["related"][0] == ref["article"]
    assert len(seed["related"]) == 5 and annotated[1] not in {r["id"] for r in seed["related"]}
    assert {r["relation"] for r in seed["related"][1:]} == {"similar"}
    target = client.get("/api/articles/ref-mh17").json()
    (back,) = target["referenced_by"]
    assert (back["id"], back["date"], back["relation"], back["text"], back["score"]) == (
        annotated[1], "2019-02", "referenced-by", REFERENCED_TITLE, 100.0)
    assert back["title"].startswith("Het ministerie van Buitenlandse Zaken")  # the untitled seed's headline
    assert target["related"][0] == back


def test_api_reference_without_target_is_null_until_its_article_arrives(writable_client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    title = "Gemeente bouwt een nieuwe brug over de rivier"
    source = {"id": "bron", "date": "2020-02-01", "title": "Raad vergadert",
              "text": f"Raad vergadert\n\nDe raad sprak over verkeer.\n\nLees ook: {title}"}
    assert writable_client.post("/api/ingest", json={"articles": [source], "analyze": False}, headers=auth).json()[
        "new"] == 1
    (ref,) = writable_client.get("/api/articles/bron").json()["structure"]["references"]
    assert ref["article_id"] is None and ref["article"] is None
    later = {"id": "brug", "date": "2020-01-15", "title": f"{title}!", "text": f"{title}!\n\nDe bouw begint."}
    assert writable_client.post("/api/ingest", json={"articles": [later], "analyze": False}, headers=auth).json()[
        "new"] == 1
    (ref,) = writable_client.get("/api/articles/bron").json()["structure"]["references"]
    assert ref["article_id"] == "brug" and ref["article"]["title"] == f"{title}!"
    assert [b["id"] for b in writable_client.get("/api/articles/brug").json()["referenced_by"]] == ["bron"]


def test_api_article_with_slashes_in_its_id_opens(slashed_client: TestClient) -> None:
    hit = slashed_client.get("/api/search", params={"q": "MH17"}).json()["hits"][0]
    assert hit["id"] == SLASHED_ID
    for path in ("/api/articles/" + quote(SLASHED_ID, safe=""), "/api/articles/" + SLASHED_ID):
        r = slashed_client.get(path)
        assert r.status_code == 200, path
        assert r.json()["id"] == SLASHED_ID
    assert slashed_client.get("/api/articles/nos/2019").status_code == 404


def test_api_entities_list_is_sorted_by_mentions_and_filtered_by_label(client: TestClient) -> None:
    rows = client.get("/api/entities", params={"limit": 5}).json()["items"]
    assert len(rows) == 5
    assert [r["mentions"] for r in rows] == sorted((r["mentions"] for r in rows), reverse=True)
    people = client.get("/api/entities", params={"label": "PER"}).json()["items"]
    assert people and {r["label"] for r in people} == {"PER"}
    assert "Stef Blok" in {r["canonical"] for r in people}


def test_api_entities_paging_does_not_repeat(client: TestClient) -> None:
    first = client.get("/api/entities", params={"limit": 3}).json()["items"]
    second = client.get("/api/entities", params={"limit": 3, "offset": 3}).json()["items"]
    assert not {r["id"] for r in first} & {r["id"] for r in second}


def test_api_entity_by_name_and_variant(client: TestClient) -> None:
    blok = client.get("/api/entities/Stef Blok").json()
    assert blok["label"] == "PER" and "Blok" in blok["variants"]
    assert blok["by_month"] == [{"month": "2019-02", "mentions": blok["mentions"], "articles": 1}]
    assert "Rusland" in {c["canonical"] for c in blok["co_occurring"]}
    assert client.get("/api/entities/Blok").json()["id"] == blok["id"]
    assert client.get(f"/api/entities/{blok['id']}").json()["canonical"] == "Stef Blok"


@pytest.mark.parametrize("key", ["9223372036854775808", "99999999999999999999999", "²", "-1"])
def test_api_entity_keys_beyond_any_id_are_not_found(client: TestClient, key: str) -> None:
    got = client.get(f"/api/entities/{key}")
    assert got.status_code == 404 and "no entity" in got.json()["error"]["message"]


def test_api_speakers_and_their_quotations(client: TestClient) -> None:
    speakers = client.get("/api/speakers").json()["items"]
    assert speakers[0]["quotes"] >= speakers[-1]["quotes"]
    blok = next(s for s in speakers if s["speaker"] == "Stef Blok")
    detail = client.get("/api/speakers/Stef Blok").json()
    assert detail["name"] == "Stef Blok" and detail["speaker"]["label"] == "PER"
    quotes = detail["quotes"]["items"]
    assert len(quotes) == detail["quotes"]["total"] == blok["quotes"]
    assert all(q["speaker"] == "Stef Blok" for q in quotes)
    limited = client.get("/api/quotes", params={"speaker": "Stef Blok", "limit": 2}).json()["items"]
    assert [q["text"] for q in limited] == [q["text"] for q in quotes[:2]]
    later = client.get("/api/speakers/Stef Blok", params={"limit": 1, "offset": 1}).json()["quotes"]
    assert later["items"] == quotes[1:2] and later["total"] == blok["quotes"]


def test_api_timeline_in_calendar_order_and_for_an_entity(client: TestClient) -> None:
    events = client.get("/api/timeline", params={"limit": 100}).json()["items"]
    assert events and [e["ref_start"] for e in events] == sorted(e["ref_start"] for e in events)
    assert {"2014", "2018-05"} <= {e["value"] for e in events}
    for e in events:
        assert e["text"] in e["sentence"]
    blok = client.get("/api/timeline", params={"entity": "Stef Blok", "limit": 100}).json()["items"]
    assert blok and {(e["article_id"], e["start"]) for e in blok} <= {(e["article_id"], e["start"]) for e in events}
    assert client.get("/api/timeline", params={"entity": "Niemand Bekend"}).status_code == 404


def test_api_search_ranks_highlights_and_counts_facets(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "MH17"}).json()
    assert body["total"] >= 3
    ids = [h["id"] for h in body["hits"]]
    assert "ref-mh17" in ids
    assert any("<mark>MH17</mark>" in h["snippet"] for h in body["hits"])
    months = {b["value"]: b["count"] for b in body["facets"]["month"]}
    assert months.get("2019-02") == 1 and months.get("2018-05") == 1


def test_api_search_facet_filter_narrows(client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": "MH17"}).json()
    narrowed = client.get("/api/search", params={"q": "MH17", "month": "2018-05"}).json()
    assert narrowed["total"] < everything["total"]
    assert [h["id"] for h in narrowed["hits"]] == ["ref-mh17"]
    by_source = client.get("/api/search", params={"q": "MH17", "source": "Testbron"}).json()
    assert {h["source"] for h in by_source["hits"]} == {"Testbron"}


def test_api_search_escapes_markup_in_snippets(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "opgepast"}).json()
    hit = next(h for h in body["hits"] if h["id"] == "script-article")
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert "<script>" not in hit["title_html"]


def test_api_export_jsonl_respects_the_query(client: TestClient) -> None:
    r = client.get("/api/export", params={"q": "MH17"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in r.text.splitlines()]
    total = client.get("/api/search", params={"q": "MH17"}).json()["total"]
    assert len(rows) == total
    assert all("MH17" in row["text"] for row in rows)


def test_api_export_csv_has_header_and_bounded_rows(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "csv", "limit": 3})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["id", "date", "source"] and len(rows) == 4


def test_api_export_of_everything(client: TestClient) -> None:
    rows = client.get("/api/export").text.splitlines()
    assert len(rows) == 57


def test_api_stories_come_in_an_envelope(client: TestClient) -> None:
    r = client.get("/api/stories", params={"limit": 5, "min_size": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["limit"] == 5 and body["offset"] == 0 and len(body["items"]) <= 5
    assert body["total"] == len(client.get("/api/stories", params={"limit": 100, "min_size": 1}).json()["items"])


def test_api_ingest_is_off_without_a_token(client: TestClient) -> None:
    r = client.post("/api/ingest", json={"articles": [{"text": "Een nieuw artikel.", "date": "2020-01-01"}]})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "read_only"
    assert client.get("/api/health").json()["articles"] == 57


def test_api_ingest_with_token_adds_once(writable_client: TestClient) -> None:
    payload = {"articles": [{"text": "De gemeenteraad vergaderde gisteren over de nieuwe brug.",
                             "date": "2020-01-01", "source": "Testbron"}], "analyze": False}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = writable_client.post("/api/ingest", json=payload, headers=auth).json()
    assert first["new"] == 1 and first["duplicates"] == 0
    again = writable_client.post("/api/ingest", json=payload, headers=auth).json()
    assert again["new"] == 0 and again["duplicates"] == 1
    art = writable_client.get(f"/api/articles/{first['new_ids'][0]}").json()
    assert art["source"] == "Testbron"


def test_api_ingest_quarantines_an_impossible_date(writable_client: TestClient) -> None:
    payload = {"articles": [{"text": "Een artikel met een onmogelijke datum.", "date": "2019-02-30"}],
               "analyze": False}
    body = writable_client.post("/api/ingest", json=payload, headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert body["new"] == 0 and body["quarantined"] == 1


def test_api_ingest_rejects_a_wrong_token(writable_client: TestClient) -> None:
    r = writable_client.post("/api/ingest", json={"articles": [{"text": "x", "date": "2020"}]},
                             headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert writable_client.get("/api/health").json() == {**writable_client.get("/api/health").json(), "articles": 2}


def test_api_openapi_lists_every_resource(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/search", "/api/articles/{article_id}", "/api/entities", "/api/entities/{key}", "/api/speakers",
              "/api/speakers/{name}", "/api/quotes", "/api/timeline", "/api/stories", "/api/export", "/api/ingest",
              "/api/health"):
        assert p in paths, p
    assert client.get("/docs").status_code == 200


def test_api_script_article_is_returned_verbatim_as_json(client: TestClient) -> None:
    art = client.get("/api/articles/script-article").json()
    assert SCRIPT in art["text"]


def test_api_search_exact_matches_the_words_as_written(client: TestClient) -> None:
    # "onderhandeling" is stemmed to the stem of "onderhandelingen", which the seed article has; written out as
    # it is, no article has the word
    stemmed = client.get("/api/search", params={"q": "onderhandeling"}).json()
    assert stemmed["total"] >= 1
    exact = client.get("/api/search", params={"q": "onderhandeling", "exact": "true"}).json()
    assert exact["total"] == 0
    as_written = client.get("/api/search", params={"q": "onderhandelingen", "exact": "true"}).json()
    assert {h["id"] for h in as_written["hits"]} <= {h["id"] for h in stemmed["hits"]} and as_written["total"]
    assert client.get("/api/search", params={"q": "MH17", "exact": "maybe"}).status_code == 422


def test_api_ingest_quarantines_each_bad_record_and_keeps_the_rest(writable_client: TestClient) -> None:
    good = [{"text": "De gemeenteraad vergaderde gisteren over de nieuwe brug.", "date": "2020-01-01"},
            {"text": "Het waterschap opende vandaag een nieuw gemaal.", "date": "2020-01-02", "id": 7,
             "section": "regio"}]
    bad = [{"text": "", "date": "2020-01-03"}, {"text": "Een artikel zonder datum."},
           {"text": 42, "date": "2020-01-04"}, {"text": "Een titel als lijst.", "date": "2020", "title": ["x"]},
           {"text": "Een onmogelijke datum.", "date": "2020-02-30"}]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = writable_client.post("/api/ingest", json={"articles": [good[0], *bad, good[1]], "analyze": False},
                             headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["new"], body["quarantined"]) == (2, len(bad))
    assert writable_client.get("/api/health").json()["articles"] == 2 + 2
    kept = writable_client.get("/api/articles/7").json()
    assert kept["text"] == good[1]["text"]
    # a list item that is not an object is not a record at all: the request is malformed
    r = writable_client.post("/api/ingest", json={"articles": ["/etc/passwd"]}, headers=auth)
    assert r.status_code == 422


def test_api_ingest_during_another_writer_waits_then_stores_nothing(tmp_path: Path) -> None:
    from conftest import writer_lock_held_elsewhere

    from kroniek.archive import Archive
    from kroniek.server.app import create_app
    from kroniek.server.settings import Settings

    path = tmp_path / "w.db"
    Archive.open(path).close()
    with writer_lock_held_elsewhere(path, 5):
        settings = Settings(path, token=TOKEN, writer_wait_seconds=0.3)
        with TestClient(create_app(settings), raise_server_exceptions=False) as c:
            payload = {"articles": [{"text": "Te laat voor de schrijver.", "date": "2020-01-01"}], "analyze": False}
            answer = c.post("/api/ingest", json=payload, headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 503 and "busy" in answer.json()["error"]["message"]
    with Archive.open(path) as archive:
        assert archive.count() == 0


LISTS = ["/api/entities", "/api/entities?label=PER", "/api/speakers", "/api/quotes",
         "/api/quotes?speaker=Stef%20Blok", "/api/timeline", "/api/timeline?entity=Stef%20Blok",
         "/api/timeline?q=MH17", "/api/stories", "/api/quarantine"]


@pytest.mark.parametrize("path", LISTS)
def test_api_lists_are_pages_with_a_total(client: TestClient, path: str) -> None:
    sep = "&" if "?" in path else "?"
    first = client.get(path + sep + "limit=2").json()
    assert {"total", "offset", "limit", "items"} <= set(first)
    assert (first["offset"], first["limit"]) == (0, 2) and len(first["items"]) == min(2, first["total"])
    # every page of the list, put together, is the whole list: as many items as the total says, none twice
    seen = []
    offset = 0
    while offset < first["total"]:
        page = client.get(path + sep + f"limit=100&offset={offset}").json()
        assert page["total"] == first["total"] and page["offset"] == offset
        seen.extend(json.dumps(item, sort_keys=True) for item in page["items"])
        offset += 100
    assert len(seen) == first["total"] == len(set(seen))
    beyond = client.get(path + sep + f"offset={first['total'] + 5}").json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_api_timeline_total_counts_every_page(client: TestClient) -> None:
    first = client.get("/api/timeline", params={"limit": 1}).json()
    assert first["total"] > 1 and len(first["items"]) == 1


def test_api_timeline_pages_follow_on(client: TestClient) -> None:
    whole = client.get("/api/timeline", params={"limit": 100}).json()
    assert whole["total"] == len(whole["items"]) >= 3 and whole["widened"] is False
    for offset in range(whole["total"]):
        one = client.get("/api/timeline", params={"limit": 1, "offset": offset}).json()
        assert one["items"] == whole["items"][offset:offset + 1]


def test_api_quarantine_lists_what_could_not_be_read(writable_client: TestClient) -> None:
    assert writable_client.get("/api/quarantine").json()["total"] == 0
    bad = [{"text": "Geen datum."}, {"text": "Ook kapot " * 500, "date": "2019-02-30"}]
    r = writable_client.post("/api/ingest", json={"articles": bad, "analyze": False},
                             headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["quarantined"] == 2
    page = writable_client.get("/api/quarantine", params={"limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    second = writable_client.get("/api/quarantine", params={"limit": 1, "offset": 1}).json()["items"][0]
    assert "impossible day" in second["reason"] and second["raw_chars"] > len(second["raw"]) == 2000

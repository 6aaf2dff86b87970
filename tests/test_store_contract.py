"""The contract every storage backend keeps, run against each backend (SQLite now; add others to BACKENDS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kroniek.ingest.batches import prepare
from kroniek.model import (
    STAGES,
    Analysis,
    ArticleDate,
    ArticleRow,
    EntityLink,
    EntityMention,
    Origin,
    QuarantineRow,
    Quote,
    RawArticle,
    TimeExpression,
)
from kroniek.nlp.timex_normalise import value_range
from kroniek.store.base import Store
from kroniek.store.sqlite import SQLiteStore

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda tmp: SQLiteStore(tmp / "contract.db"),
}

TEXT_A = "Minister Stef Blok sprak in 2014 met Rusland. “Het is een proces”, zegt Blok."
TEXT_B = "In Moskou reageerde Rusland op het bericht over MH17."


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = BACKENDS[request.param](tmp_path)
    yield s
    s.close()


def row(aid: str, text: str, date: str, source: str = "Krant") -> ArticleRow:
    raw = RawArticle(text=text, date=ArticleDate.parse(date), id=aid, source=source, meta={"rubriek": "politiek"},
                     origin=Origin("in.jsonl", 3))
    return prepare(raw)


def analysis_a() -> Analysis:
    blok = TEXT_A.index("Stef Blok")
    q = TEXT_A.index("“")
    y = TEXT_A.index("2014")
    return Analysis(
        id="a", date=ArticleDate(2019, 2), text=TEXT_A,
        entities=[EntityMention(blok, blok + 9, "Stef Blok", "PER", "Stef Blok"),
                  EntityMention(TEXT_A.index("Rusland"), TEXT_A.index("Rusland") + 7, "Rusland", "LOC"),
                  EntityMention(TEXT_A.rindex("Blok"), TEXT_A.rindex("Blok") + 4, "Blok", "PER", "Stef Blok")],
        quotes=[Quote(q, TEXT_A.index("”") + 1, TEXT_A[q:TEXT_A.index("”") + 1], "direct", "zegt", "Blok",
                      "Stef Blok")],
        timexes=[TimeExpression(y, y + 4, "2014", "DATE", "2014", 0, TEXT_A.index(".") + 1,
                                period=value_range("2014"))])


def test_store_contract_insert_existing_and_read_back(store: Store) -> None:
    a, b = row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04", source="Blad")
    store.insert([a, b], [QuarantineRow("in.jsonl", 9, "not valid JSON", "{kapot")])
    hashes, owners = store.existing([a.content_hash, "0" * 64], ["a", "z"])
    assert hashes == {a.content_hash} and owners == {"a": a.content_hash}
    got = store.article("a")
    assert got is not None
    assert (got.text, str(got.date), got.source, got.meta, got.origin_file, got.origin_line) == (
        TEXT_A, "2019-02", "Krant", {"rubriek": "politiek"}, "in.jsonl", 3)
    assert got.structure.paragraphs[0].of(TEXT_A) == TEXT_A
    assert store.article("z") is None
    assert store.count() == 2
    assert [x.id for x in store.articles()] == ["a", "b"]
    assert [x.id for x in store.articles(["b", "a"])] == ["b", "a"]
    q = store.quarantined()
    assert [(x.file, x.line, x.reason, x.raw) for x in q] == [("in.jsonl", 9, "not valid JSON", "{kapot")]
    assert store.count_quarantined() == 1 and store.quarantined(offset=1) == []
    stats = store.stats()
    assert stats["articles"] == 2 and stats["quarantined"] == 1
    assert [m["month"] for m in stats["by_month"]] == ["2019-02", "2019-03"]


def test_store_contract_analyses_entities_quotes_timeline(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04")], [])
    store.save_analyses([analysis_a()], "v1", STAGES)
    ents = store.entities()
    assert [(e["canonical"], e["mentions"], e["articles"]) for e in ents] == [("Stef Blok", 2, 1), ("Rusland", 1, 1)]
    # each list's count has the list's filters, over all its pages
    assert store.count_entities() == 2 and len(store.entities(limit=1)) == 1
    assert store.count_entities(label="LOC") == 1 and store.count_entities(query="Blok") == 1
    assert store.count_entities(label="ORG") == 0
    blok = store.resolve_entity("Stef Blok")
    assert blok is not None and blok["label"] == "PER"
    assert store.resolve_entity("Blok") == blok  # by variant
    assert store.resolve_entity(blok["id"]) == blok and store.resolve_entity(str(blok["id"])) == blok  # by id
    assert store.resolve_entity("Niemand") is None and store.resolve_entity(2**70) is None
    assert store.entity_variants(blok["id"]) == ["Blok", "Stef Blok"]
    assert store.entity_counts(blok["id"]) == (2, 1)
    assert store.entity_months(blok["id"]) == [{"month": "2019-02", "mentions": 2, "articles": 1}]
    assert [c["canonical"] for c in store.co_occurring(blok["id"])] == ["Rusland"]
    quotes = store.quotes(speaker="Stef Blok")
    assert len(quotes) == 1 and quotes[0]["speaker_entity_id"] == blok["id"]
    assert store.count_quotes(speaker="Stef Blok") == 1 and store.count_quotes(speaker="Niemand") == 0
    assert store.count_quotes(article_ids=["b"]) == 0 and store.count_quotes() == 1
    assert store.count_speakers() == len(store.speakers()) == 1
    rusland = store.resolve_entity("Rusland")
    assert rusland is not None
    events = store.calendar_timexes(entity_id=rusland["id"])
    assert [(e["ref_start"], e["ref_end"], e["value"]) for e in events] == [("2014-01-01", "2014-12-31", "2014")]
    assert events[0]["sentence"] == TEXT_A[:TEXT_A.index(".") + 1]
    assert store.calendar_timexes(entity_id=rusland["id"], article_ids=["b"]) == []
    assert store.count_calendar_timexes(entity_id=rusland["id"]) == 1
    assert store.count_calendar_timexes(entity_id=rusland["id"], article_ids=["b"]) == 0
    assert store.count_calendar_timexes() == len(store.calendar_timexes(limit=1000))
    assert store.calendar_timexes(offset=store.count_calendar_timexes()) == []
    # a broad selection: more ids than any backend binds as parameters
    many = [f"x{i}" for i in range(40_000)] + ["a"]
    assert len(store.calendar_timexes(article_ids=many)) == 1
    assert len(store.quotes(article_ids=many)) == 1 and store.count_quotes(article_ids=many) == 1
    assert store.count_calendar_timexes(article_ids=many) == 1
    assert {m["canonical"] for m in store.mentions_in(many)} == {"Stef Blok", "Rusland"}
    art = store.article("a")
    assert art is not None and art.analyses == {s: "v1" for s in STAGES}
    # a stage re-run replaces only that stage
    store.save_analyses([Analysis(id="a", date=None, text=TEXT_A)], "v2", ["quotes"])
    art = store.article("a")
    assert art is not None and art.quotes == [] and len(art.entities) == 3 and art.analyses["quotes"] == "v2"
    assert [r["id"] for r in store.export_rows()] == ["a", "b"]


TEXT_C = "Gesprek met Moskou\n\nDe minister sprak.\n\nLees ook: Rusland en MH17\nZie ook: Een ander stuk\n\nEinde."


def test_store_contract_references_are_stored_as_untried_links_and_resolved(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04"), row("c", TEXT_C, "2019-04-01")], [])
    first, second = TEXT_C.index("Rusland en MH17"), TEXT_C.index("Een ander stuk")
    untried = store.links(untried=True)
    assert [(x.source_id, x.start, x.end, x.text, x.tried, x.target_id) for x in untried] == [
        ("c", first, first + 15, "Rusland en MH17", False, None),
        ("c", second, second + 14, "Een ander stuk", False, None)]
    assert [x.text for x in store.links_from("c")] == ["Rusland en MH17", "Een ander stuk"]
    assert store.links_from("a") == [] and store.links_to("b") == []
    found, missing = untried
    store.save_links([replace(found, tried=True, key="ruslandenmh17", target_id="b", score=97.5),
                      replace(missing, tried=True, key="eenanderstuk", head=None)])
    assert store.links(untried=True) == []
    (to_b,) = store.links_to("b")
    assert (to_b.source_id, to_b.text, to_b.score, to_b.tried, to_b.key) == ("c", "Rusland en MH17", 97.5, True,
                                                                             "ruslandenmh17")
    assert [x.target_id for x in store.links_from("c")] == ["b", None]
    # those without a target wait, under their key or head, for an article of that title
    assert [x.text for x in store.waiting_links(["eenanderstuk", "ruslandenmh17"])] == ["Een ander stuk"]
    assert store.waiting_links(["iets"]) == [] and store.waiting_links([]) == []
    assert [x.id for x in store.links(after=found.id or 0)] == [missing.id]


def test_store_contract_export_readers_stream_every_row_of_a_selection(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04")], [])
    store.save_analyses([analysis_a()], "v1", STAGES)
    ents = list(store.export_entities())
    assert [(e["canonical"], e["label"], e["mentions"], e["articles"], e["variants"]) for e in ents] == [
        ("Stef Blok", "PER", 2, 1, ["Blok", "Stef Blok"]), ("Rusland", "LOC", 1, 1, ["Rusland"])]
    assert {e["id"] for e in ents} == {e["id"] for e in store.entities()}
    assert list(store.export_entities(["b"])) == []
    assert list(store.export_quotes()) == store.quotes()
    assert list(store.export_timexes()) == store.calendar_timexes()
    many = [f"x{i}" for i in range(40_000)] + ["a"]  # more ids than any backend binds as parameters
    assert [e["canonical"] for e in store.export_entities(many)] == ["Stef Blok", "Rusland"]
    assert list(store.export_quotes(many)) == store.quotes(article_ids=["a"])
    assert list(store.export_timexes(many)) == store.calendar_timexes(article_ids=["a"])
    assert list(store.export_quotes(["b"])) == [] and list(store.export_timexes(["b"])) == []


def test_store_contract_entity_resolution(store: Store) -> None:
    text_c = "Blok sprak in Moskou. “Het gaat goed”, zegt Blok."
    store.insert([row("a", TEXT_A, "2019-02"), row("c", text_c, "2019-03-05")], [])
    store.save_analyses([analysis_a()], "v1", STAGES)
    q = text_c.index("“")
    store.save_analyses([Analysis(
        id="c", date=ArticleDate(2019, 3, 5), text=text_c,
        entities=[EntityMention(0, 4, "Blok", "ORG"), EntityMention(14, 20, "Moskou", "LOC"),
                  EntityMention(len(text_c) - 5, len(text_c) - 1, "Blok", "ORG")],
        quotes=[Quote(q, text_c.index("”") + 1, text_c[q:text_c.index("”") + 1], "direct", "zegt", "Blok", "Blok")])],
        "v1", STAGES)
    rows = {(r["canonical"], r["label"]): r for r in store.entity_rows(["blok"])}
    assert set(rows) == {("Stef Blok", "PER"), ("Blok", "ORG")}
    stef, blok = rows[("Stef Blok", "PER")], rows[("Blok", "ORG")]
    assert (stef["name_key"], stef["resolved_id"], stef["mentions"], stef["articles"]) == ("blok", None, 2, 1)
    assert (blok["first_day"], blok["last_day"]) == ("2019-03-05", "2019-03-05")
    assert len(store.entity_rows()) == 4 and store.entity_rows(["niemand"]) == []
    found = store.entity_mentions([blok["id"]])
    assert [(m["article_id"], m["start"], m["before"], m["day"], m["entity_id"]) for m in found] == [
        ("c", 0, "", "2019-03-05", blok["id"]), ("c", len(text_c) - 5, text_c[len(text_c) - 45:-5], "2019-03-05",
                                                 blok["id"])]
    assert len(store.entity_mentions([stef["id"], blok["id"]], per_row=1)) == 4
    before = store.last_change()
    changed = store.save_resolution([stef["id"], blok["id"]], [
        EntityLink(stef["id"], "Stef Blok", "PER"),
        EntityLink(blok["id"], "Stef Blok", "PER", "surname of Stef Blok")])
    assert changed == ["c"] and [aid for _, aid in store.changes_after(before)] == ["c"]
    assert store.resolve_entity(blok["id"])["id"] == stef["id"]
    assert store.entity_counts(stef["id"]) == (4, 2)
    assert store.entity_variants(stef["id"]) == ["Blok", "Stef Blok"]
    assert [(x["speaker"], x["speaker_entity_id"]) for x in store.quotes(speaker_id=stef["id"])] == [
        ("Stef Blok", stef["id"]), ("Stef Blok", stef["id"])]
    assert store.speakers() == [{"speaker": "Stef Blok", "speaker_entity_id": stef["id"], "quotes": 2,
                                 "articles": 2}]
    merges = store.entity_merges(stef["id"])
    assert [(m["text"], m["canonical"], m["label"], m["articles"], m["reason"]) for m in merges] == [
        ("Blok", "Blok", "ORG", 1, "surname of Stef Blok"), ("Blok", "Stef Blok", "PER", 1, None),
        ("Stef Blok", "Stef Blok", "PER", 1, None)]
    assert merges[0]["merged_articles"] == 1
    # one article elsewhere: to an entity the store makes, which resolves to itself; again: nothing changes
    links = [EntityLink(stef["id"], "Stef Blok", "PER"), EntityLink(blok["id"], "Stef Blok", "PER", "surname"),
             EntityLink(blok["id"], "Blok", "PER", "another Blok", "c")]
    assert store.save_resolution([stef["id"], blok["id"]], links) == ["c"]
    other = store.resolve_entity("Blok")
    assert other is not None and (other["canonical"], other["label"]) == ("Stef Blok", "PER")
    made = next(r for r in store.entity_rows(["blok"]) if (r["canonical"], r["label"]) == ("Blok", "PER"))
    assert made["resolved_id"] == made["id"] and store.entity_counts(made["id"]) == (2, 1)
    assert store.save_resolution([stef["id"], blok["id"]], links) == []

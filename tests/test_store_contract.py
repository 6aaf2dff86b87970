"""The contract every storage backend keeps, run against each: SQLite (a file in a temporary folder) and PostgreSQL
(a real server on 127.0.0.1, see conftest.py; each test in a schema of its own).

Every method of `kroniek.store.base.Store` is exercised here. Where PostgreSQL cannot do what SQLite does (text
holding U+0000), the test says what each one does instead.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kroniek.errors import ArchiveError
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
    StoryRow,
    TimeExpression,
)
from kroniek.nlp.timex_normalise import value_range
from kroniek.store.base import Store
from kroniek.store.sqlite import SQLiteStore

Opener = Callable[..., Store]  # opener(readonly=False) -> a new store (connection) on the test's one archive

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

TEXT_A = "Minister Stef Blok sprak in 2014 met Rusland. “Het is een proces”, zegt Blok."
TEXT_B = "In Moskou reageerde Rusland op het bericht over MH17."


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Opener]]:
    opened: list[Store] = []
    if request.param == "sqlite":
        def make(readonly: bool = False) -> Store:
            return SQLiteStore(tmp_path / "contract.db", readonly=readonly)
    else:
        from kroniek.store.postgres import PostgresStore

        url = request.getfixturevalue("pg_url")

        def make(readonly: bool = False) -> Store:
            # the log is dropped as soon as it is forgotten, as in SQLite (the retention has a test of its own)
            return PostgresStore(url, readonly=readonly, keep_changes=0)

    def opener(readonly: bool = False) -> Store:
        s = make(readonly)
        opened.append(s)
        return s

    yield request.param, opener
    for s in opened:
        s.close()


@pytest.fixture
def store(backend: tuple[str, Opener]) -> Store:
    return backend[1]()


def row(aid: str, text: str, date: str | None, source: str | None = "Krant", language: str = "nl") -> ArticleRow:
    """A prepared article (its language set, as short texts fool the detector)."""
    raw = RawArticle(text=text, date=ArticleDate.parse(date) if date else None, id=aid, source=source,
                     meta={"rubriek": "politiek"}, origin=Origin("in.jsonl", 3))
    return prepare(raw)._replace(language=language)


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


def analysis_b() -> Analysis:
    r = TEXT_B.index("Rusland")
    m = TEXT_B.index("Moskou")
    return Analysis(id="b", date=ArticleDate(2019, 3, 4), text=TEXT_B,
                    entities=[EntityMention(m, m + 6, "Moskou", "LOC"),
                              EntityMention(r, r + 7, "Rusland", "LOC", "Rusland")],
                    quotes=[Quote(0, len(TEXT_B), TEXT_B, "indirect", "reageerde", "", "Stef Blok")])


# --- articles, de-duplication, the quarantine --------------------------------------------------------------------


def test_store_contract_insert_existing_and_read_back(store: Store) -> None:
    a, b = row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04", source="Blad")
    store.insert([a, b], [QuarantineRow("in.jsonl", 9, "not valid JSON", "{kapot")])
    hashes, owners = store.existing([a.content_hash, "0" * 64], ["a", "z"])
    assert hashes == {a.content_hash} and owners == {"a": a.content_hash}
    got = store.article("a")
    assert got is not None
    assert (got.text, str(got.date), got.source, got.meta, got.origin_file, got.origin_line) == (
        TEXT_A, "2019-02", "Krant", {"rubriek": "politiek"}, "in.jsonl", 3)
    assert got.content_hash == a.content_hash and got.language == a.language
    assert got.structure.paragraphs[0].of(TEXT_A) == TEXT_A
    assert len(got.ingested_at) == 25 and got.ingested_at.endswith("+00:00")  # ISO, seconds, UTC
    assert (got.entities, got.quotes, got.timexes, got.analyses) == ([], [], [], {})
    assert store.article("z") is None
    assert store.count() == 2
    assert [x.id for x in store.articles()] == ["a", "b"]
    assert [x.id for x in store.articles(["b", "a"])] == ["b", "a"]
    q = store.quarantined()
    assert [(x.file, x.line, x.reason, x.raw) for x in q] == [("in.jsonl", 9, "not valid JSON", "{kapot")]
    assert q[0].id is not None and q[0].at.endswith("+00:00")
    assert store.count_quarantined() == 1 and store.quarantined(offset=1) == []
    stats = store.stats()
    assert stats["articles"] == 2 and stats["quarantined"] == 1
    assert [m["month"] for m in stats["by_month"]] == ["2019-02", "2019-03"]


def test_store_contract_articles_in_storage_order_batches_ids_and_filters(store: Store) -> None:
    rows = [row(f"x{i}", f"Bericht nummer {i} over de stad.", "2020-01-01") for i in range(7)]
    rows[3] = rows[3]._replace(language="en")
    store.insert(rows[:4], [])
    store.insert(rows[4:], [])
    assert [x.id for x in store.articles(batch_size=3)] == [f"x{i}" for i in range(7)]
    assert [x.id for x in store.articles(["x5", "x1", "nee", "x5"])] == ["x5", "x1", "x5"]
    assert [x.id for x in store.articles(["x3", "x2"], language="nl")] == ["x2"]
    assert [x.id for x in store.articles(language="en")] == ["x3"]
    assert store.count(language="en") == 1 and store.count(language="nl") == 6
    analysed = Analysis(id="x0", date=None, text=rows[0].text)
    store.save_analyses([analysed], "v1", STAGES)
    assert store.count(unanalysed=True) == 6 and store.count(language="nl", unanalysed=True) == 5
    assert [x.id for x in store.articles(language="nl", unanalysed=True, batch_size=2)] == [
        "x1", "x2", "x4", "x5", "x6"]
    # reading without annotations leaves them empty; with them, the stages are there
    assert next(iter(store.articles(["x0"]))).analyses == {}
    full = store.article("x0")
    assert full is not None and full.analyses == {s: "v1" for s in STAGES}
    assert store.article("x0", annotations=False).analyses == {}  # type: ignore[union-attr]


def test_store_contract_insert_if_all_new_is_all_or_nothing(store: Store) -> None:
    a, b, c = row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04"), row("c", "Een derde bericht.", "2019")
    quarantined = [QuarantineRow("in.csv", 2, "missing date", "zonder datum")]
    assert not store.insert_if_all_new([], [])  # nothing to store: the caller's ordinary path decides
    assert store.insert_if_all_new([a], quarantined)
    assert store.count() == 1 and len(store.quarantined()) == 1
    last = store.last_change()
    for clash in ([b, c._replace(id="a")],                                   # a stored id
                  [b, c._replace(content_hash=a.content_hash)],               # a stored text
                  [b, c._replace(content_hash=b.content_hash)],               # a text twice in the batch
                  [b, c._replace(id="b")]):                                   # an id twice in the batch
        assert not store.insert_if_all_new(clash, quarantined)
        assert store.count() == 1 and len(store.quarantined()) == 1
        assert store.changes_after(last) == []
    assert store.insert_if_all_new([b, c], [])  # the store is usable after each rollback
    assert [x.id for x in store.articles()] == ["a", "b", "c"]


def test_store_contract_insert_refuses_a_taken_id_or_text_and_stores_nothing_of_the_batch(store: Store) -> None:
    a = row("a", TEXT_A, "2019-02")
    store.insert([a], [])
    with pytest.raises(ArchiveError, match="cannot write"):
        store.insert([row("b", TEXT_B, "2019-03"), row("a", "Andere tekst.", "2019-03")], [])
    with pytest.raises(ArchiveError, match="cannot write"):
        store.insert([row("c", TEXT_A, "2019-03")], [QuarantineRow(None, None, "x", "y")])
    assert [x.id for x in store.articles()] == ["a"] and store.quarantined() == []
    store.insert([], [QuarantineRow(None, None, "alleen quarantaine", "")])
    assert [(q.file, q.line, q.reason) for q in store.quarantined()] == [(None, None, "alleen quarantaine")]


def test_store_contract_dates_undated_and_stats(store: Store) -> None:
    store.insert([row("j", "Het kabinet valt over de begroting.", "2020-01-05", source="Krant A"),
                  row("m", "De minister treedt af na een debat.", "2020-01", source="Krant B"),
                  row("y", "De gemeente bouwt een nieuwe brug.", "2021", source="Krant A"),
                  row("u", "Een bericht zonder datum of bron.", None, source=None)], [])
    s = store.stats()
    assert s["articles"] == 4 and s["analysed"] == 0 and s["entities"] == 0
    # an undated article counts under no month; a year-dated one under its year, not under its January
    assert s["by_month"] == [{"month": None, "articles": 1}, {"month": "2020-01", "articles": 2},
                             {"month": "2021", "articles": 1}]
    assert s["by_source"] == [{"source": "Krant A", "articles": 2}, {"source": None, "articles": 1},
                              {"source": "Krant B", "articles": 1}]
    assert s["by_language"] == [{"language": "nl", "articles": 4}]
    assert (s["first_day"], s["last_day"]) == ("2020-01-01", "2021-12-31")
    year = store.article("y")
    assert year is not None and year.date == ArticleDate(2021) and str(year.date) == "2021"
    undated = store.article("u")
    assert undated is not None and undated.date is None and undated.source is None


def test_store_contract_quarantine_pages_in_order(store: Store) -> None:
    store.insert([], [QuarantineRow("f.jsonl", i, f"reden {i}", f"rauw {i}") for i in range(1, 8)])
    assert [q.line for q in store.quarantined(limit=3)] == [1, 2, 3]
    assert [q.line for q in store.quarantined(limit=3, offset=5)] == [6, 7]
    assert store.stats()["quarantined"] == 7


def test_store_contract_text_holding_nul(backend: tuple[str, Opener]) -> None:
    kind, opener = backend
    store = opener()
    text = "Een bericht\x00 met een nul. Daarna meer."
    store.insert([row("n", text, "2019-05", source="Bron\x00")], [QuarantineRow("f\x00", 1, "r\x00", "raw\x00")])
    got = store.article("n")
    assert got is not None
    if kind == "sqlite":
        assert got.text == text and got.source == "Bron\x00"
    else:  # PostgreSQL's text cannot hold U+0000: it keeps U+FFFD, one character for one, so offsets still hold
        assert got.text == text.replace("\x00", "\ufffd") and got.source == "Bron\ufffd"
        assert store.quarantined()[0].raw == "raw\ufffd"
    assert len(got.text) == len(text) and got.structure.paragraphs[0].of(got.text).endswith("meer.")
    assert got.content_hash == row("n", text, "2019-05").content_hash  # the hash of the text as read


# --- the change log ---------------------------------------------------------------------------------------------


def test_store_contract_change_log_numbers_forgetting_and_analyses(store: Store) -> None:
    assert store.last_change() == 0 and store.changes_after(0) == [] and store.forgotten_changes() == 0
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04")], [])
    log = store.changes_after(0)
    assert [aid for _, aid in log] == ["a", "b"]
    assert [seq for seq, _ in log] == sorted(seq for seq, _ in log) and store.last_change() == log[-1][0]
    assert store.changes_after(0, limit=1) == log[:1] and store.changes_after(log[0][0]) == log[1:]
    store.save_analyses([analysis_a()], "v1", STAGES)  # re-analysed: logged again
    after = store.changes_after(log[-1][0])
    assert [aid for _, aid in after] == ["a"] and store.last_change() == after[0][0] > log[-1][0]
    store.forget_changes(log[-1][0])
    assert store.changes_after(0) == after and store.forgotten_changes() == log[-1][0]
    top = store.last_change()
    store.forget_changes(top)
    assert store.changes_after(0) == [] and store.last_change() == top == store.forgotten_changes()
    store.insert([row("c", "Een derde bericht.", "2019")], [])
    assert [(s > top, aid) for s, aid in store.changes_after(0)] == [(True, "c")]  # numbers are not reused


def test_store_contract_readonly_reads_and_refuses_writes(backend: tuple[str, Opener]) -> None:
    kind, opener = backend
    writer = opener()
    writer.insert([row("a", TEXT_A, "2019-02")], [])
    reader = opener(readonly=True)
    assert reader.count() == 1 and reader.article("a") is not None
    with pytest.raises(ArchiveError, match="read-only"):
        reader.insert([row("b", TEXT_B, "2019-03")], [])
    with pytest.raises(ArchiveError, match="read-only"):
        reader.save_analyses([analysis_a()], "v1", STAGES)
    reader.forget_changes(writer.last_change())  # a reader leaves the log alone
    assert [aid for _, aid in writer.changes_after(0)] == ["a"]
    writer.insert([row("b", TEXT_B, "2019-03")], [])
    assert reader.count() == 2  # what another connection commits is seen


# --- the writer lock ----------------------------------------------------------------------------------------------


def test_store_contract_writer_lock_between_two_connections(backend: tuple[str, Opener]) -> None:
    _, opener = backend
    one, two = opener(), opener()
    with one.writer_lock() as held:
        assert held
        with one.writer_lock(wait=False) as again:  # re-entrant within a process
            assert again
        with two.writer_lock(wait=False) as other:
            assert not other
        with two.writer_lock(timeout=0.2) as other:
            assert not other
    with two.writer_lock(wait=False) as other:
        assert other
        with one.writer_lock(wait=False) as first:
            assert not first


def test_store_contract_writer_lock_waits_for_the_holder(backend: tuple[str, Opener]) -> None:
    _, opener = backend
    one, two = opener(), opener()
    order: list[str] = []
    release = threading.Event()
    taken = threading.Event()

    def hold() -> None:
        with one.writer_lock() as held:
            assert held
            taken.set()
            release.wait(30)
            order.append("first done")

    t = threading.Thread(target=hold)
    t.start()
    assert taken.wait(30)
    waiter = threading.Thread(target=lambda: _take_after(two, order))
    waiter.start()
    release.set()
    t.join(30)
    waiter.join(30)
    assert order == ["first done", "second in"]


def _take_after(store: Store, order: list[str]) -> None:
    with store.writer_lock(wait=True, timeout=30) as held:
        order.append("second in" if held else "second gave up")


@pytest.mark.postgres
def test_store_postgres_writer_lock_goes_with_a_killed_holder(pg_url: str) -> None:
    from kroniek.store.postgres import PostgresStore

    holder = subprocess.Popen([sys.executable, "-c", (
        "import time; from kroniek.store.postgres import PostgresStore\n"
        f"s = PostgresStore({pg_url!r})\n"
        "with s.writer_lock() as held:\n    print('held' if held else 'not held', flush=True); time.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    store = PostgresStore(pg_url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with store.writer_lock(wait=False) as held:
            assert not held
        holder.kill()
        holder.wait(timeout=30)
        # the server ends the killed process's session, and its lock with it
        with store.writer_lock(timeout=30) as held:
            assert held
    finally:
        holder.kill()
        holder.wait(timeout=30)
        store.close()


# --- annotations ----------------------------------------------------------------------------------------------


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


def test_store_contract_annotations_round_trip(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04")], [])
    store.save_analyses([analysis_a(), analysis_b()], "v1", STAGES)
    art = store.article("a")
    assert art is not None
    blok = store.resolve_entity("Stef Blok")
    rusland = store.resolve_entity("Rusland")
    assert blok is not None and rusland is not None
    start = TEXT_A.index("Stef Blok")
    assert art.entities[0] == {"start": start, "end": start + 9, "text": "Stef Blok", "label": "PER",
                               "canonical": "Stef Blok", "entity_id": blok["id"]}
    assert [(e["text"], e["entity_id"]) for e in art.entities] == [
        ("Stef Blok", blok["id"]), ("Rusland", rusland["id"]), ("Blok", blok["id"])]
    q = TEXT_A.index("“")
    assert art.quotes == [{"start": q, "end": TEXT_A.index("”") + 1, "text": TEXT_A[q:TEXT_A.index("”") + 1],
                           "kind": "direct", "cue": "zegt", "speaker_mention": "Blok", "speaker": "Stef Blok",
                           "speaker_entity_id": blok["id"]}]
    y = TEXT_A.index("2014")
    assert art.timexes == [{"start": y, "end": y + 4, "text": "2014", "type": "DATE", "value": "2014",
                            "ref_start": "2014-01-01", "ref_end": "2014-12-31", "sentence_start": 0,
                            "sentence_end": TEXT_A.index(".") + 1}]
    # a speaker not named in the quote's own article: the stored person of that name
    b = store.article("b")
    assert b is not None and b.quotes[0]["speaker_entity_id"] == blok["id"]
    assert store.quotes(speaker_id=blok["id"], article_ids=["b"])[0]["article_date"] == "2019-03-04"
    # the same entity across articles is one entity
    assert store.entity_counts(rusland["id"]) == (2, 2)
    assert store.entity_months(rusland["id"]) == [{"month": "2019-02", "mentions": 1, "articles": 1},
                                                  {"month": "2019-03", "mentions": 1, "articles": 1}]
    assert store.stats()["analysed"] == 2 and store.stats()["entities"] == 3
    exported = list(store.export_rows(["b"]))
    assert [r["id"] for r in exported] == ["b"] and exported[0]["quotes"][0]["speaker"] == "Stef Blok"
    assert exported[0]["analyses"] == {s: "v1" for s in STAGES} and exported[0]["date"] == "2019-03-04"
    # re-analysing replaces the article's annotations, and nothing is kept twice
    store.save_analyses([analysis_a()], "v2", STAGES)
    again = store.article("a")
    assert again is not None and again.entities == art.entities and again.quotes == art.quotes
    assert again.timexes == art.timexes and again.analyses == {s: "v2" for s in STAGES}
    assert store.entity_counts(blok["id"]) == (2, 1)


def test_store_contract_entity_lists_speakers_and_mentions(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04")], [])
    store.save_analyses([analysis_a(), analysis_b()], "v1", STAGES)
    assert [e["canonical"] for e in store.entities()] == ["Rusland", "Stef Blok", "Moskou"]
    assert [e["canonical"] for e in store.entities(label="LOC")] == ["Rusland", "Moskou"]
    assert [e["canonical"] for e in store.entities(query="blok")] == ["Stef Blok"]  # any case
    assert [e["canonical"] for e in store.entities(query="o_k")] == ["Moskou"]  # _ is any one character
    assert [e["canonical"] for e in store.entities(limit=1, offset=1)] == ["Stef Blok"]
    rusland = store.resolve_entity("Rusland")
    assert rusland is not None
    assert [(c["canonical"], c["articles"]) for c in store.co_occurring(rusland["id"])] == [
        ("Moskou", 1), ("Stef Blok", 1)]
    assert [c["canonical"] for c in store.co_occurring(rusland["id"], limit=1)] == ["Moskou"]
    speakers = store.speakers()
    assert [(s["speaker"], s["quotes"], s["articles"]) for s in speakers] == [("Stef Blok", 2, 2)]
    assert speakers[0]["speaker_entity_id"] == store.resolve_entity("Stef Blok")["id"]  # type: ignore[index]
    assert store.speakers(offset=1) == []
    assert [q["article_id"] for q in store.quotes()] == ["a", "b"]  # in article-date order
    assert [q["article_id"] for q in store.quotes(limit=1, offset=1)] == ["b"]
    assert store.quotes(speaker="Niemand") == []
    found = store.mentions_in(["b", "a"])
    assert [(m["article_id"], m["canonical"]) for m in found] == [
        ("a", "Stef Blok"), ("a", "Rusland"), ("a", "Stef Blok"), ("b", "Moskou"), ("b", "Rusland")]
    assert set(found[0]) == {"article_id", "start", "end", "id", "canonical", "label"}
    assert store.mentions_in([]) == []


def test_store_contract_calendar_timexes_order_paging_and_entity_widening(store: Store) -> None:
    texts = {"p": "In 2010 sprak Blok. In mei 2018 zweeg hij.", "q": "Rusland zweeg in 2012."}
    store.insert([row("p", texts["p"], "2019-02"), row("q", texts["q"], "2019-01")], [])

    def timex(text: str, word: str, value: str, sentence: tuple[int, int] | None) -> TimeExpression:
        i = text.index(word)
        return TimeExpression(i, i + len(word), word, "DATE", value, *(sentence or (None, None)),
                              period=value_range(value))

    p, q = texts["p"], texts["q"]
    blok = p.index("Blok")
    store.save_analyses([
        Analysis(id="p", date=ArticleDate(2019, 2), text=p,
                 entities=[EntityMention(blok, blok + 4, "Blok", "PER", "Stef Blok")],
                 timexes=[timex(p, "mei 2018", "2018-05", (p.index("In mei"), len(p))),
                          timex(p, "2010", "2010", (0, p.index(".") + 1)),
                          TimeExpression(0, 2, "In", "DATE", "PRESENT_REF", None, None)]),
        Analysis(id="q", date=ArticleDate(2019, 1), text=q,
                 entities=[EntityMention(0, 7, "Rusland", "LOC")],
                 timexes=[timex(q, "2012", "2012", None)])], "v1", STAGES)
    events = store.calendar_timexes()
    assert [(e["value"], e["article_id"]) for e in events] == [("2010", "p"), ("2012", "q"), ("2018-05", "p")]
    assert events[1]["sentence"] == "2012"  # no sentence recorded: the expression itself
    assert events[2]["sentence"] == "In mei 2018 zweeg hij." and events[0]["article_date"] == "2019-02"
    assert events[0]["article_structure"].startswith("{") and events[0]["article_title"] is None
    assert [e["value"] for e in store.calendar_timexes(limit=1, offset=1)] == ["2012"]
    person = store.resolve_entity("Stef Blok")
    assert person is not None
    assert [e["value"] for e in store.calendar_timexes(entity_id=person["id"])] == ["2010"]
    assert [e["value"] for e in store.calendar_timexes(entity_id=person["id"], in_sentence=False)] == [
        "2010", "2018-05"]
    assert [e["value"] for e in store.calendar_timexes(article_ids=["q"])] == ["2012"]
    assert store.calendar_timexes(article_ids=[]) == []


def test_store_contract_analyses_of_an_article_not_stored_are_refused(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02")], [])
    with pytest.raises(ArchiveError, match="cannot store analyses"):
        store.save_analyses([analysis_a(), Analysis(id="nee", date=None, text="x")], "v1", STAGES)
    art = store.article("a")
    assert art is not None and art.analyses == {} and store.entities() == []  # nothing of the batch went in


def test_store_contract_bulk_writes_is_a_context(store: Store) -> None:
    with store.bulk_writes():
        store.insert([row("a", TEXT_A, "2019-02")], [])
        with store.bulk_writes():
            store.insert([row("b", TEXT_B, "2019-03")], [])
    assert store.count() == 2


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


def test_store_contract_annotated_articles_are_the_articles_read_one_by_one(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04"), row("c", "Een derde.", "2019")], [])
    store.save_analyses([analysis_a(), analysis_b()], "v1", STAGES)
    one_by_one = [store.article(i) for i in ("a", "b", "c")]
    assert list(store.annotated_articles(batch_size=2)) == one_by_one
    assert list(store.annotated_articles(["c", "nee", "a"])) == [one_by_one[2], one_by_one[0]]
    assert one_by_one[0] is not None and len(one_by_one[0].entities) == 3 and one_by_one[2].analyses == {}  # type: ignore[union-attr]
    assert [r["id"] for r in store.export_rows(["b", "a"])] == ["b", "a"]


def test_store_contract_quotes_about_an_entity_said_by_others(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("b", TEXT_B, "2019-03-04")], [])
    store.save_analyses([analysis_a(), analysis_b()], "v1", STAGES)
    rusland, blok = store.resolve_entity("Rusland"), store.resolve_entity("Stef Blok")
    assert rusland is not None and blok is not None
    about = store.quotes_about(rusland["id"])
    assert [(q["article_id"], q["speaker"], q["kind"], q["article_date"], q["date_start"]) for q in about] == [
        ("b", "Stef Blok", "indirect", "2019-03-04", "2019-03-04")]
    assert about[0]["speaker_entity_id"] == blok["id"] and about[0]["text"] == TEXT_B
    assert store.quotes_about(blok["id"]) == []  # named in no quotation (and his own would not count)
    assert store.quotes_about(rusland["id"], limit=0) == []


def test_store_contract_stories_members_and_rows(store: Store) -> None:
    store.insert([row("a", TEXT_A, "2019-02"), row("u", "Een bericht zonder datum.", None),
                  row("b", TEXT_B, "2019-03-04"), row("c", "Een ander verhaal in 2020.", "2020-01-02")], [])
    store.save_analyses([analysis_a(), analysis_b()], "v1", STAGES)
    assert store.story_order() == [("a", "2019-02-01"), ("b", "2019-03-04"), ("c", "2020-01-02"), ("u", None)]
    assert store.count_stories() == 0 and store.story_rows() == [] and store.stories_of(["a"]) == {}
    before = store.last_change()
    first = StoryRow("a", "Rusland en MH17", "b", "2019-02-01", "2019-03-04", 2, ("rusland", "mh17"))
    other = StoryRow("c", "Een ander verhaal", "c", "2020-01-02", "2020-01-02", 1, ("verhaal",))
    store.save_stories([("a", "a", 1.0), ("b", "a", 0.5), ("c", "c", 1.0)], [first, other])
    assert store.changes_after(before) == []  # `story:` asks the store: the index holds no story
    assert store.story_order(unassigned=True) == [("u", None)]
    assert (store.count_stories(), store.count_stories(min_size=2)) == (2, 1)
    assert store.story_rows() == [other, first]  # latest first
    assert store.story_rows(min_size=2) == [first] and store.story_rows(limit=1, offset=1) == [first]
    assert store.story_rows(["a", "nee", "c"]) == [other, first] and store.story_rows(["a"]) == [first]
    assert store.stories_of(["a", "b", "u", "nee"]) == {"a": "a", "b": "a"}
    assert store.story_members("a") == [("a", 1.0), ("b", 0.5)] and store.story_members("nee") == []
    rusland = store.resolve_entity("Rusland")
    assert rusland is not None and store.entity_stories(rusland["id"]) == [("a", 2)]
    art = store.article("b")
    assert art is not None and art.story_id == "a"
    assert [a.story_id for a in store.annotated_articles(["a", "u"])] == ["a", None]
    # an article moves to another story; a story's row is replaced
    store.save_stories([("b", "c", 0.7)], [replace_size(first, 1), replace_size(other, 2)])
    assert store.stories_of(["a", "b"]) == {"a": "a", "b": "c"}
    assert store.story_members("c") == [("b", 0.7), ("c", 1.0)]
    assert [r.size for r in store.story_rows(["a", "c"])] == [2, 1]
    # a new member, then its story merged into another in the same transaction: members move, the row goes
    store.save_stories([("u", "c", 0.4)], [replace_size(first, 4)], [("c", "a")])
    assert store.stories_of(["a", "b", "c", "u"]) == {"a": "a", "b": "a", "c": "a", "u": "a"}
    assert store.story_rows() == [replace_size(first, 4)] and store.story_members("c") == []
    assert store.story_members("a") == [("a", 1.0), ("b", 0.7), ("c", 1.0), ("u", 0.4)]
    store.save_stories([("u", "u", 1.0)], [StoryRow("u", "Zonder datum", "u", "", "", 1, ())])
    store.save_stories([], [replace_size(first, 3)], [])
    assert store.count_stories() == 2
    mark = store.last_change()
    assert store.clear_stories() == 4 and store.last_change() == mark
    assert store.count_stories() == 0 and store.stories_of(["a", "b", "c"]) == {}
    assert len(store.story_order(unassigned=True)) == 4


def replace_size(story: StoryRow, size: int) -> StoryRow:
    return StoryRow(story.id, story.title, story.title_article, story.first_date, story.last_date, size,
                    story.keywords)

"""Exports of every kind (articles, entities, quotations, timeline events, stories) in every format (JSON Lines,
CSV, Parquet): what the archive selects for a query, filters and a limit; a round trip of each kind and format through
the command line and the API, read back with json, csv and pyarrow and compared with what the archive answers
elsewhere; Parquet in row groups; a closed pipe; the progress bar on a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kroniek.archive import Archive
from kroniek.cli import EXIT_USAGE, cli
from kroniek.errors import InputError, QueryError
from kroniek.export import CSV_HEADERS, FORMATS, encode, parquet_chunks, parquet_schema
from kroniek.model import (
    EXPORT_KINDS,
    STAGES,
    Analysis,
    EntityMention,
    Filters,
    Quote,
    StoryRow,
    TimeExpression,
)
from kroniek.nlp.timex_normalise import value_range
from kroniek.server.app import create_app
from kroniek.server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

BLOK = "Minister Stef Blok sprak in 2014 met Rusland over gesprekken. “Het is een proces”, zegt Blok."
LAVROV = "De minister van Rusland reageerde kort. Vorig jaar mei was het anders, zei Lavrov tegen de pers."
PLAIN = 'Een bericht, met "aanhalingstekens"\n\nen een tweede alinea over de burgemeester van Zwolle.'
KABINET = "Kabinet valt\n\nHet kabinet is gevallen na een lang debat.\n\nLees ook: Blok over MH17\n\nEinde."
ARTICLES = [
    {"id": "a1", "date": "2019-02-10", "source": "Krant A", "title": "Blok over MH17", "text": BLOK,
     "url": "https://example.org/a1", "rubriek": "politiek"},
    {"id": "a2", "date": "2019-03", "source": "Krant B", "text": LAVROV},
    {"id": "a3", "date": "2018", "source": "Krant A", "title": "Zwolle", "text": PLAIN},
    {"id": "a4", "date": "2019-04-01", "source": "Krant B", "text": KABINET},
]


def _at(text: str, part: str, last: bool = False) -> tuple[int, int]:
    start = text.rindex(part) if last else text.index(part)
    return start, start + len(part)


def _analyses(archive: Archive) -> list[Analysis]:
    def structure(aid: str) -> Any:
        return archive.get_article(aid).structure

    q = _at(BLOK, "“Het is een proces”")
    first = BLOK.index(".") + 1
    blok = Analysis(id="a1", date=None, text=BLOK, structure=structure("a1"), entities=[
        EntityMention(*_at(BLOK, "Stef Blok"), "Stef Blok", "PER", "Stef Blok"),
        EntityMention(*_at(BLOK, "Rusland"), "Rusland", "LOC", "Rusland"),
        EntityMention(*_at(BLOK, "Blok", last=True), "Blok", "PER", "Stef Blok")],
        quotes=[Quote(*q, BLOK[q[0]:q[1]], "direct", "zegt", "Blok", "Stef Blok")],
        timexes=[TimeExpression(*_at(BLOK, "2014"), "2014", "DATE", "2014", 0, first, period=value_range("2014"))])
    second = LAVROV.index("Vorig")
    said = _at(LAVROV, "Vorig jaar mei was het anders")
    lavrov = Analysis(id="a2", date=None, text=LAVROV, structure=structure("a2"), entities=[
        EntityMention(*_at(LAVROV, "Rusland"), "Rusland", "LOC", "Rusland"),
        EntityMention(*_at(LAVROV, "Lavrov"), "Lavrov", "PER", "Lavrov")],
        quotes=[Quote(*said, LAVROV[said[0]:said[1]], "indirect", "zei", "Lavrov", "Lavrov")],
        timexes=[TimeExpression(*_at(LAVROV, "Vorig jaar mei"), "Vorig jaar mei", "DATE", "2018-05", second,
                                len(LAVROV), period=value_range("2018-05")),
                 TimeExpression(*_at(LAVROV, "kort"), "kort", "DURATION", "PXD")])  # not on the calendar
    return [blok, lavrov]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of four articles, two of them analysed: entities with variants, quotations, time expressions
    on the calendar and off it, an untitled article, a reference to another article's title, CSV's special
    characters, a second source of one text; a story of three articles and one of a single article."""
    path = tmp_path_factory.mktemp("export") / "k.db"
    with Archive.open(path) as archive:
        archive.on_notice = lambda _: None
        assert archive.ingest(ARTICLES).new == len(ARTICLES)
        # the first article's text once more, from another source: kept with the article
        assert archive.ingest([{**ARTICLES[0], "id": "c1", "source": "Krant C"}]).duplicates == 1
        archive.store.save_analyses(_analyses(archive), "test", STAGES)
        archive.store.save_stories(
            [("a1", "a1", 1.0), ("a2", "a1", 0.6), ("a4", "a1", 0.4), ("a3", "a3", 1.0)],
            [StoryRow("a1", "Blok over MH17", "a1", "2019-02-10", "2019-04-01", 3, ("rusland", "blok")),
             StoryRow("a3", "Zwolle", "a3", "2018-01-01", "2018-01-01", 1, ("zwolle",))])
        archive.catch_up_index()
    return path


@pytest.fixture
def archive(db: Path) -> Archive:
    a = Archive.open(db, readonly=True)
    a.on_notice = lambda _: None
    yield a
    a.close()


# --- what the archive answers elsewhere, per kind ---------------------------------------------------------------

def expected(archive: Archive, what: str, query: str = "") -> list[dict[str, Any]]:
    """The rows an export of `what` should hold, from the archive's other answers: its articles, entity counts,
    quotations and timeline."""
    ids = [a.id for a in archive.articles()] if not query else list(archive.search_ids(query))
    if what == "articles":
        rows = [archive.get_article(i).to_dict() for i in ids]
        for row in rows:
            for name in ("meta", "referenced_by", "related"):  # the reader's extra fields; what a page lists
                row.pop(name)
            for ref in row["structure"]["references"]:
                ref.pop("article")  # the target's summary: its id is `article_id`
        return rows
    if what == "quotes":
        return archive.quotes(query=query, limit=10_000).items
    if what == "timeline":
        return archive.timeline(query, limit=10_000).items
    if what == "stories":
        rows = []
        for story in archive.stories(query, limit=10_000).items:
            detail = archive.story(story.id)
            rows.append({**story.to_dict(), "article_ids": [a["id"] for a in detail.articles],
                         "entities": detail.entities, "speakers": detail.speakers})
        return rows
    if what == "entities":
        found: dict[int, dict[str, Any]] = {}
        for art in (archive.get_article(i) for i in ids):
            for m in art.entities:
                e = found.setdefault(m["entity_id"], {"id": m["entity_id"], "canonical": m["canonical"],
                                                      "label": m["label"], "mentions": 0, "articles": set(),
                                                      "variants": set()})
                e["mentions"] += 1
                e["articles"].add(art.id)
                e["variants"].add(m["text"])
        rows = [{**e, "articles": len(e["articles"]), "variants": sorted(e["variants"])} for e in found.values()]
        return sorted(rows, key=lambda e: (-e["mentions"], e["canonical"], e["id"]))
    raise AssertionError(what)


def test_each_kind_holds_what_the_archive_answers(archive: Archive) -> None:
    for what in EXPORT_KINDS:
        assert list(archive.export(what=what)) == expected(archive, what), what
    # the whole archive's entity counts are those of the entity list
    listed = {e["id"]: (e["canonical"], e["mentions"], e["articles"]) for e in archive.entities(limit=100).items}
    assert {e["id"]: (e["canonical"], e["mentions"], e["articles"]) for e in archive.export(what="entities")} \
        == listed
    blok = next(e for e in archive.export(what="entities") if e["canonical"] == "Stef Blok")
    assert blok["variants"] == archive.entity("Stef Blok").variants == ["Blok", "Stef Blok"]


def test_rows_of_the_articles_a_query_selects(archive: Archive) -> None:
    for what in EXPORT_KINDS:
        assert list(archive.export("Rusland", what=what)) == expected(archive, what, "Rusland"), what
    assert [r["id"] for r in archive.export("Lavrov")] == ["a2"]
    assert {e["canonical"] for e in archive.export("Lavrov", what="entities")} == {"Rusland", "Lavrov"}
    (rusland,) = [e for e in archive.export("Lavrov", what="entities") if e["canonical"] == "Rusland"]
    assert (rusland["mentions"], rusland["articles"]) == (1, 1)  # counted in the selected article only
    assert [q["speaker"] for q in archive.export("Blok", what="quotes")] == ["Stef Blok"]
    assert [e["value"] for e in archive.export("Lavrov", what="timeline")] == ["2018-05"]
    assert list(archive.export("burgemeester", what="quotes")) == []
    (story,) = archive.export("Lavrov", what="stories")  # the story holds the selected article
    assert (story["id"], story["size"], story["article_ids"]) == ("a1", 3, ["a1", "a2", "a4"])
    assert {e["canonical"]: e["articles"] for e in story["entities"]} == {"Rusland": 2, "Stef Blok": 1, "Lavrov": 1}
    assert [x["speaker"] for x in story["speakers"]] == ["Lavrov", "Stef Blok"]
    assert list(archive.export("Zwolle", what="stories")) == []  # a story of one article is only begun
    assert [r["id"] for r in archive.export(what="stories")] == ["a1"]


def test_filters_exact_and_limit_narrow_an_export(archive: Archive) -> None:
    by_source = list(archive.export(filters=Filters(source="Krant A")))
    assert {r["id"] for r in by_source} == {"a1", "a3"}
    assert [q["article_id"] for q in archive.export("minister", what="quotes", filters=Filters(source="Krant B"))] \
        == ["a2"]
    assert {r["id"] for r in archive.export(filters=Filters(month="2019-03"))} == {"a2"}
    assert [r["id"] for r in archive.export("gesprek")] == ["a1"]  # stemmed: gesprekken
    assert list(archive.export("gesprek", exact=True)) == []
    assert len(list(archive.export(most=2))) == 2
    assert len(list(archive.export("minister", most=1))) == 1
    assert len(list(archive.export(what="entities", most=2))) == 2
    assert [q["article_id"] for q in archive.export(what="quotes", most=1)] == ["a1"]


def test_an_unknown_kind_or_a_bad_query_is_an_error_before_the_first_row(archive: Archive) -> None:
    with pytest.raises(InputError):
        archive.export(what="stories-of-nothing")
    for what in EXPORT_KINDS:
        with pytest.raises(QueryError):
            archive.export('"open', what=what)


def test_rows_carry_exactly_the_columns_of_their_schema(archive: Archive) -> None:
    for what in EXPORT_KINDS:
        rows = list(archive.export(what=what))
        assert rows, what
        assert all(set(r) == set(parquet_schema(what).names) for r in rows), what


def test_a_reference_names_the_article_it_points_to(archive: Archive) -> None:
    (kabinet,) = [r for r in archive.export() if r["id"] == "a4"]
    assert [(r["text"], r["article_id"]) for r in kabinet["structure"]["references"]] == [("Blok over MH17", "a1")]


def test_an_article_carries_its_other_sources(archive: Archive) -> None:
    (blok,) = archive.export("Lavrov OR gesprekken", filters=Filters(source="Krant A"))
    assert [x["source"] for x in blok["other_sources"]] == ["Krant C"]


# --- reading an export back --------------------------------------------------------------------------------------

def read_back(data: bytes, fmt: str) -> list[dict[str, Any]]:
    if fmt == "jsonl":
        return [json.loads(line) for line in data.decode("utf-8").splitlines()]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    # read without arrow's thread pool, which can abort the interpreter at its exit
    rows = pq.read_table(io.BytesIO(data), use_threads=False).to_pylist()
    for row in rows:
        if "analyses" in row:  # a map column reads back as (key, value) pairs
            row["analyses"] = dict(row["analyses"])
    return rows


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def as_csv(what: str, row: dict[str, Any]) -> dict[str, str]:
    """What the CSV of one row holds by docs/export.md: scalars as text, lists as '; '-separated values."""
    def named(entities: list[dict[str, Any]]) -> list[str]:
        return [f"{e['canonical'] or e.get('text')} ({e['label']})" for e in entities]

    if what == "articles":
        return {**{k: _text(row[k]) for k in ("id", "date", "source", "title", "url", "language", "text")},
                "entities": "; ".join(sorted(set(named(row["entities"])))),
                "speakers": "; ".join(sorted({q["speaker"] for q in row["quotes"] if q["speaker"]})),
                "timexes": "; ".join(f"{t['text']}={t['value']}" for t in row["timexes"]),
                "story_id": _text(row["story_id"])}
    lists = {"variants": lambda r: "; ".join(r["variants"]), "entities": lambda r: "; ".join(named(r["entities"])),
             "keywords": lambda r: "; ".join(r["keywords"]), "article_ids": lambda r: "; ".join(r["article_ids"]),
             "speakers": lambda r: "; ".join(x["speaker"] for x in r["speakers"])}
    return {k: lists[k](row) if k in lists else _text(row[k]) for k in CSV_HEADERS[what]}


def check_round_trip(archive: Archive, what: str, fmt: str, data: bytes, query: str = "") -> None:
    got = read_back(data, fmt)
    want = expected(archive, what, query)
    assert want, (what, query)
    if fmt == "csv":
        assert data.decode("utf-8").splitlines()[0].split(",") == CSV_HEADERS[what]
        assert got == [as_csv(what, r) for r in want]
    else:
        assert got == want


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", EXPORT_KINDS)
def test_round_trip_through_the_command_line(db: Path, archive: Archive, tmp_path: Path, what: str,
                                             fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(cli, ["export", "--archive", str(db), "--what", what, "--format", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    check_round_trip(archive, what, fmt, out.read_bytes())
    assert f"to {out}" in res.output
    res = CliRunner().invoke(cli, ["export", "Rusland", "--archive", str(db), "--what", what, "--format", fmt,
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    check_round_trip(archive, what, fmt, out.read_bytes(), "Rusland")


@pytest.mark.parametrize("what", EXPORT_KINDS)
def test_text_formats_stream_to_standard_output(db: Path, archive: Archive, what: str) -> None:
    for fmt in ("jsonl", "csv"):
        res = CliRunner().invoke(cli, ["export", "--archive", str(db), "--what", what, "--format", fmt])
        assert res.exit_code == 0, res.output
        check_round_trip(archive, what, fmt, res.stdout_bytes)


def test_parquet_needs_an_output_file(db: Path) -> None:
    res = CliRunner().invoke(cli, ["export", "--archive", str(db), "--format", "parquet"])
    assert res.exit_code == EXIT_USAGE
    assert "--output FILE" in res.output and "Traceback" not in res.output


def test_the_command_line_limits_the_rows(db: Path) -> None:
    res = CliRunner().invoke(cli, ["export", "--archive", str(db), "--what", "entities", "--limit", "2"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 2


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    with TestClient(create_app(Settings(db))) as c:
        yield c


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", EXPORT_KINDS)
def test_round_trip_through_the_api(client: TestClient, archive: Archive, what: str, fmt: str) -> None:
    r = client.get("/api/export", params={"what": what, "format": fmt})
    assert r.status_code == 200, r.text
    assert f'filename="kroniek-{what}.{fmt}"' in r.headers["content-disposition"]
    check_round_trip(archive, what, fmt, r.content)
    r = client.get("/api/export", params={"what": what, "format": fmt, "q": "Rusland"})
    check_round_trip(archive, what, fmt, r.content, "Rusland")


def test_the_api_applies_filters_exact_and_limit(client: TestClient) -> None:
    def ids(**params: Any) -> list[str]:
        r = client.get("/api/export", params=params)
        assert r.status_code == 200, r.text
        return [json.loads(line).get("id") or json.loads(line).get("article_id") for line in r.text.splitlines()]

    assert sorted(ids(source="Krant A")) == ["a1", "a3"]
    assert ids(what="quotes", q="minister", source="Krant B") == ["a2"]
    assert ids(month="2019-03") == ["a2"]
    assert ids(q="gesprek") == ["a1"] and ids(q="gesprek", exact="true") == []
    assert len(ids(limit=3)) == 3
    assert client.get("/api/export", params={"format": "parquet"}).headers["content-type"] \
        == "application/vnd.apache.parquet"
    assert client.get("/api/export", params={"what": "sources"}).status_code == 422
    assert client.get("/api/export", params={"what": "quotes", "q": '"open'}).status_code == 400


# --- Parquet in row groups --------------------------------------------------------------------------------------

def test_parquet_is_written_a_row_group_at_a_time(archive: Archive) -> None:
    rows = list(archive.export(what="timeline")) * 5  # 10 events
    pieces = list(parquet_chunks(iter(rows), "timeline", row_group=3))
    assert len(pieces) == 4 + 1  # one piece per row group as it is complete, then the footer
    data = b"".join(pieces)
    assert pq.ParquetFile(io.BytesIO(data)).metadata.num_row_groups == 4
    assert read_back(data, "parquet") == rows


def test_an_empty_export_is_a_file_with_its_columns(archive: Archive) -> None:
    for what in EXPORT_KINDS:
        data = b"".join(encode(archive.export("burgemeesterverkiezing", what=what), what, "parquet"))
        table = pq.read_table(io.BytesIO(data), use_threads=False)
        assert table.num_rows == 0 and table.schema.names == parquet_schema(what).names
        assert b"".join(encode([], what, "csv")).decode().splitlines() == [",".join(CSV_HEADERS[what])]


def test_a_row_that_does_not_fit_its_schema_is_an_error() -> None:
    with pytest.raises(ValueError, match="missing"):
        b"".join(parquet_chunks([{"id": 1, "canonical": "Rusland"}], "entities"))


# --- the command line in a real process: a closed pipe, a progress bar ---------------------------------------------

ROWS = 6000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose export, and whose list of quarantined records, are many times what a pipe holds (up to
    a megabyte where its size was raised)."""
    path = tmp_path_factory.mktemp("export-big") / "big.db"
    filler = " ".join(["Het kabinet sprak lang over de begroting en de plannen voor het komende jaar."] * 10)
    with Archive.open(path) as archive:
        archive.on_notice = lambda _: None
        archive.ingest([{"id": f"b{i}", "date": "2019-01-01", "text": f"Bericht {i}. {filler}"}
                        for i in range(ROWS)])
        archive.ingest([{"text": f"Ongedateerd bericht {i}. {filler}"} for i in range(ROWS)])  # quarantined
    return path


def _kroniek(*args: str) -> list[str]:
    return [sys.executable, "-m", "kroniek.cli", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "120"}


def _piped_to_head(command: list[str], *head: str) -> tuple[int, str, bytes]:
    """Run `command | head ...` as a shell would: the exit code and standard error of the command, and what head
    printed."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    reader = subprocess.Popen(["head", *head], stdin=proc.stdout, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # head holds the only reading end
    shown, _ = reader.communicate(timeout=120)
    errors = proc.stderr.read().decode()
    return proc.wait(timeout=120), errors, shown


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_closed_pipe_ends_the_export_quietly(big: Path, fmt: str) -> None:
    """`kroniek export | head -1`: the first line arrives, then the command ends with 0 and says nothing."""
    code, errors, shown = _piped_to_head(_kroniek("export", "--archive", str(big), "--format", fmt), "-1")
    assert (code, errors) == (0, "")
    line = shown.decode().strip()
    assert (json.loads(line)["id"] == "b0") if fmt == "jsonl" else line.startswith("id,date,source")


def test_a_closed_pipe_ends_any_command_quietly(big: Path) -> None:
    """The same for what the console prints, a line at a time (the quarantined records)."""
    code, errors, shown = _piped_to_head(_kroniek("quarantine", "--json", "--limit", str(ROWS), "--archive",
                                                  str(big)), "-1")
    assert (code, errors) == (0, "") and json.loads(shown)["reason"] == "missing date"


def _on_a_terminal(args: list[str], *, stdout_too: bool) -> tuple[int, str]:
    """Run a command with standard error (and standard output, when asked) on a pseudo-terminal; return its exit
    code and what the terminal showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdout=slave if stdout_too else subprocess.DEVNULL, stderr=slave, env=_env())
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not data:
                break
            shown += data
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=120), shown.decode(errors="replace")


def test_a_progress_bar_counts_the_rows_written_to_a_file(big: Path, tmp_path: Path) -> None:
    out = tmp_path / "big.parquet"
    code, shown = _on_a_terminal(_kroniek("export", "--archive", str(big), "--format", "parquet", "-o", str(out)),
                                 stdout_too=False)
    assert code == 0, shown
    assert "export articles" in shown and f"{ROWS:,}" in shown and "rows written" in shown
    assert f"Exported {ROWS:,} articles" in shown
    assert pq.ParquetFile(out).metadata.num_rows == ROWS
    quiet = tmp_path / "quiet.csv"
    code, shown = _on_a_terminal(_kroniek("export", "--archive", str(big), "--format", "csv", "-o", str(quiet),
                                          "--quiet"), stdout_too=False)
    assert code == 0 and "rows written" not in shown


def test_no_progress_bar_on_the_terminal_the_rows_go_to(big: Path) -> None:
    code, shown = _on_a_terminal(_kroniek("export", "--archive", str(big), "--limit", "50"), stdout_too=True)
    assert code == 0 and "rows written" not in shown and '"id": "b0"' in shown

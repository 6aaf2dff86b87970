"""The command line: exit codes, messages instead of tracebacks, and every command over a small archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ALPINO_JSONL, EVAL, SEED

from kroniek.cli import EXIT_ERROR, EXIT_QUARANTINED, cli


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), input=input, env={"KRONIEK_ARCHIVE": str(tmp_path / "k.db")})

    return invoke


def test_cli_ingest_summary_then_idempotent(run, shared: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("ingest", str(ALPINO_JSONL), "--no-analyze")
    assert first.exit_code == 0, first.output
    assert "54 new, 0 duplicates, 0 quarantined" in first.output and "articles/s" in first.output
    again = run("ingest", str(ALPINO_JSONL), "--no-analyze")
    assert again.exit_code == 0 and "0 new, 54 duplicates" in again.output


def test_cli_ingest_quarantine_exit_code_and_listing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"date 2019-13 Fout.\ndate 2019-02-03 Een goed artikel over de Tweede Kamer.\n")
    res = run("ingest", str(bad), "--no-analyze")
    assert res.exit_code == EXIT_QUARANTINED
    assert "1 new" in res.output and "1 quarantined" in res.output and "kroniek quarantine" in res.output
    listing = run("quarantine")
    assert listing.exit_code == 0 and f"{bad}:1" in listing.output and "impossible month" in listing.output
    rows = [json.loads(line) for line in run("quarantine", "--json").output.splitlines()]
    assert rows[0]["raw"].startswith("date 2019-13") and rows[0]["line"] == 1


def test_cli_ingest_from_standard_input(run) -> None:  # type: ignore[no-untyped-def]
    res = run("ingest", "-", "--no-analyze", input=b'{"id": "s1", "date": "2020-02-02", "text": "Via stdin."}\n')
    assert res.exit_code == 0 and "1 new" in res.output
    shown = run("show", "s1")
    assert shown.exit_code == 0 and "Via stdin." in shown.output and "2020-02-02 (day)" in shown.output


def test_cli_ingest_default_analyses_or_says_why_not(run, shared: Path) -> None:  # type: ignore[no-untyped-def]
    res = run("ingest", str(SEED))
    assert res.exit_code == 0, res.output
    assert "Analysed 1 Dutch articles that were not analysed yet" in res.output or "Not analysed" in res.output


def test_cli_csv_with_column_mapping(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "a.csv"
    f.write_text("kenmerk,datum,inhoud\nc1,2020-04-05,Een bericht uit een CSV-bestand.\n", encoding="utf-8")
    res = run("ingest", str(f), "--no-analyze", "--column", "id=kenmerk", "--column", "date=datum",
              "--column", "text=inhoud", "--source", "Test")
    assert res.exit_code == 0, res.output
    data = json.loads(run("show", "c1", "--json").output)
    assert data["source"] == "Test" and data["text"] == "Een bericht uit een CSV-bestand."


def test_cli_show_stats_and_search(run, shared: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(SEED), str(ALPINO_JSONL), "--no-analyze", "--source", "Corpus")
    stats = run("stats", "--json")
    figures = json.loads(stats.output)
    assert figures["articles"] == 55
    assert {"month": "2019-02", "articles": 1} in figures["by_month"]
    assert figures["by_source"] == [{"source": "Corpus", "articles": 55}]
    table = run("stats")
    assert "2001-06" in table.output and "Corpus" in table.output and "Languages: nl 55" in table.output
    found = run("search", "aansprakelijkheid")
    assert found.exit_code == 0 and "2019-02" in found.output
    (seed_id,) = [line.split()[0] for line in found.output.splitlines() if "2019-02" in line]
    shown = run("show", seed_id)
    assert "‘Nog niet vooruitlopen op onderhandelingen’" in shown.output and "Lees ook" in shown.output


def test_cli_errors_are_messages_with_next_step(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", "-", "--no-analyze", input=b"date 2020-01-01 Iets.\n")
    missing = run("show", "bestaat-niet")
    assert missing.exit_code == EXIT_ERROR
    assert "Error: no article" in missing.output and "Next:" in missing.output and "Traceback" not in missing.output
    nofile = run("ingest", str(tmp_path / "nee.txt"), "--no-analyze")
    assert nofile.exit_code == EXIT_ERROR and "does not exist" in nofile.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"x" * 5000)
    bad_archive = run("stats", "--archive", str(junk))
    assert bad_archive.exit_code == EXIT_ERROR and "cannot open the archive" in bad_archive.output
    assert bad_archive.exception is None or isinstance(bad_archive.exception, SystemExit)


def test_cli_analyze_seed_gives_gold_subheading_reference_and_date(run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   shared: Path) -> None:
    out = tmp_path / "seed.jsonl"
    res = run("analyze", str(SEED), "--output", str(out))
    assert res.exit_code == 0, res.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    pred = json.loads(line)
    gold = json.loads((EVAL / "seed-gold.json").read_text(encoding="utf-8"))
    assert (pred["date"], pred["date_precision"], pred["language"]) == ("2019-02", "month", "nl")
    assert [(s["start"], s["text"]) for s in pred["subheadings"]] == [(961, gold["subheadings"][0]["text"])]
    assert [(r["start"], r["text"]) for r in pred["references"]] == [(900, gold["references"][0]["text"])]
    text = pred["text"]
    for key in ("entities", "timexes", "quotes", "references", "subheadings"):
        assert all(text[x["start"]:x["end"]] == x["text"] for x in pred[key])


def test_cli_analyze_keeps_input_order_and_skips_bad_records(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "b", "date": "2020-01-01", "text": "Tweede bericht."}\nkapot\n'
                 '{"id": "a", "date": "2020-01-02", "text": "Eerste bericht."}\n', encoding="utf-8")
    res = run("analyze", str(f), "--output", str(tmp_path / "o.jsonl"))
    assert res.exit_code == EXIT_QUARANTINED and "in.jsonl:2" in res.output
    ids = [json.loads(x)["id"] for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["b", "a"]

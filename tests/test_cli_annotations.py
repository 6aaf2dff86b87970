"""The commands that read annotations: quotes, speakers, timeline, entities, entity, and tag for CoNLL files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EVAL, SEED, SHARED

from kroniek.cli import EXIT_ERROR, cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive holding the analysed seed article."""
    db = tmp_path_factory.mktemp("cli-annotations") / "k.db"
    res = CliRunner().invoke(cli, ["ingest", str(SEED), "--archive", str(db), "-q"])
    assert res.exit_code == 0, res.output
    return db


def run(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, [*args, "--archive", str(db)])


def test_cli_quotes_of_a_speaker_in_time_order(seeded: Path) -> None:
    res = run(seeded, "quotes", "--speaker", "Stef Blok", "--json")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert {r["speaker"] for r in rows} == {"Stef Blok"}
    texts = [r["text"] for r in rows]
    assert "We mogen hoopvol zijn" in texts
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)


def test_cli_quotes_by_surname_variant_and_query(seeded: Path) -> None:
    by_variant = run(seeded, "quotes", "--speaker", "Blok")
    assert by_variant.exit_code == 0 and "Stef Blok:" in by_variant.output
    none = run(seeded, "quotes", "voetbal")
    assert none.exit_code == 0 and "No quotations found." in none.output


def test_cli_speakers_counts_quotations(seeded: Path) -> None:
    rows = [json.loads(line) for line in run(seeded, "speakers", "--json").output.splitlines()]
    blok = next(r for r in rows if r["speaker"] == "Stef Blok")
    assert blok["quotes"] >= 5 and blok["articles"] == 1
    # a page of the table says how many follow it and where the next page starts
    first = run(seeded, "speakers", "--limit", "1")
    assert f"… {len(rows) - 1:,} more; use --offset 1." in first.output
    assert "more; use --offset" not in run(seeded, "speakers", "--offset", str(len(rows) - 1)).output


def test_cli_timeline_places_vorig_jaar_mei_in_may_2018(seeded: Path) -> None:
    res = run(seeded, "timeline", "MH17", "--json")
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in res.output.splitlines()]
    may = next(e for e in events if e["value"] == "2018-05")
    assert may["sentence"].startswith("Nederland heeft Rusland vorig jaar mei")
    starts = [e["ref_start"] for e in events]
    assert starts == sorted(starts)


def test_cli_entities_and_entity_page(seeded: Path) -> None:
    rows = [json.loads(line) for line in run(seeded, "entities", "--label", "PER", "--json").output.splitlines()]
    assert any(r["canonical"] == "Stef Blok" for r in rows)
    res = run(seeded, "entity", "Blok", "--json")
    assert res.exit_code == 0, res.output
    page = json.loads(res.output)
    assert page["canonical"] == "Stef Blok" and "Blok" in page["variants"]
    assert page["by_month"][0]["month"] == "2019-02"


@pytest.mark.parametrize("key", ["Niemand Bestaat", "²", "99999999999999999999999"])
def test_cli_entity_unknown_is_a_message_not_a_traceback(seeded: Path, key: str) -> None:
    res = run(seeded, "entity", key)
    assert res.exit_code == EXIT_ERROR
    assert "no entity" in res.output and "Traceback" not in res.output


def test_cli_entity_by_id(seeded: Path) -> None:
    blok = json.loads(run(seeded, "entity", "Blok", "--json").output)
    res = run(seeded, "entity", str(blok["id"]), "--json")
    assert res.exit_code == 0 and json.loads(res.output)["canonical"] == "Stef Blok"


def test_cli_tag_writes_one_more_column(tmp_path: Path) -> None:
    sample = tmp_path / "sample.conll"
    lines = (SHARED / "data" / "conll2002-ned" / "ned.testa").read_text(encoding="utf-8").splitlines()[:200]
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "pred.conll"
    res = CliRunner().invoke(cli, ["tag", "--conll", str(sample), "--output", str(out)])
    assert res.exit_code == 0, res.output
    pred = out.read_text(encoding="utf-8").splitlines()
    assert len(pred) == len(lines)
    for gold, got in zip(lines, pred, strict=True):
        if gold.split():
            assert got.split()[:-1] == gold.split() and got.split()[-1][:2] in {"O", "B-", "I-"}
    score = subprocess.run([sys.executable, str(EVAL / "score.py"), "ner", str(sample), str(out)],
                           capture_output=True, text=True, check=True)
    assert json.loads(score.stdout)["overall"]["gold"] > 0


def test_cli_export_jsonl_and_csv_of_a_query(seeded: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "out.jsonl"
    res = run(seeded, "export", "MH17", "--output", str(jsonl))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["text"].startswith("Het ministerie") and "meta" not in rows[0]
    assert any(q["speaker"] == "Stef Blok" for q in rows[0]["quotes"])
    csv_out = tmp_path / "out.csv"
    res = run(seeded, "export", "MH17", "--format", "csv", "--output", str(csv_out))
    assert res.exit_code == 0 and "Exported 1 articles" in res.output
    with csv_out.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "id" and len(table) == 2
    assert "Stef Blok" in table[1][table[0].index("speakers")]
    none = run(seeded, "export", "voetbal", "--format", "csv")
    assert none.exit_code == 0 and none.output.strip().startswith("id,date")

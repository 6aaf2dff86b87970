"""`kroniek batch analyze` (Spark and this process) and `kroniek load`: the same annotations as `kroniek analyze`,
bad records quarantined with nothing lost, and a loaded archive equal to an ingested one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import ALPINO_JSONL, SEED

from kroniek.archive import Archive
from kroniek.batch import COLUMNS, QUARANTINE_DIR
from kroniek.errors import InputError

BAD = "date 2019-13 Een maand die niet bestaat.\ndate 2019-02-03 Een goed artikel over de Tweede Kamer.\n"


def kroniek(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kroniek.cli", *args], capture_output=True, text=True, timeout=900)


def rows_of(output: Path) -> dict[str, dict]:
    return {r["id"]: r for r in ds.dataset(output, format="parquet", ignore_prefixes=["_", "."]).to_table()
            .to_pylist()}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    work = tmp_path_factory.mktemp("batch-in")
    (work / "bad.txt").write_text(BAD, encoding="utf-8")
    return [str(ALPINO_JSONL), str(SEED), str(work / "bad.txt")]


@pytest.fixture(scope="module")
def reference(inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("ref") / "analyze.jsonl"
    res = kroniek("analyze", *inputs, "-o", str(out))
    assert res.returncode == 3, res.stderr  # the bad record is left out and said
    return {json.loads(line)["id"]: json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()}


@pytest.fixture(scope="module")
def spark_output(inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java runtime: install default-jre-headless (make test does)")
    out = tmp_path_factory.mktemp("spark") / "out"
    res = kroniek("batch", "analyze", *inputs, str(out), "--engine", "spark", "--master", "local[2]",
                  "--partitions", "3")
    assert res.returncode == 3, res.stderr
    assert "Analysed 56 articles" in res.stdout and "1 records quarantined" in res.stdout
    return out


@pytest.mark.slow
def test_batch_spark_gives_the_annotations_of_kroniek_analyze(spark_output: Path,
                                                              reference: dict[str, dict]) -> None:
    rows = rows_of(spark_output)
    assert set(rows) == set(reference) and len(rows) == 56
    for aid, row in rows.items():
        assert json.loads(row["analysis"]) == reference[aid], aid
        assert set(COLUMNS) <= set(row)
    quarantined = ds.dataset(spark_output / QUARANTINE_DIR, format="parquet").to_table().to_pylist()
    assert [(q["line"], q["reason"][:20]) for q in quarantined] == [(1, quarantined[0]["reason"][:20])]
    assert quarantined[0]["file"].endswith("bad.txt") and "2019-13" in quarantined[0]["raw"]


@pytest.mark.slow
def test_batch_local_engine_writes_the_same(inputs: list[str], reference: dict[str, dict], tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = kroniek("batch", "analyze", *inputs, str(out), "--engine", "local")
    assert res.returncode == 3, res.stderr
    rows = rows_of(out)
    assert {aid: json.loads(r["analysis"]) for aid, r in rows.items()} == reference


@pytest.mark.slow
def test_load_gives_the_archive_ingest_gives(spark_output: Path, inputs: list[str], tmp_path: Path) -> None:
    loaded, ingested = tmp_path / "loaded.db", tmp_path / "ingested.db"
    first = kroniek("load", str(spark_output), "--archive", str(loaded))
    assert first.returncode == 3 and "56 new" in first.stdout and "56 with their analyses" in first.stdout
    again = kroniek("load", str(spark_output), "--archive", str(loaded))
    assert "0 new, 56 duplicates" in again.stdout  # loading again changes nothing
    assert kroniek("ingest", *inputs, "--archive", str(ingested), "-q").returncode == 3
    with Archive.open(loaded, readonly=True) as a, Archive.open(ingested, readonly=True) as b:
        assert a.count() == b.count() == 56 and a.quarantined().total == b.quarantined().total == 1

        def same(value: object) -> object:  # entity ids are numbered in the order each archive met them
            if isinstance(value, list):
                return [{k: v for k, v in d.items() if not k.endswith("entity_id")} if isinstance(d, dict) else d
                        for d in value]
            return value

        for art in b.articles():
            x, y = a.get_article(art.id), b.get_article(art.id)
            for f in ("text", "title", "structure", "language", "entities", "quotes", "timexes", "date"):
                assert same(getattr(x, f)) == same(getattr(y, f)), (art.id, f)
        assert a.search("minister").total == b.search("minister").total > 0
        links = [[(x.source_id, x.text, x.tried, x.target_id) for x in c.store.links()] for c in (a, b)]
        assert links[0] == links[1] and links[0] and all(x[2] for x in links[0])
        assert a.stories(min_size=1).total == b.stories(min_size=1).total


def test_batch_refuses_a_used_output_and_missing_inputs(tmp_path: Path) -> None:
    from kroniek.batch import analyze_to_parquet

    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        analyze_to_parquet([str(SEED)], used, engine="local")
    with pytest.raises(InputError, match="no such file"):
        analyze_to_parquet([str(tmp_path / "missing.txt")], tmp_path / "new", engine="local")
    with pytest.raises(InputError, match="unknown engine"):
        analyze_to_parquet([str(SEED)], tmp_path / "new", engine="dask")
    res = kroniek("load", str(SEED.parent), "--archive", str(tmp_path / "k.db"))
    assert res.returncode == 1 and "not an output of `kroniek batch analyze`" in res.stderr

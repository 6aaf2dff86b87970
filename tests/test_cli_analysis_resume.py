"""An analysis stopped by a kill is finished by the next `kroniek ingest`, as `ingest --help` promises."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from kroniek.archive import Archive
from kroniek.cli import cli

WORDS = ("de minister sprak donderdag in Den Haag met Rusland over MH17 en de Tweede Kamer wil meer weten over het "
         "onderzoek naar de ramp").split()


def _articles(path: Path, count: int) -> Path:
    rnd = random.Random(3)
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            words = " ".join(rnd.choice(WORDS) for _ in range(60))
            f.write(f"date 2019-02-{1 + i % 28:02d} Stef Blok zegt in artikel {i}: {words}.\n")
    return path


def _analysed(db: Path) -> int:
    """Articles analysed so far; 0 while the ingest has not yet created the archive's tables."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return int(con.execute("SELECT count(DISTINCT article_id) FROM analyses").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_archive_counts_the_dutch_articles_left_unanalysed(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "k.db") as archive:
        assert archive.unanalysed() == 0
        archive.ingest([{"date": "2019-01-01", "text": "Dit is een Nederlands bericht over de Tweede Kamer."},
                        {"date": "2019-01-01", "text": "This English article is never analysed by Kroniek."}])
        assert archive.unanalysed() == 1  # the English one is never analysed


@pytest.mark.slow
def test_cli_ingest_rerun_finishes_an_analysis_that_was_killed(tmp_path: Path) -> None:
    source, db = _articles(tmp_path / "many.txt", 400), tmp_path / "k.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.Popen([sys.executable, "-m", "kroniek.cli", "ingest", "-q", "--archive", str(db), str(source)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists() and _analysed(db) > 0:
                break
            time.sleep(0.05)
        proc.kill()  # mid-analysis: the first batch is stored, the rest not
    finally:
        _, stderr = proc.communicate(timeout=30)
    done = _analysed(db)
    assert 0 < done < 400, stderr.decode("utf-8", "replace")
    res = CliRunner().invoke(cli, ["ingest", "-q", "--archive", str(db), str(source)])
    assert res.exit_code == 0, res.output
    assert "0 new, 400 duplicates" in res.output
    assert f"Analysed {400 - done} Dutch articles that were not analysed yet" in res.output
    assert _analysed(db) == 400
    again = CliRunner().invoke(cli, ["ingest", "-q", "--archive", str(db), str(source)])
    assert again.exit_code == 0 and "Analysed" not in again.output

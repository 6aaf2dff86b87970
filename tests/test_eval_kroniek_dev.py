"""The own dev set: its JSONL files are what eval/kroniek-dev/build.py makes of articles.txt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

BUILD = Path(__file__).resolve().parent.parent / "eval" / "kroniek-dev" / "build.py"


def test_eval_kroniek_dev_files_are_built_from_the_spec() -> None:
    out = subprocess.run([sys.executable, str(BUILD), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


@pytest.mark.slow
def test_score_own_dev_runs_the_shipped_pipeline_on_the_held_aside_part(tmp_path: Path) -> None:
    """The benchmark that reports the held-aside scores runs end to end and writes what it reports."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "score_own_dev.py"), "--sets", "held-aside",
                          "--out", str(tmp_path)], check=True, capture_output=True, text=True, timeout=600)
    row = next(line for line in out.stdout.splitlines() if line.startswith("| held-aside |"))
    scores = json.loads((tmp_path / "held-aside-scores.json").read_text(encoding="utf-8"))
    value_f1 = scores["timex"]["value"]["f1"]
    assert f"{value_f1:.3f} |" in row
    assert value_f1 >= 0.90  # issue 18's target on the held-aside part

"""The own dev set: its JSONL files are what eval/kroniek-dev/build.py makes of articles.txt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BUILD = Path(__file__).resolve().parent.parent / "eval" / "kroniek-dev" / "build.py"


def test_eval_kroniek_dev_files_are_built_from_the_spec() -> None:
    out = subprocess.run([sys.executable, str(BUILD), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr

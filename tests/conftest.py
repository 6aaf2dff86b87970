"""Shared fixtures: paths to ../shared and small archives built on the fly."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt"
ALPINO_JSONL = SHARED / "corpus" / "alpino-dev.jsonl"
ALPINO_TXT = SHARED / "corpus" / "alpino-dev.txt"
EVAL = SHARED / "eval"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the tests read the corpus and gold data from ../shared")
    return SHARED


@contextlib.contextmanager
def writer_lock_held_elsewhere(archive: Path, seconds: float) -> Iterator[None]:
    """Another process holds the archive's writer lock for `seconds` (or until the block ends)."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time; from kroniek.store.locks import FileWriterLock; from pathlib import Path\n"
        f"lock = FileWriterLock(Path({str(archive) + '.lock'!r}))\n"
        f"with lock.hold():\n    print('held', flush=True); time.sleep({seconds})\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=30)

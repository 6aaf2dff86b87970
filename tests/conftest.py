"""Shared fixtures: paths to ../shared and small archives built on the fly."""

from __future__ import annotations

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

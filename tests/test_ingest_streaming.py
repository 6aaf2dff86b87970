"""Readers stream: memory stays flat however large the input, bounded by the largest article."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from kroniek.ingest.readers import RawArticle, read_path

ARTICLE = ("Het kabinet heeft dinsdag besloten de steun voor de regio te verlengen. " * 20).strip()


def _peak_while_reading(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for item in read_path(path) if isinstance(item, RawArticle))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["txt", "jsonl"])
def test_streaming_memory_is_flat_on_a_large_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"groot.{fmt}"
    n = 8000  # about 12 MB
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if fmt == "txt":
                fh.write(f"date 2020-01-{i % 28 + 1:02d} {ARTICLE} ({i})\n\nTweede alinea.\n\n")
            else:
                fh.write(json.dumps({"date": "2020-01-01", "text": f"{ARTICLE} ({i})"}) + "\n")
    assert path.stat().st_size > 10_000_000
    count, peak = _peak_while_reading(path)
    assert count == n
    assert peak < 1_000_000, f"reading held {peak} bytes at once"

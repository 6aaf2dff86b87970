"""The demo: an archive built from the shared corpus, or from the fictional sample when ../shared is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from kroniek import demo
from kroniek.archive import Archive


def test_cli_demo_uses_fictional_sample_without_shared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Archive.open(tmp_path / "d.db") as archive:
        query = demo.build(archive, shared=tmp_path / "geen-shared")
        demo.show(archive, query)
        stats = archive.stats()
    out = capsys.readouterr().out
    assert stats["articles"] == 6 and stats["by_source"] == [{"source": "Fictief voorbeeld", "articles": 6}]
    assert "fietsbrug" in out and "6 new" in out
    assert demo.SAMPLE.read_text(encoding="utf-8").count("Fictief voorbeeldbericht.") == 6


def test_cli_demo_main_builds_from_shared_and_is_idempotent(tmp_path: Path, shared: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.db"
    assert demo.main(["--archive", str(db), "--no-serve"]) == 0
    assert demo.main(["--archive", str(db), "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "55 new" in out and "0 new, 55 duplicates" in out and "Search 'Rusland'" in out

"""Analysis in worker processes (kroniek.workers): the same output as one process, in input order; bad records still
named with their file and line; a dead worker is an error, not a hang; the progress bar shows words a second; and
BLAS on one thread in the CLI, the server and the workers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from rich.console import Console

from kroniek import cli as cli_module
from kroniek.archive import Archive
from kroniek.cli import cli
from kroniek.errors import AnalysisWorkerError
from kroniek.settings import CoreSettings
from kroniek.workers import AUTO_MIN_BYTES, MAX_AUTO_WORKERS, AnalysisWorkers, choose_workers, cpu_count


def _input(shared: Path, tmp_path: Path) -> Path:
    """30 alpino-dev articles with an unreadable record at line 21 and the seed article at the end."""
    lines = (shared / "corpus" / "alpino-dev.jsonl").read_text(encoding="utf-8").splitlines()[:30]
    seed = (shared / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt").read_text(encoding="utf-8")
    lines.insert(20, '{"date": "2019-01-01", "text": ')
    lines.append(json.dumps({"id": "seed", "date": "2014-07-18", "text": seed}, ensure_ascii=False))
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_analyze_gives_the_same_lines_with_one_and_two_workers(shared: Path, tmp_path: Path) -> None:
    source = _input(shared, tmp_path)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        res = CliRunner().invoke(cli, ["analyze", str(source), "-o", str(out), "--workers", workers, "--batch", "4"])
        assert res.exit_code == 3, res.output  # the bad record is skipped, and said so
        assert f"Skipped {source}:21" in res.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    rows = [json.loads(line) for line in outputs[0].splitlines()]
    assert len(rows) == 31 and rows[-1]["id"] == "seed"
    assert sum(len(r["entities"]) for r in rows) > 50 and any(r["quotes"] for r in rows)
    assert any(r["timexes"] for r in rows)


def _stored(db: Path) -> dict[str, object]:
    with Archive.open(db) as archive:
        ids = [a.id for a in archive.articles()]
        return {a.id: (a.analyses, a.entities, a.quotes, a.timexes)
                for a in (archive.get_article(i, links=False) for i in ids)}


@pytest.mark.slow
def test_ingest_stores_the_same_analyses_with_one_and_two_workers(shared: Path, tmp_path: Path) -> None:
    source = _input(shared, tmp_path)
    for workers in (1, 2):
        settings = CoreSettings(analyze_workers=workers, analyze_workers_from=0, analyze_batch=8)
        with Archive.open(tmp_path / f"w{workers}.db", settings=settings) as archive:
            seen: list[tuple[int, int]] = []
            report = archive.ingest_and_analyze([str(source)], analysis_progress=lambda d, w, s=seen: s.append((d, w)))
            assert report.quarantined == 1 and report.analysed == 31
            assert [d for d, _ in seen] == [8, 16, 24, 31] and 5_000 < seen[-1][1] < 10_000
            bad = archive.quarantined().items
            assert [(q.file, q.line) for q in bad] == [(str(source), 21)]
    one, two = _stored(tmp_path / "w1.db"), _stored(tmp_path / "w2.db")
    assert len(one) == 31 and one == two


def test_automatic_worker_count_follows_the_cores_and_the_input() -> None:
    assert choose_workers(3) == 3
    assert choose_workers(0, AUTO_MIN_BYTES - 1) == 1
    assert choose_workers(0, AUTO_MIN_BYTES) == choose_workers(0) == min(cpu_count(), MAX_AUTO_WORKERS)


def _die(_: object) -> None:
    os._exit(7)


def _blas_threads(_: object) -> int:
    return _openblas_threads()


def _openblas_threads() -> int:
    import ctypes

    import numpy  # noqa: F401  (loads the BLAS library numpy uses)

    with open("/proc/self/maps", encoding="utf-8") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
    if not libs:
        return -1
    lib = ctypes.CDLL(libs[0])
    for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(lib, name):
            return int(getattr(lib, name)())
    return -1


@pytest.mark.slow
def test_a_worker_that_dies_is_an_error_and_blas_runs_on_one_thread_in_the_workers() -> None:
    with AnalysisWorkers(2) as pool:
        threads = list(pool.map(_blas_threads, range(4)))
    if threads[0] == -1:
        pytest.skip("numpy's BLAS is not OpenBLAS here")
    assert threads == [1, 1, 1, 1]
    with pytest.raises(AnalysisWorkerError), AnalysisWorkers(1) as pool:
        list(pool.map(_die, range(3)))


@pytest.mark.parametrize("module", ["kroniek.cli", "kroniek.server.app"])
def test_blas_runs_on_one_thread_in_the_cli_and_the_server(module: str) -> None:
    """Not only the variables: the BLAS library itself, as loaded after the CLI or the server app is imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                            "MKL_NUM_THREADS")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH")) if p)
    code = f"import {module}, test_analysis_workers as t; print(t._openblas_threads())"
    got = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    threads = int(got.stdout.split()[-1])
    if threads == -1:
        pytest.skip("numpy's BLAS is not OpenBLAS here")
    assert threads == 1


@pytest.mark.slow
def test_analyze_progress_shows_words_a_second(shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli_module, "err", Console(file=screen, force_terminal=True, width=120))
    source = _input(shared, tmp_path)
    res = CliRunner().invoke(cli, ["analyze", str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "1",
                                   "--batch", "4"])
    assert res.exit_code == 3, res.output
    assert "words/s" in screen.getvalue()
    assert "analyse" in screen.getvalue()


def test_words_rate_text() -> None:
    assert cli_module._words_rate(45_000, 2.0) == "22,500 words/s"
    assert cli_module._words_rate(10, 0.0) == ""

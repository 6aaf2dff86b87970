"""What a new user tripped over (issue 20's list): each defect, as the user met it, through the real CLI."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kroniek.archive import Archive
from kroniek.cli import EXIT_ERROR, EXIT_QUARANTINED, cli


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), env={"KRONIEK_ARCHIVE": str(tmp_path / "k.db")})

    return invoke


def test_reingesting_a_file_does_not_quarantine_its_records_again(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"date 2019-13 Fout.\ndate 2019-02-03 Een goed artikel over de Tweede Kamer.\n")
    for _ in range(3):
        assert run("ingest", str(bad), "--no-analyze").exit_code == EXIT_QUARANTINED
    rows = [json.loads(line) for line in run("quarantine", "--json").output.splitlines()]
    assert len(rows) == 1 and rows[0]["line"] == 1
    # another bad record, or the same text on another line, is kept
    bad.write_bytes(b"date 2019-13 Fout.\ndate 2019-13 Fout.\n")
    run("ingest", str(bad), "--no-analyze")
    assert len(run("quarantine", "--json").output.splitlines()) == 2


def test_reanalyze_an_unknown_id_is_not_found(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "a.txt"
    src.write_text("date 2019-02-03 Minister Blok sprak met Rusland.\n", encoding="utf-8")
    assert run("ingest", str(src), "--no-analyze").exit_code == 0
    res = run("reanalyze", "--id", "UNKNOWN")
    assert res.exit_code == EXIT_ERROR
    assert "no article with id 'UNKNOWN'" in res.output and "Analysed" not in res.output


def test_a_second_source_of_the_same_text_is_kept(tmp_path: Path) -> None:
    text = "Het kabinet heeft vandaag een nieuw plan voor de woningbouw gepresenteerd in Den Haag."
    with Archive.open(tmp_path / "k.db") as archive:
        first = archive.ingest([{"id": "a", "date": "2020-01-02", "source": "Dagblad Noord",
                                 "url": "https://example.org/a", "text": text}])
        again = archive.ingest([
            {"id": "b", "date": "2020-01-02", "source": "Het Avondnieuws", "url": "https://example.org/b",
             "text": text},
            {"id": "c", "date": "2020-01-02", "source": "Dagblad Noord", "url": "https://example.org/a",
             "text": text},  # the same place again: nothing new
        ])
        assert first.new == 1 and again.new == 0 and again.duplicates == 2
        art = archive.get_article("a")
        assert art.source == "Dagblad Noord"
        assert [(o["source"], o["url"]) for o in art.other_sources] == [("Het Avondnieuws",
                                                                          "https://example.org/b")]
        assert art.to_dict()["other_sources"][0]["source"] == "Het Avondnieuws"
        archive.ingest([{"id": "b", "date": "2020-01-02", "source": "Het Avondnieuws",
                         "url": "https://example.org/b", "text": text}])
        assert len(archive.get_article("a").other_sources) == 1  # re-running the same input changes nothing


def test_serve_on_a_busy_port_says_so_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    Archive.open(db).close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "kroniek.cli", "serve", "--archive", str(db), "--port",
                              str(port)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in res.stderr and "--port" in res.stderr
    assert "serves" not in res.stdout

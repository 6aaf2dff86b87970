"""`kroniek serve` and `kroniek.server.serve`: the address, the defaults, a missing archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kroniek.cli import cli
from kroniek.errors import ArchiveError
from kroniek.server import DEFAULT_HOST, DEFAULT_PORT, serve
from kroniek.server.settings import TOKEN_ENV, Settings


def test_web_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        serve(tmp_path / "missing.db")


def test_web_serve_cli_reports_a_missing_archive_with_a_next_step(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--archive", str(tmp_path / "missing.db"), "--port", "0"])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Next:" in result.output


def test_web_serve_defaults_to_loopback() -> None:
    assert (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 8765)
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "8765" in help_text


def test_web_settings_are_read_only_without_a_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert not Settings.from_env(tmp_path / "a.db").writable
    monkeypatch.setenv(TOKEN_ENV, "abc")
    assert Settings.from_env(tmp_path / "a.db").token == "abc"
    assert Settings.from_env(tmp_path / "a.db", token="xyz").token == "xyz"

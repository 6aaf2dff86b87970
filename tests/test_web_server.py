"""`kroniek serve` and `kroniek.server.serve`: the address, the defaults, a missing archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import serving

from kroniek.archive import Archive
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


def _listening(port: int) -> list[str]:
    """The local addresses (hex, as the kernel writes them) of the TCP sockets listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads the kernel's socket table (Linux)")
def test_web_serve_listens_on_loopback_only_unless_told(tmp_path: Path) -> None:
    """`kroniek serve` without --host: the one listening socket is bound to 127.0.0.1, not to every address."""
    with Archive.open(tmp_path / "k.db") as archive:
        archive.ingest([{"text": "Een artikel.", "date": "2020-01-01"}])
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    with serving(tmp_path / "k.db", tmp_path / "serve.log", env=env) as port:
        assert _listening(port) == ["0100007F"]  # 127.0.0.1, little-endian hex

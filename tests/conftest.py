"""Shared fixtures: paths to ../shared and small archives built on the fly."""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(archive: Path, log: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """`kroniek serve` of `archive` in its own process (its output in `log`) on a free port, once it answers;
    yields the port and stops the server after the block."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kroniek.cli", "serve", "--archive", str(archive),
                                 "--port", str(port), *args], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"kroniek serve stopped: {log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, "kroniek serve did not start"
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A real PostgreSQL server for the session (Debian's package, which `make test` installs), on 127.0.0.1 in
    a temporary directory; yields the URL of its `postgres` database."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is missing: pip install -e '.[postgres]' (`make install` does)")
    from pg_support import postgres_bindir, postgres_server

    bindir = postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL is missing: install Debian's postgresql (`make test` does, through "
                    "scripts/system-packages.sh)")
    with postgres_server(bindir) as url:
        yield url


_schemas = itertools.count()


@pytest.fixture
def pg_url(postgres: str) -> str:
    """The URL of a new, empty PostgreSQL archive: its own schema on the session's server."""
    from pg_support import with_schema

    return with_schema(postgres, f"t{next(_schemas)}_{os.getpid()}")

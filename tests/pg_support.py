"""A throwaway PostgreSQL server for the tests: Debian's binaries, a data folder in a temporary directory, listening
on 127.0.0.1 only, on a free port. As root it runs as the `postgres` user (or `nobody`), since PostgreSQL refuses
to run as root."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

USER = "kroniek"
# the server log of each running server, by the URL `postgres_server` yields
LOGS: dict[str, Path] = {}


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<version>/bin), None if none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> tuple[list[str], pwd.struct_passwd | None]:
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], user
    raise RuntimeError("running as root with neither a postgres nor a nobody user to run PostgreSQL as")


@contextlib.contextmanager
def postgres_server(bindir: Path) -> Iterator[str]:
    """Start a server, yield the URL of its `postgres` database (user `kroniek`, no password), stop and remove it."""
    prefix, user = _runner()
    work = Path(tempfile.mkdtemp(prefix="kroniek-pg-"))
    data = work / "data"
    data.mkdir()
    if user is not None:
        for p in (work, data):
            os.chown(p, user.pw_uid, user.pw_gid)
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
    port = 0
    try:
        for attempt in range(5):  # the free port may be taken between the look and the start
            port = _free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data} "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
            started = subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                                      "-l", str(work / "log"), "-w", "-t", "60", "start"], capture_output=True)
            if started.returncode == 0:
                break
            if attempt == 4:
                log = (work / "log").read_text(errors="replace") if (work / "log").exists() else ""
                raise RuntimeError(f"PostgreSQL did not start: {started.stderr.decode(errors='replace')}\n{log}")
        url = f"postgresql://{USER}@127.0.0.1:{port}/postgres"
        LOGS[url] = work / "log"
        yield url
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def with_schema(url: str, schema: str) -> str:
    """The URL of an archive in its own schema of the server's database (the schema is created)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # a name the tests make, never a value from outside
    return f"{url}?options=-csearch_path%3D{schema}"

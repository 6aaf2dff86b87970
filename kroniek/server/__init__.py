"""What `kroniek serve` and `make demo` call: serve an archive's API and web UI with uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path

from kroniek.errors import ArchiveError, InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(archive_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          token: str | None = None, log_level: str = "warning", index: Path | None = None) -> None:
    """Serve the archive at `archive_path` (a SQLite file or a PostgreSQL URL; its search index in `index`, or in
    its own place) on host:port until stopped, printing the address first."""
    import uvicorn

    from kroniek.server.app import create_app
    from kroniek.server.settings import Settings
    from kroniek.settings import archive_location, is_database_url, shown_location

    location = archive_location(archive_path)
    settings = Settings.from_env(location, token=token, index_path=index)
    if not is_database_url(location) and not Path(location).is_file():
        raise ArchiveError(f"the archive {location} does not exist",
                           hint="build one first with `kroniek ingest PATH --archive FILE`")
    sock = _listen(host, port)  # before saying it serves: a busy port is an error of its own
    mode = "writable with a token" if settings.writable else "read-only"
    shown = f"[{host}]" if ":" in host else host
    print(f"Kroniek serves {shown_location(location)} ({mode}) at http://{shown}:{sock.getsockname()[1]}/  "
          "(API docs at /docs; Ctrl-C stops it)", flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level=log_level))
    server.run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or an InputError that says why not and what to do."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as e:
        raise InputError(f"cannot listen on {host}:{port}: {e.strerror or e}",
                         hint="choose another port with --port, or stop the program that uses this one") from None

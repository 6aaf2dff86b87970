"""What `kroniek serve` and `make demo` call: serve an archive's API and web UI with uvicorn."""

from __future__ import annotations

from pathlib import Path

from kroniek.errors import ArchiveError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(archive_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          token: str | None = None, log_level: str = "warning") -> None:
    """Serve the archive at `archive_path` on host:port until stopped, printing the address first."""
    import uvicorn

    from kroniek.server.app import create_app
    from kroniek.server.settings import Settings

    path = Path(archive_path)
    settings = Settings.from_env(path, token=token)
    if not path.is_file():
        raise ArchiveError(f"the archive {path} does not exist",
                           hint="build one first with `kroniek ingest PATH --archive FILE`")
    mode = "writable with a token" if settings.writable else "read-only"
    print(f"Kroniek serves {path} ({mode}) at http://{host}:{port}/  (API docs at /docs; Ctrl-C stops it)",
          flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)

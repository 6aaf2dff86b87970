"""What `make demo` runs: build an archive from a sample, print what went in and a search, then serve the web UI.

The sample is the real corpus in ../shared (the seed article and alpino-dev) when it is there, otherwise the
small fictional sample shipped in kroniek/sample/.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from kroniek.archive import Archive
from kroniek.errors import KroniekError

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SAMPLE = Path(__file__).resolve().parent / "sample" / "fictief-nieuws.txt"


def sample_inputs(shared: Path = SHARED) -> tuple[list[Path], str | None, str]:
    """The demo's inputs, the source name to give them, and a search query that finds something in them."""
    seed = shared / "corpus" / "seed"
    alpino = shared / "corpus" / "alpino-dev.jsonl"
    if seed.is_dir() and alpino.is_file():
        return [seed, alpino], None, "Rusland"
    return [SAMPLE], "Fictief voorbeeld", "fietsbrug"


def build(archive: Archive, shared: Path = SHARED) -> str:
    """Ingest the sample into `archive` (and analyse it when the model is there); return the demo query."""
    paths, source, query = sample_inputs(shared)
    report = archive.ingest_and_analyze(paths, options=archive.read_options(source=source))
    print(f"Ingested from {', '.join(str(p) for p in paths)}: {report.new} new, {report.duplicates} duplicates, "
          f"{report.quarantined} quarantined ({report.seconds:.1f} s).")
    if report.not_analysed:
        print(f"Not analysed: {report.not_analysed} (entities, quotes and time expressions stay empty).")
    else:
        print(f"Analysed {report.analysed} Dutch articles that were not analysed yet.")
    return query


def show(archive: Archive, query: str) -> None:
    """Print the archive's figures and a search over it."""
    stats = archive.stats()
    print(f"The archive holds {stats['articles']} articles, {stats['first_day']} to {stats['last_day']}:")
    for row in stats["by_month"]:
        print(f"  {row['month'] or 'undated'}  {row['articles']:>5}")
    result = archive.search(query, limit=5, facets=False)
    print(f"Search {query!r}: {result.total} articles, {len(result.hits)} shown")
    for h in result.hits:
        snippet = " ".join(h.snippet.replace("<mark>", "").replace("</mark>", "").split())
        print(f"  {h.id}  {h.date}  {html.unescape(snippet)}")


def serve(archive_path: Path, host: str, port: int) -> None:
    """Serve the web UI and the API over the archive (see kroniek.server) until stopped."""
    from kroniek.server import serve as run_server

    run_server(archive_path, host, port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kroniek.demo", description=__doc__)
    parser.add_argument("--archive", type=Path, default=Path("var/demo/kroniek.db"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-serve", action="store_true", help="Build and print, but do not serve the web UI.")
    args = parser.parse_args(argv)
    try:
        with Archive.open(args.archive) as archive:
            query = build(archive)
            show(archive, query)
    except KroniekError as e:
        print(f"Error: {e}" + (f"\nNext: {e.hint}" if e.hint else ""), file=sys.stderr)
        return 1
    if not args.no_serve:
        try:
            serve(args.archive, args.host, args.port)
        except KroniekError as e:
            print(f"Error: {e}" + (f"\nNext: {e.hint} (make demo PORT=...)" if e.hint else ""), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

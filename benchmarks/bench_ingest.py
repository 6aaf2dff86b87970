"""Ingest benchmark: Kroniek's ingest (no analysis) against a plain sqlite3 bulk insert of the same records.

Both run in their own subprocess over the same generated JSON Lines file, so each peak RSS is its own:

    .venv/bin/python benchmarks/bench_ingest.py [--n 100000] [--seed 0]

The plain insert parses each JSON line and inserts its fields with executemany, one transaction per batch, with
the same PRAGMAs; Kroniek also derives structure, language and content hash, de-duplicates and keeps quarantine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import write_jsonl  # noqa: E402

BATCH = 2000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_plain(src: Path, db: Path) -> dict[str, float]:
    """The baseline: json.loads every line and executemany the fields into one table, a transaction per batch."""
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY",
                   "PRAGMA cache_size=-65536"):
        conn.execute(pragma)
    conn.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, date TEXT, title TEXT, source TEXT, url TEXT, "
                 "text TEXT NOT NULL)")
    start = time.perf_counter()
    n = 0
    rows: list[tuple[str | None, ...]] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        rows.clear()

    with src.open("rb") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append((r.get("id"), r.get("date"), r.get("title"), r.get("source"), r.get("url"), r["text"]))
            n += 1
            if len(rows) >= BATCH:
                flush()
    if rows:
        flush()
    seconds = time.perf_counter() - start
    conn.close()
    return {"articles": n, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def run_kroniek(src: Path, db: Path) -> dict[str, float]:
    """Kroniek's ingest of the same file: read, structure, language, hash, de-duplicate, store."""
    from kroniek.archive import Archive
    from kroniek.ingest.language import detect_language

    detect_language("Een zin om het taalmodel vooraf te laden.")  # model loading is not ingest throughput
    with Archive.open(db) as archive:
        start = time.perf_counter()
        report = archive.ingest([src])
        seconds = time.perf_counter() - start
    return {"articles": report.new, "duplicates": report.duplicates, "quarantined": report.quarantined,
            "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def breakdown(src: Path, n: int = 2000) -> dict[str, float]:
    """Microseconds per article spent in each derived step of Kroniek's ingest, over the first `n` articles."""
    import hashlib

    from kroniek.ingest.language import detect_language
    from kroniek.ingest.structure import parse_structure

    texts = []
    with src.open("rb") as fh:
        for line in fh:
            texts.append(json.loads(line)["text"])
            if len(texts) >= n:
                break
    detect_language("laden")
    out = {}
    for name, fn in (("structure", lambda t: json.dumps(parse_structure(t).to_dict())),
                     ("language", detect_language),
                     ("hash", lambda t: hashlib.sha256(t.strip().encode()).hexdigest())):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        out[name] = (time.perf_counter() - start) / len(texts) * 1e6
    return out


def child(kind: str, src: Path, db: Path) -> dict[str, float]:
    """Run one side in a fresh interpreter so its peak memory is its own."""
    res = subprocess.run([sys.executable, __file__, "--child", kind, "--src", str(src), "--db", str(db)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.exit(f"{kind} run failed:\n{res.stderr}")
    result: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=("plain", "kroniek"))
    parser.add_argument("--src", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        fn = run_plain if args.child == "plain" else run_kroniek
        print(json.dumps(fn(args.src, args.db)))
        return

    with tempfile.TemporaryDirectory(prefix="kroniek-bench-") as tmp:
        work = Path(tmp)
        src = work / "articles.jsonl"
        t0 = time.perf_counter()
        size = write_jsonl(src, args.n, args.seed)
        mb = size / 1e6
        print(f"generated {args.n:,} articles, {mb:,.1f} MB of JSON Lines in {time.perf_counter() - t0:.1f} s")
        plain = child("plain", src, work / "plain.db")
        kroniek = child("kroniek", src, work / "kroniek.db")
        parts = breakdown(src)
        db_mb = {k: sum(f.stat().st_size for f in work.glob(f"{k}.db*")) / 1e6 for k in ("plain", "kroniek")}
    print(f"{'':10} {'articles':>9} {'seconds':>8} {'articles/s':>11} {'MB/s':>7} {'peak RSS MB':>12} {'db MB':>7}")
    for name, r in (("sqlite3", plain), ("kroniek", kroniek)):
        print(f"{name:10} {int(r['articles']):>9,} {r['seconds']:>8.1f} {r['articles'] / r['seconds']:>11,.0f} "
              f"{mb / r['seconds']:>7.1f} {r['peak_rss_mb']:>12.0f} {db_mb['plain' if name == 'sqlite3' else name]:>7.0f}")
    ratio = kroniek["seconds"] / plain["seconds"]
    print(f"ratio kroniek/sqlite3: {ratio:.2f}x (target: within 2x)")
    print("kroniek per article: " + ", ".join(f"{k} {v:.0f} µs" for k, v in parts.items()))
    print(f"machine: {os.cpu_count()} CPUs, {sys.platform}, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()

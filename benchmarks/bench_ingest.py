"""Ingest benchmark: Kroniek's ingest (no analysis) against a plain sqlite3 bulk insert of the same records.

Both run in their own subprocess over the same generated JSON Lines file, so each peak RSS is its own:

    .venv/bin/python benchmarks/bench_ingest.py [--n 100000] [--seed 0]

The plain insert parses each JSON line and inserts its fields with executemany, one transaction per batch, with
the same PRAGMAs; Kroniek also derives structure, language and content hash, de-duplicates and keeps quarantine.
Kroniek runs three ways: `kroniek` reads in the writing process (`--workers 1`), `kroniek-2proc` reads and
prepares in a second process (`--workers 2`, what the default picks for a large input on two cores or more), and
`kroniek+index` is the default with the search index kept in step. CPU seconds include the reading process.
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


def _cpu_s() -> float:
    """CPU seconds of this process and of the child processes it has waited for (ingest's reading process)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    start, cpu = time.perf_counter(), _cpu_s()
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
    seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
    conn.close()
    return {"articles": n, "seconds": seconds, "cpu_s": cpu, "peak_rss_mb": _peak_rss_mb()}


def run_kroniek(src: Path, db: Path, indexed: bool = False, workers: int = 1) -> dict[str, float]:
    """Kroniek's ingest of the same file: read, structure, language, hash, de-duplicate, store (and index)."""
    from kroniek.archive import Archive
    from kroniek.ingest.language import detect_language

    class StoreOnly(Archive):
        def _before_ingest(self) -> None:
            """No search index here: it is a derived stage, measured separately."""

        def _on_articles_changed(self, ids: object, **kwargs: object) -> None:
            """The search index is a derived stage; measured separately."""

    detect_language("Een zin om het taalmodel vooraf te laden.")  # any start-up cost is not ingest throughput
    from kroniek.settings import CoreSettings

    settings = CoreSettings(ingest_workers=workers)
    with (Archive if indexed else StoreOnly).open(db, settings=settings) as archive:
        start, cpu = time.perf_counter(), _cpu_s()
        report = archive.ingest([src], collect_ids=False)
        seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
    return {"articles": report.new, "duplicates": report.duplicates, "quarantined": report.quarantined,
            "seconds": seconds, "cpu_s": cpu, "peak_rss_mb": _peak_rss_mb()}


def breakdown(src: Path, n: int = 5000) -> dict[str, float]:
    """CPU microseconds per article in each step of Kroniek's ingest, over the first `n` articles.

    read: the JSON Lines reader (decode, checks, RawArticle); structure, language and hash: the derived steps of
    `prepare`; prepare: all of it (with the row); store: the insert of each batch as the archive makes it (one
    statement that stores it if every row is new, a look-up first otherwise), into a fresh archive. Each is timed
    on its own with `time.process_time`.
    """
    from kroniek.ingest.batches import content_hash, prepare
    from kroniek.ingest.language import detect_language
    from kroniek.ingest.readers import read_path
    from kroniek.ingest.structure import layout, layout_json
    from kroniek.model import RawArticle
    from kroniek.store.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory(prefix="kroniek-parts-") as tmp:
        head = Path(tmp) / "head.jsonl"
        with src.open("rb") as fh, head.open("wb") as out:
            for i, line in enumerate(fh):
                if i >= n:
                    break
                out.write(line)
        out_: dict[str, float] = {}
        start = time.process_time()
        articles = [a for a in read_path(head) if isinstance(a, RawArticle)]
        out_["read"] = time.process_time() - start
        texts = [a.text for a in articles]
        for name, fn in (("structure", lambda t: layout_json(layout(t))), ("language", detect_language),
                         ("hash", content_hash)):
            start = time.process_time()
            for t in texts:
                fn(t)
            out_[name] = time.process_time() - start
        start = time.process_time()
        rows = [prepare(a) for a in articles]
        out_["prepare"] = time.process_time() - start
        store = SQLiteStore(Path(tmp) / "parts.db")
        start = time.process_time()
        for i in range(0, len(rows), BATCH):
            part = rows[i:i + BATCH]
            if not store.insert_if_all_new(part, []):  # as the archive does: look up only when not all are new
                store.existing([r.content_hash for r in part], [r.id for r in part])
                store.insert(part, [])
        out_["store"] = time.process_time() - start
        store.close()
    return {k: v / len(articles) * 1e6 for k, v in out_.items()}


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
    parser.add_argument("--child", choices=("plain", "kroniek", "kroniek+index", "kroniek-2proc"))
    parser.add_argument("--no-workers", action="store_true",
                        help="Skip the run that reads in a second process (kroniek-2proc).")
    parser.add_argument("--no-index", action="store_true", help="Skip the run that also updates the search index.")
    parser.add_argument("--src", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        if args.child == "plain":
            print(json.dumps(run_plain(args.src, args.db)))
        else:
            print(json.dumps(run_kroniek(args.src, args.db, indexed=args.child == "kroniek+index",
                                         workers={"kroniek": 1, "kroniek-2proc": 2}.get(args.child, 0))))
        return

    with tempfile.TemporaryDirectory(prefix="kroniek-bench-") as tmp:
        work = Path(tmp)
        src = work / "articles.jsonl"
        t0 = time.perf_counter()
        size = write_jsonl(src, args.n, args.seed)
        mb = size / 1e6
        print(f"generated {args.n:,} articles, {mb:,.1f} MB of JSON Lines in {time.perf_counter() - t0:.1f} s")
        runs = {"sqlite3": child("plain", src, work / "sqlite3.db"),
                "kroniek": child("kroniek", src, work / "kroniek.db")}
        if not args.no_workers:
            runs["kroniek-2proc"] = child("kroniek-2proc", src, work / "kroniek-2proc.db")
        if not args.no_index:
            runs["kroniek+index"] = child("kroniek+index", src, work / "kroniek+index.db")
        parts = breakdown(src)
        db_mb = {k: sum(f.stat().st_size for f in work.glob(f"{k}.db*")) / 1e6 for k in runs}
    print(f"{'':14} {'articles':>9} {'seconds':>8} {'articles/s':>11} {'MB/s':>7} {'peak RSS MB':>12} {'db MB':>7}"
          f" {'ratio':>6} {'CPU s':>7} {'CPU ratio':>9}")
    base, base_cpu = runs["sqlite3"]["seconds"], runs["sqlite3"]["cpu_s"]
    for name, r in runs.items():
        print(f"{name:14} {int(r['articles']):>9,} {r['seconds']:>8.1f} {r['articles'] / r['seconds']:>11,.0f} "
              f"{mb / r['seconds']:>7.1f} {r['peak_rss_mb']:>12.0f} {db_mb[name]:>7.0f} {r['seconds'] / base:>5.2f}x"
              f" {r['cpu_s']:>7.1f} {r['cpu_s'] / base_cpu:>8.2f}x")
    print("ratio: wall seconds against the plain sqlite3 insert of the same records (target for ingest: within 2x);"
          " CPU ratio: the same in CPU seconds, steadier on a shared machine")
    print("kroniek per article: " + ", ".join(f"{k} {v:.0f} µs" for k, v in parts.items()))
    print(f"machine: {os.cpu_count()} CPUs, {sys.platform}, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()

"""Ingest benchmark: `kroniek ingest`, as a user runs it, against a plain sqlite3 insert of the same records and
against that insert plus a raw tantivy index of them.

Every run is its own subprocess over the same generated JSON Lines file, so each peak RSS is its own:

    .venv/bin/python benchmarks/bench_ingest.py [--n 100000] [--seed 0] [--repeat 3]

- `sqlite3`: json.loads every line and executemany its fields into one table, a transaction per batch, with the
  PRAGMAs Kroniek uses.
- `sqlite3+tantivy`: the same insert, then a raw tantivy index of the same rows in the same process (title and text
  with positions, id, source, a date column; tantivy's own tokenizer; one writer with a 1 GB heap on every core,
  one commit): what a user would build by hand.
- `kroniek ingest`: `kroniek ingest FILE --no-analyze -q` (structure, language, content hash, de-duplication,
  quarantine, the change log; a large input is read in a second process). An ingest of more than
  `index_defer_above` changes leaves the index to the next search.
- `kroniek index`: then `kroniek index`, the catch-up that the next search would wait for.
- `kroniek ingest --index-now`: one command that returns with the index up to date.

Each figure is the median over `--repeat` runs; the ratios are taken against the medians of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
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


def run_tantivy(src: Path, folder: Path) -> None:
    """A raw tantivy index of the rows, as a user would build it by hand (see the module's docstring)."""
    import orjson
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, index_option="position")
    sb.add_text_field("body", stored=True, index_option="position")
    sb.add_text_field("source", stored=True, fast=True, tokenizer_name="raw")
    sb.add_integer_field("date", indexed=True, fast=True)
    folder.mkdir()
    index = tantivy.Index(sb.build(), path=str(folder))
    writer = index.writer(heap_size=1_000_000_000)
    with src.open("rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            day = (r.get("date") or "0001-01-01")[:10]
            writer.add_json(orjson.dumps({"id": r.get("id") or "", "title": r.get("title") or "", "body": r["text"],
                                          "source": r.get("source") or "",
                                          "date": int(day.replace("-", "").ljust(8, "0"))}).decode())
    writer.commit()
    writer.wait_merging_threads()


def run_plain_tantivy(src: Path, db: Path) -> dict[str, float]:
    """The plain insert, then the raw tantivy index of the same rows."""
    start, cpu = time.perf_counter(), _cpu_s()
    result = run_plain(src, db)
    run_tantivy(src, db.with_name(db.name + ".tantivy"))
    result.update(seconds=time.perf_counter() - start, cpu_s=_cpu_s() - cpu, peak_rss_mb=_peak_rss_mb())
    return result


# Runs one command and reports its wall and CPU seconds and its peak RSS (the largest of its processes, the reading
# one included): a fresh process per command, so that the peak is that command's own.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "seconds": seconds, "cpu_s": use.ru_utime + use.ru_stime,
                  "peak_rss_mb": use.ru_maxrss / 1024, "out": done.stdout, "err": done.stderr}))
"""


def run_cli(args: list[str]) -> dict[str, float]:
    """One `kroniek` command in a process of its own, as a user runs it (see `_MEASURE`)."""
    res = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "kroniek.cli", *args],
                         capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "200"})
    if res.returncode != 0:
        sys.exit(f"measuring kroniek {' '.join(args)} failed:\n{res.stderr}")
    got = json.loads(res.stdout)
    if got["rc"] != 0:
        sys.exit(f"kroniek {' '.join(args)} failed ({got['rc']}):\n{got['out']}\n{got['err']}")
    return {"seconds": got["seconds"], "cpu_s": got["cpu_s"], "peak_rss_mb": got["peak_rss_mb"],
            "out": got["out"].strip(), "err": got["err"].strip()}


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
    """Run one baseline in a fresh interpreter so its peak memory is its own."""
    res = subprocess.run([sys.executable, __file__, "--child", kind, "--src", str(src), "--db", str(db)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.exit(f"{kind} run failed:\n{res.stderr}")
    result: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def one_round(src: Path, work: Path, n: int) -> dict[str, dict[str, float]]:
    """Every side once, each into a fresh archive (or database) of its own."""
    for old in work.glob("r-*"):
        if old.is_dir():
            import shutil

            shutil.rmtree(old)
        else:
            old.unlink()
    runs: dict[str, dict[str, float]] = {"sqlite3": child("plain", src, work / "r-plain.db"),
                                         "sqlite3+tantivy": child("plain+tantivy", src, work / "r-tantivy.db")}
    db = work / "r-kroniek.db"
    runs["kroniek ingest"] = run_cli(["ingest", str(src), "--archive", str(db), "--no-analyze", "-q"])
    if n > 10_000 and "kroniek index" not in runs["kroniek ingest"]["err"]:
        sys.exit("kroniek ingest indexed before returning: the comparison below expects the deferred catch-up")
    runs["kroniek index"] = run_cli(["index", "--archive", str(db), "-q"])
    runs["kroniek ingest --index-now"] = run_cli(["ingest", str(src), "--archive", str(work / "r-now.db"),
                                                 "--no-analyze", "-q", "--index-now"])
    with sqlite3.connect(work / "r-now.db") as con:
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    if stored != n:
        sys.exit(f"kroniek stored {stored:,} of {n:,} articles")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of every side; medians are reported.")
    parser.add_argument("--child", choices=("plain", "plain+tantivy"))
    parser.add_argument("--src", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        run = run_plain if args.child == "plain" else run_plain_tantivy
        print(json.dumps(run(args.src, args.db)))
        return

    with tempfile.TemporaryDirectory(prefix="kroniek-bench-") as tmp:
        work = Path(tmp)
        src = work / "articles.jsonl"
        t0 = time.perf_counter()
        size = write_jsonl(src, args.n, args.seed)
        mb = size / 1e6
        print(f"generated {args.n:,} articles, {mb:,.1f} MB of JSON Lines in {time.perf_counter() - t0:.1f} s")
        load_before = os.getloadavg()[0]
        rounds = []
        for r in range(args.repeat):
            rounds.append(one_round(src, work, args.n))
            print(f"run {r + 1}: " + ", ".join(f"{k} {v['seconds']:.1f} s" for k, v in rounds[-1].items()),
                  flush=True)
        parts = breakdown(src)
    med = {k: {m: statistics.median(r[k][m] for r in rounds) for m in ("seconds", "cpu_s", "peak_rss_mb")}
           for k in rounds[0]}
    med["kroniek ingest + index"] = {m: med["kroniek ingest"][m] + med["kroniek index"][m]
                                     for m in ("seconds", "cpu_s")}
    med["kroniek ingest + index"]["peak_rss_mb"] = max(med["kroniek ingest"]["peak_rss_mb"],
                                                       med["kroniek index"]["peak_rss_mb"])
    base, base_cpu = med["sqlite3"]["seconds"], med["sqlite3"]["cpu_s"]
    peer, peer_cpu = med["sqlite3+tantivy"]["seconds"], med["sqlite3+tantivy"]["cpu_s"]
    print(f"medians of {args.repeat} run(s), {args.n:,} articles")
    print(f"{'':28} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12} {'CPU s':>7} {'x sqlite3':>10}"
          f" {'x sqlite3+tantivy':>18} {'CPU x sqlite3':>14}")
    for name, r in med.items():
        print(f"{name:28} {r['seconds']:>8.1f} {args.n / r['seconds']:>11,.0f} {r['peak_rss_mb']:>12.0f}"
              f" {r['cpu_s']:>7.1f} {r['seconds'] / base:>9.2f}x {r['seconds'] / peer:>17.2f}x"
              f" {r['cpu_s'] / base_cpu:>13.2f}x")
    spread = [r["kroniek ingest"]["seconds"] / r["sqlite3"]["seconds"] for r in rounds]
    print(f"kroniek ingest / sqlite3 in each run: {', '.join(f'{x:.2f}x' for x in spread)} (target: within 2x)")
    print("kroniek per article: " + ", ".join(f"{k} {v:.0f} µs" for k, v in parts.items()))
    print(f"machine: {os.cpu_count()} CPUs, {sys.platform}, Python {sys.version.split()[0]}; load average before "
          f"the runs: {load_before:.2f}, at the end (the benchmark's own processes included): {os.getloadavg()[0]:.2f}")
    del peer_cpu


if __name__ == "__main__":
    main()

"""PostgreSQL-store benchmark: `kroniek ingest` into a PostgreSQL archive against a plain COPY of the same rows,
and search latency with the PostgreSQL store beside the embedded (SQLite) one.

    python benchmarks/bench_postgres.py                       # ingest: 100,000 articles, 3 runs of each
    python benchmarks/bench_postgres.py --n 20000 --runs 1    # a quick run
    python benchmarks/bench_postgres.py --search 1000000 --runs 0   # search latency at 1,000,000 articles

The articles are generated (benchmarks/corpus.py: real Dutch sentences, dated over 25 years) into one dated-lines
file (`date YYYY-MM-DD text`, paragraphs apart by blank lines). A throwaway PostgreSQL server from Debian's package
(/usr/lib/postgresql/*/bin) is started on 127.0.0.1 in a temporary directory, with its default durability (fsync
and synchronous commit on); as root it runs as the `postgres` user. Each run gets a fresh database.

Ingest, each in a process of its own, the median of `--runs` runs:

- `copy`: the baseline. Reads the file, splits it into articles at the `date` lines and COPYs (date, text) into a
  bare table (no index, no constraint) in one transaction.
- `kroniek-pg`: `kroniek ingest FILE --no-analyze --index-now --archive postgresql://...`: read, structure,
  language, hash, de-duplicate, store (COPY, change log), and the search index brought up to date before it returns.
- `kroniek-pg-store`: `kroniek ingest FILE --no-analyze --archive postgresql://...`, the default: an ingest this
  large returns once the store holds it and leaves the index to the next search (what the store costs).
- `kroniek-sqlite`: `kroniek ingest --index-now` of the same file into a SQLite archive, for comparison.

Search (`--search N`): N articles ingested into a PostgreSQL and a SQLite archive (without the index, which is then
built by `kroniek reindex` from each store), then benchmarks/bench_search.py's query mix through `Archive.search`,
a page of 20 hits with snippets and facets. The index is tantivy in both and holds what a page shows (an untitled
hit's headline included), so the store's share is building the index, not answering a search.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import platform
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from corpus import generate_articles  # noqa: E402

USER = "bench"


# -- the server ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_server(work: Path) -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL server on 127.0.0.1 with default durability; yields (URL of its postgres database,
    its version)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not bins:
        raise SystemExit("no PostgreSQL binaries: apt-get install -y postgresql")
    bindir = Path(bins[-1]).parent
    data = work / "pgdata"
    data.mkdir(parents=True)
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        name = "postgres" if _user_exists("postgres") else "nobody"
        user = pwd.getpwnam(name)
        for p in (work, data):
            os.chown(p, user.pw_uid, user.pw_gid)
        work.parent.chmod(0o755)  # the temporary directory, so that the server's user reaches its folder
        prefix = ["runuser", "-u", name, "--"]
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    port = _free_port()
    opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data} "
            "-c shared_buffers=2GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c maintenance_work_mem=512MB "
            "-c work_mem=64MB -c jit=off")
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(work / "pg.log"),
                    "-w", "-t", "120", "start"], check=True, capture_output=True)
    url = f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        with psycopg.connect(url) as conn:
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        yield url, version
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def fresh_database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")  # a name this script makes
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def database_mb(url: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]) / 1e6  # type: ignore


# -- the input ------------------------------------------------------------------------------------------------------


def write_dated_lines(path: Path, n: int, seed: int) -> int:
    """N generated articles as one dated-lines file; its size in bytes."""
    with path.open("w", encoding="utf-8") as fh:
        for rec in generate_articles(n, seed):
            fh.write(f"date {rec['date']} {rec['text']}\n")
    return path.stat().st_size


def read_dated_lines(path: Path) -> Iterator[tuple[str, str]]:
    """(date, text) of each article of a generated dated-lines file: an article starts at a `date ` line."""
    date, lines = None, []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("date "):
                if date is not None:
                    yield date, "".join(lines).rstrip("\n")
                date, _, first = line[5:].partition(" ")
                lines = [first]
            else:
                lines.append(line)
    if date is not None:
        yield date, "".join(lines).rstrip("\n")


# -- the runs (each in a child process) ------------------------------------------------------------------------------


def run_copy(src: Path, url: str) -> dict[str, Any]:
    import psycopg

    start = time.perf_counter()
    n = 0
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE articles (date text, text text NOT NULL)")
        with conn.cursor() as cur, cur.copy("COPY articles (date, text) FROM STDIN") as copy:
            for row in read_dated_lines(src):
                copy.write_row(row)
                n += 1
        conn.commit()
    return {"articles": n, "seconds": time.perf_counter() - start}


def run_cli(src: Path, archive: str, index: Path, now: bool = True) -> dict[str, Any]:
    """`kroniek ingest` in a process of its own (`now`: with `--index-now`); the wall time around it, and the time
    it reports."""
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "kroniek.cli", "ingest", str(src), "--no-analyze", "-q",
                          "--archive", archive, "--index", str(index), *(["--index-now"] if now else [])],
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"kroniek ingest failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    summary = res.stdout.strip().splitlines()[-1]
    new = int(summary.split(": ", 1)[1].split(" new")[0])
    reported = float(summary.split(" in ", 1)[1].split(" s ")[0])
    return {"articles": new, "seconds": seconds, "reported_s": reported}


def child(kind: str, *args: str) -> dict[str, Any]:
    res = subprocess.run([sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{res.stderr}")
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


# -- search -------------------------------------------------------------------------------------------------------


def run_search(archive: str, index: Path, n_queries: int, seed: int) -> dict[str, Any]:
    from bench_search import make_queries, percentiles

    from kroniek.archive import Archive
    from kroniek.settings import CoreSettings

    queries = make_queries(n_queries, seed)
    with Archive.open(archive, readonly=True, settings=CoreSettings(index=index)) as a:
        for q in queries[:20]:
            a.search(q.kroniek(), limit=20, facets=True)
        times = []
        for q in queries:
            t0 = time.perf_counter()
            a.search(q.kroniek(), limit=20, facets=True)
            times.append((time.perf_counter() - t0) * 1000)
        total = a.count()
    return {"articles": total, **percentiles(times)}


def run_reindex(archive: str, index: Path) -> dict[str, Any]:
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "kroniek.cli", "reindex", "-q", "--archive", archive,
                          "--index", str(index)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if res.returncode != 0:
        raise SystemExit(f"kroniek reindex failed:\n{res.stderr}")
    return {"seconds": time.perf_counter() - start}


# -- main ---------------------------------------------------------------------------------------------------------


def _median(runs: list[dict[str, Any]], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


def bench_ingest(url: str, work: Path, n: int, seed: int, runs: int) -> None:
    src = work / "articles.txt"
    t0 = time.perf_counter()
    size = write_dated_lines(src, n, seed)
    print(f"generated {n:,} articles: {size / 1e6:,.1f} MB of dated lines in {time.perf_counter() - t0:.1f} s",
          flush=True)
    results: dict[str, list[dict[str, Any]]] = {"copy": [], "kroniek-pg": [], "kroniek-pg-store": [],
                                                 "kroniek-sqlite": []}
    for i in range(runs):
        db = fresh_database(url, f"copy_{i}")
        results["copy"].append({**child("copy", str(src), db), "db_mb": database_mb(db)})
        db = fresh_database(url, f"kroniek_{i}")
        results["kroniek-pg"].append({**run_cli(src, db, work / f"pg-{i}.index"), "db_mb": database_mb(db)})
        db = fresh_database(url, f"store_{i}")
        results["kroniek-pg-store"].append({**run_cli(src, db, work / f"pg-store-{i}.index", now=False),
                                             "db_mb": database_mb(db)})
        sqlite = work / f"sqlite-{i}.db"
        results["kroniek-sqlite"].append({**run_cli(src, str(sqlite), work / f"sqlite-{i}.index"),
                                          "db_mb": sum(f.stat().st_size for f in work.glob(f"sqlite-{i}.db*")) / 1e6})
        print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]['seconds']:.1f} s" for k, v in results.items()), flush=True)
        for p in work.glob(f"*-{i}.index"):
            shutil.rmtree(p, ignore_errors=True)
        sqlite.unlink(missing_ok=True)
    base = _median(results["copy"])
    print(f"\n{'':17} {'articles':>9} {'median s':>9} {'runs s':>22} {'articles/s':>11} {'ratio':>7} "
          f"{'reported s':>11} {'db MB':>7}")
    for name, rs in results.items():
        med = _median(rs)
        each = " / ".join(f"{r['seconds']:.1f}" for r in rs)
        own = f"{_median(rs, 'reported_s'):.1f}" if "reported_s" in rs[0] else "-"
        print(f"{name:17} {rs[0]['articles']:>9,} {med:>9.1f} {each:>22} "
              f"{rs[0]['articles'] / med:>11,.0f} {med / base:>6.2f}x {own:>11} {_median(rs, 'db_mb'):>7.0f}")
    print("ratio: median wall seconds against the plain COPY of the same (date, text) rows into a bare table; "
          "kroniek-pg and kroniek-sqlite are `kroniek ingest --no-analyze --index-now` (search index included, "
          "process start included; `reported s` is the time the command itself reports, without its start); "
          "kroniek-pg-store leaves the index out")


def bench_search(url: str, work: Path, n: int, seed: int, n_queries: int) -> None:
    src = work / "search.txt"
    t0 = time.perf_counter()
    size = write_dated_lines(src, n, seed)
    print(f"generated {n:,} articles: {size / 1e6:,.1f} MB in {time.perf_counter() - t0:.1f} s", flush=True)
    db = fresh_database(url, "search")
    archives = {"postgres": (db, work / "pg-search.index"),
                "sqlite": (str(work / "search.db"), work / "sqlite-search.index")}
    for name, (archive, index) in archives.items():
        built = run_cli(src, archive, index, now=False)  # a write this large leaves the index for later
        print(f"{name}: stored {built['articles']:,} in {built['seconds']:.1f} s", flush=True)
        re_ = run_reindex(archive, index)
        print(f"{name}: index built from the store in {re_['seconds']:.1f} s", flush=True)
    src.unlink()
    print(f"\n{'store':10} {'articles':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, (archive, index) in archives.items():
        r = child("search", archive, str(index), str(n_queries), str(seed))
        print(f"{name:10} {r['articles']:>10,} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f} {r['mean']:>8.2f}",
              flush=True)
    print(f"{n_queries} queries (bench_search.py's mix), a page of 20 with snippets and facets, through "
          "Archive.search; the page read from the index alone")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles for the ingest comparison")
    parser.add_argument("--runs", type=int, default=3, help="runs of each ingest (the median is reported)")
    parser.add_argument("--search", type=int, default=0, metavar="N",
                        help="also measure search latency over N articles in each store (0: not)")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child == "copy":
        print(json.dumps(run_copy(Path(a.args[0]), a.args[1])))
        return
    if a.child == "search":
        print(json.dumps(run_search(a.args[0], Path(a.args[1]), int(a.args[2]), int(a.args[3]))))
        return
    with tempfile.TemporaryDirectory(prefix="kroniek-bench-pg-") as tmp:
        work = Path(tmp)
        with postgres_server(work / "server") as (url, version):
            print(f"PostgreSQL {version} on 127.0.0.1 (fsync on, synchronous_commit on, shared_buffers 2GB); "
                  f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}", flush=True)
            if a.runs:
                bench_ingest(url, work, a.n, a.seed, a.runs)
            if a.search:
                bench_search(url, work, a.search, a.seed, a.queries)


if __name__ == "__main__":
    main()

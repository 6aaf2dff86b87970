"""Serving benchmark: bounded load on loopback against `kroniek serve`; requests/s and latency per page kind.

    .venv/bin/python benchmarks/bench_serve.py [--articles 1000000] [--archive var/bench/serve.db]
        [--requests 2000] [--seconds 60] [--concurrency 4]
    .venv/bin/python benchmarks/bench_serve.py --demo --mixed 120 [--concurrency 8]

Builds the archive from the seeded generator (benchmarks/corpus.py) unless it already exists (with --demo: the
demo archive of `make demo`, analysed with the shipped model), starts `kroniek serve` on a free port of 127.0.0.1,
then runs each scenario (web search page, API search, web article page, API article) until it has sent --requests
requests or --seconds have passed, whichever comes first.

With --mixed SECONDS it runs one load test instead: for that long, --concurrency clients, each on its own
keep-alive connection, send a mix of the four kinds (a quarter each, drawn at random) as fast as the answers come
(a closed loop: the highest rate the server holds at that concurrency). It reports throughput, errors (any answer
but 200, or no answer) and p50/p95/p99 latency, over all and per kind, and exits with 1 if there was any error.

The client runs on the same machine as the server, so both share its cores; the figures are for this machine only.
Nothing but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import load_sentences, write_jsonl  # noqa: E402

_WORD = re.compile(r"^[a-zA-Z]{5,}$")


def build(path: Path, n: int, seed: int) -> None:
    """Ingest `n` generated articles (no NLP analysis: serving reads what the store holds).

    The articles go through a JSON Lines file, so that ingest streams them as it streams any input.
    """
    from kroniek.archive import Archive

    path.parent.mkdir(parents=True, exist_ok=True)
    src = path.with_suffix(".jsonl")
    started = time.perf_counter()
    if not src.exists():
        write_jsonl(src, n, seed)
        print(f"generated {src} in {time.perf_counter() - started:.0f} s", flush=True)
    with Archive.open(path) as archive:
        def tick(report: object) -> None:
            new = getattr(report, "new", 0)
            if new % 50_000 < 2000:
                print(f"  ingested {new:,} articles in {time.perf_counter() - started:.0f} s", flush=True)

        report = archive.ingest([src], progress=tick)
    print(f"built {path}: {report.new:,} articles in {time.perf_counter() - started:.0f} s", flush=True)


def build_demo(path: Path) -> None:
    """The demo archive (the seed article and alpino-dev, or the shipped sample), analysed with the shipped model."""
    from kroniek.archive import Archive
    from kroniek.demo import build as demo_build

    path.parent.mkdir(parents=True, exist_ok=True)
    with Archive.open(path) as archive:
        demo_build(archive)
        print(f"built {path}: {archive.count():,} articles", flush=True)


def archive_words(path: Path, seed: int, count: int = 400) -> list[str]:
    """Words to search for, drawn from the archive's own articles, so that most of them match something."""
    from kroniek.archive import Archive

    rng = random.Random(seed)
    with Archive.open(path, readonly=True) as archive:
        words = sorted({w.strip(".,:;!?()\"'“”‘’") for a in archive.articles() for w in a.text.split()})
    words = [w for w in words if _WORD.match(w)]
    return rng.sample(words, min(count, len(words)))


def query_words(seed: int, count: int = 400) -> list[str]:
    """Words to search for: drawn from the corpus sentences, so that most of them match something."""
    rng = random.Random(seed)
    words = sorted({w for s in load_sentences() for w in s.split() if _WORD.match(w)})
    return rng.sample(words, min(count, len(words)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(archive: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "KRONIEK_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "kroniek.cli", "serve", "--archive", str(archive),
                             "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            if proc.poll() is not None:
                tail = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise SystemExit(f"kroniek serve stopped: {tail}") from None
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("kroniek serve did not answer within 300 s")


def run_scenario(port: int, paths: Callable[[random.Random], str], requests: int, seconds: float,
                 concurrency: int, seed: int) -> dict[str, float]:
    """Send up to `requests` GETs (or for at most `seconds`) from `concurrency` keep-alive connections."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        nonlocal errors, sent
        rng = random.Random(seed * 1000 + k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if sent >= requests or time.monotonic() >= stop_at:
                    break
                sent += 1
            path = paths(rng)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if not ok:
                    errors += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {"requests": len(lat), "errors": errors, "seconds": wall, "rps": len(lat) / wall if wall else 0.0,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan")}


def run_mixed(port: int, kinds: dict[str, Callable[[random.Random], str]], seconds: float, concurrency: int,
              seed: int) -> dict[str, Any]:
    """For `seconds`, `concurrency` keep-alive clients send requests of the kinds drawn at random, one after
    another: the figures over all and per kind, and the statuses of the errors."""
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, int] = {k: 0 for k in kinds}
    statuses: dict[str, int] = {}
    names = sorted(kinds)
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            kind = rng.choice(names)
            path = kinds[kind](rng)
            t0 = time.perf_counter()
            status = "no answer"
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                status = str(resp.status)
            except (OSError, http.client.HTTPException) as e:
                status = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            dt = time.perf_counter() - t0
            with lock:
                latencies[kind].append(dt)
                if status != "200":
                    errors[kind] += 1
                    statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started

    def figures(lat: list[float], errs: int) -> dict[str, float]:
        lat = sorted(lat)

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

        return {"requests": len(lat), "errors": errs, "rps": len(lat) / wall if wall else 0.0,
                "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}

    every = [x for k in names for x in latencies[k]]
    return {"seconds": wall, "all": figures(every, sum(errors.values())),
            "kinds": {k: figures(latencies[k], errors[k]) for k in names}, "statuses": statuses}


def sample_ids(port: int, words: list[str], want: int = 500) -> list[str]:
    """Article ids to request, gathered from API searches for the query words."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    ids: list[str] = []
    for w in words:
        conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": w, "limit": 20, "facets": "false"}))
        body = json.loads(conn.getresponse().read())
        ids.extend(h["id"] for h in body.get("hits", []))
        if len(ids) >= want:
            break
    conn.close()
    return sorted(set(ids))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--archive", type=Path, default=None, help="reuse or build this archive file")
    ap.add_argument("--requests", type=int, default=2000, help="most requests per scenario")
    ap.add_argument("--seconds", type=float, default=60.0, help="most seconds per scenario")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--demo", action="store_true", help="serve the demo archive (built unless --archive exists)")
    ap.add_argument("--mixed", type=float, default=None, metavar="SECONDS",
                    help="run one mixed load test of this many seconds instead of the scenarios")
    args = ap.parse_args()

    if args.demo:
        archive = args.archive or HERE.parent / "var" / "bench" / "serve-demo.db"
        if not archive.exists():
            build_demo(archive)
        words = archive_words(archive, args.seed)
    else:
        archive = args.archive or HERE.parent / "var" / "bench" / f"serve-{args.articles}.db"
        if not archive.exists():
            build(archive, args.articles, args.seed)
        words = query_words(args.seed)
    port = free_port()
    proc = start_server(archive, port)
    try:
        ids = sample_ids(port, words)
        if not ids:
            raise SystemExit("no article ids found to request")

        def q(rng: random.Random) -> str:
            return urllib.parse.quote(rng.choice(words))

        scenarios: dict[str, Callable[[random.Random], str]] = {
            "web search page (/search, facets + chart)": lambda r: f"/search?q={q(r)}",
            "API search (/api/search, facets)": lambda r: f"/api/search?q={q(r)}",
            "web article page (/articles/ID)": lambda r: "/articles/" + urllib.parse.quote(r.choice(ids), safe=""),
            "API article (/api/articles/ID)": lambda r: "/api/articles/" + urllib.parse.quote(r.choice(ids),
                                                                                             safe=""),
        }
        # a short warm-up, so that the first scenario does not pay for cold caches alone
        run_scenario(port, scenarios["API search (/api/search, facets)"], 50, 30, 1, args.seed)
        if args.mixed is not None:
            return report_mixed(run_mixed(port, scenarios, args.mixed, args.concurrency, args.seed), archive, args)
        print(f"archive: {archive} ({args.articles:,} articles); machine: {platform.machine()}, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}; concurrency {args.concurrency}, "
              f"at most {args.requests} requests or {args.seconds:.0f} s per scenario")
        print("| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, paths in scenarios.items():
            r = run_scenario(port, paths, args.requests, args.seconds, args.concurrency, args.seed)
            print(f"| {name} | {r['requests']:.0f} | {r['errors']:.0f} | {r['rps']:.1f} | {r['p50_ms']:.1f} | "
                  f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} |", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


def report_mixed(result: dict[str, Any], archive: Path, args: argparse.Namespace) -> int:
    """Print the mixed load test as a table; 1 if any request failed."""
    from kroniek.archive import Archive

    with Archive.open(archive, readonly=True) as a:
        articles = a.count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"archive: {archive} ({articles:,} articles); machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {args.concurrency} clients for {result['seconds']:.0f} s on "
          f"127.0.0.1; load average {load:.1f} at the end")
    print("| requests | count | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in [("all, mixed", result["all"]), *sorted(result["kinds"].items())]:
        print(f"| {name} | {r['requests']:.0f} | {r['errors']:.0f} | {r['rps']:.1f} | {r['p50_ms']:.1f} | "
              f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} |", flush=True)
    if result["statuses"]:
        print(f"errors by status: {result['statuses']}")
    return 1 if result["all"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

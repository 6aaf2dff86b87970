"""Batch analysis throughput: `kroniek batch analyze` on Spark local[2] against the single-process path.

    .venv/bin/python benchmarks/bench_batch.py [--n 10000] [--runs 1]

Writes N generated articles (benchmarks/corpus.py) as JSON Lines, then times, as a user runs them:
`kroniek batch analyze IN OUT --engine local` (one process) and `kroniek batch analyze IN OUT --engine spark
--master local[2] --partitions 4`; the time includes starting Python, Spark and the model. Reports articles and
words per second of each and their ratio (median over runs). Needs a Java runtime and the spark extra.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def _time(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kroniek.cli", *args], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="kroniek-batch-") as tmp:
        src = Path(tmp) / "articles.jsonl"
        corpus.write_jsonl(src, args.n, seed=3)
        words = sum(len(json.loads(line)["text"].split()) for line in src.open(encoding="utf-8"))
        times: dict[str, list[float]] = {"local": [], "spark": []}
        for r in range(args.runs):
            for engine in ("local", "spark"):
                out = Path(tmp) / f"out-{engine}-{r}"
                extra = ["--master", args.master, "--partitions", "4"] if engine == "spark" else []
                times[engine].append(_time(["batch", "analyze", str(src), str(out), "--engine", engine, *extra], env))
                shutil.rmtree(out)
                print(f"run {r + 1} {engine}: {times[engine][-1]:.1f} s", flush=True)
        local, spark = statistics.median(times["local"]), statistics.median(times["spark"])
        print(f"{args.n:,} articles, {words:,} words: one process {local:.1f} s ({args.n / local:,.0f} articles/s, "
              f"{words / local:,.0f} words/s); Spark {args.master} {spark:.1f} s ({args.n / spark:,.0f} articles/s, "
              f"{words / spark:,.0f} words/s); speed-up {local / spark:.2f}x (medians of {args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Index-building benchmark: `SearchIndex.rebuild` over generated articles, the pairs of common words found by the
C loop (`kroniek/search/_pairs.c`) and, in the same run, by the Python loop it stands in for.

Usage: python benchmarks/bench_index_build.py [--n 100000] [--seed 0]

Each variant builds its own index in a child process, so CPU times are its own: wall seconds, articles/s, CPU
seconds of the process (tantivy's threads included) and of its main thread, where the Python work happens.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import write_jsonl  # noqa: E402

CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, "benchmarks")
from bench_search import read_articles, to_doc
from kroniek.search import pairs
from kroniek.search.index import SearchIndex

src, target, python_loop = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if python_loop:
    pairs._native = None  # CommonPairs falls back to the Python loop
elif pairs._native is None:
    sys.exit("the C loop is not built: run make install")

wall, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
SearchIndex.rebuild(target, (to_doc(r) for r in read_articles(Path(src))), writer_heap=2_000_000_000, threads=2)
print(json.dumps({"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
                  "main_thread_cpu_s": time.thread_time() - main}))
"""


def run(src: Path, work: Path, name: str, python_loop: bool) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(src), str(work / name), "1" if python_loop else "0"],
                         capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kroniek-index-bench-") as tmp:
        work = Path(tmp)
        src = work / "articles.jsonl"
        t0 = time.perf_counter()
        size = write_jsonl(src, args.n, args.seed)
        print(f"generated {args.n:,} articles, {size / 1e6:.1f} MB of JSON Lines in {time.perf_counter() - t0:.1f} s")
        results = {"C pair loop": run(src, work, "c", False), "Python pair loop": run(src, work, "py", True)}
    print(f"{'':18s} {'seconds':>8s} {'articles/s':>11s} {'CPU s':>7s} {'main thread CPU s':>18s}")
    for name, r in results.items():
        print(f"{name:18s} {r['wall_s']:8.1f} {args.n / r['wall_s']:11,.0f} {r['cpu_s']:7.1f} "
              f"{r['main_thread_cpu_s']:18.1f}")
    c, py = results["C pair loop"], results["Python pair loop"]
    print(f"speed-up of the C loop: {py['wall_s'] / c['wall_s']:.2f}x wall, "
          f"{py['main_thread_cpu_s'] / c['main_thread_cpu_s']:.2f}x main-thread CPU")


if __name__ == "__main__":
    main()

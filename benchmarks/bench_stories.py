"""Story detection: pairwise quality on generated corpora with known stories, and speed beside ingest.

    .venv/bin/python benchmarks/bench_stories.py [--seeds 1-16] [--n 100000] [--runs 3]

Quality: for each seed, `benchmarks/story_corpus.py` makes a corpus (80 stories that pause and return, 120
singletons; real sentences of CoNLL-2002 news documents), `kroniek ingest` (with its analysis, so names count as
they do for a user) builds an archive, and the stories it stored are scored pair by pair against the gold. The
parameters and the method were chosen on seeds 1 and 6 to 16 (`TUNING`); seeds 2 to 5 are reported as held out.

Speed: `kroniek ingest --no-analyze` of N generated articles (`story_corpus.at_scale`: corpus after corpus of the
kind above, so topics return as news topics do) and then `kroniek stories --update` on that archive (every article
placed, on its text: no analysis at this size); articles per second of each and their ratio, median over runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import story_corpus  # noqa: E402

KRONIEK = [sys.executable, "-m", "kroniek.cli"]
TUNING = frozenset({1, *range(6, 17)})


def _seeds(text: str) -> list[int]:
    """'1-5,9' -> [1, 2, 3, 4, 5, 9]"""
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out += range(int(low), int(high or low) + 1)
    return out


def _run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(KRONIEK + args, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def quality(seeds: list[int], work: Path, env: dict[str, str]) -> list[dict[str, float]]:
    out = []
    for seed in seeds:
        src = work / f"stories-{seed}.jsonl"
        _, gold_path = list(story_corpus.write(src, seed, 80, 120))
        db = work / f"stories-{seed}.db"
        _run(["ingest", str(src), "--archive", str(db), "-q"], env)
        with sqlite3.connect(db) as conn:
            found = dict(conn.execute("SELECT article_id, story_id FROM story_members"))
        scores = story_corpus.pairwise(json.loads(Path(gold_path).read_text(encoding="utf-8")), found)
        scores["seed"] = seed
        scores["articles"] = len(found)
        out.append(scores)
        print(f"seed {seed}{' (tuning)' if seed in TUNING else ''}: {len(found)} articles, "
              f"P {scores['precision']:.3f} R {scores['recall']:.3f} F1 {scores['f1']:.3f}", flush=True)
    return out


def speed(n: int, runs: int, work: Path, env: dict[str, str]) -> dict[str, float]:
    src = work / f"articles-{n}.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for a in story_corpus.at_scale(n):
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    ingest_s, stories_s = [], []
    for r in range(runs):
        db = work / f"speed-{r}.db"
        ingest_s.append(_run(["ingest", str(src), "--archive", str(db), "--no-analyze", "-q"], env))
        stories_s.append(_run(["stories", "--update", "--archive", str(db), "-q", "--limit", "1"], env))
        print(f"run {r + 1}: ingest {ingest_s[-1]:.1f} s, stories {stories_s[-1]:.1f} s", flush=True)
        for p in work.glob(f"speed-{r}.db*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    i, s = statistics.median(ingest_s), statistics.median(stories_s)
    return {"n": n, "ingest_s": i, "stories_s": s, "ingest_per_s": n / i, "stories_per_s": n / s,
            "ratio_stories_to_ingest": s / i}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-16", help="seeds, e.g. 1-16 or 2,3,4,5")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="kroniek-stories-") as tmp:
        work = Path(tmp)
        if not args.skip_quality:
            scores = quality(_seeds(args.seeds), work, env)
            for name, part in (("tuning", [s for s in scores if s["seed"] in TUNING]),
                               ("held-out", [s for s in scores if s["seed"] not in TUNING])):
                if part:
                    print(f"{name} seeds ({len(part)}): median P {statistics.median(s['precision'] for s in part):.3f} "
                          f"R {statistics.median(s['recall'] for s in part):.3f} "
                          f"F1 {statistics.median(s['f1'] for s in part):.3f}, lowest F1 "
                          f"{min(s['f1'] for s in part):.3f}")
        if not args.skip_speed:
            fig = speed(args.n, args.runs, work, env)
            print(f"{fig['n']:,} articles: ingest {fig['ingest_s']:.1f} s ({fig['ingest_per_s']:,.0f}/s), "
                  f"stories {fig['stories_s']:.1f} s ({fig['stories_per_s']:,.0f}/s), "
                  f"stories/ingest time {fig['ratio_stories_to_ingest']:.2f} (medians of {args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the Dutch pipeline: words per second on one core beside spaCy's bare Dutch tokenizer, load time, size.

Usage: python benchmarks/bench_nlp.py [--repeat N] [--passes P]
Text: the 54 alpino-dev articles and the seed article from ../shared/corpus, repeated N times. Every rate is words
(non-space tokens) per CPU second of this process, the MEDIAN of P passes (default 5), each pass's figure listed
beside it in `passes`. Also reports the CPU microseconds per word of the tokenizer and of each component of the
full pipeline (median of three passes), and the whole analysis as `kroniek analyze` runs it in one process
(structure, language, pipeline and the conversion to Analysis objects; `analysis_wps`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# One core: the numeric libraries must not start their own threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL = ROOT / "kroniek" / "models" / "nl_kroniek"

LOAD_SNIPPET = """
import time
t = time.process_time()
from kroniek.nlp.pipeline import load_pipeline
load_pipeline()
print(time.process_time() - t)
"""


def texts(repeat: int) -> list[str]:
    """The benchmark articles."""
    arts = [json.loads(line)["text"] for line in (SHARED / "corpus" / "alpino-dev.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    arts.append((SHARED / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt").read_text(encoding="utf-8"))
    return arts * repeat


def rate(fn, docs, passes: int = 5, setup=None) -> tuple[float, list[float], int]:
    """(words per CPU second of this process, the figure of each pass, words) for running fn over the docs: the
    median of `passes` passes; words are non-space tokens.

    CPU time, not wall time: on a shared machine wall time measures the neighbours as much as the code. The
    median, not the best pass: a target must hold for a typical pass, not for the luckiest.
    """
    figures, n = [], 0
    for _ in range(passes):
        if setup is not None:
            setup()
        start = time.process_time()
        n = fn(docs)
        figures.append(n / (time.process_time() - start))
    return statistics.median(figures), figures, n


def component_costs(nlp, docs: list[str], passes: int = 3) -> dict[str, float]:
    """CPU microseconds per word of the tokenizer and of each component, the median of `passes` runs over the
    docs.

    Each pass makes fresh Docs and runs the components one after the other over all of them (in batches through
    `pipe` where a component has it), timing each on its own.
    """
    runs: dict[str, list[float]] = {}
    words = 0
    for _ in range(passes):
        start = time.process_time()
        batch = [nlp.make_doc(d) for d in docs]
        costs = {"tokenizer": time.process_time() - start}
        words = sum(sum(1 for t in doc if not t.is_space) for doc in batch)
        for name, proc in nlp.pipeline:
            start = time.process_time()
            batch = list(proc.pipe(batch, batch_size=32)) if hasattr(proc, "pipe") else [proc(d) for d in batch]
            costs[name] = time.process_time() - start
        for name, seconds in costs.items():
            runs.setdefault(name, []).append(seconds)
    return {name: round(statistics.median(seconds) * 1e6 / max(words, 1), 1) for name, seconds in runs.items()}


def load_seconds() -> float:
    """CPU seconds to import and load the pipeline in a fresh process (what a CLI call or a server start pays)."""
    out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--passes", type=int, default=5, help="passes per rate; the median is reported")
    args = parser.parse_args()
    import spacy

    from kroniek.nlp.pipeline import load_pipeline

    docs = texts(args.repeat)
    nlp = load_pipeline()
    bare = [spacy.blank("nl")]

    def fresh_bare() -> None:
        """A new tokenizer for each pass: its cache of words seen must not carry over from the pass before."""
        bare[0] = spacy.blank("nl")

    def run_bare(ds: list[str]) -> int:
        return sum(sum(1 for t in bare[0](d) if not t.is_space) for d in ds)

    def run_full(ds: list[str]) -> int:
        return sum(sum(1 for t in doc if not t.is_space) for doc in nlp.pipe(ds, batch_size=32))

    from thinc.api import use_ops

    from kroniek.nlp import ops

    with use_ops(ops.NAME):  # the shipped model alone, without the other Kroniek components, as Kroniek runs it
        model = spacy.load(MODEL)
    blis_model = spacy.load(MODEL)  # the same on thinc's default operations (blis matrix products)

    def run_model(ds: list[str]) -> int:
        return sum(sum(1 for t in doc if not t.is_space) for doc in model.pipe(ds, batch_size=32))

    def run_blis_model(ds: list[str]) -> int:
        return sum(sum(1 for t in doc if not t.is_space) for doc in blis_model.pipe(ds, batch_size=32))

    from kroniek.analysis import analyze_records
    from kroniek.model import ArticleDate, RawArticle

    records = [RawArticle(text=d, date=ArticleDate(2019, 1, 1)) for d in docs]
    counts = {d: sum(1 for t in nlp.make_doc(d) if not t.is_space) for d in set(docs)}

    def run_analysis(rs: list[RawArticle]) -> int:
        return sum(counts[a.text] for a in analyze_records(rs, nlp, 32))

    run_full(docs[:5])  # warm up
    run_model(docs[:5])
    run_blis_model(docs[:5])
    passes = args.passes
    bare_wps, bare_all, words = rate(run_bare, docs, passes, setup=fresh_bare)
    model_wps, model_all, _ = rate(run_model, docs, passes)
    blis_wps, blis_all, _ = rate(run_blis_model, docs, passes)
    full_wps, full_all, _ = rate(run_full, docs, passes)
    analysis_wps, analysis_all, _ = rate(run_analysis, records, passes)
    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    result = {
        "words": words, "pipeline": nlp.pipe_names, "rate": f"words per CPU second, median of {passes} passes",
        "full_pipeline_wps": round(full_wps), "model_wps": round(model_wps), "analysis_wps": round(analysis_wps),
        "bare_tokenizer_wps": round(bare_wps), "model_on_blis_wps": round(blis_wps),
        "passes": {"full_pipeline": [round(x) for x in full_all], "model": [round(x) for x in model_all],
                   "analysis": [round(x) for x in analysis_all], "bare_tokenizer": [round(x) for x in bare_all],
                   "model_on_blis": [round(x) for x in blis_all]},
        "ratio_full_to_bare": round(full_wps / bare_wps, 3),
        "model_mb": round(size / 1e6, 1),
        "load_cpu_s": round(statistics.median(load_seconds() for _ in range(3)), 2),
        "component_us_per_word": component_costs(nlp, docs),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

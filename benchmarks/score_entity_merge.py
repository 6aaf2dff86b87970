"""Pairwise precision and recall of entity resolution across articles, on gold that says which person each name
stands for.

    .venv/bin/python benchmarks/score_entity_merge.py --dev                 # eval/entity-merge/dev-gold.jsonl
    .venv/bin/python benchmarks/score_entity_merge.py --dev-conll           # eval/entity-merge/dev-gold-conll.jsonl
    .venv/bin/python benchmarks/score_entity_merge.py --generated 2         # benchmarks/entity_corpus.py, seed 2

Each corpus is ingested into a fresh archive and analysed with the shipped model, as `kroniek ingest` does (entity
resolution runs after the analysis). A gold item is a person named in an article: with offsets (generated) it is
the stored mention that overlaps them most, without (dev) the first stored mention with its text; items the
analysis did not find are counted and left out. Over every pair of found items in two different articles, a pair
is gold-positive when both are one person and found-positive when both mentions point at one archive entity:
precision is the share of found-positive pairs that are gold-positive, recall the share of gold-positive pairs
found. The same is given for the rows the analysis stored before resolution (one per canonical name and label, the
way the archive kept entities before), as the baseline, and for the pairs that resolution merged and the baseline
did not (`merged_by_resolution`). Prints one JSON object; `--errors FILE` writes the pairs
that were merged wrongly or missed.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.entity_corpus import generate  # noqa: E402
from kroniek.archive import Archive  # noqa: E402
from kroniek.entities.update import resolve_entities  # noqa: E402
from kroniek.model import name_key  # noqa: E402

SHARED = ROOT.parent / "shared"
DEV_GOLD = ROOT / "eval" / "entity-merge" / "dev-gold.jsonl"
CONLL_GOLD = ROOT / "eval" / "entity-merge" / "dev-gold-conll.jsonl"
DEV_INPUTS = (SHARED / "corpus" / "alpino-dev.jsonl", SHARED / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt",
              ROOT / "eval" / "kroniek-dev" / "articles-tune.jsonl",
              ROOT / "eval" / "kroniek-dev" / "articles-held-aside.jsonl")


def conll_articles() -> list[dict[str, Any]]:
    """The CoNLL-2002 ned.testa documents as articles (eval/entity-merge/conll_dev.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("conll_dev", ROOT / "eval" / "entity-merge" / "conll_dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()[0]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def build(inputs: Iterable[Path | dict[str, Any]], where: Path) -> tuple[Path, dict[str, float]]:
    """An archive of the inputs, analysed (and so resolved); the seconds a full resolution takes on it, and those
    that resolving the names of one article takes (as after the analysis of one new article; 20 articles, the
    mean and the most)."""
    path = where / "k.db"
    with Archive.open(path) as archive:
        archive.on_notice = lambda _m: None
        report = archive.ingest_and_analyze(list(inputs))
        if report.not_analysed:
            raise SystemExit(f"not analysed: {report.not_analysed}")
        started = time.perf_counter()
        archive.resolve_entities()
        seconds = {"full": round(time.perf_counter() - started, 3)}
        ids = [a.id for a in archive.articles()]
        one = []
        for aid in ids[:: max(1, len(ids) // 20)][:20]:
            keys = {name_key(e["canonical"]) for e in archive.get_article(aid, links=False).entities}
            started = time.perf_counter()
            resolve_entities(archive.store, keys)
            one.append(time.perf_counter() - started)
        seconds["one_article_mean"] = round(sum(one) / len(one), 3) if one else 0.0
        seconds["one_article_max"] = round(max(one), 3) if one else 0.0
    return path, seconds


def found_items(db: Path, gold: list[dict[str, Any]]) -> tuple[list[tuple[dict[str, Any], int, int]], int]:
    """(gold item, archive entity, row before resolution) of each gold item found among the stored mentions."""
    con = sqlite3.connect(db)
    mentions: dict[str, list[tuple[int, int, str, int, int, str]]] = {}
    for aid, start, end, text, eid, base, canonical in con.execute(
            'SELECT m.article_id, m.start, m."end", m.text, m.entity_id, m.base_id, b.canonical FROM mentions m '
            "JOIN entities b ON b.id = m.base_id ORDER BY m.article_id, m.start"):
        mentions.setdefault(aid, []).append((start, end, text, eid, base, canonical))
    con.close()
    out, missed = [], 0
    for item in gold:
        here = mentions.get(item["article"], [])
        best = None
        if "start" in item:
            overlap = [(min(e, item["end"]) - max(s, item["start"]), m) for m in here
                       for s, e in [(m[0], m[1])] if min(e, item["end"]) > max(s, item["start"])]
            if overlap:
                best = max(overlap, key=lambda x: x[0])[1]
        if best is None:
            best = next((m for m in here if m[2] == item["text"]), None) or next(
                (m for m in here if m[5] == item["text"]), None)
        if best is None:
            missed += 1
            continue
        out.append((item, best[3], best[4]))
    return out, missed


def pairwise(items: list[tuple[dict[str, Any], int, int]], which: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    tp = fp = fn = 0
    errors = []
    for (a, ea, ba), (b, eb, bb) in combinations(items, 2):
        if a["article"] == b["article"]:
            continue
        gold = a["person"] == b["person"]
        found = (ea, ba)[which] == (eb, bb)[which]
        if gold and found:
            tp += 1
        elif found:
            fp += 1
            errors.append({"error": "merged", "a": a, "b": b})
        elif gold:
            fn += 1
            errors.append({"error": "missed", "a": a, "b": b})
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return ({"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
             "gold_pairs": tp + fn, "found_pairs": tp + fp}, errors)


def score(inputs: Iterable[Path | dict[str, Any]], gold: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        db, seconds = build(inputs, Path(tmp))
        items, missed = found_items(db, gold)
    resolved, errors = pairwise(items, 0)
    baseline, _ = pairwise(items, 1)
    return ({"items": len(gold), "found": len(items), "not_found": missed,
             "people": len({g["person"] for g in gold}), "resolved": resolved, "baseline": baseline,
             "merged_by_resolution": added(items), "resolve_seconds": seconds}, errors)


def added(items: list[tuple[dict[str, Any], int, int]]) -> dict[str, Any]:
    """The pairs that resolution merged and the rows before it kept apart: how many, and how many rightly."""
    right = wrong = 0
    for (a, ea, ba), (b, eb, bb) in combinations(items, 2):
        if a["article"] != b["article"] and ea == eb and ba != bb:
            right += a["person"] == b["person"]
            wrong += a["person"] != b["person"]
    return {"pairs": right + wrong, "precision": round(right / (right + wrong), 4) if right + wrong else 1.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="the hand-made gold on the dev articles")
    parser.add_argument("--dev-conll", action="store_true",
                        help="the hand-checked gold on the CoNLL-2002 ned.testa articles")
    parser.add_argument("--generated", type=int, action="append", default=[], metavar="SEED",
                        help="a generated corpus of this seed (repeatable)")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--errors", type=Path, help="write the wrong and missed pairs here (JSON Lines)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    all_errors: list[Any] = []
    if args.dev:
        results["dev"], errs = score(DEV_INPUTS, read_jsonl(DEV_GOLD))
        all_errors += [{"corpus": "dev", **e} for e in errs]
    if args.dev_conll:
        results["dev-conll"], errs = score(conll_articles(), read_jsonl(CONLL_GOLD))
        all_errors += [{"corpus": "dev-conll", **e} for e in errs]
    for seed in args.generated:
        articles, gold = generate(seed, args.people, args.articles)
        results[f"generated-{seed}"], errs = score(articles, gold)
        all_errors += [{"corpus": f"generated-{seed}", **e} for e in errs]
    if not results:
        parser.error("give --dev, --dev-conll and/or --generated SEED")
    if args.errors:
        args.errors.parent.mkdir(parents=True, exist_ok=True)
        with args.errors.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in all_errors)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Quotations and time expressions on the shared dev articles and on both parts of Kroniek's own dev set.

    .venv/bin/python benchmarks/score_own_dev.py [--out DIR] [--sets dev,tune,held-aside]

Analyses each set with the full shipped pipeline (`kroniek.analysis.analyze_records`, as `kroniek analyze` does),
writes the analyses in the format of ../shared/eval/FORMAT.md to DIR (default var/bench/own-dev), runs
`../shared/eval/score.py quotes` and `score.py timex` on them, and prints one table row per set:

- dev: ../shared/corpus/alpino-dev.jsonl against ../shared/eval/{quotes,timex}-dev.jsonl (the rules' own data);
- tune, held-aside: eval/kroniek-dev/articles-<part>.jsonl against its gold (see eval/kroniek-dev/README.md).

The held-aside part is measured to report only; no rule is written against it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from kroniek.analysis import analyze_records, load_pipeline
from kroniek.model import ArticleDate, RawArticle

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "score.py"
OWN = ROOT / "eval" / "kroniek-dev"
SETS: dict[str, tuple[Path, Path, Path]] = {
    "dev": (SHARED / "corpus" / "alpino-dev.jsonl", SHARED / "eval" / "quotes-dev.jsonl",
            SHARED / "eval" / "timex-dev.jsonl"),
    "tune": (OWN / "articles-tune.jsonl", OWN / "quotes-tune.jsonl", OWN / "timex-tune.jsonl"),
    "held-aside": (OWN / "articles-held-aside.jsonl", OWN / "quotes-held-aside.jsonl",
                   OWN / "timex-held-aside.jsonl"),
}


def read_articles(path: Path) -> list[RawArticle]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [RawArticle(text=r["text"], date=ArticleDate.parse(r["date"]) if r.get("date") else None, id=r["id"])
            for r in rows]


def score(kind: str, gold: Path, pred: Path) -> dict:
    out = subprocess.run([sys.executable, str(SCORER), kind, str(gold), str(pred)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "own-dev")
    parser.add_argument("--sets", default="dev,tune,held-aside")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    nlp = load_pipeline()
    print("| set | d+p detection F1 | d+p attribution F1 | indirect detection P / R / F1 | indirect attribution F1 "
          "| timex relaxed F1 | timex value P / R / F1 |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        articles_path, quotes_gold, timex_gold = SETS[name]
        articles = read_articles(articles_path)
        pred = args.out / f"{name}-pred.jsonl"
        with pred.open("w", encoding="utf-8") as fh:
            for analysis in analyze_records(articles, nlp):
                fh.write(json.dumps(analysis.to_format(), ensure_ascii=False) + "\n")
        q, t = score("quotes", quotes_gold, pred), score("timex", timex_gold, pred)
        dp, ind, v = q["direct+partial"], q["indirect"], t["value"]
        print(f"| {name} | {dp['detection']['f1']:.3f} | {dp['attribution']['f1']:.3f} | "
              f"{ind['detection']['precision']:.3f} / {ind['detection']['recall']:.3f} / "
              f"{ind['detection']['f1']:.3f} | {ind['attribution']['f1']:.3f} | {t['relaxed']['f1']:.3f} | "
              f"{v['precision']:.3f} / {v['recall']:.3f} / {v['f1']:.3f} |")
        (args.out / f"{name}-scores.json").write_text(json.dumps({"quotes": q, "timex": t}, indent=1) + "\n",
                                                       encoding="utf-8")
    print(f"predictions and the scorer's full output in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

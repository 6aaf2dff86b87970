"""Score Kroniek's time expressions on the dev set (and the seed article) with ../shared/eval/score.py.

Usage: python benchmarks/score_timex.py [--model blank|trained] [--out DIR]
Analyses ../shared/corpus/alpino-dev.jsonl and the seed article with the "kroniek_timex" component, writes the
analyses in the format of ../shared/eval/FORMAT.md, and prints the scorer's figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import spacy
from spacy.language import Language

from kroniek.model import Analysis, ArticleDate
from kroniek.nlp import extensions
from kroniek.nlp.time_expressions import TimexComponent  # noqa: F401  (registers the factory)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "alpino-dev.jsonl"
GOLD = SHARED / "eval" / "timex-dev.jsonl"
SEED = SHARED / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt"
SEED_GOLD = SHARED / "eval" / "seed-gold.json"
SCORER = SHARED / "eval" / "score.py"


def build_pipeline(model: str) -> Language:
    """A blank Dutch pipeline with a sentencizer, or the trained model; either way with kroniek_timex last."""
    extensions.register()
    if model == "trained":
        from kroniek.nlp.pipeline import load_pipeline

        nlp = load_pipeline()
    else:
        nlp = spacy.blank("nl")
        nlp.add_pipe("sentencizer")
    if "kroniek_timex" not in nlp.pipe_names:
        nlp.add_pipe("kroniek_timex")
    return nlp


def read_seed(path: Path) -> tuple[str, ArticleDate]:
    """The seed file's dated line: `date YYYY-MM text...`; the text is everything after the date's space."""
    raw = path.read_text(encoding="utf-8")
    head, _, rest = raw.lstrip("\ufeff").lstrip().partition(" ")
    assert head == "date", f"{path} does not start with a date line"
    date, _, text = rest.partition(" ")
    return text.rstrip(), ArticleDate.parse(date)


def analyse(nlp: Language, items: list[tuple[str, str, ArticleDate | None]]) -> list[dict[str, object]]:
    """(id, text, date) in, analysis objects of the scorer's format out."""
    docs = []
    for _, text, date in items:
        doc = nlp.make_doc(text)
        doc._.dct = date
        docs.append(doc)
    out = []
    for (aid, text, date), doc in zip(items, nlp.pipe(docs), strict=True):
        out.append(Analysis(id=aid, date=date, text=text, timexes=list(doc._.timexes or [])).to_format())
    return out


def write_jsonl(rows: list[dict[str, object]], path: Path) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def score(kind: str, gold: Path, pred: Path) -> dict[str, object]:
    result = subprocess.run([sys.executable, str(SCORER), kind, str(gold), str(pred)], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def dev_items() -> list[tuple[str, str, ArticleDate | None]]:
    items = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append((row["id"], row["text"], ArticleDate.parse(row["date"]) if row.get("date") else None))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["blank", "trained"], default="blank")
    parser.add_argument("--out", type=Path, default=None, help="keep the prediction files in this folder")
    args = parser.parse_args(argv)
    nlp = build_pipeline(args.model)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="kroniek-timex-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    dev_pred, seed_pred = out_dir / "timex-dev-pred.jsonl", out_dir / "seed-pred.jsonl"
    write_jsonl(analyse(nlp, dev_items()), dev_pred)
    text, date = read_seed(SEED)
    write_jsonl(analyse(nlp, [("seed", text, date)]), seed_pred)
    dev = score("timex", GOLD, dev_pred)
    seed = score("seed", SEED_GOLD, seed_pred)["timexes"]
    print(f"pipeline: {args.model}; predictions in {out_dir}")
    print(f"$ score.py timex {GOLD.relative_to(ROOT.parent)} {dev_pred}")
    print(json.dumps(dev, indent=1))
    print(f"$ score.py seed {SEED_GOLD.relative_to(ROOT.parent)} {seed_pred}  (timexes)")
    print(json.dumps(seed, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

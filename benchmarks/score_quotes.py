"""Score the quotation component: analyse the Alpino dev articles and the seed article, run the shared scorer.

    .venv/bin/python benchmarks/score_quotes.py [--blank] [--out DIR]

Writes DIR/quotes-dev-pred.jsonl and DIR/seed-pred.jsonl in the analysis format of ../shared/eval/FORMAT.md and
prints what `../shared/eval/score.py quotes` and `score.py seed` say about them. With --blank (or when the trained
model is missing) the pipeline is spaCy's blank Dutch pipeline with the quotation component and no NER, so the
component falls back on its own name finding.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from kroniek.ingest.structure import parse_structure
from kroniek.model import Analysis, ArticleDate, EntityMention
from kroniek.nlp import extensions, quotations  # noqa: F401  (registers the component)
from kroniek.nlp.pipeline import MODEL_DIR, load_pipeline

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "score.py"
DEV = SHARED / "corpus" / "alpino-dev.jsonl"
GOLD = SHARED / "eval" / "quotes-dev.jsonl"
SEED = SHARED / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt"
SEED_GOLD = SHARED / "eval" / "seed-gold.json"


def pipeline(blank: bool) -> tuple[Language, str]:
    """The trained pipeline with Kroniek's components, or a blank Dutch one with only the quotation component."""
    if not blank and (MODEL_DIR / "config.cfg").is_file():
        nlp = load_pipeline()
        if "kroniek_quotes" not in nlp.pipe_names:
            nlp.add_pipe("kroniek_quotes")
        return nlp, f"trained model {MODEL_DIR.name} + {', '.join(nlp.pipe_names)}"
    extensions.register()
    nlp = spacy.blank("nl")
    nlp.add_pipe("kroniek_quotes")
    return nlp, "blank nl + kroniek_quotes (no NER)"


def seed_article() -> tuple[str, str]:
    raw = SEED.read_text(encoding="utf-8")
    m = re.match(r"\s*date\s+(\S+) ", raw)
    assert m, "the seed file starts with a date header"
    return m.group(1), raw[m.end():].rstrip()


def analyse(nlp: Language, items: list[tuple[str, str, str]]) -> list[dict]:
    """Analysis objects (FORMAT.md) for (id, date, text) triples."""
    docs = []
    for _, _, text in items:
        doc = nlp.make_doc(text)
        doc._.structure = parse_structure(text)
        docs.append(doc)
    out = []
    for (aid, date, text), doc in zip(items, nlp.pipe(docs), strict=True):
        a = Analysis(id=aid, date=ArticleDate.parse(date), text=text, structure=doc._.structure)
        a.entities = [EntityMention(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
        a.quotes = list(doc._.quotes or [])
        out.append(a.to_format())
    return out


def write(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def score(what: str, gold: Path, pred: Path) -> dict:
    out = subprocess.run([sys.executable, str(SCORER), what, str(gold), str(pred)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blank", action="store_true", help="use spaCy's blank Dutch pipeline (no NER)")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    nlp, described = pipeline(args.blank)
    dev = [(r["id"], r["date"], r["text"]) for r in map(json.loads, DEV.read_text(encoding="utf-8").splitlines())]
    dev_pred = args.out / "quotes-dev-pred.jsonl"
    write(analyse(nlp, dev), dev_pred)
    date, text = seed_article()
    seed_pred = args.out / "seed-pred.jsonl"
    write(analyse(nlp, [("000_6d9564fc6a10be2a", date, text)]), seed_pred)
    dev_score = score("quotes", GOLD, dev_pred)
    seed_score = score("seed", SEED_GOLD, seed_pred)["quotes"]
    print(f"pipeline: {described}")
    for name, result in (("dev", dev_score), ("seed", seed_score)):
        for kind in ("direct+partial", "indirect", "all"):
            d, a = result[kind]["detection"], result[kind]["attribution"]
            print(f"{name:5} {kind:15} detection P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f}"
                  f"  attribution F1 {a['f1']:.3f}  (gold {d['gold']}, pred {d['pred']})")


if __name__ == "__main__":
    main()

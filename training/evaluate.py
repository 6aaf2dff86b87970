"""Score a Dutch model with ../shared/eval/score.py: NER on ned.testa (the dev set) and entities on the seed article.

Usage: python -m training.evaluate [--model DIR] [--out DIR] [--beam-width N]
Writes DIR/testa.pred.conll and DIR/seed.pred.jsonl and prints the scorer's figures per type.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
SCORER = SHARED / "eval" / "score.py"
TESTA = SHARED / "data" / "conll2002-ned" / "ned.testa"
SEED = SHARED / "corpus" / "seed" / "000_6d9564fc6a10be2a.txt"
SEED_GOLD = SHARED / "eval" / "seed-gold.json"


def seed_text() -> str:
    """The seed article's text: everything after the space that follows the date (eval/FORMAT.md)."""
    raw = SEED.read_text(encoding="utf-8")
    match = re.match(r"\s*date\s+\S+ ", raw)
    return (raw[match.end():] if match else raw).rstrip()


def score(kind: str, gold: Path, pred: Path) -> dict:
    """The scorer's JSON output."""
    out = subprocess.run([sys.executable, str(SCORER), kind, str(gold), str(pred)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--out", type=Path, default=HERE / "output" / "eval")
    parser.add_argument("--beam-width", type=int, default=1,
                        help="decode the NER with a beam of this width (default 1: greedy, as the model is trained)")
    args = parser.parse_args()
    from kroniek.nlp.conll import tag_conll
    from kroniek.nlp.pipeline import load_pipeline

    nlp = load_pipeline(args.model)
    if args.beam_width > 1:
        nlp.get_pipe("ner").cfg.update(beam_width=args.beam_width, beam_density=0.0001)
    args.out.mkdir(parents=True, exist_ok=True)
    pred = args.out / "testa.pred.conll"
    start = time.process_time()
    tag_conll(TESTA, pred, nlp=nlp)
    print(f"tagged ned.testa in {time.process_time() - start:.1f} CPU s")
    ner = score("ner", TESTA, pred)
    for label, figures in ner.items():
        print(f"ned.testa {label:8s} P {figures['precision']:.4f} R {figures['recall']:.4f} F1 {figures['f1']:.4f}")
    text = seed_text()
    doc = nlp(text)
    analysis = {"id": "seed", "text": text,
                "entities": [{"start": e.start_char, "end": e.end_char, "text": e.text, "label": e.label_}
                             for e in doc.ents]}
    seed_pred = args.out / "seed.pred.jsonl"
    seed_pred.write_text(json.dumps(analysis, ensure_ascii=False) + "\n", encoding="utf-8")
    ents = score("seed", SEED_GOLD, seed_pred)["entities"]
    print(f"seed entities P {ents['precision']:.4f} R {ents['recall']:.4f} F1 {ents['f1']:.4f}")


if __name__ == "__main__":
    main()

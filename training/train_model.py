"""Build Kroniek's Dutch model and ship it into kroniek/models/nl_kroniek (what `make model` runs).

Steps: convert ../shared/data into training/corpus/*.spacy and build the static vectors (training/vectors.py);
train the NER pipeline of training/ner.cfg (stage 1, one thread, the best model on ned.testa kept), train it on with
training/ner_stage2.cfg (stage 2: ned.train plus copies in the quotation marks of real articles) and once more at a
lower learning rate (stage 3, STAGE3 overrides); then assemble the shipped pipeline: rule sentence boundaries
(`kroniek_sentences`), the trained tok2vec and NER, and spaCy's lookup lemmatizer with the Dutch table from
spacy-lookups-data, all saved with their config and a meta.json naming the data and their licences.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODEL_DIR = ROOT / "kroniek" / "models" / "nl_kroniek"
VERSION = "0.1.0"
# Stage 3: the stage-2 config again, from the stage-2 best, with smaller steps.
STAGE3: dict[str, object] = {"training.optimizer.learn_rate": 0.0003, "training.eval_frequency": 400,
                             "training.max_steps": 1600}

SOURCES = [
    {"name": "CoNLL-2002 Dutch NER (ned.train; ned.testa as dev set)", "license": "research use only",
     "url": "https://www.clips.uantwerpen.be/conll2002/ner/"},
    {"name": "WikiANN NL (train, validation): gazetteer columns and word2vec text", "license": "non-commercial",
     "url": "https://github.com/Babelscape/wikineural"},
    {"name": "Europeana Newspapers NER NL: gazetteer columns and word2vec text", "license": "CC0",
     "url": "https://github.com/EuropeanaNewspapers/ner-corpora"},
    {"name": "UD Dutch Alpino and LassySmall (dev): word2vec text", "license": "CC BY-SA 4.0",
     "url": "https://github.com/UniversalDependencies/UD_Dutch-Alpino"},
    {"name": "spacy-lookups-data Dutch lemma lookup table", "license": "MIT",
     "url": "https://github.com/explosion/spacy-lookups-data"},
]


def train(config: Path, output: Path, overrides: dict[str, object]) -> Path:
    """Train the NER pipeline with spaCy; the directory of the best model on the dev set."""
    import spacy
    from spacy.cli.train import train as spacy_train

    import kroniek.nlp.tokenizer  # noqa: F401  (registers the tokenizer the config names)

    spacy.util.fix_random_seed(0)
    spacy_train(config, output, overrides=overrides)
    return output / "model-best"


def assemble(trained: Path, out: Path = MODEL_DIR, extra_sources: list[dict[str, str]] | None = None) -> Path:
    """Save the shipped pipeline: sentences, the trained tok2vec and NER, and the lookup lemmatizer."""
    import spacy

    from kroniek.nlp import entities, lemmas, sentences, tokenizer  # noqa: F401  (register the factories the config names)

    nlp = spacy.load(trained)
    nlp.add_pipe("kroniek_sentences", first=True)
    nlp.add_pipe("kroniek_ner_fix", after="ner")
    # spaCy's Dutch lookup lemmas from a table that loads in one read (kroniek/nlp/lemmas.py)
    lemmatizer = nlp.add_pipe("kroniek_lemmatizer", name="lemmatizer", config={"overwrite": False})
    lemmatizer.initialize()
    meta_path = trained / "meta.json"
    scores = json.loads(meta_path.read_text())["performance"] if meta_path.is_file() else {}
    nlp.meta.update({
        "name": "kroniek", "version": VERSION, "lang": "nl",
        "description": "Kroniek's Dutch pipeline: tokenizer fixes, rule sentences, CNN NER (PER/ORG/LOC/MISC), "
                       "lookup lemmas. See kroniek/models/MODEL_CARD.md.",
        "license": "research use only (trained on CoNLL-2002)",
        "sources": SOURCES + (extra_sources or []),
        "performance": {k: v for k, v in scores.items() if k.startswith("ents")},
    })
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=HERE / "ner.cfg")
    parser.add_argument("--stage2-config", type=Path, default=HERE / "ner_stage2.cfg")
    parser.add_argument("--output", type=Path, default=HERE / "output" / "ner")
    parser.add_argument("--skip-train", action="store_true", help="only assemble from OUTPUT-stage3/model-best")
    args = parser.parse_args()
    # The machine is shared: one thread for the numeric libraries.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from training.convert import CORPUS, convert_all

    stage2 = args.output.with_name(args.output.name + "-stage2")
    stage3 = args.output.with_name(args.output.name + "-stage3")

    if not args.skip_train:
        if not (CORPUS / "train_restyled.spacy").is_file():
            convert_all()
        if not (CORPUS / "vectors").is_dir():
            from training.vectors import build

            build()
        stage1 = train(args.config, args.output, {})
        best2 = train(args.stage2_config, stage2, {"paths.source": str(stage1)})
        best = train(args.stage2_config, stage3, {"paths.source": str(best2), **STAGE3})
    else:
        best = stage3 / "model-best"
    out = assemble(best)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"model saved to {out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

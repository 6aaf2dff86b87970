"""The shipped Dutch model: it loads offline, holds the components we promise, and tags entities and CoNLL files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from conftest import ROOT, SEED, SHARED

from kroniek.nlp import conll, entities, lemmas, sentences, tokenizer  # noqa: F401  (register what the config names)
from kroniek.nlp.pipeline import MODEL_DIR

NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network disabled for this test")
socket.socket.connect = refuse
socket.create_connection = refuse
from kroniek.nlp.pipeline import get_nlp
nlp = get_nlp()
doc = nlp("Minister Stef Blok sprak donderdag in Den Haag met de VVD. Daarna reisde hij naar Moskou.")
print(nlp.pipe_names)
print([(e.text, e.label_) for e in doc.ents])
"""


@pytest.fixture(scope="module")
def model() -> spacy.language.Language:
    return spacy.load(MODEL_DIR)


def test_model_is_shipped_small_and_without_optimizer_state() -> None:
    files = [p for p in MODEL_DIR.rglob("*") if p.is_file()]
    assert (MODEL_DIR / "config.cfg").is_file() and (MODEL_DIR / "meta.json").is_file()
    assert sum(p.stat().st_size for p in files) < 50_000_000
    assert not any("optimizer" in p.name for p in files)


def test_model_meta_names_its_data_and_licences() -> None:
    meta = json.loads((MODEL_DIR / "meta.json").read_text())
    licences = " ".join(s["license"] for s in meta["sources"])
    assert "research use only" in licences and "non-commercial" in licences
    assert meta["lang"] == "nl"


def test_model_components(model: spacy.language.Language) -> None:
    assert model.pipe_names == ["kroniek_sentences", "tok2vec", "ner", "kroniek_ner_fix", "lemmatizer"]
    assert set(model.get_pipe("ner").labels) == {"PER", "ORG", "LOC", "MISC"}


@pytest.mark.slow
def test_model_loads_with_no_network() -> None:
    out = subprocess.run([sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "kroniek_entities" in out.stdout and "('Moskou', 'LOC')" in out.stdout


def test_model_finds_entities_sentences_and_lemmas_in_the_seed(model: spacy.language.Language) -> None:
    text = SEED.read_text(encoding="utf-8")
    doc = model(text)
    found = {(e.text, e.label_) for e in doc.ents}
    assert {("Rusland", "LOC"), ("Blok", "PER"), ("RTL Nieuws", "ORG")} <= found
    assert len(list(doc.sents)) >= 15
    lemma_of = {t.text: t.lemma_ for t in doc}
    assert lemma_of["gesprekken"] == "gesprek"


def test_model_tag_conll_writes_one_tag_per_line(model: spacy.language.Language, tmp_path: Path) -> None:
    gold = (SHARED / "data" / "conll2002-ned" / "ned.testa").read_text(encoding="utf-8").splitlines()[:400]
    sample = tmp_path / "sample.conll"
    sample.write_text("\n".join(gold) + "\n", encoding="utf-8")
    out = tmp_path / "pred.conll"
    n = conll.tag_conll(sample, out, nlp=model)
    pred = out.read_text(encoding="utf-8").splitlines()
    assert len(pred) == len(gold)
    assert n == sum(1 for line in gold if line.split() and line.split()[0] != "-DOCSTART-")
    tags = [line.split()[-1] for line in pred if line.split()]
    assert all(t == "O" or t[:2] in ("B-", "I-") for t in tags)
    for g, p in zip(gold, pred, strict=True):
        assert p.startswith(g)
    # The model agrees with the gold tags on most tokens of this sample (a broken model would not).
    agree = sum(1 for g, p in zip(gold, pred, strict=True) if g.split() and g.split()[-1] == p.split()[-1])
    assert agree / max(1, sum(1 for g in gold if g.split())) > 0.9


@pytest.mark.slow
def test_model_loads_quickly() -> None:
    """Loading the pipeline in a fresh process takes CPU time of a few seconds at most (issue 4: <= 3 s)."""
    snippet = ("import time; t = time.process_time(); from kroniek.nlp.pipeline import load_pipeline; "
               "load_pipeline(); print(time.process_time() - t)")
    out = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, cwd=ROOT, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) < 6.0


def test_model_process_wide_pipeline_is_loaded_once() -> None:
    from kroniek.nlp.pipeline import get_nlp

    first = get_nlp()
    assert get_nlp() is first


def test_model_tokenizer_from_code_matches_the_shipped_one(model: spacy.language.Language) -> None:
    """load_pipeline builds the tokenizer from code instead of reading it back: both must cut text the same way."""
    built = spacy.load(MODEL_DIR, exclude=["tokenizer"])
    text = SEED.read_text(encoding="utf-8") + " Op 3 jan. zei dhr. J.P. Jansen: ,,5 mld.'' – de top."
    assert [t.text for t in built.make_doc(text)] == [t.text for t in model.make_doc(text)]


def test_blas_runs_on_one_thread_unless_asked_otherwise() -> None:
    """The CLI and the server (and any user of the package) get one BLAS thread by default; a choice stands."""
    import subprocess
    import sys

    code = "import kroniek, os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.split() == ["1", "1"]
    chosen = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "2"},
                            capture_output=True, text=True, check=True).stdout.split()
    assert chosen == ["1", "2"]

"""The lookup lemmatizer gives spaCy's Dutch lookup lemmas from the shipped table, and round-trips through disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from conftest import ALPINO_JSONL, SEED
from spacy.lookups import Lookups

from kroniek.nlp.lemmas import LookupLemmatizer
from kroniek.nlp.pipeline import get_nlp


@pytest.fixture(scope="module")
def shipped() -> LookupLemmatizer:
    lemmatizer = get_nlp().get_pipe("lemmatizer")
    assert isinstance(lemmatizer, LookupLemmatizer)
    return lemmatizer


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines()[:20]]
    return texts + [SEED.read_text(encoding="utf-8"), "ÉÉN Wérden İstanbul ǅ ĲSSEL gesprekken", ""]


def test_lemmas_are_those_of_spacys_dutch_lookup_lemmatizer(shipped: LookupLemmatizer) -> None:
    # spaCy's own Dutch lemmatizer in lookup mode, given the same table, is the reference
    reference = spacy.blank("nl")
    lookups = Lookups()
    lookups.add_table("lemma_lookup", shipped.table)
    reference.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize(lookups=lookups)
    ours = spacy.blank("nl")
    ours.add_pipe("kroniek_lemmatizer").set_table(shipped.table)
    compared = 0
    for text in _texts():
        expected = [t.lemma_ for t in reference(text)]
        assert [t.lemma_ for t in ours(text)] == expected
        compared += len(expected)
    assert compared > 5000


def test_lemmas_of_everyday_forms(shipped: LookupLemmatizer) -> None:
    nlp = spacy.blank("nl")
    nlp.add_pipe("kroniek_lemmatizer").set_table(shipped.table)
    doc = nlp("De gesprekken met Rusland Gesprekken")
    assert [t.lemma_ for t in doc] == ["de", "gesprek", "met", "rusland", "gesprek"]


def test_table_from_words_and_lemmas_kept_unless_overwrite() -> None:
    nlp = spacy.blank("nl")
    keep = nlp.add_pipe("kroniek_lemmatizer")
    keep.initialize(table={"liepen": "lopen", "Huizen": "huis"})
    doc = nlp.make_doc("Zij liepen naar huizen")
    doc[0].lemma_ = "zij-zelf"
    assert [t.lemma_ for t in keep(doc)] == ["zij-zelf", "lopen", "naar", "huis"]
    other = spacy.blank("nl")
    over = other.add_pipe("kroniek_lemmatizer", config={"overwrite": True})
    over.set_table(keep.table)
    doc = other.make_doc("Zij liepen")
    doc[0].lemma_ = "zij-zelf"
    assert [t.lemma_ for t in over(doc)] == ["zij", "lopen"]


def test_lemmatizer_round_trips_through_disk_and_bytes(tmp_path: Path) -> None:
    nlp = spacy.blank("nl")
    nlp.add_pipe("kroniek_lemmatizer").initialize(table={"liepen": "lopen"})
    nlp.to_disk(tmp_path / "model")
    back = spacy.load(tmp_path / "model")
    assert [t.lemma_ for t in back("Zij liepen")] == ["zij", "lopen"]
    again = spacy.blank("nl")
    again.add_pipe("kroniek_lemmatizer").from_bytes(nlp.get_pipe("kroniek_lemmatizer").to_bytes())
    assert [t.lemma_ for t in again("Zij liepen")] == ["zij", "lopen"]


def test_a_doc_of_another_vocab_gets_its_lemmas_too(shipped: LookupLemmatizer) -> None:
    other = spacy.blank("nl")
    doc = shipped(other.make_doc("De gesprekken"))
    assert [t.lemma_ for t in doc] == ["de", "gesprek"]

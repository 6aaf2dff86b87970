"""The kroniek_timex spaCy component, value ranges, and the scores on the dev set and the seed article."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from conftest import ALPINO_JSONL, EVAL, ROOT, SEED

from kroniek.model import ArticleDate, TimeExpression
from kroniek.nlp import extensions
from kroniek.nlp.sentences import sentence_bounds, split_sentences
from kroniek.nlp.time_expressions import value_range

D = dt.date


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    extensions.register()
    pipeline = spacy.blank("nl")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("kroniek_timex")
    return pipeline


def run(nlp: spacy.language.Language, text: str, dct: ArticleDate | None) -> list[TimeExpression]:
    doc = nlp.make_doc(text)
    doc._.dct = dct
    return nlp(doc)._.timexes


def test_timex_component_writes_doc_extension(nlp: spacy.language.Language) -> None:
    text = "Het was stil in Den Haag. Nederland heeft Rusland vorig jaar mei aansprakelijk gesteld."
    (t,) = run(nlp, text, ArticleDate(2019, 2))
    assert (t.text, t.type, t.value) == ("vorig jaar mei", "DATE", "2018-05")
    assert text[t.sentence_start:t.sentence_end] == "Nederland heeft Rusland vorig jaar mei aansprakelijk gesteld."


def test_timex_component_without_sentence_annotation() -> None:
    extensions.register()
    bare = spacy.blank("nl")
    bare.add_pipe("kroniek_timex")
    doc = bare.make_doc("Het was stil. Gisteren zei hij dat.")
    doc._.dct = ArticleDate(2019, 2, 14)
    (t,) = bare(doc)._.timexes
    assert (t.value, t.sentence_start) == ("2019-02-13", 14)


def test_timex_component_uses_past_tense_tags(nlp: spacy.language.Language) -> None:
    # "belde" is not in any word list; a tagger's Tense=Past on it decides the direction of "zaterdag"
    extensions.register()
    plain = nlp.make_doc("Zaterdag belt hij.")
    plain._.dct = ArticleDate(2019, 2, 14)
    assert [t.value for t in nlp(plain)._.timexes] == ["2019-02-16"]
    tagged = nlp.make_doc("Zaterdag belt hij.")
    tagged._.dct = ArticleDate(2019, 2, 14)
    tagged[1].set_morph("Tense=Past|VerbForm=Fin")
    assert [t.value for t in nlp(tagged)._.timexes] == ["2019-02-09"]


def test_timex_split_sentences_fallback() -> None:
    text = "Eerste zin. Tweede zin!\n\nDerde zin"
    assert [text[s:e] for s, e in split_sentences(text)] == ["Eerste zin.", "Tweede zin!", "Derde zin"]


@pytest.mark.parametrize("value, expected", [
    ("2018-05", (D(2018, 5, 1), D(2018, 5, 31))),
    ("2014", (D(2014, 1, 1), D(2014, 12, 31))),
    ("2014-07-17", (D(2014, 7, 17), D(2014, 7, 17))),
    ("2019-02-XXTEV", (D(2019, 2, 1), D(2019, 2, 28))),
    ("2020-02-XX", (D(2020, 2, 1), D(2020, 2, 29))),
    ("2001-06-14TEV", (D(2001, 6, 14), D(2001, 6, 14))),
    ("2019-W07", (D(2019, 2, 11), D(2019, 2, 17))),
    ("2020-W53", (D(2020, 12, 28), D(2021, 1, 3))),
    ("2001-W23-WE", (D(2001, 6, 9), D(2001, 6, 10))),
    ("2001-SU", (D(2001, 6, 1), D(2001, 8, 31))),
    ("2015-WI", (D(2015, 12, 1), D(2016, 2, 29))),
    ("2018-Q3", (D(2018, 7, 1), D(2018, 9, 30))),
    ("199", (D(1990, 1, 1), D(1999, 12, 31))),
    ("19", (D(1900, 1, 1), D(1999, 12, 31))),
    ("2019-XX-XX", (D(2019, 1, 1), D(2019, 12, 31))),
])
def test_timex_value_range(value: str, expected: tuple[dt.date, dt.date]) -> None:
    assert value_range(value) == expected


@pytest.mark.parametrize("value", ["FUTURE_REF", "PRESENT_REF", "PAST_REF", "P3Y", "PXD", "XXXX-WXX-1",
                                   "XXXX-XX-XX", "2019-02-30", "2019-W54"])
def test_timex_value_range_none(value: str) -> None:
    assert value_range(value) is None


def _score(tmp_path: Path, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "score_timex.py"), "--out", str(tmp_path),
                          *args], check=True, capture_output=True, text=True).stdout
    assert "score.py timex" in out
    dev = json.loads(subprocess.run([sys.executable, str(EVAL / "score.py"), "timex", str(EVAL / "timex-dev.jsonl"),
                                     str(tmp_path / "timex-dev-pred.jsonl")], check=True, capture_output=True,
                                    text=True).stdout)
    seed = json.loads(subprocess.run([sys.executable, str(EVAL / "score.py"), "seed", str(EVAL / "seed-gold.json"),
                                      str(tmp_path / "seed-pred.jsonl")], check=True, capture_output=True,
                                     text=True).stdout)
    return {"dev": dev, "seed": seed["timexes"]}


@pytest.mark.slow
def test_timex_dev_and_seed_scores_meet_the_targets(tmp_path: Path, shared: Path) -> None:
    assert ALPINO_JSONL.is_file() and SEED.is_file()
    scores = _score(tmp_path)
    dev, seed = scores["dev"], scores["seed"]
    assert isinstance(dev, dict) and isinstance(seed, dict)
    assert dev["relaxed"]["f1"] >= 0.90
    assert dev["value"]["f1"] >= 0.80
    assert seed["value"]["tp"] == seed["value"]["gold"] == 8


def test_sentence_bounds_are_the_offsets_of_doc_sents(nlp: spacy.language.Language) -> None:
    texts = [json.loads(line)["text"] for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines()[:10]]
    texts += [SEED.read_text(encoding="utf-8"), "Een.", "  Hallo daar. Nog een zin", "\n\nA. B", ""]
    for doc in nlp.pipe(texts):
        assert sentence_bounds(doc) == [(s.start_char, s.end_char) for s in doc.sents]
    assert sentence_bounds(spacy.blank("nl")("Geen zinnen gezet.")) is None

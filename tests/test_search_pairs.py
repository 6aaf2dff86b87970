"""The word-pair fields: their text has exactly tantivy's words, and a phrase answered with their help finds
exactly the articles a plain phrase query finds."""

from __future__ import annotations

import random
import sys

import pytest
import tantivy
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from kroniek.search import pairs
from kroniek.search.documents import IndexDoc
from kroniek.search.index import SearchIndex

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate_articles, load_sentences  # noqa: E402

_WORDS = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()).filter(
    tantivy.Filter.ascii_fold()).build()


def _words(text: str) -> list[str]:
    return list(_WORDS.analyze(text))


def _reference_pairs(text: str) -> list[str]:
    """The pairs of adjacent common words, straight from the tokenizer's words (slow, obviously right)."""
    words = _words(text)
    return [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False) if a in pairs.COMMON and b in pairs.COMMON]


_FAST = pairs.CommonPairs(_WORDS.analyze, cache_size=50)


def _fast_pairs(text: str) -> list[str]:
    """The pairs both ways CommonPairs finds them: the C loop (where built) and the Python one; they must agree."""
    got = _FAST(text).split()
    assert _FAST.of_chunks(pairs.chunks(text)).split() == got
    return got


def test_the_c_loop_is_built() -> None:
    # `make install` compiles kroniek/search/_pairs.c; without it the Python loop runs, correct but slower
    assert pairs._native is not None


def test_the_c_loop_passes_on_errors_of_words_of() -> None:
    assert pairs._native is not None

    def broken(chunk: bytes) -> list[bytes]:
        raise KeyError(chunk)

    with pytest.raises(KeyError):
        pairs._native.common_pairs("de één".encode(), broken)
    with pytest.raises(TypeError):
        pairs._native.common_pairs("de één".encode(), lambda chunk: ["een"])
    with pytest.raises(TypeError):
        pairs._native.common_pairs("de één".encode(), lambda chunk: 3)
    assert pairs._native.common_pairs("de één het".encode(), lambda chunk: [b"een"]) == b"de_een een_het"
    assert pairs._native.common_pairs(b"", lambda chunk: []) == b""


@pytest.mark.parametrize("text", [
    "Hij zei: “Dit is één van de” — en… ‘in zijn’ huis.",
    "IN ZIJN Huis, De Eerste keer; VOOR de-eerste (keer) [in] {de} <het>",
    "vóór het eind, één van de twee; hé dat is niet_goed",
    "café\u0301 in de stad en Straße van de ΟΔΟΣ",
    "de " + "x" * 60 + " het",
    "de " + "é" * 50 + " het en de–" + "ë" * 45 + "–het",
    "in de\u00a0stad, in\u2009de stad",
    "",
    "...,,,!!!",
    "1.000 van de 2.000; van 3 de",
])
def test_common_pairs_are_the_pairs_the_tokenizer_sees(text: str) -> None:
    assert _fast_pairs(text) == _reference_pairs(text)


def test_common_pairs_on_real_sentences(shared: object) -> None:
    sentences = load_sentences()
    assert len(sentences) > 1000
    total = 0
    for sentence in sentences:
        got = _fast_pairs(sentence)
        assert got == _reference_pairs(sentence), sentence
        total += len(got)
    assert total > len(sentences)  # news sentences are full of them


_COMMON_WORDS = sorted(pairs.COMMON)[:40]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_COMMON_WORDS), st.text(alphabet=st.characters(
    blacklist_categories=("Cs",)), max_size=6)), max_size=25), st.lists(st.sampled_from(
        [" ", ", ", "\n\n", "“", "–", "\u00a0", "_", "é", "-"]), min_size=1, max_size=5))
def test_common_pairs_on_any_text(words: list[str], separators: list[str]) -> None:
    text = "".join(w + separators[i % len(separators)] for i, w in enumerate(words))
    assert _fast_pairs(text) == _reference_pairs(text)


def test_phrase_keys() -> None:
    assert pairs.keys(["in", "zijn", "huis"]) == ["in_zijn"]
    assert pairs.keys(["de", "eerste", "de", "eerste"]) == ["de_eerste", "eerste_de"]
    assert pairs.keys(["morgan", "huis"]) == []


@pytest.fixture(scope="module")
def corpus_index(shared: object) -> tuple[SearchIndex, list[IndexDoc]]:
    docs = [IndexDoc.build(r["id"], r["text"], title=r["title"], source=r["source"], date=r["date"])
            for r in generate_articles(300, 11)]
    index = SearchIndex(None)
    index.add(docs, replace=False)
    index.commit()
    return index, docs


def _plain_phrase_ids(index: SearchIndex, tokens: list[str]) -> set[str]:
    """The ids a plain phrase query over title and body finds (positions only, no pairs)."""
    Q, Should = tantivy.Query, tantivy.Occur.Should
    words = list[str | tuple[int, str]](tokens)
    query = Q.boolean_query([(Should, Q.phrase_query(index.schema, f, words)) for f in ("title", "body")])
    searcher = index._index.searcher()
    found = searcher.search(query, 1000)
    return {searcher.doc(addr).get_first("id") for _, addr in found.hits}


def test_phrases_find_what_plain_phrase_queries_find(corpus_index: tuple[SearchIndex, list[IndexDoc]]) -> None:
    index, docs = corpus_index
    rng = random.Random(5)
    checked = matched = 0
    for _ in range(150):
        doc = rng.choice(docs)
        words = _words(doc.text)
        size = rng.choice((2, 3, 4))
        start = rng.randrange(len(words) - size)
        phrase = " ".join(words[start:start + size])
        tokens = index._exact.analyze(phrase)
        if len(tokens) != size:
            continue
        want = _plain_phrase_ids(index, tokens)
        result = index.search(f'"{phrase}"', limit=1000, facets=False)
        got = {h.id for h in result.hits}
        assert got == want, phrase
        assert result.total == len(want)
        assert doc.id in got
        checked += 1
        matched += len(got)
    assert checked > 100 and matched > checked  # common phrases matched several articles


def test_reversed_and_absent_pairs_do_not_match(corpus_index: tuple[SearchIndex, list[IndexDoc]]) -> None:
    index, _ = corpus_index
    assert index.search('"zijn in"', facets=False).total == len(_plain_phrase_ids(index, ["zijn", "in"]))
    assert index.search('"kroniekwoord onbekend"', facets=False).total == 0
    # a phrase of three words holds two pairs that may each occur elsewhere: positions still decide
    three = index.search('"in de de"', facets=False)
    assert three.total == len(_plain_phrase_ids(index, ["in", "de", "de"]))


def test_new_forms_are_the_forms_the_text_fields_index(shared: object) -> None:
    from kroniek.search.index import _MAX_TOKEN, _analyzer
    from kroniek.search.vocabulary import NewForms

    exact = _analyzer(False)
    finder = NewForms(exact.analyze, _MAX_TOKEN - 1)
    seen: set[str] = set()
    texts = list(load_sentences()[:800]) + [
        "Een woord van veertig tekens: " + "a" * 39 + " en " + "b" * 40 + " en " + "c" * 41,
        "“Één” café — reünie, Straße; x_y 1.000 ½",
    ]
    for text in texts:
        new = finder(text)
        assert len(new) == len(set(new))
        seen.update(new)
        assert set(exact.analyze(text)) <= seen, text
        assert set(new) <= set(exact.analyze(text)), text
    assert finder(texts[0]) == []  # nothing new the second time

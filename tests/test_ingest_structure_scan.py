"""The structure's line scan in C (kroniek/ingest/_scan.c) gives exactly what the Python scan gives."""

from __future__ import annotations

import pytest
from conftest import ALPINO_JSONL, SEED
from hypothesis import given, settings
from hypothesis import strategies as st

from kroniek.ingest import structure
from kroniek.ingest.readers import read_path
from kroniek.model import RawArticle


def _both(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    assert structure._native is not None
    native = structure._scan(text)
    assert native == structure._scan_python(text)
    return native


def test_the_c_scan_is_built() -> None:
    # `make install` compiles kroniek/ingest/_scan.c; without it the Python scan runs, correct but slower
    assert structure._native is not None


def test_the_c_scan_wants_a_str() -> None:
    assert structure._native is not None
    with pytest.raises(TypeError):
        structure._native.scan(b"Lees ook: iets")


@pytest.mark.parametrize("text", [
    "",
    "\n",
    "\n\n\n",
    "Eén alinea.",
    "Eerste alinea.\n\nTweede\nregel van de tweede.\n\n\n\nDerde.",
    "  ingesprongen  \n\t tab ervoor\n\n\u00a0harde spatie\nvolgt\r\n\r\nWindows-regel\r\n",
    "Tekst.\n\nLees ook: Rusland aansprakelijk stellen voor MH17 – wat betekent dat?\n\nMeer.",
    "  LEES OOK :  Iets  \nzie ook: ander stuk\nOok interessant: derde\nmeer over dit onderwerp:x\nLe",
    "Lees ook:\n\nLees ook: \n\nlees verder: 😀 emoji\u2003\n\u2028regel",
    "ſ en K: geen hoofdletter-\u0130stanbul\n\u0130e\n\u212ae",
])
def test_the_c_scan_agrees_on_hard_cases(text: str) -> None:
    paras, refs = _both(text)
    assert all(0 <= s < e <= len(text) and not text[s].isspace() and not text[e - 1].isspace() for s, e in paras)
    assert all(text[s:e] == t for s, e, t in refs)


def test_the_c_scan_finds_the_seed_reference() -> None:
    (art,) = list(read_path(SEED))
    assert isinstance(art, RawArticle)
    _, refs = _both(art.text)
    assert [t for _, _, t in refs] == ["Rusland aansprakelijk stellen voor MH17 – wat betekent dat?"]


def test_the_c_scan_agrees_on_the_dev_articles() -> None:
    articles = [a for a in read_path(ALPINO_JSONL) if isinstance(a, RawArticle)]
    assert len(articles) == 54
    for art in articles:
        _both(art.text)


_PIECES = st.sampled_from(["\n", "\n\n", " ", "\t", "\r", "\u00a0", "\u2003", "\x0c", "Lees ook: ", "lE", "zi",
                           "Zie ook:", "oo", "ME", "me", "x", "Aap.", "é", "😀", "ſ", "\u0130", "\u212a", ":"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=40).map("".join))
def test_the_c_scan_agrees_on_any_text(text: str) -> None:
    _both(text)

"""The first-character analysis of regexes and the time-expression scanner built on it give finditer's matches."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ALPINO_JSONL, SEED
from hypothesis import given, settings
from hypothesis import strategies as st

from kroniek.nlp import time_expressions as te
from kroniek.nlp import timex_rules as tr
from kroniek.nlp.regex_start import first_class, first_two_classes, prefix_regex


@pytest.mark.parametrize(("pattern", "starts", "not_starts"), [
    (r"(?<!\w)(?:de\s+)?(?:maart|mei)", "dDmM", "xa "),
    (r"\d{1,2}\s+uur", "07", "u "),
    (r"(?:het\s+)?jaar|['’]s\s+avonds", "hHjJ'’", "sa"),
    (r"a?b*c", "abc", "d"),
])
def test_regex_start_class_holds_every_first_character(pattern: str, starts: str, not_starts: str) -> None:
    cls = first_class(pattern)
    assert cls is not None
    compiled = re.compile(cls, re.IGNORECASE)
    assert all(compiled.fullmatch(c) for c in starts)
    assert not any(compiled.fullmatch(c) for c in not_starts)


@pytest.mark.parametrize("pattern", [r"\w+", r"a*", r"[^x]y", r".z", r"(?i:a)b"])
def test_regex_start_unknown_or_empty_start_gives_none(pattern: str) -> None:
    assert first_class(pattern) is None


def _texts() -> list[str]:
    arts = [json.loads(line)["text"] for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines() if line]
    return [*arts, SEED.read_text(encoding="utf-8"), "'s Avonds om 8 uur, 3-4-2001, ma. 5 jan. — 1e eeuw; 'S middags"]


def test_regex_start_scanner_gives_finditer_matches_on_the_dev_corpus() -> None:
    scanner = te._scanner()
    rules = tr.rules()
    assert any(tr.word_start_classes(name) for name, _p, _b in rules)
    for text in _texts():
        got = [[m.span() for m in ms] for ms in scanner.scan(text)]
        # the plain patterns, without the first-character lookahead
        want = [[m.span() for m in re.compile(p.pattern[p.pattern.index(tr.B):], re.IGNORECASE).finditer(text)]
                if p.pattern.startswith("(?=") else [m.span() for m in p.finditer(text)] for _n, p, _b in rules]
        assert got == want


@pytest.mark.parametrize(("pattern", "fits", "misfits"), [
    (r"(?:de\s+)?maart", ["ma", "de", "MA"], ["mr", "ea", "dx"]),
    (r"\d{1,2}\s+uur", ["12", "1 "], ["1u", "a1"]),
    (r"(?:x|y)+z", ["xy", "yz", "xx"], ["xa", "zx"]),
])
def test_regex_start_two_classes_fit_every_match_start(pattern: str, fits: list[str], misfits: list[str]) -> None:
    two = first_two_classes(pattern)
    assert two is not None
    compiled = re.compile(two, re.IGNORECASE)
    assert all(compiled.fullmatch(s) for s in fits)
    assert not any(compiled.fullmatch(s) for s in misfits)


@pytest.mark.parametrize("pattern", [r"a", r"ab?", r"\d(?:x)?", r"a\w"])
def test_regex_start_two_classes_none_where_a_match_may_be_one_character(pattern: str) -> None:
    assert first_two_classes(pattern) is None


_WORDS = st.lists(st.text(alphabet="abdeéj ", min_size=1, max_size=6).map(str.strip).filter(bool),
                  min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(words=_WORDS, text=st.text(alphabet="abdeéjAB \n.", max_size=12))
def test_word_alternation_as_trie_matches_like_a_flat_list(words: list[str], text: str) -> None:
    # `_alt` writes the words as a trie; a flat alternation sorted longest first is what it must behave like,
    # including which word wins where several match, and with a continuation that forces backtracking.
    flat = "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                            for w in sorted(set(words), key=len, reverse=True)) + ")"
    trie = tr._alt(words)
    for tail in ("", r"\b", "b", r"\s"):
        a = re.compile(flat + tail, re.IGNORECASE)
        b = re.compile(trie + tail, re.IGNORECASE)
        for pos in range(len(text) + 1):
            m, n = a.match(text, pos), b.match(text, pos)
            assert (m and m.span()) == (n and n.span()), (words, text, pos, tail)


def test_word_alternation_trie_form() -> None:
    assert tr._alt(["jan", "januari", "juni"]) == "(?:j(?:an(?:uari)?|uni))"
    assert re.fullmatch(tr._alt(["de afgelopen"]), "de \n afgelopen")


def test_without_pythons_regex_parser_every_answer_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    from kroniek.nlp import regex_start

    monkeypatch.setattr(regex_start, "_P", None)
    assert regex_start.first_class(r"\bmaart") is None
    assert regex_start.first_two_classes(r"\bmaart") is None
    assert regex_start.prefix_regex(r"\bmaart") is None


def test_a_parser_of_another_shape_gives_unknown_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from kroniek.nlp import regex_start

    class Odd:
        @staticmethod
        def parse(pattern: str, flags: int) -> object:
            return type("Parsed", (), {"data": [("opcode", object())]})()

    monkeypatch.setattr(regex_start, "_P", Odd)
    assert regex_start.first_class("abc") is None
    assert regex_start.first_two_classes("abc") is None
    assert regex_start.prefix_regex("abc") is None


@pytest.mark.parametrize(("pattern", "fits", "misfits"), [
    (r"(?<!\w)(?:de\s+)?(?:maart|mei)", ["maa", "mei", "de ", "MEI", "De\n"], ["mai", "mee", "dem", "ma "]),
    (r"\d{1,2}\s+uur", ["12 ", "1 u", "7\tu"], ["123", "1uu", "a1 "]),
    (r"nu\b", ["nu ", "nu.", "NU,"], ["no ", "mu "]),  # a shorter match: whatever follows it
    (r"(?:x|y)+z", ["xyz", "yyy", "xzq"], ["xya", "zxy"]),
    (r"[^a]b[0-9]", ["bb1", "cb9"], ["ab1", "bbx"]),
])
def test_prefix_regex_keeps_which_characters_go_together(pattern: str, fits: list[str], misfits: list[str]) -> None:
    prefix = prefix_regex(pattern)
    assert prefix is not None
    compiled = re.compile(prefix, re.IGNORECASE)
    assert all(compiled.fullmatch(s) for s in fits)
    assert not any(compiled.fullmatch(s) for s in misfits)


@pytest.mark.parametrize("pattern", [r"a*", r"(?i:a)bc", r"(a)\1", r"x?"])
def test_prefix_regex_none_where_it_cannot_tell(pattern: str) -> None:
    assert prefix_regex(pattern) is None


_ATOMS = st.sampled_from(["a", "b", "ab", "[ab]", r"\d", r"\s", ".", "[^a]"])
_PATTERNS = st.recursive(_ATOMS, lambda inner: st.one_of(
    st.tuples(inner, inner).map("".join),
    st.tuples(inner, inner).map(lambda p: f"(?:{p[0]}|{p[1]})"),
    st.tuples(inner, st.sampled_from(["?", "*", "+", "{2}", "{1,3}", "{0,2}"])).map(lambda p: f"(?:{p[0]}){p[1]}"),
), max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(pattern=_PATTERNS, text=st.text(alphabet="abAB1 \n", max_size=14), length=st.sampled_from([3, 6]))
def test_prefix_regex_fits_the_text_at_every_match(pattern: str, text: str, length: int) -> None:
    prefix = prefix_regex(pattern, length)
    if prefix is None:
        return
    compiled, fits = re.compile(pattern, re.IGNORECASE), re.compile(prefix, re.IGNORECASE)
    for pos in range(len(text) - length + 1):
        if compiled.match(text, pos):
            assert fits.match(text[pos:pos + length]), (pattern, prefix, text, pos)


def test_regex_start_scanner_with_six_characters_gives_what_three_give() -> None:
    """The scanner's sharper six-character test (where the text has six characters left) only leaves out starts
    where a rule cannot match: the matches are those of the three-character test alone."""
    sharp = te._Scanner(tr.rules())
    assert sharp.long, "no rule has a six-character prefix"
    plain = te._Scanner(tr.rules())
    plain.long = {}
    texts = [*_texts(), "In de maand mei", "de ma", "op 3 mei", "mei", "sinds jan", "om 8 uur"]
    for text in texts:
        assert [[m.span() for m in ms] for ms in sharp.scan(text)] == [[m.span() for m in ms] for ms in plain.scan(text)]
    assert len(sharp.by_start) > len(plain.by_key) > 0


def test_every_time_expression_rule_at_a_word_start_has_a_three_character_prefix() -> None:
    """What the scanner's speed rests on: a rule without one is tried at every word of its first two letters."""
    missing = [name for name, _p, _b in tr.rules() if tr.word_start_classes(name) and not tr.word_start_prefix(name)]
    assert missing == []

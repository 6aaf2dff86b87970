"""Sentence boundaries for Dutch news text, by rule, in two forms that follow one set of rules and one list of
abbreviations (`kroniek.nlp.lang_nl.abbreviations`): the component `kroniek_sentences` on tokens, and
`split_sentences` on plain text (for the quotation finder, which also keeps quotations whole, and for texts that
come without a parse).

A sentence ends at a line break (paragraphs, subheadings and "Lees ook" lines end sentences even without a full
stop) and after terminal punctuation that is followed by a capital, a digit or an opening quotation mark. Closing
quotation marks and brackets stay with the sentence they close, opening ones go with the sentence they open, and
a quotation that ends in a full stop but goes on with a comma or a lower-case word ("...”, aldus Blok.") stays one
sentence. Abbreviations ("jan.", "dhr.") are single tokens (see `tokenizer`), so their full stops end nothing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc

from kroniek.nlp.extensions import doc_text
from kroniek.nlp.lang_nl.abbreviations import CAPITALISABLE, LOWER_ONLY

if TYPE_CHECKING:
    from kroniek.nlp.quote_marks import QuotePair

TERMINAL = frozenset(".!?…")
CLOSING = frozenset("”’»)]\"'")
OPENING = frozenset("“‘„«([\"'")


def _is_terminal(text: str) -> bool:
    return bool(text) and all(c in TERMINAL for c in text)


def _is_closing(text: str, glued: bool) -> bool:
    if text in ("''", "’’", "”"):
        return True
    if text and all(c in CLOSING for c in text):
        # A straight quote closes only when it is glued to what precedes it.
        return text[0] not in "\"'" or glued
    return False


def _opens(text: str) -> bool:
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in OPENING or text.startswith(",,")


# The characters of the tokens that can end a sentence: terminal punctuation and line breaks, as code points.
_ENDING_CODES = numpy.array(sorted(ord(c) for c in TERMINAL | {"\n"}), dtype="uint32")


def sentence_starts(doc: Doc) -> list[bool]:
    """Whether each token starts a sentence."""
    starts = [False] * len(doc)
    for i in _start_indices(doc):
        starts[i] = True
    return starts


def _start_indices(doc: Doc) -> list[int]:
    """The indices of the tokens that start a sentence, in order.

    Only the tokens that can end a sentence (terminal punctuation, a space with a line break), found from where
    their characters stand in the text, and the few tokens after them are looked at one by one."""
    n = len(doc)
    if not n:
        return []
    starts = [0]
    codes = numpy.frombuffer(doc_text(doc).encode("utf-32-le"), dtype="uint32")
    chars = numpy.flatnonzero(numpy.isin(codes, _ENDING_CODES))
    if not len(chars):
        return starts
    arr = doc.to_array([ORTH, SPACY, IS_SPACE, IDX])
    tokens = numpy.unique(numpy.searchsorted(arr[:, 3], chars, side="right") - 1).tolist()
    orths, glued = arr[:, 0].tolist(), (arr[:, 1] == 0).tolist()
    space = arr[:, 2].astype(bool).tolist()
    strings = doc.vocab.strings
    i = 0
    for c in tokens:
        if c < i:
            continue  # passed over with the sentence end before it
        i = c
        text = strings[orths[i]]
        if space[i] and "\n" in text:
            j = i + 1
            while j < n and space[j]:
                j += 1
            if j < n:
                starts.append(j)
            i = j
            continue
        if _is_terminal(text):
            j = i + 1
            while j < n and (space[j] and "\n" not in strings[orths[j]] or _is_closing(strings[orths[j]], glued[j - 1])
                             or _is_terminal(strings[orths[j]])):
                j += 1
            if j < n and not space[j] and _opens(strings[orths[j]]):
                starts.append(j)
            i = j
    return starts


def sentence_bounds(doc: Doc) -> list[tuple[int, int]] | None:
    """The (start_char, end_char) of each sentence of a doc, as `doc.sents` gives them; None where the doc has no
    sentence boundaries.

    Read from three arrays in one call: `doc.sents` makes a Token object for every word to find the same offsets.
    """
    if not doc.has_annotation("SENT_START"):
        return None
    if not len(doc):
        return []
    arr = doc.to_array([SENT_START, IDX, LENGTH]).astype("int64")
    firsts = numpy.flatnonzero(arr[:, 0] == 1)
    if not len(firsts) or firsts[0] != 0:
        firsts = numpy.concatenate(([0], firsts))
    lasts = numpy.append(firsts[1:], len(doc)) - 1
    starts = arr[firsts, 1].tolist()
    ends = (arr[lasts, 1] + arr[lasts, 2]).tolist()
    return list(zip(starts, ends, strict=True))


@Language.component("kroniek_sentences", assigns=["token.is_sent_start"])
def kroniek_sentences(doc: Doc) -> Doc:
    """Set sentence starts on every token of the doc."""
    # One array write: setting Token.is_sent_start token by token rescans the doc each time.
    if len(doc):
        values = numpy.full(len(doc), -1, dtype="int64")
        values[_start_indices(doc)] = 1
        doc.from_array([SENT_START], values.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]
    return doc


# The same abbreviations the tokenizer keeps whole, without their final full stop: titles and shorthands in any
# case ("Dhr.", "o.a."), months, weekdays and amounts in lower case only ("Jan." ends a sentence as a name).
_ANY_CASE = frozenset(a[:-1].lower() for a in CAPITALISABLE)
_LOWER_CASE = frozenset(a[:-1] for a in LOWER_ONLY)
# Terminal punctuation with the closing marks that belong to it (glued: "klaar.”"; an unambiguous closing mark
# also after a space: "klaar. ''"), then space; or a line break.
_BOUNDARY_RE = re.compile(r"([.!?…]+)(?:[ \t]*(?:''|’’|”)|[’»)\]\"'])*(?=\s|$)|\n")
_WORD_BEFORE_RE = re.compile(r"([\w.]+)\.$")


def _is_abbreviation(word: str) -> bool:
    """Whether a word before a full stop (the stop left off) is an abbreviation or a single initial ("J.")."""
    return (word.lower() in _ANY_CASE or word in _LOWER_CASE or (len(word) == 1 and word.isupper())
            or (len(word) == 3 and word[1] == "." and word[0].isupper()))


def _opens_text(following: str) -> bool:
    nxt = following.lstrip()[:2]
    return bool(nxt) and (_opens(nxt) or nxt[0] in "\"'")


def split_sentences(text: str, quotations: Sequence[QuotePair] = ()) -> list[tuple[int, int]]:
    """The (start, end) offsets of the sentences of a plain text, stripped of surrounding space.

    The rules of `kroniek_sentences`: a line break ends a sentence, and terminal punctuation does when a capital,
    a digit or an opening quotation mark follows and the word before it is no abbreviation. With `quotations`
    (pairs from `quote_marks.find_quote_pairs`) a sentence never breaks inside a quotation, and a quotation that
    ends in . ! or ? ends its sentence when a new one follows.
    """
    inside = sorted((p.open_end, p.close_start) for p in quotations)
    inside_starts = [s for s, _ in inside]
    cuts: set[int] = set()
    for m in _BOUNDARY_RE.finditer(text):
        pos = m.end()
        if m.group() == "\n":
            cuts.add(pos)
            continue
        k = bisect.bisect_right(inside_starts, m.start()) - 1
        if k >= 0 and any(s <= m.start() < e for s, e in inside[max(0, k - 2):k + 1]):
            continue
        if m.group(1) == ".":
            word = _WORD_BEFORE_RE.search(text[max(0, m.start() - 14):m.start() + 1])
            if word and _is_abbreviation(word.group(1)):
                continue
        if _opens_text(text[pos:pos + 8]):
            cuts.add(pos)
    for p in quotations:
        if text[p.start:p.end][-1:] in ".!?" and _opens_text(text[p.close_end:p.close_end + 8]):
            cuts.add(p.close_end)
    out = []
    start = 0
    for cut in sorted(cuts) + [len(text)]:
        segment = text[start:cut]
        if segment.strip():
            out.append((start + len(segment) - len(segment.lstrip()), start + len(segment.rstrip())))
        start = cut
    return out

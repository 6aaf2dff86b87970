"""Sentence boundaries for Dutch news text, by rule: the component `kroniek_sentences`.

A sentence ends at a line break (paragraphs, subheadings and "Lees ook" lines end sentences even without a full
stop) and after terminal punctuation that is followed by a capital, a digit or an opening quotation mark. Closing
quotation marks and brackets stay with the sentence they close, opening ones go with the sentence they open, and
a quotation that ends in a full stop but goes on with a comma or a lower-case word ("...”, aldus Blok.") stays one
sentence. Abbreviations ("jan.", "dhr.") are single tokens (see `tokenizer`), so their full stops end nothing.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

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


def sentence_starts(doc: Doc) -> list[bool]:
    """Whether each token starts a sentence."""
    texts = [t.text for t in doc]
    glued = [t.whitespace_ == "" for t in doc]
    space = [t.is_space for t in doc]
    n = len(texts)
    starts = [False] * n
    if not n:
        return starts
    starts[0] = True
    i = 0
    while i < n:
        text = texts[i]
        if space[i] and "\n" in text:
            j = i + 1
            while j < n and space[j]:
                j += 1
            if j < n:
                starts[j] = True
            i = j
            continue
        if text[-1] in TERMINAL and _is_terminal(text):
            j = i + 1
            while j < n and (space[j] and "\n" not in texts[j] or _is_closing(texts[j], glued[j - 1])
                             or _is_terminal(texts[j])):
                j += 1
            if j < n and not space[j] and _opens(texts[j]):
                starts[j] = True
            i = j
            continue
        i += 1
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
        values = numpy.array([1 if start else -1 for start in sentence_starts(doc)], dtype="int64")
        doc.from_array([SENT_START], values.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]
    return doc

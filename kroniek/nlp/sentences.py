"""Sentence boundaries for Dutch news text, by rule: the component `kroniek_sentences`.

A sentence ends at a line break (paragraphs, subheadings and "Lees ook" lines end sentences even without a full
stop) and after terminal punctuation that is followed by a capital, a digit or an opening quotation mark. Closing
quotation marks and brackets stay with the sentence they close, opening ones go with the sentence they open, and
a quotation that ends in a full stop but goes on with a comma or a lower-case word ("...”, aldus Blok.") stays one
sentence. Abbreviations ("jan.", "dhr.") are single tokens (see `tokenizer`), so their full stops end nothing.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

TERMINAL = frozenset(".!?…")
CLOSING = frozenset("”’»)]\"'")
OPENING = frozenset("“‘„«([\"'")


def _is_terminal(token: Token) -> bool:
    return bool(token.text) and all(c in TERMINAL for c in token.text)


def _is_closing(token: Token, prev: Token) -> bool:
    text = token.text
    if text in ("''", "’’", "”"):
        return True
    if text and all(c in CLOSING for c in text):
        # A straight quote closes only when it is glued to what precedes it.
        return text[0] not in "\"'" or prev.whitespace_ == ""
    return False


def _opens(token: Token) -> bool:
    text = token.text
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in OPENING or text.startswith(",,")


def sentence_starts(doc: Doc) -> list[bool]:
    """Whether each token starts a sentence."""
    n = len(doc)
    starts = [False] * n
    if not n:
        return starts
    starts[0] = True
    i = 0
    while i < n:
        tok = doc[i]
        if tok.is_space and "\n" in tok.text:
            j = i + 1
            while j < n and doc[j].is_space:
                j += 1
            if j < n:
                starts[j] = True
            i = j
            continue
        if _is_terminal(tok):
            j = i + 1
            while j < n and (doc[j].is_space and "\n" not in doc[j].text or _is_closing(doc[j], doc[j - 1])
                             or _is_terminal(doc[j])):
                j += 1
            if j < n and not doc[j].is_space and _opens(doc[j]):
                starts[j] = True
            i = j
            continue
        i += 1
    return starts


@Language.component("kroniek_sentences", assigns=["token.is_sent_start"])
def kroniek_sentences(doc: Doc) -> Doc:
    """Set sentence starts on every token of the doc."""
    for tok, start in zip(doc, sentence_starts(doc), strict=True):
        tok.is_sent_start = start
    return doc

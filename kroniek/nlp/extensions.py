"""Custom attributes that Kroniek's spaCy components read and write on a Doc.

- `doc._.dct`: the article date (`ArticleDate`), the anchor for relative time expressions; set before the pipeline.
- `doc._.structure`: the article `Structure` (paragraphs, subheadings, references), set before the pipeline.
- `doc._.canonical`: dict from (start_char, end_char) of each entity to its canonical name in the article.
- `doc._.quotes`: list of `Quote`, written by the quotations component.
- `doc._.timexes`: list of `TimeExpression`, written by the time-expression component.

`doc_text(doc)` gives the text a Doc was made from. spaCy's `Doc.text` rebuilds it from a Token object per word
(about 3 µs a word); Kroniek's tokenizer keeps the string it was given in `doc.user_data`, and where a Doc came from
elsewhere the text is rebuilt once from the Doc's arrays and kept.
"""

from __future__ import annotations

from spacy.attrs import ORTH, SPACY
from spacy.tokens import Doc

TEXT_KEY = "kroniek.text"


def register() -> None:
    """Register the extensions once (safe to call many times)."""
    for name, default in (("dct", None), ("structure", None), ("canonical", None),
                          ("quotes", None), ("timexes", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register()


def doc_text(doc: Doc) -> str:
    """The text `doc` was made from: as the tokenizer kept it, or rebuilt from the Doc's arrays once and kept."""
    text = doc.user_data.get(TEXT_KEY)
    if isinstance(text, str) and _fits(doc, text):
        return text
    strings = doc.vocab.strings
    text = "".join([strings[orth] + " " if space else strings[orth]
                    for orth, space in doc.to_array([ORTH, SPACY]).tolist()])
    doc.user_data[TEXT_KEY] = text
    return text


def keep_text(doc: Doc, text: str) -> Doc:
    """Remember `text` as the text `doc` was made from (the tokenizer's and the analysis's Docs)."""
    doc.user_data[TEXT_KEY] = text
    return doc


def _fits(doc: Doc, text: str) -> bool:
    """Whether a kept text can be this Doc's: the same length, with the first and last tokens where the Doc has them
    (a text copied over from another Doc is not taken for this one's)."""
    if not len(doc):
        return text == ""
    first, last = doc[0], doc[-1]
    return (len(text) == last.idx + len(last.text_with_ws) and text.startswith(first.text, first.idx)
            and text.startswith(last.text, last.idx))

"""Custom attributes that Kroniek's spaCy components read and write on a Doc.

- `doc._.dct`: the article date (`ArticleDate`), the anchor for relative time expressions; set before the pipeline.
- `doc._.structure`: the article `Structure` (paragraphs, subheadings, references), set before the pipeline.
- `doc._.canonical`: dict from (start_char, end_char) of each entity to its canonical name in the article.
- `doc._.quotes`: list of `Quote`, written by the quotations component.
- `doc._.timexes`: list of `TimeExpression`, written by the time-expression component.
"""

from __future__ import annotations

from spacy.tokens import Doc


def register() -> None:
    """Register the extensions once (safe to call many times)."""
    for name, default in (("dct", None), ("structure", None), ("canonical", None),
                          ("quotes", None), ("timexes", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register()

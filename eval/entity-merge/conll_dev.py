"""The articles of CoNLL-2002 Dutch ned.testa (De Morgen, 2000; the NER's dev split) as Kroniek reads them, and the
person names they are annotated with, for the second part of the entity-merge dev gold.

    python eval/entity-merge/conll_dev.py            # prints the number of articles and names

`build()` rebuilds each document (-DOCSTART-) as one article: its sentences in the order the file has them (the
corpus shuffled them within each article), tokens joined with single spaces but with no space before closing
punctuation, a sentence without closing punctuation (a headline, a byline) as a paragraph of its own, nominal date 2000-06-15 (the corpus has no dates). `names()` gives each PER span with its offsets. The
text is not copied into the project (research-only licence): it is rebuilt from ../shared each time.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TESTA = ROOT.parent / "shared" / "data" / "conll2002-ned" / "ned.testa"
DATE = "2000-06-15"
_NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "'"}


def _documents(path: Path = TESTA) -> list[list[list[tuple[str, str]]]]:
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.open(encoding="utf-8"):
        parts = line.split()
        if not parts:
            if sentence and docs:
                docs[-1].append(sentence)
            sentence = []
            continue
        if parts[0] == "-DOCSTART-":
            if sentence and docs:
                docs[-1].append(sentence)
            sentence = []
            docs.append([])
            continue
        sentence.append((parts[0], parts[-1]))
    if sentence and docs:
        docs[-1].append(sentence)
    return docs


def build() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The articles, and every PER span: (article, start, end, text)."""
    articles, spans = [], []
    for n, doc in enumerate(_documents()):
        aid = f"conll-a{n:03d}"
        text = ""
        for sentence in doc:
            if text:
                # a line without closing punctuation (a headline, a byline, a section name) stands apart
                text += " " if text[-1] in ".!?\"'" else "\n\n"
            span_start = None
            for i, (token, tag) in enumerate(sentence):
                if text and not text.endswith(" ") and i and token not in _NO_SPACE_BEFORE:
                    text += " "
                if span_start is not None and tag != "I-PER":
                    spans.append({"article": aid, "start": span_start, "end": len(text.rstrip()),
                                  "text": text[span_start:len(text.rstrip())]})
                    span_start = None
                if tag == "B-PER":
                    span_start = len(text)
                text += token
            if span_start is not None:
                spans.append({"article": aid, "start": span_start, "end": len(text), "text": text[span_start:]})
        articles.append({"id": aid, "date": DATE, "title": "", "source": "De Morgen (CoNLL-2002 testa)",
                         "text": text})
    return articles, spans


if __name__ == "__main__":
    a, s = build()
    print(len(a), "articles,", len(s), "person spans", file=sys.stderr)

"""CoNLL-2002 tagging: each input line with the model's IOB2 entity tag as a new last column.

The core of `kroniek tag --conll FILE [--output FILE]`; its output is what `../shared/eval/score.py ner` reads.
Tokens are taken from the file as they are (the tokenizer is not run), sentences are kept together per article.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kroniek.errors import InputError

# Sentences per Doc when an article is split (training/convert.py uses 10). By default a Doc is a whole article, as
# `analyze` sees one: the article-level rules of `entities.relabel_surnames` need it (0.7576 against 0.7510 F1 on
# ned.testa with 10-sentence Docs, see docs/benchmarks.md).
SENTS_PER_DOC: int | None = None


def _blocks(lines: list[str], sents_per_doc: int | None) -> Iterator[list[int]]:
    """Groups of token line numbers: up to sents_per_doc sentences (None: the article), never across -DOCSTART-."""
    block: list[int] = []
    sents = 0
    in_sent = False
    for i, line in enumerate(lines):
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if in_sent:
                sents += 1
                in_sent = False
            if block and (parts and parts[0] == "-DOCSTART-" or (sents_per_doc and sents >= sents_per_doc)):
                yield block
                block, sents = [], 0
            continue
        block.append(i)
        in_sent = True
    if block:
        yield block


def tag_lines(nlp: Language, lines: list[str], *, sents_per_doc: int | None = SENTS_PER_DOC) -> list[str]:
    """The IOB2 tag of every line: "O" for blank and -DOCSTART- lines, the predicted tag for token lines."""
    tags = ["O"] * len(lines)
    blocks = list(_blocks(lines, sents_per_doc))
    docs = (Doc(nlp.vocab, words=[lines[i].split()[0] for i in block]) for block in blocks)
    names = [n for n in nlp.pipe_names if n in ("tok2vec", "ner", "kroniek_ner_fix")]
    with nlp.select_pipes(enable=names):
        for block, doc in zip(blocks, nlp.pipe(docs, batch_size=8), strict=True):
            for i, tok in zip(block, doc, strict=True):
                tags[i] = f"{tok.ent_iob_}-{tok.ent_type_}" if tok.ent_type_ else "O"
    return tags


def tag_conll(in_path: str | Path, out_path: str | Path | None = None, *, nlp: Language | None = None,
              sents_per_doc: int | None = SENTS_PER_DOC) -> int:
    """Tag a CoNLL file; write each line plus its predicted tag to out_path (stdout if None); the token count."""
    path = Path(in_path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", file=str(path)) from exc
    if nlp is None:
        from kroniek.nlp.pipeline import get_nlp

        nlp = get_nlp()
    tags = tag_lines(nlp, lines, sents_per_doc=sents_per_doc)
    out = [f"{line} {tag}" if line.split() else line for line, tag in zip(lines, tags, strict=True)]
    text = "\n".join(out) + "\n"
    if out_path is None:
        sys.stdout.write(text)
    else:
        Path(out_path).write_text(text, encoding="utf-8")
    return sum(1 for line in lines if line.split() and line.split()[0] != "-DOCSTART-")

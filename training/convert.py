"""Convert the NER corpora in ../shared/data into spaCy DocBin files under training/corpus/.

- CoNLL-2002 Dutch (ned.train, ned.testa): "token POS IOB2" lines, blank line between sentences, -DOCSTART- between
  articles. Each Doc holds up to `SENTS_PER_DOC` sentences of one article, with sentence starts set.
- WikiANN NL: "index token tag" lines. It has no MISC label, so a capitalised token it tags O may be a MISC entity
  the annotators did not mark: such tokens get a missing NER label instead of "O", and the model is not taught that
  they are not entities. Lower-case O tokens stay O.
  Only the WikiANN experiment in the model card trains on it (it lowered F1 on ned.testa); the shipped model does not.
- Restyled copies of ned.train (`train_restyled.spacy`) in the quotation marks and dashes of real articles.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
CORPUS = Path(__file__).resolve().parent / "corpus"
SENTS_PER_DOC = 10

Sentence = list[tuple[str, str]]


def read_conll2002(path: Path) -> Iterator[list[Sentence]]:
    """Articles of a CoNLL-2002 file, each a list of sentences of (token, IOB2 tag)."""
    article: list[Sentence] = []
    sent: Sentence = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if sent:
                article.append(sent)
                sent = []
            continue
        if parts[0] == "-DOCSTART-":
            if sent:
                article.append(sent)
                sent = []
            if article:
                yield article
                article = []
            continue
        sent.append((parts[0], parts[-1]))
    if sent:
        article.append(sent)
    if article:
        yield article


def read_wikiann(path: Path) -> Iterator[Sentence]:
    """Sentences of a WikiANN file in its "index token tag" layout."""
    sent: Sentence = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            if sent:
                yield sent
                sent = []
            continue
        sent.append((parts[1], parts[2]))
    if sent:
        yield sent


def repair_iob(tags: list[str]) -> list[str]:
    """Turn an I- tag that does not continue an entity of its type into a B- tag."""
    out: list[str] = []
    for tag in tags:
        if tag.startswith("I-") and (not out or out[-1] in ("O", "") or out[-1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
    return out


# Quotation marks and dashes as Dutch news text writes them; CoNLL-2002 has only " ' and --. Each style is
# (opening double, closing double, opening single, closing single, dash).
QUOTE_STYLES: tuple[tuple[str, str, str, str, str], ...] = (
    ("“", "”", "‘", "’", "–"),
    ("„", "”", "‘", "’", "—"),
    (",,", "''", "‘", "’", "–"),
)


def restyle(sentences: list[Sentence], style: tuple[str, str, str, str, str]) -> list[Sentence] | None:
    """A copy of the sentences with straight quotes and double hyphens in another style; None if there are none."""
    open_d, close_d, open_s, close_s, dash = style
    out: list[Sentence] = []
    changed = False
    for sent in sentences:
        seen = {'"': 0, "'": 0}
        new: Sentence = []
        for word, tag in sent:
            if word in seen:
                first = seen[word] % 2 == 0
                seen[word] += 1
                word = (open_d if first else close_d) if word == '"' else (open_s if first else close_s)
                changed = True
            elif word == "--":
                word, changed = dash, True
            new.append((word, tag))
        out.append(new)
    return out if changed else None


def make_doc(vocab, sentences: list[Sentence], *, missing_o_caps: bool = False) -> Doc:
    """One Doc from sentences, with sentence starts and entity tags (missing where we cannot trust an O)."""
    words = [w for s in sentences for w, _ in s]
    tags = repair_iob([t for s in sentences for _, t in s])
    if missing_o_caps:
        tags = [("" if t == "O" and w[:1].isupper() else t) for w, t in zip(words, tags, strict=True)]
    starts = [i == 0 for s in sentences for i in range(len(s))]
    return Doc(vocab, words=words, ents=tags, sent_starts=starts)


def conll_docs(vocab, path: Path, *, restyled: bool = False) -> Iterator[Doc]:
    """Docs of up to SENTS_PER_DOC sentences from each CoNLL-2002 article.

    With `restyled`, every chunk that holds quotation marks or dashes is also given once more in one of the
    QUOTE_STYLES (in turn), so that the model meets the marks real articles use.
    """
    n = 0
    for article in read_conll2002(path):
        for i in range(0, len(article), SENTS_PER_DOC):
            chunk = article[i:i + SENTS_PER_DOC]
            yield make_doc(vocab, chunk)
            if restyled and (variant := restyle(chunk, QUOTE_STYLES[n % len(QUOTE_STYLES)])) is not None:
                n += 1
                yield make_doc(vocab, variant)


def wikiann_docs(vocab, path: Path) -> Iterator[Doc]:
    """Docs of SENTS_PER_DOC WikiANN sentences each, with capitalised O tokens left unlabelled."""
    sents = list(read_wikiann(path))
    for i in range(0, len(sents), SENTS_PER_DOC):
        yield make_doc(vocab, sents[i:i + SENTS_PER_DOC], missing_o_caps=True)


def write(docs: Iterator[Doc], out: Path) -> int:
    """Write docs to a DocBin file; the number of docs."""
    db = DocBin(store_user_data=False)
    n = 0
    for doc in docs:
        db.add(doc)
        n += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(out)
    return n


def convert_all(corpus: Path = CORPUS) -> dict[str, int]:
    """Build every .spacy file the training configs read; the number of docs in each."""
    vocab = spacy.blank("nl").vocab
    conll = DATA / "conll2002-ned"
    counts = {
        "train.spacy": write(conll_docs(vocab, conll / "ned.train"), corpus / "train.spacy"),
        "train_restyled.spacy": write(conll_docs(vocab, conll / "ned.train", restyled=True),
                                      corpus / "train_restyled.spacy"),
        "dev.spacy": write(conll_docs(vocab, conll / "ned.testa"), corpus / "dev.spacy"),
        "wikiann.spacy": write(wikiann_docs(vocab, DATA / "wikiann-nl" / "train.conllu"), corpus / "wikiann.spacy"),
    }
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args()
    for name, n in convert_all(args.out).items():
        print(f"{name}: {n} docs")


if __name__ == "__main__":
    main()

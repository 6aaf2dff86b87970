"""Static word features for the NER tok2vec: word2vec vectors from Dutch text plus gazetteer and case columns.

Each word form gets one row: a word2vec vector (skip-gram, trained here on lower-cased text) and a few columns of
lexical evidence that the CoNLL-2002 training set alone does not hold:
- gazetteer columns: the share of the form's occurrences in WikiANN NL and Europeana NER NL that fall inside a
  PER, ORG or LOC entity, and how often it was seen there (log scale). Their O tags are not used as "not MISC",
  since neither corpus has that label. ned.train is left out on purpose: a gazetteer built from the training labels
  would be perfect on training text and not on new text, and the model would learn to trust it too much;
- a case column: how often the form is written with a capital when it is not the first word of a sentence.
Text used: ned.train, WikiANN NL train and validation, Europeana NER NL, UD Dutch Alpino and LassySmall dev.
ned.testa (the dev set) and every held-out test split are not read.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from training.convert import CORPUS, DATA, read_conll2002, read_wikiann

Sentence = list[tuple[str, str]]
W2V_DIM = 64
MAX_ROWS = 60000
GAZ_TYPES = ("PER", "ORG", "LOC")


def read_bio(path: Path) -> Iterator[Sentence]:
    """Sentences of a "token tag" file with blank lines between sentences (Europeana)."""
    sent: Sentence = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            if sent:
                yield sent
                sent = []
            continue
        sent.append((parts[0], parts[-1]))
    if sent:
        yield sent


def read_conllu_words(path: Path) -> Iterator[list[str]]:
    """Word forms of each sentence of a CoNLL-U file (multi-word token lines skipped)."""
    sent: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sent:
                yield sent
                sent = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) > 1 and cols[0].isdigit():
            sent.append(cols[1])
    if sent:
        yield sent


def labelled_external() -> list[Sentence]:
    """WikiANN (train, validation) and Europeana sentences with their tags: the gazetteer's source."""
    wiki = DATA / "wikiann-nl"
    sents = list(read_wikiann(wiki / "train.conllu")) + list(read_wikiann(wiki / "val.conllu"))
    sents += list(read_bio(DATA / "europeana-ner-nl" / "enp_NL.kb.bio"))
    return sents


def unlabelled_text(external: list[Sentence]) -> list[list[str]]:
    """Every Dutch sentence the vectors are trained on."""
    sents = [[w for w, _ in s] for s in external]
    for article in read_conll2002(DATA / "conll2002-ned" / "ned.train"):
        sents += [[w for w, _ in s] for s in article]
    for ud in ("ud-dutch-alpino/nl_alpino-ud-dev.conllu", "ud-dutch-lassysmall/nl_lassysmall-ud-dev.conllu"):
        sents += list(read_conllu_words(DATA / ud))
    return sents


def gazetteer(external: list[Sentence]) -> dict[str, list[float]]:
    """For each lower-cased form: its share inside PER, ORG, LOC entities and log1p of its count."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for sent in external:
        for word, tag in sent:
            counts[word.lower()][tag[2:] if tag[:2] in ("B-", "I-") else "O"] += 1
    out: dict[str, list[float]] = {}
    for form, c in counts.items():
        total = sum(c.values())
        out[form] = [c[t] / total for t in GAZ_TYPES] + [math.log1p(total) / 5.0]
    return out


def case_ratio(sents: list[list[str]]) -> dict[str, float]:
    """For each lower-cased form: the share of its non-initial occurrences that start with a capital."""
    caps: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for sent in sents:
        for word in sent[1:]:
            if word[:1].isalpha():
                seen[word.lower()] += 1
                caps[word.lower()] += word[:1].isupper()
    return {w: caps[w] / n for w, n in seen.items()}


def build(out: Path = CORPUS / "vectors") -> Path:
    """Train the vectors, add the extra columns, and save a spaCy pipeline directory holding them."""
    import spacy
    from gensim.models import Word2Vec
    from spacy.vectors import Vectors

    external = labelled_external()
    sents = unlabelled_text(external)
    lower = [[w.lower() for w in s] for s in sents]
    w2v = Word2Vec(lower, vector_size=W2V_DIM, window=5, min_count=2, sg=1, negative=5, epochs=8, workers=1,
                   seed=1)
    gaz = gazetteer(external)
    case = case_ratio(sents)
    forms: Counter[str] = Counter(w for s in sents for w in s)
    keys = [w for w, n in forms.most_common() if n >= 2 or w.lower() in gaz][:MAX_ROWS]
    width = W2V_DIM + len(GAZ_TYPES) + 3
    table = np.zeros((len(keys), width), dtype="float32")
    for row, form in enumerate(keys):
        low = form.lower()
        if low in w2v.wv:
            vec = w2v.wv[low]
            table[row, :W2V_DIM] = vec / (np.linalg.norm(vec) + 1e-8)
        table[row, W2V_DIM:W2V_DIM + 4] = gaz.get(low, [0.0, 0.0, 0.0, 0.0])
        table[row, W2V_DIM + 4] = case.get(low, 0.0)
        table[row, W2V_DIM + 5] = 1.0 if form[:1].isupper() else 0.0
    nlp = spacy.blank("nl")
    nlp.vocab.vectors = Vectors(data=table, keys=[nlp.vocab.strings.add(k) for k in keys], attr="ORTH")
    nlp.to_disk(out)
    print(f"{len(keys)} rows x {width} columns -> {out}")
    return out


if __name__ == "__main__":
    build()

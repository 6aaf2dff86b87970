"""A generated corpus with known story membership, from the real Dutch news of CoNLL-2002 (ned.train).

Each CoNLL-2002 training document is one news report with its own topic and its own names. A story is built from
one document around its protagonists (the three names that most of its sentences hold, from the gold tags): its
articles are drawn from that document's sentences (a short sentence as the title, four to eight others as the
body, in their order, two of which name a protagonist where the document has such sentences), published in one to
three bursts of a few days each, with pauses of two to ten months between bursts, so the story pauses and returns. Singletons are single articles drawn from documents
that no story uses. Documents of one kind (match reports, court cases, company results) stay apart only by their
names and details, which is what makes the task hard. Seeded: one seed, one corpus.

    python benchmarks/story_corpus.py --seed 1 --stories 80 --singletons 120 --out var/bench/stories-1.jsonl

writes the articles as JSON Lines (id, date, title, source, text) and their gold stories beside them
(`<out>.gold.json`: article id -> story label).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CONLL_TRAIN = "conll2002-ned/ned.train"
FIRST_DAY = dt.date(2001, 1, 1)
YEARS = 20
SOURCES = ("Dagblad Noord", "Het Avondnieuws", "De Kroniekpost", "Stadskrant Oost")
_NO_SPACE_BEFORE = {".", ",", ":", ";", "!", "?", ")", "'", "%"}


def _detokenize(tokens: list[str]) -> str:
    out: list[str] = []
    for tok in tokens:
        if out and (tok in _NO_SPACE_BEFORE or out[-1] == "("):
            out[-1] += tok
        else:
            out.append(tok)
    return " ".join(out)


@dataclass(frozen=True)
class Document:
    """One CoNLL-2002 document: its sentences, and the names each sentence holds (from the gold tags)."""

    sentences: tuple[str, ...]
    names: tuple[frozenset[str], ...]

    def main_names(self, n: int = 3) -> list[str]:
        """The names the most sentences hold: the document's protagonists."""
        counts = Counter(name for names in self.names for name in names)
        return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


@lru_cache(maxsize=2)
def load_documents(shared: Path = SHARED) -> tuple[Document, ...]:
    """The CoNLL-2002 Dutch training documents of ten sentences or more, in file order."""
    docs: list[Document] = []
    sentences: list[str] = []
    names: list[frozenset[str]] = []
    tokens: list[str] = []
    tags: list[str] = []

    def end_sentence() -> None:
        if tokens:
            sentences.append(_detokenize(tokens))
            found, current = set(), []
            for tok, tag in zip(tokens, tags, strict=True):
                if tag.startswith("I-") and current:
                    current.append(tok)
                    continue
                if current:
                    found.add(" ".join(current))
                current = [tok] if tag.startswith("B-") else []
            if current:
                found.add(" ".join(current))
            names.append(frozenset(found))
            tokens.clear()
            tags.clear()

    with (shared / "data" / CONLL_TRAIN).open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                end_sentence()
                continue
            if parts[0] == "-DOCSTART-":
                end_sentence()
                if sentences:
                    docs.append(Document(tuple(sentences), tuple(names)))
                sentences, names = [], []
                continue
            tokens.append(parts[0])
            tags.append(parts[-1])
    end_sentence()
    if sentences:
        docs.append(Document(tuple(sentences), tuple(names)))
    return tuple(d for d in docs if len(d.sentences) >= 10)


def _article(rng: random.Random, doc: Document, day: dt.date, aid: str,
             protagonists: list[str] | None = None) -> dict[str, Any]:
    """An article of 4-8 sentences of a document; in a story, two of them name the story's protagonists."""
    sents = doc.sentences
    short = [s for s in sents if 4 <= len(s.split()) <= 14] or list(sents)
    title = rng.choice(short).rstrip(".")
    pool = [i for i, s in enumerate(sents) if s.rstrip(".") != title]
    want = min(len(pool), rng.randint(4, 8))
    picked: set[int] = set()
    if protagonists:
        naming = [i for i in pool if doc.names[i] & set(protagonists)]
        picked.update(rng.sample(naming, min(2, len(naming))))
    rest = [i for i in pool if i not in picked]
    picked.update(rng.sample(rest, max(0, min(len(rest), want - len(picked)))))
    paragraphs, current = [], []
    for i in sorted(picked):
        current.append(sents[i])
        if len(current) >= rng.randint(1, 3):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return {"id": aid, "date": day.isoformat(), "title": title, "source": rng.choice(SOURCES),
            "text": "\n\n".join(paragraphs)}


def generate(seed: int, stories: int, singletons: int, *,
             shared: Path = SHARED) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The articles (sorted by date) and the gold story label of each."""
    docs = load_documents(shared)
    if stories + singletons > len(docs):
        raise ValueError(f"{stories} stories and {singletons} singletons need more than the {len(docs)} documents")
    rng = random.Random(seed)
    order = list(range(len(docs)))
    rng.shuffle(order)
    articles: list[dict[str, Any]] = []
    gold: dict[str, str] = {}
    for n, d in enumerate(order[:stories]):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(YEARS * 365 - 800))
        bursts = rng.choices((1, 2, 3), weights=(4, 4, 3))[0]
        k = 0
        protagonists = docs[d].main_names()
        for b in range(bursts):
            if b:
                day += dt.timedelta(days=rng.randint(60, 300))
            for _ in range(rng.randint(2, 6)):
                aid = f"s{seed}-{n:03d}-{k:02d}"
                articles.append(_article(rng, docs[d], day + dt.timedelta(days=rng.randint(0, 10)), aid,
                                         protagonists))
                gold[aid] = f"story-{n:03d}"
                k += 1
    for n, d in enumerate(order[stories:stories + singletons]):
        aid = f"s{seed}-single-{n:03d}"
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(YEARS * 365))
        articles.append(_article(rng, docs[d], day, aid))
        gold[aid] = f"single-{n:03d}"
    articles.sort(key=lambda a: (a["date"], a["id"]))
    return articles, gold


def at_scale(n: int, first_seed: int = 1000) -> Iterator[dict[str, Any]]:
    """`n` articles for measuring speed: corpora of 150 stories and 130 singletons each, seed after seed, dates
    spread over the same twenty years (so a document's topic returns many times), in date order per corpus."""
    seed = first_seed
    made = 0
    while made < n:
        articles, _ = generate(seed, 150, 130)
        yield from articles[:n - made]
        made += min(len(articles), n - made)
        seed += 1


def pairwise(gold: dict[str, str], found: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering (`found`: article id -> story id) against the gold: over
    all pairs of articles, a pair is positive when both are in one story."""
    def pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for aid in sorted(labels):
            groups.setdefault(labels[aid], []).append(aid)
        return {(a, b) for members in groups.values() for i, a in enumerate(members) for b in members[i + 1:]}

    g, f = pairs(gold), pairs({k: v for k, v in found.items() if k in gold})
    tp = len(g & f)
    p = tp / len(f) if f else 1.0
    r = tp / len(g) if g else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "gold_pairs": len(g),
            "found_pairs": len(f)}


def write(path: Path, seed: int, stories: int, singletons: int) -> Iterator[str]:
    articles, gold = generate(seed, stories, singletons)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    gold_path = path.with_name(path.name + ".gold.json")
    gold_path.write_text(json.dumps(gold, indent=0) + "\n", encoding="utf-8")
    yield str(path)
    yield str(gold_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stories", type=int, default=80)
    parser.add_argument("--singletons", type=int, default=120)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for p in write(args.out, args.seed, args.stories, args.singletons):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Generate realistic Dutch test articles from the real sentences in ../shared/data (seeded, streaming).

The sentences come from the UD Dutch dev treebanks (`# text = ...` lines); articles are dated over 25 years,
spread over a few sources, with paragraphs, an occasional subheading and an occasional "Lees ook:" line, so the
readers, the structure parser, the store and the search index see the shapes real input has.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TREEBANKS = ("ud-dutch-alpino/nl_alpino-ud-dev.conllu", "ud-dutch-lassysmall/nl_lassysmall-ud-dev.conllu")
# Fictional source names: the generated archive must not pass itself off as any real newspaper's.
SOURCES = ("Dagblad Noord", "Het Avondnieuws", "De Kroniekpost", "Stadskrant Oost", "Het Weekblad")
FIRST_DAY = dt.date(2000, 1, 1)
DAYS = 25 * 365


@lru_cache(maxsize=4)
def load_sentences(shared: Path = SHARED) -> tuple[str, ...]:
    """The text of every sentence of the UD Dutch dev treebanks, in file order."""
    out: list[str] = []
    for rel in TREEBANKS:
        path = shared / "data" / rel
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("# text = "):
                    text = line[9:].strip()
                    if text:
                        out.append(text)
    if not out:
        raise FileNotFoundError(f"no sentences found under {shared / 'data'}")
    return tuple(out)


def _closing(s: str) -> bool:
    return s[-1:] in ".!?'\"”’)"


def generate_articles(n: int, seed: int = 0, *, shared: Path = SHARED) -> Iterator[dict[str, Any]]:
    """Yield `n` article records (JSONL fields: id, date, title, source, url, text), reproducible per seed."""
    sentences = load_sentences(shared)
    short = [s for s in sentences if 3 <= len(s.split()) <= 8] or list(sentences)
    body = [s for s in sentences if len(s.split()) >= 6 and _closing(s)] or list(sentences)
    rng = random.Random(seed)
    for i in range(n):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        roll = rng.random()
        date = day.isoformat() if roll < 0.8 else f"{day.year:04d}-{day.month:02d}" if roll < 0.97 else str(day.year)
        paragraphs: list[str] = []
        words = 0
        target = rng.randint(250, 550)
        while words < target:
            para = " ".join(rng.choice(body) for _ in range(rng.randint(2, 5)))
            words += para.count(" ") + 1
            paragraphs.append(para)
            if len(paragraphs) > 2 and rng.random() < 0.08:
                # a subheading: a short line without closing punctuation
                paragraphs.append(rng.choice(short).rstrip(".!?:;,"))
        if rng.random() < 0.15:
            paragraphs.insert(rng.randint(1, len(paragraphs)), "Lees ook: " + rng.choice(short).rstrip("."))
        source = SOURCES[rng.randrange(len(SOURCES))]
        yield {
            "id": f"gen-{seed}-{i:08d}",
            "date": date,
            "title": rng.choice(short).rstrip("."),
            "source": source,
            "url": f"https://example.org/{source.lower().replace(' ', '-')}/{i}",
            "text": "\n\n".join(paragraphs),
        }


def write_jsonl(path: Path, n: int, seed: int = 0) -> int:
    """Write `n` generated articles to a JSON Lines file; return its size in bytes."""
    with path.open("w", encoding="utf-8") as fh:
        for record in generate_articles(n, seed):
            fh.write(json.dumps(record, ensure_ascii=False))
            fh.write("\n")
    return path.stat().st_size


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for rec in generate_articles(count, int(sys.argv[2]) if len(sys.argv) > 2 else 0):
        print(json.dumps(rec, ensure_ascii=False))

"""Build the background document frequencies that story detection starts from (kroniek/stories/prior_nl.json.gz).

An archive that holds few articles knows little about which words are common: "zaterdag", "overleden" or
"gemeente" look as rare as a name. The detector therefore starts from document frequencies counted on Dutch text
outside any archive: the Europeana Newspapers NER corpus (historical Dutch newspapers, CC0) and the LassySmall UD
dev treebank (CC BY-SA 4.0), both in ../shared/data, cut into pseudo-documents of PSEUDO_DOC_TOKENS tokens and
stemmed as the detector stems (`kroniek.stories.detect.stems`). Only stems seen in at least two pseudo-documents
are kept. Deterministic: the same data give the same file.

    .venv/bin/python -m training.build_story_prior [--shared ../shared] [--out kroniek/stories/prior_nl.json.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from kroniek.stories.detect import stems

ROOT = Path(__file__).resolve().parent.parent
PSEUDO_DOC_TOKENS = 150


def _europeana(shared: Path) -> Iterator[str]:
    with (shared / "data" / "europeana-ner-nl" / "enp_NL.kb.bio").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if parts:
                yield parts[0]


def _lassy(shared: Path) -> Iterator[str]:
    with (shared / "data" / "ud-dutch-lassysmall" / "nl_lassysmall-ud-dev.conllu").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# text = "):
                yield from line[9:].split()


def pseudo_documents(shared: Path) -> Iterator[str]:
    for tokens in (_europeana(shared), _lassy(shared)):
        chunk: list[str] = []
        for tok in tokens:
            chunk.append(tok)
            if len(chunk) >= PSEUDO_DOC_TOKENS:
                yield " ".join(chunk)
                chunk = []
        if chunk:
            yield " ".join(chunk)


def build(shared: Path) -> dict[str, object]:
    df: Counter[str] = Counter()
    n = 0
    for doc in pseudo_documents(shared):
        df.update(set(stems(doc)))
        n += 1
    kept = {t: c for t, c in sorted(df.items()) if c >= 2}
    return {"documents": n, "source": "Europeana Newspapers NER NL (CC0) + UD Dutch LassySmall dev (CC BY-SA 4.0)",
            "pseudo_document_tokens": PSEUDO_DOC_TOKENS, "df": kept}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "kroniek" / "stories" / "prior_nl.json.gz")
    args = parser.parse_args(argv)
    prior = build(args.shared)
    data = json.dumps(prior, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with gzip.GzipFile(args.out, "wb", mtime=0) as fh:  # mtime 0: the same bytes each time
        fh.write(data)
    print(f"{prior['documents']} pseudo-documents, {len(prior['df'])} stems -> {args.out}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

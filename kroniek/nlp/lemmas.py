"""Lemmas from a lookup table: the component `kroniek_lemmatizer`.

It gives the lemmas spaCy's Dutch lookup lemmatizer gives (`lemmatizer` with `mode = "lookup"` in an `nl` pipeline:
the table's entry for the token's lower-case text, else that lower-case text) from the same table, the Dutch `lemma_lookup` of spacy-lookups-data, but
keeps the table as a plain dict from the hash of a word to its lemma. spaCy's `Table` rebuilds itself entry by
entry on load (213,000 entries, a good part of the model's load time); this dict is read in one call.
A Doc's lemmas are written as one array, and the id of each word's lemma is remembered, so a word seen before costs
a dict lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy
import srsly
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

_FILE = "lemma_lookup.msgpack"


class LookupLemmatizer:
    """Sets `token.lemma` from a table of lower-case word -> lemma; a word the table lacks has its lower-case form."""

    def __init__(self, nlp: Language, name: str = "kroniek_lemmatizer", *, overwrite: bool = False) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.overwrite = overwrite
        self.table: dict[int, str] = {}  # hash of a word's lower-case text (its LOWER) -> lemma
        self._ids: dict[int, int] = {}  # LOWER -> hash of its lemma, the lemma's string already in the vocab

    def set_table(self, table: dict[int, str]) -> None:
        self.table = table
        self._ids = {}

    def initialize(self, get_examples: Callable[[], Iterable[Example]] | None = None, *,
                   nlp: Language | None = None, table: dict[str, str] | None = None) -> None:
        """Fill the table: from `table` (word -> lemma), or from spacy-lookups-data's Dutch table (install the
        `train` extra), which is what the shipped model holds."""
        if table is None:
            from spacy.lookups import load_lookups

            lookups = load_lookups("nl", ["lemma_lookup"])
            self.set_table(dict(lookups.get_table("lemma_lookup").items()))
        else:
            strings = self.vocab.strings
            self.set_table({strings.add(word.lower()): lemma for word, lemma in table.items()})

    def _lemma_id(self, lower: int) -> int:
        lemma = self.table.get(lower)
        found = lower if lemma is None else self.vocab.strings.add(lemma)
        self._ids[lower] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        if doc.vocab is not self.vocab:  # another vocab's strings: look each lemma up afresh
            for token in doc:
                if self.overwrite or token.lemma == 0:
                    token.lemma_ = self.table.get(token.lower, token.lower_)
            return doc
        arr = doc.to_array([LOWER, LEMMA])
        ids, lemma_id = self._ids, self._lemma_id
        lemmas = numpy.fromiter((ids.get(o) or lemma_id(o) for o in arr[:, 0].tolist()), dtype="uint64",
                                count=len(doc))
        if not self.overwrite:
            lemmas = numpy.where(arr[:, 1] == 0, lemmas, arr[:, 1])
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_msgpack(path / _FILE, self.table)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LookupLemmatizer:
        self.set_table(srsly.read_msgpack(Path(path) / _FILE))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps(self.table)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> LookupLemmatizer:
        self.set_table(srsly.msgpack_loads(data))
        return self


@Language.factory("kroniek_lemmatizer", assigns=["token.lemma"], default_config={"overwrite": False})
def make_lookup_lemmatizer(nlp: Language, name: str, overwrite: bool) -> LookupLemmatizer:
    """The lookup lemmatizer; its table comes from `initialize` or from the model directory."""
    return LookupLemmatizer(nlp, name, overwrite=overwrite)

"""The vocabulary of an index: every word form it holds, by Dutch stem, so a stemmed query can name its forms.

Stemming each distinct word once, instead of every word of every article, is what keeps indexing fast: the
text is indexed once, lowercased and folded, with positions (for phrases and exact words), and a plain query word
becomes the set of indexed forms that share its stem (`gesprek` -> gesprek, gesprekken, gesprekje, ...).
The forms live in a small SQLite file inside the index directory; the list only grows (a form that no article
holds any more matches nothing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from kroniek.search.pairs import chunks

_FILE = "vocabulary.sqlite"


class NewForms:
    """The word forms of a text that were not seen before, as the text fields index them (lowercased, folded,
    at most `max_len` bytes), found with whole-string operations: the text's distinct stretches between ASCII
    separators are a set built in C, and only stretches new to this object are looked at in Python (stretches
    with characters beyond ASCII through the index's analyzer)."""

    def __init__(self, words_of: Callable[[str], Sequence[str]], max_len: int) -> None:
        self._words_of = words_of
        self._max_len = max_len
        self._seen: set[bytes] = set()

    def __call__(self, text: str) -> list[str]:
        return self.of_chunks(chunks(text))

    def of_chunks(self, stretches: list[bytes]) -> list[str]:
        """The new forms of a text given as its `pairs.chunks`."""
        fresh = set(stretches) - self._seen
        if not fresh:
            return []
        if len(self._seen) > 2_000_000:
            self._seen.clear()
        self._seen |= fresh
        out: list[str] = []
        for chunk in fresh:
            if chunk.isascii():
                if len(chunk) <= self._max_len:
                    out.append(chunk.decode("ascii"))
            else:
                out.extend(self._words_of(chunk.decode("utf-8", "surrogatepass")))
        return out


class Vocabulary:
    """Word forms by stem, persisted beside the index (or in memory)."""

    def __init__(self, directory: Path | None, stem: Callable[[str], list[str]]) -> None:
        self._stem = stem
        self._db = sqlite3.connect(str(directory / _FILE) if directory else ":memory:", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS forms (form TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID")
        self._db.execute("CREATE INDEX IF NOT EXISTS forms_stem ON forms(stem)")
        self._db.commit()
        self._known: set[str] | None = None
        self._pending: dict[str, str] = {}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._version = -1

    def add(self, forms: Iterable[str]) -> None:
        """Note the forms of one document; new ones are stemmed and kept until `commit`."""
        if self._known is None:
            self._known = {r[0] for r in self._db.execute("SELECT form FROM forms")}
        known, pending = self._known, self._pending
        for form in forms:
            if form not in known:
                known.add(form)
                stems = self._stem(form)
                # a stop word has no stem: it is only ever matched exactly
                if len(stems) == 1:
                    pending[form] = stems[0]

    def commit(self) -> None:
        """Write the new forms."""
        if self._pending:
            with self._db:
                self._db.executemany("INSERT OR IGNORE INTO forms VALUES (?, ?)", self._pending.items())
            self._pending.clear()
        self._cache.clear()

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM forms")
        self._known, self._pending = None, {}
        self._cache.clear()

    def forms(self, stem: str) -> tuple[str, ...]:
        """Every committed form with this stem."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:  # another process wrote forms: forget what was cached
            self._cache.clear()
            self._version = version
        got = self._cache.get(stem)
        if got is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            got = tuple(sorted(r[0] for r in self._db.execute("SELECT form FROM forms WHERE stem = ?", (stem,))))
            self._cache[stem] = got
        return got

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM forms").fetchone()[0])

    def close(self) -> None:
        self._db.close()

"""How a "Lees ook" reference is matched to the title of an archived article: title keys, similarity, the choice.

A reference names an article by its title, as the referring site wrote it: with other dashes and quotation marks,
without accents, in capitals, with or without a subtitle ("Rusland aansprakelijk stellen voor MH17 – wat betekent
dat?" for the article "Rusland aansprakelijk stellen voor MH17: wat betekent dat", or for "Rusland aansprakelijk
stellen voor MH17"), now and then with a typing error. Both sides are reduced to a key first (`title_key`); two keys
then match when

- they are the same once spaces are left out (accents, case, punctuation and dashes never count): score 100;
- one is the other with a subtitle, the part after a colon, a dash between spaces, a question mark or a bar, left
  out; the part kept has at least MIN_HEAD_WORDS words: score 100 less SUBTITLE_PENALTY;
- they are close (`close`): the same words in the same order, the same numbers, each word at most MAX_WORD_EDITS
  edits (Levenshtein) from its counterpart and at most a third of its letters, at most MAX_EDITS edits in all, and
  a similarity (rapidfuzz's normalised Indel ratio of the keys, 0-100) of at least MIN_SIMILARITY: score that
  similarity (less SUBTITLE_PENALTY when it needed a subtitle left out).

A word added or removed ("Kabinet valt niet over stikstof"), another name ("Oekraïne" for "Rusland") or another
number ("298 doden", "299 doden") is never a small variation, however similar the two strings are: the word rules
keep those apart, which a plain similarity threshold (or a token-set ratio, which ignores added words) does not.

Of the articles that match, `choose` takes the one the reference most likely means: published before (or in the
period of) the referring article rather than after it, then an exact title before a variant, then the one closest
in time to the referring article, then the better score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from kroniek.model import ArticleDate

# Two keys that are not the same match only at this similarity or above (rapidfuzz fuzz.ratio, 0-100) ...
MIN_SIMILARITY = 90.0
# ... with at most this many edits over the whole key, and this many in any one word.
MAX_EDITS = 3
MAX_WORD_EDITS = 2
# A title with its subtitle left out scores this much less than the same title in full.
SUBTITLE_PENALTY = 5.0
# The part before a subtitle stands for the whole only when it has this many words ("MH17: ..." does not).
MIN_HEAD_WORDS = 3
EXACT = 100.0
_FAR = 10**7  # days: farther than any two dates apart

# A hyphen, apostrophe or full stop inside a word joins it ("MH-17" is "mh17", "Noord-Korea" is "noordkorea").
_JOINER = re.compile(r"(?<=[^\W_])[-\u2010\u2011'\u2019.](?=[^\W_])")
_NOT_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
# Where a subtitle starts: a colon, a dash between spaces, a question mark or a bar with text after it.
_SUBTITLE = re.compile(r"\s*(?::|\s[-\u2013\u2014]|\?|\s\|)\s+(?=\S)")


def fold(text: str) -> str:
    """Text without accents (NFKD, combining marks dropped), case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise(text: str) -> str:
    """The words of a title, folded (`fold`), joined where a hyphen, apostrophe or full stop joins them, with one
    space between them and nothing else."""
    return " ".join(_NOT_WORD.sub(" ", _JOINER.sub("", fold(text))).split())


def search_words(text: str) -> list[str]:
    """The words of a title as the search index splits them (folded, at every character that is not a letter or a
    digit): what to look its candidates up by."""
    return _NOT_WORD.sub(" ", fold(text)).split()


class TitleKey(NamedTuple):
    """A title as it is compared: its normalised words (`key`) and, when it has a subtitle, those of the part
    before it (`head`)."""

    key: str
    head: str | None = None

    def lookup(self) -> tuple[str, str | None]:
        """The key and the head without their spaces: what a stored reference is found again by (two titles
        that are the same but for spaces, accents, case and punctuation have the same one)."""
        return self.key.replace(" ", ""), self.head.replace(" ", "") if self.head is not None else None


def title_key(text: str) -> TitleKey:
    """The key of a title or of a reference's text (see the module's docstring)."""
    key = normalise(text)
    cut = _SUBTITLE.search(text)
    head = None
    if cut is not None:
        before = normalise(text[:cut.start()])
        if len(before.split()) >= MIN_HEAD_WORDS and before != key:
            head = before
    return TitleKey(key, head)


def close(a: str, b: str) -> float | None:
    """How similar two normalised keys are (0-100) when they match, else None (see the module's docstring)."""
    if a.replace(" ", "") == b.replace(" ", ""):
        return EXACT if a and b else None
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return None
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return None
    edits = 0
    for x, y in zip(words_a, words_b, strict=True):
        if x != y:
            d = Levenshtein.distance(x, y)
            if d > MAX_WORD_EDITS or 3 * d > max(len(x), len(y)):
                return None
            edits += d
    if edits > MAX_EDITS:
        return None
    similarity = fuzz.ratio(a, b)
    return similarity if similarity >= MIN_SIMILARITY else None


def similarity(reference: TitleKey, title: TitleKey) -> float | None:
    """How well a reference matches a title (0-100), or None when it does not: the best of the whole keys, and of
    either key against the other's part before its subtitle (less SUBTITLE_PENALTY)."""
    if not reference.key or not title.key:
        return None
    best = close(reference.key, title.key)
    for a, b in ((reference.head, title.key), (reference.key, title.head)):
        if a is None or b is None:
            continue
        score = close(a, b)
        if score is not None and (best is None or score - SUBTITLE_PENALTY > best):
            best = score - SUBTITLE_PENALTY
    return best


@dataclass(frozen=True)
class Candidate:
    """An archived article whose title matches a reference, with the score of the match."""

    id: str
    date: ArticleDate | None
    score: float


def choose(candidates: Iterable[Candidate], referring: ArticleDate | None) -> Candidate | None:
    """The candidate a reference in an article of date `referring` most likely means (see the module's
    docstring); an undated candidate comes after dated ones, and with an undated referring article the oldest
    candidate is taken."""
    def rank(c: Candidate) -> tuple[bool, bool, int, float, str, str]:
        if c.date is None:
            return True, c.score < EXACT, _FAR, -c.score, "", c.id
        after = referring is not None and c.date.first_day > referring.last_day
        distance = abs((referring.first_day - c.date.first_day).days) if referring is not None else 0
        return after, c.score < EXACT, distance, -c.score, c.date.first_day.isoformat(), c.id

    ranked = sorted(candidates, key=rank)
    return ranked[0] if ranked else None


def lookup_keys(titles: Iterable[str]) -> list[str]:
    """The keys (`TitleKey.lookup`) under which references to these titles may wait: each title's key and, where
    it has a subtitle, its head's."""
    out: set[str] = set()
    for t in titles:
        out.update(k for k in title_key(t).lookup() if k)
    return sorted(out)

"""Pairs of common words, indexed as one term each, so that phrases of common words do not read positions.

A phrase such as "in zijn" or "de eerste" is made of words that nearly every article holds, many times over:
checking it on positions means reading the positions of both words in most of the archive. The pair fields hold
each two adjacent words that are both common (in COMMON) as one term ("in_zijn"), so such a two-word phrase is one
term lookup, and a longer phrase that holds such a pair is checked on positions only in the articles that have
the pair. A phrase with a rarer word needs no help: the rare word leads the search.

Only pairs of common words are kept, about a quarter of the positions of a news text, which keeps the index
and the time to build it small. The words are the ones the text fields index (lowercased, accents folded, split
where tantivy's simple tokenizer splits); `CommonPairs` finds them with whole-string operations on the UTF-8
bytes and asks the tokenizer only about words with characters beyond ASCII. Its loop over the words runs in C
(kroniek/search/_pairs.c, a fifth of the time) where that module is built, else in Python, with the same output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType

from kroniek.native import optional_module

# Frequent Dutch words (function words and the commonest content words of newspaper text), written for this
# index; their pairs make up the phrases that positions alone answer slowly. Changing the list changes what the
# index holds: bump the index's SCHEMA_VERSION with it.
COMMON = frozenset("""
de van het een in en dat op is zijn te die met voor niet maar er ik als aan hij ook om ze was dan door naar nog
bij uit of we over je worden al heeft tot wat zo geen jaar hebben wordt meer wel zich werd hun nu kan deze kunnen
zou moet veel dit twee na zal andere had haar tegen mijn onder daar waar toch nieuwe mensen eerste toen hem moeten
grote goed ons wil dus gaan maken alle onze zoals tussen werden omdat gaat doen zelf heb vooral eigen alleen
zelfs leven wie waren zegt procent heel drie hoe volgens zij tijdens iets enkele weer staat altijd jaren me komen
want mij hele even af kinderen tweede komt kon eens zullen krijgen werk lang hier mee tijd plaats willen niets
men toe hadden man euro keer miljoen laatste nooit gisteren wereld alles per net minder achter steeds zouden
vorig ben binnen land zonder groot blijft zeggen kwam laat echt uur staan misschien wij dag later maakt hen
manier anders erg beter geleden weet blijven zeker eigenlijk geval zien rond ten elke samen mag week
bijvoorbeeld terug eerst laten geld vier krijgt werken waarin snel enige bijna aantal ging ter weg vijf
bovendien gemaakt kleine via jonge goede oude doet meteen zeer nemen opnieuw pas vandaag moest vaak vraag
elkaar kreeg zei lange maanden echter nodig geven weinig verschillende mogelijk wanneer dagen allemaal terwijl
zit duidelijk enkel houden ligt gedaan geweest deel kans hand elk gewoon natuurlijk iedereen der den daarom
daarna sinds vanaf reeds ooit
""".split())
PAIRS = "kroniek_pairs"
JOIN = "_"  # never part of an indexed word: the tokenizer splits at it

_COMMON_BYTES = frozenset(w.encode("ascii") for w in COMMON)


def _load_native() -> ModuleType | None:
    """The C loop (kroniek/search/_pairs.c, built by `pip install` where a C compiler is at hand), or None."""
    module = optional_module("kroniek.search._pairs")
    if module is not None:
        module.set_common(sorted(_COMMON_BYTES))
    return module


_native = _load_native()

# A translation table for UTF-8 text: ASCII letters lowercased, other ASCII bytes (punctuation, white space, '_')
# made spaces, bytes of characters beyond ASCII left alone. Lowercasing ASCII here is what tantivy's lowercase filter does to those letters.
LOWER_WORDS = bytes((b | 0x20) if 65 <= b <= 90 else b if (b >= 0x80 or chr(b).isalnum()) else 0x20 for b in range(256))


def lowered(text: str) -> bytes:
    """`text` as UTF-8 with ASCII letters lowercased and every other ASCII character a space (see LOWER_WORDS)."""
    return text.encode("utf-8", "surrogatepass").translate(LOWER_WORDS)


def chunks(text: str) -> list[bytes]:
    """The stretches of `text` between ASCII separators, as UTF-8 with ASCII letters lowercased: words, except
    where characters beyond ASCII stand (those the index's analyzer splits)."""
    return lowered(text).split()


class CommonPairs:
    """Finds the pairs of adjacent common words in a text, as "de_eerste in_zijn ..." (the pair fields' input).

    `words_of` splits, lowercases and folds as the text fields do, keeping words of any length (so a word too long
    to be indexed still stands between its neighbours). It is asked only about the stretches between ASCII
    separators that hold other characters (accents, curly quotes, dashes), and what it says is remembered: news
    text repeats those stretches endlessly.
    """

    def __init__(self, words_of: Callable[[str], Sequence[str]], cache_size: int = 200_000) -> None:
        self._words_of = words_of
        self._cache: dict[bytes, tuple[bytes, ...]] = {}
        self._cache_size = cache_size

    def _words(self, chunk: bytes) -> tuple[bytes, ...]:
        got = self._cache.get(chunk)
        if got is None:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            got = tuple(w.encode("utf-8", "surrogatepass")
                        for w in self._words_of(chunk.decode("utf-8", "surrogatepass")))
            self._cache[chunk] = got
        return got

    def __call__(self, text: str) -> str:
        return self.of_lowered(lowered(text))

    def of_lowered(self, data: bytes) -> str:
        """The pairs of a text given as `lowered(text)`: by the C loop of `_pairs` where it is built, else by
        `of_chunks`; the output is the same."""
        if _native is not None:
            return _native.common_pairs(data, self._words).decode("ascii")
        return self.of_chunks(data.split())

    def of_chunks(self, stretches: list[bytes]) -> str:
        """The pairs of a text given as its `chunks`."""
        common = _COMMON_BYTES
        out: list[bytes] = []
        add = out.append
        prev: bytes | None = None
        isascii = bytes.isascii
        for chunk in stretches:
            if chunk in common:
                if prev is not None:
                    add(prev + b"_" + chunk)
                prev = chunk
            elif isascii(chunk):
                prev = None
            else:
                # letters with accents, curly quotes, dashes: the analyzer's words stand in for the stretch (one of
                # punctuation alone holds no word, and leaves its neighbours adjacent)
                for w in self._words(chunk):
                    if w in common:
                        if prev is not None:
                            add(prev + b"_" + w)
                        prev = w
                    else:
                        prev = None
        return b" ".join(out).decode("ascii")


def keys(tokens: Sequence[str]) -> list[str]:
    """The pair terms of a phrase, given as its analysed words: each adjacent pair of common words, once."""
    out: list[str] = []
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a in COMMON and b in COMMON:
            key = f"{a}{JOIN}{b}"
            if key not in out:
                out.append(key)
    return out

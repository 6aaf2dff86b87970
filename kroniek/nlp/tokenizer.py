"""The Dutch tokenizer: spaCy's `nl` rules plus fixes for Dutch newspaper text.

Registered as `kroniek.nl_tokenizer.v1`, so the model's config names it under `[nlp.tokenizer]`. The fixes:
abbreviations that keep their full stop ("jan.", "mld.", "mevr."), everyday words that spaCy's exceptions took
for abbreviations split from their full stop ("de top."), dashes between words or numbers split off
("1998–2000", "Hij—zij"), and old-style ,,quotes'' as one token each side (spaCy's prefix and suffix rules
already do that; the tests hold it). Offsets always index the original text: spaCy tokenizers never rewrite it.
"""

from __future__ import annotations

from collections.abc import Callable

import spacy
from spacy.lang.nl import Dutch
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex

from kroniek.nlp.lang_nl.abbreviations import CAPITALISABLE, EVERYDAY_WORDS, LOWER_ONLY

# En dash, em dash and the horizontal bar between two word or number characters.
DASH_INFIX = r"(?<=[\w.,%)])[–—―](?=[\w(€$])"


def abbreviation_cases() -> list[str]:
    """All strings that become single tokens, lower case and capitalised where that makes sense."""
    out = set(LOWER_ONLY) | set(CAPITALISABLE)
    out |= {a[0].upper() + a[1:] for a in CAPITALISABLE}
    return sorted(out)


def customize(tokenizer: Tokenizer) -> Tokenizer:
    """Add Kroniek's Dutch fixes to a tokenizer built from spaCy's `nl` defaults."""
    drop = set(EVERYDAY_WORDS) | {w.capitalize() for w in EVERYDAY_WORDS}
    tokenizer.rules = {k: v for k, v in (tokenizer.rules or {}).items() if k not in drop}
    for abbr in abbreviation_cases():
        tokenizer.add_special_case(abbr, [{ORTH: abbr}])
    infixes = list(Dutch.Defaults.infixes or []) + [DASH_INFIX]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return tokenizer


@spacy.registry.tokenizers("kroniek.nl_tokenizer.v1")
def create_nl_tokenizer() -> Callable[[Language], Tokenizer]:
    """The tokenizer factory named in the model's config."""

    def make(nlp: Language) -> Tokenizer:
        base = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        return customize(base)

    return make

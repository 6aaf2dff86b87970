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
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from kroniek.nlp.extensions import keep_text
from kroniek.nlp.lang_nl.abbreviations import CAPITALISABLE, EVERYDAY_WORDS, LOWER_ONLY

# En dash, em dash and the horizontal bar between two word or number characters.
DASH_INFIX = r"(?<=[\w.,%)])[–—―](?=[\w(€$])"


def abbreviation_cases() -> list[str]:
    """All strings that become single tokens, lower case and capitalised where that makes sense."""
    out = set(LOWER_ONLY) | set(CAPITALISABLE)
    out |= {a[0].upper() + a[1:] for a in CAPITALISABLE}
    return sorted(out)


class TextKeepingTokenizer(Tokenizer):
    """spaCy's tokenizer that also keeps the string each Doc was made from (`extensions.doc_text` reads it), so that
    the components that work on the text do not rebuild it from the tokens."""

    def __call__(self, text: str) -> Doc:
        return keep_text(super().__call__(text), text)


def build(nlp: Language) -> Tokenizer:
    """A tokenizer with spaCy's `nl` rules and Kroniek's fixes, built in one go (special cases are costly to load)."""
    defaults = Dutch.Defaults
    rules = {k: v for k, v in (defaults.tokenizer_exceptions or {}).items() if k not in _dropped()}
    for abbr in abbreviation_cases():
        rules[abbr] = [{ORTH: abbr}]
    infixes = list(defaults.infixes or []) + [DASH_INFIX]
    return TextKeepingTokenizer(
        nlp.vocab, rules=rules,
        prefix_search=compile_prefix_regex(defaults.prefixes or []).search,
        suffix_search=compile_suffix_regex(defaults.suffixes or []).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match, url_match=defaults.url_match,
    )


def _dropped() -> set[str]:
    return set(EVERYDAY_WORDS) | {w.capitalize() for w in EVERYDAY_WORDS}


@spacy.registry.tokenizers("kroniek.nl_tokenizer.v1")
def create_nl_tokenizer() -> Callable[[Language], Tokenizer]:
    """The tokenizer factory named in the model's config."""

    return build

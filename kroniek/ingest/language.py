"""Language identification of article texts, offline, with CLD2 (pycld2, its model compiled in)."""

from __future__ import annotations

import pycld2

UNDETERMINED = "und"  # ISO 639-2 code for "undetermined", used for texts without letters
# Articles are plain text, so CLD2 is told so (it then skips looking for HTML tags and entities, a fifth of its
# time). CLD2 costs a few microseconds a call plus about 0.05 µs a character, so ingest reads a prefix: a few sentences
# tell the language of a news article. A verdict of "not Dutch" stops the Dutch analysis, so it is checked again
# on a longer sample before it stands.
SAMPLE_CHARS = 160
CHECK_CHARS = 4000
# An archive of Dutch news: Dutch is the expected language, so CLD2 is told so. The hint tips close calls between
# Dutch and its neighbours (Afrikaans, Frisian) on short texts; clear English, German or French stays itself
# (tests/test_ingest_language.py).
HINT = "nl"
_UNKNOWN = "un"  # CLD2's code when it finds no language


def _prefix(text: str, size: int) -> str:
    """The first `size` characters of `text`, cut back to the last space so no word is broken."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", size // 2, size)
    return text[:cut if cut > 0 else size]


def _classify(sample: str) -> str:
    """CLD2's best guess for `sample`, or CLD2's unknown code."""
    data = sample.encode("utf-8", "replace")  # CLD2 reads UTF-8 bytes; a lone surrogate becomes '?'
    try:
        details = pycld2.detect(data, isPlainText=True, bestEffort=True, hintLanguage=HINT)[2]
    except pycld2.error:
        # CLD2 rejects some byte sequences that Python accepts (noncharacters, some controls): drop them
        clean = "".join(ch for ch in sample if ch.isprintable() or ch in "\n\t")
        details = pycld2.detect(clean.encode("utf-8", "replace"), isPlainText=True, bestEffort=True,
                                hintLanguage=HINT)[2]
    return str(details[0][1])


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language of `text` (such as 'nl'), or 'und' when it cannot be told."""
    sample = _prefix(text, SAMPLE_CHARS)
    lang = _classify(sample)
    if lang != "nl" and len(text) > len(sample):
        lang = _classify(_prefix(text, CHECK_CHARS))
    return UNDETERMINED if lang == _UNKNOWN else lang

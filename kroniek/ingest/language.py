"""Language identification of article texts, offline, with py3langid."""

from __future__ import annotations

import threading
from typing import Any

UNDETERMINED = "und"  # ISO 639-2 code for "undetermined", used for texts without letters
# py3langid walks its automaton in Python, about a microsecond a character, so ingest reads a prefix: a few
# sentences tell the language of a news article. A verdict of "not Dutch" stops the Dutch analysis, so it is
# checked again on a longer sample before it stands.
SAMPLE_CHARS = 240
CHECK_CHARS = 4000

_lock = threading.Lock()
_identifier: Any = None


def _get() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                import numpy as np
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
                # The model ships its feature table as float16, for which numpy has no fast matrix product;
                # as float32 (about 57 MB) each identification spends half as long scoring. Same decisions.
                identifier.nb_ptc = identifier.nb_ptc.astype(np.float32)
                _identifier = identifier
    return _identifier


def _prefix(text: str, size: int) -> str:
    """The first `size` characters of `text`, cut back to the last space so no word is broken."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", size // 2, size)
    return text[:cut if cut > 0 else size]


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language of `text` (such as 'nl'), or 'und' when it has no letters."""
    sample = _prefix(text, SAMPLE_CHARS)
    if not any(ch.isalpha() for ch in sample):
        sample = text[:CHECK_CHARS]
        if not any(ch.isalpha() for ch in sample):
            return UNDETERMINED
    lang, _score = _get().classify(sample)
    if lang != "nl" and len(text) > len(sample):
        lang, _score = _get().classify(_prefix(text, CHECK_CHARS))
    return str(lang)

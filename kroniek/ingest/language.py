"""Language identification of article texts, offline, with py3langid."""

from __future__ import annotations

import threading
from typing import Any

UNDETERMINED = "und"  # ISO 639-2 code for "undetermined", used for texts without letters
# A prefix is enough to tell the language of a news article, and keeps identification fast on long texts.
SAMPLE_CHARS = 4000

_lock = threading.Lock()
_identifier: Any = None


def _get() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    return _identifier


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language of `text` (such as 'nl'), or 'und' when it has no letters."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return UNDETERMINED
    lang, _score = _get().classify(sample)
    return str(lang)

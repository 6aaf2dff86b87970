"""Language identification with py3langid, offline."""

from __future__ import annotations

import pytest

from kroniek.ingest.language import detect_language


@pytest.mark.parametrize("text,code", [
    ("Het ministerie van Buitenlandse Zaken vertrouwt er steeds meer op dat er gesprekken komen.", "nl"),
    ("The ministry of foreign affairs increasingly trusts that talks will take place soon.", "en"),
    ("Das Außenministerium vertraut zunehmend darauf, dass bald Gespräche stattfinden werden.", "de"),
    ("Le ministère des affaires étrangères compte de plus en plus sur des entretiens prochains.", "fr"),
])
def test_language_detects_news_sentences(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_language_without_letters_is_undetermined() -> None:
    assert detect_language("12 345 — 2019 !!") == "und"
    assert detect_language("") == "und"

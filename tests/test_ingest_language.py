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


def test_language_a_non_dutch_opening_is_checked_on_more_text() -> None:
    english = "The minister said on Monday that the talks with Russia would start soon, according to sources. " * 4
    dutch = ("Het kabinet wil dat de gesprekken met Rusland binnenkort beginnen. Volgens de minister verloopt het "
             "vooroverleg in een positieve sfeer, maar over de uitkomst kan hij nog niets zeggen. ") * 12
    assert detect_language(english) == "en"
    assert detect_language(english + dutch) == "nl"  # the opening alone would say English

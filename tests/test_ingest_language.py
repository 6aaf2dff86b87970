"""Language identification with CLD2 (pycld2), offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ALPINO_JSONL, SEED

from kroniek.ingest.language import detect_language
from kroniek.ingest.readers import read_path
from kroniek.model import RawArticle


@pytest.mark.parametrize("text,code", [
    ("Het ministerie van Buitenlandse Zaken vertrouwt er steeds meer op dat er gesprekken komen.", "nl"),
    ("The ministry of foreign affairs increasingly trusts that talks will take place soon.", "en"),
    ("Das Außenministerium vertraut zunehmend darauf, dass bald Gespräche stattfinden werden.", "de"),
    ("Le ministère des affaires étrangères compte de plus en plus sur des entretiens prochains.", "fr"),
])
def test_language_detects_news_sentences(text: str, code: str) -> None:
    assert detect_language(text) == code


# Short news sentences in the languages nearest to Dutch in a newsroom's input; none may pass for Dutch, even
# though the identifier is told to expect Dutch.
@pytest.mark.parametrize("text,code", [
    ("The government said it would not comment on the talks.", "en"),
    ("Police arrested two men on Tuesday evening.", "en"),
    ("The minister will travel to Moscow next week.", "en"),
    ("Shares fell sharply after the bank warned of lower profits.", "en"),
    ("Die Regierung wollte sich nicht zu den Gesprächen äußern.", "de"),
    ("Die Polizei nahm am Dienstagabend zwei Männer fest.", "de"),
    ("Der Minister reist nächste Woche nach Moskau.", "de"),
    ("Die Aktien fielen stark, nachdem die Bank vor geringeren Gewinnen gewarnt hatte.", "de"),
    ("Le gouvernement n'a pas voulu commenter les négociations.", "fr"),
    ("La police a arrêté deux hommes mardi soir.", "fr"),
    ("Le ministre se rendra à Moscou la semaine prochaine.", "fr"),
    ("Les actions ont fortement baissé après l'avertissement de la banque.", "fr"),
])
def test_language_english_german_french_are_not_taken_for_dutch(text: str, code: str) -> None:
    assert detect_language(text) == code
    assert detect_language(" ".join([text] * 30)) == code  # and as a long article, past the prefix


def test_language_the_dutch_corpus_and_the_seed_are_dutch(shared: Path) -> None:
    arts = [a for a in [*read_path(SEED), *read_path(ALPINO_JSONL)] if isinstance(a, RawArticle)]
    assert len(arts) == 55
    assert [a.id for a in arts if detect_language(a.text) != "nl"] == []


def test_language_without_letters_is_undetermined() -> None:
    assert detect_language("12 345 — 2019 !!") == "und"
    assert detect_language("") == "und"


def test_language_text_that_utf8_cannot_carry_is_still_identified() -> None:
    dutch = "Het kabinet wil dat de gesprekken met Rusland binnenkort beginnen, zegt de minister."
    assert detect_language("\x00\x01" + dutch + "\ufffe") == "nl"
    assert detect_language(dutch + "\ud800") == "nl"  # a lone surrogate


def test_language_a_non_dutch_opening_is_checked_on_more_text() -> None:
    english = "The minister said on Monday that the talks with Russia would start soon, according to sources. " * 4
    dutch = ("Het kabinet wil dat de gesprekken met Rusland binnenkort beginnen. Volgens de minister verloopt het "
             "vooroverleg in een positieve sfeer, maar over de uitkomst kan hij nog niets zeggen. ") * 12
    assert detect_language(english) == "en"
    assert detect_language(english + dutch) == "nl"  # the opening alone would say English

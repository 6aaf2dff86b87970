"""Matching a "Lees ook" reference to an archived title (kroniek/references.py): keys, similarity, the choice."""

from __future__ import annotations

import pytest

from kroniek.model import ArticleDate
from kroniek.references import (
    EXACT,
    MIN_SIMILARITY,
    SUBTITLE_PENALTY,
    Candidate,
    choose,
    lookup_keys,
    normalise,
    search_words,
    similarity,
    title_key,
)

REFERENCE = "Rusland aansprakelijk stellen voor MH17 – wat betekent dat?"


def score(reference: str, title: str) -> float | None:
    return similarity(title_key(reference), title_key(title))


def test_references_normalise_drops_accents_case_punctuation_and_extra_spaces() -> None:
    assert normalise("  ‘Australië’  praat met “RUSLAND”… ") == "australie praat met rusland"
    assert normalise("Noord-Korea en MH-17: één vraag") == "noordkorea en mh17 een vraag"
    assert normalise("Straße & café") == "strasse cafe"
    assert normalise("—?!") == ""
    # the index splits at every such character: the words a title is looked up by
    assert search_words("Noord-Korea en MH-17") == ["noord", "korea", "en", "mh", "17"]


def test_references_a_title_key_knows_the_part_before_its_subtitle() -> None:
    assert title_key(REFERENCE) == ("rusland aansprakelijk stellen voor mh17 wat betekent dat",
                                    "rusland aansprakelijk stellen voor mh17")
    assert title_key("Brexit: wat nu?").head is None  # one word is no title of its own
    assert title_key("Wat betekent dat?").head is None  # nothing after the question mark
    assert title_key("Vertraging om 12:30 uur op Schiphol").head is None  # a time is no subtitle
    assert title_key("Het kabinet valt - en nu?").head == "het kabinet valt"
    assert title_key(REFERENCE).lookup() == ("ruslandaansprakelijkstellenvoormh17watbetekentdat",
                                             "ruslandaansprakelijkstellenvoormh17")


@pytest.mark.parametrize("title", [
    "Rusland aansprakelijk stellen voor MH17 – wat betekent dat?",  # the same
    "rusland aansprakelijk stellen voor mh17 – wat betekent dat?",  # case
    "RUSLAND AANSPRAKELIJK STELLEN VOOR MH17 - WAT BETEKENT DAT",  # case, another dash, no question mark
    "Rusland aansprakelijk stellen voor MH17: wat betekent dat",  # a colon for the dash
    "“Rusland aansprakelijk stellen voor MH-17” — wat betekent dát?",  # quotes, a hyphen, an accent
    "Rusland  aansprakelijk stellen\nvoor MH17 –  wat betekent dat ?",  # spaces and a line end
    "Rusland aansprakelijk stellen voor MH17? Wat betekent dat",  # a question mark for the dash
])
def test_references_exact_match_whatever_the_accents_punctuation_and_case(title: str) -> None:
    assert score(REFERENCE, title) == EXACT


def test_references_accents_on_either_side() -> None:
    assert score("Australie en Oekraine praten", "Australië en Oekraïne praten") == EXACT
    assert score("Reünie in Zürich", "reunie in zurich") == EXACT


@pytest.mark.parametrize("reference,title", [
    (REFERENCE, "Rusland aansprakelijk stellen voor MH17"),  # the title without the question
    ("Rusland aansprakelijk stellen voor MH17", REFERENCE),  # the reference without it
])
def test_references_a_title_plus_or_minus_its_subtitle(reference: str, title: str) -> None:
    assert score(reference, title) == EXACT - SUBTITLE_PENALTY


@pytest.mark.parametrize("reference,title", [
    ("Rusland aansprakelik stellen voor MH17 – wat betekent dat?", REFERENCE),  # a letter left out
    ("Rusland aansprakelijk stelen voor MH17 – wat betekent dat?", REFERENCE),
    ("Rusland aansprakelijk stellen voor MH17 – wat betekent dit?", REFERENCE),  # one vowel
    ("Rusland aansprakeljik stellen voor MH17", REFERENCE),  # two letters swapped, without the subtitle
])
def test_references_small_variations_still_match(reference: str, title: str) -> None:
    found = score(reference, title)
    assert found is not None and MIN_SIMILARITY - SUBTITLE_PENALTY <= found < EXACT


@pytest.mark.parametrize("reference,title", [
    ("Oekraïne aansprakelijk stellen voor MH17 – wat betekent dat?", REFERENCE),  # another country
    ("Kabinet valt niet over stikstof", "Kabinet valt over stikstof"),  # a word added
    ("Blok wil praten met Iran", "Blok wil praten met Oman"),  # another name, three letters apart
    ("Minister van Buitenlandse Zaken wil praten met Iran", "Minister van Buitenlandse Zaken wil praten met Oman"),
    ("298 doden bij de ramp met MH17", "299 doden bij de ramp met MH17"),  # another number
    ("Rusland aansprakelijk stellen voor MH17 is onzin", "Rusland aansprakelijk stellen voor MH17"),  # no subtitle
    ("Rusland aansprakelijk stellen voor MH17: de juridische kant", REFERENCE),  # another subtitle
    ("Brexit: wat nu?", "Brexit"),  # too short a title to stand for the whole
    ("Rusland aansprakelijk gesteld voor MH17 – wat betekent dat?", REFERENCE),
    ("", REFERENCE),
    ("–", "–"),
])
def test_references_near_misses_do_not_match(reference: str, title: str) -> None:
    assert score(reference, title) is None


def _day(text: str) -> ArticleDate:
    return ArticleDate.parse(text)


def test_references_choose_the_closest_article_before_the_referring_one() -> None:
    older = Candidate("2014", _day("2014-07-20"), EXACT)
    closest = Candidate("2018", _day("2018-05-25"), EXACT)
    later = Candidate("2019-03", _day("2019-03-01"), EXACT)  # after the referring article: never first
    referring = _day("2019-02-14")
    assert choose([older, later, closest], referring) == closest
    assert choose([older, later], referring) == older
    assert choose([later], referring) == later
    assert choose([], referring) is None
    # an article in the referring article's own period (February 2019) is not after it
    same_month = Candidate("feb", _day("2019-02-20"), EXACT)
    assert choose([older, same_month], _day("2019-02")) == same_month


def test_references_choose_an_exact_title_before_a_variant_then_the_better_score() -> None:
    referring = _day("2019-02-14")
    variant = Candidate("variant", _day("2019-02-01"), EXACT - SUBTITLE_PENALTY)
    exact = Candidate("exact", _day("2017-01-01"), EXACT)
    assert choose([variant, exact], referring) == exact
    typo = Candidate("typo", _day("2019-02-01"), 93.0)
    assert choose([typo, variant], referring) == variant  # the same day: the better score
    undated = Candidate("undated", None, EXACT)
    assert choose([undated, exact], referring) == exact
    # an undated referring article: the oldest
    assert choose([Candidate("b", _day("2018-01-01"), EXACT), Candidate("a", _day("2016-01-01"), EXACT)],
                  None).id == "a"


def test_references_lookup_keys_of_titles() -> None:
    assert lookup_keys(["Rusland aansprakelijk stellen voor MH17: wat betekent dat", "–"]) == [
        "ruslandaansprakelijkstellenvoormh17", "ruslandaansprakelijkstellenvoormh17watbetekentdat"]

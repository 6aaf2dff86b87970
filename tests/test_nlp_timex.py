"""Tests of the Dutch time-expression finder and normaliser: each class of expression, tense, DCT precision."""

from __future__ import annotations

import pytest

from kroniek.model import ArticleDate, TimeExpression
from kroniek.nlp.time_expressions import find_timexes

THU = ArticleDate(2019, 2, 14)  # a Thursday, ISO week 7
FRI = ArticleDate(2001, 6, 15)  # a Friday, ISO week 24


def timexes(text: str, dct: ArticleDate | None = THU) -> list[TimeExpression]:
    return find_timexes(text, dct)


def one(text: str, dct: ArticleDate | None = THU) -> tuple[str, str, str]:
    """The single expression found in `text`, as (text, type, value)."""
    found = timexes(text, dct)
    assert len(found) == 1, f"expected one expression in {text!r}, got {found}"
    t = found[0]
    return t.text, t.type, t.value


def values(text: str, dct: ArticleDate | None = THU) -> list[str]:
    return [t.value for t in timexes(text, dct)]


@pytest.mark.parametrize("text, expected", [
    ("Het toestel werd op 17 juli 2014 neergehaald.", ("17 juli 2014", "DATE", "2014-07-17")),
    ("Het toestel werd op 17-07-2014 neergehaald.", ("17-07-2014", "DATE", "2014-07-17")),
    ("De uitspraak valt op 2019-03-01.", ("2019-03-01", "DATE", "2019-03-01")),
    ("In juli 2014 begon het onderzoek.", ("juli 2014", "DATE", "2014-07")),
    ("Het onderzoek begon in 2014.", ("2014", "DATE", "2014")),
    ("In de jaren negentig was alles anders.", ("de jaren negentig", "DATE", "199")),
    ("In de jaren '80 was alles anders.", ("de jaren '80", "DATE", "198")),
    ("Dat was in de twintigste eeuw.", ("de twintigste eeuw", "DATE", "19")),
    ("Dat was in de 19de eeuw.", ("de 19de eeuw", "DATE", "18")),
    ("Het gesprek stond gepland in week 7.", ("week 7", "DATE", "2019-W07")),
    ("De winter van 2014 was streng.", ("De winter van 2014", "DATE", "2014-WI")),
    ("Op Goede Vrijdag 1998 werd het akkoord gesloten.", ("Goede Vrijdag 1998", "DATE", "1998-04-10")),
    ("In het derde kwartaal van 2018 daalde de winst.", ("het derde kwartaal van 2018", "DATE", "2018-Q3")),
])
def test_timex_absolute_dates(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Gisteren zei hij dat.", ("Gisteren", "DATE", "2019-02-13")),
    ("Vandaag is het stil.", ("Vandaag", "DATE", "2019-02-14")),
    ("Morgen komt hij terug.", ("Morgen", "DATE", "2019-02-15")),
    ("Vorige week was het koud.", ("Vorige week", "DATE", "2019-W06")),
    ("Volgende week begint het.", ("Volgende week", "DATE", "2019-W08")),
    ("Vorige maand was het koud.", ("Vorige maand", "DATE", "2019-01")),
    ("Vorig jaar was het koud.", ("Vorig jaar", "DATE", "2018")),
    ("Nederland heeft Rusland vorig jaar mei aansprakelijk gesteld.", ("vorig jaar mei", "DATE", "2018-05")),
    ("In mei vorig jaar stelde Nederland Rusland aansprakelijk.", ("mei vorig jaar", "DATE", "2018-05")),
    ("Afgelopen zaterdag won Ajax.", ("Afgelopen zaterdag", "DATE", "2019-02-09")),
    ("Vorige week dinsdag was er overleg.", ("Vorige week dinsdag", "DATE", "2019-02-05")),
    ("Het overleg is donderdag volgende week.", ("donderdag volgende week", "DATE", "2019-02-21")),
    ("Begin volgend jaar komt er een besluit.", ("Begin volgend jaar", "DATE", "2020")),
    ("Het rapport verscheen eind vorig jaar.", ("eind vorig jaar", "DATE", "2018")),
    ("Over twee weken is de uitslag bekend.", ("twee weken", "DATE", "2019-W09")),
    ("Twee jaar geleden ging het mis.", ("Twee jaar geleden", "DATE", "2017")),
    ("Drie dagen geleden ging het mis.", ("Drie dagen geleden", "DATE", "2019-02-11")),
    ("Dit jaar gaat het beter.", ("Dit jaar", "DATE", "2019")),
    ("Afgelopen zomer was het heet.", ("Afgelopen zomer", "DATE", "2018-SU")),
    ("Deze zomer gaan we weg.", ("Deze zomer", "DATE", "2019-SU")),
])
def test_timex_relative_dates(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Donderdagavond bevestigde een woordvoerder het.", ("Donderdagavond", "TIME", "2019-02-07TEV")),
    ("Gisteravond sprak de premier.", ("Gisteravond", "TIME", "2019-02-13TEV")),
    ("Vanmiddag spreekt de premier.", ("Vanmiddag", "TIME", "2019-02-14TAF")),
    ("Om 17.00 uur begon de wedstrijd.", ("17.00 uur", "TIME", "2019-02-14T17:00")),
    ("'s Middags om twee uur begon de wedstrijd.", ("'s Middags om twee uur", "TIME", "2019-02-14T14:00")),
    ("Een brand woedde in de nacht van zaterdag op zondag.",
     ("de nacht van zaterdag op zondag", "TIME", "2019-02-09TNI")),
])
def test_timex_times(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text) == expected


def test_timex_clock_times_with_part_of_day_and_ranges() -> None:
    assert values("Om elf uur 's avonds was het voorbij.") == ["2019-02-14T23:00"]
    assert values("Het museum is open van 10.00 tot 17.00 uur.") == ["2019-02-14T10:00", "2019-02-14T17:00"]
    assert values("Het duurde drie uur.") == ["PT3H"]  # without "om" an hour count is a duration


def test_timex_clock_time_after_a_night_falls_on_the_next_day() -> None:
    text = ("De politie greep in de nacht van zaterdag op zondag in. "
            "Rond 0.30 uur kwam een man om het leven.")
    assert values(text) == ["2019-02-09TNI", "2019-02-10T00:30"]


@pytest.mark.parametrize("text, expected", [
    ("Het duurde drie jaar.", ("drie jaar", "DURATION", "P3Y")),
    ("Het duurde 28 uur en 45 minuten.", ("28 uur en 45 minuten", "DURATION", "PT28H45M")),
    ("Het duurde een kwartier.", ("een kwartier", "DURATION", "PT15M")),
    ("Het duurde anderhalf jaar.", ("anderhalf jaar", "DURATION", "P18M")),
    ("Ze werkt er al jaren.", ("jaren", "DURATION", "PXY")),
    ("Enkele weken later kwam het antwoord.", ("Enkele weken", "DURATION", "PXW")),
    ("Dat duurde tientallen jaren.", ("tientallen jaren", "DURATION", "PXDE")),
    ("Hij zat urenlang te wachten.", ("urenlang", "DURATION", "PTXH")),
    ("De afgelopen drie jaar groeide het bedrijf.", ("De afgelopen drie jaar", "DURATION", "P3Y")),
    ("Binnen twee weken moet het klaar zijn.", ("twee weken", "DURATION", "P2W")),
    ("Hij werkte de hele dag door.", ("de hele dag", "DURATION", "P1D")),
    ("Het afgelopen jaar groeide het.", ("Het afgelopen jaar", "DURATION", "P1Y")),
])
def test_timex_durations(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Elke maandag vergadert de raad.", ("Elke maandag", "SET", "XXXX-WXX-1")),
    ("Jaarlijks komen er duizend bij.", ("Jaarlijks", "SET", "P1Y")),
    ("De jaarlijkse optocht trekt door de stad.", ("jaarlijkse", "SET", "P1Y")),
    ("Iedere dag komen er meer.", ("Iedere dag", "SET", "P1D")),
    ("Hij krijgt eens in de acht uur een pil.", ("eens in de acht uur", "SET", "PT8H")),
])
def test_timex_sets(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Binnenkort weten we meer.", ("Binnenkort", "DATE", "FUTURE_REF")),
    ("Er komen in de nabije toekomst gesprekken.", ("de nabije toekomst", "DATE", "FUTURE_REF")),
    ("Tot nu toe is er niets gebeurd.", ("Tot nu toe", "DATE", "PRESENT_REF")),
    ("Het is nu zover.", ("nu", "DATE", "PRESENT_REF")),
    ("Onlangs kwam hij terug.", ("Onlangs", "DATE", "PAST_REF")),
    ("Vroeger was dat anders.", ("Vroeger", "DATE", "PAST_REF")),
    ("Op termijn moet het beter.", ("Op termijn", "DATE", "FUTURE_REF")),
])
def test_timex_vague_references(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize("text", [
    "Hij is 45 jaar oud.",
    "De 45-jarige man werd aangehouden.",
    "Het kost 2000 euro.",
    "Dat is nu eenmaal zo.",
    "De volgende morgen was hij weg.",
    "Het Goede Vrijdag-akkoord bracht vrede.",
    "Jeanne Roos is 84 jaar geworden.",
    "Ik ben pas 25 jaar.",
])
def test_timex_not_time_expressions(text: str) -> None:
    assert timexes(text) == []


# --- tense decides the direction of a bare weekday or month ---------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("Zaterdag won Ajax van PSV.", "2019-02-09"),  # weak/strong past
    ("Zaterdag speelde Ajax tegen PSV.", "2019-02-09"),  # weak past -de
    ("Ajax heeft zaterdag van PSV gewonnen.", "2019-02-09"),  # perfect
    ("Ajax is zaterdag vertrokken.", "2019-02-09"),  # perfect with zijn
    ("Het gebeurde zaterdag.", "2019-02-09"),  # weak past after a subject pronoun
    ("Zaterdag speelt Ajax tegen PSV.", "2019-02-16"),  # present with future meaning
    ("Ajax zal zaterdag tegen PSV spelen.", "2019-02-16"),  # zullen
    ("Ajax gaat zaterdag tegen PSV spelen.", "2019-02-16"),  # gaan + infinitive
    ("Zaterdag worden de plannen gepresenteerd.", "2019-02-16"),  # present passive is not a perfect
    ("Sinds maandag staakt het personeel.", "2019-02-11"),  # sinds looks back
    ("Donderdag vertrok hij.", "2019-02-07"),  # the DCT's own weekday: strictly before
    ("Donderdag vertrekt hij.", "2019-02-21"),  # and strictly after
])
def test_timex_tense_decides_weekday(text: str, value: str) -> None:
    assert values(text) == [value]


@pytest.mark.parametrize("text, value", [
    ("In maart was het klaar.", "2018-03"),
    ("In maart is het klaar.", "2019-03"),
    ("In januari zal het klaar zijn.", "2020-01"),
    ("In januari was het klaar.", "2019-01"),
    ("In februari was het klaar.", "2019-02"),  # the DCT's own month either way
    ("In februari komt het rapport.", "2019-02"),
])
def test_timex_tense_decides_month(text: str, value: str) -> None:
    assert values(text) == [value]


def test_timex_tense_is_read_per_clause() -> None:
    text = "In Cordoba treft Egypte woensdag Ghana, dat gisteravond verrassend won van Chili."
    assert values(text, FRI) == ["2001-06-20", "2001-06-14TEV"]


def test_timex_day_and_month_without_year_follow_the_tense() -> None:
    assert values("Hij werd op 25 juni ontvoerd.", FRI) == ["2000-06-25"]
    assert values("Het toernooi begint op 29 juli.", FRI) == ["2001-07-29"]
    assert values("Op 15 juni werd hij ontvoerd.", FRI) == ["2001-06-15"]  # the DCT itself is not after it


def test_timex_weekday_with_date_fixes_the_year() -> None:
    assert values("Het gebeurde op zondag 3 februari.", THU) == ["2019-02-03"]
    assert values("Op zondag 3 februari gaat het gebeuren.", THU) == ["2019-02-03"]


# --- article dates known to the month or the year -------------------------------------------------------------

MONTH_DCT = ArticleDate(2019, 2)
YEAR_DCT = ArticleDate(2019)


@pytest.mark.parametrize("text, value", [
    ("Donderdagavond bevestigde een woordvoerder het.", "2019-02-XXTEV"),
    ("Zaterdag won Ajax.", "2019-02-XX"),
    ("Gisteren was het stil.", "2019-02-XX"),
    ("Vorige maand was het stil.", "2019-01"),
    ("Vorig jaar mei was het stil.", "2018-05"),
    ("In maart zal het klaar zijn.", "2019-03"),
    ("In maart was het klaar.", "2018-03"),
    ("Vorige week was het stil.", "2019-WXX"),
])
def test_timex_month_precision_dct_keeps_x(text: str, value: str) -> None:
    assert values(text, MONTH_DCT) == [value]


@pytest.mark.parametrize("text, value", [
    ("Zaterdag won Ajax.", "2019-XX-XX"),
    ("Vorige maand was het stil.", "2019-XX"),
    ("Vorig jaar was het stil.", "2018"),
    ("In maart was het klaar.", "2019-03"),
    ("Donderdagavond bevestigde een woordvoerder het.", "2019-XX-XXTEV"),
])
def test_timex_year_precision_dct_keeps_x(text: str, value: str) -> None:
    assert values(text, YEAR_DCT) == [value]


def test_timex_without_dct_relative_values_stay_unknown() -> None:
    assert values("Gisteren zei hij dat hij in 2014 vorig jaar mei kwam.", None) == ["XXXX-XX-XX", "2014", "XXXX-05"]


# --- calendar edges -------------------------------------------------------------------------------------------

def test_timex_leap_day_without_year_goes_to_a_leap_year() -> None:
    assert values("Op 29 februari werd hij geboren.", ArticleDate(2019, 3, 10)) == ["2016-02-29"]
    assert values("Op 29 februari zal hij spreken.", ArticleDate(2019, 3, 10)) == ["2020-02-29"]
    assert values("Op 29 februari werd hij geboren.", ArticleDate(2020, 3, 1)) == ["2020-02-29"]


def test_timex_impossible_date_is_not_a_date() -> None:
    assert values("Het gebeurde op 29-02-2019.") == []
    assert values("Het gebeurde op 29 februari 2019.") == ["2019-02"]  # the month stays, the day does not


@pytest.mark.parametrize("dct, text, value", [
    (ArticleDate(2021, 1, 2), "Vorige week was het feest.", "2020-W52"),  # Saturday of 2020-W53
    (ArticleDate(2021, 1, 2), "Deze week is het rustig.", "2020-W53"),
    (ArticleDate(2021, 1, 2), "Volgende week begint de school.", "2021-W01"),
    (ArticleDate(2020, 12, 30), "Volgende week begint het.", "2021-W01"),
    (ArticleDate(2019, 12, 30), "Deze week is het rustig.", "2020-W01"),  # Monday 30 December 2019 is in 2020-W01
    (ArticleDate(2019, 12, 30), "Vorige week was het feest.", "2019-W52"),
    (ArticleDate(2016, 1, 3), "Vorige week was het feest.", "2015-W52"),  # Sunday of 2015-W53
])
def test_timex_iso_weeks_at_year_ends(dct: ArticleDate, text: str, value: str) -> None:
    assert values(text, dct) == [value]


def test_timex_weekend_follows_the_tense() -> None:
    assert values("De conferentie was dit weekeinde in Dublin.", FRI) == ["2001-W23-WE"]
    assert values("De conferentie is dit weekeinde in Dublin.", FRI) == ["2001-W24-WE"]


def test_timex_sentence_bounds_are_filled() -> None:
    text = "Het was stil. Gisteren zei hij dat."
    (t,) = timexes(text)
    assert (t.sentence_start, t.sentence_end) == (14, len(text))
    assert text[t.start:t.end] == t.text == "Gisteren"


def test_timex_present_clause_does_not_take_the_tense_of_its_neighbour() -> None:
    # the clause after the colon is in the present tense: the coming June, not the last one
    assert values("Zaterdag ging de partij akkoord: in juni komt ze voor de kiezer.", THU)[-1] == "2019-06"
    assert values("Vorige week was het rustig, maar maandag is de vergadering.", THU)[-1] == "2019-02-18"
    # a past cue in the same clause still wins over a present form
    assert values("Het bedrijf heeft in juni minder verkocht.", THU) == ["2018-06"]


@pytest.mark.parametrize("low, lemma, tense", [
    ("speelden", "spelen", "past"), ("werkten", "werken", "past"), ("worden", "worden", None),
    ("kranten", "krant", None), ("trekt", "trekken", "present"), ("maakt", "maken", "present"),
    ("leeft", "leven", "present"), ("vindt", "vinden", "present"), ("staat", "staan", "present"),
    ("verkocht", "verkopen", None), ("gemaakt", "maken", None),
])
def test_timex_verb_tense_from_the_lemma(low: str, lemma: str, tense: str | None) -> None:
    from kroniek.nlp.timex_normalise import verb_tense

    assert verb_tense(low, lemma) == tense


def test_timex_component_reads_the_tense_of_plural_past_verbs_from_the_lemmas() -> None:
    import spacy

    from kroniek.nlp.time_expressions import TimexComponent  # noqa: F401  (registers the factory)

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kroniek_timex")
    lemmas = {"speelden": "spelen", "spelers": "speler"}
    doc = nlp.make_doc("De spelers speelden zaterdag een wedstrijd.")
    for t in doc:
        t.lemma_ = lemmas.get(t.lower_, t.lower_)
    doc._.dct = THU
    doc = nlp(doc)
    assert [t.value for t in doc._.timexes] == ["2019-02-09"]


JUL = ArticleDate(2006, 7, 27)  # a Thursday in the third quarter


@pytest.mark.parametrize("text, expected", [
    ("Het bedrijf heeft in het tweede kwartaal minder verkocht.", ("het tweede kwartaal", "DATE", "2006-Q2")),
    ("Het bedrijf verkocht in het derde kwartaal meer.", ("het derde kwartaal", "DATE", "2006-Q3")),
    ("In het vierde kwartaal komt de nieuwe fabriek.", ("het vierde kwartaal", "DATE", "2006-Q4")),
    ("In het eerste kwartaal opent de fabriek.", ("het eerste kwartaal", "DATE", "2007-Q1")),
    ("Het eerste kwartaal was slecht.", ("Het eerste kwartaal", "DATE", "2006-Q1")),
    ("Het eerste halfjaar van Bellaart was moeilijk.", ("Het eerste halfjaar", "DURATION", "P6M")),
])
def test_timex_ordinal_quarter_is_a_quarter_in_the_direction_of_the_tense(text: str,
                                                                          expected: tuple[str, str, str]) -> None:
    assert one(text, JUL) == expected


@pytest.mark.parametrize("text, expected", [
    ("De werken duren driekwart jaar.", ("driekwart jaar", "DURATION", "P9M")),
    ("Het gezelschap bestaat driekwart eeuw.", ("driekwart eeuw", "DURATION", "P75Y")),
    ("De cursus duurt een volle dag.", ("een volle dag", "DURATION", "P1D")),
    ("Krap drieënhalf uur later landden we.", ("Krap drieënhalf uur", "DURATION", "PT3H30M")),
    ("Sinds twee jaar wordt hij gevolgd.", ("twee jaar", "DURATION", "P2Y")),
])
def test_timex_more_durations(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text, JUL) == expected


@pytest.mark.parametrize("text, expected", [
    ("Hij verdient 100 euro per uur.", ("per uur", "SET", "PT1H")),
    ("De krant krijgt zes stroken per week.", ("per week", "SET", "P1W")),
    ("Sabena organiseert om de maand een cursus.", ("om de maand", "SET", "P1M")),
    ("Ze keren om de drie maanden terug.", ("om de drie maanden", "SET", "P3M")),
    ("Ze zag hem eenmaal per jaar.", ("eenmaal per jaar", "SET", "P1Y")),
    ("Het plein loopt elk weekend vol.", ("elk weekend", "SET", "XXXX-WXX-WE")),
])
def test_timex_more_sets(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text, JUL) == expected


def test_timex_a_speed_is_not_a_set() -> None:
    assert timexes("Windstoten van 120 kilometer per uur.", JUL) == []


def test_timex_past_and_present_nouns() -> None:
    assert one("Ze blikt terug op een bewogen verleden.", JUL) == ("verleden", "DATE", "PAST_REF")
    assert one("Heden is alles anders.", JUL) == ("Heden", "DATE", "PRESENT_REF")
    assert one("Verleden week was het feest.", JUL) == ("Verleden week", "DATE", "2006-W29")
    assert timexes("Het gaat over de toekomst van de archipel.", JUL) == []


def test_timex_half_month_follows_the_tense() -> None:
    assert one("Hij verwacht dat de testritten half december plaatsvinden.", JUL) == ("half december", "DATE",
                                                                                       "2006-12")
    assert one("Half december was het koud.", JUL) == ("Half december", "DATE", "2005-12")

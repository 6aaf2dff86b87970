"""Quotations: hand-made Dutch sentences for every pattern the component reads, and the cases it must leave alone."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
import spacy
from conftest import ALPINO_JSONL, EVAL, ROOT, SEED
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Span as SpacySpan

from kroniek.model import Quote, Span, Structure
from kroniek.nlp import extensions
from kroniek.nlp.quotations import find_quotations, find_quote_pairs, split_sentences


def quotes(text: str, **kw) -> list[Quote]:
    return find_quotations(text, **kw)


def only(text: str, kind: str | None = None) -> Quote:
    found = [q for q in quotes(text) if kind is None or q.kind == kind]
    assert len(found) == 1, found
    return found[0]


# -- quotation marks -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("opening, closing", [
    ("“", "”"), (",,", "''"), (",, ", " ''"), ('"', '"'), ("„", "”"), ("‘", "’"), ("'", "'"), ("«", "»"),
])
def test_nlp_quotations_every_mark_style_gives_a_direct_quote(opening: str, closing: str) -> None:
    text = f"Jan de Vries is tevreden. {opening}We hebben hard gewerkt voor deze zege{closing}, zegt De Vries."
    q = only(text)
    assert (q.kind, q.text, q.cue) == ("direct", "We hebben hard gewerkt voor deze zege", "zegt")
    assert q.speaker == "Jan de Vries"
    assert text[q.start:q.end] == q.text


def test_nlp_quotations_old_style_marks_after_three_commas() -> None:
    text = ",,Ik ben bereid om terug te komen'', zei Trimble gisteren,,,maar alleen als we ophouden.''"
    first, second = quotes(text)
    assert first.text == "Ik ben bereid om terug te komen" and second.text == "maar alleen als we ophouden."
    assert first.speaker == second.speaker == "Trimble" and second.kind == "direct"


def test_nlp_quotations_apostrophes_are_not_quotation_marks() -> None:
    text = "Boer J. van 't Hof heeft z'n zaak verkocht aan Women's Wear, 's middags om drie uur."
    assert find_quote_pairs(text) == []
    assert quotes(text) == []


def test_nlp_quotations_a_quotation_over_several_sentences_is_one_quote() -> None:
    text = ("Trainer Piet Bos was boos. ,, Dit is niet goed genoeg. We moeten beter verdedigen. "
            "Volgende week wil ik een ander team zien. ''")
    q = only(text)
    assert q.text.startswith("Dit is niet goed") and q.text.endswith("ander team zien.")
    assert q.speaker == "Piet Bos"


def test_nlp_quotations_a_quotation_running_on_over_paragraphs() -> None:
    text = ('Trainer Ronald Koeman was kritisch. "We speelden slecht. Niemand deed wat hij moest doen.\n\n'
            '"Volgende week moet het beter", aldus Koeman.')
    first, second = quotes(text)
    assert first.text == "We speelden slecht. Niemand deed wat hij moest doen." and first.kind == "direct"
    assert first.speaker == second.speaker == "Ronald Koeman" and second.cue == "aldus"


def test_nlp_quotations_sentences_do_not_break_inside_a_quotation() -> None:
    text = "Hij zei: “Eén. Twee. Drie.” Daarna ging hij weg."
    sents = split_sentences(text, find_quote_pairs(text))
    assert [text[s:e] for s, e in sents] == ["Hij zei: “Eén. Twee. Drie.”", "Daarna ging hij weg."]


# -- speakers --------------------------------------------------------------------------------------------------

def test_nlp_quotations_continued_quote_carries_the_previous_speaker() -> None:
    text = "“We zijn in gesprek”, laat het ministerie weten. “Binnenkort volgt meer nieuws.”"
    first, second = quotes(text)
    assert first.cue == "laat weten" and first.speaker_mention == "het ministerie"
    assert second.kind == "direct" and second.cue == "" and second.speaker_mention == "het ministerie"


def test_nlp_quotations_speaker_colon() -> None:
    q = only("Minister Stef Blok sprak de Kamer toe. Blok: “We mogen hoopvol zijn.”")
    assert (q.cue, q.speaker_mention, q.speaker) == (":", "Blok", "Stef Blok")


def test_nlp_quotations_verb_before_colon() -> None:
    q = only("President Pastrana verklaarde: ,, Dit is een klap in ons gezicht. ''")
    assert q.cue == "verklaarde" and q.speaker == "Pastrana"


def test_nlp_quotations_pronoun_resolves_to_the_named_person() -> None:
    text = "Bondscoach Louis van Gaal keek somber. ,,Dit was onze slechtste wedstrijd'', zei hij."
    q = only(text)
    assert (q.speaker_mention, q.speaker) == ("hij", "Louis van Gaal")


def test_nlp_quotations_role_resolves_to_the_person_with_that_role() -> None:
    text = ("Minister Stef Blok (Buitenlandse Zaken) sprak met verslaggevers. Het overleg verloopt volgens de "
            "bewindsman “in positieve sfeer”.")
    q = only(text)
    assert (q.kind, q.text, q.cue, q.speaker_mention, q.speaker) == (
        "partial", "in positieve sfeer", "volgens", "de bewindsman", "Stef Blok")


def test_nlp_quotations_unnamed_speaker_keeps_the_fullest_description() -> None:
    text = ("Dat bevestigde een woordvoerder van het ministerie donderdag. Het ministerie wil dat “bevestigen noch "
            "ontkennen”, aldus de woordvoerder.")
    partial = [q for q in quotes(text) if q.kind == "partial"]
    assert len(partial) == 1
    assert partial[0].speaker_mention == "de woordvoerder"
    assert partial[0].speaker == "een woordvoerder van het ministerie"


def test_nlp_quotations_acronym_resolves_to_the_written_out_name() -> None:
    text = ("Women's Ordination Worldwide (WOW) hield een congres in Dublin. De WOW pleit voor financiële steun "
            "aan religieuzen.")
    q = only(text, "indirect")
    assert q.speaker == "Women's Ordination Worldwide" and q.text == "financiële steun aan religieuzen"


def test_nlp_quotations_comma_inside_the_marks_and_a_name_in_apposition() -> None:
    text = ("De burgemeester van Utrecht, Sharon Dijksma, waarschuwde voor drukte. ‘Kom niet met de auto,’ zei ze. "
            "‘De garages zijn vol.’")
    first, second = quotes(text)
    assert (first.text, first.kind, first.cue, first.speaker) == ("Kom niet met de auto", "direct", "zei",
                                                                  "Sharon Dijksma")
    assert second.speaker == "Sharon Dijksma" and second.cue == ""


def test_nlp_quotations_pronoun_resolves_to_an_unnamed_role_and_acronyms_speak() -> None:
    text = ("Het OM eist twee jaar cel tegen de verdachte uit Almere. Hij verklaarde tegenover de rechter dat hij "
            "onschuldig was.")
    demand, statement = quotes(text)
    assert (demand.speaker_mention, demand.text) == ("Het OM", "twee jaar cel tegen de verdachte uit Almere")
    assert (statement.speaker_mention, statement.speaker) == ("Hij", "de verdachte uit Almere")


def test_nlp_quotations_a_name_does_not_swallow_the_organisation_after_it() -> None:
    q = only("De wegen zijn glad. Dat zegt directeur Jan Jansen van de ANWB.")
    assert (q.text, q.speaker) == ("De wegen zijn glad", "Jan Jansen")


def test_nlp_quotations_one_quoted_word_with_its_cue_is_partial() -> None:
    q = only("Minister Hugo de Jonge noemde de cijfers \"zorgwekkend\". Daarna vertrok hij.")
    assert (q.kind, q.text, q.cue, q.speaker) == ("partial", "zorgwekkend", "noemde", "Hugo de Jonge")
    assert quotes("Een 'rotsituatie' vond Boogerd het.")[0].kind == "partial"


def test_nlp_quotations_fragments_after_a_reported_view_are_partial_quotes_of_its_source() -> None:
    text = ("Volgens Maguire komt dat er wel van. De kerk kan het 'grievende geweld tegen vrouwen', ja zelfs "
            "'misbruik' toch niet volhouden.")
    found = quotes(text)
    assert [(q.kind, q.text, q.speaker) for q in found] == [
        ("indirect", "komt dat er wel van", "Maguire"),
        ("partial", "grievende geweld tegen vrouwen", "Maguire"),
        ("partial", "misbruik", "Maguire"),
    ]
    assert quotes("Het leger rukte op. Het zogenoemde 'nieuwe normaal' was voorbij.") == []


def test_nlp_quotations_a_place_after_a_role_does_not_bear_the_role() -> None:
    text = "Ook de burgemeester van Den Haag liet van zich horen. Hij noemde haar \"een icoon van de stad\"."
    q = only(text)
    assert (q.kind, q.speaker_mention, q.speaker) == ("partial", "Hij", "de burgemeester van Den Haag")


def test_nlp_quotations_plural_ze_resolves_to_the_named_group() -> None:
    text = ("Bondscoach Stefaan Obreno, Roskam en trainer Jacco Verhaeren waren ongerust. Ze wezen op de aanpak van "
            "PSV. Ad Roskam zweeg verder.")
    q = only(text)
    assert q.speaker_mention == "Ze" and q.speaker == "Stefaan Obreno, Ad Roskam en Jacco Verhaeren"


def test_nlp_quotations_interrupted_quote_gives_two_quotes_with_one_speaker() -> None:
    text = "Jansen was strijdbaar. ,,Wij weten'', aldus Jansen,,, waar onze prioriteiten liggen.''"
    first, second = quotes(text)
    assert (first.text, second.text) == ("Wij weten", "waar onze prioriteiten liggen.")
    assert first.cue == second.cue == "aldus" and first.speaker == second.speaker == "Jansen"


def test_nlp_quotations_subheading_quote_gets_the_speaker_of_the_section() -> None:
    text = ("Het kabinet praat met Rusland.\n\n‘Nog niet vooruitlopen op onderhandelingen’\n\n"
            "Minister Stef Blok wil nog niets zeggen over de resultaten.")
    start = text.index("‘")
    structure = Structure(subheadings=[Span(start, text.index("\n\nMinister"))])
    q = only(text)
    assert q.text == "Nog niet vooruitlopen op onderhandelingen" and q.kind == "direct"
    assert quotes(text, structure=structure)[0].speaker == "Stef Blok"
    assert q.speaker == "Stef Blok"


def test_nlp_quotations_named_entities_from_the_doc_are_used() -> None:
    text = "Volgens Interpay haperde het betalingsverkeer enkele kwartieren."
    q = only(text)
    assert q.speaker == "Interpay"
    ents = [(text.index("Interpay"), text.index("Interpay") + len("Interpay"), "MISC")]
    assert quotes(text, ents=ents) == []  # a product or event named by NER is not a source


# -- indirect speech -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, cue, content", [
    ("De burgemeester zegt dat de brug dicht blijft.", "zegt", "de brug dicht blijft"),
    ("De burgemeester zei gisteren dat de brug dicht blijft.", "zei", "de brug dicht blijft"),
    ("Een woordvoerster van de politie meldt dat er niemand gewond is.", "meldt", "er niemand gewond is"),
    ("De minister bevestigt dat het kabinet praat met Moskou.", "bevestigt", "het kabinet praat met Moskou"),
    ("De club ontkent dat de trainer is ontslagen.", "ontkent", "de trainer is ontslagen"),
    ("De bond stelt dat de regels helder zijn.", "stelt", "de regels helder zijn"),
    ("De premier benadrukt dat niemand iets te vrezen heeft.", "benadrukt", "niemand iets te vrezen heeft"),
    ("De inspectie waarschuwt dat de dijken zwak zijn.", "waarschuwt", "de dijken zwak zijn"),
    ("De rechtbank verklaarde dat de eis ongegrond was.", "verklaarde", "de eis ongegrond was"),
    ("Het ministerie laat weten dat de gesprekken doorgaan.", "laat", "de gesprekken doorgaan"),
    ("Volgens de politie sloeg de auto over de kop.", "volgens", "sloeg de auto over de kop"),
    ("Op de provincies na is overal iets georganiseerd, aldus boerenvoorman Jan Hof.", "aldus",
     "Op de provincies na is overal iets georganiseerd"),
    ("De brug blijft nog weken dicht, zegt de wethouder.", "zegt", "De brug blijft nog weken dicht"),
    ("De rechter oordeelde dat de verdachte schuldig is.", "oordeelde", "de verdachte schuldig is"),
    ("De onderzoekers hebben vastgesteld dat het water vervuild is.", "vastgesteld", "het water vervuild is"),
    ("Het kabinet heeft toegezegd de regels te versoepelen.", "toegezegd", "de regels te versoepelen"),
    ("Ze zocht contact met ploegleider Zijlaard die adviseerde te gokken.", "adviseerde", "te gokken"),
])
def test_nlp_quotations_indirect_speech_with_a_cue(sentence: str, cue: str, content: str) -> None:
    q = only(sentence)
    assert q.kind == "indirect" and q.text == content
    assert q.cue.lower() == cue
    assert q.speaker


def test_nlp_quotations_reported_request_inside_reported_speech() -> None:
    text = ("Bestuurslid Johan Hoeksema vertelde dat coördinator Ad Roskam hem heeft gevraagd eens met de club te "
            "gaan praten.")
    outer, inner = quotes(text)
    assert outer.speaker == "Johan Hoeksema" and outer.text.startswith("coördinator Ad Roskam hem heeft gevraagd")
    assert (inner.text, inner.speaker) == ("eens met de club te gaan praten", "Ad Roskam")


def test_nlp_quotations_anaphoric_dat_takes_the_previous_sentence() -> None:
    text = "De politie heeft tweehonderd supporters opgepakt. Een commissaris heeft dat tegenover media gemeld."
    q = only(text)
    assert q.text == "De politie heeft tweehonderd supporters opgepakt" and q.speaker == "een commissaris"


def test_nlp_quotations_directive_with_an_infinitive() -> None:
    q = only("Ze zocht contact met ploegleider Zijlaard die adviseerde te gokken op de sprint.")
    assert q.text == "te gokken op de sprint" and q.speaker == "Zijlaard"


# -- what is not a quotation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Het leger sprak van een 'mobilisatie' van reservisten.",
    "Zijn roman 'Geen Kritiek' verscheen in 1950 bij een kleine uitgeverij.",
    "Atkins speelde mee op hits als 'Wake Up Little Susie' van The Everly Brothers.",
    "Aanvoerder Heitinga zag in de slotfase 'rood' na een overtreding.",
    "Dat we bij 'priester' meteen aan 'man' denken, komt door onze bril.",
    "Kafelnikov wist dat hij de favoriet was.",
    "Volgens het akkoord moeten de wapens worden ingeleverd.",
    "Hij hoopt dat het morgen droog blijft.",
    "Elk ras stelt bepaalde eisen aan de wijze van productie.",
    "De minister vroeg zich af of dat wel klopt.",
])
def test_nlp_quotations_scare_quotes_titles_and_non_cues_are_left_alone(text: str) -> None:
    assert quotes(text) == []


def test_nlp_quotations_sentence_opening_adverb_is_not_the_speaker() -> None:
    text = "De wiskundige Robert De Morgan was een man van regels. Daarop zei hij dat elke regel een uitzondering kent."
    q = only(text)
    assert q.speaker_mention == "hij" and q.speaker == "Robert De Morgan"


# -- the component ---------------------------------------------------------------------------------------------

def test_nlp_quotations_component_sets_doc_quotes_with_hand_set_entities() -> None:
    extensions.register()
    nlp = spacy.blank("nl")
    nlp.add_pipe("kroniek_quotes")
    text = "Stef Blok is minister. “We mogen hoopvol zijn”, zegt Blok."
    doc = nlp.make_doc(text)
    doc.ents = [SpacySpan(doc, 0, 2, label="PER"), SpacySpan(doc, len(doc) - 2, len(doc) - 1, label="PER")]
    doc = nlp.get_pipe("kroniek_quotes")(doc)
    assert doc._.quotes == [Quote(24, 45, "We mogen hoopvol zijn", "direct", "zegt", "Blok", "Stef Blok",
                                  text.rindex("Blok"), text.rindex("Blok") + 4)]


_PIECES = st.sampled_from(["a", "b", " ", "Z", ".", ",", ":", "'", '"', "“", "”", "‘", "’", "„", ",,", "''", "«",
                           "»", "\n", "\n\n", "zei", " hij ", "volgens ", "Blok", " dat "])


@settings(max_examples=80, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_nlp_quotations_offsets_always_index_the_text(text: str) -> None:
    for q in quotes(text):
        assert 0 <= q.start < q.end <= len(text) and text[q.start:q.end] == q.text
        assert q.kind in {"direct", "partial", "indirect"}


# -- the seed article ------------------------------------------------------------------------------------------

def _scorer():
    spec = importlib.util.spec_from_file_location("kroniek_shared_score", EVAL / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nlp_quotations_seed_every_direct_and_partial_quote_with_its_speaker(shared) -> None:
    raw = SEED.read_text(encoding="utf-8")
    m = re.match(r"\s*date\s+\S+ ", raw)
    assert m is not None
    text = raw[m.end():].rstrip()
    gold = json.loads((EVAL / "seed-gold.json").read_text(encoding="utf-8"))
    pred = [q.__dict__ for q in quotes(text)]
    score = _scorer()
    wanted = [q for q in gold["quotes"] if q["kind"] in {"direct", "partial"}]
    found = [q for q in pred if q["kind"] in {"direct", "partial"}]
    pairs = score.match(wanted, found, score.quote_match)
    assert len(pairs) == len(wanted) == len(found)
    assert all(score.same_speaker(g["speaker"], p["speaker"]) for g, p in pairs)


@pytest.mark.slow
def test_nlp_quotations_pipeline_end_to_end_on_the_seed(shared) -> None:
    from kroniek.ingest.structure import parse_structure
    from kroniek.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    assert nlp.pipe_names.index("kroniek_quotes") > nlp.pipe_names.index("kroniek_entities")
    raw = SEED.read_text(encoding="utf-8")
    m = re.match(r"\s*date\s+\S+ ", raw)
    assert m is not None
    text = raw[m.end():].rstrip()
    doc = nlp.make_doc(text)
    doc._.structure = parse_structure(text)
    doc = nlp(doc)
    by_text = {q.text: q for q in doc._.quotes}
    assert by_text["We mogen hoopvol zijn"].speaker == "Stef Blok"
    assert by_text["in positieve sfeer"].kind == "partial" and by_text["in positieve sfeer"].speaker == "Stef Blok"
    assert by_text["bevestigen noch ontkennen"].speaker == "een woordvoerder van het ministerie"
    assert all(text[q.start:q.end] == q.text for q in doc._.quotes)


# -- speakers named by a role or a nationality -------------------------------------------------------------------

@pytest.mark.parametrize("text, speaker", [
    ("Directeur-generaal Fabio Giombini legde een plan voor. Volgens de topman maakt het huis in 2002 weer winst.",
     "Fabio Giombini"),
    ("Paul De Grauwe is hoogleraar in Leuven. Volgens de econoom zal de taks de crisissen niet voorkomen.",
     "Paul De Grauwe"),
    ("Wim Van Gansbeke schreef jaren over theater. Het theater zal hij niet missen, zegt de oud-recensent.",
     "Wim Van Gansbeke"),
])
def test_nlp_quotations_a_role_nobody_bears_by_name_points_back_to_the_person(text: str, speaker: str) -> None:
    assert only(text, "indirect").speaker == speaker


def test_nlp_quotations_a_nationality_points_back_to_the_person() -> None:
    text = ("Rubens Barrichello won gisteren in Hockenheim. “Ik wil nu enkel aan deze zege denken”, zei de "
            "Braziliaan.")
    assert only(text, "direct").speaker == "Rubens Barrichello"


def test_nlp_quotations_inverted_cue_after_a_clause_that_opens_with_a_preposition() -> None:
    q = only("Benoît Verhaeghen is historicus. In Ghana was de onafhankelijkheid zes jaar voorbereid, stelt "
             "Verhaeghen.", "indirect")
    assert (q.text, q.speaker) == ("In Ghana was de onafhankelijkheid zes jaar voorbereid", "Benoît Verhaeghen")
    # an adverbial or a question before the comma is still no reported clause
    assert [x for x in quotes("Op de vraag of ze blij is, antwoordt Carmen Bolivar kort.") if x.kind == "indirect"] \
        == []


def test_nlp_quotations_admission_with_an_infinitive() -> None:
    q = only("De burgemeester geeft toe enigszins met de zaak verveeld te zitten.", "indirect")
    assert (q.text, q.cue) == ("enigszins met de zaak verveeld te zitten", "geeft")


def test_nlp_quotations_strong_past_of_klagen_reports() -> None:
    q = only("“De kinderen konden er niet van slapen”, kloegen de overburen.")
    assert (q.cue, q.speaker) == ("kloegen", "de overburen")


def test_nlp_quotations_names_in_apposition_to_the_subject_are_the_speakers() -> None:
    q = only("Twee parlementsleden, Jan Van Dessel en Karel De Clercq, vinden dat de partij haar ziel verkoopt.",
             "indirect")
    assert (q.text, q.speaker) == ("de partij haar ziel verkoopt", "Jan Van Dessel en Karel De Clercq")


def test_nlp_quotations_a_time_that_opens_the_sentence_is_not_the_speaker() -> None:
    q = only("Een jaar later adviseerde haar vriend haar om de strookjes op te sturen naar DeMix.", "indirect")
    assert q.speaker == "haar vriend"


def test_quotes_zo_with_any_reporting_verb_attributes_the_clause_before() -> None:
    text = "De staking duurt nog zeker een week, zo bevestigde de vakbond gisteren."
    quotes = find_quotations(text, ents=[])
    assert [(q.text, q.kind, q.cue, q.speaker_mention) for q in quotes] == [
        ("De staking duurt nog zeker een week", "indirect", "zo bevestigde", "de vakbond")]


def test_nlp_quotations_inverted_perfect_after_the_quote_is_a_cue() -> None:
    text = ("Anna Kloosterman won gisteren de proloog. “Morgen val ik weer aan”, had Kloosterman "
            "vooraf in haar dagboek geschreven.")
    q = only(text, "direct")
    assert (q.cue, q.speaker_mention, q.speaker) == ("had geschreven", "Kloosterman", "Anna Kloosterman")


def test_nlp_quotations_a_partitive_with_a_pronoun_is_kept_whole() -> None:
    text = "Drie boeren blokkeerden de weg. “We geven niet op”, riep een van hen."
    q = only(text, "direct")
    assert (q.speaker_mention, q.speaker) == ("een van hen", "een van hen")


def test_nlp_quotations_a_preposition_before_an_acronym_is_no_name() -> None:
    text = ("Pieter Hoogland pendelt elke dag naar Utrecht. Van de NS kreeg hij nooit een antwoord. "
            "“Ik geef het op”, zegt hij.")
    q = only(text, "direct")
    assert (q.speaker_mention, q.speaker) == ("hij", "Pieter Hoogland")


def test_nlp_quotations_a_role_does_not_stand_for_a_name_in_what_it_says() -> None:
    text = ("Willem Smit begon Koopjesland in 1995 in een garage. Koopjesland opent volgens de oprichter dit jaar "
            "nog vijf winkels.")
    q = only(text, "indirect")
    assert (q.speaker_mention, q.speaker) == ("de oprichter", "Willem Smit")


def test_nlp_quotations_an_organisation_noun_resolves_to_the_organisation_named_before() -> None:
    text = ("Bakkerijgroep Vermeulen heeft vorig jaar minder brood verkocht. De omzet daalde met 3 procent, meldde "
            "het bedrijf gisteren.")
    q = only(text, "indirect")
    assert (q.speaker_mention, q.speaker) == ("het bedrijf", "Bakkerijgroep Vermeulen")


def test_nlp_quotations_a_short_form_of_an_organisation_resolves_to_its_full_name() -> None:
    text = ("De zakenkrant Nordwest Kurier was streng voor de minister. De Nordwest schreef gisteren: “Hij moet nu "
            "aftreden.”")
    q = only(text, "direct")
    assert (q.speaker_mention, q.speaker) == ("De Nordwest", "Nordwest Kurier")


def test_nlp_quotations_a_chancellor_is_a_role_before_the_name() -> None:
    q = only("Kanselier Otto Brandt sprak gisteren. “We gaan door”, zei hij.", "direct")
    assert q.speaker == "Otto Brandt"


def test_nlp_quotations_an_indefinite_subject_that_opens_a_sentence_is_a_pronoun_antecedent() -> None:
    text = ("“Het is veilig”, zegt de trainer van de klimschool. Een studente twijfelt nog. “Mijn knieën knikken”, "
            "zegt ze.")
    q = [q for q in quotes(text) if q.text.startswith("Mijn")][0]
    assert (q.speaker_mention, q.speaker) == ("ze", "een studente")


def test_nlp_quotations_a_focus_particle_before_the_subject_and_a_relative_clause_after_it() -> None:
    text = ("Politici Harm Tjeenk en Klaas Bos zwegen. Zelfs de krant De Tijdgeest, die de partij altijd steunde, "
            "vroeg om “een nieuwe leider”.")
    q = only(text, "partial")
    assert (q.cue, q.speaker) == ("vroeg", "De Tijdgeest")


def test_nlp_quotations_a_name_after_a_preposition_and_a_noun_in_apposition_is_no_antecedent() -> None:
    text = ("De oud-minister Karel Dijk meent dat hij terug moet keren. Tegen de Britse krant Daily Courier zei hij "
            "dat “het land erom vraagt”.")
    q = only(text, "partial")
    assert (q.speaker_mention, q.speaker) == ("hij", "Karel Dijk")


def test_nlp_quotations_a_source_with_a_tussenvoegsel_and_an_institution_after_volgens() -> None:
    text = "Volgens onderzoeker Lisa van Dam van de Hogeschool Gent is het probleem groot."
    for ents in ([], [(20, 32, "PER"), (40, 55, "ORG")]):
        found = [q for q in quotes(text, ents=ents) if q.kind == "indirect"]
        assert [(q.text, q.speaker) for q in found] == [("is het probleem groot", "Lisa van Dam")]


def test_nlp_quotations_several_names_as_the_subject_of_a_cue_are_one_speaker() -> None:
    text = "Jan Pieters en Els Bakker openden de zaak. “We hebben er zin in”, zeggen Pieters en Bakker."
    q = only(text, "direct")
    assert (q.speaker_mention, q.speaker) == ("Pieters en Bakker", "Jan Pieters en Els Bakker")
    q = only("Ruud Smit, Anna Vos en Erik de Boer vinden dat de school open moet blijven.", "indirect")
    assert q.speaker == "Ruud Smit, Anna Vos en Erik de Boer"


def test_nlp_quotations_a_subject_with_a_relative_clause_is_no_reported_clause() -> None:
    text = ("De oud-wethouder Henk de Jong, die gisteren door de raad werd gehoord, vindt die regeling volkomen "
            "verdedigbaar.")
    q = only(text, "indirect")
    assert (q.text, q.cue, q.speaker) == ("die regeling volkomen verdedigbaar", "vindt", "Henk de Jong")


@pytest.mark.parametrize("text, found", [
    ("Lotte Smit vindt het voorstel onhaalbaar.", "het voorstel onhaalbaar"),
    ("Lotte Smit vindt die kritiek terecht.", "die kritiek terecht"),
    ("Het congres vindt volgende week plaats in Gent.", None),
    ("De politie vond het wapen in de berm.", None),
])
def test_nlp_quotations_an_opinion_as_a_small_clause_after_vinden(text: str, found: str | None) -> None:
    assert [q.text for q in quotes(text) if q.kind == "indirect"] == ([found] if found else [])


def test_nlp_quotations_a_name_in_apposition_at_the_end_of_the_sentence_is_the_speaker() -> None:
    q = only("“Het klopt niet”, zegt de trainer van Volendam, Kees Bakker.", "direct")
    assert (q.speaker_mention, q.speaker) == ("Kees Bakker", "Kees Bakker")


def test_nlp_quotations_dat_zei_after_a_quotation_gives_no_indirect_copy_of_it() -> None:
    found = quotes("Kees Bakker kijkt terug. “Het klopt niet.” Dat zei Bakker gisteren.")
    assert [(q.kind, q.text, q.speaker) for q in found] == [("direct", "Het klopt niet.", "Kees Bakker")]


@pytest.mark.parametrize("text, speaker", [
    ("Herman Visser neemt afscheid van de bank. “Ik ga het missen”, zegt de bankier.", "Herman Visser"),
    ("Kees de Wit woont al zestig jaar in Breda. “Het is hier veranderd”, zegt de 80-jarige.", "Kees de Wit"),
    ("“Ik ben geschrokken”, zegt een 34-jarige man uit Breda.", "een 34-jarige man uit Breda"),
])
def test_nlp_quotations_professions_and_ages_as_nouns_point_back_to_the_person(text: str, speaker: str) -> None:
    assert only(text, "direct").speaker == speaker


@pytest.mark.parametrize("text, found", [
    ("Een passagier vertelt hoe de bus plots van de weg raakte.", "hoe de bus plots van de weg raakte"),
    ("De burgemeester legt uit waarom de brug dicht blijft.", "waarom de brug dicht blijft"),
])
def test_nlp_quotations_a_verb_of_telling_with_a_question_word_is_indirect_speech(text: str, found: str) -> None:
    assert only(text, "indirect").text == found


def test_nlp_quotations_what_one_heard_from_a_source_is_the_source_speaking() -> None:
    text = "Van de gemeente kreeg de bewoner steeds te horen dat de klacht niet gegrond was."
    q = only(text, "indirect")
    assert (q.text, q.cue, q.speaker) == ("de klacht niet gegrond was", "kreeg te horen", "de gemeente")


@pytest.mark.parametrize("text, fragment", [
    ("Volgens de wethouder Mark Smit zijn de tekorten nu “tijdelijk”. Daarvan zegt Smit nu dat het “kleine "
     "tegenvallers” zijn.", "kleine tegenvallers"),
    ("Het bestuur van de bond kondigde gisteren ‘een akkoord’ aan met de werkgevers.", "een akkoord"),
])
def test_nlp_quotations_a_short_fragment_in_the_clause_a_cue_reports_is_partial(text: str, fragment: str) -> None:
    found = [q for q in quotes(text) if q.text == fragment]
    assert [q.kind for q in found] == ["partial"]


def test_nlp_quotations_a_phrase_without_a_verb_after_a_mid_sentence_cue_continues_the_statement() -> None:
    text = "De kosten moeten omlaag, zei directeur Anna Smit, met als doel de winst te verdubbelen."
    q = only(text, "indirect")
    assert (q.text, q.speaker) == (text[:-1], "Anna Smit")
    two = [q.text for q in quotes("De kosten moeten omlaag, zei Anna Smit, en de winst moet snel omhoog.")
           if q.kind == "indirect"]
    assert two == ["De kosten moeten omlaag", "en de winst moet snel omhoog"]


# -- the sentence filter before the indirect-speech rules --------------------------------------------------------

def _articles_for_the_filter() -> list[str]:
    texts = [json.loads(line)["text"] for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines() if line]
    own = ROOT / "eval" / "kroniek-dev" / "articles-tune.jsonl"
    texts += [json.loads(line)["text"] for line in own.read_text(encoding="utf-8").splitlines() if line]
    return [*texts, SEED.read_text(encoding="utf-8"),
            "De minister was er niet. Naar eigen zeggen was hij ziek. Naar Eigen ZEGGEN-achtig bleef hij thuis.",
            "Van de NMBS kreeg hij te horen dat de trein niet reed. Het verzoek om te stoppen kwam laat."]


def test_nlp_quotations_sentence_filter_leaves_the_quotations_as_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentences without a word any indirect-speech rule needs are passed over; the quotations are those of the
    rules tried on every sentence."""
    from kroniek.nlp import quotations

    texts = _articles_for_the_filter()
    filtered = [find_quotations(t) for t in texts]
    skipped = []
    real = quotations._Finder._may_report

    def counting(self: quotations._Finder, start: int, end: int) -> bool:
        may = real(self, start, end)
        skipped.append(not may)
        return may

    monkeypatch.setattr(quotations._Finder, "_may_report", counting)
    assert [find_quotations(t) for t in texts] == filtered
    assert any(skipped) and not all(skipped)
    monkeypatch.setattr(quotations._Finder, "_may_report", lambda self, start, end: True)
    assert [find_quotations(t) for t in texts] == filtered
    assert any(q.kind == "indirect" for qs in filtered for q in qs)

"""Entity normalisation within an article and across the archive, on hand-made Docs (no trained model needed)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kroniek.nlp.entities import (
    Mention,
    acronym_variants,
    canonical_for,
    canonical_names,
    clean_name,
    drop_reference_lead_ins,
    entity_key,
    kroniek_entities,
    merge_entities,
    propagate_entities,
    relabel_surnames,
    tag_flight_numbers,
    trim_entities,
)

VOCAB = spacy.blank("nl").vocab


def make(text: str, tags: list[str]) -> Doc:
    """A Doc from space-separated words and their IOB2 tags, run through the normalisation component."""
    words = text.split()
    assert len(words) == len(tags)
    return kroniek_entities(Doc(VOCAB, words=words, ents=tags))


def canon(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, doc._.canonical[(e.start_char, e.end_char)]) for e in doc.ents]


def test_nlp_entities_person_short_and_titled_mentions_take_the_full_name() -> None:
    doc = make("Minister Stef Blok sprak . Blok zei dat . Later zei minister Blok nog iets .",
               ["O", "B-PER", "I-PER", "O", "O", "B-PER", "O", "O", "O", "O", "O", "O", "B-PER", "O", "O", "O"])
    assert canon(doc) == [("Stef Blok", "Stef Blok"), ("Blok", "Stef Blok"), ("Blok", "Stef Blok")]


def test_nlp_entities_title_inside_the_entity_is_dropped() -> None:
    doc = make("Minister Blok en Stef Blok", ["B-PER", "I-PER", "O", "B-PER", "I-PER"])
    assert canon(doc) == [("Minister Blok", "Stef Blok"), ("Stef Blok", "Stef Blok")]


def test_nlp_entities_full_name_may_come_later() -> None:
    doc = make("Rutte kwam . Mark Rutte ging .", ["B-PER", "O", "O", "B-PER", "I-PER", "O", "O"])
    assert canon(doc)[0] == ("Rutte", "Mark Rutte")


def test_nlp_entities_two_people_with_one_surname_take_the_nearest() -> None:
    doc = make("Jan de Vries en Els de Vries . De Vries zei", ["B-PER", "I-PER", "I-PER", "O", "B-PER", "I-PER",
                                                            "I-PER", "O", "B-PER", "I-PER", "O"])
    assert canon(doc)[-1] == ("De Vries", "Els de Vries")


def test_nlp_entities_unrelated_single_names_stay_themselves() -> None:
    doc = make("Kok en Lubbers", ["B-PER", "O", "B-PER"])
    assert canon(doc) == [("Kok", "Kok"), ("Lubbers", "Lubbers")]


def test_nlp_entities_acronym_takes_the_spelled_out_name() -> None:
    doc = make("De Volkspartij voor Vrijheid en Democratie ( VVD ) won . De VVD",
               ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-ORG", "O", "O", "O", "O", "B-ORG"])
    names = {doc._.canonical[(e.start_char, e.end_char)] for e in doc.ents}
    assert names == {"Volkspartij voor Vrijheid en Democratie"}


def test_nlp_entities_acronym_without_its_name_stays() -> None:
    doc = make("De VVD won", ["O", "B-ORG", "O"])
    assert canon(doc) == [("VVD", "VVD")]


def test_nlp_entities_het_ministerie_refers_to_the_named_ministry() -> None:
    doc = make("Het ministerie van Buitenlandse Zaken zwijgt . Een woordvoerder van het ministerie bevestigde .",
               ["O", "O", "O", "B-ORG", "I-ORG", "O", "O", "O", "O", "O", "O", "O", "O", "O"])
    start = doc.text.index("het ministerie")
    assert doc._.canonical[(start, start + len("het ministerie"))] == "ministerie van Buitenlandse Zaken"
    assert canonical_for(doc, start, start + len("het ministerie")) == "ministerie van Buitenlandse Zaken"
    # The full name itself is no back reference.
    assert (0, len("Het ministerie")) not in doc._.canonical


def test_nlp_entities_no_ministry_named_means_no_reference() -> None:
    doc = make("Het ministerie zwijgt . Blok ook .", ["O", "O", "O", "O", "B-PER", "O", "O"])
    assert canonical_for(doc, 0, len("Het ministerie")) is None


def test_nlp_entities_de_bewindsman_is_the_last_titled_minister() -> None:
    doc = make("Minister Stef Blok en Mark Rutte spraken . Blok zei dat de bewindsman niets wist .",
               ["O", "B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "O", "B-PER", "O", "O", "O", "O", "O", "O", "O"])
    start = doc.text.index("de bewindsman")
    assert canonical_for(doc, start, start + len("de bewindsman")) == "Stef Blok"


def test_nlp_entities_canonical_for_a_longer_speaker_span() -> None:
    doc = make("Stef Blok kwam . Volgens minister Blok niet .",
               ["B-PER", "I-PER", "O", "O", "O", "O", "B-PER", "O", "O"])
    start = doc.text.index("minister Blok")
    assert canonical_for(doc, start, start + len("minister Blok")) == "Stef Blok"


@pytest.mark.parametrize(("text", "label", "expected"), [
    ("Minister  Stef Blok", "PER", "Stef Blok"),
    ("premier Rutte", "PER", "Rutte"),
    ("Rutte 's", "PER", "Rutte"),
    ("Minister van Financiën", "ORG", "Minister van Financiën"),
])
def test_nlp_entities_clean_name(text: str, label: str, expected: str) -> None:
    assert clean_name(text, label) == expected


def test_nlp_entities_acronym_variants() -> None:
    assert "pvda" in acronym_variants("Partij van de Arbeid")
    assert "cda" in acronym_variants("Christen-Democratisch Appèl")
    assert acronym_variants("Rusland") == set()


def test_nlp_entities_canonical_names_is_pure() -> None:
    mentions = [Mention(0, 9, "Stef Blok", "PER"), Mention(20, 24, "Blok", "PER"), Mention(30, 37, "Rusland", "LOC")]
    assert canonical_names(mentions) == {(0, 9): "Stef Blok", (20, 24): "Stef Blok", (30, 37): "Rusland"}


def test_nlp_entities_archive_merge() -> None:
    merged = merge_entities([("PER", "Stef Blok", "Blok"), ("PER", "Stef Blok", "Stef Blok"),
                             ("PER", "stef  blok", "Minister Blok"), ("LOC", "Rusland", "Rusland")])
    assert set(merged) == {entity_key("PER", "Stef Blok"), entity_key("LOC", "Rusland")}
    blok = merged[entity_key("PER", "Stef Blok")]
    assert blok.name == "Stef Blok"
    assert blok.mentions == 3
    assert set(blok.variants) == {"Blok", "Stef Blok", "Minister Blok"}


def test_nlp_entities_key_folds_case_accents_and_spaces() -> None:
    assert entity_key("LOC", "Australië") == entity_key("LOC", "australie")
    assert entity_key("LOC", "Den  Haag") == "LOC:den haag"
    assert entity_key("LOC", "Rusland") != entity_key("ORG", "Rusland")


def test_nlp_entities_trim_takes_quotes_and_dashes_off_entities() -> None:
    doc = Doc(VOCAB, words="” Blok ” zei “ Rusland ” en ( VVD ) – NRC".split(),
              ents=["B-MISC", "B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O", "B-ORG", "I-ORG", "I-ORG",
                    "B-ORG", "I-ORG"])
    trim_entities(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Blok", "PER"), ("Rusland", "LOC"), ("VVD", "ORG"),
                                                      ("NRC", "ORG")]


def test_nlp_entities_trim_keeps_a_bracket_the_name_opened() -> None:
    doc = Doc(VOCAB, words="Partij ( Nederland ) won".split(), ents=["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O"])
    trim_entities(doc)
    assert [e.text for e in doc.ents] == ["Partij ( Nederland )"]


def test_nlp_entities_surname_of_a_named_person_becomes_per() -> None:
    doc = Doc(VOCAB, words="Minister Stef Blok kwam . Blok zei niets . Blok Bank groeit".split(),
              ents=["O", "B-PER", "I-PER", "O", "O", "B-ORG", "O", "O", "O", "B-ORG", "I-ORG", "O"])
    relabel_surnames(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Stef Blok", "PER"), ("Blok", "PER"), ("Blok Bank", "ORG")]


def test_nlp_entities_surname_rule_needs_a_full_name() -> None:
    doc = Doc(VOCAB, words="Blok kwam . Blok zei".split(), ents=["B-PER", "O", "O", "B-ORG", "O"])
    relabel_surnames(doc)
    assert [e.label_ for e in doc.ents] == ["PER", "ORG"]


def test_nlp_entities_reference_lead_in_is_not_a_name() -> None:
    from kroniek.ingest.structure import parse_structure

    text = "Blok sprak in Den Haag.\n\nLees ook: Rusland aansprakelijk stellen voor MH17\n\nDaarna niets."
    nlp = spacy.blank("nl")
    doc = nlp.make_doc(text)
    spans = [doc.char_span(text.index(w), text.index(w) + len(w), label=label)
             for w, label in (("Blok", "PER"), ("Den Haag", "LOC"), ("Lees", "MISC"), ("Rusland", "LOC"))]
    doc.set_ents(spans)
    doc._.structure = parse_structure(text)
    assert [r.text for r in doc._.structure.references] == ["Rusland aansprakelijk stellen voor MH17"]
    kept = [e.text for e in drop_reference_lead_ins(doc).ents]
    assert kept == ["Blok", "Den Haag", "Rusland"]


def test_nlp_entities_reference_lead_in_rule_needs_structure() -> None:
    doc = Doc(VOCAB, words=["Lees", "ook", ":", "Rusland"], ents=["B-MISC", "O", "O", "B-LOC"])
    doc._.structure = None
    assert [e.text for e in drop_reference_lead_ins(doc).ents] == ["Lees", "Rusland"]


def ents(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def test_nlp_entities_flight_number_after_a_flight_noun_is_misc_throughout_the_article() -> None:
    words = "het neerhalen van vlucht MH17 in 2014 . Rusland ontkent dat MH17 is neergehaald".split()
    tags = ["O"] * len(words)
    tags[words.index("Rusland")] = "B-LOC"
    doc = tag_flight_numbers(Doc(VOCAB, words=words, ents=tags))
    assert ents(doc) == [("MH17", "MISC"), ("Rusland", "LOC"), ("MH17", "MISC")]


def test_nlp_entities_flight_number_relabels_a_model_label_and_takes_compound_nouns() -> None:
    doc = Doc(VOCAB, words="de passagiersvlucht KL1395 landde . KL1395 had vertraging".split(),
              ents=["O", "O", "B-ORG", "O", "O", "B-ORG", "O", "O"])
    assert ents(tag_flight_numbers(doc)) == [("KL1395", "MISC"), ("KL1395", "MISC")]


@pytest.mark.parametrize("text", [
    "de A4 bij Delft was dicht",        # a road
    "twee F16 vlogen over",             # a plane, not after a flight noun
    "de vlucht naar Rome",              # no code
    "vlucht 1234 was vol",              # digits only: no airline designator
    "vlucht ABC123 was vol",            # three letters: not an IATA designator
])
def test_nlp_entities_flight_number_needs_a_flight_noun_and_a_designator(text: str) -> None:
    words = text.split()
    doc = tag_flight_numbers(Doc(VOCAB, words=words, ents=["O"] * len(words)))
    assert ents(doc) == []


def test_nlp_entities_propagation_tags_missed_mentions_with_the_usual_label() -> None:
    words = "Rusland en Nederland praten . Rusland ontkent , Nederland niet . In Rusland zwijgt men".split()
    tags = ["O"] * len(words)
    tags[0], tags[2], tags[5] = "B-LOC", "B-LOC", "B-LOC"
    doc = propagate_entities(Doc(VOCAB, words=words, ents=tags))
    assert ents(doc) == [("Rusland", "LOC"), ("Nederland", "LOC"), ("Rusland", "LOC"), ("Nederland", "LOC"),
                         ("Rusland", "LOC")]


def test_nlp_entities_propagation_prefers_the_longer_name_and_leaves_longer_capitalised_names_alone() -> None:
    words = "Tweede Kamer en Blok zijn er . De Tweede Kamer stemt ; Blok Bank ook ; Tweede lezing volgt".split()
    tags = ["O"] * len(words)
    tags[0], tags[1], tags[3] = "B-ORG", "I-ORG", "B-PER"
    doc = propagate_entities(Doc(VOCAB, words=words, ents=tags))
    # "Tweede Kamer" again in full; "Blok" not inside "Blok Bank"; a lone "Tweede" is not a name here.
    assert ents(doc) == [("Tweede Kamer", "ORG"), ("Blok", "PER"), ("Tweede Kamer", "ORG")]


def test_nlp_entities_propagation_leaves_lower_case_words_and_taken_tokens_alone() -> None:
    words = "Blok zei dat blok en Stef Blok".split()
    doc = propagate_entities(Doc(VOCAB, words=words, ents=["B-PER", "O", "O", "O", "O", "B-PER", "I-PER"]))
    assert ents(doc) == [("Blok", "PER"), ("Stef Blok", "PER")]


@pytest.mark.parametrize("lead_in", ["Lees ook", "Ook interessant"])
def test_nlp_entities_a_lead_in_taken_for_a_name_is_not_spread_over_the_article(lead_in: str) -> None:
    from kroniek.ingest.structure import parse_structure
    from kroniek.nlp.entities import kroniek_ner_fix

    first = lead_in.split()[0]
    text = (f"Rusland zwijgt.\n\n{lead_in}: Rusland aansprakelijk voor MH17\n\n"
            f"{first} de minister zwijgt. Zo zei {first.lower()} de woordvoerder het.")
    doc = spacy.blank("nl").make_doc(text)
    start = text.index(lead_in)
    doc.set_ents([doc.char_span(0, 7, label="LOC"), doc.char_span(start, start + len(first), label="MISC")])
    doc._.structure = parse_structure(text)
    # the model's MISC on the lead-in word goes, and is not copied to the same word further on
    assert ents(kroniek_ner_fix(doc)) == [("Rusland", "LOC"), ("Rusland", "LOC")]


def _entity_state(doc: Doc) -> list[list[int]]:
    from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE

    return doc.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]).tolist()


@pytest.mark.parametrize("rule", [trim_entities, relabel_surnames])
@pytest.mark.parametrize(("text", "tags"), [
    ("Minister Stef Blok kwam . Blok zei niets", ["O", "B-PER", "I-PER", "O", "O", "B-PER", "O", "O"]),
    ("Minister Stef Blok kwam . Blok zei niets", ["O", "B-PER", "I-PER", "O", "O", "B-ORG", "O", "O"]),
    ("” Blok ” zei Rusland", ["B-MISC", "B-PER", "I-PER", "O", "B-LOC"]),
    ("Niemand zei iets", ["O", "O", "O"]),
    ("Niemand zei iets", ["", "", ""]),  # no entity annotation at all
    ("Blok Rusland", ["B-PER", ""]),
])
def test_nlp_entities_rules_leave_set_ents_out_only_where_it_changes_nothing(
        monkeypatch: pytest.MonkeyPatch, rule, text: str, tags: list[str]) -> None:
    """The rules skip writing the entities back where they are unchanged and fully annotated; the Doc ends up as
    when they always write them."""
    from kroniek.nlp import entities

    words = text.split()
    skipping = rule(Doc(VOCAB, words=words, ents=[t or None for t in tags]))
    monkeypatch.setattr(entities, "_set_ents", lambda doc, spans, changed: doc.set_ents(spans))
    always = rule(Doc(VOCAB, words=words, ents=[t or None for t in tags]))
    assert ents(skipping) == ents(always)
    assert _entity_state(skipping) == _entity_state(always)

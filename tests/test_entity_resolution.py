"""Entity resolution across the archive (kroniek/entities): the same person named differently in different articles is
one entity, two people who share a surname stay two, a label that drifts is one entity with its most likely label,
ids stay, speakers follow, and the reasons are shown.

Most tests store hand-written analyses (what the pipeline would give, with the labels and canonical names chosen),
so each case is exactly the one named; the last ones run the shipped model end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kroniek.archive import Archive
from kroniek.cli import cli
from kroniek.entities.resolve import NameRow, Occurrence, fits, resolve_group, role_of, roles_before
from kroniek.model import STAGES, Analysis, ArticleDate, EntityMention, Quote, name_key, name_words
from kroniek.nlp.entities import Mention, canonical_names
from kroniek.server.app import create_app
from kroniek.server.settings import Settings


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    a = Archive.open(tmp_path / "k.db")
    a.on_notice = lambda _m: None
    yield a
    a.close()


def store(archive: Archive, aid: str, date: str, text: str,
          names: Sequence[tuple[str, str] | tuple[str, str, str]], speakers: Sequence[tuple[str, str]] = ()) -> None:
    """Ingest an article and store an analysis of it: `names` are (text, label[, canonical]) in text order;
    `speakers` are (quoted text, speaker) pairs."""
    archive.ingest([{"id": aid, "date": date, "text": text}])
    art = archive.get_article(aid, links=False)
    entities, at = [], 0
    for name in names:
        surface, label = name[0], name[1]
        start = text.index(surface, at)
        at = start + len(surface)
        entities.append(EntityMention(start, at, surface, label, name[2] if len(name) > 2 else surface))
    quotes = []
    for said, speaker in speakers:
        start = text.index(said)
        quotes.append(Quote(start, start + len(said), said, "direct", "zegt", speaker.split()[-1], speaker))
    archive.store.save_analyses([Analysis(aid, ArticleDate.parse(date), text, structure=art.structure,
                                          entities=entities, quotes=quotes)], "test", STAGES)


# --- the method's pieces ---------------------------------------------------------------------------------------

def test_name_keys_group_the_names_that_may_be_one_entity() -> None:
    assert name_key("Stef Blok") == name_key("Blok") == name_key("minister blok") == "blok"
    assert name_words("Leontien Zijlaard-Van Moorsel") == ["leontien", "zijlaard", "van", "moorsel"]
    assert name_key("Sögütlü") == "sogutlu" and name_key("Путин") == "путин"


@pytest.mark.parametrize("short,full,expected", [
    ("Rutte", "Mark Rutte", True),
    ("Van Moorsel", "Leontien Zijlaard-Van Moorsel", True),
    ("J. Balkenende", "Jan Peter Balkenende", True),
    ("Jan Balkenende", "Jan Peter Balkenende", True),
    ("Kees Blok", "Kees de Blok", False),  # a particle is part of the surname
    ("Stef Blok", "Kees Blok", False),
    ("Blok", "Blok", False),
    ("Rutte", "Mark Rutten", False),
])
def test_which_shorter_names_fit_a_full_name(short: str, full: str, expected: bool) -> None:
    assert fits(name_words(short), name_words(full)) is expected


def test_role_words_before_a_name() -> None:
    assert role_of("VVD-minister") == role_of("oud-minister") == role_of("buitenlandminister") == "minister"
    assert role_of("mevrouw") is None and role_of("Rusland") is None
    assert roles_before("Dat zei minister van Buitenlandse Zaken ") == {"minister"}
    assert roles_before("De ploeg van trainer ") == {"trainer"}
    assert roles_before("Volgens minister Blok zei trainer ", "Jansen") == {"trainer"}
    assert roles_before("De minister sprak. Toen zei ") == frozenset()
    assert roles_before("", "Minister Blok") == {"minister"}


def _canonical(text: str, names: Sequence[str]) -> list[str]:
    mentions, at = [], 0
    for name in names:
        start = text.index(name, at)
        at = start + len(name)
        mentions.append(Mention(start, at, name, "PER"))
    found = canonical_names(mentions)
    return [found[(m.start, m.end)] for m in mentions]


def test_within_an_article_a_surname_is_the_full_name_named_nearest_before_it() -> None:
    text = "Kees Blok zag zijn ploeg winnen. Stef Blok was op de tribune. Blok was tevreden."
    assert _canonical(text, ["Kees Blok", "Stef Blok", "Blok"]) == ["Kees Blok", "Stef Blok", "Stef Blok"]
    # a full name named just after (a lede) is meant; one named only much later is another person
    assert _canonical("Blok wil meer geld, zegt minister Stef Blok.", ["Blok", "Stef Blok"]) == ["Stef Blok"] * 2
    later = "Blok zag FC Zwolle winnen van Vitesse. " + "De wedstrijd was lang en spannend. " * 6 + "Ook Stef Blok kwam."
    assert _canonical(later, ["Blok", "Stef Blok"]) == ["Blok", "Stef Blok"]
    # the longest form of the name taken
    assert _canonical("Jan Peter Balkenende en Peter Balkenende. Balkenende sprak.",
                      ["Jan Peter Balkenende", "Peter Balkenende", "Balkenende"])[2] == "Jan Peter Balkenende"


def test_a_surname_left_apart_by_its_article_goes_to_the_person_its_context_fits(archive: Archive) -> None:
    """The trainer by surname only, with the minister named in full at the end of the article: the analysis left
    "Blok" apart from Stef Blok, and resolution does not give it to him for being named there, but to Kees Blok."""
    _two_bloks(archive)
    text = ("Blok zag FC Zwolle winnen van Vitesse en was tevreden over de tweede helft. " + "Het stadion was vol. " * 8
            + "Ook minister Stef Blok zat op de tribune.")
    store(archive, "kees-3", "2019-03-25", text, [("Blok", "PER"), ("FC Zwolle", "ORG"), ("Vitesse", "ORG"),
                                                   ("Stef Blok", "PER")])
    archive.resolve_entities()
    stef, kees = archive.entity("Stef Blok"), archive.entity("Kees Blok")
    ids = [(e["text"], e["entity_id"]) for e in archive.get_article("kees-3").entities if "Blok" in e["text"]]
    assert ids == [("Blok", kees.id), ("Stef Blok", stef.id)]
    # with only the one full name there is nothing else to choose: the article's own full name is taken
    store(archive, "rutte-far", "2019-01-05", "Rutte was er. " + "Het debat duurde lang. " * 8 + "Mark Rutte sprak.",
          [("Rutte", "PER"), ("Mark Rutte", "PER")])
    archive.resolve_entities()
    assert {e["entity_id"] for e in archive.get_article("rutte-far").entities} == {archive.entity("Mark Rutte").id}


def test_a_role_a_person_has_only_in_a_stray_article_does_not_count_for_him() -> None:
    """Once an article gave the trainer's "trainer Blok" to the minister it named: "trainer" is still Kees Blok's
    role, not Stef Blok's, and a "trainer Blok" with nothing else to go on goes to Kees Blok."""
    rows = [NameRow(1, "Stef Blok", "PER", 5, 5), NameRow(2, "Kees Blok", "PER", 2, 2), NameRow(3, "Blok", "PER", 1, 1)]
    occurrences = [Occurrence(1, f"stef-{i}", roles=frozenset({"minister"})) for i in range(4)] + [
        Occurrence(1, "stray", roles=frozenset({"minister", "trainer"})),
        *(Occurrence(2, f"kees-{i}", roles=frozenset({"trainer"})) for i in range(2)),
        Occurrence(3, "t", roles=frozenset({"trainer"}))]
    links = {link.base_id: link for link in resolve_group(rows, occurrences)}
    assert links[3].canonical == "Kees Blok" and "as trainer" in links[3].reason
    # a role both have as their own does not tell them apart
    both = [o if o.row_id != 1 else Occurrence(1, o.article_id, roles=frozenset({"trainer"})) for o in occurrences]
    assert {link.base_id: link for link in resolve_group(rows, both)}[3].canonical == "Blok"


# --- the three cases of the issue ------------------------------------------------------------------------------

def test_a_surname_in_one_article_is_the_full_name_of_another(archive: Archive) -> None:
    store(archive, "r1", "2019-01-05", "Premier Mark Rutte sprak in Den Haag met de VVD over de begroting.",
          [("Mark Rutte", "PER"), ("Den Haag", "LOC"), ("VVD", "ORG")])
    store(archive, "r2", "2019-01-20", "Rutte verdedigde in Den Haag de begroting tegenover de VVD.",
          [("Rutte", "PER"), ("Den Haag", "LOC"), ("VVD", "ORG")])
    before = archive.entity("Rutte")
    assert before.canonical == "Rutte"  # each article's own analysis cannot know
    report = archive.resolve_entities()
    rutte = archive.entity("Rutte")
    assert rutte.id == archive.entity("Mark Rutte").id and rutte.canonical == "Mark Rutte"
    assert rutte.articles == 2 and rutte.label == "PER"
    assert [m["variant"] for m in rutte.merges] == ["Rutte"]
    assert rutte.merges[0]["reason"].startswith("surname of the only Rutte named in full, Mark Rutte")
    assert "named with Den Haag, VVD" in rutte.merges[0]["reason"]
    assert archive.entity(before.id).id == rutte.id  # the id the surname had leads to the person
    assert set(report.changed) == {"r2"}
    assert [e["canonical"] for e in archive.get_article("r2").entities][0] == "Mark Rutte"


def test_a_name_whose_label_drifts_is_one_entity_with_its_most_likely_label(archive: Archive) -> None:
    for i, label in enumerate(["PER", "PER", "ORG", "PER"]):
        store(archive, f"b{i}", f"2019-0{i + 1}-10", f"Stef Blok sprak in Moskou over MH17, artikel {i}.",
              [("Stef Blok", label), ("Moskou", "LOC"), ("MH17", "MISC")])
    archive.resolve_entities()
    blok = archive.entity("Stef Blok")
    assert (blok.label, blok.articles, blok.mentions) == ("PER", 4, 4)
    assert [e["canonical"] for e in archive.entities(label="ORG").items] == []
    assert blok.merges == [{"variant": "Stef Blok", "label": "ORG", "articles": 1,
                            "reason": "label drift: PER in 3 articles, ORG in 1 article"}]
    assert {e["label"] for e in archive.get_article("b2").entities if e["text"] == "Stef Blok"} == {"PER"}


def _two_bloks(archive: Archive) -> None:
    store(archive, "stef", "2019-02-01", "Minister Stef Blok sprak in Moskou met Lavrov over MH17. “We mogen "
          "hoopvol zijn”, zegt Blok.", [("Stef Blok", "PER"), ("Moskou", "LOC"), ("Lavrov", "PER"),
                                        ("MH17", "MISC"), ("Blok", "PER", "Stef Blok")],
          speakers=[("“We mogen hoopvol zijn”", "Stef Blok")])
    store(archive, "kees", "2019-02-20", "Trainer Kees Blok zag FC Zwolle winnen van Vitesse. “De jongens hebben "
          "alles gegeven”, zegt Blok.", [("Kees Blok", "PER"), ("FC Zwolle", "ORG"), ("Vitesse", "ORG"),
                                         ("Blok", "PER", "Kees Blok")],
          speakers=[("“De jongens hebben alles gegeven”", "Kees Blok")])
    # by surname only: the minister with Lavrov and MH17; the trainer with FC Zwolle, labelled ORG by the NER
    store(archive, "stef-2", "2019-03-10", "Minister Blok wil dat Lavrov meewerkt aan het onderzoek naar MH17. “Het "
          "is een lang proces”, zei Blok.", [("Blok", "PER"), ("Lavrov", "PER"), ("MH17", "MISC"), ("Blok", "PER")],
          speakers=[("“Het is een lang proces”", "Blok")])
    store(archive, "kees-2", "2019-03-15", "Trainer Blok van FC Zwolle was somber na de nederlaag tegen Vitesse. "
          "“We hebben slecht gespeeld”, zei Blok.", [("Blok", "ORG"), ("FC Zwolle", "ORG"), ("Vitesse", "ORG"),
                                                    ("Blok", "ORG")],
          speakers=[("“We hebben slecht gespeeld”", "Blok")])
    # and once with nothing to tell them apart
    store(archive, "blok-?", "2019-03-20", "Blok was er niet bij.", [("Blok", "PER")])


def test_a_surname_shared_by_two_people_stays_two_decided_by_context(archive: Archive) -> None:
    _two_bloks(archive)
    archive.resolve_entities()
    stef, kees = archive.entity("Stef Blok"), archive.entity("Kees Blok")
    assert stef.id != kees.id
    by_article = {aid: {e["entity_id"] for e in archive.get_article(aid).entities if "Blok" in e["text"]}
                  for aid in ("stef", "stef-2", "kees", "kees-2", "blok-?")}
    assert by_article["stef"] == by_article["stef-2"] == {stef.id}
    assert by_article["kees"] == by_article["kees-2"] == {kees.id}
    alone = archive.entity(by_article["blok-?"].pop())
    assert alone.canonical == "Blok" and alone.id not in (stef.id, kees.id) and alone.articles == 1
    assert (stef.articles, kees.articles, kees.label) == (2, 2, "PER")
    reason = next(m["reason"] for m in kees.merges if m["label"] == "ORG")
    assert reason.startswith("surname of Kees Blok, whom the articles fit best of the people named Blok in full "
                             "(also Stef Blok)")
    assert "named with" in reason and "FC Zwolle" in reason and "as trainer" in reason
    assert "labelled ORG there" in reason


def test_quotes_of_a_surname_are_every_quotation_of_that_person(archive: Archive) -> None:
    _two_bloks(archive)
    archive.resolve_entities()
    quotes = archive.quotes(speaker="Blok").items  # the most mentioned Blok
    assert [(q["article_id"], q["speaker"]) for q in quotes] == [("stef", "Stef Blok"), ("stef-2", "Stef Blok")]
    assert {q["article_id"] for q in archive.quotes(speaker="Kees Blok").items} == {"kees", "kees-2"}
    speakers = {s["speaker"]: s["quotes"] for s in archive.speakers().items}
    assert speakers == {"Stef Blok": 2, "Kees Blok": 2}
    page = archive.speaker("Blok")
    assert page.name == "Stef Blok" and page.quotes.total == 2
    result = CliRunner().invoke(cli, ["quotes", "--speaker", "Blok", "--json", "--archive",
                                      str(archive.settings.archive)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in rows] == ["“We mogen hoopvol zijn”", "“Het is een lang proces”"]


def test_the_search_index_follows_the_resolution(archive: Archive) -> None:
    _two_bloks(archive)
    archive.reindex()  # the analyses were stored past the archive, which indexes what it analyses itself
    assert {h.id for h in archive.search('person:"Stef Blok"').hits} == {"stef"}
    archive.resolve_entities()
    assert {h.id for h in archive.search('person:"Stef Blok"').hits} == {"stef", "stef-2"}
    assert {h.id for h in archive.search('speaker:"Kees Blok"').hits} == {"kees", "kees-2"}


# --- ids, re-resolution, and what runs it -----------------------------------------------------------------------

def test_ids_stay_when_resolving_again_and_when_more_articles_come(archive: Archive) -> None:
    _two_bloks(archive)
    first_id = archive.entity("Stef Blok").id
    archive.resolve_entities()
    stef, kees = archive.entity("Stef Blok").id, archive.entity("Kees Blok").id
    assert stef == first_id
    links = {aid: [e["entity_id"] for e in archive.get_article(aid).entities] for aid in ("stef-2", "kees-2")}
    report = archive.resolve_entities()
    assert report.changed == []  # the same archive resolves to the same entities
    assert {aid: [e["entity_id"] for e in archive.get_article(aid).entities] for aid in links} == links
    store(archive, "stef-3", "2019-04-01", "Minister Stef Blok reisde weer naar Moskou voor overleg over MH17.",
          [("Stef Blok", "ORG"), ("Moskou", "LOC"), ("MH17", "MISC")])
    archive.resolve_entities()
    assert archive.entity("Stef Blok").id == stef and archive.entity("Kees Blok").id == kees
    assert archive.entity(stef).articles == 3


def test_a_merged_row_leads_to_its_entity_by_id(archive: Archive) -> None:
    store(archive, "o1", "2019-01-01", "Stef Blok sprak over MH17.", [("Stef Blok", "ORG"), ("MH17", "MISC")])
    store(archive, "o2", "2019-01-02", "Stef Blok sprak weer over MH17.", [("Stef Blok", "ORG"), ("MH17", "MISC")])
    store(archive, "p1", "2019-01-03", "Stef Blok sprak in Moskou.", [("Stef Blok", "PER"), ("Moskou", "LOC")])
    old = archive.entity("Stef Blok")
    assert old.label == "ORG"
    archive.resolve_entities()
    assert archive.entity(old.id).canonical == "Stef Blok" and archive.entity(old.id).label == "ORG"
    store(archive, "p2", "2019-01-04", "Stef Blok sprak in Den Haag.", [("Stef Blok", "PER"), ("Den Haag", "LOC")])
    store(archive, "p3", "2019-01-05", "Stef Blok sprak in Brussel.", [("Stef Blok", "PER"), ("Brussel", "LOC")])
    archive.resolve_entities()
    now = archive.entity("Stef Blok")
    assert now.label == "PER" and now.articles == 5
    assert archive.entity(old.id).id == now.id  # the ORG row's id leads to the person it now belongs to
    assert archive.entity(str(old.id)).id == now.id


def test_resolving_only_the_names_just_stored_gives_what_a_full_rebuild_gives(archive: Archive) -> None:
    from kroniek.entities.update import resolve_entities

    _two_bloks(archive)
    archive.resolve_entities()
    store(archive, "stef-4", "2019-04-02", "Minister Blok sprak met Lavrov over MH17.",
          [("Blok", "PER"), ("Lavrov", "PER"), ("MH17", "MISC")])
    resolve_entities(archive.store, [name_key("Blok"), name_key("Lavrov"), name_key("MH17")])
    snapshot = {aid: [e["entity_id"] for e in archive.get_article(aid).entities]
                for aid in ("stef", "stef-2", "stef-4", "kees", "kees-2", "blok-?")}
    assert set(snapshot["stef-4"]) == {archive.entity(n).id for n in ("Stef Blok", "Lavrov", "MH17")}
    assert archive.resolve_entities().changed == []
    assert {aid: [e["entity_id"] for e in archive.get_article(aid).entities] for aid in snapshot} == snapshot


def test_an_analysis_resolves_the_names_it_stores(archive: Archive) -> None:
    import spacy

    from kroniek.nlp import entities as _components  # noqa: F401  (registers kroniek_entities)
    from kroniek.nlp import extensions

    extensions.register()
    nlp = spacy.blank("nl")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "Mark Rutte"}, {"label": "PER", "pattern": "Rutte"},
                        {"label": "LOC", "pattern": "Den Haag"}, {"label": "ORG", "pattern": "VVD"}])
    nlp.add_pipe("kroniek_entities")
    ids = archive.ingest([
        {"id": "a1", "date": "2019-01-05", "text": "Premier Mark Rutte sprak in Den Haag met de VVD."},
        {"id": "a2", "date": "2019-01-20", "text": "Rutte verdedigde in Den Haag het plan van de VVD."}]).new_ids
    archive.analyze(ids, nlp=nlp)
    rutte = archive.entity("Rutte")
    assert rutte.canonical == "Mark Rutte" and rutte.articles == 2


def test_an_archive_of_before_resolution_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    from kroniek.store.migrations import MIGRATIONS
    from kroniek.store.sqlite import SQLiteStore

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS:
        if name.startswith("0006"):
            break
        db.executescript(sql)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    db.execute("INSERT INTO articles (id, content_hash, date, date_precision, date_start, date_end, text, structure, "
               "language, ingested_at) VALUES ('x', 'h', '2019-02', 'month', '2019-02-01', '2019-02-28', "
               "'Minister Stef Blok', '{}', 'nl', 'then')")
    db.execute("INSERT INTO entities (id, canonical, label) VALUES (7, 'Stef Blok', 'PER')")
    db.execute("INSERT INTO mentions VALUES ('x', 7, 9, 18, 'Stef Blok')")
    db.execute("INSERT INTO quotes (article_id, start, \"end\", text, kind, speaker, speaker_entity_id) "
               "VALUES ('x', 0, 8, 'Minister', 'direct', 'Stef Blok', 7)")
    db.commit()
    db.close()
    s = SQLiteStore(path)
    try:
        assert [(r["id"], r["name_key"], r["articles"]) for r in s.entity_rows(["blok"])] == [(7, "blok", 1)]
        assert [(m["base_id"], m["entity_id"], m["before"]) for m in s.entity_mentions([7])] == [(7, 7, "Minister ")]
        assert s.quotes(speaker_id=7)[0]["speaker"] == "Stef Blok"
    finally:
        s.close()


# --- the edges show why --------------------------------------------------------------------------------------------

def test_kroniek_entity_prints_the_variants_and_why_they_were_merged(archive: Archive) -> None:
    _two_bloks(archive)
    path = str(archive.settings.archive)
    resolved = CliRunner().invoke(cli, ["entities", "--resolve", "--label", "PER", "--archive", path, "-q"])
    assert resolved.exit_code == 0, resolved.output
    assert "Kees Blok" in resolved.output and "Resolved" in resolved.output
    shown = CliRunner().invoke(cli, ["entity", "Kees Blok", "--archive", path])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    merged = lines.index("Merged from:")
    assert lines[merged + 1].startswith("  Blok (ORG, 1 article): surname of Kees Blok, whom the articles fit best")
    assert "Blok (PER, 1 article): the same article names Kees Blok in full" in shown.output


def test_the_api_entity_detail_has_the_merges(archive: Archive) -> None:
    _two_bloks(archive)
    archive.resolve_entities()
    with TestClient(create_app(Settings(archive.settings.archive))) as client:
        detail = client.get("/api/entities/Kees Blok").json()
        page = client.get("/entities/Kees Blok")
    assert detail["canonical"] == "Kees Blok"
    assert {(m["variant"], m["label"], m["articles"]) for m in detail["merges"]} == {("Blok", "ORG", 1),
                                                                                      ("Blok", "PER", 1)}
    assert all(m["reason"] for m in detail["merges"])
    assert page.status_code == 200 and "entity-merges" in page.text and "surname of Kees Blok" in page.text


# --- with the shipped model --------------------------------------------------------------------------------------

ARTICLES = [
    {"id": "stef-1", "date": "2019-02-01", "text": "Minister Stef Blok van Buitenlandse Zaken sprak in Moskou met zijn "
     "Russische ambtgenoot Sergej Lavrov over MH17. “We mogen hoopvol zijn”, zegt Blok."},
    {"id": "stef-2", "date": "2019-03-10", "text": "Minister Blok wil dat Rusland meewerkt aan het onderzoek naar MH17. "
     "Volgens Blok is er vooruitgang geboekt in de gesprekken met Lavrov in Moskou. “Het is een lang proces”, zei "
     "Blok."},
    {"id": "kees-1", "date": "2019-02-20", "text": "Trainer Kees Blok van FC Zwolle zag zijn ploeg in het eigen stadion "
     "met 3-1 winnen van Vitesse. “De jongens hebben alles gegeven”, zegt Blok."},
    {"id": "kees-2", "date": "2019-03-15", "text": "Trainer Blok van FC Zwolle was na de nederlaag tegen Vitesse somber "
     "over de kansen op handhaving. “We hebben slecht gespeeld”, zei Blok na de wedstrijd."},
    {"id": "rutte-1", "date": "2019-01-05", "text": "Premier Mark Rutte sprak in Den Haag met de fractie van de VVD "
     "over de begroting van het kabinet."},
    {"id": "rutte-2", "date": "2019-01-20", "text": "Rutte zei dinsdag in Den Haag dat het kabinet de begroting "
     "verdedigt. “We houden vast aan de plannen”, zei Rutte tegen de VVD."},
]


@pytest.mark.slow
def test_ingest_with_the_model_resolves_people_across_articles(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with Archive.open(path) as archive:
        archive.on_notice = lambda _m: None
        archive.ingest_and_analyze(ARTICLES)
        stef, kees, rutte = (archive.entity(n) for n in ("Stef Blok", "Kees Blok", "Mark Rutte"))
        assert len({stef.id, kees.id, rutte.id}) == 3
        assert (stef.label, stef.articles, kees.label, kees.articles, rutte.articles) == ("PER", 2, "PER", 2, 2)
        assert archive.entity("Rutte").id == rutte.id
        assert [q["article_id"] for q in archive.quotes(speaker="Blok").items] == ["stef-1", "stef-2", "stef-2"]
        assert {q["article_id"] for q in archive.quotes(speaker="Kees Blok").items} == {"kees-1", "kees-2"}
    shown = CliRunner().invoke(cli, ["entity", "Blok", "--archive", str(path)])
    assert shown.exit_code == 0 and shown.output.startswith("Stef Blok (PER)")
    assert "surname of Stef Blok, whom the articles fit best of the people named Blok in full (also Kees Blok)" \
        in shown.output

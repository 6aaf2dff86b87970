"""Links between articles through the Archive: "Lees ook" references resolved on ingest (whichever arrives first),
what points to an article, related articles, a rebuild, and archives made before links were stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kroniek.archive import Archive
from kroniek.cli import cli
from kroniek.model import STAGES, Analysis, EntityMention, StoryRow

REFERENCE = "Rusland aansprakelijk stellen voor MH17 – wat betekent dat?"


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    a = Archive.open(tmp_path / "k.db")
    a.on_notice = lambda _: None
    yield a
    a.close()


def source(aid: str, reference: str, date: str = "2019-02-14", title: str = "Gesprekken met Rusland") -> dict[str, Any]:
    """An article with one "Lees ook" line."""
    return {"id": aid, "date": date, "title": title,
            "text": f"{title}\n\nMinister Blok sprak met Rusland over de ramp.\n\nLees ook: {reference}\n\nEinde."}


def target(aid: str, title: str, date: str = "2018-05-25", body: str = "Nederland en Australië stellen Rusland "
           "aansprakelijk voor het neerhalen van vlucht MH17.") -> dict[str, Any]:
    return {"id": aid, "date": date, "title": title, "text": f"{title}\n\n{body}"}


def linked(archive: Archive, aid: str) -> list[str | None]:
    """The id each reference of an article points to (None: not found), in text order."""
    art = archive.get_article(aid)
    return [t.id if (t := art.reference_targets.get(r.start)) else None for r in art.structure.references]


@pytest.mark.parametrize("title", [
    REFERENCE,                                                       # exact
    "rusland aansprakelijk stellen voor mh17 – Wat betekent dat?",   # case
    "Rusland aansprakelijk stellen voor MH17: wat betekent dat",     # punctuation
    "‘Rusland aansprakelijk stellen voor MH-17’ — wat betekent dát", # quotes, dashes, an accent
    "Rusland aansprakelijk stellen voor MH17",                       # without the question
    "Rusland aansprakelijk stellen voor MH17 – wat betekent dit?",   # a small variation
])
def test_links_a_reference_resolves_to_the_archived_article_of_that_title(archive: Archive, title: str) -> None:
    archive.ingest([target("t", title), target("other", "Kabinet valt over stikstof")])
    archive.ingest([source("s", REFERENCE)])
    assert linked(archive, "s") == ["t"]
    art = archive.get_article("s")
    (ref,) = art.to_dict()["structure"]["references"]
    assert ref["article_id"] == "t"
    assert ref["article"]["title"] == " ".join(title.split()) and ref["article"]["date"] == "2018-05-25"
    assert 90 <= ref["article"]["score"] <= 100


def test_links_accents_in_the_reference_and_an_untitled_target(archive: Archive) -> None:
    # a dated-line article has no title field: its first line is its title
    archive.ingest([{"id": "t", "date": "2018-05-25",
                     "text": "Oekraïne en Australië praten over MH17\n\nDe gesprekken duren voort."}])
    archive.ingest([source("s", "Oekraine en Australie praten over MH17")])
    assert linked(archive, "s") == ["t"]


@pytest.mark.parametrize("title", [
    "Oekraïne aansprakelijk stellen voor MH17 – wat betekent dat?",
    "Rusland aansprakelijk stellen voor MH17 is onzin",
    "Rusland aansprakelijk stellen voor MH17: de juridische kant",
    "Rusland niet aansprakelijk stellen voor MH17 – wat betekent dat?",
])
def test_links_a_near_miss_is_not_linked(archive: Archive, title: str) -> None:
    archive.ingest([target("t", title)])
    archive.ingest([source("s", REFERENCE)])
    assert linked(archive, "s") == [None]
    (link,) = archive.store.links_from("s")
    assert link.tried and link.target_id is None
    assert archive.get_article("t").referenced_by == []


def test_links_the_closest_article_before_the_referring_one_and_never_itself(archive: Archive) -> None:
    report = archive.ingest([target(day, REFERENCE, day, body=f"Een stuk van {day} over MH17.")
                             for day in ("2014-07-20", "2018-05-25", "2019-06-01")])
    assert report.new == 3
    archive.ingest([source("s", REFERENCE, "2019-02")])
    assert linked(archive, "s") == ["2018-05-25"]
    # an article of 2017 refers to the oldest one: the only one before it
    archive.ingest([source("s2017", REFERENCE, "2017-03-01", title="Terugblik op de ramp")])
    assert linked(archive, "s2017") == ["2014-07-20"]
    # before every one of them: the closest
    archive.ingest([source("s2013", REFERENCE, "2013-01-01", title="Vooruitblik")])
    assert linked(archive, "s2013") == ["2014-07-20"]
    # an article whose reference is its own title points to the other article of that title, not to itself
    archive.ingest([source("self", REFERENCE, "2014-08-01", title=REFERENCE)])
    assert linked(archive, "self") == ["2014-07-20"]
    lone = archive.ingest([source("lone", "Een titel die alleen hier staat", title="Een titel die alleen hier staat")])
    assert lone.new == 1 and linked(archive, "lone") == [None]


def test_links_backlinks_when_the_target_arrives_after_the_source(archive: Archive) -> None:
    archive.ingest([source("s1", REFERENCE, "2019-02-14"), source("s2", "Rusland aansprakelijk stellen voor MH17",
                                                                   "2019-03-01", title="Weer MH17")])
    assert linked(archive, "s1") == [None] and linked(archive, "s2") == [None]
    report = archive.ingest([target("t", "Rusland aansprakelijk stellen voor MH17: wat betekent dat")])
    assert report.new == 1
    assert linked(archive, "s1") == ["t"] and linked(archive, "s2") == ["t"]
    backs = archive.get_article("t").referenced_by
    assert [(b.id, b.title, b.date, b.relation) for b in backs] == [
        ("s2", "Weer MH17", "2019-03-01", "referenced-by"), ("s1", "Gesprekken met Rusland", "2019-02-14",
                                                             "referenced-by")]
    assert backs[1].text == REFERENCE
    # stored, so reading them asks nothing of the index
    assert [x.source_id for x in archive.store.links_to("t")] == ["s2", "s1"]


def test_links_source_and_target_in_one_ingest(archive: Archive) -> None:
    archive.ingest([source("s", REFERENCE), target("t", REFERENCE)])
    assert linked(archive, "s") == ["t"]
    assert [b.id for b in archive.get_article("t").referenced_by] == ["s"]


def test_links_a_rebuild_resolves_every_reference_again(archive: Archive) -> None:
    # a reference with a typing error waits under its own key: a later title with the right spelling does not find
    # it on ingest, but a rebuild of the index tries every reference again
    archive.ingest([source("s", "Rusland aansprakelik stellen voor MH17 – wat betekent dat?")])
    archive.ingest([target("t", REFERENCE)])
    assert linked(archive, "s") == [None]
    archive.reindex()
    assert linked(archive, "s") == ["t"]
    (link,) = archive.store.links_from("s")
    assert link.target_id == "t" and link.score is not None and 90 <= link.score < 100


def _as_before_links(path: Path) -> None:
    """Make an archive look like one of a Kroniek that kept no links: no table, no migration recorded."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE links")
        db.execute("DELETE FROM migrations WHERE name = '0004_links'")


def test_links_an_archive_made_before_links_were_stored(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Archive.open(path) as archive:
        archive.ingest([target("t", REFERENCE), source("s", REFERENCE)])
    _as_before_links(path)
    with Archive.open(path, readonly=True) as archive:  # read-only: nothing is migrated, references resolve as read
        archive.on_notice = lambda _: None
        assert linked(archive, "s") == ["t"]
        assert archive.get_article("t").referenced_by == []
        # an export names the same target
        assert [r["article_id"] for row in archive.export() if row["id"] == "s"
                for r in row["structure"]["references"]] == ["t"]
    with Archive.open(path) as archive:  # writable: the references go in untried, and the next writer resolves them
        archive.on_notice = lambda _: None
        assert [(x.source_id, x.text, x.tried) for x in archive.store.links(untried=True)] == [("s", REFERENCE, False)]
        assert linked(archive, "s") == ["t"]  # resolved as read, not stored by a reader
        archive.ingest([target("other", "Kabinet valt over stikstof")])
        assert archive.store.links(untried=True) == []
        assert [b.id for b in archive.get_article("t").referenced_by] == ["s"]


def test_links_related_articles_linked_either_way_then_the_nearest(archive: Archive) -> None:
    archive.ingest([target("t", REFERENCE), source("s", REFERENCE),
                    target("near", "Rusland ontkent betrokkenheid bij MH17", "2018-06-01"),
                    target("far", "Kabinet valt over stikstof", "2018-06-02", body="Het kabinet is gevallen."),
                    *[target(f"mh{i}", f"Onderzoek naar MH17 deel {i}", f"2018-07-{i + 1:02d}") for i in range(6)]])
    related = archive.get_article("s").related
    assert len(related) == 5
    assert (related[0].id, related[0].relation) == ("t", "reference")
    assert {r.relation for r in related[1:]} == {"similar"} and "s" not in {r.id for r in related}
    assert "far" not in {r.id for r in related}
    back = archive.get_article("t").related
    assert (back[0].id, back[0].relation) == ("s", "referenced-by")
    # once analysed, the names an article shares with others count
    art = archive.get_article("far")
    i = art.text.index("kabinet")
    archive.store.save_analyses([Analysis(id="far", date=art.date, text=art.text, structure=art.structure,
                                          entities=[EntityMention(i, i + 7, "kabinet", "ORG", "Kabinet-Rutte")])],
                                "test", STAGES)
    archive.catch_up_index()
    assert archive.related(archive.get_article("far", links=False)) == []  # no other article names it
    assert len(archive.get_article("mh0").related) == 5


def test_links_show_and_its_json_list_the_links(archive: Archive) -> None:
    archive.ingest([target("t", REFERENCE), source("s", REFERENCE)])
    runner = CliRunner()
    db = str(archive.settings.archive)
    shown = runner.invoke(cli, ["show", "t", "--archive", db])
    assert shown.exit_code == 0, shown.output
    assert "Referenced by" in shown.output and "s · 2019-02-14 · Gesprekken met Rusland" in shown.output
    shown = runner.invoke(cli, ["show", "s", "--archive", db])
    assert f"Lees ook: {REFERENCE} (in the archive: t · 2018-05-25 · {REFERENCE})" in shown.output
    data = json.loads(runner.invoke(cli, ["show", "t", "--json", "--archive", db]).output)
    assert [(b["id"], b["relation"]) for b in data["referenced_by"]] == [("s", "referenced-by")]
    assert data["related"][0]["id"] == "s"


def test_links_related_articles_include_the_neighbours_in_the_story(archive: Archive) -> None:
    days = ["2019-01-10", "2019-02-10", "2019-03-10", "2019-04-10"]
    archive.ingest([target(f"d{i}", f"Nieuws over de brug, deel {i}", day, body=f"De bouw van de brug, week {i}.")
                    for i, day in enumerate(days)])
    archive.store.save_stories([(f"d{i}", "d0", 1.0) for i in range(4)],
                               [StoryRow("d0", "Nieuws over de brug", "d0", days[0], days[-1], 4)])
    related = archive.get_article("d2").related
    assert [(r.id, r.relation) for r in related[:2]] == [("d1", "story"), ("d3", "story")]
    assert {r.id for r in related} == {"d0", "d1", "d3"}  # and the first one, by its words
    first = archive.get_article("d0").related
    assert (first[0].id, first[0].relation) == ("d1", "story")

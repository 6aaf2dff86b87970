"""Rules that live behind the Archive facade, and that the CLI, the API and the web show alike: the timeline's
widening for an entity, headlines of untitled articles, resolved references, export selection, and ingest that
finishes an interrupted analysis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kroniek.archive import Archive
from kroniek.cli import EXIT_ERROR, cli
from kroniek.errors import IndexVersionError, NotFound, QueryError
from kroniek.model import Analysis, EntityMention, Quote, TimeExpression
from kroniek.nlp.timex_normalise import value_range

# Stef Blok is named in the first sentence; the time expression stands in the second, beside no name.
UNTITLED = "Stef Blok sprak met de Russische ambassadeur. Het gesprek ging over de ramp van 2014."
TITLED = "Kabinet valt\n\nHet kabinet is gevallen na een lang debat.\n\nLees ook: Rutte biedt ontslag aan\n\nEinde."
TARGET = "Rutte biedt ontslag aan\n\nDe premier ging naar de koning."


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = Archive.open(tmp_path / "k.db")
    a.on_notice = lambda _: None
    yield a
    a.close()


def _analyse_untitled(archive: Archive) -> str:
    aid = archive.ingest([{"id": "u1", "text": UNTITLED, "date": "2019-02"}]).new_ids[0]
    y = UNTITLED.index("2014")
    second = UNTITLED.index("Het gesprek")
    quote_at = UNTITLED.index("Het gesprek")
    art = archive.get_article(aid)
    analysis = Analysis(id=aid, date=art.date, text=UNTITLED, structure=art.structure,
                        entities=[EntityMention(0, 9, "Stef Blok", "PER", "Stef Blok")],
                        quotes=[Quote(quote_at, len(UNTITLED), UNTITLED[quote_at:], "indirect", speaker="Stef Blok")],
                        timexes=[TimeExpression(y, y + 4, "2014", "DATE", "2014", second, len(UNTITLED),
                                                period=value_range("2014"))])
    archive.store.save_analyses([analysis], "test", ["entities", "quotes", "timexes"])
    archive.catch_up_index()
    return aid


def test_timeline_for_an_entity_widens_to_its_articles_when_no_sentence_names_it(archive: Archive) -> None:
    _analyse_untitled(archive)
    found = archive.timeline(entity="Stef Blok")
    assert found.widened and [e["value"] for e in found.items] == ["2014"] and found.total == 1
    assert found.entity is not None and found.entity.canonical == "Stef Blok"
    # a later page of a widened timeline is a page of the same widened list
    past = archive.timeline(entity="Stef Blok", offset=1)
    assert not past.items and past.total == 1 and past.widened
    whole = archive.timeline()
    assert not whole.widened and len(whole.items) == 1 and whole.total == 1
    with pytest.raises(NotFound):
        archive.timeline(entity="Niemand Bekend")


def test_cli_timeline_for_an_entity_shows_the_widened_events(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with Archive.open(db) as archive:
        _analyse_untitled(archive)
    runner = CliRunner()
    done = runner.invoke(cli, ["timeline", "--entity", "Stef Blok", "--archive", str(db), "--json"])
    assert done.exit_code == 0, done.output
    assert [json.loads(line)["value"] for line in done.output.splitlines()] == ["2014"]
    plain = runner.invoke(cli, ["timeline", "--entity", "Stef Blok", "--archive", str(db)])
    assert "the articles that name it" in plain.output
    missing = runner.invoke(cli, ["timeline", "--entity", "Niemand Bekend", "--archive", str(db)])
    assert missing.exit_code == EXIT_ERROR and "no entity" in missing.output


def test_untitled_articles_are_headed_by_their_first_sentence_everywhere(archive: Archive) -> None:
    _analyse_untitled(archive)
    first = "Stef Blok sprak met de Russische ambassadeur."
    (hit,) = archive.search("ambassadeur").hits
    assert hit.title == first
    assert [q["article_title"] for q in archive.quotes(speaker="Stef Blok").items] == [first]
    assert [e["article_title"] for e in archive.timeline().items] == [first]
    assert archive.get_article("u1").to_dict()["headline"] == first


def test_a_page_of_hits_is_read_from_the_index_alone(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    _analyse_untitled(archive)

    def no_store_reads(*args: object, **kwargs: object) -> None:
        raise AssertionError("a search read articles from the store")

    monkeypatch.setattr(archive.store, "articles", no_store_reads)
    (hit,) = archive.search("ambassadeur").hits
    assert hit.title == "Stef Blok sprak met de Russische ambassadeur."


def test_references_name_the_archived_article_they_point_to(archive: Archive, tmp_path: Path) -> None:
    target = archive.ingest([{"text": TARGET, "date": "2019-01-01", "title": "Rutte biedt ontslag aan"}]).new_ids[0]
    source = archive.ingest([{"text": TITLED, "date": "2019-01-02"}]).new_ids[0]
    art = archive.get_article(source)
    (ref,) = art.to_dict()["structure"]["references"]
    assert ref["text"] == "Rutte biedt ontslag aan" and ref["article_id"] == target
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", source, "--json", "--archive", str(archive.settings.archive)])
    assert json.loads(shown.output)["structure"]["references"][0]["article_id"] == target


def test_export_selects_by_query_and_checks_the_query_before_streaming(archive: Archive) -> None:
    archive.ingest([{"text": f"Bericht {i} over de {'minister' if i % 2 else 'burgemeester'}.",
                     "date": f"2019-01-{i + 1:02d}"} for i in range(6)])
    assert len(list(archive.export())) == 6
    assert len(list(archive.export(most=2))) == 2
    assert {r["id"] for r in archive.export("minister")} == {r["id"] for r in archive.export()
                                                             if "minister" in r["text"]}
    with pytest.raises(QueryError):
        archive.export('"open')  # raised when asked, not while streaming


def test_search_filters_narrow_the_query(archive: Archive) -> None:
    from kroniek.model import Filters

    archive.ingest([{"text": "De minister sprak.", "date": "2019-01-05", "source": "Krant A"},
                    {"text": "De minister zweeg.", "date": "2019-02-05", "source": "Krant B"}])
    assert archive.search("minister").total == 2
    assert archive.search("minister", filters=Filters(source="Krant B")).total == 1
    assert archive.search("minister", filters=Filters(month="2019-01")).total == 1
    assert archive.search("", filters=Filters(source="Krant A")).total == 1


@pytest.mark.slow
def test_ingest_finishes_the_analysis_an_earlier_run_left_undone(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    runner = CliRunner()
    texts = [f'date 2019-0{i + 1}-01 "Het gaat goed", zei minister Mark Rutte over plan {i}.' for i in range(3)]
    corpus = tmp_path / "in.txt"
    corpus.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    first = runner.invoke(cli, ["ingest", str(corpus), "--archive", str(db), "--no-analyze", "-q"])
    assert first.exit_code == 0
    with Archive.open(db) as archive:
        assert archive.unanalysed() == 3
    again = runner.invoke(cli, ["ingest", str(corpus), "--archive", str(db), "-q"])  # nothing new to read
    assert again.exit_code == 0, again.output
    assert "0 new, 3 duplicates" in again.output and "Analysed 3" in again.output
    with Archive.open(db) as archive:
        assert archive.unanalysed() == 0


def test_an_index_of_another_version_is_built_again_where_the_archive_may_be_written(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with Archive.open(db) as a:
        a.ingest([{"text": UNTITLED, "date": "2019-02"}, {"text": TARGET, "date": "2019-01-01"}])
        assert a.search("ambassadeur").total == 1
    record = tmp_path / "k.db.index" / "kroniek-index.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "schema_version": -1}))
    with Archive.open(db, readonly=True) as reader, pytest.raises(IndexVersionError) as info:
        reader.search("ambassadeur")
    assert "kroniek reindex" in info.value.hint
    notices: list[str] = []
    with Archive.open(db) as a:
        a.on_notice = notices.append
        (hit,) = a.search("ambassadeur").hits
        assert hit.title == "Stef Blok sprak met de Russische ambassadeur." and a.search("premier").total == 1
    assert any("another version" in n for n in notices)
    assert json.loads(record.read_text())["schema_version"] != -1

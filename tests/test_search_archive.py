"""Search through the archive and the CLI: the index beside the archive, kept in step, rebuilt, exported."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ALPINO_JSONL, SEED

from kroniek.archive import Archive, index_path
from kroniek.cli import cli
from kroniek.errors import QueryError
from kroniek.model import Analysis, ArticleDate, EntityMention, Quote, TimeExpression
from kroniek.nlp.timex_normalise import value_range


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = Archive.open(tmp_path / "k.db")
    a.ingest([SEED, ALPINO_JSONL])
    yield a
    a.close()


def test_search_archive_index_lives_beside_the_file_and_follows_ingest(archive: Archive, tmp_path: Path):
    assert index_path(tmp_path / "k.db") == tmp_path / "k.db.index"
    assert (tmp_path / "k.db.index").is_dir()
    assert archive.search("", facets=False).total == archive.count() == 55
    assert archive.search("Australie").total == 1
    archive.ingest([{"id": "new", "date": "2021-03", "text": "Een nieuw gesprek over fietspaden in Utrecht.",
                     "title": "Fietspaden", "source": "Stadskrant"}])
    result = archive.search("fietspaden utrecht")
    assert [h.id for h in result.hits] == ["new"]
    assert result.hits[0].source == "Stadskrant" and result.hits[0].date == "2021-03"


def test_search_archive_after_analysis_entity_fields_work(archive: Archive):
    (seed_id,) = [h.id for h in archive.search("mh17", facets=False).hits]
    art = archive.get_article(seed_id)
    blok = art.text.index("Stef Blok")
    analysis = Analysis(id=seed_id, date=art.date, text=art.text,
                        entities=[EntityMention(blok, blok + 9, "Stef Blok", "PER", "Stef Blok")],
                        quotes=[Quote(0, 10, art.text[:10], "direct", speaker="Stef Blok")],
                        timexes=[TimeExpression(0, 4, "2014", "DATE", "2014", period=value_range("2014"))])
    archive.store.save_analyses([analysis], "test", ["entities", "quotes", "timexes"])
    assert archive.search("person:blok").total == 0
    archive._on_articles_changed([seed_id])
    result = archive.search("person:blok speaker:blok mentions:2014-07")
    assert [h.id for h in result.hits] == [seed_id]
    assert [(f.value, f.label) for f in result.facets["entity"]] == [("Stef Blok", "PER")]


def test_search_archive_reindex_rebuilds_a_lost_index(archive: Archive, tmp_path: Path):
    archive.close()
    import shutil
    shutil.rmtree(tmp_path / "k.db.index")
    with Archive.open(tmp_path / "k.db") as again:
        assert again.search("gesprekken").total == 1  # rebuilt from the store on first use
        assert again.reindex() == 55
        assert again.search("gesprekken").total == 1


def test_search_archive_ids_walk_every_match(archive: Archive):
    ids = list(archive.search_ids("de"))
    assert len(ids) == len(set(ids)) == archive.search("de", facets=False).total
    assert list(archive.search_ids("de", most=3)) == ids[:3]
    dates = [ArticleDate.parse(h.date) for h in archive.search("de", limit=100, sort="date", facets=False).hits]
    assert dates == sorted(dates, reverse=True)


def test_search_archive_bad_query(archive: Archive):
    with pytest.raises(QueryError):
        archive.search("date:2019-02-30")


def test_search_cli_search_json_and_errors(tmp_path: Path):
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", "--no-analyze", "-q", "--archive", db, str(SEED)]).exit_code == 0
    res = runner.invoke(cli, ["search", "--archive", db, "gesprek", "--json", "--facets"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["total"] == 1 and "<mark>gesprekken</mark>" in data["hits"][0]["snippet"]
    assert data["facets"]["month"] == [{"value": "2019-02", "count": 1, "label": None}]
    assert json.loads(runner.invoke(cli, ["search", "--archive", db, "gesprek", "--exact", "--json"]).output)[
        "total"] == 0
    bad = runner.invoke(cli, ["search", "--archive", db, "title:(rusland"])
    assert bad.exit_code == 1
    assert "unclosed parenthesis at character 7" in bad.output
    text = runner.invoke(cli, ["search", "--archive", db, "rusland", "--sort", "date", "--limit", "1"])
    assert text.exit_code == 0 and "1-1 of 1 articles" in text.output


def test_search_cli_reindex_and_export(tmp_path: Path):
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    runner.invoke(cli, ["ingest", "--no-analyze", "-q", "--archive", db, str(SEED), str(ALPINO_JSONL)])
    res = runner.invoke(cli, ["reindex", "--archive", db, "-q"])
    assert res.exit_code == 0 and "Indexed 55 articles" in res.output
    jsonl = runner.invoke(cli, ["export", "--archive", db, "rusland"])
    rows = [json.loads(line) for line in jsonl.output.splitlines()]
    assert len(rows) == 1 and "Rusland" in rows[0]["text"]
    out = tmp_path / "x.csv"
    res = runner.invoke(cli, ["export", "--archive", db, "de", "--format", "csv", "--limit", "5", "-o", str(out)])
    assert res.exit_code == 0
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert table[0][0] == "id" and len(table) == 6


def test_index_kept_in_step_by_ingest_answers_as_a_rebuilt_one(tmp_path: Path) -> None:
    from kroniek.settings import CoreSettings

    queries = ["de", "minister", '"in de"', '"van de regering"', "gesprek*", "date:2001", "rusland OR kabinet",
               'title:"de"', "source:nrc", "-de"]
    with Archive.open(tmp_path / "k.db", settings=CoreSettings(ingest_batch=7)) as a:
        a.ingest([SEED, ALPINO_JSONL])
        stepwise = {q: (r.total, [h.id for h in r.hits], r.facets) for q in queries
                    for r in [a.search(q, limit=100)]}
        assert a.search("de").total == a.count() == 55
        a.reindex()
        rebuilt = {q: (r.total, [h.id for h in r.hits], r.facets) for q in queries for r in [a.search(q, limit=100)]}
    for q in queries:
        assert stepwise[q][0] == rebuilt[q][0], q
        assert sorted(stepwise[q][1]) == sorted(rebuilt[q][1]), q
        assert stepwise[q][2] == rebuilt[q][2], q


def test_ingest_stopped_by_an_error_leaves_what_it_stored_searchable(tmp_path: Path, monkeypatch) -> None:
    from kroniek.errors import ArchiveError
    from kroniek.settings import CoreSettings

    with Archive.open(tmp_path / "k.db", settings=CoreSettings(ingest_batch=10, ingest_workers=1)) as a:
        real_insert, calls = a.store.insert_if_all_new, []

        def insert_if_all_new(rows, quarantine):  # the third batch meets a full disk
            calls.append(len(rows))
            if len(calls) == 3:
                raise ArchiveError("cannot write to the archive: disk full")
            return real_insert(rows, quarantine)

        monkeypatch.setattr(a.store, "insert_if_all_new", insert_if_all_new)
        with pytest.raises(ArchiveError):
            a.ingest([ALPINO_JSONL])
        stored = a.count()
        assert stored == 20
        assert a.search("de", limit=100).total == stored

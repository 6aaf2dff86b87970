"""The search index split by period (kroniek/search/split.py): written and searched as one index, it finds what one
index finds, reads only the parts of the years a date filter names, and keeps its layout on disk."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from kroniek.archive import Archive
from kroniek.cli import cli
from kroniek.errors import ArchiveError
from kroniek.model import ArticleDate
from kroniek.search.documents import IndexDoc
from kroniek.search.index import SearchIndex
from kroniek.search.split import UNDATED, SplitIndex, open_index, part_key, recorded_layout
from kroniek.settings import CoreSettings

_WORDS = ("minister kabinet verkiezing rechter proces ramp vliegtuig onderzoek gemeente brand politie "
          "voetbal wedstrijd bedrijf winst staking school haven storm overstroming").split()
_SOURCES = ("NRC", "Trouw", "de Volkskrant")


def _docs(n: int, seed: int = 5) -> list[IndexDoc]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        words = rnd.sample(_WORDS, 6)
        year = rnd.randint(2001, 2012)
        if i % 17 == 0:
            date = None
        elif i % 5 == 0:
            date = ArticleDate.parse(f"{year}-{rnd.randint(1, 12):02d}")
        else:
            date = ArticleDate.parse(f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}")
        out.append(IndexDoc(
            id=f"d{i}", title=" ".join(words[:2]).capitalize(),
            text=f"De {words[2]} en de {words[3]} van de stad. Het {words[4]} bleef lang een {words[5]}.",
            source=_SOURCES[i % 3], date=date,
            entities={"PER": [f"Jan {words[0].capitalize()}"], "LOC": ["Rotterdam" if i % 2 else "Utrecht"]}))
    return out


QUERIES = ["minister", "minister kabinet", '"de stad"', "rechter OR ramp", "politie -brand", "minister date:2005",
           "ramp date:2003..2006", "date:2010", "kabinet date:..2004", "bedrijf date:2008-01..2008-06",
           "source:Trouw winst", "*"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchIndex, SplitIndex, SplitIndex]:
    docs = _docs(400)
    root = tmp_path_factory.mktemp("split")
    one, by_year, by_five = SearchIndex(root / "one"), SplitIndex(root / "year", years=1), \
        SplitIndex(root / "five", years=5)
    for index in (one, by_year, by_five):
        index.add(docs[:250], replace=False)
        index.commit(checkpoint=1)
        index.add(docs[250:])  # the catch-up's way: replacing by id
        index.commit(checkpoint=2)
    return one, by_year, by_five


def _facets(result: object) -> dict[str, list[tuple[str, int]]]:
    return {name: sorted((f.value, f.count) for f in facets) for name, facets in result.facets.items()}  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", QUERIES)
def test_a_split_index_finds_what_one_index_finds(pair: tuple[SearchIndex, SplitIndex, SplitIndex],
                                                   query: str) -> None:
    one = pair[0].search(query, limit=500, facet_size=100)
    assert one.total > 0, "the query should match something"
    for split in pair[1:]:
        got = split.search(query, limit=500, facet_size=100)
        assert got.total == one.total
        assert {h.id for h in got.hits} == {h.id for h in one.hits}
        assert _facets(got) == _facets(one)


@pytest.mark.parametrize("sort", ["date", "date-asc"])
def test_pages_by_date_follow_each_other_across_parts(pair: tuple[SearchIndex, SplitIndex, SplitIndex],
                                                      sort: str) -> None:
    one, by_year, _ = pair
    whole = one.search("de", limit=400, sort=sort, facets=False)
    pages = [by_year.search("de", limit=37, offset=o, sort=sort, facets=False) for o in range(0, 400, 37)]
    ids = [h.id for p in pages for h in p.hits]
    assert len(ids) == len(set(ids)) == whole.total
    dates = [ArticleDate.parse(h.date).first_day if h.date else None for p in pages for h in p.hits]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=(sort == "date"))
    assert all(d is None for d in dates[len(dated):]), "undated articles come last, as in one index"


def test_relevance_pages_merge_by_score(pair: tuple[SearchIndex, SplitIndex, SplitIndex]) -> None:
    _, by_year, _ = pair
    result = by_year.search("minister kabinet", limit=50)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    second = by_year.search("minister kabinet", limit=10, offset=10)
    assert [h.id for h in second.hits] == [h.id for h in result.hits[10:20]]
    assert all(h.snippet for h in result.hits), "every hit of the page has its snippet"


def test_a_date_filter_reads_only_the_parts_of_its_years(pair: tuple[SearchIndex, SplitIndex, SplitIndex]) -> None:
    _, by_year, by_five = pair
    assert UNDATED in by_year.parts() and "2001" in by_year.parts() and "2012" in by_year.parts()
    assert by_year._selected(by_year._compiler._compile("ramp date:2003..2006", False).tree) == \
        ["2003", "2004", "2005", "2006"]
    assert by_five._selected(by_five._compiler._compile("date:2010", False).tree) == ["2010"]
    assert by_five._selected(by_five._compiler._compile("date:..2004", False).tree) == ["2000"]
    # a date filter that is not required of every match (under OR, or negated) reads every part
    for query in ("ramp OR date:2005", "-date:2005 ramp"):
        assert by_year._selected(by_year._compiler._compile(query, False).tree) == by_year.parts()


def test_titles_and_deletes_reach_every_part(tmp_path: Path) -> None:
    index = SplitIndex(tmp_path / "ix", years=1)
    docs = _docs(60)
    index.add(docs, replace=False)
    index.commit()
    target = docs[7]
    found = index.titles(target.title, limit=60)
    assert target.id in [i for i, _, _ in found]
    index.delete([target.id, docs[0].id])  # d0 is undated
    index.commit()
    assert len(index) == 58
    assert index.search(f"{target.title}", limit=100).total == len(found) - 1


def test_the_layout_is_kept_in_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    index = SplitIndex(path, years=2)
    index.add(_docs(30), replace=False)
    index.commit(checkpoint=9)
    index.close()
    assert recorded_layout(path) == 2
    assert json.loads((path / "kroniek-index.json").read_text())["checkpoint"] == 9
    again = open_index(path, split_years=7)  # the recorded layout wins over a new one's
    assert isinstance(again, SplitIndex) and again.years == 2 and len(again) == 30 and again.checkpoint == 9
    again.close()
    with pytest.raises(ArchiveError, match="split by 2"):
        SplitIndex(path, years=3)
    single = tmp_path / "single"
    SearchIndex(single).close()
    assert recorded_layout(single) == 0 and isinstance(open_index(single, split_years=1), SearchIndex)
    assert recorded_layout(tmp_path / "none") is None


def test_a_reader_sees_a_part_another_process_made(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    writer = SplitIndex(path, years=1)
    writer.add(_docs(10), replace=False)
    writer.commit(checkpoint=1)
    reader = SplitIndex(path, years=1)
    before = reader.search("de", limit=0).total
    writer.add([IndexDoc(id="new", title="Nieuw", text="De haven van de stad.", date=ArticleDate.parse("1999-04-02"))])
    writer.commit(checkpoint=2)
    assert reader.refresh_checkpoint() == 2
    assert "1999" in reader.parts()
    assert reader.search("de", limit=0).total == before + 1
    assert not any(p.name.startswith(".") for p in (path / "parts").iterdir()), "no half-made part is left"


def test_part_keys() -> None:
    assert part_key(ArticleDate.parse("2019-02"), 1) == "2019"
    assert part_key(ArticleDate.parse("2014-05-01"), 10) == "2010"
    assert part_key(ArticleDate.parse("2015"), 5) == "2015"
    assert part_key(None, 3) == UNDATED


def _archive_articles(n: int, start: int = 0) -> list[dict[str, str]]:
    return [{"id": f"a{i}", "date": f"{2000 + i % 9}-{i % 12 + 1:02d}-03",
             "text": f"De minister sprak in {2000 + i % 9} over het bericht {i} van het kabinet."}
            for i in range(start, start + n)]


def test_an_archive_split_by_reindex_keeps_its_layout_through_writes(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    runner = CliRunner()
    with Archive.open(db, settings=CoreSettings(archive=db)) as archive:
        archive.on_notice = lambda _: None
        archive.ingest(_archive_articles(40))
    done = runner.invoke(cli, ["reindex", "--archive", str(db), "-q", "--split-years", "3"])
    assert done.exit_code == 0, done.output
    assert recorded_layout(Path(f"{db}.index")) == 3
    # a later write catches up into the parts; a search through the CLI finds it all
    with Archive.open(db, settings=CoreSettings(archive=db)) as archive:
        archive.on_notice = lambda _: None
        archive.ingest(_archive_articles(20, start=40))
        assert isinstance(archive.index, SplitIndex)
        assert archive.search("minister").total == 60
        assert archive.search("minister date:2003").total == len([i for i in range(60) if i % 9 == 3])
    found = runner.invoke(cli, ["search", "kabinet date:2001", "--archive", str(db), "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["total"] == len([i for i in range(60) if i % 9 == 1])
    # a plain reindex keeps the layout; --split-years 0 goes back to one index
    assert runner.invoke(cli, ["reindex", "--archive", str(db), "-q"]).exit_code == 0
    assert recorded_layout(Path(f"{db}.index")) == 3
    assert runner.invoke(cli, ["reindex", "--archive", str(db), "-q", "--split-years", "0"]).exit_code == 0
    assert recorded_layout(Path(f"{db}.index")) == 0
    with Archive.open(db, readonly=True) as archive:
        assert isinstance(archive.index, SearchIndex) and archive.search("minister").total == 60


def test_a_new_index_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRONIEK_INDEX_SPLIT_YEARS", "1")
    db = tmp_path / "k.db"
    with Archive.open(db) as archive:
        archive.on_notice = lambda _: None
        archive.ingest(_archive_articles(12))
        assert isinstance(archive.index, SplitIndex) and len(archive.index.parts()) == 9
    monkeypatch.setenv("KRONIEK_INDEX_SPLIT_YEARS", "soms")
    with pytest.raises(ArchiveError, match="KRONIEK_INDEX_SPLIT_YEARS"):
        CoreSettings()

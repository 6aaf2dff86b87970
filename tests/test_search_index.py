"""The tantivy index on a small archive: every query feature, Dutch stemming and folding, facets and snippets."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import SEED

from kroniek.errors import ArchiveError, QueryError
from kroniek.model import EntityMention, Quote, TimeExpression
from kroniek.nlp.timex_normalise import value_range
from kroniek.search.documents import IndexDoc
from kroniek.search.index import SearchIndex


def _seed_text() -> str:
    word, date, text = SEED.read_text(encoding="utf-8").split(None, 2)
    assert (word, date) == ("date", "2019-02")
    return text


def _docs() -> list[IndexDoc]:
    return [
        IndexDoc.build(
            "mh17", _seed_text(), title="Gesprekken met Rusland over MH17", source="NRC", date="2019-02",
            entities=[EntityMention(0, 4, "Blok", "PER", "Stef Blok"), EntityMention(0, 7, "Rusland", "LOC"),
                      EntityMention(0, 3, "VVD", "ORG"), EntityMention(0, 5, "MH17", "MISC")],
            quotes=[Quote(0, 10, "We mogen hoopvol zijn", "direct", speaker="Stef Blok")],
            timexes=[TimeExpression(0, 5, "vorig jaar mei", "DATE", "2018-05", period=value_range("2018-05")),
                     TimeExpression(0, 7, "in 2014", "DATE", "2014", period=value_range("2014")),
                     TimeExpression(0, 9, "binnenkort", "DATE", "FUTURE_REF")]),
        IndexDoc.build("gesprek", "Het gesprek van de minister met de boeren liep uit op ruzie.", title="Boerenoverleg",
                       source="Trouw", date="2018-05-03",
                       entities=[EntityMention(0, 4, "Carola Schouten", "PER")],
                       quotes=[Quote(0, 5, "Het was goed", "direct", speaker="Carola Schouten")]),
        IndexDoc.build("jaar", "Een jaaroverzicht: de regering viel niet, de oppositie wel. Rusland bleef stil.",
                       title="Het jaar 2018", source="Trouw", date="2018"),
        IndexDoc.build("html", "Een <script>alert('x')</script> in de tekst & een citaat over de ministerraad.",
                       title="Markup <b>test</b>", source="Het Avondnieuws", date="2020-07-01"),
        IndexDoc.build("undated", "Een bericht zonder datum over de boeren in Nederland.", title="Zonder datum"),
    ]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    ix = SearchIndex()
    ix.add(_docs())
    ix.commit()
    return ix


def ids(index: SearchIndex, query: str, **kwargs) -> set[str]:
    result = index.search(query, limit=50, facets=False, **kwargs)
    assert result.total == len(result.hits)
    return {h.id for h in result.hits}


def test_search_stemming_gesprek_finds_gesprekken(index):
    assert "gesprekken" in _seed_text() and " gesprek " not in _seed_text()
    assert ids(index, "gesprek") == {"mh17", "gesprek"}
    assert ids(index, "gesprekken") == {"mh17", "gesprek"}


def test_search_exact_does_not_stem(index):
    assert ids(index, '"gesprek"') == {"gesprek"}
    assert ids(index, "gesprek", exact=True) == {"gesprek"}
    assert ids(index, '"gesprekken"') == {"mh17"}


def test_search_folding_australie_finds_australie_with_trema(index):
    assert "Australië" in _seed_text()
    assert ids(index, "Australie") == {"mh17"}
    assert ids(index, "australië") == {"mh17"}
    assert ids(index, '"Australie"') == {"mh17"}


def test_search_stop_word_alone_still_searches(index):
    assert ids(index, "zonder") == {"undated"}


def test_search_words_are_anded(index):
    assert ids(index, "rusland gesprek") == {"mh17"}
    assert ids(index, "rusland") == {"mh17", "jaar"}


def test_search_phrase(index):
    assert ids(index, '"nabije toekomst"') == {"mh17"}
    assert ids(index, '"toekomst nabije"') == set()
    assert ids(index, '"van de minister"') == {"gesprek"}


def test_search_or_not_minus_and_groups(index):
    assert ids(index, "ruzie OR jaaroverzicht") == {"gesprek", "jaar"}
    assert ids(index, "rusland NOT mh17") == {"jaar"}
    assert ids(index, "rusland -mh17") == {"jaar"}
    assert ids(index, "(ruzie OR jaaroverzicht) rusland") == {"jaar"}
    assert ids(index, "-boeren") == {"mh17", "jaar", "html"}


def test_search_prefix(index):
    assert ids(index, "ministerr*") == {"html"}
    assert ids(index, "jaaro*") == {"jaar"}


def test_search_title_and_source_fields(index):
    assert ids(index, "title:jaar") == {"jaar"}
    assert ids(index, "title:rusland") == {"mh17"}
    assert ids(index, "source:trouw") == {"gesprek", "jaar"}
    assert ids(index, 'source:"het avondnieuws"') == {"html"}
    assert ids(index, "source:avondnieuws") == {"html"}


def test_search_date_filter_overlaps_periods(index):
    # mh17 is dated 2019-02 (a month), jaar 2018 (a year), gesprek 2018-05-03, html 2020-07-01
    assert ids(index, "date:2019-02-14") == {"mh17"}
    assert ids(index, "date:2019") == {"mh17"}
    assert ids(index, "date:2018-05") == {"gesprek", "jaar"}
    assert ids(index, "date:2018-06") == {"jaar"}
    assert ids(index, "date:2018-05..2019-02") == {"mh17", "gesprek", "jaar"}
    assert ids(index, "date:2019-03..") == {"html"}
    assert ids(index, "date:..2018-04") == {"jaar"}
    assert ids(index, "date:2019-03..2020-06") == set()


def test_search_entity_fields(index):
    assert ids(index, "person:Blok") == {"mh17"}
    assert ids(index, 'person:"Stef Blok"') == {"mh17"}
    assert ids(index, "loc:rusland") == {"mh17"}
    assert ids(index, "org:vvd") == {"mh17"}
    assert ids(index, "misc:mh17") == {"mh17"}
    assert ids(index, "entity:schouten") == {"gesprek"}
    assert ids(index, "person:rusland") == set()
    assert ids(index, "speaker:schouten") == {"gesprek"}
    assert ids(index, 'speaker:"stef blok" rusland') == {"mh17"}


def test_search_mentions_overlap(index):
    assert ids(index, "mentions:2018-05") == {"mh17"}
    assert ids(index, "mentions:2014-07-17") == {"mh17"}
    assert ids(index, "mentions:2010..2013") == set()
    assert ids(index, "mentions:2016..") == {"mh17"}


def test_search_filters_alone_and_empty_query(index):
    assert index.search("", facets=False).total == 5
    assert ids(index, "date:2018.. source:trouw") == {"gesprek", "jaar"}


def test_search_sort_by_date_and_pagination(index):
    by_date = index.search("de", sort="date", limit=10, facets=False)
    dated = [h.id for h in by_date.hits if h.date]
    assert dated == ["html", "mh17", "gesprek", "jaar"]
    oldest = index.search("de", sort="date-asc", limit=2, facets=False)
    assert [h.id for h in oldest.hits][:1] in (["jaar"], ["undated"])
    page1 = index.search("de", sort="date", limit=2, facets=False)
    page2 = index.search("de", sort="date", limit=2, offset=2, facets=False)
    assert page1.total == page2.total == by_date.total
    assert [h.id for h in page1.hits + page2.hits] == [h.id for h in by_date.hits][:4]


def test_search_relevance_ranks_and_scores(index):
    result = index.search("rusland", facets=False)
    assert [h.id for h in result.hits][0] == "mh17"  # in the title and the text, several times
    assert result.hits[0].score >= result.hits[-1].score > 0


def test_search_snippet_marks_words_and_is_html_safe(index):
    hit = index.search("ministerraad", facets=False).hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>ministerraad</mark>" in hit.snippet
    assert "&amp;" in hit.snippet
    title = index.search("title:markup", facets=False).hits[0]
    assert title.title_html == "<mark>Markup</mark> &lt;b&gt;test&lt;/b&gt;"


def test_search_snippet_of_a_long_article_is_a_window(index):
    hit = index.search('"raketinstallatie"', facets=False).hits[0]
    assert "<mark>raketinstallatie</mark>" in hit.snippet
    assert hit.snippet.startswith("… ") and len(hit.snippet) < 400
    stemmed = index.search("gesprek", facets=False)
    mh17 = next(h for h in stemmed.hits if h.id == "mh17")
    assert "<mark>gesprekken</mark>" in mh17.snippet


def test_search_negated_words_are_not_marked(index):
    hit = index.search("boeren -ruzie", facets=False).hits[0]
    assert "<mark>boeren</mark>" in hit.snippet and "<mark>ruzie" not in hit.snippet


def test_search_facets(index):
    facets = index.search("de").facets
    assert {f.value: f.count for f in facets["year"]} == {"2018": 2, "2019": 1, "2020": 1}
    assert {f.value: f.count for f in facets["month"]} == {"2018-05": 1, "2019-02": 1, "2020-07": 1}
    assert {f.value: f.count for f in facets["source"]} == {"Trouw": 2, "NRC": 1, "Het Avondnieuws": 1}
    assert ("Stef Blok", "PER", 1) in {(f.value, f.label, f.count) for f in facets["entity"]}
    assert {f.value for f in facets["speaker"]} == {"Stef Blok", "Carola Schouten"}
    only = index.search("ruzie").facets
    assert [(f.value, f.count) for f in only["source"]] == [("Trouw", 1)]


def test_search_bad_queries_raise_query_error(index):
    with pytest.raises(QueryError) as info:
        index.search("colour:red")
    assert info.value.position == 0
    with pytest.raises(QueryError):
        index.search("x", sort="popularity")


def test_search_replace_delete_and_clear(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(IndexDoc.build("a", "een tekst over fietsen", date="2020"))
    ix.add(IndexDoc.build("b", "een tekst over auto's", date="2021"))
    ix.commit()
    ix.add(IndexDoc.build("a", "een tekst over treinen", date="2020"))
    ix.commit()
    assert len(ix) == 2
    assert ids(ix, "fietsen") == set() and ids(ix, "treinen") == {"a"}
    ix.delete("b")
    ix.commit()
    assert ids(ix, "tekst") == {"a"}
    reopened = SearchIndex(tmp_path / "ix")
    assert ids(reopened, "treinen") == {"a"}
    ix.clear()
    assert len(ix) == 0


def test_search_index_opened_beside_its_writer_leaves_the_checkpoint_alone(tmp_path):
    """A reader (a server) opened while a writer (an ingest) works never writes back the checkpoint it read."""
    path = tmp_path / "ix"
    writer = SearchIndex(path)
    writer.add(IndexDoc.build("a", "een tekst over fietsen", date="2020"))
    writer.commit(checkpoint=3)
    reader = SearchIndex(path)
    assert reader.checkpoint == 3
    writer.add(IndexDoc.build("b", "een tekst over treinen", date="2020"))
    writer.commit(checkpoint=7)
    meta = path / "kroniek-index.json"
    before = meta.stat().st_ino
    again = SearchIndex(path)  # the record is only read
    assert meta.stat().st_ino == before and json.loads(meta.read_text())["checkpoint"] == 7
    assert again.checkpoint == 7 and ids(again, "tekst") == {"a", "b"}


def test_search_index_of_another_version_asks_for_reindex(tmp_path):
    path = tmp_path / "ix"
    SearchIndex(path).commit()
    (path / "kroniek-index.json").write_text(json.dumps({"schema_version": -1}))
    with pytest.raises(ArchiveError) as info:
        SearchIndex(path)
    assert "reindex" in info.value.hint


def test_search_clear_and_bulk_add_replace_everything(tmp_path):
    path = tmp_path / "ix"
    again = SearchIndex(path)
    again.add(_docs(), replace=False)
    again.commit()
    again.clear()  # as `kroniek reindex` does with an open index
    again.add(_docs()[:2], replace=False)
    again.commit()
    assert len(again) == 2
    assert again.size_bytes() > 0
    # a bulk build reads the word forms from the term dictionary: stemmed search works, also after reopening
    assert ids(again, "gesprek") == {"mh17", "gesprek"}
    assert ids(SearchIndex(path), "gesprekken") == {"mh17", "gesprek"}


@pytest.mark.parametrize("value,period", [
    ("2018-05", (dt.date(2018, 5, 1), dt.date(2018, 5, 31))),
    ("2014", (dt.date(2014, 1, 1), dt.date(2014, 12, 31))),
    ("2019-02-14TEV", (dt.date(2019, 2, 14), dt.date(2019, 2, 14))),
    ("2019-W07", (dt.date(2019, 2, 11), dt.date(2019, 2, 17))),
    ("2019-Q2", (dt.date(2019, 4, 1), dt.date(2019, 6, 30))),
    ("2019-WI", (dt.date(2019, 12, 1), dt.date(2020, 2, 29))),
    ("201X", (dt.date(2010, 1, 1), dt.date(2019, 12, 31))),
    ("19", (dt.date(1900, 1, 1), dt.date(1999, 12, 31))),
    ("PRESENT_REF", None), ("P2Y", None), ("2019-02-30", None),
])
def test_search_timex_periods(value, period):
    # the index takes the period a time expression carries (worked out once, by the NLP layer)
    timex = TimeExpression(0, 4, "toen", "DATE", value, period=value_range(value))
    doc = IndexDoc.build("a", "toen", timexes=[timex])
    assert doc.mentions == ([period] if period else [])


@pytest.mark.parametrize("date", ["2020", "2019", "2020-12", "2020-02-29"])
def test_a_period_matches_a_filter_on_its_first_and_last_day(date: str) -> None:
    index = SearchIndex(None)
    index.add([IndexDoc.build("p", "Een bericht over de haven.", date=date)])
    index.commit()
    doc = index.search("haven", facets=False)
    assert doc.total == 1
    from kroniek.model import ArticleDate
    period = ArticleDate.parse(date)
    first, last = period.first_day, period.last_day
    day = dt.timedelta(days=1)
    assert index.search(f"haven date:{last.isoformat()}..{(last + 30 * day).isoformat()}", facets=False).total == 1
    assert index.search(f"haven date:{(first - 30 * day).isoformat()}..{first.isoformat()}", facets=False).total == 1
    assert index.search(f"haven date:{(last + day).isoformat()}..", facets=False).total == 0
    assert index.search(f"haven date:..{(first - day).isoformat()}", facets=False).total == 0


def test_a_page_of_no_hits_still_counts_and_facets() -> None:
    index = SearchIndex(None)
    index.add(_docs())
    index.commit()
    full = index.search("de", limit=20)
    empty = index.search("de", limit=0)
    assert empty.hits == [] and empty.total == full.total > 0
    assert empty.facets == full.facets


def _marked(html_text: str) -> list[str]:
    import re

    return re.findall(r"<mark>(.*?)</mark>", html_text)


def test_a_phrase_is_marked_where_it_stands_whole_not_word_by_word() -> None:
    body = ("De man zag de vrouw. " * 6 + "Later kwam hij in de stad aan, in het park; de stad was mooi. "
            + "De boom en de tuin. " * 6)
    index = SearchIndex(None)
    index.add([IndexDoc.build("a", body, title="In de stad van de man", date="2019")])
    index.commit()
    hit = index.search('"in de"').hits[0]
    assert _marked(hit.snippet) == ["in", "de"]
    assert _marked(hit.title_html) == ["In", "de"]
    # a word asked for on its own is still marked everywhere, the phrase's words only inside the phrase
    both = index.search('stad "in de"').hits[0]
    assert _marked(both.snippet) == ["in", "de", "stad", "stad"]
    alone = index.search("de").hits[0]
    assert _marked(alone.snippet).count("de") + _marked(alone.snippet).count("De") > 10
    three = index.search('"de stad was"').hits[0]
    assert _marked(three.snippet) == ["de", "stad", "was"]


def test_an_untitled_hit_is_headed_by_the_headline_kept_in_the_index() -> None:
    ix = SearchIndex()
    ix.add([IndexDoc.build("u", "Stef Blok sprak met de ambassadeur. Daarna niets.", date="2019-02",
                           headline="Stef Blök sprak met de ambassadeur, onderhandelingen hervat."),
            IndexDoc.build("t", "De ambassadeur zweeg.", title="Een titel", headline="wordt niet gebruikt")])
    ix.commit()
    hits = {h.id: h for h in ix.search("ambassadeur", facets=False).hits}
    # the headline heads the hit unmarked (title_html is for a title only) and keeps every character
    assert (hits["u"].title, hits["u"].title_html) == ("Stef Blök sprak met de ambassadeur, onderhandelingen hervat.",
                                                       "")
    assert hits["t"].title == "Een titel" and "<mark>" not in hits["t"].title_html
    # the headline is stored, not searched
    assert ix.search("onderhandelingen", facets=False).total == 0

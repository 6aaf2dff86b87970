"""The query language: what each construct parses to, and the message and position of each error."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kroniek.errors import QueryError
from kroniek.search.query import And, DateRange, MatchAll, Not, Or, Phrase, Term, parse


def test_query_words_are_anded_by_default():
    assert parse("rusland gesprekken") == And((Term("rusland", position=0), Term("gesprekken", position=8)))


def test_query_empty_matches_everything():
    assert parse("   ") == MatchAll()


def test_query_phrase_and_exact_flag():
    assert parse('"nabije toekomst"') == Phrase("nabije toekomst", position=0)
    assert parse("gesprek", exact=True) == Term("gesprek", exact=True)


def test_query_or_binds_weaker_than_and():
    tree = parse("a b OR c")
    assert isinstance(tree, Or)
    assert tree.children[0] == And((Term("a"), Term("b", position=2)))
    assert tree.children[1] == Term("c", position=7)


def test_query_not_and_minus():
    assert parse("a NOT b") == And((Term("a"), Not(Term("b", position=6))))
    assert parse("a -b") == And((Term("a"), Not(Term("b", position=3))))
    assert parse("-b") == Not(Term("b", position=1))


def test_query_lowercase_or_is_a_word():
    assert parse("a or b") == And((Term("a"), Term("or", position=2), Term("b", position=5)))


def test_query_parentheses_group():
    tree = parse("(a OR b) c")
    assert tree == And((Or((Term("a", position=1), Term("b", position=6))), Term("c", position=9)))


def test_query_prefix():
    assert parse("minist*") == Term("minist", prefix=True)


def test_query_fields_and_aliases():
    assert parse("title:brexit") == Term("brexit", field="title", position=6)
    assert parse('source:"RTL Nieuws"') == Phrase("RTL Nieuws", field="source", position=7)
    assert parse("per:Blok") == Term("Blok", field="person", position=4)
    assert parse("TITLE:x") == Term("x", field="title", position=6)


def test_query_field_group_applies_to_each_word():
    tree = parse("title:(brexit OR europa)")
    assert tree == Or((Term("brexit", field="title", position=7), Term("europa", field="title", position=17)))


def test_query_colon_in_a_non_field_word_is_kept():
    assert parse("10:30") == Term("10:30")


@pytest.mark.parametrize("text,start,end", [
    ("date:2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ("date:2019-02", dt.date(2019, 2, 1), dt.date(2019, 2, 28)),
    ("date:2020-02", dt.date(2020, 2, 1), dt.date(2020, 2, 29)),
    ("date:2019-02-14", dt.date(2019, 2, 14), dt.date(2019, 2, 14)),
    ("date:2018-05..2019-02", dt.date(2018, 5, 1), dt.date(2019, 2, 28)),
    ("date:..2019", None, dt.date(2019, 12, 31)),
    ("date:2019..", dt.date(2019, 1, 1), None),
])
def test_query_date_filters(text, start, end):
    assert parse(text) == DateRange("date", start, end, position=5)


def test_query_mentions_is_a_period_too():
    assert parse("mentions:2014") == DateRange("mentions", dt.date(2014, 1, 1), dt.date(2014, 12, 31), position=9)


def _error(query: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse(query)
    return info.value


def test_query_error_unclosed_quote():
    err = _error('mh17 "nabije toekomst')
    assert err.position == 5
    assert "unclosed quote" in str(err) and "character 6" in str(err)


def test_query_error_unclosed_parenthesis():
    err = _error("rusland (a OR b")
    assert err.position == 8
    assert "unclosed parenthesis" in str(err)


def test_query_error_stray_closing_parenthesis():
    err = _error("a b)")
    assert err.position == 3
    assert "')'" in str(err)


def test_query_error_unknown_field():
    err = _error("rusland colour:red")
    assert err.position == 8
    assert "unknown field 'colour'" in str(err)
    assert "title" in str(err)  # lists the known fields


@pytest.mark.parametrize("query,position,words", [
    ("date:2019-13", 5, "month 13"),
    ("date:2019-02-30", 5, "February 2019 has 28 days"),
    ("a date:2018-05..2019-02-31", 16, "impossible day"),
    ("date:gisteren", 5, "impossible date 'gisteren'"),
])
def test_query_error_impossible_date(query, position, words):
    err = _error(query)
    assert err.position == position
    assert words in str(err)


def test_query_error_reversed_range():
    err = _error("date:2019..2018")
    assert "ends before it starts" in str(err)


@pytest.mark.parametrize("query,position", [
    ("a OR", 2), ("OR a", 0), ("a NOT", 2), ("title:", 0), ("title: x", 0), ("()", 0), ('""', 0),
    ("date:..", 5),
])
def test_query_error_dangling_parts(query, position):
    assert _error(query).position == position


def test_query_caret_points_at_the_problem():
    query = 'a "b'
    err = _error(query)
    assert err.pointer(query).splitlines() == ['a "b', "  ^"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab :"()-*OR NDT.0129', max_size=30))
def test_query_any_input_parses_or_raises_query_error(text):
    try:
        parse(text)
    except QueryError as err:
        assert err.position is not None and 0 <= err.position <= len(text)

"""Fuzzing the query language: any text parses or is a QueryError with its position, and every query that parses
runs on a real index; no RecursionError, no regex error, no hang.

Bounded for CI: each test sets max_examples and a deadline per example (times measured in docs/reliability.md).
The inputs include any Unicode (lone surrogates too), soups of the language's own tokens, 100 KB queries and
10,000 nested parentheses, NOTs or quotes.
"""

from __future__ import annotations

import pytest
import tantivy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kroniek.errors import QueryError
from kroniek.search.documents import IndexDoc
from kroniek.search.index import SearchIndex, _regex_escape
from kroniek.search.query import parse

TOKENS = ["(", ")", '"', "“", "”", "NOT", "OR", "AND", "||", "&&", "-", "+", "*", ":", "title:", "text:", "date:",
          "mentions:", "entity:", "said:", "nope:", "2019", "2019-02", "2019-02-30", "..", "2018..2019", "MH17",
          "Blok*", "İstanbul*", "Ǆ*", "ß*", "ﬁ*", "de", "het", "10:30", "a.b", "\\", "[", "]", "{", "}", "^", "$", "|",
          "?", "#", "&", "~", "\x00", "\udcff", "\ud800", "\u0307", "\u200b", "\ufeff", " ", "  ", "\t", "\n"]
soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
spaced = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)
any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=500)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    idx = SearchIndex(None)
    idx.add([IndexDoc.build("a", "Stef Blok sprak in Den Haag over MH17 en İstanbul; om 10:30 a.b. de straße.",
                            title="Blok over MH17", source="NRC", date=None),
             IndexDoc.build("b", "Een tweede bericht over de ﬁnanciën en Ǆ.", title="Tweede")])
    idx.commit()
    return idx


def _parses_or_says_where(query: str) -> bool:
    """Whether the query parses; when it does not, the error says where, and the caret line can be printed."""
    try:
        parse(query)
    except QueryError as err:
        assert err.args[0] and err.position is not None and 0 <= err.position <= len(query)
        err.pointer(query).encode("utf-8")
        return False
    return True


def _runs(index: SearchIndex, query: str) -> None:
    """Search with the query: a result, or a QueryError, and nothing else."""
    try:
        result = index.search(query, limit=5)
    except QueryError as err:
        assert err.args[0]
        return
    assert result.total >= 0 and all(h.id in ("a", "b") for h in result.hits)


@settings(max_examples=300, deadline=1000)
@given(st.one_of(any_text, soup, spaced))
def test_fuzz_query_parser_any_text_parses_or_says_where(query: str) -> None:
    _parses_or_says_where(query)


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(soup, spaced, any_text))
def test_fuzz_query_any_text_runs_or_is_a_query_error(index: SearchIndex, query: str) -> None:
    _runs(index, query)


big = st.one_of(
    st.tuples(st.sampled_from(TOKENS), st.integers(1, 10_000)).map(lambda t: t[0] * t[1]),
    st.integers(1, 10_000).map(lambda n: "(" * n + "MH17" + ")" * n),
    st.integers(1, 10_000).map(lambda n: "NOT " * n + "MH17"),
    st.integers(1, 10_000).map(lambda n: '"' * n),
    st.integers(1, 5_000).map(lambda n: '"MH17" ' * n),
    st.tuples(spaced.filter(bool), st.integers(1, 3000)).map(lambda t: (t[0] + " ") * t[1]).map(lambda q: q[:100_000]),
    st.just("woord " * 17_000),
    st.just("x" * 100_000),
    st.just("Blok* " * 17_000),
)


@pytest.mark.slow
@settings(max_examples=25, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(big)
def test_fuzz_query_100_kb_and_10k_nested_run_or_are_query_errors(index: SearchIndex, query: str) -> None:
    assert _parses_or_says_where(query) in (True, False)
    _runs(index, query)


@settings(max_examples=300, deadline=1000)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_fuzz_query_prefix_regex_escape_always_compiles(token: str) -> None:
    tantivy.Query.regex_query(_SCHEMA, "body", _regex_escape(token) + ".*")


_SCHEMA = SearchIndex(None).schema

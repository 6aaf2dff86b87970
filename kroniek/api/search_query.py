"""How the edges pass a search and its facet filters to the archive: filters become field clauses of the query."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Filters:
    """Facet filters chosen by the user: each narrows the query to one value."""

    source: str | None = None
    entity: str | None = None
    speaker: str | None = None
    month: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in (("source", self.source), ("entity", self.entity),
                                    ("speaker", self.speaker), ("month", self.month)) if v]


def _phrase(value: str) -> str:
    # The query language has no escape inside a phrase; a double quote in a facet value cannot be meant.
    return '"' + " ".join(value.replace('"', " ").replace("“", " ").replace("”", " ").split()) + '"'


def combined(query: str, filters: Filters) -> str:
    """The user's query with one clause per filter, so every filter narrows what the query found."""
    clauses = []
    if filters.source:
        clauses.append(f"source:{_phrase(filters.source)}")
    if filters.entity:
        clauses.append(f"entity:{_phrase(filters.entity)}")
    if filters.speaker:
        clauses.append(f"speaker:{_phrase(filters.speaker)}")
    if filters.month:
        clauses.append(f"date:{filters.month}")
    if not clauses:
        return query
    base = f"({query}) " if query.strip() else ""
    return base + " ".join(clauses)


def run_search(archive: Any, query: str, *, limit: int, offset: int, sort: str = "relevance",
               facets: bool = True, exact: bool = False) -> Any:
    """One page of results from the archive's search; `exact` matches the words as written (no stemming)."""
    return archive.search(query, limit=limit, offset=offset, sort=sort, facets=facets, exact=exact)


def matching_ids(archive: Any, query: str, most: int) -> Iterator[str]:
    """The ids of up to `most` articles matching `query`, newest first."""
    return archive.search_ids(query, most=most)

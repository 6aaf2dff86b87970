"""Resolving the entities of an archive in its store: the groups of entity rows that share a name key are read,
resolved (`resolve.resolve_group`) and written back, a batch of groups per transaction.

After an analysis only the groups of the names it stored are resolved again; a full run resolves every group. A
group's result depends only on its own rows and their articles, so both give the same entities.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kroniek.entities.resolve import (
    Context,
    NameRow,
    Occurrence,
    ResolveParams,
    plan,
    resolve_group,
    roles_before,
    without_roles,
)
from kroniek.model import EntityLink, StoredArticle, name_key
from kroniek.store.base import Store
from kroniek.stories.detect import background, stems

BATCH_ROWS = 5000  # entity rows resolved per store transaction (whole groups: a batch may hold more)
OPENING_CHARS = 1000  # the words of an article compared: its title and opening
TERMS = 60  # the heaviest terms of an article kept


@dataclass
class ResolveReport:
    """What one resolution did: name keys and rows resolved, rows that joined another entity (in one article at
    least), and the articles whose mentions or speakers now point elsewhere."""

    groups: int = 0
    rows: int = 0
    merged: int = 0
    changed: list[str] = field(default_factory=list)


def _day(iso: str | None) -> int | None:
    return dt.date.fromisoformat(iso).toordinal() if iso else None


def _name_row(r: dict[str, Any]) -> NameRow:
    return NameRow(int(r["id"]), r["canonical"], r["label"], int(r["articles"] or 0), int(r["mentions"] or 0),
                   _day(r["first_day"]), _day(r["last_day"]))


def resolve_entities(store: Store, name_keys: Iterable[str] | None = None, *, params: ResolveParams | None = None,
                     progress: Callable[[int, int], None] | None = None) -> ResolveReport:
    """Resolve the groups of the given name keys (every group for None) and store the result. A group of one row
    that was never merged is left as it is. `progress` gets (rows done, rows)."""
    params = params or ResolveParams()
    report = ResolveReport()
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in store.entity_rows(None if name_keys is None else sorted(set(name_keys))):
        groups.setdefault(r["name_key"] or "", []).append(r)
    work = [rows for rows in groups.values()
            if len(rows) > 1 or rows[0]["resolved_id"] not in (None, rows[0]["id"])]
    total = sum(len(rows) for rows in work)
    changed: dict[str, None] = {}
    batch: list[list[dict[str, Any]]] = []
    size = 0
    for rows in work:
        batch.append(rows)
        size += len(rows)
        if size >= BATCH_ROWS:
            _resolve_batch(store, batch, params, report, changed)
            batch, size = [], 0
            if progress:
                progress(report.rows, total)
    if batch:
        _resolve_batch(store, batch, params, report, changed)
    if progress:
        progress(report.rows, total)
    report.changed = list(changed)
    return report


def article_vector(article: StoredArticle, names: Iterable[str] = ()) -> dict[str, float]:
    """The unit TF-IDF vector of an article's title and opening words, the words of the names it names left out
    (they are compared as names): Dutch stems, with the document frequencies of the shipped background of Dutch
    text, so that the same article always gives the same vector."""
    documents, df = background()
    skip = {t for name in names for t in stems(name)}
    counts = Counter(t for t in stems(article.title or "") * 2 + stems(article.text[:OPENING_CHARS]) if t not in skip)
    log_n = math.log(documents + 1)
    weights = {t: (1.0 + math.log(c)) * (log_n - math.log(df.get(t, 0) + 1)) for t, c in counts.items()}
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:TERMS]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: w / norm for t, w in top if w > 0}


def _resolve_batch(store: Store, batch: list[list[dict[str, Any]]], params: ResolveParams, report: ResolveReport,
                   changed: dict[str, None]) -> None:
    groups = [[_name_row(r) for r in rows] for rows in batch]
    short: set[int] = set()
    full: set[int] = set()
    for rows in groups:
        s, f = plan(rows)
        short |= s
        full |= f
    mentions = (store.entity_mentions(sorted(short)) if short else []) + (
        store.entity_mentions(sorted(full), per_row=params.profile_articles) if full else [])
    occurrences: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for m in mentions:
        occurrences.setdefault((int(m["base_id"]), m["article_id"]), []).append(m)
    occ = [Occurrence(base, aid, _day(ms[0]["day"]),
                      frozenset().union(*(roles_before(m["before"] or "", m["text"]) for m in ms)), len(ms))
           for (base, aid), ms in occurrences.items()]
    context = _context(store, sorted({o.article_id for o in occ}), {o.article_id for o in occ if o.row_id in short})
    by_row: dict[int, list[Occurrence]] = {}
    for o in occ:
        by_row.setdefault(o.row_id, []).append(o)
    links: list[EntityLink] = []
    for rows in groups:
        found = resolve_group(rows, [o for r in rows for o in by_row.get(r.id, ())], context, params)
        links += found
        report.merged += len({link.base_id for link in found if link.reason})
    report.groups += len(groups)
    report.rows += sum(len(rows) for rows in groups)
    changed.update(dict.fromkeys(store.save_resolution([r.id for rows in groups for r in rows], links)))


def _context(store: Store, articles: list[str], short_articles: set[str]) -> Context:
    """The names and words of the articles at hand, and how many articles of the archive name each name that
    the articles of short names share with others."""
    if not articles:
        return Context()
    names: dict[str, set[str]] = {}
    named: dict[str, set[str]] = {}
    spellings: dict[str, Counter[str]] = {}
    for m in store.mentions_in(articles):
        key = name_key(m["canonical"])
        names.setdefault(m["article_id"], set()).add(key)
        named.setdefault(m["article_id"], set()).add(m["canonical"])
        spellings.setdefault(key, Counter())[without_roles(m["canonical"])] += 1
    words = {a.id: article_vector(a, named.get(a.id, ())) for a in store.articles(articles)}
    in_short = {k for a in short_articles for k in names.get(a, ())}
    in_other = {k for a, keys in names.items() if a not in short_articles for k in keys}
    df: Counter[str] = Counter()
    wanted = sorted(in_short & in_other)
    for i in range(0, len(wanted), 500):
        for r in store.entity_rows(wanted[i:i + 500]):
            df[r["name_key"]] += int(r["articles"] or 0)
    return Context(names={a: frozenset(k) for a, k in names.items()}, words=words, df=df,
                   documents=store.count(), display={k: c.most_common(1)[0][0] for k, c in spellings.items()})

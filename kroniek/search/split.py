"""A search index split by period: one tantivy index per span of publication years (and one for undated articles)
in one folder, written and searched as one index.

Decades of coverage make one index large to rebuild, copy and merge. Split by period, each part stays the size of
its years: the parts of closed years stop changing (a new article of this year touches only this year's part),
a part can live on its own disk, and a query with a publication date filter (`date:2019`, `date:2010..2014`)
reads only the parts of those years. Every part has the schema of `SearchIndex` and is one; the folder holds them
under `parts/<first year>/` (`parts/undated/`), their shared vocabulary, and the record of the layout and of the
checkpoint (`kroniek-index.json`, as for one index).

A query runs on every part it can match at once (threads: tantivy lets go of the GIL), each part ranking its best
`offset + limit` hits and counting its facets; the hits are merged (by score; by date, part after part, since
the parts do not overlap in time) and only the page's hits get snippets. Two things are not exactly what one index
would give:

- BM25 weighs a word by how rare it is in the part that holds the article, not in the whole archive (as search
  clusters that split an index do by default); within one period, which is what most searches of a story narrow
  to, the order is the same.
- The counts of sources, entities and speakers come from each part's largest `3 * size + 10` values; a value
  that misses that list in some part counts only where it made it. Year and month counts are exact.

An article stays in the part of its publication date: Kroniek never changes the date of a stored article (the
same id is the same article).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy

from kroniek.errors import ArchiveError, IndexVersionError
from kroniek.model import ArticleDate
from kroniek.search import query as q
from kroniek.search.documents import IndexDoc
from kroniek.search.index import (
    _META,
    SCHEMA_VERSION,
    SearchIndex,
    SearchResult,
    _analyzer,
    check_page,
    facet_counts,
    read_record,
    recorded_checkpoint,
    title_of,
    write_record,
)
from kroniek.search.vocabulary import Vocabulary

PARTS = "parts"
UNDATED = "undated"
# a part's writer gets this share of the whole index's memory budget (the writers of a catch-up are all open at
# once, but each holds only its years' share of the articles since the last commit), and at least the floor
_PART_HEAP_SHARE = 4
_PART_HEAP_MIN = 50_000_000


def recorded_layout(path: str | Path | None) -> int | None:
    """The span of years per part recorded in the index folder at `path`: 0 for one index, None when there is no
    index there (or no readable record)."""
    recorded = read_record(path)
    if recorded is None:
        return None
    try:
        return int(recorded.get("split_years", 0) or 0)
    except (ValueError, TypeError):
        return None


def open_index(path: str | Path | None, *, split_years: int | None = None,
               writer_heap: int = 128_000_000) -> SearchIndex | SplitIndex:
    """The index at `path` in the layout recorded there; a new one split by `split_years` (0 or None: one index)."""
    years = recorded_layout(path)
    if years is None:
        years = split_years or 0
    if years:
        return SplitIndex(path, years=years, writer_heap=writer_heap)
    return SearchIndex(path, writer_heap=writer_heap)


def layout_of(index: SearchIndex | SplitIndex) -> int:
    """The years per part of an open index (0: one index)."""
    return index.years if isinstance(index, SplitIndex) else 0


def part_key(date: ArticleDate | None, years: int) -> str:
    """The part an article belongs in: the first year of its span of `years` (`2019` for a year, `2010` for the
    decade of 2014), or `undated`."""
    if date is None:
        return UNDATED
    return f"{date.year - date.year % years:04d}"


class SplitIndex:
    """An index split into one `SearchIndex` per `years` years of publication (None path: the parts in memory);
    the interface is that of `SearchIndex`."""

    def __init__(self, path: str | Path | None, *, years: int, writer_heap: int = 128_000_000,
                 threads: int = 0) -> None:
        if years < 1:
            raise ValueError("a split index needs at least one year per part")
        self.path = Path(path) if path is not None else None
        self.years = years
        self._part_heap = max(_PART_HEAP_MIN, writer_heap // _PART_HEAP_SHARE)
        self._threads = threads
        self.checkpoint = 0
        self._open_record()
        self.vocabulary = Vocabulary(self.path, _analyzer(True).analyze)
        # compiles queries (the parts share the schema, the analyzers and the vocabulary); it holds no articles
        self._compiler = SearchIndex(None, vocabulary=self.vocabulary)
        self.schema = self._compiler.schema
        self.members_of: dict[str, Callable[[str], Iterable[str]]] = self._compiler.members_of
        self._parts: dict[str, SearchIndex] = {}
        self._parts_seen: int | None = None  # the parts folder's modification time when last listed
        self._pool: ThreadPoolExecutor | None = None
        self._scan()

    # -- the folder ------------------------------------------------------------------------------------------------

    def _open_record(self) -> None:
        if self.path is None:
            return
        if (self.path / _META).exists():
            recorded = read_record(self.path)
            version = recorded.get("schema_version") if recorded is not None else None
            years = recorded_layout(self.path) or 0
            self.checkpoint = recorded_checkpoint(recorded)
            if version != SCHEMA_VERSION:
                raise IndexVersionError(f"the search index at {self.path} was built by another version of Kroniek",
                                        hint="rebuild it with `kroniek reindex`")
            if years != self.years:
                raise ArchiveError(f"the search index at {self.path} is split by {years or 'no'} year(s), not "
                                   f"{self.years}", hint="rebuild it with `kroniek reindex --split-years N`")
            return
        if self.path.exists() and any(self.path.iterdir()):
            raise ArchiveError(f"{self.path} holds something other than a Kroniek search index",
                               hint="point the index elsewhere (--index) or remove that folder")
        (self.path / PARTS).mkdir(parents=True, exist_ok=True)
        self._write_meta()

    def _write_meta(self) -> None:
        if self.path is not None:
            write_record(self.path, checkpoint=self.checkpoint, split_years=self.years)

    def _scan(self) -> None:
        """Open the parts that another process (or this one) made since the folder was last listed."""
        if self.path is None:
            return
        folder = self.path / PARTS
        try:
            seen = folder.stat().st_mtime_ns
        except OSError:
            return
        if seen == self._parts_seen:
            return
        for entry in sorted(os.listdir(folder)):
            if entry.startswith(".") or entry in self._parts:
                continue
            self._parts[entry] = self._new_part(folder / entry)
        self._parts_seen = seen

    def _new_part(self, where: Path | None) -> SearchIndex:
        return SearchIndex(where, writer_heap=self._part_heap, threads=self._threads, vocabulary=self.vocabulary)

    def _part(self, key: str) -> SearchIndex:
        """The part for `key`, made when new: built under a hidden name and then renamed, so that a reader listing
        the folder never opens a part half made."""
        part = self._parts.get(key)
        if part is not None:
            return part
        if self.path is None:
            part = self._new_part(None)
        else:
            folder = self.path / PARTS
            final = folder / key
            if not final.exists():
                tmp = folder / f".new-{key}-{os.getpid()}"
                shutil.rmtree(tmp, ignore_errors=True)
                made = SearchIndex(tmp, vocabulary=self.vocabulary)
                made.close()
                del made
                with contextlib.suppress(OSError):  # another process made it meanwhile: take theirs
                    os.rename(tmp, final)
                shutil.rmtree(tmp, ignore_errors=True)
            part = self._new_part(final)
        self._parts[key] = part
        return part

    def parts(self) -> list[str]:
        """The parts' keys, oldest first, `undated` last."""
        self._scan()
        return sorted(self._parts, key=_order)

    # -- writing ---------------------------------------------------------------------------------------------------

    def add(self, docs: IndexDoc | Iterable[IndexDoc], *, replace: bool = True, bulk: bool | None = None) -> int:
        """Add documents, each to the part of its date; not committed (see `SearchIndex.add`)."""
        if isinstance(docs, IndexDoc):
            docs = [docs]
        groups: dict[str, list[IndexDoc]] = {}
        for d in docs:
            groups.setdefault(part_key(d.date, self.years), []).append(d)
        return sum(self._part(key).add(group, replace=replace, bulk=bulk) for key, group in groups.items())

    def delete(self, ids: str | Iterable[str]) -> None:
        """Remove the articles with these ids from the parts that hold them; not committed."""
        wanted = [ids] if isinstance(ids, str) else list(ids)
        if not wanted:
            return
        query = tantivy.Query.term_set_query(self.schema, "id", wanted)
        for key in self.parts():
            part = self._parts[key]
            found: Any = part.searcher().search(query, 1, count=True)
            if found.count:
                part.delete(wanted)

    def commit(self, checkpoint: int | None = None) -> None:
        """Commit every part written since the last commit, then record `checkpoint` (see `SearchIndex.commit`):
        a crash between the parts leaves the checkpoint where it was, and the next catch-up writes them again."""
        for part in self._parts.values():
            if part._writer is not None or part._read_vocabulary:
                part.commit()
        self.vocabulary.commit()
        if checkpoint is not None and checkpoint != self.checkpoint:
            self.checkpoint = checkpoint
            self._write_meta()

    def clear(self) -> None:
        """Remove every document from every part (committed); the checkpoint goes back to 0."""
        for key in self.parts():
            self._parts[key].clear()
        self.vocabulary.clear()
        self.checkpoint = 0
        self._write_meta()

    def close(self) -> None:
        """Drop the parts' writers without committing, and stop the search threads."""
        for part in self._parts.values():
            part.close()
        self._compiler.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def refresh_checkpoint(self) -> int:
        """The checkpoint as recorded in the folder now (see `SearchIndex.refresh_checkpoint`)."""
        self._scan()
        if self.path is None or any(p._writer is not None for p in self._parts.values()):
            return self.checkpoint
        self.checkpoint = recorded_checkpoint(read_record(self.path), self.checkpoint)
        return self.checkpoint

    def __len__(self) -> int:
        return sum(len(self._parts[k]) for k in self.parts())

    def size_bytes(self) -> int:
        if self.path is None:
            return 0
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    # -- searching -------------------------------------------------------------------------------------------------

    def compile(self, text: str, *, exact: bool = False) -> tantivy.Query:
        return self._compiler.compile(text, exact=exact)

    def is_stop_word(self, word: str) -> bool:
        return self._compiler.is_stop_word(word)

    def _threads_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=max(2, min(8, 2 * (os.cpu_count() or 1))),
                                            thread_name_prefix="kroniek-parts")
        return self._pool

    def _selected(self, tree: q.Node) -> list[str]:
        """The parts a query can match, oldest first: with a publication date filter that every match must meet,
        only the parts of its years (and not the undated one)."""
        keys = self.parts()
        span = _required_years(tree)
        if span is None:
            return keys
        lo, hi = span
        return [k for k in keys if k != UNDATED and (hi is None or int(k) <= hi)
                and (lo is None or int(k) + self.years - 1 >= lo)]

    def search(self, text: str, limit: int = 20, offset: int = 0, sort: str = "relevance", facets: bool = True,
               *, exact: bool = False, facet_size: int = 20, snippet_chars: int = 220) -> SearchResult:
        """`SearchIndex.search` over the parts the query can match, merged."""
        check_page(sort, limit, offset)
        compiled = self._compiler._compile(text, exact)
        keys = self._selected(compiled.tree)
        if sort == "date":  # newest part first; undated articles come last in either order, as in one index
            keys = sorted((k for k in keys if k != UNDATED), reverse=True) + [k for k in keys if k == UNDATED]
        parts = [self._parts[k] for k in keys]
        searchers = [p.searcher() for p in parts]
        pool, room = self._threads_pool(), offset + max(limit, 1)
        shard_size = facet_size if len(parts) == 1 else 3 * facet_size + 10
        counting: list[Future[dict[str, list[tuple[Any, int]]]]] = []
        if facets:
            counting = [pool.submit(p.raw_facets, s, compiled.query, shard_size) for p, s in zip(parts, searchers, strict=True)]
        ranking = [pool.submit(p.rank, s, compiled.query, room, 0, sort) for p, s in zip(parts, searchers, strict=True)]
        try:
            ranked = [f.result() for f in ranking]
        except Exception:
            for f in counting:
                f.cancel()
            raise
        result = SearchResult(query=text, total=sum(n for n, _ in ranked), offset=offset, limit=limit, sort=sort)
        # (key, which part, address) in the merged order
        merged = [(key, i, addr) for i, (_, hits) in enumerate(ranked) for key, addr in hits]
        if sort == "relevance":
            merged.sort(key=lambda h: -h[0])  # stable: equal scores keep the parts' order
        page = merged[offset:offset + limit]
        if page:
            by_part: dict[int, list[int]] = {}
            for n, (_, i, _) in enumerate(page):
                by_part.setdefault(i, []).append(n)
            hits: list[Any] = [None] * len(page)
            for i, where in by_part.items():
                made = parts[i].page(searchers[i], [(page[n][0], page[n][2]) for n in where],
                                     compiled.highlighter, sort, snippet_chars)
                for n, hit in zip(where, made, strict=True):
                    hits[n] = hit
            result.hits = hits
        if facets:
            result.facets = facet_counts(_merge_facets([f.result() for f in counting], facet_size))
        return result

    def titles(self, text: str, limit: int = 20) -> list[tuple[str, str, str | None]]:
        """`SearchIndex.titles` over every part, merged by score."""
        query = self._compiler.compile(text)
        keys = self.parts()
        searchers = [self._parts[k].searcher() for k in keys]
        found = [(score, i, addr) for i, (k, s) in enumerate(zip(keys, searchers, strict=True))
                 for score, addr in self._parts[k].rank(s, query, max(limit, 1), 0, "relevance")[1]]
        found.sort(key=lambda h: -h[0])
        return [title_of(searchers[i], addr) for _, i, addr in found[:limit]]


def _order(key: str) -> tuple[int, str]:
    return (1, key) if key == UNDATED else (0, key)


def _required_years(tree: q.Node) -> tuple[int | None, int | None] | None:
    """The years of publication every match of a query must fall in, from the date filters that the whole query
    requires (itself, or a part of its top-level AND); None when it requires none."""
    nodes = tree.children if isinstance(tree, q.And) else (tree,)
    ranges = [n for n in nodes if isinstance(n, q.DateRange) and n.field != "mentions"]
    if not ranges:
        return None
    starts = [r.start.year for r in ranges if r.start is not None]
    ends = [r.end.year for r in ranges if r.end is not None]
    return (max(starts) if starts else None, min(ends) if ends else None)


def _merge_facets(raws: list[dict[str, list[tuple[Any, int]]]], size: int) -> dict[str, list[tuple[Any, int]]]:
    """The parts' facet buckets added up: every month, and the `size` largest of each other facet."""
    if len(raws) == 1:
        return raws[0]
    out: dict[str, list[tuple[Any, int]]] = {}
    for name in {n for raw in raws for n in raw}:
        counts: dict[Any, int] = {}
        for raw in raws:
            for key, count in raw.get(name, []):
                counts[key] = counts.get(key, 0) + count
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        out[name] = ordered if name == "month" else ordered[:size]
    return out


AnyIndex = SearchIndex | SplitIndex

__all__ = ["PARTS", "UNDATED", "AnyIndex", "SplitIndex", "layout_of", "open_index", "part_key", "recorded_layout"]

"""The tantivy search index: schema, Dutch analysis, query compilation, ranked search, facets and snippets.

The index is derived from the store and can be rebuilt from it at any time. Title and text are indexed once,
lowercased and ASCII-folded, with positions (phrases, exact words, prefixes). Dutch stemming (tantivy's Dutch
Snowball stemmer, with its stop words) is applied to the vocabulary instead of to every word of every article: a
plain query word becomes the indexed forms that share its stem (see vocabulary.py). Dates are whole days counted
from 0001-01-01; an article dated only by month or year covers that period, and a date filter matches when the
two periods overlap.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import tantivy

from kroniek.errors import ArchiveError, IndexVersionError, QueryError
from kroniek.model import month_code, month_text
from kroniek.search import pairs as wp
from kroniek.search import query as q
from kroniek.search.documents import ENTITY_LABELS, IndexDoc
from kroniek.search.snippets import Highlighter, render_fragment, segments
from kroniek.search.vocabulary import NewForms, Vocabulary

SCHEMA_VERSION = 5
_META = "kroniek-index.json"
STEM, EXACT = "kroniek_nl", "kroniek_exact"
# Longer tokens are noise (URLs, glued words) and would bloat the term dictionary.
_MAX_TOKEN = 40
# A mention period longer than this many months (a century, say) is indexed only by its first and last months.
_MAX_MENTION_MONTHS = 1200
# Fields a text query of each kind searches, with their weights: a match in the title counts double.
_TEXT = {"title": 2.0, "body": 1.0}
_ENTITY_FIELDS = {"entity": "entity", "person": "per", "org": "org", "loc": "loc", "misc": "misc",
                  "speaker": "speaker", "source": "source_key"}
_LABEL_FIELD = {"PER": "per", "ORG": "org", "LOC": "loc", "MISC": "misc"}
_PAIR_FIELDS = {"title": "title_pairs", "body": "body_pairs"}
# The longest publication period, an article dated only by a (leap) year, less one: date_end - date_start.
_LONGEST_PERIOD_DAYS = 365
SORTS = ("relevance", "date", "date-asc")


def _analyzer(stem: bool, max_token: int = _MAX_TOKEN) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
        tantivy.Filter.remove_long(max_token)).filter(tantivy.Filter.lowercase())
    if stem:
        builder = builder.filter(tantivy.Filter.stopword("dutch"))
    builder = builder.filter(tantivy.Filter.ascii_fold())
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("dutch"))
    return builder.build()


def build_schema() -> tantivy.Schema:
    """The schema of a Kroniek index (bump SCHEMA_VERSION when it changes)."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name=EXACT, index_option="position")
    sb.add_text_field("body", stored=True, tokenizer_name=EXACT, index_option="position")
    # the headline of an untitled article, stored only: a page of hits needs nothing from the store
    # (bytes: a text field would put each headline in the term dictionary)
    sb.add_bytes_field("headline", stored=True, indexed=False)
    # pairs of adjacent common words of title and body (see pairs.py): phrases of common words without positions
    sb.add_text_field("title_pairs", tokenizer_name=wp.PAIRS, index_option="basic")
    sb.add_text_field("body_pairs", tokenizer_name=wp.PAIRS, index_option="basic")
    sb.add_text_field("source", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field("source_key", tokenizer_name=EXACT, index_option="position")
    sb.add_text_field("date", stored=True, tokenizer_name="raw")
    sb.add_integer_field("date_start", indexed=True, fast=True)
    sb.add_integer_field("date_end", indexed=True, fast=True)
    sb.add_integer_field("month", fast=True)
    for name in ("entity", "per", "org", "loc", "misc", "speaker"):
        sb.add_text_field(name, tokenizer_name=EXACT, index_option="position")
    sb.add_text_field("entity_facet", fast=True, tokenizer_name="raw")
    sb.add_text_field("speaker_facet", fast=True, tokenizer_name="raw")
    sb.add_integer_field("mention_month", indexed=True, fast=True)
    return sb.build()


def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


@dataclass
class FacetCount:
    """One bucket of a facet: a value, how many matching articles have it, and for entities their label."""

    value: str
    count: int
    label: str | None = None


@dataclass
class Hit:
    """One search result."""

    id: str
    score: float
    date: str | None
    title: str
    source: str | None
    snippet: str  # HTML: escaped text with <mark> around matched words
    title_html: str = ""

    def segments(self) -> list[tuple[str, bool]]:
        """The snippet as plain-text pieces, each flagged when it was marked (for terminals)."""
        return segments(self.snippet)


@dataclass
class SearchResult:
    """A page of results with the total count and, when asked, facets over all matches."""

    query: str
    total: int
    offset: int
    limit: int
    sort: str
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Compiled:
    query: tantivy.Query
    highlighter: Highlighter
    tree: q.Node


def read_record(path: str | Path | None) -> dict[str, Any] | None:
    """The record kept in the index folder at `path` (schema version, checkpoint, layout), or None when there is
    none or it cannot be read."""
    if path is None:
        return None
    try:
        recorded = json.loads((Path(path) / _META).read_text())
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def write_record(path: Path, **fields: Any) -> None:
    """Record the schema version and `fields` in the index folder at `path`, replacing the file in one step."""
    meta = path / _META
    tmp = meta.with_suffix(".tmp")
    tmp.write_text(json.dumps({"schema_version": SCHEMA_VERSION, **fields}))
    os.replace(tmp, meta)


def recorded_checkpoint(recorded: dict[str, Any] | None, default: int = 0) -> int:
    """The checkpoint in an index folder's record; `default` when it has none that can be read."""
    try:
        return int(recorded.get("checkpoint", default)) if recorded is not None else default
    except (ValueError, TypeError):
        return default


def read_checkpoint(path: str | Path | None) -> int:
    """The checkpoint recorded in the index folder at `path` without opening the index (0 when there is no index
    there, or its record cannot be read: nothing can be taken as indexed)."""
    return recorded_checkpoint(read_record(path))


class SearchIndex:
    """A tantivy index at `path` (None: in memory) with add/replace by id, delete, commit, clear and search."""

    def __init__(self, path: str | Path | None = None, *, writer_heap: int = 128_000_000,
                 threads: int = 0, vocabulary: Vocabulary | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.schema = build_schema()
        self._writer_heap, self._threads = writer_heap, threads
        self._writer: tantivy.IndexWriter | None = None
        self._stem, self._exact = _analyzer(True), _analyzer(False)
        # the words of the text fields, long ones kept (they separate their neighbours): for the pair fields
        self._pairs = wp.CommonPairs(_analyzer(False, max_token=1 << 30).analyze)
        self._new_forms = NewForms(self._exact.analyze, _MAX_TOKEN - 1)
        self._word_cache: dict[str, tuple[str, ...]] = {}
        self._pool: ThreadPoolExecutor | None = None
        # the position in the store's change log up to which this index holds every change (see `commit`)
        self.checkpoint = 0
        self._index = self._open()
        # `vocabulary`: one shared with other indexes (the parts of a split index share their folder's)
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary(self.path, self._stem.analyze)
        self._read_vocabulary = False
        # fields of the query language that name a group of articles the index does not hold (`story:`): for
        # each, what gives the ids of the group's articles (set by the archive, which keeps the groups)
        self.members_of: dict[str, Callable[[str], Iterable[str]]] = {}

    # -- opening ---------------------------------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        if self.path is None:
            index = tantivy.Index(self.schema)
        else:
            fresh = not (self.path.exists() and any(self.path.iterdir()))
            if not fresh:
                recorded = read_record(self.path)
                self.checkpoint = recorded_checkpoint(recorded)
                if recorded is None or recorded.get("schema_version") != SCHEMA_VERSION:
                    raise IndexVersionError(f"the search index at {self.path} was built by another version of Kroniek",
                                            hint="rebuild it with `kroniek reindex`")
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            except (OSError, ValueError) as err:
                raise ArchiveError(f"cannot open the search index at {self.path}: {err}",
                                   hint="rebuild it with `kroniek reindex`") from err
            if fresh:
                # only a new index gets its record here: a reader that opens an index must not write back the
                # checkpoint it read while a writer in another process moves it on
                self._write_meta()
        index.register_tokenizer(STEM, self._stem)
        index.register_tokenizer(EXACT, self._exact)
        index.register_tokenizer(wp.PAIRS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        return index

    def _write_meta(self) -> None:
        """Record the schema version and the checkpoint beside the index, replacing the file in one step."""
        if self.path is not None:
            write_record(self.path, checkpoint=self.checkpoint)

    def refresh_checkpoint(self) -> int:
        """The checkpoint as recorded beside the index now (another process with this folder may have moved it
        since this one read it), taken as this index's; with changes of this process not committed yet, or no
        folder, the one it holds."""
        if self.path is None or self._writer is not None:
            return self.checkpoint
        self.checkpoint = recorded_checkpoint(read_record(self.path), self.checkpoint)
        return self.checkpoint

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=self._writer_heap, num_threads=self._threads)
            except ValueError as err:
                raise ArchiveError(f"the search index is being written by another process: {err}") from err
        return self._writer

    # -- writing ---------------------------------------------------------------------------------------------------

    def _document(self, d: IndexDoc, title_pairs: str | None = None, body_pairs: str | None = None) -> str:
        """The document as the JSON that tantivy reads by the schema (built in C by orjson, read in Rust: cheaper
        than a Document filled field by field from Python); the pairs of common words when not given."""
        doc: dict[str, Any] = {
            "id": d.id, "title": d.title, "body": d.text,
            "title_pairs": self._pairs(d.title) if title_pairs is None else title_pairs,
            "body_pairs": self._pairs(d.text) if body_pairs is None else body_pairs}
        if d.headline:  # given only to an untitled article (documents.from_stored)
            doc["headline"] = base64.b64encode(d.headline.encode("utf-8")).decode("ascii")  # how tantivy reads bytes
        if d.source:
            doc["source"] = doc["source_key"] = d.source
        if d.date is not None:
            doc["date"] = d.date.isoformat()
            doc["date_start"] = d.date.first_day.toordinal()
            doc["date_end"] = d.date.last_day.toordinal()
            # one facet column for years and months: an article dated only by a year counts in month 00
            doc["month"] = month_code(d.date)
        if d.entities:
            entity, facet = doc["entity"], doc["entity_facet"] = [], []
            for label, names in d.entities.items():
                sub = _LABEL_FIELD.get(label.upper())
                for name in names:
                    entity.append(name)
                    if sub:
                        doc.setdefault(sub, []).append(name)
                    facet.append(f"{label.upper()}\t{name}")
        if d.speakers:
            doc["speaker"] = doc["speaker_facet"] = list(d.speakers)
        if d.mentions:
            months: set[int] = set()
            for start, end in d.mentions:
                a, b = _month_index(start), _month_index(end)
                months.update(range(a, b + 1) if b - a < _MAX_MENTION_MONTHS else (a, b))
            doc["mention_month"] = sorted(months)
        return orjson.dumps(doc).decode("utf-8")

    def add(self, docs: IndexDoc | Iterable[IndexDoc], *, replace: bool = True, bulk: bool | None = None) -> int:
        """Add documents; not committed.

        `replace`: first remove any document with the same id (ids new to the index need not). `bulk` (by default
        when not replacing): a fresh build, whose new word forms are read from the term dictionary once, at
        commit; otherwise each document's new forms are noted as it is added.
        """
        if isinstance(docs, IndexDoc):
            docs = [docs]
        if bulk is None:
            bulk = not replace
        w, n = self.writer, 0
        vocabulary, new_forms, pairs = self.vocabulary, self._new_forms, self._pairs
        for d in docs:
            if replace:
                w.delete_documents_by_term("id", d.id)
            if bulk:
                w.add_json(self._document(d))
            else:  # the text is lowered once for its new forms and its pairs
                title, body = wp.lowered(d.title), wp.lowered(d.text)
                vocabulary.add(new_forms.of_chunks(title.split()))
                vocabulary.add(new_forms.of_chunks(body.split()))
                w.add_json(self._document(d, pairs.of_lowered(title), pairs.of_lowered(body)))
            n += 1
        if bulk:
            self._read_vocabulary = True
        return n

    def delete(self, ids: str | Iterable[str]) -> None:
        """Remove the articles with these ids; not committed."""
        for i in [ids] if isinstance(ids, str) else ids:
            self.writer.delete_documents_by_term("id", i)

    def commit(self, checkpoint: int | None = None) -> None:
        """Make every change since the last commit durable and visible to searches.

        `checkpoint`: a position in the source of the documents (the store's change log) that the index now holds
        everything up to; it is recorded only after the commit, so after a crash it may lag but never run ahead.
        """
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self._index.reload()
        if self._read_vocabulary:
            searcher = self._index.searcher()
            for name in ("title", "body"):
                self.vocabulary.add(term for term, _ in searcher.terms_with_prefix(name, ""))
            self._read_vocabulary = False
        self.vocabulary.commit()
        if checkpoint is not None and checkpoint != self.checkpoint:
            self.checkpoint = checkpoint
            self._write_meta()

    def clear(self) -> None:
        """Remove every document (committed), keeping the index files in place; the checkpoint goes back to 0."""
        self.writer.delete_all_documents()
        self.vocabulary.clear()
        self.commit(checkpoint=0)

    def close(self) -> None:
        """Drop the writer without committing pending changes (and stop the facet thread)."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)

    def size_bytes(self) -> int:
        """Bytes on disk (0 in memory)."""
        if self.path is None:
            return 0
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    # -- analysis --------------------------------------------------------------------------------------------------

    def _forms(self, word: str) -> tuple[str, ...]:
        """The indexed tokens of one word, cached: the vocabulary of an archive is finite."""
        got = self._word_cache.get(word)
        if got is None:
            if len(self._word_cache) > 200_000:
                self._word_cache.clear()
            got = tuple(self._exact.analyze(word))
            self._word_cache[word] = got
        return got

    # -- compiling queries -----------------------------------------------------------------------------------------

    def compile(self, text: str, *, exact: bool = False) -> tantivy.Query:
        """The tantivy query for a Kroniek query string (QueryError when it cannot be read)."""
        return self._compile(text, exact).query

    def _compile(self, text: str, exact: bool) -> _Compiled:
        tree = q.parse(text, exact=exact)
        hl = Highlighter(analyze=self._forms)
        built = self._node(tree, hl, positive=True)
        return _Compiled(built if built is not None else tantivy.Query.all_query(), hl, tree)

    def _node(self, node: q.Node, hl: Highlighter, positive: bool) -> tantivy.Query | None:
        """A tantivy query for one node; None when the node matches anything (a lone stop word)."""
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(node, q.MatchAll):
            return None
        if isinstance(node, q.Term):
            return self._term(node, hl, positive)
        if isinstance(node, q.Phrase):
            return self._phrase(node.text, node.field, hl, positive, node.position)
        if isinstance(node, q.DateRange):
            return self._range(node)
        if isinstance(node, q.Not):
            inner = self._node(node.child, hl, not positive)
            if inner is None:
                return Q.empty_query()
            return Q.boolean_query([(Occur.Must, Q.all_query()), (Occur.MustNot, inner)])
        if isinstance(node, q.And):
            clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
            children = node.children
            if any(not isinstance(c, q.Not) and not self._is_stop_word(c) for c in children):
                children = tuple(c for c in children if not self._is_stop_word(c))
            for child in children:
                if isinstance(child, q.Not):
                    inner = self._node(child.child, hl, not positive)
                    if inner is None:
                        return Q.empty_query()
                    clauses.append((Occur.MustNot, inner))
                else:
                    built = self._node(child, hl, positive)
                    if built is not None:
                        clauses.append((Occur.Must, built))
            if not any(o == Occur.Must for o, _ in clauses):
                if not clauses:
                    return None
                clauses.insert(0, (Occur.Must, Q.all_query()))
            return clauses[0][1] if len(clauses) == 1 else Q.boolean_query(clauses)
        if isinstance(node, q.Or):
            parts = [self._node(child, hl, positive) for child in node.children]
            if any(p is None for p in parts):
                return None
            return Q.boolean_query([(Occur.Should, p) for p in parts if p is not None])
        raise TypeError(f"unknown query node {node!r}")  # pragma: no cover

    def _fields(self, fld: str | None) -> dict[str, float]:
        if fld in _ENTITY_FIELDS:
            return {_ENTITY_FIELDS[fld]: 1.0}
        return _TEXT if fld is None else {"body": 1.0} if fld == "text" else {"title": 1.0}

    def _members(self, fld: str, value: str) -> tantivy.Query:
        """The articles a group field names (`story:ID`), by id, as the group's owner lists them."""
        ids = list(self.members_of[fld](value.strip()))
        return tantivy.Query.term_set_query(self.schema, "id", ids or [""])

    def _either(self, queries: dict[str, tantivy.Query], weights: dict[str, float]) -> tantivy.Query:
        Q = tantivy.Query
        if len(queries) == 1:
            return next(iter(queries.values()))
        return Q.boolean_query([(tantivy.Occur.Should, Q.boost_query(qq, weights[f]) if weights[f] != 1.0 else qq)
                                for f, qq in queries.items()])

    def _term(self, t: q.Term, hl: Highlighter, positive: bool) -> tantivy.Query | None:
        Q = tantivy.Query
        if t.field in self.members_of:
            return self._members(t.field, t.text)
        entity_like = t.field in _ENTITY_FIELDS
        exact_tokens = self._exact.analyze(t.text)
        if t.prefix:
            if not exact_tokens:
                return None
            fields = self._fields(t.field)
            if positive:
                hl.prefixes += (exact_tokens[-1],)
                hl.add_words(exact_tokens[:-1])
            per_field = {}
            for f in fields:
                if len(exact_tokens) == 1:
                    per_field[f] = Q.regex_query(self.schema, f, _regex_escape(exact_tokens[0]) + ".*")
                else:
                    per_field[f] = Q.phrase_prefix_query(self.schema, f, list[str | tuple[int, str]](exact_tokens))
            return self._either(per_field, fields)
        stem_tokens = [] if (t.exact or entity_like) else self._stem.analyze(t.text)
        if len(stem_tokens) == 1 and len(exact_tokens) == 1:
            # every indexed form with this stem (and the word itself, which may be new to the index)
            forms = sorted({*self.vocabulary.forms(stem_tokens[0]), exact_tokens[0]})
            fields = self._fields(t.field)
            if positive:
                hl.add_words(forms)
            return self._either({f: self._any_of(f, forms) for f in fields}, fields)
        # exact words, stop words (which the stemmed fields drop), entity fields and words that split in several
        return self._phrase(t.text, t.field, hl, positive, t.position)

    def _phrase(self, text: str, fld: str | None, hl: Highlighter, positive: bool,
                position: int) -> tantivy.Query | None:
        Q = tantivy.Query
        if fld in self.members_of:
            return self._members(fld, text)
        tokens = self._exact.analyze(text)
        if not tokens:
            return None
        if positive:
            hl.add_phrase(tokens)
        fields = self._fields(fld)
        if len(tokens) == 1:
            return self._either({f: Q.term_query(self.schema, f, tokens[0]) for f in fields}, fields)
        return self._either({f: self._phrase_in(f, tokens) for f in fields}, fields)

    def _phrase_in(self, field_name: str, tokens: list[str]) -> tantivy.Query:
        """A phrase of two words or more in one field, helped by the field's pairs of common words.

        Two common words are one pair term; a longer phrase with such a pair is checked on positions only in the
        articles that hold its pairs (being rarer than its words, they lead the intersection).
        """
        Q, Must = tantivy.Query, tantivy.Occur.Must
        words = list[str | tuple[int, str]](tokens)
        pair_field = _PAIR_FIELDS.get(field_name)
        found = wp.keys(tokens) if pair_field is not None else []
        if pair_field is None or not found:
            return Q.phrase_query(self.schema, field_name, words)
        pair_terms = [Q.term_query(self.schema, pair_field, key) for key in found]
        if len(tokens) == 2:
            return pair_terms[0]
        return Q.boolean_query([(Must, Q.phrase_query(self.schema, field_name, words)),
                                *[(Must, Q.const_score_query(t, 0.0)) for t in pair_terms]])

    def _any_of(self, field_name: str, forms: list[str]) -> tantivy.Query:
        """Any of these forms in one field, each scored by BM25."""
        Q = tantivy.Query
        if len(forms) == 1:
            return Q.term_query(self.schema, field_name, forms[0])
        return Q.boolean_query([(tantivy.Occur.Should, Q.term_query(self.schema, field_name, f)) for f in forms])

    def is_stop_word(self, word: str) -> bool:
        """Whether the Dutch analyzer drops this word (de, het, van): it says nothing about what an article is
        about."""
        return not self._stem.analyze(word)

    def _is_stop_word(self, node: q.Node) -> bool:
        """A plain word that the Dutch analyzer drops (de, het, van): left out of a query that has other words."""
        if not isinstance(node, q.Term) or node.exact or node.prefix or node.field not in (None, "title", "text"):
            return False
        return not self._stem.analyze(node.text) and bool(self._exact.analyze(node.text))

    def _range(self, r: q.DateRange) -> tantivy.Query:
        Q, Int = tantivy.Query, tantivy.FieldType.Integer
        if r.field == "mentions":
            lo = _month_index(r.start) if r.start else None
            hi = _month_index(r.end) if r.end else None
            return Q.range_query(self.schema, "mention_month", Int, lo, hi)
        # overlap: the article's period starts before the filter ends and ends after the filter starts. No period
        # is longer than a year, so it also starts at most a year before the filter does: that bound makes the
        # range on date_start as narrow as the filter, and it leads the search instead of half the archive.
        parts = []
        lo = r.start.toordinal() - _LONGEST_PERIOD_DAYS if r.start is not None else None
        hi = r.end.toordinal() if r.end is not None else None
        if lo is not None or hi is not None:
            parts.append((tantivy.Occur.Must, Q.range_query(self.schema, "date_start", Int, lo, hi)))
        if r.start is not None:
            parts.append((tantivy.Occur.Must, Q.range_query(self.schema, "date_end", Int, r.start.toordinal(), None)))
        return parts[0][1] if len(parts) == 1 else Q.boolean_query(parts)

    # -- searching -------------------------------------------------------------------------------------------------

    def search(self, text: str, limit: int = 20, offset: int = 0, sort: str = "relevance", facets: bool = True,
               *, exact: bool = False, facet_size: int = 20, snippet_chars: int = 220) -> SearchResult:
        """Run a query: one page of hits (BM25 or by date), the total, and facets over every match."""
        check_page(sort, limit, offset)
        compiled = self._compile(text, exact)
        searcher = self._index.searcher()
        # the facets are counted on a second thread while this one ranks (tantivy lets go of the GIL)
        counting = self._facet_pool().submit(self._facets, searcher, compiled.query, facet_size) if facets else None
        try:
            total, ranked = self.rank(searcher, compiled.query, max(limit, 1), offset, sort)
        except QueryError:
            if counting is not None:
                counting.cancel()
            raise
        result = SearchResult(query=text, total=total, offset=offset, limit=limit, sort=sort)
        if limit:
            result.hits = self.page(searcher, ranked, compiled.highlighter, sort, snippet_chars)
        if counting is not None:
            result.facets = counting.result()
        return result

    def searcher(self) -> tantivy.Searcher:
        """A searcher over what the index held at its last commit (or reload)."""
        return self._index.searcher()

    def rank(self, searcher: tantivy.Searcher, query: tantivy.Query, room: int, offset: int,
             sort: str) -> tuple[int, list[tuple[Any, tantivy.DocAddress]]]:
        """The number of matches and the `room` best after `offset` (BM25, or by date), as (key, address): the key
        is the score, or the first day of the article's period (None when undated)."""
        found: Any
        try:
            if sort == "relevance":
                found = searcher.search(query, room, count=True, offset=offset)
            else:
                order = tantivy.Order.Desc if sort == "date" else tantivy.Order.Asc
                found = searcher.search(query, room, count=True, offset=offset,
                                        order_by_field="date_start", order=order)
        except ValueError as err:  # a prefix too wide for the term dictionary, for instance
            raise QueryError(f"the query cannot be run: {err}") from err
        return int(found.count or 0), list(found.hits)

    def page(self, searcher: tantivy.Searcher, ranked: Iterable[tuple[Any, tantivy.DocAddress]],
             hl: Highlighter, sort: str, snippet_chars: int = 220) -> list[Hit]:
        """The hits at these addresses of `searcher`, with their snippets and marked titles."""
        ranked = list(ranked)
        fragments = self._fragment_finder(searcher, hl, snippet_chars) if ranked else None
        hits = []
        for key, addr in ranked:
            doc = searcher.doc(addr)
            body = doc.get_first("body") or ""
            title = doc.get_first("title") or ""
            # an untitled article is headed by its headline (unmarked: the words found in it may not be the title's)
            heading = title if title.strip() else (doc.get_first("headline") or b"").decode("utf-8")
            if fragments is not None:
                snippet = fragments(body, doc)
            else:
                snippet = hl.snippet(body, snippet_chars)
            hits.append(Hit(
                id=str(doc.get_first("id")),
                score=float(key) if sort == "relevance" else 0.0,
                date=doc.get_first("date"),
                title=heading,
                source=doc.get_first("source"),
                snippet=snippet,
                title_html=hl.mark(title),
            ))
        return hits

    def titles(self, text: str, limit: int = 20) -> list[tuple[str, str, str | None]]:
        """The id, title and date of the best `limit` matches of a query, by relevance, without snippets or facets:
        the look-up of the articles a title may name."""
        searcher = self._index.searcher()
        _, ranked = self.rank(searcher, self._compile(text, False).query, max(limit, 1), 0, "relevance")
        return [title_of(searcher, addr) for _, addr in ranked[:limit]]

    def _facet_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kroniek-facets")
        return self._pool

    def _fragment_finder(self, searcher: tantivy.Searcher, hl: Highlighter,
                         max_chars: int) -> Callable[[str, tantivy.Document], str] | None:
        """A snippet maker that lets tantivy's snippet generator (Rust) pick and mark the best fragment.

        None for queries with prefixes (the generator cannot see their terms): those scan the text in Python.
        """
        if hl.prefixes or not hl.exact:
            return None
        Q, Should = tantivy.Query, tantivy.Occur.Should
        query = Q.boolean_query([(Should, Q.term_query(self.schema, "body", t)) for t in sorted(hl.exact)])
        gen = tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
        gen.set_max_num_chars(max_chars)

        def snippet(body: str, doc: tantivy.Document) -> str:
            found = gen.snippet_from_doc(doc)
            fragment = found.fragment()
            if not fragment:  # the words matched elsewhere (the title, an entity): show the opening
                return hl.snippet_at(body, 0, max_chars)
            where = found.fragment_range()  # byte offsets into the body; highlights are bytes into the fragment
            spans = [(h.start, h.end) for h in found.highlighted()]
            kept = hl.keep_fragment(fragment, spans)
            if spans and not kept:
                # the index chose a fragment with the phrase's words apart: look for the phrase itself
                at = hl.phrase_at(body)
                if at is not None:
                    return hl.snippet_at(body, at, max_chars)
            return render_fragment(fragment, kept, where.start > 0, where.end < len(body.encode("utf-8")))

        return snippet

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query, size: int) -> dict[str, list[FacetCount]]:
        """Counts of matching articles by year, month, source, entity and speaker."""
        return facet_counts(self.raw_facets(searcher, query, size))

    def raw_facets(self, searcher: tantivy.Searcher, query: tantivy.Query,
                   size: int) -> dict[str, list[tuple[Any, int]]]:
        """The facet buckets as tantivy counts them: (key, count) by facet, month keys as YYYYMM codes; the
        largest `size` of each but the month."""
        spec = {
            "month": {"terms": {"field": "month", "size": 100_000}},
            "source": {"terms": {"field": "source", "size": size}},
            "entity": {"terms": {"field": "entity_facet", "size": size}},
            "speaker": {"terms": {"field": "speaker_facet", "size": size}},
        }
        raw = searcher.aggregate(query, spec)
        return {name: [(b["key"], int(b["doc_count"])) for b in raw.get(name, {}).get("buckets", [])]
                for name in spec}


def check_page(sort: str, limit: int, offset: int) -> None:
    """QueryError for an unknown sort or a negative page."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort '{sort}'; use one of {', '.join(SORTS)}")
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset cannot be negative")


def title_of(searcher: tantivy.Searcher, addr: tantivy.DocAddress) -> tuple[str, str, str | None]:
    """The id, title and date of the document at `addr`."""
    doc = searcher.doc(addr)
    return str(doc.get_first("id")), doc.get_first("title") or "", doc.get_first("date")


def facet_counts(raw: dict[str, list[tuple[Any, int]]]) -> dict[str, list[FacetCount]]:
    """The facets of a search from the buckets of `SearchIndex.raw_facets`: years (summed from the months; an
    article dated only by a year counts in month 00), months, sources, entities (with their labels) and
    speakers."""
    out: dict[str, list[FacetCount]] = {}
    years: dict[int, int] = {}
    months: list[FacetCount] = []
    for key, count in raw.get("month", []):
        code = int(key)
        years[code // 100] = years.get(code // 100, 0) + count
        if code % 100:
            months.append(FacetCount(month_text(code), count))
    out["year"] = [FacetCount(f"{y:04d}", c) for y, c in sorted(years.items())]
    out["month"] = sorted(months, key=lambda f: f.value)
    out["source"] = [FacetCount(str(k), c) for k, c in raw.get("source", [])]
    ents = []
    for key, count in raw.get("entity", []):
        label, _, name = str(key).partition("\t")
        ents.append(FacetCount(name, count, label))
    out["entity"] = ents
    out["speaker"] = [FacetCount(str(k), c) for k, c in raw.get("speaker", [])]
    return out


# The characters tantivy's regex syntax (the Rust regex crate's) gives a meaning; it refuses an escape before any
# other character, such as the combining dot that lowercasing İ leaves in a token.
_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")


def _regex_escape(text: str) -> str:
    """Escape a token for tantivy's regex syntax: a backslash before each character the syntax gives a meaning."""
    return "".join("\\" + c if c in _REGEX_META else c for c in text)


__all__ = ["ENTITY_LABELS", "FacetCount", "Hit", "IndexDoc", "SearchIndex", "SearchResult", "build_schema"]

"""The one facade of the Kroniek core: ingest, analyse and read an archive, with no server needed.

The CLI, the API and the web UI call only this. Stages: ingest (read, structure, language, content hash, store)
is fast and needs no model; analysis runs the NLP pipeline over stored articles and stores its annotations with
the pipeline version, so it can be re-run per stage; the search index is derived (see `_on_articles_changed`).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kroniek import __version__
from kroniek.errors import InputError, NotFound, QueryError
from kroniek.ingest.batches import PreparedBatch, Source, background_batches, prepared_batches, wants_background
from kroniek.ingest.readers import ReadOptions
from kroniek.model import RawArticle, Span, Structure
from kroniek.search.documents import IndexDoc, from_stored
from kroniek.search.index import SearchIndex, SearchResult
from kroniek.settings import CoreSettings
from kroniek.store.base import STAGES, ArticleRow, QuarantineRow, Store, StoredArticle
from kroniek.store.sqlite import SQLiteStore


@dataclass
class IngestReport:
    """What one ingest did: counts, the ids of the new articles, and errors that stopped a whole input."""

    new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    not_dutch: int = 0
    bytes: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.new + self.duplicates + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        return {"new": self.new, "duplicates": self.duplicates, "quarantined": self.quarantined,
                "not_dutch": self.not_dutch, "bytes": self.bytes, "seconds": round(self.seconds, 3),
                "errors": list(self.errors)}


def structure_json(structure: Structure) -> str:
    """The JSON of a structure, as `Structure.to_dict` gives it, built directly (asdict is slow in bulk)."""
    def span(x: Span | None) -> dict[str, int] | None:
        return {"start": x.start, "end": x.end} if x is not None else None

    return json.dumps({
        "paragraphs": [{"start": p.start, "end": p.end} for p in structure.paragraphs],
        "title": span(structure.title), "lede": span(structure.lede),
        "subheadings": [{"start": p.start, "end": p.end} for p in structure.subheadings],
        "references": [{"start": r.start, "end": r.end, "text": r.text, "kind": r.kind}
                       for r in structure.references],
    }, ensure_ascii=False)


def _to_raw(art: StoredArticle) -> RawArticle:
    return RawArticle(text=art.text, date=art.date, id=art.id, title=art.title, source=art.source, url=art.url,
                      meta=art.meta)


class Archive:
    """An archive of dated articles and their annotations."""

    def __init__(self, store: Store, settings: CoreSettings | None = None) -> None:
        self.store = store
        self.settings = settings or CoreSettings()
        self._index: SearchIndex | None = None

    @classmethod
    def open(cls, path: str | Path | None = None, *, readonly: bool = False,
             settings: CoreSettings | None = None) -> Archive:
        """Open (and create, unless read-only) the SQLite archive at `path` (default: the settings' archive)."""
        settings = settings or CoreSettings()
        if path is not None:
            settings.archive = Path(path)
        return cls(SQLiteStore(settings.archive, readonly=readonly), settings)

    def close(self) -> None:
        """Close the store and the search index (whatever the index holds was committed batch by batch)."""
        if self._index is not None:
            self._index.close()
            self._index.vocabulary.close()
            self._index = None
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- hooks -------------------------------------------------------------------------------------------------

    def _on_articles_changed(self, ids: Sequence[str], *, annotated: bool = True,
                             rows: Sequence[ArticleRow] | None = None, commit: bool = True) -> None:
        """Called after articles were added or re-analysed (in batches); the search index hooks in here.

        New articles have no annotations yet (`annotated=False`); when ingest hands over their rows, the index
        takes them as they are instead of reading them back. Ingest passes `commit=False` and commits with
        `_commit_index` every `index_commit_every` articles and at its end.
        """
        if rows is not None:
            # articles new to the archive, so new to the index: nothing to replace
            docs = [IndexDoc.build(r.id, r.text, title=r.title, source=r.source, date=r.date) for r in rows]
            if docs:
                self.index.add(docs, replace=False, bulk=False)
        else:
            found = (self.store.article(i) for i in ids) if annotated else self.store.articles(ids)
            docs = [from_stored(a) for a in found if a is not None]
            if docs:
                self.index.add(docs)
        if commit:
            self.index.commit()

    def _commit_index(self) -> None:
        """Make what was added to the search index durable and searchable (nothing to do when it is not open)."""
        if self._index is not None:
            self._index.commit()

    def _before_ingest(self) -> None:
        """Open the search index before the first batch is stored, so a new archive's index starts empty and is
        filled batch by batch (opened later, it would first be rebuilt from the articles already stored)."""
        _ = self.index

    # --- ingest ------------------------------------------------------------------------------------------------

    def read_options(self, **overrides: Any) -> ReadOptions:
        """Reader options from the settings, with overrides (fmt, columns, source, require_date, ...)."""
        opts = ReadOptions(max_article_bytes=self.settings.max_article_bytes,
                           require_date=self.settings.require_date)
        for key, value in overrides.items():
            if value is not None:
                setattr(opts, key, value)
        return opts

    def ingest(self, sources: Iterable[Source], *, options: ReadOptions | None = None,
               progress: Callable[[IngestReport], None] | None = None, collect_ids: bool = True) -> IngestReport:
        """Read paths (files, directories, '-') or records into the archive, one transaction per batch.

        The same content twice is one article; unreadable records are quarantined and the rest goes in. With
        `collect_ids=False` the report does not list the new ids, so memory stays flat on inputs of any size.
        Files are read and prepared in a second process when the settings ask for it (`ingest_workers`; by
        default when the machine has two cores and the input is large), while this one writes.
        """
        opts = options or self.read_options()
        report = IngestReport()
        started = time.perf_counter()
        sources = list(sources)
        self._before_ingest()
        workers, size = self.settings.ingest_workers, self.settings.ingest_batch
        if wants_background(sources, workers):
            batches = background_batches(sources, opts, size, workers)
        else:
            batches = prepared_batches(sources, opts, size, prepare_workers=workers)
        uncommitted = 0
        try:
            with self.store.bulk_writes():  # the store's housekeeping off this thread while batches go in
                for batch in batches:
                    before = report.new
                    self._write_batch(batch, report, collect_ids)
                    uncommitted += report.new - before
                    if uncommitted >= self.settings.index_commit_every:
                        self._commit_index()
                        uncommitted = 0
                    report.seconds = time.perf_counter() - started
                    if progress:
                        progress(report)
        finally:
            # what the store holds goes into the index, even when ingest stops on an error
            if uncommitted:
                self._commit_index()
        report.seconds = time.perf_counter() - started
        if progress:
            progress(report)
        return report

    def _write_batch(self, batch: PreparedBatch, report: IngestReport, collect_ids: bool) -> None:
        """De-duplicate a prepared batch against the archive and itself, store it in one transaction, index it."""
        report.errors.extend(batch.errors)
        report.bytes += batch.bytes
        rows, quarantine = batch.rows, list(batch.quarantine)
        if not rows and not quarantine:
            return
        if self.store.insert_if_all_new(rows, quarantine):  # the usual case: every article is new
            fresh = rows
        else:
            fresh = self._fresh_rows(rows, quarantine, report)
            self.store.insert(fresh, quarantine)
        report.new += len(fresh)
        report.quarantined += len(quarantine)
        report.not_dutch += sum(1 for r in fresh if r.language != "nl")
        ids = [r.id for r in fresh]
        if collect_ids:
            report.new_ids.extend(ids)
        if ids:
            self._on_articles_changed(ids, annotated=False, rows=fresh, commit=False)

    def _fresh_rows(self, rows: list[ArticleRow], quarantine: list[QuarantineRow],
                    report: IngestReport) -> list[ArticleRow]:
        """The rows to store: not a duplicate of a stored article or of an earlier row (counted in the report), and
        not reusing a stored or earlier id for other text (added to `quarantine`)."""
        known, owners = self.store.existing([r.content_hash for r in rows], [r.id for r in rows])
        fresh: list[ArticleRow] = []
        seen_hashes: set[str] = set()
        seen_ids: dict[str, str] = dict(owners)
        for row in rows:
            if row.content_hash in known or row.content_hash in seen_hashes:
                report.duplicates += 1
                continue
            if row.id in seen_ids:
                quarantine.append(QuarantineRow(row.origin_file, row.origin_line,
                                                f"id {row.id!r} is already used by an article with other text",
                                                row.text[:65536]))
                continue
            seen_hashes.add(row.content_hash)
            seen_ids[row.id] = row.content_hash
            fresh.append(row)
        return fresh

    # --- analysis ----------------------------------------------------------------------------------------------

    def analyze(self, ids: Sequence[str] | None = None, *, stages: Sequence[str] = STAGES,
                progress: Callable[[int], None] | None = None, nlp: Any = None, unanalysed: bool = False) -> int:
        """Run the NLP pipeline over Dutch articles (all, `ids`, or those not analysed yet) and store the chosen
        stages; return the count.

        Articles in another language are left alone. Raises ModelError when the Dutch model is missing.
        """
        from kroniek.nlp.pipeline import analyze_many, get_nlp

        unknown = [s for s in stages if s not in STAGES]
        if unknown:
            raise InputError(f"unknown analysis stage(s): {', '.join(unknown)}", hint=f"use {', '.join(STAGES)}")
        pipeline = nlp or get_nlp()
        version = f"kroniek-{__version__}/{pipeline.meta.get('name', 'model')}-{pipeline.meta.get('version', '0')}"
        done = 0
        batch: list[StoredArticle] = []

        def flush() -> None:
            nonlocal done
            results = list(analyze_many([_to_raw(a) for a in batch], ids=[a.id for a in batch],
                                        structures=[a.structure for a in batch],
                                        languages=[a.language for a in batch], nlp=pipeline,
                                        batch_size=self.settings.analyze_batch))
            self.store.save_analyses(results, version, stages)
            done += len(results)
            self._on_articles_changed([a.id for a in batch])
            batch.clear()
            if progress:
                progress(done)

        for art in self.store.articles(ids, language="nl", unanalysed=unanalysed):
            batch.append(art)
            if len(batch) >= self.settings.analyze_batch:
                flush()
        if batch:
            flush()
        return done

    def analysis_pending(self) -> bool:
        """Whether a stored Dutch article has no analysis yet: ingest ran without it, or an analysis was stopped
        (killed, say) before it finished. Ingest's analysis then takes up every such article, not only new ones."""
        return next(iter(self.store.articles(None, language="nl", unanalysed=True, batch_size=1)), None) is not None

    # --- reading -----------------------------------------------------------------------------------------------

    def get_article(self, article_id: str) -> StoredArticle:
        """An article with its text, structure and all its annotations."""
        art = self.store.article(article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id!r}", hint="list articles with `kroniek stats` or search")
        return art

    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None) -> Iterator[StoredArticle]:
        """Stored articles without annotations (all, or the given ids in order)."""
        return self.store.articles(ids, language=language)

    def count(self) -> int:
        return self.store.count()

    def stats(self) -> dict[str, Any]:
        """Counts: articles, by month, by source and by language; quarantined; analysed; entities."""
        return self.store.stats()

    def quarantined(self, limit: int = 100, offset: int = 0) -> list[QuarantineRow]:
        return self.store.quarantined(limit, offset)

    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> list[dict[str, Any]]:
        """Entities with their mention and article counts, most mentioned first."""
        return self.store.entities(label, limit, offset, query)

    def entity(self, key: int | str) -> dict[str, Any]:
        """An entity (by id, canonical name or variant): variants, mentions per month, co-occurring entities."""
        found = self.store.entity(key)
        if found is None:
            raise NotFound(f"no entity {key!r}", hint="list entities with `kroniek entities`")
        return found

    def quotes(self, speaker: str | None = None, query_ids: Sequence[str] | None = None,
               limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Quotations in time order, optionally by one speaker or within some articles."""
        return self.store.quotes(speaker, query_ids, limit, offset)

    def timeline(self, entity: int | str | None = None, article_ids: Sequence[str] | None = None,
                 limit: int = 500) -> list[dict[str, Any]]:
        """Time expressions on the calendar, in time order, with their sentence and the entities in it."""
        return self.store.timeline(entity, article_ids, limit)

    def speakers(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Resolved speakers with their quotation and article counts, most quoted first."""
        return self.store.speakers(limit, offset)

    def resolve_references(self, texts: Sequence[str]) -> dict[str, str]:
        """For each reference text (a 'Lees ook' line) that is an archived article's title, that article's id.

        The index finds the articles whose title holds the words as a phrase; the title must then be the same text
        (case and spacing aside). Of several such articles the oldest is taken: the one the reference could mean.
        """
        found: dict[str, str] = {}
        for text in dict.fromkeys(texts):
            key = " ".join(text.split()).casefold()
            words = " ".join(text.replace('"', " ").replace("“", " ").replace("”", " ").split())
            if not words:
                continue
            try:
                hits = self.search(f'title:"{words}"', limit=20, sort="date-asc", facets=False).hits
            except QueryError:
                continue
            match = next((h.id for h in hits if " ".join(h.title.split()).casefold() == key), None)
            if match is not None:
                found[text] = match
        return found

    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every article (or the given ones) with its annotations, as JSON-ready dicts."""
        return self.store.export_rows(article_ids)

    # --- search ------------------------------------------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The search index beside the archive file (`<archive>.index/`), built from the store when missing."""
        if self._index is None:
            path = index_path(self.settings.archive)
            fresh = path is None or not path.exists()
            self._index = SearchIndex(path, writer_heap=self.settings.index_heap_mb * 1_000_000)
            if fresh and self.count():
                self.reindex()
        return self._index

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the search index from the store (the store is the truth); return the number of articles."""
        if self._index is not None:
            index = self._index
            index.clear()
        else:  # a fresh directory: whatever was there may be from another version of Kroniek
            path = index_path(self.settings.archive)
            if path is not None and path.exists():
                shutil.rmtree(path)
            index = self._index = SearchIndex(path, writer_heap=self.settings.index_heap_mb * 1_000_000)
        done = 0
        batch: list[IndexDoc] = []
        for art in self.store.articles(None):
            full = self.store.article(art.id)
            if full is not None:
                batch.append(from_stored(full))
            if len(batch) >= 1000:
                done += index.add(batch, replace=False)
                batch = []
                if progress:
                    progress(done)
        done += index.add(batch, replace=False)
        index.commit()
        if progress:
            progress(done)
        return done

    def search(self, query: str, limit: int = 20, offset: int = 0, sort: str = "relevance", facets: bool = True,
               *, exact: bool = False) -> SearchResult:
        """Ranked search in the query language of docs/search.md: hits with snippets, total, and facets."""
        return self.index.search(query, limit=limit, offset=offset, sort=sort, facets=facets, exact=exact)

    def search_ids(self, query: str, *, exact: bool = False, most: int | None = None) -> Iterator[str]:
        """The ids of every article matching `query` (or the first `most`), newest first, fetched page by page."""
        offset, page = 0, 1000
        while most is None or offset < most:
            size = page if most is None else min(page, most - offset)
            result = self.search(query, limit=size, offset=offset, sort="date", facets=False, exact=exact)
            yield from (h.id for h in result.hits)
            if len(result.hits) < size:
                return
            offset += size


def index_path(archive: str | Path) -> Path | None:
    """Where the search index of an archive file lives: beside it, as `<file>.index/` (None: in memory)."""
    if str(archive) == ":memory:":
        return None
    p = Path(archive)
    return p.with_name(p.name + ".index")

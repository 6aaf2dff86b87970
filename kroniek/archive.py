"""The one facade of the Kroniek core: ingest, analyse and read an archive, with no server needed.

The CLI, the API and the web UI call only this. Stages: ingest (read, structure, language, content hash, store)
is fast and needs no model; analysis runs the NLP pipeline over stored articles and stores its annotations with
the pipeline version, so it can be re-run per stage; the search index is derived, and catches up
from the store's change log (see `_settle_index`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from kroniek.analysis import (
    AnalysisWorkers,
    analyze_stored,
    analyze_stored_in_worker,
    choose_workers,
    load_pipeline,
    pipeline_version,
    require_model,
    word_count,
)
from kroniek.entities.update import ResolveReport, resolve_entities
from kroniek.errors import ArchiveError, DateError, IndexVersionError, InputError, ModelError, NotFound, QueryError
from kroniek.ingest.batches import PreparedBatch, Source, background_batches, prepared_batches, wants_background
from kroniek.ingest.readers import ReadOptions
from kroniek.model import (
    EXPORT_KINDS,
    STAGES,
    Analysis,
    ArticleDate,
    ArticleRow,
    EntityDetail,
    Filters,
    Link,
    LinkedArticle,
    Listing,
    QuarantineRow,
    Span,
    SpeakerDetail,
    StoredArticle,
    StoryDetail,
    StoryRow,
    Structure,
    Timeline,
    fold,
    headline,
    month_text,
    name_key,
)
from kroniek.references import Candidate, TitleKey, choose, lookup_keys, search_words, similarity, title_key
from kroniek.search.documents import IndexDoc, from_stored
from kroniek.search.index import SearchResult, read_checkpoint
from kroniek.search.query import combined
from kroniek.search.split import AnyIndex, layout_of, open_index, recorded_layout
from kroniek.settings import CoreSettings, Location, archive_location, data_dir, database_parts, is_database_url
from kroniek.store.base import Store
from kroniek.store.sqlite import SQLiteStore
from kroniek.stories.detect import StoryDetector, StoryParams
from kroniek.stories.update import StoriesReport, state_path, update_stories

log = logging.getLogger(__name__)

# A query's timeline is drawn from at most this many matching articles (the newest).
MAX_TIMELINE_ARTICLES = 500
# A catch-up of the search index this far behind says so before it starts, and reads the index's new word forms
# in bulk (a catch-up after a large ingest)
_TELL_CATCH_UP = 1_000
_BULK_CATCH_UP = 5_000
# A reference is compared with the titles of at most this many articles of each look-up in the index (by the words
# of its title, and by all its words anywhere), of the first MAX_LINK_WORDS words of the reference.
LINK_CANDIDATES = 30
MAX_LINK_WORDS = 16
# An article's page lists this many related articles, and at most this many that point to it.
RELATED = 5
MAX_REFERENCED_BY = 100
# Related articles are looked up by the most mentioned names of an article and the words of its headline.
RELATED_NAMES = 5
RELATED_WORDS = 8
# Exported quotations and timeline events are completed (headlines, the entities of each sentence) this many at a
# time.
EXPORT_CHUNK = 1000


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
    analysed: int = 0  # articles analysed after the ingest (see `Archive.ingest_and_analyze`)
    not_analysed: str | None = None  # why the analysis did not run (the model is missing), when it did not
    stories: int = 0  # stories the new articles added: those started, less those merged into others

    @property
    def read(self) -> int:
        return self.new + self.duplicates + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        return {"new": self.new, "duplicates": self.duplicates, "quarantined": self.quarantined,
                "not_dutch": self.not_dutch, "bytes": self.bytes, "seconds": round(self.seconds, 3),
                "analysed": self.analysed, "not_analysed": self.not_analysed, "stories": self.stories,
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


class Archive:
    """An archive of dated articles and their annotations."""

    def __init__(self, store: Store, settings: CoreSettings | None = None) -> None:
        self.store = store
        self.settings = settings or CoreSettings()
        self._index: AnyIndex | None = None
        self._opening_index = threading.Lock()  # the threads of a server open the index once between them
        self._followed = time.monotonic()  # when a search last looked whether the store moved on (`_follow_store`)
        # what the archive has to tell its user about itself (a catch-up of the index, a wait for another writer);
        # the CLI prints these, by default they are logged
        self.on_notice: Callable[[str], None] = log.warning
        self._stories: StoryDetector | None = None  # the story detector's state, once read or built

    @classmethod
    def open(cls, path: str | Path | None = None, *, readonly: bool = False,
             settings: CoreSettings | None = None) -> Archive:
        """Open (and create, unless read-only) the archive at `path` (default: the settings' archive): a SQLite
        file, or a PostgreSQL database named by a `postgresql://user@host/db` URL (`pip install kroniek[postgres]`;
        the database must exist, its tables are created)."""
        settings = settings or CoreSettings()
        if path is not None:
            settings.archive = archive_location(path)
        if is_database_url(settings.archive):
            from kroniek.store.postgres import PostgresStore

            return cls(PostgresStore(str(settings.archive), readonly=readonly), settings)
        return cls(SQLiteStore(settings.archive, readonly=readonly), settings)

    def close(self) -> None:
        """Close the store and the search index (whatever the index holds was committed batch by batch)."""
        self._close_index()
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- hooks -------------------------------------------------------------------------------------------------

    def _on_articles_changed(self, ids: Sequence[str]) -> None:
        """Index these articles now, as the store holds them (annotations included), and commit; the index's
        checkpoint stays where it is. For code that wrote to the store directly; the archive's own writers leave
        their changes in the store's change log and `_settle_index` takes them from there."""
        docs = [from_stored(a) for a in self.store.annotated_articles(ids)]
        if docs:
            self.index.add(docs)
        self.index.commit()

    def _settle_index(self, *, now: bool = False) -> None:
        """At the end of a write, holding the writer lock: bring the search index up to the store, unless that
        is more than `settings.index_defer_above` changes of work and `now` is False; then the work is left to
        the next search (or `kroniek index`), which waits for it. Nothing is lost either way: the store's change
        log keeps every change until the index holds it, also across a crash."""
        behind = self.store.last_change() - self._index_checkpoint()
        if behind <= 0:
            return
        limit = self.settings.index_defer_above
        if not now and limit and behind > limit:
            self.on_notice(f"The search index will catch up at the next search ({behind:,} change(s) to index); "
                           "run `kroniek index` to do it now.")
            return
        index = self.index  # opening a missing index builds it from the store
        if index.checkpoint < self.store.last_change():
            self._catch_up(index, tell=False)

    def _index_checkpoint(self) -> int:
        """The position in the store's change log up to which the search index holds every change, read without
        opening the index (0: there is no index yet)."""
        if self._index is not None:
            return self._index.refresh_checkpoint()
        return read_checkpoint(index_dir(self.settings))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the archive's writer lock: a second writer (another ingest, an analysis, a reindex, in this process
        or another) waits for the first, up to `settings.writer_wait` seconds, and says that it waits."""
        with self.store.writer_lock(wait=False) as held:
            if held:
                yield
                return
        self.on_notice("Another process is writing to this archive; waiting for it to finish.")
        with self.store.writer_lock(wait=True, timeout=self.settings.writer_wait) as held:
            if not held:
                raise ArchiveError(f"another process kept the archive busy for {self.settings.writer_wait:g} s",
                                   hint="wait for the other ingest or analysis to finish, then run this again")
            yield

    def catch_up_index(self, *, wait: bool = True, progress: Callable[[int], None] | None = None) -> int:
        """Index every article the store changed after the search index's checkpoint, that is, whatever a crashed
        or interrupted writer stored but did not make searchable; return how many articles were indexed again.

        Runs by itself when the index is opened and at the end of a write; with `wait=False` it leaves the work
        to another process that is writing now (it catches up at its end).
        """
        if self._index is None:
            with self._opening_index:
                if self._index is None:
                    self._open_index(catch_up=False)
        index = self._index
        assert index is not None
        with self.store.writer_lock(wait=wait, timeout=self.settings.writer_wait if wait else None) as held:
            return self._catch_up(index, progress) if held else 0

    def _catch_up(self, index: AnyIndex, progress: Callable[[int], None] | None = None, *,
                  tell: bool = True) -> int:
        """`catch_up_index`, the writer lock held. `tell=False`: the changes are another writer's (another machine
        wrote them into its own index), not an interrupted run's, so the catch-up is only logged."""
        last = self.store.last_change()
        position = index.checkpoint
        if position == last:
            return 0
        if position == 0 and len(index) == 0:  # a new index: built from the store in one pass
            return self._build(index, progress)
        if position > last:  # the index is ahead of its store: it was built for another archive file
            self.on_notice("The search index does not belong to this archive; rebuilding it from the store.")
            with self._writing():
                return self._reindex(progress)
        if position < self.store.forgotten_changes():  # the log no longer holds all it missed
            self.on_notice("The search index is further behind the archive than its change log reaches; "
                           "rebuilding it from the store.")
            with self._writing():
                return self._reindex(progress)
        behind = last - position
        if tell and behind >= _TELL_CATCH_UP:
            self.on_notice(f"Bringing the search index up to date: {behind:,} change(s) to index first.")
        # a long catch-up reads the new word forms from the term dictionary once, at commit (see SearchIndex.add)
        bulk = behind >= _BULK_CATCH_UP
        done = since_commit = 0
        waiting: dict[int, Link] = {}  # stored references without a target that a caught-up article may be
        while True:
            changes = self.store.changes_after(position, limit=1000)
            if not changes:
                break
            wanted = list(dict.fromkeys(a for _, a in changes))
            arts = list(self.store.annotated_articles(wanted))
            docs = [from_stored(art) for art in arts]
            stored = {d.id for d in docs}
            gone = [a for a in wanted if a not in stored]
            if gone:
                index.delete(gone)
            index.add(docs, replace=True, bulk=bulk)
            titles = [t for t in map(_link_title, arts) if t]
            if titles:
                for link in self.store.waiting_links(lookup_keys(titles)):
                    waiting.setdefault(link.id or 0, link)
            position = changes[-1][0]
            done += len(docs)
            since_commit += len(docs)
            if since_commit >= self.settings.index_commit_every:
                index.commit(checkpoint=position)
                since_commit = 0
            if progress:
                progress(done)
        index.commit(checkpoint=position)
        self.store.forget_changes(position)
        # every caught-up article is searchable now: resolve the references not tried yet (those of new articles),
        # and try again those waiting for a title that has now arrived
        self._resolve_links(waiting.values())
        if done and tell:
            self.on_notice(f"Search index caught up: {done:,} stored article(s) were not searchable yet (a large "
                           "write leaves its indexing to the next search, and a run that stopped may not have "
                           "indexed them); they are now.")
        elif done:
            log.info("search index caught up with %d article(s)", done)
        return done

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
               progress: Callable[[IngestReport], None] | None = None, collect_ids: bool = True,
               settle: bool = True) -> IngestReport:
        """Read paths (files, directories, '-') or records into the archive, one transaction per batch.

        The same content twice is one article; unreadable records are quarantined and the rest goes in. With
        `collect_ids=False` the report does not list the new ids, so memory stays flat on inputs of any size.
        Files are read and prepared in a second process when the settings ask for it (`ingest_workers`; by
        default when the machine has two cores and the input is large), while this one writes.

        The search index is not written batch by batch: every stored article is in the store's change log, and
        at the end the index catches up from it (`_settle_index`), or, after a large ingest, the next search does.
        `settle=False` leaves that to the caller (who writes more first).
        """
        with self._writing():
            report = self._ingest(list(sources), options or self.read_options(), progress, collect_ids)
            if settle:
                self._settle_index()
            return report

    def ingest_and_analyze(self, sources: Iterable[Source], *, options: ReadOptions | None = None,
                           analyze: bool = True, progress: Callable[[IngestReport], None] | None = None,
                           analysis_progress: Callable[[int, int], None] | None = None,
                           collect_ids: bool = True, analysis_workers: int | None = None) -> IngestReport:
        """Ingest, then analyse every stored Dutch article that has no analysis yet: the new ones, and those an
        interrupted earlier run left behind. The one way the CLI, the API and the demo take in articles.

        The count goes into `report.analysed`; when the Dutch model is missing the articles stay stored, and
        `report.not_analysed` says why, with what to do. `analysis_progress(articles, words)` follows the
        analysis; it runs in `analysis_workers` processes (default `settings.analyze_workers`; see `analyze`).
        """
        report = self.ingest(sources, options=options, progress=progress, collect_ids=collect_ids,
                             settle=not analyze)
        if not analyze:
            return report
        if self.unanalysed():
            try:
                report.analysed = self.analyze(None, unanalysed=True, progress=analysis_progress,
                                               settle=False, workers=analysis_workers)
            except ModelError as err:
                report.not_analysed = f"{err}" + (f"; {err.hint}" if err.hint else "")
        placed = self.update_stories()
        report.stories = placed.started - placed.merged
        with self._writing():  # each new article is indexed once, with its annotations
            self._settle_index()
        return report

    def _ingest(self, sources: list[Source], opts: ReadOptions, progress: Callable[[IngestReport], None] | None,
                collect_ids: bool) -> IngestReport:
        report = IngestReport()
        started = time.perf_counter()
        workers, size = self.settings.ingest_workers, self.settings.ingest_batch
        if wants_background(sources, workers):
            batches = background_batches(sources, opts, size, workers)
        else:
            batches = prepared_batches(sources, opts, size, prepare_workers=workers)
        with self.store.bulk_writes():  # the store's housekeeping off this thread while batches go in
            for batch in batches:
                self._write_batch(batch, report, collect_ids)
                report.seconds = time.perf_counter() - started
                if progress:
                    progress(report)
        report.seconds = time.perf_counter() - started
        if progress:
            progress(report)
        return report

    def _write_batch(self, batch: PreparedBatch, report: IngestReport, collect_ids: bool) -> list[ArticleRow]:
        """De-duplicate a prepared batch against the archive and itself and store it in one transaction (which
        logs each new article for the search index); return the rows stored."""
        report.errors.extend(batch.errors)
        report.bytes += batch.bytes
        rows, quarantine = batch.rows, list(batch.quarantine)
        if not rows and not quarantine:
            return []
        if self.store.insert_if_all_new(rows, quarantine):  # the usual case: every article is new
            fresh = rows
        else:
            again: list[ArticleRow] = []
            fresh = self._fresh_rows(rows, quarantine, report, again)
            self.store.insert(fresh, quarantine, sources=again)
        report.new += len(fresh)
        report.quarantined += len(quarantine)
        report.not_dutch += sum(1 for r in fresh if r.language != "nl")
        if collect_ids:
            report.new_ids.extend(r.id for r in fresh)
        return fresh

    def _fresh_rows(self, rows: list[ArticleRow], quarantine: list[QuarantineRow],
                    report: IngestReport, again: list[ArticleRow]) -> list[ArticleRow]:
        """The rows to store: not a duplicate of a stored article or of an earlier row (counted in the report and
        added to `again`, so that another source of the same text is kept), and not reusing a stored or earlier
        id for other text (added to `quarantine`)."""
        known, owners = self.store.existing([r.content_hash for r in rows], [r.id for r in rows])
        fresh: list[ArticleRow] = []
        seen_hashes: set[str] = set()
        seen_ids: dict[str, str] = dict(owners)
        for row in rows:
            if row.content_hash in known or row.content_hash in seen_hashes:
                report.duplicates += 1
                again.append(row)
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

    # --- batch output ------------------------------------------------------------------------------------------

    def load(self, output: str | Path, *, progress: Callable[[IngestReport], None] | None = None) -> IngestReport:
        """Bulk-load an output of `kroniek batch analyze` (Parquet: articles with their analyses, and the
        quarantined records): new articles are stored with their annotations, duplicates are counted (another
        source of the same text is kept), their entities and references resolved as an ingest resolves them, and
        then stories are placed. Loading the same output again changes nothing."""
        from kroniek.batch import read_parquet

        report = IngestReport()
        started = time.perf_counter()
        names: set[str] = set()
        with self._writing():
            for rows, analyses, quarantine, version in read_parquet(output):
                again: list[ArticleRow] = []
                fresh = self._fresh_rows(rows, list(quarantine), report, again)
                self.store.insert(fresh, quarantine, sources=again)
                ids = {r.id for r in fresh}
                dutch = [a for a in analyses if a.id in ids and a.language == "nl"]
                if dutch:
                    self.store.save_analyses(dutch, version, STAGES)
                    names.update(name_key(e.canonical or e.text) for a in dutch for e in a.entities)
                report.new += len(fresh)
                report.quarantined += len(quarantine)
                report.not_dutch += sum(1 for r in fresh if r.language != "nl")
                report.analysed += len(dutch)
                report.seconds = time.perf_counter() - started
                if progress:
                    progress(report)
            if names:  # the entities of the names just stored are resolved across the archive, as analysis does
                self._resolve_names(names)
            self._settle_index()  # and the references, as an ingest does, once every article is searchable
        placed = self.update_stories()
        report.stories = placed.started - placed.merged
        report.seconds = time.perf_counter() - started
        return report

    # --- analysis ----------------------------------------------------------------------------------------------

    def analyze(self, ids: Sequence[str] | None = None, *, stages: Sequence[str] = STAGES,
                progress: Callable[[int, int], None] | None = None, nlp: Any = None, unanalysed: bool = False,
                settle: bool = True, workers: int | None = None) -> int:
        """Run the NLP pipeline over Dutch articles (all, `ids`, or those not analysed yet) and store the chosen
        stages; return the count. `progress(articles, words)` is called after each batch is stored.

        Articles in another language are left alone. Raises ModelError when the Dutch model is missing. The
        search index catches up at the end (`settle=False`: the caller sees to it).
        The analysis runs in `workers` processes (default `settings.analyze_workers`; 0: one per core, and one
        for fewer than `settings.analyze_workers_from` articles) when no `nlp` is given, each loading the
        shipped pipeline once (kroniek.workers); the stored analyses are the same as from one process.
        """
        unknown = [s for s in stages if s not in STAGES]
        if unknown:
            raise InputError(f"unknown analysis stage(s): {', '.join(unknown)}", hint=f"use {', '.join(STAGES)}")
        if ids is not None:
            missing = [i for i in dict.fromkeys(ids) if self.store.article(i, annotations=False) is None]
            if missing:
                raise NotFound(f"no article with id {', '.join(repr(i) for i in missing[:5])}"
                               + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                               hint="find ids with `kroniek search` or `kroniek stats`")
        count = 1
        if nlp is None:
            requested = self.settings.analyze_workers if workers is None else workers
            if requested != 1:
                todo = len(set(ids)) if ids is not None else self.store.count(language="nl", unanalysed=unanalysed)
                count = 1 if requested == 0 and todo < self.settings.analyze_workers_from else \
                    choose_workers(requested)
        with contextlib.ExitStack() as stack:
            if count > 1:
                require_model()  # the workers load it; a missing model is the same ModelError as below
                pool: AnalysisWorkers | None = stack.enter_context(AnalysisWorkers(count))
                pipeline = None
            else:
                pool, pipeline = None, nlp or load_pipeline()
            with self._writing():
                names: set[str] = set()
                done = self._analyze(ids, stages, progress, pipeline, pool, unanalysed, names)
                if names:  # the entities of the names just stored are resolved again across the archive
                    self._resolve_names(names)
                if settle:
                    self._settle_index()
                return done

    def _analyze(self, ids: Sequence[str] | None, stages: Sequence[str],
                 progress: Callable[[int, int], None] | None, pipeline: Any, pool: AnalysisWorkers | None,
                 unanalysed: bool, names: set[str]) -> int:
        """Analyse and store, a batch at a time (in the pipeline given, or in the pool's processes, the batches
        stored in order); the name keys of the entities stored go into `names`."""
        size = self.settings.analyze_batch
        done = words = 0

        def batches() -> Iterator[list[StoredArticle]]:
            batch: list[StoredArticle] = []
            for art in self.store.articles(ids, language="nl", unanalysed=unanalysed):
                batch.append(art)
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch

        if pool is None:
            version = pipeline_version(pipeline)
            analysed: Iterator[tuple[str, list[Analysis]]] = ((version, analyze_stored(b, pipeline, size))
                                                              for b in batches())
        else:
            analysed = pool.map(analyze_stored_in_worker, ((b, size) for b in batches()))
        for version, results in analysed:
            self.store.save_analyses(results, version, stages)
            if "entities" in stages or "quotes" in stages:
                names.update(name_key(e.canonical or e.text) for a in results for e in a.entities)
            done += len(results)
            words += sum(word_count(a.text) for a in results)
            if progress:
                progress(done, words)
        return done

    # --- entity resolution -------------------------------------------------------------------------------------

    def resolve_entities(self, progress: Callable[[int, int], None] | None = None) -> ResolveReport:
        """Resolve every entity of the archive again (see `kroniek.entities`): the same person named differently in
        different articles becomes one entity, with the reasons kept; ids once given keep leading to the same
        entity. Runs by itself for the names each analysis stores; this rebuilds it all. Holds the writer lock and
        re-indexes the articles whose entities changed."""
        with self._writing():
            report = self._resolve_names(None, progress)
            self._settle_index()
            return report

    def _resolve_names(self, names: Iterable[str] | None,
                 progress: Callable[[int, int], None] | None = None) -> ResolveReport:
        """Resolve the groups of these name keys (all for None); the articles whose entities moved are in the
        store's change log for the search index."""
        return resolve_entities(self.store, names, progress=progress)

    # --- reading -----------------------------------------------------------------------------------------------

    def get_article(self, article_id: str, *, links: bool = True) -> StoredArticle:
        """An article with its text, structure and all its annotations, and (unless `links` is False) the articles
        it is linked to: the archived article each of its "Lees ook" references points to, where there is one
        (`reference_targets`, by the reference's offset), the articles whose references point to it
        (`referenced_by`) and the articles related to it (`related`, see `related`)."""
        art = self.store.article(article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id!r}", hint="list articles with `kroniek stats` or search")
        if links:
            if art.structure.references:
                art.reference_targets = self._reference_targets(art)
            art.referenced_by = self._referenced_by(art.id)
            art.related = self.related(art)
        return art

    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None) -> Iterator[StoredArticle]:
        """Stored articles without annotations (all, or the given ids in order)."""
        return self.store.articles(ids, language=language)

    def count(self) -> int:
        return self.store.count()

    def unanalysed(self) -> int:
        """How many stored Dutch articles have no analysis yet."""
        return self.store.count(language="nl", unanalysed=True)

    def stats(self) -> dict[str, Any]:
        """Counts: articles, by month, by source and by language; quarantined; analysed; entities."""
        return self.store.stats()

    def quarantined(self, limit: int = 100, offset: int = 0) -> Listing[QuarantineRow]:
        """One page of the records that could not be read, in the order they were quarantined."""
        with self.store.snapshot():
            return Listing(self.store.quarantined(limit, offset), self.store.count_quarantined(), offset, limit)

    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> Listing[dict[str, Any]]:
        """One page of the entities with their mention and article counts, most mentioned first."""
        with self.store.snapshot():
            return Listing(self.store.entities(label, limit, offset, query),
                           self.store.count_entities(label, query), offset, limit)

    def entity(self, key: int | str) -> EntityDetail:
        """An entity (by id, canonical name or variant): variants, mentions per month, co-occurring entities."""
        with self.store.snapshot():
            found = self.store.resolve_entity(key)
            if found is None:
                raise NotFound(f"no entity {key!r}", hint="list entities with `kroniek entities`")
            eid = found["id"]
            mentions, articles = self.store.entity_counts(eid)
            counts = dict(self.store.entity_stories(eid))
            stories = [{**row.to_dict(), "articles_naming": counts[row.id]}
                       for row in self.store.story_rows(list(counts), limit=len(counts))]
            stories.sort(key=lambda r: (-r["articles_naming"], r["id"]))
            return EntityDetail(id=eid, canonical=found["canonical"], label=found["label"],
                                variants=self.store.entity_variants(eid), mentions=mentions, articles=articles,
                                by_month=self.store.entity_months(eid), co_occurring=self.store.co_occurring(eid),
                                stories=stories,
                                quotes_about=self._with_headlines(self.store.quotes_about(eid, 50)),
                                merges=self._merges(eid))

    def _merges(self, entity_id: int) -> list[dict[str, Any]]:
        """Each name an entity was put together from, and why: the rows that entity resolution merged into it (with
        its reason), then the shorter forms that an article's own analysis gave the full name it names."""
        rows = self.store.entity_merges(entity_id)
        merged: dict[int, dict[str, Any]] = {}
        forms: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["reason"]:
                merged.setdefault(r["base_id"], {"variant": r["canonical"], "label": r["label"],
                                                 "articles": r["merged_articles"] or r["articles"],
                                                 "reason": r["reason"]})
            elif fold(" ".join(r["text"].split())) != fold(r["canonical"]):
                form = forms.setdefault(r["text"], {"variant": r["text"], "label": r["label"], "articles": 0,
                                                    "reason": f"the same article names {r['canonical']} in full"})
                form["articles"] += r["articles"]
        ordered = sorted(merged.values(), key=lambda m: (-m["articles"], m["variant"], m["label"]))
        return ordered + sorted(forms.values(), key=lambda m: (-m["articles"], m["variant"]))

    def quotes(self, speaker: str | None = None, query: str = "", limit: int = 100, offset: int = 0, *,
               exact: bool = False) -> Listing[dict[str, Any]]:
        """One page of the quotations in time order, optionally by one speaker and within the articles a query
        matches (all of them). A speaker that names an entity (by name, a variant of it, or id) gives every
        quotation of that entity, whatever name each article gave it ("Blok": those of Stef Blok, the most
        mentioned Blok)."""
        ids = list(self.search_ids(query, exact=exact)) if query.strip() else None
        with self.store.snapshot():
            found = self.store.resolve_entity(speaker) if speaker and speaker.strip() else None
            speaker_id = found["id"] if found else None
            rows = self._with_headlines(self.store.quotes(speaker, ids, limit, offset, speaker_id=speaker_id))
            return Listing(rows, self.store.count_quotes(speaker, ids, speaker_id=speaker_id), offset, limit)

    def speaker(self, name: str, limit: int = 100, offset: int = 0) -> SpeakerDetail:
        """A speaker's quotations (one page) and, when the name is a known entity, that entity; NotFound when the
        archive has neither."""
        with self.store.snapshot():
            quotes = self.quotes(speaker=name, limit=limit, offset=offset)
            try:
                ent: EntityDetail | None = self.entity(name)
            except NotFound:
                ent = None
        if not quotes.total and ent is None:
            raise NotFound(f"no speaker {name!r}", hint="list speakers with `kroniek speakers`")
        return SpeakerDetail(name=ent.canonical if ent else name, entity=ent, quotes=quotes)

    def timeline(self, query: str = "", entity: int | str | None = None, limit: int = 500, offset: int = 0, *,
                 exact: bool = False) -> Timeline:
        """What happened when: time expressions on the calendar in the order of the time they name, each with its
        sentence, article and the entities in that sentence.

        `query` narrows it to the articles it matches (the first MAX_TIMELINE_ARTICLES, newest first); `entity`
        to the sentences that name that entity, or, when no sentence does, to the articles that name it (the
        timeline says it was widened). An entity the archive does not know is NotFound.
        """
        ids = list(self.search_ids(query, exact=exact, most=MAX_TIMELINE_ARTICLES)) if query.strip() else None
        with self.store.snapshot():
            ent = self.entity(entity) if entity is not None and str(entity).strip() else None
            eid = ent.id if ent else None
            in_sentence = True
            total = self.store.count_calendar_timexes(entity_id=eid, article_ids=ids)
            if ent is not None and not total:
                in_sentence = False
                total = self.store.count_calendar_timexes(entity_id=eid, in_sentence=False, article_ids=ids)
            rows = self.store.calendar_timexes(entity_id=eid, in_sentence=in_sentence, article_ids=ids, limit=limit,
                                               offset=offset) if total > offset else []
            return Timeline(self._events(rows), total, offset, limit, entity=ent, widened=not in_sentence and total > 0)

    def _events(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Timeline rows with the entities named in each event's sentence, and a headline for untitled articles."""
        mentions: dict[str, list[dict[str, Any]]] = {}
        for m in self.store.mentions_in(list(dict.fromkeys(r["article_id"] for r in rows))):
            mentions.setdefault(m["article_id"], []).append(m)
        events = []
        for r in rows:
            s = r["sentence_start"] if r["sentence_start"] is not None else r["start"]
            e = r["sentence_end"] if r["sentence_end"] is not None else r["end"]
            named: dict[int, dict[str, Any]] = {}
            for m in mentions.get(r["article_id"], []):
                if m["start"] >= s and m["end"] <= e:
                    named.setdefault(m["id"], {"id": m["id"], "canonical": m["canonical"], "label": m["label"]})
            events.append({"article_id": r["article_id"], "article_date": r["article_date"],
                           "article_title": r["article_title"], "start": r["start"], "end": r["end"],
                           "text": r["text"], "type": r["type"], "value": r["value"], "ref_start": r["ref_start"],
                           "ref_end": r["ref_end"], "sentence": r["sentence"], "entities": list(named.values())})
        return self._with_headlines(events)

    def _with_headlines(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows naming an article (`article_id`, `article_title`): an untitled article gets its headline."""
        lines = self._headlines(r["article_id"] for r in rows if not r.get("article_title"))
        for r in rows:
            if not r.get("article_title"):
                r["article_title"] = lines.get(r["article_id"], "")
        return rows

    def _headlines(self, ids: Iterable[str]) -> dict[str, str]:
        """The headline of each of these articles (read in one pass over the store; none asked, none read)."""
        wanted = list(dict.fromkeys(ids))
        return {a.id: headline(a) for a in self.store.articles(wanted)} if wanted else {}

    # --- stories -----------------------------------------------------------------------------------------------

    def update_stories(self, *, rebuild: bool = False, params: StoryParams | None = None,
                       progress: Callable[[int, int], None] | None = None) -> StoriesReport:
        """Put every article that is in no story yet into one, in date order (see `kroniek.stories.detect`);
        with `rebuild`, detect every story again from the first article. Holds the writer lock. (`story:` in a
        query asks the store for the story's articles, so the search index needs no update.)"""
        with self._writing():
            report, self._stories = update_stories(
                self.store, stories_state_path(self.settings), detector=self._stories,
                params=params or StoryParams(), rebuild=rebuild, progress=progress)
        if report.rebuilt and not rebuild:
            self.on_notice(f"stories detected again from the first article ({report.rebuilt})")
        return report

    def stories(self, query: str = "", limit: int = 50, offset: int = 0, *, exact: bool = False,
                min_size: int = 2) -> Listing[StoryRow]:
        """One page of the stories of at least `min_size` articles (by default 2: a single article is a story only
        begun), latest first: all of them, or those with an article the query matches (among its first
        MAX_TIMELINE_ARTICLES hits)."""
        if not query.strip():
            with self.store.snapshot():
                return Listing(self.store.story_rows(None, limit, offset, min_size=min_size),
                               self.store.count_stories(min_size), offset, limit)
        hits = list(self.search_ids(query, exact=exact, most=MAX_TIMELINE_ARTICLES))
        with self.store.snapshot():
            of = self.store.stories_of(hits)
            story_ids = list(dict.fromkeys(of[i] for i in hits if i in of))
            every = self.store.story_rows(story_ids, limit=len(story_ids), min_size=min_size)
        return Listing(every[offset:offset + limit], len(every), offset, limit)

    def _story_members(self, story_id: str) -> list[str]:
        return [aid for aid, _ in self.store.story_members(story_id)]

    def story_summary(self, story_id: str) -> StoryRow:
        """A story's row: title, span, size and keywords (NotFound for an unknown id)."""
        rows = self.store.story_rows([story_id], limit=1)
        if not rows:
            raise NotFound(f"no story {story_id!r}", hint="list stories with `kroniek stories`")
        return rows[0]

    def story(self, story_id: str, *, timeline_limit: int = 200) -> StoryDetail:
        """One story: its articles in date order, the names and speakers it is about, its articles per month and
        the time expressions of its articles on the calendar."""
        row = self.story_summary(story_id)
        members = self.store.story_members(story_id)
        ids = [aid for aid, _ in members]
        scores = dict(members)
        arts = list(self.store.articles(ids))
        articles = [{"id": a.id, "date": a.date.isoformat() if a.date else None, "headline": headline(a),
                     "source": a.source, "score": scores.get(a.id, 0.0)} for a in arts]
        months: dict[str, int] = {}
        for a in arts:
            key = month_text(a.date.year * 100 + (a.date.month or 0)) if a.date else "?"
            months[key] = months.get(key, 0) + 1
        entities, speakers = self._story_people(ids)
        events = self._events(self.store.calendar_timexes(in_sentence=False, article_ids=ids, limit=timeline_limit))
        return StoryDetail(story=row, articles=articles, entities=entities, speakers=speakers,
                           by_month=[{"month": k, "articles": v} for k, v in sorted(months.items())],
                           timeline=events)

    def _story_people(self, ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The names a story's articles are about (the 20 named in most of them: id, canonical, label, articles)
        and its speakers (the 20 quoted most: speaker, quotes)."""
        named: dict[int, dict[str, Any]] = {}
        for m in self.store.mentions_in(ids):
            e = named.setdefault(m["id"], {"id": m["id"], "canonical": m["canonical"], "label": m["label"],
                                           "articles": set()})
            e["articles"].add(m["article_id"])
        entities = sorted(({**e, "articles": len(e["articles"])} for e in named.values()),
                          key=lambda e: (-e["articles"], e["canonical"]))[:20]
        said: dict[str, int] = {}
        for q in self.store.quotes(None, ids, limit=10_000):
            if q.get("speaker"):
                said[q["speaker"]] = said.get(q["speaker"], 0) + 1
        speakers = [{"speaker": k, "quotes": v} for k, v in sorted(said.items(), key=lambda kv: (-kv[1], kv[0]))][:20]
        return entities, speakers

    def speakers(self, limit: int = 50, offset: int = 0) -> Listing[dict[str, Any]]:
        """One page of the resolved speakers with their quotation and article counts, most quoted first."""
        with self.store.snapshot():
            return Listing(self.store.speakers(limit, offset), self.store.count_speakers(), offset, limit)

    # --- links between articles --------------------------------------------------------------------------------

    def resolve_reference(self, text: str, *, date: ArticleDate | None = None,
                          source_id: str | None = None) -> tuple[str, float] | None:
        """The archived article a "Lees ook" reference with this text points to, and the score of the match, in an
        article of `date` (whose id, `source_id`, is never its own target); None when no title matches.

        The index is asked for the articles whose title shares words with the reference, and for those holding all
        its words anywhere (an untitled article's first line may be its title); their titles are compared with
        the reference and the best match chosen as kroniek/references.py describes.
        """
        return self._match(text, date, source_id, {})

    def _match(self, text: str, date: ArticleDate | None, source_id: str | None,
               cache: dict[str, list[_Titled]]) -> tuple[str, float] | None:
        ref = title_key(text)
        if not ref.key:
            return None
        candidates = [Candidate(c.id, c.date, score) for c in self._title_candidates(text, cache)
                      if c.id != source_id and (score := similarity(ref, c.key)) is not None]
        best = choose(candidates, date)
        return (best.id, best.score) if best is not None else None

    def _title_candidates(self, text: str, cache: dict[str, list[_Titled]]) -> list[_Titled]:
        """The articles a reference with this text may name, as the index finds them (see `resolve_reference`),
        with their title keys; remembered in `cache` (for one run of references: the same text often recurs)."""
        if text in cache:
            return cache[text]
        words = search_words(text)[:MAX_LINK_WORDS]
        found: dict[str, tuple[str, str | None]] = {}
        for query, limit in ((f"title:({' OR '.join(words)})", LINK_CANDIDATES),
                             (" ".join(words), LINK_CANDIDATES // 3)):
            if not words:
                break
            try:
                hits = self.index.titles(query, limit)
            except QueryError:
                continue
            for aid, title, date in hits:
                found.setdefault(aid, (title, date))
        # an article without a title in the index may have a title line: read those from the store
        untitled = [aid for aid, (title, _) in found.items() if not title.strip()]
        lines = {a.id: _link_title(a) for a in self.store.articles(untitled)} if untitled else {}
        out = []
        for aid, (title, date) in found.items():
            line = title if title.strip() else lines.get(aid)
            if line:
                out.append(_Titled(aid, _parse_date(date), _title_key(line)))
        if len(cache) >= 10_000:
            cache.clear()
        cache[text] = out
        return out

    def _resolve(self, links: Sequence[Link], dates: dict[str, ArticleDate | None] | None = None,
                 cache: dict[str, list[_Titled]] | None = None) -> list[Link]:
        """The links as trying them finds them: their lookup keys, and their target and score where one matched."""
        if dates is None:
            dates = {a.id: a.date for a in self.store.articles(list(dict.fromkeys(x.source_id for x in links)))}
        cache = {} if cache is None else cache
        out = []
        for link in links:
            key, head = title_key(link.text).lookup()
            found = self._match(link.text, dates.get(link.source_id), link.source_id, cache)
            out.append(replace(link, tried=True, key=key or None, head=head, target_id=found[0] if found else None,
                               score=round(found[1], 2) if found else None))
        return out

    def _resolve_links(self, waiting: Iterable[Link] = ()) -> int:
        """Resolve the links not tried yet (the references of new articles), then try again the `waiting` ones (an
        article that may be their target arrived); return how many links were tried. Holding the writer lock, with
        every article searchable. An archive opened read-only stores no links (a reader resolves an untried one when
        it shows its article)."""
        if self.store.readonly:
            return 0
        done = after = 0
        untried: set[int] = set()
        cache: dict[str, list[_Titled]] = {}
        while page := self.store.links(after, 500, untried=True):
            self.store.save_links(self._resolve(page, cache=cache))
            untried.update(x.id for x in page if x.id is not None)
            after = page[-1].id or after
            done += len(page)
        again = [x for x in waiting if x.id not in untried]
        for start in range(0, len(again), 500):
            self.store.save_links(self._resolve(again[start:start + 500], cache=cache))
        return done + len(again)

    def _relink(self) -> int:
        """Resolve every stored link again (after a rebuild of the index); return how many there are."""
        done = after = 0
        cache: dict[str, list[_Titled]] = {}
        while page := self.store.links(after, 500):
            self.store.save_links(self._resolve(page, cache=cache))
            after = page[-1].id or after
            done += len(page)
        return done

    def _waiting_for(self, rows: Sequence[ArticleRow]) -> list[Link]:
        """The stored links, tried without finding a target, that one of these new articles may be the target of:
        their title key (or the key of their title's part before its subtitle) is one of the articles'."""
        titles = [t for t in map(_row_title, rows) if t]
        return self.store.waiting_links(lookup_keys(titles)) if titles else []

    def _reference_targets(self, art: StoredArticle) -> dict[int, LinkedArticle]:
        """The article each reference of `art` points to, by the reference's offset."""
        found = self._reference_links(art.id, art.date, [(r.start, r.end, r.text) for r in art.structure.references])
        about = self._summaries(x.target_id for x in found if x.target_id)
        return {x.start: LinkedArticle(x.target_id, *about[x.target_id], relation="reference", text=x.text,
                                       score=x.score)
                for x in found if x.target_id in about}

    def _reference_links(self, article_id: str, date: ArticleDate | None,
                         references: Sequence[tuple[int, int, str]]) -> list[Link]:
        """The links of an article's references (start, end, text) that found a target. A reference not tried yet
        (an ingest stopped before it resolved them; an archive of an older Kroniek opened read-only) is resolved
        now."""
        stored = {x.start: x for x in self.store.links_from(article_id)}
        untried = [x for x in (stored.get(start) or Link(article_id, start, end, text)
                               for start, end, text in references) if not x.tried]
        for x in self._resolve(untried, {article_id: date}) if untried else []:
            stored[x.start] = x
        return [x for x in stored.values() if x.target_id]

    def _referenced_by(self, article_id: str) -> list[LinkedArticle]:
        """The articles whose references point to this one, newest first (each once)."""
        links = [x for x in self.store.links_to(article_id, MAX_REFERENCED_BY) if x.source_id != article_id]
        about = self._summaries(x.source_id for x in links)
        out: dict[str, LinkedArticle] = {}
        for x in links:
            if x.source_id in about and x.source_id not in out:
                out[x.source_id] = LinkedArticle(x.source_id, *about[x.source_id], relation="referenced-by",
                                                 text=x.text, score=x.score)
        return list(out.values())

    def _summaries(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """The headline and date of each of these articles."""
        wanted = list(dict.fromkeys(ids))
        return {a.id: (headline(a), a.date.isoformat() if a.date else None)
                for a in self.store.articles(wanted)} if wanted else {}

    def related(self, art: StoredArticle, limit: int = RELATED) -> list[LinkedArticle]:
        """Up to `limit` articles related to `art`: first those it is linked to either way (its references'
        targets, then the articles that point to it; as `get_article` found them), then its neighbours in its
        story (the articles just before and after it), then the nearest by shared names and headline words: the
        best hits of a search for its RELATED_NAMES most mentioned names (once analysed) or any of RELATED_WORDS
        words of its headline (stop words left out)."""
        out: dict[str, LinkedArticle] = {}
        for a in [*art.reference_targets.values(), *art.referenced_by, *self._story_neighbours(art)]:
            if a.id != art.id:
                out.setdefault(a.id, a)
        query = self._similar_query(art)
        if query and len(out) < limit:
            try:
                hits = self.search(query, limit=2 * limit + len(out) + 1, facets=False).hits
            except QueryError:
                hits = []
            # equal scores in the id order, not in the order of the index's segments
            for h in sorted(hits, key=lambda h: (-round(h.score, 4), h.id)):
                if h.id != art.id and h.id not in out:
                    out[h.id] = LinkedArticle(h.id, h.title, h.date, relation="similar", score=round(h.score, 3))
        return list(out.values())[:limit]

    def _story_neighbours(self, art: StoredArticle) -> list[LinkedArticle]:
        """The articles just before and just after `art` in its story (by date), when it is in one."""
        if art.story_id is None:
            return []
        members = [aid for aid, _ in self.store.story_members(art.story_id)]
        if art.id not in members:
            return []
        at = members.index(art.id)
        near = [members[i] for i in (at - 1, at + 1) if 0 <= i < len(members)]
        about = self._summaries(near)
        return [LinkedArticle(aid, *about[aid], relation="story") for aid in near if aid in about]

    def _similar_query(self, art: StoredArticle) -> str:
        """The search for the articles nearest to `art` (see `related`): its names and headline words, OR'ed."""
        counts: dict[str, int] = {}
        for e in art.entities:
            name = " ".join(search_words(e.get("canonical") or e.get("text") or ""))
            if name:
                counts[name] = counts.get(name, 0) + 1
        names = sorted(counts, key=lambda n: (-counts[n], n))[:RELATED_NAMES]
        index = self.index
        words = [w for w in dict.fromkeys(search_words(headline(art)))
                 if (len(w) > 2 or any(c.isdigit() for c in w)) and not index.is_stop_word(w)][:RELATED_WORDS]
        return " OR ".join([f'entity:"{n}"' for n in names] + words)

    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every article (or the given ones) with its annotations, as JSON-ready dicts."""
        return self.store.export_rows(article_ids)

    def export(self, query: str = "", *, what: str = "articles", most: int | None = None, exact: bool = False,
               filters: Filters | None = None) -> Iterator[dict[str, Any]]:
        """The rows of an export of one kind (`model.EXPORT_KINDS`), streamed, at most `most` of them.

        The articles are those matching `query` and `filters` (newest first), or every article in storage order
        when both are empty. `articles`: each article with its annotations; `entities`: the entities named in
        those articles, counted there, most mentioned first; `quotes`: their quotations in time order (as
        `quotes`); `timeline`: their time expressions on the calendar in calendar order (the events of
        `timeline`, from every selected article); `stories`: the stories with a selected article, latest first
        (as `stories`), each with the ids of its articles and its names and speakers (as `story`).

        The query is run before the first row is yielded, so a query that cannot be read raises QueryError here
        and not half-way through a stream; an unknown kind is an InputError.
        """
        rows_of = self._exports().get(what)
        if rows_of is None:
            raise InputError(f"cannot export {what!r}", hint=f"export one of {', '.join(EXPORT_KINDS)}")
        text = combined(query, filters)
        ids = None
        if text.strip():
            ids = list(self.search_ids(text, exact=exact, most=most if what == "articles" else None))
        rows = rows_of(ids)
        return rows if most is None else islice(rows, most)

    def _exports(self) -> dict[str, Callable[[list[str] | None], Iterator[dict[str, Any]]]]:
        """Per kind of export, the rows of the selected articles (None: all of them)."""
        return {"articles": self._export_articles, "entities": self.store.export_entities,
                "quotes": self._export_quotes, "timeline": self._export_timeline, "stories": self._export_stories}

    def _export_articles(self, ids: list[str] | None) -> Iterator[dict[str, Any]]:
        """Articles as `get_article` gives them, each reference naming the article it points to (`article_id`, as
        `get_article` finds it), without the reader's free-form extra fields (`meta`) and without what an article's
        page lists beside it: the summary of each reference's target, the articles that point to it and those
        related to it (`article`, `referenced_by`, `related`)."""
        for row in self.store.export_rows(ids):
            row.pop("meta", None)
            row.pop("referenced_by", None)
            row.pop("related", None)
            refs = row["structure"]["references"]
            found = {x.start: x.target_id for x in self._reference_links(
                row["id"], _parse_date(row["date"]), [(r["start"], r["end"], r["text"]) for r in refs])} if refs else {}
            for ref in refs:
                ref.pop("article", None)
                ref["article_id"] = found.get(ref["start"])
            yield row

    def _export_quotes(self, ids: list[str] | None) -> Iterator[dict[str, Any]]:
        for chunk in _chunked(self.store.export_quotes(ids), EXPORT_CHUNK):
            yield from self._with_headlines(chunk)

    def _export_timeline(self, ids: list[str] | None) -> Iterator[dict[str, Any]]:
        for chunk in _chunked(self.store.export_timexes(ids), EXPORT_CHUNK):
            yield from self._events(chunk)

    def _export_stories(self, ids: list[str] | None) -> Iterator[dict[str, Any]]:
        """The stories of at least two articles (those `stories` lists) that hold a selected article."""
        if ids is None:
            rows: Iterable[StoryRow] = self._every_story(min_size=2)
        else:
            of = self.store.stories_of(ids)
            story_ids = list(dict.fromkeys(of[i] for i in ids if i in of))
            rows = self.store.story_rows(story_ids, limit=len(story_ids), min_size=2)
        for row in rows:
            with self.store.snapshot():  # a story's articles, names and speakers as of one moment
                members = self._story_members(row.id)
                entities, speakers = self._story_people(members)
            yield {**row.to_dict(), "article_ids": members, "entities": entities, "speakers": speakers}

    def _every_story(self, min_size: int) -> Iterator[StoryRow]:
        offset = 0
        while rows := self.store.story_rows(None, EXPORT_CHUNK, offset, min_size=min_size):
            yield from rows
            offset += len(rows)

    # --- search ------------------------------------------------------------------------------------------------

    @property
    def index(self) -> AnyIndex:
        """The search index (see `index_dir`: beside a SQLite file as `<archive>.index/`), built from the store when
        missing."""
        if self._index is None:
            with self._opening_index:
                if self._index is None:
                    self._open_index()
        assert self._index is not None
        return self._index

    def _open_index(self, catch_up: bool = True) -> None:
        """Open the search index; unless `catch_up` is False, a new one is built from the store (waiting for a
        writer at work), and one behind the store catches up (unless a writer is at work: it will). An index built
        by another version of Kroniek is built again from the store, where the archive may be written."""
        path = index_dir(self.settings)
        fresh = path is None or not path.exists()
        try:
            index = self._index = open_index(path, split_years=self.settings.index_split_years,
                                             writer_heap=self.settings.index_heap_mb * 1_000_000)
        except IndexVersionError:
            if self.store.readonly:
                raise
            self.on_notice(f"The search index at {path} was built by another version of Kroniek; building it again "
                           f"from the archive ({self.count():,} articles).")
            with self._writing():
                self._reindex(None)  # (with no index open, it starts from an empty folder)
            return
        index.members_of["story"] = self._story_members
        if not catch_up:
            return
        if fresh and self.count():
            with self._writing():
                self._build(index, None)
        else:
            self._catch_up_quietly()

    def _build(self, index: AnyIndex, progress: Callable[[int], None] | None) -> int:
        """Fill a new, empty index from the store (writer lock held), then resolve the references not tried yet
        (those of articles stored while there was no index); return the number of articles."""
        count = self.count()
        if count >= _TELL_CATCH_UP:
            self.on_notice(f"Building the search index from the archive ({count:,} articles).")
        done = self._reindex(progress)
        self._resolve_links()
        return done

    def _follow_store(self) -> None:
        """Before a search, at most every `settings.index_follow_seconds`: when the store has changes the open index
        does not hold (another machine wrote them, into its own index), index them now, unless a writer is at work
        here (it will). So a long-running reader, such as `kroniek serve`, keeps up with every writer."""
        index = self._index
        if index is None or time.monotonic() - self._followed < self.settings.index_follow_seconds:
            return
        self._followed = time.monotonic()
        try:
            if index.refresh_checkpoint() < self.store.last_change():
                with self.store.writer_lock(wait=False) as held:
                    if held:
                        self._catch_up(index, tell=False)
        except (ArchiveError, OSError, ValueError) as err:  # the index stays as it is; the next look tries again
            log.warning("the search index could not catch up with the archive: %s", err)

    def _catch_up_quietly(self) -> None:
        """Catch the index up when it was opened behind the store, unless another writer is at work (it will) or
        the index cannot be written here (then say how far behind it is and how to fix that)."""
        try:
            self.catch_up_index(wait=False)
        except (ArchiveError, OSError, ValueError) as err:
            behind = self.store.last_change() - (self._index.checkpoint if self._index else 0)
            self.on_notice(f"The search index is behind the archive ({behind:,} change(s) not searchable) and "
                           f"could not catch up here: {err}. Run `kroniek reindex` where the archive is writable.")

    def reindex(self, progress: Callable[[int], None] | None = None, *, split_years: int | None = None) -> int:
        """Rebuild the search index from the store (the store is the truth), then resolve every stored reference
        again (a rule or a title may have changed since); return the number of articles.

        `split_years`: build it split by period, one part per so many years of publication (0: one index; None:
        as `settings.index_split_years`, else as it is now). See kroniek/search/split.py."""
        if split_years is not None and split_years < 0:
            raise ArchiveError("--split-years cannot be negative", hint="use 0 for one index, N for N years a part")
        wanted = split_years if split_years is not None else self.settings.index_split_years
        with self._writing():
            current = layout_of(self._index) if self._index is not None else recorded_layout(index_dir(self.settings))
            if wanted is None:
                wanted = current or 0  # as it is now
            self.settings.index_split_years = wanted
            if current is not None and current != wanted:
                self._drop_index()
            done = self._reindex(progress)
            self._relink()
            return done

    def _close_index(self) -> None:
        """Close the open search index, if any (whatever it holds was committed)."""
        if self._index is not None:
            self._index.close()
            self._index.vocabulary.close()
            self._index = None

    def _drop_index(self) -> None:
        """Close the open index (if any) and remove its folder: the next `_reindex` builds a new one."""
        self._close_index()
        path = index_dir(self.settings)
        if path is not None and path.exists():
            shutil.rmtree(path)

    def _reindex(self, progress: Callable[[int], None] | None) -> int:
        position = self.store.last_change()  # no other writer runs meanwhile: the rebuild holds up to here
        if self._index is not None:
            index = self._index
            index.clear()
        else:  # a fresh directory: whatever was there may be from another version of Kroniek
            path = index_dir(self.settings)
            if path is not None and path.exists():
                shutil.rmtree(path)
            index = self._index = open_index(path, split_years=self.settings.index_split_years,
                                             writer_heap=self.settings.index_heap_mb * 1_000_000)
            index.members_of["story"] = self._story_members
        done = 0
        batch: list[IndexDoc] = []
        for full in self.store.annotated_articles(None):
            batch.append(from_stored(full))
            if len(batch) >= 1000:
                done += index.add(batch, replace=False)
                batch = []
                if progress:
                    progress(done)
        done += index.add(batch, replace=False)
        index.commit(checkpoint=position)
        self.store.forget_changes(position)
        if progress:
            progress(done)
        return done

    def search(self, query: str, limit: int = 20, offset: int = 0, sort: str = "relevance", facets: bool = True,
               *, exact: bool = False, filters: Filters | None = None) -> SearchResult:
        """Ranked search in the query language of docs/search.md: hits with snippets, total, and facets.

        `filters` (facet values the user picked) each narrow the query; a hit of an untitled article is headed by
        the article's headline (its first sentence, kept in the index), never by its bare id. The page is read
        from the index alone.
        """
        self._follow_store()
        return self.index.search(combined(query, filters), limit=limit, offset=offset, sort=sort, facets=facets,
                                 exact=exact)

    def search_ids(self, query: str, *, exact: bool = False, most: int | None = None) -> Iterator[str]:
        """The ids of every article matching `query` (or the first `most`), newest first, fetched page by page."""
        self._follow_store()
        offset, page = 0, 1000
        while most is None or offset < most:
            size = page if most is None else min(page, most - offset)
            result = self.index.search(query, limit=size, offset=offset, sort="date", facets=False, exact=exact)
            yield from (h.id for h in result.hits)
            if len(result.hits) < size:
                return
            offset += size


class _Titled(NamedTuple):
    """An article a reference may name: its id, date and title key."""

    id: str
    date: ArticleDate | None
    key: TitleKey


@lru_cache(maxsize=65536)
def _title_key(title: str) -> TitleKey:
    """`title_key`, remembered: the same titles come up as candidates of many references."""
    return title_key(title)


def _parse_date(text: str | None) -> ArticleDate | None:
    try:
        return ArticleDate.parse(text) if text else None
    except DateError:
        return None


def _link_title(art: StoredArticle) -> str | None:
    """The title a reference may name an article by: its title, else the title line its structure found."""
    if art.title and art.title.strip():
        return art.title
    st = art.structure
    return art.text[st.title.start:st.title.end] if st.title is not None else None


def _row_title(row: ArticleRow) -> str | None:
    """`_link_title` of an article about to be stored (its structure still JSON, read only when it has a title)."""
    if row.title and row.title.strip():
        return row.title
    if '"title": null' in row.structure_json:
        return None
    span = json.loads(row.structure_json).get("title")
    return row.text[span["start"]:span["end"]] if span else None


def _chunked(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """The rows in lists of `size` (the last one shorter)."""
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def index_path(archive: Location) -> Path | None:
    """Where the search index of an archive lives by default: beside a SQLite file, as `<file>.index/` (None: in
    memory); for a PostgreSQL archive, in the user's data folder (`~/.local/share/kroniek/indexes/`, or under
    $XDG_DATA_HOME) as `<host>-<port>-<database>[-<schema>].index/`, one per machine."""
    if is_database_url(archive):
        host, port, dbname, schema = database_parts(str(archive))
        name = "-".join(x for x in (host, str(port), dbname, schema) if x)
        return data_dir() / "indexes" / ("".join(c if c.isalnum() or c in "._-" else "_" for c in name) + ".index")
    if str(archive) == ":memory:":
        return None
    p = Path(archive)
    return p.with_name(p.name + ".index")


def index_dir(settings: CoreSettings) -> Path | None:
    """The search index folder of the settings' archive: `settings.index` ($KRONIEK_INDEX, `--index`) when given,
    else `index_path` of the archive."""
    return settings.index if settings.index is not None else index_path(settings.archive)


def stories_state_path(settings: CoreSettings) -> Path | None:
    """Where the story detector's state lives: beside a SQLite file (`<file>.stories`); for a PostgreSQL archive,
    derived per machine like its search index, beside the index folder (`<index>.stories`)."""
    if not is_database_url(settings.archive):
        return state_path(settings.archive)
    index = index_dir(settings)
    return None if index is None else index.with_name(index.name + ".stories")

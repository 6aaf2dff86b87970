"""The one analysis of an article, whoever asks for it: `kroniek analyze`, ingest's analysis and re-analysis.

An article's structure and language are what ingest derives (kroniek.ingest); the Dutch pipeline (kroniek.nlp)
then reads its names, quotations and time expressions. This module composes the two, so that `nlp/` knows
nothing of ingest and a file analysed with `kroniek analyze` gives the annotations its stored copy gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kroniek.errors import ModelError
from kroniek.ingest.batches import article_id, content_hash
from kroniek.ingest.language import detect_language
from kroniek.ingest.readers import ReadOptions, Rejected, article_limit, read_paths
from kroniek.ingest.structure import parse_structure
from kroniek.model import Analysis, RawArticle, StoredArticle
from kroniek.workers import AnalysisWorkers, choose_workers, cpu_count


def load_pipeline() -> Any:
    """The shipped Dutch pipeline (loaded once per process); ModelError when it is missing."""
    from kroniek.nlp.pipeline import get_nlp

    return get_nlp()


def require_model() -> None:
    """ModelError unless the shipped Dutch model is there (without loading it: the workers do that)."""
    from kroniek.nlp.model_dir import require_model as check

    check()


def pipeline_version(nlp: Any) -> str:
    """The version stored with every annotation: Kroniek's and the model's."""
    from kroniek import __version__

    return f"kroniek-{__version__}/{nlp.meta.get('name', 'model')}-{nlp.meta.get('version', '0')}"


def analyze_records(records: Sequence[RawArticle], nlp: Any | None, batch_size: int = 32) -> list[Analysis]:
    """Analyses of records as read (not stored): each gets the id, structure and language ingest would give it;
    with `nlp` None only those (no model: entities, quotations and time expressions stay empty)."""
    ids = [article_id(r, content_hash(r.text)) for r in records]
    structures = [parse_structure(r.text, title=r.title) for r in records]
    languages = [detect_language(r.text) for r in records]
    if nlp is None:
        return [Analysis(id=i, date=r.date, text=r.text, language=lang, structure=st)
                for i, r, st, lang in zip(ids, records, structures, languages, strict=True)]
    from kroniek.nlp.pipeline import analyze_many

    return list(analyze_many(records, ids=ids, structures=structures, languages=languages, nlp=nlp,
                             batch_size=batch_size))


def analyze_stored(articles: Sequence[StoredArticle], nlp: Any, batch_size: int = 32) -> list[Analysis]:
    """Analyses of stored articles, with the structure and language the store keeps for them."""
    from kroniek.nlp.pipeline import analyze_many

    records = [RawArticle(text=a.text, date=a.date, id=a.id, title=a.title, source=a.source, url=a.url,
                          meta=a.meta) for a in articles]
    return list(analyze_many(records, ids=[a.id for a in articles], structures=[a.structure for a in articles],
                             languages=[a.language for a in articles], nlp=nlp, batch_size=batch_size))


def _record_batches(paths: Iterable[str | Path], options: ReadOptions, batch: int,
                    on_rejected: Callable[[Rejected], None] | None) -> Iterator[list[RawArticle]]:
    pending: list[RawArticle] = []
    for item in read_paths(paths, options):
        if isinstance(item, Rejected):
            if on_rejected:
                on_rejected(item)
            continue
        pending.append(item)
        if len(pending) >= batch:
            yield pending
            pending = []
    if pending:
        yield pending


def analyze_paths(paths: Iterable[str | Path], options: ReadOptions, nlp: Any | None, *, batch: int = 32,
                  on_rejected: Callable[[Rejected], None] | None = None,
                  workers: AnalysisWorkers | None = None) -> Iterator[Analysis]:
    """The analyses of every readable record in files (or '-'), in input order; records that cannot be read are
    handed to `on_rejected` and skipped.

    With `workers` the records are analysed in those processes (each with the shipped pipeline; `nlp` is then not
    used), read and handed out here; the analyses are the same and come in the same order."""
    batches = _record_batches(paths, options, batch, on_rejected)
    if workers is None:
        for records in batches:
            yield from analyze_records(records, nlp, batch)
        return
    for analyses in workers.map(_analyze_records_in_worker, ((records, batch) for records in batches)):
        yield from analyses


def _analyze_records_in_worker(task: tuple[list[RawArticle], int]) -> list[Analysis]:
    """In an analysis worker: `analyze_records` with the worker's pipeline."""
    records, batch = task
    return analyze_records(records, load_pipeline(), batch)


def analyze_stored_in_worker(task: tuple[list[StoredArticle], int]) -> tuple[str, list[Analysis]]:
    """In an analysis worker: the pipeline version and `analyze_stored` with the worker's pipeline."""
    articles, batch = task
    nlp = load_pipeline()
    return pipeline_version(nlp), analyze_stored(articles, nlp, batch)


def word_count(text: str) -> int:
    """The words of a text as the progress of an analysis counts them: the runs of characters between spaces."""
    return len(text.split())


def input_bytes(paths: Iterable[str | Path]) -> int | None:
    """The size of the named files and directories, or None where it is not known (standard input)."""
    total = 0
    for p in map(Path, paths):
        if str(p) == "-":
            return None
        try:
            total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
        except OSError:
            return None
    return total


def tag_conll(conll_path: Path, output: Path | None) -> int:
    """Tag a CoNLL-2002 file with the Dutch model (see `kroniek.nlp.conll`); returns the tokens tagged."""
    from kroniek.nlp.conll import tag_conll as tag

    return int(tag(conll_path, output))


__all__ = ["AnalysisWorkers", "ModelError", "ReadOptions", "Rejected", "analyze_paths", "article_limit",
           "analyze_records", "analyze_stored", "analyze_stored_in_worker", "choose_workers", "cpu_count",
           "input_bytes", "load_pipeline", "pipeline_version", "require_model", "tag_conll", "word_count"]

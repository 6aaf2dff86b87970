"""The analysis of one article: structure, language, and the Dutch spaCy pipeline.

`analyze` is a pure function (article in, `Analysis` out), so any engine can map it over partitions.
The spaCy pipeline is loaded once per process, lazily, from the model shipped inside the package.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import use_ops

from kroniek.model import Analysis, EntityMention, RawArticle, Span, Structure
from kroniek.nlp import extensions, ops
from kroniek.nlp.extensions import doc_text, keep_text
from kroniek.nlp.model_dir import MODEL_DIR, require_model  # noqa: F401  (MODEL_DIR: read here by callers)
from kroniek.nlp.sentences import sentence_bounds

# Kroniek's own components, added after the trained model's components, in this order. Each module registers its
# factory with spaCy on import (see `_import_components`).
COMPONENTS: list[str] = ["kroniek_entities", "kroniek_quotes", "kroniek_timex"]

_lock = threading.Lock()
_nlp: Language | None = None


def _import_components() -> None:
    """Import the modules that register Kroniek's component factories."""
    # The tokenizer and sentence modules register what the shipped model's config names; entities adds a component.
    from kroniek.nlp import entities, lemmas, quotations, sentences, time_expressions, tokenizer  # noqa: F401


def load_pipeline(model_dir: Path | None = None) -> Language:
    """Load the trained Dutch model and add Kroniek's components."""
    path = require_model(model_dir)
    ops.keep_freed_memory()  # the batches' large arrays reuse freed memory instead of fresh pages (see ops.py)
    extensions.register()
    _import_components()
    # The tokenizer is built by its registered factory (kroniek.nlp.tokenizer) rather than read back from the model
    # directory: the same rules, loaded once instead of three times (about a second of load time).
    with use_ops(ops.NAME):  # the model's layers are built with BLAS matrix products (see ops.py)
        nlp = spacy.load(path, exclude=["tokenizer"])
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


def get_nlp() -> Language:
    """The process-wide pipeline, loaded on first use."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = load_pipeline()
    return _nlp


def _prepare(nlp: Language, article: RawArticle, structure: Structure) -> Doc:
    doc = keep_text(nlp.make_doc(article.text), article.text)  # whatever tokenizer the pipeline has
    doc._.dct = article.date
    doc._.structure = structure
    return doc


def _fill(analysis: Analysis, doc: Doc) -> Analysis:
    canonical = doc._.canonical or {}
    text = doc_text(doc)  # an entity's text is the article's between its offsets (Span.text rebuilds it per token)
    analysis.entities = [EntityMention(e.start_char, e.end_char, text[e.start_char:e.end_char], e.label_,
                                       canonical.get((e.start_char, e.end_char)))
                         for e in doc.ents]
    analysis.sentences = [Span(s, e) for s, e in sentence_bounds(doc) or ()]
    analysis.quotes = list(doc._.quotes or [])
    analysis.timexes = list(doc._.timexes or [])
    return analysis


def analyze(article: RawArticle, *, article_id: str, structure: Structure, language: str,
            nlp: Language | None = None) -> Analysis:
    """Analyse one article whose structure and language are known (kroniek.analysis derives them as ingest does).
    A non-Dutch article keeps its structure but does not go through the Dutch pipeline."""
    return next(analyze_many([article], ids=[article_id], structures=[structure], languages=[language], nlp=nlp))


def analyze_many(articles: Iterable[RawArticle], *, ids: Iterable[str | None], structures: Iterable[Structure],
                 languages: Iterable[str], nlp: Language | None = None, batch_size: int = 32) -> Iterator[Analysis]:
    """Analyse articles in input order, batching the Dutch ones through `nlp.pipe`; each article's structure and
    language are given (ingest derives them; see kroniek.analysis)."""
    articles = list(articles)
    ids_l, structs, langs = list(ids), list(structures), list(languages)
    if not len(ids_l) == len(structs) == len(langs) == len(articles):
        raise ValueError("analyze_many needs one id, structure and language per article")
    results: list[Analysis] = []
    dutch: list[tuple[int, Doc]] = []
    pipeline = nlp
    for i, art in enumerate(articles):
        struct, lang = structs[i], langs[i]
        aid = ids_l[i] or art.id or f"article-{i + 1}"
        results.append(Analysis(id=aid, date=art.date, text=art.text, language=lang, structure=struct))
        if lang == "nl" and art.text.strip():
            if pipeline is None:
                pipeline = get_nlp()
            dutch.append((i, _prepare(pipeline, art, struct)))
    if dutch:
        assert pipeline is not None
        for (i, _), doc in zip(dutch, pipeline.pipe((d for _, d in dutch), batch_size=batch_size), strict=True):
            _fill(results[i], doc)
    yield from results

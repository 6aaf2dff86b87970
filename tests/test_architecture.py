"""The import rules of docs/architecture.md, read from the source: the edges call the core only through the
`Archive` facade and the shared types; store and search never reach into the NLP package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kroniek"

# What an edge (CLI, API, web UI, the HTTP host, the demo) may import from Kroniek: the facade, the shared types
# and errors, the settings, the export encodings and the file analysis of `kroniek analyze`; and the HTTP host's
# shared plumbing (kroniek.server) for the API and the web UI; the CLI and the demo start the host through its one
# entry point, `kroniek.server.serve`.
EDGE_ALLOWED = ("kroniek", "kroniek.archive", "kroniek.model", "kroniek.errors", "kroniek.settings",
                "kroniek.export", "kroniek.analysis", "kroniek.batch")
CORE_FOR_EDGES = ("kroniek.store", "kroniek.search", "kroniek.ingest", "kroniek.nlp", "kroniek.stories",
                  "kroniek.entities")
EDGES = {"kroniek.cli": ("kroniek.server.serve",), "kroniek.demo": ("kroniek.server.serve",),
         "kroniek.api": ("kroniek.server",),
         "kroniek.web": ("kroniek.server",),
         # the host assembles the app from the API's routers and the web pages, and nothing else of theirs
         "kroniek.server": ("kroniek.server", "kroniek.api.routers", "kroniek.api.schemas", "kroniek.web.pages",
                            "kroniek.web.render")}
# Core parts that must stay apart: (importer, forbidden).
CORE_RULES = [("kroniek.store", "kroniek.nlp"), ("kroniek.search", "kroniek.nlp"),
              ("kroniek.store", "kroniek.search"), ("kroniek.search", "kroniek.store"),
              ("kroniek.store", "kroniek.ingest"), ("kroniek.search", "kroniek.ingest"),
              ("kroniek.nlp", "kroniek.ingest"), ("kroniek.nlp", "kroniek.store"), ("kroniek.nlp", "kroniek.search"),
              # stories read the store and never the pipeline; the store and search know nothing of stories
              ("kroniek.stories", "kroniek.nlp"), ("kroniek.stories", "kroniek.search"),
              ("kroniek.store", "kroniek.stories"), ("kroniek.search", "kroniek.stories"),
              ("kroniek.nlp", "kroniek.stories"),
              # entity resolution reads the store (and the Dutch word lists), never the pipeline or the index; the
              # store, the index and the pipeline know nothing of it
              ("kroniek.entities", "kroniek.nlp.pipeline"), ("kroniek.entities", "kroniek.nlp.entities"),
              ("kroniek.entities", "kroniek.search"), ("kroniek.entities", "kroniek.ingest"),
              ("kroniek.store", "kroniek.entities"), ("kroniek.search", "kroniek.entities"),
              ("kroniek.nlp", "kroniek.entities")]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every Kroniek name a source imports, wherever the import stands (lazy imports inside functions too):
    `import a.b` gives a.b, `from a.b import c` gives a.b.c (a submodule or a name of a.b)."""
    found: set[str] = set()
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join([*package[: len(package) - node.level], node.module or ""]) if node.level \
                else node.module or ""
            found.update(f"{base.rstrip('.')}.{a.name}" for a in node.names)
    return {n for n in found if _within(n, "kroniek")}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(source: str, module: str) -> list[str]:
    """The import rules a module's source breaks, each as 'module imports name'."""
    bad = []
    for name in sorted(imports_of(source, module)):
        for edge, extra in EDGES.items():
            if not _within(module, edge):
                continue
            allowed = (_within(name, edge) or name == "kroniek.__version__"
                       or any(_within(name, x) for x in (*EDGE_ALLOWED[1:], *extra)))
            if not allowed:
                bad.append(f"{module} imports {name}")
        for importer, forbidden in CORE_RULES:
            if _within(module, importer) and _within(name, forbidden):
                bad.append(f"{module} imports {name}")
    return bad


def _sources() -> list[tuple[str, str]]:
    return [(_module_name(p), p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))]


def test_the_package_keeps_its_import_rules() -> None:
    broken = [v for module, source in _sources() for v in violations(source, module)]
    assert broken == []


@pytest.mark.parametrize("module,source", [
    ("kroniek.cli", "from kroniek.store.sqlite import SQLiteStore"),
    ("kroniek.cli", "def f():\n    from kroniek.search.query import parse"),
    ("kroniek.cli", "import kroniek.ingest.readers"),
    ("kroniek.cli", "from kroniek.nlp import pipeline"),
    ("kroniek.cli", "from kroniek.api.schemas import ArticleOut"),
    ("kroniek.api.routers.search", "from kroniek.search.index import SearchIndex"),
    ("kroniek.api.routers.search", "from kroniek.web.pages import router"),
    ("kroniek.web.pages", "from kroniek.api.schemas import ArticleOut"),
    ("kroniek.web.pages", "from kroniek.api.routers.articles import article"),
    ("kroniek.web.pages", "from kroniek.store.base import Store"),
    ("kroniek.store.sqlite", "from kroniek.nlp.timex_normalise import value_range"),
    ("kroniek.search.documents", "from kroniek.nlp import extensions"),
    ("kroniek.nlp.pipeline", "from kroniek.ingest.structure import parse_structure"),
    ("kroniek.server.app", "from kroniek.store.sqlite import SQLiteStore"),
    ("kroniek.store.sqlite", "from kroniek.entities.resolve import resolve_group"),
    ("kroniek.entities.update", "from kroniek.search.index import SearchIndex"),
    ("kroniek.cli", "from kroniek.entities.update import resolve_entities"),
])
def test_the_rules_catch_a_forbidden_import(module: str, source: str) -> None:
    assert violations(source, module)


@pytest.mark.parametrize("module,source", [
    ("kroniek.cli", "from kroniek.archive import Archive\nfrom kroniek.model import STAGES"),
    ("kroniek.web.pages", "from kroniek.server.deps import ArchiveDep\nfrom kroniek.web.render import page"),
    ("kroniek.api.routers.search", "from kroniek.api.schemas import SearchOut\nfrom kroniek.model import Filters"),
    ("kroniek.server.app", "from kroniek.api.routers import search\nfrom kroniek.web import pages"),
    ("kroniek.archive", "from kroniek.store.sqlite import SQLiteStore\nfrom kroniek.search.index import SearchIndex"),
])
def test_the_rules_allow_what_the_architecture_draws(module: str, source: str) -> None:
    assert violations(source, module) == []

"""Archives for the API, web and browser tests, built through the real Archive.

`annotated_archive` stores the gold annotations of the seed article (../shared/eval/seed-gold.json) as its
analysis, so the edges can be tested without the trained model; the browser tests use the model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ALPINO_JSONL, EVAL, SEED
from fastapi.testclient import TestClient

from kroniek.archive import Archive
from kroniek.model import STAGES, Analysis, ArticleDate, EntityMention, Quote, TimeExpression
from kroniek.nlp.timex_normalise import value_range
from kroniek.server.app import create_app
from kroniek.server.settings import Settings

REFERENCED_TITLE = "Rusland aansprakelijk stellen voor MH17 – wat betekent dat?"
SCRIPT = "<script>alert('kroniek')</script>"

# Extra articles: one that the seed's "Lees ook" line points to, and one carrying markup that must show as text.
EXTRA = [
    {"id": "ref-mh17", "date": "2018-05-25", "source": "Testbron", "title": REFERENCED_TITLE,
     "text": REFERENCED_TITLE + "\n\nNederland en Australië stellen Rusland aansprakelijk voor het neerhalen van "
             "vlucht MH17 in 2014, zegt de regering."},
    {"id": "script-article", "date": "2019-03-01", "source": "Testbron", "title": f"Opgepast {SCRIPT}",
     "text": f"Opgepast {SCRIPT}\n\nDit artikel bevat {SCRIPT} en <b>vet</b> als gewone tekst over MH17."},
]


def gold_analysis(archive: Archive, gold_path: Path, article_id: str) -> Analysis:
    """The seed article's gold annotations as an Analysis of the stored article."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    art = archive.get_article(article_id)
    # Gold speakers are resolved names; a PER mention that is the last word of a fuller name stands for that name.
    per_names = {e["text"] for e in gold["entities"] if e["label"] == "PER"}

    def canonical(text: str, label: str) -> str | None:
        if label != "PER":
            return None
        fuller = [n for n in per_names if n != text and n.endswith(" " + text)]
        return max(fuller, key=len) if fuller else text

    entities = [EntityMention(e["start"], e["start"] + len(e["text"]), e["text"], e["label"],
                              canonical(e["text"], e["label"])) for e in gold["entities"]]
    quotes = [Quote(q["start"], q["start"] + len(q["text"]), q["text"], q["kind"], q.get("cue", ""),
                    q.get("speaker_mention", ""), q.get("speaker", "")) for q in gold["quotes"]]
    timexes = [TimeExpression(t["start"], t["start"] + len(t["text"]), t["text"], t["type"], t["value"],
                              period=value_range(t["value"]))
               for t in gold["timexes"]]
    for e in entities + quotes + timexes:  # the gold offsets index the stored text exactly
        assert art.text[e.start:e.end] == e.text, e
    return Analysis(id=art.id, date=ArticleDate.parse(gold["dct"]), text=art.text, structure=art.structure,
                    entities=entities, quotes=quotes, timexes=timexes)


def build_annotated_archive(path: Path, seed: Path, alpino: Path, gold: Path) -> tuple[str, list[str]]:
    """Ingest the seed, alpino-dev and the extra articles into `path`; store the seed's gold analysis.

    Returns the seed article's id and every new id.
    """
    with Archive.open(path) as archive:
        report = archive.ingest([seed, alpino, *EXTRA])
        seed_id = next(i for i in report.new_ids if archive.get_article(i).text.startswith("Het ministerie"))
        archive.store.save_analyses([gold_analysis(archive, gold, seed_id)], "gold", STAGES)
        archive._on_articles_changed([seed_id])
        return seed_id, list(report.new_ids)


TOKEN = "test-token-0123456789"


@pytest.fixture(scope="session")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An archive of the seed (with its gold analysis), alpino-dev and the extra articles; and the seed's id."""
    path = tmp_path_factory.mktemp("web") / "kroniek.db"
    seed_id, _ = build_annotated_archive(path, SEED.parent, ALPINO_JSONL, EVAL / "seed-gold.json")
    return path, seed_id


@pytest.fixture(scope="session")
def client(annotated: tuple[Path, str]) -> Iterator[TestClient]:
    """An in-process client of a read-only server over the annotated archive."""
    with TestClient(create_app(Settings(annotated[0])), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def writable_client(tmp_path: Path) -> Iterator[TestClient]:
    """An in-process client of a server that accepts ingest with TOKEN, over a fresh archive of the extra articles."""
    path = tmp_path / "w.db"
    with Archive.open(path) as archive:
        archive.ingest(EXTRA)
    with TestClient(create_app(Settings(path, token=TOKEN)), raise_server_exceptions=False) as c:
        yield c


SLASHED_ID = "nos/2019/02/mh17-gesprekken"


@pytest.fixture(scope="session")
def slashed_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A read-only server over an archive whose one article has an id with slashes in it, as feeds' ids often do."""
    path = tmp_path_factory.mktemp("slashed") / "kroniek.db"
    with Archive.open(path) as archive:
        archive.ingest([{"id": SLASHED_ID, "date": "2019-02-12", "source": "Testbron",
                         "text": "Gesprekken over MH17\n\nDe gesprekken met Rusland over MH17 gaan door."}])
    with TestClient(create_app(Settings(path)), raise_server_exceptions=False) as c:
        yield c


def app_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route of the app, those of included routers too (mounts have no methods)."""
    import fastapi.routing

    contexts = getattr(fastapi.routing, "iter_route_contexts", None)  # FastAPI's flattened view, where it has one
    routes = contexts(app.routes) if contexts else app.routes
    return [(r.path, set(r.methods or ())) for r in routes if getattr(r, "path", None)]

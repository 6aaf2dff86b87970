"""Structure of an article: paragraphs, title and lede, subheadings and "Lees ook" references, as offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ALPINO_JSONL, EVAL, SEED

from kroniek.ingest.readers import read_path
from kroniek.ingest.structure import looks_like_heading, parse_structure
from kroniek.model import RawArticle, Span


def seed_text() -> str:
    (art,) = list(read_path(SEED))
    assert isinstance(art, RawArticle)
    return art.text


def test_structure_seed_matches_gold_subheading_and_reference(shared: Path) -> None:
    gold = json.loads((EVAL / "seed-gold.json").read_text(encoding="utf-8"))
    text = seed_text()
    s = parse_structure(text)
    assert [(h.start, h.of(text)) for h in s.subheadings] == [(g["start"], g["text"]) for g in gold["subheadings"]]
    assert [(r.start, r.text, r.kind) for r in s.references] == [(g["start"], g["text"], g["kind"])
                                                                 for g in gold["references"]]
    assert all(text[r.start:r.end] == r.text for r in s.references)


def test_structure_seed_paragraphs_exclude_reference_and_subheading(shared: Path) -> None:
    text = seed_text()
    s = parse_structure(text)
    assert len(s.paragraphs) == 5
    assert s.paragraphs[0].start == 0 and text[s.paragraphs[-1].end - 1] == "."
    body = [p.of(text) for p in s.paragraphs]
    assert not any(p.startswith("Lees ook") or p.startswith("‘Nog niet") for p in body)
    assert s.title is None and s.lede is None


def test_structure_alpino_articles_have_no_false_headings(shared: Path) -> None:
    for art in read_path(ALPINO_JSONL):
        assert isinstance(art, RawArticle)
        s = parse_structure(art.text)
        assert s.references == [] and s.subheadings == []
        blocks = ([s.title] if s.title else []) + s.paragraphs
        assert "\n\n".join(p.of(art.text) for p in blocks) == art.text.strip()


@pytest.mark.parametrize("line,expected", [
    ("‘Nog niet vooruitlopen op onderhandelingen’", True),
    ("Bewoners teleurgesteld", True),
    ("“We mogen hoopvol zijn.”", False),
    ("Dit is een gewone zin.", False),
    ("kleine letter zonder punt", False),
    ("Een kop die veel te lang is om nog een tussenkop te zijn, want hij gaat maar door en door en door", False),
    ("Vragen:", False),
])
def test_structure_heading_rule(line: str, expected: bool) -> None:
    assert looks_like_heading(line) is expected


def test_structure_title_given_and_in_text_becomes_title_and_lede() -> None:
    text = "De kop\n\nDe eerste alinea.\n\nDe tweede alinea."
    s = parse_structure(text, title="De kop")
    assert s.title == Span(0, 6) and s.lede is not None and s.lede.of(text) == "De eerste alinea."
    assert [p.of(text) for p in s.paragraphs] == ["De eerste alinea.", "De tweede alinea."]


def test_structure_title_not_in_text_gives_no_title_span() -> None:
    text = "De eerste alinea.\n\nDe tweede alinea."
    s = parse_structure(text, title="Een andere kop")
    assert s.title is None and s.lede is None and len(s.paragraphs) == 2


def test_structure_reference_variants_and_crlf_free_offsets() -> None:
    text = "Alinea een.\n\nLees ook:Eerder stuk\nZie ook: Nog een stuk  \n\nLEES MEER: Derde\n\nSlot."
    s = parse_structure(text)
    assert [r.text for r in s.references] == ["Eerder stuk", "Nog een stuk", "Derde"]
    assert all(text[r.start:r.end] == r.text for r in s.references)
    assert [p.of(text) for p in s.paragraphs] == ["Alinea een.", "Slot."]


def test_structure_lees_ook_inside_a_sentence_is_not_a_reference() -> None:
    text = "Hij zei: lees ook: de krant van morgen.\n\nSlot."
    assert parse_structure(text).references == []

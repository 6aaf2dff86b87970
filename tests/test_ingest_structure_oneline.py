"""The one-pass structure parser against a plain regular-expression statement of the same rules."""

from __future__ import annotations

import json
import re

from conftest import ALPINO_JSONL, SEED
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kroniek.archive import structure_json
from kroniek.ingest.readers import read_path
from kroniek.ingest.structure import SUBHEADING_MAX_CHARS, layout, layout_json, looks_like_heading, parse_structure
from kroniek.model import RawArticle

# The rules as regular expressions over the whole text: slower, but short enough to read as the specification.
_REFERENCE = re.compile(r"(?im)^[ \t]*(lees ook|lees meer|lees verder|zie ook|ook interessant|meer over dit onderwerp)"
                        r"[ \t]*:[ \t]*(\S.*?)[ \t]*$")
_PARAGRAPH = re.compile(r"\S[^\n]*(?:\n[ \t]*\S[^\n]*)*")


def spec(text: str, title: str | None = None) -> dict[str, object]:
    """The structure by the regular-expression statement of the rules, as `Structure.to_dict` lays it out."""
    refs = [{"start": m.start(2), "end": m.end(2), "text": m.group(2), "kind": "lees-ook"}
            for m in _REFERENCE.finditer(text)]
    paras = [(m.start(), m.start() + len(m.group().rstrip())) for m in _PARAGRAPH.finditer(text)]
    if refs:
        paras = [p for p in paras if not all(_REFERENCE.match(x) for x in text[p[0]:p[1]].split("\n"))]
    body, head = list(paras), None
    if body and title is not None and text[body[0][0]:body[0][1]].strip() == title.strip():
        head = body.pop(0)
    elif (title is None and len(body) > 1 and body[0][1] - body[0][0] <= SUBHEADING_MAX_CHARS
          and looks_like_heading(text[body[0][0]:body[0][1]])):
        head = body.pop(0)
    subs = [p for i, p in enumerate(body) if 0 < i < len(body) - 1 and p[1] - p[0] <= SUBHEADING_MAX_CHARS
            and looks_like_heading(text[p[0]:p[1]])]
    body = [p for p in body if p not in subs]

    def span(x: tuple[int, int] | None) -> dict[str, int] | None:
        return {"start": x[0], "end": x[1]} if x else None

    return {"paragraphs": [span(p) for p in body], "title": span(head),
            "lede": span(body[0]) if head is not None and body else None,
            "subheadings": [span(p) for p in subs], "references": refs}


# Lines built from the pieces the rules turn on: white space of several kinds, lead-ins, closing marks, capitals.
PIECES = ["\n", "\n\n", "\n\u00a0", "\n \f", "\n\t", " ", "\t", "\u00a0", "\f", "\r", "\v", "\u2028", "Lees ook:", "lees ook :", "ZIE OOK: ",
          "Meer over dit onderwerp:", "ook interessant:", "Het kabinet", "wil", "praten", ".", "?", ":", "“", "”",
          "‘", "’", "'", "Rusland", "1998", "x", "é", "Ééen", "À"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@example("Het kabinet wil.\n\u00a0praten.\n \tRusland", None)
@example("Titel\n\nLees ook: Rusland\n  zie ook:x \n\nHet kabinet wil praten.\n\nRusland", None)
@example("  Het kabinet\n\nRusland\n\nwil praten.\n\nLees ook:  x\t\r", "Het kabinet")
@given(texts, st.one_of(st.none(), st.sampled_from(["Het kabinet", " Rusland ", "x"])))
def test_structure_one_pass_equals_the_regular_expressions(text: str, title: str | None) -> None:
    expected = spec(text, title)
    assert parse_structure(text, title).to_dict() == expected
    assert json.loads(layout_json(layout(text, title))) == expected


def test_structure_one_pass_equals_the_regular_expressions_on_the_corpus(shared: object) -> None:
    arts = [a for a in [*read_path(SEED), *read_path(ALPINO_JSONL)] if isinstance(a, RawArticle)]
    assert len(arts) > 50
    for art in arts:
        expected = spec(art.text, art.title)
        assert json.loads(layout_json(layout(art.text, art.title))) == expected
        assert json.loads(structure_json(parse_structure(art.text, art.title))) == expected

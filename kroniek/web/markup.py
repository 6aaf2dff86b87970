"""Article text as escaped HTML with its annotations marked: entities, quotations with speakers, time expressions.

Annotations may nest (an entity inside a quotation) but spans that cross are clipped to the span they start in,
so the markup is always well formed. Every piece of article text passes through `html.escape`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from kroniek.model import EntityMention, Quote, TimeExpression

# Outer annotations first when two share a start and an end.
_RANK = {"quote": 0, "entity": 1, "timex": 2}


@dataclass
class Mark:
    """One annotation to draw over [start, end) of the text."""

    start: int
    end: int
    kind: str
    attrs: dict[str, str]
    label: str = ""
    label_href: str | None = None
    children: list[Mark] = field(default_factory=list)


@dataclass
class Links:
    """How the page links entities and speakers; kept outside so the module knows no routes."""

    entity: Callable[[str], str]
    speaker: Callable[[str], str]


def marks_for(entities: Iterable[EntityMention], quotes: Iterable[Quote], timexes: Iterable[TimeExpression],
              links: Links, said_by: str = "") -> list[Mark]:
    """The marks for an article's annotations."""
    marks: list[Mark] = []
    for q in quotes:
        speaker = q.speaker or q.speaker_mention
        attrs = {"class": f"quote quote-{q.kind}", "data-kind": q.kind}
        if speaker:
            attrs["data-speaker"] = speaker
            attrs["title"] = f"{said_by} {speaker}".strip()
        marks.append(Mark(q.start, q.end, "quote", attrs, label=speaker,
                          label_href=links.speaker(speaker) if speaker else None))
    for e in entities:
        name = e.canonical or e.text
        marks.append(Mark(e.start, e.end, "entity",
                          {"class": f"ent ent-{e.label}", "href": links.entity(name), "data-label": e.label,
                           "title": f"{name} ({e.label})"}))
    for t in timexes:
        marks.append(Mark(t.start, t.end, "timex",
                          {"class": f"timex timex-{t.type}", "data-value": t.value,
                           "title": f"{t.type} {t.value}"}, label=t.value))
    return marks


def nest(marks: Iterable[Mark], start: int, end: int) -> list[Mark]:
    """The marks that fall in [start, end) as a forest, clipped so that none crosses another."""
    inside = [Mark(max(m.start, start), min(m.end, end), m.kind, m.attrs, m.label, m.label_href)
              for m in marks if m.start < end and m.end > start and m.end > m.start]
    inside.sort(key=lambda m: (m.start, -m.end, _RANK.get(m.kind, 9)))
    roots: list[Mark] = []
    stack: list[Mark] = []
    for m in inside:
        while stack and stack[-1].end <= m.start:
            stack.pop()
        if stack:
            m.end = min(m.end, stack[-1].end)
            stack[-1].children.append(m)
        else:
            roots.append(m)
        stack.append(m)
    return roots


def render(text: str, marks: Iterable[Mark], start: int, end: int, *, links: bool = True) -> Markup:
    """The text in [start, end) as escaped HTML with the marks drawn.

    With `links=False` the marks are drawn without links (entities as spans, no speaker link), for text that the
    page places inside a link of its own: HTML has no link inside a link, and a browser would empty the outer one.
    """
    return Markup(_render(text, nest(marks, start, end), start, end, links))


def _render(text: str, marks: list[Mark], start: int, end: int, links: bool) -> str:
    out: list[str] = []
    pos = start
    for m in marks:
        out.append(escape(text[pos:m.start]))
        inner = _render(text, m.children, m.start, m.end, links)
        out.append(_wrap(m, inner, links))
        pos = m.end
    out.append(escape(text[pos:end]))
    return "".join(out)


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs.items())


def _wrap(m: Mark, inner: str, links: bool) -> str:
    if m.kind == "entity":
        if not links:
            return f"<span{_attrs({k: v for k, v in m.attrs.items() if k != 'href'})}>{inner}</span>"
        return f"<a{_attrs(m.attrs)}>{inner}</a>"
    if m.kind == "timex":
        return (f'<span{_attrs(m.attrs)}>{inner}<sup class="timex-value">{escape(m.label)}</sup></span>')
    if m.kind == "quote":
        tag = ""
        if m.label and links:
            href = f' href="{escape(m.label_href, quote=True)}"' if m.label_href else ""
            tag = f'<a class="speaker-tag"{href}>{escape(m.label)}</a>'
        elif m.label:
            tag = f'<span class="speaker-tag">{escape(m.label)}</span>'
        return f"<span{_attrs(m.attrs)}>{inner}</span>{tag}"
    return f"<span{_attrs(m.attrs)}>{inner}</span>"

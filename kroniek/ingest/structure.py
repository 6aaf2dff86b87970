"""The structure of an article as offsets into its text: paragraphs, title, lede, subheadings, references.

Paragraphs are separated by blank lines. A "Lees ook: ..." line (and its usual variants) is a reference to
another article, not body text. A subheading is a short one-line paragraph without closing punctuation that
starts with a capital (or a quotation mark), between two other paragraphs; quotation marks around it are
part of it, and punctuation inside them counts: ‘Nog niet vooruitlopen op onderhandelingen’ is a subheading,
“We mogen hoopvol zijn.” is not.

Ingest derives the structure of every article, so the parser makes one pass over the lines of the text and works
on (start, end) tuples; `Structure` objects and their JSON are built from those. The pass runs in C
(kroniek/ingest/_scan.c) where that module is built, else in Python (`_scan_python`), with the same output.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from kroniek.model import Reference, Span, Structure
from kroniek.native import optional_module

# Lead-ins of cross-reference lines in Dutch news sites; the reference text is what follows the colon.
_LEAD_WORDS = r"(lees ook|lees meer|lees verder|zie ook|ook interessant|meer over dit onderwerp)"
_REFERENCE = re.compile(r"(?im)^[ \t]*" + _LEAD_WORDS + r"[ \t]*:[ \t]*(\S.*?)[ \t]*$")
# The same, matched against one line (without its line end).
_REFERENCE_LINE = re.compile(r"(?i)[ \t]*" + _LEAD_WORDS + r"[ \t]*:[ \t]*(\S.*?)[ \t]*$")
# First two letters of the lead-ins, lower case: only lines that start with one of them can be references.
_LEAD_STARTS = frozenset({"le", "zi", "oo", "me"})
_QUOTES = "'\"‘’“”„‚«»‹›`´"
_CLOSING = ".!?:;,…"
SUBHEADING_MAX_CHARS = 90
SUBHEADING_MAX_WORDS = 12

Offsets = tuple[int, int]


class Layout(NamedTuple):
    """The structure of an article as plain offsets: what `Structure` holds, without its objects."""

    paragraphs: list[Offsets]
    title: Offsets | None
    lede: Offsets | None
    subheadings: list[Offsets]
    references: list[tuple[int, int, str]]


_native = optional_module("kroniek.ingest._scan")


def _scan(text: str) -> tuple[list[Offsets], list[tuple[int, int, str]]]:
    """The paragraphs (trimmed runs of non-blank lines) and the reference lines of `text`, in one pass."""
    if _native is None:
        return _scan_python(text)
    paras, candidates = _native.scan(text)
    refs: list[tuple[int, int, str]] = []
    for start, end in candidates:
        m = _REFERENCE_LINE.match(text, start, end)
        if m:
            refs.append((m.start(2), m.end(2), m.group(2)))
    return paras, refs


def _scan_python(text: str) -> tuple[list[Offsets], list[tuple[int, int, str]]]:
    """`_scan` in Python: the paragraphs (trimmed runs of non-blank lines) and the reference lines of `text`.

    A paragraph starts at a non-space character and runs on over the next lines that, after spaces and tabs,
    start with a non-space character; a line that opens with other white space (a no-break space, a form feed)
    starts a paragraph of its own at its first non-space character.
    """
    paras: list[Offsets] = []
    refs: list[tuple[int, int, str]] = []
    offset = 0
    # An empty line ends any paragraph, so the blocks between two line ends in a row are read one by one; most
    # are one line without white space at either end, a paragraph as it stands.
    for block in text.split("\n\n"):
        size = len(block)
        if block and "\n" not in block and not block[0].isspace() and not block[-1].isspace():
            paras.append((offset, offset + size))
            if block[:2].lower() in _LEAD_STARTS:
                _reference(block, offset, refs)
        elif block:
            _scan_lines(block, offset, paras, refs)
        offset += size + 2
    return paras, refs


def _reference(line: str, offset: int, refs: list[tuple[int, int, str]]) -> None:
    """Add the line at `offset` to `refs` when it is a reference line."""
    m = _REFERENCE_LINE.match(line)
    if m:
        refs.append((offset + m.start(2), offset + m.end(2), m.group(2)))


def _scan_lines(block: str, base: int, paras: list[Offsets], refs: list[tuple[int, int, str]]) -> None:
    """Add the paragraphs and references of `block`, which starts a line at offset `base`, line by line."""
    start = -1  # start of the open paragraph; -1 when there is none
    end = 0  # end of the open paragraph's last line, trailing white space trimmed
    offset = base
    for line in block.split("\n"):
        size = len(line)
        if line:
            body = line.lstrip(" \t")
            if start >= 0 and body and not body[0].isspace():
                end = offset + len(line.rstrip())
            else:
                if start >= 0:
                    paras.append((start, end))
                    start = -1
                rest = body.lstrip()
                if rest:
                    start = offset + size - len(rest)
                    end = offset + len(line.rstrip())
            if body[:2].lower() in _LEAD_STARTS:
                _reference(line, offset, refs)
        elif start >= 0:
            paras.append((start, end))
            start = -1
        offset += size + 1
    if start >= 0:
        paras.append((start, end))


def paragraphs(text: str) -> list[Span]:
    """The paragraphs of `text` (runs of non-blank lines), trimmed of surrounding whitespace."""
    return [Span(s, e) for s, e in _scan(text)[0]]


def references(text: str) -> list[Reference]:
    """The "Lees ook: ..." lines of `text`; each span covers the text after the lead-in."""
    return [Reference(s, e, t) for s, e, t in _scan(text)[1]]


def looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation (inside any quotation marks) that starts with a capital."""
    if "\n" in line or len(line) > SUBHEADING_MAX_CHARS or len(line.split()) > SUBHEADING_MAX_WORDS:
        return False
    core = line.strip().strip(_QUOTES).strip()
    if not core or core[-1] in _CLOSING:
        return False
    first = core[0]
    return first.isupper() or first.isdigit()


def _heading(text: str, span: Offsets) -> bool:
    start, end = span
    return end - start <= SUBHEADING_MAX_CHARS and looks_like_heading(text[start:end])


def layout(text: str, title: str | None = None) -> Layout:
    """The structure of an article as offsets; `title` is the title the input gives, which may or may not open it."""
    paras, refs = _scan(text)
    if refs:
        # a "Lees ook" paragraph is a reference, not body text (its first line opens with a lead-in)
        paras = [p for p in paras if text[p[0]:p[0] + 2].lower() not in _LEAD_STARTS
                 or not all(_REFERENCE.match(line) for line in text[p[0]:p[1]].split("\n"))]
    body = paras
    title_span: Offsets | None = None
    if body and title is not None and text[body[0][0]:body[0][1]].strip() == title.strip():
        title_span, body = body[0], body[1:]
    elif title is None and len(body) > 1 and _heading(text, body[0]):
        # a dated-line article that opens with a heading line: its title
        title_span, body = body[0], body[1:]
    last = len(body) - 1
    heads = [i for i in range(1, last)
             if body[i][1] - body[i][0] <= SUBHEADING_MAX_CHARS and looks_like_heading(text[body[i][0]:body[i][1]])]
    if heads:
        subheadings = [body[i] for i in heads]
        chosen = set(heads)
        body = [p for i, p in enumerate(body) if i not in chosen]
    else:
        subheadings = []
    lede = body[0] if title_span is not None and body else None
    return Layout(body, title_span, lede, subheadings, refs)


def parse_structure(text: str, title: str | None = None) -> Structure:
    """The structure of an article; `title` is the title the input gives, which may or may not open the text."""
    found = layout(text, title)

    def span(x: Offsets | None) -> Span | None:
        return Span(*x) if x is not None else None

    return Structure(paragraphs=[Span(s, e) for s, e in found.paragraphs], title=span(found.title),
                     lede=span(found.lede), subheadings=[Span(s, e) for s, e in found.subheadings],
                     references=[Reference(s, e, t) for s, e, t in found.references])


def _spans_json(spans: list[Offsets]) -> str:
    return "[" + ", ".join([f'{{"start": {s}, "end": {e}}}' for s, e in spans]) + "]"


def _span_json(span: Offsets | None) -> str:
    return "null" if span is None else f'{{"start": {span[0]}, "end": {span[1]}}}'


def layout_json(found: Layout) -> str:
    """The JSON of a layout, the same document as `Structure.to_dict` gives, written directly (ingest stores it)."""
    refs = ", ".join(f'{{"start": {s}, "end": {e}, "text": {json.dumps(t, ensure_ascii=False)}, "kind": "lees-ook"}}'
                     for s, e, t in found.references)
    return (f'{{"paragraphs": {_spans_json(found.paragraphs)}, "title": {_span_json(found.title)}, '
            f'"lede": {_span_json(found.lede)}, "subheadings": {_spans_json(found.subheadings)}, '
            f'"references": [{refs}]}}')

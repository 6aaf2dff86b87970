"""The structure of an article as offsets into its text: paragraphs, title, lede, subheadings, references.

Paragraphs are separated by blank lines. A "Lees ook: ..." line (and its usual variants) is a reference to
another article, not body text. A subheading is a short one-line paragraph without closing punctuation that
starts with a capital (or a quotation mark), between two other paragraphs; quotation marks around it are
part of it, and punctuation inside them counts: ‘Nog niet vooruitlopen op onderhandelingen’ is a subheading,
“We mogen hoopvol zijn.” is not.
"""

from __future__ import annotations

import re

from kroniek.model import Reference, Span, Structure

# Lead-ins of cross-reference lines in Dutch news sites; the reference text is what follows the colon.
_REFERENCE = re.compile(r"(?im)^[ \t]*(lees ook|lees meer|lees verder|zie ook|ook interessant|meer over dit onderwerp)"
                        r"[ \t]*:[ \t]*(\S.*?)[ \t]*$")
# A paragraph starts at a non-space character and runs over lines that are not blank.
_PARAGRAPH = re.compile(r"\S[^\n]*(?:\n[ \t]*\S[^\n]*)*")
_LEADS = ("lees ook", "lees meer", "lees verder", "zie ook", "ook interessant", "meer over dit onderwerp")
_QUOTES = "'\"‘’“”„‚«»‹›`´"
_CLOSING = ".!?:;,…"
SUBHEADING_MAX_CHARS = 90
SUBHEADING_MAX_WORDS = 12


def paragraphs(text: str) -> list[Span]:
    """The paragraphs of `text` (runs of non-blank lines), trimmed of surrounding whitespace."""
    out = []
    for m in _PARAGRAPH.finditer(text):
        block = m.group()
        out.append(Span(m.start(), m.start() + len(block.rstrip())))
    return out


def references(text: str) -> list[Reference]:
    """The "Lees ook: ..." lines of `text`; each span covers the text after the lead-in."""
    low = text.lower()
    if not any(lead in low for lead in _LEADS):
        return []
    return [Reference(m.start(2), m.end(2), m.group(2)) for m in _REFERENCE.finditer(text)]


def looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation (inside any quotation marks) that starts with a capital."""
    if "\n" in line or len(line) > SUBHEADING_MAX_CHARS or len(line.split()) > SUBHEADING_MAX_WORDS:
        return False
    core = line.strip().strip(_QUOTES).strip()
    if not core or core[-1] in _CLOSING:
        return False
    first = core[0]
    return first.isupper() or first.isdigit()


def parse_structure(text: str, title: str | None = None) -> Structure:
    """The structure of an article; `title` is the title the input gives, which may or may not open the text."""
    refs = references(text)
    paras: list[Span] = []
    for p in paragraphs(text):
        if refs and all(_REFERENCE.match(line) for line in p.of(text).split("\n")):
            continue  # a "Lees ook" paragraph is a reference, not body text
        paras.append(p)

    structure = Structure(references=refs)
    body = list(paras)
    if body and title is not None and body[0].of(text).strip() == title.strip():
        structure.title = body.pop(0)
    elif (title is None and len(body) > 1 and body[0].end - body[0].start <= SUBHEADING_MAX_CHARS
          and looks_like_heading(body[0].of(text))):
        # a dated-line article that opens with a heading line: its title
        structure.title = body.pop(0)
    subheadings = [p for i, p in enumerate(body)
                   if 0 < i < len(body) - 1 and p.end - p.start <= SUBHEADING_MAX_CHARS
                   and looks_like_heading(p.of(text))]
    structure.subheadings = subheadings
    heads = set(subheadings)
    structure.paragraphs = [p for p in body if p not in heads]
    if structure.title is not None and structure.paragraphs:
        structure.lede = structure.paragraphs[0]
    return structure

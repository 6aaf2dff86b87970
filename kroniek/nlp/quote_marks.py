"""Quotation marks and sentences for the quotation finder.

`find_quote_pairs` pairs quotation marks in every style Dutch news uses (“…”, ,,…'', "…", „…”, ‘…’, '…', «…»),
telling apostrophes (z'n, van 't Hof, Women's) from single marks; `paragraphs_of` gives the paragraphs a
quotation may run through. Sentences come from `kroniek.nlp.sentences.split_sentences`, which keeps each pair
found here whole, so a quotation and its attribution stay in one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kroniek.model import Structure

# ",," takes the last two of three commas ("gisteren,,,maar"); "''" is the old-style closing mark.
_MARK_RE = re.compile(r",,(?!,)|''|[„“”‘’«»\"'‚]")
_OPEN_ONLY = {",,", "„", "«", "‚"}
_CLOSE_ONLY = {"''", "»", "”"}
_DOUBLE = {",,", "„", "«", "“", "”", "''", "»", '"'}
_CLITIC_RE = re.compile(r"['’](?:t|s|n|k|m|ie|r|em|er)\b|['’]\d\d\b")


@dataclass(frozen=True)
class QuotePair:
    """A pair of quotation marks: the marks' offsets and the content between them, stripped of spaces."""

    open_start: int
    open_end: int
    close_start: int
    close_end: int
    start: int
    end: int


def _can_open(text: str, i: int, mark: str) -> bool:
    after = text[i + len(mark):i + len(mark) + 1]
    before = text[i - 1:i] if i else ""
    if mark in _OPEN_ONLY:
        return True
    if mark in _CLOSE_ONLY:
        return False
    if mark in {"'", "’"} and (_CLITIC_RE.match(text, i) and (not before or not before.isalnum())):
        return False
    if before.isalnum():
        return False
    return bool(after) and not after.isspace()


def _can_close(text: str, i: int, mark: str) -> bool:
    before = text[i - 1:i] if i else ""
    after = text[i + len(mark):i + len(mark) + 1]
    if mark in _OPEN_ONLY:
        return False
    if mark in {"'", "’"} and before.isalnum() and after.isalnum():
        return False  # an apostrophe inside a word: z'n, Women's
    if mark in _CLOSE_ONLY or mark == "“":
        return True
    return bool(before) and not before.isspace()


def find_quote_pairs(text: str) -> list[QuotePair]:
    """Pairs of quotation marks, double-mark styles first, then single marks outside them; never across a paragraph."""
    marks = [(m.start(), m.group()) for m in _MARK_RE.finditer(text)]
    pairs: list[QuotePair] = []
    for family in (_DOUBLE, None):
        open_at: tuple[int, str] | None = None
        for pos, mark in marks:
            if (family is not None) != (mark in _DOUBLE):
                continue
            if family is None and any(p.open_start < pos < p.close_end for p in pairs):
                continue
            if open_at is not None and "\n\n" in text[open_at[0]:pos]:
                # a quotation that runs on into the next paragraph is closed only there; each paragraph it spans
                # opens with a mark again, so this paragraph's part ends with the paragraph
                para_end = text.index("\n\n", open_at[0])
                if text[para_end:pos].strip() == "" and _can_open(text, pos, mark):
                    pairs.append(_pair(text, open_at, para_end, 0))
                open_at = None
            if open_at is None:
                if _can_open(text, pos, mark):
                    open_at = (pos, mark)
                continue
            if _can_close(text, pos, mark) and not (mark in {"'", "’"} and _is_apostrophe(text, pos)):
                pair = _pair(text, open_at, pos, len(mark))
                if pair.end > pair.start:
                    pairs.append(pair)
                open_at = None
            elif _can_open(text, pos, mark) and mark in _OPEN_ONLY:
                open_at = (pos, mark)
    return sorted(pairs, key=lambda p: p.open_start)


def _pair(text: str, open_at: tuple[int, str], close: int, close_len: int) -> QuotePair:
    """The pair from an opening mark to a closing mark at `close`, its content stripped of spaces."""
    o_pos, o_mark = open_at
    inner_s, inner_e = o_pos + len(o_mark), close
    inner = text[inner_s:inner_e]
    s = inner_s + (len(inner) - len(inner.lstrip()))
    e = inner_e - (len(inner) - len(inner.rstrip()))
    return QuotePair(o_pos, inner_s, close, close + close_len, s, max(s, e))


def _is_apostrophe(text: str, i: int) -> bool:
    before = text[i - 1:i] if i else ""
    after = text[i + 1:i + 2]
    return before.isalnum() and after.isalnum()


def paragraphs_of(text: str, structure: Structure | None = None) -> list[tuple[int, int]]:
    """Paragraph spans: from the article structure when there is one, else blocks between blank lines."""
    if structure is not None and structure.paragraphs:
        return [(p.start, p.end) for p in structure.paragraphs]
    out = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        if m.group().strip():
            out.append((m.start(), m.end()))
    return out

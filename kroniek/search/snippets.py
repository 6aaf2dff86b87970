"""Snippets: the stretch of an article where the query matched, HTML-escaped, with matched words in <mark>."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Words as tantivy's simple tokenizer sees them: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Highlighter:
    """Marks the words of a text that a query matched: by indexed (lowercased, folded) form, or by prefix."""

    exact: set[str] = field(default_factory=set)
    prefixes: tuple[str, ...] = ()
    # word -> its indexed tokens; the analyzer comes from the index, so the forms agree with it
    analyze: Callable[[str], tuple[str, ...]] | None = None

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def matches(self, text: str) -> list[tuple[int, int]]:
        """Character ranges of the matched words in `text`, in order."""
        if not self or self.analyze is None:
            return []
        exact, prefixes, forms_of = self.exact, self.prefixes, self.analyze
        out: list[tuple[int, int]] = []
        for m in _WORD.finditer(text):
            for form in forms_of(m.group()):
                if form in exact or (prefixes and form.startswith(prefixes)):
                    out.append(m.span())
                    break
        return out

    def mark(self, text: str) -> str:
        """The whole text, escaped, with every match marked (for titles)."""
        return _render(text, 0, len(text), self.matches(text))

    def snippet(self, text: str, max_chars: int = 220) -> str:
        """The best window of `text` around the matches, escaped and marked; the opening when nothing matched."""
        spans = self.matches(text)
        if len(text) <= max_chars:
            return _render(text, 0, len(text), spans)
        if not spans:
            end = _word_end(text, max_chars)
            return _render(text, 0, end, []) + " …"
        # The window holding the most distinct matched words, starting a little before its first match.
        best_start, best_score = spans[0][0], -1
        j = 0
        for i, (s, _) in enumerate(spans):
            j = max(j, i)
            while j + 1 < len(spans) and spans[j + 1][1] <= s + max_chars - 40:
                j += 1
            score = len({text[a:b].lower() for a, b in spans[i:j + 1]}) * 10 + (j - i)
            if score > best_score:
                best_start, best_score = s, score
        return self._window(text, best_start, max_chars, spans)

    def snippet_at(self, text: str, anchor: int, max_chars: int = 220) -> str:
        """The window of `text` around character `anchor` (where the index found the best fragment), marked.

        Only the window is scanned for matches, so this stays cheap on long articles.
        """
        if len(text) <= max_chars:
            return _render(text, 0, len(text), self.matches(text))
        return self._window(text, anchor, max_chars, None)

    def _window(self, text: str, anchor: int, max_chars: int, spans: list[tuple[int, int]] | None) -> str:
        start = _word_start(text, max(0, anchor - 40))
        end = _word_end(text, min(len(text), start + max_chars))
        if spans is None:
            inside = [(a + start, b + start) for a, b in self.matches(text[start:end])]
        else:
            inside = [sp for sp in spans if sp[0] >= start and sp[1] <= end]
        body = _render(text, start, end, inside)
        return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


def render_fragment(fragment: str, byte_spans: list[tuple[int, int]], cut_before: bool, cut_after: bool) -> str:
    """A fragment with its marked byte ranges as escaped HTML with <mark>, with … where the text goes on."""
    raw = fragment.encode("utf-8")
    parts: list[str] = []
    pos = 0
    for a, b in sorted(byte_spans):
        if a < pos:
            continue
        parts.append(html.escape(raw[pos:a].decode("utf-8", errors="ignore")))
        parts.append("<mark>" + html.escape(raw[a:b].decode("utf-8", errors="ignore")) + "</mark>")
        pos = b
    parts.append(html.escape(raw[pos:].decode("utf-8", errors="ignore")))
    body = " ".join("".join(parts).split())
    return ("… " if cut_before else "") + body + (" …" if cut_after else "")


def _word_start(text: str, i: int) -> int:
    """Move `i` forward to the start of a word, unless it already is one."""
    if i <= 0:
        return 0
    if not text[i - 1].isspace():
        nxt = text.find(" ", i)
        if 0 <= nxt < i + 30:
            return nxt + 1
    return i


def _word_end(text: str, i: int) -> int:
    """Move `i` back to the end of a word, unless it is at the end of the text."""
    if i >= len(text):
        return len(text)
    prev = text.rfind(" ", 0, i)
    return prev if prev > i - 30 and prev > 0 else i


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """Escape text[start:end], wrapping each span in <mark>; newlines become spaces."""
    parts: list[str] = []
    pos = start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts.append(html.escape(text[pos:a]))
        parts.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    parts.append(html.escape(text[pos:end]))
    return " ".join("".join(parts).split())


_MARKED = re.compile(r"<mark>(.*?)</mark>", re.S)


def segments(snippet_html: str) -> list[tuple[str, bool]]:
    """A snippet's HTML as plain-text pieces, each flagged when it was marked (for terminals and plain exports)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _MARKED.finditer(snippet_html):
        if m.start() > pos:
            out.append((html.unescape(snippet_html[pos:m.start()]), False))
        out.append((html.unescape(m.group(1)), True))
        pos = m.end()
    if pos < len(snippet_html):
        out.append((html.unescape(snippet_html[pos:]), False))
    return out

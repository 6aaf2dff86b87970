"""Snippets: the stretch of an article where the query matched, HTML-escaped, with matched words in <mark>."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
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
    # phrases of the query (their words are in `exact` too, so that the index finds the fragment): a word that
    # the query holds only inside phrases is marked only where the whole phrase stands
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    words: set[str] = field(default_factory=set)  # forms the query holds on their own

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def add_phrase(self, tokens: tuple[str, ...] | list[str]) -> None:
        """Mark these words where they stand together, in this order."""
        self.exact.update(tokens)
        if len(tokens) == 1:
            self.words.add(tokens[0])
        elif tuple(tokens) not in self.phrases:
            self.phrases.append(tuple(tokens))

    def add_words(self, forms: Iterable[str]) -> None:
        """Mark these forms wherever they occur."""
        forms = set(forms)
        self.exact.update(forms)
        self.words.update(forms)

    def keep(self, text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
        """Of the matched (start, end, form) in `text`, in order, those to mark: words the query holds on their
        own or by prefix everywhere, words of its phrases only inside a whole phrase."""
        if not self.phrases:
            return [(a, b) for a, b, _ in found]
        keep = [f in self.words or bool(self.prefixes and f.startswith(self.prefixes)) for _, _, f in found]
        forms = [f for _, _, f in found]
        for phrase in self.phrases:
            k = len(phrase)
            for i in range(len(found) - k + 1):
                if tuple(forms[i:i + k]) == phrase and all(
                        not _WORD.search(text, found[j][1], found[j + 1][0]) for j in range(i, i + k - 1)):
                    for j in range(i, i + k):
                        keep[j] = True
        return [(a, b) for (a, b, _), k in zip(found, keep, strict=True) if k]

    def phrase_at(self, text: str) -> int | None:
        """Where one of the phrases stands in `text` as written (case aside), or None: a quick look for a snippet,
        not a match (accents must agree here)."""
        best: int | None = None
        for phrase in self.phrases:
            m = re.search(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in phrase) + r"(?![^\W_])", text,
                          re.IGNORECASE)
            if m and (best is None or m.start() < best):
                best = m.start()
        return best

    def keep_fragment(self, fragment: str, byte_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """`keep` for the byte ranges the index marked in a fragment."""
        if not self.phrases or self.analyze is None:
            return byte_spans
        raw = fragment.encode("utf-8")
        found: list[tuple[int, int, str]] = []
        chars: list[tuple[int, int]] = []
        for a, b in sorted(byte_spans):
            ca = len(raw[:a].decode("utf-8", errors="ignore"))
            cb = ca + len(raw[a:b].decode("utf-8", errors="ignore"))
            forms = self.analyze(fragment[ca:cb])
            found.append((ca, cb, forms[0] if forms else ""))
            chars.append((a, b))
        kept = set(self.keep(fragment, found))
        return [byte for byte, (ca, cb, _) in zip(chars, found, strict=True) if (ca, cb) in kept]

    def matches(self, text: str) -> list[tuple[int, int]]:
        """Character ranges of the matched words in `text`, in order."""
        if not self or self.analyze is None:
            return []
        exact, prefixes, forms_of = self.exact, self.prefixes, self.analyze
        out: list[tuple[int, int, str]] = []
        for m in _WORD.finditer(text):
            for form in forms_of(m.group()):
                if form in exact or (prefixes and form.startswith(prefixes)):
                    out.append((m.start(), m.end(), form))
                    break
        return self.keep(text, out)

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
            # a little beyond the window, so that a phrase cut by its edge is still seen whole
            lo, hi = max(0, start - 60), min(len(text), end + 60)
            inside = [(a + lo, b + lo) for a, b in self.matches(text[lo:hi]) if a + lo >= start and b + lo <= end]
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

"""Dutch time expressions: find them, normalise them against the article date, and a spaCy component that does both.

`find_timexes` is the pure core (text, article date and sentence bounds in; `TimeExpression`s out). The component
"kroniek_timex" reads `doc._.dct` and the sentences (from the trained model or a sentencizer; without either, a
the plain-text splitter of `sentences`), uses past-tense tags where a tagger set them, and writes `doc._.timexes`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from datetime import date

from spacy.attrs import IDX, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from kroniek.model import ArticleDate, TimeExpression
from kroniek.nlp import extensions
from kroniek.nlp import timex_normalise as tn
from kroniek.nlp import timex_rules as tr
from kroniek.nlp.extensions import doc_text
from kroniek.nlp.sentences import sentence_bounds, split_sentences

__all__ = ["find_timexes", "value_range", "TimexComponent"]


def value_range(value: str) -> tuple[date, date] | None:
    """The calendar period a TIMEX3 value denotes (first day, last day), or None; see timex_normalise."""
    return tn.value_range(value)


def find_timexes(text: str, dct: ArticleDate | None, sentences: Iterable[tuple[int, int]] | None = None,
                 past_words: set[int] | None = None, present_words: set[int] | None = None) -> list[TimeExpression]:
    """All time expressions in a text, in text order, normalised against the article date `dct`.

    `sentences` are (start, end) offsets (default: `split_sentences`); `past_words` and `present_words`
    optionally hold the start offsets of words known to be past or present finite verbs (from a tagger or the
    lemmas, see `TimexComponent`).
    """
    bounds = sorted(sentences) if sentences is not None else split_sentences(text)
    if not bounds:
        bounds = [(0, len(text))]
    anchor = tn.Anchor.of(dct)
    cues: dict[int, tuple[list[tn.Cue], list[tuple[int, bool]]]] = {}

    def sentence_of(pos: int) -> tuple[int, int]:
        lo, hi = 0, len(bounds) - 1
        while lo < hi:  # the last sentence that starts at or before pos
            mid = (lo + hi + 1) // 2
            if bounds[mid][0] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return bounds[lo]

    def direction(pos: int) -> tn.Direction:
        s, e = sentence_of(pos)
        if s not in cues:
            cues[s] = (tn.tense_cues(text[s:e], s, past_words, present_words), tn.clause_starts(text[s:e], s))
        return tn.direction_at(cues[s][0], pos, cues[s][1])

    ctx = tr.Context(text, anchor, direction)
    candidates: list[tuple[int, int, int, list[tr.Found]]] = []
    for order, (_name, _pattern, build), matches in zip(itertools.count(), tr.rules(), _scanner().scan(text)):
        for m in matches:
            found = build(m, ctx)
            if found:
                candidates.append((m.start(), m.end(), order, found))
    # Longest match first; among equals the earlier rule; then keep what does not overlap a kept match.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken: list[tuple[int, int]] = []
    kept: list[tr.Found] = []
    for start, end, _order, found in candidates:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        kept.extend(f for f in found if f.end > f.start)
    kept.sort(key=lambda f: f.start)
    _fill_days(kept, anchor, text)
    out = []
    for f in kept:
        s, e = sentence_of(f.start)
        out.append(TimeExpression(f.start, f.end, text[f.start:f.end], f.type, f.value, s, e,
                                  period=tn.value_range(f.value)))
    return out


class _Scanner:
    """Every rule's matches, as `finditer` would give them, trying each rule only where a match can start.

    Most rules match only at a word start (`timex_rules.B`) and only with a few first characters. One pass finds
    the word starts whose character some rule can begin with; each rule is then tried (`match`) only at the starts
    whose first three characters fit it (`timex_rules.word_start_prefix`; the first two where the text ends
    sooner or the rule's three are not known) and whose first six fit it as well, where the text has six there
    (a sharper test: "de maand" and "de minister" share their first three characters, not their first six).
    Both tests only pass over starts where the rule cannot match, so skipping starts inside its previous match,
    as `finditer` does, is unchanged. Rules without a known first character fall back to `finditer`. The regex
    engine no longer walks every rule over every character of the text, nor tries a rule at every word that merely
    shares its first letters.
    """

    KEY = 3  # characters at a word start that choose the rules tried there
    LONG = 6  # characters at a word start that narrow that choice, where the text has them
    MAX_STARTS = 200_000  # the cache of word starts seen is emptied when it grows past this many

    def __init__(self, rules: list[tuple[str, re.Pattern[str], tr.Builder]]) -> None:
        self.patterns = [pattern for _name, pattern, _build in rules]
        classes = [tr.word_start_classes(name) for name, _pattern, _build in rules]
        self.classed = [(i, re.compile(c[1], re.IGNORECASE)) for i, c in enumerate(classes) if c is not None]
        self.prefixed = [(i, re.compile(p, re.IGNORECASE) if (p := tr.word_start_prefix(name)) else two)
                         for (i, two), (name, _pattern, _build) in zip(self.classed,
                                                                       (rules[i] for i, _ in self.classed),
                                                                       strict=True)]
        self.long = {i: re.compile(p, re.IGNORECASE) for i, _ in self.classed
                     if (p := tr.word_start_prefix(rules[i][0], self.LONG))}
        union = "|".join(c[0] for c in classes if c is not None) or "(?!)"
        self.starts = re.compile(rf"{tr.B}(?:{union})", re.IGNORECASE)
        self.free = [i for i, c in enumerate(classes) if c is None]
        self.by_key: dict[str, list[int]] = {}  # the first KEY characters at a start -> the rules they allow
        self.by_start: dict[str, list[int]] = {}  # the characters at a start (up to LONG) -> the rules tried there

    def _rules_at(self, key: str) -> list[int]:
        if len(key) < self.KEY:  # near the end of the text: the first two characters decide
            return [i for i, cls in self.classed if cls.match(key)]
        head = key[:self.KEY]
        ids = self.by_key.get(head)
        if ids is None:
            ids = self.by_key[head] = [i for i, cls in self.prefixed if cls.match(head)]
        if len(key) < self.LONG:
            return ids
        long = self.long
        return [i for i in ids if (cls := long.get(i)) is None or cls.match(key)]

    def scan(self, text: str) -> list[list[re.Match[str]]]:
        """Per rule, in rule order, its non-overlapping matches in text order."""
        at: list[list[int]] = [[] for _ in self.patterns]
        by_start = self.by_start
        if len(by_start) > self.MAX_STARTS:
            by_start.clear()
        size = self.LONG
        for m in self.starts.finditer(text):
            pos = m.start()
            key = text[pos:pos + size]
            ids = by_start.get(key)
            if ids is None:
                ids = by_start[key] = self._rules_at(key)
            for i in ids:
                at[i].append(pos)
        out: list[list[re.Match[str]]] = []
        for i, pattern in enumerate(self.patterns):
            found: list[re.Match[str]] = []
            end = 0
            match = pattern.match
            for pos in at[i]:
                if pos >= end and (hit := match(text, pos)) is not None:
                    found.append(hit)
                    end = hit.end()
            out.append(found)
        for i in self.free:
            out[i] = list(self.patterns[i].finditer(text))
        return out


@functools.cache
def _scanner() -> _Scanner:
    return _Scanner(tr.rules())


def _fill_days(found: list[tr.Found], anchor: tn.Anchor, text: str) -> None:
    """Give clock times and bare parts of the day the day named before them in the paragraph, else the DCT's day.

    Small hours after a night ("de nacht van zaterdag op zondag ... rond 0.30 uur") fall on the next day.
    """
    last: tr.Found | None = None
    for f in found:
        if tr.DAY_SLOT in f.value:
            prev = last if last is not None and "\n\n" not in text[last.end:f.start] else None
            day = anchor.day_offset(0)
            if prev is not None:
                day = prev.value[:10]
                clock = re.search(r"T(\d\d):", f.value)
                prev_day = tn.parse_day(prev.value)
                if prev.value.endswith("TNI") and clock and int(clock[1]) < 12 and prev_day:
                    day = (prev_day + tn.dt.timedelta(days=1)).isoformat()
            f.value = f.value.replace(tr.DAY_SLOT, day)
        elif re.match(r"^\d{4}-\d{2}-(\d{2}|XX)", f.value):
            last = f


def _past_word_offsets(doc: Doc) -> set[int] | None:
    if not doc.has_annotation("MORPH"):
        return None
    return {t.idx for t in doc if "Past" in t.morph.get("Tense", [])}


_VERB_TENSE: dict[tuple[int, int], tn.Direction | None] = {}  # (LOWER, LEMMA) hashes -> tn.verb_tense


def _lemma_tense_offsets(doc: Doc) -> tuple[set[int], set[int]] | None:
    """The offsets of the past and of the present finite verbs that the lemmas show (see `tn.verb_tense`), or
    None for a Doc without lemmas. Each pair of word and lemma is judged once per process."""
    if not len(doc) or not doc.has_annotation("LEMMA"):
        return None
    rows = doc.to_array([LOWER, LEMMA, IDX])
    rows = rows[rows[:, 0] != rows[:, 1]]  # a word that is its own lemma is no inflected verb
    strings = doc.vocab.strings
    past: set[int] = set()
    present: set[int] = set()
    cache = _VERB_TENSE
    for low, lemma, idx in rows.tolist():
        key = (low, lemma)
        kind = cache.get(key, "")
        if kind == "":
            kind = cache[key] = tn.verb_tense(strings[low], strings[lemma])
        if kind == "past":
            past.add(idx)
        elif kind == "present":
            present.add(idx)
    return past, present


class TimexComponent:
    """Finds and normalises the time expressions of a Doc against `doc._.dct`; writes `doc._.timexes`."""

    def __init__(self, nlp: Language, name: str = "kroniek_timex") -> None:
        self.name = name
        extensions.register()

    def __call__(self, doc: Doc) -> Doc:
        past = _past_word_offsets(doc)
        lemma_tense = _lemma_tense_offsets(doc)
        present = None
        if lemma_tense is not None:
            past = (past or set()) | lemma_tense[0]
            present = lemma_tense[1]
        doc._.timexes = find_timexes(doc_text(doc), doc._.dct, sentence_bounds(doc), past, present)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory("kroniek_timex", assigns=["doc._.timexes"], requires=[])
def make_timex_component(nlp: Language, name: str) -> TimexComponent:
    """Create the time-expression component."""
    return TimexComponent(nlp, name)

"""Quotations in Dutch news: who said what, with the speaker resolved to the article's canonical name.

The spaCy component "kroniek_quotes" finds, then writes:
1. `kroniek.nlp.quote_marks`: pairs of quotation marks in every style in use (“…”, ,,…'', "…", „…”, ‘…’, '…',
   «…»), and sentences that never break inside a quotation;
3. `find_quotations`: direct, partial and indirect quotations with their cue and speaker mention, then the
   speaker resolved (pronouns, roles, surnames, acronyms) by `kroniek.nlp.speakers.ArticleText`;
4. the component sets `doc._.quotes` to a list of `kroniek.model.Quote`.
The rules follow ../shared/eval/GUIDELINES.md; the cue words are in `kroniek.nlp.lang_nl.speech_verbs`.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from kroniek.model import Quote, Structure
from kroniek.nlp import extensions
from kroniek.nlp.extensions import doc_text
from kroniek.nlp.lang_nl import speaker_roles as roles
from kroniek.nlp.lang_nl.speech_verbs import (
    FINITE,
    MANNER_AFTER_QUOTE,
    NEEDS_PARTICLE,
    NOT_REPORTING,
    PARTICIPLES,
    PARTICLES,
    SOURCE_PREPOSITIONS,
    STATEMENT_NOUNS,
)
from kroniek.nlp.lang_nl.time_words import UNITS
from kroniek.nlp.quote_marks import QuotePair, find_quote_pairs, paragraphs_of
from kroniek.nlp.sentences import split_sentences
from kroniek.nlp.speakers import ArticleText, Mention, Word

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------------------------
# Finding quotations
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    """A quotation before its speaker is resolved."""

    start: int
    end: int
    kind: str
    cue: str = ""
    mention: Mention | None = None
    carried: bool = False


# Mentions that can be the speaker of a cue; "thing" (a name the article does not treat as a person) too, since
# countries and media speak ("Rusland ontkent", "zo meldde het NOS-journaal"), unless NER calls it MISC.
_SPEAKER_KINDS = {"name", "org", "pronoun", "role", "group", "description", "thing", "group_names"}
_PERSON_KINDS = {"name", "pronoun", "role"}
_RELATIVE_PRONOUNS = frozenset({"die", "dat", "wiens", "wier", "waarvan", "waarin", "waarmee", "waar", "wie"})
# Conjunctions and focus particles that may stand before the subject of a clause ("Zelfs de krant Bild vroeg").
_BEFORE_SUBJECT = frozenset({"maar", "en", "ook", "want", "dus", "toch", ",", "zelfs", "alleen", "vooral",
                             "juist", "slechts", "enkel"})
# Auxiliaries of an inverted perfect after a quotation ("…", had Garzelli geschreven).
_PERFECT_AUX = frozenset({"had", "heeft", "hadden", "hebben"})
_NOT_CUE_AFTER = {"en", "of", "maar", "want", "dat", "die", "de", "het", "een", "is", "was", "als", "in",
                  "op", "met", "voor", "van", "tot", "om", "ook", "nog", "zo"}


class _Finder:
    """Finds the quotations of one article."""

    def __init__(self, text: str, art: ArticleText, pairs: list[QuotePair], paragraphs: list[tuple[int, int]],
                 subheadings: list[tuple[int, int]]) -> None:
        self.text, self.art, self.pairs = text, art, pairs
        self.paragraphs = paragraphs
        self.subheadings = subheadings
        self.words = art.words
        self._only_dat = False
        # how many words before each word can carry indirect speech (see `_may_report`)
        self._cues_before = list(itertools.accumulate((w.lower in _CUE_WORDS for w in self.words), initial=0))

    # -- helpers ----------------------------------------------------------------------------------------------

    def sent_span(self, pos: int) -> tuple[int, int]:
        return self.art.sentences[self.art.sentence_of(pos)]

    def widx(self, pos: int) -> int:
        return self.art.word_index(pos)

    def word_list(self, start: int, end: int) -> list[Word]:
        return self.art.words_in(start, end)

    def subject_after(self, pos: int, end: int) -> Mention | None:
        """The first speaker-like mention after `pos` in the clause (the subject of an inverted cue)."""
        i = self.widx(pos)
        steps = 0
        while i < len(self.words) and self.words[i].start < end and steps < 8:
            w = self.words[i]
            if w.text in {".", "!", "?", ";"} or (w.text == "," and steps > 0):
                return None
            m = self.art.mention_at(i)
            if m is not None and m.kind in _SPEAKER_KINDS and m.end <= end:
                return self._joined_names(m, end)
            i += 1
            steps += 1
        return None

    def _joined_names(self, m: Mention, end: int) -> Mention:
        """Several people named as one subject ("zeggen Pieters en Bakker", "Smit, Jansen en De Vries vinden"): one
        mention of the names joined by commas and a final "en"; the mention itself otherwise."""
        if m.kind != "name":
            return m
        last = m
        k = self.widx(m.end)
        while k + 1 < len(self.words) and self.words[k].start < end and self.words[k].text in {",", "en"}:
            nxt = self.art.name_at(self.words[k + 1].start)
            if nxt is None or nxt.start != self.words[k + 1].start or nxt.kind != "name" or nxt.end > end:
                break
            joined_by = self.words[k].text
            last = nxt
            k = self.widx(nxt.end)
            if joined_by == "en":
                return Mention(m.start, last.end, self.text[m.start:last.end], "group_names")
        return m

    def subject_before(self, start: int, pos: int) -> Mention | None:
        """The subject of a clause that runs from `start` to the cue at `pos`, when the clause opens with it (a
        Dutch main clause with another first constituent has its subject after the verb)."""
        i = self.widx(start)
        while i < len(self.words) and self.words[i].lower in _BEFORE_SUBJECT:
            i += 1
        if i < len(self.words) and self.words[i].start < pos:
            m = self.art.mention_at(i, limit=self.widx(pos))
            if m is not None and m.kind in {"description", "role", "group"}:
                if any(w in UNITS for w in m.text.lower().split()):
                    return None  # "Een jaar later adviseerde haar vriend ...": a time, the subject follows the verb
                return self._apposed_names(m, pos) or m
            if m is not None and m.kind in _SPEAKER_KINDS:
                return self._joined_names(m, pos)
        return None

    def _apposed_names(self, m: Mention, pos: int) -> Mention | None:
        """The names set off by commas after a description ("Twee parlementsleden, Jan Van Dessel en Karel De
        Clercq, vinden ..."; "De ploegmaat van Pantani, Stefano Garzelli, liet ..."), as one mention."""
        j = self.widx(m.end)
        if j + 1 >= len(self.words) or self.words[j].text != ",":
            return None
        first = self.art.name_at(self.words[j + 1].start)
        if first is None or first.start != self.words[j + 1].start or first.kind != "name":
            return None
        last = first
        k = self.widx(first.end)
        if k + 1 < len(self.words) and self.words[k].lower == "en":
            nxt = self.art.name_at(self.words[k + 1].start)
            if nxt is not None and nxt.start == self.words[k + 1].start and nxt.kind == "name":
                last = nxt
                k = self.widx(nxt.end)
        if k >= len(self.words) or self.words[k].text != "," or self.words[k].start >= pos:
            return None
        if last is first:
            return first
        return Mention(first.start, last.end, self.text[first.start:last.end], "group_names")

    def speaker_from_context(self, q_start: int, q_end: int, prev: Found | None) -> tuple[Mention | None, bool]:
        """The speaker of a quotation without a cue: the previous speaker when nothing intervenes, else the
        first person in the sentence before, else the first person in the sentence after."""
        para = next(((s, e) for s, e in self.paragraphs if s <= q_start < e), (q_start, q_end))
        if any(s <= q_start and q_end <= e + 2 for s, e in self.subheadings) or self._is_heading(para, q_start, q_end):
            nxt = next(((s, e) for s, e in self.paragraphs if s >= para[1]), None)
            if nxt is not None:
                m = self.art.first_mention(nxt[0], nxt[1], {"name", "role"})
                if m is not None:
                    return m, False
        si = self.art.sentence_of(q_start)
        if prev is not None and prev.mention is not None and self._close(prev.end, q_start):
            # nothing but the previous quotation's own sentence in between: the same speaker goes on
            ps = self.art.sentence_of(max(prev.end - 1, 0))
            between = [self.art.sentences[k] for k in range(ps + 1, si)]
            if not between or all(self.art.first_mention(s, e, _PERSON_KINDS) is None for s, e in between):
                return prev.mention, True
        for k in range(si - 1, max(-1, si - 3), -1):
            s, e = self.art.sentences[k]
            if self._inside_pair(s, e):
                if prev is not None and prev.mention is not None and prev.end >= s:
                    return prev.mention, True
                continue
            m = self.art.first_mention(s, e, _PERSON_KINDS)
            if m is not None:
                return m, False
        if si + 1 < len(self.art.sentences):
            s, e = self.art.sentences[si + 1]
            m = self.art.first_mention(s, e, _PERSON_KINDS)
            if m is not None:
                return m, False
        return None, False

    def _is_heading(self, para: tuple[int, int], q_start: int, q_end: int) -> bool:
        """A paragraph that is nothing but a short quotation without final punctuation: a subheading."""
        body = self.text[para[0]:para[1]].strip()
        return len(body) <= q_end - q_start + 4 and body[-1:] not in ".!?" and len(body.split()) <= 12 \
            and para[0] > 0

    def _inside_pair(self, s: int, e: int) -> bool:
        return any(p.open_start <= s and e <= p.close_end + 1 for p in self.pairs)

    def _close(self, a: int, b: int) -> bool:
        """Whether two positions lie in the same or neighbouring paragraphs."""
        pa = next((i for i, (s, e) in enumerate(self.paragraphs) if s <= a <= e), None)
        pb = next((i for i, (s, e) in enumerate(self.paragraphs) if s <= b <= e), None)
        return pa is not None and pb is not None and pb - pa <= 1

    # -- direct and partial quotations ------------------------------------------------------------------------

    def quotations(self) -> list[Found]:
        out: list[Found] = []
        prev: Found | None = None
        last_pair: QuotePair | None = None
        for p in self.pairs:
            found = self._classify(p, prev, last_pair)
            last_pair = p
            if found is None:
                continue
            out.append(found)
            prev = found
        return out

    def _classify(self, p: QuotePair, prev: Found | None, last_pair: QuotePair | None) -> Found | None:
        text = self.text
        content = text[p.start:p.end]
        n_words = len(re.findall(r"\w+", content))
        if n_words == 0:
            return None
        ss, se = self.sent_span(p.open_start)
        before = text[ss:p.open_start]
        after = text[p.close_end:se]
        b = before.rstrip()
        after_s = after.lstrip()
        continues = (last_pair is not None and prev is not None and prev.end == last_pair.end
                     and b.endswith((",", ".")) and ss <= last_pair.open_start and prev.kind == "direct")
        starts = not b or b.endswith((":", ".", "!", "?")) or continues
        ends_clean = (not after_s or after_s[0] in ",.!?;" or after_s.startswith((",,", "“", "„"))
                      or content[-1:] in ".!?,")
        title_like = _title_like(content) or after_s.startswith("(")
        if starts and ends_clean and not (title_like and n_words <= 4 and not after_s.startswith(",")):
            return self._direct(p, before, after, prev, continues)
        if title_like:
            return None
        return self._partial(p, n_words, ss, se, prev)

    def _direct(self, p: QuotePair, before: str, after: str, prev: Found | None, continues: bool) -> Found | None:
        # 1. a cue right after the quotation: ”, zegt Blok. / '', aldus de woordvoerder / ?'' riep een priester
        cue, mention = self._cue_after(p, after)
        if mention is not None:
            return Found(p.start, p.end, "direct", cue, mention)
        # 2. an interrupted quotation: its second half has the speaker of the first
        if continues and prev is not None:
            return Found(p.start, p.end, "direct", prev.cue, prev.mention)
        # 3. a colon before it: "Blok: “...”", "Pastrana verklaarde: ...", "Met een knipoog naar het gravel: ..."
        b = before.rstrip()
        if b.endswith(":"):
            clause_start = p.open_start - len(before)
            colon = clause_start + len(b) - 1
            cue, mention = self._cue_before_colon(clause_start, colon)
            if mention is not None:
                return Found(p.start, p.end, "direct", cue, mention)
            ctx, carried = self.speaker_from_context(p.start, p.end, prev)
            return Found(p.start, p.end, "direct", ":", ctx, carried)
        # 4. no cue: the speaker the context makes clear
        ctx, carried = self.speaker_from_context(p.start, p.end, prev)
        if ctx is None and len(self.text[p.start:p.end].split()) <= 3:
            return None
        return Found(p.start, p.end, "direct", "", ctx, carried)

    def _cue_after(self, p: QuotePair, after: str) -> tuple[str, Mention | None]:
        m = re.match(r"\s*,?\s*(?:zo\s+)?", after)
        assert m is not None
        pos = p.close_end + m.end()
        had_comma = "," in m.group()
        i = self.widx(pos)
        if i >= len(self.words) or self.words[i].start != pos:
            return "", None
        w = self.words[i]
        se = self.sent_span(p.open_start)[1]
        if w.lower == "aldus" or w.lower == "volgens":
            subj = self.subject_after(w.end, se)
            return w.text, subj
        if not (had_comma or self.text[p.start:p.end][-1:] in ".!?,"):
            return "", None
        if not w.text[:1].islower() or w.lower in _NOT_CUE_AFTER or not w.text.isalpha():
            return "", None
        if w.lower in _PERFECT_AUX:
            cue, subj = self._perfect_after(w, se)
            if subj is not None:
                return cue, subj
        if not (w.lower in FINITE or w.lower in MANNER_AFTER_QUOTE or w.lower.endswith(("de", "te", "t"))):
            return "", None
        subj = self.subject_after(w.end, se)
        if subj is None:
            return "", None
        cue = w.text
        lemma = FINITE.get(w.lower)
        if lemma and lemma in PARTICLES:
            part = PARTICLES[lemma]
            if re.search(r"\b" + re.escape(part) + r"\b", self.text[subj.end:se]):
                cue = f"{w.text} {part}"
        return cue, subj

    def _perfect_after(self, aux: Word, se: int) -> tuple[str, Mention | None]:
        """An inverted perfect after the quotation: "…", had Garzelli op het blad geschreven / heeft de minister
        gezegd. The auxiliary, its subject, then a reporting participle before the sentence ends."""
        subj = self.subject_after(aux.end, se)
        if subj is None:
            return "", None
        k = self.widx(subj.end)
        while k < len(self.words) and self.words[k].start < se:
            x = self.words[k]
            if x.lower in PARTICIPLES and x.lower not in NOT_REPORTING:
                if PARTICIPLES[x.lower] in NEEDS_PARTICLE and not self._has_particle(PARTICIPLES[x.lower], aux.end, se):
                    return "", None
                return f"{aux.text} {x.text}", subj
            if x.text in {",", ";", ":"} or x.lower in {"dat", "en", "maar", "om"}:
                break
            k += 1
        return "", None

    def _cue_before_colon(self, start: int, colon: int) -> tuple[str, Mention | None]:
        clause = self.text[start:colon].strip()
        words = self.word_list(start, colon)
        if not words:
            return ":", None
        m0 = self.art.mention_at(self.widx(words[0].start), limit=self.widx(colon))
        if m0 is not None and m0.end >= words[-1].end and m0.kind in _SPEAKER_KINDS:
            return ":", m0  # "Van der Schans:" / "De Rooij:"
        for w in words:
            lemma = FINITE.get(w.lower) or PARTICIPLES.get(w.lower)
            if lemma and w.lower not in NOT_REPORTING:
                subj = self.subject_before(start, w.start) or self.subject_after(w.end, colon)
                if subj is not None:
                    return w.text, subj
        if clause and clause.split()[0].lower() in {"met", "na", "in", "op", "over", "bij"}:
            return ":", None
        subj = self.subject_before(start, colon)
        return ":", subj

    def _partial(self, p: QuotePair, n_words: int, ss: int, se: int, prev: Found | None) -> Found | None:
        """A quoted fragment in the reporter's sentence: partial when the sentence attributes it."""
        prev_word = re.findall(r"\w+", self.text[ss:p.open_start])[-1:]
        if n_words <= 2 and prev_word and prev_word[0].lower() in _WORD_MENTION_PREPS:
            return None  # a word talked about, not quoted: "bij 'priester' denken we aan 'man'"
        cue, mention = self._sentence_cue(ss, se, exclude=(p.open_start, p.close_end))
        if mention is not None:
            if n_words <= 2 and not self._cue_adjacent(p, cue):
                return None
            return Found(p.start, p.end, "partial", cue, mention)
        if n_words >= 3 and prev is not None and prev.mention is not None:
            si = self.art.sentence_of(p.start)
            ps = self.art.sentence_of(prev.end - 1)
            if si - ps == 1 and self._close(prev.end, p.start):
                return Found(p.start, p.end, "partial", "", prev.mention, True)
        return None

    def follow_ups(self, quoted: list[Found], indirect: list[Found]) -> list[Found]:
        """Quoted fragments without a cue of their own in the sentence right after an attributed one ("Volgens
        Maguire ... De kerk kan het 'grievende geweld tegen vrouwen', ja zelfs 'misbruik' niet volhouden"): partial
        quotations of that speaker. A fragment of three words or more opens such a run; shorter ones only follow it
        in the same sentence."""
        taken = {(f.start, f.end) for f in quoted}
        attributed = sorted((f for f in quoted + indirect if f.mention is not None), key=lambda f: f.start)
        out: list[Found] = []
        last: Found | None = None
        for p in self.pairs:
            if (p.start, p.end) in taken or (p.start, p.end) in {(f.start, f.end) for f in indirect}:
                continue
            content = self.text[p.start:p.end]
            n_words = len(re.findall(r"\w+", content))
            ss, se = self.sent_span(p.open_start)
            if not self.text[ss:p.open_start].strip() or _title_like(content):
                continue
            si = self.art.sentence_of(p.open_start)
            if last is not None and self.art.sentence_of(last.start) == si \
                    and len(re.findall(r"\w+", self.text[last.end:p.open_start])) <= 3:
                f = Found(p.start, p.end, "partial", "", last.mention, True)
            elif n_words >= 3:
                before = [f for f in attributed if self.art.sentence_of(f.start) == si - 1 and f.kind == "indirect"]
                if not before or not self._close(before[-1].end, p.start) or any(
                        self.art.sentence_of(f.start) == si for f in attributed):
                    continue
                f = Found(p.start, p.end, "partial", "", before[-1].mention, True)
            else:
                continue
            out.append(f)
            last = f
        return out

    def _cue_adjacent(self, p: QuotePair, cue: str) -> bool:
        """Whether the cue stands right after the closing mark or within a few words before the opening one."""
        first = cue.split()[0] if cue else ""
        if not first:
            return False
        after = re.match(r"[\s,]*(\w+)", self.text[p.close_end:])
        if after is not None and after.group(1) == first:
            return True
        before = re.findall(r"\w+", self.text[max(0, p.open_start - 40):p.open_start])[-4:]
        if first in before and (before[-1].lower() in {"dat", first.lower()} or before[-2:-1] == [first]):
            return True  # "zei dat 'nee'", "zei 'nee'", "kondigde gisteren 'een doorbraak' aan"
        if re.search(r"\b" + re.escape(first) + r"\b[^.!?;:“”„\"]{0,60}\bdat\b[^.!?;:“”„\"]{0,40}$",
                     self.text[max(0, p.open_start - 110):p.open_start]):
            return True  # inside the clause the cue reports: "zegt X nu dat het 'tijdelijke ongevallen' zijn"
        # "noemde de cijfers 'zorgwekkend'.": the quoted word closes the clause its cue opened
        return first in before and re.match(r"\s*(?:[.,;!?]|$)", self.text[p.close_end:]) is not None

    def _sentence_cue(self, ss: int, se: int, exclude: tuple[int, int] | None = None) -> tuple[str, Mention | None]:
        """A cue in the sentence with its speaker: "aldus X", "volgens X", or a reporting verb with a subject."""
        words = [w for w in self.word_list(ss, se) if not (exclude and exclude[0] <= w.start < exclude[1])]
        for w in words:
            if w.lower in {"aldus", "volgens"}:
                subj = self.subject_after(w.end, se)
                if subj is not None and _speaker_ok(subj, self.art):
                    return w.text, subj
        for w in words:
            lemma = FINITE.get(w.lower) or PARTICIPLES.get(w.lower)
            if not lemma or w.lower in NOT_REPORTING:
                continue
            if lemma in NEEDS_PARTICLE and not self._has_particle(lemma, w.end, se):
                continue
            subj = self.subject_before(ss, w.start) or self.subject_after(w.end, se)
            if subj is not None and _speaker_ok(subj, self.art):
                return w.text, subj
        for w in words:
            if w.lower in MANNER_AFTER_QUOTE and exclude is not None and self.widx(w.start) != self.widx(exclude[1]):
                continue  # a verb of manner reports only right after the quotation ("'rotsituatie' vond hij")
            if w.lower in MANNER_AFTER_QUOTE or w.lower in {"protesteerden", "protesteerde", "protesteert"}:
                subj = self.subject_before(ss, w.start) or self.subject_after(w.end, se)
                if subj is not None:
                    return w.text, subj
        return "", None

    def _has_particle(self, lemma: str, pos: int, end: int) -> bool:
        part = PARTICLES.get(lemma, "")
        return bool(part) and re.search(r"\b" + re.escape(part) + r"\b", self.text[pos:end]) is not None

    # -- indirect speech --------------------------------------------------------------------------------------

    def indirect(self, quoted: list[Found]) -> list[Found]:
        out: list[Found] = []
        for si, (ss, se) in enumerate(self.art.sentences):
            if self._inside_pair(ss, se):
                continue
            inside = [q for q in quoted if ss <= q.start < se]
            if any(q.kind == "direct" for q in inside):
                continue
            found = self._indirect_in(si, ss, se, only_dat=bool(inside))
            out.extend(f for f in found if not any(f.start < q.end + 2 and q.start - 2 < f.end for q in inside))
        return out

    def _indirect_in(self, si: int, ss: int, se: int, *, only_dat: bool = False) -> list[Found]:
        """Indirect speech in one sentence; `only_dat` where a partial quotation already took the sentence's cue."""
        end = se
        while end > ss and self.text[end - 1] in ".!?;:":
            end -= 1
        if not self._may_report(ss, end):
            return []
        words = self.word_list(ss, end)
        if len(words) < 3:
            return []
        rules = (self._by_verb,) if only_dat else (
            self._by_source_phrase, self._by_own_words, self._by_inverted_verb, self._by_told, self._by_verb,
            self._by_statement_noun)
        self._only_dat = only_dat
        for rule in rules:
            found = rule(si, ss, end, words)
            if found:
                if rule == self._by_verb and len(found) == 1 and not only_dat:
                    # speech reported inside reported speech: "vertelde dat Roskam hem had gevraagd ... te ..."
                    inner_words = self.word_list(found[0].start, found[0].end)
                    inner = self._by_verb(si, found[0].start, found[0].end, inner_words) if len(inner_words) > 3 else []
                    found += [f for f in inner if f.start > found[0].start]
                return found
        return []

    def _may_report(self, start: int, end: int) -> bool:
        """Whether some rule of `_indirect_in` can find indirect speech in [start, end): each needs one of its
        words (a reporting verb, a source preposition, a statement noun, "horen") or "naar eigen zeggen"."""
        cues = self._cues_before
        if cues[self.art.word_index(end)] > cues[self.art.word_index(start)]:
            return True
        return "zeggen" in self.text[start:end].lower()

    def _clause_start(self, ss: int, pos: int) -> int:
        """Where the clause holding `pos` starts: after the last ", maar" or ";" before it, else the sentence start."""
        cut = ss
        for m in re.finditer(r"(?:,\s*maar\s+|;\s*)", self.text[ss:pos]):
            cut = ss + m.end()
        return cut

    def _clause_end(self, pos: int, end: int) -> int:
        """Where a reported clause starting at `pos` ends: before ", maar", ";" or ", en" + a reporting verb."""
        m = re.search(r",\s*maar\s|;|,\s*en\s+(\w+)", self.text[pos:end])
        while m is not None and m.group(1) is not None and m.group(1).lower() not in FINITE:
            m = re.compile(r",\s*maar\s|;|,\s*en\s+(\w+)").search(self.text, pos + m.end(), end)
            if m is not None:
                return m.start() if m.group(1) is None or m.group(1).lower() in FINITE else end
            return end
        return pos + m.start() if m else end

    def _by_source_phrase(self, si: int, ss: int, end: int, words: list[Word]) -> list[Found]:
        """volgens X / aldus X / in de visie van X / zo meldde X: the sentence without the cue phrase."""
        lows = [w.lower for w in words]
        for k in range(len(words)):
            phrase = _prep_at(lows, k)
            if not phrase:
                continue
            n = len(phrase.split())
            cue_text = self.text[words[k].start:words[k + n - 1].end]
            subj = self._source_after(words[k + n - 1].end, end)
            if subj is None or not _speaker_ok(subj, self.art):
                continue
            if phrase == "aldus" or phrase.startswith("zo "):
                if k > 0 and words[k - 1].text == ",":
                    return [Found(self._clause_start(ss, words[k - 1].start), words[k - 1].start, "indirect",
                                  cue_text, subj)]
                continue
            if k == 0:
                rest = self.widx(self._source_end(subj, end))
                while rest < len(self.words) and self.words[rest].text == ",":
                    rest += 1
                if rest < len(self.words) and self.words[rest].start < end:
                    return [Found(self.words[rest].start, self._clause_end(self.words[rest].start, end),
                                  "indirect", cue_text, subj)]
                continue
            start = self._clause_start(ss, words[k].start)
            return [Found(start, self._clause_end(words[k].end, end), "indirect", cue_text, subj)]
        return []

    def _source_after(self, pos: int, end: int) -> Mention | None:
        """The source named right after a cue phrase, with a name in apposition ("zijn politieke tak, Sinn Fein")."""
        i = self.widx(pos)
        if i >= len(self.words) or self.words[i].start >= end:
            return None
        m = self.art.mention_at(i)
        if m is None or m.kind not in _SPEAKER_KINDS:
            return None
        j = self.widx(m.end)
        if m.kind in {"description", "role", "group"} and j + 1 < len(self.words) and self.words[j].text == ",":
            nm = self.art.name_at(self.words[j + 1].start)
            if nm is not None and nm.start == self.words[j + 1].start:
                return nm
        return m

    def _source_end(self, subj: Mention, end: int) -> int:
        """Where the source phrase of a cue ends: after the source, and after its institution where a name has one
        ("volgens Lisa van Dam van de Universiteit Utrecht is ...")."""
        j = self.widx(subj.end)
        if subj.kind == "name" and j + 1 < len(self.words) and self.words[j].lower in {"van", "uit", "bij"}:
            k = j + 1
            if self.words[k].lower in {"de", "het"}:
                k += 1
            inst = self.art.name_at(self.words[k].start) if k < len(self.words) else None
            if inst is not None and inst.start == self.words[k].start and inst.end <= end:
                return inst.end
        return subj.end

    def _by_own_words(self, si: int, ss: int, end: int, words: list[Word]) -> list[Found]:
        """"naar eigen zeggen": the clause is what its subject said of itself."""
        m = re.search(r"\bnaar (?:eigen|zijn|haar|hun) zeggen\b", self.text[ss:end], re.IGNORECASE)
        if m is None:
            return []
        cue_at = ss + m.start()
        before = [w for w in words if w.end <= cue_at]
        subj = None
        if before:
            nm = self.art.name_at(before[-1].start)
            subj = nm if nm is not None and nm.end == before[-1].end else None
        start = self._clause_start(ss, cue_at)
        if self.text[start:start + 5].lower().startswith(("maar ", "en ")):
            start = self.words[self.widx(start) + 1].start
        subj = subj or self.subject_before(start, cue_at) or self.subject_after(ss + m.end(), end)
        if subj is None:
            return []
        return [Found(start, self._clause_end(ss + m.end(), end), "indirect", m.group(), subj)]

    def _by_inverted_verb(self, si: int, ss: int, end: int, words: list[Word]) -> list[Found]:
        """CLAUSE, zegt X. / CLAUSE, vond X. / CLAUSE, zegt X, CLAUSE."""
        for k in range(3, len(words) - 1):
            w = words[k]
            if words[k - 1].text != "," or w.lower in NOT_REPORTING:
                continue
            if not (w.lower in FINITE or w.lower in {"klonk", "luidde", "luidt", "klinkt"}):
                continue
            lemma = FINITE.get(w.lower, "")
            if words[k + 1].lower in {"dat", "te", "om", "of"} or (
                    lemma in NEEDS_PARTICLE and not self._has_particle(lemma, w.end, end)):
                continue
            cs = self._clause_start(ss, w.start)
            opener = self.words[self.widx(cs)].lower
            if opener in _SUBORDINATE_OPENERS and not (
                    opener in _PREPOSITION_OPENERS and self._main_verb_in([x for x in words[:k - 1] if x.start >= cs])):
                # "Na de aanval, liet hij ...": the comma closes an adverbial, not a reported clause; but "In Ghana
                # was de onafhankelijkheid voorbereid, stelt X" opens with a preposition and has its own verb
                continue
            if self._subject_with_relative_clause(cs, words[k - 1].start):
                continue  # "De directeur X, die gisteren werd gehoord, vindt ...": the subject comes before the verb
            subj = self.subject_after(w.end, end)
            if subj is None or self.widx(subj.start) > self.widx(w.start) + 2:
                continue
            if _head_is_statement(subj.text):
                ctx, _ = self.speaker_from_context(ss, ss + 1, None)
                subj = ctx if ctx is not None else subj
            start = self._clause_start(ss, words[k - 1].start)
            first = Found(start, words[k - 1].start, "indirect", w.text, subj)
            tail = [x for x in words[k + 1:] if x.start >= subj.end]
            if len(tail) > 5 and tail[0].text == ",":
                if not any(x.lower in _CLAUSE_VERBS or x.lower in FINITE for x in tail[1:]):
                    # "..., zei X, met als doel ... te halen": a phrase without a verb of its own continues the
                    # statement, which runs over the whole sentence
                    return [Found(start, end, "indirect", w.text, subj)]
                return [first, Found(tail[1].start, end, "indirect", w.text, subj)]
            return [first]
        return []

    def _subject_with_relative_clause(self, start: int, comma: int) -> bool:
        """Whether the stretch from `start` to the comma at `comma` is a noun phrase with a relative clause ("De
        ex-directeur Van Dam, die woensdag werd gehoord,"), not a clause of its own."""
        i = self.widx(start)
        m = self.art.mention_at(i, limit=self.widx(comma))
        if m is None or m.kind not in _SPEAKER_KINDS or m.kind == "pronoun":
            return False
        j = self.widx(m.end)
        return j + 1 < len(self.words) and self.words[j].text == "," and self.words[j].start < comma \
            and self.words[j + 1].lower in _RELATIVE_PRONOUNS

    @staticmethod
    def _main_verb_in(stretch: list[Word]) -> bool:
        """Whether a stretch that opens with a preposition has a finite verb of its own before any subordinate
        clause ("In Ghana was ..." yes; "Op de vraag of ze blij is" no)."""
        for x in stretch[1:]:
            if x.lower in _STRETCH_SUBORDINATORS:
                return False
            if x.lower in _CLAUSE_VERBS:
                return True
        return False

    def _by_told(self, si: int, ss: int, end: int, words: list[Word]) -> list[Found]:
        """"Van de NMBS kreeg hij te horen dat ...": what the one after "van" told; the subject only heard it."""
        if "horen" not in self.text[ss:end]:
            return []
        lows = [w.lower for w in words]
        if "horen" not in lows:
            return []
        h = lows.index("horen")
        if h < 2 or lows[h - 1] != "te" or not any(x in _KRIJGEN for x in lows[:h]):
            return []
        dat = next((j for j in range(h + 1, min(len(words), h + 3)) if lows[j] == "dat"), None)
        if dat is None or dat + 2 >= len(words):
            return []
        src = next((j for j in range(0, dat) if lows[j] == "van"), None)
        subj = self._source_after(words[src].end, words[dat].start) if src is not None else None
        if subj is None or not _speaker_ok(subj, self.art):
            return []
        start = words[dat + 1].start
        verb = next(words[j].text for j in range(h) if lows[j] in _KRIJGEN)
        return [Found(start, self._clause_end(start, end), "indirect", f"{verb} te horen", subj)]

    def _by_verb(self, si: int, ss: int, end: int, words: list[Word]) -> list[Found]:
        """X zegt dat ... / Dat bevestigde X / X heeft dat gemeld / adviseerde te ... / wijst op ..."""
        lows = [w.lower for w in words]
        for k, w in enumerate(words):
            lemma = FINITE.get(w.lower) or PARTICIPLES.get(w.lower)
            if not lemma or w.lower in NOT_REPORTING or (k == 0 and w.lower not in PARTICIPLES):
                continue
            if lemma in NEEDS_PARTICLE and w.lower in FINITE and not self._has_particle(lemma, w.end, end):
                continue
            if k > 1 and lows[k - 1] == "zo" and words[k - 2].text == ",":
                continue  # ", zo bevestigde dat bedrijf": an inverted attribution (see _by_source_phrase)
            if w.lower.endswith("en") and k > 0 and (lows[k - 1] in _NOUN_DETERMINERS or (
                    lows[k - 1].endswith("e") and lows[k - 1].isalpha() and lows[k - 1] not in _PRONOUN_E)):
                continue  # a plural noun after a determiner or an adjective ("stelt bepaalde eisen")
            subj_end = end
            dat = next((j for j in range(k + 1, min(len(words), k + 8)) if lows[j] == "dat"), None)
            if dat is not None and (lows[dat - 1] in {"of", "en", "omdat", "zodat", "want"} or "zich" in lows[k + 1:dat]):
                dat = None  # "vroeg zich af of dat klopt": a demonstrative, or a verb turned to oneself
            if dat is not None and not any(x.text in {",", ";"} for x in words[k + 1:dat]):
                subj = self._verb_subject(ss, words, k, words[dat].start)
                if subj is not None and dat + 1 < len(words) and _speaker_ok(subj, self.art):
                    start = words[dat + 1].start
                    return [Found(start, self._clause_end(start, end), "indirect", w.text, subj)]
            wh = next((j for j in range(k + 1, min(len(words), k + 4)) if lows[j] in _WH_WORDS), None)
            if lemma in _WH_CUES and wh is not None and wh + 2 < len(words) \
                    and not any(x.text in {",", ";"} for x in words[k + 1:wh]):
                # "Een deelneemster vertelt hoe de piloot opsteeg": the question word opens what was told
                subj = self._verb_subject(ss, words, k, words[wh].start)
                if subj is not None and _speaker_ok(subj, self.art):
                    start = words[wh].start
                    return [Found(start, self._clause_end(start, end), "indirect", w.text, subj)]
            # anaphoric "Dat bevestigde X" / "X heeft dat ... gemeld": the sentence before is the content
            anaphoric = (k == 1 and lows[0] == "dat") or (w.lower in PARTICIPLES and any(
                lows[d] == "dat" and lows[d - 1] in _AUX for d in range(1, k)))
            if anaphoric and si > 0 and not self._only_dat:
                subj = self.subject_after(w.end, subj_end) if k == 1 else self.subject_before(ss, w.start)
                if subj is not None and _speaker_ok(subj, self.art):
                    ps, pe = self.art.sentences[si - 1]
                    while pe > ps and self.text[pe - 1] in ".!?":
                        pe -= 1
                    if any(p.open_start < pe and ps < p.close_end for p in self.pairs):
                        return []  # "“…” Dat zei X.": the sentence before is a quotation already
                    return [Found(ps, pe, "indirect", w.text, subj)]
            if w.lower in PARTICIPLES and lemma in _NP_CUES and k == len(words) - 1 and not self._only_dat:
                aux = next((a for a in range(k - 1, 0, -1) if lows[a] in _AUX), None)
                if aux is not None and aux + 2 < k and lows[aux + 1] in _NOUN_DETERMINERS:
                    subj = self.subject_before(ss, words[aux].start)
                    if subj is not None and _speaker_ok(subj, self.art):
                        return [Found(words[aux + 1].start, words[k - 1].end, "indirect", w.text, subj)]
            comp = None if self._only_dat else self._complement(k, words, lemma, w.lower in PARTICIPLES)
            if comp is not None:
                subj = self._verb_subject(ss, words, k, end)
                if subj is not None and _speaker_ok(subj, self.art):
                    start = comp if subj.start < w.start else max(comp, subj.end)
                    j = self.widx(start)
                    while j < len(self.words) and self.words[j].lower in {",", "verder", "nu", "toch", "echter",
                                                                         "ook", "wel", "gisteren", "vandaag"}:
                        j += 1
                    if j < len(self.words) and self.words[j].start < end:
                        return [Found(self.words[j].start, self._clause_end(self.words[j].start, end), "indirect",
                                      w.text, subj)]
        return []

    def _verb_subject(self, ss: int, words: list[Word], k: int, limit: int) -> Mention | None:
        """The subject of the cue verb words[k]: the antecedent of a relative "die", the mention that opens the
        clause, or the one right after the verb (inverted order)."""
        for j in range(k - 1, max(-1, k - 4), -1):
            if words[j].lower == "die" and j > 0:
                prev = self.art.name_at(words[j - 1].start)
                if prev is not None:
                    return prev
                break
            if words[j].text in {",", ";"}:
                break
        start = self._clause_start(ss, words[k].start)
        subj = self.subject_before(start, words[k].start)
        if subj is not None:
            return subj
        after = self.subject_after(words[k].end, limit)
        if after is not None and self.widx(after.start) <= self.widx(words[k].start) + 2:
            return after
        return None

    def _by_statement_noun(self, si: int, ss: int, end: int, words: list[Word]) -> list[Found]:
        """A noun that carries a statement or a demand: "met het verzoek ... te ...", "zijn dreigement, dat ..."."""
        lows = [w.lower for w in words]
        for k, w in enumerate(words[:-2]):
            if w.lower not in STATEMENT_NOUNS or k == 0 or lows[k - 1] not in _NOUN_DETERMINERS:
                continue
            dat = next((j for j in range(k + 1, min(len(words), k + 14)) if lows[j] == "dat"), None)
            if dat is not None and dat + 1 < len(words):
                start = words[dat + 1].start
            elif w.lower in _DIRECTIVE_NOUNS and "te" in lows[k + 1:]:
                start = words[k + 1].start
            else:
                continue
            subj = self.subject_before(ss, w.start)
            if subj is None:
                subj, _ = self.speaker_from_context(ss, ss + 1, None)
            if subj is not None:
                return [Found(start, self._clause_end(start, end), "indirect", f"{lows[k - 1]} {w.text}", subj)]
        return []

    def _complement(self, k: int, words: list[Word], lemma: str, participle: bool = False) -> int | None:
        """Where the complement of the cue verb at words[k] starts (a text offset): after its particle, after a
        colon, or right after the verb; None when the verb has no complement that reports."""
        part = PARTICLES.get(lemma)
        j = k + 1
        if part and " " not in lemma and not participle:
            idx = next((t for t in range(k + 1, len(words)) if words[t].lower == part), None)
            if idx is None:
                return None
            j = idx + 1
        elif lemma == "wijzen op" or lemma == "pleiten":
            idx = next((t for t in range(k + 1, min(len(words), k + 5)) if words[t].lower in {"op", "voor"}), None)
            if idx is None:
                return None
            j = idx + 1
        colon = next((t for t in range(j, len(words)) if words[t].text == ":"), None)
        if colon is not None:
            j = colon + 1
        rest = [w.lower for w in words[j:]]
        if len([x for x in rest if x.isalpha()]) < 2:
            return None
        if colon is not None:
            return words[j].start
        if lemma in _TE_CUES and "te" in rest and rest[-1] != "te" \
                and not any(x in rest for x in ("dat", "omdat", "die")):
            return words[j].start
        if lemma in _NP_CUES:
            return words[j].start
        if lemma == "vinden" and not participle and _small_clause(rest):
            return words[j].start  # "vindt die dubbelrol verdedigbaar", "vindt het plan onhaalbaar"
        return None


# An opinion as a small clause after "vinden": an object and a predicative adjective ("vindt het plan
# onhaalbaar"), not "vindt plaats" or "vond het lijk".
_OBJECT_OPENERS = frozenset({"het", "de", "die", "dat", "deze", "dit", "zijn", "haar", "hun", "zo'n", "zulke"})
_ADJECTIVE_END = re.compile(r"(?:baar|lijk|ig|isch|loos|zaam|end|ief|aal|eel|ent|ant|ibel|abel|vol|waardig)$")
_PREDICATES = frozenset({"goed", "slecht", "groot", "klein", "nodig", "onnodig", "terecht", "onterecht", "raar",
                         "vreemd", "jammer", "prima", "fout", "juist", "sterk", "zwak", "duur", "te", "oké"})


def _small_clause(rest: list[str]) -> bool:
    words = [x for x in rest if x.isalpha()]
    if len(words) < 2 or words[0] not in _OBJECT_OPENERS or "plaats" in words or "dat" in words[1:]:
        return False
    last = words[-1]
    return last in _PREDICATES or (len(last) > 5 and _ADJECTIVE_END.search(last) is not None)


_KRIJGEN = frozenset({"krijg", "krijgt", "krijgen", "kreeg", "kregen", "gekregen"})
# Verbs of telling whose complement may be a clause with a question word ("vertelt hoe", "legt uit waarom").
_WH_CUES = frozenset({"vertellen", "uitleggen", "beschrijven", "onthullen", "toelichten", "schetsen"})
_WH_WORDS = frozenset({"hoe", "waarom", "wat", "wie", "waar", "wanneer"})
# Verbs whose te-infinitive complement is what was said, asked or promised ("adviseerde te gokken").
_TE_CUES = frozenset({
    "zeggen", "beweren", "ontkennen", "beloven", "dreigen", "eisen", "oproepen", "vragen", "verzoeken",
    "adviseren", "aanraden", "aansporen", "aanbieden", "aandringen", "aanbevelen", "verklaren", "toezeggen",
    "toegeven", "erkennen", "bekennen", "volhouden",
})
# First words of a clause that is not itself a statement (a preposition or a subordinating conjunction).
_SUBORDINATE_OPENERS = frozenset({
    "op", "na", "bij", "met", "in", "toen", "als", "nadat", "zodra", "omdat", "hoewel", "terwijl", "voordat",
    "door", "tijdens", "ondanks", "sinds", "voor",
})
_PREPOSITION_OPENERS = frozenset({"op", "na", "bij", "met", "in", "door", "tijdens", "ondanks", "sinds", "voor"})
# Finite verbs that make a stretch before a comma a clause of its own.
_CLAUSE_VERBS = frozenset({
    "is", "was", "zijn", "waren", "wordt", "werd", "worden", "werden", "heeft", "had", "hebben", "hadden", "moet",
    "moest", "moeten", "kan", "kon", "kunnen", "zal", "zou", "zullen", "wil", "wilde", "mag", "mocht", "blijft",
    "bleef", "gaat", "ging", "komt", "kwam", "staat", "stond", "ligt", "lag",
})
_STRETCH_SUBORDINATORS = frozenset({"of", "dat", "die", "wat", "als", "omdat", "toen", "waar", "wie", "hoe",
                                    "waarom", "terwijl", "nadat", "zodat", "wanneer"})
_PRONOUN_E = frozenset({"ze", "die", "deze", "we", "je", "jullie", "welke", "sommige", "beide", "alle", "vele"})
_AUX = frozenset({"heeft", "hebben", "had", "hadden", "is", "zijn", "was", "waren"})
_NOUN_DETERMINERS = frozenset({"het", "de", "zijn", "haar", "hun", "een"})
_DIRECTIVE_NOUNS = frozenset({"verzoek", "oproep", "opdracht", "advies", "eis"})
_WORD_MENTION_PREPS = frozenset({"bij", "aan", "met", "van", "voor", "over", "op", "in", "als", "tot", "naar",
                                 "term", "woord", "begrip"})
_NP_CUES = frozenset({"garanderen", "eisen", "pleiten", "wijzen op", "bekendmaken", "aankondigen", "schatten",
                      "beloven", "opnoemen", "bepleiten", "aanbevelen"})
_SOURCE_SPLIT = [p.split() for p in SOURCE_PREPOSITIONS]


_SOURCE_FIRST = {parts[0] for parts in _SOURCE_SPLIT}
# The words one of which a sentence needs for any rule of `_Finder._indirect_in` to find indirect speech in it:
# `_by_verb` and `_by_inverted_verb` a reporting verb, `_by_source_phrase` a source preposition ("zo" counts only
# before a reporting verb), `_by_statement_noun` its noun, `_by_told` "horen" (`_by_own_words` is tested apart).
_CUE_WORDS = frozenset(FINITE) | frozenset(PARTICIPLES) | _SOURCE_FIRST | STATEMENT_NOUNS | {
    "klonk", "luidde", "luidt", "klinkt", "horen"}


def _prep_at(lows: list[str], k: int) -> str:
    """The source cue that starts at word k: a prepositional phrase ("volgens", "in de ogen van") or "zo" with any
    finite form of a reporting verb ("zo meldde", "zo bevestigde", "zo schrijft")."""
    if lows[k] == "zo" and k + 1 < len(lows) and lows[k + 1] in FINITE and lows[k + 1] not in NOT_REPORTING:
        return f"zo {lows[k + 1]}"
    if lows[k] not in _SOURCE_FIRST:
        return ""
    for parts in _SOURCE_SPLIT:
        if lows[k:k + len(parts)] == parts:
            return " ".join(parts)
    return ""


def _head_is_statement(text: str) -> bool:
    return any(w in STATEMENT_NOUNS for w in text.lower().split())


_NOT_SOURCES = frozenset({"akkoord", "verdrag", "recht", "wet", "plan", "overlevering", "schema", "regels",
                          "afspraak", "afspraken", "traditie", "statistieken", "cijfers", "berekeningen"})


def _speaker_ok(m: Mention, art: ArticleText) -> bool:
    """Whether a mention can be a source: not a document, a law or a plan ("volgens het akkoord")."""
    low = m.text.lower()
    if any(w in _NOT_SOURCES or w.endswith(tuple(_NOT_SOURCES)) for w in re.findall(r"[\w-]+", low)
           if not w[:1].isupper()) and m.kind not in {"pronoun"}:
        return m.kind == "name" and not any(x in low for x in _NOT_SOURCES)
    if m.kind in {"name", "thing"}:
        last = m.text.split()[-1]
        last_start = m.end - len(last)
        tail = last.rsplit("-", 1)[-1].lower()
        if tail in roles.GROUP_SPEAKERS or roles.is_role_word(tail):
            return True  # "het NOS-journaal", "CSF-voorzitter Leoz": the compound says who speaks
        for s, e, label in art.ents:
            if s < m.end and last_start < e and label == "MISC":
                return False
    if m.kind == "pronoun" and low in {"ik", "we", "wij", "ons", "mij"}:
        return False
    return True


def _title_like(content: str) -> bool:
    """Titles and names in quotation marks: every word of two or more capitalised ('Geen Kritiek')."""
    words = re.findall(r"[\w'’-]+", content)
    if len(words) < 2:
        return False
    caps = [w for w in words if w[:1].isupper()]
    return len(caps) == len(words) or (len(words) >= 3 and len(caps) >= len(words) - 1 and len(words) <= 6
                                       and content[-1:] not in ".!?")


# ---------------------------------------------------------------------------------------------------------------
# The whole article
# ---------------------------------------------------------------------------------------------------------------

def find_quotations(text: str, *, ents: list[tuple[int, int, str]] | None = None,
                    canonical: dict[tuple[int, int], str] | None = None,
                    structure: Structure | None = None) -> list[Quote]:
    """All quotations of an article, in text order, with speakers resolved."""
    pairs = find_quote_pairs(text)
    sentences = split_sentences(text, pairs)
    art = ArticleText(text, sentences, ents or [], canonical or {}, [(p.open_start, p.close_end) for p in pairs])
    subheadings = [(s.start, s.end) for s in structure.subheadings] if structure is not None else []
    finder = _Finder(text, art, pairs, paragraphs_of(text, structure), subheadings)
    quoted = finder.quotations()
    indirect = finder.indirect(quoted)
    quoted += finder.follow_ups(quoted, indirect)
    out: list[Quote] = []
    for f in sorted(quoted + indirect, key=lambda f: f.start):
        start, end = f.start, f.end
        while end > start and text[end - 1] in " ,;":
            end -= 1
        if end <= start:
            continue
        speaker = art.resolve(f.mention, said=(start, end)) if f.mention is not None else ""
        out.append(Quote(start, end, text[start:end], f.kind, f.cue,
                         f.mention.text if f.mention is not None else "", speaker,
                         f.mention.start if f.mention is not None else None,
                         f.mention.end if f.mention is not None else None))
    return out


def quotes_of_doc(doc: Doc) -> list[Quote]:
    """The quotations of a processed Doc (reads its entities, canonical names and structure)."""
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    structure = doc._.structure if isinstance(doc._.structure, Structure) else None
    canonical = doc._.canonical if isinstance(doc._.canonical, dict) else None
    return find_quotations(doc_text(doc), ents=ents, canonical=canonical, structure=structure)


class QuotationComponent:
    """Sets `doc._.quotes`; an article that breaks a rule gets no quotations instead of stopping the batch."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        extensions.register()

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.quotes = quotes_of_doc(doc)
        except Exception:  # one bad article must not stop a batch of thousands
            log.exception("quotation finder failed on a document of %d characters", len(doc_text(doc)))
            doc._.quotes = []
        return doc


@Language.factory("kroniek_quotes", assigns=["doc._.quotes"], requires=["doc.ents"])
def make_quotation_component(nlp: Language, name: str) -> QuotationComponent:
    """The quotation component: direct, partial and indirect quotations with resolved speakers."""
    return QuotationComponent(nlp, name)

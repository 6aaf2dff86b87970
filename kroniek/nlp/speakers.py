"""The text model the quotation finder works on: words, sentences, mentions of people, and speaker resolution.

Everything here works on character offsets into the article text. Named entities come from the Doc when the
pipeline has an NER component; where it has none (or misses a name), capitalised word runs stand in for names.
Speakers are resolved to the article's canonical name: pronouns to the nearest person named before them, roles
("de bewindsman", "de woordvoerder") to the person or the fullest description with that role, surnames to the
fullest name in the article, acronyms to the name written out before them ("Women's Ordination Worldwide (WOW)").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from kroniek.nlp.lang_nl import speaker_roles as roles
from kroniek.nlp.lang_nl.speech_verbs import FINITE, NEEDS_PARTICLE, PARTICIPLES

# Stems of reporting verbs that are also everyday verbs ("geeft", "maakt", "laat"): no evidence of a speaker.
NEEDS_PARTICLE_STEMS = frozenset(form for form, lemma in FINITE.items() if lemma in NEEDS_PARTICLE)

# Words: initials ("J.", "M.C."), words with inner hyphens or apostrophes ("Wout-Jan", "z'n"), the clitics 't and
# 's, old-style double quotes, and any other single character that is not a space.
_WORD_RE = re.compile(r"(?:[A-Z]\.){1,4}(?=\s*(?:[A-Z]|van |de |ter |ten |von ))|\w+(?:[-'’]\w+)*|['’][ts]\b|,,|''|[^\w\s]")

DETERMINERS = frozenset({
    "de", "het", "een", "zijn", "haar", "hun", "diens", "dit", "deze", "die", "sommige", "enkele", "veel",
    "vele", "twee", "drie", "alle", "beide", "andere", "ons", "onze", "uw", "mijn", "elk", "ieder", "iedere",
})
# Determiners after which a capitalised word is the start of a person's description ("de Argentijn Canas").
_NAME_DETERMINERS = frozenset({"de", "het", "een", "zijn", "haar", "hun", "diens"})
# Words that end a noun phrase: auxiliaries and copulas, conjunctions, prepositions other than those that attach a
# complement to a role ("van", "uit", "bij"), and frequent adverbs.
_NP_STOP = frozenset({
    "is", "was", "zijn", "waren", "wordt", "werd", "worden", "werden", "heeft", "hebben", "had", "hadden",
    "zal", "zullen", "zou", "zouden", "kan", "kunnen", "kon", "konden", "moet", "moeten", "moest", "moesten",
    "wil", "willen", "wilde", "wilden", "mag", "mogen", "mocht", "blijft", "bleef", "gaat", "ging", "laat", "liet",
    "en", "of", "maar", "want", "dat", "die", "dan", "als", "omdat", "toen", "terwijl", "nadat", "hoewel",
    "in", "op", "aan", "tegen", "tegenover", "met", "over", "voor", "na", "naar", "door", "om", "onder", "tot",
    "sinds", "volgens", "aldus", "zich", "er", "niet", "nog", "al", "ook", "wel", "toch", "echter", "verder",
    "gisteren", "vandaag", "nu", "zaterdag", "zondag", "maandag", "dinsdag", "woensdag", "donderdag",
    "vrijdag", "gistermiddag", "gisteravond", "gisterochtend", "donderdagavond", "onlangs", "eerder",
    "inmiddels", "zo", "te", "daar", "hier", "hem", "haar", "hen", "het", "tijdens", "bij", "uit", "eens",
})
_ATTACH = frozenset({"van", "uit", "bij"})
_PARTITIVE_PRONOUNS = frozenset({"hen", "hun", "ons", "jullie"})
_PREPOSITIONS = frozenset({"tegen", "tegenover", "met", "van", "voor", "door", "aan", "bij", "naar", "over", "op",
                           "in", "zonder", "onder", "achter", "na", "sinds", "tot", "om", "uit", "volgens", "minus",
                           "behalve", "zoals", "dan", "als"})
_CONJ_START = frozenset({"maar", "en", "ook", "want", "dus", "toch", "daarom", "bovendien", "wel", "nee", "ja"})
# Capitalised words that start a sentence without being names.
_NOT_NAMES = frozenset({
    "de", "het", "een", "dat", "die", "deze", "dit", "ik", "we", "wij", "hij", "zij", "ze", "je", "jij", "u",
    "men", "er", "in", "op", "na", "met", "voor", "bij", "van", "volgens", "aldus", "als", "toen", "nu", "dan",
    "maar", "en", "ook", "want", "wie", "wat", "waar", "hoe", "zo", "daar", "daarom", "nog", "al", "toch",
    "mijn", "zijn", "haar", "hun", "ons", "onze", "uw", "niet", "geen", "wel", "eigenlijk", "natuurlijk",
    "helaas", "misschien", "juist", "pas", "over", "tot", "door", "om", "uit", "onder", "tegen", "sinds",
    "tijdens", "zonder", "behalve", "ondanks", "hoewel", "omdat", "terwijl", "nadat", "sommige", "veel",
    "alle", "iedereen", "niemand", "niets", "alles", "één", "twee", "drie", "vier", "vijf", "zes", "tien",
    "eind", "begin", "half", "midden", "ja", "nee", "oké", "weg", "feit", "dus", "echter", "verder",
    "lees", "zelfs", "alleen", "steeds", "weer", "later", "eerder", "daarna", "vervolgens", "intussen",
    "inmiddels", "bovendien", "tenslotte", "ten", "sindsdien", "kort", "vorig", "vorige", "volgend",
    "volgende", "elke", "iedere", "zowel", "gisteren", "vandaag", "morgen", "zaterdag", "zondag",
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "januari", "februari", "maart", "april", "mei",
    "juni", "juli", "augustus", "september", "oktober", "november", "december", "mr", "dr", "minister",
    "premier", "president", "bondscoach", "zeker", "ruim", "rond", "meer", "minder", "waarom",
    "wanneer", "welke", "elk", "desondanks", "daardoor", "hierdoor", "daarmee", "waarmee", "waarbij", "plots",
    "opnieuw", "nooit", "altijd", "soms", "vaak", "zelden", "weliswaar", "wellicht", "ooit", "vandaar",
    "tevens", "evenwel", "voorts", "uiteindelijk", "vanochtend", "vanmiddag", "vanavond", "vannacht", "destijds",
    "ondertussen", "eveneens", "mogelijk", "kennelijk", "blijkbaar", "eindelijk", "meteen", "direct",
    "onmiddellijk", "daarentegen", "integendeel", "zoals", "indien", "tenzij", "zodat", "doordat", "opdat",
    "vanaf", "vanwege", "wegens", "dankzij", "namens", "via", "per", "langs", "binnen", "buiten", "boven",
    "naast", "tussen", "achter", "voorbij", "richting", "aan", "zelf", "samen",
})
# Pronominal adverbs ("daarop", "hierbij", "waarmee", "ervan") open many sentences and are never names.
_PRONOMINAL_ADVERB = re.compile(r"^(?:daar|hier|waar|er)(?:aan|bij|door|in|mee|na|naar|om|onder|op|over|tegen|toe|"
                                r"uit|van|voor|achter|langs|tussen|boven|na)$")
PRONOUNS = roles.SUBJECT_PRONOUNS | roles.OBJECT_PRONOUNS


class Word(NamedTuple):
    """A word with its offsets; the lower-case form and capitalisation are computed once. A named tuple: the
    quotation finder makes one for every word of every article, and a tuple is made several times faster."""

    start: int
    end: int
    text: str
    lower: str
    capitalised: bool


@dataclass(frozen=True)
class Mention:
    """A stretch of text that names or points to a possible speaker."""

    start: int
    end: int
    text: str
    kind: str  # name, pronoun, role, group, description


def tokenize(text: str) -> list[Word]:
    """Split `text` into words with offsets (a light tokenizer for cue and noun-phrase patterns)."""
    new = tuple.__new__  # what Word(...) calls, without the Python-level constructor around it
    return [new(Word, (m.start(), m.end(), w, w.lower(), w[:1].isupper()))
            for m in _WORD_RE.finditer(text) for w in (m.group(),)]


def is_speech_form(word: str) -> bool:
    w = word.lower()
    return w in FINITE or w in PARTICIPLES


@dataclass
class ArticleText:
    """An article as the quotation finder sees it: words, sentence spans, names and their canonical forms."""

    text: str
    sentences: list[tuple[int, int]]
    ents: list[tuple[int, int, str]] = field(default_factory=list)
    canonical: dict[tuple[int, int], str] = field(default_factory=dict)
    quoted: list[tuple[int, int]] = field(default_factory=list)
    words: list[Word] = field(init=False)
    names: list[Mention] = field(init=False)

    def __post_init__(self) -> None:
        self._descriptions: dict[str, list[str]] = {}
        self._full_de_names: dict[str, bool] = {}
        self.words = tokenize(self.text)
        self._word_starts = [w.start for w in self.words]
        # the indices of the capitalised words: only they can start a name
        self._capitalised = [i for i, w in enumerate(self.words) if w.capitalised]
        self._known_caps = {self.words[i].text for i in self._capitalised
                            if i > 0 and self.words[i - 1].text not in ".!?:\n" and not self._sentence_initial(i)}
        self._sentence_starts = [s for s, _ in self.sentences]
        self._sentence_start_set = {self.words[i].start for i in
                                    (bisect.bisect_left(self._word_starts, s) for s in self._sentence_starts)
                                    if i < len(self.words)}
        self._quoted_sorted = sorted(self.quoted)
        self._quoted_starts = [s for s, _ in self._quoted_sorted]
        self.names = self._find_names()
        self._name_starts = [m.start for m in self.names]
        self._acronyms = self._find_acronyms()
        self._freq = self._name_frequencies()
        self._stripped: list[tuple[str, list[str]]] | None = None
        self._role_of: dict[tuple[int, int], list[str]] | None = None
        self._said: tuple[int, int] | None = None

    # -- words and sentences ----------------------------------------------------------------------------------

    def word_index(self, pos: int) -> int:
        """Index of the first word that starts at or after `pos`."""
        return bisect.bisect_left(self._word_starts, pos)

    def words_in(self, start: int, end: int) -> list[Word]:
        i = self.word_index(start)
        out = []
        while i < len(self.words) and self.words[i].end <= end:
            out.append(self.words[i])
            i += 1
        return out

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence that holds `pos` (or the last one that starts before it)."""
        return max(0, bisect.bisect_right(self._sentence_starts, pos) - 1)

    def _sentence_initial(self, i: int) -> bool:
        if i == 0:
            return True
        prev = self.words[i - 1]
        gap = self.text[prev.end:self.words[i].start]
        if prev.text in {"''", "”", "’", "»", '"', "'"} and i > 1:
            return self.words[i - 2].text in {".", "!", "?"}
        return prev.text in {".", "!", "?", ":", ",,", "“", "„", "‘", '"', "'", "«", "-", "–"} or "\n" in gap

    # -- names ------------------------------------------------------------------------------------------------

    def _ent_label(self, start: int, end: int) -> str | None:
        for s, e, label in self.ents:
            if s < end and start < e:
                return label
        return None

    def _runs(self) -> list[tuple[int, int]]:
        """Capitalised word runs that may be names, as word index ranges [i, j)."""
        words = self.words
        out = []
        caps = self._capitalised
        i = 0
        while i < len(words):
            if not words[i].capitalised:
                # on to the next capitalised word: no other can start a name (`_can_start_name`)
                k = bisect.bisect_left(caps, i)
                if k == len(caps):
                    break
                i = caps[k]
            if not self._can_start_name(i):
                i += 1
                continue
            j = i + 1
            while j < len(words):
                nxt = words[j]
                gap = self.text[words[j - 1].end:nxt.start]
                if gap.strip() or "\n" in gap:
                    break
                if nxt.capitalised and nxt.lower not in {"en", "of"} and not is_speech_form(nxt.text):
                    j += 1
                    continue
                # particles inside a name need a capitalised word after them ("Theo de Rooij", "van 't Hof")
                k = j
                while k < len(words) and words[k].lower in roles.NAME_PARTICLES:
                    k += 1
                if k > j and k < len(words) and words[k].capitalised and k - j <= 3 \
                        and not (words[k].text.isupper() and len(words[k].text) > 1) \
                        and not (j - i > 1 and any(words[x].lower in roles.NAME_PARTICLES for x in range(i + 1, j))):
                    # one group of particles to a name: "Lisa van Dam van de Universiteit" ends at "Dam"
                    j = k + 1  # "Theo de Rooij"; but not "Jan Jansen van de ANWB"
                    continue
                break
            if words[i].lower in roles.NAME_PARTICLES and all(words[x].lower in roles.NAME_PARTICLES
                                                              for x in range(i + 1, j)):
                i = j  # particles alone ("Van" before "de NMBS") are no name
                continue
            nxt_w = words[j] if j < len(words) else None
            if j == i + 1 and words[i].lower.endswith(("se", "sche")) and nxt_w is not None \
                    and nxt_w.text[:1].islower():
                i = j  # an adjective of nationality or place ("de Spaanse krant"), not a name
                continue
            out.append((i, j))
            i = j
        return out

    def _find_names(self) -> list[Mention]:
        """Names of possible speakers. Capitalised runs are the candidates; whether one names a person ("name"), an
        organisation ("org") or something else ("thing") is decided per name for the whole article: first by what
        the text says of it (a role before it, a reporting verb next to it), then by the NER labels of its
        occurrences, then by its form. NER entities that no run covers are added with their own label."""
        runs = self._runs()
        keys = {(i, j): _key(self.text[self.words[i].start:self.words[j - 1].end]) for i, j in runs}
        votes: dict[str, dict[str, int]] = {}
        evidence: set[str] = set()
        for (i, j), key in keys.items():
            last = self.words[j - 1]
            label = self._ent_label(last.start, last.end)
            weight = 2 if j - i >= 2 else 1  # NER is surer of a full name than of a lone word
            if label is None:
                # without NER the form decides; a clear sign of a thing outweighs the default of a person
                label, weight = ("PER", 1) if self._person_like(i, j) else ("LOC", 3)
            elif label == "PER" and not self._person_like(i, j):
                label = "LOC"
            votes.setdefault(key, {}).setdefault(label, 0)
            votes[key][label] += weight
            if self._speaks_here(i, j):
                evidence.add(key)
        kind_of = {"PER": "name", "ORG": "org", "LOC": "thing", "MISC": "thing"}
        found: dict[tuple[int, int], Mention] = {}
        for (i, j), key in keys.items():
            s, e = self.words[i].start, self.words[j - 1].end
            v = votes[key]
            top = max(sorted(v), key=lambda lab: (v[lab], lab == "PER"))
            kind = kind_of.get(top, "name")
            if key in evidence:
                # it speaks; a person unless the text gives it an article ("het OM eist")
                kind = "org" if i > 0 and self.words[i - 1].lower in {"de", "het"} else "name"
            found[(s, e)] = Mention(s, e, self.text[s:e], kind)
        covered = [(m.start, m.end) for m in found.values()]
        for s, e, label in self.ents:
            if label in {"PER", "ORG"} and not any(cs < e and s < ce for cs, ce in covered):
                i = self.word_index(s)
                if i < len(self.words) and self._sentence_initial(i) and self.word_index(e) == i + 1:
                    continue  # a lone capitalised first word the NER took for a name ("Mooier", "Achteraf")
                found[(s, e)] = Mention(s, e, self.text[s:e], "name" if label == "PER" else "org")
        # a genitive ("Davenports tegenstandster") is not a mention of its own
        plain = {m.text for m in found.values()}
        out = []
        for m in found.values():
            if m.kind == "name" and m.text.endswith("s") and m.text[:-1] in plain \
                    and self.text[m.end:m.end + 2][1:2].islower():
                m = Mention(m.start, m.end, m.text, "thing")
            out.append(m)
        return sorted(out, key=lambda m: m.start)

    def _speaks_here(self, i: int, j: int) -> bool:
        """Whether the text treats the run words[i:j] as a person here: a role noun right before it ("bondscoach
        Bellaart"), a reporting verb right before it ("beaamde Bellaart") or right after it ("Acosta zei"), or a
        speaker colon ("Koerts:")."""
        prev = self.words[i - 1] if i > 0 else None
        nxt = self.words[j] if j < len(self.words) else None
        if prev is not None and (roles.is_role_word(prev.text) or prev.lower in FINITE or prev.lower in PARTICIPLES):
            return prev.lower not in NEEDS_PARTICLE_STEMS
        if nxt is not None and nxt.lower in FINITE and FINITE[nxt.lower] not in NEEDS_PARTICLE \
                and nxt.lower not in NEEDS_PARTICLE_STEMS:
            return True
        return nxt is not None and nxt.text == ":" and self._sentence_initial(i)

    def _person_like(self, i: int, j: int) -> bool:
        """Whether the capitalised run words[i:j] (found without NER) can name a person: not a compound common
        noun ("Grand Slam-titels"), not a name with an article ("de Copa", "het NK"), not a name in apposition to an
        ordinary noun ("zijn hengst Corland")."""
        last = self.words[j - 1].text
        if "-" in last and last.rsplit("-", 1)[1][:1].islower():
            return False
        prev = self.words[i - 1] if i > 0 else None
        if prev is not None and prev.lower in {"de", "het", "een"}:
            head = 1
            while i + head < j and self.words[i + head].lower not in roles.NAME_PARTICLES:
                head += 1
            if head == 1 or self.words[i].lower.endswith("e"):
                return False  # "de Copa", "de TT van Assen", "de Verenigde Staten"; not "de Argentijn Guillermo Canas"
        if prev is not None and i > 1 and prev.text[:1].islower() and prev.text.isalpha() \
                and not prev.lower.endswith("e") and self.words[i - 2].lower in DETERMINERS \
                and not roles.is_role_word(prev.text):
            return False  # an inflected adjective ends in -e ("de rappe Van Alebeek"); a noun mostly does not
        return True

    def _can_start_name(self, i: int) -> bool:
        w = self.words[i]
        if not (w.capitalised and (w.text[0].isalpha())):
            return False
        if w.lower in roles.NAME_PARTICLES:
            return self._particle_starts_name(i)
        if len(w.text) >= 2 and w.text.isupper() and w.text.isalpha():
            return True  # an acronym ("OM", "VVD"), even where it spells a common word
        if w.lower in _NOT_NAMES or is_speech_form(w.text) or roles.is_role_word(w.text) \
                or w.lower in roles.GROUP_SPEAKERS \
                or _PRONOMINAL_ADVERB.match(w.lower):
            return False
        if w.text.isupper() and len(w.text) <= 1:
            return False
        if self._sentence_initial(i):
            nxt = self.words[i + 1] if i + 1 < len(self.words) else None
            if w.text in self._known_caps:
                return True
            if nxt is not None and nxt.lower in roles.NAME_PARTICLES and self._particle_starts_name(i + 1):
                return True  # "Theo de Rooij" at the start of a sentence
            if nxt is not None and (nxt.text == ":" or (nxt.capitalised and nxt.text not in {"De", "Het"})
                                    or (nxt.lower in FINITE and FINITE[nxt.lower] not in NEEDS_PARTICLE)):
                return True  # "Koerts:", "Theo de Rooij", "Acosta zei"
            return False
        return True

    def _particle_starts_name(self, i: int) -> bool:
        """A capitalised particle that opens a surname ("Van Alebeek", "De Rooij"), not an article or preposition."""
        k = i + 1
        while k < len(self.words) and self.words[k].lower in roles.NAME_PARTICLES and k - i <= 2:
            k += 1
        if k >= len(self.words) or not self.words[k].capitalised or not self.words[k].text[:1].isalpha():
            return False
        if len(self.words[k].text) > 1 and self.words[k].text.isupper():
            return False  # "Van de NMBS", "Van het OM": a preposition before an acronym, no surname
        if k + 1 < len(self.words) and self.words[k + 1].capitalised and self.words[k + 1].text[:1].isalpha() \
                and not self.text[self.words[k].end:self.words[k + 1].start].strip():
            return False  # "Van Jeroen Blijlevens": a preposition before a full name, not a surname "Van X"
        if self.words[i].lower in {"de", "het"} and self._sentence_initial(i):
            # "De Rooij" at the start of a sentence only where the article also writes "Theo de Rooij"
            tail = self.text[self.words[i + 1].start:self.words[k].end]
            if tail not in self._full_de_names:
                self._full_de_names[tail] = any(
                    m.group(1).lower() not in _NOT_NAMES
                    for m in re.finditer(r"\b([A-Z][\w.'-]*) de " + re.escape(tail) + r"\b", self.text))
            return self._full_de_names[tail]
        return True

    def _find_acronyms(self) -> dict[str, str]:
        """Acronyms written out before them: "Women's Ordination Worldwide (WOW)" gives WOW -> the long form."""
        out: dict[str, str] = {}
        for m in re.finditer(r"\(([A-Z][A-Za-z&]{1,7})\)", self.text):
            acro = m.group(1)
            before = self.text[max(0, m.start() - 120):m.start()].rstrip()
            caps = [w for w in re.findall(r"[\w'’&-]+", before)][-8:]
            letters = [w for w in caps if w[:1].isupper()]
            for n in range(len(caps), 0, -1):
                cand = caps[-n:]
                if cand[0][:1].isupper() and "".join(w[0] for w in cand if w[:1].isupper()).upper() == acro.upper():
                    out[acro] = " ".join(cand)
                    break
            else:
                if letters and acro not in out and len(letters) >= len(acro):
                    out.setdefault(acro, " ".join(letters[-len(acro):]))
        return out

    def _names_in(self, start: int, end: int) -> list[Mention]:
        """The names that start in [start, end), in text order (the names are sorted by their start)."""
        return self.names[bisect.bisect_left(self._name_starts, start):bisect.bisect_left(self._name_starts, end)]

    def name_at(self, start: int) -> Mention | None:
        """The name that covers offset `start`, if any."""
        k = bisect.bisect_right(self._name_starts, start) - 1
        # names may overlap (an NER entity beside a capitalised run): look at the few that start before `start`
        for m in self.names[max(0, k - 3):k + 1]:
            if m.start == start or (m.start < start < m.end):
                return m
        return None

    # -- noun phrases -----------------------------------------------------------------------------------------

    def mention_at(self, i: int, *, limit: int | None = None) -> Mention | None:
        """The speaker-like mention that starts at word `i`: a pronoun, a name, a role or a noun phrase."""
        words = self.words
        n = min(len(words), limit if limit is not None else len(words))
        if i >= n:
            return None
        w = words[i]
        nxt = words[i + 1] if i + 1 < n else None
        possessive = (w.lower in DETERMINERS and nxt is not None and nxt.text[:1].isalpha()
                      and nxt.lower not in _NP_STOP and nxt.lower not in DETERMINERS and not is_speech_form(nxt.text))
        if w.lower in PRONOUNS and not possessive:
            return Mention(w.start, w.end, w.text, "pronoun")
        name = self.name_at(w.start)
        if name is not None and name.start == w.start:
            return name
        j = i
        kind = ""
        if w.lower in DETERMINERS:
            j = i + 1
            kind = "description"
        head = None
        k = j
        # adjectives and a head noun: stop at a role or group noun, a name, or a word that ends the phrase;
        # without a determiner the phrase must start with its role noun ("bondscoach Bert Romp")
        while k < n and k - j < (5 if kind else 1):
            x = words[k]
            if x.lower in _PARTITIVE_PRONOUNS and k > j and words[k - 1].lower == "van":
                # a partitive with a pronoun: "een van hen", "twee van hun", "geen van ons"
                return Mention(w.start, x.end, self.text[w.start:x.end], "description")
            if (x.lower in _NP_STOP and not x.text.isupper()) or not x.text[:1].isalnum() or is_speech_form(x.text):
                break
            nm = self.name_at(x.start)
            if nm is not None and nm.start == x.start:
                if w.lower not in _NAME_DETERMINERS and kind:
                    return None
                return Mention(w.start, nm.end, self.text[w.start:nm.end], "name")
            if roles.is_role_word(x.text):
                if roles.is_age_noun(x.text) and k + 1 < n and words[k + 1].text[:1].islower() \
                        and words[k + 1].text.isalpha() and words[k + 1].lower not in _NP_STOP \
                        and not is_speech_form(words[k + 1].text):
                    k += 1  # an age before its noun ("een 34-jarige man") is an adjective
                    continue
                head = k
                kind = "role"
                break
            if x.lower in roles.GROUP_SPEAKERS:
                head = k
                kind = "group"
                break
            k += 1
        if head is not None and not kind and not (head + 1 < n and self.name_at(words[head + 1].start) is not None):
            return None  # a bare role noun ("Top-tienspeler of niet") is not a mention; "bondscoach Romp" is
        if head is None:
            if kind != "description" or k == j:
                return None
            head = k - 1
            if head - j > 2:
                return None
        end_i = head + 1
        # a role may be followed by a name ("bondscoach Bert Romp") or a complement ("van het ministerie van justitie")
        if end_i < n:
            nm = self.name_at(words[end_i].start)
            if nm is not None and nm.start == words[end_i].start and kind in {"role", "group"}:
                return Mention(w.start, nm.end, self.text[w.start:nm.end], "name")
        while end_i + 1 < n and words[end_i].lower in _ATTACH:
            k = end_i + 1
            if words[k].lower in DETERMINERS:
                k += 1
            nm = self.name_at(words[k].start) if k < n else None
            if nm is not None and nm.start == words[k].start:
                end_i = self.word_index(nm.end)
                continue
            if k < n and words[k].text[:1].isalpha() and words[k].lower not in _NP_STOP \
                    and not is_speech_form(words[k].text):
                end_i = k + 1
                continue
            break
        last = words[end_i - 1]
        if kind == "role" and end_i + 1 < n and words[end_i].text == ",":
            # a name in apposition: "De burgemeester van Utrecht, Sharon Dijksma, waarschuwde"
            nm = self.name_at(words[end_i + 1].start)
            after = self.text[nm.end:nm.end + 1] if nm is not None else ""
            if nm is not None and nm.kind == "name" and after in {",", ".", "!", "?", ";", ""}:
                # "De burgemeester van Utrecht, Sharon Dijksma, waarschuwde"; "zegt de trainer van Ajax, Frank de
                # Boer."
                return nm
        return Mention(w.start, last.end, self.text[w.start:last.end], kind)

    def in_quote(self, pos: int) -> bool:
        """Whether `pos` lies inside a quotation (between and including its marks)."""
        k = bisect.bisect_right(self._quoted_starts, pos) - 1
        return k >= 0 and any(s <= pos < e for s, e in self._quoted_sorted[max(0, k - 2):k + 1])

    def first_mention(self, start: int, end: int, kinds: set[str]) -> Mention | None:
        """The first mention of one of `kinds` whose start lies in [start, end), outside quotations and not the
        object of a preposition."""
        i = self.word_index(start)
        while i < len(self.words) and self.words[i].start < end:
            m = self.mention_at(i)
            if m is not None and m.kind in kinds and m.end <= end and not self.in_quote(m.start) \
                    and not (i > 0 and self.words[i - 1].lower in _PREPOSITIONS):
                return m
            i += 1
        return None

    # -- resolution -------------------------------------------------------------------------------------------

    def _name_frequencies(self) -> dict[str, int]:
        """How often each last name word occurs among the names of the article (a measure of salience)."""
        out: dict[str, int] = {}
        for m in self.names:
            if m.kind == "name" and not self.in_quote(m.start):
                key = m.text.split()[-1].lower()
                out[key] = out.get(key, 0) + 1
        return out

    def person_before(self, pos: int, *, max_sentences: int = 5, depth: int = 0) -> Mention | None:
        """The person a pronoun at `pos` most likely stands for: a name (or a pronoun, itself resolved) in the
        sentences just before it, preferring the nearer sentence, the first place in it and the person the article
        speaks of most; else the nearest name before it; else (a headline) the article's most frequent person."""
        si = self.sentence_of(pos)
        best: tuple[float, Mention] | None = None
        for dist in range(0, max_sentences + 1):
            k = si - dist
            if k < 0:
                break
            s, e = self.sentences[k]
            e = min(e, pos)
            first = True
            for m in self._candidates(s, e):
                if m.kind in {"pronoun", "role"}:
                    score = -1.0 * dist + (1.0 if first else 0.0) + (1.0 if m.kind == "pronoun" else 0.5)
                else:
                    score = -1.0 * dist + (1.0 if first else 0.0) + 0.5 * min(self._freq.get(_key(m.text), 1), 6)
                if self._after_preposition(m.start):
                    score -= 1.5
                first = False
                if best is None or score > best[0]:
                    best = (score, m)
        if best is not None:
            if best[1].kind != "pronoun":
                return best[1]
            if depth < 6:
                return self.person_before(best[1].start, max_sentences=max_sentences, depth=depth + 1)
        earlier_names = [m for m in self.names if m.kind == "name" and m.start < pos and not self.in_quote(m.start)]
        if earlier_names:
            return earlier_names[-1]
        frequent = [m for m in self.names if m.kind == "name" and self._freq.get(_key(m.text), 0) >= 2]
        earlier = [m for m in frequent if m.start < pos] or frequent
        return max(earlier, key=lambda m: self._freq.get(_key(m.text), 0)) if earlier else None

    def _plural_verb_after(self, pos: int) -> bool:
        """Whether the word after `pos` is a plural finite verb ("ze wezen", "zij zeggen"), making ze/zij plural."""
        i = self.word_index(pos)
        if i >= len(self.words):
            return False
        w = self.words[i].lower
        return w in _PLURAL_AUX or (w in FINITE and w.endswith("en"))

    def group_before(self, pos: int) -> str:
        """Names joined by commas and "en" in the sentence before `pos` ("Obreno, Roskam en Verhaeren"), as one
        speaker with each name in its fullest form; "" when there is none."""
        si = self.sentence_of(pos)
        for k in range(si - 1, max(-1, si - 3), -1):
            s, e = self.sentences[k]
            names = [m for m in self._names_in(s, e) if m.kind == "name" and not self.in_quote(m.start)]
            for a in range(len(names) - 1):
                group = [names[a]]
                for b in range(a + 1, len(names)):
                    gap = self.text[group[-1].end:names[b].start]
                    if re.fullmatch(r"\s*(?:,|en)\s+(?:[\w-]+\s+)?", gap) and len(gap) < 30:
                        group.append(names[b])
                        if gap.strip().startswith("en"):
                            break
                    else:
                        break
                if len(group) >= 2 and self.text[group[-2].end:group[-1].start].strip().startswith("en"):
                    full = [self.canonical_name(m) for m in group]
                    return ", ".join(full[:-1]) + " en " + full[-1]
        return ""

    def _candidates(self, start: int, end: int) -> list[Mention]:
        """Names, third-person pronouns and definite role descriptions ("de verdachte uit Almere") in
        [start, end), outside quotations, in text order."""
        out = [m for m in self._names_in(start, end) if m.kind == "name" and not self.in_quote(m.start)]
        taken = [(m.start, m.end) for m in out]
        said = self._said
        if said is not None:
            out = [m for m in out if not said[0] <= m.start < said[1]]
        words = self.words_in(start, end)
        for w in words:
            if self.in_quote(w.start) or any(s <= w.start < e for s, e in taken) \
                    or (said is not None and said[0] <= w.start < said[1]):
                continue
            if w.lower in {"hij", "zij", "ze"}:
                out.append(Mention(w.start, w.end, w.text, "pronoun"))
            elif w.lower in {"de", "het"} or (w.lower == "een" and w.start in self._sentence_start_set):
                # definite roles anywhere; an indefinite one as the subject that opens a sentence ("Een
                # deelneemster vertelt ...")
                m = self.mention_at(self.word_index(w.start))
                if m is not None and m.kind == "role" and m.end <= end:
                    out.append(m)
                    taken.append((m.start, m.end))
        return sorted(out, key=lambda m: m.start)

    def _after_preposition(self, pos: int) -> bool:
        """Whether the phrase at `pos` is the object of a preposition ("tegen de krant El Pais")."""
        i = self.word_index(pos) - 1
        # the name may follow a determiner, adjectives and a noun in apposition ("tegen de Spaanse krant El Pais")
        while i >= 0 and (self.words[i].lower in DETERMINERS or self.words[i].text[:1].isupper()
                          or self.words[i].lower.endswith(("se", "sche"))
                          or self.words[i].lower in roles.GROUP_SPEAKERS or roles.is_role_word(self.words[i].text)
                          or _org_family(self.words[i].lower) is not None) and i >= self.word_index(pos) - 5:
            if self.words[i].lower in _PREPOSITIONS:
                return True
            i -= 1
        return i >= 0 and self.words[i].lower in _PREPOSITIONS
    def _stripped_names(self) -> list[tuple[str, list[str]]]:
        """Every distinct name of the article without its roles, with its lower-case words (computed once)."""
        if self._stripped is None:
            seen = {_strip_roles(m.text) for m in self.names}
            self._stripped = [(full, full.lower().split()) for full in sorted(seen)]
        return self._stripped

    def canonical_name(self, mention: Mention) -> str:
        """The fullest form of a name in the article ("Blok" -> "Stef Blok", "WOW" -> the written-out name)."""
        text = _strip_roles(mention.text)
        if not text:
            return mention.text
        can = self.canonical.get((mention.start, mention.end))
        if can and len(can) >= len(text) and can.lower().endswith(text.lower().split()[-1]):
            text = can
        if text in self._acronyms:
            return self._acronyms[text]
        key = text.lower().split()
        if key and key[0] in {"de", "het"} and len(key) > 1:
            bare = key[1:]
        else:
            bare = key
        best = text
        # an organisation may be cut short from the end too ("De Süddeutsche" for "Süddeutsche Zeitung"): where
        # the text gives the name an article or the NER calls it an organisation
        short_org = bare is not key or mention.kind == "org"
        for full, toks in self._stripped_names():
            for cand in (key, bare):
                if cand and len(toks) > len(cand) and len(full) > len(best) and (
                        toks[-len(cand):] == cand or (short_org and cand is bare and toks[:len(cand)] == cand)):
                    best = full
        return best

    def resolve(self, mention: Mention, depth: int = 0, *, said: tuple[int, int] | None = None) -> str:
        """The canonical speaker for a mention: a name, or the fullest description with the same head noun.
        `said` is the span of what the speaker says: a role noun that speaks it does not stand for a name
        inside it ("Tectrade groeit, vindt de oprichter": the founder is not Tectrade)."""
        if said is not None and mention.kind == "role":
            self._said = said
            try:
                return self.resolve(mention, depth)
            finally:
                self._said = None
        if mention.kind == "pronoun":
            if mention.text.lower() in roles.PLURAL_PRONOUNS:
                return mention.text
            if mention.text.lower() in {"ze", "zij"} and self._plural_verb_after(mention.end):
                group = self.group_before(mention.start)
                return group if group else mention.text
            person = self.person_before(mention.start)
            if person is not None and person.kind == "role":
                return self.resolve(person, depth + 1) if depth < 3 else person.text
            return self.canonical_name(person) if person is not None else mention.text
        if mention.kind == "group_names":
            # several people named as one speaker ("Jan Van Dessel en Karel De Clercq"): each in its fullest form
            parts = [m for m in self.names if mention.start <= m.start and m.end <= mention.end and m.kind == "name"]
            if len(parts) >= 2:
                full = [self.canonical_name(m) for m in parts]
                return ", ".join(full[:-1]) + " en " + full[-1]
            return mention.text
        if mention.kind == "name" and _is_demonym_phrase(mention.text):
            # "de Braziliaan", "de Tadzjiek": a nationality that points back to the person the text is about
            person = self.person_before(mention.start, max_sentences=3)
            if person is not None and person.kind == "role" and depth < 3:
                return self.resolve(person, depth + 1)
            if person is not None and person.kind == "name" and not _is_demonym_phrase(person.text):
                return self.canonical_name(person)
            return mention.text
        if mention.kind in {"name", "org"}:
            return self.canonical_name(mention)
        head = _head_noun(mention.text)
        if not head:
            return mention.text
        first = mention.text.split()[0].lower()
        definite = first not in {"een", "sommige", "enkele", "twee", "drie", "veel"}
        possessive = first in {"zijn", "haar", "hun", "diens"}
        if mention.kind in {"group", "description"} and first in {"de", "het"} and len(mention.text.split()) == 2:
            org = self._organisation_before(head, mention.start)
            if org is not None:
                return self.canonical_name(org)
        if mention.kind == "role" and definite:
            person = self._person_with_role(head, mention.start)
            if person is not None:
                return self.canonical_name(person)
        fullest = self._fullest_description(head, mention)
        if mention.kind == "role" and definite and not possessive and fullest.lower() == mention.text.lower() \
                and head not in _UNNAMED_ROLES and depth == 0:
            # "De rechtshander uit Buenos Aires klom ...", "volgens de econoom", "zegt de topman": a definite role
            # nobody in the article bears by name points back to the person the text is about
            person = self.person_before(mention.start, max_sentences=2)
            if person is not None and person.kind != "role":
                return self.canonical_name(person)
        return fullest

    def _organisation_before(self, head: str, pos: int) -> Mention | None:
        """The organisation "het bedrijf", "de krant" or "de partij" at `pos` stands for: the nearest name in this or
        the two sentences before that the text gives a noun of the same kind ("de kwaliteitskrant Süddeutsche
        Zeitung", "Meubelgroep Dewaele"), else the nearest name the NER takes for an organisation."""
        family = _org_family(head)
        if family is None:
            return None
        si = self.sentence_of(pos)
        lo = self.sentences[max(0, si - 2)][0]
        k = bisect.bisect_left(self._name_starts, lo)
        typed: Mention | None = None
        labelled: Mention | None = None
        while k < len(self.names) and self.names[k].start < pos:
            m = self.names[k]
            k += 1
            if self.in_quote(m.start) or m.kind == "pronoun":
                continue
            i = self.word_index(m.start)
            near = [w.lower for w in self.words[max(0, i - 2):i]] + [self.words[i].lower]
            if any(_org_family(w) == family for w in near):
                typed = m
            elif m.kind == "org" or self._ent_label(m.start, m.end) == "ORG":
                labelled = m
        return typed or labelled

    def _roles_of_names(self) -> dict[tuple[int, int], list[str]]:
        """For each person name, the role families it is introduced with ("Minister Stef Blok" -> minister)."""
        if self._role_of is None:
            self._role_of = {}
            for m in self.names:
                if m.kind != "name":
                    continue
                i = self.word_index(m.start)
                found = []
                k = i - 1
                while k >= 0 and k >= i - 3:
                    wk = self.words[k]
                    if roles.is_role_word(wk.text):
                        found.append(wk.lower)
                        break
                    if not wk.text[:1].isalpha() or wk.lower in _NP_STOP or wk.lower in _PREPOSITIONS:
                        break  # "de burgemeester van Den Haag": the name after "van" does not bear the role
                    k -= 1
                found += [w.lower for w in self.words_in(m.start, m.end) if roles.is_role_word(w.text)]
                self._role_of[(m.start, m.end)] = [_role_family(r) for r in found]
        return self._role_of

    def _person_with_role(self, head: str, before: int) -> Mention | None:
        """A name introduced with a role of the same kind ("Minister Stef Blok" for "de bewindsman")."""
        family = _role_family(head)
        best: Mention | None = None
        role_of = self._roles_of_names()
        for m in self.names:
            if m.kind == "name" and family in role_of.get((m.start, m.end), ()):
                if best is None or m.start < before:
                    best = m
        return best

    def _fullest_description(self, head: str, mention: Mention) -> str:
        """The longest description in the article with the same head noun ("een woordvoerder van het ministerie")."""
        best = mention.text
        if head not in self._descriptions:
            pattern = re.compile(r"\b(?:een|de|het)\s+(?:[\w-]+\s+){0,2}?" + re.escape(head) + r"\b", re.IGNORECASE)
            found = []
            for m in pattern.finditer(self.text):
                desc = self.mention_at(self.word_index(m.start()))
                if desc is not None and desc.kind in {"role", "group", "description"} and _head_noun(desc.text) == head:
                    found.append(desc.text)
            self._descriptions[head] = found
        for desc_text in self._descriptions[head]:
            if len(desc_text) > len(best):
                best = desc_text
        if best[:1].isupper() and best.split()[0].lower() in DETERMINERS:
            best = best[0].lower() + best[1:]
        return best


# Plural finite verbs that make "ze"/"zij" plural, beyond the reporting verbs (whose plural forms end in -en).
_PLURAL_AUX = frozenset({"hebben", "zijn", "waren", "hadden", "zullen", "zouden", "willen", "wilden", "kunnen",
                         "konden", "moeten", "moesten", "gaan", "gingen", "worden", "werden", "lieten"})

# Roles that usually stand for someone the article never names ("de woordvoerster", "de politie").
_UNNAMED_ROLES = frozenset({"woordvoerder", "woordvoerster", "zegsman", "zegsvrouw", "voorlichter", "voorlichtster",
                            "agent", "getuige", "arts", "deskundige"})


# Demonyms too short or irregular for the endings below.
_DEMONYMS = frozenset({"belg", "brit", "ier", "rus", "turk", "pool", "zweed", "fin", "deen", "fransman",
                       "engelsman", "schot", "noor", "griek", "cubaan", "chileen", "peruaan", "thai"})
_DEMONYM_END = re.compile(r"(?:aan|aanse|ees|ese|ijn|ijnse|iër|ische|iek|ieke|ard|er|se|oen|ner|ier)$")


def _is_demonym_phrase(text: str) -> bool:
    """"de Braziliaan", "de Duitser", "de Tadzjiek": a definite article and one capitalised nationality noun."""
    parts = text.split()
    if len(parts) != 2 or parts[0].lower() not in {"de", "het"} or not parts[1][:1].isupper():
        return False
    word = parts[1].lower()
    return word in _DEMONYMS or (len(word) >= 5 and _DEMONYM_END.search(word) is not None
                                 and not word.endswith(("straat", "laan")))


# Nouns that stand for an organisation of one kind; a compound counts by its last part ("meubelgroep").
_ORG_FAMILIES = {
    "bedrijf": ("bedrijf", "onderneming", "concern", "groep", "firma", "maatschappij", "fabrikant", "producent",
                "holding", "multinational"),
    "krant": ("krant", "dagblad", "weekblad", "blad", "tijdschrift"),
    "partij": ("partij",),
    "club": ("club", "ploeg", "vereniging"),
    "bank": ("bank", "verzekeraar"),
}
_ORG_NOUN_FAMILY = {noun: family for family, nouns in _ORG_FAMILIES.items() for noun in nouns}


@lru_cache(maxsize=4096)
def _org_family(word: str) -> str | None:
    w = word.lower().rsplit("-", 1)[-1]
    for noun, family in _ORG_NOUN_FAMILY.items():
        if w.endswith(noun) and (len(w) == len(noun) or len(w) - len(noun) >= 3):
            return family
    return None


def _key(name: str) -> str:
    return name.split()[-1].lower() if name.split() else ""


_ROLES_SHORTEST_FIRST = sorted(roles.PERSON_ROLES, key=len)


@lru_cache(maxsize=8192)
def _role_family(word: str) -> str:
    """The kind of role a role word names: minister for "bewindsman", coach for "bondscoach"."""
    w = word.lower().rsplit("-", 1)[-1]
    if w in {"minister", "bewindsman", "bewindsvrouw", "bewindspersoon", "staatssecretaris"}:
        return "minister"
    if w in {"woordvoerder", "woordvoerster", "zegsman", "zegsvrouw", "voorlichter", "voorlichtster"}:
        return "woordvoerder"
    for role in _ROLES_SHORTEST_FIRST:
        if w.endswith(role):
            return role
    return w


def _head_noun(text: str) -> str:
    """The head of a description: its role or group word, else its last word before a complement."""
    words = [w for w in re.findall(r"[\w'’-]+", text.lower())]
    for w in words:
        if roles.is_role_word(w) or w in roles.GROUP_SPEAKERS:
            return w
    core = []
    for w in words:
        if w in _ATTACH:
            break
        core.append(w)
    return core[-1] if core else ""


def _strip_roles(name: str) -> str:
    """A name without the roles and titles in front of it ("Minister Stef Blok" -> "Stef Blok")."""
    parts = name.split()
    while len(parts) > 1 and (roles.is_role_word(parts[0]) or parts[0].lower() in roles.TITLES
                              or (parts[0].lower() in DETERMINERS  # but "De Morgan" is a surname
                                  and not (parts[0][:1].isupper() and parts[1][:1].isupper()
                                           and not parts[1].isupper()))
                              or not parts[0][:1].isalpha()
                              or (parts[0][:1].islower() and parts[0].lower() not in roles.NAME_PARTICLES)):
        parts = parts[1:]
    return " ".join(parts)

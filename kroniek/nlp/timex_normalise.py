"""Calendar arithmetic for time expressions: TIMEX3 values relative to an article date, tense cues, value ranges.

Everything here is pure: no spaCy, no text offsets. The article date (DCT) may be known to the day, the month or
only the year; what the DCT cannot pin stays X in the value ("2019-02-XX"), never an invented day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

from kroniek.model import ArticleDate
from kroniek.nlp.lang_nl import time_words as tw

Direction = Literal["past", "future", "present"]


@dataclass(frozen=True)
class Anchor:
    """The article date as the anchor of relative expressions; any part may be unknown (None)."""

    year: int | None
    month: int | None = None
    day: int | None = None

    @classmethod
    def of(cls, dct: ArticleDate | None) -> Anchor:
        if dct is None:
            return cls(None)
        return cls(dct.year, dct.month, dct.day)

    @property
    def date(self) -> dt.date | None:
        if self.year is None or self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    # --- days -------------------------------------------------------------------------------------------------

    def unknown_day(self) -> str:
        """The day the anchor cannot pin: as much of the DCT as is known, X for the rest."""
        y = f"{self.year:04d}" if self.year is not None else "XXXX"
        m = f"{self.month:02d}" if self.month is not None and self.year is not None else "XX"
        return f"{y}-{m}-XX"

    def day_offset(self, days: int) -> str:
        d = self.date
        if d is None:
            return self.unknown_day()
        return iso_day(d + dt.timedelta(days=days))

    def weekday(self, iso_weekday: int, direction: Direction) -> str:
        """The nearest such weekday strictly before (past) or strictly after (future, present) the DCT."""
        d = self.date
        if d is None:
            return self.unknown_day()
        delta = iso_weekday - d.isoweekday()
        if direction == "past":
            delta = delta - 7 if delta >= 0 else delta
        else:
            delta = delta + 7 if delta <= 0 else delta
        return iso_day(d + dt.timedelta(days=delta))

    # --- weeks ------------------------------------------------------------------------------------------------

    def week_offset(self, weeks: int) -> str:
        d = self.date
        if d is None:
            return f"{self.year:04d}-WXX" if self.year is not None else "XXXX-WXX"
        return iso_week(d + dt.timedelta(weeks=weeks))

    def weekend(self, direction: Direction, shift: int = 0) -> str:
        """The nearest weekend in the direction of the tense: the last one before a weekday DCT, or the coming one.

        On a Saturday or Sunday DCT "this weekend" is the current one either way; `shift` moves whole weeks.
        """
        d = self.date
        if d is None:
            return f"{self.year:04d}-WXX-WE" if self.year is not None else "XXXX-WXX-WE"
        in_weekend = d.isoweekday() >= 6
        weeks = 0 if in_weekend else (-1 if direction == "past" else 0)
        return iso_week(d + dt.timedelta(weeks=weeks + shift)) + "-WE"

    # --- months -----------------------------------------------------------------------------------------------

    def month_offset(self, months: int) -> str:
        if self.year is None:
            return "XXXX-XX"
        if self.month is None:
            return f"{self.year:04d}-XX"
        total = self.year * 12 + (self.month - 1) + months
        return f"{total // 12:04d}-{total % 12 + 1:02d}"

    def named_month(self, month: int, direction: Direction) -> str:
        """A month without a year: the nearest one in the direction of the tense (the DCT's own month counts)."""
        return f"{self.year_for_month(month, direction):04d}-{month:02d}" if self.year is not None \
            else f"XXXX-{month:02d}"

    def year_for_month(self, month: int, direction: Direction) -> int:
        assert self.year is not None
        if self.month is None:
            return self.year
        if direction == "past":
            return self.year if month <= self.month else self.year - 1
        return self.year if month >= self.month else self.year + 1

    def day_of_month(self, month: int, day: int, direction: Direction) -> str:
        """A day and a month without a year; 29 February goes to the nearest leap year in that direction."""
        if self.year is None:
            return f"XXXX-{month:02d}-{day:02d}"
        if self.month is None:
            year = self.year
        elif self.day is None:
            year = self.year_for_month(month, direction)
        else:
            ahead = (month, day) >= (self.month, self.day)
            behind = (month, day) <= (self.month, self.day)
            if direction == "past":
                year = self.year if behind else self.year - 1
            else:
                year = self.year if ahead else self.year + 1
        step = -1 if direction == "past" else 1
        if month == 2 and day == 29:
            while not calendar.isleap(year):
                year += step
        return f"{year:04d}-{month:02d}-{day:02d}"

    # --- years, seasons, decades ------------------------------------------------------------------------------

    def year_offset(self, years: int) -> str:
        return f"{self.year + years:04d}" if self.year is not None else "XXXX"

    def season(self, code: str, direction: Direction, shift: int = 0) -> str:
        """A season without a year: the current one if the DCT is in it, else the nearest in the tense's way."""
        if self.year is None:
            return f"XXXX-{code}"
        if self.month is None:
            return f"{self.year + shift:04d}-{code}"
        first, last = tw.SEASON_MONTHS[code]
        m = self.month
        year = self.year
        if code == "WI" and m <= 2:
            m += 12
            year -= 1
        if first <= m <= last:
            pass
        elif direction == "past":
            year = year if m > last else year - 1
        else:
            year = year if m < first else year + 1
        return f"{year + shift:04d}-{code}"

    def decade(self, digit: int) -> str:
        """A decade named by its tens ("de jaren negentig"): the latest such decade that has begun by the DCT."""
        year = self.year if self.year is not None else dt.date.today().year
        century = year // 100
        if century * 100 + digit * 10 > year:
            century -= 1
        return f"{century:02d}{digit}"

    def century_offset(self, centuries: int) -> str:
        if self.year is None:
            return "XX"
        return f"{(self.year // 100) + centuries:02d}"


def iso_day(d: dt.date) -> str:
    return d.isoformat()


def iso_week(d: dt.date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_day(value: str) -> dt.date | None:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def easter(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def duration(amount: float | None, unit: str) -> str:
    """A TIMEX3 duration value from an amount (None: vague) and a unit code of time_words.UNITS."""
    if unit == "TQ":  # quarters of an hour
        return "PTXM" if amount is None else "PT" + _num(amount * 15) + "M"
    if unit == "H":  # half years
        return "PXM" if amount is None else "P" + _num(amount * 6) + "M"
    if unit == "Q":  # quarters of a year
        return "PXM" if amount is None else "P" + _num(amount * 3) + "M"
    time_unit = unit.startswith("T")
    code = unit[1:] if time_unit else unit
    if unit == "TH" and amount is not None and amount > 1 and amount * 2 == int(amount * 2) and amount != int(amount):
        return f"PT{int(amount)}H30M"  # drieënhalf uur: PT3H30M
    if amount is not None and amount != int(amount):  # halves: go one unit down where that is exact
        smaller: dict[str, tuple[int, str, bool]] = {"Y": (12, "M", False), "TH": (60, "M", True),
                                                     "D": (24, "H", True), "CE": (100, "Y", False),
                                                     "DE": (10, "Y", False)}
        if unit in smaller:
            factor, code, time_unit = smaller[unit]
            amount = amount * factor
    prefix = "PT" if time_unit else "P"
    return prefix + ("X" if amount is None else _num(amount)) + code


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


# --- tense ----------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_WEAK_PAST = re.compile(r"^[a-zà-ÿ]{2,}(?:de|te)$")
_WEAK_PAST_PLURAL = re.compile(r"^[a-zà-ÿ]{2,}(?:den|ten)$")
_PARTICIPLE = re.compile(r"^(?:[a-zà-ÿ]*ge[a-zà-ÿ]{2,}(?:d|t|en|n)|(?:be|ver|ont|her|er)[a-zà-ÿ]{1,}(?:d|t|en|aan)"
                         r"|(?:onder|over|door|mis)[a-zà-ÿ]{1,}(?:en|aan))$")
_DETERMINERS = frozenset("de het een deze die dit dat zijn haar hun ons onze mijn jouw uw elke iedere ieder welke "
                         "geen veel vele alle enkele twee drie vier meer".split())
_ARTICLES = frozenset("de het een deze die dit dat".split())
_PRONOUNS = frozenset("ik je jij hij zij ze we wij men u jullie".split())
_PASSIVE = frozenset({"wordt", "worden", "word"})
_PRONOUN_DETERMINERS = frozenset({"het", "dat", "die", "dit", "deze"})
# Words that follow a verb rather than an adjective; "" stands for the end of the clause.
_FUNCTION_WORDS = frozenset("op in aan met voor bij naar uit van over door om tot de het een er al zich niet ook toen "
                            "dan nog wel daar hier zo zij ze hij hem haar ons hen hun mij me je u wat dat die geen "
                            "alleen echter eerst pas later gisteren vorig vorige zaterdag zondag maandag dinsdag "
                            "woensdag donderdag vrijdag vaak nooit altijd".split()) | {""}
_NOT_PARTICIPLE = frozenset("gebied gezicht gewicht gedicht gevecht gebed gesprek gebit gezondheid gelegenheid "
                            "gemeente gewest genoegen gevolgen gebergte gedeelte gebouwen gebieden geleden "
                            "gegeven gelegen genoeg gewoon gemiddeld gedurende geheel gerecht gehucht gezin "
                            "geen gevaren geval gevallen geweten bericht beleid besluit bestand verband verschil "
                            "verstand verzet bezit bedrijf bestuur verlof verkeerd belang verhaal bewijs overleg "
                            "onderzoek overzicht verslag verdrag verbond bestaan verleden ontwerp doorbraak "
                            "gebeuren begin bedoeling vervolg verkeer hersteld verder verdient".split())
# Words that open a subordinate clause: its tense is its own, not that of the main clause.
_SUBORDINATORS = frozenset("dat die wat waar waarin waarbij waarop waarmee waardoor toen omdat nadat als terwijl "
                           "hoewel zodat zodra voordat tenzij doordat aangezien zoals indien mits wie welke "
                           "sinds".split())
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]–—\"“”„]|\s-\s|''|,,")

@dataclass(frozen=True)
class Cue:
    """A word that shows the tense of its clause: where it is (character offset) and which way it points."""

    position: int
    direction: Direction
    clause: int = 0


def _is_weak_past(word: str, low: str, prev_word: str, first: bool, next_word: str = "") -> bool:
    prev = prev_word.lower()
    if low in tw.ORDINALS:  # "De WOW vierde ...": an ordinal after a name or a pronoun is a past verb
        return prev in _PRONOUNS or (prev_word[:1].isupper() and prev not in _DETERMINERS)
    if len(low) < 5 or low in tw.NOT_PAST or low in tw.UNITS or low.endswith("einde"):
        return False
    if low.endswith(("ende", "enden", "heden")) or (not first and word[:1].isupper()):
        return False
    if _WEAK_PAST.match(low):
        if prev in _PRONOUN_DETERMINERS:  # "het gebeurde op", "die tegenviel": a subject, not an article
            return next_word in _FUNCTION_WORDS
        return prev not in _DETERMINERS
    if _WEAK_PAST_PLURAL.match(low) and not low.startswith("ge") and prev not in _DETERMINERS:
        # No infinitive ends in -kten, -pten or -ften (werkten, stopten, ontploften); other -den/-ten forms are read
        # as infinitives (worden, wachten). An earlier version looked those up in spacy-lookups-data's lemma table,
        # but that table is keyed by string hashes, so the lookup never matched and only cost a second of loading;
        # the behaviour that was measured is kept.
        return low.endswith(("kten", "pten", "ften"))
    return False


def verb_tense(low: str, lemma: str) -> Direction | None:
    """Whether a word is a past or a present finite verb, judged from its lemma (the lemma table's infinitive).

    Past: a weak past plural (speelden, werkten: -den/-ten) whose lemma is another word ending in -en (spelen);
    an infinitive (worden, wachten) or a plural noun (kranten -> krant) is not one. Present: the second or third
    person singular, the stem of the infinitive plus -t (trekt: trekken, maakt: maken, leeft: leven, vindt:
    vinden); a participle that ends in -t but has another stem (verkocht: verkopen) is not one.
    """
    if not lemma.endswith("n") or lemma == low or len(low) < 4 or low.startswith("ge"):
        return None
    if _WEAK_PAST_PLURAL.match(low):
        return "past" if lemma.endswith("en") and lemma[:3] == low[:3] else None
    if low.endswith("t"):
        stems = _stems(lemma)
        return "present" if low[:-1] in stems or (low in stems and low.endswith("t")) else None
    return None


@functools.lru_cache(maxsize=16384)
def _stems(infinitive: str) -> frozenset[str]:
    """The present stems an infinitive may have in writing: trekken -> trek, maken -> maak, leven -> leef, lezen ->
    lees, vinden -> vind, staan -> sta / staa."""
    x = infinitive[:-1] if infinitive.endswith(("aan", "oen", "ien")) else infinitive[:-2]
    out = {x}
    if len(x) >= 2 and x[-1] == x[-2]:
        out.add(x[:-1])  # trekk -> trek
    if len(x) >= 3 and x[-2] in "aeou" and x[-3] not in "aeiou":
        doubled = x[:-1] + x[-2] + x[-1]  # mak -> maak, won -> woon
        out.add(doubled)
        out.update(v[:-1] + {"v": "f", "z": "s"}[v[-1]] for v in (doubled,) if v[-1] in "vz")
    out.update(v[:-1] + {"v": "f", "z": "s"}[v[-1]] for v in list(out) if v and v[-1] in "vz")
    return frozenset(out)


def tense_cues(sentence: str, offset: int = 0, past_words: set[int] | None = None,
               present_words: set[int] | None = None) -> list[Cue]:
    """Past, future and present cues in a sentence, found from word forms alone (no parser).

    Past: frequent strong past forms, weak past forms (-de/-te, not after a determiner, not in the list of
    look-alike nouns and adjectives; plural -den/-ten ending in -kten, -pten or -ften), and a perfect auxiliary
    together with a past participle (not in a passive with worden). Future: zullen (and zou: the future seen from
    the past), gaan. Present: the frequent irregular present forms (is, wordt, heeft, kan ...). `past_words` and
    `present_words` add the offsets of words known from elsewhere (a tagger, the lemma table) to be past or
    present finite verbs. Each cue carries the number of its clause (stretches between commas, brackets, quotes,
    dashes).
    """
    words = [(m.start(), m.group()) for m in _WORD.finditer(sentence)]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]
    lows = {w.lower() for _, w in words}
    has_aux = bool(lows & tw.PERFECT_AUXILIARIES) and not (lows & _PASSIVE and not lows & {"heeft", "hebben",
                                                                                           "had", "hadden"})
    cues: list[Cue] = []
    prev, prev_word = "", ""
    for i, (pos, word) in enumerate(words):
        low = word.lower()
        clause = sum(1 for b in breaks if b < pos)
        direction: Direction | None = None
        if low in tw.FUTURE_CUES:
            direction = "future"
        elif low in tw.PAST_FORMS or (past_words and pos + offset in past_words):
            direction = "past"
        elif _is_weak_past(word, low, prev_word, i == 0, _next_word(words, i, breaks)):
            direction = "past"
        elif has_aux and _PARTICIPLE.match(low) and len(low) >= 6 and low not in _NOT_PARTICIPLE \
                and not low.endswith(("heid", "ing", "ig")) and prev not in _ARTICLES:
            direction = "past"
        elif low in tw.PRESENT_FORMS or (present_words and pos + offset in present_words):
            direction = "present"
        if direction:
            cues.append(Cue(pos + offset, direction, clause))
        prev, prev_word = low, word
    return cues


def _next_word(words: list[tuple[int, str]], i: int, breaks: list[int]) -> str:
    """The next word in the same clause, lower-cased, or "" at the end of the clause."""
    if i + 1 >= len(words):
        return ""
    pos, nxt = words[i + 1]
    if any(words[i][0] < b < pos for b in breaks):
        return ""
    return nxt.lower()


def clause_starts(sentence: str, offset: int = 0) -> list[tuple[int, bool]]:
    """For each clause of a sentence: its start offset and whether it opens with a subordinating word."""
    out = []
    start = 0
    for m in list(_CLAUSE_BREAK.finditer(sentence)) + [None]:
        end = m.start() if m else len(sentence)
        first = _WORD.search(sentence, start, end) if end > start else None
        out.append((start + offset, bool(first and first.group().lower() in _SUBORDINATORS)))
        if m:
            start = m.end()
    return out


def direction_at(cues: list[Cue], position: int, clauses: list[tuple[int, bool]] | None = None) -> Direction:
    """The tense at a position: the nearest past or future cue in its own clause, else a present verb there (a
    clause in the present tense does not take the tense of its neighbours: "Zaterdag ging de partij akkoord:
    in juni trekt ze naar de kiezer"); failing both, for a main clause, the nearest cue in the other main clauses
    of the sentence; else the present."""
    if not cues:
        return "present"
    if not clauses:
        return min(cues, key=lambda c: (c.direction == "present", abs(c.position - position))).direction
    here = sum(1 for s, _ in clauses[1:] if s <= position)
    own = [c for c in cues if c.clause == here]
    if own:
        return min(own, key=lambda c: (c.direction == "present", abs(c.position - position))).direction
    if clauses[here][1]:
        return "present"
    main = [c for c in cues if not clauses[c.clause][1]]
    if main:
        return min(main, key=lambda c: abs(c.position - position)).direction
    return "present"


# --- value ranges ---------------------------------------------------------------------------------------------

_SEASON_RANGE = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def value_range(value: str) -> tuple[dt.date, dt.date] | None:
    """The calendar period (first and last day) a TIMEX3 value denotes, or None where it names no fixed period.

    "2018-05" is May 2018; "2019-W07" its ISO week; "2019-02-XX" (a day the article date could not pin) the month;
    "2014-SU" June to August; "199" (or "199X") the 1990s; "19" (or "19XX") 1900-1999; vague values, durations and sets give None.
    """
    v = value.split("T", 1)[0] if "T" in value and not value.startswith("P") else value
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v):
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return d, d
        if m := re.fullmatch(r"(\d{4})-(\d{2})(?:-XX)?", v):
            y, mo = int(m[1]), int(m[2])
            return dt.date(y, mo, 1), _month_end(y, mo)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})(-WE)?", v):
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            if m[3]:
                return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
            return monday, monday + dt.timedelta(days=6)
        if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|AU|WI)", v):
            y = int(m[1])
            first, last = _SEASON_RANGE["FA" if m[2] == "AU" else m[2]]
            end_year, end_month = (y + 1, last - 12) if last > 12 else (y, last)
            return dt.date(y, first, 1), _month_end(end_year, end_month)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", v):
            y, q = int(m[1]), int(m[2])
            return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
        if m := re.fullmatch(r"(\d{4})-H([12])", v):
            y, h = int(m[1]), int(m[2])
            return dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h)
        if m := re.fullmatch(r"(\d{4})(?:-XX(?:-XX)?|-WXX)?", v):
            y = int(m[1])
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if m := re.fullmatch(r"(\d{3})X?", v):
            y = int(m[1]) * 10
            return dt.date(max(y, 1), 1, 1), dt.date(y + 9, 12, 31)
        if m := re.fullmatch(r"(\d{2})(?:XX)?", v):
            y = int(m[1]) * 100
            return dt.date(max(y, 1), 1, 1), dt.date(y + 99, 12, 31)
    except ValueError:
        return None
    return None

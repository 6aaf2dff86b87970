"""The rules that find Dutch time expressions in text and give each its TIMEX3 type and value.

Each rule is a regular expression over the text and a builder that turns a match into zero or more expressions,
using the article date (an `Anchor`) and the tense around the match. The finder (`time_expressions.find_timexes`)
runs every rule, keeps the longest non-overlapping matches, and fills in clock times last.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kroniek.nlp import timex_normalise as tn
from kroniek.nlp.lang_nl import time_words as tw
from kroniek.nlp.regex_start import first_class, first_two_classes, prefix_regex

DAY_SLOT = "{DAY}"  # a clock time waits for the day it belongs to (filled by the finder)


@dataclass
class Found:
    """One expression a rule produced: offsets, TIMEX3 type and value."""

    start: int
    end: int
    type: str
    value: str


@dataclass
class Context:
    """What a builder may consult: the text, the anchor, and the tense at a position."""

    text: str
    anchor: tn.Anchor
    direction: Callable[[int], tn.Direction]
    cache: dict[str, object] = field(default_factory=dict)

    def word_before(self, pos: int) -> str:
        m = re.search(r"([^\W\d_]+|['’]s)\W*$", self.text[max(0, pos - 30):pos])
        return m.group(1).lower() if m else ""

    def word_after(self, pos: int) -> str:
        m = re.match(r"\W*([^\W\d_]+)", self.text[pos:pos + 30])
        return m.group(1).lower() if m else ""


Builder = Callable[[re.Match[str], Context], list[Found]]


def _alt(words: object) -> str:
    """A regex matching any of the words (a space in one matches any run of white space), longest first.

    Written as a trie (`(?:a(?:pril|ug(?:ustus)?)|...)`) rather than a flat list: the regex engine then sets out
    on the one branch a text's next character fits instead of entering every word in turn. Each node tries its
    longer continuations before it ends a word, so where several words match, the longest is still taken first, as
    in a flat list sorted by length.
    """
    trie: dict[str, dict] = {}
    for word in {str(w) for w in words}:  # type: ignore[attr-defined]
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return "(?:" + _trie_regex(trie) + ")"


def _trie_regex(node: dict[str, dict]) -> str:
    branches = [(r"\s+" if ch == " " else re.escape(ch)) + _trie_regex(node[ch]) for ch in sorted(node) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word may end here: a greedy optional tries the longer words first
        return (body if len(branches) > 1 else f"(?:{body})") + "?"
    return body


B, E = r"(?<![\w'’])", r"(?![\w]|-[^\W\d])"  # not inside a word, nor before a hyphenated word part
MONTH = _alt(tw.MONTHS)
ABBR = _alt(tw.MONTH_ABBREVIATIONS)
WD = _alt(tw.WEEKDAYS)
PART = _alt(tw.PARTS_OF_DAY)
NUMW = _alt(tw.NUMBERS)
UNIT = _alt(tw.UNITS)
PLURAL = _alt(tw.PLURAL_UNITS)
SEASON = _alt(tw.SEASONS)
DECW = _alt(tw.DECADE_WORDS)
ORDW = _alt(tw.ORDINALS)
MODS = _alt(tw.PAST_MODIFIERS + tw.THIS_MODIFIERS + tw.NEXT_MODIFIERS)
RELYEAR = rf"{MODS}\s+jaar"
POS = (r"(?:(?:(?:het\s+)?(?:begin|eind|einde|midden)(?:\s+van)?|medio|half|halverwege|vanaf\s+begin)\s+"
       r"|(?:begin|eind|medio|half)-)")
AMOUNT = (rf"(?:\d+(?:,\d+)?|{NUMW}(?:[eë]nhalf|\s+en\s+een\s+half)?|anderhalf|anderhalve|een\s+half|een\s+halve"
          r"|driekwart|een\s+kwart|half|halve)")
QMOD = _alt(tw.QUANTITY_MODIFIERS + ("de afgelopen", "de voorbije", "de komende", "de volgende", "de laatste",
                                     "de eerste", "die eerste", "het afgelopen", "het komende", "de ruim"))
VAGUE = _alt(tw.VAGUE_QUANTITIES)
YEAR4 = r"(?:1[0-9]\d\d|20\d\d)"
NOT_YEAR_AFTER = re.compile(
    r"\s*(?:euro|gulden|dollar|pond|frank|mark|yen|meter|m\b|km|kilometer|kilo|kg|gram|ton|liter|procent|%|"
    r"mensen|man\b|vrouwen|kinderen|inwoners|leden|soldaten|doden|slachtoffers|stuks|exemplaren|punten|woningen|"
    r"huizen|banen|keer|stemmen|toeschouwers|bezoekers|deelnemers|agenten|uur|minuten|seconden|dagen|jaar|"
    r"plaatsen|tickets|kaarten|bedden|auto's|medewerkers|werknemers|zetels|km/u|pk|cc|mg)", re.IGNORECASE)

_RULES: list[tuple[str, re.Pattern[str], Builder]] = []


def _guarded(pattern: str) -> str:
    """The pattern behind a lookahead on the characters a match can start with.

    The lookahead only rejects positions where the pattern cannot match, so matches are unchanged; it saves the
    regex engine trying every case-insensitive alternative at each of the text's characters (the bulk of the cost).
    """
    cls = first_class(pattern)
    return pattern if cls is None else f"(?={cls})" + pattern


# rule name -> (first_class, first_two_classes or first_class), for the rules whose matches begin at a word start
_WORD_START: dict[str, tuple[str, str]] = {}
_PREFIX: dict[str, str] = {}  # rule name -> its pattern, for the same rules (read by word_start_prefix)


def rule(name: str, pattern: str) -> Callable[[Builder], Builder]:
    """Register a builder for a pattern (case-insensitive)."""
    def wrap(fn: Builder) -> Builder:
        _RULES.append((name, re.compile(_guarded(pattern), re.IGNORECASE), fn))
        cls = first_class(pattern)
        if pattern.startswith(B) and cls is not None:
            _WORD_START[name] = (cls, first_two_classes(pattern) or cls)
            _PREFIX[name] = pattern
        return fn
    return wrap


def rules() -> list[tuple[str, re.Pattern[str], Builder]]:
    return list(_RULES)


def word_start_prefix(name: str, length: int = 3) -> str | None:
    """For a rule whose matches start only where `B` holds: a regex the first `length` characters of the text at
    each of its matches fit (regex_start.prefix_regex), or None where that is not known. Worked out on first
    use (the scanner's), not at import."""
    pattern = _PREFIX.get(name)
    return None if pattern is None else _prefix_of(pattern, length)


@functools.cache
def _prefix_of(pattern: str, length: int) -> str | None:
    return prefix_regex(pattern, length)


def word_start_classes(name: str) -> tuple[str, str] | None:
    """For a rule whose matches start only where `B` holds: the class of their first character, and a regex their
    first two characters fit (the same class where that is unknown)."""
    return _WORD_START.get(name)


# --- helpers --------------------------------------------------------------------------------------------------

def amount_of(text: str | None) -> float | None:
    """The number an amount phrase says: digits, Dutch number words, halves."""
    if not text:
        return None
    t = re.sub(r"\s+", " ", text.lower().strip())
    if t in ("anderhalf", "anderhalve"):
        return 1.5
    if t in ("een half", "een halve", "half", "halve"):
        return 0.5
    if t == "driekwart":
        return 0.75
    if t == "een kwart":
        return 0.25
    if t.endswith(("enhalf", "ënhalf")) and t[:-6] in tw.NUMBERS:  # drieënhalf, vijfenhalf
        return tw.NUMBERS[t[:-6]] + 0.5
    if t.endswith(" en een half"):
        base = amount_of(t[: -len(" en een half")])
        return None if base is None else base + 0.5
    if re.fullmatch(r"\d+(?:,\d+)?", t):
        return float(t.replace(",", "."))
    return float(tw.NUMBERS[t]) if t in tw.NUMBERS else None


def unit_of(word: str) -> str:
    return tw.UNITS[re.sub(r"\s+", " ", word.lower())]


def modifier_shift(mod: str | None) -> int | None:
    """-1 for a backward modifier (vorige), 0 for this (deze), +1 for next (volgende); None without one."""
    if not mod:
        return None
    m = mod.lower().rstrip(".")
    if m in tw.PAST_MODIFIERS:
        return -1
    if m in tw.NEXT_MODIFIERS:
        return 1
    return 0


def shift_direction(shift: int | None, ctx: Context, pos: int) -> tn.Direction:
    if shift == -1:
        return "past"
    if shift == 1:
        return "future"
    return ctx.direction(pos)


def tense_at(m: re.Match[str], ctx: Context) -> tn.Direction:
    """The tense at a match; "sinds maandag", "sinds januari" always look back."""
    if ctx.word_before(m.start()) == "sinds":
        return "past"
    return ctx.direction(m.start())


def relative_year(rel: str, anchor: tn.Anchor) -> int | None:
    mod = rel.split()[0]
    if anchor.year is None:
        return None
    return anchor.year + (modifier_shift(mod) or 0)


def offset_value(anchor: tn.Anchor, unit: str, n: float) -> str | None:
    """The date n units away from the DCT (negative: before), or None where that is not a calendar date."""
    if n != int(n):
        return None
    k = int(n)
    if unit == "D":
        return anchor.day_offset(k)
    if unit == "W":
        return anchor.week_offset(k)
    if unit == "M":
        return anchor.month_offset(k)
    if unit == "Y":
        return anchor.year_offset(k)
    if unit == "DE":
        return anchor.year_offset(10 * k)
    return None


def at(m: re.Match[str], group: str | int, type_: str, value: str) -> Found:
    return Found(m.start(group), m.end(group), type_, value)


# --- absolute dates -------------------------------------------------------------------------------------------

@rule("numeric-date", rf"{B}(?P<d>\d{{1,2}})[-/.](?P<m>\d{{1,2}})[-/.](?P<y>\d{{4}}){E}(?![-/.]\d)")
def _numeric_date(m: re.Match[str], ctx: Context) -> list[Found]:
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    return [at(m, 0, "DATE", f"{y:04d}-{mo:02d}-{d:02d}")] if tn.valid_day(y, mo, d) else []


@rule("iso-date", rf"{B}(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}}){E}")
def _iso_date(m: re.Match[str], ctx: Context) -> list[Found]:
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    return [at(m, 0, "DATE", f"{y:04d}-{mo:02d}-{d:02d}")] if tn.valid_day(y, mo, d) else []


def _day_month_value(ctx: Context, pos: int, day: int, month: int, year: str | None, rel: str | None) -> str | None:
    if year:
        y = int(year)
    elif rel:
        ry = relative_year(rel, ctx.anchor)
        if ry is None:
            return f"XXXX-{month:02d}-{day:02d}"
        y = ry
    else:
        if not 1 <= day <= 31:
            return None
        direction: tn.Direction = "past" if ctx.word_before(pos) == "sinds" else ctx.direction(pos)
        return ctx.anchor.day_of_month(month, day, direction)
    return f"{y:04d}-{month:02d}-{day:02d}" if tn.valid_day(y, month, day) else None


@rule("day-month", rf"{B}(?:(?P<wd>{WD})\s*,?\s+)?(?P<day>\d{{1,2}})(?:e|ste|de)?\s+(?P<month>{MONTH}|{ABBR}\.?)"
                   rf"(?:\s+(?P<year>{YEAR4})|\s+(?:van\s+)?(?P<rel>{RELYEAR}))?{E}")
def _day_month(m: re.Match[str], ctx: Context) -> list[Found]:
    word = m["month"].lower().rstrip(".")
    month = tw.MONTHS.get(word) or tw.MONTH_ABBREVIATIONS[word]
    day = int(m["day"])
    value = _day_month_value(ctx, m.start(), day, month, m["year"], m["rel"])
    a = ctx.anchor
    if m["wd"] and not m["year"] and not m["rel"] and a.year is not None and value:
        # "zondag 3 februari": the year nearest the DCT in which that day is that weekday
        wd = tw.WEEKDAYS[m["wd"].lower()]
        ref = tn.dt.date(a.year, a.month or 7, a.day or 1)
        fits = [tn.dt.date(y, month, day) for y in (a.year - 1, a.year, a.year + 1)
                if tn.valid_day(y, month, day) and tn.dt.date(y, month, day).isoweekday() == wd]
        if fits:
            value = min(fits, key=lambda d: abs((d - ref).days)).isoformat()
    return [at(m, 0, "DATE", value)] if value else []


@rule("day-range", rf"{B}(?P<d1>\d{{1,2}})\s*(?:tot\s+en\s+met|t/m|tot|-|–|en|of)\s*(?P<x>(?P<day>\d{{1,2}})\s+"
                   rf"(?P<month>{MONTH})(?:\s+(?P<year>{YEAR4}))?){E}")
def _day_range(m: re.Match[str], ctx: Context) -> list[Found]:
    month = tw.MONTHS[m["month"].lower()]
    out = []
    for group, day in (("d1", int(m["d1"])), ("x", int(m["day"]))):
        value = _day_month_value(ctx, m.start(), day, month, m["year"], None)
        if value:
            out.append(at(m, group, "DATE", value))
    return out


@rule("month-year", rf"{B}(?:{POS})?(?:de\s+maand\s+)?(?P<month>{MONTH})\s+(?:van\s+)?(?:(?P<year>{YEAR4})|"
                    rf"['’](?P<yy>\d\d)|(?:het\s+)?(?P<rel>{RELYEAR})){E}")
def _month_year(m: re.Match[str], ctx: Context) -> list[Found]:
    month = tw.MONTHS[m["month"].lower()]
    if m["year"]:
        year: int | None = int(m["year"])
    elif m["yy"]:
        year = _two_digit_year(int(m["yy"]), ctx)
    else:
        year = relative_year(m["rel"], ctx.anchor)
    return [at(m, 0, "DATE", f"{year:04d}-{month:02d}" if year is not None else f"XXXX-{month:02d}")]


@rule("year-month", rf"{B}(?:{POS})?(?P<rel>{RELYEAR})\s+(?:in\s+)?(?P<month>{MONTH}){E}")
def _year_month(m: re.Match[str], ctx: Context) -> list[Found]:
    month = tw.MONTHS[m["month"].lower()]
    year = relative_year(m["rel"], ctx.anchor)
    return [at(m, 0, "DATE", f"{year:04d}-{month:02d}" if year is not None else f"XXXX-{month:02d}")]


@rule("month", rf"{B}(?:{POS})?(?:(?P<mod>{MODS})\s+)?(?:de\s+maand\s+)?(?P<month>{MONTH}){E}")
def _month(m: re.Match[str], ctx: Context) -> list[Found]:
    month = tw.MONTHS[m["month"].lower()]
    shift = modifier_shift(m["mod"])
    if m["month"].lower() == "mei" and m["month"][0].isupper() and not m["mod"] and m.start() == m.start("month"):
        after = ctx.text[m.end():m.end() + 2]
        if after[:1] == " " and after[1:2].isupper():  # "Mei Li": a name, not the month
            return []
    direction = shift_direction(shift, ctx, m.start()) if shift else tense_at(m, ctx)
    return [at(m, 0, "DATE", ctx.anchor.named_month(month, direction))]


def _two_digit_year(yy: int, ctx: Context) -> int:
    base = ctx.anchor.year or 2000
    year = (base // 100) * 100 + yy
    return year - 100 if year > base + 10 else year


@rule("year", rf"{B}(?:{POS})?(?:het\s+jaar\s+)?(?P<year>{YEAR4}){E}")
def _year(m: re.Match[str], ctx: Context) -> list[Found]:
    before = ctx.text[max(0, m.start() - 2):m.start()]
    after = ctx.text[m.end():m.end() + 2]
    if any(c in before for c in "€$ƒ#") or re.match(r"[.,:]\d", after) or NOT_YEAR_AFTER.match(ctx.text, m.end()) \
            or re.search(r"\d[-/.]$", before):
        return []
    if ctx.word_before(m.start()) in ("nummer", "nr", "fl", "artikel", "pagina", "blz", "kamer", "postcode"):
        return []
    return [at(m, 0, "DATE", m["year"])]


@rule("short-year", rf"{B}(?P<prep>in|sinds|van|tot|na|voor|eind|begin|medio|zomer|winter|voorjaar|najaar|"
                    rf"lente|herfst|seizoen)\s+(?P<x>['’](?P<yy>\d\d)){E}")
def _short_year(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, "x", "DATE", f"{_two_digit_year(int(m['yy']), ctx):04d}")]


@rule("decade", rf"{B}(?:{POS})?(?:de\s+)?jaren\s+(?P<a>['’]?(?P<dd>\d)0|(?P<full>1\d|20)(?P<fd>\d)0|(?P<dw>{DECW}))"
                rf"(?:\s+en\s+(?P<b>['’]?(?P<dd2>\d)0|(?P<dw2>{DECW})))?{E}")
def _decade(m: re.Match[str], ctx: Context) -> list[Found]:
    def value(dd: str | None, full: str | None, fd: str | None, dw: str | None) -> str:
        if full and fd:
            return f"{full}{fd}"
        digit = int(dd) if dd else tw.DECADE_WORDS[(dw or "").lower()]
        return ctx.anchor.decade(digit)

    first = value(m["dd"], m["full"], m["fd"], m["dw"])
    out = [Found(m.start(), m.end("a"), "DATE", first)]
    if m["b"]:
        second = value(m["dd2"], m["full"], None, m["dw2"]) if not m["full"] else first[:2] + (m["dd2"] or "0")
        out.append(at(m, "b", "DATE", second))
    return out


@rule("decade-er", rf"{B}(?:{POS})?(?:de\s+)?(?P<dw>{DECW})er\s+jaren{E}")
def _decade_er(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, 0, "DATE", ctx.anchor.decade(tw.DECADE_WORDS[m["dw"].lower()]))]


@rule("century", rf"{B}(?:{POS})?(?:de\s+)?(?:(?P<ord>{ORDW})|(?P<num>\d{{1,2}})(?:ste|de|e))\s+eeuw{E}")
def _century(m: re.Match[str], ctx: Context) -> list[Found]:
    n = tw.ORDINALS[m["ord"].lower()] if m["ord"] else int(m["num"])
    return [at(m, 0, "DATE", f"{n - 1:02d}")] if 1 <= n <= 22 else []


@rule("part-of-year", rf"{B}(?:het\s+|de\s+)?(?P<ord>eerste|tweede|derde|vierde|laatste)\s+(?P<unit>kwartaal|halfjaar|"
                      rf"helft)(?:\s+(?:van\s+)?(?:(?P<year>{YEAR4})|(?P<rel>{RELYEAR})|(?P<this>het\s+jaar)))?{E}")
def _part_of_year(m: re.Match[str], ctx: Context) -> list[Found]:
    """A quarter or half of a year: "het tweede kwartaal van 2002", "de eerste helft van het jaar"; without a year
    ("in het tweede kwartaal") the nearest such quarter or half in the direction of the tense."""
    unit = m["unit"].lower()
    count = 4 if unit == "kwartaal" else 2
    n = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}.get(m["ord"].lower(), count)
    if n > count:
        return []
    a = ctx.anchor
    if m["year"]:
        year: int | None = int(m["year"])
    elif m["rel"]:
        year = relative_year(m["rel"], a)
    elif m["this"]:
        year = a.year
    elif unit == "helft" or not re.match(r"(?:het|de)\s", m.group(), re.IGNORECASE) \
            or ctx.word_after(m.end()) == "van":
        # "de tweede helft" of a match; "tweede kwartaal" without an article is a heading or a count; "het eerste
        # halfjaar van Bellaart" is a stretch of someone's time (a duration, see relative-period)
        return []
    elif a.year is None or a.month is None:
        year = a.year
    else:
        current = (a.month - 1) * count // 12 + 1
        direction = tense_at(m, ctx)
        if direction == "past":
            year = a.year if n <= current else a.year - 1
        else:
            year = a.year if n >= current else a.year + 1
    code = f"Q{n}" if unit == "kwartaal" else f"H{n}"
    return [at(m, 0, "DATE", f"{year:04d}-{code}" if year is not None else f"XXXX-{code}")]


@rule("week-number", rf"{B}week\s+(?P<w>\d{{1,2}})(?:\s+(?:van\s+)?(?P<year>{YEAR4}))?{E}")
def _week_number(m: re.Match[str], ctx: Context) -> list[Found]:
    w = int(m["w"])
    year = m["year"] or (f"{ctx.anchor.year:04d}" if ctx.anchor.year else "XXXX")
    return [at(m, 0, "DATE", f"{year}-W{w:02d}")] if 1 <= w <= 53 else []


@rule("holiday", rf"{B}(?P<h>{_alt(list(tw.FIXED_HOLIDAYS) + list(tw.EASTER_HOLIDAYS))})"
                 rf"(?:\s+(?P<year>{YEAR4}))?{E}")
def _holiday(m: re.Match[str], ctx: Context) -> list[Found]:
    name = re.sub(r"\s+", " ", m["h"].lower())
    if name == "kerst" and ctx.word_after(m.end()) in ("pakket", "boom"):
        return []

    def on(year: int) -> tn.dt.date:
        if name in tw.FIXED_HOLIDAYS:
            mo, d = tw.FIXED_HOLIDAYS[name]
            return tn.dt.date(year, mo, d)
        return tn.easter(year) + tn.dt.timedelta(days=tw.EASTER_HOLIDAYS[name])

    if m["year"]:
        return [at(m, 0, "DATE", on(int(m["year"])).isoformat())]
    a = ctx.anchor
    if a.year is None:
        return [at(m, 0, "DATE", "XXXX-XX-XX")]
    if a.month is None:
        return [at(m, 0, "DATE", on(a.year).isoformat())]
    ref = tn.dt.date(a.year, a.month, a.day or 15)
    this = on(a.year)
    if ctx.direction(m.start()) == "past":
        d = this if this <= ref else on(a.year - 1)
    else:
        d = this if this >= ref else on(a.year + 1)
    if a.day is None and (d.year, d.month) == (a.year, a.month):
        d = this
    return [at(m, 0, "DATE", d.isoformat())]


# --- relative dates -------------------------------------------------------------------------------------------

@rule("day-word", rf"{B}(?P<w>eergisteren|gisteren|gister|vandaag|overmorgen|morgen)"
                  rf"(?:\s*,?\s+(?P<wd>{WD})(?![\w]))?{E}")
def _day_word(m: re.Match[str], ctx: Context) -> list[Found]:
    word = m["w"].lower()
    if word == "morgen":
        if ctx.word_before(m.start()) in ("de", "die", "deze", "volgende", "elke", "iedere", "goede", "'s", "’s",
                                          "een", "zelfde", "vroege", "vroeg", "hele", "tot"):
            return []
    if word == "vandaag" and ctx.word_after(m.end()) == "de" and ctx.text[m.end():m.end() + 8].lower() == " de dag":
        return []
    return [at(m, 0, "DATE", ctx.anchor.day_offset(tw.DAY_OFFSETS[word]))]


@rule("day-part-word", rf"{B}(?P<pre>eergister|gister|van|morgen)(?P<part>ochtend|morgen|middag|avond|nacht){E}")
def _day_part_word(m: re.Match[str], ctx: Context) -> list[Found]:
    pre, part = m["pre"].lower(), m["part"].lower()
    offset = {"eergister": -2, "gister": -1, "van": 0, "morgen": 1}[pre]
    if pre == "van" and part == "nacht" and ctx.direction(m.start()) == "past":
        offset = -1  # "vannacht" told afterwards: the night that began the day before
    return [at(m, 0, "TIME", ctx.anchor.day_offset(offset) + "T" + tw.PARTS_OF_DAY[part])]


@rule("weekday", rf"{B}(?:(?P<mod>{MODS})\s+)?(?P<wd>{WD})(?P<part>{PART})?"
                 rf"(?:\s+(?P<after>jongstleden|aanstaande|jl\.|j\.l\.|a\.s\.|aanst\.))?(?![\w]|-[^\W\d])")
def _weekday(m: re.Match[str], ctx: Context) -> list[Found]:
    shift = modifier_shift(m["mod"])
    if m["after"]:
        shift = -1 if m["after"].lower().startswith("j") else 1
    direction = shift_direction(shift, ctx, m.start()) if shift else tense_at(m, ctx)
    value = ctx.anchor.weekday(tw.WEEKDAYS[m["wd"].lower()], direction)
    if m["part"]:
        return [at(m, 0, "TIME", value + "T" + tw.PARTS_OF_DAY[m["part"].lower()])]
    return [at(m, 0, "DATE", value)]


@rule("week-weekday", rf"{B}(?:(?P<mod>{MODS})\s+week\s+(?P<wd>{WD})(?P<part>{PART})?|(?P<wd2>{WD})(?P<part2>{PART})?\s+"
                      rf"(?P<mod2>{MODS})\s+week){E}")
def _week_weekday(m: re.Match[str], ctx: Context) -> list[Found]:
    """A weekday in the week before or after the DCT's: "vorige week dinsdag", "donderdag volgende week"."""
    shift = modifier_shift(m["mod"] or m["mod2"]) or 0
    wd = tw.WEEKDAYS[(m["wd"] or m["wd2"]).lower()]
    part = m["part"] or m["part2"]
    d = ctx.anchor.date
    if d is None:
        value = ctx.anchor.unknown_day()
    else:
        monday = d - tn.dt.timedelta(days=d.isoweekday() - 1) + tn.dt.timedelta(weeks=shift)
        value = (monday + tn.dt.timedelta(days=wd - 1)).isoformat()
    if part:
        return [at(m, 0, "TIME", value + "T" + tw.PARTS_OF_DAY[part.lower()])]
    return [at(m, 0, "DATE", value)]


@rule("weekday-part", rf"{B}(?P<wd>{WD})\s+(?P<part>ochtend|middag|avond|nacht){E}")
def _weekday_part(m: re.Match[str], ctx: Context) -> list[Found]:
    value = ctx.anchor.weekday(tw.WEEKDAYS[m["wd"].lower()], ctx.direction(m.start()))
    return [at(m, 0, "TIME", value + "T" + tw.PARTS_OF_DAY[m["part"].lower()])]


@rule("night-of", rf"{B}(?:de\s+)?nacht\s+van\s+(?P<wd>{WD})\s+op\s+(?P<wd2>{WD}){E}")
def _night_of(m: re.Match[str], ctx: Context) -> list[Found]:
    value = ctx.anchor.weekday(tw.WEEKDAYS[m["wd"].lower()], ctx.direction(m.start()))
    return [at(m, 0, "TIME", value + "TNI")]


@rule("relative-period", rf"{B}(?:{POS})?(?:(?P<det>de|het)\s+)?(?P<mod>{MODS}|laatste|eerste|tweede)\s+"
                         r"(?P<unit>week|maand|jaar|weekend|weekeinde|decennium|kwartaal|halfjaar|eeuw)"
                         rf"(?:\s+(?P<month>{MONTH}))?{E}")
def _relative_period(m: re.Match[str], ctx: Context) -> list[Found]:
    mod, unit = m["mod"].lower(), m["unit"].lower()
    a = ctx.anchor
    if m["det"] and mod in ("afgelopen", "voorbije", "laatste", "eerste", "tweede", "verleden", "voorgaande"):
        if m["month"]:
            return []
        return [at(m, 0, "DURATION", tn.duration(1, tw.UNITS[unit]))]
    if mod in ("laatste", "eerste", "tweede"):
        return []
    shift = modifier_shift(mod) or 0
    if m["month"]:
        if unit != "jaar":
            return []
        year = a.year + shift if a.year is not None else None
        month = tw.MONTHS[m["month"].lower()]
        return [at(m, 0, "DATE", f"{year:04d}-{month:02d}" if year is not None else f"XXXX-{month:02d}")]
    if unit == "week":
        value = a.week_offset(shift)
    elif unit == "maand":
        value = a.month_offset(shift)
    elif unit == "jaar":
        value = a.year_offset(shift)
    elif unit in ("weekend", "weekeinde"):
        direction = shift_direction(shift if shift else None, ctx, m.start())
        value = a.weekend(direction)
    elif unit == "kwartaal":
        if a.year is None or a.month is None:
            value = f"{a.year_offset(0)}-QX"
        else:
            q = a.year * 4 + (a.month - 1) // 3 + shift
            value = f"{q // 4:04d}-Q{q % 4 + 1}"
    elif unit == "halfjaar":
        if a.year is None or a.month is None:
            value = f"{a.year_offset(0)}-HX"
        else:
            h = a.year * 2 + (a.month - 1) // 6 + shift
            value = f"{h // 2:04d}-H{h % 2 + 1}"
    elif unit == "decennium":
        value = a.year_offset(10 * shift)[:3] if a.year is not None else "XXX"
    else:  # eeuw
        value = a.century_offset(shift)
    return [at(m, 0, "DATE", value)]


@rule("the-year", rf"{B}van\s+(?P<x>het\s+jaar){E}(?!\s+\d)")
def _the_year(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, "x", "DATE", ctx.anchor.year_offset(0))]


@rule("position-year", rf"{B}(?P<x>(?:{POS})(?:van\s+)?het\s+jaar){E}(?!\s+\d)")
def _position_year(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, "x", "DATE", ctx.anchor.year_offset(0))]


@rule("season", rf"{B}(?:{POS})?(?:(?P<mod>{MODS}|de|het)\s+)(?P<season>{SEASON})"
                rf"(?:\s+(?:van\s+)?(?P<year>{YEAR4}))?{E}")
def _season(m: re.Match[str], ctx: Context) -> list[Found]:
    code = tw.SEASONS[m["season"].lower()]
    if m["year"]:
        return [at(m, 0, "DATE", f"{m['year']}-{code}")]
    mod = m["mod"].lower()
    shift = None if mod in ("de", "het") else modifier_shift(mod)
    if mod in ("de", "het") and ctx.word_after(m.end()) == "van":
        return []  # "de zomer van de liefde", "de zomer van ons leven": not a calendar season
    direction = shift_direction(shift, ctx, m.start())
    value = ctx.anchor.season(code, direction)
    current = ctx.anchor.season(code, "present")
    if shift in (-1, 1) and value == current and _in_season(ctx.anchor, code):
        value = ctx.anchor.season(code, direction, shift=shift)
    return [at(m, 0, "DATE", value)]


def _in_season(anchor: tn.Anchor, code: str) -> bool:
    if anchor.month is None:
        return False
    first, last = tw.SEASON_MONTHS[code]
    month = anchor.month + 12 if code == "WI" and anchor.month <= 2 else anchor.month
    return first <= month <= last


@rule("season-year", rf"{B}(?P<season>{SEASON})\s+(?:van\s+)?(?P<year>{YEAR4}){E}")
def _season_year(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, 0, "DATE", f"{m['year']}-{tw.SEASONS[m['season'].lower()]}")]


# --- clock times and parts of the day -------------------------------------------------------------------------

CLOCK = (rf"(?:(?P<h>\d{{1,2}})[.:](?P<mi>\d{{2}})(?:\s*(?P<uur>uur|u)\b)?|(?P<h2>\d{{1,2}}|{NUMW})\s+uur"
         rf"|half\s+(?P<hh>\d{{1,2}}|{NUMW})|kwart\s+(?P<kw>over|voor)\s+(?P<hk>\d{{1,2}}|{NUMW}))")


def _hour(word: str) -> int | None:
    w = word.lower()
    if w.isdigit():
        return int(w)
    return tw.NUMBERS.get(w)


def _clock(m: re.Match[str]) -> tuple[int, int] | None:
    if m["h"]:
        h, mi = int(m["h"]), int(m["mi"])
    elif m["h2"]:
        h, mi = _hour(m["h2"]) or -1, 0
    elif m["hh"]:
        h, mi = (_hour(m["hh"]) or 0) - 1, 30
    else:
        hk = _hour(m["hk"]) or -1
        h, mi = (hk, 15) if m["kw"].lower() == "over" else (hk - 1, 45)
    if not (0 <= h <= 24 and 0 <= mi < 60):
        return None
    return h, mi


@rule("clock", rf"{B}(?:(?P<prep>om|rond|omstreeks|tegen|vanaf|tot|sinds|na|voor)\s+)?(?P<c>{CLOCK})"
               r"(?:\s+['’]s\s+(?P<part>ochtends|morgens|middags|avonds|nachts))?(?![\w])")
def _clock_time(m: re.Match[str], ctx: Context) -> list[Found]:
    prep = (m["prep"] or "").lower()
    hm = _clock(m)
    if hm is None:
        return []
    if m["h"]:
        if not (m["uur"] or m["part"] or prep in ("om", "rond", "omstreeks", "tegen", "vanaf")):
            return []
    elif prep not in ("om", "rond", "omstreeks", "tegen", "vanaf") and not m["part"]:
        return []
    h, mi = hm
    if m["part"] and tw.PARTS_OF_DAY_ADVERBS[m["part"].lower()] in ("AF", "EV") and h < 12:
        h += 12  # "om elf uur 's avonds"
    start = m.start() if prep in ("rond", "omstreeks", "tegen") else m.start("c")
    return [Found(start, m.end(), "TIME", f"{DAY_SLOT}T{h:02d}:{mi:02d}")]


@rule("clock-range", rf"{B}(?:van|tussen)\s+(?P<a>(?P<h1>\d{{1,2}})[.:](?P<m1>\d{{2}}))\s*(?:uur\s+)?(?:tot|en|-|–)\s*"
                     rf"(?P<b>(?P<h2>\d{{1,2}})[.:](?P<m2>\d{{2}})\s*uur){E}")
def _clock_range(m: re.Match[str], ctx: Context) -> list[Found]:
    """Two clock times from one range: "van 10.00 tot 17.00 uur"."""
    out = []
    for group, h, mi in (("a", int(m["h1"]), int(m["m1"])), ("b", int(m["h2"]), int(m["m2"]))):
        if not (0 <= h <= 24 and 0 <= mi < 60):
            return []
        out.append(at(m, group, "TIME", f"{DAY_SLOT}T{h:02d}:{mi:02d}"))
    return out


@rule("part-adverb", rf"{B}['’]s[ -]?(?P<part>ochtends|morgens|middags|avonds|nachts)"
                     rf"(?:\s+(?:om|rond|omstreeks|tegen)\s+{CLOCK})?(?![\w])")
def _part_adverb(m: re.Match[str], ctx: Context) -> list[Found]:
    code = tw.PARTS_OF_DAY_ADVERBS[m["part"].lower()]
    if not (m["h"] or m["h2"] or m["hh"] or m["hk"]):
        return [at(m, 0, "TIME", f"{DAY_SLOT}T{code}")]
    hm = _clock(m)
    if hm is None:
        return []
    h, mi = hm
    if code in ("AF", "EV") and h < 12:
        h += 12
    return [at(m, 0, "TIME", f"{DAY_SLOT}T{h:02d}:{mi:02d}")]


@rule("weekday-set", rf"{B}(?:['’]s\s+)?(?P<wd>{WD})s{E}")
def _weekday_set(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, 0, "SET", f"XXXX-WXX-{tw.WEEKDAYS[m['wd'].lower()]}")]


# --- durations, offsets from the DCT, recurrences -------------------------------------------------------------

@rule("quantity", rf"{B}(?:(?P<prep>over|binnen|na|in|sinds|gedurende|voor)\s+)?(?P<q>(?:(?P<mod>{QMOD})\s+)?"
                  rf"(?P<amount>{AMOUNT})\s+(?P<unit>{UNIT})(?:\s+en\s+(?P<amount2>{AMOUNT})\s+(?P<unit2>{UNIT}))?)"
                  rf"(?:\s+(?P<ago>geleden))?{E}")
def _quantity(m: re.Match[str], ctx: Context) -> list[Found]:
    amount = amount_of(m["amount"])
    if amount is None or amount > 5000:
        return []
    unit = unit_of(m["unit"])
    if unit == "Y" and _is_age(m, ctx):
        return []
    prep = (m["prep"] or "").lower()
    if m["ago"]:
        value = offset_value(ctx.anchor, unit, -amount) if unit in ("D", "W", "M", "Y", "DE") else "PAST_REF"
        return [Found(m.start("q"), m.end(), "DATE", value or "PAST_REF")]
    if prep == "over":
        value = offset_value(ctx.anchor, unit, amount) if unit in ("D", "W", "M", "Y", "DE") else "FUTURE_REF"
        return [at(m, "q", "DATE", value or "FUTURE_REF")]
    value = tn.duration(amount, unit)
    if m["unit2"]:
        amount2 = amount_of(m["amount2"])
        unit2 = unit_of(m["unit2"])
        if amount2 is None:
            return []
        second = tn.duration(amount2, unit2)
        if second.startswith("PT") and value.startswith("PT"):
            value += second[2:]
        elif second.startswith("PT"):
            value += second[1:]
        else:
            value += second[1:]
    return [at(m, "q", "DURATION", value)]


def _is_age(m: re.Match[str], ctx: Context) -> bool:
    """Ages are not time expressions: "45 jaar oud", "is 84 jaar geworden", "ik ben pas 25 jaar", "onder 20 jaar",
    "meisjes van 9 en 10 jaar"."""
    after = ctx.word_after(m.end())
    if after in ("oud", "jong", "ouder", "jonger", "geworden"):
        return True
    if after in ("worden", "wordt", "werd"):
        # "die 45 jaar wordt" is an age; "Sinds twee jaar wordt hij gevolgd", "al vijf jaar werd ..." is not: a
        # duration opens the clause and the verb follows it
        return not (m["prep"] or ctx.word_before(m.start("q")) in ("al", "reeds", "nu", "sinds")
                    or re.search(r"(?:^|[.!?:;]\s+)$", ctx.text[max(0, m.start() - 3):m.start()]))
    before = ctx.text[max(0, m.start("q") - 40):m.start("q")].lower()
    if re.search(r"(?:\b(?:ben|bent|is|was|werd|wordt)(?:\s+(?:pas|nog|al|bijna|net|ruim|inmiddels|toen|nu|destijds|ongeveer|zo'n))?"
                 r"|\b(?:onder|boven|vanaf)|\bvan\s+\d+\s+(?:en|of|tot)|\b(?:leeftijd\s+van))\s*$", before):
        return not re.match(r"\s+(?:lang|geleden|later|eerder|bezig|getrouwd|actief|in dienst)\b",
                            ctx.text[m.end():m.end() + 20])
    return False


@rule("vague-quantity", rf"{B}(?:(?P<prep>over|binnen|na|in|sinds|gedurende|voor)\s+)?(?P<q>(?P<vq>{VAGUE})\s+"
                        rf"(?P<unit>{PLURAL}|uur|kwartier))(?:\s+(?P<ago>geleden))?{E}")
def _vague_quantity(m: re.Match[str], ctx: Context) -> list[Found]:
    vq = re.sub(r"\s+", " ", m["vq"].lower())
    unit = unit_of(m["unit"])
    if m["unit"].lower() in ("uur", "kwartier") and vq not in ("een paar", "enkele", "enige", "luttele"):
        return []
    if vq in ("de", "die", "deze") and ctx.word_after(m.end()) in tw.DECADE_WORDS:
        return []
    if m["ago"]:
        return [Found(m.start("q"), m.end(), "DATE", "PAST_REF")]
    if (m["prep"] or "").lower() == "over":
        return [at(m, "q", "DATE", "FUTURE_REF")]
    if unit == "Y" and vq in tw.DECADE_QUANTITIES:
        unit = "DE"
    elif unit == "Y" and vq == "honderden":
        unit = "CE"
    return [at(m, "q", "DURATION", tn.duration(None, unit))]


@rule("bare-plural", rf"{B}(?P<unit>jaren|maanden|weken|dagen|uren|decennia|eeuwen)(?:\s+(?P<ago>geleden))?{E}")
def _bare_plural(m: re.Match[str], ctx: Context) -> list[Found]:
    if m["ago"]:
        return [at(m, 0, "DATE", "PAST_REF")]
    if m["unit"].lower() == "jaren" and ctx.word_after(m.end()) in tw.DECADE_WORDS:
        return []
    return [at(m, 0, "DURATION", tn.duration(None, unit_of(m["unit"])))]


@rule("whole-unit", rf"{B}(?:(?:de|het)\s+(?:hele|gehele|volle)|een\s+(?:hele|gehele|volle|heel|geheel|vol))\s+"
                    rf"(?P<unit>dag|week|maand|jaar|eeuw|decennium|etmaal){E}")
def _whole_unit(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, 0, "DURATION", tn.duration(1, tw.UNITS[m["unit"].lower()]))]


@rule("long-adverb", rf"{B}(?P<w>{_alt(tw.LONG_ADVERBS)}){E}")
def _long_adverb(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, 0, "DURATION", tn.duration(None, tw.LONG_ADVERBS[m["w"].lower()]))]


@rule("recurrence-word", rf"{B}(?P<w>{_alt(tw.RECURRENCE_WORDS)})e?{E}")
def _recurrence_word(m: re.Match[str], ctx: Context) -> list[Found]:
    return [at(m, 0, "SET", tw.RECURRENCE_WORDS[m["w"].lower()])]


@rule("every", rf"{B}(?:elke|iedere|ieder|elk)\s+(?:(?P<amount>{AMOUNT})\s+)?(?P<unit>{UNIT}|{WD}|{PART}|"
               rf"{MONTH}){E}")
def _every(m: re.Match[str], ctx: Context) -> list[Found]:
    word = m["unit"].lower()
    if word in tw.WEEKDAYS:
        return [at(m, 0, "SET", f"XXXX-WXX-{tw.WEEKDAYS[word]}")]
    if word in tw.PARTS_OF_DAY and word not in tw.UNITS:
        return [at(m, 0, "SET", f"XXXX-XX-XXT{tw.PARTS_OF_DAY[word]}")]
    if word in tw.MONTHS:
        return [at(m, 0, "SET", f"XXXX-{tw.MONTHS[word]:02d}")]
    amount = amount_of(m["amount"]) if m["amount"] else 1.0
    if unit_of(word) == "WE":
        return [at(m, 0, "SET", "XXXX-WXX-WE")] if amount == 1.0 else []
    return [at(m, 0, "SET", tn.duration(amount, unit_of(word)))]


@rule("per-unit", rf"{B}(?:(?:\d+|{NUMW})\s+keer|eens|één\s+keer|{NUMW}maal)\s+(?:per|in\s+de|in\s+het|om\s+de|elke)\s+"
                  rf"(?:(?P<amount>{AMOUNT})\s+)?(?P<unit>{UNIT}){E}")
def _per_unit(m: re.Match[str], ctx: Context) -> list[Found]:
    amount = amount_of(m["amount"]) if m["amount"] else 1.0
    return [at(m, 0, "SET", tn.duration(amount, unit_of(m["unit"])))]


# Units of measure before "per": "130 kilometer per uur" is a speed, not a recurrence.
_MEASURE_BEFORE = re.compile(r"(?:km|kilometer|meter|mijl|m|liter|kilo|kg|gram|ton|kuub|kubieke\s+meter|"
                             r"kilowatt|kwh|mm|cm)\s*$", re.IGNORECASE)


@rule("per-bare", rf"{B}per\s+(?P<unit>seconde|minuut|uur|dag|week|maand|kwartaal|jaar|etmaal|weekend){E}")
def _per_bare(m: re.Match[str], ctx: Context) -> list[Found]:
    """A rate in time after an amount: "elf uur per dag", "zes stroken per week", "100 euro per uur"."""
    if _MEASURE_BEFORE.search(ctx.text[max(0, m.start() - 20):m.start()]):
        return []
    unit = unit_of(m["unit"])
    return [at(m, 0, "SET", "XXXX-WXX-WE" if unit == "WE" else tn.duration(1, unit))]


@rule("every-nth", rf"{B}om\s+de\s+(?:(?P<amount>{AMOUNT})\s+)?(?P<unit>{UNIT}){E}")
def _every_nth(m: re.Match[str], ctx: Context) -> list[Found]:
    """"om de maand", "om de drie maanden", "om de twee dagen": a recurrence."""
    amount = amount_of(m["amount"]) if m["amount"] else 1.0
    if amount is None or unit_of(m["unit"]) == "WE":
        return []
    return [at(m, 0, "SET", tn.duration(amount, unit_of(m["unit"])))]


# --- vague references -----------------------------------------------------------------------------------------

# Words before "verleden" that make it a verb form ("de akte werd verleden"), not the noun.
_NOT_BEFORE_PAST_NOUN = frozenset({"heeft", "hebben", "had", "hadden", "werd", "werden", "wordt", "is", "zijn"})

_VAGUE_VALUES = {**{w: "PAST_REF" for w in tw.PAST_REF_WORDS}, **{w: "PRESENT_REF" for w in tw.PRESENT_REF_WORDS},
                 **{w: "FUTURE_REF" for w in tw.FUTURE_REF_WORDS}}


@rule("vague", rf"{B}(?P<w>{_alt(_VAGUE_VALUES)}){E}")
def _vague(m: re.Match[str], ctx: Context) -> list[Found]:
    word = re.sub(r"\s+", " ", m["w"].lower())
    after = ctx.word_after(m.end())
    if word == "nu" and after in ("eenmaal", "en"):
        return []
    if word == "vroeger" and after == "dan":
        return []
    if word == "de toekomst" and ctx.word_before(m.start()) != "in":
        return []  # "de toekomst die nog voor haar ligt", "de toekomst van de archipel": prospects, not a time
    if word == "verleden" and (ctx.word_after(m.end()) in tw.UNITS or ctx.word_after(m.end()) in tw.WEEKDAYS
                               or ctx.word_before(m.start()) in _NOT_BEFORE_PAST_NOUN):
        return []  # "verleden week" is a modifier; "heeft verleden" a verb
    return [at(m, 0, "DATE", _VAGUE_VALUES[word])]

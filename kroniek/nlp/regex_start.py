"""What a regular expression's matches can start with, read from Python's own parse of the pattern.

Used to skip the positions of a text where a pattern cannot match before the regex engine tries it there. The
parse is CPython's internal one (`re._parser`, `re._constants` since 3.11; `sre_parse` before): where neither is
there, or its shape is not the one read here, every function answers None ("unknown"), and the callers then try
every position, as the regex engine would by itself: slower, never different.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

__all__ = ["first_class", "first_two_classes"]


def _internals() -> tuple[ModuleType, ModuleType] | tuple[None, None]:
    try:
        import re._constants as constants  # the parsed-regex opcodes (Python 3.11+)
        import re._parser as parser
        return parser, constants
    except ImportError:
        pass
    try:
        import sre_constants as constants  # Python 3.10 and older
        import sre_parse as parser
        return parser, constants
    except ImportError:
        return None, None


_P: Any
_C: Any
_P, _C = _internals()


def _parsed(pattern: str) -> list[tuple[object, object]] | None:
    """The parsed items of a pattern, or None where Python's parser is not available."""
    if _P is None:
        return None
    return list(_P.parse(pattern, re.IGNORECASE).data)


def _first_chars(items: list[tuple[object, object]]) -> tuple[list[str] | None, bool]:
    """The character-class items a parsed regex sequence can start with (None: any character), and its nullability."""
    out: list[str] = []
    for op, av in items:
        if op in (_C.ASSERT, _C.ASSERT_NOT, _C.AT):  # zero-width: the next item decides
            continue
        if op is _C.LITERAL:
            return out + [re.escape(chr(av))], False  # type: ignore[arg-type]
        if op is _C.IN:
            for iop, iav in av:  # type: ignore[attr-defined]
                if iop is _C.LITERAL:
                    out.append(re.escape(chr(iav)))
                elif iop is _C.RANGE:
                    out.append(re.escape(chr(iav[0])) + "-" + re.escape(chr(iav[1])))
                elif iop is _C.CATEGORY and iav in (_C.CATEGORY_DIGIT, _C.CATEGORY_SPACE):
                    out.append(r"\d" if iav is _C.CATEGORY_DIGIT else r"\s")
                else:
                    return None, False
            return out, False
        if op is _C.BRANCH:
            alts = [_first_chars(alt.data) for alt in av[1]]  # type: ignore[index]
            if any(f is None for f, _ in alts):
                return None, False
            out += [c for f, _ in alts for c in f or ()]
            if not any(n for _, n in alts):
                return out, False
        elif op is _C.SUBPATTERN or op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            if op is _C.SUBPATTERN and (av[1] or av[2]):  # type: ignore[index]
                return None, False  # inline flags: not worth reasoning about
            f, n = _first_chars(av[-1].data)  # type: ignore[index]
            if f is None:
                return None, False
            out += f
            if not n and (op is _C.SUBPATTERN or av[0] > 0):  # type: ignore[index, operator]
                return out, False
        else:
            return None, False
    return out, True


def first_class(pattern: str) -> str | None:
    """A character class holding every character a match of the pattern can start with; None where unknown."""
    try:
        items = _parsed(pattern)
        if items is None:
            return None
        first, nullable = _first_chars(items)
    except (AttributeError, TypeError, ValueError, IndexError):  # a parser whose shape this does not know
        return None
    if first is None or nullable:
        return None
    return "[" + "".join(dict.fromkeys(first)) + "]"


Frags = list[str] | None  # character-class items; None: any character, or the end of the match


def _then(items: list[tuple[object, object]], cont: Frags) -> Frags:
    """The first characters of `items` followed by something that starts with `cont`."""
    first, nullable = _first_chars(items)
    if first is None or (nullable and cont is None):
        return None
    return first + cont if nullable and cont is not None else first


def _union(*parts: Frags) -> Frags:
    out: list[str] = []
    for p in parts:
        if p is None:
            return None
        out += p
    return out


def _second_chars(items: list[tuple[object, object]], cont: Frags) -> Frags:
    """The characters that can come second in a match of `items` followed by something starting with `cont`.

    A superset is fine (it only lets the caller try more positions); None where that cannot be told.
    """
    for i, (op, av) in enumerate(items):
        rest = items[i + 1:]
        if op in (_C.ASSERT, _C.ASSERT_NOT, _C.AT):
            continue
        if op is _C.LITERAL or op is _C.IN:
            return _then(rest, cont)
        if op is _C.BRANCH:
            after = _then(rest, cont)
            parts = [_second_chars(alt.data, after) for alt in av[1]]  # type: ignore[index]
            if any(_first_chars(alt.data)[1] for alt in av[1]):  # type: ignore[index]
                parts.append(_second_chars(rest, cont))
            return _union(*parts)
        if op is _C.SUBPATTERN:
            if av[1] or av[2]:  # type: ignore[index]
                return None
            body = av[3].data  # type: ignore[index]
            parts = [_second_chars(body, _then(rest, cont))]
            if _first_chars(body)[1]:
                parts.append(_second_chars(rest, cont))
            return _union(*parts)
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            lo, hi, body = av[0], av[1], av[2].data  # type: ignore[index]
            again = _first_chars(body)[0] if hi != 1 else []
            parts = [_second_chars(body, _union(again, _then(rest, cont)))]
            if lo == 0 or _first_chars(body)[1]:
                parts.append(_second_chars(rest, cont))
            return _union(*parts)
        return None
    return None


def first_two_classes(pattern: str) -> str | None:
    """A regex of two character classes that the first two characters of every match of the pattern fit; or None.

    None where a match may be shorter than two characters or the pattern is beyond this reading.
    """
    try:
        items = _parsed(pattern)
        if items is None:
            return None
        first, nullable = _first_chars(items)
        second = _second_chars(items, None)
    except (AttributeError, TypeError, ValueError, IndexError):  # a parser whose shape this does not know
        return None
    if first is None or nullable or second is None:
        return None
    return "[" + "".join(dict.fromkeys(first)) + "][" + "".join(dict.fromkeys(second)) + "]"


class _Unknown(Exception):
    """A part of a parsed pattern that `prefix_regex` does not read (or too many ways to begin)."""


_ANY = r"[\s\S]"
_MAX_PREFIXES = 4000


def _atom(op: object, av: Any) -> str:
    """One character position of a parsed pattern as a regex class."""
    if op is _C.LITERAL:
        return re.escape(chr(av))
    if op is _C.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is _C.ANY:
        return "."
    if op is _C.IN:
        parts, negate = [], False
        for iop, iav in av:
            if iop is _C.NEGATE:
                negate = True
            elif iop is _C.LITERAL:
                parts.append(re.escape(chr(iav)))
            elif iop is _C.RANGE:
                parts.append(re.escape(chr(iav[0])) + "-" + re.escape(chr(iav[1])))
            elif iop is _C.CATEGORY and iav in _CATEGORIES:
                parts.append(_CATEGORIES[iav])
            else:
                raise _Unknown(iop)
        return "[" + ("^" if negate else "") + "".join(parts) + "]"
    raise _Unknown(op)


_CATEGORIES: dict[object, str] = {}
if _C is not None:
    _CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_NOT_DIGIT: r"\D", _C.CATEGORY_SPACE: r"\s",
                   _C.CATEGORY_NOT_SPACE: r"\S", _C.CATEGORY_WORD: r"\w", _C.CATEGORY_NOT_WORD: r"\W"}

Seqs = set[tuple[str, ...]]


def _walk(items: list[tuple[object, object]], k: int) -> Seqs:
    """The ways the first (up to) k characters of a match of `items` can go, one class per character; a way
    shorter than k is a match of `items` that ends there."""
    current: Seqs = {()}
    for op, av in items:
        current = _concat(current, lambda m, op=op, av=av: _expand(op, av, m), k)
    return current


def _concat(heads: Seqs, tail: Any, k: int) -> Seqs:
    out: Seqs = set()
    for h in heads:
        if len(h) >= k:
            out.add(h)
        else:
            out.update(h + t for t in tail(k - len(h)))
        if len(out) > _MAX_PREFIXES:
            raise _Unknown("too many")
    return out


def _expand(op: object, av: Any, m: int) -> Seqs:
    if op in (_C.ASSERT, _C.ASSERT_NOT, _C.AT):
        return {()}
    if op in (_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN):
        return {(_atom(op, av),)}
    if op is _C.BRANCH:
        out: Seqs = set()
        for alt in av[1]:
            out |= _walk(alt.data, m)
        return out
    if op is _C.SUBPATTERN:
        if av[1] or av[2]:  # inline flags
            raise _Unknown(op)
        return _walk(av[3].data, m)
    if op is getattr(_C, "ATOMIC_GROUP", object()):
        return _walk(av.data, m)
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        lo, hi, body = av[0], av[1], av[2].data
        result: Seqs = {()} if lo == 0 else set()
        cur: Seqs = {()}
        reps = 0
        while reps < hi and any(len(s) < m for s in cur) and reps <= lo + m:
            cur = _concat(cur, lambda n: _walk(body, n), m)
            reps += 1
            result |= {s for s in cur if reps >= lo or len(s) >= m}
        return result | {s for s in cur if len(s) >= m}
    raise _Unknown(op)


def prefix_regex(pattern: str, k: int = 3) -> str | None:
    """A regex that the first k characters of the text at every match of the pattern fit (the match's own first
    characters, then whatever follows a shorter match); or None where the pattern is beyond this reading.

    Sharper than `first_two_classes`: it keeps which characters go together ("jan", "feb", not every first
    letter of a month followed by every second one). A superset, like the functions above.
    """
    try:
        items = _parsed(pattern)
        if items is None:
            return None
        seqs = _walk(items, k)
    except (_Unknown, AttributeError, TypeError, ValueError, IndexError, KeyError):
        return None
    if not seqs or () in seqs:
        return None
    padded = sorted({s + (_ANY,) * (k - len(s)) for s in seqs})
    return "(?:" + "|".join("".join(s) for s in padded) + ")"

"""What a regular expression's matches can start with, read from Python's own parse of the pattern.

Used to skip the positions of a text where a pattern cannot match before the regex engine tries it there.
"""

from __future__ import annotations

import re
import re._constants as _C  # the parsed-regex opcodes (Python 3.11+)
import re._parser as _P

__all__ = ["first_class"]


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
    first, nullable = _first_chars(_P.parse(pattern, re.IGNORECASE).data)
    if first is None or nullable:
        return None
    return "[" + "".join(dict.fromkeys(first)) + "]"

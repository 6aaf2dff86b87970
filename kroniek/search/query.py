"""The Kroniek query language: words, "phrases", OR, NOT, -word, (groups), prefix*, fields and date ranges.

The parser turns a query string into a small tree (`Node`) that the index turns into a tantivy query. Every error
is a `QueryError` whose `position` is the 0-based character offset of the problem; messages count characters
from 1, as people do.

Grammar (keywords OR, AND, NOT only in capitals; anything else is a word):

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := "NOT" unary | "-" primary | "+" primary | primary
    primary := "(" or_expr ")" | FIELD ":" value | value
    value   := '"' words '"' | word ["*"] | "(" or_expr ")"
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kroniek.errors import DateError, QueryError
from kroniek.model import ArticleDate, Filters

# Text fields a user may name, and what they search.
TEXT_FIELDS = ("title", "text", "source", "entity", "person", "org", "loc", "misc", "speaker", "story")
DATE_FIELDS = ("date", "mentions")
FIELDS = TEXT_FIELDS + DATE_FIELDS
# Friendly spellings people type; each maps to one field above.
FIELD_ALIASES = {"body": "text", "per": "person", "location": "loc", "organisation": "org",
                 "organization": "org", "mention": "mentions", "said": "speaker"}

_SPECIAL = set('()"')
# Groups and NOTs nest at most this deep: the parser and the query compiler recurse once a level, and a web server
# runs them deep in its own stack. Nobody writes more than a few levels by hand.
MAX_NESTING = 32
# Prefix words (word*) in one query: each is a regular expression run over the term dictionary (about 1.5 ms
# apiece on a small index), so 30,000 of them in a 100 KB query took 47 s.
MAX_PREFIXES = 64
# Lone surrogates cannot be searched for (nor encoded to send to the index): a query holding one is refused.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Term:
    """One word; `exact` skips stemming and stop words, `prefix` matches every word that starts with it."""

    text: str
    field: str | None = None
    exact: bool = False
    prefix: bool = False
    position: int = 0


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other; always exact (not stemmed)."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True)
class DateRange:
    """A period on `date` (publication) or `mentions` (a time referred to); None is an open end."""

    field: str
    start: dt.date | None
    end: dt.date | None
    position: int = 0


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    """The empty query: every article (useful with filters and facets)."""


Node = Term | Phrase | DateRange | And | Or | Not | MatchAll


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD, PHRASE, FIELD, LPAREN, RPAREN, OR, AND, NOT, MINUS, PLUS, END
    text: str
    pos: int
    prefix: bool = False
    extra: dict[str, object] = field(default_factory=dict, compare=False)


def _where(pos: int) -> str:
    return f"at character {pos + 1}"


def _lex(query: str) -> list[_Tok]:
    """Split a query into tokens, recording where each starts."""
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(_Tok("LPAREN", c, i))
            i += 1
            continue
        if c == ")":
            toks.append(_Tok("RPAREN", c, i))
            i += 1
            continue
        if c in "\"“”":
            close = _find_close(query, i + 1)
            if close < 0:
                raise QueryError(f"unclosed quote {_where(i)}: the phrase that starts there has no closing \"",
                                 position=i, hint='close the phrase with a " or remove the quote')
            toks.append(_Tok("PHRASE", query[i + 1:close], i))
            i = close + 1
            continue
        if c in "-+" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            toks.append(_Tok("MINUS" if c == "-" else "PLUS", c, i))
            i += 1
            continue
        start = i
        while i < n and not query[i].isspace() and query[i] not in _SPECIAL and query[i] not in "“”":
            if query[i] == ":" and i > start:
                break
            i += 1
        word = query[start:i]
        if i < n and query[i] == ":" and _is_field_name(word):
            toks.append(_Tok("FIELD", word, start))
            i += 1
            continue
        if i < n and query[i] == ":":
            # a colon inside a word that is not a field name (10:30, a URL): keep the whole word
            while i < n and not query[i].isspace() and query[i] not in _SPECIAL and query[i] not in "“”":
                i += 1
            word = query[start:i]
        if word in ("OR", "AND", "NOT"):
            toks.append(_Tok(word, word, start))
        elif word in ("||",):
            toks.append(_Tok("OR", word, start))
        elif word in ("&&",):
            toks.append(_Tok("AND", word, start))
        elif word:
            prefix = word.endswith("*") and len(word.rstrip("*")) > 0
            toks.append(_Tok("WORD", word.rstrip("*") if prefix else word, start, prefix=prefix))
        else:
            i += 1
    toks.append(_Tok("END", "", n))
    return toks


def _find_close(query: str, i: int) -> int:
    for j in range(i, len(query)):
        if query[j] in "\"“”":
            return j
    return -1


def _is_field_name(word: str) -> bool:
    """A word before a colon is meant as a field when it is made of letters (so 10:30 stays a word)."""
    return word.isascii() and word.isalpha()


def canonical_field(name: str, pos: int) -> str:
    """The field a user's spelling names, or a QueryError that lists the known ones."""
    key = name.lower()
    key = FIELD_ALIASES.get(key, key)
    if key not in FIELDS:
        raise QueryError(f"unknown field '{name}' {_where(pos)}; known fields: {', '.join(FIELDS)}",
                         position=pos, hint=f'search for the word itself with "{name}:" in quotes')
    return key


def _parse_date(text: str, pos: int) -> ArticleDate:
    try:
        return ArticleDate.parse(text)
    except DateError as err:
        raise QueryError(f"impossible date '{text}' {_where(pos)}: {err.args[0]}", position=pos,
                         hint="write YYYY, YYYY-MM or YYYY-MM-DD") from None


def parse_period(text: str, field_name: str, pos: int) -> DateRange:
    """Read `2019`, `2019-02`, `2019-02-14`, `2018-05..2019-02`, `..2019` or `2019..` as a period."""
    if ".." in text:
        left, _, right = text.partition("..")
        if ".." in right:
            raise QueryError(f"a date range has one '..' {_where(pos)}: '{text}'", position=pos)
        if not left and not right:
            raise QueryError(f"a date range needs at least one end {_where(pos)}", position=pos,
                             hint="write for instance date:2018-05..2019-02, date:..2019 or date:2019..")
        start = _parse_date(left, pos).first_day if left else None
        end = _parse_date(right, pos + len(left) + 2).last_day if right else None
        if start and end and end < start:
            raise QueryError(f"the date range '{text}' {_where(pos)} ends before it starts", position=pos)
        return DateRange(field_name, start, end, pos)
    if not text:
        raise QueryError(f"'{field_name}:' {_where(pos)} needs a date", position=pos,
                         hint="write YYYY, YYYY-MM, YYYY-MM-DD or a range such as 2018-05..2019-02")
    d = _parse_date(text, pos)
    return DateRange(field_name, d.first_day, d.last_day, pos)


class _Parser:
    def __init__(self, query: str, exact: bool) -> None:
        self.query = query
        self.exact = exact
        self.toks = _lex(query)
        self.i = 0
        self.depth = 0  # groups and NOTs open around the token being read
        self.prefixes = 0

    def nest(self, tok: _Tok) -> None:
        """Enter a group or a NOT; a QueryError past MAX_NESTING levels."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(f"groups and NOTs nested more than {MAX_NESTING} levels deep {_where(tok.pos)}",
                             position=tok.pos, hint="write the query with fewer parentheses")

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "END":
            return MatchAll()
        node = self.or_expr(None)
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise QueryError(f"unexpected ')' {_where(tok.pos)}: no '(' was opened before it", position=tok.pos)
        if tok.kind != "END":  # pragma: no cover - or_expr consumes everything else
            raise QueryError(f"unexpected '{tok.text}' {_where(tok.pos)}", position=tok.pos)
        return node

    def or_expr(self, fld: str | None) -> Node:
        parts = [self.and_expr(fld)]
        while self.peek().kind == "OR":
            op = self.take()
            if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                raise QueryError(f"'OR' {_where(op.pos)} has nothing after it", position=op.pos)
            parts.append(self.and_expr(fld))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, fld: str | None) -> Node:
        tok = self.peek()
        if tok.kind in ("OR", "AND"):
            raise QueryError(f"'{tok.text}' {_where(tok.pos)} has nothing before it", position=tok.pos)
        if tok.kind in ("END", "RPAREN"):
            raise QueryError(f"expected a word, a phrase or a group {_where(tok.pos)}", position=tok.pos)
        parts = [self.unary(fld)]
        while self.peek().kind not in ("END", "RPAREN", "OR"):
            if self.peek().kind == "AND":
                op = self.take()
                if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                    raise QueryError(f"'AND' {_where(op.pos)} has nothing after it", position=op.pos)
            parts.append(self.unary(fld))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, fld: str | None) -> Node:
        tok = self.peek()
        if tok.kind == "NOT":
            self.take()
            if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                raise QueryError(f"'NOT' {_where(tok.pos)} has nothing after it", position=tok.pos)
            self.nest(tok)
            node: Node = Not(self.unary(fld))
            self.depth -= 1
            return node
        if tok.kind == "MINUS":
            self.take()
            self.nest(tok)
            node = Not(self.primary(fld))
            self.depth -= 1
            return node
        if tok.kind == "PLUS":
            self.take()
        return self.primary(fld)

    def primary(self, fld: str | None) -> Node:
        tok = self.take()
        if tok.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise QueryError(f"empty parentheses {_where(tok.pos)}", position=tok.pos)
            self.nest(tok)
            node = self.or_expr(fld)
            self.depth -= 1
            close = self.take()
            if close.kind != "RPAREN":
                raise QueryError(f"unclosed parenthesis {_where(tok.pos)}: the group that starts there has no ')'",
                                 position=tok.pos, hint="add a ')' or remove the '('")
            return node
        if tok.kind == "FIELD":
            if fld is not None:
                raise QueryError(f"field '{tok.text}:' {_where(tok.pos)} inside the group of '{fld}:'",
                                 position=tok.pos)
            name = canonical_field(tok.text, tok.pos)
            nxt = self.peek()
            if nxt.pos != tok.pos + len(tok.text) + 1 or nxt.kind not in ("WORD", "PHRASE", "LPAREN"):
                raise QueryError(f"'{tok.text}:' {_where(tok.pos)} needs a value right after the colon",
                                 position=tok.pos)
            if name in DATE_FIELDS:
                val = self.take()
                if val.kind != "WORD" or val.prefix:
                    raise QueryError(f"'{tok.text}:' {_where(val.pos)} takes a date or a range such as "
                                     f"2018-05..2019-02", position=val.pos)
                return parse_period(val.text, name, val.pos)
            return self.primary(name)
        if tok.kind == "PHRASE":
            words = tok.text.strip()
            if not words:
                raise QueryError(f"empty phrase {_where(tok.pos)}", position=tok.pos)
            return Phrase(words, fld, tok.pos)
        if tok.kind == "WORD":
            if tok.prefix:
                self.prefixes += 1
                if self.prefixes > MAX_PREFIXES:
                    raise QueryError(f"more than {MAX_PREFIXES} prefix words (word*) in one query {_where(tok.pos)}",
                                     position=tok.pos, hint="search for fewer prefixes at a time")
            return Term(tok.text, fld, exact=self.exact, prefix=tok.prefix, position=tok.pos)
        if tok.kind == "RPAREN":
            raise QueryError(f"unexpected ')' {_where(tok.pos)}: no '(' was opened before it", position=tok.pos)
        if tok.kind == "END":
            raise QueryError(f"the query ends {_where(tok.pos)} where a word was expected", position=tok.pos)
        raise QueryError(f"'{tok.text}' {_where(tok.pos)} must stand between two words or groups",
                         position=tok.pos)


def parse(query: str, *, exact: bool = False) -> Node:
    """Parse a query string; `exact` makes every bare word unstemmed, as if quoted. Raises QueryError."""
    bad = _SURROGATE.search(query)
    if bad:
        raise QueryError(f"the query holds a character that is not text {_where(bad.start())} (a byte that is not "
                         "UTF-8, or half of a surrogate pair)", position=bad.start(),
                         hint="type the query again, or remove that character")
    return _Parser(query, exact).parse()


# --- facet filters -----------------------------------------------------------------------------------------------

def _filter_phrase(value: str) -> str:
    # The query language has no escape inside a phrase; a double quote in a facet value cannot be meant.
    return '"' + " ".join(value.replace('"', " ").replace("“", " ").replace("”", " ").split()) + '"'


def combined(query: str, filters: Filters | None) -> str:
    """The user's query with one clause per filter, so every filter narrows what the query found."""
    if filters is None:
        return query
    clauses = []
    if filters.source:
        clauses.append(f"source:{_filter_phrase(filters.source)}")
    if filters.entity:
        clauses.append(f"entity:{_filter_phrase(filters.entity)}")
    if filters.speaker:
        clauses.append(f"speaker:{_filter_phrase(filters.speaker)}")
    if filters.month:
        clauses.append(f"date:{filters.month}")
    if not clauses:
        return query
    base = f"({query}) " if query.strip() else ""
    return base + " ".join(clauses)

"""No SQL is built from values: every value goes to SQLite as a bound parameter.

Two checks. `SqlText` reads the source of each module that runs SQL and follows the text handed to `execute` (and
to the store's own wrappers of it) back to where it is made: it may be built only from string literals, module
constants, `?` marks (`_marks`) and clauses that are themselves built that way, never from a parameter, an
attribute or a call's result. And hostile strings driven through every store method never show up in the SQL text
that reaches SQLite, only among its parameters.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import sqlite3
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from kroniek.archive import Archive
from kroniek.model import STAGES, Analysis, EntityMention, Quote, StoryRow, TimeExpression
from kroniek.store.sqlite import SQLiteStore

SQL_MODULES = [ROOT / "kroniek" / "store" / "sqlite.py", ROOT / "kroniek" / "store" / "migrations.py",
               ROOT / "kroniek" / "search" / "vocabulary.py", ROOT / "kroniek" / "store" / "postgres.py",
               ROOT / "kroniek" / "store" / "postgres_migrations.py"]
# method name -> position of the SQL argument (psycopg's `copy` takes a COPY statement)
EXECUTE = {"execute": 0, "executemany": 0, "executescript": 0, "copy": 0}
MARKS = {"_marks"}  # functions that return only `?` marks and commas

Path_ = tuple[Any, ...]  # where in a value: () the value itself, ("*",) any element, (0,) the first of a tuple


class SqlText:
    """Follows the SQL text of every execute call in a module back to its parts (see the module docstring)."""

    def __init__(self, source: str, name: str = "<module>") -> None:
        self.tree = ast.parse(source)
        self.name = name
        self.module = self._bindings(self.tree.body, top=True)
        self.functions: dict[str, ast.FunctionDef] = {}
        self.parent: dict[ast.AST, ast.FunctionDef] = {}
        # ast.walk goes outside in, so a nested function's nodes end up with that function
        for node in ast.walk(self.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, node)  # type: ignore[arg-type]
                for inner in ast.walk(node):
                    self.parent[inner] = node  # type: ignore[assignment]

    # --- bindings --------------------------------------------------------------------------------------------

    @staticmethod
    def _bindings(body: Iterable[ast.AST], top: bool = False) -> dict[str, list[tuple[ast.expr, Path_]]]:
        """name -> every value it is given, with where in that value: assignments, loops, appends, +=."""
        found: dict[str, list[tuple[ast.expr, Path_]]] = {}

        def bind(target: ast.expr, value: ast.expr, where: Path_) -> None:
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).append((value, where))
            elif isinstance(target, ast.Tuple | ast.List):
                for i, elt in enumerate(target.elts):
                    bind(elt, value, (*where, i))

        nodes = body if top else [n for b in body for n in ast.walk(b)]
        for node in nodes:
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    bind(t, node.value, ())
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                bind(node.target, node.value, ())
            elif isinstance(node, ast.AugAssign):
                bind(node.target, node.value, ())
            elif isinstance(node, ast.For | ast.comprehension):
                bind(node.target, node.iter, ("*",))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.args:
                if node.func.attr in ("append", "add", "insert"):
                    found.setdefault(node.func.value.id, []).append((node.args[-1], ("+",)))
                elif node.func.attr == "extend":
                    found.setdefault(node.func.value.id, []).append((node.args[0], ("+*",)))
        return found

    def _scope(self, node: ast.AST) -> tuple[dict[str, list[tuple[ast.expr, Path_]]], set[str]]:
        fn = self.parent.get(node)
        if fn is None:
            return {}, set()
        params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
        return self._bindings(fn.body), params

    # --- is a value made of fixed text? ----------------------------------------------------------------------

    def fixed(self, expr: ast.expr, where: Path_ = (), seen: frozenset[int] = frozenset()) -> bool:
        """Whether `expr` (or the part of it at `where`) can only be text that the code itself writes."""
        if id(expr) in seen and not where:
            return True  # a cycle (x += ...): the other bindings decide
        seen = seen | {id(expr)}
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, str | int | float | bool | type(None))
        if where:
            head, rest = where[0], where[1:]
            if isinstance(expr, ast.Tuple | ast.List):
                if head == "*":
                    return all(self.fixed(e, rest, seen) for e in expr.elts)
                if isinstance(head, int) and head < len(expr.elts):
                    return self.fixed(expr.elts[head], rest, seen)
                return False
            if isinstance(expr, ast.IfExp):
                return self.fixed(expr.body, where, seen) and self.fixed(expr.orelse, where, seen)
            if isinstance(expr, ast.Name):
                return self._name(expr, where, seen)
            if isinstance(expr, ast.Call):
                return self._returns(expr, where, seen)
            return False
        if isinstance(expr, ast.JoinedStr):
            return all(self.fixed(v.value, (), seen) for v in expr.values if isinstance(v, ast.FormattedValue))
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.fixed(expr.left, (), seen) and self.fixed(expr.right, (), seen)
        if isinstance(expr, ast.IfExp):
            return self.fixed(expr.body, (), seen) and self.fixed(expr.orelse, (), seen)
        if isinstance(expr, ast.Name):
            return self._name(expr, (), seen)
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and func.id in MARKS:
                return True
            if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant) \
                    and len(expr.args) == 1:
                return self._elements(expr.args[0], seen)
            if isinstance(func, ast.Attribute) and func.attr == "format":  # fixed text filled in with fixed text
                return self.fixed(func.value, (), seen) and all(
                    self.fixed(a, (), seen) for a in (*expr.args, *(k.value for k in expr.keywords)))
            return self._returns(expr, (), seen)
        return False

    def _elements(self, expr: ast.expr, seen: frozenset[int]) -> bool:
        """Whether every element of a collection is fixed text."""
        if isinstance(expr, ast.GeneratorExp | ast.ListComp):
            return self.fixed(expr.elt, (), seen)
        return self.fixed(expr, ("*",), seen)

    def _name(self, name: ast.Name, where: Path_, seen: frozenset[int]) -> bool:
        local, params = self._scope(name)
        comp = self._comprehension_binding(name)
        if comp is not None:
            return self.fixed(comp, ("*", *where), seen)
        if name.id in local:
            bindings = local[name.id]
        elif name.id in params:
            return False  # a caller's value
        else:
            bindings = self.module.get(name.id, [])
        if not bindings:
            return False
        for value, at in bindings:
            if at == ("+",):  # appended: an element of the collection
                if where[:1] != ("*",) or not self.fixed(value, where[1:], seen):
                    return False
            elif at == ("+*",):
                if where[:1] != ("*",) or not self.fixed(value, where, seen):
                    return False
            elif not self.fixed(value, (*at, *where), seen):
                return False
        return True

    def _comprehension_binding(self, name: ast.Name) -> ast.expr | None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
                for gen in node.generators:
                    if isinstance(gen.target, ast.Name) and gen.target.id == name.id \
                            and any(n is name for n in ast.walk(node.elt)):
                        return gen.iter
        return None

    def _returns(self, call: ast.Call, where: Path_, seen: frozenset[int]) -> bool:
        """Whether what a function of this module returns is fixed text (a call of any other function is not)."""
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) \
            and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") else None
        fn = self.functions.get(name or "")
        if fn is None:
            return False
        returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
        return bool(returns) and all(r.value is None or self.fixed(r.value, where, seen) for r in returns)

    # --- the execute calls -------------------------------------------------------------------------------------

    def executors(self) -> dict[str, int]:
        """EXECUTE plus this module's own functions that hand one of their parameters to an executor as SQL."""
        found = dict(EXECUTE)
        changed = True
        while changed:
            changed = False
            for call, arg in self._calls(found):
                fn = self.parent.get(call)
                if fn is None or fn.name in found or not isinstance(arg, ast.Name):
                    continue
                names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
                if arg.id in names:
                    found[fn.name] = names.index(arg.id) - (1 if names and names[0] in ("self", "cls") else 0)
                    changed = True
        return found

    def _calls(self, executors: dict[str, int]) -> Iterator[tuple[ast.Call, ast.expr]]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) \
                    else None
                if name in executors and len(node.args) > executors[name]:
                    yield node, node.args[executors[name]]

    def problems(self) -> list[str]:
        """Each execute call whose SQL text is not fixed, as `module:line: the text`."""
        executors = self.executors()
        out = []
        for call, arg in self._calls(executors):
            fn = self.parent.get(call)
            if fn is not None and fn.name in executors and fn.name not in EXECUTE and isinstance(arg, ast.Name):
                continue  # the wrapper itself: its callers are checked
            if not self.fixed(arg):
                out.append(f"{self.name}:{call.lineno}: {ast.unparse(arg)}")
        return out

    def calls(self) -> int:
        return sum(1 for _ in self._calls(self.executors()))


@pytest.mark.parametrize("path", SQL_MODULES, ids=lambda p: p.name)
def test_store_sql_text_is_built_from_fixed_fragments_only(path: Path) -> None:
    check = SqlText(path.read_text(encoding="utf-8"), path.name)
    assert check.calls() >= 3  # the check found the SQL of the module
    assert check.problems() == []


def test_store_sql_check_follows_the_wrapper_and_clause_helpers() -> None:
    check = SqlText((ROOT / "kroniek" / "store" / "sqlite.py").read_text(encoding="utf-8"))
    assert check.executors().get("_q") == 0
    assert check.executors().get("_stream") == 0  # the export readers' wrapper: its callers are checked


WRAPPER = """
class Store:
    def _q(self, sql, params=()):
        return self._db.execute(sql, params).fetchall()
"""
BAD = {
    "value in an f-string": """
        def article(self, article_id):
            return self._q(f"SELECT * FROM articles WHERE id = '{article_id}'")
    """,
    "concatenated parameter": """
        def entity(self, name):
            self._db.execute("SELECT id FROM entities WHERE canonical = '" + name + "'")
    """,
    "percent formatting": """
        def count(self, table):
            return self._q("SELECT count(*) FROM %s" % table)
    """,
    "str.format": """
        def count(self, table):
            return self._q("SELECT count(*) FROM {}".format(table))
    """,
    "a constant formatted with a value": """
        MONTH = "substr({t}.date, 1, 7)"
        def months(self, table):
            return self._q(f"SELECT {MONTH.format(t=table)} FROM articles")
    """,
    "a value appended to the clauses": """
        def entities(self, label):
            cond = []
            cond.append(f"e.label = '{label}'")
            where = "WHERE " + " AND ".join(cond)
            return self._q(f"SELECT * FROM entities e {where}")
    """,
    "a value returned by a clause helper": """
        def _filter(self, label):
            return f"WHERE label = '{label}'", []
        def entities(self, label):
            where, params = self._filter(label)
            return self._q(f"SELECT * FROM entities {where}", params)
    """,
    "an attribute": """
        def rows(self):
            return self._q("SELECT * FROM " + self.table)
    """,
    "another function's result": """
        import datetime
        def migrate(conn, name):
            conn.executescript("INSERT INTO migrations VALUES ('" + str(datetime.datetime.now()) + "')")
    """,
    "a wrapper's caller": """
        class Store:
            def _q(self, sql, params=()):
                return self._db.execute(sql, params).fetchall()
            def get(self, key):
                return self._q("SELECT * FROM t WHERE k = '" + key + "'")
    """,
}


@pytest.mark.parametrize("name", BAD)
def test_store_sql_check_catches_values_in_sql(name: str) -> None:
    source = textwrap.dedent(BAD[name])
    if "class Store" not in source:
        source = WRAPPER + textwrap.indent(source, "    ")
    assert SqlText(source).problems(), name


GOOD = """
COLS = "id, title"
MONTH = "substr({t}.date, 1, 7)"
PRAGMAS = ("PRAGMA a=1", "PRAGMA b=2")
LIMIT = 1000

def _marks(n):
    return ",".join("?" * n)

class Store:
    def _q(self, sql, params=()):
        return self._db.execute(sql, params).fetchall()

    def _filter(self, label, ids):
        cond, params = ["x IS NOT NULL"], []
        if label:
            cond.append("label = ?")
            params.append(label)
        if ids:
            cond.append(f"id IN ({_marks(len(ids))})")
            params += list(ids)
        if not cond:
            return None
        return (f"WHERE {' AND '.join(cond)}" if cond else ""), params

    def rows(self, label, ids):
        for pragma in PRAGMAS:
            self._db.execute(pragma)
        self._db.execute(f"PRAGMA wal_autocheckpoint={LIMIT}")
        found = self._filter(label, ids)
        where, params = found
        extra = "".join(f" AND {c}" for c in ["a = ?", "b = ?"])
        sql = f"SELECT {COLS}, {MONTH.format(t='t')} FROM t {where}{extra}"
        return self._q(sql + " LIMIT ?", (*params, 10))
"""


def test_store_sql_check_accepts_marks_constants_and_fixed_clauses() -> None:
    check = SqlText(GOOD)
    assert check.calls() >= 4 and check.problems() == []


# --- hostile values through every store method -----------------------------------------------------------------

HOSTILE = "x' OR '1'='1'; DROP TABLE articles; --\" ) %"


class Recording:
    """A SQLite connection that notes the SQL text and parameters of each statement, then runs it."""

    def __init__(self, db: sqlite3.Connection, statements: list[tuple[str, list[Any]]] | None = None) -> None:
        self._db = db
        self.statements: list[tuple[str, list[Any]]] = [] if statements is None else statements

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self.statements.append((sql, list(params)))
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        rows = [tuple(r) for r in rows]
        self.statements.append((sql, [v for r in rows for v in r]))
        return self._db.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def _drive_hostile(archive: Archive) -> None:
    """Every store method, through the archive and directly, with HOSTILE in every value it takes."""
    store = archive.store
    text = f"Kop {HOSTILE}\n\nIn 2019 zei {HOSTILE}: “iets {HOSTILE}”, zei hij."
    report = archive.ingest([{"id": HOSTILE, "date": "2019-02-01", "title": HOSTILE, "source": HOSTILE,
                              "url": HOSTILE, "text": text, HOSTILE: HOSTILE},
                             {"text": HOSTILE, "date": HOSTILE}])
    assert (report.new, report.quarantined) == (1, 1)
    art = archive.get_article(HOSTILE)
    who = text.index(HOSTILE, text.index("zei"))
    said = text.index("“") + 1
    store.save_analyses([Analysis(
        id=art.id, date=art.date, text=art.text, structure=art.structure,
        entities=[EntityMention(who, who + len(HOSTILE), HOSTILE, HOSTILE, HOSTILE)],
        quotes=[Quote(said, text.index("”"), text[said:text.index("”")], HOSTILE, HOSTILE, HOSTILE, HOSTILE)],
        timexes=[TimeExpression(text.index("2019"), text.index("2019") + 4, "2019", HOSTILE, "2019",
                                period=(dt.date(2019, 1, 1), dt.date(2019, 12, 31)))])],
        HOSTILE, STAGES)
    assert store.existing([HOSTILE], [HOSTILE])[1].keys() == {HOSTILE}
    assert store.article(HOSTILE) is not None and store.article(HOSTILE + "'") is None
    assert [a.id for a in store.articles([HOSTILE, "nothing"])] == [HOSTILE]
    assert list(store.articles(None, language=HOSTILE)) == []
    assert [e["canonical"] for e in store.entities(label=HOSTILE, query=HOSTILE)] == [HOSTILE]
    assert store.count_entities(label=HOSTILE, query=HOSTILE) == 1
    assert store.entities(label="x' OR '1'='1") == [] and store.count_entities(query="%") == 1
    found = store.resolve_entity(HOSTILE)
    assert found is not None and store.resolve_entity(HOSTILE + "x") is None
    eid = found["id"]
    assert store.entity_variants(eid) == [HOSTILE] and store.entity_counts(eid) == (1, 1)
    assert store.entity_months(eid) and store.co_occurring(eid) == []
    assert len(store.quotes(speaker=HOSTILE, article_ids=[HOSTILE])) == 1
    assert store.count_quotes(speaker=HOSTILE, article_ids=[HOSTILE]) == 1
    assert store.quotes(speaker="x' OR '1'='1") == []
    assert len(store.calendar_timexes(entity_id=eid, in_sentence=False, article_ids=[HOSTILE])) == 1
    assert store.count_calendar_timexes(entity_id=eid, in_sentence=False, article_ids=[HOSTILE]) == 1
    assert [m["canonical"] for m in store.mentions_in([HOSTILE])] == [HOSTILE]
    assert [s["speaker"] for s in store.speakers()] == [HOSTILE] and store.count_speakers() == 1
    assert [q.raw for q in store.quarantined()] and store.count_quarantined() == 1
    assert list(store.export_rows([HOSTILE])) and store.changes_after(0)
    assert [e["canonical"] for e in store.export_entities([HOSTILE])] == [HOSTILE]
    assert [e["variants"] for e in store.export_entities()] == [[HOSTILE]]
    assert [q["speaker"] for q in store.export_quotes([HOSTILE])] == [HOSTILE]
    assert [t["article_id"] for t in store.export_timexes([HOSTILE])] == [HOSTILE]
    assert list(store.export_quotes([HOSTILE + "'"])) == [] and list(store.export_timexes(["x' OR '1'='1"])) == []
    assert store.quotes_about(eid) == []
    store.save_stories([(HOSTILE, HOSTILE, 1.0)], [StoryRow(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, 1,
                                                            (HOSTILE,))])
    assert store.story_order() == [(HOSTILE, "2019-02-01")] and store.story_order(unassigned=True) == []
    assert [r.id for r in store.story_rows([HOSTILE])] == [HOSTILE] and store.count_stories() == 1
    assert store.stories_of([HOSTILE]) == {HOSTILE: HOSTILE} and store.story_members(HOSTILE) == [(HOSTILE, 1.0)]
    assert store.entity_stories(eid) == [(HOSTILE, 1)]
    assert store.clear_stories() == 1 and store.count_stories() == 0
    assert store.count() == 1  # no statement was changed by a value: the table is there, with its one row


def test_store_sql_hostile_values_go_only_as_parameters(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "k.db")
    store = archive.store
    assert isinstance(store, SQLiteStore)
    recording = Recording(store._db)
    store._db = recording  # type: ignore[assignment]
    # the connections that reads borrow are noted in the same record
    open_reader = store._open_reader
    store._open_reader = lambda: Recording(open_reader(), recording.statements)  # type: ignore[assignment,method-assign,return-value]
    try:
        _drive_hostile(archive)
    finally:
        store._db = recording._db
        archive.close()
    sql_seen = [sql for sql, _ in recording.statements]
    assert len(sql_seen) > 20
    assert not [sql for sql in sql_seen if HOSTILE in sql or "DROP" in sql]
    assert sum(1 for _, params in recording.statements if HOSTILE in params) > 15


# A server log entry: its time stamp, then the kind of line (LOG, DETAIL, ...) and the text, running on over the
# indented lines that follow it.
_LOG_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d [^\n]*?(LOG|DETAIL|ERROR|STATEMENT|HINT|CONTEXT|WARNING):  ", re.M)


@pytest.mark.postgres
def test_store_sql_postgres_hostile_values_go_only_as_parameters(postgres: str, pg_url: str, tmp_path: Path) -> None:
    """The same hostile values through a PostgreSQL archive; the server itself logs every statement it is sent
    (`log_statement=all` for the archive's sessions), with the values bound to it apart."""
    from pg_support import LOGS

    from kroniek.settings import CoreSettings
    from kroniek.store.postgres import PostgresStore

    log = LOGS[postgres]
    start = log.stat().st_size
    url = pg_url + "%20-clog_statement%3Dall"
    archive = Archive.open(url, settings=CoreSettings(index=tmp_path / "index"))
    assert isinstance(archive.store, PostgresStore)
    try:
        _drive_hostile(archive)
    finally:
        archive.close()
    with log.open(encoding="utf-8", errors="replace") as fh:
        fh.seek(start)
        text = fh.read()
    marks = list(_LOG_ENTRY.finditer(text))
    entries = [(m.group(1), text[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)])
               for i, m in enumerate(marks)]
    sent = [t for kind, t in entries if kind == "LOG" and t.startswith(("statement:", "execute"))]
    bound = [t for kind, t in entries if kind == "DETAIL" and t.lower().startswith("parameters:")]
    assert len(sent) > 40 and any("COPY articles" in t for t in sent)
    assert not [t for t in sent if HOSTILE in t or HOSTILE.replace("'", "''") in t or "DROP" in t]
    assert sum(1 for t in bound if HOSTILE.replace("'", "''") in t) > 15

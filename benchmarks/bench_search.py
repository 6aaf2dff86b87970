"""Search benchmark: Kroniek's API against raw tantivy, SQLite FTS5 (unicode61) and PostgreSQL (dutch, GIN).

Builds N generated articles (benchmarks/corpus.py: real Dutch sentences from ../shared/data, dated over 25 years)
into each engine, then runs one fixed, seeded mix of queries (one word, two words, phrases; half with a date
filter) on each, as a page of 20 hits with total and snippets, and again with facets (year, month, source); each
figure is the median over `--runs` passes of the mix.

- Kroniek: an archive built as users build it, `kroniek ingest --no-analyze` then `kroniek index` (the CLI, each
  in its own process), queried through `Archive.search(query, limit=20, facets=...)`, which reads the headlines of
  untitled hits from the store, as a user's program or the server does.
- raw tantivy (the floor): a plain tantivy index of the same rows (title and body with positions, tantivy's
  default tokenizer; date, month, year and source as fast fields), tantivy's own query parser, one search for the
  page and the total, tantivy's snippet generator, and one aggregation request for the three facets.
- SQLite FTS5 and PostgreSQL: one statement per query for the page, the total and the facets (a CTE of the
  matches; the page with snippet()/bm25 or ts_rank/ts_headline for the 20 hits only; the counts grouped from the
  same CTE).

The totals and facet counts of each query are compared across the engines in the facet pass: they differ where
the tokenisation does (Kroniek folds and splits words its own way, PostgreSQL stems and drops stop words, FTS5
folds diacritics, tantivy's default tokenizer does neither), so they are reported side by side, not asserted;
what is asserted is that each engine's year counts add up to its total.

    python benchmarks/bench_search.py                 # 1,000,000 articles, all four engines
    python benchmarks/bench_search.py -n 20000        # a quick run
    python benchmarks/bench_search.py --no-postgres   # when no PostgreSQL binaries are installed

PostgreSQL: a throwaway server from Debian's package (/usr/lib/postgresql/*/bin) is initialised in a temporary
directory and started on 127.0.0.1 as an unprivileged user (postgres refuses to run as root).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import glob
import json
import multiprocessing
import os
import platform
import pwd
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import generate_articles, load_sentences  # noqa: E402

from kroniek.model import ArticleDate, month_code, month_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

PAGE = 20
FIRST_YEAR, LAST_YEAR = 2000, 2024


# -- the query mix ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    """One query of the mix, in an engine-neutral form."""

    kind: str  # word, words, phrase
    words: tuple[str, ...]
    start: dt.date | None = None  # date filter (publication period overlaps [start, end])
    end: dt.date | None = None
    date_text: str = ""

    def kroniek(self) -> str:
        text = f'"{" ".join(self.words)}"' if self.kind == "phrase" else " ".join(self.words)
        return f"{text} date:{self.date_text}" if self.date_text else text


_WORD = re.compile(r"^[^\W\d_]{4,}$")
# Function words are left out of the pool: users search for names and topics, and the stemmed engines drop them.
_COMMON = {"deze", "werd", "zijn", "worden", "hebben", "heeft", "naar", "maar", "voor", "over", "door", "niet",
           "meer", "ook", "nog", "wordt", "zich", "toen", "zal", "kunnen", "moet", "veel", "waar", "omdat",
           "want", "tegen", "onder", "tussen", "zoals", "alleen", "andere", "eigen", "geen", "hier", "daar", "iets",
           "weer", "tijdens", "sinds", "vanaf", "zonder", "hun", "haar", "hem", "wat", "wie", "waren", "zou",
           "zouden", "kan", "dus", "toch", "wel", "alle", "elke", "welke", "bij", "aan", "uit", "van"}


def make_queries(n: int, seed: int) -> list[BenchQuery]:
    """A fixed mix: a third one word, a third two words, a third phrases of 2-3 words; half with a date filter."""
    rng = random.Random(seed)
    sentences = load_sentences()
    vocab = sorted({w for s in sentences for w in s.split() if _WORD.match(w) and w.lower() not in _COMMON})
    out: list[BenchQuery] = []
    for i in range(n):
        kind = ("word", "words", "phrase")[i % 3]
        if kind == "word":
            words: tuple[str, ...] = (rng.choice(vocab),)
        elif kind == "words":
            words = (rng.choice(vocab), rng.choice(vocab))
            # two random rare words rarely meet; take the second from a sentence holding the first half the time
            if rng.random() < 0.5:
                holding = [s for s in sentences if words[0] in s.split()]
                others = [w for w in rng.choice(holding).split() if _WORD.match(w) and w != words[0]]
                if others:
                    words = (words[0], rng.choice(others))
        else:
            while True:
                toks = [t.strip(".,;:!?()\"'“”‘’") for t in rng.choice(sentences).split()]
                size = rng.choice((2, 3))
                if len(toks) >= size:
                    j = rng.randrange(len(toks) - size + 1)
                    cand = toks[j:j + size]
                    if all(re.match(r"^[^\W_]+$", t) for t in cand) and any(len(t) >= 4 for t in cand):
                        words = tuple(cand)
                        break
        start = end = None
        date_text = ""
        if i % 2 == 1:
            year = rng.randint(FIRST_YEAR, LAST_YEAR)
            roll = rng.random()
            if roll < 0.4:
                d = ArticleDate(year)
            elif roll < 0.7:
                d = ArticleDate(year, rng.randint(1, 12))
            else:
                d = None
            if d is not None:
                start, end, date_text = d.first_day, d.last_day, d.isoformat()
            else:
                last = min(LAST_YEAR, year + rng.randint(1, 5))
                a, b = ArticleDate(year, rng.randint(1, 12)), ArticleDate(last, rng.randint(1, 12))
                if b < a:
                    a, b = b, a
                start, end, date_text = a.first_day, b.last_day, f"{a}..{b}"
        out.append(BenchQuery(kind, words, start, end, date_text))
    return out


# -- measuring --------------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentiles(ms: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"p50": round(qs[49], 2), "p95": round(qs[94], 2), "p99": round(qs[98], 2),
            "mean": round(statistics.fmean(ms), 2), "max": round(max(ms), 2)}


def write_articles(path: Path, n: int, seed: int) -> tuple[float, int]:
    """Generate the articles once into a JSON Lines file that every engine reads; (seconds, text bytes)."""
    t0 = time.perf_counter()
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for rec in generate_articles(n, seed):
            size += len(rec["text"]) + len(rec["title"])
            fh.write(json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
    return time.perf_counter() - t0, size


def read_articles(path: Path) -> Iterator[dict[str, Any]]:
    """The generated articles, read back (reading and parsing count as part of each engine's build)."""
    with path.open("rb") as fh:
        for line in fh:
            yield orjson.loads(line)


# What one query answers, in a form every engine can give: the total and the facet counts
# ({"year": {"2003": 12, ...}, "month": {"2003-04": 2, ...}, "source": {...}}; months of year-only dates left out).
Answer = tuple[int, dict[str, dict[str, int]]]


@dataclass
class EngineReport:
    name: str
    build_seconds: float = 0.0
    size_bytes: int = 0
    peak_mb: float | None = None
    index_seconds: float | None = None  # Kroniek: `kroniek index` alone (the build is the ingest and the index)
    latency: dict[str, dict[str, float]] = field(default_factory=dict)
    by_kind: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    def rate(self, n: int) -> float:
        return n / max(self.build_seconds, 1e-9)


def _median_stats(passes: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(p[k] for p in passes), 2) for k in passes[0]}


def run_mix(queries: list[BenchQuery], fn: Callable[[BenchQuery, bool], Answer], facets: bool,
            report: EngineReport, label: str, runs: int) -> None:
    """Time every query of the mix `runs` times (after a short warm-up on the first 20) and record the median of
    each pass's percentiles, overall and by kind of query; the facet pass keeps each query's answer."""
    for bq in queries[:20]:
        fn(bq, facets)
    passes: list[dict[str, float]] = []
    kind_passes: dict[str, list[dict[str, float]]] = {}
    for run in range(runs):
        times: list[float] = []
        kinds: dict[str, list[float]] = {}
        answers: list[Answer] = []
        for bq in queries:
            t0 = time.perf_counter()
            got = fn(bq, facets)
            ms = (time.perf_counter() - t0) * 1000
            times.append(ms)
            answers.append(got)
            kinds.setdefault(f"{bq.kind}{'+date' if bq.date_text else ''}", []).append(ms)
        passes.append(percentiles(times))
        for k, v in kinds.items():
            kind_passes.setdefault(k, []).append(percentiles(v))
        if facets and run == 0:
            report.answers = answers
    report.latency[label] = _median_stats(passes)
    report.by_kind[label] = {k: _median_stats(v) for k, v in sorted(kind_passes.items())}


def check_answers(report: EngineReport) -> None:
    """Each engine's own counts must hold together: the year counts of every query add up to its total."""
    for total, facets in report.answers:
        if facets and total >= 0:
            assert sum(facets["year"].values()) == total, (report.name, total, facets["year"])


def _code_facets(years: dict[int, int], months: dict[int, int], sources: dict[str, int]) -> dict[str, dict[str, int]]:
    """Facets in the common form from counts by year, by month code (year * 100 + month, 00 for a year-only date)
    and by source."""
    return {"year": {f"{y:04d}": c for y, c in sorted(years.items()) if c},
            "month": {month_text(m): c for m, c in sorted(months.items()) if m % 100 and c},
            "source": {s: c for s, c in sorted(sources.items()) if c}}


# -- Kroniek, through its API ---------------------------------------------------------------------------------


def _cli(*args: str, env: dict[str, str] | None = None) -> None:
    res = subprocess.run([sys.executable, "-m", "kroniek.cli", *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    if res.returncode != 0:
        raise RuntimeError(f"kroniek {args[0]} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")


def bench_kroniek(articles: Path, work: Path, queries: list[BenchQuery], runs: int,
                  split_years: int = 0) -> EngineReport:
    """Kroniek as users build and query it; `split_years`: the index split by period (`kroniek index` makes the new
    index with $KRONIEK_INDEX_SPLIT_YEARS set, as a user would)."""
    from kroniek.archive import Archive
    from kroniek.settings import CoreSettings

    rep = EngineReport(f"Kroniek, split by {split_years} year(s) (Archive.search)" if split_years
                       else "Kroniek (Archive.search)")
    archive, index = work / "kroniek.db", work / "kroniek.index"
    t0 = time.perf_counter()
    _cli("ingest", str(articles), "--format", "jsonl", "--no-analyze", "-q", "--archive", str(archive),
         "--index", str(index))
    stored = time.perf_counter() - t0
    _cli("index", "-q", "--archive", str(archive), "--index", str(index),
         env={"KRONIEK_INDEX_SPLIT_YEARS": str(split_years)})
    rep.build_seconds = time.perf_counter() - t0
    rep.index_seconds = rep.build_seconds - stored
    rep.size_bytes = dir_size(index)
    rep.notes.append(f"build is `kroniek ingest --no-analyze` ({stored:.1f} s, process start included) then "
                     f"`kroniek index` ({rep.build_seconds - stored:.1f} s); size is the index alone "
                     f"(archive {sum(dir_size(p) for p in work.glob('kroniek.db*')) / 1e6:,.0f} MB)")
    with Archive.open(archive, readonly=True, settings=CoreSettings(index=index)) as a:

        def one(bq: BenchQuery, facets: bool) -> Answer:
            res = a.search(bq.kroniek(), limit=PAGE, facets=facets)
            if not facets:
                return res.total, {}
            got = {k: {f.value: f.count for f in res.facets.get(k, [])} for k in ("year", "month", "source")}
            return res.total, got

        run_mix(queries, one, False, rep, "page", runs)
        run_mix(queries, one, True, rep, "page+facets", runs)
    rep.peak_mb = round(peak_rss_mb(), 1)
    return rep


# -- raw tantivy ------------------------------------------------------------------------------------------------


def bench_raw(articles: Path, work: Path, queries: list[BenchQuery], runs: int) -> EngineReport:
    import tantivy

    rep = EngineReport("raw tantivy (default tokenizer)")
    path = work / "raw.index"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("title", stored=True, index_option="position")
    sb.add_text_field("body", stored=True, index_option="position")
    sb.add_text_field("source", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field("date", stored=True, tokenizer_name="raw")
    for name in ("date_start", "date_end", "year", "month"):
        sb.add_integer_field(name, indexed=True, fast=True)
    schema = sb.build()
    index = tantivy.Index(schema, path=str(path))
    t0 = time.perf_counter()
    writer = index.writer(heap_size=2_000_000_000, num_threads=2)
    for rec in read_articles(articles):
        d = ArticleDate.parse(rec["date"])
        writer.add_document(tantivy.Document(
            title=rec["title"], body=rec["text"], source=rec["source"], date=rec["date"],
            date_start=d.first_day.toordinal(), date_end=d.last_day.toordinal(), year=d.year,
            month=month_code(d)))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    rep.build_seconds = time.perf_counter() - t0
    rep.size_bytes = dir_size(path)
    rep.peak_mb = round(peak_rss_mb(), 1)
    rep.notes.append("no stemming, no folding of diacritics (tantivy's default tokenizer: split and lowercase)")
    searcher = index.searcher()
    Q, Must, Integer = tantivy.Query, tantivy.Occur.Must, tantivy.FieldType.Integer
    spec = {"year": {"terms": {"field": "year", "size": 1000}},
            "month": {"terms": {"field": "month", "size": 100_000}},
            "source": {"terms": {"field": "source", "size": 1000}}}

    def one(bq: BenchQuery, facets: bool) -> Answer:
        text = f'"{" ".join(bq.words)}"' if bq.kind == "phrase" else " ".join(bq.words)
        query = index.parse_query(text, ["title", "body"], conjunction_by_default=True)
        if bq.date_text:
            query = Q.boolean_query([
                (Must, query),
                (Must, Q.range_query(schema, "date_start", Integer, None, bq.end.toordinal())),  # type: ignore[union-attr]
                (Must, Q.range_query(schema, "date_end", Integer, bq.start.toordinal(), None)),  # type: ignore[union-attr]
            ])
        found = searcher.search(query, limit=PAGE, count=True)
        gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        for _score, addr in found.hits:
            doc = searcher.doc(addr)
            doc["title"], doc["date"], gen.snippet_from_doc(doc).to_html()  # noqa: B018
        if not facets:
            return found.count, {}
        raw = searcher.aggregate(query, spec)

        def counts(name: str) -> dict[Any, int]:
            return {b["key"]: int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}

        return found.count, _code_facets({int(k): c for k, c in counts("year").items()},
                                         {int(k): c for k, c in counts("month").items()},
                                         {str(k): c for k, c in counts("source").items()})

    run_mix(queries, one, False, rep, "page", runs)
    run_mix(queries, one, True, rep, "page+facets", runs)
    check_answers(rep)
    return rep


# -- SQLite FTS5 ------------------------------------------------------------------------------------------------


def fts5_match(bq: BenchQuery) -> str:
    quoted = ['"' + w.replace('"', '""') + '"' for w in bq.words]
    if bq.kind == "phrase":
        return '"' + " ".join(w.replace('"', '""') for w in bq.words) + '"'
    return " AND ".join(quoted)


def bench_sqlite(articles: Path, work: Path, queries: list[BenchQuery], runs: int) -> EngineReport:
    rep = EngineReport("SQLite FTS5 (unicode61)")
    path = work / "fts5.db"
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript("""
        PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;
        CREATE TABLE articles(rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, body TEXT, source TEXT, date TEXT,
                              date_start INTEGER, date_end INTEGER, year INTEGER, month INTEGER);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, content='articles', content_rowid='rowid',
                                            tokenize='unicode61 remove_diacritics 2');
    """)
    t0 = time.perf_counter()
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
        db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", [(b[0], b[2], b[3]) for b in batch])
        batch.clear()

    db.execute("BEGIN")
    for i, rec in enumerate(read_articles(articles), 1):
        d = ArticleDate.parse(rec["date"])
        batch.append((i, rec["id"], rec["title"], rec["text"], rec["source"], rec["date"],
                      d.first_day.toordinal(), d.last_day.toordinal(), d.year, month_code(d)))
        if len(batch) >= 5000:
            flush()
    flush()
    db.execute("CREATE INDEX articles_dates ON articles(date_start, date_end)")
    db.execute("COMMIT")
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    rep.build_seconds = time.perf_counter() - t0
    rep.size_bytes = dir_size(path)
    rep.peak_mb = round(peak_rss_mb(), 1)
    rep.notes.append("no stemming (unicode61 has none); diacritics folded")

    def one(bq: BenchQuery, facets: bool) -> Answer:
        # one statement: the matches once in a CTE, the page (bm25 order, snippet()) from FTS5 itself (snippet()
        # needs the MATCH in its own FROM), the total and the facets grouped from the CTE
        where, args = "fts MATCH :q", {"q": fts5_match(bq)}
        if bq.date_text:
            where += " AND a.date_start <= :end AND a.date_end >= :start"
            args |= {"end": bq.end.toordinal(), "start": bq.start.toordinal()}  # type: ignore[union-attr]
        frm = f"FROM fts JOIN articles a ON a.rowid = fts.rowid WHERE {where}"
        groups = ("UNION ALL SELECT 'year', year, count(*), NULL, NULL FROM m GROUP BY year "
                  "UNION ALL SELECT 'month', month, count(*), NULL, NULL FROM m GROUP BY month "
                  "UNION ALL SELECT 'source', source, count(*), NULL, NULL FROM m GROUP BY source ") if facets else ""
        sql = (f"WITH m AS MATERIALIZED (SELECT a.year, a.month, a.source {frm}) "
               f"SELECT * FROM (SELECT 'hit', a.id, a.title, a.date, snippet(fts, 1, '<mark>', '</mark>', '…', 24) "
               f"{frm} ORDER BY rank LIMIT {PAGE}) "
               f"UNION ALL SELECT 'total', NULL, count(*), NULL, NULL FROM m {groups}")
        total = 0
        years: dict[int, int] = {}
        months: dict[int, int] = {}
        sources: dict[str, int] = {}
        for kind, key, count, _date, _snippet in db.execute(sql, args):
            if kind == "total":
                total = int(count)
            elif kind == "year":
                years[int(key)] = int(count)
            elif kind == "month":
                months[int(key)] = int(count)
            elif kind == "source":
                sources[str(key)] = int(count)
        return total, _code_facets(years, months, sources) if facets else {}

    run_mix(queries, one, False, rep, "page", runs)
    run_mix(queries, one, True, rep, "page+facets", runs)
    check_answers(rep)
    db.close()
    return rep


# -- PostgreSQL -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_server(work: Path) -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1; yields its connection string."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise RuntimeError("no PostgreSQL binaries: apt-get install -y postgresql, or run with --no-postgres")
    bindir = Path(bins[-1]).parent
    data = work / "pgdata"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as nobody
        user = pwd.getpwnam("nobody")
        for p in (work, data):
            os.chown(p, user.pw_uid, user.pw_gid)
        for p in (work, work.parent):
            p.chmod(0o755)
        prefix = ["runuser", "-u", "nobody", "--"]
    port = _free_port()
    subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-U", "bench", "-A", "trust", "-E", "UTF8",
                             "--locale=C.UTF-8"], check=True, capture_output=True)
    opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data} "
            "-c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_parallel_workers_per_gather=2 -c jit=off")
    subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(data / "log"),
                             "-w", "start"], check=True, capture_output=True)
    try:
        yield f"host=127.0.0.1 port={port} user=bench dbname=postgres"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)


def bench_postgres(articles: Path, work: Path, queries: list[BenchQuery], runs: int) -> EngineReport:
    import psycopg

    rep = EngineReport("PostgreSQL (to_tsvector('dutch'), GIN)")
    pgwork = work / "pg"
    pgwork.mkdir(exist_ok=True)
    with postgres_server(pgwork) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        rep.notes.append(str(conn.execute("SELECT version()").fetchone()[0]).split(" on ")[0])
        conn.execute("""
            CREATE TABLE articles(rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, body TEXT, source TEXT,
                                  date TEXT, date_start DATE, date_end DATE, year INTEGER, month INTEGER,
                                  tsv tsvector GENERATED ALWAYS AS
                                      (setweight(to_tsvector('dutch', title), 'A') ||
                                       to_tsvector('dutch', body)) STORED)""")
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY articles(rowid, id, title, body, source, date, date_start, "
                                            "date_end, year, month) FROM STDIN") as copy:
            for i, rec in enumerate(read_articles(articles), 1):
                d = ArticleDate.parse(rec["date"])
                copy.write_row((i, rec["id"], rec["title"], rec["text"], rec["source"], rec["date"],
                                d.first_day, d.last_day, d.year, month_code(d)))
        conn.execute("CREATE INDEX articles_tsv ON articles USING gin(tsv)")
        conn.execute("CREATE INDEX articles_dates ON articles(date_start, date_end)")
        conn.execute("VACUUM ANALYZE articles")
        rep.build_seconds = time.perf_counter() - t0
        rep.size_bytes = int(conn.execute("SELECT pg_total_relation_size('articles')").fetchone()[0])
        conn.execute("SET statement_timeout = '30s'")

        timeouts = 0

        def one(bq: BenchQuery, facets: bool) -> Answer:
            nonlocal timeouts
            try:
                return one_query(bq, facets)
            except psycopg.errors.QueryCanceled:  # counted at the 30 s limit
                timeouts += 1
                return -1, {}

        def one_query(bq: BenchQuery, facets: bool) -> Answer:
            # one statement: the matches (with their rank) once in a CTE, ts_headline for the 20 best only, the
            # total and the facets from the CTE in one GROUP BY GROUPING SETS
            fn = "phraseto_tsquery" if bq.kind == "phrase" else "plainto_tsquery"
            where = "a.tsv @@ q.q"
            args: dict[str, Any] = {"text": " ".join(bq.words)}
            if bq.date_text:
                where += " AND a.date_start <= %(end)s AND a.date_end >= %(start)s"
                args |= {"end": bq.end, "start": bq.start}
            sets = "GROUP BY GROUPING SETS ((), (year), (month), (source))" if facets else ""
            cols = "year, month, source" if facets else "NULL::int, NULL::int, NULL::text"
            sql = (f"WITH q AS (SELECT {fn}('dutch', %(text)s) AS q), "
                   f"m AS MATERIALIZED (SELECT a.rowid, a.year, a.month, a.source, ts_rank(a.tsv, q.q) AS rank "
                   f"FROM articles a, q WHERE {where}), "
                   f"top AS (SELECT rowid, rank FROM m ORDER BY rank DESC LIMIT {PAGE}) "
                   f"SELECT 'hit', NULL::int, NULL::int, NULL::text, count(*) OVER (), a.id, a.title, a.date, "
                   f"ts_headline('dutch', a.body, q.q, 'StartSel=<mark>,StopSel=</mark>,MaxFragments=1') "
                   f"FROM top JOIN articles a USING (rowid), q "
                   f"UNION ALL SELECT 'count', {cols}, count(*), NULL, NULL, NULL, NULL FROM m {sets}")
            total = 0
            years: dict[int, int] = {}
            months: dict[int, int] = {}
            sources: dict[str, int] = {}
            for kind, year, month, source, count, *_hit in conn.execute(sql, args):
                if kind != "count":
                    continue
                if year is not None:
                    years[int(year)] = int(count)
                elif month is not None:
                    months[int(month)] = int(count)
                elif source is not None:
                    sources[str(source)] = int(count)
                else:
                    total = int(count)
            return total, _code_facets(years, months, sources) if facets else {}

        run_mix(queries, one, False, rep, "page", runs)
        run_mix(queries, one, True, rep, "page+facets", runs)
        check_answers(rep)
        if timeouts:
            rep.notes.append(f"{timeouts} statements hit the 30 s limit")
        # the server's own peak: the largest high-water mark among its processes
        peaks = []
        for status in glob.glob("/proc/[0-9]*/status"):
            with contextlib.suppress(OSError):
                text = Path(status).read_text()
                if "\nName:\tpostgres" in "\n" + text and (m := re.search(r"VmHWM:\s+(\d+) kB", text)):
                    peaks.append(int(m.group(1)))
        rep.peak_mb = round(max(peaks) / 1024, 1) if peaks else None
        rep.notes.append("peak is the largest postgres process (shared_buffers=2GB)")
    return rep


# -- main -------------------------------------------------------------------------------------------------------


def compare_answers(queries: list[BenchQuery], reports: list[EngineReport]) -> list[str]:
    """How often each engine's total and facet counts equal the first engine's, and a few queries side by side."""
    lines: list[str] = []
    differing: list[int] = []
    pairs = [(reports[0], r) for r in reports[1:]]
    unstemmed = [r for r in reports if r.name.startswith(("raw", "SQLite"))]
    if len(unstemmed) == 2:  # the two that neither stem nor drop words
        pairs.append((unstemmed[0], unstemmed[1]))
    for base, r in pairs:
        if not r.answers or not base.answers:
            continue
        same_total = sum(a[0] == b[0] for a, b in zip(base.answers, r.answers, strict=True))
        same_all = sum(a == b for a, b in zip(base.answers, r.answers, strict=True))
        lines.append(f"- {r.name} against {base.name}: total equal in {same_total} of {len(queries)} queries, "
                     f"total and every facet count in {same_all}")
        if base is reports[0]:
            differing += [i for i, (a, b) in enumerate(zip(base.answers, r.answers, strict=True)) if a[0] != b[0]]
    shown = sorted(set(differing))[:8]
    if shown:
        lines += ["", "Totals side by side where they differ (first 8 queries):", "",
                  "| query | " + " | ".join(r.name for r in reports) + " |",
                  "|---|" + "---:|" * len(reports)]
        for i in shown:
            lines.append(f"| `{queries[i].kroniek()}` | "
                         + " | ".join(f"{r.answers[i][0]:,}" if r.answers else "-" for r in reports) + " |")
    return lines


def render(n: int, reports: list[EngineReport], args: argparse.Namespace, wall: float,
           queries: list[BenchQuery]) -> str:
    lines = [f"Articles: {n:,} (seed {args.seed}), {args.text_bytes / 1e9:.2f} GB of text, generated in "
             f"{args.gen_seconds:.0f} s; queries: {args.queries} (seed {args.query_seed}), median of {args.runs} "
             f"passes; {platform.machine()}, {os.cpu_count()} cores; wall {wall / 60:.1f} min", ""]
    lines.append("| engine | build s | index articles/s | size MB | peak RSS MB |")
    lines.append("|---|---:|---:|---:|---:|")
    for r in reports:
        lines.append(f"| {r.name} | {r.build_seconds:.1f} | {r.rate(n):,.0f} | "
                     f"{r.size_bytes / 1e6:,.0f} | {r.peak_mb if r.peak_mb is not None else '-'} |")
    base = reports[0] if reports and reports[0].name.startswith("Kroniek") else None

    def ratio(r: EngineReport, mode: str, key: str, kind: str | None = None) -> str:
        if base is None:
            return "-"
        mine = r.latency[mode][key] if kind is None else r.by_kind[mode][kind][key]
        theirs = base.latency[mode][key] if kind is None else base.by_kind[mode][kind][key]
        return f"{mine / theirs:.2f}x" if theirs else "-"

    lines += ["", "| engine | mode | p50 ms | p95 ms | p99 ms | mean ms | max ms | p50 / p95 / p99 against Kroniek |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in reports:
        for mode, p in r.latency.items():
            lines.append(f"| {r.name} | {mode} | {p['p50']} | {p['p95']} | {p['p99']} | {p['mean']} | {p['max']} | "
                         + " / ".join(ratio(r, mode, k) for k in ("p50", "p95", "p99")) + " |")
    lines += ["", "By kind of query (p50 / p95 / p99 ms; p95 against Kroniek):", "",
              "| engine | mode | " + " | ".join(sorted(reports[0].by_kind["page"])) + " |" if reports else "",
              "|---|---|" + "---|" * (len(reports[0].by_kind["page"]) if reports else 0)]
    for r in reports:
        for mode, kinds in r.by_kind.items():
            lines.append(f"| {r.name} | {mode} | " + " | ".join(
                f"{p['p50']} / {p['p95']} / {p['p99']} ({ratio(r, mode, 'p95', k)})" for k, p in kinds.items()) + " |")
    if len(reports) > 1:
        lines += ["", "Answers in the facet pass (each engine's year counts add up to its total: checked):", ""]
        lines += compare_answers(queries, reports)
    lines.append("")
    for r in reports:
        if r.notes:
            lines.append(f"- {r.name} notes: " + "; ".join(r.notes))
    return "\n".join(lines)


def _child(run: Callable[..., EngineReport], conn: Any, *args: Any) -> None:
    try:
        conn.send(run(*args))
    except BaseException as e:  # report it to the parent, which raises it
        conn.send(e)
    finally:
        conn.close()


def in_child(run: Callable[..., EngineReport], *args: Any) -> EngineReport:
    """Run one engine in a forked process, so that its peak memory is its own."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(run, child, *args))
    proc.start()
    child.close()
    got = parent.recv()
    proc.join()
    if isinstance(got, BaseException):
        raise got
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--articles", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--query-seed", type=int, default=2026)
    ap.add_argument("--workdir", type=Path, default=None, help="where to build (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the built indexes")
    ap.add_argument("--runs", type=int, default=3, help="passes of the query mix; each figure is their median")
    ap.add_argument("--no-raw", action="store_true", help="leave out the plain tantivy index")
    ap.add_argument("--split-years", type=int, default=0, metavar="N",
                    help="also measure Kroniek with its index split by period, one part per N years")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kroniek-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    queries = make_queries(args.queries, args.query_seed)
    t0 = time.perf_counter()
    reports: list[EngineReport] = []
    articles = work / "articles.jsonl"
    try:
        print(f"-- generating {args.articles:,} articles", file=sys.stderr, flush=True)
        args.gen_seconds, args.text_bytes = write_articles(articles, args.articles, args.seed)
        split = functools.partial(bench_kroniek, split_years=args.split_years)
        for name, run, skip in (("kroniek", bench_kroniek, False), ("kroniek", split, not args.split_years),
                                ("raw", bench_raw, args.no_raw),
                                ("sqlite", bench_sqlite, args.no_sqlite), ("postgres", bench_postgres, args.no_postgres)):
            if skip:
                continue
            print(f"-- {name}: building {args.articles:,} articles", file=sys.stderr, flush=True)
            rep = in_child(run, articles, work, queries, args.runs)
            reports.append(rep)
            if args.json:  # written after each engine, so a long run leaves what it measured
                args.json.write_text(json.dumps({"articles": args.articles, "reports": [r.__dict__ for r in reports]},
                                                indent=2, default=str))
            print(f"-- {name}: done, {rep.latency}", file=sys.stderr, flush=True)
            if name == "kroniek" and not args.keep:
                shutil.rmtree(work / "kroniek.index", ignore_errors=True)
                for p in work.glob("kroniek.db*"):
                    p.unlink()
            if name == "raw" and not args.keep:
                shutil.rmtree(work / "raw.index", ignore_errors=True)
            if name == "sqlite" and not args.keep:
                (work / "fts5.db").unlink(missing_ok=True)
    finally:
        if not args.keep:
            articles.unlink(missing_ok=True)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    text = render(args.articles, reports, args, time.perf_counter() - t0, queries)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"articles": args.articles, "reports": [r.__dict__ for r in reports]},
                                        indent=2, default=str))
    kroniek = reports[0] if reports and reports[0].name.startswith("Kroniek") else None
    if kroniek:
        p95 = kroniek.latency["page+facets"]["p95"]
        others = [r.latency["page+facets"]["p95"] for r in reports[1:]
                  if not r.name.startswith(("raw", "Kroniek"))]
        rate = args.articles / max(kroniek.index_seconds or kroniek.build_seconds, 1e-9)
        print(f"\nTargets: Kroniek p95 with facets through Archive.search {p95} ms (<= 10: "
              f"{'met' if p95 <= 10 else 'NOT met'}; no worse than the faster alternative: "
              f"{'met' if not others or p95 <= min(others) else 'NOT met'}); indexing by `kroniek index` "
              f"{rate:,.0f} articles/s (>= 5,000: {'met' if rate >= 5000 else 'NOT met'}; process start included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

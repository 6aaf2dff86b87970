"""Search benchmark: Kroniek (tantivy) against SQLite FTS5 (unicode61) and PostgreSQL (dutch, GIN).

Builds N generated articles (benchmarks/corpus.py: real Dutch sentences from ../shared/data, dated over 25 years)
into each engine, then runs one fixed, seeded mix of queries (one word, two words, phrases; half with a date
filter) on each, as a page of 20 hits with total and snippets, and again with facets (year, month, source).

    python benchmarks/bench_search.py                 # 1,000,000 articles, all three engines
    python benchmarks/bench_search.py -n 20000        # a quick run
    python benchmarks/bench_search.py --no-postgres   # when no PostgreSQL binaries are installed

PostgreSQL: a throwaway server from Debian's package (/usr/lib/postgresql/*/bin) is initialised in a temporary
directory and started on 127.0.0.1 as an unprivileged user (postgres refuses to run as root).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
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

from kroniek.model import ArticleDate  # noqa: E402
from kroniek.search.documents import IndexDoc  # noqa: E402
from kroniek.search.index import SearchIndex  # noqa: E402

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


@dataclass
class EngineReport:
    name: str
    build_seconds: float = 0.0
    size_bytes: int = 0
    peak_mb: float | None = None
    latency: dict[str, dict[str, float]] = field(default_factory=dict)
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def rate(self, n: int) -> float:
        return n / max(self.build_seconds, 1e-9)


def run_mix(queries: list[BenchQuery], fn: Callable[[BenchQuery, bool], int], facets: bool,
            report: EngineReport, label: str) -> None:
    """Time every query of the mix (after a short warm-up on the first 20) and record the percentiles."""
    for bq in queries[:20]:
        fn(bq, facets)
    times: list[float] = []
    kinds: dict[str, list[float]] = {}
    for bq in queries:
        t0 = time.perf_counter()
        fn(bq, facets)
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        kinds.setdefault(f"{bq.kind}{'+date' if bq.date_text else ''}", []).append(ms)
    report.latency[label] = percentiles(times)
    if facets:
        report.by_kind = {k: percentiles(v) for k, v in sorted(kinds.items())}


# -- Kroniek ----------------------------------------------------------------------------------------------------


def to_doc(rec: dict[str, Any]) -> IndexDoc:
    return IndexDoc(id=rec["id"], text=rec["text"], title=rec["title"], source=rec["source"],
                    date=ArticleDate.parse(rec["date"]))


def bench_kroniek(articles: Path, work: Path, queries: list[BenchQuery]) -> EngineReport:
    rep = EngineReport("Kroniek (tantivy)")
    path = work / "kroniek.index"
    t0 = time.perf_counter()
    index = SearchIndex.rebuild(path, (to_doc(r) for r in read_articles(articles)), writer_heap=2_000_000_000,
                                threads=2)
    rep.build_seconds = time.perf_counter() - t0
    rep.size_bytes = dir_size(path)
    rep.peak_mb = round(peak_rss_mb(), 1)

    def one(bq: BenchQuery, facets: bool) -> int:
        return index.search(bq.kroniek(), limit=PAGE, facets=facets).total

    run_mix(queries, one, False, rep, "page")
    run_mix(queries, one, True, rep, "page+facets")
    return rep


# -- SQLite FTS5 ------------------------------------------------------------------------------------------------


def fts5_match(bq: BenchQuery) -> str:
    quoted = ['"' + w.replace('"', '""') + '"' for w in bq.words]
    if bq.kind == "phrase":
        return '"' + " ".join(w.replace('"', '""') for w in bq.words) + '"'
    return " AND ".join(quoted)


def bench_sqlite(articles: Path, work: Path, queries: list[BenchQuery]) -> EngineReport:
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
                      d.first_day.toordinal(), d.last_day.toordinal(), d.year,
                      d.year * 100 + d.month if d.month else None))
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

    def one(bq: BenchQuery, facets: bool) -> int:
        match = fts5_match(bq)
        where, args = "fts MATCH ?", [match]
        if bq.date_text:
            where += " AND a.date_start <= ? AND a.date_end >= ?"
            args += [bq.end.toordinal(), bq.start.toordinal()]  # type: ignore[union-attr]
        frm = f"FROM fts JOIN articles a ON a.rowid = fts.rowid WHERE {where}"
        db.execute(f"SELECT a.id, a.title, a.date, snippet(fts, 1, '<mark>', '</mark>', '…', 24) {frm} "
                   f"ORDER BY rank LIMIT {PAGE}", args).fetchall()
        total = db.execute(f"SELECT count(*) {frm}", args).fetchone()[0]
        if facets:
            for col in ("a.year", "a.month", "a.source"):
                db.execute(f"SELECT {col}, count(*) {frm} GROUP BY {col}", args).fetchall()
        return int(total)

    run_mix(queries, one, False, rep, "page")
    run_mix(queries, one, True, rep, "page+facets")
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


def bench_postgres(articles: Path, work: Path, queries: list[BenchQuery]) -> EngineReport:
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
                                d.first_day, d.last_day, d.year, d.year * 100 + d.month if d.month else None))
        conn.execute("CREATE INDEX articles_tsv ON articles USING gin(tsv)")
        conn.execute("CREATE INDEX articles_dates ON articles(date_start, date_end)")
        conn.execute("VACUUM ANALYZE articles")
        rep.build_seconds = time.perf_counter() - t0
        rep.size_bytes = int(conn.execute("SELECT pg_total_relation_size('articles')").fetchone()[0])
        conn.execute("SET statement_timeout = '30s'")

        timeouts = 0

        def one(bq: BenchQuery, facets: bool) -> int:
            nonlocal timeouts
            try:
                return one_query(bq, facets)
            except psycopg.errors.QueryCanceled:  # counted at the 30 s limit
                timeouts += 1
                return -1

        def one_query(bq: BenchQuery, facets: bool) -> int:
            fn = "phraseto_tsquery" if bq.kind == "phrase" else "plainto_tsquery"
            where = "tsv @@ q"
            args: list[Any] = [" ".join(bq.words)]
            if bq.date_text:
                where += " AND date_start <= %s AND date_end >= %s"
                args += [bq.end, bq.start]
            cte = f"WITH m AS MATERIALIZED (SELECT a.*, q FROM articles a, {fn}('dutch', %s) q WHERE {where})"
            conn.execute(f"{cte} SELECT id, title, date, ts_headline('dutch', body, q, "
                         f"'StartSel=<mark>,StopSel=</mark>,MaxFragments=1') FROM "
                         f"(SELECT * FROM m ORDER BY ts_rank(tsv, q) DESC LIMIT {PAGE}) top", args).fetchall()
            total = conn.execute(f"SELECT count(*) FROM articles a, {fn}('dutch', %s) q WHERE {where}",
                                 args).fetchone()[0]
            if facets:
                for col in ("year", "month", "source"):
                    conn.execute(f"SELECT {col}, count(*) FROM articles a, {fn}('dutch', %s) q "
                                 f"WHERE {where} GROUP BY {col}", args).fetchall()
            return int(total)

        run_mix(queries, one, False, rep, "page")
        run_mix(queries, one, True, rep, "page+facets")
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


def render(n: int, reports: list[EngineReport], args: argparse.Namespace, wall: float) -> str:
    lines = [f"Articles: {n:,} (seed {args.seed}), {args.text_bytes / 1e9:.2f} GB of text, generated in "
             f"{args.gen_seconds:.0f} s; queries: {args.queries} (seed {args.query_seed}); {platform.machine()}, "
             f"{os.cpu_count()} cores; wall {wall / 60:.1f} min", ""]
    lines.append("| engine | build s | index articles/s | size MB | peak RSS MB |")
    lines.append("|---|---:|---:|---:|---:|")
    for r in reports:
        lines.append(f"| {r.name} | {r.build_seconds:.1f} | {r.rate(n):,.0f} | "
                     f"{r.size_bytes / 1e6:,.0f} | {r.peak_mb if r.peak_mb is not None else '-'} |")
    lines += ["", "| engine | mode | p50 ms | p95 ms | p99 ms | mean ms | max ms |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in reports:
        for mode, p in r.latency.items():
            lines.append(f"| {r.name} | {mode} | {p['p50']} | {p['p95']} | {p['p99']} | {p['mean']} | {p['max']} |")
    lines += ["", "Latency with facets by query kind (p50 / p95 ms):", ""]
    for r in reports:
        lines.append(f"- {r.name}: " + "; ".join(f"{k} {p['p50']} / {p['p95']}" for k, p in r.by_kind.items()))
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
        for name, run, skip in (("kroniek", bench_kroniek, False), ("sqlite", bench_sqlite, args.no_sqlite),
                                ("postgres", bench_postgres, args.no_postgres)):
            if skip:
                continue
            print(f"-- {name}: building {args.articles:,} articles", file=sys.stderr, flush=True)
            rep = in_child(run, articles, work, queries)
            reports.append(rep)
            if args.json:  # written after each engine, so a long run leaves what it measured
                args.json.write_text(json.dumps({"articles": args.articles, "reports": [r.__dict__ for r in reports]},
                                                indent=2, default=str))
            print(f"-- {name}: done, {rep.latency}", file=sys.stderr, flush=True)
            if name == "kroniek" and not args.keep:
                shutil.rmtree(work / "kroniek.index", ignore_errors=True)
            if name == "sqlite" and not args.keep:
                (work / "fts5.db").unlink(missing_ok=True)
    finally:
        if not args.keep:
            articles.unlink(missing_ok=True)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    text = render(args.articles, reports, args, time.perf_counter() - t0)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"articles": args.articles, "reports": [r.__dict__ for r in reports]},
                                        indent=2, default=str))
    kroniek = reports[0] if reports and reports[0].name.startswith("Kroniek") else None
    if kroniek:
        p95 = kroniek.latency["page+facets"]["p95"]
        others = [r.latency["page+facets"]["p95"] for r in reports[1:]]
        print(f"\nTargets: Kroniek p95 with facets {p95} ms (<= 20: {'met' if p95 <= 20 else 'NOT met'}; "
              f"no worse than the faster alternative: "
              f"{'met' if not others or p95 <= min(others) else 'NOT met'}); indexing "
              f"{kroniek.rate(args.articles):,.0f} articles/s (>= 5,000: "
              f"{'met' if kroniek.rate(args.articles) >= 5000 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The `kroniek` command line: parse, call the archive, format. Errors become a message and the next step.

Exit codes: 0 all went well; 3 some records were quarantined (the rest went in); 1 an error stopped the command;
2 the command line itself was wrong. A reader that closes standard output early (`kroniek export | head -1`) ends
the command quietly, with 0: it had what it wanted.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kroniek import __version__
from kroniek.analysis import (
    AnalysisWorkers,
    ReadOptions,
    Rejected,
    analyze_paths,
    article_limit,
    choose_workers,
    input_bytes,
    load_pipeline,
    require_model,
    tag_conll,
    word_count,
)
from kroniek.archive import Archive, IngestReport
from kroniek.errors import KroniekError, ModelError
from kroniek.export import FORMATS as EXPORT_FORMATS
from kroniek.export import TEXT_FORMATS, encode
from kroniek.model import EXPORT_KINDS, INPUT_FORMATS, STAGES, LinkedArticle, Listing
from kroniek.settings import (
    ARCHIVE_ENV,
    DEFAULT_ARCHIVE,
    INDEX_ENV,
    CoreSettings,
    Location,
    archive_location,
    shown_location,
)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_QUARANTINED = 0, 1, 2, 3


class _Console(Console):
    """A console whose closed pipe is an error like any other write's, for `KroniekGroup` to end quietly (rich
    would exit with 1 by itself)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "the reader closed the output")


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


def _open_archive(path: Location, **kwargs: Any) -> Archive:
    """Open the archive for a command (with the search index of `--index`, when given); what it has to say about
    itself (an index catch-up, a wait for another writer) goes to standard error."""
    index = _index_option()
    if index is not None:
        kwargs["settings"] = kwargs.get("settings") or CoreSettings()
        kwargs["settings"].index = index
    archive = Archive.open(path, **kwargs)
    archive.on_notice = lambda message: err.print(message, markup=False)
    return archive


class KroniekGroup(click.Group):
    """The one mapping from core errors to messages: no traceback, always a next step."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KroniekError as e:
            err.print(f"[bold red]Error:[/] {e}", markup=True)
            if e.hint:
                err.print(f"Next: {e.hint}")
            ctx.exit(EXIT_ERROR)
        except OSError as e:
            if e.errno == errno.EPIPE:  # the reader of the output went away (`| head`): it had what it wanted
                _discard_stdout()
                ctx.exit(EXIT_OK)
            err.print(f"[bold red]Error:[/] {e.strerror or e}: {e.filename or ''}".rstrip(": "), markup=True)
            err.print("Next: check the path, its permissions and the free disk space")
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            err.print("Interrupted; batches already committed stay in the archive.")
            ctx.exit(130)


def _discard_stdout() -> None:
    """Send what is still buffered for standard output nowhere, so that the flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a standard output without a file descriptor (captured): nothing to redirect
        pass


def _archive_value(ctx: click.Context, param: click.Parameter, value: str) -> Location:
    return archive_location(value)


def _index_value(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        ctx.meta["kroniek.index"] = value
    return value


def _index_option() -> Path | None:
    """The command's `--index` (or $KRONIEK_INDEX); None: the archive's own place."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("kroniek.index") if ctx is not None else None


def archive_option(f: Any) -> Any:
    """`--archive` (a SQLite file or a PostgreSQL URL) and `--index` (where its search index lives)."""
    f = click.option(
        "--index", "index_path", type=click.Path(file_okay=False, path_type=Path), envvar=INDEX_ENV,
        expose_value=False, callback=_index_value, metavar="DIR",
        help=f"The search index's folder (or ${INDEX_ENV}). Default: beside a SQLite archive as <file>.index/; for a "
             "PostgreSQL archive ~/.local/share/kroniek/indexes/<host>-<port>-<database>.index/ (under "
             "$XDG_DATA_HOME when set), one per machine, built from the database when missing.")(f)
    return click.option(
        "--archive", "archive_path", envvar=ARCHIVE_ENV, default=DEFAULT_ARCHIVE, show_default=True,
        callback=_archive_value, metavar="FILE|URL",
        help=f"The archive (or ${ARCHIVE_ENV}): a SQLite file, or a PostgreSQL database as "
             "postgresql://user@host[:port]/database (needs kroniek[postgres]).")(f)


def _read_options(fmt: str | None, columns: tuple[str, ...], source: str | None, allow_undated: bool,
                  max_article_mb: float | None) -> dict[str, Any]:
    mapping = {}
    for spec in columns:
        if "=" not in spec:
            raise click.BadParameter(f"{spec!r}: write FIELD=COLUMN, e.g. text=body", param_hint="--column")
        key, col = spec.split("=", 1)
        mapping[key.strip()] = col.strip()
    opts: dict[str, Any] = {"fmt": fmt, "columns": mapping or None, "source": source}
    if allow_undated:
        opts["require_date"] = False
    if max_article_mb is not None:
        opts["max_article_bytes"] = int(max_article_mb * 1024 * 1024)
    return opts


def _article_mb(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """--max-article-mb checked: nan, infinity, 0 and negative sizes are usage errors (see readers.article_limit)."""
    if value is not None:
        try:
            article_limit(value)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
    return value


def reader_options(f: Any) -> Any:
    """The options every command that reads input takes."""
    for opt in reversed([
        click.option("--format", "fmt", type=click.Choice(INPUT_FORMATS), help="Input format (default: by extension; "
                     "standard input: JSON Lines when it starts with '{', else dated lines)."),
        click.option("--column", "columns", multiple=True, metavar="FIELD=COLUMN",
                     help="CSV: read FIELD (text, id, date, title, source, url) from COLUMN. Repeatable."),
        click.option("--source", help="Source name for records that give none."),
        click.option("--allow-undated", is_flag=True, help="Read articles without a date instead of quarantining."),
        click.option("--max-article-mb", type=float, callback=_article_mb,
                     help="Quarantine articles larger than this (default 64; 0.001 to 1024)."),
    ]):
        f = opt(f)
    return f


@click.group(cls=KroniekGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kroniek")
def cli() -> None:
    """Kroniek: a searchable, time-anchored archive of dated Dutch news articles."""


# --- ingest ----------------------------------------------------------------------------------------------------

@contextmanager
def _progress(label: str, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.completed:,.0f}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err, transient=True) as bar:
        yield bar, bar.add_task(label, total=None, rate="")


def _words_rate(words: int, seconds: float) -> str:
    """The rate the progress bar of an analysis shows."""
    return f"{words / seconds:,.0f} words/s" if seconds > 0 else ""


class _AnalysisProgress:
    """A progress bar's analysis task: articles done, and words a second since it started."""

    def __init__(self, bar: Any, label: str, task: Any = None) -> None:
        self.bar, self.label, self.task = bar, label, task
        self.start = time.monotonic()

    def __call__(self, done: int, words: int) -> None:
        if not self.bar:
            return
        if self.task is None:
            self.task = self.bar[0].add_task(self.label, total=None, rate="")
            self.start = time.monotonic()
        self.bar[0].update(self.task, completed=done, rate=_words_rate(words, time.monotonic() - self.start))


def _workers_option(name: str, what: str) -> Any:
    return click.option(name, "analysis_workers", type=click.IntRange(0, 64), default=0, show_default=True,
                        help=f"Processes that run {what}, each with the model loaded: 1 runs it in this process; "
                             "0 one per core (at most 8), one for a small input.")


def _summary(report: IngestReport) -> str:
    rate = report.read / report.seconds if report.seconds else 0.0
    parts = [f"{report.new} new", f"{report.duplicates} duplicates", f"{report.quarantined} quarantined"]
    if report.not_dutch:
        parts.append(f"{report.not_dutch} not Dutch (not analysed)")
    return (f"Ingested {report.read} records: {', '.join(parts)} in {report.seconds:.1f} s "
            f"({rate:,.0f} articles/s, {report.bytes / 1e6 / (report.seconds or 1):.1f} MB/s).")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@archive_option
@reader_options
@click.option("--analyze/--no-analyze", default=True, show_default=True,
              help="Run the NLP analysis over the new Dutch articles after ingest.")
@click.option("--workers", type=click.IntRange(0, 64), default=0, show_default=True,
              help="1: read in the writing process; 2: read and prepare articles in a second process beside it "
                   "(more: with preparing processes of its own); 0: 2 when the machine has two cores and the "
                   "input is 16 MB or more.")
@click.option("--index-now", is_flag=True,
              help="Bring the search index up to date before returning, however many articles came in (by "
                   "default more than 10,000 new changes are left to the next search or `kroniek index`).")
@_workers_option("--analysis-workers", "the analysis after the ingest")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(paths: tuple[str, ...], archive_path: Location, fmt: str | None, columns: tuple[str, ...],
           source: str | None, allow_undated: bool, max_article_mb: float | None, analyze: bool,
           workers: int, index_now: bool, analysis_workers: int, quiet: bool) -> None:
    """Read articles from PATHS (files, directories, or - for standard input) into the archive.

    Then the Dutch articles not analysed yet go through the NLP pipeline (unless --no-analyze), and the search
    index catches up with what was stored; after a large ingest the next search (or `kroniek index`) does that.

    Exit code 3 when records were quarantined (see `kroniek quarantine`); everything else went in.
    """
    settings = CoreSettings(ingest_workers=workers, analyze_workers=analysis_workers)
    if index_now:
        settings.index_defer_above = 0
    with _open_archive(archive_path, settings=settings) as archive:
        opts = archive.read_options(**_read_options(fmt, columns, source, allow_undated, max_article_mb))
        with _progress("ingest", not quiet and err.is_terminal) as bar:
            def tick(report: IngestReport) -> None:
                if bar:
                    rate = report.read / report.seconds if report.seconds else 0
                    bar[0].update(bar[1], completed=report.read, rate=f"{rate:,.0f} articles/s")

            # then every Dutch article without an analysis: the new ones and those an interrupted run left
            report = archive.ingest_and_analyze(paths, options=opts, analyze=analyze, progress=tick,
                                                analysis_progress=_AnalysisProgress(bar, "analyse"),
                                                collect_ids=False)
        out.print(_summary(report))
        for message in report.errors:
            err.print(f"[bold red]Error:[/] {message}", markup=True)
        if report.quarantined:
            err.print(f"{report.quarantined} records quarantined; list them with "
                      f"`kroniek quarantine --archive {shown_location(archive_path)}`.")
        if report.not_analysed:
            err.print(f"[yellow]Not analysed:[/] {report.not_analysed}. The articles are stored; entities, quotes "
                      "and time expressions stay empty until the model is there; then run `kroniek reanalyze`.",
                      markup=True)
        elif report.analysed:
            out.print(f"Analysed {report.analysed} Dutch articles that were not analysed yet ({', '.join(STAGES)}).")
        if report.stories:
            out.print(f"{report.stories} new stories; list them with `kroniek stories --archive {archive_path}`.")
    if report.errors:
        sys.exit(EXIT_ERROR)
    if report.quarantined:
        sys.exit(EXIT_QUARANTINED)


def _analyze_archive(archive: Archive, ids: list[str] | None, stages: tuple[str, ...] | list[str],
                     quiet: bool, unanalysed: bool = False, workers: int | None = None) -> int:
    try:
        with _progress("analyse", not quiet and err.is_terminal) as bar:
            tick = _AnalysisProgress(bar, "analyse", bar[1] if bar else None)
            done = archive.analyze(ids, stages=stages, progress=tick, unanalysed=unanalysed, workers=workers)
    except ModelError as e:
        err.print(f"[yellow]Not analysed:[/] {e}. The articles are stored; entities, quotes and time "
                  f"expressions stay empty until the model is there.", markup=True)
        if e.hint:
            err.print(f"Next: {e.hint}, then run `kroniek reanalyze`.")
        return 0
    what = "Dutch articles that were not analysed yet" if unanalysed else "Dutch articles"
    out.print(f"Analysed {done} {what} ({', '.join(stages)}).")
    return done


@cli.command()
@archive_option
@click.option("--stage", "stages", multiple=True, type=click.Choice(STAGES),
              help="Re-run only this stage (repeatable; default: all).")
@click.option("--id", "ids", multiple=True, help="Only this article (repeatable; default: all Dutch articles).")
@_workers_option("--workers", "the analysis")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def reanalyze(archive_path: Location, stages: tuple[str, ...], ids: tuple[str, ...], analysis_workers: int,
              quiet: bool) -> None:
    """Run the NLP analysis again over stored articles, without re-ingesting them."""
    with _open_archive(archive_path) as archive:
        _analyze_archive(archive, list(ids) or None, stages or STAGES, quiet, workers=analysis_workers)


# --- analyze files to the analysis format ----------------------------------------------------------------------

@cli.command()
@click.argument("paths", nargs=-1, required=True)
@reader_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the analysis here (default: standard output).")
@click.option("--batch", default=32, show_default=True, help="Articles per pipeline batch.")
@_workers_option("--workers", "the analysis")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def analyze(paths: tuple[str, ...], fmt: str | None, columns: tuple[str, ...], source: str | None,
            allow_undated: bool, max_article_mb: float | None, output: Path | None, batch: int,
            analysis_workers: int, quiet: bool) -> None:
    """Write the analysis of the articles in PATHS, one JSON line per article in input order (eval/FORMAT.md).

    Skipped records are named on standard error (file and line) and give exit code 3."""
    opts = ReadOptions(**{k: v for k, v in _read_options(fmt, columns, source, allow_undated,
                                                          max_article_mb).items() if v is not None})
    workers = choose_workers(analysis_workers, input_bytes(paths))
    nlp = None
    try:
        if workers > 1:
            require_model()  # each worker loads it
        else:
            nlp = load_pipeline()
    except ModelError as e:
        workers = 1  # without the model there is only structure to read, which needs no second process
        err.print(f"[yellow]Warning:[/] {e}: entities, time expressions and quotations are empty; "
                  f"structure and references are written.", markup=True)
    rejected = 0

    def skipped(item: Rejected) -> None:
        nonlocal rejected
        rejected += 1
        err.print(f"[yellow]Skipped[/] {item.origin}: {item.reason}", markup=True)

    sink: IO[str] = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with contextlib.ExitStack() as stack, _progress("analyse", not quiet and err.is_terminal) as bar:
            pool = stack.enter_context(AnalysisWorkers(workers)) if workers > 1 else None
            tick = _AnalysisProgress(bar, "analyse", bar[1] if bar else None)
            done = words = 0
            for a in analyze_paths(paths, opts, nlp, batch=batch, on_rejected=skipped, workers=pool):
                sink.write(json.dumps(a.to_format(), ensure_ascii=False) + "\n")
                done += 1
                words += word_count(a.text)
                if bar and done % batch == 0:
                    tick(done, words)
    finally:
        if output:
            sink.close()
    if rejected:
        sys.exit(EXIT_QUARANTINED)


# --- beyond one process ----------------------------------------------------------------------------------------

@cli.group()
def batch() -> None:
    """Analysis at scale: on Apache Spark (a cluster, or local[*] here), written as Parquet."""


@batch.command("analyze")
@click.argument("paths", nargs=-1, required=True)
@click.argument("output", type=click.Path(file_okay=False, path_type=Path))
@reader_options
@click.option("--engine", type=click.Choice(["spark", "local"]), default="spark", show_default=True,
              help="spark: Apache Spark (pip install 'kroniek[spark]', needs Java); local: this process.")
@click.option("--master", default="local[*]", show_default=True,
              help="The Spark master URL (spark://host:7077, yarn, k8s://..., local[N]).")
@click.option("--partitions", type=click.IntRange(1, 100_000), help="Spark tasks (default: the cluster's cores).")
def batch_analyze(paths: tuple[str, ...], output: Path, fmt: str | None, columns: tuple[str, ...],
                  source: str | None, allow_undated: bool, max_article_mb: float | None, engine: str, master: str,
                  partitions: int | None) -> None:
    """Analyse the articles in PATHS (files or directories, any input format) and write OUTPUT: a Parquet
    dataset of the articles with their analyses (the analysis format in its `analysis` column) and the records
    that could not be read in OUTPUT/_quarantine. Load it into an archive with `kroniek load OUTPUT`.

    Exit code 3 when records were quarantined; everything else was analysed.
    """
    from kroniek.batch import analyze_to_parquet

    opts = ReadOptions(**{k: v for k, v in _read_options(fmt, columns, source, allow_undated,
                                                          max_article_mb).items() if v is not None})
    counts = analyze_to_parquet(list(paths), output, engine=engine, master=master, partitions=partitions,
                                options=opts)
    out.print(f"Analysed {counts['analysed']:,} articles into {output} ({engine}); "
              f"{counts['quarantined']:,} records quarantined in {output / '_quarantine'}.")
    if counts["quarantined"]:
        sys.exit(EXIT_QUARANTINED)


@cli.command()
@click.argument("output", type=click.Path(exists=True, file_okay=False, path_type=Path))
@archive_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load(output: Path, archive_path: Location, quiet: bool) -> None:
    """Bulk-load OUTPUT of `kroniek batch analyze` into the archive: the articles with their analyses (no analysis
    runs here) and the quarantined records; then stories are placed. Loading it again changes nothing.

    Exit code 3 when the output holds quarantined records.
    """
    with _open_archive(archive_path) as archive, _progress("load", not quiet and err.is_terminal) as bar:
        def tick(report: IngestReport) -> None:
            if bar:
                bar[0].update(bar[1], completed=report.read, rate="")

        report = archive.load(output, progress=tick)
    out.print(_summary(report).replace("Ingested", "Loaded") + f" {report.analysed:,} with their analyses.")
    if report.quarantined:
        err.print(f"{report.quarantined} records quarantined; list them with `kroniek quarantine --archive "
                  f"{archive_path}`.")
        sys.exit(EXIT_QUARANTINED)


# --- reading the archive ---------------------------------------------------------------------------------------

@cli.command()
@click.argument("article_id")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the article and its annotations as JSON.")
def show(article_id: str, archive_path: Location, as_json: bool) -> None:
    """Show one article: its date, source, structure, text and annotations."""
    with _open_archive(archive_path, readonly=True) as archive:
        art = archive.get_article(article_id)
    if as_json:
        out.print_json(json.dumps(art.to_dict(), ensure_ascii=False))
        return
    date = f"{art.date} ({art.date.precision.value})" if art.date else "undated"
    out.print(f"[bold]{art.title or art.id}[/]", markup=True)
    out.print(f"id {art.id} · {date} · {art.source or 'no source'} · language {art.language}"
              + (f" · {art.url}" if art.url else ""))
    if art.story_id:
        out.print(f"story {art.story_id} (kroniek story {art.story_id})", markup=False)
    for other in art.other_sources:
        place = ", ".join(x for x in (other["source"], other["url"]) if x)
        out.print(f"also from {place or 'another input'}"
                  + (f" ({other['origin_file']}:{other['origin_line']})" if other["origin_file"] else ""),
                  markup=False)
    s = art.structure
    heads = {(h.start, h.end) for h in s.subheadings}
    blocks = sorted([(p.start, p.end) for p in s.paragraphs] + list(heads)
                    + [(r.start, r.end) for r in s.references])
    refs = {(r.start, r.end) for r in s.references}
    for start, end in blocks:
        text = art.text[start:end]
        out.print()
        if (start, end) in heads:
            out.print(f"[bold]{escape(text)}[/]", markup=True)
        elif (start, end) in refs:
            target = art.reference_targets.get(start)
            found = f" [dim](in the archive: {_listed(target)})[/]" if target else " [dim](not in the archive)[/]"
            out.print(f"[italic]→ Lees ook: {escape(text)}[/]{found}", markup=True)
        else:
            out.print(text)
    for heading, listed in (("Referenced by", art.referenced_by), ("Related", art.related)):
        if listed:
            out.print()
            out.print(f"[bold]{heading}[/]", markup=True)
            for a in listed:
                out.print(f"  {_listed(a)}" + (f" [dim]({a.relation})[/]" if heading == "Related" else ""),
                          markup=True)
    out.print()
    out.print(f"{len(art.entities)} entities, {len(art.quotes)} quotes, {len(art.timexes)} time expressions"
              + (f" (analysed by {', '.join(sorted(set(art.analyses.values())))})" if art.analyses
                 else " (not analysed)"))


def _listed(a: LinkedArticle) -> str:
    """A linked article on one line, as `kroniek show` lists it (escaped for rich's markup)."""
    return escape(f"{a.id} · {a.date or 'undated'} · {a.title}")


@cli.command()
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(archive_path: Location, as_json: bool) -> None:
    """Articles by month and by source, and what is quarantined and analysed."""
    with _open_archive(archive_path, readonly=True) as archive:
        figures = archive.stats()
    if as_json:
        out.print_json(json.dumps(figures))
        return
    out.print(f"{figures['articles']} articles ({figures['first_day'] or '-'} to {figures['last_day'] or '-'}), "
              f"{figures['analysed']} analysed, {figures['entities']} entities, "
              f"{figures['quarantined']} quarantined records.")
    months = Table("month", "articles", title="By month")
    for row in figures["by_month"]:
        months.add_row(row["month"] or "undated", str(row["articles"]))
    sources = Table("source", "articles", title="By source")
    for row in figures["by_source"]:
        sources.add_row(row["source"] or "(none)", str(row["articles"]))
    out.print(months)
    out.print(sources)
    languages = ", ".join(f"{row['language']} {row['articles']}" for row in figures["by_language"])
    out.print(f"Languages: {languages or '-'} (only Dutch articles are analysed).")


@cli.command()
@archive_option
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0)
@click.option("--raw", is_flag=True, help="Print each raw record in full.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
def quarantine(archive_path: Location, limit: int, offset: int, raw: bool, as_json: bool) -> None:
    """List the records that could not be read: file, line, reason (and the raw record)."""
    with _open_archive(archive_path, readonly=True) as archive:
        found = archive.quarantined(limit, offset)
    rows, total = found.items, found.total
    if as_json:
        for q in rows:
            out.print(json.dumps(q.to_dict(), ensure_ascii=False), markup=False)
        return
    if not rows:
        out.print("Nothing quarantined." if not total else f"No records past offset {offset} (total {total}).")
        return
    for q in rows:
        out.print(f"[bold]{q.file}:{q.line}[/] {q.reason}", markup=True)
        shown = q.raw if raw else (q.raw[:120] + ("…" if len(q.raw) > 120 else ""))
        out.print(f"    {shown!r}" if not raw else shown, markup=False)
    _more(found)


def _query_options(f: Any) -> Any:
    """The options every command that takes a search query has."""
    return click.option("--exact", is_flag=True, help="Match words as written: no stemming (as if each were quoted).")(f)


@cli.command()
@click.argument("query", default="")
@archive_option
@_query_options
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--sort", type=click.Choice(["relevance", "date", "date-asc"]), default="relevance", show_default=True)
@click.option("--facets", is_flag=True, help="Also count the matches by year, month, source, entity and speaker.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def search(query: str, archive_path: Location, exact: bool, limit: int, offset: int, sort: str, facets: bool,
           as_json: bool) -> None:
    """Search the archive: words, "phrases", OR, NOT, -word, prefix*, title:, source:, date:2019-02 (docs/search.md)."""
    from rich.text import Text

    from kroniek.errors import QueryError

    with _open_archive(archive_path, readonly=True) as archive:
        try:
            result = archive.search(query, limit=limit, offset=offset, sort=sort, facets=facets, exact=exact)
        except QueryError as e:
            err.print(e.pointer(query), markup=False)
            raise
    if as_json:
        out.print(json.dumps(result.to_dict(), ensure_ascii=False), markup=False)
        return
    shown = f"{offset + 1}-{offset + len(result.hits)} of " if result.hits else ""
    out.print(f"{shown}{result.total:,} articles match {query!r}.", markup=False)
    for h in result.hits:
        line = Text()
        line.append(h.id, style="bold")
        line.append(f"  {h.date or 'undated'}  {h.source or ''}  {h.title}")
        out.print(line)
        snippet = Text("    ")
        for piece, marked in h.segments():
            snippet.append(piece, style="bold yellow" if marked else None)
        out.print(snippet)
    for name, buckets in result.facets.items():
        if buckets:
            values = ", ".join(f"{b.value}{f' ({b.label})' if b.label else ''}: {b.count}" for b in buckets)
            out.print(f"[bold]{name}[/] ", markup=True, end="")
            out.print(values, markup=False)


@cli.command()
@archive_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def index(archive_path: Location, quiet: bool) -> None:
    """Bring the search index up to date with the archive now (what the next search would do first): index
    every article stored or changed since, as a large ingest leaves them."""
    with _open_archive(archive_path) as archive, _progress("indexing", not quiet and err.is_terminal) as prog:
        def tick(done: int) -> None:
            if prog:
                prog[0].update(prog[1], completed=done)

        started = time.perf_counter()
        n = archive.catch_up_index(progress=tick)
        seconds = time.perf_counter() - started
    out.print(f"Search index up to date: indexed {n:,} articles in {seconds:.1f} s." if n
              else "Search index up to date: nothing to index.")


@cli.command()
@archive_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--split-years", type=click.IntRange(min=0), default=None, metavar="N",
              help="Build the index split by period, one part per N years of publication (0: one index). "
                   "Default: the layout it has now ($KRONIEK_INDEX_SPLIT_YEARS for a new one).")
def reindex(archive_path: Location, quiet: bool, split_years: int | None) -> None:
    """Rebuild the search index from the archive (see --index for where it lives)."""
    with _open_archive(archive_path) as archive, _progress("reindexing", not quiet) as prog:
        def tick(done: int) -> None:
            if prog:
                prog[0].update(prog[1], completed=done)

        started = time.perf_counter()
        n = archive.reindex(progress=tick, split_years=split_years)
        seconds = time.perf_counter() - started
    out.print(f"Indexed {n:,} articles in {seconds:.1f} s.")


# what one row of each kind of export is, in the closing line
_EXPORT_ROWS = {"articles": "articles", "entities": "entities", "quotes": "quotations", "timeline": "timeline events",
                "stories": "stories"}


@cli.command()
@click.argument("query", default="")
@archive_option
@_query_options
@click.option("--what", type=click.Choice(EXPORT_KINDS), default="articles", show_default=True,
              help="The articles matching QUERY, or the entities, quotations, timeline events or stories of those "
                   "articles.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True,
              help="JSON Lines, CSV or Parquet (Parquet needs --output).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
@click.option("--limit", type=click.IntRange(1), help="At most this many rows.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def export(query: str, archive_path: Location, exact: bool, what: str, fmt: str, output: Path | None, limit: int | None,
           quiet: bool) -> None:
    """Export the articles matching QUERY (all when empty; newest first) with their annotations, or their
    entities, quotations, timeline events or stories (docs/export.md lists the columns)."""
    if output is None and fmt not in TEXT_FORMATS:
        raise click.UsageError(f"{fmt} is a binary format: write it to a file with --output FILE")
    # the bar goes to standard error, unless that is the terminal the rows are written to
    bar_wanted = not quiet and err.is_terminal and (output is not None or not sys.stdout.isatty())
    with _open_archive(archive_path, readonly=True) as archive:
        rows = archive.export(query, what=what, most=limit, exact=exact)
        n = 0
        with _progress(f"export {what}", bar_wanted) as bar:
            if bar:
                bar[0].update(bar[1], rate="rows written")

            def counted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
                nonlocal n
                for row in rows:
                    yield row
                    n += 1
                    if bar and n % 100 == 0:
                        bar[0].update(bar[1], completed=n)
                if bar:
                    bar[0].update(bar[1], completed=n)

            sink: IO[bytes] = output.open("wb") if output else sys.stdout.buffer
            try:
                for chunk in encode(counted(rows), what, fmt):
                    sink.write(chunk)
                sink.flush()
            finally:
                if output:
                    sink.close()
    if output:
        err.print(f"Exported {n:,} {_EXPORT_ROWS[what]} to {output}.", markup=False)


@cli.command()
@click.argument("query", default="")
@archive_option
@_query_options
@click.option("--speaker", help="Only this speaker (a name, a variant of it, or a description).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
def quotes(query: str, archive_path: Location, exact: bool, speaker: str | None, limit: int, offset: int,
           as_json: bool) -> None:
    """Quotations in time order: who said what, optionally by one speaker and within the articles of QUERY."""
    with _open_archive(archive_path, readonly=True) as archive:
        found = archive.quotes(speaker=speaker, query=query, limit=limit, offset=offset, exact=exact)
    rows = found.items
    if as_json:
        for r in rows:
            out.print(json.dumps(r, ensure_ascii=False), markup=False)
        return
    if not rows:
        out.print("No quotations found." + ("" if speaker is None else " Speakers are listed by `kroniek speakers`."))
    for r in rows:
        out.print(f"[bold]{r['article_date'] or 'undated'}[/]  {r['article_id']}  ({r['kind']})", markup=True)
        who = r["speaker"] or r["speaker_mention"] or "?"
        out.print(f"    {who}: \u201c{r['text']}\u201d" + (f"  [{r['cue']}]" if r["cue"] else ""), markup=False)
    _more(found)


@cli.command()
@archive_option
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
def speakers(archive_path: Location, limit: int, offset: int, as_json: bool) -> None:
    """Speakers with their numbers of quotations and articles, most quoted first."""
    with _open_archive(archive_path, readonly=True) as archive:
        found = archive.speakers(limit=limit, offset=offset)
    _print_rows(found, ["speaker", "quotes", "articles"], as_json)


@cli.command()
@click.argument("query", default="")
@archive_option
@_query_options
@click.option("--entity", help="Only events in sentences that name this entity (name, variant or id); when no "
                                "sentence does, those of the articles that name it.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
def timeline(query: str, archive_path: Location, exact: bool, entity: str | None, limit: int, offset: int,
             as_json: bool) -> None:
    """What happened when: sentences placed on the calendar by their time expressions, in time order."""
    with _open_archive(archive_path, readonly=True) as archive:
        found = archive.timeline(query, entity, limit, offset, exact=exact)
    events = found.items
    if as_json:
        for e in events:
            out.print(json.dumps(e, ensure_ascii=False), markup=False)
        return
    if not events:
        out.print("No events found.")
    elif found.widened and found.entity:
        out.print(f"No sentence names {found.entity.canonical} beside a time expression; these are the events of "
                  "the articles that name it.", markup=False)
    for e in events:
        out.print(f"[bold]{e['value']}[/]  ({e['text']}; reported {e['article_date'] or 'undated'}, "
                  f"{e['article_id']})", markup=True)
        out.print(f"    {' '.join(e['sentence'].split())}", markup=False)
    _more(found)


@cli.command()
@archive_option
@click.option("--label", type=click.Choice(["PER", "ORG", "LOC", "MISC"]), help="Only entities of this type.")
@click.option("--name", "name_query", help="Only entities whose name contains this text.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
@click.option("--resolve", is_flag=True, help="First resolve every entity of the archive again (each analysis "
                                             "resolves the names it stores; this rebuilds it all).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def entities(archive_path: Location, label: str | None, name_query: str | None, limit: int, offset: int,
             as_json: bool, resolve: bool, quiet: bool) -> None:
    """Named entities merged across the archive, most mentioned first.

    The same person named differently in different articles (Rutte, Mark Rutte; a label that differs from article
    to article) is one entity; two people who share a surname stay two (`kroniek entity NAME` says why names were
    merged)."""
    with _open_archive(archive_path, readonly=not resolve) as archive:
        if resolve:
            with _progress("entities", not quiet and err.is_terminal) as bar:
                def tick(done: int, total: int) -> None:
                    if bar:
                        bar[0].update(bar[1], completed=done, total=total)

                report = archive.resolve_entities(progress=tick)
            err.print(f"Resolved {report.rows:,} names in {report.groups:,} groups; {report.merged:,} joined another "
                      f"entity; {len(report.changed):,} articles re-indexed.")
        found = archive.entities(label, limit, offset, name_query)
    _print_rows(found, ["id", "canonical", "label", "mentions", "articles"], as_json)


@cli.command()
@click.argument("key")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def entity(key: str, archive_path: Location, as_json: bool) -> None:
    """One entity (by id, canonical name or variant): variants, mentions per month, co-occurring entities."""
    with _open_archive(archive_path, readonly=True) as archive:
        found = archive.entity(key).to_dict()  # the store reads a number as an id
    if as_json:
        out.print(json.dumps(found, ensure_ascii=False), markup=False)
        return
    out.print(f"[bold]{found['canonical']}[/] ({found['label']}): {found['mentions']} mentions in "
              f"{found['articles']} articles", markup=True)
    out.print(f"Variants: {', '.join(found['variants']) or '-'}", markup=False)
    if found["merges"]:
        out.print("Merged from:", markup=False)
        for m in found["merges"]:
            n = m["articles"]
            out.print(f"  {m['variant']} ({m['label']}, {n} article{'s' if n != 1 else ''}): {m['reason']}",
                      markup=False)
    for m in found["by_month"]:
        out.print(f"  {m['month']}  {'#' * min(m['mentions'], 60)} {m['mentions']}", markup=False)
    if found["co_occurring"]:
        out.print("Named together with: " + ", ".join(f"{c['canonical']} ({c['articles']})"
                                                     for c in found["co_occurring"]), markup=False)
    if found["stories"]:
        out.print("Stories:", markup=False)
        for st in found["stories"]:
            out.print(f"  {st['id']}  {st['first_date']} – {st['last_date']}  {st['articles_naming']}/{st['size']}  "
                      f"{st['title']}", markup=False)
    if found["quotes_about"]:
        out.print("Quotations that name it:", markup=False)
        for q in found["quotes_about"][:20]:
            out.print(f"  {q['article_date'] or ''}  \"{q['text']}\" — {q['speaker'] or q['speaker_mention'] or '?'}",
                      markup=False)


@cli.command()
@click.argument("query", required=False, default="")
@archive_option
@click.option("--update", is_flag=True, help="First put the articles that are in no story yet into one.")
@click.option("--rebuild", is_flag=True, help="First detect every story again, from the first article on.")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--min-size", default=2, show_default=True, type=click.IntRange(1),
              help="Only stories of at least this many articles.")
@click.option("--exact", is_flag=True, help="Match the query's words exactly (no stemming).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def stories(query: str, archive_path: Location, update: bool, rebuild: bool, limit: int, offset: int, min_size: int,
            exact: bool, as_json: bool, quiet: bool) -> None:
    """Stories, latest first: all of them, or those with an article that QUERY matches.

    Stories are detected as articles are ingested and analysed; --update places the articles that are in no story
    yet (ingested with --no-analyze, say), --rebuild detects them all again (the same articles give the same
    stories).
    """
    with _open_archive(archive_path, readonly=not (update or rebuild)) as archive:
        if update or rebuild:
            with _progress("stories", not quiet and err.is_terminal) as bar:
                def tick(done: int, total: int) -> None:
                    if bar:
                        bar[0].update(bar[1], completed=done, total=total)

                report = archive.update_stories(rebuild=rebuild, progress=tick)
            merged = f", {report.merged:,} merged into others" if report.merged else ""
            err.print(f"Placed {report.assigned:,} articles; {report.started:,} stories started{merged}.")
        found = archive.stories(query, limit=limit, offset=offset, exact=exact, min_size=min_size)
    rows, total = found.items, found.total
    if as_json:
        for r in rows:
            out.print(json.dumps(r.to_dict(), ensure_ascii=False), markup=False)
        return
    table = Table("id", "first", "last", "articles", "title")
    for r in rows:
        table.add_row(r.id, r.first_date, r.last_date, str(r.size), r.title)
    out.print(table)
    err.print(f"{total:,} stories" + (f" with an article matching {query!r}" if query.strip() else "")
              + (f"; showing {offset + 1:,}-{offset + len(rows):,}" if rows else ""))


@cli.command()
@click.argument("story_id")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def story(story_id: str, archive_path: Location, as_json: bool) -> None:
    """One story: its articles in date order, its names and speakers, its articles per month, its timeline."""
    with _open_archive(archive_path, readonly=True) as archive:
        detail = archive.story(story_id)
    if as_json:
        out.print(json.dumps(detail.to_dict(), ensure_ascii=False), markup=False)
        return
    s = detail.story
    out.print(f"[bold]{s.title}[/]", markup=True)
    out.print(f"story {s.id} · {s.first_date} – {s.last_date} · {s.size} articles · {', '.join(s.keywords)}",
              markup=False)
    for m in detail.by_month:
        out.print(f"  {m['month']}  {'#' * min(m['articles'], 60)} {m['articles']}", markup=False)
    table = Table("date", "id", "headline")
    for a in detail.articles:
        table.add_row(a["date"] or "", a["id"], a["headline"])
    out.print(table)
    if detail.entities:
        out.print("Names: " + ", ".join(f"{e['canonical']} ({e['articles']})" for e in detail.entities), markup=False)
    if detail.speakers:
        out.print("Speakers: " + ", ".join(f"{q['speaker']} ({q['quotes']})" for q in detail.speakers), markup=False)
    for ev in detail.timeline[:30]:
        out.print(f"  {ev['value']:<12} {ev['text']}  ({ev['article_date'] or ''}, {ev['article_id']})", markup=False)


def _print_rows(found: Listing[dict[str, Any]], columns: list[str], as_json: bool) -> None:
    if as_json:
        for r in found.items:
            out.print(json.dumps(r, ensure_ascii=False), markup=False)
        return
    table = Table(*columns)
    for r in found.items:
        table.add_row(*(str(r.get(c, "")) for c in columns))
    out.print(table)
    _more(found)


def _more(found: Listing[Any]) -> None:
    """Under a page of a list: how many follow it and how to see them."""
    if found.more:
        out.print(f"… {found.more:,} more; use --offset {found.offset + len(found.items)}.")


@cli.command()
@click.option("--conll", "conll_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CoNLL-2002 file: one token a line (extra columns kept), blank lines between sentences.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
def tag(conll_path: Path, output: Path | None) -> None:
    """Tag a CoNLL-2002 file with the Dutch model: each line plus its predicted IOB2 tag as a last column."""
    n = tag_conll(conll_path, output)
    if output:
        err.print(f"Tagged {n:,} tokens into {output}.")


@cli.command()
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="The port.")
def serve(archive_path: Location, host: str, port: int) -> None:
    """Serve the archive's web UI and REST API (read-only unless $KRONIEK_TOKEN is set)."""
    from kroniek.server import serve as run_server

    run_server(archive_path, host, port, index=_index_option())


def main() -> None:
    """The console script `kroniek`."""
    cli(prog_name="kroniek")


if __name__ == "__main__":
    main()

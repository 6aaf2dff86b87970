"""Batch analysis beyond one process: the analysis of `kroniek analyze` on Apache Spark (or in this process), written
as Parquet, and loaded into an archive afterwards.

`analyze_to_parquet` reads every input format (the readers of ingest), analyses each record with the same function
as `kroniek analyze` (`kroniek.analysis.analyze_records`: ingest's structure and language, then the pipeline) and
writes one Parquet row per article: the stored fields of the article (as ingest would store it), the analysis in the
format of ../shared/eval/FORMAT.md (`analysis`, JSON text) and the annotations as the archive keeps them
(`annotations`, JSON text). Records that cannot be read go to `<output>/_quarantine/` with their file, line and
reason, so nothing is lost. `load_parquet` bulk-loads such an output into an archive.

On Spark the input files are the unit of reading (every executor reads the files it is given, so on a cluster they
must lie where every executor sees them, e.g. a shared file system); the records are then spread over
`partitions` tasks, and each task loads the Dutch model once and analyses its records in batches.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kroniek.analysis import analyze_records, load_pipeline, pipeline_version
from kroniek.errors import InputError
from kroniek.ingest.batches import prepare
from kroniek.ingest.readers import ReadOptions, Rejected, files_in, read_path
from kroniek.model import (
    Analysis,
    ArticleDate,
    ArticleRow,
    EntityMention,
    QuarantineRow,
    Quote,
    RawArticle,
    TimeExpression,
)

ENGINES = ("spark", "local")
QUARANTINE_DIR = "_quarantine"
# The columns of an analysed article, in order; every one is text except origin_line (an integer or null).
COLUMNS = ("id", "content_hash", "date", "source", "url", "title", "text", "structure_json", "language", "meta_json",
           "origin_file", "origin_line", "pipeline", "analysis", "annotations")
QUARANTINE_COLUMNS = ("file", "line", "reason", "raw")


def input_files(paths: Iterable[str | Path]) -> list[str]:
    """The files named or found under the named directories, in order; a missing path is an InputError."""
    out: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(str(f) for f in files_in(p))
        elif p.is_file():
            out.append(str(p))
        else:
            raise InputError(f"{p}: no such file or directory", hint="check the path")
    if not out:
        raise InputError("no input files", hint="name files or directories that hold articles")
    return out


def _annotations(a: Analysis) -> str:
    def period(t: TimeExpression) -> list[str] | None:
        return [t.period[0].isoformat(), t.period[1].isoformat()] if t.period else None

    return json.dumps({
        "entities": [dataclasses.asdict(e) for e in a.entities],
        "quotes": [dataclasses.asdict(q) for q in a.quotes],
        "timexes": [{**{k: v for k, v in dataclasses.asdict(t).items() if k != "period"}, "period": period(t)}
                    for t in a.timexes],
    }, ensure_ascii=False)


def analysed_rows(records: Sequence[RawArticle], nlp: Any, version: str, batch: int = 32) -> Iterator[dict[str, Any]]:
    """One output row per record: the article as ingest stores it, with its analysis."""
    for raw, analysis in zip(records, analyze_records(records, nlp, batch), strict=True):
        row = prepare(raw)
        yield {**row._asdict(), "date": row.date.isoformat() if row.date else None, "pipeline": version,
               "language": analysis.language, "analysis": json.dumps(analysis.to_format(), ensure_ascii=False),
               "annotations": _annotations(analysis)}


def _quarantine_row(r: Rejected) -> dict[str, Any]:
    return {"file": r.origin.file, "line": r.origin.line, "reason": r.reason, "raw": r.raw}


def _read_file(path: str, options: ReadOptions) -> Iterator[tuple[bool, Any]]:
    """(True, record) for each readable record of a file and (False, quarantine row) for each other."""
    for item in read_path(path, options):
        yield (False, _quarantine_row(item)) if isinstance(item, Rejected) else (True, item)


def _analyse_partition(items: Iterable[RawArticle], batch: int) -> Iterator[dict[str, Any]]:
    nlp = load_pipeline()
    version = pipeline_version(nlp)
    pending: list[RawArticle] = []
    for raw in items:
        pending.append(raw)
        if len(pending) >= batch * 8:
            yield from analysed_rows(pending, nlp, version, batch)
            pending = []
    if pending:
        yield from analysed_rows(pending, nlp, version, batch)


def analyze_to_parquet(paths: Sequence[str | Path], output: str | Path, *, engine: str = "spark",
                       master: str = "local[*]", partitions: int | None = None, options: ReadOptions | None = None,
                       batch: int = 32, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Analyse every record of the inputs and write the rows to `output` (a Parquet dataset: a directory); return
    the counts of analysed and quarantined records."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", hint=f"use one of {', '.join(ENGINES)}")
    files = input_files(paths)
    opts = options or ReadOptions()
    out = Path(output)
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out} exists and is not empty", hint="name a new directory for the output")
    if engine == "local":
        return _local(files, out, opts, batch, progress)
    return _spark(files, out, opts, master, partitions, batch)


def _local(files: list[str], out: Path, opts: ReadOptions, batch: int,
           progress: Callable[[int], None] | None) -> dict[str, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([(c, pa.int64() if c == "origin_line" else pa.string()) for c in COLUMNS])
    nlp = load_pipeline()
    version = pipeline_version(nlp)
    bad: list[dict[str, Any]] = []
    done = 0
    with pq.ParquetWriter(out / "part-00000.parquet", schema) as writer:
        pending: list[RawArticle] = []

        def flush() -> None:
            nonlocal done
            rows = list(analysed_rows(pending, nlp, version, batch))
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            done += len(rows)
            pending.clear()
            if progress:
                progress(done)

        for f in files:
            for ok, item in _read_file(f, opts):
                if ok:
                    pending.append(item)
                    if len(pending) >= 512:
                        flush()
                else:
                    bad.append(item)
        if pending:
            flush()
    qdir = out / QUARANTINE_DIR
    qdir.mkdir()
    qschema = pa.schema([(c, pa.int64() if c == "line" else pa.string()) for c in QUARANTINE_COLUMNS])
    pq.write_table(pa.Table.from_pylist(bad, schema=qschema), qdir / "part-00000.parquet")
    return {"analysed": done, "quarantined": len(bad)}


def _spark(files: list[str], out: Path, opts: ReadOptions, master: str, partitions: int | None,
           batch: int) -> dict[str, int]:
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql.types import LongType, StringType, StructField, StructType
    except ImportError:
        raise InputError("the Spark engine needs pyspark", hint="install kroniek[spark] (and a Java runtime)") from None
    # the executors run this Python (the one with Kroniek and its model installed)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master(master).appName("kroniek batch analyze")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        sc = spark.sparkContext
        sc.setLogLevel("ERROR")
        n = partitions or max(2, sc.defaultParallelism)
        items = sc.parallelize(files, min(len(files), n)).flatMap(lambda f: _read_file(f, opts)).cache()
        # the records spread evenly over the tasks, whatever the sizes of the files they came from
        records = items.filter(lambda x: x[0]).map(lambda x: x[1]).repartition(n)
        rows = records.mapPartitions(lambda part: _analyse_partition(part, batch))
        schema = StructType([StructField(c, LongType() if c == "origin_line" else StringType()) for c in COLUMNS])
        df = spark.createDataFrame(rows.map(lambda r: tuple(r[c] for c in COLUMNS)), schema)
        df.write.parquet(str(out))
        bad = items.filter(lambda x: not x[0]).map(lambda x: tuple(x[1][c] for c in QUARANTINE_COLUMNS))
        qschema = StructType([StructField(c, LongType() if c == "line" else StringType())
                              for c in QUARANTINE_COLUMNS])
        quarantined = spark.createDataFrame(bad, qschema)
        quarantined.write.parquet(str(out / QUARANTINE_DIR))
        return {"analysed": spark.read.parquet(str(out)).count(),
                "quarantined": spark.read.parquet(str(out / QUARANTINE_DIR)).count()}
    finally:
        spark.stop()


# --- reading an output back ------------------------------------------------------------------------------------

def _analysis_of(row: dict[str, Any], date: ArticleDate | None, structure: Any) -> Analysis:
    ann = json.loads(row["annotations"])
    import datetime as dt

    def timex(t: dict[str, Any]) -> TimeExpression:
        period = t.pop("period")
        return TimeExpression(**t, period=(dt.date.fromisoformat(period[0]), dt.date.fromisoformat(period[1]))
                              if period else None)

    return Analysis(id=row["id"], date=date, text=row["text"], language=row["language"], structure=structure,
                    entities=[EntityMention(**e) for e in ann["entities"]], quotes=[Quote(**q) for q in ann["quotes"]],
                    timexes=[timex(t) for t in ann["timexes"]])


def read_parquet(output: str | Path, batch_rows: int = 2000) -> Iterator[tuple[list[ArticleRow], list[Analysis],
                                                                                list[QuarantineRow], str]]:
    """Batches of (article rows, their analyses, quarantined records, pipeline version) from an output of
    `analyze_to_parquet`; the quarantine comes in the first batch."""
    import pyarrow.dataset as ds

    from kroniek.model import Structure

    out = Path(output)
    if not out.is_dir():
        raise InputError(f"{out} is not an output of `kroniek batch analyze`", hint="name its directory")
    quarantine: list[QuarantineRow] = []
    qdir = out / QUARANTINE_DIR
    if qdir.is_dir():
        for r in ds.dataset(qdir, format="parquet").to_table().to_pylist():
            quarantine.append(QuarantineRow(r["file"], r["line"], r["reason"], r["raw"]))
    data = ds.dataset(out, format="parquet", exclude_invalid_files=True, ignore_prefixes=[".", "_"])
    if not data.files:
        raise InputError(f"{out} is not an output of `kroniek batch analyze`: it holds no Parquet files",
                         hint="name the directory that `kroniek batch analyze` wrote")
    first = True
    for record_batch in data.to_batches(batch_size=batch_rows):
        rows, analyses, version = [], [], ""
        for r in record_batch.to_pylist():
            missing = [c for c in COLUMNS if c not in r]
            if missing:
                raise InputError(f"{out}: not an output of `kroniek batch analyze` (no {', '.join(missing)})")
            date = ArticleDate.parse(r["date"]) if r["date"] else None
            row = ArticleRow(r["id"], r["content_hash"], date, r["source"], r["url"], r["title"], r["text"],
                             r["structure_json"], r["language"], r["meta_json"], r["origin_file"], r["origin_line"])
            rows.append(row)
            analyses.append(_analysis_of(r, date, Structure.from_dict(json.loads(r["structure_json"]))))
            version = r["pipeline"]
        yield rows, analyses, quarantine if first else [], version
        first = False
    if first and quarantine:
        yield [], [], quarantine, ""

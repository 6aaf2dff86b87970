"""The export encodings: the rows of `Archive.export`, one kind at a time, as JSON Lines, CSV or Parquet, streamed.
One encoding for the CLI and the API; the columns of each kind are listed in docs/export.md.

JSON Lines writes each row as the archive gives it. CSV has flat columns per kind: a list (an article's entities,
an entity's variants, the entities of a timeline event, a story's articles) is one cell of '; '-separated values. Parquet has a fixed
schema per kind, nested where the row is (an article's annotations are list<struct> columns, its structure a
struct, its analyses a map), and is written a row group at a time, so memory stays bounded on exports of any size.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from kroniek.model import EXPORT_KINDS

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("jsonl", "csv", "parquet")
# The formats that are text, and may go to a terminal or a pipe as they are.
TEXT_FORMATS = ("jsonl", "csv")
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
               "parquet": "application/vnd.apache.parquet"}
# Rows per Parquet row group: an article carries its text and annotations, so fewer of them go in one group.
ROW_GROUP_ROWS = {"articles": 1_000}
DEFAULT_ROW_GROUP_ROWS = 10_000


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _named(entities: Iterable[dict[str, Any]]) -> list[str]:
    """Entities as 'name (LABEL)', the name being the canonical one where there is one."""
    return [f"{e.get('canonical') or e.get('text')} ({e['label']})" for e in entities]


def _cell(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(key)


# Per kind, the CSV columns: a header and how its cell is made from a row.
CSV_COLUMNS: dict[str, list[tuple[str, Callable[[dict[str, Any]], Any]]]] = {
    "articles": [
        *((k, _cell(k)) for k in ("id", "date", "source", "title", "url", "language")),
        ("entities", lambda r: _joined(sorted(set(_named(r.get("entities", [])))))),
        ("speakers", lambda r: _joined(sorted({q["speaker"] for q in r.get("quotes", []) if q.get("speaker")}))),
        ("timexes", lambda r: _joined(f"{t['text']}={t['value']}" for t in r.get("timexes", []))),
        ("story_id", _cell("story_id")),
        ("text", _cell("text")),
    ],
    "entities": [*((k, _cell(k)) for k in ("id", "canonical", "label", "mentions", "articles")),
                 ("variants", lambda r: _joined(r["variants"]))],
    "quotes": [(k, _cell(k)) for k in ("article_id", "article_date", "article_title", "start", "end", "text", "kind",
                                       "cue", "speaker_mention", "speaker", "speaker_entity_id")],
    "timeline": [*((k, _cell(k)) for k in ("article_id", "article_date", "article_title", "start", "end", "text",
                                           "type", "value", "ref_start", "ref_end", "sentence")),
                 ("entities", lambda r: _joined(_named(r["entities"])))],
    "stories": [*((k, _cell(k)) for k in ("id", "title", "title_article", "first_date", "last_date", "size")),
                ("keywords", lambda r: _joined(r["keywords"])), ("article_ids", lambda r: _joined(r["article_ids"])),
                ("entities", lambda r: _joined(_named(r["entities"]))),
                ("speakers", lambda r: _joined(x["speaker"] for x in r["speakers"]))],
}
# Per kind, the CSV header.
CSV_HEADERS = {kind: [name for name, _ in columns] for kind, columns in CSV_COLUMNS.items()}


def _check(what: str, fmt: str) -> None:
    if what not in EXPORT_KINDS:
        raise ValueError(f"unknown export kind {what!r}; use one of {', '.join(EXPORT_KINDS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def encode(rows: Iterable[dict[str, Any]], what: str, fmt: str) -> Iterator[bytes]:
    """The export of `rows` (of `Archive.export(what=...)`) in a format, as bytes, streamed: text as UTF-8 (a CSV
    starts with its header), Parquet a row group at a time (a file with no row group when there are no rows)."""
    _check(what, fmt)
    if fmt == "parquet":
        return parquet_chunks(rows, what)
    return (line.encode("utf-8") for line in export_lines(rows, fmt, what))


def export_lines(rows: Iterable[dict[str, Any]], fmt: str, what: str = "articles") -> Iterator[str]:
    """The export of `rows` in a text format (JSON Lines or CSV), streamed."""
    _check(what, fmt)
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"{fmt} is not a text format")
    return _jsonl(rows) if fmt == "jsonl" else _csv(rows, what)


def _jsonl(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def _csv(rows: Iterable[dict[str, Any]], what: str) -> Iterator[str]:
    columns = CSV_COLUMNS[what]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(name for name, _ in columns)
    for row in rows:
        writer.writerow(cell(row) for _, cell in columns)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    if buf.getvalue():
        yield buf.getvalue()


# --- Parquet ---------------------------------------------------------------------------------------------------

def parquet_schema(what: str) -> pa.Schema:
    """The fixed Parquet schema of a kind of export: the columns its rows have, in this order."""
    import pyarrow as pa

    i, s = pa.int64(), pa.string()
    span = pa.struct([("start", i), ("end", i)])

    def items(*fields: tuple[str, Any]) -> Any:
        return pa.list_(pa.struct(list(fields)))

    named = items(("id", i), ("canonical", s), ("label", s))
    fields: dict[str, list[tuple[str, Any]]] = {
        "articles": [
            ("id", s), ("date", s), ("date_precision", s), ("source", s), ("url", s), ("title", s), ("headline", s),
            ("language", s), ("text", s),
            ("structure", pa.struct([
                ("paragraphs", pa.list_(span)), ("title", span), ("lede", span), ("subheadings", pa.list_(span)),
                ("references", items(("start", i), ("end", i), ("text", s), ("kind", s), ("article_id", s)))])),
            ("entities", items(("start", i), ("end", i), ("text", s), ("label", s), ("canonical", s),
                               ("entity_id", i))),
            ("quotes", items(("start", i), ("end", i), ("text", s), ("kind", s), ("cue", s), ("speaker_mention", s),
                             ("speaker", s), ("speaker_entity_id", i))),
            ("timexes", items(("start", i), ("end", i), ("text", s), ("type", s), ("value", s), ("ref_start", s),
                              ("ref_end", s), ("sentence_start", i), ("sentence_end", i))),
            ("analyses", pa.map_(s, s)),
            ("story_id", s), ("content_hash", s), ("origin_file", s), ("origin_line", i), ("ingested_at", s),
            ("other_sources", items(("source", s), ("url", s), ("origin_file", s), ("origin_line", i))),
        ],
        "entities": [("id", i), ("canonical", s), ("label", s), ("mentions", i), ("articles", i),
                     ("variants", pa.list_(s))],
        "quotes": [("article_id", s), ("article_date", s), ("article_title", s), ("start", i), ("end", i),
                   ("text", s), ("kind", s), ("cue", s), ("speaker_mention", s), ("speaker", s),
                   ("speaker_entity_id", i)],
        "timeline": [("article_id", s), ("article_date", s), ("article_title", s), ("start", i), ("end", i),
                     ("text", s), ("type", s), ("value", s), ("ref_start", s), ("ref_end", s), ("sentence", s),
                     ("entities", named)],
        "stories": [("id", s), ("title", s), ("title_article", s), ("first_date", s), ("last_date", s), ("size", i),
                    ("keywords", pa.list_(s)), ("article_ids", pa.list_(s)),
                    ("entities", items(("id", i), ("canonical", s), ("label", s), ("articles", i))),
                    ("speakers", items(("speaker", s), ("quotes", i)))],
    }
    return pa.schema(fields[what])


class _Chunks(io.RawIOBase):
    """A write-only stream that keeps what is written until it is taken: the Parquet writer writes into it, and
    each row group is passed on as soon as it is complete."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def parquet_chunks(rows: Iterable[dict[str, Any]], what: str, row_group: int | None = None) -> Iterator[bytes]:
    """A Parquet file of the rows of one kind, in pieces: one per row group of `row_group` rows, then the footer.

    A row whose columns are not those of the kind's schema is an error (a missing column would silently be
    empty, an extra one lost).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check(what, "parquet")
    schema = parquet_schema(what)
    size = row_group or ROW_GROUP_ROWS.get(what, DEFAULT_ROW_GROUP_ROWS)
    names = set(schema.names)
    sink = _Chunks()
    writer = pq.ParquetWriter(sink, schema)
    try:
        it = iter(rows)
        while batch := list(islice(it, size)):
            for row in batch:
                if row.keys() != names:
                    raise ValueError(f"a {what} row does not fit its schema: missing "
                                     f"{sorted(names - row.keys())}, extra {sorted(row.keys() - names)}")
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            if data := sink.take():
                yield data
    finally:
        writer.close()
    yield sink.take()

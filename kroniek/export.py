"""Export of articles with their annotations, as JSON Lines or CSV: one encoding for the CLI and the API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ["id", "date", "source", "title", "url", "language", "entities", "speakers", "timexes", "text"]


def csv_row(row: dict[str, Any]) -> list[str]:
    """One exported article as a CSV row: annotations folded into '; '-separated cells."""
    ents = sorted({f"{e.get('canonical') or e['text']} ({e['label']})" for e in row.get("entities", [])})
    speakers = sorted({q["speaker"] for q in row.get("quotes", []) if q.get("speaker")})
    timexes = [f"{t['text']}={t['value']}" for t in row.get("timexes", [])]
    return [row.get("id") or "", row.get("date") or "", row.get("source") or "", row.get("title") or "",
            row.get("url") or "", row.get("language") or "", "; ".join(ents), "; ".join(speakers),
            "; ".join(timexes), row.get("text") or ""]


def export_lines(rows: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """The export of `rows` (from `Archive.export`) as text, streamed; a CSV starts with its header."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        for row in rows:
            row.pop("meta", None)
            yield json.dumps(row, ensure_ascii=False) + "\n"
        return
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_row(row))
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    if buf.getvalue():
        yield buf.getvalue()

"""Fuzzing the readers and ingest: whatever bytes come in, no crash, no hang, and every item can be stored.

Bounded for CI: each test sets max_examples and a deadline per example (times measured in docs/reliability.md).
The inputs mix random bytes with the pieces that mean something to a reader (NUL bytes, invalid UTF-8, byte order
marks, quotes, brackets, headers, line ends), UTF-16 with and without a byte order mark, JSON nested up to 10,000
deep, and CSV fields over 128 KB.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kroniek.archive import Archive
from kroniek.ingest.readers import (
    RAW_KEEP_CHARS,
    ReadOptions,
    Rejected,
    _raw_lines,
    read_csv,
    read_dated,
    read_jsonl,
    read_path,
    read_stream,
)
from kroniek.model import RawArticle
from kroniek.settings import CoreSettings

LIMIT = 4096
OPTS = ReadOptions(max_article_bytes=LIMIT)
READERS = (read_dated, read_jsonl, read_csv, read_stream)
FAST = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

PIECES = [b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xff\xfe", b"\r",
          b"\n", b"\r\n", b'"', b'""', b",", b"{", b"}", b"[", b"]", b":", b"date ", b"date 2019-02-03 ",
          b"date 2019-13 ", b"date,text\n", b"text\n", b'{"text": "Een bericht.", "date": "2019"}',
          b'{"text": ', b'"\\ud800"', b"\\u0000", b"NaN", b"1e999", b"tekst", b" ", b"\t", "€ë".encode()]


def _deep(n: int) -> bytes:
    return b'{"text": "Diep.", "date": "2019", "m": ' + b"[" * n + b"]" * n + b"}\n"


hostile = st.one_of(
    st.binary(max_size=3000),
    st.lists(st.sampled_from(PIECES), max_size=80).map(b"".join),
    st.binary(max_size=300).map(lambda b: b.replace(b"a", b"\x00")),
    st.text(max_size=300).map(lambda t: t.encode("utf-16")),
    st.text(max_size=300).map(lambda t: t.encode("utf-16-le")),
    st.text(max_size=300).map(lambda t: t.encode("utf-32")),
    st.integers(1, 10_000).map(_deep),
    st.integers(1, 10_000).map(lambda n: b"[" * n + b"]" * n + b"\n"),
    st.integers(LIMIT - 8, LIMIT + 8).map(lambda n: b"date 2019 " + "€".encode() * (n // 3) + b"\n"),
)
# CSV rows that open, close and double quotes at the start of fields
quotes = st.lists(st.sampled_from([b'"', b'""', b",", b'",', b',"', b"x", b" "]), min_size=1, max_size=12).map(b"".join)
# Text a CSV writer leaves unquoted and a dated-line reader keeps as it is: no quotes, commas or line ends.
plain = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters='",'),
                min_size=1, max_size=40).map(lambda s: "Bericht " + s.strip() + ".")


def _check(items: list[RawArticle | Rejected], limit: int = LIMIT) -> None:
    """Every item is an article or a rejected record, and everything in it can be stored and sent to a process."""
    last = 0
    for item in items:
        assert isinstance(item, RawArticle | Rejected)
        if item.origin is not None and item.origin.line is not None:
            assert item.origin.line >= max(1, last)
            last = item.origin.line
        if isinstance(item, Rejected):
            assert item.reason.strip()
            (item.reason + item.raw + item.origin.file).encode("utf-8")
            assert len(item.raw) <= 4 * RAW_KEEP_CHARS + 100
        else:
            assert item.text.strip() and len(item.text.encode("utf-8")) <= limit
            for value in (item.text, item.id, item.title, item.source, item.url):
                assert value is None or value.encode("utf-8")
            json.dumps(item.meta, ensure_ascii=False, default=str).encode("utf-8")
            orjson.dumps(item.meta, default=str)
        pickle.loads(pickle.dumps(item))


@FAST
@given(hostile)
def test_fuzz_readers_any_bytes_give_storable_items(data: bytes) -> None:
    for reader in READERS:
        _check(list(reader(io.BytesIO(data), "fuzz", OPTS)))


@FAST
@given(plain, hostile.map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")), plain)
def test_fuzz_jsonl_good_lines_around_a_hostile_line_are_read(t1: str, bad: bytes, t2: str) -> None:
    lines = [json.dumps({"date": "2019-02-03", "text": t}).encode() for t in (t1, t2)]
    items = list(read_jsonl(io.BytesIO(lines[0] + b"\n" + bad + b"\n" + lines[1] + b"\n"), "fuzz", OPTS))
    _check(items)
    texts = [i.text for i in items if isinstance(i, RawArticle)]
    assert texts[0] == t1 and texts[-1] == t2 and len(items) in (2, 3)


@FAST
@given(plain, st.one_of(hostile, quotes).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")), plain)
def test_fuzz_csv_good_rows_around_a_hostile_row_are_read(t1: str, bad: bytes, t2: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["date", "text"])
    writer.writerow(["2019-02-03", t1])
    head = buf.getvalue().encode()
    # a quote the hostile row leaves open must not swallow the good row after it
    data = head + bad.lstrip(b"\xef\xbb\xbf") + b"\n" + f"2019-02-04,{t2}\n".encode()
    items = list(read_csv(io.BytesIO(data), "fuzz", OPTS))
    _check(items)
    texts = [i.text for i in items if isinstance(i, RawArticle)]
    assert texts[0] == t1 and texts[-1] == t2


@FAST
@given(hostile.filter(lambda b: not b.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))), plain)
def test_fuzz_dated_article_after_hostile_bytes_is_read_whole(bad: bytes, text: str) -> None:
    data = bad + b"\ndate 2019-02-03 " + text.encode() + b"\n"
    items = list(read_dated(io.BytesIO(data), "fuzz", OPTS))
    _check(items)
    assert isinstance(items[-1], RawArticle) and items[-1].text == text.strip()


@settings(max_examples=6, deadline=5000)
@given(st.integers(128 * 1024 + 1, 400 * 1024), st.sampled_from(["a", "é", "€", "a\nb"]))
def test_fuzz_csv_fields_over_128_kb_are_read_whole(size: int, unit: str) -> None:
    body = unit * (size // len(unit.encode()))
    data = b'date,text\n2019-02-03,"' + body.encode() + b'"\n2019-02-04,Daarna.\n'
    items = list(read_csv(io.BytesIO(data), "fuzz", ReadOptions()))
    assert [type(i).__name__ for i in items] == ["RawArticle", "RawArticle"]
    assert items[0].text == body.strip() and items[1].text == "Daarna."  # type: ignore[union-attr]


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                min_size=1, max_size=12).filter(lambda s: s not in (".", "..") and len(s.encode()) < 100)
files = st.lists(st.tuples(st.lists(names, max_size=2), names, st.sampled_from([".txt", ".jsonl", ".csv", ".bin",
                                                                                  ".TXT", ""]),
                           hostile.filter(lambda b: len(b) < 2000)),
                 max_size=6)


@settings(max_examples=40, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(files, st.booleans())
def test_fuzz_directories_read_every_file(entries: list[tuple[list[str], str, str, bytes]],
                                                        undecodable_name: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for parts, name, ext, data in entries:
            folder = root.joinpath(*parts)
            if folder.exists() and not folder.is_dir():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / (name + ext)
            if target.exists():
                continue
            target.write_bytes(data)
        odd = os.fsdecode(b"zz\xff.txt") if undecodable_name else "zz.txt"
        good = root / "goed" / odd
        good.parent.mkdir(exist_ok=True)
        good.write_bytes(b"date 2019-02-03 Het laatste artikel.\n")
        items = list(read_path(root, OPTS))
        by_file: dict[str, list[RawArticle | Rejected]] = {}
        for item in items:
            assert item.origin is not None
            by_file.setdefault(item.origin.file, []).append(item)
        for found in by_file.values():
            _check(found)
        order = [i.origin.file for i in items]  # type: ignore[union-attr]
        runs = [f for n, f in enumerate(order) if n == 0 or order[n - 1] != f]
        assert len(runs) == len(set(runs))  # one file after another, each read once
        shown = str(good).replace(odd, "zz\\xff.txt") if undecodable_name else str(good)
        assert [i.text for i in items if i.origin.file == shown] == ["Het laatste artikel."]  # type: ignore[union-attr]


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([".txt", ".jsonl", ".csv"]), hostile.filter(lambda b: len(b) < 2000)),
                min_size=1, max_size=3))
def test_fuzz_ingest_stores_the_good_article_beside_any_hostile_file(inputs: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for i, (ext, data) in enumerate(inputs):
            paths.append(root / f"in{i}{ext}")
            paths[-1].write_bytes(data)
        good = root / "good.txt"
        good.write_text("date 2019-02-03 Een goed artikel dat er altijd in moet.\n", encoding="utf-8")
        settings_ = CoreSettings(ingest_workers=1, max_article_bytes=LIMIT)
        with Archive.open(root / "k.db", settings=settings_) as archive:
            report = archive.ingest([*paths, good])
            assert not report.errors
            assert report.read == report.new + report.duplicates + report.quarantined
            assert any(a.text == "Een goed artikel dat er altijd in moet." for a in archive.articles())
            assert archive.quarantined(limit=10_000).total == report.quarantined


def _content(line: bytes) -> bytes:
    return line[:len(line) - (2 if line.endswith(b"\r\n") else 1 if line.endswith((b"\r", b"\n")) else 0)]


@settings(max_examples=300, deadline=1000)
@given(st.lists(st.sampled_from([b"a", b"bc", b"\xe2\x82\xac", b"\n", b"\r", b"\r\n"]), max_size=60).map(b"".join),
       st.integers(1, 12), st.booleans())
def test_fuzz_line_reader_ends_lines_at_lf_crlf_and_cr_and_cuts_only_long_ones(data: bytes, limit: int,
                                                                                bom: bool) -> None:
    got = [(chunk if cut else _content(chunk), cut)
           for _, chunk, cut in _raw_lines(io.BytesIO(b"\xef\xbb\xbf" * bom + data), limit, cr_ends=True)]
    want = [(_content(x)[:limit], len(_content(x)) > limit) for x in data.splitlines(keepends=True)]
    assert got == want  # a byte order mark counts against no line

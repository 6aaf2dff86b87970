"""Hostile input at ingest: every bad record or file is quarantined with its reason, and nothing else is lost."""

from __future__ import annotations

import io
import json
import os
import random
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ALPINO_JSONL

from kroniek.archive import Archive
from kroniek.cli import EXIT_QUARANTINED, cli
from kroniek.errors import InputError
from kroniek.ingest.readers import (
    MAX_NESTING,
    ReadOptions,
    Rejected,
    read_csv,
    read_dated,
    read_jsonl,
    read_path,
    read_stream,
)
from kroniek.model import Origin, RawArticle
from kroniek.settings import CoreSettings

DEEP = 10_000


def _ingest(tmp_path: Path, *paths: Path | str, workers: int = 1) -> tuple[int, str, list[dict[str, object]]]:
    """Run `kroniek ingest` on the paths; return the exit code, the output and the quarantine as JSON rows."""
    db = tmp_path / "k.db"
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", "--no-analyze", "-q", "--workers", str(workers), "--archive", str(db),
                              *map(str, paths)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    listing = runner.invoke(cli, ["quarantine", "--json", "--archive", str(db)])
    rows = [json.loads(line) for line in listing.output.splitlines() if line.strip()]
    return res.exit_code, res.output, rows


@pytest.mark.parametrize("workers", [1, 2])
def test_hostile_csv_header_with_undecodable_byte_quarantines_the_file_and_keeps_the_rest(
        tmp_path: Path, shared: Path, workers: int) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"ti\xfftle,date\nx,2019\n")
    code, output, rows = _ingest(tmp_path, bad, ALPINO_JSONL, workers=workers)
    assert code == EXIT_QUARANTINED, output
    assert "54 new, 0 duplicates, 1 quarantined" in output
    assert len(rows) == 1 and rows[0]["file"] == str(bad) and rows[0]["line"] == 1
    assert "CSV header holds bytes that are not UTF-8" in rows[0]["reason"] and "save it as UTF-8" in rows[0]["reason"]
    assert rows[0]["raw"] == "ti\\xfftle,date"


def test_hostile_csv_meta_column_name_with_undecodable_byte_is_not_stored_broken(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"date,text,ta\xffg\n2019-01-01,Een bericht.,x\n")
    good = tmp_path / "good.txt"
    good.write_text("date 2019-02-03 Een goed artikel.\n", encoding="utf-8")
    code, output, rows = _ingest(tmp_path, bad, good)
    assert code == EXIT_QUARANTINED and "1 new" in output and len(rows) == 1


def test_hostile_random_bytes_csv_is_quarantined_and_the_rest_goes_in(tmp_path: Path, shared: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(random.Random(0).randbytes(4096))
    code, output, rows = _ingest(tmp_path, junk, ALPINO_JSONL)
    assert code == EXIT_QUARANTINED and "54 new" in output, output
    assert rows and all(r["file"] == str(junk) for r in rows)


@pytest.mark.parametrize("line", [
    '{"text": "Een goed artikel.", "date": "2019", "meta": ' + "[" * DEEP + "]" * DEEP + "}",
    '{"date": "2019", "text": ' + "[" * DEEP + "]" * DEEP + "}",
    "[" * DEEP + "]" * DEEP,
    '{"text": "Een goed artikel.", "date": "2019", "meta": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}",
], ids=["meta", "text", "bare-array", "meta-500-objects"])
def test_hostile_deep_json_line_is_quarantined_and_the_next_read(tmp_path: Path, line: str) -> None:
    f = tmp_path / "deep.jsonl"
    f.write_text(line + '\n{"text": "Het volgende artikel.", "date": "2019-02"}\n', encoding="utf-8")
    code, output, rows = _ingest(tmp_path, f)
    assert code == EXIT_QUARANTINED and "1 new" in output, output
    assert len(rows) == 1 and rows[0]["line"] == 1 and f"deeper than {MAX_NESTING} levels" in rows[0]["reason"]


def test_hostile_json_nested_to_the_limit_is_read() -> None:
    meta = "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1)
    line = f'{{"text": "Diep genest.", "date": "2019", "m": {meta}}}'.encode()
    items = list(read_jsonl(io.BytesIO(line), "t"))
    assert isinstance(items[0], RawArticle)


@pytest.mark.parametrize("record", [
    {"text": "Goed.", "date": "2019", "title": "a\ud800b"},
    {"text": "Goed.", "date": "2019", "source": "\udcff"},
    {"text": "Goed.", "date": "2019\udcff"},
    {"text": "Goed.", "date": "2019", "tags": ["x", {"y": "\ud800"}]},
    {"text": "Goed.", "date": "2019", "k\udcffey": 1},
], ids=["title", "source", "date", "meta-value", "meta-key"])
def test_hostile_records_with_a_lone_surrogate_anywhere_are_quarantined(tmp_path: Path,
                                                                       record: dict[str, object]) -> None:
    with Archive.open(tmp_path / "k.db") as archive:
        report = archive.ingest([record, {"text": "Een goed artikel.", "date": "2019-02-03"}])
        assert (report.new, report.quarantined) == (1, 1)
        (row,) = archive.quarantined().items
        assert "unpaired surrogate" in row.reason


def _unopenable(path: Path) -> None:
    """Make `path` a file that is listed as a file but cannot be opened (skip the test where none can be made)."""
    if os.geteuid() != 0:
        path.write_text("date 2019-02-03 Geheim.\n", encoding="utf-8")
        path.chmod(0)
        return
    target = Path("/proc/sys/vm/drop_caches")  # write-only, even for root
    try:
        target.open("rb").close()
    except OSError:
        path.symlink_to(target)
        return
    pytest.skip("no file that cannot be opened on this machine")


def test_hostile_file_in_a_directory_that_cannot_be_opened_is_quarantined_and_the_others_read(
        tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for name in ("a", "c"):
        (d / f"{name}.txt").write_text(f"date 2019-02-03 Artikel {name}.\n", encoding="utf-8")
    _unopenable(d / "b.txt")
    items = list(read_path(d))
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejected", "RawArticle"]
    assert items[1].origin.file == str(d / "b.txt") and "cannot open" in items[1].reason  # type: ignore[union-attr]
    assert items[2].text == "Artikel c."  # type: ignore[union-attr]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mem, which fails with EIO")
def test_hostile_read_error_in_one_file_quarantines_it_and_the_rest_goes_in(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("date 2019-02-03 Artikel a.\n", encoding="utf-8")
    (d / "b.txt").symlink_to("/proc/self/mem")
    (d / "c.txt").write_text("date 2019-02-03 Artikel c.\n", encoding="utf-8")
    code, output, rows = _ingest(tmp_path, d)
    assert code == EXIT_QUARANTINED and "2 new" in output, output
    assert len(rows) == 1 and rows[0]["file"] == str(d / "b.txt") and "reading stopped" in rows[0]["reason"]


def test_hostile_file_name_that_is_not_utf8_is_stored_readably(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    name = os.fsdecode(b"ra\xff.txt")
    (d / name).write_bytes(b"date 2019-02-03 Een artikel.\ndate 2019-13 Fout.\n")
    with Archive.open(tmp_path / "k.db", settings=CoreSettings(ingest_workers=1)) as archive:
        report = archive.ingest([d])
        assert (report.new, report.quarantined) == (1, 1)
        assert archive.quarantined().items[0].file == str(d / "ra\\xff.txt")
        (art,) = archive.articles()
        assert art.origin_file == str(d / "ra\\xff.txt")


def test_hostile_rejected_reason_raw_and_file_are_always_storable() -> None:
    rejected = Rejected(Origin("f\udcff", 1), "bad \udcff and \ud800", "raw \udcfe")
    assert (rejected.reason, rejected.raw, rejected.origin.file) == ("bad \\xff and \\ud800", "raw \\xfe", "f\\xff")


# --- silent damage: records that merged, swallowed others or slipped past the limit ------------------------------

def _read(reader, data: bytes, **options: object) -> list[RawArticle | Rejected]:  # type: ignore[no-untyped-def]
    return list(reader(io.BytesIO(data), "f", ReadOptions(**options)))  # type: ignore[arg-type]


def test_hostile_csv_quote_left_open_quarantines_its_record_and_reads_the_next() -> None:
    data = (b"date,text\n2019-01-01,Eerste bericht.\n2019-01-02,\"Tweede bericht zonder slot\n"
            b"2019-01-03,Derde bericht.\n")
    items = _read(read_csv, data)
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejected", "RawArticle"]
    assert items[2].text == "Derde bericht." and items[2].origin.line == 4  # type: ignore[union-attr]
    assert "never closed" in items[1].reason and items[1].origin.line == 3  # type: ignore[union-attr]
    assert items[1].raw == '2019-01-02,"Tweede bericht zonder slot'  # type: ignore[union-attr]


def test_hostile_csv_open_quote_after_a_closed_multiline_field_keeps_the_lines_before_it() -> None:
    data = (b'date,text,title\n2019-01-01,"Alinea een.\n\nAlinea twee.","Titel\n'
            b"2019-01-03,Derde bericht.,t\n2019-01-04,Vierde bericht.,t\n")
    items = _read(read_csv, data)
    assert [type(i).__name__ for i in items] == ["Rejected", "RawArticle", "RawArticle"]
    assert items[0].origin.line == 2 and "opened on line 4" in items[0].reason  # type: ignore[union-attr]
    assert [i.text for i in items[1:]] == ["Derde bericht.", "Vierde bericht."]  # type: ignore[union-attr]


def test_hostile_csv_record_over_the_limit_is_quarantined_whole_and_its_lines_are_not_records() -> None:
    body = b"\n".join([b"a" * 600, b"2019-09-09,Geen record maar tekst.", b"b" * 600, b'nog meer"'])
    data = b'date,text\n2019-01-01,"' + body + b"\n2019-01-05,Na het lange bericht.\n"
    items = _read(read_csv, data, max_article_bytes=1024)
    assert [type(i).__name__ for i in items] == ["Rejected", "RawArticle"]
    assert "longer than the limit of 1024 bytes" in items[0].reason and items[0].origin.line == 2  # type: ignore[union-attr]
    assert items[1].text == "Na het lange bericht." and items[1].origin.line == 6  # type: ignore[union-attr]


@pytest.mark.parametrize("reader,data", [
    (read_dated, "date 2019-01-01 Eerste € bericht.\rdate 2019-01-02 Tweede bericht.\r"),
    (read_csv, "date,text\r2019-01-01,Eerste € bericht.\r2019-01-02,Tweede bericht.\r"),
], ids=["dated", "csv"])
def test_hostile_cr_only_line_ends_keep_articles_apart(reader, data: str) -> None:  # type: ignore[no-untyped-def]
    items = _read(reader, data.encode())
    assert [i.text for i in items] == ["Eerste € bericht.", "Tweede bericht."]  # type: ignore[union-attr]
    assert [i.origin.line for i in items] == ([1, 2] if reader is read_dated else [2, 3])  # type: ignore[union-attr]


def test_hostile_cr_only_paragraphs_are_paragraphs() -> None:
    (art,) = _read(read_dated, b"date 2019-01-01 Kop\r\rEerste alinea.\rTweede regel.\r")
    assert art.text == "Kop\n\nEerste alinea.\nTweede regel."  # type: ignore[union-attr]


@pytest.mark.parametrize("reader,data", [
    (read_dated, "date 2019-01-01 " + "€" * 400 + "\n" + "€" * 400 + "\ndate 2019-01-02 Kort.\n"),
    (read_csv, 'date,text\n2019-01-01,"' + "€" * 400 + "\n" + "€" * 400 + '"\n2019-01-02,Kort.\n'),
], ids=["dated", "csv"])
def test_hostile_article_limit_counts_bytes_not_characters(reader, data: str) -> None:  # type: ignore[no-untyped-def]
    items = _read(reader, data.encode(), max_article_bytes=2000)  # 800 characters, 2,400 bytes
    assert [type(i).__name__ for i in items] == ["Rejected", "RawArticle"]
    assert "longer than the limit of 2000 bytes" in items[0].reason  # type: ignore[union-attr]


def test_hostile_article_of_more_megabytes_than_the_limit_is_quarantined_by_the_cli(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    # 5,000 characters (under 0.01 MB = 10,485 characters) but 15,000 bytes, on lines of 3,000 bytes
    lines = "\n".join(["€" * 1000] * 5)
    f.write_text(f"date 2019-01-01 {lines}\ndate 2019-01-02 Een klein artikel.\n", encoding="utf-8")
    db = tmp_path / "k.db"
    res = CliRunner().invoke(cli, ["ingest", "--no-analyze", "-q", "--max-article-mb", "0.01", "--archive", str(db),
                                   str(f)])
    assert res.exit_code == EXIT_QUARANTINED and "1 new" in res.output and "1 quarantined" in res.output


# --- encodings: UTF-16 and UTF-32 with a byte order mark are read; other causes are named ------------------------

DATED = "date 2019-01-01 Eerste bericht over café en ë.\ndate 2019-01-02 Tweede bericht.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
def test_hostile_utf16_and_utf32_with_a_byte_order_mark_are_read(encoding: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
    data = bom + DATED.encode(encoding)
    items = _read(read_dated, data)
    assert [i.text for i in items] == ["Eerste bericht over café en ë.", "Tweede bericht."]  # type: ignore[union-attr]


@pytest.mark.parametrize("reader,text", [
    (read_csv, "date,text\n2019-01-01,Een bericht met ë.\n"),
    (read_jsonl, '{"date": "2019-01-01", "text": "Een bericht met ë."}\n'),
    (read_stream, '{"date": "2019-01-01", "text": "Een bericht met ë."}\n'),
], ids=["csv", "jsonl", "sniffed"])
def test_hostile_utf16_csv_and_json_lines_are_read(reader, text: str) -> None:  # type: ignore[no-untyped-def]
    (item,) = _read(reader, text.encode("utf-16"))
    assert item.text == "Een bericht met ë."  # type: ignore[union-attr]


def test_hostile_bad_utf16_rejects_only_its_record() -> None:
    data = DATED.encode("utf-16") + "date 2019-01-03 Der\ude00de.\n".encode("utf-16-le", "surrogatepass") + \
        "date 2019-01-04 Vierde bericht.\n".encode("utf-16-le")
    items = _read(read_dated, data)
    assert [type(i).__name__ for i in items] == ["RawArticle", "RawArticle", "Rejected", "RawArticle"]
    assert "not UTF-16 text" in items[2].reason and items[3].text == "Vierde bericht."  # type: ignore[union-attr]


def test_hostile_utf16_without_a_byte_order_mark_names_the_likely_cause() -> None:
    (item,) = _read(read_dated, DATED.encode("utf-16-le"))
    assert isinstance(item, Rejected) and "UTF-16 without a byte order mark" in item.reason


def test_hostile_undecodable_text_without_a_date_names_the_bytes_not_the_date() -> None:
    (item,) = _read(read_dated, "Een bericht in Latin-1: café.\n".encode("latin-1"))
    assert isinstance(item, Rejected) and item.reason.startswith("bytes that are not UTF-8 (first one \\xe9")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "0.0001", "1e9", "4096"])
def test_hostile_max_article_mb_out_of_range_is_a_usage_error(tmp_path: Path, value: str) -> None:
    f = tmp_path / "a.txt"
    f.write_text("date 2019-01-01 Een artikel.\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["ingest", "--no-analyze", "-q", f"--max-article-mb={value}",
                                   "--archive", str(tmp_path / "k.db"), str(f)])
    assert res.exit_code == 2 and res.exception is not None and isinstance(res.exception, SystemExit), res.output
    assert "--max-article-mb" in res.output and "megabytes from 0.001 to 1024" in res.output
    assert not (tmp_path / "k.db").exists()


@pytest.mark.parametrize("value", ["0.001", "1", "64", "1024"])
def test_hostile_max_article_mb_in_range_is_taken(tmp_path: Path, value: str) -> None:
    f = tmp_path / "a.txt"
    f.write_text("date 2019-01-01 Een artikel.\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["ingest", "--no-analyze", "-q", "--max-article-mb", value,
                                   "--archive", str(tmp_path / "k.db"), str(f)])
    assert res.exit_code == 0 and "1 new" in res.output, res.output


@pytest.mark.parametrize("limit", [0, -1, 10, 2**31, 1.5, True])
def test_hostile_reader_limit_out_of_range_is_an_input_error(limit: object) -> None:
    for reader in (read_dated, read_jsonl, read_csv):
        with pytest.raises(InputError, match="max_article_bytes must be a whole number"):
            list(reader(io.BytesIO(b"date 2019 x\n"), "f", ReadOptions(max_article_bytes=limit)))  # type: ignore[arg-type]

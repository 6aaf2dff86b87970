"""Readers: the dated-line format, JSON Lines, CSV, directories and standard input, good input and bad."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ALPINO_JSONL, ALPINO_TXT, SEED

from kroniek.errors import InputError
from kroniek.ingest.readers import (
    RAW_KEEP_CHARS,
    ReadOptions,
    Rejected,
    read_csv,
    read_dated,
    read_jsonl,
    read_path,
    read_stream,
)
from kroniek.model import Precision, RawArticle


def dated(data: bytes, **opts: object) -> list[RawArticle | Rejected]:
    return list(read_dated(io.BytesIO(data), "t.txt", ReadOptions(**opts)))  # type: ignore[arg-type]


def jsonl(data: bytes, **opts: object) -> list[RawArticle | Rejected]:
    return list(read_jsonl(io.BytesIO(data), "t.jsonl", ReadOptions(**opts)))  # type: ignore[arg-type]


def csv_(data: bytes, **opts: object) -> list[RawArticle | Rejected]:
    return list(read_csv(io.BytesIO(data), "t.csv", ReadOptions(**opts)))  # type: ignore[arg-type]


# --- dated lines -------------------------------------------------------------------------------------------------

def test_readers_seed_text_starts_after_header_and_keeps_month_precision(shared: Path) -> None:
    (art,) = list(read_path(SEED))
    assert isinstance(art, RawArticle)
    raw = SEED.read_text(encoding="utf-8")
    assert raw.startswith(" date 2019-02 ")
    assert art.text == raw[len(" date 2019-02 "):].rstrip()
    assert str(art.date) == "2019-02" and art.date is not None and art.date.precision is Precision.MONTH
    assert art.origin is not None and art.origin.line == 1


def test_readers_dated_many_articles_with_paragraphs_and_precisions() -> None:
    data = (b"date 2020 Eerste artikel.\n\nTweede alinea.\n"
            b"  date 2020-05 Tweede artikel.\n"
            b"date 2020-05-07 Derde artikel.\n\n\n")
    arts = dated(data)
    assert [a.text for a in arts] == ["Eerste artikel.\n\nTweede alinea.", "Tweede artikel.", "Derde artikel."]
    assert [a.date.precision.value for a in arts] == ["year", "month", "day"]  # type: ignore[union-attr]
    assert [a.origin.line for a in arts] == [1, 4, 5]  # type: ignore[union-attr]


def test_readers_dated_header_alone_on_its_line_starts_article_on_next_line() -> None:
    (art,) = dated(b"date 2021-01-02\nHet artikel begint hier.\n")
    assert art.text == "Het artikel begint hier."


def test_readers_dated_body_line_starting_with_word_date_is_text() -> None:
    (art,) = dated(b"date 2021-01-02 Begin.\ndate onbekend, zei hij.\n")
    assert isinstance(art, RawArticle) and art.text == "Begin.\ndate onbekend, zei hij."


def test_readers_dated_bom_and_crlf_are_read() -> None:
    (art,) = dated(b"\xef\xbb\xbfdate 2019-02-01 Een.\r\n\r\nTwee.\r\n")
    assert isinstance(art, RawArticle)
    assert art.text == "Een.\n\nTwee." and str(art.date) == "2019-02-01"


@pytest.mark.parametrize("header,reason", [("date 2019-13", "impossible month"),
                                           ("date 2019-02-30", "impossible day"),
                                           ("date 2019-2-3x", "cannot read date")])
def test_readers_dated_impossible_date_is_rejected_and_next_article_kept(header: str, reason: str) -> None:
    bad, good = dated(f"{header} Slecht.\ndate 2019-02-28 Goed.\n".encode())
    assert isinstance(bad, Rejected) and reason in bad.reason and bad.origin.line == 1
    assert bad.raw.startswith(header)
    assert isinstance(good, RawArticle) and good.text == "Goed."


def test_readers_dated_missing_date_is_rejected_unless_allowed() -> None:
    items = dated(b"Tekst zonder datum.\ndate 2019-02-28 Goed.\n")
    assert isinstance(items[0], Rejected) and "missing date" in items[0].reason
    assert isinstance(items[1], RawArticle)
    (undated, good) = dated(b"Tekst zonder datum.\ndate 2019-02-28 Goed.\n", require_date=False)
    assert isinstance(undated, RawArticle) and undated.date is None and undated.text == "Tekst zonder datum."


def test_readers_dated_empty_article_is_rejected() -> None:
    empty, good = dated(b"date 2019-02-27   \n\n\ndate 2019-02-28 Goed.\n")
    assert isinstance(empty, Rejected) and "empty article" in empty.reason
    assert isinstance(good, RawArticle)


def test_readers_dated_undecodable_bytes_reject_only_their_article() -> None:
    first, bad, last = dated(b"date 2019-01-01 Een.\ndate 2019-01-02 Tw\xff\xfeee.\ndate 2019-01-03 Drie.\n")
    assert isinstance(bad, Rejected) and "not UTF-8" in bad.reason and bad.origin.line == 2
    assert "\\xff" in bad.raw
    assert isinstance(first, RawArticle) and isinstance(last, RawArticle) and last.text == "Drie."


def test_readers_dated_article_over_limit_is_rejected_with_reason_and_bounded_raw() -> None:
    body = b"woord " * 5000
    big, good = dated(b"date 2019-01-01 " + body + b"\n" + body + b"\ndate 2019-01-02 Klein.\n",
                      max_article_bytes=20_000)
    assert isinstance(big, Rejected) and "max_article_bytes" in big.reason
    assert len(big.raw) <= RAW_KEEP_CHARS + 100
    assert isinstance(good, RawArticle) and good.text == "Klein."


@pytest.mark.slow
def test_readers_dated_50_mb_article_is_read_whole(tmp_path: Path) -> None:
    line = "Dit is een zin van een heel lang artikel over de Tweede Kamer. " * 16
    n = 50 * 1024 * 1024 // (len(line) + 2) + 1
    path = tmp_path / "groot.txt"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("date 2020-02-02 ")
        for _ in range(n):
            fh.write(line + "\n\n")
        fh.write("date 2020-02-03 Klein.\n")
    big, small = list(read_path(path))
    assert isinstance(big, RawArticle) and len(big.text.encode()) >= 50 * 1024 * 1024 - 2
    assert isinstance(small, RawArticle) and small.text == "Klein."


# --- JSON Lines ----------------------------------------------------------------------------------------------------

def test_readers_jsonl_fields_and_meta() -> None:
    rec = {"id": 7, "date": "2020-01-02T10:00:00", "title": "Kop", "source": "Krant", "url": "https://x.nl/a",
           "text": "Tekst\r\nmet CRLF binnen het veld.", "rubriek": "binnenland", "woorden": 5}
    (art,) = jsonl(json.dumps(rec).encode() + b"\n")
    assert isinstance(art, RawArticle)
    assert (art.id, str(art.date), art.title, art.source, art.url) == ("7", "2020-01-02", "Kop", "Krant",
                                                                       "https://x.nl/a")
    assert art.text == rec["text"]  # verbatim, CR included
    assert art.meta == {"rubriek": "binnenland", "woorden": 5}


@pytest.mark.parametrize("line,reason", [
    (b'{"date": "2020-01-01", "text": "ok"', "not valid JSON"),
    (b'["a list"]', "not an object"),
    (b'{"date": "2020-01-01"}', "no `text` field"),
    (b'{"date": "2020-01-01", "text": 5}', "`text` must be a string"),
    (b'{"date": 20200101, "text": "x"}', "`date` must be a string"),
    (b'{"date": "2020-01-01", "text": "x", "title": ["a"]}', "`title` must be a string"),
    (b'{"date": "2019-02-30", "text": "x"}', "impossible day"),
    (b'{"text": "x"}', "missing date"),
    (b'{"date": "2020-01-01", "text": "   "}', "empty article"),
    (b'{"date": "2020-01-01", "text": "caf\xe9"}', "not UTF-8"),
    (b'{"date": "2020-01-01", "text": "a\\ud800b"}', "unpaired surrogate"),
])
def test_readers_jsonl_bad_line_is_rejected_between_good_ones(line: bytes, reason: str) -> None:
    good = b'{"date": "2020-01-01", "text": "Goed."}'
    items = jsonl(b"\xef\xbb\xbf" + good + b"\r\n" + line + b"\r\n\r\n" + good.replace(b"Goed", b"Ook goed"))
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejected", "RawArticle"]
    bad = items[1]
    assert isinstance(bad, Rejected) and reason in bad.reason and bad.origin.line == 2
    assert items[2].text == "Ook goed."  # type: ignore[union-attr]


def test_readers_jsonl_alpino_and_txt_give_the_same_54_texts(shared: Path) -> None:
    from_jsonl = [a for a in read_path(ALPINO_JSONL)]
    from_txt = [a for a in read_path(ALPINO_TXT)]
    assert len(from_jsonl) == len(from_txt) == 54
    assert all(isinstance(a, RawArticle) for a in from_jsonl + from_txt)
    assert [a.text for a in from_txt] == [a.text for a in from_jsonl]  # type: ignore[union-attr]
    assert [a.date for a in from_txt] == [a.date for a in from_jsonl]  # type: ignore[union-attr]


# --- CSV -----------------------------------------------------------------------------------------------------------

def test_readers_csv_header_quoted_newlines_and_extra_columns() -> None:
    data = (b'id,date,title,text,rubriek\r\n'
            b'1,2020-03-04,Kop,"Eerste alinea.\r\n\r\nTweede, met komma.",sport\r\n'
            b'2,2020-03,,Kort.,\r\n')
    a, b = csv_(data)
    assert isinstance(a, RawArticle) and isinstance(b, RawArticle)
    assert a.text == "Eerste alinea.\n\nTweede, met komma." and a.title == "Kop" and a.meta == {"rubriek": "sport"}
    assert a.origin.line == 2 and b.origin.line == 5  # type: ignore[union-attr]
    assert b.title is None and str(b.date) == "2020-03"


def test_readers_csv_column_mapping() -> None:
    data = b"kenmerk;datum;inhoud\nx1;2021-05-06;Een bericht.\n".replace(b";", b",")
    (art,) = csv_(data, columns={"id": "kenmerk", "date": "datum", "text": "inhoud"})
    assert isinstance(art, RawArticle) and (art.id, str(art.date), art.text) == ("x1", "2021-05-06", "Een bericht.")


def test_readers_csv_bad_rows_are_rejected_and_good_rows_kept() -> None:
    data = (b"date,text\n2020-01-01,Goed.\n2020-13-01,Slechte datum.\n2020-01-02,Te,veel\n"
            b"2020-01-03,Bytes \xff.\n2020-01-04,Ook goed.\n")
    items = csv_(data)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["RawArticle", "Rejected", "Rejected", "Rejected", "RawArticle"]
    assert [i.origin.line for i in items] == [2, 3, 4, 5, 6]  # type: ignore[union-attr]


def test_readers_csv_without_text_column_is_rejected() -> None:
    (item,) = csv_(b"date,body\n2020-01-01,x\n")
    assert isinstance(item, Rejected) and "no `text` column" in item.reason


# --- directories and standard input --------------------------------------------------------------------------------

def test_readers_directory_is_read_recursively_by_extension(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("date 2020-01-01 Een.\n", encoding="utf-8")
    (tmp_path / "b" / "c.jsonl").write_text('{"date": "2020-01-02", "text": "Twee."}\n', encoding="utf-8")
    (tmp_path / "b" / "d.csv").write_text("date,text\n2020-01-03,Drie.\n", encoding="utf-8")
    (tmp_path / "b" / "notities.md").write_text("date 2020-01-04 Niet lezen.\n", encoding="utf-8")
    (tmp_path / ".verborgen").mkdir()
    (tmp_path / ".verborgen" / "e.txt").write_text("date 2020-01-05 Ook niet.\n", encoding="utf-8")
    assert [a.text for a in read_path(tmp_path)] == ["Een.", "Twee.", "Drie."]  # type: ignore[union-attr]


def test_readers_unknown_extension_and_missing_file_raise_input_error(tmp_path: Path) -> None:
    (tmp_path / "x.docx").write_bytes(b"x")
    with pytest.raises(InputError, match="format"):
        list(read_path(tmp_path / "x.docx"))
    with pytest.raises(InputError, match="does not exist"):
        list(read_path(tmp_path / "nee.txt"))


def test_readers_stream_sniffs_jsonl_and_dated_lines() -> None:
    j = list(read_stream(io.BufferedReader(io.BytesIO(b'\n{"date": "2020-01-01", "text": "J."}\n')), "<stdin>"))
    d = list(read_stream(io.BufferedReader(io.BytesIO(b"date 2020-01-01 D.\n")), "<stdin>"))
    assert [a.text for a in j + d] == ["J.", "D."]  # type: ignore[union-attr]


def test_readers_standard_input_dash() -> None:
    code = "from kroniek.ingest.readers import read_path; print([a.text for a in read_path('-')])"
    res = subprocess.run([sys.executable, "-c", code], input=b"date 2020-01-01 Van stdin.\n",
                         capture_output=True, check=True)
    assert res.stdout.decode().strip() == "['Van stdin.']"


def test_readers_records_with_unpaired_surrogate_are_rejected() -> None:
    from kroniek.ingest.readers import read_records

    bad, good = list(read_records([{"date": "2020-01-01", "text": "a\ud800"}, {"date": "2020-01-01", "text": "ok"}]))
    assert isinstance(bad, Rejected) and "surrogate" in bad.reason and isinstance(good, RawArticle)


def test_readers_jsonl_paired_surrogate_escapes_are_text() -> None:
    (art,) = jsonl(b'{"date": "2020-01-01", "text": "lach \\ud83d\\ude00"}\n')
    assert isinstance(art, RawArticle) and art.text == "lach \U0001F600"


def test_readers_csv_bom_and_crlf_are_read() -> None:
    (art,) = csv_(b"\xef\xbb\xbfdate,text\r\n2020-01-01,Met BOM.\r\n")
    assert isinstance(art, RawArticle) and art.text == "Met BOM." and str(art.date) == "2020-01-01"

"""Property-based tests of the readers: random input never crashes them, and bad records never take good ones."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kroniek.ingest.readers import ReadOptions, Rejected, read_csv, read_dated, read_jsonl
from kroniek.model import RawArticle

READERS = (read_dated, read_jsonl, read_csv)
OPTS = ReadOptions(max_article_bytes=4096)

# Article text: any Unicode without surrogates, but not starting a line with a `date` header or a blank paragraph
words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40)
good_text = words.map(lambda s: "Tekst " + s.strip() + ".")
dates = st.dates().map(lambda d: d.isoformat()).filter(lambda s: s[0] != "0")
bad_json_lines = st.one_of(
    st.binary(min_size=1, max_size=80).filter(lambda b: b"\n" not in b and b"\r" not in b and b.strip() != b""),
    st.just(b'{"text": 3, "date": "2020-01-01"}'),
    st.just(b'{"text": "x", "date": "2020-02-31"}'),
    st.just(b'{"text": "x"'),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
def test_properties_random_bytes_never_crash_a_reader(data: bytes) -> None:
    for reader in READERS:
        for item in reader(io.BytesIO(data), "random", OPTS):
            assert isinstance(item, RawArticle | Rejected)
            if isinstance(item, RawArticle):
                assert item.text.strip()
                item.text.encode("utf-8")  # never holds undecodable bytes


@settings(max_examples=100, deadline=None)
@given(good_text, dates, bad_json_lines, good_text, dates)
def test_properties_jsonl_good_records_around_a_bad_line_are_kept(t1: str, d1: str, bad: bytes, t2: str,
                                                                  d2: str) -> None:
    lines = [json.dumps({"date": d1, "text": t1}).encode(), bad, json.dumps({"date": d2, "text": t2}).encode()]
    items = list(read_jsonl(io.BytesIO(b"\n".join(lines)), "t", OPTS))
    texts = [i.text for i in items if isinstance(i, RawArticle)]
    assert texts[0] == t1 and texts[-1] == t2
    assert len(items) == 3 or (len(items) == 2 and not bad.decode("utf-8", "replace").strip())


@settings(max_examples=100, deadline=None)
@given(good_text, dates, st.sampled_from(["2019-13", "2019-02-30", "2021-00-01", "2020-1x"]), good_text, dates)
def test_properties_dated_good_articles_around_a_bad_date_are_kept(t1: str, d1: str, bad_date: str, t2: str,
                                                                   d2: str) -> None:
    data = f"date {d1} {t1}\ndate {bad_date} Slecht.\ndate {d2} {t2}\n".encode()
    items = list(read_dated(io.BytesIO(data), "t", OPTS))
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejected", "RawArticle"]
    assert items[0].text == t1.rstrip() and items[2].text == t2.rstrip()  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None)
@given(good_text, dates, st.binary(min_size=1, max_size=30), good_text, dates)
def test_properties_csv_good_rows_around_a_bad_row_are_kept(t1: str, d1: str, junk: bytes, t2: str,
                                                            d2: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["date", "text"])
    w.writerow([d1, t1])
    head = buf.getvalue().encode()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([d2, t2])
    # a bad row: undecodable bytes in an unquoted field, so it cannot swallow the next row
    bad = b"2020-01-01,\xff" + junk.replace(b"\n", b"").replace(b"\r", b"").replace(b'"', b"") + b"\n"
    items = list(read_csv(io.BytesIO(head + bad + buf.getvalue().encode()), "t", OPTS))
    texts = [i.text for i in items if isinstance(i, RawArticle)]
    assert texts == [t1, t2]
    assert sum(isinstance(i, Rejected) for i in items) == 1

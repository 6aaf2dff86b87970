"""The Archive facade: idempotent ingest, quarantine, analysis storage and what the edges read back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import spacy
from conftest import ALPINO_JSONL, ALPINO_TXT, SEED
from spacy.language import Language
from spacy.tokens import Doc

from kroniek.archive import Archive
from kroniek.errors import NotFound
from kroniek.ingest.batches import content_hash
from kroniek.model import Quote, TimeExpression
from kroniek.nlp import extensions
from kroniek.nlp.timex_normalise import value_range
from kroniek.settings import CoreSettings


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = Archive.open(tmp_path / "k.db")
    yield a
    a.close()


def test_archive_alpino_54_then_none_then_txt_duplicates(archive: Archive, shared: Path) -> None:
    first = archive.ingest([ALPINO_JSONL])
    assert (first.new, first.duplicates, first.quarantined) == (54, 0, 0)
    again = archive.ingest([ALPINO_JSONL])
    assert (again.new, again.duplicates) == (0, 54)
    txt = archive.ingest([ALPINO_TXT])
    assert (txt.new, txt.duplicates) == (0, 54)  # the same 54 texts
    assert archive.count() == 54


def test_archive_seed_stored_with_date_precision_and_structure(archive: Archive, shared: Path) -> None:
    report = archive.ingest([SEED])
    (aid,) = report.new_ids
    art = archive.get_article(aid)
    assert aid == "k" + content_hash(art.text)[:16]
    assert (str(art.date), art.date.precision.value, art.language) == ("2019-02", "month", "nl")  # type: ignore
    assert [h.start for h in art.structure.subheadings] == [961]
    assert [r.start for r in art.structure.references] == [900]
    row = sqlite3.connect(archive.settings.archive).execute(
        "SELECT date_start, date_end, date_precision FROM articles WHERE id = ?", (aid,)).fetchone()
    assert row == ("2019-02-01", "2019-02-28", "month")


def test_archive_bad_records_are_quarantined_and_the_rest_goes_in(archive: Archive, tmp_path: Path) -> None:
    f = tmp_path / "mix.jsonl"
    f.write_bytes(b'{"id": "a", "date": "2020-01-01", "text": "Goed."}\n{kapot\n'
                  b'{"id": "b", "date": "2019-02-30", "text": "Slecht."}\n'
                  b'{"id": "a", "date": "2020-01-02", "text": "Andere tekst met hetzelfde id."}\n'
                  b'{"id": "c", "date": "2020-01-03", "text": "Ook goed."}\n')
    report = archive.ingest([f, tmp_path / "ontbreekt.txt"])
    assert (report.new, report.duplicates, report.quarantined) == (2, 0, 3)
    assert report.errors and "ontbreekt.txt" in report.errors[0]
    rows = archive.quarantined().items
    assert [(q.line, q.file) for q in rows] == [(2, str(f)), (3, str(f)), (4, str(f))]
    assert "not valid JSON" in rows[0].reason and "impossible day" in rows[1].reason
    assert "already used" in rows[2].reason and "Andere tekst" in rows[2].raw
    assert rows[0].raw == "{kapot"


def test_archive_batches_commit_and_duplicates_within_a_batch(tmp_path: Path) -> None:
    settings = CoreSettings(ingest_batch=3)
    with Archive.open(tmp_path / "k.db", settings=settings) as a:
        recs = [{"date": "2020-01-01", "text": f"Artikel {i % 4}."} for i in range(10)]
        seen: list[int] = []
        report = a.ingest(recs, progress=lambda r: seen.append(r.read))
        assert (report.new, report.duplicates) == (4, 6)
        assert seen[:3] == [3, 6, 9] and seen[-1] == 10


def test_archive_non_dutch_article_is_marked(archive: Archive) -> None:
    report = archive.ingest([{"id": "en1", "date": "2020-05-05",
                              "text": "The government announced on Monday that the new bridge will open in May."}])
    assert report.not_dutch == 1
    assert archive.get_article("en1").language == "en"


def test_archive_migrations_recorded_once_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    Archive.open(path).close()
    Archive.open(path).close()
    db = sqlite3.connect(path)
    from kroniek.store.migrations import MIGRATIONS

    assert db.execute("SELECT name FROM migrations ORDER BY name").fetchall() == [(m[0],) for m in MIGRATIONS]
    assert len(MIGRATIONS) >= 3
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_archive_get_missing_article_raises_not_found(archive: Archive) -> None:
    with pytest.raises(NotFound):
        archive.get_article("bestaat-niet")


# --- analysis, with a hand-built pipeline instead of the trained model -------------------------------------------

@Language.component("test_fake_annotations")
def _fake_annotations(doc: Doc) -> Doc:
    """Quote every 'zegt X' sentence and date every 'in 2014', so storage can be checked without a model."""
    text = doc.text
    quotes, timexes = [], []
    i = text.find("“")
    if i >= 0:
        j = text.find("”", i)
        quotes.append(Quote(i, j + 1, text[i:j + 1], "direct", "zegt", "Blok", "Stef Blok"))
    k = text.find("in 2014")
    if k >= 0:
        sent = next(s for s in doc.sents if s.start_char <= k < s.end_char)
        timexes.append(TimeExpression(k + 3, k + 7, "2014", "DATE", "2014", sent.start_char, sent.end_char,
                                          period=value_range("2014")))
    doc._.quotes, doc._.timexes = quotes, timexes
    doc._.canonical = {(e.start_char, e.end_char): ("Stef Blok" if e.text == "Blok" else e.text) for e in doc.ents}
    return doc


def fake_nlp() -> Language:
    extensions.register()
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "Stef Blok"}, {"label": "PER", "pattern": "Blok"},
                        {"label": "LOC", "pattern": "Rusland"}, {"label": "MISC", "pattern": "MH17"}])
    nlp.add_pipe("test_fake_annotations")
    return nlp


def test_archive_analysis_stored_merged_and_rerunnable(archive: Archive) -> None:
    texts = ["Stef Blok sprak met Rusland over MH17 in 2014. “We mogen hoopvol zijn”, zegt Blok.",
             "Blok reisde naar Rusland. Daar sprak hij over MH17 in 2014."]
    report = archive.ingest([{"id": f"a{i}", "date": f"2019-0{i + 1}-01", "text": t} for i, t in enumerate(texts)]
                            + [{"id": "en", "date": "2019-03-01", "text": "This English text is not analysed."}])
    nlp = fake_nlp()
    assert archive.analyze(report.new_ids, nlp=nlp) == 2  # the English article is left alone
    art = archive.get_article("a0")
    assert {e["canonical"] for e in art.entities} == {"Stef Blok", "Rusland", "MH17"}
    assert set(art.analyses) == {"entities", "quotes", "timexes"}
    assert art.quotes[0]["speaker"] == "Stef Blok" and art.quotes[0]["speaker_entity_id"] is not None
    assert archive.get_article("en").analyses == {}

    blok = archive.entity("Stef Blok")
    assert blok.variants == ["Blok", "Stef Blok"] and blok.articles == 2
    assert [m["month"] for m in blok.by_month] == ["2019-01", "2019-02"]
    assert {c["canonical"] for c in blok.co_occurring} == {"Rusland", "MH17"}
    assert archive.entity("Blok").id == blok.id  # found by variant
    top = archive.entities(label="PER")
    assert [(e["canonical"], e["mentions"]) for e in top.items] == [("Stef Blok", 3)] and top.total == 1

    quotes = archive.quotes(speaker="Stef Blok")
    assert [q["article_id"] for q in quotes.items] == ["a0"] and quotes.total == 1
    events = archive.timeline(entity="MH17").items
    assert [(e["article_id"], e["ref_start"], e["ref_end"]) for e in events] == [
        ("a0", "2014-01-01", "2014-12-31"), ("a1", "2014-01-01", "2014-12-31")]
    assert events[1]["sentence"] == "Daar sprak hij over MH17 in 2014."
    assert {e["canonical"] for e in events[1]["entities"]} == {"MH17"}

    # re-running one stage replaces its annotations instead of adding to them
    archive.analyze(["a0"], stages=["timexes"], nlp=nlp)
    assert len(archive.get_article("a0").timexes) == 1
    assert len(archive.get_article("a0").entities) == 4
    rows = list(archive.export_rows(["a1"]))
    assert rows[0]["id"] == "a1" and rows[0]["date_precision"] == "day" and len(rows[0]["timexes"]) == 1
    json.dumps(rows)


def test_archive_readonly_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with Archive.open(path) as a:
        a.ingest([{"date": "2020-01-01", "text": "Een artikel."}])
    with Archive.open(path, readonly=True) as ro:
        assert ro.count() == 1
        from kroniek.errors import ArchiveError

        with pytest.raises(ArchiveError):
            ro.ingest([{"date": "2020-01-01", "text": "Nog een."}])


def test_archive_analyze_unanalysed_picks_up_the_rest(archive: Archive) -> None:
    archive.ingest([{"id": f"u{i}", "date": "2019-01-01", "text": f"Stef Blok sprak donderdag met Rusland over de aansprakelijkheid voor het neerhalen van de vlucht, deel {i}."}
                    for i in range(3)])
    nlp = fake_nlp()
    assert archive.analyze(["u1"], nlp=nlp) == 1
    assert archive.analyze(nlp=nlp, unanalysed=True) == 2
    assert archive.analyze(nlp=nlp, unanalysed=True) == 0
    assert archive.stats()["analysed"] == 3


def test_archive_structure_json_equals_the_dataclass_dict(shared: Path) -> None:
    from kroniek.archive import structure_json
    from kroniek.ingest.structure import parse_structure

    text = SEED.read_text(encoding="utf-8")[len(" date 2019-02 "):]
    for s in (parse_structure(text), parse_structure("Kop\n\nEerste alinea.\n\nTweede.", title="Kop")):
        assert json.loads(structure_json(s)) == s.to_dict()


@pytest.mark.slow
def test_archive_50_mb_article_goes_in_and_an_over_limit_one_is_quarantined(tmp_path: Path) -> None:
    para = "De Tweede Kamer sprak dinsdag opnieuw over de begroting van het ministerie. " * 40
    text = "\n\n".join([para] * (50 * 1024 * 1024 // (len(para) + 2) + 1))
    f = tmp_path / "groot.jsonl"
    f.write_text(json.dumps({"id": "groot", "date": "2020-02-02", "text": text}) + "\n"
                 + json.dumps({"id": "klein", "date": "2020-02-03", "text": "Een klein artikel over de Kamer."})
                 + "\n", encoding="utf-8")
    with Archive.open(tmp_path / "k.db") as a:
        report = a.ingest([f])
        assert (report.new, report.quarantined) == (2, 0)
        art = a.get_article("groot")
        assert art.text == text and art.language == "nl" and len(art.structure.paragraphs) > 1000
    with Archive.open(tmp_path / "k2.db", settings=CoreSettings(max_article_bytes=10 * 1024 * 1024)) as a:
        report = a.ingest([f])
        assert (report.new, report.quarantined) == (1, 1)
        assert "max_article_bytes" in a.quarantined().items[0].reason


@pytest.mark.slow
def test_archive_worker_processes_prepare_the_same_rows(tmp_path: Path) -> None:
    recs = [{"id": f"w{i}", "date": "2020-01-01",
             "text": f"Tussenkop {i}\n\nDe gemeenteraad besprak dinsdag plan {i} voor de nieuwe brug.\n\nSlot {i}."}
            for i in range(60)]
    results = []
    for workers in (1, 2):
        with Archive.open(tmp_path / f"k{workers}.db", settings=CoreSettings(ingest_workers=workers)) as a:
            report = a.ingest(recs)
            assert report.new == 60
            results.append([a.get_article(f"w{i}").to_dict() for i in range(60)])
    for one, two in zip(*results, strict=True):
        for key in ("text", "structure", "language", "content_hash", "date"):
            assert one[key] == two[key]


def _mixed_inputs(tmp_path: Path) -> list[Path | str]:
    """Files with good, bad and repeated records, and a path that does not exist."""
    good = [{"id": f"b{i}", "date": f"2021-03-{i % 28 + 1:02d}", "source": "Dagblad",
             "text": f"Kop {i}\n\nDe raad van gemeente {i} stemde dinsdag in met het plan.\n\nLees ook: plan {i}"}
            for i in range(45)]
    lines = [json.dumps(r, ensure_ascii=False) for r in good]
    lines[7] = "{niet goed"                                          # not JSON
    lines[12] = json.dumps({"id": "x", "date": "2021-13", "text": "Een datum die niet kan."})
    lines.append(json.dumps(good[3]))                               # the same content again
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dated = tmp_path / "in.txt"
    dated.write_text("date 2019-02 Het ministerie van Buitenlandse Zaken meldde iets.\n"
                     "date 2019-02-30 Een onmogelijke dag.\n", encoding="utf-8")
    return [jsonl, tmp_path / "ontbreekt.jsonl", dated]


@pytest.mark.parametrize("workers", [2, 3])
def test_reading_in_a_second_process_stores_the_same_archive(tmp_path: Path, workers: int) -> None:
    from kroniek.ingest.batches import wants_background

    sources = _mixed_inputs(tmp_path)
    assert wants_background(sources, workers)
    out = {}
    for w in (1, workers):
        with Archive.open(tmp_path / f"k{w}.db", settings=CoreSettings(ingest_workers=w, ingest_batch=10)) as a:
            report = a.ingest(sources)
            again = a.ingest(sources)
            arts = [a.get_article(i).to_dict() for i in sorted(report.new_ids)]
            quarantine = [(q.file, q.line, q.reason) for q in a.quarantined().items]
            out[w] = (report.to_dict() | {"seconds": 0}, report.new_ids, arts, quarantine, again.new)
    one, many = out[1], out[workers]
    assert one[0]["new"] == 44 and one[0]["duplicates"] == 1 and one[0]["quarantined"] == 3
    assert one[0]["errors"] and "ontbreekt.jsonl" in one[0]["errors"][0]
    assert one[4] == 0  # ingesting the same input again adds nothing
    for a, b in zip(one[2], many[2], strict=True):
        a.pop("ingested_at", None), b.pop("ingested_at", None)
        # the similar articles are the index's ranking of near-identical texts, whose ties follow its segments
        a.pop("related"), b.pop("related")
        assert a == b
    assert one[0] == many[0] and one[1] == many[1] and one[3] == many[3] and one[4] == many[4]


def test_when_ingest_reads_in_a_second_process(tmp_path: Path) -> None:
    from kroniek.ingest import batches

    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"date": "2020", "text": "Kort."}) + "\n", encoding="utf-8")
    assert not batches.wants_background([small], 0)          # small input: not worth a process
    assert not batches.wants_background([small], 1)
    assert batches.wants_background([small], 2)
    assert not batches.wants_background(["-"], 2)            # standard input is read where it is
    assert not batches.wants_background([small, {"text": "x"}], 2)  # so are records in memory
    big = tmp_path / "big.jsonl"
    with big.open("wb") as fh:
        fh.truncate(batches.AUTO_BACKGROUND_BYTES)
    import os
    assert batches.wants_background([tmp_path], 0) == ((os.cpu_count() or 1) >= 2)


def test_languages_are_the_same_whichever_process_identifies_them(tmp_path: Path) -> None:
    texts = ["De gemeenteraad van Utrecht besprak dinsdag het plan voor de nieuwe brug over het kanaal.",
             "The city council met on Tuesday to discuss the plan for a new bridge across the canal.",
             "Le conseil municipal s'est réuni mardi pour discuter du projet d'un nouveau pont sur le canal.",
             "Der Stadtrat traf sich am Dienstag, um den Plan für eine neue Brücke über den Kanal zu besprechen."]
    src = tmp_path / "talen.jsonl"
    src.write_text("".join(json.dumps({"id": f"t{i}", "date": "2020-05", "text": f"{texts[i % 4]} ({i})"}) + "\n" for i in range(80)),
                   encoding="utf-8")
    found = {}
    for w in (1, 2):
        with Archive.open(tmp_path / f"t{w}.db", settings=CoreSettings(ingest_workers=w, ingest_batch=4)) as a:
            assert a.ingest([src]).new == 80
            found[w] = {f"t{i}": a.get_article(f"t{i}").language for i in range(80)}
    assert found[1] == found[2]
    assert [found[1][f"t{i}"] for i in range(4)] == ["nl", "en", "fr", "de"]


def test_language_share_moves_towards_the_side_with_time_to_spare() -> None:
    from kroniek.ingest.batches import LanguageShare

    share = LanguageShare()
    assert share.rows(2000) == 1000
    for _ in range(10):
        share.update(writer_behind=True)
    assert share.share == 1.0 and share.rows(2000) == 2000
    share.update(writer_behind=False)
    assert share.share == 1.0 - LanguageShare.STEP
    for _ in range(10):
        share.update(writer_behind=False)
    assert share.share == 0.0 and share.rows(2000) == 0


def test_pack_identifies_languages_only_for_the_rows_asked_and_keeps_those_known() -> None:
    from kroniek.ingest.batches import PreparedBatch, _pack, prepare
    from kroniek.model import RawArticle

    arts = [RawArticle(text="De gemeenteraad besprak dinsdag het plan voor de nieuwe brug over het kanaal.", date=None),
            RawArticle(text="The city council met on Tuesday to discuss the plan for a new bridge.", date=None),
            RawArticle(text="Le conseil municipal s'est réuni mardi pour discuter du nouveau pont.", date=None)]
    rows = [prepare(a, language=False) for a in arts]
    rows[2] = prepare(arts[2])
    packed, *_ = _pack(PreparedBatch(rows=rows), languages=1)
    assert [p[8] for p in packed] == ["nl", "", "fr"]


def test_sender_hands_a_write_error_to_the_reading_loop() -> None:
    from kroniek.ingest.batches import _Sender

    class Closed:
        def write(self, data: bytes) -> None:
            raise BrokenPipeError("the writer went away")

        def flush(self) -> None:
            pass

    sender = _Sender(Closed())
    sender.send(b"first")
    with pytest.raises(BrokenPipeError):
        sender.close()
    assert not sender.busy()


def test_sender_writes_messages_in_order() -> None:
    import io

    from kroniek.ingest.batches import _Sender

    out = io.BytesIO()
    sender = _Sender(out)
    for i in range(50):
        sender.send(f"{i};".encode())
    sender.close()
    assert out.getvalue() == "".join(f"{i};" for i in range(50)).encode()


def test_sender_writes_itself_once_closed_and_closes_twice() -> None:
    import io

    from kroniek.ingest.batches import _Sender

    out = io.BytesIO()
    sender = _Sender(out)
    sender.send(b"een;")
    sender.close()
    sender.send(b"twee;")  # the thread has stopped: written here, nothing hangs
    sender.close()
    assert out.getvalue() == b"een;twee;"

"""The SQLite store: the calendar periods it keeps for TIMEX3 values, stats, iteration, and errors on files that are not archives."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from kroniek.archive import Archive
from kroniek.errors import ArchiveError
from kroniek.model import ArticleRow, QuarantineRow
from kroniek.nlp.timex_normalise import value_range
from kroniek.store import sqlite as sqlite_store
from kroniek.store.sqlite import SQLiteStore


@pytest.mark.parametrize("value,period", [
    ("2014", ("2014-01-01", "2014-12-31")),
    ("2018-05", ("2018-05-01", "2018-05-31")),
    ("2020-02", ("2020-02-01", "2020-02-29")),
    ("2019-02-14", ("2019-02-14", "2019-02-14")),
    ("2019-02-14TEV", ("2019-02-14", "2019-02-14")),
    ("2019-W07", ("2019-02-11", "2019-02-17")),
    ("2019-Q4", ("2019-10-01", "2019-12-31")),
    ("2019-H1", ("2019-01-01", "2019-06-30")),
    ("2019-WI", ("2019-12-01", "2020-02-29")),
    ("199X", ("1990-01-01", "1999-12-31")),
    ("19XX", ("1900-01-01", "1999-12-31")),
    # a day the month-precision article date could not pin: the month it lies in
    ("2019-02-XXTEV", ("2019-02-01", "2019-02-28")),
])
def test_store_period_of_calendar_values(value: str, period: tuple[str, str]) -> None:
    # the NLP layer works the period out once; the store keeps it as ISO days
    found = value_range(value)
    assert found is not None and (found[0].isoformat(), found[1].isoformat()) == period


@pytest.mark.parametrize("value", ["FUTURE_REF", "PRESENT_REF", "PAST_REF", "P3Y", "XXXX-05",
                                   "2019-02-30", ""])
def test_store_period_of_values_off_the_calendar(value: str) -> None:
    assert value_range(value) is None


def test_store_stats_by_month_source_and_language(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "k.db") as a:
        a.ingest([{"date": "2020-01-05", "source": "Krant A", "text": "Het kabinet valt over de begroting."},
                  {"date": "2020-01", "source": "Krant B", "text": "De minister treedt af na een debat."},
                  {"date": "2021", "source": "Krant A", "text": "De gemeente bouwt een nieuwe brug."}])
        s = a.stats()
    assert s["articles"] == 3
    # an article dated only by its year counts under that year, not under its January
    assert s["by_month"] == [{"month": "2020-01", "articles": 2}, {"month": "2021", "articles": 1}]
    assert s["by_source"][0] == {"source": "Krant A", "articles": 2}
    assert (s["first_day"], s["last_day"]) == ("2020-01-01", "2021-12-31")


def test_store_articles_iterates_all_in_batches_and_given_ids_in_order(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "k.db") as a:
        a.ingest([{"id": f"x{i}", "date": "2020-01-01", "text": f"Bericht nummer {i} over de stad."}
                  for i in range(7)])
        store = a.store
        assert [x.id for x in store.articles(batch_size=3)] == [f"x{i}" for i in range(7)]
        assert [x.id for x in store.articles(["x5", "x1", "nee"])] == ["x5", "x1"]


def test_store_not_an_archive_is_an_archive_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"dit is geen sqlite-bestand" * 100)
    with pytest.raises(ArchiveError, match="cannot open"):
        SQLiteStore(junk)
    with pytest.raises(ArchiveError, match="does not exist"):
        SQLiteStore(tmp_path / "nee.db", readonly=True)


def _rows(n: int, start: int = 0) -> list[ArticleRow]:
    text = "Het kabinet spreekt over de begroting en de minister zwijgt. " * 40
    return [ArticleRow(id=f"a{i}", content_hash=f"{i:064x}", date=None, source="Krant", url=None, title=None,
                       text=f"{i} {text}", structure_json="{}", language="nl", meta_json="{}", origin_file=None,
                       origin_line=None) for i in range(start, start + n)]


def _wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_bulk_writes_checkpoint_on_their_own_thread_and_leave_an_empty_wal(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    store = SQLiteStore(path)
    empty = path.stat().st_size
    with store.bulk_writes():
        checkpointer = store._checkpointer
        assert checkpointer is not None and checkpointer.is_alive()
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # no checkpoint in commits
        for b in range(5):
            store.insert(_rows(200, b * 200), [])
        deadline = time.monotonic() + 10
        while path.stat().st_size <= empty and time.monotonic() < deadline:
            time.sleep(0.05)  # the background thread copies the committed pages into the database file
        assert checkpointer.runs >= 1 and path.stat().st_size > empty
        with store.bulk_writes():  # nested: the outer context's thread goes on
            assert store._checkpointer is checkpointer
    assert not checkpointer.is_alive() and store._checkpointer is None
    assert _wal_bytes(path) == 0
    assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    assert store.count() == 1000
    store.close()
    assert SQLiteStore(path, readonly=True).count() == 1000


def test_bulk_writes_checkpoint_in_the_writer_once_the_wal_outgrows_its_limit(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_store, "WAL_LIMIT_BYTES", 0)
    path = tmp_path / "k.db"
    store = SQLiteStore(path)
    with store.bulk_writes():
        before = path.stat().st_size
        store.insert(_rows(300), [])
        # copied by the writer itself before insert returned, not later by the thread
        assert path.stat().st_size > before
    assert store.count() == 300
    store.close()


def test_bulk_writes_on_a_read_only_store_change_nothing(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "k.db").close()
    store = SQLiteStore(tmp_path / "k.db", readonly=True)
    with store.bulk_writes():
        assert store._checkpointer is None
    store.close()


def test_insert_if_all_new_stores_a_batch_of_new_rows_in_one_go(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    q = [QuarantineRow("in.jsonl", 3, "not JSON", "{kapot")]
    assert store.insert_if_all_new(_rows(5), q)
    assert store.count() == 5 and [x.reason for x in store.quarantined()] == ["not JSON"]
    assert not store.insert_if_all_new([], [])  # nothing to store: the caller's ordinary path decides


@pytest.mark.parametrize("clash", ["stored id", "stored hash", "repeated hash", "repeated id"])
def test_insert_if_all_new_stores_nothing_when_one_row_is_not_new(tmp_path: Path, clash: str) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    store.insert(_rows(2), [])
    batch = _rows(4, start=10)
    if clash == "stored id":
        batch[2] = batch[2]._replace(id="a1")
    elif clash == "stored hash":
        batch[2] = batch[2]._replace(content_hash=f"{0:064x}")
    elif clash == "repeated hash":
        batch[3] = batch[3]._replace(content_hash=batch[0].content_hash)
    else:
        batch[3] = batch[3]._replace(id=batch[0].id)
    assert not store.insert_if_all_new(batch, [QuarantineRow("in.jsonl", 1, "leeg", "")])
    assert store.count() == 2 and store.quarantined() == []
    # the ordinary path still works after the rollback
    store.insert(batch[:2], [])
    assert store.count() == 4


def test_insert_if_all_new_leaves_it_to_the_look_up_on_an_old_sqlite(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_store, "_UPSERT", False)  # a library before 3.24 has no ON CONFLICT DO NOTHING
    store = SQLiteStore(tmp_path / "k.db")
    assert not store.insert_if_all_new(_rows(3), [])
    assert store.count() == 0
    with Archive.open(tmp_path / "a.db") as archive:
        report = archive.ingest([{"id": f"r{i}", "date": "2020-05", "text": f"Tekst nummer {i}."} for i in range(4)])
        assert (report.new, archive.ingest([{"id": "r0", "date": "2020-05", "text": "Tekst nummer 0."}]).duplicates) \
            == (4, 1)


def test_stores_that_open_a_new_archive_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    import threading

    from kroniek.store.migrations import MIGRATIONS

    for round_ in range(5):
        path = tmp_path / f"new-{round_}.db"
        start = threading.Barrier(6)
        errors: list[BaseException] = []

        def open_it(path: Path = path, start: threading.Barrier = start, errors: list[BaseException] = errors) -> None:
            start.wait()
            try:
                SQLiteStore(path).close()
            except BaseException as e:  # noqa: BLE001 (collected for the assertion below)
                errors.append(e)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        db = sqlite3.connect(path)
        assert [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY name")] == [m[0] for m in MIGRATIONS]
        db.close()

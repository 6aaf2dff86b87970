"""Reads beside writes in the SQLite store: each reading thread has a connection of its own, so reads never wait
for the writer's connection and never see a transaction that is not committed; a snapshot reads as of one moment,
and an article comes with the annotations of one moment."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from kroniek.errors import ArchiveError
from kroniek.model import STAGES, Analysis, ArticleRow, EntityMention, QuarantineRow, Quote
from kroniek.store import sqlite as sqlite_store
from kroniek.store.sqlite import MAX_IDLE_READERS, SQLiteStore

# A bound on a wait that only a deadlock would reach: the tests never measure how long anything takes.
HANG = 120

TEXT = "Stef Blok sprak met Rusland. “We gaan door”, zei Blok. Daarna sprak Mark Rutte."


def _row(i: int, text: str = TEXT) -> ArticleRow:
    return ArticleRow(id=f"a{i}", content_hash=f"{i:064x}", date=None, source="Krant", url=None, title=None,
                      text=f"{text} ({i})", structure_json="{}", language="nl", meta_json="{}", origin_file=None,
                      origin_line=None)


def _analysis(article_id: str, text: str, names: list[str]) -> Analysis:
    """Mentions of each of `names` where it stands in the text, and one quotation."""
    entities = [EntityMention(text.index(n), text.index(n) + len(n), n, "PER", n) for n in names]
    start = text.index("“") + 1
    return Analysis(id=article_id, date=None, text=text, entities=entities,
                    quotes=[Quote(start, text.index("”"), text[start:text.index("”")], "direct", "zei", names[0],
                                  names[0])])


def test_store_reads_go_on_while_the_writer_holds_a_transaction_open(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    store.insert([_row(1)], [])
    writing, read = threading.Event(), threading.Event()
    seen: list[int] = []
    reader_came: list[bool] = []

    def writer() -> None:
        # what an ingest's batch does, held open until the reader has read
        with store._lock:
            store._db.execute("BEGIN IMMEDIATE")
            store._db.execute("INSERT INTO quarantine (file, line, reason, raw, at) VALUES ('f', 1, 'r', 'x', '')")
            store._db.execute("DELETE FROM articles")
            writing.set()
            reader_came.append(read.wait(HANG))  # False: the reads waited for this transaction to end
            store._db.execute("ROLLBACK")

    t = threading.Thread(target=writer)
    t.start()
    assert writing.wait(HANG)
    # this thread reads while the writer's connection is inside its transaction (and its lock is held)
    seen.extend([store.count(), store.count_quarantined(), len(store.quarantined())])
    assert store.article("a1") is not None
    read.set()
    t.join(HANG)
    assert not t.is_alive() and reader_came == [True]
    assert seen == [1, 0, 0]  # the uncommitted delete and insert were never seen
    store.close()


def test_store_snapshot_reads_as_of_one_moment(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    store.insert([_row(1)], [])
    with store.snapshot():
        assert store.count() == 1
        store.insert([_row(2)], [QuarantineRow("f", 1, "kapot", "x")])  # committed meanwhile
        assert store.count() == 1 and store.count_quarantined() == 0
        assert store.article("a2") is None
        with store.snapshot():  # nested: the same moment
            assert store.count() == 1
    assert store.count() == 2 and store.count_quarantined() == 1 and store.article("a2") is not None
    store.close()


def test_store_article_and_its_annotations_come_from_one_moment(tmp_path: Path) -> None:
    """An analysis committed while an article is read (between the reads of its mentions and its quotations)
    does not reach that article: it has the old annotations, all of them, or (read again) the new ones."""
    store = SQLiteStore(tmp_path / "k.db")
    armed, replaced = threading.Event(), threading.Event()

    def between_reads(statement: str) -> None:
        if armed.is_set() and "FROM quotes" in statement and not replaced.is_set():
            replaced.set()
            store.save_analyses([_analysis("a1", text, ["Mark Rutte", "Blok"])], "v2", STAGES)

    open_reader = store._open_reader

    def traced() -> sqlite3.Connection:
        db = open_reader()
        db.set_trace_callback(between_reads)
        return db

    store._open_reader = traced  # type: ignore[method-assign]
    store.insert([_row(1)], [])
    text = store.article("a1").text  # type: ignore[union-attr]
    store.save_analyses([_analysis("a1", text, ["Stef Blok"])], "v1", STAGES)
    armed.set()
    art = store.article("a1")
    assert replaced.is_set()  # the second analysis was committed in the middle of the read
    assert art is not None
    assert [e["text"] for e in art.entities] == ["Stef Blok"]
    assert [q["speaker"] for q in art.quotes] == ["Stef Blok"] and art.analyses == {s: "v1" for s in STAGES}
    again = store.article("a1")
    assert again is not None and [e["text"] for e in again.entities] == ["Blok", "Mark Rutte"]
    assert [q["speaker"] for q in again.quotes] == ["Mark Rutte"] and again.analyses == {s: "v2" for s in STAGES}
    store.close()


def test_store_threads_read_on_connections_of_their_own(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    store.insert([_row(i) for i in range(50)], [])
    n = MAX_IDLE_READERS + 4
    inside, leave = threading.Barrier(n + 1), threading.Event()
    used: list[int] = []
    counts: list[int] = []

    def reader() -> None:
        # every thread holds a snapshot at the same time: none waits for another's connection
        with store.snapshot():
            counts.append(store.count())
            used.append(id(store._local.db))
            inside.wait(HANG)
            leave.wait(HANG)

    threads = [threading.Thread(target=reader) for _ in range(n)]
    for t in threads:
        t.start()
    inside.wait(HANG)
    store.insert([_row(99)], [])  # the writer commits while every reader holds its snapshot
    leave.set()
    for t in threads:
        t.join(HANG)
    assert counts == [50] * n and len(set(used)) == n
    assert len(store._idle) == MAX_IDLE_READERS  # the others were closed when given back
    assert store.count() == 51
    store.close()
    assert store._idle == []
    with pytest.raises(ArchiveError, match="closed"):
        store.count()


def test_store_in_memory_reads_use_its_one_connection() -> None:
    store = SQLiteStore(":memory:")
    store.insert([_row(1)], [])
    with store.snapshot():
        assert store.count() == 1 and store.article("a1") is not None
    store.save_analyses([_analysis("a1", f"{TEXT} (1)", ["Stef Blok"])], "v1", STAGES)
    assert [q["speaker"] for q in store.export_quotes()] == ["Stef Blok"]
    assert [e["canonical"] for e in store.export_entities(["a1"])] == ["Stef Blok"]
    assert store._idle == []
    store.close()


def test_store_export_streams_read_one_moment_on_a_connection_of_their_own(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """An export reader holds one reading connection from its first fetch to its last, never the writer's lock:
    what the writer commits meanwhile does not reach the stream, its fetches may come from any thread, and the
    connection goes back to the pool when the stream ends or is closed."""
    monkeypatch.setattr(sqlite_store, "_STREAM_ROWS", 2)  # a fetch at a time is two rows
    store = SQLiteStore(tmp_path / "k.db")
    n = 7
    store.insert([_row(i) for i in range(n)], [])
    store.save_analyses([_analysis(f"a{i}", f"{TEXT} ({i})", ["Stef Blok"]) for i in range(n)], "v1", STAGES)
    assert store.count() == n
    idle = len(store._idle)
    assert idle == 1  # the connection that count read on, back in the pool
    stream = store.export_quotes()
    first = [next(stream)]
    assert len(store._idle) == idle - 1  # the stream's connection
    # every quotation is replaced, and the writer then holds a transaction open while the stream goes on
    store.save_analyses([_analysis(f"a{i}", f"{TEXT} ({i})", ["Mark Rutte"]) for i in range(n)], "v2", STAGES)
    rest: list[dict[str, object]] = []
    with store._lock:
        store._db.execute("BEGIN IMMEDIATE")
        store._db.execute("DELETE FROM quotes")
        t = threading.Thread(target=lambda: rest.extend(stream))  # fetched on another thread
        t.start()
        t.join(HANG)
        store._db.execute("ROLLBACK")
    assert not t.is_alive()
    assert [q["speaker"] for q in first + rest] == ["Stef Blok"] * n  # as of the first fetch
    assert len(store._idle) == idle  # given back at its end
    assert [q["speaker"] for q in store.export_quotes()] == ["Mark Rutte"] * n
    left = store.export_timexes()
    assert list(left) == []  # no time expressions: ends at once
    early = store.export_quotes()
    next(early)
    early.close()  # a reader that stops early (a closed pipe)
    assert len(store._idle) == idle
    with store.snapshot():  # inside a snapshot, a stream reads on its connection, as of its moment
        held = store._local.db
        assert [q["speaker"] for q in store.export_quotes(["a1"])] == ["Mark Rutte"]
        assert store._local.db is held
    store.close()


def test_store_read_only_store_reads_what_a_writer_commits_later(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    writer = SQLiteStore(path)
    reader = SQLiteStore(path, readonly=True)
    assert reader.count() == 0
    writer.insert([_row(1)], [])
    assert reader.count() == 1 and reader.article("a1") is not None
    writer.close()
    reader.close()

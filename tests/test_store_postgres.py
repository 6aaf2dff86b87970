"""What only the PostgreSQL store does: its migrations, the change log it keeps for other machines' indexes, two
archives in one database, and opening a new archive from two processes at once (see test_store_contract.py for
what it shares with SQLite)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from pg_support import with_schema

from kroniek.errors import ArchiveError
from kroniek.model import ArticleRow
from kroniek.store.postgres import KEEP_CHANGES_SECONDS, PostgresStore
from kroniek.store.postgres_migrations import MIGRATIONS, migrate

pytestmark = pytest.mark.postgres


def _rows(n: int, start: int = 0) -> list[ArticleRow]:
    return [ArticleRow(id=f"a{i}", content_hash=f"{i:064x}", date=None, source="Krant", url=None, title=None,
                       text=f"Bericht {i}.", structure_json="{}", language="nl", meta_json="{}", origin_file=None,
                       origin_line=None) for i in range(start, start + n)]


def test_postgres_migrations_are_recorded_and_applied_once(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        recorded = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")]
        assert recorded == [name for name, _ in MIGRATIONS]
        assert migrate(conn) == []  # nothing left to apply
    store = PostgresStore(pg_url)  # opening again migrates nothing and keeps what is stored
    store.insert(_rows(2), [])
    store.close()
    again = PostgresStore(pg_url)
    assert again.count() == 2
    again.close()


def test_postgres_two_processes_opening_a_new_archive_at_once_both_get_it(pg_url: str) -> None:
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        try:
            start.wait(30)
            opened.append(PostgresStore(pg_url))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(opened) == 4
    opened[0].insert(_rows(1), [])
    assert {s.count() for s in opened} == {1}
    for s in opened:
        s.close()


def test_postgres_change_log_is_kept_a_week_for_the_indexes_of_other_machines(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    assert store.keep_changes == KEEP_CHANGES_SECONDS == 7 * 24 * 3600
    store.insert(_rows(3), [])
    top = store.last_change()
    store.forget_changes(top)  # young entries stay
    assert [a for _, a in store.changes_after(0)] == ["a0", "a1", "a2"] and store.forgotten_changes() == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:  # two of them are eight days old
        conn.execute("UPDATE changes SET at = %s WHERE article_id IN ('a0', 'a1')",
                     (datetime.now(UTC) - timedelta(days=8),))
    store.forget_changes(top)
    assert [a for _, a in store.changes_after(0)] == ["a2"]
    assert store.forgotten_changes() == top - 1  # an index below it can no longer catch up from the log
    store.close()


def test_postgres_two_archives_in_one_database_each_have_their_tables_and_lock(postgres: str) -> None:
    one = PostgresStore(with_schema(postgres, "archief_een"))
    two = PostgresStore(with_schema(postgres, "archief_twee"))
    try:
        one.insert(_rows(2), [])
        assert (one.count(), two.count()) == (2, 0)
        with one.writer_lock(wait=False) as first, two.writer_lock(wait=False) as second:
            assert first and second
    finally:
        one.close()
        two.close()


def test_postgres_database_not_encoded_in_utf8_is_refused(postgres: str) -> None:
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute("CREATE DATABASE latijn ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    url = postgres.rsplit("/", 1)[0] + "/latijn"
    with pytest.raises(ArchiveError, match="encoded in LATIN1"):
        PostgresStore(url)


def test_postgres_missing_database_is_an_archive_error_with_a_hint(postgres: str) -> None:
    with pytest.raises(ArchiveError, match="cannot connect to the archive") as info:
        PostgresStore(postgres.rsplit("/", 1)[0] + "/bestaat_niet")
    assert info.value.hint and "database" in info.value.hint


def test_postgres_dropped_connections_are_opened_again(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    store.insert(_rows(2), [])
    assert store.count() == 2  # a reading connection is now idle in the pool
    pids = [store._db.info.backend_pid, *(c.info.backend_pid for c in store._idle)]
    assert len(pids) >= 2
    with psycopg.connect(pg_url, autocommit=True) as admin:  # as a server restart or an idle timeout would
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(1000):  # until the server has ended those sessions
            if admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone() is None:
                break
            time.sleep(0.01)
    assert store.count() == 2  # the read opens a new connection
    store.insert(_rows(1, start=5), [])  # and so does the write
    assert store.count() == 3 and store._db.info.backend_pid not in pids
    store.close()


def test_postgres_reads_go_on_while_the_writer_holds_a_transaction_open(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    store.insert(_rows(2), [])
    with store._lock, store._db.transaction():  # what an ingest's batch does, not committed yet
        store._db.execute("DELETE FROM articles")
        # reads are on connections of their own: they go on, and see only what is committed
        assert store.count() == 2 and [a.id for a in store.articles()] == ["a0", "a1"]
        raise psycopg.Rollback()  # and the writer's transaction is rolled back
    assert store.count() == 2
    store.close()


def test_postgres_snapshot_reads_as_of_one_moment(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    store.insert(_rows(1), [])
    with store.snapshot():
        assert store.count() == 1
        store.insert(_rows(1, start=7), [])  # committed by the writer meanwhile
        assert store.count() == 1 and store.article("a7") is None
    assert store.count() == 2 and store.article("a7") is not None
    store.close()

"""Crash safety: what a killed writer leaves behind is whole, nothing committed is lost, and search catches up.

The store commits a batch at a time and logs each change; the search index catches up from that log at the end of a
write or at the next search, and records, as its checkpoint, the last position of the log it holds. The fast tests below put the archive in the states a kill leaves
(stored but not indexed, an index that belongs to another file, a second writer); the slow ones kill
`kroniek ingest` with SIGKILL at random points, twenty times over, and check the archive after each kill.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import writer_lock_held_elsewhere

from kroniek.archive import Archive
from kroniek.ingest.batches import content_hash
from kroniek.model import ArticleRow
from kroniek.store.locks import FileWriterLock

WORDS = ("het kabinet wil de nieuwe wet snel invoeren maar de Tweede Kamer twijfelt nog over de kosten van het "
         "plan en de gevolgen voor gemeenten en provincies in het noorden en zuiden van het land").split()


def _row(i: int, text: str) -> ArticleRow:
    h = content_hash(text)
    return ArticleRow(id=f"r{i}", content_hash=h, date=None, source=None, url=None, title=None, text=text,
                      structure_json='{"paragraphs": [], "title": null, "lede": null, "subheadings": [], '
                                     '"references": []}',
                      language="nl", meta_json="{}", origin_file=None, origin_line=None)


def _write_corpus(path: Path, n: int, words: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            body = " ".join(rng.choice(WORDS) for _ in range(words))
            f.write(f"date 2019-{i % 12 + 1:02d}-{i % 28 + 1:02d} De minister sprak over bericht {i}. {body}.\n\n")


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kroniek.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "200"})


def _hits(archive: Path, query: str) -> int:
    done = _cli("search", query, "--archive", str(archive), "--json", "--limit", "1")
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["total"])


def _check_whole(db: Path) -> tuple[int, int]:
    """The archive after a kill: not corrupt, no article twice; returns (articles, analysed articles)."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n, hashes, ids = con.execute(
            "SELECT count(*), count(DISTINCT content_hash), count(DISTINCT id) FROM articles").fetchone()
        assert n == hashes == ids
        analysed = con.execute("SELECT count(DISTINCT article_id) FROM analyses").fetchone()[0]
        # an analysis is stored whole or not at all: every analysed article has all three stages
        partial = con.execute("SELECT count(*) FROM (SELECT article_id FROM analyses GROUP BY article_id "
                              "HAVING count(*) != 3)").fetchone()[0]
        assert partial == 0
        return int(n), int(analysed)
    finally:
        con.close()


# --- the states a kill leaves, made directly --------------------------------------------------------------------

def test_articles_stored_but_not_indexed_are_caught_up_when_the_index_opens(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with Archive.open(db) as archive:
        archive.ingest([{"text": "De minister kwam.", "date": "2019-01-01"}])
        # a writer that died after its store commit and before its index commit leaves exactly this
        archive.store.insert([_row(i, f"De minister ging weg, bericht {i}.") for i in range(5)], [])
    notices: list[str] = []
    with Archive.open(db, readonly=True) as archive:
        archive.on_notice = notices.append
        assert archive.search("minister").total == 6
        assert archive.index.checkpoint == archive.store.last_change()
    assert any("caught up: 5" in n for n in notices)
    with Archive.open(db) as archive:  # caught up once: nothing more to do
        assert archive.catch_up_index() == 0


def test_reanalysed_articles_not_indexed_are_caught_up(tmp_path: Path) -> None:
    from kroniek.model import Analysis, EntityMention

    db = tmp_path / "k.db"
    with Archive.open(db) as archive:
        aid = archive.ingest([{"text": "Stef Blok sprak in Den Haag.", "date": "2019-01-01"}]).new_ids[0]
        article = archive.get_article(aid)
        analysis = Analysis(id=aid, text=article.text, date=article.date, structure=article.structure,
                            entities=[EntityMention(0, 9, "Stef Blok", "PER", "Stef Blok")])
        archive.store.save_analyses([analysis], "test", ["entities"])  # stored, the index not told
    with Archive.open(db) as archive:
        assert archive.search('person:"Stef Blok"').total == 1


def test_an_index_ahead_of_its_store_is_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with Archive.open(db) as archive:
        archive.ingest([{"text": f"Bericht {i} over de minister.", "date": "2019-01-01"} for i in range(3)])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with Archive.open(db) as archive:  # a new archive file beside the old index
        archive.ingest([{"text": "Een ander bericht, zonder dat woord.", "date": "2019-01-01"}])
        assert archive.search("minister").total == 0
        assert archive.search("bericht").total == 1


def test_forgotten_changes_are_not_needed_again(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with Archive.open(db) as archive:
        archive.ingest([{"text": f"Bericht {i}.", "date": "2019-01-01"} for i in range(10)])
        assert archive.store.changes_after(0) == []  # the index holds them: the log is emptied
        assert archive.store.last_change() == 10  # and its numbers go on


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    Archive.open(db).close()
    with writer_lock_held_elsewhere(db, 1.5):
        assert FileWriterLock(Path(f"{db}.lock")).held_elsewhere()
        notices: list[str] = []
        started = time.monotonic()
        with Archive.open(db) as archive:
            archive.on_notice = notices.append
            report = archive.ingest([{"text": "Na het wachten.", "date": "2019-01-01"}])
        assert report.new == 1 and time.monotonic() - started > 0.5
        assert any("waiting" in n for n in notices)


def test_a_writer_that_cannot_wait_longer_stops_with_a_clear_error(tmp_path: Path) -> None:
    from kroniek.errors import ArchiveError
    from kroniek.settings import CoreSettings

    db = tmp_path / "k.db"
    other = FileWriterLock(Path(f"{db}.lock"))
    with Archive.open(db, settings=CoreSettings(writer_wait=0.2)) as archive:
        archive.on_notice = lambda _: None
        with other.hold():  # another writer in the same process holds it (threads take turns; this is a test)
            import threading

            failure: list[BaseException] = []

            def ingest() -> None:
                try:
                    archive.ingest([{"text": "Te laat.", "date": "2019-01-01"}])
                except ArchiveError as e:
                    failure.append(e)

            t = threading.Thread(target=ingest)
            t.start()
            t.join(timeout=30)
        assert failure and "busy" in str(failure[0])
        assert archive.count() == 0


# --- SIGKILL at random points -----------------------------------------------------------------------------------

def _kill_rounds(db: Path, corpus: Path, rounds: int, delay: tuple[float, float], extra: list[str],
                 seed: int) -> list[str]:
    """Start `kroniek ingest` and SIGKILL it after a random delay, `rounds` times; check the archive each time.
    Returns what each run printed on standard error."""
    rng = random.Random(seed)
    stored, analysed, said = 0, 0, []
    for r in range(rounds):
        proc = subprocess.Popen([sys.executable, "-m", "kroniek.cli", "ingest", str(corpus), "--archive", str(db),
                                 "-q", *extra, *(["--workers", "1"] if r % 2 else [])],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            proc.wait(timeout=rng.uniform(*delay))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        _, stderr = proc.communicate(timeout=60)
        said.append(stderr)
        if db.exists():
            now, now_analysed = _check_whole(db)
            assert now >= stored, f"round {r}: {stored - now} committed articles lost"
            assert now_analysed >= analysed
            stored, analysed = now, now_analysed
    return said


@pytest.mark.slow
def test_sigkill_during_ingest_without_analysis_loses_nothing_and_search_agrees(tmp_path: Path) -> None:
    corpus, db = tmp_path / "nieuws.txt", tmp_path / "k.db"
    n = 30_000
    _write_corpus(corpus, n, words=30, seed=7)
    _kill_rounds(db, corpus, rounds=20, delay=(0.3, 2.5), extra=["--no-analyze"], seed=11)
    # the killed runs left their articles in the store's change log: the next search indexes them first
    assert _hits(db, "minister") == _check_whole(db)[0]
    final = _cli("ingest", str(corpus), "--archive", str(db), "--no-analyze", "-q")
    assert final.returncode == 0, final.stderr
    assert _check_whole(db)[0] == n
    assert _hits(db, "minister") == n
    again = _cli("ingest", str(corpus), "--archive", str(db), "--no-analyze", "-q")
    assert f"0 new, {n} duplicates" in again.stdout


@pytest.mark.slow
def test_sigkill_during_ingest_with_analysis_finishes_on_rerun_and_index_has_annotations(tmp_path: Path) -> None:
    corpus, db = tmp_path / "nieuws.txt", tmp_path / "k.db"
    n = 300
    rng = random.Random(3)
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(n):
            body = " ".join(rng.choice(WORDS) for _ in range(25))
            f.write(f'date 2019-{i % 12 + 1:02d}-01 "We gaan door met bericht {i}," zei minister Mark Rutte '
                    f"vorige week in Den Haag. {body}.\n\n")
    _kill_rounds(db, corpus, rounds=20, delay=(1.0, 7.0), extra=[], seed=5)
    final = _cli("ingest", str(corpus), "--archive", str(db), "-q")
    assert final.returncode == 0, final.stderr
    assert _check_whole(db) == (n, n)  # every article stored once and analysed
    con = sqlite3.connect(db)
    quoted = con.execute("SELECT count(DISTINCT article_id) FROM quotes WHERE speaker = 'Mark Rutte'").fetchone()[0]
    con.close()
    assert quoted > 0
    assert _hits(db, "minister") == n
    assert _hits(db, 'speaker:"Mark Rutte"') == quoted  # the index holds the stored annotations

"""The search index after a write: a small write leaves it up to date; a large one leaves the indexing to the next
search or `kroniek index`, which wait for it, and the references of what came in are resolved then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kroniek.archive import Archive
from kroniek.cli import cli
from kroniek.settings import CoreSettings


def _articles(n: int, start: int = 0) -> list[dict[str, str]]:
    return [{"id": f"a{i}", "date": f"2019-{i % 12 + 1:02d}-01", "text": f"De minister sprak over bericht {i}."}
            for i in range(start, start + n)]


def _open(db: Path, defer_above: int, notices: list[str] | None = None) -> Archive:
    archive = Archive.open(db, settings=CoreSettings(archive=db, index_defer_above=defer_above))
    archive.on_notice = (notices.append if notices is not None else lambda _: None)
    return archive


def test_a_write_within_the_limit_is_searchable_when_it_returns(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with _open(db, defer_above=50) as archive:
        archive.ingest(_articles(20))
        assert archive._index is not None, "the ingest indexed before it returned"
        assert archive.index.checkpoint == archive.store.last_change()
        assert archive.store.changes_after(0) == []  # and the log of what it indexed is emptied
        assert archive.search("minister").total == 20


def test_a_larger_write_leaves_the_index_to_the_next_search(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    notices: list[str] = []
    with _open(db, defer_above=10, notices=notices) as archive:
        archive.ingest(_articles(5))  # within the limit: indexed
        archive.ingest(_articles(30, start=5))
        assert archive.index.refresh_checkpoint() < archive.store.last_change()
        assert len(archive.store.changes_after(0, limit=100)) == 30  # kept for the index until it holds them
        assert any("next search" in n and "kroniek index" in n for n in notices)
    # another process (here: another archive object) searches: it waits for the index to catch up first
    notices.clear()
    with _open(db, defer_above=10, notices=notices) as archive:
        assert archive.search("minister").total == 35
        assert archive.index.checkpoint == archive.store.last_change()
        assert any("caught up: 30" in n for n in notices)


def test_an_archive_whose_first_write_was_large_builds_its_index_at_the_first_search(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with _open(db, defer_above=10) as archive:
        archive.ingest(_articles(25))
    assert not Path(f"{db}.index").exists()  # nothing was indexed yet
    with _open(db, defer_above=10) as archive:
        assert archive.search("bericht").total == 25
        assert archive.search('"bericht 24"').total == 1


def test_references_of_a_deferred_write_are_resolved_when_the_index_catches_up(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    title = "Nieuwe regels voor de visserij"
    target = {"id": "t", "date": "2019-01-01", "title": title, "text": f"{title}\n\nDe regels gaan in per maart."}
    sources = [{"id": f"s{i}", "date": "2019-02-01", "title": f"Vissers boos {i}",
                "text": f"Vissers boos {i}\n\nDe vissers zijn boos.\n\nLees ook: {title}\n\nEinde."}
               for i in range(12)]
    with _open(db, defer_above=10) as archive:
        archive.ingest([target, *sources])
        assert archive.store.links_to("t") == []  # not resolved yet: that needs the index
        assert archive.catch_up_index() == 13
        assert sorted(x.source_id for x in archive.store.links_to("t", 50)) == sorted(f"s{i}" for i in range(12))


def test_a_reference_waiting_for_its_target_is_resolved_by_a_later_deferred_write(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    title = "Het nieuwe stadhuis gaat open"
    source = {"id": "s", "date": "2019-03-01", "title": "Feest in de stad",
              "text": f"Feest in de stad\n\nEr was een feest.\n\nLees ook: {title}\n\nEinde."}
    with _open(db, defer_above=10) as archive:
        archive.ingest([source])  # indexed, its reference tried: no target yet
        assert [x.target_id for x in archive.store.links_from("s")] == [None]
        later = [{"id": "t", "date": "2019-02-01", "title": title, "text": f"{title}\n\nHet stadhuis is klaar."},
                 *_articles(15)]
        archive.ingest(later)  # deferred
        assert [x.target_id for x in archive.store.links_from("s")] == [None]
        archive.catch_up_index()
        assert [x.target_id for x in archive.store.links_from("s")] == ["t"]


def test_ingest_and_analysis_index_once_at_the_end(tmp_path: Path) -> None:
    """Ingest then analysis: the index is caught up once, after the analysis, from the store's change log."""
    db = tmp_path / "k.db"
    with _open(db, defer_above=1000) as archive:
        added: list[int] = []
        original = Archive._catch_up

        def counting(self: Archive, index: object, *args: object, **kwargs: object) -> int:
            done = original(self, index, *args, **kwargs)  # type: ignore[arg-type]
            added.append(done)
            return done

        Archive._catch_up = counting  # type: ignore[method-assign]
        try:
            report = archive.ingest_and_analyze([{"id": "x", "date": "2019-01-01",
                                                 "text": "Minister Stef Blok sprak in Den Haag."}])
        finally:
            Archive._catch_up = original  # type: ignore[method-assign]
        assert report.new == 1
        assert archive.search("minister").total == 1
        if report.analysed:  # with the shipped model, the index holds the annotations of that one pass
            assert archive.search('entity:"Den Haag"').total == 1
    assert len(added) <= 1


def _kroniek(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kroniek.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})


def test_cli_ingest_leaves_a_large_import_to_kroniek_index(tmp_path: Path) -> None:
    db, src = tmp_path / "k.db", tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in _articles(10_050)), encoding="utf-8")
    done = _kroniek("ingest", str(src), "--archive", str(db), "--no-analyze", "-q")
    assert done.returncode == 0, done.stderr
    assert "kroniek index" in done.stderr
    indexed = _kroniek("index", "--archive", str(db), "-q")
    assert indexed.returncode == 0, indexed.stderr
    assert "indexed 10,050 articles" in indexed.stdout
    again = _kroniek("index", "--archive", str(db), "-q")
    assert "nothing to index" in again.stdout
    with Archive.open(db) as archive:
        assert archive.index.checkpoint == archive.store.last_change()
        assert archive.search("minister", limit=1).total == 10_050


def test_cli_ingest_index_now_indexes_whatever_the_size(tmp_path: Path) -> None:
    db, src = tmp_path / "k.db", tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in _articles(10_050)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--archive", str(db), "--no-analyze", "-q",
                                      "--index-now"])
    assert result.exit_code == 0, result.output
    assert "kroniek index" not in result.output
    with Archive.open(db) as archive:
        assert archive.index.checkpoint == archive.store.last_change()


def test_a_read_only_reader_builds_the_index_and_leaves_the_references_untried(tmp_path: Path) -> None:
    """`kroniek serve` opens an archive read-only: after a large ingest it indexes for its first search, but stores
    no links; an article's page still resolves its references as it shows them."""
    db = tmp_path / "k.db"
    title = "Nieuwe regels voor de visserij"
    target = {"id": "t", "date": "2019-01-01", "title": title, "text": f"{title}\n\nDe regels gaan in per maart."}
    source = {"id": "s", "date": "2019-02-01", "title": "Vissers boos",
              "text": f"Vissers boos\n\nDe vissers zijn boos.\n\nLees ook: {title}\n\nEinde."}
    with _open(db, defer_above=10) as archive:
        archive.ingest([target, source, *_articles(12)])
    reader = Archive.open(db, readonly=True, settings=CoreSettings(archive=db, index_defer_above=10))
    reader.on_notice = lambda _: None
    with reader:
        assert reader.search("minister").total == 12
        assert [x.tried for x in reader.store.links_from("s")] == [False]
        art = reader.get_article("s")
        assert [t.id for t in art.reference_targets.values()] == ["t"]

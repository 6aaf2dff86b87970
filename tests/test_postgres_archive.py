"""A PostgreSQL archive end to end: the command line against a real server, the same answers as a SQLite archive of
the same input, where its search index lives, and several machines (each with its own index) writing to one
database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ALPINO_JSONL, ROOT, SEED

from kroniek.archive import Archive, index_path
from kroniek.cli import EXIT_ERROR, EXIT_QUARANTINED, cli
from kroniek.errors import ArchiveError
from kroniek.settings import CoreSettings

pytestmark = pytest.mark.postgres


def kroniek(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """The `kroniek` command in a process of its own."""
    return subprocess.run([sys.executable, "-m", "kroniek.cli", *args], capture_output=True, text=True, input=input,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=300)


def test_postgres_cli_ingest_search_show(pg_url: str, tmp_path: Path, shared: Path) -> None:
    index = tmp_path / "index"
    first = kroniek("ingest", str(ALPINO_JSONL), "--no-analyze", "--archive", pg_url, "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert "54 new, 0 duplicates, 0 quarantined" in first.stdout
    assert any(index.iterdir())
    again = kroniek("ingest", str(ALPINO_JSONL), "--no-analyze", "--archive", pg_url, "--index", str(index))
    assert again.returncode == 0 and "0 new, 54 duplicates" in again.stdout
    # the archive and the index also come from the environment
    env = {"KRONIEK_ARCHIVE": pg_url, "KRONIEK_INDEX": str(index)}
    found = kroniek("search", "Alebeek", "--json", env=env)
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result["total"] >= 1 and result["hits"][0]["id"] == "WR-P-P-H-0000000105"
    shown = kroniek("show", "WR-P-P-H-0000000105", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Mijn basisniveau is flink omhoog gegaan" in shown.stdout and "2001-06-15 (day)" in shown.stdout
    as_json = json.loads(kroniek("show", "WR-P-P-H-0000000105", "--json", env=env).stdout)
    assert as_json["date"] == "2001-06-15" and as_json["text"].startswith(",,Mijn basisniveau")
    stats = json.loads(kroniek("stats", "--json", env=env).stdout)
    assert stats["articles"] == 54
    missing = kroniek("show", "nee", env=env)
    assert missing.returncode == EXIT_ERROR and "no article with id 'nee'" in missing.stderr
    bad = kroniek("ingest", "-", "--no-analyze", env=env, input="date 2019-13 Een onmogelijke maand.\n")
    assert bad.returncode == EXIT_QUARANTINED and "1 quarantined" in bad.stdout
    listed = kroniek("quarantine", "--json", env=env)
    assert json.loads(listed.stdout.splitlines()[0])["raw"].startswith("date 2019-13")


def test_postgres_cli_says_what_is_wrong_with_a_server_that_is_not_there(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["stats", "--archive", "postgresql://kroniek:geheim@127.0.0.1:1/nergens",
                                   "--index", str(tmp_path / "i")])
    assert res.exit_code == EXIT_ERROR
    assert "cannot connect to the archive postgresql://kroniek:***@127.0.0.1:1/nergens" in res.output
    assert "geheim" not in res.output and "Traceback" not in res.output


def test_postgres_read_only_open_of_an_empty_database_is_an_archive_error(pg_url: str) -> None:
    with pytest.raises(ArchiveError, match="holds no Kroniek archive"):
        Archive.open(pg_url, readonly=True)


def _answers(archive: str, index: Path) -> dict[str, Any]:
    """What the reading commands answer, as JSON (one document, or JSON lines)."""
    runner = CliRunner()

    def run(*args: str, lines: bool = False) -> Any:
        res = runner.invoke(cli, [*args, "--archive", archive, "--index", str(index)])
        assert res.exit_code == 0, res.output
        if lines:
            return [json.loads(line) for line in res.stdout.splitlines()]
        try:
            return json.loads(res.stdout)
        except ValueError:
            return [json.loads(line) for line in res.stdout.splitlines()]

    exported = [{k: v for k, v in r.items() if k != "ingested_at"} for r in run("export", lines=True)]
    article = run("show", exported[0]["id"], "--json")
    article.pop("ingested_at")
    return {"show": article, "stats": run("stats", "--json"), "search": run("search", "Rusland", "--json"),
            "quotes": run("quotes", "--json", lines=True), "speakers": run("speakers", "--json"),
            "timeline": run("timeline", "--json"), "entities": run("entities", "--json"),
            "entity": run("entity", "Stef Blok", "--json"), "export": exported,
            "stories": run("stories", "--min-size", "1", "--json", lines=True),
            "story": run("story", exported[0]["id"], "--json")}


@pytest.mark.slow
def test_postgres_and_sqlite_archives_of_the_same_input_give_the_same_answers(pg_url: str, tmp_path: Path,
                                                                             shared: Path) -> None:
    answers = []
    for archive, index in ((str(tmp_path / "k.db"), tmp_path / "k.db.index"), (pg_url, tmp_path / "pg.index")):
        res = CliRunner().invoke(cli, ["ingest", str(SEED), "--archive", archive, "--index", str(index), "-q"])
        assert res.exit_code == 0, res.output
        answers.append(_answers(archive, index))
    sqlite, postgres = answers
    assert postgres["show"]["analyses"] and postgres["quotes"], "the seed article was analysed"
    assert postgres["show"]["story_id"] and postgres["stories"], "and put in a story"
    assert (tmp_path / "pg.index.stories").is_file()  # the story detector's state, per machine beside its index
    for key in sqlite:
        assert postgres[key] == sqlite[key], key


def test_postgres_index_lives_in_the_data_folder_keyed_by_the_database(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    indexes = tmp_path / "data" / "kroniek" / "indexes"
    assert index_path("postgresql://k@db.example.org/kroniek") == indexes / "db.example.org-5432-kroniek.index"
    assert index_path("postgresql://k:pw@10.0.0.5:6543/nieuws?options=-csearch_path%3Darchief") == \
        indexes / "10.0.0.5-6543-nieuws-archief.index"
    assert index_path(tmp_path / "k.db") == tmp_path / "k.db.index"  # a SQLite file's stays beside it
    monkeypatch.setenv("KRONIEK_INDEX", str(tmp_path / "elders"))
    assert CoreSettings().index == tmp_path / "elders"


def test_postgres_archive_opens_its_index_in_the_data_folder(pg_url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("KRONIEK_INDEX", raising=False)
    with Archive.open(pg_url) as archive:
        archive.ingest([{"id": "p1", "date": "2020-03-01", "text": "De burgemeester opent de nieuwe brug."}])
        assert archive.search("brug").total == 1
    made = list((tmp_path / "data" / "kroniek" / "indexes").iterdir())
    assert [p.name for p in made] == [index_path(pg_url).name]  # type: ignore[union-attr]
    assert made[0].name.startswith("127.0.0.1-") and made[0].name.endswith(".index")


def _machine(url: str, index: Path, keep_changes: float | None = None) -> Archive:
    """An archive as one machine opens it: the shared database, an index folder of its own."""
    if keep_changes is None:
        return Archive.open(url, settings=CoreSettings(index=index))
    from kroniek.store.postgres import PostgresStore

    return Archive(PostgresStore(url, keep_changes=keep_changes), CoreSettings(archive=url, index=index))


def _articles(prefix: str, n: int, word: str) -> list[dict[str, str]]:
    return [{"id": f"{prefix}{i}", "date": "2021-06-01", "text": f"Bericht {prefix} {i} over de {word}."}
            for i in range(n)]


def test_postgres_machines_with_their_own_index_each_see_what_the_others_wrote(pg_url: str, tmp_path: Path) -> None:
    one, two = _machine(pg_url, tmp_path / "one"), _machine(pg_url, tmp_path / "two")
    try:
        one.ingest(_articles("a", 3, "dijk"))
        assert two.search("dijk").total == 3  # its index is built from the database when it is first opened
        one.ingest(_articles("b", 2, "sluis"))
        # two's index is open and behind: taking the writer lock for its own ingest first catches it up, so that
        # the checkpoint it then records is true
        two.ingest(_articles("c", 1, "gemaal"))
        assert two.index.checkpoint == two.store.last_change()
        assert (two.search("sluis").total, two.search("gemaal").total) == (2, 1)
        assert (one.search("dijk").total, one.search("sluis").total) == (3, 2)
    finally:
        one.close()
        two.close()
    # the log is kept (younger than a week) for any index that is further behind
    again = _machine(pg_url, tmp_path / "one")
    try:
        assert again.search("gemaal").total == 1  # caught up from the log when opened
        assert again.store.forgotten_changes() == 0
    finally:
        again.close()


def test_postgres_an_index_behind_what_the_log_still_holds_is_rebuilt(pg_url: str, tmp_path: Path) -> None:
    notices: list[str] = []
    one = _machine(pg_url, tmp_path / "one", keep_changes=0)
    two = _machine(pg_url, tmp_path / "two", keep_changes=0)
    two.on_notice = notices.append
    try:
        one.ingest(_articles("a", 2, "dijk"))
        assert two.search("dijk").total == 2
        two.close()
        one.ingest(_articles("b", 3, "sluis"))  # then forgets the log: its own index holds it all
        assert one.store.changes_after(0) == [] and one.store.forgotten_changes() == one.store.last_change()
    finally:
        one.close()
    two = _machine(pg_url, tmp_path / "two", keep_changes=0)
    two.on_notice = notices.append
    try:
        assert two.search("sluis").total == 3 and two.search("dijk").total == 2
        assert any("rebuilding it from the store" in n for n in notices)
    finally:
        two.close()


def test_postgres_server_ingests_searches_and_serves_articles(pg_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kroniek.server.app import create_app
    from kroniek.server.settings import Settings

    token = "pg-token-0123456789abcdef"
    settings = Settings.from_env(pg_url, token=token, index_path=tmp_path / "index")
    assert settings.archive_path == pg_url  # a URL stays a URL
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        payload = {"articles": [{"id": "s1", "text": "De havenmeester opent de sluis bij Terneuzen.",
                                 "date": "2022-04-01", "source": "Zeeuwse Krant"}]}
        added = client.post("/api/ingest", json=payload, headers={"Authorization": f"Bearer {token}"}).json()
        assert added["new"] == 1, added
        found = client.get("/api/search", params={"q": "havenmeester"}).json()
        assert [h["id"] for h in found["hits"]] == ["s1"]
        article = client.get("/api/articles/s1").json()
        assert article["source"] == "Zeeuwse Krant" and article["date"] == "2022-04-01"
        assert client.get("/api/health").json()["articles"] == 1
    assert any((tmp_path / "index").iterdir())


def test_postgres_a_long_running_reader_keeps_up_with_a_writer_elsewhere(pg_url: str, tmp_path: Path) -> None:
    writer = _machine(pg_url, tmp_path / "writer")
    writer.ingest(_articles("a", 2, "dijk"))
    # a server on another machine: read-only, its own index, looking at every search whether the store moved on
    reader = Archive.open(pg_url, readonly=True, settings=CoreSettings(index=tmp_path / "reader",
                                                                       index_follow_seconds=0))
    still = Archive.open(pg_url, readonly=True, settings=CoreSettings(index=tmp_path / "still",
                                                                      index_follow_seconds=3600))
    try:
        assert reader.search("dijk").total == 2 and still.search("dijk").total == 2
        writer.ingest(_articles("b", 3, "sluis"))
        assert reader.search("sluis").total == 3
        assert list(reader.search_ids("dijk")) and reader.index.checkpoint == writer.store.last_change()
        assert still.search("sluis").total == 0  # it looks again only after its hour
    finally:
        for a in (writer, reader, still):
            a.close()


@pytest.mark.slow
def test_postgres_load_of_a_batch_output_gives_the_answers_of_a_sqlite_load(pg_url: str, tmp_path: Path,
                                                                           shared: Path) -> None:
    pytest.importorskip("pyarrow", reason="kroniek load reads Parquet: pip install -e '.[spark]'")
    out = tmp_path / "analysed"
    made = CliRunner().invoke(cli, ["batch", "analyze", str(SEED), str(out), "--engine", "local"])
    assert made.exit_code == 0, made.output
    answers = []
    for archive, index in ((str(tmp_path / "k.db"), tmp_path / "k.db.index"), (pg_url, tmp_path / "pg.index")):
        for _ in range(2):  # loading the same output twice changes nothing
            res = CliRunner().invoke(cli, ["load", str(out), "--archive", archive, "--index", str(index)])
            assert res.exit_code == 0, res.output
        answers.append(_answers(archive, index))
    sqlite, postgres = answers
    assert postgres["show"]["analyses"] and postgres["stats"]["articles"] == 1
    for key in sqlite:
        assert postgres[key] == sqlite[key], key

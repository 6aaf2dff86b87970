"""Readers beside writers, in real processes: `kroniek serve` answers while `kroniek ingest` writes to the same
archive, and two `kroniek ingest` runs into one archive at once both finish with every article once.

The server is polled from several threads throughout the ingests. Every answer must be a 200 (never "database is
locked"), every article it returns must be whole (its annotations those of no analysis or of its final one, never
a part), every hit must open, and no count may go down between one answer and the next.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from conftest import serving

from kroniek.server.settings import TOKEN_ENV

WORDS = ("het kabinet wil de nieuwe wet snel invoeren maar de Tweede Kamer twijfelt nog over de kosten van het "
         "plan en de gevolgen voor gemeenten en provincies in het noorden en zuiden van het land").split()
SPEAKER = 'speaker:"Mark Rutte"'


def _corpus(path: Path, numbers: range) -> None:
    """Dated articles, each with a quotation of Mark Rutte, a place and a time expression; article i has the same
    text in every file."""
    with path.open("w", encoding="utf-8") as f:
        for i in numbers:
            rng = random.Random(i)
            body = " ".join(rng.choice(WORDS) for _ in range(25))
            f.write(f'date 2019-{i % 12 + 1:02d}-01 "We gaan door met bericht {i}," zei minister Mark Rutte '
                    f"vorige week in Den Haag. {body}.\n\n")


def _ingest(archive: Path, corpus: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kroniek.cli", "ingest", str(corpus), "--archive", str(archive),
                           "-q"], capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})


# What entity resolution may change in an article's annotations after its analysis: which archive entity its
# mentions and speakers belong to, and so their names and labels.
_RESOLVED = {"entities": ("canonical", "label", "entity_id"), "quotes": ("speaker", "speaker_entity_id")}


def _state(article: dict[str, Any]) -> str:
    """An article's annotations as one comparable value (as its analysis gave them, whatever entity resolution
    did with its names after it)."""
    state = {k: article[k] for k in ("analyses", "entities", "quotes", "timexes")}
    for group, fields in _RESOLVED.items():
        state[group] = [{k: v for k, v in a.items() if k not in fields} for a in state[group]]
    return json.dumps(state, sort_keys=True)


def _whole(article: dict[str, Any]) -> str | None:
    """What is wrong with an article as the server gave it, or None."""
    text = article["text"]
    if "bericht" not in text:
        return "no text"
    for group in ("entities", "quotes", "timexes"):
        for a in article[group]:
            if text[a["start"]:a["end"]] != a["text"]:
                return f"a {group} offset that does not match the text"
    stages = set(article["analyses"])
    if stages not in (set(), {"entities", "quotes", "timexes"}):
        return f"analysed by halves: {sorted(stages)}"
    if not stages and (article["entities"] or article["quotes"] or article["timexes"]):
        return "annotations without an analysis"
    return None


def _get(base: str, path: str, failures: list[str]) -> Any:
    """The JSON of a 200 answer; anything else is noted in `failures` (and gives None)."""
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            body = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read().decode(errors="replace"), e.code
    except OSError as e:
        failures.append(f"{path}: {e}")
        return None
    if status != 200 or "locked" in body:
        failures.append(f"{path}: {status} {body[:300]}")
        return None
    return json.loads(body)


class Poller(threading.Thread):
    """Asks the server for searches, the articles they hit, the entities and the timeline, round after round,
    until told to stop; notes every failure and every article state it saw."""

    def __init__(self, port: int, stop: threading.Event, failures: list[str],
                 seen: dict[str, set[str]], lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.base = f"http://127.0.0.1:{port}"
        self.stop, self.failures, self.seen, self.lock = stop, failures, seen, lock
        self.last: dict[str, int] = {}
        self.totals: dict[str, set[int]] = {}
        self.rounds = self.requests = 0

    def get(self, path: str) -> Any:
        self.requests += 1
        return _get(self.base, path, self.failures)

    def never_less(self, name: str, total: int) -> None:
        if total < self.last.get(name, 0):
            self.failures.append(f"{name}: {total} after {self.last[name]}")
        self.last[name] = total
        self.totals.setdefault(name, set()).add(total)

    def run(self) -> None:
        while True:
            last_round = self.stop.is_set()  # one more whole round after the writers finished
            for name, query in (("minister", "minister"), ("speaker", SPEAKER)):
                found = self.get("/api/search?" + urlencode({"q": query, "limit": 5, "sort": "date",
                                                             "facets": "false"}))
                if found is None:
                    continue
                self.never_less(name, found["total"])
                for hit in found["hits"]:
                    article = self.get("/api/articles/" + quote(hit["id"], safe=""))
                    if article is None:
                        continue
                    problem = _whole(article)
                    if problem:
                        self.failures.append(f"article {hit['id']}: {problem}")
                    with self.lock:
                        self.seen.setdefault(hit["id"], set()).add(_state(article))
            for name, path in (("entities", "/api/entities?limit=3"), ("timeline", "/api/timeline?limit=3"),
                               ("speakers", "/api/speakers?limit=3")):
                page = self.get(path)
                # entity resolution merges names as articles come in (a name whose label drifts joins its
                # majority, a surname its full name), so the lists of entities and speakers may shrink
                if page is not None and name == "timeline":
                    self.never_less(name, page["total"])
            self.rounds += 1
            if last_round:
                return


@pytest.mark.slow
def test_serve_answers_while_ingests_write_and_never_shows_half_an_article(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    first, parts = tmp_path / "first.txt", [tmp_path / f"part{n}.txt" for n in range(3)]
    _corpus(first, range(0, 40))
    for n, part in enumerate(parts):
        _corpus(part, range(40 + 80 * n, 40 + 80 * (n + 1)))
    total = 40 + 80 * len(parts)
    done = _ingest(db, first)
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}  # a read-only server, as by default
    log = tmp_path / "serve.log"
    failures: list[str] = []
    seen: dict[str, set[str]] = {}
    lock, stop = threading.Lock(), threading.Event()
    runs: list[subprocess.CompletedProcess[str]] = []
    with serving(db, log, env=env) as port:
        pollers = [Poller(port, stop, failures, seen, lock) for _ in range(3)]
        for p in pollers:
            p.start()
        try:
            for part in parts:  # one ingest after another: each stores, indexes and analyses while the server reads
                runs.append(_ingest(db, part))
        finally:
            stop.set()
            for p in pollers:
                p.join(timeout=300)
        base = f"http://127.0.0.1:{port}"
        final_minister = _get(base, "/api/search?q=minister&limit=1", failures)
        final = {aid: _get(base, "/api/articles/" + quote(aid, safe=""), failures) for aid in seen}
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "locked" not in run.stdout + run.stderr
    said = log.read_text(errors="replace")
    assert "locked" not in said and "Traceback" not in said, said[-2000:]
    assert not any(p.is_alive() for p in pollers)
    assert failures == [], failures[:20]
    print(f"{sum(p.requests for p in pollers)} requests in {sum(p.rounds for p in pollers)} rounds, "
          f"{len(seen)} articles opened, {sum(len(v) == 2 for v in seen.values())} of them before and after "
          "their analysis")
    # the server was read from throughout: it saw the archive grow while it answered
    assert all(p.rounds >= 3 for p in pollers)
    assert max(len(p.totals.get("minister", ())) for p in pollers) >= 2
    assert final_minister is not None and final_minister["total"] == total
    # it saw articles before their analysis and after it ...
    assert any(len(states) == 2 for states in seen.values())
    # ... and every state of an article the server gave was no analysis or the final one, never a mix
    for aid, states in seen.items():
        article = final[aid]
        assert article is not None and set(article["analyses"]) == {"entities", "quotes", "timexes"}
        unanalysed = _state({**article, "analyses": {}, "entities": [], "quotes": [], "timexes": []})
        assert states <= {unanalysed, _state(article)}, aid


def _check_archive(db: Path) -> tuple[int, int, int]:
    """(articles, distinct content hashes, analysed articles) after a check that the file is whole."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n, hashes = con.execute("SELECT count(*), count(DISTINCT content_hash) FROM articles").fetchone()
        analysed = con.execute("SELECT count(DISTINCT article_id) FROM analyses").fetchone()[0]
        quoted = con.execute("SELECT count(DISTINCT article_id) FROM quotes WHERE speaker = 'Mark Rutte'").fetchone()
        assert quoted[0] > 0
        return int(n), int(hashes), int(analysed)
    finally:
        con.close()


def _hits(db: Path, query: str) -> int:
    done = subprocess.run([sys.executable, "-m", "kroniek.cli", "search", query, "--archive", str(db), "--json",
                           "--limit", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["total"])


@pytest.mark.slow
def test_two_ingests_into_one_archive_at_once_store_every_article_once(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    _corpus(a, range(0, 150))
    _corpus(b, range(75, 225))  # the same 75 articles in both
    assert a.read_text().split("\n\n")[75:150] == b.read_text().split("\n\n")[:75]
    procs = [subprocess.Popen([sys.executable, "-m", "kroniek.cli", "ingest", str(f), "--archive", str(db), "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "COLUMNS": "200"}) for f in (a, b)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in out + err
    new = sum(int(out.split(" new,")[0].rsplit(" ", 1)[-1]) for out, _ in outputs)
    duplicates = sum(int(out.split(" duplicates")[0].rsplit(" ", 1)[-1]) for out, _ in outputs)
    assert (new, duplicates) == (225, 75)
    n, hashes, analysed = _check_archive(db)
    assert n == hashes == analysed == 225  # every article once, and analysed
    # the index agrees with the store: every article searchable once, with its annotations
    assert _hits(db, "minister") == 225
    con = sqlite3.connect(db)
    quoted = con.execute("SELECT count(DISTINCT article_id) FROM quotes WHERE speaker = 'Mark Rutte'").fetchone()[0]
    con.close()
    assert _hits(db, SPEAKER) == quoted

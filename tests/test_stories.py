"""Story detection: the detector on its own, and stories kept by the archive, its query field and its edges."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from fastapi.testclient import TestClient

from kroniek.archive import Archive
from kroniek.errors import NotFound
from kroniek.server.app import create_app
from kroniek.server.settings import Settings
from kroniek.stories import StoryDetector, StoryItem, StoryParams
from kroniek.stories.update import state_path

sys.path.insert(0, str(ROOT / "benchmarks"))
import story_corpus  # noqa: E402

DAY = dt.date(2020, 1, 1).toordinal()


def _items(articles: list[dict]) -> list[StoryItem]:
    items = [StoryItem(a["id"], dt.date.fromisoformat(a["date"]).toordinal(), a["title"], a["text"])
             for a in articles]
    return sorted(items, key=lambda i: (i.day, i.id))


@pytest.fixture(scope="module")
def corpus() -> tuple[list[dict], dict[str, str]]:
    return story_corpus.generate(seed=7, stories=25, singletons=30)


def test_stories_pairwise_f1_on_a_generated_corpus(corpus: tuple[list[dict], dict[str, str]]) -> None:
    """Text alone (no names: no model here) on real news sentences arranged in stories that pause and return."""
    articles, gold = corpus
    detector = StoryDetector()
    detector.add_all(_items(articles))
    scores = story_corpus.pairwise(gold, detector.story_of)  # the stories as they end, merges included
    assert scores["precision"] >= 0.9 and scores["recall"] >= 0.65, scores
    # a clustering that puts everything in one story, or every article alone, scores far lower
    assert story_corpus.pairwise(gold, {k: "one" for k in gold})["f1"] < 0.2
    assert story_corpus.pairwise(gold, {k: k for k in gold})["f1"] == 0.0


def test_stories_same_articles_same_stories(corpus: tuple[list[dict], dict[str, str]]) -> None:
    articles, _ = corpus
    first = StoryDetector().add_all(_items(articles))
    again = StoryDetector().add_all(_items(articles))
    assert first == again
    assert all(a.started == (a.story_id == a.article_id) for a in first)


def _article(n: int, text: str, names: tuple[str, ...] = (), day: int = DAY) -> StoryItem:
    return StoryItem(f"a{n}", day, text.split(".")[0], text, names)


MH17 = ("Het onderzoek naar het neerhalen van vlucht MH17 boven Oekraïne gaat door. Het Openbaar Ministerie "
        "vervolgt vier verdachten voor de ramp met de Boeing. De nabestaanden van de slachtoffers volgen de "
        "rechtszaak in Schiphol op de voet.")
MH17_LATER = ("De rechtszaak over vlucht MH17 is hervat in Schiphol. Het Openbaar Ministerie eist straf tegen de "
              "verdachten van het neerhalen van de Boeing boven Oekraïne. Nabestaanden spreken de rechtbank toe.")
ELECTION = ("De verkiezingen voor de gemeenteraad trekken veel kiezers. De lijsttrekkers debatteerden over "
            "woningbouw, parkeren en de begroting van de gemeente. De opkomst lag hoger dan vier jaar geleden.")


def test_stories_a_story_that_pauses_returns_and_a_closed_one_does_not() -> None:
    det = StoryDetector()
    first = det.add(_article(1, MH17))
    other = det.add(_article(2, ELECTION, day=DAY + 3))
    back = det.add(_article(3, MH17_LATER, day=DAY + 200))  # seven months later: the same story
    assert first.started and other.started and other.story_id != first.story_id
    assert not back.started and back.story_id == first.story_id and 0 < back.score < 1
    closed = StoryDetector(StoryParams(window_days=100))
    closed.add(_article(1, MH17))
    assert closed.add(_article(3, MH17_LATER, day=DAY + 200)).started  # past the window: a story of its own
    assert det.keywords(first.story_id, 3) and det.stories[first.story_id].size == 2


def test_stories_names_tip_the_balance() -> None:
    """Two articles of one kind (match reports) join when they share names, and stay apart when they do not."""
    text = "De wedstrijd eindigde in een gelijkspel. De thuisploeg miste een strafschop in de slotminuut."
    shared = StoryDetector(StoryParams(threshold=0.5, entity_weight=0.5))
    shared.add(_article(1, text + " Ajax speelde.", ("1", "2")))
    assert not shared.add(_article(2, text + " PSV speelde.", ("1", "2"), DAY + 1)).started
    apart = StoryDetector(StoryParams(threshold=0.5, entity_weight=0.5))
    apart.add(_article(1, text + " Ajax speelde.", ("1", "2")))
    assert apart.add(_article(2, text + " PSV speelde.", ("3", "4"), DAY + 1)).started


def test_stories_an_article_close_to_two_stories_merges_them() -> None:
    """Two articles of one story that share little start two stories; a third close to both makes them one, kept
    under the older story's id, with the members, profile and look-up of both."""
    params = StoryParams(threshold=0.2, merge_threshold=0.24, entity_weight=0.0)
    det = StoryDetector(params)
    trial = ("De rechtszaak over het neerhalen van de Boeing is hervat in Schiphol. Het Openbaar Ministerie eist "
             "straf tegen de verdachten.")
    mourning = ("Nabestaanden van de slachtoffers herdachten in Vijfhuizen hun doden. Het nationaal monument telt "
                "298 bomen.")
    both = ("Nabestaanden van de slachtoffers volgden de rechtszaak in Schiphol, waar het Openbaar Ministerie straf "
            "eist tegen de verdachten van het neerhalen van de Boeing.")
    first = det.add(_article(1, trial))
    second = det.add(_article(2, ELECTION, day=DAY + 1))
    third = det.add(_article(3, mourning, day=DAY + 2))
    assert first.started and second.started and third.started  # the two MH17 articles share too little
    bound = det.add(_article(4, both, day=DAY + 3))
    assert not bound.started and bound.merged == ("a3",) and bound.story_id == "a1"
    assert det.story_of == {"a1": "a1", "a2": "a2", "a3": "a1", "a4": "a1"}
    assert set(det.stories) == {"a1", "a2"} and det.stories["a1"].size == 3
    assert sorted(det.stories["a1"].members) == ["a1", "a3", "a4"]
    # the merged story is found through the words of all three, and no look-up names the gone one
    later = det.add(_article(5, mourning.replace("herdachten", "herdenken"), day=DAY + 30))
    assert later.story_id == "a1" and not later.started
    assert all("a3" not in holders for holders in det._by_term.values())
    never = StoryDetector(StoryParams(threshold=0.2, merge_threshold=1.5, entity_weight=0.0))  # above 1: never
    for n, (text, day) in enumerate([(trial, DAY), (ELECTION, DAY + 1), (mourning, DAY + 2), (both, DAY + 3)]):
        assert not never.add(_article(n + 1, text, day=day)).merged
    assert len(set(never.story_of.values())) == 3


def test_stories_params_are_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        StoryParams(threshold=1.5)
    with pytest.raises(ValueError, match="positive"):
        StoryParams(window_days=0)
    with pytest.raises(ValueError, match="merge_threshold"):
        StoryParams(merge_threshold=0)


# --- the archive ---------------------------------------------------------------------------------------------

def _records(articles: list[dict]) -> list[dict]:
    return [{k: a[k] for k in ("id", "date", "title", "source", "text")} for a in articles]


def _members(archive: Archive) -> dict[str, str]:
    return dict(archive.store.stories_of([aid for aid, _ in archive.store.story_order()]))


@pytest.fixture()
def storied(tmp_path: Path, corpus: tuple[list[dict], dict[str, str]]) -> Archive:
    articles, _ = corpus
    archive = Archive.open(tmp_path / "k.db")
    archive.ingest(_records(articles))
    archive.update_stories()
    yield archive
    archive.close()


def test_stories_online_in_two_parts_equal_a_rebuild(tmp_path: Path,
                                                     corpus: tuple[list[dict], dict[str, str]]) -> None:
    articles, _ = corpus
    with Archive.open(tmp_path / "k.db") as archive:
        half = len(articles) // 2
        archive.ingest(_records(articles[:half]))
        first = archive.update_stories()
        archive.ingest(_records(articles[half:]))
        second = archive.update_stories()
        assert first.assigned == half and second.assigned == len(articles) - half
        assert not first.rebuilt and not second.rebuilt
        online = _members(archive)
        rebuilt = archive.update_stories(rebuild=True)
        assert rebuilt.assigned == len(articles) and rebuilt.rebuilt
        assert _members(archive) == online
        assert archive.update_stories().assigned == 0  # nothing new: nothing changes
        # stories merged on the way (one here) leave no row and no member behind; each row counts its members
        assert rebuilt.merged >= 1 and first.merged + second.merged == rebuilt.merged
        rows = archive.store.story_rows(limit=10_000)
        assert {r.id for r in rows} == set(online.values())
        assert all(r.size == len(archive.store.story_members(r.id)) for r in rows)
        assert len(rows) == rebuilt.started - rebuilt.merged


def test_stories_lost_state_is_rebuilt_and_said(tmp_path: Path, corpus: tuple[list[dict], dict[str, str]]) -> None:
    articles, _ = corpus
    notices: list[str] = []
    with Archive.open(tmp_path / "k.db") as archive:
        archive.ingest(_records(articles[:-1]))
        archive.update_stories()
        before = _members(archive)
        path = state_path(tmp_path / "k.db")
        assert path is not None and path.exists()
        path.write_bytes(b"not a state")  # as a crash or another version would leave it
    with Archive.open(tmp_path / "k.db") as archive:
        archive.on_notice = notices.append
        archive.ingest(_records(articles[-1:]))
        report = archive.update_stories()
        assert report.rebuilt and any("detected again" in n for n in notices)
        after = _members(archive)
        assert {k: v for k, v in after.items() if k in before} == before


def test_stories_story_query_and_detail(storied: Archive, corpus: tuple[list[dict], dict[str, str]]) -> None:
    listed = storied.stories(limit=500)
    rows, total = listed.items, listed.total
    assert total == len(rows) > 10 and all(r.size >= 2 for r in rows)
    assert storied.stories(limit=3, offset=3).items == rows[3:6]
    assert [r.last_date for r in rows] == sorted((r.last_date for r in rows), reverse=True)
    big = max(rows, key=lambda r: r.size)
    hits = storied.search(f"story:{big.id}", limit=100)
    detail = storied.story(big.id)
    assert hits.total == big.size == len(detail.articles)
    assert {h.id for h in hits.hits} == {a["id"] for a in detail.articles}
    assert [a["date"] for a in detail.articles] == sorted(a["date"] for a in detail.articles)
    assert sum(m["articles"] for m in detail.by_month) == big.size
    assert big.title_article in {a["id"] for a in detail.articles} and big.title
    assert storied.search(f"story:{big.id} AND NOT story:{big.id}").total == 0
    assert storied.get_article(detail.articles[-1]["id"]).story_id == big.id
    with pytest.raises(NotFound):
        storied.story("no-such-story")
    # stories of a query: those with a matching article
    word = big.keywords[0]
    of_word = storied.stories(word, limit=100)
    assert of_word.total == len(of_word.items) and big.id in {r.id for r in of_word.items}


def test_stories_cli(tmp_path: Path, corpus: tuple[list[dict], dict[str, str]]) -> None:
    articles, _ = corpus
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records(articles)), encoding="utf-8")
    db = str(tmp_path / "k.db")

    def kroniek(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kroniek.cli", *args, "--archive", db], capture_output=True,
                              text=True, timeout=300)

    assert kroniek("ingest", str(src), "--no-analyze", "-q").returncode == 0
    listed = kroniek("stories", "--update", "--json", "--limit", "5")
    assert listed.returncode == 0, listed.stderr
    assert f"Placed {len(articles)} articles" in listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 5 and all(r["size"] >= 2 for r in rows)
    shown = kroniek("story", rows[0]["id"], "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["size"] == rows[0]["size"]
    missing = kroniek("story", "nope")
    assert missing.returncode != 0 and "no story 'nope'" in missing.stderr


def test_stories_api_and_pages(storied: Archive) -> None:
    path = storied.settings.archive
    storied.close()
    with TestClient(create_app(Settings(path))) as client:
        listed = client.get("/api/stories", params={"limit": 3})
        assert listed.status_code == 200
        body = listed.json()
        assert body["limit"] == 3 and len(body["items"]) == 3 and body["total"] >= 3
        sid = body["items"][0]["id"]
        one = client.get(f"/api/stories/{sid}")
        assert one.status_code == 200 and len(one.json()["articles"]) == one.json()["size"]
        assert client.get("/api/stories/nope").status_code == 404
        assert client.get("/api/search", params={"q": f"story:{sid}"}).json()["total"] == one.json()["size"]
        page = client.get("/stories")
        assert page.status_code == 200 and f'href="/stories/{sid}"' in page.text
        story_page = client.get(f"/stories/{sid}")
        assert story_page.status_code == 200 and "<svg" in story_page.text
        first = one.json()["articles"][0]["id"]
        assert f'href="/stories/{sid}"' in client.get(f"/articles/{first}").text


def test_stories_detector_selections_keep_the_order_of_the_full_sorts() -> None:
    """What the detector's cheaper selections rely on: sorting terms by their weights orders them as sorting the
    (term, weight) pairs does, ties in text order; the open ones among the 4k best (hit, id) pairs, when k of them
    are open, are the k best open pairs; and a first hit of 0.0 + w is w."""
    import heapq
    import random
    from operator import itemgetter

    rng = random.Random(7)
    for _ in range(200):
        weights = {f"t{i}": rng.choice((0.5, 1.0, 1.5, rng.random())) for i in range(rng.randint(0, 60))}
        by_pairs = sorted(weights.items(), key=itemgetter(1), reverse=True)[:20]
        by_keys = sorted(weights, key=weights.__getitem__, reverse=True)[:20]
        assert [t for t, _ in by_pairs] == by_keys
        hits = {f"s{i}": rng.choice((0.5, 1.0, rng.random())) for i in range(rng.randint(0, 40))}
        is_open = {sid: rng.random() < 0.7 for sid in hits}
        pairs = list(zip(hits.values(), hits.keys(), strict=True))
        want = rng.randint(1, 5)
        full = [sid for _, sid in heapq.nlargest(want, [(h, sid) for sid, h in hits.items() if is_open[sid]])]
        best = [sid for _, sid in heapq.nlargest(4 * want, pairs) if is_open[sid]]
        if len(best) >= want or 4 * want >= len(pairs):
            assert best[:want] == full
        w = rng.random()
        assert 0.0 + w == w

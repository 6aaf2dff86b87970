"""Keeping an archive's stories up to date: the detector's state beside the archive, and the stored stories.

The store holds the truth (which article is in which story, each story's title and span); the detector's state
(document frequencies and story profiles) is derived from it and saved beside the archive (`<archive>.stories`),
so that new articles are assigned online without reading the archive again. The state records how many articles
it has placed and with which parameters: when that does not match the store (a crash between the store's commit
and the state's, other parameters, a state file from another version), the stories are detected again from the
first article on, which gives the same stories as the first time.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kroniek.model import StoryRow, text_headline
from kroniek.store.base import Store
from kroniek.stories.detect import UNDATED_DAY, StoryDetector, StoryItem, StoryParams

# Bump when the detector's state or its method changes: a state file of another version is not read.
STATE_VERSION = 2
BATCH = 1000


@dataclass
class StoriesReport:
    """What one update did: articles placed, stories started, stories merged into others, and whether it began
    again from the first article (`rebuilt`, with the reason)."""

    assigned: int = 0
    started: int = 0
    merged: int = 0
    rebuilt: str = ""


def state_path(archive: str | Path) -> Path | None:
    """Where the detector's state of an archive file lives: beside it, as `<file>.stories` (None: in memory)."""
    if str(archive) == ":memory:":
        return None
    p = Path(archive)
    return p.with_name(p.name + ".stories")


def _load(path: Path | None, params: StoryParams) -> StoryDetector | None:
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            version, saved_params, detector = pickle.load(fh)  # noqa: S301 (our own file beside the archive)
    except Exception:  # unreadable or from another version: detect again
        return None
    if version != STATE_VERSION or saved_params != params or not isinstance(detector, StoryDetector):
        return None
    return detector


def _save(path: Path | None, detector: StoryDetector) -> None:
    if path is None:
        return
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump((STATE_VERSION, detector.params, detector), fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _items(store: Store, order: Sequence[tuple[str, str | None]], text_chars: int) -> Iterator[list[StoryItem]]:
    """The articles in `order` as the detector reads them, a batch at a time."""
    for i in range(0, len(order), BATCH):
        part = order[i:i + BATCH]
        ids = [aid for aid, _ in part]
        names: dict[str, list[str]] = {}
        for m in store.mentions_in(ids):
            names.setdefault(m["article_id"], []).append(str(m["id"]))
        days = dict(part)
        batch = []
        for aid, title, text in store.story_inputs(ids, text_chars):
            day = days[aid]
            when = dt.date.fromisoformat(day).toordinal() if day else UNDATED_DAY
            line = " ".join(title.split()) if title and title.strip() else text_headline(text)
            batch.append(StoryItem(aid, when, line, text, names.get(aid, ())))
        yield batch


def _row(detector: StoryDetector, story_id: str) -> StoryRow:
    s = detector.stories[story_id]
    first = dt.date.fromordinal(s.first_day).isoformat() if s.first_day != UNDATED_DAY else ""
    last = dt.date.fromordinal(s.last_day).isoformat() if s.last_day != UNDATED_DAY else ""
    return StoryRow(s.id, s.best_title, s.best_id, first, last, s.size, tuple(detector.keywords(story_id)))


def update_stories(store: Store, state: Path | None, *, detector: StoryDetector | None = None,
                   params: StoryParams | None = None, rebuild: bool = False,
                   progress: Callable[[int, int], None] | None = None) -> tuple[StoriesReport, StoryDetector]:
    """Place every article that is in no story yet (all of them with `rebuild`), in date order, and store the
    stories they joined or started, a batch per transaction. `progress` gets (done, total). Returns the report and the detector (kept by an archive in memory)."""
    params = params or StoryParams()
    report = StoriesReport()
    if detector is None or detector.params != params:
        detector = _load(state, params)
    placed = len(store.story_order()) - len(store.story_order(unassigned=True))
    if rebuild:
        report.rebuilt = "asked for"
    elif detector is None and placed:
        report.rebuilt = "no saved state of the stories"
    elif detector is not None and len(detector.story_of) != placed:
        report.rebuilt = "the saved state does not match the archive"
    if report.rebuilt or detector is None:
        if placed:
            store.clear_stories()
        detector = StoryDetector(params)
    order = store.story_order(unassigned=True)
    total = len(order)
    for batch in _items(store, order, params.text_chars):
        touched: dict[str, None] = {}
        members = []
        merges: list[tuple[str, str]] = []
        for item in batch:
            a = detector.add(item)
            members.append((a.article_id, a.story_id, a.score))
            touched[a.story_id] = None
            report.started += a.started
            merges += [(gone, a.story_id) for gone in a.merged]
        report.merged += len(merges)
        alive = detector.stories
        store.save_stories(members, [_row(detector, sid) for sid in touched if sid in alive], merges)
        report.assigned += len(members)
        if progress is not None:
            progress(report.assigned, total)
    if total or report.rebuilt:
        _save(state, detector)
    return report, detector

"""Online story detection: each article, taken in date order, joins the story it is most like or starts one.

The method follows the single-pass clustering of news monitors (an article is compared with the stories that are
still open, never re-clustered later), with three kinds of evidence combined into one score:

- text: the cosine between the article's TF-IDF vector over stemmed words (Dutch Snowball stems without stop
  words, the title counted twice, document frequencies learnt online as articles arrive, the `article_terms`
  heaviest terms kept) and the story's profile (the sum of its members' vectors, its `story_terms` heaviest terms
  kept);
- names: the cosine between the article's entity names (their entity ids, each counted once, weighted by their
  inverse document frequency among the articles seen, so that a name many stories share, a country or a
  ministry, tells less than a person's) and the story's name profile (the sum of its members' name vectors),
  weighted by `entity_weight`; an article or story without names is judged on its text alone;
- time: the days since the story's latest article, as a penalty of `time_penalty` for each `window_days`; a
  story whose latest article is more than `window_days` old is closed. A story that pauses for months and returns
  is joined again, as long as its text and names are close enough to pay for the pause.

An article joins the best story when the score reaches `threshold`, and starts a story of its own otherwise. The
candidates are the open stories that share one of the article's `lookup_terms` heaviest terms or one of its names.
An article that also reaches `merge_threshold` with another open story binds the two: they become one story (the
older one, whose id it keeps). A single pass otherwise splits a story whose first articles share too little: two
stories of one topic grow side by side until an article close to both shows that they are one.
Everything is deterministic: the same articles in the same order (date, then id) give the same stories, and a story
is known by the id of its first article (after a merge, of the older story's first article).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import heapq
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

import tantivy

# The words the detector compares: tantivy's simple tokenizer, lowercased, Dutch stop words removed, ASCII-folded
# and stemmed with the Dutch Snowball stemmer (the analysis the search index gives its stemmed fields).
_ANALYZER = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
             .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stopword("dutch"))
             .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stemmer("dutch")).build())


# The calendar says when, not what: weekdays, months and years are in every dateline and most ledes of every story,
# so they are not compared (the time of an article is the score's third part).
_CALENDAR = frozenset(_ANALYZER.analyze(
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni juli "
    "augustus september oktober november december"))


def _is_content(term: str) -> bool:
    if term.isdigit():  # numbers of one or two digits and years say little of the topic
        return len(term) > 2 and not (len(term) == 4 and "1800" <= term < "2200")
    return term not in _CALENDAR


def stems(text: str) -> list[str]:
    """The stemmed content words of a text, in order (weekdays, months, years and numbers of one or two digits
    left out)."""
    return [t for t in _ANALYZER.analyze(text) if _is_content(t)]


_PRIOR = Path(__file__).with_name("prior_nl.json.gz")
# The weight of a term that occurs c times in an article, 1 + ln c, looked up for the usual counts.
_TF_CACHED = 64
_TF = [0.0] + [1.0 + math.log(c) for c in range(1, _TF_CACHED)]
# How often closed stories leave the look-up (articles), and how many open stories a look-up key may have to
# count (a key held by more, a stem common in this stretch of time, is passed over).
_SWEEP_EVERY = 2000
_MOST_HOLDERS = 400
# The day an undated article is given: after every dated one, so it comes last and joins no dated story.
UNDATED_DAY = dt.date.max.toordinal()


@functools.lru_cache(maxsize=1)
def background() -> tuple[int, dict[str, int]]:
    """The background document frequencies of Dutch stems (pseudo-documents, and per stem how many hold it),
    built from ../shared/data by training/build_story_prior.py and shipped beside this module."""
    with gzip.open(_PRIOR, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return int(data["documents"]), {str(k): int(v) for k, v in data["df"].items()}


@dataclass(frozen=True)
class StoryParams:
    """The parameters of story detection (see the module's docstring); the defaults are documented in
    docs/stories.md with how they were chosen."""

    threshold: float = 0.14
    merge_threshold: float = 0.3
    entity_weight: float = 0.25
    time_penalty: float = 0.08
    window_days: int = 365
    article_terms: int = 100
    story_terms: int = 150
    lookup_terms: int = 12
    index_terms: int = 15
    candidates: int = 4
    text_chars: int = 1000
    prior_weight: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.threshold < 1:
            raise ValueError("threshold must lie between 0 and 1")
        if self.merge_threshold <= 0:
            raise ValueError("merge_threshold must be positive (above 1: stories never merge)")
        if not 0 <= self.entity_weight <= 1:
            raise ValueError("entity_weight must lie between 0 and 1")
        if self.window_days < 1 or self.article_terms < 1 or self.story_terms < 1 or self.lookup_terms < 1:
            raise ValueError("window_days, article_terms, story_terms and lookup_terms must be positive")


@dataclass(frozen=True)
class StoryItem:
    """What the detector reads of an article: its id, its day (an ordinal, `date.toordinal()`, of the first day of
    its publication period), its title or headline, its text and the keys of the names it mentions."""

    id: str
    day: int
    title: str
    text: str
    entities: Sequence[str] = ()


@dataclass(frozen=True)
class Assignment:
    """The story an article was put in, the score it reached (1.0 for an article that started its story),
    whether it started it, and the stories it bound to that one (merged into it: they exist no more)."""

    article_id: str
    story_id: str
    score: float
    started: bool
    merged: tuple[str, ...] = ()


@dataclass
class _Story:
    id: str
    first_day: int
    last_day: int
    size: int = 0
    terms: dict[str, float] = field(default_factory=dict)
    names: dict[str, float] = field(default_factory=dict)
    best_id: str = ""  # the member whose title is closest to the profile, and that title: the story's title
    best_title: str = ""
    best_words: frozenset[str] = frozenset()
    members: list[str] = field(default_factory=list)
    term_keys: set[str] = field(default_factory=set)  # the look-up keys the story is filed under
    name_keys: set[str] = field(default_factory=set)
    squares: float = 0.0  # the sums of squares of the profile's weights and of the name profile, kept as they change
    name_squares: float = 0.0

    def norm(self) -> float:
        return math.sqrt(self.squares) or 1.0

    def names_norm(self) -> float:
        return math.sqrt(self.name_squares) or 1.0


class StoryDetector:
    """The state of online story detection: document frequencies, the stories and their profiles, and the
    look-up from terms and names to the stories that hold them. Feed it articles in date order with `add`."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.documents = 0
        # document frequencies: the background ones (see prior_nl.json.gz), each pseudo-document counting for
        # `prior_weight` documents, plus one for each article seen that holds the stem
        prior_docs, prior_df = background() if self.params.prior_weight else (0, {})
        self._prior_documents = prior_docs * self.params.prior_weight
        self.df: Counter[str] = Counter({t: c * self.params.prior_weight for t, c in prior_df.items()})
        self.name_df: Counter[str] = Counter()  # per name, the articles seen that mention it
        self._since_sweep = 0
        self.stories: dict[str, _Story] = {}
        self.story_of: dict[str, str] = {}
        self._by_term: dict[str, set[str]] = {}
        self._by_name: dict[str, set[str]] = {}
        self._latest_day = 0

    # --- the article's vector -----------------------------------------------------------------------------------

    def _vector(self, item: StoryItem) -> tuple[dict[str, float], frozenset[str]]:
        title = stems(item.title)
        text = item.text[:self.params.text_chars] if self.params.text_chars else item.text
        counts = Counter(title * 2 + stems(text))
        self.documents += 1
        log_n = math.log(self.documents + self._prior_documents + 1)
        log = math.log
        tf = _TF
        df = self.df
        df.update(counts.keys())
        weights = {t: (tf[c] if c < _TF_CACHED else 1.0 + log(c)) * (log_n - log(df[t])) for t, c in counts.items()}
        # the heaviest terms; a stable sort keeps text order among equal weights, so the result is deterministic
        # (sorting the terms by their weights gives the order of sorting the (term, weight) pairs, at less cost)
        top = sorted(weights, key=weights.__getitem__, reverse=True)[:self.params.article_terms]
        values = list(map(weights.__getitem__, top))
        norm = math.sqrt(sum([w * w for w in values])) or 1.0
        return {t: w / norm for t, w in zip(top, values, strict=True) if w > 0}, frozenset(title)

    def _names(self, entities: Sequence[str]) -> dict[str, float]:
        """The article's names as a unit vector, each weighted by its inverse document frequency (in key order)."""
        keys = sorted(set(entities))
        if not keys:
            return {}
        df = self.name_df
        df.update(keys)
        log_n = math.log(self.documents + 1)
        weights = [log_n - math.log(df[k]) for k in keys]
        norm = math.sqrt(sum([w * w for w in weights]))
        if not norm:  # every name in every article so far: nothing to tell stories apart
            return {}
        return {k: w / norm for k, w in zip(keys, weights, strict=True) if w > 0}

    # --- assignment ---------------------------------------------------------------------------------------------

    def add(self, item: StoryItem) -> Assignment:
        """Put one article in a story (an existing one or a new one), update that story's profile, and merge into
        it the other open stories the article is close enough to."""
        if item.id in self.story_of:
            return Assignment(item.id, self.story_of[item.id], 0.0, False)
        p = self.params
        vec, title_words = self._vector(item)
        names = self._names(item.entities)
        stories = self.stories
        score_of = self._score
        scored = []
        for sid in self._candidates(item.day, vec, names):
            story = stories[sid]
            score = score_of(story, item.day, vec, names)
            if score >= p.threshold:
                scored.append((score, -story.first_day, sid))
        if not scored:
            story = _Story(item.id, item.day, item.day)
            self.stories[item.id] = story
            self._join(story, item, vec, names, title_words)
            return Assignment(item.id, item.id, 1.0, True)
        scored.sort(reverse=True)
        best = scored[0]
        story = stories[best[2]]
        self._join(story, item, vec, names, title_words)
        merged = []
        for score, _, sid in scored[1:]:
            if score < p.merge_threshold:
                break
            kept, gone = self._merge(story, stories[sid])
            merged.append(gone.id)
            story = kept
        return Assignment(item.id, story.id, round(best[0], 4), False, tuple(merged))

    def add_all(self, items: Iterable[StoryItem]) -> list[Assignment]:
        """`add` for each item, in the order given (sort them by day and id first for a canonical result)."""
        return [self.add(item) for item in items]

    def _candidates(self, day: int, vec: dict[str, float], names: dict[str, float]) -> list[str]:
        p = self.params
        if day != UNDATED_DAY:
            self._latest_day = max(self._latest_day, day)
        self._since_sweep += 1
        if self._since_sweep >= _SWEEP_EVERY:
            self._sweep()
        stories = self.stories
        hits: dict[str, float] = {}
        get = hits.get
        lookups = ((self._by_term, islice(vec.items(), p.lookup_terms)),  # the vector is ordered heaviest first
                   (self._by_name, [(n, 0.5) for n in names]))
        for table, keys in lookups:
            for key, weight in keys:
                holders = table.get(key)
                if holders and len(holders) <= _MOST_HOLDERS:  # a term that many open stories hold tells little
                    if hits:
                        for sid in holders:
                            hits[sid] = get(sid, 0.0) + weight
                    else:  # the first key's holders all start at 0.0 + weight, which is the weight
                        hits = dict.fromkeys(holders, weight)
                        get = hits.get
        oldest = day - p.window_days
        # the best open hits: the open ones among the best hits overall, when these hold enough of them (or are all
        # the hits); (hit, id) pairs are all different, so the order is total and the same as that of the open ones
        # alone. Closed stories leave the look-up only at a sweep, so a few of the best may be closed.
        want = p.candidates
        pairs = list(zip(hits.values(), hits.keys(), strict=True))
        top = heapq.nlargest(4 * want, pairs)
        best = [sid for _, sid in top if stories[sid].last_day >= oldest]
        if len(best) < want and len(top) < len(pairs):
            best = [sid for _, sid in sorted(pairs, reverse=True) if stories[sid].last_day >= oldest]
        return best[:want]

    def _merge(self, a: _Story, b: _Story) -> tuple[_Story, _Story]:
        """Make two stories one: the older (by first day, then id) takes the other's articles, profile, names and
        look-up keys. Returns (kept, gone)."""
        kept, gone = (a, b) if (a.first_day, a.id) <= (b.first_day, b.id) else (b, a)
        terms = kept.terms
        for t, w in gone.terms.items():
            terms[t] = terms.get(t, 0.0) + w
        if len(terms) > 2 * self.params.story_terms:
            kept.terms = dict(sorted(terms.items(), key=itemgetter(1), reverse=True)[:self.params.story_terms])
        kept.squares = sum([w * w for w in kept.terms.values()])
        for n, w in gone.names.items():
            kept.names[n] = kept.names.get(n, 0.0) + w
        kept.name_squares = sum([w * w for w in kept.names.values()])
        kept.size += gone.size
        kept.first_day = min(kept.first_day, gone.first_day)
        kept.last_day = max(kept.last_day, gone.last_day)
        for table, keys, into in ((self._by_term, gone.term_keys, kept.term_keys),
                                  (self._by_name, gone.name_keys, kept.name_keys)):
            for key in keys:
                holders = table.get(key)
                if holders is not None and gone.id in holders:
                    holders.discard(gone.id)
                    holders.add(kept.id)
            into.update(keys)
        for member in gone.members:
            self.story_of[member] = kept.id
        kept.members.extend(gone.members)
        if _weight_of(kept, gone.best_words) > _weight_of(kept, kept.best_words) or (
                kept.best_words == gone.best_words and gone.best_id < kept.best_id):
            kept.best_id, kept.best_title, kept.best_words = gone.best_id, gone.best_title, gone.best_words
        del self.stories[gone.id]
        return kept, gone

    def _sweep(self) -> None:
        """Drop the stories that the latest day seen has closed from the look-up: articles come in date order, so
        they stay closed (an article older than the latest day can still join an open story)."""
        self._since_sweep = 0
        closed = self._latest_day - self.params.window_days
        stories = self.stories
        for table in (self._by_term, self._by_name):
            for key in list(table):
                holders = table[key]
                gone = [sid for sid in holders if stories[sid].last_day < closed]
                if gone:
                    holders.difference_update(gone)
                    if not holders:
                        del table[key]

    def _score(self, story: _Story, day: int, vec: dict[str, float], names: dict[str, float]) -> float:
        p = self.params
        terms = story.terms
        text = sum([vec[t] * terms[t] for t in vec.keys() & terms.keys()]) / (math.sqrt(story.squares) or 1.0)
        if names and story.names:
            profile = story.names
            shared = sum([w * profile[n] for n, w in names.items() if n in profile])
            name_sim = shared / (math.sqrt(story.name_squares) or 1.0)
            score = (1 - p.entity_weight) * text + p.entity_weight * name_sim
        else:
            score = text
        gap = max(0, day - story.last_day)
        return score - p.time_penalty * gap / p.window_days

    def _join(self, story: _Story, item: StoryItem, vec: dict[str, float], names: dict[str, float],
              title_words: frozenset[str]) -> None:
        p = self.params
        story.size += 1
        story.first_day = min(story.first_day, item.day)
        story.last_day = max(story.last_day, item.day)
        terms = story.terms
        squares = story.squares
        for t, w in vec.items():
            old = terms.get(t, 0.0)
            terms[t] = new = old + w
            squares += new * new - old * old
        story.squares = squares
        # the story is found through the heaviest terms of each of its articles (those an article looks up)
        by_term = self._by_term
        keys = list(islice(vec, p.index_terms))
        story.term_keys.update(keys)
        for t in keys:
            holders = by_term.get(t)
            if holders is None:
                by_term[t] = {story.id}
            else:
                holders.add(story.id)
        if len(terms) > 2 * p.story_terms:
            story.terms = dict(sorted(terms.items(), key=itemgetter(1), reverse=True)[:p.story_terms])
            story.squares = sum([w * w for w in story.terms.values()])
        story_names = story.names
        for n, w in names.items():
            had = story_names.get(n)
            if had is None:
                had = 0.0
                self._by_name.setdefault(n, set()).add(story.id)
                story.name_keys.add(n)
            story_names[n] = had + w
            story.name_squares += 2 * had * w + w * w
        self.story_of[item.id] = story.id
        story.members.append(item.id)
        # the closeness of two titles to one profile compares without its norm
        if not story.best_id or _weight_of(story, title_words) > _weight_of(story, story.best_words):
            story.best_id, story.best_title, story.best_words = item.id, item.title, title_words

    # --- reading a story's profile ------------------------------------------------------------------------------

    def keywords(self, story_id: str, n: int = 10) -> list[str]:
        """The heaviest stems of a story's profile."""
        return [t for t, _ in sorted(self.stories[story_id].terms.items(), key=itemgetter(1), reverse=True)[:n]]

    def closeness(self, story_id: str, text: str) -> float:
        """How close a text (a member's title, say) is to a story's profile: the profile weight of its stems,
        per stem, so that a short title full of the story's words scores high."""
        return self._closeness(self.stories[story_id], frozenset(stems(text)))

    @staticmethod
    def _closeness(story: _Story, words: frozenset[str]) -> float:
        return _weight_of(story, words) / story.norm()


def _weight_of(story: _Story, words: frozenset[str]) -> float:
    """The profile weight of a set of stems, per square root of their number."""
    if not words:
        return 0.0
    get = story.terms.get
    return sum([get(t, 0.0) for t in words]) / math.sqrt(len(words))

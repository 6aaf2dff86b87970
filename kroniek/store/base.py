"""The storage interface of the archive (the rows it keeps are shared types, in `kroniek.model`).

A backend (SQLite, PostgreSQL) implements `Store`; the `Archive` facade is its only caller.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from kroniek.model import Analysis, ArticleRow, EntityLink, Link, QuarantineRow, StoredArticle, StoryRow


class Store(ABC):
    """What the archive needs from a storage backend."""

    # opened read-only: every write raises ArchiveError (the change log's housekeeping is skipped)
    readonly: bool = False

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def existing(self, hashes: Sequence[str], ids: Sequence[str]) -> tuple[set[str], dict[str, str]]:
        """The given content hashes already stored, and the given ids already stored (id -> its content hash)."""

    @abstractmethod
    def insert(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow],
               sources: Sequence[ArticleRow] = ()) -> None:
        """Store new articles and quarantined records in one transaction (a record already quarantined from the
        same file, line and reason with the same text is not kept twice); each reference in a row's structure is
        stored with it as a `Link` not tried yet. `sources` are rows whose text is an article stored before or in
        this transaction: where one names another source or address, that is kept as a further source of the
        article."""

    def insert_if_all_new(self, rows: Sequence[ArticleRow], quarantine: Sequence[QuarantineRow]) -> bool:
        """Store the rows (with their links, as `insert` does) and quarantined records in one transaction if no
        row's id or content hash is stored already or repeated within `rows`, and return True; otherwise store
        nothing and return False.

        The common case of an ingest (new articles) in one statement, without looking the rows up first; a backend
        that cannot tell returns False, and the archive looks them up (`existing`) and calls `insert`.
        """
        return False

    def snapshot(self) -> AbstractContextManager[None]:
        """A context in which every read of this thread sees the archive as of one moment, whatever other writers
        commit meanwhile (a page and its count agree; an article and its annotations belong together). Nested
        uses share the outer one."""
        return nullcontext()

    def bulk_writes(self) -> AbstractContextManager[None]:
        """A context for a long run of inserts (an ingest): a backend may move its housekeeping off the writing
        thread inside it. Every insert is committed as usual; leaving the context tidies up."""
        return nullcontext()

    # The change log: each transaction that stores an article or replaces its annotations gives it the next
    # sequence number. The search index records the last number it holds, and catches up from there.

    @abstractmethod
    def last_change(self) -> int:
        """The highest sequence number the change log has given out (0 for none); it never decreases."""

    @abstractmethod
    def changes_after(self, seq: int, limit: int = 1000) -> list[tuple[int, str]]:
        """Up to `limit` (sequence number, article id) pairs logged after `seq`, in order."""

    @abstractmethod
    def forget_changes(self, through: int) -> None:
        """Drop the log entries up to and including `through` (the index holds them); numbers are not reused."""

    def forgotten_changes(self) -> int:
        """The highest sequence number `forget_changes` has dropped (0 for none): a search index whose checkpoint is
        below it cannot catch up from the log, and is rebuilt."""
        return 0

    @abstractmethod
    def writer_lock(self, *, wait: bool = True, timeout: float | None = None) -> AbstractContextManager[bool]:
        """A context that holds the archive's one writer lock across processes; it yields False without the lock
        when `wait` is False (or `timeout` passed) and another writer has it. Re-entrant within a process."""

    @abstractmethod
    def article(self, article_id: str, *, annotations: bool = True) -> StoredArticle | None: ...

    @abstractmethod
    def articles(self, ids: Iterable[str] | None = None, *, language: str | None = None,
                 unanalysed: bool = False, batch_size: int = 500) -> Iterator[StoredArticle]:
        """Stored articles (all in storage order, or the given ids in the given order), without annotations;
        `unanalysed` keeps only those with no stored analysis."""

    def annotated_articles(self, ids: Iterable[str] | None = None, *,
                           batch_size: int = 500) -> Iterator[StoredArticle]:
        """Stored articles with their annotations (all in storage order, or the given ids in the given order): what
        the search index is built from, read a batch at a time (`_annotate_all`)."""
        batch: list[StoredArticle] = []
        for art in self.articles(ids, batch_size=batch_size):
            batch.append(art)
            if len(batch) >= batch_size:
                yield from self._annotate_all(batch)
                batch = []
        yield from self._annotate_all(batch)

    def _annotate_all(self, arts: list[StoredArticle]) -> list[StoredArticle]:
        """These articles (read without annotations) with their annotations; a backend reads them in a few
        queries for the whole batch (and `fill_annotations` puts the rows in place), this default one by one."""
        return [full for a in arts if (full := self.article(a.id)) is not None]

    @abstractmethod
    def count(self, *, language: str | None = None, unanalysed: bool = False) -> int:
        """How many articles are stored (in one language; with no stored analysis)."""

    @abstractmethod
    def stats(self) -> dict[str, Any]: ...

    @abstractmethod
    def quarantined(self, limit: int = 100, offset: int = 0) -> list[QuarantineRow]: ...

    # Each list has a count with the same filters, so that a page can say how many there are over all pages.

    @abstractmethod
    def count_quarantined(self) -> int:
        """How many records `quarantined` lists, over all pages."""

    @abstractmethod
    def save_analyses(self, analyses: Sequence[Analysis], version: str, stages: Sequence[str]) -> None:
        """Replace the annotations of the given stages of each article by those of its analysis.

        Each entity mention is stored under the entity row of its canonical name and label (its base row, made
        when new, with `model.name_key` of the name), and points at the archive entity that row resolves to (the
        row itself until entity resolution says otherwise). A quotation's speaker is the row of its resolved name
        in the article's mentions (else the PER row of that name), and points at the same archive entity as that
        row's mentions in the article."""

    # Entity resolution (kroniek.entities): rows are read by name key, their mentions with some context, and the
    # result is written back in one transaction. Every other entity method answers in archive entities: the rows
    # that mentions point at.

    @abstractmethod
    def entity_rows(self, name_keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The entity rows with the given name keys (all rows for None): `id`, `canonical`, `label`, `name_key`,
        `resolved_id` (None when never resolved), and the `mentions` and `articles` stored under the row (as base
        row) with the first and last day (ISO) of those articles' periods, `first_day` and `last_day`; by id."""

    @abstractmethod
    def entity_mentions(self, entity_ids: Sequence[int], per_row: int | None = None) -> list[dict[str, Any]]:
        """The mentions stored under the given base rows: `base_id`, `entity_id` (the archive entity it points at
        now), `article_id`, `day` (ISO first day of the article's period, or None), `start`, `end`, `text`, and
        `before`: the up to 40 characters of article text before the mention. With `per_row`, only the mentions
        in the `per_row` latest articles of each row. By base row, article, offset."""

    @abstractmethod
    def save_resolution(self, base_ids: Sequence[int], links: Sequence[EntityLink]) -> list[str]:
        """Replace the resolution of the given base rows, in one transaction, and return the ids of the articles
        whose mentions or speakers now point elsewhere (logged in the change log).

        Each link names its archive entity by canonical name and label; that row is made when missing and resolves
        to itself. A link with no article is the row's own resolution (`resolved_id`, and where its mentions and
        speakers point); a link with an article sends the row's mentions and speakers in that article elsewhere.
        Links with a reason are kept for `entity_merges`, counted in articles."""

    @abstractmethod
    def entity_merges(self, entity_id: int) -> list[dict[str, Any]]:
        """How an archive entity was put together: for each mention text and base row of its mentions, `text`,
        `base_id`, `canonical` and `label` of the base row, `articles`, and `reason` (why that row was merged into
        the entity; None for the entity's own row) with `merged_articles`, the articles the row was merged in;
        most articles first."""

    @abstractmethod
    def entities(self, label: str | None = None, limit: int = 50, offset: int = 0,
                 query: str | None = None) -> list[dict[str, Any]]: ...

    @abstractmethod
    def count_entities(self, label: str | None = None, query: str | None = None) -> int:
        """How many entities `entities` lists with the same filters, over all pages."""

    @abstractmethod
    def resolve_entity(self, key: int | str) -> dict[str, Any] | None:
        """The archive entity (`id`, `canonical`, `label`) a key names: an id (a row merged into another entity
        gives that entity), else a canonical name (the most mentioned entity of that name), else a mention text
        (the most mentioned entity with that text); None when none does."""

    @abstractmethod
    def entity_variants(self, entity_id: int) -> list[str]:
        """The surface forms an entity was mentioned by (the texts of its mentions), sorted."""

    @abstractmethod
    def entity_counts(self, entity_id: int) -> tuple[int, int]:
        """Mentions of an entity and the articles they are in."""

    @abstractmethod
    def entity_months(self, entity_id: int) -> list[dict[str, Any]]:
        """Per month of publication ("YYYY-MM", or "YYYY" for year-dated articles): `month`, `mentions`,
        `articles`, in month order."""

    @abstractmethod
    def co_occurring(self, entity_id: int, limit: int = 20) -> list[dict[str, Any]]:
        """The entities named in the same articles (`id`, `canonical`, `label`, `articles`), most shared first."""

    @abstractmethod
    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               limit: int = 100, offset: int = 0, *, speaker_id: int | None = None) -> list[dict[str, Any]]:
        """Quotations in time order (`article_id`, `article_date`, `article_title`, `start`, `end`, `text`,
        `kind`, `cue`, `speaker_mention`, `speaker`: the archive entity's name where the speaker is one, else the
        name the article gave, `speaker_entity_id`): those of the archive entity `speaker_id` (and those whose
        speaker is no entity and named `speaker`), else of the speaker named `speaker`; within `article_ids`."""

    @abstractmethod
    def quotes_about(self, entity_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """Quotations whose text names the entity and whose speaker is not that entity, in time order (the
        fields of `quotes`)."""

    @abstractmethod
    def count_quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None, *,
                     speaker_id: int | None = None) -> int:
        """How many quotations `quotes` lists with the same filters, over all pages."""

    @abstractmethod
    def calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                         article_ids: Sequence[str] | None = None, limit: int = 500,
                         offset: int = 0) -> list[dict[str, Any]]:
        """Time expressions on the calendar, in the order of the periods they name (then article date, article,
        offset): each with its article's `article_date`, `article_title`, `article_structure` (JSON) and its
        `sentence` text. `entity_id`: only those whose sentence names the entity (`in_sentence`) or whose
        article does; `article_ids`: only in these articles (any number of them)."""

    @abstractmethod
    def count_calendar_timexes(self, *, entity_id: int | None = None, in_sentence: bool = True,
                               article_ids: Sequence[str] | None = None) -> int:
        """How many time expressions `calendar_timexes` lists with the same filters, over all pages."""

    @abstractmethod
    def mentions_in(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The entity mentions of the given articles (`article_id`, `start`, `end`, `id`, `canonical`, `label`),
        by article and offset."""

    @abstractmethod
    def speakers(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Speakers (`speaker`, `speaker_entity_id`, `quotes`, `articles`), one per archive entity (and one per
        name for speakers that are no entity), most quoted first."""

    # Links: the "Lees ook" references of the articles and the articles they point to (the archive resolves them).

    @abstractmethod
    def links_from(self, article_id: str) -> list[Link]:
        """The links of an article's references, in text order (`target_id` None where none was found)."""

    @abstractmethod
    def links_to(self, article_id: str, limit: int = 100) -> list[Link]:
        """The links that point to an article, their source articles newest first (then by source id, offset)."""

    @abstractmethod
    def links(self, after: int = 0, limit: int = 500, *, untried: bool = False) -> list[Link]:
        """Up to `limit` links with an id above `after`, in id order; with `untried`, only those not tried yet."""

    @abstractmethod
    def waiting_links(self, keys: Sequence[str]) -> list[Link]:
        """The links tried without finding a target whose `key` or `head` is one of `keys` (any number of them)."""

    @abstractmethod
    def save_links(self, links: Sequence[Link]) -> None:
        """Record what trying these links found (by their id): tried, key, head, target and score."""

    @abstractmethod
    def count_speakers(self) -> int:
        """How many speakers `speakers` lists, over all pages."""

    # The export readers: each streams every row of its kind (of all articles, or of the given ones, any number),
    # in one pass, so that an export of any size holds only a few rows at a time.

    @abstractmethod
    def export_rows(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Articles with their annotations (`StoredArticle.to_dict`), all in storage order or the given ones in
        the given order."""

    @abstractmethod
    def export_entities(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """The entities mentioned in these articles (`id`, `canonical`, `label`, `mentions` and `articles` counted
        in them, `variants`: the forms they are mentioned by there, sorted), most mentioned first, then by name
        and id."""

    @abstractmethod
    def export_quotes(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """The quotations of these articles, with the columns and in the order of `quotes`."""

    @abstractmethod
    def export_timexes(self, article_ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """The time expressions on the calendar of these articles, with the columns and in the order of
        `calendar_timexes`."""

    # --- stories ----------------------------------------------------------------------------------------------

    @abstractmethod
    def story_order(self, *, unassigned: bool = False) -> list[tuple[str, str | None]]:
        """(article id, first day of its period as ISO text or None) of every article, or of those in no story,
        in the order stories take them: by day, then id; undated articles last."""

    @abstractmethod
    def story_inputs(self, ids: Sequence[str], text_chars: int) -> list[tuple[str, str | None, str]]:
        """(id, title, the first `text_chars` characters of the text; all of it for 0) of the given articles, in
        the order given (ids not stored are left out)."""

    @abstractmethod
    def save_stories(self, members: Sequence[tuple[str, str, float]], stories: Sequence[StoryRow],
                     merges: Sequence[tuple[str, str]] = ()) -> None:
        """In one transaction: put articles in stories (article id, story id, score; an article already in a
        story is moved), then merge stories in the order given ((gone, into): the members of `gone` move to
        `into`, and the story `gone` is deleted), then write the given stories (replacing the rows of the same
        id)."""

    @abstractmethod
    def clear_stories(self) -> int:
        """Forget every story and membership; return the count of members."""

    @abstractmethod
    def count_stories(self, min_size: int = 1) -> int:
        """How many stories have at least `min_size` articles."""

    @abstractmethod
    def story_rows(self, ids: Sequence[str] | None = None, limit: int = 50, offset: int = 0,
                   min_size: int = 1) -> list[StoryRow]:
        """Stories (all, or the given ids) of at least `min_size` articles, latest first (by last date, then
        size, then id)."""

    @abstractmethod
    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article that is in one (any number of ids)."""

    @abstractmethod
    def story_members(self, story_id: str) -> list[tuple[str, float]]:
        """(article id, score) of a story's articles, by date then id."""

    @abstractmethod
    def entity_stories(self, entity_id: int, limit: int = 20) -> list[tuple[str, int]]:
        """(story id, count of its articles that name the entity), most first."""


def fill_annotations(arts: list[StoredArticle], by: dict[str, dict[str, list[dict[str, Any]]]],
                     stages: dict[str, dict[str, str]], story_of: dict[str, str]) -> list[StoredArticle]:
    """Put annotation rows read for a batch of articles in place: `by` holds, per kind (entities, quotes, timexes,
    sources), the rows of each article id; `stages` the analysed stages and their versions; `story_of` the story."""
    for a in arts:
        # lists of their own: an article asked for twice is two objects
        a.entities = [dict(x) for x in by["entities"].get(a.id, [])]
        a.quotes = [dict(x) for x in by["quotes"].get(a.id, [])]
        a.timexes = [dict(x) for x in by["timexes"].get(a.id, [])]
        a.other_sources = [dict(x) for x in by["sources"].get(a.id, [])]
        a.analyses = dict(stages.get(a.id, {}))
        a.story_id = story_of.get(a.id)
    return arts

"""Named schema migrations of the SQLite archive, each applied once and recorded in `migrations`."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from kroniek.model import name_key

# (name, SQL). Append new migrations; never edit one that has shipped.
MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    date TEXT,
    date_precision TEXT,
    date_start TEXT,            -- ISO day: first day of the period the date stands for
    date_end TEXT,              -- ISO day: last day of that period
    source TEXT,
    url TEXT,
    title TEXT,
    text TEXT NOT NULL,
    structure TEXT NOT NULL,    -- JSON of model.Structure
    language TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    origin_file TEXT,
    origin_line INTEGER,
    ingested_at TEXT NOT NULL
);
CREATE INDEX articles_date ON articles(date_start);
CREATE INDEX articles_source ON articles(source);

CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    file TEXT,
    line INTEGER,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE analyses (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,        -- entities, quotes, timexes
    version TEXT NOT NULL,      -- pipeline version that produced the stage's annotations
    at TEXT NOT NULL,
    PRIMARY KEY (article_id, stage)
);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    canonical TEXT NOT NULL,
    label TEXT NOT NULL,
    UNIQUE (canonical, label)
);
CREATE TABLE entity_variants (
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    PRIMARY KEY (entity_id, variant)
);
CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX mentions_article ON mentions(article_id);
CREATE INDEX mentions_entity ON mentions(entity_id);

CREATE TABLE quotes (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    cue TEXT NOT NULL DEFAULT '',
    speaker_mention TEXT NOT NULL DEFAULT '',
    speaker TEXT NOT NULL DEFAULT '',
    speaker_entity_id INTEGER REFERENCES entities(id)
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker);

CREATE TABLE timexes (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    ref_start TEXT,             -- ISO day: first day of the referenced period; NULL when not on the calendar
    ref_end TEXT,
    sentence_start INTEGER,
    sentence_end INTEGER
);
CREATE INDEX timexes_article ON timexes(article_id);
CREATE INDEX timexes_ref ON timexes(ref_start);
"""),
    # The change log: every stored or re-analysed article gets the next sequence number in the transaction that
    # changes it, so the search index (which records the last number it holds) can tell what it is missing after a
    # crash and catch up. Articles stored before this migration are logged once, in storage order.
    ("0002_changes", """
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL
);
INSERT INTO changes (article_id) SELECT id FROM articles ORDER BY rowid;
"""),
    # Stories: each article in at most one story; a story is known by the id of its first article and keeps its
    # title (the headline of its most representative article), its span of publication days and its keywords.
    ("0003_stories", """
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_article TEXT NOT NULL,
    first_date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    size INTEGER NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX stories_last ON stories(last_date);
CREATE TABLE story_members (
    article_id TEXT PRIMARY KEY REFERENCES articles(id),
    story_id TEXT NOT NULL,
    score REAL NOT NULL
);
CREATE INDEX story_members_story ON story_members(story_id);
"""),
    # The "Lees ook" references of every article and the archived article each points to, so that what points to
    # an article is one look-up. A reference is stored with its article, not tried yet; the archive resolves it
    # (kroniek/references.py) and tries unresolved ones again when articles of a matching title arrive. The
    # references of articles stored before this migration go in untried.
    ("0004_links", """
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,     -- offsets of the reference's text in the source article
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    tried INTEGER NOT NULL DEFAULT 0,
    key TEXT,                   -- the reference's title key without spaces, once tried
    head TEXT,                  -- the same of its part before a subtitle, where it has one
    target_id TEXT REFERENCES articles(id) ON DELETE SET NULL,
    score REAL,                 -- how well the reference matched the target's title (0-100)
    UNIQUE (source_id, start)
);
CREATE INDEX links_target ON links(target_id);
CREATE INDEX links_untried ON links(id) WHERE tried = 0;
CREATE INDEX links_waiting_key ON links(key) WHERE target_id IS NULL;
CREATE INDEX links_waiting_head ON links(head) WHERE target_id IS NULL;
INSERT INTO links (source_id, start, "end", text)
SELECT a.id, json_extract(r.value, '$.start'), json_extract(r.value, '$.end'), json_extract(r.value, '$.text')
FROM articles a, json_each(a.structure, '$.references') r ORDER BY a.rowid, r.key;
"""),
    # Every source of an article: the same text from a second source (or under a second address) is stored once
    # and the other places it came from are kept. And the quarantine keeps a bad record once, however often the
    # same input is read (the copies that earlier versions kept are removed).
    ("0005_sources_and_quarantine_once", """
CREATE TABLE article_sources (
    article_id TEXT NOT NULL REFERENCES articles(id),
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    origin_file TEXT,
    origin_line INTEGER,
    at TEXT NOT NULL,
    PRIMARY KEY (article_id, source, url)
);
DELETE FROM quarantine WHERE id NOT IN (SELECT min(id) FROM quarantine GROUP BY file, line, reason, raw);
CREATE INDEX quarantine_place ON quarantine(file, line);
"""),
    # Entity resolution across the archive. An entity row stays what an article's analysis named (a canonical name
    # and a label); resolution puts its mentions into an archive entity, itself a row: `resolved_id` is the entity
    # a row's mentions belong to (NULL: itself, not resolved yet), so an id once given keeps leading to the same
    # person. Each mention keeps the row its analysis gave it (`base_id`) and points at its archive entity
    # (`entity_id`), per article: one surname may stand for two people. Quotations keep their speaker's row the
    # same way. `name_key` (model.name_key: the folded last word) groups the names that may be one entity;
    # `entity_reasons` says why a row was merged into another entity, and in how many articles.
    ("0006_entity_resolution", """
ALTER TABLE entities ADD COLUMN resolved_id INTEGER REFERENCES entities(id);
ALTER TABLE entities ADD COLUMN name_key TEXT;
UPDATE entities SET name_key = kroniek_name_key(canonical);
CREATE INDEX entities_name_key ON entities(name_key);
ALTER TABLE mentions ADD COLUMN base_id INTEGER REFERENCES entities(id);
UPDATE mentions SET base_id = entity_id;
CREATE INDEX mentions_base ON mentions(base_id, article_id);
ALTER TABLE quotes ADD COLUMN speaker_base_id INTEGER REFERENCES entities(id);
UPDATE quotes SET speaker_base_id = speaker_entity_id;
CREATE INDEX quotes_speaker_entity ON quotes(speaker_entity_id);
CREATE TABLE entity_reasons (
    base_id INTEGER NOT NULL REFERENCES entities(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    reason TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (base_id, entity_id)
);
CREATE INDEX entity_reasons_entity ON entity_reasons(entity_id);
CREATE INDEX entity_variants_variant ON entity_variants(variant);
"""),
]


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the migrations and the store call: `kroniek_name_key(name)` is `model.name_key`."""
    conn.create_function("kroniek_name_key", 1, name_key, deterministic=True)


def pending(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations not yet recorded (the record table is made when missing)."""
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
    return [name for name, _ in MIGRATIONS if name not in done]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied now. Two processes must not migrate one
    archive at once: the store holds its writer lock around this (see `SQLiteStore`)."""
    register_functions(conn)
    todo = set(pending(conn))
    applied = []
    for name, sql in MIGRATIONS:
        if name not in todo:
            continue
        # executescript commits first and leaves the BEGIN open: the migration and its record (bound values, like
        # every value the store writes) then go in one transaction
        at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            conn.executescript("BEGIN;\n" + sql)
            conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, at))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied

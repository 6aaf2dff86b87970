"""The method of entity resolution: the entity rows of one name key, and the articles that name them, become
archive entities.

An article's own analysis already gives each mention the fullest name the article has for it ("Blok" and "Minister
Blok" are "Stef Blok" in an article that names Stef Blok; `kroniek.nlp.entities`), and the store keeps one row per
name and label. Across articles, resolution takes the rows whose names end in the same word (`model.name_key`) and
1. takes the rows of one name (case and accents aside) as one name, whatever label the NER gave it in each article:
   the entity has the label of most of its articles (label drift);
2. attaches a shorter name ("Rutte", "Van Moorsel", "J. Balkenende", "Jan Balkenende") to the full person name it
   is a part of, article by article, from the article's context: the other names it is named with (against the
   names the full name is named with elsewhere, rare names weighing more), the role words before it ("minister",
   "trainer") and its date (against the period in which the full name is named). With one full name that fits, the
   short name is attached unless the context speaks against it (another role, or none of the names the full name
   goes with) or gives nothing for it (no shared name or role, and more than `near_days` away); with two or more
   (Stef Blok, Kees Blok), it is attached to the one the context fits best by a clear margin, or else left apart;
3. names the entity after its fullest name in its most used spelling, with its most likely label; that name's row is
   the entity, so an id keeps leading to the same person when other rows join it.
Each row that joins another entity says why (`EntityLink.reason`). The result depends only on the group's rows and
the articles that name them, so resolving a group again after new articles gives what a full rebuild gives.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kroniek.model import EntityLink, fold, name_words
from kroniek.nlp.lang_nl.entity_roles import TITLES
from kroniek.nlp.lang_nl.speaker_roles import NAME_PARTICLES, PERSON_ROLES

LABELS = ("PER", "ORG", "LOC", "MISC")  # the order in which a tie between labels is broken

# Role words: the offices and functions that stand before a name ("minister Blok", "trainer van FC Zwolle Blok");
# forms of address ("mevrouw", "dr.") say nothing about who someone is and are left out.
ROLE_WORDS: frozenset[str] = frozenset(
    w for w in PERSON_ROLES | TITLES if " " not in w and "." not in w and w not in {
        "mevrouw", "meneer", "heer", "dhr", "mevr", "vader", "moeder", "broer", "zus", "zoon", "dochter",
        "echtgenoot", "echtgenote", "weduwe", "buurman", "buurvrouw", "burger", "inwoner", "bewoner", "bezoeker",
        "lid", "getuige"})
_HEAD_SET = frozenset(w for w in ROLE_WORDS if len(w) >= 6 and "-" not in w)
_HEAD_MIN, _HEAD_MAX = min(map(len, _HEAD_SET)), max(map(len, _HEAD_SET))
_CLAUSE_END = re.compile(r"[.,;:!?()\[\]\"“”„«»]")
_INITIAL = re.compile(r"(?:[a-z]\.)+|[a-z]")


@dataclass(frozen=True)
class ResolveParams:
    """The parameters of the method, chosen on the generated corpus of `benchmarks/entity_corpus.py` (seed 1) and
    the dev gold (docs/entities.md)."""

    # what speaks for a full name: the cosine between the names the article and the full name's articles are named
    # with (each weighted by how rare it is in the archive), a shared role, or the cosine of their words
    min_names: float = 0.07
    min_text: float = 0.2
    max_text_against: float = 0.05  # words this unlike speak against it, when no name or role speaks for it
    far_days: int = 1095  # and so does a date this far from the period in which the full name is named, when
    period_articles: int = 3  # that period is known from this many articles at least
    # of several full names, the score is names + role share + text_weight x words + time_weight x date (1 within
    # the full name's period, down to 0 at near_days from it); the best needs min_score and margin over the next
    text_weight: float = 2.0
    time_weight: float = 0.75
    near_days: int = 730
    min_role_share: float = 0.25  # the share of a full name's articles with a role that a role needs to be its own
    margin: float = 0.2
    min_score: float = 0.5
    profile_articles: int = 300  # the latest articles of a full name read for what it is named with


@dataclass(frozen=True)
class NameRow:
    """An entity row as stored: name, label, and how many articles name it (as their analysis gave it), with the
    first and last day (ordinal) of those articles."""

    id: int
    canonical: str
    label: str
    articles: int = 0
    mentions: int = 0
    first_day: int | None = None
    last_day: int | None = None


@dataclass(frozen=True)
class Occurrence:
    """An entity row named in one article: the article's day (ordinal; None when undated), the role words before
    its mentions there and how many mentions."""

    row_id: int
    article_id: str
    day: int | None = None
    roles: frozenset[str] = frozenset()
    mentions: int = 1


@dataclass
class Context:
    """What resolution knows of the articles at hand: for each, the name keys of the other entities it names and
    the unit TF-IDF vector of its opening words; how many articles of the archive name each key, out of how many;
    and a name to show for a key."""

    names: Mapping[str, frozenset[str]] = field(default_factory=dict)
    words: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    df: Mapping[str, int] = field(default_factory=dict)
    documents: int = 0
    display: Mapping[str, str] = field(default_factory=dict)

    def weight(self, key: str) -> float:
        """How much naming `key` together says: 1 for a name only one article has, less the more articles do."""
        n = max(self.documents, 2)
        return math.log(1 + n / max(self.df.get(key, 1), 1)) / math.log(1 + n)


def role_of(word: str) -> str | None:
    """The role a word names ("minister", "VVD-minister", "oud-minister", "buitenlandminister" -> minister)."""
    return _role(word.casefold().strip(".,;:!?()[]\"'“”‘’").rsplit("-", 1)[-1])


@functools.lru_cache(maxsize=65536)
def _role(w: str) -> str | None:
    if w in ROLE_WORDS:
        return w
    # a compound ending in a role of six letters or more, with at least three letters before it: longest first
    for k in range(min(_HEAD_MAX, len(w) - 3), _HEAD_MIN - 1, -1):
        if w[-k:] in _HEAD_SET:
            return w[-k:]
    return None


def roles_before(before: str, text: str = "") -> frozenset[str]:
    """The role words of one mention: titles it starts with ("Minister Blok" as one mention) and the role that
    stands just before it in its clause, with what it is of in between ("minister van Buitenlandse Zaken Stef
    Blok"); `before` is the article text before the mention."""
    roles = set()
    for word in text.split()[:-1]:
        role = role_of(word)
        if role is None:
            break
        roles.add(role)
    words = _CLAUSE_END.split(before)[-1].split()
    for word in reversed(words[-6:]):
        role = role_of(word)
        if role is not None:
            roles.add(role)
            break
        if not (word[:1].isupper() or word.casefold() in NAME_PARTICLES):
            break
    return frozenset(roles)


def _initial(word: str) -> bool:
    return _INITIAL.fullmatch(word) is not None


def fits(short: Sequence[str], full: Sequence[str]) -> bool:
    """Whether a shorter name (folded words) can be a short form of a full one: its last words ("Blok", "Van
    Moorsel" of "Leontien Zijlaard-Van Moorsel"), or its given name or initial and surname, leaving out middle
    names but no particle ("Jan Balkenende" and "J. Balkenende" of "Jan Peter Balkenende"; "Kees Blok" is not "Kees
    de Blok")."""
    if not short or len(short) >= len(full) or short[-1] != full[-1]:
        return False
    if tuple(full[-len(short):]) == tuple(short):
        return True
    first = short[0]
    if first != full[0] and not (_initial(first) and full[0].startswith(first[0])):
        return False
    i = 1
    for word in short[1:]:
        while i < len(full) and full[i] != word:
            if full[i] in NAME_PARTICLES:
                return False
            i += 1
        if i == len(full):
            return False
        i += 1
    return i == len(full)


@dataclass
class _Name:
    """The rows of one name (folded words), across labels and spellings."""

    words: tuple[str, ...]
    rows: list[NameRow] = field(default_factory=list)

    @property
    def spelling(self) -> str:
        """The most mentioned way of writing the name (without a role before it)."""
        weight: Counter[str] = Counter()
        first: dict[str, int] = {}
        for r in self.rows:
            text = without_roles(r.canonical)
            weight[text] += r.mentions
            first[text] = min(first.get(text, r.id), r.id)
        return min(weight, key=lambda t: (-weight[t], first[t]))

    @property
    def labels(self) -> Counter[str]:
        return Counter({r.label: r.articles for r in self.rows if r.articles} or {self.rows[0].label: 0})

    @property
    def person(self) -> bool:
        labels = self.labels
        total = sum(labels.values())
        return labels["PER"] * 2 >= total if total else any(r.label == "PER" for r in self.rows)

    @property
    def full(self) -> bool:
        """A given name and a surname: two words or more, the first no particle or initial."""
        return len(self.words) >= 2 and self.words[0] not in NAME_PARTICLES and not _initial(self.words[0])

    @property
    def span(self) -> tuple[int, int] | None:
        days = [d for r in self.rows for d in (r.first_day, r.last_day) if d is not None]
        return (min(days), max(days)) if days else None


def plan(rows: Iterable[NameRow]) -> tuple[set[int], set[int]]:
    """Which rows of a group need their mentions read: those of shorter names with a full name to attach to (every
    article: each is decided), and those of the full names they may attach to (the latest articles, for what the
    full name is named with)."""
    names = _names(rows)
    short: set[int] = set()
    full: set[int] = set()
    for name in names.values():
        cands = _candidates(name, names, lambda _n: True)  # whether a full name is a person is read from them
        if cands:
            short.update(r.id for r in name.rows)
            for c in cands:
                full.update(r.id for r in c.rows)
    return short, full - short


def without_roles(name: str) -> str:
    """A name without the role words before it that the analysis left in ("Hoogleraar Mirjam de Vries")."""
    words = name.split()
    while len(words) > 1 and role_of(words[0]) is not None:
        words = words[1:]
    return " ".join(words)


def _names(rows: Iterable[NameRow]) -> dict[tuple[str, ...], _Name]:
    names: dict[tuple[str, ...], _Name] = {}
    for r in rows:
        words = tuple(name_words(without_roles(r.canonical))) or (fold(r.canonical),)
        names.setdefault(words, _Name(words)).rows.append(r)
    return names


def _candidates(name: _Name, names: Mapping[tuple[str, ...], _Name], person: Callable[[_Name], bool]) -> list[_Name]:
    """The full person names a name may be a short form of: the longest ones only (a full name that is itself a
    short form of another is decided as a short name)."""
    fulls = [n for n in names.values() if n.full and person(n)]
    longest = [f for f in fulls if not any(fits(f.words, g.words) for g in fulls if g is not f)]
    return [f for f in longest if f is not name and fits(name.words, f.words)]


@dataclass
class _Decision:
    """Where one article's mentions of a short name go, and on what evidence."""

    target: tuple[str, ...] | None  # the words of the full name attached to; None: the short name stays apart
    kind: str = ""  # "same" (the same article names it in full), "only", "best"
    names: tuple[str, ...] = ()  # shared names (keys)
    roles: tuple[str, ...] = ()
    text: bool = False  # the article's words are like those of the full name's articles


def resolve_group(rows: Sequence[NameRow], occurrences: Iterable[Occurrence], context: Context | None = None,
                  params: ResolveParams | None = None) -> list[EntityLink]:
    """The links of every row of one name key: each row's own link (article None), and a link for each article in
    which the row's mentions belong to another entity than the row's own.

    `occurrences` are those that `plan` asked for, and `context` covers their articles."""
    params = params or ResolveParams()
    context = context or Context()
    names = _names(rows)
    by_row: dict[int, list[Occurrence]] = {}
    known = {r.id for r in rows}
    for o in occurrences:
        if o.row_id in known:
            by_row.setdefault(o.row_id, []).append(o)
    group_key = next(iter(names))[-1]
    profiles: dict[tuple[str, ...], _Profile] = {}

    def person(name: _Name) -> bool:
        """A person: PER in most of its articles, or a role before it in one ("Minister Stef Blok" that the NER
        took for an organisation)."""
        return name.person or any(o.roles for r in name.rows for o in by_row.get(r.id, ()))

    def label_of(o: Occurrence, row: NameRow) -> str:
        return "PER" if o.roles else row.label

    def profile(full: _Name) -> _Profile:
        if full.words not in profiles:
            profiles[full.words] = _Profile.of(full, [o for r in full.rows for o in by_row.get(r.id, ())], context,
                                               group_key)
        return profiles[full.words]

    # 1. every article of a short name with full names to go to is decided on its own
    decisions: dict[tuple[str, ...], dict[str, _Decision]] = {}
    for name in sorted(names.values(), key=lambda n: (len(n.words), n.words)):
        cands = _candidates(name, names, person)
        if not cands:
            continue
        per_article: dict[str, list[Occurrence]] = {}
        for r in name.rows:
            for o in by_row.get(r.id, ()):
                per_article.setdefault(o.article_id, []).append(o)
        row_of = {r.id: r for r in name.rows}
        out = decisions.setdefault(name.words, {})
        for aid, occs in per_article.items():
            labels = {label_of(o, row_of[o.row_id]) for o in occs}
            out[aid] = _decide(occs, labels, [profile(c) for c in cands], context, group_key, params)
    # 2. the entities: each name's own (its articles not attached elsewhere), with what attaches to it
    tally: dict[tuple[str, ...], Counter[str]] = {w: Counter() for w in names}
    for name in names.values():
        decided = decisions.get(name.words)
        for r in name.rows:
            occs = by_row.get(r.id, [])
            if decided is None and len({o.article_id for o in occs}) < r.articles:
                tally[name.words][r.label] += r.articles  # not every article read: the label the NER gave
                continue
            for o in occs:
                target = decided[o.article_id].target if decided is not None else None
                tally[target or name.words][label_of(o, r)] += 1
    entity: dict[tuple[str, ...], tuple[str, str]] = {}
    for words, counts in tally.items():
        name = names[words]
        votes = counts if sum(counts.values()) else name.labels
        entity[words] = (name.spelling, max(votes, key=lambda lb: (votes[lb], -_label_rank(lb))))
    # 3. the links of every row, with the reasons
    links: list[EntityLink] = []
    for name in names.values():
        decided = decisions.get(name.words)
        own = entity[name.words]
        for r in name.rows:
            if decided is None or not by_row.get(r.id):
                links.append(EntityLink(r.id, *own, _own_reason(r, own, tally[name.words])))
                continue
            per_target: dict[tuple[str, ...], list[tuple[str, _Decision]]] = {}
            for o in by_row[r.id]:
                d = decided[o.article_id]
                per_target.setdefault(d.target or name.words, []).append((o.article_id, d))
            others = [c.spelling for c in _candidates(name, names, person)]
            reasons = {t: (_own_reason(r, own, tally[name.words]) if t == name.words else
                           _attach_reason(r, name, names[t], [d for _, d in ds], entity[t][1], others,
                                          context.display))
                       for t, ds in per_target.items()}
            default = next((t for t in per_target if entity[t] == (r.canonical, r.label)), None)
            if default is None:
                default = max(per_target, key=lambda t: (len(per_target[t]), t == name.words, t))
            links.append(EntityLink(r.id, *entity[default], reasons[default]))
            for t, ds in per_target.items():
                if t != default:
                    links.extend(EntityLink(r.id, *entity[t], reasons[t], aid) for aid, _ in ds)
    return links


def _label_rank(label: str) -> int:
    return LABELS.index(label) if label in LABELS else len(LABELS)


@dataclass
class _Profile:
    """What a full name is named with: the share of its articles that name each other name, its role words, the
    mean vector of its articles' words, and its period."""

    name: _Name
    articles: frozenset[str]
    shares: dict[str, float]
    roles: Counter[str]
    words: dict[str, float]
    span: tuple[int, int] | None
    names_norm: float = 1.0

    @classmethod
    def of(cls, name: _Name, occs: Sequence[Occurrence], context: Context, group_key: str) -> _Profile:
        # in article order, so that the sums (and so the decisions) do not depend on the order of a set
        arts = sorted({o.article_id for o in occs})
        counts: Counter[str] = Counter(k for a in arts for k in sorted(context.names.get(a, ())) if k != group_key)
        seen: dict[str, set[str]] = {}
        for o in occs:
            seen.setdefault(o.article_id, set()).update(o.roles)
        roles: Counter[str] = Counter(r for a in arts for r in sorted(seen[a]))
        words: dict[str, float] = {}
        for a in arts:
            for t, w in context.words.get(a, {}).items():
                words[t] = words.get(t, 0.0) + w
        norm = math.sqrt(sum(w * w for w in words.values())) or 1.0
        n = max(len(arts), 1)
        shares = {k: c / n for k, c in counts.items()}
        names_norm = math.sqrt(sum((v * context.weight(k)) ** 2 for k, v in shares.items())) or 1.0
        return cls(name, frozenset(arts), shares, roles, {t: w / norm for t, w in words.items()}, name.span,
                   names_norm)


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def _decide(occs: Sequence[Occurrence], labels: set[str], cands: Sequence[_Profile], context: Context,
            group_key: str, params: ResolveParams) -> _Decision:
    """Where the mentions of a short name in one article go: to the full name the article names too; to the one
    full name the context speaks for and not against; to the one of several that the context fits best by
    `margin`; or nowhere."""
    aid = occs[0].article_id
    same = [c for c in cands if aid in c.articles]
    if same and (len(same) == len(cands) or labels != {"PER"}):
        return _Decision(same[0].name.words, "same")
    # a full name the article names that its own analysis did not give these person mentions (named too far after
    # them to be meant: kroniek.nlp.entities) is left out when there are others to choose from
    cands = [c for c in cands if aid not in c.articles]
    names = context.names.get(aid, frozenset()) - {group_key}
    words = context.words.get(aid, {})
    day = next((o.day for o in occs if o.day is not None), None)
    roles = frozenset().union(*(o.roles for o in occs))
    person = "PER" in labels
    scored = []
    for c in cands:
        shared = sorted((k for k in names if k in c.shares), key=lambda k: (-c.shares[k] * context.weight(k), k))
        norm = math.sqrt(sum(context.weight(k) ** 2 for k in sorted(names))) or 1.0
        name_score = sum(c.shares[k] * context.weight(k) ** 2 for k in shared) / (norm * c.names_norm)
        # a role counts by its share of the full name's articles with a role: one it has in a stray article (an
        # article's "advocaat Bergsma" given to the other Bergsma it names) neither speaks for it nor holds it back
        role_total = sum(c.roles.values())
        role_share = max((c.roles[r] / role_total for r in roles if r in c.roles), default=0.0)
        role_hit = tuple(sorted(r for r in roles if r in c.roles and c.roles[r] / role_total >= params.min_role_share))
        text = _cosine(words, c.words) if words and c.words else None
        gap = max(0, c.span[0] - day, day - c.span[1]) if day is not None and c.span is not None else None
        time_score = max(0.0, 1 - gap / params.near_days) if gap is not None else 0.0
        for_it = name_score >= params.min_names or bool(role_hit) or (text is not None and text >= params.min_text)
        against = (bool(roles) and bool(c.roles) and not role_hit) or (
            gap is not None and gap > params.far_days and len(c.articles) >= params.period_articles) or (
            text is not None and text < params.max_text_against and name_score < params.min_names and not role_hit)
        score = (name_score + (role_share if role_hit else 0.0) + params.text_weight * (text or 0.0)
                 + params.time_weight * time_score)
        scored.append((score, c, tuple(shared[:3]), role_hit, for_it, against,
                       text is not None and text >= params.min_text))
    if len(scored) == 1:
        score, c, top, role_hit, for_it, against, similar = scored[0]
        if for_it and not against and (person or top or role_hit):
            return _Decision(c.name.words, "only", top, role_hit, similar)
        return _Decision(None)
    fitting = sorted((s for s in scored if not s[5]), key=lambda s: -s[0])
    if not fitting:
        return _Decision(None)
    best = fitting[0]
    second = fitting[1][0] if len(fitting) > 1 else 0.0
    if best[4] and best[0] >= params.min_score and best[0] - second >= params.margin and (person or best[2] or best[3]):
        return _Decision(best[1].name.words, "best", best[2], best[3], best[6])
    return _Decision(None)


def _counts_text(counts: Counter[str]) -> str:
    return ", ".join(f"{lb} in {n} article{'s' if n != 1 else ''}"
                     for lb, n in sorted(counts.items(), key=lambda kv: (-kv[1], _label_rank(kv[0]))) if n)


def _own_reason(row: NameRow, own: tuple[str, str], counts: Counter[str]) -> str:
    """Why a row is part of its own name's entity: nothing (it is the entity), label drift, or another spelling."""
    if (row.canonical, row.label) == own:
        return ""
    parts = []
    if row.label != own[1]:
        parts.append(f"label drift: {_counts_text(counts)}")
    if row.canonical != own[0]:
        parts.append(f"the same name written as {own[0]}")
    return "; ".join(parts)


def _attach_reason(row: NameRow, short: _Name, full: _Name, decisions: Sequence[_Decision], label: str,
                   candidates: Sequence[str], display: Mapping[str, str]) -> str:
    # what the articles that do not name the full name say weighs more than those that do
    across = [d for d in decisions if d.kind != "same"] or list(decisions)
    kind = Counter(d.kind for d in across).most_common(1)[0][0]
    decisions = across
    form = "surname" if tuple(full.words[-len(short.words):]) == short.words else "short form"
    who = full.spelling
    if kind == "same":
        text = f"named in full as {who} in the same article"
    elif kind == "only":
        text = f"{form} of the only {short.spelling} named in full, {who}"
    else:
        others = ", ".join(c for c in sorted(candidates) if c != who)
        text = f"{form} of {who}, whom the articles fit best of the people named {short.spelling} in full (also {others})"
    shared: Counter[str] = Counter(k for d in decisions for k in d.names)
    roles: Counter[str] = Counter(r for d in decisions for r in d.roles)
    evidence = []
    if shared:
        evidence.append("named with " + ", ".join(display.get(k, k) for k, _ in shared.most_common(3)))
    if roles:
        evidence.append("as " + ", ".join(r for r, _ in roles.most_common(2)))
    if kind != "same" and any(d.text for d in decisions):
        evidence.append("in articles on the same subject")
    if row.label != label:
        evidence.append(f"labelled {row.label} there")
    return "; ".join([text, *evidence])

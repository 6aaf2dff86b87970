"""Entity normalisation: the component `kroniek_entities` and the rules behind it.

Within an article every entity mention gets a canonical name, written to `doc._.canonical` keyed by the mention's
(start_char, end_char):
- a person's shorter or titled mention takes the fullest name in the article it is a part of ("Blok", "Minister
  Blok" -> "Stef Blok"): of two such names (Stef Blok, Kees Blok) the one named nearest before it, and a name named
  only after it only within `CATAPHOR_CHARS` ("Blok wil ..., zegt minister Stef Blok"; a "Blok" well before the
  only Kees Blok of the article is not taken for him); titles before a name are never part of it (see
  `lang_nl.entity_roles.TITLES`);
- an acronym takes the organisation name whose initials it spells ("VVD" with "Volkspartij voor Vrijheid en
  Democratie" in the same article);
- everything else takes its own text with the spacing normalised.
Definite noun phrases that refer back to something named earlier get an entry in `doc._.canonical` too: "het
ministerie" -> "ministerie van Buitenlandse Zaken" when the article named it, "de bewindsman" -> the last person
named with a minister's title. `canonical_for(doc, start, end)` answers for any span (a quotation's speaker, say).
Across the archive, `entity_key` gives the key under which one entity's mentions are merged, and `merge_entities`
groups mentions into one entity per canonical name with its variants.
The component `kroniek_ner_fix`, part of the shipped model right after the NER, holds the rules over the model's
output (`trim_entities`, `relabel_surnames`, `tag_flight_numbers`, `propagate_entities`,
`drop_reference_lead_ins`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy
from spacy.attrs import ENT_IOB, IDX, LOWER, ORTH, SHAPE
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from kroniek.nlp import extensions
from kroniek.nlp.extensions import doc_text
from kroniek.nlp.lang_nl.entity_roles import FLIGHT_NOUNS, ORG_HEADS, PERSON_REFERENCES, TITLES

DETERMINERS = frozenset({"de", "het", "die", "dat", "deze", "dit"})
# Lower-case words inside names that acronyms skip ("Partij van de Arbeid" -> PvdA keeps them, so both are tried).
PARTICLES = frozenset({"van", "voor", "de", "der", "den", "het", "en", "op", "in", "'t", "te", "ten", "ter"})
# A person's shorter mention takes a full name named after it only this close (characters) after it.
CATAPHOR_CHARS = 200
# The string ids (as in a Doc's LOWER array) of the nouns that refer back to a named person or organisation.
_REFERENCE_NOUN_IDS = numpy.array(sorted({get_string_id(noun) for noun in (*PERSON_REFERENCES, *ORG_HEADS)}),
                                  dtype="uint64")
# The same ids for the words the rules below look up in a Doc's LOWER array.
_DETERMINER_IDS = frozenset(get_string_id(word) for word in DETERMINERS)
_TITLE_BY_ID = {get_string_id(title): title for title in TITLES}
_ORG_HEAD_BY_ID = {get_string_id(head): head for head in ORG_HEADS}
_VAN_ID = get_string_id("van")


@dataclass(frozen=True)
class Mention:
    """An entity mention: character offsets into the article text, its text and its label."""

    start: int
    end: int
    text: str
    label: str


def clean_name(text: str, label: str = "PER") -> str:
    """The name without surrounding space, doubled spaces, a possessive 's or (for persons) titles before it."""
    words = text.split()
    if label == "PER":
        while len(words) > 1 and words[0].casefold() in TITLES:
            words = words[1:]
        if len(words) > 1 and words[-1] in ("'s", "’s"):
            words = words[:-1]
    return " ".join(words)


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """The text in lower-case ASCII (accents dropped); remembered, as the same names come back in every article."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def acronym_variants(name: str) -> set[str]:
    """Acronyms a multi-word name may go by, with and without its lower-case particles."""
    words = [w for w in re.split(r"[\s-]+", name) if w]
    if len(words) < 2:
        return set()
    caps = "".join(w[0] for w in words if w[0].isupper())
    full = "".join(w[0] for w in words)
    mixed = "".join(w[0] if w[0].isupper() else w[0].lower() for w in words)
    return {v.casefold() for v in (caps, full, mixed) if len(v) >= 2}


def _is_acronym(text: str) -> bool:
    letters = text.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 8 and " " not in text and sum(c.isupper() for c in letters) >= 2


def canonical_names(mentions: list[Mention]) -> dict[tuple[int, int], str]:
    """Canonical names of the mentions of one article, keyed by (start, end)."""
    out: dict[tuple[int, int], str] = {}
    persons = [(m, clean_name(m.text, "PER").split()) for m in mentions if m.label == "PER"]
    full = [(m, words, [_fold(w) for w in words]) for m, words in persons if len(words) >= 2]
    for m, words in persons:
        folded = [_fold(w) for w in words]
        fitting = []
        for other, owords, ofolded in full:
            if len(ofolded) <= len(folded):
                continue
            suffix = ofolded[-len(folded):] == folded
            first_name = len(folded) == 1 and ofolded[0] == folded[0]
            if suffix or first_name:
                fitting.append((other, owords, ofolded))
        # The full name named nearest before this mention (two people of one surname: the one just spoken of);
        # one named only after it, only as close as a lede ("Blok wil ..., zegt minister Stef Blok").
        before = [f for f in fitting if f[0].start <= m.start]
        after = [f for f in fitting if f[0].start > m.start and f[0].start - m.end <= CATAPHOR_CHARS]
        chosen = max(before, key=lambda f: f[0].start) if before else min(after, key=lambda f: f[0].start,
                                                                            default=None)
        if chosen is None:
            out[(m.start, m.end)] = " ".join(words)
            continue
        # and of that name the longest form the article has ("Peter Balkenende" -> "Jan Peter Balkenende")
        longer = [f for f in fitting if f[2][-len(chosen[2]):] == chosen[2]]
        out[(m.start, m.end)] = " ".join(max(longer, key=lambda f: (len(f[2]), f[0].start <= m.start))[1])
    orgs = [m for m in mentions if m.label == "ORG"]
    by_acronym: dict[str, str] = {}
    for m in orgs:
        name = clean_name(m.text, "ORG")
        for variant in acronym_variants(name):
            by_acronym.setdefault(variant, name)
    for m in mentions:
        if m.label == "PER":
            continue
        name = clean_name(m.text, m.label)
        if m.label == "ORG" and _is_acronym(name):
            name = by_acronym.get(name.replace(".", "").casefold(), name)
        out[(m.start, m.end)] = name
    return out


def _person_titles(doc: Doc, canonical: dict[tuple[int, int], str], ents: Sequence[SpacySpan] | None = None,
                   lowers: list[int] | None = None) -> list[tuple[int, str, set[str]]]:
    """(start_char, canonical name, titles seen before any of its mentions) for each person mention in order.

    `ents` and `lowers` (the Doc's LOWER array) may be given where the caller has them already."""
    spans = doc.ents if ents is None else ents
    lowers = doc.to_array(LOWER).tolist() if lowers is None else lowers
    text = doc_text(doc)
    titles_of: dict[str, set[str]] = {}
    order: list[tuple[int, str]] = []
    for ent in spans:
        if ent.label_ != "PER":
            continue
        start, end = ent.start_char, ent.end_char
        name = canonical[(start, end)] if (start, end) in canonical else text[start:end]
        seen = titles_of.setdefault(name, set())
        # the three words before the name and the name's own words
        for k in range(max(0, ent.start - 3), ent.end):
            title = _TITLE_BY_ID.get(lowers[k])
            if title is not None:
                seen.add(title)
        order.append((start, name))
    return [(start, name, titles_of[name]) for start, name in order]


def nominal_references(doc: Doc, canonical: dict[tuple[int, int], str],
                       ents: Sequence[SpacySpan] | None = None) -> dict[tuple[int, int], str]:
    """Definite noun phrases ("het ministerie", "de bewindsman") resolved to what the article named before."""
    out: dict[tuple[int, int], str] = {}
    rows = doc.to_array([LOWER, IDX])
    # only the words that can refer back are visited, found by their ids in one read of the Doc's array
    candidates = numpy.flatnonzero(numpy.isin(rows[:, 0], _REFERENCE_NOUN_IDS)).tolist() if len(doc) else []
    if not candidates:
        return out
    lowers = rows[:, 0].tolist()
    spans = doc.ents if ents is None else ents
    in_entity = {i for ent in spans for i in range(ent.start, ent.end)}
    persons: list[tuple[int, str, set[str]]] | None = None  # worked out when a word needs them
    full_orgs: list[tuple[int, str, str]] | None = None  # (start_char, head noun, full name)
    for i in candidates:
        if i == 0 or i in in_entity or lowers[i - 1] not in _DETERMINER_IDS:
            continue
        tok = doc[i]
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and (nxt.i in in_entity or nxt.lower_ == "van"):
            continue  # a title before a name, or a full name of its own
        key = (doc[tok.i - 1].idx, tok.idx + len(tok.text))
        if tok.lower_ in PERSON_REFERENCES:
            if persons is None:
                persons = _person_titles(doc, canonical, spans, lowers)
            wanted = PERSON_REFERENCES[tok.lower_]
            found = [name for start, name, titles in persons if start < tok.idx and titles & wanted]
            if found:
                out[key] = found[-1]
        elif tok.lower_ in ORG_HEADS:
            if full_orgs is None:
                full_orgs = _full_organisations(doc, spans, lowers, rows[:, 1].tolist())
            orgs = [name for start, head, name in full_orgs if start < tok.idx and head == tok.lower_]
            if orgs:
                out[key] = orgs[-1]
    return out


def _full_organisations(doc: Doc, ents: Sequence[SpacySpan], lowers: list[int],
                        offsets: list[int]) -> list[tuple[int, str, str]]:
    """(start_char, head noun, full name) of the organisations an article names in full: "ministerie van
    Buitenlandse Zaken" (a head noun, "van" and a name), or a name with a head noun in it ("Gemeentebank")."""
    text = doc_text(doc)
    out: list[tuple[int, str, str]] = []
    for ent in ents:
        if ent.label_ not in ("ORG", "LOC") or ent.start < 2:
            continue
        head = _ORG_HEAD_BY_ID.get(lowers[ent.start - 2])
        ent_text = text[ent.start_char:ent.end_char]
        if lowers[ent.start - 1] == _VAN_ID and head is not None:
            out.append((offsets[ent.start - 2], head, f"{head} van {ent_text}"))
        elif ent.label_ == "ORG":
            folded = _fold(ent_text)
            for noun in ORG_HEADS:
                if folded.endswith(noun) or folded.startswith(noun + " "):
                    out.append((ent.start_char, noun, ent_text))
    return out


def normalise(doc: Doc) -> dict[tuple[int, int], str]:
    """Canonical names for the doc's entities and the noun phrases that refer back to them."""
    ents = doc.ents
    text = doc_text(doc)
    mentions = [Mention(e.start_char, e.end_char, text[e.start_char:e.end_char], e.label_) for e in ents]
    canonical = canonical_names(mentions)
    for key, name in nominal_references(doc, canonical, ents).items():
        canonical.setdefault(key, name)
    return canonical


def canonical_for(doc: Doc, start: int, end: int) -> str | None:
    """The canonical name for the span start:end of the doc's text: an exact entry, else the last entry inside it."""
    canonical = doc._.canonical or {}
    if (start, end) in canonical:
        return canonical[(start, end)]
    inside = [(s, e) for s, e in canonical if start <= s and e <= end]
    return canonical[max(inside)] if inside else None


@Language.component("kroniek_entities", requires=["doc.ents"], assigns=["doc._.canonical"])
def kroniek_entities(doc: Doc) -> Doc:
    """Write the canonical name of every entity (and of nominal references) to `doc._.canonical`."""
    extensions.register()
    doc._.canonical = normalise(doc)
    return doc


def entity_key(label: str, name: str) -> str:
    """The archive-wide key of an entity: its label and its name folded to lower-case ASCII with single spaces."""
    return f"{label}:{' '.join(_fold(name).split())}"


@dataclass
class ArchiveEntity:
    """One entity across the archive: its canonical name, label, and the variants it was mentioned by."""

    key: str
    name: str
    label: str
    variants: Counter[str] = field(default_factory=Counter)
    mentions: int = 0


def merge_entities(mentions: Iterable[tuple[str, str, str]]) -> dict[str, ArchiveEntity]:
    """Group (label, canonical name, mention text) triples into one entity per key; the most used spelling wins."""
    out: dict[str, ArchiveEntity] = {}
    spellings: dict[str, Counter[str]] = {}
    for label, name, text in mentions:
        key = entity_key(label, name)
        ent = out.setdefault(key, ArchiveEntity(key, name, label))
        ent.variants[text] += 1
        ent.mentions += 1
        spellings.setdefault(key, Counter())[name] += 1
    for key, ent in out.items():
        ent.name = spellings[key].most_common(1)[0][0]
    return out


def _bare_punct(text: str) -> bool:
    return not any(c.isalnum() for c in text)


def _set_ents(doc: Doc, spans: list[SpacySpan], changed: bool) -> None:
    """`doc.set_ents(spans)`, left out where it would change nothing: the spans are the Doc's entities as they
    stand (`changed` False) and every token has its entity annotation (as the NER leaves them), so that setting
    them again would only write the same values back."""
    if changed or (len(doc) and not doc.to_array(ENT_IOB).all()):
        doc.set_ents(spans)


def trim_entities(doc: Doc) -> Doc:
    """Trim punctuation-only tokens off both ends of every entity and drop entities left empty.

    A name never starts or ends with a quotation mark or a dash; the model, trained on text with other marks than
    real articles use, sometimes takes one in (or tags one alone).
    """
    ents = doc.ents
    strings = doc.vocab.strings
    orths = doc.to_array(ORTH).tolist() if ents else []
    spans = []
    changed = False
    for ent in ents:
        start, end = ent.start, ent.end
        while start < end and _bare_punct(strings[orths[start]]):
            start += 1
        while end > start and _bare_punct(strings[orths[end - 1]]) and not (
                strings[orths[end - 1]] == ")" and "(" in doc[start:end - 1].text):
            end -= 1
        if (start, end) == (ent.start, ent.end):
            spans.append(ent)
            continue
        changed = True
        if end > start:
            span = doc.char_span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), label=ent.label_)
            if span is not None:
                spans.append(span)
    _set_ents(doc, spans, changed)
    return doc


def relabel_surnames(doc: Doc) -> Doc:
    """Label PER an entity that is exactly the surname (or the full name) of a person named in the same article.

    Once an article has named "Stef Blok", a later "Blok" is that person, whatever label the model gave it alone.
    """
    ents = doc.ents
    text = doc_text(doc)
    names: set[tuple[str, ...]] = set()
    for ent in ents:
        if ent.label_ == "PER":
            words = tuple(clean_name(text[ent.start_char:ent.end_char], "PER").split())
            if len(words) >= 2:
                names.add(words)
                names.add(words[-1:])
    if not names:
        return doc
    spans: list[SpacySpan] = []
    changed = False
    for ent in ents:
        if ent.label_ != "PER" and tuple(text[ent.start_char:ent.end_char].split()) in names:
            ent = SpacySpan(doc, ent.start, ent.end, label="PER")
            changed = True
        spans.append(ent)
    _set_ents(doc, spans, changed)
    return doc


def drop_reference_lead_ins(doc: Doc) -> Doc:
    """Drop entities in the lead-in of a cross-reference line ("Lees ook:"): it is layout, not a name.

    Needs the article structure (`doc._.structure`, set by the analysis before the pipeline); without it, a no-op.
    """
    structure = doc._.structure if Doc.has_extension("structure") else None
    if structure is None or not structure.references:
        return doc
    text = doc_text(doc)
    lead_ins = [(text.rfind("\n", 0, ref.start) + 1, ref.start) for ref in structure.references]
    ents = doc.ents
    keep = [e for e in ents if not any(s <= e.start_char and e.end_char <= r for s, r in lead_ins)]
    if len(keep) != len(ents):
        doc.set_ents(keep)
    return doc


# A flight number: the airline's two-character IATA designator (two letters, or a letter and a digit either way
# round), one to four digits and an optional suffix letter ("MH17", "KL1395", "U21234", "HV5804A").
FLIGHT_NUMBER = re.compile(r"(?:[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])[0-9]{1,4}[A-Z]?")


# The ids of the word shapes (spaCy's SHAPE: X a capital, d a digit) a flight number can have.
_FLIGHT_SHAPE_IDS = numpy.array(sorted({get_string_id(f"{head}{'d' * digits}{tail}") for head in ("XX", "Xd", "dX")
                                      for digits in range(1, 5) for tail in ("", "X")}), dtype="uint64")


def _is_flight_noun(word: str) -> bool:
    lower = word.casefold()
    return lower in FLIGHT_NOUNS or lower.endswith(("vlucht", "vluchten"))


def tag_flight_numbers(doc: Doc) -> Doc:
    """Label MISC a flight number the article introduces after a flight noun ("vlucht MH17"), and every later or
    earlier mention of the same number in the article ("Rusland aansprakelijk voor MH17").

    The annotation convention counts flights as MISC; the newspaper text the model learnt from has none, so the model
    leaves them out. A code alone is not taken for a flight ("A4" is a road, "F16" a plane): only one the article
    itself calls a flight, and, from then on, that same code.
    """
    if not len(doc) or not numpy.isin(doc.to_array(SHAPE), _FLIGHT_SHAPE_IDS).any():
        return doc  # most articles: no word shaped like a flight number (one read of the Doc's array)
    numbers = {tok.text for tok in doc[1:]
               if FLIGHT_NUMBER.fullmatch(tok.text) and _is_flight_noun(doc[tok.i - 1].text)}
    if not numbers:
        return doc
    spans = [ent for ent in doc.ents if ent.text not in numbers]  # a number the model labelled is re-labelled
    taken = {i for s in spans for i in range(s.start, s.end)}
    for tok in doc:
        if tok.text in numbers and tok.i not in taken:
            spans.append(SpacySpan(doc, tok.i, tok.i + 1, label="MISC"))
    doc.set_ents(sorted(spans, key=lambda s: s.start))
    return doc


def propagate_entities(doc: Doc) -> Doc:
    """Tag the other mentions of a name the model found once in the article and missed elsewhere.

    A name the model tagged somewhere in the article ("Rusland" LOC) is tagged, with the label it got most often, where
    the same words stand untagged, as long as the mention starts with a capital and is not the first part of a longer
    capitalised name ("Blok" is not tagged inside "Blok Bank"). Longer names are tried first. On ned.testa this takes
    overall F1 from 0.7625 to 0.7676 (docs/benchmarks.md).
    """
    ents = doc.ents  # each read of doc.ents makes its spans anew
    if not ents:
        return doc
    strings = doc.vocab.strings
    orth_ids = doc.to_array(ORTH)
    orths = orth_ids.tolist()
    labels: dict[tuple[str, ...], Counter[str]] = {}
    for ent in ents:
        labels.setdefault(tuple(strings[o] for o in orths[ent.start:ent.end]), Counter())[ent.label_] += 1
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for key in sorted(labels, key=len, reverse=True):
        if key[0][:1].isupper():
            by_first.setdefault(key[0], []).append(key)
    if not by_first:
        return doc
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    spans = list(ents)
    n = len(doc)
    # only the tokens that can start a name are visited, found by their word ids in the Doc's array
    firsts = numpy.array(sorted({strings[word] for word in by_first}), dtype="uint64")
    for i in numpy.flatnonzero(numpy.isin(orth_ids, firsts)).tolist():
        if i in taken:
            continue
        for key in by_first[strings[orths[i]]]:
            j = i + len(key)
            if (j <= n and all(strings[orths[k]] == word for k, word in zip(range(i, j), key, strict=True))
                    and not taken.intersection(range(i, j))
                    and (j == n or not strings[orths[j]][:1].isupper())):
                spans.append(SpacySpan(doc, i, j, label=labels[key].most_common(1)[0][0]))
                taken.update(range(i, j))
                break
    if len(spans) != len(ents):
        doc.set_ents(sorted(spans, key=lambda s: s.start))
    return doc


@Language.component("kroniek_ner_fix", requires=["doc.ents"], assigns=["doc.ents"])
def kroniek_ner_fix(doc: Doc) -> Doc:
    """Rules over the NER output: punctuation off entity edges, no names in reference lead-ins, surnames of named
    persons labelled PER, flight numbers the article names labelled MISC, names found once tagged throughout.

    The lead-ins go first, so that a lead-in the model took for a name ("Lees", "Ook") is not spread over the
    article, and once more last, in case a name found elsewhere stands in one."""
    doc = relabel_surnames(drop_reference_lead_ins(trim_entities(doc)))
    return drop_reference_lead_ins(propagate_entities(tag_flight_numbers(doc)))

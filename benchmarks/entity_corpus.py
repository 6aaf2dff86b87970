"""A generated corpus with known people, for entity resolution across articles.

Fictional people, each with a given name and a surname, a field (politics, football, business, culture, justice,
science), a role ("minister", "trainer", "topman"), the organisations and the town they go with and a period of a
few years in which they are in the news. Surnames are shared on purpose: some by two people in different fields,
some by two people in the same field (two politicians named Blok), some by people of different decades. Each
article is about one person, dated in their period, and names one to three others of the same field; it names its
person in full (then by surname, with or without the role), or by surname only (with the role before it in half of
those articles), and its others in full or, now and then, by role and surname (never when another person in the
article has that surname: a reporter would not leave two people named alike to the reader's guess). Which person each name stands for is known:
the gold.

    python benchmarks/entity_corpus.py --seed 1 --people 60 --articles 400 --out var/bench/entities-1.jsonl

writes the articles as JSON Lines (id, date, title, source, text) and the gold beside them (`<out>.gold.jsonl`:
one line per person an article names, with the article, the offsets and text of its first mention there, and the
person). Seeded: one seed, one corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIRST_NAMES = (
    "Stef", "Kees", "Anne", "Marieke", "Jan", "Pieter", "Sanne", "Eva", "Bram", "Joost", "Ingrid", "Lotte", "Hans",
    "Karin", "Ruud", "Femke", "Wouter", "Esther", "Mark", "Sophie", "Dirk", "Thijs", "Mirjam", "Frank", "Linda",
    "Erik", "Hanneke", "Gerrit", "Ilse", "Maarten", "Roel", "Judith", "Koen", "Noor", "Henk", "Petra", "Vincent",
    "Wendy", "Arjen", "Marloes", "Sander", "Els", "Bas", "Inge", "Jeroen", "Carla", "Niels", "Yvonne",
)
SURNAMES = (
    "Blok", "Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
    "Hendriks", "Dekker", "Brouwer", "de Groot", "van Dijk", "Koster", "Prins", "Huisman", "Kuipers", "Verbeek",
    "Postma", "van der Linden", "Schouten", "Willems", "Hoekstra", "Kok", "Jacobs", "van Leeuwen", "Sluiter",
    "Veenstra", "Timmermans", "Wijnands", "Oosterhuis", "Bergsma", "Claassen", "Dijkstra", "Terpstra",
)


@dataclass(frozen=True)
class Field:
    roles: tuple[str, ...]
    orgs: tuple[str, ...]
    places: tuple[str, ...]
    events: tuple[str, ...]  # sentences about the article's person: {p} the person, {org}, {place}, {n}
    lines: tuple[str, ...]  # what the person says
    others: tuple[str, ...]  # sentences naming another person {o} of the field


FIELDS: dict[str, Field] = {
    "politiek": Field(
        ("minister", "staatssecretaris", "kamerlid", "fractievoorzitter", "burgemeester", "wethouder"),
        ("VVD", "CDA", "PvdA", "D66", "GroenLinks", "SP", "ChristenUnie", "ministerie van Financiën",
         "ministerie van Buitenlandse Zaken", "ministerie van Defensie", "Tweede Kamer", "Eerste Kamer"),
        ("Den Haag", "Brussel", "Utrecht", "Zwolle", "Maastricht", "Groningen"),
        ("{p} verdedigde donderdag in de Tweede Kamer het plan van het {org} om {n} miljoen euro te besteden.",
         "{p} kreeg in {place} veel kritiek op de begroting.",
         "Volgens {p} moet het kabinet de bezuinigingen heroverwegen.",
         "{p} sprak in {place} met partijgenoten van {org} over de verkiezingen.",
         "Het debat over de begroting duurde tot diep in de nacht; {p} hield vast aan het voorstel.",
         "{p} stuurde een brief aan de Kamer over de gevolgen van de hervorming."),
        ("“We moeten de begroting op orde brengen”, zegt {p}.", "“Dit voorstel is zorgvuldig voorbereid”, aldus {p}.",
         "“Ik sta achter dit besluit”, zei {p} na afloop."),
        ("Ook {o} mengde zich in het debat.", "{o} noemde het voorstel onverstandig.",
         "Het plan werd gesteund door {o}.")),
    "voetbal": Field(
        ("trainer", "aanvoerder", "spits", "keeper", "directeur"),
        ("FC Zwolle", "Vitesse", "Heracles Almelo", "NAC Breda", "Willem II", "FC Groningen", "Sparta", "KNVB"),
        ("Zwolle", "Arnhem", "Almelo", "Breda", "Tilburg", "Groningen", "Rotterdam"),
        ("{p} zag zijn ploeg in {place} met {n}-1 winnen van {org}.",
         "Na de nederlaag tegen {org} was {p} somber over de kansen op handhaving.",
         "{p} verlengde zijn contract bij {org} met twee seizoenen.",
         "In het stadion van {org} kwamen zaterdag ruim {n}.000 toeschouwers kijken hoe {p} zijn ploeg aanvuurde.",
         "{p} wil in de winterstop twee nieuwe spelers halen.",
         "De selectie van {org} trainde woensdag onder leiding van {p} op het veld in {place}."),
        ("“We hebben de tweede helft goed gespeeld”, zegt {p}.", "“De jongens hebben alles gegeven”, aldus {p}.",
         "“Dit is een belangrijke overwinning”, zei {p} na de wedstrijd."),
        ("Ook {o} was op de tribune te vinden.", "{o} scoorde twee keer in de tweede helft.",
         "De overstap van {o} werd vrijdag bekend.")),
    "bedrijf": Field(
        ("topman", "directeur", "bestuursvoorzitter", "oprichter"),
        ("Noordzee Energie", "Bouwgroep Dijkman", "Hollandia Foods", "DataNed", "Koninklijke Wijnberg",
         "Rederij Westerhaven", "Transportbedrijf Vermeulen", "Nederlandse Spoorwegen"),
        ("Amsterdam", "Rotterdam", "Eindhoven", "Amersfoort", "Hengelo", "Delft"),
        ("{p} maakte in {place} de jaarcijfers van {org} bekend: de omzet steeg met {n} procent.",
         "{p} kondigde aan dat {org} {n}0 banen schrapt.",
         "Onder leiding van {p} nam {org} een concurrent over.",
         "{p} sprak op de aandeelhoudersvergadering van {org} over de plannen voor een nieuwe fabriek.",
         "De winst van {org} viel tegen, erkende {p} dinsdag.",
         "{p} wil de komende jaren fors investeren in duurzame energie."),
        ("“We zijn tevreden met deze cijfers”, zegt {p}.", "“De markt blijft onzeker”, aldus {p}.",
         "“Deze overname maakt ons sterker”, zei {p} tegen aandeelhouders."),
        ("Ook {o} schoof aan bij het overleg.", "{o} waarschuwde voor de gevolgen voor het personeel.",
         "De vakbond vroeg {o} om opheldering.")),
    "cultuur": Field(
        ("schrijver", "regisseur", "zangeres", "kunstenaar", "acteur", "dirigent"),
        ("Toneelgroep Amsterdam", "Uitgeverij Prometheus", "Concertgebouw", "Holland Festival",
         "Stedelijk Museum", "Nederlandse Opera", "Boekenbal"),
        ("Amsterdam", "Den Bosch", "Leiden", "Haarlem", "Nijmegen"),
        ("{p} presenteerde in {place} een nieuw boek bij {org}.",
         "De voorstelling van {p} bij {org} was binnen een week uitverkocht.",
         "{p} kreeg de oeuvreprijs voor een werk dat {n} jaar geleden begon.",
         "Het publiek in {place} gaf {p} na afloop een staande ovatie.",
         "{p} werkt aan een roman over de oorlogsjaren in {place}.",
         "Bij {org} is vanaf zaterdag een tentoonstelling over {p} te zien."),
        ("“Schrijven is voor mij een manier van leven”, zegt {p}.", "“Het publiek was geweldig”, aldus {p}.",
         "“Ik wilde een ander verhaal vertellen”, zei {p} in een interview."),
        ("Ook {o} las voor uit eigen werk.", "{o} speelde de hoofdrol.", "De muziek was van {o}.")),
    "rechtspraak": Field(
        ("advocaat", "rechter", "officier", "procureur"),
        ("rechtbank Rotterdam", "Hoge Raad", "Openbaar Ministerie", "gerechtshof Arnhem", "rechtbank Amsterdam",
         "Orde van Advocaten"),
        ("Rotterdam", "Amsterdam", "Arnhem", "Den Haag", "Leeuwarden"),
        ("{p} eiste bij de {org} een celstraf van {n} jaar tegen de verdachte.",
         "Volgens {p} is het bewijs in de fraudezaak te mager.",
         "{p} ging in hoger beroep bij het {org}.",
         "De zaak die {p} voor de {org} bracht, duurt al {n} jaar.",
         "{p} vroeg de rechtbank in {place} om uitstel.",
         "In de zittingszaal in {place} hield {p} een lang pleidooi."),
        ("“Mijn cliënt is onschuldig”, zegt {p}.", "“Het vonnis is onbegrijpelijk”, aldus {p}.",
         "“We gaan in beroep”, zei {p} na de uitspraak."),
        ("Ook {o} sprak de rechtbank toe.", "{o} vertegenwoordigde de slachtoffers.",
         "Het verzoek werd gesteund door {o}.")),
    "wetenschap": Field(
        ("hoogleraar", "onderzoeker", "directeur"),
        ("Universiteit Utrecht", "TU Delft", "RIVM", "KNMI", "Rijksuniversiteit Groningen", "Universiteit Leiden",
         "Erasmus MC"),
        ("Utrecht", "Delft", "Bilthoven", "De Bilt", "Groningen", "Leiden"),
        ("{p} publiceerde met collega's van de {org} een studie naar de gevolgen van de droogte.",
         "Uit onderzoek van {p} blijkt dat {n} procent van de patiënten baat heeft bij de behandeling.",
         "{p} kreeg een subsidie van {n} miljoen euro voor onderzoek aan de {org}.",
         "Op een congres in {place} presenteerde {p} de nieuwste metingen.",
         "{p} waarschuwt al jaren voor de stijging van de zeespiegel.",
         "Het laboratorium van {p} in {place} wordt uitgebreid."),
        ("“De resultaten zijn veelbelovend”, zegt {p}.", "“We weten nog te weinig”, aldus {p}.",
         "“Meer onderzoek is nodig”, zei {p} tijdens de presentatie."),
        ("Ook {o} werkte aan het onderzoek mee.", "{o} plaatst kanttekeningen bij de conclusies.",
         "Het onderzoek werd geleid door {o}.")),
}
SOURCES = ("Dagblad Noord", "Het Avondnieuws", "De Kroniekpost", "Stadskrant Oost")


@dataclass(frozen=True)
class Person:
    id: str
    first: str
    last: str
    field: str
    role: str
    orgs: tuple[str, ...]
    place: str
    start: dt.date
    end: dt.date

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def surname(self) -> str:
        return self.last[0].upper() + self.last[1:]  # "de Vries" stands as "De Vries" alone


def people(rng: random.Random, n: int) -> list[Person]:
    """`n` people; about a third of the surnames are shared by two of them (in one field or two, in one period or
    decades apart)."""
    fields = sorted(FIELDS)
    surnames = list(SURNAMES)
    rng.shuffle(surnames)
    out: list[Person] = []
    used_full: set[str] = set()
    k = 0
    while len(out) < n:
        last = surnames[k % len(surnames)]
        k += 1
        twins = 2 if rng.random() < 0.45 and len(out) + 2 <= n else 1
        base_year = rng.randint(2000, 2018)
        first_field = rng.choice(fields)
        for t in range(twins):
            field = first_field if t and rng.random() < 0.4 else rng.choice(fields)
            year = base_year if not t or rng.random() < 0.6 else rng.choice((base_year - 15, base_year + 12))
            year = min(max(year, 1985), 2020)
            first = rng.choice([f for f in FIRST_NAMES if f"{f} {last}" not in used_full])
            used_full.add(f"{first} {last}")
            f = FIELDS[field]
            start = dt.date(year, rng.randint(1, 12), 1)
            out.append(Person(f"p{len(out):03d}", first, last, field, rng.choice(f.roles),
                              tuple(rng.sample(f.orgs, 3)), rng.choice(f.places), start,
                              start + dt.timedelta(days=rng.randint(365, 4 * 365))))
    return out


class _Text:
    """An article's text as it is written, with the offsets of the names in it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.names: list[tuple[int, int, str, str]] = []  # start, end, text, person id

    def add(self, template: str, person: Person | None = None, name: str = "", other: Person | None = None,
            other_name: str = "", **slots: str) -> None:
        pieces = template.replace("{p}", "\x00p\x00").replace("{o}", "\x00o\x00").split("\x00")
        for piece in pieces:
            if piece == "p" and person is not None:
                self._name(name, person)
            elif piece == "o" and other is not None:
                self._name(other_name, other)
            else:
                text = piece.format(**slots)
                self.parts.append(text)
                self.length += len(text)

    def _name(self, text: str, person: Person) -> None:
        self.names.append((self.length, self.length + len(text), text, person.id))
        self.parts.append(text)
        self.length += len(text)

    def sentence_break(self, paragraph: bool = False) -> None:
        sep = "\n\n" if paragraph else " "
        self.parts.append(sep)
        self.length += len(sep)

    def text(self) -> str:
        return "".join(self.parts)


def article(rng: random.Random, aid: str, person: Person, everyone: list[Person]) -> tuple[dict[str, Any],
                                                                                           list[dict[str, Any]]]:
    f = FIELDS[person.field]
    day = person.start + dt.timedelta(days=rng.randrange(max((person.end - person.start).days, 1)))
    peers = [p for p in everyone if p.field == person.field and p is not person
             and p.start - dt.timedelta(days=3 * 365) <= day <= p.end + dt.timedelta(days=3 * 365)]
    others = rng.sample(peers, min(len(peers), rng.randint(1, 3), len(f.others)))
    surname_only = rng.random() < 0.35
    with_role = rng.random() < 0.5
    doc = _Text()
    slots = {"org": rng.choice(person.orgs), "place": person.place, "n": str(rng.randint(2, 9))}

    def ref(first: bool) -> str:
        if first and not surname_only:
            return f"{person.role} {person.full}" if rng.random() < 0.5 else person.full
        if surname_only and with_role and (first or rng.random() < 0.5):
            return f"{person.role} {person.surname}"
        return person.surname

    events = rng.sample(f.events, 3)
    opening = events[0]
    name = ref(True)
    if opening.startswith("{p}"):
        name = name[0].upper() + name[1:]
    doc.add(opening, person, name, **slots)
    title = f"{person.surname}: " + rng.choice(("nieuwe stap", "kritiek", "reactie", "plannen", "uitspraak"))
    for i, event in enumerate(events[1:]):
        doc.sentence_break(paragraph=i == 0)
        slots["org"] = rng.choice(person.orgs)
        slots["n"] = str(rng.randint(2, 9))
        name = ref(False)
        doc.add(event, person, name[0].upper() + name[1:] if event.startswith("{p}") else name, **slots)
    doc.sentence_break()
    doc.add(rng.choice(f.lines), person, ref(False), **slots)
    for o, line in zip(others, rng.sample(f.others, len(others)), strict=True):
        doc.sentence_break(paragraph=rng.random() < 0.5)
        # by role and surname now and then, but never when someone else in the article has that surname
        alone = sum(x.last == o.last for x in [person, *others]) == 1
        oname = f"{o.role} {o.surname}" if alone and rng.random() < 0.2 else o.full
        doc.add(line, other=o, other_name=oname[0].upper() + oname[1:] if line.startswith("{o}") else oname,
                **slots)
    text = doc.text()
    gold, seen = [], set()
    for start, _end, name, pid in doc.names:
        if pid in seen:
            continue
        seen.add(pid)
        who = next(p for p in everyone if p.id == pid)
        surname_at = name.rfind(who.surname) if who.surname in name else name.rfind(who.last)
        if surname_at > 0 and name[:surname_at].strip().casefold() in FIELDS[who.field].roles:
            start += surname_at  # the role before a name is not part of it
            name = name[surname_at:]
        gold.append({"article": aid, "start": start, "end": start + len(name), "text": name, "person": pid,
                     "name": who.full})
    return ({"id": aid, "date": day.isoformat(), "title": title, "source": rng.choice(SOURCES), "text": text},
            gold)


def generate(seed: int, n_people: int, n_articles: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The articles (by date) and the gold: one line per person an article names."""
    rng = random.Random(seed)
    everyone = people(rng, n_people)
    articles, gold = [], []
    for i in range(n_articles):
        person = everyone[i % len(everyone)] if i < len(everyone) else rng.choice(everyone)
        art, names = article(rng, f"e{seed}-{i:04d}", person, everyone)
        articles.append(art)
        gold += names
    articles.sort(key=lambda a: (a["date"], a["id"]))
    return articles, gold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--out", type=Path, default=Path("var/bench/entities-1.jsonl"))
    args = parser.parse_args(argv)
    articles, gold = generate(args.seed, args.people, args.articles)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
    gold_path = args.out.with_name(args.out.name + ".gold.jsonl")
    with gold_path.open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(g, ensure_ascii=False) + "\n" for g in gold)
    print(args.out, gold_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

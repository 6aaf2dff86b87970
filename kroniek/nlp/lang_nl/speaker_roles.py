"""Dutch words for speakers who are named by their role, and the pronouns that may stand for a speaker.

Source: written for Kroniek from the project's own knowledge of Dutch news language (the functions and roles that
news reports use to refer back to a named person or to an unnamed source); no list was copied from elsewhere.
Licence: that of the project. (The entity normaliser keeps its own title list in `roles.py`.)
"""

from __future__ import annotations

import re
from functools import lru_cache

# Role nouns that stand for one person ("de bewindsman" for a minister named earlier). Compounds ending in one of
# these ("politiewoordvoerder", "CSF-voorzitter", "boerenvoorman") are roles too (see `is_role_word`).
PERSON_ROLES: frozenset[str] = frozenset({
    "woordvoerder", "woordvoerster", "minister", "bewindsman", "bewindsvrouw", "bewindspersoon", "premier",
    "president", "staatssecretaris", "burgemeester", "wethouder", "gouverneur", "koning", "koningin", "prins",
    "prinses", "paus", "bisschop", "kardinaal", "voorzitter", "voorzitster", "directeur", "directrice",
    "topman", "topvrouw", "baas", "ceo", "bestuurder", "bestuurslid", "oprichter", "eigenaar", "manager",
    "coach", "bondscoach", "trainer", "ploegleider", "aanvoerder", "captain", "keeper", "doelman", "spits",
    "speler", "speelster", "renner", "rijder", "ruiter", "winnaar", "winnares", "kampioen", "kampioene",
    "advocaat", "officier", "rechter", "agent", "commissaris", "politiecommissaris", "hoofdcommissaris",
    "onderzoeker", "hoogleraar", "professor", "deskundige", "expert", "econoom", "analist", "arts", "dokter",
    "leider", "voorman", "voorvrouw", "fractievoorzitter", "partijleider", "kamerlid", "senator", "diplomaat",
    "ambassadeur", "generaal", "commandant", "militair", "zegsman", "zegsvrouw", "persvoorlichter",
    "voorlichter", "voorlichtster", "journalist", "journaliste", "verslaggever", "correspondent", "priester",
    "dominee", "non", "zuster", "pater", "bondsvoorzitter", "secretaris", "penningmeester", "vicepremier",
    "vice-premier", "ex-premier", "oud-premier", "ex-minister", "oud-minister", "rechtshander", "linkshander",
    "middenvelder", "verdediger", "aanvaller", "international", "kapitein", "piloot", "getuige", "buurman",
    "buurvrouw", "vader", "moeder", "broer", "zus", "zoon", "dochter", "echtgenoot", "echtgenote", "weduwe",
    "tennisser", "tennisster", "zwemmer", "zwemster", "schaatser", "schaatsster", "wielrenner", "atleet",
    "atlete", "coureur", "zanger", "zangeres", "regisseur", "schrijver", "schrijfster", "auteur", "kunstenaar",
    "burger", "inwoner", "bewoner", "bezoeker", "supporter", "student", "studente", "leraar", "lerares",
    "verdachte", "slachtoffer", "dader", "eiser", "eiseres", "aangeklaagde", "gedaagde", "klager", "klaagster",
    "coördinator", "coordinator", "bestuursvoorzitter", "lid", "medewerker", "medewerkster",
    # professions and other nouns that news uses to refer back to a named person
    "recensent", "recensente", "criticus", "zaakvoerder", "zaakvoerster", "zakenman", "zakenvrouw", "stichter",
    "stichtster", "onderzoekster", "actievoerder", "actievoerster", "meteoroloog", "weerman", "politicoloog",
    "politicologe", "socioloog", "sociologe", "historicus", "historica", "geneticus", "wetenschapper",
    "vroedvrouw", "verpleegkundige", "instructeur", "instructrice", "deelnemer", "deelneemster", "organisator",
    "ondernemer", "boerin", "vakbondsman", "vakbondsvrouw", "couturier", "ontwerper", "ontwerpster", "tekenaar",
    "tekenares", "fotograaf", "architect", "ingenieur", "chauffeur", "pastoor", "imam", "rabbijn", "curator",
    "notaris", "apotheker", "chirurg", "psychiater", "psycholoog", "advocate", "procureur", "schepen",
    "gedeputeerde", "parlementslid", "volksvertegenwoordiger", "europarlementariër", "politicus", "politica",
    "kandidaat", "kandidate", "scholier", "dirigent", "acteur", "actrice", "muzikant", "componist",
    "kanselier", "bankier", "raadsman", "raadsvrouw", "jurist", "ambtenaar", "lijsttrekker", "voetballer",
    "wielrenster", "bokser", "sporter", "presentator", "presentatrice", "columnist", "uitgever", "dichter",
    "dichteres", "verpleegster", "vrijwilliger", "vrijwilligster", "docent", "docente", "rector", "decaan",
    "aandeelhouder", "belegger", "handelaar", "winkelier", "uitbater", "eigenares", "inspecteur", "rechercheur",
    "politieman", "agente", "veehouder", "cineast", "filmmaker",
})

# Group or institution nouns that can be a speaker ("de politie meldt", "het ministerie laat weten", "bronnen").
GROUP_SPEAKERS: frozenset[str] = frozenset({
    "politie", "ministerie", "regering", "kabinet", "gemeente", "provincie", "bond", "federatie", "organisatie",
    "vereniging", "stichting", "partij", "fractie", "bedrijf", "concern", "bank", "ploeg", "club", "team",
    "krant", "omroep", "zender", "programma", "bronnen", "ingewijden", "betrokkenen", "deskundigen",
    "onderzoekers", "analisten", "critici", "tegenstanders", "voorstanders", "betogers", "demonstranten",
    "actievoerders", "boeren", "artsen", "medewerkers", "leden", "bewoners", "omwonenden", "familie",
    "nabestaanden", "ouders", "justitie", "rechtbank", "hof", "commissie", "raad", "inspectie", "werkgevers",
    "vakbond", "vakbonden", "bonden", "medezusters", "collega's", "folder", "conferentie", "leger", "rebellen",
    "autoriteiten", "leiding", "directie", "bestuur", "woordvoerders", "journaal",
})

# Personal pronouns that can be the subject who speaks, and those that can follow "volgens".
SUBJECT_PRONOUNS: frozenset[str] = frozenset({"hij", "zij", "ze", "ik", "wij", "we"})
OBJECT_PRONOUNS: frozenset[str] = frozenset({"hem", "haar", "hen", "hun", "mij", "ons"})
PLURAL_PRONOUNS: frozenset[str] = frozenset({"wij", "we", "hen", "hun", "ons"})

# Lower-case words that may stand inside a Dutch personal name ("Theo de Rooij", "J. van 't Hof").
NAME_PARTICLES: frozenset[str] = frozenset({
    "van", "de", "der", "den", "het", "'t", "’t", "ter", "ten", "te", "la", "le", "du", "da", "di", "del", "von",
    "zu", "el", "al", "bin", "ben", "dos", "das", "y", "'s",
})

# Titles and forms of address that precede a name and are not part of it.
TITLES: frozenset[str] = frozenset({
    "dhr.", "mevr.", "mw.", "dr.", "mr.", "prof.", "ir.", "drs.", "ing.", "mgr.", "ds.", "sir", "lord",
    "heer", "mevrouw", "meneer", "dhr", "mevr", "dr", "mr", "prof", "ir", "drs", "mgr",
})

# Heads long enough to be recognised at the end of a compound without false hits ("politiewoordvoerder").
_COMPOUND_HEADS: tuple[str, ...] = tuple(sorted((r for r in PERSON_ROLES if len(r) >= 6), key=len, reverse=True))
_HEAD_SET = frozenset(_COMPOUND_HEADS)
_HEAD_MIN, _HEAD_MAX = min(map(len, _COMPOUND_HEADS)), max(map(len, _COMPOUND_HEADS))


def is_role_word(word: str) -> bool:
    """True for a role noun or a compound that ends in one ("politiewoordvoerder", "CSF-voorzitter")."""
    return _is_role(word.lower())


# An age used as a noun for the person ("de 34-jarige", "de tachtigjarige").
_AGE_NOUN = re.compile(r"^(?:\d{1,3}-|[a-zë]{3,}tig|[a-zë]{3,}tien)jarige$")


def is_age_noun(word: str) -> bool:
    return _AGE_NOUN.match(word.lower()) is not None


@lru_cache(maxsize=65536)
def _is_role(w: str) -> bool:
    if w in PERSON_ROLES or w.rsplit("-", 1)[-1] in PERSON_ROLES:
        return True
    if w.endswith("jarige") and _AGE_NOUN.match(w):
        return True
    # A head of k letters counts when at least three letters come before it: look up each such ending once.
    return any(w[-k:] in _HEAD_SET for k in range(_HEAD_MIN, min(_HEAD_MAX, len(w) - 3) + 1))

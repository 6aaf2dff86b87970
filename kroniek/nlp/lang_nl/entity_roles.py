"""Dutch titles and role nouns that stand before a name or refer back to a person or organisation.

Source: written for Kroniek from Dutch newspaper usage (political offices, forms of address, spokespeople, the
organisation nouns that refer back to a named ministry or party). Licence: Apache-2.0, as Kroniek.
"""

from __future__ import annotations

# Words that may stand before a person's name and are not part of it ("Minister Blok", "premier Rutte").
TITLES: frozenset[str] = frozenset({
    "minister", "premier", "staatssecretaris", "president", "vicepremier", "vice-premier", "burgemeester",
    "wethouder", "gedeputeerde", "commissaris", "kamerlid", "senator", "fractievoorzitter", "partijleider",
    "voorzitter", "directeur", "topman", "topvrouw", "ceo", "koning", "koningin", "prins", "prinses", "paus",
    "kardinaal", "bisschop", "generaal", "kolonel", "generaal-majoor", "commandant", "rechter", "officier",
    "advocaat", "professor", "prof.", "dr.", "mr.", "drs.", "ir.", "ing.", "dhr.", "mevr.", "mevrouw", "meneer",
    "de heer", "bondskanselier", "kanselier", "trainer", "coach", "bondscoach", "ambassadeur", "gouverneur",
    "secretaris-generaal", "woordvoerder", "woordvoerster", "hoofdredacteur", "ombudsman", "procureur-generaal",
})

# Nouns that refer back to a person named earlier, with the titles such a person bears.
PERSON_REFERENCES: dict[str, frozenset[str]] = {
    "bewindsman": frozenset({"minister", "staatssecretaris", "premier", "vicepremier", "vice-premier"}),
    "bewindsvrouw": frozenset({"minister", "staatssecretaris", "premier", "vicepremier", "vice-premier"}),
    "bewindspersoon": frozenset({"minister", "staatssecretaris", "premier", "vicepremier", "vice-premier"}),
    "minister": frozenset({"minister"}),
    "staatssecretaris": frozenset({"staatssecretaris"}),
    "premier": frozenset({"premier"}),
    "president": frozenset({"president"}),
    "burgemeester": frozenset({"burgemeester"}),
    "wethouder": frozenset({"wethouder"}),
    "kanselier": frozenset({"kanselier", "bondskanselier"}),
    "bondskanselier": frozenset({"kanselier", "bondskanselier"}),
    "voorzitter": frozenset({"voorzitter", "fractievoorzitter", "partijleider"}),
    "trainer": frozenset({"trainer", "coach", "bondscoach"}),
    "bondscoach": frozenset({"bondscoach"}),
}

# Nouns that refer back to an organisation named earlier in the article ("het ministerie" after "het ministerie
# van Buitenlandse Zaken"), mapped to the same noun as it heads a full name.
ORG_HEADS: frozenset[str] = frozenset({
    "ministerie", "departement", "gemeente", "provincie", "partij", "fractie", "kabinet", "rechtbank", "hof",
    "bank", "bedrijf", "universiteit", "ziekenhuis", "politie", "krant", "omroep", "club", "vakbond", "stichting",
    "vereniging", "commissie", "raad", "dienst", "inspectie", "ambassade",
})

# Nouns after which a code is a flight number ("vlucht MH17", "vluchtnummer KL1395"); any compound ending in
# "vlucht" or "vluchten" counts too ("passagiersvlucht", "lijnvluchten").
FLIGHT_NOUNS: frozenset[str] = frozenset({"vlucht", "vluchten", "vluchtnummer", "vluchtnummers", "flight"})

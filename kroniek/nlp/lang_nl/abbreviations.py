"""Dutch abbreviations that end in a full stop and must stay one token.

Source: written for Kroniek from common Dutch newspaper usage (months, amounts, forms of address, Latin and
Dutch shorthands). spaCy's own Dutch exceptions already cover many titles (dhr., mr., dr., prof., o.a.); this list
adds what it misses. Titles and shorthands are also added with a capital first letter (months
and weekdays are not: "Jan." ends sentences as a name). Licence: Apache-2.0, as Kroniek.
"""

from __future__ import annotations

# Months and weekdays as newspapers abbreviate them ("3 jan.", "ma. 4 feb.").
MONTHS: tuple[str, ...] = (
    "jan.", "feb.", "febr.", "mrt.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "okt.", "nov.", "dec.",
)
# "zo." and "do." are left out: "zo" and "do" end sentences too often.
WEEKDAYS: tuple[str, ...] = ("ma.", "di.", "wo.", "vr.", "za.")

# Amounts and units ("5 mld. euro", "3 mln.").
AMOUNTS: tuple[str, ...] = ("mld.", "mlrd.", "mln.", "mil.", "dzd.", "nr.", "nrs.", "blz.", "pag.", "resp.", "ca.")

# Forms of address and titles written before a name.
TITLES: tuple[str, ...] = (
    "dhr.", "mevr.", "mw.", "mej.", "mr.", "dr.", "drs.", "ir.", "ing.", "prof.", "ds.", "mgr.", "st.", "jhr.",
    "kol.", "gen.", "lt.", "burg.", "min.", "staatssecr.", "wethr.", "jr.", "sr.",
)

# Shorthands in running text.
SHORTHANDS: tuple[str, ...] = (
    "bijv.", "bv.", "bvb.", "enz.", "etc.", "evt.", "incl.", "excl.", "m.a.w.", "o.a.", "a.s.", "j.l.", "jl.",
    "i.p.v.", "t.o.v.", "t.a.v.", "m.b.t.", "m.b.v.", "d.w.z.", "m.n.", "z.g.", "zgn.", "zg.", "vnl.", "o.m.",
    "e.d.", "e.a.", "n.a.v.", "v.w.b.", "i.v.m.", "p.p.", "vs.", "ong.", "afd.", "tel.", "aanv.", "vlg.",
)

LOWER_ONLY: tuple[str, ...] = MONTHS + WEEKDAYS + AMOUNTS
CAPITALISABLE: tuple[str, ...] = TITLES + SHORTHANDS

# Entries of spaCy's Dutch exceptions (mostly Belgian legal shorthands) that are also everyday words and end
# sentences far more often than they abbreviate anything ("de top.", "te ver.", "zijn best."): split them.
EVERYDAY_WORDS: tuple[str, ...] = (
    "best.", "dat.", "hand.", "kon.", "pan.", "pas.", "pers.", "red.", "top.", "ver.", "vol.",
)

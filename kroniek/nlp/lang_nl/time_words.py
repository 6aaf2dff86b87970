"""Dutch words for time: months, weekdays, seasons, numerals, units, parts of the day, vague and relative words.

Source: written for Kroniek from the project's own knowledge of Dutch (spelling after the Woordenlijst conventions
for month and day names, in lower case); no list was copied from elsewhere. Licence: that of Kroniek (Apache-2.0).
The tense cues at the end are a small hand-made selection of frequent verb forms, not a full lexicon.
"""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7, "augustus": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
}

# Abbreviations, accepted only right after a day number ("17 jan. 2014") because "Jan" is also a first name.
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "febr": 2, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "okt": 10, "nov": 11, "dec": 12,
}

WEEKDAYS: dict[str, int] = {  # ISO numbering: Monday is 1
    "maandag": 1, "dinsdag": 2, "woensdag": 3, "donderdag": 4, "vrijdag": 5, "zaterdag": 6, "zondag": 7,
}

# Parts of the day and their TIMEX3 codes; "morgen" as a part of the day only inside compounds.
PARTS_OF_DAY: dict[str, str] = {
    "ochtend": "MO", "morgen": "MO", "voormiddag": "MO", "middag": "AF", "namiddag": "AF",
    "avond": "EV", "nacht": "NI",
}

# Adverbial forms of the parts of the day: 's ochtends and so on.
PARTS_OF_DAY_ADVERBS: dict[str, str] = {
    "ochtends": "MO", "morgens": "MO", "middags": "AF", "avonds": "EV", "nachts": "NI",
}

SEASONS: dict[str, str] = {
    "lente": "SP", "voorjaar": "SP", "zomer": "SU", "zomerseizoen": "SU", "herfst": "FA", "najaar": "FA",
    "winter": "WI", "winterseizoen": "WI",
}
# The months in which each season mostly lies (meteorological seasons), to choose a year by tense.
SEASON_MONTHS: dict[str, tuple[int, int]] = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}

# Days relative to the article date.
DAY_OFFSETS: dict[str, int] = {
    "eergisteren": -2, "gisteren": -1, "gister": -1, "vandaag": 0, "morgen": 1, "overmorgen": 2,
}
# Words before a period that point back, at the current one, or forward.
PAST_MODIFIERS = ("vorige", "vorig", "afgelopen", "verleden", "voorbije", "voorgaande", "jongstleden", "jl")
THIS_MODIFIERS = ("deze", "dit", "huidige", "lopende")
NEXT_MODIFIERS = ("volgende", "volgend", "komende", "komend", "aanstaande", "aanst", "eerstvolgende",
                  "eerstkomende")

UNITS: dict[str, str] = {
    # word: TIMEX3 unit (T before it for time units); singular and plural forms
    "seconde": "TS", "seconden": "TS", "sec": "TS", "minuut": "TM", "minuten": "TM", "min": "TM",
    "uur": "TH", "uren": "TH", "kwartier": "TQ", "kwartieren": "TQ", "etmaal": "D", "etmalen": "D",
    "dag": "D", "dagen": "D", "week": "W", "weken": "W", "weekeinde": "WE", "weekend": "WE",
    "maand": "M", "maanden": "M", "kwartaal": "Q", "kwartalen": "Q", "halfjaar": "H", "jaar": "Y", "jaren": "Y",
    "decennium": "DE", "decennia": "DE", "eeuw": "CE", "eeuwen": "CE",
}
PLURAL_UNITS = ("seconden", "minuten", "uren", "kwartieren", "dagen", "weken", "maanden", "kwartalen", "jaren",
                "decennia", "eeuwen", "etmalen")

# "-lang" adverbs of vague length: jarenlang, urenlang.
LONG_ADVERBS: dict[str, str] = {
    "secondenlang": "TS", "minutenlang": "TM", "urenlang": "TH", "dagenlang": "D", "wekenlang": "W",
    "maandenlang": "M", "jarenlang": "Y", "decennialang": "DE", "eeuwenlang": "CE",
}

# Recurrence adjectives and adverbs: jaarlijks, dagelijkse.
RECURRENCE_WORDS: dict[str, str] = {
    "dagelijks": "P1D", "wekelijks": "P1W", "maandelijks": "P1M", "jaarlijks": "P1Y", "tweejaarlijks": "P2Y",
    "driejaarlijks": "P3Y", "vierjaarlijks": "P4Y", "halfjaarlijks": "P6M", "driemaandelijks": "P3M",
    "tweewekelijks": "P2W", "uurlijks": "PT1H",
}

# Quantities without a number: "enkele weken", "een paar uur".
VAGUE_QUANTITIES = ("enkele", "een paar", "paar", "luttele", "enige", "vele", "tal van", "tientallen",
                    "honderden", "verscheidene", "meerdere", "diverse", "een aantal", "een handvol", "ettelijke",
                    "talloze", "al die", "die", "de", "deze", "die eerste", "de eerste", "de laatste",
                    "de afgelopen", "de voorbije", "de komende", "de volgende", "lange", "vele lange")
# Of these, the ones that make the quantity a count of decades when the unit is years ("tientallen jaren").
DECADE_QUANTITIES = ("tientallen",)

# Modifiers kept inside the extent of a quantity (TimeML mod): "ruim een week", "nog geen dertig seconden".
QUANTITY_MODIFIERS = ("nog geen", "ruim", "bijna", "ongeveer", "circa", "ca.", "zo'n", "krap", "minstens",
                      "ten minste", "tenminste", "hooguit", "maximaal", "minimaal", "meer dan", "minder dan",
                      "ruim een", "goed", "dik", "pakweg", "nauwelijks", "slechts", "amper", "een kleine",
                      "een goede", "een dikke", "ruimschoots", "precies", "exact", "welgeteld", "zeker")

NUMBER_WORDS: dict[str, int] = {
    "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
    "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
}
TENS: dict[str, int] = {
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70, "tachtig": 80,
    "negentig": 90,
}


def _build_numbers() -> dict[str, int]:
    """All number words from one to ninety-nine, plus honderd and duizend (eenentwintig, tweeëntwintig ...)."""
    out = dict(NUMBER_WORDS)
    out.update(TENS)
    units = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9}
    for tens_word, tens in TENS.items():
        for unit_word, unit in units.items():
            joiner = "ën" if unit_word.endswith("e") else "en"
            out[f"{unit_word}{joiner}{tens_word}"] = tens + unit
    out["honderd"] = 100
    out["duizend"] = 1000
    return out


NUMBERS: dict[str, int] = _build_numbers()

# Decades by their Dutch word: "de jaren negentig".
DECADE_WORDS: dict[str, int] = {
    "twintig": 2, "dertig": 3, "veertig": 4, "vijftig": 5, "zestig": 6, "zeventig": 7, "tachtig": 8,
    "negentig": 9, "nul": 0,
}

ORDINALS: dict[str, int] = {
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7, "achtste": 8,
    "negende": 9, "tiende": 10, "elfde": 11, "twaalfde": 12, "dertiende": 13, "veertiende": 14,
    "vijftiende": 15, "zestiende": 16, "zeventiende": 17, "achttiende": 18, "negentiende": 19, "twintigste": 20,
    "eenentwintigste": 21, "tweeëntwintigste": 22,
}

# Vague references, marked whole; longer forms first where one contains another.
PAST_REF_WORDS = ("onlangs", "zeer onlangs", "kort geleden", "lang geleden", "enige tijd geleden",
                  "een tijdje geleden", "geruime tijd geleden", "jaren geleden", "eeuwen geleden",
                  "maanden geleden", "weken geleden", "vroeger", "destijds", "voorheen", "recentelijk",
                  "eertijds", "indertijd", "het verleden", "het recente verleden", "het verre verleden", "verleden",
                  "vroeger eeuwen", "vroegere eeuwen", "vroeger tijden", "vroegere tijden", "vanouds")
PRESENT_REF_WORDS = ("nu", "tegenwoordig", "momenteel", "thans", "op dit moment", "op het moment",
                     "op dit ogenblik", "tot nu toe", "tot nog toe", "tot dusver", "tot dusverre", "tot op heden",
                     "tot op de dag van vandaag", "vandaag de dag", "de laatste tijd", "de afgelopen tijd",
                     "de huidige tijd", "het heden", "heden ten dage", "heden", "anno nu")
FUTURE_REF_WORDS = ("binnenkort", "straks", "op termijn", "op korte termijn", "op lange termijn",
                    "op middellange termijn", "spoedig", "eerdaags", "weldra", "de nabije toekomst",
                    "de verre toekomst", "de toekomst", "afzienbare tijd", "binnen afzienbare tijd",
                    "zo spoedig mogelijk", "zo snel mogelijk")

# Fixed-date holidays (month, day) and movable ones by their distance in days from Easter Sunday.
FIXED_HOLIDAYS: dict[str, tuple[int, int]] = {
    "nieuwjaarsdag": (1, 1), "valentijnsdag": (2, 14), "koninginnedag": (4, 30), "koningsdag": (4, 27),
    "dodenherdenking": (5, 4), "bevrijdingsdag": (5, 5), "sinterklaasavond": (12, 5), "pakjesavond": (12, 5),
    "sinterklaas": (12, 5), "kerstavond": (12, 24), "kerstmis": (12, 25), "kerst": (12, 25),
    "eerste kerstdag": (12, 25), "tweede kerstdag": (12, 26), "oudejaarsavond": (12, 31), "oudjaar": (12, 31),
    "oudejaarsdag": (12, 31), "allerheiligen": (11, 1), "allerzielen": (11, 2),
}
EASTER_HOLIDAYS: dict[str, int] = {
    "goede vrijdag": -2, "witte donderdag": -3, "stille zaterdag": -1, "pasen": 0, "paaszondag": 0,
    "eerste paasdag": 0, "tweede paasdag": 1, "paasmaandag": 1, "hemelvaartsdag": 39, "hemelvaart": 39,
    "pinksteren": 49, "eerste pinksterdag": 49, "tweede pinksterdag": 50, "carnaval": -49, "aswoensdag": -46,
}

# Tense cues, found without a parser. Future: auxiliaries of the future (zullen, and zou for the future seen
# from the past, as the guidelines resolve it) and gaan + infinitive. Past: frequent strong and irregular past
# forms (plural forms that are also common nouns, such as namen or weken, left out); weak past forms (-de/-te)
# and perfect tenses are found by rule in timex_normalise.
FUTURE_CUES = frozenset({"zal", "zullen", "zult", "zul", "zou", "zouden", "zoudt", "gaat", "gaan", "ga"})
PAST_FORMS = frozenset("""
was waren had hadden werd werden zei zeiden kwam kwamen ging gingen stond stonden zag zagen liep liepen bleef
bleven kreeg kregen nam gaf vond vonden sprak spraken hield hielden viel vielen wist wisten kon
konden wou mocht mochten moest moesten dacht dachten bracht brachten zocht zochten kocht kochten won wonnen
verloor verloren schreef schreven reed trok trokken sloeg sloegen begon begonnen trof troffen zat zaten
lag droeg droegen riep riepen liet lieten sprong sprongen klom klommen vloog vlogen schoot
stierf stierven brak braken koos kozen wees bood ontving ontvingen verdween verdwenen verscheen
verschenen ontstond ontstonden besloot besloten vertrok vertrokken bezocht bezochten overleed overleden
greep grepen sloot hing hingen zweeg zwegen dreef dreven vocht vochten wierp wierpen aten dronk
sliep sliepen vroeg vroegen leek leken bleek bleken verging vergingen onderging ondergingen klonk
klonken zong zongen zonk zonken dwong dwongen drong drongen ving vingen hief hieven loog
bedroog bedrogen kroop kropen schoof schoven vroor vroren genoot genoten floot floten goot goten kneep knepen
sneed streed streden steeg stegen keek keken beet trad traden las lazen
vergat vergaten stak beval bevalen beviel bevielen verliet verlieten deed deden
sloot verbood verboden bewees bewezen verwierf verwierven bedreef bedreven verscheen verbond verbonden
ontsnapte ontsnapten overwon overwonnen ontdekte ontdekten onderschreef verzweeg herkende herkenden
legde legden zette lachte lachten
""".split())
# Words that end like weak past forms but are not verbs (adjectives, nouns, ordinals, pronouns).
NOT_PAST = frozenset("""
de te ten den heden eerde goede oude rode dode harde brede wijde wilde beide hele halve volgende komende
ronde tijde periode methode vrede liefde ziekte hoogte lengte breedte diepte ruimte lente gemeente tante
gedachte gedachten minuten punten kosten studenten agenten klanten landen handen vrienden leden steden
tijden kanten feiten resultaten staten planeten ploegen dagen weken maanden uren seconden eeuwen
omstandigheden mogelijkheden moeilijkheden activiteiten universiteiten autoriteiten ouden beste eerste
laatste tweede derde vierde vijfde zesde zevende achtste negende tiende honderdste grote kleine late
vorige enorme extreme vaste juiste echte rechte slechte lichte zachte ware totale andere zekere diverse
meeste minste grootste kleinste hoogste laagste sterkste snelste langste kortste oudste jongste
belangrijkste mooiste slechtste zwaarste grootste ergste
beide sinds verschillende enkele bijbehorende
beroemde bekende befaamde geliefde gewonde doden gewonden verloofde geleerde gestoorde zogenaamde
bepaalde bedoelde genoemde beoogde gewenste zelfde dezelfde hetzelfde gezondheid ervaren
ministerie eeuwigheid
nieuwe vele lange korte hoge lage witte zwarte verte boete route rente sekte
""".split())
# Frequent irregular present-tense finite forms, all singular (a plural present looks like an infinitive: "zal komen"): a
# clause with one of these and no past or future cue is in the present tense.
PRESENT_FORMS = frozenset({
    "is", "wordt", "heeft", "hebt", "kan", "kunt", "moet", "wil", "wilt", "mag", "komt", "staat", "blijft", "ligt",
    "zit", "houdt", "krijgt", "doet",
})
PERFECT_AUXILIARIES = frozenset({"heeft", "hebben", "heb", "hebt", "is", "zijn", "ben", "bent", "had", "hadden"})

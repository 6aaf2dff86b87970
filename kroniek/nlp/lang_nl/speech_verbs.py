"""Dutch reporting cues: speech verbs with their forms, prepositional cues and nouns that carry a statement.

Source: written for Kroniek from the project's own knowledge of Dutch grammar and news usage (the verbs a Dutch
reporter uses to attribute speech, opinion, demand and announcement); no list was copied from elsewhere. The forms
are the regular and irregular finite forms and participles of each verb. Licence: that of the project.

Notes on the choices, after ../shared/eval/GUIDELINES.md:
- verbs of opinion and demand (vinden, menen, denken, eisen, oproepen, adviseren) count as reporting verbs;
- verbs of knowing, hoping and expecting (weten, hopen, verwachten) do not, except right after a quotation
  ("Omdat", wist Jansen), where any verb in that slot reports the quotation;
- separable verbs are listed with their particle, which may stand at the end of the clause ("roept ... op").
"""

from __future__ import annotations

# One row a verb: infinitive | finite forms (present and past) | participle ('-': none that reports) | particle.
# For separable verbs the finite forms are those of the stem, the participle includes the particle.
_VERB_TABLE = """
zeggen | zeg zegt zeggen zei zeiden | gezegd |
vertellen | vertel vertelt vertellen vertelde vertelden | verteld |
melden | meld meldt melden meldde meldden | gemeld |
verklaren | verklaar verklaart verklaren verklaarde verklaarden | verklaard |
bevestigen | bevestig bevestigt bevestigen bevestigde bevestigden | bevestigd |
ontkennen | ontken ontkent ontkennen ontkende ontkenden | ontkend |
stellen | stelt stellen stelde stelden | gesteld |
benadrukken | benadrukt benadrukken benadrukte benadrukten | benadrukt |
onderstrepen | onderstreept onderstrepen onderstreepte onderstreepten | onderstreept |
waarschuwen | waarschuwt waarschuwen waarschuwde waarschuwden | gewaarschuwd |
laten weten | laat laten liet lieten | laten weten | weten
aankondigen | kondigt kondigen kondigde kondigden | aangekondigd | aan
toevoegen | voegt voegen voegde voegden | toegevoegd | toe
opmerken | merkt merken merkte merkten | opgemerkt | op
antwoorden | antwoordt antwoorden antwoordde antwoordden | geantwoord |
reageren | reageert reageren reageerde reageerden | gereageerd |
erkennen | erkent erkennen erkende erkenden | erkend |
toegeven | geeft geven gaf gaven | toegegeven | toe
bekennen | bekent bekennen bekende bekenden | - |
beamen | beaamt beamen beaamde beaamden | beaamd |
beweren | beweert beweren beweerde beweerden | beweerd |
betogen | betoogt betogen betoogde betoogden | betoogd |
verzekeren | verzekert verzekeren verzekerde verzekerden | verzekerd |
garanderen | garandeert garanderen garandeerde garandeerden | gegarandeerd |
beloven | belooft beloven beloofde beloofden | beloofd |
dreigen | dreigt dreigen dreigde dreigden | gedreigd |
eisen | eist eisen eiste eisten | geëist |
oproepen | roept roepen riep riepen | opgeroepen | op
vragen | vraagt vragen vroeg vroegen | gevraagd |
verzoeken | verzoekt verzoeken verzocht verzochten | verzocht |
adviseren | adviseert adviseren adviseerde adviseerden | geadviseerd |
aanraden | raadt raden raadde raadden ried rieden | aangeraden | aan
aansporen | spoort sporen spoorde spoorden | aangespoord | aan
pleiten | pleit pleiten pleitte pleitten | gepleit | voor
wijzen op | wijst wijzen wees wezen | gewezen | op
noemen | noemt noemen noemde noemden | genoemd |
opnoemen | noemt noemen noemde noemden | opgenoemd | op
schatten | schat schatten schatte schatten | geschat |
menen | meent menen meende meenden | gemeend |
vinden | vindt vinden vond vonden | gevonden |
denken | denkt denken dacht dachten | gedacht |
vermoeden | vermoedt vermoeden vermoedde vermoedden | vermoed |
vrezen | vreest vrezen vreesde vreesden | gevreesd |
concluderen | concludeert concluderen concludeerde concludeerden | geconcludeerd |
constateren | constateert constateren constateerde constateerden | geconstateerd |
onthullen | onthult onthullen onthulde onthulden | onthuld |
volhouden | houdt houden hield hielden | volgehouden | vol
roepen | roept roepen riep riepen | geroepen |
toeroepen | roept roepen riep riepen | toegeroepen | toe
schrijven | schrijft schrijven schreef schreven | geschreven |
bekendmaken | maakt maken maakte maakten | bekendgemaakt | bekend
mededelen | deelt delen deelde deelden | medegedeeld | mede
berichten | bericht berichten berichtte berichtten | bericht |
rapporteren | rapporteert rapporteren rapporteerde rapporteerden | gerapporteerd |
aangeven | geeft geven gaf gaven | aangegeven | aan
uitleggen | legt leggen legde legden | uitgelegd | uit
toelichten | licht lichten lichtte lichtten | toegelicht | toe
aandringen | dringt dringen drong drongen | aangedrongen | aan
verwijten | verwijt verwijten verweet verweten | verweten |
beschuldigen | beschuldigt beschuldigen beschuldigde beschuldigden | beschuldigd |
bezweren | bezweert bezweren bezwoer bezwoeren | bezworen |
voorspellen | voorspelt voorspellen voorspelde voorspelden | voorspeld |
opperen | oppert opperen opperde opperden | geopperd |
suggereren | suggereert suggereren suggereerde suggereerden | gesuggereerd |
klagen | klaagt klagen klaagde klaagden kloeg kloegen | geklaagd |
aanbieden | biedt bieden bood boden | aangeboden | aan
aanbevelen | beveelt bevelen beval bevalen | aanbevolen | aan
bepleiten | bepleit bepleiten bepleitte bepleitten | bepleit |
verzuchten | verzucht verzuchten verzuchtte verzuchtten | verzucht |
zweren | zweert zweren zwoer zwoeren | gezworen |
signaleren | signaleert signaleren signaleerde signaleerden | gesignaleerd |
uitspreken | spreekt spreken sprak spraken | uitgesproken | uit
oordelen | oordeelt oordelen oordeelde oordeelden | geoordeeld |
vaststellen | stelt stellen stelde stelden | vastgesteld | vast
meedelen | deelt delen deelde deelden | meegedeeld | mee
claimen | claimt claimen claimde claimden | geclaimd |
twitteren | twittert twitteren twitterde twitterden tweet tweette tweetten | getwitterd |
toezeggen | zegt zeggen zei zeiden | toegezegd | toe
herhalen | herhaalt herhalen herhaalde herhaalden | herhaald |
geloven | gelooft geloven geloofde geloofden | geloofd |
verkondigen | verkondigt verkondigen verkondigde verkondigden | verkondigd |
hameren | hamert hameren hamerde hamerden | gehamerd | op
"""


def _parse(table: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    finite: dict[str, str] = {}
    participles: dict[str, str] = {}
    particles: dict[str, str] = {}
    for row in table.strip().splitlines():
        lemma, forms, participle, particle = (part.strip() for part in row.split("|"))
        for form in forms.split():
            finite.setdefault(form, lemma)
        if participle != "-":
            participles[participle] = lemma
        if particle:
            particles[lemma] = particle
    return finite, participles, particles


#: finite form -> infinitive ("zei" -> "zeggen"); separable verbs by their stem ("kondigt" -> "aankondigen").
FINITE: dict[str, str]
#: participle -> infinitive ("gezegd" -> "zeggen", "aangekondigd" -> "aankondigen").
PARTICIPLES: dict[str, str]
#: infinitive -> the particle or second word that belongs to it ("aankondigen" -> "aan", "laten weten" -> "weten").
PARTICLES: dict[str, str]
FINITE, PARTICIPLES, PARTICLES = _parse(_VERB_TABLE)

# Stems shared by a separable reporting verb and a common non-reporting verb: they report only with their particle
# ("geeft ... toe", "laat ... weten"; not "geeft" or "laat" alone).
NEEDS_PARTICLE: frozenset[str] = frozenset({
    "laten weten", "toevoegen", "opmerken", "toegeven", "aangeven", "uitleggen", "toelichten", "aandringen",
    "bekendmaken", "mededelen", "aanbieden", "aanbevelen", "volhouden", "toeroepen", "opnoemen", "aankondigen",
    "uitspreken", "aanraden", "aansporen", "wijzen op", "vaststellen", "meedelen", "toezeggen", "hameren",
})

# Prepositional cues that name a source: the speaker follows them ("volgens de politie", "aldus Blok").
SOURCE_PREPOSITIONS: tuple[str, ...] = (
    "volgens", "aldus", "in de visie van", "naar de mening van", "naar het oordeel van", "in de ogen van",
    "naar de zin van",
)  # and "zo" with a finite reporting verb ("zo meldde", "zo bevestigde"): see quotations._prep_at

# Nouns that carry a statement, a demand or a judgement; their content follows after "dat", "om" + infinitive, or
# a colon ("met het verzoek hun bonden te overtuigen", "de kritiek dat hij zich niet hard opstelt").
STATEMENT_NOUNS: frozenset[str] = frozenset({
    "kritiek", "verzoek", "opmerking", "dreigement", "voorwaarde", "eis", "oproep", "waarschuwing", "belofte",
    "conclusie", "antwoord", "mededeling", "verklaring", "boodschap", "stelling", "bewering", "toezegging",
    "opdracht", "advies", "verwijt", "klacht", "beschuldiging", "aankondiging",
})

# Verbs that never report speech, even before "dat": knowing, hoping, expecting, perceiving.
NOT_REPORTING: frozenset[str] = frozenset({
    "weet", "wist", "wisten", "weten", "hoopt", "hoopte", "hoopten", "hopen", "verwacht", "verwachtte",
    "verwachtten", "verwachten", "ziet", "zag", "zagen", "hoort", "hoorde", "hoorden", "begrijpt", "begreep",
    "merkt", "merkte", "besefte", "beseft", "blijkt", "bleek", "lijkt", "leek",
})

# Phrases after a quotation that describe a manner of speaking: an inverted verb in that slot always reports.
MANNER_AFTER_QUOTE: frozenset[str] = frozenset({
    "lachte", "lacht", "grinnikte", "grinnikt", "sprak", "spreekt", "zuchtte", "zucht", "glimlachte", "glimlacht",
    "grapte", "grapt", "mopperde", "moppert", "brieste", "briest", "bromde", "bromt", "snauwde", "snauwt",
    "juichte", "juicht", "jubelde", "jubelt", "knikte", "knikt", "toonde", "toont", "wist", "weet", "schreef",
    "riep", "roept", "fluisterde", "fluistert", "stamelde", "stamelt", "vervolgde", "vervolgt", "besloot",
    "concludeerde", "concludeert", "hield", "houdt", "vulde", "vult", "reageerde", "reageert", "oordeelde",
    "oordeelt", "klonk", "klinkt", "luidde", "luidt", "meende", "meent", "verzuchtte", "verzucht",
})


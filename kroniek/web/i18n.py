"""Interface text in Dutch and English: one small catalogue, Dutch first."""

from __future__ import annotations

LANGUAGES = ("nl", "en")
DEFAULT = "nl"

# key: (Dutch, English)
_MESSAGES: dict[str, tuple[str, str]] = {
    "app.tagline": ("Een doorzoekbaar archief van nieuws, verankerd in de tijd",
                    "A searchable, time-anchored news archive"),
    "nav.search": ("Zoeken", "Search"),
    "nav.entities": ("Namen", "Names"),
    "nav.speakers": ("Sprekers", "Speakers"),
    "nav.timeline": ("Tijdlijn", "Timeline"),
    "nav.stories": ("Verhalen", "Stories"),
    "nav.api": ("API", "API"),
    "search.placeholder": ("Zoek in het archief, bv. MH17", "Search the archive, e.g. MH17"),
    "search.button": ("Zoeken", "Search"),
    "search.results": ("{n} artikelen", "{n} articles"),
    "search.results.one": ("1 artikel", "1 article"),
    "search.none": ("Niets gevonden.", "Nothing found."),
    "search.sort": ("Sorteren", "Sort"),
    "search.exact": ("exacte woorden", "exact words"),
    "sort.relevance": ("relevantie", "relevance"),
    "sort.newest": ("nieuwste eerst", "newest first"),
    "sort.oldest": ("oudste eerst", "oldest first"),
    "facet.months": ("Artikelen per maand", "Articles per month"),
    "facet.sources": ("Bronnen", "Sources"),
    "facet.entities": ("Namen", "Names"),
    "facet.speakers": ("Sprekers", "Speakers"),
    "facet.clear": ("filter weghalen", "remove filter"),
    "filters.active": ("Filters", "Filters"),
    "page.prev": ("vorige", "previous"),
    "page.next": ("volgende", "next"),
    "article.date": ("Datum", "Date"),
    "article.source": ("Bron", "Source"),
    "article.entities": ("Namen in dit artikel", "Names in this article"),
    "article.quotes": ("Citaten", "Quotations"),
    "article.timexes": ("Tijdsaanduidingen", "Time expressions"),
    "article.references": ("Verwijzingen", "References"),
    "article.reference_found": ("in het archief", "in the archive"),
    "article.reference_missing": ("niet in het archief", "not in the archive"),
    "article.referenced_by": ("Verwezen door", "Referenced by"),
    "article.related": ("Gerelateerde artikelen", "Related articles"),
    "related.reference": ("verwijst ernaar", "referred to here"),
    "related.referenced-by": ("verwijst hierheen", "refers here"),
    "related.story": ("zelfde verhaal", "same story"),
    "related.similar": ("zelfde namen en woorden", "shared names and words"),
    "article.said_by": ("gezegd door", "said by"),
    "article.legend": ("Legenda", "Legend"),
    "legend.entity": ("naam", "name"),
    "legend.quote": ("citaat met spreker", "quotation with speaker"),
    "legend.timex": ("tijdsaanduiding met waarde", "time expression with value"),
    "entity.mentions": ("{n} vermeldingen", "{n} mentions"),
    "entity.mentions.one": ("1 vermelding", "1 mention"),
    "entity.articles": ("{n} artikelen", "{n} articles"),
    "entity.articles.one": ("1 artikel", "1 article"),
    "entity.per_month": ("Vermeldingen per maand", "Mentions per month"),
    "entity.cooccurring": ("Komt vaak samen voor met", "Often appears with"),
    "entity.quotes": ("Citaten door de tijd", "Quotations over time"),
    "entity.timeline": ("Tijdlijn van deze naam", "Timeline for this name"),
    "entity.search": ("Artikelen met deze naam", "Articles with this name"),
    "entities.title": ("Namen in het archief", "Names in the archive"),
    "entities.all": ("alle", "all"),
    "speakers.title": ("Sprekers in het archief", "Speakers in the archive"),
    "speakers.quotes": ("{n} citaten", "{n} quotations"),
    "speakers.quotes.one": ("1 citaat", "1 quotation"),
    "timeline.title": ("Tijdlijn", "Timeline"),
    "timeline.for": ("Tijdlijn voor {what}", "Timeline for {what}"),
    "timeline.intro": ("Wat er wanneer gebeurde, volgens de artikelen.",
                       "What happened when, according to the articles."),
    "timeline.widened": ("Geen tijdsaanduiding staat in een zin met deze naam; dit zijn die uit de artikelen die de "
                         "naam noemen.", "No time expression shares a sentence with this name; these come from the "
                         "articles that name it."),
    "timeline.when": ("Wanneer", "When"),
    "timeline.what": ("Wat", "What"),
    "timeline.article": ("Artikel", "Article"),
    "timeline.empty": ("Geen tijdsaanduidingen gevonden.", "No time expressions found."),
    "stories.title": ("Verhalen", "Stories"),
    "stories.none": ("Er zijn nog geen verhalen.", "There are no stories yet."),
    "stories.count": ("{n} verhalen", "{n} stories"),
    "stories.count.one": ("1 verhaal", "1 story"),
    "stories.search": ("Verhalen met artikelen over", "Stories with articles about"),
    "stories.span": ("Periode", "Span"),
    "stories.size": ("Artikelen", "Articles"),
    "story.per_month": ("Artikelen per maand", "Articles per month"),
    "story.articles": ("Artikelen", "Articles"),
    "story.entities": ("Namen", "Names"),
    "story.speakers": ("Sprekers", "Speakers"),
    "story.timeline": ("Tijdlijn", "Timeline"),
    "story.search": ("Zoeken in dit verhaal", "Search this story"),
    "story.keywords": ("Trefwoorden", "Keywords"),
    "entity.stories": ("Verhalen", "Stories"),
    "entity.quotes_about": ("Citaten over deze naam", "Quotations that name it"),
    "entity.merges": ("Samengevoegd uit", "Merged from"),
    "article.story": ("Verhaal", "Story"),
    "home.stats": ("{articles} artikelen, {entities} namen, {quotes} citaten",
                   "{articles} articles, {entities} names, {quotes} quotations"),
    "error.title": ("Er ging iets mis", "Something went wrong"),
    "error.back": ("Terug naar zoeken", "Back to search"),
    "lang.switch": ("English", "Nederlands"),
}


def pick(lang: str | None) -> str:
    """A supported interface language for a requested one."""
    return lang if lang in LANGUAGES else DEFAULT


def translate(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` fields filled; an unknown key shows as itself."""
    # A count of one has its own text where the catalogue gives one (key + ".one").
    pair = (_MESSAGES.get(key + ".one") if values.get("n") == 1 else None) or _MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[LANGUAGES.index(pick(lang))]
    return text.format(**values) if values else text


def from_accept_language(header: str | None) -> str | None:
    """The first supported language named in an Accept-Language header, if any."""
    for part in (header or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return None


def keys() -> list[str]:
    return list(_MESSAGES)

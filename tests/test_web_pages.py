# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""Server-rendered pages: charts, annotation markup, escaping of untrusted text, both interface languages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from web_support import REFERENCED_TITLE, SCRIPT, SLASHED_ID, annotated, client, slashed_client  # noqa: F401

from kroniek.model import EntityMention, Listing, Quote, TimeExpression
from kroniek.server.deps import MAX_OFFSET
from kroniek.web import charts, i18n
from kroniek.web.markup import Links, marks_for, render
from kroniek.web.render import pager

LINKS = Links(entity=lambda n: "/e/" + n, speaker=lambda n: "/s/" + n)


class _Balance(HTMLParser):
    """Checks that every opened element (other than void ones) is closed in order."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "line", "rect", "path"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (self.stack[-5:], tag)
        self.stack.pop()


def balanced(html: str) -> _Balance:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return parser


# --- charts ------------------------------------------------------------------------------------------------------

def test_web_chart_fills_missing_months_with_zero() -> None:
    assert charts.fill_months({"2018-11": 2, "2019-02": 5}) == [
        ("2018-11", 2), ("2018-12", 0), ("2019-01", 0), ("2019-02", 5)]
    assert charts.fill_months({}) == []


def test_web_chart_is_valid_svg_with_one_bar_per_month() -> None:
    bars = charts.month_bars({"2019-01": 1, "2019-03": 4}, lambda m: f"/search?month={m}&q=a")
    svg = str(charts.bar_chart(bars, title="Artikelen <per> maand"))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = root.findall(f".//{ns}rect")
    assert len(rects) == 3
    heights = [float(r.get("height", "0")) for r in rects]
    assert heights[1] == 0 and heights[2] > heights[0] > 0
    links = [a.get("href") for a in root.findall(f".//{ns}a")]
    assert links == ["/search?month=2019-01&q=a", "/search?month=2019-03&q=a"]  # no link for an empty month
    assert root.find(f"{ns}title").text == "Artikelen <per> maand"


def test_web_chart_escapes_labels() -> None:
    svg = str(charts.bar_chart([charts.Bar("<script>x</script>", 3)], title="t"))
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_web_chart_of_nothing_is_still_an_svg() -> None:
    ET.fromstring(str(charts.bar_chart([], title="leeg")))


# --- markup ------------------------------------------------------------------------------------------------------

def test_web_markup_nests_entities_inside_quotations_and_names_the_speaker() -> None:
    text = "“We mogen hoopvol zijn in Moskou”, zegt Blok vorig jaar."
    q_start, q_end = 1, text.index("”")
    marks = marks_for([EntityMention(text.index("Moskou"), text.index("Moskou") + 6, "Moskou", "LOC"),
                       EntityMention(text.index("Blok"), text.index("Blok") + 4, "Blok", "PER", "Stef Blok")],
                      [Quote(q_start, q_end, text[q_start:q_end], "direct", "zegt", "Blok", "Stef Blok")],
                      [TimeExpression(text.index("vorig"), text.index("vorig") + 10, "vorig jaar", "DATE", "2018")],
                      LINKS)
    html = str(render(text, marks, 0, len(text)))
    balanced(html)
    assert re.search(r'<span class="quote quote-direct"[^>]*data-speaker="Stef Blok"[^>]*>We mogen hoopvol zijn in '
                     r'<a class="ent ent-LOC"[^>]*>Moskou</a></span><a class="speaker-tag" href="/s/Stef Blok">'
                     r"Stef Blok</a>", html)
    assert 'href="/e/Stef Blok"' in html
    assert '<sup class="timex-value">2018</sup>' in html
    # the text itself is all there, in order, once the tags are taken out
    assert re.sub(r"<sup[^>]*>.*?</sup>|<a class=\"speaker-tag\"[^>]*>.*?</a>|<[^>]+>", "", html) == text


def test_web_markup_clips_crossing_spans() -> None:
    text = "aaa bbb ccc ddd"
    marks = marks_for([EntityMention(0, 7, "aaa bbb", "ORG"), EntityMention(4, 11, "bbb ccc", "PER")], [], [], LINKS)
    html = str(render(text, marks, 0, len(text)))
    balanced(html)
    assert re.sub(r"<[^>]+>", "", html) == text


def test_web_markup_escapes_text_and_attributes() -> None:
    text = f'{SCRIPT} zegt "Jan <b>"'
    marks = marks_for([EntityMention(text.index("Jan"), len(text) - 1, 'Jan <b>', "PER", 'Jan "<b>"')], [], [],
                      LINKS)
    html = str(render(text, marks, 0, len(text)))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert balanced(html).scripts == 0


# --- catalogue ---------------------------------------------------------------------------------------------------

def test_web_catalogue_has_both_languages_and_fills_fields() -> None:
    for key in i18n.keys():
        nl, en = i18n.translate(key, "nl", n=1, what="x", articles=1, entities=1, quotes=1), \
            i18n.translate(key, "en", n=1, what="x", articles=1, entities=1, quotes=1)
        assert nl and en, key
    assert i18n.translate("search.results", "nl", n=3) == "3 artikelen"
    assert i18n.translate("search.results", "en", n=3) == "3 articles"
    assert i18n.translate("search.results", "fr", n=3) == "3 artikelen"
    assert i18n.translate("search.results", "nl", n=1) == "1 artikel"
    assert i18n.translate("entity.mentions", "en", n=1) == "1 mention"
    assert i18n.from_accept_language("fr-FR, en;q=0.8") == "en"


# --- pages -------------------------------------------------------------------------------------------------------

def test_web_article_page_marks_quotations_with_their_speaker(client: TestClient,
                                                              annotated: tuple[Path, str]) -> None:
    html = client.get(f"/articles/{annotated[1]}").text
    balanced(html)
    blok_quotes = re.findall(r'<span class="quote[^"]*"[^>]*data-speaker="Stef Blok"[^>]*>(.*?)</span>'
                             r'<a class="speaker-tag"', html)
    assert any("We mogen hoopvol zijn" in q for q in blok_quotes)
    assert re.search(r'class="timex[^"]*" data-value="2018-05"[^>]*>vorig jaar mei<sup', html)
    assert 'class="ent ent-PER"' in html
    assert re.search(r'Lees ook: <a class="reference-link" href="/articles/ref-mh17"[^>]*>', html)


def test_web_article_with_script_shows_it_as_text(client: TestClient) -> None:
    html = client.get("/articles/script-article").text
    parser = balanced(html)
    assert parser.scripts == 0
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;vet&lt;/b&gt;" in html


def test_web_search_page_escapes_the_query(client: TestClient) -> None:
    html = client.get("/search", params={"q": f"MH17 {SCRIPT}"}).text
    assert balanced(html).scripts == 0
    assert "&lt;script&gt;" in html


def test_web_search_page_has_facets_chart_and_highlighted_hits(client: TestClient) -> None:
    html = client.get("/search", params={"q": "MH17"}).text
    balanced(html)
    assert "<svg" in html and 'class="bar"' in html
    assert "<mark>MH17</mark>" in html
    assert re.search(r'href="/search\?q=MH17&amp;source=Testbron', html)
    narrowed = client.get("/search", params={"q": "MH17", "source": "Testbron"}).text
    assert narrowed.count('class="hit"') < html.count('class="hit"')


@pytest.mark.parametrize(("path", "needle"), [
    ("/entities/Stef%20Blok", "We mogen hoopvol zijn"),
    ("/speakers/Stef%20Blok", "We mogen hoopvol zijn"),
    ("/entities", "Stef Blok"),
    ("/speakers", "Stef Blok"),
    ("/timeline?entity=Stef%20Blok", "Stef Blok"),
    ("/timeline", "vorig jaar mei"),
    ("/stories", "Verhalen"),
])
def test_web_pages_render(client: TestClient, path: str, needle: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    balanced(r.text)
    assert needle in r.text


def test_web_entity_page_has_a_month_chart_and_co_occurring_names(client: TestClient) -> None:
    html = client.get("/entities/Stef%20Blok").text
    assert "<svg" in html and "2019-02" in html
    assert 'href="/entities/Rusland"' in html


def test_web_language_follows_the_choice_and_is_remembered(client: TestClient) -> None:
    r = client.get("/entities", params={"lang": "en"})
    assert "Names in the archive" in r.text and '<html lang="en">' in r.text
    assert r.cookies.get("kroniek_lang") == "en"
    assert "Namen in het archief" in client.get("/entities", params={"lang": "nl"}).text
    client.cookies.clear()
    assert "Namen in het archief" in client.get("/entities").text


def test_web_pages_forbid_scripts_by_policy(client: TestClient) -> None:
    for path in ("/search?q=MH17", "/articles/script-article", "/no-such-page"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy


class _Links(HTMLParser):
    """The links of a page with their text, and any link opened inside another (which HTML does not allow)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[dict[str, str | None], str]] = []
        self.nested = 0
        self._open: list[tuple[dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.nested += bool(self._open)
            self._open.append((dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            attrs, text = self._open.pop()
            self.links.append((attrs, "".join(text)))
            if self._open:
                self._open[-1][1].append("".join(text))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)


def links_of(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def test_web_reference_is_one_link_holding_its_title(client: TestClient, annotated: tuple[Path, str]) -> None:
    page = links_of(client.get(f"/articles/{annotated[1]}").text)
    assert page.nested == 0
    refs = [(a, text) for a, text in page.links if a.get("class") == "reference-link"]
    assert [(a["href"], text) for a, text in refs] == [("/articles/ref-mh17", REFERENCED_TITLE)]
    # the names in the reference are still marked, without links of their own
    html = client.get(f"/articles/{annotated[1]}").text
    line = re.search(r'<p class="reference">.*?</p>', html, re.S)
    assert line and '<span class="ent ent-' in line.group(0)


def test_web_referenced_article_lists_what_points_to_it_and_related_articles(
        client: TestClient, annotated: tuple[Path, str]) -> None:
    html = client.get("/articles/ref-mh17").text
    balanced(html)
    section = re.search(r'<section class="referenced-by">.*?</section>', html, re.S)
    assert section and "Verwezen door" in section.group(0)
    assert [a["href"] for a, _ in links_of(section.group(0)).links] == [f"/articles/{annotated[1]}"]
    related = re.search(r'<section class="related">.*?</section>', html, re.S)
    assert related and "Gerelateerde artikelen" in related.group(0)
    assert re.search(rf'<li data-relation="referenced-by"><a href="/articles/{annotated[1]}"', related.group(0))
    assert "/articles/ref-mh17" not in related.group(0)
    seed = client.get(f"/articles/{annotated[1]}").text
    assert '<section class="referenced-by">' not in seed  # nothing points to the seed
    assert re.search(r'title="Rusland aansprakelijk stellen voor MH17 – wat betekent dat\?" '
                     r'data-article-id="ref-mh17">', seed)
    assert "(in het archief, 2018-05-25)" in seed
    english = client.get("/articles/ref-mh17", headers={"Accept-Language": "en"}).text
    assert "Referenced by" in english and "refers here" in english


def test_web_no_page_has_a_link_inside_a_link(client: TestClient, annotated: tuple[Path, str]) -> None:
    for path in (f"/articles/{annotated[1]}", "/search?q=MH17", "/entities/Stef%20Blok", "/timeline"):
        assert links_of(client.get(path).text).nested == 0, path


def test_web_article_with_slashes_in_its_id_opens_from_search(slashed_client: TestClient) -> None:
    page = links_of(slashed_client.get("/search", params={"q": "MH17"}).text)
    href = next(a["href"] for a, _ in page.links if a.get("class") == "hit-title")
    assert href
    r = slashed_client.get(href)
    assert r.status_code == 200, href
    assert f'data-article-id="{SLASHED_ID}"' in r.text


@pytest.mark.parametrize("path", ["//evil.example/x", "//evil.example/x?q=1", "/search?q=MH17&sort=date",
                                  "/articles/ref-mh17", "/%2F%2Fevil.example"])
def test_web_language_link_stays_on_the_page(client: TestClient, path: str) -> None:
    url = "http://testserver" + path
    r = client.get(url)
    href = next(a["href"] for a, _ in links_of(r.text).links if a.get("class") == "lang")
    assert href
    target = urlsplit(urljoin(url, href))
    assert (target.scheme, target.netloc, target.path) == ("http", "testserver", urlsplit(url).path), href
    assert "lang=en" in target.query


def test_web_search_exact_toggle(client: TestClient) -> None:
    stemmed = client.get("/search", params={"q": "onderhandeling"}).text
    assert 'name="exact" value="true">' in stemmed and "Niets gevonden." not in stemmed
    exact = client.get("/search", params={"q": "onderhandeling", "exact": "true"}).text
    assert 'name="exact" value="true" checked>' in exact and "Niets gevonden." in exact
    # the facet links of an exact search stay exact
    mh17 = client.get("/search", params={"q": "MH17", "exact": "true"}).text
    facets = [a["href"] or "" for a, _ in links_of(mh17).links if "source=" in (a.get("href") or "")]
    assert facets and all("exact=true" in f for f in facets)


def test_web_speakers_and_timeline_pages_follow_on(client: TestClient) -> None:
    for path, row in (("/speakers", "<tr><td><a href=\"/speakers/"), ("/timeline", '<tr class="event">')):
        first, second = client.get(path).text, client.get(path + "?offset=1").text
        assert second.count(row) == first.count(row) - 1 > 0, path
        assert 'rel="prev"' in second and 'rel="prev"' not in first


def test_web_pager_links_on_by_the_total() -> None:
    full_last = Listing(list(range(50)), total=100, offset=50, limit=50)
    assert pager(full_last, "/entities", label="LOC") == {"prev": "/entities?label=LOC", "next": None}
    middle = Listing(list(range(50)), total=101, offset=50, limit=50)
    assert pager(middle, "/entities", q="a b") == {"prev": "/entities?q=a+b",
                                                   "next": "/entities?q=a+b&offset=100"}
    assert pager(Listing([], total=3, offset=10, limit=50), "/speakers") == {"prev": "/speakers", "next": None}
    # no link to a page that a request may not ask for
    assert pager(Listing([1], total=20_000, offset=MAX_OFFSET, limit=1), "/speakers")["next"] is None


def test_web_entities_page_has_no_next_link_on_its_last_page(client: TestClient) -> None:
    total = client.app.state.archive.entities().total
    row = '<tr><td><a href="/entities/'
    first = client.get("/entities").text
    assert first.count(row) == min(total, 50) and 'rel="next"' not in first
    beyond = client.get("/entities", params={"offset": total, "label": "PER"}).text
    assert beyond.count(row) == 0 and 'rel="next"' not in beyond
    assert 'rel="prev" href="/entities?label=PER"' in beyond

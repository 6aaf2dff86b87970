"""The demo archive in headless Chromium against `kroniek serve`: search, facets, article, speaker, timeline, escaping.

Screenshots go to test-artifacts/. Debian's chromium is driven through Playwright's driver; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium, new_page, serving, shot
from playwright.sync_api import Browser, Page, Route, expect
from web_support import EXTRA, REFERENCED_TITLE, SCRIPT

from kroniek.archive import Archive

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo archive (seed + alpino-dev, analysed with the shipped model) plus an article carrying markup and
    the article that the seed's "Lees ook" line points to."""
    from kroniek.demo import build

    path = tmp_path_factory.mktemp("demo") / "kroniek.db"
    with Archive.open(path) as archive:
        build(archive)
        archive.ingest([a for a in EXTRA if a["id"] in ("script-article", "ref-mh17")])
    return path


@pytest.fixture(scope="module")
def server(demo_archive: Path) -> Iterator[str]:
    """`kroniek serve` on a free loopback port, stopped after the tests."""
    with serving(demo_archive) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    with new_page(browser) as pg:
        yield pg



def test_browser_search_article_speaker_and_timeline(server: str, page: Page) -> None:
    pg = page
    pg.goto(server + "/")
    pg.fill("input[name=q]", "MH17")
    pg.press("input[name=q]", "Enter")
    pg.wait_for_url("**/search?q=MH17*")
    hits = pg.locator("li.hit")
    expect(hits.first).to_be_visible()
    expect(pg.locator(".snippet mark").first).to_have_text("MH17")
    expect(pg.locator("svg.chart rect.bar").first).to_be_attached()
    shot(pg, "01-search-mh17")

    # narrow by the speaker facet
    pg.locator("ul.facet-speaker a", has_text="Stef Blok").click()
    pg.wait_for_url("**speaker=Stef+Blok*")
    expect(pg.locator(".filters .chip")).to_contain_text("Stef Blok")
    expect(hits.first).to_be_visible()
    shot(pg, "02-search-narrowed-by-speaker")

    # open the seed article: Blok's quotations are marked with his name
    hits.first.locator("a.hit-title").click()
    pg.wait_for_url("**/articles/*")
    blok = pg.locator('span.quote[data-speaker="Stef Blok"]')
    assert blok.count() >= 2
    expect(pg.locator("span.quote + a.speaker-tag", has_text="Stef Blok").first).to_be_visible()
    expect(pg.locator("span.quote", has_text="We mogen hoopvol zijn").first).to_have_attribute(
        "data-speaker", "Stef Blok")
    expect(pg.locator("span.timex").first).to_be_visible()
    expect(pg.locator("p.reference")).to_contain_text("Lees ook")
    # the reference is one link holding its whole title (no link inside it, which the browser would empty)
    reference = pg.locator("p.reference a.reference-link")
    expect(reference).to_have_text(REFERENCED_TITLE)
    assert pg.locator("p.reference a a, p.reference a:empty").count() == 0
    shot(pg, "03-article-seed")
    seed_url = pg.url
    reference.click()
    pg.wait_for_url("**/articles/ref-mh17")
    expect(pg.locator("article.text h1")).to_have_text(REFERENCED_TITLE)
    pg.goto(seed_url)

    # Stef Blok's page: quotations over time and mentions per month
    pg.locator("a.speaker-tag", has_text="Stef Blok").first.click()
    pg.wait_for_url("**/speakers/Stef*Blok")
    expect(pg.locator("h1.entity-name")).to_contain_text("Stef Blok")
    expect(pg.locator("table.quotes")).to_contain_text("hoopvol")
    expect(pg.locator("svg.chart rect.bar").first).to_be_attached()
    shot(pg, "04-speaker-stef-blok")

    # and the timeline for him
    pg.locator("a.timeline-link").click()
    pg.wait_for_url("**/timeline?entity=*")
    expect(pg.locator("h1")).to_contain_text("Stef Blok")
    expect(pg.locator("tr.event").first).to_be_visible()
    shot(pg, "05-timeline-stef-blok")

    pg.goto(server + "/timeline?q=MH17")
    expect(pg.locator("tr.event").first).to_be_visible()
    shot(pg, "06-timeline-mh17")


def test_browser_script_in_article_and_query_shows_as_text(server: str, page: Page) -> None:
    pg = page
    pg.goto(server + "/articles/script-article")
    expect(pg.locator("article.text")).to_contain_text(SCRIPT)
    assert pg.locator("article.text script").count() == 0
    shot(pg, "07-article-with-script")

    pg.goto(server + "/")
    pg.fill("input[name=q]", f"opgepast {SCRIPT}")
    pg.press("input[name=q]", "Enter")
    pg.wait_for_load_state()
    assert pg.locator("script").count() == 0
    assert pg.input_value("input[name=q]") == f"opgepast {SCRIPT}"
    shot(pg, "08-query-with-script")


def test_browser_english_interface(server: str, page: Page) -> None:
    pg = page
    pg.goto(server + "/entities?lang=en")
    expect(pg.locator("h1")).to_have_text("Names in the archive")
    pg.goto(server + "/entities")
    expect(pg.locator("h1")).to_have_text("Names in the archive")
    shot(pg, "09-entities-english")


def test_browser_api_docs_work_offline(server: str, page: Page) -> None:
    """Swagger UI renders every operation with each request off this server refused, within the docs' policy."""
    pg = page
    problems: list[str] = []
    refused: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))

    def only_this_server(route: Route) -> None:
        url = route.request.url
        if url.startswith(server + "/") or url.startswith("data:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    pg.route("**/*", only_this_server)
    pg.goto(server + "/docs")
    expect(pg.locator(".opblock").first).to_be_visible(timeout=30_000)
    expect(pg.locator(".information-container .title")).to_contain_text("Kroniek")
    assert pg.locator(".opblock").count() >= 12
    # try one operation from the page: a fetch to this server, which the policy allows
    health = pg.locator(".opblock-get", has_text="/api/health")
    health.locator(".opblock-summary").click()
    health.locator("button.try-out__btn").click()
    health.locator("button.execute").click()
    expect(health.locator(".live-responses-table tr.response .response-col_status")).to_have_text("200")
    shot(pg, "10-api-docs-offline")
    assert not refused, refused
    assert not problems, problems


def test_browser_reference_and_what_points_back(server: str, page: Page) -> None:
    """The article a "Lees ook" line points to lists the article it is pointed to from, and both list related ones."""
    pg = page
    pg.goto(server + "/articles/ref-mh17")
    expect(pg.locator("article.text h1")).to_have_text(REFERENCED_TITLE)
    back = pg.locator("section.referenced-by")
    expect(back.locator("h3")).to_have_text("Verwezen door")
    expect(back.locator("li a")).to_have_count(1)
    expect(pg.locator('section.related li[data-relation="referenced-by"]')).to_have_count(1)
    assert pg.locator("section.related li").count() >= 2  # and the nearest by names and words
    expect(pg.locator('section.related a[href="/articles/ref-mh17"]')).to_have_count(0)  # never itself
    shot(pg, "11-article-referenced-by")

    back.locator("li a").click()
    pg.wait_for_url("**/articles/*")
    assert not pg.url.endswith("/articles/ref-mh17")
    link = pg.locator("p.reference a.reference-link")
    expect(link).to_have_text(REFERENCED_TITLE)
    expect(link).to_have_attribute("href", "/articles/ref-mh17")
    expect(pg.locator("p.reference")).to_contain_text("in het archief, 2018-05-25")
    expect(pg.locator('section.related li[data-relation="reference"] a')).to_have_attribute("href", "/articles/ref-mh17")
    shot(pg, "12-article-with-reference-and-related")

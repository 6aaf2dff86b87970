"""Stories in headless Chromium against `kroniek serve`: the list, a story page with its chart, and the way from an
article to its story and from an entity to its stories."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from browser_support import chromium, new_page, serving, shot
from conftest import ROOT
from playwright.sync_api import Browser, Page, expect

from kroniek.archive import Archive

sys.path.insert(0, str(ROOT / "benchmarks"))
import story_corpus  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    articles, _ = story_corpus.generate(seed=11, stories=12, singletons=10)
    path = tmp_path_factory.mktemp("stories") / "kroniek.db"
    with Archive.open(path) as archive:
        archive.ingest([{k: a[k] for k in ("id", "date", "title", "source", "text")} for a in articles])
        archive.update_stories()
    with serving(path) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    with new_page(browser) as pg:
        yield pg


def test_browser_stories_list_story_page_and_back(server: str, page: Page) -> None:
    page.goto(server + "/stories")
    links = page.locator("a.story-link")
    expect(links.first).to_be_visible()
    assert links.count() >= 5
    title = links.first.inner_text()
    shot(page, "stories-list")
    links.first.click()
    expect(page.locator("h1.story-title")).to_have_text(title)
    chart = page.locator("svg")
    expect(chart.first).to_be_visible()
    assert page.locator("svg rect").count() >= 1  # a bar per month with articles
    rows = page.locator("table.story-articles tr")
    assert rows.count() >= 2
    story_url = page.url
    shot(page, "story-page")
    # an article of the story links back to it
    rows.first.locator("a").click()
    back = page.locator("a.story-link")
    expect(back).to_have_text(title)
    back.click()
    assert page.url == story_url
    # the story's own search finds exactly its articles
    page.get_by_role("link", name="Zoeken in dit verhaal").click()
    expect(page.locator("body")).to_contain_text(f"{rows.count()} ")


def test_browser_stories_search_narrows_the_list(server: str, page: Page) -> None:
    page.goto(server + "/stories")
    every = page.locator("a.story-link").count()
    page.fill("#story-q", "zzzzonbekendwoord")
    page.locator("form.search button").click()
    expect(page.locator("main")).to_contain_text("Er zijn nog geen verhalen.")
    page.goto(server + "/stories")
    assert page.locator("a.story-link").count() == every

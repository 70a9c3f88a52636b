"""Site search in a real browser: Pagefind's index, our search page, typed into like a person."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

import pagetypes
from browser import needs_browser, served
from test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, needs_browser]


@pytest.fixture(scope="module")
def sample(sample_build) -> Path:
    return sample_build / "public"


def test_typing_a_town_finds_its_centre(sample, page):
    with served(sample) as base:
        page.goto(base + "/")
        page.get_by_role("banner").get_by_role("link", name="Search").click()
        page.get_by_label("Words to look for").fill("Borehamwood")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("status").filter(has_text="results for").wait_for()
        page.get_by_role("link", name="Borehamwood and Elstree Children's Centre").first.click()
        page.get_by_role("heading", level=1,
                         name="Borehamwood and Elstree Children's Centre").wait_for()


def test_without_javascript_the_search_page_offers_its_lists_not_a_form_that_does_nothing(
        sample, chromium):
    """Without JavaScript the form sent the words to a page that found nothing, with the
    lists that do work below it."""
    with served(sample) as base:
        for scripts in (False, True):
            context = chromium.new_context(java_script_enabled=scripts)
            try:
                page = context.new_page()
                page.goto(base + "/search/?q=Borehamwood")
                assert page.get_by_label("Words to look for").is_visible() == scripts
                lists = page.get_by_role("link", name="Children's centres by district and by service")
                assert lists.is_visible() != scripts
            finally:
                context.close()


def test_search_results_can_be_limited_to_a_section(sample, page):
    with served(sample) as base:
        page.goto(base + "/search/?q=tender&section=Opportunities")
        page.get_by_role("status").filter(has_text="in Opportunities").wait_for()
        results = page.locator("[data-search-results] li")
        assert results.count() >= 1
        for text in results.all_inner_texts():
            assert "Opportunities" in text
        # words written apart that the pages write as one: found as one, and said so
        page.goto(base + "/search/?q=breast+feeding")
        page.get_by_role("status").filter(has_text="for \u201cbreastfeeding\u201d").wait_for()
        assert "(nothing was found for \u201cbreast feeding\u201d)" in \
            page.get_by_role("status").inner_text()
        assert results.count() >= 1
        # a question: asked again without its little words, never as one made-up word
        # ("wherecaniweighmybaby" found 18 pages; a parent's review)
        page.goto(base + "/search/?" + urlencode({"q": "where can I weigh my baby"}))
        page.get_by_role("status").filter(has_text="for \u201cweigh baby\u201d").wait_for()
        assert "(nothing was found for \u201cwhere can I weigh my baby\u201d)" in \
            page.get_by_role("status").inner_text()
        assert results.count() >= 1
        # What's on's days are a section a parent can choose (a parent's review)
        page.get_by_label("Look in").select_option("What's on")
        page.get_by_label("Words to look for").fill("stay and play")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("status").filter(has_text="in What's on").wait_for()
        assert results.count() >= 1
        assert all("What's on" in text for text in results.all_inner_texts())


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Path:
    """The sample built as a site with thousands of news items is: its news and its
    centres indexed in shards (here of 3 items, and of 20 centres) that the search page
    merges into the main index."""
    from ccsite.outputs import search

    folder = tmp_path_factory.mktemp("sharded")
    saved = search.SHARD_PAGES, search.SHARDED_FROM, search.CENTRE_SHARD_PAGES
    search.SHARD_PAGES = search.SHARDED_FROM = 3
    search.CENTRE_SHARD_PAGES = 20
    try:
        output = pagetypes.build(pagetypes.copy_sample(folder), folder / "_site")
    finally:
        search.SHARD_PAGES, search.SHARDED_FROM, search.CENTRE_SHARD_PAGES = saved
    return output / "public"


def test_news_and_centres_indexed_in_shards_are_found_from_the_search_page(sharded, page):
    assert (sharded / "pagefind/shards/news-2/pagefind-entry.json").is_file()
    assert (sharded / "pagefind/shards/centres-1/pagefind-entry.json").is_file()
    with served(sharded) as base:
        # a word only that news item has (centres' timetables say "Saturday" too)
        page.goto(base + "/search/?q=survey")
        page.get_by_role("status").filter(has_text="results for").wait_for()
        page.get_by_role("link",
                         name="What families told us about their children's centres").click()
        page.get_by_role("heading", level=1,
                         name="What families told us about their children's centres").wait_for()
        page.goto(base + "/search/?q=survey&section=News")  # filters work across shards
        page.get_by_role("status").filter(has_text="1 result for").wait_for()
        page.goto(base + "/search/?q=Borehamwood")  # a centre, from a centres shard
        page.get_by_role("status").filter(has_text="results for").wait_for()
        assert page.get_by_role("link", name="Borehamwood and Elstree Children's Centre") \
            .count() >= 1
        page.goto(base + "/search/?q=tender&section=Opportunities")  # the main bundle
        page.get_by_role("status").filter(has_text="in Opportunities").wait_for()
        assert page.locator("[data-search-results] li").count() >= 1


@pytest.mark.parametrize("query, title", [
    ("Monday", "Monday: What's on at the children's centres"),
    ("training and employment", "Links to training and employment: Children's centres offering it"),
])
def test_a_heading_with_a_second_line_is_a_result_title_in_separate_words(sample, page,
                                                                          query, title):
    """Pagefind takes a result's title from the h1's text, where the second line's break
    is gone: 'MondayWhat's on at the children's centres' was the title found."""
    with served(sample) as base:
        page.goto(base + "/search/?" + urlencode({"q": query}))
        page.get_by_role("status").filter(has_text="results for").wait_for()
        titles = page.locator("[data-search-results] h2").all_inner_texts()
        assert title in titles, titles


def test_every_result_is_counted_and_the_rest_shown_on_request(sample, page):
    """'stay and play' finds more than one page of results: it said '20 results' and showed
    no more. The count is Pagefind's own; "Show more results" adds the next, by keyboard,
    and takes the focus to the first one added."""
    with served(sample) as base:
        page.goto(base + "/search/?" + urlencode({"q": "stay and play"}))
        status = page.get_by_role("status").filter(has_text="results for")
        status.wait_for()
        total = int(status.inner_text().split()[0])
        assert total == page.evaluate("""async (q) => (await (await import(
            '/pagefind/pagefind.js')).search(q)).results.length""", "stay and play")
        results = page.locator("[data-search-results] > li")
        assert total > 20 and results.count() == 20
        more = page.get_by_role("button", name="Show more results")
        while more.is_visible():
            before = results.count()
            more.focus()
            page.keyboard.press("Enter")
            results.nth(before).wait_for()
            assert results.nth(before).get_by_role("link").evaluate(
                "a => a === document.activeElement")
        links = [a.get_attribute("href") for a in page.locator("[data-search-results] h2 a").all()]
        assert len(links) == len(set(links)) == total
        assert not (found := axe_violations(page)), report(found)

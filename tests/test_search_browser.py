"""Site search in a real browser: Pagefind's index, our search page, typed into like a person."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import needs_browser, served
from ccsite.cli import main

pytestmark = [pytest.mark.browser, needs_browser]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("sample")
    assert main(["build", "--source", str(ROOT / "content"), "--output", str(output),
                 "--now", "2026-11-25T12:00:00Z", "--quiet"]) == 0
    return output / "public"


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


def test_search_results_can_be_limited_to_a_section(sample, page):
    with served(sample) as base:
        page.goto(base + "/search/?q=tender&section=Opportunities")
        page.get_by_role("status").filter(has_text="in Opportunities").wait_for()
        results = page.locator("[data-search-results] li")
        assert results.count() >= 1
        for text in results.all_inner_texts():
            assert "Opportunities" in text

"""The three users' journeys through the sample site in a real browser, done as a person
would: from the start page, by tapping, clicking and typing, never by typing an address.

(The lead-agency manager's journey in encrypt mode, where the members area opens with a
passphrase in the page, is tests/test_members_browser.py::
test_member_searches_good_practice_by_keyword_and_reads_a_post.)
"""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest

from conftest import serve_running

import pagetypes
from browser import needs_browser, served
from ccsite.members import credentials

pytestmark = [pytest.mark.browser, needs_browser]

PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def public_site(sample_build):
    with served(sample_build / "public") as base:
        yield base


def test_parent_on_a_phone_finds_a_health_centre_in_watford(public_site, chromium):
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(public_site + "/")
        page.get_by_role("main").get_by_role("link", name="Find a children's centre").tap()
        page.get_by_role("heading", level=1, name="Find a children's centre").wait_for()

        page.get_by_label("District", exact=True).select_option("Watford")
        page.get_by_label("Child and family health services").tap()
        status = page.locator("[data-filter-status]")
        status.filter(has_text=re.compile(r"^\d+ centres? shown$")).wait_for()
        watford = page.get_by_role("region", name="Watford")
        cards = watford.locator(".card:visible")
        assert cards.count() == int(status.inner_text().split()[0]) >= 1
        for other in page.locator("[data-district-group]:visible").all():
            assert other.get_by_role("heading", level=2).inner_text() == "Watford"
        for card in cards.all():
            assert "Child and family health services" in card.inner_text()

        name = cards.first.get_by_role("link").inner_text()
        cards.first.get_by_role("link").tap()
        page.get_by_role("heading", level=1, name=name).wait_for()

        hours = page.locator(".summary-list__row", has_text="Opening hours")
        phone = page.locator(".summary-list__row", has_text="Telephone")
        for row in (hours, phone):
            assert row.is_visible()
            box = row.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # no sideways scrolling
        assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
                         r".*\d{1,2}(:\d\d)?(am|pm)", hours.inner_text()), hours.inner_text()
        call = phone.get_by_role("link")
        assert call.is_visible()
        assert re.fullmatch(r"0\d{3,4} ?\d{6,7}", call.inner_text().strip())
        assert call.get_attribute("href").startswith("tel:")
    finally:
        context.close()


def test_provider_finds_an_open_expression_of_interest_and_its_calendar_file(
        public_site, page):
    page.goto(public_site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    page.get_by_role("heading", level=1, name="Opportunities").wait_for()
    page.get_by_role("navigation", name="On this page") \
        .get_by_role("link", name=re.compile(r"^Open \(\d+\)$")).click()
    open_now = page.get_by_role("region", name=re.compile(r"^Open \(\d+\)$"))
    interest = open_now.get_by_role("listitem").filter(has_text="Expression of interest").first
    title = interest.get_by_role("heading").inner_text()
    interest.get_by_role("link", name=title).click()
    page.get_by_role("heading", level=1, name=title).wait_for()

    facts = page.locator(".summary-list")
    deadline = facts.locator(".summary-list__row", has_text="Deadline")
    assert deadline.is_visible()
    assert re.search(r"\d{1,2} \w+ 20\d\d", deadline.inner_text())
    eligible = facts.locator(".summary-list__row", has_text="Who can apply")
    assert eligible.is_visible() and eligible.get_by_role("listitem").count() >= 1
    pack = page.get_by_role("region", name="Documents").get_by_role(
        "link", name=re.compile("Information pack"))
    assert pack.is_visible()
    href = pack.get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith(href)) as pack_response:
        pack.click()
    assert pack_response.value.status == 200
    assert pack_response.value.header_value("content-type") == "application/pdf"
    if page.url.endswith(".pdf"):  # shown in the browser's own viewer: come back
        page.go_back()

    calendar = page.get_by_role("link", name=re.compile(
        "Add the deadline (and events )?to your calendar"))
    with page.expect_download() as download:
        calendar.click()
    assert download.value.suggested_filename.endswith(".ics")
    # a download is not a page, so Playwright does not show its response: ask the server
    # again for what the link points to, as the browser did
    answer = page.request.get(urljoin(page.url, calendar.get_attribute("href")))
    assert answer.status == 200
    assert answer.headers["content-type"].split(";")[0] == "text/calendar"
    ics = download.value.path().read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics
    assert title.split(",")[0] in ics.replace("\r\n ", "")


# -- the lead-agency manager, through the real preview server (server mode) ----------------

@pytest.fixture(scope="module")
def preview_server(tmp_path_factory):
    """`ccsite serve` of a copy of the sample, with one member; yields (base, login,
    passphrase)."""
    folder = tmp_path_factory.mktemp("journey-serve")
    content = pagetypes.copy_sample(folder)
    member, passphrase = credentials.MemberStore(folder / ".ccsite-secrets").add(
        "Jane Example", None)
    with serve_running(content, folder / "_site", now=pagetypes.NOW) as serving:
        yield serving.base, member.login, passphrase


def test_manager_searches_good_practice_and_reads_a_post_behind_the_server_password(
        preview_server, chromium):
    base, login, passphrase = preview_server
    context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                   http_credentials={"username": login,
                                                     "password": passphrase})
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.get_by_role("contentinfo").get_by_role(
            "link", name=re.compile(r"\(members only\)")).click()
        page.get_by_role("heading", level=1, name="Lead agency network").wait_for()
        page.get_by_role("navigation", name="Lead agency network") \
            .get_by_role("link", name="Search").click()
        page.get_by_role("heading", level=1, name="Search good practice").wait_for()
        page.get_by_label("Words to look for").fill("rota")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("status").filter(has_text=re.compile(r"\d+ results? for “rota”")) \
            .wait_for()
        first = page.locator("[data-members-search-results]").get_by_role("link").first
        title = first.inner_text()
        first.click()
        page.get_by_role("heading", level=1, name=title).wait_for()
        article = page.get_by_role("main").inner_text()
        assert "rota" in article.lower()
        assert "By " in article  # its author
        assert page.title() == f"{title} - Hertfordshire Children's Centres"
    finally:
        context.close()

    # and without the password, nothing of it
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base + "/members/", timeout=5)
    assert refused.value.code == 401

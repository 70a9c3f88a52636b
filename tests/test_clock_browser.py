"""A page read hours after the build that made it: a provider must never read "Closes
tomorrow" on the deadline's day, nor "Open" after the deadline (the site is built every
night and midday, and a deadline may be at any hour). Chromium with its clock set, on
copies of the sample site built the day before (assets/clock.js)."""
from __future__ import annotations

import datetime as dt

import pytest

import pagetypes
from browser import needs_browser, served
from ccsite.cli import main

pytestmark = [pytest.mark.browser, needs_browser]

DEADLINE = "2027-01-29T12:00:00+00:00"  # the sample's recommissioning round
OPPORTUNITY = "/opportunities/recommissioning-eoi-2027/"
CONSULTATION_OPEN = "/consultations/broxbourne-east-herts-centres-2027/"  # to 15 Jan, 23:59
CONSULTATION_UPCOMING = "/consultations/family-hubs-2027/"  # 11 Jan, 9am to 2 April, 5pm


def built_at(tmp_path_factory, now: str):
    folder = tmp_path_factory.mktemp("clock")
    output = folder / "_site"
    assert main(["build", "--source", str(pagetypes.copy_sample(folder)), "--output",
                 str(output), "--now", now, "--quiet"]) == 0
    return output / "public"


@pytest.fixture(scope="module")
def day_before(tmp_path_factory):
    """Built the morning before the round's deadline."""
    with served(built_at(tmp_path_factory, "2027-01-28T10:00:00+00:00")) as url:
        yield url


@pytest.fixture(scope="module")
def before_consultations(tmp_path_factory):
    """Built the day before one consultation opens, five before another closes."""
    with served(built_at(tmp_path_factory, "2027-01-10T12:00:00+00:00")) as url:
        yield url


def read_at(chromium, url: str, moment: str, javascript: bool = True):
    context = chromium.new_context(timezone_id="America/New_York",  # the UK's time counts
                                   java_script_enabled=javascript)
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page


def said(page, selector: str) -> str:
    """What a reader is shown (and a screen reader reads) of the first such element."""
    return " ".join(page.locator(selector).first.inner_text().split())


@pytest.mark.parametrize("moment, status, when", [
    ("2027-01-28T10:00:00+00:00", "Open", "Closes tomorrow"),  # as built
    ("2027-01-29T00:30:00+00:00", "Open", "Closes today"),  # the deadline's day
    ("2027-01-29T11:59:00+00:00", "Open", "Closes today"),
    ("2027-01-29T12:00:00+00:00", "Closed", "Closed on 29 January 2027"),
    ("2027-02-03T08:00:00+00:00", "Closed", "Closed on 29 January 2027"),
])
def test_an_opportunitys_deadline_is_told_as_it_is_when_the_page_is_read(
        chromium, day_before, moment, status, when):
    context, page = read_at(chromium, day_before + OPPORTUNITY, moment)
    try:
        assert said(page, ".status-panel__title") == when
        assert said(page, ".summary-list .tag:visible") == status
        panel = page.locator(".status-panel")
        closed = status == "Closed"
        assert ("status-panel--closed" in panel.get_attribute("class")) == closed
        assert page.get_by_text("It is no longer accepting applications").is_visible() == closed
        assert page.get_by_role("link", name="Add the deadline and events to your calendar") \
            .is_visible() != closed
        for listing in ("/opportunities/", "/"):  # (the home page's "Open for bids")
            page.goto(day_before + listing)
            listed = said(page, ".deadline:has-text('Closes'), .deadline:has-text('Closed on 29')")
            assert listed.startswith(f"{status} {when}"), listing
            assert ("the deadline is" in listed) != closed, listing
    finally:
        context.close()


def test_a_page_left_open_changes_when_the_deadline_passes(chromium, day_before):
    context = chromium.new_context(timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.install(time=dt.datetime.fromisoformat("2027-01-29T11:58:00+00:00"))
        page.goto(day_before + OPPORTUNITY)
        assert said(page, ".status-panel__title") == "Closes today"
        page.clock.run_for("03:00")  # three minutes later, the page still open
        assert said(page, ".status-panel__title") == "Closed on 29 January 2027"
    finally:
        context.close()


@pytest.mark.parametrize("moment, open_one, upcoming_one", [
    ("2027-01-10T12:00:00+00:00", "Open Closes in 5 days", "Upcoming Opens on 11 January 2027"),
    ("2027-01-11T10:00:00+00:00", "Open Closes in 4 days", "Open Closes in 81 days"),
    ("2027-01-15T23:00:00+00:00", "Open Closes today", "Open Closes in 77 days"),
    ("2027-01-16T00:00:00+00:00", "Closed Closed on 15 January 2027",
     "Open Closes in 76 days"),
])
def test_consultations_open_and_close_as_the_clock_says(chromium, before_consultations, moment,
                                                         open_one, upcoming_one):
    context, page = read_at(chromium, before_consultations + "/consultations/", moment)
    try:
        for path, expected in [(CONSULTATION_OPEN, open_one),
                               (CONSULTATION_UPCOMING, upcoming_one)]:
            item = page.locator(".item-list__item", has=page.locator(f"a[href='{path}']"))
            assert " ".join(item.locator(".deadline").inner_text().split()) \
                .startswith(expected), path
    finally:
        context.close()


@pytest.mark.parametrize("moment, panel, said_first, can_respond", [
    ("2027-01-10T12:00:00+00:00", "upcoming", "This consultation opens at 9am on 11 January "
     "2027", False),
    ("2027-01-20T12:00:00+00:00", "open", "Respond by 5pm on 2 April 2027.", True),
    ("2027-04-02T17:00:00+01:00", "closed", "This consultation has closed.", False),
])
def test_an_upcoming_consultations_page_opens_and_closes_as_the_clock_says(
        chromium, before_consultations, moment, panel, said_first, can_respond):
    """Built the day before it opens, read when it is open, then closed: the panel, its
    words and the way to respond, all of one moment."""
    context, page = read_at(chromium, before_consultations + CONSULTATION_UPCOMING, moment)
    try:
        classes = page.locator(".status-panel").get_attribute("class").split()
        assert [c for c in classes if c.startswith("status-panel--")] == \
            [f"status-panel--{panel}"]
        assert said(page, ".status-panel p:visible:not(.status-panel__title)") \
            .startswith(said_first)
        assert page.get_by_role("link", name="Respond online").is_visible() == can_respond
    finally:
        context.close()


def test_without_javascript_a_page_says_what_was_true_at_the_build(chromium, day_before):
    context, page = read_at(chromium, day_before + OPPORTUNITY, "2027-02-03T08:00:00+00:00",
                            javascript=False)
    try:
        assert said(page, ".status-panel__title") == "Closes tomorrow"
        assert said(page, ".summary-list .tag:visible") == "Open"
        assert not page.get_by_text("It is no longer accepting applications").is_visible()
    finally:
        context.close()


@pytest.fixture(scope="module")
def midnight_deadline(tmp_path_factory):
    """The round's deadline at 00:00 on 30 January (midnight at the end of the 29th),
    built the morning of the 28th."""
    folder = tmp_path_factory.mktemp("midnight")
    content = pagetypes.copy_sample(folder)
    round_file = content / "opportunities/recommissioning-eoi-2027.md"
    round_file.write_text(round_file.read_text().replace(
        "deadline: 2027-01-29T12:00:00Z", "deadline: 2027-01-30T00:00:00Z"))
    output = folder / "_site"
    assert main(["build", "--source", str(content), "--output", str(output), "--now",
                 "2027-01-28T10:00:00+00:00", "--quiet"]) == 0
    with served(output / "public") as url:
        yield url


@pytest.mark.parametrize("moment, when", [
    ("2027-01-28T10:00:00+00:00", "Closes tomorrow"),  # as built
    ("2027-01-29T10:00:00+00:00", "Closes today"),  # its last day: it closes that night
    ("2027-01-29T23:59:00+00:00", "Closes today"),
    ("2027-01-30T00:00:00+00:00", "Closed on 29 January 2027"),
])
def test_a_deadline_at_midnight_closes_at_the_end_of_the_day_before(
        chromium, midnight_deadline, moment, when):
    """Midnight on the 30th is the end of the 29th, as a provider reads it: the 29th is
    its last day ("Closes today"), and the page says "midnight at the end of 29
    January", never a day that leaves them a day short."""
    context, page = read_at(chromium, midnight_deadline + OPPORTUNITY, moment)
    try:
        assert said(page, ".status-panel__title") == when
        assert said(page, ".summary-list__row:has-text('Deadline') dd") == \
            "midnight at the end of 29 January 2027"
    finally:
        context.close()

"""A parent on a phone (Chromium at 390 px), on a copy of the sample site served over HTTP:
the nearest centres to a postcode, a town or their location, with distances a haversine
here agrees with; filters that take them to their result; open now in UK time; the map
that asks nothing of anyone until "Show map"; the menu; What's on near them; and every
page still readable without JavaScript."""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import math
import re

import pytest
import yaml

import pagetypes
from browser import needs_browser, served
from test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, needs_browser]

PHONE = {"width": 390, "height": 844}
EARTH_MILES = 6371.0088 / 1.609344
BLANK_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                             "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_MILES * math.asin(math.sqrt(h))


def sample_centres() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1])
            for p in sorted((pagetypes.ROOT / "content" / "centres").glob("*.md"))}


@pytest.fixture(scope="module")
def base(sample_build):
    with served(sample_build / "public") as url:
        yield url


@pytest.fixture
def phone(chromium, base):
    """A phone-sized tab that records every request leaving the site."""
    context = chromium.new_context(viewport=PHONE, timezone_id="Europe/London")
    page = context.new_page()
    page.elsewhere = []
    page.on("request", lambda r: None if r.url.startswith(base) else page.elsewhere.append(r.url))
    yield page
    context.close()


@contextlib.contextmanager
def phone_at(chromium, here: tuple[float, float]):
    """A phone's tab whose browser gives `here` as its location when asked."""
    context = chromium.new_context(viewport=PHONE, permissions=["geolocation"],
                                   geolocation={"latitude": here[0], "longitude": here[1]})
    try:
        yield context.new_page()
    finally:
        context.close()


def shown_cards(page) -> list[tuple[str, str]]:
    """(name, distance text) of each result card, in the order shown."""
    return [(c.get_by_role("link").first.inner_text(), c.locator("[data-distance]").inner_text())
            for c in page.locator("[data-results-list] .card:visible").all()]


def open_now(centre: dict) -> bool:
    """Open on the day the sample is built: not planned, closed, or opening later."""
    return centre["status"] == "open" and centre.get("opening_date", dt.date.min) <= \
        dt.date.fromisoformat(pagetypes.NOW[:10])


def middle(centres: list[dict]) -> tuple[float, float]:
    return (sum(c["location"]["lat"] for c in centres) / len(centres),
            sum(c["location"]["lon"] for c in centres) / len(centres))


def expected_nearest(point: tuple[float, float]) -> list[tuple[str, float]]:
    """The centres a family can go to (open ones), nearest first, with their distances."""
    located = [(c["name"], haversine(point, (c["location"]["lat"], c["location"]["lon"])))
               for c in sample_centres().values() if c.get("location") and open_now(c)]
    return sorted(located, key=lambda item: item[1])


def miles_in(text: str) -> float:
    """The miles a distance shown says ('2.3 miles away'; 'less than 0.1 miles away': 0)."""
    return 0.0 if text.startswith("less than 0.1 miles") else \
        float(re.match(r"([\d.]+) miles?", text).group(1))


def assert_sorted_by_true_distance(page, point: tuple[float, float]) -> None:
    shown = shown_cards(page)
    expected = expected_nearest(point)
    assert len(shown) == len(expected)
    for (name, text), (want_name, miles) in zip(shown, expected):
        value = miles_in(text)
        assert abs(value - miles) <= 0.05 + 1e-9, (name, text, miles)
    # the order is the true order (names may swap only where two distances are equal)
    distances = {name: miles for name, miles in expected}
    assert [distances[name] for name, _ in shown] == sorted(distances[n] for n, _ in shown)


# -- the nearest centres -------------------------------------------------------------------

def test_a_postcode_gives_the_nearest_centres_in_order_with_true_distances(phone, base):
    oxhey = sample_centres()["south-oxhey-childrens-centre"]
    phone.goto(base + "/centres/")
    title = phone.title()
    phone.get_by_label("Postcode or town").fill(oxhey["address"]["postcode"].lower())
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name=f"Nearest to {oxhey['address']['postcode']}").wait_for()
    # the title says it too (it said "Find a children's centre": a parent's review)
    assert phone.title() == f"Nearest to {oxhey['address']['postcode']}: {title}"
    assert_sorted_by_true_distance(phone, (oxhey["location"]["lat"], oxhey["location"]["lon"]))
    assert shown_cards(phone)[0] == (oxhey["name"], "less than 0.1 miles away")
    assert "#near=" in phone.url and "?near=" not in phone.url
    assert not phone.elsewhere


def test_the_home_pages_box_gives_the_centres_nearest_a_postcode_never_sending_it(phone,
                                                                                   base):
    """A parent thinks "near me" on the first page (a parent's review): the home page's box
    takes them to the centres nearest first; what they typed goes in the address's
    fragment, never to a server. Nothing typed, the whole list."""
    oxhey = sample_centres()["south-oxhey-childrens-centre"]
    postcode = oxhey["address"]["postcode"]
    sent = []
    phone.on("request", lambda r: sent.append(r.url + " " + r.headers.get("referer", "")))
    phone.goto(base + "/")
    phone.get_by_label("Postcode or town").fill(postcode.lower())
    phone.get_by_role("button", name="Find", exact=True).click()
    phone.get_by_role("heading", name=f"Nearest to {postcode}").wait_for()
    assert shown_cards(phone)[0] == (oxhey["name"], "less than 0.1 miles away")
    assert phone.url.startswith(base + "/centres/#near=")
    assert len(sent) > 3 and not [s for s in sent if postcode.split()[0].lower() in s.lower()]
    # told as a search on the page itself is: the focus on the count, in view (the results
    # were a screen below, unannounced: a parent's review)...
    status = phone.locator("[data-filter-status]")
    assert status.evaluate("el => el === document.activeElement")
    assert status.evaluate("el => el.getBoundingClientRect().top") < 100
    phone.reload()  # ...once: a reload keeps its place
    phone.get_by_role("heading", name=f"Nearest to {postcode}").wait_for()
    assert phone.evaluate("document.activeElement === document.body")
    phone.goto(base + "/")  # a place it cannot find: told at once, where the focus is
    phone.get_by_label("Postcode or town").fill("asdf")
    phone.get_by_role("button", name="Find", exact=True).click()
    message = phone.locator("[data-finder-message]")
    message.get_by_role("link", name="Watford").wait_for()
    assert message.inner_text().startswith("This site cannot place asdf")
    assert message.evaluate("el => el === document.activeElement")
    phone.goto(base + "/")
    phone.get_by_role("button", name="Find", exact=True).click()
    phone.wait_for_url(base + "/centres/")
    assert phone.locator("[data-district-group] .card:visible").count() > 50
    assert not phone.elsewhere


def test_a_partial_postcode_or_a_town_says_what_it_was_taken_as(phone, base):
    phone.goto(base + "/centres/")
    box = phone.get_by_label("Postcode or town")
    box.fill("WD19 9ZZ")  # no centre's: its outward code is known
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name="Nearest to WD19").wait_for()
    assert "does not know where WD19 9ZZ is exactly" in phone.locator("[data-finder-message]").inner_text()
    in_wd19 = [c for c in sample_centres().values()
               if c["address"]["postcode"].startswith("WD19 ") and open_now(c)]
    assert_sorted_by_true_distance(phone, middle(in_wd19))
    box.fill("bishops stortford")
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name="Nearest to Bishop's Stortford").wait_for()
    assert shown_cards(phone)[0][0].startswith(("Bishop's Stortford", "Thorley"))
    assert phone.locator("[data-finder-message]").inner_text() == \
        "Distances are from the middle of the centres in Bishop's Stortford."
    # a town whose only centre is planned, or has closed: said so, not "the middle of the
    # centres in Royston" (a parent's review)
    for town, told in (("Royston", "No centre in Royston is open yet: distances are from "
                        "where one will be."),
                       ("Ware", "No centre in Ware is open now: distances are from where "
                        "one was.")):
        box.fill(town)
        phone.get_by_role("button", name="Find").click()
        phone.get_by_role("heading", name=f"Nearest to {town}").wait_for()
        assert phone.locator("[data-finder-message]").inner_text() == told
    royston = sample_centres()["royston-childrens-centre"]["address"]["postcode"]
    box.fill(royston)  # the planned centre's own postcode, typed whole
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name=f"Nearest to {royston}").wait_for()
    assert phone.locator("[data-finder-message]").inner_text() == \
        f"No centre at {royston} is open yet: distances are from where one will be."


def test_an_unknown_place_says_so_and_offers_the_districts(phone, base):
    phone.goto(base + "/centres/")
    all_cards = phone.locator(".card:visible").count()
    phone.get_by_label("Postcode or town").fill("ZZ9 9ZZ")
    phone.get_by_role("button", name="Find").click()
    message = phone.locator("[data-finder-message]")
    message.get_by_role("link", name="Watford").wait_for()
    assert message.inner_text().startswith("This site cannot place ZZ9 9ZZ: it knows the "
                                           "postcode areas and towns of its centres only.")
    assert "Check the postcode" not in message.inner_text()  # it may be right
    assert message.get_by_role("link").count() == phone.locator("[data-district-group]").count()
    assert phone.locator(".card:visible").count() == all_cards  # never an empty page
    # the count of the list redrawn is not told as if the search had worked
    assert phone.locator("[data-filter-status]").get_attribute("aria-live") == "off"
    message.get_by_role("link", name="Watford").click()
    assert phone.evaluate("location.hash") == "#district-watford"


@pytest.mark.parametrize("path", ["/centres/", "/whats-on/monday/"])
def test_find_with_nothing_typed_says_what_to_type(phone, base, path):
    """It did nothing at all: no message, the same count (a parent's review)."""
    phone.goto(base + path)
    phone.get_by_role("button", name="Find").click()
    message = phone.get_by_role("status").filter(has_text="Type a postcode or a town first")
    message.wait_for()
    assert phone.evaluate("document.activeElement.matches('[data-finder-message]')")
    phone.get_by_label("Postcode or town").fill("WD19")
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name="Nearest to WD19").or_(
        phone.locator(".session__distance").first).first.wait_for()
    assert "Type a postcode" not in phone.locator("[data-finder-message]").inner_text()
    # the box emptied with a place in use: back to the list as it was (a review)
    phone.get_by_label("Postcode or town").fill("")
    phone.get_by_role("button", name="Find").click()
    phone.wait_for_function("() => !location.hash.includes('near=')")
    assert phone.locator("[data-distance]").count() == 0
    assert "Type a postcode" not in phone.locator("[data-finder-message]").inner_text()


@pytest.mark.parametrize("path", ["/centres/", "/whats-on/monday/"])
@pytest.mark.parametrize("typed", ["SW1A 1AA", "xyz"])
def test_postcode_not_found_is_shown_and_announced(phone, base, path, typed):
    """The page used to scroll to the count ("82 centres shown") and focus it: the message
    was above the screen and a screen reader read a count that sounded like success."""
    phone.goto(base + path)
    phone.get_by_label("Postcode or town").fill(typed)
    phone.get_by_role("button", name="Find").click()
    message = phone.get_by_role("status").filter(has_text=f"This site cannot place {typed}:")
    message.wait_for()
    assert phone.evaluate("document.activeElement.matches('[data-finder-message]')")
    box = message.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert not (found := axe_violations(phone)), report(found)


def test_finder_messages_are_announced_as_they_change(chromium, base):
    """"Finding your location..." and a refusal are said in a live region that is there
    before they are (one added or unhidden with its words is often not read out)."""
    context = chromium.new_context(viewport=PHONE)
    # the browser's location asked, answered when the test says: first nothing, then no
    context.add_init_script("""Object.defineProperty(navigator.geolocation,
        'getCurrentPosition', {value: (ok, fail) => { window.refuse = () => fail({code: 1}); }});""")
    try:
        page = context.new_page()
        page.goto(base + "/centres/")
        region = page.get_by_role("status").and_(page.locator("[data-finder-message]"))
        assert region.count() == 1 and region.inner_text() == ""
        page.get_by_role("button", name="Use my location").click()
        region.filter(has_text="Finding your location").wait_for()
        page.evaluate("window.refuse()")
        region.filter(has_text="Your browser did not let this page know your location.").wait_for()
    finally:
        context.close()


@pytest.mark.parametrize("path, result", [
    ("/centres/", "[data-results-list] .card:visible h3 a"),
    ("/whats-on/monday/", "[data-timetable] li:visible a"),
])
def test_a_typed_place_is_never_sent_to_a_server(phone, base, path, result):
    """'Nothing you type ... leaves this page': the postcode was written into the query
    (?near=WD19+7AD), sent again on a reload and in the Referer of a result followed. In
    the fragment, it is never sent; a ?near= link still works, and is moved there."""
    sent = []
    phone.on("request", lambda r: sent.append(r.url + " " + r.headers.get("referer", "")))
    distance = phone.locator("[data-distance]").first
    phone.goto(base + path)
    phone.get_by_label("Postcode or town").fill("WD19 7AD")
    phone.get_by_role("button", name="Find").click()
    distance.wait_for()
    assert "near" not in phone.evaluate("location.search")
    assert phone.evaluate("location.hash") == "#near=WD19+7AD"
    phone.reload()
    distance.wait_for()  # the place read again, from the fragment
    assert phone.get_by_label("Postcode or town").input_value() == "WD19 7AD"
    with phone.expect_navigation():
        phone.locator(result).first.click()
    assert len(sent) > 3 and not [s for s in sent if "wd19" in s.lower()], sent
    phone.goto(base + path + "?near=WD19")  # a link made elsewhere
    distance.wait_for()
    assert "near" not in phone.evaluate("location.search")
    assert phone.evaluate("location.hash") == "#near=WD19"


def test_use_my_location_sorts_by_distance_from_it(chromium, base):
    oxhey = sample_centres()["south-oxhey-childrens-centre"]
    here = (oxhey["location"]["lat"] + 0.004, oxhey["location"]["lon"] - 0.006)
    with phone_at(chromium, here) as page:
        page.goto(base + "/centres/")
        page.get_by_role("button", name="Use my location").click()
        page.get_by_role("heading", name="Nearest to your location").wait_for()
        assert_sorted_by_true_distance(page, here)
        assert "near=" not in page.url  # a location is never put in the address
        assert page.evaluate("document.activeElement.matches('[data-filter-status]')")


def test_a_location_question_never_answered_is_given_up_on_with_a_way_forward(chromium, base):
    """The browser's own timeout starts only once its question is answered; put aside
    ("Not now"), it may never be: "Finding your location..." stayed for good."""
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.add_init_script("navigator.geolocation.getCurrentPosition = () => {};")
        page.clock.install()
        page.goto(base + "/centres/")
        page.get_by_role("button", name="Use my location").click()
        message = page.locator("[data-finder-message]")
        assert message.inner_text() == "Finding your location\u2026"
        page.clock.run_for(31000)
        assert message.inner_text() == ("Your location was not found in time (your browser "
                                        "may still be asking for it). Type a postcode or "
                                        "town instead.")
    finally:
        context.close()


def test_closed_and_planned_centres_are_never_nearest_nor_found_for_a_service(phone, base):
    """Near Ware, Priors Wood (closed) came first; the service filter found it and Royston
    (planned) as offering. Distances are from Ware itself, where its own centre's building
    is (not the middle of the villages whose post goes through Ware)."""
    centres = sample_centres()
    assert centres["ware-priors-wood"]["status"] == "closed"
    assert centres["royston-childrens-centre"]["status"] == "planned"
    in_ware = [c for c in centres.values() if c["address"]["town"] == "Ware"]
    assert not all(open_now(c) for c in in_ware)
    phone.goto(base + "/centres/?near=Ware")
    phone.get_by_role("heading", name="Nearest to Ware").wait_for()
    ware = centres["ware-priors-wood"]["location"]
    assert_sorted_by_true_distance(phone, (ware["lat"], ware["lon"]))
    assert "Priors Wood" not in phone.locator(".card:visible h3").first.inner_text()
    shown = len(expected_nearest((0, 0)))
    assert phone.locator("[data-filter-status]").inner_text() == \
        f"{shown} centres shown, nearest first"
    phone.goto(base + "/centres/?service=family-support")
    offering = [c["name"] for c in centres.values()
                if "family-support" in c["services"] and open_now(c)]
    names = phone.locator(".card:visible h3").all_inner_texts()
    assert sorted(names) == sorted(offering)
    assert phone.locator("[data-filter-status]").inner_text() == f"{len(offering)} centres shown"


def test_filters_move_focus_to_the_count_and_hide_the_unfiltered_list(phone, base):
    phone.goto(base + "/centres/")
    phone.get_by_label("District", exact=True).select_option("Watford")
    phone.get_by_label("Child and family health services").check()
    phone.get_by_role("button", name="Show centres").click()
    status = phone.locator("[data-filter-status]")
    assert phone.evaluate("document.activeElement.matches('[data-filter-status]')")
    box = status.bounding_box()
    assert 0 <= box["y"] < PHONE["height"] / 2, box  # scrolled up to it, not below the form
    shown = phone.locator(".card:visible")
    assert status.inner_text() == f"{shown.count()} centres shown"
    assert 0 < shown.count() < 10
    for card in shown.all():
        assert card.get_attribute("data-district") == "Watford"
    assert not phone.get_by_role("heading", name="Browse centres by service").is_visible()
    assert phone.locator("[data-district-group]:visible").count() == 1
    # a place on top: the district's centres nearest first, the directory put away
    phone.get_by_label("Postcode or town").fill("Watford")
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name="Nearest to Watford").wait_for()
    assert phone.locator("[data-district-group]:visible").count() == 0
    assert len(shown_cards(phone)) == shown.count()
    assert phone.title().startswith("Nearest to Watford: ")
    phone.get_by_role("button", name="Clear filters").click()
    assert phone.get_by_role("heading", name="Browse centres by service").is_visible()
    assert phone.locator("[data-results]").is_hidden()
    assert not phone.title().startswith("Nearest")


def test_a_centre_page_puts_open_now_hours_phone_and_address_on_the_first_screen(phone, base):
    """They were 950 px and more down a phone's page, below status, phase and district."""
    phone.goto(base + "/centres/watford-holywell/")
    for row in ("Opening hours", "Telephone", "Address"):
        box = phone.locator(".summary-list__row", has_text=row).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], (row, box)
    assert phone.locator("[data-today]").is_visible()
    assert re.match(r"(Open|Closed) now Today: ", phone.locator("[data-today]").inner_text())
    sessions = phone.get_by_role("heading", name="Sessions", exact=True).bounding_box()
    status = phone.locator(".summary-list__row", has_text="Status").bounding_box()
    assert sessions["y"] < status["y"]


# -- open now, in UK time ------------------------------------------------------------------

@pytest.mark.parametrize("moment, expected", [
    ("2026-11-23T10:00:00+00:00", "Open now Today: 9am to 5pm"),  # a Monday in winter
    ("2026-11-23T17:00:00+00:00", "Closed now Today: 9am to 5pm"),  # closes at 5pm
    ("2027-06-19T10:30:00+00:00", "Open now Today: 10am to midday"),  # Saturday, 11:30 BST
    ("2027-06-19T11:30:00+00:00", "Closed now Today: 10am to midday"),  # 12:30 BST
    ("2027-06-20T10:00:00+00:00", "Closed now Today: closed"),  # Sunday
    ("2026-12-24T11:00:00+00:00", "Open now Today: 9am to 5pm"),  # Christmas Eve, a Thursday
    ("2026-12-25T11:00:00+00:00",  # Christmas Day: site.yaml's closures, whatever the hours
     "Closed today Christmas Day, Boxing Day and the bank holiday for it"),
    ("2026-12-28T11:00:00+00:00",
     "Closed today Christmas Day, Boxing Day and the bank holiday for it"),
    ("2026-12-29T11:00:00+00:00", "Open now Today: 9am to 5pm"),
])
def test_open_now_and_todays_hours_are_worked_out_in_uk_time(chromium, base, moment, expected):
    """The visitor's own clock is in New York: what counts is the time in the UK, and
    the days the centre is closed (a family must not set off on Christmas Day)."""
    context = chromium.new_context(viewport=PHONE, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))
        page.goto(base + "/centres/south-oxhey-childrens-centre/")
        assert page.locator(".today").inner_text() == expected
        page.goto(base + "/centres/")
        card = page.locator(".card", has=page.get_by_role("link", name="South Oxhey Children's Centre"))
        assert card.locator(".today").inner_text() == expected
        assert card.locator("[data-today]").inner_text() == (  # the week's, kept
            "Monday to Friday: 9am to 5pm; Saturday: 10am to midday")
        planned = page.locator(".card", has_text="Planned").first
        assert "now" not in planned.inner_text()  # a planned centre is never open now
    finally:
        context.close()


@contextlib.contextmanager
def whats_on_at(chromium, base: str, day: str, moment: str):
    """A day's What's on read at `moment` by a phone whose own clock is in New York (what
    counts is the UK's day): its sessions."""
    context = chromium.new_context(viewport=PHONE, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))
        page.goto(base + f"/whats-on/{day}/")
        yield page.locator("[data-timetable] li")
    finally:
        context.close()


@pytest.mark.parametrize("moment, told", [
    ("2026-12-21T10:00:00+00:00", None),  # a Monday the centres are open
    ("2026-12-27T10:00:00+00:00", "Closed on 28 December"),  # the Sunday before a closed one
    ("2026-12-28T10:00:00+00:00", "Closed today"),  # the Monday bank holiday itself
])
def test_whats_on_tells_a_session_on_a_day_its_centre_is_closed(chromium, base, moment, told):
    """A parent reading Monday's sessions must not set off to a centre closed on it."""
    with whats_on_at(chromium, base, "monday", moment) as sessions:
        assert sessions.count() > 5
        closed = sessions.filter(has_text="Christmas Day, Boxing Day and the bank holiday")
        assert closed.count() == (sessions.count() if told else 0)
        if told:
            assert closed.first.locator(".tag").inner_text() == told


@pytest.mark.parametrize("moment, told", [
    ("2026-12-15T10:00:00+00:00", None),  # a Tuesday in term
    ("2026-12-20T10:00:00+00:00", "Not on 22 December"),  # the Sunday before the holidays' first
    ("2026-12-22T10:00:00+00:00", "Not today"),  # a Tuesday of the Christmas holidays
])
def test_whats_on_tells_a_term_time_session_is_off_in_the_school_holidays(chromium, base,
                                                                          moment, told):
    """A parent reading Tuesday's sessions in the Christmas holidays must not set off to
    a term-time session; the others are on."""
    with whats_on_at(chromium, base, "tuesday", moment) as sessions:
        term_time = sessions.filter(has_text="Term time only.")
        assert 0 < term_time.count() < sessions.count()
        tagged = sessions.filter(has=sessions.page.locator(".tag--grey"))  # (not "On now")
        assert tagged.count() == (term_time.count() if told else 0)
        for item in tagged.all():
            assert "Term time only." in item.inner_text()
            assert item.locator(".tag").inner_text() == told
            assert item.inner_text().endswith("Christmas holidays: this session is term time only.")


def test_open_now_is_told_afresh_on_a_page_left_open(chromium, base):
    """A phone keeps a tab for days: "Open now" read at 4:55pm must not stay so at 5:05pm,
    nor a card's; What's on's "Closed on 25 December" is "Closed today" after midnight."""
    context = chromium.new_context(viewport=PHONE, timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.install(time=dt.datetime.fromisoformat("2026-12-07T16:55:00+00:00"))
        page.goto(base + "/centres/south-oxhey-childrens-centre/")
        assert page.locator(".today").inner_text() == "Open now Today: 9am to 5pm"
        page.clock.run_for(10 * 60 * 1000)
        assert page.locator(".today").inner_text() == "Closed now Today: 9am to 5pm"
        page.goto(base + "/whats-on/friday/")
        page.clock.run_for(1000)
        page.clock.set_system_time(dt.datetime.fromisoformat("2026-12-24T23:58:00+00:00"))
        page.reload()
        tags = page.locator("[data-timetable] li .tag")
        assert tags.first.inner_text() == "Closed on 25 December"
        page.clock.run_for(3 * 60 * 1000)
        assert tags.first.inner_text() == "Closed today"
        assert tags.count() == page.locator("[data-timetable] li").count()  # once each
    finally:
        context.close()


@pytest.mark.parametrize("moment, path, note, today", [
    ("2026-12-07T10:00:00+00:00", "/whats-on/", "Today is Monday 7 December: today's sessions.",
     "Monday"),
    ("2026-12-06T10:00:00+00:00", "/whats-on/", "Today is Sunday 6 December, and the centres "
     "run no sessions today. Monday's sessions.", None),
    ("2026-12-07T10:00:00+00:00", "/whats-on/monday/", "Today, Monday 7 December.", "Monday"),
    # at 10:30pm, with every session of the day over, it offered "today's sessions" (a review)
    ("2026-12-07T22:30:00+00:00", "/whats-on/", "Today is Monday 7 December, and today's "
     "sessions are over. Tuesday's sessions.", "Monday"),
    ("2026-12-07T22:30:00+00:00", "/whats-on/monday/", "Today, Monday 7 December. Today's "
     "sessions are over. Tuesday's sessions.", "Monday"),
    # ...and in the school holidays, of the sessions that run in them: an evening class,
    # term time only, kept "today's sessions" on offer till 9pm
    ("2026-12-22T17:00:00+00:00", "/whats-on/", "Today is Tuesday 22 December, and today's "
     "sessions are over. Wednesday's sessions.", "Tuesday"),
    ("2026-12-22T10:00:00+00:00", "/whats-on/", "Today is Tuesday 22 December: today's "
     "sessions.", "Tuesday"),
    # ...one day of them said as one day, not "from tomorrow until Friday 1 January"
    ("2026-12-31T22:30:00+00:00", "/whats-on/", "Today is Thursday 31 December, and today's "
     "sessions are over. Every centre is closed tomorrow (New Year's Day). Saturday's "
     "sessions.", "Thursday"),
    # the days every centre is closed between today and the next sessions, said why
    ("2026-12-24T22:30:00+00:00", "/whats-on/", "Today is Thursday 24 December, and today's "
     "sessions are over. Every centre is closed from tomorrow until Monday 28 December "
     "(Christmas Day, Boxing Day and the bank holiday for it). Tuesday's sessions.",
     "Thursday"),
    ("2026-12-07T10:00:00+00:00", "/whats-on/tuesday/", "Tomorrow, Tuesday 8 December.",
     "Monday"),
    ("2026-12-07T10:00:00+00:00", "/whats-on/friday/", "Next on Friday 11 December.",
     "Monday"),
    # Christmas Day: every session was told "Closed today", and nothing above them said
    # so; the next day with sessions, Tuesday (Monday 28th is closed too: a parent's review)
    ("2026-12-25T10:00:00+00:00", "/whats-on/", "Today is Friday 25 December, and every "
     "centre is closed today (Christmas Day, Boxing Day and the bank holiday for it). "
     "Tuesday's sessions.", "Friday"),
    ("2026-12-25T10:00:00+00:00", "/whats-on/friday/", "Today, Friday 25 December. Every "
     "centre is closed that day (Christmas Day, Boxing Day and the bank holiday for it), so "
     "none of these sessions runs. Tuesday's sessions.", "Friday"),
    ("2026-12-24T10:00:00+00:00", "/whats-on/monday/", "Next on Monday 28 December. Every "
     "centre is closed that day (Christmas Day, Boxing Day and the bank holiday for it), so "
     "none of these sessions runs.", "Thursday"),
])
def test_whats_on_says_which_day_is_today_and_the_date_a_day_is_read_for(
        chromium, base, moment, path, note, today):
    context = chromium.new_context(viewport=PHONE, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))
        page.goto(base + path)
        assert page.locator("[data-today-note]").inner_text() == note
        marked = page.locator(".day-nav a", has=page.locator("[data-today-mark]"))
        assert [link.inner_text().split(" ")[0] for link in marked.all()] == \
            ([today] if today else [])
        if not today:
            page.get_by_role("link", name="Monday's sessions").click()
            assert page.url.endswith("/whats-on/monday/")
        elif "Tuesday's sessions" in note:
            page.get_by_role("link", name="Tuesday's sessions").click()
            assert page.url.endswith("/whats-on/tuesday/")
    finally:
        context.close()


def test_a_councils_copy_of_whats_on_from_before_the_end_times_still_offers_todays_sessions(
        chromium, base):
    """A copy of whats-on.html made before its links had data-ends said "the centres run
    no sessions today" on a day of 41 (a review): without them, today's are offered."""
    context = chromium.new_context(viewport=PHONE, timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat("2026-12-07T22:30:00+00:00"))

        def as_an_old_copy(route):
            answer = route.fetch()
            body = re.sub(r' data-ends(-in-holidays)?="[^"]*"', "", answer.text())
            assert "data-ends" not in body
            route.fulfill(response=answer, body=body)
        page.route(base + "/whats-on/", as_an_old_copy)
        page.goto(base + "/whats-on/")
        assert page.locator("[data-today-note]").inner_text() == \
            "Today is Monday 7 December: today's sessions."
    finally:
        context.close()


@pytest.mark.parametrize("moment, note", [
    ("2026-12-21T10:00:00+00:00", "Today is Monday 21 December, and every centre is closed "
     "today (Christmas closure). They are closed until Friday 1 January."),
    ("2026-12-20T10:00:00+00:00", "Today is Sunday 20 December, and the centres run no "
     "sessions today. Every centre is closed from tomorrow until Friday 1 January "
     "(Christmas closure)."),
])
def test_whats_on_says_until_when_a_closure_of_a_fortnight_lasts(chromium, base, moment,
                                                                  note):
    """With every day of the week ahead closed, it said only that the centres were
    closed today, or run no sessions today: nothing of when they open again (a review)."""
    context = chromium.new_context(viewport=PHONE, timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))

        def a_long_closure(route):
            answer = route.fetch()
            body = re.sub(r"data-site-closed='[^']*'", "data-site-closed='[[\"2026-12-21\", "
                          "\"2027-01-01\", \"Christmas closure\"]]'", answer.text())
            assert "Christmas closure" in body
            route.fulfill(response=answer, body=body)
        page.route(base + "/whats-on/", a_long_closure)
        page.goto(base + "/whats-on/")
        assert page.locator("[data-today-note]").inner_text() == note
    finally:
        context.close()


def test_the_sessions_over_for_today_are_told_so_in_the_evening(chromium, base):
    """At 7pm What's on still offered Monday's sessions as today's, each one over, none
    told so (a parent's review)."""
    with whats_on_at(chromium, base, "monday", "2026-12-07T19:00:00+00:00") as sessions:
        ends = [item.get_attribute("data-ends") for item in sessions.all()]
        over = [end <= "19:00" for end in ends]
        assert any(over)
        for item, done in zip(sessions.all(), over):
            tag = item.locator(".tag", has_text="Finished for today")
            assert tag.count() == (1 if done else 0), item.inner_text()
    with whats_on_at(chromium, base, "monday", "2026-12-07T08:00:00+00:00") as sessions:
        assert sessions.filter(has_text="Finished for today").count() == 0


def test_a_session_running_now_is_told_on_now_when_the_centres_hours_say_closed(chromium,
                                                                               base):
    """An evening course at 7:30pm: the centre's hours say "Closed now", the course is on
    (a parent's review); in the holidays, a term-time one is not."""
    context = chromium.new_context(viewport=PHONE, timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat("2026-12-08T19:30:00+00:00"))
        page.goto(base + "/centres/berkhamsted-childrens-centre/")
        # the building's hours say closed, and the line says what is on meanwhile
        assert page.locator(".today").inner_text() == \
            "Closed now Today: 9am to 5pm; Parenting course is on now, until 9pm"
        course = page.locator("[data-timetable][data-day=tue] li", has_text="7pm to 9pm")
        assert course.locator(".tag").inner_text() == "On now"
        assert page.locator("[data-timetable] .tag", has_text="On now").count() == 1
        page.clock.set_fixed_time(dt.datetime.fromisoformat("2026-12-22T19:30:00+00:00"))
        page.reload()  # a Tuesday of the Christmas holidays: term time only
        assert page.locator("[data-timetable] .tag", has_text="On now").count() == 0
        assert "is on now" not in page.locator(".today").inner_text()
    finally:
        context.close()


def test_a_centres_own_page_tells_its_term_time_sessions_are_off_in_the_holidays(chromium,
                                                                                  base):
    """As What's on does: a parent reading Bushey's week in the Christmas holidays."""
    context = chromium.new_context(viewport=PHONE, timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime.fromisoformat("2026-12-21T10:00:00+00:00"))
        page.goto(base + "/centres/bushey-childrens-centre/")
        sessions = page.locator("[data-timetable] li")
        term_time = sessions.filter(has_text="Term time only.")
        assert term_time.count() >= 3
        assert term_time.first.locator(".tag").inner_text() == "Not today"  # a Monday
        for item in term_time.all():
            assert item.inner_text().endswith("Christmas holidays: this session is term time only.")
        assert sessions.filter(has_not_text="Term time only.").locator(".tag--grey").count() == 0
    finally:
        context.close()


def test_a_search_after_the_place_list_failed_to_load_works_once_the_signal_is_back(phone,
                                                                                    base):
    """One dropped connection kept the failed load for good: every search said "Failed
    to fetch" until the page was loaded again."""
    tries, signal = [], {"back": False}

    def answer(route):
        tries.append(route.request.url)
        route.continue_() if signal["back"] else route.abort()
    phone.route("**/places.json", answer)
    phone.goto(base + "/centres/")
    phone.wait_for_function("() => document.querySelector('[data-centre-filter]') && "
                            "!document.querySelector('[data-centre-filter]').hidden")
    phone.get_by_label("Postcode or town").fill("WD19 7AD")
    phone.get_by_role("button", name="Find").click()
    message = phone.locator("[data-finder-message]")
    message.get_by_text("could not be loaded: check you are online, then try again").wait_for()
    assert "Failed to fetch" not in message.inner_text()
    signal["back"] = True
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name="Nearest to WD19 7AD").wait_for()
    assert len(tries) == 3  # (as the page loaded, at the first search, at the second)


@pytest.mark.parametrize("path", ["/centres/", "/whats-on/monday/"])
def test_a_page_loaded_on_a_good_signal_finds_places_once_it_is_gone(phone, base, path):
    """The list of places was asked for at the first search: a parent who had loaded
    the page, then lost the signal, was told to check they were online."""
    with phone.expect_response("**/places.json"):
        phone.goto(base + path)
    phone.context.set_offline(True)
    try:
        phone.get_by_label("Postcode or town").fill("WD19 7AD")
        phone.get_by_role("button", name="Find").click()
        phone.get_by_role("heading", name="Nearest to WD19 7AD").or_(
            phone.locator(".session__distance").first).first.wait_for()
        assert "could not be loaded" not in phone.locator("[data-finder-message]").inner_text()
    finally:
        phone.context.set_offline(False)


# -- the map ----------------------------------------------------------------------------------

def answer_tiles(page) -> list[str]:
    """Map pictures answered with a blank one; returns the list of those asked for."""
    tiles = []

    def answer(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)

    page.route(re.compile(r"^https://"), answer)
    return tiles


def violations_but_markers_close_together(page) -> list[dict]:
    """axe's findings on a page with its map shown, but for markers closer together than
    the 24 px of WCAG 2.5.8: its 'equivalent' exception holds, since the list beside the
    map has each centre as a link."""
    found = []
    for v in axe_violations(page):
        if v["id"] == "target-size":
            v["nodes"] = [n for n in v["nodes"] if "leaflet-marker-icon" not in n["html"]]
        if v["nodes"]:
            found.append(v)
    return found


def show_map(page, base, path: str) -> int:
    """Open `path`, use the finder, press "Show map" (tiles answered with a blank
    picture), and return the markers' count; nothing may leave the site before."""
    tiles = answer_tiles(page)
    page.goto(base + path)
    if path == "/centres/":
        page.get_by_label("Postcode or town").fill("WD19")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("heading", name="Nearest to WD19").wait_for()
    page.wait_for_load_state("networkidle")
    assert not page.elsewhere and not tiles, "a request left the site before Show map"
    assert page.evaluate("typeof window.L") == "undefined"  # Leaflet not even loaded
    button = page.get_by_role("button", name=re.compile("^Show map"))
    assert "OpenStreetMap" in page.locator("[data-map]").inner_text()
    button.click()
    page.locator(".leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert tiles and all(t.startswith("https://tile.openstreetmap.org/") for t in tiles)
    assert page.get_by_role("link", name="© OpenStreetMap contributors").is_visible()
    return page.locator(".leaflet-marker-icon").count()


def test_no_request_leaves_the_site_before_show_map_then_every_centre_is_a_marker(phone, base):
    located = [c for c in sample_centres().values() if c.get("location") and open_now(c)]
    assert show_map(phone, base, "/centres/") == len(located)  # the nearest to WD19
    marker = phone.get_by_role("button", name="South Oxhey Children's Centre")
    marker.focus()
    phone.keyboard.press("Enter")
    popup = phone.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="South Oxhey Children's Centre").wait_for()


def test_the_map_shows_the_centres_the_filters_show_and_follows_them(phone, base):
    """'7 centres shown' in Watford, and the map drew every centre, 'Map of 81 centres',
    and stayed so when the district was changed."""
    answer_tiles(phone)
    phone.goto(base + "/centres/?district=Watford")
    markers = phone.locator(".leaflet-marker-icon")
    area = phone.locator("[data-map-area]")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    markers.first.wait_for()
    for district in ("Watford", "Dacorum"):
        phone.get_by_label("District", exact=True).select_option(district)
        placed = phone.locator(".card[data-lat]:visible")
        names = sorted(card.locator("h3").inner_text() + (
            f": {card.locator('.tag').inner_text()}" if card.get_attribute("data-state")
            != "open" else "") for card in placed.all())
        assert 0 < len(names) < 20
        assert phone.locator("[data-filter-status]").inner_text() == f"{len(names)} centres shown"
        assert sorted(m.get_attribute("alt") for m in markers.all()) == names
        assert area.get_attribute("aria-label").startswith(f"Map of {len(names)} centres:")


def test_after_a_search_the_map_shows_the_place_and_the_nearest_centres(phone, base):
    """It showed the whole county, 80 markers in a phone's 360 px, the place searched
    from nowhere (a parent's review): the place is marked, and the map is the place and
    the nearest centres, each of their markers in view."""
    answer_tiles(phone)
    phone.goto(base + "/centres/")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    markers = phone.locator(".leaflet-marker-icon")
    markers.first.wait_for()
    def in_view() -> list[str]:
        area = phone.locator("[data-map-area]").bounding_box()  # (the page scrolls)
        inside = []
        for marker in markers.all():
            box = marker.bounding_box()
            if box and area["x"] <= box["x"] + box["width"] / 2 <= area["x"] + area["width"] \
                    and area["y"] <= box["y"] + box["height"] <= area["y"] + area["height"]:
                inside.append(marker.get_attribute("alt"))
        return inside
    county = len(in_view())
    phone.get_by_label("Postcode or town").fill("WD19 7AD")
    phone.get_by_role("button", name="Find").click()
    phone.get_by_role("heading", name="Nearest to WD19 7AD").wait_for()
    assert phone.locator(".leaflet-tooltip").inner_text() == "Near WD19 7AD"
    nearest = [name for name, _ in shown_cards(phone)[:5]]
    for _ in range(25):  # (the map's move is animated: as long as a loaded machine needs)
        phone.wait_for_timeout(200)
        seen = in_view()
        if set(nearest) <= set(seen) and len(seen) < county / 2:
            break
    assert set(nearest) <= set(seen) and len(seen) < county / 2, (seen, county)


def test_a_centre_that_is_not_open_says_so_on_the_map(phone, base):
    """The map draws every centre the list shows, the closed and the planned too: each
    says so in its marker's name and its popup, and is drawn grey, as the list's card
    says it, so no parent sets out for a building that is not open. Grey, not faded: a
    faded marker fell below 3:1 against the map (WCAG 1.4.11), though one can Tab to it."""
    answer_tiles(phone)
    phone.goto(base + "/centres/?district=North%20Hertfordshire")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    marker = phone.get_by_role("button", name="Royston Children's Centre: Planned", exact=True)
    marker.wait_for()
    assert float(marker.evaluate("e => getComputedStyle(e).opacity")) == 1
    assert "grayscale" in marker.evaluate("e => getComputedStyle(e).filter")
    marker.focus()
    phone.keyboard.press("Enter")
    popup = phone.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="Royston Children's Centre").wait_for()
    assert "Planned" in popup.inner_text()
    open_one = phone.locator(".leaflet-marker-icon:not([alt*=':'])").first
    assert open_one.evaluate("e => getComputedStyle(e).filter") == "none"


@pytest.mark.parametrize("centre, named", [
    ("cheshunt-childrens-centre", "Cheshunt Children's Centre"),
    ("royston-childrens-centre", "Royston Children's Centre: Planned")])
def test_a_centres_own_map_tells_it_as_it_is(phone, base, centre, named):
    """On a centre's own page the marker is the centre as its page tells it: an open one
    is named and drawn as open, a planned one says so (the first version named every
    centre 'Not open' there)."""
    answer_tiles(phone)
    phone.goto(base + f"/centres/{centre}/")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    marker = phone.get_by_role("button", name=named, exact=True)
    marker.wait_for()
    greyed = "grayscale" in marker.evaluate("e => getComputedStyle(e).filter")
    assert greyed == (":" in named)


def test_enter_on_a_marker_takes_the_focus_into_its_popup_and_escape_brings_it_back(phone,
                                                                                  base):
    """After Enter on a marker the popup opened but Tab went on to the next marker (82 Tabs
    to its link), and Escape did nothing while the marker had the focus."""
    answer_tiles(phone)
    phone.goto(base + "/centres/?district=Watford")
    name = phone.locator(".card[data-lat]:visible h3").first.inner_text()
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    marker = phone.get_by_role("button", name=name, exact=True)
    popup = phone.locator(".leaflet-popup")
    focused = "e => e === document.activeElement"
    marker.focus()
    phone.keyboard.press("Enter")
    link = popup.get_by_role("link", name=name)
    link.wait_for()
    assert link.evaluate(focused)
    assert not (found := violations_but_markers_close_together(phone)), report(found)
    phone.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert marker.evaluate(focused)
    phone.keyboard.press("Enter")  # again, then Escape from the marker itself
    link.wait_for()
    marker.focus()
    phone.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert marker.evaluate(focused)


FOCUSED = "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor, " \
    "getComputedStyle(e).outlineStyle, e === document.activeElement]"
TEXT, FOCUS = "rgb(11, 12, 12)", "rgb(255, 221, 0)"  # style.css --text and --focus


def tab_to(page, locator, most: int = 120) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user gets there."""
    for _ in range(most):
        if locator.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_the_maps_own_links_and_buttons_show_the_focus_as_the_sites_do(phone, base):
    """Leaflet's stylesheet, loaded after the site's, gave the popup's focused link its
    blue on the focus yellow (3.7:1) and the zoom buttons a pale grey for the focus."""
    phone.route(re.compile(r"^https://"), lambda route: route.abort())  # (no tiles: as axe saw it)
    phone.goto(base + "/centres/watford-callowland/")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    area = phone.get_by_role("region", name=re.compile("^Map of 1 centre: use Tab"))
    area.wait_for()
    marker = phone.locator(".leaflet-marker-icon")

    def shows_the_focus(control: str, most: int) -> None:
        element = phone.locator(control)
        tab_to(phone, element, most)
        color, background, outline, _ = element.evaluate(FOCUSED)
        shadow = element.evaluate("e => getComputedStyle(e).boxShadow")
        assert (outline == "solid" and FOCUS in shadow) or \
            (color, background) == (TEXT, FOCUS), (control, color, background, outline, shadow)

    tab_to(phone, phone.locator(".leaflet-control-zoom-in"))
    shows_the_focus(".leaflet-control-zoom-in", 1)
    shows_the_focus(".leaflet-control-zoom-out", 2)
    tab_to(phone, marker, 3)
    phone.keyboard.press("Enter")
    link = phone.locator(".leaflet-popup-content a")
    link.wait_for()
    color, background, _, focused = link.evaluate(FOCUSED)
    assert (color, background, focused) == (TEXT, FOCUS, True)
    for control in (".leaflet-popup-close-button", ".leaflet-control-attribution a >> nth=0"):
        shows_the_focus(control, 6)


def test_the_popups_close_button_stays_in_its_corner_when_focused(phone, base):
    """The site's focus rule gave it position: relative, which took it out of the popup's
    corner to below the popup, at 13 by 19 pixels."""
    phone.route(re.compile(r"^https://"), lambda route: route.abort())
    phone.goto(base + "/centres/watford-callowland/")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    marker = phone.locator(".leaflet-marker-icon")
    tab_to(phone, marker)
    phone.keyboard.press("Enter")
    close = phone.locator(".leaflet-popup-close-button")
    close.wait_for()

    def in_popup() -> tuple[float, float, float, float]:
        """Where the button is in its popup (the map may pan the popup meanwhile)."""
        button, popup = close.bounding_box(), phone.locator(".leaflet-popup").bounding_box()
        return (button["x"] - popup["x"], button["y"] - popup["y"], button["width"],
                button["height"])

    before = in_popup()
    tab_to(phone, close, 3)
    after = in_popup()
    assert all(abs(a - b) < 4 for a, b in zip(after, before)), (before, after)  # (it went
    # 67 px below the popup; a pan of the map moves the popup by a pixel or two meanwhile)
    assert after[2] > 23.5 and after[3] > 23.5 and after[1] > -4


def test_a_map_that_fails_to_load_says_so_and_keeps_the_keyboards_place(phone, base):
    """Pressing "Show map" disabled the button, which dropped the focus to the page's top,
    and a failure (the signal lost) was written where no screen reader told it."""
    phone.route("**/leaflet.js", lambda route: route.abort())
    phone.goto(base + "/centres/")
    button = phone.get_by_role("button", name=re.compile("^Show map"))
    button.focus()
    phone.keyboard.press("Enter")
    alert = phone.get_by_role("alert").filter(has_text="The map could not be loaded.")
    alert.wait_for()
    assert button.evaluate("e => e === document.activeElement && !e.disabled")
    phone.unroute("**/leaflet.js")
    phone.route(re.compile(r"^https://"), lambda route: route.abort())
    phone.keyboard.press("Enter")  # the signal back: it tries again
    phone.get_by_role("region", name=re.compile("^Map of")).wait_for()
    assert alert.is_hidden()


def test_the_map_can_be_hidden_again_and_the_keyboard_then_goes_on_to_the_list(phone,
                                                                              base):
    """Once shown, the map could not be hidden, and its button was gone: a keyboard had
    Tab pressed 85 times, through every marker, to reach the list after it (a parent's
    review)."""
    answer_tiles(phone)
    phone.goto(base + "/centres/")
    button = phone.get_by_role("button", name=re.compile("^Show map"))
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    phone.locator(".leaflet-marker-icon").first.wait_for()
    hide = phone.get_by_role("button", name=re.compile("^Hide map"))
    assert hide.is_visible() and hide.get_attribute("aria-expanded") == "true"
    hide.focus()
    phone.keyboard.press("Enter")
    assert phone.locator("[data-map-area]").is_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    phone.keyboard.press("Tab")  # from the button: past the map, into the list
    focused = phone.evaluate("() => document.activeElement.closest('[data-map]') === null"
                             " && document.activeElement.closest('main') !== null")
    assert focused
    button.click()  # shown again, with its markers, the focus in it
    assert phone.locator("[data-map-area]").is_visible()
    assert phone.locator(".leaflet-marker-icon").count() > 20
    assert phone.evaluate("() => document.activeElement.matches('[data-map-area]')")


def test_the_map_that_fails_says_where_the_page_has_what_it_shows(phone, base):
    """It said "the list of centres above" of a list below it, and the same of a centre's
    page, which has no list (a parent's review)."""
    phone.route("**/leaflet.js", lambda route: route.abort())
    for path, instead in (("/centres/", "the list of centres below the map"),
                          ("/centres/south-oxhey-childrens-centre/",
                           "the address and opening hours above")):
        phone.goto(base + path)
        phone.get_by_role("button", name=re.compile("^Show map")).click()
        alert = phone.get_by_role("alert").filter(has_text="The map could not be loaded.")
        alert.wait_for()
        assert alert.inner_text().endswith(f"Everything the map shows is also in {instead}.")


def test_a_theme_copied_before_the_maps_alert_still_shows_the_map_and_its_failure(phone,
                                                                                 base):
    """A site's own macros.html, copied from the theme before the alert's place was
    added, has none: "Show map" threw at every press, and the map never loaded."""
    def as_an_older_theme_made_it(route):
        page = route.fetch()
        body = re.sub(r'<p class="map__problem"[^>]*data-map-problem[^>]*></p>', "",
                      page.text())
        assert "data-map-problem" not in body
        route.fulfill(response=page, body=body)

    phone.route(base + "/centres/", as_an_older_theme_made_it)
    phone.route("**/leaflet.js", lambda route: route.abort())
    phone.goto(base + "/centres/")
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    phone.get_by_role("alert").filter(has_text="The map could not be loaded.").wait_for()
    phone.unroute("**/leaflet.js")
    phone.route(re.compile(r"^https://"), lambda route: route.abort())
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    phone.get_by_role("region", name=re.compile("^Map of")).wait_for()


FOCUS_IN_MAPS_VIEW = """() => {
  const area = document.querySelector("[data-map-area]").getBoundingClientRect();
  const mark = document.activeElement.getBoundingClientRect();
  return area.left <= mark.left && mark.right <= area.right &&
         area.top <= mark.top && mark.bottom <= area.bottom;
}"""


def test_a_marker_reached_by_tab_is_brought_into_the_maps_view(phone, base):
    """Zoomed in, Tab went to markers outside the part of the map shown: the focus was
    nowhere to be seen."""
    answer_tiles(phone)
    phone.goto(base + "/centres/")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    phone.get_by_role("button", name=re.compile("^Show map")).click()
    phone.locator(".leaflet-marker-icon").first.wait_for()
    for _ in range(3):
        phone.locator(".leaflet-control-zoom-in").click()
        phone.wait_for_timeout(400)
    phone.locator(".leaflet-control-zoom-out").focus()  # (the last control before them)
    outside = []
    for _ in range(12):
        phone.keyboard.press("Tab")
        assert "leaflet-marker-icon" in phone.evaluate("() => document.activeElement.className")
        try:  # (the pan is animated: as long as a loaded machine needs, within reason)
            phone.wait_for_function(FOCUS_IN_MAPS_VIEW, timeout=5000)
        except PlaywrightTimeout:
            outside.append(phone.evaluate("() => document.activeElement.alt"))
    assert not outside, outside


def test_the_maps_zoom_buttons_come_before_its_markers_in_the_keyboards_order(phone, base):
    """Leaflet puts its controls after the map's panes: a keyboard user went through every
    marker (80 of them on the centres page) before reaching "Zoom in" (an accessibility
    specialist's review)."""
    show_map(phone, base, "/centres/")
    phone.locator("[data-map-area]").focus()
    reached = []
    for _ in range(3):
        phone.keyboard.press("Tab")
        reached.append(phone.evaluate("() => document.activeElement.className"))
    assert "leaflet-control-zoom-in" in reached[0]
    assert "leaflet-control-zoom-out" in reached[1]
    assert "leaflet-marker-icon" in reached[2]
    zoom = phone.locator(".leaflet-control-zoom").bounding_box()
    area = phone.locator("[data-map-area]").bounding_box()
    assert 0 < zoom["x"] - area["x"] < 20 and 0 < zoom["y"] - area["y"] < 20  # its corner


def test_the_map_moves_without_animation_for_a_visitor_who_asked_for_less_motion(chromium,
                                                                                 base):
    context = chromium.new_context(viewport=PHONE, reduced_motion="reduce")
    try:
        page = context.new_page()
        answer_tiles(page)
        page.goto(base + "/centres/?district=Watford")
        page.get_by_role("button", name=re.compile("^Show map")).click()
        page.locator(".leaflet-marker-icon").first.wait_for()
        page.evaluate("""() => { window.animated = [];
            new MutationObserver(changes => changes.forEach(c => {
                const names = String(c.target.className && c.target.className.baseVal
                                     !== undefined ? c.target.className.baseVal
                                     : c.target.className);
                if (/leaflet-zoom-anim|leaflet-pan-anim/.test(names))
                    window.animated.push(names); }))
              .observe(document.querySelector('.leaflet-container'),
                       {attributes: true, subtree: true, attributeFilter: ['class']}); }""")
        assert "leaflet-fade-anim" not in page.locator(".leaflet-container").get_attribute("class")
        page.locator(".leaflet-control-zoom-in").click()
        page.locator("[data-map-area]").focus()
        page.keyboard.press("ArrowLeft")  # a pan by the keyboard
        page.locator(".leaflet-marker-icon").first.focus()
        page.keyboard.press("Enter")  # a popup, which pans the map to show itself
        page.wait_for_timeout(600)
        assert page.evaluate("window.animated") == []
    finally:
        context.close()


def test_the_pages_policy_admits_the_tile_host_for_pictures_only(phone, base):
    """The <meta> policy: a picture from the tile host may load (after "Show map"), a
    picture from anywhere else may not, and nothing but pictures from the tile host."""
    asked = []
    phone.route(re.compile(r"^https://"), lambda route: (asked.append(route.request.url),
                                                         route.fulfill(body=BLANK_PNG)))
    phone.goto(base + "/centres/")
    loaded = phone.evaluate("""async () => {
        const picture = (src) => new Promise((done) => {
            const img = new Image(); img.onload = () => done(true); img.onerror = () => done(false);
            img.src = src; });
        const fetched = await fetch('https://tile.openstreetmap.org/1/0/0.png')
            .then(() => true, () => false);
        return {tile: await picture('https://tile.openstreetmap.org/1/0/0.png'),
                other: await picture('https://elsewhere.example.org/x.png'), fetched};
    }""")
    assert loaded == {"tile": True, "other": False, "fetched": False}
    assert asked == ["https://tile.openstreetmap.org/1/0/0.png"]


def test_a_centre_page_shows_its_own_marker_only_when_asked(phone, base):
    assert show_map(phone, base, "/centres/hemel-apsley/") == 1
    assert phone.get_by_role("button", name="Apsley Children's Centre", exact=True) \
        .is_visible()  # (its marker; the button beside is "Hide map of Apsley...")


# -- the menu ------------------------------------------------------------------------------------

def test_the_menu_is_one_disclosure_button_on_a_phone(phone, base):
    phone.goto(base + "/")
    nav = phone.get_by_role("navigation", name="Main")
    menu = nav.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not nav.get_by_role("link", name="Find a centre").is_visible()
    assert nav.bounding_box()["height"] < 60  # one line, not four
    menu.focus()
    phone.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="What's on").is_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.innerText") == "Home"
    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-nav-list"
    phone.set_viewport_size({"width": 1280, "height": 800})
    assert not menu.is_visible()
    assert nav.get_by_role("link", name="Find a centre").is_visible()


# -- What's on ------------------------------------------------------------------------------------

def test_whats_on_near_me_sorts_a_days_sessions_and_filters_by_district(chromium, base):
    oxhey = sample_centres()["south-oxhey-childrens-centre"]
    here = (oxhey["location"]["lat"], oxhey["location"]["lon"])
    with phone_at(chromium, here) as page:
        page.goto(base + "/whats-on/")
        # the day's own link: once today's sessions are over, the page offers "Tuesday's
        # sessions" too, on a Monday (the tests ran by the clock of the machine)
        page.get_by_role("link", name=re.compile(r"^Tuesday \(")).click()
        items = page.locator("[data-timetable] li:visible")
        everything = items.count()
        tuesday = [(c, s) for c in sample_centres().values() if c["status"] == "open"
                   for s in c.get("sessions", []) if "tue" in s["days"]]
        assert everything == len(tuesday)
        page.get_by_role("button", name="Use my location").click()
        page.locator("[data-distance]").first.wait_for()
        assert page.evaluate("document.activeElement.matches('[data-filter-status]')")
        distances = [miles_in(t) for t in page.locator("[data-distance]").all_inner_texts()]
        assert distances == sorted(distances) and len(distances) == everything
        first = items.first.inner_text()
        assert "South Oxhey Children's Centre" in first and "Young parents' group" in first
        page.get_by_label("How far").select_option("2")
        assert all(d <= 2 for d in (miles_in(t) for t in
                   page.locator("li:visible [data-distance]").all_inner_texts()))
        assert page.locator("[data-filter-status]").inner_text().startswith(
            f"{items.count()} sessions shown")
        page.get_by_label("How far").select_option("")
        page.get_by_label("District", exact=True).select_option("Watford")
        page.get_by_role("button", name="Show sessions").click()
        count = int(page.locator("[data-filter-status]").inner_text().split()[0])
        assert 0 < count < everything and count == items.count()
        assert all(i.get_attribute("data-district") == "Watford" for i in items.all())


def test_whats_on_keeps_the_district_and_place_chosen_from_one_day_to_the_next(phone, base):
    """A parent who chose Watford and typed a postcode on Monday taps Tuesday: Tuesday's
    sessions are Watford's, nearest that postcode first, not the whole county's."""
    phone.goto(base + "/whats-on/monday/")
    phone.get_by_label("District", exact=True).select_option("Watford")
    phone.get_by_label("Postcode or town").fill("WD19")
    phone.get_by_role("button", name="Find").click()
    phone.locator("[data-timetable] li:visible [data-distance]").first.wait_for()
    phone.get_by_role("link", name=re.compile(r"^Tuesday \(")).click()
    phone.wait_for_url(re.compile(r"/whats-on/tuesday/\?district=Watford#near=WD19$"))
    phone.locator("[data-timetable] li:visible [data-distance]").first.wait_for()
    items = phone.locator("[data-timetable] li:visible")
    assert items.count() and all(i.get_attribute("data-district") == "Watford"
                                 for i in items.all())
    assert phone.get_by_label("Postcode or town").input_value() == "WD19"


def test_whats_on_keeps_the_location_and_distance_chosen_from_one_day_to_the_next(chromium,
                                                                                 base):
    """"Use my location" within 2 miles on Monday, then Tuesday: Tuesday's sessions
    within 2 miles of it, nearest first, without asking again; the location itself is in
    no address (only "#here") and no request; "Clear filters" forgets it."""
    oxhey = sample_centres()["south-oxhey-childrens-centre"]
    here = (oxhey["location"]["lat"], oxhey["location"]["lon"])
    with phone_at(chromium, here) as page:
        sent = []
        page.on("request", lambda r: sent.append(r.url + " " + r.headers.get("referer", "")))
        page.goto(base + "/whats-on/monday/")
        page.get_by_role("button", name="Use my location").click()
        page.locator("[data-distance]").first.wait_for()
        page.get_by_label("How far").select_option("2")
        page.get_by_role("link", name=re.compile(r"^Tuesday \(")).click()
        page.wait_for_url(re.compile(r"/whats-on/tuesday/\?within=2#here$"))
        page.locator("[data-timetable] li:visible [data-distance]").first.wait_for()
        shown = [miles_in(t) for t in
                 page.locator("[data-timetable] li:visible [data-distance]").all_inner_texts()]
        assert shown and shown == sorted(shown) and all(m <= 2 for m in shown)
        assert page.locator("[data-timetable] li:visible").count() < \
            page.locator("[data-timetable] li").count()
        assert not any(f"{here[0]:.3f}"[:6] in url for url in sent)
        page.get_by_role("button", name="Clear filters").click()
        page.goto(base + "/whats-on/wednesday/#here")
        assert page.locator("[data-distance]").count() == 0  # forgotten


# -- without JavaScript ------------------------------------------------------------------------------

def test_without_javascript_the_directory_and_timetables_read_fully(chromium, base):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    centres = sample_centres()
    try:
        page = context.new_page()
        page.goto(base + "/centres/")
        cards = page.locator(".card")
        assert cards.count() == len(centres) == page.locator(".card:visible").count()
        oxhey = page.locator(".card", has=page.get_by_role("link", name="South Oxhey Children's Centre"))
        text = oxhey.inner_text()
        assert "Bridlington Road" in text and "WD19 7AD" in text
        assert "Monday to Friday: 9am to 5pm; Saturday: 10am to midday" in text
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="What's on").is_visible()
        assert not page.get_by_role("button", name=re.compile("Show map|Menu")).is_visible()
        page.get_by_role("link", name="Child and family health services").click()
        health = [c for c in centres.values() if "health" in c["services"]]
        assert page.locator(".card:visible").count() == len(health)

        page.goto(base + "/centres/south-oxhey-childrens-centre/")
        sessions = page.locator("section", has=page.get_by_role("heading", name="Sessions"))
        for s in centres["south-oxhey-childrens-centre"]["sessions"]:
            assert sessions.get_by_text(s["title"]).first.is_visible(), s["title"]
        page.goto(base + "/whats-on/")
        days = page.get_by_role("navigation", name="Days of the week").get_by_role("link")
        total = 0
        for link in [days.nth(i).get_attribute("href") for i in range(days.count())]:
            page.goto(base + link)
            total += page.locator("[data-timetable] li:visible").count()
        assert total == sum(len(s["days"]) for c in centres.values() if c["status"] == "open"
                            for s in c.get("sessions", []))
    finally:
        context.close()

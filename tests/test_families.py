"""Families: a centre's sessions (validated, on its page, on What's on, in its calendar and
in the open data), the places the finder knows, the map settings, and the open data a map
program reads (GeoJSON). What the pages do in a browser is tests/test_families_browser.py.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import geojson
import pytest
import yaml
from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar

from ccsite.cli import main
from conftest import visible_text
from pagetypes import ROOT
from test_open_data import oruk_validator, problems, read_json, schema, service_files

UK = ZoneInfo("Europe/London")
CENTRES = ROOT / "content" / "centres"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

SESSIONS = """\
sessions:
  - title: Stay and play
    days: [wed, mon]
    starts: "09:30"
    ends: "11:30"
    ages: 0 to 5 years
    booking: Drop in
  - title: Baby clinic
    days: [tue]
    starts: "13:30"
    ends: "15:00"
    term_time_only: true
    note: Bring your red book.
"""


def sample(slug: str) -> dict:
    """A sample centre's front matter, as YAML reads it."""
    return yaml.safe_load((CENTRES / f"{slug}.md").read_text(encoding="utf-8").split("---\n")[1])


def sample_centres() -> dict[str, dict]:
    return {p.stem: sample(p.stem) for p in sorted(CENTRES.glob("*.md"))}


def clock(hhmm: str) -> dt.time:
    return dt.time(int(hhmm[:2]), int(hhmm[3:]))


def with_sessions(site, text: str = SESSIONS) -> None:
    site.edit("centres/oxhey.md", "phone:", text + "phone:")


# -- the content model ----------------------------------------------------------------------

@pytest.mark.parametrize("change, told", [
    (("starts: \"09:30\"", "starts: \"12:30\""),
     "centres/oxhey.md:19: sessions[0].ends: must be later than starts (12:30)"),
    (("days: [wed, mon]", "days: [wed, monday]"),
     "centres/oxhey.md:17: sessions[0].days[1]: 'monday' is not one of"),
    (("  - title: Baby clinic\n    days", "  - days"),
     "centres/oxhey.md:22: sessions[1].title: is required"),
    (("term_time_only: true", "term_time_only: \"yes\""),
     "centres/oxhey.md:26: sessions[1].term_time_only: must be true or false, not 'yes'"),
    (("ends: \"15:00\"", "ends: 3pm"),
     "centres/oxhey.md:25: sessions[1].ends: '3pm' is not a time"),
])
def test_a_wrong_session_is_told_with_its_line_and_nothing_is_published(site, change, told):
    assert site.build().status == 0
    before = site.snapshot()
    with_sessions(site, SESSIONS.replace(*change))
    result = site.build()
    assert result.status == 1
    assert site.shown(told) in result.err, result.err
    assert "Traceback" not in result.err
    assert site.snapshot() == before


@pytest.mark.parametrize("tiles, told", [
    ("http://tiles.example.org/{z}/{x}/{y}.png", "must start with https://"),
    ("https://tiles.example.org/{z}/{x}.png", "must say where {y} goes"),
])
def test_map_tiles_must_be_https_and_say_where_zoom_x_and_y_go(site, tiles, told):
    site.write("site.yaml", site.content.joinpath("site.yaml").read_text()
               + f"map:\n  provider: Example maps\n  tiles: {tiles}\n")
    result = site.build()
    assert result.status == 1
    assert f"site.yaml:{result.err.split('site.yaml:')[1].split(':')[0]}: map.tiles: '{tiles}' " \
           f"{told}" in result.err


def test_map_settings_default_to_openstreetmap_and_name_the_provider(site):
    assert site.build().status == 0
    assert "come from OpenStreetMap" in site.text("/centres/")
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in site.page("/centres/")
    site.write("site.yaml", site.content.joinpath("site.yaml").read_text() + (
        "map:\n  provider: Example Maps\n  tiles: https://{s}.tiles.example.org/{z}/{x}/{y}.png\n"
        "  attribution: © Example Maps\n  attribution_url: https://example.org/credits\n"))
    assert site.build().status == 0
    page = site.page("/centres/")
    assert "come from Example Maps" in site.text("/centres/")
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-attribution="© Example Maps"' in page


# -- pages ----------------------------------------------------------------------------------

def test_a_centre_page_puts_hours_phone_address_and_sessions_before_the_rest(site):
    with_sessions(site)
    site.edit("centres/oxhey.md", "services:", "location: {lat: 51.633, lon: -0.387}\nservices:")
    assert site.build().status == 0
    text = site.text("/centres/oxhey/")
    order = [text.index(words) for words in (
        "Opening hours Monday to Friday : 9am to 5pm", "Telephone 01632 960002",
        "Address 1 Bridlington Road", "Sessions Monday 9:30am to 11:30am Stay and play",
        "Tuesday 1:30pm to 3pm Baby clinic Ask the centre how to join. Term time only. "
        "Bring your red book.", "Wednesday 9:30am to 11:30am Stay and play 0 to 5 years. "
        "Drop in.", "Status Open", "Phase 2")]
    assert order == sorted(order), text
    page = site.page("/centres/oxhey/")
    assert 'href="tel:+441632960002"' in page
    assert 'href="/centres/oxhey/sessions.ics"' in page


def test_whats_on_lists_each_days_sessions_of_open_centres_only(site):
    with_sessions(site)
    site.write("centres/planned.md", site.content.joinpath("centres/oxhey.md").read_text()
               .replace("status: open", "status: planned").replace("lead_agency: oxhey-trust\n", "")
               .replace("opening_date: 2007-09-01\n", "").replace("Oxhey Children", "Planned Children"))
    assert site.build().status == 0
    # (the count said as such to a screen reader, not "Monday (41) Today": a parent's review)
    assert "Monday (1 session ) Tuesday (1 session ) Wednesday (1 session )" in \
        site.text("/whats-on/")
    monday = site.text("/whats-on/monday/")
    assert "9:30am to 11:30am Stay and play at Oxhey Children's Centre , Watford 0 to 5 years. " \
           "Drop in." in monday
    assert "Planned Children" not in monday
    assert not (site.output / "public/whats-on/thursday").exists()
    # a planned centre's page does not offer sessions that are not on, nor its calendar
    assert "Stay and play" not in site.text("/centres/planned/")
    assert not Calendar.from_ical((site.output / "public/centres/planned/sessions.ics")
                                  .read_bytes()).walk("VEVENT")


# -- the calendar ---------------------------------------------------------------------------

def occurrences(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> set:
    """(summary, start, end) of every event between two moments, recurrences expanded and
    the days each leaves out (EXDATE) left out, as a calendar app does."""
    found = set()
    for event in calendar.walk("VEVENT"):
        first = event.decoded("DTSTART")
        length = event.decoded("DTEND") - first
        rule = rruleset()
        rule.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=first))
        skipped = event.get("EXDATE", [])
        for each in skipped if isinstance(skipped, list) else [skipped]:
            for day in each.dts:
                rule.exdate(day.dt)
        for when in rule.between(start, end, inc=True):
            found.add((str(event["SUMMARY"]), when, when + length))
    return found


def test_sessions_calendar_repeats_each_session_weekly_in_uk_time(site):
    with_sessions(site)
    assert site.build().status == 0
    ics = (site.output / "public/centres/oxhey/sessions.ics").read_bytes()
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    for event in events:  # anchored at the opening day (2007-09-01), never at --now
        first = event.decoded("DTSTART")
        assert dt.date(2007, 9, 1) <= first.date() < dt.date(2007, 9, 8)
        assert str(first.tzinfo) == "Europe/London" or first.utcoffset() == dt.timedelta(hours=1)
        assert str(event["ORGANIZER"]).startswith("mailto:")
    # a winter week and a summer week: the same local times, whatever the offset
    for monday in (dt.date(2026, 11, 23), dt.date(2027, 6, 14)):
        start = dt.datetime.combine(monday, dt.time(0), UK)
        found = {(s, a.astimezone(UK).replace(tzinfo=None), b.astimezone(UK).replace(tzinfo=None))
                 for s, a, b in occurrences(calendar, start, start + dt.timedelta(days=7))}
        day = lambda n, hhmm: dt.datetime.combine(monday + dt.timedelta(days=n), clock(hhmm))
        assert found == {
            ("Stay and play at Oxhey Children's Centre", day(0, "09:30"), day(0, "11:30")),
            ("Stay and play at Oxhey Children's Centre", day(2, "09:30"), day(2, "11:30")),
            ("Baby clinic at Oxhey Children's Centre", day(1, "13:30"), day(1, "15:00"))}
    clinic = next(e for e in events if str(e["SUMMARY"]).startswith("Baby clinic"))
    assert "Term time only" in str(clinic["DESCRIPTION"])
    assert "Bring your red book." in str(clinic["DESCRIPTION"])
    assert "Term time only" not in str(next(e for e in events if e is not clinic)["DESCRIPTION"])
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"


def sessions_week(site):
    """(title, day) of each session in the centre's calendar in the week from a Monday,
    as a calendar app that subscribed shows them (the calendar as built now)."""
    calendar = Calendar.from_ical((site.output / "public/centres/oxhey/sessions.ics").read_bytes())
    return lambda monday: {(s.split(" at ")[0], a.astimezone(UK).date()) for s, a, _ in
                           occurrences(calendar, dt.datetime.combine(monday, dt.time(0), UK),
                                       dt.datetime.combine(monday, dt.time(0), UK)
                                       + dt.timedelta(days=7))}


CLOSURES = """closures:
  - date: 2026-12-25
    until: 2026-12-28
    reason: Christmas
"""


def test_a_closure_takes_its_days_from_the_sessions_calendar_and_the_page_tells_it(site):
    """Every centre's (site.yaml) and one's own (a training day, a Monday): a family's
    calendar shows no session on those days, and the centre's page lists them."""
    with_sessions(site)
    site.edit("site.yaml", "members:\n", CLOSURES + "members:\n")
    site.edit("centres/oxhey.md", "phone:", "closures:\n  - date: 2026-11-30\n"
              "    reason: Staff training\nphone:")
    assert site.build().status == 0
    week = sessions_week(site)
    day = lambda text: dt.date.fromisoformat(text)
    assert week(day("2026-11-30")) == {("Baby clinic", day("2026-12-01")),
                                       ("Stay and play", day("2026-12-02"))}
    assert week(day("2026-12-21")) == {("Stay and play", day("2026-12-21")),
                                       ("Baby clinic", day("2026-12-22")),
                                       ("Stay and play", day("2026-12-23"))}
    assert week(day("2026-12-28")) == {("Baby clinic", day("2026-12-29")),
                                       ("Stay and play", day("2026-12-30"))}
    assert "Closed on 30 November 2026 (Staff training); from 25 December 2026 to 28 " \
        "December 2026 (Christmas)." in site.text("/centres/oxhey/")
    assert site.build("--now", "2026-12-01T09:00:00Z").status == 0  # the training day past
    assert "Closed from 25 December 2026 to 28 December 2026 (Christmas)." in \
        site.text("/centres/oxhey/")


def test_a_closure_that_ends_before_it_starts_is_a_mistake(site):
    site.edit("site.yaml", "members:\n", CLOSURES.replace("2026-12-28", "2026-12-20")
              + "members:\n")
    result = site.build()
    assert result.status == 1
    assert "site.yaml:" in result.err and "closures[0].until: must be later than date" \
        in result.err


HOLIDAYS = """school_holidays:
  - name: Christmas holidays
    starts: 2026-12-21
    ends: 2027-01-01
"""


def test_a_term_time_session_is_off_in_the_school_holidays_and_the_pages_say_so(site):
    """A parent who subscribed to the centre's sessions must not see the term-time baby
    clinic on the Tuesdays of the Christmas holidays; every other session goes on."""
    with_sessions(site)
    site.edit("site.yaml", "members:\n", HOLIDAYS + "members:\n")
    assert site.build().status == 0
    week = sessions_week(site)
    day = dt.date.fromisoformat
    assert week(day("2026-12-14")) == {("Stay and play", day("2026-12-14")),
                                       ("Baby clinic", day("2026-12-15")),
                                       ("Stay and play", day("2026-12-16"))}
    for monday in ("2026-12-21", "2026-12-28"):
        assert ("Baby clinic", day(monday) + dt.timedelta(days=1)) not in week(day(monday))
        assert ("Stay and play", day(monday) + dt.timedelta(days=2)) in week(day(monday))
    assert ("Baby clinic", day("2027-01-05")) in week(day("2027-01-04"))
    told = "Sessions marked term time only do not run in the school holidays: Christmas " \
        "holidays, from 21 December 2026 to 1 January 2027 ."  # (a tag ends the date)
    assert told in site.text("/centres/oxhey/")
    assert told in site.text("/whats-on/tuesday/")
    assert "Christmas holidays" not in site.text("/whats-on/monday/")  # none term-time
    clinic = next(s for p in service_files(site.output / "public").values()
                  for s in read_json(p).get("schedules", [])
                  if s["description"].startswith("Session: Baby clinic") and "oxhey" in
                  s["schedule_link"])
    assert clinic["notes"] == "Term time only: not in the school holidays (Christmas " \
        "holidays, 21 December 2026 to 1 January 2027)."
    assert site.build("--now", "2027-01-02T09:00:00Z").status == 0  # the holiday over
    assert "school holidays" not in site.text("/centres/oxhey/")
    assert ("Baby clinic", day("2026-12-22")) not in sessions_week(site)(day("2026-12-21"))


def test_site_yaml_says_two_months_ahead_when_its_holidays_run_out(site, capsys):
    """Bank holidays and school holidays are listed a year at a time: once the last had
    passed, every centre was "Open now" on a bank holiday and term-time sessions ran in
    the holidays, with no word to anyone (a review over a year of builds)."""
    site.edit("site.yaml", "members:\n", HOLIDAYS + "closures:\n"
              "  - {date: 2027-05-03, reason: Early May bank holiday}\nmembers:\n")
    lines = (site.content / "site.yaml").read_text(encoding="utf-8").splitlines()
    told = {}
    for now in ("2026-10-30", "2026-11-02", "2027-03-02", "2027-03-04"):
        capsys.readouterr()
        assert main(["check", "--source", str(site.content), "--now", f"{now}T09:00:00Z"]) == 0
        told[now] = [line for line in capsys.readouterr().err.splitlines() if "site.yaml" in line]
    holidays = next(n for n, text in enumerate(lines, start=1) if "Christmas" in text)
    bank = next(n for n, text in enumerate(lines, start=1) if "Early May" in text)
    assert told["2026-10-30"] == []
    assert told["2026-11-02"] == told["2027-03-02"] == [
        f"{site.shown('site.yaml')}:{holidays}: school_holidays: warning: the last day listed "
        "is 1 January 2027: list the school holidays of the next year after it, or from then "
        "on term-time sessions are shown running in them"]
    assert told["2027-03-04"] == [told["2027-03-02"][0], (
        f"{site.shown('site.yaml')}:{bank}: closures: warning: the last day listed is 3 May "
        "2027: list the bank holidays (www.gov.uk/bank-holidays) after it, or from then on "
        "every centre is shown open on them")]


def test_a_school_holiday_that_ends_before_it_starts_is_a_mistake(site):
    site.edit("site.yaml", "members:\n", HOLIDAYS.replace("2027-01-01", "2026-12-01")
              + "members:\n")
    result = site.build()
    assert result.status == 1
    line = next(n for n, text in enumerate((site.content / "site.yaml").read_text(
        encoding="utf-8").splitlines(), start=1) if "2026-12-01" in text)
    assert f"site.yaml:{line}: school_holidays[0].ends: must be later than starts " \
        "(2026-12-21)" in result.err


def test_a_session_keeps_its_open_data_id_when_one_is_added_before_it(site):
    """An aggregator updates by id: ids by place in the list moved the baby clinic's id
    to a new session, and the opening hours' likewise."""
    with_sessions(site)

    def schedules() -> dict[str, str]:
        assert site.build().status == 0
        service = next(read_json(p) for p in service_files(site.output / "public").values()
                       if read_json(p)["url"].rstrip("/").endswith("/oxhey"))
        return {s["description"].split(".")[0]: s["id"] for s in service["schedules"]}

    before = schedules()
    site.edit("centres/oxhey.md", "sessions:\n", "sessions:\n  - title: Toy library\n"
              "    days: [thu]\n    starts: \"10:00\"\n    ends: \"12:00\"\n")
    site.edit("centres/oxhey.md", "opening_hours:\n", "opening_hours:\n"
              "  - {days: [sat], opens: \"10:00\", closes: \"12:00\"}\n")
    after = schedules()
    assert len(after) == len(before) + 2
    for name, key in before.items():
        assert after[name] == key, name
    assert len(set(after.values())) == len(after)


def test_two_centres_sessions_never_share_an_id_or_a_calendar_uid(site):
    """Oxhey's "Baby clinic" and Oxhey Baby's "Clinic", on the same day at the same time:
    names joined by "-" made them one ("oxhey-baby-clinic"), and an aggregator or a
    calendar took one for the other."""
    with_sessions(site)
    other = (site.content / "centres/oxhey.md").read_text(encoding="utf-8").replace(
        "name: Oxhey Children's Centre", "name: Oxhey Baby Centre").replace(
        "title: Baby clinic", "title: Clinic")
    site.write("centres/oxhey-baby.md", other)
    assert site.build().status == 0
    public = site.output / "public"
    ids = [s["id"] for p in service_files(public).values()
           for s in read_json(p).get("schedules", [])]
    assert len(ids) == len(set(ids)) > 4
    uids = [str(e["UID"]) for slug in ("oxhey", "oxhey-baby") for e in Calendar.from_ical(
        (public / f"centres/{slug}/sessions.ics").read_bytes()).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 4


def test_sessions_calendar_is_the_same_whatever_the_day_but_for_its_stamp(site):
    """The events do not move with the build's day; their stamp does, so that a family
    who imports the file again after the timetable changed has the newer events taken
    (RFC 5546: with no SEQUENCE, the later DTSTAMP wins)."""
    with_sessions(site)
    assert site.build().status == 0
    path = site.output / "public/centres/oxhey/sessions.ics"
    first = path.read_bytes().decode()
    site._capsys.readouterr()
    from ccsite.cli import main
    assert main(["build", "--source", str(site.content), "--output", str(site.output),
                 "--now", "2027-03-02T08:00:00Z", "--quiet"]) == 0
    later = path.read_bytes().decode()
    assert "DTSTAMP:20261125T000000Z" in first and "DTSTAMP:20270302T000000Z" in later
    assert later.replace("20270302T000000Z", "20261125T000000Z") == first


def test_a_changed_timetable_imported_again_is_taken_as_newer(site):
    with_sessions(site)
    assert site.build().status == 0
    path = site.output / "public/centres/oxhey/sessions.ics"
    before = {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
    site.edit("centres/oxhey.md", 'ends: "11:30"', 'ends: "11:00"')
    site._capsys.readouterr()
    from ccsite.cli import main
    assert main(["build", "--source", str(site.content), "--output", str(site.output),
                 "--now", "2026-12-01T08:00:00Z", "--quiet"]) == 0
    after = {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
    assert before.keys() == after.keys()
    moved = [uid for uid in after if after[uid].decoded("DTEND") != before[uid].decoded("DTEND")]
    assert moved and all(after[uid].decoded("DTSTAMP") > before[uid].decoded("DTSTAMP")
                         for uid in moved)


def test_every_sample_calendar_has_each_session_of_the_centre(sample_build):
    public = sample_build / "public"
    calendars = sorted((public / "centres").glob("*/sessions.ics"))
    assert {p.parent.name for p in calendars} == set(sample_centres())  # (see below)
    calendars = [p for p in calendars if Calendar.from_ical(p.read_bytes()).walk("VEVENT")]
    with_sessions_open = {slug for slug, c in sample_centres().items()
                          if c.get("sessions") and c["status"] == "open"}
    assert {p.parent.name for p in calendars} == with_sessions_open
    for path in calendars:
        sessions = sample_centres()[path.parent.name]["sessions"]
        events = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        assert sorted((str(e["SUMMARY"]).split(" at ")[0], e.decoded("DTSTART").strftime("%H:%M"),
                       e["RRULE"]["BYDAY"] and ",".join(e["RRULE"]["BYDAY"])) for e in events) == \
            sorted((s["title"], s["starts"], ",".join(d[:2].upper() for d in sorted(
                s["days"], key=DAYS.index))) for s in sessions), path


def test_a_closed_centres_calendar_is_emptied_not_taken_away(site):
    """A calendar app that subscribed keeps the events of a calendar that is gone, every
    week for ever; it empties one that has none."""
    with_sessions(site)
    assert site.build().status == 0
    path = site.output / "public/centres/oxhey/sessions.ics"
    assert len(Calendar.from_ical(path.read_bytes()).walk("VEVENT")) == 2
    site.edit("centres/oxhey.md", "status: open", "status: closed")
    assert site.build().status == 0
    assert Calendar.from_ical(path.read_bytes()).walk("VEVENT") == []


# -- open data -------------------------------------------------------------------------------

def test_oruk_schedules_tell_sessions_from_opening_hours_and_validate(sample_build):
    public = sample_build / "public"
    validator = oruk_validator(schema("oruk/service.json"))
    services = {read_json(p)["url"].rstrip("/").rsplit("/", 1)[1]: read_json(p)
                for p in service_files(public).values()}
    for slug, centre in sample_centres().items():
        service = services[slug]
        assert not problems(validator, service), slug
        schedules = service.get("schedules", [])
        hours = [s for s in schedules if s["description"].startswith("Opening hours: ")]
        sessions = [s for s in schedules if s["description"].startswith("Session: ")]
        assert len(hours) + len(sessions) == len(schedules), slug
        if centre["status"] == "closed":
            assert not schedules
            continue
        assert len(hours) == len(centre.get("opening_hours", []))
        expected = centre.get("sessions", []) if centre["status"] == "open" else []
        assert [(s["description"].split(",")[0], s["opens_at"], s["closes_at"], s["byday"])
                for s in sessions] == [
            (f"Session: {s['title']}", s["starts"], s["ends"],
             ",".join(d[:2].upper() for d in sorted(s["days"], key=DAYS.index)))
            for s in expected], slug
        for session, given in zip(sessions, expected):
            assert ("notes" in session) == bool(given.get("term_time_only")), slug
            assert session["schedule_link"].endswith(f"/centres/{slug}/#centre-sessions")


def test_the_services_list_carries_each_services_location(sample_build):
    public = sample_build / "public"
    listed = read_json(public / "data/oruk/services.json")["contents"]
    at_locations = oruk_validator(schema("oruk/service.json")["properties"]["service_at_locations"])
    for item in listed:
        detail = read_json(public / f"data/oruk/services/{item['id']}.json")
        assert item["service_at_locations"] == detail["service_at_locations"], item["name"]
        assert not problems(at_locations, item["service_at_locations"]), item["name"]
        assert "latitude" in item["service_at_locations"][0]["location"]


def test_centres_geojson_is_a_valid_rfc_7946_collection_of_the_spreadsheets_rows(sample_build):
    public = sample_build / "public"
    text = (public / "data/centres.geojson").read_text(encoding="utf-8")
    collection = geojson.loads(text)
    assert isinstance(collection, geojson.FeatureCollection)
    assert collection.is_valid, collection.errors()
    rows = {row["Page"]: row for row in csv.DictReader(
        io.StringIO((public / "data/centres.csv").read_text(encoding="utf-8")))}
    located = {slug: c for slug, c in sample_centres().items() if c.get("location")}
    assert len(collection["features"]) == len(located) == len(rows)
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "Point"
        props = feature["properties"]
        assert props == rows[props["Page"]]  # the spreadsheet's row, column for column
        slug = props["Page"].rstrip("/").rsplit("/", 1)[1]
        lon, lat = feature["geometry"]["coordinates"]  # longitude first (RFC 7946 3.1.1)
        assert (lat, lon) == (located[slug]["location"]["lat"], located[slug]["location"]["lon"])
    assert "/data/centres.geojson" in (public / "data/index.html").read_text(encoding="utf-8")


def test_geojson_validation_can_fail():
    """The library does catch a broken geometry (so the test above can fail)."""
    assert not geojson.Point([200.0, 100.0, 1, 2]).is_valid
    bad = geojson.loads('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                        '"geometry": {"type": "Point", "coordinates": [0]}, "properties": {}}]}')
    assert not bad.is_valid


# -- the places the finder knows ---------------------------------------------------------------

def open_first(group: list[dict]) -> list[dict]:
    """A place's centres that place it: its open ones, or all where none is open."""
    return [c for c in group if c["status"] == "open"] or group


def test_places_are_the_middle_of_the_open_centres_of_each_outward_code_and_town(sample_build):
    places = json.loads((sample_build / "public/centres/places.json").read_text())
    centres = [c for c in sample_centres().values() if c.get("location")]
    by_outward: dict[str, list] = {}
    for c in centres:
        by_outward.setdefault(c["address"]["postcode"].split()[0], []).append(c)
    assert set(places["outward"]) == set(by_outward)
    for code, group in by_outward.items():
        points = [c["location"] for c in open_first(group)]
        lat, lon = places["outward"][code][:2]
        # a third item, what its centres are, only where none is open
        assert (len(places["outward"][code]) == 3) == all(c["status"] != "open" for c in group)
        assert math.isclose(lat, sum(p["lat"] for p in points) / len(points), abs_tol=6e-5)
        assert math.isclose(lon, sum(p["lon"] for p in points) / len(points), abs_tol=6e-5)
    assert places["outward"]["SG8"][2] == "planned"  # Royston's planned centre
    for c in centres:  # (a centre not open says what it is: see places.js)
        assert places["postcodes"][c["address"]["postcode"]] == [
            c["location"]["lat"], c["location"]["lon"],
            *([] if c["status"] == "open" else [c["status"]])]
        assert c["address"]["town"] in places["towns"]
        assert c["district"] in places["towns"] or any(
            c["district"] == other["address"]["town"] for other in centres)
    # Watford is a town and a district: the town's own centres (not those of the
    # villages its post goes through, which have a locality), not the district's
    watford = [c["location"] for c in open_first(
        [c for c in centres if c["address"]["town"] == "Watford"
         and not c["address"].get("locality")])]
    assert math.isclose(places["towns"]["Watford"][0],
                        sum(p["lat"] for p in watford) / len(watford), abs_tol=6e-5)
    # Ware is where its own centre is (Priors Wood, closed: the building is in the town),
    # not between Puckeridge and Stanstead Abbotts, villages whose post goes through Ware
    # (from there Hertford, 2.5 miles away, came after both, at 4.6)
    assert places["towns"]["Ware"] == [sample("ware-priors-wood")["location"][k]
                                       for k in ("lat", "lon")] + ["closed"]
    assert places["towns"]["Puckeridge"] == [sample("puckeridge-childrens-centre")[
        "location"][k] for k in ("lat", "lon")]
    # Royston, with only a planned centre, is still where that centre is
    assert places["towns"]["Royston"] == [sample("royston-childrens-centre")["location"][k]
                                          for k in ("lat", "lon")] + ["planned"]


def test_a_closed_centre_offers_nothing_and_a_planned_one_nothing_yet(sample_build):
    """'79 centres offer this service' counted Priors Wood (closed) and Royston (planned),
    and the closed centre's page listed its services as if they were on."""
    public = sample_build / "public"
    assert sample("ware-priors-wood")["status"] == "closed"
    assert sample("royston-childrens-centre")["status"] == "planned"
    service = visible_text((public / "centres/services/family-support/index.html")
                           .read_text(encoding="utf-8"))
    offering = [c for c in sample_centres().values()
                if "family-support" in c["services"] and c["status"] == "open"]
    offer, to_come = service.split(" Not open yet ")
    assert f" {len(offering)} open centres offer this service." in offer
    assert "Priors Wood" not in service
    assert "Royston Children's Centre" not in offer and "Royston Children's Centre" in to_come
    assert "Planned, not offered yet: Family support and outreach" in to_come
    closed = visible_text((public / "centres/ware-priors-wood/index.html").read_text("utf-8"))
    assert "Services This centre has closed, so it offers no services." in closed
    assert "Family support and outreach" not in closed
    directory = visible_text((public / "centres/index.html").read_text(encoding="utf-8"))
    assert f"Family support and outreach ({len(offering)})" in directory


def test_a_centre_page_says_who_runs_it_in_a_familys_words(sample_build):
    """"Lead agency" is the programme's word: a parent reads who runs the centre."""
    public = sample_build / "public"
    bushey = visible_text((public / "centres/bushey-childrens-centre/index.html")
                          .read_text(encoding="utf-8"))
    assert "Run by Sunflower Day Nurseries Ltd The centre's lead agency, chosen by the council " \
        "(private sector)" in bushey
    royston = visible_text((public / "centres/royston-childrens-centre/index.html")
                           .read_text(encoding="utf-8"))
    assert "Run by Not chosen yet: the council is choosing an organisation to run it" in royston


def test_a_closed_centre_says_who_ran_it(site):
    """Not "Run by ... chosen by the council" in the present, for a centre closed (a review)."""
    site.edit("centres/oxhey.md", "status: open", "status: closed")
    assert site.build().status == 0
    text = site.text("/centres/oxhey/")
    assert "Was run by Oxhey Community Trust Its lead agency until it closed" in text, text
    assert "Run by Oxhey" not in text.replace("Was run by", "")


def test_deploy_configs_let_the_site_ask_for_the_location(site):
    assert site.build().status == 0
    for name in ("nginx.conf", "apache.conf"):
        conf = (site.output / "deploy" / name).read_text()
        assert "geolocation=(self)" in conf and "geolocation=()" not in conf, name


def test_the_school_holidays_past_the_first_few_are_a_click_away_not_untold(site):
    """'and 3 more later' left May half term and the summer holidays on no page (a
    parent's review): the rest are listed under a disclosure."""
    with_sessions(site)
    site.edit("site.yaml", "members:\n", HOLIDAYS + """\
  - {name: February half term, starts: 2027-02-15, ends: 2027-02-19}
  - {name: Easter holidays, starts: 2027-03-29, ends: 2027-04-09}
  - {name: May half term, starts: 2027-05-31, ends: 2027-06-04}
members:
""")
    assert site.build().status == 0
    page = site.page("/centres/oxhey/")
    more = re.search(r'<details class="more-later[^"]*"><summary>(.*?)</summary>(.*?)</details>',
                     page, re.S)
    assert more and more.group(1) == "1 more school holiday to come"
    assert "May half term: from" in visible_text(more.group(2))
    assert "May half term" not in visible_text(page.split("<details")[0])


def test_the_home_page_offers_families_whats_on_before_the_programmes_pages(sample_build):
    """A parent's first page: after the centres near them, What's on, before the pages for
    organisations bidding to run a centre (a parent's review)."""
    page = (sample_build / "public" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'class="quick-links__link" href="([^"]+)"', page)
    assert links[:2] == ["/centres/", "/whats-on/"]
    assert links.index("/whats-on/") < links.index("/opportunities/")


def test_a_day_of_whats_on_says_the_bank_holidays_every_centre_is_closed_on_it(sample_build):
    """Read without JavaScript, Monday's sessions were listed for Christmas week with no
    word of the bank holiday (a parent's review): each day's page names the closures of
    every centre that fall on it."""
    def closed_line(day: str) -> str:
        page = (sample_build / "public" / "whats-on" / day / "index.html").read_text()
        found = re.search(r'<p class="hours__closed">(.*?)</p>', page, re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""

    assert closed_line("monday").startswith(
        "Every centre is closed from 25 December 2026 to 28 December 2026 (Christmas Day, "
        "Boxing Day and the bank holiday for it); on 29 March 2027 (Easter Monday)")
    assert "on 1 January 2027 (New Year's Day)" in closed_line("friday")
    monday = (sample_build / "public" / "whats-on" / "monday" / "index.html").read_text()
    assert "more closures to come</summary>" in monday  # (the rest a click away)
    assert closed_line("wednesday") == ""  # (no bank holiday falls on one)

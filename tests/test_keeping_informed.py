"""Providers and the community kept informed (issue 20), tested on built sites: bidders'
questions and answers, a round's events, outcomes and awards, consultations ("Have your
say"), calendar subscriptions, the /subscribe/ page and `ccsite digest`.

Pages are read as built; feeds with feedparser, calendars with icalendar, the OCDS package
with its JSON Schema (tests/test_open_data.py's validator); the digest's links are
followed to the built pages, and its HTML is opened in Chromium at 600 px.
"""
from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest

import pagetypes
from browser import needs_browser
from ccsite.cli import main
from conftest import NOW, FixtureSite, visible_text
from test_open_data import ocds_validator, problems

O = "opportunities/oxhey-eoi.md"
ROUND = "opportunities/round-2006.md"
OPEN = "consultations/oxhey-hours.md"
CLOSED = "consultations/oxhey-future.md"
SOON = "consultations/family-hubs.md"
BASE = "https://cc.example.org/"

QUESTIONS_AND_EVENTS = """\
clarifications:
  - question: Can a partnership apply?
    answer: Yes, with a named lead organisation.
    date: 2026-11-20
  - question: Is there a building?
    answer: The council provides the building.
    date: 2026-11-10
events:
  - title: Briefing session
    start: 2026-12-08T10:00:00Z
    end: 2026-12-08T12:00:00Z
    place: County Hall, Hertford
    booking: Book by e-mail.
  - title: Online briefing
    start: 2026-11-12T18:00:00Z
    online: https://example.org/meet/briefing
"""

ROUND_MD = """\
---
title: Phase two lead agencies
reference: HCC-2006
kind: expression-of-interest
status: complete
published: 2006-01-09
deadline: 2006-02-10T12:00:00Z
eligible_sectors: [voluntary]
enquiries:
  name: Commissioning team
  email: commissioning@example.org
outcome:
  date: 2006-02-28
  contract_start: 2006-04-01
  contract_end: 2009-03-31
  note: 75 organisations applied.
  awards:
    - agency: oxhey-trust
      centres: [oxhey]
      value: {amount: 185000, currency: GBP}
---
The 2006 round.
"""

OPEN_MD = """\
---
title: Opening hours at Oxhey
summary: Tell us when the centre should be open.
opens: 2026-11-02T09:00:00Z
closes: 2027-01-15T17:00:00Z
audience: Families who use the Oxhey centre
respond:
  url: https://example.org/survey
  email: consult@example.org
centres: [oxhey]
events:
  - title: Evening meeting online
    start: 2026-12-02T19:00:00Z
    end: 2026-12-02T20:00:00Z
    online: https://example.org/meeting
    booking: Book by e-mail to consult@example.org.
  - title: Drop-in at Oxhey
    start: 2026-11-18T10:00:00Z
    end: 2026-11-18T12:00:00Z
    place: Oxhey Children's Centre
    booking: No need to book.
---
What we are asking.
"""

CLOSED_MD = """\
---
title: The future of the Oxhey building
summary: What should happen to the old building.
opens: 2019-01-14T09:00:00Z
closes: 2019-03-08T17:00:00Z
respond:
  address: County Hall, Hertford
centres: [oxhey]
outcome:
  date: 2019-04-26
  summary: 212 people responded and the building stays open.
  body: |
    **You said** the building matters. **We did** keep it open.
---
Background.
"""

SOON_MD = """\
---
title: Family hubs
summary: Help us plan family hubs.
opens: 2027-01-11T09:00:00Z
closes: 2027-04-02T17:00:00+01:00
respond:
  email: hubs@example.org
---
Background.
"""


def informed(site: FixtureSite) -> FixtureSite:
    """The fixture site with every new field in use: questions and events on the open
    round, a complete round with its outcome, three consultations (open, closed with an
    outcome, upcoming), a milestone naming the complete round, a mailing list."""
    site.edit(O, "enquiries:", QUESTIONS_AND_EVENTS + "enquiries:")
    site.write(ROUND, ROUND_MD)
    site.write(OPEN, OPEN_MD)
    site.write(CLOSED, CLOSED_MD)
    site.write(SOON, SOON_MD)
    site.edit("site.yaml", "title: Expressions of interest open}",
              "title: Expressions of interest open, opportunity: round-2006}")
    site.edit("site.yaml", "members:\n", "mailing_list:\n  url: https://example.org/join\n"
              "  email: news@example.org\nmembers:\n")
    return site


@pytest.fixture
def built(site) -> FixtureSite:
    informed(site)
    result = site.build()
    assert result.status == 0, result.err
    return site


def said(site: FixtureSite, url: str) -> str:
    """A page's words as read aloud: no space before punctuation that follows a link."""
    return re.sub(r" ([,.;:])", r"\1", site.text(url))


def public(site: FixtureSite) -> Path:
    return site.output / "public"


class Links(HTMLParser):
    """Every <a href> of a page, with its text and attributes."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self._open: dict | None = None
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self._open = {**attrs, "text": ""}
            self.links.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


# -- questions and answers ------------------------------------------------------------------

def test_answered_questions_are_shown_in_date_order_with_their_count_and_latest_date(built):
    text = said(built, "/opportunities/oxhey-eoi/")
    assert "Questions answered 2 questions, the latest on 20 November 2026" in text
    assert text.index("Is there a building?") < text.index("Can a partnership apply?")
    assert "Answered on 10 November 2026" in text
    page = built.page("/opportunities/oxhey-eoi/")
    assert 'id="question-2026-11-10-is-there-a-building"' in page
    assert 'id="question-2026-11-20-can-a-partnership-apply"' in page


def test_each_answer_is_an_update_in_the_opportunities_feed(built):
    feed = feedparser.parse((public(built) / "opportunities/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    answers = [e for e in feed.entries if e.title.startswith("Question answered")]
    assert [e.updated for e in answers] == ["2026-11-20T00:00:00Z", "2026-11-10T00:00:00Z"]
    assert answers[0].link == BASE + \
        "opportunities/oxhey-eoi/#question-2026-11-20-can-a-partnership-apply"
    assert "Can a partnership apply?" in answers[0].summary
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_answers_are_ocds_clarification_documents_of_a_valid_tender_update(built):
    package = json.loads((public(built) / "data/opportunities.json").read_text())
    assert not problems(ocds_validator(), package)
    release = next(r for r in package["releases"] if r["tender"]["id"] == "HCC-1")
    assert release["tag"] == ["tenderUpdate"]
    answers = [d for d in release["tender"]["documents"]
               if d["documentType"] == "clarifications"]
    assert [(d["title"], d["description"]) for d in answers] == [
        ("Is there a building?", "The council provides the building."),
        ("Can a partnership apply?", "Yes, with a named lead organisation.")]
    assert answers[1]["datePublished"] == "2026-11-20T00:00:00+00:00"
    assert [m["title"] for m in release["tender"]["milestones"]] == [
        "Online briefing", "Briefing session"]


def test_an_answer_or_event_added_leaves_the_others_ids_and_anchors_as_they_were(site):
    """Calendars that imported an event, aggregators merging OCDS by id and links to an
    answer keep finding the same one when another is added, above it or on another day."""
    informed(site)

    def ids() -> dict:
        assert site.build().status == 0
        release = next(r for r in json.loads((public(site) / "data/opportunities.json")
                                             .read_text())["releases"]
                       if r["tender"]["id"] == "HCC-1")
        calendar = icalendar.Calendar.from_ical(
            (public(site) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
        page = site.page("/opportunities/oxhey-eoi/")
        return {**{str(e["summary"]): str(e["uid"]) for e in calendar.walk("VEVENT")},
                **{m["title"]: m["id"] for m in release["tender"]["milestones"]},
                **{d["title"]: (d["id"], d["url"]) for d in release["tender"]["documents"]
                   if d["documentType"] == "clarifications"},
                **{q: re.search(rf'id="(question-[^"]+)">\s*<h3[^>]*>{re.escape(q)}', page)
                   .group(1) for q in ("Is there a building?", "Can a partnership apply?")}}

    before = ids()
    site.edit(O, "clarifications:\n", "clarifications:\n  - question: Is there parking?\n"
              "    answer: Yes, six spaces.\n    date: 2026-11-15\n")
    site.edit(O, "events:\n", "events:\n  - title: Site visit\n    start: 2026-11-05T10:00:00Z\n"
              "    place: Oxhey\n")
    after = ids()
    assert len(after) == len(before) + 3  # the new answer's document, the new event's UID
    # and milestone
    assert {key: after[key] for key in before} == before


def test_an_event_added_above_others_of_its_title_leaves_their_calendar_ids_as_they_were(site):
    """Two briefings of one title, and a third added above them on an earlier day: each
    keeps its calendar UID and open data id, so no bidder's calendar moves the briefing
    they booked to another day and place (a provider's review)."""
    informed(site)
    site.edit(O, "  - title: Online briefing\n", "  - title: Briefing session\n")

    def ids() -> dict:
        assert site.build().status == 0
        calendar = icalendar.Calendar.from_ical(
            (public(site) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
        release = next(r for r in json.loads((public(site) / "data/opportunities.json")
                                             .read_text())["releases"]
                       if r["tender"]["id"] == "HCC-1")
        return {**{(str(e["summary"]), e["dtstart"].dt.isoformat()): str(e["uid"])
                   for e in calendar.walk("VEVENT") if "briefing" in str(e["summary"]).lower()},
                **{(m["title"], m["dueDate"]): m["id"] for m in release["tender"]["milestones"]}}

    before = ids()
    assert len(set(before.values())) == 4  # two UIDs and two milestone ids, all told apart
    site.edit(O, "events:\n", "events:\n  - title: Briefing session\n"
              "    start: 2026-11-02T10:00:00Z\n    place: Cheshunt\n")
    after = ids()
    assert len(after) == len(before) + 2
    assert {key: after[key] for key in before} == before


def test_check_warns_of_a_milestone_on_none_of_the_days_of_the_round_it_names(site, capsys):
    """A round's deadline moved, and the programme's milestone naming it kept the old day,
    on its page and in its calendar (a provider's review)."""
    informed(site)  # the milestone names round-2006 on the day it was published
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    assert "none of the days" not in capsys.readouterr().err
    site.edit("site.yaml", "{date: 2006-01-09, title: Expressions of interest open,",
              "{date: 2006-01-16, title: Expressions of interest open,")
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    err = capsys.readouterr().err
    line = _line_of(site, "site.yaml", "date: 2006-01-16")
    assert (f"{site.shown('site.yaml')}:{line}: programme.milestones[0].date: warning: 16 "
            "January 2006 is none of the days of the round it names, 'Phase two lead "
            "agencies' (published 9 January 2006, deadline 10 February 2006, outcome 28 "
            "February 2006, contract start 1 April 2006, contract end 31 March 2009): the "
            "programme page and its calendar show it") in err
    for day in ("2006-02-10", "2006-04-01"):  # its deadline's day, its contracts' start
        site.edit("site.yaml", "{date: 2006-01-16,", f"{{date: {day},")
        assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
        assert "none of the days" not in capsys.readouterr().err, day
        site.edit("site.yaml", f"{{date: {day},", "{date: 2006-01-16,")


def test_check_warns_of_an_answer_dated_after_the_deadline(site, capsys):
    informed(site)
    site.edit(O, "    date: 2026-11-20", "    date: 2027-02-03")
    capsys.readouterr()
    status = main(["check", "--source", str(site.content), "--now", NOW])
    err = capsys.readouterr().err
    line = _line_of(site, O, "date: 2027-02-03")
    assert status == 0
    assert (f"{site.shown(O)}:{line}: clarifications[0].date: warning: 2027-02-03 is after "
            "the deadline (midday on 29 January 2027)") in err


def test_the_home_page_lists_every_round_open_for_bids_however_far_its_deadline(site):
    """A round open for nine weeks is the one a provider most needs to find: the home
    page said "no opportunities closing soon" while it was open."""
    informed(site)
    assert site.build().status == 0
    text = said(site, "/")
    start = text.index("Open for bids")
    open_for_bids = text[start:text.index("Have your say", start)]
    assert "Lead agency for Oxhey" in open_for_bids and "Closes in 65 days" in open_for_bids
    site.edit(O, "status: active", "status: planning")
    site.edit(O, "deadline: 2027-01-29T12:00:00Z\n", "")
    assert site.build().status == 0
    text = said(site, "/")
    assert "Open for bids No opportunity is open for bids at the moment. 1 is being planned." \
        in text


# -- changes after publication ---------------------------------------------------------------

MOVED = ("updates:\n  - date: 2026-11-24\n    note: The deadline moved to midday on 12 "
         "February 2027.\n")


def test_a_release_with_a_change_is_tagged_an_amendment_when_an_answer_came_after_it(site):
    """The README promises a change as a release tagged tenderAmendment: a change on 15
    November followed by an answer on 20 November was tagged tenderUpdate only, and a
    consumer filtering on the tag missed it."""
    informed(site)
    site.edit(O, "enquiries:", MOVED.replace("2026-11-24", "2026-11-15") + "enquiries:")
    assert site.build().status == 0
    package = json.loads((public(site) / "data/opportunities.json").read_text())
    assert not problems(ocds_validator(), package)
    release = next(r for r in package["releases"] if r["tender"]["id"] == "HCC-1")
    assert release["tag"] == ["tenderAmendment", "tenderUpdate"]
    assert [a["date"][:10] for a in release["tender"]["amendments"]] == ["2026-11-15"]
    assert release["date"].startswith("2026-11-20")  # (the last thing it tells: the answer)


def test_a_change_is_told_on_the_page_the_feed_the_open_data_the_sitemap_and_home(site):
    """A provider who read the notice before must learn that its deadline moved: nothing
    but the page's own text changed when it was edited."""
    informed(site)
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 2027-02-12T12:00:00Z")
    site.edit(O, "enquiries:", MOVED + "enquiries:")
    assert site.build().status == 0
    text = said(site, "/opportunities/oxhey-eoi/")
    assert "Last changed 24 November 2026: The deadline moved to midday on 12 February " \
        "2027." in text
    assert "Changes since it was published 24 November 2026 The deadline moved" in text
    feed = feedparser.parse((public(site) / "opportunities/feed.xml").read_bytes())
    change = next(e for e in feed.entries if e.title == "Changed: Lead agency for Oxhey")
    assert change.updated == "2026-11-24T00:00:00Z"
    assert change.link == BASE + "opportunities/oxhey-eoi/#opportunity-updates"
    notice = next(e for e in feed.entries if e.title == "Lead agency for Oxhey")
    assert notice.updated == "2026-11-24T00:00:00Z" and "12 February 2027" in notice.summary
    package = json.loads((public(site) / "data/opportunities.json").read_text())
    assert not problems(ocds_validator(), package)
    release = next(r for r in package["releases"] if r["tender"]["id"] == "HCC-1")
    assert release["tag"] == ["tenderAmendment", "tenderUpdate"]  # (answers too: informed)
    assert release["date"].startswith("2026-11-24")
    assert release["tender"]["amendments"] == [{
        "id": "change-2026-11-24-the-deadline-moved-to-midday-on", "date": "2026-11-24T00:00:00+00:00",
        "description": "The deadline moved to midday on 12 February 2027."}]
    sitemap = (public(site) / "sitemap.xml").read_text()
    assert re.search(r"opportunities/oxhey-eoi/</loc>\s*<lastmod>2026-11-24<", sitemap)
    assert "Opportunity changed, 24 November 2026" in said(site, "/")


def test_check_tells_what_readers_see_of_a_change_dated_ahead(site, capsys):
    site.edit(O, "enquiries:", MOVED.replace("2026-11-24", "2026-12-10") + "enquiries:")
    assert (f"{site.shown(O)}:{_line_of(site, O, 'date: 2026-12-10')}: updates[0].date: "
            "warning: 2026-12-10 is after today, yet the change is shown now") \
        in check(site, capsys)


def test_a_change_dated_before_the_notice_was_published_is_a_mistake(site):
    site.edit(O, "enquiries:", MOVED.replace("2026-11-24", "2026-10-01") + "enquiries:")
    result = site.build()
    assert result.status == 1
    line = _line_of(site, O, "  - date: 2026-10-01")
    assert (f"{site.shown(O)}:{line}: updates[0].date: 2026-10-01 is before the round was "
            "published (2026-11-02); a change is made to a notice already published: give "
            "the day it was made") in result.err


@pytest.mark.parametrize("rel, old, new, field, meant", [
    (SOON, "opens: 2027-01-11T09:00:00Z", "opens: 2027-01-11T09:00:00+01:00", "opens",
     "write 2027-01-11T09:00:00Z"),
    (SOON, "closes: 2027-04-02T17:00:00+01:00", "closes: 2027-04-02T17:00:00Z", "closes",
     "write 2027-04-02T17:00:00+01:00"),
    (O, "start: 2026-12-08T10:00:00Z", "start: 2026-12-08T10:00:00+01:00", "events[0].start",
     "write 2026-12-08T10:00:00Z"),
    (O, "end: 2026-12-08T12:00:00Z", "end: 2026-12-08T12:00:00+01:00", "events[0].end",
     "write 2026-12-08T12:00:00Z"),
], ids=["consultation-opens", "consultation-closes", "event-start", "event-end"])
def test_check_warns_of_any_date_time_written_in_the_other_seasons_zone(
        site, capsys, rel, old, new, field, meant):
    """Every date-time field, not the deadline only (README, Dates): Z on a summer day or
    +01:00 on a winter one is told at its line, with what to write."""
    informed(site)
    site.edit(rel, old, new)
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    told = [line for line in capsys.readouterr().err.splitlines()
            if line.startswith(f"{site.shown(rel)}:{_line_of(site, rel, new)}: {field}: "
                               "warning: ")]
    assert len(told) == 1 and told[0].endswith(meant), told


def test_a_date_time_in_the_other_seasons_zone_that_has_passed_is_not_told(site, capsys):
    informed(site)
    site.edit(O, "start: 2026-11-12T18:00:00Z", "start: 2026-11-12T18:00:00+01:00")
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    assert "start: warning" not in capsys.readouterr().err


def test_check_tells_what_readers_see_of_a_round_published_ahead(site, capsys):
    site.edit(O, "published: 2026-11-02", "published: 2026-12-01")
    assert (f"{site.shown(O)}:6: published: warning: 2026-12-01 is after today, yet the "
            "page shows the round as open for bids now, published on that day; to hold it "
            "back until then, add publish_date: 2026-12-01") in check(site, capsys)


def test_check_tells_what_readers_see_of_an_answer_or_outcome_dated_ahead(site, capsys):
    """Written ahead, an answer or an outcome is shown now, dated then: told, with what
    readers see meanwhile (a warning: the day comes, and the build must not fail)."""
    informed(site)
    site.write("agencies/hertsmere-trust.yaml", "name: Hertsmere Trust\nsector: voluntary\n"
               "about: A trust.\n")
    site.write("opportunities/round-2026.md", RECOMMISSIONED.replace("2026-08-14", "2026-12-15")
               .replace("2026-10-01", "2027-01-01"))
    site.edit(O, "    date: 2026-11-20", "    date: 2026-12-20")
    err = check(site, capsys)
    assert (f"{site.shown(O)}:{_line_of(site, O, 'date: 2026-12-20')}: clarifications[0].date: "
            "warning: 2026-12-20 is after today, yet the answer is shown to every bidder "
            "now") in err
    round_2026 = "opportunities/round-2026.md"
    assert (f"{site.shown(round_2026)}:{_line_of(site, round_2026, 'date: 2026-12-15')}: "
            "outcome.date: warning: 2026-12-15 is after today, yet the page shows the round "
            "as awarded now") in err
    assert "is after today" not in check(site, capsys, "2026-12-21T12:00:00Z")


# -- events ---------------------------------------------------------------------------------

def test_events_are_a_timeline_on_the_page_in_time_order(built):
    page = built.page("/opportunities/oxhey-eoi/")
    timeline = page[page.index('id="opportunity-events"'):page.index('id="opportunity-documents"')]
    assert timeline.index("Online briefing") < timeline.index("Briefing session")
    # past events are filled in, those to come hollow (the build's now is 25 November)
    assert timeline.count("timeline__item--future") == 1
    text = said(built, "/opportunities/oxhey-eoi/")
    assert "Where: County Hall, Hertford" in text and "Booking: Book by e-mail." in text
    assert "Until midday on 8 December 2026" in text


def test_an_event_that_is_over_says_it_took_place_and_offers_no_way_to_book_or_join(site):
    """A briefing held already is history: it says "Took place" in words (a screen reader
    does not see its dot), and neither its booking nor its joining link is offered. One
    to come offers both, until it is over by the page's clock (read a week later)."""
    informed(site)
    site.edit(O, "    online: https://example.org/meet/briefing\n",
              "    online: https://example.org/meet/briefing\n"
              "  - title: Site visit\n    start: 2026-12-10T10:00:00Z\n"
              "    online: https://example.org/meet/visit\n    booking: Ring to book.\n")
    assert site.build("--now", "2026-12-09T09:00:00+00:00").status == 0
    text = said(site, "/opportunities/oxhey-eoi/")
    held = text[text.index("Online briefing"):text.index("Site visit")]
    assert held.startswith("Online briefing Took place") and "Held online" in held
    assert "example.org/meet/briefing" not in site.page("/opportunities/oxhey-eoi/")
    briefing = text[text.index("Briefing session"):text.index("Site visit")]
    assert "Took place" in briefing and "Book by e-mail" not in briefing
    visit = text[text.index("Site visit"):text.index("Documents")]
    assert "Took place" not in visit
    assert "Online: https://example.org/meet/visit" in visit and "Ring to book." in visit
    page = site.page("/opportunities/oxhey-eoi/")  # the clock hides them once it is over
    assert page.count('data-clock-until="2026-12-10T10:00:00+00:00"') == 2


def test_a_cancelled_rounds_events_to_come_are_told_cancelled_with_no_way_to_book(site):
    informed(site)
    site.edit(O, "status: active", "status: cancelled")
    assert site.build().status == 0
    text = said(site, "/opportunities/oxhey-eoi/")
    briefing = text[text.index("Briefing session"):]
    assert briefing.startswith("Briefing session Cancelled This event will not take place: "
                               "the opportunity was cancelled.")
    assert "Book by e-mail" not in text
    assert "Add these dates to your calendar" not in text  # (no dates to keep: a provider's
    # review; a calendar subscribed to already is told of the cancellation)
    # the one already held is history, told as it was
    online = text[text.index("Online briefing"):text.index("Briefing session")]
    assert "Cancelled" not in online and "Took place" in online and "Held online" in online
    # one later on the day of the build is cancelled too, not offered
    assert site.build("--now", "2026-12-08T08:00:00+00:00").status == 0
    text = said(site, "/opportunities/oxhey-eoi/")
    assert text[text.index("Briefing session"):].startswith("Briefing session Cancelled")
    assert "Book by e-mail" not in text


def test_a_cancelled_rounds_events_before_its_cancellation_took_place_page_and_calendar_alike(
        site):
    """The page said "Took place" of a briefing its calendar called cancelled, and of one
    after the cancellation that never happened (a review over a year of builds): the
    update that tells the cancellation dates it."""
    informed(site)
    site.edit(O, "status: active", "status: cancelled")
    site.edit(O, "enquiries:", "updates:\n  - date: 2026-11-30\n    note: The round is "
              "cancelled, and the centre will stay with its agency.\n  - date: 2026-12-09\n"
              "    note: Feedback was sent to each organisation that applied.\nenquiries:")
    assert site.build("--now", "2026-12-10T09:00:00Z").status == 0  # (the update that
    # tells the cancellation dates it, not a later one)
    text = said(site, "/opportunities/oxhey-eoi/")
    online = text[text.index("Online briefing"):text.index("Briefing session")]
    assert "Took place" in online and "Held online" in online and "Cancelled" not in online
    assert text[text.index("Briefing session"):].startswith(
        "Briefing session Cancelled This event did not take place: the opportunity was "
        "cancelled.")
    own = icalendar.Calendar.from_ical(
        (public(site) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
    told = {str(e["summary"]).split(":")[0]: str(e.get("status", "")) for e in
            own.walk("VEVENT") if "briefing" in str(e["summary"]).lower()}
    assert told == {"Online briefing": "", "Cancelled": "CANCELLED"}, told


def test_events_are_in_the_opportunitys_calendar_and_the_calendar_of_all(built):
    own = icalendar.Calendar.from_ical(
        (public(built) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
    events = {str(e["summary"]): e for e in own.walk("VEVENT")}
    briefing = events["Briefing session: Lead agency for Oxhey (HCC-1)"]
    assert briefing.decoded("dtstart").isoformat() == "2026-12-08T10:00:00+00:00"
    assert briefing.decoded("dtend").isoformat() == "2026-12-08T12:00:00+00:00"
    assert str(briefing["location"]) == "County Hall, Hertford"
    assert str(briefing["uid"]) == "opportunity-oxhey-eoi-event-briefing-session@cc.example.org"
    online = events["Online briefing: Lead agency for Oxhey (HCC-1)"]
    assert str(online["url"]) == "https://example.org/meet/briefing"
    assert "Deadline: Lead agency for Oxhey (HCC-1)" in events
    every = icalendar.Calendar.from_ical((public(built) / "opportunities.ics").read_bytes())
    uids = {str(e["uid"]) for e in every.walk("VEVENT")}
    assert {str(e["uid"]) for e in own.walk("VEVENT")} <= uids
    assert "opportunity-round-2006-deadline@cc.example.org" in uids


# -- outcomes ---------------------------------------------------------------------------------

def test_a_complete_round_says_who_was_awarded_what(built):
    text = said(built, "/opportunities/round-2006/")
    assert "Decided on 28 February 2006: 1 organisation was awarded a contract." in text
    assert "Contracts start on 1 April 2006 and end on 31 March 2009." in text
    assert "Oxhey Community Trust Oxhey Children's Centre £185,000" in text
    page = built.page("/opportunities/round-2006/")
    assert 'href="/agencies/oxhey-trust/"' in page and 'href="/centres/oxhey/"' in page


def test_each_agency_page_lists_its_awards(built):
    text = said(built, "/agencies/oxhey-trust/")
    assert ("Phase two lead agencies Awarded on 28 February 2006, reference HCC-2006 To run "
            "Oxhey Children's Centre, worth £185,000, from 1 April 2006 to 31 March 2009.") in text
    assert 'href="/opportunities/round-2006/#outcome"' in built.page("/agencies/oxhey-trust/")


RECOMMISSIONED = ROUND_MD.replace("HCC-2006", "HCC-2026").replace("2006-01-09", "2026-06-01") \
    .replace("2006-02-10", "2026-07-10").replace("2006-02-28", "2026-08-14") \
    .replace("2006-04-01", "2026-10-01").replace("2009-03-31", "2029-09-30") \
    .replace("agency: oxhey-trust", "agency: hertsmere-trust")


def check(site: FixtureSite, capsys, *now: str) -> str:
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", *(now or [NOW])]) == 0
    return capsys.readouterr().err


def test_check_tells_a_centre_whose_lead_agency_is_not_the_one_its_award_gave(site, capsys):
    """A round awarded Oxhey to another agency from 1 October 2026: once that day has
    come, the centre's lead_agency line is told what to say (its page and both agencies'
    follow lead_agency); before it, and after the contract ends, nothing is told."""
    informed(site)
    site.write("agencies/hertsmere-trust.yaml", "name: Hertsmere Trust\nsector: voluntary\n"
               "about: A trust.\n")
    site.write("opportunities/round-2026.md", RECOMMISSIONED)
    told = (f"{site.shown('centres/oxhey.md')}:3: lead_agency: warning: the award in "
            "opportunities/round-2026.md gave this centre to hertsmere-trust from 1 October "
            "2026, but it says oxhey-trust, so its page names the wrong lead agency; set "
            "lead_agency: hertsmere-trust")
    assert told in check(site, capsys)
    assert "lead_agency: warning" not in check(site, capsys, "2026-09-30T12:00:00Z")
    # once the contract has ended (30 September 2029), who leads is the file's to say
    assert "lead_agency: warning" not in check(site, capsys, "2029-10-02T12:00:00Z")
    site.edit("centres/oxhey.md", "lead_agency: oxhey-trust", "lead_agency: hertsmere-trust")
    assert "lead_agency: warning" not in check(site, capsys)


def test_a_milestone_naming_a_round_links_to_its_outcome(built):
    page = built.page("/programme/")
    assert 'href="/opportunities/round-2006/#outcome">Who was awarded contracts' in page


def test_outcome_is_ocds_awards_suppliers_and_contracts_valid_against_the_schema(built):
    package = json.loads((public(built) / "data/opportunities.json").read_text())
    assert not problems(ocds_validator(), package)
    release = next(r for r in package["releases"] if r["tender"]["id"] == "HCC-2006")
    assert release["tag"] == ["award", "contract"]
    (award,) = release["awards"]
    supplier = award["suppliers"][0]
    assert award["value"] == {"amount": 185000, "currency": "GBP"}
    assert award["contractPeriod"] == {"startDate": "2006-04-01T00:00:00+01:00",
                                       "endDate": "2009-03-31T23:59:59+01:00"}
    party = next(p for p in release["parties"] if p["id"] == supplier["id"])
    assert party["roles"] == ["supplier"] and party["name"] == "Oxhey Community Trust"
    (contract,) = release["contracts"]
    assert contract["awardID"] == award["id"] and contract["period"] == award["contractPeriod"]


def test_an_outcome_without_contract_dates_has_awards_but_no_contracts(site):
    informed(site)
    site.edit(ROUND, "  contract_start: 2006-04-01\n  contract_end: 2009-03-31\n", "")
    assert site.build().status == 0
    package = json.loads((public(site) / "data/opportunities.json").read_text())
    assert not problems(ocds_validator(), package)
    release = next(r for r in package["releases"] if r["tender"]["id"] == "HCC-2006")
    assert release["tag"] == ["award"] and "contracts" not in release
    assert len(release["awards"]) == 1


def test_open_referral_files_are_the_same_with_or_without_the_new_content(site):
    assert site.build().status == 0
    before = {k: v for k, v in site.snapshot().items() if k.startswith("data/oruk/")}
    informed(site)
    assert site.build().status == 0
    after = {k: v for k, v in site.snapshot().items() if k.startswith("data/oruk/")}
    assert before and after == before


# -- consultations ----------------------------------------------------------------------------

def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_a_consultations_page_offers_the_calendar_it_links_and_only_while_it_runs(built):
    """The calendar holds every consultation's closing date: the link says so, and a
    closed consultation's page offers none."""
    assert "Add every consultation's closing date to your calendar" in \
        said(built, "/consultations/oxhey-hours/")
    assert "to your calendar" not in said(built, "/consultations/oxhey-future/")


def test_consultations_are_listed_open_upcoming_and_closed_by_the_builds_now(built):
    page = built.page("/consultations/")
    assert "Opening hours at Oxhey" in _section(page, "open")
    assert "Family hubs" in _section(page, "upcoming")
    assert "The future of the Oxhey building" in _section(page, "closed")
    text = said(built, "/consultations/")
    assert "Open (1)" in text and "Closes in 51 days: respond by 5pm on 15 January 2027" in text
    assert "Opens on 11 January 2027" in text
    assert "Closed on 8 March 2019; outcome published" in text


def test_a_consultations_documents_say_their_kind_as_an_opportunitys_do(site):
    """A document that is a file of the site's own says what kind of file it is, where
    its title does not ("Information pack (PDF)"): on a consultation's page as on an
    opportunity's, so no one opens a download unawares. A link elsewhere says nothing."""
    informed(site)
    site.edit(OPEN, "centres: [oxhey]\n", "centres: [oxhey]\ndocuments:\n"
              "  - {title: Information pack, url: media/pack.pdf}\n"
              "  - {title: The pack as a PDF, url: media/pack.pdf}\n"
              "  - {title: Survey questions, url: https://example.org/questions}\n")
    assert site.build().status == 0
    for url in ("/consultations/oxhey-hours/", "/opportunities/oxhey-eoi/"):
        assert "Information pack (PDF)" in said(site, url)
    text = said(site, "/consultations/oxhey-hours/")
    assert "The pack as a PDF (PDF)" not in text and "The pack as a PDF" in text
    assert "Survey questions (" not in text and "Survey questions" in text


def test_a_consultation_shows_how_to_respond_while_open_and_its_outcome_once_closed(built):
    text = said(built, "/consultations/oxhey-hours/")
    assert "You can respond until 5pm on 15 January 2027, in any of these ways:" in text
    assert "Who it is for Families who use the Oxhey centre" in text
    assert 'href="https://example.org/survey"' in built.page("/consultations/oxhey-hours/")
    closed = said(built, "/consultations/oxhey-future/")
    assert "You said, we did Published on 26 April 2019" in closed
    assert "212 people responded and the building stays open." in closed
    assert "<strong>You said</strong>" in built.page("/consultations/oxhey-future/")
    assert "This consultation is closed, so we are no longer taking responses" in closed


def test_the_same_consultation_opens_and_closes_as_time_passes(site):
    informed(site)
    assert site.build("--now", "2027-02-01T09:00:00Z").status == 0
    page = site.page("/consultations/")
    assert "Opening hours at Oxhey" in _section(page, "closed")
    assert "Family hubs" in _section(page, "open")


def test_home_page_shows_open_consultations_only(built):
    section = _section(built.page("/"), "have-your-say")
    assert "Opening hours at Oxhey" in section
    assert "Family hubs" not in section and "Oxhey building" not in section


def test_consultations_calendar_has_each_closing_date(built):
    calendar = icalendar.Calendar.from_ical((public(built) / "consultations.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT") if "-closes@" in e["uid"]}
    assert set(events) == {f"consultation-{slug}-closes@cc.example.org"
                           for slug in ("oxhey-hours", "oxhey-future", "family-hubs")}
    hours = events["consultation-oxhey-hours-closes@cc.example.org"]
    assert hours.decoded("dtstart").isoformat() == "2027-01-15T17:00:00+00:00"
    assert "Respond online at https://example.org/survey" in str(hours["description"])
    closed = events["consultation-oxhey-future-closes@cc.example.org"]  # (by post only)
    assert "Respond by post to County Hall, Hertford" in str(closed["description"])


def test_a_consultations_sessions_are_on_its_page_in_time_order_and_in_the_calendar(built):
    """A drop-in session had nowhere to go but the text: not in any calendar (an editor's
    review). A consultation has events as a round has: on its page, in time order, the
    one over told as such, with no booking offered; in the consultations' calendar."""
    page = built.page("/consultations/oxhey-hours/")
    section = _section(page, "consultation-events")
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert words.index("Drop-in at Oxhey") < words.index("Evening meeting online")
    assert "Where: Oxhey Children" in words and "No need to book" not in words  # (over)
    assert "Book by e-mail to consult@example.org." in words
    assert 'href="https://example.org/meeting"' in section
    calendar = icalendar.Calendar.from_ical((public(built) / "consultations.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    meeting = events["consultation-oxhey-hours-event-evening-meeting-online@cc.example.org"]
    assert meeting.decoded("dtstart").isoformat() == "2026-12-02T19:00:00+00:00"
    assert str(meeting["summary"]) == "Evening meeting online: Opening hours at Oxhey"
    assert str(meeting["location"]) == "https://example.org/meeting"
    drop_in = events["consultation-oxhey-hours-event-drop-in-at-oxhey@cc.example.org"]
    assert str(drop_in["location"]) == "Oxhey Children's Centre"


def test_news_feed_announces_each_consultation_and_its_outcome(built):
    feed = feedparser.parse((public(built) / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = {e.title: e for e in feed.entries}
    assert "Have your say: Opening hours at Oxhey" in titles
    assert "Have your say: The future of the Oxhey building" in titles
    outcome = titles["You said, we did: The future of the Oxhey building"]
    assert outcome.link == BASE + "consultations/oxhey-future/#outcome"
    assert outcome.updated == "2019-04-25T23:00:00Z"  # the start of that UK (summer) day
    assert not any("Family hubs" in t for t in titles)  # not open yet: not announced


def test_centre_page_shows_the_consultations_about_it(built):
    section = _section(built.page("/centres/oxhey/"), "centre-consultations")
    assert "Opening hours at Oxhey" in section and "The future of the Oxhey building" in section
    assert "Family hubs" not in section


# -- subscriptions ----------------------------------------------------------------------------

def test_every_calendar_download_has_a_webcal_subscription_beside_it(built):
    root = public(built)
    checked = 0
    for path in sorted(root.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        links = links_of(html).links
        downloads = [a["href"] for a in links if a["href"].endswith(".ics")
                     and not a["href"].startswith("webcal:")]
        webcals = [a["href"] for a in links if a["href"].startswith("webcal:")]
        assert len(downloads) == len(webcals), path
        for download, webcal in zip(downloads, webcals):
            assert webcal == "webcal://cc.example.org" + download, path
            assert (root / download.lstrip("/")).is_file(), download
            checked += 1
    assert checked >= 8  # programme, opportunities, each consultation page, subscribe...


def test_subscribe_page_gives_each_audience_its_feeds_calendars_and_the_mailing_list(built):
    page = built.page("/subscribe/")
    families, providers = _section(page, "families"), _section(page, "providers")
    for part in (families, providers):
        assert 'href="https://example.org/join"' in part
        assert 'href="mailto:news@example.org"' in part
    assert 'href="/feed.xml"' in families and 'href="/consultations.ics"' in families
    assert 'webcal://cc.example.org/consultations.ics' in families
    assert 'href="/opportunities/feed.xml"' in providers
    assert 'href="/opportunities.ics"' in providers
    assert 'href="/subscribe/"' in built.page("/")  # the footer of every page


def test_without_a_mailing_list_the_subscribe_page_offers_only_feeds_and_calendars(site):
    assert site.build().status == 0
    text = said(site, "/subscribe/")
    assert "By e-mail" not in text and "News feed" in text


# -- the digest ---------------------------------------------------------------------------------

def _digest(site, tmp_path, *extra: str) -> tuple[int, str, str]:
    out = tmp_path / "digest"
    status = main(["digest", "--source", str(site.content), "--since", "2026-11-01",
                   "--output", str(out), "--now", NOW, *extra])
    html = (out / "digest.html").read_text() if (out / "digest.html").exists() else ""
    text = (out / "digest.txt").read_text() if (out / "digest.txt").exists() else ""
    return status, html, text


def test_digest_lists_what_is_dated_since_the_day_given(built, tmp_path):
    status, html, text = _digest(built, tmp_path)
    assert status == 0
    for said in ("Lead agency for Oxhey", "Can a partnership apply?", "Is there a building?",
                 "Briefing session", "Online briefing", "Opening hours at Oxhey",
                 "Family hubs"):
        assert said in html and said in text, said
    # dated before 1 November 2026: the 2006 outcome, the 2019 consultation, 2008 news
    for old in ("Phase two lead agencies", "Oxhey building", "Centres open"):
        assert old not in text, old


def test_a_digest_of_content_the_build_refuses_is_not_written(built, tmp_path):
    """The digest goes to a mailing tool, beyond any later build's reach: a news item
    given a members post's title went out in it, while build and check refused it."""
    built.edit("news/centres-open.md", "date: 2008-04-01", "date: 2026-11-20")
    built.edit("news/centres-open.md", "title: Centres open",
               "title: Running a dads' group")
    status, html, text = _digest(built, tmp_path)
    assert status == 1 and not html and not text
    assert "leak: members-only title" in built._capsys.readouterr().err


def test_digest_for_an_audience_keeps_to_what_it_needs(built, tmp_path):
    _, _, providers = _digest(built, tmp_path, "--audience", "providers")
    assert "Can a partnership apply?" in providers and "Opening hours at Oxhey" not in providers
    _, _, families = _digest(built, tmp_path, "--audience", "families")
    assert "Opening hours at Oxhey" in families and "Can a partnership apply?" not in families


def test_digest_is_email_ready_html_and_every_link_resolves_to_a_built_page(built, tmp_path):
    status, html, text = _digest(built, tmp_path)
    assert len(html.encode()) < 100_000
    assert "<style" not in html and "class=" not in html and "<link" not in html
    assert 'role="presentation"' in html  # tables for layout
    root = public(built)
    links = [a["href"] for a in links_of(html).links]
    links += re.findall(r"https?://\S+", text)
    assert len(links) > 10
    for link in links:
        if link.startswith("mailto:") or not link.startswith(BASE):
            assert not link.startswith("/"), link  # nothing relative: an e-mail has no address
            continue
        parts = urlsplit(link)
        target = root / parts.path.lstrip("/")
        target = target / "index.html" if parts.path.endswith("/") else target
        assert target.is_file(), link
        if parts.fragment:
            assert parts.fragment in links_of(target.read_text()).ids, link


def test_digest_of_bad_content_is_told_as_a_build_is(site, tmp_path, capsys):
    informed(site)
    site.edit(OPEN, "closes: 2027-01-15T17:00:00Z", "closes: 2026-10-01T17:00:00Z")
    capsys.readouterr()
    status, html, _ = _digest(site, tmp_path)
    err = capsys.readouterr().err
    assert status == 1 and not html and "Traceback" not in err
    assert f"{site.shown(OPEN)}:5: closes: must be later than opens" in err


@pytest.mark.browser
@needs_browser
def test_digest_html_fits_600_pixels_in_chromium(tmp_path, chromium):
    """The sample's digest (everything since the recommissioning round opened), opened as
    a mail program shows it: 600 px wide, no horizontal scroll."""
    content = pagetypes.copy_sample(tmp_path)
    out = tmp_path / "digest"
    assert main(["digest", "--source", str(content), "--since", "2026-11-01", "--output",
                 str(out), "--now", NOW]) == 0
    html = out / "digest.html"
    assert html.stat().st_size < 100_000
    context = chromium.new_context(viewport={"width": 600, "height": 800})
    try:
        page = context.new_page()
        page.goto(html.as_uri())
        widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 600, widths
        assert page.locator("a").count() > 10
    finally:
        context.close()


# -- the sample --------------------------------------------------------------------------------

def test_sample_2006_round_names_its_36_lead_agencies(sample_build):
    root = sample_build / "public"
    html = (root / "opportunities/phase-two-lead-agencies-eoi-2006/index.html").read_text()
    table = html[html.index('id="outcome"'):]
    agencies = {a["href"] for a in links_of(table).links if a["href"].startswith("/agencies/")}
    assert len(agencies) == 36
    assert all((root / href.lstrip("/") / "index.html").is_file() for href in agencies)
    assert "36 organisations were awarded contracts" in html


# -- bad input: path:line: field: message, exit 1, the last good output untouched -------------

def _line_of(site: FixtureSite, rel: str, text: str) -> int:
    lines = (site.content / rel).read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, start=1) if text in line)


BAD = [
    ("outcome-on-an-active-round", O, "enquiries:",
     "outcome:\n  date: 2027-02-28\nenquiries:", "outcome:",
     "outcome: is given, but status is active; an outcome is told once the round is "
     "complete"),
    ("award-agency-unknown", ROUND, "agency: oxhey-trust", "agency: oxhey-trst",
     "agency: oxhey-trst", "outcome.awards[0].agency: 'oxhey-trst' does not name a file in "
     "agencies/: there is no agencies/oxhey-trst.yaml (did you mean 'oxhey-trust'?)"),
    ("award-centre-unknown", ROUND, "centres: [oxhey]", "centres: [oxhay]", "centres: [oxhay]",
     "outcome.awards[0].centres[0]: 'oxhay' does not name a file in centres/"),
    ("contract-ends-before-it-starts", ROUND, "contract_end: 2009-03-31",
     "contract_end: 2005-03-31", "contract_end:",
     "outcome.contract_end: must be later than contract_start (2006-04-01)"),
    ("award-field-misspelt", ROUND, "      value:", "      valeu:", "valeu:",
     "outcome.awards[0].valeu: unknown field (did you mean 'value'?)"),
    ("answer-missing", O, "    answer: Yes, with a named lead organisation.\n", "",
     "- question: Can a partnership apply?", "clarifications[0].answer: is required"),
    ("event-without-place-or-address", O, "    place: County Hall, Hertford\n", "",
     "- title: Briefing session", "events[0].place: give a place or an online address (or "
     "both) so people know where it happens"),
    ("event-ends-before-it-starts", O, "end: 2026-12-08T12:00:00Z",
     "end: 2026-12-08T09:00:00Z", "end: 2026-12-08T09",
     "events[0].end: must be later than start (10am on 8 December 2026)"),
    ("event-online-not-an-address", O, "online: https://example.org/meet/briefing",
     "online: the usual video call", "online:", "events[1].online: 'the usual video call' "
     "is not a web address"),
    ("consultation-closes-before-it-opens", OPEN, "closes: 2027-01-15T17:00:00Z",
     "closes: 2026-10-15T17:00:00Z", "closes:",
     "closes: must be later than opens (9am on 2 November 2026)"),
    ("consultation-without-a-way-to-respond", OPEN,
     "  url: https://example.org/survey\n  email: consult@example.org\n", "  note: soon\n",
     "respond:", "respond.url: give a web address or an email or a postal address (or more "
     "than one) so people can respond"),
    ("consultation-centre-unknown", OPEN, "centres: [oxhey]", "centres: [oxhay]", "centres:",
     "centres[0]: 'oxhay' does not name a file in centres/"),
    ("consultation-outcome-before-it-closes", CLOSED, "date: 2019-04-26", "date: 2019-02-26",
     "date: 2019-02-26", "outcome.date: 2019-02-26 is before the consultation closes "
     "(2019-03-08); an outcome is published once it has closed"),
    ("consultation-summary-missing", SOON, "summary: Help us plan family hubs.\n", "", "---",
     "summary: is required"),
    ("answer-before-published", O, "    date: 2026-11-10", "    date: 2026-10-10",
     "date: 2026-10-10", "clarifications[1].date: 2026-10-10 is before the round was "
     "published (2026-11-02); an answer to a bidder's question is published after the "
     "notice that bidders ask about: check this date (or published)"),
    ("outcome-before-published", ROUND, "  date: 2006-02-28", "  date: 2005-12-01",
     "date: 2005-12-01", "outcome.date: 2005-12-01 is before the round was published "
     "(2006-01-09); a round is decided after its notice is published and bids are in"),
    ("milestone-names-no-opportunity", "site.yaml", "opportunity: round-2006",
     "opportunity: round-2007", "opportunity: round-2007",
     "programme.milestones[0].opportunity: 'round-2007' does not name a file in "
     "opportunities/: there is no opportunities/round-2007.md"),
    ("mailing-list-without-address", "site.yaml",
     "  url: https://example.org/join\n  email: news@example.org\n", "  note: soon\n",
     "mailing_list:", "mailing_list.url: give a web address or an email (or both) so people "
     "can join"),
]


@pytest.mark.parametrize("name, rel, old, new, find, expected", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_told_at_its_line(site, name, rel, old, new, find, expected):
    informed(site)
    assert site.build().status == 0
    before = site.snapshot()
    site.edit(rel, old, new)
    result = site.build()
    assert result.status == 1
    assert "Traceback" not in result.err
    told = f"{site.shown(rel)}:{_line_of(site, rel, find)}: {expected}"
    assert told in result.err, result.err
    assert site.snapshot() == before


def test_a_free_page_may_not_take_the_consultations_or_subscribe_address(site):
    for slug in ("consultations", "subscribe"):
        site.write(f"pages/{slug}.md", "---\ntitle: A page\n---\nText.\n")
        result = site.build()
        assert result.status == 1
        assert (f"{site.shown(f'pages/{slug}.md')}:1: file: '{slug}' is the address of a "
                "section of the site") in result.err
        site.remove(f"pages/{slug}.md")


def test_an_outcome_written_before_the_consultation_closes_waits_for_it(site, capsys):
    """An editor may write the outcome ahead (dated after the closing day): the page keeps
    it back while the consultation is open, and `ccsite check` says so."""
    informed(site)
    site.edit(OPEN, "centres: [oxhey]", "centres: [oxhey]\noutcome:\n  date: 2027-02-01\n"
              "  summary: We heard you.\n  body: Thank you.")
    assert site.build().status == 0
    assert 'id="outcome"' not in site.page("/consultations/oxhey-hours/")
    capsys.readouterr()
    main(["check", "--source", str(site.content), "--now", NOW])
    assert (f"{site.shown(OPEN)}:{_line_of(site, OPEN, 'date: 2027-02-01')}: outcome: warning: this "
            "consultation has an outcome but has not closed yet") in capsys.readouterr().err
    assert site.build("--now", "2027-02-02T09:00:00Z").status == 0
    assert "We heard you." in site.page("/consultations/oxhey-hours/")


def test_an_outcome_dated_after_the_closing_day_waits_for_its_day(site, capsys):
    """An outcome dated 20 April was on the page, in the news feed and on the home page
    ("Consultation outcome, 20 April 2027") from the day the consultation closed in
    January (a review over a year of builds)."""
    informed(site)
    site.edit(OPEN, "centres: [oxhey]", "centres: [oxhey]\noutcome:\n  date: 2027-04-20\n"
              "  summary: We heard you.\n  body: Thank you.")
    for day, shown in (("2027-04-19", False), ("2027-04-20", True)):
        assert site.build("--now", f"{day}T09:00:00+01:00").status == 0
        said = [("We heard you." in (site.output / "public" / path).read_text()) for path in (
            "consultations/oxhey-hours/index.html", "feed.xml", "index.html")]
        assert said == [shown] * 3, (day, said)
        capsys.readouterr()
        main(["check", "--source", str(site.content), "--now", f"{day}T09:00:00+01:00"])
        told = (f"{site.shown(OPEN)}:{_line_of(site, OPEN, 'date: 2027-04-20')}: "
                "outcome.date: warning: 2027-04-20 is after today: the outcome is shown from "
                "that day (on the page, in the feed and on the home page)")
        assert (told in capsys.readouterr().err) is not shown


NEWS = "---\ntitle: Update {n}\ndate: 2026-11-{day:02d}\nsummary: Update number {n}.\n---\nText.\n"


def test_digest_keeps_the_newest_of_each_kind_and_links_to_the_rest(site, tmp_path):
    from ccsite.digest import PER_SECTION

    for n in range(1, PER_SECTION + 4):
        site.write(f"news/update-{n}.md", NEWS.format(n=n, day=n))
    status, html, text = _digest(site, tmp_path, "--audience", "families")
    assert status == 0
    assert f"Update {PER_SECTION + 3}" in text and "Update 3" not in text  # newest first
    assert f"3 more on the website: {BASE}news/" in text
    assert f'href="{BASE}news/"' in html


def test_digest_too_big_for_an_email_is_refused_and_not_written(site, tmp_path, capsys):
    """A theme's own digest template can make it too big; none is written then."""
    templates = tmp_path / "theme"
    templates.mkdir()
    (templates / "digest.html").write_text("<p>{{ 'x' * 100000 }}</p>")
    capsys.readouterr()
    status, html, _ = _digest(site, tmp_path, "--templates", str(templates))
    assert status == 1 and html == ""
    assert "e-mail programs cut a message past 100,000" in capsys.readouterr().err


def test_a_rebuild_shows_a_new_award_and_a_new_consultation_on_pages_it_kept(built):
    """The agency's awards and the centre's consultations come from other files: a new
    round awarding the agency, or a new consultation about the centre, must reach pages
    the incremental build would otherwise keep as they were."""
    built.write("opportunities/round-2008.md", ROUND_MD.replace("HCC-2006", "HCC-2008")
                .replace("Phase two lead agencies", "Phase three lead agencies")
                .replace("185000", "99000"))
    built.write("consultations/oxhey-parking.md", OPEN_MD.replace(
        "Opening hours at Oxhey", "Parking at Oxhey"))
    assert built.build().status == 0
    assert "Phase three lead agencies" in said(built, "/agencies/oxhey-trust/")
    assert "Parking at Oxhey" in _section(built.page("/centres/oxhey/"), "centre-consultations")


def test_consultations_are_a_section_search_can_be_narrowed_to(built):
    assert 'data-pagefind-filter="section:Consultations"' in built.page("/consultations/oxhey-hours/")
    assert '<option value="Consultations">Consultations</option>' in built.page("/search/")


def test_the_web_editor_has_forms_for_consultations_and_the_new_fields(built):
    from ccsite.config import site_config
    from ccsite.editor import decap

    collections = {c["name"]: c for c in decap.config(site_config(built.content))["collections"]}
    consultation = collections["consultation"]
    assert consultation["folder"].endswith("consultations")
    assert consultation["preview_path"] == "consultations/{{slug}}/"
    assert {"opens", "closes", "respond", "outcome"} <= {f["name"] for f in consultation["fields"]}
    opportunity = {f["name"] for f in collections["opportunity"]["fields"]}
    assert {"clarifications", "events", "outcome"} <= opportunity


def test_a_deadline_at_midnight_is_told_as_the_end_of_the_day_before(site):
    """00:00 on the 26th is the end of the 25th, the build's day: the round "closes
    today", at "midnight at the end of 25 November 2026", and once it has closed, it
    closed on the 25th (never a day later than a provider would read it)."""
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 2026-11-26T00:00:00Z")
    assert site.build().status == 0
    text = said(site, "/opportunities/oxhey-eoi/")
    assert "Closes today" in text and "Closes tomorrow" not in text
    assert "Deadline: midnight at the end of 25 November 2026" in text
    assert site.build("--now", "2026-11-27T09:00:00+00:00").status == 0
    assert "Closed on 25 November 2026" in said(site, "/opportunities/")


def test_a_start_at_midnight_is_the_start_of_its_day_not_the_end_of_the_one_before(site):
    """Something that starts at 00:00 starts on its own day: a consultation opening at
    midnight on 11 January 'opens at midnight at the start of 11 January', where a
    deadline then is 'midnight at the end of 10 January'."""
    informed(site)
    site.edit(SOON, "opens: 2027-01-11T09:00:00Z", "opens: 2027-01-11T00:00:00Z")
    assert site.build().status == 0
    text = said(site, "/consultations/family-hubs/")
    assert "opens at midnight at the start of 11 January 2027" in text
    assert "midnight at the end of 10 January" not in text


def test_an_event_over_by_the_next_build_is_told_so_by_it_as_by_a_clean_build(site):
    """The next day's build, the page's file unchanged, says the event took place (what
    is over is worked out from the build's now, and compared by value: see
    incremental.DERIVED), byte for byte as a build from nothing."""
    informed(site)
    assert site.build("--now", "2026-12-08T09:00:00+00:00").status == 0
    assert "Book by e-mail" in said(site, "/opportunities/oxhey-eoi/")
    assert site.build("--now", "2026-12-09T09:00:00+00:00").status == 0
    page = site.page("/opportunities/oxhey-eoi/")
    assert "Book by e-mail" not in visible_text(page)
    shutil.rmtree(site.output)
    shutil.rmtree(site.root / ".ccsite-cache", ignore_errors=True)
    assert site.build("--now", "2026-12-09T09:00:00+00:00").status == 0
    assert site.page("/opportunities/oxhey-eoi/") == page


def test_a_deadlines_calendar_reminder_says_when_it_closes(site):
    """The reminder a day before a deadline names the moment, as the page does: for one
    at midnight it fires at the start of the last day, and 'Deadline tomorrow' was
    wrong then."""
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 2027-01-30T00:00:00Z")
    assert site.build().status == 0
    calendar = icalendar.Calendar.from_ical(
        (site.output / "public/opportunities/oxhey-eoi/deadline.ics").read_bytes())
    alarms = [c for c in calendar.walk("VALARM")]
    assert [str(a["description"]) for a in alarms] == [
        "Deadline midnight at the end of 29 January 2027: Lead agency for Oxhey"]

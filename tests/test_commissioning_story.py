"""The whole commissioning story as a provider follows it (a provider's review): a round
announced while planned and then opened for bids, changed, cancelled, decided with or
without an award, closed early; answers added on the same day; times in the hours the
clocks change. Each tested on a built site: pages as built, feeds with feedparser,
calendars with icalendar, the OCDS package against its JSON Schema, `ccsite digest` and
`ccsite check` as run from the command line."""
from __future__ import annotations

import json
import re

import feedparser
import icalendar
import pytest

from ccsite.cli import main
from conftest import NOW, FixtureSite, visible_text
from test_keeping_informed import O, ROUND, ROUND_MD, _line_of, informed, public
from test_open_data import ocds_validator, problems

PLANNED = ("status: active\npublished: 2026-11-02\ndeadline: 2027-01-29T12:00:00Z\n",
           "status: planning\npublished: 2026-11-02\nopens: 2026-11-24\n")
OPENED = ("status: active\npublished: 2026-11-02\n",
          "status: active\npublished: 2026-11-02\nopens: 2026-11-24\n")


def _release(site: FixtureSite, reference: str = "HCC-1") -> dict:
    package = json.loads((public(site) / "data/opportunities.json").read_text())
    assert not problems(ocds_validator(), package)
    return next(r for r in package["releases"] if r["tender"]["id"] == reference)


def _feed(site: FixtureSite):
    return feedparser.parse((public(site) / "opportunities/feed.xml").read_bytes())


def _checked(site: FixtureSite, capsys, status: int = 0) -> str:
    """`ccsite check` of the site, as an editor runs it: what it said (its status is
    `status`)."""
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == status
    return capsys.readouterr().err


def _digest_text(site: FixtureSite, tmp_path, since: str) -> str:
    out = tmp_path / "digest"
    assert main(["digest", "--source", str(site.content), "--since", since, "--output",
                 str(out), "--now", NOW, "--audience", "providers"]) == 0
    return (out / "digest.txt").read_text()


# -- a round announced while planned, then opened for bids --------------------------------

def test_a_planned_round_says_when_bids_will_open(site):
    site.edit(O, *PLANNED)
    assert site.build("--now", "2026-11-20T09:00:00Z").status == 0
    text = site.text("/opportunities/oxhey-eoi/")
    assert "This opportunity is being planned. Bids open from 24 November 2026" in text
    assert "Open for bids from 24 November 2026" in text
    assert _release(site)["tender"]["tenderPeriod"] == {
        "startDate": "2026-11-24T00:00:00+00:00"}


def test_a_planned_round_past_the_day_it_was_to_open_is_warned_of_and_said_late(site,
                                                                               capsys):
    """Its pages said "Opens soon" for a year after that day (a review over a year of
    builds): they say it opens later than planned."""
    site.edit(O, *PLANNED)
    assert site.build().status == 0
    text = site.text("/opportunities/oxhey-eoi/")
    assert "This opportunity is being planned. Bids were to open from 24 November 2026" \
        in text and "they will open later, and this page will say when." in text
    assert "Open for bids from Later than planned (was 24 November 2026" in text
    assert "Opening later than planned" in site.text("/opportunities/")
    assert "Opens soon" not in site.text("/opportunities/")
    err = _checked(site, capsys)
    line = _line_of(site, O, "opens: 2026-11-24")
    assert (f"{site.shown(O)}:{line}: opens: warning: bids were to open on 2026-11-24, but "
            "the status is still planning") in err
    site.edit(O, "opens: 2026-11-24", "opens: 2026-12-24")
    assert "still planning" not in _checked(site, capsys)


def test_an_active_round_whose_bids_open_later_is_not_told_as_open_yet(site, tmp_path):
    """Set active a week ahead of its opens: day: "Opens soon", no "Open for bids" in the
    feed or the digest before the day; on the day, all of them (a review)."""
    site.edit(O, "status: active\npublished: 2026-11-02\n",
              "status: active\npublished: 2026-11-02\nopens: 2026-12-02\n")
    assert site.build().status == 0
    text = site.text("/opportunities/oxhey-eoi/")
    assert "Opens on 2 December 2026" in text and "Bids open on 2 December 2026" in text
    assert "Opens on 2 December 2026" in site.text("/opportunities/")
    assert "Closes in" not in text
    assert not [e for e in _feed(site).entries if e.id.endswith("#opened")]
    assert "Now open for bids" not in _digest_text(site, tmp_path, "2026-11-20")
    assert site.build("--now", "2026-12-02T09:00:00Z").status == 0
    assert "Opens on" not in site.text("/opportunities/oxhey-eoi/")
    assert [e for e in _feed(site).entries if e.id.endswith("#opened")]


def test_a_planned_round_that_opens_for_bids_is_announced_to_providers(site, tmp_path):
    """Its feed has an entry of its own and the notice's entry is updated, the home page's
    latest changes and the digest tell it, and the open data's tender opens that day."""
    site.edit(O, *OPENED)
    assert site.build().status == 0
    entries = {e.id.split("#")[-1] if "#" in e.id else "notice": e for e in _feed(site).entries
               if "oxhey-eoi" in e.id}
    assert entries["opened"].title == "Open for bids: Lead agency for Oxhey"
    assert entries["opened"].updated.startswith("2026-11-24")
    assert "Deadline: midday on 29 January 2027" in entries["opened"].summary
    assert entries["notice"].updated.startswith("2026-11-24")  # (published 2 November)
    assert "Opportunity open for bids" in site.text("/")
    assert "Open for bids from 24 November 2026" in site.text("/opportunities/oxhey-eoi/")
    assert _release(site)["tender"]["tenderPeriod"]["startDate"] == \
        "2026-11-24T00:00:00+00:00"
    assert _release(site)["date"] == "2026-11-24T00:00:00+00:00"
    digest = _digest_text(site, tmp_path, "2026-11-20")
    assert "Lead agency for Oxhey" in digest and "Now open for bids" in digest


def test_a_round_open_from_the_day_it_was_published_has_no_opening_to_announce(site):
    site.edit(O, "status: active\npublished: 2026-11-02\n",
              "status: active\npublished: 2026-11-02\nopens: 2026-11-02\n")
    assert site.build().status == 0
    assert not [e for e in _feed(site).entries if e.id.endswith("#opened")]
    assert _release(site)["tender"]["tenderPeriod"]["startDate"] == \
        "2026-11-02T00:00:00+00:00"


@pytest.mark.parametrize("opens, at, told", [
    ("2026-10-30", "opens: 2026-10-30",  # before the round was published
     "opens: 2026-10-30 is before the round was published (2026-11-02)"),
    ("2027-02-01", "deadline:",  # after the deadline
     "deadline: must be later than the start of the day bids open (2027-02-01)"),
])
def test_bids_opening_before_publication_or_after_the_deadline_is_a_mistake(
        site, capsys, opens, at, told):
    site.edit(O, "published: 2026-11-02\n", f"published: 2026-11-02\nopens: {opens}\n")
    err = _checked(site, capsys, 1)
    assert f"{site.shown(O)}:{_line_of(site, O, at)}: {told}" in err
    assert "Traceback" not in err


# -- changes and cancellations -----------------------------------------------------------

UPDATES = """updates:
  - date: 2026-11-21
    note: The deadline moved to midday on 29 January 2027.
enquiries:"""


def test_the_providers_digest_lists_each_change_to_a_round(site, tmp_path):
    site.edit(O, "enquiries:", UPDATES)
    assert site.build().status == 0
    digest = _digest_text(site, tmp_path, "2026-11-20")
    assert "CHANGES TO OPPORTUNITIES" in digest
    assert "The deadline moved to midday on 29 January 2027." in digest
    assert "CHANGES TO OPPORTUNITIES" not in _digest_text(site, tmp_path, "2026-11-22")


def test_a_cancelled_round_is_told_as_cancelled_in_the_digest(site, tmp_path):
    site.edit(O, "status: active", "status: cancelled")
    site.edit(O, "enquiries:", UPDATES.replace("The deadline moved to midday on 29 January "
                                               "2027.", "Withdrawn, as the funding ended."))
    assert site.build().status == 0
    digest = _digest_text(site, tmp_path, "2026-11-20")
    assert "Cancelled" in digest and "Withdrawn, as the funding ended." in digest


def test_a_planned_round_is_cancelled_without_a_deadline_it_never_had(site, capsys):
    """Called off while still being planned: no deadline is asked for (one made up to get
    the build through was published, with its own calendar: a provider's review); its
    page says there was none, and the open data tells the cancellation."""
    site.edit(O, *PLANNED)
    site.edit(O, "status: planning", "status: cancelled")
    site.edit(O, "enquiries:", UPDATES.replace("The deadline moved to midday on 29 January "
                                               "2027.", "The council will not run this round."))
    assert "mistake" not in _checked(site, capsys)
    assert site.build().status == 0
    text = site.text("/opportunities/oxhey-eoi/")
    assert "Deadline None: the round was cancelled before it opened" in text
    assert not (public(site) / "opportunities/oxhey-eoi/deadline.ics").exists()
    release = _release(site)
    assert release["tag"] == ["tenderCancellation"] and release["tender"]["status"] == \
        "cancelled" and "endDate" not in release["tender"].get("tenderPeriod", {})
    site.edit(O, "status: cancelled", "status: active")  # open, it needs one
    assert "deadline: is required unless status is planning or cancelled" in \
        _checked(site, capsys, status=1)


def test_a_round_complete_with_no_outcome_is_warned_of(site, capsys):
    """It said only "Closed": no word of who was chosen, on its page or in the open data
    (a provider's review)."""
    site.edit(O, "status: active", "status: complete")
    err = _checked(site, capsys)
    line = _line_of(site, O, "status: complete")
    assert (f"{site.shown(O)}:{line}: status: warning: the round is complete, but no "
            "outcome says who was chosen") in err
    site.edit(O, "enquiries:", UPDATES.replace("The deadline moved to midday on 29 January "
                                               "2027.", "No bid met the standard."))
    assert "no outcome says" not in _checked(site, capsys)


def test_a_round_cancelled_with_no_update_is_warned_of(site, capsys):
    site.edit(O, "status: active", "status: cancelled")
    err = _checked(site, capsys)
    line = _line_of(site, O, "status: cancelled")
    assert (f"{site.shown(O)}:{line}: status: warning: the round is cancelled, but no "
            "update says so") in err
    site.edit(O, "enquiries:", UPDATES)
    assert "no update says so" not in _checked(site, capsys)


def test_calendar_events_of_a_changed_round_are_revised_in_sequence(site):
    """RFC 5545: a calendar that imported the deadline takes a moved one only with a
    higher SEQUENCE; each update (only ever added) and the cancellation raise it."""
    def revision() -> tuple:
        assert site.build().status == 0
        calendar = icalendar.Calendar.from_ical(
            (public(site) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
        event = next(iter(calendar.walk("VEVENT")))
        return event.get("sequence"), event.get("last-modified")

    assert revision() == (None, None)
    site.edit(O, "enquiries:", UPDATES)
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 2027-02-12T12:00:00Z")
    sequence, modified = revision()
    assert sequence == 1 and modified.dt.isoformat() == "2026-11-21T00:00:00+00:00"
    site.edit(O, "status: active", "status: cancelled")
    assert revision()[0] == 2


# -- outcomes ------------------------------------------------------------------------------

def test_a_round_that_awarded_nothing_is_not_said_to_have_awarded_contracts(site, tmp_path):
    informed(site)
    site.write(ROUND, re.sub(r"  awards:\n(    .*\n)+", "", ROUND_MD).replace(
        "note: 75 organisations applied.", "note: No bids met the quality threshold."))
    assert site.build().status == 0
    page = site.text("/opportunities/round-2006/")
    assert "See the outcome" in page and "See who was awarded" not in page
    assert "Decided on 28 February 2006: no contract was awarded." in page
    assert "0 organisations" not in page
    release = _release(site, "HCC-2006")
    assert release["tender"]["status"] == "unsuccessful"
    notice = next(d for d in release["tender"]["documents"]
                  if d["documentType"] == "awardNotice")
    assert notice["description"] == ("Decided on 28 February 2006: no contract was "
                                     "awarded. No bids met the quality threshold.")
    outcome = next(e for e in _feed(site).entries if e.id.endswith("round-2006/#outcome"))
    assert "no contract was awarded" in outcome.summary


def test_an_outcome_note_is_in_the_open_data(site):
    informed(site)
    assert site.build().status == 0
    notice = next(d for d in _release(site, "HCC-2006")["tender"]["documents"]
                  if d["documentType"] == "awardNotice")
    assert "75 organisations applied." in notice["description"]
    assert notice["url"].endswith("/opportunities/round-2006/#outcome")


def test_a_round_completed_before_its_deadline_shows_no_date_to_come_nor_a_reminder(site):
    site.edit(O, "status: active", "status: complete")
    assert site.build().status == 0
    page = site.page("/opportunities/oxhey-eoi/")
    assert "Closed on" not in visible_text(page)
    calendar = icalendar.Calendar.from_ical(
        (public(site) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
    assert not list(calendar.walk("VALARM"))
    site.edit(O, "status: complete", "status: active")  # open again: reminded
    assert site.build().status == 0
    calendar = icalendar.Calendar.from_ical(
        (public(site) / "opportunities/oxhey-eoi/deadline.ics").read_bytes())
    assert list(calendar.walk("VALARM"))


# -- answers added on the same day ---------------------------------------------------------

def test_an_answer_added_above_another_of_its_day_leaves_that_ones_id(site):
    informed(site)
    assert site.build().status == 0
    before = {e.id: e.title for e in _feed(site).entries if "#question-" in e.id}
    site.edit(O, "clarifications:\n", "clarifications:\n  - question: Is there parking?\n"
              "    answer: Yes, six spaces.\n    date: 2026-11-20\n")
    assert site.build().status == 0
    after = {e.id: e.title for e in _feed(site).entries if "#question-" in e.id}
    assert len(after) == len(before) + 1 and before.items() <= after.items()
    page = site.page("/opportunities/oxhey-eoi/")
    assert 'id="question-2026-11-20-can-a-partnership-apply"' in page
    assert 'id="question-2026-11-20-is-there-parking"' in page


# -- the hours the clocks change -----------------------------------------------------------

def test_a_deadline_in_the_hour_the_clocks_go_back_says_which_of_the_two(site):
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 2027-10-31T01:30:00+01:00")
    assert site.build().status == 0
    assert "1:30am BST on 31 October 2027" in site.text("/opportunities/oxhey-eoi/")
    site.edit(O, "deadline: 2027-10-31T01:30:00+01:00", "deadline: 2027-10-31T01:30:00Z")
    assert site.build().status == 0
    assert "1:30am GMT on 31 October 2027" in site.text("/opportunities/oxhey-eoi/")


@pytest.mark.parametrize("written", ["2027-10-31T01:30:00+01:00", "2027-10-31T01:30:00Z"])
def test_a_time_the_clocks_repeat_written_with_its_zone_is_not_warned_of(site, capsys,
                                                                          written):
    """Either 1:30am of that night is written plainly by its zone, and the page says
    which (BST or GMT): a warning nothing could clear would be noise (a review)."""
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", f"deadline: {written}")
    assert "deadline: warning" not in _checked(site, capsys)


def test_check_says_a_time_the_clocks_skip_does_not_happen(site, capsys):
    """Not the old advice to write what was already written."""
    site.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 2027-03-28T01:30:00Z")
    err = _checked(site, capsys)
    assert ("1:30am does not happen in UK time on 28 March 2027: the clocks go forward "
            "from 1am to 2am that night; this means 2:30am on 28 March 2027 UK time") in err
    assert "write 2027-03-28T01:30:00Z" not in err


def test_two_news_items_with_one_title_are_warned_of_at_each(site, capsys):
    """The web editor names a second "Centres open" news item's file "...-1": two items
    readers cannot tell apart (an editor's review)."""
    first = site.content / "news/centres-open.md"
    title = next(line for line in first.read_text().splitlines() if line.startswith("title:"))
    site.write("news/centres-open-1.md", first.read_text().replace(
        title, title.replace("title: ", "title: ").upper().replace("TITLE: ", "title: ")))
    err = _checked(site, capsys)
    for rel, other in (("news/centres-open.md", "news/centres-open-1.md"),
                       ("news/centres-open-1.md", "news/centres-open.md")):
        assert (f"{site.shown(rel)}:2: title: warning: another news item has the same title "
                f"({site.shown(other)})") in err

"""iCalendar files (RFC 5545), written with the `icalendar` library.

UIDs are made from slugs and the site's host, so a calendar app that subscribed once
updates the same events when a deadline moves; DTSTAMP is the start of the build's day
(see `day_stamp`), so two builds with the same `--now` are byte-identical.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from icalendar import Calendar, Event, Timezone

PRODID = "-//ccsite//children's centres//EN"


class _Library:
    """The icalendar library, imported when the first calendar is made: its time zone
    tables took 70 ms of every build to import, and a build that keeps its calendars from
    the last one (restamped on a new day: see `restamp`) makes none."""

    def __getattr__(self, name: str):
        import icalendar

        return getattr(icalendar, name)


ical = _Library()


_STAMP = re.compile(r"^DTSTAMP:\d{8}T\d{6}Z(?=\r?$)", re.MULTILINE)


def day_stamp(now: dt.datetime) -> dt.datetime:
    """What the events of a build at `now` are stamped with (DTSTAMP): the moment its UK
    day began, in UTC. Not `now` to the second: a build later the same day finds the site
    up to date (nothing it shows changes before midnight or a moment a document gives:
    see quickedit.valid_until) and keeps the published calendars, which would then hold
    an earlier build's time, where a clean build at that moment holds its own. (The UK's
    clocks change at 1 or 2 a.m., so its midnight is always one moment.)"""
    from ..fields import LOCAL_ZONE, start_of_day

    return start_of_day(now.astimezone(LOCAL_ZONE).date()).astimezone(dt.timezone.utc)


@functools.lru_cache(maxsize=4)  # (asked for each centre's calendar: 330 at 10,000 documents)
def stamp_of(now: dt.datetime) -> str:
    """The DTSTAMP a build at `now` gives its events, as written."""
    return f"{day_stamp(now):%Y%m%dT%H%M%SZ}"


def restamp(text: str, now: dt.datetime) -> str:
    """A calendar whose events are stamped for a build at `now` (see `day_stamp`), as such
    a build makes it: the same but for the stamps (see outputs.Stamped)."""
    return _STAMP.sub(f"DTSTAMP:{stamp_of(now)}", text)


def _calendar(site, name: str) -> Calendar:
    calendar = ical.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", ical.vText(name))  # (TEXT: its commas and semicolons
    return calendar  # escaped, which the library does not do for an X- property itself)


def _event(site, key: str) -> Event:
    """An event of the site's: its UID (`key` at the site's host), the build's stamp
    (see `day_stamp`) and its organiser. RFC 5546 asks a published event for an
    ORGANIZER: the council, by its e-mail address (else its site's address), whose name
    a calendar program shows as the one who sent the event."""
    event = ical.Event()
    event.add("uid", f"{key}@{_host(site)}")
    event.add("dtstamp", day_stamp(site.now))
    organisation = site.config.organisation
    address = f"mailto:{organisation.email}" if organisation.email else site.config.base_url
    event.add("organizer", ical.vCalAddress(address),
              parameters={"cn": organisation.name} if organisation.name else None)
    return event


def _host(site) -> str:
    return urlsplit(site.config.base_url).hostname or "localhost"


def _deadline_event(site, opportunity) -> Event:
    config = site.config
    event = _event(site, f"opportunity-{opportunity.slug}-deadline")
    event.add("dtstart", opportunity.deadline.astimezone(dt.timezone.utc))
    cancelled = opportunity.status == "cancelled"
    event.add("summary", f"{'Cancelled: ' if cancelled else ''}Deadline: {opportunity.title} "
              f"({opportunity.reference})")
    if cancelled:  # calendars that subscribed to it strike it out
        event.add("status", "CANCELLED")
    event.add("url", config.base_url + opportunity.url.lstrip("/"))
    event.add("description", f"{opportunity.summary or opportunity.title}\n"
              f"Reference: {opportunity.reference}\n"
              f"{config.base_url + opportunity.url.lstrip('/')}")
    event.add("categories", ["Deadline"])
    _revision(event, opportunity)
    if opportunity.status != "active":  # cancelled, or complete before it came
        return event  # no reminder of a deadline that no longer is one
    from ..render import format_datetime  # (the render stage imports this module)

    reminder = ical.Alarm()  # a day before: "tomorrow" was wrong for one at midnight,
    reminder.add("action", "DISPLAY")  # which closes at the end of the day it fires
    reminder.add("description", f"Deadline "
                 f"{format_datetime(opportunity.deadline, closing=True)}: {opportunity.title}")
    reminder.add("trigger", dt.timedelta(days=-1))
    event.add_component(reminder)
    return event


def _round_events(site, opportunity) -> list[Event]:
    """An opportunity's deadline and its events (briefings, interviews, the award...)."""
    events = [_deadline_event(site, opportunity)] if opportunity.deadline else []
    return events + [_opportunity_event(site, opportunity, e) for e in opportunity.events]


def _opportunity_event(site, opportunity, item) -> Event:
    """One event of a round. Its UID names its place in the file's list, so a calendar
    that subscribed sees a moved session move, not a second one appear."""
    event = _when(_event(site, f"opportunity-{opportunity.slug}-event-{item.key}"), item)
    cancelled = item.key in opportunity.called_off
    event.add("summary", f"{'Cancelled: ' if cancelled else ''}{item.title}: "
              f"{opportunity.title} ({opportunity.reference})")
    if cancelled:
        event.add("status", "CANCELLED")
    _where(event, item, site.config.base_url + opportunity.url.lstrip("/"))
    event.add("categories", ["Event"])
    _revision(event, opportunity)
    return event


def _when(event: Event, item) -> Event:
    """An event's (a round's, a consultation's: model.Event) start, and end if it has one."""
    event.add("dtstart", item.start.astimezone(dt.timezone.utc))
    if item.end:
        event.add("dtend", item.end.astimezone(dt.timezone.utc))
    return event


def _where(event: Event, item, page: str) -> None:
    """Where an event happens, its address, and what it is (`page`: of what holds it)."""
    if item.place or item.online:
        event.add("location", item.place or item.online)
    event.add("url", item.online or page)
    event.add("description", "\n".join(part for part in (
        item.title, f"Where: {item.place}" if item.place else "",
        f"Online: {item.online}" if item.online else "",
        f"Booking: {item.booking}" if item.booking else "", page) if part))


def _revision(event: Event, opportunity) -> None:
    """How many times the round's events were revised (SEQUENCE), and when last
    (LAST-MODIFIED): RFC 5545 asks for a higher SEQUENCE when an event's time changes, and
    a calendar program that imports the file again (not one that subscribed) may keep
    the event it has without one. Each change is told as an update (`updates:`, which
    are only ever added) and a cancellation counts as one more, so the number only
    grows, and the same content gives the same file."""
    revised = len(opportunity.updates) + (opportunity.status == "cancelled")
    if not revised:
        return
    event.add("sequence", revised)
    if opportunity.updates:
        from ..fields import start_of_day

        event.add("last-modified", start_of_day(opportunity.latest_update.date)
                  .astimezone(dt.timezone.utc))


def opportunity_calendar(site, opportunity) -> str:
    """The round's own calendar: its deadline and its events."""
    name = "deadline and events" if opportunity.events else "deadline"
    calendar = _calendar(site, f"{opportunity.title}: {name}")
    for event in _round_events(site, opportunity):
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def opportunities_calendar(site) -> str:
    calendar = _calendar(site, f"{site.config.title}: opportunity deadlines and events")
    for opportunity in site.opportunities:
        for event in _round_events(site, opportunity):
            calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def consultations_calendar(site) -> str:
    """Each consultation's closing moment, with how to respond, and a reminder two days
    before (a family needs time to answer)."""
    config = site.config
    calendar = _calendar(site, f"{config.title}: consultations")
    for c in site.consultations:
        page = config.base_url + c.url.lstrip("/")
        event = _event(site, f"consultation-{c.slug}-closes")
        event.add("dtstart", c.closes.astimezone(dt.timezone.utc))
        event.add("summary", f"Consultation closes: {c.title}")
        event.add("url", page)
        ways = [f"online at {c.respond.url}" if c.respond and c.respond.url else "",
                f"by e-mail to {c.respond.email}" if c.respond and c.respond.email else "",
                f"by post to {c.respond.address}" if c.respond and c.respond.address else ""]
        event.add("description", "\n".join(part for part in (
            c.summary, "Respond " + "; ".join(w for w in ways if w) if any(ways) else "",
            page) if part))
        event.add("categories", ["Consultation"])
        reminder = ical.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", f"Consultation closes in two days: {c.title}")
        reminder.add("trigger", dt.timedelta(days=-2))
        event.add_component(reminder)
        calendar.add_component(event)
        for item in c.events:
            calendar.add_component(_consultation_event(site, c, item))
    return calendar.to_ical().decode("utf-8")


def _consultation_event(site, consultation, item) -> Event:
    """A consultation's drop-in session or meeting; its UID names it by its title, as a
    round's event's does (see `_opportunity_event`)."""
    event = _when(_event(site, f"consultation-{consultation.slug}-event-{item.key}"), item)
    event.add("summary", f"{item.title}: {consultation.title}")
    _where(event, item, site.config.base_url + consultation.url.lstrip("/"))
    event.add("categories", ["Consultation"])
    return event


def programme_calendar(site) -> str:
    """Programme milestones and centre openings, as all-day events."""
    config = site.config
    calendar = _calendar(site, f"{config.title}: programme")
    keys: dict[str, int] = {}
    for milestone in config.milestones:
        key = f"milestone-{milestone.date.isoformat()}-{_slug(milestone.title)}"
        keys[key] = keys.get(key, 0) + 1  # two of one day whose titles begin alike: each
        calendar.add_component(_day_event(  # UID its own (RFC 5545), the first's as it was
            site, key if keys[key] == 1 else f"{key}-{keys[key]}",
            milestone.date, milestone.title, config.base_url + "programme/"))
    for centre in site.centres:
        if centre.opening_date and centre.status in ("open", "closed"):
            calendar.add_component(_day_event(
                site, f"centre-{centre.slug}-opening", centre.opening_date,
                f"{centre.name} opens", config.base_url + centre.url.lstrip("/")))
    return calendar.to_ical().decode("utf-8")


def _day_event(site, key: str, day: dt.date, summary: str, url: str) -> Event:
    event = _event(site, key)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def _slug(text: str) -> str:
    from ..graph import slugify

    return slugify(text)[:40]


# -- a centre's weekly sessions ------------------------------------------------------------

def sessions_calendar(site, centre) -> str:
    """A centre's sessions as weekly recurring events (RRULE FREQ=WEEKLY;BYDAY=...), to
    subscribe to: a calendar app shows this week's and updates when the timetable changes.

    Each recurrence starts at a fixed date, the centre's opening day (never the build's
    `now`). DTSTAMP is the build's day, as in every calendar of the site: a family who
    downloaded the file and imports it again after the timetable changed has its
    program take the newer events by it (RFC 5546: with no SEQUENCE, the later DTSTAMP
    wins; the content keeps no count of a timetable's revisions). A nightly build
    restamps the last build's file (see outputs.Stamped) rather than making it again. Times are UK local time with the Europe/London zone (a session at
    9:30 stays at 9:30 across the clock change). A closure's days are left out
    (EXDATE), and so are a term-time session's days in the school holidays site.yaml
    gives (all of them, past ones too: the file changes only when the content does);
    the description says "term time only" too, for the holidays not yet given."""
    from ..fields import LOCAL_ZONE
    from ..timetable import first_on_or_after, session_keys, shows_sessions
    from .opendata import RRULE_DAYS

    config = site.config
    anchor = centre.opening_date or dt.date(2000, 1, 3)
    calendar = _calendar(site, f"{centre.name}: sessions")
    calendar.add_component(_uk_time())  # before the events that name it
    page = config.base_url + centre.url.lstrip("/")
    address = ", ".join([centre.name, *centre.address.lines]) if centre.address else centre.name
    sessions = zip(centre.sessions, session_keys(centre)) if shows_sessions(centre) else ()
    for session, key in sessions:  # (see outputs)
        first = first_on_or_after(anchor, session.days)
        event = _event(site, f"session-{key}")
        event.add("dtstart", dt.datetime.combine(first, session.starts, LOCAL_ZONE))
        event.add("dtend", dt.datetime.combine(first, session.ends, LOCAL_ZONE))
        event.add("rrule", {"freq": "weekly", "byday": [RRULE_DAYS[d] for d in session.days]})
        skipped = _days_closed(session, first, (
            *config.closures, *centre.closures,
            *(config.school_holidays if session.term_time_only else ())))
        if skipped:  # a bank holiday, a training day, the school holidays: not in the
            # families' calendars
            event.add("exdate", [dt.datetime.combine(day, session.starts, LOCAL_ZONE)
                                 for day in skipped])
        event.add("summary", f"{session.title} at {centre.name}")
        event.add("location", address)
        event.add("url", page)
        event.add("description", session_description(session) + f"\n{page}")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _days_closed(session, first: dt.date, closures) -> list[dt.date]:
    """The days of a weekly session, from its first, that fall on a closure: all of them,
    past ones too, so the file changes only when the content does."""
    from ..model import WEEKDAYS

    days = {WEEKDAYS.index(d) for d in session.days}
    found = set()
    for closure in closures:
        day = max(closure.date, first)
        while day <= closure.last_day:
            if day.weekday() in days:
                found.add(day)
            day += dt.timedelta(days=1)
    return sorted(found)


def _uk_time() -> Timezone:
    """Europe/London as its rules are (since 1996: summer time from the last Sunday of
    March at 1am GMT to the last Sunday of October at 2am BST), with no end date: the
    library's own VTIMEZONE lists every change up to 2038 and stops there."""
    zone = ical.Timezone()
    zone.add("tzid", "Europe/London")
    for part, start, month, name, before, after in (
            (ical.TimezoneDaylight(), dt.datetime(1996, 3, 31, 1), 3, "BST", 0, 1),
            (ical.TimezoneStandard(), dt.datetime(1996, 10, 27, 2), 10, "GMT", 1, 0)):
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        part.add("tzname", name)
        part.add("tzoffsetfrom", dt.timedelta(hours=before))
        part.add("tzoffsetto", dt.timedelta(hours=after))
        zone.add_component(part)
    return zone


def session_description(session) -> str:
    """What a session's calendar entry (and open data) say about it beyond its time."""
    parts = [f"For: {session.ages}." if session.ages else "",
             f"Booking: {session.booking}." if session.booking else "",
             "Term time only: not in the school holidays." if session.term_time_only
             else "Every week, in the school holidays too.",
             session.note or ""]
    return " ".join(p for p in parts if p)

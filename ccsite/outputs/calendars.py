"""iCalendar files (RFC 5545), written with the `icalendar` library.

UIDs are made from slugs and the site's host, so a calendar app that subscribed once
updates the same events when a deadline moves; DTSTAMP is the build's `now`, so two
builds with the same `--now` are byte-identical.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event

PRODID = "-//ccsite//children's centres//EN"


def _calendar(site, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _host(site) -> str:
    return urlsplit(site.config.base_url).hostname or "localhost"


def _deadline_event(site, opportunity) -> Event:
    config = site.config
    event = Event()
    event.add("uid", f"opportunity-{opportunity.slug}-deadline@{_host(site)}")
    event.add("dtstamp", site.now.astimezone(dt.timezone.utc))
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
    if cancelled:
        return event  # no reminder of a deadline that no longer is one
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", f"Deadline tomorrow: {opportunity.title}")
    reminder.add("trigger", dt.timedelta(days=-1))
    event.add_component(reminder)
    return event


def opportunity_calendar(site, opportunity) -> str:
    calendar = _calendar(site, f"{opportunity.title}: deadline")
    calendar.add_component(_deadline_event(site, opportunity))
    return calendar.to_ical().decode("utf-8")


def opportunities_calendar(site) -> str:
    calendar = _calendar(site, f"{site.config.title}: opportunity deadlines")
    for opportunity in site.opportunities:
        if opportunity.deadline:
            calendar.add_component(_deadline_event(site, opportunity))
    return calendar.to_ical().decode("utf-8")


def programme_calendar(site) -> str:
    """Programme milestones and centre openings, as all-day events."""
    config = site.config
    calendar = _calendar(site, f"{config.title}: programme")
    for milestone in config.milestones:
        calendar.add_component(_day_event(
            site, f"milestone-{milestone.date.isoformat()}-{_slug(milestone.title)}",
            milestone.date, milestone.title, config.base_url + "programme/"))
    for centre in site.centres:
        if centre.opening_date and centre.status in ("open", "closed"):
            calendar.add_component(_day_event(
                site, f"centre-{centre.slug}-opening", centre.opening_date,
                f"{centre.name} opens", config.base_url + centre.url.lstrip("/")))
    return calendar.to_ical().decode("utf-8")


def _day_event(site, key: str, day: dt.date, summary: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"{key}@{_host(site)}")
    event.add("dtstamp", site.now.astimezone(dt.timezone.utc))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def _slug(text: str) -> str:
    from ..graph import slugify

    return slugify(text)[:40]

"""What's on: the centres' weekly sessions laid out by day, for a centre's page and for
/whats-on/ across every centre (see model.Session).

A session shows while its centre is open or about to open (a planned or closed centre's
sessions are not on); /whats-on/ lists only those of centres open now, since a family
reading it means to go this week.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .fields import slugify
from .model import WEEKDAYS, Centre, Session

DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday")))


@dataclass(frozen=True)
class Slot:
    """One session on one day, at its centre."""

    centre: Centre
    session: Session


@dataclass(frozen=True)
class Day:
    key: str  # mon
    name: str  # Monday
    slots: tuple[Slot, ...]  # by start time, then centre and title


def day_url(day: Day) -> str:
    return f"/whats-on/{day.name.lower()}/"


def shows_sessions(centre: Centre) -> bool:
    """Whether a centre's page (and calendar) offers its sessions."""
    return bool(centre.sessions) and centre.state in ("open", "opening")


def centre_week(centre: Centre) -> list[Day]:
    """A centre's timetable: each day it has a session, Monday first."""
    return _week([centre]) if shows_sessions(centre) else []


def whats_on(centres: list[Centre]) -> list[Day]:
    """Every session of every open centre, by day."""
    return _week([c for c in centres if c.state == "open"])


def _week(centres: list[Centre]) -> list[Day]:
    days: dict[str, list[Slot]] = {day: [] for day in WEEKDAYS}
    for centre in centres:
        for session in centre.sessions:
            for day in session.days:
                days[day].append(Slot(centre, session))
    return [Day(key, DAY_NAMES[key], tuple(sorted(
                slots, key=lambda s: (s.session.starts, s.session.ends, s.centre.name.lower(),
                                      s.session.title.lower()))))
            for key, slots in days.items() if slots]


def session_keys(centre: Centre) -> list[str]:
    """A name for each of a centre's sessions that stays with it however the list is
    ordered or grown (its title, days and start): its calendar UID and its id in the open
    data. A session written twice over is told apart by "-again". The parts are joined
    by "/", which no slug holds: joined by "-", bishops-stortford's "Thorley baby clinic"
    was bishops-stortford-thorley's "Baby clinic"."""
    return distinct(f"{centre.slug}/{slugify(s.title)[:40]}/{''.join(s.days)}/{s.starts:%H%M}"
                    for s in centre.sessions)


def distinct(keys) -> list[str]:
    """The keys, each repeat made its own by "-again" (as often as it repeats)."""
    seen: set[str] = set()
    result = []
    for key in keys:
        while key in seen:
            key += "-again"
        seen.add(key)
        result.append(key)
    return result


def first_on_or_after(day: dt.date, weekdays: tuple[str, ...]) -> dt.date:
    """The first date from `day` that falls on one of `weekdays` (a weekly session's
    first meeting, for its calendar's DTSTART)."""
    wanted = {WEEKDAYS.index(d) for d in weekdays}
    return next(day + dt.timedelta(days=n) for n in range(7)
                if (day + dt.timedelta(days=n)).weekday() in wanted)

"""Outputs made from the public site graph besides its pages: feeds, calendars, sitemap,
structured data, open data and the search index. Each module is one kind of output;
`public_outputs` gathers the files they make (the search index is made last, from the
written pages: see `search.py`)."""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Callable

Maker = Callable[[], str]  # makes one file's text when called


@dataclass(frozen=True)
class Given:
    """A maker given plain values beyond the content objects it reads (which are recorded
    while it runs: see incremental.Reuse.make_file): `context` is a text that differs
    when those values do, so the last build's file is kept only while it is the same.
    Every other maker reads what it shows from the site graph as it runs."""

    make: Maker
    context: str

    def __call__(self) -> str:
        return self.make()


@dataclass(frozen=True)
class Stamped:
    """A calendar that reads the build's `now` only to stamp its events (DTSTAMP): the
    last build's file, restamped (see calendars.restamp), is what it makes while nothing
    else it read has changed, so a nightly build does not make every calendar again."""

    make: Maker
    restamp: Callable[[str], str]  # the last build's text -> this build's
    stamp: str = ""  # what this build stamps with (see incremental.Reuse.make_file)

    def __call__(self) -> str:
        return self.make()


def public_outputs(env, site, page_routes) -> dict[str, Maker]:
    """Output path -> maker of every public file that is not an HTML page.

    Which files there are follows from the site graph alone, so the paths are known before
    any file is made: the preview server's page-only rebuild keeps the files it made
    before and makes only those a change adds (an opportunity that opens gets its
    deadline's calendar, which its page links to), and its quick rebuild leaves to the
    pipeline any change that adds or removes one (see quickedit.py)."""
    from .. import places
    from . import calendars, feeds, opendata, sitemap

    def atom(feed) -> Maker:
        return lambda: env.get_template("atom.xml").render(site=site, feed=feed(site))

    stamped = functools.partial(_stamped, site)
    makers: dict[str, Maker] = {
        "feed.xml": atom(feeds.news_feed),
        "opportunities/feed.xml": atom(feeds.opportunities_feed),
        "opportunities.ics": stamped(functools.partial(calendars.opportunities_calendar,
                                                       site)),
        "programme.ics": stamped(functools.partial(calendars.programme_calendar, site)),
        "consultations.ics": stamped(functools.partial(calendars.consultations_calendar,
                                                       site)),
        "sitemap.xml": Given(functools.partial(sitemap.sitemap, site, page_routes),
                             _routes_context(page_routes)),
        "robots.txt": functools.partial(sitemap.robots, site),
    }
    for opportunity in site.opportunities:
        if opportunity.deadline or opportunity.events:
            makers[opportunity.url.lstrip("/") + "deadline.ics"] = stamped(functools.partial(
                calendars.opportunity_calendar, site, opportunity))
    makers[places.PLACES_FILE] = lambda: places.places_json(site.centres)
    makers.update(_session_calendars(site))
    makers.update(opendata.open_data_files(site))
    makers.update(_calendars_at_old_addresses(makers, page_routes))
    return makers


def _calendars_at_old_addresses(makers: dict[str, Maker], page_routes) -> dict[str, Maker]:
    """A centre's or a round's calendar also at the address it had before a `slug:` gave
    it another (see render.moved_routes): a calendar program that subscribed to it asks
    there, and stops updating, unseen, when it is gone. The same events (their UIDs
    are the document's), so it updates as before."""
    from ..render import MOVED

    moved = {route.url.lstrip("/"): route.context["moved_to"].lstrip("/")
             for route in page_routes if route.template == MOVED}
    return {old + name: makers[new + name] for old, new in moved.items()
            for name in ("sessions.ics", "deadline.ics")
            if new + name in makers and old + name not in makers}


def _routes_context(page_routes) -> str:
    """What the sitemap shows of the pages (their addresses and content dates)."""
    return hashlib.blake2b("\n".join(f"{r.url}\t{r.lastmod}" for r in page_routes)
                           .encode("utf-8"), digest_size=16).hexdigest()


def _session_calendars(site) -> dict[str, Maker]:
    """/centres/<slug>/sessions.ics for each centre: with its sessions while its page
    shows them, else with none. A calendar app that subscribed keeps the events of a
    calendar that is gone, repeating every week for ever; one with no events it empties
    (a centre closed, its sessions taken out)."""
    from . import calendars

    return {centre.url.lstrip("/") + "sessions.ics": _stamped(
            site, functools.partial(calendars.sessions_calendar, site, centre))
            for centre in site.centres}


def _stamped(site, make: Maker) -> Stamped:
    """A calendar of the site's: every one stamps its events with the build's day."""
    from . import calendars

    return Stamped(make, functools.partial(calendars.restamp, now=site.now),
                   calendars.stamp_of(site.now))

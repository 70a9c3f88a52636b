"""Outputs made from the public site graph besides its pages: feeds, calendars, sitemap,
structured data, open data and the search index. Each module is one kind of output;
`public_outputs` gathers the files they make (the search index is made last, from the
written pages: see `search.py`)."""
from __future__ import annotations


def public_outputs(env, site, page_routes) -> dict[str, str]:
    """Output path -> text of every public file that is not an HTML page."""
    from .. import places
    from . import calendars, feeds, opendata, sitemap

    atom = env.get_template("atom.xml")
    files = {
        "feed.xml": atom.render(site=site, feed=feeds.news_feed(site)),
        "opportunities/feed.xml": atom.render(site=site, feed=feeds.opportunities_feed(site)),
        "opportunities.ics": calendars.opportunities_calendar(site),
        "programme.ics": calendars.programme_calendar(site),
        "sitemap.xml": sitemap.sitemap(site, page_routes),
        "robots.txt": sitemap.robots(site),
    }
    for opportunity in site.opportunities:
        if opportunity.deadline:
            files[opportunity.url.lstrip("/") + "deadline.ics"] = \
                calendars.opportunity_calendar(site, opportunity)
    files[places.PLACES_FILE] = places.places_json(site.centres)
    files.update(_session_calendars(site))
    files.update(opendata.open_data_files(site))
    return files


def _session_calendars(site) -> dict[str, str]:
    """/centres/<slug>/sessions.ics for each centre whose page shows its sessions."""
    from . import calendars
    from ..timetable import shows_sessions

    return {centre.url.lstrip("/") + "sessions.ics": calendars.sessions_calendar(site, centre)
            for centre in site.centres if shows_sessions(centre)}

"""Outputs made from the public site graph besides its pages: feeds, calendars, sitemap,
structured data, open data and the search index. Each module is one kind of output;
`public_outputs` gathers the files they make (the search index is made last, from the
written pages: see `search.py`)."""
from __future__ import annotations


def public_outputs(env, site, page_routes) -> dict[str, str]:
    """Output path -> text of every public file that is not an HTML page."""
    from . import calendars, feeds, opendata, sitemap

    atom = env.get_template("atom.xml")
    files = {
        "feed.xml": atom.render(site=site, feed=feeds.news_feed(site)),
        "opportunities/feed.xml": atom.render(site=site, feed=feeds.opportunities_feed(site)),
        "opportunities.ics": calendars.opportunities_calendar(site),
        "programme.ics": calendars.programme_calendar(site),
        "consultations.ics": calendars.consultations_calendar(site),
        "sitemap.xml": sitemap.sitemap(site, page_routes),
        "robots.txt": sitemap.robots(site),
    }
    for opportunity in site.opportunities:
        if opportunity.deadline or opportunity.events:
            files[opportunity.url.lstrip("/") + "deadline.ics"] = \
                calendars.opportunity_calendar(site, opportunity)
    files.update(opendata.open_data_files(site))
    return files

"""schema.org JSON-LD for search engines: what each page is about, in their vocabulary.

Centres are `ChildCare` (a LocalBusiness: a place and an organisation at once) with the
lead agency as their `parentOrganization`, the organisation that runs them; agencies are
`Organization`; news items `NewsArticle`; the home page describes the `WebSite` and its
search.
"""
from __future__ import annotations

import json

from markupsafe import Markup

from ..bodies import plain_text as _plain

DAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
        "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}


def as_script(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> block; '<' escaped so no text in it
    can close the script element. Compact: JSON's C encoder does not indent."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _absolute(site, path: str) -> str:
    return site.config.base_url + path.lstrip("/")


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def website(site) -> dict:
    return {"@context": "https://schema.org", "@type": "WebSite",
            "name": site.config.title, "url": site.config.base_url,
            "inLanguage": site.config.language,
            "publisher": organisation(site),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint",
                           "urlTemplate": _absolute(site, "/search/") + "?q={search_term_string}"},
                "query-input": "required name=search_term_string"}}


def organisation(site) -> dict:
    org = site.config.organisation
    return _clean({"@type": "GovernmentOrganization", "name": org.name,
                   "telephone": org.phone.tel if org.phone else None, "email": org.email})


def agency(site, agency) -> dict:
    contact = agency.contact
    return _clean({
        "@context": "https://schema.org", "@type": "Organization", "name": agency.name,
        "url": _absolute(site, agency.url), "sameAs": agency.website,
        "description": _plain(agency.about_html) or None,
        "contactPoint": _clean({"@type": "ContactPoint", "name": contact.name,
                                "contactType": contact.role or "enquiries",
                                "telephone": contact.phone.tel if contact.phone else None,
                                "email": contact.email}) if contact else None,
    })


def centre(site, centre) -> dict:
    """A centre for search engines. One that is not open (planned, opening later, closed)
    says so first and gives no opening hours: a search result must not send a family to
    a centre that is not running."""
    from ..render import format_date  # render uses this module: imported when used

    address = centre.address
    lead = centre.agency
    description = centre.summary or _plain(centre.html)[:300] or ""
    not_open = {"planned": "Planned: not open yet.", "closed": "Closed.",
                "opening": f"Opens on {format_date(centre.opening_date)}."
                if centre.opening_date else ""}.get(centre.state)
    return _clean({
        "@context": "https://schema.org", "@type": "ChildCare", "name": centre.name,
        "url": _absolute(site, centre.url), "sameAs": centre.website,
        "description": " ".join(filter(None, [not_open, description])) or None,
        "address": _clean({"@type": "PostalAddress", "streetAddress": address.street,
                           "addressLocality": address.town, "postalCode": address.postcode,
                           "addressRegion": centre.district, "addressCountry": "GB"})
        if address else None,
        "geo": {"@type": "GeoCoordinates", "latitude": centre.location.lat,
                "longitude": centre.location.lon} if centre.location else None,
        "openingHoursSpecification": [
            {"@type": "OpeningHoursSpecification",
             "dayOfWeek": [f"https://schema.org/{DAYS[d]}" for d in hours.days],
             "opens": hours.opens.strftime("%H:%M"), "closes": hours.closes.strftime("%H:%M")}
            for hours in centre.opening_hours] if not_open is None else None,
        "telephone": centre.phone.tel if centre.phone else None,
        "email": centre.email,
        "parentOrganization": _clean({"@type": "Organization", "name": lead.name,
                                      "url": _absolute(site, lead.url)}) if lead else None,
        "funder": organisation(site),
    })


def news_article(site, item) -> dict:
    return _clean({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": item.title,
        "description": item.summary, "url": _absolute(site, item.url),
        "mainEntityOfPage": _absolute(site, item.url),
        "datePublished": item.date.isoformat() if item.date else None,
        "inLanguage": site.config.language,
        "author": organisation(site), "publisher": organisation(site),
    })

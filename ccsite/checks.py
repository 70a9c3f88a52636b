"""Warnings: things that do not stop a build but that an editor should look at.

They are reported by `ccsite check` (and counted in a build's summary), with the same
`path:line: field: message` shape as errors, so an editor fixes them the same way.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

from .errors import ContentError
from .graph import Site

HTTP_LINK = re.compile(r'href="(http://[^"]+)"')
IMG_WITHOUT_ALT = re.compile(r'<img\b(?![^>]*\balt="[^"]+")[^>]*>')
OLD_NEWS = dt.timedelta(days=365)


def site_warnings(site: Site) -> list[ContentError]:
    warnings: list[ContentError] = []

    def warn(entry, field: str, message: str) -> None:
        line = entry.lines.get(field, 1) if hasattr(entry, "lines") else 1
        warnings.append(ContentError(entry.source, line, field, message))

    for o in site.opportunities:
        if o.status == "active" and o.state == "closed":
            warn(o, "status", "the deadline has passed, so the page shows it as closed; "
                 "set status: complete (or cancelled) to say what happened")
    for c in site.centres:
        if c.status != "open":
            continue
        if not c.opening_hours:
            warn(c, "opening_hours", "this open centre has no opening hours; families will "
                 "want to know when to come")
        if not c.phone and not c.email:
            warn(c, "phone", "this open centre has no phone or email; add at least one")
    for entry in [*site.centres, *site.opportunities, *site.pages]:
        if not entry.summary:
            warn(entry, "summary", "there is no summary; one plain sentence helps readers, "
                 "search results and link previews")
    for entry in [*site.centres, *site.opportunities, *site.lessons, *site.news, *site.pages]:
        image_without_alt, http_links = _body_findings(entry.html)
        if image_without_alt:
            warn(entry, "body", "an image has no alt text: write ![what the image shows]"
                 "(/media/file.jpg) so people who cannot see it know what it is")
        for url in http_links:
            warn(entry, "body", f"the link {url} is not secure (http://); use https:// if "
                 "the site offers it")
    for entity in [*site.centres, *site.agencies]:
        if entity.website and entity.website.startswith("http://"):
            warn(entity, "website", f"{entity.website} is not secure (http://); use "
                 "https:// if the site offers it")
    cutoff = site.today - OLD_NEWS
    shown = {c.url for c in site.recent_changes}
    for item in site.news:
        if item.url in shown and item.date and item.date < cutoff:
            warn(item, "date", "this news item is more than a year old but is still among "
                 "the latest changes on the home page; add newer news")
    return sorted(set(warnings), key=lambda w: (w.path, w.line, w.field, w.message))


@functools.lru_cache(maxsize=1 << 16)  # the preview server asks again at every build
def _body_findings(html: str) -> tuple[bool, tuple[str, ...]]:
    """Does the body have an image without alt text, and which http:// links."""
    return bool(IMG_WITHOUT_ALT.search(html)), tuple(HTTP_LINK.findall(html))

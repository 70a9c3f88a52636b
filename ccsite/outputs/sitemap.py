"""sitemap.xml (public HTML pages only) and robots.txt (which keeps crawlers out of
/members/ and points them at the sitemap)."""
from __future__ import annotations

from html import escape  # with quote=False, as xml.sax.saxutils.escape, whose module
# imports urllib.request (30 ms of every build)


def sitemap(site, page_routes) -> str:
    """Every public HTML page but the 404 page; `lastmod` from the content's own date, where
    it has one (the build never uses file times, which differ between checkouts)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for route in sorted(page_routes, key=lambda r: r.url):
        if not route.url.endswith("/") or route.template == "moved.html":  # (an address
            continue  # a page had: the page is listed where it is)
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(site.config.base_url + route.url.lstrip('/'), quote=False)}</loc>")
        if route.lastmod:
            lines.append(f"    <lastmod>{route.lastmod.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(site) -> str:
    base = site.config.base_path
    return (f"User-agent: *\nDisallow: {base}members/\n\n"
            f"Sitemap: {site.config.base_url}sitemap.xml\n")

"""Stage 6, audit: check what is about to be written before it is written.

Every internal link and image in the output must lead to a file of the output, or the
build fails naming the content file (and line) that wrote the link. It runs on the files
in memory, so a failed audit leaves the published site untouched.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote, urlsplit

from .errors import ErrorList
from .render import Route

# The output is HTML that we generated (Jinja templates, sanitised Markdown), so a pattern
# over attributes finds every link; html.parser would take most of the build's time.
_LINK_RE = re.compile(r"""\s(?:href|src|action|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SRCSET_RE = re.compile(r"""\ssrcset\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def links_in(html: str) -> list[str]:
    links = [unescape(a or b) for a, b in _LINK_RE.findall(html)]
    for a, b in _SRCSET_RE.findall(html):
        links += [part.strip().split(" ")[0] for part in unescape(a or b).split(",")]
    return [link for link in links if link]


def check_links(pages: dict[str, str], all_files: set[str], page_routes: list[Route],
                base_path: str, bodies: dict[str, tuple[str, int]], errors: ErrorList) -> None:
    """`bodies`: source path -> (Markdown body, its first line), to point at the line."""
    by_output = {route.output_path: route for route in page_routes}
    for output_path, html in sorted(pages.items()):
        route = by_output.get(output_path)
        for link in links_in(html):
            target = _internal_target(link, base_path)
            if target is None or _exists(target, all_files):
                continue
            site_path = "/" + target
            source, line = _blame(route, site_path, bodies)
            errors.add(source, line, "link", f"'{site_path}' does not lead to a page or "
                       f"file of the site (linked from /{output_path.removesuffix('index.html')})")


def _internal_target(link: str, base_path: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith(base_path):
        return None
    return unquote(parts.path[len(base_path):])


def _exists(target: str, files: set[str]) -> bool:
    if target == "" or target.endswith("/"):
        return target + "index.html" in files
    return target in files or target + "/index.html" in files


def _blame(route: Route | None, site_path: str, bodies: dict[str, tuple[str, int]]):
    if route is None:
        return "(generated)", 0
    if route.source and route.source in bodies:
        body, first_line = bodies[route.source]
        for offset, text in enumerate(body.split("\n")):
            if site_path.rstrip("/") in text:
                return route.source, first_line + offset
        return route.source, first_line
    return f"templates/{route.template}", 0

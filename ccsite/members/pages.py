"""Render the members section: its routes, pages, feed and search index.

Only this module renders members content, from the `MembersSite`; the public render never
receives it. Members pages may link to public pages (agencies, centres), never the reverse.
Pages are rendered the same way in both protection modes; `protect.py` then either leaves
them as a root of their own (`server`) or encrypts them (`encrypt`).
"""
from __future__ import annotations

import itertools
import json
import re
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import jinja2

from ..bodies import plain_text as _plain
from ..outputs.feeds import FeedEntry, as_datetime, entry_id, make_feed, newest_dated
from ..graph import MembersSite, Site
from ..render import Route, start_render_routes
from ..workers import Pending

if TYPE_CHECKING:
    from ..write import StagedFile

ROOT = "/members/"
SEARCH_INDEX = "/members/search-index.json"
MAIN_START = "<!--members-main-->"  # marks the part of a page that encrypt mode encrypts
MAIN_END = "<!--/members-main-->"


def members_routes(members: MembersSite) -> list[Route]:
    routes = [Route(ROOT, "members/index.html"),
              Route("/members/directory/", "members/directory.html"),
              Route("/members/search/", "members/search.html"),
              Route("/members/share/", "members/share.html"),
              Route("/members/feed.xml", "atom.xml", {"feed": _feed(members)})]
    routes += [Route(p.url, "members/post.html", {"post": p}, p.source) for p in members.posts]
    routes += [Route(t.url, "members/tag.html", {"tag": t}) for t in members.tags]
    routes += [Route(p.url, "members/page.html", {"page": p}, p.source) for p in members.pages]
    return routes


def start_members_render(env: jinja2.Environment, site: Site, members: MembersSite,
                         routes: list[Route], reuse=None, previous=None, defer: bool = False,
                         inspect=None, stage=None) -> Pending:
    """Start rendering the members files (see render.start_render_routes); `result()`
    gives them: output path (from the site root, 'members/...') -> bytes of each file, or
    the previous build's file where nothing it was made from has changed. With `defer`
    (the preview server's page-only rebuild), the search index stays as it was, if there
    is one. `stage`: see render.render_routes."""
    pages = start_render_routes(env, site, routes, reuse, previous, inspect, stage,
                                members=members)
    index = SEARCH_INDEX.lstrip("/")  # made here while the pages render elsewhere
    try:
        kept = previous(index) if defer and previous else None
        if kept is not None:
            index_file = kept
            if reuse is not None:  # the catch-up build makes it again
                reuse.memory.made_files.pop(index, None)
        elif reuse is not None and previous is not None:  # the last build's, while no
            # post or page it shows has changed (see incremental.Reuse.make_file)
            index_file = reuse.make_file(index, lambda: _search_index_file(members, stage),
                                         previous)
        else:
            index_file = _search_index_file(members, stage)
    except BaseException:
        pages.cancel()
        raise
    return Pending(lambda: {**pages.result(), index: index_file}, pages.cancel)


def _search_index_file(members: MembersSite, stage) -> "bytes | StagedFile":
    """What members search looks through: every post and page, as plain text (JSON).
    Kept as the build keeps its pages until they are written: put in the `stage`
    (see write.Stage) entry by entry, not held (it is the largest file a build makes
    itself: 42 MB at 50,000 documents); as bytes where there is no stage."""
    pieces = (piece.encode("utf-8") for piece in _search_index_pieces(members))
    return stage.put_pieces(pieces) if stage is not None else b"".join(pieces)


def _search_index_pieces(members: MembersSite) -> Iterator[str]:
    """The search index's JSON, an entry at a time (as `json.dumps` of the whole list
    writes it, byte for byte)."""
    entries = ({"url": p.url, "title": p.title, "summary": p.summary,
                "tags": [t for t in p.tags], "author": p.author,
                "agency": p.agency.name if p.agency else "",
                "date": p.date.isoformat() if p.date else "", "text": _plain(p.html)}
               for p in members.posts)
    pages = ({"url": p.url, "title": p.title, "summary": p.summary or "", "tags": [],
              "author": "", "agency": "", "date": "", "text": _plain(p.html)}
             for p in members.pages)
    separator = "["
    for entry in itertools.chain(entries, pages):
        yield separator + json.dumps(entry, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":"))
        separator = ","
    yield "[]" if separator == "[" else "]"


def main_part(html: str) -> str:
    """The members-only part of a rendered page (between the markers of members/base.html)."""
    start, end = html.find(MAIN_START), html.find(MAIN_END)
    if start < 0 or end < start:
        return html
    return html[start + len(MAIN_START):end]


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return unescape(found.group(1)).strip() if found else ""


def _feed(members: MembersSite):
    config = members.config
    entries = [FeedEntry(id=entry_id(config, p), title=p.title,
                         url=config.base_url + p.url.lstrip("/"),
                         updated=as_datetime(p.date), published=as_datetime(p.date),
                         summary=p.summary, content_html=p.html, author=p.author)
               for p in newest_dated(members.posts)]
    return make_feed(f"{config.members_title}: good practice", config.base_url + "members/feed.xml",
                     config.base_url + "members/", config.members_title, entries)

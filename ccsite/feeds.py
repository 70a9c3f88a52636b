"""Atom feeds (RFC 4287): the data of a feed, and one template that writes every feed.

Entry ids are the entries' absolute URLs, which stay the same for as long as the page does;
`updated` comes from the content's own dates, never from the clock, so feeds are
reproducible.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .fields import start_of_day


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str  # absolute
    updated: dt.datetime
    summary: str | None = None
    content_html: str | None = None
    author: str | None = None
    published: dt.datetime | None = None


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    self_url: str  # absolute URL of the feed
    page_url: str  # absolute URL of the page it follows
    updated: dt.datetime
    author: str
    entries: tuple[FeedEntry, ...]


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else start_of_day(value)


def make_feed(title: str, self_url: str, page_url: str, author: str,
              entries: list[FeedEntry]) -> Feed:
    ordered = tuple(sorted(entries, key=lambda e: (e.updated, e.id), reverse=True))
    updated = ordered[0].updated if ordered else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    return Feed(id=self_url, title=title, self_url=self_url, page_url=page_url,
                updated=updated, author=author, entries=ordered)

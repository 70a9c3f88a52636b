"""Atom feeds (RFC 4287): the data of a feed, and one template that writes every feed.

Entry ids are the entries' absolute URLs, which stay the same for as long as the page does;
`updated` comes from the content's own dates, never from the clock, so feeds are
reproducible.
"""
from __future__ import annotations

import datetime as dt
import functools
import heapq
from dataclasses import dataclass

from ..fields import start_of_day


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
    return value if isinstance(value, dt.datetime) else _start_of(value)


@functools.lru_cache(maxsize=8192)
def _start_of(day: dt.date) -> dt.datetime:
    """Remembered: the members feed asks it of every post's date at each preview rebuild."""
    return start_of_day(day)


# The newest entries only, as Hugo (rssLimit) and Pelican (FEED_MAX_ITEMS) do: a reader
# wants what is new, and a feed of every item since 2004 would be megabytes at each poll.
FEED_ENTRIES = 50


def make_feed(title: str, self_url: str, page_url: str, author: str,
              entries: list[FeedEntry]) -> Feed:
    ordered = tuple(heapq.nlargest(FEED_ENTRIES, entries, key=lambda e: (e.updated, e.id)))
    updated = ordered[0].updated if ordered else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    return Feed(id=self_url, title=title, self_url=self_url, page_url=page_url,
                updated=updated, author=author, entries=ordered)


def newest_dated(items: list) -> list:
    """The items (news, posts: anything with a `date` and a `url`) a feed will hold, picked
    before their entries are made: the same newest FEED_ENTRIES that `make_feed` keeps
    (ids are addresses under one base, so they order as the addresses do)."""
    return heapq.nlargest(FEED_ENTRIES, [item for item in items if item.date],
                          key=lambda item: (as_datetime(item.date), _page_of_file(item)))


def absolute(config, path: str) -> str:
    return config.base_url + path.lstrip("/")


def entry_id(config, item) -> str:
    """An entry's id (RFC 4287: it never changes): the address of the item's page as its
    file's name makes it. That is the page's own address, unless the editor gave the
    item a `slug:`, which moves the page but must not make a feed reader show the item
    again as new."""
    return absolute(config, _page_of_file(item))


def _page_of_file(item) -> str:
    return item.url.removesuffix(f"{item.url_slug}/") + f"{item.slug}/"


def news_feed(site) -> Feed:
    config = site.config
    entries = [FeedEntry(id=entry_id(config, n), title=n.title, url=absolute(config, n.url),
                         updated=as_datetime(n.date), published=as_datetime(n.date),
                         summary=n.summary, content_html=n.html)
               for n in newest_dated(site.news)]
    entries += consultation_entries(site)
    return make_feed(f"{config.title}: news", absolute(config, "/feed.xml"),
                     absolute(config, "/news/"), config.organisation.name, entries)


def opportunities_feed(site) -> Feed:
    """An entry when an opportunity is published, with its deadline in the entry."""
    from ..render import format_datetime, KIND_NAMES

    config = site.config
    entries = []
    for o in site.opportunities:
        entries += opportunity_updates(site, o)
        if not o.published:
            continue
        deadline = ("This opportunity was cancelled." if o.status == "cancelled"
                    else f"Deadline: {format_datetime(o.deadline, closing=True)}." if o.deadline
                    else "The deadline will be announced.")
        summary = " ".join(p for p in (f"{KIND_NAMES.get(o.kind, o.kind)}, reference "
                                       f"{o.reference}.", o.summary, deadline) if p)
        # updated when what the entry says of it changes (its deadline moved, say): each
        # change has an entry of its own too (opportunity_updates)
        changed = max(filter(None, (o.published, o.opened,
                                    o.latest_update and o.latest_update.date)))
        entries.append(FeedEntry(id=entry_id(config, o), title=o.title,
                                 url=absolute(config, o.url), updated=as_datetime(changed),
                                 published=as_datetime(o.published), summary=summary,
                                 content_html=f"<p>{_escape(deadline)}</p>\n{o.html}"))
    return make_feed(f"{config.title}: opportunities to bid",
                     absolute(config, "/opportunities/feed.xml"),
                     absolute(config, "/opportunities/"), config.organisation.name, entries)


def opportunity_updates(site, o) -> list[FeedEntry]:
    """Each answer to a bidders' question, each change, and the outcome, as entries of
    their own: a bidder following the feed learns of them as they are published."""
    from ..render import format_date, format_datetime, outcome_said

    config = site.config
    page, known_as = absolute(config, o.url), entry_id(config, o)
    entries = []
    for q in o.clarifications:
        entries.append(FeedEntry(
            id=f"{known_as}#question-{q.key}",
            title=f"Question answered: {o.title}", url=f"{page}#question-{q.key}",
            updated=as_datetime(q.date), published=as_datetime(q.date),
            summary=f"Q: {q.question} A: {q.answer}",
            content_html=f"<p><strong>{_escape(q.question)}</strong></p>\n"
                         f"<p>{_escape(q.answer)}</p>"))
    for u in o.updates:
        entries.append(FeedEntry(
            id=f"{known_as}#change-{u.key}",
            title=f"Changed: {o.title}", url=f"{page}#opportunity-updates",
            updated=as_datetime(u.date), published=as_datetime(u.date), summary=u.note,
            content_html=f"<p>{_escape(u.note)}</p>"))
    if o.opened:
        said = (f"Open for bids from {format_date(o.opened)}. "
                f"Deadline: {format_datetime(o.deadline, closing=True)}." if o.deadline else
                f"Open for bids from {format_date(o.opened)}.")
        entries.append(FeedEntry(
            id=f"{known_as}#opened", title=f"Open for bids: {o.title}", url=page,
            updated=as_datetime(o.opened), published=as_datetime(o.opened), summary=said,
            content_html=f"<p>{_escape(said)}</p>"))
    if o.outcome:
        said = outcome_said(o.outcome)
        names = ", ".join(a.agency.name for a in o.outcome.awards if a.agency)
        entries.append(FeedEntry(
            id=f"{known_as}#outcome", title=f"Outcome: {o.title}", url=f"{page}#outcome",
            updated=as_datetime(o.outcome.date), published=as_datetime(o.outcome.date),
            summary=" ".join(p for p in (said, o.outcome.note) if p),
            content_html=f"<p>{_escape(said)}</p>\n<p>{_escape(names)}</p>"
            if names else f"<p>{_escape(said)}</p>"))
    return entries


def consultation_entries(site) -> list[FeedEntry]:
    """The news feed announces each consultation once it opens, and its outcome once
    published (families follow the news feed, not a feed of their own)."""
    config = site.config
    entries = []
    for c in site.consultations:
        if c.state == "upcoming":
            continue
        page, known_as = absolute(config, c.url), entry_id(config, c)
        entries.append(FeedEntry(id=known_as, title=f"Have your say: {c.title}", url=page,
                                 updated=c.opens, published=c.opens, summary=c.summary,
                                 content_html=f"<p>{_escape(c.summary)}</p>\n{c.html}"))
        if c.outcome_shown:
            updated = as_datetime(c.outcome.date)
            entries.append(FeedEntry(id=f"{known_as}#outcome",
                                     title=f"You said, we did: {c.title}",
                                     url=f"{page}#outcome", updated=updated, published=updated,
                                     summary=c.outcome.summary, content_html=c.outcome.html))
    return entries


def _escape(text: str) -> str:
    from html import escape

    return escape(text)

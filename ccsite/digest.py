"""`ccsite digest`: a newsletter of what the content dates on or after a day, for the
council's mailing tool (issue 20).

No history of the site is kept, so "since" reads the dated fields of the content itself:
opportunities published or opened for bids, changes to them, answers to bidders'
questions, a round's events, outcomes, consultations opened or decided, news, and
centres opened. The pipeline's own stages make
the site graph (load -> validate -> graph), so a digest says what the site says and a
mistake in the content stops it as it stops a build.

Written twice: `digest.html`, e-mail-ready (tables for layout and inline styles, which
e-mail programs keep where they drop style sheets; every link absolute to base_url, since
an e-mail has no address of its own), and `digest.txt`, the same in plain text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import graph, load, render, validate
from .bodies import BodyRenderer
from .config import read_site_config
from .errors import ContentErrors, ErrorList
from .fields import LOCAL_ZONE

AUDIENCES = ("providers", "families")
MAX_BYTES = 100_000  # e-mail programs clip a message past about 100 KB (Gmail at 102 KB)
PER_SECTION = 12  # the newest of each kind; the rest are a link away


@dataclass(frozen=True)
class DigestItem:
    date: dt.date
    title: str
    url: str  # site path, with a #place where the item is part of a page
    text: str = ""
    label: str = ""  # "Question answered", "Briefing session"...


@dataclass
class DigestSection:
    key: str
    title: str
    more_url: str  # where all of them are
    items: list[DigestItem] = field(default_factory=list)
    left_out: int = 0  # items past PER_SECTION


@dataclass
class Digest:
    since: dt.date
    audience: str | None
    sections: list[DigestSection]

    @property
    def count(self) -> int:
        return sum(len(s.items) + s.left_out for s in self.sections)


def site_graph(source: Path, options: validate.BuildOptions) -> graph.Site:
    """The public site graph, made by the pipeline's own stages; ContentErrors on mistakes."""
    errors = ErrorList()
    folder = load.load(source, str(source), errors)
    config = read_site_config(folder.site, errors) if folder.site else None
    errors.raise_if_any()
    if config is None:
        raise ContentErrors([])
    validated = validate.validate(folder, config, options, errors)
    site = graph.build_site(validated, options, errors, BodyRenderer(config.base_path))
    errors.raise_if_any()
    return site


def make_digest(site: graph.Site, since: dt.date, audience: str | None) -> Digest:
    """What happened on or after `since`, by section, newest first in each."""
    wanted = {"providers": ("opportunities", "changes", "questions", "events", "outcomes",
                            "news"),
              "families": ("consultations", "news", "centres")}
    keys = wanted.get(audience or "", ("opportunities", "changes", "questions", "events",
                                       "outcomes", "consultations", "news", "centres"))
    found = _sections(site, since)
    sections = []
    for key in keys:
        section = found[key]
        ordered = sorted(section.items, key=lambda i: (i.date, i.title), reverse=key != "events")
        section.items, section.left_out = ordered[:PER_SECTION], max(0, len(ordered) - PER_SECTION)
        if section.items:
            sections.append(section)
    return Digest(since, audience, sections)


def _sections(site: graph.Site, since: dt.date) -> dict[str, DigestSection]:
    s = {key: DigestSection(key, title, url) for key, title, url in (
        ("opportunities", "New opportunities", "/opportunities/"),
        ("changes", "Changes to opportunities", "/opportunities/"),
        ("questions", "Bidders' questions answered", "/opportunities/"),
        ("events", "Briefings and key dates", "/opportunities/"),
        ("outcomes", "Outcomes of bidding rounds", "/opportunities/#closed"),
        ("consultations", "Have your say", "/consultations/"),
        ("news", "News", "/news/"),
        ("centres", "Centres opened", "/centres/"))}
    for o in site.opportunities:
        if o.published and o.published >= since and o.status != "cancelled":
            s["opportunities"].items.append(DigestItem(
                o.published, o.title, o.url, o.summary or "", _deadline(o)))
        if o.opened and o.opened >= since and o.status != "cancelled" and \
                not (o.published and o.published >= since):  # (told once: as new)
            s["opportunities"].items.append(DigestItem(
                o.opened, o.title, o.url, o.summary or "", "Now open for bids. " + _deadline(o)))
        for u in o.updates:
            if u.date >= since:
                s["changes"].items.append(DigestItem(
                    u.date, o.title, f"{o.url}#opportunity-updates", u.note,
                    "Cancelled" if o.status == "cancelled" and u is o.latest_update
                    else "Changed"))
        for q in o.clarifications:
            if q.date >= since:
                s["questions"].items.append(DigestItem(
                    q.date, q.question, f"{o.url}#question-{q.key}", q.answer, o.title))
        for e in o.events:
            day = e.start.astimezone(LOCAL_ZONE).date()
            if day >= since and o.status != "cancelled":
                where = e.place or "online"
                s["events"].items.append(DigestItem(
                    day, e.title, f"{o.url}#opportunity-events",
                    f"{render.format_datetime(e.start)}, {where}. {e.booking or ''}".strip(),
                    o.title))
        if o.outcome and o.outcome.date >= since:
            s["outcomes"].items.append(DigestItem(
                o.outcome.date, o.title, f"{o.url}#outcome", render.outcome_said(o.outcome)))
    for c in site.consultations:
        opened = c.opens.astimezone(LOCAL_ZONE).date()
        if opened >= since:
            label = "Opens " + render.format_date(c.opens) if c.state == "upcoming" else \
                "Respond by " + render.format_datetime(c.closes, closing=True)
            s["consultations"].items.append(DigestItem(opened, c.title, c.url, c.summary,
                                                       label))
        if c.outcome_shown and c.outcome.date >= since:
            s["consultations"].items.append(DigestItem(
                c.outcome.date, c.title, f"{c.url}#outcome", c.outcome.summary,
                "You said, we did"))
    for n in site.news:
        if n.date and n.date >= since:
            s["news"].items.append(DigestItem(n.date, n.title, n.url, n.summary))
    for centre in site.centres:
        if centre.state == "open" and centre.opening_date and centre.opening_date >= since:
            s["centres"].items.append(DigestItem(
                centre.opening_date, centre.name, centre.url, centre.summary or "",
                centre.district))
    return s


def _deadline(o) -> str:
    if o.deadline:
        return "Deadline: " + render.format_datetime(o.deadline, closing=True)
    return "Deadline to be announced"


def write_digest(site: graph.Site, digest: Digest, output: Path,
                 templates: Path | None = None) -> tuple[Path, Path]:
    """digest.html and digest.txt in `output`; ValueError when the HTML is too big for an
    e-mail (it cannot be: PER_SECTION keeps it well under, but a theme's own template may
    not)."""
    env = render.make_environment(templates, site.config)
    context = {"site": site, "digest": digest,
               "audience_name": {"providers": "organisations and providers",
                                 "families": "families"}.get(digest.audience or "", "")}
    html = env.get_template("digest.html").render(**context)
    text = env.get_template("digest.txt").render(**context)
    size = len(html.encode("utf-8"))
    if size >= MAX_BYTES:
        raise ValueError(f"the digest's HTML is {size:,} bytes; e-mail programs cut a message "
                         f"past {MAX_BYTES:,}: give a later --since, or an --audience")
    output.mkdir(parents=True, exist_ok=True)
    paths = (output / "digest.html", output / "digest.txt")
    paths[0].write_text(html, encoding="utf-8")
    paths[1].write_text(text, encoding="utf-8")
    return paths

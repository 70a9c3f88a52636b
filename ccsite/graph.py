"""Stage 3, site graph: validated objects -> the `Site` every template receives.

Cross references are checked here (they need every file), and every derived relation is
computed once: agency -> centres it leads, centre -> opportunities about it, programme
progress against targets, and opportunities split into open / upcoming / closed by the
build's `now`. The public `Site` is built from public documents only: members content
goes to a separate `MembersSite` and can never be reached from a public template.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import heapq
from dataclasses import dataclass, field
from itertools import groupby, takewhile
from typing import Any, Callable, ContextManager

from .bodies import BodyRenderer
from .errors import ErrorList
from .fields import LOCAL_ZONE, address_slug, closing_day, slugify  # noqa: F401 (slugify: asked for here by many)
from .model import (Agency, Centre, Closure, Consultation, DirectoryEntry, Entry, GoodPractice,
                    Lesson, Milestone, NewsItem, Opportunity, Page, SiteConfig, Target)
from .validate import BuildOptions, Validated

NEWS_PER_PAGE = 10
RESERVED_SLUGS = {"centres", "whats-on", "opportunities", "agencies", "lessons", "news",
                  "programme", "search", "data", "members", "media", "assets", "404", "404.html",
                  "feed.xml", "sitemap.xml", "robots.txt", "pagefind", "members-help",
                  "consultations", "subscribe", "consultations.ics", "opportunities.ics",
                  "programme.ics",
                  "admin"}  # the web editor's (editor/publish.py), in the preview server always


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    reached: int  # centres open on the target's date
    met: bool
    due: bool  # the target's date has come


@dataclass(frozen=True)
class ProgressStep:
    date: dt.date
    centres: int  # centres open from this date on


@dataclass(frozen=True)
class District:
    name: str
    slug: str
    centres: tuple[Centre, ...]


@dataclass(frozen=True)
class NewsPage:
    number: int
    url: str
    items: tuple[NewsItem, ...]


@dataclass(frozen=True)
class ProgrammeMilestone:
    """A milestone of site.yaml, with the round it names (its outcome is linked)."""

    milestone: Milestone
    opportunity: Opportunity | None = None


@dataclass(frozen=True)
class Change:
    """One line of "what changed lately" on the home page."""

    date: dt.date
    kind: str
    title: str
    url: str
    summary: str | None


@dataclass
class Site:
    """The public site: everything a public template may see, and nothing else."""

    config: SiteConfig
    now: dt.datetime
    today: dt.date
    centres: list[Centre]
    districts: list[District]
    # service key -> the centres offering it now (open ones: a closed centre offers
    # nothing, a planned one nothing yet), and those to offer it once they open
    services: dict[str, list[Centre]]
    services_to_come: dict[str, list[Centre]]
    agencies: list[Agency]
    opportunities: list[Opportunity]
    open_opportunities: list[Opportunity]
    upcoming_opportunities: list[Opportunity]
    closed_opportunities: list[Opportunity]
    lessons: list[Lesson]
    news: list[NewsItem]
    news_pages: list[NewsPage]
    pages: list[Page]
    navigation: list[Page]
    progress: list[ProgressStep]
    targets: list[TargetProgress]
    centres_open: int
    recent_changes: list[Change]
    media: set[str] = field(default_factory=set)
    consultations: list[Consultation] = field(default_factory=list)
    open_consultations: list[Consultation] = field(default_factory=list)
    upcoming_consultations: list[Consultation] = field(default_factory=list)
    closed_consultations: list[Consultation] = field(default_factory=list)
    milestones: list[ProgrammeMilestone] = field(default_factory=list)
    closed_days: tuple[Closure, ...] = ()  # every centre's, not yet past (see `_still_to_come`)
    holidays: tuple[Closure, ...] = ()  # the school holidays not yet past, the same way


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str
    posts: tuple[GoodPractice, ...]


@dataclass
class MembersSite:
    """The members-only section. It may refer to public agencies, never the reverse."""

    config: SiteConfig
    now: dt.datetime
    posts: list[GoodPractice]
    pages: list[Page]
    directory: list[DirectoryEntry]
    tags: list[Tag]
    media: set[str] = field(default_factory=set)


MEMBERS_RESERVED_SLUGS = {"good-practice", "tags", "directory", "search", "share", "media", "files",
                          "feed.xml", "keys.json", "search-index.json", "assets"}


def build_site(v: Validated, options: BuildOptions, errors: ErrorList,
               bodies: BodyRenderer,
               orders_apart: Callable[[], ContextManager] = contextlib.nullcontext) -> Site:
    """The public site's graph. `orders_apart()` is around the making of its `orders`
    (the preview server notes what they read apart from the rest: see quickedit.py)."""
    config = v.config
    _check_unique_slugs(errors, v)
    _check_unique_references(errors, v.opportunities)
    agencies = {a.slug: a for a in v.agencies}
    centres = {c.slug: c for c in v.centres}
    today = options.now.astimezone(LOCAL_ZONE).date()

    _clear_derived(v)
    _render_bodies(bodies, v)
    for agency in v.agencies:
        agency.url = f"/agencies/{agency.slug}/"
    for centre in v.centres:
        centre.url = f"/centres/{centre.url_slug}/"
        centre.service_names = tuple(config.service_types[key] for key in centre.services)
        # an open centre whose opening day is still to come is not open yet: families
        # must not be sent to it (checks.py warns the editor)
        centre.state = "opening" if centre.status == "open" and centre.opening_date and \
            centre.opening_date > today else centre.status
        centre.closed_alone = _still_to_come(centre.closures, today)
        centre.closed_days = _still_to_come((*config.closures, *centre.closures), today)
        if centre.lead_agency_slug:
            centre.agency = _resolve(errors, centre, "lead_agency", centre.lead_agency_slug,
                                     agencies, "agencies", ".yaml")
            if centre.agency:
                centre.agency.centres.append(centre)
    for opportunity in v.opportunities:
        opportunity.url = f"/opportunities/{opportunity.url_slug}/"
        _set_state(opportunity, options.now, today)
        for index, slug in enumerate(opportunity.centre_slugs):
            centre = _resolve(errors, opportunity, f"centres[{index}]", slug, centres,
                              "centres", ".md", v.left_out.get("centre", {}))
            if centre:
                opportunity.centres.append(centre)
                centre.opportunities.append(opportunity)
    _link_outcomes(errors, v.opportunities, agencies, centres, v.left_out)
    _link_consultations(errors, v.consultations, centres, options.now, today, v.left_out)
    milestones = _milestones(errors, config, v.opportunities, v.left_out.get("opportunity", {}))
    for lesson in v.lessons:
        lesson.url = f"/lessons/{lesson.url_slug}/"
    for item in v.news:
        item.url = f"/news/{item.url_slug}/"
    for page in v.pages:
        page.url = f"/{page.url_slug}/"

    by_name = sorted(v.centres, key=lambda c: (c.name.lower(), c.slug))
    for agency in v.agencies:
        agency.centres.sort(key=lambda c: (c.name.lower(), c.slug))
    for centre in v.centres:
        centre.opportunities.sort(key=_opportunity_order)
    opportunities = sorted(v.opportunities, key=_opportunity_order)
    open_ = sorted((o for o in opportunities if o.state == "open"), key=lambda o: o.deadline)
    with orders_apart():
        news, recent_changes = orders(v.news, opportunities, v.consultations)
    progress = _progress(v.centres, today)
    return Site(
        config=config, now=options.now, today=today,
        centres=by_name,
        districts=districts(by_name),
        services={key: [c for c in by_name if key in c.services and c.state == "open"]
                  for key in config.service_types},
        services_to_come={key: [c for c in by_name if key in c.services
                                and c.state in ("planned", "opening")]
                          for key in config.service_types},
        agencies=sorted(v.agencies, key=lambda a: (a.name.lower(), a.slug)),
        opportunities=opportunities,
        open_opportunities=open_,
        upcoming_opportunities=[o for o in opportunities if o.state == "upcoming"],
        closed_opportunities=sorted((o for o in opportunities if o.state == "closed"),
                                    key=_closed_order),
        lessons=sorted(v.lessons, key=lambda l: (l.order is None, l.order or 0,
                                                 l.title.lower())),
        news=news,
        news_pages=_paginate(news),
        pages=sorted(v.pages, key=lambda p: p.url_slug),
        navigation=sorted((p for p in v.pages if p.nav_order is not None),
                          key=lambda p: (p.nav_order, p.title)),
        progress=progress,
        targets=[_target_progress(t, progress, today) for t in config.targets],
        centres_open=_open_on(progress, today),
        recent_changes=recent_changes,
        closed_days=_still_to_come(config.closures, today),
        holidays=_still_to_come(config.school_holidays, today),
        media=v.media,
        **_consultation_lists(v.consultations),
        milestones=milestones,
    )


def build_members_site(v: Validated, options: BuildOptions, errors: ErrorList,
                       bodies: BodyRenderer) -> MembersSite:
    """Check and link the members documents; rendering them is the members section's job."""
    agencies = {a.slug: a for a in v.agencies}
    _check_unique(errors, v.good_practice, "good practice post")
    _check_unique(errors, v.members_pages, "members page")
    for post in v.good_practice:
        post.url = f"/members/good-practice/{post.url_slug}/"
        if post.agency_slug:  # an unreadable `agency` is reported already, by its reader
            post.agency = _resolve(errors, post, "agency", post.agency_slug, agencies,
                                   "agencies", ".yaml")
    for page in v.members_pages:
        page.url = f"/members/{page.url_slug}/"
    for entry in v.directory:
        entry.agency = agencies.get(entry.agency_slug)
        if entry.agency_slug and entry.agency is None:
            _not_found(errors, (entry.source, entry.agency_line,
                                f"directory[{entry.position}].agency"), entry.agency_slug,
                       agencies, "agencies", ".yaml")
    for page in v.members_pages:
        if page.url_slug in MEMBERS_RESERVED_SLUGS:
            errors.add(page.source, page.lines.get("slug", 1),
                       "slug" if "slug" in page.lines else "file",
                       f"'{page.url_slug}' is the address of a part of the members area; "
                       "choose another slug")
    posts = sorted(v.good_practice, key=lambda p: (p.date or dt.date.min, p.title), reverse=True)
    return MembersSite(config=v.config, now=options.now, posts=posts,
                       pages=sorted(v.members_pages, key=lambda p: p.url_slug),
                       directory=sorted(v.directory, key=lambda e: e.name.lower()),
                       tags=_tags(posts), media=set(v.members_media))


def _tags(posts: list[GoodPractice]) -> list[Tag]:
    by_slug: dict[str, list[GoodPractice]] = {}
    names: dict[str, str] = {}
    for post in posts:
        for tag in post.tags:
            slug = address_slug(tag) or "tag"  # (None is told as a mistake: fields.py)
            names.setdefault(slug, tag)
            by_slug.setdefault(slug, []).append(post)
    return [Tag(names[slug], slug, f"/members/tags/{slug}/", tuple(tagged))
            for slug, tagged in sorted(by_slug.items())]


def _clear_derived(v: Validated) -> None:
    """The graph fills every derived field afresh. Validated objects are kept between the
    builds of `ccsite serve` (see validate.py), so last build's links must not stay."""
    for centre in v.centres:
        centre.agency, centre.opportunities = None, []
    for agency in v.agencies:
        agency.centres = []
    for opportunity in v.opportunities:
        opportunity.state, opportunity.days_left, opportunity.centres = "", None, []
        opportunity.past_events, opportunity.closed_early, opportunity.opened = (), False, None
        for award in opportunity.outcome.awards if opportunity.outcome else ():
            award.agency, award.centres = None, []
    for agency in v.agencies:
        agency.awards = []
    for centre in v.centres:
        centre.consultations = []
    for consultation in v.consultations:
        consultation.state, consultation.days_left, consultation.centres = "", None, []
    for post in v.good_practice:
        post.agency = None
    for entry in v.directory:
        entry.agency = None


def bodies_of(v: Validated) -> list[tuple[Any, str, str]]:
    """Every Markdown body of the documents: (the object, its HTML's attribute, the text)."""
    entries = [*v.centres, *v.opportunities, *v.consultations, *v.lessons, *v.news,
               *v.pages, *v.good_practice, *v.members_pages]
    outcomes = [c.outcome for c in v.consultations if c.outcome]
    return [(a, "about_html", a.about) for a in v.agencies] + \
        [(o, "html", o.body) for o in outcomes] + [(e, "html", e.body) for e in entries]


def _render_bodies(bodies: BodyRenderer, v: Validated) -> None:
    """Every Markdown body of the build at once, so the work can be shared out; but those
    whose HTML is kept (v.html_kept: read back with their document's reading, see
    readings.py, or already rendered into the objects the preview server keeps)."""
    every = bodies_of(v)
    kept = v.html_kept
    to_render = [each for each in every if id(each[0]) not in kept] if kept else every
    if len(to_render) > bodies.FEW and kept and bodies.overgrown(len(every)):
        to_render, kept = every, set()  # all through the cache, which is pruned
    html = bodies.render_many([text for _, _, text in to_render], every=not kept)
    for (obj, attribute, _), text in zip(to_render, html):
        setattr(obj, attribute, text)
    v.html_rendered = {id(obj) for obj, _, _ in to_render}


# -- checks across files ----------------------------------------------------------------

def _check_unique_slugs(errors: ErrorList, v: Validated) -> None:
    for entries, what in ((v.centres, "centre"), (v.opportunities, "opportunity"),
                          (v.consultations, "consultation"),
                          (v.lessons, "lesson"), (v.news, "news item"), (v.pages, "page")):
        _check_unique(errors, entries, what)
    reserved = RESERVED_SLUGS | ({"accessibility"} if v.config.accessibility else set())
    for page in v.pages:
        if page.url_slug in reserved:
            field_name = "slug" if "slug" in page.lines else "file"
            errors.add(page.source, page.lines.get("slug", 1), field_name,
                       f"'{page.url_slug}' is the address of a section of the site; "
                       f"choose another slug (e.g. '{page.url_slug}-information')")


def _check_unique(errors: ErrorList, entries: list[Entry], what: str) -> None:
    """Two entries at one address: told at the one that asks for it with a `slug:` (the
    one the editor just changed, mostly), not at one whose file name is the address.
    (Known by its address not being its file name's: reading which fields a file has,
    `lines`, would make every front-matter edit one the graph reads: quickedit.py.)"""
    seen: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: (e.url_slug != e.slug, e.source)):
        earlier = seen.get(entry.url_slug)
        if earlier is not None:
            field_name = "slug" if "slug" in entry.lines else "file"
            errors.add(entry.source, entry.lines.get("slug", 1), field_name,
                       f"the {what} address '{entry.url_slug}' is already used by "
                       f"{earlier.source}; choose another slug")
        else:
            seen[entry.url_slug] = entry


def _check_unique_references(errors: ErrorList, opportunities: list[Opportunity]) -> None:
    """Each opportunity's reference its own: a shared one is told at every file that has
    it, not only at the later by name (the web editor showed the mistake at the other,
    untouched opportunity, and said to fix it in the form: an editor's review)."""
    sharing: dict[str, list[Opportunity]] = {}
    for opportunity in opportunities:
        if opportunity.reference:
            sharing.setdefault(opportunity.reference, []).append(opportunity)
    for reference, alike in sharing.items():
        for opportunity in alike if len(alike) > 1 else ():
            others = sorted(o.source for o in alike if o is not opportunity)
            errors.add(opportunity.source, opportunity.lines.get("reference", 1), "reference",
                       f"'{reference}' is also the reference of {', '.join(others)}; each "
                       "opportunity needs its own")


def _resolve(errors: ErrorList, entry, field_name: str, slug: str, table: dict, folder: str,
             extension: str, left_out: dict[str, str] | None = None):
    found = table.get(slug)
    if found is None:
        _not_found(errors, (entry.source, entry.lines.get(field_name, 1), field_name), slug,
                   table, folder, extension, left_out)
    return found


def _not_found(errors: ErrorList, where: tuple[str, int, str], slug: str, table: dict,
               folder: str, extension: str, left_out: dict[str, str] | None = None) -> None:
    """Tell, at `where` (path, line, field), a reference `table` has no file for: every
    reference is resolved through here, so a file left out, or there but unreadable, is
    never told as missing, whichever file names it."""
    if left_out and slug in left_out:
        errors.add(*where, f"'{slug}' names {folder}/{slug}{extension}, which is not in this "
                   f"build ({left_out[slug]}); publish it, or leave it out of this list")
    elif not _told_unreadable(errors, f"{folder}/{slug}{extension}"):
        errors.add(*where, _unknown_reference(slug, table, folder, extension))


def _told_unreadable(errors: ErrorList, rel: str) -> bool:
    """Is `rel` a file that is there but could not be read? Its own mistake is told
    already; a reference to it is not a second one (it would claim there is no file)."""
    return any(error.path.endswith("/" + rel) for error in errors.errors)


def _unknown_reference(slug: str, table: dict, folder: str, extension: str) -> str:
    import difflib

    close = difflib.get_close_matches(slug, list(table), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    # the address a `slug:` field gives is not the name references use
    by_address = [key for key, item in table.items() if getattr(item, "url_slug", key) == slug]
    if by_address:
        hint = f" ('{slug}' is the slug: of {folder}/{by_address[0]}{extension}; references " \
               f"use the file name, so write '{by_address[0]}')"
    return f"'{slug}' does not name a file in {folder}/: there is no " \
           f"{folder}/{slug}{extension}{hint}"


# -- what keeps providers and the community informed --------------------------------------

def _link_outcomes(errors: ErrorList, opportunities: list[Opportunity], agencies: dict,
                   centres: dict, left_out: dict) -> None:
    """Each award's agency and centres, found (or told missing at their line); each agency
    then lists what it was awarded, newest first."""
    for opportunity in opportunities:
        if opportunity.outcome is None:
            continue
        for index, award in enumerate(opportunity.outcome.awards):
            where = f"outcome.awards[{index}]"
            award.agency = _resolve(errors, opportunity, f"{where}.agency", award.agency_slug,
                                    agencies, "agencies", ".yaml")
            for number, slug in enumerate(award.centre_slugs):
                centre = _resolve(errors, opportunity, f"{where}.centres[{number}]", slug,
                                  centres, "centres", ".md", left_out.get("centre", {}))
                if centre:
                    award.centres.append(centre)
            if award.agency:
                award.agency.awards.append((opportunity, award))
    for agency in agencies.values():
        agency.awards.sort(key=lambda pair: (-pair[0].outcome.date.toordinal(),
                                             pair[0].title.lower()))


def _link_consultations(errors: ErrorList, consultations: list[Consultation], centres: dict,
                        now: dt.datetime, today: dt.date, left_out: dict) -> None:
    for consultation in consultations:
        consultation.url = f"/consultations/{consultation.url_slug}/"
        _set_consultation_state(consultation, now, today)
        for index, slug in enumerate(consultation.centre_slugs):
            centre = _resolve(errors, consultation, f"centres[{index}]", slug, centres,
                              "centres", ".md", left_out.get("centre", {}))
            if centre:
                consultation.centres.append(centre)
                centre.consultations.append(consultation)
    for centre in centres.values():
        centre.consultations.sort(key=_consultation_order)


def _set_consultation_state(consultation: Consultation, now: dt.datetime,
                            today: dt.date) -> None:
    """open between opens and closes, upcoming before, closed after: by the build's now;
    its events over by then noted, as a round's are (see `_set_state`)."""
    consultation.past_events = tuple(event.key for event in consultation.events
                                     if (event.end or event.start) <= now)
    if consultation.opens and now < consultation.opens:
        consultation.state = "upcoming"
    elif consultation.closes and now < consultation.closes:
        consultation.state = "open"
        consultation.days_left = (closing_day(consultation.closes) - today).days
    else:
        consultation.state = "closed"
    # an outcome written ahead of its day waits for it (it was shown, and in the feed and
    # on the home page, from the day the consultation closed: a review over a year)
    consultation.outcome_shown = consultation.state == "closed" and \
        consultation.outcome is not None and consultation.outcome.date <= today


def _called_off(opportunity: Opportunity) -> tuple[str, ...]:
    """The events a cancellation called off: those still to come, and those after the
    day it was told, which did not take place; one before it did, and its page and
    calendar say so alike (the page said "Took place" of a briefing its calendar called
    cancelled: a review over a year of builds). The day is that of the update that says
    "cancel" (a later one may tell what followed), else of the latest; with none, only
    the events still to come are."""
    if opportunity.status != "cancelled":
        return ()
    told = [u for u in opportunity.updates if "cancel" in u.note.lower()] or \
        opportunity.updates[-1:]
    day = told[-1].date if told else dt.date.max
    return tuple(event.key for event in opportunity.events
                 if event.key not in opportunity.past_events
                 or event.start.astimezone(LOCAL_ZONE).date() > day)


def _consultation_order(c: Consultation):
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return (c.closes or far, c.title.lower(), c.slug)


def _consultation_lists(consultations: list[Consultation]) -> dict[str, list[Consultation]]:
    """Open ones closing first, upcoming ones opening first, closed ones newest first."""
    ordered = sorted(consultations, key=_consultation_order)
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return {"consultations": ordered,
            "open_consultations": [c for c in ordered if c.state == "open"],
            "upcoming_consultations": sorted(
                (c for c in ordered if c.state == "upcoming"),
                key=lambda c: (c.opens or far, c.title.lower())),
            "closed_consultations": [c for c in reversed(ordered) if c.state == "closed"]}


def _milestones(errors: ErrorList, config: SiteConfig, opportunities: list[Opportunity],
                left_out: dict[str, str]) -> list[ProgrammeMilestone]:
    """site.yaml's milestones, each with the round it names (by the opportunity's file);
    one naming a round not published yet (a draft) is shown without the link."""
    by_slug = {o.slug: o for o in opportunities}
    linked = []
    for index, milestone in enumerate(config.milestones):
        opportunity = by_slug.get(milestone.opportunity_slug or "")
        if milestone.opportunity_slug and opportunity is None and \
                milestone.opportunity_slug not in left_out:  # (a draft: shown unlinked)
            _not_found(errors, (config.source, milestone.line,
                                f"programme.milestones[{index}].opportunity"),
                       milestone.opportunity_slug, by_slug, "opportunities", ".md")
        linked.append(ProgrammeMilestone(milestone, opportunity))
    return linked


# -- derived data -------------------------------------------------------------------------

def _set_state(opportunity: Opportunity, now: dt.datetime, today: dt.date) -> None:
    """open / upcoming / closed, by the build's now; an active one past its deadline is
    closed. Its events over by then (ended, or begun if they have no end) are noted: a
    briefing that has taken place offers no booking."""
    opportunity.past_events = tuple(event.key for event in opportunity.events
                                    if (event.end or event.start) <= now)
    opportunity.called_off = _called_off(opportunity)
    opens = opportunity.opens
    # its pages said "Opens soon" for a year after that day (a review over a year): the
    # editor is warned (checks.py), and readers told it opens later than planned
    opportunity.opening_late = opportunity.status == "planning" and bool(opens) and \
        opens <= today
    if opportunity.status != "planning" and opens and opens <= today and \
            (opportunity.published is None or opens > opportunity.published):
        opportunity.opened = opens
    if opportunity.status == "planning" or (opportunity.status == "active" and opens and
                                            opens > today):  # (bids not taken yet)
        opportunity.state = "upcoming"
    elif opportunity.status == "active" and opportunity.deadline and opportunity.deadline > now:
        opportunity.state = "open"
        opportunity.days_left = (closing_day(opportunity.deadline) - today).days
    else:
        opportunity.state = "closed"
        opportunity.closed_early = opportunity.status == "complete" and \
            opportunity.deadline is not None and opportunity.deadline > now


def _opportunity_order(o: Opportunity):
    return (o.deadline is None, o.deadline or dt.datetime.max.replace(tzinfo=dt.timezone.utc),
            o.title.lower())


def _closed_order(o: Opportunity):
    deadline = o.deadline or dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return (-deadline.timestamp(), o.title.lower())


def districts(centres: list[Centre]) -> list[District]:
    """Centres by district, districts and their centres in the order of their names."""
    key = lambda c: c.district
    return [District(name, slugify(name), tuple(group))
            for name, group in groupby(sorted(centres, key=lambda c: (c.district.lower(),
                                                                       c.name.lower())), key)]


def _progress(centres: list[Centre], today: dt.date) -> list[ProgressStep]:
    """Centres open on each date a centre opened, up to today. Closed centres are left out:
    the content model records no closing date, so they cannot be placed on the timeline,
    and counting them would overstate how many are open today."""
    dates = sorted(c.opening_date for c in centres
                   if c.status == "open" and c.opening_date and c.opening_date <= today)
    steps: list[ProgressStep] = []
    for count, day in enumerate(dates, start=1):
        if steps and steps[-1].date == day:
            steps[-1] = ProgressStep(day, count)
        else:
            steps.append(ProgressStep(day, count))
    return steps


def _still_to_come(closures, today: dt.date) -> tuple[Closure, ...]:
    """The closures whose last day is today or later, in date order: a list that changes
    only when one passes, so the pages showing it are not made again every day."""
    return tuple(sorted((c for c in closures if c.last_day >= today),
                        key=lambda c: (c.date, c.last_day, c.reason)))


def _open_on(progress: list[ProgressStep], day: dt.date) -> int:
    count = 0
    for step in progress:
        if step.date > day:
            break
        count = step.centres
    return count


def _target_progress(target: Target, progress: list[ProgressStep],
                     today: dt.date) -> TargetProgress:
    reached = _open_on(progress, min(target.date, today))
    return TargetProgress(target, reached, met=reached >= target.centres,
                          due=target.date <= today)


def _paginate(news: list[NewsItem]) -> list[NewsPage]:
    chunks = [news[i:i + NEWS_PER_PAGE] for i in range(0, len(news), NEWS_PER_PAGE)] or [[]]
    return [NewsPage(number, "/news/" if number == 1 else f"/news/page/{number}/",
                     tuple(chunk)) for number, chunk in enumerate(chunks, start=1)]


def orders(news: list[NewsItem], opportunities: list[Opportunity],
           consultations: list[Consultation]) -> tuple[list[NewsItem], list[Change]]:
    """What the site puts in order by its documents' own texts and dates: the news,
    newest first, and the latest changes the home page shows. `opportunities` in the
    site's order, `consultations` in the validated one (ties keep it). Made apart from
    the rest of the graph, so that the preview server can tell an edit only these read
    (a title on a busy news day), make them again and see whether anything moved,
    without making the whole graph again (see quickedit.py)."""
    news = _newest_first(news)
    return news, _recent_changes(news, opportunities, consultations)


def _newest_first(news: list[NewsItem]) -> list[NewsItem]:
    """Newest first; items of the same day in the order of their titles. A title is read
    only where another item has the same day: the preview server edits the title of an
    item that has none without making the site graph again (see quickedit.py)."""
    by_day: dict[dt.date, list[NewsItem]] = {}
    for item in news:
        by_day.setdefault(item.date or dt.date.min, []).append(item)
    ordered: list[NewsItem] = []
    for day in sorted(by_day, reverse=True):
        items = by_day[day]
        ordered += sorted(items, key=lambda n: (n.title.lower(), n.slug)) \
            if len(items) > 1 else items
    return ordered


def _recent_changes(news: list[NewsItem], opportunities: list[Opportunity],
                    consultations: list[Consultation], limit: int = 6) -> list[Change]:
    # the newest picked before Change objects are made: a site may have years of news,
    # and only items of the day of its `limit`th newest or later can be among them: a
    # beginning of `news`, newest first and the undated last (a title and summary are
    # read only of those: see `_newest_first`)
    cut = news[limit - 1].date if len(news) >= limit else None
    news = list(takewhile(lambda n: n.date and (cut is None or n.date >= cut), news))
    changes = [(n.date, "News", n.title, n.url, n.summary) for n in news]
    changes += [(o.published, "Opportunity published", o.title, o.url, o.summary)
                for o in opportunities if o.published]
    changes += [(o.opened, "Opportunity open for bids", o.title, o.url, o.summary)
                for o in opportunities if o.opened]
    changes += [(o.latest_update.date, "Opportunity changed", o.title,
                 o.url + "#opportunity-updates", o.latest_update.note)
                for o in opportunities if o.updates]
    changes += [(o.outcome.date, "Opportunity awarded" if o.outcome.awards else
                 "Opportunity decided", o.title, o.url + "#outcome", o.summary)
                for o in opportunities if o.outcome]
    changes += [(c.opens.astimezone(LOCAL_ZONE).date(), "Consultation opened", c.title,
                 c.url, c.summary) for c in consultations
                if c.opens and c.state != "upcoming"]
    changes += [(c.outcome.date, "Consultation outcome", c.title, c.url + "#outcome",
                 c.outcome.summary) for c in consultations if c.outcome_shown]
    newest = heapq.nlargest(limit, changes, key=lambda c: (c[0], c[2]))
    return [Change(*change) for change in newest]


def moved_addresses(site: Site) -> list[tuple[str, Any, str]]:
    """(the address its file name gives, the document, its title) of each public
    document whose `slug:` gives it another (see render.moved_routes)."""
    kinds = ((site.centres, "centres/", "name"), (site.opportunities, "opportunities/", "title"),
             (site.consultations, "consultations/", "title"), (site.lessons, "lessons/", "title"),
             (site.news, "news/", "title"), (site.pages, "", "title"))
    reserved = RESERVED_SLUGS | {"accessibility"}  # (a page's old address is never one
    return [(f"/{prefix}{entry.slug}/", entry, getattr(entry, name))  # of the site's own)
            for entries, prefix, name in kinds for entry in entries
            if entry.url_slug != entry.slug and (prefix or entry.slug not in reserved)]


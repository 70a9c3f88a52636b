"""Warnings: things that do not stop a build but that an editor should look at.

They are reported by `ccsite check` (and counted in a build's summary), with the same
`path:line: field: message` shape as errors, so an editor fixes them the same way.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from html import unescape
from typing import Any, Callable

from .errors import ContentError
from .fields import LOCAL_ZONE, closing_day
from .graph import MembersSite, Site
from .model import Agency, Award, Opportunity
from .render import DAY_NAMES, format_date, format_datetime, format_hours
from .scaffold import PLACEHOLDER_BODIES
from .schema import BY_NAME, PLACEHOLDER, Field

HTTP_LINK = re.compile(r'href="(http://[^"]+)"')
IMG_WITHOUT_ALT = re.compile(r'<img\b(?![^>]*\balt="[^"]+")[^>]*>')
OLD_NEWS = dt.timedelta(days=365)


OwnWarnings = Callable[[Any], list[ContentError]]  # an entry -> its file's own warnings


def site_warnings(site: Site, members: MembersSite | None = None,
                  own: Callable[[Any, OwnWarnings], list[ContentError]] | None = None,
                  made: "KeptWarnings | None" = None) -> list[ContentError]:
    """Every warning, of the public site's files and the members' (`members`). Most say
    something of one file alone (`own_warnings`); `own(entry, own_warnings)` may give the
    last build's for an entry whose file has not changed. `made`: the others, made
    already (see `KeptWarnings`)."""
    others = [*made.of_the_site, *made.titles.warnings()] if made else \
        [*warnings_of_the_site(site, members), *_titles_alike(site, members)]
    return in_order([*others, *(warning for entry in _entries(site, members) for warning in
                                (own(entry, own_warnings) if own else own_warnings(entry)))])


def in_order(warnings: list[ContentError]) -> list[ContentError]:
    """Warnings as a build reports them: each once, by file, line, field and message."""
    return sorted(set(warnings), key=lambda w: (w.path, w.line, w.field, w.message))


def _entries(site: Site, members: MembersSite | None) -> list:
    """Every file's object that warnings are told of (an agency's too, and the members')."""
    return [*site.centres, *site.agencies, *site.opportunities, *site.consultations,
            *site.lessons, *site.news, *site.pages,
            *(members.posts if members else ()), *(members.pages if members else ())]


def warnings_of_the_site(site: Site, members: MembersSite | None) -> list[ContentError]:
    """The warnings that are not of one file alone (`own_warnings`) nor of titles alike
    (`TitlesAlike`): those that depend on the day, on site.yaml or on other files (a
    round whose deadline passed, an award not taken up, a date-time in another zone).
    The preview server's quick rebuild keeps them while its edit changed nothing that
    making them read (see quickedit.py)."""
    warnings: list[ContentError] = []
    warn = functools.partial(_warn, warnings)

    for p in site.config.placeholders:
        warnings.append(ContentError(site.config.source, p.line, p.field, f"still says "
                                     f"'{p.text}'; write your own (it is shown on the site "
                                     "as it is)"))
    warnings += _days_listed_ahead(site)
    warnings += _fixes_overdue(site)
    warnings += _milestones_off_their_rounds(site)
    for o in site.opportunities:
        if o.status == "active" and o.state == "closed":
            warn(o, "status", "the deadline has passed, so the page shows it as closed; "
                 "set status: complete (or cancelled) to say what happened (in the web editor, "
                 "'Status')")
        if o.status == "planning" and o.opens and o.opens <= site.today:
            warn(o, "opens", f"bids were to open on {o.opens.isoformat()}, but the status is "
                 "still planning, so the page says it opens later than planned; when it "
                 "opens, set status: "
                 "active and its deadline (or give the day it will open now)")
        if o.status == "complete" and o.outcome is None and not o.updates:
            warn(o, "status", "the round is complete, but no outcome says who was chosen: "
                 "providers, families and the open data's readers are told nothing of "
                 "it; add an outcome (in the web editor, 'Outcome') with its awards, or "
                 "an update saying why none was made")
        if o.status == "cancelled" and not o.updates:
            warn(o, "status", "the round is cancelled, but no update says so: providers "
                 "who read the notice are told through its updates (its feed, the e-mail "
                 "digest, the open data); add one under updates: (in the web editor, "
                 "'Updates') with today's date and why it was cancelled")
    for o in site.opportunities:
        for q in o.clarifications:
            if o.deadline and q.date > o.deadline.astimezone(LOCAL_ZONE).date():
                field = f"clarifications[{q.index}].date"
                warnings.append(ContentError(
                    o.source, o.lines.get(field, 1), field,
                    f"{q.date.isoformat()} is after the deadline "
                    f"({format_datetime(o.deadline, closing=True)}): an answer published then reached no "
                    "bidder in time; check the date, or move the deadline so every bidder "
                    "can use the answer"))
    for o in site.opportunities:
        warnings += _told_ahead(o, site.today)
    for c in site.consultations:
        if c.outcome and c.state == "closed" and c.outcome.date > site.today:
            warn(c, "outcome.date", f"{c.outcome.date.isoformat()} is after today: the "
                 "outcome is shown from that day (on the page, in the feed and on the home "
                 "page); check the date, or leave it so to publish it then")
        elif c.outcome and c.state != "closed":
            warn(c, "outcome", "this consultation has an outcome but has not closed yet; "
                 "the outcome is shown once it closes")
    warnings += _awards_not_taken_up(site)
    for entry in _entries(site, members):
        for field, moment in _date_times(entry):
            uk_time = _not_uk_time(moment) if moment > site.now else None
            if uk_time:  # (once it has passed, the hour it meant no longer matters)
                warn(entry, field, uk_time)
    for c in site.centres:
        if c.state == "opening":
            warn(c, "opening_date", f"this centre is open, but its opening_date, "
                 f"{c.opening_date.isoformat()}, is still to come: until then its page says "
                 "it opens on that date, and it is not counted as open")
    for item in site.news:
        if item.date and item.date > site.today:
            warn(item, "date", f"{item.date.isoformat()} is after today, yet the item is "
                 "published now; to hold it back until then, add publish_date (in the web "
                 "editor: 'Publish on')")
    cutoff = site.today - OLD_NEWS
    shown = {c.url for c in site.recent_changes}
    for item in site.news:
        if item.url in shown and item.date and item.date < cutoff:
            warn(item, "date", "this news item is more than a year old but is still among "
                 "the latest changes on the home page; add newer news")
    return warnings


def _told_ahead(o: Opportunity, today: dt.date) -> list[ContentError]:
    """What an opportunity tells as done, dated after today: the site shows it as done
    now, dated then. A warning, not a mistake: the day comes, and a nightly build must
    not fail for a date written ahead; but readers see it early, so the editor is told
    what they see meanwhile."""
    warnings: list[ContentError] = []
    warn = functools.partial(_warn, warnings, o)
    if o.published and o.published > today and o.status == "active":
        warn("published", f"{o.published.isoformat()} is after today, yet the page shows "
             "the round as open for bids now, published on that day; to hold it back until "
             f"then, add publish_date: {o.published.isoformat()} (in the web editor: "
             "'Publish on')")
    for q in o.clarifications:
        if q.date > today:
            warn(f"clarifications[{q.index}].date", f"{q.date.isoformat()} is after today, "
                 "yet the answer is shown to every bidder now, dated then (and so in the "
                 "feed and the open data); check the date, or add the answer on that day")
    for u in o.updates:
        if u.date > today:
            warn(f"updates[{u.index}].date", f"{u.date.isoformat()} is after today, yet the "
                 "change is shown now, dated then (and so in the feed, the home page's "
                 "latest changes and the open data); check the date, or add the change on "
                 "that day")
    if o.outcome and o.outcome.date > today:
        warn("outcome.date", f"{o.outcome.date.isoformat()} is after today, yet the page "
             "shows the round as awarded now, decided on that day (and so do the feed, the "
             "agencies' pages and the open data); check the date, or add the outcome once "
             "it is decided")
    return warnings


@dataclass(frozen=True)
class AwardInForce:
    """The award that gave a centre its lead agency, from the day its contract started."""

    since: dt.date
    opportunity: Opportunity
    award: Award


def _titles_alike(site: Site, members: MembersSite | None) -> list[ContentError]:
    """Two items of a kind with one title (a second "Spring open day at Oxhey" made by the
    web editor, which names the new file "...-1"): readers cannot tell them apart in the
    lists, search results and feeds. Told at each; not a mistake (a yearly event may
    keep its name), but rarely meant."""
    return TitlesAlike(site, members).warnings()


class TitlesAlike:
    """The items of each kind, by their title as readers tell titles apart (case and
    spacing aside): `_titles_alike`'s warnings. Kept by the preview server's quick
    rebuild, so that an edited title looks again at the two titles it left and took,
    not at every item's (a tenth of a second at 50,000 documents)."""

    def __init__(self, site: Site, members: MembersSite | None):
        self.named: dict[tuple[str, str], list] = {}  # (kind, title) -> its items
        self.alike: set[tuple[str, str]] = set()  # ...of those that more than one has
        self.of: dict[int, tuple[str, str]] = {}  # id of an item -> its (kind, title),
        # while the site graph that holds them is kept
        self.groups = [("news item", site.news), ("lesson", site.lessons),
                       ("page", site.pages), ("opportunity", site.opportunities),
                       ("consultation", site.consultations), ("centre", site.centres),
                       *([("good practice post", members.posts)] if members else [])]
        for kind, entries in self.groups:
            for entry in entries:
                self._add(kind, entry)

    def _add(self, kind: str, entry) -> None:
        title = _title_of(entry)
        self.of[id(entry)] = (kind, title)
        if title:
            named = self.named.setdefault((kind, title), [])
            named.append(entry)
            if len(named) > 1:
                self.alike.add((kind, title))

    def retitled(self, entry) -> None:
        """`entry`'s title was changed in place (the site graph's object itself)."""
        kind, was = self.of[id(entry)]
        named = self.named.get((kind, was), [])
        named[:] = [each for each in named if each is not entry]
        if len(named) < 2:
            self.alike.discard((kind, was))
        self._add(kind, entry)

    def warnings(self) -> list[ContentError]:
        warnings: list[ContentError] = []
        for kind, title in sorted(self.alike):
            alike = self.named[(kind, title)]
            for entry in alike:
                others = ", ".join(sorted(e.source for e in alike if e is not entry))
                field = "name" if kind == "centre" else "title"
                _warn(warnings, entry, field, f"another {kind} has the same {field} "
                      f"({others}): readers cannot tell them apart in lists, search results "
                      "and feeds; give each its own (or, if one is a copy, delete it)")
        return warnings


def _title_of(entry) -> str:
    """An item's title (a centre's name) as readers tell titles apart: "" for none."""
    title = getattr(entry, "title", None) or getattr(entry, "name", "")
    return " ".join(title.casefold().split()) if title else ""


def _awards_not_taken_up(site: Site) -> list[ContentError]:
    """A centre whose lead_agency is not the agency its latest award in force gave it to:
    the centre's page, and both agencies' pages, follow lead_agency, not the award (an
    award may be decided months ahead, and only the editor knows the handover happened),
    so until it is set the old agency is named and the new one said to lead no centre."""
    warnings: list[ContentError] = []
    in_force = _awards_in_force(site)
    for centre in site.centres:
        latest = in_force.get(centre.slug)
        if latest is None or latest.award.agency_slug == centre.lead_agency_slug:
            continue
        now = f"it says {centre.lead_agency_slug}" if centre.lead_agency_slug else \
            "it names none"
        _warn(warnings, centre, "lead_agency", (
            f"the award in opportunities/{latest.opportunity.slug}.md gave this centre to "
            f"{latest.award.agency_slug} from {latest.since:%-d %B %Y}, but {now}, so its "
            f"page names the wrong lead agency; set lead_agency: {latest.award.agency_slug}"))
    return warnings


def _awards_in_force(site: Site) -> dict[str, AwardInForce]:
    """centre slug -> the award for it whose contract started last, up to today (an
    outcome without contract_start: from the day it was decided), of those whose
    contract has not ended (after it, who leads is the file's to say: an extension, a
    handover outside a round)."""
    latest: dict[str, AwardInForce] = {}
    for o in site.opportunities:
        since = o.outcome and (o.outcome.contract_start or o.outcome.date)
        if not since or since > site.today or (o.outcome.contract_end and
                                               o.outcome.contract_end < site.today):
            continue
        for award in o.outcome.awards:
            for slug in award.centre_slugs:
                if slug not in latest or latest[slug].since <= since:
                    latest[slug] = AwardInForce(since, o, award)
    return latest


def site_warnings_keeping(site: Site, members: MembersSite | None,
                          kept: dict[str, list] | None, unchanged: Callable[[str], bool],
                          made: "KeptWarnings | None" = None
                          ) -> tuple[list[ContentError], dict[str, list]]:
    """`site_warnings`, with an entry's own warnings taken from `kept` (the last build's,
    as this returns them: entity key -> rows, of the entries that have any; None: none
    known) while its file is `unchanged` (asked by its entity key), and looked for anew
    otherwise: most of a large site's warning time went to files no edit touched.
    `made`: the other warnings, made already (see `KeptWarnings`)."""
    from .incremental import entity_key  # here: incremental imports the render stage

    now: dict[str, list] = {}

    def own(entry, look: OwnWarnings) -> list[ContentError]:
        key = entity_key(entry)
        if kept is not None and unchanged(key):
            rows = kept.get(key)
            if not rows:
                return []  # (most files: none)
            found = [ContentError(*row) for row in rows]
        else:
            found = look(entry)
        if found:
            now[key] = _rows(found)
        return found
    return site_warnings(site, members, own, made), now


def _rows(warnings: list[ContentError]) -> list[tuple]:
    """Warnings as the build memory keeps them (see `site_warnings_keeping`)."""
    return [(w.path, w.line, w.field, w.message) for w in warnings]


@dataclass
class KeptWarnings:
    """The warnings the preview server's quick rebuild (quickedit.py) keeps beyond each
    file's own (the build memory's `own_warnings`): those of the site as a whole, with
    what making them read, as "Kind.attribute" ("Opportunity.status"), and the titles
    alike. An edit that changed no attribute so named leaves the first as they are, and
    the titles are looked at again for the edited item alone: a quick rebuild at 50,000
    documents spent 0.2 s of its 0.27 s making every warning of the site again."""

    of_the_site: list[ContentError]
    reads: frozenset[str]
    titles: TitlesAlike

    def after_edit(self, own: dict[str, list], key: str, entry, changed: set[str]
                   ) -> tuple[list[ContentError], dict[str, list]] | None:
        """Every warning (and each file's own, as `site_warnings_keeping` gives them)
        after `entry` (of entity key `key`, its own warnings in `own` as they were)
        was changed in place in `changed` ("Kind.attribute"); None, nothing changed,
        when making the site's warnings read any of them."""
        if not self.reads.isdisjoint(changed):
            return None
        self.titles.retitled(entry)
        own = {other: rows for other, rows in own.items() if other != key}
        found = own_warnings(entry)
        if found:
            own[key] = _rows(found)
        return in_order([*self.of_the_site, *self.titles.warnings(),
                         *(ContentError(*row) for rows in own.values() for row in rows)]), own


# what a provider reads in a round's notice and would act on: changed after it was
# published, each is told through an update (its page, its feed, the digest, the data)
TOLD_FACTS = (("deadline", "The deadline"), ("opens", "The day bids open"),
              ("value", "The value"), ("eligible_sectors", "Who may apply"),
              ("centres", "The centres"), ("kind", "The kind of round"))


def changes_untold(before, after, paths: set[str],
                   renamed: dict[str, str] | None = None) -> list[ContentError]:
    """A save's warnings for a published round (in `paths`, as shown) whose notice it
    changes with no update added to say so: an editor who moves the deadline or the
    value in the form changes the page, while the providers who read the notice before,
    and the open data's readers (a release dated as the last update was), are told
    nothing. `before`, `after`: the site graphs without and with the save; `renamed`:
    a file the save renames, by its new path -> its old."""
    was = {o.source: o for o in before.opportunities}
    warnings: list[ContentError] = []
    for o in after.opportunities:
        old = was.get((renamed or {}).get(o.source, o.source))
        if o.source not in paths or old is None or len(o.updates) > len(old.updates) or \
                o.status == "planning":
            continue
        changed = [label for name, label in TOLD_FACTS
                   if _told_as(getattr(old, name)) != _told_as(getattr(o, name))]
        if changed:
            _warn(warnings, o, changed and next(name for name, label in TOLD_FACTS
                                                if label == changed[0]),
                  f"{' and '.join(changed).capitalize() if len(changed) > 1 else changed[0]} "
                  f"changed, but no update says so: providers who read the notice before "
                  "learn of a change through its updates (its page, its feed, the e-mail "
                  "digest, the open data). Add one under 'Updates', with today's date and "
                  "what changed")
    return warnings


def _told_as(value) -> object:
    """A fact as its page tells it: a list of centres or sectors as the set of their
    slugs (a form that lists them in another order changed nothing)."""
    if isinstance(value, (list, tuple)):
        return frozenset(getattr(item, "slug", item) for item in value)
    return value


LISTED_AHEAD = dt.timedelta(days=61)  # site.yaml's days off are listed at least so far


def _days_listed_ahead(site: Site) -> list[ContentError]:
    """site.yaml's bank holidays and school holidays run out: listed a year at a time,
    the last one passed, and from then on every centre was shown open on a bank holiday
    ("Open now" on 27 December), and term-time sessions running in the holidays, with no
    word to anyone (a review over a year of builds). Told two months ahead."""
    config, told = site.config, []
    for name, listed, what, then in (
            ("closures", config.closures, "bank holidays (www.gov.uk/bank-holidays)",
             "every centre is shown open on them"),
            ("school_holidays", config.school_holidays, "school holidays of the next year",
             "term-time sessions are shown running in them")):
        if not listed:
            continue
        last = max(days.last_day for days in listed)
        if last < site.today + LISTED_AHEAD:
            told.append(ContentError(
                config.source, config.lines.get(name, 1), name,
                f"the last day listed is {format_date(last)}: list the {what} after it, or "
                f"from then on {then}"))
    return told


def _milestones_off_their_rounds(site: Site) -> list[ContentError]:
    """A programme milestone that names a round, on none of the round's days: its deadline
    moved (with an update saying so), and the programme page and its calendar went on
    showing the old day beside the round's name (a provider's review)."""
    told = []
    for index, linked in enumerate(site.milestones):
        milestone, o = linked.milestone, linked.opportunity
        if o is None:
            continue
        days = {o.published, o.opens,
                o.deadline and o.deadline.astimezone(LOCAL_ZONE).date(),
                o.deadline and closing_day(o.deadline),
                *(o.outcome and (o.outcome.date, o.outcome.contract_start,
                                 o.outcome.contract_end) or ()),
                *(event.start.astimezone(LOCAL_ZONE).date() for event in o.events),
                *(update.date for update in o.updates)} - {None}
        if milestone.date not in days:
            field = f"programme.milestones[{index}].date"
            told.append(ContentError(
                site.config.source, milestone.line, field,
                f"{format_date(milestone.date)} is none of the days of the round it names, "
                f"'{o.title}' ({_days_said(o)}): the programme page and its calendar show "
                "it beside the round's name; give the round's day, or take out "
                "its opportunity:"))
    return told


def _days_said(o) -> str:
    said = [f"published {format_date(o.published)}"]
    if o.opens:
        said.append(f"bids open {format_date(o.opens)}")
    if o.deadline:
        said.append(f"deadline {format_date(closing_day(o.deadline))}")
    if o.outcome:
        said.append(f"outcome {format_date(o.outcome.date)}")
        said += [f"contract {which} {format_date(day)}" for which, day in (
            ("start", o.outcome.contract_start), ("end", o.outcome.contract_end)) if day]
    if o.events or o.updates:
        said.append("its events' and updates' days")
    return ", ".join(said)


def _fixes_overdue(site: Site) -> list[ContentError]:
    """The accessibility statement's fixes whose day has passed: it went on saying "We
    plan to fix this by 15 January 2027" in April (a review over a year of builds)."""
    config = site.config
    settings = config.accessibility
    told = []
    for index, item in enumerate(settings.non_compliance if settings else ()):
        if item.fix_by and item.fix_by < site.today:
            field = f"accessibility.non_compliance[{index}].fix_by"
            told.append(ContentError(
                config.source, config.lines.get(field, config.lines.get("accessibility", 1)),
                field, f"{format_date(item.fix_by)} has passed, and the accessibility "
                f"statement still says \"We plan to fix this by {format_date(item.fix_by)}\": "
                "take the item out if it is fixed, or give the day you plan now"))
    return told


def _warn(warnings: list[ContentError], entry, field: str, message: str,
          text_in_body: str | None = None) -> None:
    line = entry.lines.get(field, 1) if hasattr(entry, "lines") else 1
    if text_in_body is not None:  # the body's line that has it, if it can be told
        for offset, body_line in enumerate(entry.body.split("\n")):
            if text_in_body in body_line:
                line = entry.body_line + offset
                break
    warnings.append(ContentError(entry.source, line, field, message))


def _swapped(point) -> bool:
    """A UK position with its latitude and longitude the wrong way round."""
    return -9 <= point.lat <= 3 and 49 <= point.lon <= 61


def own_warnings(entry) -> list[ContentError]:
    """The warnings that depend on nothing but the entry's own file (and site.yaml, which
    its body's HTML depends on): the same while the file is (see stages._warnings)."""
    from .model import (Agency, Centre, Consultation, GoodPractice, Lesson, NewsItem,
                        Opportunity, Page)

    warnings: list[ContentError] = []
    warn = functools.partial(_warn, warnings)
    if isinstance(entry, Centre) and entry.status == "open":
        if not entry.opening_hours:
            warn(entry, "opening_hours", "this open centre has no opening hours; "
                 "families will want to know when to come")
        overlap = _overlapping_hours(entry.opening_hours)
        if overlap:
            warn(entry, "opening_hours", overlap)
        if not entry.phone and not entry.email:
            warn(entry, "phone", "this open centre has no phone or email; add at least "
                 "one")
    if isinstance(entry, Centre) and entry.location and _swapped(entry.location):
        warn(entry, "location", f"lat {entry.location.lat} and lon {entry.location.lon} "
             "look the wrong way round: in the UK, lat (latitude) is about 50 to 61 and lon "
             "(longitude) about -8 to 2; as they are, the map puts the centre far from home")
    if isinstance(entry, (Centre, Opportunity, Page)) and not entry.summary:
        warn(entry, "summary", "there is no summary; one plain sentence helps readers, "
             "search results and link previews")
    if isinstance(entry, (Centre, Opportunity, Consultation, Lesson, NewsItem, Page,
                          GoodPractice)):
        image_without_alt, http_links = _body_findings(entry.html)
        if image_without_alt:
            warn(entry, "body", "an image has no alt text, the words that tell people who "
                 "cannot see it what it shows: give it some (in the web editor, the "
                 "image's 'Alt text'; in the file, ![what the image shows](/media/file.jpg))",
                 "![](" if "![](" in entry.body else "<img")
        for url in http_links:
            warn(entry, "body", f"the link {url} is not secure (http://); use https:// if "
                 "the site offers it", unescape(url))
    if isinstance(entry, (Centre, Agency)) and entry.website and \
            entry.website.startswith("http://"):
        warn(entry, "website", f"{entry.website} is not secure (http://); use "
             "https:// if the site offers it")
    warnings += _placeholders_left(entry)
    return warnings


def _placeholders_left(entry) -> list[ContentError]:
    """One warning for each value still as `ccsite new` or `ccsite init` wrote it: every
    one in its fields (validate.placeholders), and in its body each line that says
    'Change me', or the whole body if it is still the one a new file is given."""
    left = [(p.line, p.field, p.text) for p in entry.placeholders]
    if hasattr(entry, "body"):  # an agency has none
        left += [(entry.body_line + offset, "body", text)
                 for offset, text in _body_placeholders(entry.body)]
    return [ContentError(entry.source, line, field, f"still says '{text}', {AS_WRITTEN}")
            for line, field, text in left]


# both commands write placeholders (init: site.yaml and the starter pages; new: a new
# file's fields and body): one wording is true of either
AS_WRITTEN = "the stand-in text this file was made with; write what readers should see"


@functools.lru_cache(maxsize=1 << 16)  # asked of every document at every preview rebuild
def _body_placeholders(body: str) -> tuple[tuple[int, str], ...]:
    """(line offset, text) of each placeholder in a body."""
    if body.strip() in PLACEHOLDER_BODIES:
        return (next((offset, text.strip()) for offset, text in enumerate(body.split("\n"))
                     if text.strip()),)
    if not PLACEHOLDER.search(body):
        return ()
    return tuple((offset, match.group()) for offset, text in enumerate(body.split("\n"))
                 for match in [PLACEHOLDER.search(text)] if match)


def _overlapping_hours(hours) -> str | None:
    """Two rows that give the same day times that overlap (a family reads both)."""
    for index, first in enumerate(hours):
        for second in hours[index + 1:]:
            shared = [day for day in first.days if day in second.days]
            if shared and first.opens < second.closes and second.opens < first.closes:
                return (f"two rows give {DAY_NAMES[shared[0]]} hours that overlap "
                        f"({format_hours(first)}, and {format_hours(second)}); give each "
                        "day's hours once")
    return None


def _date_times(entry) -> list[tuple[str, dt.datetime]]:
    """(field as messages name it, value) of each date-time an entry's file gives: walked
    through its type's declaration (schema.py), so a date-time field added there is
    looked at too. (publish_date and expires are not kept on the entry: a file in the
    build was published already.)"""
    found: list[tuple[str, dt.datetime]] = []
    _date_times_in(entry, _declared_of(entry), "", found)
    return found


def _date_times_in(value, fields: tuple[Field, ...], prefix: str,
                   found: list[tuple[str, dt.datetime]]) -> None:
    for fd in fields:
        if not _holds_date_time(fd):
            continue  # (nor is it looked for on the model: its name there may differ)
        held = getattr(value, fd.name)  # a declared date-time the model lacks: loud
        if fd.kind == "datetime" and held is not None:
            found.append((prefix + fd.name, held))
        elif fd.kind == "object" and held is not None:
            _date_times_in(held, fd.fields, f"{prefix}{fd.name}.", found)
        elif fd.kind == "objects":  # in the file's order: `index` (a list kept sorted)
            for position, item in enumerate(held):
                index = getattr(item, "index", position)
                _date_times_in(item, fd.fields, f"{prefix}{fd.name}[{index}].", found)


def _holds_date_time(fd: Field) -> bool:
    return fd.kind == "datetime" or any(map(_holds_date_time, fd.fields))


def _declared_of(entry) -> tuple[Field, ...]:
    """The fields of an entry's content type that hold a date-time (a members page's are
    a page's): none, for most types, so most entries cost nothing. (Asked of every
    entry at every build, the preview server's quick ones too: the table is made once,
    and looked up with no import statement run each time, which cost 50,000 entries
    30 ms of an edit's rebuild.)"""
    if not _DECLARED:
        from .readings import ITEMS  # here: readings imports the incremental build

        types = {**{kind: BY_NAME[name] for name, kind in ITEMS.items()},
                 Agency: BY_NAME["agency"]}
        _DECLARED.update({kind: tuple(filter(_holds_date_time, ctype.fields))
                          for kind, ctype in types.items()})
    return _DECLARED[type(entry)]


_DECLARED: dict[type, tuple[Field, ...]] = {}


def _not_uk_time(moment: dt.datetime) -> str | None:
    """A warning when a date-time is written in the other of UK winter and summer time
    (Z on a summer day, +01:00 on a winter one): what it means, and how to write the
    same clock time in UK time, which is what an editor almost always meant."""
    local = moment.astimezone(LOCAL_ZONE)
    meant = moment.replace(tzinfo=None).replace(tzinfo=LOCAL_ZONE)
    if not _happens(meant):  # 1:30 on the night the clocks go forward
        return (f"{meant:%-I:%M%p} does not happen in UK time on {meant.date():%-d %B %Y}"
                .replace("AM", "am").replace("PM", "pm") +
                ": the clocks go forward from 1am to 2am that night; this means "
                f"{format_datetime(moment)} UK time, and the page says so; if you meant "
                "another time, write one before 1am or from 2am")
    if moment.utcoffset() == local.utcoffset():
        return None
    offset = "+01:00" if meant.utcoffset() else "Z"
    season = "British Summer Time" if local.utcoffset() else "UK winter time (GMT)"
    return (f"{local.date():%-d %B %Y} is in {season}, so this means "
            f"{format_datetime(moment)} UK time, and the page says so; if you meant "
            f"{moment:%H:%M} UK time, write {meant:%Y-%m-%dT%H:%M:%S}{offset}")


def _happens(local: dt.datetime) -> bool:
    """Does this UK clock time happen at all (not in the hour skipped when the clocks go
    forward)?"""
    return local.astimezone(dt.timezone.utc).astimezone(LOCAL_ZONE).replace(
        tzinfo=None) == local.replace(tzinfo=None)


@functools.lru_cache(maxsize=1 << 16)  # the preview server asks again at every build
def _body_findings(html: str) -> tuple[bool, tuple[str, ...]]:
    """Does the body have an image without alt text, and which http:// links."""
    return bool(IMG_WITHOUT_ALT.search(html)), tuple(HTTP_LINK.findall(html))

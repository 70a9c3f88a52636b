"""Stage 4, render: the site graph -> HTML pages, one `Route` per output page.

`routes()` is the URL table of the content model in code: each route names its output
path, its template, what it shows and the source file it came from (so a broken link can
be blamed on the file that wrote it). Templates get the graph and format it with the
filters below; they never query or filter content themselves.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from . import csp, incremental, timetable, write
from .buildinfo import DEFAULT_TEMPLATES, default_templates  # noqa: F401 (render's own)
from .chart import progress_chart
from .outputs import search, structured
from .outputs.opendata import data_catalogue
from .fields import LOCAL_ZONE, address_slug, closing_day
from .fields import clock_said as _clock, format_date, format_datetime  # noqa: F401 (the
# templates' filters, and asked for here by checks.py)
from .graph import Site, districts, moved_addresses
from .model import Money, OpeningHours, WEEKDAYS
from .timetable import DAY_NAMES
from .workers import Pending, start_in_processes, worth_forking

SECTOR_NAMES = {"private": "Private", "voluntary": "Voluntary and community",
                "independent": "Independent", "school": "School", "statutory": "Statutory"}
KIND_NAMES = {"expression-of-interest": "Expression of interest", "tender": "Tender",
              "grant": "Grant"}


@dataclass
class Route:
    """One output page: where it goes, how it is drawn, and what it was made from."""

    url: str  # site path, e.g. "/centres/oxhey/"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # the content file, for error messages
    lastmod: dt.date | None = None  # the content's own date, for the sitemap
    # made only when the page is rendered: values that depend on nothing but the page's
    # own content file, site.yaml and the files in `own_reads`, so a rebuild need not
    # make them to know they are the same (the page records those files as read whole:
    # see incremental.Reuse.render)
    own: dict[str, Callable[[], Any]] = field(default_factory=dict)
    own_reads: tuple[str, ...] = ()
    output_path: str = field(init=False)  # the file, from the site's root

    def __post_init__(self) -> None:
        # made once here: a cached_property takes a lock the first time, for every page
        self.output_path = self.url.lstrip("/") + ("index.html" if self.url.endswith("/") else "")


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the process's memory (the preview server's, between its
    builds; between command-line builds, on disk only signed: a compiled template is
    code, see templatecode.py). Jinja works out a filter of a constant
    (`'/feed.xml'|url`) when it compiles, so the compiled code holds the base address: it
    is kept under a name of its own per base_url, or a site moved to another address
    would keep linking to the old one."""

    def __init__(self, kept: dict, base_url: str,
                 ahead: Callable[[dict], None] | None = None):
        self.kept = kept  # (base_url, template) -> (digest of its source, code)
        self.base_url = base_url
        self.ahead = ahead  # puts what a helper compiled ahead into `kept` (precompile.py)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self.kept.get((self.base_url, bucket.key))
        if found is None and self.ahead is not None:
            self.ahead(self.kept)
            found = self.kept.get((self.base_url, bucket.key))
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if len(self.kept) >= KEPT_TEMPLATES:  # a process that builds many sites (the
            self.kept.clear()  # theme's 35 under each base address): about 16 MB at most
        self.kept[(self.base_url, bucket.key)] = (bucket.checksum, bucket.code)


KEPT_TEMPLATES = 1024  # compiled templates a process keeps (see CompiledTemplates)


class _Templates(jinja2.FileSystemLoader):
    """Jinja's loader of template files, telling one that is not UTF-8 text (saved by an
    editor in another encoding) as a template mistake at its line, not a traceback."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            # the file Jinja found (it reads a file whole, so the error holds its bytes)
            pieces = jinja2.loaders.split_template_path(template)
            path = next(found for found in (os.path.join(folder, *pieces)
                                            for folder in self.searchpath)
                        if os.path.isfile(found))
            raise jinja2.TemplateSyntaxError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as "
                "UTF-8", exc.object[:exc.start].count(b"\n") + 1, template, path) from None


def make_environment(site_templates: Path | None, config, compiled: dict | None = None,
                     ahead: Callable[[dict], None] | None = None) -> jinja2.Environment:
    """The Jinja2 environment: the site's templates first, then the default theme.
    `compiled`: where to keep compiled templates between environments (see
    CompiledTemplates; Jinja checks each template's source, so edits are always seen),
    and `ahead` what fills it with those a helper compiles meanwhile (precompile.py)."""
    search = [str(site_templates)] if site_templates and site_templates.is_dir() else []
    bytecode_cache = CompiledTemplates(compiled, config.base_url, ahead) \
        if compiled is not None else None
    env = incremental.TrackingEnvironment(
        loader=_Templates([*search, str(default_templates())]),
        bytecode_cache=bytecode_cache,
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    base = config.base_path
    env.filters.update(
        url=lambda path: base + web_address(path.lstrip("/")),
        absolute=lambda path: config.base_url + path.lstrip("/"),
        date=format_date, datetime=format_datetime, iso=lambda d: d.isoformat(),
        closing=partial(format_datetime, closing=True),
        rfc3339=lambda d: d.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        money=format_money, hours=format_hours, days=format_days,
        sector=lambda s: SECTOR_NAMES.get(s, s), kind=lambda k: KIND_NAMES.get(k, k),
        plural=lambda n, one, many=None: one if n == 1 else (many or one + "s"),
        tag_slug=address_slug, jsonld=structured.as_script, page_window=page_window,
        hours_data=hours_data, closed_data=closed_data, session_time=session_time, day_url=timetable.day_url,
        closures_on=closures_on,
        webcal=lambda path: webcal_url(config.base_url, path),
        date_of=lambda moment: moment.astimezone(LOCAL_ZONE).date(), closing_day=closing_day,
        outcome_said=outcome_said,
    )
    env.globals["security_policy"] = csp.meta_elements
    return env


# what a site path keeps as it is: all but a space, a quote, '<', '>', and letters
# beyond ASCII, which are percent-coded as a web address needs them ('Information
# Pack.pdf', 'café.pdf' in media/: an href with a raw space is not a valid address)
URL_SAFE = "/:#?&=%@+~!$,;'()*[]"


@functools.lru_cache(maxsize=1 << 14)  # (the same few hundred paths on every page: the
def web_address(path: str) -> str:  # menus, the cards; quoting one took 0.37 µs)
    return quote(path, safe=URL_SAFE)


def service_url(key: str) -> str:
    return f"/centres/services/{key}/"


def webcal_url(base_url: str, path: str) -> str:
    """A calendar file's subscription address: calendar apps that open a webcal:// link
    subscribe to it (and fetch it again now and then) instead of importing it once."""
    address = base_url + path.lstrip("/")
    return "webcal://" + address.split("://", 1)[1]


def page_window(current: int, total: int) -> list[int | None]:
    """The page numbers a pagination shows, None for a gap: the first, the last, and the
    current page with its neighbours, as the GOV.UK Design System does ("1 … 4 5 6 … 20").
    Listing every page would make each of a large site's news pages list them all."""
    shown = sorted({1, total, *range(max(1, current - 1), min(total, current + 1) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - window[-1] == 2:
            window.append(number - 1)  # a gap of one page: show it, not an ellipsis
        elif window and number - window[-1] > 2:
            window.append(None)
        window.append(number)
    return window


def _consultation_told(consultation, today: dt.date) -> dt.date | None:
    """A consultation page's lastmod: its outcome's date, or the day it opened; none
    before then (a sitemap's date is never to come)."""
    if consultation.outcome:
        return consultation.outcome.date
    opened = consultation.opens.astimezone(LOCAL_ZONE).date() if consultation.opens else None
    return opened if opened and opened <= today else None


def routes(site: Site) -> list[Route]:
    """Every public page of the URL table. `section` names the search filter a page is
    indexed under (pages without one, like the 404 page, are not searchable)."""
    chart = _chart(site)
    r = [Route("/", "home.html", {"chart": chart, "jsonld": structured.website(site),
                                  "section": "Pages"}),
         Route("/centres/", "centres.html", {"section": "Centres"}),
         Route("/opportunities/", "opportunities.html", {"section": "Opportunities"}),
         Route("/agencies/", "agencies.html", {"section": "Lead agencies"}),
         Route("/consultations/", "consultations.html", {"section": "Consultations"}),
         Route("/subscribe/", "subscribe.html", {"section": "Pages"}),
         Route("/lessons/", "lessons.html", {"section": "Lessons learned"}),
         Route("/programme/", "programme.html", {"chart": chart, "section": "Programme"}),
         Route("/search/", "search.html",
               {"shards": search.shard_urls(search.page_counts(site))}),
         Route("/data/", "data.html", {"files": data_catalogue(site), "section": "Open data"}),
         Route("/404.html", "404.html")]
    # structured data is made as a page renders (`own`): a centre's reads its agency too
    r += [Route(c.url, "centre.html", {"centre": c, "section": "Centres"}, c.source,
                own={"jsonld": partial(structured.centre, site, c),
                     "timetable": partial(timetable.centre_week, c)},
                own_reads=(c.agency.source,) if c.agency else ()) for c in site.centres]
    # what's on: a page for each day (the whole week on one page would weigh more than a
    # phone should load), and the days to choose from
    week = timetable.whats_on(site.centres)
    r.append(Route("/whats-on/", "whats-on.html", {"days": week, "day": None,
                                                   "section": "What's on"}))
    r += [Route(timetable.day_url(day), "whats-on.html", {"days": week, "day": day,
                                                          "section": "What's on"})
          for day in week]
    # the centres offering each service: the directory's "by service", readable without
    # JavaScript (on /centres/ itself it would double the page's weight)
    r += [Route(service_url(key), "service.html",
                {"service": label, "districts": districts(site.services[key]),
                 "to_come": site.services_to_come[key], "section": "Centres"})
          for key, label in site.config.service_types.items()]
    r += [Route(o.url, "opportunity.html", {"opportunity": o, "section": "Opportunities"},
                o.source, lastmod=o.last_told) for o in site.opportunities]
    r += [Route(c.url, "consultation.html", {"consultation": c, "section": "Consultations"},
                c.source, lastmod=_consultation_told(c, site.today))
          for c in site.consultations]
    r += [Route(a.url, "agency.html", {"agency": a, "section": "Lead agencies"}, a.source,
                own={"jsonld": partial(structured.agency, site, a)}) for a in site.agencies]
    r += [Route(l.url, "lesson.html", {"lesson": l, "section": "Lessons learned"}, l.source)
          for l in site.lessons]
    # the news listing pages are not searchable: each only repeats the summaries of items
    # that are found themselves (and an edited item would change its listing's index too)
    r += [Route(p.url, "news-list.html", {"news_page": p},
                lastmod=p.items[0].date if p.items else None) for p in site.news_pages]
    r += [Route(n.url, "news-item.html", {"item": n, "section": "News"}, n.source,
                lastmod=n.date, own={"jsonld": partial(structured.news_article, site, n)})
          for n in site.news]
    r += [Route(p.url, "page.html", {"page": p, "section": "Pages"}, p.source)
          for p in site.pages]
    if site.config.accessibility:
        r.append(Route("/accessibility/", "accessibility.html",
                       {"accessibility": site.config.accessibility, "section": "Pages"}))
    if site.config.protection == "server":  # what a failed sign-in shows (deploy.py)
        r.append(Route(MEMBERS_HELP, "members-help.html"))
    return r + moved_routes(site, {route.url for route in r})


MOVED = "moved.html"  # the page at a document's address before its `slug:` (see below)


def moved_routes(site: Site, taken: set[str]) -> list[Route]:
    """A page at each address a document had before a `slug:` gave it another: the one
    its file name gives (/centres/watford-central/ for watford-central.md, now
    /centres/watford-central-cc/), which bookmarks, other sites' links and the site's
    own feed entries (whose ids keep it) still name. It sends the reader on. Not where
    another page is now, nor for a members document (its address is members-only)."""
    return [Route(old, MOVED, {"moved_to": entry.url, "title": title}, entry.source)
            for old, entry, title in moved_addresses(site) if old not in taken]


MEMBERS_HELP = "/members-help/"


def render_routes(env: jinja2.Environment, site: Site, page_routes: list[Route],
                  reuse=None, previous: Callable[[str], Path | None] | None = None,
                  inspect: "Inspection | None" = None, stage: "write.Stage | None" = None,
                  **shared: Any) -> dict[str, bytes | Path]:
    """Render every route: output path -> the page's UTF-8 bytes, or the previous build's
    file where `reuse` (see incremental.py) shows that nothing the page was made from has
    changed. Each page rendered is also given to `inspect` (in the same worker process,
    while its text is at hand), and what that returns is kept in `inspect.results`.

    Pages come back as bytes, the form they are written in (as text and again as bytes
    would take twice the memory); with a `stage`, as the file each was put in there
    (`write.StagedFile`) by the process that rendered it: a large site's pages are the
    biggest thing a build would hold, and they need not be held to be audited."""
    return start_render_routes(env, site, page_routes, reuse, previous, inspect, stage,
                               **shared).result()


def start_render_routes(env: jinja2.Environment, site: Site, page_routes: list[Route],
                        reuse=None, previous: Callable[[str], Path | None] | None = None,
                        inspect: "Inspection | None" = None,
                        stage: "write.Stage | None" = None, **shared: Any) -> Pending:
    """`render_routes`, started: the pages are had from `result()`. While worker
    processes render them, this process is free (the pipeline makes the leak audit's
    fingerprints while the members pages render). A template mistake is raised by
    `result()`, or at once."""
    kept: dict[str, Path] = {}
    todo: list[tuple[Route, str | None]] = []  # (route, digest of its own context)
    for route in page_routes:
        context = None
        if reuse is not None:
            path = route.output_path
            context = reuse.context_digest(route.template, route.url, route.context,
                                           route.own)
            old = previous(path) if previous and reuse.still_good(path, context) else None
            if old is not None:
                kept[path] = old
                continue
        todo.append((route, context))
    rendered = _start_render_all(env, site, todo, reuse, shared, inspect, stage)

    def pages() -> dict[str, bytes | Path]:
        made = rendered.result()
        return {path: kept[path] if path in kept else made[path]
                for path in (r.output_path for r in page_routes)}

    return Pending(pages, rendered.cancel)


# -- rendering many pages: in worker processes when there are enough -------------------

PARALLEL_FROM = 200  # pages to render; for fewer, starting processes costs more than it saves
_JOB: tuple | None = None  # what forked workers render: (env, site, todo, reuse, shared...)


@dataclass
class Inspection:
    """A look at each page as it is rendered (the audit's links and leak search), run in
    the worker that rendered the page: `check(output path, text)` -> a picklable result."""

    check: Callable[[str, str], Any]
    results: dict[str, Any] = field(default_factory=dict)
    ready: Callable[[int], Any] | None = None  # made ready for so many pages, before
    # workers are forked (so that each need not make it) and the first page is rendered:
    # the leak audit's searcher, made for many pages (see audit.LeakSearcher)


def _start_render_all(env, site, todo, reuse, shared, inspect: Inspection | None,
                      stage) -> Pending:
    """Jinja rendering is pure Python, so threads would take turns: a large build renders
    in forked processes (see workers.py); each inherits the site, the compiled templates
    and the build memory, and sends back each page's text and what it read."""
    global _JOB
    one = _OneCopy()
    workers = worth_forking(len(todo), PARALLEL_FROM)
    if not workers:
        made = _render_here(env, site, todo, reuse, shared, inspect, stage, one)
        return Pending(lambda: made)
    if inspect is not None and inspect.ready is not None:
        inspect.ready(len(todo))
    made = _render_here(env, site, todo[:1], reuse, shared, inspect, stage,
                        one)  # compiles templates
    for name in sorted({route.template for route, _ in todo}):  # and the other pages' own,
        env.get_template(name)  # once here rather than once in each worker
    _JOB = (env, site, todo, reuse, shared, inspect.check if inspect else None, stage)
    size = max(1, (len(todo) - 1) // (workers * 4) + 1)
    chunks = [(start, min(start + size, len(todo))) for start in range(1, len(todo), size)]
    try:
        waiting = start_in_processes(_render_chunk, chunks, workers)
    except Exception:  # no processes here: render here
        _JOB = None
        made = _render_here(env, site, todo, reuse, shared, inspect, stage, one)
        return Pending(lambda: made)
    _JOB = None  # the workers are forked, with it

    def take(results: Iterator[list[tuple]]) -> None:
        while (chunk := _next_from_workers(results)) is not None:  # each as it comes: its
            for output_path, text, record, values, seen in chunk:  # copies let go of
                made[output_path] = text                           # once taken in
                if reuse is not None:
                    reuse.adopt(output_path, one.of_record(record), values)
                if inspect is not None:
                    inspect.results[output_path] = one.of(seen)

    def finish() -> dict[str, bytes]:
        try:
            waiting.result(take)
        except _FailedInWorker:  # a template mistake: render here, where it is told
            return _render_here(env, site, todo, reuse, shared, inspect, stage, one)
        return made

    return Pending(finish, waiting.cancel)


class _FailedInWorker(Exception):
    """What a worker raised (a template mistake, told again by rendering here), as apart
    from what this process's own taking in of the results raised: ccsite's own error,
    which is not to be passed over by rendering every page again."""


def _next_from_workers(results: Iterator[list[tuple]]) -> list[tuple] | None:
    """The next share of pages the workers sent, or None when all have come."""
    try:
        return next(results)
    except StopIteration:
        return None
    except Exception as exc:
        raise _FailedInWorker() from exc


class _OneCopy:
    """One copy of each text and change token in the pages' records and what the audits
    found in them: made for each page (and, from workers, unpickled) every page's come as
    copies of their own, and a large site's pages read the same
    few thousand values and link to the same few thousand addresses hundreds of
    thousands of times (at 10,000 documents, 317,000 links to 19,000 addresses and
    174,000 tokens of 11,000: tens of megabytes held in copies)."""

    def __init__(self) -> None:
        self.kept: dict = {}

    def of(self, value: Any) -> Any:
        """`value` (texts, and lists, tuples and frozensets of them) made of the copies
        kept; anything else as it is."""
        kind = type(value)
        if kind is str or kind is tuple and all(type(each) is str for each in value):
            return self.kept.setdefault(value, value)
        if kind in (list, tuple, frozenset):
            return kind(map(self.of, value))
        return value

    def of_record(self, record):
        """A page's record (incremental.PageRecord), holding the copies kept."""
        if record is not None:
            record.reads = self.of(record.reads)
            record.bodies = self.of(record.bodies)
            record.templates = self.kept.setdefault(("<templates>", *record.templates.items()),
                                                    record.templates)
        return record


def _render_chunk(span: tuple[int, int]) -> list[tuple]:
    env, site, todo, reuse, shared, check, stage = _JOB
    pages = []
    templates: dict = {}
    for route, context in todo[span[0]:span[1]]:
        text = render_page(env, site, route, context, reuse, shared, templates)
        record, values = reuse.handover(route.output_path) if reuse else (None, None)
        seen = check(route.output_path, text) if check else None
        pages.append((route.output_path, _kept(text, stage), record, values, seen))
    return pages


def _render_here(env, site, todo, reuse, shared, inspect: Inspection | None,
                 stage, one: "_OneCopy") -> dict[str, bytes]:
    templates: dict = {}
    made = {}
    for route, context in todo:
        text = render_page(env, site, route, context, reuse, shared, templates)
        made[route.output_path] = _kept(text, stage)
        if reuse is not None:
            one.of_record(reuse.memory.pages.get(route.output_path))
        if inspect is not None:
            inspect.results[route.output_path] = one.of(inspect.check(route.output_path,
                                                                      text))
    return made


def _kept(text: str, stage) -> "bytes | write.StagedFile":
    """A rendered page as the build keeps it until it is written (see `render_routes`)."""
    data = text.encode("utf-8")
    return stage.put(data) if stage is not None else data


def render_page(env, site, route: Route, context: str | None, reuse, shared: dict,
                templates: dict) -> str:
    """One page's HTML; `context` is the digest of its route's context, for `reuse` to
    record with what the page read; `templates` keeps the templates looked up."""
    variables = {"site": site, **shared, **route.context, "current_url": route.url}
    variables.update((name, make()) for name, make in route.own.items())
    template = templates.get(route.template)
    if template is None:  # looked up once: each lookup checks the file's time
        template = templates[route.template] = env.get_template(route.template)
    if reuse is None:
        return template.render(**variables)
    return reuse.render(template, variables, context, route.output_path, route.template,
                        also_read=read_whole(route))


def read_whole(route: Route) -> list[str]:
    """The content files whose every value a page may show beyond what its templates
    read: those its Python-made values (`own`: structured data, a timetable) read."""
    return [route.source, *route.own_reads, incremental.SITE_FILE] if route.own else []


def _chart(site: Site) -> Markup:
    title = (f"Children's centres open over time: {site.centres_open} open today; "
             + "; ".join(f"{t.target.label} target {t.target.centres} by "
                         f"{format_date(t.target.date)}" for t in site.targets))
    return Markup(progress_chart(site.progress, site.targets, site.today, title))


# -- filters: how dates, money and hours read on a public-service site -------------------

def outcome_said(outcome) -> str:
    """What a round's outcome decided, in a sentence: 'Decided on 28 February 2006: 2
    organisations were awarded contracts.', or that none was (a round with no bids, or
    none good enough): the page, its feed and the digest say it alike."""
    count = len(outcome.awards)
    decided = f"Decided on {format_date(outcome.date)}: "
    if not count:
        return decided + "no contract was awarded."
    return decided + (f"{count} {'organisation was' if count == 1 else 'organisations were'}"
                      f" awarded {'a contract' if count == 1 else 'contracts'}.")


def format_money(value: Money | None) -> str:
    if value is None:
        return ""
    whole = value.amount == value.amount.to_integral_value()
    return f"£{value.amount:,.0f}" if whole else f"£{value.amount:,.2f}"


def format_hours(hours: OpeningHours) -> str:
    return f"{_clock(hours.opens)} to {_clock(hours.closes)}"


def hours_data(rows: tuple[OpeningHours, ...]) -> str:
    """Opening hours for the browser's "open now" (places.js `readHours`):
    'mon,tue 09:00 17:00;sat 10:00 12:00'."""
    return ";".join(f"{','.join(h.days)} {h.opens:%H:%M} {h.closes:%H:%M}" for h in rows)


def closed_data(closures) -> list[list[str]]:
    """Days closed for the browser's "open now" (places.js `closedBecause`): [first day,
    last day, why] each."""
    return [[c.date.isoformat(), c.last_day.isoformat(), c.reason] for c in closures]


def closures_on(closures, weekday: str) -> list:
    """The closures that take in a `weekday` ('mon'): what a day of What's on says every
    centre is closed on, in its own words (a page read without JavaScript listed every
    Monday session of Christmas week with no word of the bank holiday: a parent's
    review)."""
    index = WEEKDAYS.index(weekday)
    return [c for c in closures
            if any((c.date + dt.timedelta(days=n)).weekday() == index
                   for n in range(min(7, (c.last_day - c.date).days + 1)))]


def session_time(session) -> str:
    return f"{_clock(session.starts)} to {_clock(session.ends)}"


def format_days(days: tuple[str, ...]) -> str:
    """['mon','tue','wed','thu','fri'] -> 'Monday to Friday'; others listed."""
    indexes = sorted(WEEKDAYS.index(d) for d in days)
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES[WEEKDAYS[indexes[0]]]} to {DAY_NAMES[WEEKDAYS[indexes[-1]]]}"
    names = [DAY_NAMES[WEEKDAYS[i]] for i in indexes]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]

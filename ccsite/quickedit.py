"""The preview server's quick rebuild: one Markdown document edited, and nothing else.

An editor saving a centre, news item, lesson, page or opportunity changes one document;
the other 10,000 are as the last build read them. So `ccsite serve` need not load and
check them all again: it reads that one file, and then

- if only its body (the text below the front matter) changed, every list, order, count
  and link of the site graph stands: it renders just the pages that showed that body
  (each page's record says whose bodies it showed, see incremental.py);
- if its front matter changed only in fields that making the site graph, its routes and
  the list of its files did not read (a centre's phone, opening hours or summary, a
  lesson's summary: the last catch-up build noted what that code read of each
  document), the graph stands too: the document's object in it takes the new values,
  and every page that read any of those fields of it is rendered (each page's record
  says which attributes it read, see incremental.PageRecord); so it does if the site's
  orders alone read them (a news item's title orders it among the items of its day:
  see graph.orders), made again with the new values, while the news keeps its order;
- otherwise it puts the new reading in place of the old, makes the site graph again (so
  every order, count and link follows, by the pipeline's own code) and lets the page
  records find which pages read what changed, as the pipeline does.

Either way it audits what it rendered (members text, links) and writes only that, in tens
of milliseconds for a body and a tenth or two of a second for front matter at 10,000
documents, against about 0.4 s through the whole pipeline. Its warnings are the other
files' own as the last build found them, the edited file's looked for anew, and those of
the site as a whole kept while the edit changed nothing that making them read (see
checks.KeptWarnings): made again at every edit, they were most of a body edit's time at
50,000 documents. (Hugo's server has a "fast
render" mode in this spirit, which renders the pages a browser has open; this one renders
every page that changed, so nothing is left stale.)

Anything else takes the whole pipeline: a new, moved or deleted file, a change that adds
or removes a page or another file (an opportunity that opens gets its deadline's calendar,
which its page links to) or changes an address, a draft or publish date that takes a document in
or out, a members file, an agency, templates, site.yaml, something a members page shows,
or a moment passed that changes what the site says (midnight, a deadline, a publish
date). So does any doubt: `rebuild` returns None without writing anything and the
pipeline runs instead, finding and reporting what there is to report. The catch-up build
that follows every preview rebuild renews feeds, open data and the search index.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import jinja2

from . import audit, checks, graph, incremental, load, outputs, render, validate, write
from .errors import ErrorList
from .fields import LOCAL_ZONE
from .graph import MembersSite, Site
from .render import Route

# the public Markdown kinds (an agency's file is YAML; members files take the pipeline),
# and where each one's readings are in validate.Validated
GROUPS = {"news": "news", "lesson": "lessons", "page": "pages", "opportunity": "opportunities",
          "centre": "centres", "consultation": "consultations"}


@dataclass
class LastBuild:
    """What the preview server's last good build was made of (kept in its memory)."""

    same_for: tuple  # what a rebuild must have in common with it (paths, drafts)
    now: dt.datetime
    validated: validate.Validated  # every document's reading (the graph is made from it)
    site: Site
    members: MembersSite
    env: jinja2.Environment
    objects: dict[str, Any]  # entity key -> object (see incremental.objects_of)
    files: dict[str, Any]  # content file -> signature, as incremental.Reuse has them
    routes: dict[str, Route]  # output path -> public route
    member_routes: list[Route]
    people: list  # the members' people (see audit.members_people)
    result: Any  # the pipeline's BuildResult, told again with this rebuild's changes
    valid_until: dt.datetime | None = None  # see `valid_until`: found when first needed
    # what making the site graph, its routes and the list of its files read of the
    # content objects, as (entity key, attribute) (see `_fields_no_graph_read`); None:
    # not known (only a catch-up build notes it; a quick rebuild that made the graph
    # again did not); and apart, what the site's orders read (see graph.orders)
    graph_reads: frozenset | None = None
    order_reads: frozenset | None = None
    warnings: checks.KeptWarnings | None = None  # the warnings beyond each file's own,
    # and what they were made from, noted by the catch-up build too (None: not known)
    sought: tuple | None = None  # the people looked for (audit.people_sought), once
    told_apart: list = dataclasses.field(default_factory=list)  # the build's other
    # warnings: links to documents that expired (audit.check_links), the site's templates


@dataclass
class Rebuilt:
    changed: set[str]  # public files written anew
    warnings: list


def valid_until(now: dt.datetime, read_as: dict) -> dt.datetime:
    """The first moment after `now` at which the same files would build into a different
    site: the next UK midnight (today's date is shown), or a moment a document gives
    (a publish_date, expires or deadline) reached. `read_as`: what every document read as
    (validate.py). Every date-time a document's reading holds counts, so a field added
    to the content model with a time of day is never overlooked."""
    tomorrow = now.astimezone(LOCAL_ZONE).date() + dt.timedelta(days=1)
    moments = [dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=LOCAL_ZONE)]
    for _, _, read in read_as.values():
        if isinstance(read, tuple):  # a Markdown document: (item, its common fields)
            moments += [moment for moment in _moments(read) if moment > now]
    return min(moments)


def _moments(reading: tuple) -> list[dt.datetime]:
    """The date-times (with a zone) of a reading (item, common fields): their fields, and
    the fields of what they list (a consultation's events). Asked of every document at
    every command-line build, so only the fields whose declared type may hold one are
    looked at (found once per class: see `_moment_fields`)."""
    found = []
    for value in reading:
        for name, listed in _moment_fields(type(value)):
            field_value = getattr(value, name)
            if listed is None:
                if isinstance(field_value, dt.datetime):
                    found.append(field_value)
            elif type(field_value) in (list, tuple):
                found += [moment for each in field_value
                          for moment in (getattr(each, n) for n in listed)
                          if isinstance(moment, dt.datetime)]
    return [moment for moment in found if moment.tzinfo is not None]


@functools.cache
def _moment_fields(kind: type) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """(field, None) for each field of `kind` whose declared type may hold a date-time,
    and (field, the fields that may hold one of the objects it lists) for each field
    listing such objects (a consultation's events)."""
    if not dataclasses.is_dataclass(kind):
        return ()
    own = _datetime_fields(kind)
    found: list[tuple[str, tuple[str, ...] | None]] = [(name, None) for name in own]
    for name, hint in typing.get_type_hints(kind).items():
        listed = typing.get_args(hint)[:1]
        if name not in own and typing.get_origin(hint) in (list, tuple) and listed and \
                dataclasses.is_dataclass(listed[0]) and _datetime_fields(listed[0]):
            found.append((name, _datetime_fields(listed[0])))
    return tuple(found)


@functools.cache
def _datetime_fields(kind: type) -> tuple[str, ...]:
    """The fields of `kind` whose declared type may hold a date-time (not looking into
    what they list: a centre lists opportunities, which list centres)."""
    hints = typing.get_type_hints(kind)
    return tuple(f.name for f in dataclasses.fields(kind) if _may_be(hints[f.name], dt.datetime))


def _may_be(hint: Any, kind: type) -> bool:
    """May a value declared `hint` be a `kind`? (Any may be anything.)"""
    if hint is Any or hint is kind:
        return True
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and \
        any(_may_be(arg, kind) for arg in typing.get_args(hint))


def shows_the_time(memory: incremental.BuildMemory) -> bool:
    """Did a template show the time itself (none of ours does)? Then every moment's build
    differs."""
    return ("<site>", "now") in memory.seen_values or \
        ("<members>", "now") in memory.seen_values


def rebuild(source: Path, shown_as: str, output: Path, options: validate.BuildOptions,
            memory: incremental.BuildMemory, changed_files: set[str],
            previous: Callable[[str], Path | None]) -> Rebuilt | None:
    """Bring the public pages up to date after `changed_files` (one Markdown document
    edited) or return None, having written nothing, for the pipeline to do it.
    `previous`: the published file of an output path (see stages.published_file)."""
    last: LastBuild | None = memory.last_build
    if last is None or not _ready(last, memory, output) or \
            not _same_moment(last, options, memory):
        return None
    errors = ErrorList()
    document = load.read_one_changed(source, shown_as, errors, memory.parsed,
                                     memory.known_files, changed_files, memory.file_digests)
    was = memory.read_as.get(document.path) if document is not None else None
    if errors.errors or was is None or document.kind not in GROUPS:
        return None
    if was[0] is document:  # the same bytes as at the last build (saved unchanged)
        return Rebuilt(set(), last.result.warnings)
    item, common = was[2]
    if last.objects.get(incremental.entity_key(item)) is not item:
        return None  # not in the site: a draft, or not published yet
    new_item, new_common = validate.read_one(document, last.site.config, last.site.media,
                                             errors)
    if errors.errors or validate.left_out(new_common, options) is not None:
        return None
    if _people_named(last, was[0]) != _people_named(last, document):
        return None  # the leak audit's fingerprints change: see audit.said_publicly
    files = {**last.files, document.path: (memory.parsed[document.path][0],
                                           last.files[incremental.SITE_FILE][1])}
    recent = last.site.recent_changes
    if (was[0].front_matter, was[0].body_line) == (document.front_matter, document.body_line):
        done = _body_edit(last, memory, output, files, item, document.body)
        changed = {"body", "html"}
    else:
        changed = _fields_no_graph_read(last, item, new_item)
        done = _fields_edit(last, memory, output, files, item, new_item, changed) \
            if changed else GRAPHS_WAY
        if done is GRAPHS_WAY:
            done = _graph_edit(last, memory, output, options, files, document.kind, item,
                               new_item, previous)
            item, changed = new_item, None
    if done is None:
        return None
    memory.read_as[document.path] = (document, was[1], (item, new_common))
    memory.last_build.files = files
    site_changed = {"recent_changes"} if last.site.recent_changes is not recent else set()
    warnings = _warnings(memory, item, changed and {
        *_named(item, changed), *_named(last.site, site_changed)})
    return Rebuilt(done, [*warnings, *_still_told(memory.last_build, done)])


def _still_told(last: LastBuild, changed: set[str]) -> list:
    """The last build's warnings beyond the site's (see `LastBuild.told_apart`), but those
    of a link from a page this rebuild changed: a page it rendered links to no document
    that expired (the link check would have stopped it: the pipeline tells those), so
    what was told of its links before is told no more."""
    pages = {audit.linked_from("/" + path.removesuffix("index.html")) for path in changed}
    last.told_apart = [warning for warning in last.told_apart
                       if not (warning.field == "link" and warning.message.endswith(
                           tuple(pages)))] if pages else last.told_apart
    return last.told_apart


def _named(obj, changed: set[str]) -> set[str]:
    """What a quick rebuild changed of `obj`, as incremental.attribute_name names it, and
    its whole (which a read of every value at once is: see incremental.WHOLE)."""
    return {incremental.attribute_name(obj, name)
            for name in [*changed, incremental.WHOLE]} if changed else set()


def _warnings(memory: incremental.BuildMemory, item, changed: set[str] | None
              ) -> list:
    """The site's warnings after a quick rebuild changed `item` in place, in `changed`
    ("Kind.attribute"; None: the site graph was made again): the other files' own
    warnings as the last build found them, and those of the site as a whole kept while
    they read none of what changed (see checks.KeptWarnings), else made again."""
    last, edited = memory.last_build, incremental.entity_key(item)
    done = None if last.warnings is None or changed is None or \
        memory.own_warnings is None else \
        last.warnings.after_edit(memory.own_warnings, edited, item, changed)
    if done is None:
        last.warnings = None  # (until the next catch-up build notes them again)
        done = checks.site_warnings_keeping(last.site, last.members, memory.own_warnings,
                                            lambda key: key != edited)
    warnings, memory.own_warnings = done
    return warnings


def _body_edit(last: LastBuild, memory: incremental.BuildMemory, output: Path,
               files: dict, item, body: str) -> set[str] | None:
    """Only the body changed: render the pages that showed it, from the graph as it is."""
    key = incremental.entity_key(item)
    return _edit_in_place(last, memory, output, files, item,
                          lambda: {"body": body, "html": memory.bodies.render(body)},
                          lambda _: [path for path, record in memory.pages.items()
                                     if key in record.bodies])


def _fields_no_graph_read(last: LastBuild, item, new_item) -> set[str] | None:
    """The fields of the document the edit changed, when neither the site graph nor its
    routes nor the list of its files read any of them as they were made (a centre's
    phone or summary, a lesson's summary: see `graph_reads`; the graph renders each
    body, so an edited body is among those read); else None. The site's orders are not
    among them (a news item's title decides its place among those of its day): their
    reads are noted apart, and `_fields_edit` makes them again. What takes a document
    in or out of the site was looked at already (`validate.left_out`)."""
    if last.graph_reads is None:
        return None
    changed = {f.name for f in dataclasses.fields(item) if not f.metadata.get("derived")
               and not _same(getattr(item, f.name), getattr(new_item, f.name))}
    key = incremental.entity_key(item)
    if not changed or (key, incremental.WHOLE) in last.graph_reads or \
            any((key, name) in last.graph_reads for name in changed):
        return None
    return changed


def _same(value, other) -> bool:
    """Equal and written alike: a moment in another zone, 1 and 1.0, a mapping in another
    order are equal but shown otherwise, so they are changes too."""
    return type(value) is type(other) and value == other and repr(value) == repr(other)


GRAPHS_WAY = frozenset({"the graph made again"})  # (see `_fields_edit`)


def _fields_edit(last: LastBuild, memory: incremental.BuildMemory, output: Path,
                 files: dict, item, new_item, changed: set[str]) -> set[str] | None:
    """Front matter changed in fields the site graph was not made from: every list,
    count, link and file of the graph stands, so the object in it takes the new values,
    and every page that read any of those fields of it is rendered (the others did not
    show them: a centre's summary is on its own page, not in the lists that name it).
    When the site's orders read a field (graph.orders), they are made again: the news
    in the same order, the home page's latest changes may be others (then the pages
    that show them are rendered too); news in another order is the graph's way (this
    returns GRAPHS_WAY, the object as it was). Every other file that read anything
    changed is made by the catch-up build (`Reuse.commit` lets go of their records); a
    date-time among the fields may move the moment the site changes next."""
    key = incremental.entity_key(item)
    ordered = last.order_reads is None or any((key, name) in last.order_reads
                                               for name in changed)
    site, recent_before = last.site, last.site.recent_changes
    news_moved = []

    def moved() -> set | None:
        """The site's orders made again with the new values (when they read any): None if
        the news moved, else what else changed."""
        if not ordered:
            return set()
        news, recent = graph.orders(site.news, site.opportunities,
                                    last.validated.consultations)
        if not all(map(operator.is_, news, site.news)):
            news_moved.append(True)
            return None
        if recent == site.recent_changes:
            return set()
        site.recent_changes = recent
        return {("<site>", "recent_changes")}

    def readers(changes: set) -> list[str]:
        """The pages that showed any of the fields (their records say which attributes
        their templates read; a page shows every value of what it reads whole), or
        anything else that changed."""
        others = changes - {key}
        fields = {incremental.attribute_name(item, name) for name in changed}
        return [path for path, record in memory.pages.items()
                if (key in record.reads and (
                    record.attributes is None or not record.attributes.isdisjoint(fields)
                    or path not in last.routes or key in render.read_whole(last.routes[path])))
                or (others and not others.isdisjoint(record.reads))]

    done = _edit_in_place(last, memory, output, files, item,
                          lambda: {name: getattr(new_item, name) for name in changed},
                          readers, moved)
    if done is None:
        site.recent_changes = recent_before
        return GRAPHS_WAY if news_moved else None
    last.valid_until = None
    return done


def _edit_in_place(last: LastBuild, memory: incremental.BuildMemory, output: Path,
                   files: dict, item, values: Callable[[], dict[str, Any]],
                   readers: Callable[[set], list[str]],
                   moved: Callable[[], set | None] = set) -> set[str] | None:
    """The object of the site graph takes the `values()` of its attributes; then
    `moved()` gives the tokens of what else changed with them (None: too much, the
    pipeline's work), and the pages `readers(changes)` (all the tokens that changed)
    are rendered (the pipeline's render, of these pages only), audited and written;
    None, the object as it was, when it cannot be done so.

    What the pages not rendered read of the object is as it was, as their records say
    (which bodies and attributes each read); should one have read it in a way no
    record shows, the catch-up build renders every page that read anything of it: for
    that build, the object's file is still as the last one read it."""
    key = incremental.entity_key(item)
    last_signature = memory.seen_files.get(key)
    new = values()
    before = {name: getattr(item, name) for name in new}
    for name, value in new.items():
        setattr(item, name, value)
    done = None
    try:
        changes = moved()
        if changes is None:
            return None
        changes.add(key)
        pages = sorted(readers(changes))
        if not all(path in last.routes for path in pages):
            return None  # a members page shows it (see members/pages.py)
        reuse = incremental.Reuse(last.env, memory, last.objects, files, changed=changes)
        if not reuse.templates_unchanged:
            return None
        # (no page is kept: no `previous`)
        done = _render_audit_write(last, memory, output, reuse, last.site,
                                   [last.routes[path] for path in pages])
    finally:
        if done is None:  # given up, or failed: as it was, for the pipeline
            for name, value in before.items():
                setattr(item, name, value)
    if done is not None and last_signature is not None:
        memory.seen_files[key] = last_signature
    return done


def _graph_edit(last: LastBuild, memory: incremental.BuildMemory, output: Path,
                options: validate.BuildOptions, files: dict, kind: str, item, new_item,
                previous: Callable[[str], Path | None]) -> set[str] | None:
    """Front matter changed: the new reading in place of the old, the site graph and its
    routes made again, and every page rendered that read something that changed."""
    group = getattr(last.validated, GROUPS[kind])
    place = next((index for index, each in enumerate(group) if each is item), None)
    if place is None:
        return None
    # the graph's objects change from here: if this gives up, the pipeline makes them anew
    memory.last_build = None
    # every body but the new reading's is rendered into its object already (kept by ids
    # of objects alive meanwhile: the old reading's too, so no new object has their ids)
    last.validated.html_kept = {id(obj) for obj, _, _ in graph.bodies_of(last.validated)}
    group[place] = new_item
    errors = ErrorList()
    site = graph.build_site(last.validated, options, errors, memory.bodies)
    members = graph.build_members_site(last.validated, options, errors, memory.bodies)
    routes = render.routes(site)
    if errors.errors or len(routes) != len(last.routes) or \
            not all(route.output_path in last.routes for route in routes) or \
            memory.feeds_and_data != set(outputs.public_outputs(last.env, site, routes)):
        return None  # a mistake to report, or pages or other files (an opportunity's
        # deadline calendar, open data) come or go: the pipeline's work
    contexts = memory.contexts  # the last build's, before Reuse starts this build's
    reuse = incremental.Reuse(last.env, memory, incremental.objects_of(site, members), files)
    readers = {path for path, record in memory.pages.items()
               if not reuse.changed.isdisjoint(record.reads)}
    if any(path.startswith("members/") for path in readers):
        return None  # a members page shows what changed
    done = _render_audit_write(last, memory, output, reuse, site,
                               _to_look_at(routes, last.routes, readers, reuse, contexts),
                               previous)
    if done is None:
        return None
    memory.last_build = dataclasses.replace(
        last, now=options.now, site=site, members=members, objects=reuse.objects,
        routes={route.output_path: route for route in routes}, valid_until=None,
        graph_reads=None, order_reads=None, warnings=None)  # (made again unnoted: the
    # catch-up build notes it)
    return done


def _to_look_at(routes: list[Route], last_routes: dict[str, Route], readers: set[str],
                reuse: incremental.Reuse, contexts: dict) -> list[Route]:
    """The routes whose page may have changed; the others stand without asking `reuse`
    about each (tens of thousands of pages on a large site, most of a front-matter
    edit's time). A page stands when it read nothing that changed (not in `readers`)
    and its route's own context is what it was: the very same content objects (known
    by their keys) and texts, which is what the context's digest is made of (see
    incremental.context_identity; a list or anything else is looked at). Such a route's
    remembered context (`contexts`, the last build's) is kept for the next build."""
    if not reuse.templates_unchanged:
        return routes
    look = []
    records, published = reuse.memory.pages, reuse.memory.outputs.get("public", {})
    for route in routes:
        path = route.output_path
        if path in readers or path not in records or path not in published or \
                not _same_context(route, last_routes[path]):
            look.append(route)
        elif route.url in contexts:
            reuse.memory.contexts[route.url] = contexts[route.url]
    return look


def _same_context(route: Route, was: Route) -> bool:
    context, old = route.context, was.context
    if route.template != was.template or context.keys() != old.keys() or \
            route.own.keys() != was.own.keys():
        return False
    for name, value in context.items():
        if value is not old[name] or (type(value) is not str and
                                      incremental.entity_key(value) is None):
            return False
    return True


def _same_moment(last: LastBuild, options: validate.BuildOptions,
                 memory: incremental.BuildMemory) -> bool:
    """Would the last build's site be the same if built at `options.now`?"""
    if options.now == last.now:
        return True
    if last.valid_until is None:  # the documents read then are those read now (bar one),
        last.valid_until = valid_until(last.now, memory.read_as)  # so it holds
    if not last.now < options.now < last.valid_until:
        return False
    return not shows_the_time(memory)


def _ready(last: LastBuild, memory: incremental.BuildMemory, output: Path) -> bool:
    """Is all there that a quick rebuild works from? Not in encrypt mode: there members
    pages are rendered without records, so which of them show a document is unknown."""
    return memory.leak_audit is not None and memory.link_files is not None and \
        memory.known_files is not None and bool(memory.feeds_and_data) and \
        "public" in memory.outputs and last.site.config.protection != "encrypt" and \
        (output / "public").is_dir()


def _people_named(last: LastBuild, document: load.RawDocument) -> set[str]:
    """Which of the members' people a public document names (see audit.said_publicly)."""
    if last.sought is None:
        last.sought = audit.people_sought(last.people)
    return audit.said_publicly(last.people, audit.PublicText(
        {document.path: functools.partial(audit.public_source_text, document),
         "contacts": functools.partial(audit.contact_details, document)}), {"contacts"},
        last.sought)


def _render_audit_write(last: LastBuild, memory: incremental.BuildMemory, output: Path,
                        reuse: incremental.Reuse, site: Site, routes: list[Route],
                        previous: Callable[[str], Path | None] | None = None) -> set[str] | None:
    """The pipeline's render of `routes`, audited and written (see `_audit_and_write`);
    None, with nothing written and `reuse` forgotten, when a template mistake or an audit
    stops it (the pipeline then tells it, with its file and line)."""
    inspection = audit.public_inspection(memory.leak_audit[1])
    done = None
    try:
        pages = render.render_routes(last.env, site, routes, reuse, previous, inspection)
        made = {path: page for path, page in pages.items() if isinstance(page, bytes)}
        done = _audit_and_write(last, memory, output, made, inspection)
    except Exception:  # noqa: BLE001 - a template mistake, or a value a template's code
        pass              # fails on: the pipeline tells it, with its file and line
    finally:
        if done is None:
            reuse.forget()
    if done is not None:
        reuse.commit()
    return done


def _audit_and_write(last: LastBuild, memory: incremental.BuildMemory, output: Path,
                     pages: dict[str, bytes], inspection: render.Inspection) -> set[str] | None:
    """Audit the pages as the pipeline would (members text, links), then write them."""
    seen = {path: inspection.results[path] for path in pages}
    if any(clean is None for _, clean, _ in seen.values()):
        return None  # members text in a public page: the pipeline reports it
    errors = ErrorList()
    audit.check_links({path: links for path, (links, _, _) in seen.items()},
                      memory.link_files, [last.routes[path] for path in pages],
                      last.site.config.base_url, dict, errors)
    if errors.errors:
        return None
    written = write.update_in_place(output, "public", write.OutputFiles(pages),
                                    memory.outputs["public"], only=True)
    memory.outputs["public"] = written.signatures
    memory.stamps.pop("public", None)  # changed in place: the spare made from it is walked
    memory.search_stale_pages |= written.changed
    for _, digest, _ in seen.values():
        memory.leak_clean[digest] = memory.leak_audit[1].against
    return written.changed

"""The preview server's quickest rebuild: one Markdown body edited, and nothing else.

When an editor saves a centre, news item, lesson, page or opportunity and only the text
below its front matter changed, the site graph is what it was at the last build but for
that one body: every list, order, count and link stays. So `ccsite serve` need not load, check and
link the whole site again to know it: it renders the pages that showed that document
(each page's record says what it read, see incremental.py), audits them for members text
and broken links, and writes them. That takes tens of milliseconds at any size; the full
page rebuild costs about half a second at 10,000 documents. (Hugo's server has a "fast
render" mode in this spirit, which renders the pages a browser has open; this one renders
every page that read the document, so nothing is left stale.)

Anything else takes the whole pipeline: a front-matter change, a new, moved or deleted
file, a members file, an agency, templates, site.yaml, or a moment passed that changes
what a page says (midnight, a deadline, a publish date). So does any doubt: `rebuild` returns None before it writes
anything and the pipeline runs instead, finding and reporting what there is to report.
The catch-up build that follows every preview rebuild renews feeds, open data and the
search index, after this rebuild as after the full one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import audit, checks, incremental, load, validate, write
from .errors import ErrorList
from .fields import LOCAL_ZONE
from .graph import Site
from .model import DERIVED_FIELDS
from .render import Route, render_page

# the Markdown kinds whose body the public pages show (and feeds and open data, renewed
# by the catch-up build); good-practice posts and members pages take the pipeline
KINDS = {"news", "lesson", "page", "opportunity", "centre"}


@dataclass
class LastBuild:
    """What the preview server's last good build was made of (kept in its memory)."""

    same_for: tuple  # what a rebuild must have in common with it (paths, drafts)
    now: dt.datetime
    site: Site
    env: jinja2.Environment
    objects: dict[str, Any]  # entity key -> object (see incremental.objects_of)
    files: dict[str, Any]  # content file -> signature, as incremental.Reuse has them
    routes: dict[str, Route]  # output path -> public route
    all_routes: list[Route]  # public and members, for the link audit
    people: list  # the members' people (see audit.members_people)
    result: Any  # the pipeline's BuildResult, told again with this rebuild's changes
    valid_until: dt.datetime | None = None  # see `valid_until`: found when first needed


@dataclass
class Rebuilt:
    changed: set[str]  # public files written anew
    warnings: list


def valid_until(now: dt.datetime, read_as: dict) -> dt.datetime:
    """The first moment after `now` at which the same files would build into a different
    site: the next UK midnight (today's date is shown), or a document's publish_date,
    expires or deadline reached. `read_as`: what every document read as (validate.py)."""
    tomorrow = now.astimezone(LOCAL_ZONE).date() + dt.timedelta(days=1)
    moments = [dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=LOCAL_ZONE)]
    for _, _, read in read_as.values():
        if isinstance(read, tuple):  # a Markdown document: (item, its common fields)
            item, common = read
            moments += [moment for moment in (common.publish_date, common.expires,
                                              getattr(item, "deadline", None))
                        if moment is not None and moment > now]
    return min(moments)


def rebuild(source: Path, shown_as: str, output: Path, options: validate.BuildOptions,
            memory: incremental.BuildMemory, changed_files: set[str]) -> Rebuilt | None:
    """Bring the public pages up to date after `changed_files` (one Markdown body edited)
    or return None, having changed nothing, for the pipeline to do it."""
    last: LastBuild | None = memory.last_build
    if last is None or not _same_moment(last, options, memory) or not _audits_ready(memory):
        return None
    errors = ErrorList()
    document = load.read_one_changed(source, shown_as, errors, memory.parsed,
                                     memory.known_files, changed_files)
    was = memory.read_as.get(document.path) if document is not None else None
    if errors.errors or was is None or document.kind not in KINDS:
        return None
    if was[0] is document:  # the same bytes as at the last build (saved unchanged)
        return Rebuilt(set(), last.result.warnings)
    item, common = was[2]
    key = incremental.entity_key(item)
    if last.objects.get(key) is not item:
        return None  # not in the site: a draft, or not published yet
    new_item, new_common = validate.read_one(document, last.site.config, last.site.media,
                                             errors)
    if errors.errors or not _only_body_differs(item, common, new_item, new_common):
        return None
    if _people_named(last, was[0]) != _people_named(last, document):
        return None  # the leak audit's fingerprints change: see audit.said_publicly
    # the pages that showed its body; the others read only what is the same as before
    readers = sorted(path for path, record in memory.pages.items() if key in record.bodies)
    if not all(path in last.routes for path in readers):
        return None  # a members page shows it (see members/pages.py)

    files = {**last.files, document.path: (memory.parsed[document.path][0],
                                           last.files[incremental.SITE_FILE][1])}
    reuse = incremental.Reuse(last.env, memory, last.objects, files, changed={key})
    if not reuse.templates_unchanged:
        return None
    before = item.body, item.html
    item.body, item.html = new_item.body, memory.bodies.render(new_item.body)
    done = None
    try:
        pages = _render(last, reuse, readers)
        done = _write(last, memory, output, pages) if pages is not None else None
    finally:
        if done is None:  # given up, or failed: as it was, for the pipeline
            item.body, item.html = before
            reuse.forget()
    if done is None:
        return None
    reuse.commit()
    memory.read_as[document.path] = (document, was[1], (item, new_common))
    last.files = files
    return Rebuilt(done, checks.site_warnings(last.site))


def _same_moment(last: LastBuild, options: validate.BuildOptions,
                 memory: incremental.BuildMemory) -> bool:
    """Would the last build's site be the same if built at `options.now`?"""
    if options.now == last.now:
        return True
    if last.valid_until is None:  # the documents read then are those read now (bar one
        last.valid_until = valid_until(last.now, memory.read_as)  # body), so it holds
    if not last.now < options.now < last.valid_until:
        return False
    # a template that shows the time itself makes every build differ (none of ours does)
    return ("<site>", "now") not in memory.seen_values and \
        ("<members>", "now") not in memory.seen_values


def _audits_ready(memory: incremental.BuildMemory) -> bool:
    return memory.leak_audit is not None and memory.link_files is not None and \
        bool(memory.feeds_and_data) and "public" in memory.outputs


def _only_body_differs(item, common, new_item, new_common) -> bool:
    """Are the two readings of a document the same but for its body? (Its derived fields,
    filled by graph.py, are not in the new one yet.)"""
    if type(item) is not type(new_item) or (common.draft, common.publish_date,
                                            common.expires) != (new_common.draft,
                                                                new_common.publish_date,
                                                                new_common.expires):
        return False
    own = [f.name for f in dataclasses.fields(item)
           if f.name not in DERIVED_FIELDS and f.name != "body"]
    return all(getattr(item, name) == getattr(new_item, name) for name in own) and \
        {k: v for k, v in common.entry.items() if k != "body"} == \
        {k: v for k, v in new_common.entry.items() if k != "body"}


def _people_named(last: LastBuild, document: load.RawDocument) -> set[str]:
    """Which of the members' people a public document names (see audit.said_publicly)."""
    return audit.said_publicly(last.people, audit.PublicText(
        {document.path: functools.partial(audit.public_source_text, document)}))


def _render(last: LastBuild, reuse: incremental.Reuse,
            readers: list[str]) -> dict[str, str] | None:
    templates: dict = {}
    pages = {}
    try:
        for path in readers:
            route = last.routes[path]
            context = reuse.context_digest(route.template, route.url, route.context,
                                           route.own)
            pages[path] = render_page(last.env, last.site, route, context, reuse, {},
                                      templates)
    except jinja2.TemplateError:
        return None  # the pipeline tells it, with its file and line
    return pages


def _write(last: LastBuild, memory: incremental.BuildMemory, output: Path,
           pages: dict[str, str]) -> set[str] | None:
    """Audit the pages as the pipeline would (members text, links), then write them."""
    leaks = memory.leak_audit[1]
    links = {}
    clean = {}
    for path, text in pages.items():
        links[path], clean[path] = audit.inspect_public_page(leaks, path, text)
        if clean[path] is None:
            return None  # members text in a public page: the pipeline reports it
    errors = ErrorList()
    audit.check_links(links, memory.link_files, last.all_routes,
                      last.site.config.base_path, dict, errors)
    if errors.errors:
        return None
    files = write.OutputFiles()
    for path, text in pages.items():
        files.add_text(path, text)
    written = write.update_in_place(output, "public", files, memory.outputs["public"],
                                    only=True)
    memory.outputs["public"] = written.signatures
    memory.search_stale_pages |= written.changed
    for digest in clean.values():
        memory.leak_clean[digest] = leaks.against
    return written.changed

"""The build, stage by stage: load -> validate -> site graph -> render -> audit -> write.

`run` is the recipe: each stage is a function below it, in the order it runs, given the
`Build` (what every stage shares: the folders, the options, the build memory, the
mistakes found so far) and what the stages before it made. Each stage adds to one
`ErrorList`; the build stops at the end of the first stage that found mistakes,
reporting all of them, and writes nothing until every check passed (links, and the leak
audit that keeps members content out of the public output).

The front door (`pipeline.build`) decides whether this runs at all: a site found up to
date, or one page edited in the preview server, takes a shorter way.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import jinja2

from . import (audit, checks, csp, graph, incremental, load, outputs, precompile, quickedit,
               readings, render, theme, validate, write)
from .bodies import CACHE_FILE as BODIES_CACHE_FILE, BodyRenderer, stamp as bodies_stamp
from .buildinfo import INDEX_ROOT, BuildResult, Paths, check_location, is_ignored
from .config import read_site_config
from .digests import FileDigests
from .editor import publish as editor_publish
from .errors import ContentError, ContentErrors, ErrorList
from .media import check_media, kind_of
from .members import deploy, pages as members_pages
from .model import SiteConfig
from .outputs import search

if TYPE_CHECKING:
    from .members import credentials  # imported where used: encrypt mode only


@dataclass
class Build:
    """What every stage of one build shares."""

    paths: Paths
    options: validate.BuildOptions
    memory: incremental.BuildMemory  # what the last build left (see incremental.py)
    defer: bool  # the preview server's page-only build (see pipeline.build)
    step: "_Stages"  # names the stage that runs now (timed, shown in the progress bar)
    errors: ErrorList = field(default_factory=ErrorList)
    started: float = field(default_factory=time.perf_counter)
    ahead: precompile.Ahead | None = None  # templates compiled meanwhile
    adopting: write.Adopting | None = None  # the published files looked at meanwhile
    intact: dict[str, set[str]] = field(default_factory=dict)  # root -> published files
    # found as the last build wrote them, when this one started (see write.start_adopting)
    stored: readings.KeptReadings | None = None  # a command-line build's kept readings
    # what the site graph, its routes and its files were made from, for the preview
    # server's quick rebuilds (see quickedit.py): noted by its catch-up builds only;
    # what the site's orders were made from apart (see graph.orders)
    graph_reads: incremental.Recorder | None = None
    order_reads: incremental.Recorder | None = None
    checked: dict[str, tuple] | None = None  # content files' statuses, just taken (load.load)
    sources: FileDigests | None = None  # the files published as they are (media, theme
    # assets) by their bytes: the leak audit's and the write's, so what is written is
    # what was audited (see check_for_leaks)
    while_indexing: list[Callable[[], None]] = field(default_factory=list)  # work that
    # would be done after the write, done instead while Pagefind makes the search index
    # (see _while_indexing)
    warnings: tuple[list[ContentError], dict] | None = None  # see _warnings
    kept_warnings: checks.KeptWarnings | None = None  # ...noted for quick rebuilds
    taken_down: list[ContentError] = field(default_factory=list)  # links to documents
    # that expired (see audit.check_links)


@contextlib.contextmanager
def _graph_reads_noted(b: Build) -> Iterator[None]:
    """Note what the code run meanwhile reads of the content objects in `b.graph_reads`,
    if the build keeps it (an attribute read that reports costs several times one that
    does not: a command-line build does not pay for it)."""
    if b.graph_reads is None:
        yield
        return
    with incremental.reads_recorded(b.graph_reads):
        yield


def _orders_apart(b: Build) -> Callable[[], contextlib.AbstractContextManager]:
    """What the graph puts around the making of the site's orders: their reads noted
    apart from the rest of the graph's, when those are noted."""
    if b.order_reads is None:
        return contextlib.nullcontext
    return functools.partial(incremental.reads_told_apart, b.order_reads)


def run(paths: Paths, options: validate.BuildOptions,
        progress: Callable[[str], None] | None, memory: incremental.BuildMemory,
        defer: bool, changed_files: set[str] | None = None,
        remember: bool = False, adopting: write.Adopting | None = None,
        ahead: precompile.Ahead | None = None,
        checked: dict[str, tuple] | None = None,
        while_indexing: Iterable[Callable[[], None]] = ()) -> BuildResult:
    """The pipeline. `changed_files`, `checked`: see load.load; `remember`: keep the
    site graph in `memory` after a good build, for the preview server's quick rebuilds
    (quickedit.py); `adopting`: the published files, looked at already (see
    load_content); `ahead`: the templates' compiler, if started already (None: once the
    settings are read); `while_indexing`: the caller's work to do after the build that
    may be done while the search index is made, if one is (see _while_indexing)."""
    memory.last_build = None  # from here on the objects it holds are being changed
    # what the graph reads is noted by the preview server's catch-up builds: noting it
    # doubles the graph's time, which a build one waits for does not pay
    noted = remember and not defer
    b = Build(paths, options, memory, defer, _Stages(progress, {}), adopting=adopting,
              ahead=ahead, graph_reads=incremental.Recorder() if noted else None,
              order_reads=incremental.Recorder() if noted else None, checked=checked,
              sources=FileDigests(memory.source_digests), while_indexing=list(while_indexing))
    try:
        return _stages(b, changed_files, remember)
    finally:  # the helpers (see load_content), however the build ended
        if b.ahead is not None:
            b.ahead.stop()
        if b.adopting is not None:
            b.adopting.stop()


def _stages(b: Build, changed_files: set[str] | None, remember: bool) -> BuildResult:
    folder, config = load_content(b, changed_files)
    b.step("validate")
    validated = validate_content(b, folder, config, on_disk=not remember)
    b.step("site graph")
    site = make_site_graph(b, folder, config, validated)
    b.step("render")
    reuse = _reuse_of_last_build(b, folder, site, remember)
    b.intact = b.adopting.finish()  # (after: the look may still be going on)
    stage = write.Stage(b.paths.output)  # the pages as rendered, until they are written
    try:
        made = render_site(b, folder, config, validated, site, reuse, stage)
        b.step("audit")
        check_links(b, made, site, validated)
        members_root = protect_members(b, made, site, config)
        leaks_scanned = check_for_leaks(b, made, folder, validated.left_out)
        b.step("write")
        b.while_indexing.insert(0, functools.partial(_warnings, b, site, reuse))
        written = write_site(b, made, site, config, members_root)
        told_apart = [*b.taken_down, *theme.site_template_warnings(
            b.paths.templates, render.default_templates())]
        warnings = [*_warnings(b, site, reuse), *told_apart]
        _remember(b, made)
        reuse.commit()
        b.step("done")
        result = _result(b, made, site, config, written, leaks_scanned, warnings)
        if remember:
            b.memory.last_build = _kept_for_quick_edits(b, validated, site, made, reuse,
                                                        result, told_apart)
        return result
    except BaseException:
        reuse.forget()  # see Reuse.forget
        raise
    finally:
        stage.remove()


# -- load, validate ------------------------------------------------------------------------

def load_content(b: Build, changed_files: set[str] | None
                 ) -> tuple[load.ContentFolder, SiteConfig]:
    """Every content file read (only those changed since the last build are parsed), and
    the site settings."""
    memory = b.memory
    if memory.known_files is None:
        memory.known_files = load.KnownFiles()
    # which published files are as the last build left them (one a CI cache restored,
    # with the bytes written, is adopted), found while the content loads and validates
    # (see write.start_adopting), if not while the memory was read (pipeline.py)
    if b.adopting is None:
        b.adopting = write.start_adopting(b.paths.output, memory.published(), memory.spares)
    folder = load.load(b.paths.source, b.paths.shown, b.errors, parsed=memory.parsed,
                       known=memory.known_files, changed=changed_files,
                       digests=memory.file_digests, checked=b.checked)
    _known_as_read(b.sources, folder.media)
    config = read_site_config(folder.site, b.errors) if folder.site else None
    if config is None:
        b.errors.raise_if_any()
        raise ContentErrors([])  # unreachable: a missing config is always reported
    if b.ahead is None:  # not started before the memory was read (see pipeline.py)
        b.ahead = precompile.start(b.paths.templates, config)
    return folder, config


def _known_as_read(sources: FileDigests, media: list[load.MediaFile]) -> None:
    """Give `sources` the digest of each media file as the up-to-date check read it
    (`MediaFile.read_as`): used by the leak audit and the write while the file keeps the
    status it had then (digests.py), so a fresh clone's media (every one with a new
    status) are not read again, twice. Read so, each PDF was also searched again at
    every CI build, the PDF reader loaded to read it (75 ms at 10,000 documents),
    when the audit knew files by their place and times."""
    for file in media:
        if file.read_as is not None and file.read_as[0] is not None:  # (None: racy)
            sources.kept[str(file.source)] = file.read_as


def validate_content(b: Build, folder: load.ContentFolder, config: SiteConfig,
                     on_disk: bool = False) -> validate.Validated:
    """Every document's reading; `on_disk` (a command-line build, whose memory is kept
    on disk): those of documents whose file the last build read too, as it kept them (see
    readings.py), the others validated and kept for the next build."""
    check_media(folder, b.errors)  # published as they are: only inert kinds of file
    stored = _kept_readings(b.memory, folder, config) if on_disk else None
    validated = validate.validate(folder, config, b.options, b.errors,
                                  cache=b.memory.read_as, stored=stored)
    if on_disk:
        b.memory.readings = stored.kept if stored is not None else {}
    if stored is not None:
        validated.html_kept = stored.html_kept
    b.stored = stored
    return validated


def _kept_readings(memory: incremental.BuildMemory, folder: load.ContentFolder,
                   config: SiteConfig) -> readings.KeptReadings | None:
    site = memory.parsed.get(folder.site.path) if folder.site else None
    if site is None or site[1] is not folder.site:
        return None  # site.yaml not as read from its bytes: nothing is kept
    key = readings.reading_key(site[0], {m.rel for m in folder.media},
                               {m.rel for m in folder.members_media},
                               bodies_stamp(config.base_path))
    return readings.KeptReadings(memory.readings, memory.parsed, key, folder.replaced)


# -- site graph ----------------------------------------------------------------------------

@dataclass
class SiteGraph:
    """The public site and the members' one, with what made their Markdown."""

    public: graph.Site
    members: graph.MembersSite
    bodies: BodyRenderer
    roster: credentials.Roster | None  # encrypt mode: the members the key is wrapped to


def make_site_graph(b: Build, folder: load.ContentFolder, config: SiteConfig,
                    validated: validate.Validated) -> SiteGraph:
    """Cross references, derived relations, open or closed by --now; Markdown rendered."""
    paths, memory = b.paths, b.memory
    bodies = memory.bodies
    cache_file = paths.cache / BODIES_CACHE_FILE
    if bodies is None or (bodies.base_path, bodies.cache_file) != (config.base_path,
                                                                   cache_file):
        bodies = memory.bodies = BodyRenderer(config.base_path, cache_file)
    bodies.start_build()
    with _graph_reads_noted(b):
        site = graph.build_site(validated, b.options, b.errors, bodies, _orders_apart(b))
        members = graph.build_members_site(validated, b.options, b.errors, bodies)
    if b.stored is not None:  # the bodies rendered, kept with their readings
        b.stored.note_html(memory.read_as, validated.html_rendered)
    problem = check_location(paths.secrets, paths.source, paths.output)
    if problem:
        b.errors.add(str(paths.secrets), 1, "secrets", problem)
    roster = _members_for_encryption(config, folder, paths, b.errors)
    b.errors.raise_if_any()
    if not b.defer:  # the preview server's page-only build leaves it to the catch-up build
        bodies.save()
    return SiteGraph(site, members, bodies, roster)


# -- render --------------------------------------------------------------------------------

@dataclass
class Made:
    """Every file the render stage made (or kept from the last build), and what the
    audits found while the pages rendered."""

    env: jinja2.Environment
    page_routes: list[render.Route]
    member_routes: list[render.Route]
    public: write.OutputFiles  # every public file
    page_paths: list[str]  # which of them are pages
    members_files: dict  # members pages and feeds, by output path ("members/...")
    members_media: dict[str, Path]
    inspected: dict  # output path -> what the audits' look at it found
    public_check: render.Inspection
    leaks: audit.LeakAudit
    people: list  # the members' people (see audit.members_people)
    in_place: bool  # written in place (the preview server's page-only build)
    # what this build's public files and index are known by in the memory of files found
    # clean (see audit.check_leaks), and whether the files kept as published were skipped
    leak_keys: set[str] = field(default_factory=set)
    kept_unaudited: bool = False


def _reuse_of_last_build(b: Build, folder: load.ContentFolder,
                         site: SiteGraph, remember: bool) -> incremental.Reuse:
    """What decides, page by page, whether the last build's page still stands (with memos
    for the next build when `remember`: see Reuse)."""
    memory = b.memory
    env = render.make_environment(b.paths.templates, site.public.config,
                                  compiled=memory.compiled,
                                  ahead=b.ahead.take)
    config_file = memory.parsed.get(folder.site.path, (None,))[0]
    # what every document is shown with: site.yaml, and what shapes its Markdown's HTML
    # (Markdown's and nh3's versions: an upgrade, a sanitiser's fix say, reaches every page)
    settings = incremental.digest(f"{config_file}|{bodies_stamp(site.public.config.base_path)}")
    return incremental.Reuse(
        env, memory, incremental.objects_of(site.public, site.members),
        {**{path: (signature, settings) for path, (signature, _) in memory.parsed.items()},
         incremental.SITE_FILE: (config_file, settings)} if config_file else None,
        remembers=remember)


def render_site(b: Build, folder: load.ContentFolder, config: SiteConfig,
                validated: validate.Validated, site: SiteGraph,
                reuse: incremental.Reuse, stage: write.Stage) -> Made:
    """Every page, feed and data file. The audits look at each page while it is rendered
    (in the worker rendering it); the members pages are rendered first, while this
    process makes the fingerprints the public pages are audited against, and the feeds
    and data. Pages are put in `stage` as they are rendered, not held in memory."""
    paths, memory, errors, env = b.paths, b.memory, b.errors, reuse.env
    with _graph_reads_noted(b):
        page_routes = render.routes(site.public)
        member_routes = members_pages.members_routes(site.members)
        public_outputs = outputs.public_outputs(env, site.public, page_routes)
    encrypt = config.protection == "encrypt"
    # the preview server's page-only rebuild keeps the last build's feeds and data
    # (see _feeds_and_data); its first build makes them
    feeds_kept = b.defer and bool(memory.feeds_and_data)
    members_check = render.Inspection(_inspect_members_page)
    members_rendered = _render(lambda: members_pages.start_members_render(
        env, site.public, site.members, member_routes, None if encrypt else reuse,
        published_file(paths, memory, "members", "members/", b.defer, b.intact),
        defer=feeds_kept, inspect=members_check, stage=stage), paths, errors)
    try:
        documents = _members_documents(folder, b.sources)
        leaks, people = _leak_audit(folder, validated.left_out, site.members, member_routes,
                                    memory, site.bodies, config.base_url, paths.cache,
                                    documents, functools.cache(functools.partial(
                                        _site_frame, env, site.public, page_routes)))
        feeds_made = _render(lambda: _feeds_and_data(
            public_outputs, paths, memory, feeds_kept, reuse, b.intact), paths, errors)
    except BaseException:
        members_rendered.cancel()
        raise
    members_files = _render(members_rendered.result, paths, errors)
    public_check = audit.public_inspection(leaks, memory.leak_clean)
    pages = _render(lambda: render.render_routes(
        env, site.public, page_routes, reuse,
        published_file(paths, memory, "public", "", b.defer, b.intact), public_check, stage),
        paths, errors)
    b.ahead.stop()  # every page is rendered: what the helper has yet to compile is unused
    for clean in public_check.results.values():
        if clean[1] is not None:
            memory.leak_clean[clean[1]] = leaks.against
    public = write.OutputFiles(pages)
    page_paths = list(pages)
    del pages
    for asset_path, asset in _assets(paths.templates):
        if asset_path not in public:
            public[asset_path] = _published_asset(asset_path, asset)
    for media in folder.media:
        public[f"media/{media.rel}"] = media.source
    public.update(editor_publish.admin_files(config, paths.source))
    for path, made in feeds_made.items():
        if isinstance(made, Path):
            public[path] = made
        else:
            public.add_text(path, made)
    memory.feeds_and_data = set(feeds_made)
    return Made(env=env, page_routes=page_routes, member_routes=member_routes,
                public=public, page_paths=page_paths, members_files=members_files,
                members_media={f"members/media/{m.rel}": m.source
                               for m in folder.members_media},
                inspected={**public_check.results, **members_check.results},
                public_check=public_check, leaks=leaks, people=people,
                in_place=feeds_kept)  # a first preview build (no feeds yet) is written whole


# -- audit ---------------------------------------------------------------------------------

def check_links(b: Build, made: Made, site: SiteGraph, validated: validate.Validated) -> None:
    """Every internal link leads somewhere (public and members pages together: members
    pages link to public ones)."""
    memory, public = b.memory, made.public
    html_pages = {**{p: public[p] for p in made.page_paths},
                  **{p: t for p, t in made.members_files.items() if p.endswith(".html")}}
    all_files = set(public) | set(made.members_files) | set(made.members_media)
    # a page kept from the last build passed this audit then; while no file has gone
    # since, its links still lead somewhere, so only pages rendered now are checked (all
    # of which were inspected as they rendered)
    nothing_gone = memory.link_files is not None and memory.link_files <= all_files
    page_links = {path: made.inspected[path][0] if path in made.inspected else _links(page)
                  for path, page in html_pages.items()
                  if path in made.inspected or not (nothing_gone and isinstance(page, Path))}
    s, members = site.public, site.members
    sources = functools.cache(lambda: audit.markdown_sources(s, members))
    audit.check_links(page_links, all_files, [*made.page_routes, *made.member_routes],
                      s.config.base_url, sources, b.errors,
                      audit.left_out_addresses(validated.left_out), b.taken_down,
                      (b.paths.templates, render.default_templates()))
    audit.check_policies({path: seen[2] for path, seen in made.inspected.items()},
                         csp.policies(s.config.base_path, meta=True,
                                      images=(s.config.map.tile_origin,)),
                         [*made.page_routes, *made.member_routes], b.errors)
    b.errors.raise_if_any()
    memory.link_files = all_files


def protect_members(b: Build, made: Made, site: SiteGraph,
                    config: SiteConfig) -> write.OutputFiles | None:
    """Encrypt mode: the members pages encrypted into the public site (None returned);
    server mode: the members folder, to serve behind a password."""
    if config.protection != "encrypt":
        members_root = write.OutputFiles()
        for path, page in made.members_files.items():
            members_root[path.removeprefix("members/")] = page
        for path, media_source in made.members_media.items():
            members_root[path.removeprefix("members/")] = media_source
        return members_root
    shell = made.env.get_template("members/locked.html").render(site=site.public,
                                                                current_url="/members/")
    plain = {p: (t.read_text(encoding="utf-8") if isinstance(t, Path) else t.decode("utf-8"))
             for p, t in made.members_files.items()}
    _marked_for_encrypting(plain, b.errors)
    from .members import protect  # encrypt mode only (as credentials)

    encrypted = protect.encrypt_members(plain, made.members_media, site.roster.members,
                                        site.roster.stretching, shell, config.base_path,
                                        _url_key(b.paths))
    made.public.update(encrypted.files)
    return None


def _marked_for_encrypting(pages: dict[str, str], errors: ErrorList) -> None:
    """Each members page marks the part encrypt mode encrypts and shows in the sign-in
    page (members/base.html's <!--members-main--> lines): a site's copy without them had
    each page shown whole inside that page, two headers, two mains, two skip links (a
    theme customiser's review)."""
    unmarked = sorted(path for path, text in pages.items() if path.endswith(".html") and
                      not 0 <= text.find(members_pages.MAIN_START) < text.find(
                          members_pages.MAIN_END))
    if unmarked:
        errors.add("templates/members/base.html", 0, "template", f"the members page /{unmarked[0].removesuffix('index.html')}"
                   f"{f' and {len(unmarked) - 1} more' if len(unmarked) > 1 else ''} lack "
                   f"the lines {members_pages.MAIN_START} and {members_pages.MAIN_END} "
                   "around their main content, which encrypt mode encrypts and shows in the "
                   "sign-in page: keep them in members/base.html, as the theme's has them")
        errors.raise_if_any()


def check_for_leaks(b: Build, made: Made, folder: load.ContentFolder,
                    left_out: dict | None = None) -> int:
    """Nothing members-only in any public file; returns how many files were looked at.
    `left_out`: the documents not published in this build (see validate.Validated)."""
    paths, memory, errors, leaks = b.paths, b.memory, b.errors, made.leaks
    public_documents = {d.path: d for d in [folder.site, *folder.documents]
                        if d is not None and not d.members_only}
    # the preview server's page-only rebuild: while the fingerprints are those the
    # published files passed, the files kept as published need no second look
    audited = made.kept_unaudited = b.defer and memory.audited_against == leaks.against
    to_audit = _not_published(made.public, paths) if audited else made.public
    checked = made.public_check.results
    scanned = len(checked) + audit.check_leaks(
        to_audit, leaks, str(paths.output / "public"), errors, clean=memory.leak_clean,
        digests={**({} if audited else _kept_digests(made.public, paths, memory)),
                 **{path: seen[1] for path, seen in checked.items() if seen[1]}},
        used=made.leak_keys, made_from={r.output_path: r.source for r in made.page_routes
                                   if r.source},
        written_in=lambda source: audit.public_source_text(public_documents[source])
        if source in public_documents else "",
        as_is={f"media/{media.rel}": load.shown_path(paths.shown, f"media/{media.rel}")
               for media in folder.media}, sources=b.sources)
    former = _former_text_searched(memory)
    published = _published_as_is(folder, paths) if folder.members_media or former else []
    for file, members_media in audit.copied_members_media(published, folder.members_media):
        errors.add(file.shown, 1, "leak",
                   f"this file is a copy of the members-only file members/media/"
                   f"{members_media.rel}; members files must never be published: remove "
                   "this copy, or, if it is meant for everyone now, take both out and build, "
                   "then put this one back and build again")
    if former:
        for file, source in audit.former_members_media(
                published, memory.post_fingerprints, b.sources.digest):
            errors.add(file.shown, 1, "leak", f"this file is the members-only file "
                       f"{source}, the same bytes: {audit.FORMER_REMEDY}")
    _former_text_unpublished(memory, leaks, folder, left_out or {}, errors)
    errors.raise_if_any()
    return scanned


def _published_as_is(folder: load.ContentFolder, paths: Paths) -> list[audit.PublishedAsIs]:
    """The files the site publishes as they are, where a members file could be put: its
    media, and its own theme files (templates/assets/: a members photo put there was
    published unchecked, found by a review); not ccsite's theme, which is no one's copy."""
    site_assets = paths.templates.resolve() / "assets"
    return [*(audit.PublishedAsIs(load.shown_path(paths.shown, f"media/{media.rel}"),
                                  media.source) for media in folder.media),
            *(audit.PublishedAsIs(str(source), source)
              for _, source in _assets(paths.templates)
              if source.resolve().is_relative_to(site_assets))]


def _former_text_searched(memory: incremental.BuildMemory) -> bool:
    """Does this build search for text the last one had in members/ (see
    audit.former_in_unpublished)? Asked without reading the fingerprints' lazy part
    when the build did not read it: then it made no fingerprints, and there is none."""
    return memory.read_already("post_fingerprints") and \
        audit.any_former(memory.post_fingerprints)


def _former_text_unpublished(memory: incremental.BuildMemory, leaks: audit.LeakAudit,
                             folder: load.ContentFolder, left_out: dict,
                             errors: ErrorList) -> None:
    """What the last build had in members/, in a public document this build leaves out
    (see audit.former_in_unpublished): told now, while that text is still searched for.
    Looked at only when there is such text (its part read: see audit.any_former)."""
    if not _former_text_searched(memory):
        return
    unpublished = [d for d in folder.documents if not d.members_only
                   and d.slug in left_out.get(d.kind, {})]
    for document, fingerprint in audit.former_in_unpublished(leaks, unpublished):
        errors.add(document.path, 1, "leak", f"holds the members-only {fingerprint.what} "
                   f"'{fingerprint.text[:57]}' from {fingerprint.source}, though it is not "
                   "published yet (a draft, or a publish_date to come): it would be "
                   f"published with it. {audit.FORMER_REMEDY}")


# -- write ---------------------------------------------------------------------------------

def write_site(b: Build, made: Made, site: SiteGraph, config: SiteConfig,
               members_root: write.OutputFiles | None) -> write.Written:
    """Each root swapped in whole (the preview server's page-only build: in place); the
    search index is made from the written pages before the public folder is swapped in.
    A file published as it is that was saved again after the leak audit looked at it
    stops the build, the public folder as it was (see write._copy_as_read)."""
    try:
        return _write_site(b, made, site, config, members_root)
    except write.ChangedWhileBuilding as exc:
        b.errors.add(str(exc.path), 1, "file", write.CHANGED_WHILE_BUILDING)
        b.errors.raise_if_any()
        raise


def _write_site(b: Build, made: Made, site: SiteGraph, config: SiteConfig,
                members_root: write.OutputFiles | None) -> write.Written:
    paths, memory, errors = b.paths, b.memory, b.errors
    errors.errors.extend(_unwritable(paths.output))
    errors.raise_if_any()
    sources = b.sources
    if made.in_place:  # the preview server: only what changed (see write.update_in_place)
        written = write.update_in_place(paths.output, "public", made.public,
                                        memory.outputs.get("public"), sources=sources)
        _note_stamp(memory, "public", written)
        memory.search_stale_pages |= {p for p in written.changed | written.removed
                                      if p.endswith(".html")}
    else:
        index = functools.partial(_index_search, b, made, search.page_counts(site.public))
        written = write.write_root(paths.output, "public", made.public, finish=index,
                                   previous=memory.outputs.get("public"),
                                   force=bool(memory.search_stale_pages) or
                                   not _index_as_left(b, paths.output / "public"),
                                   sources=sources, spare_holds=_spare_holds(b, "public"),
                                   stamp=memory.stamps.get("public"))
        _note_spare(memory, "public", written)
        if written.swapped:
            memory.index_stamp = write.folder_stamp(written.root, _index_paths(memory))
        else:  # nothing public changed: the published index is kept
            _audit_kept_index(b, made, paths.output / "public")
    memory.outputs["public"] = written.signatures
    if members_root is not None:
        if made.in_place:
            members_written = write.update_in_place(
                paths.output, "members", members_root, memory.outputs.get("members"),
                sources=sources)
            _note_stamp(memory, "members", members_written)
        else:
            members_written = write.write_root(
                paths.output, "members", members_root, previous=memory.outputs.get("members"),
                sources=sources, spare_holds=_spare_holds(b, "members"),
                stamp=memory.stamps.get("members"))
            _note_spare(memory, "members", members_written)
        memory.outputs["members"] = members_written.signatures
        deploy_files = write.OutputFiles()
        for name, text in deploy.deploy_files(config).items():
            deploy_files.add_text(name, text)
        deploy_written = write.write_root(
            paths.output, "deploy", deploy_files, previous=memory.outputs.get("deploy"),
            stamp=memory.stamps.get("deploy"))
        _note_stamp(memory, "deploy", deploy_written)
        memory.outputs["deploy"] = deploy_written.signatures
    else:  # encrypt mode: a members root left by an earlier server-mode build must go
        for stale in ("members", "deploy"):
            write.recover_interrupted(paths.output, stale)  # a killed build's copies
            shutil.rmtree(paths.output / stale, ignore_errors=True)
            shutil.rmtree(paths.output / f"{write.SPARE_PREFIX}{stale}", ignore_errors=True)
            memory.outputs.pop(stale, None)
    memory.source_digests = sources.used
    return written


def _index_as_left(b: Build, published: Path) -> bool:
    """Is the search index in the published site as the last build left it: each of its
    files found as made (see _index_as_made), and no file put in its folders since? If
    not, the site is swapped even when no page changed, and the new one made with just
    the index files found as made (the bundles of others made anew: see _index_search)."""
    memory = b.memory
    return memory.search_files is not None and memory.index_stamp is not None and \
        len(b.intact.get(INDEX_ROOT, ())) == len(memory.search_files) and \
        write.folder_stamp(published, _index_paths(memory)) == memory.index_stamp


def _index_paths(memory: incremental.BuildMemory) -> Iterator[str]:
    return (f"{search.SUBDIR}/{rel}" for rel in memory.search_files or ())


def published_folders(memory: incremental.BuildMemory
                      ) -> list[tuple[str, Iterable[str], str | None]]:
    """(root, the files a build put in it, its folders' stamp as then): each published
    folder, and the search index's, as the last write left them, for a later build to
    check nothing was put in them since (see uptodate.still_current)."""
    return [*((root, files, memory.stamps.get(root)) for root, files in memory.outputs.items()),
            ("public", _index_paths(memory), memory.index_stamp)]


def _spare_holds(b: Build, root: str) -> tuple | None:
    """What the root's spare folder holds: as listed when this build started (a CI
    cache restored it: see write.start_adopting), else as the last write recorded."""
    listed = b.adopting.spares.get(root) if b.adopting else None
    return listed or b.memory.spares.get(root)


def _note_spare(memory: incremental.BuildMemory, root: str, written: write.Written) -> None:
    """What the root's spare folder holds now, for the next write to make its folder from
    it without walking it (see write.write_root), and the published folder's stamp."""
    _note_stamp(memory, root, written)
    if written.swapped:
        if written.spare is not None:
            memory.spares[root] = written.spare
        else:
            memory.spares.pop(root, None)


def _note_stamp(memory: incremental.BuildMemory, root: str, written: write.Written) -> None:
    if written.stamp is None:
        memory.stamps.pop(root, None)
    else:
        memory.stamps[root] = written.stamp


def _index_search(b: Build, made: Made, counts: dict[str, int], root: Path,
                  changed: set[str]) -> None:
    """Index the new public folder before it is swapped in: only the bundles whose pages
    changed since the index was made (see outputs/search.py), each audited for members
    text as soon as it is made."""
    memory, errors = b.memory, b.errors
    published = b.paths.output / "public"
    old_index = published / search.SUBDIR
    stale = {p for p in changed | memory.search_stale_pages if p.endswith(".html")}
    shards = search.shard_names(counts)
    kept = _index_as_made(b)  # what may be taken from the published index
    broken = search.bundles_of(set(memory.search_files or ()) - set(kept or ()))
    same_layout = kept is not None and memory.search_shards == shards
    audit = functools.partial(_audit_index, b, made, root)
    if same_layout and not stale and not broken:
        write.sync_tree(old_index, root / search.SUBDIR, only=set(kept))  # its pages are too
        if _kept_index_to_audit(b, made):
            audit([root / search.SUBDIR / rel for rel in sorted(kept)])
    else:
        b.step("search index")
        try:
            index = search.update_search_index(
                root, [p for p in made.public if p.endswith(".html")],
                old_index if same_layout else None, counts,
                stale if same_layout else None, memory.search_unindexed,
                audit, kept or (),  # each bundle as made, and those kept, meanwhile
                audit if _kept_index_to_audit(b, made) else None, broken,
                meanwhile=functools.partial(_while_indexing, b))
        except search.SearchIndexError as exc:
            errors.add(str(published), 0, "search", str(exc))
        errors.raise_if_any()
        memory.search_stale_pages = set()
        memory.search_shards = shards
        memory.search_unindexed = index.unindexed
    errors.raise_if_any()
    memory.search_files = search.index_records(root, kept or {})
    memory.index_audited_against = made.leaks.against
    b.step("publish")  # the new folder swapped in, the old one removed


def _while_indexing(b: Build) -> None:
    """What the build would do after the write (its warnings, and its caller's work:
    the parts of the build memory written, see pipeline.py), done while Pagefind makes
    the search index: the build would otherwise only wait for it, a third of a second
    of a build after one edit at 10,000 documents. Each is work that needs neither the
    index nor the new site in place, and is done after the write, as before, by a
    build that makes no index."""
    jobs, b.while_indexing = b.while_indexing, []
    for job in jobs:
        job()


def _index_as_made(b: Build) -> dict[str, str] | None:
    """The files of the published index found as the last build made them (path in it
    -> record), by what the build found of them as it started (see write.start_adopting:
    read, if their status changed, by a helper on a large site; none through a link: see
    write.real_folders); None when none is recorded."""
    recorded = b.memory.search_files
    if recorded is None:
        return None
    return {rel: recorded[rel] for rel in b.intact.get(INDEX_ROOT, ()) if rel in recorded}


def _audit_index(b: Build, made: Made, root: Path, files: list[Path]) -> None:
    audit.check_leaks({p.relative_to(root).as_posix(): p for p in files}, made.leaks,
                      str(b.paths.output / "public"), b.errors, clean=b.memory.leak_clean,
                      by_content=True, used=made.leak_keys)


def _kept_index_to_audit(b: Build, made: Made) -> bool:
    """Are the index files kept from the last build to be read against the fingerprints
    too? When these changed (members content did): a kept file has the bytes it had when
    it was audited (see _index_as_made). Those of the same bytes as a file found clean
    are not read again."""
    return b.memory.index_audited_against != made.leaks.against


def _audit_kept_index(b: Build, made: Made, root: Path) -> None:
    """The published index, kept whole by a build that changed no public page."""
    if _kept_index_to_audit(b, made):
        _audit_index(b, made, root, [root / search.SUBDIR / rel
                                     for rel in sorted(b.memory.search_files or ())])
        b.errors.raise_if_any()
    b.memory.index_audited_against = made.leaks.against


# -- what the next build is told, and what this one reports ---------------------------------

def _remember(b: Build, made: Made) -> None:
    """What the build memory keeps of this build, beyond what each stage noted."""
    memory = b.memory
    memory.own_warnings = b.warnings[1]  # (see _warnings)
    pages = set(made.page_paths) | set(made.members_files)  # (its feed too: a record
    # dropped is a file made again by the next build)
    for gone in set(memory.pages) - pages:
        del memory.pages[gone]
    for gone in set(memory.made_files) - set(made.public) - set(made.members_files):
        del memory.made_files[gone]
    memory.audited_against = made.leaks.against
    if not b.defer:  # every calendar published now carries this build's stamp (a page-only
        # rebuild of the preview server keeps them as they were: see _feeds_and_data)
        from .outputs import calendars

        memory.stamped_on = calendars.stamp_of(b.options.now)
    if memory.read_already("post_fingerprints"):  # (else none were made: nothing former)
        audit.forget_former(memory.post_fingerprints)
    keys = made.leak_keys
    if not made.kept_unaudited and len(memory.leak_clean) > 3 * len(keys) + 1000:  # old
        # files' keys pile up (a build that looked at some files only knows theirs)
        memory.leak_clean = {key: memory.leak_clean[key] for key in keys
                             if key in memory.leak_clean}


def _warnings(b: Build, site: SiteGraph, reuse: incremental.Reuse) -> list[ContentError]:
    """The site's warnings (see checks.py): of a file unchanged since the last build,
    the warnings it had then; those of the site as a whole (which depend on the day and
    on other files) made anew. Looked for once, while the search index is made if it
    is (see _while_indexing); the memory keeps each file's own when the build is done."""
    if b.warnings is None:
        if b.graph_reads is not None:  # a catch-up build: noted for quick rebuilds
            b.kept_warnings = _warnings_noted(site, reuse.objects)
        b.warnings = checks.site_warnings_keeping(site.public, site.members,
                                                  b.memory.own_warnings, reuse.unchanged,
                                                  b.kept_warnings)
    return b.warnings[0]


def _warnings_noted(site: SiteGraph, objects: dict[str, Any]) -> checks.KeptWarnings | None:
    """The warnings of the site as a whole, with what making them read of the content
    objects by kind and attribute, and the titles alike: what a quick rebuild keeps
    while its edit changes none of what was read (see checks.KeptWarnings). None when
    they read an object this build's do not name (then none are kept)."""
    with incremental.reads_recorded() as recorder:
        of_the_site = checks.warnings_of_the_site(site.public, site.members)
    if any(key not in objects for key, _ in recorder.reads):
        return None
    return checks.KeptWarnings(
        of_the_site, frozenset(incremental.attribute_name(objects[key], attribute)
                               for key, attribute in recorder.reads),
        checks.TitlesAlike(site.public, site.members))


def _result(b: Build, made: Made, site: SiteGraph, config: SiteConfig,
            written: write.Written, scanned: int,
            warnings: list[ContentError]) -> BuildResult:
    routes = made.page_routes
    return BuildResult(
        timings=b.step.timings, cpu_timings=b.step.cpu, public=written.root, pages=_count_sections(routes),
        files=len(made.public), seconds=time.perf_counter() - b.started,
        members_pages=sum(1 for p in made.members_files if p.endswith(".html")),
        protection=config.protection, leak_scanned=scanned, base_path=config.base_path,
        warnings=warnings,
        page_sources={r.url: r.source for r in [*routes, *made.member_routes] if r.source},
        changed=len(written.changed), removed=len(written.removed),
        outputs=b.memory.outputs)


def _kept_for_quick_edits(b: Build, validated: validate.Validated, site: SiteGraph,
                          made: Made, reuse: incremental.Reuse, result: BuildResult,
                          told_apart: list[ContentError]) -> quickedit.LastBuild:
    """What the preview server's quick rebuild works from (see quickedit.py)."""
    return quickedit.LastBuild(
        same_for=(b.paths, b.options.drafts), now=b.options.now, validated=validated,
        site=site.public, members=site.members, env=made.env, objects=reuse.objects,
        files=reuse.files, routes={r.output_path: r for r in made.page_routes},
        member_routes=made.member_routes, people=made.people, result=result,
        graph_reads=frozenset(b.graph_reads.reads) if b.graph_reads is not None else None,
        order_reads=frozenset(b.order_reads.reads) if b.order_reads is not None else None,
        warnings=b.kept_warnings, told_apart=told_apart)


def _unwritable(output: Path) -> list[ContentError]:
    """The output folders a build would fail to swap: checked before the first one is,
    so the public site and the members section are never left one new, one old."""
    folders = [output, *(output / name for name in ("public", "members", "deploy"))]
    return [ContentError(str(folder), 1, "output", "cannot be written (permission denied); "
                         "the build replaces this folder, so whoever runs it must be able "
                         "to write to it and to the folder it is in")
            for folder in folders if folder.exists() and not os.access(folder, os.W_OK)]


class _Stages:
    """Times each stage of a build and tells the progress display which one is running:
    wall seconds, and CPU seconds (this process's, and its helpers' once they have
    finished: Markdown and page workers, the templates' compiler, Pagefind), to say where
    a build's time goes."""

    def __init__(self, progress: Callable[[str], None] | None, timings: dict[str, float]):
        self.progress = progress or (lambda name: None)
        self.timings = timings
        self.cpu: dict[str, float] = {}
        self.current = "load"
        self.since, self.cpu_since = time.perf_counter(), _cpu_seconds()
        self.progress("load")

    def __call__(self, name: str) -> None:
        now, cpu = time.perf_counter(), _cpu_seconds()
        self.timings[self.current] = self.timings.get(self.current, 0) + now - self.since
        self.cpu[self.current] = self.cpu.get(self.current, 0) + cpu - self.cpu_since
        self.current, self.since, self.cpu_since = name, now, cpu
        self.progress(name)


def _cpu_seconds() -> float:
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def published_file(paths: Paths, memory: incremental.BuildMemory, root: str, prefix: str,
                   trust: bool = False, intact: dict[str, set[str]] | None = None):
    """The last build's file for an output path, if it is still the file that was written:
    one of `intact`, the files found as written when this build started (see
    Build.intact). With `trust` (the preview server's page-only rebuild), files are taken
    to be as they were written without looking; its catch-up build looks, and mends any
    that are not."""
    recorded = memory.outputs.get(root, {})
    found = recorded if trust else (intact or {}).get(root, set())
    folder = f"{paths.output / root}/"
    known = memory.published_paths.setdefault(folder, {})  # the preview server makes each
    # Path once (by output path: it is asked for every page at every build)

    def find(output_path: str) -> Path | None:
        rel = output_path.removeprefix(prefix)
        if rel not in found:
            return None
        path = known.get(output_path)
        if path is None:
            path = known[output_path] = Path(folder + rel)
        return path
    return find


def _feeds_and_data(makers: dict[str, outputs.Maker], paths: Paths,
                    memory: incremental.BuildMemory, keep: bool,
                    reuse: incremental.Reuse,
                    intact: dict[str, set[str]]) -> dict[str, str | Path]:
    """Every public file that is not a page: the last build's where nothing it read has
    changed (see Reuse.make_file), else made. With `keep` (the preview server's page-only
    rebuild), the last build's file where there is one, for the catch-up build to renew
    (its record goes, so that build makes it). A file a change adds is made at once, as a
    page may link to it (an opportunity that opens links its deadline's calendar); one it
    removes is gone."""
    kept = published_file(paths, memory, "public", "", trust=True)
    previous = published_file(paths, memory, "public", "", intact=intact)
    files: dict[str, str | Path] = {}
    for path, make in makers.items():
        published = kept(path) if keep and path in memory.feeds_and_data else None
        if published is not None:
            memory.made_files.pop(path, None)
            files[path] = published
        else:
            files[path] = reuse.make_file(path, make, previous,
                                          getattr(make, "context", ""),
                                          getattr(make, "restamp", None),
                                          getattr(make, "stamp", None))
    return files


def _not_published(public: write.OutputFiles, paths: Paths) -> dict:
    """The public files that are not the published file of the same path."""
    published = f"{paths.output / 'public'}/"
    return {rel: content for rel, content in public.items()
            if not write.is_published_copy(content, published, rel)}


def _kept_digests(public: write.OutputFiles, paths: Paths,
                  memory: incremental.BuildMemory) -> dict[str, str]:
    """The content digest of each public file kept from the last build (see write.py)."""
    recorded = memory.outputs.get("public", {})
    published = f"{paths.output / 'public'}/"
    return {rel: write.content_digest(recorded[rel]) for rel, content in public.items()
            if rel in recorded and write.is_published_copy(content, published, rel)}


def _inspect_members_page(output_path: str, text: str
                          ) -> tuple[list[str], None, tuple[str, ...] | None]:
    return sorted(set(audit.links_in(text))), None, audit.policies_first(text)


def _links(page: str | bytes | Path) -> list[str]:
    """The links of a page (one kept from the last build is read from its file)."""
    if isinstance(page, Path):
        page = page.read_bytes()
    if isinstance(page, bytes):
        page = page.decode("utf-8")
    return sorted(set(audit.links_in(page)))


def _members_for_encryption(config, folder, paths: Paths,
                            errors: ErrorList) -> credentials.Roster | None:
    """The members an encrypted build wraps its key to; each must have a public key (one
    added by an older ccsite has none, and must be given a new passphrase first)."""
    if config.protection != "encrypt":
        return None
    from .members import credentials

    site_file = folder.site
    line = _protection_line(site_file)
    try:
        roster = credentials.MemberStore(paths.secrets).read()
    except credentials.CredentialError as exc:
        errors.add(site_file.path, line, "members.protection", str(exc))
        return None
    if not roster.members:
        errors.add(site_file.path, line, "members.protection",
                   "encrypt mode needs at least one member to open the members area, and "
                   f"{paths.secrets} has none; add one with: ccsite members add \"Name\"")
    old = credentials.rekey_message(roster.without_public_keys())
    if old:
        errors.add(site_file.path, line, "members.protection", old)
    return roster


def _protection_line(site_file) -> int:
    members = site_file.data.get("members")
    if members is not None and hasattr(members.value, "key_lines"):
        return members.value.key_lines.get("protection", members.line)
    return 1


def _url_key(paths: Paths) -> bytes:
    from .members import credentials

    return credentials.MemberStore(paths.secrets).url_key()


def _members_documents(folder: load.ContentFolder, sources: FileDigests | None
                       ) -> list[audit.MembersDocument]:
    """The files of members/media/, for the leak audit (see audit.members_fingerprints),
    each known by the digest of its bytes: read only when its status changed (the
    build's record of the files it publishes as they are, `sources`, keeps them with the
    others). Those that hold text are fingerprinted by it; every one is remembered by its
    bytes, so that one moved into media/ is found (see audit.former_members_media)."""
    sources = sources if sources is not None else FileDigests()
    documents = []
    for file in folder.members_media:
        kind = kind_of(file.rel)
        try:
            digest = sources.digest(str(file.source))
        except OSError:  # gone meanwhile, or unreadable: check_media tells
            continue
        documents.append(audit.MembersDocument(
            file.shown or str(file.source), digest, file.source.read_bytes,
            holds_text=kind is not None and kind.holds_text))
    return documents


def _site_frame(env: jinja2.Environment, site, page_routes: list[render.Route]) -> str:
    """What every public page says around its own content (its header, menus and footer:
    the templates with site.yaml's values), as the leak audit searches it: the text of the
    page that has no content of its own, the 404 page. A members document (a briefing
    pack) often carries such text too ("All content is available under the Open
    Government Licence", "X is run by Y County Council"), which is no leak."""
    route = next((r for r in page_routes if r.url == "/404.html"), None)
    try:
        return audit.searchable(render.render_page(env, site, route, None, None, {}, {})) \
            if route is not None else ""
    except Exception:  # (a template mistake: the page's own render tells it)
        return ""


def _leak_audit(folder, left_out: dict, members, member_routes,
                memory: incremental.BuildMemory, bodies: BodyRenderer,
                base_url: str, cache: Path, documents: list[audit.MembersDocument] = (),
                frame: Callable[[], str] = lambda: "") -> tuple[audit.LeakAudit, list]:
    """The leak audit's fingerprints, ready to search with. Each post's are kept between
    builds by its text; the preview server keeps the whole audit while what it is made
    from is the same (the members files and the text of those in members/media/, their
    addresses, and which of the members' people the public content names), so a
    public edit does not rebuild it.
    `left_out`: the documents not published in this build (see validate.Validated).
    `frame()`: what every public page says around its content (see `_site_frame`), made
    only when the fingerprints are (a members file's, and the last build's members text,
    are not searched for in it)."""
    public = [document for document in [folder.site, *folder.documents]
              if document is not None and not document.members_only
              and document.slug not in left_out.get(document.kind, {})]
    texts = {}
    for document in public:  # what each says, and the contacts it gives
        signature = _signature(document, memory.parsed)
        texts[signature] = functools.partial(audit.public_source_text, document)
        texts[(signature, "contacts")] = functools.partial(audit.contact_details, document)
    public_text = audit.PublicText(texts, memory.public_mentions)
    contact_keys = {key for key in texts if key[-1] == "contacts"}
    people = audit.members_people(members)
    said = audit.said_publicly(people, public_text, contact_keys)
    key = (base_url, frozenset(said), tuple(route.url for route in member_routes),
           tuple(sorted(members.media)), tuple((d.source, d.digest) for d in documents),
           incremental.digest(frame()) if any(d.holds_text for d in documents) else "",
           tuple(_signature(document, memory.parsed)
                                       for document in folder.documents
                                       if document.members_only))
    if memory.leak_audit is not None and memory.leak_audit[0] == key:
        return memory.leak_audit[1], people

    def fingerprints() -> list[audit.Fingerprint]:
        return audit.members_fingerprints(
            members, member_routes, people, said,
            _unpublished_posts(folder, members, bodies), cache=memory.post_fingerprints,
            documents=documents, frame=frame())
    # the last command-line build's, when made from the same: made only if some file is
    # not known clean against them (see audit.LeakAudit.known)
    written = incremental.digest(incremental.identity(key))
    if memory.leak_key == written and memory.leak_against is not None:
        leaks = audit.LeakAudit.known(fingerprints, base_url, *memory.leak_against,
                                      kept=functools.partial(audit.kept_needles, cache))
    else:
        leaks = audit.LeakAudit(fingerprints(), base_url)
        audit.save_needles(cache, leaks)
    if _former_text_searched(memory):  # searched for in this build only:
        written = None  # the next makes its fingerprints again (see audit.forget_former)
    memory.leak_key = written
    memory.leak_against = (leaks.against, leaks.any_needles, leaks.digits)
    memory.leak_audit = (key, leaks)
    return leaks, people


# where each kind of Markdown document is published (see render.routes, members/pages.py)
def _unpublished_posts(folder, members, bodies: BodyRenderer) -> list[audit.UnpublishedPost]:
    """The members documents this build leaves out (drafts, not yet published, expired),
    as the leak audit fingerprints them: their text is members-only all the same."""
    published = {post.source for post in [*members.posts, *members.pages]}
    posts = []
    for document in folder.documents:
        if document.members_only and document.rel.endswith(".md") and \
                document.path not in published:
            title, summary = (document.data.get(name) for name in ("title", "summary"))
            posts.append(audit.UnpublishedPost(
                document.path, title.raw or "" if title else "",
                summary.raw if summary else None, bodies.render(document.body)))
    return posts


def _signature(document: load.RawDocument, parsed: dict) -> tuple[str, Any]:
    """A document's file and the signature of its bytes (see load.py); one that has none
    is known by its object, so it never matches another build's."""
    signature = parsed.get(document.path, (None,))[0]
    return document.path, signature if signature is not None else id(document)


def _render(make: Callable[[], Any], paths: Paths, errors: ErrorList) -> Any:
    """Run a render, turning a template mistake into a `path:line: template:` error: any
    error raised by a template's own code (a missing variable, dividing text by a number)
    is told at the template's line; one raised elsewhere is ccsite's own, and goes on."""
    try:
        return make()
    except jinja2.TemplateSyntaxError as exc:
        errors.add(exc.filename or str(paths.templates), exc.lineno or 0, "template",
                   exc.message or "syntax error")
    except jinja2.TemplateNotFound as exc:
        where = _template_line(exc) or (str(paths.templates), 0)
        errors.add(*where, "template", f"'{exc.name}' was not found")
    except Exception as exc:
        where = _template_line(exc)
        if not isinstance(exc, jinja2.TemplateError) and not _raised_by_template(exc):
            raise  # ccsite's own mistake (in a filter, say): a traceback is what helps
        message = str(exc) if isinstance(exc, jinja2.TemplateError) else \
            f"{exc} ({type(exc).__name__})"
        if message in PAGE_VARIABLES_UNDEFINED:  # a macro file copied from an older theme
            message += (" (macros.html is imported without the page's variables: give the "
                        "macro what it shows, as the default theme's centre_card is given "
                        "the centre and shows centre.service_names)")
        where, message = _at_the_macros_copy(where, message, paths.templates)
        errors.add(*(where or (str(paths.templates), 0)), "template", message)
    errors.raise_if_any()
    return {}


def _at_the_macros_copy(where: tuple[str, int] | None, message: str, templates: Path
                        ) -> tuple[tuple[str, int] | None, str]:
    """A macro the theme's templates use, missing from the site's copy of macros.html, is
    told at that copy, the file to mend: the build named the theme's template that uses
    it, a file never touched, in Jinja's words ("'jinja2.environment.TemplateModule
    object' has no attribute 'closing'": a theme customiser's review)."""
    missing = _MACRO_MISSING.fullmatch(message)
    copies = [templates / name for name in ("macros.html", "members/macros.html")
              if (templates / name).is_file()]
    if not (missing and copies):
        return where, message
    used = f"{Path(where[0]).name}, line {where[1]}" if where else "a template"
    return (str(copies[0]), 1), (
        f"has no macro '{missing[1]}', which the theme's templates use ({used}): it is a "
        "copy from an older theme, or the macro was taken out; copy the theme's "
        "macros.html again (see its first line) and make your changes to it")


def _raised_by_template(exc: BaseException) -> bool:
    """Was `exc` raised by a template's own code (its innermost frame a template's)?"""
    frames = _frames(exc)
    return bool(frames) and _is_template(frames[-1][0])


def _template_line(exc: BaseException) -> tuple[str, int] | None:
    """The template file and line an error was raised at: Jinja runs a template as code
    compiled under the template's own file name, and maps its lines back when raising."""
    return next((frame for frame in reversed(_frames(exc)) if _is_template(frame[0])), None)


def _frames(exc: BaseException) -> list[tuple[str, int]]:
    """(file, line) of each frame `exc` passed through, outermost first."""
    frames = []
    trace = exc.__traceback__
    while trace is not None:
        frames.append((trace.tb_frame.f_code.co_filename, trace.tb_lineno))
        trace = trace.tb_next
    return frames


def _is_template(filename: str) -> bool:
    return filename.endswith((".html", ".xml", ".txt", ".j2"))


PAGE_VARIABLES_UNDEFINED = {"'site' is undefined", "'current_url' is undefined"}
_MACRO_MISSING = re.compile(r"'jinja2\.environment\.TemplateModule object' has no attribute "
                            r"'(\w+)'")


def _assets(site_templates: Path) -> list[tuple[str, Path]]:
    """Theme files under templates/assets/, the site's own first so they override."""
    found = []
    for root in (site_templates, render.default_templates()):
        assets = root / "assets"
        if assets.is_dir():
            found += [(f"assets/{p.relative_to(assets).as_posix()}", p)
                      for p in sorted(assets.rglob("*")) if p.is_file() and not any(
                          map(is_ignored, p.relative_to(assets).parts))]
    return found  # (not editors' hidden, backup and lock files: a site.js~ was published,
    # where the up-to-date check, which leaves them out as load does, never saw it)


def _published_asset(path: str, source: Path) -> Path | bytes:
    """A theme file as the site publishes it: ccsite's own scripts and stylesheets
    without their comments and spaces (rjsmin, rcssmin: a phone fetches two fifths less
    of each, while templates/ keeps them for whoever reads the theme); a library's
    (vendor/, published minified already), and a site's own files (its templates/assets/,
    which a minifier could misread: rjsmin takes a nested template literal's `//` for a
    comment), as they are."""
    theme_assets = render.default_templates() / "assets"
    if path.startswith("assets/vendor/") or source.suffix not in (".js", ".css") or \
            source.parent != theme_assets:
        return source
    found = source.stat()
    return _minified(str(source), found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=32)
def _minified(source: str, mtime_ns: int, size: int) -> bytes:
    """A theme script or stylesheet without its comments and spaces, made once while the
    file is as it was (the preview server builds at every edit: 6 ms each time)."""
    import rcssmin
    import rjsmin

    text = Path(source).read_text(encoding="utf-8")
    small = rcssmin.cssmin(text, keep_bang_comments=True) if source.endswith(".css") else \
        rjsmin.jsmin(text, keep_bang_comments=True)
    return small.encode("utf-8")


def _count_sections(page_routes: list[render.Route]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for route in page_routes:
        section = route.url.strip("/").split("/")[0] or "home"
        if route.template == "page.html":
            section = "pages"
        elif route.template == "404.html":
            section = "not-found page"
        elif route.template == "members-help.html":
            section = "sign-in help"
        counts[section] = counts.get(section, 0) + 1
    return counts

"""The build, stage by stage: load -> validate -> site graph -> render -> audit -> write.

Each stage adds to one `ErrorList`; the build stops at the end of the first stage that
found mistakes, reporting all of them, and writes nothing until every check passed
(links, and the leak audit that keeps members content out of the public output).
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2

from . import (audit, checks, graph, incremental, load, outputs, quickedit, render,
               uptodate, validate, write)
from .bodies import BodyRenderer
from .config import read_site_config
from .editor import publish as editor_publish
from .errors import ContentError, ContentErrors, ErrorList
from .media import check_media
from .members import credentials, deploy, pages as members_pages, protect
from .outputs import search

CACHE_FOLDER = ".ccsite-cache"  # beside content/, git-ignored, safe to delete (see
MEMORY_FILE, STAMP_FILE = "build-memory.cbor", "build-stamp.cbor"  # cachefolder.py)


@dataclass
class BuildResult:
    public: Path
    pages: dict[str, int]  # section -> pages written
    files: int
    seconds: float
    members_pages: int = 0
    protection: str = "server"
    leak_scanned: int = 0
    warnings: list = field(default_factory=list)  # ContentError-shaped, from checks.py
    base_path: str = "/"
    page_sources: dict[str, str] = field(default_factory=dict)  # site path -> content file
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    changed: int = 0  # public files new or different from the last build
    removed: int = 0
    up_to_date: bool = False  # nothing had changed, so nothing was done (see uptodate.py)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def summary(self) -> dict:
        """What a build that finds the site up to date reports again."""
        return {name: getattr(self, name) for name in SUMMARY}


# what a stamp keeps of a build's result (uptodate.py), each of its kind: a stamp is read
# from the cache folder, where a damaged or planted one must make a build, not a traceback
SUMMARY = {"pages": (dict, int), "files": (int, None), "members_pages": (int, None),
           "protection": (str, None), "warnings": (list, None), "base_path": (str, None),
           "page_sources": (dict, str)}


def _summary_fits(summary: dict) -> bool:
    return summary.keys() == SUMMARY.keys() and all(
        type(summary[name]) is kind and (items is None or all(
            type(key) is str and type(value) is items for key, value in summary[name].items()))
        for name, (kind, items) in SUMMARY.items())


@dataclass
class Paths:
    """Where a build reads and writes, resolved once from the command's options."""

    source: Path
    output: Path
    shown: str  # the content folder as the editor typed it, for messages
    templates: Path  # the site's own templates (may not exist)
    secrets: Path
    cache: Path

    @classmethod
    def of(cls, source: Path, output: Path, templates: Path | None = None,
           shown_as: str | None = None, secrets: Path | None = None) -> "Paths":
        # `--source .` has no parent until resolved; others keep the form given, for messages
        beside = source.parent if source.name not in ("", ".", "..") else source.resolve().parent
        return cls(source=source, output=output,
                   shown=shown_as if shown_as is not None else str(source),
                   templates=templates if templates is not None else beside / "templates",
                   secrets=secrets or credentials.default_secrets_folder(source),
                   cache=beside / CACHE_FOLDER)


def build(source: Path, output: Path, options: validate.BuildOptions,
          templates: Path | None = None, shown_as: str | None = None,
          secrets: Path | None = None,
          progress: Callable[[str], None] | None = None,
          memory: incremental.BuildMemory | None = None,
          defer: bool = False, changed_files: set[str] | None = None) -> BuildResult:
    """Build the site in `source` into `output/`; raise ContentErrors on mistakes.

    `memory` is what the last build left (see incremental.py); without it, it is read from
    and saved to the cache folder beside content/. With `memory` and `defer` (the preview
    server's memory, kept in its process), only pages are brought up
    to date: feeds, calendars, open data and the search index stay as the last build made
    them, for a following build without `defer` to renew (the preview server does this, so
    an edited page reloads without waiting for them); such a file the change adds (that a
    page may link to) is made, one it removes is gone. `changed_files`: with `memory`, the
    files (absolute paths) that changed since the last build that walked the content
    folder, as the preview server's watcher saw them; None walks it (see load.py).
    """
    paths = Paths.of(source, output, templates, shown_as, secrets)
    problem = _folder_problem(paths)
    if problem is not None:  # before the lock: a wrong folder is left as it was
        raise ContentErrors([problem])
    try:
        with write.BuildLock(paths.output):
            if memory is not None:  # the preview server: its own memory, no stamp
                with _no_cycle_collection(defer):
                    if defer and changed_files:
                        quick = _quick_rebuild(paths, options, memory, changed_files)
                        if quick is not None:
                            return quick
                    return _build(paths, options, progress, memory, defer, changed_files,
                                  remember=True)
            return _build_unless_up_to_date(paths, options, progress)
    except write.LockedError as exc:
        raise ContentErrors([ContentError(str(paths.output), 1, "lock", str(exc))]) from None


def _folder_problem(paths: Paths) -> ContentError | None:
    """A content or output folder that cannot be right (told before anything is made)."""
    if not paths.source.is_dir():
        here = " (ccsite was run inside the content folder: run it from the folder " \
            "that holds content/)" if Path("site.yaml").is_file() else ""
        return ContentError(paths.shown, 1, "source", f"content folder not found at "
                            f"{paths.source.resolve()}{here}; give the folder that holds "
                            "site.yaml with --source DIR")
    if paths.output.exists() and not paths.output.is_dir():
        return ContentError(str(paths.output), 1, "output", "is a file, not a folder; give "
                            "--output a folder to build the site into")
    source, output = paths.source.resolve(), paths.output.resolve()
    if output == source or source in output.parents:
        return ContentError(str(paths.output), 1, "output", "the site would be built inside "
                            f"the content folder {paths.shown}, and read back as content; "
                            "build beside it instead (--output with a folder outside it)")
    return None


def _unwritable(output: Path) -> list[ContentError]:
    """The output folders a build would fail to swap: checked before the first one is,
    so the public site and the members section are never left one new, one old."""
    folders = [output, *(output / name for name in ("public", "members", "deploy"))]
    return [ContentError(str(folder), 1, "output", "cannot be written (permission denied); "
                         "the build replaces this folder, so whoever runs it must be able "
                         "to write to it and to the folder it is in")
            for folder in folders if folder.exists() and not os.access(folder, os.W_OK)]


@contextlib.contextmanager
def _no_cycle_collection(active: bool):
    """The preview server keeps the whole site in memory, and Python's cycle collector
    walks all of it whenever enough objects are made, a third of a page-only rebuild's
    time on a large site. Such a build makes little garbage, so the collector is off while
    it runs, and what it made is then frozen (set aside from the collector, see
    gc.freeze): collecting it at once would keep the page waiting for another tenth of
    the rebuild. The catch-up build that follows (not `active`), which the editor does
    not wait for, gives it back to the collector."""
    if not active:
        gc.unfreeze()
        yield
        return
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    except BaseException:
        gc.unfreeze()  # no catch-up build follows a failed one: give all back now
        raise
    else:
        gc.freeze()
    finally:
        gc.enable()


def _build_unless_up_to_date(paths: Paths, options: validate.BuildOptions,
                             progress: Callable[[str], None] | None) -> BuildResult:
    """A build from the command line: nothing is done when nothing changed (uptodate.py)."""
    started = time.perf_counter()
    stamp_file = paths.cache / STAMP_FILE
    taken = time.time_ns()
    inputs = uptodate.snapshot([paths.source, paths.templates, render.default_templates(),
                                Path(__file__).parent, paths.secrets])
    settings = (options.now.isoformat(), options.drafts, paths.shown,
                *(str(p.resolve()) for p in (paths.source, paths.output, paths.templates,
                                             paths.secrets)))
    stamp = uptodate.read(stamp_file)
    if uptodate.still_current(stamp, inputs, settings) and _summary_fits(stamp.summary):
        seconds = time.perf_counter() - started
        return BuildResult(**stamp.summary, public=paths.output / "public", seconds=seconds,
                           timings={"up to date": seconds}, up_to_date=True)
    uptodate.forget(stamp_file)  # from here on the published site may change
    result = _build_with_memory_on_disk(paths, options, progress)
    if uptodate.racy(inputs, taken):
        return result
    uptodate.save(stamp_file, uptodate.Stamp(
        inputs=inputs, options=settings,
        published=uptodate.published_files(paths.output, result.outputs),
        summary=result.summary()))
    return result


def _build_with_memory_on_disk(paths: Paths, options: validate.BuildOptions,
                               progress: Callable[[str], None] | None) -> BuildResult:
    """The build memory read from the cache folder, and saved there after a successful
    build, once the build's pages and site graph have been let go (less memory at once)."""
    memory_file = paths.cache / MEMORY_FILE
    memory = incremental.BuildMemory.read(memory_file)
    result = _build(paths, options, progress, memory, defer=False)
    started = time.perf_counter()
    memory.save(memory_file)
    result.timings["save memory"] = seconds = time.perf_counter() - started
    result.seconds += seconds
    return result


def _quick_rebuild(paths: Paths, options: validate.BuildOptions,
                   memory: incremental.BuildMemory, changed_files: set[str]) -> BuildResult | None:
    """The preview server's rebuild after one Markdown document was edited (see
    quickedit.py), or None when the change is anything else."""
    last = memory.last_build
    if last is None or last.same_for != (paths, options.drafts):
        return None
    started = time.perf_counter()
    try:
        done = quickedit.rebuild(paths.source, paths.shown, paths.output, options, memory,
                                 changed_files, _published(paths, memory, "public", "",
                                                           trust=True))
    except BaseException:
        memory.last_build = None  # whatever it did, the next build does the whole way
        raise
    if done is None:
        return None
    seconds = time.perf_counter() - started
    result = memory.last_build.result = dataclasses.replace(
        last.result, warnings=done.warnings, changed=len(done.changed), removed=0,
        seconds=seconds, timings={"quick edit": seconds}, outputs=memory.outputs)
    return result


def _build(paths: Paths, options: validate.BuildOptions,
           progress: Callable[[str], None] | None, memory: incremental.BuildMemory,
           defer: bool, changed_files: set[str] | None = None,
           remember: bool = False) -> BuildResult:
    """The pipeline. `remember`: keep the site graph in `memory` after a good build, for
    the preview server's quick rebuilds (see quickedit.py)."""
    started = time.perf_counter()
    memory.last_build = None  # from here on the objects it holds are being changed
    errors = ErrorList()
    timings: dict[str, float] = {}
    step = _Stages(progress, timings)

    # load, validate, site graph
    if memory.known_files is None:
        memory.known_files = load.KnownFiles()
    folder = load.load(paths.source, paths.shown, errors, parsed=memory.parsed,
                       known=memory.known_files, changed=changed_files)
    config = read_site_config(folder.site, errors) if folder.site else None
    if config is None:
        errors.raise_if_any()
        raise ContentErrors([])  # unreachable: a missing config is always reported
    step("validate")
    check_media(folder, errors)  # published as they are: only inert kinds of file
    validated = validate.validate(folder, config, options, errors, cache=memory.read_as)
    step("site graph")
    bodies = memory.bodies
    if bodies is None or (bodies.base_path, bodies.cache_file) != (
            config.base_path, paths.cache / "markdown.json"):
        bodies = memory.bodies = BodyRenderer(config.base_path, paths.cache / "markdown.json")
    bodies.start_build()
    site = graph.build_site(validated, options, errors, bodies)
    members = graph.build_members_site(validated, options, errors, bodies)
    problem = credentials.check_location(paths.secrets, paths.source, paths.output)
    if problem:
        errors.add(str(paths.secrets), 1, "secrets", problem)
    roster = _members_for_encryption(config, folder, paths, errors)
    errors.raise_if_any()
    if not defer:  # the preview server's page-only build leaves it to the catch-up build
        bodies.save()

    step("render")
    env = render.make_environment(paths.templates, config, compiled=memory.compiled)
    config_file = memory.parsed.get(folder.site.path, (None,))[0]
    reuse = incremental.Reuse(
        env, memory, incremental.objects_of(site, members),
        {**{path: (signature, config_file) for path, (signature, _) in memory.parsed.items()},
         incremental.SITE_FILE: (config_file, config_file)} if config_file else None)
    try:
        page_routes = render.routes(site)
        member_routes = members_pages.members_routes(members)
        encrypt = config.protection == "encrypt"
        # the preview server's page-only rebuild keeps the last build's feeds and data
        # (see _feeds_and_data); its first build makes them
        feeds_kept = defer and bool(memory.feeds_and_data)
        # the audits look at each page while it is rendered (in the worker rendering it);
        # the members pages are rendered first, while this process makes the fingerprints
        # the public pages are audited against, and the feeds and data
        members_check = render.Inspection(_inspect_members_page)
        members_rendered = _render(lambda: members_pages.start_members_render(
            env, site, members, member_routes, None if encrypt else reuse,
            _published(paths, memory, "members", "members/", defer),
            defer=feeds_kept, inspect=members_check), paths, errors)
        try:
            leaks, people = _leak_audit(folder, validated.left_out, members,
                                        member_routes, memory, bodies, config.base_url)
            feeds_made = _render(lambda: _feeds_and_data(
                outputs.public_outputs(env, site, page_routes), paths, memory, feeds_kept),
                paths, errors)
        except BaseException:
            members_rendered.cancel()
            raise
        members_files = _render(members_rendered.result, paths, errors)
        public_check = audit.public_inspection(leaks)
        pages = _render(lambda: render.render_routes(
            env, site, page_routes, reuse, _published(paths, memory, "public", "", defer),
            public_check), paths, errors)
        for clean in public_check.results.values():
            if clean[1] is not None:
                memory.leak_clean[clean[1]] = leaks.against
        inspected = {**public_check.results, **members_check.results}
        public = write.OutputFiles(pages)
        page_paths = list(pages)
        del pages
        for asset_path, asset in _assets(paths.templates):
            public.setdefault(asset_path, asset)
        for media in folder.media:
            public[f"media/{media.rel}"] = media.source
        public.update(editor_publish.admin_files(config, paths.source))
        defer = feeds_kept  # a first preview build (no feeds yet) is written whole
        for path, made in feeds_made.items():
            if isinstance(made, Path):
                public[path] = made
            else:
                public.add_text(path, made)
        memory.feeds_and_data = set(feeds_made)
        members_media = {f"members/media/{m.rel}": m.source for m in folder.members_media}

        # audit links (public and members pages together: members pages link to public ones)
        step("audit")
        html_pages = {**{p: public[p] for p in page_paths},
                      **{p: t for p, t in members_files.items() if p.endswith(".html")}}
        all_files = set(public) | set(members_files) | set(members_media)
        # a page kept from the last build passed this audit then; while no file has gone
        # since, its links still lead somewhere, so only pages rendered now are checked
        nothing_gone = memory.link_files is not None and memory.link_files <= all_files
        page_links = {path: inspected[path][0] if path in inspected else _links(page)
                      for path, page in html_pages.items()
                      if not (nothing_gone and isinstance(page, Path))}
        sources = functools.cache(lambda: {
            **{a.source: (a.about, a.lines.get("about", 1)) for a in site.agencies},
            **{e.source: (e.body, e.body_line) for e in [
                *site.centres, *site.opportunities, *site.consultations, *site.lessons,
                *site.news, *site.pages, *members.posts, *members.pages]}})
        audit.check_links(page_links, all_files, [*page_routes, *member_routes],
                          config.base_url, sources, errors,
                          _left_out_addresses(validated.left_out))
        errors.raise_if_any()
        memory.link_files = all_files

        # protect the members section, then make sure nothing of it is public
        members_root: write.OutputFiles | None = None
        if encrypt:
            shell = env.get_template("members/locked.html").render(site=site, current_url="/members/")
            plain = {p: (t.read_text(encoding="utf-8") if isinstance(t, Path)
                         else t.decode("utf-8")) for p, t in members_files.items()}
            encrypted = protect.encrypt_members(plain, members_media, roster.members,
                                                roster.stretching, shell, config.base_path,
                                                _url_key(paths))
            public.update(encrypted.files)
        else:
            members_root = write.OutputFiles()
            for path, page in members_files.items():
                members_root[path.removeprefix("members/")] = page
            for path, media_source in members_media.items():
                members_root[path.removeprefix("members/")] = media_source
        public_documents = {d.path: d for d in [folder.site, *folder.documents]
                            if d is not None and not d.members_only}
        leak_keys: set[str] = set()  # what this build's files are known by, to keep
        # the preview server's page-only rebuild: while the fingerprints are those the
        # published files passed, the files kept as published need no second look
        audited = defer and memory.audited_against == leaks.against
        to_audit = _not_published(public, paths) if audited else public
        scanned = len(public_check.results) + audit.check_leaks(
            to_audit, leaks, str(paths.output / "public"), errors, clean=memory.leak_clean,
            digests={**({} if audited else _kept_digests(public, paths, memory)),
                     **{path: seen[1] for path, seen in public_check.results.items() if seen[1]}},
            used=leak_keys, made_from={r.output_path: r.source for r in page_routes
                                       if r.source},
            written_in=lambda source: audit.public_source_text(public_documents[source])
            if source in public_documents else "")
        for media, members_media in audit.copied_members_media(folder.media,
                                                               folder.members_media):
            errors.add(f"{paths.shown}/media/{media.rel}", 1, "leak",
                       f"this file is a copy of the members-only file members/media/"
                       f"{members_media.rel}; members files must never be published: "
                       "remove it from media/, or, if it is meant for everyone, remove the "
                       "members copy and link this one")
        errors.raise_if_any()

        # write: each root swapped in whole; the search index is made from the written pages
        step("write")
        errors.errors.extend(_unwritable(paths.output))
        errors.raise_if_any()
        published = paths.output / "public"

        def audit_index(root: Path, files: list[Path]) -> None:
            audit.check_leaks({p.relative_to(root).as_posix(): p for p in files}, leaks,
                              str(published), errors, clean=memory.leak_clean,
                              by_content=True, used=leak_keys)

        def audit_kept_index(root: Path, made: list[Path]) -> None:
            """When the fingerprints changed (members content did), the index files kept
            from the last build (all but `made`) are read against them too."""
            if memory.index_audited_against != leaks.against:
                audit_index(root, sorted({p for p in (root / search.SUBDIR).rglob("*")
                                          if p.is_file()} - set(made)))
                errors.raise_if_any()
            memory.index_audited_against = leaks.against

        def finish(root: Path, changed: set[str]) -> None:
            """Index the new public folder before it is swapped in: only the bundles
            whose pages changed since the index was made (see outputs/search.py)."""
            old_index = published / search.SUBDIR
            stale = {p for p in changed | memory.search_stale_pages if p.endswith(".html")}
            if old_index.is_dir() and not stale and memory.search_news == len(site.news):
                write.link_tree(old_index, root / search.SUBDIR)  # its pages are too
                made: list[Path] = []
            else:
                step("search index")
                same_layout = old_index.is_dir() and memory.search_news is not None and \
                    search.shard_names(memory.search_news) == search.shard_names(len(site.news))
                try:
                    index = search.update_search_index(
                        root, [p for p in public if p.endswith(".html")],
                        old_index if same_layout else None, len(site.news),
                        stale if same_layout else None, memory.search_unindexed,
                        functools.partial(audit_index, root))  # each bundle as it is made
                except search.SearchIndexError as exc:
                    errors.add(str(published), 0, "search", str(exc))
                errors.raise_if_any()
                made = index.files
                memory.search_stale_pages = set()
                memory.search_news = len(site.news)
                memory.search_unindexed = index.unindexed
            audit_kept_index(root, made)
            step("publish")  # the new folder swapped in, the old one removed

        if defer:  # the preview server: only what changed, in place (see write.update_in_place)
            written = write.update_in_place(paths.output, "public", public,
                                            memory.outputs.get("public"))
            memory.search_stale_pages |= {p for p in written.changed | written.removed
                                          if p.endswith(".html")}
        else:
            written = write.write_root(paths.output, "public", public, finish=finish,
                                       previous=memory.outputs.get("public"),
                                       force=bool(memory.search_stale_pages))
            if not written.swapped:  # nothing public changed: the published index is kept
                audit_kept_index(published, [])
        memory.outputs["public"] = written.signatures
        if members_root is not None:
            write_members = write.update_in_place if defer else write.write_root
            memory.outputs["members"] = write_members(
                paths.output, "members", members_root,
                previous=memory.outputs.get("members")).signatures
            deploy_files = write.OutputFiles()
            for name, text in deploy.deploy_files(config).items():
                deploy_files.add_text(name, text)
            memory.outputs["deploy"] = write.write_root(
                paths.output, "deploy", deploy_files, previous=memory.outputs.get("deploy")
            ).signatures
        else:  # encrypt mode: a members root left by an earlier server-mode build must go
            for stale in ("members", "deploy"):
                write.recover_interrupted(paths.output, stale)  # a killed build's copies
                shutil.rmtree(paths.output / stale, ignore_errors=True)
                shutil.rmtree(paths.output / f"{write.SPARE_PREFIX}{stale}", ignore_errors=True)
                memory.outputs.pop(stale, None)
        _forget_gone_pages(memory, set(html_pages))
        memory.audited_against = leaks.against
        if not audited and len(memory.leak_clean) > 3 * len(leak_keys) + 1000:  # old
            # files' keys pile up (a build that looked at some files only knows theirs)
            memory.leak_clean = {key: memory.leak_clean[key] for key in leak_keys
                                 if key in memory.leak_clean}
        reuse.commit()
        file_count = len(public)
        members_count = sum(1 for p in members_files if p.endswith(".html"))
        del public, html_pages, members_files, members_root  # written: let their bytes go
        step("done")
        result = BuildResult(timings=timings, public=written.root,
                             pages=_count_sections(page_routes), files=file_count,
                             seconds=time.perf_counter() - started,
                             members_pages=members_count,
                             protection=config.protection, leak_scanned=scanned,
                             base_path=config.base_path, warnings=checks.site_warnings(site),
                             page_sources={r.url: r.source for r in [*page_routes,
                                                                     *member_routes]
                                           if r.source},
                             changed=len(written.changed), removed=len(written.removed),
                             outputs=memory.outputs)
        if remember:
            memory.last_build = quickedit.LastBuild(
                same_for=(paths, options.drafts), now=options.now, validated=validated,
                site=site, members=members, env=env, objects=reuse.objects, files=reuse.files,
                routes={route.output_path: route for route in page_routes},
                member_routes=member_routes, people=people, result=result)
        return result
    except BaseException:
        reuse.forget()  # see Reuse.forget
        raise


class _Stages:
    """Times each stage of a build and tells the progress display which one is running."""

    def __init__(self, progress: Callable[[str], None] | None, timings: dict[str, float]):
        self.progress = progress or (lambda name: None)
        self.timings = timings
        self.current = "load"
        self.since = time.perf_counter()
        self.progress("load")

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[self.current] = self.timings.get(self.current, 0) + now - self.since
        self.current, self.since = name, now
        self.progress(name)


def _published(paths: Paths, memory: incremental.BuildMemory, root: str, prefix: str,
               trust: bool = False):
    """The last build's file for an output path, if it is still the file that was written.
    With `trust` (the preview server's page-only rebuild), files are taken to be as they
    were written without looking; its catch-up build looks, and mends any that are not."""
    recorded = memory.outputs.get(root, {})
    folder = f"{paths.output / root}/"
    known = memory.published_paths.setdefault(folder, {})  # the preview server makes each
    # Path once (by output path: it is asked for every page at every build)

    def find(output_path: str) -> Path | None:
        rel = output_path.removeprefix(prefix)
        if not (rel in recorded if trust else write.intact(recorded.get(rel), folder + rel)):
            return None
        path = known.get(output_path)
        if path is None:
            path = known[output_path] = Path(folder + rel)
        return path
    return find


def _feeds_and_data(makers: dict[str, outputs.Maker], paths: Paths,
                    memory: incremental.BuildMemory, keep: bool) -> dict[str, str | Path]:
    """Every public file that is not a page, made; with `keep` (the preview server's
    page-only rebuild), the last build's file instead where there is one, for the catch-up
    build to renew. A file a change adds is made at once, as a page may link to it (an
    opportunity that opens links its deadline's calendar); one it removes is gone."""
    kept = _published(paths, memory, "public", "", trust=True)
    files: dict[str, str | Path] = {}
    for path, make in makers.items():
        published = kept(path) if keep and path in memory.feeds_and_data else None
        files[path] = published if published is not None else make()
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


def _inspect_members_page(output_path: str, text: str) -> tuple[list[str], None]:
    return sorted(set(audit.links_in(text))), None


def _links(page: str | bytes | Path) -> list[str]:
    """The links of a page (one kept from the last build is read from its file)."""
    if isinstance(page, Path):
        page = page.read_bytes()
    if isinstance(page, bytes):
        page = page.decode("utf-8")
    return sorted(set(audit.links_in(page)))


def _forget_gone_pages(memory: incremental.BuildMemory, pages: set[str]) -> None:
    for gone in set(memory.pages) - pages:
        del memory.pages[gone]


def _members_for_encryption(config, folder, paths: Paths,
                            errors: ErrorList) -> credentials.Roster | None:
    """The members an encrypted build wraps its key to; each must have a public key (one
    added by an older ccsite has none, and must be given a new passphrase first)."""
    if config.protection != "encrypt":
        return None
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
    return credentials.MemberStore(paths.secrets).url_key()


def _leak_audit(folder, left_out: dict, members, member_routes,
                memory: incremental.BuildMemory, bodies: BodyRenderer,
                base_url: str) -> tuple[audit.LeakAudit, list]:
    """The leak audit's fingerprints, ready to search with. Each post's are kept between
    builds by its text; the preview server keeps the whole audit while what it is made
    from is the same (the members files, their addresses, and which of the members'
    people the public content names), so a public edit does not rebuild it.
    `left_out`: the documents not published in this build (see validate.Validated)."""
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
           tuple(sorted(members.media)), tuple(_signature(document, memory.parsed)
                                       for document in folder.documents
                                       if document.members_only))
    if memory.leak_audit is not None and memory.leak_audit[0] == key:
        return memory.leak_audit[1], people
    leaks = audit.LeakAudit(audit.members_fingerprints(
        members, member_routes, people, said, _unpublished_posts(folder, members, bodies),
        cache=memory.post_fingerprints), base_url)
    leaks.prepare()
    memory.leak_audit = (key, leaks)
    return leaks, people


# where each kind of Markdown document is published (see render.routes, members/pages.py)
_ADDRESS_PREFIX = {"centre": "centres/", "opportunity": "opportunities/",
                   "consultation": "consultations/",
                   "lesson": "lessons/", "news": "news/", "page": "",
                   "good-practice": "members/good-practice/", "members-page": "members/"}


def _left_out_addresses(left_out: dict[str, dict[str, str]]) -> dict[str, str]:
    """The address each document left out of this build would have (by its file name)
    -> what it is and why it is not there, for a link to it to say so."""
    folders = {kind: folder for folder, (kind, _) in load.SECTIONS.items()}
    return {f"{_ADDRESS_PREFIX[kind]}{slug}/": f"{folders[kind]}/{slug}.md, which is not "
            f"in this build ({why})" for kind, slugs in left_out.items()
            if kind in _ADDRESS_PREFIX for slug, why in slugs.items()}


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
        errors.add(*(where or (str(paths.templates), 0)), "template", message)
    errors.raise_if_any()
    return {}


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


def _assets(site_templates: Path) -> list[tuple[str, Path]]:
    """Theme files under templates/assets/, the site's own first so they override."""
    found = []
    for root in (site_templates, render.default_templates()):
        assets = root / "assets"
        if assets.is_dir():
            found += [(f"assets/{p.relative_to(assets).as_posix()}", p)
                      for p in sorted(assets.rglob("*")) if p.is_file()]
    return found


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

"""A build's front door: which way a build goes, before anything is loaded.

`build` checks the folders and takes the output's lock; then a command-line build whose
inputs and outputs are as the last one left them is done at once (uptodate.py), the
preview server's rebuild after one edited document takes the short way (quickedit.py),
and anything else runs the pipeline (stages.py: load -> validate -> site graph ->
render -> audit -> write), with the build memory the last build left (incremental.py).
Only what the first way needs is imported up front: a build that finds the site up to
date is over in a tenth of the time it takes to import the rest.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import cachefolder, uptodate, write
from .buildinfo import (CACHE_FOLDER, MEMORY_FILE, STAMP_FILE, BuildOptions,  # noqa: F401
                        BuildResult, Paths, content_in_repository, default_templates,
                        summary_fits)
from .errors import ContentError, ContentErrors, spelled_out

if TYPE_CHECKING:
    from . import incremental


def build(source: Path, output: Path, options: BuildOptions,
          templates: Path | None = None, shown_as: str | None = None,
          secrets: Path | None = None,
          progress: Callable[[str], None] | None = None,
          memory: "incremental.BuildMemory | None" = None,
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
                    return _build_in_memory(paths, options, progress, memory, defer,
                                            changed_files)
            return _build_unless_up_to_date(paths, options, progress)
    except write.LockedError as exc:
        raise ContentErrors([ContentError(str(paths.output), 1, "lock", str(exc))]) from None


def _build_in_memory(paths: Paths, options: BuildOptions,
                     progress: Callable[[str], None] | None, memory: "incremental.BuildMemory",
                     defer: bool, changed_files: set[str] | None) -> BuildResult:
    """A build of the preview server, from the memory it keeps in its process. One that
    fails otherwise than by a content mistake, after others that succeeded, is made
    again from nothing, as a command-line build is (`_build_from_nothing`): what the
    memory holds may no longer be so (the output folder deleted while serving, which
    stopped every rebuild after it), and the editor's preview must not stop with it."""
    from . import stages

    kept = bool(memory.outputs)  # (asked first: the build records what it writes)
    try:
        if defer and changed_files:
            quick = _quick_rebuild(paths, options, memory, changed_files)
            if quick is not None:
                return quick
        return stages.run(paths, options, progress, memory, defer, changed_files,
                          remember=True)
    except ContentErrors:
        raise
    except Exception as exc:
        if not kept:
            raise
        return _build_from_nothing(paths, options, progress, exc, memory, remember=True)[1]


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
    for field, folder in (("source", source), ("output", output),
                          ("templates", paths.templates.resolve()),
                          ("secrets", paths.secrets.resolve())):
        if spelled_out(str(folder)) != str(folder):  # (its name, or one above it)
            return ContentError(str(folder), 1, field, "the folder's path is not "
                                "written in UTF-8 (a folder named on a system that writes "
                                "names otherwise), which the build cannot keep or pass on; "
                                "rename the folder, or the one above it so named")
    if output == source or source in output.parents:
        return ContentError(str(paths.output), 1, "output", "the site would be built inside "
                            f"the content folder {paths.shown}, and read back as content; "
                            "build beside it instead (--output with a folder outside it)")
    return None


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


def _build_unless_up_to_date(paths: Paths, options: BuildOptions,
                             progress: Callable[[str], None] | None) -> BuildResult:
    """A build from the command line: nothing is done when nothing changed (uptodate.py)."""
    started = time.perf_counter()
    early = write.start_looking_early(paths.output, paths.cache / MEMORY_FILE)
    try:
        return _build_or_not(paths, options, progress, started, early)
    finally:
        if early is not None:
            early.stop()  # (reaped: one handed to the build was taken, or given up)


def _build_or_not(paths: Paths, options: BuildOptions,
                  progress: Callable[[str], None] | None, started: float,
                  early: "write.Helper | None") -> BuildResult:
    """`_build_unless_up_to_date`, with the helper looking at the published files."""
    stamp_file = paths.cache / STAMP_FILE
    stamp = uptodate.read(stamp_file)
    folders = {"content": paths.source, "templates": paths.templates,
               "theme": default_templates(), "ccsite": Path(__file__).parent,
               "secrets": paths.secrets, **uptodate.libraries_read_by_builds()}
    taken: dict[str, tuple] = {}
    inputs = {**uptodate.snapshot(folders, stamp, taken), **uptodate.python_itself()}
    # the folders as seen from the one that holds content/: a copy of the site (a fresh
    # clone in CI, with its cache and output restored) is the same build
    site_folder = paths.cache.parent.resolve()
    settings = (options.drafts, paths.shown,
                *(os.path.relpath(p.resolve(), site_folder)
                  for p in (paths.source, paths.output, paths.templates, paths.secrets)),
                content_in_repository(paths.source))  # (the published editor's folders)
    if uptodate.still_current(stamp, inputs, settings, options.now) and \
            summary_fits(stamp.summary):
        seconds = time.perf_counter() - started
        return BuildResult(**stamp.summary, public=paths.output / "public", seconds=seconds,
                           timings={"up to date": seconds}, up_to_date=True)
    uptodate.forget(stamp_file)  # from here on the published site may change
    checked = time.perf_counter() - started
    with _no_collection_while_building():
        result, memory = _build_with_memory_on_disk(paths, options, progress, inputs, taken,
                                                    early)
        result.timings = {"check inputs": checked, **result.timings}
        result.seconds += checked
        from . import quickedit, stages  # loaded by the build
        until = options.now if quickedit.shows_the_time(memory) else \
            quickedit.valid_until(options.now, memory.read_as)
        uptodate.save(stamp_file, uptodate.Stamp(
            inputs=uptodate.as_built(inputs, taken, folders,
                                     _built(memory.file_digests, paths.source)),
            options=settings,
            published=uptodate.published_files(paths.output, memory.published()),
            summary=result.summary(), made_at=options.now.isoformat(),
            valid_until=until.isoformat(),
            folders=uptodate.published_folders(paths.output, stages.published_folders(memory))))
    return result


@contextlib.contextmanager
def _no_collection_while_building():
    """Python's cycle collector off for a command-line build: what a build makes holds
    few cycles, while each of the collector's passes walks what the build holds (the
    memory it read alone is a million objects at 10,000 documents). They took 0.15 to
    0.2 s of a nightly or one-edit build at 10,000 documents, and 1.2 CPU-s of a cold
    one, for 4 MB more at the peak (325 MB against 321). Before it is back on, what the
    build made is put in its oldest generation without a look (gc.freeze, then
    gc.unfreeze): otherwise its next pass, at once, would walk it all (0.15 s more) on
    the command's way out. A process running several builds (the tests) collects it
    with its other old objects later."""
    with cachefolder.collector_paused():
        try:
            yield
        finally:
            gc.freeze()
            gc.unfreeze()


def _build_with_memory_on_disk(paths: Paths, options: BuildOptions,
                               progress: Callable[[str], None] | None,
                               inputs: dict[str, tuple], taken: dict[str, tuple],
                               early: "write.Helper | None" = None
                               ) -> tuple[BuildResult, "incremental.BuildMemory"]:
    """The build memory read from the cache folder, and saved there after a successful
    build, once the build's pages and site graph have been let go (less memory at once):
    its parts that changed are written while the search index is made, if one is (see
    stages._while_indexing), so only those changed since and its table of contents are
    left to write then. Python's cycle collector is off meanwhile: see
    `_no_collection_while_building`."""
    from . import incremental, precompile, stages, templatecode

    started, cpu = time.perf_counter(), time.process_time()
    made_with = uptodate.made_with(inputs)
    compiled = incremental.COMPILED_IN_THIS_PROCESS
    code_made_with = None if compiled else uptodate.code_as_found(made_with, taken)
    code = None if code_made_with is None else \
        templatecode.load(paths.cache, code_made_with, compiled)  # (see templatecode.py)
    ahead = precompile.start(paths.templates, paths.source / "site.yaml")  # while small
    memory_file = paths.cache / MEMORY_FILE
    adopting = None
    try:
        memory, adopting = _memory_and_a_look_at_the_output(paths, memory_file, made_with,
                                                             early)
        kept = bool(memory.stored)  # (asked now: the build writes parts as it goes)
        checked = _known_from_the_check(memory.file_digests, inputs, paths.source)
    except BaseException:
        ahead.stop()
        if adopting is not None:
            adopting.stop()
        raise
    read, read_cpu = time.perf_counter() - started, time.process_time() - cpu
    try:
        result = stages.run(paths, options, progress, memory, defer=False, adopting=adopting,
                            ahead=ahead, checked=checked, while_indexing=[
                                functools.partial(memory.save_parts, memory_file.parent)])
    except ContentErrors:
        raise
    except Exception as exc:
        if not kept:  # a build from nothing: nothing kept is to blame
            raise
        memory, result = _build_from_nothing(paths, options, progress, exc, memory)
    result.timings = {"read memory": read, **result.timings}
    result.cpu_timings = {"read memory": read_cpu, **result.cpu_timings}
    result.seconds += read
    started, cpu = time.perf_counter(), time.process_time()
    memory.made_with = made_with  # (a memory made from nothing, too)
    result.memory_kept = memory.save(memory_file)
    if code is not None:  # a process's first build: what it compiled is kept for the next
        templatecode.save(paths.cache, code_made_with, compiled, code)
    result.timings["save memory"] = seconds = time.perf_counter() - started
    result.cpu_timings["save memory"] = time.process_time() - cpu
    result.seconds += seconds
    return result, memory


def _build_from_nothing(paths: Paths, options: BuildOptions,
                        progress: Callable[[str], None] | None, failure: Exception,
                        memory: "incremental.BuildMemory", remember: bool = False
                        ) -> tuple["incremental.BuildMemory", BuildResult]:
    """The build again, into `memory` emptied, after one that used what the last build
    kept failed (not by a content mistake). What the cache folder holds is data only,
    each value checked to be of the type it must be (see cachefolder.py, readings.py),
    but a file planted there could hold values no file of the site gives (a centre's
    state no template knows): such a build must at worst be slower, not end in a
    traceback at every build until the folder is deleted. Said as a warning; the memory
    this build saves replaces that one. `remember`: see stages.run."""
    from . import stages

    memory.clear()
    result = stages.run(paths, options, progress, memory, defer=False, remember=remember)
    result.warnings = [*result.warnings, ContentError(
        str(paths.cache), 1, "cache", "what the last build kept could not be used "
        f"({type(failure).__name__}: {failure}), so the site was built from the start; "
        "if this comes again, delete the folder")]
    return memory, result


def _memory_and_a_look_at_the_output(paths: Paths, memory_file: Path, made_with: str,
                                     helper: "write.Helper | None" = None
                                     ) -> tuple["incremental.BuildMemory",
                                                write.Adopting | None]:
    """The build memory, and the published files looked at as soon as its table of
    contents is read (write.start_adopting: by a helper process on a large site, `helper`
    if one was forked already), 0.26 s sooner than the build would at 10,000 documents.
    A memory made with other code or libraries than `made_with` is none (see
    uptodate.made_with). A helper not handed on is ended, not left behind: one for a
    memory whose parts could not be read (the build then starts afresh, and looks
    again), or for a build stopped here (Ctrl-C)."""
    from . import incremental

    early: list[tuple[incremental.BuildMemory, write.Adopting]] = []
    adopting = None
    try:
        memory = incremental.BuildMemory.read(memory_file, made_with=made_with,
                                              first=lambda table: early.append(
            (table, write.start_adopting(paths.output, table.published(), table.spares,
                                         helper))))
        adopting = next((looking for table, looking in early if table is memory), None)
    finally:
        for _, looking in early:
            if looking is not adopting:
                looking.stop()
    return memory, adopting


def _known_from_the_check(digests: dict[str, tuple], inputs: dict[str, tuple],
                          source: Path) -> dict[str, tuple]:
    """Give the build memory's record of content files (by their path, see load.py) the
    digests the up-to-date check has just read (by "content/" and their place in it,
    see uptodate.snapshot), so that load does not read those files a second time: every
    file of a fresh clone in CI, whose times and inodes are all new, and the edited one
    otherwise. Each digest comes with the status its file had when it was read, and is
    used only while the file still has it (digests.py); one read in its racy moments
    has none, and is read again.

    The statuses themselves, by path, are given back for load to take as the files'
    own (`load.load`'s `checked`): the check took them a moment ago, and taking them
    again cost a one-edit build 50 ms at 10,000 documents. A file saved meanwhile is
    read as the check found it or as saved (load reads a document again when its
    digest is not that of the parse it keeps); either way the stamp keeps it as changed
    while the build ran (uptodate.as_built), and the next build builds it."""
    folder = str(source)
    checked = {}
    for key, (now, digest) in inputs.items():
        if now is not None and key.startswith("content/"):
            path = os.path.join(folder, key[len("content/"):])
            checked[path] = now
            if digests.get(path, (None,))[0] != now:
                digests[path] = (now, digest)
    return checked


def _built(digests: dict[str, tuple], source: Path) -> dict[str, str]:
    """The digest of the bytes load built each content document from (its record of
    them: see load.py), by the name the up-to-date check gives the file
    (`_known_from_the_check` the other way round)."""
    folder = os.path.join(str(source), "")
    return {"content/" + path[len(folder):]: digest
            for path, (_, digest) in digests.items() if path.startswith(folder)}


def _quick_rebuild(paths: Paths, options: BuildOptions,
                   memory: "incremental.BuildMemory", changed_files: set[str]) -> BuildResult | None:
    """The preview server's rebuild after one Markdown document was edited (see
    quickedit.py), or None when the change is anything else."""
    from . import quickedit, stages

    last = memory.last_build
    if last is None or last.same_for != (paths, options.drafts):
        return None
    started = time.perf_counter()
    try:
        done = quickedit.rebuild(paths.source, paths.shown, paths.output, options, memory,
                                 changed_files, stages.published_file(
                                     paths, memory, "public", "", trust=True))
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

"""The public search index, made by Pagefind from the written pages.

Pagefind (the static-site field's reference: a Rust indexer shipped on PyPI as
`pagefind[bin]`, searched in the browser with WebAssembly) indexes only what a page marks
with `data-pagefind-body`, filtered by the `section` each route gives. It runs on the
finished public folder before that folder is swapped in, so a failure leaves the last good
site in place; the leak audit then reads the (compressed) index it made.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..buildinfo import SEARCH_FOLDER
from ..uptodate import pagefind_program

SUBDIR = SEARCH_FOLDER
# Pagefind's ready-made interfaces: we use our own small one (assets/search.js)
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")


class SearchIndexError(Exception):
    pass


# Pagefind's binary is started by a small launcher that makes it die with the build
# (Linux): a build that is killed must not leave Pagefind writing into the folder the next
# build tidies away. The launcher is Python started bare (`-I -S`, 10 ms), where `python -m
# pagefind` imported Pagefind's Python package in every run to find the same binary
# (0.1 s a run: a cold build of 10,000 documents runs Pagefind 15 times).
_LAUNCH = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, kept across exec
except Exception:  # not Linux: no such call, and nothing to do
    pass
if os.getppid() != int(sys.argv[1]):  # the build was killed before the call above
    sys.exit(1)
os.execv(sys.argv[2], sys.argv[2:])
"""


def launched(program: str, arguments: list[str]) -> list[str]:
    """The command that runs `program` made to die with this process (see `_LAUNCH`)."""
    return [sys.executable, "-I", "-S", "-c", _LAUNCH, str(os.getpid()), program, *arguments]


@functools.cache
def pagefind_binary() -> str:
    """Pagefind's program, found as `python -m pagefind` finds it (uptodate.pagefind_program,
    which the up-to-date check watches too); once a process. Asked of its package
    without importing pagefind itself: that loads asyncio, 28 ms of every build that
    indexes pages."""
    package, where = pagefind_program()
    if package is not None:
        try:
            where = importlib.import_module(package).get_executable()
        except Exception as exc:  # Pagefind's package broken
            raise SearchIndexError(f"Pagefind could not run: {exc}") from None
    if where is None:
        raise SearchIndexError("Pagefind could not run: its program was not found "
                               "(install ccsite again, with pagefind[bin])")
    return str(Path(where).resolve())


# A large site's news is indexed in shards of about this many pages, each a Pagefind
# bundle of its own that the search page merges (Pagefind's mergeIndex): editing one item
# then indexes its shard again, not the whole site, and no Pagefind run holds all pages.
# A Pagefind run takes about 0.13 s whatever its pages (most of it walking the site for
# the files its glob names, 10,000 at 10,000 documents) and 1 ms a page (2-core machine),
# so a shard of 500 is indexed again in half a second. Each run costs a cold build its
# 0.13 s, but a single bundle is made by one Pagefind run on one core, and its files are
# audited only once it is done: at 1,000 documents (671 news items) four bundles took a
# cold build's search index from 1.03-1.15 s to 0.66-0.71 s on 2 cores, and the build
# from 3.50-3.60 s to 3.06-3.33 s. So a site is sharded from SHARDED_FROM news items,
# where its news alone fills a shard. The search page loads every shard's
# index, so past MAX_SHARDS the shards grow instead (a national network of 50,000
# documents).
# Such a site's centres are sharded too, in shards of CENTRE_SHARD_PAGES: a centre's page
# (its services, sessions and timetable) costs Pagefind 2.5 times a news item's, and the
# centres were 340 of the main bundle's 537 indexed pages at 10,000 documents, so that
# editing a centre, an opportunity or an agency indexed 0.66 s of pages again; now a
# centres shard (0.3 s) or what is left of the main bundle (0.27 s).
SHARD_PAGES = 500
CENTRE_SHARD_PAGES = 200
SHARDED_FROM = 500
MAX_SHARDS = 32  # of each kind
SHARDS = "shards"  # the folder, inside SUBDIR, of the shards' bundles


def page_counts(site) -> dict[str, int]:
    """How many pages of each kind that is sharded a site has (its news items, its
    centres): what decides its shards (see `shard_names`)."""
    return {"news": len(site.news), "centres": len(site.centres)}


def shard_names(counts: dict[str, int]) -> list[str]:
    """The shards for a site with these many pages of each sharded kind (`page_counts`):
    none below SHARDED_FROM news items."""
    if counts.get("news", 0) < max(SHARDED_FROM, SHARD_PAGES):
        return []
    return [f"{kind}-{number}" for kind, per_shard in _sharded_kinds().items()
            for number in range(min(MAX_SHARDS, -(-counts.get(kind, 0) // per_shard)))]


def _sharded_kinds() -> dict[str, int]:
    """The kinds of page sharded (by their folder), with the pages a shard of each holds."""
    return {"news": SHARD_PAGES, "centres": CENTRE_SHARD_PAGES}


def shard_urls(counts: dict[str, int]) -> list[str]:
    """Site paths of the shards' bundles, for the search page to merge."""
    return [f"/{SUBDIR}/{SHARDS}/{name}/" for name in shard_names(counts)]


def bundle_of(output_path: str, shards: list[str]) -> str:
    """The bundle that indexes a page: a news item's or a centre's shard (by a stable
    hash of its address, so a page stays in its shard), or "" for the main bundle."""
    parts = output_path.split("/")
    if not shards or len(parts) != 3 or parts[1] == "page":
        return ""
    of_kind = _by_kind(tuple(shards)).get(parts[0])
    if not of_kind:
        return ""
    number = int.from_bytes(hashlib.blake2b(output_path.encode(), digest_size=8).digest())
    return of_kind[number % len(of_kind)]


@functools.lru_cache(maxsize=8)
def _by_kind(shards: tuple[str, ...]) -> dict[str, list[str]]:
    """The shards of each kind (the folder its pages are in), in order."""
    kinds: dict[str, list[str]] = {}
    for name in shards:
        kinds.setdefault(name.rpartition("-")[0], []).append(name)
    return kinds


MARK = b"data-pagefind-body"  # what a page that is indexed has (see base.html)


def _marked(page: Path) -> bool:
    """Does the page carry MARK (in any letter case: HTML's attribute names have none)?"""
    return MARK in page.read_bytes().lower()


@dataclass
class SearchIndex:
    files: list[Path]  # the index files made anew
    unindexed: set[str]  # pages Pagefind leaves out (no MARK), as far as known


def update_search_index(public_root: Path, pages: list[str], old_index: Path | None,
                        counts: dict[str, int], changed_pages: set[str] | None,
                        unindexed: set[str] = frozenset(),
                        check: Callable[[list[Path]], None] = lambda files: None,
                        old_files: Iterable[str] = (),
                        check_kept: Callable[[list[Path]], None] | None = None,
                        broken: set[str] = frozenset(),
                        meanwhile: Callable[[], None] = lambda: None) -> SearchIndex:
    """Make `public_root/pagefind/` for its HTML `pages`: each bundle with a page in
    `changed_pages` (None: all) is indexed anew, the others are linked from `old_index`,
    just those of its files found as they were made (`old_files`, paths in it: see
    `index_records`); a bundle with one that is not (in `broken`: gone, or changed since)
    is made anew. A changed page that is not indexed now and was not when the index was
    made (in `unindexed`, like the news listing pages) needs no bundle made again.

    `check` is given each new bundle's files as soon as it is made, in this thread, while
    Pagefind goes on with the others (the leak audit reads them: see pipeline.py), and
    `check_kept` (if given) the files of the bundles kept, while Pagefind makes the new
    ones (their audit against new fingerprints, when members content changed).
    `meanwhile` is run in this thread once they are (see `_run_and_audit`)."""
    if old_index is None:  # all made anew: nothing an older index left (the spare's) stays
        shutil.rmtree(public_root / SUBDIR, ignore_errors=True)
    shards = shard_names(counts)
    _keep_only_these_shards(public_root, shards)
    bundles = _bundles(pages, shards)
    if changed_pages is None:
        unindexed = {rel for bundle in bundles.values() for rel in bundle
                     if not _marked(public_root / rel)}
        redo = set(bundles)
    else:
        redo, unindexed = _bundles_to_redo(public_root, shards, changed_pages, unindexed,
                                           broken)
    jobs, to_keep = _plan(public_root, old_index, bundles, shards, redo, unindexed,
                          _by_bundle(old_files))
    made = _run_and_audit(public_root, jobs, to_keep, check, check_kept, meanwhile)
    return SearchIndex(sorted(made), unindexed)


def _keep_only_these_shards(public_root: Path, shards: list[str]) -> None:
    """The shards of an older layout the folder was made from (the spare's) go: one
    whose pages are now in another (a centre removed, and one shard fewer) would still
    be published, and the search page would not merge it; a link where the index or its
    shards' folder goes is removed, never written through."""
    from ..write import keep_only, only_a_folder

    only_a_folder(public_root / SUBDIR)
    keep_only(public_root / SUBDIR / SHARDS, set(shards))
    if not shards:  # no shards' folder either (a clean build makes none)
        with contextlib.suppress(OSError):
            os.rmdir(public_root / SUBDIR / SHARDS)


def _bundles(pages: list[str], shards: list[str]) -> dict[str, list[str]]:
    """The pages of each bundle ("": the main one, always there), in order."""
    bundles: dict[str, list[str]] = {"": []}
    for rel in sorted(pages):
        if not rel.startswith(SUBDIR + "/"):
            bundles.setdefault(bundle_of(rel, shards), []).append(rel)
    return bundles


def _bundles_to_redo(public_root: Path, shards: list[str], changed_pages: set[str],
                     unindexed: set[str], broken: set[str]) -> tuple[set[str], set[str]]:
    """The bundles to index again (those `broken`, and those of the pages changed that
    are indexed now or were), and the pages not indexed as they are now."""
    unindexed, redo = set(unindexed), set(broken)
    for rel in changed_pages:
        page = public_root / rel
        indexed_now = page.is_file() and _marked(page)
        if indexed_now or rel not in unindexed:
            redo.add(bundle_of(rel, shards))
        if page.is_file() and not indexed_now:
            unindexed.add(rel)
        else:
            unindexed.discard(rel)
    return redo, unindexed


def _plan(public_root: Path, old_index: Path | None, bundles: dict[str, list[str]],
          shards: list[str], redo: set[str], unindexed: set[str],
          made_before: dict[str, set[str]]) -> tuple[list, list]:
    """(the Pagefind runs to make: (folder, glob), the bundles to link from the old
    index: (old folder, new folder, a folder to skip, its files as made))."""
    from ..write import sync_tree

    jobs, to_keep = [], []
    for bundle, pages in sorted(bundles.items()):
        folder = _bundle_folder(public_root, bundle)
        old = _bundle_folder(old_index.parent, bundle) if old_index else None
        skip = SHARDS if bundle == "" else None
        if bundle not in redo and old and "pagefind-entry.json" in made_before.get(bundle, ()):
            to_keep.append((old, folder, skip, made_before[bundle]))
        else:  # Pagefind writes into an empty folder (the shards' folder aside)
            sync_tree(None, folder, skip=skip)
            glob = None if not shards else glob_of(pages) if bundle else \
                _main_glob(pages, _left_out(public_root, pages, unindexed),
                           set(_by_kind(tuple(shards))))
            jobs.append((folder, glob))
    return jobs, to_keep


def _run_and_audit(public_root: Path, jobs: list, to_keep: list,
                   check: Callable[[list[Path]], None],
                   check_kept: Callable[[list[Path]], None] | None,
                   meanwhile: Callable[[], None] = lambda: None) -> list[Path]:
    """Run the Pagefind `jobs`, separate processes, as many at once as there are cores,
    each bundle's files given to `check` as it is made; the bundles kept are linked in
    meanwhile (each into a folder of its own, which no run reads or writes: their globs
    name pages), and given to `check_kept`; then `meanwhile` runs, before the first run
    is waited for: this thread would only wait (a third of a second of a build after one
    edit at 10,000 documents), and the build's work that needs no index is done in it
    (see stages.py). The files made."""
    made: list[Path] = []
    with ThreadPoolExecutor(max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        running = [pool.submit(_index, public_root, *job) for job in jobs]
        try:
            kept = _linked(to_keep, listed=check_kept is not None)
            if check_kept is not None:
                check_kept(kept)
            meanwhile()
            for done in as_completed(running):
                files = done.result()
                check(files)
                made += files
        finally:  # a failure: no more runs started (those running are waited for)
            for job in running:
                job.cancel()
    return made


def _linked(to_keep: list[tuple[Path, Path, str | None, set[str]]], listed: bool
            ) -> list[Path]:
    """Each kept bundle's files as made (`only`), linked from the old index into its
    folder of the new; the files linked, if `listed` (else none: only an audit of them
    needs them, and listing 6,500 of them cost an edit's build 0.04 s)."""
    from ..write import sync_tree

    kept: list[Path] = []
    for old, folder, skip, only in to_keep:
        sync_tree(old, folder, skip=skip, only=only)
        if listed:
            kept += (Path(entry.path) for entry, _ in _walk_files(str(folder), "", skip=skip))
    return kept


def index_records(public_root: Path, known: dict[str, str]) -> dict[str, str]:
    """Each file of the search index just made in `public_root` (a path in its folder) ->
    its record, as write.py keeps a published file's: "<digest>|<status>" (`known`'s for
    a file linked from the published index, read for one made now). The next build takes
    just these from the published index, each found with the bytes recorded (a file put
    there by hand, or one changed, is not taken), and a no-change build checks them."""
    from ..write import record_of

    records = {}
    for entry, rel in _walk_files(str(public_root / SUBDIR), ""):  # (7,000 files at
        record = record_of(entry.path, known.get(rel), entry)      # 10,000 documents)
        if record is not None:
            records[rel] = record
    return records


def _walk_files(folder: str, prefix: str, skip: str | None = None
                ) -> Iterator[tuple[os.DirEntry, str]]:
    """(entry, path in the folder walked) of each file under `folder`, but those in its
    folder `skip`; links not followed."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == skip:
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_files(entry.path, f"{prefix}{entry.name}/")
            else:
                yield entry, prefix + entry.name


def bundles_of(files: Iterable[str]) -> set[str]:
    """The bundles index files (paths in the index's folder) belong to ("": the main)."""
    return set(_by_bundle(files))


def _by_bundle(files: Iterable[str]) -> dict[str, set[str]]:
    """Index files (see `index_records`) by bundle, each as a path in its bundle's folder."""
    bundles: dict[str, set[str]] = {}
    for path in files:
        if path.startswith(SHARDS + "/"):
            _, bundle, rest = (path.split("/", 2) + ["", ""])[:3]
            bundles.setdefault(bundle, set()).add(rest)
        else:
            bundles.setdefault("", set()).add(path)
    return bundles


def _bundle_folder(public_root: Path, bundle: str) -> Path:
    return public_root / SUBDIR / (f"{SHARDS}/{bundle}" if bundle else "")


def _index(public_root: Path, folder: Path, glob: str | None) -> list[Path]:
    """Run Pagefind over the pages `glob` matches (None: the whole site) into `folder`."""
    _run_pagefind(public_root, folder, glob)
    for name in UNUSED:
        (folder / name).unlink(missing_ok=True)
    make_deterministic(folder)
    # (the main bundle's folder holds the shards' folder: its thousands of files are not
    # walked, where a walk of them all took 0.12 s of an edit's build at 10,000 documents)
    return sorted(Path(entry.path) for entry, _ in _walk_files(str(folder), "",
                                                                skip=SHARDS))


def glob_of(pages: list[str]) -> str:
    """A Pagefind glob matching exactly these pages: `{a/index.html,b/index.html}`, for a
    shard (about SHARD_PAGES of them). Pagefind then reads only them, where linking them
    into a folder of their own took a directory per page."""
    return "{" + ",".join(_escaped(page) for page in pages) + "}"


def _main_glob(pages: list[str], left_out: set[str], sharded: set[str]) -> str:
    """A Pagefind glob matching the pages of the main bundle (every page but those of
    the `sharded` kinds' shards, see `bundle_of`): by folder, not page by page, as a
    large network's main bundle has thousands of pages (and Pagefind's glob, made a
    regular expression, has a size limit). A folder whose every page is `left_out` (see
    `_left_out`: like the news listing's 618 pages of the main bundle's 1,155 at 10,000
    documents) is not named, so Pagefind does not read and parse it at each run: a
    quarter of that run's CPU (1.36 to 1.03 s). When no page is marked at all, Pagefind indexes every page it reads
    (a theme of the site's own may mark none), so then every folder is named."""
    if len(left_out) >= len(pages):
        left_out = set()
    return "{" + ",".join(sorted({"*.html", *(_main_pattern(page, sharded) for page in pages
                                               if page not in left_out)})) + "}"


def _left_out(public_root: Path, pages: list[str], unindexed: set[str]) -> set[str]:
    """The pages that the record of the last index run (`unindexed`) says carry no MARK
    and that, read now, carry none: leaving out a page that is marked would drop it from
    search, and the record can be behind the pages (a preview server's build that failed
    after indexing keeps it), so only what is read now counts: 0.01 s at 10,000
    documents, for 0.2 s of the run."""
    return {page for page in pages if page in unindexed and not _marked(public_root / page)}


def _main_pattern(page: str, sharded: set[str]) -> str:
    """The pattern of `_main_glob` that matches `page` (a page of the main bundle), and
    in a folder of a `sharded` kind no page of a shard (`folder/*/index.html`)."""
    parts = page.split("/")
    if len(parts) == 1:
        return "*.html"
    folder = _escaped(parts[0])
    if parts[0] not in sharded:
        return f"{folder}/**/*.html"
    if len(parts) == 2:
        return f"{folder}/*.html"
    return f"{folder}/page/**/*.html" if parts[1] == "page" else f"{folder}/*/*/**/*.html"


def _escaped(path: str) -> str:
    """`path` as Pagefind's glob syntax (the `wax` crate) reads it literally: these
    characters escaped, and no other; a backslash cannot be escaped, so `?` (any one
    character) stands for it (no page of ours has one: addresses are made of slugs)."""
    def escape(found: re.Match) -> str:
        return "?" if found[0] == "\\" else "\\" + found[0]

    return re.sub(r"[*?\[\]{}<>():,$\\]", escape, path)


def _run_pagefind(site: Path, output: Path, glob: str | None = None) -> None:
    """Pagefind over `site` (the pages `glob` matches, if given) into `output`. The glob
    goes in a configuration file, as a shard's can be longer than one command-line
    argument may be (128 KiB on Linux: a thousand long addresses). Its working folder is
    made beside `site` (a build's new public folder, in the output folder), named after
    it: a build killed while Pagefind runs leaves it where the next build tidies its own
    temporary folders away (write.recover_interrupted), not in the machine's /tmp."""
    with tempfile.TemporaryDirectory(prefix=f"{site.name}-pagefind-",
                                     dir=site.resolve().parent) as workdir:
        if glob is not None:  # Pagefind reads pagefind.json from its working folder
            (Path(workdir) / "pagefind.json").write_text(json.dumps({"glob": glob}),
                                                         encoding="utf-8")
        try:
            done = subprocess.run(
                launched(pagefind_binary(), ["--site", str(site.resolve()),
                                             "--output-path", str(output.resolve()),
                                             "--silent"]),
                capture_output=True, text=True, timeout=600, cwd=workdir)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchIndexError(f"Pagefind could not run: {exc}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind could not build the search index: "
                               + (message[-1] if message else f"exit {done.returncode}"))


# -- byte-identical indexes --------------------------------------------------------------
#
# Pagefind writes each filter's values in hash-map order, which changes from run to run,
# and names files after their content; so the filter files, the metadata file naming them
# and pagefind-entry.json naming that would differ between two builds of the same site.
# We sort the filter values (the files are gzip-compressed CBOR behind a "pagefind_dcd"
# signature) and rename the chain after the new content. Pagefind's browser code reads
# files by the names in the metadata and checks no hashes, so the index works the same.

SIGNATURE = b"pagefind_dcd"


def _read(path: Path):
    import cbor2

    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"unexpected Pagefind file format: {path.name}")
    return cbor2.loads(data[len(SIGNATURE):])


def _write(folder: Path, prefix: str, language: str, suffix: str, value, digits: int) -> str:
    """Write `value` as a Pagefind file named after its content; returns the new hash."""
    import cbor2

    data = SIGNATURE + cbor2.dumps(value)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def make_deterministic(folder: Path) -> None:
    entry_path = folder / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = folder / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = meta[3]  # [[filter name, file hash], ...]
        renamed = []
        for filter_name, old_hash in sorted(filters):
            old_path = folder / "filter" / f"{old_hash}.pf_filter"
            name, values = _read(old_path)
            old_path.unlink()
            new_hash = _write(folder / "filter", "", language, ".pf_filter",
                              [name, sorted(values, key=lambda v: v[0])], 7)
            renamed.append([filter_name, new_hash])
        meta[3] = renamed
        meta_path.unlink()
        info["hash"] = _write(folder, "pagefind.", language, ".pf_meta", meta, 13)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")

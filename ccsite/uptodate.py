"""Is the last build still the build? Answered before anything is loaded.

A build is a function of its inputs: the content folder, the templates (the site's and
the theme's), ccsite's own code, the members' secrets, and the options (`--now`,
`--drafts`, the folders). When none of them differs from the last successful build and
every file that build published still has the bytes it wrote, building again would write
the same bytes, so nothing is done: `make`'s rule, at the cost of one stat per file.

Files are compared by their bytes (see digests.py): one with the status it had at the
last build is not read again; one with a new status (a fresh clone, a cache restored by
CI) is read and taken as unchanged when its bytes are the same; one saved in the moments
before the last build started is read again, as a second save in the same tick of the
clock would not show in its status (git's "racily clean" files).

The inputs are taken before a build starts reading, and their statuses once more when it
is done: a file saved, added or removed while a build runs counts as changed for the next
one, whichever version this one read (see `as_built`). A failed build leaves the stamp of
the last good one, which still describes the published site.
"""
from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Container, Iterator

from . import __version__, cachefolder, write
from .buildinfo import is_ignored
from .digests import FileDigests, status
from .errors import ContentError, spelled_out

STAMP_VERSION = 4  # 2: kept as CBOR, not pickle (cachefolder.py); 3: files by their bytes;
# 4: the published folders' stamps


@dataclass
class Stamp:
    """What a successful build was made from and what it published."""

    inputs: dict[str, tuple]  # file -> (status or None, digest): see digests.py
    options: tuple
    published: dict[str, str] = field(default_factory=dict)  # output file -> as write.py
    # records it: "<digest>|<inode>:<mtime>:<size>"
    summary: dict[str, Any] = field(default_factory=dict)  # what the build reported
    # the build's `now`, and the first moment after it at which the same files would make
    # another site (see quickedit.valid_until): any `now` in between builds the same
    made_at: str = ""
    valid_until: str = ""
    # each published folder as left: [its path, its folders' stamp or None, what each of
    # those holds] (see write.folder_stamp): a file put in one since (by hand, by an older
    # version, a CI cache that kept more) is not what a build would publish
    folders: list = field(default_factory=list)
    version: str = f"{__version__}/{STAMP_VERSION}"


def snapshot(folders: dict[str, Path], last: Stamp | None,
             taken: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """The digest of every file under `folders` (missing folders count as empty), each
    read only when its status differs from the `last` stamp's (see digests.py). Files
    are known by the name given to their folder and their path in it, so a copy of the
    site elsewhere (a fresh clone in CI) is compared file for file. `taken` is given
    each file's status as taken, racy or not (for `as_built`)."""
    seen = FileDigests(last.inputs if last is not None else None)
    for name, folder in folders.items():
        for key, path, found in _files(str(folder), name):
            if path is None:
                seen.used[key] = (None, "unreadable or missing")
            elif found is None:
                seen.used[key] = (None, "broken link")
            else:
                if taken is not None:
                    taken[key] = status(found)
                try:
                    seen.digest(path, found, key)
                except OSError:  # (unreadable: told by the build that reads it)
                    seen.used[key] = (None, "broken link")
    return seen.used


# the libraries whose versions shape what a build makes (Markdown and nh3 every body's
# HTML, Jinja2 and MarkupSafe every page, PyYAML every file's reading, icalendar the
# calendars) or finds (pypdf and striprtf the text of a PDF or an RTF file the leak
# audit searches), by the name
# Python imports them by; and Pagefind's program, which makes the search index
LIBRARIES = ("markdown", "nh3", "jinja2", "markupsafe", "yaml", "icalendar", "pypdf",
             "striprtf", "rjsmin", "rcssmin")
# the others ccsite imports shape nothing a build makes or finds: the cache's format
# (cbor2), the preview server's watcher (watchdog), the members' passwords and keys
# (bcrypt, xkcdpass: random anyway; cryptography: AES, the same bytes in every version),
# the leak audit's search (ahocorasick_rs finds what is there, in any version)
SHAPING_NOTHING = ("cbor2", "watchdog", "bcrypt", "xkcdpass", "cryptography", "ahocorasick_rs")
PAGEFIND_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")  # pagefind[bin]'s, in the
# order `python -m pagefind` takes them


def libraries_read_by_builds() -> dict[str, Path]:
    """The folders of the libraries whose versions shape what a build makes beyond its
    templates (`LIBRARIES`), and Pagefind's program (its package's folder, or the program
    itself): an upgrade is a change like an edit of ccsite's own code, and the build
    after it makes the whole site again (see `made_with`). Found without importing them
    (a build that finds nothing to do is over before it would have)."""
    found = {}
    for name in LIBRARIES:
        folder = _package_folder(name)
        if folder is not None:
            found[f"library {name}"] = folder
    package, pagefind = pagefind_program()
    if pagefind is not None:
        found["library pagefind"] = pagefind if package else _installed_with(pagefind)
    zone = zone_file()
    if zone is not None:
        found["library time zone"] = zone
    return found


def zone_file(name: str = "Europe/London") -> Path | None:
    """The file of UK time's rules, which every date a build shows is told in: found where
    Python's zoneinfo finds it (the system's time zone folders, else the tzdata package).
    New rules (Parliament has debated ending the clock change) are a new build whole."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    folder = _package_folder("tzdata")
    candidate = folder / "zoneinfo" / name if folder is not None else None
    return candidate if candidate is not None and candidate.is_file() else None


def _installed_with(program: Path) -> Path:
    """What tells a Pagefind program's version, found by its path: the program itself,
    or the folder of the npm package it is in (npm's `pagefind` is a script that runs the
    platform's program, of the same version, from another package; the script has the
    same bytes in every version, the package's package.json names it)."""
    real = program.resolve()
    return next((folder for folder in real.parents if folder.parent.name == "node_modules"),
                program)


def python_itself() -> dict[str, tuple]:
    """Python's own version, as an input with no file (its own library, with json and
    html among it, is a release's): another Python is another build too."""
    import sys

    return {"library python": (None, f"{sys.version} {sys.implementation.cache_tag}")}


def pagefind_program() -> tuple[str | None, Path | None]:
    """Where Pagefind's program is, in the order `python -m pagefind` looks (see
    pagefind.service.get_executable): the program PAGEFIND_BINARY_PATH names, else the
    one a package of pagefind[bin] holds, else one on the PATH. (the package's name or
    None, the package's folder or the program); (None, None) when there is none."""
    import shutil

    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:
        return None, Path(named)
    for package in PAGEFIND_PACKAGES:
        folder = _package_folder(package)
        if folder is not None:
            return package, folder
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return None, None if on_path is None else Path(on_path)


def _package_folder(name: str) -> Path | None:
    """A library's package folder; for a library that is one module (rjsmin.py), that
    file, never the folder it is in (all of site-packages)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    if spec is not None and spec.origin:
        return Path(spec.origin)
    return None


def made_with(inputs: dict[str, tuple]) -> str:
    """The code and libraries a build is made with, as a digest of their files as the
    check read them (`snapshot`): ccsite's own and those `libraries_read_by_builds`
    names. The build memory keeps it, and one made with others is not used (the build
    makes the whole site): a page kept by an incremental build must be what this code
    would make, and a search index's bundles kept must be of the Pagefind that makes
    the others (the search page merges them, and warns when their versions differ)."""
    return _of_code_files({key: digest for key, (_, digest) in inputs.items()})


def code_as_found(made_with: str, taken: dict[str, tuple]) -> str:
    """`made_with`, and the status of each file of ccsite's code and its libraries as the
    check took it (size, times, inode: see digests.status): what the compiled templates
    kept for the next build are signed with (templatecode.py). `made_with` is made of
    digests that the check has from the build stamp for a file whose status is the one
    the stamp says, and the stamp is in the cache folder, which the key does not guard:
    code compiled by an older ccsite or Jinja, kept signed, with a stamp rewritten to
    give that version's digests, would pass for this one's (a red team's review). A
    status the check took now is the file's own: its change time cannot be set."""
    return _of_code_files(taken, made_with)


def _of_code_files(values: dict[str, object], start: str = "") -> str:
    """A digest of what `values` says of each file of code (see `_of_code`), after
    `start`."""
    import hashlib

    digest = hashlib.blake2b(start.encode(), digest_size=16)
    for key in sorted(key for key in values if _of_code(key.split("/", 1)[0])):
        digest.update(f"{key}\0{values[key]}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _of_code(name: str) -> bool:
    """Is the input folder so named Python code (ccsite's, a library's), whose
    `__pycache__` folders Python writes, and no build reads?"""
    return name == "ccsite" or name.startswith("library ")


CHANGED_WHILE_BUILDING = "<changed while the build ran>"  # a digest no file has


def as_built(inputs: dict[str, tuple], taken: dict[str, tuple], folders: dict[str, Path],
             built: dict[str, str] | None = None) -> dict[str, tuple]:
    """The inputs `snapshot` found before the build, as its stamp keeps them once the
    build is done: each file the build may have read otherwise than the check found it,
    or that was added or removed meanwhile, is kept with no status and a digest no file
    has, so the next build builds, whatever it finds. `built`: the digest of the bytes
    the build read of some files (the content documents, by load), which says it for
    them; any other is looked at again, by its status (`taken`: the check's).

    Why: a file saved while the build runs may have been read by it either way (load
    reads a document again when its digest is not that of the parse it keeps), so the
    check's digest cannot say what was built. Kept as the check found it, an edit made
    during the build and undone after it left the site showing the edit for good, each
    build after it "up to date"; a file added during the build and removed after, its
    page published for good (found by a helper's review). The folders are listed again,
    and only the files `built` does not name are looked at: a few hundred, not 10,000."""
    built = built or {}
    now: dict[str, tuple | None] = {}  # (None: there, not looked at, or a broken link)
    for name, folder in folders.items():
        for key, path, found in _files(str(folder), name, built):
            if path is not None:
                now[key] = None if found is None else status(found)
    kept = dict(inputs)
    for key in taken.keys() | now.keys():
        if key in built:
            same = key in taken and key in now and built[key] == inputs.get(key, ("", ""))[1]
        else:
            same = taken.get(key) == now.get(key)
        if not same:
            kept[key] = (None, CHANGED_WHILE_BUILDING)
    return kept


def _files(folder: str, name: str, unlooked: Container[str] = (), code: bool | None = None,
           seen: set[tuple[int, int]] | None = None
           ) -> Iterator[tuple[str, str | None, os.stat_result | None]]:
    """(its name, its path, its status) of every input file under `folder`, a link
    followed (its target is what is read), named `name/` and its path in the folder:
    the status None for a broken link and for a file `unlooked` names (not looked at),
    and (name, None, None) for a folder that cannot be read. `folder` may be a file
    (a program: Pagefind's on the PATH), given as `name`. The `__pycache__` folders of
    code are not inputs; a folder of that name among the content is. A link to a folder
    is followed as Jinja follows it (partials shared between sites, linked into
    templates/): a file edited in it was never seen, as the link's own status does not
    change; each folder once (`seen`), so a link to a folder above it ends. A library's
    own tests (its top folder `tests`) are not inputs either."""
    code = _of_code(name) if code is None else code
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except NotADirectoryError:
        yield name, folder, _status_or_none(folder, name, unlooked)
        return
    except OSError:
        yield name, None, None
        return
    for entry in entries:
        if entry.name.startswith(".") or (code and entry.name == "__pycache__") or \
                (entry.name == "tests" and name.startswith("library ") and "/" not in name):
            continue  # editors' hidden files, Python's caches, a library's own tests
            # (icalendar's: 330 files, a fifth of the check at 1,000 documents): never
            # read by a build
        key = f"{name}/{entry.name if entry.name.isascii() else spelled_out(entry.name)}"
        if entry.is_dir(follow_symlinks=False):
            yield from _files(entry.path, key, unlooked, code, seen)
        elif entry.is_symlink() and \
                (walk := _linked_folder(entry, seen := seen or set())) is not None:
            if walk:
                yield from _files(entry.path, key, unlooked, code, seen)
        elif not is_ignored(entry.name):
            yield key, entry.path, _status_or_none(entry, key, unlooked)


def _linked_folder(entry: os.DirEntry, seen: set[tuple[int, int]]) -> bool | None:
    """None if `entry` (a link) is not to a folder; else whether to walk it: not if
    walked already (then it is noted as walked)."""
    try:
        found = os.stat(entry.path)
    except OSError:
        return None  # a broken link: told as a file with no status
    if not stat.S_ISDIR(found.st_mode):
        return None
    if (found.st_dev, found.st_ino) in seen:
        return False
    seen.add((found.st_dev, found.st_ino))
    return True


def _status_or_none(entry: os.DirEntry | str, key: str, unlooked: Container[str]
                    ) -> os.stat_result | None:
    if key in unlooked:
        return None
    try:
        return entry.stat() if isinstance(entry, os.DirEntry) else os.stat(entry)
    except OSError:
        return None


def published_files(output: Path, outputs: dict[str, dict[str, str]]) -> dict[str, str]:
    """The published files, by path, as the last build recorded them (see write.py)."""
    published = {}
    for root, files in outputs.items():
        folder = f"{output / root}/"  # once a root, not once a file (11,000 at 10,000 documents)
        published.update((folder + rel, recorded) for rel, recorded in files.items()
                         if "|" in recorded)
    return published


def published_folders(output: Path, kept: list[tuple[str, Any, str | None]]) -> list:
    """`Stamp.folders` of the output's folders, each given as (its name in `output`, the
    files a build put in it, its folders' stamp as the build left them)."""
    return [[str(output / root), stamp,
             {folder: sorted(names) for folder, names in write.listing_of(files).items()}]
            for root, files, stamp in kept]


def read(path: Path) -> Stamp | None:
    """The last good build's stamp, or None when there is none this version can read
    (see cachefolder.py): the build is then done, never stopped."""
    try:
        data = cachefolder.read(path, "build stamp", Stamp.version)
        summary = dict(data["summary"])
        summary["warnings"] = [ContentError(*warning) for warning in summary["warnings"]]
        stamp = Stamp(inputs=FileDigests.from_data(data["inputs"]),
                      options=tuple(data["options"]), published=dict(data["published"]),
                      summary=summary, made_at=data["made_at"],
                      valid_until=data["valid_until"], folders=data["folders"])
    except cachefolder.CacheUnreadable:
        return None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # the right header on the wrong data: damaged, or planted
    if not _plain(stamp):
        return None
    return stamp


def _plain(stamp: Stamp) -> bool:
    """Is every value of the kind a build compares and reports?"""
    scalars = (str, int, float, bool, type(None))
    return all(isinstance(value, scalars) for value in stamp.options) and \
        type(stamp.made_at) is str and type(stamp.valid_until) is str and \
        all(type(key) is str and type(value) is str
            for key, value in stamp.published.items()) and \
        all(type(error.path) is str and type(error.line) is int and
            type(error.field) is str and type(error.message) is str
            for error in stamp.summary["warnings"]) and \
        type(stamp.folders) is list and \
        all(type(kept) is list and len(kept) == 3 and type(kept[0]) is str and
            type(kept[1]) in (str, type(None)) and type(kept[2]) is dict and
            all(map(str.__instancecheck__, kept[2])) for kept in stamp.folders)
    # (the names each folder holds are checked when used: see _folders_as_left)


def save(path: Path, stamp: Stamp) -> None:
    """Best effort: without a stamp the next build just does the work."""
    summary = {**stamp.summary, "warnings": [[e.path, e.line, e.field, e.message]
                                             for e in stamp.summary.get("warnings", [])]}
    cachefolder.write(path, "build stamp", stamp.version,
                      {"inputs": FileDigests.to_data(stamp.inputs),
                       "options": list(stamp.options), "published": stamp.published,
                       "summary": summary, "made_at": stamp.made_at,
                       "valid_until": stamp.valid_until, "folders": stamp.folders})


def forget(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def still_current(stamp: Stamp | None, inputs: dict[str, tuple], options: tuple,
                  now: dt.datetime) -> bool:
    """Would building at `now` give what the last build published, file for file?"""
    if stamp is None or stamp.options != options or not _within(stamp, now) or \
            stamp.inputs.keys() != inputs.keys() \
            or any(stamp.inputs[path][1] != digest for path, (_, digest) in inputs.items()):
        return False
    return all(write.still_written(recorded, path) is not None
               for path, recorded in stamp.published.items()) and \
        _folders_as_left(stamp.folders)


def _folders_as_left(folders: list) -> bool:
    """Does each published folder hold just what the last build put in it? Its folders'
    times say so (one stat a folder); where they differ (a file added, or a cache that
    restored the files but not their folders' times), the folders are listed."""
    differ = {root for root, left, listing in folders
              if left is None or write.stamp_of_folders(root, listing) != left}
    return all((listing := _merged_listing(root, folders)) is not None and
               write.holds_just(root, listing) for root in differ)


def _merged_listing(root: str, folders: list) -> dict[str, set[str]] | None:
    """What the folders of `root` hold, by all of `Stamp.folders` that name it (the
    public folder's pages and its search index); None if a name is not a text."""
    merged: dict[str, set[str]] = {}
    for path, _, listing in folders:
        if path == root:
            for folder, names in listing.items():
                if type(names) is not list or not all(map(str.__instancecheck__, names)):
                    return None
                merged.setdefault(folder, set()).update(names)
    return merged


def _within(stamp: Stamp, now: dt.datetime) -> bool:
    try:
        made_at = dt.datetime.fromisoformat(stamp.made_at)
        until = dt.datetime.fromisoformat(stamp.valid_until)
        return now == made_at or made_at < now < until
    except (ValueError, TypeError):
        return False

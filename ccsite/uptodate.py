"""Is the last build still the build? Answered before anything is loaded.

A build is a function of its inputs: the content folder, the templates (the site's and
the theme's), ccsite's own code, the members' secrets, and the options (`--now`,
`--drafts`, the folders). When none of them differs from the last successful build and
every file that build published is still the one it wrote, building again would write
the same bytes, so nothing is done: `make`'s rule, at the cost of one stat per file.

The inputs are taken before a build starts reading, so a file saved while a build runs
counts as changed for the next one. A failed build leaves the stamp of the last good
one, which still describes the published site. A file changed in the moments before the
build started is not trusted to its signature (file times are coarse: a second save in
the same tick, of the same size, would look unchanged), so no stamp is kept then: the
same precaution as git's "racily clean" files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, cachefolder
from .errors import ContentError

STAMP_VERSION = 2  # 2: kept as CBOR, not pickle (cachefolder.py)
RACY_SECONDS = 2  # file systems keep times to 1 ns at best, to 2 s (FAT) at worst


@dataclass
class Stamp:
    """What a successful build was made from and what it published."""

    inputs: dict[str, tuple]  # file -> (size, mtime, ctime, inode)
    options: tuple
    published: dict[str, str] = field(default_factory=dict)  # output file -> inode:mtime:size
    summary: dict[str, Any] = field(default_factory=dict)  # what the build reported
    version: str = f"{__version__}/{STAMP_VERSION}"


def snapshot(folders: list[Path]) -> dict[str, tuple]:
    """The signature of every file under `folders` (missing folders count as empty)."""
    from .load import _ignored

    found: dict[str, tuple] = {}
    for folder in folders:
        _walk(str(folder), found, _ignored)
    return found


def _walk(folder: str, found: dict[str, tuple], ignored) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        found[folder] = ("unreadable or missing",)
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue  # editors' hidden files, caches: never read by a build
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, found, ignored)
        elif not ignored(entry.name):
            try:
                stat = entry.stat()  # a link is followed: its target is what is read
            except OSError:
                found[entry.path] = ("broken link",)
                continue
            found[entry.path] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                                 stat.st_ino)


def racy(inputs: dict[str, tuple], taken_ns: int) -> bool:
    """Did a file change so shortly before `taken_ns` that its signature may not show a
    later change?"""
    limit = taken_ns - RACY_SECONDS * 1_000_000_000
    return any(len(sig) == 4 and sig[1] >= limit for sig in inputs.values())


def published_files(output: Path, outputs: dict[str, dict[str, str]]) -> dict[str, str]:
    """The published files, by path, with the inode:mtime:size the last build saw."""
    return {f"{output / root}/{rel}": recorded.split("|", 1)[1]
            for root, files in outputs.items() for rel, recorded in files.items()
            if "|" in recorded}


def read(path: Path) -> Stamp | None:
    """The last good build's stamp, or None when there is none this version can read
    (see cachefolder.py): the build is then done, never stopped."""
    try:
        data = cachefolder.read(path, "build stamp", Stamp.version)
        summary = dict(data["summary"])
        summary["warnings"] = [ContentError(*warning) for warning in summary["warnings"]]
        stamp = Stamp(inputs={str(file): tuple(signature)
                              for file, signature in data["inputs"].items()},
                      options=tuple(data["options"]), published=dict(data["published"]),
                      summary=summary)
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
    return all(isinstance(value, scalars) for signature in stamp.inputs.values()
               for value in signature) and \
        all(isinstance(value, scalars) for value in stamp.options) and \
        all(type(key) is str and type(value) is str
            for key, value in stamp.published.items()) and \
        all(type(error.path) is str and type(error.line) is int and
            type(error.field) is str and type(error.message) is str
            for error in stamp.summary["warnings"])


def save(path: Path, stamp: Stamp) -> None:
    """Best effort: without a stamp the next build just does the work."""
    summary = {**stamp.summary, "warnings": [[e.path, e.line, e.field, e.message]
                                             for e in stamp.summary.get("warnings", [])]}
    cachefolder.write(path, "build stamp", stamp.version,
                      {"inputs": {file: list(signature)
                                  for file, signature in stamp.inputs.items()},
                       "options": list(stamp.options), "published": stamp.published,
                       "summary": summary})


def forget(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def still_current(stamp: Stamp | None, inputs: dict[str, tuple], options: tuple) -> bool:
    """Would building now give what the last build published, file for file?"""
    if stamp is None or stamp.options != options or stamp.inputs != inputs:
        return False
    for path, recorded in stamp.published.items():
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}" != recorded:
            return False
    return True

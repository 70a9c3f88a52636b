"""Stage 5, write: put a finished site in place all at once, or not at all.

Each output root (`public/`, `members/`, `deploy/`) is written into a temporary folder
beside it and swapped in by renames only when every file is written, so a failed or
interrupted build leaves the last good site untouched and pages whose source was deleted
disappear. Files that did not change are hard-linked from the published folder rather than
written again, so their modification times stay and rsync or a CDN upload sends only what
changed; a build that changes nothing writes nothing at all. The folder swapped out is
kept beside as a spare (`.ccsite-spare-public/`), and the next build makes its new folder
from it, changing only what differs, instead of linking thousands of files afresh.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import itertools
import marshal
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PosixPath
from typing import Callable, Iterable

from .buildinfo import LOCK_FILE, SEARCH_FOLDER
from .digests import FileDigests, copied, file_digest, of_bytes, of_file
from .workers import Helper, fork_helper, may_fork, write_all

TEMP_PREFIX = ".ccsite-tmp-"
OLD_PREFIX = ".ccsite-old-"
SPARE_PREFIX = ".ccsite-spare-"  # the site before the published one (see _make_like)
STAGE_PREFIX = ".ccsite-stage-"  # pages rendered, waiting to be written (see Stage)


class OutputFiles(dict):
    """Output path (relative, with '/') -> bytes to write, a `StagedFile` to move into
    place, or a Path to copy or link."""

    def add_text(self, path: str, text: str) -> None:
        self[path] = text.encode("utf-8")


class StagedFile(PosixPath):
    """A page put in the build's stage as it was rendered, with the digest of its bytes
    (its `signature`): written files are moved into place from there, not written again.
    Read like any file (the encrypt mode reads members pages, an audit reads a page)."""

    digest: str

    def __reduce__(self):  # from a worker process, with its digest
        return _staged_file, (str(self), self.digest)


def _staged_file(path: str, digest: str) -> StagedFile:
    staged = StagedFile(path)
    staged.digest = digest
    return staged


class Stage:
    """A folder beside the output where a build's pages are put as they are rendered
    (by the worker process that rendered each), instead of being held in memory until
    the audits have passed: a large site's pages are the biggest thing a build would
    hold (about a gigabyte at 50,000 documents), and a worker's copy of the build grows
    with its parent. What is written is moved from here into the new folder (a rename:
    the stage is on the same file system); the rest goes with the stage when the build
    ends, however it ends. One build at a time per output folder (BuildLock), so a
    stage left by a build that was killed is removed by the next."""

    def __init__(self, output: Path):
        self.folder = output / f"{STAGE_PREFIX}{os.getpid()}"
        for leftover in output.glob(f"{STAGE_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self._names = itertools.count()

    def put(self, data: bytes) -> StagedFile:
        """Keep a rendered page here (in any process forked from the build's: names are
        by process), known by the digest of its bytes."""
        return self.put_pieces([data])

    def put_pieces(self, pieces: Iterable[bytes]) -> StagedFile:
        """Keep a file made piece by piece (the members search index: tens of megabytes
        at 50,000 documents, which the build would otherwise hold whole, and as text
        first) without ever holding it whole."""
        name = f"{self.folder}/{os.getpid()}-{next(self._names)}"
        made = file_digest()
        with open(name, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
                made.update(piece)
        return _staged_file(name, made.hexdigest())

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Written:
    """What a write did: each file's signature (for the next build), and what changed."""

    root: Path
    signatures: dict[str, str] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)  # new or different files
    removed: set[str] = field(default_factory=set)
    swapped: bool = False
    spare: tuple | None = None  # what the folder swapped out (the spare) holds: see write_root
    stamp: str | None = None  # the published folder's `folder_stamp`, None if unknown


def signature(content: bytes | Path, sources: FileDigests | None = None) -> str:
    """Equal for two versions of a file exactly when their bytes are. A file copied from
    content/ or the theme is read only when its status changed, with `sources` (the
    digests of such files the last build kept, see digests.py)."""
    if isinstance(content, StagedFile):
        return content.digest
    if isinstance(content, Path):
        return (sources or FileDigests()).as_read(str(content))
    return of_bytes(content)


CHANGED_WHILE_BUILDING = ("was saved again while the build ran, after it was checked, so "
                          "nothing new was published; build again")


class ChangedWhileBuilding(Exception):
    """A file to publish as it is (a media file, a theme asset) whose bytes are not those
    the build looked at: saved again while the build ran."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def write_root(output: Path, name: str, files: OutputFiles,
               finish: Callable[[Path, set[str]], None] | None = None,
               previous: dict[str, str] | None = None, force: bool = False,
               sources: FileDigests | None = None, spare_holds: tuple | None = None,
               stamp: str | None = None) -> Written:
    """Write `files` as `output/name/`, replacing what was there in one swap.

    `previous`: the signatures this root's files had after the last build, so unchanged
    ones are linked, not written. `finish` runs on the new folder before the swap, with the
    set of changed paths (to make a search index, say); if it raises, the folder is dropped
    and the published one stays as it was. What it made last time (no file of `files`) is
    left as the spare holds it, for it to bring up to date (see `sync_tree`). `force`
    swaps even when no file changed. `sources`: see `signature`.

    `spare_holds`: what the last write said the spare holds (`Written.spare`: the folder's
    inode, its files' records and its `folder_stamp`), so the new folder is made from it by
    touching only the files that differ, without walking it (a large site has a folder per
    page).
    `stamp`: the published folder's stamp as the last write left it (`Written.stamp`),
    which goes with it when it is swapped out to be the spare. A folder that no longer
    has it (a file put in it by hand or by an older version, a link: what a clean build
    would not publish) is swapped out even when no file changed, and the new folder is
    made without what was added (see `_spare_files`).
    """
    output.mkdir(parents=True, exist_ok=True)
    recover_interrupted(output, name)
    final = output / name
    previous = (previous or {}) if final.is_dir() else {}
    result = Written(root=final)
    plan = _plan(files, f"{final}/", previous, sources, result)
    if previous and not (result.changed or result.removed or force) and \
            (now := _as_left(final, previous, stamp)) is not None:
        result.signatures = dict(previous)
        result.stamp = now
        return result  # the published folder is this build already: touch nothing
    temp = _new_folder(output, name, plan, result.signatures, spare_holds)
    if finish is not None:
        try:
            finish(temp, result.changed | result.removed)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    swapped_out = previous if final.exists() else {}
    spare = _swap_in(output, name, temp)
    result.swapped = True
    if spare.is_dir() and swapped_out and stamp:  # (unknown when the last build's record
        result.spare = (os.stat(spare).st_ino, swapped_out, stamp)  # was lost)
    result.stamp = folder_stamp(final, result.signatures)
    _with_file_stats(result)
    return result


def _plan(files: OutputFiles, folder: str, previous: dict[str, str],
          sources: FileDigests | None, result: Written
          ) -> dict[str, tuple[str, bytes | Path | str]]:
    """How each file gets into the new folder: path -> ("link", the published file) for
    one the published folder holds already, or ("write", its content); each file's
    signature, and those changed and removed, noted in `result`."""
    plan: dict[str, tuple[str, bytes | Path | str]] = {}
    for rel in sorted(files):  # text paths: a Path a file costs 0.05 s at 10,000 documents
        content = files[rel]
        if is_published_copy(content, folder, rel):
            plan[rel] = ("link", content)  # a page kept from the last build (checked intact)
            result.signatures[rel] = previous.get(rel) or signature(content)
            continue
        sig = signature(content, sources)
        result.signatures[rel] = sig
        old = folder + rel
        if unchanged(previous.get(rel), sig, old):
            plan[rel] = ("link", old)
            result.signatures[rel] = previous[rel]  # a hard link: the same inode and times
        else:
            plan[rel] = _writing(content, sig)
            result.changed.add(rel)
    result.removed = set(previous) - set(files)
    return plan


def _new_folder(output: Path, name: str, plan: dict[str, tuple[str, bytes | Path | str]],
                signatures: dict[str, str], spare_holds: tuple | None) -> Path:
    """The new folder, made as `plan` says beside the published one: from the spare (the
    folder the last build swapped out) where there is one, touching only the files that
    differ, else afresh."""
    temp = output / f"{TEMP_PREFIX}{name}-{os.getpid()}"
    if temp.exists():
        shutil.rmtree(temp)
    spare = output / f"{SPARE_PREFIX}{name}"
    try:
        if spare.is_dir():
            held = _spare_files(spare, spare_holds)
            spare.rename(temp)  # claimed: if we are killed now, a temp folder, tidied away
            try:
                _make_like(temp, plan, held, _shared_with_spare(plan, signatures, held))
                return temp
            except OSError:  # something odd in it (a file where a folder goes, files
                _drop(temp)  # another user left): afresh
        for rel, (how, content) in plan.items():
            target = temp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _put(how, content, str(target))
    except (ChangedWhileBuilding, OSError):  # nothing is published: the half-made folder
        shutil.rmtree(temp, ignore_errors=True)  # goes (a full disk: or it keeps it full)
        raise
    return temp


def _drop(folder: Path) -> None:
    """Remove a folder; one that cannot be removed whole (it holds files of another
    user's, as a CI runner whose last job ran as root may leave) is moved aside, under a
    name the next build tries to remove again (see recover_interrupted), and the new
    folder is made in its place."""
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        folder.rename(folder.with_name(f"{folder.name}-unusable-{time.time_ns()}"))


def _swap_in(output: Path, name: str, temp: Path) -> Path:
    """Publish the new folder `temp` as `output/name` in one swap (an atomic exchange
    where the system has one); the folder swapped out becomes the spare, which is
    returned."""
    final, spare = output / name, output / f"{SPARE_PREFIX}{name}"
    if final.exists() and exchange(temp, final):
        temp.rename(spare)  # now the old site, kept to make the next build's from
    else:
        old = output / f"{OLD_PREFIX}{name}-{os.getpid()}"
        if final.exists():
            final.rename(old)  # no atomic exchange here: a moment without the folder,
        temp.rename(final)     # which recover_interrupted() mends if we are killed
        if old.exists():
            old.rename(spare)
    return spare


def _shared_with_spare(plan: dict[str, tuple[str, bytes | Path | str]], signatures: dict[str, str],
                       held: dict[str, str] | None) -> set[str]:
    """The planned links whose file the spare holds already: recorded with the same
    status (inode, time, size) when the spare was published as when the published file
    was last written, and each found so now (a kept page by stages.published_file, a
    file of the same bytes by `unchanged`). While the spare is the folder its record
    says (its folders' stamp: no file renamed in or out), its path still names that
    inode, so a build after one edit leaves it be without looking at it (two looks
    a file, 22,000 at 10,000 documents)."""
    if not held:
        return set()
    return {rel for rel, (how, _) in plan.items() if how == "link" and
            (status := _status(held.get(rel))) is not None and status == _status(signatures[rel])}


def _spare_files(spare: Path, holds: tuple | None) -> dict[str, str] | None:
    """The files of the spare folder, if it is still the folder the last write swapped
    out (the same inode: a build killed after its swap but before it told the build
    memory leaves another) holding just the files it held when it was published (its
    folders' stamp: a file put in the published site by hand is in the spare now); None
    when unknown (then it is walked)."""
    try:
        if not holds or os.stat(spare).st_ino != holds[0]:
            return None
    except OSError:
        return None
    return dict(holds[1]) if folder_stamp(spare, holds[1]) == holds[2] else None


def folder_stamp(root: Path | str, files: Iterable[str]) -> str | None:
    """A digest of the modification times of `root` and of each folder holding one of
    `files`: a file or folder added to or removed from any of them changes it, while a
    whole folder renamed (swapped in or out) keeps it. One stat per folder (7,400 at
    10,000 documents: about 20 ms), where walking the folder to list its files costs
    0.1 s warm and seconds cold. None if a folder is gone. The times are trusted as
    a file's status is (see `unchanged`): an archive restores them (a CI cache), and
    anything else that adds a file changes them."""
    return stamp_of_folders(root, folders_of(files))


def _as_left(folder: Path, files: dict[str, str], stamp: str | None) -> str | None:
    """The folder's stamp, if it holds just `files`, as the last write left it: by its
    stamp, or (when its folders' times were not kept: a cache restored from an archive
    of whole seconds) by listing its folders."""
    if stamp is None:
        return None
    now = folder_stamp(folder, files)
    return now if now == stamp or holds_just(folder, listing_of(files)) else None


def folders_of(files: Iterable[str]) -> set[str]:
    """The folders `folder_stamp` looks at: "" (the root) and each holding a file."""
    folders = {""}
    for rel in files:
        parent = rel.rpartition("/")[0]
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return folders


def listing_of(files: Iterable[str]) -> dict[str, set[str]]:
    """What each folder holding `files` holds (see `folders_of`): its files' and its
    folders' names."""
    listing: dict[str, set[str]] = {"": set()}
    for rel in files:
        parent, _, name = rel.rpartition("/")
        while True:
            known = parent in listing
            listing.setdefault(parent, set()).add(name)
            if known:
                break
            parent, _, name = parent.rpartition("/")
    return listing


def holds_just(root: Path | str, listing: dict[str, set[str]]) -> bool:
    """Does `root` hold just what `listing` (see `listing_of`) says, each file a plain
    file and each folder a folder (no link)? For a folder whose times are not kept (a
    cache restored file by file), where `folder_stamp` cannot tell: it lists them."""
    base = f"{root}/"
    try:
        if not stat.S_ISDIR(os.lstat(root).st_mode):
            return False  # a link to a folder (its folders are checked as listed)
        for folder, names in listing.items():
            prefix = f"{folder}/" if folder else ""
            with os.scandir(base + folder) as entries:
                found = {entry.name: entry for entry in entries}
            if found.keys() != names:
                return False
            for name, entry in found.items():
                if not (entry.is_dir(follow_symlinks=False) if prefix + name in listing
                        else entry.is_file(follow_symlinks=False)):
                    return False
    except OSError:
        return False
    return True


def stamp_of_folders(root: Path | str, folders: Iterable[str]) -> str | None:
    """`folder_stamp` of the folders given by `folders_of`; None if one is gone or not a
    folder (a link to one: looked at with lstat, and no "/" after it)."""
    base = f"{root}/"
    times = {}
    try:
        for folder in folders:
            found = os.lstat(base + folder if folder else root)
            if not stat.S_ISDIR(found.st_mode):
                return None
            times[folder] = found.st_mtime_ns
    except OSError:
        return None
    return _stamp_of(times)


def _stamp_of(times: dict[str, int]) -> str:
    """`folder_stamp` of folders with these modification times."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in sorted(times):
        digest.update(f"{folder}\0{times[folder]}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _put(how: str, content, target: str) -> None:
    if how == "link":
        _link(content, target)
    elif how == "copy":
        _copy_as_read(*content, target)
    elif isinstance(content, StagedFile):
        os.rename(content, target)  # a new file of its own (never one the spare shares)
    else:
        with open(target, "wb") as handle:
            handle.write(content)


def _writing(content: bytes | Path, sig: str) -> tuple[str, object]:
    """How a file that changed is put in place: a file published as it is (a media
    file, a theme asset) copied as the build read it (`_copy_as_read`), else written."""
    if isinstance(content, Path) and not isinstance(content, StagedFile):
        return "copy", (content, sig)
    return "write", content


def _copy_as_read(source: Path, digest: str, target: str) -> None:
    """Copy `source`, whose bytes had `digest` when the build looked at them (the leak
    audit did: see FileDigests.as_read), or raise ChangedWhileBuilding: a file saved
    again since (with members text in it, say) is never published unlooked at. Hashed
    as it is copied, so what is checked is what is written."""
    if copied(str(source), target) != digest:
        os.unlink(target)
        raise ChangedWhileBuilding(source)


def _make_like(folder: Path, plan: dict[str, tuple[str, bytes | Path | str]],
               held: dict[str, str] | None = None, shared: set[str] = frozenset()) -> None:
    """Turn `folder`, the site as the build before last left it (the spare), into the
    planned one, touching only what differs: most of a large site is the same, and
    linking every file into a new folder, then deleting the old one, costs seconds.
    `held`: the files the spare is known to hold, if known (else it is walked), and
    `shared` those of them that are the very files planned (see `_shared_with_spare`).

    The spare shares files (inodes) with the published site, so no file is ever written
    into: a new version is written beside and renamed over, a gone one is unlinked."""
    root = str(folder)
    if held is not None:
        for rel in held.keys() - plan.keys():
            target = os.path.join(root, rel)
            try:
                os.unlink(target)  # (a link is unlinked, never followed)
            except OSError:  # not there, or a folder where a file was: start afresh
                if os.path.isdir(target) and not os.path.islink(target):
                    raise OSError(f"a folder where a file was: {rel}") from None
                continue
            parent = os.path.dirname(target)
            while parent != root:  # the folders it leaves empty go too
                try:
                    os.rmdir(parent)
                except OSError:
                    break
                parent = os.path.dirname(parent)
    if held is None:
        _remove_unplanned(root, plan)
    for rel, (how, content) in plan.items():
        if rel in shared:
            continue
        target = os.path.join(root, rel)
        try:
            now = os.lstat(target)  # a link is replaced, never followed
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _put(how, content, target)
            continue
        if how == "link" and os.path.samestat(now, os.stat(content)):
            continue  # the very file published
        if stat.S_ISDIR(now.st_mode):  # a folder where a file now goes (a page renamed)
            shutil.rmtree(target)
            _put(how, content, target)
            continue
        beside = os.path.join(os.path.dirname(target), TEMP_PREFIX + os.path.basename(target))
        _put(how, content, beside)
        os.replace(beside, target)


def _remove_unplanned(root: str, plan: dict) -> None:
    """Walk the spare (when what it holds is unknown: a CI cache restored it) and remove
    every file not in `plan`, every link to a folder, and the folders left empty. Paths
    are cut from text (a large site has a folder per page: 7,400 at 10,000 documents)."""
    start = len(root) + 1
    emptied: set[str] = set()
    for here, subfolders, names in os.walk(root, topdown=False):
        kept = 0
        for name in subfolders:  # a link to a folder: writing through it could reach
            path = os.path.join(here, name)  # anywhere, the published site too
            if os.path.islink(path):
                os.unlink(path)
            elif path not in emptied:
                kept += 1
        prefix = here[start:].replace(os.sep, "/") + "/" if here != root else ""
        for name in names:
            if prefix + name in plan:
                kept += 1
            else:
                os.unlink(os.path.join(here, name))
        if not kept and here != root:
            try:
                os.rmdir(here)
                emptied.add(here)
            except OSError:  # something came into it meanwhile
                pass


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE), so the
    published folder is at every moment either the old site or the new one."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_cwd, rename_exchange = -100, 2
    return renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0


def _renameat2():
    global _RENAMEAT2
    if _RENAMEAT2 is False:
        import ctypes

        try:  # the C library as linked into this process: looking it up by name
            # (ctypes.util.find_library) runs `ldconfig -p`, a program, at every build
            function = ctypes.CDLL(None, use_errno=True).renameat2
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                 ctypes.c_uint]
            function.restype = ctypes.c_int
            _RENAMEAT2 = function
        except (OSError, AttributeError):
            _RENAMEAT2 = None
    return _RENAMEAT2


_RENAMEAT2 = False  # not looked up yet


class BuildLock:
    """One build at a time per output folder; a second one is told who holds it."""

    def __init__(self, output: Path):
        self.path = output / LOCK_FILE
        self.handle = None

    def __enter__(self) -> "BuildLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = _open_lock(self.path)
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise LockedError(f"another build ({holder}) is writing to {self.path.parent}; "
                              "wait for it to finish, then build again") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"process {os.getpid()}")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        self.handle.truncate(0)  # who held it is of no use once it is let go, and two
        self.handle.flush()      # builds of the same content leave the same folder
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _open_lock(path: Path):
    """The lock file, never through a link: one planted in a restored output would have
    the build empty the file it names. A link there, or a file with another name too (a
    hard link), is replaced by a file of the build's own."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(3):
        try:
            handle = os.open(path, flags, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
        else:
            if os.fstat(handle).st_nlink == 1:
                return os.fdopen(handle, "a+")
            os.close(handle)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    raise OSError(errno.ELOOP, "a link or linked file keeps coming back", str(path))


class LockedError(Exception):
    pass


def update_in_place(output: Path, name: str, files: OutputFiles,
                    previous: dict[str, str] | None, only: bool = False,
                    sources: FileDigests | None = None) -> Written:
    """Bring `output/name/` up to date by replacing only the files that changed, each one
    atomically (write beside, then rename over). Used by the preview server, where the
    editor waits for the page: the published-site guarantee of `write_root` (all old or
    all new) is not needed there, and a full swap costs time in proportion to the site.
    Falls back to `write_root` when there is no earlier build to update. With `only`,
    `files` are some of the folder's files, and the others stay as they are."""
    final = output / name
    if not previous or not final.is_dir():
        if only:
            raise ValueError("only some files of a folder that was never written")
        return write_root(output, name, files, previous=previous, sources=sources)
    result = Written(root=final, signatures=dict(previous) if only else {})
    folder = f"{final}/"  # paths as text: this loop visits every file of the site
    for rel in sorted(files):
        content = files[rel]
        if is_published_copy(content, folder, rel):
            result.signatures[rel] = previous.get(rel) or signature(content)
            continue
        sig = signature(content, sources)
        result.signatures[rel] = sig
        if unchanged(previous.get(rel), sig, folder + rel):
            result.signatures[rel] = previous[rel]
            continue
        result.changed.add(rel)
        target = final / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f"{TEMP_PREFIX}{target.name}")
        try:
            _put(*_writing(content, sig), str(temp))
            os.replace(temp, target)
        except BaseException:  # (a full disk: what was written of it would keep it full)
            temp.unlink(missing_ok=True)
            raise
    result.removed = set() if only else set(previous) - set(files)
    for rel in result.removed:
        (final / rel).unlink(missing_ok=True)
    _with_file_stats(result)
    return result


def is_published_copy(content: bytes | Path, folder: str, rel: str) -> bool:
    """Is `content` the published file of the same path (`folder` ends with '/')? A page
    kept from the last build is given as the path of its published file. Text paths: the
    builds ask this of every file of the site."""
    return isinstance(content, Path) and str(content) == folder + rel


# What the last build wrote is remembered as "<content signature>|<inode>:<mtime>:<size>":
# a published file is taken as unchanged only if it is still the very file that was
# written (someone may have restored an old copy of the output, or deleted files).

def _stat_part(path: Path | str) -> str | None:
    """A published file's status (inode, time, size), or None when there is no plain
    file there: ccsite publishes no link, and what is not a file (a pipe, a device, a
    link planted in a restored output) is never read, nor kept: its page is made again."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return _status_of(found) if stat.S_ISREG(found.st_mode) else None


def _status_of(found: os.stat_result) -> str:
    """What a record keeps of a file's status (see `Written.signatures`)."""
    return f"{found.st_ino}:{found.st_mtime_ns}:{found.st_size}"


def content_digest(recorded: str | None) -> str | None:
    """The digest of a file's bytes, from what the last build remembered of it."""
    return recorded.split("|", 1)[0] if recorded else None


def _status(recorded: str | None) -> str | None:
    """The status (inode, time, size) a published file had when the last build recorded
    it, or None when none was recorded."""
    return recorded.split("|", 1)[1] if recorded and "|" in recorded else None


def unchanged(recorded: str | None, sig: str, published: Path | str) -> bool:
    """Is the published file still the one written with these bytes?"""
    if not recorded or "|" not in recorded:
        return False
    content, stat = recorded.split("|", 1)
    return content == sig and _stat_part(published) == stat


def still_written(recorded: str | None, published: str, now: str | None = None) -> str | None:
    """Is the published file the one written, or one with the same bytes? What to record
    of it then (its status anew, if it changed), else None. A fresh clone with the last
    output restored from a CI cache has every file anew, with the bytes written. `now`:
    its status, if just taken."""
    if not recorded or "|" not in recorded:
        return None
    content, stat = recorded.split("|", 1)
    now = now or _stat_part(published)  # (None: it is gone)
    if now is None:
        return None
    if now == stat:
        return recorded
    try:
        same = of_file(published) == content
    except OSError:
        return None
    return f"{content}|{now}" if same else None


def record_of(path: Path | str, known: str | None = None,
              entry: os.DirEntry | None = None) -> str | None:
    """What to record of a file just made (see `still_written`): `known`, when it is that
    record's very file (a hard link of it), else its digest read now; None when there
    is no plain file there. `entry`: the file's entry in its folder's listing, whose
    inode (read with the listing) tells a hard link of the known file without reading
    its status; the record is checked against the file's status when it is next used
    (see `unchanged`), like every record a build takes from the last."""
    if known is not None and entry is not None and entry.is_file(follow_symlinks=False) \
            and (_status(known) or "").partition(":")[0] == str(entry.inode()):
        return known
    now = _stat_part(path)
    if now is None:
        return None
    if known is not None and _status(known) == now:
        return known
    return f"{of_file(path)}|{now}"


def real_folders(root: Path, files: Iterable[str]) -> bool:
    """Is `root`, and each folder of it that holds one of `files`, a folder, not a link to
    one? A file found through a link was never made by a build, whatever its bytes. (A
    link where a root goes is removed before the write: see recover_interrupted.)"""
    return folder_stamp(root, files) is not None


# Published files from which a helper process looks at them (see start_adopting): for
# fewer, forking one costs more than the look
HELPER_FROM = 2000
# the roots whose write makes its folder from a spare, each with the folder in it that
# the write's `finish` brings up to date itself (the search index: see sync_tree)
SPARED = {"public": SEARCH_FOLDER, "members": None}


def start_looking_early(output: Path, memory_file: Path) -> Helper | None:
    """The helper of `start_adopting`, forked before the build reads anything: it reads
    the table of contents of the build memory itself. A CI build at 10,000 documents
    reads 12,000 published files (see `start_adopting`), and the build waited 0.15 to
    0.2 s for a helper forked once it had checked its inputs and read that table itself.
    It sends nothing when there is no memory or too few files (the build then looks);
    None when it cannot be forked."""
    if not may_fork() or not _is_a_file(memory_file):
        return None
    forked = fork_helper(functools.partial(_look_early, output, memory_file))
    return None if forked is None else Helper(*forked)


def _is_a_file(path: Path) -> bool:
    """Is there a file? No, for one in a folder this user may not look into (a cache
    folder another user made, as ccsite makes them: readable by its owner only), which
    the build does without, as it does without any cache it cannot read."""
    try:
        return path.is_file()
    except OSError:
        return False


def _look_early(output: Path, memory_file: Path, writer: int) -> None:
    from .incremental import BuildMemory  # (that module imports the write stage's users)

    table = BuildMemory.read_table(memory_file)
    if table is not None and _worth_a_helper(table.published()):
        Adopting(output, table.published(), table.spares).send_look(writer)


def _worth_a_helper(outputs: dict[str, dict[str, str]]) -> bool:
    return sum(map(len, outputs.values())) >= HELPER_FROM


def start_adopting(output: Path, outputs: dict[str, dict[str, str]],
                   spares: dict[str, tuple] | None = None,
                   early: Helper | None = None) -> "Adopting":
    """Record anew each published file that has a new status but the bytes the last
    build wrote (an output folder restored by CI, a copy of the site), so the build keeps
    it as it would the file it wrote; the others stay recorded as they were, and are
    made again. `Adopting.finish` gives, by root, the files found as recorded (those
    adopted too): a page the build keeps is linked from one of these, with no second
    stat of each (0.1 s of a build at 10,000 documents); a file changed by hand since the
    last build is not among them, so its page is made again.

    Each published file is stat-ed, and those whose status changed since the last build
    are read for their digest. On a large site a helper process does it (see
    `Adopting.look`) while the build reads its memory, loads and validates its content,
    on the machine's other core: 22,000 files at 10,000 documents take 0.1 s to stat,
    and a fresh clone with its output restored by CI has 12,000 to read (0.17 s);
    `Adopting.finish` takes its answer.

    The helper also lists each spare folder that is not the one the last write left (by
    `spares`, what it recorded: see `Written.spare`), as the write would walk it
    otherwise (0.1 s more of a CI build at 10,000 documents): see `list_spare`.
    `early`: the helper, forked already (see `start_looking_early`)."""
    adopting = Adopting(output, outputs, spares or {})
    if early is not None:
        if _worth_a_helper(outputs):
            adopting.helper = early
            return adopting
        early.stop()  # it sent nothing: the build looks
    if _worth_a_helper(outputs) and may_fork():
        forked = fork_helper(adopting.send_look)
        if forked is not None:
            adopting.helper = Helper(*forked)
            return adopting
    adopting.look()
    return adopting


def _spare_unknown(spare: Path, holds: tuple | None) -> bool:
    """Is there a spare folder that is not the one the last write recorded?"""
    try:
        found = os.lstat(spare)
    except OSError:
        return False
    return stat.S_ISDIR(found.st_mode) and (not holds or found.st_ino != holds[0])


@dataclass
class Adopting:
    """Published files being looked at (see `start_adopting`)."""

    output: Path
    outputs: dict[str, dict[str, str]]
    recorded_spares: dict[str, tuple]  # root -> its spare, as the last write recorded it
    found: dict[str, set[str]] = field(default_factory=dict)  # root -> files as recorded
    to_read: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (root, file, its record, its path, its status now): a file whose status changed
    spares: dict[str, tuple] = field(default_factory=dict)  # root -> its spare, listed
    helper: Helper | None = None

    def look(self) -> None:
        """Stat each published file: `found` those as recorded, `to_read` those whose
        status changed (and are still plain files)."""
        for root, files in self.outputs.items():
            folder = f"{self.output / root}/"
            found = self.found[root] = set()
            if not real_folders(self.output / root, files):
                continue  # reached through a link: nothing there is what a build wrote
            for rel, recorded in files.items():
                status = _status(recorded)
                if status is None:
                    continue
                now = _stat_part(folder + rel)
                if now == status:
                    found.add(rel)
                elif now is not None:
                    self.to_read.append((root, rel, recorded, folder + rel, now))

    def finish(self) -> dict[str, set[str]]:
        """The files found as recorded, by root (see `start_adopting`), from the helper's
        answer, or (when there was none, or it failed) the build's own look. What the
        helper listed of the spares is `spares`."""
        answer = self._from_helper() if self.helper else None
        if answer is None:
            if not self.found:  # (looked already, when there was no helper)
                self.look()
            adopted = self._adopted()
        else:
            absent, adopted, self.spares = answer
            self.found = {root: set(files).difference(absent[root])
                          for root, files in self.outputs.items()}
        for root, rel, recorded in adopted:
            self.outputs[root][rel] = recorded
            self.found[root].add(rel)
        self.to_read = []
        return self.found

    def stop(self) -> None:
        """Give up the helper, if one is looking (a build that ends before it is asked)."""
        if self.helper is not None:
            self.helper.stop()

    def send_look(self, writer: int) -> None:
        """The helper's work: the look, each changed file's reading and each unknown
        spare's listing, sent (marshal) through its pipe: by root, the files not found
        as recorded (few, where those found are all but a few), and the files adopted
        with their records. At the lowest priority: the build's other helper (its
        templates, precompile.py) and the build itself go first, and this one has the
        time they leave (run as their equal, it slowed them by more than it saved, 2
        cores at 10,000 documents)."""
        os.nice(19)
        self.look()
        adopted = self._adopted()
        absent = {root: [rel for rel in files if rel not in self.found[root]]
                  for root, files in self.outputs.items()}
        listed = {root: listing for root in self.outputs if root in SPARED
                  and _spare_unknown(spare := self.output / f"{SPARE_PREFIX}{root}",
                                     self.recorded_spares.get(root))
                  and (listing := list_spare(spare, SPARED[root])) is not None}
        write_all(writer, marshal.dumps((absent, adopted, listed, self._looked_at())))

    def _looked_at(self) -> str:
        """What the look was of: the early helper reads the memory's table of contents
        itself (see `start_looking_early`), and its answer is believed only for the very
        files the build's own reading records (another build sharing the cache folder
        may have saved a memory meanwhile)."""
        return hashlib.blake2b(marshal.dumps(self.outputs, 2),  # (2: shares no objects)
                               digest_size=16).hexdigest()

    def _adopted(self) -> list[tuple[str, str, str]]:
        """(root, file, what to record of it) for each file of `to_read` that has the
        bytes the last build wrote (see `still_written`)."""
        return [(root, rel, now_recorded) for root, rel, recorded, path, now in self.to_read
                if (now_recorded := still_written(recorded, path, now)) is not None]

    def _from_helper(self) -> tuple[dict, list, dict] | None:
        """The helper's answer (see `send_look`), or None when it failed or is not one."""
        data, self.helper = self.helper.read_all(), None
        try:
            absent, adopted, listed, looked_at = marshal.loads(data) if data is not None \
                else (None, None, None, None)
        except (EOFError, ValueError, TypeError):
            return None
        if looked_at != self._looked_at() or not (
                type(absent) is dict and set(absent) == set(self.outputs) and
                all(type(files) is list for files in absent.values()) and
                type(adopted) is list and type(listed) is dict and
                all(type(row) is tuple and len(row) == 3 and row[0] in self.outputs
                    and row[1] in self.outputs[row[0]] for row in adopted)):
            return None
        return absent, adopted, listed


def list_spare(spare: Path, own: str | None = None) -> tuple | None:
    """A spare folder walked, as `Written.spare` records one: (its inode, its files'
    records, its folders' stamp), so that the write makes its new folder from it by
    what it holds (see `_spare_files`, `_make_like`), as after a build that recorded it.
    Each folder's time is taken before it is listed, so a file put in it meanwhile
    changes the stamp, and the write walks the spare itself, as it does when the spare
    holds a folder without files (the stamp then has a folder the write's has not).
    None when it holds a link to a folder, or anything but files and folders. Its
    folder `own` (see SPARED) is left out, as a write's record leaves it: that folder
    is brought up to date by the write's `finish`, mostly holding the very files (a
    search index; listed, each of its 7,000 files at 10,000 documents was unlinked from
    the new folder and linked again)."""
    files: dict[str, str] = {}
    times: dict[str, int] = {}

    def walk(path: str, prefix: str) -> bool:
        times[prefix.rstrip("/")] = os.stat(path).st_mtime_ns
        with os.scandir(path) as entries:
            for entry in entries:
                if not prefix and entry.name == own:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if not walk(entry.path, f"{prefix}{entry.name}/"):
                        return False
                elif entry.is_file(follow_symlinks=False):
                    files[prefix + entry.name] = \
                        f"|{_status_of(entry.stat(follow_symlinks=False))}"
                else:
                    return False
        return True

    try:
        inode = os.lstat(spare).st_ino
        if not walk(str(spare), ""):
            return None
    except OSError:
        return None
    return inode, files, _stamp_of(times)


def _with_file_stats(result: Written) -> None:
    """Complete the signatures of files written now (kept ones have theirs already)."""
    root = f"{result.root}/"
    for rel, sig in result.signatures.items():
        if "|" not in sig:
            result.signatures[rel] = f"{sig}|{_stat_part(root + rel)}"


def _link(source: Path | str, target: Path | str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def sync_tree(source: Path | None, target: Path, skip: str | None = None,
              only: set[str] | None = None) -> None:
    """Make `target` hold hard links of just the files under `source` (None: of nothing),
    but those in its folder `skip` (and `target`'s own `skip` is left), touching only what
    differs. A search index is thousands of files, and the spare folder a build starts
    from mostly holds the very ones already (the same inodes, which a folder listing
    gives without a look at each file): removing them all and linking them again cost
    a tenth of a nightly build at 10,000 documents. Whatever else is found in `target`
    (a link, a folder where a file goes) is removed, never written through. `only`: the
    files of `source` (paths in it) to take, when others may be there that were never
    made (put in the published site by hand): those are left behind."""
    only_a_folder(target)
    _sync_folder(None if source is None else str(source), str(target), skip,
                 None if only is None else ("", only))


def _sync_folder(source: str | None, target: str, skip: str | None,
                 only: tuple[str, set[str]] | None) -> None:
    os.makedirs(target, exist_ok=True)
    with os.scandir(target) as entries:
        found = {entry.name: entry for entry in entries if entry.name != skip}
    with contextlib.nullcontext(()) if source is None else os.scandir(source) as entries:
        for entry in entries:
            if entry.name == skip:
                continue
            if entry.is_dir(follow_symlinks=False):
                there = found.pop(entry.name, None)
                path = os.path.join(target, entry.name)
                if there is not None and not there.is_dir(follow_symlinks=False):
                    os.unlink(path)
                _sync_folder(entry.path, path, None, None if only is None else
                             (f"{only[0]}{entry.name}/", only[1]))
                if only is not None:
                    with contextlib.suppress(OSError):
                        os.rmdir(path)  # a folder of nothing made by a build goes
                continue
            if only is not None and (only[0] + entry.name not in only[1] or
                                     not entry.is_file(follow_symlinks=False)):
                continue  # not made by a build: removed from `target` below, if there
            there = found.pop(entry.name, None)
            path = os.path.join(target, entry.name)
            if there is not None:
                if there.is_file(follow_symlinks=False) and there.inode() == entry.inode():
                    continue  # the very file
                _remove_entry(there)
            _link(entry.path, path)
    for there in found.values():
        _remove_entry(there)


def keep_only(folder: Path, names: set[str]) -> None:
    """Remove from `folder` every entry not named in `names` (a link is removed, never
    followed), and `folder` itself when it is not a real folder."""
    only_a_folder(folder)
    try:
        with os.scandir(folder) as entries:
            gone = [entry for entry in entries if entry.name not in names]
    except FileNotFoundError:
        return
    for entry in gone:
        _remove_entry(entry)


def _remove_entry(entry: os.DirEntry) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def recover_interrupted(output: Path, name: str) -> None:
    """Undo what an interrupted build left: restore a moved-away site, drop temp folders.
    Whatever is found at a path of ours that is not a real folder (a link, a file) is
    removed first: the output folder may be one a CI cache restored, and a link there
    (the spare linked to the members' spare, say) would be followed, written through, and
    swapped in as the published site."""
    final = output / name
    for path in (final, output / f"{SPARE_PREFIX}{name}",
                 *output.glob(f"{OLD_PREFIX}{name}-*"), *output.glob(f"{TEMP_PREFIX}{name}-*")):
        only_a_folder(path)
    for leftover in sorted(output.glob(f"{OLD_PREFIX}{name}-*")):
        if not final.exists():
            leftover.rename(final)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.glob(f"{TEMP_PREFIX}{name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def only_a_folder(path: Path) -> None:
    """Remove what is at `path` unless it is a real folder (a link is removed, never
    followed)."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(found.st_mode):
        os.unlink(path)


def write_whole(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write a file whole or not at all (a full disk, a command stopped): a temporary
    file beside it (hidden, so a build and the preview server's watcher never read it
    half written; its owner's alone from its first byte), then renamed over it, with
    `mode`, else the mode the file had (else 0644). For a file people keep: a content
    file the web editor saves, a JSON Schema, the members' store (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".ccsite-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        elif path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""The cache folder beside content/: what one build leaves for the next, kept so that it
can neither run code nor be read by others.

Why: the cache holds members text in clear (parsed documents, rendered Markdown, the leak
audit's fingerprints), so the folder is the build user's alone (0700, each file 0600,
a folder made by an older ccsite included). And what it holds is data only: CBOR of
plain values (text, numbers, lists, maps), read back by a decoder that builds no objects
of its choosing, where Python's pickle (which a build memory was, until version 10) or
Jinja's compiled templates would run whatever a file told them to. So whoever can write
to the folder (another user, a cache a CI service restores) can at worst make a build
slower, never run code as its user, and a restored cache needs no key to be trusted.
The one exception is the templates' compiled code, kept for the next command-line build
with a signature made with a key of the user's own, kept outside this folder, and used
only when that signature holds (templatecode.py).

A file starts with a header naming what it is and the version of its layout; anything
else (another version, a damaged or planted file) reads as nothing: the build then does
the work afresh, as it does when the folder is deleted.
"""
from __future__ import annotations

import contextlib
import gc
import os
import shutil
import stat
from pathlib import Path
from typing import Any, Iterator

import cbor2

FOLDER_MODE = 0o700
FILE_MODE = 0o600
MAGIC = b"ccsite-cache\n"
MAX_FILE_BYTES = 1 << 30  # a cache file larger is not read (a planted, sparse one filled the
# memory: a review); the largest ccsite writes is the Markdown cache, 24 MB at 10,000
# documents
# what older versions kept here: pickles and compiled templates (code), and the Markdown
# cache as JSON, never read now and removed, as they hold members text in clear
RETIRED = ("build-memory.pickle", "build-stamp.pickle", "jinja", "markdown.json")


class CacheUnreadable(Exception):
    """A cache file that is not one this version of ccsite wrote."""


def make_private(folder: Path) -> bool:
    """Make the cache folder (if need be) and make it its owner's alone; False when it
    cannot be (then nothing is kept in it)."""
    now = _private_identity(folder)
    if now is not None and _left_private.get(str(folder)) == now:
        return True
    made = _make_private(folder)
    if made:
        _left_private[str(folder)] = _private_identity(folder)
    return made


# Each cache file read or written asks first for its folder to be made private: 220 times
# in a routine build at 10,000 documents (the build memory is kept in pieces), where each
# look (made, a folder and no link, its mode, files of older versions) took some fifteen
# system calls, 14 ms in all. So a folder this process made private is trusted while it is
# as it left it: the same folder (device, inode), still its owner's alone, and changed in
# nothing since (its status change time: an entry added or removed, its mode changed,
# each changes it). One look, one system call.
_left_private: dict[str, tuple[int, int, int] | None] = {}


def _private_identity(folder: Path) -> tuple[int, int, int] | None:
    """(device, inode, status change time) of `folder` if it is a folder (not a link to
    one) that is its owner's alone; else None."""
    try:
        found = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or stat.S_IMODE(found.st_mode) != FOLDER_MODE:
        return None
    return found.st_dev, found.st_ino, found.st_ctime_ns


def _make_private(folder: Path) -> bool:
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            return False
        if stat.S_IMODE(folder.stat().st_mode) != FOLDER_MODE:  # one an older ccsite
            os.chmod(folder, FOLDER_MODE)  # made open to all, and the files it left
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False):
                        os.chmod(entry.path, FILE_MODE)
    except OSError:
        return False
    for name in RETIRED:
        old = folder / name
        try:
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            elif old.exists() or old.is_symlink():
                old.unlink()
        except OSError:
            pass
    return True


def write(path: Path, kind: str, version: str, value: Any) -> bool:
    """Keep `value` (plain data only) as `kind` in the cache; best effort, as a cache
    (False when it could not be kept). Encoded straight into the file: a large site's
    build memory is tens of megabytes, which held whole (and again with its header)
    would be the build's peak of memory."""
    def encode_into(stream) -> None:
        stream.write(MAGIC)
        cbor2.dump([kind, version, value], stream)
    return _write_with(path, encode_into)


def encode(kind: str, version: str, value: Any) -> bytes:
    """The bytes `write` would keep, for a file named by their digest (`write_bytes`)."""
    return MAGIC + cbor2.dumps([kind, version, value])


def read(path: Path, kind: str, version: str) -> Any:
    """The value kept by `write`; CacheUnreadable when the file is missing, damaged, of
    another kind or version, or not a cache file at all."""
    data = read_bytes(path)
    if data is None or not data.startswith(MAGIC):
        raise CacheUnreadable(path)
    try:
        found = cbor2.loads(memoryview(data)[len(MAGIC):])  # (a view: no second copy)
    except Exception as exc:  # cbor2 raises several kinds for bad input
        raise CacheUnreadable(path) from exc
    if not (isinstance(found, list) and len(found) == 3 and found[:2] == [kind, version]):
        raise CacheUnreadable(path)
    return found[2]


def write_bytes(path: Path, data: bytes) -> bool:
    """Write a cache file, readable by its owner only from its first byte, swapped in
    whole (a build killed while writing leaves the old file). Best effort: False when
    it could not be written."""
    return _write_with(path, lambda stream: stream.write(data))


def _write_with(path: Path, write_to) -> bool:
    """`write_bytes`, the bytes written by `write_to(stream)`."""
    if not make_private(path.parent):
        return False
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
                         FILE_MODE)
        try:
            os.fchmod(handle, FILE_MODE)  # a leftover temp file had its own mode
            with os.fdopen(handle, "wb", closefd=False) as stream:
                write_to(stream)
        finally:
            os.close(handle)
        os.replace(temp, path)
    except BaseException as exc:  # a half-written file is never left behind
        try:
            temp.unlink()
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        return False
    return True


def read_bytes(path: Path) -> bytes | None:
    """A cache file's bytes, or None. The folder is made private first, so a build never
    reads from a folder it has not made its own (it may be one an older ccsite left)."""
    if not make_private(path.parent):
        return None
    found = read_file(path, MAX_FILE_BYTES)
    return None if found is None else found[0]


def read_file(path: Path, most: int) -> tuple[bytes, os.stat_result] | None:
    """A regular file's bytes and status; None when it is not there, is anything else,
    or holds more than `most` bytes. Never read through a link, nor waited for (a planted
    link to /dev/zero filled the memory, a named pipe held the build: a red team's
    review)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode) or found.st_size > most:
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read(), found
    except OSError:
        return None
    finally:
        os.close(handle)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a large cache file is read or written: its
    hundreds of thousands of values (none in a cycle) are made or walked at once, and the
    collector's passes over them took more than half the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

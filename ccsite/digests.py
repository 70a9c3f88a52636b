"""Has a file changed? Told by its bytes, with its file times only as a shortcut.

A build compares each input file (content, templates, ccsite's code) and each published
file with what the last build saw. File times cannot say it alone: a fresh clone of the
site's repository, or a CI service restoring the cache and the last output, gives every
file a new time and inode with the very same bytes, and two saves within one tick of the
clock can leave a changed file with the same times and size. So what a build compares is
a digest of each file's bytes; the file's status (size, times, inode) is kept beside it,
and while the status is the same the file is not read again, as git does with its index.

A file changed in the moments before its status was taken is "racy": a second save in the
same tick would not show in its status, so its status is not kept, and the next build
reads it again (only such files: a build right after another one, or right after the
files were written, reads those few, never stops trusting the rest).
"""
from __future__ import annotations

import hashlib
import os
import stat
import time

from .workers import write_all

RACY_NANOSECONDS = 2_000_000_000  # file systems keep times to 1 ns at best, 2 s (FAT) at worst

Status = tuple[int, int, int, int]  # size, modification time, change time, inode


def status(found: os.stat_result) -> Status:
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)


def file_digest() -> "hashlib._Hash":
    """What names a file's bytes, to be fed them piece by piece: `of_bytes` of them all."""
    return hashlib.blake2b(digest_size=16)


def of_bytes(data: bytes) -> str:
    digest = file_digest()
    digest.update(data)
    return digest.hexdigest()


def of_file(path: str) -> str:
    """The digest of a file's bytes (read in pieces: a media file may be large). Read
    without Python's file objects: a CI build digests every content and published file
    (20,000 at 10,000 documents), where making and closing one per file cost a quarter
    of the time."""
    return copied(path, None)


def copied(path: str, target: str | None) -> str:
    """The digest of a file's bytes, as `of_file` gives it, written meanwhile to
    `target` (if given) as they are read: what is written is what the digest names
    (see write._copy_as_read)."""
    digest = file_digest()
    descriptor = os.open(path, os.O_RDONLY)
    writing = None
    try:
        if target is not None:
            writing = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        while piece := os.read(descriptor, 1 << 20):
            digest.update(piece)
            if writing is not None:
                write_all(writing, piece)
    finally:
        os.close(descriptor)
        if writing is not None:
            os.close(writing)
    return digest.hexdigest()


class FileDigests:
    """Each file's digest with the status it had when read (None: racy, read it again).

    Made from what the last build kept (`kept`); what this build looked up or noted is
    `used`, to keep for the next one (files gone since are dropped that way)."""

    def __init__(self, kept: dict[str, tuple[Status | None, str]] | None = None):
        self.kept = kept or {}
        self.used: dict[str, tuple[Status | None, str]] = {}
        self.racy_from = time.time_ns() - RACY_NANOSECONDS  # a status later than this
        # may not show a change made after it was taken

    def known(self, path: str, now: Status) -> str | None:
        """The file's digest if its status is the one it had when last read, else None."""
        entry = self.kept.get(path)
        if entry is not None and entry[0] == now:
            self.used[path] = entry
            return entry[1]
        return None

    def keep(self, path: str) -> None:
        """The file is known to be as it was (the preview server's watcher says so)."""
        if path in self.kept:
            self.used[path] = self.kept[path]

    def note(self, path: str, now: Status, digest: str) -> None:
        """`digest` was read from the file with status `now` (taken before reading)."""
        trusted = now[1] < self.racy_from and now[2] < self.racy_from
        self.used[path] = (now if trusted else None, digest)

    def as_read(self, path: str) -> str:
        """The digest this build took of the file, if it took one (the leak audit looks
        at every public file first), else taken now: a build publishes the bytes it
        looked at, or nothing (see write._copy_as_read)."""
        entry = self.used.get(path)
        return entry[1] if entry is not None else self.digest(path)

    def digest(self, path: str, found: os.stat_result | None = None,
               key: str | None = None) -> str:
        """The digest of the file's bytes, read only when its status changed; kept under
        `key` when it is not the path."""
        found = found if found is not None else os.stat(path)
        if not stat.S_ISREG(found.st_mode):  # a pipe or device: opening it could wait
            # forever, and the build refuses it anyway (load.py, media.py) without reading
            self.used[key or path] = (None, f"not a plain file ({stat.filemode(found.st_mode)})")
            return self.used[key or path][1]
        now = status(found)
        digest = self.known(key or path, now)
        if digest is None:
            digest = of_file(path)
            self.note(key or path, now, digest)
        return digest

    @staticmethod
    def to_data(kept: dict[str, tuple[Status | None, str]]) -> dict[str, list]:
        """`kept` (a `used` of an earlier build) as plain data, for the cache folder."""
        return {path: [list(now) if now else None, digest]
                for path, (now, digest) in kept.items()}

    @staticmethod
    def from_data(data) -> dict[str, tuple[Status | None, str]]:
        """What `to_data` gave; ValueError for anything else (a damaged or planted file)."""
        if type(data) is not dict:
            raise ValueError("not a map of file digests")
        kept = {}
        for path, entry in data.items():  # (checks spelled out: a build reads 20,000)
            now, digest = entry
            if type(path) is not str or type(digest) is not str or not (
                    now is None or (type(now) is list and len(now) == 4 and
                                    type(now[0]) is int and type(now[1]) is int and
                                    type(now[2]) is int and type(now[3]) is int)):
                raise ValueError("not a file digest")
            kept[path] = (tuple(now) if now else None, digest)
        return kept

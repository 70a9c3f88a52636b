"""Compiled templates kept between command-line builds, signed with the user's own key.

Before a page is rendered its templates are compiled: Jinja parses each one and turns it
into Python code. A build after one edit renders a few pages, yet compiles the five or
six templates they use (base.html and macros.html among them), in its own process or in
the helper that compiles the theme ahead (precompile.py), whose third of a second of CPU
takes the machine's other core from the build: together about a sixth of such a build at
1,000 documents. Kept from the last build, the code is read in a few milliseconds.

But compiled code is code, and the cache folder holds data only (see cachefolder.py):
whoever can write to it (another user, a cache a CI service restores) must at worst make
a build slower, never run code as its user. So the code is kept there with a signature
(HMAC-SHA256) made with a key that is neither in the cache folder nor anywhere a CI
cache restores (the workflows ccsite ships keep the cache folder and the output, and the
README says never to keep the state folder): a file of the user's own (0600, in a folder
of theirs alone, 0700) in their state folder, `$XDG_STATE_HOME/ccsite`
(~/.local/state/ccsite), made by their first build. Code whose signature is not made with that key (planted, damaged, or made on
another machine: a restored CI cache) is never loaded (`marshal` never reads it), and
the build compiles as if none were kept; so is code made with other code or libraries
(ccsite's, Jinja's and Python's versions among them), or since whose making one of their
files was so much as touched (see uptodate.code_as_found: the stamp that says what they
are is in the cache folder too). Where the key cannot be kept (no home folder, a
read-only one), nothing is: builds compile as before.

Jinja still checks each template's text against the digest kept with its code, so a
template edited since is compiled again; and the code is kept per base address, as the
preview server's is (see render.CompiledTemplates).
"""
from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import secrets
import stat
import types
from pathlib import Path

import cbor2

from . import cachefolder, incremental
from .incremental import _text

STORE_FILE = "compiled-templates.cbor"  # in the cache folder
KIND, VERSION = "compiled templates", "1"
KEY_BYTES = 32


def key_folder() -> Path:
    """Where the user's key is kept: their state folder (XDG), never the cache folder."""
    state = os.environ.get("XDG_STATE_HOME")
    if state and os.path.isabs(state):
        return Path(state) / "ccsite"
    home = Path.home()
    if not home.is_dir():  # a system user's (HOME=/nonexistent): none to make, even as root
        raise RuntimeError(f"no home folder at {home}")
    return home / ".local" / "state" / "ccsite"


KEY_FILE = "code-key"


def user_key() -> bytes | None:
    """The key the code is signed with: made at random the first time, then read from
    the user's own file; None where it cannot be kept. A key file that is not the
    user's alone (others could read it: it may be known) or not whole (a build stopped
    while making it) is replaced by a new key; the code signed with the old one is
    then compiled again, once."""
    try:
        folder = key_folder()
    except RuntimeError:  # no home folder to be found
        return None
    if not _private_folder(folder):
        return None
    path = folder / KEY_FILE
    key, there = _read_key(path)
    if key is not None:
        return key
    if there:
        _remove(path)
    return _new_key(path)


def _private_folder(folder: Path) -> bool:
    """The key's folder, made if need be, as its owner's alone (0700). One of theirs
    that others could read or write is made theirs alone again, and the key in it (which
    others may know, or have put there) is forgotten; a link, or a folder another user
    owns, is never used."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        found = os.lstat(folder)
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
            return False
        if stat.S_IMODE(found.st_mode) != 0o700:  # (a folder, as just looked at: its
            os.chmod(folder, 0o700)  # parent is the user's, where no one else may swap it)
            _remove(folder / KEY_FILE)
    except OSError:
        return False
    return True


def _read_key(path: Path) -> tuple[bytes | None, bool]:
    """(the key, if the file is one: a regular file of the user's alone, of the right
    size, read as cache files are, see cachefolder.read_file; whether anything is
    there)."""
    found = cachefolder.read_file(path, KEY_BYTES)
    if found is None:
        return None, os.path.lexists(path)
    key, status = found
    if status.st_uid != os.getuid() or stat.S_IMODE(status.st_mode) != cachefolder.FILE_MODE \
            or len(key) != KEY_BYTES:
        return None, True
    return key, True


def _new_key(path: Path) -> bytes | None:
    """A new key, put in place whole (written to a file of its own, then linked to its
    name): a build stopped meanwhile leaves none, never part of one. When another build
    put one there first, that one is the key."""
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    _remove(temp)  # (left by a build stopped with this process's number)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         cachefolder.FILE_MODE)
        try:
            os.fchmod(handle, cachefolder.FILE_MODE)  # whatever the umask
            if os.write(handle, key) != KEY_BYTES:
                return None
        finally:
            os.close(handle)
        try:
            os.link(temp, path)
        except FileExistsError:
            return _read_key(path)[0]
    except OSError:
        return None
    finally:
        _remove(temp)
    return key


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _signature(key: bytes, signed: bytes) -> bytes:
    return hmac.new(key, signed, hashlib.sha256).digest()


class Kept:
    """What a build found kept: what `save` compares with, to write only what changed."""

    def __init__(self, key: bytes | None, held: frozenset = frozenset()):
        self.key = key
        self.held = held


def load(cache: Path, made_with: str, compiled: dict) -> Kept:
    """Put the templates the last build kept, compiled, into `compiled` (a map as
    render.CompiledTemplates keeps it), and the templates each one's text names into
    incremental's memory of them, when their signature is this user's key's and they
    were made with the same code and libraries (`made_with`)."""
    key = user_key()
    if key is None:
        return Kept(None)
    try:
        value = cachefolder.read(cache / STORE_FILE, KIND, VERSION)
        signed, signature = value["signed"], value["signature"]
        if type(signed) is not bytes or type(signature) is not bytes or \
                not hmac.compare_digest(signature, _signature(key, signed)):
            return Kept(key)
        made, templates, names = cbor2.loads(signed)
    except (cachefolder.CacheUnreadable, TypeError, KeyError, ValueError, cbor2.CBORError):
        return Kept(key)
    if made != made_with:
        return Kept(key)
    # signed with this user's key: written by one of their own builds, with this code;
    # still, one of the wrong shape (written by hand, or by a bug) is not used: it would
    # stop every build until the folder is deleted (a review)
    try:
        found = dict(map(_entry, templates))
        named = dict(map(_names, names))
    except (TypeError, ValueError, EOFError):
        return Kept(key)
    compiled.update(found)
    incremental.remember_names_of_digests(named)
    return Kept(key, _held(compiled))


def _entry(data: list) -> tuple[tuple[str, str], tuple[str, types.CodeType]]:
    """A kept template as render.CompiledTemplates keeps it: ((base address, template
    key), (digest of its text, its code)); ValueError for any other shape."""
    base_url, name, checksum, code = data
    if type(code) is not bytes:
        raise ValueError("not code")
    code = marshal.loads(code)
    if type(code) is not types.CodeType:
        raise ValueError("not code")
    return (_text(base_url), _text(name)), (_text(checksum), code)


def _names(data: list) -> tuple[str, frozenset[str]]:
    """(the digest of a template's text, the templates it names); ValueError else."""
    text, named = data
    if type(named) is not list:
        raise ValueError("not names")
    return _text(text), frozenset(map(_text, named))


def save(cache: Path, made_with: str, compiled: dict, kept: Kept) -> bool:
    """Keep the templates compiled so far (this build's and those it read), signed, when
    they differ from what the build read; False when they could not be kept."""
    if kept.key is None or _held(compiled) == kept.held:
        return False
    # the base addresses this build compiled for: code kept for another (the site's
    # address before it moved) is let go of, not kept with every store after it
    addresses = {key[0] for key, (checksum, _) in compiled.items()
                 if (key, checksum) not in kept.held}
    templates = [[base_url, name, checksum, marshal.dumps(code)]
                 for (base_url, name), (checksum, code) in sorted(compiled.items())
                 if base_url in addresses]
    names = [[text, sorted(named)] for text, named in incremental.names_by_digest()]
    signed = cbor2.dumps([made_with, templates, names])
    return cachefolder.write(cache / STORE_FILE, KIND, VERSION, {
        "signed": signed, "signature": _signature(kept.key, signed)})


def _held(compiled: dict) -> frozenset:
    return frozenset((key, checksum) for key, (checksum, _) in compiled.items())

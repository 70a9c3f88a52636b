"""Decap's proxy-backend protocol, answered by `ccsite serve` on the content folder.

The protocol is the one `decap-server` speaks (its localFs middleware): Decap POSTs
`{"action": ..., "params": {...}}` as JSON and gets JSON back, or an HTTP error with
`{"error": message}`, which Decap shows in its notification. Paths are relative to the
folder served (here the content folder itself, so `centres/oxhey.md`, `media/pack.pdf`).

Unlike decap-server, every write goes through ccsite:
- a save is merged into the file on disk (merge.py: only what changed is changed);
- it is checked by ccsite's validator first (saving.py) and refused, with the same
  `path:line: field: message` lines `ccsite check` prints, when the build would refuse it;
- only content files (where the content model has a place for them) and media files are
  written, only inside the content folder, never through a link (see `ContentPaths`).

The managers' directory is a top-level list, which Decap cannot edit (Decap issue #531):
the proxy shows it to Decap as `directory:` holding the list (each line indented by two
spaces), and takes those two spaces off again when it writes it, so the file keeps its
shape and every untouched line.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
import threading
import time
from pathlib import Path
from typing import Any

from .. import load, schema
from ..errors import ContentError, spelled_out
from ..fields import SLUG_RE
from ..write import write_whole
from .merge import MergeError, Shape, merge_document
from .saving import Change, SaveChecker, is_media
from .words import in_form_words, naming_words

DIRECTORY = schema.DIRECTORY.single_file  # members/directory.yaml
WRAP_KEY = schema.DIRECTORY.list_of  # 'directory'


def _named(rel: Any, raw: str, paths: "ContentPaths", named: set[str]) -> Any:
    """The path a new item is saved at. Decap makes its file's name from its title, in
    the letters A to Z and digits: a title in another script (Urdu, Polish without its
    accents is fine) or of emoji gives none ("news/.md"), and one of 300 letters a name
    too long to keep. Then the name is the item's own `slug:` ("Address (slug)"), and
    without one the editor is told what to fill in. Decap
    goes on sending "news/.md" for the item's later saves from the same form: a file this
    server named so (`named`) is saved again, not refused as taken."""
    if not isinstance(rel, str):
        return rel
    folder, _, name = rel.rpartition("/")
    stem, _, extension = name.rpartition(".")
    # (so is one whose title makes a name too long to keep: NAME_BYTES)
    too_long = len(name.encode("utf-8")) > NAME_BYTES and extension in ("md", "yaml")
    if stem and not too_long or extension not in ("md", "yaml"):
        return rel
    found = _SLUG_LINE.search(raw.split("\n---", 1)[0])
    slug = found[1].strip("'\"") if found else ""
    if not SLUG_RE.match(slug):
        if too_long:
            return rel  # (told too long, with what to do: see ContentPaths.resolve)
        raise ProxyError(422, "This item's title has no letters A to Z or digits, which its "
                              "web address is made from. Fill in 'Address (slug)' with a few "
                              "words in those letters (for example welcome-in-urdu), then "
                              "publish again.")
    path = f"{folder}/{slug}.{extension}"
    if path not in named and paths.resolve(path).exists():
        raise ProxyError(409, f"There is already an item at the address '{slug}' "
                              f"({path}). Choose another 'Address (slug)', then publish "
                              "again.")
    named.add(path)
    return path


_SLUG_LINE = re.compile(r"(?m)^slug:[ \t]*(\S+)[ \t]*$")
_NAMED = re.compile(r"(?m)^(?:title|name):[ \t]*(.+)$")  # what names an entry in its list


class ProxyError(Exception):
    """A request the proxy refuses: `status` and a message for the editor."""

    def __init__(self, status: int, message: str,
                 mistakes: list[ContentError] | None = None, deleting: bool = False,
                 said: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.mistakes = mistakes or []
        self.deleting = deleting  # a deletion refused (ccsite-admin.js says so: the fix
        # is in the files that name what it would delete, not in the form)
        self.said = said  # the mistakes in the form's words (see words.py)

    def answer(self) -> dict:
        result: dict[str, Any] = {"error": self.message}
        if self.mistakes:
            result["errors"] = [str(e) for e in self.mistakes]
        if self.said:
            result["said"] = self.said
        if self.deleting:
            result["deleting"] = sorted({e.path for e in self.mistakes})
        return result


# the longest file name the editor writes: file systems take 255 bytes, and a longer one
# (Decap's from a title of 300 letters) failed with a traceback and a dropped connection,
# the editor told "Failed to fetch" (a review of the editor)
NAME_BYTES = 200


class ContentPaths:
    """Paths from the editor, made safe: relative, inside the content folder, not hidden,
    and never through a symbolic link (a link could lead anywhere on the machine)."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def resolve(self, rel: Any) -> Path:
        if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel or \
                rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
            raise ProxyError(422, f"'{rel}' is not a path inside the content folder")
        parts = rel.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            raise ProxyError(422, f"'{rel}' is not a path inside the content folder")
        if any(len(part.encode("utf-8")) > NAME_BYTES for part in parts):
            raise ProxyError(422, f"The file's name is too long (over {NAME_BYTES} letters): "
                                  "rename the file shorter, then upload it again."
                             if is_media(rel) else
                             "This item's web address, made from its title, is too long "
                             f"(over {NAME_BYTES} letters). Shorten the title, or fill in "
                             "'Address (slug)' with a few words, then publish again.")
        path = self.root.joinpath(*parts)
        walked = self.root
        for part in parts:  # no link anywhere on the way, even to a place inside
            walked = walked / part
            try:
                if stat.S_ISLNK(os.lstat(walked).st_mode):
                    raise ProxyError(403, f"'{rel}' is a link; the editor only works on "
                                          "files in the content folder itself")
            except FileNotFoundError:
                break
        try:
            path.resolve().relative_to(self.root)
        except ValueError:
            raise ProxyError(403, f"'{rel}' is outside the content folder") from None
        return path

    def writable(self, rel: Any) -> Path:
        """A path the editor may write: a content file or a media file."""
        path = self.resolve(rel)
        if not is_media(rel) and load.kind_of(rel) is None:
            raise ProxyError(422, f"'{rel}' has no place in the content model (see its "
                                  "layout: centres/, news/, media/...)")
        return path


class Proxy:
    """The actions of Decap's proxy backend on one content folder."""

    def __init__(self, root: Path, checker: SaveChecker):
        self.paths = ContentPaths(root)
        self.checker = checker
        self._saving = threading.Lock()  # one save at a time: each is checked whole
        # media files just deleted: Decap replaces a file by deleting it, then uploading
        # the new one, and an upload refused must not leave the old one gone
        self._set_aside: dict[str, tuple[bytes, float]] = {}
        self._named: set[str] = set()  # new items' files named by their slug (see _named)

    def answer(self, request: Any) -> Any:
        if not isinstance(request, dict) or not isinstance(request.get("params", {}), dict):
            raise ProxyError(422, "expected {\"action\": ..., \"params\": {...}}")
        action, params = request.get("action"), request.get("params") or {}
        method = getattr(self, f"do_{action}", None) if isinstance(action, str) else None
        if method is None:
            raise ProxyError(422, f"Unknown action {action}")
        return method(params)

    # -- reading

    def do_info(self, params: dict) -> dict:
        return {"repo": self.paths.root.name, "publish_modes": ["simple"], "type": "local_fs"}

    def do_entriesByFolder(self, params: dict) -> list:
        folder = self.paths.resolve(params.get("folder"))
        extension = str(params.get("extension") or "")
        depth = params.get("depth", 1)
        files = self._list(folder, extension, depth if isinstance(depth, int) else 1)
        return [self._entry(rel) for rel in files]

    def do_entriesByFiles(self, params: dict) -> list:
        files = params.get("files")
        if not isinstance(files, list):
            raise ProxyError(422, "files must be a list")
        return [self._entry(f.get("path") if isinstance(f, dict) else None,
                            f.get("label") if isinstance(f, dict) else None) for f in files]

    def do_getEntry(self, params: dict) -> dict:
        return self._entry(params.get("path"))

    def do_getMedia(self, params: dict) -> list:
        folder = self.paths.resolve(params.get("mediaFolder"))
        return [self._media(rel) for rel in self._list(folder, "", 1)]

    def do_getMediaFile(self, params: dict) -> dict:
        return self._media(params.get("path"))

    def do_getDeployPreview(self, params: dict) -> None:
        return None

    def _list(self, folder: Path, extension: str, depth: int) -> list[str]:
        found = []
        if depth <= 0 or not folder.is_dir() or folder.is_symlink():
            return found
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith("."):  # hidden: not content (see load.py)
                continue
            if spelled_out(entry.name) != entry.name:  # not in UTF-8: no path the editor
                continue  # could send back, and its list failed whole (the build tells it)
            if entry.is_dir(follow_symlinks=False):
                found += self._list(Path(entry.path), extension, depth - 1)
            elif entry.is_file(follow_symlinks=False) and entry.name.endswith(extension):
                found.append(Path(entry.path).relative_to(self.paths.root).as_posix())
        return found

    def _entry(self, rel: Any, label: str | None = None) -> dict:
        path = self.paths.resolve(rel)
        try:
            data = path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": rel, "label": label, "id": None}}
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        if rel == DIRECTORY:
            text = wrap(text)
        return {"data": text, "file": {"path": rel, "label": label,
                                       "id": hashlib.sha256(data).hexdigest()}}

    def _media(self, rel: Any) -> dict:
        path = self.paths.resolve(rel)
        try:
            data = path.read_bytes()
        except OSError:
            raise ProxyError(404, f"'{rel}' is not there") from None
        return {"id": hashlib.sha256(data).hexdigest(),
                "content": base64.b64encode(data).decode("ascii"), "encoding": "base64",
                "path": rel, "name": path.name}

    # -- writing

    def do_persistEntry(self, params: dict) -> dict:
        data_files = params.get("dataFiles") or ([params["entry"]] if params.get("entry")
                                                 else [])
        assets = params.get("assets") or []
        if not isinstance(data_files, list) or not isinstance(assets, list):
            raise ProxyError(422, "dataFiles and assets must be lists")
        loaded = params.get("loaded")  # path -> the file's id when the form was opened
        change = Change()
        for asset in assets:
            rel, data = self._asset(asset)
            change.write[rel] = data
        with self._saving:
            for data_file in data_files:
                if not isinstance(data_file, dict) or not isinstance(data_file.get("raw"), str):
                    raise ProxyError(422, "each data file needs a path and its raw text")
                rel = _named(data_file.get("path"), data_file["raw"], self.paths, self._named)
                new_rel = _named(data_file.get("newPath"), data_file["raw"], self.paths,
                                 self._named) or rel
                self.paths.writable(rel)
                self.paths.writable(new_rel)
                if new_rel != rel:
                    self._may_move(rel, new_rel)
                merged = self._merged(rel, data_file["raw"]).encode("utf-8")
                self._not_changed_since_opened(rel, loaded, merged)
                change.write[new_rel] = merged
                if new_rel != rel:
                    change.delete.add(rel)
            self._commit(change)
        return {"message": "entry persisted", "warnings": self.warnings_of(change),
                "files": {rel: hashlib.sha256(data).hexdigest()
                          for rel, data in change.write.items()}}

    def _may_move(self, rel: str, new_rel: str) -> None:
        """ProxyError unless an item saved under a new name stays in its own folder (its
        kind, and its side of members/: moved from members/pages/ to pages/, a members
        page was published whole, with no members copy left for the leak audit to know
        it by, found by a red team's review) and takes no other item's name (which it
        would have overwritten without a word). Decap's own forms never ask for either."""
        if new_rel.rpartition("/")[0] != rel.rpartition("/")[0]:
            raise ProxyError(422, f"Not saved: {rel} cannot be moved to {new_rel}. An item "
                                  "stays in its own section; to publish it elsewhere, make "
                                  "a new item there.")
        if self.paths.resolve(new_rel).exists():  # (one this server named too: Decap
            # saves a new item from its form again by its first name, never as a move)
            raise ProxyError(409, f"Not saved: there is already an item at {new_rel}, and "
                                  "saving would replace it. Choose another 'Address "
                                  "(slug)', then publish again.")

    def _not_changed_since_opened(self, rel: str, loaded: Any, merged: bytes) -> None:
        """ProxyError (409) if the file is no longer as the form that saves it found it
        (`loaded`: its id then, as the editor's page noted it: see ccsite-admin.js): saved
        meanwhile from another tab or a text editor, it would be written back over, the
        other change lost without a word. Unless the save would write the file just as it
        is (`merged`): this very save, sent again after an answer that never came (a
        server that was slow, the page told "timed out"), which undoes nothing."""
        if not isinstance(loaded, dict) or not isinstance(loaded.get(rel), str):
            return  # a new file, or a page that noted nothing
        try:
            data = self.paths.resolve(rel).read_bytes()
        except OSError:
            data = None
        now = None if data is None else hashlib.sha256(data).hexdigest()
        if now != loaded[rel] and data != merged:
            raise ProxyError(409, f"Not saved: {rel} was changed since you opened it (in "
                                  "another tab or window, or in a text editor), and saving "
                                  "would undo that change. Copy what you typed, reload the "
                                  "page to see the file as it is now, and make your change "
                                  "again.")

    def do_persistMedia(self, params: dict) -> dict:
        rel, data = self._asset(params.get("asset"))
        with self._saving:
            try:
                self._commit(Change(write={rel: data}))
            except ProxyError:
                self._put_back(rel)
                raise
            self._set_aside.pop(rel, None)
        return self._media(rel)

    REPLACING_SECONDS = 120  # how long after its deletion an upload of a media file's name
    # counts as its replacement (Decap sends the two one after the other)

    def _put_back(self, rel: str) -> None:
        """The media file `rel` as it was, if it was deleted moments before: the upload
        meant to replace it was refused, and the editor was told nothing was written."""
        old, when = self._set_aside.pop(rel, (None, 0.0))
        if old is not None and time.monotonic() - when < self.REPLACING_SECONDS and \
                not self.paths.resolve(rel).exists():
            write_whole(self.paths.writable(rel), old)

    def do_deleteFile(self, params: dict) -> dict:
        return self.do_deleteFiles({"paths": [params.get("path")]})

    def do_deleteFiles(self, params: dict) -> dict:
        paths = params.get("paths")
        if not isinstance(paths, list) or not paths:
            raise ProxyError(422, "paths must be a list of files")
        for rel in paths:
            self.paths.writable(rel)
        with self._saving:
            kept = {rel: path.read_bytes() for rel, path in
                    ((rel, self.paths.resolve(rel)) for rel in paths if is_media(rel))
                    if path.is_file()}
            self._commit(Change(delete=set(paths)))
            now = time.monotonic()
            self._set_aside = {rel: aside for rel, aside in self._set_aside.items()
                               if now - aside[1] < self.REPLACING_SECONDS}
            self._set_aside.update((rel, (data, now)) for rel, data in kept.items())
        return {"message": f"deleted files {', '.join(paths)}"}

    def _asset(self, asset: Any) -> tuple[str, bytes]:
        if not isinstance(asset, dict) or asset.get("encoding") != "base64":
            raise ProxyError(422, "a file is sent as {path, content, encoding: base64}")
        rel = asset.get("path")
        self.paths.writable(rel)
        if not is_media(rel):
            raise ProxyError(422, f"'{rel}': uploaded files go in media/ (or members/media/)")
        try:
            return rel, base64.b64decode(str(asset.get("content", "")), validate=True)
        except (binascii.Error, ValueError):
            raise ProxyError(422, f"'{rel}': the file's content is not base64") from None

    def _merged(self, rel: str, raw: str) -> str:
        """The file to write for Decap's `raw`: merged into the file on disk."""
        path = self.paths.resolve(rel)
        try:
            old = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            old = None
        except (OSError, UnicodeDecodeError):
            raise ProxyError(409, f"'{rel}' cannot be read as UTF-8 text; fix it in a "
                                  "text editor first") from None
        kind = load.kind_of(rel)
        if kind is None:  # a media path, or one no content file may have
            raise ProxyError(422, f"'{rel}' is not a content file (a centre, a news item...): "
                                  "files for media/ are uploaded, not saved as entries")
        ctype = schema.BY_NAME[kind]
        try:
            if rel == DIRECTORY:
                return unwrap(merge_document(None if old is None else wrap(old), raw,
                                             False, Shape.of_type(ctype)))
            return merge_document(old, raw, rel.endswith(".md"), Shape.of_type(ctype))
        except MergeError as exc:
            raise ProxyError(422, f"{rel}: {exc}") from None

    def _commit(self, change: Change) -> None:
        """Check the change with ccsite's validator; write it only if it passes."""
        unchanged = {rel for rel, data in change.write.items()
                     if self._same_bytes(rel, data)}
        for rel in unchanged:
            del change.write[rel]
        if not change.write and not change.delete:
            return
        mistakes = self.checker.check(change)
        if mistakes and change.delete and not change.write:
            named_in = sorted({e.path for e in mistakes})
            raise ProxyError(422, f"Not deleted: {len(named_in)} other "
                             f"{'file names' if len(named_in) == 1 else 'files name'} "
                             f"{'it' if len(change.delete) == 1 else 'what it would delete'} "
                             f"({', '.join(named_in)}). Take it out of "
                             f"{'that file' if len(named_in) == 1 else 'those files'} first.",
                             mistakes, deleting=True, said=list(dict.fromkeys(
                                 self._naming_words(mistakes))))
        if mistakes:
            count = f"{len(mistakes)} {'mistake' if len(mistakes) == 1 else 'mistakes'}"
            said = self._in_form_words(mistakes, change)
            raise ProxyError(422, f"Not saved: the site would not build ({count}). "
                             + " | ".join(said), mistakes, said=said)
        for rel, data in sorted(change.write.items(), key=lambda item: not is_media(item[0])):
            write_whole(self.paths.writable(rel), data)
        for rel in change.delete:
            try:
                self.paths.writable(rel).unlink()
            except FileNotFoundError:
                pass

    def _naming_words(self, found: list[ContentError]) -> list[str]:
        """Each file that names what a deletion would take, by its title and the form's
        labels (words.naming_words)."""
        prefix = self.checker.shown("")
        rels = [e.path.removeprefix(prefix) if e.path.startswith(prefix) else None
                for e in found]
        return [naming_words(e, rel, self._name_of(rel)) for e, rel in zip(found, rels)]

    def _name_of(self, rel: str | None) -> str | None:
        """A content file's title (or name), as its list in the editor shows it."""
        if rel is None:
            return None
        try:
            text = self.paths.resolve(rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        found = _NAMED.search(text)
        return found[1].strip().strip("'\"") if found else None

    def _in_form_words(self, found: list[ContentError], change: Change) -> list[str]:
        """Each mistake or warning as the form shows its fields, where it is of a file
        the save writes (one of another file is told with that file's path and line)."""
        saved = {self.checker.shown(rel): rel for rel in change.write}
        return [in_form_words(e, saved.get(e.path)) for e in found]

    def warnings_of(self, change: Change) -> list[str]:
        """What the build would warn of in the files just saved (an image with no alt
        text, a deadline moved into the past), in the form's words: saved all the same,
        but told at once, where editors never run `ccsite check` (an editor's review)."""
        return self._in_form_words(self.checker.warnings, change) if change.write else []

    def _same_bytes(self, rel: str, data: bytes) -> bool:
        try:
            return self.paths.resolve(rel).read_bytes() == data
        except OSError:
            return False


def wrap(text: str) -> str:
    """The directory's top-level list as Decap can edit it: under a `directory:` key."""
    lines = text.split("\n")
    return f"{WRAP_KEY}:\n" + "\n".join("  " + line if line.strip() else line
                                         for line in lines)


def unwrap(text: str) -> str:
    """`wrap` undone: the list back at the top level, every line as it was."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != f"{WRAP_KEY}:":
        raise ProxyError(422, "the directory must stay one list of managers")
    return "\n".join(line[2:] if line.startswith("  ") else line for line in lines[1:])

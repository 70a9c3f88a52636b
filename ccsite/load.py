"""Stage 1, load: walk `content/`, read each file, split front matter, parse its YAML.

Nothing here knows what a centre or a news item is; it turns files into `RawDocument`s
(YAML `Node`s with lines, plus the Markdown body) and reports files that cannot be read
at all. The folder layout of the content model lives in `SECTIONS`.
"""
from __future__ import annotations

import codecs
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import cbor2

from .buildinfo import is_ignored as _ignored, shown_folder
from .digests import FileDigests, of_bytes, status
from .errors import ContentError, ContentErrors, ErrorList, spelled_out
from .schema import TYPES
from .yamlnodes import Node, YamlError, YamlMap, node_from_data, node_to_data, parse_yaml

# folder -> (kind, file extension) for every collection of the content model (schema.py)
SECTIONS: dict[str, tuple[str, str]] = {t.folder: (t.name, t.extension) for t in TYPES
                                        if not t.single_file}
SINGLE_FILES = {t.single_file: t.name for t in TYPES if t.single_file}
KINDS = {kind: folder for folder, (kind, _) in SECTIONS.items()}  # kind -> its folder
MEDIA = "media"
MEMBERS = "members"
MEMBERS_MEDIA = "members/media"  # members-only images and documents, never public
_MEMBERS_FOLDER, _MEDIA_FOLDER, _MEMBERS_MEDIA_FOLDER = MEMBERS + "/", MEDIA + "/", \
    MEMBERS_MEDIA + "/"
MAX_FILE_BYTES = 2 * 1024 * 1024  # a content file is text; anything larger is a mistake
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class RawDocument:
    """One content file, parsed but not yet validated."""

    kind: str
    path: str  # as shown in messages: the --source given, joined with the relative path
    rel: str  # path relative to the content folder, with '/'
    slug: str
    data: YamlMap  # front matter or YAML file; empty when the file has none
    line: int  # line of the mapping: the opening '---' for front matter
    body: str = ""
    body_line: int = 1
    front_matter: str = ""  # as written: a body edit leaves it the same (quickedit.py)

    @property
    def members_only(self) -> bool:
        return self.rel.startswith(_MEMBERS_FOLDER)


@dataclass
class MediaFile:
    rel: str  # relative to content/media (or content/members/media), with '/'
    source: Path
    shown: str = ""  # as shown in messages, like RawDocument.path
    read_as: tuple | None = None  # (status, digest) of its bytes, as the up-to-date check
    # read them (pipeline._known_from_the_check): see stages._known_as_read


@dataclass
class ContentFolder:
    """Everything `load` found: documents by kind, media files, and the site settings."""

    root: Path
    shown_as: str
    site: RawDocument | None = None
    documents: list[RawDocument] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    members_media: list[MediaFile] = field(default_factory=list)
    replaced: dict[str, tuple[str, RawDocument]] = field(default_factory=dict)  # file ->
    # (digest, document) as the last build read it, for a file changed since (readings.py)

    def of_kind(self, kind: str) -> list[RawDocument]:
        return [d for d in self.documents if d.kind == kind]


@dataclass
class KnownFiles:
    """The files the last full walk of a content folder found, kept by `ccsite serve`:
    told by its file watcher which files changed since, a rebuild looks only at those
    (a walk and a signature per file cost a tenth of a second at 10,000 files)."""

    root: str = ""  # the content folder, resolved
    entries: list[tuple[str, str, bool]] = field(default_factory=list)  # see _walk
    rels: set[str] = field(default_factory=set)


def load(source: Path, shown_as: str, errors: ErrorList,
         parsed: dict | None = None, known: KnownFiles | None = None,
         changed: set[str] | None = None, digests: dict | None = None,
         checked: dict[str, tuple] | None = None) -> ContentFolder:
    """Read every content file under `source`; record unreadable ones in `errors`.

    `parsed` keeps documents between builds by the digest of their file's bytes, so a
    rebuild parses only the files that changed; `digests` keeps each file's digest with
    its status (see digests.py), so a file whose status is the same is not even read,
    and one with a new status but the same bytes (a fresh clone) is read but not parsed
    (updated in place for the next build). `known` keeps what the last
    full walk found; with `changed` (absolute paths that changed since that walk), the
    files known then are taken as they were unless named in `changed`. A path that is
    not a known file (a new file, a folder) makes it a full walk again. `checked` gives
    files' statuses (digests.status, by path) taken just before, by the command line's
    up-to-date check: taken as theirs, not taken again (see pipeline.py).
    """
    folder = ContentFolder(root=source, shown_as=shown_as)
    if not source.is_dir():
        errors.add(shown_as, 1, "source", "content folder not found; give the folder "
                   "that holds site.yaml with --source DIR")
        return folder
    root = source.resolve()
    site_seen = False
    seen = FileDigests(digests)
    for path, rel, plain, unchanged in _files(source, root, known, changed):
        shown = _show(shown_as, rel)
        site_seen = site_seen or rel == "site.yaml"
        problem = _name_problem(rel) or (None if plain else _file_problem(Path(path), rel,
                                                                            root))
        if problem:  # (a name not in UTF-8 is told with its bytes written out: \xff)
            errors.add(shown, 1, "file", problem)
            continue
        if rel.startswith(_MEDIA_FOLDER):
            folder.media.append(MediaFile(rel[len(_MEDIA_FOLDER):], Path(path), shown,
                                          (digests or {}).get(path)))
            continue
        if rel.startswith(_MEMBERS_MEDIA_FOLDER):
            folder.members_media.append(MediaFile(rel[len(_MEMBERS_MEDIA_FOLDER):],
                                                  Path(path), shown))
            continue
        kind = _kind_of(rel)
        if kind is None:
            errors.add(shown, 1, "file", _misplaced(rel))
            continue
        kept = parsed.get(shown) if unchanged and parsed is not None else None
        if kept:
            seen.keep(path)
        document = kept[1] if kept else _read_cached(path, rel, shown, kind, errors, parsed,
                                                     seen, folder.replaced,
                                                     (checked or {}).get(path))
        if document is None:
            continue
        if kind == "site":
            folder.site = document
        else:
            folder.documents.append(document)
    if parsed is not None:
        shown_now = {d.path for d in folder.documents} | ({folder.site.path} if folder.site
                                                           else set())
        for gone in set(parsed) - shown_now:
            del parsed[gone]
    if digests is not None:
        digests.clear()
        digests.update(seen.used)
    if folder.site is None and not site_seen:  # one that is there but broken is reported
        errors.add(_show(shown_as, "site.yaml"), 1, "file",
                   "the site settings file is missing (see the content model)")
    return folder


def read_one_changed(source: Path, shown_as: str, errors: ErrorList, parsed: dict,
                     known: KnownFiles, changed: set[str],
                     digests: dict | None = None) -> RawDocument | None:
    """The Markdown document `changed` names, read again, when `changed` is that one file
    and it was there at the last walk (the preview server's quick rebuild, see
    quickedit.py); None for anything else."""
    if len(changed) != 1:
        return None
    rels = _changed_rels(changed, source.resolve(), known)
    if not rels:
        return None
    (rel,) = rels
    kind = _kind_of(rel)
    path = next(iter(changed))
    try:
        plain = stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return None  # deleted since
    if kind is None or not rel.endswith(".md") or not plain:
        return None
    seen = FileDigests(digests)
    document = _read_cached(path, rel, _show(shown_as, rel), kind, errors, parsed, seen)
    if digests is not None:
        digests.update(seen.used)
    return document


def _files(source: Path, root: Path, known: KnownFiles | None, changed: set[str] | None):
    """(path, rel, plain, unchanged since the last build) of every content file: the walk
    (`_walk`), or the files `known` from the last one where `changed` names them all."""
    rels = _changed_rels(changed, root, known) if known is not None else None
    if rels is None:
        entries = list(_walk(source))
        if known is not None:
            known.root, known.entries = str(root), entries
            known.rels = {rel for _, rel, _ in entries}
        return [(path, rel, plain, False) for path, rel, plain in entries]
    files = []
    for path, rel, plain in known.entries:
        if rel in rels:
            try:
                plain = stat.S_ISREG(os.lstat(path).st_mode)
            except OSError:
                continue  # deleted since
        files.append((path, rel, plain, rel not in rels))
    return files


def _changed_rels(changed: set[str] | None, root: Path, known: KnownFiles) -> set[str] | None:
    """The content files among `changed` (relative to the content folder), or None when
    a full walk is needed: nothing told, or a path that is not a file known last time."""
    if changed is None or known.root != str(root):
        return None
    rels = set()
    for path in changed:
        try:
            rel = Path(path).relative_to(root).as_posix()
        except ValueError:
            continue  # outside the content folder: templates, say
        parts = rel.split("/")
        if any(part.startswith(".") for part in parts) or _ignored(parts[-1]):
            continue  # not content: the walk skips it too
        if rel not in known.rels or os.path.isdir(path):
            return None
        rels.add(rel)
    return rels


def _walk(source: Path, rel_dir: str = ""):
    """(path as text, path relative to the content folder, plain) of every content file,
    in a stable order, skipping editors' hidden and backup files. `plain` is True for an
    ordinary file that is not a link: found by walking real folders only, it is inside the
    content folder, so it needs none of `_file_problem`'s (costlier) checks."""
    folder = source / rel_dir if rel_dir else source
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return  # an unreadable folder is skipped, as os.walk would
    subfolders = []
    for entry in entries:
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        if entry.is_dir(follow_symlinks=False):
            if _kind_of(rel) is not None:  # a folder where a content file goes (an unzip
                yield entry.path, rel, False  # gone wrong): told, not walked into
            elif not entry.name.startswith("."):
                subfolders.append(rel)
        elif not _ignored(entry.name):
            yield entry.path, rel, entry.is_file(follow_symlinks=False)
    for rel in subfolders:
        yield from _walk(source, rel)


def _name_problem(rel: str) -> str | None:
    """Why the name of the file at `rel` cannot be content, or None: a name that is not
    UTF-8 (a file copied from a system that writes names otherwise) can be neither an
    address on the site nor kept in the build memory, and a media file so named ended
    the build in a traceback."""
    if rel.isascii() or spelled_out(rel) == rel:
        return None
    return "its name is not written in UTF-8 (the file was made or copied on a system " \
           "that writes names otherwise), so it cannot be given an address; rename it " \
           "with plain letters, digits and hyphens"


def _file_problem(path: Path, rel: str, root: Path) -> str | None:
    """Why `path` cannot be content, or None: only ordinary files inside the content folder
    are read. A link leaving it could publish any file on the machine, a link from a public
    place into members/ would publish members-only files, a linked folder is not walked,
    and reading a pipe or a device would hang the build."""
    try:
        target = path.resolve(strict=True)
        mode = target.stat().st_mode
    except (OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
        return "is a link to nothing (its target is missing, or it links back to itself); " \
               "put the file itself here"
    if not _is_within(target, root):
        return "links to a place outside the content folder; copy the file in instead " \
               "of linking to it"
    if not rel.startswith(MEMBERS + "/") and _is_within(target, root / MEMBERS):
        return "links into members/, which is members-only, from a public place; " \
               "members files cannot be published through a link"
    if stat.S_ISDIR(mode) and not path.is_symlink():
        return "is a folder, not a file: content of this kind is read from a file of " \
               "this name; put the file here in place of the folder"
    if stat.S_ISDIR(mode):
        return "is a link to a folder, and linked folders are not read; move or copy " \
               "the files here instead"
    if not stat.S_ISREG(mode):
        return "is not an ordinary file (a pipe, socket or device?); content files must " \
               "be ordinary files"
    return None


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def shown_path(shown_as: str, rel: str) -> str:
    """How the mistakes name the file at `rel` in the content folder shown as `shown_as`."""
    return _show(shown_as, rel)


# these two are asked of every file at every preview rebuild, with the same answers
@functools.lru_cache(maxsize=65536)
def _show(shown_as: str, rel: str) -> str:
    folder = shown_folder(shown_as)
    return rel if folder == "." else f"{folder.rstrip('/')}/{rel}"


def kind_of(rel: str) -> str | None:
    """The content type of the file at `rel` (relative to the content folder), or None
    when the content model has no place for it (media files included)."""
    return _kind_of(rel)


@functools.lru_cache(maxsize=65536)
def _kind_of(rel: str) -> str | None:
    if rel in SINGLE_FILES:
        return SINGLE_FILES[rel]
    folder, _, name = rel.rpartition("/")
    section = SECTIONS.get(folder)
    if section and name.endswith(section[1]):
        return section[0]
    return None


_TEXT_SUFFIXES = {"", "md", "markdown", "yaml", "yml", "txt", "text"}  # a content file
# misnamed; any other is a file of another kind, meant for media/


def _misplaced(rel: str) -> str:
    folder, _, name = rel.rpartition("/")
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if folder in SECTIONS and suffix not in _TEXT_SUFFIXES:
        return f"'{name}' is not a {SECTIONS[folder][1]} file, so it cannot be read as " \
               f"part of {folder}/; a picture or document to publish goes in media/, and " \
               f"a page links to it: [what it is](/media/{name})"
    if folder in SECTIONS:
        return f"'{name}' is not a {SECTIONS[folder][1]} file, so it cannot be read " \
               f"as part of {folder}/ (rename it to end in {SECTIONS[folder][1]})"
    places = ", ".join(sorted([*SECTIONS, *SINGLE_FILES, MEDIA, MEMBERS_MEDIA]))
    return f"this file is not part of the content model; content lives in: {places}"


def _read_cached(path: str, rel: str, shown: str, kind: str, errors: ErrorList,
                 parsed: dict | None, seen: FileDigests | None = None,
                 replaced: dict[str, tuple] | None = None,
                 now: tuple | None = None) -> RawDocument | None:
    """The document in the file, parsed again only if its bytes changed (see `load`);
    the one it replaces then put in `replaced`. `now`: its status, if just taken."""
    if parsed is None:
        return _read(Path(path), rel, shown, kind, errors)
    try:
        now = now or status(os.stat(path))
    except OSError:
        return _read(Path(path), rel, shown, kind, errors)
    seen = seen if seen is not None else FileDigests()
    kept = parsed.get(shown)
    if kept is not None and seen.known(path, now) == kept[0]:
        return kept[1]
    data = _read_bytes(Path(path), shown, errors)
    if data is None:
        parsed.pop(shown, None)
        return None
    digest = of_bytes(data)
    seen.note(path, now, digest)
    if kept is not None and kept[0] == digest:
        return kept[1]  # the same bytes under new file times: a fresh clone, say
    before = len(errors.errors)
    text = _decode(data, shown, errors)
    document = None if text is None else parse_document(text, rel, shown, kind, errors)
    if kept is not None and replaced is not None:
        replaced[shown] = kept
    if document is not None and len(errors.errors) == before:
        parsed[shown] = (digest, document)
    else:
        parsed.pop(shown, None)
    return document


def _read(path: Path, rel: str, shown: str, kind: str, errors: ErrorList) -> RawDocument | None:
    data = _read_bytes(path, shown, errors)
    text = None if data is None else _decode(data, shown, errors)
    if text is None:
        return None
    return parse_document(text, rel, shown, kind, errors)


def document_from_bytes(data: bytes, rel: str, shown_as: str,
                        errors: ErrorList) -> RawDocument | None:
    """A content file that is not written yet, read as `load` would read it at `rel`
    (the web editor checks a save before writing it, see editor/saving.py)."""
    shown = _show(shown_as, rel)
    kind = _kind_of(rel)
    if kind is None:
        errors.add(shown, 1, "file", _misplaced(rel))
        return None
    text = _decode(data, shown, errors)
    return None if text is None else parse_document(text, rel, shown, kind, errors)


def parse_document(text: str, rel: str, shown: str, kind: str,
                   errors: ErrorList) -> RawDocument | None:
    name = rel.rpartition("/")[2]
    slug = name.rsplit(".", 1)[0]
    document = RawDocument(kind=kind, path=shown, rel=rel, slug=slug, data=YamlMap(), line=1)
    if kind not in ("site", "directory") and not SLUG_RE.match(slug):
        errors.add(shown, 1, "slug", f"the file name '{name}' must be lower-case letters, "
                   "digits and hyphens (e.g. 'north-watford.md')")
    try:
        if rel.endswith(".md"):
            _split_front_matter(text, document)
        else:
            root = parse_yaml(text)
            if root is not None:
                document.line = root.line
                document.data = _top_mapping(root, kind, text)
    except YamlError as exc:
        errors.add(shown, exc.line, "yaml", exc.message)
        return None
    return document


def _read_bytes(path: Path, shown: str, errors: ErrorList) -> bytes | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.add(shown, 1, "file", f"the file is over {MAX_FILE_BYTES // 1024 // 1024} MB; "
                       "content files are text, put large documents in media/")
            return None
        data = path.read_bytes()
    except OSError as exc:
        errors.add(shown, 1, "file", f"cannot be read: {exc.strerror}")
        return None
    return data


def _as_windows_text(data: bytes, at: int) -> str:
    """Why, when the file reads whole as text in Windows' own encoding (cp1252, as
    Notepad and Word save it): the character it has where UTF-8 has none."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    if any(byte < 9 for byte in data):  # (a program's file, not text)
        return ""
    return (f" (the '{data[at:at + 1].decode('cp1252')}' on this line is in Windows' own "
            "encoding, as Notepad or Word may save it)")


def _decode(data: bytes, shown: str, errors: ErrorList) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # checked first: UTF-16 text decodes as garbage, not as an error, at some line
        errors.add(shown, 1, "file", "is saved as UTF-16 text; save it as UTF-8 "
                   "(in the editor's 'Save as', choose the encoding UTF-8)")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(shown, line, "file", f"is not UTF-8 text{_as_windows_text(data, exc.start)}; "
                   "save it as UTF-8 (in the editor's 'Save as', choose the encoding UTF-8)")
        return None
    if "\x00" in text:
        errors.add(shown, text[: text.index("\x00")].count("\n") + 1, "file",
                   "contains a NUL character; is this a binary file?")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str, document: RawDocument) -> None:
    lines = text.split("\n")
    if not text.strip():
        raise YamlError(1, "the file is empty; a content file starts with a '---' line, "
                        "then its fields (title: ...), then another '---' line")
    if lines[0].rstrip() != "---":
        first = lines[0].strip()
        why = ("the first line is empty: delete it" if not first else
               f"the first line is '{first[:10]}', a long dash (as a word processor turns "
               "'---' into): type three hyphens" if first[0] in "\u2013\u2014" else "")
        raise YamlError(1, "a content file must start with a '---' line, then its fields, "
                        "then another '---' line" + (f"; {why}" if why else ""))
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            break
    else:
        raise YamlError(1, "the front matter opened on line 1 is never closed "
                        "(add a '---' line after the fields)")
    front = document.front_matter = "\n".join(lines[1:index])
    root = parse_yaml(front, line_offset=1)
    if root is not None:
        if not isinstance(root.value, YamlMap):
            raise YamlError(root.line, "the front matter must be 'field: value' lines")
        document.data = root.value
    document.body = "\n".join(lines[index + 1:])
    document.body_line = index + 2


def _top_mapping(root: Node, kind: str, text: str) -> YamlMap:
    if kind == "directory":
        # the directory is a list; wrap it so it validates like a mapping field
        return YamlMap({"directory": root}, {"directory": root.line})
    if not isinstance(root.value, YamlMap):
        raise YamlError(root.line, "this file must be 'field: value' lines")
    return root.value


# -- kept between builds (cachefolder.py): a parsed document as plain data, and back ------

def document_to_data(document: RawDocument) -> list:
    """A document as plain data for the build memory. Its front matter's nodes are kept
    as CBOR of their own, which the memory's read gives back as one bytes object: a
    build reads them only for the few documents it validates (see `_KeptDocument`),
    where decoding every document's nodes took 0.05 s at 10,000 documents."""
    root = document.__dict__.get("_root")  # a kept document's, never made into nodes
    return [document.kind, document.path, document.rel, document.slug,
            cbor2.dumps(node_to_data(Node(document.data, document.line)))
            if root is None else root,
            document.body, document.body_line, document.front_matter]


def document_from_data(data: list) -> RawDocument:
    """The document `document_to_data` gave; ValueError for anything else. Its front
    matter is made into nodes when first asked for (see `_KeptDocument`)."""
    kind, path, rel, slug, root, body, body_line, front_matter = data
    if not all(type(text) is str for text in (kind, path, rel, slug, body, front_matter)) \
            or type(body_line) is not int or type(root) is not bytes:
        raise ValueError("not a parsed document")
    document = object.__new__(_KeptDocument)
    document.__dict__.update(kind=kind, path=path, rel=rel, slug=slug, body=body,
                             body_line=body_line, front_matter=front_matter, _root=root)
    return document


class _KeptDocument(RawDocument):
    """A document as the build memory kept it. Its front matter (`data`, `line`) is made
    into nodes when first asked for: a command-line build whose documents' readings are
    kept (readings.py) asks for few of them, where making them all took 0.09 s at 10,000
    documents. Kept nodes that turn out damaged (a planted cache file) are not used: the
    file is read again, and the document is as it reads now."""

    def __getattr__(self, name: str):
        root = self.__dict__.get("_root") if name in ("data", "line") else None
        if root is None:
            raise AttributeError(name)
        mapping = _mapping_from_data(root)
        if mapping is None:
            mapping = self._read_again()
        self.data, self.line = mapping.value, mapping.line
        del self.__dict__["_root"]
        return self.__dict__[name]

    def __eq__(self, other: object) -> bool:
        """Equal to a document parsed from the same text, as one kept is to another:
        compared as the memory keeps them, without making any nodes."""
        if not isinstance(other, RawDocument):
            return NotImplemented
        return document_to_data(self) == document_to_data(other)

    __hash__ = None  # type: ignore[assignment]  (as a RawDocument: not hashable)

    def _read_again(self) -> Node:
        errors = ErrorList()
        document = _read(Path(self.path), self.rel, self.path, self.kind, errors)
        if document is None or errors.errors:  # told by the build as what they are
            raise ContentErrors(errors.errors or [ContentError(
                self.path, 1, "file", "cannot be read; build again")])
        self.body, self.body_line = document.body, document.body_line
        self.front_matter = document.front_matter
        return Node(document.data, document.line)


def _mapping_from_data(root: bytes) -> Node | None:
    try:
        mapping = node_from_data(cbor2.loads(root))
    except Exception:  # (cbor2 raises several kinds for bad input, as nodes do)
        return None
    return mapping if isinstance(mapping.value, YamlMap) else None

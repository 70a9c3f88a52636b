"""Every save from the web editor is checked by ccsite's own validator before it is written.

The check is the pipeline's first stages (load -> validate -> site graph, the same stage
functions `ccsite check` runs) on the content folder as it would be with the save made:
the folder is loaded as it is on disk, and the files the save writes or deletes are put in
or taken out in memory (a new media file is read from a temporary copy, so that whatever
looks at its bytes sees them). Nothing is written to the content folder until it passes.

A save is refused when the saved file would be refused (a document, or an upload of a
kind the site does not publish: media.py's rules), or when it breaks another file
(deleting an agency that centres name, say). Mistakes already in other files before the
save do not stop it: the editor can only fix one file at a time.

Later stages (render, link and leak audits) are not run: they take seconds on a large
site. But the links in the Markdown of a document saved (its body, an agency's about)
are checked by the link check's own rule, against the files of the preview's last build
and those the site as saved makes: a broken one stopped every page of the preview, and
publishing, a moment after the editor had said "Entry saved" (an editor's review). What
the leak audit finds (a members name quoted publicly) shows on the preview page at the
next rebuild, as for a file saved by hand.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from .. import audit, checks, graph, load, outputs, render, validate
from ..members import pages as members_pages
from ..bodies import CACHE_FILE as BODIES_CACHE_FILE, BodyRenderer
from ..config import read_site_config
from ..errors import ContentError, ErrorList
from ..media import check_media
from ..render import format_datetime

MEDIA_FOLDERS = (load.MEDIA + "/", load.MEMBERS_MEDIA + "/")


@dataclass
class Change:
    """What a save would do to the content folder (paths relative to it, with '/')."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: set[str] = field(default_factory=set)

    @property
    def paths(self) -> set[str]:
        return set(self.write) | self.delete


def is_media(rel: str) -> bool:
    return rel.startswith(MEDIA_FOLDERS)


def _yaml_text(folder: load.ContentFolder, document: load.RawDocument) -> str:
    if not document.rel.endswith(".yaml"):
        return ""
    try:
        return (folder.root / document.rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _links_to_deleted_files(folder: load.ContentFolder, change: Change,
                            errors: ErrorList) -> None:
    """A media file linked from a page's text is not deleted: the editor has no undo, and
    the link would be broken (the build's link check finds it only once the file is
    gone). A document field naming it is the validator's to tell."""
    gone = [rel for rel in change.delete if is_media(rel)]
    if not gone:
        return
    # the site's own address of the file, whole: not the end of another's
    # (/members/media/x.pdf, https://elsewhere.org/media/x.pdf)
    linked = re.compile("|".join(rf"(?:^|(?<=[\s(\[<\"'=]))(/{re.escape(address)})"
                                 rf"(?=$|[\s)\]>\"'#?])"
                                 for rel in gone for address in {rel, quote(rel)}))
    for document in [d for d in (folder.site, *folder.documents) if d is not None]:
        # its Markdown body, and the Markdown its fields hold (an agency's about: a YAML
        # file's fields are all it has)
        for text, first_line in ((_yaml_text(folder, document), 1),
                                 (document.front_matter, document.line + 1),
                                 (document.body, document.body_line)):
            found = linked.search(text)
            if found:
                errors.add(document.path, first_line + text.count("\n", 0, found.start()),
                           "link", f"its text links to {found.group().strip()}, the file "
                           "this would delete: take the link out first, or keep the file")
                break


class SaveChecker:
    """Checks saves to one content folder; keeps what it parsed between saves (by each
    file's signature, as `load` does for the preview server) and its Markdown renderer."""

    def __init__(self, source: Path, shown_as: str,
                 options: Callable[[], validate.BuildOptions], cache: Path | None = None,
                 published: Callable[[], set[str] | None] = lambda: None):
        self.source = source
        self.shown_as = shown_as
        self.options = options
        self.cache = cache  # the build's cache folder: the Markdown cache is read from it
        # the files of the preview's last good build (its link check's: None before one)
        self.published = published
        self._looked: tuple | None = None  # the folder, settings and readings the last
        # look made (for `_broken_links`)
        self._parsed: dict = {}
        self._digests: dict = {}  # each file's digest by its status (see digests.py)
        self._bodies: BodyRenderer | None = None
        self._graph: tuple | None = None  # the site graph the last look made
        self.warnings: list[ContentError] = []  # of the files the last check saves

    def check(self, change: Change) -> list[ContentError]:
        """The mistakes the save would make: [] when it may be written. What the build
        would warn of in the files it saves is left in `warnings`."""
        with tempfile.TemporaryDirectory(prefix="ccsite-save-") as scratch:
            before = set(self._mistakes(Change(), Path(scratch)))
            was = self._graph
            after = self._mistakes(change, Path(scratch))
            if not after:
                after = self._broken_links(change)
        saved = {self.shown(rel) for rel in change.paths}
        self.warnings = [w for w in checks.site_warnings(*self._graph) if w.path in saved] \
            if self._graph is not None else []
        if was is not None and self._graph is not None:
            self.warnings += checks.changes_untold(was[0], self._graph[0], saved,
                                                   self._renamed(change))
        if self._looked is not None:
            self.warnings += not_on_the_site(self._looked[0], self._looked[2], saved)
        self._graph = self._looked = None  # (not kept between saves: the whole site)
        return [e for e in after if e.path in saved or e not in before]

    def _broken_links(self, change: Change) -> list[ContentError]:
        """The links in the Markdown of each document saved (a body, an agency's about, a
        consultation's "You said, we did") that lead nowhere: not to a file of the
        preview's last build, nor to one the site as saved makes (its pages and members
        pages, its feeds and calendars, its media), as the build's link check tells them."""
        files = self.published()
        if files is None or self._graph is None or self._looked is None:
            return []
        folder, config, validated = self._looked
        site, members = self._graph
        routes = [*render.routes(site), *members_pages.members_routes(members)]
        made = {route.output_path for route in routes} | \
            set(outputs.public_outputs(None, site, routes)) | \
            {f"{load.MEDIA}/{media.rel}" for media in folder.media} | \
            {f"{load.MEMBERS_MEDIA}/{media.rel}" for media in folder.members_media}
        pages = {route.source: route for route in routes if route.source}
        texts = audit.markdown_sources(site, members)
        left_out = audit.left_out_addresses(validated.left_out)
        bodies = self._renderer(config.base_path)
        mistakes = []
        for path in sorted({self.shown(rel) for rel in change.write if not is_media(rel)}):
            route = pages.get(path)
            if route is None:
                continue
            page_url = config.base_path + route.output_path.removesuffix("index.html")
            for field, text, first in texts.get(path, []):
                html = bodies.render(text)
                pictures = set(_PICTURE.findall(html))
                for written, why in audit.broken_links(
                        html, page_url, config.base_url, files | made, left_out,
                        public=not route.output_path.startswith("members/")):
                    mistakes.append(ContentError(path, _line_of(text, first, written), field,
                                                 _not_there(written, why,
                                                            written in pictures)))
        return mistakes

    def _renamed(self, change: Change) -> dict[str, str]:
        """{its new path: its old} for a save that renames one document (a slug given a
        new file name), as shown."""
        written = [rel for rel in change.write if not is_media(rel)]
        if len(written) != 1 or len(change.delete) != 1:
            return {}
        (old,) = change.delete
        return {self.shown(written[0]): self.shown(old)}

    def shown(self, rel: str) -> str:
        return load.shown_path(self.shown_as, rel)

    def _mistakes(self, change: Change, scratch: Path) -> list[ContentError]:
        errors = ErrorList()
        self._graph = None
        folder = load.load(self.source, self.shown_as, errors, parsed=self._parsed,
                           digests=self._digests)
        replaced = {self.shown(rel) for rel in change.paths}
        errors.errors = [e for e in errors.errors if e.path not in replaced]
        self._apply(folder, change, scratch, errors)
        _links_to_deleted_files(folder, change, errors)
        check_media(folder, errors)  # an upload of a kind the site does not publish
        if folder.site is None:
            return errors.errors or [ContentError(self.shown("site.yaml"), 1, "file",
                                                  "the site settings file is missing")]
        config = read_site_config(folder.site, errors)
        if config is None:
            return errors.errors
        options = self.options()
        validated = validate.validate(folder, config, options, errors)
        bodies = self._renderer(config.base_path)
        bodies.start_build()
        self._graph = (graph.build_site(validated, options, errors, bodies),
                       graph.build_members_site(validated, options, errors, bodies))
        self._looked = (folder, config, validated)
        return errors.errors

    def _apply(self, folder: load.ContentFolder, change: Change, scratch: Path,
               errors: ErrorList) -> None:
        """The folder as it would be after the save."""
        gone = change.paths
        folder.documents = [d for d in folder.documents if d.rel not in gone]
        if folder.site is not None and folder.site.rel in gone:
            folder.site = None
        for media, prefix in ((folder.media, MEDIA_FOLDERS[0]),
                              (folder.members_media, MEDIA_FOLDERS[1])):
            media[:] = [m for m in media if prefix + m.rel not in gone]
        for index, (rel, data) in enumerate(sorted(change.write.items())):
            if is_media(rel):
                copy = scratch / str(index) / Path(rel).name  # (its own name: the media
                copy.parent.mkdir()                              # rule's message says it)
                copy.write_bytes(data)
                members = rel.startswith(MEDIA_FOLDERS[1])
                prefix = MEDIA_FOLDERS[1] if members else MEDIA_FOLDERS[0]
                (folder.members_media if members else folder.media).append(
                    load.MediaFile(rel[len(prefix):], copy, self.shown(rel)))
                continue
            document = load.document_from_bytes(data, rel, self.shown_as, errors)
            if document is None:
                continue
            if document.kind == "site":
                folder.site = document
            else:
                folder.documents.append(document)
        folder.documents.sort(key=lambda d: _walk_order(d.rel))

    def _renderer(self, base_path: str) -> BodyRenderer:
        if self._bodies is None or self._bodies.base_path != base_path:
            cache_file = self.cache / BODIES_CACHE_FILE if self.cache else None
            self._bodies = BodyRenderer(base_path, cache_file)
        return self._bodies


def _line_of(markdown: str, first: int, written: str) -> int:
    """The line of the Markdown (which starts on line `first`) that has a link so
    written (its first, if none)."""
    for offset, text in enumerate(markdown.split("\n")):
        if written.rstrip("/") in text:
            return first + offset
    return first


def _walk_order(rel: str) -> tuple:
    """Where `load`'s walk finds a file: a folder's files (by name), then its folders."""
    *folders, name = rel.split("/")
    return tuple((1, part) for part in folders) + ((0, name),)


_PICTURE = re.compile(r'<img\b[^>]*\ssrc="([^"]*)"')


def _not_there(written: str, why: str, picture: bool) -> str:
    """A link that leads nowhere; a picture not uploaded told as such: "a link leads
    nowhere" of an image the editor had named but not uploaded read as a link they had
    made (an editor's review)."""
    if picture and "/media/" in written:
        name = written.rsplit("/", 1)[-1]
        return (f"the picture '{name}' is not uploaded: choose it again with the image's "
                "'Choose an image' and upload it, or take the picture out")
    return f"a link leads nowhere: {why}"


def not_on_the_site(folder: load.ContentFolder, validated: validate.Validated,
                    saved: set[str]) -> list[ContentError]:
    """A saved document the site leaves out, said so: a draft, or one to be published
    later. Decap says "Published" of every save, and its "View Live" led to "Page not
    found" (an editor's review)."""
    told = []
    for document in folder.documents:
        why = validated.left_out.get(document.kind, {}).get(document.slug)
        if document.path not in saved or why is None:
            continue
        if why == validate.DRAFT:
            told.append(ContentError(document.path, document.line, "draft",
                                     "saved as a draft: it is not on the site (nor in its "
                                     "lists, feeds and search) until Draft is turned off and "
                                     "it is published again"))
        elif why.startswith(validate.PUBLISHED_LATER):
            when = dt.datetime.fromisoformat(why.split(", ")[1])  # (as `left_out` says it)
            told.append(ContentError(document.path, document.line, "publish_date",
                                     f"saved, and on the site from {format_datetime(when)}: "
                                     "until then it is not in its lists, feeds and search"))
    return told

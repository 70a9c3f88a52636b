"""The files `media/` and `members/media/` may hold, and the check that each one is what
its name says.

Media files are published as they are, on the same origin as /members/: a file a browser
would open as a page of the site (HTML, XHTML, XML, an SVG with a script, or a JavaScript
file loaded by one) runs with the site's rights and can read whatever a member has open.
So the folders take only the kinds of file a site of documents needs (`MEDIA_KINDS`, the
one list; the content model's reference is made from it), each file must start the way
its kind does (a "photo.png" that is an HTML page is refused), and an SVG, the one image
format that can carry script, must hold nothing active. Such an SVG is refused, not
cleaned: a cleaner that misses one of the many ways SVG has to run script publishes it,
while refusing costs the editor one export (or a PNG).

Part of the validate stage: mistakes go to the build's `ErrorList` as
`content/media/<file>:<line>: media: <what is wrong and what to do>`.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from .errors import UNPRINTABLE, ErrorList, printable
from .load import ContentFolder

SNIFF_BYTES = 1024  # how much of a file its kind is told from (PDF allows 1 KB of junk)


@dataclass(frozen=True)
class MediaKind:
    """One kind of media file: what it is called and how its bytes start."""

    group: str  # image, document, text, audio, video
    name: str  # for messages: "PNG image"
    start: re.Pattern | None  # its first bytes (see SNIFF_BYTES); None: text, see _text_problem
    media_type: str  # as the open data tells it: ccsite's own, so that the same content
    # gives the same data on every machine (Python's guess reads the machine's mime.types)

    @property
    def holds_text(self) -> bool:
        """Does a file of this kind say something in words (a document, a text file, an
        SVG drawing), which the leak audit reads (doctext.text_blocks)?"""
        return self.group in ("document", "text") or self.media_type == "image/svg+xml"


def _kind(group: str, name: str, start: bytes | None, media_type: str) -> MediaKind:
    return MediaKind(group, name, re.compile(start, re.S) if start is not None else None,
                     media_type)


_JPEG = _kind("image", "JPEG image", rb"\xff\xd8\xff", "image/jpeg")
_OLE = rb"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files
_ZIP = rb"PK\x03\x04"  # Office Open XML and OpenDocument files are zip archives
_ISO_MEDIA = rb".{4}ftyp"  # MP4 and M4A
MEDIA_KINDS: dict[str, MediaKind] = {
    # every file extension media/ and members/media/ accept (lower case, without the dot)
    "png": _kind("image", "PNG image", rb"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "gif": _kind("image", "GIF image", rb"GIF8[79]a", "image/gif"),
    "webp": _kind("image", "WebP image", rb"RIFF.{4}WEBP", "image/webp"),
    "svg": _kind("image", "SVG image (without scripts)", None, "image/svg+xml"),
    "pdf": _kind("document", "PDF document", rb".{0,%d}%%PDF-" % (SNIFF_BYTES - 5),
                 "application/pdf"),
    "doc": _kind("document", "Word document (97-2003)", _OLE, "application/msword"),
    "docx": _kind("document", "Word document", _ZIP,
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": _kind("document", "Excel spreadsheet (97-2003)", _OLE,
                 "application/vnd.ms-excel"),
    "xlsx": _kind("document", "Excel spreadsheet", _ZIP,
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt": _kind("document", "PowerPoint presentation (97-2003)", _OLE,
                 "application/vnd.ms-powerpoint"),
    "pptx": _kind("document", "PowerPoint presentation", _ZIP,
                  "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": _kind("document", "OpenDocument text", _ZIP,
                 "application/vnd.oasis.opendocument.text"),
    "ods": _kind("document", "OpenDocument spreadsheet", _ZIP,
                 "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": _kind("document", "OpenDocument presentation", _ZIP,
                 "application/vnd.oasis.opendocument.presentation"),
    "rtf": _kind("document", "RTF document", rb"\{\\rtf", "application/rtf"),
    "txt": _kind("text", "plain text", None, "text/plain"),
    "csv": _kind("text", "CSV table", None, "text/csv"),
    "mp3": _kind("audio", "MP3 audio", rb"ID3|\xff[\xe0-\xff]", "audio/mpeg"),
    "m4a": _kind("audio", "M4A audio", _ISO_MEDIA, "audio/mp4"),
    "ogg": _kind("audio", "Ogg audio", rb"OggS", "audio/ogg"),
    "wav": _kind("audio", "WAV audio", rb"RIFF.{4}WAVE", "audio/wav"),
    "mp4": _kind("video", "MP4 video", _ISO_MEDIA, "video/mp4"),
    "webm": _kind("video", "WebM video", rb"\x1a\x45\xdf\xa3", "video/webm"),
}
# how a browser tells a page from text (the WHATWG MIME sniffing standard's HTML and XML
# patterns): a text file starting like this would be a page wherever a host sniffs
_LOOKS_LIKE_MARKUP = re.compile(
    rb"[\t\n\x0c\r ]*(?:<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|"
    rb"style|title|b|body|br|p)[ >]|<!--|<\?xml|<svg)", re.I)
_SVG_NS = "http://www.w3.org/2000/svg"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_JAVASCRIPT_URL = re.compile(r"j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.I)
# a reference out of the drawing: anything but url(#name), or an image written inside it
_CSS_REFERENCE = re.compile(r"@import|url\(\s*(?!['\"]?\s*(?:#|data:image/))|expression\(",
                            re.I)
_INLINE_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,", re.I)
_REFUSED_NOT_CLEANED = ("ccsite does not clean SVG files (a cleaner that misses one of "
                        "SVG's ways to run script would publish it): export the drawing "
                        "again as plain SVG without it, or save it as a PNG")


def check_media(folder: ContentFolder, errors: ErrorList) -> None:
    """Tell every file of media/ and members/media/ that is not a kind `MEDIA_KINDS`
    names, or not what its name says."""
    for media in [*folder.media, *folder.members_media]:
        try:
            stat = os.stat(media.source)
        except OSError:
            continue  # gone since the walk; the next build will not see it
        found = media_problem(str(media.source), (stat.st_size, stat.st_mtime_ns,
                                                  stat.st_ctime_ns, stat.st_ino))
        if found is not None:
            line, message = found
            errors.add(media.shown, line, "media", message)


def kind_of(name: str) -> MediaKind | None:
    """The kind of media file a file name says, or None for one media/ does not take."""
    return MEDIA_KINDS.get(_extension(name))


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


@functools.lru_cache(maxsize=16384)
def media_problem(path: str, signature: tuple) -> tuple[int, str] | None:
    """(line, what is wrong and what to do) for the media file at `path`, or None. Kept
    by `signature` (size, times, inode): the preview server asks at every rebuild."""
    name = Path(path).name
    unsafe = _UNSAFE_IN_NAMES.search(name)
    if unsafe is not None:
        return 1, (f"'{name}': a file's name is part of its web address, and "
                   f"{_what_unsafe(unsafe.group(0))} has no place in one; rename the file "
                   "with letters, digits, spaces and - _ . ( ) only")
    extension = _extension(name)
    kind = MEDIA_KINDS.get(extension)
    if kind is None:
        return 1, _not_allowed(name, extension)
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
            if extension == "svg":
                return _svg_problem(head + handle.read())
    except OSError as exc:
        return 1, f"cannot be read ({exc.strerror})"
    if kind.start is None:
        return _text_problem(head, kind)
    if not kind.start.match(head):
        what = "an HTML page" if _LOOKS_LIKE_MARKUP.match(head) else "something else"
        return 1, (f"'{name}' is named as a {kind.name} but is {what}; save it again in "
                   f"that format, or give it the name of what it really is")
    return None


# what a media file's name may not hold: characters that end or change its web address
# where Markdown or a browser reads it (? # % \ and quotes and brackets of HTML), and the
# unprinted ones a terminal acts on (errors.printable: a line break, ESC, a direction
# override), which the web editor's uploads once let through (a red team's review)
_UNSAFE_IN_NAMES = re.compile(r'[?#%\\<>"`|*]|' + UNPRINTABLE.pattern)


def _what_unsafe(character: str) -> str:
    if UNPRINTABLE.match(character):
        return f"an invisible character ({printable(character)})"
    return f"'{character}'"


_ACTIVE = {  # kinds a browser runs as part of the site, and what to do instead
    **dict.fromkeys(("html", "htm", "xhtml", "shtml", "xht"),
                    "make it a page in pages/ instead"),
    **dict.fromkeys(("js", "mjs", "cjs"), "scripts come only with the theme "
                    "(templates/assets/, published at /assets/)"),
    **dict.fromkeys(("xml", "xsl", "xslt", "svgz"), "save it as one of the kinds below "
                    "(an SVG drawing as plain .svg, data as .csv)"),
}


def _not_allowed(name: str, extension: str) -> str:
    allowed = ", ".join(MEDIA_KINDS)
    if extension in _ACTIVE:
        why = (f"a .{extension} file would run as part of the site, with the rights of "
               f"the members area; {_ACTIVE[extension]}")
    elif not extension:
        why = "it has no file type ending (like .pdf); rename it with the ending of its kind"
    elif extension in _SAVE_AS:
        why = (f".{extension} files are not one of the kinds a media folder takes (most "
               f"browsers cannot show them); {_SAVE_AS[extension]}")
    else:
        why = f".{extension} files are not one of the kinds a media folder takes"
    return f"'{name}': {why}. Media folders take only these kinds of file: {allowed}"


# what to save a common file that media folders do not take as instead
_SAVE_AS = {"heic": "save the photo as JPEG (on an iPhone: Settings, Camera, Formats, "
                    "Most Compatible; or export it as JPEG)",
            "heif": "save the photo as JPEG", "tif": "save it as PNG or JPEG",
            "tiff": "save it as PNG or JPEG", "bmp": "save it as PNG",
            "pages": "export it as PDF", "numbers": "export it as PDF or Excel",
            "key": "export it as PDF or PowerPoint"}


def _text_problem(head: bytes, kind: MediaKind) -> tuple[int, str] | None:
    text = head.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in text and not text.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 is text
        return 1, (f"is named as {kind.name} but holds binary data; give it the name of "
                   "what it really is")
    if _LOOKS_LIKE_MARKUP.match(text):
        return 1, (f"is named as {kind.name} but starts like a web page (HTML or XML), "
                   "which some hosts would show as one; put the text in a page in pages/ "
                   "instead, or save it as a PDF")
    return None


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _svg_problem(data: bytes) -> tuple[int, str] | None:
    """What in an SVG file could run script or fetch another file, or None. Read by
    expat element by element, with line numbers; entity declarations are refused before
    they are used (an entity can hide a script from a reading of the raw text)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    in_style: list[bool] = []
    style_text: list[str] = []
    root_seen = False

    def refuse(message: str) -> None:
        raise _Refused(parser.CurrentLineNumber, message)

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal root_seen
        namespace, _, local = name.rpartition(" ")
        if not root_seen:
            root_seen = True
            if (namespace, local) != (_SVG_NS, "svg"):
                refuse("is not an SVG image (its first element is not <svg> in the SVG "
                       "namespace); export it again from the drawing program")
        if namespace == _XHTML_NS:
            refuse(f"holds an HTML element <{local}>, which would run as part of the site; "
                   + _REFUSED_NOT_CLEANED)
        if local.lower() in ("script", "handler"):
            refuse(f"holds a <{local}> element; " + _REFUSED_NOT_CLEANED)
        if local == "foreignObject":
            refuse("holds a <foreignObject> element (HTML inside the drawing); "
                   + _REFUSED_NOT_CLEANED)
        for attribute, value in attributes.items():
            _check_attribute(local, attribute.rpartition(" ")[2], value, refuse)
        in_style.append(local == "style")

    def end(name: str) -> None:
        if in_style.pop():
            _check_css("".join(style_text), "a <style> element", refuse)
            style_text.clear()

    def text(data: str) -> None:
        if in_style and in_style[-1]:
            style_text.append(data)

    def entity(*_args) -> None:
        refuse("declares XML entities (<!ENTITY>), which can hide a script or a reference "
               "to another file; " + _REFUSED_NOT_CLEANED)

    def instruction(target: str, _data: str) -> None:
        refuse(f"holds a processing instruction <?{target} ...?> (a style sheet can fetch "
               "other files and run a transformation); " + _REFUSED_NOT_CLEANED)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = entity
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        return refused.line, refused.message
    except expat.ExpatError as exc:
        return exc.lineno, (f"is not a well-formed SVG file ({expat.ErrorString(exc.code)}); "
                            "browsers would show an error instead of the image: export it "
                            "again from the drawing program")
    if not root_seen:
        return 1, "is an empty SVG file; export the drawing again"
    return None


def _check_attribute(element: str, attribute: str, value: str, refuse) -> None:
    if attribute.lower().startswith("on"):
        refuse(f"has an event handler attribute {attribute}= on <{element}>, a script run "
               "when the drawing is shown or touched; " + _REFUSED_NOT_CLEANED)
    if _JAVASCRIPT_URL.search(value):
        refuse(f"has a javascript: address in {attribute}= on <{element}>; "
               + _REFUSED_NOT_CLEANED)
    if attribute == "href" and not (value.strip().startswith("#")
                                    or _INLINE_IMAGE.match(value.strip())):
        refuse(f"refers to another file or address ({attribute}=\"{value[:60]}\" on "
               f"<{element}>), which the drawing would fetch or open; embed what it shows "
               "in the drawing, or make the link in the page's text instead")
    if attribute == "attributeName" and value.strip().rpartition(":")[2] == "href":
        refuse(f"has an animation (<{element}>) that changes a link's address; "
               + _REFUSED_NOT_CLEANED)
    if attribute == "style":
        _check_css(value, f"the style= of <{element}>", refuse)
    elif "url(" in value.lower():
        _check_css(value, f"{attribute}= on <{element}>", refuse)


def _check_css(css: str, where: str, refuse) -> None:
    found = _CSS_REFERENCE.search(css)
    if found:
        quoted = css[found.start():].partition(")")[0][:60] + ")"
        refuse(f"{where} refers to another file ({quoted}): only "
               "references inside the drawing (url(#name)) are allowed; embed it instead")
    if _JAVASCRIPT_URL.search(css):
        refuse(f"{where} has a javascript: address; " + _REFUSED_NOT_CLEANED)

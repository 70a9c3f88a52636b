"""The text inside the documents a site publishes (PDF, Word, Excel, PowerPoint and
OpenDocument files), for the leak audit to search as it searches a page.

An officer who exports a members post to PDF, or a directory to a spreadsheet, and puts it
in `media/` publishes members text that no byte of the file shows: a PDF's text is kept
compressed, an Office file is a zip archive. So the audit reads such a file as a reader
would: a PDF through pypdf (the Python PDF library of the field: fonts' encodings, their
maps to Unicode and the compressions PDF allows are its work, not ours), the XML parts of
an Office or OpenDocument archive with their markup taken out. Only the text is wanted:
where a file cannot be read (damaged, encrypted with a password), None, and the audit
searches its bytes as before.
"""
from __future__ import annotations

import html
import io
import logging
import re
import zipfile
import zlib

PDF_START = b"%PDF-"
SNIFF_BYTES = 1024  # PDF allows some junk before its header (media.py says the same)
ZIP_START = b"PK\x03\x04"
XML_BYTES = 16 * 1024 * 1024  # what an archive's XML (or a damaged PDF's streams) may
# unpack to, in all: a "zip bomb" (a few kilobytes that unpack to gigabytes) is read this
# far, not to the machine's end (the audit then holds a few copies of the text); a real
# Word or Excel file's text is a small part of that

# where a paragraph, a line, a cell or a slide's text ends in WordprocessingML,
# SpreadsheetML, DrawingML and OpenDocument: a gap there, none elsewhere, since a word in a
# Word file is often cut into runs (<w:t>Sec</w:t><w:t>ret</w:t>) that are one word
_GAP_AFTER = re.compile(
    r"</(?:w:p|w:tc|a:p|si|c|t|text:p|text:h|table:table-cell)>|"
    r"<(?:w:br|w:tab|w:cr|text:line-break|text:tab|text:s)\b[^>]*/>")
_TAG = re.compile(r"<[^>]*>")


class Unreadable(Exception):
    """A document a reader's program would show, whose text cannot be read here: a
    damaged PDF (which pypdf refuses, and a viewer mends) whose text is in a font it
    carries. The leak audit cannot tell what it says, so it is not published."""


def document_text(data: bytes) -> str | None:
    """The text a PDF or an Office/OpenDocument file holds, or None when `data` is neither
    or cannot be read (nor shown: see `Unreadable`, raised for one that can be)."""
    if PDF_START in data[:SNIFF_BYTES]:
        return _pdf_text(data)
    if data.startswith(ZIP_START):
        return _archive_text(data)
    return None


def _pdf_text(data: bytes) -> str | None:
    """Each page's text, and the document's own title, subject, author and keywords."""
    import pypdf  # here: only a build with a PDF to audit pays for its import

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the editor's
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return None  # a password is needed to open it: not a file the public can read
        texts = [value for value in (reader.metadata or {}).values() if isinstance(value, str)]
        texts += [page.extract_text() or "" for page in reader.pages]
    except Exception:  # noqa: BLE001 - any damage pypdf meets: read stream by stream
        text, own_fonts = _streams_text(data)
        if own_fonts:
            raise Unreadable() from None
        return text
    return "\n".join(texts)


_STREAM = re.compile(rb"stream\r?\n(.*?)(?:endstream|\Z)", re.S)
_SHOWN = re.compile(rb"\[((?:\((?:\\.|[^\\)])*\)|[^\]])*)\]\s*TJ|\(((?:\\.|[^\\)])*)\)\s*(?:Tj|'|\")",
                    re.S)
_PIECE = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3}|\r?\n)")
# a font the PDF carries (its program), or a map from its glyph numbers to letters: text
# shown in it is glyph numbers, which only the font's map, read from the whole file, makes
# into words (a reader's program mends a damaged file, and shows them)
_OWN_FONT = re.compile(rb"/(?:FontFile[23]?|ToUnicode)\b")
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(",
            b")": b")", b"\\": b"\\"}


def _streams_text(data: bytes) -> tuple[str | None, bool]:
    """The text a damaged PDF shows, as far as its pages' streams give it: a viewer opens
    a PDF whose end is cut off or whose table of places is wrong, where pypdf refuses it,
    so each stream is unpacked (the whole file's, up to XML_BYTES) and the strings its
    text operators show (Tj, TJ, ' and ") are read, those of one TJ as one text (None
    when there is none). And whether it has a font of its own making (most PDFs from a
    word processor do: see `_OWN_FONT`), whose text is glyph numbers, not letters."""
    texts, left = [], XML_BYTES
    own_fonts = _OWN_FONT.search(data) is not None
    for stream in _STREAM.finditer(data):
        unpacked = zlib.decompressobj()
        try:
            content = unpacked.decompress(stream[1], left)
        except zlib.error:
            content = stream[1]  # not compressed, or not as zlib does
        left -= len(content)
        own_fonts = own_fonts or _OWN_FONT.search(content) is not None  # (in an object
        # stream, as PDF 1.5 keeps a file's objects)
        for shown in _SHOWN.finditer(content):
            pieces = _PIECE.findall(shown[1]) if shown[1] is not None else [shown[2]]
            texts.append(b"".join(_ESCAPE.sub(_unescaped, piece) for piece in pieces))
        if left <= 0:
            break
    return ("\n".join(text.decode("latin-1") for text in texts) if texts else None,
            own_fonts)


def _unescaped(escape: re.Match) -> bytes:
    code = escape[1]
    if code in _ESCAPED:
        return _ESCAPED[code]
    if code[:1] in b"\r\n":  # a line break escaped: nothing
        return b""
    return bytes([int(code, 8) & 0xFF])


def _archive_text(data: bytes) -> str | None:
    """The text of every XML part of a zip archive (an Office Open XML or OpenDocument
    file keeps its text, comments, notes and properties so), its markup taken out; None
    for an archive that is not one, or is damaged."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [info for info in archive.infolist()
                 if info.filename.endswith((".xml", ".rels")) and not info.is_dir()]
        if not parts:
            return None
        texts, left = [], XML_BYTES
        for info in parts:
            with archive.open(info) as part:
                xml = part.read(left)
            left -= len(xml)
            texts.append(_xml_text(xml.decode("utf-8", errors="replace")))
            if left <= 0:
                break
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError):  # damaged, encrypted, or compressed in a way zip lacks
        return None
    return "\n".join(texts)


def _xml_text(xml: str) -> str:
    """The text of an XML part, as it reads: markup out, its entities (&amp;) decoded."""
    return html.unescape(_TAG.sub("", _GAP_AFTER.sub(lambda m: m.group(0) + "\n", xml)))

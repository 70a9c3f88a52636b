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

import csv
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
_TEXT_PARTS = (".xml", ".rels", ".htm", ".html", ".xhtml", ".txt", ".mht")


class Unreadable(Exception):
    """A document a reader's program would show, whose text cannot be read here: a
    damaged PDF (which pypdf refuses, and a viewer mends) whose text is in a font it
    carries. The leak audit cannot tell what it says, so it is not published."""


def document_text(data: bytes, depth: int = 0, left: list[int] | None = None) -> str | None:
    """The text a PDF, an Office/OpenDocument or an RTF file holds, or None when `data` is
    none of them or cannot be read (nor shown: see `Unreadable`, raised for one that can
    be). `depth`: how many archives this one is inside, `left`: what they may still
    unpack to, shared by all of them (see `_archive_text`)."""
    if PDF_START in data[:SNIFF_BYTES]:
        return _pdf_text(data)
    if data.startswith(ZIP_START):
        return _archive_text(data, depth, left if left is not None else [XML_BYTES])
    if data.startswith(RTF_START):
        return _rtf_text(data)
    return None


def is_document(data: bytes) -> bool:
    """Is `data` a PDF, an Office/OpenDocument archive or an RTF file (`document_text`'s)?"""
    return PDF_START in data[:SNIFF_BYTES] or data.startswith((ZIP_START, RTF_START))


def text_blocks(name: str, data: bytes) -> list[str]:
    """What a media file says, in blocks (a paragraph, a line, a cell: what one passage
    cannot run across), for the leak audit to fingerprint a members file as it does a
    post (see audit.members_fingerprints); none for a file that holds no text (an image,
    a sound) or cannot be read. A PDF's lines are where its layout broke them, not its
    sentences: its text is one block, and each of its lines another (a heading with no
    full stop would otherwise run into the sentence after it)."""
    extension = name.rpartition(".")[2].lower()
    try:
        text = document_text(data)
    except Unreadable as exc:  # a members PDF saved too many times: what it shows is
        if str(exc) != TOO_MANY_SAVES:  # still members text (a public one is refused)
            return []
        text = _pdf_text(data, earlier=False)
    if text is not None:
        return [text, *text.split("\n")] if PDF_START in data[:SNIFF_BYTES] \
            else text.split("\n")
    if extension == "csv":  # each cell: a row's first cell runs into no passage
        return [cell for row in csv.reader(plain_text(data).splitlines()) for cell in row]
    if extension == "txt":  # each line, and each cell of one saved tab-separated
        lines = plain_text(data).splitlines()
        return [*lines, *(cell for line in lines if "\t" in line for cell in line.split("\t"))]
    if extension == "svg":  # its words, each drawn where it stands: one text, read
        return svg_texts(plain_text(data))  # both ways its pieces may join
    return []


def metadata_text(data: bytes) -> str:
    """The texts an image's or a sound's metadata keeps where no byte shows them as
    text: a PNG's compressed text chunks (zTXt, iTXt: a title, a description), and text
    in UTF-16 (an MP3's ID3 title and comments, Windows' own properties). Its plain
    metadata (EXIF, XMP) is in its bytes as they are."""
    texts = _png_texts(data) if data.startswith(PNG_START) else []
    for pattern, encoding in _UTF16_RUNS:  # each way round on its own: a run found one
        for run in pattern.findall(data):  # byte early reads the other way, wrong past
            texts.append(run.decode(encoding, errors="replace"))  # its first ’ or é
    return "\n".join(texts)


PNG_START = b"\x89PNG\r\n\x1a\n"
# a run of at least six letters, digits or punctuation in UTF-16, either way round
# ... printable ASCII, Latin-1's letters (é, £) and the typographer's punctuation (’ “ ” –,
# U+2010 to U+2027), each way round: a name with an accent, a ’ in a sentence, cut a run
# of ASCII alone (a red team's review)
_UTF16_RUNS = ((re.compile(rb"(?:[\x20-\x7e\xa0-\xff]\x00|[\x10-\x27]\x20){6,}"), "utf-16-le"),
               (re.compile(rb"(?:\x00[\x20-\x7e\xa0-\xff]|\x20[\x10-\x27]){6,}"), "utf-16-be"))


def _png_texts(data: bytes) -> list[str]:
    """The texts of a PNG's compressed text chunks (its plain tEXt chunks are its bytes)."""
    texts, place, left = [], len(PNG_START), XML_BYTES
    while place + 8 <= len(data):
        if left <= 0:  # texts past the limit cannot be said clean (a red team's review:
            raise Unreadable(TOO_MUCH)  # a first text of 16 MB of spaces hid a second)
        size = int.from_bytes(data[place:place + 4], "big")
        kind, body = data[place + 4:place + 8], data[place + 8:place + 8 + size]
        place += 12 + size
        try:
            if kind == b"zTXt":
                text = zlib.decompressobj().decompress(body.split(b"\0", 1)[1][1:], left)
            elif kind == b"iTXt":
                keyword, rest = body.split(b"\0", 1)
                compressed, rest = rest[0], rest[2:]
                text = rest.split(b"\0", 2)[2]  # after its language and translated keyword
                text = zlib.decompressobj().decompress(text, left) if compressed else text
            else:
                continue
        except (IndexError, ValueError, zlib.error):  # a damaged chunk: the others are read
            continue
        left -= len(text)
        texts.append(text.decode("utf-8" if kind == b"iTXt" else "latin-1", errors="replace"))
    return texts


def plain_text(data: bytes) -> str:
    """A text file's text: UTF-16 with its byte order mark (Excel's "Unicode text"),
    UTF-8, or else Windows' own (cp1252), as Excel saves a CSV."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def svg_texts(svg: str) -> list[str]:
    """An SVG drawing's words as it shows them, read two ways. A drawing program writes
    each word (or letter) as an element of its own, placed where it stands, so the
    elements are words apart unless they are pieces of one (<tspan>). But a tspan with
    a place of its own (x=, y=) may be a word of its own ("Three" "dads" "came", as
    some programs lay out a line) or a piece of a word set apart for its spacing: the
    drawing alone cannot say which, so the text is read both ways. CDATA sections are
    text as they stand (a sentence cut between two was not read)."""
    svg = _SVG_CDATA.sub(lambda found: html.escape(found[1], quote=False), svg)
    joined = _SVG_PIECE.sub("", _SVG_GAP.sub(" ", svg))
    placed = _SVG_PIECE.sub("", _SVG_GAP.sub(" ", _SVG_PLACED.sub(" ", svg)))
    texts = [html.unescape(" ".join(text.split())) for text in (joined, placed)]
    return texts if texts[0] != texts[1] else texts[:1]


_SVG_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_SVG_GAP = re.compile(r"<(?!/?tspan\b)[^>]*>")  # any tag but a tspan's: a gap
_SVG_PLACED = re.compile(r"<tspan\b[^>]*\s(?:x|y|dx|dy)\s*=[^>]*>")  # a tspan of its own place
_SVG_PIECE = re.compile(r"<[^>]*>")
RTF_START = b"{\\rtf"


def _rtf_text(data: bytes) -> str | None:
    """An RTF file's text as a word processor shows it (striprtf: its control words,
    groups and escapes, which Word's export puts inside words and sentences)."""
    from striprtf.striprtf import rtf_to_text  # here: only a build with RTF pays for it

    source = data.decode("latin-1")
    try:
        shown = rtf_to_text(source, errors="replace")
    except Exception:  # noqa: BLE001 - a damaged file: its bytes are searched as they are
        return None
    return shown + "\0" + _rtf_every_part(source)


def _rtf_every_part(source: str) -> str:
    """All the text an RTF file holds, its headers, footers, footnotes, comments, text
    boxes and its title and author too, which striprtf leaves out (what a word processor
    shows of them elsewhere: a red team's review found members text in a footer
    published): its escapes made letters, its control words and braces taken out."""
    text = _RTF_HEX.sub(lambda m: bytes([int(m[1], 16)]).decode("cp1252", "replace"), source)
    text = _RTF_UNICODE.sub(lambda m: chr(int(m[1]) % 65536), text)
    text = _RTF_NAMED.sub(lambda m: _RTF_CHARACTERS[m[1] or m[2]], text)
    text = _RTF_BREAK.sub("\n", text)
    return " ".join(_RTF_CONTROL.sub(" ", text).replace("{", "").replace("}", "").split())


_RTF_HEX = re.compile(r"\\'([0-9a-fA-F]{2})")
_RTF_UNICODE = re.compile(r"\\u(-?\d+) ?(?:\\'[0-9a-fA-F]{2}|\?)?")
_RTF_CHARACTERS = {"rquote": "\u2019", "lquote": "\u2018", "rdblquote": "\u201d",
                   "ldblquote": "\u201c", "emdash": "\u2014", "endash": "\u2013",
                   "bullet": "\u2022", "tab": " ", "~": "\u00a0"}
_RTF_NAMED = re.compile(r"\\(rquote|lquote|rdblquote|ldblquote|emdash|endash|bullet|tab)"
                        r"\b ?|\\(~)")
_RTF_BREAK = re.compile(r"\\(?:par|line|sect|page|cell|row)\b ?")
_RTF_CONTROL = re.compile(r"\\[a-zA-Z]+-?\d* ?|\\[^a-zA-Z]")


def _pdf_text(data: bytes, earlier: bool = True) -> str | None:
    """Each page's text, and the document's own title, subject, author and keywords: of
    the document as it is, and as it was at each earlier save (`_earlier_revisions`)."""
    import pypdf  # here: only a build with a PDF to audit pays for its import

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the editor's
    try:
        texts = _revision_texts(pypdf.PdfReader(io.BytesIO(data), strict=False))
        if texts is None:
            return None  # a password is needed to open it: not a file the public can read
    except Exception:  # noqa: BLE001 - any damage pypdf meets: read stream by stream
        text, own_fonts = _streams_text(data)
        if own_fonts:
            raise Unreadable() from None
        return text
    for revision in _earlier_revisions(data) if earlier else ():
        try:
            texts += _revision_texts(pypdf.PdfReader(io.BytesIO(revision), strict=False)) or []
        except Exception:  # noqa: BLE001 - not a revision after all (an %%EOF in a stream)
            continue
    return "\n".join(texts)


def _revision_texts(reader) -> list[str] | None:
    """What one revision of a PDF says (None: it needs a password)."""
    if reader.is_encrypted and not reader.decrypt(""):
        return None
    texts = [value for value in (reader.metadata or {}).values() if isinstance(value, str)]
    texts += [page.extract_text() or "" for page in reader.pages]
    return texts + _pdf_extras(reader)


MAX_REVISIONS = 16  # earlier saves of one PDF read (a form filled in and saved: a few)
_END_OF_REVISION = re.compile(rb"%%EOF[ \t]*\r?\n?")


def _earlier_revisions(data: bytes) -> list[bytes]:
    """The PDF as it was at each earlier save. A PDF saved again (an incremental update,
    as Acrobat and form fillers save) keeps what it was before, a page deleted since
    included, ahead of its end: a reader's program shows only the last revision, but
    anyone can cut the file at an earlier %%EOF and open what it said then. pypdf reads
    only the last, so a members page deleted from an export was published in it."""
    ends = [found.end() for found in _END_OF_REVISION.finditer(data)]
    earlier = [data[:end] for end in ends[:-1] if end < len(data)]
    if len(earlier) > MAX_REVISIONS:  # (not only some: a page deleted at the first save
        raise Unreadable(TOO_MANY_SAVES)  # lives in the first revision alone)
    return earlier


TOO_MANY_SAVES = (f"this PDF keeps more than {MAX_REVISIONS} earlier saves of itself, each "
                  "of which a reader can open, and the leak audit reads so many only; save "
                  "it as a new PDF ('Save as', or print it to PDF), which keeps only what it "
                  "shows")


def _pdf_extras(reader) -> list[str]:
    """The texts a PDF holds beside its pages' text, which a reader's program shows too:
    its notes and comments (annotations), its form's answers, its bookmarks, its XMP
    metadata and the files attached to it. Each read as far as it can be: one that is
    damaged is left out, not the whole file."""
    texts: list[str] = []
    for read in (_annotation_texts, _field_texts, _bookmark_texts, _xmp_text,
                 _attachment_texts):
        try:
            texts += read(reader)
        except Exception:  # noqa: BLE001 - a damaged part: the others are still read
            continue
    return texts


def _annotation_texts(reader) -> list[str]:
    texts = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            texts += [str(annotation[key]) for key in ("/Contents", "/T", "/TU", "/V", "/RC")
                      if isinstance(annotation.get(key), str)]
    return texts


def _field_texts(reader) -> list[str]:
    return [str(value) for field in (reader.get_fields() or {}).values()
            for value in (field.get("/V"), field.get("/TU")) if isinstance(value, str)]


def _bookmark_texts(reader) -> list[str]:
    texts, todo = [], list(reader.outline)
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo += item
        elif getattr(item, "title", None):
            texts.append(str(item.title))
    return texts


def _xmp_text(reader) -> list[str]:
    metadata = reader.trailer["/Root"].get_object().get("/Metadata")
    if metadata is None:
        return []
    return [_xml_text(metadata.get_object().get_data()[:XML_BYTES].decode("utf-8", "replace"))]


def _attachment_texts(reader) -> list[str]:
    texts = []
    for files in reader.attachments.values():
        for data in files:
            texts.append(document_text(data) or data[:XML_BYTES].decode("utf-8", "replace"))
    return texts


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


NESTED = 3  # archives inside archives read, at most (a Word file's embedded workbook: 1)


def _archive_text(data: bytes, depth: int, left: list[int]) -> str | None:
    """The text of every XML part of a zip archive (an Office Open XML or OpenDocument
    file keeps its text, comments, notes and properties so), its markup taken out, then
    the documents embedded in it (a Word file keeps an Excel sheet pasted into it, or a
    chart's data, as a workbook of its own in word/embeddings/; an old Office object or
    a PDF as an oleObject.bin). Its pictures are not read. Unread, an embedded workbook of the members' directory was published by a build
    that said nothing was found (a red team's review). None for an archive that is not
    one, or is damaged. All it unpacks to, the archives inside it included, is `left` at
    most, one budget for all (each nested archive with one of its own unpacked 16 MB
    more: a docx of 15 KB holding 30 small workbooks made 500 million characters, a
    review of that change found)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [info for info in archive.infolist() if not info.is_dir()]
        text_parts = [info for info in parts  # (and the HTML or text a Word file may hold
                      if info.filename.lower().endswith(_TEXT_PARTS)]  # as a part of its
        if not text_parts:                                       # own: an altChunk)
            return None
        # its text, then what is embedded in it
        embedded = [info for info in parts if info not in text_parts and
                    info.filename.lower().endswith(_EMBEDDED)]
        texts = []
        for info in [*text_parts, *embedded]:  # (not its pictures and the like)
            if left[0] <= 0:
                raise Unreadable(TOO_MUCH)
            with archive.open(info) as part:
                read = part.read(left[0])
            left[0] -= len(read)
            if info in text_parts:
                texts.append(_xml_text(read.decode("utf-8", errors="replace")))
            else:
                texts.append(_embedded_text(read, depth, left))
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError):  # damaged, encrypted, or compressed in a way zip lacks
        return None
    return "\n".join(texts)


# the parts of an Office archive that hold documents of their own (word/embeddings/...)
_EMBEDDED = (".bin", ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".doc", ".xls", ".ppt",
             ".odt", ".ods", ".odp", ".pdf", ".zip", ".rtf")
TOO_MUCH = ("this file holds more text, or documents nested deeper, than the leak audit "
            "reads (16 MB unpacked, 3 documents deep), so it cannot say what the file holds, "
            "and it is not published; split it, or save the documents inside it as files "
            "of their own")


def _embedded_text(data: bytes, depth: int, left: list[int]) -> str:
    """What a document embedded in an archive holds: its text (nested as deep as NESTED),
    else (an old Office object: oleObject1.bin) its bytes read as any file's are (see
    `bytes_text`)."""
    if is_document(data) and depth >= NESTED:
        raise Unreadable(TOO_MUCH)  # (read as bytes, its text is compressed: unsearched)
    document = document_text(data, depth + 1, left)
    if document is None and PDF_START in data:  # a PDF wrapped in an Office object (an
        document = _pdf_text(data[data.index(PDF_START):])  # oleObject.bin) past 1 KB
    return document if document is not None else bytes_text(data)


def bytes_text(data: bytes, metadata: bool = True) -> str:
    """A file's bytes as text, as a program that shows them might: UTF-8, and where they
    are not UTF-8 (a CSV Excel saved in Windows' own encoding, a picture, a sound, an old
    Office file), Windows' text too, and (with `metadata`) the texts its metadata keeps
    (see `metadata_text`). Read whole: read as its runs of text only, members text with
    a non-breaking space or an accented name at a field's start was missed (a red team's
    review)."""
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" not in text:
        return text
    text += "\0" + data.decode("cp1252", errors="replace")
    return text + "\0" + metadata_text(data) if metadata else text


def _xml_text(xml: str) -> str:
    """The text of an XML part, as it reads: markup out, its entities (&amp;) decoded."""
    return html.unescape(_TAG.sub("", _GAP_AFTER.sub(lambda m: m.group(0) + "\n", xml)))

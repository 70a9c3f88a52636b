"""Files in media/ and members/media/ are published as they are, on the members area's
origin: only inert kinds are accepted, each must be what its name says, and an SVG that
could run script or fetch another file is refused (not cleaned). Real builds of a fixture
site; a refused file stops the build with `path:line: media: ...` and the output as it was."""
from __future__ import annotations

import pytest

from ccsite.media import MEDIA_KINDS

# the first bytes of a real file of each kind the media folders accept
GENUINE = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif",
    "gif": b"GIF89a\x01\x00\x01\x00",
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
    "docx": b"PK\x03\x04\x14\x00\x06\x00",
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
    "xlsx": b"PK\x03\x04\x14\x00\x06\x00",
    "ppt": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
    "pptx": b"PK\x03\x04\x14\x00\x06\x00",
    "odt": b"PK\x03\x04\x14\x00\x00\x08",
    "ods": b"PK\x03\x04\x14\x00\x00\x08",
    "odp": b"PK\x03\x04\x14\x00\x00\x08",
    "rtf": b"{\\rtf1\\ansi\\deff0 Hello}",
    "txt": "Opening times over Christmas\n".encode(),
    "csv": b"\xef\xbb\xbfcentre,visits\nOxhey,120\n",
    "mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00",
    "ogg": b"OggS\x00\x02\x00\x00",
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00",
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
}
HTML_PAGE = b"<!DOCTYPE html><html><script>fetch('/members/').then(r => r.text())</script>"

# an SVG as drawing programs export it: doctype, metadata namespaces, internal references,
# an embedded bitmap
EXPORTED_SVG = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" height="10">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <style>.a { fill: url(#g); }</style>
  <rect class="a" width="10" height="10" style="stroke: url('#g')" inkscape:label="box"/>
  <use xlink:href="#g"/>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
</svg>
"""


def test_every_kind_the_media_folders_take_has_a_genuine_sample_here():
    assert set(GENUINE) == set(MEDIA_KINDS)


def test_files_of_every_accepted_kind_are_published_as_they_are(site):
    for extension, data in GENUINE.items():
        site.write(f"media/sample.{extension}", data)
    site.write("members/media/rota.xlsx", GENUINE["xlsx"] + b"members only")
    site.write("media/PHOTO.JPG", GENUINE["jpg"])  # as cameras name them
    site.write("media/logo.svg", EXPORTED_SVG)
    result = site.build()
    assert result.status == 0, result.err
    for extension, data in GENUINE.items():
        assert (site.output / "public" / "media" / f"sample.{extension}").read_bytes() == data
    assert (site.output / "public" / "media" / "logo.svg").read_bytes() == EXPORTED_SVG
    assert (site.output / "members" / "media" / "rota.xlsx").is_file()


def refused(site, rel: str, data: bytes) -> str:
    """Build with `rel` added: it must fail, leave the output as it was, and say so."""
    assert site.build().status == 0
    before = site.snapshot()
    site.write(rel, data)
    result = site.build()
    assert result.status == 1, f"{rel} was published"
    assert "Traceback" not in result.err
    assert site.snapshot() == before
    return result.err


@pytest.mark.parametrize("rel, data, told", [
    ("media/steal.html", HTML_PAGE, "a .html file would run as part of the site, with the "
     "rights of the members area; make it a page in pages/ instead"),
    ("media/old-page.htm", HTML_PAGE, "a .htm file would run as part of the site"),
    ("media/page.xhtml", HTML_PAGE, "a .xhtml file would run as part of the site"),
    ("media/tracker.js", b"fetch('/members/')", "a .js file would run as part of the site, "
     "with the rights of the members area; scripts come only with the theme"),
    ("media/module.mjs", b"export {}", "a .mjs file would run as part of the site"),
    ("media/feed.xml", b"<?xml version='1.0'?><x/>", "a .xml file would run as part of the site"),
    ("media/setup.exe", b"MZ\x90\x00", "'setup.exe': .exe files are not one of the kinds a "
     "media folder takes. Media folders take only these kinds of file: png, jpg, jpeg"),
    ("media/README", b"read me", "'README': it has no file type ending (like .pdf)"),
    ("media/IMG_0042.HEIC", b"\x00\x00\x00\x18ftypheic", "'IMG_0042.HEIC': .heic files are "
     "not one of the kinds a media folder takes (most browsers cannot show them); save the "
     "photo as JPEG"),
    ("members/media/steal.html", HTML_PAGE, "a .html file would run as part of the site"),
])
def test_files_a_browser_would_run_are_refused(site, rel, data, told):
    err = refused(site, rel, data)
    assert f"{site.shown(rel)}:1: media: " in err
    assert told in err


@pytest.mark.parametrize("rel, data, told", [
    ("media/photo.png", HTML_PAGE, "'photo.png' is named as a PNG image but is an HTML page; "
     "save it again in that format, or give it the name of what it really is"),
    ("media/pack.pdf", b"\n\n  <html><body>", "'pack.pdf' is named as a PDF document but is "
     "an HTML page"),
    ("members/media/minutes.docx", b"%PDF-1.4", "'minutes.docx' is named as a Word document "
     "but is something else"),
    ("media/notes.txt", b"  <script>alert(1)</script>", "is named as plain text but starts "
     "like a web page (HTML or XML)"),
    ("media/table.csv", b"<svg onload=alert(1)>", "is named as CSV table but starts like a web "
     "page"),
])
def test_file_that_is_not_what_its_name_says_is_refused(site, rel, data, told):
    err = refused(site, rel, data)
    assert f"{site.shown(rel)}:1: media: {told}" in err


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n{}\n</svg>'


@pytest.mark.parametrize("inside, line, told", [
    ("<script>fetch('/members/')</script>", 2, "holds a <script> element; ccsite does not clean "
     "SVG files (a cleaner that misses one of SVG's ways to run script would publish it): "
     "export the drawing again as plain SVG without it, or save it as a PNG"),
    ('<rect width="1"\n onload="alert(1)"/>', 2, "has an event handler attribute onload= on <rect>"),
    ('<a xlink:href=" jav&#x09;ascript:alert(1)"><rect/></a>', 2, "has a javascript: address in "
     "href= on <a>"),
    ('<a href="#x"><animate attributeName="href" values="#y"/></a>', 2, "has an animation "
     "(<animate>) that changes a link's address"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>', 2,
     "holds a <foreignObject> element (HTML inside the drawing)"),
    ('<g>\n<html:script xmlns:html="http://www.w3.org/1999/xhtml">x</html:script></g>', 3,
     "holds an HTML element <script>"),
    ('<image href="https://tracker.example/pixel.png"/>', 2, "refers to another file or "
     'address (href="https://tracker.example/pixel.png" on <image>)'),
    ('<use xlink:href="other.svg#shape"/>', 2, 'refers to another file or address '
     '(href="other.svg#shape" on <use>)'),
    ("<style>\n@import url(https://fonts.example/x.css);</style>", 3, "a <style> element refers "
     "to another file (@import url(https://fonts.example/x.css))"),
    ('<rect style="fill: url(https://x.example/p.svg#a)"/>', 2, "the style= of <rect> refers "
     "to another file (url(https://x.example/p.svg#a))"),
    ('<rect fill="url(\'pattern.svg#a\')"/>', 2, "fill= on <rect> refers to another file"),
])
def test_svg_that_could_run_script_or_fetch_another_file_is_refused(site, inside, line, told):
    err = refused(site, "media/drawing.svg", SVG.format(inside).encode())
    assert f"{site.shown('media/drawing.svg')}:{line}: media: {told}" in err


def test_svg_hiding_a_script_in_an_entity_is_refused_before_the_entity_is_read(site):
    drawing = (b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY s "&#60;script&#62;alert(1)'
               b'&#60;/script&#62;">\n]>\n<svg xmlns="http://www.w3.org/2000/svg">&s;</svg>')
    err = refused(site, "media/drawing.svg", drawing)
    assert (f"{site.shown('media/drawing.svg')}:3: media: declares XML entities (<!ENTITY>), "
            "which can hide a script") in err


@pytest.mark.parametrize("data, line, told", [
    (b'<?xml-stylesheet type="text/xsl" href="t.xsl"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
     1, "holds a processing instruction <?xml-stylesheet ...?>"),
    (b"<html><svg/></html>", 1, "is not an SVG image (its first element is not <svg> in the "
     "SVG namespace)"),
    (b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect></svg>', 2, "is not a well-formed SVG "
     "file (mismatched tag); browsers would show an error instead of the image"),
])
def test_svg_that_is_not_a_plain_drawing_is_refused(site, data, line, told):
    err = refused(site, "media/drawing.svg", data)
    assert f"{site.shown('media/drawing.svg')}:{line}: media: {told}" in err


@pytest.mark.parametrize("name, said", [
    ("a\x1b[2Jb.txt", "an invisible character (\\x1b)"),
    ("a\nb.txt", "an invisible character (\\n)"),
    ("x\u202egnp.txt", "an invisible character (\\u202e)"),
    ("why?.txt", "'?'"), ("50%.txt", "'%'"), ("a#b.txt", "'#'"),
])
def test_a_media_file_named_with_what_a_terminal_or_a_web_address_acts_on_is_refused(
        site, name, said):
    """Printed as it was, ESC in a file's name cleared the terminal the message went to,
    and a line break forged a `path:line:` line of its own (a red team's review): the
    name is refused, and the message prints it escaped."""
    site.write(f"media/{name}", "plain text\n")
    result = site.build()
    assert result.status == 1
    assert f": media: '" in result.err and said in result.err
    assert "rename the file with letters, digits, spaces and - _ . ( ) only" in result.err
    assert not any(c in result.err for c in "\x1b\u202e")
    assert [line for line in result.err.splitlines() if ": media: " in line][0].startswith(
        f"{site.content}/media/")

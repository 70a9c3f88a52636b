"""The Markdown converter of bodies.py: Python-Markdown with ccsite's extensions (site
paths made to work under any base_url, headings put under the page's h1), then nh3.

A module of its own, imported when a body is first converted: a build whose bodies are
all in the Markdown cache (a nightly build, a front-matter edit) needs neither library.
"""
from __future__ import annotations

import contextlib
import sys
import xml.etree.ElementTree as etree
from typing import Iterator

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension


@contextlib.contextmanager
def _pygments_unseen() -> Iterator[None]:
    """Python-Markdown's fenced code imports its code highlighter, which imports Pygments
    where it is installed (pytest brings it), and Pygments the entry points of its
    plugins (importlib.metadata): 13 ms of every process that converts a body (measured
    here: 33 ms to import this module, against 21 ms without), for highlighting that
    ccsite never turns on. Without the highlighter's extension a fenced block is the same
    `<pre><code>` whether Pygments is there or not; so while it is imported, Pygments is
    taken as missing, as the highlighter allows (it goes on without it). The highlighter's
    module stays loaded so, without Pygments, for the rest of the process: nothing in
    ccsite uses it, but a program that imports ccsite and then highlights code with
    Python-Markdown itself would get no colours."""
    if "pygments" in sys.modules:  # imported already: costs nothing more
        yield
        return
    sys.modules["pygments"] = None  # type: ignore[assignment]  # (an import of it fails)
    try:
        yield
    finally:
        del sys.modules["pygments"]


with _pygments_unseen():
    from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor


class _FencedCode(FencedCodeExtension):
    """Python-Markdown's fenced code, with each option of a block kept as written. It
    reads those it knows to be on or off (`{ .python linenums="1" }`, `guess_lang=no`)
    as True or False and, with no highlighter, writes them into the block's `<code>` as
    they are, which fails (TypeError: cannot serialize True, Python-Markdown 3.11.4): a
    body holding one ended the build in a traceback (a review's finding). Kept as text,
    they are written as any other option is, and nh3 takes them out of the HTML with
    every other attribute of a `<code>`, so the page is the same."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        super().extendMarkdown(md)
        md.preprocessors["fenced_code_block"].bool_options = []


# Python-Markdown's own extensions, given as objects: named ("tables"), each is looked up
# among every installed package's entry points, 25 ms of each process that converts
EXTENSIONS = [TableExtension, _FencedCode, SaneListExtension, AttrListExtension]
ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"table", "thead", "tbody", "tfoot", "tr", "th", "td",
                                   "caption", "figure", "figcaption"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "th": {"scope", "colspan", "rowspan", "align"}, "td": {"colspan", "rowspan", "align"},
    "img": {"src", "alt", "width", "height", "title"},
    "a": {"href", "title", "hreflang"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class _SitePaths(Treeprocessor):
    def __init__(self, md: markdown.Markdown, base_path: str):
        super().__init__(md)
        self.base_path = base_path

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and value.startswith("/") and not value.startswith("//"):
                    element.set(attribute, self.base_path + value[1:])


class _HeadingLevels(Treeprocessor):
    """A body sits under the page's h1, so its '# Heading' becomes h2 and so on."""

    def run(self, root: etree.Element) -> None:
        levels = sorted({int(e.tag[1]) for e in root.iter() if e.tag in _HEADINGS})
        if not levels or levels[0] >= 2:
            return
        for element in root.iter():
            if element.tag in _HEADINGS:
                element.tag = f"h{min(int(element.tag[1]) + 1, 6)}"


_HEADINGS = {f"h{n}" for n in range(1, 7)}


class _SiteExtension(Extension):
    def __init__(self, base_path: str):
        super().__init__()
        self.base_path = base_path

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_HeadingLevels(md), "ccsite_headings", 6)
        md.treeprocessors.register(_SitePaths(md, self.base_path), "ccsite_paths", 5)


class Converter:
    """One configured Markdown converter: a body's text -> safe HTML."""

    def __init__(self, base_path: str):
        self.md = markdown.Markdown(extensions=[
            *(extension() for extension in EXTENSIONS),
            TocExtension(permalink=False, toc_depth="2-4"),
            _SiteExtension(base_path)], output_format="html")

    def __call__(self, text: str) -> str:
        html = self.md.reset().convert(text)
        return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes=URL_SCHEMES, link_rel=None)

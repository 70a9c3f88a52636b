"""Markdown bodies -> safe HTML, with site paths made to work under any base_url.

Editors write links as site paths (`/centres/oxhey/`, `/media/form.pdf`); a Python-Markdown
tree processor prefixes them with the path of `base_url`, so a site published under
`/children/` still links correctly. Raw HTML in Markdown is then cleaned by nh3 (the Rust
`ammonia` sanitiser): content comes from many hands and must never run script.
"""
from __future__ import annotations

import functools
import hashlib
import re
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from . import __version__, cachefolder
from .workers import map_in_processes, worth_forking

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "attr_list"]
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


class BodyRenderer:
    """One configured Markdown converter for a build, with an optional on-disk cache.

    Converting is the costliest step of a build, and most bodies do not change between
    builds, so results are kept by a hash of the text and of everything that shapes the
    HTML (ccsite's, Markdown's and nh3's versions, the base path). Entries not used by a
    build are dropped when it saves, so the cache never grows beyond the site.
    """

    def __init__(self, base_path: str, cache_file: Path | None = None):
        self.base_path = base_path
        self.cache_file = cache_file
        self._md: markdown.Markdown | None = None
        self._stamp = f"{__version__}|{markdown.__version__}|{nh3_version()}|{base_path}|"
        self._cached: dict[str, str] = _read_cache(cache_file)
        self._used: dict[str, str] = {}
        # each body's key, by its text: a renderer kept by `ccsite serve` hashes a body
        # once, not at every build (a dict finds a text it has seen by its cached hash)
        self._keys: dict[str, str] = {}
        self._keys_before: dict[str, str] = {}

    def start_build(self) -> None:
        """A new build of the same site (`ccsite serve` keeps one renderer): what the last
        build used is the cache now, and this build's use is counted afresh."""
        if self._used:
            self._cached, self._used = self._used, {}
        if self._keys:
            self._keys_before, self._keys = self._keys, {}

    def render(self, text: str) -> str:
        return self._lookup(self._key(text), text)

    def render_many(self, texts: list[str]) -> list[str]:
        """Render many bodies; when enough are not cached, spread them over the machine's
        cores (processes: Markdown is pure Python, so threads would not run in parallel)."""
        keys = [self._key(text) for text in texts]
        missing = sorted({k: t for k, t in zip(keys, texts)
                          if k not in self._used and k not in self._cached}.items())
        workers = worth_forking(len(missing), PARALLEL_FROM)
        if workers:
            chunk = max(16, len(missing) // (workers * 4))
            try:
                converted = map_in_processes(_convert_in_worker, [t for _, t in missing],
                                             workers, chunk, _start_worker, (self.base_path,))
            except (OSError, RuntimeError, ValueError):
                converted = [self._convert(t) for _, t in missing]  # no processes: do it here
            for (key, _), html in zip(missing, converted):
                self._used[key] = html
        return [self._lookup(key, text) for key, text in zip(keys, texts)]

    def _key(self, text: str) -> str:
        key = self._keys.get(text) or self._keys_before.get(text)
        if key is None:
            key = hashlib.sha256((self._stamp + text).encode("utf-8")).hexdigest()
        self._keys[text] = key
        return key

    def _lookup(self, key: str, text: str) -> str:
        html = self._used.get(key) or self._cached.get(key)
        if html is None:
            html = self._convert(text)
        self._used[key] = html
        return html

    def _convert(self, text: str) -> str:
        if self._md is None:
            from markdown.extensions.toc import TocExtension

            self._md = markdown.Markdown(extensions=[
                *EXTENSIONS, TocExtension(permalink=False, toc_depth="2-4"),
                _SiteExtension(self.base_path)], output_format="html")
        html = self._md.reset().convert(text)
        return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes=URL_SCHEMES, link_rel=None)

    def save(self) -> None:
        """Keep this build's conversions for the next build (best effort: it is a cache)."""
        if self.cache_file is None or self._used == self._cached:
            return
        # private to the build user: it holds members bodies (see cachefolder.py); CBOR,
        # as the build memory: a large site's bodies are tens of megabytes, which JSON
        # took 0.2 s to write and 0.08 s to read at 10,000 documents, CBOR a tenth
        cachefolder.write(self.cache_file, CACHE_KIND, CACHE_VERSION, self._used)


CACHE_FILE = "markdown.cbor"  # in the cache folder beside content/
CACHE_KIND, CACHE_VERSION = "markdown bodies", "1"
PARALLEL_FROM = 200  # below this many bodies to convert, starting processes costs more
_worker: "BodyRenderer | None" = None


def _start_worker(base_path: str) -> None:
    global _worker
    _worker = BodyRenderer(base_path)


def _convert_in_worker(text: str) -> str:
    return _worker._convert(text)


def nh3_version() -> str:
    from importlib.metadata import version

    return version("nh3")


def _read_cache(cache_file: Path | None) -> dict[str, str]:
    if cache_file is None:
        return {}
    try:
        data = cachefolder.read(cache_file, CACHE_KIND, CACHE_VERSION)
    except cachefolder.CacheUnreadable:
        return {}  # none, or damaged: start again, it is only a cache
    if type(data) is not dict or not all(type(key) is str and type(html) is str
                                         for key, html in data.items()):
        return {}
    return data


@functools.lru_cache(maxsize=65536)
def plain_text(html: str) -> str:
    """A body's text without its markup, on one line (for search, descriptions, data).
    Kept by its HTML, since the same bodies are asked for at every rebuild."""
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()

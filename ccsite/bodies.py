"""Markdown bodies -> safe HTML, with site paths made to work under any base_url.

Editors write links as site paths (`/centres/oxhey/`, `/media/form.pdf`); a Python-Markdown
tree processor prefixes them with the path of `base_url`, so a site published under
`/children/` still links correctly. Raw HTML in Markdown is then cleaned by nh3 (the Rust
`ammonia` sanitiser): content comes from many hands and must never run script. The
converter itself is in bodies_markdown.py, imported only when a body is not in the cache.
"""
from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from . import __version__, cachefolder
from .workers import map_in_processes, worth_forking


class BodyRenderer:
    """One configured Markdown converter for a build, with an optional on-disk cache.

    Converting is the costliest step of a build, and most bodies do not change between
    builds, so results are kept by a hash of the text and of everything that shapes the
    HTML (ccsite's, Markdown's and nh3's versions, the base path: `stamp`). Entries not
    used by a build are dropped when it saves, so the cache never grows beyond the site.

    A command-line build after an edit has most bodies' HTML already, kept with their
    documents' readings (readings.py): it renders the few others, and the cache (tens of
    megabytes: 0.05 s to read, 0.03 s to write at 10,000 documents) is read only when
    there are more than FEW of them, and then kept whole, not pruned (see `save`).
    """

    FEW = 20  # bodies converted without the cache when the others' HTML was kept

    def __init__(self, base_path: str, cache_file: Path | None = None):
        self.base_path = base_path
        self.cache_file = cache_file
        self._md = None  # made when a body is first converted (see bodies_markdown.py)
        self._stamp = stamp(base_path)
        self._cached: dict[str, str] | None = None if cache_file else {}  # read when needed
        self._used: dict[str, str] = {}
        self._every = True  # did every body of this build come here (see `render_many`)
        # each body's key, by its text: a renderer kept by `ccsite serve` hashes a body
        # once, not at every build (a dict finds a text it has seen by its cached hash)
        self._keys: dict[str, str] = {}
        self._keys_before: dict[str, str] = {}

    def start_build(self) -> None:
        """A new build of the same site (`ccsite serve` keeps one renderer): what the last
        build used is the cache now, and this build's use is counted afresh."""
        if self._used:
            self._cached, self._used = self._kept(), {}
        self._every = True
        if self._keys:
            self._keys_before, self._keys = self._keys, {}

    def render(self, text: str) -> str:
        return self._lookup(self._key(text), text)

    def render_many(self, texts: list[str], every: bool = True) -> list[str]:
        """Render many bodies; when enough are not cached, spread them over the machine's
        cores (processes: Markdown is pure Python, so threads would not run in parallel).
        `every`: are these all the bodies of the build? When not (the others' HTML is
        kept), up to FEW are converted as they are, without reading the cache."""
        self._every = self._every and every
        if not every and self._cached is None and len(texts) <= self.FEW:
            return [self._convert(text) for text in texts]
        keys = [self._key(text) for text in texts]
        cached = self._cache()
        missing = sorted({k: t for k, t in zip(keys, texts)
                          if k not in self._used and k not in cached}.items())
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

    def overgrown(self, bodies: int) -> bool:
        """Does the cache hold many more entries than the site has `bodies`? A build
        whose other bodies' HTML is kept saves it without pruning (see `save`); when it
        has grown so, the build renders every body through it, and it is pruned."""
        return len(self._cache()) > bodies + bodies // 4 + self.FEW

    def _kept(self) -> dict[str, str]:
        """What the next build is to find cached: this build's conversions, and when not
        every body came here (the others' HTML was kept) what the cache held too."""
        return self._used if self._every else {**self._cache(), **self._used}

    def _cache(self) -> dict[str, str]:
        if self._cached is None:
            self._cached = _read_cache(self.cache_file)
        return self._cached

    def _key(self, text: str) -> str:
        key = self._keys.get(text) or self._keys_before.get(text)
        if key is None:
            key = hashlib.sha256((self._stamp + text).encode("utf-8")).hexdigest()
        self._keys[text] = key
        return key

    def _lookup(self, key: str, text: str) -> str:
        html = self._used.get(key) or self._cache().get(key)
        if html is None:
            html = self._convert(text)
        self._used[key] = html
        return html

    def _convert(self, text: str) -> str:
        if self._md is None:
            from .bodies_markdown import Converter

            self._md = Converter(self.base_path)
        return self._md(text)

    def save(self) -> None:
        """Keep this build's conversions for the next build (best effort: it is a cache):
        just those, when every body of the build came here; else (the others' HTML was
        kept) what the cache held as well, and nothing written when it was not read."""
        if self.cache_file is None or self._cached is None:
            return
        kept = self._kept()
        if kept == self._cached:  # (the same values, mostly the very same objects)
            return
        # private to the build user: it holds members bodies (see cachefolder.py); CBOR,
        # as the build memory: a large site's bodies are tens of megabytes, which JSON
        # took 0.11 s to write and 0.08 s to read at 10,000 documents, CBOR a fifth of that
        cachefolder.write(self.cache_file, CACHE_KIND, CACHE_VERSION, kept)


CACHE_FILE = "markdown.cbor"  # in the cache folder beside content/
CACHE_KIND, CACHE_VERSION = "markdown bodies", "1"
PARALLEL_FROM = 200  # below this many bodies to convert, starting processes costs more
_worker: "BodyRenderer | None" = None


def _start_worker(base_path: str) -> None:
    global _worker
    _worker = BodyRenderer(base_path)


def _convert_in_worker(text: str) -> str:
    return _worker._convert(text)


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


def stamp(base_path: str) -> str:
    """Everything that shapes a body's HTML but its text (see BodyRenderer)."""
    return f"{__version__}|{_library_versions()}|{base_path}|"


@functools.cache
def _library_versions() -> str:
    """The versions of Markdown and nh3, which shape every body's HTML, as each library
    gives its own (`__version__`): asking the installed packages' metadata instead
    (importlib.metadata) costs every build 20 ms to import what it needs (email,
    zipfile, csv), where importing Markdown costs less and a body edit needs it anyway."""
    import markdown
    import nh3

    return f"{markdown.__version__}|{nh3.__version__}"


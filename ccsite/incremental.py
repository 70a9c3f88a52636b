"""Incremental builds: every page knows exactly what it was made from.

While a page renders, the Jinja environment records each attribute the template reads
from a content object (`centre.name`, `site.centres`, `site.config.title`...) and each
template file it loads. The next build renders a page again only if one of those values
or templates differs; otherwise the page's previous output is kept as it is (hard-linked,
so its modification time stays). An edited centre thus re-renders its own page, the pages
that show its name or services (its district's listing, its agency's page, the home
page's counts) and nothing else, and a build with no change renders nothing.

Values are compared by an *identity*: a text that is the same exactly when what a
template could print from the value is the same. Content objects inside a value count by
their key (their source file), since reading their own attributes is recorded separately.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import datetime as dt
import hashlib
import itertools
import json
import operator
import os
import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
from jinja2 import meta

from . import __version__, cachefolder
from .buildinfo import INDEX_ROOT, default_templates
from .digests import FileDigests
from .load import document_from_data, document_to_data

STATE_VERSION = 30  # 11: kept as CBOR, not pickle; 12: files known by their bytes; 13: spares;
# 14: kept in parts (see BuildMemory.save); 15: the records of feeds, data files and the
# members search index (made_files), and the leak audit's key and the warnings of each
# document; 16: what pages read, kept once a piece (see _records_data); 17: the search
# index's layout by its shards (news items' and centres'), not by its news items; 18: the
# search index's files, and its folders' stamp; 19: the search index's files by their bytes;
# 20: what each document validated as (readings.py); 21: front matter's nodes as bytes;
# 22: the attributes each page read (PageRecord.attributes); 23: what each file made by code
# read of each content file, by value (PageRecord.own); 24: directory entries by their place;
# 25: an opportunity's updates; 26: what a page read of every field the graph makes from
# other files, site.yaml or the day compared by its value (DERIVED); 27: the code and
# libraries it was made with (`made_with`); 28: the stamp the published calendars carry;
# 29, 30: the leak audit's passages by their parts and without commas or apostrophes
SITE_FILE = "<site.yaml>"  # the settings file, as a whole, for what is made from all of it
FILES_SITE = "<site, as files read it>"  # the site as feeds and data files read it: the
# same object, another key, so that a calendar's DTSTAMP (the build's day) does not count
# as a page showing the time (see quickedit.shows_the_time)

_recording: contextvars.ContextVar["Recorder | None"] = contextvars.ContextVar(
    "ccsite_recording", default=None)


def entity_key(obj: Any) -> str | None:
    """The stable name of a content object across builds, or None for plain values."""
    kind = _ENTITY_KINDS.get(type(obj))
    if kind is None:
        if not _ENTITY_KINDS:
            _learn_entity_kinds()
            return entity_key(obj)
        return None
    return kind(obj)


_ENTITY_KINDS: dict[type, Any] = {}


def _learn_entity_kinds() -> None:
    # imported here, not at the top: graph and model import the render stage's neighbours
    from .graph import MembersSite, Site
    from .model import (Agency, Centre, Consultation, DirectoryEntry, GoodPractice, Lesson,
                        NewsItem, Opportunity, Page, SiteConfig)

    # the attributes are had without asking the object, which may be reporting what is
    # read of it (see `_objects_reporting_reads`)
    own = object.__getattribute__
    for kind in (Agency, Centre, Consultation, GoodPractice, Lesson, NewsItem, Opportunity,
                 Page):
        _ENTITY_KINDS[kind] = lambda obj: own(obj, "source")
    _ENTITY_KINDS[Site] = lambda obj: "<site>"
    _ENTITY_KINDS[MembersSite] = lambda obj: "<members>"
    _ENTITY_KINDS[SiteConfig] = lambda obj: "<config>"
    # a directory entry by its place in its file: not by its name (two members may share
    # one, and an edit of the first was then checked against the second's values)
    _ENTITY_KINDS[DirectoryEntry] = lambda obj: f"{own(obj, 'source')}#{own(obj, 'position')}"


@dataclass
class Recorder:
    """What one render read: (entity key, attribute) pairs and template names."""

    reads: set[tuple[str, str]] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)


class TrackingEnvironment(jinja2.Environment):
    """A Jinja2 environment that tells the current `Recorder` what templates read."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._references: dict[str, frozenset[str]] = {}  # see `referenced`

    def getattr(self, obj: Any, attribute: str) -> Any:
        recorder = _recording.get()
        if recorder is not None:
            key = entity_key(obj)
            if key is not None:
                recorder.reads.add((key, attribute))
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        recorder = _recording.get()
        if recorder is not None and isinstance(argument, str):
            key = entity_key(obj)
            if key is not None:
                recorder.reads.add((key, argument))
        return super().getitem(obj, argument)

    def get_template(self, name, parent=None, globals=None):
        recorder = _recording.get()
        if recorder is not None and isinstance(name, str):
            recorder.templates.add(name)
            # a macro file imported without context is made once a build and kept, so
            # the templates it imports are looked up by the first page only: every page
            # counts them as read whenever it reads the file
            recorder.templates.update(self.referenced(name))
        return super().get_template(name, parent, globals)

    def referenced(self, name: str) -> frozenset[str]:
        """The templates `name` extends, includes or imports by name, and theirs. Each
        is compiled here, as it is about to be used: compiling parses it, and the names
        are had from that parse (see `_parse`), not from a second one."""
        known = self._references
        if name not in known:
            known[name] = frozenset()  # so a template that imports itself ends
            try:
                jinja2.Environment.get_template(self, name)
                direct = named_in(self.loader.get_source(self, name)[0])
            except jinja2.TemplateError:  # not found, or a mistake: told where the
                direct = frozenset()  # template is rendered
            known[name] = direct.union(*(self.referenced(n) for n in direct))
        return known[name]

    def _parse(self, source: str, name: str | None,
               filename: str | None) -> jinja2.nodes.Template:
        """Jinja's parse of a template it compiles, which tells `named_in` the templates
        the text names: parsing it twice cost a routine build a tenth of its render."""
        tree = super()._parse(source, name, filename)
        remember_names(source, _names_in(tree))
        return tree


@contextlib.contextmanager
def _objects_reporting_reads():
    """While Python code (a feed, a calendar, a data file: see `Reuse.make_file`) runs, the
    content objects tell the current `Recorder` each attribute read of them, as the
    tracking environment does for templates. Only while it runs: an attribute read that
    reports costs several times one that does not, and pages read millions."""
    if not _ENTITY_KINDS:
        _learn_entity_kinds()
    kinds = list(_ENTITY_KINDS)
    for kind in kinds:
        kind.__getattribute__ = _reported_read
    try:
        yield
    finally:
        for kind in kinds:
            del kind.__getattribute__


@contextlib.contextmanager
def reads_recorded(recorder: Recorder | None = None) -> Iterator[Recorder]:
    """What the Python code run meanwhile reads of the content objects, told to
    `recorder` (a new one if None): (entity key, attribute) pairs."""
    recorder = Recorder() if recorder is None else recorder
    token = _recording.set(recorder)
    try:
        with _objects_reporting_reads():
            yield recorder
    finally:
        _recording.reset(token)


@contextlib.contextmanager
def reads_told_apart(recorder: Recorder) -> Iterator[Recorder]:
    """Within `reads_recorded`: what the code run meanwhile reads is told to `recorder`
    instead (the site's orders, apart from the rest of its graph: see graph.orders)."""
    token = _recording.set(recorder)
    try:
        yield recorder
    finally:
        _recording.reset(token)


def _reported_read(obj: Any, name: str) -> Any:
    value = object.__getattribute__(obj, name)
    recorder = _recording.get()
    if recorder is not None:
        if name[:2] != "__":  # not the machinery's own (__class__, __dataclass_fields__)
            recorder.reads.add((_ENTITY_KINDS[type(obj)](obj), name))
        elif name == "__dict__":  # every value at once
            recorder.reads.add((_ENTITY_KINDS[type(obj)](obj), WHOLE))
    return value


def named_in(source: str) -> frozenset[str]:
    """The templates a template's text extends, includes or imports by name. Kept by the
    text, since each build (and the preview server's every rebuild) has a new environment
    and parsing the theme again would cost more than some rebuilds; a text compiled (or
    compiled ahead: precompile.py) is known from that parse."""
    found = _NAMED.get(source)
    if found is None and _NAMED_BY_DIGEST:  # kept by the last command-line build
        found = _NAMED_BY_DIGEST.get(digest(source))  # (see templatecode.py)
        if found is not None:
            remember_names(source, found)
    if found is None:
        try:
            found = remember_names(source, _names_in(_PARSER.parse(source)))
        except jinja2.TemplateError:
            return frozenset()  # a mistake: told where the template is rendered
    return found


def remember_names(source: str, names: frozenset[str]) -> frozenset[str]:
    """Keep what `named_in` gives for this text, found from a parse made elsewhere."""
    if len(_NAMED) >= 512:  # texts of templates edited in a long preview session
        _NAMED.clear()
    _NAMED[source] = names
    return names


def remember_names_of_digests(names: dict[str, frozenset[str]]) -> None:
    """What `named_in` gives for the texts of these digests (kept signed between
    command-line builds: templatecode.py)."""
    _NAMED_BY_DIGEST.update(names)


def names_by_digest() -> list[tuple[str, frozenset[str]]]:
    """What `named_in` knows, by the digest of each template's text."""
    known = {digest(source): names for source, names in _NAMED.items()}
    merged = {**_NAMED_BY_DIGEST, **known}
    return sorted((known if len(merged) > 512 else merged).items())  # (texts of old
    # versions pile up as templates are edited: then only those used here are kept)


def _names_in(tree: jinja2.nodes.Template) -> frozenset[str]:
    return frozenset(name for name in meta.find_referenced_templates(tree) if name)


_NAMED: dict[str, frozenset[str]] = {}  # template text -> the templates it names
_NAMED_BY_DIGEST: dict[str, frozenset[str]] = {}  # the same, by the text's digest
_PARSER = jinja2.Environment()  # the theme's syntax is Jinja2's default


def identity(value: Any) -> str:
    """A text equal for two values exactly when a template would print them the same.

    JSON (C-accelerated) does the walking; content objects inside a value stand as their
    key, other dataclasses as their fields, dates as ISO text. A list of content objects
    only (a site's news, a centre's sessions' centres) is spelled out as the same text
    without a call back from JSON for each: a build compares a thousand such lists. One
    content object is its key, as JSON spells it, at once (a members post's agency, a
    centre's: thousands of values a build looks at again)."""
    key = entity_key(value)
    if key is not None:
        return _IDENTITY_JSON.encode(f"<{key}>")
    if type(value) in (list, tuple) and value:
        keys = _entity_keys(value)
        if keys is not None:
            return _IDENTITY_JSON.encode(keys)
    try:
        return _IDENTITY_JSON.encode(value)
    except (TypeError, ValueError):  # e.g. keys of mixed types: never equal, so re-render
        return f"<unique {id(value)} {object()!r}>"


def _entity_keys(values: list | tuple) -> list[str] | None:
    """Each content object's key as `_as_json` gives it, or None unless all are such."""
    if not _ENTITY_KINDS:
        _learn_entity_kinds()
    kinds = _ENTITY_KINDS
    if not set(map(type, values)) <= kinds.keys():
        return None
    return [f"<{kinds[type(value)](value)}>" for value in values]


def context_identity(template: str, url: str, context: dict[str, Any],
                     made_later: list[str]) -> str:
    """The identity of a route's own context: what `identity` gives, but most contexts
    are one content object and some labels, so those are spelled out without JSON."""
    parts = [template, url, *made_later]
    for name in sorted(context):
        value = context[name]
        key = entity_key(value)
        if key is not None:
            parts.append(f"{name}=<{key}>")
        elif isinstance(value, str):
            parts.append(f"{name}={value!r}")
        else:
            parts.append(f"{name}:{identity(value)}")
    return digest("\x00".join(parts))


def _exactly(value: Any) -> Any:
    """`value` as plain data that tells apart every two values code could show apart,
    for `Reuse._values_digest`: `identity` takes a mapping's keys in sorted order and as
    text ({"b": 1, "a": 2} and {"a": 2, "b": 1} are one, and so are {1: x} and {"1": x}),
    where a template walking `extra` shows them in their order. Each plain value is
    tagged with its type (1, 1.0, True and "1" differ); content objects stand as their
    key, other dataclasses as their fields in order."""
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, dict):
        return ["map", [[_exactly(key), _exactly(item)] for key, item in value.items()]]
    if type(value) in (list, tuple):
        return [type(value).__name__, [_exactly(item) for item in value]]
    key = entity_key(value)
    if key is not None:
        return ["entity", key]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ["@" + type(value).__name__,
                [[f.name, _exactly(getattr(value, f.name))] for f in dataclasses.fields(value)]]
    if isinstance(value, (set, frozenset)):  # (no order a build keeps: shown sorted)
        return [type(value).__name__, sorted(json.dumps(_exactly(item)) for item in value)]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return [type(value).__name__, value.isoformat()]
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return [type(value).__name__, repr(value)]
    return _as_json(value)  # (a callable by its name; anything else by its repr)


def _as_json(value: Any) -> Any:
    key = entity_key(value)
    if key is not None:
        return f"<{key}>"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"Decimal({value})"
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if dataclasses.is_dataclass(value):
        return {"@": type(value).__name__,
                **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    if callable(value):
        return f"callable:{getattr(value, '__qualname__', type(value).__name__)}"
    return f"{type(value).__name__}:{value!r}"


# one encoder for every identity (`json.dumps` with these options makes one a call)
_IDENTITY_JSON = json.JSONEncoder(default=_as_json, sort_keys=True, ensure_ascii=False,
                                  separators=(",", ":"))


def digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class PageRecord:
    """What a page was made from last time, and what it came out as."""

    context: str  # digest of the route's own context (ids of entities, plain values)
    reads: frozenset  # the change tokens of what it read (see `Reuse.token`)
    templates: dict[str, str]  # template name -> digest of its source
    output: str  # digest of the rendered text
    bodies: frozenset = frozenset()  # keys of the objects whose body it showed (quickedit.py)
    # the attributes its templates read of any content object ("Centre.summary"), when
    # all are fields of theirs (see `_field_attributes`); None: it may have shown any, or
    # not known (only the preview server, whose quick rebuilds ask, notes them: see
    # quickedit.py). Beyond them, a page shows every value of what it reads whole
    attributes: frozenset | None = None
    # a file made by code (a feed, a calendar, a data file): of each content file whose
    # change token it read (its own file's values), the attributes it read of the object
    # and the digest of their values then, so that an edit of that file that changed none
    # of them leaves it standing (see `Reuse._read_the_same`); None for a page
    own: dict[str, tuple[tuple[str, ...], str]] | None = None


# The templates compiled by this process's builds (see render.CompiledTemplates), kept for
# its later ones, command-line builds included: a process that builds many sites (a test
# run: 1,500 builds) compiled the theme again for each, two thirds of a small site's build.
# A command-line build keeps them for the next, signed (templatecode.py); each is used
# for its very text only (Jinja checks the digest of its source) and its base address.
COMPILED_IN_THIS_PROCESS: dict = {}


@dataclass
class BuildMemory:
    """What one build leaves for the next: kept in memory by `ccsite serve`, and on disk
    (in the cache folder beside content/) between `ccsite build` runs."""

    version: str = f"{__version__}/{STATE_VERSION}"
    made_with: str = ""  # the code and libraries it was made with (uptodate.made_with)
    pages: dict[str, PageRecord] = field(default_factory=dict)  # output path -> record
    made_files: dict[str, PageRecord] = field(default_factory=dict)  # the same, of the
    # files made by Python code (feeds, calendars, data files: see Reuse.make_file)
    leak_key: str | None = None  # what the leak audit's fingerprints were made from...
    leak_against: tuple | None = None  # ...and (their `against`, whether there were any,
    # whether phone numbers were among them): see stages._leak_audit
    own_warnings: dict[str, list] | None = None  # entity key -> the warnings of its own
    # file (see checks.site_warnings), of those that have any; None: not yet known
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # root -> path -> digest
    spares: dict[str, tuple] = field(default_factory=dict)  # root -> what its spare holds
    stamps: dict[str, str] = field(default_factory=dict)  # root -> its write.folder_stamp
    parsed: dict[str, tuple[str, Any]] = field(default_factory=dict)  # file -> (digest, doc)
    readings: dict[str, tuple] = field(default_factory=dict)  # file -> what it validated
    # as, kept as data: (the digest of its bytes, what else it depends on, the reading,
    # its bodies rendered)
    file_digests: dict[str, tuple] = field(default_factory=dict)  # content files, and
    source_digests: dict[str, tuple] = field(default_factory=dict)  # files copied into
    # the output (media, theme assets): see digests.py
    leak_clean: dict[str, str] = field(default_factory=dict)  # file digest -> fingerprints
    audited_against: str | None = None  # the fingerprints the published files passed
    index_audited_against: str | None = None  # ...and the published search index
    feeds_and_data: set[str] = field(default_factory=set)  # paths public_outputs made
    post_fingerprints: dict[str, list] = field(default_factory=dict)  # post text -> prints
    public_mentions: dict = field(default_factory=dict)  # (file, signature) -> names found
    search_stale_pages: set[str] = field(default_factory=set)  # changed since indexed
    search_shards: list[str] | None = None  # the index's shards when it was made (see
    # outputs/search.py): not the counts they were had from, which new limits share out anew
    search_unindexed: set[str] = field(default_factory=set)  # pages the index leaves out
    search_files: dict[str, str] | None = None  # the index's files, as made: path in its
    # folder -> record, as `outputs` keeps a file (see search.index_records)
    index_stamp: str | None = None  # the folder_stamp of their folders in the published site
    link_files: set[str] | None = None  # every output file, when links were last checked
    stamped_on: str | None = None  # the stamp the published calendars carry (see make_file)
    seen_files: dict[str, Any] = field(default_factory=dict)  # entity key -> file signature
    seen_values: dict[tuple[str, str], str] = field(default_factory=dict)  # read -> digest
    seen_templates: dict[str, str | None] = field(default_factory=dict)  # name -> digest
    # kept in memory only (by `ccsite serve`): what each document validated as, the
    # Markdown renderer with its cache of bodies, the leak audit with what it was made of
    read_as: dict = field(default_factory=dict)
    bodies: Any = None
    leak_audit: tuple | None = None
    known_files: Any = None  # load.KnownFiles: the content files the last walk found
    contexts: dict = field(default_factory=dict)  # see Reuse.context_digest
    values: dict = field(default_factory=dict)  # see Reuse._value_identity
    published_paths: dict = field(default_factory=dict)  # folder -> output path -> Path
    last_build: Any = None  # quickedit.LastBuild: the site graph and what made it
    compiled: dict = field(default_factory=lambda: COMPILED_IN_THIS_PROCESS)  # see
    # render.CompiledTemplates: one map for every build of the process
    stored: dict = field(default_factory=dict)  # part -> [(file, what it holds)] as on
    # disk: what `save` compares with, to write only the pieces that changed
    unread: dict = field(default_factory=dict, repr=False)  # part -> (folder, its files):
    # the parts read only when first used (see `Part.lazy` and `__getattr__`)

    @classmethod
    def read(cls, path: Path, first: Callable[["BuildMemory"], None] | None = None,
             made_with: str | None = None) -> "BuildMemory":
        """The memory the last build kept in the cache folder, or a fresh one when there
        is none this version can read (see cachefolder.py): a cold build, never a stop.
        `path` is its table of contents, which names the files of its parts (see
        `save`): a part missing, damaged or not the one named is the same as none.
        `first` is given the memory as its table of contents has it, before its parts
        are read (most of the time taken): what it holds of the published files is
        enough to start looking at them (see pipeline.py). A memory made with other code
        or libraries than `made_with` names (see uptodate.made_with) is none either."""
        try:
            with cachefolder.collector_paused():
                data = cachefolder.read(path, "build memory", cls.version)
                if made_with is not None and data["made_with"] != made_with:
                    return cls(made_with=made_with)
                memory = cls.from_data(data, {name: {} for name in PARTS})
                if first is not None:
                    first(memory)
                kept = _read_parts(path.parent, data["parts"], cls.version)
                for name, shards in kept.items():
                    setattr(memory, name, _merged(shards))
        except cachefolder.CacheUnreadable:
            return cls()
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            return cls()  # the right header on the wrong data: damaged, or planted
        memory.stored = kept
        for name, part in PARTS.items():
            if part.lazy:  # gone from the object: `__getattr__` reads it when asked
                del memory.__dict__[name]
                memory.unread[name] = (path.parent, data["parts"][name])
        return memory

    @classmethod
    def read_table(cls, path: Path) -> "BuildMemory | None":
        """The memory as its table of contents has it, without its parts (what a helper
        needs to look at the published files: see write.start_looking_early); None when
        there is none this version can read."""
        try:
            with cachefolder.collector_paused():
                data = cachefolder.read(path, "build memory", cls.version)
                return cls.from_data(data, {name: {} for name in PARTS})
        except (cachefolder.CacheUnreadable, ValueError, TypeError, KeyError,
                AttributeError, OverflowError):
            return None

    def read_already(self, name: str) -> bool:
        """Has a lazy part been read (or made) in this process? A build that does not
        use it leaves it unread, and so must whatever looks at it afterwards."""
        return name not in self.__dict__.get("unread", {})

    def __getattr__(self, name: str) -> Any:
        """A lazy part (see `Part.lazy`), read from its files when first used (only when
        an attribute is not found: fields in the object's dict never come here). A
        piece missing or damaged reads as none: what such a part holds is a cache of
        work the build can do again."""
        unread = self.__dict__.get("unread")
        if not unread or name not in unread:
            raise AttributeError(name)
        folder, files = unread.pop(name)
        try:
            with cachefolder.collector_paused():
                shards = _read_part(folder, name, PARTS[name], files, self.version)
        except (cachefolder.CacheUnreadable, ValueError, TypeError, KeyError,
                AttributeError, OverflowError):
            shards = []
        value = _merged(shards) if shards else {}
        self.stored[name] = shards
        setattr(self, name, value)
        return value

    def clear(self) -> None:
        """Let go of all it holds, as new (the preview server's memory, which its process
        keeps, after a rebuild from it failed: see pipeline._build_in_memory), but the
        process's compiled templates (COMPILED_IN_THIS_PROCESS), each used for its very
        text only."""
        self.__dict__.clear()
        self.__init__()  # type: ignore[misc]

    def save(self, path: Path) -> bool:
        """Keep the memory in the cache folder: its large maps (by file or page) in parts,
        each of the files or pages whose key falls in it (a stable hash), and the rest
        with a table of contents at `path`. A part is written again only when what it
        holds differs from what was read (a build after one edit rewrites a few of them,
        not the tens of megabytes of a large site's whole memory). A part's file is
        named by the digest of its bytes, so one that changed is a new file, and the
        table of contents, swapped in whole after them, is what makes them the memory:
        a build killed at any moment of saving leaves the old memory or the new one,
        never a mix. Files of parts no table names are removed last. False when it
        could not be kept (the memory on disk, if any, stays the old)."""
        with cachefolder.collector_paused():
            stored = self.save_parts(path.parent)
            if stored is None:
                return False  # a part could not be written
            if not cachefolder.write(path, "build memory", self.version, {
                    **self.to_data(),
                    "parts": {name: [file for file, _ in shards]
                              for name, shards in stored.items()}}):
                return False
        _remove_parts_but(path.parent, {file for shards in stored.values()
                                        for file, _ in shards})
        return True

    def save_parts(self, folder: Path) -> dict[str, list[tuple[str, dict]]] | None:
        """Write into `folder` the pieces of the parts that differ from what was read or
        last written (see `save`), and note them as what is stored: what a later `save`
        compares with, so a part unchanged since is not written again. Done also while
        the search index is made (see stages.py), so that `save` after it has only the
        pieces changed since to write. Until a table of contents names them, the files
        are not the memory (a build stopped meanwhile leaves the old one). None when a
        piece could not be written."""
        stored: dict[str, list[tuple[str, dict]]] = {}
        with cachefolder.collector_paused():
            for name, part in PARTS.items():
                if self.unread.get(name, (None,))[0] == folder:  # never used: its files
                    stored[name] = [(file, None) for file in self.unread[name][1]]  # stay
                    continue  # as they are
                stored[name] = _saved_shards(folder, name, part, getattr(self, name),
                                             self.stored.get(name, ()), self.version)
        if any(shards and shards[0][0] is None for shards in stored.values()):
            return None
        self.stored = stored
        return stored

    # The memory as plain data (no pickle: see cachefolder.py), field by field. What the
    # build looks up by a tuple (a page's reads, a document's key and signature) is kept
    # as a CBOR set or map key, which the decoder gives back as tuples, in C; every value
    # is checked to be of the kind the build uses, so a file of the right layout but
    # wrong values fails here, not in the middle of a build.

    def to_data(self) -> dict:
        """What is kept beside the table of contents: all but the parts (`PARTS`)."""
        return {
            "made_with": self.made_with,
            "made_files": _records_data(self.made_files),
            "leak_key": self.leak_key,
            "leak_against": None if self.leak_against is None else list(self.leak_against),
            "own_warnings": self.own_warnings,
            "outputs": self.outputs,
            "spares": {root: list(held) for root, held in self.spares.items()},
            "stamps": self.stamps,
            "source_digests": FileDigests.to_data(self.source_digests),
            "audited_against": self.audited_against,
            "index_audited_against": self.index_audited_against,
            "feeds_and_data": self.feeds_and_data,
            "search_stale_pages": self.search_stale_pages,
            "search_shards": self.search_shards,
            "search_unindexed": self.search_unindexed,
            "search_files": self.search_files,
            "index_stamp": self.index_stamp,
            "link_files": self.link_files,
            "stamped_on": self.stamped_on,
            "seen_values": self.seen_values,
            "seen_templates": self.seen_templates,
        }

    @classmethod
    def from_data(cls, data: dict, parts: dict[str, Any]) -> "BuildMemory":
        """What `to_data` gave, with the parts as `Part.from_data` read them."""
        if set(parts) != set(PARTS):
            raise ValueError("not the parts of a build memory")
        against = data["leak_against"]
        if against is not None and (type(against) is not list or len(against) != 3):
            raise ValueError("not the leak audit's key")
        own_warnings = data["own_warnings"]
        return cls(
            **parts,
            made_with=_text(data["made_with"]),
            made_files=_records(data["made_files"]),
            leak_key=_text(data["leak_key"], None),
            leak_against=None if against is None else (_text(against[0]),
                                                       _flag(against[1]), _flag(against[2])),
            own_warnings=None if own_warnings is None else {
                key: [(_text(path), _number(line), _text(name), _text(message))
                      for path, line, name, message in rows]
                for key, rows in _texts(own_warnings, list).items()},
            outputs={root: _relative_paths(_texts(files, str))
                     for root, files in _texts(data["outputs"], dict).items()},
            spares={root: (_number(inode), _relative_paths(_texts(files, str)), _text(stamp))
                    for root, (inode, files, stamp) in _texts(data["spares"], list).items()},
            stamps=_texts(data["stamps"], str),
            source_digests=FileDigests.from_data(data["source_digests"]),
            audited_against=_text(data["audited_against"], None),
            index_audited_against=_text(data["index_audited_against"], None),
            feeds_and_data=_texts(data["feeds_and_data"]),
            search_stale_pages=_texts(data["search_stale_pages"]),
            search_shards=None if data["search_shards"] is None else
            [_text(name) for name in _list(data["search_shards"])],
            search_unindexed=_texts(data["search_unindexed"]),
            search_files=None if data["search_files"] is None else
            _relative_paths(_texts(data["search_files"], str)),
            index_stamp=_text(data["index_stamp"], None),
            link_files=None if data["link_files"] is None else _texts(data["link_files"]),
            stamped_on=_text(data["stamped_on"], None),
            seen_values={(_text(key), _text(attribute)): _text(value)
                         for (key, attribute), value in data["seen_values"].items()},
            seen_templates=_texts(data["seen_templates"], (str, type(None))))

    def published(self) -> dict[str, dict[str, str]]:
        """Each published folder's files as the last build recorded them: the roots'
        (`outputs`), and the search index's (`search_files`, as the folder INDEX_ROOT)."""
        if self.search_files is None:
            return self.outputs
        return {**self.outputs, INDEX_ROOT: self.search_files}

    @classmethod
    def kept_fields(cls) -> list[str]:
        """The fields a build keeps on disk for the next one."""
        return [*cls().to_data(), *PARTS]


def _records_data(records: dict[str, PageRecord]) -> list:
    """Page records as [what they read, {page: its record}], each page's reads by their
    place in the first list. The same few thousand change tokens (a content file, a
    setting) are read by thousands of pages: kept once a piece, they are decoded once
    and shared. Kept once a page (300,000 of them at 10,000 documents), the records
    took 0.11 s to read and 49 MB to hold; now 0.05 s and 28 MB."""
    tokens: dict = {}
    attribute_sets: dict = {}  # (the pages of a template read the same few, mostly)
    own_names: dict = {}  # (a data file reads the same fields of every centre)
    rows = {path: [r.context, [tokens.setdefault(token, len(tokens)) for token in r.reads],
                   r.templates, r.output, r.bodies,
                   None if r.attributes is None else
                   attribute_sets.setdefault(r.attributes, len(attribute_sets)),
                   None if r.own is None else
                   {key: [own_names.setdefault(names, len(own_names)), value]
                    for key, (names, value) in r.own.items()}]
            for path, r in records.items()}
    return [list(tokens), rows, [sorted(names) for names in attribute_sets],
            [list(names) for names in own_names]]


def _records(data: Any) -> dict[str, PageRecord]:
    if type(data) is not list or len(data) != 4 or type(data[0]) is not list:
        raise ValueError("not page records")
    tokens = [tuple(token) if type(token) is list else token for token in data[0]]
    attribute_sets = [frozenset(_texts(names)) for names in _list(data[2])]
    own_names = [tuple(names) for names in _all_texts(_list(data[3]))]
    token_at = tokens.__getitem__
    template_maps: dict = {}  # the pages of a template name the same few: each map is
    # checked once, and one copy is kept (as a build's own records share them)
    records = {}
    for path, (context, reads, templates, output, bodies, attributes, own) in \
            _texts(data[1], list).items():
        try:  # (a place that is not a number is a TypeError, which reads as no memory)
            read = frozenset(map(token_at, _list(reads)))
            names = None if attributes is None else attribute_sets[attributes]
            own = None if own is None else {
                key: (own_names[_number(place)], _text(value))
                for key, (place, value) in _texts(own, list).items()}
        except IndexError:
            raise ValueError("a page read what the record does not name") from None
        named = tuple(_dict(templates).items())  # (an unhashable value: a TypeError)
        shared = template_maps.get(named)
        if shared is None:
            shared = template_maps[named] = _texts(templates, (str, type(None)))
        records[path] = PageRecord(context=_text(context), reads=read, templates=shared,
                                   output=_text(output), bodies=_NONE if type(bodies) is list
                                   and not bodies else frozenset(_texts(bodies)),
                                   attributes=names, own=own)
    return records


_NONE: frozenset = frozenset()


@dataclass(frozen=True)
class Part:
    """A map of the build memory kept in parts (see `BuildMemory.save`): how a piece of
    it (some of its keys) is written as plain data and read back."""

    to_data: Callable[[dict], Any]
    from_data: Callable[[Any], dict]  # ValueError for anything else
    lazy: bool = False  # read only when first used: a part that most builds do not use


def _parsed_from_data(data: Any) -> dict[str, tuple[str | None, Any]]:
    if type(data) is not dict:
        raise ValueError("not parsed documents")
    return {_text(path): (_signature(signature), document_from_data(document))
            for (path, signature), document in data.items()}


def _readings_from_data(data: Any) -> dict[str, tuple]:
    return {_text(path): (_text(file), _text(key), reading, html)
            for path, (file, key, reading, html) in _texts(data, list).items()}


def _fingerprints_from_data(data: Any) -> dict[str, list]:
    from .audit import Fingerprint  # here: audit imports the render stage, which
    # imports this module
    return {key: list(map(Fingerprint._make, _all_texts(prints)))
            for key, prints in _texts(data, list).items()}


def _mentions_from_data(data: Any) -> dict:
    if type(data) is not dict:
        raise ValueError("not mentions")
    return {key: (_text(against), frozenset(_texts(found)))
            for key, (against, found) in data.items()}


def _seen_files_from_data(data: Any) -> dict[str, tuple]:
    return {_text(key): (_signature(file), _signature(settings))
            for key, file, settings in _set(data)}


PARTS: dict[str, Part] = {  # field of BuildMemory -> how its pieces are kept
    "pages": Part(_records_data, _records),
    "parsed": Part(lambda parsed: {(path, signature): document_to_data(document)
                                   for path, (signature, document) in parsed.items()},
                   _parsed_from_data),
    "readings": Part(lambda kept: {path: list(entry) for path, entry in kept.items()},
                     _readings_from_data),  # (each reading checked as it is used: readings.py)
    "file_digests": Part(FileDigests.to_data, FileDigests.from_data),
    "leak_clean": Part(lambda clean: clean, lambda data: _texts(data, str)),
    "post_fingerprints": Part(lambda prints: prints, _fingerprints_from_data,  # lists of
                              lazy=True),  # (made only when the leak audit's are remade)
    "public_mentions": Part(lambda mentions: mentions, _mentions_from_data),  # (text,
    "seen_files": Part(lambda seen: {(key, *signature) for key, signature in seen.items()},
                       _seen_files_from_data),  # source, what)
}
PART_FILE = "build-memory-part"  # the start of a part's file name
_PART_NAME = re.compile(r"build-memory-part\.[a-z_]+\.[0-9]+\.[0-9a-f]{32}\.cbor")
KEYS_PER_SHARD = 256  # a part's pieces hold about this many keys or more (up to twice)


def _shard_count(keys: int) -> int:
    """How many pieces a map of so many keys is kept in: a power of two, so that it
    changes (and every piece is written again) only when the map doubles or halves."""
    return 1 << max(0, (keys // KEYS_PER_SHARD).bit_length() - 1)


def _shard_of(key: Any, count: int) -> int:
    """The piece a key is kept in: a hash of its text (of a file's path, for a key of
    (file, signature)) that is the same in every process, as Python's own is not."""
    while type(key) is tuple and key:
        key = key[0]
    text = key if type(key) is str else repr(key)
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % count


def _split(values: dict, count: int, stored: list[tuple[str, dict]] = ()) -> list[dict]:
    """`values` in `count` pieces, each key in the one `_shard_of` names. Given the pieces
    as read (`stored`, as many), a key read from one stays in it, and only the keys new
    since are hashed: a one-edit build hashed 82,000 keys to place a few (0.04 s at
    10,000 documents)."""
    if count == 1:
        return [dict(values)]
    if len(stored) == count and all(piece is not None for _, piece in stored):
        shards, placed = [], set()
        for _, piece in stored:  # (a key in two pieces, planted, is kept in the first)
            shards.append({key: values[key] for key in piece
                           if key in values and key not in placed})
            placed.update(piece)
        for key in [key for key in values if key not in placed]:
            shards[_shard_of(key, count)][key] = values[key]
        return shards
    shards = [{} for _ in range(count)]
    for key, value in values.items():
        shards[_shard_of(key, count)][key] = value
    return shards


def _merged(shards: list[tuple[str, dict]]) -> dict:
    if len(shards) == 1:
        return dict(shards[0][1])  # not the piece itself: that is compared at `save`
    merged: dict = {}
    for _, values in shards:
        merged.update(values)
    return merged


def _part_kind(name: str, index: int, count: int) -> str:
    """A part's header says which piece of which map it is, so that a file named where
    another belongs (moved, planted) does not read as it."""
    return f"build memory: {name} {index + 1} of {count}"


def _read_parts(folder: Path, files: Any, version: str) -> dict[str, list[tuple[str, dict]]]:
    """Each part's pieces as (file name, what it holds), as the table of contents names
    them; CacheUnreadable or ValueError when one is not there or not that piece. A lazy
    part's files are only named here (see `BuildMemory.__getattr__`)."""
    if type(files) is not dict or set(files) != set(PARTS):
        raise ValueError("not the parts of a build memory")
    kept = {}
    for name, part in PARTS.items():
        names = files[name]
        if type(names) is not list or not names or \
                not all(type(n) is str and _PART_NAME.fullmatch(n) for n in names):
            raise ValueError("not the files of a part")
        if not part.lazy:
            kept[name] = _read_part(folder, name, part, names, version)
    return kept


def _read_part(folder: Path, name: str, part: Part, names: list[str],
               version: str) -> list[tuple[str, dict]]:
    return [(file, part.from_data(cachefolder.read(
        folder / file, _part_kind(name, index, len(names)), version)))
        for index, file in enumerate(names)]


def _saved_shards(folder: Path, name: str, part: Part, values: dict,
                  stored: list[tuple[str, dict]], version: str) -> list[tuple[str | None, dict]]:
    """`values` in pieces, each kept in the file it was read from when it holds the very
    same and is there (the memory may be saved to another folder, and a build that
    shares the folder may have removed it: a file of that name holds those very bytes,
    as it is named by their digest), else in a new file; (None, ...) first when one
    could not be written."""
    count = _shard_count(len(values))
    if _holds_the_same(folder, stored, values, count):
        return list(stored)
    shards = []
    for index, piece in enumerate(_split(values, count, stored)):
        if len(stored) == count and stored[index][1] == piece and \
                os.path.isfile(folder / stored[index][0]):
            shards.append((stored[index][0], piece))
            continue
        data = cachefolder.encode(_part_kind(name, index, count), version, part.to_data(piece))
        file = f"{PART_FILE}.{name}.{index}.{digest(data)}.cbor"
        if not cachefolder.write_bytes(folder / file, data):
            return [(None, {})]
        shards.append((file, piece))
    return shards


def _holds_the_same(folder: Path, stored: list[tuple[str, dict]], values: dict,
                    count: int) -> bool:
    """Do the pieces read hold just `values` (the same keys, the very same or equal
    values), in as many files as `values` needs, each still there? Then none is written
    again, and `values` need not be split to be compared piece by piece (a key's piece
    is a hash of its text: 72,000 of them at 10,000 documents, for a nightly build that
    changed none); the comparison of the whole is done in C."""
    if len(stored) != count or any(piece is None for _, piece in stored) or \
            sum(len(piece) for _, piece in stored) != len(values):
        return False
    return _merged(stored) == values and \
        all(os.path.isfile(folder / file) for file, _ in stored)


def _remove_parts_but(folder: Path, kept: set[str]) -> None:
    """Remove the files of parts no longer named (and any a killed build left half
    written); best effort, as the table of contents no longer names them."""
    try:
        with os.scandir(folder) as entries:
            stale = [entry.path for entry in entries
                     if entry.name.startswith(PART_FILE + ".") and entry.name not in kept]
    except OSError:
        return
    for path in stale:
        try:
            os.unlink(path)
        except OSError:
            pass


def _text(value: Any, *also: Any) -> str:
    if type(value) is not str and value not in also:
        raise ValueError("not text")
    return value


def _list(value: Any) -> list:
    if type(value) is not list:
        raise ValueError("not a list")
    return value


def _dict(value: Any) -> dict:
    if type(value) is not dict:
        raise ValueError("not a mapping")
    return value


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError("not true or false")
    return value


def _number(value: Any) -> int | None:
    if value is not None and type(value) is not int:
        raise ValueError("not a number")
    return value


def _set(value: Any) -> set:
    if type(value) not in (set, frozenset):
        raise ValueError("not a set")
    return value


# a path that leaves the folder it is in, or names no file: "/x", "a/../b", "a//b", "a/"
# what no path inside a folder holds, among paths each on a line of its own: one that
# starts or ends with "/", is empty, holds "//", "." or ".." as a part, or a NUL
_NOT_RELATIVE = ("\n/", "/\n", "\n\n", "//", "\x00", "/./", "/../", "\n./", "\n../",
                 "/.\n", "/..\n", "\n.\n", "\n..\n")


def _relative_paths(files: dict[str, Any]) -> dict[str, Any]:
    """`files` (output path -> record), if every path names a file inside its folder;
    ValueError otherwise. A memory from a restored cache names the files a build reads,
    links and removes: "../../content/site.yaml" would have it remove a file anywhere.
    (Looked for as plain text: a regular expression took 0.03 s at 10,000 documents.)"""
    if files:
        lines = "\n" + "\n".join(files) + "\n"
        if any(part in lines for part in _NOT_RELATIVE):
            raise ValueError("not relative paths")
    return files


def _texts(values: Any, of: type | tuple | None = None) -> Any:
    """The set of texts `values` holds (`of` None), or `values` itself when it is a map
    of texts to values of type `of`; ValueError otherwise. Checked in C: these hold
    every page."""
    if of is None:
        if type(values) not in (set, frozenset, list) or \
                not all(map(str.__instancecheck__, values)):
            raise ValueError("not texts")
        return set(values)
    if type(values) is not dict or not all(map(str.__instancecheck__, values)) or \
            not all(isinstance(value, of) for value in values.values()):
        raise ValueError("not a map of texts")
    return values


def _all_texts(rows: list) -> list:
    """`rows` when each is a list of texts (checked in C); ValueError otherwise."""
    if not all(map(list.__instancecheck__, rows)) or \
            not all(map(str.__instancecheck__, itertools.chain.from_iterable(rows))):
        raise ValueError("not rows of texts")
    return rows


def _signature(value: Any) -> str | None:
    """A file's signature (the digest of its bytes, see load.py), or None for none."""
    if value is not None and type(value) is not str:
        raise ValueError("not a file signature")
    return value


WHOLE = "*"  # an attribute name standing for every value of an object



def _made_from_others() -> frozenset[str]:
    """The attributes a content object gets from *other* files, site.yaml or the build's
    `now` (the fields model.py declares `derived`, but for those made from its own file
    alone): a page that read one is compared by its value, as it may change while the
    object's file does not (a closure of a centre's that has passed, from one day to the
    next; the name site.yaml gives a service). All the others are fixed by its own file
    (and site.yaml, for the base path of `html` and `url`)."""
    from . import model

    return frozenset(
        f.name for kind in vars(model).values()
        if isinstance(kind, type) and dataclasses.is_dataclass(kind)
        for f in dataclasses.fields(kind)
        if f.metadata.get("derived") and not f.metadata.get("own"))


DERIVED = _made_from_others()
BODY_ATTRIBUTES = {"body", "html", "about", "about_html"}


@functools.cache
def _field_attributes() -> frozenset[str]:
    """The fields of content objects (and of the site's): a page that read only these
    showed just them. Anything else it read (WHOLE, `__dict__`, a method, which may read
    any field unseen) counts as showing every value of the object."""
    _learn_entity_kinds()
    return frozenset(f.name for kind in _ENTITY_KINDS if dataclasses.is_dataclass(kind)
                     for f in dataclasses.fields(kind))


@functools.cache
def _not_body_attributes() -> frozenset[str]:
    """The attributes of content objects that say nothing of their bodies: a page that
    read only these of an object did not show its body."""
    return _field_attributes() - BODY_ATTRIBUTES


def _attributes_read(reads: set[tuple[str, str]], objects: dict[str, Any]
                     ) -> frozenset | None:
    """`PageRecord.attributes` of a page that read these (key, attribute) pairs of the
    `objects` (by key): each as "Kind.attribute" (an opportunity's summary is not a
    centre's)."""
    if not {attribute for _, attribute in reads} <= _field_attributes():
        return None
    return frozenset(attribute_name(objects.get(key), attribute) for key, attribute in reads)


@functools.cache
def _theme_folder() -> str:
    """ccsite's own theme folder, resolved, with a trailing separator (see
    Reuse._attributes_known); once a process, not once a page."""
    return os.path.join(os.path.realpath(default_templates()), "")


def attribute_name(obj: Any, attribute: str) -> str:
    """How `PageRecord.attributes` names an attribute of an object."""
    return f"{type(obj).__name__}.{attribute}"


class Reuse:
    """Decides, page by page, whether last build's output still stands.

    What a page read is kept as *change tokens*: an attribute a content object has from
    its own file is unchanged when the file is (same signature: see load.py), so its token
    is the object's key; derived attributes and the site's own (lists, counts) are compared
    by value, so their token is the (key, attribute) pair. Once per build, the tokens that
    changed since the last build are found (a signature compare per file, a value compare
    per derived read); a page then stands when it read none of them, a set test, so a
    rebuild costs in proportion to what changed, not to the number of pages.
    """

    def __init__(self, env: jinja2.Environment, memory: BuildMemory, objects: dict[str, Any],
                 file_signatures: dict[str, Any] | None = None, changed: set | None = None,
                 remembers: bool = True):
        """`changed`: the tokens known to have changed since the last build (quickedit.py),
        instead of finding them; the memos of values and contexts are then added to, as
        such a build looks at a few pages only. Without `remembers` (a command-line build,
        the last of its process), no memo is made: at 10,000 documents, making one for
        every route cost 0.02 s that no later build would win back; nor are the
        attributes each page read noted (`PageRecord.attributes`: for quick rebuilds)."""
        self.remembers = remembers
        self.env = env
        self.memory = memory
        self.objects = objects  # entity key -> object in this build's graph
        self.files = file_signatures or {}  # content file -> signature of its bytes
        self._values: dict[tuple[str, str], str | None] = {}
        self._templates: dict[str, str | None] = {}
        self._sources: dict[str, tuple[str, str] | None] = {}  # see `_source`
        self._of_the_theme: dict[str, bool] = {}  # see `_attributes_known`
        self.rendered: list[str] = []  # output paths rendered (not reused) by this build
        self.made: list[str] = []  # ...and files made (see `make_file`)
        self.stood: set[str] = set()  # ...and those of the last build that stand
        self.seen_before = memory.seen_files  # the entity keys the last build had, and
        # their files (`commit` gives the memory this build's)
        self._value_memo: dict = memory.values if changed is not None else {}
        memory.values, self._known_values = self._value_memo, memory.values
        self.changed = changed if changed is not None else self._changed_since_last_build()
        # every page's record names templates as they were at the last build (a page that
        # read one that changed was made again then), so while none has changed since, no
        # page's templates need looking at
        self.templates_unchanged = bool(memory.seen_templates) and all(
            self.template_digest(name) == was for name, was in memory.seen_templates.items())
        self._contexts: dict = memory.contexts if changed is not None else {}  # the same,
        memory.contexts, self._known_contexts = self._contexts, memory.contexts  # for routes

    def context_digest(self, template: str, url: str, context: dict[str, Any],
                       made_later: Any = ()) -> str:
        """`context_identity`, remembered between the preview server's builds for a route
        whose context is made of the same values as last time (see `_same`). Asked of
        every page at every build: one flat tuple says it all (the count of names first,
        so no two shapes of context give the same tuple)."""
        if not self.remembers:
            return context_identity(template, url, context, sorted(made_later))
        return _remembered(
            self._known_contexts, self._contexts, url,
            (template, len(context), *context, *made_later, *context.values()),
            lambda: context_identity(template, url, context, sorted(made_later)))

    def token(self, key: str, attribute: str) -> str | tuple[str, str]:
        if attribute not in DERIVED and key in self.files and key in self.objects:
            return key
        return (key, attribute)  # WHOLE included: then compared by the whole object

    def _changed_since_last_build(self) -> set:
        seen = self.memory.seen_files
        # set operations on the dicts' views: done in C, as there is a key per content file
        changed: set = {key for key, _ in seen.items() - self.files.items()}
        changed.update(seen.keys() - self.objects.keys())
        changed.update(pair for pair, was in self.memory.seen_values.items()
                       if self.value_digest(*pair) != was)
        return changed

    def value_digest(self, key: str, attribute: str) -> str | None:
        pair = (key, attribute)
        if pair not in self._values:
            obj = self.objects.get(key)
            self._values[pair] = None if obj is None else \
                self._value_identity(pair, self._value_of(obj, attribute))
        return self._values[pair]

    def _value_of(self, obj: Any, attribute: str) -> Any:
        """An attribute's value as a template reads it (every field for WHOLE), or a
        marker for one that could not be read."""
        try:
            value = _fields(obj) if attribute == WHOLE else self.env.getattr(obj, attribute)
        except Exception:
            return "<missing>"
        return "<undefined>" if isinstance(value, jinja2.Undefined) else value

    def _value_identity(self, pair: tuple[str, str], value: Any) -> str:
        """The digest of a value's identity. The preview server keeps each value read
        with its digest: a list of the very same content objects and texts as last time
        (site.news, an agency's centres) has the same identity, found without walking it
        through JSON (see `_same` for other values)."""
        if not self.remembers:
            return digest(identity(value))
        return _remembered(self._known_values, self._value_memo, pair, value,
                           lambda: digest(identity(value)))

    def _attributes_known(self, templates: set[str]) -> bool:
        """Do the attributes these templates read tell every field they show? Only for
        ccsite's own theme, whose templates read each field through Jinja (tested:
        tests/test_incremental.py). A council's own template may show one in ways Jinja
        does not see (`'{0.summary}'.format(centre)`, `centre|pprint`), so a page made
        with one may have shown any field of what it read."""
        for name in templates:
            if name not in self._of_the_theme:
                found = self._source(name)
                self._of_the_theme[name] = found is not None and bool(found[1]) and \
                    os.path.realpath(found[1]).startswith(_theme_folder())
            if not self._of_the_theme[name]:
                return False
        return True

    def template_digest(self, name: str) -> str | None:
        if name not in self._templates:
            found = self._source(name)
            self._templates[name] = None if found is None else digest(found[0])
        return self._templates[name]

    def _source(self, name: str) -> tuple[str, str] | None:
        """A template's (source, file) as the loader finds it, once a build: both its
        digest and whether it is the theme's are asked of it; None when there is none."""
        if name not in self._sources:
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)
                self._sources[name] = (source, filename or "")
            except jinja2.TemplateNotFound:
                self._sources[name] = None
        return self._sources[name]

    def still_good(self, output_path: str, context_digest: str) -> bool:
        return self._stands(self.memory.pages.get(output_path), context_digest)

    def unchanged(self, key: str) -> bool:
        """Is this entity's own file as it was at the last build (which had it)?"""
        return key in self.seen_before and key not in self.changed and key in self.files

    def _stands(self, record: PageRecord | None, context_digest: str,
                made_by_code: bool = False) -> bool:
        if record is None or record.context != context_digest:
            return False
        if not self.templates_unchanged:
            for name, was in record.templates.items():
                if self.template_digest(name) != was:
                    return False
        return self.changed.isdisjoint(record.reads) or \
            made_by_code and self._read_the_same(record)

    def _read_the_same(self, record: PageRecord) -> bool:
        """Did a file made by code read, of each content file changed since it was made,
        the very values it read then (`PageRecord.own`)? Its change token names the file
        as a whole, as a page's does; but a data file reads a few fields of every centre,
        so a centre's summary edited made the programme's calendar (its name, opening
        date and address) again: 0.1 s at 10,000 documents, and as much for the map and
        the CSV. Values, not names, are compared: the graph's own (a centre's address,
        made from its slug) change with the fields they are made from, and all that Python
        code reads of an object is reported, however it reads it (see
        `_objects_reporting_reads`). Any other change it read fails it."""
        if record.own is None:
            return False
        for token in self.changed.intersection(record.reads):
            was = record.own.get(token) if type(token) is str else None
            if was is None or self._values_digest(token, was[0]) != was[1]:
                return False
        return True

    def _own_values(self, reads: list[tuple[str, str]]
                    ) -> dict[str, tuple[tuple[str, ...], str]]:
        """`PageRecord.own` of a file made by code that read these (key, attribute) pairs:
        of each object whose change token is its key, the attributes read and the digest
        of their values now."""
        names: dict[str, set[str]] = {}
        for key, attribute in reads:
            if self.token(key, attribute) == key:
                names.setdefault(key, set()).add(attribute)
        own = {}
        for key, read in names.items():
            ordered = tuple(sorted(read))
            value = self._values_digest(key, ordered)
            if value is not None:
                own[key] = (ordered, value)
        return own

    def _values_digest(self, key: str, names: tuple[str, ...]) -> str | None:
        """The digest of these attributes' values of the object `key` names in this build
        (as `value_digest` reads them); None when it has none."""
        obj = self.objects.get(key)
        if obj is None:
            return None
        try:
            return digest(json.dumps(_exactly([self._value_of(obj, name) for name in names]),
                                     ensure_ascii=False))
        except Exception:  # (a value that cannot be spelled out: never the same)
            return None

    def render(self, template: jinja2.Template, variables: dict[str, Any],
               context_digest: str, output_path: str, root_template: str,
               also_read: list[str] = ()) -> str:
        """Render, recording what the page read; `also_read` names content files (or
        SITE_FILE) whose every value the page may show, beyond what the templates read."""
        recorder = Recorder(templates={root_template},
                            reads={(key, WHOLE) for key in also_read})
        token = _recording.set(recorder)
        try:
            text = template.render(**variables)
        finally:
            _recording.reset(token)
        tokens = self._tokens(recorder.reads)
        # (what a page of the theme read says what it showed; a council's template may
        # show a body or field unseen: see `_attributes_known`)
        known = self._attributes_known(recorder.templates)
        self.memory.pages[output_path] = PageRecord(
            context=context_digest, reads=tokens,
            templates={name: self.template_digest(name) for name in recorder.templates},
            output=digest(text),
            bodies=frozenset(key for key, attribute in recorder.reads
                             if not known or attribute not in _not_body_attributes()),
            attributes=_attributes_read(recorder.reads - {(key, WHOLE) for key in also_read},
                                        self.objects) if self.remembers and known else None)
        self.rendered.append(output_path)
        return text

    def _tokens(self, reads) -> frozenset:
        """The change tokens of what a page or file read, each value's digest known now
        (for `commit`)."""
        tokens = frozenset(self.token(*pair) for pair in reads)
        for read in tokens:
            if isinstance(read, tuple):
                self.value_digest(*read)
        return tokens

    def make_file(self, output_path: str, make: Callable[[], str | bytes | Path],
                  previous: Callable[[str], Path | None], context: str = "",
                  restamp: Callable[[str], str] | None = None,
                  stamp: str | None = None) -> str | bytes | Path:
        """A file made by Python code from the site graph (a feed, a calendar, a data
        file): the last build's (`previous`) while nothing it read has changed, else made
        now, recording what it reads of the content objects as a page's render does (see
        `_objects_reporting_reads`). `context`: the plain values it is given beyond the
        content objects it reads, as a text that differs when they do. `make` may give
        the file put in the build's stage (write.StagedFile). `restamp`: for a
        file that reads the build's time only to stamp itself, the last build's text made
        this build's (its reading of the time is then not recorded); `stamp`, what it
        stamps with: the last build's file is not even read when that is the stamp the
        published ones carry (`BuildMemory.stamped_on`: a build of the same day read
        every centre's calendar, 330 files at 10,000 documents, to find it the same)."""
        context = f"{context}\x00restamped" if restamp else context
        record = self.memory.made_files.get(output_path)
        if self._stands(record, context, made_by_code=True):
            published = previous(output_path)
            if published is not None:
                self.stood.add(output_path)
            if published is not None and restamp is not None and \
                    (stamp is None or stamp != self.memory.stamped_on):
                text = published.read_bytes().decode("utf-8")  # its line ends as they are
                stamped = restamp(text)
                return published if stamped == text else stamped
            if published is not None:
                return published
        with reads_recorded() as recorder:
            made = make()
        reads = [(FILES_SITE if key == "<site>" else key, attribute)
                 for key, attribute in recorder.reads
                 if not (restamp and key == "<site>" and attribute == "now")]
        self.memory.made_files[output_path] = PageRecord(
            context=context, reads=self._tokens(reads),
            templates={name: self.template_digest(name) for name in recorder.templates},
            output=made.digest if isinstance(made, Path) else digest(made),  # (a file
            own=self._own_values(reads))  # put in the stage: write.StagedFile)
        self.made.append(output_path)
        return made

    def handover(self, output_path: str) -> tuple[PageRecord, dict]:
        """In a worker process: the record of a page it rendered, with the values of what
        it read, for the build's own process to `adopt`."""
        record = self.memory.pages[output_path]
        return record, {read: self._values[read] for read in record.reads
                        if isinstance(read, tuple)}

    def adopt(self, output_path: str, record: PageRecord, values: dict) -> None:
        self.memory.pages[output_path] = record
        self._values.update(values)
        for name, was in record.templates.items():
            self._templates.setdefault(name, was)
        self.rendered.append(output_path)

    def commit(self) -> None:
        """The build succeeded: what it read is what the next build compares with. A file
        made by code that read something changed, yet was not made by this build (the
        preview server's quick rebuild makes pages only), is left without a record, so the
        next build makes it."""
        made = set(self.made) | self.stood
        for path, record in list(self.memory.made_files.items()):
            if path not in made and (not self.changed.isdisjoint(record.reads) or (
                    not self.templates_unchanged and any(
                        self.template_digest(name) != was
                        for name, was in record.templates.items()))):
                del self.memory.made_files[path]
        self.memory.seen_files = {key: signature for key, signature in self.files.items()
                                  if key in self.objects}
        self.memory.seen_values.update(
            (pair, value) for pair, value in self._values.items() if value is not None)
        for pair in [p for p, v in self._values.items() if v is None]:
            self.memory.seen_values.pop(pair, None)
        # missing ones too (None), or a page that looked for one (`ignore missing`) would
        # not see it appear
        self.memory.seen_templates.update(self._templates)

    def forget(self) -> None:
        """The build failed: pages it rendered were not published, so their records (made
        from inputs the published files do not show) must not vouch for them."""
        for output_path in self.rendered:
            self.memory.pages.pop(output_path, None)
        for output_path in self.made:
            self.memory.made_files.pop(output_path, None)


def _remembered(known: dict, now: dict, key: Any, value: Any,
                make: Callable[[], str]) -> str:
    """The digest `make()` gives for `value`, taken from the last build's `known` when the
    value there under `key` was the same (see `_same`); kept in `now` for the next."""
    was = known.get(key)
    if was is not None and ((was[2] and _same_items(was[0], value)) or _same(was[0], value)):
        now[key] = was
        return was[1]
    made = make()
    now[key] = (value, made, _of_stable_items(value))
    return made


def _same(a: Any, b: Any) -> bool:
    """True only if `identity` is bound to give the two values the same text: content
    objects with the same key (a content object counts by its key only), equal texts and
    numbers, and lists, tuples and frozen dataclasses made of such values (two lists, not
    one: a list changed in place since would look the same). Anything else (mutable
    objects, dicts) is never taken as the same: its identity is made again."""
    if type(a) is not type(b):
        return False
    key = entity_key(a)
    if key is not None:
        return key == entity_key(b)
    if isinstance(a, (str, int)) or type(a) is dt.date:  # not datetimes: equal ones
        return a == b                                    # in two zones print apart
    if isinstance(a, (tuple, list)):
        if a is b and type(a) is list:
            return False  # one list kept and changed in place would look the same
        if len(a) != len(b):
            return False
        if all(map(operator.is_, a, b)) and _of_stable_items(a):
            return True  # the very same objects and texts (a news page's items): in C
        return all(_same(x, y) for x, y in zip(a, b))
    params = getattr(a, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return all(_same(getattr(a, name), getattr(b, name)) for name in _field_names(type(a)))
    return False


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:  # asked for per value compared: a site has hundreds of news pages
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _of_stable_items(value: Any) -> bool:
    """Is `value` a list or tuple of content objects and plain scalars only, whose
    identity is fixed by which objects they are (see `_same_items`)?"""
    if type(value) not in (list, tuple):
        return False
    if not _ENTITY_KINDS:
        _learn_entity_kinds()
    return set(map(type, value)) <= _STABLE_TYPES | _ENTITY_KINDS.keys()


_STABLE_TYPES = {str, int, float, bool, type(None)}


def _same_items(old: Any, new: Any) -> bool:
    """Two lists (or tuples) of the very same objects, when the old one was found of
    stable items: compared in C, as some hold every news item of a site."""
    return type(old) is type(new) and (old is not new or type(old) is tuple) and \
        len(old) == len(new) and all(map(operator.is_, old, new))


def _fields(obj: Any) -> Any:
    """An object's own values, for comparing it whole (not just as the key it has)."""
    if dataclasses.is_dataclass(obj):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return obj


def objects_of(site, members) -> dict[str, Any]:
    """Every content object of this build by its key, for looking values up again."""
    objects: dict[str, Any] = {"<site>": site, FILES_SITE: site, "<config>": site.config,
                               "<members>": members, SITE_FILE: site.config}
    for group in (site.centres, site.agencies, site.opportunities, site.consultations,
                  site.lessons, site.news, site.pages, members.posts, members.pages):
        for obj in group:
            objects[entity_key(obj)] = obj
    for entry in members.directory:
        objects[entity_key(entry)] = entry
    return objects

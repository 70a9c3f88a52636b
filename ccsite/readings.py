"""What each document validated as, kept between command-line builds.

A build after one edit validates one document; the other 10,000 read as they did. The
preview server keeps each reading in its process (validate.py's `cache`); a command-line
build keeps it in the build memory on disk, as plain data made from the content model's
own declaration (model.py's dataclasses and their types), so that reading it back costs
less than the validation it saves, and the front matter of a document whose reading is
kept is never made into a node tree at all (see load.py: it is made when first asked for).
At 10,000 documents that is about 0.1 s to read back against 0.2 s to validate and 0.09 s
to make the node trees.

A reading is kept with the digest of its file's bytes and a key of all else a reading
depends on (site.yaml's bytes: the service types; the media files a document may name),
and used only when both are the same; ccsite's version is the memory's own. Like all the
cache folder holds (see cachefolder.py), it is data only, and every value is checked
against the type the model declares for it as it is read back: anything else (a damaged
or planted file) is not used, and the document is validated as if none were kept.

The fields `graph.py` fills (model.derived) are not kept: a reading has them at their
defaults, and so does a reading read back.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import operator
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from . import model
from .fields import LOCAL_ZONE
from .incremental import _dict, _flag, _list, _text, digest  # (the memory's own checks)
from .load import RawDocument
from .validate import Common

# the kind of a Markdown document -> the class it reads as (an agency's YAML file reads
# as an Agency, the directory's as a list of DirectoryEntry)
ITEMS = {"centre": model.Centre, "opportunity": model.Opportunity,
         "consultation": model.Consultation, "lesson": model.Lesson, "news": model.NewsItem,
         "page": model.Page, "good-practice": model.GoodPractice, "members-page": model.Page}
ENTRY_FIELDS = ("slug", "url_slug", "source", "body", "body_line", "extra", "lines",
                "placeholders")
_entry_fields = operator.attrgetter(*ENTRY_FIELDS)  # validate.Common.entry's


class CannotKeep(Exception):
    """A reading holds a value its declared type does not describe: it is not kept."""


def reading_key(site_digest: str, media: set[str], members_media: set[str],
                bodies_stamp: str) -> str:
    """What, beyond its own file, a document's reading and its rendered Markdown depend
    on (`bodies_stamp`: the versions and base path that shape it, see bodies.py)."""
    return digest("\n".join([site_digest, bodies_stamp, *sorted(media), "",
                             *sorted(members_media)]))


class KeptReadings:
    """The readings kept by the last build (`stored`: file as shown -> (digest of its
    bytes, reading key, the reading as data, its bodies rendered)), for the documents
    `parsed` holds as read from those bytes (load.py); what this build reads is noted for
    the next. A reading read back brings its bodies' HTML (a body is its file's too), and
    the objects given it are in `html_kept`, for the site graph not to render them."""

    def __init__(self, stored: dict[str, tuple], parsed: dict[str, tuple], key: str,
                 replaced: dict[str, tuple] | None = None):
        self.stored = stored
        self.parsed = parsed
        self.key = key
        self.replaced = replaced or {}  # file -> (digest, document) the last build read
        self.kept: dict[str, tuple] = {}  # what the next build is left
        self.html_kept: set[int] = set()  # (see validate.Validated)

    def reading(self, document: RawDocument) -> Any:
        """The document's reading as kept, or None (then it is validated)."""
        was = self.stored.get(document.path)
        digest_now = self._digest(document)
        if was is None or digest_now is None or was[:2] != (digest_now, self.key):
            return None
        try:
            reading = decode(document, was[2])
        except (ValueError, TypeError, KeyError, IndexError, OverflowError):
            return None  # damaged, or planted: validated afresh
        if self._given_html(_bodies_of(document.kind, reading), was[3]):
            self.kept[document.path] = was
        else:  # rendered again, and kept then (see `note_html`)
            self.kept[document.path] = (*was[:3], None)
        return reading

    def _given_html(self, bodies: list[tuple[Any, str, str]], html: Any) -> bool:
        """Give the bodies the HTML kept for them, if it is well formed (else the site
        graph renders them)."""
        if type(html) is not list or len(html) != len(bodies) or \
                not all(map(str.__instancecheck__, html)):
            return False
        for (obj, attribute, _), text in zip(bodies, html):
            setattr(obj, attribute, text)
            self.html_kept.add(id(obj))
        return True

    def note(self, document: RawDocument, reading: Any) -> None:
        """Keep the reading just validated (a document without mistakes)."""
        digest_now = self._digest(document)
        if digest_now is None:
            return
        try:
            data = encode(document, reading)
        except (CannotKeep, ValueError, TypeError):
            return
        self.kept[document.path] = (digest_now, self.key, data,
                                    self._html_as_before(document, reading))

    def _html_as_before(self, document: RawDocument, reading: Any) -> list[str] | None:
        """The HTML the last build kept for a document whose file changed, given to its
        bodies when each is the very text it was made from, under the same key: an edit
        of the front matter only (a title) then converts no Markdown, nor loads the
        library (0.03 s of such a build at 10,000 documents). None: rendered anew."""
        before, was = self.replaced.get(document.path), self.stored.get(document.path)
        if before is None or was is None or (was[0], was[1]) != (before[0], self.key):
            return None
        try:
            texts_before = [text for _, _, text in _bodies_of(document.kind,
                                                                decode(before[1], was[2]))]
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError):
            return None  # damaged, or planted
        bodies = _bodies_of(document.kind, reading)
        if texts_before != [text for _, _, text in bodies] or \
                not self._given_html(bodies, was[3]):
            return None
        return list(was[3])

    def note_html(self, read_as: dict[str, tuple], rendered: set[int]) -> None:
        """Keep the bodies the site graph rendered (`rendered`: the objects, by id) of the
        documents read afresh (`read_as`: file -> (document, what it was read with, its
        reading), see validate.py). A document left out of the build (a draft) has none."""
        for path, was in self.kept.items():
            if was[3] is None and path in read_as:
                document, _, reading = read_as[path]
                bodies = _bodies_of(document.kind, reading)
                if all(id(obj) in rendered for obj, _, _ in bodies):
                    self.kept[path] = (*was[:3], [getattr(obj, attribute)
                                                  for obj, attribute, _ in bodies])

    def _digest(self, document: RawDocument) -> str | None:
        parsed = self.parsed.get(document.path)
        return parsed[0] if parsed is not None and parsed[1] is document else None


def _bodies_of(kind: str, reading: Any) -> list[tuple[Any, str, str]]:
    """The Markdown a reading holds, where the site graph puts it rendered: (object,
    attribute, the Markdown), in order (as graph._render_bodies has them)."""
    if kind == "agency":
        return [(reading, "about_html", reading.about)]
    if kind == "directory":
        return []
    item = reading[0]
    if kind == "consultation" and item.outcome is not None:
        return [(item, "html", item.body), (item.outcome, "html", item.outcome.body)]
    return [(item, "html", item.body)]


# -- a reading as data, and back --------------------------------------------------------------
#
# A Markdown document's reading is (its item, its common fields): kept as [the item's
# fields, draft, publish_date, expires], the item's fields in their declared order, but
# its body and source, which are the document's own (load.py keeps them). An agency is
# its fields; the directory, a list of its entries' fields.

def encode(document: RawDocument, reading: Any) -> Any:
    kind = document.kind
    if kind == "agency":
        return _coder(model.Agency)[0](reading)
    if kind == "directory":
        encode_entry = _coder(model.DirectoryEntry)[0]
        return [encode_entry(entry) for entry in reading]
    item, common = reading
    if type(item) is not ITEMS[kind] or item.body != document.body or \
            item.source != document.path or \
            any(common.entry[name] is not getattr(item, name) for name in ENTRY_FIELDS):
        raise CannotKeep(document.path)
    return [_coder(type(item))[0](item), _flag(common.draft),
            _moment[0](common.publish_date), _moment[0](common.expires)]


def decode(document: RawDocument, data: Any) -> Any:
    """ValueError (or TypeError...) for data that is not a reading of `document`'s kind."""
    kind = document.kind
    if kind == "agency":
        return _coder(model.Agency)[1](data)
    if kind == "directory":
        decode_entry = _coder(model.DirectoryEntry)[1]
        return [decode_entry(entry) for entry in _list(data)]
    item_data, draft, publish_date, expires = _list(data)
    item = _coder(ITEMS[kind])[1](item_data, document)
    entry = dict(zip(ENTRY_FIELDS, _entry_fields(item)))
    return item, Common(entry=entry, draft=_flag(draft), publish_date=_moment[1](publish_date),
                        expires=_moment[1](expires))


# -- each declared type's coder --------------------------------------------------------------
#
# A coder is (encode, decode, raw): `raw`, the types its data may be of, checked for all of
# an object's fields at once (in C) before the few that need it are decoded one by one (a
# date, a tuple, an object within): 10,000 documents are read back in about 0.06 s.

Coder = tuple[Callable[[Any], Any], Callable[..., Any] | None, frozenset]


@functools.cache
def _coder(kind: type) -> Coder:
    """A dataclass of the model as the list of its fields that are not derived; read
    back with those at their defaults. An Entry's body and source are the document's."""
    hints = typing.get_type_hints(kind, vars(model))
    fields = [f for f in dataclasses.fields(kind) if not f.metadata.get("derived")]
    from_document = issubclass(kind, model.Entry)
    kept = [f for f in fields if not (from_document and f.name in ("body", "source"))]
    names = tuple(f.name for f in kept)
    coders = [_type_coder(hints[f.name]) for f in kept]
    encoders = [coder[0] for coder in coders]
    raw_types = [coder[2] for coder in coders]
    converted = [(index, coder[1]) for index, coder in enumerate(coders)
                 if coder[1] is not None]
    defaults = [(f.name, f.default, f.default_factory) for f in dataclasses.fields(kind)
                if f.metadata.get("derived")]
    new, count = object.__new__, len(names)

    def encode_one(value: Any) -> list:
        if type(value) is not kind:
            raise CannotKeep(kind.__name__)
        return [code(getattr(value, name)) for code, name in zip(encoders, names)]

    def decode_one(data: Any, document: RawDocument | None = None) -> Any:
        if type(data) is not list or len(data) != count or \
                not all(map(frozenset.__contains__, raw_types, map(type, data))):
            raise ValueError(f"not a {kind.__name__}")
        data = data.copy()  # (the memory's own, which the next build is left as it is)
        for index, read in converted:
            data[index] = read(data[index])
        obj = new(kind)
        values = obj.__dict__
        values.update(zip(names, data))
        for name, default, factory in defaults:
            values[name] = default if factory is dataclasses.MISSING else factory()
        if from_document:
            values["body"], values["source"] = document.body, document.path
        return obj

    return encode_one, decode_one, frozenset({list})


def _type_coder(hint: Any) -> Coder:
    """(encode, decode or None when the data is the value, the data's types) of a value
    of the declared type `hint`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        others = [arg for arg in args if arg is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"no way to keep {hint}")
        encode, decode, raw = _type_coder(others[0])
        return (lambda value: None if value is None else encode(value),
                None if decode is None else
                lambda data: None if data is None else decode(data), raw | {type(None)})
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        encode, decode, raw = _type_coder(args[0])
        return (lambda value: [encode(each) for each in _tuple(value)],
                functools.partial(_decode_tuple, decode, raw), frozenset({list}))
    if origin is dict and args[0] is str:
        encode, decode, raw = _type_coder(args[1])
        return (lambda value: {_text(key): encode(each) for key, each in _dict(value).items()},
                functools.partial(_checked_mapping, decode, raw), frozenset({dict}))
    if dataclasses.is_dataclass(hint):
        return _coder(hint)
    if hint in _SIMPLE:
        return _SIMPLE[hint]
    raise TypeError(f"no way to keep {hint}")


def _decode_tuple(decode: Callable[[Any], Any] | None, raw: frozenset, data: list) -> tuple:
    if not all(map(raw.__contains__, map(type, data))):
        raise ValueError("not the values of a list")
    return tuple(data if decode is None else map(decode, data))


def _checked_mapping(decode: Callable[[Any], Any] | None, raw: frozenset, data: dict) -> dict:
    if not all(map(str.__instancecheck__, data)) or \
            not all(map(raw.__contains__, map(type, data.values()))):
        raise ValueError("not a mapping of texts")
    return data if decode is None else dict(zip(data, map(decode, data.values())))


def _plain(value: Any) -> Any:
    """What `extra` may hold (yamlnodes.plain: what YAML gives, dates as text)."""
    kind = type(value)
    if kind is dict:
        return {_text(key): _plain(each) for key, each in value.items()}
    if kind is list:
        return [_plain(each) for each in value]
    if kind in (str, int, float, bool, type(None)):
        return value
    raise ValueError("not a plain value")


def _encode_plain(value: Any) -> Any:
    try:
        return _plain(value)
    except ValueError:
        raise CannotKeep("extra") from None


def _finite(value: int | float) -> int | float:
    if not math.isfinite(value):
        raise ValueError("not a number")
    return value


def _encode_date(value: Any) -> int:
    if type(value) is not dt.date:
        raise CannotKeep("date")
    return value.toordinal()


def _encode_moment(value: Any) -> list:
    """A date-time with its zone: UK time (a date that means the start of a UK day, see
    fields.py), or the offset it was written with."""
    if type(value) is not dt.datetime or value.tzinfo is None:
        raise CannotKeep("datetime")
    if value.tzinfo is LOCAL_ZONE:
        return [value.replace(tzinfo=None).isoformat(), value.fold]
    if type(value.tzinfo) is not dt.timezone:
        raise CannotKeep("datetime")
    return [value.isoformat()]


def _decode_moment(data: Any) -> dt.datetime:
    text = _text(_list(data)[0])
    if len(data) == 2 and type(data[1]) is int and data[1] in (0, 1):
        value = dt.datetime.fromisoformat(text)
        if value.tzinfo is not None:
            raise ValueError("not a UK time")
        return value.replace(tzinfo=LOCAL_ZONE, fold=data[1])
    value = dt.datetime.fromisoformat(text)
    if len(data) != 1 or type(value.tzinfo) is not dt.timezone:
        raise ValueError("not a date-time with a zone")
    return value


def _encode_time(value: Any) -> str:
    if type(value) is not dt.time or value.tzinfo is not None:
        raise CannotKeep("time")
    return value.isoformat()


def _decode_time(data: Any) -> dt.time:
    value = dt.time.fromisoformat(_text(data))
    if value.tzinfo is not None:
        raise ValueError("not a time of day")
    return value


def _encode_decimal(value: Any) -> str:
    if type(value) is not Decimal:
        raise CannotKeep("decimal")
    return str(value)


def _decode_decimal(data: Any) -> Decimal:
    """A sum of money as fields.py reads one: a finite number, never NaN or Infinity."""
    try:
        value = Decimal(_text(data))
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite() or not -12 <= value.as_tuple().exponent <= 0 or \
            value.adjusted() > 15:
        raise ValueError("not a sum of money")
    return value


def _encoded_as_is(kind: tuple) -> Callable[[Any], Any]:
    def encode(value: Any) -> Any:
        if type(value) not in kind:
            raise CannotKeep(str(kind))
        return value
    return encode


_SIMPLE: dict[Any, Coder] = {
    str: (_encoded_as_is((str,)), None, frozenset({str})),
    int: (_encoded_as_is((int,)), None, frozenset({int})),
    float: (_encoded_as_is((int, float)), _finite, frozenset({int, float})),  # 51 or 51.5
    bool: (_encoded_as_is((bool,)), None, frozenset({bool})),
    Any: (_encode_plain, _plain, frozenset({str, int, float, bool, type(None), list, dict})),
    dt.date: (_encode_date, dt.date.fromordinal, frozenset({int})),
    dt.datetime: (_encode_moment, _decode_moment, frozenset({list})),
    dt.time: (_encode_time, _decode_time, frozenset({str})),
    Decimal: (_encode_decimal, _decode_decimal, frozenset({str})),
}
_moment = _type_coder(dt.datetime | None)


def _tuple(value: Any) -> tuple:
    if type(value) is not tuple:
        raise CannotKeep("tuple")
    return value



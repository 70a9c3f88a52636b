"""Stage 2, validate: RawDocument -> model objects, by walking the content model.

`read_fields` walks a type's declaration in schema.py and reads each field with the
`Fields` method of its kind (fields.py words every message), so what is checked is exactly
what the editor's forms, the JSON Schemas and the reference docs say. One builder per type
then turns the values read into its dataclass, with the rules that tie two fields together.
Rules that need more than one file (references, duplicate slugs and references) are
checked in `graph.py`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .buildinfo import BuildOptions  # noqa: F401 (asked for here by many)
from .errors import ErrorList
from .fields import (LOCAL_ZONE, Fields, format_datetime, is_web_url, slugify,
                     start_of_day)
from .load import ContentFolder, RawDocument
from .model import (WEEKDAYS, Address, Agency, Award, Centre, Clarification, Closure,
                    Consultation, ConsultationOutcome, Contact, DirectoryEntry, DocumentLink,
                    GeoPoint, GoodPractice, Lesson, Money, NewsItem, OpeningHours,
                    Opportunity, Event, Outcome, Page, Placeholder, Respond,
                    Session, SiteConfig, Update)
from .schema import BY_NAME, COMMON_FIELDS, PLACEHOLDER, TYPES, Field


@dataclass
class Validated:
    """Every document that is in this build, by type, in path order."""

    config: SiteConfig
    centres: list[Centre] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    news: list[NewsItem] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    good_practice: list[GoodPractice] = field(default_factory=list)
    members_pages: list[Page] = field(default_factory=list)
    directory: list[DirectoryEntry] = field(default_factory=list)
    media: set[str] = field(default_factory=set)
    members_media: set[str] = field(default_factory=set)
    # kind -> slug -> why, for files that are there but not in this build, so that a
    # reference to one says so instead of claiming the file does not exist
    left_out: dict[str, dict[str, str]] = field(default_factory=dict)
    # the objects (by id) whose Markdown was read back rendered with their readings, and
    # those the site graph rendered (graph.py): those of documents left out are neither
    html_kept: set[int] = field(default_factory=set)
    html_rendered: set[int] = field(default_factory=set)


def validate(folder: ContentFolder, config: SiteConfig, options: BuildOptions,
             errors: ErrorList, cache: dict | None = None,
             stored: Any = None) -> Validated:
    """`cache` (kept by `ccsite serve` between builds) keeps what each document read as, by
    its file: a document whose parsed form is the very one read last time (see load.py),
    under the same site.yaml and media files, reads the same again. `stored`: the
    readings a command-line build keeps on disk (readings.KeptReadings), asked for a
    document's reading before it is validated, and told each one validated."""
    result = Validated(config=config, media={m.rel for m in folder.media},
                       members_media={m.rel for m in folder.members_media})
    readers = _readers(result)
    reading_with = (folder.site, frozenset(result.media))
    kept: dict = {}
    for document in folder.documents:
        was = cache.get(document.path) if cache is not None else None
        if was is not None and was[0] is document and was[1] == reading_with:
            read_as = was[2]
            kept[document.path] = was
        elif stored is not None and (read_as := stored.reading(document)) is not None:
            kept[document.path] = (document, reading_with, read_as)
        else:
            before = len(errors.errors)
            read_as = _read_document(document, readers, result, errors)
            if len(errors.errors) == before:  # a mistake must be found, and told, again
                kept[document.path] = (document, reading_with, read_as)
                if stored is not None:
                    stored.note(document, read_as)
        if document.kind == "agency":
            result.agencies.append(read_as)
        elif document.kind == "directory":
            result.directory.extend(read_as)
        else:
            item, common = read_as
            why = left_out(common, options)
            if why is None:
                readers[document.kind][1].append(item)
            else:
                result.left_out.setdefault(document.kind, {})[document.slug] = why
    if cache is not None:
        cache.clear()
        cache.update(kept)
    return result


def _readers(result: Validated) -> dict[str, tuple[Callable, list]]:
    """kind -> (its reader, the list of `result` it goes in)."""
    return {
        "centre": (_centre, result.centres),
        "opportunity": (_opportunity, result.opportunities),
        "consultation": (_consultation, result.consultations),
        "lesson": (_lesson, result.lessons),
        "news": (_news, result.news),
        "page": (_page, result.pages),
        "good-practice": (_good_practice, result.good_practice),
        "members-page": (_page, result.members_pages),
    }


def read_one(document: RawDocument, config: SiteConfig, media: set[str],
             errors: ErrorList) -> tuple[Any, Common]:
    """What one Markdown document reads as, on its own (the preview server's rebuild of
    one edited document, see quickedit.py): (the item, its common fields)."""
    result = Validated(config=config, media=media)
    return _read_document(document, _readers(result), result, errors)


def _read_document(document: RawDocument, readers: dict, result: Validated,
                   errors: ErrorList):
    f = Fields(document.data, document.line, document.path, errors)
    reading = Reading(vocabularies=result.config.vocabularies, media=result.media)
    values = read_fields(f, BY_NAME[document.kind].fields, reading)
    if document.kind == "agency":
        read_as = _agency(values, f, document)
    elif document.kind == "directory":
        read_as = _directory(values, f, document)
    else:
        common = _common(f, document, reading, placeholders(values, f.lines))
        read_as = (readers[document.kind][0](values, f, common), common)
    f.finish()
    _in_another_folder(f, document, errors)
    return read_as


def _in_another_folder(f: Fields, document: RawDocument, errors: ErrorList) -> None:
    """Told once, beside each unknown field: a file whose unknown fields are all another
    type's (a centre copied into news/: status, district, services...) is in the wrong
    folder, which "did you mean 'tags'?" for each never said."""
    unknown = {key for key in f.data.key_lines if key not in f.used}
    if len(unknown) < 2:
        return
    for other in TYPES:
        if other.name == document.kind or other.single_file or \
                other.members != BY_NAME[document.kind].members:
            continue
        if unknown <= {field.name for field in other.all_fields}:
            errors.add(document.path, 1, "file", f"its fields {', '.join(sorted(unknown))} "
                       f"are a {other.singular}'s: a {other.singular} goes in content/"
                       f"{other.folder}/, not with the {BY_NAME[document.kind].label.lower()}")
            return


# -- walking the declaration -----------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    """What reading a field may need beyond its file: the site's vocabularies (service
    types) and the media files a document may name."""

    vocabularies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    media: set[str] = field(default_factory=set)


def read_fields(f: Fields, fields: tuple[Field, ...], reading: Reading) -> dict[str, Any]:
    """Each declared field's value (None, or an empty tuple, when absent or wrong).

    Fields another one's requirement depends on are read first, so `status` is known
    before `lead_agency` is asked for."""
    conditions = {fd.when.field for fd in fields if fd.when is not None}
    values: dict[str, Any] = {}
    for fd in sorted(fields, key=lambda fd: fd.name not in conditions):
        required = fd.required or (fd.when is not None
                                   and fd.when.holds(values.get(fd.when.field)))
        why = fd.when.why if fd.when is not None else ""
        values[fd.name] = _READERS[fd.kind](f, fd, required, why, reading)
    return values


def _number(f: Fields, fd: Field, required: bool, why: str, reading: Reading):
    value = f.number(fd.name, required)
    if value is None:
        return None
    low, high = fd.minimum, fd.maximum
    if low is not None and high is not None and low < 0 and not low <= value <= high:
        message = f"{value} is out of range: must be between {low} and {high}{fd.unit}"
    elif low is not None and value < low:
        message = f"must be {low} or more"
    elif high is not None and value > high:
        message = f"must be at most {high:,}{fd.unit}; a larger value is a typo, and " \
            "could not be shown or exported"
    else:
        return value
    f.error(fd.name, f.line_of(fd.name), message)
    return None


def _document(f: Fields, fd: Field, required: bool, why: str, reading: Reading):
    """A web address, or a file in media/ written `media/<file>`."""
    url = f.text(fd.name, required, why)
    if url is None:
        return None
    if fd.media and url.startswith("media/"):
        name = url[len("media/"):]
        if ".." not in name.split("/") and name in reading.media:
            return url
        meant = next((m for m in sorted(reading.media) if m.lower() == name.lower()), None)
        f.error(fd.name, f.line_of(fd.name), f"'{url}' is not a file in content/media/ " + (
            f"(there is '{meant}', whose capitals differ: a web address tells capitals "
            f"apart, though Windows does not; write media/{meant})" if meant else
            "(check the spelling, or add the file)"))
    elif is_web_url(url):
        return url
    else:
        f.error(fd.name, f.line_of(fd.name), f"'{url}' must be a whole web address "
                "(https://...) or a file in media/ written as media/<file>")
    return None


def _object(f: Fields, fd: Field, required: bool, why: str, reading: Reading):
    sub = f.mapping(fd.name, required, why)
    return None if sub is None else _read_mapping(sub, fd, reading)


def _objects(f: Fields, fd: Field, required: bool, why: str, reading: Reading):
    """The items read whole: an item with a mistake is told, and left out."""
    items = []
    for sub in f.mappings(fd.name, required):
        values = _read_mapping(sub, fd, reading)
        if values is not None:
            items.append(values)
    return tuple(items)


def _read_mapping(sub: Fields, fd: Field, reading: Reading) -> dict[str, Any] | None:
    """One mapping's values, with `_line` (where it starts), or None when the rules that
    tie its fields together fail."""
    values = read_fields(sub, fd.fields, reading)
    together = _fields_together(sub, fd, values)
    sub.finish()
    values["_line"] = sub.line
    return values if together else None


_NOUNS = {"email": "an email", "phone": "a phone", "url": "a web address",
          "address": "a postal address", "place": "a place", "online": "an online address"}


def _fields_together(sub: Fields, fd: Field, values: dict[str, Any]) -> bool:
    if fd.at_least_one and not any(sub.present(name) for name in fd.at_least_one):
        nouns = " or ".join(_NOUNS.get(name, name) for name in fd.at_least_one)
        sub.error(fd.at_least_one[0], sub.line, f"give {nouns} (or more than one) "
                  f"{fd.reach}" if len(fd.at_least_one) > 2 else
                  f"give {nouns} (or both) {fd.reach}")
        return False
    if fd.before is not None:
        earlier, later = values.get(fd.before[0]), values.get(fd.before[1])
        if earlier is not None and later is not None and earlier >= later:
            shown = earlier.strftime("%H:%M") if isinstance(earlier, dt.time) else \
                format_datetime(earlier) if isinstance(earlier, dt.datetime) else \
                earlier.isoformat()
            sub.error(fd.before[1], sub.line_of(fd.before[1]),
                      f"must be later than {fd.before[0]} ({shown})")
            return False
    return True


def _list(f: Fields, fd: Field, required: bool, why: str, reading: Reading):
    options = fd.choices or (reading.vocabularies.get(fd.vocabulary, ())
                             if fd.vocabulary else ())
    return f.text_list(fd.name, required, options=options, addresses=fd.addresses)


# kind (schema.Kind) -> how a value of it is read: (fields, field, required, why, reading)
_READERS = {
    "line": lambda f, fd, req, why, r: f.one_line(fd.name, req, why),
    "text": lambda f, fd, req, why, r: f.text(fd.name, req, why),
    "markdown": lambda f, fd, req, why, r: f.text(fd.name, req, why),
    "choice": lambda f, fd, req, why, r: f.choice(fd.name, fd.choices, req, why),
    "integer": lambda f, fd, req, why, r: f.integer(fd.name, req, choices=fd.choices,
                                                    minimum=fd.minimum),
    "number": _number,
    "boolean": lambda f, fd, req, why, r: f.boolean(fd.name),
    "date": lambda f, fd, req, why, r: f.date(fd.name, req, why),
    "datetime": lambda f, fd, req, why, r: f.datetime(fd.name, req, why),
    "moment": lambda f, fd, req, why, r: f.datetime(fd.name, req, why, allow_date=True),
    "time": lambda f, fd, req, why, r: f.clock_time(fd.name, req),
    "email": lambda f, fd, req, why, r: f.email(fd.name, req),
    "phone": lambda f, fd, req, why, r: f.phone(fd.name, req),
    "url": lambda f, fd, req, why, r: f.url(fd.name, req),
    "postcode": lambda f, fd, req, why, r: f.postcode(fd.name, req),
    "slug": lambda f, fd, req, why, r: f.slug(fd.name, req, why),
    "ref": lambda f, fd, req, why, r: f.slug(fd.name, req, why),
    "refs": lambda f, fd, req, why, r: f.slug_list(fd.name),
    "list": _list,
    "object": _object,
    "objects": _objects,
    "document": _document,
    "labels": lambda f, fd, req, why, r: f.labels(fd.name, req),
    "language": lambda f, fd, req, why, r: f.language(fd.name),
    "base_url": lambda f, fd, req, why, r: f.base_url(fd.name, req),
    "free": lambda f, fd, req, why, r: f.free_mapping(fd.name),
}


# -- fields every Markdown file may carry ----------------------------------------------

@dataclass
class Common:
    entry: dict[str, Any]
    draft: bool
    publish_date: dt.datetime | None
    expires: dt.datetime | None


def _common(f: Fields, document: RawDocument, reading: Reading,
            left: tuple[Placeholder, ...]) -> Common:
    v = read_fields(f, COMMON_FIELDS, reading)
    entry = dict(slug=document.slug, url_slug=v["slug"] or document.slug,
                 source=document.path, body=document.body, body_line=document.body_line,
                 extra=v["extra"], lines=f.lines, placeholders=left)
    common = Common(entry=entry, draft=v["draft"], publish_date=v["publish_date"],
                    expires=v["expires"])
    if common.publish_date and common.expires and common.expires <= common.publish_date:
        f.error("expires", f.line_of("expires"), f"is not after publish_date "
                f"({common.publish_date.isoformat()}), so the page would never be shown")
    return common


def placeholders(values: dict[str, Any], lines: dict[str, int]) -> tuple[Placeholder, ...]:
    """Each value read that still says 'Change me' (or change-me, CHANGE-ME-...), as
    `ccsite new` and `ccsite init` write every value only the editor can know: walked
    through everything read, so a field added to the content model is looked at too."""
    return tuple(_placeholders_in(values, lines, ""))


def _placeholders_in(values, lines: dict[str, int], prefix: str):
    items = values.items() if isinstance(values, dict) else \
        ((f"[{i}]", v) for i, v in enumerate(values))
    for key, value in items:
        if key == "_line":
            continue
        name = f"{prefix}.{key}" if prefix and not key.startswith("[") else f"{prefix}{key}"
        if isinstance(value, (dict, list, tuple)):
            yield from _placeholders_in(value, lines, name)
        elif isinstance(value, str) and PLACEHOLDER.search(value):
            yield Placeholder(name, _line_of(name, lines), _shown(value))


def _line_of(name: str, lines: dict[str, int]) -> int:
    """The line of a value, or of the nearest field holding it (a list's item)."""
    while name not in lines and re.search(r"[.\[]", name):
        name = re.split(r"\.(?=[^.\[]*$)|\[\d+\]$", name)[0]
    return lines.get(name, 1)


def _shown(value: str) -> str:
    """A placeholder's value as a message quotes it: whole if short, else its words that
    say so."""
    if len(value) <= 80 and "\n" not in value:
        return value
    return PLACEHOLDER.search(value).group()


DRAFT = "it is a draft"  # why a document is left out (see `left_out`)
PUBLISHED_LATER = "its publish_date,"
EXPIRED = "it expired on"  # (a link to such a document is a warning: see audit.check_links)


def left_out(common: Common, options: BuildOptions) -> str | None:
    """Why a document is not in this build, or None when it is."""
    if common.draft and not options.drafts:
        return DRAFT
    if common.publish_date is not None and common.publish_date > options.now:
        return f"{PUBLISHED_LATER} {common.publish_date.isoformat()}, has not come"
    if common.expires is not None and common.expires <= options.now:
        return f"{EXPIRED} {common.expires.isoformat()}"
    return None


# -- one builder per type: the values read -> its dataclass ------------------------------

def _centre(v: dict, f: Fields, common: Common) -> Centre:
    return Centre(
        **common.entry,
        name=v["name"] or "", lead_agency_slug=v["lead_agency"], district=v["district"] or "",
        phase=v["phase"] or 1, status=v["status"] or "planned",
        opening_date=v["opening_date"], address=address(v["address"]),
        location=_location(v["location"]), services=v["services"],
        opening_hours=_opening_hours(v["opening_hours"]), sessions=_sessions(v["sessions"]),
        closures=closures(v["closures"]), phone=v["phone"],
        email=v["email"], website=v["website"], summary=v["summary"],
    )


def address(a: dict | None) -> Address | None:
    if a is None:
        return None
    return Address(street=a["street"] or "", town=a["town"] or "",
                   postcode=a["postcode"] or "", locality=a["locality"])


def _location(loc: dict | None) -> GeoPoint | None:
    if loc is None or loc["lat"] is None or loc["lon"] is None:
        return None
    return GeoPoint(float(loc["lat"]), float(loc["lon"]))


def _opening_hours(rows: tuple[dict, ...]) -> tuple[OpeningHours, ...]:
    hours = [OpeningHours(h["days"], h["opens"], h["closes"]) for h in rows
             if h["days"] and h["opens"] and h["closes"]]
    # shown in the week's order (Monday first), however the file lists them; the order
    # of the files' rows is kept for rows that start on the same day
    return tuple(sorted(hours, key=lambda row: min(WEEKDAYS.index(d) for d in row.days)))


def closures(rows: tuple[dict, ...], first: str = "date", last: str = "until",
             why: str = "reason") -> tuple[Closure, ...]:
    """A centre's (or every centre's, in site.yaml) days closed, in date order; or, by
    the names of their fields, site.yaml's school holidays (the days term-time sessions
    are off, and the holiday's name)."""
    return tuple(sorted((Closure(c[first], c[last], c[why]) for c in rows
                         if c[first] and c[why]), key=lambda c: c.date))


def _sessions(rows: tuple[dict, ...]) -> tuple[Session, ...]:
    """The sessions read whole, each with its days in the week's order, in the order the
    file gives them (the timetables sort them by day and time)."""
    return tuple(Session(title=s["title"], days=tuple(sorted(s["days"], key=WEEKDAYS.index)),
                         starts=s["starts"], ends=s["ends"], ages=s["ages"],
                         booking=s["booking"], term_time_only=bool(s["term_time_only"]),
                         note=s["note"])
                 for s in rows if s["title"] and s["days"] and s["starts"] and s["ends"])


def _agency(v: dict, f: Fields, document: RawDocument) -> Agency:
    return Agency(slug=document.slug, source=document.path, lines=f.lines,
                  name=v["name"] or "", sector=v["sector"] or "", website=v["website"],
                  contact=contact(v["contact"]), about=v["about"] or "",
                  placeholders=placeholders(v, f.lines))


def contact(c: dict | None) -> Contact | None:
    if c is None:
        return None
    return Contact(name=c["name"] or "", role=c.get("role"), phone=c["phone"],
                   email=c["email"])


def _opportunity(v: dict, f: Fields, common: Common) -> Opportunity:
    published, opens, deadline = v["published"], v["opens"], v["deadline"]
    if published and deadline and deadline <= start_of_day(published):
        f.error("deadline", f.line_of("deadline"), "must be later than the start of the "
                f"published day ({published.isoformat()})")
    if published and opens and opens < published:
        f.error("opens", f.line_of("opens"), f"{opens.isoformat()} is before the round was "
                f"published ({published.isoformat()}); bids open on or after the day the "
                "notice is published: check this date (or published)")
    elif opens and deadline and deadline <= start_of_day(opens):
        f.error("deadline", f.line_of("deadline"), "must be later than the start of the day "
                f"bids open ({opens.isoformat()})")
    if published:
        _told_after_published(v, f, published)
    return Opportunity(
        **common.entry,
        title=v["title"] or "", reference=v["reference"] or "", kind=v["kind"] or "",
        status=v["status"] or "", published=published, opens=opens, deadline=deadline,
        value=_money(v["value"]), eligible_sectors=v["eligible_sectors"],
        centre_slugs=v["centres"], documents=_documents(v["documents"]),
        enquiries=contact(v["enquiries"]), summary=v["summary"],
        clarifications=_clarifications(v["clarifications"]),
        events=_events(v["events"]), outcome=_outcome(v, f),
        updates=_updates(v["updates"]),
    )


# -- what keeps providers and the community informed ------------------------------------

def _told_after_published(v: dict, f: Fields, published: dt.date) -> None:
    """An answer to a bidder, a change to the notice, or an outcome, dated before the
    notice was published cannot be: no one could ask, nor bid, nor change what was not
    there, before there was a round. A mistake, not a warning: unlike a date still to
    come, no day makes it right."""
    dated = [(f"clarifications[{index}].date", c["date"], "an answer to a bidder's "
              "question is published after the notice that bidders ask about")
             for index, c in enumerate(v["clarifications"])]
    dated += [(f"updates[{index}].date", u["date"], "a change is made to a notice already "
               "published: give the day it was made") for index, u in enumerate(v["updates"])]
    if v["outcome"] is not None:
        dated.append(("outcome.date", v["outcome"]["date"], "a round is decided after its "
                      "notice is published and bids are in"))
    for name, date, why in dated:
        if date is not None and date < published:
            f.error(name, f.lines.get(name, f.line), f"{date.isoformat()} is before the "
                    f"round was published ({published.isoformat()}); {why}: check this "
                    "date (or published)")


def _clarifications(items: tuple[dict, ...]) -> tuple[Clarification, ...]:
    """In the order they were published (the file's order for those of one day)."""
    read = [(c, index) for index, c in enumerate(items)
            if c["question"] and c["answer"] and c["date"]]
    return tuple(sorted((Clarification(c["question"], c["answer"], c["date"], index, key)
                         for (c, index), key in zip(read, _day_keys([c for c, _ in read],
                                                                    "question"))),
                        key=lambda c: c.date))


KEY_WORDS = 6  # the words of an answer's question (a change's note) its key is made of


def _day_keys(items: list[dict], words_of: str) -> list[str]:
    """Each dated item's key: its day and the first words of its text (`words_of`):
    '2026-11-20-will-staff-working-at-the-centres'. Its place in the list is no part of
    it: numbered among those of its day, an answer added above another of the same day
    took that one's key, its link, feed entry and open data id (a feed reader then
    showed neither as new: found by a helper's review). Two of a day that begin alike
    are told apart by a number, in the file's order."""
    names = [f"{item['date'].isoformat()}-" +
             "-".join(slugify(item[words_of]).split("-")[:KEY_WORDS]) for item in items]
    return [name if number == 1 else f"{name}-{number}"
            for name, number in zip(names, _numbered(names))]


def _numbered(names: list) -> list[int]:
    """Each item's number among those of its name, in the file's order (1 for the first):
    with the name, a key that adding an item of another name leaves as it was, where a
    place in the list moves."""
    seen: dict = {}
    numbers = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        numbers.append(seen[name])
    return numbers


def _updates(items: tuple[dict, ...]) -> tuple[Update, ...]:
    """In the order they were made (none before the notice: `_told_after_published`)."""
    read = [(u, index) for index, u in enumerate(items) if u["date"] and u["note"]]
    return tuple(sorted((Update(u["date"], u["note"], index, key)
                         for (u, index), key in zip(read, _day_keys([u for u, _ in read],
                                                                    "note"))),
                        key=lambda u: u.date))


def _events(items: tuple[dict, ...]) -> tuple[Event, ...]:
    """In time order; each known by its title (its calendar UID: see model.Event)."""
    read = sorted(((e, index) for index, e in enumerate(items) if e["title"] and e["start"]),
                  key=lambda pair: pair[0]["start"])
    return tuple(Event(e["title"], e["start"], e["end"], e["place"], e["online"], e["booking"],
                       index, key) for (e, index), key in zip(read, _event_keys(
                           [e for e, _ in read])))


def _event_keys(events: list[dict]) -> list[str]:
    """Each event's key (in time order): its title, or, for a title two or more events
    share ("Briefing session"), its title and day, numbered by time within a day. So
    adding an event anywhere leaves the others' keys as they were: numbered in the
    file's order, a briefing added above two of the same title took the first one's
    key, and a bidder's calendar moved the briefing they had booked to another day and
    place (a provider's review)."""
    names = [slugify(e["title"]) or "event" for e in events]
    shared = {name for name, number in zip(names, _numbered(names)) if number > 1}
    keys = [f"{name}-{e['start'].astimezone(LOCAL_ZONE).date().isoformat()}"
            if name in shared else name for name, e in zip(names, events)]
    return [key if number == 1 else f"{key}-{number}"
            for key, number in zip(keys, _numbered(keys))]


def _outcome(v: dict, f: Fields) -> Outcome | None:
    """Who won: only a complete round has an outcome to tell."""
    o = v["outcome"]
    if o is None:
        return None
    if v["status"] is not None and v["status"] != "complete":
        f.error("outcome", f.data.key_lines.get("outcome", f.line), f"is given, but status is {v['status']}; "
                "an outcome is told once the round is complete (set status: complete, or "
                "remove the outcome)")
        return None
    if o["date"] is None:
        return None
    awards = tuple(Award(a["agency"], a["centres"], _money(a["value"]), a["_line"])
                   for a in o["awards"] if a["agency"])
    return Outcome(o["date"], awards, o["contract_start"], o["contract_end"], o["note"])


def _consultation(v: dict, f: Fields, common: Common) -> Consultation:
    opens, closes, outcome = v["opens"], v["closes"], v["outcome"]
    if opens and closes and closes <= opens:
        f.error("closes", f.line_of("closes"), f"must be later than opens "
                f"({format_datetime(opens)})")
    told = None
    if outcome is not None and outcome["date"] and outcome["summary"] and outcome["body"]:
        if closes and outcome["date"] < closes.astimezone(LOCAL_ZONE).date():
            f.error("outcome.date", f.lines.get("outcome.date", f.line_of("outcome")),
                    f"{outcome['date'].isoformat()} is before the consultation closes "
                    f"({closes.astimezone(LOCAL_ZONE).date().isoformat()}); an outcome is "
                    "published once it has closed")
        else:
            told = ConsultationOutcome(outcome["date"], outcome["summary"], outcome["body"])
    r = v["respond"]
    return Consultation(
        **common.entry,
        title=v["title"] or "", summary=v["summary"] or "", opens=opens, closes=closes,
        audience=v["audience"], documents=_documents(v["documents"]),
        respond=Respond(r["url"], r["email"], r["address"]) if r else None,
        centre_slugs=v["centres"], outcome=told, events=_events(v["events"]),
    )


# what an amount without its currency is in (the content model's default: pounds)
DEFAULT_CURRENCY = BY_NAME["opportunity"].field("value").field("currency").default


def _money(m: dict | None) -> Money | None:
    if m is None or m["amount"] is None:
        return None
    return Money(m["amount"], m["currency"] or DEFAULT_CURRENCY)


def _documents(items: tuple[dict, ...]) -> tuple[DocumentLink, ...]:
    documents = []
    for d in items:
        title, url = d["title"], d["url"]
        if title is None or url is None:
            continue
        if url.startswith("media/"):
            documents.append(DocumentLink(title, "/" + url, media_file=url[len("media/"):]))
        else:
            documents.append(DocumentLink(title, url))
    return tuple(documents)


def _lesson(v: dict, f: Fields, common: Common) -> Lesson:
    return Lesson(**common.entry, title=v["title"] or "", summary=v["summary"] or "",
                  order=v["order"], tags=v["tags"])


def _news(v: dict, f: Fields, common: Common) -> NewsItem:
    return NewsItem(**common.entry, title=v["title"] or "", date=v["date"],
                    summary=v["summary"] or "", tags=v["tags"])


def _page(v: dict, f: Fields, common: Common) -> Page:
    return Page(**common.entry, title=v["title"] or "", summary=v["summary"],
                nav_order=v["nav_order"])


def _good_practice(v: dict, f: Fields, common: Common) -> GoodPractice:
    return GoodPractice(**common.entry, title=v["title"] or "", author=v["author"] or "",
                        agency_slug=v["agency"] or "", date=v["date"],
                        summary=v["summary"] or "", tags=v["tags"])


def _directory(v: dict, f: Fields, document: RawDocument) -> list[DirectoryEntry]:
    return [DirectoryEntry(source=document.path, line=e["_line"], position=position,
                           name=e["name"] or "", role=e["role"] or "",
                           agency_slug=e["agency"] or "", phone=e["phone"], email=e["email"],
                           topics=e["topics"],
                           agency_line=f.lines.get(f"directory[{position}].agency", e["_line"]))
            for position, e in enumerate(v["directory"])]

"""Stage 2, validate: RawDocument -> model objects, one reader per content type.

Each reader is the single place where a field of its type is parsed and checked (by the
rules of the content model, in `fields.py`). Rules that need more than one file
(references, duplicate slugs and references) are checked in `graph.py`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import ErrorList
from .fields import Fields, is_web_url, start_of_day
from .load import ContentFolder, RawDocument
from .model import (CENTRE_STATUSES, OPPORTUNITY_KINDS, OPPORTUNITY_STATUSES, PHASES,
                    SECTORS, WEEKDAYS, Address, Agency, Centre, Contact, DirectoryEntry,
                    DocumentLink, GeoPoint, GoodPractice, Lesson, Money, NewsItem,
                    OpeningHours, Opportunity, Page, SiteConfig)

# An amount is shown in pounds and exported to OCDS as a JSON number; 1.0e+9999 would be
# a 10,000-digit number (or fill memory), and no opportunity is worth a trillion pounds.
MAX_AMOUNT = 10 ** 12


@dataclass
class BuildOptions:
    """What a build is asked for: the moment it treats as now, and whether drafts show."""

    now: dt.datetime
    drafts: bool = False


@dataclass
class Validated:
    """Every document that is in this build, by type, in path order."""

    config: SiteConfig
    centres: list[Centre] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
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


def validate(folder: ContentFolder, config: SiteConfig, options: BuildOptions,
             errors: ErrorList, cache: dict | None = None) -> Validated:
    """`cache` (kept by `ccsite serve` between builds) keeps what each document read as, by
    its file: a document whose parsed form is the very one read last time (see load.py),
    under the same site.yaml and media files, reads the same again."""
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
        else:
            before = len(errors.errors)
            read_as = _read_document(document, readers, result, errors)
            if len(errors.errors) == before:  # a mistake must be found, and told, again
                kept[document.path] = (document, reading_with, read_as)
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
    if document.kind == "agency":
        read_as = _agency(f, document)
    elif document.kind == "directory":
        read_as = _directory(f, document)
    else:
        common = _common(f, document)
        read_as = (readers[document.kind][0](f, common, result), common)
    f.finish()
    return read_as


# -- fields every Markdown file may carry ----------------------------------------------

@dataclass
class Common:
    entry: dict[str, Any]
    draft: bool
    publish_date: dt.datetime | None
    expires: dt.datetime | None


def _common(f: Fields, document: RawDocument) -> Common:
    url_slug = f.slug("slug") or document.slug
    entry = dict(slug=document.slug, url_slug=url_slug, source=document.path,
                 body=document.body, body_line=document.body_line,
                 extra=f.free_mapping("extra"), lines=f.lines)
    common = Common(entry=entry, draft=f.boolean("draft"),
                    publish_date=f.datetime("publish_date", allow_date=True),
                    expires=f.datetime("expires", allow_date=True))
    if common.publish_date and common.expires and common.expires <= common.publish_date:
        f.error("expires", f.line_of("expires"), f"is not after publish_date "
                f"({common.publish_date.isoformat()}), so the page would never be shown")
    return common


def left_out(common: Common, options: BuildOptions) -> str | None:
    """Why a document is not in this build, or None when it is."""
    if common.draft and not options.drafts:
        return "it is a draft"
    if common.publish_date is not None and common.publish_date > options.now:
        return f"its publish_date, {common.publish_date.isoformat()}, has not come"
    if common.expires is not None and common.expires <= options.now:
        return f"it expired on {common.expires.isoformat()}"
    return None


# -- one reader per type ---------------------------------------------------------------

def _centre(f: Fields, common: Common, v: Validated) -> Centre:
    status = f.choice("status", CENTRE_STATUSES, required=True)
    is_open = " when status is open"
    return Centre(
        **common.entry,
        name=f.one_line("name", required=True) or "",
        lead_agency_slug=f.slug("lead_agency", required=status == "open", why=is_open),
        district=f.one_line("district", required=True) or "",
        phase=f.integer("phase", required=True, choices=PHASES) or 1,
        status=status or "planned",
        opening_date=f.date("opening_date", required=status == "open", why=is_open),
        address=_address(f),
        location=_location(f),
        services=f.text_list("services", required=True,
                             options=list(v.config.service_types)),
        opening_hours=_opening_hours(f),
        phone=f.phone("phone"),
        email=f.email("email"),
        website=f.url("website"),
        summary=f.one_line("summary"),
    )


def _address(f: Fields) -> Address | None:
    a = f.mapping("address", required=True)
    if a is None:
        return None
    address = Address(street=a.one_line("street", True) or "", town=a.one_line("town", True) or "",
                      postcode=a.postcode("postcode", True) or "",
                      locality=a.one_line("locality"))
    a.finish()
    return address


def _location(f: Fields) -> GeoPoint | None:
    loc = f.mapping("location")
    if loc is None:
        return None
    lat = _degrees(loc, "lat", 90)
    lon = _degrees(loc, "lon", 180)
    loc.finish()
    return GeoPoint(float(lat), float(lon)) if lat is not None and lon is not None else None


def _degrees(f: Fields, name: str, limit: int):
    value = f.number(name, required=True)
    if value is not None and not -limit <= value <= limit:
        f.error(name, f.line_of(name), f"{value} is out of range: must be between "
                f"-{limit} and {limit} decimal degrees")
        return None
    return value


def _opening_hours(f: Fields) -> tuple[OpeningHours, ...]:
    hours = []
    for h in f.mappings("opening_hours"):
        days = h.text_list("days", required=True, options=WEEKDAYS)
        opens, closes = h.clock_time("opens", True), h.clock_time("closes", True)
        if opens and closes and opens >= closes:
            h.error("closes", h.line_of("closes"), f"must be later than opens "
                    f"({opens:%H:%M})")
        elif days and opens and closes:
            hours.append(OpeningHours(days, opens, closes))
        h.finish()
    # shown in the week's order (Monday first), however the file lists them; the order
    # of the files' rows is kept for rows that start on the same day
    return tuple(sorted(hours, key=lambda row: min(WEEKDAYS.index(d) for d in row.days)))


def _agency(f: Fields, document: RawDocument) -> Agency:
    agency = Agency(
        slug=document.slug, source=document.path, lines=f.lines,
        name=f.one_line("name", required=True) or "",
        sector=f.choice("sector", SECTORS, required=True) or "",
        website=f.url("website"),
        contact=_contact(f, "contact", role=True),
        about=f.text("about") or "",
    )
    return agency


def _contact(f: Fields, name: str, role: bool = False, required: bool = False) -> Contact | None:
    c = f.mapping(name, required=required)
    if c is None:
        return None
    contact = Contact(name=c.one_line("name", required=True) or "",
                      role=c.one_line("role") if role else None,
                      phone=c.phone("phone"), email=c.email("email"))
    if not c.present("phone") and not c.present("email"):
        c.error("email", c.line, "give an email or a phone (or both) so people can get "
                "in touch")
    c.finish()
    return contact


def _opportunity(f: Fields, common: Common, v: Validated) -> Opportunity:
    status = f.choice("status", OPPORTUNITY_STATUSES, required=True)
    published = f.date("published", required=True)
    deadline = f.datetime("deadline", required=status not in (None, "planning"),
                          why=" unless status is planning")
    if published and deadline and deadline <= start_of_day(published):
        f.error("deadline", f.line_of("deadline"), "must be later than the start of the "
                f"published day ({published.isoformat()})")
    return Opportunity(
        **common.entry,
        title=f.one_line("title", required=True) or "",
        reference=f.one_line("reference", required=True) or "",
        kind=f.choice("kind", OPPORTUNITY_KINDS, required=True) or "",
        status=status or "",
        published=published,
        deadline=deadline,
        value=_money(f),
        eligible_sectors=f.text_list("eligible_sectors", required=True, options=SECTORS),
        centre_slugs=f.slug_list("centres"),
        documents=_documents(f, v.media),
        enquiries=_contact(f, "enquiries", required=True),
        summary=f.one_line("summary"),
    )


def _money(f: Fields) -> Money | None:
    m = f.mapping("value")
    if m is None:
        return None
    amount = m.number("amount", required=True)
    if amount is not None and amount < 0:
        m.error("amount", m.line_of("amount"), "must be 0 or more")
        amount = None
    elif amount is not None and amount > MAX_AMOUNT:
        m.error("amount", m.line_of("amount"), f"must be at most {MAX_AMOUNT:,} (pounds); "
                "a larger amount is a typo, and could not be shown or exported")
        amount = None
    currency = m.choice("currency", ("GBP",), required=True)
    m.finish()
    return Money(amount, currency) if amount is not None and currency else None


def _documents(f: Fields, media: set[str]) -> tuple[DocumentLink, ...]:
    documents = []
    for d in f.mappings("documents"):
        title, url = d.one_line("title", True), d.text("url", True)
        d.finish()
        if title is None or url is None:
            continue
        if url.startswith("media/"):
            name = url[len("media/"):]
            if ".." in name.split("/") or name not in media:
                d.error("url", d.line_of("url"), f"'{url}' is not a file in content/media/ "
                        "(check the spelling, or add the file)")
                continue
            documents.append(DocumentLink(title, "/" + url, media_file=name))
        elif is_web_url(url):
            documents.append(DocumentLink(title, url))
        else:
            d.error("url", d.line_of("url"), f"'{url}' must be a whole web address "
                    "(https://...) or a file in media/ written as media/<file>")
    return tuple(documents)


def _lesson(f: Fields, common: Common, v: Validated) -> Lesson:
    return Lesson(**common.entry, title=f.one_line("title", required=True) or "",
                  summary=f.one_line("summary", required=True) or "",
                  order=f.integer("order"), tags=f.text_list("tags"))


def _news(f: Fields, common: Common, v: Validated) -> NewsItem:
    return NewsItem(**common.entry, title=f.one_line("title", required=True) or "",
                    date=f.date("date", required=True),
                    summary=f.one_line("summary", required=True) or "",
                    tags=f.text_list("tags"))


def _page(f: Fields, common: Common, v: Validated) -> Page:
    return Page(**common.entry, title=f.one_line("title", required=True) or "",
                summary=f.one_line("summary"), nav_order=f.integer("nav_order"))


def _good_practice(f: Fields, common: Common, v: Validated) -> GoodPractice:
    return GoodPractice(**common.entry, title=f.one_line("title", required=True) or "",
                        author=f.one_line("author", required=True) or "",
                        agency_slug=f.slug("agency", required=True) or "",
                        date=f.date("date", required=True),
                        summary=f.one_line("summary", required=True) or "",
                        tags=f.text_list("tags"))


def _directory(f: Fields, document: RawDocument) -> list[DirectoryEntry]:
    entries = []
    for e in f.mappings("directory", required=True):
        entry = DirectoryEntry(source=document.path, line=e.line, name=e.one_line("name", True) or "",
                               role=e.one_line("role", True) or "",
                               agency_slug=e.slug("agency", True) or "",
                               phone=e.phone("phone"), email=e.email("email"),
                               topics=e.text_list("topics", required=True))
        if not e.present("phone") and not e.present("email"):
            e.error("email", e.line, "give an email or a phone (or both)")
        e.finish()
        entries.append(entry)
    return entries

"""Open data: the centres and the opportunities as files other systems can read, in the
public standards those systems already speak.

Why: referral platforms, family-information services and procurement portals gather
children's centres and bidding opportunities from many publishers. They can take ours
without scraping pages or asking for a spreadsheet only if we publish them in the standards
they read: Open Referral UK for services, OCDS for opportunities, and a plain CSV for people.
Every file is made from the public site graph on every build (never from members content),
so the data always say what the pages say. `data_catalogue` describes the files for the
human page at /data/.

Files, relative to the public root:

- data/oruk/index.json, data/oruk/services.json, data/oruk/services/<id>.json: the
  answers of the Open Referral UK 3.0 read API to `/`, `/services` and `/services/{id}`,
  built in advance (a static site cannot answer queries, so `/services` is one page of all).
- data/centres.csv: one row per centre, for a spreadsheet.
- data/opportunities.json: an OCDS 1.1 release package, one release per opportunity. It is
  left out when there are no opportunities: a package must hold at least one release.

Choices the standards leave to the publisher:

- Ids are UUID 5 of `base_url + "<kind>/" + file slug`, so they are the same on every
  build and survive an editor changing a `slug:` (only the page URL moves).
- Centre status -> ORUK service status: open -> active, planned -> inactive (not running
  yet), closed -> defunct (closed for good). All three are published, as on the site.
- Opening hours are weekly schedules (RFC 5545 `freq`/`byday`); `opens_at`/`closes_at` are
  "HH:MM" UK local time with no offset, because UK clocks change and any fixed offset would
  be wrong half the year. Closed centres have none, as on their pages.
- The UK profile removes `phones` (and a contact's `email`) from HSDS 3.0. A centre's phone
  number is the first thing a family needs, so services and contacts keep HSDS 3.0's own
  `phones`/`email`: the profile's compliance rules allow extra properties that do not
  conflict with HSDS.
- `last_modified` is left out: the content records no date on which a centre last changed,
  and the build's clock must not stand in for one.
- Service types are attributes whose taxonomy terms belong to a taxonomy named after the
  site; each term's `term_uri` points at the list of service types on the /data/ page.
- OCDS ocid = "<open_data.ocid_prefix>-<reference>". Without a registered prefix the
  placeholder "ocds-xxxxxx-<host>" keeps the file valid until one is registered with the
  Open Contracting Partnership and set in site.yaml.
- Release tag follows the status (planning -> "planning", cancelled ->
  "tenderCancellation", otherwise "tender") and the release id is ocid + "-" + tag + "-"
  + a digest of what the release tells (see `_release_id`).
  `tender.status` is the editor's: an active tender past its deadline stays "active", as
  OCDS keeps a process active until it is complete; `tenderPeriod.endDate` shows that
  submissions have closed.
- Dates become the start of that UK day; `publishedDate` is the latest release's date (see
  `_release_date`), so the file changes only when the content does.
- A bidders' question and its answer is a tender document of type `clarifications`
  (title: the question; description: the answer; url: its place on the page); the round's
  events are tender milestones (no type: the content does not say which kind each is).
  An active round with answered questions is released as a `tenderUpdate`.
- A complete round's outcome: one award per organisation (status active, dated the
  outcome's date), each supplier a party with the role `supplier` and the same id as its
  Open Referral organisation; a contract per award when the outcome gives contract dates.
  The release is then tagged `award` (and `contract`); one whose outcome awarded nothing
  is `unsuccessful`, released as a `tenderUpdate`. The outcome as its page tells it
  (its note: how many applied, why none was chosen) is a tender document of type
  `awardNotice`. One status follows the build's clock: an active round whose bids open
  on a later day (`opens`) is `planned` until that day, as its page says "Opens soon";
  the release of the day it opens is dated that day. Nothing else does, so the file
  otherwise changes only when the content does.
- A supplier party gives the agency's name and page, not its contact: an award is
  told as decided on its day, and a contact edited years later would make it a new
  release with that old date.
- `tenderPeriod.startDate` is the day bids opened: `opens` for a round first announced
  while it was planned, else the day it was published.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlsplit

# Absolute imports, so this module works wherever the pipeline imports it from.
from ..bodies import plain_text as _plain
from ..fields import start_of_day
from ..graph import Site, slugify
from ..timetable import distinct, session_keys, shows_sessions
from .. import media
from ..model import (WEEKDAYS, Agency, Centre, Contact, DocumentLink, Money,
                          OpeningHours, Opportunity, Phone)

Json = dict[str, Any]


@dataclass(frozen=True)
class Standard:
    name: str
    url: str


@dataclass(frozen=True)
class DataFile:
    """One published data file, as the /data/ page describes it."""

    path: str  # site path, e.g. "/data/centres.csv"
    title: str
    description: str
    format: str
    standard: Standard | None


ORUK = Standard("Open Referral UK 3.0", "https://openreferraluk.org/")
OCDS = Standard("Open Contracting Data Standard 1.1",
                "https://standard.open-contracting.org/1.1/en/")
GEOJSON = Standard("GeoJSON (RFC 7946)", "https://www.rfc-editor.org/rfc/rfc7946")
ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://github.com/OpenReferralUK/uk-profile"
ORUK_OPENAPI = ("https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/"
                "schema/openapi.json")
LICENCE_URLS = {"OGL-UK-3.0":
                "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
PLACEHOLDER_OCID_PREFIX = "ocds-xxxxxx"

DATA_PAGE = "/data/"
ORUK_ROOT = "data/oruk/index.json"
ORUK_SERVICES = "data/oruk/services.json"
CENTRES_CSV = "data/centres.csv"
CENTRES_GEOJSON = "data/centres.geojson"
OPPORTUNITIES = "data/opportunities.json"

SERVICE_STATUS = {"open": "active", "opening": "inactive", "planned": "inactive",
                  "closed": "defunct"}
RRULE_DAYS = dict(zip(WEEKDAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU")))
# how a schedule's description tells a centre's opening hours from one of its sessions
OPENING_HOURS_PREFIX = "Opening hours: "
SESSION_PREFIX = "Session: "
RELEASE_TAGS = {"planning": "planning", "cancelled": "tenderCancellation"}
CSV_COLUMNS = ("Name", "Status", "Phase", "District", "Street", "Locality", "Town",
               "Postcode", "Telephone", "Email", "Website", "Lead agency",
               "Lead agency sector", "Opening date", "Services", "Opening hours", "Latitude",
               "Longitude", "Page", "Open Referral ID")


# -- the files ---------------------------------------------------------------------------

def open_data_files(site: Site) -> dict[str, Callable[[], str]]:
    """Output path (relative to the public root) -> maker of the text of every open-data
    file (see outputs.public_outputs: the paths are wanted before the texts)."""
    files = {ORUK_ROOT: lambda: _json(oruk_root()),
             ORUK_SERVICES: lambda: _json(services_page(site))}
    for centre in site.centres:
        files[service_path(site, centre)] = functools.partial(_service_json, site, centre)
    files[CENTRES_CSV] = functools.partial(centres_csv, site)
    files[CENTRES_GEOJSON] = lambda: _json(centres_geojson(site))
    if site.opportunities:
        files[OPPORTUNITIES] = lambda: _json(release_package(site))
    return files


def _service_json(site: Site, centre: Centre) -> str:
    return _json(service(site, centre))


def data_catalogue(site: Site) -> list[DataFile]:
    """What the /data/ page says about each file, in the order it lists them."""
    count = len(site.centres)
    files = [
        DataFile("/" + CENTRES_CSV, "Children's centres (spreadsheet)",
                 f"One row for each of the {count} children's centres, open, planned and "
                 "closed: address, telephone, email, lead agency, services, opening hours, "
                 "location and the address of its page.",
                 "CSV: comma-separated values, UTF-8, with a header row", None),
        DataFile("/" + CENTRES_GEOJSON, "Children's centres (map data)",
                 "Every centre with a map position, as a GeoJSON feature collection (RFC "
                 "7946) to open in a map program: a point for each, with the columns of the "
                 "spreadsheet as its properties.",
                 "GeoJSON", GEOJSON),
        DataFile("/" + ORUK_SERVICES, "Children's centres (Open Referral UK)",
                 f"The {count} children's centres as services, in the form of the answer "
                 "to the Open Referral UK API's /services request (one page holding them "
                 "all). The full record of each service, with its location, opening hours, "
                 "lead agency, contact and service types, is the file "
                 "/data/oruk/services/{id}.json, where {id} is the service's id.",
                 "JSON", ORUK),
        DataFile("/" + ORUK_ROOT, "Open Referral UK description",
                 "The answer to the Open Referral UK API's / request: the version of the "
                 "standard these files follow and where its specification is published.",
                 "JSON", ORUK),
    ]
    if site.opportunities:
        files.append(DataFile(
            "/" + OPPORTUNITIES, "Opportunities to bid (OCDS)",
            f"The {len(site.opportunities)} opportunities for organisations to lead or "
            "support children's centres, as an OCDS release package with one release for "
            "each: its status, dates, value, who may apply, how to apply, its documents, the "
            "answers to bidders' questions, its events and, once complete, who was awarded "
            "contracts.",
            "JSON", OCDS))
    return files


def stable_id(site: Site, kind: str, slug: str) -> str:
    """The same UUID for the same thing on every build."""
    import uuid  # here: its import (platform's) costs every build that makes no data 3 ms

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site.config.base_url}{kind}/{slug}"))


def service_path(site: Site, centre: Centre) -> str:
    return f"data/oruk/services/{stable_id(site, 'service', centre.slug)}.json"


# -- Open Referral UK ----------------------------------------------------------------------

def oruk_root() -> Json:
    return {"version": ORUK_VERSION, "profile": ORUK_PROFILE, "openapi_url": ORUK_OPENAPI}


def services_page(site: Site) -> Json:
    """The `/services` answer: the API's Page envelope around one-to-one service records,
    each with its location as the detail files give it (a consumer mapping the list need
    not fetch every file)."""
    contents = [_listed_service(site, centre) for centre in site.centres]
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1,
            "size": len(contents), "first_page": True, "last_page": True,
            "empty": not contents, "contents": contents}


def service_summary(site: Site, centre: Centre) -> Json:
    """A service's one-to-one fields (ORUK service_list.json)."""
    agency = centre.agency
    return _clean({
        "id": stable_id(site, "service", centre.slug),
        "organization_id": stable_id(site, "organization", agency.slug) if agency else None,
        "name": centre.name,
        "description": centre.summary or _plain(centre.html),
        "url": _absolute(site, centre.url),
        "email": centre.email,
        "status": SERVICE_STATUS[centre.state],
        "organization": _organization(site, agency) if agency else None,
    })


def _listed_service(site: Site, centre: Centre) -> Json:
    record = service_summary(site, centre)
    return {**record, "service_at_locations": [
        _service_at_location(site, centre, record["id"])]}


def service(site: Site, centre: Centre) -> Json:
    """A fully nested service (ORUK service.json), plus HSDS 3.0 `phones`."""
    record = service_summary(site, centre)
    organization = record.pop("organization", None)
    service_id = record["id"]
    return _clean({
        **record,
        "schedules": _schedules(site, centre, service_id),
        "service_at_locations": [_service_at_location(site, centre, service_id)],
        "organization": organization,
        "contacts": _contacts(site, centre, service_id),
        "attributes": [_attribute(site, centre, key, service_id) for key in centre.services],
        "phones": [_phone(site, f"service/{centre.slug}", centre.phone,
                          service_id=service_id)] if centre.phone else [],
    })


def _organization(site: Site, agency: Agency) -> Json:
    return _clean({
        "id": stable_id(site, "organization", agency.slug),
        "name": agency.name,
        "description": _plain(agency.about_html)
        or f"{_sector_name(agency.sector)} sector lead agency for children's centres.",
        "website": agency.website,
        "uri": _absolute(site, agency.url),
    })


def _schedules(site: Site, centre: Centre, service_id: str) -> list[Json]:
    if centre.status == "closed":
        return []
    # each known by what it is (its days and hours), not by its place in the list: an
    # aggregator that updates by id must not take one row for another after an edit
    keys = distinct(f"{centre.slug}/{','.join(hours.days)}/{hours.opens:%H%M}"
                    for hours in centre.opening_hours)
    return [_schedule(site, key, hours, service_id)
            for key, hours in zip(keys, centre.opening_hours)] + \
        _session_schedules(site, centre, service_id)


def _session_schedules(site: Site, centre: Centre, service_id: str) -> list[Json]:
    """Each weekly session as a schedule of its own. HSDS has one list for both, so the
    description says which is which: "Opening hours: ..." or "Session: <title> ..."."""
    from .calendars import session_description

    if not shows_sessions(centre):
        return []
    page = _absolute(site, centre.url) + "#centre-sessions"
    return [_clean({
        "id": stable_id(site, "session", key), "service_id": service_id,
        "freq": "WEEKLY", "byday": ",".join(RRULE_DAYS[day] for day in session.days),
        "description": f"{SESSION_PREFIX}{session.title}, {_days_and_time(session)}. "
                       + session_description(session),
        "opens_at": f"{session.starts:%H:%M}", "closes_at": f"{session.ends:%H:%M}",
        "attending_type": session.booking, "schedule_link": page,
        "notes": _term_time(site) if session.term_time_only else None,
    }) for key, session in zip(session_keys(centre), centre.sessions)]


def _term_time(site: Site) -> str:
    """A term-time session's note: the school holidays it does not run in (HSDS has no
    field for days a weekly schedule skips). All that site.yaml gives, past ones too, as
    the calendars' EXDATEs: the open data comes from the content, never from the day."""
    from ccsite.render import format_date  # here: render imports this module

    holidays = "; ".join(
        f"{c.reason}, {format_date(c.date)}" + (f" to {format_date(c.until)}" if c.until
                                                 else "")
        for c in site.config.school_holidays)
    return f"Term time only: not in the school holidays ({holidays})." if holidays \
        else "Term time only."


def _days_and_time(session) -> str:
    from ccsite.render import format_days, session_time  # here: render imports this module

    return f"{format_days(session.days)}, {session_time(session)}"


def _schedule(site: Site, key: str, hours: OpeningHours, service_id: str) -> Json:
    days = sorted(hours.days, key=WEEKDAYS.index)
    return {"id": stable_id(site, "schedule", key), "service_id": service_id,
            "freq": "WEEKLY", "byday": ",".join(RRULE_DAYS[day] for day in days),
            "description": OPENING_HOURS_PREFIX + _opening_text(hours),
            "opens_at": f"{hours.opens:%H:%M}", "closes_at": f"{hours.closes:%H:%M}"}


def _service_at_location(site: Site, centre: Centre, service_id: str) -> Json:
    location_id = stable_id(site, "location", centre.slug)
    return {"id": stable_id(site, "service-at-location", centre.slug),
            "service_id": service_id, "location_id": location_id,
            "location": _location(site, centre, location_id)}


def _location(site: Site, centre: Centre, location_id: str) -> Json:
    point = centre.location
    return _clean({
        "id": location_id, "location_type": "physical", "name": centre.name,
        "latitude": point.lat if point else None,
        "longitude": point.lon if point else None,
        "addresses": [_address(site, centre, location_id)] if centre.address else [],
    })


def _address(site: Site, centre: Centre, location_id: str) -> Json:
    address = centre.address
    assert address is not None
    return {"id": stable_id(site, "address", centre.slug), "location_id": location_id,
            "address_1": ", ".join(p for p in (address.street, address.locality) if p),
            "city": address.town, "state_province": centre.district,
            "postal_code": address.postcode, "country": "GB", "address_type": "physical"}


def _contacts(site: Site, centre: Centre, service_id: str) -> list[Json]:
    """The lead agency's public contact, the person to ask about the centre."""
    contact = centre.agency.contact if centre.agency else None
    if contact is None:
        return []
    contact_id = stable_id(site, "contact", centre.slug)
    return [_clean({
        "id": contact_id, "service_id": service_id, "name": contact.name,
        "title": contact.role,
        "email": contact.email,  # HSDS 3.0; not in the UK profile
        "phones": [_phone(site, f"contact/{centre.slug}", contact.phone,
                          contact_id=contact_id)] if contact.phone else [],
    })]


def _phone(site: Site, key: str, phone: Phone, **link: str) -> Json:
    """An HSDS 3.0 phone, linked to its service or contact."""
    return {"id": stable_id(site, "phone", key), **link, "number": phone.national}


def _attribute(site: Site, centre: Centre, key: str, service_id: str) -> Json:
    term = _taxonomy_term(site, key)
    return {"id": stable_id(site, "attribute", f"{centre.slug}/{key}"), "link_id": service_id,
            "taxonomy_term_id": term["id"], "taxonomy_term": term}


def _taxonomy_term(site: Site, key: str) -> Json:
    label = site.config.service_types[key]
    return {"id": stable_id(site, "taxonomy-term", key), "name": label,
            "description": label, "taxonomy": f"{site.config.title} service types",
            "taxonomy_id": stable_id(site, "taxonomy", "service-types"),
            "term_uri": _absolute(site, f"{DATA_PAGE}#service-type-{key}"), "term": key}


# -- CSV --------------------------------------------------------------------------------

def centres_csv(site: Site) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(site, centre, _cell) for centre in site.centres)
    return out.getvalue()


def _csv_row(site: Site, centre: Centre, text: Callable[[str], str] = str
             ) -> tuple[str, ...]:
    """A centre's row; its free text passed through `text` (see `_cell`)."""
    address, agency, point = centre.address, centre.agency, centre.location
    hours = () if centre.status == "closed" else centre.opening_hours
    return (
        text(centre.name), centre.state, str(centre.phase), text(centre.district),
        text(address.street) if address else "",
        text(address.locality or "") if address else "",
        text(address.town) if address else "", address.postcode if address else "",
        centre.phone.national if centre.phone else "", centre.email or "",
        centre.website or "", text(agency.name) if agency else "",
        _sector_name(agency.sector) if agency else "",
        centre.opening_date.isoformat() if centre.opening_date else "",
        text("; ".join(site.config.service_types[key] for key in centre.services)),
        "; ".join(_opening_text(h) for h in hours),
        str(point.lat) if point else "", str(point.lon) if point else "",
        _absolute(site, centre.url), stable_id(site, "service", centre.slug),
    )


def _cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting as a formula does (= + - @,
    a tab or a carriage return) is run by Excel and LibreOffice on opening ("CSV
    injection": a centre named =HYPERLINK(...)), so it is written after an apostrophe,
    which they take to mean text (OWASP's advice). Only free text goes through this: a
    longitude of -0.41 is a number."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# -- GeoJSON ----------------------------------------------------------------------------

def centres_geojson(site: Site) -> Json:
    """RFC 7946: a FeatureCollection of a Point per centre with a position (longitude
    first, WGS 84 as the RFC requires), its properties the spreadsheet's row."""
    features = []
    for centre in site.centres:
        point = centre.location
        if point is None:
            continue
        features.append({
            "type": "Feature", "id": stable_id(site, "service", centre.slug),
            "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
            "properties": dict(zip(CSV_COLUMNS, _csv_row(site, centre))),
        })
    return {"type": "FeatureCollection", "features": features}


# -- OCDS -------------------------------------------------------------------------------

def release_package(site: Site) -> Json:
    """Every opportunity as an OCDS 1.1 release package (needs at least one)."""
    published = max(_release_date(o) for o in site.opportunities)
    return _clean({
        "uri": _absolute(site, OPPORTUNITIES),
        "version": "1.1",
        "publishedDate": _day_start(published),
        "publisher": {"name": site.config.organisation.name},
        "license": _licence_url(site.config.licence),
        "publicationPolicy": _absolute(site, DATA_PAGE),
        "releases": [release(site, o) for o in site.opportunities],
    })


def release(site: Site, opportunity: Opportunity) -> Json:
    ocid = ocid_of(site, opportunity)
    tags = _release_tags(opportunity)
    council = _council_reference(site)
    outcome = opportunity.outcome
    awards = _awards(site, ocid, opportunity) if outcome else []
    told = _clean({
        "ocid": ocid, "date": _day_start(_release_date(opportunity)),
        "tag": tags, "initiationType": "tender",
        "parties": [_council_party(site), *_supplier_parties(site, opportunity)],
        "buyer": council,
        "tender": _tender(site, opportunity, council),
        "awards": awards,
        "contracts": _contracts(ocid, opportunity, awards),
        "language": _language(site),
    })
    return {"ocid": ocid, "id": _release_id(ocid, tags[0], told), **told}


def _release_id(ocid: str, tag: str, told: Json) -> str:
    """A release's id: its tag and a digest of what it tells. OCDS names a release by
    the information it holds, so a deadline moved, an answer added or the round completed
    is a new release (an aggregator that keeps releases by id took none of them, when
    the id was the tag alone); the same content keeps its id, build after build."""
    digest = hashlib.blake2b(json.dumps(told, sort_keys=True, ensure_ascii=False).encode(),
                             digest_size=4).hexdigest()
    return f"{ocid}-{tag}-{digest}"


def _release_tags(opportunity: Opportunity) -> list[str]:
    if _unsuccessful(opportunity):
        return ["tenderUpdate"]  # (an award release would give no award)
    if opportunity.outcome:
        dated = opportunity.outcome.contract_start or opportunity.outcome.contract_end
        return ["award", "contract"] if dated and opportunity.outcome.awards else ["award"]
    tag = RELEASE_TAGS.get(opportunity.status, "tender")
    if tag != "tender" or not (opportunity.updates or opportunity.clarifications):
        return [tag]
    # a release that carries a change to the notice is an amendment (tender.amendments),
    # whatever was told after it; one that carries answers to bidders, an update
    return [*(["tenderAmendment"] if opportunity.updates else []),
            *(["tenderUpdate"] if opportunity.clarifications else [])]


def _unsuccessful(opportunity: Opportunity) -> bool:
    """A complete round whose outcome awarded nothing: OCDS's tender status for it is
    'unsuccessful' ("no award was made"), not 'complete'."""
    return opportunity.status == "complete" and opportunity.outcome is not None and \
        not opportunity.outcome.awards


def _release_date(opportunity: Opportunity) -> dt.date:
    """The date of what the release tells last (see Opportunity.last_told)."""
    return opportunity.last_told or _published(opportunity)


def _supplier_parties(site: Site, opportunity: Opportunity) -> list[Json]:
    """Each awarded organisation once, as a party with the role supplier: its name and
    where its page is, not its contact. A release tells what was decided on its date;
    an agency's contact changes at any time after, and would make every old award a
    new release dated as the award was (a 2026 edit told as known in 2006). Its page
    and its Open Referral organisation give the contact of today."""
    seen: dict[str, Json] = {}
    for award in opportunity.outcome.awards if opportunity.outcome else ():
        if award.agency and award.agency.slug not in seen:
            agency = award.agency
            seen[agency.slug] = {
                "id": stable_id(site, "organization", agency.slug), "name": agency.name,
                "roles": ["supplier"], "details": {"url": _absolute(site, agency.url)}}
    return list(seen.values())


def _awards(site: Site, ocid: str, opportunity: Opportunity) -> list[Json]:
    outcome = opportunity.outcome
    period = _clean({"startDate": _day_start(outcome.contract_start)
                     if outcome.contract_start else None,
                     "endDate": _day_end(outcome.contract_end)
                     if outcome.contract_end else None}) or None
    awards = []
    # each known by its lead agency (a second award to the same one by "-again"), not by
    # its place in the list: OCDS merges a contracting process's releases by these ids
    keys = distinct(f"{ocid}-award-{award.agency_slug}" for award in outcome.awards)
    for key, award in zip(keys, outcome.awards):
        agency = award.agency
        centres = ", ".join(c.name for c in award.centres)
        awards.append(_clean({
            "id": key,
            "title": f"{opportunity.title}: {agency.name}" if agency else opportunity.title,
            "description": f"To run {centres}." if centres else None,
            "status": "active", "date": _day_start(outcome.date),
            "value": _value(award.value),
            "suppliers": [{"id": stable_id(site, "organization", agency.slug),
                           "name": agency.name}] if agency else [],
            "contractPeriod": period,
        }))
    return awards


def _contracts(ocid: str, opportunity: Opportunity, awards: list[Json]) -> list[Json]:
    """A contract per award, where the outcome says when contracts start or end."""
    outcome = opportunity.outcome
    if outcome is None or not (outcome.contract_start or outcome.contract_end):
        return []
    return [_clean({"id": award["id"].replace("-award-", "-contract-"), "awardID": award["id"],
                    "title": award.get("title"), "period": award.get("contractPeriod"),
                    "value": award.get("value")}) for award in awards]


def ocid_of(site: Site, opportunity: Opportunity) -> str:
    prefix = site.config.ocid_prefix
    if not prefix:
        host = urlsplit(site.config.base_url).hostname or "site"
        prefix = f"{PLACEHOLDER_OCID_PREFIX}-{slugify(host)}"
    return f"{prefix}-{opportunity.reference}"


def _council_reference(site: Site) -> Json:
    name = site.config.organisation.name
    return {"id": slugify(name), "name": name}


def _council_party(site: Site) -> Json:
    """The programme's council: it pays (buyer) and runs the process (procuring entity)."""
    org = site.config.organisation
    return {**_council_reference(site),
            "contactPoint": _clean({"name": org.name, "email": org.email,
                                    "telephone": _international(org.phone)}),
            "roles": ["buyer", "procuringEntity"]}


def _tender(site: Site, opportunity: Opportunity, council: Json) -> Json:
    from ccsite.render import KIND_NAMES  # here: render imports this module

    return _clean({
        "id": opportunity.reference,
        "title": opportunity.title,
        "description": opportunity.summary or _plain(opportunity.html),
        "status": _tender_status(opportunity),
        "procuringEntity": council,
        "value": _value(opportunity.value),
        "procurementMethodDetails": KIND_NAMES.get(opportunity.kind, opportunity.kind),
        "submissionMethodDetails": _how_to_apply(site, opportunity),
        "tenderPeriod": _tender_period(opportunity),
        "eligibilityCriteria": "Organisations in these sectors may apply: "
        + "; ".join(_sector_name(s) for s in opportunity.eligible_sectors) + ".",
        "documents": [*_documents(site, opportunity), *_clarifications(site, opportunity),
                      *_outcome_notice(site, opportunity)],
        "milestones": _milestones(site, opportunity),
        "amendments": _amendments(opportunity),
    })


def _tender_status(opportunity: Opportunity) -> str:
    """The editor's status, but for two: a complete round that awarded nothing is
    'unsuccessful', and an active round whose bids open on a later day is 'planned'
    ("scheduled, but not yet taking place") until that day, as its page says "Opens
    soon": the one status that follows the build's clock."""
    if _unsuccessful(opportunity):
        return "unsuccessful"
    if opportunity.status == "active" and opportunity.state == "upcoming":
        return "planned"
    return opportunity.status


def _amendments(opportunity: Opportunity) -> list[Json]:
    """Each change told since the notice was published (`updates:`), in the order made,
    each known by its day (Update.key: adding one leaves the others' ids as they were)."""
    return [{"id": f"change-{u.key}", "date": _day_start(u.date), "description": u.note}
            for u in opportunity.updates]


def _clarifications(site: Site, opportunity: Opportunity) -> list[Json]:
    """The answers to bidders' questions, each a document of type clarifications."""
    page = _absolute(site, opportunity.url)
    return [{"id": f"clarification-{q.key}", "documentType": "clarifications",
             "title": q.question, "description": q.answer,
             "url": f"{page}#question-{q.key}", "datePublished": _day_start(q.date),
             "format": "text/html", "language": _language(site)}
            for q in opportunity.clarifications]


def _outcome_notice(site: Site, opportunity: Opportunity) -> list[Json]:
    """The outcome as its page tells it (what was decided, and its note: how many
    applied, how the winners were chosen, why none was), an award notice: the only
    place in the data for what a round that awarded nothing has to say."""
    from ccsite.render import outcome_said  # here: render imports this module

    outcome = opportunity.outcome
    if outcome is None:
        return []
    return [{"id": "outcome", "documentType": "awardNotice", "title": "Outcome",
             "description": " ".join(p for p in (outcome_said(outcome), outcome.note) if p),
             "url": f"{_absolute(site, opportunity.url)}#outcome",
             "datePublished": _day_start(outcome.date), "format": "text/html",
             "language": _language(site)}]


def _milestones(site: Site, opportunity: Opportunity) -> list[Json]:
    """The round's events (briefings, interviews, the award...) as tender milestones."""
    return [_clean({"id": f"event-{event.key}", "title": event.title,
                    "description": "; ".join(p for p in (event.place, event.online,
                                                         event.booking) if p) or None,
                    "dueDate": event.start.isoformat()})
            for event in opportunity.events]


def _value(money: Money | None) -> Json | None:
    if money is None:
        return None
    whole = money.amount == money.amount.to_integral_value()
    return {"amount": int(money.amount) if whole else float(money.amount),
            "currency": money.currency}


def _tender_period(opportunity: Opportunity) -> Json | None:
    """Open from the day bids opened (`opens`, else the day it was published) to the
    deadline; a planning notice has no start yet, unless it says when bids will open."""
    end = opportunity.deadline.isoformat() if opportunity.deadline else None
    start = _day_start(opportunity.open_from) if opportunity.open_from else None
    return _clean({"startDate": start, "endDate": end}) or None


def _how_to_apply(site: Site, opportunity: Opportunity) -> str:
    text = f"How to apply: see {_absolute(site, opportunity.url)}."
    contact = opportunity.enquiries
    return f"{text} Enquiries: {_contact_text(contact)}." if contact else text


def _contact_text(contact: Contact) -> str:
    ways = [f"email {contact.email}" if contact.email else "",
            f"telephone {contact.phone.national}" if contact.phone else ""]
    return ", ".join([contact.name, *(w for w in ways if w)])


def _documents(site: Site, opportunity: Opportunity) -> list[Json]:
    """The opportunity's page (the notice itself), then the documents the editor listed."""
    planned = opportunity.status == "planning"  # (each notice its own id: a compiled
    notice = {"id": "planning-notice" if planned else "notice",  # record keeps both)
              "documentType": "plannedProcurementNotice" if planned else "tenderNotice",
              "title": opportunity.title,
              "url": _absolute(site, opportunity.url),
              "datePublished": _day_start(_published(opportunity)),
              "format": "text/html", "language": _language(site)}
    keys = distinct(map(_document_key, opportunity.documents))
    return [notice, *(_document(site, key, document)
                      for key, document in zip(keys, opportunity.documents))]


def _document_key(document: DocumentLink) -> str:
    """A document's id, by what it is, not its place in the list (OCDS merges releases'
    documents by id: an added document took the id of the one before it, and inherited
    its format): a file in media/ by its name, a link by a digest of its address."""
    if document.media_file:
        return document.media_file
    return "link-" + hashlib.blake2b(document.url.encode("utf-8"), digest_size=6).hexdigest()


def _document(site: Site, document_id: str, document: DocumentLink) -> Json:
    """A document the editor listed; one in media/ by its address, the file's name
    percent-encoded (a URI, RFC 3986: 'pecyn gwybodaeth-łódź.pdf' is not one)."""
    url = document.url if urlsplit(document.url).scheme else \
        _absolute(site, quote(document.url, safe="/"))
    kind = media.kind_of(document.media_file) if document.media_file else None
    media_type = kind.media_type if kind else None
    return _clean({"id": document_id, "documentType": "biddingDocuments",
                   "title": document.title, "url": url, "format": media_type})


def _licence_url(licence: str) -> str | None:
    if licence in LICENCE_URLS:
        return LICENCE_URLS[licence]
    return licence if urlsplit(licence).scheme in ("http", "https") else None


# -- small helpers ------------------------------------------------------------------------

def _json(data: Json) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _clean(data: Json) -> Json:
    """Leave out fields with nothing to say (but keep False and 0)."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != []}


def _absolute(site: Site, path: str) -> str:
    return site.config.base_url + path.lstrip("/")



def _published(opportunity: Opportunity) -> dt.date:
    assert opportunity.published is not None, "validation requires `published`"
    return opportunity.published


def _day_start(day: dt.date) -> str:
    return start_of_day(day).isoformat()


def _day_end(day: dt.date) -> str:
    """The last second of a UK day: a contract that ends on 31 March runs all that day."""
    return start_of_day(day).replace(hour=23, minute=59, second=59).isoformat()


def _language(site: Site) -> str:
    """ISO 639-1, as OCDS wants: "en-GB" -> "en"."""
    return site.config.language.split("-")[0].lower()


def _international(phone: Phone | None) -> str | None:
    """OCDS asks for the international dialling code: "+44 1632 960555"."""
    if phone is None:
        return None
    return "+44 " + phone.national[1:] if phone.national.startswith("0") else phone.tel


def _sector_name(sector: str) -> str:
    from ccsite.render import SECTOR_NAMES  # here: render imports this module

    return SECTOR_NAMES.get(sector, sector)


def _opening_text(hours: OpeningHours) -> str:
    """As the centre's page says it: "Monday to Friday: 8am to 6pm"."""
    from ccsite.render import format_days, format_hours  # here: render imports this module

    return f"{format_days(hours.days)}: {format_hours(hours)}"

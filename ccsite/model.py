"""The content types of the content model, as typed dataclasses.

`validate.py` builds these from YAML; `graph.py` fills the derived fields (marked
"derived") once, so templates receive ready data and never look anything up themselves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SECTORS = ("private", "voluntary", "independent", "school", "statutory")
CENTRE_STATUSES = ("planned", "open", "closed")
PHASES = (1, 2, 3)
OPPORTUNITY_KINDS = ("expression-of-interest", "tender", "grant")
OPPORTUNITY_STATUSES = ("planning", "active", "complete", "cancelled")
PROTECTIONS = ("server", "encrypt")


def derived(default: Any = None, factory: Callable[[], Any] | None = None,
            own: bool = False) -> Any:
    """A field `graph.py` fills (a body rendered, a link to another document, a state by
    --now): never read from a file, so a document's validated reading holds it at its
    default (readings.py keeps readings without it). `own`: made from the document's own
    file alone (its body rendered, its address from its slug); any other depends on
    other documents, site.yaml or the day, so an incremental build compares what a page
    read of it by its value, not by the file (incremental.DERIVED)."""
    metadata = OWN_DERIVED if own else DERIVED
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


DERIVED = {"derived": True}
OWN_DERIVED = {"derived": True, "own": True}


# -- small values ---------------------------------------------------------------------

@dataclass(frozen=True)
class Phone:
    national: str  # shown: "01632 960000"
    tel: str  # linked: "+441632960000"


@dataclass(frozen=True)
class Address:
    street: str
    town: str
    postcode: str  # normalised: "SG1 2FQ"
    locality: str | None = None

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(p for p in (self.street, self.locality, self.town, self.postcode) if p)


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float


@dataclass(frozen=True)
class OpeningHours:
    days: tuple[str, ...]
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Session:
    """Something families can come to every week at a centre (stay and play, a baby
    clinic): its centre's page, /whats-on/, its calendar and the open data show it."""

    title: str
    days: tuple[str, ...]  # in the week's order
    starts: dt.time
    ends: dt.time
    ages: str | None = None  # "0 to 5 years"
    booking: str | None = None  # "Drop in", or how to book
    term_time_only: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Contact:
    name: str
    role: str | None = None
    phone: Phone | None = None
    email: str | None = None


@dataclass(frozen=True)
class DocumentLink:
    title: str
    url: str  # absolute http(s) URL, or a site path "/media/<file>"
    media_file: str | None = None  # the file under content/media/, when it is one


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Placeholder:
    """A value still as `ccsite new` or `ccsite init` wrote it, for the editor to replace
    ('Change me', change-me@example.org): `ccsite check` names each one left."""

    field: str  # as messages name it: 'address.street', 'enquiries.name'
    line: int
    text: str  # what it still says


@dataclass(frozen=True)
class Target:
    date: dt.date
    centres: int
    label: str


@dataclass(frozen=True)
class Milestone:
    date: dt.date
    title: str
    opportunity_slug: str | None = None  # the round it is about (graph.py links its outcome)
    line: int = 1  # where site.yaml gives it, for a reference that names no opportunity


# -- keeping providers and the community informed ----------------------------------------

@dataclass(frozen=True)
class Closure:
    """Days a centre is closed although its hours say open (from `date` to `until`)."""

    date: dt.date
    until: dt.date | None
    reason: str

    @property
    def last_day(self) -> dt.date:
        return self.until or self.date


@dataclass(frozen=True)
class Update:
    """A change told after publication: what changed (`note`), and the day."""

    date: dt.date
    note: str
    index: int = 0  # its place in the file's list (messages name it)
    key: str = ""  # its day and its note's first words (see Clarification.key)


@dataclass(frozen=True)
class Clarification:
    """A bidder's question and its answer, published for every bidder alike."""

    question: str
    answer: str
    date: dt.date
    index: int = 0  # its place in the file's list (messages name it)
    key: str = ""  # its day and its question's first words (validate._day_keys): its
    # anchor on the page, its feed entry's and OCDS document's id, which adding another
    # answer, anywhere in the list, does not change


@dataclass(frozen=True)
class Event:
    """A round's briefing session, site visit, interview, award or contract start; a
    consultation's drop-in session or meeting."""

    title: str
    start: dt.datetime
    end: dt.datetime | None = None
    place: str | None = None
    online: str | None = None  # an absolute web address
    booking: str | None = None
    index: int = 0  # its place in the file's list (messages name it)
    key: str = ""  # its title as a slug (with its day, for a title events share): its
    # calendar UID and OCDS milestone id, which adding an event of another title does not
    # change, nor one of a title two or more already share (see validate._event_keys)


@dataclass
class Award:
    agency_slug: str
    centre_slugs: tuple[str, ...]
    value: Money | None
    line: int = 1
    # derived
    agency: Agency | None = derived(None)
    centres: list[Centre] = derived(factory=list)


@dataclass
class Outcome:
    """Who was awarded what, once an opportunity is complete."""

    date: dt.date
    awards: tuple[Award, ...]
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Respond:
    """How to respond to a consultation: at least one of the three."""

    url: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass
class ConsultationOutcome:
    """"You said, we did", once a consultation has closed."""

    date: dt.date
    summary: str
    body: str
    html: str = derived("", own=True)  # the body rendered


@dataclass(frozen=True)
class MailingList:
    url: str | None = None
    email: str | None = None


# -- site settings --------------------------------------------------------------------

@dataclass(frozen=True)
class NonCompliance:
    issue: str
    criteria: tuple[str, ...]
    fix_by: dt.date | None = None


@dataclass(frozen=True)
class AccessibilitySettings:
    """The `accessibility:` settings from which the accessibility statement is made (the
    model statement of the UK public-sector accessibility regulations)."""

    prepared: dt.date
    compliance: str = "partial"  # full | partial | not
    standard: str = "2.2"  # WCAG version, level AA
    reviewed: dt.date | None = None
    tested: dt.date | None = None
    tested_by: str = ""
    response_days: int = 5
    email: str | None = None
    phone: Phone | None = None
    limitations: tuple[str, ...] = ()
    non_compliance: tuple[NonCompliance, ...] = ()
    disproportionate_burden: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    improvements: str = ""


@dataclass(frozen=True)
class EditorSettings:
    """`editor:`: the web editor published at /admin/ and the Git host it saves to."""

    backend: str  # github | gitlab | gitea
    repo: str  # owner/name
    branch: str = "main"
    editorial_workflow: bool = False  # draft -> in review -> ready (GitHub, GitLab)
    members: bool = False  # offer the members collections (whoever can write can read)
    base_url: str | None = None  # the OAuth server
    auth_endpoint: str | None = None
    api_root: str | None = None  # a self-hosted GitLab or Gitea
    app_id: str | None = None  # GitLab's or Gitea's OAuth application


@dataclass(frozen=True)
class MapSettings:
    """`map:`: whose map pictures the "Show map" button loads (see templates/assets/map.js)."""

    provider: str = "OpenStreetMap"
    tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    attribution: str = "\u00a9 OpenStreetMap contributors"
    attribution_url: str = "https://www.openstreetmap.org/copyright"
    max_zoom: int = 19

    @property
    def tile_origin(self) -> str:
        """The tiles' scheme and host as a CSP source ({s}.tile.example.org ->
        https://*.tile.example.org): the one place beyond the site images may come from."""
        scheme, rest = self.tiles.split("://", 1)
        host = rest.split("/", 1)[0]
        return f"{scheme}://{host.replace('{s}', '*')}"


@dataclass(frozen=True)
class Organisation:
    name: str
    phone: Phone | None
    email: str | None


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # absolute, ends with "/"
    base_path: str  # the path part of base_url: "/" or "/hcc/"
    language: str
    organisation: Organisation
    service_types: dict[str, str]  # key -> label, in the order the editor gave
    targets: tuple[Target, ...]
    milestones: tuple[Milestone, ...]
    members_title: str
    protection: str
    licence: str
    ocid_prefix: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    accessibility: AccessibilitySettings | None = None
    editor: EditorSettings | None = None
    map: MapSettings = field(default_factory=MapSettings)
    mailing_list: MailingList | None = None
    closures: tuple[Closure, ...] = ()  # days every centre is closed
    # the school holidays, when term-time sessions do not run: each as the days it covers
    # (`date` to `until`) and its name (`reason`), as a closure says its days and why
    school_holidays: tuple[Closure, ...] = ()
    members_contact: "Contact | None" = None  # who members ask (passphrases, posts)
    source: str = "site.yaml"  # the path messages show
    placeholders: tuple[Placeholder, ...] = ()  # each value still as `ccsite init` wrote it
    lines: dict[str, int] = field(default_factory=dict)  # field -> its line in site.yaml

    @property
    def vocabularies(self) -> dict[str, tuple[str, ...]]:
        """The lists of values content may choose from that the site defines (a
        declared field's `vocabulary` names one)."""
        return {"service_types": tuple(self.service_types)}


# -- documents ------------------------------------------------------------------------

@dataclass
class Entry:
    """What every Markdown document has: where it came from, its URL slug, its body."""

    slug: str  # the file slug: what references name
    url_slug: str  # the `slug:` field, or the file slug
    source: str  # path as shown in messages
    body: str
    body_line: int
    extra: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict, repr=False)  # field -> line
    placeholders: tuple[Placeholder, ...] = ()  # its front matter's (its body is read whole)
    html: str = derived("", own=True)  # the body rendered to HTML
    url: str = derived("", own=True)  # site path, e.g. "/centres/oxhey/"


@dataclass
class Centre(Entry):
    name: str = ""
    lead_agency_slug: str | None = None
    district: str = ""
    phase: int = 1
    status: str = "planned"
    opening_date: dt.date | None = None
    address: Address | None = None
    location: GeoPoint | None = None
    services: tuple[str, ...] = ()
    opening_hours: tuple[OpeningHours, ...] = ()
    sessions: tuple[Session, ...] = ()
    closures: tuple[Closure, ...] = ()
    phone: Phone | None = None
    email: str | None = None
    website: str | None = None
    summary: str | None = None
    # derived
    service_names: tuple[str, ...] = derived(())  # as site.yaml's service_types names them
    closed_days: tuple[Closure, ...] = derived(())  # its and the site's closures not yet
    # past, in date order (by --now: see graph.py)
    closed_alone: tuple[Closure, ...] = derived(())  # ...of them, its own (the page gives
    # the browser the site's once: graph.Site.closed_days)
    state: str = derived("")  # planned | opening (open, from a date to come) | open | closed
    agency: Agency | None = derived(None)
    opportunities: list[Opportunity] = derived(factory=list)
    consultations: list[Consultation] = derived(factory=list)


@dataclass
class Agency:
    slug: str
    source: str
    lines: dict[str, int] = field(repr=False)
    name: str
    sector: str
    website: str | None
    contact: Contact | None
    about: str
    placeholders: tuple[Placeholder, ...] = ()
    about_html: str = derived("", own=True)
    url: str = derived("", own=True)
    centres: list[Centre] = derived(factory=list)
    awards: list[tuple[Opportunity, Award]] = derived(factory=list)


@dataclass
class Opportunity(Entry):
    title: str = ""
    reference: str = ""
    kind: str = ""
    status: str = ""
    published: dt.date | None = None
    opens: dt.date | None = None  # bids open from (when later than published)
    deadline: dt.datetime | None = None
    value: Money | None = None
    eligible_sectors: tuple[str, ...] = ()
    centre_slugs: tuple[str, ...] = ()
    documents: tuple[DocumentLink, ...] = ()
    enquiries: Contact | None = None
    summary: str | None = None
    clarifications: tuple[Clarification, ...] = ()  # in date order
    events: tuple[Event, ...] = ()  # in time order
    outcome: Outcome | None = None
    updates: tuple[Update, ...] = ()  # in date order
    # derived, by --now
    state: str = derived("")  # open | upcoming | closed
    days_left: int | None = derived(None)
    closed_early: bool = derived(False)  # complete before its deadline (by --now)
    opened: dt.date | None = derived(None)  # the day it opened for bids, when that was
    # after it was published and is past (by --now): news of its own (graph._set_state)
    past_events: tuple[str, ...] = derived(())  # the keys of the events over by --now
    opening_late: bool = derived(False)  # planned, and the day bids were to open has come
    called_off: tuple[str, ...] = derived(())  # of a cancelled round, the keys of the
    # events after the day it was cancelled (graph._set_state)
    centres: list[Centre] = derived(factory=list)

    @property
    def latest_clarification(self) -> dt.date | None:
        return self.clarifications[-1].date if self.clarifications else None

    @property
    def latest_update(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    @property
    def last_told(self) -> dt.date | None:
        """The date of what its page tells last: the outcome, the latest answer to a
        bidder's question or change, or the notice itself (the sitemap's lastmod, OCDS's
        date, its feed entry's)."""
        return max(filter(None, (self.published, self.opened, self.latest_clarification,
                                 self.latest_update and self.latest_update.date,
                                 self.outcome and self.outcome.date)), default=None)

    @property
    def open_from(self) -> dt.date | None:
        """The first day bids were (or will be) taken: `opens`, else the day published."""
        return self.opens or (None if self.status == "planning" else self.published)


@dataclass
class Consultation(Entry):
    title: str = ""
    summary: str = ""
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    audience: str | None = None
    respond: Respond | None = None
    documents: tuple[DocumentLink, ...] = ()
    centre_slugs: tuple[str, ...] = ()
    outcome: ConsultationOutcome | None = None
    events: tuple[Event, ...] = ()  # drop-in sessions and meetings, in time order
    # derived, by --now
    past_events: tuple[str, ...] = derived(())  # the keys of the events over by --now
    state: str = derived("")  # open | upcoming | closed
    days_left: int | None = derived(None)
    centres: list[Centre] = derived(factory=list)
    outcome_shown: bool = derived(False)  # closed, and its outcome's day has come


@dataclass
class Lesson(Entry):
    title: str = ""
    summary: str = ""
    order: int | None = None
    tags: tuple[str, ...] = ()


@dataclass
class NewsItem(Entry):
    title: str = ""
    date: dt.date | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()


@dataclass
class Page(Entry):
    title: str = ""
    summary: str | None = None
    nav_order: int | None = None


@dataclass
class GoodPractice(Entry):
    title: str = ""
    author: str = ""
    agency_slug: str = ""
    date: dt.date | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    agency: Agency | None = derived(None)


@dataclass
class DirectoryEntry:
    source: str
    line: int
    position: int  # its place in the file's list: what tells it apart (two people may
    # share a name, two entries a line: see incremental.entity_key)
    name: str
    role: str
    agency_slug: str
    phone: Phone | None
    email: str | None
    topics: tuple[str, ...]
    agency_line: int = 0  # where its `agency` is written (a wrong one is told there)
    agency: Agency | None = derived(None)

"""THE declaration of the content model: every content type, its fields and their rules.

Everything that knows what a file may say reads it from here, so they can never disagree:
the validator (validate.py and config.py walk these fields), the web editor's
configuration (editor/decap.py), the JSON Schemas (`ccsite schema`), `ccsite new`'s
scaffolds and the content-model reference in the README (docs.py). A field added here is
validated, editable, documented and scaffolded at once.

A declaration says *what* is allowed; the value readers that check it (and word the
editor's messages) are the `Fields` methods of fields.py, one per `kind`.
"""
from __future__ import annotations

import dataclasses

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from .model import (CENTRE_STATUSES, OPPORTUNITY_KINDS, OPPORTUNITY_STATUSES, PHASES,
                    PROTECTIONS, SECTORS, WEEKDAYS)

# The kinds of value, each read by one method of fields.Fields:
#   line      one line of plain text            text       several lines of plain text
#   markdown  text in Markdown                   choice     one of `choices`
#   integer   a whole number                     number     a decimal number
#   boolean   true or false                      date       YYYY-MM-DD
#   datetime  a date-time with its zone          moment     a date-time, or a date (start of that UK day)
#   time      HH:MM, 24-hour                     email      an e-mail address
#   phone     a UK phone number                  url        an absolute http(s) address
#   postcode  a UK postcode                      slug       a file-name-like name
#   ref       the slug of a file of type `ref`   refs       a list of those
#   list      a list of text (from `choices` or `vocabulary` when given)
#   object    a mapping of `fields`              objects    a list of mappings of `fields`
#   document  a web address or media/<file>      labels     a free mapping of slug: label
#   language  a language tag (en-GB)             free       a free mapping, never validated
#   base_url  an absolute http(s) address ending in /
Kind = Literal["line", "text", "markdown", "choice", "integer", "number", "boolean", "date",
               "datetime", "moment", "time", "email", "phone", "url", "postcode", "slug",
               "ref", "refs", "list", "object", "objects", "document", "labels", "language",
               "free", "base_url"]


@dataclass(frozen=True)
class When:
    """A field required only when a sibling field has (or has not) one of some values.

    `why` is how the validator's message says it (" when status is open"); the editor shows
    it as a hint and the JSON Schema as an if/then."""

    field: str
    one_of: tuple = ()
    not_one_of: tuple = ()
    why: str = ""

    def holds(self, value: Any) -> bool:
        """Whether the condition holds for the sibling's value (None when it is absent or
        wrong, in which case only a `not_one_of` condition can hold)."""
        if self.one_of:
            return value in self.one_of
        return value is not None and value not in self.not_one_of


@dataclass(frozen=True)
class Field:
    """One field of a content type, or of a mapping inside one."""

    name: str
    kind: Kind
    label: str
    help: str = ""  # one sentence for editors: the editor's hint, the schema's description
    required: bool = False
    when: When | None = None  # required only when this holds
    choices: tuple = ()  # the allowed values of a choice (or of each item of a list)
    vocabulary: str | None = None  # choices come from site.yaml (`service_types`)
    ref: str | None = None  # ref/refs: the content type named
    fields: tuple["Field", ...] = ()  # object/objects: the fields of each mapping
    minimum: float | None = None
    maximum: float | None = None
    at_least_one: tuple[str, ...] = ()  # object(s): at least one of these must be given
    before: tuple[str, str] | None = None  # object(s): (earlier, later) sibling fields
    reach: str = "so people can get in touch"  # why at_least_one: how its message ends
    addresses: bool = False  # list: each item names a page (/members/tags/<its slug>/),
    # so it must hold a letter or a number (a-z, 0-9) to make its address from
    media: bool = False  # document: may be a file in media/ (media/<file>)
    unit: str = ""  # how a number's limits are told (" decimal degrees")
    suggested: bool = False  # optional, but `ccsite new` writes it switched on
    example: Any = None  # what `ccsite new` writes for a required field
    default: Any = None  # what an absent optional field means
    singular: str = ""  # objects: one of its items, as the editor's buttons say it ("Add
    # closure", "1 closure": "Add closures" and "1 closures" were an editor's review's)

    @property
    def required_sometimes(self) -> bool:
        return self.required or self.when is not None

    def field(self, name: str) -> "Field":
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class ContentType:
    """A kind of file in the content folder."""

    name: str  # 'centre': the word errors, schemas and the editor use
    folder: str  # where its files live, under content/ ('members/good-practice')
    extension: str  # '.md' (front matter and a Markdown body) or '.yaml'
    label: str  # 'Centres': the editor's collection
    singular: str  # 'centre'
    fields: tuple[Field, ...]
    body: str = ""  # what the Markdown body holds ('' for .yaml files)
    members: bool = False  # under content/members/: never public
    common: bool = True  # carries slug, draft, publish_date, expires and extra
    single_file: str = ""  # one file, not a folder of them ('site.yaml')
    list_of: str = ""  # the file is a top-level list of these mappings (the directory)
    summary_field: str = "title"  # the field that names an entry (list views, slugs)

    def field(self, name: str) -> Field:
        return next(f for f in self.all_fields if f.name == name)

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return self.fields + (COMMON_FIELDS if self.common else ())

    @property
    def path_pattern(self) -> str:
        return self.single_file or f"{self.folder}/<slug>{self.extension}"


# What a value says until the editor writes their own, in a file `ccsite new` or
# `ccsite init` wrote ("Change me", "CHANGE-ME-...", change-me@example.org): `ccsite
# check` names each one left. Every stand-in a new file has says it (a field's `example`
# that only the editor can know, too), so none is published unnoticed.
PLACEHOLDER = re.compile(r"\bchange[ -]me\b", re.IGNORECASE)

# An amount is shown in pounds and exported to OCDS as a JSON number; 1.0e+9999 would be
# a 10,000-digit number (or fill memory), and no opportunity is worth a trillion pounds.
MAX_AMOUNT = 10 ** 12
COMPLIANCE = ("full", "partial", "not")
WCAG_VERSIONS = ("2.1", "2.2")
EDITOR_BACKENDS = ("github", "gitlab", "gitea")
CURRENCIES = ("GBP",)

# A date-time's help: in a file it is written with its zone; the web editor keeps the
# time picked as UK time, whatever zone the computer is set to (editor/merge.py)
_UK_TIME = ("UK time. In a file add the zone: Z in winter (GMT), +01:00 in summer; the web "
            "editor adds the right one for the day.")

_IS_OPEN = When("status", one_of=("open",), why=" when status is open")
_NOT_PLANNING = When("status", not_one_of=("planning",), why=" unless status is planning")
_OPENED = When("status", not_one_of=("planning", "cancelled"),
               why=" unless status is planning or cancelled (a round called off before it "
               "opened had none)")
_EMAIL = Field("email", "email", "E-mail", example="change-me@example.org")
_PHONE = Field("phone", "phone", "Phone", help="National form (01632 960000) or "
               "international (+44 1632 960000).", example="01632 960000")
_TAGS = Field("tags", "list", "Tags", help="Words that group related items.",
              example=["news"])
# a good-practice post's tags each have their page in the members area (/members/tags/...)
_PAGE_TAGS = Field("tags", "list", "Tags", help="Words that group related posts: each has "
                   "its page, listing the posts that give it.", example=["fathers"],
                   addresses=True)


def _summary(required: bool) -> Field:
    return Field("summary", "line", "Summary", help="One sentence, plain text: shown in "
                 "lists and search results.", required=required)


def _title() -> Field:
    return Field("title", "line", "Title", required=True)


COMMON_FIELDS = (
    Field("slug", "slug", "Address (slug)", help="Changes only the page's address; other "
          "files still refer to it by its file name, and its old address (the file "
          "name's) sends readers and calendars on to the new one."),
    Field("draft", "boolean", "Draft", help="A draft is left out of the site until this "
          "is switched off.", default=False),
    Field("publish_date", "moment", "Publish on", help="Left out of the site until then."),
    Field("expires", "moment", "Take down on", help="Left out of the site from then on."),
    Field("extra", "free", "Extra (for the theme)", help="Free settings for the templates; "
          "never checked."),
)

ADDRESS = Field("address", "object", "Address", required=True, fields=(
    Field("street", "line", "Street", required=True),
    Field("locality", "line", "Locality", help="The village or estate, if any."),
    Field("town", "line", "Town", required=True),
    Field("postcode", "postcode", "Postcode", required=True, example="WD17 1AB",
          help="A UK postcode, e.g. WD17 1AB."),
))

LOCATION = Field("location", "object", "Map position", help="Latitude and longitude in "
                 "decimal degrees (from a map: right-click, 'What's here?').", fields=(
    Field("lat", "number", "Latitude", required=True, minimum=-90, maximum=90,
          unit=" decimal degrees", example=51.75),
    Field("lon", "number", "Longitude", required=True, minimum=-180, maximum=180,
          unit=" decimal degrees", example=-0.34),
))

OPENING_HOURS = Field("opening_hours", "objects", "Opening hours", singular="opening hours", before=("opens", "closes"),
                      fields=(
    Field("days", "list", "Days", required=True, choices=WEEKDAYS,
          example=["mon", "tue", "wed", "thu", "fri"]),
    Field("opens", "time", "Opens", required=True, help="24-hour time, e.g. 09:00.",
          example="09:00"),
    Field("closes", "time", "Closes", required=True, help="24-hour time, e.g. 17:00.",
          example="17:00"),
))

SESSIONS = Field("sessions", "objects", "Sessions", singular="session", help="What families can come to each "
                 "week (stay and play, baby clinic...): shown on the centre's page, on What's "
                 "on and in its calendar.", before=("starts", "ends"), fields=(
    Field("title", "line", "Title", required=True, example="Stay and play"),
    Field("days", "list", "Days", required=True, choices=WEEKDAYS, example=["mon", "wed"]),
    Field("starts", "time", "Starts", required=True, help="24-hour time, e.g. 09:30.",
          example="09:30"),
    Field("ends", "time", "Ends", required=True, help="24-hour time, e.g. 11:30.",
          example="11:30"),
    Field("ages", "line", "Ages", help="Who it is for, e.g. 0 to 5 years, or parents-to-be."),
    Field("booking", "line", "Booking", help="'Drop in', or how to book a place."),
    Field("term_time_only", "boolean", "Term time only", default=False,
          help="Not in the school holidays."),
    Field("note", "line", "Note", help="Anything else a family should know, in a sentence."),
))

CLOSURES = Field("closures", "objects", "Closures", singular="closure", help="Days the centre is closed although "
                 "its hours say open (a bank holiday, a training day, the Christmas break): "
                 "its page lists those to come, says 'Closed today' on the day, and its "
                 "sessions' calendar leaves them out. In the site settings, days every "
                 "centre is closed.", before=("date", "until"), fields=(
    Field("date", "date", "Closed on", required=True, help="The (first) day it is closed."),
    Field("until", "date", "Until", help="The last day, when it is closed for more than one."),
    Field("reason", "line", "Why", required=True, example="Bank holiday"),
))

SCHOOL_HOLIDAYS = Field(
    "school_holidays", "objects", "School holidays", singular="school holiday", help="The school holidays, when "
    "sessions marked 'term time only' do not run: centres' pages and What's on say so, and "
    "the sessions' calendars leave those days out. The county's term dates give them.",
    before=("starts", "ends"), fields=(
        Field("name", "line", "Name", required=True, example="Christmas holidays"),
        Field("starts", "date", "First day", required=True,
              help="The first weekday of the holiday."),
        Field("ends", "date", "Last day", help="The last weekday of the holiday, when it is "
              "longer than a day."),
    ))

CENTRE = ContentType("centre", "centres", ".md", "Centres", "centre", summary_field="name",
                     body="The centre's description: what it offers and how to get there.",
                     fields=(
    Field("name", "line", "Name", required=True),
    Field("status", "choice", "Status", required=True, choices=CENTRE_STATUSES,
          example="planned", help="planned, open or closed: all three are shown publicly."),
    Field("lead_agency", "ref", "Lead agency", ref="agency", when=_IS_OPEN),
    Field("district", "line", "District", required=True,
          help="The district or borough."),
    Field("phase", "integer", "Phase", required=True, choices=PHASES, example=3),
    Field("opening_date", "date", "Opening date", when=_IS_OPEN),
    ADDRESS,
    LOCATION,
    Field("services", "list", "Services", required=True, vocabulary="service_types",
          example=["family-support"], help="From the service types in the site settings."),
    OPENING_HOURS,
    SESSIONS,
    CLOSURES,
    _PHONE,
    _EMAIL,
    Field("website", "url", "Website", help="The whole address, starting https://."),
    _summary(False),
))

CONTACT = Field("contact", "object", "Public contact", at_least_one=("email", "phone"),
                fields=(
    Field("name", "line", "Name", required=True, example="Change me (full name)"),
    Field("role", "line", "Role", example="Centre manager"),
    _PHONE,
    _EMAIL,
))

AGENCY = ContentType("agency", "agencies", ".yaml", "Lead agencies", "lead agency",
                     common=False, summary_field="name", fields=(
    Field("name", "line", "Name", required=True),
    Field("sector", "choice", "Sector", required=True, choices=SECTORS, example="voluntary"),
    Field("website", "url", "Website", help="The whole address, starting https://."),
    CONTACT,
    Field("about", "markdown", "About", help="A short description; Markdown allowed.",
          suggested=True),
))

VALUE = Field("value", "object", "Value", fields=(
    Field("amount", "number", "Amount (pounds)", required=True, minimum=0, example=100000,
          maximum=MAX_AMOUNT, unit=" (pounds)", help="Digits only, with a point for pence: 250000."),
    Field("currency", "choice", "Currency", choices=CURRENCIES, default="GBP"),
))

DOCUMENTS = Field("documents", "objects", "Documents", singular="document", fields=(
    Field("title", "line", "Title", required=True, example="Information pack"),
    Field("url", "document", "File or web address", required=True, media=True,
          help="A file uploaded to media/, or a whole web address.",
          example="media/information-pack.pdf"),
))

ENQUIRIES = Field("enquiries", "object", "Enquiries", required=True,
                  at_least_one=("email", "phone"), fields=(
    Field("name", "line", "Name", required=True),
    _PHONE,
    _EMAIL,
))

# -- keeping providers informed (issue 20): questions answered for every bidder, the
# round's events, and who was awarded what once it is complete
CLARIFICATIONS = Field("clarifications", "objects", "Questions and answers",
                       singular="question and answer", help="Each "
                       "question a bidder asked and the answer, published for every bidder "
                       "alike, with the date it was published.", fields=(
    Field("question", "text", "Question", required=True, example="Can a partnership apply?"),
    Field("answer", "text", "Answer", required=True, example="Yes, with a named lead."),
    Field("date", "date", "Published on", required=True),
))

EVENTS = Field("events", "objects", "Events", singular="event", help="Briefing sessions, site visits, "
               "shortlisting, interviews, the award and the contract start.",
               at_least_one=("place", "online"), before=("start", "end"),
               reach="so people know where it happens", fields=(
    Field("title", "line", "Title", required=True, example="Briefing session"),
    Field("start", "datetime", "Starts", required=True,
          help=_UK_TIME),
    Field("end", "datetime", "Ends", help="Later than the start."),
    Field("place", "line", "Place", help="Where it happens, as people would look for it.",
          example="County Hall, Hertford"),
    Field("online", "url", "Online at", help="The web address of an online session."),
    Field("booking", "text", "How to book", help="How to book a place, if people must."),
))

AWARDS = Field("awards", "objects", "Awards", singular="award", help="Each organisation awarded a contract.",
               fields=(
    Field("agency", "ref", "Agency", required=True, ref="agency"),
    Field("centres", "refs", "Centres it will run", ref="centre"),
    VALUE,
))

OUTCOME = Field("outcome", "object", "Outcome", help="Who was awarded what: only once the "
                "status is complete.", before=("contract_start", "contract_end"), fields=(
    Field("date", "date", "Decided on", required=True),
    AWARDS,
    Field("contract_start", "date", "Contracts start"),
    Field("contract_end", "date", "Contracts end"),
    Field("note", "text", "Note", help="Anything readers should know about the outcome."),
))

UPDATES = Field("updates", "objects", "Updates", singular="update", help="Each change made after it was "
                "published (the deadline moved, the round cancelled, a document replaced): "
                "what changed and the day, told on its page, in its feed and the open data, "
                "so providers who read it before learn of it.", fields=(
    Field("date", "date", "Changed on", required=True),
    Field("note", "text", "What changed", required=True,
          example="The deadline moved to midday on 12 February 2027."),
))

OPPORTUNITY_UPDATES = (CLARIFICATIONS, EVENTS, OUTCOME, UPDATES)

OPPORTUNITY = ContentType("opportunity", "opportunities", ".md", "Opportunities",
                          "opportunity", body="The description and how to apply.", fields=(
    _title(),
    Field("reference", "line", "Reference", required=True, example="CC-2027-01",
          help="Unique across opportunities."),
    Field("kind", "choice", "Kind", required=True, choices=OPPORTUNITY_KINDS,
          example="expression-of-interest"),
    Field("status", "choice", "Status", required=True, choices=OPPORTUNITY_STATUSES,
          example="planning", help="planning (upcoming), active (open for bids), complete "
          "or cancelled."),
    Field("published", "date", "Published", required=True),
    Field("opens", "date", "Open for bids from", help="The day bids open, when that is "
          "after it was published: a round first announced while it was being planned. "
          "Give it when you set the status to active, so providers following the round "
          "(its feed, the e-mail digest, the open data) are told it is open."),
    Field("deadline", "datetime", "Deadline", when=_OPENED,
          help=_UK_TIME),
    VALUE,
    Field("eligible_sectors", "list", "Who may bid", required=True, choices=SECTORS,
          example=["voluntary"]),
    Field("centres", "refs", "Centres concerned", ref="centre"),
    DOCUMENTS,
    ENQUIRIES,
    _summary(False),
    *OPPORTUNITY_UPDATES,
))

LESSON = ContentType("lesson", "lessons", ".md", "Lessons learned", "lesson",
                     body="The lesson.", fields=(
    _title(),
    _summary(True),
    Field("order", "integer", "Order in the list", help="1 comes first."),
    _TAGS,
))

NEWS = ContentType("news", "news", ".md", "News", "news item", body="The news.", fields=(
    _title(),
    Field("date", "date", "Date", required=True),
    _summary(True),
    _TAGS,
))

# "Have your say": consultations with families and communities (issue 20)
RESPOND = Field("respond", "object", "How to respond", required=True,
                at_least_one=("url", "email", "address"), reach="so people can respond",
                fields=(
    Field("url", "url", "Online form", help="The whole address of the survey or form."),
    _EMAIL,
    Field("address", "text", "Postal address", help="Where to send a written response."),
))

CONSULTATION = ContentType("consultation", "consultations", ".md", "Consultations",
                           "consultation", body="The background and the questions asked.",
                           fields=(
    _title(),
    _summary(True),
    Field("opens", "datetime", "Opens", required=True,
          help=_UK_TIME),
    Field("closes", "datetime", "Closes", required=True, help="Later than it opens."),
    Field("audience", "line", "Who it is for", help="Who we want to hear from.",
          suggested=True, example="Families who use the centre"),
    RESPOND,
    DOCUMENTS,
    Field("centres", "refs", "Centres concerned", ref="centre"),
    Field("outcome", "object", "Outcome", help="What we heard and what we will do: once "
          "it has closed.", fields=(
        Field("date", "date", "Published on", required=True),
        Field("summary", "line", "Summary", required=True),
        Field("body", "markdown", "You said, we did", required=True),
    )),
    # where families can come and say what they think, in their calendars too (not in
    # the shared content model, which gives events to opportunities only: an editor's
    # review had a drop-in session nowhere but the text)
    dataclasses.replace(EVENTS, help="Drop-in sessions and meetings where people can "
                        "come and have their say, in person or online."),
))

_PAGE_FIELDS = (
    _title(),
    _summary(False),
    Field("nav_order", "integer", "Place in the main menu", help="1, 2, 3...: shown in "
          "the main navigation in that order; leave empty to keep it out of the menu."),
)
PAGE = ContentType("page", "pages", ".md", "Pages", "page", body="The page.",
                   fields=_PAGE_FIELDS)
MEMBERS_PAGE = ContentType("members-page", "members/pages", ".md", "Members pages",
                           "members page", body="The page.", members=True,
                           fields=_PAGE_FIELDS)

GOOD_PRACTICE = ContentType("good-practice", "members/good-practice", ".md",
                            "Good practice", "good-practice post", members=True,
                            body="The practice: what you did, what worked, what to avoid.",
                            fields=(
    _title(),
    Field("author", "line", "Author", required=True,
          example="Change me (your full name)"),
    Field("agency", "ref", "Agency", required=True, ref="agency",
          example="example-community-trust"),
    Field("date", "date", "Date", required=True),
    _summary(True),
    _PAGE_TAGS,
))

DIRECTORY_ENTRY = Field("directory", "objects", "Managers", singular="manager", required=True,
                        at_least_one=("email", "phone"), fields=(
    Field("name", "line", "Name", required=True),
    Field("role", "line", "Role", required=True),
    Field("agency", "ref", "Agency", required=True, ref="agency"),
    _PHONE,
    _EMAIL,
    Field("topics", "list", "Ask about", required=True),
))
DIRECTORY = ContentType("directory", "members", ".yaml", "Managers' directory",
                        "directory", members=True, common=False, single_file=
                        "members/directory.yaml", list_of="directory",
                        fields=(DIRECTORY_ENTRY,))

_PROGRAMME = Field("programme", "object", "Programme", fields=(
    Field("targets", "objects", "Targets", singular="target", fields=(
        Field("date", "date", "By", required=True),
        Field("centres", "integer", "Centres", required=True, minimum=0),
        Field("label", "line", "Label", required=True),
    )),
    Field("milestones", "objects", "Milestones", singular="milestone", fields=(
        Field("date", "date", "Date", required=True),
        Field("title", "line", "Title", required=True),
        Field("opportunity", "ref", "Opportunity", ref="opportunity",
              help="The round this milestone is about: links to its outcome."),
    )),
))

_ACCESSIBILITY = Field("accessibility", "object", "Accessibility statement", help="The "
                       "settings the statement at /accessibility/ is made from.", fields=(
    Field("prepared", "date", "Prepared on", required=True),
    Field("compliance", "choice", "Compliance", choices=COMPLIANCE, default="partial"),
    Field("standard", "choice", "WCAG version", choices=WCAG_VERSIONS, default="2.2"),
    Field("reviewed", "date", "Last reviewed"),
    Field("tested", "date", "Last tested"),
    Field("tested_by", "line", "Tested by"),
    Field("response_days", "integer", "Days to answer", minimum=1, default=5),
    _EMAIL,
    _PHONE,
    Field("limitations", "list", "Known limitations"),
    Field("non_compliance", "objects", "Failures of the standard",
          singular="failure of the standard", fields=(
        Field("issue", "line", "Issue", required=True),
        Field("criteria", "list", "WCAG criteria"),
        Field("fix_by", "date", "To be fixed by"),
    )),
    Field("disproportionate_burden", "list", "Disproportionate burden"),
    Field("out_of_scope", "list", "Out of scope"),
    Field("improvements", "line", "What we do to improve"),
))

_EDITOR = Field("editor", "object", "Web editor", help="Publishes the web editor at "
                "/admin/, saving to a Git repository.", fields=(
    Field("backend", "choice", "Git host", required=True, choices=EDITOR_BACKENDS,
          example="github"),
    Field("repo", "line", "Repository", required=True, example="council/childrens-centres",
          help="owner/name on the Git host."),
    Field("branch", "line", "Branch", default="main"),
    Field("editorial_workflow", "boolean", "Review before publishing", default=False,
          help="Draft, in review, ready (GitHub and GitLab)."),
    Field("members", "boolean", "Edit the members area", default=False,
          help="Whoever can write to the repository can then read members content."),
    Field("base_url", "url", "OAuth server", help="Where the sign-in is handled "
          "(GitHub: your OAuth proxy; Gitea: the Gitea server)."),
    Field("auth_endpoint", "line", "OAuth path", help="The sign-in path on that server."),
    Field("api_root", "url", "API address", help="For GitLab or Gitea on your own server."),
    Field("app_id", "line", "OAuth application id", help="GitLab and Gitea."),
))

# The map families open on /centres/ and each centre's page ("Show map"): whose map
# pictures (tiles) it loads, only once asked; the CSP admits that host for images only.
MAP = Field("map", "object", "Map", help="Where the map pictures come from (default: "
            "OpenStreetMap); nothing is loaded from there until a visitor asks for the map.",
            fields=(
    Field("provider", "line", "Provider", default="OpenStreetMap",
          help="The name the 'Show map' button gives."),
    Field("tiles", "url", "Tile address", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
          help="https address with {z}, {x} and {y} (and {s} for a server letter)."),
    Field("attribution", "line", "Attribution", default="\u00a9 OpenStreetMap contributors",
          help="The credit the provider asks to be shown on the map."),
    Field("attribution_url", "url", "Attribution link",
          default="https://www.openstreetmap.org/copyright",
          help="Where the credit links to (the provider's copyright page)."),
    Field("max_zoom", "integer", "Closest zoom", minimum=1, default=19,
          help="The closest zoom the provider has pictures for."),
))

SITE = ContentType("site", "", ".yaml", "Site settings", "site settings", common=False,
                   single_file="site.yaml", fields=(
    Field("title", "line", "Site title", required=True),
    Field("base_url", "base_url", "Address", required=True, help="The whole address the site "
          "is published at, ending with / (https://childrenscentres.example.org/)."),
    Field("language", "language", "Language", default="en-GB",
          help="A language code: en-GB for English, cy for Welsh."),
    Field("organisation", "object", "Organisation", required=True, fields=(
        Field("name", "line", "Name", required=True),
        _PHONE,
        _EMAIL,
    )),
    Field("service_types", "labels", "Service types", required=True,
          help="One 'key: label' line per service; centres list the keys."),
    _PROGRAMME,
    Field("members", "object", "Members area", fields=(
        Field("title", "line", "Title", default="Members"),
        Field("protection", "choice", "Protection", choices=PROTECTIONS, default="server"),
        Field("contact", "object", "Who members ask", help="Who gives out new passphrases "
              "and takes good-practice posts; shown to members and on the sign-in help.",
              at_least_one=("email", "phone"), fields=(
            Field("name", "line", "Name", required=True, example="Network coordinator"),
            _EMAIL,
            _PHONE,
        )),
    )),
    Field("open_data", "object", "Open data", fields=(
        Field("licence", "line", "Licence", default="OGL-UK-3.0"),
        Field("ocid_prefix", "line", "OCDS prefix"),
    )),
    Field("extra", "free", "Extra (for the theme)"),
    Field("mailing_list", "object", "Mailing list", help="How people join the council's "
          "e-mail updates: a sign-up page, an address, or both.", at_least_one=("url", "email"),
          reach="so people can join", fields=(
        Field("url", "url", "Sign-up page"),
        _EMAIL,
    )),
    _ACCESSIBILITY,
    _EDITOR,
    MAP,
    CLOSURES,
    SCHOOL_HOLIDAYS,
))

# Every type, in the order the editor and the reference list them.
TYPES: tuple[ContentType, ...] = (CENTRE, AGENCY, OPPORTUNITY, CONSULTATION, LESSON, NEWS,
                                  PAGE, GOOD_PRACTICE, MEMBERS_PAGE, DIRECTORY, SITE)
BY_NAME = {t.name: t for t in TYPES}

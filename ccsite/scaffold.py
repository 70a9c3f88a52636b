"""`ccsite new TYPE "Title"`: a new content file an editor only has to fill in.

Every required field is written with a value that already builds (so the editor can look
at the page at once), the optional fields as comments that say what they are for, and
`draft: true` so placeholder text is never published by accident.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from .errors import ErrorList
from .fields import LOCAL_ZONE
from .graph import RESERVED_SLUGS, slugify
from .load import SECTIONS, load

KINDS = {kind: folder for folder, (kind, _) in SECTIONS.items()}


# what a new file says until the editor writes their own (checks.py warns of any left):
# in its fields, and as its whole text
PLACEHOLDERS = ("Change me", "CHANGE-ME", "Describe the centre: what families",
                "Describe the organisation in a sentence")
PLACEHOLDER_BODIES = {"The news item.", "The page.",
                      "What happened, what we learned, and what we do differently now.",
                      "What you did, what worked, and what you would do differently."}


class ScaffoldError(Exception):
    pass


def new_file(source: Path, kind: str, title: str, now: dt.datetime) -> Path:
    if not (source / "site.yaml").exists():
        raise ScaffoldError(f"{source} has no site.yaml; give the content folder with --source")
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("give a title, e.g. ccsite new news \"Centres open on Saturdays\"")
    folder = source / KINDS[kind]
    extension = SECTIONS[KINDS[kind]][1]
    slug = _slug(title) or kind
    path = folder / f"{slug}{extension}"
    if kind == "agency" and path.exists():  # an agency is one file: never a second one
        raise ScaffoldError(f"{path} is there already; edit it, or give the new agency "
                            "another name")
    number = 2
    while path.exists() or _slug_taken(folder, path.stem) or \
            (kind == "page" and path.stem in RESERVED_SLUGS):
        path = folder / f"{slug}-{number}{extension}"
        number += 1
    facts = _Facts.read(source)
    text = TEMPLATES[kind](title=_quoted(title), today=now.astimezone(LOCAL_ZONE).date(),
                          facts=facts, slug=path.stem)
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    return path


def _slug(title: str) -> str:
    """'Café opens in Bushey' -> 'cafe-opens-in-bushey': accents dropped, not the letter."""
    for letter, latin in _NO_ACCENT_FORM.items():
        title = title.replace(letter, latin)
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return slugify(plain)[:60].strip("-")


# letters that are not a plain letter with an accent, so NFKD would drop them
_NO_ACCENT_FORM = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
                   "đ": "d", "Đ": "D", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th"}


def _slug_taken(folder: Path, stem: str) -> bool:
    return any(p.stem == stem for p in folder.glob("*")) if folder.exists() else False


def _quoted(text: str) -> str:
    """A YAML scalar that is always read back as this exact text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Facts:
    """What a new file may refer to: the site's service types, agencies and contact."""

    def __init__(self, service: str, agency: str, org_name: str, org_email: str | None,
                 org_phone: str | None):
        self.service, self.agency = service, agency
        self.org_name, self.org_email, self.org_phone = org_name, org_email, org_phone

    @classmethod
    def read(cls, source: Path) -> "_Facts":
        from .config import read_site_config

        errors = ErrorList()
        folder = load(source, str(source), errors)
        config = read_site_config(folder.site, errors) if folder.site else None
        agencies = sorted(d.slug for d in folder.of_kind("agency"))
        service = next(iter(config.service_types), "early-education") if config else \
            "early-education"
        if config is None:
            return cls(service, agencies[0] if agencies else "", "The programme team",
                       "enquiries@example.org", None)
        org = config.organisation
        return cls(service, agencies[0] if agencies else "", org.name, org.email,
                   org.phone.national if org.phone else None)


DRAFT = "draft: true                # remove this line when the page is ready to publish\n"


def _centre(title, today, facts, slug):
    return f"""---
name: {title}
{DRAFT}district: Change me          # district or borough, e.g. Watford
phase: 1                    # 1, 2 or 3
status: planned             # planned, open or closed
address:
  street: Change me
  town: Change me
  postcode: "AA1 1AA"       # the centre's postcode
services: [{facts.service}]    # keys of service_types in site.yaml
# lead_agency: {facts.agency or 'agency-file-name'}    # needed once status is open
# opening_date: {today.isoformat()}          # needed once status is open
# location: {{lat: 51.75, lon: -0.34}}
# opening_hours:
#   - {{days: [mon, tue, wed, thu, fri], opens: "09:00", closes: "17:00"}}
# phone: "01632 960000"
# email: centre@example.org
# website: https://example.org/
# summary: One plain sentence about the centre.
---
Describe the centre: what families can find there, and how to get there.
"""


def _agency(title, today, facts, slug):
    return f"""name: {title}
sector: voluntary           # private, voluntary, independent, school or statutory
# website: https://example.org/
# contact:                  # the contact shown publicly
#   name: Full name
#   role: Centre manager
#   phone: "01632 960000"
#   email: name@example.org
about: Describe the organisation in a sentence or two.
"""


def _opportunity(title, today, facts, slug):
    reach = f"email: {facts.org_email}" if facts.org_email else f'phone: "{facts.org_phone}"'
    return f"""---
title: {title}
{DRAFT}reference: CHANGE-ME-{slug.upper()[:20]}   # unique reference
kind: expression-of-interest   # expression-of-interest, tender or grant
status: planning            # planning, active, complete or cancelled
published: {today.isoformat()}
eligible_sectors: [voluntary, private, independent, school, statutory]
enquiries:
  name: {_quoted(facts.org_name)}
  {reach}
# deadline: {today.isoformat()}T12:00:00Z   # needed once status is active (Z in UK winter time, +01:00 in summer)
# value: {{amount: 100000, currency: GBP}}
# centres: [centre-file-name]
# documents:
#   - {{title: Information pack, url: media/information-pack.pdf}}
# summary: One plain sentence about the opportunity.
---
## What we are looking for

## Who can apply

## How to apply
"""


def _lesson(title, today, facts, slug):
    return f"""---
title: {title}
{DRAFT}summary: Change me, the lesson in one plain sentence.
# order: 5                  # its place in the list of lessons
# tags: [commissioning]
---
What happened, what we learned, and what we do differently now.
"""


def _news(title, today, facts, slug):
    return f"""---
title: {title}
{DRAFT}date: {today.isoformat()}
summary: Change me, the news in one plain sentence.
# tags: [news]
---
The news item.
"""


def _page(title, today, facts, slug):
    return f"""---
title: {title}
{DRAFT}# summary: One plain sentence about the page.
# nav_order: 5              # set to show the page in the main navigation
---
The page.
"""


def _good_practice(title, today, facts, slug):
    return f"""---
title: {title}
{DRAFT}author: Your name
agency: {facts.agency or 'your-agency-file-name'}
date: {today.isoformat()}
summary: Change me, what worked, in one plain sentence.
# tags: [outreach]
---
What you did, what worked, and what you would do differently.
"""


TEMPLATES = {"centre": _centre, "agency": _agency, "opportunity": _opportunity,
             "lesson": _lesson, "news": _news, "page": _page,
             "good-practice": _good_practice, "members-page": _page}

"""site.yaml -> SiteConfig, validated like any other content file."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from .errors import ErrorList
from .fields import SLUG_RE, Fields, is_web_url
from .load import RawDocument
from .model import (PROTECTIONS, AccessibilitySettings, Milestone, NonCompliance,
                    Organisation, SiteConfig, Target)

DEFAULT_LICENCE = "OGL-UK-3.0"


LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _language(f: Fields) -> str:
    """The language tag of every page (`<html lang>`): screen readers choose their voice
    by it, so a name ('English') is refused, not published."""
    language = f.text("language")
    if language is not None and not LANGUAGE_RE.match(language):
        f.error("language", f.line_of("language"), f"'{language}' is not a language code; "
                "write en-GB for English (cy for Welsh)")
        return "en-GB"
    return language or "en-GB"


def read_site_config(document: RawDocument, errors: ErrorList) -> SiteConfig | None:
    """Read site.yaml; returns None when it is too broken to build with."""
    f = Fields(document.data, document.line, document.path, errors)
    title = f.one_line("title", required=True)
    base_url = _base_url(f)
    language = _language(f)
    organisation = _organisation(f)
    service_types = _service_types(f)
    targets, milestones = _programme(f)
    members_title, protection = _members(f)
    licence, ocid_prefix = _open_data(f)
    extra = f.free_mapping("extra")
    accessibility = _accessibility(f)
    f.finish()
    if None in (title, base_url, organisation) or service_types is None:
        return None
    return SiteConfig(
        title=title, base_url=base_url, base_path=urlsplit(base_url).path,
        language=language, organisation=organisation, service_types=service_types,
        targets=targets, milestones=milestones, members_title=members_title,
        protection=protection, licence=licence, ocid_prefix=ocid_prefix,
        extra=extra, accessibility=accessibility,
    )


def _base_url(f: Fields) -> str | None:
    url = f.text("base_url", required=True)
    if url is None:
        return None
    if not is_web_url(url) or not url.endswith("/") or "?" in url or "#" in url:
        f.error("base_url", f.line_of("base_url"), f"'{url}' must be an absolute http(s) "
                "address ending in / (e.g. https://childrenscentres.example.org/)")
        return None
    return url


def _organisation(f: Fields) -> Organisation | None:
    org = f.mapping("organisation", required=True)
    if org is None:
        return None
    result = Organisation(name=org.one_line("name", required=True) or "",
                          phone=org.phone("phone"), email=org.email("email"))
    org.finish()
    return result


def _service_types(f: Fields) -> dict[str, str] | None:
    types = f.mapping("service_types", required=True)
    if types is None:
        return None
    result: dict[str, str] = {}
    for key, line in types.data.key_lines.items():
        if not SLUG_RE.match(key):
            types.error(key, line, "a service type key must be lower-case letters, digits "
                        "and hyphens (e.g. family-support)")
            types.used.add(key)
            continue
        # a key with a broken label is still a key: centres using it are not wrong too
        result[key] = types.one_line(key, required=True) or key
    if not types.data.items:  # centres must list at least one service, from these keys
        f.error("service_types", f.line_of("service_types"), "is empty; give at least one "
                "'key: label' line (e.g. family-support: Family support and outreach)")
        return None
    return result


def _programme(f: Fields) -> tuple[tuple[Target, ...], tuple[Milestone, ...]]:
    programme = f.mapping("programme")
    if programme is None:
        return (), ()
    targets = []
    for t in programme.mappings("targets"):
        date, centres, label = t.date("date", True), t.integer("centres", True, minimum=0), \
            t.one_line("label", True)
        t.finish()
        if date and centres is not None and label:
            targets.append(Target(date, centres, label))
    milestones = []
    for m in programme.mappings("milestones"):
        date, title = m.date("date", True), m.one_line("title", True)
        m.finish()
        if date and title:
            milestones.append(Milestone(date, title))
    programme.finish()
    return (tuple(sorted(targets, key=lambda t: t.date)),
            tuple(sorted(milestones, key=lambda m: m.date)))


def _members(f: Fields) -> tuple[str, str]:
    members = f.mapping("members")
    if members is None:
        return "Members", "server"
    title = members.one_line("title") or "Members"
    protection = members.choice("protection", PROTECTIONS) or "server"
    members.finish()
    return title, protection


def _open_data(f: Fields) -> tuple[str, str | None]:
    data = f.mapping("open_data")
    if data is None:
        return DEFAULT_LICENCE, None
    licence = data.one_line("licence") or DEFAULT_LICENCE
    prefix = data.one_line("ocid_prefix")
    data.finish()
    return licence, prefix


def _accessibility(f: Fields) -> AccessibilitySettings | None:
    """The settings the accessibility statement at /accessibility/ is made from."""
    a = f.mapping("accessibility")
    if a is None:
        return None
    prepared = a.date("prepared", required=True)
    failures = []
    for item in a.mappings("non_compliance"):
        issue = item.one_line("issue", required=True)
        failures.append(NonCompliance(issue or "", item.text_list("criteria"),
                                      item.date("fix_by")))
        item.finish()
    settings = AccessibilitySettings(
        prepared=prepared or dt.date.min,
        compliance=a.choice("compliance", ("full", "partial", "not")) or "partial",
        standard=a.choice("standard", ("2.1", "2.2")) or "2.2",
        reviewed=a.date("reviewed"), tested=a.date("tested"),
        tested_by=a.one_line("tested_by") or "",
        response_days=a.integer("response_days", minimum=1) or 5,
        email=a.email("email"), phone=a.phone("phone"),
        limitations=a.text_list("limitations"), non_compliance=tuple(failures),
        disproportionate_burden=a.text_list("disproportionate_burden"),
        out_of_scope=a.text_list("out_of_scope"),
        improvements=a.one_line("improvements") or "")
    a.finish()
    return settings if prepared else None

"""site.yaml -> SiteConfig, validated like any other content file (its fields are
declared in schema.SITE and read by validate.read_fields)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ErrorList
from .fields import Fields
from .load import ContentFolder, RawDocument, load
from .model import (AccessibilitySettings, EditorSettings, MailingList, MapSettings,
                    Milestone, NonCompliance, Organisation, SiteConfig, Target)
from .schema import SITE
from .validate import Reading, closures, contact as _contact, placeholders, read_fields

DEFAULT_LICENCE = SITE.field("open_data").field("licence").default


def site_config(source: Path, folder: ContentFolder | None = None) -> SiteConfig | None:
    """The site settings of a content folder, or None where it has none that read
    (a new file, a schema or the editor's forms are still made, with defaults)."""
    errors = ErrorList()
    folder = folder or load(source, str(source), errors)
    return read_site_config(folder.site, errors) if folder.site else None


def read_site_config(document: RawDocument, errors: ErrorList) -> SiteConfig | None:
    """Read site.yaml; returns None when it is too broken to build with."""
    f = Fields(document.data, document.line, document.path, errors)
    v = read_fields(f, SITE.fields, Reading())
    f.finish()
    if None in (v["title"], v["base_url"], v["organisation"], v["service_types"]):
        return None
    members, open_data = v["members"] or {}, v["open_data"] or {}
    targets, milestones = _programme(v["programme"])
    org = v["organisation"]
    return SiteConfig(
        title=v["title"], base_url=v["base_url"], base_path=urlsplit(v["base_url"]).path,
        language=v["language"] or "en-GB",
        organisation=Organisation(name=org["name"] or "", phone=org["phone"],
                                  email=org["email"]),
        service_types=v["service_types"], targets=targets, milestones=milestones,
        members_title=members.get("title") or "Members",
        protection=members.get("protection") or "server",
        members_contact=_contact(members.get("contact")),
        licence=open_data.get("licence") or DEFAULT_LICENCE,
        ocid_prefix=open_data.get("ocid_prefix"), extra=v["extra"],
        accessibility=_accessibility(v["accessibility"]), editor=_editor(v["editor"], f),
        mailing_list=_mailing_list(v["mailing_list"]), map=_map(v["map"], f),
        closures=closures(v["closures"]),
        school_holidays=closures(v["school_holidays"], "starts", "ends", "name"),
        source=document.path, placeholders=placeholders(v, f.lines), lines=dict(f.lines),
    )


def _programme(p: dict | None) -> tuple[tuple[Target, ...], tuple[Milestone, ...]]:
    if p is None:
        return (), ()
    targets = [Target(t["date"], t["centres"], t["label"]) for t in p["targets"]
               if t["date"] and t["centres"] is not None and t["label"]]
    milestones = [Milestone(m["date"], m["title"], m["opportunity"], m["_line"])
                  for m in p["milestones"] if m["date"] and m["title"]]
    return (tuple(sorted(targets, key=lambda t: t.date)),
            tuple(sorted(milestones, key=lambda m: m.date)))


def _accessibility(a: dict | None) -> AccessibilitySettings | None:
    """The settings the accessibility statement at /accessibility/ is made from."""
    if a is None or a["prepared"] is None:
        return None
    failures = tuple(NonCompliance(item["issue"] or "", item["criteria"], item["fix_by"])
                     for item in a["non_compliance"])
    return AccessibilitySettings(
        prepared=a["prepared"], compliance=a["compliance"] or "partial",
        standard=a["standard"] or "2.2", reviewed=a["reviewed"], tested=a["tested"],
        tested_by=a["tested_by"] or "", response_days=a["response_days"] or 5,
        email=a["email"], phone=a["phone"], limitations=a["limitations"],
        non_compliance=failures, disproportionate_burden=a["disproportionate_burden"],
        out_of_scope=a["out_of_scope"], improvements=a["improvements"] or "")


def _editor(e: dict | None, f: Fields) -> EditorSettings | None:
    """Where the published web editor saves (see editor/decap.py)."""
    if e is None or not e["backend"] or not e["repo"]:
        return None
    told = {error.field for error in f.errors.errors if error.path == f.path}
    for name, line, message in _cannot_sign_in(e, HOSTS[e["backend"]], f.lines):
        if f"editor.{name}" not in told:  # a value told wrong is not missing too
            f.errors.add(f.path, line, f"editor.{name}", message)
    return EditorSettings(backend=e["backend"], repo=e["repo"], branch=e["branch"] or "main",
                          editorial_workflow=e["editorial_workflow"], members=e["members"],
                          base_url=e["base_url"], auth_endpoint=e["auth_endpoint"],
                          api_root=e["api_root"], app_id=e["app_id"])


@dataclass(frozen=True)
class GitHost:
    """What a Git host needs for the published editor to sign anyone in (README: "The
    editor on the published site"): each mistake here would only show on /admin/, as a
    sign-in that fails, long after the build said all was well."""

    name: str  # as people write it: GitHub
    needs: tuple[tuple[str, str], ...]  # (setting, what to give) it cannot sign in without
    repo: re.Pattern  # what `repo` must look like there
    repo_form: str  # how the message says it
    editorial_workflow: bool = True  # whether Decap has one for it


_PART = r"[A-Za-z0-9_.-]+"
_APP_ID = ("app_id", "the id of the OAuth application you create on {host} (Settings > "
           "Applications), with the redirect URL <your site>/admin/")
HOSTS = {
    "github": GitHost("GitHub", (
        ("base_url", "the address of your OAuth server (GitHub hands no token to a page "
         "itself: run one of Decap's OAuth providers, as the README says)"),),
        re.compile(rf"{_PART}/{_PART}"), "owner/name"),
    # GitLab keeps projects in groups within groups: group/subgroup/name
    "gitlab": GitHost("GitLab", (_APP_ID,), re.compile(rf"{_PART}(/{_PART})+"),
                      "owner/name (or group/subgroup/name)"),
    "gitea": GitHost("Gitea", (
        _APP_ID, ("base_url", "the address of your Gitea server (https://gitea.example.org)"),
        ("api_root", "the address of its API (https://gitea.example.org/api/v1)")),
        re.compile(rf"{_PART}/{_PART}"), "owner/name", editorial_workflow=False),
}


def _cannot_sign_in(e: dict, host: GitHost, lines: dict[str, int]):
    """(setting, line, message) of each `editor:` setting without which `host` cannot
    sign an editor in, or that it does not have."""
    def where(name: str) -> int:  # a setting left out: the section's line
        return lines.get(f"editor.{name}", e["_line"])

    if not host.repo.fullmatch(e["repo"]):
        yield "repo", where("repo"), (f"'{e['repo']}' must be the repository as "
                                      f"{host.repo_form} on {host.name}, e.g. "
                                      "council/childrens-centres")
    for name, what in host.needs:
        if not e[name]:
            yield name, where(name), (f"is required for {host.name}: "
                                      f"{what.format(host=host.name)}")
    if e["editorial_workflow"] and not host.editorial_workflow:
        yield "editorial_workflow", where("editorial_workflow"), (
            f"Decap has no editorial workflow for {host.name}: changes go straight to the "
            "branch; remove this line (or set it to false)")


def _mailing_list(m: dict | None) -> MailingList | None:
    """How people join the council's e-mail updates (the /subscribe/ page says it)."""
    if m is None or not (m["url"] or m["email"]):
        return None
    return MailingList(url=m["url"], email=m["email"])


def _map(m: dict | None, f: Fields) -> MapSettings:
    """Whose map pictures "Show map" loads. The tile address must be https (a page on
    https loads no plain-http picture) and say where zoom, x and y go."""
    if m is None:
        return MapSettings()
    tiles = m["tiles"]
    if tiles is not None:
        missing = [part for part in ("{z}", "{x}", "{y}") if part not in tiles]
        if not tiles.startswith("https://") or missing:
            why = "start with https://" if not tiles.startswith("https://") else \
                f"say where {', '.join(missing)} go{'es' if len(missing) == 1 else ''}"
            f.errors.add(f.path, f.lines.get("map.tiles", f.line), "map.tiles",
                         f"'{tiles}' must {why}, as map providers give it (e.g. "
                         f"{MapSettings.tiles})")
            tiles = None
    given = {name: value for name, value in (
        ("provider", m["provider"]), ("tiles", tiles), ("attribution", m["attribution"]),
        ("attribution_url", m["attribution_url"]), ("max_zoom", m["max_zoom"]))
        if value is not None}
    return MapSettings(**given)

"""The web editor's configuration: Decap CMS's `config.yml`, made from ccsite.schema.

Never written by hand: every content type of the declaration becomes a collection and
every field a widget, so a field added to schema.py is editable at once, with the same
required flag, choices and patterns as the validator. What Decap cannot check (a field
required only when another has some value, at least one of two fields, opens before
closes) is an optional field with a hint: the save is checked by ccsite's own validator
anyway (local mode: the proxy refuses it; a Git backend: the CI build).

Two modes:
- `local`: `ccsite serve`'s editor. The proxy backend at /admin/api/v1 works on the
  content folder itself, so paths are relative to it (`centres`, `media`).
- `published`: /admin/ in the public site, saving to the Git host named by site.yaml's
  `editor:` section; paths are relative to the repository (`content/centres`).

What Decap cannot edit is left out, and its file keeps it (see merge.py): `extra` (free
settings for the theme) and site.yaml's `service_types` (free keys). The managers'
directory, a top-level list (Decap issue #531), is edited in local mode through the
proxy, which shows it to Decap as `directory: [...]` and writes it back as the list it
is; in published mode it is left to text editing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .. import schema
from ..fields import FORM_PATTERNS
from ..schema import ContentType, Field

MODES = ("local", "published")
API_PATH = "admin/api/v1"  # the proxy backend, under the preview server's root

# Patterns Decap checks as the editor types: the validator's own (fields.FORM_PATTERNS,
# written so that JavaScript and Python read them alike), with what to write instead.
_HOW = {
    "slug": "Lower-case letters, digits and single hyphens, e.g. north-watford.",
    "email": "An e-mail address, e.g. name@example.org.",
    "phone": "A UK phone number: 01632 960000 or +44 1632 960000.",
    "postcode": "A UK postcode, e.g. WD17 1AB.",
    "url": "The whole address, starting https://.",
    "time": "24-hour time, e.g. 09:30.",
    "language": "A language code: en-GB for English, cy for Welsh.",
    "base_url": "The whole address the site is published at, ending with /.",
}
# Decap tells a value that does not match as "<label> didn't match the pattern: <how>.",
# its own full stop after ours: so ours is left off ("e.g. 09:30.." on the form)
PATTERNS: dict[str, tuple[str, str]] = {kind: (FORM_PATTERNS[kind], how.rstrip("."))
                                        for kind, how in _HOW.items()}

# Where each type's page is on the site (graph.py gives the same addresses), for the
# editor's "view on the preview" link. A `slug:` field moves the page; the link follows
# the file name.
PREVIEW_PATHS = {
    "centre": "centres/{{slug}}/", "agency": "agencies/{{slug}}/",
    "opportunity": "opportunities/{{slug}}/", "consultation": "consultations/{{slug}}/",
    "lesson": "lessons/{{slug}}/",
    "news": "news/{{slug}}/", "page": "{{slug}}/",
    "good-practice": "members/good-practice/{{slug}}/", "members-page": "members/{{slug}}/",
}

# Dates are written as the content model asks: a date as YYYY-MM-DD, a date-time with
# its zone (Day.js `Z`: +01:00 in British summer time, +00:00 in winter).
DATE = {"widget": "datetime", "date_format": "YYYY-MM-DD", "time_format": False,
        "picker_utc": True}
DATETIME = {"widget": "datetime", "format": "YYYY-MM-DD[T]HH:mm:ssZ",
            "date_format": "YYYY-MM-DD", "time_format": "HH:mm"}
NOT_EDITABLE = ("free", "labels")  # kept in the file as written (see merge.py)
_WIDGETS = {"line": "string", "text": "text", "markdown": "markdown", "boolean": "boolean",
            "email": "string", "phone": "string", "url": "string", "postcode": "string",
            "slug": "string", "time": "string", "language": "string", "base_url": "string"}


@dataclass(frozen=True)
class _Context:
    """What a widget needs beyond its field: where files are, the site's vocabularies."""

    root: str  # the content folder as the backend sees it: '' (local) or 'content'
    vocabularies: dict[str, dict[str, str]]
    members: bool  # in a members collection: files go to members/media

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    def media(self) -> str:
        return self.path("members/media" if self.members else "media")


COLLECTIONS = tuple(t.name for t in schema.TYPES)  # every collection the editor may have


def config(site_config, content_dir: str = "content", mode: str = "local",
           base_url: str | None = None) -> dict:
    """The Decap configuration for a site: `site_config` is its SiteConfig (site.yaml
    read), `content_dir` the content folder's path in the repository (published mode;
    in local mode the proxy serves the content folder itself, so paths start there),
    `base_url` where the editor's links to pages lead (the preview server in local
    mode; the site's address by default)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    editor = _editor_settings(site_config)
    site_url = base_url or site_config.base_url
    root = "" if mode == "local" else str(content_dir).strip("/")
    vocabularies = {"service_types": dict(site_config.service_types)}
    with_members = mode == "local" or bool(editor.get("members"))
    collections = [collection(t, _Context(root, vocabularies, t.members))
                   for t in schema.TYPES
                   if (with_members or not t.members) and _editable(t, mode)]
    result: dict[str, Any] = {
        "backend": _backend(mode, editor, site_url),
        "site_url": site_url, "display_url": site_url, "show_preview_links": True,
        "locale": "en",
        "media_folder": _Context(root, {}, False).media(),
        "public_folder": "/media",  # a body's image or link: a site path (bodies.py)
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": collections,
    }
    if mode == "published" and editor.get("editorial_workflow") and \
            editor.get("backend") in ("github", "gitlab"):
        result["publish_mode"] = "editorial_workflow"
    return result


def dump(configuration: dict) -> str:
    """The configuration as config.yml (YAML, in the order it was made)."""
    return "# Made by ccsite from its content model (ccsite/schema.py): do not edit.\n" + \
        yaml.safe_dump(configuration, sort_keys=False, allow_unicode=True, width=100)


BODY_LABEL = "Text"  # a document's body, as the form names it


def collection(ctype: ContentType, ctx: _Context) -> dict:
    """One content type as a Decap collection: a folder of files, or one file."""
    label = f"Members: {ctype.label}" if ctype.members and \
        not ctype.label.startswith("Members") else ctype.label
    fields = [widget(f, ctx) for f in ctype.all_fields if f.kind not in NOT_EDITABLE]
    if ctype.body:
        fields.append({"name": "body", "label": BODY_LABEL, "widget": "markdown",
                       "required": False, "hint": ctype.body})
    extension = ctype.extension.lstrip(".")
    if ctype.single_file:
        return {"name": ctype.name, "label": label, "delete": False, "editor":
                {"preview": False},
                "files": [{"name": ctype.name, "label": ctype.label.capitalize(),
                           "file": ctx.path(ctype.single_file), "fields": fields}]}
    result = {
        "name": ctype.name, "label": label, "label_singular": ctype.singular,
        "description": ctype.body or f"One file per {ctype.singular} in "
                                     f"{ctype.folder}/.",
        "folder": ctx.path(ctype.folder), "extension": extension,
        "format": "frontmatter" if extension == "md" else "yaml",
        "create": True, "delete": True, "slug": "{{slug}}",
        "identifier_field": ctype.summary_field,
        **_listed(ctype),
        "fields": fields,
    }
    if ctype.name in PREVIEW_PATHS:
        result["preview_path"] = PREVIEW_PATHS[ctype.name]
    if ctype.members:  # a members post's images and files stay members-only
        result["media_folder"] = "/" + ctx.media()
        result["public_folder"] = "/members/media"
    return result


def _listed(ctype: ContentType) -> dict:
    """How a collection's entries are listed: by their name (centres were listed by file
    name, "Thorley Children's Centre" between Berkhamsted and Bishop's Stortford), or,
    where they are dated (news), newest first with the date shown; a draft says so (an
    editor's review)."""
    names = {f.name: f for f in ctype.all_fields}
    name = ctype.summary_field
    by_name = {"field": name, "label": names[name].label}
    summary = "{{" + name + "}}"
    if "draft" in names:
        summary = "{{draft | ternary('Draft: ', '')}}" + summary
    if "date" in names and names["date"].kind == "date":
        return {"summary": summary + " ({{date | date('D MMM YYYY')}})",
                "sortable_fields": [{"field": "date", "label": names["date"].label,
                                     "default_sort": "desc"}, by_name]}
    return {"summary": summary, "sortable_fields": [{**by_name, "default_sort": True}]}


def widget(field: Field, ctx: _Context, parent_required: bool = True) -> dict:
    """One field as a Decap widget. A field required inside an optional mapping is
    required only once that mapping is given: optional with a hint, as Decap would
    otherwise insist on it while the mapping is left out."""
    required = field.required and parent_required
    result: dict[str, Any] = {"name": field.name, "label": field.label,
                              "required": required}
    result.update(_kind(field, ctx, required))
    hints = [field.help] if field.help else []
    if field.when is not None:
        hints.append(f"Required{field.when.why}.")
    elif field.required and not required:
        hints.append("Required when this part is filled in.")
    if field.at_least_one:
        hints.append("Give at least one of: " + ", ".join(
            field.field(name).label.lower() for name in field.at_least_one) + ".")
    if field.before:
        earlier, later = (field.field(name).label for name in field.before)
        hints.append(f"{earlier} must be before {later}.")
    if field.default is not None and parent_required:
        result["default"] = field.default
    elif field.default is not None:  # inside an optional part, a default fills that part
        # in by itself, and Decap then asks for the rest (an award's value: "Amount is
        # required" for a currency it had put there: an editor's review)
        hints.append(f"{field.default} if left empty.")
    if hints:
        result["hint"] = " ".join(hints)
    return result


def _kind(field: Field, ctx: _Context, required: bool) -> dict:
    """The widget and its options for the field's kind (see schema.Kind)."""
    kind = field.kind
    if kind == "choice" or (kind == "integer" and field.choices):
        return {"widget": "select", "options": _options(field, ctx)}
    if kind == "list" and (field.choices or field.vocabulary):
        return {"widget": "select", "multiple": True, **_list_bounds(required),
                "options": _options(field, ctx)}
    if kind == "list":
        return {"widget": "list", "field": {"name": "item", "label": field.label,
                                            "widget": "string"}, **_list_bounds(required)}
    if kind in ("integer", "number"):
        options = {"widget": "number", "value_type": "int" if kind == "integer" else "float"}
        if field.minimum is not None:
            options["min"] = field.minimum
        if field.maximum is not None:
            options["max"] = field.maximum
        if kind == "number":  # a map position to a few metres; money to the penny
            options["step"] = 0.0001 if "degrees" in field.unit else 0.01
        return options
    if kind == "date":
        return dict(DATE)
    if kind in ("datetime", "moment"):
        return dict(DATETIME)
    if kind in ("ref", "refs"):
        target = schema.BY_NAME[field.ref]
        return {"widget": "relation", "collection": target.name,
                "value_field": "{{slug}}", "search_fields": [target.summary_field],
                "display_fields": [target.summary_field], "options_length": 500,
                **({"multiple": True} if kind == "refs" else {})}
    if kind == "object":
        return {"widget": "object", "collapsed": False,
                "fields": [widget(f, ctx, required) for f in field.fields]}
    if kind == "objects":
        summary = next((f.name for f in field.fields if f.kind in ("line", "date")), None)
        # an optional list starts empty: inside a mapping (an outcome's awards) Decap
        # would otherwise start it with one blank item, which the form then insists on
        return {"widget": "list", "collapsed": False, **_list_bounds(required),
                **({} if required else {"default": []}),
                **({"summary": "{{fields." + summary + "}}"} if summary else {}),
                **({"label_singular": field.singular} if field.singular else {}),
                "fields": [widget(f, ctx) for f in field.fields]}
    if kind == "document":
        # stored as the validator reads it: media/<file> (members/media/<file>)
        folder = ctx.media()
        return {"widget": "file", "choose_url": True, "media_folder": "/" + folder,
                "public_folder": "members/media" if ctx.members else "media"}
    options = {"widget": _WIDGETS[kind]}
    if kind in PATTERNS:
        options["pattern"] = list(PATTERNS[kind])
    return options


def _options(field: Field, ctx: _Context) -> list:
    """The choices as Decap's select shows them: each by its name, as the site says it
    ("Voluntary and community", "Monday", "Expression of interest"), the file keeping
    its code (the form showed "voluntary", "mon", "expression-of-interest": an editor's
    review)."""
    if field.vocabulary:
        return [{"label": label, "value": key}
                for key, label in ctx.vocabularies[field.vocabulary].items()]
    return [{"label": _choice_name(choice), "value": choice} for choice in field.choices]


_CHOICE_NAMES = {"github": "GitHub", "gitlab": "GitLab", "full": "Fully compliant",
                 "partial": "Partially compliant", "not": "Not compliant"}


def _choice_name(choice: Any) -> str:
    """A choice's name: the site's own, else its code in words ("term-time" -> "Term
    time"); a code in capitals (a currency: GBP) and a number as they are."""
    from ..render import KIND_NAMES, SECTOR_NAMES
    from ..timetable import DAY_NAMES

    if not isinstance(choice, str) or choice.isupper():
        return str(choice)
    named = {**SECTOR_NAMES, **KIND_NAMES, **DAY_NAMES, **_CHOICE_NAMES}
    return named.get(choice) or choice.replace("-", " ").replace("_", " ").capitalize()


def _list_bounds(required: bool) -> dict:
    return {"min": 1} if required else {}


def _editable(ctype: ContentType, mode: str) -> bool:
    """Decap edits a mapping; the directory is a top-level list, which only the local
    proxy can show it as one (see proxy.py)."""
    return not ctype.list_of or mode == "local"


def _editor_settings(site_config) -> dict:
    """site.yaml's `editor:` section as a mapping ({} when there is none)."""
    editor = getattr(site_config, "editor", None)
    if editor is None:
        return {}
    if isinstance(editor, dict):
        return editor
    return {name: getattr(editor, name) for name in
            (f.name for f in schema.SITE.field("editor").fields) if hasattr(editor, name)}


def _backend(mode: str, editor: dict, site_url: str) -> dict:
    if mode == "local":
        return {"name": "proxy", "proxy_url": site_url.rstrip("/") + "/" + API_PATH,
                "branch": "main"}
    if not editor.get("backend"):
        raise ValueError("published mode needs site.yaml's editor: section (backend, repo)")
    backend = {"name": editor["backend"], "repo": editor["repo"],
               "branch": editor.get("branch") or "main"}
    for name in ("base_url", "auth_endpoint", "api_root", "app_id"):
        if editor.get(name):
            backend[name] = editor[name]
    if editor["backend"] in ("gitlab", "gitea") and editor.get("app_id"):
        backend["auth_type"] = "pkce"
    return backend

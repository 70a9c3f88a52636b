"""A build's mistake or warning as the web editor's form shows its fields.

The command line's `path:line: sessions[3].ends: must be later than starts (11:00)` is
for a text editor. The form has no lines, and counts from 1: there the same mistake reads
"Sessions, the 4th: Ends: must be later than starts (11:00)" (found by an editor's review:
a server path, a line number and a field name in YAML, with a count from 0). The labels
are the form's own, from the content model's one declaration (schema.py)."""
from __future__ import annotations

import re

from .. import load, schema
from ..errors import ContentError, printable
from .decap import BODY_LABEL

_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
_THAN = re.compile(r"\bthan ([a-z_]+)\b")


def in_form_words(error: ContentError, rel: str | None) -> str:
    """`error` told by the form's labels when it is of the file `rel` (the one saved) and
    its field is one the form has; else as the command line tells it."""
    if error.field == "media":  # an upload: by its name, which the editor chose (the
        name = error.path.rpartition("/")[2]  # folder's path on the server, its line 1
        # and the field "media" meant nothing there: an editor's review), once
        return printable(error.message if error.message.startswith(f"'{name}'")
                         else f"{name}: {error.message}")
    fields = _fields_of(rel)
    if fields is not None and error.field == "file" and \
            any(field.name == "slug" for field in fields):  # the file's name is its address,
        # which the form gives as 'Address (slug)' (a page titled "Search" was told as the
        # command line's line, path and all: an editor's review)
        error = ContentError(error.path, error.line, "slug", error.message)
    if fields is None or error.field in ("", "file", "front matter"):
        return str(error)
    if error.field == "body":
        return printable(f"{BODY_LABEL}: {error.message}")
    found = _labels(error.field, fields)
    if found is None:
        return str(error)
    where, siblings = found
    # "must be later than starts (09:30)": the other field by its label too
    message = _THAN.sub(lambda m: f"than {siblings[m[1]].label}" if m[1] in siblings
                        else m[0], error.message)
    return printable(f"{where}: {message}")


def naming_words(error: ContentError, rel: str | None, name: str | None) -> str:
    """Where another file names what a deletion would take away, in the form's words:
    "The opportunity 'Family outreach for Hitchin' names it under Outcome: Awards, the
    1st: Centres it will run". Told as the validator's line about that file ('...md:12:
    centres[0]: ... does not name a file in centres/ (did you mean ...?)'), it was a
    developer's message, with a suggestion that made no sense for a deletion (an
    editor's review)."""
    kind = load.kind_of(rel) if rel else None
    content_type = schema.BY_NAME.get(kind) if kind else None
    if content_type is None:
        return str(error)
    item = f"The {content_type.singular} '{name}'" if name else \
        f"The {content_type.singular} in {rel}"
    if error.field == "link":  # a page's text links to a file the deletion would take
        return printable(f"{item} links to it in its text")
    found = _labels(error.field, content_type.all_fields)
    where = found[0] if found is not None else error.field
    return printable(f"{item} names it under {where}")


def _fields_of(rel: str | None) -> tuple[schema.Field, ...] | None:
    kind = load.kind_of(rel) if rel else None
    content_type = schema.BY_NAME.get(kind) if kind else None
    return content_type.all_fields if content_type is not None else None


def _labels(path: str, fields: tuple[schema.Field, ...]
            ) -> tuple[str, dict[str, schema.Field]] | None:
    """'sessions[3].ends' -> 'Sessions, the 4th: Ends', with the fields beside the last
    (by name); None for a path the form lacks."""
    said = []
    siblings = fields
    for step in path.split("."):
        siblings = fields
        found = _STEP.fullmatch(step)
        field = next((f for f in fields if found and f.name == found[1]), None)
        if field is None:
            return None
        said.append(field.label if found[2] is None else
                    f"{field.label}, the {_ordinal(int(found[2]) + 1)}")
        fields = field.fields
    return ": ".join(said), {f.name: f for f in siblings}


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"

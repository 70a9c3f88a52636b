"""The content-model reference for editors (docs/content-model.md), made from schema.py.

`ccsite reference` prints it; the copy in the repository is this output, and a test keeps
the two equal, so the reference an editor reads is the rule the build applies.
"""
from __future__ import annotations

from .json_schemas import WRITTEN
from .load import MEDIA, MEMBERS_MEDIA
from .schema import COMMON_FIELDS, TYPES, ContentType, Field

# how each kind of value is written, in an editor's words
KIND_WORDS = {
    "line": "text, one line", "text": "text", "markdown": "text (Markdown allowed)",
    "choice": "one of {choices}", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "date": "a date, `2006-02-03`",
    "datetime": "a date, time and zone, `2027-01-29T12:00:00Z` (Z: UK winter time; "
                "`+01:00` in summer)",
    "moment": "a date (`2027-01-29`, the start of that UK day) or a date-time with zone",
    "time": "a time, 24-hour, in quotes: `\"09:30\"`",
    "email": "an e-mail address", "phone": "a UK phone number in quotes: `\"01632 960000\"` "
                                          "or `\"+44 1632 960000\"`",
    "url": "a whole web address, `https://...`", "postcode": "a UK postcode, `WD17 1AB`",
    "slug": "lower-case letters, digits and hyphens",
    "ref": "the file name (without extension) of a {ref}",
    "refs": "a list of file names of {ref}s", "list": "a list{of}",
    "object": "a mapping of the fields below", "objects": "a list of mappings of the "
                                                          "fields below",
    "document": "a whole web address, or a file in media/ written `media/<file>`",
    "labels": "a mapping of `key: label` lines (keys in lower case with hyphens)",
    "language": "a language code (`en-GB`, `cy`)",
    "free": "a free mapping for the templates; never checked",
    "base_url": "the whole address the site is published at, ending with `/`",
}
REF_WORDS = {"agency": "lead agency (agencies/)", "centre": "centre (centres/)",
             "opportunity": "opportunity (opportunities/)"}


def reference() -> str:
    """The whole reference, as Markdown."""
    parts = [_INTRO, _layout()]
    for ctype in TYPES:
        parts.append(_type_section(ctype))
    parts.append(_common_section())
    parts.append(_OUTRO)
    return "\n".join(parts)


def _layout() -> str:
    rows = [f"  {ctype.path_pattern:<34} {ctype.label}{' (members only)' if ctype.members else ''}"
            for ctype in TYPES]
    rows.append(f"  {MEDIA + '/':<34} images and documents, published at /media/<file>")
    rows.append(f"  {MEMBERS_MEDIA + '/':<34} members-only images and documents")
    return ("## Layout\n\n```\ncontent/\n" + "\n".join(rows) + "\n```\n\n"
            "Everything under `members/` is members-only: never published on the public "
            "site.\n")


def _type_section(ctype: ContentType) -> str:
    title = f"## {ctype.label}: `{ctype.path_pattern}`\n"
    if ctype.list_of:
        intro = "The file is a list; each item is a mapping with these fields.\n"
        fields = ctype.field(ctype.list_of).fields
    else:
        intro = ""
        fields = ctype.fields
    body = f"\nBody: {ctype.body}\n" if ctype.extension == ".md" else ""
    also = ("\nAlso every field of [every Markdown file](#fields-every-markdown-file-may-"
            "carry).\n" if ctype.common else "")
    schema = (f"\nJSON Schema: `{ctype.name}.schema.json` (`ccsite schema DIR`).\n"
              if ctype.name in WRITTEN else "")
    return "\n".join([title, intro + _table(fields), body + also + schema])


def _common_section() -> str:
    return ("## Fields every Markdown file may carry\n\n" + _table(COMMON_FIELDS) + "\n"
            "Any other field that the table for its type does not name is a mistake (almost "
            "always a typo), and the message suggests the closest known field.\n")


def _table(fields: tuple[Field, ...]) -> str:
    lines = ["| field (in the web editor) | required | what to write | notes |",
             "|---|---|---|---|"]
    for fd, depth in _walk(fields):
        name = "&nbsp;&nbsp;" * depth + f"`{fd.name}` ({fd.label})"
        lines.append(f"| {name} | {_required(fd)} | {_what(fd)} | {_notes(fd)} |")
    return "\n".join(lines) + "\n"


def _walk(fields: tuple[Field, ...], depth: int = 0):
    for fd in fields:
        yield fd, depth
        yield from _walk(fd.fields, depth + 1)


def _required(fd: Field) -> str:
    if fd.required:
        return "yes"
    if fd.when is not None:
        return "yes" + fd.when.why
    return "no"


def _what(fd: Field) -> str:
    choices = ", ".join(f"`{c}`" for c in fd.choices)
    of = f" of {choices}" if choices else (
        " of the site's service types (site.yaml `service_types` keys)" if fd.vocabulary
        else "")
    words = KIND_WORDS[fd.kind].format(choices=choices, ref=REF_WORDS.get(fd.ref or "", ""),
                                       of=of)
    if fd.kind == "integer" and fd.choices:
        words = f"{choices}"
    return words.replace("|", "\\|")


def _notes(fd: Field) -> str:
    extras = []
    if fd.minimum is not None or fd.maximum is not None:
        extras.append(_limits(fd))
    if fd.at_least_one:
        extras.append("give at least one of " + " or ".join(f"`{n}`" for n in fd.at_least_one))
    if fd.before:
        extras.append(f"`{fd.before[0]}` before `{fd.before[1]}`")
    if fd.default is not None and fd.kind != "boolean":
        extras.append(f"default `{fd.default}`")
    if fd.help:
        extras.append(fd.help)
    return "; ".join(extras).replace("|", "\\|")


def _limits(fd: Field) -> str:
    if fd.minimum is not None and fd.maximum is not None:
        return f"from {fd.minimum} to {fd.maximum:,}{fd.unit}"
    if fd.minimum is not None:
        return f"{fd.minimum} or more"
    return f"at most {fd.maximum:,}{fd.unit}"


_INTRO = """# ccsite content model: the reference

<!-- Made by `ccsite reference` from ccsite/schema.py; do not edit by hand. -->

This is every file the content folder may hold and every field each may carry: the same
declaration the build checks content against, the web editor makes its forms from, and
`ccsite schema` writes JSON Schemas from. A file that follows it builds; one that breaks
it gets a message naming the file, the line and the field, and what would be right.

`<slug>` is the file name without its extension: lower-case letters, digits and hyphens.
References between files (`lead_agency`, `centres`, `agency`) name that slug. A `.md` file
is YAML front matter between two `---` lines, then a Markdown body. Files are UTF-8.

## Writing values

- **Quotes.** Most text needs none: `title: Stay and play at Oxhey`. Put the whole value in
  straight double quotes (`"..."`) when it holds `: ` or ` #` (YAML reads what follows as
  a field, or as a note it leaves out), or starts with `[ { * & ! | > @ % -` or a quote:
  `title: "Update: new hours"`, `title: "Room #3 now open"`. A value holding double quotes
  goes in single ones: `title: 'Say "hello" to us'`. Curly quotes (“ ”, as a word
  processor makes them) are not quotes to YAML.
- **Dates** are `YYYY-MM-DD` (`2026-11-20`), typed with the hyphen key; a date and time is
  `2027-01-29T12:00:00Z` in winter, `2027-06-30T12:00:00+01:00` in summer; a time of day
  is `"09:30"`, in quotes.
- **Files in media/.** A field gives one as `media/leaflet.pdf`; the text below the front
  matter links to it by its site address, `/media/leaflet.pdf`:
  `[the leaflet (PDF)](/media/leaflet.pdf)`. A picture in the text is
  `![what the picture shows](/media/front-door.jpg)`: the words in the brackets are its
  alt text, read to people who cannot see it. File names are lower case, with hyphens
  for spaces (`front-door.jpg`): a web address tells capitals apart.
- **Links** to pages of the site are their site path: `[Oxhey's page](/centres/oxhey/)`.
"""

_OUTRO = """## Where a message points

At the line of the wrong value; for a missing field, at the line of the mapping that lacks
it (the opening `---` for front matter); for a duplicate slug, at the later file in path
order, naming the earlier one; for an opportunity reference given twice, at every file
that has it (the one to change may be either); for a YAML mistake, where it starts.
"""

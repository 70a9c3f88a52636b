"""`ccsite schema DIR`: one JSON Schema per content type, made from schema.py.

For editors who write YAML in an editor that checks it as they type (VS Code's YAML
extension, IntelliJ): each field's description, allowed values and form, and which
fields are required, exactly as the validator has them. A field required only when
another has some value is an `if`/`then`. The schemas know a value's form; rules that
need the whole site (a reference to a file that exists, a unique reference) stay the
build's.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .fields import FORM_PATTERNS
from .schema import COMMON_FIELDS, TYPES, ContentType, Field, When
from .write import write_whole

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# the files `ccsite schema` writes: a members page is read as a page is
WRITTEN = ("centre", "agency", "opportunity", "consultation", "lesson", "news", "page",
           "good-practice", "directory", "site")

def type_schema(ctype: ContentType, vocabularies: dict[str, tuple[str, ...]]) -> dict:
    """The JSON Schema of a file of `ctype`: its front matter, or its whole YAML."""
    if ctype.list_of:
        entry = ctype.field(ctype.list_of)
        document = {"type": "array", "items": _mapping(entry, entry.fields, vocabularies)}
    else:
        document = _mapping(None, ctype.all_fields, vocabularies)
    where = f"the front matter of {ctype.path_pattern}" if ctype.extension == ".md" \
        else ctype.path_pattern
    return {"$schema": DIALECT, "$id": f"https://ccsite.invalid/schemas/{ctype.name}"
            ".schema.json", "title": f"ccsite {ctype.singular}",
            "description": f"The fields of {where}.", **document}

def write_schemas(folder: Path, vocabularies: dict[str, tuple[str, ...]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ctype in TYPES:
        if ctype.name in WRITTEN:
            path = folder / f"{ctype.name}.schema.json"
            text = json.dumps(type_schema(ctype, vocabularies), indent=2, ensure_ascii=False)
            write_whole(path, (text + "\n").encode("utf-8"))  # (never one cut short)
            written.append(path)
    return written

def _mapping(owner: Field | None, fields: tuple[Field, ...],
             vocabularies: dict[str, tuple[str, ...]]) -> dict:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {fd.name: field_schema(fd, vocabularies) for fd in fields},
        "additionalProperties": False,
    }
    required = [fd.name for fd in fields if fd.required]
    if required:
        schema["required"] = required
    conditions = [_condition(fd.name, fd.when) for fd in fields if fd.when is not None]
    if owner is not None and owner.at_least_one:
        conditions.append({"anyOf": [{"required": [name]} for name in owner.at_least_one]})
    if conditions:
        schema["allOf"] = conditions
    return schema

def _condition(name: str, when: When) -> dict:
    """`name` is required when the sibling `when.field` has one of some values (or has a
    value other than some)."""
    if when.one_of:
        test = {"properties": {when.field: {"enum": list(when.one_of)}},
                "required": [when.field]}
    else:
        test = {"properties": {when.field: {"not": {"enum": list(when.not_one_of)}}},
                "required": [when.field]}
    return {"if": test, "then": {"required": [name]}}

def field_schema(fd: Field, vocabularies: dict[str, tuple[str, ...]]) -> dict:
    schema = _value_schema(fd, vocabularies)
    schema["title"] = fd.label
    if fd.help or fd.when is not None:
        schema["description"] = " ".join(filter(None, (
            fd.help, f"Required{fd.when.why}." if fd.when is not None else "")))
    if fd.default is not None:
        schema["default"] = fd.default
    return schema

def _value_schema(fd: Field, vocabularies: dict[str, tuple[str, ...]]) -> dict:
    kind = fd.kind
    if kind in ("object", "objects"):
        mapping = _mapping(fd, fd.fields, vocabularies)
        return mapping if kind == "object" else _array(mapping, fd.required)
    if kind == "list":
        options = fd.choices or vocabularies.get(fd.vocabulary or "", ())
        item: dict = {"enum": list(options)} if options else {"type": "string",
                                                               "minLength": 1}
        return {**_array(item, fd.required), "uniqueItems": True}
    if kind == "refs":
        return {**_array(_pattern("ref"), False), "uniqueItems": True}
    if kind == "choice":
        return {"enum": list(fd.choices)}
    if kind in ("integer", "number"):
        schema: dict = {"type": kind}
        if fd.choices:
            schema["enum"] = list(fd.choices)
        if fd.minimum is not None:
            schema["minimum"] = fd.minimum
        if fd.maximum is not None:
            schema["maximum"] = fd.maximum
        return schema
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "labels":
        return {"type": "object", "minProperties": 1, "propertyNames": _pattern("slug"),
                "additionalProperties": {"type": "string", "minLength": 1}}
    if kind == "free":
        return {"type": "object"}
    if kind in FORM_PATTERNS:
        return _pattern(kind)
    return {"type": "string", "minLength": 1,  # line, text, markdown
            **({"pattern": r"^[^\n]*$"} if kind == "line" else {})}

def _pattern(kind: str) -> dict:
    return {"type": "string", "pattern": FORM_PATTERNS[kind]}

def _array(item: dict, required: bool) -> dict:
    return {"type": "array", "items": item, **({"minItems": 1} if required else {})}

__all__ = ["type_schema", "write_schemas", "field_schema", "COMMON_FIELDS"]

"""The fields the validator itself reads, found by running it: tests that must reach every
field (a wrong-type case for each, each accessibility setting shown) take their list from
here, so a field added to validate.py or config.py without its test fails that test."""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

# Mappings whose keys are the editor's own names, not fields: one wrong-type case for any
# key stands for all (site.yaml's service_types: `health: Child and family health`).
EDITORS_KEYS = ("service_types.",)


def field_path(path: str) -> str:
    """`opening_hours[2].days` -> `opening_hours[].days`; a list item (`services[0]`) is
    its list's field; a key of an editor's own mapping is `<key>`."""
    path = re.sub(r"\[\d+\]", "[]", path).removesuffix("[]")
    for prefix in EDITORS_KEYS:
        if path.startswith(prefix):
            return prefix + "<key>"
    return path


def fields_the_validator_reads(*contents: Path) -> set[tuple[str, str, str]]:
    """(kind of file, reading function, field path) for every field the validator asks a
    file for, whether the file has it or not: validate.py and config.py read through
    `Fields`, so its `node()` sees every name asked, nested mappings and lists of mappings
    included (those only when the file has them: the sample has every one). The reading
    function tells a field read the same way for every kind (`_common`: slug, draft...,
    `_page` for pages and members pages) from one read for one kind only."""
    from ccsite import fields, load, validate
    from ccsite.config import read_site_config
    from ccsite.errors import ErrorList

    asked: set[tuple[str, str, str]] = set()
    node = fields.Fields.node

    def recording_node(self, name, *args, **kwargs):
        asked.add((self.path, _reader(sys._getframe(1), fields.__file__),
                   field_path(self.prefix + name)))
        return node(self, name, *args, **kwargs)

    kinds: dict[str, str] = {}
    fields.Fields.node = recording_node
    try:
        for content in contents:
            errors = ErrorList()
            folder = load.load(content, str(content), errors)
            config = read_site_config(folder.site, errors)
            validate.validate(folder, config, validate.BuildOptions(
                now=dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)), errors)
            assert not errors.errors, errors.errors
            kinds.update({d.path: d.kind for d in folder.documents})
            kinds[folder.site.path] = "site"
    finally:
        fields.Fields.node = node
    return {(kinds[path], reader, field) for path, reader, field in asked}


def _reader(frame, fields_file: str) -> str:
    """Who asked for a field: the declared field (schema.Field) the validator was reading
    (shared declarations read the same way wherever they are used), or else the function
    outside fields.py that asked."""
    from ccsite.schema import Field

    caller = None
    while frame is not None:
        declared = frame.f_locals.get("fd")
        if isinstance(declared, Field):
            return f"{declared.name}#{id(declared):x}"
        if caller is None and frame.f_code.co_filename != fields_file:
            caller = frame.f_code.co_name
        frame = frame.f_back
    return caller or "?"

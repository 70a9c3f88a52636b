"""The content model is declared once (ccsite/schema.py), and what is made from it agrees
with what the build does: the validator's behaviour, the JSON Schemas, the web editor's
forms, the reference in docs/, and `ccsite new`. Each check here asks the validator itself (a document with a
field taken away, or given a value outside its list) rather than the declaration, so a
rule the validator forgets, or one the schemas forget, fails a test.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml

from ccsite.cli import main
from ccsite.config import site_config
from ccsite.docs import reference
from ccsite.editor import decap
from ccsite.errors import ErrorList
from ccsite.json_schemas import WRITTEN, type_schema
from ccsite.load import load
from ccsite.schema import BY_NAME, TYPES, ContentType, Field
from ccsite.validate import read_one

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content"
# one rich file of each type in the sample: every field it has is tried
SAMPLE_FILES = {
    "centre": "centres/south-oxhey-childrens-centre.md",
    "agency": "agencies/oxhey-community-trust.yaml",
    "opportunity": "opportunities/recommissioning-eoi-2027.md",
    "consultation": "consultations/broxbourne-east-herts-centres-2027.md",
    "lesson": None, "news": None, "page": None, "members-page": None,
    "good-practice": None,
    "directory": "members/directory.yaml",
    "site": "site.yaml",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A copy of the sample content, its settings, and its media files."""
    root = tmp_path_factory.mktemp("model") / "content"
    import shutil

    shutil.copytree(SAMPLE, root)
    folder = load(root, "content", ErrorList())
    return root, site_config(root, folder), {m.rel for m in folder.media}


def _sample_rel(ctype: ContentType, root: Path) -> str:
    rel = SAMPLE_FILES.get(ctype.name)
    if rel:
        return rel
    files = sorted((root / ctype.folder).glob("*" + ctype.extension))
    return str(max(files, key=lambda p: p.stat().st_size).relative_to(root))


def _split(text: str, ctype: ContentType) -> tuple[object, str]:
    if ctype.extension == ".md":
        _, front, body = text.split("---\n", 2)
        return yaml.safe_load(front), body
    return yaml.safe_load(text), ""


def _join(data, body: str, ctype: ContentType) -> str:
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return f"---\n{dumped}---\n{body}" if ctype.extension == ".md" else dumped


def validator_errors(sample, ctype: ContentType, data, body: str, tmp_path) -> list:
    """The mistakes ccsite's own reader finds in a file of `ctype` saying `data`."""
    root, config, media = sample
    rel = ctype.single_file or f"{ctype.folder}/probe{ctype.extension}"
    path = tmp_path / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_join(data, body, ctype), encoding="utf-8")
    (tmp_path / "content" / "site.yaml").exists() or \
        (tmp_path / "content" / "site.yaml").write_text((root / "site.yaml").read_text())
    errors = ErrorList()
    folder = load(tmp_path / "content", "content", errors)
    document = next(d for d in folder.documents if d.rel == rel) if ctype.name != "site" \
        else folder.site
    if ctype.name == "site":
        from ccsite.config import read_site_config

        read_site_config(document, errors)
    else:
        read_one(document, config, media, errors)
    return errors.errors


def schema_errors(ctype: ContentType, data, vocabularies) -> list:
    validator = jsonschema.Draft202012Validator(type_schema(ctype, vocabularies))
    return list(validator.iter_errors(_as_json(data)))


def _as_json(value):
    """YAML's values as a YAML editor sees them: dates are text."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _paths(fields: tuple[Field, ...], data, prefix: tuple = ()):
    """(path, field) of every declared field the sample data gives, nested included;
    a list of mappings is tried at its first item."""
    for fd in fields:
        if not isinstance(data, dict) or fd.name not in data:
            continue
        path = prefix + (fd.name,)
        yield path, fd
        value = data[fd.name]
        if fd.kind == "object":
            yield from _paths(fd.fields, value, path)
        elif fd.kind == "objects" and value:
            yield from _paths(fd.fields, value[0], path + (0,))


def _cases():
    for ctype in TYPES:
        yield pytest.param(ctype.name, id=ctype.name)


def _document_of(sample, ctype: ContentType):
    root = sample[0]
    text = (root / _sample_rel(ctype, root)).read_text(encoding="utf-8")
    data, body = _split(text, ctype)
    fields = ctype.all_fields
    if ctype.list_of:  # the directory: the file is the list itself
        data = {ctype.list_of: data}
    return data, body, fields


def _unwrap(ctype: ContentType, data):
    return data[ctype.list_of] if ctype.list_of else data


def _get(data, path):
    for key in path[:-1]:
        data = data[key]
    return data, path[-1]


def _shown(path) -> str:
    return ".".join(str(p) for p in path).replace(".0.", "[0].").replace(".0", "[0]")


@pytest.mark.parametrize("name", [t.name for t in TYPES])
def test_sample_file_of_each_type_is_valid_for_the_validator_and_its_json_schema(
        sample, name, tmp_path):
    ctype = BY_NAME[name]
    data, body, _ = _document_of(sample, ctype)
    assert validator_errors(sample, ctype, _unwrap(ctype, data), body, tmp_path) == []
    assert schema_errors(ctype, _unwrap(ctype, data), sample[1].vocabularies) == []


def decap_widget(sample, ctype: ContentType, path) -> tuple[dict, bool]:
    """The web editor's widget for the field at `path` (local mode, the sample's site), and
    whether every part above it is required (Decap asks for a part's fields only when the
    part is required itself; an item of a list is asked for whole once it is added)."""
    collection = next(c for c in decap.config(sample[1], "", "local")["collections"]
                      if c["name"] == ctype.name)
    fields = collection["fields"] if "fields" in collection else \
        collection["files"][0]["fields"]  # a single file: site.yaml, the directory
    if ctype.list_of:  # the directory: shown to Decap as {directory: [...]}
        fields = next(f for f in fields if f["name"] == ctype.list_of)["fields"]
        path = path[2:]
    above = True
    for key in [k for k in path if not isinstance(k, int)][:-1]:
        widget = next(f for f in fields if f["name"] == key)
        # a list's items are each asked for whole once added, whatever is above the list
        above = True if widget["widget"] == "list" else above and widget.get("required", True)
        fields = widget["fields"]
    return next(f for f in fields if f["name"] == path[-1]), above


@pytest.mark.parametrize("name", [t.name for t in TYPES])
def test_each_field_is_required_by_the_json_schema_exactly_when_the_validator_requires_it(
        sample, name, tmp_path):
    """Take each field away in turn: the validator says 'is required' for it exactly when
    the JSON Schema refuses the file (conditions such as 'when status is open' included,
    since the sample's own values decide them)."""
    ctype = BY_NAME[name]
    data, body, fields = _document_of(sample, ctype)
    tried = set()
    for path, fd in _paths(fields, data):
        if path == (ctype.list_of,):  # the directory's list is the file itself
            continue
        changed = copy.deepcopy(data)
        holder, key = _get(changed, path)
        del holder[key]
        said = validator_errors(sample, ctype, _unwrap(ctype, changed), body, tmp_path)
        by_validator = any(e.message.startswith(("is required", "give ")) and
                           e.field.endswith(_shown(path[-1:] if len(path) == 1 else path)
                                            .split(".")[-1]) for e in said)
        by_schema = any(e.validator in ("required", "anyOf", "minItems")
                        for e in schema_errors(ctype, _unwrap(ctype, changed),
                                               sample[1].vocabularies))
        assert by_validator == by_schema, (path, said)
        if fd.kind not in decap.NOT_EDITABLE:
            widget, above = decap_widget(sample, ctype, path)
            one_of = any(e.message.startswith("give ") for e in said)
            told_apart = fd.when is not None or one_of  # Decap cannot say 'when', 'one of'
            assert widget["required"] is (by_validator and above and not told_apart), path
            if fd.when is not None:  # the condition is said in words instead
                assert f"Required{fd.when.why}." in widget["hint"], path
            if one_of:  # ... on the part that needs one of its fields
                part = [k for k in path[:-1]]
                part = part[:-1] if isinstance(part[-1], int) else part
                assert "Give at least one of" in decap_widget(sample, ctype, part)[0]["hint"]
        tried.add(path[0])
    assert tried >= {fd.name for fd in fields if fd.required} - {ctype.list_of}


@pytest.mark.parametrize("name", [t.name for t in TYPES])
def test_each_fixed_list_allows_the_same_values_in_the_validator_and_the_json_schema(
        sample, name, tmp_path):
    """Every value a choice allows builds, in both; a value outside it is refused by both."""
    ctype = BY_NAME[name]
    data, body, fields = _document_of(sample, ctype)
    for path, fd in _paths(fields, data):
        options = fd.choices or (sample[1].vocabularies.get(fd.vocabulary, ())
                                 if fd.vocabulary else ())
        if not options or fd.kind not in ("choice", "list", "integer"):
            continue
        for value, allowed in [*((o, True) for o in options), ("not-a-choice", False)]:
            changed = copy.deepcopy(data)
            holder, key = _get(changed, path)
            holder[key] = [value] if fd.kind == "list" else value
            said = [e for e in validator_errors(sample, ctype, _unwrap(ctype, changed), body,
                                                tmp_path)
                    if e.field.startswith(_shown(path))]
            refused = schema_errors(ctype, _unwrap(ctype, changed), sample[1].vocabularies)
            assert (not said) == allowed, (path, value, said)
            assert (not refused) == allowed, (path, value, [e.message for e in refused])
            offered = [o["value"] if isinstance(o, dict) else o
                       for o in decap_widget(sample, ctype, path)[0]["options"]]
            assert (value in offered) == allowed, (path, value, offered)


def test_every_file_the_sample_has_is_valid_for_its_json_schema(sample):
    root, config, _ = sample
    for ctype in TYPES:
        files = [root / ctype.single_file] if ctype.single_file else \
            sorted((root / ctype.folder).glob("*" + ctype.extension))
        for path in files:
            data, _ = _split(path.read_text(encoding="utf-8"), ctype)
            problems = schema_errors(ctype, data, config.vocabularies)
            assert not problems, (path, [p.message for p in problems])


def test_ccsite_schema_writes_a_valid_schema_per_type_with_the_sites_service_types(
        sample, tmp_path, capsys):
    root = sample[0]
    assert main(["schema", str(tmp_path / "schemas"), "--source", str(root)]) == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(f"{name}.schema.json" for name in WRITTEN)
    centre = json.loads((tmp_path / "schemas" / "centre.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(centre)
    services = centre["properties"]["services"]["items"]["enum"]
    assert services == list(sample[1].service_types)
    assert centre["allOf"][0] == {"if": {"properties": {"status": {"enum": ["open"]}},
                                         "required": ["status"]},
                                  "then": {"required": ["lead_agency"]}}


def test_a_schema_that_cannot_be_written_whole_is_left_as_it_was(sample, tmp_path):
    """On a full disk (here: a limit on a file's size, which the centre's schema is
    over), `ccsite schema` cut the schemas a team's editor checks files with short."""
    import resource
    import subprocess
    import sys

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (5_000, 5_000))

    folder = tmp_path / "schemas"
    assert main(["schema", str(folder), "--source", str(sample[0])]) == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for name in before:  # (an older schema: what a failed run must leave as it is)
        (folder / name).write_bytes(before[name].replace(b'"type"', b'"type" '))
    older = {p.name: p.read_bytes() for p in folder.iterdir()}
    done = subprocess.run([sys.executable, "-m", "ccsite", "schema", str(folder), "--source",
                           str(sample[0])], capture_output=True, text=True,
                          preexec_fn=small_files, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    now = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert now.keys() == older.keys()  # (no temporary file left)
    assert all(now[name] in (older[name], before[name]) for name in now)
    assert now["centre.schema.json"] == older["centre.schema.json"]


def test_the_reference_in_the_repository_is_the_one_made_from_the_declaration():
    """docs/content-model.md is `ccsite reference`'s output: run it again after changing
    schema.py (python3 -m ccsite reference > docs/content-model.md)."""
    assert (REPO / "docs" / "content-model.md").read_text(encoding="utf-8") == reference()


def test_the_reference_names_every_field_of_every_type():
    text = reference()
    for ctype in TYPES:
        assert ctype.path_pattern in text
        fields = ctype.field(ctype.list_of).fields if ctype.list_of else ctype.all_fields
        for fd, _ in _walk_all(fields):
            assert f"`{fd.name}` ({fd.label})" in text, (ctype.name, fd.name)


def _walk_all(fields):
    for fd in fields:
        yield fd, 0
        yield from _walk_all(fd.fields)


@pytest.mark.parametrize("kind", ["centre", "agency", "opportunity", "consultation", "lesson",
                                  "news", "page", "good-practice", "members-page"])
def test_new_file_switches_on_every_required_field_and_only_those(sample, tmp_path, capsys,
                                                                 kind):
    import shutil

    root = tmp_path / "content"
    shutil.copytree(sample[0], root)
    assert main(["new", kind, "A new one", "--source", str(root)]) == 0
    written = Path(capsys.readouterr().out.split("Wrote ", 1)[1].split("\n", 1)[0])
    ctype = BY_NAME[kind]
    data, _ = _split(written.read_text(encoding="utf-8"), ctype)
    for fd in ctype.fields:
        if fd.required:
            assert fd.name in data, fd.name
        elif not fd.suggested:
            assert fd.name not in data, fd.name

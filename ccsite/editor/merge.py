"""A save from the web editor changes only what the editor changed, byte for byte.

Decap sends the whole file as it would write it: its own YAML (every field, its quoting,
its order) and the body. Written as it is, a one-field change would rewrite the whole
file: comments gone, `services: [a, b]` become lists of lines, "08:30" lose the quotes
YAML 1.1 needs. So the proxy reads what Decap sent as values, and edits the file on disk
only where a value differs:

- a field whose value is the same is left as written (same bytes, comments and all);
- a changed field inside a mapping or a list of the same length is changed there, so a
  manager's phone number changes one line of the directory, not the list;
- anything else that changed is written anew in place of the old one, at its indentation
  (a one-line value keeps the comment after it);
- a field the editor cleared is removed; a field the editor does not show (`extra`,
  `service_types`, anything unknown) is kept;
- a new field goes after the field before it in the content model's order;
- the body is kept unless its text changed.

The result is read back and compared with what the editor asked for; should a precise edit
ever come out wrong, the changed top-level fields are written anew whole instead.

Decap's YAML is YAML 1.2 (`17:00` and `2027-01-29` are text there), ccsite's is 1.1 (where
`17:00` is a number), so what Decap sends is read with 1.2's rules, and what is written
is quoted for 1.1 (PyYAML's dumper quotes whatever 1.1 would read as another type).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..fields import LOCAL_ZONE
from ..schema import ContentType, Field
from .decap import NOT_EDITABLE

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                           r"([Zz]|[+-]\d{2}:?\d{2})$")
_TIME = re.compile(r"^\d{2}:\d{2}$")
WIDTH = 4096  # never fold a long line: a summary stays on its line


class MergeError(ValueError):
    """What Decap sent cannot be read (not YAML, not a mapping): nothing is written."""


@dataclass(frozen=True)
class Shape:
    """The fields the editor shows at one level of a file (None: a free mapping)."""

    fields: tuple[Field, ...]

    @classmethod
    def of_type(cls, ctype: ContentType) -> "Shape":
        return cls(ctype.all_fields)

    def _field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name and
                     f.kind not in NOT_EDITABLE), None)

    def names(self) -> list[str]:
        return [f.name for f in self.fields if f.kind not in NOT_EDITABLE]

    def of(self, name: str) -> "Shape | None":
        field = self._field(name)
        return Shape(field.fields) if field is not None and field.fields else None

    def declared_default(self, name: str) -> Any:
        field = self._field(name)
        return None if field is None else field.default

    def required(self, name: str) -> bool:
        field = self._field(name)
        return field is not None and field.required


# -- reading what Decap sent (YAML 1.2 core schema) -------------------------------------

class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's core schema: no dates, no base-60 numbers, no
    yes/no booleans, no leading-zero octal. Decap (the `yaml` package) writes 1.2."""


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
     list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
]:
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _int12(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _float12(loader, node):
    text = loader.construct_scalar(node).lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _float12)


_TAB_STAND_IN = "\ue000"  # a character of Unicode's private use: no text of the site's
# a tab between two characters of a value's text, where it can be nothing but text (not
# after `key:`, `-`, `,` or a bracket, not before a comment)
_BETWEEN_WORDS = re.compile(r"(?<=[^\s:,\-\[\]{}])\t(?=[^\s#])")


def _load_12(text: str) -> Any:
    """YAML 1.2 as Decap writes it, read. A tab between the words of a plain value (text
    pasted from a spreadsheet or a table) is white space there, part of the text, where
    PyYAML's scanner stops at it ("cannot start any token"): each tab it stops at is read
    as a character no text holds, then given back."""
    may_stand_in = _TAB_STAND_IN not in text
    stood_in = may_stand_in and _BETWEEN_WORDS.search(text) is not None
    if stood_in:  # all those between words at once: each try reads the whole file (a
        text = _BETWEEN_WORDS.sub(_TAB_STAND_IN, text)  # directory of 1,200 took 31 s)
    for _ in range(text.count("\t") + 1):
        try:
            data = yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 (a safe loader)
            return _tabs_back(data) if stood_in else data
        except yaml.scanner.ScannerError as exc:
            at = exc.problem_mark.index if exc.problem_mark is not None else -1
            if not (may_stand_in and 0 <= at < len(text) and text[at] == "\t"):
                raise
            text, stood_in = text[:at] + _TAB_STAND_IN + text[at + 1:], True
    raise AssertionError("unreachable: each try takes a tab away")


def _tabs_back(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(_TAB_STAND_IN, "\t")
    if isinstance(value, list):
        return [_tabs_back(item) for item in value]
    if isinstance(value, dict):
        return {_tabs_back(key): _tabs_back(item) for key, item in value.items()}
    return value


def read_decap(raw: str, markdown: bool) -> tuple[dict, str | None]:
    """(fields, body) of a file as Decap sent it; body None for a YAML file."""
    raw = raw.replace("\r\n", "\n")
    body = None
    text = raw
    if markdown:
        lines = raw.split("\n")
        if not lines or lines[0].rstrip() != "---":
            raise MergeError("the editor sent a file without front matter")
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if end is None:
            raise MergeError("the editor sent front matter that is never closed")
        text = "\n".join(lines[1:end])
        body = "\n".join(lines[end + 1:])
    try:
        data = _load_12(text)
    except yaml.YAMLError as exc:
        raise MergeError(f"the editor sent YAML that cannot be read: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MergeError("the editor sent a file that is not 'field: value' lines")
    return data, body


# -- writing values as ccsite's files have them ----------------------------------------

class _Dumper(yaml.SafeDumper):
    """Lists indented under their key (`  - a`), as the content model's examples are; a
    short list of words on one line (`days: [mon, tue]`), mappings as lines."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def represent_list(self, data):
        node = super().represent_list(data)
        node.flow_style = _short_words(data)
        return node

    def represent_dict(self, data):
        node = super().represent_dict(data)
        node.flow_style = False
        return node


def _represent_str(dumper, value: str):
    if _ISO_DATE.match(value) or _ISO_DATETIME.match(value):
        try:  # written plain: ccsite reads it as the date (or date-time) it is
            (dt.date if len(value) == 10 else dt.datetime).fromisoformat(
                value.replace("z", "Z"))
            return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value)
        except ValueError:
            pass
    if _TIME.match(value):  # "09:30", as the content model writes times
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value.strip("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _Dumper.represent_list)
_Dumper.add_representer(dict, _Dumper.represent_dict)


def _dump(data: Any, flow: bool | None = None, top: bool = False) -> str:
    """YAML for `data`. `flow` (True/False) sets the style of the one value in `data`
    (a {key: value} with `top`) or of `data` itself; None leaves it to `_Dumper`."""
    stream = io.StringIO()
    dumper = _Dumper(stream, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=WIDTH)
    dumper.open()
    node = dumper.represent_data(data)
    target = node.value[0][1] if top else node
    if flow is not None and isinstance(target, (yaml.MappingNode, yaml.SequenceNode)):
        target.flow_style = flow
    dumper.serialize(node)
    dumper.close()
    return stream.getvalue()


def dump_value(key: str, value: Any, indent: int, flow: bool | None) -> str:
    """`key: value` as YAML lines, continuation lines indented by `indent` (the first line
    is written where the key is)."""
    return _indent(_dump({key: value}, flow, top=True), indent)


def dump_item(value: Any, indent: int, flow: bool | None) -> str:
    """A list item (without its '- '), continuation lines indented by `indent`."""
    if flow or not isinstance(value, (dict, list)):
        return _indent(_dump([value], True).strip()[1:-1] + "\n", indent)
    lines = _dump([value], False, top=False).rstrip("\n").split("\n")
    lines = [line[2:] for line in lines]  # '- ' and the item's indentation
    return _indent("\n".join(lines) + "\n", indent)


def _indent(text: str, indent: int) -> str:
    lines = text.rstrip("\n").split("\n")
    return "\n".join([lines[0]] + [(" " * indent + line) if line else line
                                   for line in lines[1:]])


def dump_fields(data: dict, shape: Shape) -> str:
    """A new file's fields, in the content model's order (unknown ones after)."""
    ordered = _in_model_order(data, shape)
    return _dump(ordered) if ordered else ""


def _in_model_order(data: dict, shape: Shape) -> dict:
    """`data` in the content model's order, unknown fields after."""
    ordered = {name: data[name] for name in shape.names() if name in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return ordered


# -- comparing -------------------------------------------------------------------------

def prune(value: Any) -> Any:
    """What the editor's value says, without its empty fields: a field emptied in the
    form is a field left out, as the validator reads it."""
    if isinstance(value, dict):
        pruned = {key: prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if not _empty(item)}
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


def says_nothing(shape: Shape | None, key: str, value: Any) -> bool:
    """A value the form fills in by itself, which a file need not say: an optional field
    at its default (`draft: false`), or an optional part holding only defaults
    (`value: {currency: GBP}` with no amount)."""
    if shape is None or shape.required(key):
        return False
    inner = shape.of(key)
    if inner is not None and isinstance(value, dict):
        return all(value[k] == inner.declared_default(k) for k in value)
    default = shape.declared_default(key)
    return default is not None and value == default


def without_defaults(data: dict, shape: Shape) -> dict:
    """A new file's fields: what the form filled in by itself left out."""
    return {key: value for key, value in data.items() if not says_nothing(shape, key, value)}


def as_written(value: Any, shape: Shape | None) -> Any:
    """A new list item as a person writes one: its fields in the content model's order
    (a session's title first, not the switch the form put first) and without what the
    form filled in by itself (`term_time_only: false`)."""
    if not isinstance(value, dict) or shape is None:
        return value
    return _in_model_order(without_defaults(value, shape), shape)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def same(node: yaml.Node | None, value: Any, shape: Shape | None = None) -> bool:
    """Does the written node say what the editor's value says (in the fields `shape`
    offers, when given: others are not the editor's to change)?"""
    if node is None:
        return _empty(value)
    if isinstance(node, yaml.ScalarNode):
        return _same_scalar(node, value)
    if isinstance(node, yaml.SequenceNode):
        return isinstance(value, list) and len(value) == len(node.value) and \
            all(same(item, v, shape) for item, v in zip(node.value, value))
    if isinstance(node, yaml.MappingNode):
        if not isinstance(value, dict):
            return False
        offered = (lambda key: key in shape.names()) if shape is not None else \
            (lambda key: True)
        written = {k.value: v for k, v in node.value
                   if offered(k.value) and not _empty_node(v)}
        wanted = {k: v for k, v in value.items() if offered(k) and not _empty(v) and
                  (k in written or not says_nothing(shape, k, v))}
        return written.keys() == wanted.keys() and \
            all(same(written[k], wanted[k], shape.of(k) if shape else None) for k in written)
    return False


def _construct(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        return node.value


def _empty_node(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        value = _construct(node)
        return value is None or (isinstance(value, str) and not value.strip())
    return not node.value


def _same_scalar(node: yaml.ScalarNode, value: Any) -> bool:
    written = _construct(node)
    if _empty(value):
        return written is None or (isinstance(written, str) and not written.strip())
    if isinstance(value, bool) or isinstance(written, bool):
        return type(value) is type(written) and value == written
    if isinstance(value, (int, float)):
        return isinstance(written, (int, float)) and written == value
    if isinstance(value, str):
        if node.value == value or written == value:
            return True
        if isinstance(written, (dt.date, dt.datetime)):
            return _same_moment(written, value)
    return False


def _same_moment(written: dt.date, text: str) -> bool:
    try:
        if isinstance(written, dt.datetime):
            wanted = dt.datetime.fromisoformat(text.replace("z", "Z"))
            if (written.tzinfo is None) != (wanted.tzinfo is None):
                return False
            return wanted == written
        return dt.date.fromisoformat(text) == written
    except ValueError:
        return False


# -- editing the text ------------------------------------------------------------------

class _Coarse(Exception):
    """A precise edit is not possible here: the caller writes the whole value anew."""


@dataclass
class _Edit:
    start: int
    end: int
    text: str


class _Editor:
    """Edits of one YAML text, by character offsets, applied together at the end."""

    def __init__(self, text: str, precise: bool):
        self.text = text
        self.precise = precise
        self.edits: list[_Edit] = []

    def result(self) -> str:
        text = self.text
        # from the end, so offsets hold; of two insertions at one place, the one made
        # first (an inner list's new item before its parent's) comes first
        for _, edit in sorted(enumerate(self.edits), key=lambda e: (e[1].start, e[1].end,
                                                                     e[0]), reverse=True):
            text = text[:edit.start] + edit.text + text[edit.end:]
        return text

    # -- offsets

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end

    def content_end(self, node: yaml.Node) -> int:
        """Where a value ends: a one-line scalar where its text ends (a comment after it
        stays); anything else at the end of its last line of content (blank and
        comment-only lines after it belong to what follows)."""
        if isinstance(node, yaml.ScalarNode) and node.style not in ("|", ">") and \
                node.start_mark.line == node.end_mark.line:
            return node.end_mark.index
        end = node.end_mark.index
        if node.end_mark.column == 0 and end > node.start_mark.index:
            end -= 1  # it ended at the start of the next line
        while end > node.start_mark.index:
            start = self.line_start(end)
            stripped = self.text[max(start, node.start_mark.index):end].strip()
            if stripped and not stripped.startswith("#"):
                return self.line_end(start)
            end = start - 1
        return self.line_end(node.start_mark.index)

    def _alone_on_line(self, index: int) -> bool:
        return not self.text[self.line_start(index):index].strip()

    # -- a mapping

    def mapping(self, node: yaml.MappingNode, wanted: dict, shape: Shape | None) -> None:
        if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
            raise _Coarse
        written = {k.value: (k, v) for k, v in node.value}
        offered = shape.names() if shape is not None else list(wanted)
        for key, (key_node, value_node) in written.items():
            if key not in offered:
                continue  # not shown by the editor: kept as written
            if _empty(wanted.get(key)):
                if not _empty_node(value_node):
                    self._remove(key_node, value_node)
            elif not same(value_node, wanted[key], shape.of(key) if shape else None):
                self.field(key_node, value_node, wanted[key], shape.of(key) if shape else None)
        indent = node.value[0][0].start_mark.column
        for key, value in wanted.items():
            if key not in written and key in offered and not _empty(value) and \
                    not says_nothing(shape, key, value):
                self._insert(node, written, offered, key, value, indent)

    def field(self, key_node: yaml.Node, value_node: yaml.Node, value: Any,
              shape: Shape | None) -> None:
        if self.precise and isinstance(value, (dict, list)):
            done = len(self.edits)
            try:
                if isinstance(value, dict):
                    return self.mapping(value_node, value, shape)
                return self.sequence(value_node, value, shape)
            except _Coarse:
                del self.edits[done:]  # what was done inside it is done again, whole
        self._replace(key_node, value_node, value)

    def _replace(self, key_node: yaml.Node, value_node: yaml.Node, value: Any) -> None:
        quoted = _as_quoted(value_node, value)
        new = f"{key_node.value}: {quoted}" if quoted else \
            dump_value(key_node.value, value, key_node.start_mark.column,
                       _flow_for(value_node, value))
        end = self.content_end(value_node)
        if "\n" in new:  # a comment after a one-line value would end up inside it
            end = self.line_end(end)
        self.edits.append(_Edit(key_node.start_mark.index, end, new))

    def _remove(self, key_node: yaml.Node, value_node: yaml.Node) -> None:
        if not self._alone_on_line(key_node.start_mark.index):
            raise _Coarse  # '- key: ...', an item's first field: the item is written anew
        start = self.line_start(key_node.start_mark.index)
        end = self.line_end(self.content_end(value_node))
        self.edits.append(_Edit(start, min(end + 1, len(self.text)), ""))

    def _insert(self, node: yaml.MappingNode, written: dict, order: list[str], key: str,
                value: Any, indent: int) -> None:
        new = dump_value(key, value, indent, _flow_for(None, value))
        earlier = [k for k in written if k in order[:order.index(key)]]
        if earlier:
            at = self.line_end(self.content_end(written[earlier[-1]][1]))
            self.edits.append(_Edit(at, at, "\n" + " " * indent + new))
        else:
            at = node.value[0][0].start_mark.index
            self.edits.append(_Edit(at, at, new + "\n" + " " * indent))

    # -- a list

    def sequence(self, node: yaml.Node, wanted: list, shape: Shape | None) -> None:
        if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
            raise _Coarse
        if len(wanted) < len(node.value):
            return self._remove_items(node, wanted, shape)
        for item_node, value in zip(node.value, wanted):
            if not same(item_node, value, shape):
                self._changed_item(item_node, value, shape)
        if len(wanted) > len(node.value):
            self._append(node.value[-1], [as_written(value, shape)
                                          for value in wanted[len(node.value):]])

    def _remove_items(self, node: yaml.SequenceNode, wanted: list,
                      shape: Shape | None) -> None:
        """Items taken out of a list: each is removed with its lines (and its own comment),
        and the rest stay as written (a comment above the next item too), but those also
        changed in the same save, which are edited where they are. Which item went is
        plain when the others are the same; when one went and others changed too, it is
        the one whose going leaves the others most like what the editor sent (their
        fields compared), if no other does as well. Anything else is written anew."""
        kept = 0
        removed = []
        for item_node in node.value:
            if kept < len(wanted) and same(item_node, wanted[kept], shape):
                kept += 1
            else:
                removed.append(item_node)
        if kept < len(wanted):
            removed = [self._the_one_removed(node.value, wanted, shape)]
            for item_node, value in zip([n for n in node.value if n is not removed[0]],
                                        wanted):
                if not same(item_node, value, shape):
                    self._changed_item(item_node, value, shape)
        for item_node in removed:
            dash = self.text.rfind("-", self.line_start(item_node.start_mark.index),
                                   item_node.start_mark.index)
            if dash < 0 or not self._alone_on_line(dash):
                raise _Coarse
            end = self.line_end(self.content_end(item_node))
            self.edits.append(_Edit(self._comments_above(self.line_start(dash)),
                                    min(end + 1, len(self.text)), ""))

    def _the_one_removed(self, items: list[yaml.Node], wanted: list,
                         shape: Shape | None) -> yaml.Node:
        """The one item taken out when others changed too (see `_remove_items`)."""
        if len(items) != len(wanted) + 1:
            raise _Coarse
        scores = [sum(_likeness(item, value, shape) for item, value in
                      zip(items[:gone] + items[gone + 1:], wanted))
                  for gone in range(len(items))]
        best = max(scores)
        if scores.count(best) != 1:
            raise _Coarse  # no telling which went
        return items[scores.index(best)]

    def _changed_item(self, item_node: yaml.Node, value: Any, shape: Shape | None) -> None:
        """An item the editor changed, edited where it is (as `sequence` does)."""
        if isinstance(value, dict):
            done = len(self.edits)
            try:
                return self.mapping(item_node, value, shape)
            except _Coarse:
                del self.edits[done:]
        self._replace_item(item_node, value)

    def _comments_above(self, start: int) -> int:
        """Where the comment lines right above a line begin (an item's own comment goes
        with it), or `start` when there are none."""
        while start > 0:
            above = self.line_start(start - 1)
            if not self.text[above:start].strip().startswith("#"):
                break
            start = above
        return start

    def _append(self, last: yaml.Node, values: list) -> None:
        """Items added after the last one, written as it is ('- ' at its column)."""
        dash = self.text.rfind("-", self.line_start(last.start_mark.index),
                               last.start_mark.index)
        if dash < 0 or not self._alone_on_line(dash):
            raise _Coarse
        column, dash_column = last.start_mark.column, dash - self.line_start(dash)
        flow = bool(getattr(last, "flow_style", False))
        at = self.line_end(self.content_end(last))
        for value in values:
            item = dump_item(value, column, flow if isinstance(value, dict) else None)
            self.edits.append(_Edit(at, at, "\n" + " " * dash_column + "-" +
                                    " " * (column - dash_column - 1) + item))

    def _replace_item(self, item_node: yaml.Node, value: Any) -> None:
        flow = bool(getattr(item_node, "flow_style", False)) if isinstance(value, dict) \
            else None
        new = _as_quoted(item_node, value) or dump_item(value, item_node.start_mark.column, flow)
        end = self.content_end(item_node)
        if "\n" in new:
            end = self.line_end(end)
        self.edits.append(_Edit(item_node.start_mark.index, end, new))


def _as_quoted(old: yaml.Node, value: Any) -> str | None:
    """A new one-line text where the old was written in quotes ("01632 960234", as the
    README asks phone numbers to be), in the same quotes; None for anything else."""
    if not isinstance(old, yaml.ScalarNode) or old.style not in ('"', "'") or \
            not isinstance(value, str) or "\n" in value:
        return None
    return yaml.dump(value, Dumper=yaml.SafeDumper, default_style=old.style,
                     allow_unicode=True, width=WIDTH).rstrip("\n")


def _likeness(node: yaml.Node, value: Any, shape: Shape | None) -> int:
    """How many of a list item's fields are as the editor's value has them (1 or 0 for an
    item that is not a mapping): what tells which item went (see `_remove_items`)."""
    if not isinstance(node, yaml.MappingNode) or not isinstance(value, dict):
        return int(same(node, value, shape))
    written = {key.value: child for key, child in node.value}
    return sum(1 for key, each in value.items() if key in written and
               same(written[key], each, shape.of(key) if shape else None))


def _flow_for(old: yaml.Node | None, value: Any) -> bool | None:
    """A value keeps the style it had ([a, b] or lines); a new one gets the usual one."""
    if isinstance(old, (yaml.SequenceNode, yaml.MappingNode)) and \
            isinstance(value, (list, dict)):
        return bool(old.flow_style)
    return None


def _short_words(value: list) -> bool:
    return all(isinstance(v, (str, int, float)) and not isinstance(v, bool) and
               len(str(v)) <= 40 for v in value) and sum(len(str(v)) for v in value) <= 100


# -- a whole file ----------------------------------------------------------------------

def merge_fields(text: str, wanted: dict, shape: Shape) -> str:
    """The YAML `text` (front matter or a YAML file) edited to say `wanted` (pruned)."""
    if not text.strip():
        return dump_fields(wanted, shape)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise MergeError(f"the file on disk is not valid YAML ({exc}); fix it in a text "
                         "editor first") from None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise MergeError("the file on disk is not 'field: value' lines; fix it in a text "
                         "editor first")
    for precise in (True, False):
        editor = _Editor(text, precise)
        try:
            editor.mapping(root, wanted, shape)
        except _Coarse:
            continue
        merged = editor.result()
        if _says(merged, wanted, shape):
            return merged
    raise MergeError("the change could not be written without rewriting the whole file; "
                     "please make it in a text editor")


def _says(text: str, wanted: dict, shape: Shape) -> bool:
    """Does the edited text read back as what the editor asked for, in the fields the
    editor shows?"""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    if root is None:
        return not wanted
    if not isinstance(root, yaml.MappingNode):
        return False
    return same(root, wanted, shape)


def merge_document(old: str | None, raw: str, markdown: bool, shape: Shape) -> str:
    """The file to write: the file on disk (`old`, None for a new one) changed as Decap's
    `raw` says, only where it says something different."""
    wanted, body = read_decap(raw, markdown)
    wanted.pop("body", None)
    wanted = prune(wanted)
    in_uk_time(wanted, shape, _written_values(old, markdown))
    if old is None:
        fields = dump_fields(without_defaults(wanted, shape), shape)
        return "---\n" + fields + "---\n" + _with_newline(body or "") if markdown \
            else fields
    bom = "\ufeff" if old.startswith("\ufeff") else ""
    crlf = "\r\n" in old
    text = old[len(bom):].replace("\r\n", "\n")
    if markdown:
        opening, front, closing, old_body = _split(text)
        merged = merge_fields(front, wanted, shape)
        body = _bullets_as_written(old_body, body or "")
        same_body = body.rstrip("\n") == old_body.rstrip("\n")
        result = opening + _with_newline(merged) + closing + \
            (old_body if same_body else _with_newline(body))
    else:
        result = merge_fields(text, wanted, shape)
    if crlf:
        result = result.replace("\n", "\r\n")
    return bom + result


_BULLET = re.compile(r"^([ \t]*)([-*+]) (?=\S)(?![-*+](?: |$))", re.MULTILINE)  # (not
# a rule: '* * *')


def _bullets_as_written(old_body: str, body: str) -> str:
    """`body` with its list items' bullets as the file writes them: Decap's rich text
    editor writes the whole body again, every '-' item as '*', so an edit of one
    paragraph rewrote every list of the page. The file's first bullet is kept for all
    (Markdown reads '-', '*' and '+' alike)."""
    written = _BULLET.search(old_body)
    if written is None:
        return body
    return _BULLET.sub(lambda item: f"{item.group(1)}{written.group(2)} ", body)


def in_uk_time(wanted: dict, shape: Shape | None, written: Any) -> None:
    """A date-time the editor changed is the clock time picked, in UK time.

    Decap's picker adds the zone of the computer it runs on: on one set to UTC (a virtual
    desktop, a laptop bought abroad) a deadline picked for noon on 15 July would be
    written 12:00+00:00, which is 1pm in Britain. A council's times are UK times, so the
    time picked is kept and the zone put right for that day (Z in winter, +01:00 in
    summer). A date-time the editor did not change (the same moment as in the file,
    whatever zone the browser shows it in) is left alone, and the file keeps its line."""
    if shape is None:
        return
    for key, value in wanted.items():
        field = shape._field(key)
        old = written.get(key) if isinstance(written, dict) else None
        if field is None:
            continue
        if field.kind in ("datetime", "moment") and isinstance(value, str):
            wanted[key] = _uk_clock_time(value, old)
        elif field.kind == "object" and isinstance(value, dict):
            in_uk_time(value, shape.of(key), old)
        elif field.kind == "objects" and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    in_uk_time(item, shape.of(key), old[index] if isinstance(old, list)
                               and index < len(old) else None)


def _uk_clock_time(text: str, written: Any) -> str:
    try:
        picked = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return text  # the validator tells what is wrong with it
    if picked.tzinfo is None or (isinstance(written, dt.datetime) and
                                 written.tzinfo is not None and written == picked):
        return text
    clock = picked.replace(tzinfo=None)
    uk = clock.replace(tzinfo=LOCAL_ZONE)
    if uk.utcoffset() == picked.utcoffset():
        return text
    return f"{clock:%Y-%m-%dT%H:%M:%S}" + ("+01:00" if uk.utcoffset() else "Z")


def _written_values(old: str | None, markdown: bool) -> Any:
    """The fields of the file on disk as YAML reads them (None for a new or broken one)."""
    if old is None:
        return None
    try:
        text = _split(old.lstrip("\ufeff").replace("\r\n", "\n"))[1] if markdown else old
        return yaml.safe_load(text)
    except (MergeError, yaml.YAMLError):
        return None


def _split(text: str) -> tuple[str, str, str, str]:
    """(opening line, front matter, closing line, body) as load.py splits them."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise MergeError("the file on disk has no front matter; fix it in a text editor "
                         "first")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            front = "".join(line + "\n" for line in lines[1:index])
            closing = lines[index] + ("\n" if index + 1 < len(lines) else "")
            return lines[0] + "\n", front, closing, "\n".join(lines[index + 1:])
    raise MergeError("the front matter of the file on disk is never closed; fix it in a "
                     "text editor first")


def _with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"

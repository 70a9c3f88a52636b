"""YAML parsed into values that remember their line, so every error can name it.

PyYAML's safe loader gives plain values and forgets where they came from. We compose the
node tree instead (still the safe loader's scanner, parser and resolver) and build `Node`s
that keep the 1-based line of each value and of each mapping key. Content never needs
anchors, aliases or tags, and they are how YAML bombs and object injection work, so they
are rejected before anything is built.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .errors import ErrorList

MAX_DEPTH = 32


@dataclass(frozen=True)
class Invalid:
    """A scalar YAML resolved but could not build, such as the date 2006-02-30."""

    text: str
    reason: str


@dataclass
class Node:
    """One YAML value: a scalar, a `list[Node]` or a `YamlMap`, and where it starts."""

    value: Any
    line: int
    raw: str | None = None  # the scalar exactly as written, for text fields


@dataclass
class YamlMap:
    items: dict[str, Node] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)

    def __contains__(self, key: str) -> bool:
        return key in self.items

    def get(self, key: str) -> Node | None:
        return self.items.get(key)


class YamlError(Exception):
    """A syntax problem; `line` is 1-based in the file."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


_FORBIDDEN_TOKENS = {
    yaml.AnchorToken: "YAML anchors (&name) are not allowed in content; write the value out",
    yaml.AliasToken: "YAML aliases (*name) are not allowed in content; write the value out",
    yaml.TagToken: "YAML tags (!tag) are not allowed in content; remove the tag",
}
_CONSTRUCTOR = SafeConstructor()


def parse_yaml(text: str, line_offset: int = 0) -> Node | None:
    """Parse one YAML document into a `Node` tree; raise `YamlError` on any problem.

    `line_offset` is the number of file lines before the YAML starts (front matter).
    """
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            message = _FORBIDDEN_TOKENS.get(type(token))
            if message:
                raise YamlError(token.start_mark.line + 1 + line_offset, message)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_problem_line(exc) + line_offset, _syntax_message(exc)) from None
    except yaml.YAMLError as exc:  # e.g. a non-printable character, which has no mark
        raise YamlError(1 + line_offset, f"YAML could not be read: {exc}") from None
    except RecursionError:
        raise YamlError(1 + line_offset, "YAML is nested too deeply") from None
    if root is None:
        return None
    return _build(root, line_offset, 0)


def _problem_line(exc: yaml.MarkedYAMLError) -> int:
    # An unclosed quote or bracket is reported where the construct opened (context_mark),
    # which is where the editor has to look; other errors where the problem was found.
    context = exc.context or ""
    if exc.context_mark is not None and ("quoted" in context or "flow" in context):
        mark = exc.context_mark
    else:
        mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1) if mark is not None else 1


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or "invalid YAML"
    if "'\\t'" in problem:
        return "YAML syntax error: tabs cannot indent YAML; use spaces"
    hint = {
        "mapping values are not allowed here":
            "a value contains ': ' ; put the whole value in quotes",
        "could not find expected ':'": "a line is missing its ':' or is wrongly indented",
    }.get(problem, "check quotes, colons and indentation")
    return f"YAML syntax error: {problem} ({hint})"


def _build(node: yaml.Node, offset: int, depth: int) -> Node:
    line = node.start_mark.line + 1 + offset
    if depth > MAX_DEPTH:
        raise YamlError(line, f"YAML is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, yaml.MappingNode):
        mapping = YamlMap()
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_line, "a mapping key must be a plain name")
            key = str(key_node.value)
            if key in mapping.items:
                raise YamlError(
                    key_line,
                    f"duplicate key '{key}' (first given on line {mapping.key_lines[key]})",
                )
            mapping.key_lines[key] = key_line
            mapping.items[key] = _build(value_node, offset, depth + 1)
        return Node(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_build(item, offset, depth + 1) for item in node.value], line)
    return Node(_scalar(node), line, raw=node.value)


def _scalar(node: yaml.ScalarNode) -> Any:
    build = _CONSTRUCTOR.yaml_constructors.get(node.tag)
    if build is None:
        return node.value
    try:
        return build(_CONSTRUCTOR, node)
    except (ValueError, OverflowError, TypeError) as exc:
        kind = "date" if node.tag.endswith(":timestamp") else "value"
        return Invalid(node.value, f"not a real {kind}: {exc}")


def plain(node: Node | None) -> Any:
    """The node as ordinary Python values (for `extra`, which is never validated)."""
    if node is None:
        return None
    if isinstance(node.value, YamlMap):
        return {k: plain(v) for k, v in node.value.items.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    if isinstance(node.value, Invalid):
        return node.value.text
    if isinstance(node.value, (dt.date, dt.datetime)):
        return node.value.isoformat()
    return node.value

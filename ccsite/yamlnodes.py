"""YAML parsed into values that remember their line, so every error can name it.

PyYAML's safe loader gives plain values and forgets where they came from. We compose the
node tree instead (still the safe loader's scanner, parser and resolver) and build `Node`s
that keep the 1-based line of each value and of each mapping key. Content never needs
anchors, aliases or tags, and they are how YAML bombs and object injection work, so they
are rejected before anything is built.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

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
    # a value left empty by a '#' right after the colon ('title: #1 in the county'): YAML
    # reads the rest as a comment, which the editor meant as the value
    comment: str | None = None


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


_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: ~10x faster
_RESOLVER = yaml.SafeLoader("")  # resolves plain scalars to int, bool, date... as safe_load does
_CONSTRUCTOR = SafeConstructor()


def parse_yaml(text: str, line_offset: int = 0) -> Node | None:
    """Parse one YAML document into a `Node` tree; raise `YamlError` on any problem.

    `line_offset` is the number of file lines before the YAML starts (front matter).
    We compose the tree from the parser's events ourselves: that is one pass in libyaml,
    and it sees anchors, aliases and tags, which a composed tree hides.
    """
    _refuse_unusual_line_breaks(text, line_offset)
    try:
        return _Composer(yaml.parse(text, Loader=_PARSER), line_offset, text).document()
    except yaml.MarkedYAMLError as exc:
        line = _problem_line(exc, text)
        slip = None if _too_deep(exc) else \
            _first_field_indented_deeper(exc, text, line) or _everyday_slip(text, line)
        if slip is not None:
            raise YamlError(slip[0] + line_offset, slip[1]) from None
        raise YamlError(line + line_offset, _syntax_message(exc, text)) from None
    except yaml.reader.ReaderError as exc:  # a control character, which has no mark
        raise YamlError(_reader_line(text, exc) + line_offset, _reader_message(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlError(1 + line_offset, f"YAML could not be read: {exc}") from None
    except UnicodeEncodeError as exc:  # a lone surrogate: only possible in text not from a file
        raise YamlError(text.count("\n", 0, exc.start) + 1 + line_offset,
                        "YAML could not be read: the text contains an invalid character "
                        f"(U+{ord(text[exc.start]):04X}); delete it") from None


_UNUSUAL_BREAKS = re.compile("[\x85\u2028\u2029]")


def _refuse_unusual_line_breaks(text: str, line_offset: int) -> None:
    """YAML ends a line at NEL, LS and PS too (U+0085, U+2028, U+2029, which text copied
    from web pages or word processors can carry, unseen): the value would be cut in two
    where the editor sees one line, and every line number after it would be off."""
    found = _UNUSUAL_BREAKS.search(text)
    if found:
        raise YamlError(text.count("\n", 0, found.start()) + 1 + line_offset,
                        f"the text contains the invisible line separator "
                        f"U+{ord(found.group()):04X}, which YAML reads as a line break; "
                        "delete it, or retype the line")


class _Composer:
    def __init__(self, events, offset: int, text: str = ""):
        self.events = events
        self.offset = offset
        self.lines = text.split("\n")

    def document(self) -> Node | None:
        root = None
        documents = 0
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlError(self._line(event), "only one YAML document is allowed "
                                    "here: remove the extra '---' line")
            elif isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent,
                                    yaml.StreamEndEvent)):
                continue
            else:
                root = self._node(event, 0)
        return root

    def _line(self, event) -> int:
        return event.start_mark.line + 1 + self.offset

    def _node(self, event, depth: int) -> Node:
        line = self._line(event)
        self._refuse_anchors_and_tags(event, line)
        if depth > MAX_DEPTH:
            raise YamlError(line, f"YAML is nested more than {MAX_DEPTH} levels deep")
        if isinstance(event, yaml.ScalarEvent):
            return Node(_scalar(event), line, raw=event.value)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            for item in self.events:
                if isinstance(item, yaml.SequenceEndEvent):
                    return Node(items, line)
                items.append(self._node(item, depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            return Node(self._mapping(depth), line)
        raise YamlError(line, "unexpected YAML structure")

    def _mapping(self, depth: int) -> YamlMap:
        mapping = YamlMap()
        for key_event in self.events:
            if isinstance(key_event, yaml.MappingEndEvent):
                return mapping
            key_line = self._line(key_event)
            self._refuse_anchors_and_tags(key_event, key_line)
            if not isinstance(key_event, yaml.ScalarEvent):
                raise YamlError(key_line, "a mapping key must be a plain name")
            key = key_event.value
            value_event = next(self.events)
            value = self._node(value_event, depth + 1)
            if value.value is None and value.raw == "":
                value.comment = self._comment_as_value(key_event)
            elif isinstance(value_event, yaml.ScalarEvent) and not value_event.style:
                value.comment = self._comment_after(value_event)
            if key in mapping.items:
                raise YamlError(key_line, f"the field '{key}' is given twice (first on line "
                                f"{mapping.key_lines[key]}): keep one of them")
            mapping.key_lines[key] = key_line
            mapping.items[key] = value
        return mapping

    def _comment_as_value(self, key_event) -> str | None:
        """The text after 'key: #' on the key's line, if that is what left it empty."""
        mark = key_event.end_mark
        line = self.lines[mark.line] if mark.line < len(self.lines) else ""
        rest = line[mark.column:].lstrip(":").lstrip()
        return rest if rest.startswith("#") and len(rest) > 1 else None

    def _comment_after(self, event) -> str | None:
        """The text after ' #' that ends a plain value's line, when it reads as part of
        the value: 'title: Room #3 now open' is read as 'Room', the rest as a comment.
        A '#' with a space after it ('# the title') is taken as the note YAML reads it as."""
        start, end = event.start_mark, event.end_mark
        if start.line != end.line or end.line >= len(self.lines):
            return None
        rest = self.lines[end.line][end.column:]
        note = rest.lstrip()
        return note[1:].rstrip() if rest[:1] in (" ", "\t") and note.startswith("#") and \
            note[1:2] not in ("", " ", "\t") else None

    @staticmethod
    def _refuse_anchors_and_tags(event, line: int) -> None:
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(line, "YAML aliases (*name) are not allowed in content; "
                            "write the value out")
        if getattr(event, "anchor", None):
            raise YamlError(line, "YAML anchors (&name) are not allowed in content; "
                            "write the value out")
        if getattr(event, "tag", None):  # any tag written, even the bare '!' one
            raise YamlError(line, "YAML tags (!tag) are not allowed in content; "
                            "remove the tag")


# the two slips behind most syntax errors in editors' files, told in their own words
_APOSTROPHE_IN_SINGLE_QUOTES = re.compile(
    r"""^\s*(?:- )?[\w-]+:\s*'(?:[^']|'')*+'(?!\s*(?:#|$))""")
_NO_SPACE_AFTER_COLON = re.compile(r"^\s*(?:- )?([a-z_]+):(?=[^\s:/])")
# a space YAML does not take for one (U+00A0, the non-breaking space Word and web pages
# put in copied text), where YAML needs one: in the indentation, after a field's ':' or a
# list item's '-'
_ODD_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_ODD_SPACE_WHERE_YAML_NEEDS_ONE = re.compile(
    rf"^ *([{_ODD_SPACES}])|^\s*(?:- )?[\w-]+:([{_ODD_SPACES}])|^\s*-([{_ODD_SPACES}])")


def _everyday_slip(text: str, error_line: int) -> tuple[int, str] | None:
    """(line, message) for an apostrophe that ends a single-quoted value early, or a
    missing space after a field's colon, on the line YAML stopped at or just before it
    (YAML notices both only further on)."""
    lines = text.split("\n")
    for number in range(min(error_line, len(lines)), max(0, error_line - 3), -1):
        line = lines[number - 1]
        odd = _ODD_SPACE_WHERE_YAML_NEEDS_ONE.match(line)
        if odd:
            space = next(found for found in odd.groups() if found)
            name = "a non-breaking space" if space == "\u00a0" else "an unusual space"
            return number, (f"this line has {name} (U+{ord(space):04X}) where YAML needs an "
                            "ordinary one (in its indentation, or after a ':' or '-'); it "
                            "looks like a space and comes with text copied from Word or a "
                            "web page: retype the spaces on this line")
        if _APOSTROPHE_IN_SINGLE_QUOTES.match(line):
            return number, ("an apostrophe inside a value in single quotes ends the value "
                            "there: put the value in double quotes (\"...\") instead, or "
                            "write the apostrophe twice ('')")
        found = _NO_SPACE_AFTER_COLON.match(line)
        if found:
            return number, (f"put a space after the colon of '{found[1]}:' "
                            f"({found[1]}: value)")
        slip = _value_slip(line)
        if slip is not None:
            return number, slip
    return None


# a value that begins like something else: curly quotes, a list or mapping closed and
# followed by more text ('[Draft] New hours'), a double-quoted part followed by more
# ('"Say "hello" to us"'), or '- ' (a list item)
_CURLY_START = re.compile(r"^\s*(?:- )?([\w-]+):\s*[\u201c\u201d\u2018\u2019\u201e]")
_BRACKETED_START = re.compile(r"^\s*(?:- )?([\w-]+):\s*(\[[^\]]*\]|\{[^}]*\})\s*[^\s#,]")
_QUOTED_THEN_MORE = re.compile(r'^\s*(?:- )?([\w-]+):\s*"(?:[^"\\]|\\.)*"\s*[^\s#,}\]]')
_DASH_START = re.compile(r"^\s*(?:- )?([\w-]+):\s*- ")


def _value_slip(line: str) -> str | None:
    """What is wrong with a value that YAML read as something it is not, in the words
    of what the editor typed (YAML's own said "does not line up", or "block sequence
    entries are not allowed in this context")."""
    value = line.split(":", 1)[1].strip() if ":" in line else ""
    if found := _CURLY_START.match(line):
        return (f"the value of '{found[1]}' starts with a curly quote (“ or ‘, as a word "
                "processor makes them), which YAML does not read as a quote: use straight "
                "quotes (\"...\") around the whole value")
    if found := _BRACKETED_START.match(line):
        return (f"a value that starts with '{found[2][0]}' is read as a "
                f"{'list' if found[2][0] == '[' else 'mapping'}: if it is text, put the "
                f"whole value in quotes ({found[1]}: \"{value}\")")
    if (found := _QUOTED_THEN_MORE.match(line)) and value.endswith('"'):
        return ("a double quote inside a value in double quotes ends the value there: "
                "put the whole value in single quotes instead "
                f"({found[1]}: {_single_quoted(value[1:-1])}), "
                "or write each inner quote as \\\"")
    if found:
        return ("the quotes end the value before the end of the line: put the whole value "
                f"in quotes, single ones around text with double quotes in it "
                f"({found[1]}: {_single_quoted(value)})")
    if found := _DASH_START.match(line):
        return (f"a value that starts with '- ' is read as a list item: if it is text, "
                f"put the whole value in quotes ({found[1]}: \"{value}\")")
    return None


def _single_quoted(text: str) -> str:
    """`text` as a value in single quotes, as a suggestion to paste in: there a backslash
    is a backslash (a \\" the editor wrote for a quote is a quote) and an apostrophe is
    written twice."""
    return "'" + text.replace('\\"', '"').replace("'", "''") + "'"


def _problem_line(exc: yaml.MarkedYAMLError, text: str) -> int:
    # An unclosed quote or bracket is reported where the construct opened (context_mark),
    # which is where the editor has to look; other errors where the problem was found.
    # ("while parsing a flow node" marks where a value was expected, not an opening.) A
    # line with no ':' is found only at the next line; the line itself is the context.
    context = exc.context or ""
    opened = any(what in context for what in ("quoted", "flow sequence", "flow mapping",
                                              "simple key"))
    if exc.context_mark is not None and opened:
        mark = exc.context_mark
    else:
        mark = exc.problem_mark or exc.context_mark
    if mark is not None and mark.index >= len(text.rstrip()):
        # found at the very end ('order: [' as the last line): the construct that is
        # still open is on the last line that has anything on it
        return text.rstrip().count("\n") + 1
    return (mark.line + 1) if mark is not None else 1


def _reader_line(text: str, exc: yaml.reader.ReaderError) -> int:
    """The line of the character libyaml refused. libyaml counts its position in UTF-8
    bytes, the pure-Python reader in characters."""
    if _PARSER is yaml.SafeLoader:
        return text.count("\n", 0, exc.position) + 1
    return text.encode("utf-8").count(b"\n", 0, exc.position) + 1


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    character = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return (f"the text contains the control character U+{character:04X}, which YAML does "
            "not allow (it is invisible in most editors); delete it, or retype the line")


# libyaml's words for a problem -> what the editor should look for
_SYNTAX_HINTS = {
    "did not find expected key": "this line does not line up with the 'field: value' lines "
    "above it (check its indentation, and look for a stray ':' or '-')",
    "did not find expected '-' indicator": "this line does not line up with the '- ' list "
    "items above it (check its indentation)",
    "did not find expected ',' or ']'": "a list opened with '[' is not closed with ']' "
    "(or a comma between two items is missing)",
    "did not find expected ',' or '}'": "a mapping opened with '{' is not closed with '}' "
    "(or a comma between two items is missing)",
    "did not find expected <document start>": "this line is not in line with the first "
    "one: top-level fields start at the beginning of their line (no spaces before them)",
}


def _first_field_indented_deeper(exc: yaml.MarkedYAMLError, text: str, error_line: int
                                 ) -> tuple[int, str] | None:
    """(line, message) for the first field under a 'name:' line indented deeper than the
    fields after it: YAML takes its indentation as the block's, and stops at the next
    line, which is the one lined up right (an editor's review: told one line late). The
    line after that says which of the two is out of line."""
    if exc.problem != "did not find expected key" or error_line < 3:
        return None
    lines = text.split("\n")
    if error_line > len(lines):
        return None
    parent, first, here = lines[error_line - 3], lines[error_line - 2], lines[error_line - 1]

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" "))
    after = lines[error_line] if error_line < len(lines) else ""
    if not (first.strip() and here.strip() and parent.rstrip().endswith(":")
            and ":" in first and indent(parent) < indent(here) < indent(first)) or \
            (after.strip() and indent(after) == indent(first)):  # (then `here` is odd)
        return None
    return error_line - 1, (f"this line is indented {indent(first)} spaces, and the fields "
                            f"after it {indent(here)}: give it the same {indent(here)} spaces "
                            "as they have")


def _too_deep(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml itself stopped at deep nesting (PyYAML 6.0.4's libyaml does; an
    older one leaves it to _Composer). Told before any guess at a slip, which a line of
    brackets resembles."""
    return "maximum nesting depth" in (exc.problem or exc.context or "")


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if _too_deep(exc):
        return f"YAML is nested more than {MAX_DEPTH} levels deep"
    if "'\\t'" in problem or "tab" in problem or _at_tab(exc.problem_mark, text):
        return "YAML syntax error: tabs cannot indent YAML; use spaces"
    if problem.startswith("mapping values are not allowed"):
        return "YAML syntax error: a value contains ': ' (put the whole value in quotes); " \
               "or, if this line is a field of its own, indent it like the fields above it"
    if "could not find expected ':'" in problem:
        return "YAML syntax error: a line is missing its ':' or is wrongly indented"
    if "quoted" in (exc.context or ""):
        return "YAML syntax error: a quoted value opened here is never closed; add the " \
               "closing quote (\" or ')"
    if problem in _SYNTAX_HINTS:
        return f"YAML syntax error: {_SYNTAX_HINTS[problem]}"
    if "alphabetic or numeric" in problem:  # a lone '*' or '&'
        return f"YAML syntax error: a value cannot start with {_char_at(exc.context_mark, text)}" \
               "; put the whole value in quotes"
    if "cannot start any token" in problem or "node content" in problem:
        if not _char_at(exc.problem_mark, text):  # the text ended where a value was due
            return "YAML syntax error: a '[' or '{' is never closed, or the last line " \
                   "ends where its value should be"
        return f"YAML syntax error: a value cannot start with {_char_at(exc.problem_mark, text)}" \
               "; put the whole value in quotes"
    return f"YAML syntax error: {problem} (check quotes, colons and indentation)"


def _char_at(mark, text: str) -> str:
    """The character at `mark`, quoted, or '' at a line's or the text's end."""
    character = text[mark.index:mark.index + 1] if mark is not None else ""
    return f"'{character}'" if character.strip() else ""


def _at_tab(mark, text: str) -> bool:
    """libyaml says 'cannot start any token' for a tab before a key; the tab is the cause."""
    return mark is not None and text[mark.index:mark.index + 1] == "\t"


def _scalar(event: yaml.ScalarEvent) -> Any:
    if not event.style and event.value != event.value.strip():
        # a plain value with a non-breaking (or other Unicode) space at an end, pasted from
        # a word processor: YAML strips only ASCII spaces, so '5\u00a0' would be text; it
        # is read as what the editor sees, the value without the space
        event = yaml.ScalarEvent(event.anchor, event.tag, event.implicit,
                                 event.value.strip(), event.start_mark, event.end_mark,
                                 event.style)
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    build = _CONSTRUCTOR.yaml_constructors.get(tag)
    if build is None:
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return build(_CONSTRUCTOR, node)
    except (ValueError, OverflowError, TypeError) as exc:
        kind = "date" if tag.endswith(":timestamp") else "value"
        return Invalid(event.value, f"not a real {kind}: {exc}")


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


# -- kept between builds (cachefolder.py): a node tree as plain data, and back -------------
#
# A node is [kind, value, line, raw, comment], without the trailing ones that are None;
# the kinds say how its value was written, so reading one back builds exactly the values
# a parse gives (dates and times as ISO text, which gives back the same offset or none).
# Most nodes are text, whose `raw` is the value itself: written once. Anything else
# raises ValueError (the cache file is then not read).

_TEXT, _SCALAR, _LIST, _MAP, _DATE, _DATETIME, _INVALID = range(7)
_PLAIN_SCALARS = (str, int, float, bool, type(None))


def node_to_data(node: Node) -> list:
    value, raw = node.value, node.raw
    if type(value) is str and raw == value:
        kind, data, raw = _TEXT, value, None
    elif isinstance(value, YamlMap):
        kind, data = _MAP, [[key, node_to_data(item), value.key_lines.get(key)]
                            for key, item in value.items.items()]
    elif isinstance(value, list):
        kind, data = _LIST, [node_to_data(item) for item in value]
    elif isinstance(value, dt.datetime):
        kind, data = _DATETIME, value.isoformat()
    elif isinstance(value, dt.date):
        kind, data = _DATE, value.isoformat()
    elif isinstance(value, Invalid):
        kind, data = _INVALID, [value.text, value.reason]
    elif isinstance(value, _PLAIN_SCALARS):
        kind, data = _SCALAR, value
    else:
        raise ValueError(f"a YAML value of type {type(value).__name__}")
    if node.comment is not None:
        return [kind, data, node.line, raw, node.comment]
    return [kind, data, node.line, raw] if raw is not None else [kind, data, node.line]


def node_from_data(data: list, depth: int = 0) -> Node:
    """The node `node_to_data` gave; ValueError for anything else. Called for each value
    of each document a build takes from its memory (80,000 at 10,000 documents), so the
    shapes are told apart by length and the types checked with `type() is`."""
    if type(data) is not list:
        raise ValueError("not a YAML node")
    size = len(data)
    if size == 3:
        kind, value, line = data
        raw = comment = None
    elif size == 4:
        kind, value, line, raw = data
        comment = None
    elif size == 5:
        kind, value, line, raw, comment = data
    else:
        raise ValueError("not a YAML node")
    if type(line) is not int or depth > MAX_DEPTH + 1 or \
            (raw is not None and type(raw) is not str) or \
            (comment is not None and type(comment) is not str):
        raise ValueError("not a YAML node")
    if kind == _TEXT:
        if type(value) is not str:
            raise ValueError("not text")
        raw = value
    elif kind == _MAP:
        mapping = YamlMap()
        items, key_lines = mapping.items, mapping.key_lines
        for key, item, key_line in value:
            if type(key) is not str:
                raise ValueError("a mapping key that is not text")
            items[key] = node_from_data(item, depth + 1)
            if key_line is not None:
                key_lines[key] = int(key_line)
        value = mapping
    elif kind == _LIST:
        value = [node_from_data(item, depth + 1) for item in value]
    elif kind == _DATETIME:
        value = dt.datetime.fromisoformat(value)
    elif kind == _DATE:
        value = dt.date.fromisoformat(value)
    elif kind == _INVALID:
        value = Invalid(*map(str, value))
    elif kind != _SCALAR or type(value) not in _PLAIN_TYPES:
        raise ValueError("not a YAML value")
    return Node(value, line, raw, comment)


_PLAIN_TYPES = frozenset(_PLAIN_SCALARS)  # what CBOR gives back for them: exactly these

"""Fuzzing the loader with hypothesis: whatever text or bytes a content file holds, ccsite
either accepts it or records its own `ContentError` (a `YamlError` from `parse_yaml`):
never another exception, never a hang, and an error in the fuzzed file names a line that
the file has.

The inputs are random unicode, random bytes, YAML-ish text from a small grammar of keys,
values, indentation and punctuation, and the fixture site's own files with lines changed,
duplicated, deleted or re-indented (which reaches the field readers, not only the parser).
A body's Markdown is fuzzed too, from the syntax of Python-Markdown and the extensions
ccsite turns on: it is converted to HTML whatever it holds.
Each example is cut off by an alarm after ALARM_SECONDS, so a hang fails instead of
stalling the run; hypothesis' own deadline catches slow examples.

The number of examples run is printed in the run's summary, as `fuzz: N examples` (see
conftest.py: the tests' worker processes each count theirs).
"""
from __future__ import annotations

import collections
import datetime as dt
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from ccsite import graph, load, validate
from ccsite.bodies import BodyRenderer
from ccsite.config import read_site_config
from ccsite.errors import ContentError, ErrorList
from ccsite.yamlnodes import YamlError, parse_yaml
from conftest import BASE_FILES

# hypothesis keeps caches in .hypothesis/ of the working directory; not in this tree
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "ccsite-hypothesis")
ALARM_SECONDS = 10
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)
EXAMPLES: collections.Counter[str] = collections.Counter()
REJECTED: collections.Counter[str] = collections.Counter()  # examples ending in an error


def fuzz_settings(examples: int):
    # deadline: a generous bound per example on a busy 2-core machine; the alarm catches
    # a real hang. No example database: nothing is written into the working tree.
    return settings(max_examples=examples, deadline=2000, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def alarm(seconds: int = ALARM_SECONDS):
    def ring(signum, frame):
        raise TimeoutError(f"an example ran for more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- inputs ----------------------------------------------------------------------------

KEYS = st.sampled_from([
    "title", "name", "summary", "date", "deadline", "published", "publish_date", "expires",
    "slug", "draft", "extra", "status", "phase", "address", "postcode", "services",
    "opening_hours", "days", "opens", "closes", "location", "lat", "lon", "value", "amount",
    "documents", "url", "centres", "lead_agency", "agency", "contact", "email", "phone",
    "tags", "order", "nav_order", "base_url", "service_types", "programme", "targets",
    "x", "Title", "<<", "a b", "déjà", "1", "true", "null", "~", "?", "-", "", "'q'", '"q"',
])
VALUES = st.one_of(
    st.sampled_from([
        "2006-02-30", "2026-13-01", "2025-02-29", "2027-01-29T12:00:00Z", "2027-01-29 12:00",
        "2027-01-29T12:00:00+25:00", "9999-12-31", "0001-01-01", "2008-04-01",
        "9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+23:00", "2027-03-29T01:30:00Z",
        "1.0e+9999", "-1.0e-9999", ".inf", "-.inf", ".nan", "0x1F", "0o17", "017", "1_000",
        "190:20:30", "09:00", "'09:00'", "true", "yes", "off", "null", "~", "", "''", '""',
        "-", "media/pack.pdf", "media/../x", "media//etc/passwd", "../etc", "/abs",
        "https://example.org/", "javascript:alert(1)", '"01632 960000"', "WD19 7AA",
        "oxhey", "oxhey-trust", "open", "active", "voluntary", "GBP", "&a x", "*a",
        "!!str x", "!x y", "! y", "!!python/object/apply:os.system [id]", "!!binary aGk=",
        "|", ">-", "|+", "[", "]", "{", "}", "[a, b]", "[[[[", "{a: 1}", "{a: 1, a: 2}",
        "[oxhey, oxhey]", "{amount: 5, currency: GBP}", "'unclosed", '"unclosed',
        "# comment", "%", "@", "`", "\t", "a: b", "- x", "?", "---", "...", "\\", "\x00",
        "\x07", "\ufeff", "\u2028", "\x85", "é", "ŵ", "ż", "مرکز", "\U0001F600",
    ]),
    st.text(max_size=12),
    st.integers(min_value=-10 ** 30, max_value=10 ** 30).map(str),
    st.floats().map(str),
)
# text with YAML's punctuation and the characters that trouble parsers mixed in
SPECIALS = st.sampled_from(["\n", "\r", "\t", " ", ":", ": ", "- ", "[", "]", "{", "}", ",",
                            "&", "*", "!", "|", ">", "'", '"', "#", "%", "@", "`", "?",
                            "\x00", "\x07", "\x1b", "\x85", "\u2028", "\u2029", "\ufeff",
                            "\ufffe", "\ud800", "\udfff", "\U0010ffff"])
MIXED_TEXT = st.lists(st.one_of(st.characters(exclude_categories=()), SPECIALS),
                      max_size=120).map("".join)
INDENTS = st.sampled_from(["", "", "", " ", "  ", "   ", "    ", "\t", " \t", "      "])
LINES = st.builds(
    lambda indent, dash, key, colon, space, value, tail:
        f"{indent}{dash}{key}{colon}{space}{value}{tail}",
    INDENTS, st.sampled_from(["", "", "", "- ", "-", "? "]), KEYS,
    st.sampled_from([":", ":", ":", "", "::", " :"]), st.sampled_from([" ", " ", "", "\t"]),
    VALUES, st.sampled_from(["", "", "", " # note", ",", "]", "}", ":"]),
)
YAMLISH = st.builds(lambda lines, end: end.join(lines),
                    st.lists(LINES, max_size=12), st.sampled_from(["\n", "\n", "\r\n", "\r"]))


@st.composite
def mutated(draw, rel: str) -> str:
    """One of the fixture site's files, with a few lines changed, added, dropped or moved."""
    lines = BASE_FILES[rel].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "value", "line", "drop", "copy", "indent",
                                       "dedent", "swap"]))
        line = lines[index]
        if action == "value" and ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + draw(VALUES)
        elif action == "line":
            lines.insert(index, draw(LINES))
        elif action == "drop":
            del lines[index]
        elif action == "copy":
            lines.insert(index, line)
        elif action == "indent":
            lines[index] = draw(INDENTS) + line
        elif action == "dedent":
            lines[index] = line.lstrip()
        elif action == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], line
        if not lines:
            lines = [""]
    return "\n".join(lines)


def front_matter(body: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A Markdown file: front matter (sometimes unclosed, sometimes with a BOM), then a body."""
    return st.builds(lambda bom, yaml_text, close, body_text:
                     f"{bom}---\n{yaml_text}\n{close}{body_text}",
                     st.sampled_from(["", "", "\ufeff"]), body,
                     st.sampled_from(["---\n", "---\n", "---", "", "...\n", "--- \n"]),
                     st.text(max_size=30))


# -- parse_yaml: only YamlError ----------------------------------------------------------

def check_parse(text: str, name: str) -> None:
    EXAMPLES[name] += 1
    with alarm():
        try:
            parse_yaml(text, line_offset=1)
        except YamlError as exc:
            REJECTED[name] += 1
            assert isinstance(exc.line, int) and exc.line >= 1
            assert exc.message


@fuzz_settings(1000)
@given(MIXED_TEXT)  # surrogates too, which no file can hold but a caller's string can
def test_parse_yaml_random_unicode(text):
    check_parse(text, "parse_yaml random unicode")


@fuzz_settings(1000)
@given(YAMLISH)
def test_parse_yaml_yamlish(text):
    check_parse(text, "parse_yaml YAML-ish")


# -- load: accepted, or ContentErrors with a line of the file -------------------------------

@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """A content folder holding the fixture site; each example overwrites one file."""
    folder = tmp_path_factory.mktemp("fuzz") / "content"
    for rel, text in BASE_FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def loaded(content: Path, rel: str, data: bytes, name: str) -> tuple[load.ContentFolder,
                                                                    ErrorList]:
    """Write `data` as `rel`, load the folder, and check what was recorded about it."""
    EXAMPLES[name] += 1
    (content / rel).write_bytes(data)
    errors = ErrorList()
    try:
        with alarm():
            folder = load.load(content, "content", errors)
    finally:  # the next example starts from the good site again
        (content / rel).write_text(BASE_FILES[rel], encoding="utf-8")
    check_errors(errors, rel, data)
    REJECTED[name] += bool(errors)
    return folder, errors


def check_errors(errors: ErrorList, rel: str, data: bytes) -> None:
    """Every error is a ContentError; one about the fuzzed file names one of its lines."""
    last_line = data.count(b"\n") + data.count(b"\r") + 1
    for error in errors.errors:
        assert isinstance(error, ContentError)
        assert error.field and error.message and isinstance(error.line, int)
        if error.path == f"content/{rel}":
            assert 1 <= error.line <= last_line + 1, str(error)


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@fuzz_settings(250)
@given(front_matter(YAMLISH))
def test_load_markdown_yamlish(content, text):
    loaded(content, "lessons/more-time.md", encode(text), "load .md YAML-ish")


@fuzz_settings(250)
@given(YAMLISH)
def test_load_yaml_file_yamlish(content, text):
    loaded(content, "agencies/oxhey-trust.yaml", encode(text), "load .yaml YAML-ish")


@fuzz_settings(250)
@given(front_matter(MIXED_TEXT.map(lambda text: encode(text).decode("utf-8", "replace"))))
def test_load_markdown_random_unicode(content, text):
    loaded(content, "news/centres-open.md", encode(text), "load .md random unicode")


@fuzz_settings(250)
@given(st.one_of(st.binary(max_size=400),
                 st.binary(max_size=200).map(lambda data: b"---\n" + data + b"\n---\n")))
def test_load_random_bytes(content, data):
    loaded(content, "pages/about.md", data, "load random bytes")


# -- a body's Markdown: whatever an editor writes is converted ------------------------------

# Python-Markdown's own syntax and that of the extensions ccsite turns on (tables, fenced
# code with its options in braces, attribute lists), mixed with what troubles a converter
FENCE_OPTIONS = st.lists(st.sampled_from([
    ".python", ".js", "#code", '#"x"', "linenums=\"1\"", "linenums=no", "guess_lang=no",
    "guess_lang=\"false\"", "noclasses=yes", "use_pygments=false", "use_pygments=true",
    'hl_lines="1 2"', "hl_lines=x", 'data-x="1"', "style=\"color:red\"", "onclick=x",
    "{", "}", ":", "=", '"',
]), max_size=4).map(" ".join)
MARKDOWN_PIECES = st.one_of(
    st.builds(lambda fence, options, code, close: f"{fence}{{ {options} }}\n{code}\n{close}",
              st.sampled_from(["```", "~~~", "````"]), FENCE_OPTIONS,
              st.sampled_from(["x = 1", "", "<script>", "```", "\t"]),
              st.sampled_from(["```", "~~~", "````", ""])),
    st.builds(lambda options: f"```{options}\ncode\n```", st.sampled_from(
        ["python", "python hl_lines=\"1\"", " { .python }", "{}", "{ }", "{ linenums }"])),
    st.sampled_from(["| a | b |\n|---|---|\n| 1 | 2 |", "| a |\n|:-:|", "# Heading {: #id }",
                     "Text {: .class data-x=1 }", "- item\n    - nested", "1. one\n1) two",
                     "[link](/centres/oxhey/)", "[x]: /path 'title'", "<div markdown=1>*a*</div>",
                     "<img src=x onerror=alert(1)>", "*" * 40, "[" * 30, "> " * 20 + "deep",
                     "    indented code", "***", "&amp; &#0; &#xD800;", "\\", "`` ` ``"]),
    MIXED_TEXT.map(lambda text: encode(text).decode("utf-8", "replace")),  # (as a file is
)                                                                          # read: load.py)
MARKDOWNISH = st.lists(MARKDOWN_PIECES, max_size=8).map("\n\n".join)


@fuzz_settings(300)
@given(MARKDOWNISH)
def test_markdown_body_is_converted_without_crashing(text):
    """A body is converted to HTML whatever it holds: Python-Markdown and its extensions
    never end the build in a traceback (a fenced block's option read as on or off did)."""
    EXAMPLES["convert Markdown body"] += 1
    with alarm():
        html = BodyRenderer("/").render(text)
    assert isinstance(html, str) and "<script" not in html


# -- load, validate, link: a mutated file among good ones -----------------------------------

MUTABLE = ["centres/oxhey.md", "agencies/oxhey-trust.yaml", "opportunities/oxhey-eoi.md",
           "news/centres-open.md", "members/good-practice/dads-group.md",
           "members/directory.yaml", "site.yaml"]


@fuzz_settings(500)
@given(st.sampled_from(MUTABLE).flatmap(lambda rel: st.tuples(st.just(rel), mutated(rel))))
def test_mutated_file_is_validated_without_crashing(content, case):
    rel, text = case
    name = "validate mutated file"
    folder, errors = loaded(content, rel, encode(text), name)
    REJECTED[name] -= bool(errors)  # counted below, once every stage has run
    with alarm():
        config = read_site_config(folder.site, errors) if folder.site else None
        if config is not None:
            options = validate.BuildOptions(now=NOW)
            validated = validate.validate(folder, config, options, errors)
            bodies = BodyRenderer(config.base_path)
            graph.build_site(validated, options, errors, bodies)
            graph.build_members_site(validated, options, errors, bodies)
    check_errors(errors, rel, encode(text))
    REJECTED[name] += bool(errors)

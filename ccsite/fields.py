"""Field rules: read one YAML mapping field by field, checking each value as it goes.

Every content type (and site.yaml) is read through `Fields`, in the spirit of MkDocs'
self-validating config options: one method per kind of value, each recording a precise
`path:line: field: message` on a mistake and returning None, so a file with five mistakes
reports all five. `finish()` rejects fields the type does not know, suggesting the
closest known name, because an unknown field is almost always a typo.
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .errors import ContentError, ErrorList
from .model import Phone
from .yamlnodes import Invalid, Node, YamlMap, plain

LOCAL_ZONE = ZoneInfo("Europe/London")  # a county council's "today" is UK time


def closing_day(moment: dt.datetime) -> dt.date:
    """The UK day a deadline falls on: the day of its last moment. One at midnight (00:00)
    closes at the end of the day before, as anyone reads "midnight on 18 December": on
    the 18th it "closes today", not "tomorrow"."""
    return (moment - dt.timedelta(microseconds=1)).astimezone(LOCAL_ZONE).date()
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
POSTCODE_RE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2})$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
INTEGER_RE = re.compile(r"^[-+]?[0-9]+$")
# No date of the programme is outside these years, so one that is is a typo; it also keeps
# date arithmetic (the day after, a timeline's next year) away from the calendar's edges.
# Sure Start began in 1998: a year before 1990 is a slip (a date typed into the web
# editor's date box digit by digit can come out as 1906, a fault of Decap's widget).
FIRST_YEAR, LAST_YEAR = 1990, 2199
SHOWN_MAX = 60  # characters of a wrong value quoted in a message


class Fields:
    """One mapping being read. `prefix` makes nested names like `address.postcode`."""

    def __init__(self, mapping: YamlMap, line: int, path: str, errors: ErrorList,
                 prefix: str = "", lines: dict[str, int] | None = None):
        self.data = mapping
        # field name -> line, shared with nested readers, so later stages (cross
        # references in graph.py) can point at the line of a value
        self.lines: dict[str, int] = {} if lines is None else lines
        self.line = line
        self.path = path
        self.errors = errors
        self.prefix = prefix
        self.used: set[str] = set()
        self.absent: dict[str, ContentError] = {}  # required fields told missing

    # -- reporting ------------------------------------------------------------------

    def error(self, name: str, line: int, message: str) -> None:
        self.errors.add(self.path, line, self.prefix + name, message)

    def missing(self, name: str, why: str = "") -> None:
        """A required field left out is reported on the line of its mapping; one written
        with nothing after its colon, on its own line."""
        if name in self.data:
            comment = self.data.items[name].comment
            hint = f": '#' starts a comment in YAML, so put the value in quotes " \
                f"({name}: \"{comment}\")" if comment else ""
            self.error(name, self.data.key_lines[name], f"is required{why}, but has no "
                       f"value here{hint}")
        elif not any(_without_invisible(key) == name for key in self.data.key_lines):
            self.error(name, self.line, f"is required{why}")  # (not when it is there with
            # an invisible character in its name: `finish` says that)
            self.absent[name] = self.errors.errors[-1]  # (see `finish`)

    def finish(self) -> None:
        """Report every field nobody asked for, with the closest known name."""
        known = sorted(self.used)
        for key, line in self.data.key_lines.items():
            if key in self.used:
                continue
            seen = _without_invisible(key)
            if not seen.strip():  # ('"": x', or YAML's '? ' with nothing after it)
                self.error("(no name)", line, "a field with no name: write its name before "
                           "the colon, or delete the line")
                continue
            if seen != key:
                self.error(seen, line, "the field's name holds an invisible character (one "
                           "that comes with text copied from Word or a web page): delete "
                           f"the name and type '{seen}' again")
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            if close and close[0] in self.absent:  # 'Title' for a missing 'title': told
                self._misspelt(key, line, close[0])  # once, at this line
                continue
            hint = f"did you mean '{close[0]}'?" if close else \
                "known fields: " + ", ".join(known)
            self.error(key, line, f"unknown field ({hint})")

    def _misspelt(self, key: str, line: int, name: str) -> None:
        """A required field written in capitals or misspelt: one message where it is
        written, in place of two (the field required at the mapping's first line, and an
        unknown one here), which counted one slip as two mistakes."""
        told = self.absent.pop(name)
        if told in self.errors.errors:
            self.errors.errors.remove(told)
        why = "field names are in lower case" if key.lower() == name else \
            "check its spelling"
        self.error(name, line, f"{told.message}, and '{key}' on this line is not it: "
                   f"{why} ({name}: ...)")

    # -- access ---------------------------------------------------------------------

    def node(self, name: str, required: bool = False, why: str = "",
             words: bool = False) -> Node | None:
        """The node of `name`, or None (reported when required) if absent or empty.

        A value that is not words (a phone, a date, a choice...) written in Word's curly
        quotes is told so: YAML reads them as part of the value."""
        self.used.add(name)
        node = self.data.get(name)
        if node is not None:
            self.lines[self.prefix + name] = node.line
        if node is None or _blank(node.value):
            if required:
                self.missing(name, why)
            return None
        if words and node.comment and isinstance(node.value, str):  # 'Room #3 now open'
            self.error(name, node.line, f"everything after ' #' is read as a note in YAML "
                       f"and left out of the site ('{_cut(node.comment)}'); to keep it, put "
                       f"the whole value in quotes: {name}: "
                       f"{_quoted_for_yaml(f'{node.value} #{node.comment}')}")
            return None
        if not words and isinstance(node.value, str) and _in_curly_quotes(node.value):
            inner = node.value.strip()[1:-1].strip()
            self.error(name, node.line, f"'{_cut(node.value.strip())}' is in curly quotes "
                       "(“ ” or ‘ ’, as a word processor writes them), which are read as part "
                       f"of the value; use straight quotes: \"{inner}\"")
            return None
        return node

    def present(self, name: str) -> bool:
        node = self.data.get(name)
        return node is not None and not _blank(node.value)

    def line_of(self, name: str) -> int:
        node = self.data.get(name)
        return node.line if node is not None else self.line

    # -- scalars --------------------------------------------------------------------

    def text(self, name: str, required: bool = False, why: str = "",
             words: bool = True) -> str | None:
        node = self.node(name, required, why, words)
        return None if node is None else self._text(name, node)

    def _text(self, name: str, node: Node) -> str | None:
        if isinstance(node.value, (YamlMap, list)):
            self.error(name, node.line, "must be text, not a list or a mapping")
            return None
        text = (node.value if isinstance(node.value, str) else node.raw or "").strip()
        if not text:  # a list item of spaces; an empty field never gets here
            self.error(name, node.line, "is empty")
            return None
        return text

    def one_line(self, name: str, required: bool = False, why: str = "") -> str | None:
        text = self.text(name, required, why)
        if text is not None and "\n" in text:
            self.error(name, self.line_of(name), "must be a single line of plain text")
            return None
        return text

    def integer(self, name: str, required: bool = False, choices: tuple[int, ...] = (),
                minimum: int | None = None) -> int | None:
        node = self.node(name, required)
        if node is None:
            return None
        value = node.value
        if isinstance(value, str) and INTEGER_RE.match(value.strip()):
            self.error(name, node.line, f"must be a whole number, not the text {_show(node)}: "
                       "write plain digits, without quotes or a leading zero")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, node.line, f"must be a whole number, not {_show(node)}")
            return None
        if choices and value not in choices:
            self.error(name, node.line, f"must be one of {_or(choices)}, not {value}")
            return None
        if minimum is not None and value < minimum:
            self.error(name, node.line, f"must be {minimum} or more, not {value}")
            return None
        return value

    def number(self, name: str, required: bool = False) -> Decimal | None:
        node = self.node(name, required)
        if node is None:
            return None
        if isinstance(node.value, str) and _decimal(node.value) is not None:
            self.error(name, node.line, f"must be a number, not the text {_show(node)}: "
                       "write plain digits, without quotes (e.g. 51.65)")
            return None
        number = None
        if not isinstance(node.value, bool) and isinstance(node.value, (int, float)):
            number = _decimal(node.raw or str(node.value))
        if number is None:  # also .inf, .nan and YAML's 1:30 (base 60)
            written = str(node.raw or node.value or "").strip()
            if _DECIMAL_COMMA.match(written) or (name in ("lat", "lon") and
                                                  re.fullmatch(r"-?\d{1,3},\d+", written)):
                written = written.replace(",", ".")  # 51,75: a comma for the decimal point,
                # as much of Europe writes it (a latitude's 51,647 is no thousands)
            plain_digits = re.sub(r"[£$€,\s]", "", written)
            example = plain_digits if _decimal(plain_digits) is not None else "51.65"
            self.error(name, node.line, f"must be a number, not {_show(node)} "
                       f"(write digits only, with a point for decimals: {example})")
        return number

    def free_mapping(self, name: str) -> dict:
        """`extra`: never validated (it is the templates' own), but always a mapping."""
        node = self.node(name)
        value = plain(node)
        if node is not None and not isinstance(value, dict):
            self.error(name, node.line, NOT_A_MAPPING)
            return {}
        return value or {}

    def boolean(self, name: str) -> bool:
        node = self.node(name)
        if node is None:
            return False
        if not isinstance(node.value, bool):
            quoted = isinstance(node.value, str) and node.value.strip() in ("true", "false")
            hint = ": remove the quotes" if quoted else ""
            self.error(name, node.line, f"must be true or false, not {_show(node)}{hint}")
            return False
        return node.value

    def choice(self, name: str, options: tuple[str, ...] | list[str], required: bool = False,
               why: str = "") -> str | None:
        text = self.text(name, required, why, words=False)
        if text is None:
            return None
        if text not in options:
            self.error(name, self.line_of(name), _not_one_of(text, options))
            return None
        return text

    def slug(self, name: str, required: bool = False, why: str = "") -> str | None:
        text = self.text(name, required, why, words=False)
        if text is not None and not SLUG_RE.match(text):
            self.error(name, self.line_of(name), f"'{_cut(text)}' is not a slug: use lower-case "
                       "letters, digits and single hyphens (e.g. 'north-watford')"
                       + _slug_hint(text))
            return None
        return text

    def date(self, name: str, required: bool = False, why: str = "") -> dt.date | None:
        node = self.node(name, required, why)
        if node is None or not self._one_value(name, node, "a date", "YYYY-MM-DD "
                                               "(e.g. 2006-02-03)"):
            return None
        value = _parsed(node.value, dt.date.fromisoformat)
        if isinstance(value, dt.datetime):
            self.error(name, node.line, "must be a date without a time (e.g. 2006-02-03)")
            return None
        if isinstance(value, dt.date):
            return value if self._in_years(name, node, value) else None
        if self._long_dashes(name, node, dt.date.fromisoformat):
            return None
        day_first = _day_first(node.value)
        if day_first is not None:
            self.error(name, node.line, f"{_show(node)} is written {_how_written(node)}; "
                       f"write it as {day_first.isoformat()} ({_said(day_first)}"
                       f"{_read_as(node)})")
            return None
        self.error(name, node.line, f"{_show(node)} is not a real date{_reason(value)}; "
                   "write it as YYYY-MM-DD (e.g. 2006-02-03)")
        return None

    def _long_dashes(self, name: str, node: Node, parse: Callable[[str], Any]) -> bool:
        """Told if the value is a date written with a word processor's long dashes (–),
        which look like the hyphens it needs: "not a real date" left the editor
        looking at what seemed to be YYYY-MM-DD."""
        text = str(node.value)
        plain = text.translate(_LONG_DASHES)
        if plain == text:
            return False
        if not isinstance(_parsed(plain, parse), dt.date):
            day_first = _day_first(plain)
            if day_first is None:
                return False
            plain = day_first.isoformat() + ("" if parse is dt.date.fromisoformat else
                                             "T12:00:00Z, with the time you mean")
        self.error(name, node.line, f"{_show(node)} is written with long dashes (– or —, "
                   f"as a word processor makes them); type them with the hyphen key: {plain}")
        return True

    def _zone_in_words(self, name: str, node: Node) -> bool:
        """Told if the value is a date-time with its zone in words ('... 12:00 GMT')."""
        found = _ZONE_WORD.match(str(node.value))
        if not found:
            return False
        zone = "+01:00" if found[2].upper() == "BST" else "Z"
        meant = _parsed(found[1].strip().replace(" ", "T", 1) + zone, dt.datetime.fromisoformat)
        if not isinstance(meant, dt.datetime):
            return False
        self.error(name, node.line, f"{_show(node)} gives its zone in words; write "
                   f"{meant.isoformat().replace('+00:00', 'Z')} (Z is GMT, UK winter time; "
                   "+01:00 is BST, UK summer time)")
        return True

    def datetime(self, name: str, required: bool = False, why: str = "",
                 allow_date: bool = False) -> dt.datetime | None:
        """A date-time with a zone. With `allow_date`, a date means the start of that UK day."""
        node = self.node(name, required, why)
        if node is None or not self._one_value(name, node, "a date-time",
                                               "YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)"):
            return None
        value = _parsed(node.value, dt.datetime.fromisoformat)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                self.error(name, node.line, f"{_show(node)} has no time zone; add Z for UK "
                           "winter time or +01:00 for summer time (e.g. 2027-01-29T12:00:00Z)")
                return None
            return value if self._in_years(name, node, value) else None
        if isinstance(value, dt.date):
            if allow_date:
                return start_of_day(value) if self._in_years(name, node, value) else None
            self.error(name, node.line, "needs a time and a zone as well as the date "
                       f"(e.g. {value.isoformat()}T12:00:00Z)")
            return None
        also = ", or as a date YYYY-MM-DD" if allow_date else ""
        if self._long_dashes(name, node, dt.datetime.fromisoformat) or \
                self._zone_in_words(name, node):
            return None
        day_first = _day_first(node.value)
        if day_first is not None:
            clock = _clock_after(node.value)
            meant = dt.datetime.combine(day_first, clock or dt.time(12, 0), tzinfo=LOCAL_ZONE)
            zone = "+01:00" if meant.utcoffset() else "Z"
            time_said = "" if clock else " with the time you mean"
            self.error(name, node.line, f"{_show(node)} is written {_how_written(node)}; "
                       f"write it as {meant:%Y-%m-%dT%H:%M:%S}{zone}{time_said} "
                       f"({_said(day_first)}{clock.strftime(', %H:%M UK time') if clock else ''}"
                       f"{_read_as(node)}; {zone} is UK "
                       f"{'summer' if zone != 'Z' else 'winter'} time that day){also}")
            return None
        self.error(name, node.line, f"{_show(node)} is not a real date-time{_reason(value)}; "
                   f"write it as YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z){also}")
        return None

    def _one_value(self, name: str, node: Node, what: str, how: str) -> bool:
        """False, reported, for a list or a mapping where a single value belongs."""
        if isinstance(node.value, (YamlMap, list)):
            self.error(name, node.line, f"must be {what}, not {_show(node)}; write it as {how}")
            return False
        return True

    def _in_years(self, name: str, node: Node, value: dt.date) -> bool:
        if FIRST_YEAR <= value.year <= LAST_YEAR:
            return True
        self.error(name, node.line, f"{_show(node)} is out of range: the year must be "
                   f"between {FIRST_YEAR} and {LAST_YEAR} (a typo in the year? In the web "
                   "editor, pick the date from the calendar, or check the year typed)")
        return False

    def clock_time(self, name: str, required: bool = False) -> dt.time | None:
        node = self.node(name, required)
        if node is None:
            return None
        # YAML 1.1 reads an unquoted 09:00 as the number 540 (base 60); the raw text is right
        text = (node.raw or "").strip() if not isinstance(node.value, (YamlMap, list)) else ""
        if not TIME_RE.match(text):
            meant = _clock_meant(text)
            self.error(name, node.line, f"{_show(node)} is not a time; write it as HH:MM "
                       "in 24-hour form, in quotes (" + (f'here "{meant}"' if meant else
                                                         'e.g. "09:30"') + ")")
            return None
        return dt.time(int(text[:2]), int(text[3:]))

    def email(self, name: str, required: bool = False) -> str | None:
        text = self.text(name, required, words=False)
        if text is not None and text.lower().startswith("mailto:"):
            self.error(name, self.line_of(name), f"'{text}': write the address alone, "
                       f"without 'mailto:' ({text[7:]}); the page makes the link")
            return None
        if text is not None and not EMAIL_RE.match(text):
            self.error(name, self.line_of(name), f"'{text}' is not an e-mail address "
                       "(e.g. name@example.org)")
            return None
        return text

    def phone(self, name: str, required: bool = False) -> Phone | None:
        text = self.text(name, required, words=False)
        if text is None:
            return None
        phone = parse_phone(text)
        if phone is None:
            self.error(name, self.line_of(name), f"'{text}' is not a UK phone number; write "
                       "it in national form (01632 960000) or international form "
                       "(+44 1632 960000), in quotes")
        return phone

    def url(self, name: str, required: bool = False) -> str | None:
        text = self.text(name, required, words=False)
        if text is not None and not is_web_url(text):
            self.error(name, self.line_of(name), f"'{text}' is not a web address; give the "
                       "whole address starting with https:// (e.g. https://example.org/)")
            return None
        return text

    def postcode(self, name: str, required: bool = False) -> str | None:
        text = self.text(name, required, words=False)
        if text is None:
            return None
        compact = re.sub(r"\s+", "", text).upper()
        if not POSTCODE_RE.match(compact):
            self.error(name, self.line_of(name), f"'{text}' is not a UK postcode "
                       "(e.g. WD17 1AB)")
            return None
        return f"{compact[:-3]} {compact[-3:]}"

    # -- site settings ----------------------------------------------------------------

    def language(self, name: str) -> str | None:
        """The language tag of every page (`<html lang>`): screen readers choose their
        voice by it, so a name ('English') is refused, not published."""
        language = self.text(name)
        if language is not None and not LANGUAGE_RE.match(language):
            self.error(name, self.line_of(name), f"'{language}' is not a language code; "
                       "write en-GB for English (cy for Welsh)")
            return None
        return language

    def base_url(self, name: str, required: bool = False) -> str | None:
        url = self.text(name, required, words=False)
        if url is None:
            return None
        if not is_web_url(url) or not url.endswith("/") or "?" in url or "#" in url:
            self.error(name, self.line_of(name), f"'{url}' must be an absolute http(s) "
                       "address ending in / (e.g. https://childrenscentres.example.org/)")
            return None
        return url

    def labels(self, name: str, required: bool = False) -> dict[str, str] | None:
        """A mapping of key: label with keys of the editor's choosing (service types)."""
        types = self.mapping(name, required=required)
        if types is None:
            return None
        result: dict[str, str] = {}
        for key, line in types.data.key_lines.items():
            if not SLUG_RE.match(key):
                types.error(key, line, "a service type key must be lower-case letters, "
                            "digits and hyphens (e.g. family-support)")
                types.used.add(key)
                continue
            # a key with a broken label is still a key: centres using it are not wrong too
            result[key] = types.one_line(key, required=True) or key
        if not types.data.items:  # centres must list at least one service, from these keys
            self.error(name, self.line_of(name), "is empty; give at least one 'key: label' "
                       "line (e.g. family-support: Family support and outreach)")
            return None
        return result

    # -- collections ----------------------------------------------------------------

    def mapping(self, name: str, required: bool = False, why: str = "") -> Fields | None:
        node = self.node(name, required, why)
        if node is None:
            return None
        if not isinstance(node.value, YamlMap):
            self.error(name, node.line, NOT_A_MAPPING)
            return None
        # a field missing from `address:` is reported on the `address:` line
        return Fields(node.value, self.data.key_lines[name], self.path, self.errors,
                      f"{self.prefix}{name}.", self.lines)

    def raw_list(self, name: str, required: bool = False) -> list[Node] | None:
        node = self.node(name, required)
        if node is None:
            return None
        if not isinstance(node.value, list):
            self.error(name, node.line, "must be a list (lines starting with '- ', "
                       "or [a, b] on one line)")
            return None
        if required and not node.value:
            self.error(name, node.line, "is an empty list; give at least one item")
            return None
        return node.value

    def mappings(self, name: str, required: bool = False) -> Iterator[Fields]:
        """Each item of a list of mappings, as its own `Fields` (`name[0].field`)."""
        for index, item in enumerate(self.raw_list(name, required) or []):
            item_name = f"{name}[{index}]"
            if not isinstance(item.value, YamlMap):
                self.error(item_name, item.line, NOT_A_MAPPING)
                continue
            self.lines[self.prefix + item_name] = item.line
            yield Fields(item.value, item.line, self.path, self.errors,
                         f"{self.prefix}{item_name}.", self.lines)

    def text_list(self, name: str, required: bool = False,
                  options: tuple[str, ...] | list[str] = (),
                  addresses: bool = False) -> tuple[str, ...]:
        """A list of texts; `addresses`: each names a page (see schema.Field.addresses)."""
        values: list[str] = []
        seen: set[str] = set()
        for index, item in enumerate(self.raw_list(name, required) or []):
            item_name = f"{name}[{index}]"
            text = self._text(item_name, item) if item.value is not None else None
            if text is None:
                if item.value is None:
                    self.error(item_name, item.line, "is empty")
                continue
            if options and text not in options:
                self.error(item_name, item.line, _not_one_of(text, options))
                continue
            if addresses and address_slug(text) is None:
                self.error(item_name, item.line, f"'{_cut(text)}' has no letter or number "
                           "to make its page's address from: write it in words, e.g. "
                           "'fathers'")
                continue
            if text in seen:
                self.error(item_name, item.line, f"'{text}' is listed twice")
                continue
            seen.add(text)
            values.append(text)
        return tuple(values)


    def slug_list(self, name: str) -> tuple[str, ...]:
        """A list of references to other files, by their slug."""
        slugs = []
        for index, item in enumerate(self.raw_list(name) or []):
            self.lines[f"{self.prefix}{name}[{index}]"] = item.line
            if item.value is None:  # "- " with nothing after it
                self.error(f"{name}[{index}]", item.line, "is empty")
                continue
            text = self._text(f"{name}[{index}]", item)
            if text is None:
                continue
            if not SLUG_RE.match(text):
                self.error(f"{name}[{index}]", item.line, f"'{_cut(text)}' is not a slug: use "
                           "the file name without .md (e.g. 'north-watford')")
            elif text in slugs:
                self.error(f"{name}[{index}]", item.line, f"'{text}' is listed twice")
            else:
                slugs.append(text)
        return tuple(slugs)


# -- value rules shared with other stages ----------------------------------------------

# The rules of some kinds of value as regular expressions (ECMAScript and Python alike),
# for forms that check a value before the validator sees it: the web editor's fields and
# the JSON Schemas. Each accepts what the reader of its kind above accepts, as written.
FORM_PATTERNS: dict[str, str] = {
    "postcode": r"^\s*([Gg]\s*[Ii]\s*[Rr]\s*0\s*[Aa]\s*[Aa]|[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*"
                r"[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\s*$",
    "phone": r"^\s*(\+44\s*(\(0\))?|0)[\s()-]*[1-9]([\s()-]*[0-9]){8,9}\s*$",
    "slug": SLUG_RE.pattern,
    "ref": SLUG_RE.pattern,
    "email": r"^(?![Mm][Aa][Ii][Ll][Tt][Oo]:)" + EMAIL_RE.pattern[1:],  # no 'mailto:'

    "time": TIME_RE.pattern,
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "datetime": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                r"(Z|[+-][0-9]{2}:[0-9]{2})$",
    "url": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/]+\S*$",
    "base_url": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s?#]*/$",
    "document": r"^([Hh][Tt][Tt][Pp][Ss]?://[^\s/]+\S*|media/[^\s]+)$",
    "language": LANGUAGE_RE.pattern,
}
FORM_PATTERNS["moment"] = f"({FORM_PATTERNS['date']})|({FORM_PATTERNS['datetime']})"


def _without_invisible(text: str) -> str:
    """`text` without the characters one cannot see: format characters (a zero-width
    space, a soft hyphen, a byte-order mark) and spaces other than the ordinary one."""
    if text.isascii():
        return text
    return "".join(c for c in text
                   if unicodedata.category(c) != "Cf" and
                   not (unicodedata.category(c) == "Zs" and c != " "))


def parse_phone(text: str) -> Phone | None:
    """A UK number in national or +44 form -> its national display form and tel: URI."""
    spaced = re.sub(r"\s+", " ", text.strip())
    compact = re.sub(r"[\s()\-]", "", spaced)
    if compact.startswith("+44"):
        rest = compact[3:]
        rest = rest[1:] if rest.startswith("0") else rest  # "+44 (0)1632 ..."
        national_digits = "0" + rest
        shown = re.sub(r"^\+44\s*(\(0\))?\s*", "0", spaced)
    else:
        national_digits = compact
        shown = spaced
    if not re.fullmatch(r"0[1-9][0-9]{8,9}", national_digits):
        return None
    return Phone(national=shown.replace("-", " "), tel="+44" + national_digits[1:])


def is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text


# -- how a day and a time are said (the site's words; a mistake's too) --------------------

def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LOCAL_ZONE).date()
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: dt.datetime | None, closing: bool = False) -> str:
    """GOV.UK style: 'midday on 29 January 2027', '5:30pm on 3 March 2006', in UK time.
    00:00, which "midnight on 19 December" would leave a day unclear: a moment something
    starts is 'midnight at the start of 19 December 2026'; one it ends (`closing`: a
    deadline, a consultation's close) 'midnight at the end of 18 December 2026' (see
    fields.closing_day). In the hour the clocks go back, which comes twice, the time says
    which: '1:30am BST' (the first), '1:30am GMT' (the second)."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL_ZONE)
    if local.hour == local.minute == local.second == local.microsecond == 0:
        return f"midnight at the end of {format_date(closing_day(value))}" if closing \
            else f"midnight at the start of {format_date(local.date())}"
    # in the hour the clocks go back, each time comes twice: said which
    twice = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
    season = (" BST" if local.utcoffset() else " GMT") if twice else ""
    return f"{clock_said(local.time())}{season} on {format_date(local.date())}"


def clock_said(t: dt.time) -> str:
    """'9am', '5:30pm'; 'midday' and 'midnight', which '12pm' and '12am' leave unclear."""
    if t.minute == 0 and t.hour in (0, 12):
        return "midday" if t.hour == 12 else "midnight"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL_ZONE)


def _show(node: Node) -> str:
    """A wrong value as a message shows it: 'as written' (cut short), or its kind."""
    if isinstance(node.value, YamlMap):
        return "a mapping"
    if isinstance(node.value, list):
        return "a list"
    return f"'{_cut(node.raw if node.raw is not None else str(node.value))}'"


def _blank(value) -> bool:
    """Nothing after the colon, or only spaces: the same as leaving the field out."""
    return value is None or (isinstance(value, str) and not value.strip())


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 3] + "..."


def _parsed(value, parse):
    """A date or date-time written in quotes, parsed as if it had been written without."""
    if not isinstance(value, str):
        return value
    try:
        return parse(value.strip())
    except ValueError as exc:
        return Invalid(value, str(exc))


# 12/03/2027 (or with - or .), and with a time after it: 12/03/2027 12:00
_DAY_FIRST = re.compile(r"^\s*([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})"
                        r"(\s+[0-9]{1,2}[:.][0-9]{2}(:[0-9]{2})?)?\s*$")
_CURLY_OPEN, _CURLY_CLOSE = "“‘„‚«", "”’“‘»"


def _day_first(value) -> dt.date | None:
    """12/03/2027, 12-03-2027 or 12.03.2027, as a UK reader means it (12 March 2027);
    and the date in words: 12 March 2027, 12th March 2027, March 12, 2027."""
    text = value.text if isinstance(value, Invalid) else value
    if not isinstance(text, str):
        return None
    found = _DAY_FIRST.match(text)
    if found:
        day, month, year = found.group(1), found.group(3), found.group(4)
    elif (found := _IN_WORDS.match(text.strip())) and \
            (month := _month_named(found["month"] or found["month_first"])):
        day, year = found["day"] or found["day_after"], found["year"]
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def _clock_meant(text: str) -> str | None:
    """'9:00', '9am', '2.30pm', '14.00' as HH:MM, when it can only mean one time."""
    found = _CLOCK.match(text.strip())
    if not found or (found[2] is None and found[3] is None):
        return None  # ('9': nine o'clock, or a typo?)
    hour, minute = int(found[1]), int(found[2] or 0)
    half = (found[3] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _quoted_for_yaml(text: str) -> str:
    """`text` as a YAML value in quotes: double ones, or single ones (each ' doubled)
    around text that holds double ones."""
    return "'" + text.replace("'", "''") + "'" if '"' in text else f'"{text}"'


NOT_A_MAPPING = ("must be 'field: value' lines, each on a line of its own, indented under "
                 "it")


def _how_written(node: Node) -> str:
    return "in words" if any(c.isalpha() for c in str(node.value)) else "day first"


def _read_as(node: Node) -> str:
    return "" if any(c.isalpha() for c in str(node.value)) else \
        ", read in UK order: day, month, year"


_ZONE_WORD = re.compile(r"^(.*\d)\s*(GMT|BST|UTC)$", re.IGNORECASE)
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_IN_WORDS = re.compile(r"^(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<month>[a-z]{3,})\.?"
                       r"|(?P<month_first>[a-z]{3,})\.?\s+(?P<day_after>\d{1,2})(?:st|nd|rd|th)?)"
                       r",?\s+(?P<year>\d{4})$", re.IGNORECASE)


def _month_named(word: str) -> int | None:
    """1 to 12 for a month's name or its short form ('Nov', 'Sept'), else None."""
    word = word.lower()
    return next((number for number, name in enumerate(_MONTH_NAMES, start=1)
                 if name.startswith(word) or (word == "sept" and number == 9)), None)


def _clock_after(value) -> dt.time | None:
    """The time written after a day-first date ('12/03/2027 9.30'), if any and real."""
    text = value.text if isinstance(value, Invalid) else value
    found = _DAY_FIRST.match(text) if isinstance(text, str) else None
    if not found or not found.group(5):
        return None
    parts = re.split(r"[:.]", found.group(5).strip())
    try:
        return dt.time(*(int(p) for p in parts))
    except ValueError:
        return None


def _said(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _in_curly_quotes(text: str) -> bool:
    text = text.strip()
    return len(text) >= 2 and text[0] in _CURLY_OPEN and text[-1] in _CURLY_CLOSE


def _reason(value) -> str:
    """Why YAML could not build a date, in plain words ('day is out of range for month'
    is Python's)."""
    if not isinstance(value, Invalid) or not value.reason or "isoformat" in value.reason:
        return ""
    reason = value.reason.rpartition(": ")[2]
    if reason.startswith("offset must be"):  # Python's message names timedelta
        reason = "the zone offset must be less than 24 hours, e.g. +01:00"
    elif reason.startswith("month must be in"):
        reason = "there is no such month: the month, 01 to 12, comes after the year"
    elif reason.startswith("day is out of range"):
        reason = "that month has no such day"
    elif reason.startswith(("hour must be", "minute must be", "second must be")):
        reason = "there is no such time of day: hours 00 to 23, minutes 00 to 59"
    return f" ({reason})"


_LONG_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                              "\u2014": "-", "\u2212": "-"})  # hyphens, dashes, minus
_DECIMAL_COMMA = re.compile(r"^-?\d+,(?:\d{1,2}|\d{4,})$")  # not 450,000: a thousand


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _slug_hint(text: str) -> str:
    """A reference written as a path or a file name: say to write just the name."""
    name = text.rstrip("/").rpartition("/")[2]
    for extension in (".md", ".yaml", ".yml"):
        name = name.removesuffix(extension)
    if name != text and SLUG_RE.match(name):
        return f"; write just the name, '{name}', without folder or extension"
    return ""


def _or(options) -> str:
    items = [str(o) for o in options]
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]


def _not_one_of(text: str, options) -> str:
    close = difflib.get_close_matches(text, list(options), n=1, cutoff=0.6)
    # a word written out, or in capitals, where a code is wanted ('Monday' for 'mon')
    starts = [o for o in options if str(text).lower().startswith(str(o).lower())] or \
        [o for o in options if str(o).lower() == str(text).lower()]
    close = close or starts[:1]
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"'{text}' is not one of {_or(options)}{hint}"


@functools.lru_cache(maxsize=4096)  # the same few tags and districts, again and again
def slugify(text: str) -> str:
    """'Traveller families' -> 'traveller-families': tag and district names in URLs, and
    the keys of an opportunity's events. Letters with accents are their letters ('Tŷ
    côr' -> 'ty-cor'): dropped, 'côr' and 'cêr' were one tag, 'c-r'."""
    return _NOT_SLUG.sub("-", _without_accents(text).lower()).strip("-")


def _without_accents(text: str) -> str:
    """Each letter with an accent as its base letter ('ŵ' -> 'w')."""
    return "".join(character for character in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(character))


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def address_slug(text: str) -> str | None:
    """The slug of a page named by `text` (a tag's page): `slugify`'s, or for a name
    written wholly in another script ('ماں اور بچہ') one made of its digest, since such
    a name has no a-z to give; None for one with no letter or number at all ('!!!')."""
    slug = slugify(text)
    if not any(character.isalnum() for character in text):
        return None
    if slug and not any(character.isalpha() and not character.isascii()
                        for character in _without_accents(text)):
        return slug  # (every letter kept: 'ماں 0-5' and 'بچہ 0-5' were both '0-5')
    import hashlib

    return "tag-" + hashlib.blake2b(text.strip().casefold().encode("utf-8"),
                                    digest_size=5).hexdigest()

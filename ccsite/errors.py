"""Content errors: values collected along the pipeline, reported together.

A stage never prints and never raises for a content mistake one at a time: it appends a
`ContentError` to an `ErrorList` and carries on, so the editor sees every mistake of a build
at once, sorted by file and line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class ContentError:
    """One mistake in the content: `path:line: field: message`. `fix_in`: for a mistake
    told at an output file (a leak), the content file to edit, when it is known (the
    preview server names it where it may not show the message)."""

    path: str
    line: int
    field: str
    message: str
    fix_in: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for name in ("path", "message"):
            text = getattr(self, name)
            if not text.isascii():
                object.__setattr__(self, name, spelled_out(text))

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}: {self.field}: {self.message}")


def spelled_out(text: str) -> str:
    """`text` as it can be written, in UTF-8: a file name that is not (a file copied from
    a system that writes names otherwise, which Python reads with stand-ins for its
    bytes) with those bytes written out, caf\\xe9.txt. Such a name in a message could not
    be printed where the output is strict, nor kept in the build's stamp: the build
    ended in a traceback."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # (a stand-in for no byte of a name)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable(text: str) -> str:
    """`text` with the characters a terminal or a log acts on, rather than shows, written
    out as escapes (a line break as \\n, ESC as \\x1b, a right-to-left override as
    \\u202e): a file named with them (uploaded through the web editor, or in a clone)
    cleared the terminal a message was printed to, or forged a `path:line:` line of its
    own in a CI log (a red team's review)."""
    return UNPRINTABLE.sub(_escaped, text) if UNPRINTABLE.search(text) else text


def _escaped(found: re.Match) -> str:
    character = found.group(0)
    return repr(character)[1:-1] if character.isascii() else f"\\u{ord(character):04x}"


# control characters, and the invisible ones that change how text around them shows
# (Unicode's format characters: direction overrides and isolates, zero-width joiners,
# the byte order mark, tags) or breaks it (the line and paragraph separators)
UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0001\U000e0020-\U000e007f]")


class ContentErrors(Exception):
    """Raised once, at the end of a stage, when it found mistakes."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(set(errors), key=_sort_key)
        super().__init__("\n".join(str(e) for e in self.errors))


def _sort_key(error: ContentError) -> tuple:
    return (error.path, error.line, error.field, error.message)


@dataclass
class ErrorList:
    """Collects errors for one build; `raise_if_any` ends the stage that found them."""

    errors: list[ContentError] = field(default_factory=list)

    def add(self, path: str, line: int, field_name: str, message: str,
            fix_in: str = "") -> None:
        error = ContentError(path, line, field_name, message, fix_in)
        if not self.errors or self.errors[-1] != error:  # (a field read twice: told once)
            self.errors.append(error)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)

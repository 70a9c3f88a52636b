"""Content errors: values collected along the pipeline, reported together.

A stage never prints and never raises for a content mistake one at a time: it appends a
`ContentError` to an `ErrorList` and carries on, so the editor sees every mistake of a build
at once, sorted by file and line.
"""
from __future__ import annotations

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

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


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
        self.errors.append(ContentError(path, line, field_name, message, fix_in))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)

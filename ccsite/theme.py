"""The default theme, and a site's copies of its templates.

A site changes the look by copying one of the theme's templates into its own templates/
and editing the copy (README: Changing the look). The copy then stays as it was while the
theme goes on with each version of ccsite: an upgrade that taught the theme's centre.html
the centres' closures left a copied one saying "Open now" on Christmas Day, and a copied
base.html without the map's tile host in its policy, and nothing said so (a theme
customiser's review). So each of the theme's templates begins with a line naming it and
its revision (a digest of the rest of it), which a copy keeps; a build warns of a copy
whose revision is no longer the theme's. A template a site writes from nothing has no such
line, and is its own.

`python3 -m ccsite.theme` writes that line again in each of the theme's templates after
an edit (tests/test_build.py fails until it is run).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import ContentError

MARK = re.compile(r"\{# ccsite theme: (?P<name>\S+) revision (?P<revision>[0-9a-f]{12})\b"
                  r"[^\n]*#\}\n")
SUFFIXES = (".html", ".xml", ".txt")  # the templates (not the theme's assets)


def revision(text: str) -> str:
    """The revision of a template's text: a digest of all but its mark line."""
    body = MARK.sub("", text, count=1) if MARK.match(text) else text
    return hashlib.blake2b(body.encode("utf-8"), digest_size=6).hexdigest()


def stamped(name: str, text: str) -> str:
    """The theme's template `name` with its mark line (made anew) first."""
    body = MARK.sub("", text, count=1) if MARK.match(text) else text
    return (f"{{# ccsite theme: {name} revision {revision(body)}: a copy keeps this line, "
            f"so that a build tells when the theme's {name} has changed #}}\n{body}")


def templates_of(folder: Path) -> list[tuple[str, Path]]:
    """(name as the theme names it, file) of each template in `folder`."""
    return sorted((path.relative_to(folder).as_posix(), path) for path in folder.rglob("*")
                  if path.suffix in SUFFIXES and "assets" not in path.relative_to(folder).parts
                  and path.is_file())


def stale_copies(templates: Path, theme: Path) -> list[ContentError]:
    """A warning for each of the site's templates copied from the theme whose revision is
    no longer the theme's."""
    if not templates.is_dir() or templates.resolve() == theme.resolve():
        return []
    told = []
    for name, path in templates_of(templates):
        try:
            copied = MARK.match(path.read_text(encoding="utf-8"))
            current = (theme / copied["name"]).read_text(encoding="utf-8") if copied else ""
        except (OSError, UnicodeDecodeError):
            continue  # (a mistake the build tells as the template's own)
        if copied and current and copied["revision"] != revision(current):
            told.append(ContentError(
                str(path), 1, "theme",
                f"this is a copy of the theme's {copied['name']} from an earlier version of "
                f"ccsite, and the theme's has changed since: what it shows now, your copy "
                f"does not. Compare the two (the theme's is {theme / copied['name']}), bring "
                "your copy up to date, then give it the theme's first line"))
    return told


def main() -> None:
    """Stamp each of the theme's templates with its revision."""
    from .buildinfo import default_templates

    for name, path in templates_of(default_templates()):
        text = path.read_text(encoding="utf-8")
        if stamped(name, text) != text:
            path.write_text(stamped(name, text), encoding="utf-8")
            print(f"stamped {name}")


if __name__ == "__main__":
    main()

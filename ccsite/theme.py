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

import difflib
import hashlib
import re
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.nodes

from .errors import ContentError

MARK = re.compile(r"\{# ccsite theme: (?P<name>\S+) revision (?P<revision>[0-9a-f]{12})\b"
                  r"[^\n]*#\}\n")
SUFFIXES = (".html", ".xml", ".txt")  # the templates (not the theme's assets)
NOT_PAGES = ("digest.html",)  # an e-mail, styled in its elements as e-mail must be


def _without_mark(text: str) -> str:
    return MARK.sub("", text, count=1) if MARK.match(text) else text


def revision(text: str) -> str:
    """The revision of a template's text: a digest of all but its mark line."""
    return hashlib.blake2b(_without_mark(text).encode("utf-8"), digest_size=6).hexdigest()


def stamped(name: str, text: str) -> str:
    """The theme's template `name` with its mark line (made anew) first."""
    body = _without_mark(text)
    return (f"{{# ccsite theme: {name} revision {revision(body)}: a copy keeps this line, "
            f"so that a build tells when the theme's {name} has changed #}}\n{body}")


def templates_of(folder: Path) -> list[tuple[str, Path]]:
    """(name as the theme names it, file) of each template in `folder`."""
    return sorted((path.relative_to(folder).as_posix(), path) for path in folder.rglob("*")
                  if path.suffix in SUFFIXES and "assets" not in path.relative_to(folder).parts
                  and path.is_file())


def site_template_warnings(templates: Path, theme: Path) -> list[ContentError]:
    """What a site's templates do that it cannot mean (a theme customiser's review): a copy
    of an older theme's, a template Jinja2 drops blocks of, one no page uses."""
    if not templates.is_dir() or templates.resolve() == theme.resolve():
        return []
    texts = _texts_of(templates)  # (read once, for all four looks)
    return [*stale_copies(texts, theme), *blocks_dropped(templates, theme),
            *unused(texts, theme), *not_run_or_not_said(texts)]


def _texts_of(templates: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, text) of each of a site's templates that can be read (one that
    cannot is a mistake the build tells as the template's own)."""
    texts = {}
    for name, path in templates_of(templates):
        try:
            texts[name] = path, path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def stale_copies(texts: dict[str, tuple[Path, str]], theme: Path) -> list[ContentError]:
    """A warning for each of the site's templates copied from the theme whose revision is
    no longer the theme's."""
    told = []
    for path, text in texts.values():
        copied = MARK.match(text)
        try:
            current = (theme / copied["name"]).read_text(encoding="utf-8") if copied else ""
        except (OSError, UnicodeDecodeError):
            continue
        if copied and current and copied["revision"] != revision(current):
            told.append(ContentError(
                str(path), 1, "theme",
                f"this is a copy of the theme's {copied['name']} from an earlier version of "
                f"ccsite, and the theme's has changed since: what it shows now, your copy "
                f"does not. Compare the two (the theme's is {theme / copied['name']}), bring "
                "your copy up to date, then give it the theme's first line"))
    return told


def blocks_dropped(templates: Path, theme: Path) -> list[ContentError]:
    """A site's base template without a block of the theme's: what each page puts in it
    is dropped with no word from Jinja2 (a base.html without `scripts` had no map, no
    search, no members' sign-in; without `main`, every page was empty)."""
    told = []
    for name in ("base.html", "members/base.html"):
        path = templates / name
        if not path.is_file():
            continue
        try:
            lacks = sorted(_blocks((theme / name).read_text(encoding="utf-8")) -
                           _blocks_with_its_parents(path, templates, theme))
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            continue  # (told as the template's own mistake)
        if lacks:
            told.append(ContentError(str(path), 1, "theme", "has no {% block " +
                                     " %}, {% block ".join(lacks) + " %}, which the theme's "
                                     f"{name} has and its pages fill: what they put there "
                                     "is left out of every page; keep the block, empty if "
                                     "need be"))
    return told


def unused(texts: dict[str, tuple[Path, str]], theme: Path) -> list[ContentError]:
    """A template of the site's that no page uses: not one the theme has, and named by
    none (a "Base.html" or a "centre-page.html" was ignored with no word), or empty."""
    theme_names = [name for name, _ in templates_of(theme)]
    used = set(theme_names)
    for _, text in texts.values():
        try:
            used |= _named(text)
        except jinja2.TemplateSyntaxError:
            continue  # (told as the template's own mistake)
    told = []
    for name, (path, text) in texts.items():
        if not text.strip() and name in theme_names:
            told.append(ContentError(str(path), 1, "theme", "is empty, so the pages it makes "
                                     "are published empty: delete it to use the theme's"))
        elif name not in used:
            meant = difflib.get_close_matches(name.lower(), theme_names, 1, 0.6)
            told.append(ContentError(str(path), 1, "theme", "no page uses it: it is not one "
                                     "of the theme's templates, nor included by one" +
                                     (f" (did you mean {meant[0]}?)" if meant else "")))
    return told


# what a site's template may write that the pages' policy (csp.py) keeps from running or
# loading, and a picture with nothing for a screen reader to say: each passed `ccsite
# check` with no word, and showed only in a browser's console (a theme customiser's review)
_NOT_RUN = (
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I),
     "an inline script does not run: the pages' policy runs scripts only from the site's "
     "/assets/; put it in templates/assets/ and load it with <script src=\"{{ "
     "'/assets/its-name.js'|url }}\" defer>"),
    (re.compile(r"""<[a-z][^>]*\sstyle\s*=\s*["']""", re.I),
     "a style=\"...\" attribute is not applied: the pages' policy takes styles only from "
     "the site's stylesheets; give the element a class, styled in templates/assets/"),
    (re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=\s*["']""", re.I),
     "an onclick=\"...\" (or other on...) attribute does not run: the pages' policy runs "
     "scripts only from the site's /assets/; add the handler in a script there"),
    (re.compile(r"""<(?:script|img|iframe|source|link(?=[^>]*\brel\s*=\s*["']?(?:style"""
                r"""sheet|preload|modulepreload|icon|manifest)))\b[^>]*\s(?:src|href)\s*=\s*"""
                r"""["'](?:https?:)?//""", re.I),
     "this loads a file from another site, which the pages' policy does not let them load "
     "(only the map's pictures come from elsewhere); put the file in templates/assets/"),
    (re.compile(r"<img\b(?![^>]*\balt\s*=)[^>]*>", re.I),
     "a picture without alt text: a screen reader says nothing of it, or its file name; "
     "give it alt=\"what it shows\" (alt=\"\" for a picture that only decorates)"),
)


_JINJA_COMMENT = re.compile(r"\{#.*?#\}")


def not_run_or_not_said(texts: dict[str, tuple[Path, str]]) -> list[ContentError]:
    """Each line of a site's template that writes what the pages' policy keeps from
    running or loading, or a picture without alt text."""
    told = []
    for name, (path, whole) in texts.items():
        if not name.endswith(".html") or name in NOT_PAGES:
            continue
        for number, text in enumerate(whole.split("\n"), start=1):
            text = _JINJA_COMMENT.sub("", text)  # (code put aside in {# ... #} runs nowhere)
            told += [ContentError(str(path), number, "theme", said)
                     for pattern, said in _NOT_RUN if pattern.search(text)]
    return told


def _blocks_with_its_parents(path: Path, templates: Path, theme: Path) -> set[str]:
    """The blocks of a template and of those it extends (the site's, else the theme's): a
    members/base.html that extends base.html has base.html's."""
    found: set[str] = set()
    for _ in range(8):  # (a chain of templates, not a loop of them)
        parsed = _parsed(path.read_text(encoding="utf-8"))
        found |= {block.name for block in parsed.find_all(jinja2.nodes.Block)}
        parent = next(parsed.find_all(jinja2.nodes.Extends), None)
        if parent is None or not isinstance(parent.template, jinja2.nodes.Const):
            break
        name = parent.template.value
        path = templates / name if (templates / name).is_file() else theme / name
    return found


def _blocks(text: str) -> set[str]:
    return {block.name for block in _parsed(text).find_all(jinja2.nodes.Block)}


def _named(text: str) -> set[str]:
    """The templates `text` extends, includes or imports by a name written out."""
    return {name for name in jinja2.meta.find_referenced_templates(_parsed(text)) if name}


def _parsed(text: str):
    return jinja2.Environment(trim_blocks=True, lstrip_blocks=True).parse(text)


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

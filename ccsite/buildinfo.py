"""What a build is given and gives back: its folders, its options, its result.

Shared by the front door (pipeline.py), which may find the site up to date without
loading anything, and the stages (stages.py); so this module imports nothing heavy.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePath

CACHE_FOLDER = ".ccsite-cache"  # beside content/, git-ignored, safe to delete (see
MEMORY_FILE, STAMP_FILE = "build-memory.cbor", "build-stamp.cbor"  # cachefolder.py)
SEARCH_FOLDER = "pagefind"  # the search index's folder in the public site: made by the
# search stage (outputs/search.py) from the published one, not by the write's plan
LOCK_FILE = ".ccsite-lock"  # in every output folder a build writes into (write.BuildLock)
INDEX_ROOT = f"public/{SEARCH_FOLDER}"  # the same, in the output folder: its files are
# recorded as a root's are (BuildMemory.published), and looked at with them
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class BuildOptions:
    """What a build is asked for: the moment it treats as now, and whether drafts show."""

    now: dt.datetime
    drafts: bool = False


@dataclass
class BuildResult:
    public: Path
    pages: dict[str, int]  # section -> pages written
    files: int
    seconds: float
    members_pages: int = 0
    protection: str = "server"
    leak_scanned: int = 0
    warnings: list = field(default_factory=list)  # ContentError-shaped, from checks.py
    base_path: str = "/"
    page_sources: dict[str, str] = field(default_factory=dict)  # site path -> content file
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    cpu_timings: dict[str, float] = field(default_factory=dict)  # stage -> CPU seconds
    changed: int = 0  # public files new or different from the last build
    removed: int = 0
    up_to_date: bool = False  # nothing had changed, so nothing was done (see uptodate.py)
    memory_kept: bool = True  # the build memory was kept for the next build (cache folder)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def summary(self) -> dict:
        """What a build that finds the site up to date reports again."""
        return {name: getattr(self, name) for name in SUMMARY}


# what a stamp keeps of a build's result (uptodate.py), each of its kind: a stamp is read
# from the cache folder, where a damaged or planted one must make a build, not a traceback
SUMMARY = {"pages": (dict, int), "files": (int, None), "members_pages": (int, None),
           "protection": (str, None), "warnings": (list, None), "base_path": (str, None),
           "page_sources": (dict, str)}


def summary_fits(summary: dict) -> bool:
    return summary.keys() == SUMMARY.keys() and all(
        type(summary[name]) is kind and (items is None or all(
            type(key) is str and type(value) is items for key, value in summary[name].items()))
        for name, (kind, items) in SUMMARY.items())


@dataclass
class Paths:
    """Where a build reads and writes, resolved once from the command's options."""

    source: Path
    output: Path
    shown: str  # the content folder as the editor typed it, for messages
    templates: Path  # the site's own templates (may not exist)
    secrets: Path
    cache: Path

    @classmethod
    def of(cls, source: Path, output: Path, templates: Path | None = None,
           shown_as: str | None = None, secrets: Path | None = None) -> "Paths":
        # `--source .` has no parent until resolved; others keep the form given, for messages
        beside = source.parent if source.name not in ("", ".", "..") else source.resolve().parent
        return cls(source=source, output=output,
                   shown=shown_folder(shown_as if shown_as is not None else str(source)),
                   templates=templates if templates is not None else beside / "templates",
                   secrets=secrets or default_secrets_folder(source),
                   cache=beside / CACHE_FOLDER)


def shown_folder(typed: str) -> str:
    """The content folder as messages name it: as the editor typed it, less what only
    spells the same folder otherwise ("./content", "content/" and "content/." are all
    "content"; a ".." stays, as the folder before it may be a link). The build memory
    knows each document by the name its messages give it, so a build of `--source
    ./content` after one of `--source content` found none of them, and made every page
    again."""
    return str(PurePath(typed))


def default_templates() -> Path:
    """The theme shipped with ccsite: beside the package in a checkout, inside it when
    installed from a wheel (pyproject maps templates/ to ccsite/templates/)."""
    packaged = Path(__file__).resolve().parent / "templates"
    return packaged if packaged.is_dir() else DEFAULT_TEMPLATES


def default_secrets_folder(source: Path) -> Path:
    """`.ccsite-secrets/` beside the content folder: outside content/ and every output."""
    return source.resolve().parent / ".ccsite-secrets"


def check_location(folder: Path, source: Path, output: Path | None = None) -> str | None:
    """Why `folder` is a bad place for secrets (inside content/ or an output), or None.
    Here, not with the credentials: every build asks, and needs none of their cryptography."""
    place = folder.resolve()
    for root, what in ((source, "the content folder"), (output, "the output folder")):
        if root is None:
            continue
        try:
            place.relative_to(root.resolve())
        except ValueError:
            continue
        return f"the secrets folder {folder} is inside {what}, where it could be " \
               "published; keep it beside content/ (the default: .ccsite-secrets/)"
    return None


def build_output_around(path: Path) -> Path | None:
    """The folder a ccsite build was written into that holds `path`, if any: one with the
    build's lock file (every build leaves it), or a published site's `public/` and
    `members/` side by side (a build's output copied elsewhere). For commands that must
    not write into a site and are not told where it was built (`--output` elsewhere)."""
    place = path.resolve()
    for folder in (place, *place.parents):
        if (folder / LOCK_FILE).is_file() or (
                (folder / "public").is_dir() and (folder / "members").is_dir()):
            return folder
    return None


def is_ignored(name: str) -> bool:
    """Is a file of the content folder none of its content (editors' hidden, backup and
    lock files, the system's own)? Asked by the load stage and the up-to-date check."""
    return (name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))
            or name.startswith("#") or name in {"Thumbs.db", "desktop.ini"})


def content_in_repository(source: Path) -> str:
    """The content folder as the Git host sees it (the published editor's folders): its
    path from the repository's top, the folder holding .git above it; else its own name,
    as in a repository of the folder that holds it. Not from where the build runs: two
    builds of the same content from two folders gave two editors (and the up-to-date
    check, which compares this, not the folder a build runs in, kept the first's)."""
    folder = source.resolve()
    for top in (folder, *folder.parents):
        if (top / ".git").exists():
            rel = folder.relative_to(top).as_posix()
            return "" if rel == "." else rel
    return folder.name

"""`ccsite new TYPE "Title"`: a new content file an editor only has to fill in.

Made from the type's declaration in schema.py: every required field is written with a
value that already builds (so the editor can look at the page at once), the optional
fields as comments that say what they are for, and `draft: true` so placeholder text is
never published by accident.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .config import site_config
from .errors import ErrorList, spelled_out
from .fields import LOCAL_ZONE
from .graph import RESERVED_SLUGS, slugify
from .load import KINDS, MEDIA, MEMBERS_MEDIA, SECTIONS, load
from .schema import BY_NAME, Field



# what a new file says until the editor writes their own (checks.py warns of any left):
# in its fields, and as its whole text
PLACEHOLDER_BODIES = {placeholder_body_text for placeholder_body_text in
                      (BY_NAME[kind].body or "The page." for kind in KINDS)}


class ScaffoldError(Exception):
    pass


def new_file(source: Path, kind: str, title: str, now: dt.datetime) -> Path:
    if not (source / "site.yaml").exists():
        raise ScaffoldError(f"{source} has no site.yaml; give the content folder with --source")
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("give a title, e.g. ccsite new news \"Centres open on Saturdays\"")
    if spelled_out(title) != title:  # (a terminal set to another encoding than UTF-8)
        raise ScaffoldError(f"the title \"{spelled_out(title)}\" is not written in UTF-8, so "
                            "its letters cannot be known; type it again in a terminal set "
                            "to UTF-8 (or write it in the file, in the web editor)")
    folder = source / KINDS[kind]
    extension = SECTIONS[KINDS[kind]][1]
    slug = _slug(title) or f"{kind}-{now.astimezone(LOCAL_ZONE).date().isoformat()}"
    path = folder / f"{slug}{extension}"
    if kind == "agency" and path.exists():  # an agency is one file: never a second one
        raise ScaffoldError(f"{path} is there already; edit it, or give the new agency "
                            "another name")
    number = 2
    while path.exists() or _slug_taken(folder, path.stem) or \
            (kind == "page" and path.stem in RESERVED_SLUGS):
        path = folder / f"{slug}-{number}{extension}"
        number += 1
    facts = _Facts.read(source)
    text = TEMPLATES[kind](title=_quoted(title), today=now.astimezone(LOCAL_ZONE).date(),
                          facts=facts, slug=path.stem)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(path, "x", encoding="utf-8")  # "x": never overwrite
    try:
        with handle:
            handle.write(text)
    except BaseException as exc:  # a full disk: no empty or cut file left, which the
        path.unlink(missing_ok=True)  # build would take for the editor's mistake
        if isinstance(exc, OSError) and exc.filename is None:  # (told by its name)
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    return path


STARTER = Path(__file__).resolve().parent / "starter"


def init_site(target: Path, today: dt.date) -> list[Path]:
    """`ccsite init DIR`: a new site's folder that builds at once, holding what every UK
    public-sector site needs (about, contact, privacy notice, the accessibility
    statement's settings) with each value still to write marked 'Change me', an empty
    folder per section, its own README and the content-model reference. Nothing is left
    of it when it cannot be made whole (a full disk), so that it may be run again."""
    if target.exists() and (not target.is_dir() or
                            any(p.name not in EMPTY_REPOSITORY for p in target.iterdir())):
        raise ScaffoldError(f"{target} is there already and is not an empty folder; give "
                            "the name of a new folder (e.g. ccsite init my-site), or of a "
                            "Git repository that holds nothing yet")
    made: list[Path] = []  # each file and folder made, in order
    try:
        return _starter_site(target, today, made)
    except BaseException:
        for path in reversed(made):
            if path.is_dir():
                with contextlib.suppress(OSError):
                    path.rmdir()
            else:
                path.unlink(missing_ok=True)
        raise


def _starter_site(target: Path, today: dt.date, made: list[Path]) -> list[Path]:
    """`init_site`'s files and folders, each put in `made` as it is made."""
    from .docs import reference

    def folder(path: Path) -> None:
        for each in reversed([path, *path.parents]):
            if not each.exists():
                each.mkdir()
                made.append(each)

    def write(path: Path, text: str) -> Path:
        folder(path.parent)
        made.append(path)
        path.write_text(text, encoding="utf-8")
        return path

    written = []
    for source in sorted(STARTER.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            text = source.read_text(encoding="utf-8")
            written.append(write(target / _dotted(source.relative_to(STARTER)),
                                 text.replace("PREPARED", today.isoformat())
                                 .replace("SITE_TITLE", "Our children's centres website")))
    for section in [*KINDS.values(), MEDIA, MEMBERS_MEDIA]:
        folder(target / "content" / section)
    return [*written, write(target / "content-model.md", reference()),
            write(target / "requirements.txt", _requirements())]


def _requirements() -> str:
    """The new site's requirements.txt: how its CI workflows (.github/, .gitlab-ci.yml)
    install ccsite, the very version making the site, from where it was installed: a Git
    repository (the README's quick start clones one), or a package index."""
    line, reachable = ccsite_requirement()
    why = ("" if reachable else
           "# Change me: ccsite was installed from a folder on this computer, which CI cannot\n"
           "# reach. Write where your council keeps ccsite instead, for example\n"
           "#   ccsite @ git+https://github.com/<owner>/ccsite@<version or commit>\n"
           "# (until then CI stops here: the address below is one that never exists)\n")
    return ("# What the CI workflows install to build the site: ccsite, the version this\n"
            "# site was started with. Change it to upgrade.\n" + why + line + "\n")


def ccsite_requirement(checkout: Path = Path(__file__).resolve().parent.parent
                       ) -> tuple[str, bool]:
    """(a pip requirement for the ccsite running now, whether CI could install it): the
    Git repository and commit it runs from (`checkout`: a clone with a remote on the
    network, as the README's quick start makes, or installed from one), else its version
    from a package index."""
    import json
    from importlib import metadata

    from . import __version__

    if (checkout / ".git").exists():
        remote = _network_address(_git(checkout, "remote", "get-url", "origin"))
        commit = _git(checkout, "rev-parse", "HEAD")
        if remote and commit:
            return f"ccsite @ git+{remote}@{commit}", True
        return UNREACHABLE, False  # a folder on this computer only
    try:
        direct = metadata.distribution("ccsite").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    info = json.loads(direct) if direct else {}
    url, vcs = info.get("url", ""), info.get("vcs_info", {})
    remote = _network_address(url) if vcs.get("vcs") == "git" else None
    if remote:
        return f"ccsite @ git+{remote}@{vcs.get('commit_id')}", True
    if url.startswith("file://"):
        return UNREACHABLE, False
    return f"ccsite=={__version__}", True  # from a package index (the council's own)


# What requirements.txt says when ccsite came from a folder CI cannot reach: an address
# that can never exist (.invalid, RFC 2606), so that CI stops at once, and never a bare
# `ccsite==0.1.0`, which pip would look for on the public index, where anyone may one day
# publish a package of that name (to run in the council's CI, with its secrets)
UNREACHABLE = "ccsite @ git+https://change-me.invalid/ccsite.git"


def requirements_left(site_folder: Path) -> list:
    """`ccsite check`'s warning for a requirements.txt that still says where ccsite comes
    from as `ccsite init` wrote it, when CI could not reach it (see `UNREACHABLE`)."""
    from .errors import ContentError

    path = site_folder / "requirements.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [ContentError(str(path), number, "requirements.txt", "still says "
                         f"'{UNREACHABLE}'; write where CI installs ccsite from, for example "
                         "ccsite @ git+https://github.com/<owner>/ccsite@<commit> (the "
                         "workflows install what this file names, and stop until then); "
                         "if no CI service builds the site, delete the file")
            for number, line in enumerate(lines, start=1) if line.strip() == UNREACHABLE]


def _network_address(remote: str) -> str | None:
    """A Git remote as pip reaches it over the network, without the user name and password
    or token a clone's address may hold (requirements.txt is committed, maybe in public):
    https://host/path, or ssh://git@host/path (from git's short form git@host:path);
    None for a folder or anything else."""
    short = re.fullmatch(r"([\w.-]+)@([\w.-]+):(?!//)(.+)", remote)
    if short:  # git@github.com:council/ccsite.git
        return f"ssh://{short[1]}@{short[2]}/{short[3]}"
    parts = urlsplit(remote)
    if parts.scheme == "https" and parts.hostname:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        return urlunsplit(("https", host, parts.path, "", ""))
    if parts.scheme == "ssh" and parts.hostname:  # the user names the key, not a secret
        return remote if parts.password is None else urlunsplit(
            ("ssh", f"{parts.username}@{parts.hostname}", parts.path, "", ""))
    return None


def _git(folder: Path, *command: str) -> str:
    """What a git command says in `folder`, or nothing (no git here, or it failed)."""
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(folder), *command], capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except OSError:
        return ""


# what a folder may hold and still be a new site's: a Git repository just made or cloned
EMPTY_REPOSITORY = {".git", ".gitkeep"}
# the starter's files that are written with a leading dot (kept without one in the package,
# whose data files are found by patterns that leave out names starting with a dot)
DOTTED = {"gitignore", "github", "gitlab-ci.yml"}


def _dotted(rel: Path) -> Path:
    """A starter file's place in the new site: `gitignore` is `.gitignore`."""
    first, *rest = rel.parts
    return Path("." + first if first in DOTTED else first, *rest)


def _slug(title: str) -> str:
    """'Café opens in Bushey' -> 'cafe-opens-in-bushey': accents dropped, not the letter;
    "Children's centre" -> 'childrens-centre', as the sample's files are named. A title
    in another script gives '' (its file is then named by its type and the day)."""
    title = title.replace("'", "").replace("\u2019", "")
    for letter, latin in _NO_ACCENT_FORM.items():
        title = title.replace(letter, latin)
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return slugify(plain)[:60].strip("-")


# letters that are not a plain letter with an accent, so NFKD would drop them
_NO_ACCENT_FORM = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
                   "đ": "d", "Đ": "D", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th"}


def _slug_taken(folder: Path, stem: str) -> bool:
    return any(p.stem == stem for p in folder.glob("*")) if folder.exists() else False


def _quoted(text: str) -> str:
    """A YAML scalar that is always read back as this exact text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Facts:
    """What a new file may refer to: the site's service types, agencies and contact."""

    def __init__(self, service: str, agency: str, org_name: str, org_email: str | None,
                 org_phone: str | None):
        self.service, self.agency = service, agency
        self.org_name, self.org_email, self.org_phone = org_name, org_email, org_phone

    @classmethod
    def read(cls, source: Path) -> "_Facts":
        folder = load(source, str(source), ErrorList())
        config = site_config(source, folder)
        agencies = sorted(d.slug for d in folder.of_kind("agency"))
        service = next(iter(config.service_types), "early-education") if config else \
            "early-education"
        if config is None:
            return cls(service, agencies[0] if agencies else "", "The programme team",
                       "enquiries@example.org", None)
        org = config.organisation
        return cls(service, agencies[0] if agencies else "", org.name, org.email,
                   org.phone.national if org.phone else None)


DRAFT = "true"
DRAFT_HELP = "remove this line when the page is ready to publish"
CHANGE_ME = "Change me"
COMMENT_AT = 28  # the column a line's explanation starts at, where the line allows


def scaffold(kind: str, title: str, today: dt.date, facts: "_Facts", slug: str) -> str:
    """The text of a new file of `kind`, made from its declaration in schema.py: the
    fields it needs switched on with a value that builds, the others as comments."""
    ctype = BY_NAME[kind]
    lines: list[str] = []
    values = _Examples(title, today, facts, slug)
    for fd in ctype.fields:
        if fd.name == ctype.summary_field:
            lines.append(f"{fd.name}: {title}")  # new_file gives it quoted
            if ctype.common:
                lines.append(_line("draft: " + DRAFT, DRAFT_HELP))
            continue
        lines.extend(_field_lines(fd, values, switched_on=fd.required or fd.suggested))
    front = "\n".join(lines) + "\n"
    if ctype.extension == ".yaml":
        return front
    return f"---\n{front}---\n{placeholder_body(ctype)}\n"


def placeholder_body(ctype) -> str:
    """What a new file's body says until the editor writes their own."""
    return ctype.body or "The page."


class _Examples:
    """The value a new file shows for a field: from the site where it can (its service
    types, agencies, contact), the declaration's example, or a placeholder that
    `ccsite check` names until it is replaced."""

    def __init__(self, title: str, today: dt.date, facts: "_Facts", slug: str):
        self.title, self.today, self.facts, self.slug = title, today, facts, slug

    def of(self, fd: Field, parent: Field | None = None):
        if parent is not None and parent.name == "enquiries":  # the programme's own team
            own = {"name": self.facts.org_name, "email": self.facts.org_email,
                   "phone": self.facts.org_phone}.get(fd.name)
            if own:
                return own
        if fd.kind in ("date", "moment"):
            return self.today.isoformat()
        if fd.kind == "datetime":  # a consultation closes after it opens: 12 weeks is
            # the usual length of a public consultation
            day = self.today + dt.timedelta(weeks=12 if fd.name == "closes" else 0)
            return f"{day.isoformat()}T12:00:00Z"
        if fd.kind == "list" and fd.vocabulary:
            return [self.facts.service]
        if fd.kind == "ref" and fd.ref == "agency":
            return self.facts.agency or "agency-file-name"
        if fd.name == "reference":
            return f"CHANGE-ME-{self.slug.upper()[:20]}"
        if fd.example is not None:
            return fd.example
        if fd.kind in ("choice", "integer") and fd.choices:
            return fd.choices[0]
        return _KIND_EXAMPLES.get(fd.kind, CHANGE_ME)


# what an optional field shows, commented, when its declaration gives no example
_KIND_EXAMPLES = {"email": "change-me@example.org", "phone": "01632 960000",
                  "url": "https://change-me.example.org/", "time": "09:00", "integer": 1,
                  "refs": ["centre-file-name"], "document": "media/information-pack.pdf",
                  "list": [CHANGE_ME]}


def _field_lines(fd: Field, values: _Examples, switched_on: bool,
                 parent: Field | None = None) -> list[str]:
    """A field as YAML lines: switched on, or as a comment for the editor to switch on."""
    if fd.kind in ("free", "labels", "boolean", "slug"):
        return []  # nothing a new file needs; the reference docs tell of them
    hint = f"needed{fd.when.why}" if fd.when is not None else (
        fd.help or (f"one of: {', '.join(map(str, fd.choices))}" if fd.choices else ""))
    if fd.kind in ("object", "objects"):
        lines = [_line(f"{fd.name}:", hint), *_mapping_lines(fd, values)]
    else:
        lines = [_line(f"{fd.name}: {_yaml(values.of(fd, parent))}", hint)]
    return lines if switched_on else ["# " + line for line in lines]


def _mapping_lines(fd: Field, values: _Examples) -> list[str]:
    """The lines inside a mapping (or the first item of a list of them): the fields
    each needs, and the first of any it needs one of."""
    needed = {name for name in fd.at_least_one
              if values.of(fd.field(name), fd) not in (None, CHANGE_ME)}
    needed = set(sorted(needed, key=fd.at_least_one.index)[:1]) or set(fd.at_least_one[:1])
    lines: list[str] = []
    for sub in fd.fields:
        if sub.required or sub.name in needed:
            for line in _field_lines(sub, values, True, parent=fd):
                lead = "  - " if fd.kind == "objects" and not lines else "    " \
                    if fd.kind == "objects" else "  "
                lines.append(lead + line)
    return lines


def _line(text: str, hint: str) -> str:
    if not hint:
        return text
    return f"{text.ljust(COMMENT_AT - 1)} # {hint}"


_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?$")


def _yaml(value) -> str:
    """A value as YAML that reads back as itself: times, phones and postcodes quoted."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN_DATE.match(text) or (text.startswith('"') and text.endswith('"')):
        return text
    if ": " in text or " #" in text or text[:1] in "-?:,[]{}#&*!|>'\"%@`" or \
            text != text.strip() or text[:1].isdigit() or \
            text.lower() in ("yes", "no", "true", "false", "null", "on", "off", "~", ""):
        return _quoted(text)
    return text


def _template(kind: str):
    return lambda title, today, facts, slug: scaffold(kind, title, today, facts, slug)


TEMPLATES = {kind: _template(kind) for kind in KINDS}

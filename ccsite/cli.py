"""Command line: argument parsing only; each command calls one function of the pipeline.

Exit status: 0 success, 1 content errors (all listed, sorted), 2 wrong usage.
"""
from __future__ import annotations

import argparse
import codecs
import dataclasses
import datetime as dt
import functools
import re
import shlex
import sys
from pathlib import Path

from . import __version__
from .errors import ContentError, ContentErrors
from .buildinfo import BuildOptions
from .pipeline import build

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C, as shells give it


def parse_now(text: str) -> dt.datetime:
    """--now: a date-time with a zone (2027-01-29T12:00:00Z), or a date (start of that UK
    day), in the forms of ISO 8601 Python reads (2026-11-25, 20261125, 2026-W48-3), within
    NOW_YEARS: the build counts days and years either side of it (old news, days off listed
    ahead), and a moment at the calendar's end ended it in a traceback."""
    try:
        value = dt.datetime.fromisoformat(text)
        date = _date_only(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date-time; use e.g. 2026-11-25T09:00:00Z or 2026-11-25")
    if WEEK_ALONE.fullmatch(text):  # (Python reads it as that week's Monday)
        monday = f"{text}-1" if "-" in text else f"{text}1"
        raise argparse.ArgumentTypeError(
            f"'{text}' is a week, not a day; give the day too ({monday} is its Monday) or "
            "a date (e.g. 2026-11-25)")
    if value.year not in NOW_YEARS:
        raise argparse.ArgumentTypeError(
            f"'{text}' is too far from today to build for; give a moment between the years "
            f"{NOW_YEARS.start} and {NOW_YEARS.stop - 1}")
    if date is not None:
        from .fields import start_of_day  # here: a build found up to date needs no more

        return start_of_day(date)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"'{text}' has no time zone; add Z or +01:00 (e.g. 2026-11-25T09:00:00Z)")
    return value


NOW_YEARS = range(1900, 9000)
WEEK_ALONE = re.compile(r"\d{4}-?W\d{2}")  # an ISO 8601 week, without its day


def _date_only(text: str) -> dt.date | None:
    """The date `text` gives, if it gives a date alone (no time of day)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", default="content", metavar="DIR",
                        help="the content folder to read (default: content)")


def _build_options(parser: argparse.ArgumentParser) -> None:
    _source_option(parser)
    parser.add_argument("--output", default="_site", metavar="DIR",
                        help="where to write the site; the public site goes to DIR/public/ "
                             "(default: _site)")
    parser.add_argument("--now", type=parse_now, metavar="DATETIME",
                        help="treat this moment as now, for deadlines and publish dates, so "
                             "builds are reproducible (default: the current time)")
    parser.add_argument("--drafts", action="store_true",
                        help="include documents marked draft: true")
    parser.add_argument("--secrets", metavar="DIR",
                        help="the members' credentials folder, used in encrypt mode "
                             "(default: .ccsite-secrets/ beside the content folder)")
    parser.add_argument("--templates", metavar="DIR", type=_templates_folder,
                        help="a folder of templates that override the default theme "
                             "(default: templates/ beside the content folder, if any)")


def _templates_folder(text: str) -> str:
    """--templates as given, if it is a folder: one mistyped was left unused, and the
    default theme published with no word (a theme customiser's review)."""
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a folder; give the folder of your templates (without "
            "--templates, templates/ beside the content folder is used, if there is one)")
    return text


class _Parser(argparse.ArgumentParser):
    """argparse's parser, but a content folder given without --source is told how to
    give it (`ccsite build content` was "unrecognized arguments: content")."""

    def error(self, message: str):
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            folders = [word for word in message[len(prefix):].split()
                       if (Path(word) / "site.yaml").is_file()]
            if folders:
                message += (f" (to use the content folder {folders[0]}, write "
                            f"--source {folders[0]})")
        super().error(message)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ccsite", description="Build the children's centres website from a folder of "
        "Markdown and YAML.")
    parser.add_argument("--version", action="version", version=f"ccsite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    build_parser = commands.add_parser(
        "build", help="build the site", description="Check all content, then build the "
        "public site into OUTPUT/public/. Nothing is replaced unless the build succeeds.")
    _build_options(build_parser)
    build_parser.add_argument("--quiet", action="store_true", help="print only mistakes")
    build_parser.add_argument("--verbose", action="store_true",
                              help="also print each warning and the time of each stage")
    build_parser.set_defaults(run=run_build)

    serve_parser = commands.add_parser(
        "serve", help="preview the site, rebuilding and reloading as you edit",
        description="Build the site and serve it at http://HOST:PORT/ for previewing. "
        "Changes to the content, templates and site.yaml are rebuilt at once and open pages "
        "reload by themselves; mistakes are shown in the page until fixed. The members area "
        "is at /members/ (in server mode, sign in with a member's login and passphrase).")
    _build_options(serve_parser)
    serve_parser.add_argument("--port", type=int, default=8000,
                              help="port to listen on (default: 8000)")
    serve_parser.add_argument("--host", default="127.0.0.1",
                              help="address to listen on (default: 127.0.0.1, this computer "
                                   "only)")
    serve_parser.add_argument("--quiet", action="store_true", help="print only mistakes")
    serve_parser.set_defaults(run=run_serve)

    check_parser = commands.add_parser(
        "check", help="check the content without publishing anything",
        description="Check everything a build checks (every field, every link, and that "
        "nothing members-only reaches the public site), plus warnings that do not stop a "
        "build. Exit status: 0 when there are no mistakes, 1 when there are (with --strict, "
        "warnings count as mistakes).")
    _source_option(check_parser)
    check_parser.add_argument("--now", type=parse_now, metavar="DATETIME",
                              help="check as if it were this moment (default: now)")
    check_parser.add_argument("--drafts", action="store_true", help="check drafts too")
    check_parser.add_argument("--strict", action="store_true",
                              help="exit with status 1 on warnings as well as mistakes")
    check_parser.add_argument("--format", choices=("text", "json"), default="text",
                              help="text for people (default) or json for tools")
    check_parser.add_argument("--secrets", metavar="DIR", help=argparse.SUPPRESS)
    check_parser.add_argument("--templates", metavar="DIR", type=_templates_folder,
                              help="templates that override the default theme")
    check_parser.set_defaults(run=run_check)

    new_parser = commands.add_parser(
        "new", help="start a new page: centre, agency, opportunity, lesson, news, page...",
        description="Write a new content file with every field it needs (and the optional "
        "ones as comments), marked as a draft so it is not published until you are ready. "
        "Never overwrites a file; prints the path to edit.")
    new_parser.add_argument("kind", metavar="TYPE", choices=_Kinds(), type=_kind_named,
                            help="one of: %(choices)s")
    new_parser.add_argument("title", metavar="TITLE", nargs="+",
                            help="its title (or name); quotes are needed only around one "
                                 "with characters the shell reads itself, such as # ' & ;")
    _source_option(new_parser)
    new_parser.set_defaults(run=run_new)

    init_parser = commands.add_parser(
        "init", help="start a new site in a new folder",
        description="Make DIR with a content/ folder that builds at once: the site's "
        "settings, the pages every public-sector site needs, an empty folder per section, "
        "a README that says what goes where, and the content-model reference. Each value "
        "to replace says 'Change me'; ccsite check lists those left.")
    init_parser.add_argument("folder", metavar="DIR", help="the new site's folder")
    init_parser.set_defaults(run=run_init)

    schema_parser = commands.add_parser(
        "schema", help="write a JSON Schema per content type, for editors that check YAML",
        description="Write DIR/<type>.schema.json for each content type (centre, agency, "
        "opportunity, consultation, lesson, news, page, good-practice, directory, site), "
        "made from the "
        "same declaration the build checks content against. The service types are the "
        "site's own, read from --source when it has a site.yaml.")
    schema_parser.add_argument("folder", metavar="DIR", help="where to write the schemas")
    _source_option(schema_parser)
    schema_parser.set_defaults(run=run_schema)

    reference_parser = commands.add_parser(
        "reference", help="print the content-model reference (docs/content-model.md)",
        description="Print the reference of every content type and field, in Markdown, "
        "made from the declaration the build checks content against.")
    reference_parser.set_defaults(run=run_reference)

    digest_parser = commands.add_parser(
        "digest", help="write an e-mail newsletter of what is new since a date",
        description="Write DIR/digest.html (ready for a mailing tool: tables and inline "
        "styles, links to the published site) and DIR/digest.txt, listing what the content "
        "dates on or after DATE: opportunities published, answers to bidders' questions, "
        "events, outcomes, consultations opened or decided, news and centres opened.")
    digest_parser.add_argument("--since", type=_since_date, required=True, metavar="DATE",
                               help="the first day to include, YYYY-MM-DD")
    digest_parser.add_argument("--audience", choices=("providers", "families"),
                               help="only what interests providers, or families (default: "
                                    "everything)")
    digest_parser.add_argument("--output", required=True, metavar="DIR",
                               help="where to write digest.html and digest.txt")
    _source_option(digest_parser)
    digest_parser.add_argument("--now", type=parse_now, metavar="DATETIME",
                               help="read the content as at this moment (default: now)")
    digest_parser.add_argument("--templates", metavar="DIR", type=_templates_folder,
                               help="templates that override the default theme")
    digest_parser.set_defaults(run=run_digest)

    _members_commands(commands)
    return parser


def _since_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD "
                                         "(e.g. 2026-11-01)")


def run_digest(args: argparse.Namespace) -> int:
    from .digest import make_digest, site_graph, write_digest

    options = BuildOptions(now=args.now or dt.datetime.now(dt.timezone.utc))
    source = Path(args.source)
    if not (source / "site.yaml").is_file():
        print(f"{args.source}:1: source: no site.yaml here; give the content folder with "
              "--source DIR", file=sys.stderr)
        return 1
    try:
        _built_clean(source, options, args)
        site = site_graph(source, options)
    except ContentErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print("Fix the mistakes above (ccsite check lists them all), then run digest again.",
              file=sys.stderr)
        return 1
    digest = make_digest(site, args.since, args.audience)
    templates = Path(args.templates) if args.templates else source.resolve().parent / "templates"
    try:
        html, text = write_digest(site, digest, Path(args.output), templates)
    except ValueError as exc:
        print(f"ccsite digest: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {html} and {text}: {digest.count} "
          f"{'item' if digest.count == 1 else 'items'} since {args.since.isoformat()}.")
    return 0


def _built_clean(source: Path, options: BuildOptions, args: argparse.Namespace) -> None:
    """The site built, as `check` builds it (into a folder thrown away), so that a digest
    is written only of content the leak audit and the link check passed: the digest goes
    to a mailing tool, beyond any later build's reach, and a members title given to a
    news item went out in it while build and check refused it. ContentErrors if not."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ccsite-digest-") as scratch:
        try:
            build(source, Path(scratch), options, shown_as=args.source,
                  templates=Path(args.templates) if args.templates else None)
        except ContentErrors as exc:
            raise ContentErrors(_at_addresses(exc.errors, Path(scratch), source)) from None


def _kind_named(text: str) -> str:
    """A content type as a person may type it: 'Centre', 'centres', 'News'."""
    kind = text.strip().lower()
    if kind in _Kinds():
        return kind
    singular = kind[:-3] + "y" if kind.endswith("ies") else kind[:-1]  # agencies, centres
    return singular if singular in _Kinds() else kind


class _Kinds:
    """The content types `ccsite new` makes, looked up when asked: the content model is
    not imported by every command (a build that finds the site up to date needs none)."""

    @staticmethod
    def _all() -> list[str]:
        from .load import KINDS

        return sorted(KINDS)

    def __contains__(self, kind: object) -> bool:
        return kind in self._all()

    def __iter__(self):
        return iter(self._all())


def run_reference(args: argparse.Namespace) -> int:
    from .docs import reference

    sys.stdout.write(reference())
    return 0


def run_init(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, ccsite_requirement, init_site

    target = Path(args.folder)
    try:
        init_site(target, dt.datetime.now(dt.timezone.utc).date())
    except ScaffoldError as exc:
        print(f"ccsite init: {exc}", file=sys.stderr)
        return 1
    print(f"Made {target}/ with a content/ folder and a README that says what goes where.")
    print(f"Next: cd {shlex.quote(str(target))}, replace each 'Change me' (ccsite check lists "
          "them), then ccsite serve to look at the site.")
    if not ccsite_requirement()[1]:
        print(f"Before publishing with CI (.github/, .gitlab-ci.yml): {target}/requirements.txt "
              "must say where CI installs ccsite from (this ccsite is a folder on this "
              "computer only).")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from .json_schemas import write_schemas
    from .config import site_config

    config = site_config(Path(args.source))
    written = write_schemas(Path(args.folder), config.vocabularies if config else {})
    for path in written:
        print(f"Wrote {path}")
    return 0


def _folders(args: argparse.Namespace) -> dict:
    """The build's folder options as the command line gave them (None: the default)."""
    return {"templates": Path(args.templates) if args.templates else None,
            "shown_as": args.source,
            "secrets": Path(args.secrets) if args.secrets else None}


def run_check(args: argparse.Namespace) -> int:
    import tempfile

    from .scaffold import requirements_left

    options = BuildOptions(now=args.now or dt.datetime.now(dt.timezone.utc), drafts=args.drafts)
    errors, warnings = [], []
    with tempfile.TemporaryDirectory(prefix="ccsite-check-") as scratch:
        try:
            result = build(Path(args.source), Path(scratch), options,
                           **_folders(args))
            warnings = [*result.warnings,
                        *requirements_left(Path(args.source).parent)]
        except ContentErrors as exc:
            errors = _at_addresses(exc.errors, Path(scratch), Path(args.source))
    failed = bool(errors) or (args.strict and bool(warnings))
    try:
        _tell_check(args.format, errors, warnings, failed)
    except BrokenPipeError:  # (see `_reader_gone`)
        _reader_gone()
    return 1 if failed else 0


def _tell_check(form: str, errors: list[ContentError], warnings: list[ContentError],
                failed: bool) -> None:
    """What `ccsite check` found, as JSON or as lines for a person."""
    import json

    if form == "json":
        as_dict = lambda e: {"path": e.path, "line": e.line, "field": e.field,
                             "message": e.message}
        print(json.dumps({"ok": not failed, "errors": [as_dict(e) for e in errors],
                          "warnings": [as_dict(w) for w in warnings]}, indent=2))
        return
    for error in errors:
        print(error, file=sys.stderr)
    for warning in warnings:
        print(f"{warning.path}:{warning.line}: {warning.field}: warning: {warning.message}",
              file=sys.stderr)
    if errors:  # the warnings are of a built site: none is known until it builds
        print(f"{len(errors)} {'mistake' if len(errors) == 1 else 'mistakes'}; fix "
              f"{'it' if len(errors) == 1 else 'them'} and check again (warnings are looked "
              "for once the content has no mistakes).", file=sys.stderr)
        return
    placeholders = sum(1 for w in warnings if w.message.startswith("still says '"))
    verdict = (f" {placeholders} {'value still says' if placeholders == 1 else 'values still say'}"
               " what `ccsite new` or `ccsite init` wrote: write your own before publishing."
               if placeholders else
               f" With --strict, a warning fails the check: deal with "
               f"{'it' if len(warnings) == 1 else 'them'} and check again." if failed else
               " The content is ready to publish.")
    print(f"0 mistakes, {len(warnings)} {'warning' if len(warnings) == 1 else 'warnings'}."
          + verdict, file=sys.stderr if failed else sys.stdout)


def _at_addresses(errors: list[ContentError], scratch: Path,
                  source: Path) -> list[ContentError]:
    """The check's mistakes in files it built (a leak in a page or a feed), told at the
    address the file would have on the site, not in the check's scratch folder, which is
    gone when the editor reads them; each message names the content file to change."""
    from .config import site_config

    config = site_config(source)
    site = config.base_url.rstrip("/") if config else ""
    places = {f"{scratch / root}/": f"{site}{prefix}" for root, prefix in
              (("public", "/"), ("members", "/members/"))}
    told = []
    for error in errors:
        for folder, address in places.items():
            if error.path.startswith(folder):  # (a page by its address: no index.html)
                rel = error.path[len(folder):].removesuffix("index.html")
                error = dataclasses.replace(error, path=address + rel)
        told.append(error)
    return told


def run_new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, new_file

    try:
        path = new_file(Path(args.source), args.kind, " ".join(args.title),
                        dt.datetime.now(dt.timezone.utc))
    except ScaffoldError as exc:
        print(f"ccsite new: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {path}")
    if args.kind == "agency":
        print("Edit it; it is published with the next build.")
    else:
        print("Edit it, then remove the 'draft: true' line when it is ready to publish.")
    return 0


def _members_commands(commands) -> None:
    members = commands.add_parser(
        "members", help="add, remove, rekey and list the members of the members-only area",
        description="Manage who can open the members area. Credentials are kept in a "
        "secrets folder outside content/ (default: .ccsite-secrets/ beside it); rebuild "
        "the site after a change.")
    actions = members.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, run) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, description=help_text)
        _source_option(parser)
        parser.add_argument("--secrets", metavar="DIR",
                            help="the secrets folder (default: .ccsite-secrets/ beside the "
                                 "content folder)")
        parser.set_defaults(run=run)
        return parser

    add = action("add", "add a member and show their new passphrase (once)", run_members_add)
    add.add_argument("name", metavar="NAME", help="the member's name, e.g. \"Jane Example\"")
    add.add_argument("--email", metavar="E", help="the member's e-mail address (kept with "
                     "their credentials, for the programme team)")
    remove = action("remove", "remove a member; after the next build they cannot get in",
                    run_members_remove)
    remove.add_argument("name", metavar="NAME", help="the member's name")
    rekey = action("rekey", "give a member a new passphrase (shown once); the old one stops "
                   "working after the next build", run_members_rekey)
    rekey.add_argument("name", metavar="NAME", help="the member's name")
    action("list", "list the members and their logins", run_members_list)
    htpasswd = action("htpasswd", "write the password file for the web server (server mode)",
                      run_members_htpasswd)
    htpasswd.add_argument("path", metavar="PATH", help="where to write it: a place outside "
                          "every published folder, e.g. /etc/ccsite/members.htpasswd")
    htpasswd.add_argument("--group", metavar="GROUP", help="the web server's group, which "
                          "must be able to read the file (www-data on Debian and Ubuntu); "
                          "without it, only the file's owner can")
    htpasswd.add_argument("--output", default="_site", metavar="DIR",
                          help="the build's output folder, where the file must not go "
                               "(default: _site; any other folder a build wrote into is "
                               "refused too)")


def _store(args: argparse.Namespace):
    from .members.credentials import MemberStore, default_secrets_folder

    from .buildinfo import check_location
    from .members.credentials import CredentialError

    folder = Path(args.secrets) if args.secrets else default_secrets_folder(Path(args.source))
    problem = check_location(folder, Path(args.source))
    if problem:
        raise CredentialError(problem)
    return MemberStore(folder, waiting=lambda: print(
        "Waiting for another ccsite members command to finish (one stopped with Ctrl-Z "
        "holds this up: bring it back with fg)...", file=sys.stderr, flush=True))


def _members_command(run):
    """Run a members action, turning a credentials mistake into a message and status 1."""
    def wrapped(args: argparse.Namespace) -> int:
        from .members.credentials import CredentialError

        try:
            return run(args, _store(args))
        except CredentialError as exc:
            print(f"ccsite members: {exc}", file=sys.stderr)
            return 1
    return wrapped


@_members_command
def run_members_add(args: argparse.Namespace, store) -> int:
    store.add(args.name, args.email, show=functools.partial(
        _show_passphrase, "Added {name} (login: {login})."))
    return 0


@_members_command
def run_members_rekey(args: argparse.Namespace, store) -> int:
    store.rekey(args.name, show=functools.partial(
        _show_passphrase, "New passphrase for {name} (login: {login}); the old one no longer "
        "works once you rebuild (in server mode, also export the password file again)."))
    return 0


def _show_passphrase(said: str, member, passphrase: str) -> None:
    """Show a member's new passphrase, before it is kept (see MemberStore.add): one that
    cannot be shown (no output, a full disk, a reader that stopped) raises, and nothing
    is changed."""
    from .members.credentials import CredentialError

    if sys.stdout is None:
        raise CredentialError("the new passphrase could not be shown: the command has no "
                              "output; nothing was changed")
    try:
        print(said.format(name=member.name, login=member.login))
        print("Their passphrase, shown only this once (give it to them privately):")
        print()
        print(f"    {passphrase}")
        print()
        print("Rebuild the site so that it takes effect.")
        sys.stdout.flush()
    except (OSError, ValueError) as exc:  # (a broken pipe too; ValueError: output closed)
        _reader_gone(sys.stdout)
        raise CredentialError(f"the new passphrase could not be shown ({exc}); nothing was "
                              "changed: run the command again where its output can be "
                              "read") from None


@_members_command
def run_members_remove(args: argparse.Namespace, store) -> int:
    member = store.remove(args.name)
    print(f"Removed {member.name}. Rebuild and publish the site so that they can no longer "
          "get in (in server mode, also export the password file again).")
    return 0


@_members_command
def run_members_list(args: argparse.Namespace, store) -> int:
    from .members.credentials import rekey_message, slow_hash_message

    members = store.load()
    if not members:
        print(f"No members yet in {store.folder}. Add one with: ccsite members add \"Name\"")
    for member in members:
        print(f"{member.name}\tlogin: {member.login}" + (f"\t{member.email}" if member.email else ""))
    old = rekey_message([m for m in members if m.public_key is None])
    if old:
        print(f"Before an encrypt-mode build: {old}")
    slow = slow_hash_message(members)
    if slow:
        print(f"For server mode: {slow}")
    return 0


@_members_command
def run_members_htpasswd(args: argparse.Namespace, store) -> int:
    from .members import deploy
    from .members.credentials import CredentialError, slow_hash_message

    from .buildinfo import build_output_around

    path = Path(args.path)
    # a site built with `--output out` and the command run without it: its output folder
    # is found by what every build leaves there
    built = build_output_around(path)
    problem = deploy.password_file_problem(path, {
        "the output folder": Path(args.output), "the content folder": Path(args.source),
        **({"the output folder of a ccsite build": built} if built else {}),
        "the published site": Path(deploy.SITE_ROOT) / "public",
        "the published members area": Path(deploy.SITE_ROOT) / "members"})
    if problem:
        raise CredentialError(problem)
    try:
        readable = deploy.write_password_file(path, store.htpasswd(), args.group)
    except KeyError:
        raise CredentialError(f"there is no group '{args.group}' on this computer; the web "
                              "server's group is www-data on Debian and Ubuntu, nginx or "
                              "apache on Fedora and Red Hat") from None
    except OSError as exc:
        given = f" and give it to the group {args.group}" if args.group else ""
        raise CredentialError(f"cannot write {path}{given} ({exc.strerror}); run the command "
                              "as a user who may (sudo)") from None
    members = store.load()
    print(f"Wrote the password file for {len(members)} members to {path}, {readable}.")
    slow = slow_hash_message(members)
    if slow:
        print(f"ccsite members htpasswd: warning: {slow}", file=sys.stderr)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from .members.credentials import READ_BY_BUILDS, MemberStore
    from .pipeline import Paths
    from .render import default_templates
    from .load import shown_path
    from .serve import PreviewServer, now_or

    source = Path(args.source)
    folders = _folders(args)  # the folders a build uses, as it finds them (Paths.of)
    paths = Paths.of(source, Path(args.output), folders["templates"], args.source,
                     folders["secrets"])
    templates, secrets = paths.templates, paths.secrets

    from .incremental import BuildMemory

    memory = BuildMemory()  # kept in this process between rebuilds

    def build_once(defer: bool = False, changed_files: set[str] | None = None):
        return build(source, Path(args.output), BuildOptions(now=now_or(args.now),
                                                             drafts=args.drafts),
                     templates=templates, shown_as=args.source, secrets=secrets,
                     memory=memory, defer=defer, changed_files=changed_files)

    from .editor.admin import make_admin

    editor = make_admin(source, args.source, lambda: BuildOptions(
        now=now_or(args.now), drafts=args.drafts), paths.cache, lambda: memory.link_files)
    try:
        server = PreviewServer(build_once, Path(args.output),
                               [source, templates, default_templates(), secrets],
                               MemberStore(secrets), args.host, args.port, quiet=args.quiet,
                               editor=editor, only={secrets: READ_BY_BUILDS}, members_paths=(
                                   shown_path(args.source, "members/"),
                                   str(Path(args.output) / "members") + "/"))
    except OSError as exc:
        print(f"ccsite serve: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
              "try another --port", file=sys.stderr)
        return 2
    server.rebuild()
    server.serve_forever()
    return 0


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(now=args.now or dt.datetime.now(dt.timezone.utc),
                           drafts=args.drafts)
    bar = ProgressBar(enabled=not args.quiet and sys.stderr.isatty())
    try:
        result = build(Path(args.source), Path(args.output), options,
                       **_folders(args),
                       progress=bar.stage)
    except ContentErrors as exc:
        bar.clear()
        return report_errors(exc)
    except KeyboardInterrupt:  # Ctrl-C: each folder is swapped in whole (write.py)
        _stopping()
        bar.clear()
        print("ccsite build: stopped (Ctrl-C) before it was finished; nothing half-made "
              "was published, and the next build finishes the work", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:  # the output folder: not writable, a file, the disk full...
        bar.clear()
        return report_errors(ContentErrors([ContentError(
            _as_given(exc.filename, args.output), 1, "output",
            f"cannot be written ({exc.strerror or exc}); nothing was changed in the "
            "output: check that it is a folder you may write to, with space on its disk")]))
    bar.clear()
    if not args.quiet:
        print_summary(result, verbose=args.verbose, serve=_serve_command(args))
    if not result.memory_kept:  # (even when quiet: a CI job's every build is whole)
        print(MEMORY_NOT_KEPT, file=sys.stderr)
    return 0


def _as_given(filename: str | None, output: str) -> str:
    """The file or folder the system refused, as the user knows it: a folder the build
    makes for itself in the output folder (its stage, the new site before it is
    swapped in, named .ccsite-...) is the output folder they gave."""
    import os

    if filename is None:
        return output
    inside = os.path.relpath(filename, output).split(os.sep)[0]
    return output if inside.startswith(".ccsite-") else str(filename)


def _serve_command(args: argparse.Namespace) -> str:
    """The `ccsite serve` that shows what this build made (its folders, if not the usual)."""
    import shlex

    options = [f"--{name} {shlex.quote(str(value))}" for name, value, usual in [
        ("source", args.source, "content"), ("output", args.output, "_site"),
        ("templates", args.templates, None), ("secrets", args.secrets, None)]
        if value is not None and value != usual]
    return " ".join(["ccsite serve", *options])


def _peak_mb(children: bool) -> int:
    import resource  # Unix only, like the figure

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss // 1024  # Linux gives kilobytes


def print_summary(result, verbose: bool = False, serve: str = "ccsite serve") -> None:
    if result.up_to_date:
        print(f"Nothing has changed since the last build (content, templates, options), "
              f"so the site in {result.public} is up to date (checked in "
              f"{result.seconds:.2f} s).")
        return
    pages = sum(result.pages.values())
    sections = ", ".join(f"{count} {name}" for name, count in sorted(result.pages.items()))
    warnings = len(result.warnings)
    print(f"Built {pages} pages ({sections}) and {result.files - pages} other files "
          f"in {result.seconds:.2f} s"
          + (f"; {warnings} {'warning' if warnings == 1 else 'warnings'} (see them with: "
             "ccsite check)." if warnings and not verbose else "."))
    if result.members_pages:
        where = ("encrypted inside the public site" if result.protection == "encrypt"
                 else f"in {result.public.parent / 'members'}, to serve behind a password "
                 f"(see {result.public.parent / 'deploy' / 'README.md'})")
        print(f"Members area: {result.members_pages} pages, {where}; leak audit: "
              f"{result.leak_scanned} public files checked, nothing members-only found.")
    if verbose:
        for warning in result.warnings:
            print(f"{warning.path}:{warning.line}: {warning.field}: warning: {warning.message}")
        print("Time per stage: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds
                                            in result.timings.items()))
        if result.cpu_timings:
            print("CPU seconds per stage: " + ", ".join(
                f"{name} {seconds:.2f} s" for name, seconds in result.cpu_timings.items()))
        print(f"Peak memory: ccsite {_peak_mb(children=False)} MB, largest helper "
              f"process {_peak_mb(children=True)} MB (Markdown and page workers, the "
              "templates' compiler, Pagefind)")
    print(f"The public site is in {result.public}; to look at it, run: {serve}")


MEMORY_NOT_KEPT = (
    "Note: what this build knows could not be kept for the next one in the cache folder "
    "(.ccsite-cache, beside the content folder): it is another user's, or cannot be "
    "written to. So each build makes the whole site. The folder is safe to delete: "
    "delete it, or give it to the user that builds the site.")


class ProgressBar:
    """A one-line progress bar on a terminal, shown only for builds that take over a second."""

    STAGES = ["load", "validate", "site graph", "render", "audit", "write", "search index",
              "done"]

    def __init__(self, enabled: bool):
        import time

        self.enabled = enabled
        self.started = time.monotonic()
        self.shown = False

    def stage(self, name: str) -> None:
        import time

        if not self.enabled or time.monotonic() - self.started < 1.0 or name == "done":
            return
        done = self.STAGES.index(name) if name in self.STAGES else 0
        width = 24
        filled = round(width * done / (len(self.STAGES) - 1))
        sys.stderr.write(f"\rBuilding [{'#' * filled}{'-' * (width - filled)}] {name:<14}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def report_errors(exc: ContentErrors) -> int:
    """Tell why the build failed; its status is 1 even when what is told goes to a
    command that stopped reading (`2>&1 | head`: see `_reader_gone`)."""
    try:
        for error in exc.errors:
            print(error, file=sys.stderr)
        if [error.field for error in exc.errors] == ["lock"]:  # no mistake of anyone's:
            print("Nothing was built; the output is as the other build leaves it. Build "
                  "again once it has finished.", file=sys.stderr)  # (said so in cron mail)
            return 1
        count = len(exc.errors)
        print(f"{count} {'mistake' if count == 1 else 'mistakes'} found; nothing was changed "
              "in the output. Fix the lines above and build again.", file=sys.stderr)
    except BrokenPipeError:
        _reader_gone()
    return 1


def main(argv: list[str] | None = None) -> int:
    return _run(make_parser().parse_args(argv))


def entry(argv: list[str] | None = None) -> None:
    """The `ccsite` command once loaded (see ccsite.main; build.py gives `argv`): `main`,
    then, after a build, the process ends without taking apart what it holds. A large
    site's build leaves a few hundred megabytes of objects (the site graph, the build
    memory), which the interpreter would free one by one on its way out: 0.4 s of a
    one-edit build at 10,000 documents, for nothing. What exit must still do is done
    first: the atexit handlers (worker pools) and the flush of what is printed."""
    args = make_parser().parse_args(argv)
    if args.run is run_build and sys.stdout is not None and \
            hasattr(sys.stdout, "reconfigure"):
        # what a build tells is not data (as another command's output may be): a letter
        # the output's encoding lacks is shown escaped, as on stderr
        sys.stdout.reconfigure(errors="backslashreplace")
    code = _run(args)
    watched = sys.getprofile() is not None or sys.gettrace() is not None  # a profiler or
    if args.run is run_build and not watched:  # coverage writes its figures on the way out
        import atexit
        import os

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:  # (None: started with that output closed, `>&-`)
                    stream.flush()
            except (OSError, ValueError):  # a closed or broken pipe: nothing to keep
                pass
        os._exit(code)
    sys.exit(code)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args)
    except KeyboardInterrupt:  # Ctrl-C (a build says more: see run_build)
        _stopping()
        print("\nStopped (Ctrl-C).", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # (see `_reader_gone`): the work is done; a command that
        _reader_gone()       # failed says so itself (`report_errors`)
        return 0
    except OSError as exc:  # a file or folder it cannot write (no permission, a full disk,
        _say_os_problem(exc)  # a path through a file), or its own output: said in a line
        return 1
    except UnicodeEncodeError as exc:  # what it prints, in an encoding that lacks a letter
        if codecs.lookup(exc.encoding).name == "utf-8":
            raise  # (not the output's encoding, which could write any letter: ccsite's own)
        print(f"ccsite: what it prints holds {exc.object[exc.start:exc.end]!r}, which its "
              f"output's encoding ({exc.encoding}) cannot write; run it with a UTF-8 locale "
              "(LANG=C.UTF-8) or PYTHONIOENCODING=utf-8", file=sys.stderr)
        return 1


def _say_os_problem(exc: OSError) -> None:
    """Tell, in one line and not as a traceback, what the system refused: what was told
    before it stays (flushed), unless it is the output that cannot be written."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        _reader_gone(sys.stdout)
    why = exc.strerror or exc
    said = f"the system refused to go on ({why}); check that its disk has room, and that " \
        "it may write where it was asked to" if exc.filename is None else \
        f"{exc.filename}: cannot be used ({why}); check the path, and that it may be read " \
        "and written, with room on its disk"
    try:
        print(f"ccsite: {said}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        _reader_gone(sys.stderr)


def _reader_gone(*streams) -> None:
    """What the command prints was piped to a command that stopped reading (`| head`), or
    cannot be written: the rest of it (on `streams`, by default both) goes nowhere, and
    nothing more is said of it on the way out (the output's last flush would fail again,
    and end the command with status 120). A command that failed still ends with its
    status: a script must not take a failed build or check for a good one."""
    import os

    nowhere = os.open(os.devnull, os.O_WRONLY)
    for stream in streams or (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                os.dup2(nowhere, stream.fileno())
        except (OSError, ValueError):
            pass
    os.close(nowhere)


def _stopping() -> None:
    """Once Ctrl-C has stopped the command, another (an impatient user's) is ignored
    while it ends: it would otherwise print a traceback from wherever it struck."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

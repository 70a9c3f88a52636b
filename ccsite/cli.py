"""Command line: argument parsing only; each command calls one function of the pipeline.

Exit status: 0 success, 1 content errors (all listed, sorted), 2 wrong usage.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import __version__
from .errors import ContentErrors
from .fields import start_of_day
from .pipeline import build
from .validate import BuildOptions


def parse_now(text: str) -> dt.datetime:
    """--now: a date-time with a zone (2027-01-29T12:00:00Z), or a date (start of that UK day)."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date-time; use e.g. 2026-11-25T09:00:00Z or 2026-11-25")
    if len(text) == 10:
        return start_of_day(value.date())
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"'{text}' has no time zone; add Z or +01:00 (e.g. 2026-11-25T09:00:00Z)")
    return value


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
    parser.add_argument("--templates", metavar="DIR",
                        help="a folder of templates that override the default theme "
                             "(default: templates/ beside the content folder, if any)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccsite", description="Build the children's centres website from a folder of "
        "Markdown and YAML.")
    parser.add_argument("--version", action="version", version=f"ccsite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    build_parser = commands.add_parser(
        "build", help="build the site", description="Check all content, then build the "
        "public site into OUTPUT/public/. Nothing is replaced unless the build succeeds.")
    _build_options(build_parser)
    build_parser.add_argument("--quiet", action="store_true", help="print only errors")
    build_parser.set_defaults(run=run_build)

    serve_parser = commands.add_parser(
        "serve", help="build, then preview the site in a browser",
        description="Build the site, then serve it at http://HOST:PORT/ for previewing.")
    _build_options(serve_parser)
    serve_parser.add_argument("--port", type=int, default=8000,
                              help="port to listen on (default: 8000)")
    serve_parser.add_argument("--host", default="127.0.0.1",
                              help="address to listen on (default: 127.0.0.1, this computer "
                                   "only)")
    serve_parser.set_defaults(run=run_serve, quiet=False)
    return parser


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve_forever

    status = run_build(args)
    if status:
        return status
    serve_forever(Path(args.output) / "public", args.host, args.port)
    return 0


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(now=args.now or dt.datetime.now(dt.timezone.utc),
                           drafts=args.drafts)
    try:
        result = build(Path(args.source), Path(args.output), options,
                       templates=Path(args.templates) if args.templates else None,
                       shown_as=args.source)
    except ContentErrors as exc:
        return report_errors(exc)
    if not args.quiet:
        sections = ", ".join(f"{count} {name}" for name, count in sorted(result.pages.items()))
        print(f"Built {sum(result.pages.values())} pages ({sections}) and "
              f"{result.files - sum(result.pages.values())} other files "
              f"in {result.seconds:.2f} s.")
        print(f"The public site is in {result.public}; to look at it, run: ccsite serve")
    return 0


def report_errors(exc: ContentErrors) -> int:
    for error in exc.errors:
        print(error, file=sys.stderr)
    count = len(exc.errors)
    print(f"{count} {'mistake' if count == 1 else 'mistakes'} found; nothing was changed "
          "in the output. Fix the lines above and build again.", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return args.run(args)

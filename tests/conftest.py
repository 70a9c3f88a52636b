"""Small fixture sites built in tmp_path, and a way to run ccsite as an editor would."""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import textwrap
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import pytest

from ccsite.cli import main

NOW = "2026-11-25T12:00:00Z"

# the key compiled templates are signed with (templatecode.py) lives in the user's state
# folder: the tests' builds, and the commands they run, keep theirs apart from the user's
TESTS_STATE = os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="ccsite-tests-state-")

SITE_YAML = """\
title: Test Children's Centres
base_url: https://cc.example.org/
language: en-GB
organisation:
  name: Test County Council
  phone: "01632 960000"
  email: cc@example.org
service_types:
  early-education: Early education and childcare
  health: Child and family health services
programme:
  targets:
    - {date: 2008-04-01, centres: 1, label: Phase two}
  milestones:
    - {date: 2006-01-09, title: Expressions of interest open}
members:
  title: Lead agency network
  protection: server
"""

AGENCY_YAML = """\
name: Oxhey Community Trust
sector: voluntary
website: https://example.org/
contact:
  name: Jane Example
  role: Centre manager
  phone: "01632 960001"
  email: jane@example.org
about: A community trust.
"""

CENTRE_MD = """\
---
name: Oxhey Children's Centre
lead_agency: oxhey-trust
district: Watford
phase: 2
status: open
opening_date: 2007-09-01
address:
  street: 1 Bridlington Road
  town: Watford
  postcode: WD19 7AA
services: [early-education, health]
opening_hours:
  - {days: [mon, tue, wed, thu, fri], opens: "09:00", closes: "17:00"}
phone: "01632 960002"
summary: A centre for families in South Oxhey.
---
Families can drop in every weekday.
"""

OPPORTUNITY_MD = """\
---
title: Lead agency for Oxhey
reference: HCC-1
kind: expression-of-interest
status: active
published: 2026-11-02
deadline: 2027-01-29T12:00:00Z
eligible_sectors: [voluntary, school]
centres: [oxhey]
documents:
  - {title: Information pack, url: media/pack.pdf}
enquiries:
  name: Commissioning team
  email: commissioning@example.org
---
How to apply.
"""

LESSON_MD = """\
---
title: Allow more time
summary: Small organisations needed more time to bid.
order: 1
---
Body.
"""

NEWS_MD = """\
---
title: Centres open
date: 2008-04-01
summary: The network reached its target.
---
See [Oxhey](/centres/oxhey/).
"""

PAGE_MD = """\
---
title: About the programme
nav_order: 1
---
About us.
"""

GOOD_PRACTICE_MD = """\
---
title: Running a dads' group
author: Sam Example
agency: oxhey-trust
date: 2009-05-01
summary: What worked for us.
tags: [dads]
---
Members-only body.
"""

DIRECTORY_YAML = """\
- name: Sam Example
  role: Centre manager
  agency: oxhey-trust
  email: sam@example.org
  topics: [dads]
"""

BASE_FILES = {
    "site.yaml": SITE_YAML,
    "agencies/oxhey-trust.yaml": AGENCY_YAML,
    "centres/oxhey.md": CENTRE_MD,
    "opportunities/oxhey-eoi.md": OPPORTUNITY_MD,
    "lessons/more-time.md": LESSON_MD,
    "news/centres-open.md": NEWS_MD,
    "pages/about.md": PAGE_MD,
    "members/good-practice/dads-group.md": GOOD_PRACTICE_MD,
    "members/directory.yaml": DIRECTORY_YAML,
    "media/pack.pdf": "%PDF-1.4 test\n",
}


def visible_text(html: str) -> str:
    import html as html_module
    import re

    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    # what the page says at a later time, hidden till then (macros.html `clock`; none of
    # these parts holds an element of its own kind)
    html = re.sub(r"(?s)<(\w+)\b[^>]*\sdata-clock-after=[^>]*\shidden\b[^>]*>.*?</\1>",
                  " ", html)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@dataclass
class Result:
    status: int
    out: str
    err: str


class FixtureSite:
    """A small valid site in tmp_path that a test changes, then builds like an editor."""

    def __init__(self, root: Path, capsys):
        self.root = root
        self.content = root / "content"
        self.output = root / "_site"
        self._capsys = capsys
        for rel, text in BASE_FILES.items():
            self.write(rel, text)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text,
                            encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.content / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def remove(self, rel: str) -> None:
        (self.content / rel).unlink()

    def build(self, *extra: str) -> Result:
        self._capsys.readouterr()
        status = main(["build", "--source", str(self.content), "--output", str(self.output),
                       "--now", NOW, *extra])
        captured = self._capsys.readouterr()
        return Result(status, captured.out, captured.err)

    def page(self, url: str) -> str:
        path = self.output / "public" / url.strip("/") / "index.html"
        return path.read_text(encoding="utf-8")

    def text(self, url: str) -> str:
        """The words of a page as a reader sees them: no tags, whitespace collapsed."""
        return visible_text(self.page(url))

    def shown(self, rel: str) -> str:
        """A content path as error messages show it."""
        return f"{self.content}/{rel}"

    def snapshot(self) -> dict[str, str]:
        public = self.output / "public"
        return {p.relative_to(public).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(public.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path, capsys) -> FixtureSite:
    return FixtureSite(tmp_path, capsys)


# -- real headless Chromium, one for the whole run (tests/browser.py says how) ----------

@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# -- the real sample site, built once per run (tests/pagetypes.py picks its pages) -----

@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample content/ built in server mode: <folder>/public and <folder>/members."""
    from pagetypes import build, copy_sample

    folder = tmp_path_factory.mktemp("sample-build")
    return build(copy_sample(folder), folder / "_site")


# -- the checkout stays as it was: tests build copies, never content/ in place -----------

CHECKOUT = Path(__file__).resolve().parent.parent
BUILD_LEFTOVERS = (".ccsite-cache", "_site", ".ccsite-secrets", "content")


def checkout_state() -> dict[str, int]:
    """What a build of the checkout's own content/ would leave or change there (the cache
    and secrets beside content/, a default _site/, anything in content/), with times."""
    found = {}
    for top in (CHECKOUT / name for name in BUILD_LEFTOVERS):
        if top.exists() and not top.is_symlink():
            for path in (top, *top.rglob("*")):
                found[path.relative_to(CHECKOUT).as_posix()] = path.lstat().st_mtime_ns
    return found


def pytest_sessionstart(session):
    session.config.stash[CHECKOUT_KEY] = checkout_state()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if a test built (or wrote into) the checkout: it leaves a warm cache
    that later runs build from, and files `git status` does not show."""
    import shutil

    shutil.rmtree(TESTS_STATE, ignore_errors=True)  # (the tests' own key: see above)
    if hasattr(session.config, "workeroutput"):  # a worker of pytest-xdist: told on
        session.config.workeroutput["fuzz"] = _fuzz_counts()  # (see pytest_testnodedown)
    before = session.config.stash.get(CHECKOUT_KEY, None)
    if before is None:
        return
    after = checkout_state()
    changed = sorted(set(before.items()) ^ set(after.items()))
    if changed:
        names = sorted({name for name, _ in changed})
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (f"the tests changed the checkout {CHECKOUT}: {', '.join(names[:8])}"
                   f"{' ...' if len(names) > 8 else ''} (build a copy: pagetypes.copy_sample)")
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


CHECKOUT_KEY = pytest.StashKey[dict]()


# -- the fuzz tests' count of examples, in the run's summary --------------------------------
#
# test_fuzz.py counts the examples it ran; with the tests spread over worker processes
# (pytest-xdist) what a test prints is not shown, and each worker runs some of them, so
# each worker's counts come back to the run's own process when it ends, which adds them.

FUZZ_FROM_WORKERS: dict[str, list[int]] = {}  # name -> [examples, rejected]


def _fuzz_counts() -> dict[str, list[int]]:
    """This process's counts (test_fuzz.EXAMPLES, REJECTED), if it ran any."""
    import sys

    fuzz = sys.modules.get("test_fuzz")
    return {} if fuzz is None else \
        {name: [count, fuzz.REJECTED[name]] for name, count in fuzz.EXAMPLES.items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for name, (count, rejected) in getattr(node, "workeroutput", {}).get("fuzz", {}).items():
        before = FUZZ_FROM_WORKERS.setdefault(name, [0, 0])
        before[0], before[1] = before[0] + count, before[1] + rejected


def pytest_terminal_summary(terminalreporter):
    counts = FUZZ_FROM_WORKERS or _fuzz_counts()
    if counts:
        terminalreporter.section("fuzz")
        for name, (count, rejected) in sorted(counts.items()):
            terminalreporter.write_line(f"fuzz: {name}: {count} examples ({count - rejected} "
                                        f"accepted, {rejected} rejected with a content error)")
        terminalreporter.write_line(f"fuzz: {sum(c for c, _ in counts.values())} examples")


def pytest_addoption(parser):
    parser.addoption("--screenshots", metavar="DIR", default=None,
                     help="write PNG screenshots of every page type, phone and desktop "
                          "widths, into DIR (tests/test_page_quality.py)")


# -- talking to servers over real HTTP ---------------------------------------------------

def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Ports no one listens on, each another: taken one at a time, the kernel may give
    the same twice (a web server's HTTP and HTTPS on one port failed its check: "no
    ssl_certificate is defined", a full run's flake)."""
    import contextlib
    import socket

    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]


def http_get(url: str, login: tuple[str, str] | None = None, gzip: bool = False,
             headers: dict[str, str] | None = None) -> tuple[int, dict, str]:
    """GET `url` (with HTTP basic credentials if given, and `headers`): status, headers,
    body. With `gzip`, as a browser asks (Accept-Encoding: gzip), the body unzipped if it
    came so."""
    import base64
    import gzip as gzip_module
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url)
    if login:
        token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    if gzip:
        request.add_header("Accept-Encoding", "gzip")
    for name, value in (headers or {}).items():
        request.add_header(name, value)

    def body(answer) -> str:
        data = answer.read()
        zipped = answer.headers.get("Content-Encoding") == "gzip"
        return (gzip_module.decompress(data) if zipped else data).decode()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), body(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), body(error)


def assert_compressed_and_checked_before_reuse(https: str, login: tuple[str, str]) -> None:
    """What a deploy configuration's server sends: the site's text files compressed, and
    every public answer kept by browsers only until checked again (no-cache), the members
    area's never (private, no-store)."""
    for path in ("/", "/assets/style.css", "/assets/places.js", "/feed.xml",
                 "/data/centres.csv", "/data/oruk/services.json"):
        status, headers, text = http_get(https + path, gzip=True)
        assert status == 200 and text, path
        assert headers.get("Content-Encoding") == "gzip", path
        assert headers["Cache-Control"] == "no-cache", path
        # ...and "has it changed?" is answered with a 304, not the whole file again
        asked = {"If-None-Match": headers["ETag"]}
        assert http_get(https + path, gzip=True, headers=asked)[0] == 304, path
    status, headers, _ = http_get(https + "/members/", login, gzip=True)
    assert status == 200 and headers["Cache-Control"] == "private, no-store"


# -- ccsite serve, run as an editor runs it --------------------------------------------------

@dataclass
class Serving:
    """A running `ccsite serve`: its address, its process and what it printed."""

    base: str
    port: int
    content: Path
    output: Path
    process: Any  # subprocess.Popen
    log: Path

    def printed(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, check, seconds: float, what: str) -> None:
        """Poll until `check()` is true; fails with what the server printed if it stops
        or `seconds` pass first."""
        import time

        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.process.poll() is not None:
                raise AssertionError(f"ccsite serve stopped: {self.printed()}")
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"not within {seconds} s: {what}\n{self.printed()}")


@contextlib.contextmanager
def serve_running(content: Path, output: Path, *options: str, now: str = NOW,
                  host: str = "127.0.0.1", quiet: bool = True, answering: int = 200,
                  base: str | None = None):
    """`ccsite serve` over `content` on a free port, in its own process, until the block
    ends: yields a `Serving` once the server answers its home page with `answering` (500
    while the content has a mistake; an AssertionError with what it printed if it stops
    or does not answer so within a minute)."""
    import subprocess
    import sys

    port = free_port()
    log = output.parent / f"serve-{port}.log"
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as printed:
        process = subprocess.Popen(
            [sys.executable, "-m", "ccsite", "serve", "--source", str(content), "--output",
             str(output), "--port", str(port), "--host", host, "--now", now,
             *(["--quiet"] if quiet else []), *options],
            stdout=printed, stderr=subprocess.STDOUT)
    address = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host
    serving = Serving(f"{base or 'http://' + address}:{port}", port, content, output, process,
                      log)
    try:
        serving.wait(lambda: _answers(serving.base, answering), 60, "ccsite serve starts")
        yield serving
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(base: str, status: int = 200) -> bool:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    try:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
        connection.request("HEAD", "/")
        return connection.getresponse().status == status
    except OSError:
        return False

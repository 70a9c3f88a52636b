"""Templates compiled ahead by a helper process while the build reads the content
(ccsite/precompile.py): the pages are those the build's own compile gives, a template
edited meanwhile is compiled again, and no helper outlives its build."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import jinja2
import jinja2.parser
import pytest

from ccsite import cli, incremental, precompile, render

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def each_build_as_the_first_of_its_process(monkeypatch):
    """As a command-line build is: with none of the templates the builds before it
    compiled (incremental.COMPILED_IN_THIS_PROCESS), which would leave nothing to compile
    ahead."""
    build = cli.build

    def first(*args, **kwargs):
        monkeypatch.setattr(incremental, "COMPILED_IN_THIS_PROCESS", {})
        return build(*args, **kwargs)

    monkeypatch.setattr(incremental, "COMPILED_IN_THIS_PROCESS", {})
    monkeypatch.setattr(cli, "build", first)


@pytest.fixture
def helpers(monkeypatch) -> list[tuple[precompile.Ahead, int]]:
    """The helpers the builds of a test start, with their process ids. This process may
    run a thread of another test's (Playwright's, once a browser test has run), where a
    build forks no helper: here it does (that thread only waits for its browser), and
    `test_a_build_in_a_process_with_threads_forks_no_helper` checks the rule itself."""
    started = []
    start = precompile.start
    monkeypatch.setattr(precompile, "may_fork", lambda: True)

    def recorded(*args):
        ahead = start(*args)
        started.append((ahead, ahead.pid))
        return ahead

    monkeypatch.setattr(precompile, "start", recorded)
    return started


def parsed_by(monkeypatch) -> list[str]:
    """The templates the build parses itself (in this process), to compile them or to
    know which templates they name (incremental.named_in)."""
    parses = []
    parse = jinja2.parser.Parser.parse
    here = os.getpid()

    def counted(self):
        if os.getpid() == here:
            parses.append(self.name)
        return parse(self)

    monkeypatch.setattr(jinja2.parser.Parser, "parse", counted)
    return parses


def helper_done_first(monkeypatch, then=lambda: None) -> None:
    """Have each build wait for its helper to send all and end (and then do `then`), so
    a test knows what it compiled before the build needs a template."""
    start = precompile.start

    def done(*args):
        ahead = start(*args)
        assert ahead.pid > 0
        os.waitpid(ahead.pid, 0)  # all it compiled is in the pipe
        ahead.pid = -1  # reaped here
        then()
        return ahead

    monkeypatch.setattr(precompile, "start", done)


def test_pages_from_templates_compiled_ahead_are_those_the_build_compiles_itself(
        site, tmp_path, monkeypatch, helpers):
    parses = parsed_by(monkeypatch)
    monkeypatch.setattr(incremental, "_NAMED", {})  # no names known from earlier builds
    helper_done_first(monkeypatch)
    assert site.build().status == 0
    assert len(helpers) == 1
    assert parses == []  # every template came compiled from the helper, with its names
    with_helper = site.snapshot()
    monkeypatch.setattr(precompile, "start", lambda *args: precompile.NOT_STARTED)
    site.output.rename(tmp_path / "with-helper")
    (site.root / ".ccsite-cache").rename(tmp_path / "with-helper-cache")
    assert site.build().status == 0
    assert parses  # compiled here now
    assert site.snapshot() == with_helper


def test_template_edited_after_the_helper_compiled_it_is_compiled_again(
        site, monkeypatch, helpers):
    """The helper's code for a template is used only for the very text it compiled: a
    site's template saved while the build runs is compiled as it now is."""
    template = site.root / "templates" / "news-item.html"
    template.parent.mkdir()
    template.write_text("<p>{{ item.title }}, before</p>")
    helper_done_first(monkeypatch, lambda: template.write_text("<p>{{ item.title }}, after</p>"))
    assert site.build("--templates", str(template.parent)).status == 0
    assert len(helpers) == 1
    assert site.page("/news/centres-open/") == "<p>Centres open, after</p>"


@pytest.mark.parametrize("outcome", ["built", "a content mistake"])
def test_no_helper_outlives_its_build(site, helpers, outcome):
    if outcome == "a content mistake":
        site.edit("news/centres-open.md", "date: ", "date: not a date ")
    assert site.build().status == (0 if outcome == "built" else 1)
    (ahead, pid), = helpers
    assert pid > 0 and ahead.reader == -1
    assert not Path(f"/proc/{pid}").exists()  # ended and reaped (not left a zombie)


def test_a_build_in_a_process_with_threads_forks_no_helper(site, monkeypatch):
    """Forking a process that runs other threads (the preview server's) could give the
    helper a lock one of them holds, and the helper would wait for ever: such a build
    compiles its templates itself."""
    started = []
    start = precompile.start
    monkeypatch.setattr(precompile, "start", lambda *args: started.append(start(*args))
                        or started[-1])
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait)
    other.start()
    try:
        assert site.build().status == 0
    finally:
        waiting.set()
        other.join()
    assert started == [precompile.NOT_STARTED]


def test_helper_of_a_killed_build_ends_with_it(tmp_path):
    """The helper holds what the build held when it forked (the output folder's lock
    among it): killed, the build takes its helper with it, even one still compiling."""
    script, compiling = tmp_path / "build.py", tmp_path / "compiling"
    script.write_text(
        "import pathlib, sys, time, types\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from ccsite import precompile\n"
        "precompile._send_all = lambda *args: (  # compiling for ever\n"
        f"    pathlib.Path({str(compiling)!r}).touch(), time.sleep(60))\n"
        "config = types.SimpleNamespace(base_url='https://example.org/', base_path='/')\n"
        "print(precompile.start(None, config).pid, flush=True)\n"
        "time.sleep(60)\n")
    build = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    helper = int(build.stdout.readline())
    deadline = time.monotonic() + 10
    while not compiling.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert compiling.exists() and _alive(helper)
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)


def _alive(pid: int) -> bool:
    """Is the process running (not ended, nor a zombie waiting to be reaped)?"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_only_the_build_takes_what_its_helper_sent(helpers):
    """Processes forked from the build (its Markdown and page workers) inherit the helper's
    pipe: were they to read it, the build would miss what they took, or get half of it."""
    config = types.SimpleNamespace(base_url="https://example.org/", base_path="/")
    ahead = precompile.start(None, config)
    assert ahead.pid > 0
    os.waitpid(ahead.pid, 0)
    ahead.pid = -1
    worker = os.fork()
    if worker == 0:
        taken: dict = {}
        ahead.take(taken)
        os._exit(3 if taken else 0)
    assert os.waitstatus_to_exitcode(os.waitpid(worker, 0)[1]) == 0
    kept: dict = {}
    ahead.take(kept)
    ahead.stop()
    env = render.make_environment(None, config)
    templates = [name for name in env.list_templates() if not name.startswith("assets/")]
    assert len(kept) == len(templates) > 30


def test_ctrl_c_as_the_helper_starts_never_takes_it_into_the_builds_code(tmp_path):
    """Interrupted in the instant after forking, before it is in its own code, the
    helper would go back into the build's: its clean-up, the release of its lock. It
    ends instead, and only the build is interrupted."""
    script = tmp_path / "build.py"
    script.write_text(
        "import os, signal, sys, types\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from ccsite import precompile\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal\n"
        "build, fork = os.getpid(), os.fork\n"
        "def interrupted_fork():  # Ctrl-C at the very moment the helper starts\n"
        "    pid = fork()\n"
        "    if pid == 0:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        signal.getsignal(signal.SIGINT)  # (Python acts on a signal at a call)\n"
        "    return pid\n"
        "os.fork = interrupted_fork\n"
        "config = types.SimpleNamespace(base_url='https://example.org/', base_path='/')\n"
        "try:\n"
        "    ahead = precompile.start(None, config)\n"
        "    os.waitpid(ahead.pid, 0)\n"
        "    ahead.pid = -1\n"
        "    ahead.stop()\n"
        "finally:\n"
        "    print('build' if os.getpid() == build else 'helper', flush=True)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["build"], done.stdout + done.stderr


def test_templates_compiled_for_site_yaml_as_it_was_are_not_used(site, monkeypatch, helpers):
    """A command-line build starts its helper before it reads anything, and the helper
    reads site.yaml itself: saved meanwhile with another address, the site links to the
    address the build read, not to the one the helper compiled the templates for."""
    parses = parsed_by(monkeypatch)
    helper_done_first(monkeypatch, lambda: site.edit(
        "site.yaml", "https://cc.example.org/", "https://example.org/children/"))
    assert site.build().status == 0
    (ahead, _), = helpers
    assert ahead is not precompile.NOT_STARTED
    assert parses  # compiled here: what the helper sent was for the old address
    assert 'href="/children/centres/oxhey/"' in site.page("/centres/")
    assert 'href="/centres/' not in site.page("/centres/")

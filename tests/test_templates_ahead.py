"""Templates compiled ahead by a helper process while the build reads the content
(ccsite/precompile.py): the pages are those the build's own compile gives, a template
edited meanwhile is compiled again, and no helper outlives its build."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import jinja2
import pytest

from ccsite import precompile, render

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def helpers(monkeypatch) -> list[precompile.Ahead]:
    """The helpers the builds of a test start (and so a check that they do start)."""
    started = []
    start = precompile.start

    def recorded(*args):
        started.append(start(*args))
        return started[-1]

    monkeypatch.setattr(precompile, "start", recorded)
    return started


def compiled_by(monkeypatch) -> list[str]:
    """The templates the build compiles itself (in this process)."""
    compiles = []
    compile_ = jinja2.Environment.compile
    here = os.getpid()

    def counted(self, source, name=None, *args, **kwargs):
        if os.getpid() == here:
            compiles.append(name)
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return compiles


def helper_done_first(monkeypatch, then=lambda: None) -> None:
    """Have each build wait for its helper to send all and end (and then do `then`), so
    a test knows what it compiled before the build needs a template."""
    start = precompile.start

    def done(*args):
        ahead = start(*args)
        os.waitpid(ahead.pid, 0)  # all it compiled is in the pipe
        ahead.pid = -1  # reaped here
        then()
        return ahead

    monkeypatch.setattr(precompile, "start", done)


def test_pages_from_templates_compiled_ahead_are_those_the_build_compiles_itself(
        site, tmp_path, monkeypatch, helpers):
    compiles = compiled_by(monkeypatch)
    helper_done_first(monkeypatch)
    assert site.build().status == 0
    assert len(helpers) == 1
    assert compiles == []  # every template came compiled from the helper
    with_helper = site.snapshot()
    monkeypatch.setattr(precompile, "start", lambda *args: precompile.NOT_STARTED)
    site.output.rename(tmp_path / "with-helper")
    (site.root / ".ccsite-cache").rename(tmp_path / "with-helper-cache")
    assert site.build().status == 0
    assert compiles  # compiled here now
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
    assert helpers and helpers[-1].reader == -1
    with pytest.raises(ChildProcessError):  # no child of this process, running or ended
        os.waitpid(-1, os.WNOHANG)


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


def test_only_the_build_takes_what_its_helper_sent():
    """Processes forked from the build (its Markdown and page workers) inherit the helper's
    pipe: were they to read it, the build would miss what they took, or get half of it."""
    config = types.SimpleNamespace(base_url="https://example.org/", base_path="/")
    ahead = precompile.start(None, config)
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

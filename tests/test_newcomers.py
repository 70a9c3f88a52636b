"""A newcomer's first minutes: the README's quick start on a fresh clone with Debian's own
Python, the command CI runs being the README's, and a first page without a missing file."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from browser import needs_browser, served

REPO = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def readme_commands() -> list[str]:
    """The quick start's commands, in order: the shell blocks of that section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_quick_start_is_two_commands_that_make_and_use_a_virtual_environment():
    build, tests = readme_commands()[:2]
    for command in (build, tests):
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
        assert " python " not in f" {command} "  # one spelling of the interpreter
    assert build.endswith("python3 build.py")
    assert tests.endswith("python3 -m pytest")


def test_ci_runs_the_readmes_test_command():
    tests = readme_commands()[1]
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in lines


def _debian_python_with_venv() -> bool:
    return DEBIAN_PYTHON.exists() and subprocess.run(
        [str(DEBIAN_PYTHON), "-c", "import venv, ensurepip"], capture_output=True).returncode == 0


def _fresh_clone(target: Path) -> None:
    """What `git clone` gives a newcomer: the committed files, nothing built or cached."""
    if (REPO / ".git").exists():
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True)
    else:  # a checkout without its history: the files git would track
        shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
            ".venv", "_site", ".ccsite-cache", ".ccsite-secrets", "__pycache__", "*.egg-info",
            ".pytest_cache"))


@pytest.mark.skipif(not _debian_python_with_venv() and not os.environ.get("CI"),
                    reason="needs Debian's /usr/bin/python3 with python3-venv")
def test_readmes_first_command_builds_the_sample_on_a_fresh_clone_with_debians_python(
        tmp_path):
    clone = tmp_path / "ccsite"
    _fresh_clone(clone)
    only_debian = tmp_path / "bin"  # `python3` is Debian's, as on a fresh machine
    only_debian.mkdir()
    (only_debian / "python3").symlink_to(DEBIAN_PYTHON)
    env = {"PATH": f"{only_debian}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "LANG": "C.UTF-8"}
    done = subprocess.run(["bash", "-c", readme_commands()[0]], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (clone / "_site" / "public" / "index.html").is_file()
    assert (clone / "_site" / "public" / "centres" / "index.html").is_file()
    assert (clone / ".venv" / "bin" / "ccsite").is_file()  # `ccsite serve` after activate
    version = subprocess.run([str(clone / ".venv" / "bin" / "python3"), "--version"],
                             capture_output=True, text=True).stdout
    assert version.startswith("Python 3.")
    # the README's nightly line, as cron runs it: from /bin/sh, with cron's bare PATH
    # (no virtual environment active), in the folder it names
    line = re.search(r"(?m)^[0-9,]+ [0-9,]+ \* \* \* (.*)$",
                     (REPO / "README.md").read_text(encoding="utf-8")).group(1)
    cron = {"PATH": "/usr/bin:/bin", "HOME": env["HOME"], "SHELL": "/bin/sh"}
    done = subprocess.run(["/bin/sh", "-c", line.replace("/srv/childrens-centres", str(clone))],
                          env=cron, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@needs_browser
@pytest.mark.browser
def test_first_page_asks_for_no_file_the_site_does_not_have(sample_build, page):
    """A browser's first visit asks for the page's icon: the theme has one (no 404)."""
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    with served(sample_build / "public") as base:
        page.goto(base + "/", wait_until="networkidle")
        icon = page.evaluate("document.querySelector('link[rel=icon]').href")
        assert page.request.get(icon).status == 200
    assert failed == []

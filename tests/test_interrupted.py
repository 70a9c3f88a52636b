"""Builds killed at any moment, and builds started at once: the published folder is always
either the whole old site or the whole new one, and the next build cleans up."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccsite.cli import main

NOW = "2026-11-25T12:00:00Z"
KILLS = 16


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.is_dir() else {}


def build_command(site, output: Path) -> list[str]:
    return [sys.executable, "-m", "ccsite", "build", "--source", str(site.content),
            "--output", str(output), "--now", NOW, "--quiet"]


def test_build_killed_at_any_moment_leaves_old_or_new_site(site):
    old_output = site.root / "old"
    assert subprocess.run(build_command(site, old_output)).returncode == 0
    old = snapshot(old_output / "public")
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    site.edit("news/centres-open.md", "See [Oxhey]", "Now see [Oxhey]")
    new_output = site.root / "new"
    assert subprocess.run(build_command(site, new_output)).returncode == 0
    new = snapshot(new_output / "public")
    assert old != new

    def restore_old() -> None:
        shutil.rmtree(site.output, ignore_errors=True)
        shutil.copytree(old_output, site.output)

    restore_old()
    started = time.monotonic()  # how long the build we will interrupt takes
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    duration = time.monotonic() - started
    rng = random.Random(20261125)
    outcomes = {"old": 0, "new": 0, "mixed": 0}
    for _ in range(KILLS):
        restore_old()
        process = subprocess.Popen(build_command(site, site.output))
        time.sleep(rng.uniform(0.3 * duration, 1.1 * duration))  # the swap comes late
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = snapshot(site.output / "public")
        outcomes["old" if now == old else "new" if now == new else "mixed"] += 1
    print(f"kill test: {KILLS} builds killed: {outcomes}")
    assert outcomes["mixed"] == 0, outcomes
    # whatever was left behind, the next build finishes the job and tidies up
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    assert snapshot(site.output / "public") == new
    assert not [p for p in os.listdir(site.output) if p.startswith(".ccsite-tmp-")
                or p.startswith(".ccsite-old-")]


def test_second_build_at_the_same_time_is_told_to_wait(site):
    """The test holds the output folder's lock as a build does (so the two certainly
    overlap) while a build runs in another process: it is refused, names the holder, and
    leaves the published site as it was."""
    from ccsite.write import BuildLock

    assert subprocess.run(build_command(site, site.output)).returncode == 0
    published = lambda: {k: v for k, v in snapshot(site.output).items() if k != ".ccsite-lock"}
    before = published()
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    with BuildLock(site.output):
        second = subprocess.run(build_command(site, site.output), capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 1, second.stderr
        assert second.stderr.startswith(
            f"{site.output}:1: lock: another build (process {os.getpid()}) is writing to "
            f"{site.output}; wait for it to finish, then build again"), second.stderr
        assert published() == before
    assert subprocess.run(build_command(site, site.output)).returncode == 0  # let go: it builds
    assert "Allow far more time" in (site.output / "public/lessons/more-time/index.html").read_text()


# -- folders given wrongly -------------------------------------------------------------------

def test_build_run_inside_the_content_folder_says_so_and_leaves_no_trace(site, monkeypatch):
    monkeypatch.chdir(site.content)
    site._capsys.readouterr()
    assert main(["build", "--now", NOW]) == 1
    err = site._capsys.readouterr().err
    assert err.startswith("content:1: source: content folder not found at "
                          f"{site.content / 'content'} (ccsite was run inside the content "
                          "folder: run it from the folder that holds content/)")
    assert not (site.content / "_site").exists()


def test_output_inside_the_content_folder_is_refused(site, monkeypatch):
    """`--source .` from inside content/: the site must not be built into content/_site,
    to be read back as content by the next build; the cache still goes beside content/."""
    monkeypatch.chdir(site.content)
    site._capsys.readouterr()
    assert main(["build", "--source", ".", "--now", NOW]) == 1
    assert "_site:1: output: the site would be built inside the content folder ." in \
        site._capsys.readouterr().err
    assert main(["build", "--source", ".", "--output", "../_site", "--now", NOW]) == 0
    assert (site.root / "_site" / "public" / "index.html").is_file()
    assert (site.root / ".ccsite-cache").is_dir() and not (site.content / ".ccsite-cache").exists()


def test_output_that_is_a_file_is_told_plainly(site):
    site.output.write_text("not a folder")
    result = site.build()
    assert result.status == 1
    assert result.err.startswith(f"{site.output}:1: output: is a file, not a folder")


def test_members_root_that_cannot_be_replaced_stops_the_build_before_any_swap(site):
    """The members root is one the build cannot replace (another user's, or immutable):
    the public site must not be swapped in alone, and no traceback is shown."""
    assert site.build().status == 0
    before = site.snapshot()
    members = site.output / "members"
    if subprocess.run(["chattr", "+i", str(members)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not permitted here")
    try:
        site.edit("news/centres-open.md", "title: Centres open", "title: Centres opened")
        result = site.build()
    finally:
        subprocess.run(["chattr", "-i", str(members)], check=True)
    assert result.status == 1
    assert result.err.startswith(f"{members}:1: output: cannot be written (permission denied)")
    assert "Traceback" not in result.err
    assert site.snapshot() == before

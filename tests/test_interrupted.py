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


ROOTS = ("public", "members", "deploy")
KILLPOINTS = Path(__file__).parent / "killpoints.py"


class OldAndNew:
    """A site built before and after an edit, and its output as the earlier build left it,
    put back before each build the test interrupts."""

    def __init__(self, site):
        self.site = site
        self.old_output = site.root / "old"
        assert subprocess.run(build_command(site, self.old_output)).returncode == 0
        self.old = self.roots(self.old_output)
        site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
        site.edit("news/centres-open.md", "See [Oxhey]", "Now see [Oxhey]")
        site.edit("members/good-practice/dads-group.md", "Members-only body.", "Members' body.")
        new_output = site.root / "new"
        assert subprocess.run(build_command(site, new_output)).returncode == 0
        self.new = self.roots(new_output)
        assert self.old["public"] != self.new["public"]
        assert self.old["members"] != self.new["members"]

    @staticmethod
    def roots(output: Path) -> dict[str, dict[str, str]]:
        return {root: snapshot(output / root) for root in ROOTS}

    def restore_old(self) -> None:
        shutil.rmtree(self.site.output, ignore_errors=True)
        shutil.copytree(self.old_output, self.site.output, symlinks=True)
        shutil.rmtree(self.site.root / ".ccsite-cache", ignore_errors=True)  # as it was too

    def outcome(self) -> str:
        """'old' or 'new'; 'apart' when each root is wholly old or wholly new but not all
        the same (the roots are swapped one after another); else which root is mixed."""
        now = self.roots(self.site.output)
        if now == self.old:
            return "old"
        if now == self.new:
            return "new"
        mixed = [root for root in ROOTS if now[root] not in (self.old[root], self.new[root])]
        return f"mixed: {mixed}" if mixed else "apart"

    def finish_and_tidy(self) -> None:
        """Whatever a killed build left behind, the next build finishes the job and tidies."""
        assert subprocess.run(build_command(self.site, self.site.output)).returncode == 0
        assert self.roots(self.site.output) == self.new
        assert not [p for p in os.listdir(self.site.output) if p.startswith(".ccsite-tmp-")
                    or p.startswith(".ccsite-old-")]


def test_build_killed_at_any_moment_leaves_old_or_new_site(site):
    runs = OldAndNew(site)
    runs.restore_old()
    started = time.monotonic()  # how long the build we will interrupt takes
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    duration = time.monotonic() - started
    rng = random.Random(20261125)
    outcomes = {}
    for _ in range(KILLS):
        runs.restore_old()
        process = subprocess.Popen(build_command(site, site.output))
        time.sleep(rng.uniform(0.3 * duration, 1.1 * duration))  # the swap comes late
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcome = runs.outcome()
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(f"kill test: {KILLS} builds killed: {outcomes}")
    assert set(outcomes) <= {"old", "new", "apart"}, outcomes
    runs.finish_and_tidy()


def test_build_killed_at_each_step_of_its_swap_leaves_old_or_new_site(site):
    """Killed just before each rename or removal that touches the published folders, in
    turn (tests/killpoints.py): a swap that deletes the old site before the new one is
    in place is caught at the very step, not by a lucky moment. Each root must be wholly
    old or wholly new."""
    runs = OldAndNew(site)
    outcomes = []
    for kill_at in range(1, 100):
        runs.restore_old()
        command = [sys.executable, str(KILLPOINTS), str(kill_at), str(site.output),
                   *build_command(site, site.output)[3:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        outcomes.append(runs.outcome())
        assert outcomes[-1] in ("old", "new", "apart"), \
            f"killed before step {kill_at}: {outcomes}"
        if done.returncode == 0:
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
    else:
        raise AssertionError("the build was still renaming and removing after 99 steps")
    print(f"swap kill test: killed at each of {kill_at - 1} steps: {outcomes}")
    assert kill_at > 3 and outcomes[0] == "old" and outcomes[-1] == "new", outcomes
    runs.finish_and_tidy()


def test_build_killed_while_pagefind_runs_leaves_nothing_outside_its_output(site):
    """Killed while Pagefind indexes (here a stand-in that waits), a build leaves its
    working files where the next build tidies them, none in the machine's temp folder."""
    started = site.root / "pagefind-started"
    program = site.root / "waiting-pagefind"
    program.write_text(f"#!/bin/sh\ntouch '{started}'\nexec sleep 60\n")
    program.chmod(0o755)
    temp = site.root / "tmp"
    temp.mkdir()
    process = subprocess.Popen(build_command(site, site.output), env={
        **os.environ, "PAGEFIND_BINARY_PATH": str(program), "TMPDIR": str(temp)})
    deadline = time.monotonic() + 60
    while not started.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert started.exists(), "the build never started Pagefind"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert sorted(os.listdir(temp)) == []
    assert any(name.startswith(".ccsite-tmp-") for name in os.listdir(site.output))
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    assert not [name for name in os.listdir(site.output) if name.startswith(".ccsite-tmp-")]


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
        assert "mistake" not in second.stderr  # (it said "1 mistake found... Fix the lines")
        assert published() == before
    assert subprocess.run(build_command(site, site.output)).returncode == 0  # let go: it builds
    assert "Allow far more time" in (site.output / "public/lessons/more-time/index.html").read_text()


@pytest.mark.parametrize("how", ["a link", "a hard link"])
def test_lock_file_that_names_another_file_is_replaced_not_written_through(site, tmp_path, how):
    """A restored output may hold a link where the build keeps its lock file: the build
    takes a lock file of its own, and the file named is left as it was."""
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    victim = site.root / "precious.txt"
    victim.write_text("kept")
    (site.output / ".ccsite-lock").unlink()
    if how == "a link":
        (site.output / ".ccsite-lock").symlink_to(victim)
    else:
        os.link(victim, site.output / ".ccsite-lock")
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    assert victim.read_text() == "kept"
    assert not (site.output / ".ccsite-lock").is_symlink()
    assert (site.output / ".ccsite-lock").stat().st_nlink == 1


def test_ctrl_c_while_ccsite_loads_stops_it_without_a_traceback(tmp_path):
    """The `ccsite` command, stopped while it imports its modules (a Ctrl-C pressed at
    once): the same words and status as a build stopped later."""
    interrupted_import = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'ccsite.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "sys.argv = ['ccsite', 'build']\n"
        "import ccsite; ccsite.main()\n")
    done = subprocess.run([sys.executable, "-c", interrupted_import], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert (done.returncode, done.stderr) == (130, "\nStopped (Ctrl-C).\n")


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


def _memory_of(cache: Path) -> dict:
    """What the build memory in `cache` reads back as, but for the status of each file
    (inode, times: new each time the test puts the old output back, and racy or not by
    the moment of the build) kept beside its digest, where the output's spare is, and its
    folders' stamps (their times)."""
    from ccsite import incremental

    memory = incremental.BuildMemory.read(cache / "build-memory.cbor")
    kept = {name: getattr(memory, name) for name in incremental.BuildMemory.kept_fields()
            if name not in ("spares", "stamps", "index_stamp")}
    for name in ("file_digests", "source_digests"):
        kept[name] = {path: digest for path, (_, digest) in kept[name].items()}
    kept["outputs"] = {root: {path: signature.split("|")[0]
                              for path, signature in files.items()}
                       for root, files in kept["outputs"].items()}
    kept["search_files"] = {path: signature.split("|")[0]
                            for path, signature in (kept["search_files"] or {}).items()}
    return kept


def test_build_killed_at_each_step_of_saving_its_memory_leaves_the_old_memory_or_the_new(
        site):
    """Killed just before each rename or removal in the cache folder, in turn (the
    stamp's removal, each part of the build memory swapped in, the table of contents
    naming them, the old parts removed): the memory reads back as the whole old one or
    the whole new one, never a mix of parts (which could vouch for pages made from
    other inputs) nor nothing, and the next build makes the site as a clean build does."""
    from test_uptodate import settle

    cache = site.root / ".ccsite-cache"
    settle(site)
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    kept = site.root / "kept"
    shutil.copytree(cache, kept / "cache")
    shutil.copytree(site.output, kept / "output", symlinks=True)
    old = _memory_of(cache)

    def restore_old() -> None:
        for folder, copy in ((cache, kept / "cache"), (site.output, kept / "output")):
            shutil.rmtree(folder)
            shutil.copytree(copy, folder, symlinks=True)

    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    site.edit("members/good-practice/dads-group.md", "Members-only body.", "Members' body.")
    settle(site)
    assert subprocess.run(build_command(site, site.output)).returncode == 0
    new, new_site = _memory_of(cache), OldAndNew.roots(site.output)
    assert new != old
    outcomes = []
    for kill_at in range(1, 100):
        restore_old()
        command = [sys.executable, str(KILLPOINTS), str(kill_at), str(cache),
                   *build_command(site, site.output)[3:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        now = _memory_of(cache)
        outcomes.append("old" if now == old else "new" if now == new else "mixed")
        assert outcomes[-1] != "mixed", f"killed before step {kill_at}: {outcomes}"
        if done.returncode == 0:
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert subprocess.run(build_command(site, site.output)).returncode == 0
        assert OldAndNew.roots(site.output) == new_site, f"after a kill at {kill_at}"
    else:
        raise AssertionError("the build was still renaming and removing after 99 steps")
    print(f"memory kill test: killed at each of {kill_at - 1} steps: {outcomes}")
    assert kill_at > 4 and outcomes[0] == "old" and outcomes[-1] == "new", outcomes


# -- Ctrl-C -------------------------------------------------------------------------------

# the build run as `ccsite build` is, on a machine of at least two cores (so that its
# Markdown and its pages are spread over worker processes whatever machine runs the test)
WITH_TWO_CORES = ("import os, sys; cores = os.sysconf('SC_NPROCESSORS_ONLN');"
                  "os.cpu_count = lambda: max(2, cores);"
                  "sys.argv[0] = 'ccsite'; from ccsite.cli import entry; entry()")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def _group_gone(group: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("moment", ["markdown", "pages"])
def test_ctrl_c_while_workers_run_stops_the_build_at_once_and_plainly(site, moment):
    """Ctrl-C (the terminal sends SIGINT to every process of the build) while worker
    processes convert Markdown or render pages: the build ends (once each worker's
    current share is done) with a plain message and status 130, leaves no process and
    no lock behind, and the next build runs. (A worker the signal reached used to die
    mid-task, and the build waited for it for ever, holding the output folder's lock.)"""
    for number in range(400):  # enough bodies and pages to be given to workers
        site.write(f"news/item-{number:03d}.md",
                   f"---\ntitle: Item {number}\ndate: 2010-01-{number % 28 + 1:02d}\n"
                   f"summary: Item {number}.\n---\nItem {number}: see "
                   f"[the centre](/centres/oxhey/). {'Words of the item. ' * 40}\n")
    command = [sys.executable, "-c", WITH_TWO_CORES, *build_command(site, site.output)[3:]]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        deadline, seen = time.monotonic() + 60, None
        while process.poll() is None and time.monotonic() < deadline:
            staged = [name for folder in site.output.glob(".ccsite-stage-*")
                      for name in os.listdir(folder)] if site.output.is_dir() else []
            workers = len(_children(process.pid))
            if moment == "markdown" and workers >= 2 and not staged or \
                    moment == "pages" and workers >= 2 and staged:
                os.killpg(process.pid, signal.SIGINT)  # as the terminal sends Ctrl-C
                seen = workers
                break
            time.sleep(0.002)
        assert seen, f"never caught the build while its workers ran ({moment})"
        _, stderr = process.communicate(timeout=60)  # waiting for ever fails here
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, stderr
    assert "stopped (Ctrl-C) before it was finished" in stderr
    assert "Traceback" not in stderr, stderr
    assert _group_gone(process.pid), "a worker outlived the build"
    assert not list(site.output.glob(".ccsite-stage-*"))
    assert not (site.output / "public").exists()  # nothing was published
    finished = subprocess.run(build_command(site, site.output), capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert (site.output / "public/news/item-399/index.html").is_file()


def test_second_ctrl_c_while_a_command_stops_is_ignored(capsys):
    """An impatient user's second Ctrl-C, once the first has stopped the command, does
    not break into its ending with a traceback."""
    from argparse import Namespace

    from ccsite import cli

    def stopped_by_ctrl_c(args):
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    try:
        assert cli._run(Namespace(run=stopped_by_ctrl_c)) == 130
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl-C: raises here if heeded
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "Stopped (Ctrl-C)." in capsys.readouterr().err

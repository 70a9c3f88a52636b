"""Incremental builds are exact: after any edit, a rebuild that reuses the last build's
work gives byte for byte what a clean full build gives, and touches only what changed."""
from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import re
import shutil
from pathlib import Path

import pytest

from ccsite import incremental
from ccsite.pipeline import build
from ccsite.validate import BuildOptions

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)


def tree(root: Path) -> dict[str, bytes | None]:
    """Each file's bytes, and each folder (None): an empty folder a clean build would not
    leave is a difference too (a web server answers "forbidden" for it)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(root.rglob("*"))}


def full_build(site, now=NOW) -> Path:
    """A clean build, as the first `ccsite build` of the site makes it: a copy of the
    content (and of the templates and secrets beside it) in a folder of its own, so that
    its cache folder (beside content/) starts empty too, built into a fresh output folder.
    It shares nothing with the builds compared with it: not their memory, not their cache
    of rendered Markdown or compiled templates (a stale entry there would be in both)."""
    fresh = site.root / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    for name in ("content", "templates", ".ccsite-secrets"):
        if (site.root / name).exists():
            shutil.copytree(site.root / name, fresh / name, symlinks=True)
    build(fresh / "content", fresh / "_site", BuildOptions(now=now))
    return fresh / "_site"


def incremental_build(site, now=NOW):
    return build(site.content, site.output, BuildOptions(now=now))


def assert_same_as_full_build(site, now=NOW) -> None:
    full = full_build(site, now)
    for root in ("public", "members", "deploy"):
        assert tree(site.output / root) == tree(full / root), root


# who reads the published files whose status changed (write.start_adopting): the build
# itself, a helper process (on a large site), or the build after a helper that failed
READERS = ["the build", "a helper", "the build, its helper failed"]


class ReadHere(list):
    """Paths of the published files the build process read itself, by `reader`'s way."""

    reader: str


@pytest.fixture
def published_files_read_by(request, monkeypatch) -> ReadHere:
    """The published files the build process reads itself (not its helper's readings),
    with `reader` (the test's parameter) the one who reads those whose status changed."""
    from ccsite import write

    reader = request.param
    monkeypatch.setattr(write, "HELPER_FROM", 10**9 if reader == "the build" else 0)
    monkeypatch.setattr(write, "may_fork", lambda: True)  # whatever threads the tests run
    if reader == "the build, its helper failed":
        def fails(self, writer):  # a whole answer (every file as recorded), then a failure
            write.write_all(writer, marshal.dumps(
                ({root: [] for root in self.outputs}, [], {}, self._looked_at())))
            raise OSError("a disk gone")
        monkeypatch.setattr(write.Adopting, "send_look", fails)
    here, reads = os.getpid(), ReadHere()
    reads.reader = reader

    def counted(path, real=write.of_file):
        if os.getpid() == here:
            reads.append(str(path))
        return real(path)
    monkeypatch.setattr(write, "of_file", counted)
    return reads


def rename(site, old: str, new: str) -> None:
    os.rename(site.content / old, site.content / new)


SCENARIOS = {
    "edit a centre": lambda s: s.edit("centres/oxhey.md", "phase: 2", "phase: 3"),
    "edit a body only": lambda s: s.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]"),
    "change only capital letters in a body": lambda s: s.edit("news/centres-open.md",
                                                              "See [Oxhey]", "SEE [OXHEY]"),
    "edit an agency": lambda s: s.edit("agencies/oxhey-trust.yaml", "Oxhey Community Trust",
                                       "Oxhey and District Community Trust"),
    "add a news item": lambda s: s.write("news/saturday-sessions.md", "---\ntitle: Saturday "
                                         "sessions\ndate: 2026-11-20\nsummary: New.\n---\nNew."),
    "delete a lesson": lambda s: s.remove("lessons/more-time.md"),
    "rename a page": lambda s: rename(s, "pages/about.md", "pages/about-us.md"),
    "add a second centre": lambda s: s.write(
        "centres/bushey.md", (s.content / "centres/oxhey.md").read_text()
        .replace("Oxhey Children's Centre", "Bushey Children's Centre")
        .replace("district: Watford", "district: Hertsmere")),
    "change a template": lambda s: (s.root / "templates").mkdir() or
    (s.root / "templates" / "lesson.html").write_text(
        "{% extends 'base.html' %}{% block title %}{{ lesson.title }}{% endblock %}"
        "{% block main %}<h1>{{ lesson.title }}</h1><p>Changed.</p>{% endblock %}"),
    "change site.yaml": lambda s: s.edit("site.yaml", "title: Test Children's Centres",
                                         "title: Test Family Centres"),
    "change a service label": lambda s: s.edit("site.yaml", "Child and family health services",
                                               "Health visiting and clinics"),
    # every link changes, those in Markdown bodies (rendered once, kept in the cache) too
    "move the site to another base_url": lambda s: s.edit(
        "site.yaml", "https://cc.example.org/", "https://example.org/children/"),
    "edit a members post": lambda s: s.edit("members/good-practice/dads-group.md",
                                            "Members-only body.", "Members-only body, edited."),
    "add a media file": lambda s: s.write("media/leaflet.pdf", b"%PDF-1.4 leaflet"),
    # shown only in the structured data (JSON-LD) of news pages, made as they render
    "change the council's email": lambda s: s.edit("site.yaml", "email: cc@example.org",
                                                   "email: children@example.org"),
    "move a centre to a new agency": lambda s: s.write(
        "agencies/watford-families.yaml", (s.content / "agencies/oxhey-trust.yaml").read_text()
        .replace("Oxhey Community Trust", "Watford Families")) and s.edit(
        "centres/oxhey.md", "lead_agency: oxhey-trust", "lead_agency: watford-families"),
}


@pytest.mark.parametrize("change", sorted(SCENARIOS))
def test_incremental_build_equals_full_build(site, change):
    incremental_build(site)
    SCENARIOS[change](site)
    incremental_build(site)
    assert_same_as_full_build(site)


# -- runs of edits, as a site is kept over weeks: each build after the last, never reset --

def _retitle(site, rng) -> None:
    path = site.content / "news/centres-open.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f"title: Centres open {rng.randint(1, 99)}",
                           text, count=1), encoding="utf-8")


def _body_line(site, rng) -> None:
    with open(site.content / "news/centres-open.md", "a", encoding="utf-8") as body:
        body.write(f"\nA line {rng.randint(1, 999)}.\n")


def _centre_phase(site, rng) -> None:
    path = site.content / "centres/oxhey.md"
    path.write_text(re.sub(r"(?m)^phase: \d$", f"phase: {rng.randint(1, 3)}",
                           path.read_text(encoding="utf-8")), encoding="utf-8")


def _deadline(site, rng) -> None:
    path = site.content / "opportunities/oxhey-eoi.md"
    day = dt.date(2026, 11, 26) + dt.timedelta(days=rng.randint(0, 90))
    path.write_text(re.sub(r"(?m)^deadline: .*$", f"deadline: {day}T12:00:00Z",
                           path.read_text(encoding="utf-8")), encoding="utf-8")


def _draft(site, rng) -> None:
    path = site.content / "lessons/more-time.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("order: 1\ndraft: true\n", "order: 1\n") if "draft: true"
                    in text else text.replace("order: 1\n", "order: 1\ndraft: true\n"),
                    encoding="utf-8")


def _news_item(site, rng) -> None:
    path = site.content / f"news/note-{rng.randint(1, 3)}.md"
    if path.exists():
        path.unlink()
    else:
        path.write_text(f"---\ntitle: Note {path.stem}\ndate: 2026-11-{rng.randint(10, 24)}"
                        "\nsummary: A note.\n---\nSee [Oxhey](/centres/oxhey/).\n",
                        encoding="utf-8")


def _site_title(site, rng) -> None:
    path = site.content / "site.yaml"
    path.write_text(re.sub(r"(?m)^title: .*$", f"title: Test Centres {rng.randint(1, 9)}",
                           path.read_text(encoding="utf-8"), count=1), encoding="utf-8")


def _members_post(site, rng) -> None:
    with open(site.content / "members/good-practice/dads-group.md", "a",
              encoding="utf-8") as post:
        post.write(f"\nMembers-only line {rng.randint(1, 999)}.\n")


RUN_EDITS = [_retitle, _body_line, _centre_phase, _deadline, _draft, _news_item,
             _site_title, _members_post]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_of_edits_and_days_builds_at_each_step_as_a_clean_build_does(site, seed):
    """Single edits each have their test above; a site kept over weeks meets them one
    after another, some at once, while days pass between builds (a deadline reached, a
    draft kept out), each build after the last. At each step the incremental build is
    what a clean build of the same content at the same moment makes (a review's random
    runs, 215 steps of them, found none otherwise: this keeps a few, from fixed seeds)."""
    import random

    rng = random.Random(seed)
    now = NOW
    incremental_build(site, now)
    for step in range(6):
        for edit in rng.sample(RUN_EDITS, rng.randint(0, 2)):
            edit(site, rng)
        now += dt.timedelta(hours=rng.choice([0, 1, 13, 24, 24 * 30]))
        incremental_build(site, now)
        assert_same_as_full_build(site, now)


TWO_OF_ONE_NAME = """\
- name: Sam Taylor
  role: Outreach worker
  agency: oxhey-trust
  email: sam.t@example.org
  topics: [outreach]
- name: Sam Taylor
  role: Finance officer
  agency: oxhey-trust
  email: sam.taylor@example.org
  topics: [finance]
"""


@pytest.mark.parametrize("layout", ["an entry a block", "both entries on one line"])
def test_an_edit_of_one_of_two_directory_entries_of_one_name_is_built(site, layout):
    """Two members of one name (a directory lists people, not names) are two entries to
    the build: an edit of either is seen, wherever in the file they are written."""
    text = TWO_OF_ONE_NAME if layout == "an entry a block" else \
        "[{name: Sam Taylor, role: Outreach worker, agency: oxhey-trust, topics: [a], " \
        "email: sam.t@example.org}, {name: Sam Taylor, role: Finance officer, " \
        "agency: oxhey-trust, topics: [b], email: sam.taylor@example.org}]\n"
    site.write("members/directory.yaml", text)
    incremental_build(site)
    for old, new in [("Outreach worker", "Outreach lead"), ("Finance officer", "Treasurer")]:
        site.edit("members/directory.yaml", old, new)
        incremental_build(site)
        assert new in (site.output / "members/directory/index.html").read_text()
        assert_same_as_full_build(site)


def test_deadline_passing_between_builds_is_seen(site):
    incremental_build(site)
    later = dt.datetime(2027, 1, 29, 12, 0, 1, tzinfo=dt.timezone.utc)
    incremental_build(site, later)
    assert "Closed on" in site.text("/opportunities/oxhey-eoi/")
    assert_same_as_full_build(site, later)


def test_builds_made_from_the_spare_folder_are_exact_and_never_touch_published_files(site):
    """Each build makes its new folder from the one swapped out the time before (kept
    beside as a spare, sharing unchanged files with the published site): every build
    must equal a full build, and no published file may change under its reader."""
    public = site.output / "public"
    steps = [SCENARIOS["edit a centre"], SCENARIOS["add a news item"],
             lambda s: s.edit("centres/oxhey.md", "phase: 3", "phase: 2"),  # back again
             SCENARIOS["delete a lesson"], SCENARIOS["rename a page"],
             SCENARIOS["change site.yaml"]]
    incremental_build(site)
    for step in steps:
        published = {p: (p.stat().st_ino, p.read_bytes()) for p in public.rglob("*")
                     if p.is_file()}
        step(site)
        incremental_build(site)
        for path, (inode, data) in published.items():
            if path.is_file() and path.stat().st_ino == inode:
                assert path.read_bytes() == data, path  # a kept file is the same file
        assert (site.output / ".ccsite-spare-public").is_dir()
        assert_same_as_full_build(site)


def test_a_spare_folder_with_files_of_another_user_is_done_without(site):
    """The output's spare folder holds files of another user's (a CI runner whose last
    job ran as root left them): the build cannot make its new folder from it, nor remove
    it, so it moves it aside and makes the folder afresh. It stopped, naming no folder,
    and every later build stopped the same way."""
    import subprocess
    import sys

    incremental_build(site)
    SCENARIOS["edit a centre"](site)
    incremental_build(site)
    spare = site.output / ".ccsite-spare-public"
    SCENARIOS["add a news item"](site)
    folders = [spare, *(path for path in spare.rglob("*") if path.is_dir())]
    if os.geteuid() == 0:  # root, without its power over others' files
        for path in (*folders, *spare.rglob("*")):
            os.chown(path, 1234, 1234, follow_symlinks=False)
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
    else:  # folders this user may not write to
        for folder in folders:
            os.chmod(folder, 0o555)
        command = []
    try:
        for _ in range(2):
            done = subprocess.run(
                [*command, sys.executable, "-m", "ccsite", "build", "--source",
                 str(site.content), "--output", str(site.output), "--now", NOW.isoformat()],
                capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        assert_same_as_full_build(site)
        assert [p.name for p in site.output.iterdir() if "unusable" in p.name]  # (aside)
    finally:
        for path in site.output.glob(".ccsite-*"):
            for folder in (path, *path.rglob("*")):
                if folder.is_dir() and not folder.is_symlink():
                    os.chmod(folder, 0o755)


def spare_made_another_folder(site, change=lambda other: None) -> Path:
    """Two builds, then their spare folder replaced by a copy (`change`d): a folder the
    memory does not know, as one a CI cache restores or a killed build leaves."""
    incremental_build(site)
    SCENARIOS["edit a centre"](site)
    incremental_build(site)
    spare = site.output / ".ccsite-spare-public"
    other = site.output / "other"
    shutil.copytree(spare, other)
    change(other)
    shutil.rmtree(spare)
    other.rename(spare)
    return spare


# what a spare folder the memory does not know may hold, beside the site it was
SPARE_LEFTOVERS = {
    "a file": lambda spare, site: (spare / "stray.html").write_text("left behind"),
    "a page no longer made": lambda spare, site: (
        (spare / "news/gone/older").mkdir(parents=True),
        (spare / "news/gone/older/index.html").write_text("a page no longer made")),
    "an empty folder": lambda spare, site: (spare / "news/gone/older").mkdir(parents=True),
    "a link to a published folder": lambda spare, site: os.symlink(
        site.output / "public/news", spare / "gone"),
    "a link to a file": lambda spare, site: os.symlink(
        site.content / "site.yaml", spare / "gone"),
    # the search index's folder is not listed with the rest: the search stage makes it
    # the published index's (see write.list_spare)
    "a file in its search index": lambda spare, site: (
        spare / "pagefind/fragment/en-gb_stray.pf_fragment").write_text("left behind"),
    "a folder in its search index": lambda spare, site: (
        (spare / "pagefind/older").mkdir(), (spare / "pagefind/older/x.js").write_text("old")),
}


@pytest.mark.parametrize("left", sorted(SPARE_LEFTOVERS))
@pytest.mark.parametrize("published_files_read_by", READERS, indirect=True)
def test_spare_folder_that_is_not_the_one_the_memory_knows_is_looked_through(
        site, left, published_files_read_by):
    """A build makes its folder from the spare by the list of files the memory says it
    holds, without walking it; a spare that is another folder (one left by a build killed
    after its swap, before its memory was saved, or one a CI cache restored) is walked,
    by the build or its helper, so nothing else in it stays: no file, no link, and no
    folder of a page that is gone (a web server answers "forbidden" for a folder without
    its page, not "not found")."""
    spare_made_another_folder(site, lambda other: SPARE_LEFTOVERS[left](other, site))
    SCENARIOS["add a news item"](site)
    incremental_build(site)
    assert not (site.output / "public/stray.html").exists()
    assert not os.path.lexists(site.output / "public/gone")
    assert not (site.output / "public/news/gone").exists()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("where", ["public", ".ccsite-spare-public", ".ccsite-old-public-7",
                                   ".ccsite-tmp-public-7"])
@pytest.mark.parametrize("published_files_read_by", READERS, indirect=True)
def test_link_where_the_output_keeps_a_folder_is_removed_never_followed(
        site, where, published_files_read_by):
    """An output folder a CI cache restored may hold a link where ccsite keeps a folder
    (the published site, its spare, a killed build's copies): it is removed, never
    followed, written through or swapped in, so the members' site it points at never
    becomes the public one."""
    incremental_build(site)
    SCENARIOS["edit a centre"](site)
    incremental_build(site)
    link = site.output / where
    if link.is_dir():
        shutil.rmtree(link)
    os.symlink(site.output / "members", link)
    site.edit("centres/oxhey.md", "phase: 3", "phase: 1")
    incremental_build(site)
    for name in ("public", ".ccsite-spare-public"):
        assert not (site.output / name).is_symlink(), name
    assert not os.path.lexists(link) or not link.is_symlink()
    assert (site.output / "members").is_dir() and not (site.output / "members").is_symlink()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("where", ["pagefind", "pagefind/shards"])
def test_link_where_the_spare_keeps_the_search_index_is_never_written_through(
        site, monkeypatch, where):
    """The spare a build makes its folder from is not walked when the memory knows it:
    a link where it keeps the search index, or its shards, is removed, never written
    through (here into the members' site)."""
    from ccsite.outputs import search

    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    incremental_build(site)
    SCENARIOS["edit a centre"](site)
    incremental_build(site)
    members = tree(site.output / "members")
    link = site.output / ".ccsite-spare-public" / where
    shutil.rmtree(link)
    os.symlink(site.output / "members", link)
    SCENARIOS["edit a body only"](site)
    incremental_build(site)
    assert tree(site.output / "members") == members
    assert not (site.output / "public" / where).is_symlink()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("answer", ["a root left out", "a file adopted the memory has not"])
def test_a_helper_answer_that_is_not_one_is_not_believed(site, monkeypatch, answer):
    """The helper's answer (write.Adopting.send_look) is believed only whole and of the
    files the memory records: one that is not (a helper's mistake) is passed over and
    the build looks itself, so a page changed by hand is made again."""
    from ccsite import write

    monkeypatch.setattr(write, "HELPER_FROM", 0)
    monkeypatch.setattr(write, "may_fork", lambda: True)
    incremental_build(site)
    (site.output / "public/news/centres-open/index.html").write_text("changed by hand")

    def says_all_is_found(self, writer):
        absent, adopted = {root: [] for root in self.outputs}, []
        if answer == "a root left out":
            absent.popitem()
        else:
            adopted = [("public", "../elsewhere/index.html", "0|1:2:3")]
        write.write_all(writer, marshal.dumps((absent, adopted, {}, self._looked_at())))
    monkeypatch.setattr(write.Adopting, "send_look", says_all_is_found)
    SCENARIOS["add a media file"](site)  # something for the build to do
    incremental_build(site)
    assert_same_as_full_build(site)


def test_the_early_helper_look_at_another_memory_is_not_believed(site, monkeypatch):
    """The helper forked before the build reads anything reads the memory's table of
    contents itself: one that differs from the build's (another build sharing the cache
    folder saved between the two readings) leaves a page changed by hand unlooked at,
    and is not believed: the build looks itself, and makes the page again."""
    from ccsite import write

    monkeypatch.setattr(write, "HELPER_FROM", 0)
    monkeypatch.setattr(write, "may_fork", lambda: True)
    incremental_build(site)
    page = "news/centres-open/index.html"
    (site.output / "public" / page).write_text("changed by hand")
    read_table = incremental.BuildMemory.read_table

    def another_table(path):  # (read by the helper: the build reads its memory as it is)
        table = read_table(path)
        del table.outputs["public"][page]
        return table
    monkeypatch.setattr(incremental.BuildMemory, "read_table", another_table)
    SCENARIOS["add a media file"](site)  # something for the build to do
    incremental_build(site)
    assert_same_as_full_build(site)


@pytest.mark.parametrize("build", ["the first", "up to date", "after an edit"])
def test_the_helper_forked_before_the_memory_is_read_looks_for_the_build_and_ends_with_it(
        site, monkeypatch, build):
    """A command-line build forks its helper (write.start_looking_early) before it knows
    whether it has anything to do: taken by the build after an edit, given up when the
    site is up to date, never forked for a site with no memory yet; none outlives it."""
    from ccsite import write

    monkeypatch.setattr(write, "HELPER_FROM", 0)
    monkeypatch.setattr(write, "may_fork", lambda: True)
    forked, pids, taken = [], [], []
    start, finish = write.start_looking_early, write.Adopting.finish

    def started(*args):
        forked.append(start(*args))
        pids.append(forked[-1].pid if forked[-1] else None)
        return forked[-1]
    monkeypatch.setattr(write, "start_looking_early", started)

    def noted(self):
        taken.append(self.helper)
        return finish(self)
    monkeypatch.setattr(write.Adopting, "finish", noted)
    if build != "the first":
        incremental_build(site)
    if build == "after an edit":
        SCENARIOS["edit a centre"](site)
    forked.clear(), pids.clear(), taken.clear()
    result = incremental_build(site)
    assert result.up_to_date == (build == "up to date")
    (helper,), (pid,) = forked, pids
    assert (helper is None) == (build == "the first")
    assert (helper is not None and helper in taken) == (build == "after an edit")
    if helper is not None:
        assert pid > 0 and helper.pid == -1 and helper.reader == -1  # reaped, pipe closed
        assert not Path(f"/proc/{pid}").exists()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("where", ["stray.html", "news/gone/index.html"])
def test_file_put_in_a_spare_after_the_helper_listed_it_is_not_published(
        site, monkeypatch, where):
    """The helper lists a spare folder the memory does not know (write.list_spare) while
    the build loads its content; a file put in it after that changes its folder's time,
    so the write walks the spare itself, and the file is not published."""
    from ccsite import write

    monkeypatch.setattr(write, "HELPER_FROM", 0)
    monkeypatch.setattr(write, "may_fork", lambda: True)
    spare = spare_made_another_folder(site)
    listed, finish = [], write.Adopting.finish

    def then_a_file_put_in(self):
        found = finish(self)
        listed.append(self.spares.get("public"))
        (spare / where).parent.mkdir(exist_ok=True)
        (spare / where).write_text("put in meanwhile")
        return found
    monkeypatch.setattr(write.Adopting, "finish", then_a_file_put_in)
    SCENARIOS["add a news item"](site)
    incremental_build(site)
    assert listed[0] is not None  # the helper listed it
    assert not (site.output / "public" / where).exists()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("where", ["stray.html", "news/stray.html", "extra/stray.html"])
def test_file_put_by_hand_in_the_published_site_goes_as_a_clean_build_would(site, where):
    """The published folder becomes the spare that a later build makes its folder from by
    the memory's list of files: a file someone put in the published site by hand (in a
    folder of pages or a new one) must not come back two builds later."""
    incremental_build(site)
    (site.output / "public" / where).parent.mkdir(exist_ok=True)
    (site.output / "public" / where).write_text("put here by hand")
    for step in (SCENARIOS["edit a centre"], SCENARIOS["add a news item"],
                 SCENARIOS["edit a body only"]):
        step(site)
        incremental_build(site)
        assert not (site.output / "public" / where).exists()
        assert_same_as_full_build(site)


# what someone (or an older version, or a CI cache that kept more) may leave in the output
PUT_BY_HAND = {
    "a page at the top": "public/stray.html",
    "a file beside pages": "public/news/stray.txt",
    "a folder of its own": "public/extra/stray.html",
    "a file beside the search index": "public/pagefind/stray.js",
    "a file among the index's fragments": "public/pagefind/fragment/en-gb_stray.pf_fragment",
    "a folder in the search index": "public/pagefind/extra/stray.js",
    "a link in the search index": "public/pagefind/index/link",
    "a page in the members' site": "members/stray.html",
    "a file among the deploy files": "deploy/stray.conf",
}


@pytest.mark.parametrize("what", sorted(PUT_BY_HAND))
def test_file_put_in_the_output_goes_even_when_nothing_changed(site, what):
    """A build with nothing changed does nothing, unless the output holds what a clean
    build would not publish: then that goes (and the output is a clean build's), and
    the build after does nothing again."""
    incremental_build(site)
    planted = site.output / PUT_BY_HAND[what]
    planted.parent.mkdir(exist_ok=True)
    if what.startswith("a link"):
        planted.symlink_to(site.output / "members")
    else:
        planted.write_text("put here by hand")
    assert not incremental_build(site).up_to_date
    assert not planted.exists() and not planted.is_symlink()
    assert_same_as_full_build(site)
    assert incremental_build(site).up_to_date


def _members_text_over(site, rel: str) -> None:
    """An index file the build made, swapped for a members page of the same name (a new
    file moved in: its folder's time changes, its name list does not)."""
    target = site.output / "public/pagefind" / rel
    swap = target.with_name("swap")
    swap.write_bytes((site.output / "members/good-practice/dads-group/index.html").read_bytes())
    os.replace(swap, target)


def _first_index_file(site, folder: str) -> str:
    index = site.output / "public/pagefind"
    return min((index / folder).iterdir()).relative_to(index).as_posix()


def _moved_away_behind_a_link(site, rel: str) -> Path:
    """The output's folder `rel` moved out of the output, a link left in its place."""
    away = site.root / "elsewhere" / rel
    away.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(site.output / rel, away)
    (site.output / rel).symlink_to(away)
    return away


# what may happen to a search index or an output folder between builds (a person, a
# script, a CI cache): each time the next build publishes a clean build's output, and
# takes nothing through a link
TAMPERED = {
    "an index fragment swapped for members text": lambda site: _members_text_over(
        site, _first_index_file(site, "fragment")),
    "the index's entry file swapped for members text": lambda site: _members_text_over(
        site, "pagefind-entry.json"),
    "an index fragment overwritten in place": lambda site: (
        site.output / "public/pagefind" / _first_index_file(site, "fragment")).write_bytes(
        (site.output / "members/good-practice/dads-group/index.html").read_bytes()),
    "an index file removed": lambda site: (site.output / "public/pagefind/pagefind.js").unlink(),
    "the fragments' folder removed": lambda site: shutil.rmtree(
        site.output / "public/pagefind/fragment"),
    "the fragments' folder behind a link": lambda site: _moved_away_behind_a_link(
        site, "public/pagefind/fragment"),
    "the search index behind a link": lambda site: _moved_away_behind_a_link(
        site, "public/pagefind"),
    "the news pages behind a link": lambda site: _moved_away_behind_a_link(site, "public/news"),
    "the public site behind a link": lambda site: _moved_away_behind_a_link(site, "public"),
    "the members' site behind a link": lambda site: _moved_away_behind_a_link(site, "members"),
}


@pytest.mark.parametrize("then", ["nothing changed", "a media file added"])
@pytest.mark.parametrize("what", sorted(TAMPERED))
def test_output_changed_between_builds_is_made_as_a_clean_build_makes_it(site, what, then):
    incremental_build(site)
    TAMPERED[what](site)
    elsewhere = {p: p.read_bytes() for p in (site.root / "elsewhere").rglob("*") if p.is_file()}
    if then == "a media file added":
        SCENARIOS["add a media file"](site)
    assert not incremental_build(site).up_to_date
    assert_same_as_full_build(site)
    published = [p for root in ("public", "members", "deploy")
                 for p in (site.output / root).rglob("*")]
    assert not any(p.is_symlink() for p in published)
    assert {p: p.read_bytes() for p in elsewhere} == elsewhere  # not written through
    assert incremental_build(site).up_to_date


def test_output_whose_folder_times_were_not_kept_is_not_written_again(site):
    """A CI cache kept in an archive of whole seconds (GitLab's zip, tar's old format)
    restores the output with other folder times: what nothing changed is left as it is
    (its folders listed, not swapped), and no-change builds stay up to date."""
    incremental_build(site)
    for folder in [site.output, *site.output.rglob("*")]:
        if folder.is_dir():
            seconds = int(folder.stat().st_mtime)
            os.utime(folder, (seconds, seconds))
    members = (site.output / "members").stat().st_ino
    assert incremental_build(site).up_to_date
    SCENARIOS["edit a body only"](site)  # a public page: the members' site is as it was
    incremental_build(site)
    assert (site.output / "members").stat().st_ino == members
    assert_same_as_full_build(site)


def test_file_put_in_a_search_shard_the_next_build_keeps_goes(site, monkeypatch):
    """The search bundles an edit does not touch are taken from the published index:
    just the files a build made, not one put among them."""
    from ccsite.outputs import search

    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    incremental_build(site)
    planted = site.output / "public/pagefind/shards/centres-0/fragment/en-gb_stray.pf_fragment"
    planted.write_text("put here by hand")
    SCENARIOS["edit a body only"](site)  # a news item: the centres' shard is kept
    incremental_build(site)
    assert not planted.exists()
    assert_same_as_full_build(site)


@pytest.fixture(params=["named by PAGEFIND_BINARY_PATH", "installed by npm"])
def pagefind_installed(request, tmp_path, monkeypatch):
    """Pagefind's program as a site's machine may have it installed: named by
    PAGEFIND_BINARY_PATH, or by npm on the PATH (a script in the package `pagefind`, the
    same bytes in every version, whose package.json names the version). Here each is a
    script that notes each run, then runs the real program. `install(version)` puts
    another version in its place, as an upgrade does."""
    from ccsite import uptodate
    from ccsite.outputs import search

    real, runs = search.pagefind_binary(), tmp_path / "runs"
    package = tmp_path / "node_modules/pagefind"
    program = package / "lib/runner/bin.sh"
    program.parent.mkdir(parents=True)
    npm = request.param == "installed by npm"

    def install(version: str) -> None:
        (package / "package.json").write_text(f'{{"name": "pagefind", "version": "{version}"}}')
        program.write_text(f"#!/bin/sh\n# {'' if npm else 'Pagefind ' + version}\n"
                           f"echo run >> '{runs}'\nexec '{real}' \"$@\"\n")
        program.chmod(0o755)
    install("1.4.0")
    if npm:
        (tmp_path / "bin").mkdir()
        (tmp_path / "bin/pagefind").symlink_to(program)
        monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
        monkeypatch.setattr(uptodate, "PAGEFIND_PACKAGES", ())  # (pagefind[bin]'s first)
    else:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    search.pagefind_binary.cache_clear()  # (found once a process)
    yield install, runs
    search.pagefind_binary.cache_clear()


def test_a_new_pagefind_makes_every_bundle_of_the_search_index_again(
        site, monkeypatch, pagefind_installed):
    """Pagefind upgraded, nothing of the site changed: the build is not up to date, and
    it makes every bundle of the index with the new Pagefind. A bundle kept from the old
    one would be published beside those of the new, which the search page merges (and
    Pagefind warns of merging indexes of two versions)."""
    from ccsite.outputs import search

    install, runs = pagefind_installed
    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    incremental_build(site)
    assert incremental_build(site).up_to_date
    bundles = 1 + len(list((site.output / "public/pagefind/shards").iterdir()))
    assert bundles > 2
    runs.unlink()
    install("1.5.2")
    assert not incremental_build(site).up_to_date
    assert len(runs.read_text().splitlines()) == bundles
    assert_same_as_full_build(site)


def test_another_python_makes_every_page_again(site, monkeypatch):
    """The site built again with another Python (its own library is part of it): not
    up to date, and every page is made again."""
    import sys

    rendered = counting_renders(monkeypatch)
    incremental_build(site)
    first = sorted(rendered)
    rendered.clear()
    assert incremental_build(site).up_to_date
    monkeypatch.setattr(sys, "version", sys.version.replace(".", ".9", 1))
    assert not incremental_build(site).up_to_date
    assert sorted(rendered) == first
    assert_same_as_full_build(site)


def test_new_rules_for_uk_time_make_every_page_again(site, monkeypatch, tmp_path):
    """The time zone rules Python reads for UK time changed (a system update after the
    clocks' change is abolished, say): not up to date, and every page is made again."""
    import zoneinfo

    from ccsite import uptodate

    zones = tmp_path / "zones"
    (zones / "Europe").mkdir(parents=True)
    shutil.copyfile(uptodate.zone_file(), zones / "Europe/London")
    other_rules = uptodate.zone_file("Etc/UTC")
    zoneinfo.reset_tzpath([str(zones)])
    try:
        assert uptodate.zone_file() == zones / "Europe/London"
        rendered = counting_renders(monkeypatch)
        incremental_build(site)
        first = sorted(rendered)
        rendered.clear()
        assert incremental_build(site).up_to_date
        shutil.copyfile(other_rules, zones / "Europe/London")
        assert not incremental_build(site).up_to_date
        assert sorted(rendered) == first
    finally:
        zoneinfo.reset_tzpath()


def test_an_upgrade_of_a_library_that_shapes_pages_makes_every_page_again(
        site, monkeypatch, tmp_path):
    """Jinja2 upgraded (its files stand in a folder here), nothing of the site changed:
    every page is made again, as the first build made them, not kept as the old version
    made them (the memory of a build made with other libraries is not used)."""
    from ccsite import uptodate

    library = tmp_path / "jinja2"
    library.mkdir()
    (library / "__init__.py").write_text("__version__ = '3.1.5'\n")
    monkeypatch.setattr(uptodate, "libraries_read_by_builds",
                        lambda: {"library jinja2": library})
    rendered = counting_renders(monkeypatch)
    incremental_build(site)
    first = sorted(rendered)
    rendered.clear()
    SCENARIOS["edit a body only"](site)
    incremental_build(site)
    assert 0 < len(rendered) < len(first)  # (an edit: a few pages made again)
    rendered.clear()
    (library / "__init__.py").write_text("__version__ = '3.1.6'\n")
    assert not incremental_build(site).up_to_date
    assert sorted(rendered) == first
    assert_same_as_full_build(site)


@pytest.mark.parametrize("page", ["centres/oxhey/index.html", "members/index.html"])
@pytest.mark.parametrize("how", ["overwritten", "replaced", "removed"])
@pytest.mark.parametrize("published_files_read_by", READERS, indirect=True)
def test_published_page_changed_by_hand_is_made_again_by_the_next_build(
        site, page, how, published_files_read_by):
    """A page the next build would keep (nothing it shows changed) is kept only while its
    published file is the one the last build wrote: one changed by hand in place, replaced
    by another file, or removed is made again, as a clean build makes it, whoever reads
    the files whose status changed."""
    incremental_build(site)
    published = site.output / ("members" if page.startswith("members/") else "public") / \
        page.removeprefix("members/")
    if how == "overwritten":
        published.write_text("changed by hand")
    elif how == "replaced":
        published.unlink()
        published.write_bytes(b"x" * len(published.parent.name))
    else:
        published.unlink()
    SCENARIOS["add a news item"](site)  # not up to date: the pipeline decides page by page
    incremental_build(site)
    assert_same_as_full_build(site)


def test_spare_folder_with_a_link_in_it_never_reaches_the_published_site(tmp_path):
    """The spare is ccsite's own, but whatever is found in it (here a link to a published
    folder) must be replaced, never written through."""
    from ccsite import write

    files = lambda page, index: write.OutputFiles({"a/b.html": page, "i.html": index})
    signatures = write.write_root(tmp_path, "public", files(b"v1", b"x")).signatures
    signatures = write.write_root(tmp_path, "public", files(b"v1", b"y"),
                                  previous=signatures).signatures
    spare = tmp_path / ".ccsite-spare-public"
    shutil.rmtree(spare / "a")
    os.symlink(tmp_path / "public" / "a", spare / "a")
    seen_before_swap = []
    write.write_root(tmp_path, "public", files(b"v2", b"y"), previous=signatures,
                     finish=lambda root, changed: seen_before_swap.append(
                         (tmp_path / "public/a/b.html").read_bytes()))
    assert seen_before_swap == [b"v1"]
    assert not (tmp_path / "public/a").is_symlink()
    assert (tmp_path / "public/a/b.html").read_bytes() == b"v2"


def test_search_index_kept_is_linked_over_what_the_spare_holds_never_through_it(tmp_path):
    """A build that does not index again links the published index into its new folder,
    over the index the spare folder holds: files the same (one inode) are kept, others
    replaced or removed, and a link or a folder found where a file goes is replaced,
    never written through (here the link leads into the published site)."""
    from ccsite import write

    published, spare = tmp_path / "public/pagefind", tmp_path / "spare/pagefind"
    for rel, text in {"entry.json": "new", "fragment/a.pf": "a", "fragment/b.pf": "b",
                      "shards/news-0/x.pf": "shard"}.items():
        (published / rel).parent.mkdir(parents=True, exist_ok=True)
        (published / rel).write_text(text)
    (spare / "fragment").mkdir(parents=True)
    os.link(published / "fragment/a.pf", spare / "fragment/a.pf")  # the very file
    (spare / "entry.json").write_text("old")  # same name, other file
    (spare / "fragment/gone.pf").write_text("stale")
    (spare / "fragment/b.pf").mkdir()  # a folder where a file goes
    (spare / "shards").mkdir()
    (spare / "shards/news-0").symlink_to(published / "shards/news-0")
    kept_inode = (spare / "fragment/a.pf").stat().st_ino

    write.sync_tree(published, spare)

    assert tree(spare) == tree(published)
    assert not (spare / "shards/news-0").is_symlink()
    assert (published / "shards/news-0/x.pf").read_text() == "shard"  # untouched
    assert (spare / "fragment/a.pf").stat().st_ino == kept_inode
    assert (spare / "entry.json").stat().st_ino == (published / "entry.json").stat().st_ino
    write.sync_tree(None, spare, skip="shards")  # emptied for Pagefind, the shards aside
    assert sorted(p.name for p in spare.iterdir()) == ["shards"]
    shutil.rmtree(spare / "shards/news-0")  # the folder it makes is itself a link
    (spare / "shards/news-0").symlink_to(published / "shards/news-0")
    write.sync_tree(None, spare / "shards/news-0")
    assert (published / "shards/news-0/x.pf").read_text() == "shard"  # untouched
    assert (spare / "shards/news-0").is_dir() and not (spare / "shards/news-0").is_symlink()


# one edit of each kind a CI build after a merged change meets; None: no change at all
CI_EDITS = {
    "nothing": None,
    "a news item's body": ("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]"),
    "a centre's front matter": ("centres/oxhey.md", "phase: 2", "phase: 3"),
    "an opportunity's title": ("opportunities/oxhey-eoi.md", "title: ", "title: New - "),
}


def restore_as_ci_does(site, clone: Path) -> None:
    """The site as a CI job has it: the repository checked out afresh (every file new,
    with a new time and inode), and the cache folder and the last output restored from
    the CI cache (times kept, inodes new, hard links between folders not kept)."""
    for name in ("content", "templates", ".ccsite-secrets"):
        if (site.root / name).exists():
            shutil.copytree(site.root / name, clone / name, copy_function=shutil.copyfile)
    for name in (".ccsite-cache", "_site"):
        shutil.copytree(site.root / name, clone / name)


def counting_renders(monkeypatch) -> list[str]:
    from ccsite import render

    rendered = []
    real = render.render_page

    def render_page(env, site, route, *args):
        rendered.append(route.output_path)
        return real(env, site, route, *args)
    monkeypatch.setattr(render, "render_page", render_page)
    return rendered


@pytest.mark.parametrize("change", sorted(CI_EDITS))
@pytest.mark.parametrize("published_files_read_by", READERS, indirect=True)
def test_ci_build_in_a_fresh_clone_with_the_cache_restored_does_only_what_the_change_needs(
        site, tmp_path, monkeypatch, change, published_files_read_by):
    """Built in CI: it renders and writes what the same change built in place would, no
    more (unchanged files kept, as their inodes show), and equals a clean build, whoever
    reads the restored output's files (a helper process on a large site: then the build
    reads none of them itself, unless the helper failed)."""
    rendered = counting_renders(monkeypatch)
    monkeypatch.chdir(site.root)  # CI runs `ccsite build --output _site` in the clone
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    clone = tmp_path / "clone"
    restore_as_ci_does(site, clone)
    edit = CI_EDITS[change]
    if edit:
        site.edit(*edit)
        (clone / "content" / edit[0]).write_text(
            (site.content / edit[0]).read_text(encoding="utf-8"), encoding="utf-8")
    rendered.clear()
    in_place = build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    rendered_in_place = sorted(rendered)
    assert_same_as_full_build(site)
    monkeypatch.chdir(clone)
    before = {p: p.stat().st_ino for p in Path("_site/public").rglob("*") if p.is_file()}
    rendered.clear()
    published_files_read_by.clear()
    in_ci = build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    read_here = [p for p in published_files_read_by if "_site/public/" in p]
    if change != "nothing":  # (nothing changed: found up to date, nothing read)
        assert (read_here == []) == (published_files_read_by.reader == "a helper")
    assert sorted(rendered) == rendered_in_place
    assert (in_ci.changed, in_ci.removed) == (in_place.changed, in_place.removed)
    kept = sum(p.is_file() and p.stat().st_ino == inode for p, inode in before.items())
    assert kept >= len(before) - in_ci.changed - (len(list(Path(
        "_site/public/pagefind").rglob("*"))) if in_ci.changed else 0)
    for root in ("public", "members", "deploy"):
        assert tree(clone / "_site" / root) == tree(site.output / root), root


@pytest.mark.parametrize("published_files_read_by", READERS, indirect=True)
def test_pipe_where_a_published_page_was_is_never_read(site, tmp_path, monkeypatch,
                                                        published_files_read_by):
    """A restored output may hold anything at a page's path: a named pipe there is not
    read (reading it would wait for ever), and the page is made again."""
    monkeypatch.chdir(site.root)
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    clone = tmp_path / "clone"
    restore_as_ci_does(site, clone)
    page = clone / "_site/public/centres/oxhey/index.html"
    page.unlink()
    os.mkfifo(page)
    edit = CI_EDITS["a news item's body"]
    (clone / "content" / edit[0]).write_text((site.content / edit[0]).read_text().replace(
        *edit[1:]))
    site.edit(*edit)
    monkeypatch.chdir(clone)
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    assert tree(clone / "_site/public") == tree(full_build(site) / "public")


@pytest.mark.parametrize("where", ["outputs", "spares"])
@pytest.mark.parametrize("outside", ["../../content/site.yaml", "/etc/hostname",
                                     "news/../../../content/site.yaml"])
def test_memory_naming_a_file_outside_the_output_is_not_used(site, where, outside):
    """The build memory names the published files a build reads, links and removes; one
    from a restored cache naming a path outside the output (as a published file, or as
    one the spare folder holds) is not used: the build starts afresh, as from nothing."""
    incremental_build(site)
    SCENARIOS["edit a centre"](site)
    incremental_build(site)
    memory_file = site.root / ".ccsite-cache" / "build-memory.cbor"
    memory = incremental.BuildMemory.read(memory_file)
    assert memory.outputs["public"] and memory.spares["public"]
    files = memory.outputs["public"] if where == "outputs" else memory.spares["public"][1]
    files[outside] = next(iter(files.values()))
    memory.save(memory_file)
    assert incremental.BuildMemory.read(memory_file).outputs == {}  # as none
    SCENARIOS["add a news item"](site)
    incremental_build(site)
    assert (site.content / "site.yaml").is_file()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("planted", ["fragment", "shards/centres-0/index"])
@pytest.mark.parametrize("published_files_read_by", READERS, indirect=True)
def test_members_text_planted_in_a_restored_search_index_never_reaches_the_site(
        site, tmp_path, monkeypatch, planted, published_files_read_by):
    """The search index's files are recorded by their bytes, as pages are: one
    overwritten with members text in the index a CI cache restored (here in the main
    bundle, or in the centres' shard, which a news item's edit leaves as it was) is found
    changed (by the build, or its helper, as it starts), and its bundle is made anew. (A
    file added to the index is not taken at all: see
    test_file_put_in_the_output_goes_even_when_nothing_changed.)"""
    from ccsite.outputs import search

    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    monkeypatch.chdir(site.root)
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    clone = tmp_path / "clone"
    restore_as_ci_does(site, clone)
    members_page = clone / "_site/members/good-practice/dads-group/index.html"
    planted = min((clone / "_site/public/pagefind" / planted).iterdir()).relative_to(
        clone / "_site/public/pagefind").as_posix()  # an index file the build made
    (clone / "_site/public/pagefind" / planted).write_bytes(members_page.read_bytes())
    edit = CI_EDITS["a news item's body"]
    for folder in (clone, site.root):
        (folder / "content" / edit[0]).write_text(
            (folder / "content" / edit[0]).read_text().replace(*edit[1:]))
    monkeypatch.chdir(clone)
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    published = tree(clone / "_site/public")
    assert published == tree(full_build(site) / "public")
    assert not any(b"Members-only body" in data for data in published.values() if data)


@pytest.mark.parametrize("how", ["a part damaged", "Ctrl-C while its parts are read"])
def test_helper_started_while_the_memory_is_read_is_ended_when_that_fails(
        site, monkeypatch, how):
    """The published files are looked at (by a helper process, on a large site) as soon
    as the memory's table of contents is read; when a part of it then cannot be read,
    the build starts afresh (and is the clean one), and when the reading is stopped
    (Ctrl-C), so is the build: either way that helper is ended and reaped, not left
    behind."""
    from ccsite import workers, write

    monkeypatch.setattr(write, "HELPER_FROM", 0)
    monkeypatch.setattr(write, "may_fork", lambda: True)
    started, made = [], workers.Helper.__init__

    def recorded(self, pid, reader):
        started.append(pid)
        made(self, pid, reader)
    monkeypatch.setattr(workers.Helper, "__init__", recorded)
    incremental_build(site)
    SCENARIOS["edit a centre"](site)
    if how == "a part damaged":
        [part] = (site.root / ".ccsite-cache").glob("build-memory-part.pages.0.*")
        part.write_bytes(os.urandom(part.stat().st_size))
    else:
        def stopped(*args):
            raise KeyboardInterrupt
        monkeypatch.setattr(incremental, "_read_parts", stopped)
    started.clear()
    if how == "a part damaged":
        incremental_build(site)
        assert len([pid for pid in started if pid > 0]) >= 2  # this memory's, the fresh one's
    else:
        with pytest.raises(KeyboardInterrupt):
            incremental_build(site)
        assert started and started[0] > 0
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone, and reaped (a zombie is still there to signal)
    if how == "a part damaged":
        assert_same_as_full_build(site)


def test_an_edit_saved_a_while_before_the_build_is_built_with_the_checks_statuses(
        site, monkeypatch):
    """The command line's up-to-date check takes every content file's status; load
    takes them as the files' own (pipeline._known_from_the_check) instead of taking
    them again. An edit saved a while before the build (its status not racy, as an
    editor's usually is) is still built, and load takes no content file's status."""
    from ccsite import digests, load

    incremental_build(site)
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)  # every status trusted
    SCENARIOS["edit a centre"](site)
    taken: list[str] = []

    def counted(found, real=load.status):
        taken.append(found)
        return real(found)
    monkeypatch.setattr(load, "status", counted)
    assert incremental_build(site).changed
    assert taken == []
    assert "Phase 3" in (site.output / "public/centres/oxhey/index.html").read_text()
    assert_same_as_full_build(site)


def test_a_file_saved_while_the_build_loads_is_built_by_the_next_build(site, monkeypatch):
    """A file saved after the up-to-date check took its status, while the build runs: the
    build is made of the files as the check found them, the stamp it saves says so, and
    the next build (the file's status new to it) builds the saved file."""
    from ccsite import digests

    incremental_build(site)
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)
    _while_the_build_loads(monkeypatch, lambda: SCENARIOS["edit a centre"](site))
    SCENARIOS["edit a body only"](site)  # (a build with nothing to do loads nothing)
    assert incremental_build(site).changed
    assert "Phase 2" in (site.output / "public/centres/oxhey/index.html").read_text()
    second = incremental_build(site)
    assert not second.up_to_date
    assert "Phase 3" in (site.output / "public/centres/oxhey/index.html").read_text()
    assert_same_as_full_build(site)


def _while_the_build_loads(monkeypatch, change) -> None:
    """`change` made once, after the up-to-date check, as the build starts loading: a
    file saved (or added, removed) while a build runs."""
    from ccsite import stages

    real_load = stages.load_content

    def meanwhile(b, changed):
        monkeypatch.setattr(stages, "load_content", real_load)
        change()
        return real_load(b, changed)
    monkeypatch.setattr(stages, "load_content", meanwhile)


def test_an_edit_saved_while_the_build_runs_and_undone_after_is_built_again(
        site, monkeypatch):
    """A file edited before the build (its status trusted), edited again while the build
    runs (which then reads it as saved: the memory holds no parse of the checked bytes),
    and the second edit undone: the next build must not take the site as up to date,
    as the check's digest is the file's again while the site shows the second edit
    (found by a helper's review; so before this too)."""
    from ccsite import digests

    incremental_build(site)
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)
    SCENARIOS["edit a centre"](site)  # phase 2 -> 3
    _while_the_build_loads(monkeypatch, lambda: site.edit("centres/oxhey.md", "phase: 3",
                                                          "phase: 1"))
    incremental_build(site)
    site.edit("centres/oxhey.md", "phase: 1", "phase: 3")  # undone
    assert not incremental_build(site).up_to_date
    assert "Phase 3" in (site.output / "public/centres/oxhey/index.html").read_text()
    assert_same_as_full_build(site)


def test_a_file_added_while_the_build_runs_and_removed_after_is_built_again(
        site, monkeypatch):
    from ccsite import digests

    incremental_build(site)
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)
    SCENARIOS["edit a body only"](site)
    added = "---\ntitle: Saturday sessions\ndate: 2026-05-30\nsummary: New.\n---\nBody.\n"
    _while_the_build_loads(monkeypatch, lambda: site.write("news/saturday-sessions.md",
                                                           added))
    incremental_build(site)
    assert (site.output / "public/news/saturday-sessions/index.html").exists()
    (site.content / "news/saturday-sessions.md").unlink()
    assert not incremental_build(site).up_to_date
    assert not (site.output / "public/news/saturday-sessions").exists()
    assert_same_as_full_build(site)


def test_a_file_removed_while_the_build_runs_and_put_back_after_is_built_again(
        site, monkeypatch):
    from ccsite import digests

    incremental_build(site)
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)
    SCENARIOS["edit a body only"](site)
    page = site.content / "pages/about.md"
    about = page.read_bytes()
    _while_the_build_loads(monkeypatch, page.unlink)
    incremental_build(site)
    page.write_bytes(about)  # put back, the same bytes
    assert not incremental_build(site).up_to_date
    assert (site.output / "public/about/index.html").exists()
    assert_same_as_full_build(site)


def test_a_media_file_changed_while_the_build_runs_and_put_back_after_is_built_again(
        site, monkeypatch):
    """A file load does not read (a media file: copied by the write stage) is looked at
    again once the build is done, by its status."""
    from ccsite import digests

    incremental_build(site)
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)
    SCENARIOS["edit a body only"](site)
    media = sorted((site.content / "media").iterdir())[0]
    was = media.read_bytes()
    _while_the_build_loads(monkeypatch, lambda: media.write_bytes(was + b"\n"))
    incremental_build(site)
    media.write_bytes(was)  # put back
    assert not incremental_build(site).up_to_date
    assert_same_as_full_build(site)


def test_ci_build_in_a_fresh_clone_reads_each_content_file_once(site, tmp_path, monkeypatch):
    """In a fresh clone every content file has a new status, so its bytes must be read to
    be compared: the up-to-date check reads them, and the build takes their digests from
    it (pipeline._known_from_the_check) rather than reading each file a second time;
    only the edited one is read again, to be parsed."""
    from ccsite import digests, load

    monkeypatch.chdir(site.root)
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    clone = tmp_path / "clone"
    restore_as_ci_does(site, clone)
    (clone / "content/news/centres-open.md").write_text(
        (site.content / "news/centres-open.md").read_text().replace("See [", "Now see ["))
    # as a checkout made a while before the build: its files' statuses are not racy
    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)
    reads: list[str] = []
    for module, name in ((digests, "of_file"), (load, "_read_bytes")):
        def counted(path, *args, real=getattr(module, name)):
            reads.append(os.path.normpath(str(path)))
            return real(path, *args)
        monkeypatch.setattr(module, name, counted)
    monkeypatch.chdir(clone)
    result = build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    assert result.changed and not result.up_to_date
    content_reads = [path for path in reads if path.startswith("content/")
                     and path.endswith((".md", ".yaml"))]  # documents (media: write.py)
    assert len(content_reads) >= len(list(Path("content").rglob("*.md")))
    read_again = {path for path in content_reads if content_reads.count(path) > 1}
    assert read_again == {"content/news/centres-open.md"}  # the edited one, to be parsed
    assert "Now see" in (clone / "_site/public/news/centres-open/index.html").read_text()


def test_ci_build_in_a_fresh_clone_does_not_read_unchanged_media_for_the_leak_audit(
        site, tmp_path, monkeypatch):
    """The leak audit knows a media file found clean by its bytes, which a fresh clone
    keeps, not by its place and times, which it makes new: the sample's PDFs are not read
    again (nor the PDF reader loaded) by a CI build after an edit of a news item; the one
    PDF that did change is, and its members text is found. Each PDF's bytes are read
    once, by the up-to-date check, whose digest the audit and the write take."""
    from ccsite import digests, doctext
    from ccsite.errors import ContentErrors
    from test_members import SECRET_PRACTICE, pdf_saying

    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)  # files saved a while ago
    monkeypatch.chdir(site.root)
    shutil.rmtree(".ccsite-cache", ignore_errors=True)  # (as built when they were saved)
    build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    clone = tmp_path / "clone"
    restore_as_ci_does(site, clone)
    edit = CI_EDITS["a news item's body"]
    (clone / "content" / edit[0]).write_text(
        (site.content / edit[0]).read_text().replace(*edit[1:]))
    read: list[bytes] = []
    real = doctext.document_text
    monkeypatch.setattr(doctext, "document_text",
                        lambda data: read.append(data[:5]) or real(data))
    hashed: list[str] = []
    real_hash = digests.of_file
    monkeypatch.setattr(digests, "of_file", lambda path: hashed.append(path) or real_hash(path))
    monkeypatch.chdir(clone)
    result = build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    assert result.changed and read and b"%PDF-" not in read  # (the pages edited are read)
    pdfs_hashed = [path for path in hashed if path.endswith(".pdf")]
    assert pdfs_hashed and len(pdfs_hashed) == len(set(pdfs_hashed))
    pdfs = sorted(Path("content/media").glob("*.pdf"))
    assert pdfs
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    shutil.copyfile(site.content / "members/good-practice/dads-group.md",
                    "content/members/good-practice/dads-group.md")
    pdfs[0].write_bytes(pdf_saying("Guidance", SECRET_PRACTICE))
    with pytest.raises(ContentErrors) as caught:
        build(Path("content"), Path("_site"), BuildOptions(now=NOW))
    assert f"media/{pdfs[0].name}:" in str(caught.value) and "leak" in str(caught.value)


def test_media_changed_since_its_digest_was_read_is_not_known_by_it(tmp_path):
    """A media file is known by the digest the up-to-date check read only while it is
    the file that was read (its status unchanged): one saved since, or read in its racy
    moments (no status), is read again."""
    from ccsite import digests, load
    from ccsite.stages import _known_as_read

    file = tmp_path / "guide.pdf"
    file.write_bytes(b"%PDF-1.4 first")
    read_as = digests.status(file.stat())

    def known(status) -> str:
        sources = digests.FileDigests()
        _known_as_read(sources, [load.MediaFile("guide.pdf", file, "", (status, "d1"))])
        return sources.digest(str(file))
    assert known(read_as) == "d1"
    assert known(None) == digests.of_file(str(file))
    file.write_bytes(b"%PDF-1.4 second, saved after it was read")
    assert known(read_as) == digests.of_file(str(file))


def test_nightly_build_renders_only_what_the_new_day_changes_and_equals_a_full_build(
        site, monkeypatch):
    """The nightly build (nothing edited, the next day): the pages that show the day or
    count days to a deadline are made again, the others kept; the site is exact."""
    rendered = counting_renders(monkeypatch)
    incremental_build(site)
    everything = len(rendered)
    rendered.clear()
    tomorrow = NOW + dt.timedelta(days=1)
    incremental_build(site, tomorrow)
    assert 0 < len(rendered) < everything / 2, rendered
    assert "opportunities/oxhey-eoi/index.html" in rendered  # "closes in N days"
    assert_same_as_full_build(site, tomorrow)


def test_a_closure_passed_overnight_and_a_service_renamed_leave_no_page_showing_them(site):
    """What the site graph gives a centre from the day (the closures still to come) is
    not fixed by the centre's file: a page that showed it (the agency's page lists the
    centre with its closures) is made again when it changed though the file did not.
    Found by a review: the agency's page kept a closure that had passed a year later
    (incremental.DERIVED named only some of the fields model.py declares derived; it is
    now made from them). A service renamed in site.yaml is the same kind of change (the
    centre's reading depends on site.yaml, which says it too)."""
    site.edit("centres/oxhey.md", "phone:", "closures:\n  - date: 2026-12-01\n"
              "    reason: Staff training day\nphone:")
    incremental_build(site)
    agency_page = (site.output / "public/agencies/oxhey-trust/index.html").read_text()
    assert "2026-12-01" in agency_page
    later = NOW + dt.timedelta(days=10)
    incremental_build(site, later)
    assert "2026-12-01" not in (site.output / "public/agencies/oxhey-trust/index.html"
                                ).read_text()
    assert_same_as_full_build(site, later)
    site.edit("site.yaml", "health: Child and family health services",
              "health: Health visitors and midwives")
    incremental_build(site, later)
    assert_same_as_full_build(site, later)


def test_template_that_appears_later_is_used_by_the_pages_that_looked_for_it(site):
    """A page that included a template `ignore missing` read its absence: when the file
    appears, the page is made again (in the preview server and from the command line)."""
    templates = site.root / "templates"
    templates.mkdir()
    (templates / "lesson.html").write_text(
        "{% extends 'base.html' %}{% block title %}{{ lesson.title }}{% endblock %}"
        "{% block main %}<h1>{{ lesson.title }}</h1>"
        "{% include 'extra.html' ignore missing %}{% endblock %}")
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    incremental_build(site)
    (templates / "extra.html").write_text("<p>An extra part</p>")
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert "An extra part" in site.text("/lessons/more-time/")
    assert_same_as_full_build(site)
    (templates / "extra.html").unlink()
    incremental_build(site)
    (templates / "extra.html").write_text("<p>Another extra part</p>")
    incremental_build(site)
    assert "Another extra part" in site.text("/lessons/more-time/")
    assert_same_as_full_build(site)


def test_no_change_rebuild_writes_nothing(site):
    incremental_build(site)
    before = {p: p.stat() for p in (site.output / "public").rglob("*") if p.is_file()}
    result = incremental_build(site)
    assert result.changed == 0 and result.removed == 0
    after = {p: p.stat() for p in (site.output / "public").rglob("*") if p.is_file()}
    assert before.keys() == after.keys()
    for path, stat in before.items():
        assert (after[path].st_ino, after[path].st_mtime_ns) == (stat.st_ino,
                                                                stat.st_mtime_ns), path


def test_edit_rewrites_only_the_pages_that_show_it(site):
    incremental_build(site)
    public = site.output / "public"
    mtimes = {p.relative_to(public).as_posix(): p.stat().st_mtime_ns
              for p in public.rglob("*") if p.is_file() and "pagefind" not in p.parts}
    site.edit("lessons/more-time.md", "Body.", "A changed body.")
    result = incremental_build(site)
    changed = {rel for rel, mtime in mtimes.items()
               if (public / rel).stat().st_mtime_ns != mtime}
    # the lesson's page, plus the outputs that carry bodies (none for lessons)
    assert changed == {"lessons/more-time/index.html"}, changed
    assert result.changed == 1


def test_title_edit_reaches_every_page_that_shows_the_title(site):
    incremental_build(site)
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    incremental_build(site)
    assert "Allow far more time" in site.text("/lessons/")
    assert "Allow far more time" in site.text("/lessons/more-time/")
    assert_same_as_full_build(site)


def test_failed_build_in_the_preview_server_leaves_nothing_vouched_for(site):
    """`ccsite serve` keeps its memory between builds. A build that renders pages and then
    fails must not let those pages' records vouch for the old published files later."""
    from ccsite.errors import ContentErrors

    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    site.edit("agencies/oxhey-trust.yaml", "Oxhey Community Trust", "Oxhey Renamed Trust")
    site.edit("lessons/more-time.md", "Body.", "Body with [a broken link](/no-such-page/).")
    with pytest.raises(ContentErrors):
        build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    site.edit("lessons/more-time.md", "[a broken link](/no-such-page/)", "no link")
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert "Oxhey Renamed Trust" in site.text("/centres/oxhey/")
    assert_same_as_full_build(site)


def test_failed_build_after_a_template_change_leaves_its_pages_to_be_made_again(site):
    """The preview server skips looking at each page's templates while none changed since
    the last good build; a failed build must not count as one."""
    from ccsite.errors import ContentErrors

    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    SCENARIOS["change a template"](site)
    site.edit("news/centres-open.md", "See [Oxhey]", "See [nowhere](/no-such-page/) [Oxhey]")
    with pytest.raises(ContentErrors):
        build(site.content, site.output, BuildOptions(now=NOW), memory=memory, defer=True)
    site.edit("news/centres-open.md", "[nowhere](/no-such-page/) ", "")
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory, defer=True)
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert "Changed." in site.text("/lessons/more-time/")
    assert_same_as_full_build(site)


def test_preview_server_finds_a_leak_that_a_members_edit_makes(site):
    """The preview server keeps its leak audit while the members content is the same; a
    members post that now says what a public page says must be found at once."""
    from ccsite.errors import ContentErrors

    passage = "We moved the group to Saturday mornings and the numbers tripled within a term."
    memory = incremental.BuildMemory()
    site.edit("news/centres-open.md", "See [Oxhey]", f"{passage} See [Oxhey]")
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    site.edit("members/good-practice/dads-group.md", "Members-only body.", passage)
    with pytest.raises(ContentErrors) as failed:
        build(site.content, site.output, BuildOptions(now=NOW), memory=memory, defer=True)
    assert "leak: members-only passage" in str(failed.value.errors[0])


@pytest.mark.parametrize("change", sorted(SCENARIOS))
def test_preview_server_rebuild_equals_full_build(site, change):
    """`ccsite serve` keeps its memory (parsed and validated documents, page records) in
    the process: its first, page-only rebuild and the catch-up build after it must both
    come out as a clean full build does."""
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    SCENARIOS[change](site)
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory, defer=True)
    full = full_build(site)
    html = lambda root: {k: v for k, v in tree(root / "public").items()
                         if k.endswith(".html") and not k.startswith("pagefind/")}
    assert html(site.output) == html(full)
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert_same_as_full_build(site)


def test_preview_server_reads_the_files_its_watcher_names_and_walks_for_the_rest(site):
    """A page-only rebuild told which files changed looks at those only; a new file makes
    it walk the folder; the catch-up build always walks, so a change the watcher missed
    is still built."""
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    told = lambda *rels: {str((site.content / rel).resolve()) for rel in rels}
    page_only = lambda changed: build(site.content, site.output, BuildOptions(now=NOW),
                                      memory=memory, defer=True, changed_files=changed)

    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    site.edit("centres/oxhey.md", "Oxhey Children's Centre", "Oxhey Family Centre")
    page_only(told("lessons/more-time.md"))
    assert "Allow far more time" in site.text("/lessons/more-time/")
    assert "Oxhey Family Centre" not in site.text("/centres/oxhey/")  # not told: not seen

    site.remove("lessons/more-time.md")
    site.write("news/saturday-sessions.md", "---\ntitle: Saturday sessions\ndate: "
               "2026-11-20\nsummary: New.\n---\nNew.")
    page_only(told("lessons/more-time.md", "news/saturday-sessions.md"))  # new: a walk
    assert not (site.output / "public/lessons/more-time/index.html").exists()
    assert "Saturday sessions" in site.text("/news/saturday-sessions/")
    assert "Oxhey Family Centre" in site.text("/centres/oxhey/")

    rename(site, "pages/about.md", "pages/about-us.md")
    page_only(told("pages/about.md", "pages/about-us.md"))
    assert (site.output / "public/about-us/index.html").exists()
    assert not (site.output / "public/about/index.html").exists()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)  # catch-up
    assert_same_as_full_build(site)


def test_preview_server_sees_a_deadline_pass_and_a_lead_agency_change(site):
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    later = dt.datetime(2027, 1, 29, 12, 0, 1, tzinfo=dt.timezone.utc)
    build(site.content, site.output, BuildOptions(now=later), memory=memory)
    assert "Closed on" in site.text("/opportunities/oxhey-eoi/")
    assert_same_as_full_build(site, later)
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert_same_as_full_build(site, NOW)


def test_structured_data_made_at_render_follows_site_yaml(site):
    """A news page's JSON-LD is made only when the page renders (Route.own); the page
    counts its own file and site.yaml as read, even when its template reads neither."""
    (site.root / "templates").mkdir()
    (site.root / "templates" / "news-item.html").write_text("{{ jsonld|jsonld }}")
    incremental_build(site)
    page = site.output / "public/news/centres-open/index.html"
    assert "cc@example.org" in page.read_text()
    site.edit("site.yaml", "email: cc@example.org", "email: children@example.org")
    incremental_build(site)
    assert "children@example.org" in page.read_text()
    assert_same_as_full_build(site)


def test_template_imported_by_an_imported_macro_file_is_followed(site):
    """An import without context is made once a build and kept, so only the first page
    to import a macro file looks up the templates that file imports: every page using
    it still counts them as read, and an edit of one reaches them all."""
    templates = site.root / "templates"
    templates.mkdir()
    (templates / "inner.html").write_text(
        "{% macro shout(text) %}{{ text|upper }}!{% endmacro %}")
    (templates / "outer.html").write_text(
        '{% import "inner.html" as inner %}'
        "{% macro title(item) %}{{ inner.shout(item.title) }}{% endmacro %}")
    (templates / "news-item.html").write_text(
        '{% import "outer.html" as outer %}<h1>{{ outer.title(item) }}</h1>')
    site.write("news/second.md", "---\ntitle: Second\ndate: 2026-11-01\nsummary: Two.\n"
               "---\nTwo.\n")
    incremental_build(site)
    (templates / "inner.html").write_text(
        "{% macro shout(text) %}{{ text|lower }}?{% endmacro %}")
    incremental_build(site)
    assert "second?" in (site.output / "public/news/second/index.html").read_text()
    assert_same_as_full_build(site)


def page_counts(site, news: int) -> dict[str, int]:
    """The pages of each sharded kind the site's search index is made for (see
    outputs/search.py): its news items, and its centres as the content has them."""
    return {"news": news, "centres": len(list((site.content / "centres").glob("*.md")))}


def assert_each_bundle_indexes_its_own_pages(public: Path, shards: list[str]) -> None:
    """News items and centres in their shards, the other pages in the main bundle."""
    from ccsite.outputs import search

    indexed = [p.relative_to(public).as_posix() for p in public.rglob("*.html")
               if b"data-pagefind-body" in p.read_bytes()]
    for bundle in ["", *shards]:
        entry = json.loads((search._bundle_folder(public, bundle) / "pagefind-entry.json")
                           .read_text())
        count = sum(1 for page in indexed if search.bundle_of(page, shards) == bundle)
        assert entry["languages"]["en-gb"]["page_count"] == count > 0, bundle


def index_files(index: Path) -> dict[str, int]:
    return {p.relative_to(index).as_posix(): p.stat().st_ino
            for p in index.rglob("*") if p.is_file()}


def bundles_made_again(before: dict[str, int], after: dict[str, int],
                       shards: list[str]) -> set[str]:
    """The bundles of the index ("" the main one) whose files are not the very files
    (inodes) they were."""
    made = set()
    for bundle in ["", *shards]:
        prefix = f"shards/{bundle}/" if bundle else ""
        files = {k for k in before if (k.startswith(prefix) if bundle
                                       else not k.startswith("shards/"))}
        if not all(after.get(k) == before[k] for k in files):
            made.add(bundle)
    return made


def test_edited_news_item_reindexes_only_its_search_shard(site, monkeypatch):
    """On a site with many news items the index is sharded (outputs/search.py): an edit
    indexes its item's shard again and leaves the other bundles as they were, even when
    the (unindexed) news listing shows what was edited."""
    from ccsite.outputs import search

    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    monkeypatch.setattr(search, "SHARDED_FROM", 2)
    for number in range(8):
        site.write(f"news/item-{number}.md", f"---\ntitle: Item {number}\ndate: 2010-01-0"
                   f"{number + 1}\nsummary: Item.\n---\nWords of item {number}.\n")
    incremental_build(site)
    index = site.output / "public" / "pagefind"
    shards = search.shard_names(page_counts(site, news=9))
    assert [p.name for p in sorted((index / "shards").iterdir())] == sorted(shards)
    public = site.output / "public"
    assert_each_bundle_indexes_its_own_pages(public, shards)
    listing, home = (public / "news/index.html").read_bytes(), (public / "index.html").read_bytes()
    # a body; then the summary of an item too old for the home page's latest changes,
    # which only the news listing shows besides the item's own page
    for item, before_text, after_text in [
            ("item-3", "Words of item 3.", "Other words of item 3."),
            ("item-0", "summary: Item.", "summary: A new summary.")]:
        before = index_files(index)
        site.edit(f"news/{item}.md", before_text, after_text)
        incremental_build(site)
        assert bundles_made_again(before, index_files(index), shards) == {
            search.bundle_of(f"news/{item}/index.html", shards)}, item
        assert_same_as_full_build(site)
    assert (public / "news/index.html").read_bytes() != listing
    assert (public / "index.html").read_bytes() == home
    for number in range(4, 8):  # fewer shards: the spare folder's index has more,
        site.remove(f"news/item-{number}.md")  # and the next build's folder is made from it
    for step in ("fewer shards", "an edit after"):
        incremental_build(site)
        assert [p.name for p in sorted((index / "shards").iterdir())] == sorted(
            search.shard_names(page_counts(site, news=5))), step
        assert_same_as_full_build(site)
        site.edit("news/item-3.md", "item 3", f"item 3 ({step})")


@pytest.mark.parametrize("lost", ["pagefind-entry.json", "fragment"])
def test_search_shard_that_lost_a_file_is_made_again(site, monkeypatch, lost):
    """A shard the edit does not touch is taken from the published index only when each
    of its files is there as it was made; one that lost one is indexed anew."""
    from ccsite.outputs import search

    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    incremental_build(site)
    shard = site.output / "public/pagefind/shards/centres-0"
    (shard / lost if lost.endswith(".json") else min((shard / lost).iterdir())).unlink()
    SCENARIOS["edit a body only"](site)  # a news item: the centres' shard is not touched
    incremental_build(site)
    assert_same_as_full_build(site)


def test_site_that_is_sharded_no_more_keeps_no_shards_folder(site, monkeypatch):
    """The search index of a site grown small again is one bundle, with no shards'
    folder left behind (empty, it is a folder a clean build does not make)."""
    from ccsite.outputs import search

    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    incremental_build(site)
    assert (site.output / "public/pagefind/shards").is_dir()
    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 10**6)
    for step in ("edit a centre", "edit a body only"):  # (the first with no shards)
        SCENARIOS[step](site)
        incremental_build(site)
        assert not (site.output / "public/pagefind/shards").exists(), step
        assert_same_as_full_build(site)


def test_edited_centre_reindexes_only_its_search_shard(site, monkeypatch):
    """A sharded site's centres are indexed in shards of their own (a centre's page
    costs Pagefind as much as a few news items'): editing a centre indexes its shard
    again, not the main bundle, which an opportunity's edit then indexes alone."""
    from ccsite.outputs import search

    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    monkeypatch.setattr(search, "SHARDED_FROM", 1)
    monkeypatch.setattr(search, "CENTRE_SHARD_PAGES", 1)
    site.write("centres/ashby.md", (site.content / "centres/oxhey.md").read_text()
               .replace("Oxhey", "Ashby"))
    incremental_build(site)
    index = site.output / "public" / "pagefind"
    shards = search.shard_names(page_counts(site, news=1))
    assert [name for name in shards if name.startswith("centres-")] == \
        ["centres-0", "centres-1"]
    public = site.output / "public"
    assert_each_bundle_indexes_its_own_pages(public, shards)
    pages = lambda: {p.relative_to(public).as_posix(): p.stat().st_ino
                     for p in public.rglob("*.html") if b"data-pagefind-body" in p.read_bytes()}
    # a centre's page only; an opportunity's title, shown on its centre's page too
    for edit, kinds in [(SCENARIOS["edit a centre"], {"centres"}), (lambda s: s.edit(
            "opportunities/oxhey-eoi.md", "title: ", "title: New - "), {"", "centres"})]:
        before, shown = index_files(index), pages()
        edit(site)
        incremental_build(site)
        changed = {page for page, inode in pages().items() if shown.get(page) != inode}
        made = bundles_made_again(before, index_files(index), shards)
        assert made == {search.bundle_of(page, shards) for page in changed}
        assert made == {search.bundle_of("centres/oxhey/index.html", shards), *kinds} - \
            {"centres"}
        assert {bundle.rpartition("-")[0] for bundle in made} == kinds
        assert_same_as_full_build(site)


def test_new_shard_limits_make_the_search_index_anew(site, monkeypatch):
    """The memory keeps the index's shards, not the counts they were had from: under
    other limits (a new version of ccsite) the same counts share out anew, and the
    index is made again as a clean build makes it."""
    from ccsite.outputs import search

    incremental_build(site)
    for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
        monkeypatch.setattr(search, name, 1)
    SCENARIOS["edit a body only"](site)
    incremental_build(site)
    assert (site.output / "public/pagefind/shards/centres-0").is_dir()
    assert_same_as_full_build(site)


def test_search_main_bundle_reads_no_folder_whose_pages_are_all_left_out(site, monkeypatch):
    """Pagefind is not given the news listing's pages to read while none of them is
    indexed (their folders are left out of the main bundle's glob), and indexes them in
    the main bundle once a theme makes them searchable."""
    from ccsite.outputs import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    monkeypatch.setattr(search, "SHARDED_FROM", 4)
    globs: dict[str, str | None] = {}
    run = search._run_pagefind

    def recording(pages: Path, output: Path, glob: str | None = None) -> None:
        globs[output.relative_to(pages).as_posix()] = glob
        run(pages, output, glob)
    monkeypatch.setattr(search, "_run_pagefind", recording)
    for number in range(24):  # three pages of news listing
        site.write(f"news/item-{number}.md", f"---\ntitle: Item {number}\ndate: 2010-01-"
                   f"{number + 1:02}\nsummary: Item.\n---\nWords of item {number}.\n")
    incremental_build(site)
    public = site.output / "public"
    listing = ["news/index.html", "news/page/2/index.html", "news/page/3/index.html"]
    assert all((public / page).is_file() for page in listing)

    def indexed_in_main() -> tuple[int, int]:
        shards = search.shard_names(page_counts(site, news=25))
        pages = [p.relative_to(public).as_posix() for p in public.rglob("*.html")
                 if b"data-pagefind-body" in p.read_bytes()]
        entry = json.loads((public / "pagefind/pagefind-entry.json").read_text())
        return entry["languages"]["en-gb"]["page_count"], \
            sum(1 for page in pages if search.bundle_of(page, shards) == "")
    main = globs.pop("pagefind")
    assert "news/page" not in main and "news/*.html" not in main and "centres/" in main
    assert indexed_in_main()[0] == indexed_in_main()[1] > 0
    templates = site.root / "templates"
    templates.mkdir()
    theme = (Path(__file__).parents[1] / "templates" / "news-list.html").read_text()
    (templates / "news-list.html").write_text(theme.replace(
        '{% extends "base.html" %}', '{% extends "base.html" %}{% set section = "News" %}', 1))
    incremental_build(site)
    main = globs.pop("pagefind")
    assert "news/page/**/*.html" in main and "news/*.html" in main
    assert all(b"data-pagefind-body" in (public / page).read_bytes() for page in listing)
    count, expected = indexed_in_main()
    assert count == expected and count >= len(listing) + 1
    assert_same_as_full_build(site)


# -- the preview server's quick rebuild of one edited document (quickedit.py) -----------

BODY_EDITS = {
    "news": ("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]"),
    "lesson": ("lessons/more-time.md", "Body.", "Body, with [a link](/centres/oxhey/)."),
    "page": ("pages/about.md", "About us.", "About us.\n\n## Who we are\n\nA council."),
    "opportunity": ("opportunities/oxhey-eoi.md", "How to apply.", "How to *apply*."),
    "centre": ("centres/oxhey.md", "\n---\n", "\n---\nA new first sentence for the centre.\n"),
}

FRONT_MATTER_EDITS = {  # shown on other pages too: the graph is made again
    "a news title": ("news/centres-open.md", "title: Centres open", "title: Centres opened"),
    "a news date": ("news/centres-open.md", "date: 2008-04-01", "date: 2026-11-20"),
    "a centre's name": ("centres/oxhey.md", "Oxhey Children's Centre", "Oxhey Family Centre"),
    "a centre's services": ("centres/oxhey.md", "services: [early-education, health]",
                            "services: [health]"),
    "an opportunity's deadline": ("opportunities/oxhey-eoi.md",
                                  "deadline: 2027-01-29T12:00:00Z",
                                  "deadline: 2026-11-25T11:00:00Z"),
    "a lesson's summary": ("lessons/more-time.md", "needed more time", "needed much more time"),
    "an opportunity's summary": ("opportunities/oxhey-eoi.md", "reference: HCC-1",
                                 "summary: Run Oxhey's centre.\nreference: HCC-1"),
    "a centre's summary": ("centres/oxhey.md", "families in South Oxhey",
                           "families in South Oxhey and Carpenders Park"),
    "a centre's phone": ("centres/oxhey.md", '"01632 960002"', '"01632 960003"'),
    "a centre's opening hours": ("centres/oxhey.md", 'closes: "17:00"', 'closes: "17:30"'),
}


def preview_server(site, now=NOW):
    """A build as `ccsite serve` starts, and its page-only rebuild told of one file."""
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=now), memory=memory)

    def rebuild(rel: str, at=now):
        return build(site.content, site.output, BuildOptions(now=at), memory=memory,
                     defer=True, changed_files={str((site.content / rel).resolve())})

    def catch_up(at=now):
        return build(site.content, site.output, BuildOptions(now=at), memory=memory)
    return rebuild, catch_up


def public_pages(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(root / "public").items()
            if k.endswith(".html") and not k.startswith("pagefind/")}


def all_pages(root: Path) -> dict[str, bytes]:
    """Every page, public and members (feeds, data and search indexes may lag until the
    catch-up build)."""
    members = {f"members/{k}": v for k, v in tree(root / "members").items()
               if k.endswith(".html")}
    return {**public_pages(root), **members}


def inodes(site) -> dict[str, int]:
    return {k: os.stat(site.output / "public" / k).st_ino for k in public_pages(site.output)}


def quick_edit(site, edit: tuple[str, str, str]):
    """Edit one file in a running preview server: (its rebuild's result, how many public
    pages were written anew), with every page checked against a clean full build, then
    everything again after the catch-up build."""
    rebuild, catch_up = preview_server(site)
    rel, old, new = edit
    before = inodes(site)
    site.edit(rel, old, new)
    result = rebuild(rel)
    after = inodes(site)
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)
    return result, sum(before[k] != after[k] for k in before)


@pytest.mark.parametrize("kind", sorted(BODY_EDITS))
def test_body_edit_renders_only_its_readers_and_equals_a_full_build(site, kind):
    result, rewritten = quick_edit(site, BODY_EDITS[kind])
    assert "quick edit" in result.timings  # the quick way was taken
    assert result.changed == 1  # only its own page shows its body
    assert rewritten == result.changed


@pytest.mark.parametrize("change", sorted(FRONT_MATTER_EDITS))
def test_front_matter_edit_renders_what_shows_it_and_equals_a_full_build(site, change):
    result, rewritten = quick_edit(site, FRONT_MATTER_EDITS[change])
    assert "quick edit" in result.timings
    assert 1 <= rewritten == result.changed < len(inodes(site))


# front matter the site graph is not made from (the graph, its routes and its files read
# none of it); front matter only the site's orders read (graph.orders: here a title among
# the home page's latest changes, which are made again with it); and front matter the
# graph is made from (a list, a date that orders, opens or closes)
FIELDS_THE_GRAPH_DOES_NOT_READ = ["a lesson's summary", "a centre's summary",
                                  "a centre's phone", "a centre's opening hours"]
FIELDS_ONLY_THE_ORDERS_READ = ["a news title", "an opportunity's summary"]
FIELDS_THE_GRAPH_READS = ["a news date", "a centre's name", "a centre's services",
                          "an opportunity's deadline"]


@pytest.mark.parametrize("change", FIELDS_THE_GRAPH_DOES_NOT_READ + FIELDS_ONLY_THE_ORDERS_READ
                         + FIELDS_THE_GRAPH_READS)
def test_front_matter_the_graph_does_not_read_is_edited_without_making_the_graph(
        site, monkeypatch, change):
    """A field no list, link or file of the site follows takes the shortcut of a body
    edit: the object takes its new values and the pages that read it are rendered, the
    graph as it is (a large site's front-matter edit was mostly making it again); one
    only the site's orders read, too, while the news keeps its order."""
    from ccsite import graph

    rebuild, catch_up = preview_server(site)
    made = []
    build_site = graph.build_site
    monkeypatch.setattr(graph, "build_site", lambda *a, **k: made.append(1) or build_site(
        *a, **k))
    rel, old, new = FRONT_MATTER_EDITS[change]
    site.edit(rel, old, new)
    assert "quick edit" in rebuild(rel).timings
    assert bool(made) == (change in FIELDS_THE_GRAPH_READS)
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)
    site.edit(rel, new, old)  # and back, after the catch-up build noted the graph's reads
    made.clear()
    assert "quick edit" in rebuild(rel).timings
    assert bool(made) == (change in FIELDS_THE_GRAPH_READS)
    assert all_pages(site.output) == all_pages(full_build(site))


@pytest.mark.parametrize("rel, old, new", [
    ("centres/oxhey.md", "families in South Oxhey", "families in South Oxhey and Carpenders"),
    ("centres/oxhey.md", '"01632 960002"', '"01632 960003"'),
    ("lessons/more-time.md", "needed more time", "needed much more time")])
def test_a_field_edit_renders_just_the_pages_that_show_that_field(site, monkeypatch, rel,
                                                                  old, new):
    """A centre's summary or phone is on its own page, not in the lists that name the
    centre: of the pages that read anything of the object, only those that read the
    edited field (as their records say) are rendered, and they are those that change."""
    from ccsite import render

    rebuild, catch_up = preview_server(site)
    before = public_pages(site.output)
    rendered = []
    render_page = render.render_page
    monkeypatch.setattr(render, "render_page", lambda env, site_, route, *rest: (
        rendered.append(route.output_path), render_page(env, site_, route, *rest))[1])
    site.edit(rel, old, new)
    assert "quick edit" in rebuild(rel).timings
    shown, after = set(rendered), public_pages(site.output)
    assert after == public_pages(full_build(site))
    assert shown == {path for path, page in after.items() if page != before[path]}
    catch_up()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("trusted", [False, True])
def test_a_field_only_a_pages_structured_data_shows_renders_that_page(site, monkeypatch,
                                                                      trusted):
    """A centre page that shows no phone number: the number is still in the page's
    structured data, made in Python from the whole centre, so editing it renders the
    page. So with a council's own template, and so if the theme's own were such a page
    (`trusted`: its record then names the attributes its templates read, and the
    phone is not among them; the page reads the centre whole all the same)."""
    if trusted:
        monkeypatch.setattr(incremental.Reuse, "_attributes_known",
                            lambda self, templates: True)
    theme = (Path(__file__).parent.parent / "templates" / "centre.html").read_text()
    for line in ('{% elif centre.phone %}', 'Opening hours not published yet, please phone',
                 '{% if centre.phone %}', '{% call m.summary_row("Telephone") %}'):
        assert line in theme
    theme = theme.replace("{% elif centre.phone %}\n      Opening hours not published yet, "
                          "please phone\n", "")
    start = theme.index('    {% if centre.phone %}\n    {% call m.summary_row("Telephone")')
    theme = theme[:start] + theme[theme.index("{% endif %}\n", start) + 12:]
    site.write("../templates/centre.html", theme)
    result, rewritten = quick_edit(site, FRONT_MATTER_EDITS["a centre's phone"])
    assert "quick edit" in result.timings
    page = site.page("/centres/oxhey/")
    assert '"telephone":"+441632960003"' in page and "01632 960003" not in page
    assert rewritten == 1


@pytest.mark.parametrize("shown", ["{{ '{0.summary}'.format(c) }}",
                                   "{{ (c|pprint).split('summary=')[1].split(\"',\")[0] }}"])
def test_a_councils_template_that_shows_a_field_unseen_by_jinja_is_rendered(site, shown):
    """A council's own list of centres that shows each summary by Python's own means
    (a format string, the object printed whole): Jinja does not see the summary read,
    so a page made with the council's templates counts as showing every field of what
    it read, and a summary edit renders it (found by a review: it kept the old text)."""
    theme = (Path(__file__).parent.parent / "templates" / "centres.html").read_text()
    assert "{% block main %}" in theme
    site.write("../templates/centres.html", theme.replace(
        "{% block main %}", "{% block main %}{% for c in site.centres %}" + shown +
        "{% endfor %}", 1))
    result, _ = quick_edit(site, FRONT_MATTER_EDITS["a centre's summary"])
    assert "quick edit" in result.timings
    assert "South Oxhey and Carpenders Park" in site.page("/centres/")


def test_a_councils_template_that_shows_a_body_unseen_by_jinja_is_rendered(site):
    """The same for a body: a council's list of lessons that prints each lesson whole
    shows its body though it reads no body attribute through Jinja; a body edit renders
    it (found by the same review, in the body edit's shortcut)."""
    theme = (Path(__file__).parent.parent / "templates" / "lessons.html").read_text()
    site.write("../templates/lessons.html", theme.replace(
        "{% block main %}", "{% block main %}{% for l in site.lessons %}<!-- "
        "{{ (l|pprint).split('body=')[1][:40] }} -->{% endfor %}", 1))
    result, _ = quick_edit(site, ("lessons/more-time.md", "Body.", "Another body."))
    assert "quick edit" in result.timings
    assert "Another body." in site.page("/lessons/")


def test_the_themes_templates_read_every_field_they_show_through_jinja(tmp_path):
    """The preview server trusts the attributes the theme's templates read (see the test
    above): every page of the sample, rendered again with every read of a content object
    reported (format strings, printing, comparisons too), reads no field of a document
    it does not read whole beyond those its record names."""
    from pagetypes import copy_sample

    from ccsite import render

    content = copy_sample(tmp_path)
    memory = incremental.BuildMemory()
    build(content, tmp_path / "out", BuildOptions(now=NOW), memory=memory)
    last = memory.last_build
    fields = incremental._field_attributes()
    checked = 0
    for path, route in last.routes.items():
        attributes = memory.pages[path].attributes
        if attributes is None:
            continue
        whole = set(render.read_whole(route))
        with incremental.reads_recorded() as recorder:
            render.render_page(last.env, last.site, route, None, None, {}, {})
        shown = {incremental.attribute_name(last.objects.get(key), attribute)
                 for key, attribute in recorder.reads
                 if key not in whole and key in last.files and key != incremental.SITE_FILE
                 and attribute in fields}  # (documents: site.yaml takes the pipeline)
        assert shown <= attributes, (path, shown - attributes)
        checked += 1
    assert checked > len(last.routes) / 2


@pytest.mark.parametrize("day, title, moves", [
    ("its own", "A network of centres", False),
    ("shared", "Centres opened", False),  # still after "Centres in every district"
    ("shared", "A network of centres", True)])
def test_a_news_title_is_edited_without_the_graph_unless_the_item_moves(
        site, monkeypatch, day, title, moves):
    """The site's orders read a news item's title to order it among the items of its
    day: a new title that keeps its place takes the shortcut, the news as it is; one
    that moves it among them makes the graph again, ordered by its new title."""
    from ccsite import graph

    for number in range(8):  # newer: the recent changes are theirs
        site.write(f"news/item-{number}.md", f"---\ntitle: Item {number}\ndate: 2026-10-"
                   f"{number + 10}\nsummary: Item {number}.\n---\nWords of item {number}.\n")
    if day == "shared":
        site.write("news/same-day.md", "---\ntitle: Centres in every district\ndate: 2008-04-01\n"
                   "summary: Soon.\n---\nSoon.\n")
    rebuild, catch_up = preview_server(site)
    made = []
    build_site = graph.build_site
    monkeypatch.setattr(graph, "build_site", lambda *a, **k: made.append(1) or build_site(
        *a, **k))
    site.edit("news/centres-open.md", "title: Centres open", f"title: {title}")
    assert "quick edit" in rebuild("news/centres-open.md").timings
    assert bool(made) == moves
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_news_order_and_recent_changes_read_titles_only_where_they_decide():
    """`_newest_first` and `_recent_changes` read fewer titles than a sort of every item
    would (see the test above), and give just what that sort gives: here against it, on
    every way 14 items can share their days (a few days, titles that differ in case
    only, items with no date)."""
    import heapq
    import random
    from types import SimpleNamespace

    from ccsite import graph

    rng = random.Random(21)
    for _ in range(400):
        days = [None, *(dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(4))]
        news = [SimpleNamespace(date=rng.choice(days), title=rng.choice(["b", "A", "a", "c"]),
                                slug=f"item-{rng.randrange(100)}", url=f"/news/{n}/",
                                summary=f"Item {n}.") for n in range(rng.randrange(15))]
        ordered = graph._newest_first(news)
        assert ordered == sorted(news, key=lambda n: (-(n.date or dt.date.min).toordinal(),
                                                     n.title.lower(), n.slug))
        every = [(n.date, "News", n.title, n.url, n.summary) for n in ordered if n.date]
        assert graph._recent_changes(ordered, [], []) == [
            graph.Change(*change) for change in heapq.nlargest(6, every,
                                                               key=lambda c: (c[0], c[2]))]


def test_a_body_edited_with_front_matter_the_graph_does_not_read_is_rendered(site):
    """The graph renders each body, so a body edited with a centre's summary takes the
    graph's way: its page shows the new text, as a clean build does."""
    result, _ = quick_edit(site, ("centres/oxhey.md",
                                  "families in South Oxhey.\n---\nFamilies can drop in",
                                  "families in Oxhey.\n---\nFamilies can call in"))
    assert "quick edit" in result.timings
    assert "Families can call in" in site.page("/centres/oxhey/")


def test_a_quick_edit_that_sets_an_expiry_moves_the_moment_the_site_next_changes(site):
    """A lesson's summary edited with an expiry an hour away takes the shortcut; a later
    edit after that hour must not take the kept site as still current then."""
    rebuild, catch_up = preview_server(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "Do see [Oxhey]")
    rebuild("news/centres-open.md", at=NOW + dt.timedelta(minutes=1))  # (found: midnight)
    site.edit("lessons/more-time.md", "summary: Small organisations needed more time to bid.",
              "summary: Small organisations needed time.\nexpires: 2026-11-25T13:00:00Z")
    assert "quick edit" in rebuild("lessons/more-time.md").timings
    later = NOW + dt.timedelta(hours=2)
    site.edit("news/centres-open.md", "Do see [Oxhey]", "Visit [Oxhey]")
    rebuild("news/centres-open.md", at=later)
    assert all_pages(site.output) == all_pages(full_build(site, later))


def test_a_value_equal_to_the_last_but_written_otherwise_is_shown_as_written(site):
    """An event's start saved again as the same moment in UTC (as a web editor's date
    widget may write it), its lines moved: equal, but shown otherwise, so it is a change
    the page and the open data follow, before the catch-up build and after it (found by
    a review: the object kept the old value, until the file was edited again)."""
    site.edit("opportunities/oxhey-eoi.md", "centres: [oxhey]\n",
              "centres: [oxhey]\nevents:\n  - {title: Briefing, start: 2027-06-10T11:00:00+01:00,"
              " place: Hall}\n")
    rebuild, catch_up = preview_server(site)
    site.edit("opportunities/oxhey-eoi.md",
              "  - {title: Briefing, start: 2027-06-10T11:00:00+01:00, place: Hall}\n",
              "  - title: Briefing\n    start: 2027-06-10T10:00:00Z\n    place: Hall\n")
    assert "quick edit" in rebuild("opportunities/oxhey-eoi.md").timings
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_a_value_a_template_fails_on_is_told_as_a_clean_build_tells_it(site):
    """A theme doing arithmetic on a front-matter value the graph does not read: a value
    it fails on is a template mistake, told with its template and line, and the preview
    server's rebuilds go on (found by a review: the error escaped the quick rebuild)."""
    from ccsite.errors import ContentErrors

    theme = (Path(__file__).parents[1] / "templates" / "centre.html").read_text()
    (site.root / "templates").mkdir()
    (site.root / "templates" / "centre.html").write_text(theme.replace(
        "{% block main %}", "{% block main %}<p>{{ centre.extra.places + 1 }}</p>", 1))
    site.edit("centres/oxhey.md", "summary:", "extra: {places: 20}\nsummary:")
    rebuild, catch_up = preview_server(site)
    site.edit("centres/oxhey.md", "places: 20", "places: twenty")
    with pytest.raises(ContentErrors) as clean:
        full_build(site)
    with pytest.raises(ContentErrors) as told:
        rebuild("centres/oxhey.md")
    said = str(clean.value).rpartition("/templates/")[2]  # (it built a copy of the site)
    line = next(n for n, text in enumerate((site.root / "templates" / "centre.html")
                                           .read_text().splitlines(), 1) if "places + 1" in text)
    assert said.startswith(f"centre.html:{line}: template:") and \
        str(told.value).endswith(said)
    site.edit("centres/oxhey.md", "places: twenty", "places: 21")
    rebuild("centres/oxhey.md")
    assert all_pages(site.output) == all_pages(full_build(site))


def test_quick_edits_one_after_another_stay_exact(site):
    rebuild, catch_up = preview_server(site)
    edits = [("news/centres-open.md", "See [Oxhey]", "Edit 1. See [Oxhey]"),
             ("news/centres-open.md", "title: Centres open", "title: Centres opened"),
             ("news/centres-open.md", "Edit 1.", "Edit 2."),
             ("centres/oxhey.md", "Oxhey Children's Centre", "Oxhey Family Centre"),
             ("news/centres-open.md", "title: Centres opened", "title: Centres open")]
    for rel, old, new in edits:
        site.edit(rel, old, new)
        assert "quick edit" in rebuild(rel).timings
        assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_front_matter_edit_that_moves_a_news_item_to_another_listing_page(site):
    for number in range(12):
        site.write(f"news/item-{number}.md", f"---\ntitle: Item {number}\ndate: 2010-01-"
                   f"{number + 10}\nsummary: Item {number}.\n---\nWords of item {number}.\n")
    rebuild, catch_up = preview_server(site)
    listing = site.page("/news/")
    site.edit("news/item-0.md", "date: 2010-01-10", "date: 2026-11-24")
    assert "quick edit" in rebuild("news/item-0.md").timings
    assert site.page("/news/") != listing
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_front_matter_edit_lists_a_centre_on_a_page_that_never_showed_it(site):
    """The health services page has never shown this centre, so its record says nothing
    of it: only its route's context (the centres by district) tells it changed."""
    site.write("centres/bushey.md", (site.content / "centres/oxhey.md").read_text().replace(
        "Oxhey Children's Centre", "Bushey Children's Centre").replace(
        "services: [early-education, health]", "services: [early-education]"))
    rebuild, catch_up = preview_server(site)
    health = site.page("/centres/services/health/")
    assert "Bushey" not in health
    site.edit("centres/bushey.md", "services: [early-education]",
              "services: [early-education, health]")
    assert "quick edit" in rebuild("centres/bushey.md").timings
    assert "Bushey" in site.page("/centres/services/health/")
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_a_quick_edit_moves_the_moment_the_kept_site_was_made_for(site):
    """A front-matter edit makes the site at its own moment: a later quick edit at the
    first build's moment must not take the graph as made for then."""
    rebuild, catch_up = preview_server(site)
    site.edit("opportunities/oxhey-eoi.md", "deadline: 2027-01-29T12:00:00Z",
              "deadline: 2026-11-25T12:30:00Z")
    rebuild("opportunities/oxhey-eoi.md", at=NOW + dt.timedelta(hours=1))
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    rebuild("news/centres-open.md", at=NOW)
    assert all_pages(site.output) == all_pages(full_build(site, NOW))


PIPELINE_EDITS = {
    "a members post's body": ("members/good-practice/dads-group.md", "Members-only body.",
                              "Members-only body, edited."),
    "a body that names a member": ("news/centres-open.md", "See [Oxhey]",
                                   "Sam Example says: see [Oxhey]"),
    "a new address": ("lessons/more-time.md", "order: 1", "order: 1\nslug: allow-more-time"),
    "a page made a draft": ("pages/about.md", "nav_order: 1", "nav_order: 1\ndraft: true"),
    "an agency's name": ("agencies/oxhey-trust.yaml", "Oxhey Community Trust",
                         "Oxhey and District Community Trust"),
    "a page in the menu": ("pages/about.md", "title: About the programme",
                           "title: About us"),
}


@pytest.mark.parametrize("change", sorted(PIPELINE_EDITS))
def test_edits_the_quick_rebuild_cannot_make_take_the_whole_pipeline(site, change):
    rebuild, catch_up = preview_server(site)
    rel, old, new = PIPELINE_EDITS[change]
    site.edit(rel, old, new)
    assert "quick edit" not in rebuild(rel).timings
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_front_matter_that_reads_the_same_but_is_written_otherwise_is_read_again(site):
    """The same deadline written in another zone prints otherwise: only front matter
    written byte for byte the same counts as unchanged."""
    rebuild, catch_up = preview_server(site)
    site.edit("opportunities/oxhey-eoi.md", "deadline: 2027-01-29T12:00:00Z",
              "deadline: 2027-01-29T13:00:00+01:00")
    rebuild("opportunities/oxhey-eoi.md")
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_a_template_that_shows_a_body_some_other_way_still_shows_the_edit(site):
    (site.root / "templates").mkdir()
    (site.root / "templates" / "lessons.html").write_text(
        "{% for lesson in site.lessons %}<p>{{ lesson.title }}: "
        "{{ lesson.__dict__['body'] }}</p>{% endfor %}")
    rebuild, catch_up = preview_server(site)
    site.edit("lessons/more-time.md", "Body.", "A new body.")
    rebuild("lessons/more-time.md")
    assert "A new body." in site.page("/lessons/")
    assert all_pages(site.output) == all_pages(full_build(site))
    catch_up()
    assert_same_as_full_build(site)


def test_encrypt_mode_takes_the_whole_pipeline(site):
    """Members pages are encrypted there and keep no records of what they showed."""
    from ccsite.members import credentials

    site.edit("site.yaml", "protection: server", "protection: encrypt")
    credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)
    rebuild, catch_up = preview_server(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    assert "quick edit" not in rebuild("news/centres-open.md").timings
    assert public_pages(site.output) == public_pages(full_build(site))


def test_a_file_saved_again_unchanged_keeps_its_warnings(site):
    rebuild, catch_up = preview_server(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "See [a site](http://example.org/) [Oxhey]")
    warned = rebuild("news/centres-open.md").warnings
    assert any("http://" in str(warning) for warning in warned)
    assert rebuild("news/centres-open.md").warnings == warned


def test_quick_edits_warn_as_a_clean_build_does(site):
    """The preview server's quick rebuild keeps the other files' own warnings and looks
    at the edited file's anew: a body edit and a front-matter edit that add a warning,
    and one that takes it away, each warn as a clean build of the same content."""
    from test_incremental_outputs import clean_warnings

    rebuild, catch_up = preview_server(site)
    for rel, old, new, warning in [
            ("news/centres-open.md", "See [Oxhey]", "See [a site](http://example.org/) "
             "[Oxhey]", "http://example.org/ is not secure"),
            ("centres/oxhey.md", "summary: A centre for families in South Oxhey.\n", "",
             "oxhey.md:1: summary: there is no summary"),
            ("centres/oxhey.md", "phone:", "summary: Back again.\nphone:", None)]:
        site.edit(rel, old, new)
        result = rebuild(rel)
        assert "quick edit" in result.timings, rel
        warned = [str(w) for w in result.warnings]
        assert warned == clean_warnings(site)
        if warning:
            assert any(warning in w for w in warned), warned
    assert not any("oxhey.md:1: summary: there is no summary" in w for w in warned)


def news_on_days(site, days: list[str]) -> None:
    """News items "New item 1"... dated each of `days` (one a day: their titles are then
    not read to put them in order, see graph._newest_first)."""
    for number, day in enumerate(days, start=1):
        site.write(f"news/new-item-{number}.md", f"---\ntitle: New item {number}\n"
                   f"date: {day}\nsummary: Number {number}.\n---\nBody.\n")


def test_a_quick_title_edit_warns_of_titles_alike_as_a_clean_build_does(site):
    """A news item's title edited into another's (case and spaces aside), then out again:
    the quick rebuild looks again at that item's titles only (checks.TitlesAlike), and
    warns at both items, then at neither, as a clean build does."""
    from test_incremental_outputs import clean_warnings

    news_on_days(site, [f"2026-10-{day:02}" for day in range(1, 9)])  # (the oldest is
    rebuild, catch_up = preview_server(site)  # not among the home page's latest changes)
    for old, new, alike in [("title: New item 1", "title: NEW  item 2", True),
                            ("title: NEW  item 2", "title: New item 1", False)]:
        site.edit("news/new-item-1.md", old, new)
        result = rebuild("news/new-item-1.md")
        assert "quick edit" in result.timings
        warned = [str(w) for w in result.warnings]
        assert warned == clean_warnings(site)
        assert any("new-item-1.md:2: title: another news item has the same title" in w
                   for w in warned) == alike
        assert [str(w) for w in catch_up().warnings] == warned  # (kept for the next edit)


def test_a_quick_edit_that_changes_what_the_site_warnings_read_makes_them_again(site):
    """A news title that wins the home page's last place among the latest changes (ties
    go by title) puts a news item more than a year old there, which is warned of: the
    site's own warnings read the latest changes, so they are made again, not kept."""
    from test_incremental_outputs import clean_warnings

    news_on_days(site, [f"2026-11-0{day}" for day in range(1, 6)])
    site.edit("opportunities/oxhey-eoi.md", "published: 2026-11-02", "published: 2008-04-01")
    rebuild, catch_up = preview_server(site)
    assert not any("more than a year old" in w for w in clean_warnings(site))
    site.edit("news/centres-open.md", "title: Centres open", "title: Zoo day at Oxhey")
    result = rebuild("news/centres-open.md")
    assert "quick edit" in result.timings
    warned = [str(w) for w in result.warnings]
    assert warned == clean_warnings(site)
    assert any("centres-open.md:3: date: this news item is more than a year old" in w
               for w in warned)
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")  # and before the
    result = rebuild("news/centres-open.md")  # catch-up build notes them again
    assert "quick edit" in result.timings
    assert [str(w) for w in result.warnings] == warned
    assert [str(w) for w in catch_up().warnings] == warned  # (noted, then told)


LATER = {  # moments after NOW at which the same files build into a different site
    "past the deadline": (dt.datetime(2027, 1, 29, 12, 0, 1, tzinfo=dt.timezone.utc),
                          "Closed on"),
    "the next day": (dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.timezone.utc),
                     "Closes in 64 days"),
}


@pytest.mark.parametrize("moment", sorted(LATER))
def test_body_edit_at_a_moment_that_changes_the_site_takes_the_whole_pipeline(site, moment):
    """The site graph kept from the last build says how many days an opportunity has
    left, and that it is open: a day later, or past its deadline, it must not be reused."""
    rebuild, catch_up = preview_server(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    later, shown = LATER[moment]
    assert "quick edit" not in rebuild("news/centres-open.md", at=later).timings
    assert shown in site.text("/opportunities/")
    assert all_pages(site.output) == all_pages(full_build(site, later))


def test_quick_edit_later_the_same_day_is_quick(site):
    rebuild, catch_up = preview_server(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    later = NOW + dt.timedelta(hours=5)
    assert "quick edit" in rebuild("news/centres-open.md", at=later).timings
    assert all_pages(site.output) == all_pages(full_build(site, later))


def test_body_edit_that_pastes_members_text_is_stopped_and_told(site):
    from ccsite.errors import ContentErrors

    passage = "We moved the group to Saturday mornings and the numbers tripled within a term."
    site.edit("members/good-practice/dads-group.md", "Members-only body.", passage)
    rebuild, catch_up = preview_server(site)
    published = (site.output / "public/news/centres-open/index.html").read_bytes()
    site.edit("news/centres-open.md", "See [Oxhey]", f"{passage} See [Oxhey]")
    with pytest.raises(ContentErrors) as failed:
        rebuild("news/centres-open.md")
    assert "leak: members-only passage" in str(failed.value.errors[0])
    assert (site.output / "public/news/centres-open/index.html").read_bytes() == published


def test_quick_edits_tell_links_to_expired_documents_as_a_clean_build_does(site):
    """A link to a document that expired is a warning (see audit.check_links); a quick
    rebuild of another file still tells it, and one that takes the link out tells it no
    more, as a clean build of the same content."""
    from test_incremental_outputs import clean_warnings

    later = dt.datetime(2027, 1, 10, 12, tzinfo=dt.timezone.utc)
    site.edit("lessons/more-time.md", "order: 1", "order: 1\nexpires: 2027-01-10")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [the lesson](/lessons/more-time/), "
              "[Oxhey]")
    rebuild, catch_up = preview_server(site, now=later)
    for rel, old, new, told in [
            ("centres/oxhey.md", "every weekday.", "every weekday but Christmas Day.", True),
            ("news/centres-open.md", "See [the lesson](/lessons/more-time/), ", "See ", False)]:
        site.edit(rel, old, new)
        result = rebuild(rel, at=later)
        assert "quick edit" in result.timings
        warned = [str(w) for w in result.warnings]
        assert warned == clean_warnings(site, later)
        assert any("which is not in this build (it expired" in w for w in warned) == told


def test_a_site_warning_made_from_a_whole_object_is_made_again_when_it_is_edited(
        site, monkeypatch):
    """A site-wide check that reads a news item whole (every value at once: its
    `__dict__`) depends on its body too: a quick body edit makes the site's warnings
    again rather than keep them."""
    from ccsite import checks
    from ccsite.errors import ContentError

    made = checks.warnings_of_the_site

    def with_a_whole_read(public, members):
        item = public.news[0]
        return [*made(public, members), ContentError(
            item.source, 1, "body", f"{len(vars(item)['body'])} characters")]
    monkeypatch.setattr(checks, "warnings_of_the_site", with_a_whole_read)
    from test_incremental_outputs import clean_warnings

    rebuild, catch_up = preview_server(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "See [Oxhey], or any other centre,")
    result = rebuild("news/centres-open.md")
    assert "quick edit" in result.timings
    assert [str(w) for w in result.warnings] == clean_warnings(site)


def test_site_warnings_that_read_an_object_the_build_does_not_name_are_not_kept(
        site, monkeypatch):
    """What the site's warnings read is kept by the kind of each object read, looked up
    by its key; one that is not among the build's objects leaves them not kept (made
    again at every quick rebuild), never kept with a read no edit would match."""
    import dataclasses

    from ccsite import checks

    made = checks.warnings_of_the_site

    def reading_a_stranger(public, members):
        stranger = dataclasses.replace(public.news[0], source="elsewhere/stranger.md")
        stranger.date  # noqa: B018 - the read is the point
        return made(public, members)
    monkeypatch.setattr(checks, "warnings_of_the_site", reading_a_stranger)
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert memory.last_build is not None and memory.last_build.warnings is None


def test_a_quick_edit_that_takes_back_a_members_contact_from_public_view_is_audited(site):
    """A members' e-mail address is no leak on a public page that gives it as a contact
    (audit.said_publicly); once the page gives another, its text still showing the
    address is one. The quick rebuild must not audit with the fingerprints made while
    the address was excused: it leaves the edit to the pipeline, which stops it."""
    from ccsite.errors import ContentErrors

    site.edit("centres/oxhey.md", 'phone: "01632 960002"',
              'phone: "01632 960002"\nemail: sam@example.org')
    site.edit("centres/oxhey.md", "every weekday.", "every weekday. Write to sam@example.org.")
    rebuild, catch_up = preview_server(site)
    published = (site.output / "public/centres/oxhey/index.html").read_bytes()
    site.edit("centres/oxhey.md", "email: sam@example.org", "email: oxhey@example.org")
    with pytest.raises(ContentErrors) as failed:
        rebuild("centres/oxhey.md")
    assert "sam@example.org" in str(failed.value.errors[0])
    assert (site.output / "public/centres/oxhey/index.html").read_bytes() == published


def test_body_edit_with_a_broken_link_is_told_with_its_line(site):
    from ccsite.errors import ContentErrors

    rebuild, catch_up = preview_server(site)
    site.edit("lessons/more-time.md", "Body.", "Body.\n\nSee [the form](/media/missing.pdf).")
    with pytest.raises(ContentErrors) as failed:
        rebuild("lessons/more-time.md")
    assert str(failed.value.errors[0]).startswith(f"{site.shown('lessons/more-time.md')}:8: link:")
    site.edit("lessons/more-time.md", "/media/missing.pdf", "/media/pack.pdf")
    rebuild("lessons/more-time.md")  # after a failed build: the whole pipeline, and right
    assert public_pages(site.output) == public_pages(full_build(site))


def test_the_members_feed_is_remembered_as_the_members_pages_are(site):
    """The members area's feed is made by its templates as its pages are: its record is
    kept in the build memory (every build dropped it, so every build made the feed
    again, and wrote again the part of the memory that held it), and a members post
    edited makes it again as a clean build does."""
    from ccsite.pipeline import CACHE_FOLDER, MEMORY_FILE

    incremental_build(site)
    assert "members/feed.xml" in incremental.BuildMemory.read(
        site.root / CACHE_FOLDER / MEMORY_FILE).pages
    site.edit("members/good-practice/dads-group.md", "title: ", "title: Again ")
    incremental_build(site)
    assert "Again " in (site.output / "members" / "feed.xml").read_text(encoding="utf-8")
    assert_same_as_full_build(site)

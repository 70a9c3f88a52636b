"""A command-line build with nothing changed does nothing, and says so; any change to
content, templates, options or the published files is still seen (uptodate.py)."""
from __future__ import annotations

import os
import time

import pytest

from test_incremental import assert_same_as_full_build

NOW = "2026-11-25T12:00:00Z"
STAMP = ".ccsite-cache/build-stamp.cbor"


def settle(site) -> None:
    """Make every input look saved a while ago, as an editor's files are: a file saved in
    the moments before a build is never trusted to its signature (see uptodate.racy)."""
    past = time.time() - 60
    for folder in (site.content, site.root / "templates"):
        for path in [folder, *folder.rglob("*")] if folder.exists() else []:
            os.utime(path, (past, past), follow_symlinks=False)


def published_stats(site) -> dict:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (site.output / "public").rglob("*") if p.is_file()}


def test_unchanged_rebuild_does_nothing_and_says_so(site):
    settle(site)
    assert site.build().status == 0
    before = published_stats(site)
    result = site.build()
    assert result.status == 0
    assert "Nothing has changed since the last build" in result.out
    assert published_stats(site) == before


CHANGES = {
    "a same-size edit": lambda s: s.edit("centres/oxhey.md", "phase: 2", "phase: 3"),
    "a new file": lambda s: s.write("lessons/new-lesson.md",
                                    "---\ntitle: A new lesson\nsummary: New.\n---\nBody.\n"),
    "a deleted file": lambda s: s.remove("lessons/more-time.md"),
    "a site template": lambda s: (s.root / "templates").mkdir() or
    (s.root / "templates" / "lesson.html").write_text(
        "{% extends 'base.html' %}{% block main %}<h1>{{ lesson.title }}</h1>{% endblock %}"),
    "a published file deleted": lambda s: (s.output / "public/lessons/index.html").unlink(),
    "a published file edited": lambda s: (s.output / "public/lessons/index.html").write_text(
        "tampered"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_is_built(site, change):
    settle(site)
    site.build()
    CHANGES[change](site)
    result = site.build()
    assert result.status == 0 and "Nothing has changed" not in result.out
    assert_same_as_full_build(site)


def test_another_now_or_drafts_option_is_built(site):
    from ccsite.cli import main

    settle(site)
    site.build()
    assert "Nothing has changed" not in site.build("--drafts").out
    assert "Nothing has changed" not in site.build().out  # drafts off again
    assert "Nothing has changed" in site.build().out
    later = "2027-01-29T12:00:01Z"  # the sample opportunity's deadline has passed
    assert main(["build", "--source", str(site.content), "--output", str(site.output),
                 "--now", later, "--quiet"]) == 0
    assert "Closed on" in site.text("/opportunities/oxhey-eoi/")


def test_edit_just_after_a_build_is_never_missed(site):
    """Two saves in the same clock tick can leave a file with the same size and times;
    so a build of freshly saved files keeps no stamp, and the next build looks again."""
    site.build()
    assert not (site.root / STAMP).exists()
    site.edit("centres/oxhey.md", "phase: 2", "phase: 3")
    site.build()
    assert_same_as_full_build(site)

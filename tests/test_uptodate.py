"""A command-line build with nothing changed does nothing, and says so; any change to
content, templates, options or the published files is still seen (uptodate.py)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time

import pytest

from ccsite import incremental, quickedit
from ccsite.digests import FileDigests, status
from ccsite.pipeline import build
from ccsite.validate import BuildOptions
from pagetypes import copy_sample
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


@pytest.mark.parametrize("spelled", ["content", "./content", "content/", "./content/",
                                     "content/."])
def test_the_content_folder_spelled_otherwise_is_built_as_the_same_folder(
        site, monkeypatch, capsys, spelled):
    """`--source ./content` (or `content/`, as a shell completes it) names the folder
    `--source content` names: a build with one after a build with the other renders only
    what changed (it made every page again: the build memory knows documents by the name
    messages give them), a build with either after that finds nothing to do, and a
    mistake is told of the file by the one name."""
    from test_incremental import counting_renders

    from ccsite.cli import main

    def build_as(source: str) -> str:
        capsys.readouterr()
        main(["build", "--source", source, "--output", "_site", "--now", NOW])
        told = capsys.readouterr()
        return told.out + told.err

    rendered = counting_renders(monkeypatch)
    monkeypatch.chdir(site.root)
    settle(site)
    build_as("content")
    site.edit("lessons/more-time.md", "Body.", "A changed body.")
    settle(site)
    rendered.clear()
    build_as(spelled)
    assert sorted(rendered) == ["lessons/index.html", "lessons/more-time/index.html"]
    assert_same_as_full_build(site)
    assert "Nothing has changed since the last build" in build_as("content")
    site.edit("lessons/more-time.md", "summary:", "sumary:")
    assert "content/lessons/more-time.md:" in build_as(spelled).replace(
        "./content/", "(told otherwise)")


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


def test_a_template_in_a_folder_linked_into_templates_is_built_when_edited(site, tmp_path):
    """Partials shared between sites, linked into templates/: Jinja follows the link, and
    the check said "Nothing has changed" after one was edited (a link's own status does
    not change when a file in its folder does)."""
    shared = tmp_path / "shared-partials"
    shared.mkdir()
    (shared / "notice.html").write_text("<p>Offices closed on Friday</p>")
    templates = site.root / "templates"
    templates.mkdir()
    (templates / "partials").symlink_to(shared, target_is_directory=True)
    (templates / "loop").symlink_to(templates, target_is_directory=True)  # (walked once)
    (templates / "page.html").write_text(
        "{% extends 'base.html' %}{% block main %}<h1>{{ page.title }}</h1>"
        "{% include 'partials/notice.html' %}{% endblock %}")
    settle(site)
    os.utime(shared / "notice.html", (time.time() - 60,) * 2)
    assert site.build().status == 0
    (shared / "notice.html").write_text("<p>Offices open as usual</p>")
    os.utime(shared / "notice.html", (time.time() - 30,) * 2)
    result = site.build()
    assert "Nothing has changed" not in result.out
    assert "Offices open as usual" in site.page("/about/")


def test_editors_backup_and_hidden_files_in_the_themes_assets_are_not_published(site):
    """The up-to-date check leaves them out, as load does for content: they were
    published by a clean build and never seen again by the check (site.js~ kept stale)."""
    assets = site.root / "templates" / "assets"
    assets.mkdir(parents=True)
    (assets / "site.js").write_text("console.log(1);\n")
    for name in ("site.js~", ".DS_Store", "#site.js#", "site.js.swp"):
        (assets / name).write_text("draft\n")
    assert site.build().status == 0
    published = sorted(p.name for p in (site.output / "public/assets").iterdir())
    assert "site.js" in published
    assert not {"site.js~", ".DS_Store", "#site.js#", "site.js.swp"} & set(published)


def test_a_file_in_a_content_folder_named_like_pythons_cache_is_built_when_changed(site):
    """The check leaves out the `__pycache__` folders Python writes beside ccsite's code
    and the libraries'; a folder of that name among the content is content, and a change
    to a file in it is built, as the build publishes it."""
    site.write("media/__pycache__/times.txt", "Open 9 to 5.\n")
    settle(site)
    site.build()
    site.edit("media/__pycache__/times.txt", "9 to 5", "10 to 4")
    result = site.build()
    assert result.status == 0 and "Nothing has changed" not in result.out
    assert (site.output / "public/media/__pycache__/times.txt").read_text() == \
        "Open 10 to 4.\n"
    assert_same_as_full_build(site)


def test_every_library_ccsite_imports_is_watched_or_said_to_shape_nothing():
    """An upgrade of a library that shapes what a build makes is a change the check sees
    (uptodate.LIBRARIES, found where they are installed). Each library ccsite's code
    imports is that, or named as shaping nothing, with why (uptodate.SHAPING_NOTHING):
    a new dependency is neither until someone says which."""
    import ast
    from pathlib import Path

    from ccsite import uptodate

    imported = set()
    for path in Path(uptodate.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    libraries = imported - set(sys.stdlib_module_names) - {"ccsite"}
    assert libraries == set(uptodate.LIBRARIES) | set(uptodate.SHAPING_NOTHING)
    assert set(uptodate.libraries_read_by_builds()) == \
        {f"library {name}" for name in (*uptodate.LIBRARIES, "pagefind", "time zone")}


def test_what_a_build_is_made_with_is_its_code_and_libraries_not_its_content():
    """`made_with` (what the build memory must have been made with to be used) changes
    with any file of ccsite's code or of a library, and with no content or template."""
    from ccsite import uptodate

    inputs = {"ccsite/render.py": (None, "a"), "library jinja2/runtime.py": (None, "b"),
              "content/news/one.md": (None, "c"), "templates/base.html": (None, "d")}
    made = uptodate.made_with(inputs)
    for key in inputs:
        other = uptodate.made_with({**inputs, key: (None, "changed")})
        assert (other != made) == key.startswith(("ccsite/", "library ")), key


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


def test_build_later_the_same_day_is_up_to_date_until_the_site_would_change(site):
    """`ccsite build` without --now builds at the present moment: a build later the same
    day changes nothing and does nothing; at midnight (today's date is shown) or when a
    deadline passes, the site changes and is built."""
    settle(site)
    site.build("--now", "2026-11-25T09:00:00Z")
    assert "Nothing has changed" in site.build("--now", "2026-11-25T18:00:00Z").out
    # an earlier moment than the stamp's is not vouched for
    assert "Nothing has changed" not in site.build("--now", "2026-11-25T08:00:00Z").out
    assert "Nothing has changed" not in site.build("--now", "2026-11-26T00:00:01Z").out
    site.build("--now", "2027-01-29T09:00:00Z")  # the sample deadline is at 12:00
    assert "Nothing has changed" not in site.build("--now", "2027-01-29T12:00:01Z").out
    assert "Closed on" in site.text("/opportunities/oxhey-eoi/")
    assert_same_as_full_build(site, dt.datetime.fromisoformat("2027-01-29T12:00:01+00:00"))


def test_build_found_up_to_date_later_the_same_day_is_a_clean_build_at_that_moment(site):
    """The calendars stamp their events with the start of the build's day (UK time: in
    July, 23:00 UTC the day before), not its moment: kept by a build found up to date an
    hour later, they are what a clean build then makes."""
    settle(site)
    site.build("--now", "2026-07-01T10:00:00Z")
    assert "Nothing has changed" in site.build("--now", "2026-07-01T11:00:00Z").out
    deadline = site.output / "public/opportunities/oxhey-eoi/deadline.ics"
    assert "DTSTAMP:20260630T230000Z" in deadline.read_text(encoding="utf-8")
    assert_same_as_full_build(site, dt.datetime.fromisoformat("2026-07-01T11:00:00+00:00"))


def test_build_right_after_the_files_were_saved_is_up_to_date_the_next_time(site):
    """A cold build of files saved moments before keeps its stamp (it once kept none, so
    the build after it did the whole work again); the next one with nothing changed does
    nothing, and an edit just after it, of the same size, is still seen."""
    site.build()
    assert (site.root / STAMP).exists()
    assert "Nothing has changed" in site.build().out
    site.edit("centres/oxhey.md", "phase: 2", "phase: 3")
    assert "Nothing has changed" not in site.build().out
    assert_same_as_full_build(site)


def test_file_saved_moments_before_it_was_read_is_read_again_next_time(tmp_path):
    """Two saves in one tick of the clock can leave a file with the same size and times:
    a file whose status was taken within the racy moments is not trusted to it."""
    path = tmp_path / "news.md"
    path.write_text("first")
    fresh = FileDigests()
    first = fresh.digest(str(path))
    noted_status = status(os.stat(path))
    assert FileDigests(fresh.used).known(str(path), noted_status) is None  # racy: read it
    settled = FileDigests(fresh.used)
    settled.racy_from = time.time_ns() + 10**9  # as if read long after it was saved
    settled.digest(str(path))
    assert FileDigests(settled.used).known(str(path), noted_status) == first


def test_copy_of_the_site_with_new_file_times_is_up_to_date_by_its_bytes(site):
    """Every file anew (a fresh clone, the output and the cache restored by CI): the
    bytes are compared, and nothing has changed."""
    settle(site)
    site.build()
    later = time.time() - 30
    for path in [*site.content.rglob("*"), *site.output.rglob("*")]:
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)  # a new inode, new times, the same bytes
            os.utime(path, (later, later))
    assert "Nothing has changed" in site.build().out
    (site.output / "public/lessons/index.html").write_bytes(b"tampered")
    os.utime(site.output / "public/lessons/index.html", (later, later))
    assert "Nothing has changed" not in site.build().out
    assert_same_as_full_build(site)


def test_build_found_up_to_date_loads_no_template_markdown_or_yaml_library(site):
    """The up-to-date check is the whole of a routine build when nothing changed: it
    imports none of what a build with work to do needs (a third of its time)."""
    settle(site)
    site.build()
    code = ("import sys; from ccsite.cli import main; main(['build', '--source', "
            f"{str(site.content)!r}, '--output', {str(site.output)!r}, '--now', {NOW!r}]); "
            "print(sorted(m for m in ('jinja2', 'markdown', 'yaml', 'cryptography', "
            "'ccsite.stages', 'ccsite.load') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Nothing has changed" in done.stdout, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_build_after_a_body_edit_loads_no_code_highlighter_nor_package_metadata(site):
    """A build that converts a body imports Python-Markdown, whose fenced code imports
    Pygments where it is installed (as here: pytest needs it), and Pygments the package
    metadata of its plugins: 13 ms of a one-edit build, for highlighting ccsite never
    turns on. Neither is imported, and a fenced block is still the plain one."""
    import importlib.util

    assert importlib.util.find_spec("pygments") is not None  # (or this would prove nothing)
    settle(site)
    site.build()
    site.edit("news/centres-open.md", "See [Oxhey](/centres/oxhey/).",
              "See [Oxhey](/centres/oxhey/).\n\n```python\nprint('hello')\n```")
    code = ("import sys; from ccsite.cli import main; main(['build', '--source', "
            f"{str(site.content)!r}, '--output', {str(site.output)!r}, '--now', {NOW!r}]); "
            "print(sorted(m for m in ('markdown', 'pygments', 'importlib.metadata') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Nothing has changed" not in done.stdout, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "['markdown']", done.stderr
    page = (site.output / "public/news/centres-open/index.html").read_text()
    assert "<pre><code>print('hello')\n</code></pre>" in page


def _every_moment(value, depth: int = 0) -> list[dt.datetime]:
    """Every zoned date-time a reading holds, found by walking all of it (objects, lists
    (a reading, its item, a list in it, an object listed, its fields), not by the fields'
    declared types as the build does."""
    if isinstance(value, dt.datetime):
        return [value] if value.tzinfo is not None else []
    if depth > 4:
        return []
    if dataclasses.is_dataclass(value):
        return [m for f in dataclasses.fields(value)
                for m in _every_moment(getattr(value, f.name), depth + 1)]
    if isinstance(value, (list, tuple)):
        return [m for each in value for m in _every_moment(each, depth + 1)]
    return []


def test_build_is_vouched_for_only_until_the_next_moment_any_document_gives(tmp_path):
    """The stamp's `valid_until` counts every date-time the documents hold: a deadline, a
    consultation's opening and closing, a publish date, each briefing event's start and
    end. Each moment of the sample is found as the end of the stamp begun just before it."""
    memory = incremental.BuildMemory()
    build(copy_sample(tmp_path), tmp_path / "_site",
          BuildOptions(now=dt.datetime.fromisoformat(NOW)), memory=memory)
    moments = sorted({m for _, _, read in memory.read_as.values() if isinstance(read, tuple)
                      for m in _every_moment(read)})
    assert len(moments) >= 8, moments  # the sample's deadlines, events and consultations
    read_as = memory.read_as
    ends = {moment: quickedit.valid_until(moment - dt.timedelta(seconds=1), read_as)
            for moment in moments}
    assert [moment for moment, end in ends.items() if end != moment] == []


def test_a_librarys_own_tests_are_not_looked_at_but_its_code_is(site, monkeypatch, tmp_path):
    """The check looks at each library that shapes a build (an upgrade is a change), but
    not at the tests some ship inside their package (icalendar: 330 files), which no
    build reads: one changed leaves the site up to date, the library's code changed
    does not."""
    from ccsite import uptodate

    library = tmp_path / "icalendar"
    (library / "tests").mkdir(parents=True)
    (library / "__init__.py").write_text("__version__ = '6.1.0'\n")
    (library / "tests" / "calendar.ics").write_text("BEGIN:VCALENDAR\n")
    monkeypatch.setattr(uptodate, "libraries_read_by_builds",
                        lambda: {"library icalendar": library})
    settle(site)
    assert site.build().status == 0
    (library / "tests" / "calendar.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    assert "Nothing has changed" in site.build().out
    (library / "__init__.py").write_text("__version__ = '6.1.1'\n")
    past = time.time() - 60  # (saved a while ago: found changed by its status alone)
    os.utime(library / "__init__.py", (past, past))
    assert "Nothing has changed" not in site.build().out

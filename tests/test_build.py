"""Building sites as an editor does: what appears, what does not, and when."""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ccsite import theme
from ccsite.bodies import CACHE_FILE as BODIES_CACHE_FILE
from ccsite.cli import main
from conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "templates"


def test_opportunity_open_before_its_deadline_says_how_long_is_left(site):
    result = site.build()
    assert result.status == 0, result.err
    page = site.text("/opportunities/oxhey-eoi/")
    assert "Closes in 65 days" in page
    assert "midday on 29 January 2027" in page


def test_expired_opportunity_is_shown_closed(site):
    site.build()
    site.build("--now", "2027-01-29T12:00:01Z")  # the later --now wins
    page = site.text("/opportunities/oxhey-eoi/")
    assert "Closed on 29 January 2027" in page
    assert "Closes in" not in page
    index = site.page("/opportunities/")
    closed = index.split('id="closed"', 1)[1]
    assert "Lead agency for Oxhey" in closed


def test_opportunity_is_closed_at_the_very_second_of_its_deadline(site):
    """The deadline is the moment applications stop: open one second before it, closed at
    it (a `>=` in place of `>` would keep it open for that second)."""
    assert site.build("--now", "2027-01-29T11:59:59Z").status == 0
    before = site.text("/opportunities/oxhey-eoi/")
    assert "Closes today" in before and "Status Open" in before
    assert "Add the deadline to your calendar" in before
    assert site.build("--now", "2027-01-29T12:00:00Z").status == 0
    page = site.text("/opportunities/oxhey-eoi/")
    assert "Closed on 29 January 2027" in page
    assert "Closes today" not in page and "Status Open" not in page
    assert "Add the deadline to your calendar" not in page
    closed = site.page("/opportunities/").split('id="closed"', 1)[1]
    assert "Lead agency for Oxhey" in closed


def test_planning_opportunity_is_upcoming(site):
    site.edit("opportunities/oxhey-eoi.md", "status: active", "status: planning")
    site.edit("opportunities/oxhey-eoi.md", "deadline: 2027-01-29T12:00:00Z\n", "")
    assert site.build().status == 0
    upcoming = site.page("/opportunities/").split('id="upcoming"', 1)[1].split('id="closed"')[0]
    assert "Lead agency for Oxhey" in upcoming


def test_draft_is_left_out_unless_drafts_are_asked_for(site):
    site.edit("news/centres-open.md", "title: Centres open", "title: Centres open\ndraft: true")
    assert site.build().status == 0
    assert not (site.output / "public/news/centres-open").exists()
    assert "Centres open" not in site.page("/news/")
    assert site.build("--drafts").status == 0
    assert "Centres open" in site.page("/news/centres-open/")


def test_publish_date_holds_a_page_back_until_it_comes(site):
    site.edit("news/centres-open.md", "title: Centres open",
              "title: Centres open\npublish_date: 2026-12-01T09:00:00Z")
    site.build()
    assert not (site.output / "public/news/centres-open").exists()
    site.build("--now", "2026-12-01T09:00:00Z")
    assert (site.output / "public/news/centres-open/index.html").exists()


def test_expired_page_is_taken_down(site):
    site.edit("pages/about.md", "nav_order: 1", "nav_order: 1\nexpires: 2026-01-01")
    site.build()
    assert not (site.output / "public/about").exists()
    assert "About the programme" not in site.page("/")


def test_deleted_source_page_disappears_from_output(site):
    site.build()
    assert (site.output / "public/lessons/more-time/index.html").exists()
    site.remove("lessons/more-time.md")
    assert site.build().status == 0
    assert not (site.output / "public/lessons/more-time").exists()


def test_two_builds_with_the_same_now_are_byte_identical(tmp_path):
    """Two copies of the sample, in different folders, each built from an empty cache."""
    from pagetypes import build, copy_sample

    outputs = []
    for name in ("one", "two"):
        root = build(copy_sample(tmp_path / name), tmp_path / name / "_site")
        # every root (public, members, deploy), and the lock file
        outputs.append({p.relative_to(root): p.read_bytes() for p in root.rglob("*")
                        if p.is_file() and ".ccsite-spare-" not in p.as_posix()})
    assert outputs[0].keys() == outputs[1].keys()
    assert outputs[0] == outputs[1]


def test_markdown_links_follow_the_base_url_path(site):
    site.edit("site.yaml", "https://cc.example.org/", "https://example.org/children/")
    assert site.build().status == 0
    page = site.page("/news/centres-open/")
    assert 'href="/children/centres/oxhey/"' in page
    assert 'href="/centres/oxhey/"' not in page


def test_site_moved_to_another_base_url_links_to_the_new_one(site):
    """Compiled templates are kept between builds; the addresses they work out when
    compiled (`'/assets/style.css'|url`) must follow base_url all the same."""
    assert site.build().status == 0
    site.edit("site.yaml", "https://cc.example.org/", "https://example.org/children/")
    assert site.build().status == 0
    page = site.page("/news/centres-open/")
    assert 'href="/children/assets/style.css' in page
    assert 'href="/assets/' not in page and 'href="/feed.xml"' not in page
    site.edit("site.yaml", "https://example.org/children/", "https://cc.example.org/")
    assert site.build().status == 0
    assert 'href="/assets/style.css' in site.page("/news/centres-open/")


def test_template_link_outside_the_base_url_path_fails_the_build_told_once_at_its_line(site):
    """A site's base.html linking '/assets/logo.svg' under a base path was told once for
    each of its 390 pages, at each page's template, none of which has it (a theme
    customiser's review): it is told once, at the line that writes it."""
    site.edit("site.yaml", "https://cc.example.org/", "https://example.org/children/")
    (site.root / "templates").mkdir()
    (site.root / "templates" / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}<a href="/feed.xml">Feed</a>{% endblock %}')
    base = (THEME / "base.html").read_text(encoding="utf-8")
    (site.root / "templates" / "base.html").write_text(
        base.replace("<body>", '<body>\n<img src="/assets/logo.svg" alt="The council">', 1))
    result = site.build()
    assert result.status == 1
    lesson, base_html = (site.root / "templates" / name for name in ("lesson.html", "base.html"))
    logo = next(n for n, text in enumerate(base_html.read_text().splitlines(), 1)
                if "logo.svg" in text)
    told = sorted((line for line in result.err.splitlines() if ": link: " in line),
                  key=lambda line: "logo" in line)
    assert told[0] == (
        f"{lesson}:1: link: '/feed.xml' leads outside the site, which lives at "
        "https://example.org/children/ (a template should write '/path'|url; a page, a site "
        "path) (linked from /lessons/more-time/)"), told
    assert told[1].startswith(f"{base_html}:{logo}: link: '/assets/logo.svg' leads outside")
    assert told[1].endswith(" more pages)") and len(told) == 2


def test_raw_html_in_markdown_is_sanitised(site):
    site.edit("news/centres-open.md", "See [Oxhey]",
              '<script>alert(1)</script><img src="/media/pack.pdf" onerror="alert(2)">'
              '<a href="javascript:alert(3)">x</a> See [Oxhey]')
    assert site.build().status == 0
    page = site.page("/news/centres-open/")
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page


def test_fenced_code_with_options_markdown_reads_as_on_or_off_is_shown_as_code(site):
    """A fenced block's options in braces are Python-Markdown's (attr_list); those it
    reads as on or off (linenums, guess_lang) made its writer fail on the True or False
    it read, and the build end in a traceback. The block is shown as code, as one with
    a language alone is."""
    fences = ['```{ .python linenums="1" }', "``` { .js guess_lang=no #example }",
              "```{ .python use_pygments=false }", "```python"]
    site.edit("news/centres-open.md", "See [Oxhey]", "".join(
        f"{fence}\nx = {number}\n```\n\n" for number, fence in enumerate(fences)) +
        "See [Oxhey]")
    result = site.build()
    assert result.status == 0, result.err
    page = site.page("/news/centres-open/")
    for number in range(len(fences)):
        assert f"<pre><code>x = {number}\n</code></pre>" in page


def test_site_templates_override_the_default_theme(site):
    (site.root / "templates").mkdir(exist_ok=True)
    (site.root / "templates" / "lesson.html").write_text(
        "<!doctype html><title>{{ lesson.title }}</title><p>OUR OWN LESSON PAGE</p>")
    assert site.build().status == 0
    assert "OUR OWN LESSON PAGE" in site.page("/lessons/more-time/")
    assert "OUR OWN LESSON PAGE" not in site.page("/lessons/")


def test_broken_site_template_is_reported_with_its_line(site):
    (site.root / "templates").mkdir(exist_ok=True)
    (site.root / "templates" / "lesson.html").write_text("<p>\n{% if %}\n")
    result = site.build()
    assert result.status == 1
    assert result.err.startswith(f"{site.root / 'templates' / 'lesson.html'}:2: template:")


@pytest.mark.parametrize("line, expected", [
    ("{{ lesson.titel }}", "has no attribute 'titel'"),
    ("{{ lesosn.title }}", "'lesosn' is undefined"),
    ('{% include "nothere.html" %}', "'nothere.html' was not found"),
    ("{{ lesson.title / 0 }}", "unsupported operand type(s) for /: 'str' and 'int' (TypeError)"),
], ids=["attribute", "variable", "include", "operation"])
def test_template_mistake_at_render_time_is_told_at_its_line(site, line, expected):
    (site.root / "templates").mkdir(exist_ok=True)
    (site.root / "templates" / "lesson.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>Lesson</h1>\n' + line +
        "\n{% endblock %}\n")
    result = site.build()
    assert result.status == 1
    first = result.err.splitlines()[0]
    assert first.startswith(f"{site.root / 'templates' / 'lesson.html'}:4: template: "), first
    assert first.endswith(expected), first
    assert "Traceback" not in result.err


def test_macro_file_copied_from_an_older_theme_is_told_what_to_change(site):
    """macros.html is imported without the page's variables; a copy whose macro still
    reads `site` fails plainly, saying what a macro can use instead."""
    (site.root / "templates").mkdir(exist_ok=True)
    theme = (Path(__file__).parent.parent / "templates" / "macros.html").read_text()
    (site.root / "templates" / "macros.html").write_text(theme.replace(
        '{{ centre.service_names|join("; ") }}',
        "{% for key in centre.services %}{{ site.config.service_types[key] }}{% endfor %}"))
    result = site.build()
    assert result.status == 1
    assert "template: 'site' is undefined (macros.html is imported without the page's " \
           "variables" in result.err
    assert "centre.service_names" in result.err


def test_media_files_are_copied_as_they_are(site):
    site.write("media/photos/centre.jpg", b"\xff\xd8\xff fake jpeg")
    assert site.build().status == 0
    assert (site.output / "public/media/photos/centre.jpg").read_bytes() == b"\xff\xd8\xff fake jpeg"
    assert (site.output / "public/media/pack.pdf").exists()


def test_members_content_is_not_in_the_public_output(site):
    assert site.build().status == 0
    for path in (site.output / "public").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"dads" not in data.lower() and b"Members-only body" not in data, path


def test_interrupted_swap_is_recovered_by_the_next_build(site):
    site.build()
    public = site.output / "public"
    public.rename(site.output / ".ccsite-old-public-999")  # killed between the two renames
    (site.output / ".ccsite-tmp-public-998").mkdir()
    assert site.build().status == 0
    assert (public / "index.html").exists()
    assert sorted(p.name for p in site.output.iterdir() if not p.name.startswith(".")) == \
        ["deploy", "members", "public"]


def test_wrong_usage_exits_with_status_2(site, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--now", "yesterday"])
    assert exit_info.value.code == 2
    assert "is not a date-time" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--now", "2026-11-25T09:00:00"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59Z", "9999-12-31", "0001-01-01"])
def test_a_moment_at_the_calendars_end_is_refused_as_wrong_usage(site, capsys, now):
    """The build counts a year or two either side of --now (old news, days off listed
    ahead): a moment at the calendar's end ended it in a traceback."""
    with pytest.raises(SystemExit) as exit_info:
        site.build("--now", now)
    assert exit_info.value.code == 2
    assert "too far from today to build for" in capsys.readouterr().err


@pytest.mark.parametrize("now, monday", [("2026-W48", "2026-W48-1"), ("2026W48", "2026W481")])
def test_a_week_without_its_day_is_refused_as_wrong_usage(site, capsys, now, monday):
    """Python reads a week alone as its Monday: a build for a day nobody gave."""
    with pytest.raises(SystemExit) as exit_info:
        site.build("--now", now)
    assert exit_info.value.code == 2
    assert f"'{now}' is a week, not a day; give the day too ({monday} is its Monday)" in \
        capsys.readouterr().err


@pytest.mark.parametrize("now", ["20261125", "2026-W48-3"])
def test_a_day_written_in_another_iso_form_is_that_day(site, now):
    """ISO 8601's other ways of writing 25 November 2026 are that day, as 2026-11-25 is
    (they were refused as date-times without a zone)."""
    assert site.build("--now", now).status == 0
    by_date = site.snapshot()
    assert site.build("--now", "2026-11-25").status == 0
    assert site.snapshot() == by_date


def test_missing_content_folder_is_a_content_error(tmp_path, capsys):
    assert main(["build", "--source", str(tmp_path / "nowhere"), "--output",
                 str(tmp_path / "out")]) == 1
    assert "content folder not found" in capsys.readouterr().err


def test_console_command_and_build_py_build_the_sample_site(tmp_path):
    """As the quick start runs it: `python build.py` from the top of the repository."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "content", work / "content")
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--now",
                           "2026-11-25T12:00:00Z"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Built" in done.stdout and "warn" not in (done.stdout + done.stderr).lower()
    assert (work / "_site/public/index.html").exists()
    (work / "content/news/broken.md").write_text("---\ntitle: [unclosed\n---\nBody.\n")
    failed = subprocess.run([sys.executable, str(ROOT / "build.py"), "--now",
                             "2026-11-25T12:00:00Z"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=120)  # (ended as `ccsite` ends: cli.entry)
    assert failed.returncode == 1 and "content/news/broken.md:2" in failed.stderr
    assert failed.stderr.rstrip().endswith("build again.")
    (work / "content/news/broken.md").unlink()
    done = subprocess.run([sys.executable, "-m", "ccsite", "build", "--source",
                           str(work / "content"), "--output", str(tmp_path / "m"), "--now",
                           "2026-11-25"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_command_line_build_ends_with_its_status_and_all_it_printed(site):
    """The `ccsite` command ends a build without freeing what it holds (cli.entry): its
    exit status, everything it printed into a pipe, and the cache it kept must survive."""
    command = [sys.executable, "-m", "ccsite", "build", "--source", str(site.content),
               "--output", str(site.output), "--now", "2026-11-25T12:00:00Z"]
    # as a terminal-less CI job runs it: what is printed waits in a buffer
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    run = functools.partial(subprocess.run, command, capture_output=True, text=True,
                            timeout=120, env=env)
    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built ") and done.stdout.endswith(f"--output {site.output}\n")
    again = run()
    assert again.returncode == 0 and "Nothing has changed" in again.stdout
    site.write("news/broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    failed = run()
    assert failed.returncode == 1 and "news/broken.md:2" in failed.stderr
    assert failed.stderr.rstrip().endswith("build again.")


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_failed_build_told_to_a_reader_that_stopped_still_fails(site, command):
    """A script's `ccsite build 2>&1 | head -3`: the mistakes go to a pipe whose reader
    has gone, and the command still ends with status 1 (it ended with 0, and a failed
    build looked like a good one to the script)."""
    site.write("news/broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    output = ["--output", str(site.output)] if command == "build" else []
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    reader, writer = os.pipe()
    os.close(reader)  # (the reader stopped before anything was told)
    try:
        done = subprocess.run([sys.executable, "-m", "ccsite", command, "--source",
                               str(site.content), *output, "--now", "2026-11-25T12:00:00Z"],
                              stdout=writer, stderr=writer, env=env, timeout=120)
    finally:
        os.close(writer)
    assert done.returncode == 1


def test_a_build_started_with_its_output_closed_ends_with_its_status(site):
    """Run by a job runner that gives it no standard output (`ccsite build >&-`): the
    site is built and the command ends with status 0 (it ended in a traceback)."""
    done = subprocess.run([sys.executable, "-m", "ccsite", "build", "--source",
                           str(site.content), "--output", str(site.output), "--now",
                           "2026-11-25T12:00:00Z"], stderr=subprocess.PIPE, text=True,
                          timeout=120, preexec_fn=lambda: os.close(1))
    assert done.returncode == 0 and done.stderr == ""
    assert (site.output / "public/index.html").is_file()


@pytest.mark.parametrize("case", ["a build told to a full disk", "a check told to a full disk",
                                  "a site made through a file", "a build told in ASCII",
                                  "the reference written in ASCII"])
def test_what_the_system_refuses_is_told_in_a_line_not_a_traceback(site, tmp_path, case):
    """Run by cron or CI, where output may go to a full disk or in an encoding without
    the letters of a name: the command tells what the system refused in one line and
    ends with status 1 (it ended in a traceback). What a build tells (not data) shows
    such a letter escaped, as its mistakes do; a command's data (the reference, read by
    people and programs) is never written escaped, but refused."""
    (tmp_path / "a-file").write_text("")
    command, stdout, env = {
        "a build told to a full disk": (["build"], "/dev/full", {}),
        "a check told to a full disk": (["check"], "/dev/full", {}),
        "a site made through a file": (["init", str(tmp_path / "a-file" / "site")], None, {}),
        "a build told in ASCII": (["build", "--output", str(tmp_path / "sité")], None,
                                  {"PYTHONIOENCODING": "ascii"}),
        "the reference written in ASCII": (["reference"], None, {"PYTHONIOENCODING": "ascii"}),
    }[case]
    if command[0] in ("build", "check"):
        command += ["--source", str(site.content), "--now", "2026-11-25T12:00:00Z"]
    with open(stdout or os.devnull, "w") as out:
        done = subprocess.run([sys.executable, "-m", "ccsite", *command], stdout=out,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, **env}, cwd=tmp_path)
    assert "Traceback" not in done.stderr
    if case == "a build told in ASCII":
        assert done.returncode == 0 and (tmp_path / "sité/public/index.html").is_file()
    elif case == "the reference written in ASCII":
        assert done.returncode == 1 and done.stderr.startswith("ccsite: what it prints holds")
    else:
        assert done.returncode == 1
        told = done.stderr.splitlines()  # (a check tells its warnings first)
        assert told[-1].startswith("ccsite: ") and "ccsite: " not in "".join(told[:-1])


def test_an_output_folder_that_cannot_be_written_is_named_as_given(site):
    """An output folder the build user may not write in (made read-only, or another
    user's) is told by the name it was given, and the last good site stays as it was
    (the message named the folder the build makes for itself inside it, .ccsite-stage-N)."""
    assert site.build().status == 0
    before = site.snapshot()
    if os.geteuid() == 0:  # root, without its power to write anywhere
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
    else:
        command = []
    site.edit("news/centres-open.md", "See [Oxhey]", "Now see [Oxhey]")
    os.chmod(site.output, 0o555)
    try:
        done = subprocess.run([*command, sys.executable, "-m", "ccsite", "build", "--source",
                               str(site.content), "--output", str(site.output), "--now",
                               "2026-11-25T12:00:00Z"], capture_output=True, text=True,
                              timeout=120)
    finally:
        os.chmod(site.output, 0o755)
    assert done.returncode == 1
    assert done.stderr.startswith(f"{site.output}:1: output: cannot be written "
                                  "(Permission denied)"), done.stderr
    assert site.snapshot() == before


def test_a_stray_file_named_not_in_utf_8_beside_the_content_is_built_past(site):
    """A file copied from a system that writes names otherwise, left in templates/ or the
    secrets folder: the build is done, warns of the template by its name with the bytes
    written out, and the next build finds the site up to date (the build's stamp could
    not be kept, and every build ended in a traceback)."""
    (site.root / "templates").mkdir()
    (site.root / "templates" / "caf\udce9.txt").write_text("")
    (site.root / ".ccsite-secrets").mkdir(mode=0o700)
    (site.root / ".ccsite-secrets" / "caf\udce9").write_text("")
    result = site.build("--verbose")
    assert result.status == 0, result.err
    assert "templates/caf\\xe9.txt:1: theme: warning:" in result.out
    assert "Nothing has changed since the last build" in site.build().out


@pytest.mark.parametrize("option", ["--source", "--output", "--templates", "--secrets"])
def test_a_folder_named_not_in_utf_8_is_a_mistake_told_by_its_name(site, capsys, option):
    """A folder named on a system that writes names otherwise (its bytes read as
    stand-ins) cannot be kept in the build's memory nor passed to Pagefind: it is told
    as a mistake of that option, with the bytes written out (a build ended in a
    traceback, or in a line blaming the terminal's encoding)."""
    folder = site.root / "caf\udce9"
    if option == "--source":
        shutil.copytree(site.content, folder)
    elif option != "--output":
        folder.mkdir()
    given = {"--source": str(site.content), "--output": str(site.output), option: str(folder)}
    assert main(["build", *(part for pair in given.items() for part in pair), "--now",
                 "2026-11-25T12:00:00Z"]) == 1
    name = option.removeprefix("--")
    assert capsys.readouterr().err.startswith(
        f"{site.root}/caf\\xe9:1: {name}: the folder's path is not written in UTF-8")


def test_only_the_outputs_own_encoding_is_blamed_for_a_letter_it_cannot_write(capsys):
    """A letter the output's encoding lacks (ASCII) is told in a line naming it; a failure
    to write UTF-8, which has every letter, is ccsite's own and is not put on the
    terminal (it was, with advice to set a locale that was set already)."""
    import argparse

    from ccsite import cli

    def failing(encoding: str):
        def run(args):
            "caf\udce9".encode(encoding)
        return argparse.Namespace(run=run)
    assert cli._run(failing("ascii")) == 1
    assert "which its output's encoding (ascii) cannot write" in capsys.readouterr().err
    with pytest.raises(UnicodeEncodeError):
        cli._run(failing("utf-8"))


def test_build_from_cache_equals_build_from_scratch(site):
    import shutil

    assert site.build().status == 0
    fresh = site.snapshot()
    assert (site.root / ".ccsite-cache" / BODIES_CACHE_FILE).exists()
    assert site.build().status == 0
    assert site.snapshot() == fresh
    (site.root / ".ccsite-cache" / BODIES_CACHE_FILE).write_text("{not cbor")  # damaged
    assert site.build().status == 0
    assert site.snapshot() == fresh
    shutil.rmtree(site.root / ".ccsite-cache")
    assert site.build().status == 0
    assert site.snapshot() == fresh


def test_edited_body_is_not_served_from_the_cache(site):
    site.build()
    site.edit("news/centres-open.md", "See [Oxhey]", "Now see [Oxhey]")
    site.build()
    assert "Now see" in site.text("/news/centres-open/")


def test_news_pagination_shows_first_last_and_neighbours_not_every_page(site):
    """A programme with years of news has hundreds of news pages; each one links to the
    first and last, its neighbours, and Previous/Next (GOV.UK pattern), not to all."""
    for number in range(1, 96):  # with the fixture's item: 96 items, 10 pages
        site.write(f"news/item-{number}.md", f"---\ntitle: Item {number}\n"
                   f"date: 2010-01-{number % 28 + 1:02d}\nsummary: Item.\n---\nBody.\n")
    assert site.build().status == 0
    page = site.page("/news/page/5/")
    pagination = page[page.index('class="pagination"'):page.index("</nav>", page.index(
        'class="pagination"'))]
    numbers = re.findall(r'</span>(\d+)</a>', pagination)
    assert numbers == ["1", "4", "5", "6", "10"]
    assert pagination.count("&hellip;") == 2
    assert 'aria-current="page"><span class="visually-hidden">Page </span>5<' in pagination
    assert 'rel="prev"' in pagination and 'rel="next"' in pagination
    first = site.page("/news/")
    assert re.findall(r'</span>(\d+)</a>', first[first.index('class="pagination"'):]) \
        [:3] == ["1", "2", "10"]


def test_opening_hours_read_in_the_week_order_with_midday_and_midnight(site):
    site.edit("centres/oxhey.md", '  - {days: [mon, tue, wed, thu, fri], opens: "09:00", '
              'closes: "17:00"}\n', '  - {days: [sat], opens: "00:00", closes: "12:00"}\n'
              '  - {days: [mon, tue, wed, thu, fri], opens: "09:00", closes: "17:00"}\n')
    assert site.build().status == 0
    text = site.text("/centres/oxhey/")
    assert "Monday to Friday : 9am to 5pm Saturday : midnight to midday" in text


def test_cancelled_opportunity_says_cancelled_once_in_lists(site):
    site.edit("opportunities/oxhey-eoi.md", "status: active", "status: cancelled")
    assert site.build().status == 0
    assert "Cancelled Cancelled" not in site.text("/opportunities/")
    assert "Cancelled" in site.text("/opportunities/")
    assert "Cancelled This opportunity was cancelled." in site.text("/opportunities/oxhey-eoi/")


def test_closed_centre_without_a_lead_agency_has_no_lead_agency_row(site):
    site.edit("centres/oxhey.md", "lead_agency: oxhey-trust\n", "")
    site.edit("centres/oxhey.md", "status: open", "status: closed")
    assert site.build().status == 0
    assert not re.search(r"<dt[^>]*>\s*Lead agency", site.page("/centres/oxhey/"))


def test_centre_with_a_location_links_to_a_map_with_directions(site):
    site.edit("centres/oxhey.md", "services:", "location: {lat: 51.633, lon: -0.387}\nservices:")
    assert site.build().status == 0
    assert ('<a href="https://www.openstreetmap.org/directions?route=%3B51.633%2C-0.387#map=17/'
            '51.633/-0.387">Map and directions (OpenStreetMap)<span class="visually-hidden">, '
            'to ') in site.page("/centres/oxhey/")  # (its visible words whole in its name:
    # WCAG 2.5.3); the way there asked from wherever one is, to the centre
    site.edit("centres/oxhey.md", "status: open", "status: planned")  # (no building yet)
    assert site.build().status == 0
    assert "Map and directions" not in site.page("/centres/oxhey/")


def test_link_to_a_draft_says_the_page_is_a_draft(site):
    site.edit("lessons/more-time.md", "order: 1", "order: 1\ndraft: true")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [the lesson](/lessons/more-time/), [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert (f"{site.content}/news/centres-open.md:6: link: '/lessons/more-time/' is the address "
            "of lessons/more-time.md, which is not in this build (it is a draft); publish it, "
            "or link elsewhere") in result.err


def test_a_document_that_expires_while_others_link_to_it_leaves_the_next_builds_going(
        site, capsys):
    """The day an opportunity linked from a news item and a consultation expired, every
    build stopped on those links: the whole site stood still, its deadlines and lists as
    they were, and the round its editor wanted taken down stayed up (a review over a year
    of builds). Its links are now a warning, at their lines; the round is taken down."""
    site.edit("lessons/more-time.md", "order: 1", "order: 1\nexpires: 2027-01-10")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [the lesson](/lessons/more-time/), [Oxhey]")
    site.write("consultations/have-your-say.md", CONSULTATION_LINKING_THE_LESSON)
    assert site.build("--now", "2027-01-09T12:00:00Z").status == 0
    assert (site.output / "public/lessons/more-time/index.html").is_file()
    result = site.build("--now", "2027-01-10T12:00:00Z")
    assert result.status == 0, result.err
    assert not (site.output / "public/lessons/more-time/index.html").exists()
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", "2027-01-10T12:00:00Z"]) == 0
    told = capsys.readouterr().err
    for file, line in (("news/centres-open.md", 6), ("consultations/have-your-say.md", 10)):
        assert (f"{site.content}/{file}:{line}: link: warning: '/lessons/more-time/' is the "
                "address of lessons/more-time.md, which is not in this build (it expired on "
                "2027-01-10T00:00:00+00:00), so the link leads to 'page not found' now; take it "
                "out, or link elsewhere") in told, told


CONSULTATION_LINKING_THE_LESSON = """\
---
title: Have your say on opening hours
summary: Tell us when you would use the centres.
opens: 2026-11-01T09:00:00Z
closes: 2027-03-01T17:00:00Z
respond:
  email: hours@example.org
---
Read why
[we allow more time](/lessons/more-time/) first.
"""


def test_every_theme_template_begins_with_its_revision():
    """What tells a site's copy from an older theme (ccsite/theme.py): after an edit of
    the theme, run `python3 -m ccsite.theme`."""
    stale = [name for name, path in theme.templates_of(THEME)
             if theme.stamped(name, path.read_text(encoding="utf-8")) !=
             path.read_text(encoding="utf-8")]
    assert len(theme.templates_of(THEME)) > 30
    assert not stale, f"run python3 -m ccsite.theme: {stale}"


def test_a_copy_of_a_template_from_an_older_theme_is_warned_of(site, capsys):
    """A centre.html copied before the theme learned the centres' closures said "Open now"
    on Christmas Day after an upgrade, and nothing said so (a theme customiser's review).
    A copy of the theme as it is, however edited, is the site's own business."""
    current = (THEME / "centre.html").read_text(encoding="utf-8")
    body = theme.MARK.sub("", current, count=1)
    older = theme.stamped("centre.html", body.replace("{% block title %}",
                                                      "{# (older) #}{% block title %}"))
    (site.root / "templates").mkdir()
    copy = site.root / "templates" / "centre.html"
    told = {}
    for made in ("older", "edited"):
        copy.write_text(older if made == "older" else current.replace("</h1>", "!</h1>", 1),
                        encoding="utf-8")
        capsys.readouterr()
        assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
        told[made] = [line for line in capsys.readouterr().err.splitlines() if "theme:" in line]
    assert told == {"older": [
        f"{copy}:1: theme: warning: this is a copy of the theme's centre.html from an earlier "
        "version of ccsite, and the theme's has changed since: what it shows now, your copy "
        f"does not. Compare the two (the theme's is {THEME / 'centre.html'}), bring your copy "
        "up to date, then give it the theme's first line"], "edited": []}


def test_site_template_not_saved_as_utf8_is_told_at_its_line(site):
    """A template saved in another encoding (Windows-1252's curly quote, say) is a
    template mistake at its line, with how to mend it: no traceback."""
    (site.root / "templates").mkdir(exist_ok=True)
    (site.root / "templates" / "lesson.html").write_bytes(
        b'{% extends "base.html" %}\n{% block main %}\n<h1>Our \x93lesson\x94</h1>\n'
        b"{% endblock %}\n")
    result = site.build()
    assert result.status == 1
    assert result.err.startswith(f"{site.root / 'templates' / 'lesson.html'}:3: template: "
                                 "not UTF-8 text"), result.err
    assert "save the file as UTF-8" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_templates_folder_mistyped_is_refused_not_left_unused(site, capsys, command):
    """`--templates site/tempaltes` built and published the default theme, status 0, with
    no word (a theme customiser's review)."""
    (site.root / "templates").mkdir()
    folder = ["--output", str(site.output)] if command == "build" else []
    with pytest.raises(SystemExit) as stopped:
        main([command, "--source", str(site.content), *folder, "--templates",
              str(site.root / "tempaltes")])
    assert stopped.value.code == 2
    assert (f"argument --templates: '{site.root / 'tempaltes'}' is not a folder"
            in capsys.readouterr().err)
    assert not site.output.exists()


def test_a_macro_file_copied_from_an_older_theme_is_told_as_the_file_to_mend(site):
    """A macros.html copied before the theme gained a macro stopped the build with
    "home.html:37: 'jinja2.environment.TemplateModule object' has no attribute 'closing'":
    a file of ccsite's, never touched, named as the mistake (a theme customiser's review)."""
    theme_macros = (THEME / "macros.html").read_text(encoding="utf-8")
    older = re.sub(r"\{% macro closing\(.*?\{%- endmacro %\}\n", "", theme_macros, count=1,
                   flags=re.S)
    assert older != theme_macros
    (site.root / "templates").mkdir()
    copy = site.root / "templates" / "macros.html"
    copy.write_text(older, encoding="utf-8")
    result = site.build()
    assert result.status == 1
    assert result.err.startswith(
        f"{copy}:1: template: has no macro 'closing', which the theme's templates use (") \
        and "): it is a copy from an older theme, or the macro was taken out; copy the " \
        "theme's macros.html again (see its first line) and make your changes to it" \
        in result.err, result.err


def test_a_site_template_that_drops_blocks_is_empty_or_is_used_by_no_page_is_warned_of(
        site, capsys):
    """A base.html without `{% block scripts %}` had no map, no search and no members'
    sign-in; an empty home.html published an empty home page; a "Base.html" or a
    "centre-page.html" was ignored: each with no word (a theme customiser's review). A
    part a template of the site includes is used."""
    templates = site.root / "templates"
    templates.mkdir()
    base = (THEME / "base.html").read_text(encoding="utf-8")
    assert "{% block scripts %}{% endblock %}" in base
    (templates / "base.html").write_text(base.replace("{% block scripts %}{% endblock %}", ""))
    (templates / "home.html").write_text("\n")
    (templates / "centre-page.html").write_text("<p>Ours</p>\n")
    (templates / "part.html").write_text("<p>A part</p>\n")
    (templates / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}{% include "part.html" %}{% endblock %}\n')
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    told = sorted(line for line in capsys.readouterr().err.splitlines() if "theme:" in line)
    assert told == sorted([
        f"{templates / 'base.html'}:1: theme: warning: has no {{% block scripts %}}, which the "
        "theme's base.html has and its pages fill: what they put there is left out of every "
        "page; keep the block, empty if need be",
        f"{templates / 'home.html'}:1: theme: warning: is empty, so the pages it makes are "
        "published empty: delete it to use the theme's",
        f"{templates / 'centre-page.html'}:1: theme: warning: no page uses it: it is not one "
        "of the theme's templates, nor included by one (did you mean centre.html?)"]), told


def test_an_accessibility_fix_whose_day_has_passed_is_warned_of(site, capsys):
    """The statement went on saying "We plan to fix this by 15 January 2027" in April (a
    review over a year of builds)."""
    site.edit("site.yaml", "members:\n", "accessibility:\n  prepared: 2026-09-01\n"
              "  non_compliance:\n    - issue: The pack is a PDF without tags.\n"
              "      criteria: [\"1.3.1 Info and Relationships\"]\n"
              "      fix_by: 2027-01-15\nmembers:\n")
    line = next(n for n, text in enumerate((site.content / "site.yaml").read_text()
                                           .splitlines(), 1) if "fix_by" in text)
    told = {}
    for day in ("2027-01-15", "2027-01-16"):
        capsys.readouterr()
        assert main(["check", "--source", str(site.content), "--now", f"{day}T12:00:00Z"]) == 0
        told[day] = [text for text in capsys.readouterr().err.splitlines() if "fix_by" in text]
    assert told == {"2027-01-15": [], "2027-01-16": [
        f"{site.content / 'site.yaml'}:{line}: accessibility.non_compliance[0].fix_by: "
        "warning: 15 January 2027 has passed, and the accessibility statement still says "
        "\"We plan to fix this by 15 January 2027\": take the item out if it is fixed, or "
        "give the day you plan now"]}


def test_a_site_template_writing_what_the_policy_stops_or_a_picture_without_alt_is_warned_of(
        site, capsys):
    """An inline script, a style attribute, an onclick, a web font from another site and a
    logo without alt text all passed `ccsite check` with no word: the first four are
    stopped by the pages' policy, seen only in a browser's console (a theme customiser's
    review)."""
    (site.root / "templates" / "assets").mkdir(parents=True)
    for name in ("logo.svg", "line.svg"):
        (site.root / "templates" / "assets" / name).write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"/>')
    (site.root / "templates" / "assets" / "council.js").write_text("window.council = 1;\n")
    page = site.root / "templates" / "lesson.html"
    page.write_text("\n".join([
        '{% extends "base.html" %}{% block main %}',
        "<script>window.council = 1;</script>",
        '<p style="color: red">Hello</p>',
        '<button onclick="go()">Go</button>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto">',
        '<img src="{{ \'/assets/logo.svg\'|url }}">',
        '<img src="{{ \'/assets/line.svg\'|url }}" alt="">',
        '<script type="application/ld+json">{}</script>',
        '<script src="{{ \'/assets/council.js\'|url }}" defer></script>',
        "{% endblock %}", ""]))
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    told = [line.split(": theme: warning: ")[0].rsplit(":", 1)[1] + " " +
            line.split(": theme: warning: ")[1][:24]
            for line in capsys.readouterr().err.splitlines() if ": theme: " in line]
    assert told == ["2 an inline script does no", "3 a style=\"...\" attribute ",
                    "4 an onclick=\"...\" (or oth", "5 this loads a file from a",
                    "6 a picture without alt te"], told


def test_a_link_a_template_writes_to_an_expired_document_is_a_warning_at_its_line(site, capsys):
    """Written through |url, as the README says to, it stopped the build, told at the first
    page's template (a review of this stop's changes)."""
    site.edit("lessons/more-time.md", "order: 1", "order: 1\nexpires: 2026-11-01")
    base = (THEME / "base.html").read_text(encoding="utf-8")
    (site.root / "templates").mkdir()
    mine = site.root / "templates" / "base.html"
    mine.write_text(base.replace("<body>", "<body>\n<a href=\"{{ '/lessons/more-time/'|url }}"
                                 "\">Time</a>", 1))
    line = next(n for n, text in enumerate(mine.read_text().splitlines(), 1)
                if "more-time" in text)
    assert site.build().status == 0
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--now", NOW]) == 0
    assert f"{mine}:{line}: link: warning: '/lessons/more-time/' is the address of " \
        "lessons/more-time.md" in capsys.readouterr().err


def test_a_members_base_that_extends_base_and_template_asides_are_not_warned_of(site, capsys):
    """A members/base.html extending base.html has base.html's blocks; a link to the Welsh
    site loads nothing; a script put aside in a Jinja comment runs nowhere (false warnings
    a review of this stop's changes found)."""
    (site.root / "templates" / "members").mkdir(parents=True)
    (site.root / "templates" / "members" / "base.html").write_text(
        '{% extends "base.html" %}\n{% block canonical %}{% endblock %}\n{% block main %}\n'
        "<!--members-main-->\n{% block members_main %}{% endblock %}\n<!--/members-main-->\n"
        "{% endblock %}\n")
    base = (THEME / "base.html").read_text(encoding="utf-8")
    (site.root / "templates" / "base.html").write_text(base.replace("<head>", (
        '<head>\n{# <script>console.log("old analytics")</script> #}\n'), 1).replace(
        "</head>", '<link rel="alternate" hreflang="cy" href="https://plant.example.org/">\n'
        "</head>", 1))
    capsys.readouterr()
    main(["check", "--source", str(site.content), "--now", NOW])
    told = [line for line in capsys.readouterr().err.splitlines() if "theme:" in line]
    assert told == [], told

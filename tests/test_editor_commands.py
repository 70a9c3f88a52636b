"""`ccsite check` and `ccsite new`, as an editor runs them."""
from __future__ import annotations

import json
import re

import pytest

from ccsite.cli import main
from ccsite.scaffold import KINDS

NOW = "2026-11-25T12:00:00Z"


def check(site, capsys, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["check", "--source", str(site.content), "--now", NOW, *extra])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_clean_content_checks_clean(site, capsys):
    site.edit("pages/about.md", "nav_order: 1", "nav_order: 1\nsummary: About us.")
    site.edit("opportunities/oxhey-eoi.md", "enquiries:", "summary: Lead Oxhey.\nenquiries:")
    site.edit("news/centres-open.md", "2008-04-01", "2026-10-01")
    status, out, err = check(site, capsys, "--strict")
    assert status == 0, err
    assert "0 mistakes, 0 warnings. The content is ready to publish." in out


def test_check_warns_without_failing_unless_strict(site, capsys):
    site.edit("centres/oxhey.md", '  - {days: [mon, tue, wed, thu, fri], opens: "09:00", '
              'closes: "17:00"}\n', "")
    site.edit("centres/oxhey.md", "opening_hours:\n", "")
    site.edit("news/centres-open.md", "See [Oxhey]", "See ![](/media/pack.pdf) and "
              "[an old site](http://example.org/) [Oxhey]")
    status, out, err = check(site, capsys, "--now", "2027-02-01T00:00:00Z")
    assert status == 0
    lines = err.splitlines()
    content = str(site.content)
    assert f"{content}/centres/oxhey.md:1: opening_hours: warning: this open centre has no " \
           "opening hours; families will want to know when to come" in lines
    assert any(l.startswith(f"{content}/opportunities/oxhey-eoi.md:5: status: warning: the "
                            "deadline has passed") for l in lines)
    assert any(l.startswith(f"{content}/news/centres-open.md:6: body: warning: an image has "
                            "no alt text") for l in lines)
    assert any(l.startswith(f"{content}/news/centres-open.md:6: body: warning: the link "
                            "http://example.org/ is not secure") for l in lines)
    assert any(l.startswith(f"{content}/pages/about.md:1: summary: warning: there is no "
                            "summary") for l in lines)
    assert any(l.startswith(f"{content}/news/centres-open.md:3: date: warning: this news item "
                            "is more than a year old") for l in lines)
    strict, out, err = check(site, capsys, "--strict")
    assert strict == 1
    assert "ready to publish" not in out + err
    assert "With --strict, a warning fails the check" in err


def test_a_centre_position_with_latitude_and_longitude_swapped_is_warned_of(site, capsys):
    site.edit("centres/oxhey.md", "services:", "location: {lat: -0.41, lon: 51.65}\nservices:")
    status, out, err = check(site, capsys)
    assert f"{site.content}/centres/oxhey.md:12: location: warning: lat -0.41 and lon 51.65 " \
        "look the wrong way round" in err
    site.edit("centres/oxhey.md", "{lat: -0.41, lon: 51.65}", "{lat: 51.65, lon: -0.41}")
    assert "wrong way round" not in "".join(check(site, capsys)[1:])


def test_check_with_a_mistake_does_not_claim_there_are_no_warnings(site, capsys):
    site.edit("news/centres-open.md", "See [Oxhey]", "See ![](/media/pack.pdf) [Oxhey]")
    assert "warnings. The content is ready to publish." in check(site, capsys)[1]
    site.edit("news/centres-open.md", "/centres/oxhey/", "/centres/oxhay/")
    status, out, err = check(site, capsys)
    assert status == 1
    assert err.splitlines()[-1] == ("1 mistake; fix it and check again (warnings are looked "
                                    "for once the content has no mistakes).")
    assert "0 warnings" not in out + err


def test_check_reports_errors_and_the_leak_audit_as_json(site, capsys):
    site.edit("centres/oxhey.md", "phase: 2", "phase: 7")
    status, out, _ = check(site, capsys, "--format", "json")
    report = json.loads(out)
    assert status == 1 and report["ok"] is False
    assert report["errors"][0] == {"path": f"{site.content}/centres/oxhey.md", "line": 5,
                                   "field": "phase",
                                   "message": "must be one of 1, 2 or 3, not 7"}
    site.edit("centres/oxhey.md", "phase: 7", "phase: 2")
    (site.root / "templates").mkdir()
    (site.root / "templates" / "lesson.html").write_text("<p>Running a dads' group</p>")
    status, out, _ = check(site, capsys, "--format", "json")
    assert status == 1
    assert json.loads(out)["errors"][0]["field"] == "leak"


def test_check_writes_nothing(site, capsys):
    check(site, capsys)
    assert not site.output.exists()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_new_file_of_every_type_builds_and_is_a_draft(site, capsys, kind):
    assert main(["new", kind, "Saturday: stay and play", "--source", str(site.content)]) == 0
    path = capsys.readouterr().out.split("Wrote ", 1)[1].splitlines()[0]
    text = open(path, encoding="utf-8").read()
    assert '"Saturday: stay and play"' in text
    assert site.build("--drafts").status == 0
    if kind != "agency":
        assert "draft: true" in text
        assert site.build().status == 0  # a draft is left out, and nothing breaks


def test_new_never_overwrites_and_finds_a_free_name(site, capsys):
    main(["new", "news", "Centres open", "--source", str(site.content)])
    first = capsys.readouterr().out
    assert "news/centres-open-2.md" in first  # centres-open.md exists already
    main(["new", "news", "Centres open", "--source", str(site.content)])
    assert "news/centres-open-3.md" in capsys.readouterr().out
    assert "title: Centres open\n" in (site.content / "news/centres-open.md").read_text()


def new(site, capsys, kind: str, title: str) -> int:
    capsys.readouterr()
    return main(["new", kind, title, "--source", str(site.content)])


def test_new_avoids_traps_a_second_agency_a_section_name_and_lost_accents(site, capsys):
    assert new(site, capsys, "agency", "Oxhey Trust") == 1
    assert "agencies/oxhey-trust.yaml is there already; edit it" in capsys.readouterr().err
    assert new(site, capsys, "page", "News") == 0
    assert (site.content / "pages" / "news-2.md").is_file()  # /news/ is the news section
    assert new(site, capsys, "news", "Café opens in Bushey") == 0
    assert (site.content / "news" / "cafe-opens-in-bushey.md").is_file()


def test_new_takes_a_title_without_quotes_a_type_in_capitals_and_an_apostrophe(site, capsys):
    """As a newcomer types them: `ccsite new news New hours at Brookside` was refused as
    "unrecognized arguments", `Centre` as an invalid choice, and "Children's" became
    children-s in the file's name (the sample's files say childrens)."""
    capsys.readouterr()
    assert main(["new", "news", "New", "hours", "at", "Brookside", "--source",
                 str(site.content)]) == 0
    assert 'title: "New hours at Brookside"' in \
        (site.content / "news/new-hours-at-brookside.md").read_text()
    assert main(["new", "Centres", "Brookside Children\u2019s Centre", "--source",
                 str(site.content)]) == 0
    assert (site.content / "centres/brookside-childrens-centre.md").is_file()
    assert main(["new", "News", "Oak Children's Centre opens", "--source",
                 str(site.content)]) == 0
    assert (site.content / "news/oak-childrens-centre-opens.md").is_file()
    assert main(["new", "agencies", "Bushey", "Family", "Trust", "--source",
                 str(site.content)]) == 0
    assert (site.content / "agencies/bushey-family-trust.yaml").is_file()


def test_a_title_in_another_script_names_its_file_by_its_type_and_day(site, capsys):
    """It gave news/news.md, the page /news/news/."""
    assert new(site, capsys, "news", "\u0646\u0626\u06d2 \u0627\u0648\u0642\u0627\u062a") == 0
    (made,) = [p.name for p in (site.content / "news").glob("news-*.md")]
    assert re.fullmatch(r"news-\d{4}-\d{2}-\d{2}\.md", made)


def test_a_title_typed_in_a_terminal_not_set_to_utf_8_is_refused_and_no_file_is_left(site):
    """A terminal set to Latin-1 passes "Café" as the bytes Caf\\xe9: `ccsite new` ended
    in a traceback, and left an empty news file that broke every build after it."""
    import subprocess
    import sys

    before = sorted(p.name for p in (site.content / "news").iterdir())
    done = subprocess.run([sys.executable, "-m", "ccsite", "new", "news", b"Caf\xe9 opens",
                           "--source", str(site.content)], cwd=site.root,
                          capture_output=True, text=True, errors="replace")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert 'the title "Caf\\xe9 opens" is not written in UTF-8' in done.stderr
    assert sorted(p.name for p in (site.content / "news").iterdir()) == before


def test_a_new_file_that_cannot_be_written_whole_is_not_left_half_made(site):
    """On a full disk (here: a limit on a file's size), `ccsite new` left a cut file
    behind, which every build after it told as a mistake of the editor's."""
    import resource
    import subprocess
    import sys

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    before = sorted(p.name for p in (site.content / "news").iterdir())
    done = subprocess.run([sys.executable, "-m", "ccsite", "new", "news", "Saturday opening",
                           "--source", str(site.content)], cwd=site.root,
                          capture_output=True, text=True, preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "saturday-opening.md" in done.stderr
    assert sorted(p.name for p in (site.content / "news").iterdir()) == before


def test_placeholder_text_left_from_new_is_warned(site, capsys):
    assert new(site, capsys, "agency", "Bushey Family Trust") == 0
    status, _, err = check(site, capsys)
    assert status == 0
    assert (f"{site.content}/agencies/bushey-family-trust.yaml:7: about: warning: still says "
            "'Change me', the stand-in text this file was made with") in err
    site.edit("centres/oxhey.md", "lead_agency: oxhey-trust", "lead_agency: bushey-family-trust")
    err = check(site, capsys)[2]
    assert "still says" in err and "centres/oxhey.md" not in err  # told once, in its file


def test_build_summary_counts_pages_and_warnings(site, capsys):
    result = site.build()
    assert result.status == 0
    # 17, with /consultations/ and /subscribe/, What's on and 2 service pages
    assert result.out.startswith("Built 22 pages (")
    assert "1 sign-in help" in result.out  # server mode: what a failed sign-in shows
    assert "warning" in result.out and "ccsite check" in result.out
    quiet = site.build("--quiet")
    assert quiet.out == ""
    verbose = site.build("--verbose", "--now", "2026-11-26T12:00:00Z")  # a day later: built
    # (the same day again would find the site up to date, and say only that)
    assert re.search(r"^Time per stage: .*\bload [0-9.]+ s, validate", verbose.out, re.M)
    assert ": summary: warning: there is no summary" in verbose.out


def test_summer_deadline_written_in_winter_time_is_warned_with_what_to_write(site, capsys):
    site.edit("opportunities/oxhey-eoi.md", "2027-01-29T12:00:00Z", "2027-07-29T12:00:00Z")
    status, _, err = check(site, capsys)
    assert status == 0
    assert (f"{site.content}/opportunities/oxhey-eoi.md:7: deadline: warning: 29 July 2027 is "
            "in British Summer Time, so this means 1pm on 29 July 2027 UK time, and the page "
            "says so; if you meant 12:00 UK time, write 2027-07-29T12:00:00+01:00") in err
    site.edit("opportunities/oxhey-eoi.md", "2027-07-29T12:00:00Z", "2027-07-29T12:00:00+01:00")
    assert "deadline: warning" not in check(site, capsys)[2]


def test_open_centre_whose_opening_day_is_to_come_is_shown_opening_not_open(site, capsys):
    site.edit("centres/oxhey.md", "opening_date: 2007-09-01", "opening_date: 2027-03-01")
    _, _, err = check(site, capsys)
    assert (f"{site.content}/centres/oxhey.md:7: opening_date: warning: this centre is open, "
            "but its opening_date, 2027-03-01, is still to come") in err
    assert site.build().status == 0
    assert "Status Opens on 1 March 2027" in site.text("/centres/oxhey/")
    assert "1 children's centre in this directory: 0 open, 1 planned." in site.text("/centres/")
    services = json.loads((site.output / "public/data/oruk/services.json").read_text())
    assert [service["status"] for service in services["contents"]] == ["inactive"]
    csv_text = (site.output / "public/data/centres.csv").read_text()
    assert "Oxhey Children's Centre,opening," in csv_text


def test_news_dated_after_today_is_warned(site, capsys):
    site.edit("news/centres-open.md", "date: 2008-04-01", "date: 2062-09-21")
    assert (f"{site.content}/news/centres-open.md:3: date: warning: 2062-09-21 is after "
            "today, yet the item is published now") in check(site, capsys)[2]


def test_opening_hours_rows_that_overlap_are_warned(site, capsys):
    site.edit("centres/oxhey.md", '  - {days: [mon, tue, wed, thu, fri], opens: "09:00", '
              'closes: "17:00"}\n', '  - {days: [mon, tue, wed, thu, fri], opens: "09:00", '
              'closes: "17:00"}\n  - {days: [fri], opens: "10:00", closes: "12:00"}\n')
    assert (f"{site.content}/centres/oxhey.md:14: opening_hours: warning: two rows give Friday "
            "hours that overlap (9am to 5pm, and 10am to midday); give each day's hours once"
            ) in check(site, capsys)[2]


def tree(root) -> dict[str, str]:
    """Every file, folder and link under `root` with what it holds (a file's bytes, a
    link's target) and its permissions."""
    import hashlib
    import os

    found = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if os.path.islink(path):
                what = "link " + os.readlink(path)
            elif os.path.isdir(path):
                what = "folder"
            else:
                with open(path, "rb") as handle:
                    what = hashlib.sha256(handle.read()).hexdigest()
            found[os.path.relpath(path, root)] = f"{what} {oct(info.st_mode)}"
    return found


def test_check_leaves_the_project_folder_as_it_was_but_for_the_cache(tmp_path):
    """`ccsite check` publishes nothing: run as an editor does, in a copy of the project
    (the sample), it leaves every file and folder there as it was (the cache beside
    content/ is its to write), and nothing in the temporary folder or home folder."""
    import os
    import subprocess
    import sys

    import pagetypes

    project, scratch, home = tmp_path / "project", tmp_path / "tmp", tmp_path / "home"
    for folder in (project, scratch, home):
        folder.mkdir()
    pagetypes.copy_sample(project)
    before = tree(project)
    env = {**os.environ, "TMPDIR": str(scratch), "HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "ccsite", "check", "--now", NOW], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "The content is ready to publish." in done.stdout
    after = {path: what for path, what in tree(project).items()
             if path.split(os.sep)[0] != ".ccsite-cache"}
    assert after == before, sorted(set(after.items()) ^ set(before.items()))[:10]
    assert (project / ".ccsite-cache").is_dir()  # the folder excused above is the real one
    assert sorted(os.listdir(tmp_path)) == ["home", "project", "tmp"]
    assert not list(scratch.iterdir()) and not list(home.iterdir())


def test_a_content_folder_given_without_source_is_told_how_to_give_it(site, capsys,
                                                                      monkeypatch):
    """`ccsite build content` was "unrecognized arguments: content", nothing more."""
    monkeypatch.chdir(site.root)
    with pytest.raises(SystemExit) as stopped:
        main(["build", "content"])
    assert stopped.value.code == 2
    assert ("unrecognized arguments: content (to use the content folder content, write "
            "--source content)") in capsys.readouterr().err

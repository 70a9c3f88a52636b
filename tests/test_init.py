"""`ccsite init DIR`: another council starts its own site from nothing but ccsite."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ccsite import __version__, scaffold
from ccsite.cli import main

MARK = re.compile(r"\bchange[ -]me\b", re.IGNORECASE)


def ccsite(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ccsite", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _marked_lines(content: Path) -> set[str]:
    """file:line of every line of the new content (and of the requirements.txt beside it)
    that says 'Change me' (or change-me) outside a YAML comment."""
    found = set()
    for path in [*sorted(content.rglob("*")), content.parent / "requirements.txt"]:
        if path.is_file():
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                value = line.split(" #", 1)[0] if path.suffix == ".yaml" else line
                if MARK.search(value) and not value.lstrip().startswith("#"):
                    found.add(f"{path.relative_to(content.parent)}:{number}")
    return found


def test_init_makes_a_site_that_builds_clean_in_its_folder(tmp_path, capsys):
    assert main(["init", str(tmp_path / "our-site")]) == 0
    site = tmp_path / "our-site"
    built = ccsite("build", cwd=site)
    assert built.returncode == 0, built.stderr
    public = site / "_site" / "public"
    for page in ("index.html", "about/index.html", "contact/index.html",
                 "privacy/index.html", "accessibility/index.html", "centres/index.html"):
        assert (public / page).is_file(), page
    for folder in ("centres", "agencies", "opportunities", "lessons", "news", "pages",
                   "media", "members/good-practice", "members/pages"):
        assert (site / "content" / folder).is_dir(), folder
    readme = (site / "README.md").read_text()
    assert "What goes where" in readme and "centres/<name>.md" in readme
    # the command that says where the theme is, to copy a template from, says it
    printing = re.search(r'`python3 -c "([^"]+)"`', readme)[1]
    theme = subprocess.run([sys.executable, "-c", printing], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert (Path(theme) / "centre.html").read_text().startswith("{# ccsite theme: centre.html")
    assert "## Centres: `centres/<slug>.md`" in (site / "content-model.md").read_text()


def test_check_on_a_new_site_lists_exactly_the_placeholders_still_to_fill_in(tmp_path):
    assert main(["init", str(tmp_path / "our-site")]) == 0
    site = tmp_path / "our-site"
    checked = ccsite("check", cwd=site)
    assert checked.returncode == 0, checked.stderr
    warned = {":".join(line.split(":")[:2]) for line in checked.stderr.splitlines()
              if ": warning: still says" in line}
    others = [line for line in checked.stderr.splitlines()
              if ": warning: " in line and "still says" not in line]
    expected = _marked_lines(site / "content")
    assert len(expected) >= 8
    assert warned == expected
    assert others == []


def test_a_new_site_with_every_placeholder_written_checks_with_no_warnings(tmp_path):
    assert main(["init", str(tmp_path / "our-site")]) == 0
    site = tmp_path / "our-site"
    for path in (site / "content").rglob("*.*"):
        text = path.read_text()
        text = re.sub(r"\bchange-me\b", "anytown", text)
        path.write_text(re.sub(r"\b[Cc]hange me\b", "Anytown", text))
    (site / "requirements.txt").write_text("ccsite @ git+https://git.example.org/ccsite.git\n")
    checked = ccsite("check", cwd=site)
    assert checked.returncode == 0, checked.stderr
    assert "0 mistakes, 0 warnings" in checked.stdout


def _body_line(path: Path) -> int:
    """The line a Markdown file's body starts on: after its front matter's closing ---."""
    lines = path.read_text().splitlines()
    return lines.index("---", 1) + 2


def test_check_lists_every_placeholder_left_in_every_new_file(tmp_path, capsys):
    """Each value `ccsite new` writes for the editor to replace, in a file of every kind,
    is a warning of its own at its line (not only the first of a file), members files and
    consultations too; and the summary counts them all."""
    from ccsite.load import KINDS

    assert main(["init", str(tmp_path / "our-site")]) == 0
    site = tmp_path / "our-site"
    capsys.readouterr()
    made = []
    for kind in KINDS:
        assert main(["new", "--source", str(site / "content"), kind, f"A {kind}"]) == 0
        made.append(Path(capsys.readouterr().out.split()[1]))
    for path in made:  # published as they are: nothing else may hide a placeholder
        path.write_text(path.read_text().replace("draft: true", "# draft: true"))
    checked = ccsite("check", cwd=site)
    assert checked.returncode == 0, checked.stderr
    warned = [":".join(line.split(":")[:2]) for line in checked.stderr.splitlines()
              if ": warning: still says" in line]
    bodies = {f"{path.relative_to(site)}:{_body_line(path)}" for path in made
              if path.suffix == ".md"}  # still the text a new file is given
    assert len(bodies) == len(KINDS) - 1  # (an agency's file has no body)
    assert sorted(warned) == sorted(_marked_lines(site / "content") | bodies)
    for field in ("district", "address.street", "address.town", "respond.url", "author",
                  "enquiries.name", "enquiries.email", "reference"):
        assert f": {field}: warning: still says" in checked.stderr, field
    assert f"{len(warned)} values still say" in checked.stdout


def test_init_never_writes_into_a_folder_that_has_files(tmp_path, capsys):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path / "site")]) == 1
    assert "is there already and is not an empty folder" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("into", ["a new folder", "an empty Git repository"])
def test_a_site_that_cannot_be_made_whole_is_not_left_half_made(tmp_path, into):
    """On a full disk (here: a limit on a file's size, which the content-model reference
    is over), `init` left half a site, and running it again, with room made, was
    refused: the folder was not empty."""
    import resource

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    target = tmp_path / "site"
    if into == "an empty Git repository":
        git("init", "-q", str(target), cwd=tmp_path)
    before = sorted(p.name for p in target.iterdir()) if target.exists() else None
    done = subprocess.run([sys.executable, "-m", "ccsite", "init", str(target)], cwd=tmp_path,
                          capture_output=True, text=True, preexec_fn=small_files)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "File too large" in done.stderr
    assert (sorted(p.name for p in target.iterdir()) if target.exists() else None) == before
    assert ccsite("init", str(target), cwd=tmp_path).returncode == 0  # room made: again
    assert (target / "content" / "site.yaml").is_file()


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          check=True)
    return done.stdout


def test_a_new_site_in_git_keeps_the_built_site_cache_and_keys_out(tmp_path, capsys):
    """Both the built members area (server mode) and the build's cache hold members text
    in clear: a site kept in Git, as the README says, must not commit them."""
    site = tmp_path / "our-site"
    (site / ".git").parent.mkdir()
    git("init", "-q", cwd=site)  # a repository just made: init writes into it
    assert main(["init", str(site)]) == 0
    (site / "content" / "members" / "pages" / "budget.md").write_text(
        "---\ntitle: Training budgets\n---\nThe training budgets for next year.\n")
    assert ccsite("members", "add", "Jane Example", cwd=site).returncode == 0
    built = ccsite("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert (site / "_site" / "members").is_dir() and (site / ".ccsite-cache").is_dir()
    git("add", "-A", cwd=site)
    kept = git("ls-files", cwd=site).split()
    assert "content/members/pages/budget.md" in kept and ".gitignore" in kept
    assert not [p for p in kept if p.startswith(("_site/", ".ccsite-cache/", ".ccsite-secrets/"))]


def test_a_new_sites_workflows_are_the_repositorys_but_for_how_ccsite_is_installed(tmp_path):
    assert main(["init", str(tmp_path / "s")]) == 0
    repository = Path(__file__).resolve().parent.parent
    for rel in (".github/workflows/site.yml", ".gitlab-ci.yml"):
        ours = (repository / rel).read_text().splitlines()
        theirs = (tmp_path / "s" / rel).read_text().splitlines()
        assert len(ours) == len(theirs), rel
        different = [(a, b) for a, b in zip(ours, theirs) if a != b]
        assert different and all(a.endswith("pip install --quiet .") and
                                 b.endswith("pip install --quiet -r requirements.txt")
                                 for a, b in different), rel
    requirements = (tmp_path / "s" / "requirements.txt").read_text()
    assert [line for line in requirements.splitlines()
            if not line.startswith("#")] == [scaffold.ccsite_requirement()[0]]


def test_a_ccsite_ci_cannot_reach_is_never_asked_of_the_public_index_and_check_says_so(
        tmp_path, capsys, monkeypatch):
    """ccsite installed from a folder: requirements.txt must not say `ccsite==0.1.0`,
    which pip looks for on PyPI (where anyone may publish that name, to run in the
    council's CI with its secrets); it names an address that never exists, and `ccsite
    check` lists it with the values still to write."""
    monkeypatch.setattr(scaffold, "ccsite_requirement", lambda: (scaffold.UNREACHABLE, False))
    assert main(["init", str(tmp_path / "s")]) == 0
    requirements = (tmp_path / "s" / "requirements.txt").read_text().splitlines()
    wanted = [line for line in requirements if not line.startswith("#")]
    assert wanted == ["ccsite @ git+https://change-me.invalid/ccsite.git"]
    assert not any(re.match(r"ccsite\s*(==|>=|~=|$)", line) for line in wanted)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path / "s")
    assert main(["check"]) == 0
    told = capsys.readouterr()
    line = requirements.index(wanted[0]) + 1
    assert f"requirements.txt:{line}: requirements.txt: warning: still says " \
        "'ccsite @ git+https://change-me.invalid/ccsite.git'" in told.err
    assert "if no CI service builds the site, delete the file" in told.err  # (a way out)
    (tmp_path / "s" / "requirements.txt").write_text(
        "ccsite @ git+https://git.example.org/council/ccsite.git@abc123\n")
    assert main(["check"]) == 0
    assert "requirements.txt" not in capsys.readouterr().err


def test_ci_installs_ccsite_from_the_repository_it_was_cloned_from(tmp_path):
    clone = tmp_path / "ccsite"
    clone.mkdir()
    git("init", "-q", cwd=clone)
    (clone / "README.md").write_text("ccsite\n")
    git("add", "README.md", cwd=clone)
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one",
        cwd=clone)
    commit = git("rev-parse", "HEAD", cwd=clone).strip()
    assert scaffold.ccsite_requirement(clone) == (scaffold.UNREACHABLE, False)
    git("remote", "add", "origin", "https://git.example.org/council/ccsite.git", cwd=clone)
    assert scaffold.ccsite_requirement(clone) == (
        f"ccsite @ git+https://git.example.org/council/ccsite.git@{commit}", True)
    # a clone's address may hold a token: requirements.txt is committed, maybe in public
    git("remote", "set-url", "origin", "https://jane:ghp_secret@git.example.org/council/"
        "ccsite.git", cwd=clone)
    assert scaffold.ccsite_requirement(clone) == (
        f"ccsite @ git+https://git.example.org/council/ccsite.git@{commit}", True)
    git("remote", "set-url", "origin", "git@git.example.org:council/ccsite.git", cwd=clone)
    assert scaffold.ccsite_requirement(clone) == (
        f"ccsite @ git+ssh://git@git.example.org/council/ccsite.git@{commit}", True)

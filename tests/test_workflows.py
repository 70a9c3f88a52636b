"""The CI workflows shipped for GitHub Actions and GitLab CI: they build on every change
and every night, check merge requests, keep the cache and the last output, and every
ccsite command they run works on a copy of the project as written."""
from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
GITHUB = REPO / ".github" / "workflows" / "site.yml"
GITLAB = REPO / ".gitlab-ci.yml"


def _github_runs() -> dict[str, list[str]]:
    flow = yaml.safe_load(GITHUB.read_text())
    return {name: [step["run"] for step in job["steps"] if "run" in step]
            for name, job in flow["jobs"].items()}


def _gitlab_runs() -> dict[str, list[str]]:
    flow = yaml.safe_load(GITLAB.read_text())
    return {name: job["script"] for name, job in flow.items()
            if isinstance(job, dict) and "script" in job}


def test_github_workflow_builds_on_push_twice_a_day_and_checks_pull_requests():
    flow = yaml.safe_load(GITHUB.read_text())
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "pull_request" in triggers
    minute, hours, *every_day = triggers["schedule"][0]["cron"].split()
    assert every_day == ["*", "*", "*"]
    # soon after midnight (the new day) and midday (when most deadlines fall)
    assert hours.split(",") == ["0", "12"] and int(minute) <= 15
    assert '"5 0,12 * * *"' in GITLAB.read_text()  # the schedule GitLab's comment says to add
    assert flow["jobs"]["check"]["if"] == "github.event_name == 'pull_request'"
    cache = next(s for s in flow["jobs"]["build"]["steps"]
                 if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"].split() == [".ccsite-cache", "_site"]
    upload = next(s for s in flow["jobs"]["build"]["steps"]
                  if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_site/public"  # only the public folder is published


def test_gitlab_pipeline_publishes_the_public_folder_and_checks_merge_requests():
    flow = yaml.safe_load(GITLAB.read_text())
    assert flow["pages"]["artifacts"]["paths"] == ["public"]
    assert flow["pages"]["cache"]["paths"] == [".ccsite-cache/", "_site/"]
    assert flow["check"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert "ccsite check" in flow["check"]["script"]


def _ccsite_commands() -> list[tuple[str, str]]:
    found = []
    for host, runs in (("github", _github_runs()), ("gitlab", _gitlab_runs())):
        for name, lines in runs.items():
            for line in lines:
                for command in line.splitlines():
                    if command.strip().startswith("ccsite "):
                        found.append((f"{host}:{name}", command.strip()))
    return found


def test_every_job_that_checks_or_builds_restores_the_members_keys_first():
    """Encrypt mode builds the members area for each member's key: without them `ccsite
    check` fails every pull request, whatever it changed."""
    for host, runs in (("github", _github_runs()), ("gitlab", _gitlab_runs())):
        for name, lines in runs.items():
            commands = [command for line in lines for command in line.splitlines()]
            ccsite = [at for at, command in enumerate(commands)
                      if command.strip().startswith("ccsite ")]
            keys = [at for at, command in enumerate(commands) if "CCSITE_SECRETS" in command]
            if ccsite:
                assert keys and keys[0] < ccsite[0], f"{host}:{name}"


def test_each_workflow_runs_both_the_check_and_the_build():
    commands = {command.split()[1] for _, command in _ccsite_commands()}
    assert commands == {"check", "build"}


@pytest.mark.parametrize("where, command", _ccsite_commands())
def test_each_ccsite_command_of_the_workflows_works_on_a_copy_of_the_project(
        tmp_path, where, command):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    argv = shlex.split(command)[1:]
    done = subprocess.run([sys.executable, "-m", "ccsite", *argv], cwd=project,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (where, done.stderr[-2000:])
    if argv[0] == "build":
        assert (project / "_site" / "public" / "index.html").is_file()
        if where.startswith("gitlab"):  # its next line copies this folder to public/
            assert "cp -a _site/public public" in GITLAB.read_text()

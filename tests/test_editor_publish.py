"""/admin/ in the published site: only with site.yaml's `editor:`, saving to the Git host it
names, with its own policy (in the page and in the deploy configurations), and members
collections only when the council asks for them."""
from __future__ import annotations

import pytest
import yaml

from browser import needs_browser, served
from ccsite.cli import main
from ccsite.editor.admin import ADMIN_CSP
from conftest import NOW

GITHUB = ("editor:\n  backend: github\n  repo: council/childrens-centres\n  branch: main\n"
          "  editorial_workflow: true\n  base_url: https://auth.example.org/\n")


def with_editor(site, text: str = GITHUB) -> None:
    site.write("site.yaml", (site.content / "site.yaml").read_text() + text)


def published_config(site) -> dict:
    return yaml.safe_load((site.output / "public" / "admin" / "config.yml").read_text())


def test_without_an_editor_section_no_admin_is_published(site):
    assert site.build().status == 0
    assert not (site.output / "public" / "admin").exists()
    assert "admin" not in (site.output / "deploy" / "nginx.conf").read_text()


def test_editor_section_publishes_admin_saving_to_the_git_host_with_review(site):
    with_editor(site)
    assert site.build().status == 0
    admin = site.output / "public" / "admin"
    assert sorted(p.name for p in admin.iterdir()) == [
        "LICENSE", "THIRD-PARTY-NOTICES.txt", "ccsite-admin.js", "config.yml",
        "decap-cms.js", "index.html"]
    config = published_config(site)
    assert config["backend"] == {"name": "github", "repo": "council/childrens-centres",
                                 "branch": "main", "base_url": "https://auth.example.org/"}
    assert config["publish_mode"] == "editorial_workflow"
    folders = {c["name"]: c.get("folder") for c in config["collections"]}
    assert folders["centre"] == "content/centres"
    assert "good-practice" not in folders and "members-page" not in folders
    assert "directory" not in folders  # a top-level list: text editing only when published
    assert "members" not in config["media_folder"]


def test_the_editors_folders_follow_the_repository_not_the_folder_a_build_runs_in(
        site, monkeypatch, tmp_path):
    """Without .git, the folders were taken from where the build ran (two builds of the
    same content, two editors); with .git put above the site, the up-to-date check kept
    the editor of before, which would commit editors' changes to the wrong folder."""
    import shutil

    with_editor(site)
    repository = tmp_path / "repository"
    content, output = repository / "site" / "content", repository / "site" / "_site"
    shutil.copytree(site.content, content)
    monkeypatch.chdir(tmp_path)  # (a build run from another folder)

    def media_folder() -> str:
        assert main(["build", "--source", str(content), "--output", str(output), "--now", NOW,
                     "--quiet"]) == 0
        return yaml.safe_load((output / "public/admin/config.yml").read_text())["media_folder"]

    assert media_folder() == "content/media"
    (repository / ".git").mkdir()  # the site is now a folder of a larger repository
    assert media_folder() == "site/content/media"


def test_members_collections_are_offered_only_when_the_council_asks(site):
    with_editor(site, GITHUB + "  members: true\n")
    assert site.build().status == 0
    folders = {c["name"]: c.get("folder") for c in published_config(site)["collections"]}
    assert folders["good-practice"] == "content/members/good-practice"
    public = site.output / "public"
    assert "Members-only body." not in "".join(  # names of folders, never content
        p.read_text(errors="ignore") for p in public.rglob("*") if p.is_file())


def test_admin_policy_admits_the_git_host_and_nothing_else(site):
    with_editor(site, "editor:\n  backend: gitlab\n  repo: council/cc\n  app_id: abc123\n"
                      "  api_root: https://git.council.example/api/v4\n")
    assert site.build().status == 0
    page = (site.output / "public" / "admin" / "index.html").read_text()
    policy = page.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    connect = next(part for part in policy.split("; ") if part.startswith("connect-src"))
    assert connect == ("connect-src 'self' blob: https://gitlab.com https://secure.gravatar.com "
                       "https://git.council.example")
    assert "frame-ancestors" not in policy  # ignored in a <meta>: the headers send it
    assert published_config(site)["backend"]["auth_type"] == "pkce"
    nginx = (site.output / "deploy" / "nginx.conf").read_text()
    admin = nginx.split("location /admin/ {")[1].split("}")[0]
    assert "https://git.council.example" in admin and "frame-ancestors 'none'" in admin
    assert ADMIN_CSP.split("; ")[1] in admin  # script-src as Decap needs it


def _load_admin_offline(chromium, public) -> tuple[list[str], list[str], str]:
    """Open the published /admin/ in Chromium with nothing but this server reachable:
    the console's errors, the refused requests, and the page's text."""
    context = chromium.new_context()
    refused, console = [], []
    try:
        with served(public) as base:
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith((base, "blob:", "data:"))
                          else (refused.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console.append(str(e)))
            page.goto(base + "/admin/")
            page.get_by_role("button", name="Login with GitHub").wait_for(timeout=20000)
            text = page.inner_text("body")
    finally:
        context.close()
    return console, refused, text


@needs_browser
@pytest.mark.browser
def test_published_admin_loads_its_configuration_in_decap_without_errors(site, chromium):
    with_editor(site)
    assert site.build().status == 0
    console, refused, text = _load_admin_offline(chromium, site.output / "public")
    assert console == [] and refused == []
    assert "Error loading the CMS configuration" not in text


@needs_browser
@pytest.mark.browser
def test_a_site_made_by_ccsite_init_publishes_an_editor_that_loads(tmp_path, chromium, capsys):
    assert main(["init", str(tmp_path / "new-site")]) == 0
    content = tmp_path / "new-site" / "content"
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + GITHUB)
    assert main(["build", "--source", str(content), "--output", str(tmp_path / "out"),
                 "--now", NOW]) == 0
    console, refused, _ = _load_admin_offline(chromium, tmp_path / "out" / "public")
    assert console == [] and refused == []

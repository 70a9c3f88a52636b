"""`ccsite serve` after a change that adds or removes a file besides the pages (a deadline's
calendar, a feed entry, an open-data record...): a real server process over a copy of the
sample site, real HTTP, real file edits. Once the server has caught up, what it serves is
byte for byte what a clean build of the same content at the same --now gives, and no page
shows a mistake."""
from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import serve_running
from pagetypes import NOW, build, copy_sample

ROOTS = ("public", "members", "deploy")
RELOAD_TAG = b'<script src="/__ccsite/reload.js"></script>'
MISTAKE = b"to fix</h1>"  # the preview's mistake page: "There is a mistake to fix"


def _edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _new_open_opportunity(content: Path) -> None:
    """What `ccsite new opportunity` writes, filled in, made active and published."""
    (content / "opportunities/stevenage-outreach-grants-2027.md").write_text(
        "---\ntitle: Stevenage outreach grants 2027\nreference: HCC-CC-2027-09\nkind: grant\n"
        "status: active\npublished: 2026-11-20\ndeadline: 2027-01-15T12:00:00Z\n"
        "eligible_sectors: [voluntary, school]\nenquiries:\n  name: Commissioning team\n"
        "  email: childrens.centres@example.org\n---\n## How to apply\n\nWrite to us.\n",
        encoding="utf-8")


def _document_added(content: Path) -> None:
    """A new PDF dropped into media/ and listed among an opportunity's documents."""
    (content / "media/volunteer-grants-guidance.pdf").write_bytes(b"%PDF-1.4 guidance\n")
    _edit(content, "opportunities/parent-volunteer-grants-2026.md", "enquiries:",
          "documents:\n  - {title: Guidance for applicants, "
          "url: media/volunteer-grants-guidance.pdf}\nenquiries:")


CHANGES = {
    # the planned tender opens: its page links its deadline's calendar, made for it now
    "an opportunity opens": lambda c: _edit(
        c, "opportunities/north-herts-new-centre-tender-2027.md", "status: planning",
        "status: active\ndeadline: 2027-02-26T17:00:00Z"),
    "a new opportunity file opens": _new_open_opportunity,
    # back to planning, without a deadline: its calendar goes
    "an opportunity goes back to planning": lambda c: _edit(
        c, "opportunities/parent-volunteer-grants-2026.md",
        "status: active\npublished: 2026-11-09\ndeadline: 2026-12-18T17:00:00+00:00",
        "status: planning\npublished: 2026-11-09"),
    "an opportunity closes": lambda c: _edit(
        c, "opportunities/parent-volunteer-grants-2026.md", "status: active",
        "status: complete"),
    "an opportunity is cancelled": lambda c: _edit(
        c, "opportunities/recommissioning-eoi-2027.md", "status: active", "status: cancelled"),
    "a centre closes": lambda c: _edit(
        c, "centres/hitchin-purwell.md", "status: open", "status: closed"),
    "a document is added to an opportunity": _document_added,
}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def trees(output: Path) -> dict[str, dict[str, bytes]]:
    return {root: tree(output / root) for root in ROOTS}


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def differences(served: dict, clean: dict) -> list[str]:
    """What differs between two builds' files, said briefly (for a failing test)."""
    said = []
    for root in ROOTS:
        a, b = served[root], clean[root]
        said += [f"{root}/{p}: only served" for p in sorted(a.keys() - b.keys())]
        said += [f"{root}/{p}: missing" for p in sorted(b.keys() - a.keys())]
        said += [f"{root}/{p}: differs" for p in sorted(a.keys() & b.keys()) if a[p] != b[p]]
    return said


@pytest.fixture
def serving(tmp_path):
    """`ccsite serve` over a copy of the sample site, for the length of the test."""
    folder = tmp_path / "served"
    with serve_running(copy_sample(folder), folder / "_site", now=NOW, quiet=False) as server:
        yield server


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_served_site_after_a_change_equals_a_clean_build(tmp_path, serving, change):
    before = trees(serving.output)
    CHANGES[change](serving.content)
    # the same content, built from nothing: its own copy, cache and output folder
    shutil.copytree(serving.content, tmp_path / "clean" / "content")
    clean = trees(build(tmp_path / "clean" / "content", tmp_path / "clean" / "_site"))
    assert differences(before, clean), "the change changes nothing"

    try:
        serving.wait(lambda: trees(serving.output) == clean, 60, "the served site caught up")
    except AssertionError as caught:
        raise AssertionError(
            "\n".join(differences(trees(serving.output), clean)[:20]) + f"\n{caught}") from None

    # what is served over HTTP is every file of the clean build, as it is there
    for rel, data in clean["public"].items():
        url = serving.base + "/" + urllib.parse.quote(rel.removesuffix("index.html"))
        status, body = fetch(url)
        assert MISTAKE not in body, f"{url} shows a mistake: {body.decode()[-2000:]}"
        assert status == 200, url
        assert body.replace(RELOAD_TAG, b"") == data, url


# -- the same changes, the preview server's two builds one at a time (in this process) ---

def content_files(content: Path) -> dict[str, bytes]:
    return {str(p.resolve()): p.read_bytes() for p in content.rglob("*") if p.is_file()}


def without_search_index(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if not rel.startswith("pagefind/")}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_page_only_rebuild_leaves_no_page_without_the_files_it_links(tmp_path, change):
    """The preview server's page-only rebuild (pages now; feeds, data and the search index
    renewed by the catch-up build after it) has every file the clean build has and no
    other, every page as the clean build's, and no mistake; the catch-up build then
    gives the clean build byte for byte."""
    import datetime as dt

    from ccsite import incremental
    from ccsite.pipeline import build as pipeline_build
    from ccsite.validate import BuildOptions

    options = BuildOptions(now=dt.datetime.fromisoformat(NOW.replace("Z", "+00:00")))
    content, output = copy_sample(tmp_path / "served"), tmp_path / "served" / "_site"
    memory = incremental.BuildMemory()
    pipeline_build(content, output, options, memory=memory)  # as `ccsite serve` starts
    before = content_files(content)
    CHANGES[change](content)
    after = content_files(content)
    changed = {path for path in before.keys() | after.keys()
               if before.get(path) != after.get(path)}
    shutil.copytree(content, tmp_path / "clean" / "content")
    clean = trees(build(tmp_path / "clean" / "content", tmp_path / "clean" / "_site"))

    pipeline_build(content, output, options, memory=memory, defer=True, changed_files=changed)
    served = trees(output)
    public, clean_public = (without_search_index(t["public"]) for t in (served, clean))
    assert sorted(public) == sorted(clean_public)
    assert {rel: data for rel, data in public.items() if rel.endswith(".html")} == \
        {rel: data for rel, data in clean_public.items() if rel.endswith(".html")}

    pipeline_build(content, output, options, memory=memory)  # the catch-up build
    assert differences(trees(output), clean) == []

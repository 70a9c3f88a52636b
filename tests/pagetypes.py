"""The real sample site (content/) built for browser and page-quality tests, and one page of
each page type in it: what the accessibility, journey, print and screenshot tests visit.

Pages are picked from the build, not hard-coded, so editing the sample keeps the tests
meaningful: for a page type with many pages, the biggest one (the most to get wrong).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ccsite.cli import main

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-25T12:00:00Z"

# top-level folders of the public site that are sections, not free pages
SECTIONS = {"centres", "whats-on", "opportunities", "agencies", "lessons", "news", "programme",
            "search", "data", "assets", "media", "pagefind", "members", "consultations",
            "subscribe"}
WITH_OUTCOME = 'id="outcome"'
MEMBERS_PARTS = {"good-practice", "tags", "directory", "search", "media"}


def copy_sample(dest: Path) -> Path:
    """A copy of the sample content in `dest`/content. Builds write a cache and look for
    member credentials beside the content folder; a copy keeps both out of the checkout."""
    content = dest / "content"
    shutil.copytree(ROOT / "content", content)
    return content


def build(content: Path, output: Path, *extra: str) -> Path:
    assert main(["build", "--source", str(content), "--output", str(output), "--now", NOW,
                 "--quiet", *extra]) == 0
    return output


def _biggest(folder: Path, must_contain: str = "") -> str:
    pages = [p for p in folder.glob("*/index.html")
             if must_contain in p.read_text(encoding="utf-8")]
    assert pages, f"no page in {folder} containing {must_contain!r}"
    best = max(pages, key=lambda p: (p.stat().st_size, p.parent.name))
    return best.parent.name


def public_pages(public: Path) -> dict[str, str]:
    """Page type -> site path of one page of that type (the search page with a query)."""
    free = sorted(p.parent.name for p in public.glob("*/index.html")
                  if p.parent.name not in SECTIONS)
    assert free, "the sample has no free page"
    pages = {
        "home": "/",
        "centres index": "/centres/",
        "centre": f"/centres/{_biggest(public / 'centres')}/",
        "centres by service": f"/centres/services/{_biggest(public / 'centres' / 'services')}/",
        "whats on": "/whats-on/",
        "whats on day": f"/whats-on/{_biggest(public / 'whats-on')}/",
        "opportunities index": "/opportunities/",
        # an open one: its status panel has the calendar link
        "opportunity": f"/opportunities/{_biggest(public / 'opportunities', 'deadline.ics')}/",
        "agencies index": "/agencies/",
        "consultations index": "/consultations/",
        # one with an outcome ("you said, we did"): the most a consultation page shows
        "consultation": f"/consultations/{_biggest(public / 'consultations', WITH_OUTCOME)}/",
        "subscribe": "/subscribe/",
        "agency": f"/agencies/{_biggest(public / 'agencies')}/",
        "lessons index": "/lessons/",
        "lesson": f"/lessons/{_biggest(public / 'lessons')}/",
        "news list": "/news/",
        "news item": f"/news/{_biggest(public / 'news')}/",
        "free page": f"/{max(free, key=lambda n: (public / n / 'index.html').stat().st_size)}/",
        "programme": "/programme/",
        "search": "/search/?q=children",
        "open data": "/data/",
        "404": "/no-such-page/",
    }
    for state in ("upcoming", "closed", "cancelled"):  # the other colours of status panel
        with_state = [o for o in (public / "opportunities").glob("*/index.html")
                      if f"status-panel--{state}" in o.read_text(encoding="utf-8")]
        if with_state:
            pages[f"opportunity ({state})"] = f"/opportunities/{sorted(with_state)[0].parent.name}/"
    if (public / "news" / "page" / "2" / "index.html").is_file():
        pages["news page 2"] = "/news/page/2/"
    return pages


def members_pages(members: Path) -> dict[str, str]:
    """Members area page type -> site path (server mode: the build's members/ folder)."""
    own = sorted(p.parent.name for p in members.glob("*/index.html")
                 if p.parent.name not in MEMBERS_PARTS)
    assert own, "the sample has no members page"
    return {
        "members index": "/members/",
        "members post": f"/members/good-practice/{_biggest(members / 'good-practice')}/",
        "members tag": f"/members/tags/{sorted(p.name for p in (members / 'tags').iterdir())[0]}/",
        "members directory": "/members/directory/",
        "members page": f"/members/{own[0]}/",
        "members search": "/members/search/?q=parents",
    }


def joined_root(output: Path, dest: Path) -> Path:
    """One folder serving a server-mode build as the web server would: the public site at
    /, the members area at /members/ (its password check is the web server's, not tested
    here; tests/test_journeys.py goes through the real preview server's)."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in (output / "public").iterdir():
        (dest / entry.name).symlink_to(entry)
    (dest / "members").symlink_to(output / "members")
    return dest


def wait_until_ready(page, path: str) -> None:
    """Pages that fill themselves in: wait for the search results."""
    if path.startswith("/search/?"):
        page.locator("[data-search-results] li").first.wait_for()
    elif path.startswith("/members/search/?"):
        page.locator("[data-members-search-results] li").first.wait_for()

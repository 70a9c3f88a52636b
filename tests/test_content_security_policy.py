"""The Content-Security-Policy written into every page (ccsite/csp.py): scripts run only
from the theme's /assets/ and the search's /pagefind/, never from /media/, wherever the
site is served (the published host, the preview on 127.0.0.1, a staging copy). The media
check keeps active files out of media/ (test_media_files.py); this is the second wall, for
a script that got there anyway, loaded by markup that got past the sanitiser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import needs_browser, served
from ccsite.members import credentials

META = '<meta http-equiv="Content-Security-Policy" content="'


def pages(root) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in root.rglob("*.html") if "pagefind" not in p.parts}


@pytest.mark.parametrize("protection", ["server", "encrypt"])
def test_every_page_starts_with_the_two_policies_before_anything_it_loads(site, protection):
    site.edit("site.yaml", "https://cc.example.org/", "https://cc.example.org/hcc/")
    site.edit("site.yaml", "protection: server", f"protection: {protection}")
    credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)
    assert site.build().status == 0
    built = pages(site.output / "public")
    if protection == "server":
        built.update({f"members/{k}": v for k, v in pages(site.output / "members").items()})
    assert "members/index.html" in built and "centres/index.html" in built
    for path, html in built.items():
        head = html.split("</head>", 1)[0]
        policies = re.findall(re.escape(META) + r'([^"]*)">', head)
        assert policies == [
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
            "img-src 'self' data: blob: https://tile.openstreetmap.org; object-src 'none'; "
            "base-uri 'self'; "
            "form-action 'self'",
            "script-src *:*/hcc/assets/ *:*/hcc/pagefind/ *:*/hcc/__ccsite/ 'wasm-unsafe-eval'",
        ], path
        first_load = re.search(r"<(?:script|link|style)\b", head)
        assert head.index(META) < first_load.start(), path  # a policy covers what follows


THEME_BASE = Path(__file__).parent.parent / "templates" / "base.html"
POLICY_LINE = "  {{ security_policy(site.config.base_path, [site.config.map.tile_origin]) }}\n"
TAG_MANAGER = '  <script src="https://www.googletagmanager.com/gtag/js"></script>\n'


CHANGES = {"left out": "", "a script above it": TAG_MANAGER + POLICY_LINE,
           "commented out": "<!--\n" + POLICY_LINE + "-->\n",
           "in the body": None}


@pytest.mark.parametrize("protection", ["server", "encrypt"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_base_template_without_the_policy_first_fails_the_build(site, protection, change):
    """A council's base.html with the policy line deleted, or a tag manager's script put
    "as high in the head as possible", above it: the pages (in encrypt mode, the members
    area's too) went out with no policy, and another site's script ran on them, where it
    could read the members area (a theme customiser's review)."""
    site.edit("site.yaml", "protection: server", f"protection: {protection}")
    credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)
    assert site.build().status == 0
    before = site.snapshot()
    base = THEME_BASE.read_text(encoding="utf-8")
    assert POLICY_LINE in base
    (site.root / "templates").mkdir()
    if change == "in the body":  # a browser reads a policy in <head> only (here nothing
        # in <head> loads anything, so the policy in <body> comes before all that does)
        mine = "".join(line for line in base.replace(POLICY_LINE, "").splitlines(True)
                       if not line.lstrip().startswith("<link"))
        mine = mine.replace("<body>", "<body>\n" + POLICY_LINE, 1)
    else:
        mine = base.replace(POLICY_LINE, CHANGES[change])
    (site.root / "templates" / "base.html").write_text(mine)
    result = site.build()
    assert result.status == 1
    assert "templates/base.html:0: policy: the page /404.html and " in result.err, result.err
    assert "do not start with the site's Content-Security-Policy: keep {{ security_policy(" \
        in result.err
    assert site.snapshot() == before


def test_what_loads_nothing_may_come_before_the_policy(site):
    """A comment naming an old script, and structured data (JSON-LD), above the policy
    load and run nothing: the build went on (a review of this check found it failed)."""
    base = THEME_BASE.read_text(encoding="utf-8")
    (site.root / "templates").mkdir()
    (site.root / "templates" / "base.html").write_text(base.replace(POLICY_LINE, (
        "  <!-- the old <script src=\"https://www.googletagmanager.com/gtag/js\"> -->\n"
        '  <script type="application/ld+json">{}</script>\n') + POLICY_LINE))
    result = site.build()
    assert result.status == 0, result.err


@pytest.mark.browser
@needs_browser
def test_a_script_under_media_never_runs_while_the_themes_scripts_do(site, page):
    assert site.build().status == 0
    public = site.output / "public"
    # what the media check refuses, put there by hand, and markup loading it injected
    # into a built page
    (public / "media" / "steal.js").write_text("window.stolen = document.title;")
    listing = public / "centres" / "index.html"
    listing.write_text(listing.read_text().replace(
        "</main>", '<script src="/media/steal.js"></script></main>'))
    blocked = []
    page.on("console", lambda message: blocked.append(message.text))
    with served(public) as base:
        page.goto(base + "/centres/")
        page.locator("[data-centre-filter]").wait_for()  # centres-filter.js showed it
        assert page.evaluate("window.stolen") is None
        assert page.evaluate("fetch('/media/steal.js').then(r => r.status)") == 200
    assert any("/media/steal.js" in text and "Content Security Policy" in text
               for text in blocked), blocked

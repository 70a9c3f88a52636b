"""The quality of the sample site's pages: valid HTML, light pages, a centre page that
prints as a one-page leaflet, pages that work without JavaScript, and (on request)
screenshots of every page type for people to look at:

    python -m pytest tests/test_page_quality.py -k screenshots --screenshots screenshots/
"""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest

import pagetypes
from browser import needs_browser, served
from ccsite.members import credentials

PAGE_BUDGET = 100 * 1024  # HTML + CSS + JavaScript of one page, uncompressed; images aside


def html_pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


# -- every page: valid HTML, and light ---------------------------------------------------

def test_every_page_of_the_build_is_valid_html(sample_build):
    pages = html_pages(sample_build / "public") + html_pages(sample_build / "members")
    assert len(pages) > 100
    invalid = {}
    for path in pages:
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(path.read_bytes())
        if parser.errors:
            invalid[str(path.relative_to(sample_build))] = [
                f"line {line}:{col} {code} {data}" for (line, col), code, data in parser.errors[:5]]
    assert not invalid, invalid


class _Assets(HTMLParser):
    """The style sheets and scripts a page loads, and the ones it imports later (the
    search page's Pagefind, named in a data-pagefind attribute)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        if (a.get("data-pagefind") or "").endswith(".js"):
            self.urls.append(a["data-pagefind"])


def page_weight(public: Path, page: Path) -> tuple[int, dict[str, int]]:
    finder = _Assets()
    finder.feed(page.read_text(encoding="utf-8"))
    parts = {"HTML": page.stat().st_size}
    for url in dict.fromkeys(finder.urls):
        assert url.startswith("/") and "//" not in url, f"{page}: {url} is not on the site"
        asset = public / url.lstrip("/")
        assert asset.is_file(), f"{page} loads {url}, which is not in the build"
        parts[url] = asset.stat().st_size
    return sum(parts.values()), parts


def test_each_public_page_with_its_css_and_javascript_is_under_100_kb(sample_build):
    public = sample_build / "public"
    heavy = {}
    weights = {}
    for page in html_pages(public):
        if page.is_relative_to(public / "pagefind"):
            continue
        total, parts = page_weight(public, page)
        weights[page] = total
        if total > PAGE_BUDGET:
            heavy[str(page.relative_to(public))] = parts
    assert not heavy, f"over {PAGE_BUDGET // 1024} KB: {heavy}"
    # the search page counts the search engine it loads when someone searches
    assert "/pagefind/pagefind.js" in page_weight(public, public / "search" / "index.html")[1]
    assert len(weights) > 100


def test_the_themes_scripts_and_styles_are_published_small_and_the_libraries_as_they_are(
        sample_build):
    """A phone fetches the theme's own code without its comments and spaces (rjsmin,
    rcssmin); templates/ keeps them. Leaflet is published as npm gives it."""
    public, theme = sample_build / "public" / "assets", pagetypes.ROOT / "templates" / "assets"
    ours = [p for p in sorted(theme.glob("*")) if p.suffix in (".js", ".css")]
    assert len(ours) >= 8
    for source in ours:
        published = (public / source.name).read_text(encoding="utf-8")
        written = source.read_text(encoding="utf-8")
        assert len(published) < 0.85 * len(written), source.name
        assert not re.search(r"(?m)^\s*//|/\*(?!!)", published), source.name
    for library in sorted((theme / "vendor").rglob("*.*")):
        assert (public / "vendor" / library.relative_to(theme / "vendor")).read_bytes() == \
            library.read_bytes(), library.name


def test_a_sites_own_scripts_are_published_as_it_wrote_them(site):
    """Only ccsite's own theme is minified: rjsmin read a nested template literal's `//`
    as a comment and cut a council's own script short (published broken, with no word),
    and a script not in UTF-8 stopped the build with a traceback."""
    script = ("/*! Council banner v1.0 | (c) Example Ltd | MIT License */\n(() => {\n"
              "  const open = true;\n  const line = `${open ? `We're open` : \"Closed\"} "
              "today. Don't miss https://www.example.gov.uk/centres`;\n"
              "  document.documentElement.dataset.banner = line;\n})();\n").encode()
    site.write("../templates/assets/council.js", script)
    site.write("../templates/assets/old.css", "/* caf\xe9 */\nbody { color: #111 }\n"
               .encode("latin-1"))
    assert site.build("--templates", str(site.root / "templates")).status == 0
    assets = site.output / "public/assets"
    assert (assets / "council.js").read_bytes() == script
    assert (assets / "old.css").read_bytes() == "/* caf\xe9 */\nbody { color: #111 }\n" \
        .encode("latin-1")
    assert len((assets / "places.js").read_bytes()) < 0.85 * len(
        (pagetypes.ROOT / "templates/assets/places.js").read_bytes())  # (the theme's: small)


def test_a_theme_script_changed_between_builds_is_published_as_changed(site, tmp_path,
                                                                        monkeypatch):
    """The theme's minified files are made once while each file is as it was (the
    preview server builds in one process at every edit): an edit of one is published."""
    from ccsite import render

    theme = tmp_path / "theme"
    shutil.copytree(pagetypes.ROOT / "templates", theme)
    monkeypatch.setattr(render, "default_templates", lambda: theme)
    assert site.build().status == 0
    published = site.output / "public/assets/nav.js"
    before = published.read_text(encoding="utf-8")
    script = theme / "assets/nav.js"
    script.write_text(script.read_text(encoding="utf-8") + "\nwindow.ccsiteEdited = 1;\n",
                      encoding="utf-8")
    site.edit("news/centres-open.md", "See [Oxhey]", "Edited. See [Oxhey]")  # (a build:
    assert site.build().status == 0  # the up-to-date check watches the real theme folder)
    assert published.read_text(encoding="utf-8") == before + "window.ccsiteEdited=1;"


# -- printing a centre ------------------------------------------------------------------

def _printed_part(page: Path) -> int:
    """How much of a centre page is printed (the sections print hides left out)."""
    text = page.read_text(encoding="utf-8")
    leaflet = text[text.find('<article class="print-leaflet">'):text.find("</article>")]
    return len(re.sub(r'(?s)<section class="leaflet-extra.*?</section>', "", leaflet))


@pytest.fixture(scope="module")
def public_site(sample_build):
    with served(sample_build / "public") as base:
        yield base


def longest_leaflets(public: Path, count: int = 3) -> list[str]:
    pages = sorted((public / "centres").glob("*/index.html"), key=_printed_part)
    return [f"/centres/{p.parent.name}/" for p in pages[-count:]]


@pytest.mark.browser
@needs_browser
def test_centre_page_prints_as_a_leaflet(sample_build, public_site, page):
    centre = longest_leaflets(sample_build / "public", 1)[0]
    page.goto(public_site + centre)
    page.emulate_media(media="print")
    for hidden in (".skip-link", ".site-nav", ".site-footer", ".breadcrumbs"):
        assert page.locator(hidden).evaluate("el => getComputedStyle(el).display") == "none", \
            hidden
    for row in ("Address", "Opening hours", "Telephone"):
        shown = page.locator(".summary-list__row", has_text=row)
        assert shown.is_visible(), row
        assert shown.locator("dd").inner_text().strip(), row
    assert page.get_by_text("More about this centre:").is_visible()  # its address on the web
    # what a sheet on the fridge needs: when the centre is closed, when term-time sessions
    # stop, and the day it was printed (they were left off: a parent's review)
    for closed in (".hours__closed", ".sessions__holidays"):
        assert page.locator(closed).is_visible(), closed
    assert "Christmas Day" in page.locator(".hours__closed").inner_text()
    printed = page.locator("[data-printed-on]").inner_text()
    assert re.fullmatch(r"\. Printed on \d{1,2} [A-Z][a-z]+ \d{4}: check there for changes "
                        r"before you go\.", printed), printed
    page.emulate_media(media="screen")
    assert not page.get_by_text("More about this centre:").is_visible()


@pytest.mark.browser
@needs_browser
def test_the_current_section_is_marked_in_forced_colours_too(public_site, page):
    """Windows' high contrast mode drops box shadows, the menu's mark of where one is."""
    page.goto(public_site + "/centres/")
    page.emulate_media(forced_colors="active")
    marked = lambda item: page.locator(item + " a").first.evaluate(
        "a => getComputedStyle(a).textDecorationLine")
    assert marked(".site-nav__item--active") == "underline"
    assert marked(".site-nav__item:not(.site-nav__item--active)") == "none"


@pytest.mark.browser
@needs_browser
def test_the_progress_chart_and_its_key_are_drawn_in_forced_colours(public_site, page):
    """High contrast repaints text, not a drawing's fill: the chart's labels stayed
    near-black on the black of a dark high-contrast theme, and its key's swatches (CSS
    backgrounds) were painted out."""
    page.goto(public_site + "/programme/")
    page.emulate_media(forced_colors="active", color_scheme="dark")
    text = page.locator("main p").first.evaluate("e => getComputedStyle(e).color")
    canvas = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert text != canvas
    style = lambda selector, what, pseudo="null": page.locator(selector).first.evaluate(
        f"e => getComputedStyle(e, {pseudo}).{what}")
    assert style(".chart text", "fill") == text
    assert style(".chart .axis", "fill") == text
    assert style(".chart .baseline", "stroke") == text
    actual = style(".chart .actual", "stroke")
    assert actual not in (canvas, "none")
    for key in (".key--actual", ".key--target"):
        assert style(key, "backgroundColor", "'::before'") not in (canvas, "rgba(0, 0, 0, 0)")


@pytest.mark.browser
@needs_browser
def test_every_label_of_the_progress_chart_is_inside_its_picture(public_site, page):
    """The last year's label ran past the picture's edge, its last figure cut off (a
    parent's review)."""
    page.goto(public_site + "/programme/")
    outside = page.locator(".chart").first.evaluate("""svg => {
        const box = svg.viewBox.baseVal;
        return [...svg.querySelectorAll("text")].map((t) => [t.textContent, t.getBBox()])
          .filter(([, b]) => b.x < box.x || b.x + b.width > box.x + box.width)
          .map(([text]) => text); }""")
    assert outside == []


@pytest.mark.browser
@needs_browser
def test_a_disclosure_shows_that_it_opens(public_site, page):
    """'Centres open by date' on the programme page looked like a plain link: no mark
    that it opens and closes (a screen reader was told; a sighted reader was not)."""
    page.goto(public_site + "/programme/")
    summary = page.locator("summary.details__summary")
    assert summary.count() >= 1
    for each in summary.all():
        assert each.evaluate("e => getComputedStyle(e).display") == "list-item"
        assert each.evaluate("e => getComputedStyle(e, '::marker').content") != "none"


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    counted = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    if shutil.which("pdfinfo"):  # poppler-utils, where installed: the same answer
        file = tmp_path / "page.pdf"
        file.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(file)], capture_output=True, text=True,
                              check=True).stdout
        assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) == counted
    return counted


@pytest.mark.browser
@needs_browser
def test_every_centre_leaflet_prints_on_one_page(sample_build, public_site, page, tmp_path):
    """Every centre, on A4 and on Letter: the three 'longest' by their markup missed six
    that a sheet's closures and school holidays took onto a second page (a review)."""
    for centre in sorted(f"/centres/{p.parent.name}/" for p in
                         (sample_build / "public" / "centres").glob("*/index.html")):
        page.goto(public_site + centre)
        for paper in ("A4", "Letter"):
            pdf = page.pdf(format=paper)
            assert pdf_pages(pdf, tmp_path) == 1, f"{centre} on {paper}"


# -- without JavaScript ------------------------------------------------------------------

@pytest.mark.browser
@needs_browser
def test_pages_work_without_javascript(sample_build, public_site, chromium):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(public_site + "/")  # the box for the nearest centres needs the script
        assert not page.get_by_label("Postcode or town").is_visible()
        assert page.get_by_role("link", name="Find a children's centre").is_visible()
        page.goto(public_site + "/centres/")
        assert not page.locator("[data-centre-filter]").is_visible()  # needs the script
        groups = page.locator("[data-district-group]")
        assert groups.count() > 1
        for group in groups.all():
            assert group.is_visible()
            assert group.get_by_role("heading", level=2).is_visible()
        cards = page.locator(".card")
        assert cards.count() == page.locator(".card:visible").count() > 10
        # the districts a click away at the top, not some twenty screens of cards down
        # (a parent's review), and the centres by service
        districts = page.get_by_role("navigation", name="Districts")
        assert districts.get_by_role("link").count() == groups.count() + 1
        assert districts.bounding_box()["y"] < groups.first.bounding_box()["y"]
        watford = page.get_by_role("heading", name="Watford", level=2)
        districts.get_by_role("link", name="Watford").click()
        assert page.evaluate("location.hash") == "#district-watford"
        assert watford.bounding_box()["y"] < 50  # (scrolled to it)
        districts.get_by_role("link", name="centres by service").click()
        assert page.evaluate("location.hash") == "#by-service"
        page.get_by_role("link", name=cards.first.get_by_role("link").inner_text()).first.click()
        page.get_by_role("heading", level=1).wait_for()
        assert page.locator(".summary-list__row", has_text="Opening hours").is_visible()

        page.goto(public_site + "/search/")
        assert page.get_by_text("Search works in your browser and needs JavaScript").is_visible()
        assert page.get_by_role("link", name="Children's centres by district and by service") \
            .is_visible()

        page.goto(public_site + "/opportunities/")
        assert page.get_by_role("link", name=re.compile("Add the deadline")).count() == 0
        assert page.locator(".item-list__item").first.is_visible()
        page.goto(public_site + "/programme/")
        assert page.locator("table").first.is_visible()
    finally:
        context.close()


# -- screenshots for people --------------------------------------------------------------

@pytest.mark.browser
@needs_browser
def test_screenshots(request, sample_build, chromium, tmp_path_factory):
    """With --screenshots DIR: a PNG of every page type at phone and desktop widths."""
    folder = request.config.getoption("--screenshots")
    if not folder:
        pytest.skip("screenshots only with --screenshots DIR")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    work = tmp_path_factory.mktemp("screenshots")
    joined = pagetypes.joined_root(sample_build, work / "root")
    urls = pagetypes.public_pages(sample_build / "public")
    urls.update(pagetypes.members_pages(sample_build / "members"))
    content = pagetypes.copy_sample(work)
    (content / "site.yaml").write_text((content / "site.yaml").read_text().replace(
        "protection: server", "protection: encrypt"))
    passphrase = credentials.MemberStore(work / ".ccsite-secrets").add("Jane Example", None)[1]
    encrypted = pagetypes.build(content, work / "_site") / "public"
    written = []
    with served(joined) as base, served(encrypted) as encrypted_base:
        for width, pixels in {"phone": 375, "desktop": 1280}.items():
            context = chromium.new_context(viewport={"width": pixels, "height": 900},
                                           device_scale_factor=1)
            page = context.new_page()
            for kind, path in urls.items():
                page.goto(base + path)
                pagetypes.wait_until_ready(page, path)
                written.append(_shoot(page, out, kind, width))
            page.goto(encrypted_base + "/members/")
            page.get_by_label("Your passphrase").wait_for()
            written.append(_shoot(page, out, "members sign-in (encrypt mode)", width))
            page.get_by_label("Your passphrase").fill(passphrase)
            page.get_by_role("button", name="Open the members area").click()
            page.get_by_role("navigation", name="Lead agency network").wait_for()
            written.append(_shoot(page, out, "members unlocked (encrypt mode)", width))
            page.goto(base + pagetypes.public_pages(sample_build / "public")["centre"])
            page.emulate_media(media="print")
            written.append(_shoot(page, out, "centre printed", width))
            context.close()
    assert all(p.stat().st_size > 1000 for p in written)
    print(f"\n{len(written)} screenshots in {out}")


def _shoot(page, out: Path, kind: str, width: str) -> Path:
    name = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")
    path = out / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

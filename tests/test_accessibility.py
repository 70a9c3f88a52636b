"""Accessibility in a real browser: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) over every
page type of the sample site and of the members area in both protection modes, at desktop
and phone widths; and what axe cannot see: the skip link, visible focus, landmarks, headings,
table headers, link text, reflow at 320 px, and the scripted parts worked by keyboard only."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT

import pagetypes
from browser import needs_browser, served
from ccsite.members import credentials

pytestmark = [pytest.mark.browser, needs_browser]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": 1280, "phone": 375}
PUBLIC = ["home", "centres index", "centre", "centres by service", "whats on", "whats on day",
          "opportunities index", "opportunity",
          "opportunity (upcoming)", "opportunity (closed)", "opportunity (cancelled)",
          "agencies index", "agency", "consultations index", "consultation", "subscribe",
          "lessons index", "lesson", "news list", "news page 2",
          "news item", "free page", "programme", "search", "open data", "404"]
MEMBERS = ["members index", "members post", "members tag", "members directory",
           "members page", "members search"]
ENCRYPTED = ["sign-in", "sign-in error", "unlocked index", "unlocked post"]
VAGUE_LINKS = {"click here", "read more", "here", "more", "click", "link", "this page"}

EXTRA_NEWS = """\
---
title: Autumn update {n}
date: 2026-10-{day:02d}
summary: News item {n} of a longer list, so that the news list has a second page.
---
An update from the programme team.
"""


# -- the sites under test -----------------------------------------------------------------

@pytest.fixture(scope="module")
def sites(sample_build, tmp_path_factory):
    """The sample in server mode (public site and members area in one folder), and a copy
    of the sample in encrypt mode with a member and enough news for a second news page."""
    folder = tmp_path_factory.mktemp("a11y-encrypt")
    content = pagetypes.copy_sample(folder)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("protection: server",
                                                       "protection: encrypt"))
    for n in range(1, 12):
        (content / "news" / f"autumn-update-{n}.md").write_text(
            EXTRA_NEWS.format(n=n, day=n), encoding="utf-8")
    passphrase = credentials.MemberStore(folder / ".ccsite-secrets").add("Jane Example", None)[1]
    encrypted = pagetypes.build(content, folder / "_site") / "public"
    joined = pagetypes.joined_root(sample_build, tmp_path_factory.mktemp("a11y-joined") / "root")
    urls = pagetypes.public_pages(sample_build / "public")
    urls.update(pagetypes.members_pages(sample_build / "members"))
    assert (encrypted / "news" / "page" / "2" / "index.html").is_file()
    with served(joined) as base, served(encrypted) as encrypted_base:
        pages = {kind: base + path for kind, path in urls.items()}
        pages["news page 2"] = encrypted_base + "/news/page/2/"
        yield {"pages": pages, "encrypted": encrypted_base, "passphrase": passphrase}


@pytest.fixture(scope="module")
def tab(chromium):
    """One browser tab for the module (opening a tab costs more than most checks), with
    axe-core loaded into every page it opens."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(AXE_SCRIPT)
    page = context.new_page()
    yield page
    context.close()


def sign_in_page(page, sites) -> None:
    """The encrypted members area's sign-in form, not remembered from an earlier test."""
    page.goto(sites["encrypted"] + "/members/")
    page.context.clear_cookies()  # a kept key's half (see members.js: keyKeeper)
    page.evaluate("sessionStorage.clear()")
    page.reload()
    page.get_by_role("button", name="Open the members area").wait_for()


def open_page(page, sites, kind: str) -> None:
    """Go to a page of the given type, ready to be checked (search results shown, members
    area unlocked or not)."""
    if kind in ENCRYPTED:
        sign_in_page(page, sites)
        form = page.get_by_role("button", name="Open the members area")
        if kind == "sign-in":
            return
        page.get_by_label("Your passphrase").fill(
            "wrong words entirely" if kind == "sign-in error" else sites["passphrase"])
        form.click()
        if kind == "sign-in error":
            page.get_by_role("alert").wait_for()
            return
        page.get_by_role("navigation", name="Lead agency network").wait_for()
        if kind == "unlocked post":
            page.locator("main .item-list__title a").first.click()
            page.get_by_role("heading", level=1).filter(has_not_text="Lead agency network") \
                .wait_for()
        return
    if kind not in sites["pages"]:
        pytest.skip(f"the sample has no {kind} page")
    url = sites["pages"][kind]
    response = page.goto(url)
    assert response.status == (404 if kind == "404" else 200), url
    address = urlsplit(url)
    pagetypes.wait_until_ready(page, address.path + ("?" + address.query if address.query else ""))


# axe's best practices a screen reader's user meets as a failure: two landmarks of one
# name (a table's scrolling region named as the section it is in: a provider's review)
# cannot be told apart in the landmarks list
AXE_PRACTICES = ["landmark-unique"]


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe === 'object'"):  # a tab without the init script
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(
        "async ([tags, rules]) => [...(await axe.run(document, {runOnly: {type: 'tag', "
        "values: tags}, resultTypes: ['violations']})).violations, ...(await axe.run("
        "document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']}))"
        ".violations]", [AXE_TAGS, AXE_PRACTICES])


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: "
                         f"{node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


# -- axe over every page type, both widths --------------------------------------------------

@pytest.mark.parametrize("kind", PUBLIC + MEMBERS + ENCRYPTED)
def test_axe_finds_no_wcag_a_or_aa_violations(kind, sites, tab):
    """Each page type at desktop (1280 px) and phone (375 px) widths. The page is loaded
    once and narrowed, then given a frame to fit itself to the width, as a real one is
    (nav.js makes a region that scrolls a tab stop)."""
    found = []
    tab.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    open_page(tab, sites, kind)
    for width, pixels in WIDTHS.items():
        tab.set_viewport_size({"width": pixels, "height": 900})
        tab.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                     "requestAnimationFrame(r)))")
        violations = axe_violations(tab)
        if violations:
            found.append(f"at {width} width ({pixels} px):\n{report(violations)}")
    assert not found, f"{kind}\n" + "\n".join(found)


# -- what axe does not check ----------------------------------------------------------------

STRUCTURE = """() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== 'hidden';
  const name = (el) => (el.getAttribute('aria-label') || el.innerText || '').trim();
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6,[role=heading]')]
    .filter((h) => visible(h) || h.closest('.visually-hidden'))
    .map((h) => ({level: Number(h.getAttribute('aria-level') || h.tagName.slice(1)),
                  text: name(h).slice(0, 60)}));
  const tables = [...document.querySelectorAll('table')].map((t) => ({
    caption: t.caption ? t.caption.innerText.trim() : '',
    headers: t.querySelectorAll('th').length,
    firstRowHeaders: t.rows.length ? t.rows[0].querySelectorAll('th').length : 0,
    rowsWithoutHeader: [...t.rows].filter((r) => !r.querySelector('th')).length,
    hasColumnHeaders: !!t.querySelector('thead th, tr:first-child th[scope=col]'),
  }));
  const links = [...document.querySelectorAll('a[href]')].filter(visible)
    .map((a) => name(a).toLowerCase().replace(/[.…:!?]+$/, '').trim());
  return {
    h1: document.querySelectorAll('h1').length,
    headings, tables, links,
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""

FOCUSABLE = ("a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])")

RECORD_FOCUS = """() => {
  window.__focused = [];
  document.addEventListener('focusin', (event) => {
    const el = event.target, style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(style.outlineColor);
    window.__focused.push({
      what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
            (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 40),
      visible: outline || style.boxShadow !== 'none',
      tabStop: el.tabIndex >= 0,  // not main or a heading focused by a script
      focusVisible: el.matches(':focus-visible'),
    });
  });
}"""


def heading_problems(headings: list[dict]) -> list[str]:
    problems = []
    if headings and headings[0]["level"] != 1:
        problems.append(f"first heading is h{headings[0]['level']} {headings[0]['text']!r}")
    for before, after in zip(headings, headings[1:]):
        if after["level"] > before["level"] + 1:
            problems.append(f"h{before['level']} {before['text']!r} is followed by "
                            f"h{after['level']} {after['text']!r}")
    return problems


@pytest.mark.parametrize("kind", PUBLIC + MEMBERS + ["sign-in", "unlocked index"])
def test_page_structure_skip_link_focus_and_reflow(kind, sites, tab):
    """At 320 px wide (400% zoom of a 1280 px window): no sideways scrolling, one h1,
    headings that do not skip levels, landmarks, tables with headers, no vague links,
    a skip link first that moves focus to main, and a visible focus on everything Tab
    reaches."""
    page = tab
    page.set_viewport_size({"width": 320, "height": 640})
    if kind == "unlocked index":  # remembered for the session, so it opens on load
        open_page(page, sites, "sign-in")
        page.get_by_label("Your passphrase").fill(sites["passphrase"])
        page.get_by_label("Keep me signed in until I close the browser").check()
        page.get_by_role("button", name="Open the members area").click()
        page.get_by_role("navigation", name="Lead agency network").wait_for()
        page.reload()
        page.get_by_role("navigation", name="Lead agency network").wait_for()
    else:
        open_page(page, sites, kind)
    found = page.evaluate(STRUCTURE)
    problems = []
    if found["scrollWidth"] > 320:
        problems.append(f"scrolls sideways at 320 px: {found['scrollWidth']} px wide")
    # a table may scroll sideways, its title may not: it was cut off at the table's edge
    problems += [f"table title cut off at 320 px: {cut}" for cut in page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap caption')].filter(c => {
            const wrap = c.closest('.table-wrap').getBoundingClientRect();
            const text = document.createRange(); text.selectNodeContents(c);
            return wrap.width > 0 && text.getBoundingClientRect().right > wrap.right + 1;
        }).map(c => c.textContent)""")]
    if found["h1"] != 1:
        problems.append(f"{found['h1']} h1 elements")
    problems += heading_problems(found["headings"])
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        count = page.get_by_role(landmark).count()
        if not count or (count > 1 and landmark != "navigation"):
            problems.append(f"{count} {landmark} landmarks")
    for table in found["tables"]:
        if not table["headers"] or not (table["hasColumnHeaders"]
                                        or table["rowsWithoutHeader"] == 0):
            problems.append(f"table without headers: {table}")
    problems += [f"vague link text {text!r}" for text in found["links"] if text in VAGUE_LINKS]

    # skip link: the first thing Tab reaches, visible when focused, and it moves focus
    page.evaluate(RECORD_FOCUS)
    page.keyboard.press("Tab")
    skip = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect();
        return {text: el.innerText, href: el.getAttribute('href'),
                onScreen: box.left >= 0 && box.top >= 0 && box.width > 0}; }""")
    if skip["text"] != "Skip to main content" or skip["href"] != "#main" or not skip["onScreen"]:
        problems.append(f"first Tab stop is not a visible skip link: {skip}")
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.id") != "main":
        problems.append("the skip link does not move focus to main")

    # visible focus on every Tab stop (from main onwards, then round to the header)
    stops = page.locator(FOCUSABLE).count()
    for _ in range(stops + 2):
        page.keyboard.press("Tab")
    focused = page.evaluate("window.__focused")
    assert len(focused) > 3, f"{kind}: Tab reached only {focused}"
    problems += [f"no visible focus on {f['what']!r}" for f in focused
                 if f["tabStop"] and not f["visible"]]
    assert not problems, f"{kind}:\n" + "\n".join(problems)


# -- the scripted parts, with the keyboard only ---------------------------------------------

def tab_to(page, predicate_js: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {predicate_js}")


def test_centres_filter_works_with_the_keyboard_only(sites, tab):
    page = tab
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(sites["pages"]["centres index"])
    status = page.locator("[data-filter-status]")
    all_cards = page.locator(".card").count()
    tab_to(page, "el.id === 'filter-district'")
    page.keyboard.type("Watford")  # a closed select jumps to the option typed
    assert page.get_by_label("District", exact=True).input_value() == "Watford"
    page.keyboard.press("Tab")
    for _ in range(10):
        label = page.evaluate("(document.activeElement.labels || [])[0]?.innerText")
        if label == "Child and family health services":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.get_by_label("Child and family health services").is_checked()
    shown = page.locator(".card:visible")
    assert re.fullmatch(r"\d+ centres? shown", status.inner_text())
    assert 0 < shown.count() < all_cards
    assert status.inner_text().startswith(f"{shown.count()} ")
    for card in shown.all():
        assert card.get_attribute("data-district") == "Watford"
        assert "health" in card.get_attribute("data-services").split()
    assert "district=Watford" in page.url and "service=health" in page.url

    # onwards to the first centre shown, still by keyboard
    first = shown.first.get_by_role("link").inner_text()
    tab_to(page, f"el.innerText === {first!r}")
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name=first).wait_for()
    page.go_back()

    # the filter was kept in the address; clear it with the keyboard
    page.get_by_label("District", exact=True).wait_for()
    assert page.get_by_label("District", exact=True).input_value() == "Watford"
    tab_to(page, "el.matches('[data-filter-clear]')")
    page.keyboard.press("Enter")
    assert page.locator(".card:visible").count() == all_cards
    assert page.get_by_label("District", exact=True).input_value() == ""


def test_members_unlock_works_with_the_keyboard_only(sites, tab):
    page = tab
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_page(page, sites)
    tab_to(page, "el.id === 'members-passphrase'")
    page.keyboard.type("not my words")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    # the message takes focus, so it is read out; back to the field and try again
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "members-passphrase"
    page.keyboard.press("Control+A")
    page.keyboard.type(sites["passphrase"])
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # keep me signed in
    assert page.get_by_label("Keep me signed in until I close the browser").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the button
    page.get_by_role("navigation", name="Lead agency network").wait_for()
    post = page.locator("main .item-list__title a").first.inner_text()
    tab_to(page, f"el.innerText === {post!r}")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1, name=post)
    heading.wait_for()
    # the new page's heading takes focus, so the next Tab continues from it
    assert page.evaluate("document.activeElement.tagName") == "H1"


# -- the accessibility statement made from site settings ------------------------------------

# What the sample's site.yaml leaves out, added to a copy so that every setting is shown.
MORE_SETTINGS = """\
  email: access@example.org
  phone: "01632 960999"
  disproportionate_burden:
    - the map of centres cannot be used by keyboard alone; the list beside it gives the same addresses
"""
MINIMAL = "accessibility:\n  compliance: full\n  prepared: 2026-11-02\n"


def accessibility_block(site_yaml: str) -> tuple[int, int]:
    """Where site.yaml's `accessibility:` block starts and ends (character offsets)."""
    start = site_yaml.index("\naccessibility:") + 1
    after = re.search(r"\n[^\s#]", site_yaml[start:])
    return start, start + after.start() + 1 if after else len(site_yaml)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def said_for(settings: dict) -> dict[str, list[str]]:
    """Each accessibility setting -> what the statement must say for it, in the words of
    GOV.UK's model statement."""
    standard = str(settings.get("standard", "2.2"))
    guidelines = f"compliant with the Web Content Accessibility Guidelines version {standard} " \
        "AA standard"
    compliance = {"full": "fully", "partial": "partially", "not": "not"}
    said = {
        "compliance": [f"This website is {compliance[settings['compliance']]} {guidelines}"],
        "standard": [guidelines],
        "prepared": [f"This statement was prepared on {long_date(settings['prepared'])}"],
        "reviewed": [f"It was last reviewed on {long_date(settings.get('reviewed', dt.date.min))}"],
        "tested": [f"This website was last tested on "
                   f"{long_date(settings.get('tested', dt.date.min))} against the WCAG "
                   f"{standard} AA standard"],
        "tested_by": [f"The test was carried out by {settings.get('tested_by')}"],
        "response_days": [f"get back to you in {settings.get('response_days')} working days"],
        "email": [f"email {settings.get('email')}"],
        "phone": [f"call {settings.get('phone')}"],
        "improvements": [str(settings.get("improvements"))],
        "non_compliance": [
            text for item in settings.get("non_compliance", []) for text in (
                item["issue"], f"This fails WCAG {standard} success criteri"
                f"{'on' if len(item['criteria']) == 1 else 'a'} {', '.join(item['criteria'])}.",
                f"We plan to fix this by {long_date(item['fix_by'])}.")],
    }
    for listed in ("limitations", "disproportionate_burden", "out_of_scope"):
        said[listed] = list(settings.get(listed, []))
    return {name: said[name] for name in settings}


def built_statement(folder, block: str | None, tab) -> tuple[dict, str, str]:
    """A copy of the sample built with `block` as its accessibility settings (None: the
    sample's own and MORE_SETTINGS): the settings as site.yaml has them, the built
    /accessibility/ page's HTML, and its main text as the browser shows it, after axe
    (at each width) and the heading checks."""
    import yaml

    content = pagetypes.copy_sample(folder)
    site_yaml = (content / "site.yaml").read_text(encoding="utf-8")
    start, end = accessibility_block(site_yaml)
    block = site_yaml[start:end].rstrip("\n") + "\n" + MORE_SETTINGS if block is None else block
    site_yaml = site_yaml[:start] + block + site_yaml[end:]
    (content / "site.yaml").write_text(site_yaml, encoding="utf-8")
    public = pagetypes.build(content, folder / "_site") / "public"
    html = (public / "accessibility/index.html").read_text(encoding="utf-8")
    with served(public) as base:
        tab.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        tab.goto(base + "/accessibility/")
        for width in WIDTHS.values():
            tab.set_viewport_size({"width": width, "height": 900})
            violations = axe_violations(tab)
            assert not violations, report(violations)
        text = re.sub(r"\s+", " ", tab.inner_text("main"))
        assert not heading_problems(tab.evaluate(STRUCTURE)["headings"])
    return yaml.safe_load(site_yaml)["accessibility"], html, text


# what the model statement of the UK regulations asks for, whatever the settings
MODEL_STATEMENT = [
    "Accessibility statement for Hertfordshire Children's Centres",
    "This website is run by Hertfordshire County Council", "Feedback and contact information",
    "Reporting accessibility problems with this website", "Enforcement procedure",
    "Equality Advisory and Support Service",
    "Technical information about this website's accessibility", "Compliance status",
    "Preparation of this accessibility statement"]


def test_built_accessibility_statement_shows_every_setting_of_site_yaml(tmp_path, tab):
    """The sample's accessibility: settings (and the ones it leaves out, added), built:
    every setting the validator reads is in the copy and is said on /accessibility/."""
    import html5lib

    from validator_fields import fields_the_validator_reads

    settings, html, text = built_statement(tmp_path, None, tab)
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    assert not parser.errors
    read = {path.removeprefix("accessibility.") for kind, _, path in
            fields_the_validator_reads(tmp_path / "content")
            if kind == "site" and path.startswith("accessibility.")}
    assert set(settings) == {name for name in read if "." not in name}, \
        "a setting the validator reads is not given (or not known) here"
    assert {f"non_compliance[].{name}" for item in settings["non_compliance"] for name in item} \
        == {name for name in read if "." in name}
    for needed in MODEL_STATEMENT:
        assert needed in text, needed
    said = said_for(settings)
    assert set(said) == set(settings) and all(said.values())
    for name, texts in said.items():
        for needed in texts:
            assert needed in text, f"accessibility.{name}: {needed!r} is not on the page"


def test_built_accessibility_statement_from_the_fewest_settings_says_the_defaults(
        tmp_path, tab):
    settings, _, text = built_statement(tmp_path, MINIMAL, tab)
    for needed in [*MODEL_STATEMENT, *sum(said_for(settings).values(), [])]:
        assert needed in text, needed
    assert "fully compliant with the Web Content Accessibility Guidelines version 2.2" in text
    assert "childrens.centres@example.org" in text and "01632 960555" in text  # organisation's
    assert "get back to you in 5 working days" in text
    assert "Non-accessible content" not in text and "last reviewed" not in text


def test_in_page_links_of_the_encrypted_members_area_stay_in_page(sites, tab):
    """The encrypted members area shows its pages by the address's #/route: the skip link
    (#main) and links to a place on a page (#posts) must not be taken for a route."""
    page = tab
    page.set_viewport_size({"width": 1280, "height": 900})
    open_page(page, sites, "unlocked post")
    title = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.get_by_role("heading", level=1).inner_text() == title  # still the post
    page.get_by_role("navigation", name="Lead agency network") \
        .get_by_role("link", name="Good practice").click()
    page.get_by_role("heading", level=1, name="Lead agency network").wait_for()
    assert page.evaluate("document.activeElement.id") == "posts"
    page.get_by_role("navigation", name="Lead agency network") \
        .get_by_role("link", name="Good practice").click()  # now a link within the page
    assert page.evaluate("location.hash") == "#posts"
    assert page.get_by_role("heading", level=1, name="Lead agency network").is_visible()


@pytest.mark.parametrize("kind", PUBLIC)
def test_text_at_twice_its_size_on_a_phone_does_not_scroll_sideways(kind, sites, tab):
    """A reader who sets text to 200% on a 390 px phone (WCAG 1.4.4) reads every line
    without scrolling sideways: a long word (the footer's e-mail address) breaks."""
    tab.set_viewport_size({"width": 390, "height": 844})
    open_page(tab, sites, kind)
    tab.evaluate("document.documentElement.style.fontSize = '200%'")  # (the CSP refuses a style tag)
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{kind}: {width} px wide at 200% text on a 390 px phone"


def test_a_scroll_region_is_a_tab_stop_only_while_it_scrolls(sites, tab):
    """A wide table or the chart scrolls sideways on a phone, and a keyboard must reach it
    to scroll it; on a desktop, where it fits, its tab stop had nothing to do there (an
    accessibility specialist's review). A table in a closed disclosure is measured when
    it is opened."""
    page = tab
    stops = """() => [...document.querySelectorAll('[role="region"]')].filter(r =>
        !r.closest('[data-map]')).map(r => [r.getAttribute('aria-label'),
        r.getAttribute('tabindex'), r.scrollWidth > r.clientWidth])"""
    page.set_viewport_size({"width": 1280, "height": 900})
    open_page(page, sites, "programme")
    page.get_by_text("Centres open by date").click()  # (the disclosure)
    page.wait_for_timeout(100)
    wide = page.evaluate(stops)
    assert len(wide) >= 3 and not any(scrolls for _, _, scrolls in wide), wide
    assert [stop for _, stop, _ in wide] == [None] * len(wide), wide
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(100)
    narrow = page.evaluate(stops)
    assert any(scrolls for _, _, scrolls in narrow), narrow
    assert all((stop == "0") == scrolls for _, stop, scrolls in narrow), narrow
    page.set_viewport_size({"width": 1280, "height": 900})

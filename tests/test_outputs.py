"""Feeds, calendars, structured data, sitemap and robots.txt of the sample site, read back
with the standard parsers other tools use."""
from __future__ import annotations

import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import icalendar
import pytest


NOW = "2026-11-25T12:00:00Z"


@pytest.fixture(scope="module")
def public(sample_build) -> Path:
    return sample_build / "public"


def html_pages(public: Path) -> list[Path]:
    return sorted(p for p in public.rglob("*.html") if "pagefind" not in p.parts)


def test_news_and_opportunity_feeds_parse_without_errors(public):
    news = feedparser.parse((public / "feed.xml").read_bytes())
    assert not news.bozo, news.bozo_exception
    # the 9 news items, and 3 consultation entries: two opened, one's outcome
    assert len(news.entries) == 9 + 3
    assert news.entries[0].link == ("https://childrenscentres.example.org/news/"
                                    "briefing-sessions-for-lead-agencies/")
    assert news.entries[0].id == news.entries[0].link  # stable ids
    opportunities = feedparser.parse((public / "opportunities/feed.xml").read_bytes())
    assert not opportunities.bozo, opportunities.bozo_exception
    newest = opportunities.entries[0]  # an answer to a bidders' question, of 20 November
    assert newest.title == ("Question answered: Children's centre lead agencies, "
                            "recommissioning 2026-27")
    published = [e for e in opportunities.entries if e.id.endswith("/")]
    assert [e.updated for e in published] == sorted((e.updated for e in published),
                                                    reverse=True)  # newest first
    eoi = next(e for e in published if "recommissioning" in e.link)
    assert "Deadline: midday on 29 January 2027" in eoi.summary
    # published on 2 November; its entry updated by its change of 16 November (a new pack)
    assert eoi.published == "2026-11-02T00:00:00Z" and eoi.updated == "2026-11-16T00:00:00Z"
    change = next(e for e in opportunities.entries if e.title.startswith("Changed: "))
    assert change.link.endswith("/opportunities/recommissioning-eoi-2027/#opportunity-updates")


# -- Atom (RFC 4287): the RFC's own RELAX NG schema and its Schematron rules ----------------

ATOM = "http://www.w3.org/2005/Atom"
ATOM_SCHEMA = Path(__file__).parent / "schemas" / "atom-rfc4287" / "atom.rng"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@functools.cache
def atom_validators():
    """RFC 4287 appendix B as RELAX NG (converted with rnc2rng, see tests/schemas/README.md),
    and the Schematron rules the appendix carries as annotations (the ones RELAX NG cannot
    say: who must have an author, an entry's link or content), made ISO Schematron so lxml
    runs them. Each rule in a pattern of its own: in one pattern only the first rule
    matching an element is tried, and two of the RFC's rules are on atom:entry."""
    from lxml import etree, isoschematron

    old, iso = "http://www.ascc.net/xml/schematron", "http://purl.oclc.org/dsdl/schematron"
    grammar = etree.parse(str(ATOM_SCHEMA))
    rules = etree.Element(f"{{{iso}}}schema", nsmap={"sch": iso})
    etree.SubElement(rules, f"{{{iso}}}ns", prefix="atom", uri=ATOM)
    for rule in grammar.iter(f"{{{old}}}rule"):
        pattern = etree.SubElement(rules, f"{{{iso}}}pattern")
        copy = etree.SubElement(pattern, f"{{{iso}}}rule", context=rule.get("context"))
        for check in rule.iter(f"{{{old}}}assert"):
            etree.SubElement(copy, f"{{{iso}}}assert", test=check.get("test")).text = check.text
    assert len(rules) == 4, "RFC 4287 appendix B has three Schematron rules"
    return etree.RelaxNG(grammar), isoschematron.Schematron(rules, store_report=True)


def atom_mistakes(data: bytes) -> list[str]:
    """Every way an Atom feed breaks RFC 4287: its schema and rules, then what the RFC says
    in prose only (each check names its section)."""
    from lxml import etree

    schema, rules = atom_validators()
    feed = etree.fromstring(data)
    found = [f"schema: {e.message} (line {e.line})" for e in schema.error_log] \
        if not schema.validate(feed) else []
    if not rules.validate(feed):
        found += [f"rule: {text}" for text in rules.validation_report.xpath(
            "//svrl:failed-assert/svrl:text/text()",
            namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"})]
    a = {"a": ATOM}
    for date in feed.xpath("//a:updated | //a:published", namespaces=a):
        if not RFC3339.fullmatch(date.text or ""):  # xsd:dateTime lets the zone be left out
            found.append(f"3.3: {date.text!r} is not an RFC 3339 date-time with its zone")
    for element in [feed, *feed.xpath("a:entry", namespaces=a)]:
        ids = element.xpath("a:id/text()", namespaces=a)
        if ids and not urllib.parse.urlsplit(ids[0]).scheme:
            found.append(f"4.2.6: atom:id {ids[0]!r} is not an absolute IRI")
        alternates = [(l.get("type"), l.get("hreflang")) for l in element.xpath(
            "a:link[@rel='alternate' or not(@rel)]", namespaces=a)]
        if len(alternates) != len(set(alternates)):
            found.append("4.1.1/4.1.2: two alternate links of the same type and hreflang")
        if element.xpath("a:content[@src or (@type and not(@type='text' or @type='html' or "
                         "@type='xhtml' or contains(@type, 'xml') or starts-with(@type, "
                         "'text/')))] and not(a:summary)", namespaces=a):
            found.append("4.1.2: an entry whose content is not inline text has no summary")
    ids = feed.xpath("a:entry/a:id/text()", namespaces=a)
    if len(ids) != len(set(ids)):
        found.append("4.1.1: two entries with the same atom:id")
    if not feed.xpath("a:link[@rel='self']", namespaces=a):
        found.append("4.1.1: no atom:link rel='self' (a SHOULD the feed validators ask for)")
    return found


def test_every_feed_of_the_build_is_valid_atom(sample_build):
    """Every Atom document the build writes, public and members, against RFC 4287: a feed
    with no <updated> or <author> still parses (feedparser says nothing), but is not Atom."""
    feeds = {p.relative_to(sample_build).as_posix(): p for p in sorted(sample_build.rglob("*.xml"))
             if f"<feed xmlns=\"{ATOM}\"" in p.read_text(encoding="utf-8")[:400]}
    assert {"public/feed.xml", "public/opportunities/feed.xml", "members/feed.xml"} <= set(feeds)
    for name, path in feeds.items():
        assert atom_mistakes(path.read_bytes()) == [], name


@pytest.mark.parametrize("element", ["id", "title", "updated", "author"])
def test_atom_check_finds_a_feed_without_a_required_element(sample_build, element):
    """The check itself can fail: the news feed without each element RFC 4287 requires of
    a feed (an author, as no entry of it has one)."""
    feed = (sample_build / "public/feed.xml").read_text(encoding="utf-8")
    head, entries = feed.split("<entry>", 1)
    assert "<author>" not in entries and f"<{element}>" in head
    broken = re.sub(rf"\n  <{element}>.*?</{element}>", "", head, count=1, flags=re.S)
    assert atom_mistakes(f"{broken}<entry>{entries}".encode()), element


@pytest.mark.parametrize("element", ["id", "title", "updated"])
def test_atom_check_finds_an_entry_without_a_required_element(sample_build, element):
    feed = (sample_build / "public/opportunities/feed.xml").read_text(encoding="utf-8")
    broken = re.sub(rf"\n    <{element}>.*?</{element}>", "", feed, count=1, flags=re.S)
    assert broken != feed and atom_mistakes(broken.encode()), element


def test_pages_announce_their_feeds(public):
    home = (public / "index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" title="Opportunities to bid" ' \
           'href="/opportunities/feed.xml">' in home


def test_calendars_parse_and_carry_stable_deadlines(public):
    calendar = icalendar.Calendar.from_ical((public / "opportunities.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    deadlines = [e for e in events if "Deadline" in str(e["summary"])]
    assert len(deadlines) == 5  # every opportunity with a deadline (and the rounds' events)
    eoi = next(e for e in events if "HCC-CC-2027-01" in str(e["summary"]))
    assert str(eoi["uid"]) == ("opportunity-recommissioning-eoi-2027-deadline@"
                               "childrenscentres.example.org")
    assert eoi.decoded("dtstart").isoformat() == "2027-01-29T12:00:00+00:00"
    assert eoi.decoded("dtstamp").isoformat() == "2026-11-25T00:00:00+00:00"  # its day
    assert str(eoi["url"]).endswith("/opportunities/recommissioning-eoi-2027/")
    one = icalendar.Calendar.from_ical(
        (public / "opportunities/recommissioning-eoi-2027/deadline.ics").read_bytes())
    assert [str(e["uid"]) for e in one.walk("VEVENT")][0] == str(eoi["uid"])  # then its events
    page = (public / "opportunities/recommissioning-eoi-2027/index.html").read_text()
    assert 'href="/opportunities/recommissioning-eoi-2027/deadline.ics"' in page
    programme = icalendar.Calendar.from_ical((public / "programme.ics").read_bytes())
    summaries = [str(e["summary"]) for e in programme.walk("VEVENT")]
    assert "Expressions of interest launched for phase two lead agencies" in summaries
    assert sum(s.endswith(" opens") for s in summaries) == 81  # 80 open + the closed one


def test_every_calendar_names_its_organiser_and_escapes_its_name(public):
    """RFC 5546 asks each published event for an ORGANIZER; a calendar's name is TEXT,
    its commas and semicolons escaped as in any other text."""
    files = sorted(public.rglob("*.ics"))
    assert len(files) > 80
    for path in files:
        text = path.read_bytes().decode()
        calendar = icalendar.Calendar.from_ical(text)
        for event in calendar.walk("VEVENT"):
            assert str(event["organizer"]) == "mailto:childrens.centres@example.org", path
            assert event["organizer"].params["CN"] == "Hertfordshire County Council"
    eoi = (public / "opportunities/recommissioning-eoi-2027/deadline.ics").read_bytes()
    assert b"X-WR-CALNAME:Children's centre lead agencies\\, recommissioning 2026-27" in eoi


def test_milestones_of_one_day_with_titles_that_begin_alike_are_two_events(site):
    """Each event's UID is its own (RFC 5545): a calendar app keeps one of two that share
    one. The first keeps the UID it had."""
    site.edit("site.yaml", "    - {date: 2006-01-09, title: Expressions of interest open}",
              "    - {date: 2006-01-09, title: Expressions of interest open}\n"
              "    - {date: 2009-06-01, title: Phase three centres open in Hitchin and "
              "Letchworth}\n"
              "    - {date: 2009-06-01, title: Phase three centres open in Hitchin and "
              "Letchworth Garden City north}")
    assert site.build().status == 0
    programme = icalendar.Calendar.from_ical(
        (site.output / "public/programme.ics").read_bytes())
    uids = [str(e["uid"]) for e in programme.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 4  # three milestones and the centre's opening
    assert "milestone-2009-06-01-phase-three-centres-open-in-hitchin-and-@cc.example.org" \
        in uids


def test_a_feed_entry_keeps_its_id_when_the_editor_gives_its_item_a_slug(site):
    """RFC 4287: an entry's id never changes (a reader would show the item again as new);
    its link follows the page to its new address."""
    def entries() -> dict[str, str]:
        news = feedparser.parse((site.output / "public/feed.xml").read_bytes()).entries
        bids = feedparser.parse(
            (site.output / "public/opportunities/feed.xml").read_bytes()).entries
        return {e.id: e.link for e in [*news, *bids]}

    assert site.build().status == 0
    before = entries()
    site.edit("news/centres-open.md", "title:", "slug: open-now\ntitle:")
    site.edit("opportunities/oxhey-eoi.md", "title:", "slug: oxhey-lead\ntitle:")
    assert site.build().status == 0
    after = entries()
    assert set(after) == set(before)
    assert after["https://cc.example.org/news/centres-open/"] == \
        "https://cc.example.org/news/open-now/"
    assert after["https://cc.example.org/opportunities/oxhey-eoi/"] == \
        "https://cc.example.org/opportunities/oxhey-lead/"


def test_cancelled_opportunity_is_struck_out_of_calendars_and_said_in_the_feed(public):
    calendar = icalendar.Calendar.from_ical((public / "opportunities.ics").read_bytes())
    cancelled = next(e for e in calendar.walk("VEVENT")
                     if "Family outreach small grants" in str(e["summary"]))
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["summary"]).startswith("Cancelled: Deadline: ")
    assert not list(cancelled.walk("VALARM"))
    feed = feedparser.parse((public / "opportunities/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Family outreach small grants 2025")
    assert "This opportunity was cancelled." in entry.summary
    assert "Deadline:" not in entry.summary


def test_structured_data_of_a_closed_or_planned_centre_says_so_without_hours(public):
    [closed] = json_ld((public / "centres/ware-priors-wood/index.html").read_text())
    assert closed["description"].startswith("Closed. ")
    assert "openingHoursSpecification" not in closed
    [planned] = json_ld((public / "centres/royston-childrens-centre/index.html").read_text())
    assert planned["description"].startswith("Planned: not open yet.")


def test_structured_data_of_a_centre_opening_later_gives_no_hours_yet(site):
    assert site.build().status == 0
    [centre] = json_ld(site.page("/centres/oxhey/"))
    assert centre["openingHoursSpecification"][0]["opens"] == "09:00"
    site.edit("centres/oxhey.md", "opening_date: 2007-09-01", "opening_date: 2027-03-01")
    assert site.build().status == 0
    [centre] = json_ld(site.page("/centres/oxhey/"))
    assert centre["description"].startswith("Opens on 1 March 2027. ")
    assert "openingHoursSpecification" not in centre


def json_ld(html: str) -> list[dict]:
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def test_structured_data_describes_centres_agencies_news_and_the_site(public):
    [centre] = json_ld((public / "centres/south-oxhey-childrens-centre/index.html").read_text())
    assert centre["@type"] == "ChildCare"
    assert centre["address"]["postalCode"] == "WD19 7AD"
    assert centre["geo"]["@type"] == "GeoCoordinates"
    assert centre["telephone"].startswith("+44")
    assert centre["openingHoursSpecification"][0]["opens"] == "09:00"
    assert centre["parentOrganization"]["name"] == "Oxhey Community Trust"
    [agency] = json_ld((public / "agencies/oxhey-community-trust/index.html").read_text())
    assert agency["@type"] == "Organization"
    [article] = json_ld((public / "news/eighty-centres-reached/index.html").read_text())
    assert article["@type"] == "NewsArticle" and article["datePublished"] == "2010-03-31"
    [site] = json_ld((public / "index.html").read_text())
    assert site["@type"] == "WebSite"
    assert site["potentialAction"]["@type"] == "SearchAction"
    for page in html_pages(public):
        for block in json_ld(page.read_text()):
            assert block["@context"] == "https://schema.org", page


def test_every_page_has_a_canonical_url_and_open_graph(public):
    for page in html_pages(public):
        html = page.read_text()
        if page.name == "404.html":
            continue
        url = "https://childrenscentres.example.org/" + \
            page.relative_to(public).as_posix().removesuffix("index.html")
        assert f'<link rel="canonical" href="{url}">' in html, page
        assert f'<meta property="og:url" content="{url}">' in html, page
        assert '<meta property="og:title" content="' in html, page


def test_sitemap_lists_exactly_the_public_html_pages(public):
    tree = ET.parse(public / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in tree.findall(".//s:loc", ns)}
    expected = {"https://childrenscentres.example.org/" +
                p.relative_to(public).as_posix().removesuffix("index.html")
                for p in html_pages(public) if p.name == "index.html"}
    assert listed == expected
    assert not any("/members/" in url for url in listed)
    lastmods = {u.find("s:loc", ns).text: u.find("s:lastmod", ns) for u in
                tree.findall("s:url", ns)}
    assert lastmods["https://childrenscentres.example.org/news/eighty-centres-reached/"]\
        .text == "2010-03-31"
    # an opportunity's: its latest answer, or its outcome (not the day it was published)
    opportunity = "https://childrenscentres.example.org/opportunities/"
    assert lastmods[opportunity + "recommissioning-eoi-2027/"].text == "2026-11-20"
    assert lastmods[opportunity + "phase-two-lead-agencies-eoi-2006/"].text == "2006-02-28"
    # a consultation still to open has none (a date to come): never one after today
    assert lastmods["https://childrenscentres.example.org/consultations/family-hubs-2027/"] \
        is None
    assert max(m.text for m in lastmods.values() if m is not None) <= "2026-11-25"
    robots = (public / "robots.txt").read_text()
    assert "Disallow: /members/" in robots
    assert "Sitemap: https://childrenscentres.example.org/sitemap.xml" in robots


def test_search_index_covers_the_public_pages_only(public):
    entry = json.loads((public / "pagefind/pagefind-entry.json").read_text())
    # all but the 404 page, the search page, the news listing (it repeats the items) and
    # the members' sign-in help (served for a failed sign-in: not content)
    assert entry["languages"]["en-gb"]["page_count"] == len(html_pages(public)) - 4
    assert "data-pagefind-body" not in (public / "news/index.html").read_text()
    assert (public / "pagefind/pagefind.js").exists()
    assert not (public / "pagefind/pagefind-ui.js").exists()


def test_search_shard_indexes_exactly_the_pages_named_whatever_their_names(tmp_path):
    """A shard's pages are given to Pagefind as one glob: a name with the glob's own
    characters in it is still taken as written, and pages not named are left out."""
    from ccsite.outputs import search

    names = ["news/a{b},c/index.html", "news/x [1] (draft)! *?/index.html",
             "news/x [1] (draft)! ab/index.html"]
    for name in names:
        page = tmp_path / "site" / name
        page.parent.mkdir(parents=True)
        page.write_text(f"<html lang='en'><body data-pagefind-body><p>{name}</p></body></html>")
    folder = tmp_path / "index"
    search._index(tmp_path / "site", folder, search.glob_of(names[:2]))
    entry = json.loads((folder / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 2


def _main_bundle_pages_indexed(tmp_path, pages: dict[str, bool], unindexed: set[str],
                               monkeypatch) -> int:
    """Index a sharded site of `pages` (path -> marked?) as a build after an edit of its
    home page does, with `unindexed` as the record of the last run says (of the pages
    not edited, it is all there is to go by); the main bundle's count."""
    from ccsite.outputs import search

    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    monkeypatch.setattr(search, "SHARDED_FROM", 2)
    site = tmp_path / "site"
    for name, marked in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        body = "<body data-pagefind-body>" if marked else "<body>"
        (site / name).write_text(f"<html lang='en'>{body}<p>Page {name}.</p></body></html>")
    index = search.update_search_index(site, sorted(pages), tmp_path / "old", {"news": 4},
                                       {"index.html"}, unindexed)
    assert index.files
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    return entry["languages"]["en"]["page_count"]


NEWS_ITEMS = {f"news/item-{n}/index.html": True for n in range(4)}


def test_search_main_bundle_indexes_a_marked_page_the_record_says_is_not(tmp_path,
                                                                          monkeypatch):
    """The record of which pages are left out of the index can be behind the pages (a
    preview server's build that failed after indexing keeps it): a page marked now is
    indexed whatever it says, in any letter case the mark is written."""
    pages = {"index.html": True, "centres/a/index.html": True,
             "lessons/b/index.html": True, "news/page/2/index.html": False, **NEWS_ITEMS}
    said = {"centres/a/index.html", "lessons/b/index.html", "news/page/2/index.html"}
    assert _main_bundle_pages_indexed(tmp_path, pages, said, monkeypatch) == 3
    from ccsite.outputs import search
    page = tmp_path / "site/lessons/b/index.html"
    page.write_text(page.read_text().replace("data-pagefind-body", "DATA-PAGEFIND-BODY"))
    main = [name for name in pages if not name.startswith("news/item-")]
    assert "lessons/**/*.html" in search._main_glob(
        main, search._left_out(tmp_path / "site", main, said), {"news"})


def test_search_main_bundle_of_a_theme_that_marks_no_page_indexes_every_page(tmp_path,
                                                                               monkeypatch):
    """Pagefind indexes every page it reads when none is marked: so do we, every folder
    named, though the record says each page is left out."""
    pages = {"index.html": False, "centres/a/index.html": False,
             "news/page/2/index.html": False, **{k: False for k in NEWS_ITEMS}}
    main = {"index.html", "centres/a/index.html", "news/page/2/index.html"}
    assert _main_bundle_pages_indexed(tmp_path, pages, set(pages), monkeypatch) == len(main)


def test_search_shard_of_long_addresses_is_indexed(tmp_path):
    """A shard names each of its thousand pages: with long addresses, more than one
    command-line argument may hold (128 KiB), so the glob reaches Pagefind another way."""
    from ccsite.outputs import search

    names = [f"centres/{'a-long-centre-name-' * 6}{number}/index.html" for number in range(1200)]
    for name in names:
        page = tmp_path / "site" / name
        page.parent.mkdir(parents=True)
        page.write_text("<html lang='en'><body data-pagefind-body><p>A centre.</p></body></html>")
    assert len(search.glob_of(names)) > 128 * 1024
    search._index(tmp_path / "site", tmp_path / "index", search.glob_of(names))
    entry = json.loads((tmp_path / "index" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 1200


ROOT = Path(__file__).resolve().parents[1]


def test_pagefind_started_by_a_build_dies_when_the_build_is_killed(tmp_path):
    """A build killed while Pagefind runs must not leave it writing into the folder the
    next build tidies away: the program the launcher starts (here one that would sleep a
    minute) is killed with the process that started it, as Pagefind is."""
    starter = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys, time\n"
         "from ccsite.outputs.search import launched\n"
         "child = subprocess.Popen(launched('/bin/sleep', ['60']))\n"
         "print(child.pid, flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    child = int(starter.stdout.readline())
    deadline = time.monotonic() + 10
    while not _command_of(child).startswith("/bin/sleep") and time.monotonic() < deadline:
        time.sleep(0.01)  # the launcher has become the program
    assert _running(child)
    starter.kill()
    starter.wait()
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _running(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive


def test_program_is_not_started_when_the_build_that_launched_it_is_gone():
    """Killed in the moment between starting the launcher and the launcher asking to die
    with it, a build would leave the program running: the launcher then stops."""
    from ccsite.outputs.search import launched

    command = launched("/bin/echo", ["started"])
    assert command[5] == str(os.getpid())  # the build that starts it
    assert subprocess.run(command, capture_output=True, text=True).stdout == "started\n"
    command[5] = "1"  # another parent than the one it has
    done = subprocess.run(command, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")


@pytest.mark.parametrize("found_by", ["PAGEFIND_BINARY_PATH", "pagefind[bin]", "the PATH",
                                      "nothing"])
def test_pagefind_is_found_where_its_own_lookup_finds_it(monkeypatch, tmp_path, found_by):
    """ccsite finds Pagefind's program as Pagefind's Python package does (without loading
    it), wherever that finds it; with the program nowhere, the build says so (and stops
    with the last good site in place), not with a traceback."""
    import pagefind.service

    from ccsite.outputs import search

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    if found_by == "PAGEFIND_BINARY_PATH":
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "pagefind-of-my-own"))
    if found_by in ("the PATH", "nothing"):
        for package in ("pagefind_bin", "pagefind_bin_extended"):
            monkeypatch.setitem(sys.modules, package, None)  # (not installed)
        (tmp_path / "bin").mkdir()
        monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    if found_by == "the PATH":
        (tmp_path / "bin" / "pagefind").write_text("#!/bin/sh\n")
        (tmp_path / "bin" / "pagefind").chmod(0o755)
    search.pagefind_binary.cache_clear()
    try:
        expected = pagefind.service.get_executable()
        if found_by == "nothing":
            assert expected is None
            with pytest.raises(search.SearchIndexError, match="its program was not found"):
                search._run_pagefind(tmp_path, tmp_path / "index")
        else:
            assert search.pagefind_binary() == str(Path(expected).resolve())
    finally:
        search.pagefind_binary.cache_clear()


def _command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    """Is the process there and not a zombie (killed, waiting for init to reap it)?"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_search_index_is_made_by_pagefinds_own_program(tmp_path):
    """Pagefind's binary is run as `python -m pagefind` would run it (not through its
    Python package, whose start took 0.1 s a run)."""
    from pagefind.service import get_executable

    from ccsite.outputs import search

    assert search.pagefind_binary() == str(Path(get_executable()).resolve())
    page = tmp_path / "site" / "index.html"
    page.parent.mkdir()
    page.write_text("<html lang='en'><body data-pagefind-body><p>Stay and play</p></body></html>")
    search._index(tmp_path / "site", tmp_path / "index", None)
    entry = json.loads((tmp_path / "index" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 1


def test_programme_counts_say_that_closed_centres_are_not_counted(public):
    page = (public / "programme/index.html").read_text()
    assert ("Counts are of the centres open today, by the date each opened; 1 centre has "
            "since closed and is not counted.") in page


def test_a_feeds_links_lead_to_the_site_in_any_reader(public):
    """The links inside a feed's entries are the site's own paths: the feed says the
    site's address they are read against (xml:base), so a reader or a feed-to-email
    service that does not know the feed's own address still leads to the page."""
    import xml.etree.ElementTree as ET

    for feed in ("feed.xml", "opportunities/feed.xml"):
        root = ET.fromstring((public / feed).read_bytes())
        assert root.get("{http://www.w3.org/XML/1998/namespace}base") == \
            "https://childrenscentres.example.org/", feed
        # feedparser resolves them as a reader does, with no address of the feed given
        parsed = feedparser.parse((public / feed).read_bytes())
        hrefs = re.findall(r'href="([^"]+)"', " ".join(
            c.value for e in parsed.entries for c in e.get("content", [])))
        assert hrefs and all(h.startswith(("https://", "http://", "mailto:", "tel:"))
                             for h in hrefs), feed


def test_a_feed_entrys_page_relative_links_lead_where_its_page_does(site):
    """A link written relative to its page ('../../centres/oxhey/') is read against the
    entry's own address (xml:base on its content), not the site's: the first version
    sent it above the site."""
    site.edit("site.yaml", "base_url: https://cc.example.org/",
              "base_url: https://cc.example.org/children/")
    site.edit("news/centres-open.md", "See [Oxhey]",
              "See [the centre](../../centres/oxhey/) and [Oxhey]")
    assert site.build().status == 0
    parsed = feedparser.parse((site.output / "public/feed.xml").read_bytes())
    content = " ".join(c.value for e in parsed.entries for c in e.get("content", []))
    assert re.search(r'href="([^"]+)">the centre<', content)[1] == \
        "https://cc.example.org/children/centres/oxhey/"

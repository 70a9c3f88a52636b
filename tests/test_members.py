"""The members-only section: its pages, its credentials, both protection modes, and the
leak audit that keeps every trace of it out of the public output."""
from __future__ import annotations

import base64
import gzip
import json
import os
import re
import select
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import bcrypt
import cbor2
import pytest

from ccsite.cli import main
from ccsite.members import credentials, protect

CANARIES = {
    "title": "Canarytitle quokka 7781",
    "summary": "Canarysummary of the wombat method 7781.",
    "author": "Canaryauthor Pemberton",
    "tag": "canarytag-7781",
    "body": "The canarybody sentence explains exactly how the numbat rota works.",
    "page-title": "Canarypage handbook 7781",
    "page-body": "A canarypagebody sentence that only members should ever be able to read.",
    "directory-name": "Canaryperson Ottoline",
    "directory-role": "Canaryrole coordinator 7781",
    "directory-topic": "canarytopic platypus outreach",
    "directory-email": "canary.ottoline@example.org",
    "directory-phone": "01632 960777",
    "media": "CANARYMEDIA-PDF-7781",
}


def add_canary_members_content(site) -> None:
    site.write("members/good-practice/canary-post.md", f"""---
title: {CANARIES['title']}
author: {CANARIES['author']}
agency: oxhey-trust
date: 2026-01-05
summary: {CANARIES['summary']}
tags: [{CANARIES['tag']}, dads]
---
{CANARIES['body']}

Download the [rota](/members/media/canary-rota.pdf).
""")
    site.write("members/pages/canary-handbook.md", f"""---
title: {CANARIES['page-title']}
---
{CANARIES['page-body']}
""")
    site.write("members/directory.yaml", f"""\
- name: {CANARIES['directory-name']}
  role: {CANARIES['directory-role']}
  agency: oxhey-trust
  email: {CANARIES['directory-email']}
  phone: "{CANARIES['directory-phone']}"
  topics: [{CANARIES['directory-topic']}]
""")
    site.write("members/media/canary-rota.pdf", f"%PDF-1.4 {CANARIES['media']}\n")


def every_file_text(root: Path) -> dict[str, str]:
    """Every file under root as text a person could read, compressed files opened."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            found[path.relative_to(root).as_posix()] = data.decode("utf-8", "replace").lower()
    return found


def assert_no_canary(root: Path) -> None:
    for path, text in every_file_text(root).items():
        for what, canary in CANARIES.items():
            assert canary.lower() not in text, f"{what} canary leaked into {path}"
        assert "/members/good-practice/" not in text, f"members address leaked into {path}"


# -- server mode ------------------------------------------------------------------------------

def test_members_section_is_built_into_its_own_root_with_noindex(site):
    result = site.build()
    assert result.status == 0, result.err
    members = site.output / "members"
    for page in ["index.html", "good-practice/dads-group/index.html", "directory/index.html",
                 "search/index.html", "tags/dads/index.html"]:
        html = (members / page).read_text()
        assert '<meta name="robots" content="noindex, nofollow">' in html, page
    assert "Running a dads&#39; group" in (members / "index.html").read_text()
    assert "Sam Example" in (members / "directory/index.html").read_text()
    feed = (members / "feed.xml").read_text()
    assert "<title>Running a dads&#39; group</title>" in feed
    index = json.loads((members / "search-index.json").read_text())
    assert index[0]["title"] == "Running a dads' group"
    assert not (site.output / "public" / "members").exists()


def test_members_search_index_is_one_compact_json_list_of_every_post_and_page(site):
    """Written entry by entry (members/pages.py), it is still the one document that
    json.dumps of the whole list writes: compact, keys in order, text as it is."""
    site.write("members/good-practice/stay-and-play.md",
               "---\ntitle: Stay and play, café style\nauthor: Sam Example\n"
               "agency: oxhey-trust\ndate: 2009-06-01\nsummary: Réunion.\n---\nBody.\n")
    assert site.build().status == 0
    text = (site.output / "members/search-index.json").read_text(encoding="utf-8")
    entries = json.loads(text)
    assert text == json.dumps(entries, ensure_ascii=False, sort_keys=True,
                              separators=(",", ":"))
    assert sorted(entry["title"] for entry in entries) == [
        "Running a dads' group", "Stay and play, café style"]


def test_members_search_index_of_no_posts_is_an_empty_list(site):
    site.remove("members/good-practice/dads-group.md")
    assert site.build().status == 0
    assert (site.output / "members/search-index.json").read_text() == "[]"


def test_public_pages_link_only_to_the_members_entry_page(site):
    site.build()
    for path in (site.output / "public").rglob("*.html"):
        html = path.read_text()
        assert 'href="/members/"' in html, path
        assert html.count("/members/") == html.count('href="/members/"'), path


def test_canaries_in_every_members_field_never_reach_the_public_root_server_mode(site):
    add_canary_members_content(site)
    result = site.build()
    assert result.status == 0, result.err
    assert_no_canary(site.output / "public")
    members_text = "\n".join(every_file_text(site.output / "members").values())
    assert CANARIES["title"].lower() in members_text  # the canaries are really there
    assert CANARIES["directory-role"].lower() in members_text


def test_deploy_configuration_is_written_outside_the_served_roots(site):
    site.build()
    deploy = site.output / "deploy"
    nginx = (deploy / "nginx.conf").read_text()
    assert "auth_basic_user_file /etc/ccsite/members.htpasswd;" in nginx
    assert 'add_header Cache-Control "private, no-store" always;' in nginx
    assert 'add_header X-Robots-Tag "noindex, nofollow" always;' in nginx
    apache = (deploy / "apache.conf").read_text()
    assert 'AuthUserFile "/etc/ccsite/members.htpasswd"' in apache
    assert "Options -Indexes" in apache
    assert 'Header always set Cache-Control "private, no-store"' in apache
    for name in ("README.md", "netlify.md", "cloudflare-access.md", "members.htaccess"):
        assert (deploy / name).stat().st_size > 200, name
    assert "no-store" in (deploy / "netlify.md").read_text()
    cloudflare = (deploy / "cloudflare-access.md").read_text()
    assert "no-store" in cloudflare
    # Access guards only what comes through Cloudflare: the origin must refuse the rest
    assert "Cf-Access-Jwt-Assertion" in cloudflare and "Cloudflare Tunnel" in cloudflare


# -- the leak audit --------------------------------------------------------------------------

def test_leaking_template_fails_the_build_naming_public_file_and_members_source(site):
    (site.root / "templates").mkdir()
    (site.root / "templates" / "page.html").write_text(
        "<!doctype html><title>{{ page.title }}</title>"
        "<p>Latest from members: Running a dads' group</p>")
    before = site.build("--now", "2026-11-24T00:00:00Z")  # no leak yet? it leaks at once
    assert before.status == 1
    error = before.err.splitlines()[0]
    assert error.startswith(f"{site.output / 'public'}/about/index.html:1: leak: members-only "
                            f"title from {site.content}/members/good-practice/dads-group.md")
    assert not (site.output / "public").exists()  # nothing was written


def test_a_tag_written_in_another_script_has_its_page(site):
    """A tag wholly in another script has no a-z for an address: it gets one made of its
    digest, and its page lists the post (an address made of nothing but punctuation is
    a mistake: tests/test_bad_input.py)."""
    site.edit("members/good-practice/dads-group.md", "tags: [dads]",
              "tags: [dads, 'ماں اور بچہ']")
    result = site.build()
    assert result.status == 0, result.err
    members = site.output / "members"
    pages = sorted(p.parent.name for p in (members / "tags").glob("*/index.html"))
    assert pages[0] == "dads" and re.fullmatch(r"tag-[0-9a-f]{10}", pages[1]), pages
    page = (members / "tags" / pages[1] / "index.html").read_text(encoding="utf-8")
    assert "ماں اور بچہ" in page and "Running a dads" in page
    post = (members / "good-practice/dads-group/index.html").read_text(encoding="utf-8")
    assert f'href="/members/tags/{pages[1]}/"' in post


def test_tags_with_accents_keep_their_letters_and_public_tags_are_any_words(site):
    """'côr' (a choir) and 'cêr' (gear) were both /members/tags/c-r/, one page; a news
    item's tags make no page, so any word is one."""
    site.edit("members/good-practice/dads-group.md", "tags: [dads]", "tags: [dads, côr]")
    site.write("members/good-practice/gear.md", (site.content / "members/good-practice/"
               "dads-group.md").read_text(encoding="utf-8").replace("tags: [dads, côr]",
               "tags: [cêr]").replace("title: Running a dads' group", "title: Lending gear"))
    site.edit("news/centres-open.md", "title:", "tags: ['والدین', '👶']\ntitle:")
    site.write("members/good-practice/ages.md", (site.content / "members/good-practice/"
               "dads-group.md").read_text(encoding="utf-8").replace("tags: [dads, côr]",
               "tags: ['ماں 0-5']").replace("title: Running a dads' group", "title: Ages"))
    site.edit("members/good-practice/dads-group.md", "tags: [dads, côr]",
              "tags: [dads, côr, 'بچہ 0-5']")
    result = site.build()
    assert result.status == 0, result.err
    tags = site.output / "members/tags"
    assert "Running a dads" in (tags / "cor/index.html").read_text(encoding="utf-8")
    assert "Lending gear" in (tags / "cer/index.html").read_text(encoding="utf-8")
    assert "Lending gear" not in (tags / "cor/index.html").read_text(encoding="utf-8")
    # two tags in another script that share their digits: two pages, not one '0-5'
    assert not (tags / "0-5").exists()
    pages = {p.read_text(encoding="utf-8").count("Ages") for p in tags.glob("tag-*/index.html")}
    assert len(list(tags.glob("tag-*/index.html"))) == 2 and pages == {0, 1}, pages


def test_public_page_linking_into_the_members_area_is_told_at_its_line(site):
    """A link to a members post or file from a public page: told at the line of the
    content file that has it, each link, saying where a public page may link (the leak
    audit found it too, but at the built page's line, one at a time, and with advice for
    a quoted passage)."""
    site.build()
    before = site.snapshot()
    site.write("members/media/rota.pdf", b"%PDF-1.4 rota")
    site.edit("news/centres-open.md", "See [Oxhey]",
              "Members, see [the post](/members/good-practice/dads-group/) and [the rota]"
              "(/members/media/rota.pdf), [signing in](/members/) first. See [Oxhey]")
    result = site.build()
    assert result.status == 1
    line = next(n for n, text in enumerate((site.content / "news/centres-open.md").read_text(
        encoding="utf-8").splitlines(), start=1) if "/members/" in text)
    for link in ("/members/good-practice/dads-group/", "/members/media/rota.pdf"):
        assert f"{site.shown('news/centres-open.md')}:{line}: link: '{link}' leads into the " \
            "members area: a public page may link only to its front door, '/members/'" \
            in result.err, result.err
    assert "'/members/' leads" not in result.err  # (the front door is a public page's to link)
    assert site.snapshot() == before


@pytest.mark.parametrize("host", ["cc.example.org:443", "cc.example.org.", "CC.example.org",
                                  "editor@cc.example.org"])
def test_a_link_into_the_members_area_on_the_sites_host_however_written_is_told(site, host):
    """A browser goes to the same site for host:443, host. and user@host; encrypt mode's
    addresses (/members/#/good-practice/x/) are found by no fingerprint, so the link
    check is what stops them."""
    site.edit("news/centres-open.md", "See [Oxhey]",
              f"Managers: read [how a group grew](https://{host}/members/#/good-practice/"
              "dads-group/). See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert "'/members/#/good-practice/dads-group/' leads into the members area" in result.err


def test_a_link_into_the_members_area_with_an_empty_query_is_told_at_its_line(site):
    """'/members/?#/good-practice/x/' was told as '/members/#/...', a spelling the file
    does not have, so the message named the news template as the file to change."""
    site.edit("news/centres-open.md", "See [Oxhey]",
              "Read [how a group grew](/members/?#/good-practice/dads-group/).\n\nSee [Oxhey]")
    line = next(n for n, text in enumerate((site.content / "news/centres-open.md").read_text(
        encoding="utf-8").splitlines(), start=1) if "Read [how a group grew]" in text)
    result = site.build()
    assert result.status == 1
    assert f"{site.shown('news/centres-open.md')}:{line}: link: '/members/?#/good-practice/" \
        "dads-group/' leads into the members area" in result.err, result.err


@pytest.mark.parametrize("base", ["/", "/hcc/"])
def test_a_link_into_the_members_area_is_told_at_its_line_under_a_base_path_and_by_its_route(
        site, base):
    """Under a base path the link was blamed on the page's template, with the advice to
    write '/hcc/members/' (which builds as /hcc/hcc/members/); and encrypt mode's page
    address (/members/#/good-practice/x/), a members post's title, passed."""
    site.edit("site.yaml", "base_url: https://cc.example.org/",
              f"base_url: https://cc.example.org{base}")
    site.edit("news/centres-open.md", "See [Oxhey]",
              "See [the handbook](/members/handbook/),\n[the post](/members/#/good-practice/"
              "dads-group/),\n[again](/members#/good-practice/dads-group/),\n[and again]"
              "(/members/?from=news#/good-practice/dads-group/), [sign in](/members/) or\n"
              "[go to its start](/members/#main). See [Oxhey]")
    result = site.build()
    assert result.status == 1
    lines = {text.split("](")[1].split(")")[0]: n for n, text in enumerate(
        (site.content / "news/centres-open.md").read_text(encoding="utf-8").splitlines(),
        start=1) if "](/members" in text}
    for link in ("/members/handbook/", "/members/#/good-practice/dads-group/",
                 "/members#/good-practice/dads-group/",
                 "/members/?from=news#/good-practice/dads-group/"):
        assert f"{site.shown('news/centres-open.md')}:{lines[link]}: link: '{link}' leads " \
            "into the members area: a public page may link only to its front door, " \
            "'/members/'" in result.err, result.err
    assert "'/members/' leads" not in result.err and "templates/" not in result.err
    assert "#main" not in result.err and result.err.count(" leads into ") == 4


def test_a_members_address_written_as_text_in_a_public_page_fails_the_audit(site):
    site.build()
    before = site.snapshot()
    site.edit("news/centres-open.md", "See [Oxhey]",
              "Members will find it at /members/good-practice/dads-group/ online. See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"{site.output / 'public'}/news/centres-open/index.html:" in result.err
    assert "members-only address" in result.err
    assert site.snapshot() == before


def test_public_text_quoting_a_members_passage_fails_the_audit(site):
    site.edit("members/good-practice/dads-group.md", "Members-only body.",
              "We moved the group to Saturday mornings and the numbers tripled within a term.")
    site.edit("news/centres-open.md", "See [Oxhey]", "We moved the group to Saturday "
              "mornings and the numbers tripled within a term. See [Oxhey]")
    result = site.build()
    assert result.status == 1, result.err
    assert "leak: members-only passage" in result.err, result.err


LEAKED_TITLE = "Running a dads' group".encode()
PAGEFIND_FILES_WITH_MEMBERS_TEXT = {  # as Pagefind writes each kind of file, after its
    # signature: a page's fragment is JSON, the index, filters and metadata are CBOR
    "fragment/en_leaked.pf_fragment": b'{"content":"%s"}' % LEAKED_TITLE,
    "filter/en_leaked.pf_filter": cbor2.dumps(["section", [[LEAKED_TITLE.decode(), [0, 1]]]]),
    "index/en_leaked.pf_index": cbor2.dumps([[["father", [[0, [-25, 92], []]]],
                                              [LEAKED_TITLE.decode(), [[1, [4], []]]]]]),
    # not of a format the audit knows: searched as bytes
    "index/en_other.pf_index": b"\xff\x00" + LEAKED_TITLE,
}


@pytest.mark.parametrize("leaked", sorted(PAGEFIND_FILES_WITH_MEMBERS_TEXT))
def test_members_text_in_the_search_index_fails_the_audit(site, monkeypatch, leaked):
    """The search index is audited too, each bundle as Pagefind finishes it: should one
    ever hold members text (compressed, as Pagefind writes), the build stops with nothing
    published, whichever bundle and whichever kind of file it is in."""
    from ccsite.outputs import search

    site.build()
    before = site.snapshot()
    run = search._run_pagefind

    def leaky_run(public_root, folder, glob=None):  # (Pagefind itself, writing it)
        run(public_root, folder, glob)
        planted = folder / leaked
        planted.parent.mkdir(exist_ok=True)
        planted.write_bytes(gzip.compress(b"pagefind_dcd" +
                                          PAGEFIND_FILES_WITH_MEMBERS_TEXT[leaked]))

    monkeypatch.setattr(search, "_run_pagefind", leaky_run)
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert (f"{site.output / 'public'}/pagefind/{leaked}:1: leak: "
            "members-only title from") in result.err
    assert site.snapshot() == before


@pytest.mark.parametrize("name", ["data/services.json", "data/feed"])
def test_members_text_escaped_in_a_json_file_is_found(name):
    """JSON may write a members passage escaped (its apostrophe as a \\u code, as
    Python's json module does): the audit reads a JSON file's texts as well as its bytes,
    whatever the file is called."""
    from ccsite import audit
    from ccsite.errors import ErrorList

    leaks = audit.LeakAudit([audit.Fingerprint("running a dads' group",
                                               "members/good-practice/dads-group.md", "title")])
    errors = ErrorList()
    data = json.dumps({"services": [{"name": "Running a dads\u2019 group", "id": 1}]})
    assert "\\u2019" in data
    audit.check_leaks({name: data.encode()}, leaks, "_site/public", errors)
    assert [(e.path, e.field) for e in errors.errors] == [(f"_site/public/{name}", "leak")]


def test_name_that_is_public_anyway_is_not_a_leak(site):
    """A manager who is also an agency's public contact may write a members post."""
    site.edit("members/good-practice/dads-group.md", "author: Sam Example",
              "author: Jane Example")
    assert site.build().status == 0


# -- what a leak looks like when an editor copies members content ----------------------------

HANDBOOK = """---
title: Handbook
---
## Your contract

Each lead agency holds a contract with the county council for one or more centres.

How the routine works:

- The health visitor sends the new birth list to the centre every Monday morning.

Always ask the **business manager**, never the caretaker, when you book the hall for a term.

One mother said "we would come every week if it started after the school run." We did.

We will close Oxhey in April; staff are not told yet.

Three dads came to the first evening, and two of them were on paternity leave at the time they came.
Opening the building on a Saturday costs us about £90 a week in staffing, which we pay.
The dads' group meets in the hall on the first Saturday of every month.
We open on Saturdays from nine until twelve for dads and their children.
"""


@pytest.mark.parametrize("copied", [
    "Each lead agency holds a contract with the county council for one or more centres.",
    "The health visitor sends the new birth list to the centre every Monday morning.",
    "Always ask the business manager, never the caretaker, when you book the hall for a term.",
    "Always ask the *business manager*, never the caretaker, when you book the hall for a term.",
    'One mother said "we would come every week if it started after the school run."',
    "We will close Oxhey in April; staff are not told yet.",
    "Always ask the business manager never the caretaker when you book the hall for a term.",
    "Two of them were on paternity leave at the time they came, we hear.",
    "Opening the building on a Saturday costs us about £90 a week in staffing!",
    "The dads group meets in the hall on the first Saturday of every month.",
    "We open on Saturdays, from nine until twelve, for dads and their children.",
], ids=["after-a-heading", "after-a-list-introduction", "emphasis-dropped",
        "emphasis-changed", "ending-in-a-quote", "with-a-semicolon", "commas-left-out",
        "its-part-after-a-comma-without-the-and", "its-part-before-a-comma",
        "an-apostrophe-left-out", "commas-put-in"])
def test_members_sentence_copied_into_a_public_page_fails_however_it_sat(site, copied):
    """A sentence is found however it sat (after a heading, in a list), however it was
    emphasised, retyped with its commas or an apostrophe left out, and quoted in part:
    a part of seven words or more between its commas (a red team's review)."""
    site.write("members/pages/handbook.md", HANDBOOK)
    assert_leak_told(site, copied, "passage", "members/pages/handbook.md")


def assert_leak_told(site, written: str, what: str, source: str) -> str:
    """`written` put in a public news item: the build refuses it as members-only `what`
    from `source`; what it said."""
    site.edit("news/centres-open.md", "See [Oxhey]", f"{written} See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"leak: members-only {what} from" in result.err and source in result.err
    return result.err


def test_a_members_title_retyped_without_its_apostrophe_is_found(site):
    site.write("members/good-practice/dads.md", GOOD_PRACTICE_DRAFT.replace(
        "Restructure plans", "Running a dads' group for working fathers"))
    err = assert_leak_told(site, "Running a dads group for working fathers.", "title",
                           "members/good-practice/dads.md")
    assert "running a dads group for working fathers" in err


def test_the_alt_text_of_a_members_image_is_members_only_however_short(site):
    """A members picture's description says what it shows (a closure timetable on a
    whiteboard): in a public page, with another picture, it tells that (a red team's
    review). A public picture's alt text in a members post is not members-only."""
    site.write("members/media/rota.png", png_with_text(b"tEXt", b"Comment\0one"))
    site.write("media/board.png", png_with_text(b"tEXt", b"Comment\0two"))
    site.write("members/pages/rota.md", "---\ntitle: Volunteer rota\n---\n"
               "![Whiteboard with the closure timetable](/members/media/rota.png)\n\n"
               "![Photo of the garden at Oxhey](/media/board.png)\n")
    site.edit("news/centres-open.md", "See [Oxhey]",
              "![Photo of the garden at Oxhey](/media/board.png) See [Oxhey]")
    assert site.build().status == 0  # (a public picture's alt, in both)
    assert_leak_told(site, "![Whiteboard with the closure timetable](/media/board.png)",
                     "image description", "members/pages/rota.md")


def test_a_councils_common_words_in_members_and_public_pages_are_no_leak(site):
    """A part of a members sentence that is a council's own phrase, and a members
    picture's short, common description, said on public pages too, stopped the build
    (a review of the rules above)."""
    site.write("members/media/hall.png", png_with_text(b"tEXt", b"Comment\0hall"))
    site.write("media/play.png", png_with_text(b"tEXt", b"Comment\0play"))
    site.write("members/pages/handbook.md", HANDBOOK + "\nIf you are unhappy with a service "
               "at a centre, whether as a manager or as a partner, raise it with the "
               "commissioning officer.\n\n![A stay and play session](/members/media/hall.png)\n")
    site.edit("news/centres-open.md", "See [Oxhey]",
              "If you are unhappy with a service at a centre, please tell us. "
              "![A stay and play session](/media/play.png) See [Oxhey]")
    assert site.build().status == 0


def test_draft_and_expired_members_posts_are_members_only_too(site):
    site.write("members/good-practice/restructure.md", GOOD_PRACTICE_DRAFT)
    assert_leak_told(site, "We intend to merge the two staff teams into a single team of nine.",
                     "passage", "members/good-practice/restructure.md")


GOOD_PRACTICE_DRAFT = """---
title: Restructure plans
author: Sam Example
agency: oxhey-trust
date: 2026-01-05
summary: Plans.
draft: true
---
We intend to merge the two staff teams into a single team of nine.
"""


@pytest.mark.parametrize("link", [
    "/members/good-practice/dads-group", "../../members/good-practice/dads-group/",
    "/members/media/rota%20sheet.pdf",
    "http://cc.example.org/members\\good-practice\\dads-group/",  # a browser reads \ as /
    "//cc.example.org/members/good-practice/x/../dads-group/"])
def test_members_address_written_any_way_fails_the_build(site, link):
    """Told by the link check (a link into the members area, at its line) where it reads
    the link as the site's own, else by the leak audit (the address in the page)."""
    site.write("members/media/rota sheet.pdf", "%PDF-1.4 rota\n")
    site.edit("news/centres-open.md", "See [Oxhey]", f"See [this]({link}) and See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert "leak: members-only address" in result.err or \
        "leads into the members area" in result.err, result.err


def test_a_public_page_named_after_a_members_title_fails_the_audit(site):
    """A page whose address is a members post's title ('running-a-dads-group') tells
    it in the site's lists, its sitemap and its feed, as the title itself would."""
    site.write("news/running-a-dads-group.md", (site.content / "news/centres-open.md")
               .read_text())
    result = site.build()
    assert result.status == 1
    assert "leak: members-only title" in result.err, result.err
    assert (f"it is the address of the page made from {site.content}/news/"
            "running-a-dads-group.md: rename that file, or give it another slug") in result.err


@pytest.mark.parametrize("name, data", [
    ("contacts.csv", "name,topic\nSam,Running a dads\u2019 group\n".encode("cp1252")),
    ("poster.svg", ("<svg xmlns='http://www.w3.org/2000/svg'>" + "".join(
        f"<text x='{10 * n}' y='9'>{word}</text>" for n, word in enumerate(
            "Running a dads' group".split())) + "</svg>").encode()),
    ("notes.rtf", b"{\\rtf1\\ansi Running a dads\\rquote  {\\b group}\\par}"),
    ("photo.png", lambda: png_with_text(b"zTXt", b"Title\0\0" + zlib.compress(
        b"Running a dads' group"))),
    ("photo-2.png", lambda: png_with_text(b"iTXt", b"Title\0\x01\0en\0\0" + zlib.compress(
        "Running a dads\u2019 group".encode()))),
    ("talk.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x30TIT2\x00\x00\x00\x2e\x00\x00\x01\xff\xfe"
     + "Running a dads' group".encode("utf-16-le") + b"\xff\xfb\x90\x00" * 64),
    ("big.jpg", lambda: b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00" + _noise(2_000_000)
     + "<dc:title>Running a dads\u2019 group</dc:title>".encode() + _noise(2_000_000)),
    ("comment.jpg", lambda: b"\xff\xd8\xff\xfe\x00\x30" + "Running a dads\u2019 group"
     .encode("cp1252") + b"\x00" + _noise(50_000)),
    ("notes.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
     + "Notes: Running a dads\u2019 group, \u00a390 a week".encode("cp1252") + _noise(5_000)),
    ("talk-2.mp3", lambda: b"ID3\x03\x00\x00\x00\x00\x00\x40COMM\x00\x00\x00\x30\x00\x00\x00eng\x00"
     + "Caf\u00e9 talk: Running a dads\u2019 group".encode("latin-1", "replace").replace(
         b"?", b"'") + b"\xff\xfb\x90\x00" * 64),
    ("spaced.png", lambda: png_with_text(b"tEXt", b"Description\0" + "Running a dads' group"
                                          .replace(" ", "\u00a0").encode("latin-1"))),
    ("late-nul.csv", ("name,topic\n" + "x,y\n" * 400 + "Sam,Running a\u00a0dads\u2019 "
                      "group\n").encode("cp1252") + b"\x00"),
    ("title.rtf", rb"{\rtf1\ansi{\info{\title Running a dads\rquote  group}}Notes\par}"),
    ("footer.rtf", rb"{\rtf1\ansi{\footer\pard\plain Running a {\b dads\'92} group\par}Notes\par}"),
    ("talk-3.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x30COMM\x00\x00\x00\x40\x00\x00\x01eng\x00\x00"
     + "Running a dads\u2019 group".encode("utf-16-le") + b"\xff\xfb\x90\x00" * 64),
    ("huge.jpg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + _noise(2 * 1024 * 1024 - 21)
     + "Running a dads\u2019 group".encode("cp1252") + _noise(3_000_000)),  # (across the
    # end of audit.PIECE_BYTES)
    ("laid-out.svg", ("<svg xmlns='http://www.w3.org/2000/svg'><text>" + "".join(
        f"<tspan x='{46 * n}' y='20'>{word}</tspan>" for n, word in enumerate(
            "Running a dads' group".split())) + "</text></svg>").encode()),
    ("cdata.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><text><![CDATA[Running a ]]>"
     b"<![CDATA[dads' group]]></text></svg>"),
], ids=["csv-saved-by-excel", "svg-word-by-word", "rtf-from-word", "png-compressed-title",
        "png-international-title", "mp3-title-in-utf-16", "photo-with-xmp-title-inside",
        "jpeg-comment-in-windows-text", "word-97-text-in-windows-text", "mp3-comment-in-latin-1",
        "png-text-with-no-break-spaces", "csv-with-a-nul-past-its-start",
        "rtf-title-in-its-info", "rtf-footer-with-a-bold-word",
        "mp3-comment-in-utf-16-with-a-typographers-apostrophe",
        "large-photo-title-across-two-pieces", "svg-a-tspan-a-word-each-placed",
        "svg-a-sentence-across-two-cdata-sections"])
def test_members_text_in_a_public_file_of_any_kind_that_holds_text_is_found(site, name,
                                                                          data):
    """A file published as it is says its text as the program that opens it shows it: a
    CSV in Windows' own encoding, an SVG's words each drawn on its own, RTF's control
    words inside a phrase."""
    site.write(f"media/{name}", data() if callable(data) else data)
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/{name}:" in result.err and "leak: members-only title" \
        in result.err, result.err


def _noise(size: int) -> bytes:
    """Bytes as a photo's compressed picture is: no pattern (the same every run)."""
    import random

    return random.Random(size).randbytes(size)


def test_a_pdf_wrapped_in_an_office_object_and_png_texts_past_the_limit_are_not_missed(
        site, monkeypatch):
    """Word keeps a PDF put into it as an OLE object (oleObject1.bin), the PDF well past
    its first kilobyte; a PNG's first text unpacking to the limit hid a second (both a
    red team's review). The one is read; the other is not published."""
    import io
    import zipfile

    from ccsite import doctext

    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    buffer = io.BytesIO(office_file({"word/document.xml": "<w:t>See the handout</w:t>"}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 5000
                         + pdf_saying("Handout", SECRET_PRACTICE))
    site.write("media/notes.docx", buffer.getvalue())
    result = site.build()
    assert result.status == 1 and "notes.docx" in result.err and "leak:" in result.err
    site.remove("media/notes.docx")
    monkeypatch.setattr(doctext, "XML_BYTES", 100_000)
    site.write("media/photo.png", png_with_text(b"zTXt", b"A\0\0" + zlib.compress(b" " * 200_000)))
    result = site.build()
    assert result.status == 1 and f"{site.content}/media/photo.png:1: media: this file " \
        "holds more text" in result.err


def test_utf16_text_is_read_wherever_it_is_in_the_file(monkeypatch):
    """A WAV's tags come after its sound: past the first XML_BYTES, they were not read."""
    from ccsite import doctext

    monkeypatch.setattr(doctext, "XML_BYTES", 1000)
    sound = b"RIFF" + _noise(5000) + "Zo\u00eb Adams\u2019s talk".encode("utf-16-le") + b"\0\0"
    assert "Zo\u00eb Adams\u2019s talk" in doctext.metadata_text(sound)


def test_a_name_with_an_accent_at_the_start_of_a_pictures_field_is_found(site):
    """EXIF's Artist field holds just the name: 'Zoë Adams' after a NUL (a red team's
    review: searched as runs of text, the name lost its first word)."""
    site.edit("members/directory.yaml", "- name: Sam Example", "- name: Zo\u00eb Adams")
    site.write("media/portrait.jpg", b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00MM\x00*\x00"
               + "Zo\u00eb Adams".encode() + b"\x00" + _noise(20_000))
    result = site.build()
    assert result.status == 1 and "leak: members-only directory" in result.err


def png_with_text(kind: bytes, body: bytes) -> bytes:
    """A one-pixel PNG with a text chunk of this kind, as an image editor saves a title."""
    import struct

    def chunk(name: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + name + data + \
            struct.pack(">I", zlib.crc32(name + data))
    pixels = zlib.compress(b"\x00\x00\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(kind, body) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def test_members_text_in_a_pdfs_notes_form_and_bookmarks_is_found(site):
    """A reader's program shows a PDF's comments, its form's answers and its bookmarks
    beside its pages: a members title in any of them is found."""
    def utf16(text: str) -> bytes:
        return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"

    for where in ("annotation", "field", "bookmark"):
        said = {part: utf16("Running a dads' group" if part == where else "Notes")
                for part in ("annotation", "field", "bookmark")}
        site.write("media/notes.pdf", pdf_of([
            b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R /AcroForm << /Fields [8 0 R] >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [5 0 R 8 0 R] >>",
            b"<< >>",
            b"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /Contents "
            + said["annotation"] + b" >>",
            b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
            b"<< /Title " + said["bookmark"] + b" /Parent 6 0 R >>",
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (f1) /V " + said["field"]
            + b" /Rect [0 0 9 9] >>"]))
        result = site.build()
        assert result.status == 1, where
        assert "leak: members-only title" in result.err, (where, result.err)


def assert_leak_in_news(site, text: str, what: str) -> None:
    """`text` put in a public news item fails the build as a leak of a members `what` (a
    link to a members address: by the link check, where it reads the link as the site's
    own, at the line; see test_public_page_linking_into_the_members_area...)."""
    site.edit("news/centres-open.md", "See [Oxhey]", f"{text} See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"leak: members-only {what}" in result.err or (
        what == "address" and "leads into the members area" in result.err), result.err


def test_directory_phone_and_email_pasted_into_a_page_do_not_excuse_themselves(site):
    site.edit("members/directory.yaml", "  email: sam@example.org",
              '  email: sam@example.org\n  phone: "01632 960302"')
    site.edit("news/centres-open.md", "See [Oxhey]",
              "Questions? Ring Sam Example on +44 (0)1632 960 302. See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert "leak: members-only directory phone" in result.err
    site.edit("news/centres-open.md", "+44 (0)1632 960 302", "sam@example.org")
    result = site.build()
    assert result.status == 1
    assert "leak: members-only directory email" in result.err
    # the same e-mail given as the agency's public contact is public: no leak
    site.edit("news/centres-open.md", "Questions? Ring Sam Example on sam@example.org. ", "")
    site.edit("agencies/oxhey-trust.yaml", "jane@example.org", "sam@example.org")
    assert site.build().status == 0


@pytest.mark.parametrize("spelled", ["01632 960001", "01632 960 001", "+44 1632 960001"])
def test_manager_whose_phone_is_an_agency_contact_is_not_a_leak(site, spelled):
    """The same number, however the agency file spells it: its page shows it, and links
    tel:+441632960001; that is the agency's public contact, not a leak."""
    site.edit("members/directory.yaml", "  email: sam@example.org",
              '  email: sam@example.org\n  phone: "01632 960001"')
    site.edit("agencies/oxhey-trust.yaml", '"01632 960001"', f'"{spelled}"')
    result = site.build()
    assert result.status == 0, result.err


def test_manager_whose_email_is_an_opportunity_contact_is_not_a_leak(site):
    site.edit("opportunities/oxhey-eoi.md", "commissioning@example.org", "sam@example.org")
    result = site.build()
    assert result.status == 0, result.err


def test_members_page_named_like_a_file_of_the_encrypted_area_builds(site):
    """Encrypt mode publishes /members/keys.json and /members/bundle.enc; a members page
    called keys or bundle (/members/keys/) is not found in those names."""
    encrypt_site(site, "Jane Example")
    site.write("members/pages/keys.md", "---\ntitle: Keys to the halls\n---\nWho holds them.\n")
    site.write("members/pages/bundle.md", "---\ntitle: The starter bundle\n---\nWhat is in it.\n")
    result = site.build()
    assert result.status == 0, result.err


@pytest.mark.parametrize("written", [
    "Running a dads&#39; group",  # entity
    "Running a dads\u2019 group",  # typographic apostrophe
    "Run\u00adning a dads' group",  # soft hyphen, unseen
    "Running a dads' gro\u200bup",  # zero-width space, unseen
], ids=["entity", "curly-apostrophe", "soft-hyphen", "zero-width-space"])
def test_members_title_written_with_invisible_or_typographic_characters_is_found(site, written):
    assert_leak_in_news(site, f"{written}.", "title")


@pytest.mark.parametrize("written, what", [
    ("[ask](mailto:x@example.org?body=Running%20a%20dads%27%20group)", "title"),
    ("[write](mailto:sam%40example.org)", "directory email"),
    ("[the post](/%6Dembers/good-practice/dads-group/)", "address"),
    ("[ring](tel:%2B44%201632%20960302)", "directory phone"),
], ids=["mailto-body", "at-sign", "address-letter", "phone"])
def test_members_text_written_with_percent_codes_in_a_link_is_found(site, written, what):
    """A link's address as a browser reads it: a mail link's body, an e-mail address or
    a path, each character written as %XX."""
    site.edit("members/directory.yaml", "  email: sam@example.org",
              '  email: sam@example.org\n  phone: "01632 960302"')
    assert_leak_in_news(site, f"{written} and", what)


@pytest.mark.parametrize("written, what", [
    ("Running a dads\u200e' group", "title"),  # a left-to-right mark, pasted from mail
    ("Running a \u2066dads' group\u2069", "title"),  # a direction isolate
    ("Running a dads' gr\u043eup", "title"),  # a Cyrillic o
    ("Running a dads\u02bc group", "title"),  # a modifier letter apostrophe
    ("Running\u2800a dads' group", "title"),  # a Braille blank for a space
    ("Running a dads' gr\u0585up", "title"),  # an Armenian o
    ("Runn\u17b4ing a dads' group", "title"),  # a Khmer vowel no font draws
    ("Write to sam [at] example (dot) org", "directory email"),
    ("Write to sam at example dot org", "directory email"),
    ("Ring 01632 / 960302", "directory phone"),
    ("Sam Example \u2013 Centre manager", "directory entry"),
    ("| Sam Example | Centre manager |\n|---|---|\n| x | y |\n\n", "directory entry"),
    ("Centre manager: Sam Example", "directory entry"),
    ("Ask our centre manager, Sam Example", "directory entry"),
    ("| Centre manager | Sam Example |\n|---|---|\n| x | y |\n\n", "directory entry"),
    ("[Search](https://www.example.com/search?q=Running+a+dads%27+group)", "title"),
], ids=["lrm", "isolate", "cyrillic-o", "modifier-apostrophe", "braille-blank",
        "armenian-o", "khmer-unseen", "email-written-out", "email-spelled-out",
        "phone-with-slash", "name-dash-role", "name-role-table", "role-colon-name",
        "role-comma-name", "role-name-table", "plus-for-space"])
def test_members_text_written_with_unseen_or_look_alike_characters_is_found(site, written,
                                                                            what):
    site.edit("members/directory.yaml", "  email: sam@example.org",
              '  email: sam@example.org\n  phone: "01632 960302"')
    assert_leak_in_news(site, f"{written}.", what)


@pytest.mark.parametrize("written", ["Write to sam dot jones at example dot org",
                                     "Write to sam.jones @ example.org",
                                     "Write to sam.jones@ example.org",
                                     "Write to sam.jones at example.org",
                                     "Write to sam dot jones at example.org",
                                     "Write to sam . jones @ example . org",
                                     "Write to sam.jones {at} example.org"],
                         ids=["dotted-name-spelled-out", "spaces-round-at", "space-after-at",
                              "at-in-words", "dot-in-words-at-in-words", "spaced-dots",
                              "at-in-braces"])
def test_a_directory_address_written_out_with_its_dots_or_spaced_is_found(site, written):
    site.edit("members/directory.yaml", "  email: sam@example.org",
              "  email: sam.jones@example.org")
    assert_leak_in_news(site, f"{written}.", "directory email")


def test_members_text_after_a_less_than_sign_is_found_in_the_page_itself(site):
    """A '<' the text says is no tag: the words after it are read (the search index's copy
    was found; a page that is in no index or feed would not have been)."""
    site.edit("pages/about.md", "nav_order: 1", "nav_order: 1\nsummary: About us.")
    with open(site.content / "pages/about.md", "a", encoding="utf-8") as page:
        page.write("\nFor children aged < 5. Running a **dads'** group.\n")
    result = site.build()
    assert result.status == 1
    assert f"{site.output}/public/about/index.html:" in result.err


def test_a_directory_contact_in_a_documents_extra_fields_is_not_excused(site):
    """Only a contact field says a phone or an e-mail publicly (an agency's contact, a
    centre's): `extra`, which a theme shows as it likes, is not one."""
    site.edit("members/directory.yaml", "  email: sam@example.org",
              '  email: sam@example.org\n  phone: "01632 960302"')
    site.edit("news/centres-open.md", "title:", 'extra:\n  x:\n    phone: "01632 960302"\n'
              "title:")
    assert_leak_in_news(site, "Ring Sam on 01632 960302.", "directory phone")


def test_check_tells_a_leak_at_its_address_on_the_site_not_in_its_scratch_folder(site, capsys):
    """`ccsite check` builds in a folder of its own, gone when it has told the mistake."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    site.edit("news/centres-open.md", "See [Oxhey]", f"{SECRET_PRACTICE} See [Oxhey]")
    capsys.readouterr()
    assert main(["check", "--source", str(site.content)]) == 1
    err = capsys.readouterr().err
    assert "ccsite-check-" not in err
    assert "\nhttps://cc.example.org/news/centres-open/:" in "\n" + err
    assert f"{site.content}/news/centres-open.md, which this page is made from" in err


def test_members_text_in_a_utf16_file_in_public_media_is_found(site):
    site.write("media/contacts.csv", "Sam Example,Centre manager,sam@example.org\n"
               .encode("utf-16"))
    result = site.build()
    assert result.status == 1
    assert "media/contacts.csv:1: leak: members-only " in result.err


SECRET_PRACTICE = "We moved the group to Saturday mornings and the numbers tripled within a term."


def pdf_saying(*lines: str) -> bytes:
    """A PDF whose page says `lines`, kept as PDF writers keep text: in a compressed
    stream (no byte of the file shows it)."""
    import zlib

    text = " ".join(f"({line}) Tj 0 -14 Td" for line in lines)
    stream = zlib.compress(f"BT /F1 11 Tf 72 720 Td {text} ET".encode("latin-1"))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
               + b"\nendstream"]
    return pdf_of(objects)


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1, the first its catalogue), with its
    table of where each is, as a PDF writer lays one out."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def office_file(parts: dict[str, str]) -> bytes:
    """A zip archive of these XML parts, compressed, as Word and Excel write them."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()


def test_members_text_in_a_pdf_in_public_media_is_found(site):
    """A members post exported to PDF and put in media/: its text is compressed."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    pdf = pdf_saying("Handout for the network", SECRET_PRACTICE)
    assert SECRET_PRACTICE.encode() not in pdf
    site.write("media/handout.pdf", pdf)
    site.edit("news/centres-open.md", "See [Oxhey]", "See [handout](/media/handout.pdf), [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/handout.pdf:2: leak: members-only passage" in result.err
    site.write("media/handout.pdf", pdf_saying("Handout for the network",
                                               "Our Saturday group is open to every family."))
    result = site.build()
    assert result.status == 0, result.err


def test_members_text_in_a_media_file_saved_with_the_same_size_and_time_is_found(site):
    """A media file is known to the leak audit by its bytes, not by its place, size and
    time: a PDF replaced by one of the same size, given the same time (a copy that keeps
    times, a restored backup), is searched, even after a build that read the first in
    its racy moments (within two seconds of its saving, when its status is not kept)."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    clean = pdf_saying("Handout for the network", "Our Saturday group is open to all.")
    secret = pdf_saying("Handout for the network", SECRET_PRACTICE)
    size = max(len(clean), len(secret))
    clean, secret = (pdf + b"\n" * (size - len(pdf)) for pdf in (clean, secret))
    handout = site.write("media/handout.pdf", clean)
    os.utime(handout, ns=(1_700_000_000_000_000_000,) * 2)
    assert site.build().status == 0  # (just saved: racy)
    assert site.build().status == 0
    handout.write_bytes(secret)
    os.utime(handout, ns=(1_700_000_000_000_000_000,) * 2)
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/handout.pdf:2: leak: members-only passage" in result.err
    assert SECRET_PRACTICE.encode() not in b"".join(
        p.read_bytes() for p in (site.output / "public").rglob("*.pdf"))  # (compressed,
    # so also:)
    assert (site.output / "public/media/handout.pdf").read_bytes() != secret


def test_media_file_saved_again_after_the_leak_audit_is_not_published(site, monkeypatch):
    """A media file saved again while the build runs, after the leak audit looked at it,
    is not published unlooked at: the build stops, the public site as it was, and the
    next build looks at it (here it finds the members text the new version holds)."""
    from ccsite import stages

    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    handout = site.write("media/handout.pdf", pdf_saying("Handout", "First version."))
    assert site.build().status == 0
    published = site.output / "public/media/handout.pdf"
    first = published.read_bytes()
    handout.write_bytes(pdf_saying("Handout", "Second version, as checked."))
    real = stages._write_site

    def saved_meanwhile(*args):
        handout.write_bytes(pdf_saying("Handout", SECRET_PRACTICE))
        return real(*args)
    monkeypatch.setattr(stages, "_write_site", saved_meanwhile)
    result = site.build()
    assert result.status == 1
    assert f"{handout}:1: file: was saved again while the build ran" in result.err
    assert published.read_bytes() == first
    monkeypatch.setattr(stages, "_write_site", real)
    result = site.build()
    assert result.status == 1
    assert "handout.pdf:2: leak: members-only passage" in result.err
    assert published.read_bytes() == first


def test_media_file_saved_twice_while_the_leak_audit_looks_is_not_published(
        site, monkeypatch):
    """Saved with members text, then without as the audit reads it, then with again
    before the write (an undo, a sync tool, a branch switched and back): the bytes
    searched are not those the file's digest was taken of, so the build stops there."""
    from ccsite import audit, stages

    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    handout = site.write("media/handout.pdf", pdf_saying("Handout", "First version."))
    assert site.build().status == 0
    published = site.output / "public/media/handout.pdf"
    first = published.read_bytes()
    secret, clean = (pdf_saying("Handout", text) for text in (SECRET_PRACTICE, "Clean."))
    handout.write_bytes(secret)
    taken, written = audit.signature, stages._write_site

    def key_then_saved_clean(content, sources):
        key = taken(content, sources)
        if content == handout:
            handout.write_bytes(clean)
        return key

    def saved_back(*args):
        handout.write_bytes(secret)
        return written(*args)
    monkeypatch.setattr(audit, "signature", key_then_saved_clean)
    monkeypatch.setattr(stages, "_write_site", saved_back)
    result = site.build()
    assert result.status == 1
    assert f"{handout}:1: file: was saved again while the build ran" in result.err
    assert published.read_bytes() == first


def test_leak_audit_never_searches_with_texts_kept_for_other_members_content(
        site, monkeypatch):
    """The texts the leak audit searches for are kept in the cache folder for the next
    build from the same members content: a file of another set (left by a build from
    other members content, or restored from an older cache) is not used, so members text
    that set lacks is still found."""
    from ccsite.audit import LeakSearcher

    assert site.build().status == 0
    kept = site.root / ".ccsite-cache" / "leak-needles.cbor"
    older = kept.read_bytes()
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    assert site.build().status == 0
    assert kept.read_bytes() != older
    kept.write_bytes(older)
    site.edit("news/centres-open.md", "See [Oxhey]", f"{SECRET_PRACTICE} See [Oxhey]")
    monkeypatch.setattr(LeakSearcher, "_last", None)  # a new process: none made yet
    result = site.build()
    assert result.status == 1
    assert "leak: members-only passage" in result.err


@pytest.mark.parametrize("damage", [
    lambda pdf: pdf[:pdf.index(b"xref")],  # its end cut off: no table, no trailer
    lambda pdf: pdf.replace(b"startxref", b"startxrex"),  # its table's place mistyped
], ids=["cut-off", "startxref-wrong"])
def test_members_text_in_a_damaged_pdf_in_public_media_is_found(site, damage):
    """A viewer opens a PDF that pypdf refuses: its streams are read one by one."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    site.write("media/handout.pdf", damage(pdf_saying("Handout for the network",
                                                      SECRET_PRACTICE)))
    site.edit("news/centres-open.md", "See [Oxhey]", "See [handout](/media/handout.pdf), [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/handout.pdf:2: leak: members-only passage" in result.err
    assert "Traceback" not in result.err


def pdf_in_a_font_of_its_own(text: str) -> bytes:
    """A PDF as a word processor writes one: its font embedded, its text shown as the
    font's glyph numbers (no letter of it in any stream), which the font's map to Unicode
    (ToUnicode) turns into letters for a reader's program, and for pypdf."""
    import zlib

    glyphs = {char: number for number, char in enumerate(sorted(set(text)), 1)}
    shown = "".join(f"{glyphs[char]:04X}" for char in text)
    to_unicode = zlib.compress((
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Own def "
        "1 begincodespacerange <0000> <FFFF> endcodespacerange "
        f"{len(glyphs)} beginbfchar "
        + " ".join(f"<{number:04X}> <{ord(char):04X}>" for char, number in glyphs.items())
        + " endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode("latin-1"))
    content = zlib.compress(f"BT /F1 11 Tf 72 720 Td <{shown}> Tj ET".encode("latin-1"))
    program = zlib.compress(b"\0\1\0\0" + bytes(200))  # (a font program's bytes)

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        return (b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(data), extra)
                + data + b"\nendstream")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Own /Encoding /Identity-H "
               b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
               stream(content),
               b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Own "
               b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
               b"/FontDescriptor 8 0 R /DW 500 >>",
               stream(to_unicode),
               b"<< /Type /FontDescriptor /FontName /ABCDEF+Own /Flags 32 "
               b"/FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 "
               b"/CapHeight 700 /StemV 80 /FontFile2 9 0 R >>",
               stream(program)]
    return pdf_of(objects)


def test_members_text_in_a_pdf_in_a_font_of_its_own_is_found(site):
    """The font's map gives the letters (pypdf reads them so)."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    site.write("media/handout.pdf", pdf_in_a_font_of_its_own(SECRET_PRACTICE))
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/handout.pdf:1: leak: members-only passage" in result.err


@pytest.mark.parametrize("damage", [
    lambda pdf: pdf[:pdf.index(b"xref")],  # its end cut off: no table, no trailer
    lambda pdf: pdf.replace(b"startxref", b"startxrex"),  # its table's place mistyped
], ids=["cut-off", "startxref-wrong"])
def test_a_damaged_pdf_whose_text_only_its_fonts_give_is_not_published(site, damage):
    """A damaged PDF that pypdf refuses, in a font of its own: its streams show glyph
    numbers, which only the font's map (read from the whole file) makes into words, so
    the leak audit cannot tell whether it holds members text, while a reader's program
    shows it. It is not published (it was, unread): the editor saves it again."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    site.write("media/handout.pdf", damage(pdf_in_a_font_of_its_own(SECRET_PRACTICE)))
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/handout.pdf:1: media: this PDF is damaged" in result.err
    assert "Traceback" not in result.err
    site.write("media/handout.pdf", damage(pdf_in_a_font_of_its_own("Our group is open.")))
    assert site.build().status == 1  # (whatever it says: it cannot be read)
    site.write("media/handout.pdf", pdf_in_a_font_of_its_own("Our group is open to all."))
    assert site.build().status == 0  # saved again, whole: read, and published


def test_members_text_in_word_and_excel_files_in_public_media_is_found(site):
    """Word cuts a sentence into runs, one word into two; Excel keeps each cell's text in
    a list of shared strings."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", SECRET_PRACTICE)
    half = len(SECRET_PRACTICE) // 2 + 3  # (in the middle of a word)
    site.write("media/notes.docx", office_file({"word/document.xml": (
        '<w:document><w:body><w:p><w:r><w:t>Notes</w:t></w:r></w:p><w:p>'
        f'<w:r><w:t>{SECRET_PRACTICE[:half]}</w:t></w:r>'
        f'<w:r><w:rPr><w:b/></w:rPr><w:t>{SECRET_PRACTICE[half:]}</w:t></w:r>'
        '</w:p></w:body></w:document>')}))
    site.edit("news/centres-open.md", "See [Oxhey]", "See [notes](/media/notes.docx), [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/notes.docx:" in result.err
    assert "leak: members-only passage" in result.err
    site.remove("media/notes.docx")
    site.write("media/contacts.xlsx", office_file({"xl/sharedStrings.xml": (
        '<sst><si><t>Name</t></si><si><t>E-mail</t></si><si><t>Sam</t></si>'
        '<si><t>sam@example.org</t></si></sst>')}))
    site.edit("news/centres-open.md", "See [notes](/media/notes.docx)",
              "See [contacts](/media/contacts.xlsx)")
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/contacts.xlsx:" in result.err
    assert "leak: members-only directory email" in result.err


def test_members_text_in_a_workbook_embedded_in_a_word_file_is_found(site):
    """Word keeps an Excel sheet pasted into it (or a chart's data) as a workbook of its
    own, a zip inside the zip; the document's own text says nothing members-only. Read
    as far as NESTED archives down (here the deepest)."""
    from ccsite import doctext

    def embedded(address: str) -> bytes:
        inside = office_file({"xl/sharedStrings.xml": (
            '<sst><si><t>Name</t></si><si><t>E-mail</t></si><si><t>Sam</t></si>'
            f'<si><t>{address}</t></si></sst>')})
        for _ in range(doctext.NESTED):
            inside = _with_embedded(inside)
        return inside

    site.write("media/notes.docx", embedded("sam@example.org"))
    site.edit("news/centres-open.md", "See [Oxhey]", "See [notes](/media/notes.docx), [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/media/notes.docx:" in result.err
    assert "leak: members-only directory email" in result.err
    site.write("media/notes.docx", embedded("enquiries@example.org"))
    assert site.build().status == 0


def _with_embedded(workbook: bytes) -> bytes:
    """A Word file whose text is innocent, with `workbook` embedded as Word keeps one."""
    import io
    import zipfile

    buffer = io.BytesIO(office_file({"word/document.xml": (
        '<w:document><w:body><w:p><w:r><w:t>Network contacts (see the table below).'
        '</w:t></w:r></w:p></w:body></w:document>')}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook)
    return buffer.getvalue()


def test_an_archive_that_unpacks_past_the_limit_is_not_published_unread(monkeypatch):
    """A "zip bomb" (a few kilobytes that unpack to gigabytes) is read up to the limit,
    not to the machine's end; what is past it cannot be said clean, so the file is not
    published (it was, its parts past the limit unread: a red team's review). The
    archives inside it share the limit: each with its own, a docx of 15 KB holding 30
    small workbooks unpacked to 500 million characters."""
    import io
    import zipfile

    from ccsite import doctext

    monkeypatch.setattr(doctext, "XML_BYTES", 100_000)
    bomb = office_file({f"word/part{n}.xml": "<w:t>" + "a" * 300_000 + "</w:t>"
                        for n in range(3)})
    assert len(bomb) < 20_000
    with pytest.raises(doctext.Unreadable):
        doctext.document_text(bomb)
    buffer = io.BytesIO(office_file({"word/document.xml": "<w:t>Contacts</w:t>"}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for n in range(10):
            archive.writestr(f"word/embeddings/sheet{n}.xlsx", office_file(
                {"xl/sharedStrings.xml": "<t>" + "b" * 30_000 + "</t>"}))
    assert len(buffer.getvalue()) < 20_000
    with pytest.raises(doctext.Unreadable):
        doctext.document_text(buffer.getvalue())


def test_a_document_nested_past_the_limit_or_read_after_a_large_picture_is_not_missed(site):
    """Nested deeper than NESTED, an archive's text is compressed bytes: the file is not
    published. A large picture before an embedded workbook in the archive once spent the
    budget, the workbook unread (both from a red team's review)."""
    import io
    import zipfile

    from ccsite import doctext

    workbook = office_file({"xl/sharedStrings.xml": "<sst><si><t>sam@example.org</t></si></sst>"})
    deep = workbook
    for _ in range(doctext.NESTED + 1):
        deep = _with_embedded(deep)
    site.write("media/deep.docx", deep)
    result = site.build()
    assert result.status == 1 and f"{site.content}/media/deep.docx:1: media: this file " \
        "holds more text, or documents nested deeper, than the leak audit reads" in result.err
    site.remove("media/deep.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", "<w:t>Contacts</w:t>")
        archive.writestr("word/media/image1.jpeg", _noise(doctext.XML_BYTES + 1000))
        archive.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook)
    site.write("media/contacts.docx", buffer.getvalue())
    result = site.build()
    assert result.status == 1 and "leak: members-only directory email" in result.err


def test_members_text_found_in_alt_text_and_after_a_line_break(site):
    site.edit("members/good-practice/dads-group.md", "Members-only body.",
              "![Fathers and toddlers building a cardboard den at our Saturday group](/media/pack.pdf)"
              "\n\nThe health visitor sends the new birth list  \nto the centre every Monday.")
    site.edit("news/centres-open.md", "See [Oxhey]", "![Fathers and toddlers building a cardboard "
              "den at our Saturday group](/media/pack.pdf) See [Oxhey]")
    assert "leak: members-only passage" in site.build().err
    site.edit("news/centres-open.md", "![Fathers and toddlers building a cardboard den at our "
              "Saturday group](/media/pack.pdf) ", "The health visitor sends the new birth list "
              "to the centre every Monday, ")
    assert "leak: members-only passage" in site.build().err


def test_directory_entry_pasted_whole_is_found_but_a_public_contact_is_not(site):
    site.edit("news/centres-open.md", "See [Oxhey]", "Ask Sam Example, Centre manager. See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert "leak: members-only directory entry" in result.err
    site.edit("news/centres-open.md", "Ask Sam Example, Centre manager. ", "")
    site.edit("members/directory.yaml", "Sam Example", "Jane Example")  # the agency's contact
    result = site.build()
    assert result.status == 0, result.err


def test_another_sites_members_address_is_not_a_leak(site):
    site.edit("news/centres-open.md", "See [Oxhey]", "See the national [directory]"
              "(https://www.familyhubs.example.net/members/good-practice/dads-group/). [Oxhey]")
    result = site.build()
    assert result.status == 0, result.err


def test_members_file_copied_into_public_media_fails_the_build(site):
    site.write("members/media/rota.pdf", "%PDF-1.4 the members' rota\n")
    site.write("media/handout.pdf", "%PDF-1.4 the members' rota\n")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [handout](/media/handout.pdf), [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert (f"{site.content}/media/handout.pdf:1: leak: this file is a copy of the "
            "members-only file members/media/rota.pdf") in result.err


@pytest.mark.parametrize("source, run_in, told", [
    (".", "content", "media/handout.pdf:1: leak:"),  # (it was ./media/handout.pdf)
    ("content/", "", "content/media/handout.pdf:1: leak:")])  # (content//media/...)
def test_a_members_file_copied_into_public_media_is_named_as_every_file_is(
        site, monkeypatch, capsys, source, run_in, told):
    """The copy is named as the build names every file: from the content folder as the
    editor typed it (`--source`), as a mistake in a news item would be."""
    site.write("members/media/rota.pdf", "%PDF-1.4 the members' rota\n")
    site.write("media/handout.pdf", "%PDF-1.4 the members' rota\n")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [handout](/media/handout.pdf), [Oxhey]")
    monkeypatch.chdir(site.root / run_in)
    capsys.readouterr()
    assert main(["build", "--source", source, "--output", str(site.output), "--now",
                 "2026-11-25T12:00:00Z"]) == 1
    assert any(line.startswith(told) for line in capsys.readouterr().err.splitlines())


INCIDENT_LOG = ("On the third of March a child was collected by an uncle who was not on "
                "the list, and the centre lead rang the family at once.")


def test_a_members_file_saved_again_into_public_media_fails_the_build(site):
    """A members document re-saved or exported again differs in its bytes from the one
    in members/media/, but says the same: it is found by its text. The one byte more
    at its end is the least a new save changes."""
    original = pdf_saying("Incident log, spring 2026", INCIDENT_LOG)
    site.write("members/media/incident-log.pdf", original)
    site.write("media/spring-review.pdf", original + b"\n")
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.content}/media/spring-review.pdf:1: leak: members-only passage from "
            f"{site.content}/members/media/incident-log.pdf is in this public file") in result.err
    assert not (site.output / "public/media/spring-review.pdf").exists()


def test_a_members_file_that_says_what_every_public_page_says_is_no_leak(site):
    """A members briefing pack carries the council's boilerplate: the licence line and
    "X is run by Y" that every public page's footer says. That is no leak (the first
    version stopped every page of the site for it); its own passages still are, and the
    message offers the members file as the one to change."""
    site.write("members/media/briefing-pack.pdf", pdf_saying(
        "Lead agency network briefing pack.",
        "All content is available under the Open Government Licence v3.0, except where "
        "otherwise stated.", INCIDENT_LOG))
    result = site.build()
    assert result.status == 0, result.err
    site.edit("news/centres-open.md", "See [Oxhey]", f"{INCIDENT_LOG} See [Oxhey]")
    result = site.build()
    assert result.status == 1
    assert "take it out of " in result.err and "members/media/briefing-pack.pdf)" in result.err


@pytest.mark.parametrize("name, data", [
    ("notes.docx", lambda text: office_file({"word/document.xml": (
        f'<w:document><w:body><w:p><w:r><w:t>{text[:30]}</w:t></w:r><w:r><w:t>'
        f'{text[30:]}</w:t></w:r></w:p></w:body></w:document>')})),
    ("notes.rtf", lambda text: ("{\\rtf1\\ansi " + text.replace("uncle", "{\\b uncle}")
                                + "\\par}").encode()),
    ("notes.csv", lambda text: f'date,note\n2026-03-03,"{text}"\n'.encode("cp1252")),
    ("log.pdf", lambda text: pdf_saying("Hoddesdon closure plan", text)),  # a heading
    ("notes.txt", lambda text: f"Hoddesdon\t{text}\n".encode()),  # tab-separated
    ("unicode.txt", lambda text: ("Note\r\n" + text + "\r\n").encode("utf-16")),  # Excel's
    ("notes.svg", lambda text: ("<svg xmlns='http://www.w3.org/2000/svg'>" + "".join(
        f"<text x='{10 * n}' y='20'>{word}</text>" for n, word in enumerate(text.split()))
        + "</svg>").encode()),
])
def test_members_files_text_pasted_into_a_news_item_fails_the_build(site, name, data):
    """The text of a members file of any kind that holds text is fingerprinted as a
    post's is: a passage of it pasted into a public page is found, and the file named."""
    site.write(f"members/media/{name}", data(INCIDENT_LOG))
    site.edit("news/centres-open.md", "See [Oxhey]",
              f"From the log: {INCIDENT_LOG} See [Oxhey]")
    result = site.build()
    assert result.status == 1, result.err
    assert f"members/media/{name}" in result.err
    assert "leak" in result.err


@pytest.mark.parametrize("public_too", [False, True])
def test_search_index_is_audited_again_when_members_content_changes(site, monkeypatch,
                                                                    public_too):
    """A public text that becomes members text later (a post quoting it is added) is
    found in the search index kept from the last build, as a clean build would find it:
    the whole index when no public page changed, or (`public_too`, the index in shards)
    the bundles kept while the edited page's is made again."""
    import gzip

    from ccsite.outputs import search

    if public_too:
        for name in ("SHARD_PAGES", "SHARDED_FROM", "CENTRE_SHARD_PAGES"):
            monkeypatch.setattr(search, name, 1)

    index = search._index
    sentence = "The waiting list is walked through with the health visitor team."

    def index_with_sentence(public_root, folder, glob):
        files = index(public_root, folder, glob)
        extra = folder / "fragment" / "en_extra.pf_fragment"
        extra.write_bytes(gzip.compress(b'pagefind_dcd{"content":"%s"}' % sentence.encode()))
        return sorted([*files, extra])

    monkeypatch.setattr(search, "_index", index_with_sentence)
    assert site.build().status == 0
    before = site.snapshot()
    site.edit("members/good-practice/dads-group.md", "Members-only body.", sentence)
    if public_too:
        site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    result = site.build()
    assert result.status == 1
    kept = "shards/centres-0/" if public_too else ""
    assert (f"{site.output / 'public'}/pagefind/{kept}fragment/en_extra.pf_fragment:1: leak: "
            "members-only passage") in result.err
    assert site.snapshot() == before


# -- credentials -----------------------------------------------------------------------------

def run(*args: str) -> int:
    return main(list(args))


def test_members_add_shows_a_passphrase_once_and_stores_only_hashes(tmp_path, capsys):
    secrets = tmp_path / "secrets"
    assert run("members", "add", "Jane Example", "--email", "jane@example.org",
               "--secrets", str(secrets), "--source", str(tmp_path / "content")) == 0
    out = capsys.readouterr().out
    passphrase = out.split("\n\n")[1].strip()
    words = passphrase.split(" ")
    assert len(words) == 7 and len(set(credentials.word_list())) == 7776  # 90 bits
    store_file = secrets / "members.json"
    assert stat.S_IMODE(store_file.stat().st_mode) == 0o600
    assert passphrase not in store_file.read_text()
    member = credentials.MemberStore(secrets).load()[0]
    assert bcrypt.checkpw(passphrase.encode(), member.bcrypt_hash.encode())
    assert member.bcrypt_hash.startswith("$2b$05$")
    roster = credentials.MemberStore(secrets).read()
    assert roster.stretching.iterations >= 600_000
    assert len(base64.b64decode(roster.stretching.salt)) == 16
    own = credentials.private_key(passphrase, roster.stretching)  # only the member can
    assert base64.b64decode(member.public_key) == credentials.point_bytes(own.public_key())
    assert run("members", "list", "--secrets", str(secrets)) == 0
    assert "Jane Example\tlogin: jane-example\tjane@example.org" in capsys.readouterr().out
    htpasswd = tmp_path / "etc" / "members.htpasswd"
    assert run("members", "htpasswd", str(htpasswd), "--secrets", str(secrets)) == 0
    login, hashed = htpasswd.read_text().strip().split(":", 1)
    assert login == "jane-example" and hashed.startswith("$2y$05$")
    assert bcrypt.checkpw(passphrase.encode(), hashed.encode())
    assert stat.S_IMODE(htpasswd.stat().st_mode) == 0o600
    assert run("members", "remove", "Jane Example", "--secrets", str(secrets)) == 0
    assert credentials.MemberStore(secrets).load() == []


def test_members_commands_report_mistakes_plainly(tmp_path, capsys):
    secrets = str(tmp_path / "secrets")
    assert run("members", "remove", "Nobody", "--secrets", secrets) == 1
    assert "there is no member called 'Nobody'" in capsys.readouterr().err
    run("members", "add", "Jane Example", "--secrets", secrets)
    assert run("members", "add", "jane example", "--secrets", secrets) == 1
    assert "already a member called" in capsys.readouterr().err
    assert run("members", "add", "Jane", "--secrets", str(tmp_path / "content" / "s"),
               "--source", str(tmp_path / "content")) == 1
    assert "is inside the content folder" in capsys.readouterr().err


def members_command(*args: str, **how) -> subprocess.Popen:
    """`ccsite members ...` as a script runs it, in a process of its own."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.Popen([sys.executable, "-m", "ccsite", "members", *args], env=env,
                            **{"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE,
                               **how})


def test_members_changed_at_once_are_all_kept(tmp_path):
    """A leaver removed while a newcomer is added, by two commands at once (a script,
    two managers): both changes are kept. Each read the store, worked out a passphrase
    and wrote the store back, so the last one's won: the leaver kept their access while
    both commands said they were done."""
    secrets = str(tmp_path / "secrets")
    for name in ("Leaver Person", "Stayer Person"):
        assert members_command("add", name, "--secrets", secrets).wait(60) == 0
    at_once = [members_command("remove", "Leaver Person", "--secrets", secrets),
               *(members_command("add", f"New Person {n}", "--secrets", secrets)
                 for n in (1, 2))]
    assert [command.wait(120) for command in at_once] == [0, 0, 0]
    assert sorted(m.name for m in credentials.MemberStore(Path(secrets)).load()) == [
        "New Person 1", "New Person 2", "Stayer Person"]


def test_a_members_command_waiting_for_another_says_so(tmp_path):
    """A change waits for the one before to finish; one stopped with Ctrl-Z would hold
    it up in silence, so it says what it waits for."""
    import fcntl

    secrets = tmp_path / "secrets"
    assert members_command("add", "Jane Example", "--secrets", str(secrets)).wait(60) == 0
    with open(secrets / ".members.lock") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # (another command's, mid-way)
        waiting = members_command("remove", "Jane Example", "--secrets", str(secrets))
        ready, _, _ = select.select([waiting.stderr], [], [], 30)  # (told at once, or not)
        assert ready, "nothing said while it waits"
        told = waiting.stderr.readline().decode()
        assert told.startswith("Waiting for another ccsite members command to finish")
        assert waiting.poll() is None
    assert waiting.wait(60) == 0
    waiting.stderr.close()
    assert credentials.MemberStore(secrets).load() == []


@pytest.mark.parametrize("output", ["closed", "a reader that stopped", "a full disk"])
def test_a_passphrase_that_cannot_be_shown_is_not_kept(tmp_path, output):
    """`ccsite members add` run where its output goes nowhere: the passphrase, shown only
    once, would be lost, so the member is not added (they were, with a passphrase nobody
    saw); the command says so and ends with status 1. So for a new passphrase (rekey):
    the old one keeps working."""
    secrets = str(tmp_path / "secrets")
    assert members_command("add", "Jane Example", "--secrets", secrets).wait(60) == 0
    before = (tmp_path / "secrets" / "members.json").read_bytes()
    for action in ("add", "rekey"):
        name = "Sam Example" if action == "add" else "Jane Example"
        if output == "closed":
            command = members_command(action, name, "--secrets", secrets, stdout=None,
                                      preexec_fn=lambda: os.close(1))
        elif output == "a full disk":
            with open("/dev/full", "w") as full:
                command = members_command(action, name, "--secrets", secrets, stdout=full)
        else:
            reader, writer = os.pipe()
            os.close(reader)
            command = members_command(action, name, "--secrets", secrets, stdout=writer)
            os.close(writer)
        assert command.wait(60) == 1
        assert "passphrase could not be shown" in command.stderr.read().decode()
        command.stderr.close()
        assert (tmp_path / "secrets" / "members.json").read_bytes() == before


@pytest.mark.parametrize("action, told", [
    ("add", "Sam Example was NOT added, and the passphrase shown above does not work"),
    ("rekey", "Jane Example's old passphrase still works, and the one shown above does not"),
    ("remove", "Jane Example was NOT removed, and can still sign in")])
def test_a_change_of_the_members_that_cannot_be_saved_says_it_was_not_made(
        tmp_path, capsys, monkeypatch, action, told):
    """The secrets folder's disk full as a member is removed (or added, or given a new
    passphrase): the command says the change was not made, and the store is as it was.
    It said "Removed ..." and then blamed its own output, and a leaver kept their access
    while the web team took them for gone."""
    secrets = tmp_path / "secrets"
    assert run("members", "add", "Jane Example", "--secrets", str(secrets)) == 0
    before = (secrets / "members.json").read_bytes()
    real = os.replace

    def full_disk(source, target):  # (the last step of writing the store: what a full
        if Path(target).name == "members.json":  # disk stops may be any)
            raise OSError(28, "No space left on device")
        real(source, target)
    monkeypatch.setattr(credentials.os, "replace", full_disk)
    capsys.readouterr()
    name = "Sam Example" if action == "add" else "Jane Example"
    assert run("members", action, name, "--secrets", str(secrets)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ccsite members: {secrets / 'members.json'}: cannot be saved "
                          "(No space left on device), so " + told), err
    assert (secrets / "members.json").read_bytes() == before
    assert sorted(p.name for p in secrets.iterdir()) == [".gitignore", ".members.lock",
                                                         "members.json"]  # (no temp file)


# -- encrypt mode ----------------------------------------------------------------------------

def encrypt_site(site, *names: str) -> dict[str, str]:
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    return {name: store.add(name, None)[1] for name in names}


def open_bundle(public: Path, passphrase: str) -> dict | None:
    """What a member's browser does: the content key from their slot, then the bundle."""
    key = protect.open_key_slots((public / "members/keys.json").read_bytes(), passphrase)
    if key is None:
        return None
    sealed = (public / "members/bundle.enc").read_bytes()
    return json.loads(protect.open_sealed(key, sealed, protect.BUNDLE_AAD))


def test_encrypt_mode_refuses_to_build_without_members(site):
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    result = site.build()
    assert result.status == 1
    assert result.err.startswith(f"{site.content}/site.yaml:18: members.protection: encrypt "
                                 "mode needs at least one member")


def test_encrypt_mode_round_trips_for_each_member_and_revokes_removed_ones(site):
    passphrases = encrypt_site(site, "Jane Example", "Sam Example")
    add_canary_members_content(site)
    assert site.build().status == 0
    public = site.output / "public"
    for passphrase in passphrases.values():
        bundle = open_bundle(public, passphrase)
        post = bundle["pages"]["/members/good-practice/canary-post/"]
        assert CANARIES["title"] in post["title"] and CANARIES["body"] in post["main"]
        assert any(e["title"] == CANARIES["title"] for e in bundle["search"])
    assert open_bundle(public, "wrong words entirely here now please ok") is None
    credentials.MemberStore(site.root / ".ccsite-secrets").remove("Sam Example")
    assert site.build().status == 0
    assert open_bundle(public, passphrases["Sam Example"]) is None
    assert open_bundle(public, passphrases["Jane Example"]) is not None
    assert not (site.output / "members").exists() and not (site.output / "deploy").exists()


def test_encrypt_mode_output_holds_no_plaintext_of_members_content(site):
    encrypt_site(site, "Jane Example")
    add_canary_members_content(site)
    assert site.build().status == 0
    assert_no_canary(site.output)  # the whole output: public root and all
    shell = (site.output / "public/members/index.html").read_text()
    assert "Running a dads" not in shell and "dads-group" not in shell
    files = list((site.output / "public/members/files").iterdir())
    assert len(files) == 1 and files[0].read_bytes().startswith(protect.MAGIC)


def members_names(content: Path) -> set[str]:
    """What a file or folder name could give away of the members area: each members file's
    own name (a post's or page's slug, a document's name) and each title and tag as a slug."""
    from ccsite.graph import slugify

    names = set()
    for path in (content / "members").rglob("*"):
        if path.is_file() and path.name != "directory.yaml":
            names.add(path.stem.lower())
            for line in path.read_text(errors="replace").splitlines():
                key, _, value = line.partition(":")
                if key in ("title", "tags"):
                    names.update(slugify(v) for v in value.strip(" []").split(","))
    names.discard("")
    return names


def test_encrypt_mode_output_has_no_file_or_folder_named_after_members_content(site):
    """Encrypted files get opaque names: a name like `canary-rota.pdf.enc` would tell
    anyone what the members area holds without a passphrase."""
    encrypt_site(site, "Jane Example")
    add_canary_members_content(site)
    site.write("members/media/reports/secret-budget-2027.pdf", "%PDF-1.4 budget\n")
    site.edit("members/good-practice/canary-post.md", "(/members/media/canary-rota.pdf)",
              "(/members/media/canary-rota.pdf) and the [budget]"
              "(/members/media/reports/secret-budget-2027.pdf)")
    result = site.build()
    assert result.status == 0, result.err
    names = members_names(site.content)
    assert {"canary-post", "canary-handbook", "canary-rota", "secret-budget-2027",
            "canarytitle-quokka-7781", "canarytag-7781"} <= names
    paths = [p.relative_to(site.output).as_posix().lower() for p in site.output.rglob("*")]
    assert sum(p.startswith("public/members/files/") for p in paths) == 2
    told = {(path, name) for path in paths for name in names if name in path}
    assert not told, f"output names that tell members content: {sorted(told)}"


def test_encrypted_member_file_opens_with_the_content_key(tmp_path):
    source = tmp_path / "rota.pdf"
    source.write_bytes(b"%PDF-1.4 secret rota")
    stretching = credentials.Stretching.new()
    member = credentials.make_member("Jane", None, "one two three four five six seven",
                                     stretching)
    result = protect.encrypt_members({"members/index.html": "<title>x</title>"},
                                     {"members/media/rota.pdf": source}, [member], stretching,
                                     "<p>shell", "/", b"k" * 32)
    [(path, sealed)] = [(p, d) for p, d in result.files.items() if p.startswith("members/files/")]
    assert protect.open_sealed(result.content_key, sealed, path.split("/")[-1].encode()) == \
        b"%PDF-1.4 secret rota"
    with pytest.raises(Exception):
        protect.open_sealed(result.content_key, sealed, b"another-name.enc")
    # a fresh content key and nonces every build
    again = protect.encrypt_members({"members/index.html": "<title>x</title>"}, {}, [member],
                                    stretching, "<p>shell", "/", b"k" * 32)
    assert again.content_key != result.content_key
    assert again.files["members/bundle.enc"] != result.files["members/bundle.enc"]


def test_sample_site_builds_in_both_modes_without_members_plaintext(tmp_path):
    import shutil

    root = Path(__file__).resolve().parent.parent
    content = tmp_path / "content"
    shutil.copytree(root / "content", content)
    titles = [line.split(":", 1)[1].strip().lower() for path in
              (content / "members/good-practice").glob("*.md")
              for line in path.read_text().splitlines() if line.startswith("title:")]
    assert len(titles) >= 5
    assert main(["build", "--source", str(content), "--output", str(tmp_path / "server"),
                 "--now", "2026-11-25", "--quiet"]) == 0
    (content / "site.yaml").write_text((content / "site.yaml").read_text()
                                       .replace("protection: server", "protection: encrypt"))
    credentials.MemberStore(tmp_path / ".ccsite-secrets").add("Jane Example", None)
    assert main(["build", "--source", str(content), "--output", str(tmp_path / "encrypt"),
                 "--now", "2026-11-25", "--quiet"]) == 0
    for output in ("server/public", "encrypt"):
        for path, text in every_file_text(tmp_path / output).items():
            text = text.replace("&#39;", "'")
            assert not [t for t in titles if t in text], path


def test_members_post_quoting_a_public_page_is_told_as_such(site):
    """The check cannot tell which came first; when the public page's own file says it,
    the message says both files say it, rather than blaming the public page alone."""
    sentence = "Families can drop in every weekday, and the staff will always say hello."
    site.edit("centres/oxhey.md", "Families can drop in every weekday.", sentence)
    site.edit("members/good-practice/dads-group.md", "Members-only body.", f"As it says: {sentence}")
    result = site.build()
    assert result.status == 1
    assert (f"{site.content}/centres/oxhey.md, which this page is made from, says it too: if "
            "the public page said it first, the members file quotes it") in result.err


def test_members_page_copied_into_the_public_pages_is_told_once_a_few_files_naming_it(site):
    """Its title shows in every public page's menu: the build names the copy in a few
    messages, not one per page (there were 171 on the sample site), each naming the
    file to change."""
    site.write("pages/dads.md", "---\ntitle: Running a dads' group\nsummary: How.\n---\nHow.\n")
    result = site.build()
    assert result.status == 1
    told = [line for line in result.err.splitlines() if ": leak: members-only title" in line]
    assert len(told) == 5 and "more public files show it)" in result.err
    assert f"{site.output}/public/dads/index.html:" in result.err
    assert all(f"{site.content}/pages/dads.md" in line for line in told), told


# -- what the secrets folder and the published files give away --------------------------------

def values_in(folder: Path) -> list[str]:
    """Every value kept in a folder: each file whole, and each string or number in a JSON one."""
    found = []

    def leaves(data) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                found.append(str(key))
                leaves(value)
        elif isinstance(data, list):
            for value in data:
                leaves(value)
        elif data is not None:
            found.append(str(data))

    for path in sorted(folder.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            found.append(text.strip())
            try:
                leaves(json.loads(text))
            except ValueError:
                pass
    return sorted(set(found))


def readings_of(value: str) -> list[bytes]:
    """The byte strings a value could stand for: itself, a decimal number, base64, hex, and
    their halves (a 64-byte value might be two keys)."""
    import binascii

    readings = [value.encode("utf-8")]
    if value.isdigit():  # a number kept as decimal
        readings.append(int(value).to_bytes(max(1, (int(value).bit_length() + 7) // 8), "big"))
    for decode in (base64.b64decode, base64.urlsafe_b64decode, bytes.fromhex):
        try:
            readings.append(decode(value))
        except (ValueError, binascii.Error):
            pass
    return readings + [half for r in readings if len(r) >= 32
                       for half in (r[:len(r) // 2], r[len(r) // 2:], r[:32], r[-32:])]


def opens_with(public: Path, value: str, member_points: list[bytes]) -> str | None:
    """How `value` opens the encrypted members area, trying it as every kind of key that
    takes part (None when it opens nothing)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

    keys = json.loads((public / "members/keys.json").read_bytes())
    sealed = (public / "members/bundle.enc").read_bytes()
    ephemeral = base64.b64decode(keys["ephemeral"])

    def opens_bundle(key: bytes) -> bool:
        try:
            protect.open_sealed(key, sealed, protect.BUNDLE_AAD)
            return True
        except Exception:
            return False

    if protect.open_key_slots(json.dumps(keys).encode(), value):
        return "as a passphrase"
    for raw in readings_of(value):
        if len(raw) in (16, 24, 32) and opens_bundle(raw):
            return "as the content key"
        for slot in keys["slots"] if len(raw) in (16, 24, 32) else []:
            try:
                if opens_bundle(aes_key_unwrap(raw, base64.b64decode(slot["key"]))):
                    return "as a key-wrapping key"
            except Exception:
                pass
        scalar = int.from_bytes(raw, "big") % credentials.P256_ORDER
        if scalar and protect.open_key_slots_with(keys, ec.derive_private_key(
                scalar, ec.SECP256R1())):
            return "as a private key"
        for point in member_points:  # as the ECDH shared secret with a member
            slot_id, wrapping = protect._slot_keys(raw, ephemeral, point)
            if any(base64.b64decode(s["id"]) == slot_id for s in keys["slots"]):
                return "as a shared secret"
    return None


def test_secrets_folder_and_published_site_together_cannot_open_the_members_area(site):
    """A copy of .ccsite-secrets/ (a backup, a CI secret) and the published files: every
    value kept there, tried as a passphrase, content key, key-wrapping key, private key or
    shared secret, opens nothing; a member's passphrase does."""
    passphrases = encrypt_site(site, "Jane Example", "Sam Example")
    assert site.build().status == 0
    public, secrets = site.output / "public", site.root / ".ccsite-secrets"
    points = [base64.b64decode(m.public_key) for m in credentials.MemberStore(secrets).load()]
    values = values_in(secrets)
    assert any(v.startswith("$2b$05$") for v in values) and len(values) > 10
    for value in values:
        assert opens_with(public, value, points) is None, value
    assert opens_with(public, passphrases["Jane Example"], points) == "as a passphrase"
    assert all(p not in "\n".join(values) for p in passphrases.values())


def test_key_slots_are_padded_with_random_slots_of_the_same_shape(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    stretching = credentials.Stretching.new()

    def member(number: int) -> credentials.Member:
        point = credentials.point_bytes(ec.generate_private_key(ec.SECP256R1()).public_key())
        return credentials.Member(f"M{number}", None, "$2b$05$x",
                                  base64.b64encode(point).decode())

    for count, slots in ((1, 32), (32, 32), (33, 64), (100, 128)):
        keys = protect.key_slots(b"k" * 32, [member(n) for n in range(count)], stretching)
        assert len(keys["slots"]) == slots, count
        assert {(len(base64.b64decode(s["id"])), len(base64.b64decode(s["key"])))
                for s in keys["slots"]} == {(16, 40)}
        assert [s["id"] for s in keys["slots"]] == sorted(s["id"] for s in keys["slots"])


def test_each_build_makes_every_key_slot_anew_so_joiners_and_leavers_do_not_show(site):
    passphrases = encrypt_site(site, "Jane Example", "Sam Example")
    keys_file = site.output / "public/members/keys.json"
    assert site.build().status == 0
    first = json.loads(keys_file.read_bytes())
    credentials.MemberStore(site.root / ".ccsite-secrets").remove("Sam Example")
    assert site.build().status == 0
    second = json.loads(keys_file.read_bytes())
    assert len(first["slots"]) == len(second["slots"]) == 32
    values = lambda keys: {v for s in keys["slots"] for v in s.values()}  # noqa: E731
    assert not values(first) & values(second)
    assert first["ephemeral"] != second["ephemeral"]
    assert first["salt"] == second["salt"]  # one salt for the store: said in the README
    assert protect.open_key_slots(keys_file.read_bytes(), passphrases["Jane Example"])
    assert protect.open_key_slots(keys_file.read_bytes(), passphrases["Sam Example"]) is None


def test_padded_size_costs_at_most_twelve_percent_and_hides_the_exact_size():
    sizes = range(1, 3_000_000, 997)
    padded = [protect.padded_size(n) for n in sizes]
    assert all(p >= max(n, protect.SMALLEST_FILE) for n, p in zip(sizes, padded))
    assert all(p <= max(n * 1.12, protect.SMALLEST_FILE) for n, p in zip(sizes, padded))
    assert padded == sorted(padded)
    octaves = {}  # sizes from 2^k to 2^(k+1): a few buckets each, so 5 bits show at most
    for p in padded:
        octaves.setdefault(p.bit_length(), set()).add(p)
    assert max(len(buckets) for buckets in octaves.values()) <= 32
    assert protect.padded_size(5000) == protect.padded_size(5100) == 5120


def test_encrypted_files_are_padded_so_their_exact_size_does_not_show(site):
    jane = encrypt_site(site, "Jane Example")["Jane Example"]
    site.write("members/media/short.pdf", b"%PDF-1.4 " + b"x" * 4990)
    site.write("members/media/longer.pdf", b"%PDF-1.4 " + b"y" * 5061)
    assert site.build().status == 0
    public = site.output / "public"
    files = sorted((public / "members/files").iterdir())
    sizes = {f.stat().st_size for f in files}
    assert len(files) == 2 and sizes == {5120}
    bundle = (public / "members/bundle.enc").stat().st_size
    assert bundle == protect.padded_size(bundle)
    key = protect.open_key_slots((public / "members/keys.json").read_bytes(),
                                 jane)
    opened = {protect.open_sealed(key, f.read_bytes(), f.name.encode()) for f in files}
    assert opened == {b"%PDF-1.4 " + b"x" * 4990, b"%PDF-1.4 " + b"y" * 5061}


def write_store_of_an_older_ccsite(secrets: Path, name: str, passphrase: str) -> None:
    """members.json as ccsite wrote it before public keys: a PBKDF2 key per member."""
    import os

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    salt = os.urandom(16)
    kek = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt,
                     iterations=1000).derive(passphrase.encode())
    secrets.mkdir(mode=0o700)
    (secrets / "members.json").write_text(json.dumps({"members": [{
        "name": name, "email": None,
        "bcrypt_hash": bcrypt.hashpw(passphrase.encode(), bcrypt.gensalt(4)).decode(),
        "salt": base64.b64encode(salt).decode(), "iterations": 1000,
        "kek": base64.b64encode(kek).decode()}]}, indent=2))


def test_store_of_an_older_ccsite_is_told_to_rekey_in_one_line_and_then_builds(site, capsys):
    secrets = site.root / ".ccsite-secrets"
    write_store_of_an_older_ccsite(secrets, "Jane Example", "old words")
    assert site.build().status == 0  # server mode needs only the bcrypt hash: unchanged
    assert credentials.MemberStore(secrets).htpasswd().startswith("jane-example:$2y$04$")
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    result = site.build()
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        f"{site.content}/site.yaml:18: members.protection: 1 member was added by an older "
        "ccsite, which kept a key that opens the members area by itself; that key is no "
        "longer used: give them a new passphrase with: ccsite members rekey \"Jane Example\"")
    assert "Traceback" not in result.err
    where = ["--secrets", str(secrets)]
    assert run("members", "list", *where) == 0
    assert 'ccsite members rekey "Jane Example"' in capsys.readouterr().out
    assert run("members", "rekey", "Jane Example", *where) == 0
    passphrase = capsys.readouterr().out.split("\n\n")[1].strip()
    stored = (secrets / "members.json").read_text()
    assert '"kek"' not in stored and '"salt": "' in stored
    assert site.build().status == 0
    assert open_bundle(site.output / "public", passphrase) is not None
    assert open_bundle(site.output / "public", "old words") is None


def test_vendored_curve_library_is_the_recorded_npm_build():
    """templates/assets/vendor/ holds what scripts/update-vendor.sh made, unedited (the
    curve library, and Leaflet in vendor/leaflet/)."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    record = json.loads((root / "scripts/vendor.lock.json").read_text())
    shipped = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in sorted((root / "templates/assets/vendor").rglob("*")) if p.is_file()}
    assert shipped == record["files"]
    assert record["packages"]["@noble/curves"]["version"] in \
        (root / "templates/assets/vendor/noble-curves.js").read_text()[:200]
    assert f'Leaflet {record["packages"]["leaflet"]["version"]},' in \
        (root / "templates/assets/vendor/leaflet/leaflet.js").read_text()[:200]


def test_the_leak_audits_key_is_the_same_in_every_process(site):
    """The fingerprints' key names the site's prefixes too (a members address is found
    only as this site's): with a base path there are two, and they were taken from a
    set, in the order Python's hashing of texts gives each process anew. A build in a
    process that ordered them otherwise (one in two: each CI job is a new process) knew
    no public file as clean, and searched them all again, or found the last build's key
    "not those its key promised" and built the whole site again with a warning blaming
    the cache (found by a review). Builds one after the other, each in a process of its
    own hashing: each searches only the files the edit changed."""
    import subprocess

    from test_interrupted import build_command

    site.edit("site.yaml", "base_url: https://cc.example.org/",
              "base_url: https://cc.example.org/children/")
    checked = []
    for run, seed in enumerate(["1", "2", "3", "4", "5", "6"]):
        site.edit("news/centres-open.md", "See [Oxhey]", f"Run {run}. See [Oxhey]")
        done = subprocess.run(build_command(site, site.output)[:-1], capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        assert "could not be used" not in done.stdout + done.stderr
        checked.append(int(re.search(r"leak audit: (\d+) public files? checked",
                                     done.stdout).group(1)))
    assert all(later < checked[0] / 4 for later in checked[1:]), checked


def test_a_page_that_speaks_of_pdf_fonts_is_not_taken_for_a_damaged_pdf(site):
    """A page is never read as a document, whatever its first bytes say: a news item on
    PDF accessibility, its title in the page's head, builds."""
    site.edit("news/centres-open.md", "title: Centres open",
              'title: "%PDF-1.7 files: /FontFile2 and /ToUnicode explained"')
    result = site.build()
    assert result.status == 0, result.err


# -- a members file moved out of members/ ------------------------------------------------

MOVED_HANDBOOK = ("---\ntitle: Lead agency managers' handbook\nsummary: How the network runs.\n---\n"
            "Quarterly monitoring returns go to the network coordinator by the tenth.\n")


def test_a_members_page_moved_into_the_public_pages_is_not_published(site):
    """It has a public page's fields, so nothing in this build's members content says it
    was members-only: the last build's fingerprints do. Taken out in one build, it may be
    published in a later one (the way to mean it)."""
    site.write("members/pages/handbook.md", MOVED_HANDBOOK)
    assert site.build().status == 0
    before = site.snapshot()
    (site.content / "members/pages/handbook.md").rename(site.content / "pages/handbook.md")
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.output}/public/handbook/index.html:") in result.err
    assert (f"from {site.content}/members/pages/handbook.md (members-only at the last build, "
            "and since edited or taken out of members/)") in result.err
    assert "move it back" in result.err
    assert site.snapshot() == before
    assert site.build().status == 1  # a failed build keeps what the last good one had
    site.remove("pages/handbook.md")
    assert site.build().status == 0  # taken out, and built: then it is the editor's to publish
    site.write("pages/handbook.md", MOVED_HANDBOOK)
    assert site.build().status == 0
    assert "Quarterly monitoring returns" in site.page("/handbook/")


def test_a_members_file_moved_into_public_media_is_not_published(site):
    site.write("members/media/incident-log.pdf", pdf_saying("Incident log", INCIDENT_LOG))
    assert site.build().status == 0
    (site.content / "members/media/incident-log.pdf").rename(
        site.content / "media/spring-review.pdf")
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.content}/media/spring-review.pdf:1: leak: members-only passage from "
            f"{site.content}/members/media/incident-log.pdf (members-only at the last build")\
        in result.err
    assert not (site.output / "public/media/spring-review.pdf").exists()


@pytest.mark.parametrize("kind", ["a photo", "a PDF with no long passage"])
def test_a_members_file_with_no_text_to_find_it_by_moved_into_media_is_not_published(site,
                                                                                    kind):
    """A picture, a sound or a short PDF holds no passage: moved from members/media/ into
    media/ (its link mended), it was published without a word (a review)."""
    name, data = {"a photo": ("dads-group-photo-gareth.png",
                              png_with_text(b"tEXt", b"Comment\0dads")),
                  "a PDF with no long passage": ("volunteer-rota-grid.pdf",
                                                 pdf_saying("Rota", "Mon Tue"))}[kind]
    site.write(f"members/media/{name}", data)
    assert site.build().status == 0
    before = site.snapshot()
    (site.content / f"members/media/{name}").rename(site.content / f"media/{name}")
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.content}/media/{name}:1: leak: this file is the members-only file "
            f"{site.content}/members/media/{name}, the same bytes: a members page or file "
            "moved out of members/ is not published: move it back") in result.err
    assert site.snapshot() == before
    (site.content / f"media/{name}").rename(site.content / f"media/renamed-{name}")
    assert site.build().status == 1  # (by its bytes, whatever it is called now)
    (site.content / f"media/renamed-{name}").rename(site.output.parent / name)
    assert site.build().status == 0  # taken out, and built: then the editor's to publish
    (site.output.parent / name).rename(site.content / f"media/{name}")
    assert site.build().status == 0
    assert (site.output / f"public/media/{name}").read_bytes() == data


def test_the_preview_server_keeps_a_members_photo_moved_into_media_out(site):
    """The preview server, which builds from the memory in its process: the photo taken
    out of the members' files and put in the public ones between two of its builds (the
    web editor's deletion and upload are two saves, each built: that is the way to mean
    it, as for a members page)."""
    import datetime as dt

    from ccsite import incremental
    from ccsite.buildinfo import BuildOptions
    from ccsite.errors import ContentErrors
    from ccsite.pipeline import build
    from conftest import NOW

    photo = png_with_text(b"tEXt", b"Comment\0hall")
    site.write("members/media/hall.png", photo)
    memory = incremental.BuildMemory()
    options = BuildOptions(now=dt.datetime.fromisoformat(NOW))
    build(site.content, site.output, options, memory=memory)
    site.remove("members/media/hall.png")
    site.write("media/summer-fair.png", photo)
    with pytest.raises(ContentErrors) as failed:
        build(site.content, site.output, options, memory=memory)
    assert any(e.field == "leak" and "members/media/hall.png, the same bytes" in e.message
               for e in failed.value.errors)
    assert not (site.output / "public/media/summer-fair.png").exists()


def test_what_is_no_longer_a_members_file_raises_no_false_alarm(site):
    """A review of the check above: an empty members file taken out made every empty
    public file a leak, at every build; a members photo deleted made its name a leak
    inside another name ("new-hall-photo.png")."""
    site.write("members/media/minutes-placeholder.txt", b"")
    site.write("media/empty-form.txt", b"")
    site.write("members/media/hall-photo.png", png_with_text(b"tEXt", b"Comment\0hall"))
    assert site.build().status == 0
    site.remove("members/media/minutes-placeholder.txt")
    site.remove("members/media/hall-photo.png")
    site.write("media/new-hall-photo.png", png_with_text(b"tEXt", b"Comment\0new hall"))
    site.edit("news/centres-open.md", "See [Oxhey]",
              "![The new hall](/media/new-hall-photo.png) See [Oxhey]")
    result = site.build()
    assert result.status == 0, result.err


def test_a_members_file_put_among_the_sites_own_theme_files_is_not_published(site):
    """templates/assets/ is published as it is: a members file copied or moved there was
    published unchecked (a review). Both are refused, and the message's way to mean it
    builds."""
    rota = pdf_saying("Rota", "Mon Tue")
    site.write("members/media/rota-grid.pdf", rota)
    theme = site.root / "templates" / "assets"
    theme.mkdir(parents=True)
    (theme / "grid.pdf").write_bytes(rota)
    result = site.build()
    assert result.status == 1
    assert ("templates/assets/grid.pdf:1: leak: this file is a copy of the members-only file "
            "members/media/rota-grid.pdf; members files must never be published: remove this "
            "copy, or, if it is meant for everyone now, take both out and build, then put "
            "this one back and build again") in result.err
    (theme / "grid.pdf").unlink()
    assert site.build().status == 0
    (site.content / "members/media/rota-grid.pdf").rename(theme / "grid.pdf")  # moved
    result = site.build()
    assert result.status == 1
    assert "templates/assets/grid.pdf:1: leak: this file is the members-only file " \
        f"{site.content}/members/media/rota-grid.pdf, the same bytes" in result.err
    (theme / "grid.pdf").unlink()  # the way to mean it: out, built, back, built
    assert site.build().status == 0
    (theme / "grid.pdf").write_bytes(rota)
    assert site.build().status == 0
    assert (site.output / "public/assets/grid.pdf").read_bytes() == rota


def test_the_preview_server_keeps_a_moved_members_page_out_after_other_edits(site):
    """The preview server keeps its memory in its process, failed builds included: a
    members edit after the failed build (which makes the fingerprints again) must not
    forget what the last good build had in members/."""
    import datetime as dt

    from ccsite import incremental
    from ccsite.buildinfo import BuildOptions
    from ccsite.errors import ContentErrors
    from ccsite.pipeline import build
    from conftest import NOW

    site.write("members/pages/handbook.md", MOVED_HANDBOOK)
    memory = incremental.BuildMemory()
    options = BuildOptions(now=dt.datetime.fromisoformat(NOW))
    build(site.content, site.output, options, memory=memory)
    (site.content / "members/pages/handbook.md").rename(site.content / "pages/handbook.md")
    for _ in range(2):
        with pytest.raises(ContentErrors) as failed:
            build(site.content, site.output, options, memory=memory)
        assert any("members-only at the last build" in str(e) for e in failed.value.errors)
        site.write("members/pages/other.md", f"---\ntitle: Another members page {_}\n---\n"
                   "Text.\n")  # (the members content changed: its fingerprints made again)
    assert not (site.output / "public/handbook").exists()


def test_members_pages_with_a_menu_place_are_in_the_members_menu_in_that_order(site):
    """`nav_order` is "Place in the main menu" for a members page too: it did nothing.
    The members area's menu has them, in that order; the public menu never does."""
    site.write("members/pages/keys.md", "---\ntitle: Keys to the halls\nnav_order: 2\n---\n"
               "Who holds them.\n")
    site.write("members/pages/rota.md", "---\ntitle: The rota\nnav_order: 1\n---\nWho.\n")
    site.write("members/pages/quiet.md", "---\ntitle: Not in the menu\n---\nText.\n")
    assert site.build().status == 0
    page = (site.output / "members/directory/index.html").read_text()
    menu = page[page.index('<nav class="members-nav"'):page.index("</nav>", page.index(
        '<nav class="members-nav"'))]
    labels = re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', menu)
    assert labels == ["Members home", "Good practice", "Directory", "The rota",
                      "Keys to the halls", "Search", "Share your practice"]
    assert 'href="/members/rota/" aria-current="page"' in \
        (site.output / "members/rota/index.html").read_text()
    assert "The rota" not in site.page("/")


def pdf_with_a_page_deleted_and_saved_again(more_saves: int):
    """A public page and the incident log's, the second deleted at the first save (an
    incremental update, as a reader's program saves), then saved `more_saves` times more
    with another title: what a public PDF exported with a members page may come to."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for data in (pdf_saying("Summer opening", "The centre opens at nine in the holidays."),
                 pdf_saying("Incident log", INCIDENT_LOG)):
        writer.append(pypdf.PdfReader(io.BytesIO(data)))
    saved = io.BytesIO()
    writer.write(saved)
    for number in range(more_saves + 1):
        again = pypdf.PdfWriter(io.BytesIO(saved.getvalue()), incremental=True)
        if number == 0:
            again.remove_page(1)  # the members page taken out, and saved again
        else:
            again.add_metadata({"/Title": f"Summer opening, save {number}"})
        saved = io.BytesIO()
        again.write(saved)
    return saved


def test_members_text_in_an_earlier_save_of_a_public_pdf_is_found(site):
    """A PDF saved again (an incremental update) keeps its earlier revision, a page
    deleted since included: cut at its earlier %%EOF, it opens as it was. pypdf reads
    only the last revision, and the page's stream is compressed."""
    import io

    import pypdf

    saved = pdf_with_a_page_deleted_and_saved_again(0)
    assert len(pypdf.PdfReader(io.BytesIO(saved.getvalue())).pages) == 1
    site.write("members/media/incident-log.pdf", pdf_saying("Incident log", INCIDENT_LOG))
    site.write("media/summer-opening.pdf", saved.getvalue())
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.content}/media/summer-opening.pdf:1: leak: members-only passage from "
            f"{site.content}/members/media/incident-log.pdf is in this public file") in result.err


def test_a_sentence_taken_out_of_a_members_post_may_be_published_after_the_next_build(site):
    """The last build's members text is searched for once: a later build that a clean
    build would pass passes too (the audit kept by its key had kept it for good)."""
    sentence = "We meet in the hall on the first Saturday of each month from ten."
    post = site.content / "members/good-practice/dads-group.md"
    post.write_text(post.read_text() + f"\n{sentence}\n")
    assert site.build().status == 0
    post.write_text(post.read_text().replace(sentence, "We meet on Saturdays."))
    assert site.build().status == 0  # (the old sentence searched for: found nowhere)
    site.edit("news/centres-open.md", "See [Oxhey]", f"{sentence} See [Oxhey]")
    result = site.build("--verbose")
    assert result.status == 0, result.err
    assert "could not be used" not in result.out + result.err  # (the audit kept by its
    # key was not the one made: the site was built from the start)


def test_a_members_file_that_repeats_the_sites_footer_can_be_removed(site):
    """A members file's line that every public page says too (the footer's licence) is
    no leak; removed or edited, its old text was searched for all the same, and every
    build failed from then on."""
    footer = ("All content is available under the Open Government Licence v3.0, except "
              "where otherwise stated.")
    site.write("members/media/briefing.txt", f"Quarterly briefing for managers only.\n"
               f"{footer}\n")
    assert site.build().status == 0
    assert footer.split(",")[0] in site.page("/").replace("<a href=\"https://www.nationalarc"
                                                         "hives.gov.uk/doc/open-government-"
                                                         "licence/version/3/\" rel=\"license"
                                                         "\">", "").replace("</a>", "")
    site.remove("members/media/briefing.txt")
    result = site.build()
    assert result.status == 0, result.err


@pytest.mark.parametrize("held_back", ["publish_date: 2026-11-26T09:00:00Z", "draft: true"])
def test_a_moved_members_page_held_back_is_refused_before_its_day(site, held_back):
    """The one build that searches for the last build's members text found nothing
    published (the page not yet out), forgot it, and published it on its day."""
    site.write("members/pages/handbook.md", MOVED_HANDBOOK)
    assert site.build().status == 0
    (site.content / "members/pages/handbook.md").rename(site.content / "pages/handbook.md")
    site.edit("pages/handbook.md", "title:", f"{held_back}\ntitle:")
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.content}/pages/handbook.md:1: leak: holds the members-only") in result.err
    assert "though it is not published yet" in result.err


def test_a_public_pdf_saved_again_more_times_than_the_audit_reads_is_refused(site):
    """A page deleted at the first save lives in the first revision alone: reading the
    last 16 of 17 published it. Past the limit, the file is refused, with what to do."""
    from ccsite import doctext

    saved = pdf_with_a_page_deleted_and_saved_again(doctext.MAX_REVISIONS)
    site.write("members/media/incident-log.pdf", pdf_saying("Incident log", INCIDENT_LOG))
    site.write("media/summer-opening.pdf", saved.getvalue())
    result = site.build()
    assert result.status == 1, result.err
    assert (f"{site.content}/media/summer-opening.pdf:1: media: this PDF keeps more than 16 "
            "earlier saves of itself") in result.err


def test_an_encrypted_members_area_whose_base_template_lacks_its_marks_fails_the_build(site):
    """A site's members/base.html without the <!--members-main--> lines had each members
    page shown whole inside the sign-in page once opened: two headers, two mains, two
    skip links (a theme customiser's review)."""
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)
    assert site.build().status == 0
    before = site.snapshot()
    theme = Path(__file__).parents[1] / "templates" / "members" / "base.html"
    (site.root / "templates" / "members").mkdir(parents=True)
    (site.root / "templates" / "members" / "base.html").write_text("".join(
        line for line in theme.read_text().splitlines(keepends=True)
        if "members-main" not in line))
    result = site.build()
    assert result.status == 1
    assert "templates/members/base.html:0: template: the members page /members/" in result.err
    assert "lack the lines <!--members-main--> and <!--/members-main--> around their main " \
        "content, which encrypt mode encrypts" in result.err
    assert site.snapshot() == before

"""A command-line build keeps the last build's feeds, calendars, data files, members search
index, leak audit and warnings only while nothing they are made from has changed: after
each edit here the output is byte for byte a clean build's, and what the edit does not
touch is kept (the same file, not written again)."""
from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from ccsite.audit import LeakSearcher
from ccsite.errors import ContentErrors
from ccsite.pipeline import build
from ccsite.validate import BuildOptions
from test_incremental import NOW, assert_same_as_full_build, incremental_build

DEADLINE_ICS = "opportunities/oxhey-eoi/deadline.ics"
PASSAGE = "We moved the group to Saturday mornings and the numbers tripled within a term."


def public(site, rel: str) -> str:
    return (site.output / "public" / rel).read_text(encoding="utf-8")


def inode(site, rel: str) -> int:
    return os.stat(site.output / rel).st_ino


def oruk_service(site) -> str:
    return next(p for p in (site.output / "public/data/oruk/services").iterdir()).relative_to(
        site.output).as_posix()


def clean_warnings(site, now=NOW) -> list[str]:
    """The warnings a clean build of a copy of the content gives."""
    fresh = site.root / "fresh-warnings"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site.content, fresh / "content")
    return [str(w).replace(str(fresh / "content"), str(site.content))
            for w in build(fresh / "content", fresh / "_site", BuildOptions(now=now)).warnings]


def test_files_an_edit_does_not_touch_are_kept_from_the_last_build(site):
    incremental_build(site)
    kept = ["public/" + DEADLINE_ICS, "public/data/opportunities.json", oruk_service(site),
            "public/data/centres.csv", "public/programme.ics", "members/search-index.json"]
    before = {rel: inode(site, rel) for rel in kept}
    feed = inode(site, "public/feed.xml")
    site.edit("news/centres-open.md", "See [Oxhey]", "Visit [Oxhey]")
    incremental_build(site)
    assert {rel: inode(site, rel) for rel in kept} == before
    assert inode(site, "public/feed.xml") != feed  # the feed shows the body
    assert "Visit" in public(site, "feed.xml")
    assert_same_as_full_build(site)


def test_a_centre_edit_makes_only_the_data_files_that_read_what_changed(site, monkeypatch):
    """The programme's calendar, the centres' table and their map read a few fields of
    every centre, not its summary: editing a summary makes again the Open Referral files
    that show it, not those; twice, as what one build keeps the next keeps too. The site
    is a clean build's each time."""
    from ccsite.outputs import calendars, opendata

    made = []
    for module, name in [(calendars, "programme_calendar"), (opendata, "centres_csv"),
                         (opendata, "centres_geojson"), (opendata, "services_page")]:
        def counted(*args, _make=getattr(module, name), _name=name, **kwargs):
            made.append(_name)
            return _make(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)
    incremental_build(site)
    summaries = ["A centre for families in South Oxhey.",
                 "A centre for the families of South Oxhey.",
                 "Families of South Oxhey meet here."]
    for old, new in zip(summaries, summaries[1:]):
        made.clear()
        site.edit("centres/oxhey.md", f"summary: {old}", f"summary: {new}")
        incremental_build(site)
        assert made == ["services_page"]
        assert new in public(site, "data/oruk/services.json")
        assert_same_as_full_build(site)


def test_a_councils_feed_that_walks_a_mapping_in_its_order_shows_the_new_order(site):
    """A site's own feed template may walk a news item's `extra` (front matter free for
    templates) in its order: the same items in another order are an edit the feed shows,
    though every value is as it was."""
    from ccsite.buildinfo import default_templates

    theme_feed = (default_templates() / "atom.xml").read_text(encoding="utf-8")
    (site.root / "templates").mkdir(exist_ok=True)
    (site.root / "templates" / "atom.xml").write_text(theme_feed.replace(
        "<author><name>{{ feed.author }}</name></author>\n",
        "<author><name>{{ feed.author }}</name></author>\n"
        "{% for n in site.news %}{% for k, v in n.extra.items() %}"
        '<category term="{{ k }}-{{ v }}"/>\n{% endfor %}{% endfor %}', 1), encoding="utf-8")
    site.edit("news/centres-open.md", "summary: The network reached its target.\n",
              "summary: The network reached its target.\n"
              "extra:\n  audience: families\n  topic: survey\n")
    incremental_build(site)
    site.edit("news/centres-open.md", "  audience: families\n  topic: survey\n",
              "  topic: survey\n  audience: families\n")
    incremental_build(site)
    feed = public(site, "feed.xml")
    assert feed.index('term="topic-survey"') < feed.index('term="audience-families"')
    assert_same_as_full_build(site)


def test_a_page_record_planted_with_the_values_it_read_does_not_keep_the_page(site):
    """Only a file made by code stands by the values it read (all its reads are seen);
    a page's template may show a field Jinja does not see it read, so a page's record
    that names values (a cache restored from elsewhere) is not believed."""
    import dataclasses
    import json

    from ccsite import incremental
    from ccsite.pipeline import CACHE_FOLDER, MEMORY_FILE

    incremental_build(site)
    path = site.root / CACHE_FOLDER / MEMORY_FILE
    memory = incremental.BuildMemory.read(path)
    record = memory.pages["centres/oxhey/index.html"]
    centre = next(token for token in record.reads
                  if isinstance(token, str) and token.endswith("centres/oxhey.md"))
    name = json.dumps(incremental._exactly(["Oxhey Children's Centre"]), ensure_ascii=False)
    memory.pages["centres/oxhey/index.html"] = dataclasses.replace(
        record, own={centre: (("name",), incremental.digest(name))})
    memory.save(path)
    site.edit("centres/oxhey.md", "summary: A centre for families in South Oxhey.",
              "summary: A centre for the families of South Oxhey.")
    incremental_build(site)
    assert "the families of South Oxhey" in public(site, "centres/oxhey/index.html")
    assert_same_as_full_build(site)


EDITS_SEEN_IN_MADE_FILES = {  # an edit -> the made files that must show it
    "a news title edit changes the news feed": (
        "news/centres-open.md", "title: Centres open", "title: Centres opened",
        lambda site: [("<title>Centres opened</title>", public(site, "feed.xml"))]),
    "an opportunity deadline change changes its calendar and the OCDS file": (
        "opportunities/oxhey-eoi.md", "deadline: 2027-01-29T12:00:00Z",
        "deadline: 2027-02-26T12:00:00Z",
        lambda site: [("DTSTART:20270226T120000Z", public(site, DEADLINE_ICS)),
                      ("2027-02-26", public(site, "data/opportunities.json"))]),
    "a centre's opening date changes the programme's calendar": (
        "centres/oxhey.md", "opening_date: 2007-09-01", "opening_date: 2007-10-01",
        lambda site: [("DTSTART;VALUE=DATE:20071001", public(site, "programme.ics"))]),
    "a centre's phone number changes its Open Referral file and the centres' table": (
        "centres/oxhey.md", '"01632 960002"', '"01632 960099"',
        lambda site: [("01632 960099", (site.output / oruk_service(site)).read_text()),
                      ("01632 960099", public(site, "data/centres.csv"))]),
    "an agency name edit changes the Open Referral files of its centres": (
        "agencies/oxhey-trust.yaml", "name: Oxhey Community Trust",
        "name: Oxhey and District Trust",
        lambda site: [("Oxhey and District Trust",
                       (site.output / oruk_service(site)).read_text())]),
}


@pytest.mark.parametrize("edit", sorted(EDITS_SEEN_IN_MADE_FILES))
def test_an_edit_changes_the_made_files_that_show_it(site, edit):
    path, old, new, shown = EDITS_SEEN_IN_MADE_FILES[edit]
    incremental_build(site)
    site.edit(path, old, new)
    incremental_build(site)
    for text, made in shown(site):
        assert text in made
    assert_same_as_full_build(site)


def test_the_nightly_build_renews_every_calendar_stamped_with_the_day(site):
    incremental_build(site)
    tomorrow = NOW + dt.timedelta(days=1)
    incremental_build(site, tomorrow)
    assert "DTSTAMP:20261126T000000Z" in public(site, DEADLINE_ICS)  # (UK midnight)
    assert_same_as_full_build(site, tomorrow)


def test_a_members_post_title_edit_changes_the_members_search_index(site):
    incremental_build(site)
    site.edit("members/good-practice/dads-group.md", "title: Running a dads' group",
              "title: Running a fathers' group")
    incremental_build(site)
    assert "Running a fathers' group" in (site.output / "members/search-index.json").read_text()
    assert_same_as_full_build(site)


def test_a_members_post_quoting_a_published_page_is_found_though_the_page_is_kept(site):
    """The public page is kept from the last build, known clean against the last build's
    fingerprints: the members edit must make the audit's fingerprints anew and look."""
    site.edit("news/centres-open.md", "See [Oxhey]", f"{PASSAGE} See [Oxhey]")
    incremental_build(site)
    published = public(site, "news/centres-open/index.html")
    site.edit("members/good-practice/dads-group.md", "Members-only body.", PASSAGE)
    with pytest.raises(ContentErrors) as failed:
        incremental_build(site)
    assert "leak: members-only passage" in str(failed.value)
    assert "news/centres-open/index.html" in str(failed.value)
    assert public(site, "news/centres-open/index.html") == published


def test_warnings_of_unchanged_files_are_kept_and_of_edited_files_found_again(site):
    site.edit("centres/oxhey.md", "summary: A centre for families in South Oxhey.\n", "")
    first = [str(w) for w in incremental_build(site).warnings]
    assert any("oxhey.md:1: summary: there is no summary" in w for w in first)
    site.edit("news/centres-open.md", "See [Oxhey]", "See [the old site](http://example.org/)")
    second = [str(w) for w in incremental_build(site).warnings]
    assert any("oxhey.md:1: summary: there is no summary" in w for w in second)  # kept
    assert any("http://example.org/ is not secure" in w for w in second)  # found
    assert second == clean_warnings(site)
    site.edit("centres/oxhey.md", "phone:", "summary: Back again.\nphone:")
    third = [str(w) for w in incremental_build(site).warnings]
    assert not any("oxhey.md:1: summary: there is no summary" in w for w in third)
    assert third == clean_warnings(site)


def test_a_public_edit_pasting_members_text_is_found_by_the_audit_made_when_needed(site):
    """The members content is as at the last build, so the audit starts from what that
    build knew; the edited page is new, so its fingerprints are made and it is searched."""
    site.edit("members/good-practice/dads-group.md", "Members-only body.", PASSAGE)
    incremental_build(site)
    published = public(site, "news/centres-open/index.html")
    site.edit("news/centres-open.md", "See [Oxhey]", f"{PASSAGE} See [Oxhey]")
    LeakSearcher._last = None  # as in the next `ccsite build`, a new process
    with pytest.raises(ContentErrors) as failed:
        incremental_build(site)
    assert "news/centres-open/index.html:" in str(failed.value)  # the page, as rendered
    assert "leak: members-only passage" in str(failed.value)
    assert public(site, "news/centres-open/index.html") == published


@pytest.mark.parametrize("beginning", [LeakSearcher.SHORT, LeakSearcher.LONG])
def test_the_leak_search_finds_each_fingerprint_where_it_starts_first(beginning):
    """The leak search's automaton holds the fingerprints' first characters only
    (audit.LeakSearcher, a few of them or more): it must find every fingerprint, long or
    short, the one that starts first (the longest of those starting there), pass over
    what only starts like one (and go on to find it whole further on), and find a members
    address only whole and as this site's."""
    sentence = "we moved the group to saturday mornings and the numbers tripled"
    needles = [sentence, "sam example", "01632960009", "/members/directory/",
               sentence[:40] + " but then stopped", sentence[:20] + " and so",
               sentence[:20], "moved the"]  # (found first, and starting after the rest)
    addresses = frozenset({"/members/directory/"})
    texts = [f"news: {sentence} that year", f"news: {sentence[:45]} other words",
             "call sam example today", "ring 01632960009", "see /members/directory/.",
             "see example.net/members/directory/ there", "see /members/directory/keys",
             f"both sam example and {sentence}", "nothing at all", "",
             f"first {sentence[:45]} alone, and later {sentence} whole",
             f"{sentence} and sam example", f"{sentence[:20]} and so on",
             f"{sentence[:19]} alone", f"{sentence[:19]}"[3:]]
    searcher = LeakSearcher(needles, addresses, ("cc.example.org",), beginning)
    assert [searcher.first_in(text) for text in texts] == [
        sentence, sentence[:20], "sam example", "01632960009", "/members/directory/",
        None, None, "sam example", None, None, sentence[:20], sentence,
        sentence[:20] + " and so", "moved the", "moved the"]


@pytest.mark.parametrize("beginning", [LeakSearcher.SHORT, LeakSearcher.LONG])
def test_the_leak_search_agrees_with_a_plain_search_of_every_fingerprint(beginning):
    """Thousands of made-up cases, from a few letters so that fingerprints overlap, share
    beginnings and begin inside one another, of the lengths about the automaton's
    (LeakSearcher.SHORT or LONG) and its check's (CHECK): the searcher finds what looking
    for each fingerprint in turn finds, the first to start (the longest there)."""
    import random

    def plain(needles: list[str], text: str) -> str | None:
        found = sorted((text.find(n), -len(n), n) for n in set(needles) if n in text)
        return found[0][2] if found else None

    chance = random.Random(21)
    for _ in range(5000):
        letters = chance.choice(["ab ", "abc ", "a"])
        needles = ["".join(chance.choice(letters) for _ in range(size)) for size in
                   chance.choices([1, 3, 8, 15, 16, 17, 31, 32, 33, 40, 64],
                                  k=chance.randint(1, 8))]
        text = "".join(chance.choice(letters) for _ in range(chance.randint(0, 150)))
        assert LeakSearcher(needles, beginning=beginning).first_in(text) == \
            plain(needles, text), (needles, text)


@pytest.mark.parametrize("count", [0, 1, 4095, 4096, 4097, 8193])
def test_the_fingerprints_are_named_by_the_digest_of_their_texts_one_a_line(count):
    """What names a set of fingerprints (audit.LeakAudit.against: a file found clean
    against it stays clean) is the digest of their texts and the site's prefixes, one a
    line: made a few thousand at a time (400,000 texts at 50,000 documents), it is still
    that digest, so two sets that differ across a few thousand's edge differ."""
    import hashlib

    from ccsite import audit

    texts = [f"members text number {number}" for number in range(count)]
    for prefixes in [(), ("cc.example.org", "/ccsite")]:
        assert audit._against(texts, prefixes) == hashlib.blake2b(
            "\n".join([*texts, *prefixes]).encode(), digest_size=16).hexdigest()


def test_a_file_changed_while_the_audit_gets_ready_is_not_known_clean_by_its_old_status(
        tmp_path):
    """A published file known by its status (a media file) has it taken before the
    searcher is made, and is read after: one changed meanwhile (its leak removed) is
    searched as it now is, but not remembered clean by the status it had, so when the
    leak comes back with that status (a copy that keeps times), it is searched and found."""
    from ccsite import audit
    from ccsite.errors import ErrorList

    media = tmp_path / "notes.txt"
    secret = "the members meet at the old mill every tuesday night to plan the fair"
    leaky = f"public notes: {secret}\n".encode()
    media.write_bytes(leaky)
    status = os.stat(media)
    leaks = audit.LeakAudit([audit.Fingerprint(audit.normalise(secret), "members/x.md",
                                               "passage")])
    clean: dict[str, str] = {}
    ready = leaks.prepare

    def rewritten_meanwhile(texts=0):
        media.write_bytes(b"public notes: nothing members-only here, as it happens, at all\n")
        return ready(texts)
    leaks.prepare = rewritten_meanwhile
    audit.check_leaks({"media/notes.txt": media}, leaks, "public", ErrorList(), clean=clean)
    leaks.prepare = ready
    media.write_bytes(leaky)
    os.utime(media, ns=(status.st_atime_ns, status.st_mtime_ns))
    errors = ErrorList()
    assert audit.check_leaks({"media/notes.txt": media}, leaks, "public", errors,
                             clean=clean) == 1
    assert any("leak" in str(error) for error in errors.errors)


def test_the_leak_audit_texts_kept_in_the_cache_are_used_only_while_they_are_whole(site):
    """A build from the same members content searches with the fingerprints' texts the
    last one kept; a kept file that is not what that build knew (damaged, or emptied by
    someone) is passed over and the fingerprints made again, so the leak is still found."""
    from ccsite import cachefolder
    from ccsite.audit import NEEDLES_FILE, NEEDLES_VERSION

    site.edit("members/good-practice/dads-group.md", "Members-only body.", PASSAGE)
    incremental_build(site)
    kept = site.root / ".ccsite-cache" / NEEDLES_FILE
    texts = cachefolder.read(kept, "leak audit texts", NEEDLES_VERSION)[0]
    assert any(text.startswith(PASSAGE.lower()[:30]) for text in texts)
    cachefolder.write(kept, "leak audit texts", NEEDLES_VERSION, [[], []])
    site.edit("news/centres-open.md", "See [Oxhey]", f"{PASSAGE} See [Oxhey]")
    LeakSearcher._last = None  # as in the next `ccsite build`, a new process
    with pytest.raises(ContentErrors) as failed:
        incremental_build(site)
    assert "news/centres-open/index.html:" in str(failed.value)
    assert "leak: members-only passage" in str(failed.value)


def test_a_document_given_a_slug_sends_its_old_address_on(site):
    """Its file name's address is in bookmarks, other sites' links, its feed entry's id,
    and calendar programs that subscribed to its calendar: each gone without a word when
    a `slug:` moved the page (a data consumer's review). A page there sends the reader
    on, the calendar is there too, and neither is in the sitemap or the search index."""
    incremental_build(site)
    site.edit("centres/oxhey.md", "name:", "slug: oxhey-cc\nname:")
    site.edit("opportunities/oxhey-eoi.md", "title:", "slug: oxhey-lead\ntitle:")
    incremental_build(site)
    public = site.output / "public"
    old = (public / "centres/oxhey/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/centres/oxhey-cc/">' in old
    assert '<link rel="canonical" href="https://cc.example.org/centres/oxhey-cc/">' in old
    assert '<a href="/centres/oxhey-cc/">Oxhey Children&#39;s Centre</a>' in old
    assert (public / "centres/oxhey/sessions.ics").read_bytes() == \
        (public / "centres/oxhey-cc/sessions.ics").read_bytes()
    assert (public / "opportunities/oxhey-eoi/deadline.ics").read_bytes() == \
        (public / "opportunities/oxhey-lead/deadline.ics").read_bytes()
    sitemap = (public / "sitemap.xml").read_text()
    assert "/centres/oxhey-cc/" in sitemap and "/centres/oxhey/<" not in sitemap
    assert "data-pagefind-body" not in old
    assert_same_as_full_build(site)
    site.edit("centres/oxhey.md", "slug: oxhey-cc\n", "")  # moved back: no page sends on
    incremental_build(site)
    assert "This page has moved" not in (public / "centres/oxhey/index.html").read_text()
    assert not (public / "centres/oxhey-cc").exists()
    assert_same_as_full_build(site)


@pytest.mark.parametrize("name", ["members", "admin", "news"])
def test_a_page_named_after_a_section_leaves_nothing_at_that_address(site, name):
    """Told to choose another slug, the editor did: the page's old address was the
    members area's (or the editor's, or the news section's), and a page sending readers
    on was written there, in the public site."""
    site.write(f"pages/{name}.md", f"---\ntitle: About {name}\nslug: {name}-information\n"
               "---\nBody.\n")
    incremental_build(site)
    public = site.output / "public"
    assert "This page has moved" not in "".join(
        p.read_text() for p in public.glob(f"{name}/**/index.html"))
    assert (public / f"{name}-information/index.html").is_file()


def test_a_build_of_the_same_day_does_not_read_the_published_calendars(site, monkeypatch):
    """Each centre's calendar stamped with the build's day: a build of the same day read
    every one (330 at 10,000 documents) to find it the same. The next day's restamps
    them all, as a clean build makes them."""
    import pathlib

    incremental_build(site)
    site.edit("news/centres-open.md", "See [Oxhey]", "See our centre, [Oxhey]")
    read = []
    original = pathlib.Path.read_bytes
    monkeypatch.setattr(pathlib.Path, "read_bytes",
                        lambda self: read.append(self.name) or original(self))
    incremental_build(site)
    assert not [name for name in read if name.endswith(".ics")], read
    monkeypatch.undo()
    tomorrow = NOW + dt.timedelta(days=1)
    incremental_build(site, tomorrow)
    assert "DTSTAMP:20261126T000000Z" in public(site, DEADLINE_ICS)
    assert_same_as_full_build(site, tomorrow)

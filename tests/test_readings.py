"""What each document validated as, kept by a command-line build for the next
(ccsite/readings.py): used only for the very same file under the same site.yaml and media
files, read back exactly, and never believed when it is not what the model declares."""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import shutil

import cbor2
import pytest

from ccsite import incremental, load, readings, validate
from ccsite.config import read_site_config
from ccsite.errors import ErrorList
from test_incremental import NOW, assert_same_as_full_build, incremental_build


def strictly(value):
    """A value as `==` would not see it: each object's type, and each date-time's zone
    and fold (two equal moments in two zones print apart)."""
    kind = type(value)
    if dataclasses.is_dataclass(value):
        return kind.__name__, {name: strictly(each) for name, each in vars(value).items()}
    if kind in (list, tuple):
        return kind.__name__, [strictly(each) for each in value]
    if kind is dict:
        return "dict", [(key, strictly(each)) for key, each in value.items()]
    if kind is dt.datetime:
        return "datetime", value.isoformat(), repr(value.tzinfo), value.fold
    return kind.__name__, repr(value)


def sample_read(tmp_path) -> tuple[load.ContentFolder, dict]:
    """A copy of the sample site's content, loaded and validated: its folder, and what
    each document read as (validate's cache: file -> (document, with, reading))."""
    from conftest import CHECKOUT

    shutil.copytree(CHECKOUT / "content", tmp_path / "content")
    errors = ErrorList()
    folder = load.load(tmp_path / "content", "content", errors)
    config = read_site_config(folder.site, errors)
    cache: dict = {}
    validate.validate(folder, config, validate.BuildOptions(now=NOW), errors, cache=cache)
    assert not errors.errors
    return folder, cache


def test_every_reading_of_the_sample_site_reads_back_exactly(tmp_path):
    """Every kind of document the sample site has (centres with sessions, opportunities
    with outcomes and events, consultations, members' posts, the directory...)."""
    folder, cache = sample_read(tmp_path)
    kinds = set()
    for document in folder.documents:
        reading = cache[document.path][2]
        back = readings.decode(document, readings.encode(document, reading))
        assert strictly(back) == strictly(reading), document.path
        kinds.add(document.kind)
    assert kinds == {"centre", "opportunity", "consultation", "lesson", "news", "page",
                     "agency", "good-practice", "members-page", "directory"}


def test_a_list_of_content_objects_is_known_by_their_keys_in_their_order(tmp_path):
    """What a build compares a value read by a page with (incremental.identity): a
    content object, or a list of them, spelled out without JSON's walk, is the very text
    the walk gives, and another order is another value."""
    import json

    folder, cache = sample_read(tmp_path)
    news = [cache[document.path][2][0] for document in folder.of_kind("news")][:3]

    def walked(value):
        return json.dumps(value, default=incremental._as_json, sort_keys=True,
                          ensure_ascii=False, separators=(",", ":"))
    for value in (news, tuple(news), [*news, "a text"], news[:1], news[0],
                  {"item": news[0], "when": news[0].date}, None, "a text"):
        assert incremental.identity(value) == walked(value)
    assert incremental.identity(news) != incremental.identity(news[::-1])
    assert incremental.identity(news) != incremental.identity(news[:2])


def validated_here(monkeypatch) -> list[str]:
    """The documents the builds of a test validate (rather than read as kept)."""
    done = []
    read = validate._read_document

    def counted(document, *args):
        done.append(document.rel)
        return read(document, *args)
    monkeypatch.setattr(validate, "_read_document", counted)
    return done


def test_a_build_after_one_edit_validates_that_document_only(site, monkeypatch):
    done = validated_here(monkeypatch)
    assert site.build().status == 0
    assert len(done) == 8  # every document (site.yaml is read apart)
    done.clear()
    site.edit("news/centres-open.md", "title: Centres open", "title: All centres open")
    assert site.build().status == 0
    assert done == ["news/centres-open.md"]
    assert "All centres open" in site.text("/news/centres-open/")


def test_a_reading_is_not_kept_across_an_edit_of_site_yaml(site):
    """A service type taken out of site.yaml: the centre that offers it is read again,
    and told, though its own file is as it was."""
    assert site.build().status == 0
    site.edit("site.yaml", "  health: Child and family health services\n", "")
    result = site.build()
    assert result.status == 1
    assert site.shown("centres/oxhey.md") in result.err and "'health'" in result.err


def test_a_reading_is_not_kept_across_a_media_file_removed(site):
    """The opportunity's information pack deleted: the opportunity that links to it is
    read again, and told."""
    assert site.build().status == 0
    site.remove("media/pack.pdf")
    result = site.build()
    assert result.status == 1
    assert f"{site.shown('opportunities/oxhey-eoi.md')}:" in result.err
    assert "'media/pack.pdf' is not a file in content/media/" in result.err


def memory_file(site):
    return site.root / ".ccsite-cache" / "build-memory.cbor"


def tamper(site, change) -> None:
    """Change the build memory on disk as a file planted in the cache folder could."""
    path = memory_file(site)
    memory = incremental.BuildMemory.read(path)
    assert memory.readings
    change(memory)
    memory.save(path)
    assert incremental.BuildMemory.read(path).readings == memory.readings  # as changed


def pages_made_again(site) -> None:
    """Change the templates of the news item's and the centre's pages (a comment), so
    the next build renders them again from what it reads of their documents."""
    from conftest import CHECKOUT

    (site.root / "templates").mkdir(exist_ok=True)
    for name in ("news-item.html", "centre.html"):
        theme = (CHECKOUT / "templates" / name).read_text(encoding="utf-8")
        (site.root / "templates" / name).write_text(theme + "{# made again #}\n",
                                                    encoding="utf-8")


def built_from_what_was_kept(site) -> None:
    """A build that dealt with damage where it found it: not one that failed and was
    made again from nothing (pipeline._build_from_nothing), which would hide it."""
    assert not any(w.field == "cache" for w in incremental_build(site).warnings)


NEWS = "news/centres-open.md"
CENTRE = "centres/oxhey.md"
DAMAGED = {  # what a kept reading may be made to hold, none of which is a reading
    "a title that is a number": (NEWS, lambda data: data[0].__setitem__(
        data[0].index("Centres open"), 42)),
    "a field fewer": (NEWS, lambda data: data[0].pop()),
    "a date written as text": (NEWS, lambda data: data[0].__setitem__(
        data[0].index(dt.date(2008, 4, 1).toordinal()), "2008-04-01")),
    "an address that is text": (CENTRE, lambda data: data[0].__setitem__(
        next(i for i, v in enumerate(data[0]) if isinstance(v, list) and "Watford" in v),
        "1 Bridlington Road")),
    "a draft flag that is text": (NEWS, lambda data: data.__setitem__(1, "no")),
    "not a list": (NEWS, lambda data: data.clear() or data.append({"title": "x"})),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_reading_is_not_believed(site, damage):
    """The document is validated again, and the site is what a clean build makes."""
    assert incremental_build(site).public.is_dir()
    path, change = DAMAGED[damage]

    def damaged(memory):
        shown = str(site.content / path)
        digest, key, data, html = memory.readings[shown]
        data = copy.deepcopy(data)  # (what was read is what the memory saves against)
        change(data)
        memory.readings[shown] = (digest, key, data, html)
    tamper(site, damaged)
    pages_made_again(site)
    built_from_what_was_kept(site)
    assert_same_as_full_build(site)


@pytest.mark.parametrize("planted", [cbor2.dumps([6, "not", "nodes"]), b"\xff not CBOR"])
def test_a_damaged_front_matter_kept_is_parsed_again(site, planted):
    """A document whose reading is not kept (its site.yaml changed, say) needs its front
    matter: kept damaged (not nodes, or not even CBOR), the document is read again from
    its file, all of it."""
    incremental_build(site)
    shown = str(site.content / NEWS)

    def damaged(memory):
        memory.readings.pop(shown)
        digest, document = memory.parsed[shown]
        document = copy.copy(document)
        document.__dict__.update(_root=planted, front_matter="title: Planted\n",
                                 body="Planted.")  # what the file does not say
        memory.parsed[shown] = (digest, document)
    tamper(site, damaged)
    pages_made_again(site)
    built_from_what_was_kept(site)
    assert_same_as_full_build(site)


def test_readings_are_kept_for_the_documents_of_the_site_only(site):
    incremental_build(site)
    site.remove("lessons/more-time.md")
    incremental_build(site)
    kept = incremental.BuildMemory.read(memory_file(site)).readings
    assert str(site.content / "lessons/more-time.md") not in kept
    assert str(site.content / NEWS) in kept
    assert_same_as_full_build(site, NOW)


def conversions(monkeypatch) -> tuple[list[str], list[int]]:
    """The bodies the builds of a test convert to HTML, and each read of the cache of
    converted bodies (bodies.py)."""
    from ccsite import bodies

    converted, reads = [], []
    convert, read = bodies.BodyRenderer._convert, bodies._read_cache

    def counted(self, text):
        converted.append(text)
        return convert(self, text)

    def read_counted(path):
        reads.append(1)
        return read(path)
    monkeypatch.setattr(bodies.BodyRenderer, "_convert", counted)
    monkeypatch.setattr(bodies, "_read_cache", read_counted)
    return converted, reads


def test_a_build_after_a_body_edit_converts_that_body_without_reading_the_cache(
        site, monkeypatch):
    """The other bodies' HTML comes with their readings: the cache of converted bodies
    (tens of megabytes on a large site) is neither read nor written."""
    converted, reads = conversions(monkeypatch)
    incremental_build(site)
    assert len(converted) == 7 and reads == [1]
    cache = site.root / ".ccsite-cache" / "markdown.cbor"
    before = cache.stat().st_mtime_ns
    converted.clear(), reads.clear()
    site.edit(NEWS, "See [Oxhey]", "Visit [Oxhey]")
    incremental_build(site)
    assert converted == ["Visit [Oxhey](/centres/oxhey/).\n"] and reads == []
    assert cache.stat().st_mtime_ns == before
    assert_same_as_full_build(site)


CONSULTATION = "consultations/oxhey-2019.md"
CONSULTATION_MD = """\
---
title: The future of Oxhey Children's Centre
summary: We asked families how the centre's services should continue.
opens: 2019-01-14T09:00:00Z
closes: 2019-03-08T17:00:00Z
respond:
  email: childrens.centres@example.org
centres:
  - oxhey
outcome:
  date: 2019-04-26
  summary: 212 people responded.
  body: |
    **You said** that most families walk to the centre.
---
We asked families how the centre's services should continue.
"""
FRONT_MATTER_EDITS = {  # file, what is replaced, by what: none of it Markdown
    "a news item's title": (NEWS, "title: Centres open", "title: All centres open"),
    "a consultation's title, with an outcome": (
        CONSULTATION, "title: The future of", "title: What next for"),
    "an agency's website": ("agencies/oxhey-trust.yaml", "https://example.org/",
                            "https://example.org/trust/"),
}


@pytest.mark.parametrize("edit", sorted(FRONT_MATTER_EDITS))
def test_an_edit_of_front_matter_only_converts_no_markdown(site, monkeypatch, edit):
    """The document is validated again, and its bodies' HTML is the last build's: each
    body (a consultation's outcome too, an agency's "about") is the very same text."""
    site.write(CONSULTATION, CONSULTATION_MD)
    converted, reads = conversions(monkeypatch)
    incremental_build(site)
    converted.clear(), reads.clear()
    site.edit(*FRONT_MATTER_EDITS[edit])
    built_from_what_was_kept(site)
    assert converted == [] and reads == []
    assert_same_as_full_build(site)
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")  # kept for the next too
    converted.clear()
    incremental_build(site)
    assert converted == ["Body, edited.\n"]
    assert_same_as_full_build(site)


def test_a_front_matter_edit_under_a_new_base_address_converts_its_markdown_again(site):
    """The HTML kept was made under a reading key (here the base address, which a body's
    links are made under): site.yaml changed in the same build, the edited document's
    body is converted again, and links under the new address."""
    incremental_build(site)
    site.edit("site.yaml", "base_url: https://cc.example.org/",
              "base_url: https://cc.example.org/centres-site/")
    site.edit(NEWS, "title: Centres open", "title: All centres open")
    incremental_build(site)
    assert 'href="/centres-site/centres/oxhey/"' in site.page("/news/centres-open/")
    assert_same_as_full_build(site)


def test_html_kept_for_other_bytes_of_an_edited_file_is_not_taken(site):
    """The HTML kept is taken only with the reading of the very bytes the last build read
    (a memory whose two parts disagree, as a planted one can, is not believed)."""
    incremental_build(site)
    shown = str(site.content / NEWS)

    def other_bytes(memory):
        _, key, data, _ = memory.readings[shown]
        memory.readings[shown] = ("0" * 32, key, data, ["<p>Planted.</p>"])
    tamper(site, other_bytes)
    site.edit(NEWS, "title: Centres open", "title: All centres open")
    built_from_what_was_kept(site)
    assert "Planted." not in site.page("/news/centres-open/")
    assert_same_as_full_build(site)


@pytest.mark.parametrize("body", ["the outcome", "the consultation"])
def test_a_body_edited_with_the_front_matter_is_converted_again(site, monkeypatch, body):
    site.write(CONSULTATION, CONSULTATION_MD)
    converted, _ = conversions(monkeypatch)
    incremental_build(site)
    converted.clear()
    site.edit(CONSULTATION, "title: The future of", "title: What next for")
    site.edit(CONSULTATION, *{"the outcome": ("most families walk", "most families drive"),
                              "the consultation": ("\nWe asked", "\nWe asked you and")}[body])
    incremental_build(site)
    assert len(converted) == 2  # (both bodies of the document: none is taken as before)
    assert_same_as_full_build(site)
    assert ("drive" if body == "the outcome" else "We asked you and") in \
        site.page("/consultations/oxhey-2019/")


def test_bodies_kept_with_their_readings_follow_a_new_markdown(site, monkeypatch):
    """Markdown (or nh3) upgraded: every body is converted again, not taken as kept."""
    from ccsite import bodies

    incremental_build(site)
    convert = bodies.BodyRenderer._convert
    monkeypatch.setattr(bodies, "_library_versions", lambda: "a newer Markdown")
    monkeypatch.setattr(bodies.BodyRenderer, "_convert",
                        lambda self, text: convert(self, text) + "<p>As converted anew.</p>")
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    incremental_build(site)
    for url in ("/news/centres-open/", "/centres/oxhey/", "/lessons/more-time/"):
        assert "As converted anew." in site.page(url), url
    assert_same_as_full_build(site)


def test_a_document_that_comes_in_by_its_publish_date_shows_its_body(site):
    """Left out of one build (its publish_date to come), its body was not rendered then:
    the next build, when it is published, with the file as it was, renders it."""
    site.write("news/later.md", "---\ntitle: Later\ndate: 2026-11-20\nsummary: Soon.\n"
               "publish_date: 2026-12-01T09:00:00Z\n---\nWords for later.\n")
    incremental_build(site)
    assert not (site.output / "public/news/later").exists()
    later = dt.datetime(2026, 12, 2, 12, tzinfo=dt.timezone.utc)
    incremental_build(site, later)
    assert "Words for later." in site.page("/news/later/")
    assert_same_as_full_build(site, later)


@pytest.mark.parametrize("html", [None, "<p>text</p>", ["<p>one</p>", "<p>two</p>"], [3]])
def test_damaged_bodies_kept_with_a_reading_are_converted_again(site, html):
    incremental_build(site)
    shown = str(site.content / NEWS)

    def damaged(memory):
        digest, key, data, _ = memory.readings[shown]
        memory.readings[shown] = (digest, key, data, html)
    tamper(site, damaged)
    pages_made_again(site)
    built_from_what_was_kept(site)
    assert_same_as_full_build(site)


def test_a_markdown_upgrade_is_a_change_to_build(site, monkeypatch, tmp_path):
    """Nothing of the site changed but Markdown (its files stand in a folder here): the
    build is not up to date."""
    from ccsite import uptodate

    library = tmp_path / "markdown"
    library.mkdir()
    (library / "__init__.py").write_text("__version__ = '3.7'\n")
    monkeypatch.setattr(uptodate, "libraries_read_by_builds",
                        lambda: {"library markdown": library})
    incremental_build(site)
    assert incremental_build(site).up_to_date
    (library / "__init__.py").write_text("__version__ = '3.8'\n")
    assert not incremental_build(site).up_to_date


def test_the_cache_of_converted_bodies_never_grows_far_beyond_the_site(site):
    """Builds whose other bodies' HTML is kept add what they convert to the cache without
    pruning it (see bodies.BodyRenderer.save); grown a quarter beyond the site's bodies,
    it is pruned to them."""
    from ccsite import bodies

    for number in range(40):
        site.write(f"news/item-{number}.md", f"---\ntitle: Item {number}\ndate: 2010-01-"
                   f"{number % 28 + 1:02}\nsummary: Item.\n---\nWords of item {number}.\n")
    incremental_build(site)
    cache = site.root / ".ccsite-cache" / bodies.CACHE_FILE
    site_bodies = len(bodies._read_cache(cache))
    sizes = []
    for edit in range(6):  # each converts 40 bodies, more than FEW
        for number in range(40):
            site.edit(f"news/item-{number}.md", f"Words of item {number}",
                      f"Words of item {number}, edit {edit}")
        incremental_build(site)
        sizes.append(len(bodies._read_cache(cache)))
    assert max(sizes) <= site_bodies + site_bodies // 4 + 40 + bodies.BodyRenderer.FEW
    assert min(sizes) == site_bodies  # pruned
    assert_same_as_full_build(site)


def test_a_planted_reading_no_file_could_give_makes_a_build_from_the_start(site):
    """A centre's status no file could have (the validator allows planned, open, closed):
    of the right type, it is read back, and the open data cannot say it. The build is
    made again from nothing, the same as a clean one, with a warning; so is the next."""
    incremental_build(site)
    shown = str(site.content / CENTRE)

    def planted(memory):
        digest, key, data, html = memory.readings[shown]
        data = copy.deepcopy(data)
        data[0][data[0].index("open")] = "bogus"
        memory.readings[shown] = (digest, key, data, html)
    tamper(site, planted)
    pages_made_again(site)
    result = incremental_build(site)
    assert any(w.field == "cache" and "KeyError: 'bogus'" in w.message
               for w in result.warnings)
    assert_same_as_full_build(site)
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    assert not any(w.field == "cache" for w in incremental_build(site).warnings)
    assert_same_as_full_build(site)


def kept_fields(kind) -> list[str]:
    """The fields of a model class a reading keeps, in order (see readings._coder)."""
    return [f.name for f in dataclasses.fields(kind) if not f.metadata.get("derived")
            and f.name not in ("body", "source")]


@pytest.mark.parametrize("planted", ["NaN", "Infinity", "1E+400", "-sNaN"])
def test_a_kept_number_no_file_could_give_is_not_believed(tmp_path, planted):
    """A sum of money or a place's latitude that is not a finite number: the reading is
    not used (the document is validated), where `£NaN` would have been published."""
    from ccsite import model

    folder, cache = sample_read(tmp_path)
    planted_in = []
    for document in folder.documents:
        reading = cache[document.path][2]
        data = readings.encode(document, reading)
        item = reading[0] if isinstance(reading, tuple) else None
        if isinstance(item, model.Opportunity) and item.value is not None:
            data[0][kept_fields(model.Opportunity).index("value")][0] = planted
        elif isinstance(item, model.Centre) and item.location is not None:
            data[0][kept_fields(model.Centre).index("location")][0] = \
                float(planted.replace("sNaN", "NaN"))
        else:
            continue
        planted_in.append(document.kind)
        with pytest.raises(ValueError):
            readings.decode(document, data)
    assert {"opportunity", "centre"} <= set(planted_in)

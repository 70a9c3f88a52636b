"""The cache folder beside content/ (cachefolder.py): its owner's alone, data that cannot
run code, and anything in it that is not what this ccsite wrote makes a cold build that
gives the same site, never a traceback."""
from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import shutil
import stat

import pytest

from ccsite import bodies, cachefolder, incremental
from ccsite.bodies import CACHE_FILE as BODIES_CACHE_FILE
from ccsite.pipeline import CACHE_FOLDER, MEMORY_FILE, STAMP_FILE, build
from ccsite.validate import BuildOptions

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def clean_snapshot(site, tmp_path) -> dict[str, str]:
    """The same content built from nothing: its own copy, cache and output folder."""
    from conftest import FixtureSite

    shutil.copytree(site.content, tmp_path / "clean" / "content")
    clean = FixtureSite.__new__(FixtureSite)
    clean.root, clean.content = tmp_path / "clean", tmp_path / "clean" / "content"
    clean.output, clean._capsys = tmp_path / "clean" / "_site", site._capsys
    assert clean.build().status == 0
    return clean.snapshot()


def test_cache_folder_and_its_files_are_the_build_users_alone(site):
    from test_uptodate import settle

    settle(site)  # so the build keeps a stamp too
    cache = site.root / CACHE_FOLDER
    cache.mkdir(mode=0o777)  # as an older ccsite (or a umask of 000) left it
    os.chmod(cache, 0o777)
    (cache / BODIES_CACHE_FILE).write_text("{}")
    os.chmod(cache / BODIES_CACHE_FILE, 0o666)
    (cache / "kept-by-an-older-ccsite.json").write_text("{}")  # not written again
    os.chmod(cache / "kept-by-an-older-ccsite.json", 0o644)
    assert site.build().status == 0
    assert mode(cache) == 0o700
    files = [path for path in cache.rglob("*")]
    assert {path.name for path in files} >= {MEMORY_FILE, STAMP_FILE, BODIES_CACHE_FILE}
    assert all(path.is_file() and mode(path) == 0o600 for path in files), \
        {path.name: oct(mode(path)) for path in files}


def test_a_cache_folder_another_user_made_is_done_without(site, tmp_path):
    """A self-hosted CI runner whose last job ran as another user (root in a container)
    left the cache folder, readable by that user alone, as ccsite makes it: the build
    cannot look into it, and makes the site whole without it (as it does without any
    cache it cannot read), where it stopped, blaming the output."""
    import subprocess
    import sys

    assert site.build().status == 0
    cache = site.root / CACHE_FOLDER
    if os.geteuid() == 0:  # root, without its power to look into any folder
        for path in (cache, *cache.rglob("*")):
            os.chown(path, 1234, 1234)
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
    else:  # a folder this user may not look into
        os.chmod(cache, 0)
        command = []
    try:
        done = subprocess.run(
            [*command, sys.executable, "-m", "ccsite", "build", "--source", str(site.content),
             "--output", str(tmp_path / "built"), "--now", NOW.isoformat(), "--quiet"],
            capture_output=True, text=True)
    finally:
        os.chmod(cache, 0o700)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "built/public/index.html").is_file()
    if command:  # (each build is whole: the web team is told why, and what to do)
        assert "Note: what this build knows could not be kept" in done.stderr
    assert "Note:" not in site.build().err  # (the folder made the build user's: kept)


def test_a_cache_folder_opened_or_added_to_between_builds_of_one_process_is_made_private_again(
        site):
    """A process remembers the folders it made private (cachefolder.make_private), as the
    preview server builds again and again: a folder opened to all since, or given a file
    an older ccsite keeps (members text in clear), is looked at again and put right."""
    from test_uptodate import settle

    settle(site)
    assert site.build().status == 0
    cache = site.root / CACHE_FOLDER
    os.chmod(cache, 0o755)  # opened to all (the files were written 0600 already)
    os.chmod(cache / MEMORY_FILE, 0o644)
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    assert site.build().status == 0
    assert mode(cache) == 0o700 and mode(cache / MEMORY_FILE) == 0o600
    (cache / "markdown.json").write_text("{}")  # the folder still 0700: only added to
    site.edit("lessons/more-time.md", "Body, edited.", "Body, edited again.")
    assert site.build().status == 0
    assert not (cache / "markdown.json").exists()


def test_a_cache_folder_opened_while_it_was_made_private_is_not_remembered_as_private(
        tmp_path, monkeypatch):
    """Another process may open the folder between the look that made it private and the
    one this process remembers it by: a folder not its owner's alone is never
    remembered, so the next look puts it right."""
    folder = tmp_path / "cache"
    make_private = cachefolder._make_private

    def opened_meanwhile(path):
        made = make_private(path)
        os.chmod(path, 0o755)
        return made

    monkeypatch.setattr(cachefolder, "_make_private", opened_meanwhile)
    assert cachefolder.make_private(folder)
    monkeypatch.setattr(cachefolder, "_make_private", make_private)
    assert cachefolder.make_private(folder)
    assert mode(folder) == 0o700


class Planted:
    """A pickle that, when unpickled, makes a folder: the sign that it ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _old_template_cache_names(site) -> list[str]:
    """Where ccsite before version 10 of the build memory kept compiled templates (Jinja's
    bytecode cache: a pickle, then code): one file per template of the theme."""
    import hashlib

    import jinja2

    from ccsite import render

    address = hashlib.blake2b(b"https://cc.example.org/", digest_size=6).hexdigest()
    root = render.default_templates()
    names = []
    for path in root.rglob("*.html"):
        name = path.relative_to(root).as_posix()
        key = jinja2.BytecodeCache().get_cache_key(name, os.path.normpath(str(path)))
        names.append(f"__jinja2_{key}_{address}.cache")
    return names


def test_a_planted_pickle_is_never_run(site, tmp_path):
    """At the names older versions read (build memory, stamp, compiled templates) and at
    the new ones: the build goes on as from nothing, and the pickle never runs."""
    import jinja2.bccache

    marker = tmp_path / "the-pickle-ran"
    payload = pickle.dumps(Planted(marker))
    cache = site.root / CACHE_FOLDER
    (cache / "jinja").mkdir(parents=True)
    for name in ["build-memory.pickle", "build-stamp.pickle", MEMORY_FILE, STAMP_FILE,
                 "markdown.json"]:
        (cache / name).write_bytes(payload)
    for name in _old_template_cache_names(site):
        (cache / "jinja" / name).write_bytes(jinja2.bccache.bc_magic + payload)
    assert site.build().status == 0
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    assert site.build().status == 0
    assert not marker.exists()
    assert site.snapshot() == clean_snapshot(site, tmp_path)
    # what older versions left, members text in clear among it, is gone
    assert not any((cache / name).exists()
                   for name in ("build-memory.pickle", "build-stamp.pickle", "jinja",
                                "markdown.json"))


def _rewritten(kind: str, version: str, change) -> callable:
    """A damage that keeps the file's header and CBOR and changes what it says."""
    import cbor2

    def damage(data: bytes) -> bytes:
        found = cbor2.loads(data[len(cachefolder.MAGIC):])
        return cachefolder.MAGIC + cbor2.dumps([found[0], version, change(found[2])])
    return damage


MEMORY, STAMP = ("build memory", incremental.BuildMemory.version), ("build stamp", None)
BODIES = (bodies.CACHE_KIND, bodies.CACHE_VERSION)


def _stamp_version() -> str:
    from ccsite import uptodate

    return uptodate.Stamp.version


# file, damage, whether a content file is edited too (else the stamp, when good, stops
# the build before the memory is read)
CORRUPTIONS = {
    "memory cut short": (MEMORY_FILE, lambda data: data[: len(data) // 2], True),
    "memory of random bytes": (MEMORY_FILE, lambda data: os.urandom(len(data)), True),
    "memory of an older version": (
        MEMORY_FILE, _rewritten(*MEMORY[:1], "0.1.0/9", lambda data: data), True),
    "memory of the right version but another layout": (
        MEMORY_FILE, _rewritten(*MEMORY, lambda data: {"pages": {"x": [1, 2]}}), True),
    "memory with a value of the wrong kind": (
        MEMORY_FILE, _rewritten(*MEMORY, lambda data: {
            **data, "outputs": {**data["outputs"], "public": {"index.html": 5}}}), True),
    "stamp cut short": (STAMP_FILE, lambda data: data[:-7], True),
    "stamp of random bytes": (STAMP_FILE, lambda data: os.urandom(len(data)), False),
    "stamp whose summary is of another shape": (
        STAMP_FILE, lambda data: _rewritten("build stamp", _stamp_version(), lambda stamp: {
            **stamp, "summary": {**stamp["summary"], "pages": 3}})(data), False),
    # (believed, such a status never matches a file's, and "up to date" would rest on
    # the digests read again: a stamp not of the kind a build writes is none at all)
    "stamp whose files' status is text": (
        STAMP_FILE, lambda data: _rewritten("build stamp", _stamp_version(), lambda stamp: {
            **stamp, "inputs": {path: [now and [str(number) for number in now], digest]
                                for path, (now, digest) in stamp["inputs"].items()}})(data),
        False),
    "markdown cache with values of the wrong kind": (BODIES_CACHE_FILE, _rewritten(
        *BODIES, lambda bodies: {key: [1] for key in bodies}), True),
    "markdown cache of another version": (BODIES_CACHE_FILE, _rewritten(
        BODIES[0], "0", lambda bodies: bodies), True),
    "markdown cache cut short": (BODIES_CACHE_FILE, lambda data: data[:-3], True),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_damaged_cache_file_gives_a_correct_cold_build(site, tmp_path, corruption):
    from test_uptodate import settle

    name, damage, edit = CORRUPTIONS[corruption]
    settle(site)
    assert site.build().status == 0
    if edit:
        site.edit("centres/oxhey.md", "phase: 2", "phase: 3")
    path = site.root / CACHE_FOLDER / name
    path.write_bytes(damage(path.read_bytes()))
    result = site.build()
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    assert "Nothing has changed" not in result.out
    assert site.snapshot() == clean_snapshot(site, tmp_path)


def _part_file(cache, part: str):
    """The one file of a small site's build memory part (see incremental.BuildMemory.save)."""
    files = sorted(cache.glob(f"{incremental.PART_FILE}.{part}.*.cbor"))
    assert len(files) == 1, files
    return files[0]


def _part_rewritten(change):
    """A damage to a part that keeps its header (kind and version) and changes its data."""
    import cbor2

    def damage(part, path) -> None:
        found = cbor2.loads(path.read_bytes()[len(cachefolder.MAGIC):])
        path.write_bytes(cachefolder.encode(found[0], found[1], change(found[2])))
    return damage


def _in_place_of(other: str):
    def damage(part, path) -> None:
        path.write_bytes(_part_file(path.parent, other).read_bytes())
    return damage


PART_DAMAGES = {  # part of the build memory -> what is done to its file
    "a part's file removed": ("pages", lambda part, path: path.unlink()),
    "a part cut short": ("parsed", lambda part, path: path.write_bytes(
        path.read_bytes()[:-9])),
    "a part of random bytes": ("seen_files", lambda part, path: path.write_bytes(
        os.urandom(path.stat().st_size))),
    "a part holding another part": ("leak_clean", _in_place_of("public_mentions")),
    "a part with a value of the wrong kind": ("pages", _part_rewritten(
        lambda pages: [pages[0], {path: [*record[:3], 5, record[4]]
                                  for path, record in pages[1].items()}])),
    "page records naming templates by numbers": ("pages", _part_rewritten(
        lambda pages: [pages[0], {path: [*record[:2], {name: 5 for name in record[2]},
                                         *record[3:]] for path, record in pages[1].items()}])),
    "page records whose bodies are a number": ("pages", _part_rewritten(
        lambda pages: [pages[0], {path: [*record[:4], 0, *record[5:]]
                                  for path, record in pages[1].items()}])),
    "a page record naming a read its part does not hold": ("pages", _part_rewritten(
        lambda pages: [pages[0], {path: [record[0], [*record[1], len(pages[0])], *record[2:]]
                                  for path, record in pages[1].items()}])),
    "a part's document of the wrong kind": ("parsed", _part_rewritten(
        lambda parsed: {key: [document[0], 7, *document[2:]]
                        for key, document in parsed.items()})),
}


@pytest.mark.parametrize("damage", sorted(PART_DAMAGES))
def test_a_damaged_part_of_the_build_memory_gives_a_correct_build(site, tmp_path, damage):
    """The build memory is kept in parts, each named by the table of contents: one
    missing, damaged or not what the table says is not read as the memory (the build
    is made as from nothing, never with a traceback), and the next build keeps all again."""
    part, spoil = PART_DAMAGES[damage]
    assert site.build().status == 0
    site.edit("centres/oxhey.md", "phase: 2", "phase: 3")
    spoil(part, _part_file(site.root / CACHE_FOLDER, part))
    result = site.build()
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    assert site.snapshot() == clean_snapshot(site, tmp_path)
    memory = incremental.BuildMemory.read(site.root / CACHE_FOLDER / MEMORY_FILE)
    assert memory.pages and memory.parsed and memory.stored  # kept whole again


def test_a_part_kept_in_pieces_keeps_each_key_in_its_own_piece(tmp_path, monkeypatch):
    """A part big enough to be kept in several pieces, saved again after keys came, went
    and changed: each piece holds just the keys whose hash names it (a key read from a
    piece is not hashed again, see incremental._split), and it reads back as saved."""
    monkeypatch.setattr(incremental, "KEYS_PER_SHARD", 4)
    memory_file = tmp_path / MEMORY_FILE
    memory = incremental.BuildMemory()
    memory.leak_clean = {f"file-{i}": "against" for i in range(40)}
    memory.save(memory_file)
    again = incremental.BuildMemory.read(memory_file)
    for i in range(0, 40, 3):
        del again.leak_clean[f"file-{i}"]
    again.leak_clean.update({f"new-{i}": "other" for i in range(8)}, **{"file-1": "changed"})
    again.save(memory_file)
    last = incremental.BuildMemory.read(memory_file)
    assert last.leak_clean == again.leak_clean
    pieces = last.stored["leak_clean"]
    assert len(pieces) == 8
    for file, piece in pieces:
        index = int(file.split(".")[2])
        assert piece and all(incremental._shard_of(key, 8) == index for key in piece)
    planted = {**pieces[5][1], **pieces[2][1]}  # a piece's file holding another's keys too
    (tmp_path / pieces[5][0]).write_bytes(cachefolder.encode(
        incremental._part_kind("leak_clean", 5, 8), incremental.BuildMemory.version, planted))
    doubled = incremental.BuildMemory.read(memory_file)
    assert sum(len(piece) for _, piece in doubled.stored["leak_clean"]) > len(last.leak_clean)
    doubled.leak_clean[next(iter(pieces[5][1]))] = "changed"
    doubled.save(memory_file)
    pieces = incremental.BuildMemory.read(memory_file).stored["leak_clean"]
    assert sum(len(piece) for _, piece in pieces) == len(doubled.leak_clean)  # once each


def test_members_posts_fingerprints_are_read_when_used_and_kept_when_not(site):
    """The members posts' fingerprints (a lazy part) are read only when the leak audit's
    are made again; a memory saved without them keeps their files, which read back the
    same."""
    assert site.build().status == 0
    memory_file = site.root / CACHE_FOLDER / MEMORY_FILE
    memory = incremental.BuildMemory.read(memory_file)
    assert "post_fingerprints" in memory.unread
    memory.save(memory_file)  # never used: kept as it was
    again = incremental.BuildMemory.read(memory_file)
    kept = again.post_fingerprints  # read now
    assert kept and "post_fingerprints" not in again.unread
    assert kept == incremental.BuildMemory.read(memory_file).post_fingerprints


def test_a_public_edit_leaves_the_members_fingerprints_unread(site):
    """What the last build had in members/ is looked for only where the fingerprints are
    made again: a public edit reads none of them (11 MB at 10,000 documents)."""
    assert site.build().status == 0
    memory = incremental.BuildMemory.read(site.root / CACHE_FOLDER / MEMORY_FILE)
    site.edit("news/centres-open.md", "See [Oxhey]", "See our centre, [Oxhey]")
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert "post_fingerprints" in memory.unread


def test_a_damaged_file_of_members_fingerprints_is_made_again_and_still_finds_a_leak(site):
    """A lazy part is read in the middle of a build: one damaged there reads as none (its
    fingerprints are made again), never a traceback, and the leak audit still works."""
    site.write("members/good-practice/rota.md", "---\ntitle: Our volunteer rota\nauthor: "
               "Sam Example\nagency: oxhey-trust\ndate: 2009-05-02\nsummary: How.\n---\n"
               "We pair every new volunteer with a named buddy for their first six weeks.\n")
    assert site.build().status == 0
    part = _part_file(site.root / CACHE_FOLDER, "post_fingerprints")
    part.write_bytes(os.urandom(part.stat().st_size))
    site.edit("members/good-practice/dads-group.md", "Members-only body.", "Another body.")
    site.edit("news/centres-open.md", "See [Oxhey]", "We pair every new volunteer with a "
              "named buddy for their first six weeks. See [Oxhey]")
    result = site.build()
    assert result.status == 1, result.out
    assert "Traceback" not in result.err
    assert re.search(r"/news/centres-open/index\.html:\d+: leak: members-only passage from "
                     + re.escape(f"{site.content}/members/good-practice/rota.md"),
                     result.err), result.err


def test_the_build_memory_parts_an_edit_changed_are_written_while_the_search_index_is_made(
        site, monkeypatch):
    """A command-line build would only wait while Pagefind makes the search index: the
    parts of its memory that changed are written then (stages._while_indexing), and
    after it only those changed since and the table of contents naming them. The parts
    are files of their own, named by their bytes, so the memory on disk is still the old
    one until the table is swapped in (killed meanwhile: see test_interrupted.py)."""
    from ccsite import stages

    assert site.build().status == 0
    cache = site.root / CACHE_FOLDER
    before = {path.name for path in cache.iterdir()}
    table = (cache / MEMORY_FILE).read_bytes()
    while_indexing: list[set[str]] = []
    audit_index = stages._audit_index

    def looked_at_while_indexing(b, made, root, files):
        while_indexing.append({path.name for path in cache.iterdir()})
        assert (cache / MEMORY_FILE).read_bytes() == table  # still the old memory
        return audit_index(b, made, root, files)

    monkeypatch.setattr(stages, "_audit_index", looked_at_while_indexing)
    site.edit("news/centres-open.md", "See [Oxhey]", "Opening hours are longer. See [Oxhey]")
    assert site.build().status == 0
    assert while_indexing, "no search index bundle was made"
    written = {file for shards in incremental.BuildMemory.read(cache / MEMORY_FILE)
               .stored.values() for file, _ in shards} - before
    readings = {file for file in written if file.startswith(f"{incremental.PART_FILE}"
                                                            ".readings.")}
    assert readings, written  # the edited document's reading changed
    assert readings <= while_indexing[0], "written only after the search index was made"


def test_a_first_build_that_fails_late_is_not_made_again_as_if_a_cache_were_to_blame(
        site, monkeypatch):
    """A build with no memory to read that fails after its memory's parts were written
    (while the search index was made: a disk full as the members area is written) is
    reported as it failed, once: not built a second time from nothing with a warning
    that blames what a last build kept (there was none)."""
    import errno

    from ccsite import write

    real, tries = write.write_root, []

    def disk_full_for_members(output, root, *args, **kwargs):
        if root == "members":
            tries.append(root)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(output / root))
        return real(output, root, *args, **kwargs)

    monkeypatch.setattr(write, "write_root", disk_full_for_members)
    assert not (site.root / CACHE_FOLDER).exists()
    result = site.build()
    assert result.status == 1, result.out
    assert "No space left on device" in result.err and "Traceback" not in result.err
    assert "could not be used" not in result.err + result.out
    assert tries == ["members"]  # built once


def test_the_build_memory_reads_back_as_the_build_left_it(site, tmp_path):
    """Every value kept on disk comes back equal and of the same type (sets as sets,
    signatures and keys as tuples), or the next build would not find what it kept."""
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    memory.save(tmp_path / "memory.cbor")
    again = incremental.BuildMemory.read(tmp_path / "memory.cbor")
    kept = incremental.BuildMemory.kept_fields()
    assert memory.pages and memory.parsed and memory.post_fingerprints and \
        memory.public_mentions and memory.seen_files and memory.seen_values
    for name in kept:
        assert getattr(again, name) == getattr(memory, name), name
        assert type(getattr(again, name)) is type(getattr(memory, name)), name
    assert [type(key) for key in again.seen_values] == [tuple] * len(again.seen_values)
    assert all(type(signature) is str for signature, _ in again.parsed.values())
    assert memory.file_digests and memory.source_digests
    assert all(type(entry) is tuple and (entry[0] is None or type(entry[0]) is tuple)
               for entry in [*again.file_digests.values(), *again.source_digests.values()])
    # kept elsewhere, what was read is written whole there, not named as it was here
    again.save(tmp_path / "elsewhere" / "memory.cbor")
    moved = incremental.BuildMemory.read(tmp_path / "elsewhere" / "memory.cbor")
    assert all(getattr(moved, name) == getattr(memory, name) for name in kept)


def test_yaml_values_read_back_from_the_cache_as_parsed():
    """A parsed document's values, kept and read back: dates and times with their offset
    or none, a date that is not one, numbers of any size, a value left empty by a '#'."""
    import cbor2

    from ccsite.yamlnodes import node_from_data, node_to_data, parse_yaml

    text = ("a: 2027-01-29T12:00:00+01:00\nb: 2027-01-29 12:00:00\nc: 2027-01-29T12:00:00Z\n"
            "d: 2006-02-30\ne: 123456789012345678901234567890\nf: #1 in the county\n"
            "g: [1, 2.5, true, null, '2027-01-29', {h: x}]\n")
    parsed = parse_yaml(text)
    again = node_from_data(cbor2.loads(cbor2.dumps(node_to_data(parsed))))
    assert again == parsed
    for key, node in parsed.value.items.items():
        value = again.value.items[key].value
        assert type(value) is type(node.value), key
        assert getattr(value, "tzinfo", None) == getattr(node.value, "tzinfo", None), key


def test_compiled_templates_kept_by_the_preview_server_follow_a_new_base_url(site):
    """`ccsite serve` keeps compiled templates in its memory (never on disk); what they
    worked out when compiled (`'/assets/style.css'|url`) must follow base_url all the same."""
    memory = incremental.BuildMemory()
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    assert memory.compiled  # kept, so the next build compiles nothing again
    site.edit("site.yaml", "https://cc.example.org/", "https://example.org/children/")
    build(site.content, site.output, BuildOptions(now=NOW), memory=memory)
    page = site.page("/news/centres-open/")
    assert 'href="/children/assets/style.css' in page and 'href="/assets/' not in page
    assert not list((site.root / CACHE_FOLDER).rglob("*.cache"))


def test_a_later_build_of_the_process_compiles_only_the_templates_changed_since(
        site, monkeypatch):
    """A process that builds again (a test run, a program that embeds ccsite) keeps the
    templates it compiled, in its memory only: a cold build of the same site then parses
    no template, forks no helper to compile them, and makes the same pages; a template
    saved since is compiled again, as it now is."""
    monkeypatch.setattr(incremental, "COMPILED_IN_THIS_PROCESS", {})
    assert site.build().status == 0
    first = site.snapshot()
    parses, forks = compiles_and_forks(monkeypatch)
    shutil.rmtree(site.output)
    shutil.rmtree(site.root / CACHE_FOLDER)
    assert site.build().status == 0
    assert (parses, forks) == ([], [])
    assert site.snapshot() == first
    (site.root / "templates").mkdir()
    for text in ("OUR OWN LESSON PAGE", "OUR LESSON PAGE, SAVED AGAIN"):
        (site.root / "templates" / "lesson.html").write_text(
            f"<!doctype html><title>{{{{ lesson.title }}}}</title><p>{text}</p>")
        parses.clear()
        assert site.build().status == 0
        assert [name for name in parses if name] == ["lesson.html"]  # (None: the
        # council's own template looked through for what it drops: see checks.py)
        assert text in site.page("/lessons/more-time/")


def test_a_process_keeps_no_more_compiled_templates_than_its_limit(site, monkeypatch):
    """A process that builds many sites (each base address compiles the theme anew) does
    not keep every one: past the limit it starts again, and the pages are the same."""
    from ccsite import render

    monkeypatch.setattr(incremental, "COMPILED_IN_THIS_PROCESS", {})
    monkeypatch.setattr(render, "KEPT_TEMPLATES", 8)
    assert site.build().status == 0
    assert 0 < len(incremental.COMPILED_IN_THIS_PROCESS) <= 8
    pages = site.snapshot()
    monkeypatch.setattr(incremental, "COMPILED_IN_THIS_PROCESS", {})
    monkeypatch.setattr(render, "KEPT_TEMPLATES", 1024)
    shutil.rmtree(site.output)
    shutil.rmtree(site.root / CACHE_FOLDER)
    assert site.build().status == 0
    assert site.snapshot() == pages


def test_bodies_are_converted_again_for_another_markdown_version(site, monkeypatch):
    """The Markdown cache keeps each body's HTML by its text and what shapes the HTML:
    Markdown's and nh3's versions among it, so an upgraded library converts every body
    again instead of showing what the old one made."""
    import markdown
    import nh3

    converted = []
    convert = bodies.BodyRenderer._convert
    monkeypatch.setattr(bodies.BodyRenderer, "_convert",
                        lambda self, text: converted.append(text) or convert(self, text))
    build(site.content, site.output, BuildOptions(now=NOW))
    assert converted
    try:
        for library in (markdown, nh3):
            converted.clear()
            monkeypatch.setattr(library, "__version__", library.__version__ + ".1")
            bodies._library_versions.cache_clear()
            site.write(f"news/{library.__name__}.md", "---\ntitle: Another\ndate: "
                       f"2026-11-01\nsummary: More.\n---\nMore from {library.__name__}.\n")
            build(site.content, site.output, BuildOptions(now=NOW))
            assert len(converted) > 1, library.__name__  # not the new file's body only
    finally:
        bodies._library_versions.cache_clear()  # the versions as installed, for what follows


# -- compiled templates kept between command-line builds, signed (templatecode.py) -------

def as_a_new_process(monkeypatch) -> None:
    """What a command-line build starts with: no template compiled, no names known."""
    monkeypatch.setattr(incremental, "COMPILED_IN_THIS_PROCESS", {})
    monkeypatch.setattr(incremental, "_NAMED", {})
    monkeypatch.setattr(incremental, "_NAMED_BY_DIGEST", {})


def compiles_and_forks(monkeypatch) -> tuple[list, list]:
    """The templates this process parses (to compile them, or to know what they name),
    and the helpers forked to compile them ahead."""
    import jinja2.parser

    from ccsite import precompile

    parses, forks = [], []
    parse = jinja2.parser.Parser.parse
    here = os.getpid()
    monkeypatch.setattr(jinja2.parser.Parser, "parse", lambda self: (
        parses.append(self.name) if os.getpid() == here else None) or parse(self))
    fork = precompile.fork_helper
    monkeypatch.setattr(precompile, "fork_helper", lambda *a: forks.append(a) or fork(*a))
    return parses, forks


def test_a_command_line_build_after_one_edit_uses_the_templates_the_last_one_compiled(
        site, tmp_path, monkeypatch):
    """The theme's compiled code is kept in the cache folder, signed: the next build,
    in a process of its own, compiles nothing, forks no helper, and makes the same
    pages as a build from nothing; a template saved since is compiled again."""
    from ccsite import templatecode

    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert (site.root / CACHE_FOLDER / templatecode.STORE_FILE).is_file()
    parses, forks = compiles_and_forks(monkeypatch)
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert (parses, forks) == ([], [])
    assert site.snapshot() == clean_snapshot(site, tmp_path)
    (site.root / "templates").mkdir()
    (site.root / "templates" / "lesson.html").write_text(
        "<!doctype html><title>{{ lesson.title }}</title><p>OUR OWN LESSON PAGE</p>")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert "OUR OWN LESSON PAGE" in site.page("/lessons/more-time/")
    assert "lesson.html" in parses
    # the site moved: its code is compiled for the new address, the old let go of
    site.edit("site.yaml", "https://cc.example.org/", "https://example.org/children/")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    as_a_new_process(monkeypatch)
    templatecode.load(site.root / CACHE_FOLDER, kept_made_with(site),
                      incremental.COMPILED_IN_THIS_PROCESS)
    assert {address for address, _ in incremental.COMPILED_IN_THIS_PROCESS} == \
        {"https://example.org/children/"}


def kept_made_with(site) -> str:
    """What the kept templates were made with, as the store says (signed)."""
    from ccsite import templatecode

    return _store_payload(site.root / CACHE_FOLDER / templatecode.STORE_FILE)[0][0]


def _store_payload(store) -> tuple[list, bytes]:
    """What the kept templates' store signs ([made with, templates, names]), and its
    signature."""
    import cbor2

    from ccsite import templatecode

    value = cachefolder.read(store, templatecode.KIND, templatecode.VERSION)
    return cbor2.loads(value["signed"]), value["signature"]


def _rewrite_store(store, change, key: bytes | None) -> None:
    """The store with `change(made_with, templates, names)` in place of what it held,
    signed with `key` (None: the signature kept as it was)."""
    import hmac

    import cbor2

    from ccsite import templatecode

    payload, signature = _store_payload(store)
    signed = cbor2.dumps(list(change(*payload)))
    cachefolder.write(store, templatecode.KIND, templatecode.VERSION, {
        "signed": signed,
        "signature": signature if key is None else hmac.new(key, signed, "sha256").digest()})


def _planted_code(store, marker, key: bytes | None) -> None:
    """Rewrite the kept templates as code that makes `marker` when run, signed with
    `key` (None: the signature kept as it was)."""
    import marshal

    code = marshal.dumps(compile(f"import os; os.mkdir({str(marker)!r})", "planted", "exec"))
    _rewrite_store(store, lambda made_with, templates, names: (
        made_with, [[*entry[:3], code] for entry in templates], names), key)


@pytest.mark.parametrize("planted", ["signature kept from the real code",
                                     "signed with the key of another machine"])
def test_compiled_templates_not_signed_with_the_users_key_are_never_run(
        site, tmp_path, monkeypatch, planted):
    """Code in the cache folder that the user's own key did not sign (planted there, or
    a CI cache restored on a new machine, whose key is another) is never run: the build
    compiles the templates itself and makes the site as from nothing. The same code
    signed with the user's key does run: that is what the key guards."""
    from ccsite import templatecode

    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    store = site.root / CACHE_FOLDER / templatecode.STORE_FILE
    marker = tmp_path / "the-code-ran"
    key = templatecode.user_key()
    if planted == "signature kept from the real code":
        _planted_code(store, marker, None)
    else:
        _planted_code(store, marker, key)
        (templatecode.key_folder() / "code-key").unlink()  # a new machine: a new key
    parses, _ = compiles_and_forks(monkeypatch)
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert not marker.exists()
    assert parses  # compiled here, as with none kept
    assert site.snapshot() == clean_snapshot(site, tmp_path)
    _planted_code(store, marker, templatecode.user_key())  # signed with the user's key
    site.edit("lessons/more-time.md", "Body, edited.", "Body, edited again.")
    as_a_new_process(monkeypatch)
    site.build()
    assert marker.exists()


def test_the_key_is_the_users_alone_and_one_others_may_know_is_replaced(site, monkeypatch,
                                                                      tmp_path):
    """The key is the user's alone (0600 in a 0700 folder of theirs). A folder or key
    file others could read or write (restored from a backup, copied with `cp -r`) may
    be known: a new key is made, and code the old one signed is never run."""
    from ccsite import templatecode

    key = templatecode.user_key()
    key_file = templatecode.key_folder() / templatecode.KEY_FILE
    assert len(key) == templatecode.KEY_BYTES
    assert (mode(key_file), mode(key_file.parent)) == (0o600, 0o700)
    assert templatecode.user_key() == key  # the same at every build
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    store = site.root / CACHE_FOLDER / templatecode.STORE_FILE
    marker = tmp_path / "the-code-ran"
    for opened in ("key file", "folder"):
        os.chmod(key_file if opened == "key file" else key_file.parent, 0o755)
        _planted_code(store, marker, key)  # signed with the key others may have read
        site.edit("lessons/more-time.md", "Body.", f"Body, with the {opened} opened.")
        as_a_new_process(monkeypatch)
        assert site.build().status == 0
        assert not marker.exists()
        assert templatecode.user_key() != key
        assert (mode(key_file), mode(key_file.parent)) == (0o600, 0o700)
        key = templatecode.user_key()
        site.edit("lessons/more-time.md", f"Body, with the {opened} opened.", "Body.")


@pytest.mark.parametrize("found", ["a folder", "a named pipe", "a key cut short",
                                   "a link to a key"])
def test_whatever_is_found_in_place_of_the_key_never_stops_or_holds_a_build(
        site, tmp_path, found):
    """A build is never stopped, nor held, by what stands where the key belongs: it
    replaces a key a stopped build left unfinished, or one reached by a link, and keeps
    no compiled code while a folder is in the way."""
    import signal

    from ccsite import templatecode

    key_file = templatecode.key_folder() / templatecode.KEY_FILE
    templatecode.user_key()
    key_file.unlink()
    if found == "a folder":
        key_file.mkdir()
    elif found == "a named pipe":
        os.mkfifo(key_file, 0o600)
    elif found == "a key cut short":
        key_file.write_bytes(b"0123456789abcdef")
        key_file.chmod(0o600)
    else:
        (tmp_path / "elsewhere").write_bytes(b"k" * templatecode.KEY_BYTES)
        (tmp_path / "elsewhere").chmod(0o600)
        key_file.symlink_to(tmp_path / "elsewhere")
    class Held(BaseException):  # (not an OSError, which the build would take for a
        pass                     # file it cannot read)

    def held(*_):
        raise Held("the build was held")

    was = signal.signal(signal.SIGALRM, held)  # (a build held by a pipe fails the test,
    signal.alarm(30)  # not the whole run)
    try:
        assert site.build().status == 0
        key = templatecode.user_key()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, was)
        if key_file.is_dir() and not key_file.is_symlink():
            key_file.rmdir()
    if found == "a folder":
        assert key is None
        assert not (site.root / CACHE_FOLDER / templatecode.STORE_FILE).exists()
    else:
        assert len(key) == templatecode.KEY_BYTES and key != b"k" * templatecode.KEY_BYTES
        assert key_file.is_file() and not key_file.is_symlink() and mode(key_file) == 0o600


def test_a_new_key_is_the_users_alone_whatever_the_umask(monkeypatch):
    from ccsite import templatecode

    (templatecode.key_folder() / templatecode.KEY_FILE).unlink(missing_ok=True)
    was = os.umask(0o277)
    try:
        key = templatecode.user_key()
    finally:
        os.umask(was)
    assert key is not None and templatecode.user_key() == key


def test_a_user_without_a_home_folder_builds_and_none_is_made_for_them(site, tmp_path):
    """A system user's HOME is /nonexistent (www-data, a CI runner's service account): a
    build run so as root made /nonexistent/.local/state/ccsite to keep its key in."""
    import subprocess
    import sys

    home = tmp_path / "nonexistent"
    env = {key: value for key, value in os.environ.items() if key != "XDG_STATE_HOME"}
    env["HOME"] = str(home)
    for _ in range(2):  # (the second finds the site up to date, without a key too)
        done = subprocess.run([sys.executable, "-m", "ccsite", "build", "--now",
                               "2026-11-25T12:00:00+00:00"], cwd=site.root, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert "is up to date" in done.stdout
    assert not home.exists()


def test_kept_templates_are_never_used_once_a_file_of_the_code_was_touched(
        site, monkeypatch, tmp_path):
    """The code kept was compiled by the code and libraries of its build. Which code that
    was, the check knows from the build stamp, in the cache folder (a file whose status
    is what the stamp says has the digest the stamp says): a stamp rewritten to give an
    older version's digests must not let the code that version compiled, kept signed,
    run again (a red team's review). Code whose files were touched since (their status
    changed, whatever they hold) is compiled again."""
    from ccsite import digests, uptodate
    from ccsite.digests import of_bytes

    monkeypatch.setattr(digests, "RACY_NANOSECONDS", 0)  # (files saved moments ago are
    library = tmp_path / "jinja2"  # trusted to their status, as older ones are)
    library.mkdir()
    module = library / "__init__.py"
    monkeypatch.setattr(uptodate, "libraries_read_by_builds",
                        lambda: {"library jinja2": library})
    store = site.root / CACHE_FOLDER / "compiled-templates.cbor"
    module.write_text("__version__ = '3.1.5'\n")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    older = store.read_bytes()  # (kept signed, as compiled with 3.1.5)
    module.write_text("__version__ = '3.1.6'\n")  # the upgrade
    as_a_new_process(monkeypatch)
    assert site.build().status == 0  # (its stamp keeps the status the check found)
    store.write_bytes(older)  # the attacker: 3.1.5's code back, and a stamp that says
    stamp_file = site.root / CACHE_FOLDER / "build-stamp.cbor"  # the library is 3.1.5
    stamp = uptodate.read(stamp_file)
    status, _ = stamp.inputs["library jinja2/__init__.py"]
    stamp.inputs["library jinja2/__init__.py"] = (status, of_bytes(b"__version__ = '3.1.5'\n"))
    uptodate.save(stamp_file, stamp)
    parses, forks = compiles_and_forks(monkeypatch)
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert "base.html" in parses or forks  # compiled again (here, or by a helper forked
    # to compile ahead: a loaded machine), not taken from 3.1.5's build


def test_templates_kept_by_another_version_of_ccsite_or_its_libraries_are_compiled_again(
        site, monkeypatch):
    """Compiled code is Jinja's and Python's own: after an upgrade of either (or of
    ccsite), what was kept is not used."""
    from ccsite import uptodate

    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    parses, forks = compiles_and_forks(monkeypatch)
    made_with = uptodate.made_with
    monkeypatch.setattr(uptodate, "made_with", lambda inputs: "upgraded " + made_with(inputs))
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert "base.html" in parses or forks  # (here, or by a helper forked to compile ahead)


@pytest.mark.parametrize("planted", ["a link to /dev/zero", "a named pipe",
                                     "a named pipe written to without end"])
def test_a_cache_file_that_is_no_file_is_never_read(site, tmp_path, monkeypatch, planted):
    """Whoever can write to the cache folder can at worst make a build slower: a link
    to an endless device (which filled the memory) or a named pipe (which held the
    build; or, with a process of theirs writing to it, would fill the memory) in place
    of a cache file is not read, and the build makes the site as from nothing (a red
    team's review). Built as a command of its own, held to 2 GB and a minute, as a
    build that read any of them would run out of one or the other."""
    import resource
    import subprocess
    import sys

    from ccsite import templatecode

    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    cache = site.root / CACHE_FOLDER
    for name in (MEMORY_FILE, STAMP_FILE, templatecode.STORE_FILE):
        (cache / name).unlink()
        if planted.startswith("a named pipe"):
            os.mkfifo(cache / name, 0o600)
        else:
            (cache / name).symlink_to("/dev/zero")
    writers = [subprocess.Popen([sys.executable, "-c", (
        "import sys\nwith open(sys.argv[1], 'wb') as pipe:\n"
        "    while True: pipe.write(bytes(1 << 16))"), str(cache / name)],
        stderr=subprocess.DEVNULL) for name in (MEMORY_FILE, STAMP_FILE)
        if planted == "a named pipe written to without end"]
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ccsite", "build", "--source", str(site.content),
             "--output", str(site.output), "--now", "2026-11-25T12:00:00Z"],
            capture_output=True, text=True, timeout=60, preexec_fn=lambda: resource.setrlimit(
                resource.RLIMIT_AS, (2 << 30, 2 << 30)))
    finally:
        for writer in writers:
            writer.kill()
            writer.wait()
    assert done.returncode == 0, done.stderr
    assert site.snapshot() == clean_snapshot(site, tmp_path)


@pytest.mark.parametrize("shape", ["code that is no code", "a name that is no text",
                                   "a base address that is no text"])
def test_kept_templates_of_the_wrong_shape_never_stop_a_build(site, tmp_path, monkeypatch,
                                                              shape):
    """Even signed with the user's key (written by hand, or by a bug), kept templates of
    another shape than a build keeps are not used: they stopped every build after them
    until the cache folder was deleted (a review)."""
    import marshal

    from ccsite import templatecode

    def reshaped(made_with, templates, names):
        if shape == "code that is no code":
            templates = [[*entry[:3], marshal.dumps(5)] for entry in templates]
        elif shape == "a name that is no text":
            names = [[text, [*named, 5]] for text, named in names]
        else:
            templates = [[None, *entry[1:]] for entry in templates]
        return made_with, templates, names

    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    _rewrite_store(site.root / CACHE_FOLDER / templatecode.STORE_FILE, reshaped,
                   templatecode.user_key())
    for edit in ("Body, edited.", "Body, edited again."):
        site.edit("lessons/more-time.md", "Body." if edit == "Body, edited." else
                  "Body, edited.", edit)
        as_a_new_process(monkeypatch)
        assert site.build().status == 0
    assert site.snapshot() == clean_snapshot(site, tmp_path)


def test_a_cache_file_too_large_to_be_one_of_ccsites_is_not_read(site, tmp_path, monkeypatch):
    """A planted file larger than any ccsite writes (a sparse one of gigabytes filled the
    memory: a review) is not read; the build makes the site as from nothing."""
    from ccsite import templatecode

    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    monkeypatch.setattr(cachefolder, "MAX_FILE_BYTES", 1 << 20)
    for name in (MEMORY_FILE, STAMP_FILE, templatecode.STORE_FILE):
        with open(site.root / CACHE_FOLDER / name, "r+b") as planted:
            planted.truncate(2 << 20)  # (a valid start, and then a megabyte too many)
    read = []
    decode = cachefolder.cbor2.loads
    monkeypatch.setattr(cachefolder.cbor2, "loads", lambda data: read.append(len(data))
                        or decode(data))
    site.edit("lessons/more-time.md", "Body.", "Body, edited.")
    as_a_new_process(monkeypatch)
    assert site.build().status == 0
    assert not [size for size in read if size > 1 << 20]
    assert site.snapshot() == clean_snapshot(site, tmp_path)


def test_a_cache_file_that_is_a_device_is_never_read(tmp_path, monkeypatch):
    """A device in place of a cache file (/dev/zero's kind, which no link reaches, as
    links are not followed, but root could put there) is not read, whatever size it
    says it is: reading /dev/zero filled the memory."""
    path = tmp_path / "build-memory.cbor"
    path.write_bytes(cachefolder.MAGIC)
    assert cachefolder.read_file(path, 100)[0] == cachefolder.MAGIC
    status = os.fstat
    monkeypatch.setattr(os, "fstat", lambda handle: os.stat_result(
        (stat.S_IFCHR | 0o600, *status(handle)[1:])))
    assert cachefolder.read_file(path, 100) is None

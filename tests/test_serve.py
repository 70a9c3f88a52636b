"""`ccsite serve` as an editor uses it: a real server process, real HTTP, real file edits."""
from __future__ import annotations

import contextlib
import html
import http.client
import os
import shutil
import time
import urllib.parse
import urllib.request

import pytest

from browser import needs_browser
from ccsite.cli import main
from ccsite.members import credentials
from conftest import GOOD_PRACTICE_MD, http_get, serve_running

NOW = "2026-11-25T12:00:00Z"


def get(url: str, login: tuple[str, str] | None = None) -> tuple[int, str]:
    status, _, body = http_get(url, login)
    return status, body


def wait_for(check, seconds: float = 2.0, what: str = "") -> float:
    """Poll until `check()` is true; returns how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def server(site):
    with serve_running(site.content, site.output, quiet=False) as serving:
        yield serving.base


def test_edited_page_changes_within_two_seconds(site, server):
    assert "Allow more time" in get(server + "/lessons/more-time/")[1]
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow much more time")
    took = wait_for(lambda: "Allow much more time" in get(server + "/lessons/more-time/")[1],
                    2.0, "edit shown")
    assert took < 2.0


def test_one_document_edited_reaches_every_page_that_shows_it(site, server):
    """The quick rebuild (quickedit.py), as the watcher drives it: a title shows on the
    lessons list too; a body on the item's own page."""
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow far more time")
    wait_for(lambda: "Allow far more time" in get(server + "/lessons/")[1], 2.0,
             "title on the list")
    assert "Allow far more time" in get(server + "/lessons/more-time/")[1]
    site.edit("news/centres-open.md", "See [Oxhey]", "Come and see [Oxhey]")
    wait_for(lambda: "Come and see" in get(server + "/news/centres-open/")[1], 2.0,
             "body on its page")


def test_a_file_asked_for_while_the_rebuild_that_makes_it_runs_is_answered_once_made(
        site, server):
    """A picture uploaded in the web editor is in the content folder at once, and in the
    preview once the rebuild it starts has copied it: asked for at once, it was 'not
    found', and the editor showed it broken until the item was published (an editor's
    review). Such a request waits for the rebuild; one for a file no rebuild makes is
    still not found, at once when none is running."""
    (site.content / "media").mkdir(exist_ok=True)
    (site.content / "media" / "new-poster.pdf").write_bytes(b"%PDF-1.4 poster\n")
    time.sleep(0.05)  # (the watcher has seen it: a rebuild is to come)
    status, body = get(server + "/media/new-poster.pdf")
    assert status == 200 and body == "%PDF-1.4 poster\n"
    started = time.monotonic()
    assert get(server + "/media/no-such-poster.pdf")[0] == 404
    assert time.monotonic() - started < 1


def test_broken_file_shows_error_page_while_others_serve_last_good_build(site, server):
    site.edit("centres/oxhey.md", "phase: 2", "phase: 9")
    shown = f"{site.content}/centres/oxhey.md:5: phase: must be one of 1, 2 or 3, not 9"
    wait_for(lambda: get(server + "/centres/oxhey/")[0] == 500, 2.0, "error page")
    status, body = get(server + "/centres/oxhey/")
    assert shown.replace("'", "&#x27;") in body or shown in body
    status, body = get(server + "/lessons/more-time/")
    assert status == 200 and "Allow more time" in body
    site.edit("centres/oxhey.md", "phase: 9", "phase: 3")
    wait_for(lambda: get(server + "/centres/oxhey/")[0] == 200, 2.0, "recovery")
    assert "Phase 3" in get(server + "/centres/oxhey/")[1]


def test_a_page_served_while_another_file_has_a_mistake_says_it_is_not_up_to_date(site, server):
    """Every page waits for the mistake to be fixed (the site is built whole): an edit to
    one does not show meanwhile, and the page says why, naming the mistake."""
    site.edit("centres/oxhey.md", "phase: 2", "phase: 9")
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow much more time")
    wait_for(lambda: get(server + "/centres/oxhey/")[0] == 500, 2.0, "error page")
    status, body = get(server + "/lessons/more-time/")
    assert status == 200 and "Allow more time" in body
    assert "This preview is not up to date" in body
    assert "centres/oxhey.md:5: phase: must be one of 1, 2 or 3, not 9" in body
    site.edit("centres/oxhey.md", "phase: 9", "phase: 3")
    wait_for(lambda: "Allow much more time" in (body := get(server + "/lessons/more-time/")[1])
             and "not up to date" not in body, 2.0,
             "the edit shown, and no notice, once the mistake is fixed")


def test_a_mistake_in_members_content_is_told_whole_only_to_members(site):
    """A members file is no page's source, so its mistake shows on every page: on public
    ones without what it says (here a member's e-mail address), nor the file's name (a
    post's is its title)."""
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    member, passphrase = store.add("Jane Example", None)
    signed_in = (member.login, passphrase)
    site.write("members/good-practice/redundancies-at-oxhey-2027.md",
               GOOD_PRACTICE_MD.replace("dads' group", "redundancy plan"))
    public_pages = ["/", "/lessons/more-time/", "/members/", "/no-such-page/"]
    with serving(site) as base:
        site.edit("members/directory.yaml", "email: sam@example.org",
                  "email: sam.private@example,org")
        wait_for(lambda: get(base + "/")[0] == 500, 2.0, "error page")
        for path in public_pages:
            body = get(base + path)[1]
            assert "sam.private" not in body and "directory.yaml" not in body, path
        assert f"<code>{site.content}/members/</code>: a mistake in members-only content" \
            in get(base + "/")[1]
        status, body = get(base + "/members/", signed_in)
        assert status == 500 and "sam.private@example,org" in body
        site.edit("members/directory.yaml", "sam.private@example,org", "sam@example.org")
        site.edit("members/good-practice/redundancies-at-oxhey-2027.md", "date: 2009-05-01",
                  "date: 2025-13-45")
        wait_for(lambda: "redundancies-at-oxhey-2027.md:" in get(base + "/members/",
                                                                 signed_in)[1],
                 2.0, "the post's mistake told to members")
        assert "a mistake in members-only content" in get(base + "/")[1]
        for path in public_pages:
            assert "redundancies" not in get(base + path)[1], path


def members_passage(site, server) -> str:
    """A passage of a members post, as the preview has built it."""
    passage = "We moved the group to Saturday mornings and the numbers tripled within a term."
    site.edit("members/good-practice/dads-group.md", "Members-only body.", passage)
    wait_for(lambda: get(server + "/")[0] == 200, 2.0, "members edit built")
    return passage


def pasted_into_a_news_item(site, server, passage: str) -> None:
    site.edit("news/centres-open.md", "See [Oxhey]", f"{passage} See [Oxhey]")
    wait_for(lambda: get(server + "/news/centres-open/")[0] == 500, 2.0,
             "the leak's error page")


def test_a_leak_found_while_serving_is_shown_on_its_page_without_the_members_text(
        site, server):
    """Members text pasted into a news item: the item's page tells the leak instead of
    itself, naming the file to fix, not the passage; the other pages are still shown as
    last built, with the leak in their notice (not all blanked, as for a mistake in
    site.yaml)."""
    passage = members_passage(site, server)
    pasted_into_a_news_item(site, server, passage)
    body = get(server + "/news/centres-open/")[1]
    assert ": leak: text from the members area is in this public file (made from " \
        f"{site.content}/news/centres-open.md), so it is not published: change that text " \
        "(in the web editor, the item's fields or its Text)" in html.unescape(body)
    status, home = get(server + "/")
    assert status == 200 and "This preview is not up to date" in home
    assert ": leak: text from the members area is in this public file" in home
    for page in (body, home):
        assert "Saturday mornings" not in page and "dads-group" not in page


def test_a_leak_on_a_list_page_names_the_file_it_is_shown_from(site, server):
    """Members text pasted into a news item's summary is on the news list too, which no
    one file is made from: that page names the item's file, the one to fix."""
    passage = members_passage(site, server)
    site.edit("news/centres-open.md", "summary: The network reached its target.",
              f"summary: {passage}")
    wait_for(lambda: get(server + "/news/")[0] == 500, 2.0, "the leak's error page")
    body = get(server + "/news/")[1]
    assert ": leak: text from the members area is in this public file (from " \
        f"{site.content}/news/centres-open.md, which this page shows)" in body
    assert "Saturday mornings" not in body and "dads-group" not in body


def test_a_leak_in_a_news_item_is_told_in_its_feeds_too_at_once(site, capsys):
    """Members text pasted into a news item is in the site's feeds as well as on its
    pages: the preview tells every file it is in, as a build does, not the feeds only
    once the pages are fixed; the terminal, each once."""
    with serve_running(site.content, site.output, quiet=False) as serving:
        server = serving.base
        passage = members_passage(site, server)
        pasted_into_a_news_item(site, server, passage)
        leaks = _leaks_a_build_tells(site, capsys)
        assert "feed.xml" in leaks and "news/centres-open/index.html" in leaks
        wait_for(lambda: all(f"/public/{leak}:" in get(server + "/")[1] for leak in leaks),
                 5.0, f"every leak told: {leaks}")
        told = [line for line in serving.printed().splitlines() if ": leak: " in line]
    assert sorted(line.split(":")[0].split("/public/")[1] for line in told) == leaks


def _leaks_a_build_tells(site, capsys) -> list[str]:
    """The public files a build of the site tells a leak in (into an output of its own)."""
    capsys.readouterr()
    assert main(["build", "--source", str(site.content), "--output",
                 str(site.root / "built"), "--now", NOW]) == 1
    return sorted({line.split(":")[0].split("/public/")[1]
                   for line in capsys.readouterr().err.splitlines() if ": leak: " in line})


def test_serve_started_on_content_with_a_mistake_does_not_claim_a_last_good_build(site):
    import subprocess
    import sys

    from conftest import free_port

    site.edit("centres/oxhey.md", "phase: 2", "phase: 9")
    log = site.root / "serve.log"
    with open(log, "w") as printed:
        process = subprocess.Popen(
            [sys.executable, "-m", "ccsite", "serve", "--source", str(site.content),
             "--output", str(site.output), "--port", str(free_port()), "--now", NOW],
            stdout=printed, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "fix and save" in log.read_text(), 60, "the mistake told")
    finally:
        process.terminate()
        process.wait(timeout=10)
    told = log.read_text()
    assert "1 mistake: no page can be shown until the content builds" in told
    assert "last good build" not in told


def test_deleted_file_page_disappears(site, server):
    assert get(server + "/lessons/more-time/")[0] == 200
    site.remove("lessons/more-time.md")
    wait_for(lambda: get(server + "/lessons/more-time/")[0] == 404, 2.0, "page gone")


def test_rename_on_save_is_picked_up(site, server):
    """Editors that write a temporary file and rename it over the original."""
    path = site.content / "news" / "centres-open.md"
    temp = path.with_name(".centres-open.md.swp123")
    temp.write_text(path.read_text().replace("title: Centres open", "title: Centres now open"))
    os.replace(temp, path)
    wait_for(lambda: "Centres now open" in get(server + "/news/centres-open/")[1], 2.0,
             "renamed save")


def test_deleted_then_recreated_file_is_picked_up(site, server):
    path = site.content / "news" / "centres-open.md"
    text = path.read_text()
    path.unlink()
    time.sleep(0.02)
    path.write_text(text.replace("title: Centres open", "title: Centres open again"))
    wait_for(lambda: "Centres open again" in get(server + "/news/centres-open/")[1], 2.0,
             "recreated file")


def test_pages_carry_the_reload_script_and_events_announce_builds(site, server):
    assert '<script src="/__ccsite/reload.js"></script>' in get(server + "/")[1]
    with urllib.request.urlopen(server + "/__ccsite/events", timeout=5) as events:
        first = events.readline().decode()
        assert first.startswith("event: build")
        version = int(events.readline().decode().split(":")[1])
        events.readline()
        site.edit("lessons/more-time.md", "order: 1", "order: 2")
        assert events.readline().decode().startswith("event: build")
        assert int(events.readline().decode().split(":")[1]) > version


@pytest.mark.browser
@needs_browser
def test_a_site_under_a_base_path_is_previewed_only_under_it_and_reloads_there(site, page):
    """The preview answered /assets/x as well as /hcc/assets/x, so a stylesheet's
    url("/assets/x") worked there and not once published; and its reload script was at
    the host's root, which every page's policy then allowed on a shared host (a theme
    customiser's review)."""
    site.edit("site.yaml", "https://cc.example.org/", "https://cc.example.org/hcc/")
    with serve_running(site.content, site.output, answering=302) as running:  # (at /)
        root = running.base
        assert get(root + "/centres/oxhey/")[0] == 404
        status, _, home = http_get(root + "/")  # (sent on to the site's home)
        assert status == 200 and "<title>Home - Test Children" in home, home[:600]
        status, centre = get(root + "/hcc/centres/oxhey/")
        assert status == 200
        assert '<script src="/hcc/__ccsite/reload.js"></script>' in centre
        assert get(root + "/__ccsite/reload.js")[0] == 404
        page.goto(root + "/hcc/lessons/more-time/")
        page.get_by_role("heading", name="Allow more time").wait_for()
        site.edit("lessons/more-time.md", "title: Allow more time",
                  "title: Allow much more time")
        page.get_by_role("heading", name="Allow much more time").wait_for(timeout=10000)


@contextlib.contextmanager
def serving(site):
    """`ccsite serve` on the fixture site, run as an editor runs it: its address."""
    with serve_running(site.content, site.output) as running:
        yield running.base


def test_members_area_is_behind_basic_auth_in_server_mode(site):
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    member, passphrase = store.add("Jane Example", None)
    with serving(site) as base:
        assert get(base + "/members/")[0] == 401
        assert get(base + "/members/", (member.login, "wrong words"))[0] == 401
        address = urllib.parse.urlsplit(base)  # (typed without its slash; not followed)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.request("GET", "/members")
        answer = connection.getresponse()
        assert answer.status == 301 and answer.getheader("Location") == "/members/"
        connection.close()
        status, body = get(base + "/members/good-practice/dads-group/",
                           (member.login, passphrase))
        assert status == 200 and "Members-only body." in body


def this_computers_network_address() -> str | None:
    """An address of this computer on its network (not loopback), or None."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # (a documentation address: nothing is sent)
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_members_area_never_asks_another_computer_for_a_passphrase(site):
    """`ccsite serve --host 0.0.0.0` (to show colleagues the site) took members' real
    passphrases over plain HTTP from anyone on the network; the public pages are theirs
    to see, the members area is this computer's only."""
    address = this_computers_network_address()
    if address is None:
        pytest.skip("this computer has no network address other than loopback")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    member, passphrase = store.add("Jane Example", None)
    with serve_running(site.content, site.output, host="0.0.0.0", quiet=False) as running:
        elsewhere = f"http://{address}:{running.port}"
        assert get(elsewhere + "/")[0] == 200
        for login in (None, (member.login, passphrase)):
            status, headers, body = http_get(elsewhere + "/members/", login)
            assert status == 403 and "WWW-Authenticate" not in headers
            assert "answers only the computer it runs on" in body
            assert "Members-only body." not in body
        status, body = get(running.base + "/members/good-practice/dads-group/",
                           (member.login, passphrase))
        assert status == 200 and "Members-only body." in body  # (from this computer)
        assert get(running.base + "/members/")[0] == 401
        assert "answers this computer only" in running.log.read_text()


def ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this computer")
def test_serve_listens_on_an_ipv6_address_and_members_answer_this_computer_there(site):
    """`--host ::1` failed ("Address family for hostname not supported; try another
    --port"): the preview listened on IPv4 only."""
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    member, passphrase = store.add("Jane Example", None)
    with serve_running(site.content, site.output, host="::1", quiet=False,
                       base="http://[::1]") as running:
        assert get(running.base + "/")[0] == 200
        status, body = get(running.base + "/members/good-practice/dads-group/",
                           (member.login, passphrase))
        assert status == 200 and "Members-only body." in body
        assert f"Serving at http://[::1]:{running.port}/" in running.log.read_text()


def test_paths_outside_the_site_are_not_found(site, server):
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd",
                 "/centres/..%2f..%2f..%2fetc/passwd", "/%00", "/..\\..\\etc\\passwd"]:
        status, body = get(server + path)
        assert status == 404, path
        assert "root:" not in body


def test_two_hundred_concurrent_requests_are_answered(site, server):
    from concurrent.futures import ThreadPoolExecutor

    paths = ["/", "/centres/", "/centres/oxhey/", "/lessons/more-time/", "/news/",
             "/assets/style.css", "/feed.xml", "/no-such-page/"] * 25
    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(lambda p: get(server + p)[0], paths))
    assert len(statuses) == 200
    assert statuses.count(404) == 25 and statuses.count(200) == 175


def in_process_preview(site):
    """The preview server in this process (its rebuilds called by the test), on a free
    port, not yet serving."""
    import datetime as dt

    from ccsite import incremental
    from ccsite.pipeline import build
    from ccsite.serve import PreviewServer
    from ccsite.validate import BuildOptions

    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)
    memory = incremental.BuildMemory()
    return PreviewServer(
        lambda defer=False, changed_files=None: build(
            site.content, site.output, BuildOptions(now=now), memory=memory, defer=defer,
            changed_files=changed_files),
        site.output, [site.content], None, "127.0.0.1", 0, quiet=True)


def test_catch_up_build_that_fails_leaves_the_changes_it_took_for_the_next_rebuild(site):
    """The server's page-only rebuilds read the files its watcher named since the last full
    build. A full build that fails may not have walked the folder (here another build holds
    the output folder), so the changes it took must stay told: a deleted file must not be
    read again, and the next edits must build."""
    from ccsite import write

    preview = in_process_preview(site)
    try:
        assert preview.rebuild()
        lesson = site.content / "lessons/more-time.md"
        lesson.unlink()
        preview.changed(str(lesson.resolve()))
        assert preview.rebuild(defer=True)
        with write.BuildLock(site.output):  # a `ccsite build` into the same folder, now
            preview.catch_up()
        # told, as any build's mistake is (a leak found in the search index must show)
        assert [error.field for error in preview.state.errors] == ["lock"]
        about = site.content / "pages/about.md"
        about.write_text(about.read_text() + "\nOne more line.\n")
        preview.changed(str(about.resolve()))
        assert preview.rebuild(defer=True), [str(e) for e in preview.state.errors]
        assert "One more line." in site.text("/about/")
        assert not (site.output / "public/lessons/more-time/index.html").exists()
    finally:
        preview.httpd.server_close()


def test_a_rebuild_that_fails_otherwise_than_by_a_mistake_is_told_and_the_next_builds(
        site, monkeypatch):
    """A full disk (faked here) stops a rebuild, and the one made again from nothing: the
    preview tells it as a mistake and goes on, and the next save builds (the rebuilds
    once stopped for the rest of the session, with a traceback)."""
    from ccsite import stages

    preview = in_process_preview(site)
    real = stages.run

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    try:
        assert preview.rebuild()
        site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow a day")
        monkeypatch.setattr(stages, "run", full_disk)
        assert not preview.rebuild()
        (error,) = preview.state.errors
        assert (error.path, error.field) == (str(site.output), "build")
        assert "No space left on device" in error.message
        monkeypatch.setattr(stages, "run", real)
        assert preview.rebuild()
        assert "Allow a day" in site.text("/lessons/more-time/")
    finally:
        preview.httpd.server_close()


def test_a_page_the_disk_had_no_room_for_leaves_no_part_of_it_behind(site, monkeypatch):
    """The preview writes each changed file beside its page, then over it: when the disk
    is full, what was written goes, or it would keep the disk full (and the next build,
    made from nothing, would need room for a whole site)."""
    from ccsite import write

    preview = in_process_preview(site)
    real = write._put

    def full_disk(*args):
        real(*args)  # written, and then no room for the rest
        raise OSError(28, "No space left on device")
    try:
        assert preview.rebuild()
        site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow a day")
        preview.changed(str((site.content / "lessons/more-time.md").resolve()))
        monkeypatch.setattr(write, "_put", full_disk)
        assert not preview.rebuild(defer=True)
        assert not [p for p in site.output.rglob(f"{write.TEMP_PREFIX}*")]
        monkeypatch.setattr(write, "_put", real)
        assert preview.rebuild()
        assert "Allow a day" in site.text("/lessons/more-time/")
    finally:
        preview.httpd.server_close()


def test_a_page_removed_while_it_is_being_answered_is_not_found_not_dropped(site):
    """A rebuild removes a deleted document's page, and may do so between the server
    finding the page's file and reading it: the request is answered (404), not left
    without an answer (the browser would show a broken connection)."""
    import threading

    preview = in_process_preview(site)
    found = preview._file

    def found_then_removed(root, rel):
        target = found(root, rel)
        if target is not None and rel.startswith("lessons/more-time"):
            target.unlink()  # the rebuild removes it in that moment
        return target
    try:
        assert preview.rebuild()
        threading.Thread(target=preview.httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{preview.httpd.server_address[1]}"
        assert http_get(base + "/lessons/more-time/")[0] == 200
        preview._file = found_then_removed
        assert http_get(base + "/lessons/more-time/")[0] == 404
        assert http_get(base + "/about/")[0] == 200
    finally:
        preview.httpd.shutdown()
        preview.httpd.server_close()


def test_templates_folder_made_while_serving_is_watched_from_then_on(site, server):
    """A site's first template override: the folder did not exist when the server
    started, yet the override is used at once, and so are later edits of it."""
    (site.root / "templates").mkdir()
    (site.root / "templates" / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>Override one</p>{% endblock %}')
    wait_for(lambda: "Override one" in get(server + "/lessons/more-time/")[1], 5.0,
             "first override used")
    (site.root / "templates" / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>Override two</p>{% endblock %}')
    wait_for(lambda: "Override two" in get(server + "/lessons/more-time/")[1], 5.0,
             "edited override used")


def test_templates_folder_moved_away_while_serving_is_let_go_and_a_new_one_watched(
        site, server):
    """An override switched off by renaming its folder (`mv templates templates.off`):
    the preview drops it at once, and a new templates/ made later is used, as one made
    the first time is (the old watch followed the folder to its new name)."""
    templates = site.root / "templates"
    templates.mkdir()
    (templates / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>Override one</p>{% endblock %}')
    wait_for(lambda: "Override one" in get(server + "/lessons/more-time/")[1], 5.0,
             "override used")
    templates.rename(site.root / "templates.off")
    wait_for(lambda: "Override one" not in get(server + "/lessons/more-time/")[1], 5.0,
             "override dropped")
    templates.mkdir()
    (templates / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>Override two</p>{% endblock %}')
    wait_for(lambda: "Override two" in get(server + "/lessons/more-time/")[1], 5.0,
             "a new folder's override used")


def test_a_folder_linked_into_the_templates_is_watched(site, server, tmp_path):
    """A web team keeps its template parts in a folder of their own and links it in: the
    build reads through the link, but watchdog does not follow it, so an edit there was
    never shown (the command line's up-to-date check follows it). A link made while
    serving is followed too, and a loop of links is watched once."""
    shared = tmp_path / "shared"
    (shared / "parts").mkdir(parents=True)
    (shared / "more").mkdir()
    (shared / "parts" / "says.html").write_text("<p>Part one</p>")
    (shared / "parts" / "round").symlink_to(shared / "parts")  # (a loop)
    (site.root / "templates").mkdir()
    (site.root / "templates" / "parts").symlink_to(shared / "parts")
    (site.root / "templates" / "lesson.html").write_text(
        '{% extends "base.html" %}{% block main %}{% include "parts/says.html" %}'
        '{% include "more/adds.html" ignore missing %}{% endblock %}')
    wait_for(lambda: "Part one" in get(server + "/lessons/more-time/")[1], 5.0,
             "the linked part used")
    (shared / "parts" / "says.html").write_text("<p>Part two</p>")
    wait_for(lambda: "Part two" in get(server + "/lessons/more-time/")[1], 5.0,
             "an edit in the linked folder shown")
    (site.root / "templates" / "more").symlink_to(shared / "more")
    (shared / "more" / "adds.html").write_text("<p>More one</p>")
    wait_for(lambda: "More one" in get(server + "/lessons/more-time/")[1], 5.0,
             "a folder linked while serving used")
    (shared / "more" / "adds.html").write_text("<p>More two</p>")
    wait_for(lambda: "More two" in get(server + "/lessons/more-time/")[1], 5.0,
             "an edit in it shown")


@pytest.mark.parametrize("deleted", ["", "members", "public"])
def test_the_output_deleted_while_serving_is_made_again_at_the_next_save(site, server, deleted):
    """The output folder (or its members or public part) deleted while the preview runs,
    as a web team may do with members text in it: the next save builds it again, whole,
    and the preview goes on (its rebuilds once all stopped, with a traceback)."""
    shutil.rmtree(site.output / deleted)
    site.edit("lessons/more-time.md", "title: Allow more time", "title: Allow much more time")
    wait_for(lambda: "Allow much more time" in get(server + "/lessons/more-time/")[1], 10.0,
             "built again")
    assert get(server + "/centres/oxhey/")[0] == 200
    wait_for(lambda: (site.output / "members/index.html").is_file(), 10.0,
             "the members pages made again (by the catch-up build)")
    site.edit("lessons/more-time.md", "Allow much more time", "Allow even more time")
    wait_for(lambda: "Allow even more time" in get(server + "/lessons/")[1], 5.0,
             "the next edit too")


def test_a_file_in_a_content_folder_named_like_pythons_cache_is_watched(site, server):
    """Python's `__pycache__` folders are no content, but a folder of that name among the
    content is: a change to a file in it is published as any other."""
    site.write("media/__pycache__/times.txt", "Open 9 to 5.\n")
    wait_for(lambda: get(server + "/media/__pycache__/times.txt")[1] == "Open 9 to 5.\n",
             5.0, "new file published")
    site.edit("media/__pycache__/times.txt", "9 to 5", "10 to 4")
    wait_for(lambda: get(server + "/media/__pycache__/times.txt")[1] == "Open 10 to 4.\n",
             5.0, "edit published")


def test_member_removed_while_serving_is_refused_at_their_next_request(site):
    """The preview follows the member list as it is now: a login it let in before is
    checked again once the list has changed."""
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    jane = store.add("Jane Example", None)
    sam = store.add("Sam Example", None)
    with serving(site) as base:
        page = base + "/members/good-practice/dads-group/"
        for member, passphrase in (jane, sam):
            assert get(page, (member.login, passphrase))[0] == 200
            assert get(page, (member.login, passphrase))[0] == 200  # let in again, from memory
        assert main(["members", "remove", "Jane Example", "--secrets", str(store.folder)]) == 0
        assert get(page, (jane[0].login, jane[1]))[0] == 401
        assert get(base + "/members/", (jane[0].login, jane[1]))[0] == 401
        assert get(page, (sam[0].login, sam[1]))[0] == 200  # the others still get in
        added = store.add("Ann Example", None)
        assert get(page, (added[0].login, added[1]))[0] == 200


def test_member_removed_or_added_while_serving_in_encrypt_mode_is_in_the_keys_at_once(site):
    """In encrypt mode the members' keys are in the built files (keys.json): the preview
    renews them when the member list changes, as a build would, not at the next edit."""
    from ccsite.members import protect

    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    passphrases = {name: store.add(name, None)[1] for name in ("Jane Example", "Sam Example")}

    def opens(base: str, name: str) -> bool:
        status, keys = get(base + "/members/keys.json")
        return status == 200 and protect.open_key_slots(
            keys.encode(), passphrases[name]) is not None

    with serving(site) as base:
        assert opens(base, "Jane Example") and opens(base, "Sam Example")
        assert main(["members", "remove", "Sam Example", "--secrets", str(store.folder)]) == 0
        wait_for(lambda: not opens(base, "Sam Example"), 10.0, "the removed member's key gone")
        assert opens(base, "Jane Example")
        passphrases["Ann Example"] = store.add("Ann Example", None)[1]
        wait_for(lambda: opens(base, "Ann Example"), 10.0, "the added member's key there")


def test_the_first_member_added_while_serving_in_encrypt_mode_lets_the_site_build(site):
    """Encrypt mode with no member is a mistake the preview shows; adding the first one
    (which makes the secrets folder) is seen and builds the site."""
    from ccsite.members import protect

    site.edit("site.yaml", "protection: server", "protection: encrypt")
    with serve_running(site.content, site.output, answering=500) as running:
        base = running.base
        assert "needs at least one member" in get(base + "/")[1]
        store = credentials.MemberStore(site.root / ".ccsite-secrets")
        _, passphrase = store.add("Jane Example", None)
        wait_for(lambda: get(base + "/")[0] == 200, 10.0, "the site built")
        keys = get(base + "/members/keys.json")[1].encode()
        assert protect.open_key_slots(keys, passphrase) is not None


def test_the_secrets_folder_deleted_and_made_again_while_serving_is_watched_again(site):
    """Members started over (the secrets folder deleted, a member added): the preview
    follows the new folder as it followed the old one."""
    from ccsite.members import protect

    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    store.add("Jane Example", None)
    with serving(site) as base:
        shutil.rmtree(store.folder)
        wait_for(lambda: get(base + "/")[0] == 500, 10.0, "no member: the mistake shown")
        _, passphrase = store.add("Carol Jones", None)
        wait_for(lambda: get(base + "/")[0] == 200, 10.0, "the site built again")
        keys = get(base + "/members/keys.json")[1].encode()
        assert protect.open_key_slots(keys, passphrase) is not None


def test_a_secrets_folder_that_holds_the_site_rebuilds_for_its_members_files_only(site):
    """The secrets folder may be the site's own folder (`--secrets .`), with the output,
    the preview's own log, notes, anything in it: only the member list builds again."""
    import time

    store = credentials.MemberStore(site.root)
    member, passphrase = store.add("Jane Example", None)
    with serve_running(site.content, site.output, "--secrets", str(site.root),
                       quiet=False) as serving:  # (its log is in the site's folder too)
        page = serving.base + "/members/good-practice/dads-group/"
        assert get(page, (member.login, passphrase))[0] == 200
        time.sleep(2)
        builds = serving.printed().count("Rebuilt in")
        (site.root / "notes.txt").write_text("a note")
        time.sleep(2)
        assert serving.printed().count("Rebuilt in") == builds  # (it rebuilt for ever)
        store.remove("Jane Example")
        wait_for(lambda: serving.printed().count("Rebuilt in") > builds, 5.0, "rebuilt")
        assert get(page, (member.login, passphrase))[0] == 401



def test_files_editors_add_are_served_sandboxed_and_never_sniffed(site, server):
    """As the deploy configs send them: opened as a page, an uploaded file is a unique
    origin, so nothing in it runs with the rights of the site or of the web editor
    served from the same origin. PDFs, which browsers will not show sandboxed, excepted."""
    site.write("media/notes.txt", "plain text\n")
    wait_for(lambda: http_get(server + "/media/notes.txt")[0] == 200, 10, "the new file")
    status, headers, _ = http_get(server + "/media/notes.txt")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox"
    status, headers, _ = http_get(server + "/media/pack.pdf")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in headers
    status, headers, _ = http_get(server + "/")
    assert headers.get("Content-Security-Policy") != "sandbox"

"""The web editor's API on a real `ccsite serve`, over plain HTTP: Decap's proxy-backend
protocol, every save checked by the validator, and the guards that keep the API (which can
write files) to the editor's own page on this computer."""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
import yaml

from conftest import FixtureSite, serve_running


class Editor:
    """`ccsite serve` of a test site, and requests to its editor as its page makes them."""

    def __init__(self, site, port: int):
        self.site = site
        self.port = port
        self.host = f"127.0.0.1:{port}"
        status, _, page = self.get("/admin/")
        assert status == 200
        self.token = re.search(r'name="ccsite-token" content="([^"]+)"', page).group(1)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
        return self.request("GET", path, None, headers)

    def request(self, method: str, path: str, body: bytes | None,
                headers: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True)
            headers = {"Host": self.host, **(headers or {})}
            if body is not None:
                headers.setdefault("Content-Length", str(len(body)))
            for name, value in headers.items():
                if value is not None:
                    connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def page_headers(self) -> dict:
        """What the editor's page sends (see ccsite-admin.js)."""
        return {"Origin": f"http://{self.host}", "Sec-Fetch-Site": "same-origin",
                "X-Ccsite-Token": self.token, "Content-Type": "application/json"}

    def api(self, action: str, params: dict | None = None, **headers) -> tuple[int, object]:
        sent = {**self.page_headers(), **{k.replace("_", "-"): v for k, v in headers.items()}}
        body = json.dumps({"action": action, "params": {"branch": "main", **(params or {})}})
        status, _, answer = self.request("POST", "/admin/api/v1", body.encode(), sent)
        return status, json.loads(answer) if answer else None

    def save(self, rel: str, raw: str, assets: list | None = None) -> tuple[int, object]:
        return self.api("persistEntry", {
            "dataFiles": [{"path": rel, "slug": rel.rsplit("/", 1)[-1].split(".")[0],
                           "raw": raw}],
            "assets": assets or [], "options": {"commitMessage": "save", "useWorkflow": False,
                                                "status": "draft"}})


@pytest.fixture
def editor(site):
    with serve_running(site.content, site.output) as serving:
        yield Editor(site, serving.port)


# -- the protocol -----------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0,
                    reason="takes another user's process: run as root (as CI is)")
def test_another_user_of_the_computer_is_refused_the_editor_and_its_api(editor):
    """Any user of a shared computer can reach 127.0.0.1: another took the editor's token
    from its page and read the members directory through its API, where the preview's
    members pages ask a passphrase (a red team's review). A process of another user is
    refused the page and the API; the user who started `ccsite serve` is not."""
    def over_ipv6() -> int | None:
        """/admin/ asked for over IPv6, at IPv4's address; None where this computer has
        no IPv6 (a container may have it switched off)."""
        try:
            mapped = http.client.HTTPConnection("::ffff:127.0.0.1", editor.port, timeout=30)
            mapped.request("GET", "/admin/", headers={"Host": editor.host})
            return mapped.getresponse().status
        except OSError:
            return None

    def as_nobody() -> list[int]:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the other user
            try:
                os.close(reader)
                os.setgid(65534)
                os.setuid(65534)
                statuses = [editor.get("/admin/")[0],
                            editor.api("getEntry", {"path": "members/directory.yaml"})[0],
                            over_ipv6()]  # (IPv4's address over IPv6: a review)
                os.write(writer, json.dumps(statuses).encode())
            finally:
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader) as answer:
            said = answer.read()
        os.waitpid(pid, 0)
        return json.loads(said)

    ipv6 = over_ipv6() is not None
    assert as_nobody() == [403, 403, 403 if ipv6 else None]
    assert editor.get("/admin/")[0] == 200
    assert over_ipv6() == (200 if ipv6 else None)  # (the owner, told in either form)
    status, _ = editor.api("getEntry", {"path": "members/directory.yaml"})
    assert status == 200


def test_the_user_at_the_other_end_of_a_connection_is_told_by_the_kernel():
    """What the editor's guard reads (Linux): the client socket's owner, this process's
    user; nothing for a connection that is not there."""
    import socket

    from ccsite.editor.admin import peer_user

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname()):
            connection, client = server.accept()
            with connection:
                assert peer_user(client, server.getsockname()) == os.getuid()
                # a connection the table does not list at either end: not told
                assert peer_user(("127.0.0.1", 1), server.getsockname()) is None


def test_a_connection_listed_at_the_servers_end_only_is_no_ones(tmp_path):
    """Where the table lists the server's end of a connection and not the other's (a
    process elsewhere), the editor answers no one; a table that lists neither end is not
    to be trusted either way, and tells nothing."""
    from ccsite.editor.admin import peer_user

    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" \
        "   uid  timeout inode\n"
    server_end = "   0: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 " \
        "00000000  1000        0 1\n"
    client_end = "   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 " \
        "00000000  1001        0 2\n"
    table = tmp_path / "tcp"
    for rows, told in ((server_end, -1), ("", None), (server_end + client_end, 1001)):
        table.write_text(header + rows)
        assert peer_user(("127.0.0.1", 0xD431), ("127.0.0.1", 0x1F90),
                         (str(table),)) == told, rows

def test_entries_are_listed_and_read_as_decap_server_gives_them(editor, site):
    status, entries = editor.api("entriesByFolder", {"folder": "centres", "extension": "md",
                                                     "depth": 1})
    assert status == 200
    assert [e["file"]["path"] for e in entries] == ["centres/oxhey.md"]
    assert entries[0]["data"] == (site.content / "centres/oxhey.md").read_text()
    assert re.fullmatch(r"[0-9a-f]{64}", entries[0]["file"]["id"])
    status, media = editor.api("getMedia", {"mediaFolder": "media"})
    assert status == 200 and media[0]["name"] == "pack.pdf"
    assert base64.b64decode(media[0]["content"]) == b"%PDF-1.4 test\n"
    status, entry = editor.api("getEntry", {"path": "members/directory.yaml"})
    assert entry["data"].startswith("directory:\n  - name: Sam Example\n")  # see proxy.py


def test_a_file_named_not_in_utf_8_leaves_the_others_listed(editor, site):
    """A centre's file copied from a system that writes names otherwise (the build tells
    it as a mistake): the web editor still lists the others, where the whole list failed
    with "Not saved: the editor's server failed"."""
    (site.content / "centres" / "caf\udce9.md").write_bytes(
        (site.content / "centres/oxhey.md").read_bytes())
    status, entries = editor.api("entriesByFolder", {"folder": "centres", "extension": "md",
                                                     "depth": 1})
    assert status == 200 and [e["file"]["path"] for e in entries] == ["centres/oxhey.md"]


def test_a_save_changes_the_file_only_where_the_value_changed(editor, site):
    path = site.content / "centres/oxhey.md"
    before = path.read_text()
    raw = before.replace('closes: "17:00"', "closes: 16:30").replace(
        "services: [early-education, health]", "services:\n  - early-education\n  - health")
    status, answer = editor.save("centres/oxhey.md", raw)
    assert (status, answer["message"]) == (200, "entry persisted")
    assert path.read_text() == before.replace('closes: "17:00"', 'closes: "16:30"')


def test_a_tab_pasted_into_a_field_is_saved_as_typed(editor, site):
    """Text pasted from a spreadsheet or a table brings a tab between its words, which
    Decap writes plain (YAML 1.2 allows it there, PyYAML does not): it is saved, quoted
    so that the build reads it as typed."""
    path = site.content / "news/centres-open.md"
    before = path.read_text()
    old = "summary: The network reached its target."
    raw = before.replace(old, "summary: Survey results\tsee table 1")
    status, answer = editor.save("news/centres-open.md", raw)
    assert (status, answer["message"]) == (200, "entry persisted")
    assert path.read_text() == before.replace(old, 'summary: "Survey results\\tsee table 1"')
    assert site.build().status == 0


def test_a_save_of_a_file_changed_since_the_form_read_it_is_refused(editor, site):
    """Two tabs open on one centre (or a text editor beside the form): the second save
    would write back what the first changed. With the file's id as its form read it (sent
    by the editor's page), it is refused, and the first change stays."""
    path = site.content / "centres/oxhey.md"
    status, _, entry = editor.request("POST", "/admin/api/v1", json.dumps(
        {"action": "getEntry", "params": {"path": "centres/oxhey.md"}}).encode(),
        editor.page_headers())
    opened = json.loads(entry)["file"]["id"]
    first = path.read_text().replace("phase: 2", "phase: 3")
    second = path.read_text().replace("summary: A centre", "summary: The centre")

    def save(raw: str, loaded: str) -> tuple[int, object]:
        return editor.api("persistEntry", {
            "dataFiles": [{"path": "centres/oxhey.md", "slug": "oxhey", "raw": raw}],
            "assets": [], "options": {}, "loaded": {"centres/oxhey.md": loaded}})

    status, answer = save(first, opened)
    assert status == 200 and "phase: 3" in path.read_text()
    status, answer = save(second, opened)  # the other tab, opened before the first save
    assert status == 409 and "was changed since you opened it" in answer["error"]
    assert "phase: 3" in path.read_text() and "summary: A centre" in path.read_text()
    # reloaded: the form reads the file as it is now, and the change is made again
    again = path.read_text().replace("summary: A centre", "summary: The centre")
    status, _ = save(again, editor_id(editor, "centres/oxhey.md"))
    assert status == 200 and "phase: 3" in path.read_text() and "The centre" in path.read_text()


def test_a_save_sent_again_after_its_answer_never_came_is_taken_as_made(editor, site):
    """A slow server: the page said "timed out" though the save was written, and the
    same save, sent again, was refused as "changed since you opened it" (an editor's
    review). A save that would write the file just as it is undoes nothing."""
    path = site.content / "centres/oxhey.md"
    opened = editor_id(editor, "centres/oxhey.md")
    edited = path.read_text().replace("summary: A centre", "summary: The centre")
    for _ in range(2):  # (the first written, its answer lost; then sent again)
        status, answer = editor.api("persistEntry", {
            "dataFiles": [{"path": "centres/oxhey.md", "slug": "oxhey", "raw": edited}],
            "assets": [], "options": {}, "loaded": {"centres/oxhey.md": opened}})
        assert status == 200, answer
    assert path.read_text() == edited


def editor_id(editor, rel: str) -> str:
    _, _, entry = editor.request("POST", "/admin/api/v1", json.dumps(
        {"action": "getEntry", "params": {"path": rel}}).encode(), editor.page_headers())
    return json.loads(entry)["file"]["id"]


def test_a_save_the_build_would_refuse_is_not_written_and_says_what_check_says(editor, site):
    path = site.content / "opportunities/oxhey-eoi.md"
    before = path.read_bytes()
    raw = before.decode().replace("deadline: 2027-01-29T12:00:00Z",
                                  "deadline: 2026-10-01T12:00:00Z")
    status, answer = editor.save("opportunities/oxhey-eoi.md", raw)
    assert status == 422
    shown = f"{site.content}/opportunities/oxhey-eoi.md:7: deadline: must be later than " \
            "the start of the published day (2026-11-02)"
    assert answer["errors"] == [shown]  # as `ccsite check` says it; and in the form's words:
    assert answer["said"] == ["Deadline: must be later than the start of the published day "
                              "(2026-11-02)"]
    assert answer["said"][0] in answer["error"]
    assert path.read_bytes() == before
    site.edit("opportunities/oxhey-eoi.md", "deadline: 2027-01-29T12:00:00Z",
              "deadline: 2026-10-01T12:00:00Z")
    assert shown in site.build().err  # the very message `ccsite build` (and check) gives


def test_a_save_whose_text_links_nowhere_is_refused_with_the_page_it_was_meant_for(
        editor, site):
    """A broken link typed in the editor was saved ("Entry saved"), and a moment later
    every page of the preview was the mistake's page, and publishing stopped (an
    editor's review). Told before the save, in the form's words, with the page meant."""
    rel = "news/centres-open.md"
    path = site.content / rel
    before = path.read_bytes()
    raw = before.decode().replace("/centres/oxhey/", "/centres/oxhay/")
    status, answer = editor.save(rel, raw)
    assert status == 422, answer
    assert answer["said"] == ["Text: a link leads nowhere: '/centres/oxhay/' does not lead to "
                              "a page or file of the site; did you mean '/centres/oxhey/'?"]
    assert answer["errors"][0].startswith(f"{site.content}/{rel}:6: body: ")
    assert path.read_bytes() == before
    # a picture named but not uploaded is told as a picture (an editor's review)
    status, answer = editor.save(rel, before.decode() + "\n![A baby massage class]"
                                 "(/media/baby-massage.png)\n")
    assert status == 422
    assert answer["said"] == ["Text: the picture 'baby-massage.png' is not uploaded: choose "
                              "it again with the image's 'Choose an image' and upload it, "
                              "or take the picture out"], answer["said"]
    # a link to a page, a feed, an upload of the same save, or a new page of the same
    # save, is saved
    fine = before.decode().replace("/centres/oxhey/", "/feed.xml") + \
        "\nSee [the plan](/media/plan.pdf) and [the new page](/hello/).\n"
    status, answer = editor.api("persistEntry", {
        "dataFiles": [{"path": rel, "slug": "centres-open", "raw": fine}],
        "assets": [{"path": "media/plan.pdf", "content": base64.b64encode(
            b"%PDF-1.4 plan\n").decode(), "encoding": "base64"}],
        "options": {"commitMessage": "save", "useWorkflow": False, "status": "draft"}})
    assert status == 422  # (the new page is not there yet)
    assert answer["said"] == ["Text: a link leads nowhere: '/hello/' does not lead to "
                              "a page or file of the site"]
    status, answer = editor.save("pages/hello.md", "---\ntitle: Hello\n---\nHello.\n")
    assert status == 200, answer
    status, answer = editor.api("persistEntry", {
        "dataFiles": [{"path": rel, "slug": "centres-open", "raw": fine}],
        "assets": [{"path": "media/plan.pdf", "content": base64.b64encode(
            b"%PDF-1.4 plan\n").decode(), "encoding": "base64"}],
        "options": {"commitMessage": "save", "useWorkflow": False, "status": "draft"}})
    assert status == 200, answer
    assert path.read_text() == fine


def test_the_save_time_link_check_refuses_only_what_the_build_refuses(editor, site):
    """A review of the check above: an old news item linking to a round taken down since
    (a warning in the build) could not be saved at all; a link to a new centre's
    calendar was refused until the preview had rebuilt, with another centre's offered;
    a broken link in an agency's 'about' or a members page was saved, and stopped the
    preview; a public page was offered a members page."""
    news = "news/centres-open.md"
    text = (site.content / news).read_text()
    site.write("news/old-offer.md", "---\ntitle: Old offer\ndate: 2026-10-01\nsummary: "
               "An offer.\nexpires: 2026-11-01\n---\nOver.\n")
    site.write("news/coming.md", "---\ntitle: Coming\ndate: 2026-11-20\nsummary: Soon."
               "\ndraft: true\n---\nSoon.\n")
    cases = {  # the link written -> what the editor says (None: saved)
        "/news/old-offer/": None,  # (expired: the build warns)
        "/centres/oxhey/sessions.ics": None,
        "/members/": None,
        "/news/coming/": "Text: a link leads nowhere: '/news/coming/' is the address of "
                         "news/coming.md, which is not in this build (it is a draft); publish it, "
                         "or link elsewhere",
        "/good-practice/dads-group/": "Text: a link leads nowhere: '/good-practice/"
                                      "dads-group/' does not lead to a page or file of the "
                                      "site",  # (not the members page it is like)
    }
    for link, said in cases.items():
        status, answer = editor.save(news, text.replace("/centres/oxhey/", link))
        assert (status, answer.get("said")) == ((200, None) if said is None else
                                                (422, [said])), (link, answer)
    site.write("centres/bushey.md", (site.content / "centres/oxhey.md").read_text()
               .replace("Oxhey Children's Centre", "Bushey Children's Centre"))
    status, answer = editor.save(news, text.replace("/centres/oxhey/",
                                                    "/centres/bushey/sessions.ics"))
    assert status == 200, answer  # (made by the site as saved, before the preview rebuilt)
    agency = "agencies/oxhey-trust.yaml"
    status, answer = editor.save(agency, (site.content / agency).read_text().replace(
        "about: A community trust.", "about: A [trust](/centres/oxhay/)."))
    assert status == 422 and answer["said"] == [
        "About: a link leads nowhere: '/centres/oxhay/' does not lead to a page or file of "
        "the site; did you mean '/centres/oxhey/'?"], answer
    post = "members/good-practice/dads-group.md"
    status, answer = editor.save(post, (site.content / post).read_text().replace(
        "Members-only body.", "See [the directory](/members/directry/)."))
    assert status == 422 and "'/members/directry/' does not lead to a page or file of the " \
        "site; did you mean '/members/directory/'?" in answer["said"][0], answer
    # a consultation's "You said, we did" (Markdown in its front matter) was saved with a
    # broken link, which then stopped the preview, blamed on a template (an editor's review)
    consultation = ("---\ntitle: The future of Oxhey\nsummary: We asked families.\n"
                    "opens: 2026-01-05T09:00:00Z\ncloses: 2026-02-27T17:00:00Z\n"
                    "respond:\n  email: cc@example.org\noutcome:\n  date: 2026-03-20\n"
                    "  summary: Families said keep it.\n  body: |\n    **You said** keep it.\n"
                    "    See [the centre](/centres/oxhey/).\n---\nWhat we asked.\n")
    status, answer = editor.save("consultations/oxhey.md", consultation)
    assert status == 200, answer
    status, answer = editor.save("consultations/oxhey.md", consultation.replace(
        "/centres/oxhey/", "/centres/oxhay/"))
    assert status == 422 and answer["said"] == [
        "Outcome: You said, we did: a link leads nowhere: '/centres/oxhay/' does not lead "
        "to a page "
        "or file of the site; did you mean '/centres/oxhey/'?"], answer
    assert answer["errors"][0].startswith(
        f"{site.content}/consultations/oxhey.md:13: outcome.body: "), answer


def test_deleting_a_file_others_refer_to_is_refused(editor, site):
    """Refused in words that say where the fix is: in the files that name it (not in the
    form), each named, and what each says."""
    status, answer = editor.api("deleteFiles", {"paths": ["agencies/oxhey-trust.yaml"],
                                                "options": {"commitMessage": "x"}})
    assert status == 422 and any("lead_agency" in line for line in answer["errors"])
    # in the form's words: which item names it, and under which field (not the
    # validator's line, with its "did you mean" another agency: an editor's review)
    assert "The centre 'Oxhey Children's Centre' names it under Lead agency" in \
        answer["said"], answer["said"]
    assert not any("did you mean" in line or ".md:" in line for line in answer["said"])
    assert answer["error"].startswith("Not deleted: ")
    assert "Take it out of " in answer["error"]
    assert answer["deleting"] and all(p.startswith(str(site.content)) for p in answer["deleting"])
    assert (site.content / "agencies/oxhey-trust.yaml").exists()
    status, _ = editor.api("deleteFiles", {"paths": ["lessons/more-time.md"],
                                           "options": {"commitMessage": "x"}})
    assert status == 200 and not (site.content / "lessons/more-time.md").exists()


def test_a_media_file_a_pages_text_links_to_is_not_deleted(editor, site):
    """The editor has no undo: a file linked from a page's text (not a document field,
    which the validator knows) is not deleted, and the page is named; once the link is
    gone, it is."""
    site.write("media/leaflet.pdf", "%PDF-1.4 leaflet\n")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [the leaflet](/media/leaflet.pdf). "
              "See [Oxhey]")
    status, answer = editor.api("deleteFiles", {"paths": ["media/leaflet.pdf"],
                                                "options": {"commitMessage": "x"}})
    assert status == 422, answer
    assert answer["deleting"] == [f"{site.content}/news/centres-open.md"]
    assert any("links to /media/leaflet.pdf, the file this would delete" in line
               for line in answer["errors"])
    assert (site.content / "media/leaflet.pdf").exists()
    site.edit("news/centres-open.md", "See [the leaflet](/media/leaflet.pdf). ", "")
    # a link in a field's Markdown (an agency's about) counts too
    site.edit("agencies/oxhey-trust.yaml", "about: A community trust.",
              "about: A community trust, with a [leaflet](/media/leaflet.pdf).")
    status, answer = editor.api("deleteFiles", {"paths": ["media/leaflet.pdf"],
                                                "options": {"commitMessage": "x"}})
    assert status == 422 and answer["deleting"] == [f"{site.content}/agencies/oxhey-trust.yaml"]
    site.edit("agencies/oxhey-trust.yaml", ", with a [leaflet](/media/leaflet.pdf).", ".")
    # what only ends like its address is another file: a members one, another site's
    site.write("members/media/leaflet.pdf", "%PDF-1.4 members\n")
    site.edit("news/centres-open.md", "See [Oxhey]", "See [it](/members/media/leaflet.pdf), "
              "[theirs](https://www.example.org/media/leaflet.pdf) and [Oxhey]")
    status, _ = editor.api("deleteFiles", {"paths": ["media/leaflet.pdf"],
                                           "options": {"commitMessage": "x"}})
    assert status == 200 and not (site.content / "media/leaflet.pdf").exists()


def test_a_new_item_titled_in_another_script_is_saved_at_its_address_field(editor, site):
    """Decap makes a new file's name from the title in the letters A to Z: a title in
    Urdu gives none ('news/.md'). The item is saved at its 'Address (slug)', and without
    one the editor is told, in words, what to fill in; an address taken is refused."""
    raw = ("---\ntitle: \u062e\u0648\u0634 \u0622\u0645\u062f\u06cc\u062f\n"
           "date: 2026-11-24\nsummary: Welcome.\n{slug}---\nHello.\n")
    status, answer = editor.save("news/.md", raw.format(slug=""))
    assert status == 422
    assert "Fill in 'Address (slug)'" in answer["error"] and "news/.md" not in answer["error"]
    assert not (site.content / "news/.md").exists()
    status, answer = editor.save("news/.md", raw.format(slug="slug: welcome-in-urdu\n"))
    assert status == 200, answer
    assert (site.content / "news/welcome-in-urdu.md").read_text() == \
        raw.format(slug="slug: welcome-in-urdu\n")
    # Decap's later saves from the same form send 'news/.md' again: the same file
    status, answer = editor.save("news/.md", raw.format(slug="slug: welcome-in-urdu\n")
                                 .replace("Hello.", "Hello again."))
    assert status == 200, answer
    assert "Hello again." in (site.content / "news/welcome-in-urdu.md").read_text()
    assert sorted(p.name for p in (site.content / "news").iterdir()).count(
        "welcome-in-urdu.md") == 1
    site.write("news/taken.md", (site.content / "news/welcome-in-urdu.md").read_text())
    status, answer = editor.save("news/.md", raw.format(slug="slug: taken\n"))
    assert status == 409 and "already an item at the address" in answer["error"]
    # a move onto the item this server named is refused like any other (a review)
    other = (site.content / "news/centres-open.md").read_text()
    status, answer = editor.api("persistEntry", {"dataFiles": [
        {"path": "news/centres-open.md", "newPath": "news/welcome-in-urdu.md",
         "raw": other}], "assets": []})
    assert status == 409 and "Hello again." in \
        (site.content / "news/welcome-in-urdu.md").read_text()


def test_an_upload_goes_to_media_and_a_new_entry_with_it_is_written(editor, site):
    raw = textwrap.dedent("""\
        ---
        title: Briefing
        reference: HCC-2
        kind: grant
        status: active
        published: 2026-11-20
        deadline: 2027-01-29T12:00:00+00:00
        eligible_sectors:
          - voluntary
        documents:
          - title: Pack
            url: media/briefing.pdf
        enquiries:
          name: Team
          email: team@example.org
        ---
        How to apply.
        """)
    pdf = base64.b64encode(b"%PDF-1.4 briefing\n").decode()
    status, _ = editor.save("opportunities/briefing.md", raw,
                            [{"path": "media/briefing.pdf", "content": pdf,
                              "encoding": "base64"}])
    assert status == 200
    assert (site.content / "media/briefing.pdf").read_bytes() == b"%PDF-1.4 briefing\n"
    assert "url: media/briefing.pdf" in (site.content / "opportunities/briefing.md").read_text()
    assert site.build().status == 0


# -- the guards -------------------------------------------------------------------------

def test_a_request_to_another_host_name_is_refused(editor, site):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1."""
    status, _, page = editor.get("/admin/", {"Host": f"evil.example:{editor.port}"})
    assert status == 403 and editor.token not in page
    status, _ = editor.api("getEntry", {"path": "site.yaml"},
                           Host=f"evil.example:{editor.port}",
                           Origin=f"http://evil.example:{editor.port}")
    assert status == 403
    status, _ = editor.api("getEntry", {"path": "site.yaml"}, Host="127.0.0.1:1")
    assert status == 403


def test_the_editor_answers_at_the_loopback_address_serve_was_given(site):
    """`--host 127.0.0.2` is this computer too: the address serve prints for the editor
    answers (it said 403: only 127.0.0.1 and localhost were let in)."""
    with serve_running(site.content, site.output, host="127.0.0.2", quiet=False) as serving:
        assert f"Edit the content in your browser at {serving.base}/admin/" in serving.printed()
        connection = http.client.HTTPConnection("127.0.0.2", serving.port, timeout=30)
        try:
            connection.request("GET", "/admin/")
            response = connection.getresponse()
            assert response.status == 200 and b"ccsite-token" in response.read()
        finally:
            connection.close()


def test_a_request_from_another_site_is_refused(editor):
    status, answer = editor.api("getEntry", {"path": "site.yaml"},
                                Origin="https://evil.example")
    assert status == 403 and "Origin" in answer["error"]
    status, _ = editor.api("getEntry", {"path": "site.yaml"}, Origin=None)
    assert status == 403
    status, answer = editor.api("getEntry", {"path": "site.yaml"}, Sec_Fetch_Site="cross-site")
    assert status == 403 and "Sec-Fetch-Site" in answer["error"]


def test_a_request_without_this_runs_token_is_refused(editor, site):
    before = (site.content / "lessons/more-time.md").read_bytes()
    status, answer = editor.api("getEntry", {"path": "site.yaml"}, X_Ccsite_Token=None)
    assert status == 403 and "token" in answer["error"]
    status, _ = editor.api("deleteFiles", {"paths": ["lessons/more-time.md"],
                                           "options": {"commitMessage": "x"}},
                           X_Ccsite_Token="guessed")
    assert status == 403
    assert (site.content / "lessons/more-time.md").read_bytes() == before
    status, _ = editor.api("getEntry", {"path": "site.yaml"})
    assert status == 200  # with it, the same request is answered


def test_a_page_left_open_while_the_server_restarts_still_saves(site, tmp_path):
    """An editor's page opened before `ccsite serve` was restarted (a crash, a closed
    terminal, a reboot) still saves what was typed in it: the token is the content
    folder's, kept in its cache folder (readable by its owner only), not the run's.
    Another site's server, or one whose cache folder was deleted, refuses it."""
    with serve_running(site.content, site.output) as serving:
        before = Editor(site, serving.port)
    token_file = site.root / ".ccsite-cache/editor-token"
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    with serve_running(site.content, site.output) as serving:
        after = Editor(site, serving.port)
        after.token = before.token  # the page opened before the restart
        path = site.content / "lessons/more-time.md"
        raw = path.read_text().replace("title: ", "title: Even ", 1)
        status, answer = after.save("lessons/more-time.md", raw)
        assert status == 200, answer
        assert path.read_text() == raw
    other = FixtureSite(tmp_path / "other", None)
    with serve_running(other.content, other.output) as serving:
        assert Editor(other, serving.port).token != before.token
    token_file.unlink()
    with serve_running(site.content, site.output) as serving:
        fresh = Editor(site, serving.port)
        assert fresh.token != before.token
        fresh.token = before.token
        status, answer = fresh.api("getEntry", {"path": "site.yaml"})
        assert status == 403 and "token" in answer["error"]


@pytest.mark.parametrize("path", ["../secret.txt", "/etc/passwd", "centres/../../secret.txt",
                                  "centres/..\\..\\secret.txt", "linked/secret.txt",
                                  "link.md", "inside-link.md", ".hidden.md"])
def test_paths_outside_the_content_folder_are_refused(editor, site, path):
    secret = site.root / "secret.txt"
    secret.write_text("not for the editor\n")
    os.symlink(site.root, site.content / "linked")
    os.symlink(secret, site.content / "link.md")
    os.symlink(site.content / "members/directory.yaml", site.content / "inside-link.md")
    status, answer = editor.api("getEntry", {"path": path})
    assert status in (403, 422), answer
    assert "not for the editor" not in json.dumps(answer)
    status, _ = editor.save(path, "---\ntitle: x\n---\n")
    assert status in (403, 422)
    status, _ = editor.api("persistMedia", {"asset": {
        "path": path, "content": base64.b64encode(b"x").decode(), "encoding": "base64"},
        "options": {"commitMessage": "x"}})
    assert status in (403, 422)
    assert secret.read_text() == "not for the editor\n"


def test_only_content_and_media_files_are_written(editor, site):
    status, answer = editor.save("notes.md", "---\ntitle: x\n---\n")
    assert status == 422 and not (site.content / "notes.md").exists()
    status, _ = editor.api("persistMedia", {"asset": {
        "path": "centres/x.md", "content": base64.b64encode(b"x").decode(),
        "encoding": "base64"}, "options": {"commitMessage": "x"}})
    assert status == 422 and not (site.content / "centres/x.md").exists()


def upload(editor, rel: str, data: bytes):
    return editor.api("persistMedia", {"asset": {
        "path": rel, "content": base64.b64encode(data).decode(), "encoding": "base64"},
        "options": {"commitMessage": "upload"}})


def test_a_media_file_replaced_by_an_upload_that_is_refused_is_put_back(editor, site):
    """Decap replaces a file by deleting it and uploading the new one: when the upload is
    refused (here HTML named as a PDF), the editor is told nothing was written, and the
    old file must be there still."""
    leaflet = site.content / "media/leaflet.pdf"
    assert upload(editor, "media/leaflet.pdf", b"%PDF-1.4 the leaflet\n")[0] == 200
    status, _ = editor.api("deleteFiles", {"paths": ["media/leaflet.pdf"],
                                           "options": {"commitMessage": "replace"}})
    assert status == 200 and not leaflet.exists()
    status, _ = upload(editor, "media/leaflet.pdf", b"<!DOCTYPE html><html>not a pdf</html>")
    assert status == 422
    assert leaflet.read_bytes() == b"%PDF-1.4 the leaflet\n"
    # a replacement that is taken replaces it
    status, _ = editor.api("deleteFiles", {"paths": ["media/leaflet.pdf"],
                                           "options": {"commitMessage": "replace"}})
    status, _ = upload(editor, "media/leaflet.pdf", b"%PDF-1.4 the new leaflet\n")
    assert status == 200 and leaflet.read_bytes() == b"%PDF-1.4 the new leaflet\n"


@pytest.mark.parametrize("rel, data, said", [
    ("media/evil.html", b"<html><script>alert(1)</script></html>", "media/evil.html"),
    ("media/x.js", b"fetch('/members/')", "media/x.js"),
    ("members/media/x.html", b"<html></html>", "members/media/x.html"),
    ("media/evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
     "script"),
    ("media/evil2.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "onload"),
    ("media/photo.png", b"<!DOCTYPE html><html><body>hi</body></html>", "media/photo.png"),
    ("media/note.txt", b"<html><body>hi</body></html>", "media/note.txt"),
])
def test_an_upload_the_site_would_not_publish_is_refused_with_the_media_rule(
        editor, site, rel, data, said):
    status, answer = upload(editor, rel, data)
    assert status == 422, answer
    assert said in json.dumps(answer) and ": media: " in json.dumps(answer["errors"])
    assert f"'0-{rel.rsplit('/', 1)[1]}'" not in json.dumps(answer)  # (the file's own name)
    # in the editor's words: the upload by the name it was given, no server path or line
    name = rel.rsplit("/", 1)[1]
    assert answer["said"][0].startswith((f"{name}: ", f"'{name}'"))
    assert not answer["said"][0].startswith(f"{name}: '{name}'")  # (told once)
    assert str(site.content) not in answer["said"][0] and ": media: " not in answer["said"][0]
    assert not (site.content / rel).exists()
    assert upload(editor, "media/plan.pdf", b"%PDF-1.4 a plan\n")[0] == 200  # the rule, not uploads


def test_an_entry_saved_to_a_media_path_is_refused_not_a_crash(editor, site):
    status, answer = editor.save("media/evil.html", "x")
    assert status == 422 and "is not a content file" in json.dumps(answer)
    assert not (site.content / "media/evil.html").exists()
    assert editor.get("/")[0] == 200  # the server still answers


def test_the_editor_is_off_when_serve_listens_beyond_this_computer(site, tmp_path):
    """--host 0.0.0.0, in a network namespace of its own (only a loopback inside), so
    the server is reached from nowhere else while the test runs."""
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(f"""\
        import http.client, subprocess, sys, time
        sys.path.insert(0, {str(os.path.dirname(__file__))!r})
        from conftest import free_port, NOW
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "ccsite", "serve", "--source",
            {str(site.content)!r}, "--output", {str(site.output)!r}, "--port", str(port),
            "--host", "0.0.0.0", "--now", NOW, "--quiet"], stdout=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("HEAD", "/")
                    break
                except OSError:
                    time.sleep(0.1)
            def ask(method, path, body=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request(method, path, body, {{"Host": f"127.0.0.1:{{port}}",
                    "Origin": f"http://127.0.0.1:{{port}}", "Content-Type": "application/json"}})
                return c.getresponse().status
            print(ask("GET", "/"), ask("GET", "/admin/"), ask("GET", "/admin/config.yml"),
                  ask("POST", "/admin/api/v1", '{{"action": "info"}}'))
        finally:
            server.terminate()
            server.wait(timeout=10)
        """))
    done = subprocess.run(["unshare", "--net", "sh", "-c",
                           f"ip link set lo up && {sys.executable} {script}"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "404", "404", "404"]


def test_the_admin_page_has_its_own_content_security_policy(editor):
    status, headers, page = editor.get("/admin/")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-eval';" in policy
    assert "connect-src 'self' blob:;" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy  # nothing from elsewhere
    status, headers, config = editor.get("/admin/config.yml")
    assert status == 200 and f"proxy_url: http://{editor.host}/admin/api/v1" in config


def test_a_mistake_in_another_file_does_not_stop_a_save_but_one_left_in_the_file_does(
        editor, site):
    site.edit("lessons/more-time.md", "order: 1", "order: first")  # broken by hand
    news = site.content / "news/centres-open.md"
    status, _ = editor.save("news/centres-open.md",
                            news.read_text().replace("title: Centres open",
                                                     "title: Centres now open"))
    assert status == 200 and "title: Centres now open" in news.read_text()
    lesson = site.content / "lessons/more-time.md"
    before = lesson.read_text()
    status, answer = editor.save("lessons/more-time.md",
                                 before.replace("Allow more time", "Allow much more time"))
    assert status == 422 and "Order in the list: must be a whole number" in answer["error"]
    assert lesson.read_text() == before


def test_the_managers_directory_is_edited_as_a_list_under_a_key_and_stays_a_list(editor, site):
    path = site.content / "members/directory.yaml"
    status, entry = editor.api("getEntry", {"path": "members/directory.yaml"})
    raw = entry["data"].replace("    topics: [dads]", "    topics: [dads, volunteers]")
    status, _ = editor.save("members/directory.yaml", raw)
    assert status == 200
    assert path.read_text() == "- name: Sam Example\n  role: Centre manager\n  agency: " \
        "oxhey-trust\n  email: sam@example.org\n  topics: [dads, volunteers]\n"


def test_site_settings_saved_from_the_form_keep_what_the_form_does_not_show(editor, site):
    path = site.content / "site.yaml"
    before = path.read_text()
    values = yaml.safe_load(before)
    del values["service_types"]  # the form has none (free keys): Decap sends the rest
    values["title"] = "Test Children's Centres and Family Hubs"
    status, _ = editor.save("site.yaml", yaml.safe_dump(values, sort_keys=False))
    assert status == 200
    after = path.read_text()
    assert "service_types:\n  early-education:" in after and "programme:" in after
    assert after == before.replace("title: Test Children's Centres",
                                   "title: Test Children's Centres and Family Hubs")


def test_an_item_cannot_be_moved_out_of_its_section_nor_into_members(editor, site):
    """Moved from members/pages/ to pages/ in one save, a members page was published
    whole, its members copy gone for the leak audit to know it by (a red team's review).
    Decap's own forms never ask for a move; the API refuses one."""
    handbook = site.content / "members/pages/handbook.md"
    handbook.parent.mkdir(parents=True, exist_ok=True)
    handbook.write_text("---\ntitle: Handbook\nsummary: For lead agencies.\n---\n"
                        "Monitoring returns are due on the 15th working day.\n")
    raw = handbook.read_text()
    for new in ("pages/handbook.md", "news/handbook.md"):
        status, answer = editor.api("persistEntry", {"dataFiles": [
            {"path": "members/pages/handbook.md", "newPath": new, "raw": raw}], "assets": []})
        assert status == 422, answer
        assert "stays in its own section" in json.dumps(answer)
        assert handbook.read_text() == raw and not (site.content / new).exists()
    moved = raw.replace("title: Handbook", "title: Handbook 2027")
    status, _ = editor.api("persistEntry", {"dataFiles": [  # a new name in its own folder
        {"path": "members/pages/handbook.md", "newPath": "members/pages/handbook-2027.md",
         "raw": moved}], "assets": []})
    assert status == 200 and not handbook.exists()
    assert (site.content / "members/pages/handbook-2027.md").read_text() == moved


def test_an_item_renamed_onto_another_is_refused_not_overwritten(editor, site):
    other = site.content / "news/centres-open.md"
    before = other.read_text()
    assert editor.save("news/item-a.md", before.replace("title:", "title: A", 1))[0] == 200
    status, answer = editor.api("persistEntry", {"dataFiles": [
        {"path": "news/item-a.md", "newPath": "news/centres-open.md",
         "raw": (site.content / "news/item-a.md").read_text()}], "assets": []})
    assert status == 409 and "there is already an item at news/centres-open.md" in \
        json.dumps(answer)
    assert other.read_text() == before and (site.content / "news/item-a.md").exists()


@pytest.mark.parametrize("name", ["a\x1b[2Jb.png", "a\nb.png", "x\u202egnp.txt", "why?.pdf",
                                  "<img src=x onerror=alert(1)>.png", 'a"b.png'])
def test_an_upload_whose_name_a_terminal_or_a_web_address_would_act_on_is_refused(
        editor, site, name):
    data = b"%PDF-1.4 x\n" if name.endswith(".pdf") else \
        b"plain text\n" if name.endswith(".txt") else b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    status, answer = upload(editor, f"media/{name}", data)
    assert status == 422, answer
    said = json.dumps(answer)
    assert "rename the file with letters, digits, spaces" in said
    assert not (site.content / "media" / name).exists()


def test_an_item_whose_title_makes_too_long_a_name_is_refused_in_words(editor, site):
    """Decap names a new item from its title: one of 300 letters made a name the file
    system refused, and the editor heard only "Failed to fetch"."""
    long_name = "families-are-invited-to-a-very-special-celebration-" * 6
    raw = (site.content / "news/centres-open.md").read_text()
    status, answer = editor.save(f"news/{long_name}.md", raw)
    assert status == 422, answer
    assert "too long" in answer["error"] and "'Address (slug)'" in answer["error"]
    assert not list((site.content / "news").glob("families-*"))
    assert editor.get("/")[0] == 200  # the server still answers
    # the advice followed: with 'Address (slug)' filled in, it is saved at that address
    # (it was refused again, in the same words: an editor's review)
    with_slug = raw.replace("title: Centres open", "title: Centres open\nslug: celebration")
    status, answer = editor.save(f"news/{long_name}.md", with_slug)
    assert status == 200, answer
    assert "slug: celebration" in (site.content / "news/celebration.md").read_text()
    status, answer = editor.save(f"news/{long_name}.md", with_slug.replace(
        "Centres open", "Centres open again"))  # (Decap saves it again by its first name)
    assert status == 200, answer
    assert "Centres open again" in (site.content / "news/celebration.md").read_text()


def test_a_page_named_as_a_section_of_the_site_is_told_at_its_address_field(editor, site):
    """A page titled "Search" (or "News", "Accessibility"...) was refused with the
    command line's line, path and all ("content/pages/search.md:1: file: ..."), under a
    heading that says each line names the form's field (an editor's review)."""
    status, answer = editor.save("pages/search.md", "---\ntitle: Search\n---\nFind it.\n")
    assert status == 422, answer
    assert answer["said"] == ["Address (slug): 'search' is the address of a section of the "
                              "site; choose another slug (e.g. 'search-information')"]
    assert not (site.content / "pages/search.md").exists()


def test_an_upload_with_too_long_a_name_is_told_so_as_a_file_not_an_item(editor, site):
    status, answer = upload(editor, "media/" + "a" * 240 + ".png",
                            b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    assert status == 422
    assert answer["error"].startswith("The file's name is too long")
    assert "Address (slug)" not in answer["error"]


def test_a_fault_of_the_editors_server_is_told_in_words_not_a_dropped_connection(tmp_path):
    """Any failure of the server's own (a bug, a disk that fails) answers the editor's
    page with what happened and that nothing was changed, where it once dropped the
    connection and Decap said "Failed to fetch". (In this process: the fault is made.)"""
    import http.server
    import threading

    from ccsite.editor.admin import TOKEN_HEADER, AdminSite

    class Failing:
        def answer(self, body):
            raise OSError(5, "Input/output error")

    admin = AdminSite(tmp_path, "content", Failing(), cache=tmp_path / "cache")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            admin._api(self, self.headers["Host"])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host = f"127.0.0.1:{server.server_address[1]}"
        connection = http.client.HTTPConnection(host, timeout=10)
        connection.request("POST", "/admin/api/v1", json.dumps({"action": "getMedia"}),
                           {"Origin": f"http://{host}", TOKEN_HEADER: admin.token,
                            "Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        assert response.status == 500
        assert answer["error"].startswith("Not saved: the editor's server failed (OSError: ")
        assert "Nothing was changed" in answer["error"]
    finally:
        server.shutdown()


def test_a_refused_save_names_the_fields_as_the_form_does(editor, site):
    """Not `/path/content/centres/oxhey.md:14: opening_hours[0].closes: ...` (a server
    path, a line, YAML's names and a count from 0: an editor's review)."""
    raw = (site.content / "centres/oxhey.md").read_text().replace(
        'closes: "17:00"', 'closes: "08:00"')
    status, answer = editor.save("centres/oxhey.md", raw)
    assert status == 422
    assert answer["said"] == ["Opening hours, the 1st: Closes: must be later than Opens "
                              "(09:00)"], answer
    assert answer["errors"][0].startswith(f"{site.content}/centres/oxhey.md:")


def test_a_mistake_in_another_file_is_told_with_that_files_name(editor, site):
    """A reference already used: told at both files, the other by its own path."""
    other = (site.content / "opportunities/oxhey-eoi.md").read_text()
    status, answer = editor.save("opportunities/second-round.md",
                                 other.replace("title: Lead agency for Oxhey",
                                               "title: Second round"))
    assert status == 422
    assert "Reference: 'HCC-1' is also the reference of " in " ".join(answer["said"])
    assert any(line.startswith(f"{site.content}/opportunities/oxhey-eoi.md:")
               for line in answer["said"])


def test_a_save_that_the_build_would_warn_of_is_made_and_the_warning_told(editor, site):
    """An image with no alt text, a deadline moved into the past: saved (the site shows
    them), and said at once in the form's words; editors never run `ccsite check`."""
    news = site.content / "news/centres-open.md"
    raw = news.read_text().replace("See [Oxhey]", "![](/media/pack.pdf) See [Oxhey]")
    status, answer = editor.save("news/centres-open.md", raw)
    assert status == 200 and news.read_text() == raw
    assert ("Text: an image has no alt text, the words that tell people who cannot see it "
            "what it shows: give it some (in the web editor, the image's 'Alt text'; in the "
            "file, ![what the image shows](/media/file.jpg))") in answer["warnings"]
    round_ = (site.content / "opportunities/oxhey-eoi.md").read_text().replace(
        "deadline: 2027-01-29T12:00:00Z", "deadline: 2026-11-20T12:00:00Z")
    status, answer = editor.save("opportunities/oxhey-eoi.md", round_)
    assert status == 200
    assert any(w.startswith("Status: the deadline has passed, so the page shows it as "
                            "closed") for w in answer["warnings"]), answer
    status, answer = editor.save("news/centres-open.md", raw)  # the same again: nothing
    assert status == 200 and answer["warnings"] == []  # written, nothing to tell


def test_a_draft_or_an_item_to_be_published_later_is_said_not_on_the_site_yet(editor, site):
    """Decap says "Published" of every save, and its "View Live" led to "Page not found"
    (an editor's review): the save says the item is a draft, or from when it is on the
    site, in UK time."""
    news = site.content / "news/centres-open.md"
    text = news.read_text()
    status, answer = editor.save("news/centres-open.md",
                                 text.replace("---\n", "---\ndraft: true\n", 1))
    assert status == 200
    assert "Draft: saved as a draft: it is not on the site (nor in its lists, feeds and " \
        "search) until Draft is turned off and it is published again" in answer["warnings"]
    status, answer = editor.save("news/centres-open.md", text.replace(
        "---\n", "---\npublish_date: 2027-07-10T09:00:00+01:00\n", 1))
    assert status == 200
    assert "Publish on: saved, and on the site from 9am on 10 July 2027: until then it is " \
        "not in its lists, feeds and search" in answer["warnings"]
    status, answer = editor.save("news/centres-open.md", text)  # on the site again
    assert status == 200 and not any("on the site" in w for w in answer["warnings"])


def test_a_rounds_deadline_or_value_changed_with_no_update_is_warned_of(editor, site):
    """The form changes the page; providers who read the notice, its feed and the open
    data's readers learn of a change through an update (a new release dated as the
    last update was, with the old deadline gone). Saved, and said at once."""
    path = site.content / "opportunities/oxhey-eoi.md"
    moved = path.read_text().replace("deadline: 2027-01-29T12:00:00Z",
                                     "deadline: 2027-02-12T12:00:00Z")
    status, answer = editor.save("opportunities/oxhey-eoi.md", moved)
    assert status == 200 and path.read_text() == moved
    assert ("Deadline: The deadline changed, but no update says so: providers who read the "
            "notice before learn of a change through its updates") in " ".join(
                answer["warnings"]), answer
    told = moved.replace("enquiries:", "updates:\n  - date: 2026-11-25\n    note: The "
                         "deadline moved to 12 February.\nenquiries:")
    told = told.replace("deadline: 2027-02-12T12:00:00Z", "deadline: 2027-02-19T12:00:00Z")
    status, answer = editor.save("opportunities/oxhey-eoi.md", told)
    assert status == 200
    assert not any("no update says so" in w for w in answer["warnings"]), answer



def test_the_untold_change_warning_knows_a_renamed_round_and_ignores_a_reordered_list(
        editor, site):
    """A multi-select that saves the sectors in another order changed nothing; a save
    that moves the deadline and renames the file changed it all the same."""
    path = site.content / "opportunities/oxhey-eoi.md"
    reordered = path.read_text().replace("eligible_sectors: [voluntary, school]",
                                         "eligible_sectors: [school, voluntary]")
    status, answer = editor.save("opportunities/oxhey-eoi.md", reordered)
    assert status == 200 and not any("no update says so" in w for w in answer["warnings"])
    moved = reordered.replace("deadline: 2027-01-29T12:00:00Z", "deadline: 2027-02-12T12:00:00Z")
    status, answer = editor.api("persistEntry", {"dataFiles": [
        {"path": "opportunities/oxhey-eoi.md", "newPath": "opportunities/oxhey-lead.md",
         "slug": "oxhey-lead", "raw": moved}], "assets": [], "options": {}})
    assert status == 200, answer
    assert any("The deadline changed, but no update says so" in w
               for w in answer["warnings"]), answer

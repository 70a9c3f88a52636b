"""Encrypt mode in a real browser: each member's own passphrase opens the members area,
a wrong one or a removed member's gets a clear message."""
from __future__ import annotations

import base64
import contextlib
import struct
import zlib

import pytest

from browser import needs_browser, served
from ccsite.members import credentials, protect

pytestmark = [pytest.mark.browser, needs_browser]


def unlock(page, base: str, passphrase: str, remember: bool = False) -> None:
    page.goto(base + "/members/")
    page.get_by_label("Your passphrase").fill(passphrase)
    if remember:
        page.get_by_label("Keep me signed in until I close the browser").check()
    page.get_by_role("button", name="Open the members area").click()


def test_each_member_opens_encrypted_members_area_with_own_passphrase(site, page):
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    jane = store.add("Jane Example", None)[1]
    sam = store.add("Sam Example", None)[1]
    assert site.build().status == 0
    with served(site.output / "public") as base:
        for passphrase in (jane, "  " + sam.upper() + " "):  # case and spaces forgiven
            unlock(page, base, passphrase)
            page.get_by_role("heading", level=1, name="Lead agency network").wait_for()
            page.get_by_role("link", name="Running a dads' group").click()
            page.get_by_role("heading", level=1, name="Running a dads' group").wait_for()
            assert "Members-only body." in page.inner_text("main")
            assert page.title() == "Running a dads' group - Test Children's Centres"
            assert "#/good-practice/dads-group/" in page.url

        unlock(page, base, "not the right words at all")
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "That passphrase did not open the members area" in alert.inner_text()
        assert "Running a dads" not in page.content()

        store.remove("Sam Example")
        assert site.build().status == 0
        unlock(page, base, sam)
        page.get_by_role("alert").wait_for()
        unlock(page, base, jane)
        page.get_by_role("link", name="Running a dads' group").wait_for()


KEPT = """() => new Promise((resolve, reject) => {
  const opened = indexedDB.open("ccsite-members", 1);
  opened.onupgradeneeded = () => opened.result.createObjectStore("keys");
  opened.onerror = () => reject(opened.error);
  opened.onsuccess = () => {
    const asked = opened.result.transaction("keys").objectStore("keys").getAll();
    asked.onsuccess = () => {
      const kept = asked.result;
      opened.result.close();
      resolve({count: kept.length, classes: kept.map(k => k.constructor.name),
               algorithms: kept.map(k => k.algorithm && k.algorithm.name),
               extractable: kept.map(k => k.extractable), cookie: document.cookie,
               stored: JSON.stringify([Object.values(sessionStorage), Object.values(localStorage)])});
    };
  };
})"""


def key_forms(key: bytes) -> list[bytes]:
    """The ways a key's bytes could be written down: raw, base64, hex, as UTF-16 too."""
    forms = [key, base64.b64encode(key), base64.urlsafe_b64encode(key).rstrip(b"="),
             key.hex().encode(), key.hex().upper().encode()]
    return forms + [form.decode("latin-1").encode("utf-16-le") for form in forms[1:]]


def signed_in(page) -> None:
    page.get_by_role("link", name="Running a dads' group").wait_for()
    assert page.get_by_role("button", name="Open the members area").is_hidden()


def encrypted_site_with_jane(site) -> str:
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    jane = credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)[1]
    assert site.build().status == 0
    return jane


@contextlib.contextmanager
def browser_with_page_cache(chromium):
    """A browser whose page cache (back/forward) is on, as Chrome's is: Playwright turns
    it off in the browsers it starts."""
    from browser import CHROMIUM, CHROMIUM_ARGS

    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           ignore_default_args=["--disable-back-forward-cache"])
    try:
        yield browser.new_context()
    finally:
        browser.close()


def test_signing_out_closes_the_area_in_the_browsers_other_tabs(site, chromium):
    """Signed out, the sign-in form showed in that tab, but another tab still showed the
    directory, every members page still opening with the key in its memory."""
    jane = encrypted_site_with_jane(site)
    with served(site.output / "public") as base, browser_with_page_cache(chromium) as context:
        page = context.new_page()
        unlock(page, base, jane, remember=True)
        signed_in(page)
        tab = context.new_page()
        tab.goto(base + "/members/#/directory/")
        tab.get_by_role("heading", level=1, name="Managers' directory").wait_for()
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Open the members area").wait_for()
        tab.get_by_role("button", name="Open the members area").wait_for(timeout=5000)
        assert "Sam Example" not in tab.inner_text("main")


def test_signing_out_closes_the_area_in_a_page_back_brings_back(site, chromium):
    """Back, after signing out, brought the last members page back from the browser's
    page cache, decrypted, its key in its memory."""
    jane = encrypted_site_with_jane(site)
    with served(site.output / "public") as base, browser_with_page_cache(chromium) as context:
        page = context.new_page()
        unlock(page, base, jane, remember=True)
        signed_in(page)
        page.get_by_role("link", name="Running a dads' group").click()
        page.get_by_role("heading", level=1, name="Running a dads' group").wait_for()
        page.goto(base + "/")  # away (the members page into the page cache)
        page.goto(base + "/members/")  # back in, signed in still, and signing out
        signed_in(page)
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Open the members area").wait_for()
        page.go_back(wait_until="commit")
        page.go_back(wait_until="commit")  # the post, from the page cache
        page.get_by_role("button", name="Open the members area").wait_for(timeout=5000)
        assert "Members-only body." not in page.inner_text("main")


NO_SITE_DATA = """(() => {  // a browser set to keep no site data: storage refused
  const refuse = () => { throw new DOMException("The user denied permission", "SecurityError"); };
  Object.defineProperty(window, "localStorage", { get: refuse });
  Object.defineProperty(window, "indexedDB", { get: refuse });
})();"""


def test_signing_out_closes_the_area_where_the_browser_keeps_no_site_data(site, chromium):
    """Where the browser refuses site data (a shared computer's setting), Sign out failed
    at deleting the kept key and left the page, and the other tabs, open."""
    jane = encrypted_site_with_jane(site)
    with served(site.output / "public") as base, browser_with_page_cache(chromium) as context:
        context.add_init_script(NO_SITE_DATA)
        page, tab = context.new_page(), context.new_page()
        for each in (page, tab):
            unlock(each, base, jane)
            signed_in(each)
        page.get_by_role("button", name="Sign out").click()
        for each in (page, tab):
            each.get_by_role("button", name="Open the members area").wait_for(timeout=5000)
            assert "Running a dads" not in each.inner_text("main")


def test_after_signing_in_the_focus_is_on_the_page_and_a_wrong_passphrase_is_marked(site,
                                                                                    page):
    """A screen reader was left at the top of the document, told nothing, after the
    form went; a wrong passphrase left the field unmarked, its message unlinked."""
    jane = encrypted_site_with_jane(site)
    with served(site.output / "public") as base:
        unlock(page, base, "not the right words")
        page.get_by_role("alert").wait_for()
        field = page.get_by_label("Your passphrase")
        assert field.get_attribute("aria-invalid") == "true"
        assert "members-error" in field.get_attribute("aria-describedby").split()
        unlock(page, base, jane)
        signed_in(page)  # (the sign-in page has a heading of that name too)
        heading = page.get_by_role("heading", level=1, name="Lead agency network")
        assert heading.evaluate("e => e === document.activeElement")


def test_remember_me_keeps_two_halves_that_open_nothing_alone_for_the_session_only(site, page):
    """Kept: a wrapping key no script can read in IndexedDB and, wrapped by it, the
    content key in a session cookie: never the key itself, nor its bytes in web storage.
    The session's other tabs are signed in too; a new session (its cookies gone) finds the
    wrapping key deleted; signing out deletes both."""
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    jane = store.add("Jane Example", None)[1]
    assert site.build().status == 0
    public = site.output / "public"
    content_key = protect.open_key_slots((public / "members/keys.json").read_bytes(), jane)
    with served(public) as base:
        unlock(page, base, jane, remember=True)
        signed_in(page)
        kept = page.evaluate(KEPT)
        assert kept["count"] == 1 and kept["classes"] == ["CryptoKey"]
        assert kept["algorithms"] == ["AES-KW"] and kept["extractable"] == [False]
        wrapped = kept["cookie"].removeprefix("ccsite-members-key=")
        assert len(base64.b64decode(wrapped)) == 40  # AES-KW of a 32-byte key
        for form in key_forms(content_key)[1:3]:
            assert form.decode() not in kept["stored"] + kept["cookie"]
        page.reload()
        signed_in(page)
        tab = page.context.new_page()  # typed or bookmarked in another tab of the session
        tab.goto(base + "/members/#/directory/")
        tab.get_by_role("heading", level=1, name="Managers' directory").wait_for()
        assert "Sam Example" in tab.inner_text("main")
        tab.close()

        page.context.clear_cookies()  # the browser closed: a new session
        page.reload()
        page.get_by_role("button", name="Open the members area").wait_for()
        assert page.evaluate(KEPT)["count"] == 0

        unlock(page, base, jane, remember=True)
        signed_in(page)
        assert page.evaluate(KEPT)["count"] == 1
        page.evaluate("() => { ccsiteMembers.signOut(); }")
        page.get_by_role("button", name="Open the members area").wait_for()
        assert page.evaluate(KEPT)["count"] == 0 and page.evaluate("document.cookie") == ""
        assert "Running a dads" not in page.inner_text("main")


def profile_holds(profile, forms: list[bytes]) -> list[str]:
    """The files of a browser profile that hold any of `forms`."""
    return sorted({str(path.relative_to(profile)) for path in profile.rglob("*")
                   if path.is_file() and not path.is_symlink()
                   and any(form in path.read_bytes() for form in forms)})


def test_remember_me_leaves_nothing_on_disk_that_opens_the_area_once_the_browser_closes(
        site, chromium, tmp_path):
    """The reviewer's test: a browser profile on disk, signed in with "Keep me signed in",
    the browser closed, its folder searched. Neither the content key (raw or written
    out) nor its wrapped half may be there in clear: the wrapping key in IndexedDB must
    not have, beside it on the disk, what it unwraps. The next session is not signed
    in and deletes the wrapping key left behind."""
    from browser import CHROMIUM, CHROMIUM_ARGS

    site.edit("site.yaml", "protection: server", "protection: encrypt")
    jane = credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)[1]
    assert site.build().status == 0
    public = site.output / "public"
    content_key = protect.open_key_slots((public / "members/keys.json").read_bytes(), jane)
    profile = tmp_path / "profile"

    def browser_session():
        return chromium.browser_type.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    with served(public) as base:
        session = browser_session()
        page = session.new_page()
        unlock(page, base, jane, remember=True)
        signed_in(page)
        page.reload()
        signed_in(page)
        other = session.new_page()
        other.goto(base + "/members/")
        signed_in(other)
        wrapped = [base64.b64decode(c["value"]) for c in session.cookies()
                   if c["name"] == "ccsite-members-key"]
        session.close()

        found = profile_holds(profile, key_forms(content_key))
        assert not found, f"the content key, in {found}"
        assert len(wrapped) == 1
        found = profile_holds(profile, key_forms(wrapped[0]))
        assert not found, f"the wrapped content key, in clear beside the wrapping key: {found}"

        session = browser_session()
        page = session.new_page()
        page.goto(base + "/members/")
        page.get_by_role("button", name="Open the members area").wait_for()
        assert page.evaluate(KEPT)["count"] == 0
        session.close()


COUNT_DERIVATIONS = """
window.pbkdf2Runs = 0;
for (const name of ["deriveBits", "deriveKey"]) {
  const original = crypto.subtle[name].bind(crypto.subtle);
  crypto.subtle[name] = (algorithm, ...rest) => {
    if ((algorithm.name || algorithm) === "PBKDF2") window.pbkdf2Runs += 1;
    return original(algorithm, ...rest);
  };
}
"""


def test_opening_runs_one_passphrase_derivation_whatever_the_number_of_members(site, page):
    """PBKDF2 (600,000 iterations) runs once to open the area, not once per member slot:
    with three members and 29 padding slots, one derivation."""
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    passphrases = [store.add(name, None)[1] for name in ("Ann Example", "Bob Example",
                                                         "Cat Example")]
    assert site.build().status == 0
    page.add_init_script(COUNT_DERIVATIONS)
    with served(site.output / "public") as base:
        for passphrase in (passphrases[-1], passphrases[0]):
            unlock(page, base, passphrase)
            page.get_by_role("link", name="Running a dads' group").wait_for()
            assert page.evaluate("window.pbkdf2Runs") == 1


def test_member_searches_good_practice_by_keyword_and_reads_a_post(site, page):
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    site.edit("members/good-practice/dads-group.md", "Members-only body.",
              "Members-only body. We moved the group to Saturday mornings.")
    jane = credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)[1]
    assert site.build().status == 0
    with served(site.output / "public") as base:
        unlock(page, base, jane)
        page.get_by_role("navigation", name="Lead agency network") \
            .get_by_role("link", name="Search").click()
        page.get_by_label("Words to look for").fill("saturday")
        page.get_by_role("button", name="Search").click()
        page.get_by_text("1 result for “saturday”").wait_for()
        page.get_by_role("link", name="Running a dads' group").first.click()
        page.get_by_role("heading", level=1, name="Running a dads' group").wait_for()
        assert "Saturday mornings" in page.inner_text("main")


def png(width: int, height: int) -> bytes:
    """A real PNG (grey pixels), for an image the browser must be able to show."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_members_files_are_only_ever_asked_for_by_their_opaque_encrypted_names(site, page):
    """A members post's image and PDF link: the browser never asks the host for
    /members/media/... (a 404 there, the file's name in the host's logs and the page in
    Referer), only for members/files/*.enc; the image shows, decrypted, and the link
    opens the decrypted file, clicked or middle-clicked."""
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    site.write("members/media/budget-plan.png", png(3, 2))
    site.write("members/media/rota sheet.pdf", "%PDF-1.4 the members' rota\n")
    site.edit("members/good-practice/dads-group.md", "Members-only body.",
              "Members-only body.\n\n![The plan](/members/media/budget-plan.png)\n\n"
              "Download the [rota](/members/media/rota%20sheet.pdf).")
    jane = credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)[1]
    assert site.build().status == 0
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.context.on("request", lambda request: asked.append(request.url))
    with served(site.output / "public") as base:
        unlock(page, base, jane)
        page.get_by_role("link", name="Running a dads' group").click()
        image = page.get_by_role("img", name="The plan")
        page.wait_for_function("img => img.complete && img.naturalWidth === 3",
                               arg=image.element_handle())
        assert image.get_attribute("src").startswith("blob:")
        rota = page.get_by_role("link", name="rota")
        with page.expect_download() as saved:
            rota.click()
        assert saved.value.suggested_filename == "rota sheet.pdf"
        assert open(saved.value.path(), "rb").read() == b"%PDF-1.4 the members' rota\n"
        with page.expect_download() as saved:  # no tab asking the host for its name
            rota.click(button="middle")
        assert saved.value.suggested_filename == "rota sheet.pdf"
        page.go_back()  # the front page, then the post shown again: its files opened anew
        page.get_by_role("link", name="Running a dads' group").wait_for()
        page.go_forward()
        page.wait_for_function("() => { const img = document.querySelector('main img');"
                               " return img && img.complete && img.naturalWidth === 3; }")
    told = [url for url in asked if "/members/media/" in url or "budget-plan" in url
            or "rota" in url]
    assert not told, f"members file names asked of the host: {told}"
    assert any("/members/files/" in url and url.endswith(".enc") for url in asked)

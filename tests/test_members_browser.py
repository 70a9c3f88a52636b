"""Encrypt mode in a real browser: each member's own passphrase opens the members area,
a wrong one or a removed member's gets a clear message."""
from __future__ import annotations

import pytest

from browser import needs_browser, served
from ccsite.members import credentials

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


def test_remember_me_keeps_the_key_for_the_session_only(site, page):
    site.edit("site.yaml", "protection: server", "protection: encrypt")
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    jane = store.add("Jane Example", None)[1]
    assert site.build().status == 0
    with served(site.output / "public") as base:
        unlock(page, base, jane, remember=True)
        page.get_by_role("link", name="Running a dads' group").wait_for()
        assert page.evaluate("Object.keys(localStorage).length") == 0
        assert page.evaluate("Object.keys(sessionStorage).length") == 1
        page.goto(base + "/members/#/directory/")
        page.get_by_role("heading", level=1, name="Managers' directory").wait_for()
        assert "Sam Example" in page.inner_text("main")


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

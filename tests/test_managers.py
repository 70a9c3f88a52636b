"""Lead-agency managers: how to share practice, a failed sign-in that helps, and signing
out of the encrypted members area."""
from __future__ import annotations

import pytest

from browser import needs_browser, served
from ccsite.members import credentials
from conftest import http_get
from test_members_browser import KEPT, unlock
from test_serve import serving

CONTACT = ("members:\n  title: Lead agency network\n  protection: server\n"
           "  contact: {name: Network coordinator, email: cc.network@example.org}\n")


def with_contact(site, protection: str = "server") -> None:
    site.edit("site.yaml", "members:\n  title: Lead agency network\n  protection: server\n",
              CONTACT.replace("protection: server", f"protection: {protection}"))


def test_members_home_links_to_share_your_practice_which_names_who_to_send_it_to(site):
    with_contact(site)
    assert site.build().status == 0
    members = site.output / "members"
    home = (members / "index.html").read_text()
    assert 'href="/members/share/"' in home and "Share your practice" in home
    share = (members / "share" / "index.html").read_text()
    assert "What to include" in share
    assert "Network coordinator" in share
    assert 'href="mailto:cc.network@example.org?subject=Good%20practice%20post"' in share
    assert "/admin/" not in share  # no web editor for members in this site


def test_share_page_offers_the_web_editor_when_members_may_edit(site):
    with_contact(site)
    site.edit("site.yaml", "members:\n", "editor:\n  backend: github\n  repo: council/cc\n"
              "  base_url: https://auth.example.org/\n  members: true\nmembers:\n")
    assert site.build().status == 0
    share = (site.output / "members" / "share" / "index.html").read_text()
    assert "/admin/#/collections/good-practice/new" in share


def test_sign_in_help_is_public_says_the_login_is_not_the_email_and_who_to_ask(site):
    with_contact(site)
    assert site.build().status == 0
    text = site.text("/members-help/")
    assert "It is not your e-mail address" in text
    assert "Ask Network coordinator for a new one" in text
    assert 'href="/"' in site.page("/members-help/")


def test_members_contact_needs_an_email_or_a_phone(site):
    site.edit("site.yaml", "protection: server\n",
              "protection: server\n  contact: {name: Network coordinator}\n")
    result = site.build()
    assert result.status == 1
    assert "site.yaml:19: members.contact.email: give an email or a phone" in result.err


def test_preview_server_answers_a_failed_sign_in_with_the_help_page(site):
    with_contact(site)
    member, _ = credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example",
                                                                            None)
    with serving(site) as base:
        status, headers, body = http_get(base + "/members/", ("jane@example.org", "words"))
        assert status == 401
        assert headers["WWW-Authenticate"].startswith("Basic ")
        assert headers["Content-Type"].startswith("text/html")
        assert "It is not your e-mail address" in body and "Network coordinator" in body


@needs_browser
@pytest.mark.browser
def test_failed_sign_in_in_a_browser_shows_the_help_page(site, chromium):
    with_contact(site)
    credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)
    context = chromium.new_context(http_credentials={"username": "Jane Example",
                                                     "password": "wrong words"})
    try:
        with serving(site) as base:
            page = context.new_page()
            response = page.goto(base + "/members/")
            assert response.status == 401
            page.get_by_role("heading", level=1,
                             name="Signing in to the members area").wait_for()
            assert "jane-example" in page.inner_text("main")
            page.get_by_role("link", name="Back to Test Children's Centres").wait_for()
    finally:
        context.close()


@needs_browser
@pytest.mark.browser
def test_encrypted_area_says_signed_in_on_this_browser_and_signs_out(site, page):
    with_contact(site, "encrypt")
    jane = credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)[1]
    assert site.build().status == 0
    with served(site.output / "public") as base:
        unlock(page, base, jane, remember=True)
        page.get_by_text("Signed in on this browser.").wait_for()
        kept = page.evaluate(KEPT)
        assert kept["count"] == 1 and kept["cookie"]  # the two halves of the kept key
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Open the members area").wait_for()
        kept = page.evaluate(KEPT)
        assert kept["count"] == 0 and not kept["cookie"]
        assert page.evaluate("Object.keys(sessionStorage).length") == 0
        assert "Running a dads" not in page.inner_text("main")
        page.reload()  # gone for good: the form again, not the area
        page.get_by_role("button", name="Open the members area").wait_for()
        unlock(page, base, "not the right words at all")
        assert "ask Network coordinator for a new passphrase" in \
            page.get_by_role("alert").inner_text()


def test_a_manager_named_with_accents_and_an_apostrophe_is_added_with_a_login_to_type(site):
    from ccsite.cli import main

    secrets = site.root / ".ccsite-secrets"
    assert main(["members", "add", "Siobhán O’Brien-Smith", "--secrets", str(secrets)]) == 0
    member = credentials.MemberStore(secrets).load()[0]
    assert member.login == "siobhan-o-brien-smith"
    assert main(["members", "add", "张伟", "--secrets", str(secrets)]) == 1

"""The web editor in a real browser: Decap CMS at /admin/ on `ccsite serve` over a copy of
the sample content, used as a council officer or a lead-agency manager would."""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest

import pagetypes
from browser import needs_browser
from conftest import serve_running

pytestmark = [pytest.mark.browser, needs_browser]

PDF = b"%PDF-1.4\n% a briefing pack\n"


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """`ccsite serve` of a copy of the sample; yields (base URL, content folder)."""
    folder = tmp_path_factory.mktemp("editor-serve")
    content = pagetypes.copy_sample(folder)
    with serve_running(content, folder / "_site", now=pagetypes.NOW) as serving:
        yield serving.base, content


class Session:
    """One editor's browser tab on /admin/, recording what the page asks for and says."""

    def __init__(self, chromium, base: str, phone: bool = False):
        self.base = base
        self.context = chromium.new_context(
            viewport={"width": 390, "height": 844} if phone else {"width": 1400, "height": 1000},
            is_mobile=phone, has_touch=phone, timezone_id="Europe/London")
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.context.route("**/*", self._only_this_server)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def _only_this_server(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith((self.base + "/", "blob:" + self.base + "/", "data:")):
            route.continue_()
        else:  # offline: anything from elsewhere would fail here
            self.refused.append(url)
            route.abort()

    def open(self, fragment: str) -> None:
        self.page.goto(f"{self.base}/admin/#{fragment}")
        self.page.get_by_role("button", name="Login").click()
        self.page.get_by_text("Writing in" if "/entries/" in fragment or
                              fragment.endswith("/new") else "Collections").first.wait_for()

    def field(self, label: str, nth: int = 0):
        return self.page.get_by_label(label, exact=True).nth(nth)

    def choose(self, label: str, option: str) -> None:
        self.field(label).fill(option)
        self.page.get_by_role("option", name=option, exact=False).first.click()

    def publish(self) -> None:
        self.page.get_by_role("button", name="Publish").first.click()
        self.page.get_by_text("Publish now").click()

    def saved(self) -> None:
        self.page.get_by_text("Entry saved").wait_for(timeout=15000)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(chromium, preview):
    opened = Session(chromium, preview[0])
    yield opened
    opened.close()


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


def page_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return f"{error.code}"


def test_the_samples_configuration_loads_in_decap_without_errors_and_offline(session):
    session.open("/")
    page = session.page
    for label in ("Centres", "Opportunities", "News", "Good practice", "Managers' directory",
                  "Site settings"):
        assert page.get_by_role("link", name=label).count() or page.get_by_text(label).count()
    page.get_by_text("Holywell Children's Centre").wait_for()
    assert "Config Errors" not in page.content()
    assert [line for line in session.console if line.startswith(("error", "pageerror"))] == []
    assert session.refused == []  # every request went to ccsite's own server
    assert f"{session.base}/admin/decap-cms.js" in session.requests


def test_lists_put_news_newest_first_with_its_date_and_centres_by_name(session):
    """Entries were listed by file name: a centre called Thorley between Berkhamsted and
    Bishop's Stortford, news in no order and with no date (an editor's review)."""
    session.open("/collections/news")
    cards = session.page.locator("[class*='-ListCardLink'], [class*='ListCard'] a")
    cards.first.wait_for()
    first = " ".join(cards.first.inner_text().split())
    assert first == "Briefing sessions for organisations thinking of leading a centre (18 Nov "\
        "2026)", first  # (the newest: 18 November)
    session.page.goto(f"{session.base}/admin/#/collections/centre")
    cards.first.wait_for()
    names = [" ".join(text.split()) for text in cards.all_inner_texts()]
    assert names[:3] == ["Abbots Langley Children's Centre", "Adeyfield Children's Centre",
                         "Apsley Children's Centre"], names[:5]


def test_the_preview_says_each_field_by_its_label_and_its_value_as_the_site_does(session):
    """The preview listed the values as stored, unlabelled ("expression-of-interest",
    "2027-01-29T12:00:00Z"), and the form's lists showed codes (an editor's review)."""
    session.open("/collections/opportunity/entries/recommissioning-eoi-2027")
    preview = session.page.frame_locator("iframe").first.locator(".ccsite-preview")
    preview.wait_for()
    said = " ".join(preview.inner_text().split())
    for shown in ("Kind Expression of interest", "Status Active",
                  "Deadline midday on 29 January 2027 (UK time)",
                  "Who may bid Voluntary and community, Private", "Published 2 November 2026",
                  "Amount (pounds) \u00a3450,000"):
        assert shown in said, said
    assert "expression-of-interest" not in said and "2027-01-29T" not in said
    assert "What we are looking for" in said  # the text, as it reads
    assert session.page.get_by_text("Expression of interest", exact=True).first.is_visible()


def test_changing_opening_hours_changes_only_that_line(session, preview):
    base, content = preview
    path = content / "centres/watford-holywell.md"
    before = path.read_text(encoding="utf-8")
    session.open("/collections/centre/entries/watford-holywell")
    session.field("Closes", 1).fill("15:30")
    session.publish()
    session.saved()
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('    closes: "16:00"', '    closes: "15:30"')
    assert after.split("---\n", 2)[2] == before.split("---\n", 2)[2]  # the body as it was
    # the preview shows it within a second of the save, as a saved file does
    wait_for(lambda: "15:30" in page_text(f"{base}/centres/watford-holywell/"), 5.0,
             "the change on the preview page")
    assert session.refused == []


def test_an_entry_opened_by_its_address_from_another_with_changes_shows_its_own_fields(
        session, preview):
    """A news item opened by its address (a bookmark, a pasted link) from an opportunity
    with a changed title: after "leave this page?", the form holds the news item as it
    is, not the opportunity's title and summary (Decap's own behaviour: an editor's
    review), and the browser asks nothing more."""
    base, content = preview
    dialogs: list[str] = []
    session.page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    session.open("/collections/opportunity/entries/family-outreach-grants-2025")
    session.field("Title").fill("CHANGED TITLE not saved")
    session.page.evaluate(
        "location.hash = '#/collections/news/entries/family-survey-2026'")
    wait_for(lambda: session.field("Title").count() and session.field("Title").input_value()
             == "What families told us about their children's centres", 15.0,
             "the news item's own title in the form")
    session.page.get_by_text("Writing in").first.wait_for()
    assert session.field("Summary").input_value() in (
        content / "news/family-survey-2026.md").read_text(encoding="utf-8")
    assert dialogs == ["confirm"]  # Decap's question only, not the browser's as well
    assert "CHANGED TITLE" not in (content / "news/family-survey-2026.md").read_text()


def test_staying_on_an_entry_keeps_what_was_typed_and_a_new_entrys_form_is_left_afresh(
        session, preview):
    """"Stay" to Decap's "leave this page?" keeps the changes typed (the page must not
    load afresh then: a review of the fix above); an entry opened by its address from a
    new one's form shows its own fields, not the new form's (a review)."""
    page = session.page
    answers = iter([False])
    page.on("dialog", lambda dialog: dialog.accept() if next(answers, True)
            else dialog.dismiss())
    session.open("/collections/centre/entries/berkhamsted-childrens-centre")
    session.field("Name").fill("Berkhamsted EDITED")
    page.evaluate("location.hash = '#/collections/centre/entries/bushey-childrens-centre'")
    page.wait_for_timeout(1500)
    assert session.field("Name").input_value() == "Berkhamsted EDITED"
    page.goto(f"{session.base}/admin/#/collections/news/new")
    page.get_by_text("Writing in").first.wait_for()
    page.evaluate("location.hash = "
                  "'#/collections/consultation/entries/priors-wood-childrens-centre-2019'")
    wait_for(lambda: session.field("Title").count() and session.field("Title").input_value()
             .startswith("The future of Priors Wood"), 15.0, "the consultation's own title in the form")
    assert session.field("Summary").input_value()


def new_news_item(session, title: str, summary: str, text: str) -> None:
    """A news item filled in as an editor does, dated 24 November 2026, not yet saved."""
    session.open("/collections/news/new")
    session.field("Title").fill(title)
    session.field("Date").fill("2026-11-24")
    session.field("Summary").fill(summary)
    session.page.locator('[data-slate-editor="true"]').first.click()
    session.page.keyboard.type(text)


def test_a_news_item_made_in_the_editor_builds(session, preview, tmp_path):
    base, content = preview
    new_news_item(session, "Caf\u00e9 opens at Oxhey: drop in!",
                  "A new caf\u00e9 for families with young children.",
                  "Come and see the new caf\u00e9.")
    session.publish()
    session.saved()
    made = content / "news/cafe-opens-at-oxhey-drop-in.md"  # ccsite's file-name rule
    assert made.read_text(encoding="utf-8") == (
        "---\ntitle: 'Caf\u00e9 opens at Oxhey: drop in!'\ndate: 2026-11-24\n"
        "summary: A new caf\u00e9 for families with young children.\n---\n"
        "Come and see the new caf\u00e9.\n")
    built = pagetypes.build(content, tmp_path / "_site")
    assert "Caf\u00e9 opens at Oxhey" in (built / "public/news/cafe-opens-at-oxhey-drop-in/"
                                          "index.html").read_text(encoding="utf-8")


def test_a_new_draft_saved_says_so_and_the_page_stays_to_say_it(session, preview):
    """The save of a new entry moves the page to the entry's own address: what the save
    said (a draft, not on the site) must stay, not go with the page loaded afresh."""
    new_news_item(session, "Spring timetable coming soon", "Our spring timetable.",
                  "More soon.")
    session.page.get_by_label("Draft (optional)", exact=True).click()
    session.publish()
    told = session.page.locator("#ccsite-mistakes")
    told.wait_for()
    session.page.wait_for_timeout(2000)  # (a reload would have come within this)
    assert told.is_visible() and "saved as a draft" in told.inner_text()
    assert "/entries/spring-timetable-coming-soon" in session.page.url
    (preview[1] / "news/spring-timetable-coming-soon.md").unlink()


def test_a_news_item_titled_in_urdu_is_saved_at_the_address_the_editor_gives(session,
                                                                               preview):
    """A title with no letters A to Z gives Decap no file name: the editor is told to
    fill in 'Address (slug)', and once it is, the item is saved there and published."""
    base, content = preview
    new_news_item(session, "\u062e\u0648\u0634 \u0622\u0645\u062f\u06cc\u062f",
                  "Welcome, in Urdu.", "Hello.")
    session.publish()
    session.page.get_by_text("Fill in 'Address (slug)'").first.wait_for(timeout=15000)
    assert not (content / "news/.md").exists()
    session.field("Address (slug) (optional)").fill("welcome-in-urdu")
    session.page.keyboard.press("Tab")
    session.page.frame_locator("iframe").first.get_by_text("welcome-in-urdu").wait_for()  # the
    # preview shows it: the form has taken it
    session.publish()
    session.saved()
    assert "Hello." in (content / "news/welcome-in-urdu.md").read_text(encoding="utf-8")
    wait_for(lambda: "Welcome, in Urdu." in page_text(f"{base}/news/welcome-in-urdu/"), 10.0,
             "the item on the preview")


def test_an_opportunity_with_a_deadline_and_an_uploaded_document(session, preview, tmp_path):
    base, content = preview
    upload = tmp_path / "holiday-briefing.pdf"
    upload.write_bytes(PDF)
    session.open("/collections/opportunity/new")
    session.field("Title").fill("Holiday play grants 2027")
    session.field("Reference").fill("HCC-CC-2027-09")
    session.choose("Kind", "Grant")  # (by its name: the file keeps its code)
    session.choose("Status", "Active")
    session.field("Published").fill("2026-11-20")
    session.field("Deadline (optional)").fill("2027-01-29T12:00")
    session.choose("Who may bid", "Voluntary and community")
    session.page.get_by_role("button", name="Add document", exact=True).click()
    session.field("Title", 1).fill("Briefing pack")
    session.page.get_by_role("button", name="Choose a file").click()
    session.page.locator('input[type="file"]').set_input_files(str(upload))
    session.page.get_by_text("holiday-briefing.pdf").first.wait_for()
    session.page.get_by_role("button", name="Choose selected").click()
    session.field("Name").fill("Commissioning team")
    session.field("E-mail (optional)").fill("commissioning@example.org")
    session.publish()
    session.saved()
    assert (content / "media/holiday-briefing.pdf").read_bytes() == PDF
    text = (content / "opportunities/holiday-play-grants-2027.md").read_text(encoding="utf-8")
    assert "deadline: 2027-01-29T12:00:00+00:00\n" in text  # UK winter time, with its zone
    assert "    url: media/holiday-briefing.pdf\n" in text
    assert "value:" not in text and "draft:" not in text  # nothing the form made up
    built = pagetypes.build(content, tmp_path / "_site")
    page = (built / "public/opportunities/holiday-play-grants-2027/index.html").read_text()
    assert "/media/holiday-briefing.pdf" in page
    assert (built / "public/media/holiday-briefing.pdf").read_bytes() == PDF


def test_a_value_the_widgets_allow_but_the_validator_refuses_is_not_saved(session, preview):
    base, content = preview
    path = content / "opportunities/recommissioning-eoi-2027.md"
    before = path.read_bytes()
    session.open("/collections/opportunity/entries/recommissioning-eoi-2027")
    session.field("Deadline (optional)").fill("2026-10-01T12:00")  # before it was published
    session.publish()
    mistakes = session.page.locator("#ccsite-mistakes")
    mistakes.wait_for()
    shown = "Deadline: must be later than the start of the published day (2026-11-02)"
    assert shown in mistakes.inner_text()  # the form's words, not the file's
    assert str(content) not in mistakes.inner_text()
    assert shown in session.page.get_by_text("Failed to persist entry").first.inner_text()
    assert path.read_bytes() == before


def test_fields_the_form_refuses_are_listed_and_the_editor_taken_to_the_first(session,
                                                                              preview):
    """A postcode that is not one, typed screens below Publish: "Publish now" did nothing
    an editor could see (Decap marks the field, and says nothing of a pattern); an empty
    required field was told only as "you've missed a required field" (an editor's
    review)."""
    base, content = preview
    path = content / "centres/hemel-apsley.md"
    before = path.read_bytes()
    session.open("/collections/centre/entries/hemel-apsley")
    postcode = session.field("Postcode")
    postcode.fill("HP39 SD")
    session.page.evaluate("window.scrollTo(0, 0)")
    session.publish()
    told = session.page.locator("#ccsite-mistakes")
    told.wait_for()
    assert told.locator("h2").inner_text() == "Not saved: a field needs changing"
    assert told.locator("li").all_inner_texts() == [
        "Address: Postcode didn't match the pattern: A UK postcode, e.g. WD17 1AB."]
    assert told.get_attribute("role") == "alert"
    assert session.page.evaluate("document.activeElement.value") == "HP39 SD"
    assert path.read_bytes() == before
    postcode.fill("HP3 9SE")
    session.publish()
    session.saved()
    assert told.count() == 0
    assert path.read_bytes() == before.replace(b"postcode: HP3 9SD", b"postcode: HP3 9SE")
    session.field("Name").fill("")
    session.publish()
    told.wait_for()
    assert told.locator("li").all_inner_texts() == ["Name is required."]
    assert session.page.evaluate("document.activeElement.value") == ""  # the name's
    told.get_by_role("button", name="Close").click()
    session.page.get_by_role("button", name="Publish").first.click()  # (the other ways
    session.page.get_by_text("Publish and create new").click()         # to publish too)
    told.wait_for()
    assert told.locator("li").all_inner_texts() == ["Name is required."]
    # from the keyboard: Enter on Publish, then on "Publish now" (the panel never came,
    # and the focus stayed on Publish: an editor's review)
    told.get_by_role("button", name="Close").click()
    session.page.get_by_role("button", name="Publish").first.focus()
    session.page.keyboard.press("Enter")
    session.page.get_by_role("menuitem", name="Publish now").wait_for()
    session.page.get_by_role("menuitem", name="Publish now").focus()
    session.page.keyboard.press("Enter")
    told.wait_for()
    assert told.locator("li").all_inner_texts() == ["Name is required."]
    assert session.page.evaluate("document.activeElement.value") == ""  # the name's
    assert path.read_bytes() == before.replace(b"postcode: HP3 9SD", b"postcode: HP3 9SE")


def test_a_save_the_server_never_answers_says_what_to_do_and_keeps_the_form(session,
                                                                           preview):
    """The preview server stopped: Decap said "Failed to fetch" for 8 s, and nothing of
    what to do (an editor's review)."""
    base, content = preview
    path = content / "centres/hemel-apsley.md"
    before = path.read_bytes()
    session.open("/collections/centre/entries/hemel-apsley")
    session.page.route("**/admin/api/v1", lambda route: route.abort()
                       if "persistEntry" in (route.request.post_data or "")
                       else route.continue_())
    was = re.search(r"postcode: (.+)", before.decode())[1]  # (as other tests left it)
    postcode = "HP3 9SF" if was != "HP3 9SF" else "HP3 9SG"
    session.field("Postcode").fill(postcode)
    session.publish()
    told = session.page.locator("#ccsite-mistakes")
    told.wait_for()
    assert told.locator("h2").inner_text() == "Not saved"
    assert "Check that `ccsite serve` is still running" in told.inner_text()
    assert told.get_attribute("role") == "alert"
    assert path.read_bytes() == before
    session.page.unroute("**/admin/api/v1")  # (started again)
    told.get_by_role("button", name="Close").click()
    assert session.field("Postcode").input_value() == postcode
    session.publish()
    session.saved()
    assert path.read_bytes() == before.replace(f"postcode: {was}".encode(),
                                               f"postcode: {postcode}".encode())
    path.write_bytes(before)  # (as it was, for the tests after it)


@pytest.mark.parametrize("zone, warned", [("UTC", True), ("America/New_York", True),
                                         ("Europe/London", False)])
def test_a_computer_not_set_to_uk_time_is_told_before_it_changes_a_time(chromium, preview,
                                                                       zone, warned):
    """Decap's picker shows a time in the computer's zone: on one set to UTC a summer
    deadline of 09:00 showed as 08:00, and a change to its day kept 08:00 (an editor's
    review)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000},
                                   timezone_id=zone)
    try:
        page = context.new_page()
        page.goto(f"{preview[0]}/admin/#/collections/opportunity/entries/"
                  "recommissioning-eoi-2027")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Writing in").first.wait_for()
        note = page.get_by_role("status", name="Time zone")
        if warned:
            assert f"This computer's clock is set to {zone}, not UK time" in note.inner_text()
            note.get_by_role("button", name="Close").click()
        assert note.count() == 0
    finally:
        context.close()


def test_every_control_of_a_form_has_a_name_a_screen_reader_can_say(session):
    """A list item's buttons said only "button" (one of them removes the item), its
    handle for moving it nothing, a Markdown field had a label that pointed at nothing,
    and the "Now" buttons said "Set opening_date to now" (an editor's review)."""
    session.open("/collections/centre/entries/hemel-apsley")
    page = session.page
    page.get_by_role("button", name=re.compile(r"^Remove Sessions, the 1st \(")).wait_for()
    page.get_by_role("button", name=re.compile(r"^Show or hide Sessions, the 1st \("))\
        .wait_for()
    page.get_by_role("button", name=re.compile(r"^Move Sessions, the 1st \(")).wait_for()
    page.get_by_role("button", name="Set Opening date to now").wait_for()
    page.get_by_role("textbox", name="Text", exact=True).wait_for()
    tree = session.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    unnamed = [node["role"]["value"] for node in tree if not node.get("ignored") and
               node.get("role", {}).get("value") in ("button", "switch", "textbox",
                                                     "combobox", "checkbox") and
               not (node.get("name") or {}).get("value")]
    assert unnamed == []


def test_a_refused_field_in_a_list_is_told_by_its_items_place_and_summary(session,
                                                                          preview):
    """"Sessions: Starts didn't match..." did not say which session, of a centre's dozen
    (an editor's review): the item is told by its place in the list, counted as the
    validator's messages count ("the 3rd"), and by the summary its bar shows."""
    base, content = preview
    path = content / "centres/tring-childrens-centre.md"
    before = path.read_bytes()
    session.open("/collections/centre/entries/tring-childrens-centre")
    session.field("Starts", 2).fill("9.30am")  # the 3rd session's (of 3)
    session.field("Closes", 1).fill("noon")  # the 2nd opening hours' (of 2)
    session.page.evaluate("window.scrollTo(0, 0)")
    session.publish()
    told = session.page.locator("#ccsite-mistakes")
    told.wait_for()
    assert told.locator("li").all_inner_texts() == [
        "Opening hours, the 2nd: Closes didn't match the pattern: 24-hour time, e.g. 09:30.",
        "Sessions, the 3rd (Music and movement): Starts didn't match the pattern: 24-hour "
        "time, e.g. 09:30."]
    assert session.page.evaluate("document.activeElement.value") == "noon"
    assert path.read_bytes() == before


def test_the_keyboards_place_is_seen_in_the_entries_list(session):
    """Tab reached the entries of a collection, and nothing showed which (an editor's
    review)."""
    session.open("/collections/centre")
    page = session.page
    page.get_by_text("Holywell Children's Centre").wait_for()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('a[href*=\"/entries/\"]')"):
            break
    else:
        raise AssertionError("Tab never reached an entry")
    # seen on the screen, not only in the style: Decap's cards cut off what overflows
    # them, the first style's ring with it (a review)
    box = page.evaluate("(r => ({x: r.x - 6, y: r.y - 6, width: r.width + 12, "
                        "height: r.height + 12}))(document.activeElement"
                        ".getBoundingClientRect())")
    assert yellow_pixels(session.context, page.screenshot(clip=box)) > 50


def yellow_pixels(context, png: bytes) -> int:
    """How many pixels of a screenshot are the focus ring's yellow (#ffdd00), counted by
    a canvas in a page of its own (no image library needed)."""
    import base64

    counter = context.new_page()
    try:
        return counter.evaluate("""async (data) => {
            const image = new Image();
            image.src = "data:image/png;base64," + data;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width;
            canvas.height = image.height;
            const drawn = canvas.getContext("2d");
            drawn.drawImage(image, 0, 0);
            const pixels = drawn.getImageData(0, 0, image.width, image.height).data;
            let count = 0;
            for (let i = 0; i < pixels.length; i += 4) {
                if (pixels[i] > 235 && Math.abs(pixels[i + 1] - 221) < 15 && pixels[i + 2] < 40) count++;
            }
            return count;
        }""", base64.b64encode(png).decode())
    finally:
        counter.close()


def test_a_save_the_build_warns_of_is_made_and_the_warning_shown(session, preview):
    """An opportunity's deadline moved into the past closes it on the site at once: the
    save is made, and the editor is told in the form's words (an editor's review)."""
    base, content = preview
    path = content / "opportunities/parent-volunteer-grants-2026.md"
    session.open("/collections/opportunity/entries/parent-volunteer-grants-2026")
    session.field("Deadline (optional)").fill("2026-11-24T17:00")
    session.publish()
    session.saved()
    told = session.page.locator("#ccsite-mistakes")
    told.wait_for()
    said = " ".join(told.inner_text().split())
    assert said.startswith("Saved. Something to check")
    assert "Status: the deadline has passed, so the page shows it as closed" in said
    assert told.get_attribute("role") == "status"
    assert "deadline: 2026-11-24T17:00:00+00:00" in path.read_text(encoding="utf-8")


def test_deleting_a_centre_others_name_says_where_to_take_it_out_first(session, preview):
    """The panel says it was not deleted, and that the fix is in the files that name it
    (not 'fix it in the form'), each named; nothing is deleted."""
    base, content = preview
    session.open("/collections/centre/entries/cheshunt-childrens-centre")
    session.page.on("dialog", lambda dialog: dialog.accept())
    session.page.get_by_role("button", name="Delete entry").click()
    mistakes = session.page.locator("#ccsite-mistakes")
    mistakes.wait_for()
    said = " ".join(mistakes.inner_text().split())
    assert said.startswith("Not deleted: ") and "other files name it" in said
    assert "Fix it in the form" not in said and "Take it out of each of them first" in said
    assert "names it under Centres concerned" in said  # which item, and where, in the
    assert ".md:" not in said  # form's words (not the validator's lines: an editor's review)
    assert (content / "centres/cheshunt-childrens-centre.md").exists()


def test_on_a_phone_the_form_fits_the_screen_and_saves(chromium, preview):
    """Decap's editor is 800 px wide at the least: on a 390 px phone, Publish and Delete
    were off the screen. The form fits, its buttons are on it, and a change is saved."""
    base, content = preview
    phone = Session(chromium, base, phone=True)
    try:
        phone.open("/collections/centre/entries/watford-holywell")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
        for name in ("Publish", "Delete entry"):
            box = phone.page.get_by_role("button", name=name).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
        phone.field("Closes", 1).fill("15:45")  # (another test makes it 15:30)
        phone.publish()
        phone.saved()
        assert '    closes: "15:45"' in (content / "centres/watford-holywell.md").read_text()
        # a date-time's "Now" and "Clear", in a list's item too, on the screen (they were
        # cut off past its edge: an editor's review)
    finally:
        phone.close()
    phone = Session(chromium, base, phone=True)
    try:
        phone.open("/collections/opportunity/entries/recommissioning-eoi-2027")
        expand = phone.page.get_by_role("button", name=re.compile(r"^Show or hide Events"))
        for index in range(expand.count()):
            expand.nth(index).click()
        cut_off = phone.page.evaluate("""() => [...document.querySelectorAll(
            "[class*='-DateTimeControl'] button")].filter(button => {
              const box = button.getBoundingClientRect();
              const pane = button.closest("[class*='-ControlContainer']")
                .getBoundingClientRect();
              return box.right > pane.right + 1 || box.left < pane.left - 1;
            }).map(button => button.getAttribute("aria-label") || button.textContent)""")
        assert phone.page.locator("[class*='-DateTimeControl'] button").count() >= 12
        assert cut_off == []
    finally:
        phone.close()


def test_a_save_from_a_tab_opened_before_another_tabs_save_is_refused(session, chromium,
                                                                      preview):
    """Two tabs on one centre: the second save would undo the first without a word. It is
    refused, saying why, and the first tab's change stays."""
    base, content = preview
    path = content / "centres/watford-west.md"
    other = Session(chromium, base)
    try:
        session.open("/collections/centre/entries/watford-west")
        other.open("/collections/centre/entries/watford-west")
        session.field("Summary (optional)").fill("Changed in the first tab.")
        session.publish()
        session.saved()
        assert "summary: Changed in the first tab." in path.read_text(encoding="utf-8")
        other.field("Phone (optional)").fill("01632 960999")
        other.publish()
        mistakes = other.page.locator("#ccsite-mistakes")
        mistakes.wait_for()
        assert "was changed since you opened it" in mistakes.inner_text()
        after = path.read_text(encoding="utf-8")
        assert "summary: Changed in the first tab." in after and "960999" not in after
    finally:
        other.close()


def test_a_good_practice_post_is_members_only(session, preview, tmp_path):
    base, content = preview
    session.open("/collections/good-practice/new")
    session.field("Title").fill("Weekend stay and play for dads")
    session.field("Author").fill("Sam Example")
    session.choose("Agency", "Oxhey Community Trust")
    session.field("Date").fill("2026-11-24")
    session.field("Summary").fill("Saturday sessions brought in twice as many fathers.")
    session.page.locator('[data-slate-editor="true"]').first.click()
    session.page.keyboard.type("We opened on Saturday mornings with a volunteer dad as host.")
    session.publish()
    session.saved()
    made = content / "members/good-practice/weekend-stay-and-play-for-dads.md"
    assert "agency: oxhey-community-trust\n" in made.read_text(encoding="utf-8")
    built = pagetypes.build(content, tmp_path / "_site")
    post = built / "members/good-practice/weekend-stay-and-play-for-dads/index.html"
    assert "volunteer dad as host" in post.read_text(encoding="utf-8")
    for public in (built / "public").rglob("*"):
        if public.is_file():
            data = public.read_bytes()
            assert b"volunteer dad as host" not in data, public
            assert b"weekend-stay-and-play-for-dads" not in data, public
            assert b"Weekend stay and play" not in data, public

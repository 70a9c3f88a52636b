"""A save from the web editor changes only what the editor changed (editor/merge.py).

Decap sends the whole file in its own YAML (1.2, its quoting, its order); these are files
as Decap 3 writes them (seen in the browser tests), merged into files as editors write
them by hand."""
from __future__ import annotations

import difflib

from ccsite import load, schema
from ccsite.editor.merge import Shape, merge_document
from ccsite.editor.proxy import unwrap, wrap
from ccsite.errors import ErrorList

CENTRE = """\
---
name: Oxhey Children's Centre  # the name on the sign
lead_agency: oxhey-trust
district: Watford
phase: 2
status: open
opening_date: 2007-09-01
address:
  street: 1 Bridlington Road
  town: Watford
  postcode: WD19 7AA
location:
  lat: 51.6430
  lon: -0.4160
services: [early-education, health]
# hours agreed with the trust in 2024
opening_hours:
  - days: [mon, tue, wed, thu]
    opens: "08:30"
    closes: "17:00"
  - {days: [fri], opens: "08:30", closes: "16:00"}
phone: "01632 960002"
summary: A centre for families in South Oxhey.
extra:
  colour: red
---
Families can drop in every weekday.

Ask at reception: we can help.
"""

# what Decap 3 sends for it untouched: YAML 1.2, no quotes on times, lists as lines,
# numbers as it read them, the comment and the free `extra` read and written back
AS_DECAP_WRITES = """\
---
name: Oxhey Children's Centre
status: open
lead_agency: oxhey-trust
district: Watford
phase: 2
opening_date: 2007-09-01
address:
  street: 1 Bridlington Road
  town: Watford
  postcode: WD19 7AA
location:
  lat: 51.643
  lon: -0.416
services:
  - early-education
  - health
opening_hours:
  - days:
      - mon
      - tue
      - wed
      - thu
    opens: 08:30
    closes: 17:00
  - days:
      - fri
    opens: 08:30
    closes: 16:00
phone: 01632 960002
summary: A centre for families in South Oxhey.
extra:
  colour: red
draft: false
---
Families can drop in every weekday.

Ask at reception: we can help.
"""


def merged(old: str | None, raw: str, ctype=schema.CENTRE) -> str:
    return merge_document(old, raw, ctype.extension == ".md", Shape.of_type(ctype))


def changed_lines(old: str, new: str) -> list[str]:
    return [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(),
                                                   lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_a_file_saved_unchanged_stays_byte_identical():
    assert merged(CENTRE, AS_DECAP_WRITES) == CENTRE


def test_one_changed_time_changes_that_line_only():
    raw = AS_DECAP_WRITES.replace("closes: 16:00", "closes: 15:30")
    assert changed_lines(CENTRE, merged(CENTRE, raw)) == [
        '-  - {days: [fri], opens: "08:30", closes: "16:00"}',
        '+  - {days: [fri], opens: "08:30", closes: "15:30"}']
    raw = AS_DECAP_WRITES.replace("closes: 17:00", "closes: 18:00")
    assert changed_lines(CENTRE, merged(CENTRE, raw)) == ['-    closes: "17:00"',
                                                          '+    closes: "18:00"']


def test_a_changed_value_keeps_the_comment_after_it():
    raw = AS_DECAP_WRITES.replace("name: Oxhey Children's Centre",
                                  "name: Oxhey Family Centre")
    assert changed_lines(CENTRE, merged(CENTRE, raw)) == [
        "-name: Oxhey Children's Centre  # the name on the sign",
        "+name: Oxhey Family Centre  # the name on the sign"]


def test_a_cleared_field_is_removed_and_a_new_one_goes_in_the_content_models_order():
    raw = AS_DECAP_WRITES.replace("phone: 01632 960002\n",
                                  "phone: ''\nwebsite: https://oxhey.example.org/\n")
    raw = raw.replace("  street: 1 Bridlington Road\n",
                      "  street: 1 Bridlington Road\n  locality: South Oxhey\n")
    assert changed_lines(CENTRE, merged(CENTRE, raw)) == [
        "+  locality: South Oxhey", '-phone: "01632 960002"',
        "+website: https://oxhey.example.org/"]


def test_fields_the_editor_does_not_show_are_kept_as_written():
    raw = AS_DECAP_WRITES.replace("extra:\n  colour: red\n", "")
    assert merged(CENTRE, raw) == CENTRE  # `extra` is free: the editor has no form for it


def test_items_added_to_a_list_are_written_as_its_items_are():
    raw = AS_DECAP_WRITES.replace("    closes: 16:00\n", "    closes: 16:00\n"
                                  "  - days:\n      - sat\n    opens: 10:00\n"
                                  "    closes: 12:00\n")
    raw = raw.replace("  - health\n", "  - health\n  - parenting\n")
    assert changed_lines(CENTRE, merged(CENTRE, raw)) == [
        "-services: [early-education, health]",
        "+services: [early-education, health, parenting]",
        '+  - {days: [sat], opens: "10:00", closes: "12:00"}']


def test_a_changed_phone_keeps_its_quotes():
    """The README asks for phone numbers in quotes: a number changed in the form is
    written in the quotes it had (and a comment after it stays)."""
    old = CENTRE.replace('phone: "01632 960002"', 'phone: "01632 960002"  # reception')
    raw = AS_DECAP_WRITES.replace("phone: 01632 960002", "phone: 01632 960003")
    assert changed_lines(old, merged(old, raw)) == [
        '-phone: "01632 960002"  # reception', '+phone: "01632 960003"  # reception']
    single = CENTRE.replace("summary: A centre for families in South Oxhey.",
                            "summary: 'A centre for families in South Oxhey.'")
    raw = AS_DECAP_WRITES.replace("in South Oxhey.", "in Oxhey, and its parents' groups.")
    assert changed_lines(single, merged(single, raw))[-1] == \
        "+summary: 'A centre for families in Oxhey, and its parents'' groups.'"


def test_a_session_added_in_the_form_is_written_as_a_person_writes_one():
    """Decap sends a new item's fields in its own order, with the switches nobody
    touched: it is written title first, in the content model's order, without them."""
    old = CENTRE.replace("phone: \"01632 960002\"\n", "phone: \"01632 960002\"\nsessions:\n"
                         "  - title: Baby clinic\n    days: [tue]\n    starts: \"10:00\"\n"
                         "    ends: \"11:30\"\n")
    raw = AS_DECAP_WRITES.replace("phone: 01632 960002\n", "phone: 01632 960002\nsessions:\n"
                                  "  - title: Baby clinic\n    days:\n      - tue\n"
                                  "    starts: 10:00\n    ends: 11:30\n"
                                  "    term_time_only: false\n"
                                  "  - term_time_only: false\n    days:\n      - thu\n"
                                  "    title: Stay and play\n    starts: 09:30\n"
                                  "    ends: 11:00\n")
    added = [line for line in changed_lines(old, merged(old, raw)) if line.startswith("+")]
    assert added == ["+  - title: Stay and play", "+    days: [thu]", '+    starts: "09:30"',
                     '+    ends: "11:00"']


def with_sessions(written: str, sent: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """CENTRE with `written` (its sessions: lines, as an editor wrote them), and what
    Decap sends for it with these sessions (title, day, starts, ends) in its YAML."""
    items = "".join(f"  - title: {title}\n    days:\n      - {day}\n    starts: {starts}\n"
                    f"    ends: {ends}\n" for title, day, starts, ends in sent)
    return (CENTRE.replace("summary: A centre", written + "summary: A centre"),
            AS_DECAP_WRITES.replace("summary: A centre",
                                    "sessions:\n" + items + "summary: A centre"))


def test_an_item_taken_out_of_a_list_takes_its_lines_only():
    """The first session removed in the form: its lines go, and the comment written above
    the next one stays with it, as every other line of the file does; an item's own
    comment, right above it, goes with it."""
    sessions = ("sessions:\n  - title: Baby clinic\n    days: [tue]\n    starts: \"10:00\"\n"
                "    ends: \"11:30\"\n  # runs in the hall, not the garden room\n"
                "  - title: Stay and play\n    days: [thu]\n    starts: \"09:30\"\n"
                "    ends: \"11:00\"\n")
    old, raw = with_sessions(sessions, [("Stay and play", "thu", "09:30", "11:00")])
    assert changed_lines(old, merged(old, raw)) == [
        "-  - title: Baby clinic", "-    days: [tue]", '-    starts: "10:00"',
        '-    ends: "11:30"']
    old, raw = with_sessions(sessions, [("Baby clinic", "tue", "10:00", "11:30")])
    assert changed_lines(old, merged(old, raw)) == [
        "-  # runs in the hall, not the garden room", "-  - title: Stay and play",
        "-    days: [thu]", '-    starts: "09:30"', '-    ends: "11:00"']


def test_an_item_taken_out_and_another_changed_in_one_save_keep_the_rest_as_written():
    """One session removed and another's time changed in the same save: the one removed
    goes with its comment, the other's line changes, every other line (comments, quotes)
    stays, where the whole list was written anew and its comments lost."""
    sessions = ("sessions:\n  # the health visitors' clinic\n  - title: Baby clinic\n"
                "    days: [tue]\n    starts: \"10:00\"\n    ends: \"11:30\"\n"
                "  # runs in the hall, not the garden room\n"
                "  - title: Stay and play\n    days: [thu]\n    starts: \"09:30\"\n"
                "    ends: \"11:00\"\n  # dads only\n  - title: Dads' group\n"
                "    days: [sat]\n    starts: \"10:00\"\n    ends: \"12:00\"\n")
    old, raw = with_sessions(sessions, [("Baby clinic", "tue", "10:00", "11:30"),
                                        ("Dads' group", "sat", "10:00", "12:30")])
    assert changed_lines(old, merged(old, raw)) == [
        "-  # runs in the hall, not the garden room", "-  - title: Stay and play",
        "-    days: [thu]", '-    starts: "09:30"', '-    ends: "11:00"',
        '-    ends: "12:00"', '+    ends: "12:30"']


def test_the_body_is_kept_unless_its_text_changed():
    old = merged(CENTRE, AS_DECAP_WRITES.replace("\nAsk at reception: we can help.\n",
                                                 "\nAsk at reception: we can help.\n\n"))
    assert old == CENTRE
    new = merged(CENTRE, AS_DECAP_WRITES.replace("we can help", "we are glad to help"))
    assert changed_lines(CENTRE, new) == ["-Ask at reception: we can help.",
                                          "+Ask at reception: we are glad to help."]


def test_a_body_edit_keeps_the_lists_the_rich_text_editor_writes_anew_as_they_were():
    """Decap's rich text editor writes the whole body again, its bullets as '*': an edit
    of one paragraph must not change the lists around it."""
    with_list = CENTRE.replace("Ask at reception: we can help.\n",
                               "Ask at reception: we can help.\n\n- Stay and play\n"
                               "  - under-twos\n- Baby clinic\n")
    raw = AS_DECAP_WRITES.replace("Ask at reception: we can help.\n",
                                  "Ask at reception: we are glad to help.\n\n* Stay and play\n"
                                  "  * under-twos\n* Baby clinic\n* Dads' group\n")
    assert changed_lines(with_list, merged(with_list, raw)) == [
        "-Ask at reception: we can help.", "+Ask at reception: we are glad to help.",
        "+- Dads' group"]


def test_a_zoned_deadline_read_back_as_utc_by_decap_is_the_same_moment():
    old = "---\ntitle: T\ndeadline: 2027-01-29T12:00:00Z\n---\n"
    raw = "---\ntitle: T\ndeadline: 2027-01-29T12:00:00.000Z\n---\n"
    assert merged(old, raw, schema.OPPORTUNITY) == old
    later = merged(old, "---\ntitle: T\ndeadline: 2027-01-29T17:00:00+00:00\n---\n",
                   schema.OPPORTUNITY)
    assert changed_lines(old, later) == ["-deadline: 2027-01-29T12:00:00Z",
                                         "+deadline: 2027-01-29T17:00:00+00:00"]
    # shown in a New York browser and saved untouched: the same moment, the line kept
    assert merged(old, "---\ntitle: T\ndeadline: 2027-01-29T07:00:00-05:00\n---\n",
                  schema.OPPORTUNITY) == old


def test_a_time_picked_on_a_computer_not_set_to_uk_time_is_kept_as_uk_time():
    """Decap adds the computer's zone: noon picked on a computer set to UTC in July, or
    to New York in January, is noon UK time (the zone of that day put right)."""
    old = "---\ntitle: T\ndeadline: 2027-01-29T12:00:00Z\n---\n"
    summer = merged(old, "---\ntitle: T\ndeadline: 2027-07-15T12:00:00+00:00\n---\n",
                    schema.OPPORTUNITY)
    assert changed_lines(old, summer)[1] == "+deadline: 2027-07-15T12:00:00+01:00"
    winter = merged(old, "---\ntitle: T\ndeadline: 2027-02-15T12:00:00-05:00\n---\n",
                    schema.OPPORTUNITY)
    assert changed_lines(old, winter)[1] == "+deadline: 2027-02-15T12:00:00Z"
    in_uk = merged(old, "---\ntitle: T\ndeadline: 2027-07-15T12:00:00+01:00\n---\n",
                   schema.OPPORTUNITY)
    assert changed_lines(old, in_uk)[1] == "+deadline: 2027-07-15T12:00:00+01:00"
    new = merged(None, "---\ntitle: T\nevents:\n  - {title: Briefing, start: "
                       "'2027-06-01T10:00:00-04:00'}\n---\n", schema.OPPORTUNITY)
    assert "2027-06-01T10:00:00+01:00" in new


def test_windows_line_ends_and_a_byte_order_mark_are_kept():
    old = "\ufeff" + CENTRE.replace("\n", "\r\n")
    new = merged(old, AS_DECAP_WRITES.replace("closes: 16:00", "closes: 15:30"))
    assert new.startswith("\ufeff---\r\n") and "\n" not in new.replace("\r\n", "")
    assert len(changed_lines(old, new)) == 2


def test_a_new_file_is_written_as_the_content_model_writes_files():
    raw = ("---\ntitle: 'Caf\u00e9 opens: drop in!'\ndate: 2026-11-25\nsummary: A caf\u00e9.\n"
           "tags:\n  - food\ndraft: false\npublish_date: 2026-11-26T09:00:00+00:00\n---\n"
           "Come and see.\n")
    text = merged(None, raw, schema.NEWS)
    assert text == ("---\ntitle: 'Caf\u00e9 opens: drop in!'\ndate: 2026-11-25\n"
                    "summary: A caf\u00e9.\ntags: [food]\n"
                    "publish_date: 2026-11-26T09:00:00+00:00\n---\nCome and see.\n")
    errors = ErrorList()
    document = load.document_from_bytes(text.encode(), "news/cafe.md", "content", errors)
    assert not errors.errors
    assert str(document.data.get("date").value) == "2026-11-25"  # a date, not text
    hours = merged(None, "---\nname: X\nopening_hours:\n  - days: [mon]\n    opens: 09:00\n"
                         "    closes: 17:00\n---\n")
    assert 'closes: "17:00"' in hours  # YAML 1.1 would read 17:00 as a number


def test_an_optional_part_the_form_fills_in_by_itself_is_not_written():
    old = "---\ntitle: T\n---\n"
    raw = "---\ntitle: T\nvalue:\n  currency: GBP\ndraft: false\n---\n"
    assert merged(old, raw, schema.OPPORTUNITY) == old


def test_the_directory_list_is_edited_under_a_key_and_written_back_as_a_list():
    old = """\
# the managers' network
- name: Sam Example
  role: Centre manager
  agency: oxhey-trust
  email: sam@example.org
  topics: [dads]

- name: Jo Example
  role: Manager
  agency: oxhey-trust
  phone: "01632 960000"
  topics:
    - outreach
"""
    assert unwrap(wrap(old)) == old
    raw = """\
directory:
  - name: Sam Example
    role: Centre manager
    agency: oxhey-trust
    email: sam@example.org
    phone: 01632 960111
    topics:
      - dads
  - name: Jo Example
    role: Manager
    agency: oxhey-trust
    phone: 01632 960000
    topics:
      - outreach
      - volunteers
"""
    new = unwrap(merge_document(wrap(old), raw, False, Shape.of_type(schema.DIRECTORY)))
    assert changed_lines(old, new) == ["+  phone: 01632 960111", "+    - volunteers"]
    assert new.startswith("# the managers' network\n- name: Sam Example\n")


def test_tabs_pasted_between_words_are_read_back_as_typed_in_one_reading(monkeypatch):
    """A directory whose entries were pasted from a spreadsheet, a tab between words of
    each value: read as YAML 1.2 reads Decap's file, tabs and all, by one reading of it
    (read again once for each tab, 1,200 of them took 31 s)."""
    import yaml

    from ccsite.editor import merge

    readings = []
    real = yaml.load
    monkeypatch.setattr(merge.yaml, "load", lambda *a, **k: readings.append(1) or real(*a, **k))
    entries = "".join(f"  - name: Person\t{i}\n    role: Manager\tof\tcentre {i}\n"
                      for i in range(400))
    data, _ = merge.read_decap("directory:\n" + entries, markdown=False)
    assert data["directory"][3] == {"name": "Person\t3", "role": "Manager\tof\tcentre 3"}
    assert len(readings) == 1

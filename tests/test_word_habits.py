"""Editors used to a word processor: a date written day first, a value in curly quotes, a
non-breaking space pasted after a value. Each is told in words they know, with what to
write, or read as they meant it; never a bare "is not a real date"."""
from __future__ import annotations

import pytest

from test_bad_input import C, O, assert_rejected, built, good_output  # noqa: F401 (fixtures)

DAY_FIRST = [
    ("opening_date: 2007-09-01", "opening_date: 12/03/2007",
     C + ":7: opening_date: '12/03/2007' is written day first; write it as 2007-03-12 "
         "(12 March 2007, read in UK order: day, month, year)"),
    ("opening_date: 2007-09-01", "opening_date: 12-03-2007",
     C + ":7: opening_date: '12-03-2007' is written day first; write it as 2007-03-12"),
    ("opening_date: 2007-09-01", "opening_date: 12.03.2007",
     C + ":7: opening_date: '12.03.2007' is written day first; write it as 2007-03-12"),
]


@pytest.mark.parametrize("old, new, expected", DAY_FIRST)
def test_a_date_written_day_first_is_answered_with_the_form_to_write(built, old, new,
                                                                      expected):
    before = built.snapshot()
    built.edit(C, old, new)
    assert_rejected(built, built.build(), before, expected)


def test_a_deadline_written_day_first_gets_a_date_time_to_write(built):
    before = built.snapshot()
    built.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 29/01/2027")
    assert_rejected(built, built.build(), before,
                    O + ":7: deadline: '29/01/2027' is written day first; write it as "
                        "2027-01-29T12:00:00Z with the time you mean (29 January 2027")


def test_an_impossible_day_first_date_is_not_read_as_another_date(built):
    before = built.snapshot()
    built.edit(C, "opening_date: 2007-09-01", "opening_date: 31/02/2007")
    assert_rejected(built, built.build(), before,
                    C + ":7: opening_date: '31/02/2007' is not a real date")


@pytest.mark.parametrize("value", ["“01632 960002”", "‘01632 960002’"])
def test_a_phone_in_curly_quotes_is_told_they_are_curly_with_the_straight_ones(built, value):
    before = built.snapshot()
    built.edit(C, 'phone: "01632 960002"', f"phone: {value}")
    result = built.build()
    assert_rejected(built, result, before, C + ":15: phone: ")
    assert f"'{value}' is in curly quotes" in result.err
    assert 'use straight quotes: "01632 960002"' in result.err


def test_a_time_in_curly_quotes_is_told_they_are_curly(built):
    before = built.snapshot()
    built.edit(C, 'opens: "09:00"', "opens: “09:00”")
    result = built.build()
    assert_rejected(built, result, before, C + ":")
    assert "opens: '“09:00”' is in curly quotes" in result.err


def test_a_title_with_curly_quotes_inside_is_words_and_builds(built):
    built.edit(C, "name: Oxhey Children's Centre", "name: “Oxhey” Children’s Centre")
    assert built.build().status == 0
    assert "“Oxhey” Children’s Centre" in built.text("/centres/oxhey/")


def test_a_non_breaking_space_pasted_after_a_value_is_cleaned(built):
    built.edit(C, "phase: 2", "phase: 2\u00a0")
    built.edit(C, "opening_date: 2007-09-01", "opening_date: 2007-09-01\u00a0")
    result = built.build()
    assert result.status == 0, result.err
    assert "Phase 2" in built.text("/centres/oxhey/")


def test_a_deadline_written_day_first_with_its_time_is_answered_with_that_time_in_uk_time(
        built):
    before = built.snapshot()
    built.edit(O, "deadline: 2027-01-29T12:00:00Z", "deadline: 12/07/2027 9.30")
    assert_rejected(built, built.build(), before,
                    O + ":7: deadline: '12/07/2027 9.30' is written day first; write it as "
                        "2027-07-12T09:30:00+01:00 (12 July 2027, 09:30 UK time")


def test_check_does_not_call_content_ready_while_placeholders_are_left(site, capsys):
    from ccsite.cli import main

    assert main(["new", "news", "Saturday opening", "--source", str(site.content)]) == 0
    capsys.readouterr()
    assert main(["check", "--source", str(site.content), "--drafts"]) == 0
    out = capsys.readouterr().out
    assert "ready to publish" not in out
    assert "still say" in out and "write your own before publishing" in out

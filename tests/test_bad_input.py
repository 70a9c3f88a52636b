"""Hardened against bad input: malformed, hostile or merely odd content gets one precise
`path:line: field: message`, exit status 1, no traceback, and the last good output stays
exactly as it was; odd but valid content (byte-order marks, old line ends, Welsh, Polish
and Urdu text, empty bodies) builds.

tests/test_validation.py checks one mistake per rule of the content model; this file adds
what an editor's tools, a careless copy and paste or a hostile file can produce. Each test
starts from a copy of one good build (made once, below) so the "output untouched" check
costs a copy, not a build.
"""
from __future__ import annotations

import contextlib
import html
import io
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccsite.cli import main
from conftest import BASE_FILES, NOW, FixtureSite, Result
from validator_fields import field_path, fields_the_validator_reads

REPO = Path(__file__).resolve().parents[1]
C = "centres/oxhey.md"
PHONE = 'phone: "01632 960002"\n'  # the fixture centre's line 15
A = "agencies/oxhey-trust.yaml"
O = "opportunities/oxhey-eoi.md"
L = "lessons/more-time.md"
N = "news/centres-open.md"
P = "pages/about.md"
G = "members/good-practice/dads-group.md"
D = "members/directory.yaml"
S = "site.yaml"
K = "consultations/have-your-say.md"  # written by the cases that need it (not a base file)
ADDRESS = "address:\n  street: 1 Bridlington Road\n  town: Watford\n  postcode: WD19 7AA\n"
CONTACT = ('contact:\n  name: Jane Example\n  role: Centre manager\n  phone: "01632 960001"\n'
           "  email: jane@example.org\n")
ENQUIRIES = "enquiries:\n  name: Commissioning team\n  email: commissioning@example.org\n"
DOCUMENTS = "documents:\n  - {title: Information pack, url: media/pack.pdf}\n"
ORGANISATION = ('organisation:\n  name: Test County Council\n  phone: "01632 960000"\n'
                "  email: cc@example.org\n")
SERVICE_TYPES = ("service_types:\n  early-education: Early education and childcare\n"
                 "  health: Child and family health services\n")
MEMBERS = "members:\n  title: Lead agency network\n  protection: server\n"
TARGETS = "  targets:\n    - {date: 2008-04-01, centres: 1, label: Phase two}\n"
MILESTONES = "  milestones:\n    - {date: 2006-01-09, title: Expressions of interest open}\n"
ACCESSIBILITY = "accessibility:\n  prepared: 2026-11-02\n"  # line 19 of site.yaml, after MEMBERS
EDITOR = ("editor:\n  backend: gitea\n  repo: council/cc\n  branch: main\n"
          "  editorial_workflow: false\n  members: false\n  base_url: https://git.example.org/\n"
          "  auth_endpoint: login/oauth/authorize\n  api_root: https://git.example.org/api/v1\n"
          "  app_id: abc123\n")  # line 19 of site.yaml, after MEMBERS


def accessibility(lines: str) -> tuple[str, str, str]:
    """site.yaml given an `accessibility:` block with these lines after `prepared:`."""
    return MEMBERS, MEMBERS + ACCESSIBILITY + lines


# -- ways to break a fixture site ---------------------------------------------------------

def edit(rel: str, old: str, new: str):
    return lambda site: site.edit(rel, old, new)


def write(rel: str, text: str | bytes):
    return lambda site: site.write(rel, text)


def add(rel: str, before: str, lines: str):
    """Insert `lines` in front of the first `before` in the file."""
    return edit(rel, before, lines + before)


def both(*changes):
    def change(site):
        for one in changes:
            one(site)
    return change


def copy_as(rel: str, new_rel: str, old: str = "", new: str = ""):
    """A second file made from `rel`, changed by one replacement."""
    def change(site):
        text = (site.content / rel).read_text(encoding="utf-8")
        assert old in text
        site.write(new_rel, text.replace(old, new, 1))
    return change


def link(rel: str, target):
    """A symbolic link at `rel` to `target(site)`."""
    def change(site):
        path = site.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target(site))
    return change


def outside(site) -> Path:
    """A folder beside content/, holding a file and a folder anyone might link to."""
    folder = site.root / "elsewhere"
    (folder / "lessons").mkdir(parents=True, exist_ok=True)
    (folder / "lessons" / "stolen.md").write_text("---\ntitle: x\nsummary: y\n---\n")
    (folder / "passwd").write_text("root:x:0:0\n")
    return folder


def fifo(rel: str):
    return lambda site: os.mkfifo(site.content / rel)


def random_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def md(*lines: str, body: str = "Body.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


KMD = md("title: Have your say on Oxhey", "summary: Tell us what matters to your family.",
         "opens: 2026-11-02T09:00:00Z", "closes: 2027-01-15T23:59:00Z",
         "audience: Families in Oxhey", "respond:\n  email: cc@example.org",
         "centres: [oxhey]", body="The questions.\n")


# (id, change, expected start of the first error line, after the content folder)
BAD = [
    # -- YAML syntax of several kinds: the line where the faulty construct starts --------
    ("syntax-unclosed-flow-sequence", edit(C, "services: [early-education, health]",
                                           "services: [early-education, health"),
     "centres/oxhey.md:12: yaml: YAML syntax error: a list opened with '[' is not closed "
     "with ']'"),
    ("syntax-unclosed-flow-mapping", edit(C, 'closes: "17:00"}', 'closes: "17:00"'),
     "centres/oxhey.md:14: yaml: YAML syntax error: a mapping opened with '{' is not closed"),
    ("syntax-unclosed-flow-sequence-at-end", edit(L, "order: 1", "order: ["),
     "lessons/more-time.md:4: yaml: YAML syntax error: a '[' or '{' is never closed"),
    ("syntax-unclosed-single-quote-yaml", edit(A, "about: A community trust.",
                                                "about: 'A community trust."),
     "agencies/oxhey-trust.yaml:9: yaml: YAML syntax error: a quoted value opened here is "
     "never closed"),
    ("syntax-indented-less", edit(C, "  town: Watford", " town: Watford"),
     "centres/oxhey.md:10: yaml: YAML syntax error: this line does not line up with the "
     "'field: value' lines above it"),
    ("syntax-indented-more", edit(C, "  town: Watford", "    town: Watford"),
     "centres/oxhey.md:10: yaml: YAML syntax error: a value contains ': ' (put the whole "
     "value in quotes); or, if this line is a field of its own, indent it"),
    ("syntax-first-line-indented", edit(A, "name: Oxhey", "  name: Oxhey"),
     "agencies/oxhey-trust.yaml:2: yaml: YAML syntax error: this line is not in line with "
     "the first one"),
    ("syntax-key-without-value-then-list-at-wrong-indent",
     edit(O, "eligible_sectors: [voluntary, school]",
          "eligible_sectors:\n  - voluntary\n - school"),
     "opportunities/oxhey-eoi.md:10: yaml: YAML syntax error: this line does not line up"),
    ("syntax-list-item-after-mapping", edit(S, "language: en-GB", "language: en-GB\n- fr"),
     "site.yaml:4: yaml: YAML syntax error: this line does not line up with the "
     "'field: value' lines"),
    ("syntax-mapping-after-list-item", edit(D, "  role: Centre manager",
                                            "role: Centre manager"),
     "members/directory.yaml:2: yaml: YAML syntax error: this line does not line up with "
     "the '- ' list items above it"),
    ("syntax-stray-colon-line", edit(C, "district: Watford", "district: Watford\n: Oxhey"),
     "centres/oxhey.md:5: yaml: YAML syntax error: this line does not line up with the "
     "'field: value' lines above it (check its indentation, and look for a stray ':'"),
    ("syntax-stray-colon-in-value", edit(L, "order: 1", "order: 1: first"),
     "lessons/more-time.md:4: yaml: YAML syntax error: a value contains ': '"),
    ("syntax-stray-colon-in-site", edit(S, "language: en-GB", "language: en-GB\n:"),
     "site.yaml:4: yaml: YAML syntax error: this line does not line up"),
    ("syntax-line-without-colon", edit(N, "summary:", "a stray line\nsummary:"),
     "news/centres-open.md:4: yaml: YAML syntax error: a line is missing its ':'"),
    ("syntax-value-starts-with-at", edit(P, "title: About the programme",
                                         "title: @about"),
     "pages/about.md:2: yaml: YAML syntax error: a value cannot start with '@'; put the "
     "whole value in quotes"),
    ("syntax-value-starts-with-backtick", edit(G, "author: Sam Example",
                                               "author: `Sam`"),
     "members/good-practice/dads-group.md:3: yaml: YAML syntax error: a value cannot start "
     "with '`'"),
    ("syntax-lone-asterisk", edit(A, "about: A community trust.", "about: *"),
     "agencies/oxhey-trust.yaml:9: yaml: YAML syntax error: a value cannot start with '*'"),
    ("syntax-first-field-indented-deeper", edit(C, "  street: 1 Bridlington Road",
                                                "    street: 1 Bridlington Road"),
     "centres/oxhey.md:9: yaml: this line is indented 4 spaces, and the fields after it 2: "
     "give it the same 2 spaces as they have"),
    ("syntax-text-after-quoted-value", edit(N, "title: Centres open",
                                            'title: "Centres" open'),
     "news/centres-open.md:2: yaml: the quotes end the value before the end of the line: "
     "put the whole value in quotes, single ones around text with double quotes in it "
     "(title: '\"Centres\" open')"),
    ("syntax-apostrophe-in-single-quotes", edit(N, "summary: The network reached its target.",
                                                "summary: 'The network's target reached'"),
     "news/centres-open.md:4: yaml: an apostrophe inside a value in single quotes ends the "
     "value there: put the value in double quotes"),
    ("expires-before-publish-date", edit(N, "date: 2008-04-01", "date: 2008-04-01\n"
                                         "publish_date: 2026-01-02\nexpires: 2026-01-01"),
     "news/centres-open.md:5: expires: is not after publish_date (2026-01-02T00:00:00+00:00), "
     "so the page would never be shown"),
    ("value-starting-with-hash", edit(N, "title: Centres open", "title: #1 centres open"),
     "news/centres-open.md:2: title: is required, but has no value here: '#' starts a "
     "comment in YAML, so put the value in quotes (title: \"#1 centres open\")"),
    ("time-without-its-leading-zero", edit(C, 'opens: "09:00"', "opens: 9:00"),
     "centres/oxhey.md:14: opening_hours[0].opens: '9:00' is not a time; write it as HH:MM "
     "in 24-hour form, in quotes (here \"09:00\")"),
    ("time-with-pm", edit(C, 'closes: "17:00"', "closes: 5pm"),
     "centres/oxhey.md:14: opening_hours[0].closes: '5pm' is not a time; write it as HH:MM "
     "in 24-hour form, in quotes (here \"17:00\")"),
    ("deadline-with-its-zone-in-words", edit(O, "deadline: 2027-01-29T12:00:00Z",
                                             "deadline: 2027-01-29 12:00 GMT"),
     "opportunities/oxhey-eoi.md:7: deadline: '2027-01-29 12:00 GMT' gives its zone in words; "
     "write 2027-01-29T12:00:00Z (Z is GMT, UK winter time; +01:00 is BST, UK summer time)"),
    ("front-matter-opened-with-a-long-dash", edit(L, "---\ntitle", "\u2014\ntitle"),
     "lessons/more-time.md:1: yaml: a content file must start with a '---' line, then its "
     "fields, then another '---' line; the first line is '\u2014', a long dash (as a word "
     "processor turns '---' into): type three hyphens"),
    ("front-matter-after-a-blank-line", edit(L, "---\ntitle", "\n---\ntitle"),
     "lessons/more-time.md:1: yaml: a content file must start with a '---' line, then its "
     "fields, then another '---' line; the first line is empty: delete it"),
    ("date-in-words", edit(N, "date: 2008-04-01", "date: 1st April 2008"),
     "news/centres-open.md:3: date: '1st April 2008' is written in words; write it as "
     "2008-04-01 (1 April 2008)"),
    ("deadline-in-words", edit(O, "deadline: 2027-01-29T12:00:00Z",
                               "deadline: January 29, 2027"),
     "opportunities/oxhey-eoi.md:7: deadline: 'January 29, 2027' is written in words; write "
     "it as 2027-01-29T12:00:00Z with the time you mean (29 January 2027; Z is UK winter "
     "time that day)"),
    ("date-with-long-dashes", edit(N, "date: 2008-04-01", "date: 2008\u201304\u201301"),
     "news/centres-open.md:3: date: '2008\u201304\u201301' is written with long dashes (\u2013 or "
     "\u2014, as a word processor makes them); type them with the hyphen key: 2008-04-01"),
    ("deadline-with-long-dashes", edit(O, "deadline: 2027-01-29T12:00:00Z",
                                       "deadline: 2027\u201301\u201329T12:00:00Z"),
     "opportunities/oxhey-eoi.md:7: deadline: '2027\u201301\u201329T12:00:00Z' is written with "
     "long dashes"),
    ("latitude-with-a-decimal-comma", edit(C, "status: open", "status: open\nlocation:\n"
                                              "  lat: 51,63\n  lon: -0.39"),
     "centres/oxhey.md:8: location.lat: must be a number, not '51,63' (write digits only, "
     "with a point for decimals: 51.63)"),
    ("title-starting-with-a-bracket", edit(N, "title: Centres open", "title: [Draft] Centres open"),
     "news/centres-open.md:2: yaml: a value that starts with '[' is read as a list: if it is "
     "text, put the whole value in quotes (title: \"[Draft] Centres open\")"),
    ("title-with-double-quotes-inside-double-quotes",
     edit(N, "title: Centres open", 'title: "Say "hello" to us"'),
     "news/centres-open.md:2: yaml: a double quote inside a value in double quotes ends the "
     "value there: put the whole value in single quotes instead (title: 'Say \"hello\" to us')"),
    ("title-starting-with-a-dash", edit(N, "title: Centres open", "title: - centres open"),
     "news/centres-open.md:2: yaml: a value that starts with '- ' is read as a list item"),
    ("title-in-curly-quotes-with-a-colon",
     edit(N, "title: Centres open", "title: \u201cUpdate: centres open\u201d"),
     "news/centres-open.md:2: yaml: the value of 'title' starts with a curly quote"),
    ("media-file-in-other-capitals", edit(O, "url: media/pack.pdf", "url: media/Pack.pdf"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: 'media/Pack.pdf' is not a file in "
     "content/media/ (there is 'pack.pdf', whose capitals differ: a web address tells "
     "capitals apart, though Windows does not; write media/pack.pdf)"),
    ("body-link-in-other-capitals", edit(N, "See [Oxhey](/centres/oxhey/)",
                                         "See [the pack](/media/Pack.pdf)"),
     "news/centres-open.md:6: link: '/media/Pack.pdf' does not lead to a page or file of the "
     "site ('/media/pack.pdf' does: its capitals differ"),
    ("consultation-outcome-link-nowhere", write(K, (
        "---\ntitle: The future of Oxhey\nsummary: We asked families.\n"
        "opens: 2026-01-05T09:00:00Z\ncloses: 2026-02-27T17:00:00Z\n"
        "respond:\n  email: cc@example.org\noutcome:\n  date: 2026-03-20\n"
        "  summary: Families said keep it.\n  body: |\n    **You said** keep it.\n"
        "    See [the centre](/centres/oxhay/).\n---\nWhat we asked.\n")),
     "consultations/have-your-say.md:13: link: '/centres/oxhay/' does not lead to a page or "
     "file of the site; did you mean '/centres/oxhey/'?"),  # (it was blamed on a template)
    ("hash-inside-a-value-with-quotes", edit(N, "title: Centres open",
                                             'title: Room #3 is "big"'),
     "news/centres-open.md:2: title: everything after ' #' is read as a note in YAML and left "
     "out of the site ('3 is \"big\"'); to keep it, put the whole value in quotes: "
     "title: 'Room #3 is \"big\"'"),
    ("date-day-first-with-long-dashes", edit(N, "date: 2008-04-01", "date: 01\u201304\u20132008"),
     "news/centres-open.md:3: date: '01\u201304\u20132008' is written with long dashes "
     "(\u2013 or \u2014, as a word processor makes them); type them with the hyphen key: "
     "2008-04-01"),
    ("latitude-with-a-decimal-comma-and-three-places",
     edit(C, "status: open", "status: open\nlocation:\n  lat: 51,647\n  lon: -0.39"),
     "centres/oxhey.md:8: location.lat: must be a number, not '51,647' (write digits only, "
     "with a point for decimals: 51.647)"),
    ("hash-inside-a-value", edit(N, "title: Centres open", "title: Room #3 now open"),
     "news/centres-open.md:2: title: everything after ' #' is read as a note in YAML and "
     "left out of the site ('3 now open'); to keep it, put the whole value in quotes: "
     "title: \"Room #3 now open\""),
    ("syntax-no-space-after-colon", edit(A, "  email: jane@example.org", "  email:jane@example.org"),
     "agencies/oxhey-trust.yaml:8: yaml: put a space after the colon of 'email:' (email: value)"),
    ("syntax-list-of-addresses-misindented", edit(O, "  - {title: Information pack, url: "
                                                  "media/pack.pdf}", "  - https://example.org/a\n"
                                                  "   - x: 1"),
     "opportunities/oxhey-eoi.md:12: yaml: YAML syntax error: a value contains ': '"),
    ("syntax-second-document-in-yaml-file", edit(A, "about:", "---\nabout:"),
     "agencies/oxhey-trust.yaml:9: yaml: only one YAML document is allowed here"),
    # -- spaces copied from Word or a web page: they look like spaces --------------------
    ("non-breaking-spaces-indent-a-field", edit(C, "  town: Watford", "\u00a0\u00a0town: Watford"),
     "centres/oxhey.md:10: yaml: this line has a non-breaking space (U+00A0) where YAML needs "
     "an ordinary one"),
    ("non-breaking-space-after-a-colon", edit(C, "status: open", "status:\u00a0open"),
     "centres/oxhey.md:6: yaml: this line has a non-breaking space (U+00A0) where YAML needs "
     "an ordinary one"),
    ("non-breaking-space-after-a-list-dash", edit(O, "  - {title: Information pack",
                                                  "  -\u00a0{title: Information pack"),
     "opportunities/oxhey-eoi.md:11: yaml: this line has a non-breaking space (U+00A0)"),
    ("zero-width-space-before-a-field-name", edit(C, "status: open", "\u200bstatus: open"),
     "centres/oxhey.md:6: status: the field's name holds an invisible character"),
    # -- tabs ------------------------------------------------------------------------
    ("tab-indents-agency-contact", edit(A, "  role: Centre manager", "\trole: Centre manager"),
     "agencies/oxhey-trust.yaml:6: yaml: YAML syntax error: tabs cannot indent YAML; "
     "use spaces"),
    ("tab-before-space-in-site", edit(S, "  name: Test County Council",
                                      "\t name: Test County Council"),
     "site.yaml:5: yaml: YAML syntax error: tabs cannot indent YAML; use spaces"),
    ("tab-indents-list-item", edit(O, "  - {title: Information pack",
                                   "\t- {title: Information pack"),
     "opportunities/oxhey-eoi.md:11: yaml: YAML syntax error: tabs cannot indent YAML"),
    ("tab-indents-block-text", edit(L, "order: 1", "order: 1\nsummary2: |\n\tmore"),
     "lessons/more-time.md:6: yaml: YAML syntax error: tabs cannot indent YAML"),
    # -- not UTF-8 text ----------------------------------------------------------------
    ("latin-1-agency", write(A, BASE_FILES[A].replace("trust.", "caf\xe9.").encode("latin-1")),
     "agencies/oxhey-trust.yaml:9: file: is not UTF-8 text (the '\xe9' on this line is in "
     "Windows' own encoding, as Notepad or Word may save it); save it as UTF-8 (in the "
     "editor's 'Save as', choose the encoding UTF-8)"),
    ("windows-1252-smart-quotes", write(N, md("title: “Centres” open", "date: 2008-04-01",
                                              "summary: x").encode("cp1252")),
     "news/centres-open.md:2: file: is not UTF-8 text"),
    ("utf-16-le-with-bom-md", write(L, BASE_FILES[L].encode("utf-16")),
     "lessons/more-time.md:1: file: is saved as UTF-16 text; save it as UTF-8"),
    ("utf-16-be-with-bom-site", write(S, b"\xfe\xff" + BASE_FILES[S].encode("utf-16-be")),
     "site.yaml:1: file: is saved as UTF-16 text; save it as UTF-8"),
    ("random-binary-md", write(P, random_bytes(1, 4096)),
     "pages/about.md:1: file: is not UTF-8 text"),
    ("random-binary-yaml", write(D, b"\xc3\x28" + random_bytes(2, 4096)),
     "members/directory.yaml:1: file: is not UTF-8 text"),
    ("png-saved-as-md", write("lessons/picture.md", b"\x89PNG\r\n\x1a\n" + bytes(64)),
     "lessons/picture.md:1: file: is not UTF-8 text"),
    # -- NUL and other control characters ----------------------------------------------
    ("nul-in-front-matter", edit(C, "district: Watford", "district: Wat\x00ford"),
     "centres/oxhey.md:4: file: contains a NUL character; is this a binary file?"),
    ("nul-in-body", edit(L, "Body.", "Bo\x00dy."),
     "lessons/more-time.md:6: file: contains a NUL character"),
    ("nul-in-site-yaml", edit(S, "language: en-GB", "language: en\x00GB"),
     "site.yaml:3: file: contains a NUL character"),
    ("bell-in-front-matter", edit(C, "district: Watford", "district: Wat\x07ford"),
     "centres/oxhey.md:4: yaml: the text contains the control character U+0007, which YAML "
     "does not allow"),
    ("escape-in-yaml-file", edit(A, "about: A community", "about: A \x1b[1mcommunity"),
     "agencies/oxhey-trust.yaml:9: yaml: the text contains the control character U+001B"),
    ("line-separator-in-title", edit(N, "title: Centres open", "title: Centres\u2028open"),
     "news/centres-open.md:2: yaml: the text contains the invisible line separator U+2028, "
     "which YAML reads as a line break"),
    ("next-line-character-in-yaml-file", edit(A, "about: A community", "about: A\x85community"),
     "agencies/oxhey-trust.yaml:9: yaml: the text contains the invisible line separator "
     "U+0085"),
    # -- empty files and broken front matter -------------------------------------------
    ("empty-md", write(L, ""),
     "lessons/more-time.md:1: yaml: the file is empty; a content file starts with a '---' "
     "line"),
    ("blank-lines-md", write(N, "\n\n  \n"), "news/centres-open.md:1: yaml: the file is empty"),
    ("empty-agency-yaml", write(A, ""), "agencies/oxhey-trust.yaml:1: name: is required"),
    ("empty-site-yaml", write(S, ""), "site.yaml:1: base_url: is required"),
    ("comments-only-site-yaml", write(S, "# settings to follow\n"),
     "site.yaml:1: base_url: is required"),
    ("empty-directory-yaml", write(D, ""), "members/directory.yaml:1: directory: is required"),
    ("front-matter-never-closed-news", write(N, "---\ntitle: Centres open\ndate: 2008-04-01\n"),
     "news/centres-open.md:1: yaml: the front matter opened on line 1 is never closed"),
    ("front-matter-only-dashes", write(P, "---\n"),
     "pages/about.md:1: yaml: the front matter opened on line 1 is never closed"),
    ("front-matter-only-dashes-no-newline", write(P, "---"),
     "pages/about.md:1: yaml: the front matter opened on line 1 is never closed"),
    ("front-matter-closed-with-dots", write(L, "---\ntitle: x\nsummary: y\n...\nBody\n"),
     "lessons/more-time.md:1: yaml: the front matter opened on line 1 is never closed"),
    ("front-matter-empty", write(L, "---\n---\nBody.\n"),
     "lessons/more-time.md:1: summary: is required"),
    ("front-matter-after-blank-line", write(L, "\n" + BASE_FILES[L]),
     "lessons/more-time.md:1: yaml: a content file must start with a '---' line"),
    ("front-matter-is-text", write(L, "---\njust some words\n---\n"),
     "lessons/more-time.md:2: yaml: the front matter must be 'field: value' lines"),
    ("agency-yaml-is-a-list", write(A, "- name: Oxhey Community Trust\n"),
     "agencies/oxhey-trust.yaml:1: yaml: this file must be 'field: value' lines"),
    ("agency-file-with-yml-extension", write("agencies/other.yml", BASE_FILES[A]),
     "agencies/other.yml:1: file: 'other.yml' is not a .yaml file"),
    # -- duplicate keys, top level and nested ------------------------------------------
    ("duplicate-key-top-level-yaml", edit(A, "about:", "name: Again\nabout:"),
     "agencies/oxhey-trust.yaml:9: yaml: the field 'name' is given twice (first on line 1): "
     "keep one of them"),
    ("duplicate-key-quoted-spelling", edit(L, "order: 1", "order: 1\n\"title\": Again"),
     "lessons/more-time.md:5: yaml: the field 'title' is given twice (first on line 2): "
     "keep one of them"),
    ("duplicate-key-nested-address", edit(C, "  town: Watford", "  town: Watford\n  town: Oxhey"),
     "centres/oxhey.md:11: yaml: the field 'town' is given twice (first on line 10): "
     "keep one of them"),
    ("duplicate-key-nested-flow", edit(C, 'opens: "09:00"', 'opens: "09:00", opens: "10:00"'),
     "centres/oxhey.md:14: yaml: the field 'opens' is given twice (first on line 14): "
     "keep one of them"),
    ("duplicate-key-nested-site", edit(S, "  email: cc@example.org",
                                       "  email: cc@example.org\n  name: Another Council"),
     "site.yaml:8: yaml: the field 'name' is given twice (first on line 5): "
     "keep one of them"),
    ("duplicate-key-in-directory-entry", edit(D, "  topics: [dads]",
                                              "  topics: [dads]\n  email: other@example.org"),
     "members/directory.yaml:6: yaml: the field 'email' is given twice (first on line 4): "
     "keep one of them"),
    # -- unknown fields in nested mappings ----------------------------------------------
    ("unknown-contact-field", edit(A, "  role: Centre manager",
                                   "  role: Centre manager\n  fax: \"01632 960009\""),
     "agencies/oxhey-trust.yaml:7: contact.fax: unknown field (known fields: email, name, "
     "phone, role)"),
    ("unknown-enquiries-field", edit(O, "  name: Commissioning team",
                                     "  name: Commissioning team\n  phon: \"01632 960003\""),
     "opportunities/oxhey-eoi.md:14: enquiries.phon: unknown field (did you mean 'phone'?)"),
    ("unknown-value-field", add(O, "eligible_sectors:",
                                "value: {amount: 5, currency: GBP, vat: 1}\n"),
     "opportunities/oxhey-eoi.md:8: value.vat: unknown field"),
    ("unknown-document-field", edit(O, "url: media/pack.pdf}", "url: media/pack.pdf, size: 2MB}"),
     "opportunities/oxhey-eoi.md:11: documents[0].size: unknown field"),
    ("unknown-opening-hours-field", edit(C, "{days:", "{day:"),
     "centres/oxhey.md:14: opening_hours[0].days: is required, and 'day' on this line is not "
     "it: check its spelling (days: ...)"),  # (one slip, one message: a newcomer's review)
    ("unknown-location-field", add(C, "services:", "location: {lat: 51.6, lon: -0.4, alt: 80}\n"),
     "centres/oxhey.md:12: location.alt: unknown field"),
    ("unknown-organisation-field", edit(S, "  email: cc@example.org",
                                        "  email: cc@example.org\n  fax: \"01632 960009\""),
     "site.yaml:8: organisation.fax: unknown field"),
    ("unknown-programme-field", edit(S, "  targets:", "  target:"),
     "site.yaml:12: programme.target: unknown field (did you mean 'targets'?)"),
    ("unknown-target-field", edit(S, "label: Phase two}", "label: Phase two, year: 2008}"),
     "site.yaml:13: programme.targets[0].year: unknown field"),
    ("field-name-in-capitals", edit(N, "title: Centres open", "Title: Centres open"),
     "news/centres-open.md:2: title: is required, and 'Title' on this line is not it: field "
     "names are in lower case (title: ...)"),
    ("unknown-milestone-field", edit(S, "{date: 2006-01-09, title:", "{date: 2006-01-09, titel:"),
     "site.yaml:15: programme.milestones[0].title: is required, and 'titel' on this line is "
     "not it: check its spelling (title: ...)"),
    ("unknown-members-field", edit(S, "  protection: server", "  protection: server\n"
                                                             "  passwrd: secret"),
     "site.yaml:19: members.passwrd: unknown field"),
    ("unknown-open-data-field", add(S, "members:", "open_data:\n  licence_url: https://x.org/\n"),
     "site.yaml:17: open_data.licence_url: unknown field"),
    ("unknown-directory-field", edit(D, "  topics: [dads]", "  topics: [dads]\n"
                                                            "  mobile: \"07700 900000\""),
     "members/directory.yaml:6: directory[0].mobile: unknown field"),
    ("unknown-field-ending-in-colon", edit(C, "district: Watford", "district:: Watford"),
     "centres/oxhey.md:4: district: is required, and 'district:' on this line is not it"),
    # -- duplicate slugs through `slug:` ------------------------------------------------
    ("duplicate-slug-news-file-name", copy_as(N, "news/zz-later.md", "summary:",
                                              "slug: centres-open\nsummary:"),
     "news/zz-later.md:4: slug: the news item address 'centres-open' is already used by "),
    ("duplicate-slug-news-file-name-sorted-first", copy_as(N, "news/aa-earlier.md", "summary:",
                                                           "slug: centres-open\nsummary:"),
     "news/aa-earlier.md:4: slug: the news item address 'centres-open' is already used by "),
    ("duplicate-slug-news-both-fields", both(
        copy_as(N, "news/aa-first.md", "summary:", "slug: big-day\nsummary:"),
        copy_as(N, "news/bb-second.md", "summary:", "slug: big-day\nsummary:")),
     "news/bb-second.md:4: slug: the news item address 'big-day' is already used by "),
    ("duplicate-slug-pages", copy_as(P, "pages/zz-about-us.md", "nav_order: 1",
                                     "nav_order: 2\nslug: about"),
     "pages/zz-about-us.md:4: slug: the page address 'about' is already used by "),
    ("duplicate-slug-pages-both-fields", both(
        copy_as(P, "pages/privacy.md", "nav_order: 1", "slug: policy"),
        copy_as(P, "pages/terms.md", "nav_order: 1", "slug: policy")),
     "pages/terms.md:3: slug: the page address 'policy' is already used by "),
    ("duplicate-slug-lessons", copy_as(L, "lessons/zz-other.md", "order: 1",
                                       "slug: more-time"),
     "lessons/zz-other.md:4: slug: the lesson address 'more-time' is already used by "),
    ("duplicate-slug-members-pages", both(
        write("members/pages/a-guide.md", md("title: Guide", "slug: guide")),
        write("members/pages/b-guide.md", md("title: Guide 2", "slug: guide"))),
     "members/pages/b-guide.md:3: slug: the members page address 'guide' is already used by "),
    ("duplicate-slug-good-practice", copy_as(G, "members/good-practice/zz-dads.md",
                                             "tags: [dads]", "slug: dads-group"),
     "members/good-practice/zz-dads.md:7: slug: the good practice post address 'dads-group' "
     "is already used by "),
    # -- dangling references --------------------------------------------------------------
    ("dangling-second-opportunity-centre", edit(O, "centres: [oxhey]", "centres: [oxhey, bushey]"),
     "opportunities/oxhey-eoi.md:9: centres[1]: 'bushey' does not name a file in centres/: "
     "there is no centres/bushey.md"),
    ("dangling-centre-by-its-url-slug", both(add(C, "summary:", "slug: oxhey-centre\n"),
                                             edit(O, "[oxhey]", "[oxhey-centre]")),
     "opportunities/oxhey-eoi.md:9: centres[0]: 'oxhey-centre' does not name a file in "
     "centres/: there is no centres/oxhey-centre.md ('oxhey-centre' is the slug: of "
     "centres/oxhey.md; references use the file name, so write 'oxhey')"),
    ("dangling-opportunity-centre-is-a-draft", add(C, "summary:", "draft: true\n"),
     "opportunities/oxhey-eoi.md:9: centres[0]: 'oxhey' names centres/oxhey.md, which is not "
     "in this build (it is a draft); publish it, or leave it out of this list"),
    ("dangling-opportunity-centre-not-yet-published",
     add(C, "summary:", "publish_date: 2030-01-01T09:00:00Z\n"),
     "opportunities/oxhey-eoi.md:9: centres[0]: 'oxhey' names centres/oxhey.md, which is not "
     "in this build (its publish_date, 2030-01-01T09:00:00+00:00, has not come)"),
    ("dangling-opportunity-centre-empty-item", edit(O, "centres: [oxhey]", "centres:\n  -"),
     "opportunities/oxhey-eoi.md:10: centres[0]: is empty"),
    ("dangling-lead-agency-file-removed", lambda site: site.remove(A),
     "centres/oxhey.md:3: lead_agency: 'oxhey-trust' does not name a file in agencies/"),
    ("dangling-lead-agency-written-as-file-name", edit(C, "lead_agency: oxhey-trust",
                                                      "lead_agency: agencies/oxhey-trust.yaml"),
     "centres/oxhey.md:3: lead_agency: 'agencies/oxhey-trust.yaml' is not a slug: use "
     "lower-case letters, digits and single hyphens (e.g. 'north-watford'); write just the "
     "name, 'oxhey-trust', without folder or extension"),
    ("dangling-good-practice-agency-names-a-centre", edit(G, "agency: oxhey-trust",
                                                         "agency: oxhey"),
     "members/good-practice/dads-group.md:4: agency: 'oxhey' does not name a file in "
     "agencies/: there is no agencies/oxhey.yaml"),
    ("dangling-directory-agency-second-entry", edit(D, "  topics: [dads]",
                                                   "  topics: [dads]\n- name: Kim Example\n"
                                                   "  role: Manager\n  agency: oxhey-trst\n"
                                                   "  phone: \"01632 960004\"\n"
                                                   "  topics: [funding]"),
     "members/directory.yaml:8: directory[1].agency: 'oxhey-trst' does not name a file in "
     "agencies/: "
     "there is no agencies/oxhey-trst.yaml (did you mean 'oxhey-trust'?)"),
    # -- date-times without a zone --------------------------------------------------------
    ("deadline-with-space-and-no-zone", edit(O, "2027-01-29T12:00:00Z", "2027-01-29 12:00:00"),
     "opportunities/oxhey-eoi.md:7: deadline: '2027-01-29 12:00:00' has no time zone; add Z"),
    ("deadline-quoted-without-zone", edit(O, "2027-01-29T12:00:00Z", '"2027-01-29T12:00"'),
     "opportunities/oxhey-eoi.md:7: deadline: '2027-01-29T12:00' has no time zone"),
    ("publish-date-without-zone-news", add(N, "summary:", "publish_date: 2026-01-01T09:00:00\n"),
     "news/centres-open.md:4: publish_date: '2026-01-01T09:00:00' has no time zone"),
    ("expires-without-zone", add(L, "order:", "expires: 2027-06-30T17:00:00\n"),
     "lessons/more-time.md:4: expires: '2027-06-30T17:00:00' has no time zone"),
    ("deadline-zone-out-of-range", edit(O, "2027-01-29T12:00:00Z", "2027-01-29T12:00:00+25:00"),
     "opportunities/oxhey-eoi.md:7: deadline: '2027-01-29T12:00:00+25:00' is not a real "
     "date-time (the zone offset must be less than 24 hours"),
    ("deadline-year-typo", edit(O, "2027-01-29T12:00:00Z", "9999-12-31T23:59:59-23:00"),
     "opportunities/oxhey-eoi.md:7: deadline: '9999-12-31T23:59:59-23:00' is out of range: "
     "the year must be between 1990 and 2199"),
    ("news-date-typed-as-1906", edit(N, "date: 2008-04-01", "date: 1906-05-01"),
     "news/centres-open.md:3: date: '1906-05-01' is out of range: the year must be between "
     "1990 and 2199 (a typo in the year? In the web editor, pick the date from the calendar"),
    ("opening-date-year-typo", edit(C, "2007-09-01", "9999-12-31"),
     "centres/oxhey.md:7: opening_date: '9999-12-31' is out of range"),
    ("target-date-year-typo", edit(S, "2008-04-01", "9999-12-31"),
     "site.yaml:13: programme.targets[0].date: '9999-12-31' is out of range"),
    ("news-date-year-typo", edit(N, "2008-04-01", "0208-04-01"),
     "news/centres-open.md:3: date: '0208-04-01' is out of range"),
    # -- slugs and document paths that try to leave their folders -----------------------
    ("slug-parent-folder", add(N, "summary:", "slug: ../etc\n"),
     "news/centres-open.md:4: slug: '../etc' is not a slug"),
    ("slug-absolute", add(P, "nav_order:", "slug: /abs\n"),
     "pages/about.md:3: slug: '/abs' is not a slug"),
    ("slug-nested-path", add(L, "order:", "slug: a/b\n"),
     "lessons/more-time.md:4: slug: 'a/b' is not a slug"),
    ("slug-dot", add(G, "tags:", "slug: .\n"),
     "members/good-practice/dads-group.md:7: slug: '.' is not a slug"),
    ("tag-of-punctuation-only", edit(G, "tags: [dads]", "tags: [dads, '!!!']"),
     "members/good-practice/dads-group.md:7: tags[1]: '!!!' has no letter or number to make "
     "its page's address from"),
    ("slug-non-ascii", add(N, "summary:", "slug: żółw\n"),
     "news/centres-open.md:4: slug: 'żółw' is not a slug"),
    ("file-name-non-ascii", write("news/żółw.md", BASE_FILES[N]),
     "news/żółw.md:1: slug: the file name 'żółw.md' must be lower-case letters"),
    ("document-url-climbs-out", edit(O, "media/pack.pdf", "media/../../x"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: 'media/../../x' is not a file in "
     "content/media/"),
    ("document-url-double-slash", edit(O, "media/pack.pdf", "media//etc/passwd"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: 'media//etc/passwd' is not a file in "
     "content/media/"),
    ("document-url-absolute-path", edit(O, "media/pack.pdf", "/etc/passwd"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: '/etc/passwd' must be a whole web "
     "address (https://...) or a file in media/"),
    ("document-url-file-scheme", edit(O, "media/pack.pdf", "file:///etc/passwd"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: 'file:///etc/passwd' must be a whole "
     "web address"),
    ("document-url-windows-path", edit(O, "media/pack.pdf", "'C:\\Users\\x.pdf'"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: 'C:\\Users\\x.pdf' must be a whole "
     "web address"),
    ("document-url-media-folder-itself", edit(O, "media/pack.pdf", "media/"),
     "opportunities/oxhey-eoi.md:11: documents[0].url: 'media/' is not a file in "
     "content/media/"),
    ("symlinked-folder-outside", link("lessons/more", lambda site: outside(site) / "lessons"),
     "lessons/more:1: file: links to a place outside the content folder"),
    ("symlinked-section-outside", both(lambda site: shutil.rmtree(site.content / "lessons"),
                                       link("lessons", lambda site: outside(site) / "lessons")),
     "lessons:1: file: links to a place outside the content folder"),
    ("symlinked-media-file-outside", link("media/passwd", lambda site: outside(site) / "passwd"),
     "media/passwd:1: file: links to a place outside the content folder"),
    ("symlinked-media-file-into-members", link("media/directory.yaml",
                                               lambda site: site.content / D),
     "media/directory.yaml:1: file: links into members/, which is members-only, from a "
     "public place"),
    ("symlinked-media-folder-into-members", both(
        write("members/media/minutes.pdf", "%PDF-1.4 members only\n"),
        link("media/minutes", lambda site: site.content / "members" / "media")),
     "media/minutes:1: file: links into members/, which is members-only"),
    ("symlinked-folder-inside", link("media/more", lambda site: site.content / "news"),
     "media/more:1: file: is a link to a folder, and linked folders are not read"),
    ("symlink-loop", both(link("lessons/a.md", lambda site: "b.md"),
                          link("lessons/b.md", lambda site: "a.md")),
     "lessons/a.md:1: file: is a link to nothing (its target is missing, or it links back "
     "to itself)"),
    ("symlink-to-missing-file", link("news/gone.md", lambda site: "nowhere.md"),
     "news/gone.md:1: file: is a link to nothing"),
    ("folder-named-like-the-directory-file", both(lambda site: (site.content / D).unlink(),
                                                  lambda site: (site.content / D).mkdir()),
     "members/directory.yaml:1: file: is a folder, not a file"),
    ("folder-named-like-a-news-item", lambda site: (site.content / "news/extra.md").mkdir(),
     "news/extra.md:1: file: is a folder, not a file"),
    ("folder-named-like-the-site-settings", both(lambda site: (site.content / S).unlink(),
                                                 lambda site: (site.content / S).mkdir()),
     "site.yaml:1: file: is a folder, not a file"),
    ("named-pipe-as-content-file", fifo("lessons/pipe.md"),
     "lessons/pipe.md:1: file: is not an ordinary file (a pipe, socket or device?)"),
    ("named-pipe-in-media", fifo("media/pipe.pdf"),
     "media/pipe.pdf:1: file: is not an ordinary file"),
    # a name in another encoding than UTF-8 (b"bad\xffname"), as Python reads it
    ("media-file-named-not-in-utf-8", write("media/bad\udcffname.pdf", "%PDF-1.4 x\n"),
     "media/bad\\xffname.pdf:1: file: its name is not written in UTF-8"),
    ("news-item-named-not-in-utf-8", write("news/caf\udce9.md", BASE_FILES[N]),
     "news/caf\\xe9.md:1: file: its name is not written in UTF-8"),
    # -- YAML tags ---------------------------------------------------------------------
    ("tag-python-apply-in-yaml-file", edit(A, "about: A community trust.",
                                           "about: !!python/object/apply:os.system [id]"),
     "agencies/oxhey-trust.yaml:9: yaml: YAML tags (!tag) are not allowed in content; "
     "remove the tag"),
    ("tag-python-name-on-key", edit(S, "language:", "!!python/name:os.system language:"),
     "site.yaml:3: yaml: YAML tags (!tag) are not allowed"),
    ("tag-binary", edit(L, "order: 1", "order: !!binary MQ=="),
     "lessons/more-time.md:4: yaml: YAML tags (!tag) are not allowed"),
    ("tag-custom", edit(N, "title: Centres open", "title: !custom Centres open"),
     "news/centres-open.md:2: yaml: YAML tags (!tag) are not allowed"),
    ("tag-explicit-str", edit(P, "nav_order: 1", "nav_order: !!str 1"),
     "pages/about.md:3: yaml: YAML tags (!tag) are not allowed"),
    ("tag-verbatim-str", edit(P, "title: About", "title: !<tag:yaml.org,2002:str> About"),
     "pages/about.md:2: yaml: YAML tags (!tag) are not allowed"),
    ("tag-non-specific", edit(G, "author: Sam Example", "author: ! Sam Example"),
     "members/good-practice/dads-group.md:3: yaml: YAML tags (!tag) are not allowed"),
    ("tag-on-mapping", edit(A, "contact:", "contact: !!map"),
     "agencies/oxhey-trust.yaml:4: yaml: YAML tags (!tag) are not allowed"),
    ("tag-set-on-sequence", edit(C, "services: [", "services: !!set ["),
     "centres/oxhey.md:12: yaml: YAML tags (!tag) are not allowed"),
    ("tag-directive-shorthand", write(A, "%TAG !x! tag:example.org,2024:\n---\n"
                                      + BASE_FILES[A].replace("about:", "about: !x!text")),
     "agencies/oxhey-trust.yaml:11: yaml: YAML tags (!tag) are not allowed"),
    ("anchor-in-site-yaml", edit(S, "  targets:", "  targets: &t"),
     "site.yaml:12: yaml: YAML anchors (&name) are not allowed"),
    ("merge-key-alias", edit(C, "  town: Watford", "  <<: *base"),
     "centres/oxhey.md:10: yaml: YAML aliases (*name) are not allowed"),
]

# A value of the wrong kind for every field of every content type, and the message each
# must give: (id, file, text to replace, replacement, expected first error line start).
WRONG_TYPES = [
    # centre
    ("centre-name-list", C, "name: Oxhey Children's Centre", "name: [Oxhey, Centre]",
     "centres/oxhey.md:2: name: must be text, not a list or a mapping"),
    ("centre-lead-agency-mapping", C, "lead_agency: oxhey-trust", "lead_agency: {slug: oxhey}",
     "centres/oxhey.md:3: lead_agency: must be text, not a list or a mapping"),
    ("centre-district-list", C, "district: Watford", "district: [Watford]",
     "centres/oxhey.md:4: district: must be text, not a list or a mapping"),
    ("centre-phase-true", C, "phase: 2", "phase: true",
     "centres/oxhey.md:5: phase: must be a whole number, not 'true'"),
    ("centre-phase-quoted", C, "phase: 2", 'phase: "2"',
     "centres/oxhey.md:5: phase: must be a whole number, not the text '2': write plain "
     "digits, without quotes"),
    ("centre-phase-decimal", C, "phase: 2", "phase: 2.5",
     "centres/oxhey.md:5: phase: must be a whole number, not '2.5'"),
    ("centre-phase-list", C, "phase: 2", "phase: [2]",
     "centres/oxhey.md:5: phase: must be a whole number, not a list"),
    ("centre-status-list", C, "status: open", "status: [open]",
     "centres/oxhey.md:6: status: must be text, not a list or a mapping"),
    ("centre-opening-date-number", C, "opening_date: 2007-09-01", "opening_date: 20070901",
     "centres/oxhey.md:7: opening_date: '20070901' is not a real date; write it as YYYY-MM-DD"),
    ("centre-opening-date-true", C, "opening_date: 2007-09-01", "opening_date: true",
     "centres/oxhey.md:7: opening_date: 'true' is not a real date"),
    ("centre-opening-date-mapping", C, "opening_date: 2007-09-01",
     "opening_date: {year: 2007}", "centres/oxhey.md:7: opening_date: must be a date, not a "
     "mapping; write it as YYYY-MM-DD"),
    ("centre-address-list", C, ADDRESS, "address: [1 Bridlington Road, Watford, WD19 7AA]\n",
     "centres/oxhey.md:8: address: must be 'field: value' lines, each on a line of "
     "its own, indented under it"),
    ("centre-address-empty", C, ADDRESS, "address:\n",
     "centres/oxhey.md:8: address: is required, but has no value here"),
    ("centre-street-list", C, "  street: 1 Bridlington Road", "  street: [1, Bridlington Road]",
     "centres/oxhey.md:9: address.street: must be text"),
    ("centre-town-mapping", C, "  town: Watford", "  town: {name: Watford}",
     "centres/oxhey.md:10: address.town: must be text"),
    ("centre-postcode-number", C, "  postcode: WD19 7AA", "  postcode: 12345",
     "centres/oxhey.md:11: address.postcode: '12345' is not a UK postcode"),
    ("centre-locality-list", C, "  town: Watford", "  town: Watford\n  locality: [South, Oxhey]",
     "centres/oxhey.md:11: address.locality: must be text"),
    ("centre-location-list", C, "services:", "location: [51.6, -0.4]\nservices:",
     "centres/oxhey.md:12: location: must be 'field: value' lines"),
    ("centre-lat-text", C, "services:", "location: {lat: north, lon: -0.4}\nservices:",
     "centres/oxhey.md:12: location.lat: must be a number, not 'north'"),
    ("centre-lat-quoted", C, "services:", 'location: {lat: "51.6", lon: -0.4}\nservices:',
     "centres/oxhey.md:12: location.lat: must be a number, not the text '51.6': write plain "
     "digits, without quotes"),
    ("centre-lon-true", C, "services:", "location: {lat: 51.6, lon: true}\nservices:",
     "centres/oxhey.md:12: location.lon: must be a number, not 'true'"),
    ("centre-lon-infinite", C, "services:", "location: {lat: 51.6, lon: .inf}\nservices:",
     "centres/oxhey.md:12: location.lon: must be a number, not '.inf'"),
    ("centre-services-mapping", C, "services: [early-education, health]",
     "services: {early-education: yes}", "centres/oxhey.md:12: services: must be a list"),
    ("centre-services-empty-list", C, "services: [early-education, health]", "services: []",
     "centres/oxhey.md:12: services: is an empty list; give at least one item"),
    ("centre-service-item-mapping", C, "services: [early-education, health]",
     "services: [{early-education: yes}]", "centres/oxhey.md:12: services[0]: must be text"),
    ("centre-opening-hours-mapping", C, '  - {days: [mon, tue, wed, thu, fri], opens: "09:00", '
     'closes: "17:00"}\n', '  days: [mon]\n', "centres/oxhey.md:14: opening_hours: must be a list"),
    ("centre-opening-hours-item-text", C, '{days: [mon, tue, wed, thu, fri], opens: "09:00", '
     'closes: "17:00"}', "weekdays 9 to 5",
     "centres/oxhey.md:14: opening_hours[0]: must be 'field: value' lines"),
    ("centre-days-text", C, "days: [mon, tue, wed, thu, fri]", "days: mon",
     "centres/oxhey.md:14: opening_hours[0].days: must be a list"),
    ("centre-opens-number", C, 'opens: "09:00"', "opens: 9",
     "centres/oxhey.md:14: opening_hours[0].opens: '9' is not a time; write it as HH:MM"),
    ("centre-closes-list", C, 'closes: "17:00"', "closes: [17, 0]",
     "centres/oxhey.md:14: opening_hours[0].closes: a list is not a time"),
    ("centre-phone-list", C, 'phone: "01632 960002"', 'phone: ["01632 960002"]',
     "centres/oxhey.md:15: phone: must be text"),
    ("centre-phone-unquoted-number", C, 'phone: "01632 960002"', "phone: 1632960002",
     "centres/oxhey.md:15: phone: '1632960002' is not a UK phone number"),
    ("centre-email-true", C, "summary:", "email: true\nsummary:",
     "centres/oxhey.md:16: email: 'true' is not an e-mail address"),
    ("centre-website-mapping", C, "summary:", "website: {url: https://example.org/}\nsummary:",
     "centres/oxhey.md:16: website: must be text"),
    ("centre-summary-list", C, "summary: A centre for families in South Oxhey.",
     "summary: [A centre, for families]", "centres/oxhey.md:16: summary: must be text"),
    ("centre-summary-mapping", C, "summary: A centre for families in South Oxhey.",
     "summary: {text: A centre}", "centres/oxhey.md:16: summary: must be text"),
    # fields every Markdown file may carry
    ("common-slug-list", L, "order: 1", "order: 1\nslug: [more]",
     "lessons/more-time.md:5: slug: must be text"),
    ("common-draft-quoted", L, "order: 1", 'order: 1\ndraft: "true"',
     "lessons/more-time.md:5: draft: must be true or false, not 'true': remove the quotes"),
    ("common-draft-number", L, "order: 1", "order: 1\ndraft: 1",
     "lessons/more-time.md:5: draft: must be true or false, not '1'"),
    ("common-publish-date-number", N, "summary:", "publish_date: 2026\nsummary:",
     "news/centres-open.md:4: publish_date: '2026' is not a real date-time; write it as "
     "YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z), or as a date YYYY-MM-DD"),
    ("common-publish-date-list", N, "summary:", "publish_date: [2026-01-01]\nsummary:",
     "news/centres-open.md:4: publish_date: must be a date-time, not a list"),
    ("common-expires-true", P, "nav_order: 1", "nav_order: 1\nexpires: true",
     "pages/about.md:4: expires: 'true' is not a real date-time"),
    ("common-extra-list", P, "nav_order: 1", "nav_order: 1\nextra: [a, b]",
     "pages/about.md:4: extra: must be 'field: value' lines"),
    # agency
    ("agency-name-list", A, "name: Oxhey Community Trust", "name: [Oxhey]",
     "agencies/oxhey-trust.yaml:1: name: must be text"),
    ("agency-sector-list", A, "sector: voluntary", "sector: [voluntary, school]",
     "agencies/oxhey-trust.yaml:2: sector: must be text"),
    ("agency-sector-number", A, "sector: voluntary", "sector: 3",
     "agencies/oxhey-trust.yaml:2: sector: '3' is not one of private, voluntary"),
    ("agency-website-list", A, "website: https://example.org/", "website: [https://example.org/]",
     "agencies/oxhey-trust.yaml:3: website: must be text"),
    ("agency-contact-text", A, CONTACT, "contact: Jane Example, 01632 960001\n",
     "agencies/oxhey-trust.yaml:4: contact: must be 'field: value' lines"),
    ("agency-contact-name-list", A, "  name: Jane Example", "  name: [Jane, Example]",
     "agencies/oxhey-trust.yaml:5: contact.name: must be text"),
    ("agency-contact-role-mapping", A, "  role: Centre manager", "  role: {title: Manager}",
     "agencies/oxhey-trust.yaml:6: contact.role: must be text"),
    ("agency-contact-phone-true", A, '  phone: "01632 960001"', "  phone: true",
     "agencies/oxhey-trust.yaml:7: contact.phone: 'true' is not a UK phone number"),
    ("agency-contact-email-list", A, "  email: jane@example.org", "  email: [jane@example.org]",
     "agencies/oxhey-trust.yaml:8: contact.email: must be text"),
    ("agency-about-list", A, "about: A community trust.", "about:\n  - A community trust.",
     "agencies/oxhey-trust.yaml:10: about: must be text"),
    # opportunity
    ("opportunity-title-list", O, "title: Lead agency for Oxhey", "title: [Lead agency]",
     "opportunities/oxhey-eoi.md:2: title: must be text"),
    ("opportunity-reference-mapping", O, "reference: HCC-1", "reference: {id: 1}",
     "opportunities/oxhey-eoi.md:3: reference: must be text"),
    ("opportunity-kind-list", O, "kind: expression-of-interest", "kind: [tender]",
     "opportunities/oxhey-eoi.md:4: kind: must be text"),
    ("opportunity-status-true", O, "status: active", "status: true",
     "opportunities/oxhey-eoi.md:5: status: 'true' is not one of planning, active"),
    ("opportunity-published-number", O, "published: 2026-11-02", "published: 2026",
     "opportunities/oxhey-eoi.md:6: published: '2026' is not a real date"),
    ("opportunity-published-list", O, "published: 2026-11-02", "published: [2026-11-02]",
     "opportunities/oxhey-eoi.md:6: published: must be a date, not a list"),
    ("opportunity-opens-number", O, "published: 2026-11-02", "published: 2026-11-02\nopens: 2026",
     "opportunities/oxhey-eoi.md:7: opens: '2026' is not a real date"),
    ("opportunity-deadline-number", O, "deadline: 2027-01-29T12:00:00Z", "deadline: 5",
     "opportunities/oxhey-eoi.md:7: deadline: '5' is not a real date-time; write it as "
     "YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)"),
    ("opportunity-deadline-mapping", O, "deadline: 2027-01-29T12:00:00Z",
     "deadline: {date: 2027-01-29}", "opportunities/oxhey-eoi.md:7: deadline: must be a "
     "date-time, not a mapping"),
    ("opportunity-value-list", O, "eligible_sectors:", "value: [5000, GBP]\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value: must be 'field: value' lines"),
    ("opportunity-amount-text", O, "eligible_sectors:",
     "value: {amount: five thousand, currency: GBP}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.amount: must be a number, not 'five thousand'"),
    ("opportunity-amount-with-pound-sign-and-commas", O, "eligible_sectors:",
     "value: {amount: '£450,000', currency: GBP}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.amount: must be a number, not '£450,000' (write "
     "digits only, with a point for decimals: 450000)"),
    ("centre-day-written-out", C, "days: [mon, tue, wed, thu, fri]",
     "days: [Monday, tue, wed, thu, fri]", "centres/oxhey.md:14: opening_hours[0].days[0]: "
     "'Monday' is not one of mon, tue, wed, thu, fri, sat or sun; did you mean 'mon'?"),
    ("opportunity-amount-true", O, "eligible_sectors:",
     "value: {amount: true, currency: GBP}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.amount: must be a number, not 'true'"),
    ("opportunity-amount-quoted", O, "eligible_sectors:",
     "value: {amount: '5000', currency: GBP}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.amount: must be a number, not the text '5000'"),
    ("opportunity-amount-absurd", O, "eligible_sectors:",
     "value: {amount: 1.0e+9999, currency: GBP}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.amount: must be at most 1,000,000,000,000 (pounds)"),
    ("opportunity-currency-list", O, "eligible_sectors:",
     "value: {amount: 5, currency: [GBP]}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.currency: must be text"),
    ("opportunity-sectors-mapping", O, "eligible_sectors: [voluntary, school]",
     "eligible_sectors: {voluntary: yes}",
     "opportunities/oxhey-eoi.md:8: eligible_sectors: must be a list"),
    ("opportunity-sectors-text", O, "eligible_sectors: [voluntary, school]",
     "eligible_sectors: voluntary", "opportunities/oxhey-eoi.md:8: eligible_sectors: must be a "
     "list"),
    ("opportunity-centres-text", O, "centres: [oxhey]", "centres: oxhey",
     "opportunities/oxhey-eoi.md:9: centres: must be a list"),
    ("opportunity-centre-item-mapping", O, "centres: [oxhey]", "centres: [{slug: oxhey}]",
     "opportunities/oxhey-eoi.md:9: centres[0]: must be text"),
    ("opportunity-documents-mapping", O, DOCUMENTS,
     "documents: {title: Information pack, url: media/pack.pdf}\n",
     "opportunities/oxhey-eoi.md:10: documents: must be a list"),
    ("opportunity-document-item-text", O, "{title: Information pack, url: media/pack.pdf}",
     "media/pack.pdf", "opportunities/oxhey-eoi.md:11: documents[0]: must be 'field: value' lines"),
    ("opportunity-document-title-list", O, "title: Information pack,", "title: [Pack],",
     "opportunities/oxhey-eoi.md:11: documents[0].title: must be text"),
    ("opportunity-document-url-mapping", O, "url: media/pack.pdf}", "url: {file: pack.pdf}}",
     "opportunities/oxhey-eoi.md:11: documents[0].url: must be text"),
    ("opportunity-enquiries-list", O, ENQUIRIES,
     "enquiries: [Commissioning team, commissioning@example.org]\n",
     "opportunities/oxhey-eoi.md:12: enquiries: must be 'field: value' lines"),
    ("opportunity-enquiries-name-list", O, "  name: Commissioning team", "  name: [Team]",
     "opportunities/oxhey-eoi.md:13: enquiries.name: must be text"),
    ("opportunity-enquiries-email-mapping", O, "  email: commissioning@example.org",
     "  email: {to: commissioning@example.org}",
     "opportunities/oxhey-eoi.md:14: enquiries.email: must be text"),
    ("opportunity-enquiries-phone-list", O, "  email: commissioning@example.org",
     "  email: commissioning@example.org\n  phone: [\"01632 960003\"]",
     "opportunities/oxhey-eoi.md:15: enquiries.phone: must be text"),
    ("opportunity-summary-list", O, "enquiries:", "summary: [one, two]\nenquiries:",
     "opportunities/oxhey-eoi.md:12: summary: must be text"),
    # lesson
    ("lesson-title-list", L, "title: Allow more time", "title: [Allow more time]",
     "lessons/more-time.md:2: title: must be text"),
    ("lesson-summary-mapping", L, "summary: Small organisations needed more time to bid.",
     "summary: {short: More time}", "lessons/more-time.md:3: summary: must be text"),
    ("lesson-order-quoted", L, "order: 1", "order: '1'",
     "lessons/more-time.md:4: order: must be a whole number, not the text '1'"),
    ("lesson-order-true", L, "order: 1", "order: true",
     "lessons/more-time.md:4: order: must be a whole number, not 'true'"),
    ("lesson-tags-mapping", L, "order: 1", "order: 1\ntags: {bidding: yes}",
     "lessons/more-time.md:5: tags: must be a list"),
    ("lesson-tag-item-list", L, "order: 1", "order: 1\ntags: [[bidding]]",
     "lessons/more-time.md:5: tags[0]: must be text"),
    # news
    ("news-title-mapping", N, "title: Centres open", "title: {en: Centres open}",
     "news/centres-open.md:2: title: must be text"),
    ("news-date-true", N, "date: 2008-04-01", "date: true",
     "news/centres-open.md:3: date: 'true' is not a real date"),
    ("news-date-with-time", N, "date: 2008-04-01", "date: 2008-04-01 10:00:00",
     "news/centres-open.md:3: date: must be a date without a time"),
    ("news-summary-list", N, "summary: The network reached its target.", "summary: [a, b]",
     "news/centres-open.md:4: summary: must be text"),
    ("news-tags-text", N, "summary:", "tags: news\nsummary:",
     "news/centres-open.md:4: tags: must be a list"),
    # page
    ("page-title-list", P, "title: About the programme", "title: [About]",
     "pages/about.md:2: title: must be text"),
    ("page-summary-mapping", P, "nav_order: 1", "nav_order: 1\nsummary: {a: b}",
     "pages/about.md:4: summary: must be text"),
    ("page-nav-order-true", P, "nav_order: 1", "nav_order: true",
     "pages/about.md:3: nav_order: must be a whole number, not 'true'"),
    ("page-nav-order-list", P, "nav_order: 1", "nav_order: [1]",
     "pages/about.md:3: nav_order: must be a whole number, not a list"),
    # good practice
    ("good-practice-title-list", G, "title: Running a dads' group", "title: [Dads]",
     "members/good-practice/dads-group.md:2: title: must be text"),
    ("good-practice-author-list", G, "author: Sam Example", "author: [Sam, Kim]",
     "members/good-practice/dads-group.md:3: author: must be text"),
    ("good-practice-agency-list", G, "agency: oxhey-trust", "agency: [oxhey-trust]",
     "members/good-practice/dads-group.md:4: agency: must be text"),
    ("good-practice-date-number", G, "date: 2009-05-01", "date: 2009",
     "members/good-practice/dads-group.md:5: date: '2009' is not a real date"),
    ("good-practice-summary-list", G, "summary: What worked for us.", "summary: [x]",
     "members/good-practice/dads-group.md:6: summary: must be text"),
    ("good-practice-tags-mapping", G, "tags: [dads]", "tags: {dads: yes}",
     "members/good-practice/dads-group.md:7: tags: must be a list"),
    # directory
    ("directory-entry-text", D, BASE_FILES[D], "- Sam Example\n",
     "members/directory.yaml:1: directory[0]: must be 'field: value' lines"),
    ("directory-name-list", D, "- name: Sam Example", "- name: [Sam]",
     "members/directory.yaml:1: directory[0].name: must be text"),
    ("directory-role-mapping", D, "  role: Centre manager", "  role: {title: Manager}",
     "members/directory.yaml:2: directory[0].role: must be text"),
    ("directory-agency-list", D, "  agency: oxhey-trust", "  agency: [oxhey-trust]",
     "members/directory.yaml:3: directory[0].agency: must be text"),
    ("directory-phone-true", D, "  email: sam@example.org", "  phone: true",
     "members/directory.yaml:4: directory[0].phone: 'true' is not a UK phone number"),
    ("directory-email-list", D, "  email: sam@example.org", "  email: [sam@example.org]",
     "members/directory.yaml:4: directory[0].email: must be text"),
    ("directory-topics-text", D, "  topics: [dads]", "  topics: dads",
     "members/directory.yaml:5: directory[0].topics: must be a list"),
    # site.yaml
    ("site-title-list", S, "title: Test Children's Centres", "title: [Test]",
     "site.yaml:1: title: must be text"),
    ("site-base-url-list", S, "base_url: https://cc.example.org/",
     "base_url: [https://cc.example.org/]", "site.yaml:2: base_url: must be text"),
    ("site-language-mapping", S, "language: en-GB", "language: {code: en-GB}",
     "site.yaml:3: language: must be text"),
    ("site-language-name", S, "language: en-GB", "language: English",
     "site.yaml:3: language: 'English' is not a language code; write en-GB for English"),
    ("site-email-mailto", S, "  email: cc@example.org", "  email: mailto:cc@example.org",
     "site.yaml:7: organisation.email: 'mailto:cc@example.org': write the address alone, "
     "without 'mailto:'"),
    ("site-organisation-text", S, ORGANISATION, "organisation: Test County Council\n",
     "site.yaml:4: organisation: must be 'field: value' lines"),
    ("site-organisation-name-list", S, "  name: Test County Council", "  name: [Test]",
     "site.yaml:5: organisation.name: must be text"),
    ("site-organisation-phone-true", S, '  phone: "01632 960000"', "  phone: true",
     "site.yaml:6: organisation.phone: 'true' is not a UK phone number"),
    ("site-organisation-email-list", S, "  email: cc@example.org", "  email: [cc@example.org]",
     "site.yaml:7: organisation.email: must be text"),
    ("site-service-types-list", S, SERVICE_TYPES, "service_types: [early-education, health]\n",
     "site.yaml:8: service_types: must be 'field: value' lines"),
    ("site-service-types-empty-mapping", S, SERVICE_TYPES, "service_types: {}\n",
     "site.yaml:8: service_types: is empty; give at least one 'key: label' line"),
    ("site-service-label-list", S, "  health: Child and family health services",
     "  health: [Child, family]", "site.yaml:10: service_types.health: must be text"),
    ("site-service-label-empty", S, "  health: Child and family health services", "  health:",
     "site.yaml:10: service_types.health: is required, but has no value here"),
    ("site-programme-list", S, "programme:\n" + TARGETS + MILESTONES, "programme: [a, b]\n",
     "site.yaml:11: programme: must be 'field: value' lines"),
    ("site-targets-mapping", S, TARGETS, "  targets: {date: 2008-04-01}\n",
     "site.yaml:12: programme.targets: must be a list"),
    ("site-target-item-text", S, "{date: 2008-04-01, centres: 1, label: Phase two}",
     "Phase two in 2008", "site.yaml:13: programme.targets[0]: must be 'field: value' lines"),
    ("site-target-date-true", S, "{date: 2008-04-01,", "{date: true,",
     "site.yaml:13: programme.targets[0].date: 'true' is not a real date"),
    ("site-target-centres-quoted", S, "centres: 1,", "centres: '1',",
     "site.yaml:13: programme.targets[0].centres: must be a whole number, not the text '1'"),
    ("site-target-label-list", S, "label: Phase two}", "label: [Phase, two]}",
     "site.yaml:13: programme.targets[0].label: must be text"),
    ("site-milestones-text", S, MILESTONES, "  milestones: Phase one planning\n",
     "site.yaml:14: programme.milestones: must be a list"),
    ("site-milestone-date-number", S, "{date: 2006-01-09,", "{date: 2006,",
     "site.yaml:15: programme.milestones[0].date: '2006' is not a real date"),
    ("site-milestone-title-mapping", S, "title: Expressions of interest open}",
     "title: {en: Open}}", "site.yaml:15: programme.milestones[0].title: must be text"),
    ("site-members-text", S, MEMBERS, "members: server\n",
     "site.yaml:16: members: must be 'field: value' lines"),
    ("site-members-title-list", S, "  title: Lead agency network", "  title: [Network]",
     "site.yaml:17: members.title: must be text"),
    ("site-members-protection-list", S, "  protection: server", "  protection: [server]",
     "site.yaml:18: members.protection: must be text"),
    ("site-open-data-list", S, MEMBERS, MEMBERS + "open_data: [OGL-UK-3.0]\n",
     "site.yaml:19: open_data: must be 'field: value' lines"),
    ("site-licence-list", S, MEMBERS, MEMBERS + "open_data:\n  licence: [OGL-UK-3.0]\n",
     "site.yaml:20: open_data.licence: must be text"),
    ("site-ocid-prefix-mapping", S, MEMBERS, MEMBERS + "open_data:\n  ocid_prefix: {a: b}\n",
     "site.yaml:20: open_data.ocid_prefix: must be text"),
    ("site-extra-list", S, MEMBERS, MEMBERS + "extra: [a, b]\n",
     "site.yaml:19: extra: must be 'field: value' lines"),
    ("site-accessibility-list", S, MEMBERS, MEMBERS + "accessibility: [partial, 2026-11-02]\n",
     "site.yaml:19: accessibility: must be 'field: value' lines"),
    ("site-accessibility-prepared-list", S, MEMBERS,
     MEMBERS + "accessibility:\n  prepared: [2026-11-02]\n",
     "site.yaml:20: accessibility.prepared: must be a date, not a list"),
    ("site-accessibility-compliance-list", S, *accessibility("  compliance: [partial]\n"),
     "site.yaml:21: accessibility.compliance: must be text"),
    ("site-accessibility-standard-list", S, *accessibility("  standard: [2.2]\n"),
     "site.yaml:21: accessibility.standard: must be text"),
    ("site-accessibility-standard-wcag-2-0", S, *accessibility("  standard: 2.0\n"),
     "site.yaml:21: accessibility.standard: '2.0' is not one of 2.1 or 2.2"),
    ("site-accessibility-reviewed-true", S, *accessibility("  reviewed: true\n"),
     "site.yaml:21: accessibility.reviewed: 'true' is not a real date"),
    ("site-accessibility-tested-number", S, *accessibility("  tested: 2026\n"),
     "site.yaml:21: accessibility.tested: '2026' is not a real date"),
    ("site-accessibility-tested-by-list", S, *accessibility("  tested_by: [us, them]\n"),
     "site.yaml:21: accessibility.tested_by: must be text"),
    ("site-accessibility-response-days-quoted", S, *accessibility("  response_days: '5'\n"),
     "site.yaml:21: accessibility.response_days: must be a whole number, not the text '5'"),
    ("site-accessibility-email-list", S, *accessibility("  email: [cc@example.org]\n"),
     "site.yaml:21: accessibility.email: must be text"),
    ("site-accessibility-phone-true", S, *accessibility("  phone: true\n"),
     "site.yaml:21: accessibility.phone: 'true' is not a UK phone number"),
    ("site-accessibility-limitations-text", S, *accessibility("  limitations: old PDFs\n"),
     "site.yaml:21: accessibility.limitations: must be a list"),
    ("site-accessibility-non-compliance-mapping", S,
     *accessibility("  non_compliance: {issue: A PDF}\n"),
     "site.yaml:21: accessibility.non_compliance: must be a list"),
    ("site-accessibility-non-compliance-item-text", S,
     *accessibility("  non_compliance: [A PDF without tags]\n"),
     "site.yaml:21: accessibility.non_compliance[0]: must be 'field: value' lines"),
    ("site-accessibility-issue-list", S,
     *accessibility("  non_compliance:\n    - {issue: [A PDF]}\n"),
     "site.yaml:22: accessibility.non_compliance[0].issue: must be text"),
    ("site-accessibility-criteria-text", S,
     *accessibility("  non_compliance:\n    - {issue: A PDF, criteria: 1.3.1}\n"),
     "site.yaml:22: accessibility.non_compliance[0].criteria: must be a list"),
    ("site-accessibility-fix-by-true", S,
     *accessibility("  non_compliance:\n    - {issue: A PDF, fix_by: true}\n"),
     "site.yaml:22: accessibility.non_compliance[0].fix_by: 'true' is not a real date"),
    ("site-accessibility-burden-mapping", S,
     *accessibility("  disproportionate_burden: {maps: costly}\n"),
     "site.yaml:21: accessibility.disproportionate_burden: must be a list"),
    ("site-accessibility-out-of-scope-text", S, *accessibility("  out_of_scope: old PDFs\n"),
     "site.yaml:21: accessibility.out_of_scope: must be a list"),
    ("site-accessibility-improvements-list", S, *accessibility("  improvements: [tests]\n"),
     "site.yaml:21: accessibility.improvements: must be text"),
    ("site-members-contact-list", S, MEMBERS, MEMBERS + "  contact: [Network coordinator]\n",
     "site.yaml:19: members.contact: must be 'field: value' lines"),
    ("site-members-contact-name-list", S, MEMBERS,
     MEMBERS + "  contact: {name: [a, b], email: n@example.org}\n",
     "site.yaml:19: members.contact.name: must be text"),
    ("site-members-contact-email-list", S, MEMBERS,
     MEMBERS + "  contact: {name: Network coordinator, email: [n@example.org]}\n",
     "site.yaml:19: members.contact.email: must be text"),
    ("site-members-contact-phone-true", S, MEMBERS,
     MEMBERS + "  contact: {name: Network coordinator, phone: true}\n",
     "site.yaml:19: members.contact.phone: 'true' is not a UK phone number"),
    # issue 20: questions, events and outcomes of a round; consultations; the mailing list
    ('opportunity-clarifications-text', O, 'status: active',
     'status: active\nclarifications: when is the deadline?',
     "opportunities/oxhey-eoi.md:6: clarifications: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('opportunity-clarification-question-list', O, 'status: active',
     'status: active\nclarifications:\n  - {question: [a, b], answer: Noon., date: 2026-11-10}',
     'opportunities/oxhey-eoi.md:7: clarifications[0].question: must be text, not a list or a mapping'),
    ('opportunity-clarification-answer-mapping', O, 'status: active',
     'status: active\nclarifications:\n  - {question: When?, answer: {at: noon}, date: 2026-11-10}',
     'opportunities/oxhey-eoi.md:7: clarifications[0].answer: must be text, not a list or a mapping'),
    ('opportunity-clarification-date-true', O, 'status: active',
     'status: active\nclarifications:\n  - {question: When?, answer: Noon., date: true}',
     "opportunities/oxhey-eoi.md:7: clarifications[0].date: 'true' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('opportunity-events-mapping', O, 'status: active',
     'status: active\nevents: {title: Briefing}',
     "opportunities/oxhey-eoi.md:6: events: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('opportunity-event-title-list', O, 'status: active',
     'status: active\nevents:\n  - {title: [Briefing], start: 2026-11-20T10:00:00Z, place: County Hall}',
     'opportunities/oxhey-eoi.md:7: events[0].title: must be text, not a list or a mapping'),
    ('opportunity-event-start-true', O, 'status: active',
     'status: active\nevents:\n  - {title: Briefing, start: true, place: County Hall}',
     "opportunities/oxhey-eoi.md:7: events[0].start: 'true' is not a real date-time; write it as YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)"),
    ('opportunity-event-end-number', O, 'status: active',
     'status: active\nevents:\n  - {title: Briefing, start: 2026-11-20T10:00:00Z, end: 2026, place: County Hall}',
     "opportunities/oxhey-eoi.md:7: events[0].end: '2026' is not a real date-time; write it as YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)"),
    ('opportunity-event-place-list', O, 'status: active',
     'status: active\nevents:\n  - {title: Briefing, start: 2026-11-20T10:00:00Z, place: [County Hall]}',
     'opportunities/oxhey-eoi.md:7: events[0].place: must be text, not a list or a mapping'),
    ('opportunity-event-online-text', O, 'status: active',
     'status: active\nevents:\n  - {title: Briefing, start: 2026-11-20T10:00:00Z, online: teams meeting}',
     "opportunities/oxhey-eoi.md:7: events[0].online: 'teams meeting' is not a web address; give the whole address starting with https:// (e.g. https://example.org/)"),
    ('opportunity-event-booking-list', O, 'status: active',
     'status: active\nevents:\n  - {title: Briefing, start: 2026-11-20T10:00:00Z, place: County Hall, booking: [e-mail]}',
     'opportunities/oxhey-eoi.md:7: events[0].booking: must be text, not a list or a mapping'),
    ('opportunity-outcome-list', O, 'status: active',
     'status: complete\noutcome: [oxhey-trust]',
     "opportunities/oxhey-eoi.md:6: outcome: must be 'field: value' lines, each on a line of "
     "its own, indented under it"),
    ('opportunity-outcome-date-true', O, 'status: active',
     'status: complete\noutcome: {date: true, awards: [{agency: oxhey-trust}]}',
     "opportunities/oxhey-eoi.md:6: outcome.date: 'true' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('opportunity-outcome-awards-mapping', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: {agency: oxhey-trust}}',
     "opportunities/oxhey-eoi.md:6: outcome.awards: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('opportunity-award-agency-list', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: [oxhey-trust]}]}',
     'opportunities/oxhey-eoi.md:6: outcome.awards[0].agency: must be text, not a list or a mapping'),
    ('opportunity-award-centres-text', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust, centres: oxhey}]}',
     "opportunities/oxhey-eoi.md:6: outcome.awards[0].centres: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('opportunity-award-value-list', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust, value: [1000]}]}',
     "opportunities/oxhey-eoi.md:6: outcome.awards[0].value: must be 'field: value' lines, each on a line of "
     "its own, indented under it"),
    ('opportunity-award-amount-text', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust, value: {amount: lots, currency: GBP}}]}',
     "opportunities/oxhey-eoi.md:6: outcome.awards[0].value.amount: must be a number, not 'lots' (write digits only, with a point for decimals: 51.65)"),
    ('opportunity-award-currency-list', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust, value: {amount: 1000, currency: [GBP]}}]}',
     'opportunities/oxhey-eoi.md:6: outcome.awards[0].value.currency: must be text, not a list or a mapping'),
    ('opportunity-outcome-contract-start-true', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust}], contract_start: true}',
     "opportunities/oxhey-eoi.md:6: outcome.contract_start: 'true' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('opportunity-outcome-contract-end-number', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust}], contract_end: 2030}',
     "opportunities/oxhey-eoi.md:6: outcome.contract_end: '2030' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('opportunity-outcome-note-list', O, 'status: active',
     'status: complete\noutcome: {date: 2027-03-01, awards: [{agency: oxhey-trust}], note: [a, b]}',
     'opportunities/oxhey-eoi.md:6: outcome.note: must be text, not a list or a mapping'),
    ('consultation-title-list', K, 'title: Have your say on Oxhey',
     'title: [Have your say]',
     'consultations/have-your-say.md:2: title: must be text, not a list or a mapping'),
    ('consultation-summary-mapping', K, 'summary: Tell us what matters to your family.',
     'summary: {text: Tell us}',
     'consultations/have-your-say.md:3: summary: must be text, not a list or a mapping'),
    ('consultation-opens-true', K, 'opens: 2026-11-02T09:00:00Z',
     'opens: true',
     "consultations/have-your-say.md:4: opens: 'true' is not a real date-time; write it as YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)"),
    ('consultation-closes-date-only', K, 'closes: 2027-01-15T23:59:00Z',
     'closes: [2027-01-15]',
     'consultations/have-your-say.md:5: closes: must be a date-time, not a list; write it as YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)'),
    ('consultation-audience-list', K, 'audience: Families in Oxhey',
     'audience: [Families]',
     'consultations/have-your-say.md:6: audience: must be text, not a list or a mapping'),
    ('consultation-respond-text', K, 'respond:\n  email: cc@example.org',
     'respond: cc@example.org',
     "consultations/have-your-say.md:7: respond: must be 'field: value' lines, each on a line of "
     "its own, indented under it"),
    ('consultation-respond-email-list', K, '  email: cc@example.org',
     '  email: [cc@example.org]',
     'consultations/have-your-say.md:8: respond.email: must be text, not a list or a mapping'),
    ('consultation-respond-url-text', K, '  email: cc@example.org',
     '  url: www example',
     "consultations/have-your-say.md:8: respond.url: 'www example' is not a web address; give the whole address starting with https:// (e.g. https://example.org/)"),
    ('consultation-respond-address-list', K, '  email: cc@example.org',
     '  address: [1 High Street]',
     'consultations/have-your-say.md:8: respond.address: must be text, not a list or a mapping'),
    ('consultation-centres-text', K, 'centres: [oxhey]',
     'centres: oxhey',
     "consultations/have-your-say.md:9: centres: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('consultation-events-text', K, 'centres: [oxhey]',
     'centres: [oxhey]\nevents: drop in on Monday',
     "consultations/have-your-say.md:10: events: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('consultation-event-start-text', K, 'centres: [oxhey]',
     'centres: [oxhey]\nevents:\n  - {title: Drop-in, start: Monday morning, place: Oxhey}',
     "consultations/have-your-say.md:11: events[0].start: 'Monday morning' is not a real date-time; write it as YYYY-MM-DDTHH:MM:SSZ (e.g. 2027-01-29T12:00:00Z)"),
    ('consultation-outcome-list', K, 'centres: [oxhey]',
     'centres: [oxhey]\noutcome: [we listened]',
     "consultations/have-your-say.md:10: outcome: must be 'field: value' lines, each on a line of "
     "its own, indented under it"),
    ('consultation-outcome-date-true', K, 'centres: [oxhey]',
     'centres: [oxhey]\noutcome: {date: true, summary: We listened., body: Text.}',
     "consultations/have-your-say.md:10: outcome.date: 'true' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('consultation-outcome-summary-list', K, 'centres: [oxhey]',
     'centres: [oxhey]\noutcome: {date: 2027-02-01, summary: [We listened], body: Text.}',
     'consultations/have-your-say.md:10: outcome.summary: must be text, not a list or a mapping'),
    ('consultation-outcome-body-mapping', K, 'centres: [oxhey]',
     'centres: [oxhey]\noutcome: {date: 2027-02-01, summary: We listened., body: {text: a}}',
     'consultations/have-your-say.md:10: outcome.body: must be text, not a list or a mapping'),
    ('opportunity-updates-text', O, 'status: active',
     'status: active\nupdates: the deadline moved',
     "opportunities/oxhey-eoi.md:6: updates: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('opportunity-update-date-true', O, 'status: active',
     'status: active\nupdates:\n  - {date: true, note: The deadline moved.}',
     "opportunities/oxhey-eoi.md:7: updates[0].date: 'true' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('opportunity-update-note-list', O, 'status: active',
     'status: active\nupdates:\n  - {date: 2026-11-24, note: [moved, later]}',
     'opportunities/oxhey-eoi.md:7: updates[0].note: must be text, not a list or a mapping'),
    ('centre-closures-text', C, PHONE, f'closures: christmas\n{PHONE}',
     "centres/oxhey.md:15: closures: must be a list (lines starting with '- ', or [a, b] on one line)"),
    ('centre-closure-date-true', C, PHONE,
     f'closures:\n  - {{date: true, reason: Training}}\n{PHONE}',
     "centres/oxhey.md:16: closures[0].date: 'true' is not a real date; write it as YYYY-MM-DD (e.g. 2006-02-03)"),
    ('centre-closure-until-number', C, PHONE,
     f'closures:\n  - {{date: 2026-12-24, until: 20261228, reason: Christmas}}\n{PHONE}',
     "centres/oxhey.md:16: closures[0].until: "),
    ('centre-closure-reason-mapping', C, PHONE,
     f'closures:\n  - {{date: 2026-12-24, reason: {{why: Christmas}}}}\n{PHONE}',
     'centres/oxhey.md:16: closures[0].reason: must be text, not a list or a mapping'),
    ('site-closures-mapping', S, 'members:\n', 'closures: {date: 2026-12-25}\nmembers:\n',
     "site.yaml:16: closures: must be a list"),
    ('site-school-holidays-mapping', S, 'members:\n',
     'school_holidays: {name: Christmas, starts: 2026-12-21}\nmembers:\n',
     "site.yaml:16: school_holidays: must be a list"),
    ('site-school-holiday-name-list', S, 'members:\n',
     'school_holidays:\n  - {name: [Christmas], starts: 2026-12-21}\nmembers:\n',
     "site.yaml:17: school_holidays[0].name: must be text, not a list or a mapping"),
    ('site-school-holiday-starts-true', S, 'members:\n',
     'school_holidays:\n  - {name: Christmas, starts: true}\nmembers:\n',
     "site.yaml:17: school_holidays[0].starts: 'true' is not a real date; write it as "
     "YYYY-MM-DD (e.g. 2006-02-03)"),
    ('site-school-holiday-ends-number', S, 'members:\n',
     'school_holidays:\n  - {name: Christmas, starts: 2026-12-21, ends: 20270101}\n'
     'members:\n', "site.yaml:17: school_holidays[0].ends: "),
    ('site-mailing-list-list', S, 'members:\n',
     'mailing_list: [https://example.org/]\nmembers:\n',
     "site.yaml:16: mailing_list: must be 'field: value' lines, each on a line of "
     "its own, indented under it"),
    ('site-mailing-list-url-text', S, 'members:\n',
     'mailing_list: {url: example dot org}\nmembers:\n',
     "site.yaml:16: mailing_list.url: 'example dot org' is not a web address; give the whole address starting with https:// (e.g. https://example.org/)"),
    ('site-mailing-list-email-list', S, 'members:\n',
     'mailing_list: {email: [news@example.org]}\nmembers:\n',
     'site.yaml:16: mailing_list.email: must be text, not a list or a mapping'),
    ('site-milestone-opportunity-list', S, '    - {date: 2006-01-09, title: Expressions of interest open}',
     '    - {date: 2006-01-09, title: Expressions of interest open, opportunity: [oxhey-eoi]}',
     'site.yaml:15: programme.milestones[0].opportunity: must be text, not a list or a mapping'),
    ("site-editor-list", S, MEMBERS, MEMBERS + "editor: [github]\n",
     "site.yaml:19: editor: must be 'field: value' lines"),
    ("site-editor-backend-bitbucket", S, MEMBERS, MEMBERS + "editor: {backend: bitbucket, "
     "repo: council/cc}\n", "site.yaml:19: editor.backend: 'bitbucket' is not one of github, "
     "gitlab or gitea"),
    ("site-editor-repo-list", S, MEMBERS, MEMBERS + "editor: {backend: github, repo: [a]}\n",
     "site.yaml:19: editor.repo: must be text"),
    ("site-editor-branch-list", S, MEMBERS, MEMBERS + "editor: {backend: github, base_url: https://auth.example.org/, repo: a/b, "
     "branch: [main]}\n", "site.yaml:19: editor.branch: must be text"),
    ("site-editor-workflow-quoted", S, MEMBERS, MEMBERS + "editor: {backend: github, base_url: https://auth.example.org/, repo: "
     "a/b, editorial_workflow: 'true'}\n", "site.yaml:19: editor.editorial_workflow: must be "
     "true or false"),
    ("site-editor-members-yes-text", S, MEMBERS, MEMBERS + "editor: {backend: github, base_url: https://auth.example.org/, repo: "
     "a/b, members: sometimes}\n", "site.yaml:19: editor.members: must be true or false"),
    ("site-editor-base-url-text", S, MEMBERS, MEMBERS + "editor: {backend: github, repo: a/b, "
     "base_url: auth.example.org}\n", "site.yaml:19: editor.base_url: 'auth.example.org' is "
     "not a web address"),
    ("site-editor-auth-endpoint-list", S, MEMBERS, MEMBERS + "editor: {backend: github, base_url: https://auth.example.org/, repo: "
     "a/b, auth_endpoint: [auth]}\n", "site.yaml:19: editor.auth_endpoint: must be text"),
    ("site-editor-api-root-text", S, MEMBERS, MEMBERS + "editor: {backend: gitea, repo: a/b, "
     "api_root: git/api}\n", "site.yaml:19: editor.api_root: 'git/api' is not a web address"),
    ("site-editor-app-id-list", S, MEMBERS, MEMBERS + "editor: {backend: gitlab, repo: a/b, "
     "app_id: [1]}\n", "site.yaml:19: editor.app_id: must be text"),
    *[(f"centre-session-{name}", C, PHONE, f"sessions:\n  - {{{item}}}\n{PHONE}",
       f"centres/oxhey.md:16: sessions[0].{said}") for name, item, said in (
        ("title-list", 'title: [Stay], days: [mon], starts: "09:30", ends: "11:30"',
         "title: must be text"),
        ("days-text", 'title: Stay, days: mon, starts: "09:30", ends: "11:30"',
         "days: must be a list"),
        ("starts-number", 'title: Stay, days: [mon], starts: 9, ends: "11:30"',
         "starts: '9' is not a time; write it as HH:MM"),
        ("ends-list", 'title: Stay, days: [mon], starts: "09:30", ends: [11, 30]',
         "ends: a list is not a time"),
        ("ages-list", 'title: Stay, days: [mon], starts: "09:30", ends: "11:30", ages: [0, 5]',
         "ages: must be text"),
        ("booking-true", 'title: Stay, days: [mon], starts: "09:30", ends: "11:30", '
         "booking: {drop: in}", "booking: must be text"),
        ("term-quoted", 'title: Stay, days: [mon], starts: "09:30", ends: "11:30", '
         'term_time_only: "true"', "term_time_only: must be true or false, not 'true': "
         "remove the quotes"),
        ("note-list", 'title: Stay, days: [mon], starts: "09:30", ends: "11:30", note: [a]',
         "note: must be text"))],
    ("centre-sessions-mapping", C, PHONE, f"sessions: {{title: Stay}}\n{PHONE}",
     "centres/oxhey.md:15: sessions: must be a list"),
    ("centre-session-text", C, PHONE, f"sessions: [stay and play on mondays]\n{PHONE}",
     "centres/oxhey.md:15: sessions[0]: must be 'field: value' lines"),
    ("site-map-list", S, MEMBERS, MEMBERS + "map: [openstreetmap]\n",
     "site.yaml:19: map: must be 'field: value' lines"),
    ("site-map-provider-list", S, MEMBERS, MEMBERS + "map: {provider: [OSM]}\n",
     "site.yaml:19: map.provider: must be text"),
    ("site-map-tiles-number", S, MEMBERS, MEMBERS + "map: {tiles: 42}\n",
     "site.yaml:19: map.tiles: '42' is not a web address"),
    ("site-map-attribution-list", S, MEMBERS, MEMBERS + "map: {attribution: [OSM]}\n",
     "site.yaml:19: map.attribution: must be text"),
    ("site-map-attribution-url-text", S, MEMBERS, MEMBERS + "map: {attribution_url: osm}\n",
     "site.yaml:19: map.attribution_url: 'osm' is not a web address"),
    ("site-map-max-zoom-quoted", S, MEMBERS, MEMBERS + 'map: {max_zoom: "19"}\n',
     "site.yaml:19: map.max_zoom: must be a whole number, not the text '19'"),
]

# Impossible dates in every date field: (field, file, text to replace, replacement with @
# for the value, how the value is written with {} for the date, line)
DATE_FIELDS = [
    ("opening_date", C, "opening_date: 2007-09-01", "opening_date: @", "{}", 7),
    ("published", O, "published: 2026-11-02", "published: @", "{}", 6),
    ("deadline", O, "deadline: 2027-01-29T12:00:00Z", "deadline: @", "{}T12:00:00Z", 7),
    ("date", N, "date: 2008-04-01", "date: @", "{}", 3),
    ("date", G, "date: 2009-05-01", "date: @", "{}", 5),
    ("programme.targets[0].date", S, "{date: 2008-04-01,", "{date: @,", "{}", 13),
    ("programme.milestones[0].date", S, "{date: 2006-01-09,", "{date: @,", "{}", 15),
    ("publish_date", L, "order: 1", "order: 1\npublish_date: @", "{}", 5),
    ("expires", P, "nav_order: 1", "nav_order: 1\nexpires: @", "{}T09:00:00+01:00", 4),
]
IMPOSSIBLE_DATES = [("2006-02-30", "that month has no such day"),
                    ("2026-13-01", "there is no such month: the month, 01 to 12, comes after "
                                   "the year"),
                    ("2025-02-29", "that month has no such day")]
DATES = [(f"impossible-{rel.split('/')[-2] if '/' in rel else 'site'}-"
          f"{name.replace('programme.', '').replace('[0].', '-')}-{date}", rel, old,
          new.replace("@", value_format.format(date)),
          f"{rel}:{line}: {name}: '{value_format.format(date)}' is not a real "
          f"date{'-time' if name in ('deadline', 'publish_date', 'expires') else ''} ({why})")
         for name, rel, old, new, value_format, line in DATE_FIELDS
         for date, why in IMPOSSIBLE_DATES]


def _cases():
    for name, change, expected in BAD:
        yield pytest.param(change, expected, id=name)
    for name, rel, old, new, expected in [*WRONG_TYPES, *DATES]:
        change = both(write(K, KMD), edit(rel, old, new)) if rel == K else edit(rel, old, new)
        yield pytest.param(change, expected, id=name)


BAD_CASES = list(_cases())


# -- the checks ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good_output(tmp_path_factory) -> Path:
    """One good build of the fixture site: each test starts with a copy as its output."""
    root = tmp_path_factory.mktemp("good")
    FixtureSite(root, capsys=None)
    with contextlib.redirect_stdout(io.StringIO()):
        status = main(["build", "--source", str(root / "content"),
                       "--output", str(root / "_site"), "--now", NOW])
    assert status == 0
    return root / "_site"


@pytest.fixture
def built(site, good_output) -> FixtureSite:
    """The fixture site with a good build in its output, as after `site.build()`."""
    shutil.copytree(good_output, site.output, symlinks=True)
    return site


def assert_rejected(site: FixtureSite, result: Result, before: dict, expected: str) -> None:
    """Status 1, the expected first error line, no traceback, the output as it was."""
    assert "Traceback" not in result.err
    assert result.status == 1, result.err
    first = result.err.splitlines()[0]
    assert first.startswith(f"{site.content}/{expected}"), first
    assert site.snapshot() == before


@pytest.mark.parametrize("change, expected", BAD_CASES)
def test_bad_input_is_rejected_precisely(built, change, expected):
    before = built.snapshot()
    assert before
    change(built)
    assert_rejected(built, built.build(), before, expected)


def test_every_field_the_validator_reads_has_a_wrong_type_case(tmp_path):
    """The wrong-type table reaches every field the validator reads, of every kind of
    file and of site.yaml (a new field without its case fails here), taken from the
    validator itself run over the sample and the fixture site, not from a list here."""
    from ccsite import load
    from ccsite.errors import ErrorList

    fixture = FixtureSite(tmp_path, capsys=None)
    every_setting = tmp_path / "every-setting"  # site.yaml's optional sections, filled in
    shutil.copytree(fixture.content, every_setting)
    (every_setting / S).write_text((every_setting / S).read_text().replace(
        MEMBERS, MEMBERS + "  contact: {name: Network coordinator, email: n@example.org, "
        'phone: "01632 960009"}\n') + EDITOR)
    read = fields_the_validator_reads(REPO / "content", fixture.content, every_setting)
    assert {kind for kind, _, _ in read} >= {"site", "centre", "agency", "opportunity", "lesson",
                                              "news", "page", "good-practice", "members-page",
                                              "directory"}
    assert ("site", "accessibility.non_compliance[].fix_by") in {(k, f) for k, _, f in read}
    kind_of = {d.rel: d.kind for d in load.load(fixture.content, "", ErrorList()).documents}
    kind_of[S], kind_of[K] = "site", "consultation"
    covered = set()
    for name, rel, _, _, expected in WRONG_TYPES:
        field = field_path(expected.split(": ")[1])
        readers = {reader for kind, reader, path in read if (kind, path) == (kind_of[rel], field)}
        assert readers, f"{name}: the validator reads no field {field} in {rel}"
        covered |= {(reader, field) for reader in readers}
    missing = sorted({(reader, field) for _, reader, field in read} - covered)
    assert not missing, f"fields with no wrong-type case (reader, field): {missing}"


# -- hostile files: rejected quickly, with bounded memory, in a process of their own ------

def _limit_memory() -> None:
    limit = 1536 * 1024 * 1024  # far above a normal build; a YAML bomb would pass it
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def build_in_subprocess(site: FixtureSite) -> tuple[Result, float]:
    """Build as `ccsite build` would, killed after 20 s and limited in memory."""
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "ccsite", "build", "--source", str(site.content),
         "--output", str(site.output), "--now", NOW],
        capture_output=True, text=True, timeout=20, cwd=REPO, preexec_fn=_limit_memory)
    return Result(process.returncode, process.stdout, process.stderr), \
        time.monotonic() - started


def _laughs(levels: int = 10) -> str:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]"
              for i in range(1, levels)]
    return "\n".join(lines) + "\n"


HOSTILE = [
    ("billion-laughs-front-matter", L, "---\n" + _laughs() + "---\n",
     "lessons/more-time.md:2: yaml: YAML anchors (&name) are not allowed in content"),
    ("billion-laughs-yaml-file", A, _laughs(), "agencies/oxhey-trust.yaml:1: yaml: YAML "
     "anchors (&name) are not allowed in content"),
    ("aliases-without-anchors", S, "title: [" + ", ".join(["*a"] * 100_000) + "]\n",
     "site.yaml:1: yaml: YAML aliases (*name) are not allowed"),
    ("ten-thousand-open-brackets", L, "---\ntitle: " + "[" * 10_000 + "\n---\n",
     "lessons/more-time.md:2: yaml: YAML is nested more than 32 levels deep"),
    ("ten-thousand-nested-brackets", N, "---\ntitle: " + "[" * 10_000 + "]" * 10_000 + "\n---\n",
     "news/centres-open.md:2: yaml: YAML is nested more than 32 levels deep"),
    ("ten-thousand-nested-flow-mappings", A, "name: " + "{a: " * 10_000 + "}" * 10_000 + "\n",
     "agencies/oxhey-trust.yaml:1: yaml: YAML is nested more than 32 levels deep"),
    ("deep-block-mappings", A, "".join(" " * i + f"k{i}:\n" for i in range(1_500)),
     "agencies/oxhey-trust.yaml:34: yaml: YAML is nested more than 32 levels deep"),
    ("deep-block-sequences-on-one-line", D, "- " * 10_000 + "x\n",
     "members/directory.yaml:1: yaml: YAML is nested more than 32 levels deep"),
    ("ten-megabyte-md", L, "---\ntitle: x\nsummary: y\n---\n" + "word " * 2_000_000,
     "lessons/more-time.md:1: file: the file is over 2 MB; content files are text"),
    ("ten-megabyte-yaml", S, "title: " + "x" * 10_000_000 + "\n",
     "site.yaml:1: file: the file is over 2 MB"),
    ("huge-number", L, "---\ntitle: x\nsummary: y\norder: " + "9" * 1_000_000 + "\n---\n",
     "lessons/more-time.md:4: order: must be a whole number, not '999999999"),
]


@pytest.mark.parametrize("rel, text, expected", [pytest.param(*case[1:], id=case[0])
                                                 for case in HOSTILE])
def test_hostile_file_is_rejected_quickly(built, rel, text, expected):
    before = built.snapshot()
    built.write(rel, text)
    result, seconds = build_in_subprocess(built)
    assert_rejected(built, result, before, expected)
    assert seconds < 15


# -- odd but valid input builds ------------------------------------------------------------

WELSH = "Canolfan Blant Llanfair-ym-Muallt – ŵyr a ŷd, chwarae i’r teulu"
POLISH = "Żłobek „Gęśla jaźń” – zajęcia dla dzieci"
URDU = "بچوں کا مرکز: خاندانوں کے لیے مدد"


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


GOOD = [
    ("byte-order-mark-md", lambda site: site.write(L, b"\xef\xbb\xbf" + BASE_FILES[L].encode()),
     "/lessons/more-time/", "Allow more time"),
    ("byte-order-mark-yaml", lambda site: site.write(A, b"\xef\xbb\xbf" + BASE_FILES[A].encode()),
     "/agencies/oxhey-trust/", "Oxhey Community Trust"),
    ("byte-order-mark-site-yaml",
     lambda site: site.write(S, b"\xef\xbb\xbf" + BASE_FILES[S].encode()),
     "/", "Test Children's Centres"),
    ("windows-line-ends-everywhere", lambda site: [
        site.write(rel, _crlf(text)) for rel, text in BASE_FILES.items()
        if rel.endswith((".md", ".yaml"))], "/centres/oxhey/", "Families can drop in"),
    ("old-mac-line-ends", lambda site: site.write(N, BASE_FILES[N].replace("\n", "\r").encode()),
     "/news/centres-open/", "The network reached its target."),
    ("welsh-polish-urdu-titles-and-bodies", both(
        edit(N, "title: Centres open", f"title: {WELSH}"),
        edit(N, "See [Oxhey]", f"{POLISH}. {URDU}. See [Oxhey]"),
        edit(L, "title: Allow more time", f'title: "{URDU}"'),
        edit(L, "Body.", WELSH),
        edit(A, "name: Oxhey Community Trust", f"name: {POLISH}")),
     "/news/centres-open/", WELSH),
    ("urdu-lesson-title", edit(L, "title: Allow more time", f'title: "{URDU}"'),
     "/lessons/more-time/", URDU),
    ("polish-agency-name", edit(A, "name: Oxhey Community Trust", f"name: {POLISH}"),
     "/agencies/oxhey-trust/", POLISH),
    ("empty-markdown-body", write(P, "---\ntitle: About the programme\nnav_order: 1\n---\n"),
     "/about/", "About the programme"),
    ("front-matter-only-no-trailing-newline",
     write(L, "---\ntitle: Allow more time\nsummary: Short.\n---"),
     "/lessons/more-time/", "Allow more time"),
    ("closing-dashes-with-trailing-spaces", write(L, BASE_FILES[L].replace("1\n---", "1\n---  ")),
     "/lessons/more-time/", "Allow more time"),
    ("comments-and-blank-lines-in-front-matter",
     write(L, "---\n# a comment\n\ntitle: Allow more time  # the title\nsummary: Short.\n---\n"),
     "/lessons/more-time/", "Allow more time"),
]


@pytest.mark.parametrize("change, url, text", [pytest.param(*case[1:], id=case[0])
                                               for case in GOOD])
def test_odd_but_valid_input_builds(site, change, url, text):
    change(site)
    result = site.build()
    assert "Traceback" not in result.err
    assert result.status == 0, result.err
    assert text in site.text(url)


def test_unreadable_agency_file_is_one_mistake_not_one_per_reference(built):
    """A file that is there but cannot be read is told once; the centre and directory
    entry that name it are not told that no such file exists."""
    before = built.snapshot()
    text = (built.content / "agencies/oxhey-trust.yaml").read_text()
    built.write("agencies/oxhey-trust.yaml", "---\n" + text + "---\n")
    result = built.build()
    assert_rejected(built, result, before, "agencies/oxhey-trust.yaml:")
    assert "does not name a file" not in result.err
    assert "1 mistake found" in result.err


def test_unreadable_opportunity_named_by_a_milestone_is_one_mistake(built):
    """An opportunity whose YAML cannot be read is told once, at its own line; the
    site.yaml milestone that names it is not told that no such file exists."""
    built.edit("site.yaml", "title: Expressions of interest open}",
               "title: Expressions of interest open, opportunity: oxhey-eoi}")
    before = built.snapshot()
    built.edit("opportunities/oxhey-eoi.md", "title: Lead agency for Oxhey",
               "title: Recommissioning: lead agencies 2026-27")
    result = built.build()
    assert_rejected(built, result, before, "opportunities/oxhey-eoi.md:")
    assert "does not name a file" not in result.err
    assert "1 mistake found" in result.err


def test_a_required_field_misspelt_is_one_mistake_at_its_line(built):
    """'Title:' was told twice: title required (at the '---' line) and Title unknown."""
    built.edit("news/centres-open.md", "title: Centres open", "Title: Centres open")
    built.edit("news/centres-open.md", "date: 2008-04-01", "dtae: 2008-04-01")
    result = built.build()
    told = [line for line in result.err.splitlines() if "centres-open.md:" in line]
    assert told == [
        f"{built.content}/news/centres-open.md:2: title: is required, and 'Title' on this line "
        "is not it: field names are in lower case (title: ...)",
        f"{built.content}/news/centres-open.md:3: date: is required, and 'dtae' on this line "
        "is not it: check its spelling (date: ...)"], result.err


def test_a_file_in_the_wrong_folder_is_told_where_it_goes(built):
    """A centre copied into news/ gave a dozen messages ('status: unknown field (did you
    mean 'tags'?)'), none saying it is a centre's file in the news folder."""
    built.write("news/oxhey.md", (built.content / "centres/oxhey.md").read_text())
    result = built.build()
    assert result.status == 1
    assert (f"{built.content}/news/oxhey.md:1: file: its fields address, district, "
            "lead_agency, name, opening_date, opening_hours, phase, phone, services, status "
            "are a centre's: a centre goes in content/centres/, not with the news") \
        in result.err, result.err


@pytest.mark.parametrize("typed, title", [
    ('title: "Centres" open for Sam\'s group', '"Centres" open for Sam\'s group'),
    ('title: "Say \\"hi\\" to us" today', '"Say "hi" to us" today'),
    ('title: "Say "hi" to Sam\'s group"', 'Say "hi" to Sam\'s group')])
def test_a_value_in_quotes_the_message_suggests_builds_as_it_reads(built, typed, title):
    """The message's suggestion, pasted in, is the value as it reads: it kept a \\" (a
    backslash in single quotes) and an apostrophe that ended it at once."""
    built.edit("news/centres-open.md", "title: Centres open", typed)
    result = built.build()
    assert result.status == 1
    suggested = re.search(r"\((title: '.*')\)", result.err)[1]
    built.edit("news/centres-open.md", typed, suggested)
    assert built.build().status == 0
    assert f"<title>{title} - " in html.unescape(built.page("/news/centres-open/"))

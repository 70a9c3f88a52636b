"""Stage 6, audit: check what is about to be written before it is written.

Every internal link and image in the output must lead to a file of the output, or the
build fails naming the content file (and line) that wrote the link. It runs on the files
in memory, so a failed audit leaves the published site untouched.
"""
from __future__ import annotations

import bisect
import difflib
import functools
import gzip
import hashlib
import json
import operator
import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from itertools import compress, islice
from pathlib import Path
from typing import Any, Callable, NamedTuple

import cbor2
from ahocorasick_rs import AhoCorasick
from urllib.parse import quote, unquote, urljoin, urlsplit

from . import doctext, load
from .digests import FileDigests
from .errors import ContentError, ErrorList
from .outputs.search import SIGNATURE as PAGEFIND_SIGNATURE
from .render import Inspection, Route
from .schema import BY_NAME
from .theme import templates_of
from .validate import EXPIRED
from .write import CHANGED_WHILE_BUILDING, signature

# The output is HTML that we generated (Jinja templates, sanitised Markdown), so a pattern
# over attributes finds every link; html.parser would take most of the build's time.
_LINK_RE = re.compile(r"""\s(?:href|src|action|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SRCSET_RE = re.compile(r"""\ssrcset\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def links_in(html: str) -> list[str]:
    links = [unescape(a or b) for a, b in _LINK_RE.findall(html)]
    for a, b in _SRCSET_RE.findall(html):
        links += [part.strip().split(" ")[0] for part in unescape(a or b).split(",")]
    return [link for link in links if link]


def check_links(page_links: dict[str, list[str]], all_files: set[str],
                page_routes: list[Route], base_url: str,
                bodies: Callable[[], dict[str, list[tuple[str, str, int]]]],
                errors: ErrorList,
                left_out: dict[str, str] | None = None,
                taken_down: list[ContentError] | None = None,
                templates: tuple[Path, ...] = ()) -> None:
    """`page_links`: output path -> the links in that page (see `links_in`);
    `bodies()`: source path -> its Markdown (see `markdown_sources`), to point at the line
    (made only when a link is broken). Links to the site are checked however they are
    written: a site path, relative to the page, or a full address on base_url.
    `left_out`: the addresses of documents not in this build (a draft...) -> why, to say
    so when a link leads to one. A link to one that expired is told in `taken_down`, as
    a warning: the day took it down, and a build on that day must not stop for it (the
    whole site stood still, its deadlines and lists as they were, until the links were
    mended: a review over a year of builds). A link a template writes is told once, at
    the line of the first of `templates` (folders, the site's first) that has it."""
    base_path = urlsplit(base_url).path
    by_output = {route.output_path: route for route in page_routes}
    known: dict[tuple[str, str], tuple[str, str] | None] = {}  # links recur on every page
    in_templates: dict[tuple[str, str, bool], tuple[str, list[str]]] = {}  # (link, why,
    # expired) -> (the template of the first page with it, the pages)
    for output_path, links in sorted(page_links.items()):
        route = by_output.get(output_path)
        page_url = base_path + output_path.removesuffix("index.html")
        public = not output_path.startswith("members/")
        for link in links:
            key = (link, page_url if _relative(link) else "", public)
            if key not in known:
                known[key] = _link_problem(link, page_url, base_url, base_path, all_files,
                                           left_out or {}, public)
            problem = known[key]
            if problem is None:
                continue
            written, why, expired = problem
            source, line = _blame(route, written, bodies())
            page = "/" + output_path.removesuffix("index.html")
            if line == 0:  # written in a template, which makes many pages: told once
                in_templates.setdefault((written, why, expired), (source, []))[1].append(page)
            elif expired and taken_down is not None:
                taken_down.append(ContentError(source, line, "link",
                                               f"{why} {linked_from(page)}"))
            else:
                errors.add(source, line, "link", f"{why} {linked_from(page)}")
    _tell_template_links(in_templates, templates, errors, taken_down)


def linked_from(page: str) -> str:
    """How a link's warning or mistake names the page it is on (its address: "/news/x/"),
    as the preview server's quick rebuild looks for it (quickedit._still_told)."""
    return f"(linked from {page})"


def broken_links(html: str, page_url: str, base_url: str, all_files: set[str],
                 left_out: dict[str, str], public: bool = True) -> list[tuple[str, str]]:
    """(the link as the page's source has it, what is wrong) of each link of a page's
    `html` (at `page_url`; `public`, or a members page) that the build would refuse, the
    link check's own rule (see `check_links`): for the web editor, which tells it before
    a save is written. A link to a document that expired is only a warning there, so it
    is not one here (an old news item linking to a round since taken down could no
    longer be saved at all: a review)."""
    base_path = urlsplit(base_url).path
    found = []
    for link in dict.fromkeys(links_in(html)):
        problem = _link_problem(link, page_url, base_url, base_path, all_files, left_out,
                                public)
        if problem is not None and not problem[2]:
            found.append(problem[:2])
    return found


def markdown_sources(site, members) -> dict[str, list[tuple[str, str, int]]]:
    """Each content file's Markdown, as (its field, the text, the line it starts on), where
    a link written in it is looked for: a document's body, and each field the content
    model declares Markdown (an agency's `about`, a consultation's "You said, we did",
    whose wrong link was saved by the web editor, then stopped every build, blamed on
    the template)."""
    groups = {"agency": site.agencies, "centre": site.centres,
              "opportunity": site.opportunities, "consultation": site.consultations,
              "lesson": site.lessons, "news": site.news, "page": site.pages,
              "good-practice": members.posts, "members-page": members.pages}
    return {document.source: [*([("body", document.body, document.body_line)]
                                if hasattr(document, "body_line") else []),
                              *_markdown_fields(document, BY_NAME[kind].all_fields, "",
                                                document.lines)]
            for kind, documents in groups.items() for document in documents}


def _markdown_fields(value: Any, fields: tuple, prefix: str, lines: dict[str, int]
                     ) -> list[tuple[str, str, int]]:
    """(field path, text, first line) of each Markdown field of `value` (a document, or
    what it holds) that `fields` declare, with the objects it holds: a text written as a
    block (|) starts on the line after its key."""
    found = []
    for fd in fields:
        held = getattr(value, fd.name, None)
        path = prefix + fd.name
        if fd.kind == "markdown" and isinstance(held, str) and held:
            line = lines.get(path, 1)
            found.append((path, held, line + 1 if "\n" in held.strip() else line))
        elif fd.kind == "object" and held is not None:
            found += _markdown_fields(held, fd.fields, f"{path}.", lines)
        elif fd.kind == "objects" and isinstance(held, (list, tuple)):
            for index, item in enumerate(held):
                found += _markdown_fields(item, fd.fields, f"{path}[{index}].", lines)
    return found


_ADDRESS_PREFIX = {"centre": "centres/", "opportunity": "opportunities/",
                   "consultation": "consultations/",
                   "lesson": "lessons/", "news": "news/", "page": "",
                   "good-practice": "members/good-practice/", "members-page": "members/"}


def left_out_addresses(left_out: dict[str, dict[str, str]]) -> dict[str, str]:
    """The address each document left out of this build would have (by its file name)
    -> what it is and why it is not there, for a link to it to say so."""
    folders = {kind: folder for folder, (kind, _) in load.SECTIONS.items()}
    return {f"{_ADDRESS_PREFIX[kind]}{slug}/": f"{folders[kind]}/{slug}.md, which is not "
            f"in this build ({why})" for kind, slugs in left_out.items()
            if kind in _ADDRESS_PREFIX for slug, why in slugs.items()}


def _tell_template_links(in_templates: dict[tuple[str, str, bool], tuple[str, list[str]]],
                         templates: tuple[Path, ...], errors: ErrorList,
                         taken_down: list[ContentError] | None) -> None:
    """Each wrong link a template writes, once, at the line that writes it, with how many
    pages have it: a site's base.html linking '/assets/logo.svg' under a base path was
    told 390 times, at each page's template, none of which has it (a theme customiser's
    review)."""
    told: dict[tuple[str, int, str, bool], list[str]] = {}
    for (written, why, expired), (source, pages) in in_templates.items():
        at = _written_in(written, templates) or (source, 0)
        told.setdefault((*at, why, expired), []).extend(pages)
    for (source, line, why, expired), pages in told.items():
        more = f" and {len(pages) - 1} more pages" if len(pages) > 1 else ""
        said = f"{why} (linked from {pages[0]}{more})"
        if expired and taken_down is not None:  # (see check_links)
            taken_down.append(ContentError(source, line, "link", said))
        else:
            errors.add(source, line, "link", said)


def _written_in(link: str, folders: tuple[Path, ...]) -> tuple[str, int] | None:
    """The template file and line that has `link` written out (as an attribute's value, or
    a site path given |url), in the first of `folders` with one; None when none has it
    (made by the template's code)."""
    files = [path for folder in folders if folder.is_dir()
             for _, path in templates_of(folder)]
    # an attribute's value first: the same site path given |url is right in another
    for spellings in ((f'="{link}"', f"='{link}'"), (f"'{link}'|url", f'"{link}"|url')):
        for path in files:
            try:
                lines = path.read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                continue
            for number, text in enumerate(lines, start=1):
                if any(spelling in text for spelling in spellings):
                    return str(path), number
    return None


def _relative(link: str) -> bool:
    return not link.startswith(("/", "#", "?")) and ":" not in link.split("/")[0]


_DEFAULT_PORTS = {"https": 443, "http": 80}


def _same_host(parts, site) -> bool:
    """Does a link's address name the site's own host, however it is written: in
    capitals, with the port its scheme has anyway (host:443), with the trailing dot of a
    fully qualified name (host.), with a user name (user@host)? Each leads a browser to
    the same site, and a link to a members page written so passed as another site's."""
    try:
        port = parts.port
    except ValueError:  # not a port: no browser goes there
        return False

    def key(address, port) -> tuple[str, int | None]:  # (http:// and https:// alike)
        scheme = address.scheme or site.scheme
        return (address.hostname or "").rstrip(".").lower(), \
            None if port == _DEFAULT_PORTS.get(scheme) else port
    return key(parts, port) == key(site, site.port)


def _link_problem(link: str, page_url: str, base_url: str, base_path: str,
                  all_files: set[str], left_out: dict[str, str],
                  public: bool = False) -> tuple[str, str, bool] | None:
    """What is wrong with a link of a page at `page_url` (a `public` one may not lead
    into the members area, whose addresses say what its pages hold: only to its front
    door, where members sign in), as (the text to find it by in the page's source, the
    message, whether it leads to a document that expired), or None."""
    parts = urlsplit(link.replace("\\", "/"))  # (a browser reads \ as / in a web address)
    site = urlsplit(base_url)
    if parts.scheme in ("http", "https", "") and parts.netloc and _same_host(parts, site) \
            and (parts.path + "/").startswith(base_path):  # the site's own, however written
        parts = parts._replace(scheme="", netloc="")  # (http://, or //host/: checked too)
    elif parts.scheme or parts.netloc or not parts.path:
        return None  # another site's, an e-mail or phone, or a place on the same page
    path = parts.path
    relative = not path.startswith("/")
    if relative:
        if path.lower().startswith("www."):
            return link, f"'{link}' is not a web address: write https://{link}", False
        path = urljoin(page_url, path)  # relative to the page
    if not (path + "/").startswith(base_path):
        return link, (f"'{link}' leads outside the site, which lives at {base_url} "
                      "(a template should write '/path'|url; a page, a site path)"), False
    target = unquote(path[len(base_path):])
    front = target in ("members", "members/", "members/index.html")  # (where one signs in)
    if public and (front or target.startswith("members/")) and (
            not front or parts.fragment.startswith("/")):  # (encrypt mode's #/good-practice/x/)
        asked = parts.query or "?" in link.split("#", 1)[0]  # ('?#/x/': as written)
        shown = "/" + target + (f"?{parts.query}" if asked else "") + \
            (f"#{parts.fragment}" if parts.fragment else "")
        return shown, (f"'{shown}' leads into the members area: a public page may "
                       "link only to its front door, '/members/', where members sign in (the "
                       "address of a members page or file says what it holds, so it is "
                       "members-only itself)"), False
    if _exists(target, all_files):
        return None
    site_path = "/" + target
    why_not = left_out.get(target if target.endswith("/") else target + "/")
    if why_not and EXPIRED in why_not:
        return site_path, f"'{site_path}' is the address of {why_not}, so the link leads to " \
            "'page not found' now; take it out, or link elsewhere", True
    if why_not:
        return site_path, f"'{site_path}' is the address of {why_not}; publish it, or link " \
            "elsewhere", False
    if not relative:
        meant = _in_other_capitals(target, all_files)
        near = None if meant else _nearest_page(target, all_files, public)
        return site_path, f"'{site_path}' does not lead to a page or file of the site" + (
            f" ('/{meant}' does: its capitals differ, and a web address tells them apart, "
            "though Windows does not)" if meant else
            f"; did you mean '/{near}'?" if near else ""), False
    meant = "/" + parts.path.lstrip("./")
    hint = f"; write the site path, '{meant}'" if _exists(meant[1:], all_files) else \
        "; write a site path, starting with '/'"
    return link, (f"'{link}' is taken from this page's address, so it leads to "
                  f"'{site_path}', which is not a page or file of the site{hint}"), False


def _in_other_capitals(target: str, files: set[str]) -> str | None:
    """The site's file (or page) that `target` names in other capitals, if one does (a
    picture saved as front-door.png, linked as Front-Door.png). Asked only of a link
    that is broken."""
    wanted = target.lower()
    return next((name.removesuffix("index.html") for name in sorted(files)
                 if name.lower() in (wanted, wanted.rstrip("/") + "/index.html")), None)


def _nearest_page(target: str, files: set[str], public: bool) -> str | None:
    """The site's page or file whose address is most like `target`, if one is like it
    enough ('centres/apsley/' for a centre whose address is 'centres/hemel-apsley/') and
    no other is nearly as like it ('centres/watford/' is like seven centres): a guess to
    offer, asked only of a link that is broken. Never a members page for a `public`
    one, which may not link there."""
    addresses = {name.removesuffix("index.html") for name in files
                 if not (public and name.startswith("members/"))}
    found = difflib.get_close_matches(target, addresses, n=2, cutoff=0.8)
    if len(found) == 2 and _likeness(target, found[1]) > _likeness(target, found[0]) - 0.05:
        return None
    return found[0] if found else None


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _exists(target: str, files: set[str]) -> bool:
    if target == "" or target.endswith("/"):
        return target + "index.html" in files
    return target in files or target + "/index.html" in files


def _blame(route: Route | None, site_path: str,
           bodies: dict[str, list[tuple[str, str, int]]]):
    if route is None:
        return "(generated)", 0
    for _, body, first_line in bodies.get(route.source, []) if route.source else []:
        for offset, text in enumerate(body.split("\n")):
            if site_path.rstrip("/") in text:
                return route.source, first_line + offset
    return f"templates/{route.template}", 0  # not written in the content: the template's


# -- the leak audit ------------------------------------------------------------------------
#
# Nothing members-only may reach the public output, in any form. Before anything is written,
# every public file is scanned for fingerprints of the members content: its titles,
# summaries, people, distinctive sentences of its bodies, and its addresses. Compressed
# files are opened first; JSON is read as the text it holds. Ciphertext cannot match.

MIN_FINGERPRINT = 12  # shorter text ("Outreach") is too common to be evidence of a leak
MIN_SENTENCE_WORDS = 7
MIN_PART_WORDS = 11  # a part of a sentence between its commas: a council's own
# phrases ("if you are unhappy with a service at a centre", 10 words) are in members and
# public pages alike, and a part's match told a leak that was none (a review)
MIN_ALT_TEXT = 30  # characters of a members picture's alt text: "A stay and play session"
# described public pictures too (a review)


class Fingerprint(NamedTuple):  # a tuple: made fast, as the build memory reads thousands
    text: str  # normalised, see `normalise`
    source: str  # the members file it comes from
    what: str  # "title", "sentence", "address"...


def normalise(text: str) -> str:
    """Lower case, entities decoded, typographic quotes and dashes made plain, runs of
    white space made one space, ends trimmed: so a passage is found however the output
    spells it. Text beyond ASCII is also put in Unicode's compatibility form (a ligature,
    an accent typed as two characters) and rid of invisible characters (soft hyphens,
    zero-width spaces, direction marks), letters of other scripts drawn like Latin ones read
    as those, and ' & ' reads as ' and '. Every public file is read through this, so it
    avoids regular expressions where string methods (C loops) do the same."""
    if "&" in text:
        if _RARE_ENTITY.search(text):
            text = unescape(text)
        else:  # only the entities our templates and nh3 write: the same as unescape
            text = (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                    .replace("&#39;", "'").replace("&#x27;", "'").replace("&amp;", "&"))
    text = text.lower()
    if not text.isascii():  # (translated run by run of such characters: a page is mostly
        text = _NOT_ASCII.sub(_plain, unicodedata.normalize("NFKC", text))  # ASCII, and
    # str.translate looks up every character: 6 times the time, on the sample's pages)
    if " & " in text:
        text = text.replace(" & ", " and ")
    return " ".join(text.split())


_RARE_ENTITY = re.compile(r"&(?!amp;|lt;|gt;|quot;|#39;|#x27;)")
# characters one cannot see, which text pasted from mail, chat or right-to-left sources
# carries inside words: Unicode's format characters (category Cf: direction marks and
# embeddings, invisible operators, tags), variation selectors, the grapheme joiner and
# the rest of what Unicode says is ignored when shown (Default_Ignorable_Code_Point)
_UNSEEN_RANGES = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C),
                  (0x17B4, 0x17B5), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
                  (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
                  (0x2066, 0x206F), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFF0, 0xFFFB),
                  (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
                  (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]
# letters of other scripts drawn like Latin ones (lower case: text is lowered first), the
# look-alikes a word can be spelled with unseen (a Cyrillic 'о' in "alone")
_LOOK_ALIKES = {"а": "a", "в": "b", "е": "e", "ѐ": "e", "ё": "e", "һ": "h", "і": "i",
                "ї": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o",
                "р": "p", "ԛ": "q", "с": "c", "ѕ": "s", "т": "t", "у": "y", "ԝ": "w",
                "х": "x", "ԁ": "d", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "η": "n",
                "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
                "χ": "x", "ϲ": "c", "ϳ": "j", "ѵ": "v", "ɑ": "a", "ı": "i", "ȷ": "j",
                "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n",
                "ʼ": "'", "ʹ": "'", "ˈ": "'", "ꞌ": "'"}
_PLAIN = {**{ord(quote): "'" for quote in "\u2018\u2019\u201a\u201b\u2032"},
          **{ord(quote): '"' for quote in "\u201c\u201d\u201e\u201f\u2033"},
          **{ord(dash): "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
          **{code: None for first, last in _UNSEEN_RANGES for code in range(first, last + 1)},
          **{ord(blank): " " for blank in "\u115f\u1160\u2800\u3164\uffa0"},  # blanks
          **{ord(letter): plain for letter, plain in _LOOK_ALIKES.items()}}


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _plain(run: re.Match) -> str:
    return run.group().translate(_PLAIN)


def members_people(members) -> list[tuple[str, str, str, int]]:
    """The people of the members content, as (normalised text, source, what, shortest
    length that counts): authors, and the directory's names, e-mails, phones and topics.
    A phone is known by its digits alone (see `phone_digits`), however it is spaced."""
    people = [(post.author, post.source, "author", 6) for post in members.posts]
    for person in members.directory:
        people += [(person.name, person.source, "directory name", 6),
                   (person.email, person.source, "directory email", 6)]
        if person.phone:
            people.append((phone_digits(person.phone.national), person.source,
                           "directory phone", 6))
        if person.role:  # an entry pasted whole: the name with the role, as it is listed
            people += [(f"{person.name}{between}{person.role}", person.source,
                        "directory entry", 6) for between in _NAME_ROLE]
            people += [(f"{person.role}{between}{person.name}", person.source,
                        "directory entry", 6) for between in _ROLE_NAME]
        people += [(topic, person.source, "directory topic", MIN_FINGERPRINT)
                   for topic in person.topics]
    return [(_normalised_name(text or ""), source, what, minimum)
            for text, source, what, minimum in people]


def phone_digits(number: str) -> str:
    """A phone number as `searchable` finds it in any spelling: its digits after the
    trunk 0, which '01632 960302', '01632960302', 'tel:+441632960302' and
    '+44 (0)1632 960 302' all hold once the gaps between their digits are closed."""
    return re.sub(r"\D", "", number).lstrip("0")


def digit_runs(text: str) -> str:
    """Every run of digits in `text` that could be a phone number, its gaps closed (see
    `phone_digits`); found first by a plain pattern, so a page costs little."""
    return "\n".join(re.sub(r"\D", "", run) for run in _PHONE_LIKE.findall(text))


_PHONE_LIKE = re.compile(r"(?=[+\d])\+?\d[\d ().,/\-]{7,}\d")  # (01632 / 960301: any gaps;
# the look ahead, which changes no match, lets the engine skip to a digit or '+' in C:
# twice as fast over a page, which every public file is searched with)


# how a name is written with its role: the directory's way, and the ways people write
# it (a dash, a colon, a table's two cells: its text read without the markup)
_NAME_ROLE = (", ", " (", " - ", ": ", " ")
# ...and the role first ("Family services manager: Tomasz Nowak", "our family services
# manager, Tomasz Nowak", a table whose role column comes first)
_ROLE_NAME = (", ", " - ", ": ", " ")

# what is excused when the public content gives it too (see said_publicly)
CONTACT_DETAILS = ("directory email", "directory phone", "directory entry")


def people_sought(people: list[tuple[str, str, str, int]]) -> tuple[set[str], set[str]]:
    """The members' people's names, and apart their e-mail addresses and phone numbers,
    as `said_publicly` looks for them (each as long as it must be to count)."""
    return ({key for key, _, what, minimum in people
             if len(key) >= minimum and what not in CONTACT_DETAILS},
            {key for key, _, what, minimum in people
             if len(key) >= minimum and what in CONTACT_DETAILS})


@functools.lru_cache(maxsize=65536)  # the same few thousand names at every rebuild
def _normalised_name(text: str) -> str:
    return normalise(text).strip()


def said_publicly(people: list[tuple[str, str, str, int]], public_text: "PublicText",
                  contact_keys: set, sought: tuple[set[str], set[str]] | None = None
                  ) -> set[str]:
    """Which of the members' people the public content names too (see PublicText). A
    name counts wherever it is published; an e-mail or phone only where the public
    content gives it as a contact (`contact_keys`: the texts of `contact_details`): a
    directory entry pasted into a news item must not excuse itself. `sought`: what
    `people_sought` gives for `people`, if had already."""
    names, details = sought or people_sought(people)
    said: set[str] = set()
    for key, found in public_text.found_in(names | details).items():
        said |= found if key in contact_keys else found & names
    return said


def members_fingerprints(members, member_routes, people: list[tuple[str, str, str, int]],
                         said: set[str], unpublished: list["UnpublishedPost"] = (),
                         cache: dict | None = None,
                         documents: list["MembersDocument"] = (),
                         frame: str = "") -> list[Fingerprint]:
    """Fingerprints of everything members-only. People's names, e-mails and phones are
    left out when the public content gives them too (`said`, see `said_publicly`): a
    manager who is also an agency's public contact is not a leak. Text (titles, passages)
    is never excused: a members passage pasted into a public page is exactly the leak to
    catch. Members posts not published in this build (drafts, not yet published,
    expired: `unpublished`) are members-only all the same, and so is the text inside the
    members' own files (`documents`: a PDF, a Word file, a spreadsheet saved as CSV), so
    that a copy of one put in media/ is found however it differs in its bytes (saved
    again, exported again) and its text pasted anywhere is found as a post's is; but not
    what every public page says around its content (`frame`: its footer's licence line,
    "X is run by Y"), which such a file often says too.

    `cache` keeps each post's fingerprints by its text, and each file's by its bytes,
    for rebuilds."""
    found: dict[str, Fingerprint] = {}
    kept: dict = {}
    for post in [*members.posts, *members.pages, *unpublished]:
        for fingerprint in _post_fingerprints(post, cache, kept):
            found.setdefault(fingerprint.text, fingerprint)
    for document in documents:
        if document.holds_text:
            for fingerprint in _document_fingerprints(document, cache, kept):
                if fingerprint.text not in frame:
                    found.setdefault(fingerprint.text, fingerprint)
        # remembered by its bytes, for the next build to find it by them if it is moved
        # out of members/media/ (see former_members_media); not by its name, which, no
        # longer a members file's, was found inside others' ("new-hall-photo.png")
        kept[_media_key(document)] = []
    if cache is not None:
        for fingerprint in _former_fingerprints(cache, kept):
            if fingerprint.text not in frame:  # (as for a members file's: a line every
                found.setdefault(fingerprint.text, fingerprint)  # public page says too)
    for key, source, what, minimum in people:
        if len(key) >= minimum and key not in found and key not in said:
            found[key] = Fingerprint(key, source, what)
    addresses = [(route.url, route.source or "content/members/")
                 for route in member_routes if route.url != "/members/"]
    for name in members.media:
        source = "content/members/media/" + name
        addresses += [(f"/members/media/{name}", source),
                      (f"/members/media/{quote(name)}", source)]
        file_name = normalise(name.rsplit("/", 1)[-1])
        if len(file_name) >= MIN_FINGERPRINT:  # named on its own ('see rota-2026.pdf')
            found.setdefault(file_name, Fingerprint(file_name, source, "file name"))
    for url, source in addresses:
        # without the base path or the trailing slash: found however a link is written
        # (relative, no trailing slash, under any base path), up to where the address
        # ends (see LeakSearcher), so /members/keys is not found in /members/keys.json
        text = normalise(url.rstrip("/"))
        found.setdefault(text, Fingerprint(text, source, "address"))
    return sorted(found.values(), key=lambda f: (f.source, f.text))


@dataclass(frozen=True)
class MembersDocument:
    """A file of members/media/ that holds text (see doctext.text_blocks): its source, the
    digest of its bytes, and how to read them (only when its fingerprints are not kept)."""

    source: str
    digest: str
    read: Callable[[], bytes]
    holds_text: bool = True  # (else a picture, a sound: known by its bytes alone)


def _document_fingerprints(document: MembersDocument, cache: dict | None,
                           kept: dict) -> list[Fingerprint]:
    """A members file's distinctive passages, kept by its bytes' digest."""
    key = f"file:{document.digest}:{document.source}"
    if cache is not None and key in cache:
        kept[key] = cache[key]
        return kept[key]
    try:
        blocks = doctext.text_blocks(document.source, document.read())
    except OSError:  # gone meanwhile: the build that sees it gone says so
        blocks = []
    kept[key] = [Fingerprint(spelt, document.source, "passage")
                 for passage in _passages(blocks) for spelt in _spellings(passage)]
    return kept[key]


@dataclass(frozen=True)
class UnpublishedPost:
    """A members document left out of this build, fingerprinted like a published one."""

    source: str
    title: str
    summary: str | None
    html: str


def contact_details(document) -> str:
    """The e-mails, phones and named roles a public document gives as contacts (its
    `email` and `phone` fields, and `name` with `role`, at any depth: an agency's
    contact, a centre's, an opportunity's enquiries, the site's organisation),
    normalised as the directory's."""
    from .yamlnodes import YamlMap

    found = []

    def walk(mapping) -> None:
        for key, node in mapping.items.items():
            if key == "extra":  # what a theme may show, as it likes: no contact field
                continue
            if isinstance(node.value, YamlMap):
                walk(node.value)
            elif isinstance(node.value, list):
                for item in node.value:
                    if isinstance(item.value, YamlMap):
                        walk(item.value)
            elif key == "email" and node.raw:
                found.append(normalise(node.raw))
            elif key == "phone" and node.raw:
                found.append(phone_digits(node.raw))
        name, role = mapping.items.get("name"), mapping.items.get("role")
        if name and role and name.raw and role.raw:  # a contact, as a directory lists one
            found.extend(normalise(f"{name.raw}{between}{role.raw}") for between in _NAME_ROLE)
    walk(document.data)
    return "\n".join(found)


def public_source_text(document) -> str:
    """A public document as its editor wrote it (body and every YAML text), normalised:
    what `PublicText` searches for the members' people."""
    return normalise("\n".join([document.body, *_yaml_strings(document.data)]))


def _yaml_strings(mapping) -> list[str]:
    from .yamlnodes import YamlMap

    strings = []
    for node in mapping.items.values():
        value = node.value
        if isinstance(value, YamlMap):
            strings += _yaml_strings(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item.value, YamlMap):
                    strings += _yaml_strings(item.value)
                elif item.raw:
                    strings.append(item.raw)
        elif node.raw:
            strings.append(node.raw)
    return strings


_NONE: frozenset[str] = frozenset()


class PublicText:
    """All public content as the editors wrote it, normalised, one text per document.

    A members name found here is public already. Each document's findings are kept by
    its key (file and signature) in `cache`, so a rebuild reads only what changed: its
    texts are given as functions, called only for documents not searched before."""

    def __init__(self, texts: dict[Any, Callable[[], str]], cache: dict | None = None):
        self.texts = texts  # document key -> its normalised text, when called
        self.cache = cache if cache is not None else {}  # key -> (needles' digest, found)

    def found_in(self, needles: set[str]) -> dict[Any, frozenset[str]]:
        """Document key -> the needles its text holds."""
        ordered = sorted(needles)
        against = hashlib.blake2b("\n".join(ordered).encode(), digest_size=16).hexdigest()
        automaton = None
        found: dict[Any, frozenset[str]] = {}
        kept = {}
        for key, text in self.texts.items():
            hit = self.cache.get(key)
            if hit is None or hit[0] != against:
                automaton = automaton or (AhoCorasick(ordered) if ordered else None)
                hit = (against, frozenset(
                    ordered[index] for index, _, _ in
                    automaton.find_matches_as_indexes(text(), overlapping=True))
                    or _NONE if automaton else _NONE)  # (most: one empty set for all)
            kept[key] = hit
            found[key] = hit[1]
        self.cache.clear()
        self.cache.update(kept)
        return found


# the mark of what was members text at the last good build and is no longer in members/
FORMER = " (members-only at the last build, and since edited or taken out of members/)"
_FORMER_KEY = "former:"
FORMER_REMEDY = ("a members page or file moved out of members/ is not published: move it "
                 "back. If it is meant for everyone now, take it out of the public file (or "
                 "the file out of the content folder) and build, then put it back and build "
                 "again")


def former_in_unpublished(leaks: "LeakAudit", documents: list) -> list[tuple[Any, Fingerprint]]:
    """(document, fingerprint) for each public document this build leaves out (a draft,
    one with a publish_date to come) that holds text the last build had in members/: the
    one build that searches for it found nothing published, forgot it, and published the
    page when its day came (a members page moved into pages/ with a publish_date)."""
    former = [f for f in leaks.by_needle.values() if f.source.endswith(FORMER)]
    if not former or not documents:
        return []
    searcher = LeakSearcher([f.text for f in former])
    by_text = {f.text: f for f in former}
    found = []
    for document in documents:
        needle = searcher.first_in(public_source_text(document))
        if needle is not None:
            found.append((document, by_text[needle]))
    return found


def _former_fingerprints(cache: dict, kept: dict) -> list[Fingerprint]:
    """The fingerprints of the members texts the last good build had and this one has
    not (a page or file moved out of members/, or removed; a post's text before its
    edit), marked as such; and `cache` left holding this build's, and those.

    Why: a members page moved into pages/ (or a members PDF into media/) has the fields
    of a public one, so nothing in this build's members content says it was ever
    members-only, and it was published whole. The last build's fingerprints say it. They
    are searched for in this build; a successful build forgets them (`forget_former`),
    so a text meant for everyone now is published by taking it out of members/ in one
    build and adding it to the public site in a later one. Until then a build that
    fails keeps them, the preview server's included."""
    former = {}
    for key, prints in cache.items():
        if key in kept or key.removeprefix(_FORMER_KEY) in kept:
            continue
        if not key.startswith(_FORMER_KEY):
            key = _FORMER_KEY + key
            prints = [Fingerprint(f.text, f.source + FORMER, f.what) for f in prints
                      if not f.source.endswith(FORMER)]
        former[key] = prints
    cache.clear()
    cache.update(kept)
    cache.update(former)
    return [fingerprint for prints in former.values() for fingerprint in prints]


_MEDIA_KEY = "media:"


def _media_key(document: MembersDocument) -> str:
    """A members file's entry among the fingerprints: its bytes' digest and its name."""
    return f"{_MEDIA_KEY}{document.digest}:{document.source}"


class PublishedAsIs(NamedTuple):
    """A file the site publishes as it is: a media file, or one of the site's own theme
    files (templates/assets/), by the name its mistakes are told at."""

    shown: str
    source: Path


def former_members_media(published: list[PublishedAsIs], cache: dict,
                         digest: Callable[[str], str]) -> list[tuple[PublishedAsIs, str]]:
    """(file published as it is, the members file it was) for each with the bytes of one
    the last good build had in members/media/ and this one has not (see
    `_former_fingerprints`): a members picture, sound or PDF moved into media/ holds no
    text to find it by, and was published. Empty files are all alike, and say nothing.
    `digest`: of a file's bytes, by its path."""
    former = {}
    for key in cache:
        if key.startswith(_FORMER_KEY + _MEDIA_KEY):
            file_digest, source = key[len(_FORMER_KEY + _MEDIA_KEY):].split(":", 1)
            former[file_digest] = source
    found = []
    for file in published if former else ():
        try:
            was = former.get(digest(str(file.source))) if file.source.stat().st_size else None
        except OSError:  # gone meanwhile, or unreadable: check_media tells
            continue
        if was is not None:
            found.append((file, was))
    return found


def any_former(cache: dict) -> bool:
    return any(key.startswith(_FORMER_KEY) for key in cache)


def forget_former(cache: dict) -> None:
    """After a successful build: what the last one had in members/ is known now not to
    be in the public site (see `_former_fingerprints`)."""
    for key in [key for key in cache if key.startswith(_FORMER_KEY)]:
        del cache[key]


def _post_fingerprints(post, cache: dict | None, kept: dict) -> list[Fingerprint]:
    """A post's title, summary and distinctive sentences."""
    text_key = hashlib.blake2b("\x00".join([post.source, post.title, post.summary or "",
                                            post.html]).encode(), digest_size=16).hexdigest()
    if cache is not None and text_key in cache:
        kept[text_key] = cache[text_key]
        return kept[text_key]
    fingerprints = []
    for text, what in [(post.title, "title"), (post.summary, "summary"),
                       *((sentence, "passage") for sentence in _sentences(post.html)),
                       *((text, "image description") for text in _members_alt(post.html))]:
        key = normalise(text or "").strip(_EDGE_PUNCTUATION)
        if len(key) >= MIN_FINGERPRINT:
            fingerprints += [Fingerprint(spelt, post.source, what) for spelt in _spellings(key)]
    slug = _NOT_SLUG.sub("-", normalise(post.title or "")).strip("-")
    if len(slug) >= MIN_FINGERPRINT and "-" in slug:  # the title made an address or a
        fingerprints.append(Fingerprint(slug, post.source, "title"))  # file's name
    kept[text_key] = fingerprints
    return fingerprints


def _sentences(html: str) -> list[str]:
    """A members body's passages: each block (paragraph, list item, heading, table cell)
    on its own, cut into sentences, and those at colons and semicolons too (a part
    quoted alone is found), with inline markup taken out as `searchable` takes it out of
    public files. So a passage is found whatever heading or list came before it, and
    however it was emphasised or linked."""
    blocks = [*_BLOCK_TAG.split(html), *_TEXT_ATTRIBUTE.findall(html)]  # and alt text
    return _passages([_TAG.sub("", block) for block in blocks])


def _passages(blocks: list[str]) -> list[str]:
    """The distinctive passages of text in blocks (each a paragraph, a cell: see
    `_sentences`), normalised: each sentence, and each of its parts between colons,
    semicolons or commas, without a joining word at its start ("and", "but"), so that
    a part quoted alone is found ("opening the building on a saturday costs us about
    £90 a week in staffing", of a sentence that goes on after a comma)."""
    passages: dict[str, None] = {}  # (in order, each once)
    for block in blocks:
        for sentence in _SENTENCE_END.split(normalise(block)):
            clauses = _CLAUSE_END.split(sentence)  # (each the sentence, when it has none)
            parts = _COMMA.split(sentence) if "," in sentence else []
            for piece, least in [*((clause, MIN_SENTENCE_WORDS)
                                   for clause in dict.fromkeys([sentence, *clauses])),
                                 *((part, MIN_PART_WORDS) for part in parts)]:
                # without the punctuation at its ends: found quoted, or as a heading or
                # list item without its full stop
                piece = _JOINING_WORD.sub("", piece.strip(_EDGE_PUNCTUATION))
                if len(piece.split()) >= least:
                    passages[piece] = None
    return list(passages)


def _spellings(text: str) -> list[str]:
    """A members text (normalised) as it is searched for: as it is, and without its
    commas and apostrophes, as each public file is searched too (see `unpunctuated`)."""
    without = unpunctuated(text)
    return [text] if without == text or len(without) < MIN_FINGERPRINT else [text, without]


def unpunctuated(text: str) -> str:
    """Normalised text without its commas and apostrophes: a members sentence retyped
    with a comma left out or put in, or "dads group" for "dads' group", is found all
    the same. Only these two: other punctuation inside a sentence (a colon, a dash) is
    rarely dropped in a retype, and commas in numbers go too ("1,000" and "1000")."""
    if "," in text or "'" in text:
        return " ".join(text.replace(",", " ").replace("'", "").split())
    return text


def _members_alt(html: str) -> list[str]:
    """The alt text of each members image a members body shows (/members/media/...): a
    description of members content, however short (a picture's alt is a few words, the
    passages' seven-word rule would keep none); a public image's alt is not."""
    return [alt for tag in _IMAGE.findall(html) if "/members/media/" in tag
            for alt in _ALT.findall(tag) if len(alt) >= MIN_ALT_TEXT]


_NOT_SLUG = re.compile(r"[^a-z0-9]+")  # what an address made from a title leaves out
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>")  # (what a tag starts with: a '<' the text says,
# as in "aged < 5", is read as text, not as a tag running on to the next '>')
_LINE_BREAK = re.compile(r"<br\s*/?>")
_TEXT_ATTRIBUTE = re.compile(r'\s(?:alt|title)="([^"]*)"')
_EDGE_PUNCTUATION = " .!?:;,\"'()[]"
_BLOCK_TAG = re.compile(r"</?(?:p|li|h[1-6]|td|th|tr|dt|dd|blockquote|pre|figcaption|caption"
                        r"|div|ul|ol|dl|table|thead|tbody|section|br|hr)\b[^>]*>", re.I)
_SENTENCE_END = re.compile(r"""(?<=[.!?])["')\]]*\s+""")  # quotes: normalised plain
_CLAUSE_END = re.compile(r"(?<=[:;])\s+")
_COMMA = re.compile(r",\s+")  # a comma between words (not in a number: "1,000")
_JOINING_WORD = re.compile(r"^(?:and|but|or|so|then|yet|because|while|although) ")
_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r'\salt="([^"]*)"')


def searchable(readable: str, digits: bool = False) -> str:
    """A file's text as the leak audit searches it: normalised, then again without its
    markup (a members sentence copied with its emphasis or links is found in the page's
    HTML, not only in the search index), and, with `digits`, with the gaps inside numbers
    closed (a members phone number however it is spaced; see `phone_digits`)."""
    text = normalise(readable)
    texts = [text]
    read = _as_read(text)
    if read != text:
        texts.append(read)
    views = list(texts)
    plain = text
    if "<" in text:  # a line break is a space; other tags are nothing (bold, links)
        views.append(plain := " ".join(_TAG.sub("", _LINE_BREAK.sub(" ", text)).split()))
    if (without := unpunctuated(plain)) != plain:  # as passages are compared
        views.append(without)
    if digits:
        views += map(digit_runs, texts)
    return "\n".join(views)


_AT = re.compile(r"\s*[\[({]\s*at\s*[\])}]\s*")
_DOT = re.compile(r"\s*[\[({]\s*dot\s*[\])}]\s*")


def _as_read(text: str) -> str:
    """The normalised `text` as a browser or a reader reads what is written in code:
    percent codes and a query's '+' for a space (a mail link's body, an e-mail address's
    %40, a path's %6D, a search link's words), an address's default port, './' or '../'
    or backslashes (https://host:443/members/./x, /members/x/../y, \\members\\y: a
    browser reads them all as /members/...), and an e-mail address written out ('name
    [at] example (dot) org', 'name at example dot org')."""
    if "%" in text:
        text = normalise(unquote(text))
    if "?" in text and "+" in text:  # (every page has a '+': atom+xml, +44, +00:00)
        text = _PLUS_QUERY.sub(_spaced, text)
    if "\\" in text:
        text = text.replace("\\", "/")
    if ":443/" in text or ":80/" in text or "/./" in text:
        text = text.replace(":443/", "/").replace(":80/", "/").replace("/./", "/")
    while "/../" in text and (fewer := _UP.sub("/", text)) != text:
        text = fewer
    if ("at]" in text or "at)" in text or "at}" in text) and _AT.search(text):
        text = _DOT.sub(".", _AT.sub("@", text))
    if " at " in text:
        text = _addresses_spelled(text)
    if " @" in text or "@ " in text:  # 'name @ example.org'
        text = _SPACED_AT.sub("@", text)
    if " . " in text:  # 'name . surname@example . org'
        text = _SPACED_DOT.sub(".", text)
    return text


def _addresses_spelled(text: str) -> str:
    """'name at example.org', 'name dot surname at example dot org' as addresses. Each
    ' at ' (a common word) is looked at where it is (a search for the whole address
    from every place in the text took its length times a word's), and taken for '@'
    where a name comes before it and a domain after, its last part letters only."""
    pieces, last = [], 0
    for found in _SPACED_WORD_AT.finditer(text):
        local = _LOCAL_BEFORE.search(text, max(last, found.start() - 80), found.start())
        domain = _DOMAIN_AFTER.match(text, found.end())
        if local is None or domain is None:
            continue
        pieces += [text[last:local.start()], local[0].replace(" dot ", "."), "@",
                   domain[0].replace(" dot ", ".")]
        last = domain.end()
    return "".join(pieces) + text[last:] if pieces else text


_UP = re.compile(r"/[^/\s\"'<>()]+/\.\./")  # a folder and '..': the folder's parent
_PLUS_QUERY = re.compile(r"\?[^\s\"<>#]*\+[^\s\"<>#]*")  # an address's query with a '+'
_SPACED_WORD_AT = re.compile(" at ")
_LOCAL_BEFORE = re.compile(r"[a-z0-9._%+-]+(?: dot [a-z0-9._%+-]+)*$")
_DOMAIN_AFTER = re.compile(r"[a-z0-9-]+(?:(?: dot |\.)[a-z0-9-]+)*(?: dot |\.)[a-z]{2,}\b")
_SPACED_AT = re.compile(r"(?<=[a-z0-9._%+-]) ?@ ?(?=[a-z0-9-])")
_SPACED_DOT = re.compile(r"(?<=[a-z0-9]) \. (?=[a-z0-9])")


def _spaced(query: re.Match) -> str:
    return query[0].replace("+", " ")




def readable_text(path: str, data: bytes, documents: bool = True) -> str:
    """What a file says, as text: compressed files opened, JSON strings unescaped, the
    texts of a Pagefind file (see `_pagefind_texts`), and those a PDF or Office file
    holds (doctext.py) followed by its bytes as text (what else it holds: an attachment,
    its metadata in XML). Without `documents` (a file the build made: a page, a feed),
    none is read as a PDF or Office file, whatever its first bytes say."""
    document = doctext.document_text(data) if documents else None
    if document is not None:
        return document + "\0" + data.decode("utf-8", errors="replace")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 (Excel's "Unicode text")
        return doctext.plain_text(data)
    if data.startswith(PAGEFIND_SIGNATURE):
        texts = _pagefind_texts(data[len(PAGEFIND_SIGNATURE):])
        if texts is not None:
            return "\0".join(texts)
    # not UTF-8: a CSV Excel saved, in Windows' own text (or bytes, as they are), or an
    # image's or a sound's: as doctext.bytes_text reads them (a page the build made: UTF-8)
    text = doctext.bytes_text(data) if documents else data.decode("utf-8", errors="replace")
    if path.endswith(".json") or text[:1] in "[{":
        try:
            text += "\n" + "\n".join(_texts_in(json.loads(text)) or ())
        except ValueError:
            pass
    elif path.endswith(".svg"):  # its words as drawn, each an element of its own
        text += "".join("\0" + view for view in doctext.svg_texts(text))
    elif path.endswith(".ics"):  # its lines unfolded, its texts' commas and breaks plain
        text += "\0" + _ICS_ESCAPE.sub(_ics_unescaped, _ICS_FOLD.sub("", text))
    return text


_ICS_FOLD = re.compile(r"\r?\n[ \t]")  # RFC 5545: a line longer than 75 octets goes on so
_ICS_ESCAPE = re.compile(r"\\([\\;,nN])")


def _ics_unescaped(escape: re.Match) -> str:
    return "\n" if escape[1] in "nN" else escape[1]


def _pagefind_texts(data: bytes) -> list[str] | None:
    """Every text a Pagefind file holds (a page's fragment is JSON; the index, its
    filters and metadata are CBOR), each whole; None when it is neither (read as bytes
    then). An index is mostly word positions (numbers): read as bytes, they made
    three times its size in text to search, a tenth of a second for each part of the
    search index a body edit makes again at 10,000 documents. The texts are kept apart
    (by a character no fingerprint holds, and which is no gap in a phone number), as
    the bytes between them kept them."""
    try:
        value = json.loads(data) if data[:1] == b"{" else cbor2.loads(data)
    except Exception:  # noqa: BLE001 - any decoding error: not the format we know
        return None
    return _texts_in(value)


def _texts_in(value: Any) -> list[str] | None:
    """The texts (keys too) of decoded JSON or CBOR, in order; None if it holds anything
    but texts, numbers, lists and maps (a CBOR tag: the caller reads the bytes)."""
    texts, todo = [], [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is str:
            texts.append(item)
        elif kind is list or kind is tuple:
            if not set(map(type, item)) <= _NUMBERS:  # (a list of positions: no text)
                todo.extend(reversed(item))
        elif kind is dict:
            for key, each in reversed(item.items()):
                todo += (each, key)
        elif kind is bytes:
            texts.append(item.decode("utf-8", errors="replace"))
        elif kind not in _NUMBERS:
            return None
    return texts


_NUMBERS = {int, float, bool, type(None)}


class LeakAudit:
    """The fingerprints of one build, ready to search files for: `against` names the set
    (a file found clean against it stays clean while it and the set are unchanged).

    Made `known` (see `LeakAudit.known`), it holds only the name of a set the last build
    made from the same members content, and makes the fingerprints and their searcher
    the first time a file is to be searched: most builds find every file they look at
    already known clean against that set (see check_leaks), and need neither. Searching
    needs only the fingerprints' texts, which that build kept in the cache folder (see
    `save_needles`); the fingerprints themselves are made only to tell a leak found."""

    def __init__(self, fingerprints: list[Fingerprint], base_url: str = "/"):
        parts = urlsplit(base_url)
        # what may stand before a members address where it is this site's (see
        # LeakSearcher): the site's host and base path, or the base path alone; in one
        # order in every process, as the fingerprints' key (`against`) names them
        self.site_prefixes = tuple(sorted({normalise(prefix) for prefix in (
            parts.netloc + parts.path.rstrip("/"), parts.path.rstrip("/")) if prefix}))
        self._searcher: LeakSearcher | None = None
        self._make: Callable[[], list[Fingerprint]] | None = None
        self._take(fingerprints)

    @classmethod
    def known(cls, make: Callable[[], list[Fingerprint]], base_url: str, against: str,
              any_needles: bool, digits: bool,
              kept: Callable[[], tuple[list[str], list[str]] | None] = lambda: None
              ) -> "LeakAudit":
        """The audit of fingerprints `make()` gives, whose `against` (whether there are
        any, whether phone numbers are among them) a build made from the same members
        content found: made when first used. `kept()`: their texts and the addresses
        among them, as that build kept them, or None."""
        leaks = cls([], base_url)
        leaks.against, leaks.any_needles, leaks.digits = against, any_needles, digits
        leaks._make, leaks._kept, leaks._needles = make, kept, None
        return leaks

    def _take(self, fingerprints: list[Fingerprint]) -> None:
        self._by_needle = {f.text: f for f in fingerprints}
        self._needles = sorted(self._by_needle)
        self.addresses = frozenset(f.text for f in fingerprints if f.what == "address")
        self.against = _against(self._needles, self.site_prefixes)
        self.any_needles = bool(self._needles)
        self.digits = any(f.what == "directory phone" for f in fingerprints)

    def _made(self) -> None:
        if self._make is not None:
            make, self._make, against = self._make, None, self.against
            self._take(make())
            if self.against != against:  # the key it was known by missed a change
                raise RuntimeError("the leak audit's fingerprints are not those its key "
                                   "promised; delete the cache folder and build again")

    @property
    def needles(self) -> list[str]:
        if self._needles is None:  # known: the texts the last build kept, if they are
            kept = self._kept()    # those it knew (else the fingerprints made now)
            if kept is not None and _against(kept[0], self.site_prefixes) == self.against:
                self._needles, self.addresses = kept[0], frozenset(kept[1])
            else:
                self._made()
        return self._needles

    @property
    def by_needle(self) -> dict[str, Fingerprint]:
        self._made()
        return self._by_needle

    def first_leak(self, path: str, data: bytes, documents: bool = True
                   ) -> tuple[str, str] | None:
        """(the file's readable text, the fingerprint found in it), or None if clean;
        `documents`: see `readable_text`."""
        if not self.any_needles:
            return None
        if documents and len(data) > PIECE_BYTES and b"\0" in data[:doctext.SNIFF_BYTES] \
                and not doctext.is_document(data):
            return self._first_leak_in_pieces(path, data)
        readable = readable_text(path, data, documents)
        needle = self.prepare().first_in(searchable(readable, self.digits))
        return None if needle is None else (readable, needle)

    def _first_leak_in_pieces(self, path: str, data: bytes) -> tuple[str, str] | None:
        """`first_leak` of a large binary file (a photo, a recording), searched a piece at
        a time, the pieces overlapping by more than any fingerprint is long, then its
        metadata's texts whole: read whole, as text twice over, a 30 MB photo took 3.4
        GB (an editor's review); read as its runs of text only, members text in an EXIF
        field with an accent or a non-breaking space was missed (a red team's review)."""
        searcher = self.prepare()
        for start in range(0, len(data), PIECE_BYTES):
            piece = data[max(0, start - PIECE_OVERLAP):start + PIECE_BYTES]
            readable = doctext.bytes_text(piece, metadata=False)
            needle = searcher.first_in(searchable(readable, self.digits))
            if needle is not None:
                return readable, needle
        readable = doctext.metadata_text(data)
        needle = searcher.first_in(searchable(readable, self.digits))
        return None if needle is None else (readable, needle)

    def prepare(self, texts: int = 0) -> "LeakSearcher":
        """The searcher, made now if not yet (before forking workers that all use it).
        `texts`: how many are about to be searched; for many, one that is slower to make
        and faster to search with (see LeakSearcher), even if one was made already."""
        if self._searcher is None or texts:
            needles = self.needles  # made now, if not yet
            self._searcher = LeakSearcher.for_needles(
                needles, self.addresses, self.site_prefixes, self.against,
                many=LeakSearcher.worth_long(texts, len(needles)))
        return self._searcher


PIECE_BYTES = 2 * 1024 * 1024  # a large binary file is searched so much at a time
PIECE_OVERLAP = 64 * 1024  # ...each piece beginning this much before the last ended


def _against(needles: list[str], site_prefixes: tuple[str, ...]) -> str:
    """The digest of the texts, one a line: a few thousand lines at a time, not all
    joined (38 MB of text, and as much again encoded, at 50,000 documents)."""
    digest = hashlib.blake2b(digest_size=16)
    lines = [*needles, *site_prefixes]
    for start in range(0, len(lines), 4096):
        digest.update((("\n" if start else "") + "\n".join(lines[start:start + 4096]))
                      .encode())
    return digest.hexdigest()


NEEDLES_FILE, NEEDLES_VERSION = "leak-needles.cbor", "1"


def save_needles(cache: Path, leaks: LeakAudit) -> None:
    """Keep the fingerprints' texts in the cache folder (beside the build memory, which
    names them by `against`), for a build from the same members content to search with
    (see LeakAudit.known): reading them is a tenth of making them."""
    from . import cachefolder

    cachefolder.write(cache / NEEDLES_FILE, "leak audit texts", NEEDLES_VERSION,
                      [leaks.needles, sorted(leaks.addresses)])


def kept_needles(cache: Path) -> tuple[list[str], list[str]] | None:
    """The texts `save_needles` kept, or None when there are none this version can read
    (LeakAudit.known checks they are those it knows by `against`)."""
    from . import cachefolder

    try:
        needles, addresses = cachefolder.read(cache / NEEDLES_FILE, "leak audit texts",
                                              NEEDLES_VERSION)
    except (cachefolder.CacheUnreadable, ValueError, TypeError):
        return None
    if type(needles) is not list or type(addresses) is not list or \
            not all(map(str.__instancecheck__, needles)) or \
            not all(map(str.__instancecheck__, addresses)):
        return None
    return needles, addresses


def public_inspection(leaks: LeakAudit, clean: dict[str, str] | None = None) -> Inspection:
    """The audits' look at each public page as it is rendered (see render.Inspection),
    against `leaks`: the pipeline's and the preview server's quick rebuild's alike.
    `clean`: the pages known clean (see check_leaks), which need no search: a page
    rendered again the same as before (one that shows the day, on a day it did not
    change) does not make the fingerprints be made."""
    return Inspection(functools.partial(inspect_public_page, leaks, clean or {}),
                      ready=leaks.prepare)


def inspect_public_page(leaks: LeakAudit, clean: dict[str, str], output_path: str,
                        text: str) -> tuple[list[str], str | None, tuple[str, ...] | None]:
    """A public page as it is rendered: its links, (if no members text is in it) the
    digest by which the leak audit will know it as clean, and its policies (see
    `policies_first`)."""
    data = text.encode("utf-8")
    key = content_key(data)
    found = clean.get(key) != leaks.against and \
        leaks.first_leak(output_path, data, documents=False)
    return sorted(set(links_in(text))), None if found else key, policies_first(text)


# what a page loads or runs: a policy in a <meta> element covers only what comes after it
# (a script of data, JSON-LD, runs nothing), and counts only in <head>
_LOADS = re.compile(r"<(?:script(?![^>]*application/ld\+json)|link|style|iframe|object|embed"
                    r"|img|base|frame)\b", re.I)
_BODY = re.compile(r"<body\b", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_POLICY_META = re.compile(r"""<meta\s+http-equiv\s*=\s*["']?content-security-policy["']?"""
                          r"""\s+content\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def policies_first(text: str) -> tuple[str, ...] | None:
    """The Content-Security-Policies a page has before anything it loads or runs; None
    for a page that loads and runs nothing (a bare page a site's template makes), which
    a policy has nothing to keep from."""
    text = _COMMENT.sub("", text)  # (a policy commented out is none; a script, nothing)
    loads = _LOADS.search(text)
    if loads is None:
        return None
    body = _BODY.search(text, 0, loads.start())
    head = text[:body.start() if body else loads.start()]
    return tuple(unescape(a or b) for a, b in _POLICY_META.findall(head))


def check_policies(page_policies: dict[str, tuple[str, ...] | None], expected: tuple[str, ...],
                   page_routes: list[Route], errors: ErrorList) -> None:
    """Every page the build rendered has the site's two policies before anything it loads
    (csp.py): a template that left them out, or put a script above them, let another
    site's script run on the site's pages, where it could read the members area (the
    passphrase kept by a browser, or the key kept by encrypt mode). Told once: at the
    template if one has the fault, else at base.html, which the pages share."""
    by_output = {route.output_path: route for route in page_routes}
    failing = sorted(path for path, found in page_policies.items() if path.endswith(".html")
                     and found is not None and not set(expected) <= set(found))
    if not failing:
        return
    templates = sorted({by_output[path].template if path in by_output else "base.html"
                        for path in failing})
    page = "/" + failing[0].removesuffix("index.html")
    more = f" and {len(failing) - 1} more" if len(failing) > 1 else ""
    made_with = "" if len(templates) == 1 else f", made with {', '.join(templates)}," \
        if len(templates) <= 3 else f", made with {len(templates)} templates,"
    errors.add(f"templates/{templates[0] if len(templates) == 1 else 'base.html'}", 0,
               "policy", f"the page {page}{more}{made_with} do{'es' if not more else ''} "
               "not start with the site's Content-Security-Policy: keep {{ security_policy("
               "site.config.base_path, [site.config.map.tile_origin]) }} in <head> before "
               "any script, style or link, as the theme's base.html has it; without it a "
               "script from another site could run on the site's pages and read the "
               "members area")


def check_leaks(files: dict, leaks: LeakAudit, shown_root: str, errors: ErrorList,
                clean: dict[str, str] | None = None,
                digests: dict[str, str] | None = None, by_content: bool = False,
                used: set[str] | None = None, made_from: dict[str, str] | None = None,
                written_in: Callable[[str], str] | None = None,
                as_is: dict[str, str] | None = None,
                sources: FileDigests | None = None) -> int:
    """Scan every public file; returns how many files were read.

    All fingerprints go into one Aho-Corasick automaton (ahocorasick-rs), so each file is
    read once, in linear time, whatever the number of fingerprints. `clean` remembers files
    found clean (by content, against the same fingerprints) so a rebuild reads only what
    changed. `digests` gives the content digest of files already known (a page kept from
    the last build), which is the key a file written from memory has here. `by_content`:
    files on disk are known by their bytes, not their place and time (for files made anew
    at every build, like the search index). `used` collects the keys of this build's files.
    `made_from`: the content file each page is made from, named in the message (it is the
    file to edit); `written_in(file)`: that file's text (see `public_source_text`), to
    tell a members post quoting a public page from a public page quoting a members post.
    `as_is`: the content file of each file published as it is (media), told instead.
    `sources`: the digests of files published as they are (media, theme assets), read
    again only when a file's status changed (digests.py): each file is known by its
    bytes, never by its place and times, which a file saved with another's size and
    time keeps (write.py publishes the bytes audited: see `write._copy_as_read`).
    """
    if not leaks.any_needles:
        return 0
    written_in = functools.cache(written_in) if written_in is not None else None
    to_search = []  # (path, key): known first, so that the searcher is made for so many
    for path in sorted(files):
        content = files[path]
        if by_content and isinstance(content, Path):
            key = content_key(content.read_bytes())  # (read again if searched: holding
        else:                                        # them all could take 100s of MB)
            key = (digests or {}).get(path) or signature(content, sources)
        if used is not None:
            used.add(key)
        if clean is None or clean.get(key) != leaks.against:
            to_search.append((path, key))
    if to_search:
        leaks.prepare(len(to_search))
    found_in: dict[str, list[tuple[str, str]]] = {}  # needle -> (path, readable) of each
    for path, key in to_search:
        content = files[path]
        data = content.read_bytes() if isinstance(content, Path) else content
        if isinstance(content, Path) and content_key(data) != key:  # saved again since
            # its digest was taken: the write publishes the bytes of that digest, which
            # are not these (saved back meanwhile, they would be published unsearched)
            errors.add(str(content), 1, "file", CHANGED_WHILE_BUILDING)
            continue
        try:
            found = leaks.first_leak(path, data)
        except doctext.Unreadable as exc:
            if path in (as_is or {}):  # (a media file: published as it is)
                errors.add(as_is[path], 1, "media", str(exc) or UNREADABLE)
                continue
            found = leaks.first_leak(path, data, documents=False)  # (one the build made)
        if found is None:
            if clean is not None and key is not None:
                clean[key] = leaks.against
            continue
        readable, needle = found
        found_in.setdefault(needle, []).append((path, readable))
    for needle, places in found_in.items():
        _report_leak(leaks.by_needle[needle], needle, places, shown_root, errors,
                     made_from or {}, written_in, as_is or {})
    return len(to_search)


UNREADABLE = ("this PDF is damaged, and its text is in a font it carries, which only the "
              "whole file gives: the leak audit cannot read it (a reader's program mends "
              "it, and shows it), so it is not published; open it in the program that made "
              "it, save it as PDF again, and put that in media/")
SHOWN_PER_LEAK = 5  # the public files a leak is told in, of all it is found in
_WHICH_FIRST = ("if the public page said it first, the members file quotes it, and one of "
                "them must be reworded")


def _report_leak(fingerprint: Fingerprint, needle: str, places: list[tuple[str, str]],
                 shown_root: str, errors: ErrorList, made_from: dict[str, str],
                 written_in: Callable[[str], str] | None, as_is: dict[str, str]) -> None:
    """One members text found in public files: told in the first few of them (one page
    copied from the members area shows its title in every page's menu: 171 messages were
    one mistake), each with the public content file that says it, when there is one: the
    page's own, or another that the page shows through the site's menus or lists. A file
    published as it is (a PDF in media/) is told as its content file: the one to change."""
    excerpt = fingerprint.text if len(fingerprint.text) < 60 else fingerprint.text[:57] + "..."
    sayers = _sayers(needle, made_from, written_in)
    if len(places) > SHOWN_PER_LEAK:  # the pages of the files that say it told first
        places = sorted(places, key=lambda place: made_from.get(place[0]) not in sayers())
    named = _page_named(fingerprint, needle, made_from)
    for index, (path, readable) in enumerate(places[:SHOWN_PER_LEAK]):
        source = made_from.get(path)
        fix_in = source or ""
        if named is not None:  # a page's address is the title: every list shows it
            fix_in = named
            remedy = (f"it is the address of the page made from {named}: rename that "
                      "file, or give it another slug")
        elif path in as_is:
            remedy = ("this file is published as it is: take the members text out of it, "
                      "or the file out of media/")
        elif source is not None and source in sayers():
            remedy = f"{source}, which this page is made from, says it too: {_WHICH_FIRST}"
        elif sayers():
            fix_in = sayers()[0]
            remedy = (f"{fix_in} says it, and this page shows it (through the site's "
                      f"menus or lists): {_WHICH_FIRST}")
        else:
            remedy = "remove it from " + (f"{source}, which this page is made from (or "
                                          "from its template)" if source else
                                          "the public template or page")
        if fingerprint.source.endswith(FORMER):
            remedy = FORMER_REMEDY
        elif fingerprint.what == "passage" and "members/media/" in fingerprint.source:
            remedy += f" (or, if the public site may say it, take it out of " \
                      f"{fingerprint.source})"  # (a members file's text: it may be the one)
        more = len(places) - SHOWN_PER_LEAK
        if index == SHOWN_PER_LEAK - 1 and more > 0:
            remedy += f" (and {more} more public {'file shows' if more == 1 else 'files show'}" \
                      " it)"
        errors.add(as_is.get(path) or f"{shown_root}/{path}", _line_of(readable, needle),
                   "leak", f"members-only {fingerprint.what} from {fingerprint.source} is in "
                   f"this public file: '{excerpt}'. Members content must never be "
                   "published; " + remedy, fix_in=fix_in)


def _page_named(fingerprint: Fingerprint, needle: str, made_from: dict[str, str]
                ) -> str | None:
    """The public content file whose page's address is a members title in the form of
    an address ('running-a-dads-group'), if this is one."""
    if fingerprint.what != "title" or " " in fingerprint.text:
        return None
    return next((source for path, source in sorted(made_from.items())
                 if f"/{needle}/" in f"/{path}" and source), None)


def _sayers(needle: str, made_from: dict[str, str],
            written_in: Callable[[str], str] | None) -> Callable[[], list[str]]:
    """The public content files whose text holds `needle`, found when first asked (only
    a build that failed asks)."""
    @functools.cache
    def sayers() -> list[str]:
        if written_in is None:
            return []
        return [source for source in sorted(set(made_from.values()))
                if needle in searchable(written_in(source))]  # (as the file was searched)
    return sayers


def copied_members_media(published: list[PublishedAsIs], members_media: list) -> list[tuple]:
    """(file published as it is, members media file) pairs with the same bytes: a
    members document copied into media/ (as an editor might, once a link to it is
    refused), or into the site's theme files, is found whatever it is called. Only files
    of equal size are read."""
    by_size: dict[int, list] = {}
    for media in members_media:
        size = media.source.stat().st_size
        if size:  # empty files are all alike, and say nothing
            by_size.setdefault(size, []).append(media)
    pairs = []
    for file in published if by_size else ():  # (no members file: not a file looked at)
        same_size = by_size.get(file.source.stat().st_size, [])
        if same_size:
            data = file.source.read_bytes()
            pairs += [(file, members) for members in same_size
                      if members.source.read_bytes() == data]
    return pairs


def content_key(data: bytes) -> str:
    """The key of a file's bytes in `clean` (the same digest write.py records)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class LeakSearcher:
    """Finds the first fingerprint in a text, in one pass whatever their number.

    Fingerprints are long (a whole sentence, some hundred characters) and there may be
    hundreds of thousands of them. The automaton (ahocorasick-rs) holds only the first
    `beginning` characters of each (all of a shorter one), and each place it finds is
    confirmed in Python by the whole fingerprints that begin so: kept sorted, those that
    share a beginning are next to each other, and of a group of several, those that go
    on as the text does for CHECK characters are found by bisection. How long a
    beginning is, is a trade; measured over a sample of the public files of a site of
    10,000 documents (72,000 fingerprints) and of 50,000 (366,000):

    - SHORT (16 characters): the fingerprints share many beginnings, so the automaton is
      made in 0.04 s (0.23 s at 50,000), but common words begin one of them every few
      dozen characters, and each such place is looked at: 0.26 ms a file (0.40 ms).
    - LONG (40): made in 0.24 s (1.13 s), it finds one place where the short one finds
      dozens: 0.06 ms a file (0.085 ms). 32 characters were made in half the time but
      still found 17 places a file (41 at 50,000): 0.07 ms (0.15 ms); 48 searched no
      faster than 40, and its automaton took 103 MB at 50,000 documents, 40's 69.

    So a build that searches a few files (one edit) makes the short one, when it is first
    needed, and one that searches many (a cold build, a template edited) the long one,
    before its page workers are forked (see `LeakAudit.prepare`); both find the same.
    The last searcher is kept, so the rebuilds of `ccsite serve` do not make it again."""

    SHORT, LONG, CHECK = 16, 40, 32
    TEXTS_PER_NEEDLE = 1 / 100  # from this many texts to search for each fingerprint,
    # the long one pays for its making (about 700 files at 10,000 documents, 3,700 at
    # 50,000: as measured above, it pays from 1,000 and 2,900)
    _last: "tuple[str, LeakSearcher] | None" = None

    def __init__(self, needles: list[str], addresses: frozenset[str] = frozenset(),
                 site_prefixes: tuple[str, ...] = (), beginning: int = SHORT):
        self.addresses = addresses  # found only as this site's, whole: see `_address_at`
        self.site_prefixes = site_prefixes
        self.beginning = beginning
        self.needles = _sorted_texts(needles)
        # the automaton's pattern i begins the needles bounds[i] to bounds[i + 1] - 1
        # (sorted, the needles a beginning begins are together); the walks over all of
        # them are made of C calls (map, compress): a build that searches a few pages
        # made its searcher in 0.05 s at 10,000 documents, most of it these loops
        heads = [needle[:beginning] for needle in self.needles]
        count = len(heads)
        self.bounds: list[int] = [0, *compress(range(1, count), map(
            operator.ne, heads, islice(heads, 1, None)))] if count else []
        beginnings = [heads[index] for index in self.bounds]
        self.bounds.append(count)
        self.shorter: dict[int, list[str]] = {}  # of a group of several, those shorter
        for index in compress(range(count), map(self.CHECK.__gt__, map(len, self.needles))):
            group = bisect.bisect_right(self.bounds, index) - 1                # than CHECK
            if self.bounds[group + 1] - self.bounds[group] > 1:
                self.shorter.setdefault(group, []).append(self.needles[index])
        self.automaton = AhoCorasick(beginnings) if beginnings else None

    @classmethod
    def for_needles(cls, needles: list[str], addresses: frozenset[str],
                    site_prefixes: tuple[str, ...], digest: str, many: bool = False
                    ) -> "LeakSearcher":
        """The searcher of these needles (named by `digest`): the last one made, if it is
        of them and as long as `many` texts to search want (see the class)."""
        beginning = cls.LONG if many else cls.SHORT
        if cls._last is None or cls._last[0] != digest or \
                cls._last[1].beginning < beginning:
            cls._last = (digest, cls(needles, addresses, site_prefixes, beginning))
        return cls._last[1]

    @classmethod
    def worth_long(cls, texts: int, needles: int) -> bool:
        """Is the long searcher worth making to search so many texts for so many needles?"""
        return texts >= needles * cls.TEXTS_PER_NEEDLE

    def first_in(self, text: str) -> str | None:
        """The fingerprint that starts first in `text` (of those starting at one place,
        the longest: the most of the text it names), or None."""
        if self.automaton is None:
            return None
        found: tuple[int, str] | None = None
        for group, start, end in self.automaton.find_matches_as_indexes(text,
                                                                          overlapping=True):
            if found is not None and end - self.beginning > found[0]:
                break  # (found in order of their end: none later starts before it)
            needle = self._longest_at(text, start, group)
            if needle is not None and (found is None or
                                       (start, -len(needle)) < (found[0], -len(found[1]))):
                found = (start, needle)
        return None if found is None else found[1]

    def _longest_at(self, text: str, start: int, group: int) -> str | None:
        """The longest of the group's needles that is in `text` at `start`, or None."""
        needles, low, high = self.needles, self.bounds[group], self.bounds[group + 1]
        if high - low == 1:
            candidates = [needles[low]]
        else:  # those that go on as the text does, for CHECK characters, and the shorter
            window = text[start:start + self.CHECK]
            candidates = self.shorter.get(group, [])[:]
            index = bisect.bisect_left(needles, window, low, high)
            while index < high and needles[index].startswith(window):
                candidates.append(needles[index])
                index += 1
        longest = None
        for needle in candidates:
            if (longest is None or len(needle) > len(longest)) and \
                    text.startswith(needle, start) and \
                    (needle not in self.addresses or self._address_at(text, start, needle)):
                longest = needle
        return longest

    def _address_at(self, text: str, start: int, needle: str) -> bool:
        """Is the members address found at `start` this site's, and whole? Not another
        site's (example.net/members/directory), not the start of a longer address
        (/members/keys.json), but one followed by a full stop or comma is."""
        end = start + len(needle)
        if end < len(text) and (_in_address(text[end]) or text[end] == "." and
                                end + 1 < len(text) and _in_address(text[end + 1])):
            return False
        before = text[start - 1] if start else " "
        return not before.isalnum() or \
            any(text.endswith(prefix, 0, start) for prefix in self.site_prefixes)


def _sorted_texts(texts: list[str]) -> list[str]:
    """The texts sorted, each once, without the empty one. The leak audit's are kept so
    (see LeakAudit): that is checked in C, and they are then not sorted again."""
    if all(map(operator.lt, texts, islice(texts, 1, None))):
        return texts[1:] if texts and not texts[0] else list(texts)
    return [text for text in sorted(set(texts)) if text]


def _in_address(character: str) -> bool:
    return character.isalnum() or character in "-_"


def _line_of(readable: str, needle: str) -> int:
    """The line of the file where a (normalised) match starts, as near as can be told."""
    probe = needle[:16]
    for number, line in enumerate(readable.split("\n"), start=1):
        if probe in searchable(line, digits=True):
            return number
    return 1

"""Every rule of the content model: a small broken site gets `path:line: field: message`,
exit status 1, and the previously built output stays exactly as it was."""
from __future__ import annotations

import pytest

# (id, file, text to replace, replacement, expected "file:line: field: message start")
CASES = [
    # centres
    ("centre-name-missing", "centres/oxhey.md", "name: Oxhey Children's Centre\n", "",
     "centres/oxhey.md:1: name: is required"),
    ("centre-unknown-field", "centres/oxhey.md", "summary:", "sumary:",
     "centres/oxhey.md:16: sumary: unknown field (did you mean 'summary'?)"),
    ("centre-field-with-no-name", "centres/oxhey.md", "summary:", '"": x\nsummary:',
     "centres/oxhey.md:16: (no name): a field with no name: write its name before the "
     "colon, or delete the line"),
    ("centre-field-with-no-name-as-a-block", "centres/oxhey.md", "summary:", "? |\nsummary:",
     "centres/oxhey.md:16: (no name): a field with no name"),
    ("centre-lead-agency-required-when-open", "centres/oxhey.md", "lead_agency: oxhey-trust\n",
     "", "centres/oxhey.md:1: lead_agency: is required when status is open"),
    ("centre-lead-agency-dangling", "centres/oxhey.md", "lead_agency: oxhey-trust",
     "lead_agency: oxhey-trst", "centres/oxhey.md:3: lead_agency: 'oxhey-trst' does not name "
     "a file in agencies/: there is no agencies/oxhey-trst.yaml (did you mean 'oxhey-trust'?)"),
    ("centre-district-missing", "centres/oxhey.md", "district: Watford\n", "",
     "centres/oxhey.md:1: district: is required"),
    ("centre-phase-out-of-range", "centres/oxhey.md", "phase: 2", "phase: 4",
     "centres/oxhey.md:5: phase: must be one of 1, 2 or 3, not 4"),
    ("centre-phase-not-number", "centres/oxhey.md", "phase: 2", "phase: two",
     "centres/oxhey.md:5: phase: must be a whole number, not 'two'"),
    ("centre-status-unknown", "centres/oxhey.md", "status: open", "status: opened",
     "centres/oxhey.md:6: status: 'opened' is not one of planned, open or closed; "
     "did you mean 'open'?"),
    ("centre-opening-date-required-when-open", "centres/oxhey.md", "opening_date: 2007-09-01\n",
     "", "centres/oxhey.md:1: opening_date: is required when status is open"),
    ("centre-opening-date-impossible", "centres/oxhey.md", "2007-09-01", "2006-02-30",
     "centres/oxhey.md:7: opening_date: '2006-02-30' is not a real date"),
    ("centre-opening-date-with-time", "centres/oxhey.md", "2007-09-01", "2007-09-01T09:00:00Z",
     "centres/oxhey.md:7: opening_date: must be a date without a time"),
    ("centre-address-missing", "centres/oxhey.md",
     "address:\n  street: 1 Bridlington Road\n  town: Watford\n  postcode: WD19 7AA\n", "",
     "centres/oxhey.md:1: address: is required"),
    ("centre-address-not-mapping", "centres/oxhey.md",
     "address:\n  street: 1 Bridlington Road\n  town: Watford\n  postcode: WD19 7AA\n",
     "address: 1 Bridlington Road, Watford\n",
     "centres/oxhey.md:8: address: must be 'field: value' lines, each on a line of its own, indented under it"),
    ("centre-address-town-missing", "centres/oxhey.md", "  town: Watford\n", "",
     "centres/oxhey.md:8: address.town: is required"),
    ("centre-postcode-invalid", "centres/oxhey.md", "WD19 7AA", "W1 XYZ",
     "centres/oxhey.md:11: address.postcode: 'W1 XYZ' is not a UK postcode"),
    ("centre-address-unknown-field", "centres/oxhey.md", "  town: Watford\n",
     "  town: Watford\n  county: Hertfordshire\n",
     "centres/oxhey.md:11: address.county: unknown field"),
    ("centre-location-out-of-range", "centres/oxhey.md", "services:",
     "location: {lat: 151.6, lon: -0.4}\nservices:",
     "centres/oxhey.md:12: location.lat: 151.6 is out of range"),
    ("centre-location-lon-missing", "centres/oxhey.md", "services:",
     "location: {lat: 51.6}\nservices:", "centres/oxhey.md:12: location.lon: is required"),
    ("centre-service-unknown", "centres/oxhey.md", "[early-education, health]",
     "[early-education, helth]", "centres/oxhey.md:12: services[1]: 'helth' is not one of "
     "early-education or health; did you mean 'health'?"),
    ("centre-services-missing", "centres/oxhey.md", "services: [early-education, health]\n", "",
     "centres/oxhey.md:1: services: is required"),
    ("centre-services-not-list", "centres/oxhey.md", "services: [early-education, health]",
     "services: health", "centres/oxhey.md:12: services: must be a list"),
    ("centre-hours-closes-before-opens", "centres/oxhey.md", 'closes: "17:00"',
     'closes: "08:00"', "centres/oxhey.md:14: opening_hours[0].closes: must be later than "
     "opens (09:00)"),
    ("centre-hours-unknown-day", "centres/oxhey.md", "thu, fri]", "thu, fry]",
     "centres/oxhey.md:14: opening_hours[0].days[4]: 'fry' is not one of mon, tue, wed, thu, "
     "fri, sat or sun; did you mean 'fri'?"),
    ("centre-hours-bad-time", "centres/oxhey.md", 'opens: "09:00"', 'opens: "9am"',
     "centres/oxhey.md:14: opening_hours[0].opens: '9am' is not a time"),
    ("centre-phone-invalid", "centres/oxhey.md", '"01632 960002"', '"12345"',
     "centres/oxhey.md:15: phone: '12345' is not a UK phone number"),
    ("centre-email-invalid", "centres/oxhey.md", "summary:", "email: oxhey.example.org\nsummary:",
     "centres/oxhey.md:16: email: 'oxhey.example.org' is not an e-mail address"),
    ("centre-website-not-web", "centres/oxhey.md", "summary:", "website: ftp://example.org/\n"
     "summary:", "centres/oxhey.md:16: website: 'ftp://example.org/' is not a web address"),
    ("centre-slug-field-invalid", "centres/oxhey.md", "summary:", "slug: Oxhey Centre\nsummary:",
     "centres/oxhey.md:16: slug: 'Oxhey Centre' is not a slug"),
    ("centre-draft-not-boolean", "centres/oxhey.md", "summary:", "draft: maybe\nsummary:",
     "centres/oxhey.md:16: draft: must be true or false, not 'maybe'"),
    ("centre-publish-date-without-zone", "centres/oxhey.md", "summary:",
     "publish_date: 2026-01-01T10:00:00\nsummary:",
     "centres/oxhey.md:16: publish_date: '2026-01-01T10:00:00' has no time zone"),
    ("centre-expires-not-date", "centres/oxhey.md", "summary:", "expires: soon\nsummary:",
     "centres/oxhey.md:16: expires: 'soon' is not a real date-time"),
    ("centre-extra-not-mapping", "centres/oxhey.md", "summary:", "extra: 5\nsummary:",
     "centres/oxhey.md:16: extra: must be 'field: value' lines"),
    ("centre-summary-multiline", "centres/oxhey.md", "summary: A centre for families in South "
     "Oxhey.", "summary: |\n  Two\n  lines", "centres/oxhey.md:16: summary: must be a single line"),
    # syntax and files
    ("front-matter-never-closed", "centres/oxhey.md", "summary: A centre for families in South "
     "Oxhey.\n---\n", "summary: x\n", "centres/oxhey.md:1: yaml: the front matter opened on "
     "line 1 is never closed"),
    ("front-matter-missing", "lessons/more-time.md", "---\ntitle", "title",
     "lessons/more-time.md:1: yaml: a content file must start with a '---' line"),
    ("yaml-unclosed-quote", "centres/oxhey.md", 'phone: "01632 960002"', 'phone: "01632 960002',
     "centres/oxhey.md:15: yaml: YAML syntax error"),
    ("yaml-tab-indent", "centres/oxhey.md", "  town: Watford", "\ttown: Watford",
     "centres/oxhey.md:10: yaml: YAML syntax error: tabs cannot indent YAML; use spaces"),
    ("yaml-colon-in-value", "lessons/more-time.md", "title: Allow more time",
     "title: Lesson: allow more time", "lessons/more-time.md:2: yaml: YAML syntax error: "
     "a value contains ': ' (put the whole value in quotes)"),
    ("yaml-anchor", "centres/oxhey.md", "district: Watford", "district: &d Watford",
     "centres/oxhey.md:4: yaml: YAML anchors (&name) are not allowed"),
    ("yaml-alias", "agencies/oxhey-trust.yaml", "about: A community trust.",
     "about: *x", "agencies/oxhey-trust.yaml:9: yaml: YAML aliases (*name) are not allowed"),
    ("yaml-python-tag", "centres/oxhey.md", "district: Watford",
     "district: !!python/object/apply:os.system [ls]",
     "centres/oxhey.md:4: yaml: YAML tags (!tag) are not allowed"),
    ("yaml-duplicate-key", "centres/oxhey.md", "district: Watford",
     "district: Watford\ndistrict: Three Rivers",
     "centres/oxhey.md:5: yaml: the field 'district' is given twice (first on line 4): keep one of them"),
    ("front-matter-not-mapping", "lessons/more-time.md", "---\ntitle: Allow more time\n"
     "summary: Small organisations needed more time to bid.\norder: 1\n---",
     "---\n- a list\n---", "lessons/more-time.md:2: yaml: the front matter must be"),
    # agencies
    ("agency-name-missing", "agencies/oxhey-trust.yaml", "name: Oxhey Community Trust\n", "",
     "agencies/oxhey-trust.yaml:1: name: is required"),
    ("agency-sector-unknown", "agencies/oxhey-trust.yaml", "sector: voluntary",
     "sector: charity", "agencies/oxhey-trust.yaml:2: sector: 'charity' is not one of private, "
     "voluntary, independent, school or statutory"),
    ("agency-website-invalid", "agencies/oxhey-trust.yaml", "https://example.org/",
     "example.org", "agencies/oxhey-trust.yaml:3: website: 'example.org' is not a web address"),
    ("agency-contact-unreachable", "agencies/oxhey-trust.yaml",
     '  phone: "01632 960001"\n  email: jane@example.org\n', "",
     "agencies/oxhey-trust.yaml:4: contact.email: give an email or a phone"),
    ("agency-contact-name-missing", "agencies/oxhey-trust.yaml", "  name: Jane Example\n", "",
     "agencies/oxhey-trust.yaml:4: contact.name: is required"),
    ("agency-unknown-field", "agencies/oxhey-trust.yaml", "about:", "abut:",
     "agencies/oxhey-trust.yaml:9: abut: unknown field (did you mean 'about'?)"),
    # opportunities
    ("opportunity-title-missing", "opportunities/oxhey-eoi.md", "title: Lead agency for Oxhey\n",
     "", "opportunities/oxhey-eoi.md:1: title: is required"),
    ("opportunity-kind-unknown", "opportunities/oxhey-eoi.md", "kind: expression-of-interest",
     "kind: tendr", "opportunities/oxhey-eoi.md:4: kind: 'tendr' is not one of "
     "expression-of-interest, tender or grant; did you mean 'tender'?"),
    ("opportunity-status-unknown", "opportunities/oxhey-eoi.md", "status: active",
     "status: open", "opportunities/oxhey-eoi.md:5: status: 'open' is not one of planning, "
     "active, complete or cancelled"),
    ("opportunity-published-missing", "opportunities/oxhey-eoi.md", "published: 2026-11-02\n",
     "", "opportunities/oxhey-eoi.md:1: published: is required"),
    ("opportunity-deadline-required", "opportunities/oxhey-eoi.md",
     "deadline: 2027-01-29T12:00:00Z\n", "", "opportunities/oxhey-eoi.md:1: deadline: is "
     "required unless status is planning"),
    ("opportunity-deadline-without-zone", "opportunities/oxhey-eoi.md", "2027-01-29T12:00:00Z",
     "2027-01-29T12:00:00", "opportunities/oxhey-eoi.md:7: deadline: '2027-01-29T12:00:00' has "
     "no time zone"),
    ("opportunity-deadline-date-only", "opportunities/oxhey-eoi.md", "2027-01-29T12:00:00Z",
     "2027-01-29", "opportunities/oxhey-eoi.md:7: deadline: needs a time and a zone"),
    ("opportunity-deadline-before-published", "opportunities/oxhey-eoi.md",
     "2027-01-29T12:00:00Z", "2026-11-01T12:00:00Z", "opportunities/oxhey-eoi.md:7: deadline: "
     "must be later than the start of the published day (2026-11-02)"),
    ("opportunity-value-negative", "opportunities/oxhey-eoi.md", "eligible_sectors:",
     "value: {amount: -5, currency: GBP}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.amount: must be 0 or more"),
    ("opportunity-value-currency", "opportunities/oxhey-eoi.md", "eligible_sectors:",
     "value: {amount: 5, currency: EUR}\neligible_sectors:",
     "opportunities/oxhey-eoi.md:8: value.currency: 'EUR' is not one of GBP"),
    ("opportunity-sector-unknown", "opportunities/oxhey-eoi.md", "[voluntary, school]",
     "[voluntary, charity]", "opportunities/oxhey-eoi.md:8: eligible_sectors[1]: 'charity'"),
    ("opportunity-sectors-missing", "opportunities/oxhey-eoi.md",
     "eligible_sectors: [voluntary, school]\n", "",
     "opportunities/oxhey-eoi.md:1: eligible_sectors: is required"),
    ("opportunity-centre-dangling", "opportunities/oxhey-eoi.md", "centres: [oxhey]",
     "centres: [oxhay]", "opportunities/oxhey-eoi.md:9: centres[0]: 'oxhay' does not name a "
     "file in centres/: there is no centres/oxhay.md (did you mean 'oxhey'?)"),
    ("opportunity-document-missing-media", "opportunities/oxhey-eoi.md", "media/pack.pdf",
     "media/pak.pdf", "opportunities/oxhey-eoi.md:11: documents[0].url: 'media/pak.pdf' is not "
     "a file in content/media/"),
    ("opportunity-document-escapes-media", "opportunities/oxhey-eoi.md", "media/pack.pdf",
     "media/../site.yaml", "opportunities/oxhey-eoi.md:11: documents[0].url: "
     "'media/../site.yaml' is not a file in content/media/"),
    ("opportunity-document-javascript-url", "opportunities/oxhey-eoi.md", "media/pack.pdf",
     "javascript:alert(1)", "opportunities/oxhey-eoi.md:11: documents[0].url: "
     "'javascript:alert(1)' must be a whole web address"),
    ("opportunity-document-title-missing", "opportunities/oxhey-eoi.md",
     "title: Information pack, ", "", "opportunities/oxhey-eoi.md:11: documents[0].title: "
     "is required"),
    ("opportunity-enquiries-unreachable", "opportunities/oxhey-eoi.md",
     "  email: commissioning@example.org\n", "",
     "opportunities/oxhey-eoi.md:12: enquiries.email: give an email or a phone"),
    ("opportunity-enquiries-missing", "opportunities/oxhey-eoi.md",
     "enquiries:\n  name: Commissioning team\n  email: commissioning@example.org\n", "",
     "opportunities/oxhey-eoi.md:1: enquiries: is required"),
    # lessons, news, pages
    ("lesson-summary-missing", "lessons/more-time.md",
     "summary: Small organisations needed more time to bid.\n", "",
     "lessons/more-time.md:1: summary: is required"),
    ("lesson-order-not-number", "lessons/more-time.md", "order: 1", "order: first",
     "lessons/more-time.md:4: order: must be a whole number, not 'first'"),
    ("lesson-tags-not-list", "lessons/more-time.md", "order: 1", "order: 1\ntags: bidding",
     "lessons/more-time.md:5: tags: must be a list"),
    ("news-date-missing", "news/centres-open.md", "date: 2008-04-01\n", "",
     "news/centres-open.md:1: date: is required"),
    ("news-date-impossible", "news/centres-open.md", "2008-04-01", "2008-13-01",
     "news/centres-open.md:3: date: '2008-13-01' is not a real date"),
    ("news-broken-internal-link", "news/centres-open.md", "/centres/oxhey/", "/centres/oxhay/",
     "news/centres-open.md:6: link: '/centres/oxhay/' does not lead to a page or file"),
    # the page it is most like offered (an editor's review: '/centres/apsley/' for
    # '/centres/hemel-apsley/'), and none when nothing is like it
    ("news-broken-internal-link-near-a-page", "news/centres-open.md", "/centres/oxhey/",
     "/centres/oxhay/", "news/centres-open.md:6: link: '/centres/oxhay/' does not "
     "lead to a page or file of the site; did you mean '/centres/oxhey/'? (linked from "),
    ("news-broken-internal-link-like-no-page", "news/centres-open.md", "/centres/oxhey/",
     "/nothing-like-it/", "news/centres-open.md:6: link: '/nothing-like-it/' does not "
     "lead to a page or file of the site (linked from "),
    ("news-link-without-leading-slash", "news/centres-open.md", "/centres/oxhey/",
     "centres/oxhey/", "news/centres-open.md:6: link: 'centres/oxhey/' is taken from this "
     "page's address, so it leads to '/news/centres-open/centres/oxhey/', which is not a page "
     "or file of the site; write the site path, '/centres/oxhey/'"),
    ("news-link-to-www-without-https", "news/centres-open.md", "/centres/oxhey/",
     "www.example.org", "news/centres-open.md:6: link: 'www.example.org' is not a web "
     "address: write https://www.example.org"),
    ("news-full-address-on-the-site-broken", "news/centres-open.md", "/centres/oxhey/",
     "https://cc.example.org/centres/oxhay/",
     "news/centres-open.md:6: link: '/centres/oxhay/' does not lead to a page or file"),
    ("news-full-address-on-the-site-over-http-broken", "news/centres-open.md",
     "/centres/oxhey/", "http://CC.example.org/centres/oxhay/",
     "news/centres-open.md:6: link: '/centres/oxhay/' does not lead to a page or file"),
    ("news-address-on-the-site-without-scheme-broken", "news/centres-open.md",
     "/centres/oxhey/", "//cc.example.org/centres/oxhay/",
     "news/centres-open.md:6: link: '/centres/oxhay/' does not lead to a page or file"),
    ("page-nav-order-not-number", "pages/about.md", "nav_order: 1", "nav_order: one",
     "pages/about.md:3: nav_order: must be a whole number, not 'one'"),
    ("page-slug-reserved", "pages/about.md", "nav_order: 1", "nav_order: 1\nslug: centres",
     "pages/about.md:4: slug: 'centres' is the address of a section of the site"),
    # members
    ("good-practice-agency-dangling", "members/good-practice/dads-group.md",
     "agency: oxhey-trust", "agency: nobody", "members/good-practice/dads-group.md:4: agency: "
     "'nobody' does not name a file in agencies/"),
    ("good-practice-author-missing", "members/good-practice/dads-group.md",
     "author: Sam Example\n", "", "members/good-practice/dads-group.md:1: author: is required"),
    ("directory-unreachable", "members/directory.yaml", "  email: sam@example.org\n", "",
     "members/directory.yaml:1: directory[0].email: give an email or a phone"),
    ("directory-agency-dangling", "members/directory.yaml", "agency: oxhey-trust",
     "agency: nobody", "members/directory.yaml:3: directory[0].agency: 'nobody' does not "
     "name a file"),
    ("directory-not-list", "members/directory.yaml", "- name: Sam Example\n  role: Centre "
     "manager\n  agency: oxhey-trust\n  email: sam@example.org\n  topics: [dads]\n",
     "name: Sam Example\n", "members/directory.yaml:1: directory: must be a list"),
    # site.yaml
    ("site-title-missing", "site.yaml", "title: Test Children's Centres\n", "",
     "site.yaml:1: title: is required"),
    ("site-base-url-no-slash", "site.yaml", "https://cc.example.org/", "https://cc.example.org",
     "site.yaml:2: base_url: 'https://cc.example.org' must be an absolute http(s) address "
     "ending in /"),
    ("site-base-url-relative", "site.yaml", "https://cc.example.org/", "/children/",
     "site.yaml:2: base_url: '/children/' must be an absolute http(s) address"),
    ("site-organisation-phone", "site.yaml", '"01632 960000"', '"call us"',
     "site.yaml:6: organisation.phone: 'call us' is not a UK phone number"),
    ("site-service-type-key", "site.yaml", "  health:", "  Health Services:",
     "site.yaml:10: service_types.Health Services: a service type key must be lower-case"),
    ("site-target-count-negative", "site.yaml", "centres: 1,", "centres: -1,",
     "site.yaml:13: programme.targets[0].centres: must be 0 or more, not -1"),
    ("site-milestone-date-missing", "site.yaml", "{date: 2006-01-09, ", "{",
     "site.yaml:15: programme.milestones[0].date: is required"),
    ("site-protection-unknown", "site.yaml", "protection: server", "protection: password",
     "site.yaml:18: members.protection: 'password' is not one of server or encrypt"),
    ("site-unknown-field", "site.yaml", "language:", "langauge:",
     "site.yaml:3: langauge: unknown field (did you mean 'language'?)"),
]


@pytest.mark.parametrize("name, rel, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_content_mistake_is_reported_precisely(site, name, rel, old, new, expected):
    assert site.build().status == 0
    before = site.snapshot()
    site.edit(rel, old, new)
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/{expected}" in result.err.splitlines()[0] + "\n" + result.err
    assert "Traceback" not in result.err
    assert site.snapshot() == before


def _first_error(result) -> str:
    return result.err.splitlines()[0]


def test_duplicate_slug_points_at_later_file_naming_earlier(site):
    site.write("centres/zz-other.md", (site.content / "centres/oxhey.md").read_text()
               .replace("summary:", "slug: oxhey\nsummary:"))
    result = site.build()
    assert result.status == 1
    assert _first_error(result) == (
        f"{site.content}/centres/zz-other.md:16: slug: the centre address 'oxhey' is already "
        f"used by {site.content}/centres/oxhey.md; choose another slug")


def test_a_shared_reference_is_told_at_each_file_that_has_it(site):
    """Not only at the later by name: the web editor showed it at the untouched one."""
    site.write("opportunities/zz-second.md", (site.content / "opportunities/oxhey-eoi.md")
               .read_text())
    result = site.build()
    assert result.status == 1
    for rel, other in (("oxhey-eoi", "zz-second"), ("zz-second", "oxhey-eoi")):
        assert (f"{site.content}/opportunities/{rel}.md:3: reference: 'HCC-1' is also the "
                f"reference of {site.content}/opportunities/{other}.md; each opportunity "
                "needs its own") in result.err


def test_file_name_that_is_not_a_slug_is_rejected(site):
    site.write("lessons/More Time.md", (site.content / "lessons/more-time.md").read_text())
    result = site.build()
    assert result.status == 1
    assert _first_error(result).startswith(
        f"{site.content}/lessons/More Time.md:1: slug: the file name 'More Time.md' must be")


def test_free_page_file_named_like_a_section_is_rejected(site):
    site.write("pages/news.md", "---\ntitle: News\n---\n")
    result = site.build()
    assert _first_error(result).startswith(
        f"{site.content}/pages/news.md:1: file: 'news' is the address of a section")


# a file the content model has no place for, and what the build says of it: /admin/ is
# the web editor's (in the preview server always, on the published site with `editor:`),
# so a page there would be replaced by it without a word; a document dropped into a
# section is pointed to media/
MISPLACED = {
    "a page named admin": ("pages/admin.md", "---\ntitle: Admin information\n---\nBody.\n",
                           "pages/admin.md:1: file: 'admin' is the address of a section"),
    "a document in a section": (
        "news/leaflet.pdf", b"%PDF-1.4 leaflet",
        "news/leaflet.pdf:1: file: 'leaflet.pdf' is not a .md file, so it cannot be read as "
        "part of news/; a picture or document to publish goes in media/"),
    "a text file in a section": ("centres/notes.txt", "to do",
                                 "centres/notes.txt:1: file: 'notes.txt' is not a .md file"),
}


@pytest.mark.parametrize("case", sorted(MISPLACED))
def test_a_file_the_content_model_has_no_place_for_is_refused(site, case):
    rel, text, said = MISPLACED[case]
    site.write(rel, text)
    result = site.build()
    assert result.status == 1
    assert _first_error(result).startswith(f"{site.content}/{said}")


def test_editor_backup_files_are_ignored(site):
    site.write("centres/.oxhey.md.swp", b"\x00\x01binary")
    site.write("centres/oxhey.md~", "old copy")
    assert site.build().status == 0


def test_file_that_is_not_utf8_names_the_line(site):
    site.write("lessons/more-time.md", "---\ntitle: Allow more time\nsummary: caf\xe9\n---\n"
               .encode("latin-1"))
    result = site.build()
    assert _first_error(result) == (
        f"{site.content}/lessons/more-time.md:3: file: is not UTF-8 text (the '\xe9' on this "
        "line is in Windows' own encoding, as Notepad or Word may save it); save it as UTF-8 "
        "(in the editor's 'Save as', choose the encoding UTF-8)")


def test_missing_site_yaml_is_reported(site):
    site.remove("site.yaml")
    result = site.build()
    assert result.status == 1
    assert _first_error(result).startswith(f"{site.content}/site.yaml:1: file: the site "
                                           "settings file is missing")


def test_symlink_leaving_the_content_folder_is_rejected(site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: x\nsummary: y\n---\n")
    (site.content / "lessons" / "linked.md").symlink_to(secret)
    result = site.build()
    assert _first_error(result).startswith(
        f"{site.content}/lessons/linked.md:1: file: links to a place outside the content folder")


def test_all_mistakes_are_reported_together_sorted(site):
    site.edit("news/centres-open.md", "date: 2008-04-01\n", "")
    site.edit("centres/oxhey.md", "phase: 2", "phase: 9")
    site.edit("centres/oxhey.md", "status: open", "status: opened")
    result = site.build()
    errors = [line for line in result.err.splitlines() if line.startswith(str(site.content))]
    assert errors == [
        f"{site.content}/centres/oxhey.md:5: phase: must be one of 1, 2 or 3, not 9",
        f"{site.content}/centres/oxhey.md:6: status: 'opened' is not one of planned, open or "
        "closed; did you mean 'open'?",
        f"{site.content}/news/centres-open.md:1: date: is required",
    ]
    assert result.err.splitlines()[-1].startswith("3 mistakes found; nothing was changed")


def test_accepted_variants_build(site):
    """A byte-order mark, Windows line ends, non-ASCII text, an empty body, +44 numbers,
    a lower-case postcode and a quoted date-time are all fine."""
    text = (site.content / "centres/oxhey.md").read_text()
    text = text.replace('"01632 960002"', '"+44 1632 960002"').replace("WD19 7AA", "wd197aa")
    text = text.replace("Oxhey Children's Centre", "Ōxhey Children’s Centre")
    text = text.split("---\n", 2)
    site.write("centres/oxhey.md", ("\ufeff---\n" + text[1] + "---\n").replace("\n", "\r\n"))
    site.edit("opportunities/oxhey-eoi.md", "2027-01-29T12:00:00Z", '"2027-01-29T12:00:00+00:00"')
    result = site.build()
    assert result.status == 0, result.err
    page = site.page("/centres/oxhey/")
    assert "Ōxhey Children’s Centre" in page
    assert "WD19 7AA" in page
    assert 'href="tel:+441632960002"' in page
    assert "01632 960002" in page


def test_an_amount_without_its_currency_is_in_pounds_as_documented(site):
    """docs/content-model.md gives value.currency a default (GBP): leaving it out is not
    a mistake, and the amount is shown, and exported, in pounds."""
    site.edit("opportunities/oxhey-eoi.md", "eligible_sectors:",
              "value:\n  amount: 250000\neligible_sectors:")
    result = site.build()
    assert result.status == 0, result.err
    assert "£250,000" in site.text("/opportunities/oxhey-eoi/")
    import json
    package = json.loads((site.output / "public/data/opportunities.json").read_text())
    assert package["releases"][0]["tender"]["value"] == {"amount": 250000, "currency": "GBP"}


GITHUB_EDITOR = "editor:\n  backend: github\n  repo: council/cc\n"
GITEA_EDITOR = ("editor:\n  backend: gitea\n  repo: council/cc\n  app_id: abc123\n"
                "  base_url: https://git.example.org\n"
                "  api_root: https://git.example.org/api/v1\n")


@pytest.mark.parametrize("section, expected", [
    ("editor:\n  backend: github\n  repo: council\n  base_url: https://auth.example.org/\n",
     "site.yaml:21: editor.repo: 'council' must be the repository as owner/name on GitHub"),
    (GITHUB_EDITOR, "site.yaml:19: editor.base_url: is required for GitHub: the address of "
     "your OAuth server"),
    ("editor:\n  backend: gitlab\n  repo: council/cc\n",
     "site.yaml:19: editor.app_id: is required for GitLab: the id of the OAuth application"),
    (GITEA_EDITOR.replace("  app_id: abc123\n", ""),
     "site.yaml:19: editor.app_id: is required for Gitea"),
    (GITEA_EDITOR.replace("  base_url: https://git.example.org\n", ""),
     "site.yaml:19: editor.base_url: is required for Gitea: the address of your Gitea server"),
    (GITEA_EDITOR.replace("  api_root: https://git.example.org/api/v1\n", ""),
     "site.yaml:19: editor.api_root: is required for Gitea: the address of its API"),
    (GITEA_EDITOR + "  editorial_workflow: true\n",
     "site.yaml:25: editor.editorial_workflow: Decap has no editorial workflow for Gitea"),
], ids=["repo-not-owner-name", "github-without-base-url", "gitlab-without-app-id",
        "gitea-without-app-id", "gitea-without-base-url", "gitea-without-api-root",
        "gitea-with-editorial-workflow"])
def test_an_editor_section_that_cannot_sign_anyone_in_is_a_mistake(site, section, expected):
    """What each Git host needs (README: "The editor on the published site") is checked
    by the build, not found out as a failed sign-in on /admin/."""
    site.write("site.yaml", (site.content / "site.yaml").read_text() + section)
    result = site.build()
    assert result.status == 1
    assert f"{site.content}/{expected}" in result.err


@pytest.mark.parametrize("section", [
    GITHUB_EDITOR + "  base_url: https://auth.example.org/\n",
    "editor:\n  backend: gitlab\n  repo: council/early-years/cc\n  app_id: abc123\n",
    GITEA_EDITOR])
def test_an_editor_section_with_what_its_host_needs_builds(site, section):
    site.write("site.yaml", (site.content / "site.yaml").read_text() + section)
    result = site.build()
    assert result.status == 0, result.err

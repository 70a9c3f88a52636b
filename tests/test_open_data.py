"""The sample site's open data, read back as its users will: validated against the published
standards it claims to follow (Open Referral UK 3.0 and its API description, OCDS 1.1) with
the `jsonschema` library, and the CSV read with `csv.DictReader`.

The schemas come from ../shared/schemas/ when that folder exists, else from the copies in
tests/schemas/ (see the README there for their sources and licences).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from ccsite.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-25T12:00:00Z"
LATER = "2027-02-01T09:00:00Z"  # after the recommissioning deadline: pages change, data not


def _schema_folder() -> Path:
    shared = Path(__file__).resolve().parents[2] / "shared" / "schemas"
    return shared if shared.is_dir() else Path(__file__).resolve().parents[1] / "tests" / "schemas"


SCHEMAS = _schema_folder()
# Where the ORUK documents are published: openapi.json refers to the compiled schemas by
# these addresses, and our index.json gives the first as `openapi_url`.
ORUK_OPENAPI = ("https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/"
                "schema/openapi.json")
ORUK_COMPILED = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/"
ROOT_RESPONSE = ORUK_OPENAPI + "#/paths/~1/get/responses/200/content/application~1json/schema"
SERVICES_RESPONSE = (ORUK_OPENAPI + "#/paths/~1services/get/responses/200/content/"
                     "application~1json/schema")
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page",
               "last_page", "empty")

# Formats are checked here rather than by optional plug-ins of jsonschema, so the tests
# check the same things on every machine.
FORMATS = FormatChecker()
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc) and not re.search(r"\s", value)


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # ValueError on 2027-02-30
    return True


# -- building and reading ---------------------------------------------------------------

def build(folder: Path, now: str = NOW) -> Path:
    """A copy of the sample in `folder`, built there with its own cache."""
    from pagetypes import copy_sample

    status = main(["build", "--source", str(copy_sample(folder)), "--output",
                   str(folder / "_site"), "--now", now, "--quiet"])
    assert status == 0, "the sample site must build"
    return folder / "_site" / "public"


@pytest.fixture(scope="module")
def public(sample_build) -> Path:
    return sample_build / "public"  # built at NOW


def read_json(path: Path) -> Any:
    assert path.is_file(), f"{path} was not written"
    return json.loads(path.read_text(encoding="utf-8"))


def schema(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def centre_pages(public: Path) -> list[Path]:
    return sorted(p for p in (public / "centres").iterdir() if (p / "index.html").is_file())


def service_files(public: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((public / "data/oruk/services").glob("*.json"))}


def front_matter(path: Path) -> dict[str, Any]:
    """A content file's front matter, every value as the editor typed it (a string)."""
    text = path.read_text(encoding="utf-8")
    return yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)


def problems(validator: Validator, instance: Any) -> str:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return "\n".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
                     for e in errors[:20])


# -- validators -------------------------------------------------------------------------

def oruk_registry() -> Registry:
    documents = {ORUK_OPENAPI: schema("oruk/openapi.json"),
                 ORUK_COMPILED + "service.json": schema("oruk/service.json"),
                 ORUK_COMPILED + "service_list.json": schema("oruk/service_list.json")}
    return Registry().with_resources(
        (uri, DRAFT202012.create_resource(document)) for uri, document in documents.items())


def oruk_validator(target: dict[str, Any]) -> Validator:
    """ORUK's schemas are JSON Schema 2020-12 (the openapi document's jsonSchemaDialect)."""
    return Draft202012Validator(target, registry=oruk_registry(), format_checker=FORMATS)


def phone_validator() -> Validator:
    """HSDS's phone, as ORUK defines it (the profile attaches it to nothing; we do)."""
    definition = schema("oruk/service_with_definitions.json")["definitions"]["phone"]
    return Draft202012Validator(definition, format_checker=FORMATS)


def ocds_validator() -> Validator:
    """A release package, its releases resolved to the local release schema (draft 4)."""
    package = schema("ocds-1.1/release-package-schema.json")
    release_uri = package["properties"]["releases"]["items"]["$ref"]
    registry = Registry().with_resource(
        release_uri, DRAFT4.create_resource(schema("ocds-1.1/release-schema.json")))
    return Draft4Validator(package, registry=registry, format_checker=FORMATS)


def test_validators_reject_broken_records():
    """The set-up above must not pass everything: each validator catches a planted fault."""
    bad_service = {"id": "not-a-uuid", "name": "X", "status": "open"}
    assert problems(oruk_validator(schema("oruk/service.json")), bad_service)
    assert problems(oruk_validator({"$ref": SERVICES_RESPONSE}),
                    {"total_items": "1", "contents": [{"id": "x"}]})
    assert problems(oruk_validator({"$ref": ROOT_RESPONSE}), {"profile": "not a uri"})
    assert problems(phone_validator(), {"id": "8d456a9f-ba37-523f-936f-cf4f0e179683"})
    bad_release = {"ocid": "ocds-x-1", "id": "1", "date": "2026-11-02", "tag": ["tender"],
                   "initiationType": "tender", "tender": {"id": "1", "status": "open"}}
    assert problems(ocds_validator(), {"uri": "https://example.org/p.json", "version": "1.1",
                                       "publishedDate": "2026-11-02T00:00:00Z",
                                       "publisher": {"name": "X"}, "releases": [bad_release]})


# -- Open Referral UK -------------------------------------------------------------------

def test_oruk_root_answers_as_the_openapi_document_says(public):
    root = read_json(public / "data/oruk/index.json")
    assert not problems(oruk_validator({"$ref": ROOT_RESPONSE}), root)
    assert root["version"] == "3.0"
    assert root["openapi_url"] == ORUK_OPENAPI
    assert urlsplit(root["profile"]).scheme == "https"


def test_services_is_one_page_listing_every_centre(public):
    page = read_json(public / "data/oruk/services.json")
    assert not problems(oruk_validator({"$ref": SERVICES_RESPONSE}), page)
    item_validator = oruk_validator(schema("oruk/service_list.json"))
    for item in page["contents"]:
        assert not problems(item_validator, item), item["name"]

    count = len(centre_pages(public))
    assert count > 0
    assert {field: page[field] for field in PAGE_FIELDS} == {
        "total_items": count, "total_pages": 1, "page_number": 1, "size": count,
        "first_page": True, "last_page": True, "empty": False}
    assert len(page["contents"]) == count
    assert len({item["id"] for item in page["contents"]}) == count
    for item in page["contents"]:  # each points at its centre's page, which exists
        path = urlsplit(item["url"]).path
        assert (public / path.strip("/") / "index.html").is_file(), item["url"]


def test_centre_statuses_map_to_oruk_statuses(public):
    statuses = {}
    for item in read_json(public / "data/oruk/services.json")["contents"]:
        slug = urlsplit(item["url"]).path.strip("/").split("/")[-1]
        statuses[slug] = item["status"]
    assert statuses["hemel-apsley"] == "active"
    assert statuses["royston-childrens-centre"] == "inactive"  # planned
    assert statuses["ware-priors-wood"] == "defunct"  # closed


def test_every_service_file_is_a_valid_fully_nested_service(public):
    listed = [item["id"] for item in read_json(public / "data/oruk/services.json")["contents"]]
    files = service_files(public)
    assert sorted(files) == sorted(listed)
    validator = oruk_validator(schema("oruk/service.json"))
    phones = phone_validator()
    own_ids: list[str] = []  # ids of records that belong to one service only
    for service_id, path in files.items():
        service = read_json(path)
        assert not problems(validator, service), path.name
        assert service["id"] == service_id
        for phone in [*service.get("phones", []),
                      *(p for c in service.get("contacts", []) for p in c.get("phones", []))]:
            assert not problems(phones, phone), path.name
        own_ids += [service["id"], *(s["id"] for s in service.get("schedules", [])),
                    *(c["id"] for c in service.get("contacts", []))]
        for at in service["service_at_locations"]:
            own_ids += [at["id"], at["location"]["id"],
                        *(a["id"] for a in at["location"].get("addresses", []))]
    assert len(own_ids) == len(set(own_ids))


def test_an_open_centre_has_its_schedule_address_organisation_and_services(public):
    services = {read_json(p)["name"]: read_json(p) for p in service_files(public).values()}
    apsley = services["Apsley Children's Centre"]
    assert apsley["schedules"][0] == {
        "id": apsley["schedules"][0]["id"], "service_id": apsley["id"], "freq": "WEEKLY",
        "byday": "MO,TU,WE,TH,FR", "description": "Opening hours: Monday to Friday: 8am to 6pm",
        "opens_at": "08:00", "closes_at": "18:00"}
    address = apsley["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["address_1"], address["city"], address["postal_code"],
            address["country"]) == ("London Road, Apsley", "Hemel Hempstead", "HP3 9SD", "GB")
    assert apsley["organization"]["name"] == "Sunflower Day Nurseries Ltd"
    assert apsley["organization_id"] == apsley["organization"]["id"]
    assert [a["taxonomy_term"]["term"] for a in apsley["attributes"]] == [
        "early-education", "family-support", "employment"]
    assert apsley["phones"][0]["number"] == "01632 960267"
    royston = services["Royston Children's Centre"]  # planned: no lead agency yet
    assert "organization" not in royston and "organization_id" not in royston


# -- OCDS -------------------------------------------------------------------------------

def test_opportunities_are_a_valid_ocds_release_package(public):
    package = read_json(public / "data/opportunities.json")
    assert not problems(ocds_validator(), package)
    opportunities = sorted((ROOT / "content/opportunities").glob("*.md"))
    assert len(package["releases"]) == len(opportunities)
    ocids = [r["ocid"] for r in package["releases"]]
    assert len(set(ocids)) == len(ocids)
    assert all(ocid.startswith("ocds-abc123-hcc-") for ocid in ocids)  # site.yaml's prefix
    # the latest thing told: a notice published, a question answered or an outcome
    told = [str(d) for p in opportunities for d in (
        front_matter(p)["published"], *(q["date"] for q in
                                        front_matter(p).get("clarifications", [])),
        front_matter(p).get("outcome", {}).get("date", "2000-01-01"))]
    assert package["publishedDate"].startswith(max(told) + "T00:00:00")


def test_an_active_opportunity_closes_at_its_deadline(public):
    releases = {r["tender"]["id"]: r for r in read_json(public / "data/opportunities.json")
                ["releases"]}
    active = [front_matter(p) for p in sorted((ROOT / "content/opportunities").glob("*.md"))]
    active = [o for o in active if o["status"] == "active"]
    assert active
    for opportunity in active:
        tender = releases[opportunity["reference"]]["tender"]
        assert tender["status"] == "active"
        end = dt.datetime.fromisoformat(tender["tenderPeriod"]["endDate"])
        assert end == dt.datetime.fromisoformat(opportunity["deadline"])
        start = dt.datetime.fromisoformat(tender["tenderPeriod"]["startDate"])
        assert start.date().isoformat() == opportunity["published"]


# -- CSV ----------------------------------------------------------------------------------

def test_centres_csv_has_a_header_and_one_row_per_centre(public):
    with open(public / "data/centres.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames
    assert header is not None
    assert {"Name", "Status", "District", "Postcode", "Telephone", "Lead agency", "Services",
            "Opening hours", "Latitude", "Longitude", "Page"} <= set(header)
    assert len(rows) == len(centre_pages(public))
    assert all(None not in row and None not in row.values() for row in rows)  # no ragged rows
    assert {row["Open Referral ID"] for row in rows} == set(service_files(public))
    apsley = next(row for row in rows if row["Name"] == "Apsley Children's Centre")
    assert apsley["Services"] == ("Early education and childcare; Family support and "
                                  "outreach; Links to training and employment")
    assert apsley["Opening hours"] == "Monday to Friday: 8am to 6pm"
    assert apsley["Page"] == "https://childrenscentres.example.org/centres/hemel-apsley/"


def test_centres_csv_text_that_starts_like_a_formula_is_kept_as_text(site):
    """A spreadsheet runs a cell that starts with = + - or @ ("CSV injection"): such text
    is written after an apostrophe, which spreadsheets take as 'this is text'; numbers,
    such as a longitude west of Greenwich, are left as they are."""
    site.edit("centres/oxhey.md", "name: Oxhey Children's Centre",
              "name: '=HYPERLINK(\"https://evil.example/\",\"Oxhey\")'")
    site.edit("centres/oxhey.md", "district: Watford", "district: '@SUM(A1:A9)'")
    site.edit("centres/oxhey.md", "services:", "location: {lat: 51.63, lon: -0.41}\nservices:")
    assert site.build().status == 0
    with open(site.output / "public/data/centres.csv", encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["Name"] == "'=HYPERLINK(\"https://evil.example/\",\"Oxhey\")"
    assert row["District"] == "'@SUM(A1:A9)"
    assert row["Longitude"] == "-0.41"
    geojson = json.loads((site.output / "public/data/centres.geojson").read_text())
    assert geojson["features"][0]["properties"]["Name"].startswith("=HYPERLINK")  # (data)


# -- stability ------------------------------------------------------------------------------

def data_files(public: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted((public / "data").rglob("*")):
        if path.is_file():
            yield path.relative_to(public).as_posix(), path.read_bytes()


def test_ids_and_files_are_the_same_on_every_build(public, tmp_path_factory):
    """Ids come from the content, never from the clock: a later build (whose pages do
    change: the recommissioning deadline has passed) writes the same data files."""
    again = build(tmp_path_factory.mktemp("open-data-again"), now=LATER)
    assert dict(data_files(again)) == dict(data_files(public))
    first = [i["id"] for i in read_json(public / "data/oruk/services.json")["contents"]]
    second = [i["id"] for i in read_json(again / "data/oruk/services.json")["contents"]]
    assert first == second


# -- the /data/ page ------------------------------------------------------------------------

def test_data_page_explains_and_links_every_file(public):
    page = (public / "data/index.html").read_text(encoding="utf-8")
    assert page.count("<h1") == 1
    for path in ("data/centres.csv", "data/oruk/services.json", "data/oruk/index.json",
                 "data/opportunities.json"):
        assert f'href="/{path}"' in page
        assert (public / path).is_file()
    assert "Open Government Licence v3.0" in page
    assert "updated whenever the site is published" in page
    assert 'id="service-type-early-education"' in page  # where term_uri points


# -- small sites ----------------------------------------------------------------------------

def test_without_a_registered_prefix_ocids_use_a_placeholder(site):
    """The fixture site's site.yaml has no open_data.ocid_prefix."""
    assert site.build().status == 0
    package = read_json(site.output / "public/data/opportunities.json")
    assert not problems(ocds_validator(), package)
    release = package["releases"][0]
    assert release["ocid"] == "ocds-xxxxxx-cc-example-org-HCC-1"
    documents = release["tender"]["documents"]
    assert documents[-1]["url"] == "https://cc.example.org/media/pack.pdf"


def test_a_document_whose_file_name_has_spaces_and_accents_is_a_valid_uri(site):
    site.write("media/pecyn gwybodaeth-łódź.pdf", b"%PDF-1.4 pecyn")
    site.edit("opportunities/oxhey-eoi.md", "url: media/pack.pdf",
              "url: media/pecyn gwybodaeth-łódź.pdf")
    assert site.build().status == 0
    package = read_json(site.output / "public/data/opportunities.json")
    assert not problems(ocds_validator(), package)  # (format: uri)
    assert package["releases"][0]["tender"]["documents"][-1]["url"] == \
        "https://cc.example.org/media/pecyn%20gwybodaeth-%C5%82%C3%B3d%C5%BA.pdf"
    # and the page's link is a valid address too (it held a raw space)
    assert 'href="/media/pecyn%20gwybodaeth-%C5%82%C3%B3d%C5%BA.pdf"' in \
        site.page("/opportunities/oxhey-eoi/")


@pytest.mark.parametrize("name, media_type", [
    ("pack.pdf", "application/pdf"), ("pack.m4a", "audio/mp4"), ("pack.wav", "audio/wav"),
    ("pack.odt", "application/vnd.oasis.opendocument.text")])
def test_a_documents_format_is_told_by_ccsite_not_by_the_machine_it_is_built_on(
        site, monkeypatch, name, media_type):
    """The same content gives the same data on every machine: a document's media type
    is ccsite's own, whatever the machine's /etc/mime.types says (here: something odd)."""
    import mimetypes

    from ccsite.media import MEDIA_KINDS

    for extension in MEDIA_KINDS:
        monkeypatch.setitem(mimetypes.types_map, f".{extension}", "application/x-odd")
    mimetypes.add_type("application/x-odd", "." + name.split(".")[1])
    start = {"pdf": b"%PDF-1.4 pack", "m4a": b"\0\0\0\x20ftypM4A ", "wav": b"RIFF\0\0\0\0WAVE",
             "odt": b"PK\x03\x04"}[name.split(".")[1]]
    site.write(f"media/{name}", start + b" " * 64)
    site.edit("opportunities/oxhey-eoi.md", "url: media/pack.pdf", f"url: media/{name}")
    assert site.build().status == 0
    package = read_json(site.output / "public/data/opportunities.json")
    assert package["releases"][0]["tender"]["documents"][-1]["format"] == media_type


def test_a_round_that_awarded_nothing_is_unsuccessful_not_complete(site):
    site.edit("opportunities/oxhey-eoi.md", "status: active", "status: complete")
    site.edit("opportunities/oxhey-eoi.md", "enquiries:",
              "outcome:\n  date: 2027-02-20\n  note: No bid met the criteria.\nenquiries:")
    assert site.build().status == 0
    package = read_json(site.output / "public/data/opportunities.json")
    assert not problems(ocds_validator(), package)
    release = package["releases"][0]
    assert release["tender"]["status"] == "unsuccessful"
    assert release["tag"] == ["tenderUpdate"] and "awards" not in release


def test_documents_and_awards_keep_their_ids_when_one_is_listed_before_them(site):
    """OCDS merges a process's releases by the ids of their documents and awards: ids by
    place in the list gave an added document the id of the pack before it (and, merged,
    the pack's PDF format), and would have given a new award another's contract."""
    site.write("agencies/watford-families.yaml", "name: Watford Families\nsector: voluntary\n")
    site.edit("opportunities/oxhey-eoi.md", "status: active", "status: complete")
    site.edit("opportunities/oxhey-eoi.md", "enquiries:",
              "outcome:\n  date: 2027-02-20\n  contract_start: 2027-04-01\n  awards:\n"
              "    - {agency: oxhey-trust, centres: [oxhey]}\nenquiries:")

    def ids() -> tuple[dict, dict, dict]:
        assert site.build().status == 0
        release = read_json(site.output / "public/data/opportunities.json")["releases"][0]
        documents = {d["title"]: (d["id"], d.get("format")) for d in release["tender"]["documents"]}
        return (documents, {a["title"]: a["id"] for a in release["awards"]},
                {c["title"]: c["id"] for c in release["contracts"]})

    documents, awards, contracts = ids()
    site.edit("opportunities/oxhey-eoi.md", "  - {title: Information pack",
              "  - {title: Form for expressions of interest, url: https://forms.example.org/eoi}"
              "\n  - {title: Information pack")
    site.edit("opportunities/oxhey-eoi.md", "    - {agency: oxhey-trust",
              "    - {agency: watford-families}\n    - {agency: oxhey-trust")
    after, awards_after, contracts_after = ids()
    assert after["Information pack"] == documents["Information pack"]
    form = after["Form for expressions of interest"]
    assert form[1] is None and form[0] not in {i for i, _ in documents.values()}
    for title, award in awards.items():
        assert awards_after[title] == award and contracts_after[title] == contracts[title]
    assert len(set(awards_after.values())) == len(awards_after) == 2


def test_a_release_that_tells_something_new_has_a_new_id(site):
    """OCDS names a release by what it tells: a deadline moved is a new release (kept by
    id, the old one hid it from aggregators); a build of the same content keeps the id."""
    def release_id() -> str:
        assert site.build().status == 0
        return read_json(site.output / "public/data/opportunities.json")["releases"][0]["id"]

    first = release_id()
    assert first.startswith("ocds-xxxxxx-cc-example-org-HCC-1-tender-")
    assert release_id() == first
    site.edit("opportunities/oxhey-eoi.md", "deadline: 2027-01-29T12:00:00Z",
              "deadline: 2027-02-05T12:00:00Z")
    moved = release_id()
    assert moved != first and moved.startswith("ocds-xxxxxx-cc-example-org-HCC-1-tender-")


def test_a_site_without_opportunities_publishes_no_empty_package(site):
    """An OCDS package must hold at least one release, so there is none to publish."""
    site.remove("opportunities/oxhey-eoi.md")
    assert site.build().status == 0
    assert not (site.output / "public/data/opportunities.json").exists()
    assert "opportunities.json" not in site.page("/data/")
    assert (site.output / "public/data/centres.csv").is_file()


def test_an_awarded_rounds_release_stays_when_an_agencys_contact_changes(site):
    """A release tells what was decided on its date: an agency's contact edited years
    later made every old award a new release dated as the award was."""
    site.edit("opportunities/oxhey-eoi.md", "status: active", "status: complete")
    site.edit("opportunities/oxhey-eoi.md", "enquiries:",
              "outcome:\n  date: 2027-02-20\n  awards:\n    - {agency: oxhey-trust}\nenquiries:")

    def release() -> dict:
        assert site.build().status == 0
        return read_json(site.output / "public/data/opportunities.json")["releases"][0]

    before = release()
    supplier = next(p for p in before["parties"] if p["roles"] == ["supplier"])
    assert supplier["name"] == "Oxhey Community Trust" and "contactPoint" not in supplier
    site.edit("agencies/oxhey-trust.yaml", "name: Jane Example", "name: Sam Okafor")
    assert release() == before


def test_a_round_whose_bids_open_later_is_planned_in_the_open_data_until_that_day(site):
    """Its page says "Opens soon" until `opens`; the data said `active` meanwhile. On the
    day, the release is the tender's, dated that day."""
    site.edit("opportunities/oxhey-eoi.md", "published: 2026-11-02",
              "published: 2026-11-02\nopens: 2026-12-01")

    def release(now: str) -> dict:
        site._capsys.readouterr()
        assert main(["build", "--source", str(site.content), "--output", str(site.output),
                     "--now", now, "--quiet"]) == 0
        package = read_json(site.output / "public/data/opportunities.json")
        assert not problems(ocds_validator(), package)
        return package["releases"][0]

    before = release("2026-11-25T12:00:00Z")
    assert before["tender"]["status"] == "planned" and before["tag"] == ["tender"]
    assert before["tender"]["tenderPeriod"]["startDate"].startswith("2026-12-01")
    assert before["date"].startswith("2026-11-02")
    opened = release("2026-12-01T09:00:00Z")
    assert opened["tender"]["status"] == "active" and opened["id"] != before["id"]
    assert opened["date"].startswith("2026-12-01")


def test_a_planning_notice_and_the_tender_notice_are_two_documents(site):
    """A compiled record keeps the documents of each release by id: one id for both
    notices had the tender notice overwrite the planning notice it followed."""
    def notice() -> dict:
        assert site.build().status == 0
        release = read_json(site.output / "public/data/opportunities.json")["releases"][0]
        return release["tender"]["documents"][0]

    tender = notice()
    site.edit("opportunities/oxhey-eoi.md", "status: active", "status: planning")
    planning = notice()
    assert (tender["id"], tender["documentType"]) == ("notice", "tenderNotice")
    assert (planning["id"], planning["documentType"]) == ("planning-notice",
                                                          "plannedProcurementNotice")

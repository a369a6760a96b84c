"""Open data that machines can find and check: the Data Package (validated by frictionless
against the live files), CSVW, DCAT, schema.org descriptions, Atom feeds, the embeddable card."""

import datetime
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.test import Client

from kpis.models import Actual, Target
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def figures(make_indicator, make_actual, source):
    indicator = make_indicator(code="hte", target="2300")
    Target.objects.create(
        indicator=indicator,
        year=2026,
        value=2600,
        qualifier="at_least",
        source=source,
        quote="2026年国家高新技术企业达2600家以上。",
    )
    for period_end, value in (
        ("2025-12-31", "2400"),
        ("2026-03-31", "2450"),
        ("2026-06-30", "2500"),
    ):
        make_actual(indicator, period_end=datetime.date.fromisoformat(period_end), value=value)
    make_actual(indicator, period_end=datetime.date(2026, 9, 30), value="2999", status="draft")
    return indicator


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=False):
        yield


def test_the_data_package_describes_every_csv_with_types_keys_and_licence(figures):
    package = Client().get("/data/datapackage.json").json()
    names = [resource["name"] for resource in package["resources"]]
    assert names == ["progress-2024", "progress-2026", "tasks", "plans", "indicator-hte"]
    history = package["resources"][-1]["schema"]
    assert history["primaryKey"] == ["code", "period_end"]
    assert history["foreignKeys"][0]["reference"]["resource"] == "progress-2026"
    fields = {f["name"]: f["type"] for f in package["resources"][0]["schema"]["fields"]}
    assert (fields["target_value"], fields["target_year"], fields["stale"]) == (
        "number",
        "integer",
        "boolean",
    )
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_csvw_metadata_names_every_column_of_the_progress_file(figures):
    metadata = Client().get("/data/progress.csv-metadata.json").json()
    header = Client().get("/data/progress.csv").content.decode("utf-8-sig").splitlines()[0]
    columns = [column["name"] for column in metadata["tableSchema"]["columns"]]
    assert columns == header.split(",")
    assert metadata["tableSchema"]["primaryKey"] == "code"


def test_the_dcat_catalogue_lists_every_dataset_with_its_distributions(figures):
    catalogue = Client().get("/data/catalog.jsonld").json()
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(datasets) == {"progress", "tasks", "plans", "indicator-hte"}
    formats = [d["dct:format"] for d in datasets["indicator-hte"]["dcat:distribution"]]
    assert formats == ["CSV", "XLSX", "JSON"]


def test_pages_link_their_schema_org_dataset_as_a_file_not_an_inline_script(figures):
    page = Client().get("/indicators/hte/").content.decode()
    assert (
        'rel="alternate" type="application/ld+json" href="/indicators/hte/dataset.jsonld"' in page
    )
    assert "<script" not in page
    dataset = Client().get("/indicators/hte/dataset.jsonld").json()
    assert dataset["@type"] == "Dataset"
    assert dataset["distribution"][0]["contentUrl"].endswith("/data/indicators/hte.csv")
    data_page = Client().get("/data/").content.decode()
    assert 'href="/data/dataset.jsonld"' in data_page


def atom_entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


def test_the_feed_lists_publications_and_corrections_but_no_draft(figures, official, reviewer):
    corrected = Actual.objects.get(period_end="2026-06-30")
    corrected.value = 2510
    corrected.record_entry(official)
    corrected.status = Actual.Status.SUBMITTED
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, tzinfo=SHANGHAI), tick=False):
        corrected.publish(reviewer)
        corrected.save()
        titles = [t.replace(",", "") for t in atom_entries(Client().get("/feeds/published.atom"))]
    assert titles[0].startswith("更正") and "2510家" in titles[0]
    assert any("2450家" in title for title in titles)
    assert not any("2999" in title for title in titles)


def test_the_feeds_speak_the_pages_language_and_list_target_revisions(figures, source):
    target = Target.objects.get(year=2026)
    target.value = 2700
    target._change_reason = "年中调整"
    target.save()
    titles = atom_entries(Client().get("/en/indicators/hte/feed.atom"))
    assert any(t.startswith("Target revised") and "at least 2,700" in t for t in titles)
    assert any(t.startswith("Published") and "Q1 2026" in t for t in titles)


def test_the_embed_card_shows_status_figure_and_target_and_may_be_framed_only_by_allowed_origins(
    figures, settings
):
    settings.EMBED_ORIGINS = ["https://www.gm.gov.cn"]
    card = Client().get("/embed/indicators/hte/")
    text = card.content.decode()
    text = text.replace(",", "")
    assert "2500家" in text and "2600家以上" in text and "<polyline" in text
    assert "frame-ancestors https://www.gm.gov.cn" in card["Content-Security-Policy"]
    assert "X-Frame-Options" not in card
    page = Client().get("/indicators/hte/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_without_embed_origins_the_card_is_framed_by_nobody(figures, settings):
    settings.EMBED_ORIGINS = []
    card = Client().get("/embed/indicators/hte/")
    assert "frame-ancestors 'none'" in card["Content-Security-Policy"]
    assert card["X-Frame-Options"] == "DENY"


def test_frictionless_validates_the_data_package_against_the_live_files(
    live_server, make_indicator, make_actual, source
):
    frictionless = pytest.importorskip("frictionless")
    indicator = make_indicator(code="hte", target="2300")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="2100")
    report = frictionless.validate(f"{live_server.url}/data/datapackage.json")
    assert report.valid, report.flatten(["type", "note", "resourcePath"])
    # progress-2024, tasks, plans and the indicator's history, each read row by row
    read = [task.stats.get("rows", 0) > 0 for task in report.tasks]
    assert read == [True, False, False, True]

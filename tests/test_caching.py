"""Public pages come from the cache, yet every change that alters them shows on the very
next request."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from kpis.caching import data_version
from kpis.models import Actual, Department, Indicator, Source, Target, Theme

URLS = ["/en/", "/en/indicators/synbio-valuation/", "/data/progress.json", "/data/progress.csv"]


@pytest.fixture
def synbio(article):
    return Indicator.objects.get(code="synbio-valuation")


def get(client, url):
    return client.get(url).content.decode()


@pytest.mark.parametrize("url", URLS)
def test_a_repeated_request_is_served_from_the_cache_with_one_query(anonymous, synbio, url):
    get(anonymous, url)
    with CaptureQueriesContext(connection) as queries:
        get(anonymous, url)
    assert len(queries) == 1  # the data version, nothing else


@pytest.mark.parametrize("url", URLS)
def test_a_published_figure_shows_on_the_very_next_request(
    anonymous, synbio, official, reviewer, make_actual, url
):
    assert "1234.5" not in get(anonymous, url)
    actual = make_actual(synbio, value="1234.5", status="submitted", entered_by=official)
    actual.publish(reviewer)
    actual.save()
    body = get(anonymous, url)
    assert "1,234.5" in body or "1234.5" in body  # pages group digits, data files do not


def test_a_published_revision_replaces_the_old_value_on_the_next_request(
    anonymous, synbio, official, reviewer, make_actual
):
    actual = make_actual(synbio, value="150")
    assert "15 billion yuan" in get(anonymous, "/en/")
    actual.value = 155
    actual.record_entry(official)
    assert "15 billion yuan" in get(anonymous, "/en/")  # under review: old value
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()
    assert "15.5 billion yuan" in get(anonymous, "/en/")


def test_a_target_edit_shows_on_the_next_request(anonymous, synbio):
    get(anonymous, "/en/")
    target = synbio.targets.get()
    target.value = 450
    target.save()
    assert 'more than <span title="450亿元">45 billion yuan' in get(anonymous, "/en/")


def test_renaming_an_indicator_or_a_theme_shows_on_the_next_request(anonymous, synbio):
    get(anonymous, "/en/")
    synbio.name_en = "Synthetic biology cluster worth"
    synbio.save()
    theme = Theme.objects.get(code="brain-science")
    theme.name_en = "Brain science (renamed)"
    theme.save()
    html = get(anonymous, "/en/")
    assert "Synthetic biology cluster worth" in html
    assert "Brain science (renamed)" in html


def test_hiding_an_indicator_takes_it_off_the_next_page(anonymous, synbio):
    get(anonymous, "/data/progress.json")
    synbio.is_public = False
    synbio.save()
    assert "synbio-valuation" not in get(anonymous, "/data/progress.json")


def test_signed_in_users_always_get_a_fresh_page(client, official, synbio):
    client.force_login(official)
    get(client, "/en/")
    with CaptureQueriesContext(connection) as queries:
        html = get(client, "/en/")
    assert len(queries) > 1
    assert "My updates" in html


def test_a_cached_page_still_carries_the_security_headers(anonymous, synbio):
    get(anonymous, "/en/")
    response = anonymous.get("/en/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_deleting_a_published_figure_shows_on_the_next_request(anonymous, synbio, make_actual):
    actual = make_actual(synbio, value="150", period_end=datetime.date(2024, 3, 31))
    assert "15 billion yuan" in get(anonymous, "/en/")
    actual.delete()
    assert "15 billion yuan" not in get(anonymous, "/en/")


def test_made_up_parameters_are_never_cached(anonymous, synbio):
    get(anonymous, "/en/?junk=1")
    with CaptureQueriesContext(connection) as queries:
        get(anonymous, "/en/?junk=1")
    assert len(queries) > 1


def test_the_same_filters_in_another_order_share_one_cached_page(anonymous, synbio):
    get(anonymous, "/en/?theme=brain-science&status=behind")
    with CaptureQueriesContext(connection) as queries:
        get(anonymous, "/en/?status=behind&theme=brain-science")
    assert len(queries) == 1


def test_even_a_bulk_update_that_skips_the_models_shows_on_the_next_request(anonymous, synbio):
    get(anonymous, "/en/")
    Indicator.objects.filter(pk=synbio.pk).update(name_en="Renamed in bulk")
    assert "Renamed in bulk" in get(anonymous, "/en/")


@pytest.mark.parametrize("model", [Actual, Indicator, Target, Theme, Department, Source])
def test_every_table_a_public_page_shows_raises_the_data_version(model, article, make_actual):
    # SQLite drops a table's triggers when a migration rebuilds it; they are put back after
    # every migrate, which this test would notice if it stopped happening.
    make_actual(Indicator.objects.first())
    department = Department.objects.create(code="d", name="部门", name_en="Department")
    assert department.pk
    assert model.objects.exists()  # the update below has rows to touch
    before = data_version()
    model.objects.update(id=F("id"))
    assert data_version() > before

"""Public pages come from the cache, yet every change that alters them shows on the very
next request."""

import datetime

import pytest
from django.contrib import messages
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from kpis.caching import data_version, public_cache
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
    anonymous, synbio, official, department, reviewer, make_actual
):
    synbio.department = department  # the official's, who corrects the figure
    synbio.save()
    actual = make_actual(synbio, value="150")
    assert "150.0 × 100 million yuan" in get(anonymous, "/en/")
    actual.value = 155
    actual.record_entry(official)
    assert "150.0 × 100 million yuan" in get(anonymous, "/en/")  # under review: old value
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()
    assert "155.0 × 100 million yuan" in get(anonymous, "/en/")


def test_a_target_edit_shows_on_the_next_request(anonymous, synbio):
    get(anonymous, "/en/")
    target = synbio.targets.get()
    target.value = 450
    target.save()
    assert "more than 450.0 × 100 million yuan" in get(anonymous, "/en/")


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
    assert "150.0 × 100 million yuan" in get(anonymous, "/en/")
    actual.delete()
    assert "150.0 × 100 million yuan" not in get(anonymous, "/en/")


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


@pytest.fixture
def message_left(client, synbio, official, department):
    """The issue's steps: an official saves a figure, does not follow the redirect that
    would show "已保存：…", and signs out; the message waits in the browser's cookie."""
    synbio.department = department
    synbio.save()
    client.force_login(official)
    client.post("/my/enter/synbio-valuation/2024-06-30/", {"value": "150", "note": ""})
    client.post("/accounts/logout/")
    return client


def test_a_message_left_from_a_signed_in_visit_is_never_served_to_other_visitors(
    message_left, anonymous
):
    client = message_left
    assert "已保存" in get(client, "/")  # its author still sees it, once
    assert "已保存" not in get(anonymous, "/")


def test_a_reader_with_a_message_waiting_gets_a_page_built_for_them_not_the_cached_one(
    message_left, anonymous
):
    get(anonymous, "/")  # cached at the version the entry made
    assert "已保存" in get(message_left, "/")


# A urlconf of its own (settings.ROOT_URLCONF = __name__) for a view that leaves a message.
said = []


@public_cache
def greeting(request):
    if not said:
        said.append(True)
        messages.info(request, "Welcome, first visitor")
    return HttpResponse(" ".join(str(message) for message in messages.get_messages(request)))


urlpatterns = [path("greeting/", greeting)]


def test_a_page_that_adds_a_message_while_it_is_built_is_not_cached(settings, db):
    settings.ROOT_URLCONF = __name__
    said.clear()
    assert "Welcome" in Client().get("/greeting/").content.decode()
    assert "Welcome" not in Client().get("/greeting/").content.decode()

"""One table for a department's period (/my/enter/<period_end>/): a row per indicator due,
the one-figure form's rules per row, all or nothing on submit (issue #27)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from kpis.models import Actual
from tests.conftest import SHANGHAI


@pytest.fixture(autouse=True)
def today(reporting_since_2024):
    """Today is 6 December 2026; reporting started in 2024."""
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def three(make_indicator, department):
    return [make_indicator(department=department, name=f"本部门指标{n}") for n in range(3)]


def test_the_table_has_a_row_per_indicator_of_my_department_due_for_the_period(
    client, official, three, make_indicator, other_department, make_actual
):
    make_indicator(department=other_department, name="外部门指标")
    make_actual(three[2], period_end=datetime.date(2026, 9, 30))
    client.force_login(official)
    html = client.get("/my/enter/2026-09-30/").content.decode()
    assert "本部门指标0" in html and "本部门指标1" in html
    assert "本部门指标2" not in html and "外部门指标" not in html


def test_the_rows_filled_in_are_submitted_together(client, official, three):
    client.force_login(official)
    response = client.post(
        "/my/enter/2026-09-30/",
        {f"{three[0].code}-value": "12", f"{three[1].code}-value": "7", "submit": ""},
    )
    assert response.url == "/my/"
    saved = Actual.objects.order_by("indicator__position")
    assert [(a.indicator, a.value, a.status) for a in saved] == [
        (three[0], Decimal(12), "submitted"),
        (three[1], Decimal(7), "submitted"),
    ]


def test_one_bad_row_saves_nothing_and_says_which_row(client, official, three, make_actual):
    make_actual(three[1], period_end=datetime.date(2026, 6, 30), value=10)
    client.force_login(official)
    response = client.post(
        "/en/my/enter/2026-09-30/",
        {f"{three[0].code}-value": "12", f"{three[1].code}-value": "100000", "submit": ""},
    )
    assert not Actual.objects.filter(period_end=datetime.date(2026, 9, 30)).exists()
    row = response.content.decode().split(f'id="row-{three[1].code}"')[1].split("</tr>")[0]
    assert "check the unit" in row


def test_a_row_held_by_the_guard_is_kept_once_confirmed_and_explained(
    client, official, three, make_actual
):
    make_actual(three[1], period_end=datetime.date(2026, 6, 30), value=10)
    client.force_login(official)
    client.post(
        "/my/enter/2026-09-30/",
        {
            f"{three[1].code}-value": "100000",
            f"{three[1].code}-confirm_unusual": "on",
            f"{three[1].code}-note": "统计口径调整",
        },
    )
    actual = Actual.objects.get(period_end=datetime.date(2026, 9, 30))
    assert actual.confirmed_warning


def test_an_empty_table_says_to_enter_a_figure(client, official, three):
    client.force_login(official)
    response = client.post("/en/my/enter/2026-09-30/", {"save": ""})
    assert "Enter at least one figure." in response.content.decode()


def test_my_updates_links_the_table_of_each_period_due(client, official, three):
    client.force_login(official)
    assert 'href="/my/enter/2026-09-30/"' in client.get("/my/").content.decode()


def test_a_row_entered_meanwhile_by_a_colleague_never_shifts_a_value_to_another_indicator(
    client, official, three, make_actual
):
    # The table was read with three rows; the first figure was entered before it was sent.
    make_actual(three[0], period_end=datetime.date(2026, 9, 30), value=5, status="draft")
    client.force_login(official)
    client.post("/my/enter/2026-09-30/", {f"{three[1].code}-value": "7", "save": ""})
    assert Actual.objects.get(indicator=three[1]).value == 7
    assert Actual.objects.get(indicator=three[0]).value == 5


def test_a_value_for_a_row_entered_meanwhile_saves_nothing_and_says_so(
    client, official, three, make_actual
):
    make_actual(three[0], period_end=datetime.date(2026, 9, 30), value=5, status="draft")
    client.force_login(official)
    response = client.post(
        "/en/my/enter/2026-09-30/",
        {f"{three[0].code}-value": "6", f"{three[1].code}-value": "7", "save": ""},
    )
    assert "a figure for this period was entered meanwhile" in response.content.decode()
    assert not Actual.objects.filter(indicator=three[1]).exists()

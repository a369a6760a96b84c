"""The one-figure entry form (/my/enter/<code>/<period_end>/): its bearings, its errors on
bad input, and "save and next" (issue #27)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from kpis.models import Actual, Target
from tests.conftest import SHANGHAI


@pytest.fixture(autouse=True)
def today():
    """Today is 6 December 2026."""
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def own_indicator(make_indicator, department, source):
    indicator = make_indicator(
        department=department,
        name="高新技术企业数",
        baseline_year=2025,
        baseline_value=Decimal("2000"),
    )
    Target.objects.create(
        indicator=indicator, year=2026, value=Decimal("2400"), source=source, quote="达2400家"
    )
    return indicator


def test_entry_form_shows_baseline_target_last_four_figures_and_the_guard(
    client, official, own_indicator, make_actual
):
    for month, value in [(3, 2100), (6, 2150), (9, 2200), (12, 2050)]:
        day = 31 if month in (3, 12) else 30
        make_actual(own_indicator, period_end=datetime.date(2025, month, day), value=value)
    make_actual(own_indicator, period_end=datetime.date(2026, 3, 31), value=2250)
    client.force_login(official)
    html = client.get(f"/en/my/enter/{own_indicator.code}/2026-09-30/").content.decode()
    bearings = html.split('id="bearings-heading"')[1].split("</section>")[0]
    assert "2,000 enterprises" in bearings and "2,400 enterprises" in bearings
    assert "Q1 2026" in bearings and "Q2 2025" in bearings and "Q1 2025" not in bearings
    assert "A stock: the level at the period&#x27;s end (2026-09-30)." in bearings
    assert "1,000 times larger or smaller" in bearings and "more than 50%" in bearings


def test_entry_form_says_a_year_to_date_figure_is_the_sum_of_the_year_so_far(
    client, official, make_indicator, department
):
    indicator = make_indicator(
        department=department, value_type="flow", reported_as="year_to_date", unit="亿元"
    )
    client.force_login(official)
    html = client.get(f"/my/enter/{indicator.code}/2026-09-30/").content.decode()
    value_help = html.split('name="value"')[1].split("</p>")[0]
    assert "累计值：1月1日至2026-09-30的合计（2026年1–9月累计）。" in value_help


@pytest.mark.parametrize(
    ("period_end", "error"),
    [("2026-12-31", "该报告期尚未结束。"), ("2026-05-31", "不是季度报告期的最后一天。")],
)
def test_a_period_not_ended_or_not_of_the_indicator_is_refused_with_a_clear_error(
    client, official, own_indicator, period_end, error
):
    client.force_login(official)
    response = client.post(f"/my/enter/{own_indicator.code}/{period_end}/", {"value": "12"})
    assert error in response.content.decode()
    assert not Actual.objects.exists()


def test_a_returned_figure_is_prefilled_as_typed_without_padding_zeros(
    client, official, own_indicator, make_actual
):
    actual = make_actual(
        own_indicator, period_end=datetime.date(2026, 9, 30), value="1200000", status="returned"
    )
    client.force_login(official)
    html = client.get(f"/my/figures/{actual.pk}/").content.decode()
    assert 'name="value" value="1200000"' in html


def test_save_and_next_goes_to_the_next_due_period_of_the_department(
    client, official, own_indicator, make_indicator, department
):
    second = make_indicator(department=department)
    client.force_login(official)
    response = client.post(
        f"/my/enter/{own_indicator.code}/2026-09-30/", {"value": "2300", "save": "next"}
    )
    assert response.url == f"/my/enter/{second.code}/2026-09-30/"
    assert Actual.objects.get().value == 2300

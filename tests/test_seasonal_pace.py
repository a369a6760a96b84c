import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.models import Indicator
from kpis.progress import (
    Reading,
    ReportedAs,
    YearFigures,
    derive_profile,
    evaluate,
    pace_share,
)

D = Decimal
# The last day of 2024: the year is still open, so these rules judge pace.
STILL_OPEN = datetime.date(2024, 12, 31)
STRAIGHT = [round(month / 12, 6) for month in range(1, 13)]
STRAIGHT[-1] = 1.0
# Most of a year's new enterprises register in the second half.
BACK_LOADED = [0.02, 0.04, 0.06, 0.1, 0.14, 0.2, 0.3, 0.42, 0.55, 0.7, 0.85, 1.0]


@settings(max_examples=200, deadline=None)
@given(
    month=st.integers(1, 11),
    value=st.decimals(min_value=0, max_value=1000, places=2),
    target=st.decimals(min_value=1, max_value=1000, places=2),
    baseline=st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
    value_type=st.sampled_from(["stock", "flow", "rate"]),
)
def test_a_straight_line_profile_is_the_same_as_no_profile(
    month, value, target, baseline, value_type
):
    end = datetime.date(2024, month + 1, 1) - datetime.timedelta(days=1)
    figures = YearFigures.from_readings([Reading(end, value)], 2024)
    common = {
        "year": 2024,
        "target": target,
        "qualifier": "reach",
        "direction": "increase",
        "value_type": value_type,
        "figures": figures,
        "baseline": baseline,
        "today": STILL_OPEN,
    }
    plain, profiled = evaluate(**common), evaluate(**common, profile=STRAIGHT)
    assert plain.status == profiled.status
    if plain.expected is not None:
        assert abs(plain.expected - profiled.expected) < D("0.001")


def test_a_back_loaded_profile_expects_less_by_june_than_a_straight_line():
    june = datetime.date(2024, 6, 30)
    assert pace_share(june, BACK_LOADED) == D("0.2")
    figures = YearFigures.from_readings([Reading(june, D(130))], 2024)
    common = {"year": 2024, "target": D(200), "qualifier": "reach", "direction": "increase"}
    common["today"] = STILL_OPEN
    common.update(value_type="stock", figures=figures, baseline=D(100))
    assert evaluate(**common).status == "behind"  # straight line: 150 expected by June
    assert evaluate(**common, profile=BACK_LOADED).status == "on_track"  # 120 expected


def test_a_profile_is_derived_from_two_years_of_history():
    year = [D(10)] * 12  # a flow of 10 a month, all year: an even pace
    even = [pytest.approx(month / 12, abs=1e-4) for month in range(1, 13)]
    assert derive_profile([year, year], "flow") == even
    assert derive_profile([year], "flow") is None


def test_two_figures_a_year_are_enough_for_its_shape():
    # A flow reported in March and December only: a quarter of the year's amount by March.
    year = [None, None, D(30), *[None] * 8, D(90)]
    assert derive_profile([year, year], "flow") == [0, 0, *[0.25] * 9, 1.0]


def test_a_year_of_a_single_unit_counts_too():
    # One enterprise a year, registered in June: the year's total is 1, not nothing.
    year = [None] * 5 + [D(1)] + [None] * 5 + [D(0)]
    assert derive_profile([year, year], "flow") == [0] * 5 + [1.0] * 7


def test_a_stock_that_overshoots_in_the_year_keeps_its_profile_at_one():
    # Up to 130 by June, back to 120 by December: June's share is capped at the whole year.
    year = [D(100)] + [None] * 4 + [D(130)] + [None] * 5 + [D(120)]
    profile = derive_profile([year, year], "stock")
    assert profile[5:] == [1.0] * 7


def test_profile_shares_are_kept_to_four_decimals():
    year = [D(10)] * 12
    assert derive_profile([year, year], "flow")[:2] == [0.0833, 0.1667]


def test_within_january_a_profile_is_read_up_from_nothing():
    # Half-way through January, half of January's share; not the way down from December.
    mid_january = datetime.date(2024, 1, 16)
    assert pace_share(mid_january, BACK_LOADED) == D("0.02") * 16 / 31


def test_within_february_a_profile_is_read_up_from_januarys_share():
    mid_february = datetime.date(2024, 2, 15)
    assert pace_share(mid_february, BACK_LOADED) == D("0.02") + D("0.02") * 15 / 29


def test_a_profile_of_year_to_date_totals_reads_each_total_as_the_share_so_far():
    # 1–n月累计 of 10 a month: the totals 10, 20 … 120 are an even pace, not a rising one.
    year = [D(10 * month) for month in range(1, 13)]
    even = [pytest.approx(month / 12, abs=1e-4) for month in range(1, 13)]
    assert derive_profile([year, year], "flow", ReportedAs.YEAR_TO_DATE) == even


@pytest.fixture
def seasonal(article, make_actual):
    indicator = Indicator.objects.get(code="synbio-valuation")
    for year in (2022, 2023):
        level = D(100)
        for month, step in zip(range(1, 13), [1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4], strict=True):
            level += step
            end = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
            make_actual(indicator, period_end=end, value=level)
    return indicator


def test_the_command_derives_a_profile_and_the_indicator_page_says_so(anonymous, seasonal):
    call_command("derive_seasonal_profiles", years=10, verbosity=0)
    seasonal.refresh_from_db()
    # From January's 101 to December's 130, June's 106 is 5/29 of the way.
    assert seasonal.seasonal_profile[5] == pytest.approx(5 / 29, abs=1e-3)
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert "seasonal profile" in html and "2022–2023" in html

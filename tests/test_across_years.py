"""Across the years: closed years judged on their final figures, stale figures, figures of
years without targets, year-to-date flows (kpis/progress.py, kpis/periods.py)."""

import calendar
import datetime
from decimal import Decimal

import time_machine
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.models import Actual, Indicator, Judgement, Target
from kpis.periods import is_stale, next_period_end
from kpis.progress import (
    Reading,
    ReportedAs,
    Status,
    YearFigures,
    change_since,
    evaluate,
)
from kpis.vocabulary import Direction, Qualifier, ValueType
from tests.conftest import SHANGHAI, sentence

D = Decimal
TODAY = datetime.date(2026, 12, 1)


def month_end(month, year=2024):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def judged(readings, today=TODAY, **overrides):
    arguments = {
        "year": 2024,
        "target": D(400),
        "qualifier": "over",
        "direction": "increase",
        "value_type": "stock",
        "figures": YearFigures.from_readings(readings, 2024),
        "today": today,
        "frequency": "quarterly",
        "release_lag_days": 15,
    }
    arguments.update(overrides)
    return evaluate(**arguments)


# --- a target year that is over ----------------------------------------------------------


def test_a_june_figure_alone_in_a_closed_year_has_no_final_figure_not_a_pace():
    result = judged([Reading(month_end(6), D(300))])
    assert (result.status, result.year_closed) == (Status.NO_FINAL_FIGURE, True)
    assert not result.final_pending


def test_the_same_june_figure_in_2024_itself_is_judged_on_pace():
    result = judged([Reading(month_end(6), D(300))], today=datetime.date(2024, 7, 20))
    assert result.status == Status.UNKNOWN_PACE
    assert not result.year_closed


def test_a_year_end_figure_short_of_the_target_is_missed_not_behind():
    result = judged([Reading(month_end(6), D(300)), Reading(month_end(12), D(380))])
    assert result.status == Status.MISSED


def test_a_closed_year_whose_latest_figure_meets_the_target_is_achieved():
    assert judged([Reading(month_end(9), D(420))]).status == Status.ACHIEVED


def test_before_its_final_figure_a_stock_that_should_fall_and_meets_the_target_is_achieved():
    # Lower is better: a September level under the ceiling counts as the year's verdict.
    result = judged([Reading(month_end(9), D(380))], direction="decrease", qualifier="at_most")
    assert result.status == Status.ACHIEVED


def test_before_its_last_quarter_a_growing_flow_already_over_the_target_is_achieved():
    # A flow's total can only grow: three quarters already over 400 will not fall short.
    quarters = [Reading(month_end(m), D(150)) for m in (3, 6, 9)]
    result = judged(quarters, value_type="flow")
    assert (result.status, result.current) == (Status.ACHIEVED, D(450))


def test_on_the_day_it_is_due_the_year_end_figure_is_still_pending():
    due = datetime.date(2025, 1, 15)  # 31 December and 15 days' lag
    for readings in ([], [Reading(month_end(6), D(300))]):
        assert judged(readings, today=due).final_pending
        assert not judged(readings, today=due + datetime.timedelta(days=1)).final_pending


def test_a_closed_year_with_nothing_published_has_no_final_figure():
    assert judged([]).status == Status.NO_FINAL_FIGURE


def test_until_the_year_end_figure_is_due_it_is_pending_not_missing():
    # An annual R&D figure comes out months after December: 270 days' lag.
    early_2025 = datetime.date(2025, 3, 1)
    result = judged(
        [], today=early_2025, value_type="flow", frequency="annual", release_lag_days=270
    )
    assert result.final_pending
    assert result.final_due == datetime.date(2025, 9, 27)
    assert "应于2025年9月27日前发布" in sentence(result, "zh-hans")


def test_a_per_period_flow_needs_every_period_for_its_verdict():
    three_quarters = [Reading(month_end(m), D(90)) for m in (3, 6, 12)]
    result = judged(three_quarters, value_type="flow")
    assert result.status == Status.NO_FINAL_FIGURE
    all_four = three_quarters + [Reading(month_end(9), D(90))]
    assert judged(all_four, value_type="flow").status == Status.MISSED


def test_a_flow_that_should_decrease_is_judged_only_with_its_final_period():
    under_the_cap = [Reading(month_end(m), D(50)) for m in (3, 6)]
    result = judged(under_the_cap, value_type="flow", direction="decrease", qualifier="reach")
    assert result.status == Status.NO_FINAL_FIGURE


def test_without_a_target_the_status_is_no_target_but_the_figure_is_kept():
    figures = YearFigures.from_readings([Reading(month_end(3, 2026), D(2085))], 2026)
    result = judged([], year=2026, target=None, figures=figures)
    assert (result.status, result.current) == (Status.NO_TARGET, D(2085))


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.decimals(0, 1000, places=1), min_size=0, max_size=4),
    days_after=st.integers(1, 3000),
    value_type=st.sampled_from(list(ValueType)),
    direction=st.sampled_from(list(Direction)),
    qualifier=st.sampled_from(list(Qualifier)),
)
def test_a_closed_years_verdict_does_not_depend_on_the_day_it_is_read(
    values, days_after, value_type, direction, qualifier
):
    readings = [Reading(month_end(3 * (i + 1)), value) for i, value in enumerate(values)]
    common = {"value_type": value_type, "direction": direction, "qualifier": qualifier}
    first_day_after = judged(readings, today=datetime.date(2025, 1, 1), **common)
    later = judged(
        readings, today=datetime.date(2025, 1, 1) + datetime.timedelta(days=days_after), **common
    )
    assert first_day_after.status == later.status
    assert later.status in (Status.ACHIEVED, Status.MISSED, Status.NO_FINAL_FIGURE)


# --- year-to-date flows ------------------------------------------------------------------


def test_a_year_to_date_flow_takes_its_latest_total_never_a_sum():
    # 1–3月 120, 1–6月 250: the year so far is 250, not 370.
    totals = [Reading(month_end(3), D(120)), Reading(month_end(6), D(250))]
    result = judged(
        totals,
        today=datetime.date(2024, 7, 20),
        value_type="flow",
        reported_as=ReportedAs.YEAR_TO_DATE,
        target=D(500),
    )
    assert result.current == D(250)
    assert result.expected == D(250)  # the even half of 500 by June
    assert result.status == Status.ON_TRACK


@settings(max_examples=200, deadline=None)
@given(amounts=st.lists(st.decimals(0, 500, places=1), min_size=1, max_size=4))
def test_year_to_date_and_per_period_entry_of_the_same_amounts_give_the_same_attainment(
    amounts,
):
    ends = [month_end(3 * (i + 1)) for i in range(len(amounts))]
    per_period = [Reading(end, amount) for end, amount in zip(ends, amounts, strict=True)]
    running, year_to_date = D(0), []
    for end, amount in zip(ends, amounts, strict=True):
        running += amount
        year_to_date.append(Reading(end, running))
    common = {"today": datetime.date(2024, 12, 31), "value_type": "flow", "target": D(800)}
    by_period = judged(per_period, **common)
    by_total = judged(year_to_date, reported_as=ReportedAs.YEAR_TO_DATE, **common)
    assert by_period.attainment == by_total.attainment
    assert by_period.status == by_total.status
    assert by_period.projection == by_total.projection


# --- at least, at most ------------------------------------------------------------------


def test_at_least_is_met_by_reaching_the_target_and_at_most_by_staying_under_it():
    on_target = [Reading(month_end(12), D(400))]
    assert judged(on_target, qualifier="at_least").status == Status.ACHIEVED
    assert judged([Reading(month_end(12), D(401))], qualifier="at_most").status == Status.MISSED
    assert judged(on_target, qualifier="at_most").status == Status.ACHIEVED


def test_a_ceiling_is_judged_as_a_ceiling_even_on_an_indicator_whose_direction_says_increase():
    # 控制在400以内 on a flow entered as "higher is better": 350 by September is under the
    # ceiling, yet over its even share (300), so it is behind, not achieved.
    by_september = [Reading(month_end(9), D(350))]
    result = judged(
        by_september,
        today=datetime.date(2024, 10, 20),
        qualifier="at_most",
        direction="increase",
        value_type="flow",
        frequency="annual",
    )
    assert result.status == Status.BEHIND


def test_a_ceiling_met_at_the_years_end_on_an_increasing_indicator_is_achieved():
    year_end = [Reading(month_end(12), D(380))]
    assert judged(year_end, qualifier="at_most", direction="increase").status == Status.ACHIEVED
    assert judged([Reading(month_end(12), D(420))], qualifier="at_most").status == Status.MISSED


def test_a_floor_is_met_by_reaching_it_even_where_the_direction_says_decrease():
    # 100家以上 on an indicator entered as "lower is better": 120 is more than the floor.
    year_end = [Reading(month_end(12), D(120))]
    result = judged(year_end, target=D(100), qualifier="at_least", direction="decrease")
    assert result.status == Status.ACHIEVED


# --- stale figures and changes -------------------------------------------------------------


def test_a_figure_is_stale_once_the_next_periods_figure_is_overdue():
    march = datetime.date(2026, 3, 31)
    assert next_period_end("quarterly", march) == datetime.date(2026, 6, 30)
    assert not is_stale(march, "quarterly", datetime.date(2026, 7, 15), lag_days=15)
    assert is_stale(march, "quarterly", datetime.date(2026, 7, 16), lag_days=15)
    assert next_period_end("monthly", datetime.date(2025, 12, 31)) == datetime.date(2026, 1, 31)


def test_the_latest_figure_compares_with_the_baseline_without_a_previous_year_end():
    latest = Reading(datetime.date(2026, 3, 31), D(2085))
    change = change_since(latest, None, 2023, D(2000), "stock", whole_year=False)
    assert change.is_baseline and change.share == D("0.0425")


def test_the_latest_figure_compares_with_last_years_year_end_figure_where_published():
    latest = Reading(datetime.date(2026, 3, 31), D(2085))
    year_end = Reading(datetime.date(2025, 12, 31), D(2050))
    change = change_since(latest, year_end, 2023, D(2000), "stock", whole_year=False)
    assert (change.start, change.is_baseline) == (year_end, False)


def test_a_flows_part_year_figure_is_compared_with_nothing():
    latest = Reading(datetime.date(2026, 3, 31), D(30))
    assert change_since(latest, None, 2023, D(100), "flow", whole_year=False) is None


def test_a_flows_year_end_figure_compares_only_when_it_is_the_whole_years_amount():
    december = Reading(datetime.date(2026, 12, 31), D(30))
    march = Reading(datetime.date(2026, 3, 31), D(30))
    # December's own amount (reported by period) is no year; nor is a March total.
    assert change_since(december, None, 2023, D(100), "flow", whole_year=False) is None
    assert change_since(march, None, 2023, D(100), "flow", whole_year=True) is None
    assert change_since(december, None, 2023, D(100), "flow", whole_year=True).is_baseline


def test_a_figure_of_the_baseline_year_itself_is_compared_with_nothing():
    latest = Reading(datetime.date(2023, 12, 31), D(2085))
    assert change_since(latest, None, 2023, D(2000), "stock", whole_year=False) is None


# --- the first day ----------------------------------------------------------------------


def test_on_the_first_day_no_department_is_red(first_day, client, article, department):
    # The article's figures go back to 2023, long before the tracker existed.
    Indicator.objects.update(department=department)
    html = client.get("/en/departments/").content.decode()
    assert "no periods due yet" in html
    assert "code-red" not in html


# --- the unit-slip guard on first figures and year-to-date totals --------------------------


def warning_for(indicator, period_end, value, language="en"):
    with translation.override(language):
        return Actual(indicator=indicator).unconfirmed_warning(
            indicator, period_end, Decimal(value), False, ""
        )


def test_a_first_figure_a_thousand_times_the_baseline_is_held_naming_the_unit(article, settings):
    indicator = Indicator.objects.get(code="high-tech-enterprises")  # baseline 超过2000家
    warning = warning_for(indicator, datetime.date(2026, 3, 31), "2100000", "zh-hans")
    assert "家、万家" in warning
    assert warning_for(indicator, datetime.date(2026, 3, 31), "2085") is None


def test_a_first_figure_is_checked_against_the_target_when_there_is_no_baseline(article):
    indicator = Indicator.objects.get(code="synbio-valuation")  # 2024 target 超400亿元
    chinese = warning_for(indicator, datetime.date(2024, 3, 31), "400000", "zh-hans")
    assert "元、万元、亿元" in chinese
    english = warning_for(indicator, datetime.date(2024, 3, 31), "400000")
    assert "(yuan / 10,000 yuan / 100 million yuan" in english
    assert "亿元" not in english
    assert warning_for(indicator, datetime.date(2024, 3, 31), "120") is None


def test_a_year_to_date_total_that_falls_is_held(make_indicator, make_actual):
    indicator = make_indicator(value_type="flow", reported_as="year_to_date", unit="亿元")
    make_actual(indicator, period_end=datetime.date(2025, 3, 31), value="30")
    assert "cannot fall" in warning_for(indicator, datetime.date(2025, 6, 30), "25")


def test_a_year_to_date_total_doubling_from_q1_to_h1_is_not_a_jump(make_indicator, make_actual):
    indicator = make_indicator(value_type="flow", reported_as="year_to_date", unit="亿元")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="58")
    make_actual(indicator, period_end=datetime.date(2025, 3, 31), value="30")
    # Compared with 1–6月 of 2024 (58), not with 1–3月 of 2025 (30).
    assert warning_for(indicator, datetime.date(2025, 6, 30), "62") is None
    assert "same period a year earlier" in warning_for(indicator, datetime.date(2025, 6, 30), "99")


# --- judged rows in the database ------------------------------------------------------------


def test_the_judged_row_of_an_open_year_is_judged_again_when_the_year_closes(
    anonymous, article, make_actual
):
    synbio = Indicator.objects.get(code="synbio-valuation")
    make_actual(synbio, period_end=datetime.date(2024, 9, 30), value="300")
    with time_machine.travel(datetime.datetime(2024, 12, 31, 12, tzinfo=SHANGHAI)):
        before = anonymous.get("/en/?year=2024&status=unknown_pace").content.decode()
    with time_machine.travel(datetime.datetime(2025, 1, 1, 9, tzinfo=SHANGHAI)):
        after = anonymous.get("/en/?year=2024&status=no_final_figure").content.decode()
    assert "Synthetic biology cluster valuation" in before
    assert "Synthetic biology cluster valuation" in after
    assert Judgement.objects.get(indicator=synbio, year=2024).status == "no_final_figure"


def test_a_change_to_an_indicator_removes_its_judged_rows_in_the_same_transaction(
    anonymous, article
):
    anonymous.get("/en/")
    synbio = Indicator.objects.get(code="synbio-valuation")
    assert Judgement.objects.filter(indicator=synbio).exists()
    Indicator.objects.filter(pk=synbio.pk).update(release_lag_days=30)
    assert not Judgement.objects.filter(indicator=synbio).exists()


def test_on_1_december_2026_the_indicator_page_words_each_year_as_it_stands(
    anonymous, make_indicator, make_actual, source
):
    # Three years of a quarterly stock: 2024 ended short of its target, 2025 is over and
    # its December figure is overdue, 2026 is open and judged on pace.
    indicator = make_indicator(target="400", is_public=True, release_lag_days=15)
    for year, value in ((2025, "450"), (2026, "500")):
        Target.objects.create(
            indicator=indicator, year=year, value=D(value), qualifier="reach", source=source
        )
    for end, value in (("2024-12-31", "380"), ("2025-09-30", "440"), ("2026-09-30", "470")):
        make_actual(indicator, period_end=datetime.date.fromisoformat(end), value=value)
    page = f"/en/indicators/{indicator.code}/?year="
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)):
        words = {
            year: anonymous.get(f"{page}{year}").content.decode() for year in (2024, 2025, 2026)
        }
        chinese = anonymous.get(f"/indicators/{indicator.code}/?year=2026").content.decode()
    assert "2024 is over; the year-end figure is 95% of the target: missed." in words[2024]
    assert "2025 is over and its year-end figure, due by Jan. 15, 2026, was never" in words[2025]
    assert "By September 2026: 94% of the target" in words[2026]
    assert "截至2026年9月：已完成目标的94%" in chinese

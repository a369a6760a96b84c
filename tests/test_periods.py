"""Reporting periods at their edges (kpis/periods.py): the day a period ends, the day its
figure is due, the first day of reporting, the scorecard's window and thresholds. Pure
functions, no database; each test names the day that decides."""

import datetime

import pytest

from kpis.periods import (
    DuePeriod,
    Owned,
    Timeliness,
    due_periods,
    is_quarter_end,
    last_quarter_end,
    quarter_end,
    quarter_of,
    timeliness,
)

DAY = datetime.timedelta(days=1)


def test_a_period_ending_today_is_not_due_yet():
    today = datetime.date(2026, 6, 30)
    due = due_periods("quarterly", 2026, today, reported=set())
    assert [period.period_end for period in due] == [datetime.date(2026, 3, 31)]


def test_a_period_is_overdue_the_day_after_its_deadline_not_on_it():
    period = DuePeriod(datetime.date(2026, 9, 30), deadline=datetime.date(2026, 10, 15))
    assert not period.is_overdue(datetime.date(2026, 10, 15))
    assert period.is_overdue(datetime.date(2026, 10, 16))  # not to back-fill unless told


def test_the_period_that_ends_on_the_first_day_of_reporting_is_owed_not_back_filled():
    starts = datetime.date(2026, 3, 31)
    due = due_periods("quarterly", 2026, datetime.date(2026, 7, 1), set(), 15, starts)
    assert [(period.period_end.month, period.backfill) for period in due] == [
        (3, False),
        (6, False),
    ]


def annual(first_year=2024, lag_days=15):
    return [Owned("r-and-d", "annual", first_year, lag_days)]


def test_the_scorecard_counts_a_deadline_falling_today_and_not_one_a_year_ago():
    # The 2025 figure is due on 15 January 2026, the 2024 figure on 15 January 2025:
    # exactly 365 days before, just outside the window.
    today = datetime.date(2026, 1, 15)
    assert timeliness(annual(), {}, today).due == 1
    assert timeliness(annual(), {}, today + DAY).due == 1
    assert timeliness(annual(), {}, today - DAY).due == 1  # then it is the 2024 one


def test_the_scorecard_counts_the_period_that_ends_on_the_first_day_of_reporting():
    today = datetime.date(2026, 1, 20)
    starts = datetime.date(2025, 12, 31)
    assert timeliness(annual(), {}, today, reporting_starts=starts).due == 1
    assert timeliness(annual(), {}, today, reporting_starts=starts + DAY).due == 0


def test_exactly_ninety_per_cent_on_time_is_green_and_exactly_seventy_yellow():
    assert Timeliness(on_time=9, days_late=[3]).code == "green"
    assert Timeliness(on_time=7, days_late=[3, 3, 3]).code == "yellow"
    assert Timeliness(on_time=6, days_late=[3, 3, 3, 3]).code == "red"
    assert Timeliness().code == "none"


def test_nothing_late_is_zero_days_late():
    assert Timeliness(on_time=4).median_days_late == 0
    assert Timeliness(on_time=1, days_late=[2, 10, 30]).median_days_late == 10


@pytest.mark.parametrize(
    ("day", "quarter", "end", "last_over"),
    [
        (datetime.date(2026, 1, 1), 1, datetime.date(2026, 3, 31), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 3, 31), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 4, 1), 2, datetime.date(2026, 6, 30), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 12, 6), 4, datetime.date(2026, 12, 31), datetime.date(2026, 9, 30)),
    ],
)
def test_a_days_quarter_its_end_and_the_last_quarter_over_by_it(day, quarter, end, last_over):
    assert (quarter_of(day), quarter_end(day), last_quarter_end(day)) == (quarter, end, last_over)
    assert is_quarter_end(end) and not is_quarter_end(end - datetime.timedelta(days=1))

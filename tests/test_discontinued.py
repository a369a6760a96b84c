"""An end to an indicator (停止统计): discontinued after its last period reported, with a
public reason and optionally the indicator that replaces it. No period after it is due
(my updates, reminders, the scorecard), it is never stale, and its page, its year strip and
its replacement's page say so. Today is 6 December 2026."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kpis import periods
from kpis.models import Department, Indicator
from tests.conftest import SHANGHAI

LAST_PERIOD = datetime.date(2025, 12, 31)
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture
def today(settings):
    settings.REPORTING_STARTS = datetime.date(2024, 1, 1)
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def replacement(make_indicator, other_department):
    return make_indicator(
        code="new-index", name="新指数", name_en="New index", department=other_department
    )


@pytest.fixture
def stopped(make_indicator, make_actual, department, replacement):
    """Quarterly since 2024; discontinued after its 2025 year-end figure."""
    indicator = make_indicator(
        code="old-index",
        name="旧指数",
        name_en="Old index",
        department=department,
        discontinued_after=LAST_PERIOD,
        discontinued_reason="统计局2026年起停止统计，由新指数替代。",
        discontinued_reason_en="No longer compiled from 2026; the new index replaces it.",
        replaced_by=replacement,
        target="10",
    )
    for end in periods.period_ends("quarterly", 2024) + periods.period_ends("quarterly", 2025):
        make_actual(indicator, period_end=end, value="5")
    return indicator


def test_no_period_after_the_last_one_reported_is_due():
    due = periods.due_periods(
        "quarterly", 2025, TODAY, reported=set(), last_period_end=datetime.date(2025, 6, 30)
    )
    assert [period.period_end for period in due] == [
        datetime.date(2025, 3, 31),
        datetime.date(2025, 6, 30),
    ]


def test_the_last_figure_of_a_discontinued_indicator_is_never_stale():
    assert periods.is_stale(LAST_PERIOD, "quarterly", TODAY, 15)
    assert not periods.is_stale(LAST_PERIOD, "quarterly", TODAY, 15, last_period_end=LAST_PERIOD)


def test_the_scorecard_counts_no_period_after_the_last_one(today):
    owned = [periods.Owned("old", "quarterly", 2024, 15, last_period_end=LAST_PERIOD)]
    figures = {("old", datetime.date(2025, 9, 30)): (datetime.date(2025, 10, 10), False)}
    figures[("old", LAST_PERIOD)] = (datetime.date(2026, 1, 10), False)
    timeliness = periods.timeliness(owned, figures, TODAY)
    assert (timeliness.on_time, timeliness.days_late) == (1, [])


def test_my_updates_and_reminders_ask_for_no_period_of_2026(stopped, today):
    indicator = Indicator.objects.filter(pk=stopped.pk).due_work(TODAY)[0]
    # Only the back-filling of 2023 (the year before its first target) is asked for.
    assert [period.period_end.year for period in indicator.due] == [2023] * 4


def test_the_scorecard_of_its_department_is_not_marked_down_for_2026(stopped, today):
    department = next(
        d for d in Department.objects.timeliness_list(TODAY) if d.pk == stopped.department_id
    )
    # The year's window holds one deadline of the old index, its 2025 Q4 figure's (15
    # January 2026); none of 2026's periods.
    assert department.timeliness.due == 1


def test_open_data_says_it_is_not_stale(stopped, anonymous, today):
    row = anonymous.get("/data/progress.json?year=2024").json()["indicators"]
    old = next(item for item in row if item["code"] == "old-index")
    assert (old["stale"], old["discontinued_after"]) == (False, "2025-12-31")


def test_its_page_and_year_strip_say_it_was_discontinued_and_link_the_replacement(
    stopped, anonymous, today
):
    html = anonymous.get("/en/indicators/old-index/").content.decode()
    assert "discontinued after Dec. 31, 2025" in html
    assert "No longer compiled from 2026; the new index replaces it." in html
    assert 'Replaced by <a href="/en/indicators/new-index/">New index</a>' in html


def test_the_replacement_links_back(stopped, anonymous, today):
    html = anonymous.get("/indicators/new-index/").content.decode()
    assert '替代 <a href="/indicators/old-index/">旧指数</a>' in html


def test_a_discontinued_indicator_without_its_reason_is_refused_naming_the_field(
    make_indicator, db
):
    indicator = make_indicator()
    indicator.discontinued_after = LAST_PERIOD
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "discontinued_reason" in refused.value.message_dict


def test_discontinued_after_must_be_the_end_of_a_period(make_indicator, db):
    indicator = make_indicator(frequency="quarterly")
    indicator.discontinued_after, indicator.discontinued_reason = datetime.date(2025, 11, 30), "停"
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "discontinued_after" in refused.value.message_dict


@pytest.fixture
def stopped_mid_year(make_indicator, make_actual, source, department):
    """Quarterly, with a 2026 target, discontinued after its 2026 second quarter: on 6
    December 2026 its third quarter would be overdue (due 15 October) had it gone on."""
    indicator = make_indicator(
        code="stopped-2026",
        department=department,
        release_lag_days=15,
        discontinued_after=datetime.date(2026, 6, 30),
        discontinued_reason="2026年7月起停止统计。",
    )
    indicator.targets.create(year=2026, value=100, source=source, quote="2026年达100。")
    for end, value in ((datetime.date(2026, 3, 31), "20"), (datetime.date(2026, 6, 30), "45")):
        make_actual(indicator, period_end=end, value=value)
    return indicator


def test_a_discontinued_indicator_is_never_overdue(stopped_mid_year, anonymous, today):
    rows = anonymous.get("/data/progress.json?year=2026").json()["indicators"]
    row = next(item for item in rows if item["code"] == "stopped-2026")
    assert row["status"] != "overdue"
    assert (row["stale"], row["pace_status"]) == (False, None)
    html = anonymous.get("/en/?status=overdue").content.decode()
    assert "stopped-2026" not in html


def test_the_same_indicator_not_discontinued_would_read_overdue(stopped_mid_year, anonymous, today):
    # The rule above is the discontinuation's doing: without it the row is overdue.
    Indicator.objects.filter(pk=stopped_mid_year.pk).update(discontinued_after=None)
    rows = anonymous.get("/data/progress.json?year=2026").json()["indicators"]
    row = next(item for item in rows if item["code"] == "stopped-2026")
    assert (row["status"], row["stale"]) == ("overdue", True)

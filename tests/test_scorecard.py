import datetime

import pytest
from django.utils import timezone

from kpis.periods import timeliness

# These periods fall after reporting started here, so they can be late.
pytestmark = pytest.mark.usefixtures("reporting_since_2024")

TODAY = datetime.date(2025, 1, 20)
Q1, Q2, Q3, Q4 = (datetime.date(2024, m, d) for m, d in [(3, 31), (6, 30), (9, 30), (12, 31)])


def test_periods_submitted_by_the_deadline_are_on_time_and_the_rest_count_days_late():
    figures = {
        (1, Q1): (datetime.date(2024, 4, 10), False),  # 5 days before its deadline
        (1, Q2): (datetime.date(2024, 7, 20), True),  # 5 days late, revised later
        (1, Q4): (datetime.date(2025, 1, 15), False),  # on the deadline day
    }  # Q3 never reported: 97 days late by 20 January
    result = timeliness([(1, "quarterly", 2024)], figures, TODAY)
    assert (result.due, result.on_time, result.revised) == (4, 2, 1)
    assert (result.median_days_late, result.code) == (51, "red")


MONTH_ENDS_2024 = [
    datetime.date(2024, month, 28) + datetime.timedelta(days=4) for month in range(1, 13)
]
MONTH_ENDS_2024 = [day - datetime.timedelta(days=day.day) for day in MONTH_ENDS_2024]


@pytest.mark.parametrize(
    ("on_time", "code"), [(12, "green"), (11, "green"), (10, "yellow"), (9, "yellow"), (8, "red")]
)
def test_colour_code_follows_the_written_rule(on_time, code):
    # Twelve monthly deadlines fall in the year before 20 January 2025: January to December.
    figures = {(1, end): (end, False) for end in MONTH_ENDS_2024[:on_time]}
    result = timeliness([(1, "monthly", 2024)], figures, TODAY)
    assert (result.due, result.on_time, result.code) == (12, on_time, code)


def test_nothing_due_has_no_colour():
    assert timeliness([], {}, TODAY).code == "none"


@pytest.fixture
def reporting(make_indicator, department, make_actual, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    indicator = make_indicator(department=department, frequency="quarterly", target="10")
    on_time = timezone.make_aware(datetime.datetime(2024, 4, 10, 9))
    make_actual(indicator, period_end=Q1, value=1, first_submitted_at=on_time)
    make_actual(
        indicator, period_end=Q2, value=2, first_submitted_at=on_time.replace(month=7, day=20)
    )
    make_actual(indicator, period_end=Q3, value=3, status="submitted", first_submitted_at=on_time)
    hidden = make_indicator(department=department, frequency="quarterly", is_public=False)
    make_actual(hidden, period_end=Q1, value=1, first_submitted_at=on_time)
    return indicator


def scorecard_rows(html):
    body = html.split('<table class="scorecard">', 1)[1].split("</tbody>", 1)[0]
    return [" ".join(row.split()) for row in body.split("<tr>")[2:]]


def test_scorecard_page_shows_each_departments_punctuality(anonymous, reporting):
    rows = scorecard_rows(anonymous.get("/en/departments/").content.decode())
    assert len(rows) == 1 and "Science Bureau" in rows[0]
    # Four periods due; only Q1 on time; the unpublished Q3 counts as not reported.
    assert '"Periods due">4<' in rows[0] and '"On time">1 (25%)<' in rows[0]
    assert "red" in rows[0]


def test_scorecard_writes_its_colour_rule_next_to_it(anonymous, reporting):
    html = anonymous.get("/en/departments/").content.decode()
    assert "green: 90% or more of the periods on time" in html


def test_periods_before_the_first_target_year_are_not_counted():
    assert timeliness([(1, "quarterly", 2025)], {}, TODAY).due == 0

"""The review page (/my/figures/<pk>/) and the admin change page give a reviewer everything
needed to judge a figure, and let them publish or return it."""

import datetime
from decimal import Decimal

import pytest

from kpis.forms import ActualForm
from kpis.models import Actual

JUNE = datetime.date(2024, 6, 30)


@pytest.fixture
def indicator(make_indicator, department):
    return make_indicator(
        target="100",
        department=department,
        baseline_year=2023,
        baseline_value=Decimal("20"),
        baseline_qualifier="over",
    )


@pytest.fixture
def submitted(indicator, official, make_actual):
    make_actual(indicator, period_end=datetime.date(2023, 6, 30), value="30")
    make_actual(indicator, period_end=datetime.date(2023, 12, 31), value="40")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="50")
    actual = make_actual(
        indicator,
        period_end=JUNE,
        value="60",
        status=Actual.Status.DRAFT,
        entered_by=official,
        note="按季度统计口径",
        evidence_url="https://www.gm.gov.cn/q2",
    )
    actual.submit(official)
    actual.save()
    return actual


def review_page(client, user, actual, prefix="/en"):
    client.force_login(user)
    return client.get(f"{prefix}/my/figures/{actual.pk}/").content.decode()


def test_review_page_shows_department_official_evidence_and_note(client, reviewer, submitted):
    html = review_page(client, reviewer, submitted)
    assert "Science Bureau" in html and "official" in html
    assert 'href="https://www.gm.gov.cn/q2"' in html
    assert "按季度统计口径" in html


def test_review_page_shows_baseline_and_target_of_the_figures_year(client, reviewer, submitted):
    html = review_page(client, reviewer, submitted)
    assert "more than 20 enterprises (2023)" in html
    assert "Target 2024" in html and "100 enterprises" in html


def test_review_page_compares_with_earlier_figures_and_the_same_period_a_year_earlier(
    client, reviewer, submitted
):
    html = review_page(client, reviewer, submitted)
    # 60 against 50 (the last quarter) and against 30 (June 2023, a year earlier).
    assert "+10 enterprises (+20.0%)" in html
    assert "(a year earlier)" in html and "+30 enterprises (+100.0%)" in html


def test_comparisons_are_the_last_four_published_figures_and_a_year_earlier(
    make_indicator, make_actual
):
    indicator = make_indicator(frequency="monthly")
    make_actual(indicator, period_end=datetime.date(2023, 6, 30), value="3")
    for month, day in ((1, 31), (2, 29), (3, 31), (4, 30), (5, 31)):
        make_actual(indicator, period_end=datetime.date(2024, month, day), value="5")
    actual = make_actual(indicator, period_end=JUNE, value="8", status="draft")
    comparisons = actual.comparisons()
    assert [(c.period_end.month, c.year_earlier) for c in comparisons] == [
        (5, False),
        (4, False),
        (3, False),
        (2, False),
        (6, True),
    ]
    assert comparisons[-1].change == 5


def test_review_page_shows_the_guards_warning_the_official_confirmed(
    client, reviewer, official, indicator, make_actual
):
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="50")
    form = ActualForm(
        {
            "indicator": indicator.pk,
            "period_end": "2024-06-30",
            "value": "5000",
            "note": "口径调整",
            "confirm_unusual": "on",
        },
        user=official,
    )
    assert form.is_valid(), form.errors
    actual = form.save()
    # The warning is kept as the official read it when confirming, here in Chinese.
    html = review_page(client, reviewer, actual, prefix="")
    assert "+9900%" in html
    assert "The official confirmed it" in review_page(client, reviewer, actual)


def test_earlier_return_reason_stays_visible_after_resubmission(
    client, reviewer, official, submitted
):
    submitted.return_for_correction(reviewer, "请附统计局文件")
    submitted.save()
    submitted.status = Actual.Status.DRAFT
    submitted.submit(official)
    submitted.save()
    html = review_page(client, reviewer, submitted)
    assert "Returned before" in html and "请附统计局文件" in html


def test_history_lists_notes_and_return_reasons(client, reviewer, official, submitted):
    submitted.return_for_correction(reviewer, "数值偏高")
    submitted.save()
    html = review_page(client, official, submitted)
    history = html.split("<h2>History</h2>")[-1]
    assert "数值偏高" in history and "按季度统计口径" in history


def test_reviewer_publishes_from_the_admin_change_page(client, reviewer, submitted):
    client.force_login(reviewer)
    page = client.get(f"/admin/kpis/actual/{submitted.pk}/change/").content.decode()
    assert f'action="/admin/kpis/actual/{submitted.pk}/review/"' in page
    assert 'href="https://www.gm.gov.cn/q2"' in page
    client.post(f"/admin/kpis/actual/{submitted.pk}/review/", {"publish": ""})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by) == ("published", reviewer)


def test_reviewer_returns_from_the_admin_change_page_with_a_reason(client, reviewer, submitted):
    client.force_login(reviewer)
    client.post(f"/admin/kpis/actual/{submitted.pk}/review/", {"reason": "缺少证明材料"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.return_reason) == ("returned", "缺少证明材料")


def test_admin_change_page_keeps_the_four_eyes_rule(client, reviewer, submitted):
    Actual.objects.filter(pk=submitted.pk).update(entered_by=reviewer)
    client.force_login(reviewer)
    client.post(f"/admin/kpis/actual/{submitted.pk}/review/", {"publish": ""})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_admin_review_needs_the_reviewer_permission(client, official, submitted):
    client.force_login(official)
    response = client.post(f"/admin/kpis/actual/{submitted.pk}/review/", {"publish": ""})
    submitted.refresh_from_db()
    assert (response.status_code, submitted.status) == (403, "submitted")


def test_bulk_return_may_ask_for_a_public_explanation(client, reviewer, submitted):
    client.force_login(reviewer)
    client.post(
        "/admin/kpis/actual/",
        {
            "action": "return_selected",
            "_selected_action": [submitted.pk],
            "reason": "请补充情况说明",
            "ask_for_explanation": "on",
        },
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.explanation_requested) == ("returned", True)

import datetime
import re

import pytest
from django.utils import timezone

from kpis.models import Actual
from kpis.periods import due_periods


def test_periods_are_due_once_ended_and_overdue_after_fifteen_days():
    today = datetime.date(2024, 7, 10)
    due = due_periods("quarterly", 2024, today, reported=set())
    assert [period.period_end for period in due] == [
        datetime.date(2024, 3, 31),
        datetime.date(2024, 6, 30),
    ]
    assert [period.is_overdue(today) for period in due] == [True, False]


def test_reported_periods_are_not_due():
    due = due_periods("monthly", 2024, datetime.date(2024, 4, 2), {datetime.date(2024, 2, 29)})
    assert [period.period_end.month for period in due] == [1, 3]


@pytest.fixture
def own_indicator(make_indicator, department):
    return make_indicator(target="100", department=department, name="本部门指标")


@pytest.fixture
def foreign_indicator(make_indicator, other_department):
    return make_indicator(target="100", department=other_department, name="外部门指标")


def test_my_updates_lists_due_periods_of_my_departments_only(
    client, official, own_indicator, foreign_indicator
):
    client.force_login(official)
    html = client.get("/my/").content.decode()
    assert "本部门指标" in html
    assert "外部门指标" not in html
    assert f"/my/enter/{own_indicator.code}/2024-03-31/" in html


def test_a_long_backlog_shows_this_year_first_overdue_on_top_and_folds_the_back_fill(
    reporting_since_2024, client, official, own_indicator, monkeypatch
):
    # Quarterly from 2023, the year before its first target (so 2023 can be back-filled); by
    # mid-July 2025 ten quarters have ended without a figure, four of them before reporting
    # started (issue #27: this year was under the fold, back-fill on top).
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2025, 7, 20))
    client.force_login(official)
    html = client.get("/en/my/").content.decode().split('<div class="due-card">')[1]
    shown, folded = html.split('<details class="more-periods">', 1)
    assert re.findall(r">Enter ([^<]+)</a>", shown) == [
        "Q2 2025",
        "Q1 2025",
        "Q4 2024",
        "Q3 2024",
        "Q2 2024",
        "Q1 2024",
    ]
    assert "<summary>4 periods to back-fill</summary>" in folded
    assert re.findall(r">Enter ([^<]+)</a>", folded) == ["Q4 2023", "Q3 2023", "Q2 2023", "Q1 2023"]


def test_an_overdue_period_of_this_year_comes_before_one_still_within_its_lag(
    reporting_since_2024, client, official, own_indicator, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 10, 5))
    client.force_login(official)
    html = client.get("/en/my/").content.decode().split('<div class="due-card">')[1]
    assert re.findall(r">Enter ([^<]+)</a>", html)[:3] == ["Q2 2024", "Q1 2024", "Q3 2024"]


def test_official_enters_and_submits_a_figure_in_one_step(client, official, own_indicator):
    client.force_login(official)
    response = client.post(
        f"/my/enter/{own_indicator.code}/2024-03-31/",
        {"value": "12", "note": "", "evidence_url": "", "submit": ""},
    )
    actual = Actual.objects.get()
    assert response.url == f"/my/figures/{actual.pk}/"
    assert (actual.status, actual.value, actual.entered_by) == ("submitted", 12, official)


def test_an_evidence_link_typed_without_a_scheme_is_saved_as_https(client, official, own_indicator):
    client.force_login(official)
    client.post(
        f"/my/enter/{own_indicator.code}/2024-03-31/",
        {"value": "12", "note": "", "evidence_url": "www.gm.gov.cn/report-2024q1.pdf"},
    )
    assert Actual.objects.get().evidence_url == "https://www.gm.gov.cn/report-2024q1.pdf"


def test_entry_form_shows_errors_in_chinese_and_keeps_the_input(client, official, own_indicator):
    client.force_login(official)
    response = client.post(
        f"/my/enter/{own_indicator.code}/2024-03-31/", {"value": "-5", "note": "草稿"}
    )
    html = response.content.decode()
    assert "数量和金额不能为负数。" in html
    assert "草稿" in html
    assert re.search(r'<textarea[^>]*name="note"[^>]*>\s*草稿</textarea>', html)
    assert 'name="value" value="-5"' in html
    assert not Actual.objects.exists()


def test_returned_figures_show_their_reason_on_my_updates(
    client, official, reviewer, own_indicator, make_actual
):
    actual = make_actual(own_indicator, value=9, entered_by=official, status="draft")
    actual.submit(official)
    actual.return_for_correction(reviewer, "请附统计报表")
    actual.save()
    client.force_login(official)
    assert "请附统计报表" in client.get("/my/").content.decode()


def test_reviewer_sees_submitted_figures_and_publishes_one(
    client, official, reviewer, own_indicator, make_actual
):
    actual = make_actual(own_indicator, value=9, entered_by=official, status="submitted")
    client.force_login(reviewer)
    assert f"/my/figures/{actual.pk}/" in client.get("/my/").content.decode()
    client.post(f"/my/figures/{actual.pk}/review/", {"publish": ""})
    actual.refresh_from_db()
    assert (actual.status, actual.published_value) == ("published", 9)


def test_reviewer_returns_a_figure_with_a_reason(
    client, official, reviewer, own_indicator, make_actual
):
    actual = make_actual(own_indicator, value=9, entered_by=official, status="submitted")
    client.force_login(reviewer)
    client.post(f"/my/figures/{actual.pk}/review/", {"return": "", "reason": "数值有误"})
    actual.refresh_from_db()
    assert (actual.status, actual.return_reason) == ("returned", "数值有误")


def test_my_updates_needs_a_login(anonymous):
    response = anonymous.get("/my/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_saving_only_the_note_of_a_published_figure_keeps_it_published(
    client, official, reviewer, own_indicator, make_actual
):
    actual = make_actual(own_indicator, value=9, entered_by=official)
    client.force_login(official)
    response = client.post(
        f"/my/figures/{actual.pk}/",
        {"value": "9", "note": "补充说明", "seen_version": actual.version, "submit": ""},
    )
    actual.refresh_from_db()
    assert response.status_code == 302
    assert (actual.status, actual.note, actual.entered_by) == ("published", "补充说明", official)


def test_a_note_added_by_someone_else_does_not_change_who_entered_the_value(
    official, reviewer, own_indicator, make_actual
):
    actual = make_actual(own_indicator, value=9, entered_by=official, status="draft")
    actual.note = "审核前补充"
    actual.record_entry(reviewer)
    assert actual.entered_by == official
    actual.value = 10
    actual.record_entry(reviewer)
    assert actual.entered_by == reviewer


def test_evidence_field_lets_the_browser_send_a_link_without_a_scheme(
    client, official, own_indicator
):
    client.force_login(official)
    html = client.get(f"/my/enter/{own_indicator.code}/2024-03-31/").content.decode()
    evidence = re.search(r'<input[^>]*name="evidence_url"[^>]*>', html).group(0)
    assert 'type="text"' in evidence and 'inputmode="url"' in evidence


def test_my_updates_lists_my_figures_waiting_for_review(
    client, official, own_indicator, make_actual
):
    make_actual(own_indicator, value=9, entered_by=official, status="submitted")
    client.force_login(official)
    html = client.get("/en/my/").content.decode()
    waiting = html.split("Submitted, waiting for review")[1].split("</section>")[0]
    assert "Indicator 1" in waiting


def test_my_updates_lists_figures_published_in_the_last_30_days_only(
    client, official, own_indicator, make_actual
):
    make_actual(own_indicator, period_end=datetime.date(2024, 6, 30), value=9)
    long_ago = timezone.now() - datetime.timedelta(days=40)
    make_actual(own_indicator, period_end=datetime.date(2024, 3, 31), value=8, reviewed_at=long_ago)
    client.force_login(official)
    html = client.get("/en/my/").content.decode()
    published = html.split("Published in the last 30 days")[1].split("</section>")[0]
    assert "2024-06-30" in published and "2024-03-31" not in published


def save_and_submit(client, official, indicator, prefix=""):
    """The page the official lands on after "save and submit" of a March figure."""
    client.force_login(official)
    response = client.post(
        f"{prefix}/my/enter/{indicator.code}/2024-03-31/",
        {"value": "12", "note": "", "evidence_url": "", "submit": ""},
        follow=True,
    )
    return response.content.decode()


def test_save_and_submit_says_submitted_with_the_english_name_on_english_pages(
    client, official, own_indicator
):
    html = save_and_submit(client, official, own_indicator, prefix="/en")
    assert "Submitted for review: Indicator 1 2024-03-31" in html


def test_save_and_submit_says_so_in_chinese(client, official, own_indicator):
    html = save_and_submit(client, official, own_indicator)
    assert "已提交审核：本部门指标 2024-03-31" in html


def test_publishing_says_published_in_the_pages_language(
    client, official, reviewer, own_indicator, make_actual
):
    actual = make_actual(own_indicator, value=9, entered_by=official, status="submitted")
    client.force_login(reviewer)
    response = client.post(f"/my/figures/{actual.pk}/review/", {"publish": ""}, follow=True)
    assert "已发布：本部门指标 2024-06-30" in response.content.decode()


def test_on_the_first_day_earlier_periods_are_to_back_fill_not_overdue(
    first_day, client, official, own_indicator
):
    # Reporting starts today: the years before are welcome, never late.
    client.force_login(official)
    html = client.get("/en/my/").content.decode()
    assert ">Enter Q1 2023</a>" in html
    assert "to back-fill" in html
    assert "overdue" not in html.split('id="due-heading"')[1]

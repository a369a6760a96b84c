"""Public explanations (情况说明): required for a figure that leaves its indicator at risk or
behind, reviewed and published with the figure, and shown to the public only once published."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from kpis.models import Actual
from reports.snapshots import take_snapshot

MARCH = datetime.date(2024, 3, 31)
JUNE = datetime.date(2024, 6, 30)
EXPLANATION = {
    "explanation_progress": "已完成两家企业入库",
    "explanation_problems": "受市场影响，融资放缓",
    "explanation_next_steps": "加快项目落地",
}


@pytest.fixture
def indicator(make_indicator, department):
    # From 0 at the end of 2023 to 100 by the end of 2024: 50 is expected by June.
    return make_indicator(
        target="100",
        department=department,
        baseline_year=2023,
        baseline_value=Decimal(0),
        code="enterprises",
        name="入库企业",
        name_en="Enterprises registered",
    )


def draft(indicator, official, value, period_end=JUNE, **fields):
    return Actual.objects.create(
        indicator=indicator,
        period_end=period_end,
        value=Decimal(value),
        entered_by=official,
        **fields,
    )


def publish(actual, official, reviewer):
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()


def test_a_figure_that_leaves_the_indicator_behind_needs_an_explanation(indicator, official):
    assert draft(indicator, official, "10").explanation_required()


def test_a_figure_short_of_pace_within_the_tolerance_needs_one_too(indicator, official):
    assert draft(indicator, official, "47").explanation_required()


def test_a_figure_on_track_needs_no_explanation(indicator, official):
    assert not draft(indicator, official, "50").explanation_required()


def test_a_figure_is_judged_as_of_its_own_period_not_by_later_ones(
    indicator, official, make_actual
):
    make_actual(indicator, period_end=JUNE, value="60")
    # 10 by March, where 25 was expected: behind, whatever June says.
    assert draft(indicator, official, "10", period_end=MARCH).explanation_required()


def test_submitting_without_a_required_explanation_is_refused(indicator, official):
    actual = draft(indicator, official, "10")
    with pytest.raises(ValidationError) as refusal:
        actual.submit(official)
    assert "情况说明" in refusal.value.messages[0]
    assert actual.status == "draft"


def test_save_and_submit_without_the_explanation_keeps_nothing_and_says_why(
    client, official, indicator
):
    client.force_login(official)
    response = client.post(
        f"/en/my/enter/{indicator.code}/2024-06-30/",
        {"value": "10", "note": "", "evidence_url": "", "submit": ""},
    )
    assert "Write the public explanation" in response.content.decode()
    assert not Actual.objects.exists()


def test_the_figure_page_says_an_explanation_is_required_before_submission(
    client, official, indicator
):
    actual = draft(indicator, official, "10")
    client.force_login(official)
    html = client.get(f"/en/my/figures/{actual.pk}/").content.decode()
    assert "Required: this figure leaves the indicator at risk" in html


def test_a_reviewer_may_return_any_figure_asking_for_an_explanation(
    indicator, official, reviewer, client
):
    actual = draft(indicator, official, "50")
    actual.submit(official)
    actual.save()
    client.force_login(reviewer)
    client.post(
        f"/my/figures/{actual.pk}/review/",
        {"reason": "请补充情况说明", "ask_for_explanation": "on"},
    )
    actual.refresh_from_db()
    actual.status = Actual.Status.DRAFT
    with pytest.raises(ValidationError):
        actual.submit(official)


def test_an_explanation_is_not_public_before_it_is_published(
    client, indicator, official, make_actual
):
    make_actual(indicator, period_end=MARCH, value="25")
    actual = draft(indicator, official, "10", **EXPLANATION)
    actual.submit(official)
    actual.save()
    page = client.get(f"/indicators/{indicator.code}/").content.decode()
    data = client.get("/data/progress.json").json()["indicators"][0]
    assert "融资放缓" not in page
    assert data["actual"]["explanation"] is None


def test_the_published_explanation_is_in_progress_json_as_the_contract_says(
    client, indicator, official, reviewer
):
    actual = draft(
        indicator, official, "10", explanation_problems_en="Financing slowed", **EXPLANATION
    )
    publish(actual, official, reviewer)
    row = client.get("/data/progress.json").json()["indicators"][0]
    assert row["actual"] == {
        "period_end": "2024-06-30",
        "value": "10",
        "explanation": {
            "progress": "已完成两家企业入库",
            "problems": "受市场影响，融资放缓",
            "next_steps": "加快项目落地",
            "en": {"progress": "", "problems": "Financing slowed", "next_steps": ""},
        },
    }


def test_the_indicator_page_shows_the_explanation_beside_the_figure(
    client, indicator, official, reviewer
):
    actual = draft(indicator, official, "10", **EXPLANATION)
    publish(actual, official, reviewer)
    page = client.get(f"/indicators/{indicator.code}/").content.decode()
    row = page.split("<tbody>")[-1].split("</tr>")[0]
    assert "10家" in row and "受市场影响，融资放缓" in row and "下一步措施" in row


def test_english_pages_show_the_english_explanation_where_there_is_one(
    client, indicator, official, reviewer
):
    actual = draft(
        indicator, official, "10", explanation_problems_en="Financing slowed", **EXPLANATION
    )
    publish(actual, official, reviewer)
    page = client.get(f"/en/indicators/{indicator.code}/").content.decode()
    assert '<dd lang="en">Financing slowed</dd>' in page
    # A part left without its English version is shown in Chinese, never dropped.
    assert '<dd lang="zh-Hans">已完成两家企业入库</dd>' in page


def test_a_corrected_explanation_stays_private_until_the_correction_is_published(
    client, indicator, official, reviewer
):
    actual = draft(indicator, official, "10", **EXPLANATION)
    publish(actual, official, reviewer)
    actual.explanation_problems = "新的说明"
    actual.record_entry(official)
    actual.save()
    row = client.get("/data/progress.json").json()["indicators"][0]
    assert actual.status == "draft"
    assert row["actual"]["explanation"]["problems"] == "受市场影响，融资放缓"


def test_the_explanation_is_kept_in_the_history(indicator, official, reviewer):
    actual = draft(indicator, official, "10", **EXPLANATION)
    publish(actual, official, reviewer)
    actual.explanation_problems = "新的说明"
    actual.record_entry(official)
    actual.save()
    problems = [record.explanation_problems for record in actual.history.order_by("history_date")]
    assert problems[0] == "受市场影响，融资放缓" and problems[-1] == "新的说明"


def test_csv_and_xlsx_carry_the_published_explanation(client, indicator, official, reviewer):
    actual = draft(indicator, official, "10", **EXPLANATION)
    publish(actual, official, reviewer)
    text = client.get("/data/progress.csv").content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/data/progress.xlsx").content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    cells = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
    assert row["explanation_problems"] == "受市场影响，融资放缓"
    assert cells["explanation_next_steps"] == "加快项目落地"
    assert row["explanation_problems_en"] == ""


def test_indicator_histories_carry_each_figures_published_explanation(
    client, indicator, official, reviewer
):
    actual = draft(indicator, official, "10", **EXPLANATION)
    publish(actual, official, reviewer)
    figures = json.loads(client.get(f"/data/indicators/{indicator.code}.json").content)
    text = client.get(f"/data/indicators/{indicator.code}.csv").content.decode("utf-8-sig")
    assert figures["figures"][0]["explanation"]["progress"] == "已完成两家企业入库"
    assert next(csv.DictReader(io.StringIO(text)))["explanation_progress"] == "已完成两家企业入库"


def test_snapshot_diffs_ignore_a_changed_explanation(indicator, official, reviewer):
    actual = draft(indicator, official, "10", **EXPLANATION)
    publish(actual, official, reviewer)
    first, _ = take_snapshot(datetime.date(2024, 7, 1), 2024)
    actual.explanation_problems = "新的说明"
    actual.record_entry(official)
    publish(actual, official, reviewer)
    second, _ = take_snapshot(datetime.date(2024, 7, 2), 2024)
    assert second.document != first.document
    assert second.changes_since(first) == []


def test_a_year_end_figure_short_of_the_target_needs_an_explanation(
    make_indicator, department, official
):
    indicator = make_indicator(target="100", department=department, frequency="annual")
    assert draft(
        indicator, official, "80", period_end=datetime.date(2024, 12, 31)
    ).explanation_required()


def test_a_year_end_figure_that_meets_the_target_needs_none(make_indicator, department, official):
    indicator = make_indicator(target="100", department=department, frequency="annual")
    year_end = datetime.date(2024, 12, 31)
    assert not draft(indicator, official, "100", period_end=year_end).explanation_required()


def test_the_admin_review_box_says_an_explanation_is_missing(client, reviewer, indicator, official):
    actual = draft(indicator, official, "10")
    Actual.objects.filter(pk=actual.pk).update(status=Actual.Status.SUBMITTED)
    client.force_login(reviewer)
    html = client.get(f"/admin/kpis/actual/{actual.pk}/change/").content.decode()
    assert "该数据须附情况说明" in html

"""The admin's "新建来源：从文件提取" pages: a manager turns a document into targets."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client

from kpis.models import Actual, Indicator, RejectedCandidate, Source, Target
from tests.conftest import make_user

SECOND_DOCUMENT = (
    "光明区2025年工作安排。\n2025年,光明区力争集群整体估值超500亿元,估值10亿元以上企业数量达15家。"
)


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client


def paste(client, text, title="光明区2025年工作安排", published_on="2025-01-20"):
    return client.post(
        "/admin/kpis/source/extract/",
        {"title": title, "publisher": "光明区人民政府", "published_on": published_on, "text": text},
    )


def rows(html):
    return re.findall(r"<tr>\s*<td>(.*?)</td>", html, flags=re.S)


def decide(client, source, quoted, action, code="synbio-valuation", **fields):
    """Press a row's button: the row of the figure that starts with `quoted`."""
    prefix = str(source.text.index(quoted))
    data = {"year": 2025, "value": "500", "qualifier": "over", "change_reason": ""} | fields
    data = {f"{prefix}-{key}": value for key, value in data.items()}
    indicator = Indicator.objects.get(code=code).pk
    data |= {f"{prefix}-figure_start": prefix, f"{prefix}-indicator": indicator}
    return client.post(
        f"/admin/kpis/source/{source.pk}/review/", {**data, "row": prefix, "action": action}
    )


def test_the_source_list_offers_the_extraction_page(manager_client):
    html = manager_client.get("/admin/kpis/source/").content.decode()
    assert "/admin/kpis/source/extract/" in html


def test_a_pasted_document_becomes_a_source_and_its_figures_are_proposed(manager_client):
    response = paste(manager_client, SECOND_DOCUMENT)
    source = Source.objects.get()
    assert response.url == f"/admin/kpis/source/{source.pk}/review/"
    html = manager_client.get(response.url).content.decode()
    assert rows(html)[0].startswith("2025年,光明区力争集群整体估值<mark>超500亿元</mark>")
    assert "<mark>超500亿元</mark>" in html and "<mark>达15家</mark>" in html


def test_the_seed_article_pasted_as_new_proposes_every_fixture_figure_with_its_indicator(
    article, manager_client, seed_text
):
    paste(manager_client, seed_text, "光明以科技赋能", "2024-01-31")
    source = Source.objects.get(title="光明以科技赋能")
    html = manager_client.get(f"/admin/kpis/source/{source.pk}/review/").content.decode()
    # Each row proposes its indicator by code, picked from the page's one list of indicators.
    selected = re.findall(r'name="\d+-indicator" value="([^"]+)"', html)
    expected = set(Indicator.objects.values_list("code", flat=True))
    assert set(selected) >= expected


def test_accepting_a_2025_target_puts_it_on_the_public_page_with_its_source(
    article, manager_client, anonymous
):
    paste(manager_client, SECOND_DOCUMENT)
    source = Source.objects.get(title="光明区2025年工作安排")
    decide(manager_client, source, "超500", "target")
    target = Target.objects.get(indicator__code="synbio-valuation", year=2025)
    assert (target.value, target.qualifier, target.source) == (500, "over", source)
    html = anonymous.get("/indicators/synbio-valuation/?year=2025").content.decode()
    assert "光明区2025年工作安排" in html


def test_an_accepted_figure_is_not_offered_again(article, manager_client):
    paste(manager_client, SECOND_DOCUMENT)
    source = Source.objects.get(title="光明区2025年工作安排")
    decide(manager_client, source, "超500", "target")
    html = manager_client.get(f"/admin/kpis/source/{source.pk}/review/").content.decode()
    assert html.count('value="reject"') == 1  # only the other figure still has its buttons


def test_changing_an_existing_target_needs_a_reason_as_in_the_admin(article, manager_client):
    paste(manager_client, SECOND_DOCUMENT.replace("2025年,", "2024年,"), published_on="2024-07-01")
    source = Source.objects.get(title="光明区2025年工作安排")
    decide(manager_client, source, "超500", "target", year=2024, change_reason="")
    assert Target.objects.get(indicator__code="synbio-valuation", year=2024).value == 400
    # A reason alone saves nothing either: the revision is confirmed explicitly (#26).
    decide(manager_client, source, "超500", "target", year=2024, change_reason="年中调整")
    assert Target.objects.get(indicator__code="synbio-valuation", year=2024).value == 400
    decide(
        manager_client,
        source,
        "超500",
        "target",
        year=2024,
        change_reason="年中调整",
        confirm_revision="on",
    )
    target = Target.objects.get(indicator__code="synbio-valuation", year=2024)
    assert (target.value, target.history.first().history_change_reason) == (500, "年中调整")


def test_a_rejected_figure_is_not_proposed_again_for_that_source(article, manager_client):
    paste(manager_client, SECOND_DOCUMENT)
    source = Source.objects.get(title="光明区2025年工作安排")
    decide(manager_client, source, "达15", "reject", code="synbio-billion-yuan-enterprises")
    html = manager_client.get(f"/admin/kpis/source/{source.pk}/review/").content.decode()
    assert "<mark>达15家</mark>" not in html
    assert RejectedCandidate.objects.get().value == "15"


def test_accepting_as_baseline_sets_the_indicators_baseline_and_quote(article, manager_client):
    paste(manager_client, "2024年全区专精特新企业增至800家。", published_on="2025-01-20")
    source = Source.objects.get(title="光明区2025年工作安排")
    decide(
        manager_client,
        source,
        "增至800",
        "baseline",
        code="srdi-enterprises",
        year=2024,
        value="800",
        qualifier="reach",
        change_reason="2024年底数",
    )
    indicator = Indicator.objects.get(code="srdi-enterprises")
    assert (indicator.baseline_year, indicator.baseline_value, indicator.source) == (
        2024,
        800,
        source,
    )


def test_an_official_cannot_open_the_extraction_pages(department):
    client = Client()
    client.force_login(make_user("clerk", "数据填报"))
    assert client.get("/admin/kpis/source/extract/").status_code == 403


def test_the_pasted_text_is_shown_escaped(manager_client):
    response = paste(manager_client, "<script>alert(1)</script>全区企业突破2000家。")
    html = manager_client.get(response.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;全区企业<mark>突破2000家</mark>" in html


def test_the_pages_carry_the_admins_own_header(manager_client):
    html = manager_client.get("/admin/kpis/source/extract/").content.decode()
    assert "光明区" in html.split("</header>")[0]  # the site header, not "Django 管理"


def test_a_result_entered_as_draft_waits_for_the_usual_review(article, admin_user, anonymous):
    client = Client()
    client.force_login(admin_user)
    paste(client, "2024年全区专精特新企业增至800家。", published_on="2025-01-20")
    source = Source.objects.get(title="光明区2025年工作安排")
    fields = {"year": 2024, "value": "800", "qualifier": "reach"}
    decide(client, source, "增至800", "draft", code="srdi-enterprises", **fields)
    actual = Actual.objects.get(indicator__code="srdi-enterprises")
    assert (actual.period_end.isoformat(), actual.status, actual.entered_by) == (
        "2024-12-31",
        "draft",
        admin_user,
    )
    assert "2024年全区专精特新企业增至800家。" in actual.note
    assert "800" not in anonymous.get("/indicators/srdi-enterprises/").content.decode()


def test_a_manager_outside_the_departments_is_not_offered_draft_entry(article, manager_client):
    paste(manager_client, "2024年全区专精特新企业增至800家。", published_on="2025-01-20")
    source = Source.objects.get(title="光明区2025年工作安排")
    html = manager_client.get(f"/admin/kpis/source/{source.pk}/review/").content.decode()
    assert 'value="draft"' not in html


# Reading a report as a statistics officer does (#26): the review page shows what the
# indicator already has, warns, and never revises a public target on a plain click.

REVISION = "2024年,光明区力争集群整体估值超500亿元。"


def review_html(client, source):
    return client.get(f"/admin/kpis/source/{source.pk}/review/").content.decode()


def test_each_row_shows_the_indicators_existing_target_for_that_year(article, manager_client):
    paste(manager_client, REVISION, published_on="2024-07-01")
    html = review_html(manager_client, Source.objects.get(title="光明区2025年工作安排"))
    existing = re.search(r'<p class="existing">(.*?)</p>', html).group(1)
    assert "合成生物产业集群整体估值" in existing and "2024年目标" in existing
    assert "400" in existing


def test_the_reason_offered_is_not_a_reason_for_a_revision(article, manager_client):
    paste(manager_client, REVISION, published_on="2024-07-01")
    source = Source.objects.get(title="光明区2025年工作安排")
    html = review_html(manager_client, source)
    offered = re.search(r'name="\d+-change_reason"[^>]*value="([^"]*)"', html).group(1)
    fields = {"year": 2024, "confirm_revision": "on", "change_reason": offered}
    decide(manager_client, source, "超500", "target", **fields)
    assert Target.objects.get(indicator__code="synbio-valuation", year=2024).value == 400


def test_a_revision_needs_the_confirmation_and_a_typed_reason(article, manager_client):
    paste(manager_client, REVISION, published_on="2024-07-01")
    source = Source.objects.get(title="光明区2025年工作安排")
    for fields in ({}, {"confirm_revision": "on"}, {"change_reason": "年中调整"}):
        response = decide(manager_client, source, "超500", "target", year=2024, **fields)
        assert Target.objects.get(indicator__code="synbio-valuation", year=2024).value == 400
        assert "nothing was saved" in response.content.decode() or "未保存" in (
            response.content.decode()
        )
    decide(
        manager_client,
        source,
        "超500",
        "target",
        year=2024,
        confirm_revision="on",
        change_reason="2024年中调整",
    )
    target = Target.objects.get(indicator__code="synbio-valuation", year=2024)
    assert (target.value, target.history.first().history_change_reason) == (500, "2024年中调整")


def test_a_new_target_needs_no_confirmation(article, manager_client):
    paste(manager_client, SECOND_DOCUMENT)
    source = Source.objects.get(title="光明区2025年工作安排")
    decide(manager_client, source, "超500", "target")
    assert Target.objects.get(indicator__code="synbio-valuation", year=2025).value == 500


INCREMENT = "2024年,全区新增专精特新企业100家。"


def test_an_increment_gets_no_level_indicator_but_a_warning(article, manager_client):
    paste(manager_client, INCREMENT, published_on="2025-01-20")
    html = review_html(manager_client, Source.objects.get(title="光明区2025年工作安排"))
    assert re.findall(r'<option value="(\d+)" selected>', html) == []
    assert "baseline + 100" in html or "基数 + 100" in html or "基数+100" in html


def test_an_increment_as_a_level_target_needs_the_confirmation_and_a_reason(
    article, manager_client
):
    paste(manager_client, INCREMENT, published_on="2024-01-20")
    source = Source.objects.get(title="光明区2025年工作安排")
    fields = {"year": 2024, "value": "100", "qualifier": "reach", "change_reason": "按增量"}
    decide(manager_client, source, "100", "target", code="srdi-enterprises", **fields)
    assert not Target.objects.filter(indicator__code="srdi-enterprises", year=2024).exists()
    decide(
        manager_client,
        source,
        "100",
        "target",
        code="srdi-enterprises",
        confirm_revision="on",
        **fields,
    )
    assert Target.objects.get(indicator__code="srdi-enterprises", year=2024).value == 100


def candidate_rows(html):
    """The rows of the review table, one string each."""
    table = html.split('<table class="candidates">')[1].split("</table>")[0]
    return table.split("<tr>")[2:]  # after the head's row


def test_warnings_for_another_place_a_target_below_the_baseline_and_a_period(
    article, manager_client
):
    text = (
        "深圳市专精特新企业达到3000家。\n"
        "2024年,全区专精特新企业力争达到700家。\n"
        "前三季度,全区专精特新企业增至800家。"
    )
    paste(manager_client, text, published_on="2024-11-20")
    html = review_html(manager_client, Source.objects.get(title="光明区2025年工作安排"))
    place, below, period = candidate_rows(html)
    assert "深圳市" in place.split("<mark>")[1] and "warnings" in place
    assert "warnings" in below and "751" in below.split("</mark>")[1]
    assert "2024-09-30" in period.split("</mark>")[1] and "warnings" in period
    assert "warnings" not in html.split("<tbody>")[0]


def test_a_period_figure_is_entered_as_a_draft_of_its_period(article, admin_user):
    client = Client()
    client.force_login(admin_user)
    paste(client, "前三季度,全区专精特新企业增至800家。", published_on="2024-11-20")
    source = Source.objects.get(title="光明区2025年工作安排")
    fields = {"year": 2024, "value": "800", "qualifier": "reach"}
    decide(client, source, "增至800", "draft", code="srdi-enterprises", **fields)
    actual = Actual.objects.get(indicator__code="srdi-enterprises")
    assert (actual.period_end.isoformat(), actual.status) == ("2024-09-30", "draft")


def test_a_period_the_indicator_does_not_report_is_not_filed_at_the_years_end(article, admin_user):
    client = Client()
    client.force_login(admin_user)
    paste(client, "1—10月,全区专精特新企业增至800家。", published_on="2024-11-20")
    source = Source.objects.get(title="光明区2025年工作安排")
    fields = {"year": 2024, "value": "800", "qualifier": "reach"}
    decide(client, source, "增至800", "draft", code="srdi-enterprises", **fields)
    assert not Actual.objects.filter(indicator__code="srdi-enterprises").exists()


RELEASE = (
    "2024年10月统计快报\n1—10月,全区规模以上工业增加值同比增长8.2%。\n"
    "深圳市规模以上工业增加值增长9.1%。"
)


@pytest.fixture
def industrial_growth(make_indicator, department):
    return make_indicator(
        code="industrial-growth",
        name="规模以上工业增加值增速",
        unit="%",
        value_type="rate",
        frequency="monthly",
        reported_as="year_to_date",
        department=department,
    )


def test_a_pasted_release_becomes_drafts_an_official_submits_and_a_reviewer_publishes(
    industrial_growth, manager_client, official, reviewer
):
    client = Client()
    response = manager_client.post(
        "/admin/kpis/source/extract/",
        {
            "title": "2024年10月统计快报",
            "publisher": "光明区统计局",
            "published_on": "2024-11-20",
            "text": RELEASE,
            "release": "on",
        },
    )
    assert response.status_code == 302
    draft = Actual.objects.get(indicator=industrial_growth)  # not Shenzhen's 9.1%
    assert (draft.period_end.isoformat(), draft.value, draft.status, draft.entered_by) == (
        "2024-10-31",
        Decimal("8.2"),
        "draft",
        None,
    )
    client.force_login(official)
    assert f"/my/figures/{draft.pk}/" in client.get("/my/").content.decode()
    client.post(f"/my/figures/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == ("submitted", official)
    client.force_login(reviewer)
    client.post(f"/my/figures/{draft.pk}/review/", {"publish": "1"})
    draft.refresh_from_db()
    assert (draft.status, draft.reviewed_by) == ("published", reviewer)


def test_a_release_never_drafts_over_an_officials_figure_or_in_another_count(
    industrial_growth, manager_client, make_actual
):
    make_actual(industrial_growth, period_end=datetime.date(2024, 10, 31), value=Decimal("8"))
    manager_client.post(
        "/admin/kpis/source/extract/",
        {"title": "快报", "published_on": "2024-11-20", "text": RELEASE, "release": "on"},
    )
    (actual,) = Actual.objects.filter(indicator=industrial_growth)
    assert actual.value == Decimal("8")
    # 9月份 alone is that month's own growth: the indicator counts from the year's start.
    month = "2024年9月统计快报\n9月份,全区规模以上工业增加值同比增长7.3%。"
    manager_client.post(
        "/admin/kpis/source/extract/",
        {"title": "9月快报", "published_on": "2024-10-20", "text": month, "release": "on"},
    )
    assert not Actual.objects.filter(period_end=datetime.date(2024, 9, 30)).exists()


def test_without_the_release_box_no_draft_is_made(industrial_growth, manager_client):
    paste(manager_client, RELEASE, published_on="2024-11-20")
    assert not Actual.objects.exists()

"""The admin's "新建来源：从文件提取" pages: a manager turns a document into targets."""

import re

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
    decide(manager_client, source, "超500", "target", year=2024, change_reason="年中调整")
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

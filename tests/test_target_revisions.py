import re
from decimal import Decimal

import pytest

from kpis.models import Indicator, Source


@pytest.fixture
def revised(article, admin_user, client):
    """The synthetic biology target raised from 400 to 450 through the admin, with a reason
    and a new source document."""
    indicator = Indicator.objects.get(code="synbio-valuation")
    target = indicator.targets.get()
    plan = Source.objects.create(
        title="光明区2024年中期调整", publisher="光明区政府", published_on="2024-07-01"
    )
    target.value = Decimal(450)
    target.source = plan
    target._change_reason = "年中调整目标"
    target.save()
    return indicator


def test_indicator_page_lists_the_old_and_new_target_with_date_reason_and_source(
    anonymous, revised
):
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    section = html.split('id="revisions"', 1)[1].split("</ul>", 1)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "more than 40 billion yuan → more than 45 billion yuan" in text
    assert "Reason: 年中调整目标" in text and "光明区2024年中期调整" in text
    assert "Source: 光明区政府, July 1, 2024, 光明区2024年中期调整" in text


def test_overview_marks_an_indicator_whose_target_was_revised(anonymous, revised):
    html = anonymous.get("/en/").content.decode()
    assert '/en/indicators/synbio-valuation/?year=2024#revisions">revised</a>' in html
    assert html.count('class="revised-mark"') == 1


def test_a_baseline_change_is_listed_too(anonymous, article):
    indicator = Indicator.objects.get(code="high-tech-enterprises")
    indicator.baseline_value = Decimal(2100)
    indicator._change_reason = "统计口径更新"
    indicator.save()
    html = anonymous.get("/en/indicators/high-tech-enterprises/").content.decode()
    assert "Baseline:" in html and "统计口径更新" in html
    revisions = html.split('id="revisions"', 1)[1]
    assert "Baseline:" in revisions
    assert "more than 2,000 enterprises → more than 2,100 enterprises" in revisions


def test_an_edit_that_keeps_the_value_is_not_a_revision(anonymous, article):
    target = Indicator.objects.get(code="synbio-valuation").targets.get()
    target.quote = target.quote + " "
    target.save()
    assert (
        'id="revisions"' not in anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    )

"""The review in a real browser: the official must explain a figure that falls behind; the
reviewer judges it with evidence, target and earlier figures, returns it, still sees the
reason after the resubmission and publishes it from the admin change page; a visitor signs
nothing and reads the published explanation on the indicator page and in progress.json."""

import datetime
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kpis.models import Actual, Indicator

PASSWORD = "a-long-test-password-41"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def people(official, reviewer, department, article, make_actual):
    for user in (official, reviewer):
        user.set_password(PASSWORD)
        user.save()
    indicator = Indicator.objects.get(code="synbio-valuation")
    indicator.department = department
    indicator.save()
    # Invented for the story: 150亿元 published for March.
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    return official, reviewer


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_figure_behind_pace_is_explained_reviewed_returned_and_published(
    year_2024_open, live_server, page, people
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "official")
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    page.goto(live_server.url + "/en/my/enter/synbio-valuation/2024-06-30/")
    page.get_by_label("Value").fill("160")
    page.get_by_label("Evidence link").fill("www.gm.gov.cn/q2")
    page.get_by_role("button", name="Save and submit for review").click()
    # 160 by June, where about 233 is on the path to 400: an explanation first.
    expect(page.locator(".error").first).to_contain_text("Write the public explanation")
    page.get_by_label("Progress (进展情况)").fill("两家企业完成估值")
    page.get_by_label("Problems (存在问题)").fill("融资放缓，估值延后")
    page.get_by_label("Next steps (下一步措施)").fill("加快重点项目落地")
    page.get_by_label("Problems (English)").fill("Financing slowed; valuations delayed")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".messages")).to_contain_text(
        "Submitted for review: Synthetic biology cluster valuation 2024-06-30"
    )
    actual = Actual.objects.get(period_end=datetime.date(2024, 6, 30))

    sign_in(page, live_server.url, "reviewer")
    page.get_by_role("link", name="Synthetic biology cluster valuation").click()
    facts = page.locator(".review-facts")
    expect(facts).to_contain_text("https://www.gm.gov.cn/q2")
    expect(facts).to_contain_text("more than 40 billion yuan")
    expect(page.locator("table.comparisons")).to_contain_text("+1 billion yuan (+6.7%)")
    page.screenshot(path=SCREENSHOTS / "review-page-desktop.png", full_page=True)
    page.get_by_label("Reason for returning").fill("请附统计局的估值报告")
    page.get_by_role("button", name="Return for correction").click()

    sign_in(page, live_server.url, "official")
    expect(page.locator("#returned-heading + ul")).to_contain_text("请附统计局的估值报告")
    page.get_by_role("link", name="Synthetic biology cluster valuation").first.click()
    page.get_by_label("Evidence link").fill("https://www.gm.gov.cn/q2-report.pdf")
    page.get_by_role("button", name="Save and submit for review").click()

    sign_in(page, live_server.url, "reviewer")
    page.goto(f"{live_server.url}/admin/kpis/actual/{actual.pk}/change/")
    expect(page.locator(".returns")).to_contain_text("请附统计局的估值报告")
    page.locator('input[name="publish"]').click()  # the admin speaks Chinese: 发布
    expect(page.locator(".messagelist")).to_contain_text("已发布")
    actual.refresh_from_db()
    assert (actual.status, actual.reviewed_by.username) == ("published", "reviewer")

    page.context.clear_cookies()
    page.goto(live_server.url + "/en/indicators/synbio-valuation/")
    expect(page.locator("table.history")).to_contain_text("Financing slowed; valuations delayed")
    page.locator(".explanation").first.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "explanation-desktop.png", full_page=True)
    document = json.loads(page.goto(live_server.url + "/data/progress.json").text())
    row = next(item for item in document["indicators"] if item["code"] == "synbio-valuation")
    assert row["actual"]["explanation"]["problems"] == "融资放缓，估值延后"
    assert row["actual"]["explanation"]["en"]["problems"] == "Financing slowed; valuations delayed"

"""Across the years in a real browser, on 1 December 2026 with a fresh database: figures of
2024, 2025 and this year entered and published, a 2025 target added to one indicator, and a
visitor who finds every figure, the year strip, the closed 2024 verdicts and the indicator
pages' year navigation."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kpis.models import Indicator, Target

PASSWORD = "a-long-test-password-41"


@pytest.fixture
def story(first_day, article, official, reviewer, department, make_actual):
    for user in (official, reviewer):
        user.set_password(PASSWORD)
        user.save()
    Indicator.objects.filter(code="high-tech-enterprises").update(department=department)
    synbio = Indicator.objects.get(code="synbio-valuation")
    # 2024: the cluster ended the year short of 超400亿元; brain science has only June.
    make_actual(synbio, period_end=datetime.date(2024, 12, 31), value="380")
    make_actual(
        Indicator.objects.get(code="brain-science-valuation"),
        period_end=datetime.date(2024, 6, 30),
        value="45",
    )
    # 2025: a new target for the cluster and two annual R&D figures (no target at all).
    Target.objects.create(
        indicator=synbio,
        year=2025,
        value=Decimal(500),
        qualifier="over",
        source=synbio.targets.get(year=2024).source,
        quote="2025年合成生物产业集群整体估值超500亿元。",
    )
    make_actual(synbio, period_end=datetime.date(2025, 6, 30), value="430")
    rd = Indicator.objects.get(code="rd-spending")
    make_actual(rd, period_end=datetime.date(2024, 12, 31), value="112")
    make_actual(rd, period_end=datetime.date(2025, 12, 31), value="126")


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_every_figure_of_every_year_is_found_by_a_visitor(live_server, page, story):
    # An official back-fills this year's first quarter; a reviewer publishes it.
    sign_in(page, live_server.url, "official")
    card = page.locator(".due-card", has_text="National high-tech enterprises")
    expect(card).to_contain_text("to back-fill")
    card.locator("summary").click()  # the periods since 2023 are folded after the first three
    card.get_by_role("link", name="Enter Q1 2026").click()
    page.get_by_label("Value").fill("2085")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("dl.figures")).to_contain_text("submitted for review")
    sign_in(page, live_server.url, "reviewer")
    page.get_by_role("link", name="National high-tech enterprises").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")

    # / opens on 2025, the latest year with targets before 2026.
    page.context.clear_cookies()
    page.goto(live_server.url + "/en/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025")
    strip = page.get_by_role("navigation", name="Targets by year")
    expect(strip).to_contain_text("2024")
    expect(strip).to_contain_text("5 targets")
    row = page.locator("tbody tr", has_text="National high-tech enterprises")
    expect(row).to_contain_text("2,085 enterprises")
    expect(row).to_contain_text("Q1 2026")
    expect(row).to_contain_text("+4.2% on the 2023 baseline")
    expect(row).to_contain_text("No target this year")
    rd = page.locator("tbody tr", has_text="Society-wide R&D spending")
    expect(rd).to_contain_text("12.6 billion yuan")
    expect(rd).to_contain_text("+12.5% on the 2024 year-end figure")

    # The closed year is one click away, judged on its year-end figures.
    strip.get_by_role("link", name="2024").click()
    synbio = page.locator("tbody tr", has_text="Synthetic biology cluster valuation")
    expect(synbio).to_contain_text("Missed")
    brain = page.locator(
        "tbody tr", has_text="Brain science and brain-inspired intelligence valuation"
    )
    expect(brain).to_contain_text("No year-end figure")

    # The indicator page opens on the year the link came from, with every year in view.
    synbio.get_by_role("link", name="Synthetic biology cluster valuation").click()
    expect(page.get_by_role("navigation", name="Years")).to_contain_text("2026")
    expect(page.locator(".summary")).to_contain_text("2024 is over")
    years = page.locator("table.years")
    expect(years.locator("tr", has_text="2025")).to_contain_text("more than 50 billion yuan")
    expect(years.locator("tr", has_text="2024")).to_contain_text("Missed")
    page.get_by_role("navigation", name="Years").get_by_role("link", name="2025").click()
    expect(page.locator("dl.figures")).to_contain_text("43 billion yuan")

"""The whole story in a real browser: an official enters and submits a figure, a reviewer
publishes it, the public sees it, and another department's official cannot open it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kpis.models import Actual, Indicator

PASSWORD = "a-long-test-password-41"


@pytest.fixture
def people(official, other_official, reviewer, department):
    for user in (official, other_official, reviewer):
        user.set_password(PASSWORD)
        user.save()
    Indicator.objects.filter(code="synbio-valuation").update(department=department)
    return official, other_official, reviewer


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_figure_goes_from_official_to_reviewer_to_the_public(
    year_2024_open, live_server, page, article, people, settings
):
    official, other_official, reviewer = people
    # Reporting started here after 2024 (the day the database was migrated, which an earlier
    # browser test's flush may have erased): 2024's periods are to back-fill, folded on /my/.
    settings.REPORTING_STARTS = datetime.date(2026, 12, 1)
    sign_in(page, live_server.url, "official")
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    card = page.locator(".due-card", has_text="Synthetic biology cluster valuation")
    card.locator("summary").click()  # periods from 2023 on: Q2 2024 is folded
    card.get_by_role("link", name="Enter Q2 2024").click()
    page.get_by_label("Value").fill("180")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("dl.figures")).to_contain_text("submitted for review")
    actual = Actual.objects.get()

    sign_in(page, live_server.url, "reviewer")
    page.get_by_role("link", name="Synthetic biology cluster valuation").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published: ")

    page.context.clear_cookies()
    page.goto(live_server.url + "/en/")
    row = page.locator("tbody tr", has_text="Synthetic biology cluster valuation")
    expect(row).to_contain_text("18 billion yuan Q2 2024")
    expect(row).to_contain_text("Pace not yet known")
    page.goto(live_server.url + "/en/indicators/synbio-valuation/")
    expect(page.locator("table.history")).to_contain_text("June 30, 2024")

    sign_in(page, live_server.url, "other_official")
    response = page.goto(f"{live_server.url}/admin/kpis/actual/{actual.pk}/change/")
    assert response.status == 403
    assert not re.search(r"180", page.content())

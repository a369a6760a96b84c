"""The key tasks' story in a real browser: an official marks a late milestone done, enters
a new milestone and writes a progress statement, a reviewer publishes all three, and the
visitor sees the task turn from red to yellow."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tasks.rules import quarter_end

PASSWORD = "a-long-test-password-41"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def late_task(make_task, department, make_milestone):
    """Two milestones late, one by 40 days: red."""
    task = make_task(department=department, code="seed-fund", title_en="Seed fund in operation")
    make_milestone(task, due=TODAY - 40 * DAY, title="完成基金设立", title_en="Fund set up")
    make_milestone(task, due=TODAY - 10 * DAY, title="首笔投资", title_en="First investment")
    return task


@pytest.fixture
def people(official, reviewer):
    for user in (official, reviewer):
        user.set_password(PASSWORD)
        user.save()


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_late_task_turns_from_red_to_yellow_once_its_milestone_is_published_done(
    live_server, page, late_task, people
):
    page.goto(live_server.url + "/en/tasks/")
    row = page.locator("tbody tr", has_text="Seed fund in operation")
    expect(row).to_contain_text("Delayed (red)")

    sign_in(page, live_server.url, "official")
    page.goto(live_server.url + "/en/my/tasks/")
    # English pages name a milestone by its English title (#27).
    page.get_by_role("link", name="Fund set up").click()
    page.get_by_label("Done on").fill(TODAY.isoformat())
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("dl.figures")).to_contain_text("submitted for review")
    page.goto(live_server.url + "/en/my/tasks/")
    page.get_by_role("link", name="Add a milestone").click()
    page.get_by_label("Title (Chinese)").fill("完成十笔投资")
    page.get_by_label("Title (English)").fill("Ten investments")
    page.locator("#id_due").fill((TODAY + 60 * DAY).isoformat())
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("dl.figures")).to_contain_text("submitted for review")
    page.goto(live_server.url + "/en/my/tasks/")
    page.get_by_role("link", name="Write a progress statement").click()
    page.get_by_label("Period end").fill(quarter_end(TODAY).isoformat())
    page.get_by_label("Progress (Chinese)").fill("基金已设立，首笔投资正在尽调。")
    page.get_by_label("Progress (English)").fill("Fund set up; first investment in due diligence.")
    page.get_by_label("Share done (%)").fill("30")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("dl.figures")).to_contain_text("submitted for review")

    page.goto(live_server.url + "/en/tasks/")
    expect(row).to_contain_text("Delayed (red)")  # nothing public before the review

    sign_in(page, live_server.url, "reviewer")
    for _ in range(3):
        page.goto(live_server.url + "/en/my/tasks/")
        page.locator("#task-review-heading + ul a").first.click()
        page.get_by_role("button", name="Publish").click()
        expect(page.locator(".messages")).to_contain_text("Published")

    page.context.clear_cookies()
    page.goto(live_server.url + "/en/tasks/")
    expect(row).to_contain_text("Delayed (yellow)")
    page.get_by_role("link", name="Seed fund in operation").click()
    expect(page.locator(".timeline")).to_contain_text("done late")
    expect(page.locator(".timeline")).to_contain_text("Ten investments")
    expect(page.locator(".statements")).to_contain_text("Fund set up; first investment")

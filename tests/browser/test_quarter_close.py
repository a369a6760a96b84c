"""A quarter's close in a real browser (issue #27): a department of 12 indicators enters the
quarter in one table, with an evidence PDF; the reviewer publishes 10 figures with a
milestone and a statement from the one queue of /my/ and returns 2 with a listed reason;
the PDF is seen by the reviewer and by no one signed out; every page of it fits 375 px."""

import datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from kpis.models import Actual, ReturnReason
from tasks.models import Milestone, ProgressStatement
from tests.conftest import SHANGHAI

PASSWORD = "a-long-test-password-41"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
QUARTER = "2026-09-30"


@pytest.fixture
def december_2026(settings, tmp_path, db):
    settings.REPORTING_STARTS = datetime.date(2026, 1, 1)
    # The office's list of reasons, as the data migration ships it: an earlier browser test's
    # flush empties the table (the live server's tests run on a transactional database).
    ReturnReason.objects.get_or_create(text="数据与统计报表不一致")
    settings.KPI_EVIDENCE_ROOT = tmp_path / "evidence"
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def department_of_twelve(
    december_2026,
    official,
    reviewer,
    department,
    make_indicator,
    make_task,
    make_milestone,
    make_statement,
):
    for user in (official, reviewer):
        user.set_password(PASSWORD)
        user.save()
    indicators = [
        make_indicator(department=department, name=f"科技指标{n:02d}", name_en=f"Science {n:02d}")
        for n in range(1, 13)
    ]
    task = make_task(department=department, title="建设产业基金", title_en="Build the fund")
    make_milestone(
        task,
        title="基金设立",
        title_en="Fund set up",
        due=datetime.date(2026, 9, 30),
        status="submitted",
        entered_by=official,
    )
    make_statement(
        task,
        period_end=datetime.date(2026, 9, 30),
        text="基金已完成设立。",
        status="submitted",
        entered_by=official,
    )
    return indicators


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fits_a_phone(page, url, name):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{url} scrolls sideways by {width - 375} px"


def test_a_quarters_close_for_a_department_of_twelve(live_server, page, department_of_twelve):
    indicators = department_of_twelve
    sign_in(page, live_server.url, "official")
    expect(page).to_have_url(live_server.url + "/en/my/")
    # The pages of the close on a phone, in Chinese as the office reads them.
    fits_a_phone(page, f"{live_server.url}/my/enter/{QUARTER}/", "officials-period-table")
    fits_a_phone(
        page, f"{live_server.url}/my/enter/{indicators[0].code}/2026-06-30/", "officials-entry"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/en/my/")
    page.get_by_role("link", name=f"Enter the period ending {QUARTER}").click()
    for number, indicator in enumerate(indicators, start=1):
        page.locator(f'input[name="{indicator.code}-value"]').fill(str(100 + number))
    page.set_input_files(
        f'input[name="{indicators[0].code}-evidence_file"]',
        files=[{"name": "统计报表.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_role("button", name="Save all and submit for review").click()
    expect(page).to_have_url(live_server.url + "/en/my/")
    figures = list(Actual.objects.order_by("indicator__position"))
    assert [figure.status for figure in figures] == ["submitted"] * 12

    sign_in(page, live_server.url, "reviewer")
    fits_a_phone(page, f"{live_server.url}/my/", "officials-queue")
    fits_a_phone(page, f"{live_server.url}/my/figures/{figures[0].pk}/", "officials-review-page")
    # "此前已发布的数据" on one line, not one character per line.
    assert page.locator("table.comparisons caption").bounding_box()["height"] < 90
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/en/my/")
    queue = page.locator("#review-heading + form")
    expect(queue).to_contain_text("Fund set up")
    for figure in figures[:10]:
        queue.locator(f'input[name="figures"][value="{figure.pk}"]').check()
    queue.locator('input[name="milestones"]').check()
    queue.locator('input[name="statements"]').check()
    page.get_by_role("button", name="Publish the selected").click()
    expect(page.locator(".messages")).to_contain_text("Published 12 entries")
    for figure in figures[10:]:
        queue.locator(f'input[name="figures"][value="{figure.pk}"]').check()
    page.get_by_label("Common reason").select_option(label="数据与统计报表不一致")
    page.get_by_role("button", name="Return the selected").click()
    expect(page.locator(".messages")).to_contain_text("Returned for correction 2 entries")
    statuses = [figure.status for figure in Actual.objects.order_by("indicator__position")]
    assert statuses == ["published"] * 10 + ["returned"] * 2
    assert Milestone.objects.get().status == ProgressStatement.objects.get().status == "published"

    evidence = f"{live_server.url}/my/evidence/figures/{figures[0].pk}/"
    page.goto(f"{live_server.url}/en/my/figures/{figures[0].pk}/")
    expect(page.locator(".review-facts")).to_contain_text("统计报表.pdf")
    assert page.request.get(evidence).body() == PDF
    signed_out = page.context.browser.new_context()
    assert signed_out.request.get(evidence).status == 404
    signed_out.close()

    # A long typed reason wraps instead of pushing the page sideways.
    Actual.objects.filter(pk=figures[11].pk).update(
        return_reason="请核对本季度数据与区统计局季度统计报表中科技型中小企业数量的口径是否一致并补充说明"
    )
    sign_in(page, live_server.url, "official")
    fits_a_phone(page, f"{live_server.url}/my/", "officials-my-updates")
    fits_a_phone(page, f"{live_server.url}/my/figures/{figures[11].pk}/", "officials-returned")
    fits_a_phone(page, f"{live_server.url}/en/my/tasks/", "officials-tasks")
    expect(page.locator("main")).to_contain_text("Fund set up")
    milestone = Milestone.objects.get()
    fits_a_phone(
        page, f"{live_server.url}/my/tasks/milestones/{milestone.pk}/", "officials-milestone"
    )

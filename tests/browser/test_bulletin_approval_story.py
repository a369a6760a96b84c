"""A bulletin in a real browser: a reviewer drafts it on /my/, nobody else can download it,
a leader signs in, lands on the bulletins to approve, approves it, and then a visitor finds
it on /bulletins/ and downloads the Word file: a 公文 with its red header."""

import datetime
import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from kpis import roles
from kpis.models import Bulletin, Indicator
from tests.conftest import make_user

PASSWORD = "a-long-test-password-41"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def people(reviewer, department, article, make_actual):
    leader = make_user("leader", roles.LEADER)
    for user in (reviewer, leader):
        user.set_password(PASSWORD)
        user.save()
    indicator = Indicator.objects.get(code="synbio-valuation")
    indicator.department = department
    indicator.save()
    # Invented for the story: 150亿元 published for March.
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    return reviewer, leader


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_bulletin_is_drafted_approved_by_a_leader_and_then_public(
    year_2024_open, live_server, page, people
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "reviewer")
    page.get_by_text("Make the bulletin").first.click()
    page.get_by_label("As of").fill("2024-06-30")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Make the bulletin").click()
    expect(page.locator(".messages")).to_contain_text("a leader approves it before it is public")
    bulletin = Bulletin.objects.get()
    assert bulletin.status == Bulletin.Status.DRAFT

    # Not public yet: a visitor neither finds it nor downloads it.
    page.context.clear_cookies()
    page.goto(live_server.url + "/bulletins/")
    expect(page.locator("main")).not_to_contain_text("2024年6月30日")
    answer = page.request.get(live_server.url + "/bulletins/2024-06-30.docx?version=1")
    assert answer.status == 404

    sign_in(page, live_server.url, "leader")
    expect(page).to_have_url(live_server.url + "/en/my/bulletins/")
    expect(page.locator(".drafts")).to_contain_text("as of June 30, 2024")
    page.screenshot(path=SCREENSHOTS / "bulletins-to-approve-desktop.png", full_page=True)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messages")).to_contain_text("approved: it is public now")

    page.context.clear_cookies()
    page.goto(live_server.url + "/bulletins/")
    expect(page.locator(".file-list.bulletins")).to_contain_text("当前版本")
    answer = page.request.get(live_server.url + "/bulletins/2024-06-30.docx")
    assert answer.status == 200
    word = docx.Document(io.BytesIO(answer.body()))
    assert [p.text for p in word.paragraphs[:2]] == ["光明区人民政府办公室", "光统通〔2024〕1号"]
    bulletin.refresh_from_db()
    assert bulletin.approved_by.username == "leader"

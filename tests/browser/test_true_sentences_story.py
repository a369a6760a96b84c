"""Every sentence true, in a real browser on 6 December 2026 with figures of 2023 to 2026
published through the workflow (tests/test_true_sentences.py's `replay`): a March figure
reads overdue in amber on `/` and on its page, and 2025, a year of figures without
targets, opens from the year strip. Writes the README's screenshots of these pages."""

import datetime
from pathlib import Path

import time_machine
from playwright.sync_api import expect

from tests.conftest import SHANGHAI
from tests.test_true_sentences import replay  # noqa: F401 (the fixture)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AMBER = "rgb(138, 90, 0)"  # --at-risk in static/css/site.css


def test_a_visitor_reads_overdue_figures_in_amber_and_opens_a_year_without_targets(
    live_server,
    page,
    replay,  # noqa: F811
):
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(live_server.url + "/en/")
        row = page.locator("tbody tr", has_text="National high-tech enterprises")
        badge = row.locator("span.status-overdue")
        expect(badge).to_contain_text("Overdue: latest is Q1 2026 (on track as of then)")
        expect(badge).to_have_css("color", AMBER)
        page.screenshot(path=SCREENSHOTS / "overdue-progress-desktop.png", full_page=True)

        row.get_by_role("link", name="National high-tech enterprises").click()
        expect(page.locator(".summary span.status-overdue")).to_have_css("color", AMBER)
        expect(page.locator(".summary")).to_have_css("border-left-color", AMBER)
        expect(page.locator("dl.figures")).to_contain_text("Expected by Q1 2026")
        page.screenshot(path=SCREENSHOTS / "overdue-indicator-desktop.png", full_page=True)

        page.goto(live_server.url + "/")
        strip = page.locator("nav.year-strip")
        strip.get_by_role("link", name="2025").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("2025年年度回顾")
        expect(page.locator("tbody tr", has_text="国家高新技术企业")).to_contain_text("2200家")
        page.screenshot(path=SCREENSHOTS / "year-in-review-desktop.png", full_page=True)

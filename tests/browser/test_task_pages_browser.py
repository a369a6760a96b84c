"""The key tasks' pages in Chromium: axe-core (WCAG 2.1 AA), the 375 px phone width, and
the README's screenshots of a task page with sample milestones and statements."""

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from tasks.models import Task

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
D = datetime.date


@pytest.fixture
def sample_task(article_tasks, make_milestone, make_statement):
    """Invented for the pictures and the checks only, never shipped as data: the seed fund
    task with three milestones, one done late, and its four quarterly statements."""
    task = Task.objects.get(code="science-city-seed-fund")
    for due, done, title, title_en in [
        (
            D(2024, 3, 31),
            D(2024, 3, 20),
            "设立基金管理机构（示例）",
            "Fund manager set up (sample)",
        ),
        (D(2024, 6, 30), D(2024, 8, 15), "完成首批项目投资（示例）", "First investments (sample)"),
        (D(2024, 12, 31), D(2024, 12, 20), "完成全年投资计划（示例）", "Year's plan (sample)"),
    ]:
        make_milestone(task, due=due, done=done, title=title, title_en=title_en)
    for month, day, percent in [(3, 31, 20), (6, 30, 45), (9, 30, 70), (12, 31, 100)]:
        make_statement(
            task,
            period_end=D(2024, month, day),
            percent=percent,
            text=f"示例：种子基金已完成全年计划的{percent}%。",
            text_en=f"Sample: the seed fund has done {percent}% of the year's plan.",
            completes=percent == 100,
        )
    return task


PAGES = [
    "/tasks/",
    "/en/tasks/",
    "/tasks/science-city-seed-fund/",
    "/en/tasks/science-city-seed-fund/",
]


@pytest.mark.parametrize("path", PAGES)
def test_task_page_has_no_axe_violations(live_server, page, sample_task, path):
    page.goto(live_server.url + path)
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", PAGES)
def test_task_page_fits_a_375_pixel_phone(live_server, page, sample_task, path):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize(
    "path", ["/en/my/tasks/", "/en/my/tasks/science-city-seed-fund/statements/new/"]
)
def test_officials_task_pages_have_no_axe_violations(
    live_server, page, sample_task, official, department, path
):
    Task.objects.filter(theme__code="sci-tech-finance").update(department=department)
    client = Client()
    client.force_login(official)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + path)
    assert page.url == live_server.url + path  # signed in
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("sample-task-desktop", "/en/tasks/science-city-seed-fund/", 1280),
        ("sample-task-phone", "/tasks/science-city-seed-fund/", 375),
        ("tasks-desktop", "/en/tasks/", 1280),
    ],
)
def test_screenshot_of_a_task_page(live_server, page, sample_task, name, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

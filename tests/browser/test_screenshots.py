"""Writes the README's screenshots of the public pages, desktop and phone, as a visitor sees
them with the article's figures loaded and nothing else published."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kpis.models import Indicator

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("progress-desktop", "/", 1280),
        ("progress-en-desktop", "/en/", 1280),
        ("progress-phone", "/", 375),
        ("indicator-desktop", "/en/indicators/synbio-valuation/", 1280),
    ],
)
def test_screenshot_of_public_page(live_server, page, article, name, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"{path} scrolls sideways at {width}px"


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("my-updates-phone", "/en/my/", 375),
        ("entry-form-phone", "/en/my/enter/synbio-valuation/2024-06-30/", 375),
    ],
)
def test_screenshot_of_officials_pages(
    live_server, page, article, official, department, name, path, width
):
    Indicator.objects.filter(theme__code="synthetic-biology").update(department=department)
    client = Client()
    client.force_login(official)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.url == live_server.url + path  # signed in, not sent to the login page


SAMPLE_FIGURES = {
    # Invented for the screenshot only, never shipped as data: quarterly valuations (亿元) of
    # the synthetic biology cluster and a brain science count that falls behind.
    "synbio-valuation": [(3, 31, "150"), (6, 30, "240"), (9, 30, "300")],
    "brain-science-enterprises": [(3, 31, "30"), (6, 30, "34"), (9, 30, "37")],
}


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("sample-progress-desktop", "/en/", 1280),
        ("sample-indicator-desktop", "/en/indicators/synbio-valuation/", 1280),
        ("sample-indicator-phone", "/indicators/synbio-valuation/", 375),
    ],
)
def test_screenshot_with_sample_figures(live_server, page, article, make_actual, name, path, width):
    for code, figures in SAMPLE_FIGURES.items():
        indicator = Indicator.objects.get(code=code)
        for month, day, value in figures:
            make_actual(indicator, period_end=datetime.date(2024, month, day), value=value)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_screenshots_of_accountability_pages(live_server, page, article, make_actual, department):
    """The scorecard, a snapshot with its changes and an indicator with a revised target,
    with sample figures entered for the picture."""
    from reports.snapshots import take_snapshot

    indicator = Indicator.objects.get(code="synbio-valuation")
    indicator.department = department
    indicator.save()
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    take_snapshot(datetime.date(2024, 4, 20), 2024)
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="240")
    take_snapshot(datetime.date(2024, 7, 20), 2024)
    target = indicator.targets.get()
    target.value = 450
    target._change_reason = "示例：年中调整"
    target.save()
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, path in [
        ("sample-departments-desktop", "/en/departments/"),
        ("sample-snapshot-desktop", "/en/snapshots/2024-07-20/"),
        ("sample-revised-target-desktop", "/en/indicators/synbio-valuation/"),
    ]:
        page.goto(live_server.url + path)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280


YEARS_SAMPLE = {
    # Invented for the screenshot only: figures of three years read on 1 December 2026.
    "synbio-valuation": [((2024, 6, 30), "240"), ((2024, 12, 31), "380"), ((2025, 6, 30), "430")],
    "brain-science-valuation": [((2024, 6, 30), "45")],
    "high-tech-enterprises": [((2024, 12, 31), "2050"), ((2026, 3, 31), "2085")],
    "rd-spending": [((2024, 12, 31), "112"), ((2025, 12, 31), "126")],
    "industry-fund-scale": [((2025, 12, 31), "82"), ((2026, 9, 30), "90")],
}


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("sample-years-progress-desktop", "/en/", 1280),
        ("sample-years-2024-desktop", "/en/?year=2024", 1280),
        ("sample-years-indicator-desktop", "/en/indicators/synbio-valuation/?year=2024", 1280),
        ("sample-years-progress-phone", "/?year=2024", 375),
    ],
)
def test_screenshot_across_the_years(
    first_day, live_server, page, article, make_actual, name, path, width
):
    from kpis.models import Target

    synbio = Indicator.objects.get(code="synbio-valuation")
    Target.objects.create(
        indicator=synbio,
        year=2025,
        value=500,
        qualifier="over",
        source=synbio.source or synbio.targets.get().source,
        quote="示例：2025年目标（截图用，非真实数据）",
    )
    for code, figures in YEARS_SAMPLE.items():
        indicator = Indicator.objects.get(code=code)
        for (year, month, day), value in figures:
            make_actual(indicator, period_end=datetime.date(year, month, day), value=value)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

"""WCAG 2.1 AA checks with axe-core (served from the axe-playwright-python package, offline),
keyboard focus and the phone width, on the pages the public and officials open first."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from kpis.models import Indicator

PAGES = [
    "/",
    "/en/",
    "/indicators/synbio-valuation/",
    "/en/data/",
    "/accounts/login/",
    "/en/departments/",
    "/en/snapshots/",
    "/en/bulletins/",
]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def figures(article, make_actual):
    indicator = Indicator.objects.get(code="synbio-valuation")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="260")


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations(live_server, page, figures, path):
    page.goto(live_server.url + path)
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", PAGES[:4])
def test_page_fits_a_375_pixel_phone_without_sideways_scrolling(live_server, page, figures, path):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_keyboard_user_skips_to_the_content_with_a_visible_focus(live_server, page, figures):
    page.goto(live_server.url + "/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; return [e.textContent,"
        " getComputedStyle(e).outlineStyle, e.getBoundingClientRect().left]; }"
    )
    assert focused[0] == "Skip to content"
    assert focused[1] != "none" and focused[2] >= 0

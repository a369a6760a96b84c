"""The five-year plans' pages in Chromium: axe-core (WCAG 2.1 AA) and the 375 px phone width,
with the sample plan of tests/test_plans.py (sample data, never shipped)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.test_plans import make_plan, make_plan_target, plan_source, sample_plan  # noqa: F401

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = [
    "/plans/",
    "/en/plans/",
    "/plans/15th-fyp/",
    "/en/plans/15th-fyp/",
    # An indicator's page with its plan target and the plan's path on its years chart.
    "/indicators/hightech/",
    "/en/indicators/hightech/",
]


@pytest.mark.parametrize("path", PAGES)
def test_plan_page_has_no_axe_violations(live_server, page, sample_plan, path):  # noqa: F811
    page.goto(live_server.url + path)
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", PAGES)
def test_plan_page_fits_a_375_pixel_phone(live_server, page, sample_plan, path):  # noqa: F811
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

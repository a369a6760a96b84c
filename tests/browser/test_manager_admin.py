"""The indicator manager's admin in a real browser: the targets fit a 1,366 px screen and a
new indicator's code is suggested from its English name."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kpis.models import Indicator

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def signed_in_manager(live_server, page, manager):
    client = Client()
    client.force_login(manager)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_targets_inline_fits_a_1366_pixel_screen(live_server, signed_in_manager, article):
    page = signed_in_manager
    indicator = Indicator.objects.get(code="synbio-valuation")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/kpis/indicator/{indicator.pk}/change/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-targets-1366.png", full_page=True)
    rights = page.evaluate(
        """() => ['quote', 'withdrawal_reason', 'change_reason'].map(name =>
             document.querySelector(`[name="targets-0-${name}"]`).getBoundingClientRect().right)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert max(rights) <= 1366, rights


def test_new_indicators_code_is_suggested_from_its_english_name(
    live_server, signed_in_manager, article
):
    page = signed_in_manager
    page.goto(f"{live_server.url}/admin/kpis/indicator/add/")
    page.locator("#id_name_en").fill("Seed funds in operation")
    page.locator("#id_name_en").blur()
    assert page.locator("#id_code").input_value() == "seed-funds-in-operation"

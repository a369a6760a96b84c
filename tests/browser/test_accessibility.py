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


@pytest.fixture
def review_work(article, make_actual, official, reviewer, department):
    """A figure waiting for review, with earlier figures, a returned attempt and a public
    explanation; a published one with its explanation on the indicator page."""
    from django.utils import timezone

    from kpis.models import Actual

    indicator = Indicator.objects.get(code="synbio-valuation")
    indicator.department = department
    indicator.save()
    make_actual(
        indicator,
        period_end=datetime.date(2024, 3, 31),
        value="150",
        published_explanation={
            "progress": "已完成",
            "problems": "融资放缓",
            "next_steps": "加快落地",
            "en": {"progress": "Done", "problems": "Financing slowed", "next_steps": "Speed up"},
        },
    )
    return make_actual(
        indicator,
        period_end=datetime.date(2024, 6, 30),
        value="160",
        status=Actual.Status.SUBMITTED,
        entered_by=official,
        submitted_at=timezone.now(),
        note="按季度统计",
        evidence_url="https://www.gm.gov.cn/q2",
        explanation_progress="推进中",
        explanation_problems="进度偏慢",
        explanation_next_steps="加快",
        return_reason="",
    )


def signed_in(page, live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def open_as(page, live_server, request, persona, address):
    """Open `address` as `persona` (a fixture's name, or "anonymous")."""
    if persona != "anonymous":
        signed_in(page, live_server, request.getfixturevalue(persona))
    page.goto(live_server.url + address)
    assert "/accounts/login/" not in page.url


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("reviewer", "/en/my/figures/{pk}/"),
        ("reviewer", "/my/figures/{pk}/"),
        ("official", "/en/my/"),
        ("official", "/en/my/figures/{pk}/"),
        ("official", "/en/my/enter/synbio-valuation/2024-09-30/"),
        ("anonymous", "/en/indicators/synbio-valuation/"),
        ("anonymous", "/indicators/synbio-valuation/"),
    ],
)
def test_officials_pages_and_explanations_have_no_axe_violations(
    live_server, page, request, review_work, persona, path
):
    open_as(page, live_server, request, persona, path.format(pk=review_work.pk))
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("reviewer", "/en/my/figures/{pk}/"),
        ("official", "/en/my/"),
        ("anonymous", "/en/indicators/synbio-valuation/"),
    ],
)
def test_review_page_and_explanations_fit_a_375_pixel_phone(
    live_server, page, request, review_work, persona, path
):
    page.set_viewport_size({"width": 375, "height": 800})
    open_as(page, live_server, request, persona, path.format(pk=review_work.pk))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

"""Officials sign in through a real OpenID Connect provider (the npm `oidc-provider`, its own
login and consent pages) and a CAS server on loopback, in Chromium."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from kpis import roles
from kpis.models import Actual, Indicator
from tests import identity_providers
from tests.browser.test_accessibility import WCAG_AA

oidc_provider = identity_providers.oidc_provider
cas_server = identity_providers.cas_server


@pytest.fixture
def synbio_of(article):
    def assign(department):
        Indicator.objects.filter(code="synbio-valuation").update(department=department)

    return assign


def sign_in_with_platform(page, base_url, login):
    page.context.clear_cookies()
    page.goto(base_url + "/en/accounts/login/?next=/en/my/")
    page.get_by_role("link", name="Sign in with Test platform").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("whatever the platform asks")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_an_official_signs_in_through_the_platform_and_enters_a_figure(
    live_server, page, oidc_provider, department, synbio_of, settings
):
    # Reporting here started in 2024, so this year's periods are due (not folded as back-fill,
    # whatever day the test database was migrated on).
    settings.REPORTING_STARTS = datetime.date(2024, 1, 1)
    synbio_of(department)
    oidc_provider.set("li.wei", name="李伟", roles=["data_entry"], dept_codes=["science"])
    sign_in_with_platform(page, live_server.url, "li.wei")
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Science Bureau")
    page.get_by_role("link", name=re.compile(r"^Enter (?!the period ending)")).first.click()
    page.get_by_label("Value").fill("180")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("dl.figures")).to_contain_text("submitted for review")
    assert Actual.objects.get().entered_by.platform_accounts.get().subject == "li.wei"


def test_a_reviewers_claims_make_a_reviewer(live_server, page, oidc_provider, db):
    oidc_provider.set("wang.fang", roles=["reviewer"])
    sign_in_with_platform(page, live_server.url, "wang.fang")
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    user = get_user_model().objects.get(username="wang.fang")
    assert list(user.groups.values_list("name", flat=True)) == [roles.REVIEWER]


def test_a_changed_claim_moves_the_official_to_another_department_at_the_next_sign_in(
    live_server, page, oidc_provider, department, other_department, synbio_of
):
    synbio_of(department)
    oidc_provider.set("li.wei", roles=["data_entry"], dept_codes=["science"])
    sign_in_with_platform(page, live_server.url, "li.wei")
    expect(page.locator("main")).to_contain_text("Synthetic biology cluster valuation")
    oidc_provider.set("li.wei", roles=["data_entry"], dept_codes=["industry"])
    sign_in_with_platform(page, live_server.url, "li.wei")
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Synthetic biology cluster valuation")
    user = get_user_model().objects.get(username="li.wei")
    assert list(user.departments.all()) == [other_department]


def test_someone_without_a_role_claim_is_told_whom_to_ask(live_server, page, oidc_provider, db):
    oidc_provider.set("zhao.min", dept_codes=["science"])
    sign_in_with_platform(page, live_server.url, "zhao.min")
    expect(page.get_by_role("heading", name="No role yet")).to_be_visible()
    expect(page.locator("main")).to_contain_text("system administrator")


def test_signing_out_ends_the_session_at_the_platform_too(live_server, page, oidc_provider, db):
    oidc_provider.set("wang.fang", roles=["reviewer"])
    sign_in_with_platform(page, live_server.url, "wang.fang")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + "/en/my/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_official_signs_in_through_cas(live_server, page, cas_server, department, synbio_of):
    synbio_of(department)
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    page.goto(live_server.url + "/en/accounts/login/?next=/en/my/")
    page.get_by_role("link", name="Sign in with Test CAS").click()
    page.get_by_label("CAS user").fill("li.wei")
    page.get_by_label("CAS password").fill("whatever")
    page.get_by_role("button", name="Sign in to CAS").click()
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Synthetic biology cluster valuation")


def test_the_login_page_with_both_platforms_has_no_axe_violations(
    live_server, page, oidc_provider, cas_server
):
    page.goto(live_server.url + "/accounts/login/")
    expect(
        page.get_by_role("link", name="使用统一身份认证登录 / Sign in with Test CAS")
    ).to_be_visible()
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()

"""Security: escaping of stored text, CSRF, what anonymous visitors can reach, redirects after
sign-in, response headers, error pages, login lockout, logout, production settings."""

import datetime
import io
import os
import string
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import path
from django.utils import timezone
from django.utils.html import escape

from kpis.models import Actual, IndicatorQuerySet, Target

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Lantern-Harbour-2931"
MARCH = datetime.date(2024, 3, 31)
JUNE = datetime.date(2024, 6, 30)
SEPTEMBER = datetime.date(2024, 9, 30)
DECEMBER = datetime.date(2024, 12, 31)

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'


def hostile(field):
    """Text an attacker with a staff account (or a poisoned import) could store in `field`."""
    return f"{field}{SCRIPT}{IMAGE}"


# A urlconf of its own for the error pages (settings.ROOT_URLCONF = __name__).
def broken_view(request):
    raise RuntimeError("secret-detail-123")


urlpatterns = [path("boom/", broken_view)]


def body(response):
    """The text a user gets: the page, or every cell of a spreadsheet."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return response.content.decode("utf-8")


def sign_in(client, username, password=PASSWORD, prefix="", next=None, **headers):
    """Sign in through the real login view, which django-axes watches."""
    data = {"username": username, "password": password}
    if next is not None:
        data["next"] = next
    return client.post(f"{prefix}/accounts/login/", data, **headers)


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def indicator(make_indicator, department):
    return make_indicator(target="100", department=department, decimals=2)


# --- 1. Stored XSS ------------------------------------------------------------------------


@pytest.fixture
def hostile_figure(make_indicator, make_actual, theme, source, department, official, reviewer):
    """Every text field that reaches a page holds a script; returns a returned figure (note
    and reason for return) of an indicator whose names, definition and quotes are hostile."""
    for thing, prefix, fields in (
        (theme, "theme", ["name", "name_en"]),
        (source, "source", ["title", "publisher"]),
        (department, "department", ["name", "name_en"]),
    ):
        for field in fields:
            setattr(thing, field, hostile(f"{prefix}-{field}"))
        thing.save()
    indicator = make_indicator(
        target="100",
        department=department,
        name=hostile("indicator-name"),
        name_en=hostile("indicator-name_en"),
        definition=hostile("definition"),
        definition_en=hostile("definition_en"),
        baseline_year=2023,
        baseline_value=Decimal(10),
        source=source,
        baseline_quote=hostile("baseline_quote"),
    )
    Target.objects.filter(indicator=indicator).update(quote=hostile("target-quote"))
    make_actual(indicator, period_end=MARCH, value="40")
    return make_actual(
        indicator,
        period_end=JUNE,
        value="50",
        status=Actual.Status.RETURNED,
        note=hostile("note"),
        return_reason=hostile("return_reason"),
        entered_by=official,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
    )


PAGES_WITH_STORED_TEXT = [
    ("anonymous", "/", ["indicator-name", "theme-name"]),
    ("anonymous", "/en/", ["indicator-name_en", "theme-name_en"]),
    (
        "anonymous",
        "/indicators/{code}/",
        [
            "indicator-name",
            "theme-name",
            "definition",
            "baseline_quote",
            "target-quote",
            "source-title",
            "source-publisher",
        ],
    ),
    ("anonymous", "/en/indicators/{code}/", ["indicator-name_en", "definition_en"]),
    ("anonymous", "/en/data/", ["indicator-name_en"]),
    ("official", "/my/", ["indicator-name", "department-name", "return_reason"]),
    ("official", "/my/figures/{pk}/", ["indicator-name", "note", "return_reason"]),
    (
        "admin_user",
        "/admin/kpis/indicator/{indicator_pk}/change/",
        ["indicator-name", "definition", "baseline_quote", "target-quote"],
    ),
    ("admin_user", "/admin/kpis/indicator/", ["indicator-name", "theme-name"]),
    ("admin_user", "/admin/kpis/actual/{pk}/change/", ["indicator-name", "note", "return_reason"]),
    ("admin_user", "/admin/kpis/actual/", ["indicator-name"]),
    ("admin_user", "/admin/kpis/source/{source_pk}/change/", ["source-title", "source-publisher"]),
    ("admin_user", "/admin/kpis/theme/{theme_pk}/change/", ["theme-name", "theme-name_en"]),
    (
        "admin_user",
        "/admin/kpis/department/{department_pk}/change/",
        ["department-name", "department-name_en"],
    ),
]


@pytest.mark.parametrize(
    ("persona", "address", "fields"),
    PAGES_WITH_STORED_TEXT,
    ids=[f"{persona}:{address}" for persona, address, _ in PAGES_WITH_STORED_TEXT],
)
def test_stored_scripts_are_shown_as_text_and_never_run(
    request, hostile_figure, persona, address, fields
):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    indicator = hostile_figure.indicator
    url = address.format(
        code=indicator.code,
        pk=hostile_figure.pk,
        indicator_pk=indicator.pk,
        source_pk=indicator.source_id,
        theme_pk=indicator.theme_id,
        department_pk=indicator.department_id,
    )
    html = body(client.get(url))
    assert SCRIPT not in html and "<img src=x" not in html
    assert [field for field in fields if escape(hostile(field)) not in html] == []


@pytest.mark.parametrize("address", ["/data/progress.json", "/data/indicators/{code}.json"])
def test_open_data_json_carries_stored_text_as_data_never_as_a_page(
    anonymous, hostile_figure, address
):
    response = anonymous.get(address.format(code=hostile_figure.indicator.code))
    document = response.json()
    rows = document.get("indicators", [document])
    assert response["Content-Type"] == "application/json"
    assert rows[0]["name"] == hostile("indicator-name")


REFLECTED = [
    "/?status={payload}",
    "/?theme={payload}&department={payload}",
    "/?sort={payload}",
    "/?page={payload}",
    "/en/?status={payload}",
    "/accounts/login/?next=/{payload}",
]


@pytest.mark.parametrize("address", REFLECTED)
def test_markup_typed_into_an_address_never_comes_back_as_markup(anonymous, indicator, address):
    payload = quote(SCRIPT + IMAGE)
    html = body(anonymous.get(address.format(payload=payload)))
    assert SCRIPT not in html and "<img src=x" not in html


# --- 2. CSRF ------------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def refused_for_csrf(response):
    return response.status_code == 403 and "CSRF" in body(response)


def test_entering_a_figure_without_a_csrf_token_is_refused(csrf_client, official, indicator):
    csrf_client.force_login(official)
    response = csrf_client.post(
        f"/my/enter/{indicator.code}/2024-06-30/", {"value": "42", "note": "x"}
    )
    assert refused_for_csrf(response)
    assert not Actual.objects.exists()


def test_changing_a_figure_without_a_csrf_token_is_refused(
    csrf_client, official, indicator, make_actual
):
    draft = make_actual(indicator, period_end=JUNE, value="40", status=Actual.Status.DRAFT)
    csrf_client.force_login(official)
    response = csrf_client.post(
        f"/my/figures/{draft.pk}/", {"value": "41", "note": "x", "seen_version": draft.version}
    )
    assert refused_for_csrf(response)
    draft.refresh_from_db()
    assert (draft.value, draft.version) == (Decimal(40), 1)


def test_submitting_a_figure_without_a_csrf_token_is_refused(
    csrf_client, official, indicator, make_actual
):
    draft = make_actual(indicator, period_end=JUNE, value="40", status=Actual.Status.DRAFT)
    csrf_client.force_login(official)
    response = csrf_client.post(f"/my/figures/{draft.pk}/submit/")
    assert refused_for_csrf(response)
    draft.refresh_from_db()
    assert draft.status == Actual.Status.DRAFT


def test_publishing_a_figure_without_a_csrf_token_is_refused(
    csrf_client, official, reviewer, indicator, make_actual
):
    submitted = make_actual(
        indicator, period_end=JUNE, value="40", status=Actual.Status.SUBMITTED, entered_by=official
    )
    csrf_client.force_login(reviewer)
    response = csrf_client.post(f"/my/figures/{submitted.pk}/review/", {"publish": ""})
    assert refused_for_csrf(response)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.published_value) == (Actual.Status.SUBMITTED, None)


def test_signing_out_without_a_csrf_token_is_refused(csrf_client, official):
    csrf_client.force_login(official)
    response = csrf_client.post("/accounts/logout/")
    assert refused_for_csrf(response)
    assert csrf_client.get("/my/").status_code == 200


def test_signing_in_without_a_csrf_token_is_refused(csrf_client, official):
    with_password(official)
    response = sign_in(csrf_client, "official")
    assert refused_for_csrf(response)
    official.refresh_from_db()
    assert "_auth_user_id" not in csrf_client.session and official.last_login is None


def test_adding_a_figure_in_the_admin_without_a_csrf_token_is_refused(
    csrf_client, official, indicator
):
    csrf_client.force_login(official)
    response = csrf_client.post(
        "/admin/kpis/actual/add/",
        {"indicator": indicator.pk, "period_end": "2024-06-30", "value": "41", "note": ""},
    )
    assert refused_for_csrf(response)
    assert not Actual.objects.exists()


def test_importing_figures_in_the_admin_without_a_csrf_token_is_refused(
    csrf_client, official, indicator
):
    csrf_client.force_login(official)
    upload = io.BytesIO(f"indicator,period_end,value\n{indicator.code},2024-06-30,41\n".encode())
    upload.name = "figures.csv"
    response = csrf_client.post(
        "/admin/kpis/actual/import/", {"import_file": upload, "format": "0"}
    )
    assert refused_for_csrf(response)
    assert not Actual.objects.exists()


# --- 3. Nothing unpublished reaches the public ----------------------------------------------

SECRETS = ["777.7", "888.8", "内部说明XYZ", "entrant_qz7", "checker_qz7", "内部指标QZ"]


@pytest.fixture
def unpublished(indicator, make_indicator, make_actual, official, reviewer):
    """Draft, submitted and returned figures, and a revision of a published one, all with
    internal notes; plus an indicator kept internal. Returns the public indicator."""
    # User names no page would contain by chance.
    official.username, reviewer.username = "entrant_qz7", "checker_qz7"
    official.save()
    reviewer.save()
    people = {"entered_by": official}
    revision = make_actual(indicator, period_end=MARCH, value="40", reviewed_by=reviewer)
    revision.value, revision.note = Decimal("888.88"), "内部说明XYZ 修订"
    revision.record_entry(official)
    revision.save()
    make_actual(
        indicator, period_end=JUNE, value="777.71", status="draft", note="内部说明XYZ", **people
    )
    make_actual(
        indicator,
        period_end=SEPTEMBER,
        value="777.72",
        status="submitted",
        note="内部说明XYZ",
        **people,
    )
    make_actual(
        indicator,
        period_end=DECEMBER,
        value="777.73",
        status="returned",
        note="内部说明XYZ",
        return_reason="内部说明XYZ 退回",
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        **people,
    )
    internal = make_indicator(
        code="internal-qz", target="100", name="内部指标QZ", name_en="内部指标QZ", is_public=False
    )
    make_actual(internal, period_end=MARCH, value="5")
    return indicator


PUBLIC_ADDRESSES = [
    "/",
    "/en/",
    "/?sort=status",
    "/?sort=-actual",
    "/?status=behind",
    "/indicators/{code}/",
    "/en/indicators/{code}/",
    "/data/",
    "/en/data/",
    "/data/progress.json",
    "/data/progress.csv",
    "/data/progress.xlsx",
    "/data/indicators/{code}.csv",
    "/data/indicators/{code}.json",
    "/healthz",
    "/indicators/no-such-indicator/",
    "/indicators/internal-qz/",
    "/data/indicators/internal-qz.json",
    "/data/indicators/internal-qz.csv",
]


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_pages_show_no_unpublished_figure_note_or_name(anonymous, unpublished, address):
    text = body(anonymous.get(address.format(code=unpublished.code)))
    assert [secret for secret in SECRETS if secret in text] == []


def test_the_public_still_sees_the_published_value_while_its_revision_waits(anonymous, unpublished):
    html = body(anonymous.get(f"/indicators/{unpublished.code}/"))
    assert "40.00" in html and "888.88" not in html


@pytest.mark.parametrize("address", ["/my/figures/{pk}/", "/admin/kpis/actual/{pk}/change/"])
def test_anonymous_visitor_is_sent_to_sign_in_instead_of_seeing_a_figure(
    anonymous, unpublished, address
):
    draft = Actual.objects.get(indicator=unpublished, status="draft", period_end=JUNE)
    response = anonymous.get(address.format(pk=draft.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "内部说明XYZ" not in body(response)


# --- 4. No open redirect after signing in ---------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "https:evil.example",
        "http://testserver.evil.example/",
    ],
)
def test_signing_in_never_sends_the_user_to_another_site(client, official, target):
    with_password(official)
    response = sign_in(client, "official", next=target)
    assert response.status_code == 302
    assert response["Location"] == "/my/"


def test_signing_in_follows_a_next_address_on_this_site(client, official, indicator):
    with_password(official)
    response = sign_in(client, "official", next=f"/indicators/{indicator.code}/")
    assert response["Location"] == f"/indicators/{indicator.code}/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_login_form_drops_a_next_address_on_another_site(anonymous, target):
    html = body(anonymous.get(f"/accounts/login/?next={target}"))
    assert '<input type="hidden" name="next" value="">' in html
    # The language switch keeps the query string on this site's own address; no link or
    # form may lead off-site.
    assert [attribute for attribute in ("href", "action") if f'{attribute}="{target}' in html] == []


# --- 5. Security headers --------------------------------------------------------------------


@pytest.fixture
def responses(anonymous, client, other_official, indicator, make_actual):
    """One response of every kind the site serves."""
    figure = make_actual(indicator, period_end=MARCH, value="40")
    client.force_login(other_official)
    return {
        "html": anonymous.get("/"),
        "csv": anonymous.get("/data/progress.csv"),
        "xlsx": anonymous.get("/data/progress.xlsx"),
        "json": anonymous.get("/data/progress.json"),
        "404": anonymous.get("/indicators/no-such-indicator/"),
        "403": client.get(f"/my/figures/{figure.pk}/"),
        "login": anonymous.get("/accounts/login/"),
    }


def test_every_kind_of_response_has_the_expected_status(responses):
    statuses = {kind: response.status_code for kind, response in responses.items()}
    assert statuses == {
        "html": 200,
        "csv": 200,
        "xlsx": 200,
        "json": 200,
        "404": 404,
        "403": 403,
        "login": 200,
    }


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ],
)
def test_every_kind_of_response_carries_the_security_header(responses, header, value):
    values = {kind: response.get(header) for kind, response in responses.items()}
    assert values == dict.fromkeys(responses, value)


def directives(policy):
    parts = (part.strip().split() for part in (policy or "").split(";"))
    return {part[0]: part[1:] for part in parts if part}


def test_every_kind_of_response_allows_scripts_only_from_the_site_itself(responses):
    policies = {
        kind: directives(response.get("Content-Security-Policy"))
        for kind, response in responses.items()
    }
    assert {kind: policy.get("script-src") for kind, policy in policies.items()} == dict.fromkeys(
        responses, ["'self'"]
    )
    assert {kind: policy.get("frame-ancestors") for kind, policy in policies.items()} == (
        dict.fromkeys(responses, ["'none'"])
    )


def test_no_response_allows_inline_scripts(responses):
    policies = [response.get("Content-Security-Policy", "") for response in responses.values()]
    assert [policy for policy in policies if "unsafe-inline" in policy] == []


# --- 6. Error pages leak nothing -------------------------------------------------------------

LEAKS = ["Traceback", "SECRET_KEY", "ROOT_URLCONF", "URLconf", "tracker.urls", "urlpatterns"]


def test_unknown_indicator_shows_the_friendly_not_found_page(anonymous, indicator):
    response = anonymous.get("/en/indicators/no-such-indicator/")
    html = body(response)
    assert response.status_code == 404 and "Page not found" in html
    assert [leak for leak in LEAKS if leak in html] == []


# Digits other than 0-9 pass str.isdigit() but not int(): ² ¹ ³; int() reads ２０２４.
ODD_NUMBERS = ["²", "¹", "2024²", "２０２４", "-2024", "9" * 30]
NUMBER_ADDRESSES = [
    "/?year={}",
    "/en/?year={}",
    "/data/progress.json?year={}",
    "/data/progress.xlsx?year={}",
    "/indicators/{{code}}/?year={}",
]


@pytest.mark.parametrize("number", ODD_NUMBERS)
@pytest.mark.parametrize("address", NUMBER_ADDRESSES)
def test_a_year_not_written_in_digits_0_to_9_is_not_found_never_an_error(
    anonymous, indicator, address, number
):
    anonymous.raise_request_exception = False
    response = anonymous.get(address.format(number).format(code=indicator.code))
    assert response.status_code == 404


def test_taking_a_snapshot_for_an_odd_year_is_refused_without_an_error(client, reviewer, indicator):
    client.raise_request_exception = False
    client.force_login(reviewer)
    assert client.post("/my/snapshots/?year=²").status_code == 404


def test_server_error_shows_the_friendly_page_without_the_details(settings, db):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    html = body(response)
    assert response.status_code == 500 and "Something went wrong" in html
    assert [leak for leak in ["secret-detail-123", *LEAKS] if leak in html] == []


def test_database_outage_shows_the_unavailable_page_with_retry_after(anonymous, monkeypatch, db):
    def database_down(queryset):
        raise OperationalError("could not connect to server at 10.0.0.5 secret-db-456")

    monkeypatch.setattr(IndicatorQuerySet, "public", database_down)
    response = anonymous.get("/en/")
    html = body(response)
    assert (response.status_code, response.get("Retry-After")) == (503, "30")
    assert "Temporarily unavailable" in html and "secret-db-456" not in html


# --- 7. Login lockout -----------------------------------------------------------------------


def test_sixth_sign_in_after_five_wrong_passwords_is_locked_out_even_with_the_right_one(
    client, official
):
    with_password(official)
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "official", password="wrong-password", prefix="/en")
    response = sign_in(client, "official", prefix="/en")
    assert response.status_code == 429
    assert "Sign-in locked" in body(response) and "5 times" in body(response)
    assert "_auth_user_id" not in client.session


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, official):
    with_password(official)
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(
            client,
            "official",
            password="wrong-password",
            prefix="/en",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    response = sign_in(client, "official", prefix="/en", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_out_user_does_not_lock_out_others_at_the_same_address(client, official, reviewer):
    with_password(official)
    with_password(reviewer)
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "official", password="wrong-password")
    response = sign_in(client, "reviewer")
    assert (response.status_code, response["Location"]) == (302, "/my/")
    assert client.session["_auth_user_id"] == str(reviewer.pk)


# --- 8. Logout only by POST -----------------------------------------------------------------


def test_signing_out_by_following_a_link_is_not_allowed(client, official):
    client.force_login(official)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/my/").status_code == 200


def test_signing_out_with_the_form_ends_the_session(client, official):
    client.force_login(official)
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/my/")["Location"].startswith("/accounts/login/")


# --- 9. Production settings -----------------------------------------------------------------


def run_manage(tmp_path, *arguments, **environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KPI_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        **environment,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = run_manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=string.ascii_letters + string.digits + "-_",
        DJANGO_ALLOWED_HOSTS="kpi.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(
        tmp_path, "check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="kpi.example.gov.cn"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- 10. Sessions ---------------------------------------------------------------------------


def test_sessions_end_with_the_browser_and_after_a_working_day_at_most():
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_session_cookie_is_out_of_reach_of_scripts_and_dies_with_the_browser(client, official):
    with_password(official)
    cookie = sign_in(client, "official").cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert (cookie["expires"], cookie["max-age"]) == ("", "")

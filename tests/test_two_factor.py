"""Two factors for those who publish or change targets (GB/T 22239-2019 8.1.4.1): asked on
the session, before any page or the admin, with TOTP (RFC 6238) enrolled by a QR code the
app draws, recovery codes, and the platform's word only where its token says it asked."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PasswordAge
from identity.oidc import asked_second_factor
from kpis import roles
from kpis.models import Actual


@pytest.fixture
def two_factor_on(settings):
    settings.TWO_FACTOR_ROLES = [roles.REVIEWER, roles.INDICATOR_MANAGER]


@pytest.fixture
def submitted(make_indicator, department, official, make_actual):
    indicator = make_indicator(target="100", department=department)
    actual = make_actual(indicator, value="60", status=Actual.Status.DRAFT, entered_by=official)
    actual.submit(official)
    actual.save()
    return actual


def current_code(device):
    return TOTP(device.bin_key, device.step, device.t0, device.digits).token()


def publish(client, actual):
    return client.post(f"/admin/kpis/actual/{actual.pk}/review/", {"publish": ""})


def test_a_reviewer_without_a_second_factor_cannot_publish(
    client, reviewer, submitted, two_factor_on
):
    client.force_login(reviewer)
    response = publish(client, submitted)
    submitted.refresh_from_db()
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    assert submitted.status == "submitted"


def test_a_reviewer_without_a_second_factor_cannot_publish_from_the_review_page(
    client, reviewer, submitted, two_factor_on
):
    client.force_login(reviewer)
    client.post(f"/my/figures/{submitted.pk}/review/", {"publish": ""})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_reviewer_who_gives_the_current_code_publishes(
    client, reviewer, submitted, two_factor_on
):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client.force_login(reviewer)
    client.post("/accounts/two-factor/", {"token": current_code(device)})
    publish(client, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "published"


def test_a_wrong_code_is_refused(client, reviewer, two_factor_on):
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client.force_login(reviewer)
    page = client.post("/en/accounts/two-factor/", {"token": "000000"}).content.decode()
    assert "This code is not valid" in page
    assert client.get("/my/").status_code == 302


def test_a_superuser_is_asked_too(client, admin_user, two_factor_on):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/two-factor/")


def test_an_official_who_does_not_publish_is_not_asked(client, official, two_factor_on):
    client.force_login(official)
    assert client.get("/my/").status_code == 200


def test_without_the_setting_nobody_is_asked_as_in_development(client, reviewer, submitted):
    client.force_login(reviewer)
    publish(client, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "published"


def test_enrolment_shows_a_qr_code_served_by_the_app_and_the_secret(
    client, reviewer, two_factor_on
):
    client.force_login(reviewer)
    page = client.get("/en/accounts/two-factor/setup/").content.decode()
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    qr = client.get("/accounts/two-factor/qr.svg")
    assert '<img src="/en/accounts/two-factor/qr.svg"' in page and "<script" not in page
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert device.config_url.split("secret=")[1].split("&")[0] in page


def test_enrolment_confirmed_by_a_code_shows_ten_recovery_codes(client, reviewer, two_factor_on):
    client.force_login(reviewer)
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    page = client.post("/en/accounts/two-factor/setup/", {"token": current_code(device)})
    codes = page.context["codes"]
    assert len(codes) == 10 and all(code in page.content.decode() for code in codes)
    assert client.get("/my/").status_code == 200


def test_a_recovery_code_signs_in_once(client, reviewer, two_factor_on):
    client.force_login(reviewer)
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    code = client.post("/accounts/two-factor/setup/", {"token": current_code(device)}).context[
        "codes"
    ][0]
    for _attempt in range(2):
        client.logout()
        client.force_login(reviewer)
        client.post("/accounts/two-factor/", {"token": code})
    assert client.get("/my/").status_code == 302


def test_the_platform_counts_as_second_factor_only_where_its_token_says_so(
    client, reviewer, two_factor_on
):
    reviewer.platform_second_factor = asked_second_factor({"amr": ["pwd", "otp"]})
    client.force_login(reviewer)
    assert client.get("/my/").status_code == 200
    assert not asked_second_factor({"amr": ["pwd"], "acr": "1"})


def test_a_password_older_than_the_maximum_age_must_be_changed_first(client, official, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    official.set_password("Gm-2026-targets!")
    official.save()
    PasswordAge.objects.create(
        user=official,
        fingerprint=PasswordAge.fingerprint_of(official),
        changed_at=timezone.now() - datetime.timedelta(days=91),
    )
    client.force_login(official)
    assert client.get("/my/")["Location"].startswith("/accounts/password/")
    client.post(
        "/accounts/password/",
        {
            "old_password": "Gm-2026-targets!",
            "new_password1": "Guangming#Targets-2027",
            "new_password2": "Guangming#Targets-2027",
        },
    )
    assert client.get("/my/").status_code == 200


def test_a_password_must_mix_three_kinds_of_characters(db):
    with pytest.raises(ValidationError) as refusal:
        validate_password("guangmingtargetsonly")
    assert [error.code for error in refusal.value.error_list] == ["password_too_simple"]
    validate_password("Guangming targets 2027")


def test_no_administrator_reads_another_persons_authenticator_key(client, reviewer, admin_user):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client.force_login(admin_user)
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403

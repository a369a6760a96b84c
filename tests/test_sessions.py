"""The session's controls: an idle session ends (KPI_IDLE_MINUTES), one account holds at
most KPI_MAX_SESSIONS sessions (a new sign-in ends the oldest), and signing out ends the
account's sessions everywhere."""

import datetime

import pytest
import time_machine
from django.test import Client

from tests.conftest import SHANGHAI

MORNING = datetime.datetime(2026, 12, 6, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_session_idle_longer_than_the_limit_ends(official, settings, clock):
    settings.IDLE_MINUTES = 30
    client = signed_in(official)
    assert client.get("/my/").status_code == 200
    clock.shift(datetime.timedelta(minutes=31))
    assert client.get("/my/")["Location"].startswith("/accounts/login/")
    assert client.get("/my/")["Location"].startswith("/accounts/login/")  # stays ended


def test_a_session_in_use_does_not_end(official, settings, clock):
    settings.IDLE_MINUTES = 30
    client = signed_in(official)
    for _step in range(4):
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get("/my/").status_code == 200


def test_without_the_setting_a_session_is_not_ended_for_idleness(official, clock):
    client = signed_in(official)
    client.get("/my/")
    clock.shift(datetime.timedelta(hours=3))
    assert client.get("/my/").status_code == 200


def test_a_new_sign_in_ends_the_older_session(official, settings, clock):
    settings.MAX_SESSIONS = 1
    first = signed_in(official)
    clock.shift(datetime.timedelta(minutes=1))
    second = signed_in(official)
    assert first.get("/my/").status_code == 302
    assert second.get("/my/").status_code == 200


def test_signing_out_ends_the_session_everywhere(official, clock):
    office, laptop = signed_in(official), signed_in(official)
    office.post("/accounts/logout/")
    assert laptop.get("/my/").status_code == 302


PRINT_CONTROLS = (
    "from django.conf import settings as s; print(s.IDLE_MINUTES, s.MAX_SESSIONS, "
    "s.PASSWORD_MAX_AGE_DAYS, ','.join(s.TWO_FACTOR_ROLES) or '-', s.AUDIT_LOG, "
    "s.BACKUP_REQUIRES_KEY)"
)


def test_the_controls_are_on_in_production_and_off_in_development(tmp_path):
    from tests.test_security import run_manage

    production = run_manage(
        tmp_path,
        "shell",
        "-c",
        PRINT_CONTROLS,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="kpi.example.gov.cn",
    )
    development = run_manage(tmp_path, "shell", "-c", PRINT_CONTROLS, DJANGO_DEBUG="1")
    assert production.stdout.splitlines()[-1].split() == [
        "30",
        "1",
        "90",
        "审核,指标管理,系统管理员,安全管理员,审计管理员",
        "True",
        "True",
    ]
    assert development.stdout.splitlines()[-1].split() == ["0", "0", "0", "-", "False", "False"]

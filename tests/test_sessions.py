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


def test_signing_out_ends_the_session_everywhere(official, settings, clock):
    settings.MAX_SESSIONS = 2
    office, laptop = signed_in(official), signed_in(official)
    office.post("/accounts/logout/")
    assert laptop.get("/my/").status_code == 302

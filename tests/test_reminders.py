import datetime
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis.models import Preference, Reminder, webhook_error
from tests.conftest import make_user

# These periods fall after reporting started here, so they can be late.
pytestmark = pytest.mark.usefixtures("reporting_since_2024")

TODAY = datetime.date(2024, 7, 10)  # Q1 2024 is overdue, Q2 is due by 15 July


@pytest.fixture
def due(make_indicator, department, official, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    official.email = "official@example.gov.cn"
    official.save()
    return make_indicator(department=department, target="10", name="科技指标", name_en="Tech")


def remind():
    output = StringIO()
    call_command("send_reminders", stdout=output, stderr=output)
    return output.getvalue()


def test_official_gets_one_email_with_the_overdue_and_the_soon_due_periods(due):
    remind()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert body.startswith("已逾期：\n- 科技指标：报告期末2024-03-31，截止日2024-04-15")
    assert "2024-03-31" in body and "2024-06-30" in body


def test_reminders_come_in_the_persons_language(due, official):
    Preference.objects.create(user=official, language="en")
    remind()
    assert "Overdue:\n- Tech: the period ending 2024-03-31, deadline 2024-04-15" in (
        mail.outbox[0].body
    )


def test_nobody_is_reminded_twice_of_the_same_period_and_stage(due):
    remind()
    remind()
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 2


def test_a_period_reported_is_not_reminded(due, make_actual):
    make_actual(due, period_end=datetime.date(2024, 3, 31), status="draft")
    remind()
    assert "2024-03-31" not in mail.outbox[0].body


def test_reviewer_is_reminded_of_figures_waiting_but_not_of_their_own(
    due, reviewer, official, make_actual
):
    reviewer.email = "reviewer@example.gov.cn"
    reviewer.save()
    make_actual(due, period_end=datetime.date(2024, 3, 31), status="submitted", entered_by=official)
    make_actual(due, period_end=datetime.date(2024, 6, 30), status="submitted", entered_by=reviewer)
    remind()
    to_reviewer = [message for message in mail.outbox if message.to == [reviewer.email]]
    assert len(to_reviewer) == 1 and "2024-03-31" in to_reviewer[0].body
    assert "2024-06-30" not in to_reviewer[0].body


class Hook(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server(settings):
    # The test's robot listens on loopback over plain HTTP; production allows neither.
    settings.WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/robot"
    server.shutdown()
    server.server_close()


def test_department_webhook_gets_the_same_message_once(due, department, hook_server):
    department.webhook_url = hook_server
    department.save()
    remind()
    remind()
    assert len(Hook.received) == 1
    content = Hook.received[0]["text"]["content"]
    assert Hook.received[0]["msgtype"] == "text" and "科技指标" in content


def test_an_unreachable_webhook_is_reported_and_tried_again_later(due, department, settings):
    settings.WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    department.webhook_url = "http://127.0.0.1:9/unreachable"
    department.save()
    output = remind()
    assert "Webhook of science failed" in output
    assert not Reminder.objects.filter(department=department).exists()


def test_a_webhook_to_another_host_is_refused_when_entered_and_when_sent(due, department):
    department.webhook_url = "https://10.0.0.8/internal"
    with pytest.raises(ValidationError):
        department.full_clean()
    department.save()
    output = remind()
    assert "not used" in output and not Reminder.objects.filter(department=department).exists()


def test_the_periods_due_are_worked_out_once_however_many_people_are_reminded(due, department):
    def queries_with(people):
        for number in range(people):
            member = make_user(f"member{people}-{number}", email=f"m{people}{number}@gm.gov.cn")
            department.members.add(member)
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            remind()
        return len(context)

    few = queries_with(1)  # the official and one member
    more = queries_with(4)  # four members more
    # Each extra person costs their sent-reminders lookup and the record of the new ones;
    # the indicators' periods (three queries) are not read again for each.
    assert more - few <= 4 * 2
    assert len(mail.outbox) == 2 + 6


# A bad webhook fails alone (issue 13, item 9)


@pytest.mark.parametrize(
    "address",
    [
        "https://127.0.0.1:1\\@qyapi.weixin.qq.com/",
        "https://robot:secret@qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "https://qyapi.weixin.qq.com:abc/cgi-bin/webhook/send",
        "https://qyapi.weixin.qq.com\\.evil.example/",
        "qyapi.weixin.qq.com/cgi-bin/webhook/send",
    ],
)
def test_a_webhook_whose_real_host_is_not_a_robot_host_is_refused(department, address):
    department.webhook_url = address
    with pytest.raises(ValidationError):
        department.full_clean()


def test_a_robot_host_address_is_accepted(department):
    department.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    department.full_clean()  # raises ValidationError for an address it refuses
    assert webhook_error(department.webhook_url) is None


@pytest.fixture
def other_due(make_indicator, other_department):
    return make_indicator(department=other_department, target="10", name="产业指标")


def test_a_webhook_stored_before_the_check_is_skipped_and_the_others_still_get_theirs(
    due, other_due, department, other_department, hook_server
):
    # "industry" comes before "science": the bad address is met first.
    other_department.webhook_url = "http://127.0.0.1:1\\@127.0.0.1/robot"
    other_department.save()
    department.webhook_url = hook_server
    department.save()
    output = remind()
    assert "Webhook of industry not used" in output
    assert [post["text"]["content"].split("\n")[0] for post in Hook.received] == ["科技创新局"]


class GarbledHook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers["Content-Length"]))
        self.wfile.write(b"not http at all\r\n\r\n")

    def log_message(self, *args):
        pass


@contextmanager
def robot(handler):
    """A robot on loopback answering with `handler`; yields its address."""
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/robot"
    finally:
        server.shutdown()
        server.server_close()


def test_a_robot_answering_nonsense_fails_alone_and_is_logged(
    due, other_due, department, other_department, hook_server, caplog
):
    department.webhook_url = hook_server
    department.save()
    with robot(GarbledHook) as address:
        other_department.webhook_url = address
        other_department.save()
        output = remind()
    assert "Webhook of industry failed" in output and "industry" in caplog.text
    assert len(Hook.received) == 1
    assert not Reminder.objects.filter(department=other_department).exists()


class RedirectingHook(BaseHTTPRequestHandler):
    followed = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(302)
        self.send_header("Location", f"http://localhost:{self.server.server_port}/elsewhere")
        self.end_headers()

    def do_GET(self):  # noqa: N802 - where a followed redirect arrives
        RedirectingHook.followed.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_robot_is_never_followed_to_another_address(due, department, hook_server):
    RedirectingHook.followed = []
    with robot(RedirectingHook) as address:
        department.webhook_url = address
        department.save()
        output = remind()
    assert RedirectingHook.followed == []
    assert "Webhook of science failed" in output

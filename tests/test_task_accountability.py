"""Key tasks in the accountability features: reminders and snapshots (the scorecard's
part is in tests/test_task_workflow.py)."""

import datetime
import io
from io import StringIO

import docx
import pypdf
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kpis.models import Preference, Reminder
from reports import bulletins
from reports.snapshots import take_snapshot
from tests.conftest import SHANGHAI

TODAY = datetime.date(2024, 7, 10)  # Q1 2024 is overdue, Q2 due by 15 July
D = datetime.date


@pytest.fixture
def task(make_task, department, official, monkeypatch, settings):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    settings.REPORTING_STARTS = D(2024, 1, 1)
    official.email = "official@example.gov.cn"
    official.save()
    Preference.objects.create(user=official, language="en")
    return make_task(department=department, year=2024, title_en="Seed fund in operation")


def remind():
    call_command("send_reminders", stdout=StringIO(), stderr=StringIO())
    return mail.outbox[-1].body if mail.outbox else ""


def test_reminders_name_the_overdue_and_the_soon_due_progress_statements(task):
    body = remind()
    assert (
        "Overdue:\n- Seed fund in operation: the progress statement for the quarter ending "
        "2024-03-31, deadline 2024-04-15" in body
    )
    assert "Due within 7 days:\n- Seed fund in operation: the progress statement for the " in body


def test_reminders_name_an_approved_milestone_due_within_7_days(task, make_milestone):
    make_milestone(task, due=D(2024, 7, 15), title_en="Fund set up")
    make_milestone(task, due=D(2024, 7, 30), title_en="Not yet near")
    body = remind()
    assert "Seed fund in operation: the milestone “Fund set up”, due 2024-07-15" in body
    assert "Not yet near" not in body


def test_a_statement_entered_or_a_milestone_done_is_not_reminded(
    task, make_statement, make_milestone
):
    make_statement(task, period_end=D(2024, 3, 31), status="draft")
    make_statement(task, period_end=D(2024, 6, 30), status="draft")
    make_milestone(task, due=D(2024, 7, 12), done=D(2024, 7, 1), title_en="Done early")
    assert remind() == ""


def test_nobody_is_reminded_twice_of_the_same_statement(task):
    remind()
    remind()
    assert (len(mail.outbox), Reminder.objects.count()) == (1, 2)


def test_quarters_that_ended_before_reporting_started_are_not_reminded(task, settings):
    settings.REPORTING_STARTS = D(2024, 5, 1)
    body = remind()
    assert "2024-03-31" not in body and "2024-06-30" in body


@pytest.fixture
def red_task(make_task, department, make_milestone):
    today = timezone.localdate()
    task = make_task(department=department, title_en="Seed fund in operation")
    for days in (40, 10):
        make_milestone(task, due=today - datetime.timedelta(days=days))
    return task


def test_a_snapshot_freezes_the_tasks_as_they_stood(anonymous, red_task, official, reviewer):
    snapshot, _ = take_snapshot(timezone.localdate(), timezone.localdate().year)
    for milestone in red_task.milestones.all():
        milestone.done = timezone.localdate()
        milestone.record_entry(official)
        milestone.submit(official)
        milestone.publish(reviewer)
        milestone.save()
    page = anonymous.get(snapshot.get_absolute_url().replace("/snapshots/", "/en/snapshots/"))
    frozen = page.content.decode().split('id="snapshot-tasks"')[1]
    assert "Seed fund in operation" in frozen and "rag-red" in frozen
    assert "rag-red" not in anonymous.get("/en/tasks/").content.decode()


def test_the_snapshots_json_carries_the_tasks(anonymous, red_task):
    snapshot, _ = take_snapshot(timezone.localdate(), timezone.localdate().year)
    document = anonymous.get(f"/snapshots/{snapshot.taken_on}.json").json()
    assert [(row["code"], row["status"], row["rag"]) for row in document["tasks"]] == [
        (red_task.code, "delayed", "red")
    ]


def test_the_bulletin_lists_the_delayed_tasks_red_first_in_both_files(
    make_task, department, make_milestone
):
    june = D(2024, 6, 30)
    # The milestones were approved in the spring: a bulletin as of June knows them.
    with time_machine.travel(datetime.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)):
        yellow = make_task(department=department, year=2024, title="轻微滞后任务")
        make_milestone(yellow, due=june - datetime.timedelta(days=5))
        red = make_task(department=department, year=2024, title="严重滞后任务")
        make_milestone(red, due=june - datetime.timedelta(days=40))
        make_task(year=2024, title="尚无计划任务")
    bulletin = bulletins.make(june, "zh-hans")
    assert [row["title"] for row in bulletin.data["delayed_tasks"]] == [
        "严重滞后任务",
        "轻微滞后任务",
    ]
    word = docx.Document(io.BytesIO(bytes(bulletin.docx)))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    pdf = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(bytes(bulletin.pdf))).pages
    )
    assert "严重滞后任务" in cells and "尚无计划任务" not in cells
    assert "严重滞后任务" in "".join(pdf.split())

"""The key tasks' verdicts kept in the database (TaskVerdict, tasks/triggers.py): true on
the very next request after any change, and on the next day without any."""

import datetime
import json
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis.caching import data_version
from tasks.models import Milestone, ProgressStatement, TaskVerdict
from tests.conftest import SHANGHAI

DAY = datetime.timedelta(days=1)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def home_count(client, status):
    """How many tasks `/`'s key tasks summary gives for `status`."""
    page = get(client, "/en/")
    return int(re.search(rf'task-count-{status}"[^>]*>\s*<span class="count">(\d+)<', page)[1])


def json_status(client, code):
    rows = json.loads(get(client, "/data/tasks.json"))["tasks"]
    return next(row["status"] for row in rows if row["code"] == code)


@pytest.fixture
def late_task(make_task, department, make_milestone):
    """A task of this year with two late milestones (red) and one to come."""
    today = timezone.localdate()
    task = make_task(department=department, code="seed-fund")
    make_milestone(task, due=today - 40 * DAY, title="完成基金设立")
    make_milestone(task, due=today - 10 * DAY, title="首笔投资")
    make_milestone(task, due=today + 60 * DAY, title="完成十笔投资")
    return task


def test_milestones_done_by_a_bulk_update_show_on_the_very_next_home_page(anonymous, late_task):
    assert (home_count(anonymous, "delayed"), home_count(anonymous, "on_schedule")) == (1, 0)
    # An update that bypasses save(): the database's triggers forget the verdict all the same.
    today = timezone.localdate()
    late_task.milestones.filter(due__lt=today).update(done=today, published_done=today)
    assert (home_count(anonymous, "delayed"), home_count(anonymous, "on_schedule")) == (0, 1)


def test_a_published_completion_statement_shows_on_the_very_next_open_data(
    anonymous, late_task, official, reviewer
):
    assert json_status(anonymous, "seed-fund") == "delayed"
    quarter = datetime.date(timezone.localdate().year, 9, 30)
    statement = ProgressStatement(task=late_task, period_end=quarter, text="完成", completes=True)
    statement.record_entry(official)
    statement.save()
    assert json_status(anonymous, "seed-fund") == "delayed"  # a draft is not public
    statement.submit(official)
    statement.publish(reviewer)
    statement.save()
    assert json_status(anonymous, "seed-fund") == "done"


def test_a_deleted_milestone_leaves_the_task_without_a_plan_on_the_next_list(
    anonymous, make_task, make_milestone
):
    task = make_task(title_en="Lone milestone")
    make_milestone(task, due=timezone.localdate() - 30 * DAY)
    assert "rag-red" in get(anonymous, "/en/tasks/")
    Milestone.objects.filter(task=task).delete()
    page = get(anonymous, "/en/tasks/")
    assert "rag-red" not in page and "No plan yet" in page


def test_a_milestone_falls_late_on_the_day_after_its_due_date_without_any_write(
    anonymous, make_task, make_milestone, make_statement
):
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI)) as traveller:
        task = make_task(title_en="Due today")
        make_milestone(task, due=datetime.date(2026, 12, 6))
        make_statement(task, period_end=datetime.date(2026, 9, 30))
        assert "rag-green" in get(anonymous, "/en/tasks/")
        version = data_version()
        traveller.move_to(datetime.datetime(2026, 12, 7, 10, tzinfo=SHANGHAI))
        page = get(anonymous, "/en/tasks/")
        assert "Delayed" in page and "rag-yellow" in page
        traveller.move_to(datetime.datetime(2026, 12, 22, 10, tzinfo=SHANGHAI))
        assert "rag-red" in get(anonymous, "/en/tasks/")
        assert data_version() == version  # nothing was written to the tasks meanwhile


def test_a_verdict_judged_on_a_later_day_is_not_read_on_an_earlier_one(
    anonymous, make_task, make_milestone
):
    # A clock set back (or a document of an earlier day) must not read tomorrow's verdict.
    with time_machine.travel(datetime.datetime(2026, 12, 7, 10, tzinfo=SHANGHAI)) as traveller:
        make_milestone(make_task(), due=datetime.date(2026, 12, 6))
        assert "rag-yellow" in get(anonymous, "/en/tasks/")
        traveller.move_to(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI))
        assert "Not started" in get(anonymous, "/en/tasks/")
        assert TaskVerdict.objects.get().judged_on == datetime.date(2026, 12, 6)


def test_a_silent_task_is_not_completed_for_nothing_reported_the_day_its_year_closes(
    anonymous, make_task
):
    # The year's close turns the stored verdict without any write (rules.holds_until).
    with time_machine.travel(datetime.datetime(2026, 12, 31, 10, tzinfo=SHANGHAI)) as traveller:
        make_task(code="silent", title_en="Silent", year=2026)
        assert "No plan yet" in get(anonymous, "/en/tasks/?year=2026")
        version = data_version()
        traveller.move_to(datetime.datetime(2027, 1, 1, 10, tzinfo=SHANGHAI))
        page = get(anonymous, "/en/tasks/?year=2026")
        assert "Not completed: nothing reported" in page and "rag-red" in page
        rows = json.loads(get(anonymous, "/data/tasks.json"))["tasks"]
        assert [(row["status"], row["reason"]) for row in rows] == [
            ("not_completed", "nothing_reported")
        ]
        assert data_version() == version  # nothing was written to the tasks meanwhile


def test_a_quiet_task_is_not_judged_again_on_every_request(anonymous, make_task, make_milestone):
    make_milestone(make_task(), due=timezone.localdate() + 30 * DAY)
    get(anonymous, "/en/tasks/")
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        get(anonymous, "/en/tasks/")
    assert not any("INSERT" in query["sql"] for query in context.captured_queries)


def build_tasks(make_task, make_milestone, make_statement, count):
    today = timezone.localdate()
    for number in range(count):
        task = make_task()
        make_milestone(task, due=today - (number % 30) * DAY)
        make_statement(task)


def queries_for(client, url):
    get(client, url)  # the first reader after a change writes the changed verdicts
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        get(client, url)
    return len(context)


def test_the_home_page_costs_the_same_queries_at_20_and_1000_tasks(
    anonymous, make_task, make_milestone, make_statement
):
    build_tasks(make_task, make_milestone, make_statement, 20)
    few = queries_for(anonymous, "/")
    build_tasks(make_task, make_milestone, make_statement, 980)
    assert queries_for(anonymous, "/") == few
    assert home_count(anonymous, "delayed") > 500

"""The public pages of key tasks, their open data and their cache."""

import csv
import datetime
import io
import json
import re

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis.models import Theme
from reports.snapshots import take_snapshot
from tasks import rules
from tasks.models import Milestone, Task
from tests.conftest import SHANGHAI

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def late_task(make_task, department, make_milestone):
    """A task of this year with two late milestones (red) and one to come."""
    task = make_task(department=department, code="seed-fund", title="推动种子基金实质运作")
    make_milestone(task, due=TODAY - 40 * DAY, title="完成基金设立", title_en="Fund set up")
    make_milestone(task, due=TODAY - 10 * DAY, title="首笔投资", title_en="First investment")
    make_milestone(task, due=TODAY + 60 * DAY, title="完成十笔投资", title_en="Ten investments")
    return task


def test_the_tasks_page_lists_every_article_task_with_its_title(anonymous, article_tasks):
    page = get(anonymous, "/tasks/")
    assert all(title in page for title in Task.objects.values_list("title", flat=True))


def test_the_english_tasks_page_uses_the_english_titles(anonymous, article_tasks):
    page = get(anonymous, "/en/tasks/")
    assert "Get the Science City seed fund into substantive operation" in page


def test_a_task_page_quotes_the_articles_sentence_with_its_source(anonymous, article_tasks):
    page = get(anonymous, "/en/tasks/science-city-seed-fund/")
    assert "同時,推動科學城種子基金實質運作。" in page
    assert "Shenzhen Special Zone Daily" in page


def test_the_article_tasks_have_no_plan_yet_and_no_colour(year_2024_open, anonymous, article_tasks):
    page = get(anonymous, "/en/tasks/")
    assert page.count("task-status rag-none") == Task.objects.count()
    assert "rag-red" not in page


def test_the_summary_counts_tasks_by_status(anonymous, late_task, make_task):
    make_task()
    page = get(anonymous, "/en/tasks/")
    summary = page[page.index("task-summary") : page.index("</section>")]
    delayed = summary[summary.index("task-count-delayed") :]
    assert delayed.index('<span class="count">1</span>') < delayed.index("Delayed")
    assert f'task-count-no_plan" href="/en/tasks/?year={TODAY.year}&amp;status=no_plan"' in summary


def test_the_home_page_counts_the_key_tasks_by_status_as_the_tasks_page_does(
    anonymous, late_task, make_task
):
    make_task()
    page = get(anonymous, "/en/")
    summary = page[page.index("task-summary") :]
    delayed = summary[summary.index("task-count-delayed") :]
    assert delayed.index('<span class="count">1</span>') < delayed.index("Delayed")
    # The link names the year `/` shows, as every task count does (issue 23 item 7).
    assert f'task-count-no_plan" href="/en/tasks/?year={TODAY.year}&amp;status=no_plan"' in summary


def test_a_status_link_shows_only_the_tasks_at_that_status(anonymous, late_task, make_task):
    make_task(title_en="Nothing planned")
    page = get(anonymous, "/en/tasks/?status=delayed")
    assert late_task.title_en in page and "Nothing planned" not in page


def test_the_theme_filter_keeps_one_theme(anonymous, late_task, make_task):
    other = Theme.objects.create(code="finance", name="科技金融", name_en="Finance")
    make_task(theme=other, title_en="A finance task")
    page = get(anonymous, "/en/tasks/?theme=finance")
    assert "A finance task" in page and late_task.title_en not in page


def test_a_task_with_two_late_milestones_is_delayed_and_red_in_words(anonymous, late_task):
    page = get(anonymous, late_task.get_absolute_url().replace("/tasks/", "/en/tasks/"))
    assert 'rag-red"><span class="status-icon" aria-hidden="true">!</span> Delayed' in page
    assert "(red)" in page


def test_the_timeline_lists_milestones_by_due_date_with_their_state(anonymous, late_task):
    page = get(anonymous, "/en/tasks/seed-fund/")
    positions = [
        page.index(title) for title in ("Fund set up", "First investment", "Ten investments")
    ]
    assert positions == sorted(positions)
    assert page.count("milestone milestone-late") == 2


def test_unpublished_milestones_and_statements_stay_off_the_page(
    anonymous, late_task, make_milestone, make_statement
):
    make_milestone(late_task, due=TODAY, title="草稿节点", status="draft")
    make_statement(late_task, text="草稿进度", status="submitted")
    page = get(anonymous, "/tasks/seed-fund/")
    assert "草稿节点" not in page and "草稿进度" not in page


def test_published_statements_show_newest_first_with_their_share(
    anonymous, late_task, make_statement
):
    make_statement(late_task, period_end=datetime.date(2024, 3, 31), text="一季度进度")
    make_statement(late_task, period_end=datetime.date(2024, 6, 30), text="二季度进度", percent=40)
    page = get(anonymous, "/tasks/seed-fund/")
    assert page.index("二季度进度") < page.index("一季度进度")
    assert "40%" in page


def test_the_tasks_data_follows_the_json_contract(anonymous, late_task, make_statement):
    make_statement(late_task, period_end=datetime.date(2024, 3, 31), text="进度", percent=10)
    document = json.loads(get(anonymous, "/data/tasks.json"))
    row = document["tasks"][0]
    assert set(document) == {"generated_at", "tasks"}
    assert {
        "code",
        "title",
        "title_en",
        "theme",
        "department",
        "year",
        "status",
        "rag",
        "milestones",
        "progress",
        "source",
    } <= set(row)
    assert (row["theme"], row["department"], row["status"], row["rag"]) == (
        "innovation",
        "science",
        "delayed",
        "red",
    )
    assert row["milestones"][0] == {
        "title": "完成基金设立",
        "title_en": "Fund set up",
        "due": (TODAY - 40 * DAY).isoformat(),
        "done": None,
    }
    assert row["progress"] == [
        {
            "period_end": "2024-03-31",
            "percent": 10,
            "text": "进度",
            "text_en": "",
            "complete": False,
        }
    ]
    assert set(row["source"]) == {"title", "publisher", "date", "quote"}


def test_the_json_agrees_with_the_page_on_every_article_task(
    year_2024_open, anonymous, article_tasks
):
    document = json.loads(get(anonymous, "/data/tasks.json"))
    for row in document["tasks"]:
        page = get(anonymous, f"/tasks/{row['code']}/")
        assert row["title"] in page and row["source"]["quote"] in page
        assert (row["status"], row["rag"]) == ("no_plan", None)


def test_csv_and_xlsx_carry_the_same_rows_as_the_json(anonymous, late_task, make_task):
    make_task()
    document = json.loads(get(anonymous, "/data/tasks.json"))
    rows = list(csv.DictReader(io.StringIO(get(anonymous, "/data/tasks.csv").lstrip("\ufeff"))))
    workbook = openpyxl.load_workbook(io.BytesIO(anonymous.get("/data/tasks.xlsx").content))
    sheet = list(workbook.active.values)
    assert [row["code"] for row in rows] == [task["code"] for task in document["tasks"]]
    assert [row[0] for row in sheet[1:]] == [task["code"] for task in document["tasks"]]
    assert (rows[0]["status"], rows[0]["rag"], rows[0]["milestones"]) == ("delayed", "red", "3")
    assert rows[0]["next_due"] == (TODAY - 40 * DAY).isoformat()


def test_a_formula_in_a_task_title_is_neutralised_in_the_csv(anonymous, make_task):
    make_task(title='=HYPERLINK("http://evil")')
    rows = list(csv.DictReader(io.StringIO(get(anonymous, "/data/tasks.csv").lstrip("\ufeff"))))
    assert rows[0]["title"].startswith("'=")


def test_a_published_statement_is_on_the_very_next_page(
    anonymous, late_task, official, reviewer, make_statement
):
    url = "/tasks/seed-fund/"
    assert "基金已设立" not in get(anonymous, url)
    statement = make_statement(
        late_task, text="基金已设立", status="submitted", entered_by=official
    )
    assert "基金已设立" not in get(anonymous, url)
    statement.publish(reviewer)
    statement.save()
    assert "基金已设立" in get(anonymous, url)
    assert "基金已设立" in get(anonymous, "/data/tasks.json")


def test_a_milestone_done_turns_the_list_from_red_to_yellow_on_the_next_page(
    anonymous, late_task, official, reviewer
):
    assert "rag-red" in get(anonymous, "/tasks/")
    milestone = Milestone.objects.get(title="完成基金设立")
    milestone.done = TODAY
    milestone.record_entry(official)
    milestone.submit(official)
    milestone.publish(reviewer)
    milestone.save()
    page = get(anonymous, "/tasks/")
    assert "rag-yellow" in page and "rag-red" not in page


def build_tasks(make_task, make_milestone, make_statement, count):
    for _ in range(count):
        task = make_task()
        make_milestone(task, due=TODAY - DAY)
        make_statement(task)


def queries_for(client, url):
    """Queries of `url` built afresh (the cache emptied) once the tasks have been judged:
    the first reader after a change writes the verdicts of what changed (TaskVerdict), a
    write per batch of changed tasks, not per page."""
    get(client, url)
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        get(client, url)
    return len(context)


@pytest.mark.parametrize("url", ["/tasks/", "/en/tasks/", "/tasks/task-1/", "/data/tasks.json"])
def test_task_pages_cost_the_same_queries_at_20_and_1000_tasks(
    anonymous, make_task, make_milestone, make_statement, django_assert_max_num_queries, url
):
    build_tasks(make_task, make_milestone, make_statement, 20)
    few = queries_for(anonymous, url)
    build_tasks(make_task, make_milestone, make_statement, 980)
    get(anonymous, url)
    cache.clear()
    with django_assert_max_num_queries(few):
        get(anonymous, url)
    assert few <= 8


def test_the_tasks_list_shows_50_a_page_and_keeps_the_filter_in_page_links(anonymous, make_task):
    for _ in range(51):
        make_task()
    first = get(anonymous, "/en/tasks/?status=no_plan")
    second = get(anonymous, "/en/tasks/?status=no_plan&page=2")
    assert (first.count("<tr>") - 1, second.count("<tr>") - 1) == (50, 1)
    assert "?status=no_plan&amp;page=2" in first


def test_a_new_cooperating_department_is_on_the_very_next_page(
    anonymous, late_task, other_department
):
    assert other_department.name_en not in get(anonymous, "/en/tasks/seed-fund/")
    late_task.cooperating.add(other_department)
    assert other_department.name_en in get(anonymous, "/en/tasks/seed-fund/")


def test_markup_in_a_published_statement_is_shown_as_text(anonymous, late_task, make_statement):
    make_statement(late_task, text='<script>alert("x")</script>')
    page = get(anonymous, "/tasks/seed-fund/")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_the_summary_context_for_the_home_page_counts_every_status_worst_first(
    late_task, make_task
):
    make_task()
    counts = Task.objects.status_counts(TODAY)
    assert counts[:2] == [("not_completed", 0), ("delayed", 1)]
    assert dict(counts)["no_plan"] == 1 and len(counts) == 7


def test_the_open_data_page_lists_the_task_files_and_their_columns(db, anonymous):
    page = get(anonymous, "/en/data/")
    assert 'href="/data/tasks.json"' in page and "<code>next_due</code>" in page


def test_the_home_pages_task_counts_agree_with_each_tasks_own_verdict(
    late_task, make_task, make_milestone, make_statement
):
    # status_counts reads plain values; each task's page judges its model instances.
    last_year = TODAY.year - 1
    done = make_task()
    make_milestone(done, due=TODAY - 20 * DAY, done=TODAY - 25 * DAY)
    caught_up = make_task()  # red for weeks, then done: yellow to the quarter's end
    make_milestone(caught_up, due=TODAY - 60 * DAY, done=TODAY - 5 * DAY)
    make_milestone(caught_up, due=TODAY - 50 * DAY, done=TODAY - 5 * DAY)
    make_milestone(make_task(), due=TODAY + 30 * DAY)  # not started
    completed = make_task(year=last_year)
    make_statement(completed, period_end=datetime.date(last_year, 12, 31), completes=True)
    make_milestone(make_task(year=last_year), due=datetime.date(last_year, 6, 30))
    draft_only = make_task()  # an unpublished milestone is no plan
    Milestone.objects.create(task=draft_only, title="草稿", due=TODAY + 5 * DAY)
    make_task()
    verdicts = [task.verdict.status for task in Task.objects.with_status(TODAY)]
    counts = Task.objects.status_counts(TODAY)
    assert counts == rules.count_by_status(verdicts)
    assert {status for status, n in counts if n} == {
        "done", "delayed", "not_started", "completed", "not_completed", "no_plan"
    }  # fmt: skip
    assert dict(counts)["no_plan"] == 2


# Issue 23, item 7: on 6 December 2026, with key tasks of 2024 to 2026.


@pytest.fixture
def tasks_of_three_years(make_task, make_milestone, make_statement):
    """2024: one task with an honest plan that was not kept, one with nothing ever entered;
    2025: one completed; 2026: one on schedule and one with nothing entered yet."""
    kept_quiet = make_task(year=2024, title="二〇二四年未报送任务", title_en="Silent 2024 task")
    planned = make_task(year=2024, title="二〇二四年有计划任务", title_en="Planned 2024 task")
    make_milestone(planned, due=datetime.date(2024, 9, 30))
    done = make_task(year=2025, title="二〇二五年任务", title_en="Done 2025 task")
    make_statement(done, period_end=datetime.date(2025, 12, 31), completes=True)
    on_schedule = make_task(year=2026, title="二〇二六年任务", title_en="Running 2026 task")
    make_milestone(on_schedule, due=datetime.date(2026, 12, 20))
    make_statement(on_schedule, period_end=datetime.date(2026, 9, 30))
    make_task(year=2026, title="二〇二六年新任务", title_en="New 2026 task")
    return kept_quiet


@pytest.fixture
def december_6_2026():
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield


def test_a_closed_years_task_with_nothing_entered_reads_not_completed_nothing_reported(
    december_6_2026, anonymous, tasks_of_three_years
):
    page = get(anonymous, "/en/tasks/?year=2024")
    row = page[page.index("Silent 2024 task") :].split("</tr>", 1)[0]
    assert "Not completed: nothing reported" in row and "rag-red" in row
    assert "No plan yet" not in page.split("</section>", 1)[1]
    assert "年度未完成：未报送" in get(anonymous, "/tasks/?year=2024")


def test_the_open_data_lists_every_years_tasks_the_silent_one_not_completed(
    december_6_2026, anonymous, tasks_of_three_years
):
    document = json.loads(get(anonymous, "/data/tasks.json"))
    rows = {row["title_en"]: row for row in document["tasks"]}
    assert {row["year"] for row in rows.values()} == {2024, 2025, 2026}
    silent = rows["Silent 2024 task"]
    assert (silent["status"], silent["rag"], silent["reason"]) == (
        "not_completed", "red", "nothing_reported"
    )  # fmt: skip
    assert rows["New 2026 task"]["status"] == "no_plan"
    one_year = json.loads(get(anonymous, "/data/tasks.json?year=2024"))["tasks"]
    assert {row["year"] for row in one_year} == {2024}


def test_the_tasks_page_opens_on_the_year_the_home_page_shows_and_filters_by_year(
    december_6_2026, anonymous, tasks_of_three_years
):
    page = get(anonymous, "/en/tasks/")
    assert "Running 2026 task" in page and "Silent 2024 task" not in page
    assert '<option value="2024">2024</option>' in page
    assert '<option value="2026" selected>2026</option>' in page
    earlier = get(anonymous, "/en/tasks/?year=2024")
    assert "Silent 2024 task" in earlier and "Running 2026 task" not in earlier
    assert anonymous.get("/en/tasks/?year=1999").status_code == 404


def test_the_home_page_counts_only_the_tasks_of_its_year_and_says_which(
    december_6_2026, anonymous, tasks_of_three_years
):
    page = get(anonymous, "/")
    summary = page[
        page.index("task-summary") : page.index("</section>", page.index("task-summary"))
    ]
    assert "2026年重点任务" in summary
    counts = dict(re.findall(r'task-count-(\w+)".*?class="count">(\d+)<', summary, flags=re.S))
    assert (counts["on_schedule"], counts["no_plan"], counts["not_completed"]) == ("1", "1", "0")
    assert "Key tasks of 2026 by status" in get(anonymous, "/en/")


def test_a_snapshot_counts_the_silent_task_as_not_completed(
    december_6_2026, anonymous, tasks_of_three_years
):
    snapshot, _ = take_snapshot(timezone.localdate(), 2026)
    document = anonymous.get(f"/snapshots/{snapshot.taken_on}.json").json()
    row = next(row for row in document["tasks"] if row["title_en"] == "Silent 2024 task")
    assert (row["status"], row["reason"]) == ("not_completed", "nothing_reported")
    page = get(anonymous, f"/en/snapshots/{snapshot.taken_on}/")
    assert "Not completed: nothing reported" in page

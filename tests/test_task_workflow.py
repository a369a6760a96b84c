"""Milestones and progress statements: the figures' workflow, four eyes, department scope
and history, on /my/tasks/ and in the admin."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kpis import roles
from kpis.models import Department, EditConflict
from tasks.models import Milestone, ProgressStatement, Task
from tasks.roles import TASK_ROLES
from tests.conftest import make_user

TODAY = timezone.localdate()
D = datetime.date
LAST_QUARTER_END = datetime.date(TODAY.year, 1, 1) - datetime.timedelta(days=1)


@pytest.fixture
def task(make_task, department):
    return make_task(department=department, code="seed-fund")


def client_for(client, user):
    client.force_login(user)
    return client


def enter_milestone(client, task, submit=True, **fields):
    data = {"title": "设立基金", "title_en": "Fund set up", "due": "2024-06-30", **fields}
    if submit:
        data["submit"] = "1"
    url = reverse("new_task_entry", kwargs={"code": task.code, "kind": "milestones"})
    return client.post(url, data)


def test_the_migrations_give_each_role_the_task_permissions_in_tasks_roles(db):
    for name, codenames in TASK_ROLES.items():
        granted = Group.objects.get(name=name).permissions.filter(content_type__app_label="tasks")
        assert set(granted.values_list("codename", flat=True)) == set(codenames), name


def test_official_enters_and_submits_a_milestone_the_public_does_not_see_yet(
    client, official, task, anonymous
):
    enter_milestone(client_for(client, official), task)
    milestone = Milestone.objects.get()
    assert (milestone.status, milestone.entered_by) == ("submitted", official)
    assert "设立基金" not in anonymous.get(task.get_absolute_url()).content.decode()


def test_reviewer_approves_a_milestone_and_the_public_sees_it(
    client, official, reviewer, task, anonymous
):
    enter_milestone(client_for(client, official), task)
    milestone = Milestone.objects.get()
    url = reverse("review_task_entry", kwargs={"kind": "milestones", "pk": milestone.pk})
    client_for(client, reviewer).post(url, {"publish": "1"})
    milestone.refresh_from_db()
    assert (milestone.status, milestone.published_due) == ("published", datetime.date(2024, 6, 30))
    assert "设立基金" in anonymous.get(task.get_absolute_url()).content.decode()


def test_nobody_approves_a_milestone_they_entered(task, reviewer, make_milestone):
    milestone = make_milestone(task, due=TODAY, status="submitted", entered_by=reviewer)
    with pytest.raises(ValidationError, match="须由其他审核人"):
        milestone.publish(reviewer)


def test_a_draft_cannot_be_published_before_it_is_submitted(task, reviewer, make_statement):
    statement = make_statement(task, status="draft")
    with pytest.raises(ValidationError, match="只有已提交的形象进度才能审核"):
        statement.publish(reviewer)


def test_returned_statement_carries_the_reason_and_the_official_resubmits_it(
    task, official, reviewer, make_statement
):
    statement = make_statement(task, status="submitted", entered_by=official)
    statement.return_for_correction(reviewer, "缺少数据")
    statement.save()
    statement.submit(official)
    assert (statement.status, statement.return_reason) == ("submitted", "")


def test_a_return_needs_a_reason(task, official, reviewer, make_statement):
    statement = make_statement(task, status="submitted", entered_by=official)
    with pytest.raises(ValidationError):
        statement.return_for_correction(reviewer, "  ")


def test_a_changed_published_statement_stays_public_as_it_was_until_reviewed(
    client, official, make_task, department, make_statement, anonymous
):
    # A task of the year of the statement's quarter: a statement reports on its task's year.
    task = make_task(department=department, year=LAST_QUARTER_END.year)
    statement = make_statement(task, period_end=LAST_QUARTER_END, text="旧的进度")
    url = reverse("task_entry", kwargs={"kind": "statements", "pk": statement.pk})
    data = {"period_end": LAST_QUARTER_END.isoformat(), "text": "新的进度", "save": "1"}
    client_for(client, official).post(url, data)
    statement.refresh_from_db()
    page = anonymous.get(task.get_absolute_url()).content.decode()
    assert (statement.status, "旧的进度" in page, "新的进度" in page) == ("draft", True, False)


def test_an_approved_due_date_changes_only_with_a_reason(client, official, task, make_milestone):
    milestone = make_milestone(task, due=datetime.date(2024, 6, 30))
    url = reverse("task_entry", kwargs={"kind": "milestones", "pk": milestone.pk})
    data = {"title": milestone.title, "due": "2024-09-30", "save": "1"}
    response = client_for(client, official).post(url, data)
    assert "请说明调整原因" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.due == datetime.date(2024, 6, 30)


def test_a_moved_due_date_is_listed_publicly_with_its_reason(
    official, reviewer, task, make_milestone, anonymous
):
    milestone = make_milestone(task, due=datetime.date(2024, 6, 30), entered_by=official)
    milestone.due, milestone.due_change_reason = datetime.date(2024, 9, 30), "用地调整"
    milestone.record_entry(official)
    milestone.submit(official)
    milestone.save()
    milestone.publish(reviewer)
    milestone.save()
    page = anonymous.get(task.get_absolute_url()).content.decode()
    assert "用地调整" in page and "2024年6月30日" in page


def test_a_statement_period_must_be_a_quarter_end(client, official, task):
    url = reverse("new_task_entry", kwargs={"code": task.code, "kind": "statements"})
    response = client_for(client, official).post(url, {"period_end": "2024-05-31", "text": "x"})
    assert "不是季度的最后一天" in response.content.decode()
    assert not ProgressStatement.objects.exists()


def test_a_milestone_cannot_be_done_in_the_future(client, official, task):
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = enter_milestone(client_for(client, official), task, done=tomorrow.isoformat())
    assert "节点的完成日期不能晚于今天" in response.content.decode()


def test_an_official_cannot_enter_for_a_task_another_department_leads(client, other_official, task):
    response = enter_milestone(client_for(client, other_official), task)
    assert response.status_code == 404
    assert not Milestone.objects.exists()


def test_an_official_cannot_open_or_change_another_departments_milestone(
    client, other_official, task, make_milestone
):
    milestone = make_milestone(task, due=TODAY, status="draft")
    url = reverse("task_entry", kwargs={"kind": "milestones", "pk": milestone.pk})
    client = client_for(client, other_official)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "改", "due": "2024-01-31"}).status_code == 403


def test_an_official_cannot_submit_or_review_another_departments_entry(
    client, other_official, task, make_milestone
):
    milestone = make_milestone(task, due=TODAY, status="draft")
    client = client_for(client, other_official)
    kwargs = {"kind": "milestones", "pk": milestone.pk}
    assert client.post(reverse("submit_task_entry", kwargs=kwargs)).status_code == 403
    assert (
        client.post(reverse("review_task_entry", kwargs=kwargs), {"publish": "1"}).status_code
        == 403
    )


def test_the_admin_lists_only_the_officials_own_departments_milestones(
    client, official, other_official, task, make_task, other_department, make_milestone
):
    make_milestone(task, due=TODAY, title="本部门节点")
    make_milestone(make_task(department=other_department), due=TODAY, title="他部门节点")
    page = client_for(client, official).get(reverse("admin:tasks_milestone_changelist"))
    assert ("本部门节点" in page.content.decode(), "他部门节点" in page.content.decode()) == (
        True,
        False,
    )


def test_the_admin_answers_403_for_another_departments_statement(
    client, other_official, task, make_statement
):
    statement = make_statement(task, status="draft")
    url = reverse("admin:tasks_progressstatement_change", args=[statement.pk])
    assert client_for(client, other_official).get(url).status_code == 403


def test_the_admin_offers_only_the_officials_tasks_for_a_new_statement(
    client, official, task, make_task, other_department
):
    make_task(department=other_department, title="他部门任务")
    page = client_for(client, official).get(reverse("admin:tasks_progressstatement_add"))
    assert (task.title in page.content.decode(), "他部门任务" in page.content.decode()) == (
        True,
        False,
    )


def test_every_change_of_a_milestone_is_in_its_history_with_who(client, official, reviewer, task):
    enter_milestone(client_for(client, official), task)
    milestone = Milestone.objects.get()
    milestone.publish(reviewer)
    milestone.save()
    records = milestone.history.order_by("history_date")
    assert [record.status for record in records] == ["submitted", "published"]
    assert records.first().history_user == official


def test_my_tasks_lists_the_departments_tasks_and_the_reviewers_queue(
    client, official, reviewer, task, make_task, other_department, make_statement
):
    make_task(department=other_department, title="他部门任务")
    statement = make_statement(task, status="submitted", entered_by=official)
    mine = client_for(client, official).get(reverse("my_tasks")).content.decode()
    assert (task.title in mine, "他部门任务" in mine) == (True, False)
    queue = client_for(client, reviewer).get(reverse("my_tasks")).content.decode()
    assert str(statement) in queue


def test_reviewer_returns_a_statement_with_a_reason_from_its_page(
    client, official, reviewer, task, make_statement
):
    statement = make_statement(task, status="submitted", entered_by=official)
    url = reverse("review_task_entry", kwargs={"kind": "statements", "pk": statement.pk})
    client_for(client, reviewer).post(url, {"return": "1", "reason": "请补充数据"})
    statement.refresh_from_db()
    assert (statement.status, statement.return_reason) == ("returned", "请补充数据")


def test_a_return_without_a_reason_from_the_page_changes_nothing(
    client, official, reviewer, task, make_statement
):
    statement = make_statement(task, status="submitted", entered_by=official)
    url = reverse("review_task_entry", kwargs={"kind": "statements", "pk": statement.pk})
    client_for(client, reviewer).post(url, {"return": "1", "reason": ""})
    statement.refresh_from_db()
    assert statement.status == "submitted"


def test_the_admins_bulk_publish_keeps_the_four_eyes_rule(
    client, reviewer, second_reviewer, task, make_milestone
):
    own = make_milestone(task, due=TODAY, status="submitted", entered_by=reviewer, title="自己的")
    other = make_milestone(task, due=TODAY, status="submitted", entered_by=second_reviewer)
    data = {"action": "publish_selected", "_selected_action": [own.pk, other.pk]}
    client_for(client, reviewer).post(reverse("admin:tasks_milestone_changelist"), data)
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == ("submitted", "published")


def test_the_scorecard_counts_a_tasks_statements_due_in_its_own_year_only(
    task, department, official, make_statement, settings
):
    settings.REPORTING_STARTS = D(2024, 1, 1)
    # On 1 August 2025 the year before has the deadlines of 2024's third and fourth
    # quarters; the task's 2025 quarters are never due. Q3 came on time, Q4 never.
    task.year = 2024
    task.save()
    moment = timezone.make_aware(datetime.datetime(2024, 10, 10, 12))
    make_statement(task, period_end=D(2024, 9, 30), first_submitted_at=moment)
    today = D(2025, 8, 1)
    departments = Department.objects.timeliness_list(
        today, also=Task.objects.statement_reporting(today)
    )
    timeliness = next(d for d in departments if d == department).timeliness
    assert (timeliness.due, timeliness.on_time) == (2, 1)


def test_a_department_leading_only_tasks_is_on_the_scorecard(anonymous, task, department):
    assert department.name in anonymous.get(reverse("department_scorecard")).content.decode()


def test_whoever_submitted_a_colleagues_milestone_cannot_approve_it(
    task, official, department, make_milestone
):
    submitter = make_user("entering_reviewer", roles.DATA_ENTRY)
    submitter.groups.add(Group.objects.get(name=roles.REVIEWER))
    department.members.add(submitter)
    milestone = make_milestone(task, due=TODAY, status="draft", entered_by=official)
    milestone.submit(submitter)
    with pytest.raises(ValidationError, match="该节点由您提交"):
        milestone.publish(submitter)


def test_an_official_of_another_department_cannot_submit_through_the_model(
    task, other_official, make_milestone
):
    milestone = make_milestone(task, due=TODAY, status="draft")
    with pytest.raises(ValidationError):
        milestone.submit(other_official)


@pytest.fixture
def colleague(department):
    """A second data entry official of `department`."""
    user = make_user("colleague", roles.DATA_ENTRY)
    department.members.add(user)
    return user


def milestone_page(milestone, language="en"):
    with translation.override(language):
        return reverse("task_entry", kwargs={"kind": "milestones", "pk": milestone.pk})


def test_two_people_editing_the_same_milestone_the_second_save_is_refused_with_a_message(
    client, official, colleague, task, make_milestone
):
    milestone = make_milestone(task, due=D(2024, 6, 30), status="draft", entered_by=official)
    # Both opened the page before either saved: both forms carry the version they saw.
    seen = {"title_en": "Fund", "due": "2024-06-30", "seen_version": milestone.version}
    client_for(client, official).post(milestone_page(milestone), {**seen, "title": "设立基金"})
    page = client_for(client, colleague).post(milestone_page(milestone), {**seen, "title": "募集"})
    milestone.refresh_from_db()
    assert "Someone else changed it while you were editing it" in page.content.decode()
    assert (milestone.title, milestone.version) == ("设立基金", 2)


def test_the_second_of_two_concurrent_saves_of_a_statement_is_refused(task, make_statement):
    statement = make_statement(task, status="draft")
    first, second = (ProgressStatement.objects.get(pk=statement.pk) for _ in range(2))
    first.text, second.text = "第一稿", "第二稿"
    first.save_edit(first.version)
    with pytest.raises(EditConflict, match="其他人已修改"):
        second.save_edit(second.version)
    statement.refresh_from_db()
    assert statement.text == "第一稿"


def test_the_admin_refuses_a_milestone_edit_made_on_a_stale_copy(
    client, official, colleague, task, make_milestone
):
    milestone = make_milestone(task, due=D(2024, 6, 30), status="draft", entered_by=official)
    url = reverse("admin:tasks_milestone_change", args=[milestone.pk])
    seen = {"title_en": "Fund", "due": "2024-06-30", "seen_version": milestone.version}
    client_for(client, official).post(url, {**seen, "title": "设立基金"})
    page = client_for(client, colleague).post(url, {**seen, "title": "募集"})
    milestone.refresh_from_db()
    assert "在您编辑期间，其他人已修改了该内容" in page.content.decode()
    assert milestone.title == "设立基金"


def test_a_published_milestone_whose_evidence_alone_changes_stays_published(
    client, official, task, make_milestone, anonymous
):
    milestone = make_milestone(task, due=D(2024, 6, 30), title="设立基金")
    data = {"title": "设立基金", "title_en": "Plan done", "due": "2024-06-30"}
    client_for(client, official).post(milestone_page(milestone), {**data, "evidence": "区府文件"})
    milestone.refresh_from_db()
    assert (milestone.status, milestone.evidence) == ("published", "区府文件")


def test_the_admins_workflow_actions_name_what_they_act_on(client, official, task, make_milestone):
    make_milestone(task, due=TODAY, status="draft")
    page = client_for(client, official).get(reverse("admin:tasks_milestone_changelist"))
    assert "将所选节点提交审核" in page.content.decode()


def test_submitting_a_milestone_says_it_was_submitted_not_saved(client, official, task):
    response = client_for(client, official)
    response = client.post(
        reverse("new_task_entry", kwargs={"code": task.code, "kind": "milestones"}),
        {"title": "设立基金", "title_en": "Fund set up", "due": "2024-06-30", "submit": "1"},
        follow=True,
    )
    html = response.content.decode()
    assert "已提交审核" in html and "已保存" not in html


def test_a_statement_for_a_quarter_of_another_year_than_its_tasks_is_refused(
    client, official, make_task, department
):
    task = make_task(department=department, year=2024)
    response = client_for(client, official).post(
        f"/en/my/tasks/{task.code}/statements/new/",
        {"period_end": "2026-03-31", "text": "按计划推进。"},
    )
    assert (
        "A statement of a task of 2024 reports on a quarter of 2024." in response.content.decode()
    )
    assert not ProgressStatement.objects.exists()


def test_my_tasks_uses_english_milestone_titles_on_english_pages(
    client, official, task, make_milestone
):
    make_milestone(task, title="设立基金", title_en="Fund set up", due=D(2026, 6, 30))
    html = client_for(client, official).get("/en/my/tasks/").content.decode()
    assert "Fund set up" in html and "设立基金" not in html


def test_a_milestones_review_page_shows_its_department_and_evidence(
    client, official, reviewer, task, make_milestone
):
    milestone = make_milestone(
        task,
        status="submitted",
        entered_by=official,
        evidence="区科创局批复文件",
        due=D(2026, 6, 30),
    )
    html = client_for(client, reviewer).get(f"/my/tasks/milestones/{milestone.pk}/").content
    assert "科技创新局" in html.decode() and "区科创局批复文件" in html.decode()


def test_a_milestones_form_on_a_chinese_page_keeps_its_dates(
    client, official, task, make_milestone
):
    # A date field takes only 2026-06-30; the Chinese format 2026/06/30 left it empty.
    milestone = make_milestone(task, status="draft", due=D(2026, 6, 30))
    html = client_for(client, official).get(f"/my/tasks/milestones/{milestone.pk}/").content
    assert 'name="due" value="2026-06-30"' in html.decode()

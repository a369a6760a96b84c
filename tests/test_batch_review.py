"""Batch review on /my/: figures, milestones and statements in one queue, published or
returned together with a common reason, four eyes per item, and a summary (issue #27)."""

import datetime

import pytest

from kpis.models import Actual, ReturnReason
from tasks.models import Milestone


@pytest.fixture
def submitted(make_indicator, make_actual, department, official):
    indicators = [make_indicator(department=department, name=f"指标{n}") for n in range(3)]
    return [
        make_actual(indicator, value=1200000, status="submitted", entered_by=official)
        for indicator in indicators
    ]


@pytest.fixture
def milestone(make_task, make_milestone, department, official):
    task = make_task(department=department)
    return make_milestone(
        task, status="submitted", entered_by=official, due=datetime.date(2026, 6, 30)
    )


def test_the_queue_shows_figures_grouped_with_their_unit_and_the_guards_mark(
    client, reviewer, submitted
):
    submitted[0].confirmed_warning = "This figure is about 1,000 times the last published figure"
    submitted[0].save()
    client.force_login(reviewer)
    queue = client.get("/my/").content.decode().split('id="review-heading"')[1]
    assert "1,200,000家" in queue
    assert queue.count("已确认的异常值") == 1


def test_milestones_wait_in_the_same_queue_with_their_department(client, reviewer, milestone):
    client.force_login(reviewer)
    queue = client.get("/my/").content.decode().split('id="review-heading"')[1]
    assert f'name="milestones" value="{milestone.pk}"' in queue
    assert "科技创新局" in queue


def test_a_batch_publishes_every_ticked_figure_and_milestone(
    client, reviewer, submitted, milestone
):
    client.force_login(reviewer)
    response = client.post(
        "/my/review/",
        {"figures": [a.pk for a in submitted[:2]], "milestones": [milestone.pk], "publish": ""},
        follow=True,
    )
    statuses = [a.status for a in Actual.objects.order_by("indicator__position")]
    assert statuses == ["published", "published", "submitted"]
    assert Milestone.objects.get().status == "published"
    assert "已发布 3 项" in response.content.decode()


def test_a_batch_return_takes_a_common_reason_from_the_offices_list(client, reviewer, submitted):
    reason = ReturnReason.objects.get(text="数据与统计报表不一致")
    client.force_login(reviewer)
    client.post("/my/review/", {"figures": [submitted[0].pk], "common_reason": reason.pk})
    returned = Actual.objects.get(pk=submitted[0].pk)
    assert (returned.status, returned.return_reason) == ("returned", "数据与统计报表不一致")


def test_a_batch_return_without_a_reason_returns_nothing(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post("/en/my/review/", {"figures": [submitted[0].pk]}, follow=True)
    assert Actual.objects.get(pk=submitted[0].pk).status == "submitted"
    assert "Choose a common reason or type one" in response.content.decode()


def test_four_eyes_hold_per_item_and_the_summary_says_why(
    client, reviewer, submitted, make_indicator, make_actual
):
    own = make_actual(make_indicator(), value=5, status="submitted", entered_by=reviewer)
    client.force_login(reviewer)
    response = client.post(
        "/en/my/review/", {"figures": [submitted[0].pk, own.pk], "publish": ""}, follow=True
    )
    html = response.content.decode()
    assert Actual.objects.get(pk=own.pk).status == "submitted"
    assert Actual.objects.get(pk=submitted[0].pk).status == "published"
    assert "You entered this figure: another reviewer must publish or return it." in html


def test_an_official_cannot_publish_through_the_batch(client, official, submitted):
    client.force_login(official)
    client.post("/my/review/", {"figures": [submitted[0].pk], "publish": ""})
    assert Actual.objects.get(pk=submitted[0].pk).status == "submitted"


def test_managers_keep_the_list_of_common_reasons(client, manager):
    client.force_login(manager)
    response = client.get("/admin/kpis/returnreason/")
    assert "请补充证明材料" in response.content.decode()

"""Each role against each action on figures, in the back office and on the "my updates" pages.

Officials work for their own departments only: another department's figures are neither
listed nor opened nor changed, whatever the address typed. Only reviewers publish, and never a
figure they entered themselves.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.html import escape

from kpis import roles
from kpis.models import Actual
from tests.conftest import make_user


def shown(message):
    """A message as the (Chinese) pages show it, translated or not yet."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(message))


def indicator_choices(html):
    select = re.search(r'<select name="indicator".*?</select>', html, re.S).group(0)
    return set(re.findall(r"<option[^>]*>([^<]+)</option>", select)) - {"---------"}


@pytest.fixture
def own_indicator(make_indicator, department):
    return make_indicator(name="脑科学企业", department=department, target="100")


@pytest.fixture
def foreign_indicator(make_indicator, other_department):
    return make_indicator(name="工业投资", department=other_department, target="100")


@pytest.fixture
def draft(make_actual, own_indicator, official):
    """A draft of `department`, entered by `official`."""
    return make_actual(own_indicator, value="41", status=Actual.Status.DRAFT, entered_by=official)


@pytest.fixture
def submitted(make_actual, own_indicator, official):
    return make_actual(
        own_indicator, value="41", status=Actual.Status.SUBMITTED, entered_by=official
    )


@pytest.fixture
def foreign_draft(make_actual, foreign_indicator, other_official):
    return make_actual(
        foreign_indicator, value="77", status=Actual.Status.DRAFT, entered_by=other_official
    )


def logged_in(client, user):
    client.force_login(user)
    return client


# Another department's figure, through the admin


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_official_cannot_open_the_admin_pages_of_another_departments_figure(
    client, other_official, draft, page
):
    response = logged_in(client, other_official).get(f"/admin/kpis/actual/{draft.pk}/{page}/")
    assert response.status_code in (403, 404)
    assert "脑科学企业" not in response.content.decode()


def test_official_cannot_open_a_history_record_of_another_departments_figure(
    client, other_official, draft
):
    record = draft.history.latest()
    response = logged_in(client, other_official).get(
        f"/admin/kpis/actual/{draft.pk}/history/{record.history_id}/"
    )
    assert response.status_code in (403, 404)
    assert "脑科学企业" not in response.content.decode()


def test_official_cannot_change_another_departments_figure_through_the_admin(
    client, other_official, draft
):
    response = logged_in(client, other_official).post(
        f"/admin/kpis/actual/{draft.pk}/change/",
        {"value": "9999", "note": "改了", "evidence_url": "", "seen_version": draft.version},
    )
    draft.refresh_from_db()
    assert response.status_code in (403, 404)
    assert (draft.value, draft.note, draft.entered_by.username) == (41, "", "official")


def test_official_cannot_revert_another_departments_figure_from_its_history(
    client, other_official, draft
):
    record = draft.history.latest()
    response = logged_in(client, other_official).post(
        f"/admin/kpis/actual/{draft.pk}/history/{record.history_id}/",
        {"value": "9999", "note": "", "evidence_url": "", "seen_version": draft.version},
    )
    draft.refresh_from_db()
    assert response.status_code in (403, 404)
    assert draft.value == 41


def test_official_cannot_delete_another_departments_figure_through_the_admin(
    client, other_official, draft
):
    response = logged_in(client, other_official).post(
        f"/admin/kpis/actual/{draft.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code in (403, 404)
    assert Actual.objects.filter(pk=draft.pk).exists()


def test_admin_action_passes_over_figures_of_another_department(client, other_official, draft):
    logged_in(client, other_official).post(
        "/admin/kpis/actual/", {"action": "submit_selected", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Actual.Status.DRAFT


def test_admin_list_of_figures_shows_an_official_only_their_departments(
    client, official, draft, foreign_draft
):
    html = logged_in(client, official).get("/admin/kpis/actual/").content.decode()
    assert "脑科学企业" in html
    assert "工业投资" not in html


def test_admin_list_of_figures_shows_a_reviewer_every_department(
    client, reviewer, draft, foreign_draft
):
    html = logged_in(client, reviewer).get("/admin/kpis/actual/").content.decode()
    assert "脑科学企业" in html
    assert "工业投资" in html


def test_admin_list_of_indicators_shows_an_official_only_their_departments(
    client, official, own_indicator, foreign_indicator
):
    html = logged_in(client, official).get("/admin/kpis/indicator/").content.decode()
    assert "脑科学企业" in html
    assert "工业投资" not in html


@pytest.mark.parametrize("persona", ["reviewer", "manager"])
def test_admin_list_of_indicators_shows_reviewers_and_managers_every_department(
    client, request, persona, own_indicator, foreign_indicator
):
    user = request.getfixturevalue(persona)
    html = logged_in(client, user).get("/admin/kpis/indicator/").content.decode()
    assert "脑科学企业" in html
    assert "工业投资" in html


def test_admin_add_form_offers_an_official_only_their_departments_indicators(
    client, official, own_indicator, foreign_indicator
):
    html = logged_in(client, official).get("/admin/kpis/actual/add/").content.decode()
    assert indicator_choices(html) == {"脑科学企业"}


def test_admin_refuses_a_figure_for_another_departments_indicator(
    client, official, foreign_indicator
):
    response = logged_in(client, official).post(
        "/admin/kpis/actual/add/",
        {"indicator": foreign_indicator.pk, "period_end": "2024-03-31", "value": "5"},
    )
    assert response.status_code == 200
    assert not Actual.objects.exists()
    assert "选择一个有效的选项" in response.content.decode()  # refused for the indicator


def test_reviewer_may_look_at_a_figure_in_the_admin_but_not_change_it(client, reviewer, draft):
    response = logged_in(client, reviewer).post(
        f"/admin/kpis/actual/{draft.pk}/change/",
        {"value": "9999", "note": "", "evidence_url": "", "seen_version": draft.version},
    )
    draft.refresh_from_db()
    assert response.status_code == 403
    assert draft.value == 41


@pytest.mark.parametrize("persona", ["official", "reviewer"])
def test_the_departments_official_and_reviewers_open_its_figure_in_the_admin(
    client, request, persona, draft
):
    user = request.getfixturevalue(persona)
    response = logged_in(client, user).get(f"/admin/kpis/actual/{draft.pk}/change/")
    assert response.status_code == 200
    assert "脑科学企业" in response.content.decode()


# Another department's figure, through the "my updates" pages


def test_official_cannot_open_another_departments_figure_page(client, other_official, draft):
    response = logged_in(client, other_official).get(f"/my/figures/{draft.pk}/")
    assert response.status_code in (403, 404)
    assert "脑科学企业" not in response.content.decode()


def test_official_cannot_change_another_departments_figure_on_its_page(
    client, other_official, draft
):
    response = logged_in(client, other_official).post(
        f"/my/figures/{draft.pk}/",
        {"value": "9999", "note": "", "evidence_url": "", "seen_version": draft.version},
    )
    draft.refresh_from_db()
    assert response.status_code in (403, 404)
    assert (draft.value, draft.version) == (41, 1)


def test_official_cannot_submit_another_departments_figure(client, other_official, draft):
    response = logged_in(client, other_official).post(f"/my/figures/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert response.status_code in (403, 404)
    assert draft.status == Actual.Status.DRAFT


def test_official_cannot_open_the_entry_form_of_another_departments_indicator(
    client, official, foreign_indicator
):
    response = logged_in(client, official).get(f"/my/enter/{foreign_indicator.code}/2024-03-31/")
    assert response.status_code == 404


def test_official_cannot_enter_a_figure_for_another_departments_indicator(
    client, official, foreign_indicator
):
    response = logged_in(client, official).post(
        f"/my/enter/{foreign_indicator.code}/2024-03-31/",
        {"value": "5", "note": "", "evidence_url": ""},
    )
    assert response.status_code == 404
    assert not Actual.objects.exists()


def test_my_updates_lists_no_drafts_of_another_department(client, other_official, draft):
    html = logged_in(client, other_official).get("/my/").content.decode()
    assert f"/my/figures/{draft.pk}/" not in html


def test_official_enters_and_submits_a_figure_of_their_own_department(
    client, official, own_indicator
):
    response = logged_in(client, official).post(
        f"/my/enter/{own_indicator.code}/2024-03-31/",
        {"value": "41", "note": "", "evidence_url": "", "submit": ""},
    )
    actual = Actual.objects.get(indicator=own_indicator)
    assert response.status_code == 302
    assert (actual.status, actual.entered_by) == (Actual.Status.SUBMITTED, official)


# Publishing: reviewers only, and never their own figures


@pytest.mark.parametrize("button", ["publish", "return"])
def test_official_cannot_publish_or_return_a_figure(client, official, submitted, button):
    response = logged_in(client, official).post(
        f"/my/figures/{submitted.pk}/review/", {button: "", "reason": "不对"}
    )
    submitted.refresh_from_db()
    assert response.status_code == 403
    assert (submitted.status, submitted.published_value) == (Actual.Status.SUBMITTED, None)


def test_indicator_manager_cannot_publish_a_figure(client, manager, submitted):
    response = logged_in(client, manager).post(
        f"/my/figures/{submitted.pk}/review/", {"publish": ""}
    )
    submitted.refresh_from_db()
    assert response.status_code == 403
    assert submitted.status == Actual.Status.SUBMITTED


def test_official_is_not_offered_the_publish_action_in_the_admin(client, official, submitted):
    html = logged_in(client, official).get("/admin/kpis/actual/").content.decode()
    assert 'value="submit_selected"' in html
    assert 'value="publish_selected"' not in html


def test_publish_action_posted_by_an_official_publishes_nothing(client, official, submitted):
    logged_in(client, official).post(
        "/admin/kpis/actual/", {"action": "publish_selected", "_selected_action": [submitted.pk]}
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.published_value) == (Actual.Status.SUBMITTED, None)


def test_reviewer_cannot_publish_a_figure_they_entered_themselves(
    client, reviewer, department, own_indicator
):
    # A reviewer of a small bureau may also enter figures; the four-eyes rule still holds.
    reviewer.groups.add(Group.objects.get(name=roles.DATA_ENTRY))
    department.members.add(reviewer)
    logged_in(client, reviewer).post(
        f"/my/enter/{own_indicator.code}/2024-03-31/",
        {"value": "41", "note": "", "evidence_url": "", "submit": ""},
    )
    actual = Actual.objects.get(indicator=own_indicator)
    response = client.post(f"/my/figures/{actual.pk}/review/", {"publish": ""}, follow=True)
    actual.refresh_from_db()
    assert actual.status == Actual.Status.SUBMITTED
    assert actual.published_value is None
    assert (
        shown("You entered this figure: another reviewer must publish or return it.")
        in response.content.decode()
    )


def test_reviewer_cannot_publish_their_own_figure_with_the_admin_action(
    client, reviewer, make_actual, own_indicator
):
    actual = make_actual(
        own_indicator, value="41", status=Actual.Status.SUBMITTED, entered_by=reviewer
    )
    response = logged_in(client, reviewer).post(
        "/admin/kpis/actual/",
        {"action": "publish_selected", "_selected_action": [actual.pk]},
        follow=True,
    )
    actual.refresh_from_db()
    assert actual.status == Actual.Status.SUBMITTED
    assert (
        shown("You entered this figure: another reviewer must publish or return it.")
        in response.content.decode()
    )


def test_another_reviewer_publishes_a_figure_the_first_reviewer_entered(
    client, reviewer, second_reviewer, make_actual, own_indicator
):
    # The counterpart of the refusals above: the four-eyes rule blocks only the enterer.
    actual = make_actual(
        own_indicator, value="41", status=Actual.Status.SUBMITTED, entered_by=reviewer
    )
    logged_in(client, second_reviewer).post(f"/my/figures/{actual.pk}/review/", {"publish": ""})
    actual.refresh_from_db()
    assert (actual.status, actual.published_value) == (Actual.Status.PUBLISHED, 41)
    assert actual.reviewed_by == second_reviewer


# Anonymous visitors


@pytest.mark.parametrize(
    ("url", "login"),
    [("/my/", "/accounts/login/?next=/my/"), ("/admin/", "/admin/login/?next=/admin/")],
)
def test_anonymous_visitor_is_sent_to_the_login_page(anonymous, url, login):
    response = anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"] == login


def test_anonymous_visitor_cannot_submit_a_figure(anonymous, draft):
    response = anonymous.post(f"/my/figures/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert response["Location"].startswith("/accounts/login/")
    assert draft.status == Actual.Status.DRAFT


def test_nobody_saves_an_old_version_back_through_the_history_page(
    client, reviewer, make_indicator, department
):
    indicator = make_indicator(department=department, name="原名称")
    indicator.name = "新名称"
    indicator.save()
    old = indicator.history.order_by("history_id").first()
    client.force_login(reviewer)
    url = f"/admin/kpis/indicator/{indicator.pk}/history/{old.history_id}/"
    response = client.post(url, {"name": "被改了"})
    indicator.refresh_from_db()
    assert response.status_code == 403
    assert indicator.name == "新名称"


def test_the_migrations_give_each_role_the_permissions_listed_in_kpis_roles(db):
    for name, codenames in roles.ROLES.items():
        granted = Group.objects.get(name=name).permissions.filter(content_type__app_label="kpis")
        assert set(granted.values_list("codename", flat=True)) == set(codenames), name


# Four eyes for whoever submitted, and admin actions checked figure by figure (issue 13)


@pytest.fixture
def entering_reviewer(department):
    """D: a data-entry official of `department` (only) who is a reviewer too."""
    user = make_user("entering_reviewer", roles.DATA_ENTRY)
    user.groups.add(Group.objects.get(name=roles.REVIEWER))
    department.members.add(user)
    return user


def test_whoever_submitted_a_colleagues_draft_cannot_publish_it(client, draft, entering_reviewer):
    logged_in(client, entering_reviewer).post(f"/my/figures/{draft.pk}/submit/")
    client.post(f"/my/figures/{draft.pk}/review/", {"publish": ""})
    draft.refresh_from_db()
    assert (draft.status, draft.published_value) == (Actual.Status.SUBMITTED, None)


def test_whoever_submitted_a_figure_cannot_publish_it_with_the_admin_actions(
    client, draft, entering_reviewer
):
    logged_in(client, entering_reviewer)
    for action in ("submit_selected", "publish_selected"):
        client.post("/admin/kpis/actual/", {"action": action, "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert (draft.status, draft.published_value) == (Actual.Status.SUBMITTED, None)


def test_another_reviewer_publishes_what_the_submitter_could_not(
    client, draft, entering_reviewer, second_reviewer
):
    logged_in(client, entering_reviewer).post(f"/my/figures/{draft.pk}/submit/")
    logged_in(client, second_reviewer).post(f"/my/figures/{draft.pk}/review/", {"publish": ""})
    draft.refresh_from_db()
    assert draft.status == Actual.Status.PUBLISHED


def test_submit_action_passes_over_another_departments_figure_for_a_reviewer_too(
    client, entering_reviewer, foreign_draft
):
    response = logged_in(client, entering_reviewer).post(
        "/admin/kpis/actual/",
        {"action": "submit_selected", "_selected_action": [foreign_draft.pk]},
        follow=True,
    )
    foreign_draft.refresh_from_db()
    assert foreign_draft.status == Actual.Status.DRAFT
    assert shown("You may not submit this figure.") in response.content.decode()


def test_submit_action_passes_over_figures_the_user_may_not_submit(client, reviewer, draft):
    logged_in(client, reviewer).post(
        "/admin/kpis/actual/", {"action": "submit_selected", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Actual.Status.DRAFT


def test_the_figure_page_tells_its_submitter_another_reviewer_must_review_it(
    client, draft, entering_reviewer
):
    logged_in(client, entering_reviewer).post(f"/my/figures/{draft.pk}/submit/")
    html = client.get(f"/my/figures/{draft.pk}/").content.decode()
    assert shown("You submitted this figure: another reviewer must publish or return it.") in html
    assert 'name="publish"' not in html

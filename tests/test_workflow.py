"""The life of a figure: draft → submitted → published, or returned and resubmitted; revisions
of published figures; history; the checks an entry form makes."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from kpis import roles
from kpis.forms import ActualForm
from kpis.models import Actual, EditConflict

MARCH = datetime.date(2024, 3, 31)
JUNE = datetime.date(2024, 6, 30)


@pytest.fixture
def indicator(make_indicator, department):
    return make_indicator(target="100", department=department)


@pytest.fixture
def draft(indicator, official):
    return Actual.objects.create(
        indicator=indicator, period_end=MARCH, value=40, entered_by=official
    )


def test_submitted_figure_waits_for_review_and_is_not_public(draft, official, anonymous):
    draft.submit(official)
    draft.save()
    assert Actual.objects.waiting_for_review().get() == draft
    assert not Actual.objects.published().exists()


def test_reviewer_publishes_a_submitted_figure(draft, official, reviewer):
    draft.submit(official)
    draft.publish(reviewer)
    draft.save()
    draft.refresh_from_db()
    assert (draft.status, draft.published_value, draft.reviewed_by) == (
        "published",
        Decimal(40),
        reviewer,
    )


def test_a_draft_cannot_be_published_before_it_is_submitted(draft, reviewer):
    with pytest.raises(ValidationError):
        draft.publish(reviewer)
    assert draft.status == "draft"


def test_reviewer_cannot_publish_a_figure_they_entered(draft, official, reviewer):
    draft.entered_by = reviewer
    draft.submit(official)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refusal:
            draft.publish(reviewer)
        assert "another reviewer" in refusal.value.messages[0]
    assert draft.status == "submitted"


def test_returned_figure_carries_the_reason_and_can_be_resubmitted(draft, official, reviewer):
    draft.submit(official)
    draft.return_for_correction(reviewer, "季度数应为累计值")
    assert (draft.status, draft.return_reason) == ("returned", "季度数应为累计值")
    draft.submit(official)
    assert (draft.status, draft.return_reason) == ("submitted", "")


def test_the_first_submission_is_remembered_through_a_return(draft, official, reviewer):
    # The scorecard's punctuality reads it: a correction does not make a figure late.
    draft.submit(official)
    first = draft.first_submitted_at
    assert first is not None and first == draft.submitted_at
    draft.return_for_correction(reviewer, "季度数应为累计值")
    draft.submit(official)
    assert draft.first_submitted_at == first


def test_return_without_a_reason_is_refused(draft, official, reviewer):
    draft.submit(official)
    with pytest.raises(ValidationError):
        draft.return_for_correction(reviewer, "  ")
    assert draft.status == "submitted"


def publish(actual, official, reviewer):
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()


def test_correcting_a_published_figure_keeps_the_old_value_public_until_review(
    draft, official, reviewer
):
    publish(draft, official, reviewer)
    form = ActualForm(
        {"value": "44", "note": "统计口径修正", "seen_version": draft.version},
        instance=draft,
        user=official,
    )
    assert form.is_valid(), form.errors
    form.save()
    draft.refresh_from_db()
    assert (draft.status, draft.value, draft.published_value) == (
        "draft",
        Decimal(44),
        Decimal(40),
    )


def test_publishing_a_correction_marks_the_figure_revised(draft, official, reviewer):
    publish(draft, official, reviewer)
    draft.refresh_from_db()
    assert draft.revised_at is None  # a first publication is no revision
    draft.value = Decimal(44)
    draft.record_entry(official)
    publish(draft, official, reviewer)
    draft.refresh_from_db()
    assert draft.published_value == 44
    assert draft.revised_at is not None


def test_every_change_is_in_the_history_with_who_and_old_value(draft, official, reviewer):
    publish(draft, official, reviewer)
    draft.value = Decimal(44)
    draft.record_entry(official)
    draft._change_reason = "口径修正"
    draft.save()
    records = list(draft.history.order_by("history_date"))
    assert [record.value for record in records] == [40, 40, 44]
    assert records[-1].history_change_reason == "口径修正"


def test_public_indicator_page_marks_a_revised_figure(
    draft, official, reviewer, anonymous, indicator
):
    publish(draft, official, reviewer)
    draft.value = Decimal(44)
    draft.record_entry(official)
    publish(draft, official, reviewer)
    html = anonymous.get(f"/en/indicators/{indicator.code}/").content.decode()
    with translation.override("en"):
        revised_on = date_format(timezone.localtime(draft.revised_at), "DATE_FORMAT")
    assert f"revised on {revised_on}" in html
    assert "40 enterprises until" in html


def test_form_refuses_an_edit_made_on_a_stale_copy(draft, official):
    stale_version = draft.version
    draft.save_edit(stale_version)  # someone else saved in the meantime
    form = ActualForm(
        {"value": "41", "note": "", "seen_version": stale_version}, instance=draft, user=official
    )
    assert not form.is_valid()
    assert any(isinstance(error, EditConflict) for error in form.non_field_errors().as_data())


def test_each_saved_edit_raises_the_version_by_one_and_the_copy_stays_current(draft):
    draft.value = Decimal(41)
    draft.save_edit()
    draft.value = Decimal(42)
    draft.save_edit()  # the same copy, saved again: no conflict with itself
    assert Actual.objects.get(pk=draft.pk).version == draft.version == 3


def test_second_concurrent_save_is_refused_not_silently_applied(draft):
    first, second = Actual.objects.get(pk=draft.pk), Actual.objects.get(pk=draft.pk)
    first.value, second.value = Decimal(41), Decimal(42)
    first.save_edit(first.version)
    with pytest.raises(EditConflict):
        second.save_edit(second.version)
    draft.refresh_from_db()
    assert draft.value == 41


@pytest.mark.parametrize("value", ["40000", "0.04"])
def test_unit_slip_is_held_until_confirmed_and_explained(
    indicator, official, reviewer, make_actual, value
):
    make_actual(indicator, period_end=MARCH, value="40")
    data = {"indicator": indicator.pk, "period_end": JUNE, "value": value, "note": ""}
    form = ActualForm(data, user=official)
    with translation.override("en"):
        assert not form.is_valid()
        assert "check the unit" in form.errors["value"][0]
    confirmed = ActualForm(
        {**data, "note": "确认：数据来源为年报", "confirm_unusual": "on"}, user=official
    )
    assert confirmed.is_valid(), confirmed.errors


def test_a_jump_of_more_than_half_needs_an_explanation(indicator, official, make_actual):
    make_actual(indicator, period_end=MARCH, value="40")
    form = ActualForm(
        {"indicator": indicator.pk, "period_end": JUNE, "value": "61", "note": ""}, user=official
    )
    with translation.override("zh-hans"):
        assert not form.is_valid()
        assert "+52%" in form.errors["value"][0]


def test_an_ordinary_change_passes_the_guard(indicator, official, make_actual):
    make_actual(indicator, period_end=MARCH, value="40")
    form = ActualForm(
        {"indicator": indicator.pk, "period_end": JUNE, "value": "55", "note": ""}, user=official
    )
    assert form.is_valid(), form.errors


def test_share_outside_0_to_100_is_refused(make_indicator, department, official):
    share = make_indicator(unit="%", is_share=True, department=department, frequency="annual")
    form = ActualForm(
        {"indicator": share.pk, "period_end": "2024-12-31", "value": "101", "note": ""},
        user=official,
    )
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["value"] == ["A share must lie between 0 and 100%."]


def test_growth_rate_may_be_negative(make_indicator, department, official):
    growth = make_indicator(unit="%", department=department, frequency="annual")
    form = ActualForm(
        {"indicator": growth.pk, "period_end": "2024-12-31", "value": "-3.5", "note": ""},
        user=official,
    )
    assert form.is_valid(), form.errors


def test_second_figure_for_the_same_period_is_refused_by_the_form(draft, official):
    form = ActualForm(
        {"indicator": draft.indicator.pk, "period_end": MARCH, "value": "41", "note": ""},
        user=official,
    )
    with translation.override("en"):
        assert not form.is_valid()
        assert "already exists" in str(form.errors)


def test_whoever_submitted_a_colleagues_figure_may_not_publish_it(draft, department, reviewer):
    reviewer.groups.add(Group.objects.get(name=roles.DATA_ENTRY))
    department.members.add(reviewer)
    draft.submit(reviewer)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refusal:
            draft.publish(reviewer)
        assert "You submitted this figure" in refusal.value.messages[0]
    assert draft.status == "submitted"


def test_only_an_official_of_the_figures_department_submits_it(draft, other_official):
    with pytest.raises(ValidationError):
        draft.submit(other_official)
    assert draft.status == "draft"

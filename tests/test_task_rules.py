"""The status rules of key tasks, without a database (tasks/rules.py)."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from tasks.rules import (
    GRACE_DAYS,
    MilestoneDates,
    Rag,
    Reason,
    Status,
    Verdict,
    holds_until,
    quarter_end,
    record_status,
    task_status,
)

D = datetime.date
DAY = datetime.timedelta(days=1)

days_2024 = st.dates(min_value=D(2024, 1, 1), max_value=D(2024, 12, 31))
# Done dates near the due date, early or late, as they are in practice.
milestones = st.builds(
    lambda due, delay: MilestoneDates(due, None if delay is None else due + delay * DAY),
    days_2024,
    st.none() | st.integers(min_value=-30, max_value=120),
)
milestone_lists = st.lists(milestones, max_size=6)
any_day = st.dates(min_value=D(2023, 6, 1), max_value=D(2026, 6, 30))


JUNE = D(2024, 6, 1)


def status(milestones=(), has_statement=False, completed_on=None, today=JUNE):
    return task_status(2024, list(milestones), has_statement, completed_on, today)


def test_a_task_with_nothing_entered_has_no_plan_and_no_colour():
    assert (status().status, status().rag) == (Status.NO_PLAN, None)


def test_nothing_entered_is_not_completed_once_the_year_closes_for_nothing_reported():
    # Issue 23.7: silence is not rewarded with grey once the year is over.
    verdict = status(today=D(2025, 3, 1))
    assert (verdict.status, verdict.rag) == (Status.NOT_COMPLETED, Rag.RED)
    assert verdict.reason == Reason.NOTHING_REPORTED


def test_a_task_not_completed_with_milestones_entered_has_no_reason_but_counts_its_late_ones():
    milestones = [MilestoneDates(D(2024, 6, 30)), MilestoneDates(D(2024, 3, 31), D(2024, 3, 1))]
    verdict = status(milestones, today=D(2026, 11, 30))
    assert (verdict.status, verdict.reason, verdict.late) == (Status.NOT_COMPLETED, None, 1)


def test_milestones_none_due_and_no_statement_is_not_started():
    verdict = status([MilestoneDates(D(2024, 9, 30))])
    assert (verdict.status, verdict.rag) == (Status.NOT_STARTED, None)


def test_a_statement_starts_a_task_whose_milestones_are_not_due():
    verdict = status([MilestoneDates(D(2024, 9, 30))], has_statement=True)
    assert (verdict.status, verdict.rag) == (Status.ON_SCHEDULE, Rag.GREEN)


def test_a_milestone_done_on_time_keeps_the_task_on_schedule():
    milestones = [MilestoneDates(D(2024, 3, 31), D(2024, 3, 20)), MilestoneDates(D(2024, 9, 30))]
    assert status(milestones).status == Status.ON_SCHEDULE


def test_a_milestone_due_today_is_not_late_yet():
    assert status([MilestoneDates(D(2024, 6, 1))], has_statement=True).status == Status.ON_SCHEDULE


def test_one_late_milestone_within_the_grace_days_is_yellow():
    verdict = status([MilestoneDates(D(2024, 6, 1) - GRACE_DAYS * DAY)])
    assert (verdict.status, verdict.rag) == (Status.DELAYED, Rag.YELLOW)


def test_one_milestone_late_by_more_than_the_grace_days_is_red():
    verdict = status([MilestoneDates(D(2024, 6, 1) - (GRACE_DAYS + 1) * DAY)])
    assert (verdict.status, verdict.rag) == (Status.DELAYED, Rag.RED)


def test_two_late_milestones_are_red_at_once():
    verdict = status([MilestoneDates(D(2024, 5, 30)), MilestoneDates(D(2024, 5, 31))])
    assert (verdict.status, verdict.rag, verdict.late) == (Status.DELAYED, Rag.RED, 2)


def test_every_milestone_done_is_done_and_green():
    verdict = status([MilestoneDates(D(2024, 5, 1), D(2024, 4, 1))])
    assert (verdict.status, verdict.rag) == (Status.DONE, Rag.GREEN)


def test_a_published_completion_statement_makes_the_task_done():
    verdict = status([MilestoneDates(D(2024, 9, 30))], True, completed_on=D(2024, 3, 31))
    assert (verdict.status, verdict.rag) == (Status.DONE, Rag.GREEN)


def test_a_done_date_still_to_come_does_not_count():
    assert status([MilestoneDates(D(2024, 5, 1), D(2024, 7, 1))]).status == Status.DELAYED


def test_a_closed_year_with_every_milestone_done_by_its_end_is_completed():
    verdict = status([MilestoneDates(D(2024, 5, 1), D(2024, 12, 31))], today=D(2025, 1, 1))
    assert (verdict.status, verdict.rag) == (Status.COMPLETED, Rag.GREEN)


def test_a_closed_year_with_a_milestone_done_only_afterwards_is_not_completed():
    verdict = status([MilestoneDates(D(2024, 5, 1), D(2025, 1, 2))], today=D(2025, 2, 1))
    assert (verdict.status, verdict.rag) == (Status.NOT_COMPLETED, Rag.RED)


def test_a_closed_year_with_only_statements_and_no_completion_is_not_completed():
    assert status(has_statement=True, today=D(2025, 1, 1)).status == Status.NOT_COMPLETED


def test_ouhai_a_red_task_that_catches_up_is_yellow_until_the_quarter_ends():
    # Two milestones late (red) until both are done late on 10 May.
    milestones = [
        MilestoneDates(D(2024, 3, 31), D(2024, 5, 10)),
        MilestoneDates(D(2024, 4, 30), D(2024, 5, 10)),
        MilestoneDates(D(2024, 12, 31)),
    ]
    in_quarter = status(milestones, today=D(2024, 6, 30))
    assert (in_quarter.status, in_quarter.rag) == (Status.ON_SCHEDULE, Rag.YELLOW)
    assert in_quarter.yellow_until == D(2024, 6, 30)
    assert status(milestones, today=D(2024, 7, 1)).rag == Rag.GREEN


def test_ouhai_a_task_only_yellow_before_catching_up_turns_green_at_once():
    milestones = [MilestoneDates(D(2024, 5, 20), D(2024, 5, 25)), MilestoneDates(D(2024, 12, 1))]
    assert status(milestones).rag == Rag.GREEN


def test_ouhai_applies_to_a_task_done_by_catching_up():
    milestones = [MilestoneDates(D(2024, 1, 31), D(2024, 5, 10))]
    verdict = status(milestones, today=D(2024, 5, 11))
    assert (verdict.status, verdict.rag, verdict.caught_up) == (Status.DONE, Rag.YELLOW, True)


def test_quarter_end_of_each_quarter():
    ends = [quarter_end(D(2024, month, 15)) for month in (2, 5, 8, 11)]
    assert ends == [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]


@given(milestone_lists, st.booleans(), any_day)
def test_rag_follows_the_status_as_the_issue_defines_it(milestones, has_statement, today):
    verdict = task_status(2024, milestones, has_statement, None, today)
    allowed = {
        Status.DONE: {Rag.GREEN, Rag.YELLOW},
        Status.ON_SCHEDULE: {Rag.GREEN, Rag.YELLOW},
        Status.COMPLETED: {Rag.GREEN},
        Status.DELAYED: {Rag.YELLOW, Rag.RED},
        Status.NOT_COMPLETED: {Rag.RED},
        Status.NOT_STARTED: {None},
        Status.NO_PLAN: {None},
    }
    assert verdict.rag in allowed[verdict.status]


@given(st.dates(min_value=D(2023, 6, 1), max_value=D(2024, 12, 31)))
def test_a_task_with_nothing_entered_is_never_red_while_its_year_is_open(today):
    assert task_status(2024, [], False, None, today).rag is None


@given(st.dates(min_value=D(2025, 1, 1), max_value=D(2030, 12, 31)))
def test_a_task_with_nothing_entered_is_red_for_nothing_reported_once_its_year_closed(today):
    verdict = task_status(2024, [], False, None, today)
    assert (verdict.rag, verdict.reason) == (Rag.RED, Reason.NOTHING_REPORTED)


@given(milestone_lists, st.booleans(), any_day)
def test_a_verdict_counts_every_late_milestone_unless_the_task_is_done(
    milestones, has_statement, today
):
    verdict = task_status(2024, milestones, has_statement, None, today)
    if verdict.status not in (Status.DONE, Status.COMPLETED):
        assert verdict.late == sum(milestone.is_late(today) for milestone in milestones)


@given(milestone_lists, st.booleans(), any_day)
def test_a_closed_year_is_never_judged_by_pace(milestones, has_statement, today):
    verdict = task_status(2024, milestones, has_statement, None, max(today, D(2025, 1, 1)))
    assert verdict.status in {Status.COMPLETED, Status.NOT_COMPLETED}


@given(milestone_lists, st.booleans(), days_2024)
def test_a_late_milestone_always_makes_an_unfinished_task_delayed(milestones, statement, today):
    verdict = task_status(2024, milestones, statement, None, today)
    any_late = any(milestone.is_late(today) for milestone in milestones)
    assert (verdict.status == Status.DELAYED) == any_late


@given(milestone_lists, st.booleans(), days_2024, st.integers(min_value=1, max_value=60))
def test_waiting_never_improves_the_colour_of_a_delayed_task(milestones, statement, today, wait):
    worse = {None: 0, Rag.GREEN: 0, Rag.YELLOW: 1, Rag.RED: 2}
    before = task_status(2024, milestones, statement, None, today)
    later = today + wait * DAY
    after = task_status(2024, milestones, statement, None, later)
    done_meanwhile = any(m.done is not None and today < m.done <= later for m in milestones)
    if before.status == Status.DELAYED and not done_meanwhile and later.year == 2024:
        assert worse[after.rag] >= worse[before.rag]


@given(st.lists(milestones, min_size=1, max_size=6), st.integers(min_value=0, max_value=91))
def test_a_task_red_before_its_last_milestone_was_done_is_not_green_that_quarter(
    milestones, days_after
):
    done = [milestone.done for milestone in milestones if milestone.done is not None]
    if not done:
        return
    caught_up = max(done)
    was_red = task_status(2024, milestones, True, None, caught_up - DAY).rag == Rag.RED
    today = min(caught_up + days_after * DAY, quarter_end(caught_up))
    if was_red and today.year == 2024:
        assert task_status(2024, milestones, True, None, today).rag != Rag.GREEN


# A statement as (period end, whether it says the task is complete), as record_status takes it.
statement_lists = st.lists(
    st.tuples(st.sampled_from([quarter_end(D(2024, m, 1)) for m in (3, 6, 9, 12)]), st.booleans()),
    max_size=3,
)


@st.composite
def records(draw):
    """Milestones, statements and a day, often a few days around a due or done date, where
    verdicts turn."""
    milestones = draw(milestone_lists)
    turns = [m.due for m in milestones] + [m.done for m in milestones if m.done]
    today = draw(any_day)
    if turns and draw(st.booleans()):
        today = draw(st.sampled_from(turns)) + draw(st.integers(-5, GRACE_DAYS + 5)) * DAY
    return milestones, draw(statement_lists), today


def standing(milestones, statements, today):
    verdict = record_status(2024, milestones, statements, today)
    return verdict, sum(milestone.is_done(today) for milestone in milestones)


@given(records())
def test_a_verdict_stays_the_same_every_day_until_it_holds(record):
    milestones, statements, today = record
    # A stored verdict (tasks.TaskVerdict) is read until holds_until without judging again.
    last = holds_until(2024, milestones, statements, today)
    assert last >= today
    for offset in range(min((last - today).days, 450) + 1):
        assert standing(milestones, statements, today + offset * DAY) == standing(
            milestones, statements, today
        )


@given(records())
def test_a_verdict_changes_or_could_change_the_day_after_it_holds(record):
    milestones, statements, today = record
    # Not a verdict judged afresh every day for nothing: the day after holds_until is a day
    # on which a due date, a done date, a quarter or the year turns.
    last = holds_until(2024, milestones, statements, today)
    if last == D.max:
        assert today > D(2024, 12, 31)
        return
    turn = last + DAY
    dues = {m.due + DAY for m in milestones} | {m.due + (GRACE_DAYS + 1) * DAY for m in milestones}
    dones = {m.done for m in milestones if m.done} | {
        quarter_end(m.done) + DAY for m in milestones if m.done
    }
    completions = {end for end, completes in statements if completes}
    assert turn in dues | dones | completions | {D(2025, 1, 1)}


def test_a_task_with_nothing_due_this_year_holds_its_verdict_to_the_first_due_date():
    milestones = [MilestoneDates(D(2024, 9, 30)), MilestoneDates(D(2024, 11, 30))]
    assert holds_until(2024, milestones, [], JUNE) == D(2024, 9, 30)


def test_a_silent_tasks_verdict_holds_to_its_years_end_and_then_turns_not_completed():
    assert holds_until(2024, [], [], JUNE) == D(2024, 12, 31)
    assert record_status(2024, [], [], D(2025, 1, 1)) == Verdict(
        Status.NOT_COMPLETED, Rag.RED, reason=Reason.NOTHING_REPORTED
    )


def test_a_closed_years_verdict_holds_for_ever():
    milestones = [MilestoneDates(D(2024, 9, 30), D(2024, 10, 2))]
    assert holds_until(2024, milestones, [], D(2025, 3, 1)) == D.max

"""Status rules of key tasks (重点任务): pure functions of the published milestones and
progress statements and of today's date, so they test without a database.

The words:

- a milestone is **due** once its due date has come; it is **late** when today is past its
  due date and it is not done (a done date after today does not count yet);
- a task is **done** when a published progress statement says it is complete, or when it
  has at least one milestone and every milestone is done;
- a task's year is **closed** once today is past the 31st of December of that year.

Statuses while the year is open: `done`; `delayed` (a milestone late: yellow, red once one
is late by more than GRACE_DAYS or more than one is late); `not_started` (milestones
entered, none due yet, none done, no statement); `on_schedule` (otherwise, with something
entered, nothing late); `no_plan` (no milestone and no statement: grey, never red, so that
the first day of a year is not a wall of red). For a closed year: `completed` (done by the
year's end) or `not_completed` (it was not), with the reason **nothing reported** (未报送)
when nothing was ever entered: once the year is over, silence is not rewarded with grey.
`no_plan` is a status of open years only.

A verdict counts the task's **late** milestones whatever its status (a task not completed
still has milestones overdue).

The Ouhai rule (瓯海, the supervision practice that prompted it): a task that was red and
catches up, its late milestones done late, shows yellow, not green, until the end of the
quarter in which it caught up.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from kpis import periods
from kpis.periods import GRACE_DAYS
from kpis.vocabulary import Colour


class Status(StrEnum):
    DONE = "done"
    ON_SCHEDULE = "on_schedule"
    DELAYED = "delayed"
    NOT_STARTED = "not_started"
    NO_PLAN = "no_plan"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


# Worst first: the order of the summary counts and of the tasks list.
STATUS_ORDER = [
    Status.NOT_COMPLETED,
    Status.DELAYED,
    Status.NOT_STARTED,
    Status.ON_SCHEDULE,
    Status.DONE,
    Status.COMPLETED,
    Status.NO_PLAN,
]


class Reason(StrEnum):
    """Why a task has its status, where the status alone does not say it."""

    NOTHING_REPORTED = "nothing_reported"


# The key tasks' colours are the one red/yellow/green enum of the rules.
Rag = Colour


@dataclass(frozen=True)
class MilestoneDates:
    due: datetime.date
    done: datetime.date | None = None

    def is_done(self, today):
        return self.done is not None and self.done <= today

    def is_late(self, today):
        return today > self.due and not self.is_done(today)

    def days_late(self, today):
        return (today - self.due).days if self.is_late(today) else 0


@dataclass(frozen=True)
class Verdict:
    status: str
    rag: str | None
    #: Caught up after being red: yellow until `yellow_until` (the Ouhai rule).
    caught_up: bool = False
    yellow_until: datetime.date | None = None
    late: int = 0
    reason: str | None = None


# The old name here of periods.quarter_end, until the next round.
quarter_end = periods.quarter_end


def is_done(milestones, completed_on, today):
    """Done by `today`: a completion statement for a period ended by then, or every
    milestone (at least one) done by then."""
    if completed_on is not None and completed_on <= today:
        return True
    return bool(milestones) and all(milestone.is_done(today) for milestone in milestones)


def lateness(milestones, today, grace_days=GRACE_DAYS):
    """The colour the late milestones give on `today`: None (none late), yellow or red."""
    late = [milestone for milestone in milestones if milestone.is_late(today)]
    if not late:
        return None
    if len(late) > 1 or any(milestone.days_late(today) > grace_days for milestone in late):
        return Rag.RED
    return Rag.YELLOW


def caught_up_on(milestones, today, grace_days=GRACE_DAYS):
    """The day a task that had been red stopped having late milestones, or None.

    Lateness only grows between two done dates, so a task was ever red before it caught
    up exactly when it was red on the day before one of its late milestones was done."""
    done_late = sorted(
        milestone.done
        for milestone in milestones
        if milestone.is_done(today) and milestone.done > milestone.due
    )
    if not done_late or lateness(milestones, today, grace_days) is not None:
        return None
    for done in done_late:
        if lateness(milestones, done - datetime.timedelta(days=1), grace_days) == Rag.RED:
            return done_late[-1]
    return None


def task_status(year, milestones, has_statement, completed_on, today, grace_days=GRACE_DAYS):
    """The status and colour of a task of `year` on `today`.

    `milestones` are MilestoneDates of its published milestones; `has_statement` whether it
    has a published progress statement; `completed_on` the period end of its published
    completion statement, or None.
    """
    entered = bool(milestones) or has_statement
    year_end = datetime.date(year, 12, 31)
    late = sum(milestone.is_late(today) for milestone in milestones)
    if today > year_end:
        if not entered:
            return Verdict(Status.NOT_COMPLETED, Rag.RED, reason=Reason.NOTHING_REPORTED)
        if is_done(milestones, completed_on, year_end):
            return Verdict(Status.COMPLETED, Rag.GREEN)
        return Verdict(Status.NOT_COMPLETED, Rag.RED, late=late)
    if not entered:
        return Verdict(Status.NO_PLAN, None)
    if is_done(milestones, completed_on, today):
        return green_unless_caught_up(Status.DONE, milestones, today, grace_days)
    colour = lateness(milestones, today, grace_days)
    if colour is not None:
        return Verdict(Status.DELAYED, colour, late=late)
    nothing_due = all(today <= milestone.due for milestone in milestones)
    nothing_done = not any(milestone.is_done(today) for milestone in milestones)
    if milestones and nothing_due and nothing_done and not has_statement:
        return Verdict(Status.NOT_STARTED, None)
    return green_unless_caught_up(Status.ON_SCHEDULE, milestones, today, grace_days)


def record_status(year, milestones, statements, today):
    """`task_status` from a task's published record: its milestones' MilestoneDates and
    its statements as (period end, whether it says the task is complete)."""
    completions = [end for end, completes in statements if completes]
    return task_status(
        year,
        milestones,
        has_statement=bool(statements),
        completed_on=min(completions, default=None),
        today=today,
    )


def green_unless_caught_up(status, milestones, today, grace_days):
    caught_up = caught_up_on(milestones, today, grace_days)
    if caught_up is not None and today <= periods.quarter_end(caught_up):
        until = periods.quarter_end(caught_up)
        return Verdict(status, Rag.YELLOW, caught_up=True, yellow_until=until)
    return Verdict(status, Rag.GREEN)


def count_by_status(statuses):
    """(status, how many of `statuses`) for every status, worst first."""
    statuses = list(statuses)
    return [(status, statuses.count(status)) for status in STATUS_ORDER]


def holds_until(year, milestones, statements, today, grace_days=GRACE_DAYS):
    """The last day from `today` on which `record_status` and the milestones done stay as
    they are on `today` without a new record: the verdict only moves on a day a milestone
    falls due or late by more than `grace_days`, is done, or ends the quarter of a
    catching-up; on a completion statement's period end; and when the year closes (the
    close turns every unfinished task to `not_completed`, a silent one for nothing
    reported). A stored verdict (tasks.TaskVerdict) is judged again after it."""
    # The year's close: however far off the milestones are, a verdict of an open year never
    # holds past the 31st of December.
    moves = {datetime.date(year, 12, 31) + datetime.timedelta(days=1)}
    for milestone in milestones:
        moves.add(milestone.due + datetime.timedelta(days=1))
        moves.add(milestone.due + datetime.timedelta(days=grace_days + 1))
        if milestone.done is not None:
            moves.update({milestone.done, quarter_end(milestone.done) + datetime.timedelta(days=1)})
    moves.update(end for end, completes in statements if completes)
    later = [day for day in moves if day > today]
    return min(later) - datetime.timedelta(days=1) if later else datetime.date.max

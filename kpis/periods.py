"""Reporting periods: which periods an indicator has, and which of them are due or overdue."""

import calendar
import datetime
import statistics
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from kpis.vocabulary import Colour

GRACE_DAYS = 15
WINDOW_DAYS = 365  # the scorecard looks back a year of deadlines
# Reminders name the periods and milestones due within this many days, and the overdue ones.
REMINDER_DAYS = 7


class Frequency(StrEnum):
    """How often an indicator's figures come (`Indicator.Frequency` takes these values)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


MONTHS = {
    Frequency.MONTHLY: range(1, 13),
    Frequency.QUARTERLY: (3, 6, 9, 12),
    Frequency.ANNUAL: (12,),
}


def period_ends(frequency, year):
    """The last day of every reporting period of `year`."""
    return [
        datetime.date(year, month, calendar.monthrange(year, month)[1])
        for month in MONTHS[frequency]
    ]


def quarter_of(day):
    """The quarter (1 to 4) `day` falls in."""
    return (day.month - 1) // 3 + 1


def quarter_end(day):
    """The last day of the quarter `day` falls in."""
    return period_ends(Frequency.QUARTERLY, day.year)[quarter_of(day) - 1]


def last_quarter_end(today):
    """The end of the last quarter that is over by `today` (a bulletin reports on it)."""
    quarter_start = datetime.date(today.year, (quarter_of(today) - 1) * 3 + 1, 1)
    return quarter_start - datetime.timedelta(days=1)


def is_quarter_end(day):
    return day == quarter_end(day)


def next_period_end(frequency, period_end):
    """The end of the reporting period after the one that ends on `period_end`."""
    later = [end for end in period_ends(frequency, period_end.year) if end > period_end]
    return later[0] if later else period_ends(frequency, period_end.year + 1)[0]


def next_deadline(period_end, frequency, lag_days=GRACE_DAYS):
    """The last day the figure of the period after the one ending on `period_end` is on
    time: that period's end plus the release lag."""
    return next_period_end(frequency, period_end) + datetime.timedelta(days=lag_days)


def is_stale(period_end, frequency, today, lag_days=GRACE_DAYS):
    """A latest figure is stale once the next period's figure is overdue: that period has
    ended and its release lag has passed without a figure."""
    return today > next_deadline(period_end, frequency, lag_days)


@dataclass(frozen=True)
class DuePeriod:
    """A period that has ended without a figure. It is *overdue* once its deadline (its end
    plus the indicator's release lag) has passed, unless it ended before reporting started
    here: then it is only *to back-fill*, welcome but never late."""

    period_end: datetime.date
    deadline: datetime.date
    backfill: bool = False

    def is_overdue(self, today):
        return not self.backfill and today > self.deadline


def due_periods(
    frequency, first_year, today, reported, grace_days=GRACE_DAYS, reporting_starts=None
):
    """Periods from `first_year` on that have ended by `today` and have no figure yet.

    `reported` holds the period ends that already have a figure, in whatever state;
    `grace_days` is the indicator's release lag; periods that ended before
    `reporting_starts` are to back-fill.
    """
    due = []
    for year in range(first_year, today.year + 1):
        for end in period_ends(frequency, year):
            if end < today and end not in reported:
                backfill = reporting_starts is not None and end < reporting_starts
                due.append(DuePeriod(end, end + datetime.timedelta(days=grace_days), backfill))
    return due


@dataclass
class Timeliness:
    """How punctually one department reported over a window of periods."""

    on_time: int = 0
    days_late: list = field(default_factory=list)
    revised: int = 0

    GREEN, YELLOW = 0.9, 0.7

    @property
    def due(self):
        """Every period due was either on time or late."""
        return self.on_time + len(self.days_late)

    @property
    def share_on_time(self):
        return self.on_time / self.due if self.due else None

    @property
    def median_days_late(self):
        return statistics.median(self.days_late) if self.days_late else 0

    @property
    def code(self):
        """green: 90% or more on time; yellow: 70% or more; red: less; none: nothing due."""
        share = self.share_on_time
        if share is None:
            return Colour.NONE
        if share >= self.GREEN:
            return Colour.GREEN
        return Colour.YELLOW if share >= self.YELLOW else Colour.RED


class Owned(NamedTuple):
    """An indicator as the scorecard counts it (or a key task, whose quarterly progress
    statements are due in its own year only: `last_year`)."""

    id: object
    frequency: str
    first_year: int
    lag_days: int = GRACE_DAYS
    last_year: int | None = None


def timeliness(indicators, figures, today, window_days=WINDOW_DAYS, reporting_starts=None):
    """Timeliness of `indicators` (`Owned` tuples) over the periods whose deadline fell in
    the `window_days` before `today`, from each indicator's first year on (as "my updates"
    asks for them). Periods that ended before `reporting_starts` are not counted: nobody
    could report them here on time.

    `figures` maps (indicator id, period end) to (day submitted, revised after publication)
    for published figures only. A period is on time when its figure was submitted by the
    deadline (the period's end plus the indicator's release lag); a late or still missing
    one counts the days from the deadline to its submission, or to today.
    """
    result = Timeliness()
    start = today - datetime.timedelta(days=window_days)
    for indicator_id, frequency, first_year, lag_days, last_year in (
        Owned(*row) for row in indicators
    ):
        last_year = today.year if last_year is None else min(last_year, today.year)
        for year in range(max(first_year, start.year - 1), last_year + 1):
            for end in period_ends(frequency, year):
                deadline = end + datetime.timedelta(days=lag_days)
                if not start < deadline <= today:
                    continue
                if reporting_starts is not None and end < reporting_starts:
                    continue
                submitted, revised = figures.get((indicator_id, end), (None, False))
                result.revised += revised
                if submitted is not None and submitted <= deadline:
                    result.on_time += 1
                else:
                    result.days_late.append(((submitted or today) - deadline).days)
    return result

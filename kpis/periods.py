"""Reporting periods: which periods an indicator has, and which of them are due or overdue."""

import calendar
import datetime
from dataclasses import dataclass

GRACE_DAYS = 15

MONTHS = {"monthly": range(1, 13), "quarterly": (3, 6, 9, 12), "annual": (12,)}


def period_ends(frequency, year):
    """The last day of every reporting period of `year`."""
    return [
        datetime.date(year, month, calendar.monthrange(year, month)[1])
        for month in MONTHS[frequency]
    ]


@dataclass(frozen=True)
class DuePeriod:
    period_end: datetime.date
    deadline: datetime.date

    def is_overdue(self, today):
        return today > self.deadline


def due_periods(frequency, first_year, today, reported, grace_days=GRACE_DAYS):
    """Periods from `first_year` on that have ended by `today` and have no figure yet.

    A period is due once it has ended and overdue when its grace period has passed too.
    `reported` holds the period ends that already have a figure, in whatever state.
    """
    due = []
    for year in range(first_year, today.year + 1):
        for end in period_ends(frequency, year):
            if end < today and end not in reported:
                due.append(DuePeriod(end, end + datetime.timedelta(days=grace_days)))
    return due

"""Progress rules: how far an indicator is towards its target, and whether it keeps pace.

Pure functions over plain values (no database, no settings), so that every rule can be
tested exhaustively. The model layer feeds them through `YearFigures`, which a queryset can
build with annotations and a test can build by hand.
"""

import calendar
import datetime
import functools
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from kpis import periods
from kpis.vocabulary import Colour, Direction, Qualifier, ValueType, judged_direction

DEFAULT_TOLERANCE = Decimal("0.1")


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NO_DATA = "no_data"
    UNKNOWN_PACE = "unknown_pace"
    # Without a target in the year shown: the figure is shown, nothing is judged.
    NO_TARGET = "no_target"
    # A target year that is over: judged on its year-end figure, never on pace.
    MISSED = "missed"
    NO_FINAL_FIGURE = "no_final_figure"
    # An open year whose figures are overdue and whose target is not met yet: the pace of
    # an old figure is no news about today (the verdict as of its period is `pace_status`).
    OVERDUE = "overdue"


# The order of attention: what needs a look first. The public table sorts by it (the
# judged rows store each status's place in it) and its filter lists the statuses so.
STATUS_ORDER = [
    Status.MISSED,
    Status.BEHIND,
    Status.AT_RISK,
    Status.OVERDUE,
    Status.NO_FINAL_FIGURE,
    Status.UNKNOWN_PACE,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.NO_DATA,
    Status.NO_TARGET,
]


# The named groups of statuses, each asked for by its name wherever it matters.
# What a closed year allows: it is judged on its year-end figure, never on pace.
CLOSED_YEAR_STATUSES = (Status.ACHIEVED, Status.MISSED, Status.NO_FINAL_FIGURE)
# The verdicts an open year's stale figures no longer support: each gives way to `overdue`.
PACE_STATUSES = (
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.BEHIND,
    Status.UNKNOWN_PACE,
    Status.NO_DATA,
)
# What needs an explanation from the department (and is lagging in the bulletin).
NEEDS_EXPLANATION = (Status.AT_RISK, Status.BEHIND, Status.MISSED)
# What a summary counts one by one, in this order (overdue and unknown pace only where
# they occur), then what it counts together as "without data".
SUMMARY_COUNTED = (
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.BEHIND,
    Status.MISSED,
    Status.OVERDUE,
    Status.UNKNOWN_PACE,
)
WITHOUT_DATA = (Status.NO_DATA, Status.NO_FINAL_FIGURE)
# What an open year may stand at, in the order of attention (the year strip counts these;
# pace unknown only where it occurs).
OPEN_YEAR_STATUSES = tuple(
    status
    for status in STATUS_ORDER
    if status not in (Status.MISSED, Status.NO_FINAL_FIGURE, Status.NO_TARGET)
)
# 三色: the colour a status is printed in where colours are used (the bulletin); the
# statuses not named here are Colour.GREY.
STATUS_COLOURS = {
    Status.ACHIEVED: Colour.GREEN,
    Status.ON_TRACK: Colour.GREEN,
    Status.AT_RISK: Colour.YELLOW,
    Status.OVERDUE: Colour.YELLOW,
    Status.BEHIND: Colour.RED,
    Status.MISSED: Colour.RED,
}


class ReportedAs(StrEnum):
    """What one period's figure of a flow is: that period's own amount, or the total of the
    year so far (1–6月累计), the usual form of Chinese statistics."""

    PERIOD = "period"
    YEAR_TO_DATE = "year_to_date"


class Start(StrEnum):
    """Which point the even path towards the target starts from."""

    BASELINE = "baseline"
    PREVIOUS_YEAR = "previous_year"
    FIRST_FIGURE = "first_figure"
    NONE = "none"


class Reading(NamedTuple):
    period_end: datetime.date
    value: Decimal


class YearFigures(NamedTuple):
    """What the rules need to know of the published actuals of one target year."""

    count: int = 0  # for flows reported by period, exact; otherwise 0, 1 or "2 or more"
    total: Decimal | None = None
    first: Reading | None = None
    latest: Reading | None = None
    previous_year_last: Reading | None = None

    @classmethod
    def from_readings(cls, readings, year):
        in_year = sorted((r for r in readings if r.period_end.year == year), key=_by_date)
        before = sorted((r for r in readings if r.period_end.year == year - 1), key=_by_date)
        return cls(
            count=len(in_year),
            total=sum((r.value for r in in_year), Decimal(0)) if in_year else None,
            first=in_year[0] if in_year else None,
            latest=in_year[-1] if in_year else None,
            previous_year_last=before[-1] if before else None,
        )


def _by_date(reading):
    return reading.period_end


class Progress(NamedTuple):
    year: int
    status: Status
    target: Decimal | None = None
    current: Decimal | None = None
    as_of: datetime.date | None = None
    attainment: Decimal | None = None
    progress: Decimal | None = None
    expected: Decimal | None = None
    start: Start = Start.NONE
    start_value: Decimal | None = None
    projection: Decimal | None = None
    year_closed: bool = False
    # The day the year-end figure is due (the year's end plus the release lag).
    final_due: datetime.date | None = None
    # `no_final_figure` while that day has not come: the figure is late only after it.
    final_pending: bool = False
    # `overdue`: the verdict the pace gave as of the latest figure's period (`as_of`).
    pace_status: Status | None = None
    # The last day the verdict holds without new figures (the year's end, or the day the
    # next period's figure is due while the year is open).
    holds_until: datetime.date | None = None

    @property
    def expected_attainment(self):
        """The attainment the even path asks for by `as_of` (for the bar's pace mark)."""
        return ratio(self.expected, self.target)


@functools.lru_cache(maxsize=4096)
def year_fraction(day):
    """Share of its calendar year that has passed at the end of `day` (Dec 31 is 1)."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return (Decimal(day.month - 1) + Decimal(day.day) / Decimal(days_in_month)) / 12


def pace_share(day, profile=None):
    """Share of the year's movement expected by the end of `day`: the share of the year
    gone (a straight line), or, with a seasonal `profile` (twelve cumulative monthly shares
    ending at 1), the profile's share, read evenly within the month."""
    if not profile:
        return year_fraction(day)
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    before = Decimal(str(profile[day.month - 2])) if day.month > 1 else Decimal(0)
    at_end = Decimal(str(profile[day.month - 1]))
    return before + (at_end - before) * Decimal(day.day) / Decimal(days_in_month)


def derive_profile(years, value_type, reported_as=ReportedAs.PERIOD):
    """A seasonal profile from two or more complete years of published figures.

    `years` is a list of year lists of twelve month-end values or None (a month without a
    figure). For each year the cumulative share of the year's movement reached by each
    month end is taken (flows: the running total over the year's total; stocks and rates:
    the way from the year's first figure to its last; year-to-date flows: the total so far
    over the year's total); the profile is their average, kept
    between 0 and 1 and never falling. None when fewer than two years can be used."""
    shares = []
    for values in years:
        known = [(month, value) for month, value in enumerate(values) if value is not None]
        if len(known) < 2:
            continue
        cumulative_totals = value_type == ValueType.FLOW and reported_as == ReportedAs.YEAR_TO_DATE
        if value_type == ValueType.FLOW and not cumulative_totals:
            total = sum(value for _, value in known)
            if total == 0:
                continue
            running, cumulative = Decimal(0), []
            for value in values:
                running += value or 0
                cumulative.append(running / total)
        else:
            start, end = (0 if cumulative_totals else known[0][1]), known[-1][1]
            if start == end:
                continue
            last, cumulative = start, []
            for value in values:
                last = value if value is not None else last
                cumulative.append((last - start) / (end - start))
        shares.append(cumulative)
    if len(shares) < 2:
        return None
    profile, highest = [], Decimal(0)
    for month in range(12):
        average = sum(year[month] for year in shares) / len(shares)
        highest = max(highest, min(Decimal(1), average))
        profile.append(float(round(highest, 4)))
    profile[-1] = 1.0
    return profile


def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def current_value(figures, value_type, reported_as=ReportedAs.PERIOD):
    """The year's figure so far: flows reported by period add up within the year; stocks,
    rates and year-to-date flows take the latest figure (a year-to-date total already holds
    every earlier period: adding them up would count them twice)."""
    if figures.count == 0:
        return None
    if value_type == ValueType.FLOW and reported_as != ReportedAs.YEAR_TO_DATE:
        return figures.total
    return figures.latest.value


def progress_from_baseline(current, baseline, target):
    if current is None or baseline is None or target is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline)


def is_better(value, other, direction):
    return value > other if direction == Direction.INCREASE else value < other


def meets_target(current, target, qualifier, direction):
    """超 (over) must be passed; 达 (reach), 约 (about) and 以上 (at least) must be reached;
    以内 (at most) is a ceiling, met at or below it, whichever way is good (see
    `vocabulary.judged_direction`)."""
    if current is None or target is None:
        return False
    if current == target:
        return qualifier != Qualifier.OVER
    return is_better(current, target, judged_direction(qualifier, direction))


def start_point(baseline, figures, value_type, profile=None):
    """The point the even path starts from, and the share of the year it starts at."""
    if value_type == ValueType.FLOW:
        return Start.NONE, Decimal(0), Decimal(0)
    if baseline is not None:
        return Start.BASELINE, baseline, Decimal(0)
    if figures.previous_year_last is not None:
        return Start.PREVIOUS_YEAR, figures.previous_year_last.value, Decimal(0)
    if figures.first is not None:
        return (
            Start.FIRST_FIGURE,
            figures.first.value,
            pace_share(figures.first.period_end, profile),
        )
    return Start.NONE, None, None


def expected_by(as_of, target, start_value, start_fraction, value_type, profile=None):
    """Where the indicator should be at the end of `as_of` had it moved evenly to the target
    (or along its seasonal `profile`).

    Flows: the even share of the annual target. Stocks and rates: the straight line from the
    start point to the target at the year's end. None when no path can be drawn.
    """
    fraction = pace_share(as_of, profile)
    if value_type == ValueType.FLOW:
        return target * fraction
    if start_value is None or start_fraction >= 1:
        return None
    share = max(Decimal(0), (fraction - start_fraction) / (1 - start_fraction))
    return start_value + (target - start_value) * share


def projection(figures, value_type, reported_as=ReportedAs.PERIOD):
    """Year-end figure if the trend of the year's published figures goes on (two or more)."""
    if figures.count < 2:
        return None
    latest_fraction = year_fraction(figures.latest.period_end)
    if value_type == ValueType.FLOW:
        return current_value(figures, value_type, reported_as) / latest_fraction
    first_fraction = year_fraction(figures.first.period_end)
    if latest_fraction == first_fraction:
        return None
    slope = (figures.latest.value - figures.first.value) / (latest_fraction - first_fraction)
    return figures.latest.value + slope * (1 - latest_fraction)


def judge(current, expected, target, start_value, direction, tolerance=DEFAULT_TOLERANCE):
    """on track, at risk or behind: the shortfall against the even path, as a share of the
    distance from the start to the target."""
    if not is_better(expected, current, direction):
        return Status.ON_TRACK
    shortfall = abs(expected - current)
    distance = abs(target - (start_value or Decimal(0)))
    if shortfall < tolerance * distance:
        return Status.AT_RISK
    return Status.BEHIND


def evaluate(
    *,
    year,
    target,
    qualifier,
    direction,
    value_type,
    figures,
    today,
    baseline=None,
    tolerance=DEFAULT_TOLERANCE,
    profile=None,
    reported_as=ReportedAs.PERIOD,
    frequency="annual",
    release_lag_days=0,
    latest=None,
):
    """Everything the progress table says of one indicator in one target year, on `today`.

    `baseline` is the value of the year before the target year, or None where unknown;
    `profile` a seasonal profile (see `pace_share`), or None for the straight line. A year
    that is over by `today` is judged on its year-end figure (see `closed_year_status`);
    `release_lag_days` after the year's end that figure is due. `latest` is the latest
    published figure of any year: once the figure after it is overdue, an open year's
    pace verdict gives way to `overdue` (see `overdue_unless_current`).
    """
    result = _evaluate(
        year=year,
        target=target,
        qualifier=qualifier,
        direction=direction,
        value_type=value_type,
        figures=figures,
        today=today,
        baseline=baseline,
        tolerance=tolerance,
        profile=profile,
        reported_as=reported_as,
        frequency=frequency,
        release_lag_days=release_lag_days,
    )
    return overdue_unless_current(result, latest, today, frequency, release_lag_days)


def overdue_unless_current(result, latest, today, frequency, release_lag_days):
    """`result` with `overdue` in place of its pace verdict where the year is under way
    and the figure after `latest` is overdue on `today` (the pace verdict stays as
    `pace_status`, as of `result.as_of`); and with `holds_until`, the last day the verdict
    holds if no figure comes: a closed year's for ever, an open year's until the next
    figure is late or the year ends."""
    year_end = datetime.date(result.year, 12, 31)
    if result.year_closed:
        return result._replace(holds_until=datetime.date.max)
    if result.status not in PACE_STATUSES or result.target is None:
        return result._replace(holds_until=year_end)
    if today.year < result.year:
        # Nothing of a year not yet begun is due: it is judged afresh when it begins.
        return result._replace(holds_until=datetime.date(result.year - 1, 12, 31))
    if latest is None:
        return result._replace(holds_until=year_end)
    deadline = periods.next_deadline(latest.period_end, frequency, release_lag_days)
    if today <= deadline:
        return result._replace(holds_until=min(year_end, deadline))
    return result._replace(status=Status.OVERDUE, pace_status=result.status, holds_until=year_end)


def _evaluate(
    *,
    year,
    target,
    qualifier,
    direction,
    value_type,
    figures,
    today,
    baseline,
    tolerance,
    profile,
    reported_as,
    frequency,
    release_lag_days,
):
    # A ceiling keeps pace by staying under the path, whatever the indicator's direction.
    direction = judged_direction(qualifier, direction)
    year_end = datetime.date(year, 12, 31)
    closed = year_closed(year, today)
    final_due = year_end + datetime.timedelta(days=release_lag_days)
    current = current_value(figures, value_type, reported_as)
    if current is None:
        if target is None:
            status = Status.NO_TARGET
        elif closed:
            status = Status.NO_FINAL_FIGURE
        else:
            status = Status.NO_DATA
        return Progress(
            year=year,
            status=status,
            target=target,
            year_closed=closed,
            final_due=final_due if closed else None,
            final_pending=status == Status.NO_FINAL_FIGURE and today <= final_due,
        )
    as_of = figures.latest.period_end
    year_over = year_fraction(as_of) == 1
    start, start_value, start_fraction = start_point(baseline, figures, value_type, profile)
    expected = None
    if target is not None and year_over:
        # At the year's end every path has arrived: the target itself is expected.
        expected = target
    elif target is not None and not (start == Start.FIRST_FIGURE and figures.count < 2):
        expected = expected_by(as_of, target, start_value, start_fraction, value_type, profile)
    if target is None:
        status = Status.NO_TARGET
    elif closed or year_over:
        status = closed_year_status(
            current, target, qualifier, direction, value_type, figures, reported_as, frequency
        )
    elif meets_target(current, target, qualifier, direction) and not (
        # A total of the year so far under an annual ceiling says nothing until the year
        # is over: a flow that should decrease is only judged by its pace before then.
        value_type == ValueType.FLOW and direction == Direction.DECREASE
    ):
        status = Status.ACHIEVED
    elif expected is None:
        status = Status.UNKNOWN_PACE
    else:
        status = judge(current, expected, target, start_value, direction, tolerance)
    return Progress(
        year=year,
        status=status,
        current=current,
        as_of=as_of,
        attainment=ratio(current, target),
        progress=progress_from_baseline(current, baseline, target),
        expected=expected,
        start=start,
        start_value=start_value,
        projection=None if closed else projection(figures, value_type, reported_as),
        target=target,
        year_closed=closed,
        final_due=final_due if closed else None,
        final_pending=status == Status.NO_FINAL_FIGURE and today <= final_due,
    )


def year_closed(year, today):
    """A target year is over once its last day has passed, by today's date (not the
    figures')."""
    return today > datetime.date(year, 12, 31)


def closed_year_status(
    current, target, qualifier, direction, value_type, figures, reported_as, frequency
):
    """The verdict on a target year that is over: `achieved`, `missed` or `no_final_figure`.

    The year's figures are final when its last period has one (a flow reported by period
    needs every period). They meet the target: achieved; they fall short: missed. Without
    final figures a stock or rate whose latest figure meets the target, or a flow that
    should increase whose total so far does, is achieved all the same (a total can only
    grow); anything else waits for its final figure.
    """
    year = figures.latest.period_end.year
    has_final = figures.latest.period_end == datetime.date(year, 12, 31)
    if value_type == ValueType.FLOW and reported_as != ReportedAs.YEAR_TO_DATE:
        has_final = has_final and figures.count >= len(periods.MONTHS[frequency])
    met = meets_target(current, target, qualifier, direction)
    if has_final:
        return Status.ACHIEVED if met else Status.MISSED
    if met and (value_type != ValueType.FLOW or direction == Direction.INCREASE):
        return Status.ACHIEVED
    return Status.NO_FINAL_FIGURE


class Change(NamedTuple):
    """The latest figure against an earlier one: `start` is a Reading (`is_baseline` when it
    is the source's baseline rather than a published figure), `share` the relative change."""

    start: Reading
    share: Decimal | None
    is_baseline: bool = False


def change_since(
    latest,
    previous_year_end,
    baseline_year,
    baseline,
    value_type,
    whole_year,
    baseline_year_end=None,
):
    """How the latest figure compares with the year-end figure of the year before it, where
    one is published, else with the baseline of an earlier year. A flow's figure for part
    of a year compares with no whole year, so a flow only compares its year-end figure, and
    only when that is the whole year's amount (`whole_year`: annual or year-to-date).

    One figure per period: where the baseline's year has a published year-end figure
    (`baseline_year_end`), that figure is the year's, and the baseline gives way to it."""
    if latest is None:
        return None
    if value_type == ValueType.FLOW and not (whole_year and latest.period_end.month == 12):
        return None
    if previous_year_end is not None and previous_year_end.period_end.year == (
        latest.period_end.year - 1
    ):
        return Change(previous_year_end, relative_change(latest.value, previous_year_end.value))
    if (
        baseline is not None
        and baseline_year is not None
        and baseline_year < latest.period_end.year
    ):
        if baseline_year_end is not None and baseline_year_end.period_end.year == baseline_year:
            return Change(baseline_year_end, relative_change(latest.value, baseline_year_end.value))
        start = Reading(datetime.date(baseline_year, 12, 31), baseline)
        return Change(start, relative_change(latest.value, baseline), is_baseline=True)
    return None


def relative_change(value, earlier):
    return None if earlier == 0 else (value - earlier) / abs(earlier)


def plain_decimal(value):
    """A Decimal as a string without padding zeros: Decimal("400.0000") -> "400"."""
    if value is None:
        return None
    # An int or a str too: a value assigned in code is read back as a Decimal only on loading.
    return format(Decimal(value).normalize(), "f")

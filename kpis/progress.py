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

DEFAULT_TOLERANCE = Decimal("0.1")


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NO_DATA = "no_data"
    UNKNOWN_PACE = "unknown_pace"


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

    count: int = 0
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


def derive_profile(years, value_type):
    """A seasonal profile from two or more complete years of published figures.

    `years` is a list of year lists of twelve month-end values or None (a month without a
    figure). For each year the cumulative share of the year's movement reached by each
    month end is taken (flows: the running total over the year's total; stocks and rates:
    the way from the year's first figure to its last); the profile is their average, kept
    between 0 and 1 and never falling. None when fewer than two years can be used."""
    shares = []
    for values in years:
        known = [(month, value) for month, value in enumerate(values) if value is not None]
        if len(known) < 2:
            continue
        if value_type == "flow":
            total = sum(value for _, value in known)
            if total == 0:
                continue
            running, cumulative = Decimal(0), []
            for value in values:
                running += value or 0
                cumulative.append(running / total)
        else:
            start, end = known[0][1], known[-1][1]
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


def current_value(figures, value_type):
    """The year's figure so far: flows add up within the year, stocks and rates take the latest."""
    if figures.count == 0:
        return None
    if value_type == "flow":
        return figures.total
    return figures.latest.value


def progress_from_baseline(current, baseline, target):
    if current is None or baseline is None or target is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline)


def is_better(value, other, direction):
    return value > other if direction == "increase" else value < other


def meets_target(current, target, qualifier, direction):
    """超 (over) must be passed; 达 (reach) and 约 (about) must be reached."""
    if current is None or target is None:
        return False
    if current == target:
        return qualifier != "over"
    return is_better(current, target, direction)


def start_point(baseline, figures, value_type, profile=None):
    """The point the even path starts from, and the share of the year it starts at."""
    if value_type == "flow":
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
    if value_type == "flow":
        return target * fraction
    if start_value is None or start_fraction >= 1:
        return None
    share = max(Decimal(0), (fraction - start_fraction) / (1 - start_fraction))
    return start_value + (target - start_value) * share


def projection(figures, value_type):
    """Year-end figure if the trend of the year's published figures goes on (two or more)."""
    if figures.count < 2:
        return None
    latest_fraction = year_fraction(figures.latest.period_end)
    if value_type == "flow":
        return figures.total / latest_fraction
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
    baseline=None,
    tolerance=DEFAULT_TOLERANCE,
    profile=None,
):
    """Everything the progress table says of one indicator in one target year.

    `baseline` is the value of the year before the target year, or None where unknown;
    `profile` a seasonal profile (see `pace_share`), or None for the straight line.
    """
    current = current_value(figures, value_type)
    if current is None:
        return Progress(year=year, status=Status.NO_DATA, target=target)
    as_of = figures.latest.period_end
    year_over = year_fraction(as_of) == 1
    start, start_value, start_fraction = start_point(baseline, figures, value_type, profile)
    expected = None
    if target is not None and year_over:
        # At the year's end every path has arrived: the target itself is expected.
        expected = target
    elif target is not None and not (start == Start.FIRST_FIGURE and figures.count < 2):
        expected = expected_by(as_of, target, start_value, start_fraction, value_type, profile)
    # A year-to-date total under an annual ceiling says nothing until the year is over:
    # a flow that should decrease is only judged by its pace before then.
    ceiling_pending = value_type == "flow" and direction == "decrease" and not year_over
    if target is None:
        status = Status.NO_DATA
    elif meets_target(current, target, qualifier, direction) and not ceiling_pending:
        status = Status.ACHIEVED
    elif year_over:
        # The year is over and the target was missed: no pace is left to keep.
        status = Status.BEHIND
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
        projection=projection(figures, value_type),
        target=target,
    )


PACE_WORDS = {
    "zh-hans": {
        Status.ACHIEVED: "已完成目标",
        Status.ON_TRACK: "进度正常",
        Status.AT_RISK: "略慢于进度",
        Status.BEHIND: "明显落后于进度",
    },
    "en": {
        Status.ACHIEVED: "target achieved",
        Status.ON_TRACK: "on or ahead of pace",
        Status.AT_RISK: "slightly behind pace",
        Status.BEHIND: "behind pace",
    },
}


def percent(value):
    return f"{(value * 100).quantize(Decimal(1)):f}%"


def plain_decimal(value):
    """A Decimal as a string without padding zeros: Decimal("400.0000") -> "400"."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def summary(result, language):
    """One plain sentence on the result, in Chinese (zh-hans) or English (en)."""
    chinese = language.lower().startswith("zh")
    if result.current is None:
        if chinese:
            return f"{result.year}年尚无已发布的数据。"
        return f"No figure has been published for {result.year} yet."
    if chinese:
        by = f"截至{result.as_of.year}年{result.as_of.month}月"
    else:
        by = f"By {result.as_of:%B %Y}"
    if result.target is None:
        if chinese:
            return f"{by}：已有发布数据，但{result.year}年未设目标。"
        return f"{by}: figures are published, but there is no target for {result.year}."
    words = PACE_WORDS["zh-hans" if chinese else "en"].get(result.status)
    if result.attainment is None:
        # A target of zero (an indicator brought down to nothing): no share, but still a pace.
        if chinese:
            return f"{by}：目标为零，无法计算完成率" + (f"；{words}。" if words else "。")
        return f"{by}: the target is zero, so there is no share to show" + (
            f"; {words}." if words else "."
        )
    share = percent(result.attainment)
    opening = f"{by}：已完成目标的{share}" if chinese else f"{by}: {share} of the target"
    if result.status == Status.UNKNOWN_PACE:
        if chinese:
            return opening + "；目前只有一个数据且无基数，暂无法判断进度。"
        return opening + "; with one figure and no baseline, pace cannot be judged yet."
    if result.status == Status.ACHIEVED or result.expected_attainment is None:
        return f"{opening}：{words}。" if chinese else f"{opening}: {words}."
    expected = percent(result.expected_attainment)
    if chinese:
        return f"{opening}；按进度应完成{expected}：{words}。"
    return f"{opening}; expected {expected}: {words}."

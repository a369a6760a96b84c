"""Five-year plan rules: the path a plan target sets for every year of its plan, and each
year's verdict against it.

Pure functions over plain values (no database), like kpis.progress, whose pace rules they
reuse for a year still under way.

Glossary:
- base: the base year (基期, usually the year before the plan) and its value.
- path: where the indicator should stand at the end of each plan year, ending on the target:
  `linear` a level moving evenly; `compound` a level growing at a yearly rate (or, for a
  growth-rate indicator, the rate itself every year); `cumulative` a running total of the
  plan years' figures, an even share a year; `annual_change` a yearly step of a rate.
- year-end figure: the figure of a year's last day (a flow reported by period: every
  period of the year). A plan year is judged on it: `ahead`, `on_track` (within
  TOLERANCE of the path value) or `behind`; the plan's last year `achieved` or `missed`
  against its target and qualifier. A cumulative path compares running totals.
- while a year is open its figures so far keep pace with the way from the previous year's
  path value to this year's (kpis.progress.expected_by): `on_track`, `at_risk`, `behind`.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kpis import periods, progress

# A year-end figure within 2% of its path value (in the path's own terms) is on track.
TOLERANCE = Decimal("0.02")
# Path values between the base and the target are kept to the database's four places.
PLACES = Decimal("0.0001")


class Path(StrEnum):
    LINEAR = "linear"
    COMPOUND = "compound"
    CUMULATIVE = "cumulative"
    ANNUAL_CHANGE = "annual_change"


class Binding(StrEnum):
    BINDING = "binding"
    EXPECTED = "expected"


class Status(StrEnum):
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    ACHIEVED = "achieved"
    MISSED = "missed"
    NO_FINAL_FIGURE = "no_final_figure"
    NO_DATA = "no_data"
    NOT_STARTED = "not_started"


# The order of attention, as kpis.progress.STATUS_ORDER.
STATUS_ORDER = [
    Status.MISSED,
    Status.BEHIND,
    Status.AT_RISK,
    Status.NO_FINAL_FIGURE,
    Status.NO_DATA,
    Status.ON_TRACK,
    Status.AHEAD,
    Status.ACHIEVED,
    Status.NOT_STARTED,
]
# "N项指标达到或超过进度要求": the verdicts that count as keeping to the plan.
KEEPING_PACE = {Status.AHEAD, Status.ON_TRACK, Status.ACHIEVED}
LAGGING = {Status.BEHIND, Status.AT_RISK, Status.MISSED}


@dataclass(frozen=True)
class Terms:
    """One plan target in plain values; `direction`, `value_type`, `reported_as` and
    `frequency` are the indicator's (kpis.models.Indicator's choices)."""

    path: str
    start_year: int
    end_year: int
    base_year: int
    base_value: Decimal
    target_value: Decimal | None
    rate: Decimal | None = None
    qualifier: str = "reach"
    direction: str = "increase"
    value_type: str = "stock"
    reported_as: str = progress.ReportedAs.PERIOD
    frequency: str = periods.Frequency.ANNUAL

    @property
    def growth_rate(self):
        """A compound path on a rate indicator: the rate itself is the target every year."""
        return self.path == Path.COMPOUND and self.value_type == "rate"


def problems(terms):
    """Why `terms` cannot make a path, by field name (empty when they can)."""
    found = {}
    if terms.start_year > terms.end_year:
        found["end_year"] = "end_before_start"
    if terms.base_year >= terms.end_year:
        found["base_year"] = "base_not_before_end"
    if terms.path in (Path.COMPOUND, Path.ANNUAL_CHANGE) and terms.rate is None:
        found["rate"] = "rate_missing"
    elif terms.path in (Path.LINEAR, Path.CUMULATIVE) and terms.target_value is None:
        found["target_value"] = "target_missing"
    if terms.path == Path.COMPOUND and not terms.growth_rate:
        if terms.base_value <= 0:
            found["base_value"] = "compound_from_zero"
        elif terms.target_value is not None and terms.target_value <= 0:
            found["target_value"] = "compound_to_zero"
        elif terms.rate is not None and terms.rate <= -100:
            found["rate"] = "compound_to_zero"
    if terms.path == Path.CUMULATIVE and terms.value_type != "flow":
        found["path"] = "cumulative_needs_flow"
    return found


def target_value(terms):
    """The plan's end value: as given, else from the base and the rate."""
    if terms.target_value is not None:
        return terms.target_value
    steps = terms.end_year - terms.base_year
    if terms.path == Path.ANNUAL_CHANGE:
        return terms.base_value + terms.rate * steps
    if terms.growth_rate:
        return terms.rate
    return terms.base_value * (1 + terms.rate / 100) ** steps


def path_values(terms):
    """{year: path value} for every plan year; the last one is the target itself."""
    target = target_value(terms)
    years = range(terms.start_year, terms.end_year + 1)
    steps = terms.end_year - terms.base_year
    values = {}
    for year in years:
        done = year - terms.base_year
        if year == terms.end_year:
            values[year] = target
        elif terms.path == Path.CUMULATIVE:
            values[year] = target * (year - terms.start_year + 1) / len(years)
        elif terms.growth_rate:
            values[year] = target
        elif terms.path == Path.COMPOUND:
            growth = float(target / terms.base_value) ** (done / steps)
            values[year] = terms.base_value * Decimal(repr(growth))
        else:
            values[year] = terms.base_value + (target - terms.base_value) * done / steps
        if year != terms.end_year:
            values[year] = values[year].quantize(PLACES)
    return values


def yearly_shares(terms):
    """A cumulative path's share of each year (the path's steps); they add up to the target."""
    values = path_values(terms)
    before = Decimal(0)
    shares = {}
    for year, value in values.items():
        shares[year] = value - before
        before = value
    return shares


def compare(actual, expected, direction, tolerance=TOLERANCE):
    """`ahead`, `on_track` or `behind`: the figure against the path value, on track within
    `tolerance` of the path value's size."""
    allowed = abs(expected) * tolerance
    if abs(actual - expected) <= allowed:
        return Status.ON_TRACK
    return Status.AHEAD if progress.is_better(actual, expected, direction) else Status.BEHIND


def has_year_end_figure(figures, terms):
    latest = figures.latest
    if latest is None or (latest.period_end.month, latest.period_end.day) != (12, 31):
        return False
    if terms.value_type == "flow" and terms.reported_as != progress.ReportedAs.YEAR_TO_DATE:
        return figures.count >= len(periods.MONTHS[terms.frequency])
    return True


@dataclass(frozen=True)
class PlanYear:
    year: int
    path_value: Decimal
    status: Status
    # The figure the verdict reads: the year's (cumulative: the plan's running total) and
    # the period it reaches; None without one.
    actual: progress.Reading | None = None
    year_end: bool = False
    annual_target: Decimal | None = None


def judge_years(terms, readings, today, annual_targets=None):
    """Each plan year of `terms` judged on `today` from the published `readings` (Reading
    tuples of the indicator, any years)."""
    path = path_values(terms)
    target = target_value(terms)
    annual_targets = annual_targets or {}
    running = Decimal(0)  # a cumulative path's total of the earlier years' figures
    verdicts = []
    for year, path_value in path.items():
        figures = progress.YearFigures.from_readings(readings, year)
        current = progress.current_value(figures, terms.value_type, terms.reported_as)
        if current is not None and terms.path == Path.CUMULATIVE:
            current += running
        actual = None if current is None else progress.Reading(figures.latest.period_end, current)
        year_end = has_year_end_figure(figures, terms)
        status = year_status(terms, year, path, target, actual, year_end, today)
        verdicts.append(
            PlanYear(year, path_value, status, actual, year_end, annual_targets.get(year))
        )
        if terms.path == Path.CUMULATIVE and current is not None:
            running = current
    return verdicts


def year_status(terms, year, path, target, actual, year_end, today):
    if year > today.year:
        return Status.NOT_STARTED
    last = year == terms.end_year
    if actual is not None and year_end:
        if last:
            met = progress.meets_target(actual.value, target, terms.qualifier, terms.direction)
            return Status.ACHIEVED if met else Status.MISSED
        return compare(actual.value, path[year], terms.direction)
    if progress.year_closed(year, today):
        return Status.NO_FINAL_FIGURE
    if actual is None:
        return Status.NO_DATA
    return open_year_pace(terms, year, path, actual)


def open_year_pace(terms, year, path, actual):
    """A year under way: the figures so far against the even way from the previous year's
    path value (the base, in the first year) to this year's, as the annual rules pace."""
    if terms.path == Path.CUMULATIVE:
        start, value_type = path.get(year - 1, Decimal(0)), "stock"
    elif terms.value_type == "flow":
        start, value_type = Decimal(0), "flow"
    else:
        start, value_type = path.get(year - 1, terms.base_value), terms.value_type
    expected = progress.expected_by(actual.period_end, path[year], start, Decimal(0), value_type)
    status = progress.judge(actual.value, expected, path[year], start, terms.direction)
    return Status(str(status))


def latest_judged(verdicts):
    """The year a target's verdict is taken from: its latest year judged on a figure, else
    the latest year that has begun; None before the plan begins."""
    started = [v for v in verdicts if v.status != Status.NOT_STARTED]
    judged = [v for v in started if v.actual is not None and v.status != Status.NO_FINAL_FIGURE]
    return (judged or started or [None])[-1]


def overall_status(verdicts):
    """The target's verdict: that of `latest_judged`, or not started."""
    year = latest_judged(verdicts)
    return Status.NOT_STARTED if year is None else year.status


def count_by_status(statuses):
    counts = {status: 0 for status in STATUS_ORDER}
    for status in statuses:
        counts[Status(status)] += 1
    return counts


def needed_per_year(terms, actual, year):
    """What a lagging target needs each remaining year from `actual` (the latest figure, of
    `year`) to reach its target: the even step for a level, the yearly rate for a
    compound level, the yearly amount for a cumulative total."""
    target = target_value(terms)
    left = terms.end_year - year
    if left <= 0 or actual is None:
        return None
    if terms.path == Path.CUMULATIVE:
        return (target - actual) / left
    if terms.path == Path.COMPOUND and not terms.growth_rate:
        if actual <= 0:
            return None
        return (Decimal(repr(float(target / actual) ** (1 / left))) - 1) * 100
    if terms.growth_rate:
        return target
    return (target - actual) / left

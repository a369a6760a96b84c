"""The indicator chart, drawn on the server as SVG geometry (no JavaScript on the page).

One calendar year runs left to right; the published figures are points joined by a line
(flows: the running total of the year), the target is a horizontal line and the even pace
runs from the start point to the target at the year's end.

The axis speaks the page's language and scale: its numbers are the values divided by
`scale` (English writes 400亿元 as 40 billion yuan: scale 10) and its unit is printed above
it. The target's label sits in the right margin, beyond the year's last day, so that no
point can lie under it. A year without a published figure has no chart at all.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from kpis.periods import period_ends
from kpis.progress import ReportedAs, Start, expected_by, pace_share, year_fraction

WIDTH, HEIGHT = 640, 300
# Margins wide enough for the axis's numbers, the unit above them and the target's label on
# the right at the size a phone needs (static/css/site.css: text of 11 px and more).
LEFT, RIGHT, TOP, BOTTOM = 76, 88, 40, 44
POINT_RADIUS = 5


@dataclass
class Point:
    x: float
    y: float
    period_end: datetime.date
    value: Decimal


@dataclass
class Chart:
    year: int
    points: list = field(default_factory=list)
    start: Point | None = None
    target_y: float | None = None
    pace: str | None = None
    y_ticks: list = field(default_factory=list)
    x_ticks: list = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    top: int = TOP
    point_radius: int = POINT_RADIUS

    @property
    def label_x(self):
        """Where the target's label starts: in the right margin, clear of every point."""
        return self.right_edge + POINT_RADIUS + 4

    @property
    def polyline(self):
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


def nice_step(span):
    """A round tick step (1, 2 or 5 times a power of ten) giving about four intervals."""
    if span <= 0:
        return 1
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def year_series(readings, value_type, reported_as):
    """(period end, value of the year so far) of one year's readings in date order: flows
    reported by period add up, everything else is already the year's figure."""
    series, running = [], Decimal(0)
    adds_up = value_type == "flow" and reported_as != ReportedAs.YEAR_TO_DATE
    for reading in sorted(readings, key=lambda r: r.period_end):
        running = running + reading.value if adds_up else reading.value
        series.append((reading.period_end, running))
    return series


def ticks(low, high, step, y, scale):
    """(y, label value) of the axis from `low` to `high`, the values divided by `scale`."""
    found, tick = [], low
    while tick <= high + step / 2:
        value = Decimal(str(round(tick, 6))) / Decimal(scale)
        found.append((y(tick), value.normalize()))
        tick += step
    return found


def progress_chart(year, value_type, readings, result, profile=None, reported_as="period", scale=1):
    """Geometry of the chart of `year` from its published `readings` and `result`, or None
    when the year has no published figure; the pace line follows the seasonal `profile`
    where the indicator has one, the axis's numbers are divided by `scale`."""
    in_year = sorted((r for r in readings if r.period_end.year == year), key=lambda r: r.period_end)
    if not in_year:
        return None
    series = year_series(in_year, value_type, reported_as)
    start_fraction, start_share = 0.0, Decimal(0)
    if result.start == Start.FIRST_FIGURE and in_year:
        start_fraction = float(year_fraction(in_year[0].period_end))
        start_share = pace_share(in_year[0].period_end, profile)
    start_value = result.start_value if result.start != Start.NONE else None
    if value_type == "flow":
        start_value = Decimal(0)

    values = [value for _, value in series]
    values += [v for v in (result.target, start_value) if v is not None]
    low = min([0.0] + [float(v) for v in values])
    high = max([1.0] + [float(v) for v in values])
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high * 1.05 / step) * step

    def x(fraction):
        return LEFT + float(fraction) * (WIDTH - LEFT - RIGHT)

    def y(value):
        return TOP + (high - float(value)) / (high - low) * (HEIGHT - TOP - BOTTOM)

    chart = Chart(year=year)
    chart.points = [Point(x(year_fraction(end)), y(value), end, value) for end, value in series]
    if start_value is not None and result.start in (Start.BASELINE, Start.PREVIOUS_YEAR):
        chart.start = Point(x(0), y(start_value), datetime.date(year - 1, 12, 31), start_value)
    if result.target is not None:
        chart.target_y = y(result.target)
        if start_value is not None:
            line = pace_line(
                year, value_type, start_value, (start_fraction, start_share), result, profile
            )
            chart.pace = " ".join(f"{x(f):.1f},{y(v):.1f}" for f, v in line)
    chart.y_ticks = ticks(low, high, step, y, scale)
    chart.x_ticks = [(x(year_fraction(end)), end) for end in period_ends("quarterly", year)]
    return chart


def pace_line(year, value_type, start_value, start, result, profile):
    """(share of the year gone, expected value) points of the pace line from `start` (the
    share of the year gone and the share of the pace at the start point): its two ends for
    an even pace, every month end for a seasonal profile."""
    start_fraction, start_share = start
    ends = [datetime.date(year, 12, 31)] if not profile else period_ends("monthly", year)
    points = [(start_fraction, start_value)]
    for end in ends:
        if year_fraction(end) > start_fraction:
            expected = expected_by(
                end, result.target, start_value, start_share, value_type, profile
            )
            points.append((float(year_fraction(end)), expected))
    return points


@dataclass
class ExtraLine:
    """A further series on the years chart, given by a caller as (label, [(year, value)]):
    each value is drawn at its year's end and the values are joined by a line."""

    label: str
    points: list = field(default_factory=list)  # (x, y, year, value)

    @property
    def polyline(self):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)


@dataclass
class YearsChart:
    """Every year of an indicator side by side: the published figures (flows: the total of
    each year so far) and each year's target as a short line over its year."""

    points: list = field(default_factory=list)
    lines: list = field(default_factory=list)  # polylines, one a year
    targets: list = field(default_factory=list)  # (x1, x2, y, year, value)
    extra_lines: list = field(default_factory=list)  # ExtraLine, one a series given
    y_ticks: list = field(default_factory=list)
    x_ticks: list = field(default_factory=list)  # (x, year)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    top: int = TOP


def years_chart(
    readings,
    targets,
    value_type,
    reported_as="period",
    first_year=None,
    last_year=None,
    scale=1,
    extra_lines=(),
):
    """Geometry of the chart across the years, from published `readings`, `targets`
    ((year, value) pairs) and `extra_lines` ((label, [(year, value)]) pairs: further series
    a caller draws, each value at its year's end), the axis's numbers divided by `scale`;
    None with neither a published figure nor an extra line (targets alone are in the table
    above it)."""
    extra_lines = [(label, sorted(points)) for label, points in extra_lines if points]
    years = sorted(
        {r.period_end.year for r in readings}
        | {year for year, _ in targets}
        | {year for _, points in extra_lines for year, _ in points}
        | {y for y in (first_year, last_year) if y is not None}
    )
    if not readings and not extra_lines:
        return None
    first, last = years[0], years[-1]
    series = {
        year: year_series(
            [r for r in readings if r.period_end.year == year], value_type, reported_as
        )
        for year in years
    }
    values = [value for points in series.values() for _, value in points]
    values += [value for _, value in targets]
    values += [value for _, points in extra_lines for _, value in points]
    low = min([0.0] + [float(v) for v in values])
    high = max([1.0] + [float(v) for v in values])
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high * 1.05 / step) * step
    span = last - first + 1

    def x(year, fraction):
        return LEFT + (year - first + float(fraction)) / span * (WIDTH - LEFT - RIGHT)

    def y(value):
        return TOP + (high - float(value)) / (high - low) * (HEIGHT - TOP - BOTTOM)

    chart = YearsChart()
    for year, points in series.items():
        placed = [Point(x(year, year_fraction(end)), y(value), end, value) for end, value in points]
        chart.points += placed
        if len(placed) > 1:
            chart.lines.append(" ".join(f"{p.x:.1f},{p.y:.1f}" for p in placed))
    chart.targets = [(x(year, 0), x(year, 1), y(value), year, value) for year, value in targets]
    chart.y_ticks = ticks(low, high, step, y, scale)
    chart.extra_lines = [
        ExtraLine(label, [(x(year, 1), y(value), year, value) for year, value in points])
        for label, points in extra_lines
    ]
    chart.x_ticks = [(x(year, 0.5), year) for year in range(first, last + 1)]
    return chart

"""The indicator chart, drawn on the server as SVG geometry (no JavaScript on the page).

One calendar year runs left to right; the published figures are points joined by a line
(flows: the running total of the year), the target is a horizontal line and the even pace
runs from the start point to the target at the year's end.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from kpis.periods import period_ends
from kpis.progress import Start, expected_by, pace_share, year_fraction

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36


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


def progress_chart(year, value_type, readings, result, profile=None):
    """Geometry of the chart of `year` from its published `readings` and `result`; the
    pace line follows the seasonal `profile` where the indicator has one."""
    in_year = sorted((r for r in readings if r.period_end.year == year), key=lambda r: r.period_end)
    series, running = [], Decimal(0)
    for reading in in_year:
        running = running + reading.value if value_type == "flow" else reading.value
        series.append((reading.period_end, running))
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
    tick = low
    while tick <= high + step / 2:
        chart.y_ticks.append((y(tick), Decimal(str(round(tick, 6))).normalize()))
        tick += step
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

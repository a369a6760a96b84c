"""A plan target's chart, drawn on the server as SVG geometry (no JavaScript on the page):
the plan's years left to right from its base year, the path from the base to the target as
a line, and each year's published figure (a cumulative path: the running total) as a point.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from kpis.charts import HEIGHT, LEFT, RIGHT, TOP, WIDTH, nice_step

BOTTOM = 36


@dataclass
class PlanChart:
    path: str = ""  # polyline points
    path_points: list = field(default_factory=list)  # (x, y, year, value)
    figures: list = field(default_factory=list)  # (x, y, year, value, year_end)
    y_ticks: list = field(default_factory=list)
    x_ticks: list = field(default_factory=list)  # (x, year)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM


def plan_chart(base_year, base_value, verdicts):
    """Geometry of the chart of one plan target from its base and its judged years
    (plans.rules.PlanYear)."""
    path = [(base_year, base_value)] + [(v.year, v.path_value) for v in verdicts]
    figures = [v for v in verdicts if v.actual is not None]
    values = [float(value) for _, value in path] + [float(v.actual.value) for v in figures]
    low, high = min([0.0] + values), max([1.0] + values)
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high * 1.05 / step) * step
    first, last = base_year, path[-1][0]

    def x(year):
        return LEFT + (year - first) / max(1, last - first) * (WIDTH - LEFT - RIGHT)

    def y(value):
        return TOP + (high - float(value)) / (high - low) * (HEIGHT - TOP - BOTTOM)

    chart = PlanChart()
    chart.path_points = [(x(year), y(value), year, value) for year, value in path]
    chart.path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in chart.path_points)
    chart.figures = [
        (x(v.year), y(v.actual.value), v.year, v.actual.value, v.year_end) for v in figures
    ]
    tick = low
    while tick <= high + step / 2:
        chart.y_ticks.append((y(tick), Decimal(str(round(tick, 6))).normalize()))
        tick += step
    chart.x_ticks = [(x(year), year) for year in range(first, last + 1)]
    return chart

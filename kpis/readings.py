"""A year's figures of many indicators read in one query, and the plain rows built on them.

Fenced here, and not to be copied elsewhere: the two speed tricks these need, each figure
read as one "period end|value" text (`ReadingText`) and a ProgressRow keeping its values()
row as its `__dict__`. The measurements that justify both are in docs/performance.md
("Where the time of `/` at 1,000 indicators goes"). Nothing here imports the models:
`IndicatorQuerySet.with_year_figures` makes the annotations, this module reads them.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db import models
from django.db.models import Subquery
from django.db.models.functions import Cast
from django.urls import reverse

from kpis import periods, progress
from kpis.bilingual import in_language

TOLERANCE = Decimal(settings.PROGRESS_TOLERANCE)


class IndicatorNameAndPage:
    """What an Indicator and its plain-row stand-in, a ProgressRow, share: the address of its
    page and its name in the language of the request."""

    def get_absolute_url(self):
        return reverse("indicator_detail", args=[self.code])

    @property
    def display_name(self):
        return in_language(self.name, self.name_en)


class ReadingText(models.Func):
    """A figure's period end and value as one "2024-06-30|123.5" text."""

    template = "(%(expressions)s)"
    arg_joiner = " || '|' || "
    output_field = models.CharField()

    def __init__(self):
        super().__init__(
            Cast("period_end", models.CharField()), Cast("published_value", models.CharField())
        )


def reading_text(figures, offset=0):
    """The first of `figures` (or the one `offset` places after it) as a ReadingText: one
    index search per figure instead of two (its date and its value), read back by
    `parse_reading`."""
    readings = figures.annotate(reading=ReadingText()).values("reading")
    return Subquery(readings[offset : offset + 1])


def parse_reading(text):
    if text is None:
        return None
    period_end, _, value = text.partition("|")
    return progress.Reading(datetime.date.fromisoformat(period_end), Decimal(value))


def progress_from_annotations_of(values, year, today):
    """`progress_from_annotations` of a values() row, without making it a ProgressRow."""
    return progress_from_annotations(SimpleNamespace(**values), year, today)


def progress_from_annotations(row, year, today):
    """Progress in `year`, judged on `today`, of an indicator (or a ProgressRow) annotated
    by `with_year_figures(year)`."""
    first = parse_reading(row.first_reading)
    latest = parse_reading(row.latest_reading)
    if row.actual_count is not None:
        count = row.actual_count
    else:
        # Only "none, one, or more than one" matters to the rules.
        count = 0 if latest is None else 1 if first == latest else 2
    figures = progress.YearFigures(
        count=count,
        total=row.actual_total,
        first=first,
        latest=latest,
        previous_year_last=parse_reading(row.previous_reading),
    )
    latest = parse_reading(row.latest_any_reading)
    return judge_year(row, year, row.target_value, row.target_qualifier, figures, today, latest)


def judge_year(indicator, year, target, qualifier, figures, today, latest=None):
    """`progress.evaluate` of an Indicator (or a ProgressRow) in `year`, with its own facts:
    direction, kind, baseline, seasonal profile and how it reports; `latest`, its latest
    published figure of any year, tells whether its figures are overdue."""
    return progress.evaluate(
        year=year,
        target=target,
        qualifier=qualifier,
        direction=indicator.direction,
        value_type=indicator.value_type,
        figures=figures,
        today=today,
        # The baseline counts for the target year right after it, and no other.
        baseline=indicator.baseline_value if indicator.baseline_year == year - 1 else None,
        tolerance=TOLERANCE,
        profile=indicator.seasonal_profile,
        reported_as=indicator.reported_as,
        frequency=indicator.frequency,
        release_lag_days=indicator.release_lag_days,
        latest=latest,
    )


def attach_latest(row, today):
    """Give an annotated indicator (or ProgressRow) `latest`, its latest published figure
    of any year; `change`, how that compares with the year before or the baseline; and
    `stale`, whether the figures after it are overdue on `today`."""
    row.latest = parse_reading(row.latest_any_reading)
    year_ends = (parse_reading(row.year_end_reading), parse_reading(row.year_end_before_reading))
    row.change = progress.change_since(
        row.latest,
        next((end for end in year_ends if end and end.period_end < row.latest.period_end), None)
        if row.latest
        else None,
        row.baseline_year,
        row.baseline_value,
        row.value_type,
        whole_year=row.reported_as == progress.ReportedAs.YEAR_TO_DATE
        or row.frequency == periods.Frequency.ANNUAL,
        baseline_year_end=parse_reading(row.baseline_year_end_reading),
    )
    row.stale = row.latest is not None and periods.is_stale(
        row.latest.period_end, row.frequency, today, row.release_lag_days
    )


class ProgressRow(IndicatorNameAndPage):
    """One indicator of the public table and open data, as plain values.

    At a thousand indicators, building a model instance for every row, most of which no
    page shows, cost more than the query and the progress rules together; these rows carry
    just the fields the table and the files read, its theme, and `result`.
    """

    FIELDS = [
        "id",
        "code",
        "name",
        "name_en",
        "theme_id",
        "department_id",
        "unit",
        "unit_en",
        "decimals",
        "direction",
        "value_type",
        "baseline_year",
        "baseline_value",
        "baseline_qualifier",
        "baseline_quote",
        "source_id",
        "position",
        "target_value",
        "target_qualifier",
        "target_quote",
        "target_source_id",
        "target_values",
        "target_withdrawn_at",
        "target_withdrawal_reason",
        "seasonal_profile",
        "frequency",
        "reported_as",
        "release_lag_days",
        "first_reading",
        "latest_reading",
        "actual_total",
        "actual_count",
        "previous_reading",
        "latest_any_reading",
        "year_end_reading",
        "year_end_before_reading",
        "baseline_year_end_reading",
    ]

    def __init__(self, values, theme, year, today):
        self.__dict__ = values  # the row from values(), kept as it is rather than copied
        self.theme = theme
        self.result = progress_from_annotations(self, year, today)
        attach_latest(self, today)

    @property
    def status_rank(self):
        """Sort key that puts the targets needing attention first."""
        return progress.STATUS_ORDER.index(self.result.status)

    @property
    def target_revised(self):
        """The year's target has had more than one value."""
        return (self.target_values or 0) > 1

"""Judged rows: each public indicator's stored verdict of a year (see docs/architecture.md)."""

from django.db import models
from django.db.models import (
    Count,
    Q,
)

from kpis import progress
from kpis.models.indicators import Indicator, InterimTarget
from kpis.models.records import DataVersion
from kpis.readings import (
    ProgressRow,
    progress_from_annotations_of,
)


class JudgementQuerySet(models.QuerySet):
    def refresh(self, years, today):
        """Make the judged rows of every public indicator in `years` true on `today`.

        The database's triggers remove an indicator's rows whenever it, its figures or its
        targets change (kpis/triggers.py), so a row that exists is never out of date, except
        when the date moves it: rows whose `holds_until` has passed go (a year has closed, or
        the figure after the latest one has become overdue).
        Then every public indicator without a row for a year is judged and written. A year
        whose rows were completed at the current data version on `today` (JudgedYear) is
        left alone: that costs one query for all the years and writes only what changed
        since the last reader."""
        # Read before judging: a change made meanwhile raises it past what is recorded.
        version = DataVersion.objects.values_list("counter", flat=True).first()
        done = set(
            JudgedYear.objects.filter(data_version=version, judged_on=today).values_list(
                "year", flat=True
            )
        )
        todo = [year for year in years if year not in done]
        if not todo:
            return
        self.filter(holds_until__lt=today).delete()
        for year in todo:
            unjudged = Indicator.objects.public().exclude(judgements__year=year)
            rows = unjudged.with_year_figures(year, today).order_by().values(*ProgressRow.FIELDS)
            rows = list(rows)
            interim = {}
            if any(values["has_interim"] for values in rows):
                interim = InterimTarget.objects.reached_in(year)
            judgements = [
                Judgement.of(
                    values["id"],
                    year,
                    progress_from_annotations_of(
                        values,
                        year,
                        today,
                        [
                            progress.Reading(step.period_end, step.value)
                            for step, _reached in interim.get(values["id"], ())
                        ],
                    ),
                )
                for values in rows
            ]
            # Two readers at once may judge the same indicator: the first row stays.
            self.bulk_create(judgements, ignore_conflicts=True)
            JudgedYear.objects.update_or_create(
                year=year, defaults={"data_version": version, "judged_on": today}
            )

    def in_table_order(self):
        """The public table's order unless another is asked: indicators with a target that
        year first, then by theme and position."""
        return self.order_by(
            "-has_target", "indicator__theme__position", "indicator__position", "indicator__code"
        )

    def status_counts(self):
        """{(year, status): how many} of the judged rows that have a target, and (as
        `no_target`) of those without one that have a figure of the year."""
        counted = (
            # Rows without a target count where they have a figure (a year in review).
            self.filter(Q(has_target=True) | Q(current__isnull=False))
            .order_by()
            .values_list("year", "status")
            .annotate(n=Count("pk"))
        )
        return {(year, status): n for year, status, n in counted}


class Judgement(models.Model):
    """One indicator's verdict in one target year as the progress rules gave it: what the
    public table sorts, filters and counts by in the database, so that a page of 50 rows
    costs the same at 20 indicators and at 10,000 (docs/performance.md). Written when read
    and missing; see `JudgementQuerySet.refresh` for why it is never stale."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="judgements")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16)
    status_rank = models.PositiveSmallIntegerField()
    has_target = models.BooleanField()
    target_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    current = models.DecimalField(max_digits=24, decimal_places=4, null=True)
    attainment = models.FloatField(null=True)
    # The last day the verdict holds without new data: a target year closes after 31 Dec,
    # an open year's figures become overdue after the next one's deadline.
    holds_until = models.DateField()

    objects = JudgementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_judgement_a_year")
        ]
        indexes = [models.Index(fields=["year", "status"], name="judgement_year_status")]

    def __str__(self):
        return f"{self.indicator_id} {self.year} {self.status}"

    @classmethod
    def of(cls, indicator_id, year, result):
        return cls(
            indicator_id=indicator_id,
            year=year,
            status=result.status,
            status_rank=progress.STATUS_ORDER.index(result.status),
            has_target=result.target is not None,
            target_value=result.target,
            current=result.current,
            attainment=None if result.attainment is None else float(result.attainment),
            holds_until=result.holds_until,
        )


class JudgedYear(models.Model):
    """A target year whose judged rows were all written at a data version, on a day: while
    both hold, no indicator is missing a row for it (see `JudgementQuerySet.refresh`)."""

    year = models.PositiveSmallIntegerField(unique=True)
    data_version = models.BigIntegerField()
    judged_on = models.DateField()

    def __str__(self):
        return f"{self.year} @ {self.data_version}"

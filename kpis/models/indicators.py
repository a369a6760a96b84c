"""Indicators and their targets, and the queries across indicators."""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis import periods, progress, vocabulary
from kpis.bilingual import in_language
from kpis.extraction import IndicatorRow
from kpis.models.records import reporting_starts
from kpis.models.sources import FIRST_YEAR, LAST_YEAR, STAGE_WORDS, Qualifier, Source, Theme
from kpis.plausibility import Yardstick
from kpis.readings import (
    IndicatorNameAndPage,
    ProgressRow,
    attach_latest,
    interim_verdict,
    judge_year,
    progress_from_annotations,
    reading_text,
)
from kpis.units import unit_scale, validate_unit
from kpis.workflow import DepartmentScopedQuerySet


def actual_model():
    """The figures' model: kpis.models.figures builds on this module, so this one asks the
    app registry for it rather than importing it (no import circle)."""
    return apps.get_model("kpis", "Actual")


def validate_profile(profile):
    if profile in (None, ""):
        return
    valid = isinstance(profile, list) and len(profile) == 12
    valid = valid and all(isinstance(share, int | float) and 0 <= share <= 1 for share in profile)
    valid = valid and all(a <= b for a, b in itertools.pairwise(profile)) and profile[-1] == 1
    if not valid:
        raise ValidationError(_("Give twelve shares between 0 and 1 that never fall and end at 1."))


class IndicatorQuerySet(DepartmentScopedQuerySet):
    def match_rows(self):
        """The indicators as kpis.extraction compares a figure with them."""
        rows = self.values_list("code", "name", "unit", "theme__name")
        return [IndicatorRow(code, name, unit, theme or "") for code, name, unit, theme in rows]

    def public(self):
        return self.filter(is_public=True)

    def with_year_figures(self, year, today=None, until=None):
        """Attach the target of `year` and a digest of its published actuals, in one query;
        with `until`, only the figures of the periods that ended by that date (a bulletin
        as of a past day).

        Each indicator gets `target_value`, `target_qualifier`, `target_quote` and
        `target_source_id`; the first and latest published figure of the year; the year's
        total and count of figures (flows reported by period only: the other kinds never
        add up) and the last figure of the year before (where the path may start from it);
        and, whatever the year, its latest published figure, its last two published year-end
        figures and that of its baseline's year (what that latest figure is compared with:
        `today` is no longer needed for it). That is all the progress rules
        need, so no row costs a query of its own; at a thousand indicators every avoided
        subquery counts, which is why each figure comes as one "period end|value" text (see
        `readings.reading_text`).
        """
        published = actual_model().objects.published().filter(indicator=OuterRef("pk"))
        if until is not None:
            published = published.filter(period_end__lte=until)
        in_year = published.filter(period_end__year=year)
        by_indicator = in_year.order_by().values("indicator")
        before = published.filter(period_end__year=year - 1)
        # The year-end figures the latest figure may be compared with (see attach_latest):
        # the last two published (the latest may be one itself) and the baseline year's.
        year_end = published.filter(period_end__month=12, period_end__day=31)
        latest_year_ends = year_end.order_by("-period_end")
        year_ends = [reading_text(latest_year_ends), reading_text(latest_year_ends, offset=1)]
        is_flow = Q(value_type=Indicator.ValueType.FLOW)
        in_force = Q(year_target__withdrawn_at__isnull=True)
        adds_up = is_flow & Q(reported_as=Indicator.ReportedAs.PERIOD)
        return self.annotate(
            year_target=FilteredRelation("targets", condition=Q(targets__year=year)),
            # A withdrawn target counts no more: the year has no target, and says why.
            target_withdrawn_at=F("year_target__withdrawn_at"),
            target_withdrawal_reason=F("year_target__withdrawal_reason"),
            target_value=Case(When(in_force, then=F("year_target__value"))),
            target_qualifier=Case(When(in_force, then=F("year_target__qualifier"))),
            target_quote=F("year_target__quote"),
            target_source_id=F("year_target__source_id"),
            target_values=Subquery(
                # The history model's own manager: `Target.history` builds a manager class
                # on every access.
                Target._meta.apps.get_model("kpis", "HistoricalTarget")
                .objects.filter(indicator_id=OuterRef("pk"), year=year)
                .order_by()
                .values("indicator_id")
                .annotate(n=Count("value", distinct=True))
                .values("n")
            ),
            first_reading=reading_text(in_year.order_by("period_end")),
            latest_reading=reading_text(in_year.order_by("-period_end")),
            actual_total=Case(
                When(
                    adds_up,
                    then=Subquery(by_indicator.annotate(t=Sum("published_value")).values("t")),
                )
            ),
            actual_count=Case(
                When(adds_up, then=Subquery(by_indicator.annotate(n=Count("pk")).values("n")))
            ),
            previous_reading=Case(
                When(~is_flow, then=reading_text(before.order_by("-period_end")))
            ),
            latest_any_reading=reading_text(published.order_by("-period_end")),
            year_end_reading=year_ends[0],
            year_end_before_reading=year_ends[1],
            baseline_year_end_reading=reading_text(
                year_end.filter(period_end__year=OuterRef("baseline_year"))
            ),
            # So that the interim targets are read only where there are some.
            has_interim=models.Exists(
                InterimTarget.objects.filter(indicator=OuterRef("pk"), period_end__year=year)
            ),
        )

    def for_page(self):
        """What an indicator's page shows besides its year: whether it has interim targets
        of any year, and the public indicator it replaces (where one does), in the same
        query."""
        replaced = self.model.objects.public().filter(replaced_by=OuterRef("pk"))
        replaced = replaced.order_by("code")
        return self.annotate(
            has_any_interim=models.Exists(InterimTarget.objects.filter(indicator=OuterRef("pk"))),
            replaces_code=Subquery(replaced.values("code")[:1]),
            replaces_name=Subquery(replaced.values("name")[:1]),
            replaces_name_en=Subquery(replaced.values("name_en")[:1]),
            replaces_after=Subquery(replaced.values("discontinued_after")[:1]),
        )

    def progress_rows(self, year, today=None, until=None, targets_at=None):
        """The indicators as ProgressRows with their progress in `year` as judged on
        `today` (from the figures of the periods ended by `until`, where given, and the
        targets as they stood at the moment `targets_at`, where given): those with a target
        that year first, then by theme and position."""
        today = today or timezone.localdate()
        themes = Theme.objects.in_bulk()
        # Sorted here rather than by the database: the theme's position would cost a join
        # and a temporary index for a thousand rows.
        figures = self.with_year_figures(year, today, until).order_by().values(*ProgressRow.FIELDS)
        if targets_at is not None:
            standing = self.targets_as_of(year, targets_at)
            figures = [{**values, **standing.get(values["id"], NO_TARGET)} for values in figures]
        interim = {}
        if any(values["has_interim"] for values in figures):
            interim = InterimTarget.objects.reached_in(year, until)
        rows = [
            ProgressRow(
                values, themes[values["theme_id"]], year, today, interim.get(values["id"], ())
            )
            for values in figures
        ]
        return sorted(
            rows,
            key=lambda row: (row.target_value is None, row.theme.position, row.position, row.code),
        )

    def due_work(self, today):
        """The indicators, each with `due`: its periods that have ended without a figure,
        from its first reporting year on (see `Indicator.first_reporting_year`). Periods that
        ended before reporting started here (`reporting_starts`) are to back-fill."""
        entered = actual_model().objects.only("indicator_id", "period_end")
        rows = self.select_related("department").prefetch_related(
            models.Prefetch("actuals", queryset=entered, to_attr="entered"),
            models.Prefetch("targets", queryset=Target.objects.only("indicator_id", "year")),
        )
        started = reporting_starts()
        indicators = list(rows)
        for indicator in indicators:
            years = [target.year for target in indicator.targets.all()]
            department = indicator.department
            since = (department.reporting_since if department else None) or started
            indicator.due = periods.due_periods(
                indicator.frequency,
                indicator.first_reporting_year(years, started or today),
                today,
                {actual.period_end for actual in indicator.entered},
                grace_days=indicator.release_lag_days,
                reporting_starts=since,
                last_period_end=indicator.discontinued_after,
            )
        return indicators

    def target_revisions(self, year, since=None, until=None):
        """The changes of these indicators' targets for `year` (after the moment `since`
        and by the moment `until`, where given), oldest first, each record with its
        indicator and source."""
        records = Target.history.filter(indicator__in=self, year=year)
        if until is not None:
            records = records.filter(history_date__lt=until)
        revisions = target_changes(records.select_related("source", "indicator"))
        return [r for r in revisions if since is None or r.record.history_date > since]

    def targets_as_of(self, year, moment):
        """The targets of `year` of these indicators as they stood just before `moment`,
        read from their change history, as the target fields of `with_year_figures`, by
        indicator id: a target revised or withdrawn later is not yet so then. A target's
        first version counts from its source's date too (a commitment published in
        January and entered in the tracker in March stood in February); every change after
        it counts from when it was recorded. One query."""
        records = (
            Target.history.filter(indicator__in=self, year=year)
            .select_related("source")
            .order_by("indicator_id", "history_date", "history_id")
        )
        day = timezone.localtime(moment - datetime.timedelta(microseconds=1)).date()
        standing, values = {}, {}
        for record in records:
            first = record.indicator_id not in values
            if record.history_date < moment or (first and record.source.published_on <= day):
                standing[record.indicator_id] = record
                values.setdefault(record.indicator_id, set()).add(record.value)
            elif first:
                values[record.indicator_id] = set()
        return {
            pk: {
                "target_value": None if record.withdrawn_at else record.value,
                "target_qualifier": None if record.withdrawn_at else record.qualifier,
                "target_quote": record.quote,
                "target_source_id": record.source_id,
                "target_withdrawn_at": record.withdrawn_at,
                "target_withdrawal_reason": record.withdrawal_reason,
                "target_values": len(values[pk]),
            }
            for pk, record in standing.items()
            if record.history_type != "-"
        }

    def target_years(self):
        return (
            Target.objects.filter(indicator__in=self)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )

    def years_open_to_view(self):
        """(the years with a target, every year with a target or a published figure) of
        these indicators, in one query: a year of figures alone can be looked at too."""
        targets = (
            Target.objects.filter(indicator__in=self)
            .annotate(has_target=Value(True))
            .order_by()
            .values_list("year", "has_target")
        )
        figures = (
            actual_model()
            .objects.published()
            .filter(indicator__in=self)
            .annotate(year=ExtractYear("period_end"), has_target=Value(False))
            .order_by()
            .values_list("year", "has_target")
        )
        # int(): PostgreSQL gives the union's years as numeric (EXTRACT's type), read as Decimal.
        rows = [(int(year), has_target) for year, has_target in targets.union(figures)]
        with_target = sorted({year for year, has_target in rows if has_target}, reverse=True)
        return with_target, sorted({year for year, _ in rows}, reverse=True)

    def progress_year(self, today=None):
        """The year progress is shown for unless another is asked (see `default_year`)."""
        return default_year(list(self.target_years()), today or timezone.localdate())


class Indicator(IndicatorNameAndPage, models.Model):
    class Unit(StrEnum):
        # Names for the six units the tracker began with; the units themselves are rows of
        # the units table (kpis.units.Unit), which `unit` is checked against.
        ENTERPRISES = "家"
        YI_YUAN = "亿元"
        ITEMS = "个"
        PEOPLE = "人"
        PERCENT = "%"
        FUNDS = "只"

    class Direction(models.TextChoices):
        # The same values as vocabulary.Direction, which the rules read.
        INCREASE = vocabulary.Direction.INCREASE.value, _("higher is better")
        DECREASE = vocabulary.Direction.DECREASE.value, _("lower is better")

    class ValueType(models.TextChoices):
        # The same values as vocabulary.ValueType, which the rules read.
        STOCK = (
            vocabulary.ValueType.STOCK.value,
            _("stock: a level at a date, the latest period counts"),
        )
        FLOW = (
            vocabulary.ValueType.FLOW.value,
            _("flow: an amount over time, the periods of a year add up"),
        )
        RATE = (
            vocabulary.ValueType.RATE.value,
            _("rate: a share or growth rate, the latest period counts"),
        )

    class ReportedAs(models.TextChoices):
        # The same values as the rules' progress.ReportedAs, which they read.
        PERIOD = progress.ReportedAs.PERIOD.value, _("each period's own amount")
        YEAR_TO_DATE = progress.ReportedAs.YEAR_TO_DATE.value, _("total of the year so far (累计)")

    class GrowthBasis(models.TextChoices):
        YEAR_ON_YEAR = "year_on_year", _("同比: against the same period a year earlier")
        COMPARABLE_PRICES = "comparable_prices", _("可比价: at comparable prices (real growth)")
        CURRENT_PRICES = "current_prices", _("现价: at current prices (nominal growth)")

    class Frequency(models.TextChoices):
        # The same values as periods.Frequency, which the rules read.
        MONTHLY = periods.Frequency.MONTHLY.value, _("monthly")
        QUARTERLY = periods.Frequency.QUARTERLY.value, _("quarterly")
        ANNUAL = periods.Frequency.ANNUAL.value, _("annual")

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Stable identifier used in web addresses and open data; never change it."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    definition = models.TextField(_("definition (Chinese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="indicators"
    )
    department = models.ForeignKey(
        "kpis.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
        help_text=_("Its officials enter the figures. Empty until a department is assigned."),
    )
    unit = models.CharField(
        _("unit"),
        max_length=10,
        validators=[validate_unit],
        help_text=_(
            "One of the units table (admin → units), as the source writes it: 万元, 亿元 "
            "(100 million yuan), 万人, 个百分点. Figures are entered in this unit: for 亿元, "
            "1.5, not 150000000."
        ),
    )
    unit_en = models.CharField(
        _("unit word in English"),
        max_length=40,
        blank=True,
        help_text=_(
            "Only where the usual English word does not fit: e.g. institutions for 家 when "
            "they are not enterprises."
        ),
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimal places shown"),
        default=0,
        help_text=_("How many decimals pages show: 1 for a growth rate such as 6.5%."),
    )
    direction = models.CharField(
        _("direction of good"),
        max_length=10,
        choices=Direction.choices,
        default="increase",
        help_text=_(
            "Whether a higher figure is better (output, jobs) or a lower one (PM2.5, energy "
            "use per unit of GDP); a target of a decreasing indicator is usually “at most”."
        ),
    )
    value_type = models.CharField(
        _("value type"),
        max_length=10,
        choices=ValueType.choices,
        help_text=_(
            "How the figures of one year combine into the year's value: a stock (a level at "
            "a date, e.g. enterprises), a flow (an amount over time, e.g. retail sales) or a "
            "rate (a share or a growth rate, e.g. 规模以上工业增加值增速)."
        ),
    )
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
        help_text=_("Each figure covers one month, one quarter or one calendar year."),
    )
    reported_as = models.CharField(
        _("figures reported as"),
        max_length=12,
        choices=ReportedAs.choices,
        default=ReportedAs.PERIOD,
        help_text=_(
            "Whether each figure is that period's own amount (当期) or covers the year so far "
            "(累计, 1–6月累计), as the statistics bureau publishes it: 社会消费品零售总额 is a "
            "total of the year so far, 规模以上工业增加值增速 a growth rate of the year so far."
        ),
    )
    growth_basis = models.CharField(
        _("basis of the growth rate"),
        max_length=20,
        choices=GrowthBasis.choices,
        blank=True,
        help_text=_(
            "Growth-rate indicators only (e.g. 规模以上工业增加值增速): what the rate compares, "
            "as the statistics bureau states it. Empty for any other indicator."
        ),
    )
    release_lag_days = models.PositiveSmallIntegerField(
        _("release lag (days)"),
        default=periods.GRACE_DAYS,
        validators=[MaxValueValidator(366)],
        help_text=_(
            "How many days after a period's end its official figure is due, a whole number: "
            "about 15–20 for a monthly figure of the statistics bureau; an annual figure "
            "often comes months after December."
        ),
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("baseline value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Leave empty when the source gives no baseline; never estimate one."),
    )
    baseline_qualifier = models.CharField(
        _("baseline qualifier"),
        max_length=10,
        choices=Qualifier.choices,
        blank=True,
        help_text=_(
            "The source's wording: 超/突破 more than, 达/增至 reaches, 约 about, 以上 at "
            "least, 以内/不超过 at most."
        ),
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("baseline source"),
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
    )
    baseline_quote = models.TextField(
        _("baseline quote"), blank=True, help_text=_("The source's sentence, word for word.")
    )
    is_share = models.BooleanField(
        _("share of a whole"),
        default=False,
        help_text=_(
            "Tick for a share of a whole in per cent (a coverage rate, a proportion of "
            "GDP): figures must then lie between 0 and 100. Leave it unticked for a growth "
            "rate, which can exceed 100 or fall below 0."
        ),
    )
    seasonal_profile = models.JSONField(
        _("seasonal profile"),
        null=True,
        blank=True,
        validators=[validate_profile],
        help_text=_(
            "Optional: twelve cumulative shares of the year's movement expected by the end of "
            "each month, e.g. [0.05, 0.1, …, 1]. Empty: an even pace over the year. "
            "manage.py derive_seasonal_profiles fills it from two years of published figures."
        ),
    )
    seasonal_profile_note = models.CharField(
        _("where the profile comes from"), max_length=200, blank=True
    )
    is_public = models.BooleanField(
        _("shown to the public"), default=True, help_text=_("Untick to keep it internal.")
    )
    has_release_stages = models.BooleanField(
        _("has release stages"),
        default=False,
        help_text=_(
            "Tick where the statistics bureau publishes each figure in stages (初步核算, "
            "初步核实, 最终核实, as GDP is): every figure then names its stage."
        ),
    )
    discontinued_after = models.DateField(
        _("discontinued after"),
        null=True,
        blank=True,
        help_text=_(
            "Only for an indicator no longer reported (停止统计): the end of the last period "
            "reported. No period after it is due."
        ),
    )
    discontinued_reason = models.TextField(
        _("why it was discontinued (Chinese)"), blank=True, help_text=_("Published.")
    )
    discontinued_reason_en = models.TextField(_("why it was discontinued (English)"), blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        help_text=_("Optional: the indicator that takes its place; both pages link."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["position"])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["theme__position", "position", "code"]
        constraints = [
            models.CheckConstraint(
                name="indicator_baseline_complete",
                condition=Q(baseline_value__isnull=True) | Q(baseline_year__isnull=False),
                violation_error_message=_("A baseline value needs its year."),
            ),
            models.CheckConstraint(
                name="indicator_share_is_in_percent",
                condition=Q(is_share=False) | Q(unit="%"),
                violation_error_message=_("A share of a whole is measured in per cent."),
            ),
            models.CheckConstraint(
                name="indicator_discontinued_with_a_reason",
                condition=Q(discontinued_after__isnull=True) | ~Q(discontinued_reason=""),
                violation_error_message=_("Say why the indicator was discontinued."),
            ),
            models.CheckConstraint(
                name="indicator_baseline_year_sane",
                condition=Q(baseline_year__isnull=True)
                | Q(baseline_year__gte=FIRST_YEAR, baseline_year__lte=LAST_YEAR),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_definition(self):
        return in_language(self.definition, self.definition_en)

    @property
    def display_discontinued_reason(self):
        return in_language(self.discontinued_reason, self.discontinued_reason_en)

    def clean(self):
        super().clean()
        errors = {}
        if self.growth_basis and self.value_type != self.ValueType.RATE:
            errors["growth_basis"] = _(
                "Only a growth rate has a basis: choose the value type “rate”, or "
                "leave the basis empty."
            )
        if self.discontinued_after is not None:
            if not self.discontinued_reason.strip():
                errors["discontinued_reason"] = _(
                    "Say why the indicator was discontinued: the reason is published."
                )
            if self.frequency and self.discontinued_after not in self.period_ends(
                self.discontinued_after.year
            ):
                errors["discontinued_after"] = _(
                    "Give the end of the last period reported (a %(frequency)s period's last day)."
                ) % {"frequency": self.get_frequency_display()}
        if self.replaced_by_id is not None and self.replaced_by_id == self.pk:
            errors["replaced_by"] = _("An indicator cannot replace itself.")
        if errors:
            raise ValidationError(errors)

    def value_error(self, value):
        """Why `value` cannot be a figure of this indicator, or None."""
        if self.is_share and not 0 <= value <= 100:
            return _("A share must lie between 0 and 100%.")
        if value < 0 and not unit_scale(self.unit).is_signed:
            return _("Counts and money cannot be negative.")
        return None

    def last_published_value(self, before):
        """The published figure of the latest period before `before`."""
        earlier = self.actuals.published().filter(period_end__lt=before).order_by("-period_end")
        return earlier.values_list("published_value", flat=True).first()

    def recent_published(self, before, count=4):
        """The last `count` published figures before the period ending `before`, newest
        first: the entry form's bearings."""
        earlier = self.actuals.published().filter(period_end__lt=before).order_by("-period_end")
        return list(earlier[:count])

    def earlier_total(self, period_end):
        """A year-to-date indicator's latest published total of the same year before
        `period_end`, as a Reading, or None."""
        earlier = self.actuals.published().filter(
            period_end__year=period_end.year, period_end__lt=period_end
        )
        found = earlier.order_by("-period_end").values_list("period_end", "published_value")
        found = found.first()
        return progress.Reading(*found) if found else None

    def yardstick(self, period_end):
        """What a new figure for `period_end` is checked against (a plausibility.Yardstick):
        a year-to-date total against the same period a year earlier (Q1 to H1 doubles by
        nature), anything else against the last published figure; with nothing published
        yet, against the baseline, else the year's target (for a flow, the share of either
        that one period, or the year so far, stands for). None when nothing is known."""
        year_to_date = self.reported_as == self.ReportedAs.YEAR_TO_DATE
        if year_to_date:
            year_earlier = periods.period_ends(self.Frequency.MONTHLY, period_end.year - 1)[
                period_end.month - 1
            ]
            same = self.actuals.published().filter(period_end=year_earlier)
            value = same.values_list("published_value", flat=True).first()
            if value is not None:
                return Yardstick(value, "year_earlier")
        previous = self.last_published_value(before=period_end)
        if previous is not None:
            return Yardstick(previous, "earlier_total" if year_to_date else "figure")
        share = Decimal(1)
        if self.value_type == self.ValueType.FLOW:
            per_year = len(periods.period_ends(self.frequency, period_end.year))
            share = progress.year_fraction(period_end) if year_to_date else Decimal(1) / per_year
        if self.baseline_value is not None:
            return Yardstick(self.baseline_value * share, "baseline")
        target = self.targets.filter(year=period_end.year).values_list("value", flat=True).first()
        if target is not None:
            return Yardstick(target * share, "target")
        return None

    def has_been_public(self):
        """Whether the public has ever seen this indicator (and so its targets)."""
        return self.is_public or self.history.filter(is_public=True).exists()

    def target_revisions(self):
        """Changes of this indicator's targets and baseline, newest first, from their change
        history: what changed, from what to what, when, why and on which source."""
        targets = Target.history.filter(indicator_id=self.pk).select_related("source")
        revisions = target_changes(targets)
        before = None
        for record in self.history.select_related("source").order_by("history_date", "history_id"):
            figure = (record.baseline_value, record.baseline_qualifier)
            if before is not None and before[0] is not None and figure != before:
                revisions.append(Revision(None, *before, *figure, record))
            before = figure
        return sorted(revisions, key=lambda revision: revision.record.history_date, reverse=True)

    def published_history(self):
        """Published figures, newest first, each with `earlier`: the values it replaced, as
        (value, replaced at) pairs from the change history, so revisions stay visible."""
        records = (
            actual_model()
            .history.filter(indicator_id=self.pk, published_value__isnull=False)
            .order_by("id", "history_date")
            .values_list("id", "published_value", "history_date", "published_stage")
        )
        earlier, last, stages = {}, {}, {}
        for pk, value, when, stage in records:
            if pk in last and last[pk][0] != value:
                earlier.setdefault(pk, []).append((last[pk][0], when))
            if stage and (pk not in last or last[pk][1] != stage):
                stages.setdefault(pk, []).append(PublishedStage(stage, value, when))
            last[pk] = (value, stage)
        actuals = list(self.actuals.published().order_by("-period_end"))
        for actual in actuals:
            actual.earlier = earlier.get(actual.pk, [])
            # Every stage the public saw, in order, with its value and date.
            actual.stages = stages.get(actual.pk, [])
        return actuals

    def first_reporting_year(self, target_years, reporting_started):
        """The first year whose periods are asked for: the baseline's year, else the year
        before the first target, else the year reporting started here; so year-end figures
        of earlier years can still be back-filled."""
        if self.baseline_year:
            return self.baseline_year
        if target_years:
            return min(target_years) - 1
        return reporting_started.year

    def years_overview(self, targets, history, today):
        """Every year with a target or a published figure, newest first: its target, the
        figure the year ended on and the verdict judged on `today`, from the published
        `history` (from `published_history`) and `targets` already read (no query)."""
        readings = [
            progress.Reading(actual.period_end, actual.published_value) for actual in history
        ]
        by_year = {target.year: target for target in targets}
        years = sorted(
            {reading.period_end.year for reading in readings} | set(by_year), reverse=True
        )
        latest = max(readings, key=lambda reading: reading.period_end, default=None)
        overview = []
        for year in years:
            target = by_year.get(year)
            figures = progress.YearFigures.from_readings(readings, year)
            result = judge_year(
                self,
                year,
                target.value if target else None,
                target.qualifier if target else None,
                figures,
                today,
                latest,
            )
            overview.append((year, target, result))
        return overview

    def attach_progress(self, year, today):
        """Progress in `year` as judged on `today`, with the latest figure of any year (see
        `attach_latest`), from the annotations of `with_year_figures(year)`; its interim
        targets of every year (`interim_steps`) bend the expected path."""
        has_any = getattr(self, "has_any_interim", True)  # annotated by `for_page`
        self.interim_steps = list(self.interim_targets.all()) if has_any else []
        self.interim_path = [
            progress.Reading(step.period_end, step.value) for step in self.interim_steps
        ]
        self.result = progress_from_annotations(self, year, today)
        attach_latest(self, today)
        return self

    def interim_verdicts(self, year, history, today):
        """The interim targets of `year` with their status on `today` (see
        `progress.interim_status`), from the published `history` already read."""
        readings = [
            progress.Reading(actual.period_end, actual.published_value) for actual in history
        ]
        return [
            (
                step,
                interim_verdict(
                    self,
                    step,
                    progress.year_so_far(
                        readings, step.period_end, self.value_type, self.reported_as
                    ),
                    today,
                ),
            )
            for step in self.interim_steps
            if step.period_end.year == year
        ]

    def verdict_revisions(self, targets, history, today):
        """{year: progress.VerdictRevision} of the closed years whose verdict a later
        release stage changed, from the published `history` (its `stages`) and `targets`."""
        readings = [
            progress.Reading(actual.period_end, actual.published_value) for actual in history
        ]
        by_year = {target.year: target for target in targets}
        revisions = {}
        for actual in history:
            revision = stage_revision(actual.period_end, actual.stages)
            year = actual.period_end.year
            target = by_year.get(year)
            if revision is None or target is None or target.withdrawn_at:
                continue
            if year in revisions and revisions[year].on >= revision.on:
                continue
            figures = progress.YearFigures.from_readings(readings, year)
            now = judge_year(self, year, target.value, target.qualifier, figures, today)
            before = judge_year(
                self,
                year,
                target.value,
                target.qualifier,
                progress.figures_before(figures, revision),
                today,
            )
            changed = progress.verdict_revision(before, now, revision)
            if changed:
                revisions[year] = changed
        return revisions

    def period_ends(self, year):
        """The last day of every reporting period of `year`."""
        return periods.period_ends(self.frequency, year)


@dataclass
class PublishedStage:
    """A release stage of a published figure as the public saw it: its value and the moment
    it was published."""

    stage: str
    value: Decimal
    published: datetime.datetime

    @property
    def label(self):
        return Stage(self.stage).label


def stage_revision(period_end, stages):
    """The latest later stage of a figure (a progress.StageRevision), from its published
    `stages` in order, or None while it has had one stage only."""
    if len(stages) < 2:
        return None
    earlier, latest = stages[-2], stages[-1]
    return progress.StageRevision(
        period_end,
        earlier.value,
        latest.value,
        latest.stage,
        timezone.localtime(latest.published).date(),
    )


def target_changes(records):
    """The Revisions of targets in `records` (their change history): every change of a
    target's value or qualifier, and its withdrawal, oldest first."""
    revisions = []
    previous = {}
    # Followed by indicator and year rather than by row, so that a target deleted and added
    # again (before deletion was refused) still shows as the change it was.
    for record in records.order_by("history_date", "history_id"):
        key = (record.indicator_id, record.year)
        before = previous.get(key)
        figure = (record.value, record.qualifier)
        if before is not None and record.withdrawn_at and not before[1].withdrawn_at:
            revisions.append(Revision(record.year, *figure, None, None, record, True))
        elif before is not None and figure != before[0]:
            revisions.append(Revision(record.year, *before[0], *figure, record))
        previous[key] = (figure, record)
    return revisions


@dataclass
class Revision:
    """A changed or withdrawn target (`year` set) or a changed baseline (`year` None);
    `record` is the change history's entry after the change: its date, reason and source."""

    year: int | None
    old_value: Decimal
    old_qualifier: str
    new_value: Decimal | None
    new_qualifier: str | None
    record: object
    withdrawn: bool = False


# The target fields of an indicator without a target in force (see `targets_as_of`).
NO_TARGET = dict.fromkeys(
    [
        "target_value",
        "target_qualifier",
        "target_quote",
        "target_source_id",
        "target_withdrawn_at",
        "target_withdrawal_reason",
        "target_values",
    ]
)


def default_year(target_years, today):
    """The year a page opens on: this year where it has targets, else the latest earlier
    year with targets, else the next later one, else this year."""
    if today.year in target_years:
        return today.year
    earlier = [year for year in target_years if year < today.year]
    if earlier:
        return max(earlier)
    return min(target_years, default=today.year)


class Target(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(
        _("target value"),
        max_digits=20,
        decimal_places=4,
        help_text=_("In the indicator's unit; money in 亿元 (100 million yuan)."),
    )
    qualifier = models.CharField(
        _("qualifier"),
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.REACH,
        help_text=_(
            "超 (more than): must be exceeded; 达 (reaches) and 以上 (at least): must be "
            "reached; 以内/不超过 (at most): a ceiling, met at or below it."
        ),
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="targets"
    )
    quote = models.TextField(_("quote"), help_text=_("The source's sentence, word for word."))
    withdrawal_reason = models.TextField(
        _("reason for withdrawal"),
        blank=True,
        help_text=_(
            "Fill in only to withdraw the target: it then counts no more, and this reason is "
            "published beside it. A public target is never deleted; a changed value is a "
            "revision, with its reason and source."
        ),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="one_target_per_indicator_year",
                violation_error_message=_("This indicator already has a target for that year."),
            ),
            models.CheckConstraint(
                name="target_year_sane", condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR)
            ),
            models.CheckConstraint(
                name="target_withdrawal_has_a_reason",
                condition=Q(withdrawn_at__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}: {progress.plain_decimal(self.value)}"

    def revision_errors(self, changed):
        """The rules every path that changes a stored target meets (the admin's forms, the
        targets import, the extraction page), given the names of the fields that change:
        {field name, or None for the whole target: message}. The reason is each path's own
        to ask (a form field, a column)."""
        if self.pk is None or not changed:
            return {}
        if self.withdrawn_at is not None:
            return {None: _("A withdrawn target stays as it was.")}
        errors = {}
        if "year" in changed:
            errors["year"] = _(
                "The year of a target never changes: withdraw it and add one for the other year."
            )
        if {"value", "qualifier"} & set(changed) and "source" not in changed:
            errors["source"] = _(
                "A new target value needs the document it comes from: choose its source "
                "(add it under Sources first)."
            )
        return errors

    def withdraw(self, reason, when):
        """Take the target back: it counts no more, and `reason` is published with it."""
        if self.withdrawn_at is not None:
            raise ValidationError(_("This target is withdrawn already."))
        if not reason.strip():
            raise ValidationError(_("Say why the target is withdrawn."))
        self.withdrawal_reason = reason.strip()
        self.withdrawn_at = when


class Stage(models.TextChoices):
    # The values and words of the rules' vocabulary.Stage.
    PRELIMINARY = vocabulary.Stage.PRELIMINARY.value, STAGE_WORDS[vocabulary.Stage.PRELIMINARY]
    VERIFIED = vocabulary.Stage.VERIFIED.value, STAGE_WORDS[vocabulary.Stage.VERIFIED]
    FINAL = vocabulary.Stage.FINAL.value, STAGE_WORDS[vocabulary.Stage.FINAL]


class InterimTargetQuerySet(models.QuerySet):
    def reached_in(self, year, until=None):
        """{indicator id: [(interim target, the year's published figure at its period end
        or None)]} of `year` (with `until`, from the figures of periods ended by then):
        two queries, the second only where interim targets exist."""
        steps = list(self.filter(period_end__year=year).order_by("period_end"))
        if not steps:
            return {}
        ids = {step.indicator_id for step in steps}
        published = (
            actual_model().objects.published().filter(indicator_id__in=ids, period_end__year=year)
        )
        if until is not None:
            published = published.filter(period_end__lte=until)
        readings, kinds = {}, {}
        rows = published.values_list(
            "indicator_id",
            "period_end",
            "published_value",
            "indicator__value_type",
            "indicator__reported_as",
        )
        for indicator_id, end, value, value_type, reported_as in rows:
            readings.setdefault(indicator_id, []).append(progress.Reading(end, value))
            kinds[indicator_id] = (value_type, reported_as)
        reached = {}
        for step in steps:
            value_type, reported_as = kinds.get(step.indicator_id, (None, None))
            figure = progress.year_so_far(
                readings.get(step.indicator_id, []), step.period_end, value_type, reported_as
            )
            reached.setdefault(step.indicator_id, []).append((step, figure))
        return reached


class InterimTarget(models.Model):
    """A target for a period within a year (一季度, 上半年, 前三季度 or a month), set beside
    the year's target by the work report or the department: the year's expected path runs
    through it, and it gets a verdict of its own once its period is over."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="interim_targets",
    )
    period_end = models.DateField(
        _("period end"),
        help_text=_(
            "The last day of the period within the year: 31 March (一季度), 30 June (上半年), "
            "30 September (前三季度) or another month's end."
        ),
    )
    value = models.DecimalField(
        _("target value"),
        max_digits=20,
        decimal_places=4,
        help_text=_("The year so far: for a flow, the amount from January to the period's end."),
    )
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.REACH
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+"
    )
    quote = models.TextField(_("quote"), help_text=_("The source's sentence, word for word."))

    objects = InterimTargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interim target")
        verbose_name_plural = _("interim targets")
        ordering = ["indicator_id", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                name="one_interim_target_per_indicator_period",
                violation_error_message=_("This indicator already has a target for that period."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.period_end:%Y-%m-%d}: {progress.plain_decimal(self.value)}"

    def clean(self):
        super().clean()
        if self.period_end is None or getattr(self, "indicator", None) is None:
            return
        ends = self.indicator.period_ends(self.period_end.year)[:-1]
        if self.period_end not in ends:
            raise ValidationError(
                {
                    "period_end": _(
                        "An interim target ends on the last day of one of the indicator's "
                        "periods before 31 December: the year's own target covers the whole "
                        "year."
                    )
                }
            )
        year_target = self.year_target()
        if year_target is None:
            raise ValidationError(
                {
                    "period_end": _(
                        "%(year)d has no target for this indicator: an interim target lies "
                        "within a year that has one. Add the year's target first."
                    )
                    % {"year": self.period_end.year}
                }
            )

    def year_target(self):
        return self.indicator.targets.filter(year=self.period_end.year).first()

    def revision_errors(self, changed):
        """Target.revision_errors' rule that fits an interim target (its period end is what
        it is, and it is not withdrawn): a new value or qualifier cites a new source."""
        if self.pk is None or not ({"value", "qualifier"} & set(changed)):
            return {}
        if "source" in changed:
            return {}
        return {
            "source": _(
                "A new target value needs the document it comes from: choose its source "
                "(add it under Sources first)."
            )
        }

    def beyond_year_target(self):
        """A warning where the interim target asks more than the year's target of an
        indicator that should increase, or None: a typing slip more often than a plan."""
        year_target = self.year_target()
        if (
            year_target is None
            or self.value is None
            or self.indicator.direction != Indicator.Direction.INCREASE
            or self.value <= year_target.value
        ):
            return None
        return _(
            "The interim target %(value)s is above the year's target of %(target)s for an "
            "indicator that should increase."
        ) % {
            "value": progress.plain_decimal(self.value),
            "target": progress.plain_decimal(year_target.value),
        }

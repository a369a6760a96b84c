import calendar
import datetime
import itertools
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
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
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kpis import periods, progress, vocabulary
from kpis.bilingual import in_language
from kpis.extraction import IndicatorRow
from kpis.plausibility import Yardstick, falling_total, unusual_change
from kpis.readings import (
    IndicatorNameAndPage,
    ProgressRow,
    attach_latest,
    interim_verdict,
    judge_year,
    progress_from_annotations,
    progress_from_annotations_of,
    reading_text,
)
from kpis.units import Unit, unit_scale, unit_scales, validate_unit  # noqa: F401 (re-exported)
from kpis.workflow import (  # noqa: F401 (re-exported: the workflow's names stay importable here)
    DepartmentScopedQuerySet,
    EditConflict,
    FourEyes,
    Reviewed,
    ReviewedQuerySet,
    WorkflowStatus,
)

_QUALIFIER_WORDS = vocabulary.QUALIFIER_WORDS
STAGE_WORDS = vocabulary.STAGE_WORDS

# The years a figure, target or baseline may have (database constraints say so too).
FIRST_YEAR, LAST_YEAR = 1990, 2100


class Qualifier(models.TextChoices):
    # The values and words of the rules' vocabulary.Qualifier, which they read.
    OVER = vocabulary.Qualifier.OVER.value, _QUALIFIER_WORDS[vocabulary.Qualifier.OVER].label
    REACH = vocabulary.Qualifier.REACH.value, _QUALIFIER_WORDS[vocabulary.Qualifier.REACH].label
    ABOUT = vocabulary.Qualifier.ABOUT.value, _QUALIFIER_WORDS[vocabulary.Qualifier.ABOUT].label
    AT_LEAST = (
        vocabulary.Qualifier.AT_LEAST.value,
        _QUALIFIER_WORDS[vocabulary.Qualifier.AT_LEAST].label,
    )
    AT_MOST = (
        vocabulary.Qualifier.AT_MOST.value,
        _QUALIFIER_WORDS[vocabulary.Qualifier.AT_MOST].label,
    )


class Source(models.Model):
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    published_on = models.DateField(_("date of publication"))
    author = models.CharField(_("author"), max_length=200, blank=True)
    url = models.URLField(_("web address"), blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("The document's text, kept when its figures were proposed from it."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "title"]

    def __str__(self):
        return f"{self.publisher} {self.published_on:%Y-%m-%d}: {self.title}"

    @property
    def citation(self):
        """ "Publisher, date, title", the date in the page's language."""
        return f"{self.publisher}, {date_format(self.published_on, 'DATE_FORMAT')}, {self.title}"


class RejectedCandidate(models.Model):
    """A figure proposed from a source's text that a manager rejected: not proposed again."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="rejections"
    )
    figure_start = models.PositiveIntegerField(_("position in the text"))
    value = models.CharField(_("value"), max_length=40)
    unit = models.CharField(_("unit"), max_length=20)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rejected candidate")
        verbose_name_plural = _("rejected candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "figure_start", "value", "unit"],
                name="one_rejection_per_candidate",
            )
        ]

    def __str__(self):
        return f"{self.source_id} @{self.figure_start}: {self.value}{self.unit}"


class Theme(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return in_language(self.name, self.name_en)


def validate_profile(profile):
    if profile in (None, ""):
        return
    valid = isinstance(profile, list) and len(profile) == 12
    valid = valid and all(isinstance(share, int | float) and 0 <= share <= 1 for share in profile)
    valid = valid and all(a <= b for a, b in itertools.pairwise(profile)) and profile[-1] == 1
    if not valid:
        raise ValidationError(_("Give twelve shares between 0 and 1 that never fall and end at 1."))


def webhook_error(url):
    """Why the server must not post reminders to `url`, or None: only the group robots of
    the chat services named in KPI_WEBHOOK_HOSTS, over HTTPS, never an internal address.

    The host checked is the one the HTTP client (urllib, in send_reminders) will connect
    to, as it parses the address itself: parsers disagree on odd addresses such as
    https://127.0.0.1:1\\@robot.host/, so anything they could read two ways is refused."""
    parts = urlsplit(url)
    try:
        connects_to = urllib.request.Request(url).host
        port = parts.port
    except ValueError:
        return _("This is not an address reminders can be posted to.")
    if "@" in parts.netloc or "\\" in url:
        return _("A robot address carries no user name or password.")
    expected = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if parts.hostname not in settings.WEBHOOK_HOSTS or connects_to.lower() != expected:
        return _("Only these robot hosts are allowed: %(hosts)s.") % {
            "hosts": ", ".join(settings.WEBHOOK_HOSTS)
        }
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        return _("The robot address must start with https://.")
    return None


def validate_webhook_url(url):
    error = webhook_error(url)
    if error:
        raise ValidationError(error)


class DepartmentQuerySet(models.QuerySet):
    def timeliness_list(self, today, also=None):
        """A list (not a queryset) of the departments that own public indicators, each with
        `timeliness`: how punctually their published figures came over the last twelve
        months (see `periods.timeliness`). Four queries whatever the number of departments.

        `also` adds what other apps have due, as (`periods.Owned` rows by department id,
        their published reports by (id, period end)): the key tasks' statements."""
        also_owned, also_figures = also or ({}, {})
        departments = list(
            self.filter(Q(indicators__is_public=True) | Q(pk__in=list(also_owned))).distinct()
        )
        indicators = Indicator.objects.public().filter(department__in=departments)
        first_years = dict(
            Target.objects.filter(indicator__in=indicators)
            .values("indicator")
            .annotate(first=models.Min("year"))
            .values_list("indicator", "first")
        )
        started = reporting_starts()
        owned = {}
        fields = ("pk", "department", "frequency", "baseline_year", "release_lag_days")
        fields += ("discontinued_after",)
        listed = list(indicators.only(*fields))
        for indicator in listed:
            target_years = [first_years[indicator.pk]] if indicator.pk in first_years else []
            first_year = indicator.first_reporting_year(target_years, started or today)
            owned.setdefault(indicator.department_id, []).append(
                periods.Owned(
                    indicator.pk,
                    indicator.frequency,
                    first_year,
                    indicator.release_lag_days,
                    last_period_end=indicator.discontinued_after,
                )
            )
        # The earliest period whose deadline falls in the window.
        longest_lag = max((i.release_lag_days for i in listed), default=periods.GRACE_DAYS)
        since = today - datetime.timedelta(days=periods.WINDOW_DAYS + longest_lag)
        figures = {}
        published = Actual.objects.published().filter(
            indicator__in=indicators, period_end__gte=since
        )
        for indicator_id, end, submitted, first_published, revised in published.values_list(
            "indicator", "period_end", "first_submitted_at", "published_at", "revised_at"
        ):
            moment = timezone.localtime(submitted or first_published).date()
            figures[(indicator_id, end)] = (moment, revised is not None)
        figures.update(also_figures)
        for department in departments:
            reporting = owned.get(department.pk, []) + also_owned.get(department.pk, [])
            department.timeliness = periods.timeliness(
                reporting,
                figures,
                today,
                reporting_starts=department.reporting_since or started,
            )
        return departments


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials"),
        related_name="departments",
        blank=True,
        help_text=_("Officials who enter figures for this department's indicators."),
    )
    webhook_url = models.URLField(
        _("reminder webhook"),
        blank=True,
        validators=[validate_webhook_url],
        help_text=_(
            "Optional: a WeCom or DingTalk group robot address; reminders for this "
            "department are posted there as well as emailed."
        ),
    )
    reporting_since = models.DateField(
        _("reporting here since"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the day this department started reporting in the tracker. Periods "
            "that ended before it are to back-fill, never late. Empty: the day the tracker "
            "started (KPI_REPORTING_STARTS)."
        ),
    )

    objects = DepartmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # Moving the day later once it has passed would take the lateness of periods
        # already due off the public scorecard: refused. An earlier day only adds periods.
        if self.pk is None:
            return
        stored = Department.objects.filter(pk=self.pk).values_list("reporting_since", flat=True)
        stored = stored.first()
        started = reporting_starts()
        before, after = stored or started, self.reporting_since or started
        if before and after and before <= timezone.localdate() and after > before:
            raise ValidationError(
                {
                    "reporting_since": _(
                        "Reporting here started on %(date)s: that day cannot move later, "
                        "which would take periods already due off the public scorecard. "
                        "An earlier day is allowed."
                    )
                    % {"date": before.isoformat()}
                }
            )

    @property
    def display_name(self):
        return in_language(self.name, self.name_en)


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
        published = Actual.objects.published().filter(indicator=OuterRef("pk"))
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
        entered = Actual.objects.only("indicator_id", "period_end")
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
            Actual.objects.published()
            .filter(indicator__in=self)
            .annotate(year=ExtractYear("period_end"), has_target=Value(False))
            .order_by()
            .values_list("year", "has_target")
        )
        rows = list(targets.union(figures))
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
        Department,
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
            Actual.history.filter(indicator_id=self.pk, published_value__isnull=False)
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
        published = Actual.objects.published().filter(indicator_id__in=ids, period_end__year=year)
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


class ActualQuerySet(ReviewedQuerySet):
    def published(self):
        """Figures the public may see: those with a published value (a revision under review
        leaves the published value in place until it is published itself)."""
        return self.filter(published_value__isnull=False)

    def published_explanations(self, year):
        """The published explanations of `year`'s figures, by (indicator id, period end):
        one query, explanations being few."""
        rows = (
            self.published()
            .filter(period_end__year=year, published_explanation__isnull=False)
            .values_list("indicator_id", "period_end", "published_explanation")
        )
        return {(indicator_id, end): explanation for indicator_id, end, explanation in rows}

    def published_marks(self):
        """{(indicator id, period end): (stage, flags, series break note)} of the published
        figures that have a release stage or a flag (one query; the others have neither)."""
        rows = (
            self.published()
            .exclude(published_stage="", published_flags=[])
            .values_list(
                "indicator_id",
                "period_end",
                "published_stage",
                "published_flags",
                "published_series_break_note",
            )
        )
        return {(indicator_id, end): marks for indicator_id, end, *marks in rows}

    def stage_revisions(self, year):
        """{indicator id: progress.StageRevision}: the latest later release stage published
        for a figure of `year` of each indicator, from the change history (one query)."""
        records = (
            Actual.history.filter(
                period_end__year=year,
                published_value__isnull=False,
            )
            .exclude(published_stage="")
            .order_by("history_date", "history_id")
            .values_list(
                "id",
                "indicator_id",
                "period_end",
                "published_value",
                "history_date",
                "published_stage",
            )
        )
        stages, revisions = {}, {}
        for pk, indicator_id, end, value, when, stage in records:
            seen = stages.setdefault(pk, [])
            if not seen or seen[-1].stage != stage:
                seen.append(PublishedStage(stage, value, when))
                revision = stage_revision(end, seen)
                if revision is not None:
                    revisions[indicator_id] = revision
        return revisions

    def published_since(self, moment):
        """Figures first published or revised since `moment`, latest period first."""
        recent = Q(published_at__gte=moment) | Q(revised_at__gte=moment)
        return self.published().filter(recent).order_by("-period_end")

    def last_publication(self):
        """When a figure was last published or revised, read from the newest end of the
        publication-time indexes."""
        moments = [
            self.filter(**{f"{field}__isnull": False})
            .order_by(f"-{field}")
            .values_list(field, flat=True)
            .first()
            for field in ("published_at", "revised_at")
        ]
        return max(filter(None, moments), default=None)


class Actual(Reviewed):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="actuals"
    )
    period_end = models.DateField(
        _("period end"),
        help_text=_(
            "Last day of the reporting period: a month's last day for monthly indicators, "
            "31 March, 30 June, 30 September or 31 December for quarterly ones, "
            "31 December for annual ones."
        ),
    )
    value = models.DecimalField(
        _("value"),
        max_digits=20,
        decimal_places=4,
        help_text=_(
            "In the indicator's unit. Stocks: the level at the period's end. Flows: this "
            "period's own amount, or the total of the year so far (累计) where the indicator "
            "is reported so."
        ),
    )
    note = models.TextField(
        _("internal note"), blank=True, help_text=_("For reviewers; never shown to the public.")
    )
    evidence_url = models.URLField(_("evidence link"), blank=True)
    explanation_progress = models.TextField(
        _("progress (进展情况)"),
        blank=True,
        help_text=_("Public explanation, in Chinese: what has been done in the period."),
    )
    explanation_problems = models.TextField(
        _("problems (存在问题)"),
        blank=True,
        help_text=_("Public explanation, in Chinese: why the figure falls short."),
    )
    explanation_next_steps = models.TextField(
        _("next steps (下一步措施)"),
        blank=True,
        help_text=_("Public explanation, in Chinese: what will be done to catch up."),
    )
    explanation_progress_en = models.TextField(_("progress (English)"), blank=True)
    explanation_problems_en = models.TextField(_("problems (English)"), blank=True)
    explanation_next_steps_en = models.TextField(_("next steps (English)"), blank=True)
    explanation_requested = models.BooleanField(
        _("explanation asked for"),
        default=False,
        editable=False,
        help_text=_("A reviewer returned the figure asking for a public explanation."),
    )
    published_explanation = models.JSONField(
        _("published explanation"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the public reads. Changes only when a reviewer publishes."),
    )
    published_value = models.DecimalField(
        _("published value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the public sees. Changes only when a reviewer publishes."),
    )
    revised_at = models.DateTimeField(_("last revised at"), null=True, editable=False)
    confirmed_warning = models.TextField(
        _("unusual figure confirmed"),
        blank=True,
        editable=False,
        help_text=_("The check's warning the official confirmed when saving this value."),
    )
    stage = models.CharField(
        _("release stage"),
        max_length=12,
        choices=Stage.choices,
        blank=True,
        help_text=_(
            "Only for indicators published in stages: 初步核算, then 初步核实, then 最终核实. "
            "A later stage is a correction, reviewed like any other."
        ),
    )
    flags = models.JSONField(
        _("flags"),
        default=list,
        blank=True,
        help_text=_("What the figure says of itself: estimated (预计), provisional, series break."),
    )
    series_break_note = models.TextField(
        _("series break note (口径调整说明)"),
        blank=True,
        help_text=_("Required with the series break flag: what changed in the definition."),
    )
    published_stage = models.CharField(
        _("published release stage"), max_length=12, blank=True, editable=False
    )
    published_flags = models.JSONField(_("published flags"), default=list, editable=False)
    published_series_break_note = models.TextField(
        _("published series break note"), blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ActualQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("actual figure")
        verbose_name_plural = _("actual figures")
        # By the indicator's id, not its own ordering: that would join indicator and theme
        # on every query of figures. Lists that show figures by theme order them so.
        ordering = ["indicator_id", "-period_end"]
        indexes = [
            models.Index(fields=["published_at"], name="actual_published_at"),
            models.Index(fields=["revised_at"], name="actual_revised_at"),
            # The public figures of an indicator by date, values included: every reading
            # the progress table takes (`with_year_figures`) is one search of this index,
            # without a visit to the table.
            models.Index(
                fields=["indicator", "period_end", "published_value"],
                condition=Q(published_value__isnull=False),
                name="actual_published_reading",
            ),
        ]
        permissions = [
            ("submit_actual", _("Can submit figures for review")),
            ("review_actual", _("Can publish or return submitted figures")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                name="one_actual_per_indicator_period",
                violation_error_message=_("A figure for this period already exists."),
            ),
            models.CheckConstraint(
                name="actual_status_known",
                condition=Q(status__in=["draft", "submitted", "returned", "published"]),
            ),
            models.CheckConstraint(
                name="actual_published_was_reviewed",
                condition=~Q(status="published") | Q(reviewed_at__isnull=False),
                violation_error_message=_("A published figure needs a review date."),
            ),
            models.CheckConstraint(
                name="actual_published_status_shows_published_value",
                condition=~Q(status="published") | Q(published_value=F("value")),
            ),
            models.CheckConstraint(
                name="actual_published_value_dated",
                condition=Q(published_value__isnull=True) | Q(published_at__isnull=False),
            ),
            models.CheckConstraint(
                name="actual_period_end_sane",
                condition=Q(period_end__year__gte=FIRST_YEAR, period_end__year__lte=LAST_YEAR),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.period_end:%Y-%m-%d}"

    def display_name(self):
        """The indicator's name in the page's language and the period: for messages."""
        return f"{self.indicator.display_name} {self.period_end:%Y-%m-%d}"

    def clean(self):
        super().clean()
        indicator = getattr(self, "indicator", None)
        if indicator is None or self.period_end is None:
            return
        errors = {}
        if self.period_end not in indicator.period_ends(self.period_end.year):
            message = _("Not the last day of a %(frequency)s reporting period.")
            errors["period_end"] = message % {"frequency": indicator.get_frequency_display()}
        elif self.period_end > timezone.localdate():
            errors["period_end"] = _("This period has not ended yet.")
        if self.value is not None:
            value_error = indicator.value_error(self.value)
            if value_error:
                errors["value"] = value_error
        errors.update(self.stage_and_flag_errors(indicator))
        if errors:
            raise ValidationError(errors)

    def stage_and_flag_errors(self, indicator):
        """What is wrong with the figure's stage and flags, by field: a stage where the
        indicator has none (or none where it has), a stage earlier than the one published,
        an unknown flag, a series break without its note."""
        errors = {}
        if self.stage and not indicator.has_release_stages:
            errors["stage"] = _("This indicator is not published in stages: leave it empty.")
        elif indicator.has_release_stages and not self.stage:
            errors["stage"] = _("This indicator is published in stages: say which one this is.")
        elif self.stage_refusal():
            errors["stage"] = self.stage_refusal()
        flags = self.flags or []
        known = {flag.value for flag in vocabulary.Flag}
        if not isinstance(flags, list) or any(flag not in known for flag in flags):
            errors["flags"] = _("Flags are estimated, provisional or series_break.")
        elif vocabulary.Flag.SERIES_BREAK in flags and not self.series_break_note.strip():
            errors["series_break_note"] = _(
                "A series break (口径调整) needs its note: say what changed in the definition."
            )
        return errors

    def stage_refusal(self):
        """Why the stage cannot replace the published one (an earlier stage), or None."""
        if vocabulary.stage_order(self.stage) < vocabulary.stage_order(self.published_stage):
            return _(
                "The stage “%(published)s” is published already: a figure never goes back "
                "to an earlier stage."
            ) % {"published": Stage(self.published_stage).label}
        return None

    def unconfirmed_warning(self, indicator, period_end, value, confirmed, note):
        """What is unusual about `value` (a unit slip, a jump), unless the official confirmed
        it and explained it in the note; None when nothing needs confirming. The entry form
        and the import say how to confirm in their own words."""
        unit, units = unit_scale(indicator.unit), unit_scales().values()
        warning = unusual_change(self.yardstick(indicator, period_end), value, unit, units)
        # A total of the year so far cannot fall; a growth rate of the year so far can.
        if (
            warning is None
            and indicator.reported_as == Indicator.ReportedAs.YEAR_TO_DATE
            and indicator.value_type == Indicator.ValueType.FLOW
        ):
            warning = falling_total(indicator.earlier_total(period_end), value)
        if warning and not (confirmed and (note or "").strip()):
            return warning
        # Kept for the reviewer, who judges the figure with the warning the official saw.
        self.confirmed_warning = warning or ""
        return None

    def yardstick(self, indicator, period_end):
        """What a new value of this figure is checked against: its own published value when
        it corrects one, else what its indicator offers (see `Indicator.yardstick`)."""
        if self.published_value is not None:
            return Yardstick(self.published_value)
        return indicator.yardstick(period_end)

    def target(self):
        """The indicator's target for the year of this figure's period, or None."""
        return self.indicator.targets.filter(year=self.period_end.year).first()

    def comparisons(self):
        """What a reviewer compares this value with: the last four published figures before
        its period and the same period a year earlier, newest first, each with the change."""
        published = self.indicator.actuals.published().exclude(pk=self.pk)
        earlier = list(published.filter(period_end__lt=self.period_end).order_by("-period_end")[:4])
        year_before = month_end_a_year_earlier(self.period_end)
        if year_before not in {actual.period_end for actual in earlier}:
            earlier += list(published.filter(period_end=year_before))
        return [
            Comparison(
                actual.period_end,
                actual.published_value,
                self.value - actual.published_value,
                actual.period_end == year_before,
            )
            for actual in earlier
        ]

    def past_returns(self):
        """Every time a reviewer returned this figure, newest first, with the reason: kept
        in view after the official resubmits it."""
        return (
            self.history.filter(status=self.Status.RETURNED)
            .exclude(return_reason="")
            .select_related("reviewed_by")
            .order_by("-history_date")
        )

    def explanation(self):
        """The public explanation as entered, in the open data's shape, or None when its
        Chinese parts are empty; `en` is None when no English part is written."""
        parts = [name for name, _label in EXPLANATION_PARTS]
        chinese = {part: getattr(self, f"explanation_{part}").strip() for part in parts}
        english = {part: getattr(self, f"explanation_{part}_en").strip() for part in parts}
        if not any(chinese.values()):
            return None
        return {**chinese, "en": english if any(english.values()) else None}

    def judged_status(self):
        """The indicator's status as of this figure's period end, were this value published:
        the figures published for the earlier periods of the year, and this one."""
        indicator = self.indicator
        year = self.period_end.year
        target = self.target()
        indicator.interim_path = [
            progress.Reading(end, value)
            for end, value in indicator.interim_targets.filter(period_end__year=year).values_list(
                "period_end", "value"
            )
        ]
        readings = [
            progress.Reading(end, value)
            for end, value in indicator.actuals.published()
            .filter(period_end__year__in=[year - 1, year], period_end__lt=self.period_end)
            .exclude(pk=self.pk)
            .values_list("period_end", "published_value")
        ] + [progress.Reading(self.period_end, self.value)]
        figures = progress.YearFigures.from_readings(readings, year)
        return judge_year(
            indicator,
            year,
            target and target.value,
            target and target.qualifier,
            figures,
            self.period_end,
        ).status

    def explanation_required(self):
        """A public explanation is due when the figure leaves its indicator at risk, behind
        or missed, judged as of its own period's end, or when a reviewer asked for one."""
        if self.explanation_requested:
            return True
        if self.value is None or self.period_end is None:
            return False
        return self.judged_status() in EXPLANATION_STATUSES

    def explanation_missing(self):
        """Why the figure cannot be submitted without its explanation, or None."""
        explanation = self.explanation()
        complete = explanation is not None and all(
            explanation[part] for part, _label in EXPLANATION_PARTS
        )
        if complete or not self.explanation_required():
            return None
        return _(
            "Write the public explanation (progress, problems and next steps, in Chinese) "
            "before submitting: this figure leaves the indicator at risk or behind its "
            "target, or the reviewer asked for one."
        )

    @property
    def is_revision(self):
        """A published figure whose value is being corrected: the public still sees the old
        value until a reviewer publishes the new one."""
        return self.published_value is not None and self.status != self.Status.PUBLISHED

    # The workflow (kpis.workflow.Reviewed) with the figure's hooks.

    department_path = "indicator__department"
    PUBLIC_FIELDS = ("value", "stage", "flags", "series_break_note")

    def authored_change(self):
        """Whoever sets the value, its release stage or its flags is its author; an edit of
        the note alone is not."""
        if self.pk is None:
            return True
        recorded = (
            Actual.objects.filter(pk=self.pk)
            .values_list("value", "stage", "flags", "series_break_note")
            .first()
        )
        return recorded != (self.value, self.stage, self.flags, self.series_break_note)

    def recorded_value(self):
        """The value as stored, before this edit."""
        if self.pk is None:
            return None
        return Actual.objects.filter(pk=self.pk).values_list("value", flat=True).first()

    def public_copy(self):
        # An explanation is reviewed like the value: edited, it waits for the reviewer too.
        return {**super().public_copy(), "published_explanation": self.explanation()}

    def submit_refusal(self):
        return self.explanation_missing()

    def publish_refusal(self):
        return self.stage_refusal()

    def publish(self, reviewer):
        revised = self.published_value is not None and self.published_value != self.value
        super().publish(reviewer)
        if revised:
            self.revised_at = self.reviewed_at

    def return_for_correction(self, reviewer, reason, ask_for_explanation=False):
        super().return_for_correction(reviewer, reason)
        self.explanation_requested = self.explanation_requested or ask_for_explanation


# The parts of a public explanation (情况说明), as open data names them.
EXPLANATION_PARTS = [
    ("progress", pgettext_lazy("part of an explanation", "Progress")),
    ("problems", pgettext_lazy("part of an explanation", "Problems")),
    ("next_steps", pgettext_lazy("part of an explanation", "Next steps")),
]
# The fields that hold them, Chinese then English; the flat open data files use the same names.
EXPLANATION_FIELDS = [
    f"explanation_{part}{language}"
    for language in ("", "_en")
    for part, _label in EXPLANATION_PARTS
]
# Statuses a figure must be explained in (the old name of progress.NEEDS_EXPLANATION).
EXPLANATION_STATUSES = set(progress.NEEDS_EXPLANATION)


class ReturnReason(models.Model):
    """A reason reviewers often give when they return an entry, offered on the batch review
    of /my/: the office keeps its list (indicator managers, in the admin)."""

    text = models.CharField(_("reason (Chinese)"), max_length=200, unique=True)
    text_en = models.CharField(_("reason (English)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("common reason for return")
        verbose_name_plural = _("common reasons for return")

    def __str__(self):
        return self.text

    @property
    def display_text(self):
        return in_language(self.text, self.text_en)


def month_end_a_year_earlier(period_end):
    """The same reporting period a year before: every period ends on a month's last day."""
    last_day = calendar.monthrange(period_end.year - 1, period_end.month)[1]
    return period_end.replace(year=period_end.year - 1, day=last_day)


@dataclass
class Comparison:
    """An earlier published figure and a new value's change against it."""

    period_end: datetime.date
    value: Decimal
    change: Decimal
    year_earlier: bool

    @property
    def share(self):
        """The change as a share of the earlier value; None against zero."""
        return self.change / abs(self.value) if self.value else None


class Preference(models.Model):
    """What a person of the tracker prefers; for now the language of their reminders."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="preference",
    )
    language = models.CharField(
        _("language of reminders"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return str(self.user)


class Reminder(models.Model):
    """A reminder sent, so that nobody is reminded twice of the same period at one stage."""

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", _("due within 7 days")
        OVERDUE = "overdue", _("overdue")
        REVIEW = "review", _("waiting for review")
        BULLETIN = "bulletin", _("bulletin posted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Emailed to this person, or"),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("posted to this department's webhook."),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    subject = models.CharField(
        _("what"),
        max_length=100,
        help_text=_("The indicator and period, or the figure waiting for review."),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "stage", "subject"],
                condition=Q(user__isnull=False),
                name="one_reminder_per_user_stage_subject",
            ),
            models.UniqueConstraint(
                fields=["department", "stage", "subject"],
                condition=Q(department__isnull=False),
                name="one_reminder_per_department_stage_subject",
            ),
            models.CheckConstraint(
                name="reminder_goes_to_a_person_or_a_department",
                condition=Q(user__isnull=False) ^ Q(department__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.user or self.department} {self.stage} {self.subject}"


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


class Installation(models.Model):
    """The day this database was first migrated (one row, written by migration 0016): the
    day reporting started here unless KPI_REPORTING_STARTS says otherwise."""

    first_migrated_on = models.DateField(_("first migrated on"))

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installation")

    def __str__(self):
        return str(self.first_migrated_on)


def reporting_starts(department=None):
    """The first day from which a period's figure can be late here: the department's
    "reporting since" date where set, else KPI_REPORTING_STARTS, else the day this database
    was first migrated. Periods that ended before it are to back-fill."""
    if department is not None and department.reporting_since:
        return department.reporting_since
    if settings.REPORTING_STARTS:
        return settings.REPORTING_STARTS
    return Installation.objects.values_list("first_migrated_on", flat=True).first()


class DataVersion(models.Model):
    """One row whose counter the database itself raises, by triggers, on every change to a
    table the public pages show (migration 0011), however the change is made: forms,
    admin, imports, fixtures, bulk updates. The public cache keys pages with it.

    Unmanaged, so that emptying the database (flush) does not reset the counter and bring
    back the versions of pages cached before.
    """

    counter = models.BigIntegerField(default=0)

    class Meta:
        managed = False
        db_table = "kpis_dataversion"

    def __str__(self):
        return str(self.counter)


class SnapshotQuerySet(models.QuerySet):
    def take(self, today, year, document):
        """Freeze `document`, the public table of `year` as open data on `today`: one
        snapshot a day, never changed afterwards (a second call on the same day returns the
        first)."""
        existing = self.filter(taken_on=today).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                return self.create(taken_on=today, year=year, document=document), True
        except IntegrityError:
            # Another reviewer's click got there first: theirs is today's snapshot.
            return self.get(taken_on=today), False


class Snapshot(models.Model):
    """The public progress table as it stood on a day, for citing: stored as the open data
    document of that moment, so later figures, revisions and target changes leave it as it
    was."""

    taken_on = models.DateField(_("date"), unique=True)
    year = models.PositiveSmallIntegerField(_("target year"))
    document = models.JSONField(_("the table as open data"), editable=False)
    created_at = models.DateTimeField(_("taken at"), default=timezone.now, editable=False)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-taken_on"]

    def __str__(self):
        return f"{self.taken_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("snapshot_detail", args=[self.taken_on])

    def previous(self):
        return Snapshot.objects.filter(taken_on__lt=self.taken_on).first()

    def changes_since(self, earlier):
        """What moved between `earlier` and this snapshot: per indicator, the latest figure
        and the status before and after, where either differs."""
        before = {row["code"]: row for row in earlier.document["indicators"]} if earlier else {}
        changes = []
        for row in self.document["indicators"]:
            old = before.get(row["code"], {})
            moved = figure_of(old.get("actual")) != figure_of(row["actual"])
            if moved or old.get("status") != row["status"]:
                changes.append({"row": row, "old": old})
        return changes


def figure_of(actual):
    """What a snapshot diff compares of a judged figure: its period and value, not its
    explanation."""
    return actual and (actual["period_end"], actual["value"])


class BulletinQuerySet(models.QuerySet):
    def in_language(self, language):
        return self.filter(language=language)

    def approved(self):
        """The bulletins a leader approved: the only ones listed, served to everyone and
        posted to the robots."""
        return self.filter(status=Bulletin.Status.APPROVED)

    def drafts(self):
        return self.filter(status=Bulletin.Status.DRAFT)

    def with_current(self):
        """Each bulletin with `is_current`: no later approved version exists for its date
        and language (a later draft replaces nothing until it is approved)."""
        later = Bulletin.objects.approved().filter(
            as_of=OuterRef("as_of"), language=OuterRef("language"), version__gt=OuterRef("version")
        )
        return self.annotate(is_current=~models.Exists(later))

    def current_approved(self, as_of, language):
        """The latest approved version of the bulletin of `as_of` in `language`, or None:
        what /bulletins/<as_of>.docx serves."""
        return self.approved().current(as_of, language)

    def current(self, as_of, language):
        """The latest version of the bulletin of `as_of` in `language`, or None."""
        return self.filter(as_of=as_of, language=language).order_by("-version").first()

    def previous(self, as_of, language):
        """The current (approved) version of the latest earlier approved bulletin in
        `language`, or None: what a new bulletin of `as_of` reports its changes against, the
        one its readers received."""
        earlier = self.approved().filter(as_of__lt=as_of, language=language)
        return earlier.order_by("-as_of", "-version").first()

    def numbering(self, as_of, language):
        """The issue number (第X期, counted per year of `as_of`) and version a new bulletin of
        `as_of` gets: a new version of a date keeps its issue number."""
        same = self.current(as_of, language)
        if same is not None:
            return same.issue, same.version + 1
        year = self.filter(as_of__year=as_of.year, language=language)
        highest = year.aggregate(highest=models.Max("issue"))["highest"] or 0
        return highest + 1, 1


class Bulletin(models.Model):
    """The leaders' bulletin (通报) as of a day, in one language: the rows it was made from
    and the DOCX and PDF files built from them, kept exactly as issued. A later bulletin of
    the same day and language is a new version; none is ever changed, but for its approval:
    it is stored as a draft and a leader (roles.LEADER) approves it (`approve`) before it is
    listed, served to everyone and posted to the robots."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    as_of = models.DateField(
        _("as of"), help_text=_("The periods that ended by this day, judged as on this day.")
    )
    year = models.PositiveSmallIntegerField(_("target year"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    issue = models.PositiveSmallIntegerField(_("issue number"), help_text=_("第X期 of its year."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    data = models.JSONField(_("the rows it was made from"), editable=False)
    docx = models.BinaryField(_("Word document"), editable=False)
    pdf = models.BinaryField(_("PDF document"), editable=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-as_of", "language", "-version"]
        permissions = [("approve_bulletin", _("Can approve bulletins"))]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "language", "version"],
                name="one_bulletin_per_day_language_version",
            ),
        ]

    def __str__(self):
        return f"{self.as_of:%Y-%m-%d} {self.language} v{self.version}"

    def file_name(self, file_format):
        return f"bulletin-{self.as_of:%Y-%m-%d}-{self.language}-v{self.version}.{file_format}"

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    def approval_refused(self, user):
        """Why `user` may not approve this bulletin, or None: only a leader approves, never
        one they made themselves (four eyes), and only once."""
        from kpis import roles

        if not roles.is_leader(user):
            return _("Only a leader (领导) approves a bulletin.")
        if self.made_by_id is not None and self.made_by_id == user.pk:
            return _("A bulletin is approved by someone other than whoever made it.")
        if self.is_approved:
            return _("This bulletin is approved already.")
        return None

    def approve(self, user):
        """Approve the draft as `user`, a leader who did not make it: from then on it is
        listed on /bulletins/, its files are public and send_bulletin posts it. Recorded in
        the fields `approved_by`, `approved_at` and in the admin's log (the history of a
        bulletin; its files never change)."""
        from django.contrib.admin.models import CHANGE, LogEntry

        refused = self.approval_refused(user)
        if refused:
            raise ValidationError(refused, code="approval_refused")
        self.status = self.Status.APPROVED
        self.approved_by = user
        self.approved_at = timezone.now()
        with transaction.atomic():
            self.save(update_fields=["status", "approved_by", "approved_at"])
            LogEntry.objects.log_actions(
                user.pk, [self], CHANGE, change_message="Approved.", single_object=True
            )

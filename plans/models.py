"""Five-year plans (五年规划): a plan's targets on existing indicators, each with the path
it sets for every plan year (plans.rules), judged against the indicators' published figures.

Builds on kpis; kpis never imports this app.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis import progress
from kpis.bilingual import in_language
from kpis.models import FIRST_YEAR, LAST_YEAR, Actual, Indicator, Qualifier, Source, Target
from plans import rules

# What each of plans.rules.problems means, for the admin, the import and the model's clean().
PROBLEMS = {
    "end_before_start": _("The plan's last year comes before its first."),
    "base_not_before_end": _("The base year must come before the plan's last year."),
    "rate_missing": _("A compound or annual-change path needs its yearly rate."),
    "target_missing": _("A linear or cumulative path needs its target value."),
    "compound_from_zero": _(
        "A compound path cannot grow from a base of zero or less: give a positive base value."
    ),
    "compound_to_zero": _("A compound path cannot reach a target of zero or less."),
    "cumulative_needs_flow": _(
        "A cumulative target adds up yearly amounts: its indicator must be a flow, not a "
        "stock or a rate."
    ),
}


# What a revision of a plan target changes (a mid-term adjustment), as the public sees it.
REVISED_TERMS = ("base_year", "base_value", "target_value", "qualifier", "rate")


@dataclass(frozen=True)
class TargetRevision:
    before: dict
    after: dict
    when: object
    reason: str
    source: object


class PlanQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def with_targets(self):
        """Each plan with `plan_targets`: its targets, their indicators, the indicators'
        published figures and annual targets; four queries in all."""
        figures = Actual.objects.published().only("indicator_id", "period_end", "published_value")
        annual = Target.objects.filter(withdrawn_at__isnull=True).only(
            "indicator_id", "year", "value"
        )
        targets = (
            PlanTarget.objects.select_related("indicator__theme", "source")
            .order_by("position", "id")
            .prefetch_related(
                Prefetch("indicator__actuals", queryset=figures, to_attr="published_figures"),
                Prefetch("indicator__targets", queryset=annual, to_attr="annual_targets"),
            )
        )
        return self.select_related("source").prefetch_related(
            Prefetch("targets", queryset=targets, to_attr="plan_targets")
        )

    def with_verdicts(self, today):
        """The plans as a list, each target judged on `today` (`PlanTarget.attach_verdicts`)
        and each plan with its `counts`."""
        plans = list(self.with_targets())
        for plan in plans:
            for target in plan.plan_targets:
                target.plan = plan
                target.attach_verdicts(today)
            plan.attach_counts()
        return plans


class Plan(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Stable identifier used in web addresses and open data, e.g. 15th-fyp."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=_("The plan document (规划纲要) the targets come from."),
    )
    is_public = models.BooleanField(_("public"), default=True)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("five-year plan")
        verbose_name_plural = _("five-year plans")
        ordering = ["-start_year", "code"]
        constraints = [
            models.CheckConstraint(
                name="plan_years_in_order",
                condition=Q(start_year__lte=models.F("end_year")),
                violation_error_message=PROBLEMS["end_before_start"],
            ),
            models.CheckConstraint(
                name="plan_years_sane",
                condition=Q(start_year__gte=FIRST_YEAR, end_year__lte=LAST_YEAR),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plan_detail", args=[self.code])

    @property
    def display_name(self):
        return in_language(self.name, self.name_en)

    @property
    def years(self):
        return range(self.start_year, self.end_year + 1)

    def has_been_public(self):
        return self.is_public or self.history.filter(is_public=True).exists()

    def target_revisions(self):
        """{target id: [TargetRevision, oldest first]}: every change of a target's end value,
        qualifier, rate or base after it was first saved, with its reason and source, from
        the change history (one query)."""
        records = (
            PlanTarget.history.filter(plan_id=self.pk)
            .select_related("source")
            .order_by("id", "history_date", "history_id")
        )
        revisions, before = {}, {}
        for record in records:
            terms = tuple(getattr(record, name) for name in REVISED_TERMS)
            earlier = before.get(record.id)
            if earlier is not None and terms != earlier and record.history_type == "~":
                revisions.setdefault(record.id, []).append(
                    TargetRevision(
                        dict(zip(REVISED_TERMS, earlier, strict=True)),
                        dict(zip(REVISED_TERMS, terms, strict=True)),
                        record.history_date,
                        record.history_change_reason or "",
                        record.source,
                    )
                )
            before[record.id] = terms
        return revisions

    def attach_counts(self):
        """`counts` (status -> number) of the judged targets, `binding_counts` of the binding
        ones apart, `status_rows` (status, count, binding count) of the statuses present."""
        targets = self.plan_targets
        self.counts = rules.count_by_status(target.status for target in targets)
        self.binding_counts = rules.count_by_status(
            target.status for target in targets if target.binding == PlanTarget.Binding.BINDING
        )
        self.status_rows = [
            (status, count, self.binding_counts[status])
            for status, count in self.counts.items()
            if count
        ]
        self.keeping_pace = sum(self.counts[status] for status in rules.KEEPING_PACE)
        self.lagging = sum(self.counts[status] for status in rules.LAGGING)
        self.binding_lagging = sum(self.binding_counts[status] for status in rules.LAGGING)


class PlanTarget(models.Model):
    class Binding(models.TextChoices):
        BINDING = rules.Binding.BINDING.value, _("binding (约束性)")
        EXPECTED = rules.Binding.EXPECTED.value, _("expected (预期性)")

    class Path(models.TextChoices):
        LINEAR = rules.Path.LINEAR.value, _("linear: a level moving evenly (达到…)")
        COMPOUND = rules.Path.COMPOUND.value, _("compound: growth at a yearly rate (年均增长…)")
        CUMULATIVE = rules.Path.CUMULATIVE.value, _("cumulative: a total over the plan (累计…)")
        ANNUAL_CHANGE = (
            rules.Path.ANNUAL_CHANGE.value,
            _("annual change: a yearly step of a rate (年均提高…个百分点)"),
        )

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    binding = models.CharField(_("class"), max_length=10, choices=Binding.choices)
    path = models.CharField(_("path"), max_length=16, choices=Path.choices)
    base_year = models.PositiveSmallIntegerField(
        _("base year"), help_text=_("基期: usually the year before the plan.")
    )
    base_value = models.DecimalField(
        _("base value"),
        max_digits=20,
        decimal_places=4,
        help_text=_("In the indicator's unit; money in 亿元 (100 million yuan)."),
    )
    target_value = models.DecimalField(
        _("target value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "At the plan's end (a cumulative path: the total of the plan's years). May stay "
            "empty for a compound or annual-change path: the base and the rate give it."
        ),
    )
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.REACH
    )
    rate = models.DecimalField(
        _("yearly rate"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Compound: growth in per cent a year (6 for 年均增长6%); annual change: the yearly "
            "step in the indicator's unit (0.2 for 年均提高0.2个百分点)."
        ),
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source of a revision"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty while the target is as the plan document has it."),
    )
    quote = models.TextField(_("quote"), help_text=_("The source's sentence, word for word."))
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["position"])

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                name="one_plan_target_per_indicator",
                violation_error_message=_("This plan already has a target on that indicator."),
            ),
            models.CheckConstraint(
                name="plan_target_rate_paths_have_a_rate",
                condition=Q(path__in=["linear", "cumulative"]) | Q(rate__isnull=False),
                violation_error_message=PROBLEMS["rate_missing"],
            ),
            models.CheckConstraint(
                name="plan_target_level_paths_have_a_target",
                condition=Q(path__in=["compound", "annual_change"]) | Q(target_value__isnull=False),
                violation_error_message=PROBLEMS["target_missing"],
            ),
            models.CheckConstraint(
                name="plan_target_base_year_sane",
                condition=Q(base_year__gte=FIRST_YEAR, base_year__lte=LAST_YEAR),
            ),
            models.CheckConstraint(
                name="plan_target_binding_known", condition=Q(binding__in=["binding", "expected"])
            ),
        ]

    def __str__(self):
        return f"{self.plan.code}: {self.indicator}"

    def terms(self):
        """The target in plain values for plans.rules (needs its plan and indicator)."""
        indicator = self.indicator
        return rules.Terms(
            path=self.path,
            start_year=self.plan.start_year,
            end_year=self.plan.end_year,
            base_year=self.base_year,
            base_value=self.base_value,
            target_value=self.target_value,
            rate=self.rate,
            qualifier=self.qualifier,
            direction=indicator.direction,
            value_type=indicator.value_type,
            reported_as=indicator.reported_as,
            frequency=indicator.frequency,
        )

    def clean(self):
        super().clean()
        if self.plan_id is None or self.indicator_id is None or self.base_year is None:
            return
        found = rules.problems(self.terms())
        if found:
            raise ValidationError(
                {
                    field if field != "end_year" else "base_year": PROBLEMS[code]
                    for field, code in found.items()
                }
            )

    @property
    def end_target(self):
        return rules.target_value(self.terms())

    @property
    def is_binding(self):
        return self.binding == self.Binding.BINDING

    def attach_verdicts(self, today):
        """Set `years` (plans.rules.PlanYear of each plan year), `status` and `this_year`
        (the PlanYear of `today`'s year, None outside the plan) on `today`;
        needs the prefetches of `PlanQuerySet.with_targets` (no query of its own)."""
        indicator = self.indicator
        # A review as of an earlier day reads only the periods that had ended by then.
        readings = [
            progress.Reading(actual.period_end, actual.published_value)
            for actual in indicator.published_figures
            if actual.period_end <= today
        ]
        annual = {target.year: target.value for target in indicator.annual_targets}
        self.years = rules.judge_years(self.terms(), readings, today, annual)
        self.status = rules.overall_status(self.years)
        self.judged_year = rules.latest_judged(self.years)
        self.this_year = next((v for v in self.years if v.year == today.year), None)
        return self


class PlanReviewQuerySet(models.QuerySet):
    def public(self):
        """Reviews the public may download: those of public plans, rehearsals left out."""
        return self.filter(plan__is_public=True, rehearsal=False)

    def listed(self):
        return self.defer("docx", "pdf").order_by("-as_of", "-created_at")


class PlanReview(models.Model):
    """A plan's mid-term or final review (中期评估 / 总结评估) as of a day, in one language,
    with its Word and PDF files kept exactly as made (plans.reviews). A review as of a day
    still to come when it was made is a rehearsal, and stays off the public pages."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews"
    )
    as_of = models.DateField(
        _("as of"), help_text=_("The periods that ended by this day, judged as on this day.")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    rehearsal = models.BooleanField(_("rehearsal"), default=False, editable=False)
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

    objects = PlanReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-as_of", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="plan_review_language_known",
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
            ),
        ]

    def __str__(self):
        return f"{self.plan.code} {self.as_of:%Y-%m-%d} {self.language}"

    def file_name(self, file_format):
        return f"{self.plan.code}-review-{self.as_of:%Y-%m-%d}-{self.language}.{file_format}"

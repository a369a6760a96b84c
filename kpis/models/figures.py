"""Figures (actuals) through the review workflow, and what officials are reminded of."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    F,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kpis import progress, vocabulary
from kpis.bilingual import in_language
from kpis.models.indicators import Indicator, PublishedStage, Stage, stage_revision
from kpis.models.sources import FIRST_YEAR, LAST_YEAR
from kpis.plausibility import Yardstick, falling_total, unusual_change
from kpis.readings import (
    judge_year,
)
from kpis.units import unit_scale, unit_scales
from kpis.workflow import (
    Reviewed,
    ReviewedQuerySet,
)


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
        "kpis.Department",
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

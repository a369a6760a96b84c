"""Key tasks (重点任务): the commitments of a year that are not a number, their dated
milestones (节点) and periodic progress statements (形象进度).

Milestones and statements go through the figures' workflow: an official of the lead
department enters and submits, a reviewer publishes or returns, never their own entry
(kpis.workflow.Reviewed). The public sees only the published copy: a published milestone
that is being changed keeps its published title and dates until the change is published.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis import periods
from kpis.bilingual import in_language
from kpis.models import Department, Indicator, Source, Theme, reporting_starts
from kpis.periods import GRACE_DAYS, Frequency, Owned, due_periods
from kpis.workflow import DepartmentScopedQuerySet, Reviewed, ReviewedQuerySet, WorkflowStatus
from tasks import rules


class TaskQuerySet(DepartmentScopedQuerySet):
    def with_public_record(self):
        """Each task with its published milestones and statements, in three queries more."""
        return self.select_related("theme", "department", "source").prefetch_related(
            # Only the published copy: what the public sees, and all the rules read.
            Prefetch(
                "milestones",
                queryset=Milestone.objects.published()
                .order_by("published_due", "position")
                .only("task", *(f"published_{name}" for name in Milestone.PUBLIC_FIELDS)),
                to_attr="public_milestones",
            ),
            Prefetch(
                "statements",
                queryset=ProgressStatement.objects.published()
                .order_by("-period_end")
                .only(
                    "task",
                    "period_end",
                    *(f"published_{name}" for name in ProgressStatement.PUBLIC_FIELDS),
                ),
                to_attr="public_statements",
            ),
        )

    def with_status(self, today):
        """The tasks as a list, each with its public record and `verdict` on `today`."""
        return [task.attach_status(today) for task in self.with_public_record()]

    def with_status_as_of(self, today, moment):
        """The tasks whose source was published by `today`, each with its `verdict` on
        `today` from its milestones and statements as published just before `moment`, read
        from their change history (a bulletin as of a past day, made later). Three
        queries."""
        tasks = list(self.filter(source__published_on__lte=today).select_related("department"))
        milestones, statements = {}, {}
        for task_id, due, done in standing_copies(
            Milestone, tasks, moment, "published_due", "published_done"
        ):
            milestones.setdefault(task_id, []).append(rules.MilestoneDates(due, done))
        for task_id, end, completes in standing_copies(
            ProgressStatement, tasks, moment, "period_end", "published_completes"
        ):
            statements.setdefault(task_id, []).append((end, completes))
        for task in tasks:
            task.verdict = rules.record_status(
                task.year, milestones.get(task.pk, []), statements.get(task.pk, []), today
            )
        return tasks

    def with_due_work(self, today):
        """The tasks, each with `due_statements`: the quarters of its year that have ended
        without a statement (as `periods.DuePeriod`), and `milestones_due_soon`: its
        approved milestones due within `periods.REMINDER_DAYS` and not done. Four queries.
        Quarters that ended before reporting started here are to back-fill, never overdue."""
        rows = self.prefetch_related(
            Prefetch("statements", queryset=ProgressStatement.objects.only("task", "period_end")),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.published().filter(
                    published_done__isnull=True,
                    published_due__gte=today,
                    published_due__lte=today + datetime.timedelta(days=periods.REMINDER_DAYS),
                ),
                to_attr="milestones_due_soon",
            ),
        )
        tasks = list(rows.select_related("department"))
        # As kpis.models.reporting_starts(department), its default read once.
        starts = reporting_starts()
        for task in tasks:
            reported = {statement.period_end for statement in task.statements.all()}
            since = task.department and task.department.reporting_since or starts
            due = due_periods(
                Frequency.QUARTERLY, task.year, today, reported, reporting_starts=since
            )
            task.due_statements = [period for period in due if period.period_end.year == task.year]
        return tasks

    def statement_reporting(self, today):
        """What the timeliness scorecard counts of the tasks (`Department.objects.
        timeliness_list(today, also=...)`): each task with a lead department as a quarterly
        `periods.Owned` of its own year, by department id, and when each published
        statement was first submitted, by (task key, period end). Two queries."""
        owned = {}
        for pk, department_id, year in self.filter(department__isnull=False).values_list(
            "pk", "department", "year"
        ):
            row = Owned(("task", pk), Frequency.QUARTERLY, year, GRACE_DAYS, last_year=year)
            owned.setdefault(department_id, []).append(row)
        published = ProgressStatement.objects.published().filter(task__in=self)
        reports = {}
        for task_id, end, submitted, first_published in published.values_list(
            "task", "period_end", "first_submitted_at", "published_at"
        ):
            moment = timezone.localtime(submitted or first_published).date()
            reports[(("task", task_id), end)] = (moment, False)
        return owned, reports

    def judged(self, today):
        """The tasks with `stored_verdict`, their verdict on `today` (TaskVerdict), which
        the database sorts, filters and counts by."""
        TaskVerdict.objects.refresh(today)
        return self.select_related("stored_verdict")

    def in_list_order(self):
        """Worst status first, then by year, theme and position."""
        return self.order_by(
            "stored_verdict__status_rank", "year", "theme__position", "position", "code"
        )

    def status_counts(self, today):
        """(status, count) for every status, worst first: the context `task_counts` of
        templates/tasks/_summary.html, counted in the database from the stored verdicts
        (TaskVerdict), two queries whatever the number of tasks."""
        TaskVerdict.objects.refresh(today)
        return TaskVerdict.objects.filter(task__in=self).status_counts()


def standing_copies(model, tasks, moment, *fields):
    """(task id, *fields) of the published copy of each of `model`'s entries of `tasks` as
    it stood just before `moment`, from the change history."""
    records = (
        model.history.filter(task__in=tasks, history_date__lt=moment)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_type", "published_at", "task_id", *fields)
    )
    standing = {}
    for pk, change, published_at, *copy in records:
        standing[pk] = None if change == "-" or published_at is None else copy
    return [copy for copy in standing.values() if copy is not None]


class Task(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Stable identifier used in web addresses and open data; never change it."),
    )
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="tasks"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
        help_text=_(
            "Its officials propose the milestones and write the progress statements. "
            "Empty until a department is assigned."
        ),
    )
    cooperating = models.ManyToManyField(
        Department,
        verbose_name=_("cooperating departments"),
        related_name="cooperating_tasks",
        blank=True,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="tasks"
    )
    quote = models.TextField(_("quote"), help_text=_("The source's sentence, word for word."))
    indicators = models.ManyToManyField(
        Indicator,
        verbose_name=_("indicators it serves"),
        related_name="tasks",
        blank=True,
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["position"])

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["year", "theme__position", "position", "code"]
        permissions = [
            ("submit_task", _("Can submit milestones and progress statements for review")),
            ("review_task", _("Can approve milestones and publish progress statements")),
        ]
        constraints = [
            models.CheckConstraint(
                name="task_year_sane", condition=Q(year__gte=1990, year__lte=2100)
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("task_detail", args=[self.code])

    @property
    def display_title(self):
        return in_language(self.title, self.title_en)

    def attach_status(self, today):
        """Set `verdict` and `milestones_done` on `today`; needs `with_public_record()`."""
        self.verdict = self.status_on(today)
        self.milestones_done = sum(
            milestone.public_dates.is_done(today) for milestone in self.public_milestones
        )
        return self

    def status_on(self, today):
        """The verdict of the rules on `today`, from `with_public_record()`'s lists."""
        return rules.record_status(
            self.year,
            [milestone.public_dates for milestone in self.public_milestones],
            [(s.period_end, s.published_completes) for s in self.public_statements],
            today,
        )

    def due_date_changes(self):
        """Published due dates that moved, newest first: the milestone, the old and the
        new date, when and why, from the milestones' change history."""
        records = (
            Milestone.history.filter(task_id=self.pk, published_due__isnull=False)
            .order_by("id", "history_date", "history_id")
            .values("id", "published_title", "published_due", "due_change_reason", "history_date")
        )
        changes, last = [], {}
        for record in records:
            before = last.get(record["id"])
            if before is not None and before != record["published_due"]:
                changes.append({**record, "old_due": before})
            last[record["id"]] = record["published_due"]
        return sorted(changes, key=lambda change: change["history_date"], reverse=True)


class EntryQuerySet(ReviewedQuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)


class ReviewedEntry(Reviewed):
    """What milestones and statements share: the task, and the workflow's words for them."""

    task = models.ForeignKey(Task, verbose_name=_("key task"), on_delete=models.PROTECT)

    objects = EntryQuerySet.as_manager()

    department_path = "task__department"
    review_permission = "tasks.review_task"
    submit_permission = "tasks.submit_task"
    not_reviewer_message = _("Only reviewers publish or return milestones and statements.")
    not_submittable_message = _("Only drafts and returned entries can be submitted.")
    may_not_submit_message = _("You may not submit this.")
    reason_missing_message = _("Say why it is returned.")
    edit_conflict_message = _("Someone else changed it in the meantime.")
    stale_form_message = _(
        "Someone else changed it while you were editing it. "
        "Reload the page to see their version, then make your change again."
    )
    already_exists_message = _("It exists already.")
    not_editable_message = _("This waits for review or is not yours to edit: it stays as it is.")

    class Meta:
        abstract = True

    @property
    def kind_label(self):
        return self._meta.verbose_name


REASON_ALREADY_PUBLISHED = _(
    "This reason was published for an earlier move of the due date: say why it moves again."
)


class Milestone(ReviewedEntry):
    """A dated step (节点) of a task, proposed by the lead department and approved by a
    reviewer. Once approved, its due date moves only with a reason, which the task page
    lists."""

    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    due = models.DateField(_("due date"))
    done = models.DateField(
        _("done on"), null=True, blank=True, help_text=_("Empty until the milestone is done.")
    )
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("What shows it is done: a document, a web address. For reviewers."),
    )
    due_change_reason = models.CharField(
        _("reason for the new due date"),
        max_length=300,
        blank=True,
        help_text=_("Needed when an approved due date changes; shown to the public."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    published_title = models.CharField(
        _("published title"), max_length=200, blank=True, editable=False
    )
    published_title_en = models.CharField(
        _("published English title"), max_length=200, blank=True, editable=False
    )
    published_due = models.DateField(_("approved due date"), null=True, editable=False)
    published_done = models.DateField(_("published done date"), null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    PUBLIC_FIELDS = ("title", "title_en", "due", "done")
    kind = "milestones"  # in web addresses
    not_submitted_message = _("Only submitted milestones can be approved.")
    own_entry_message = _("You entered this milestone: another reviewer must approve or return it.")
    own_submission_message = _(
        "You submitted this milestone: another reviewer must approve or return it."
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task", "due", "position"]
        default_related_name = "milestones"
        constraints = [
            models.CheckConstraint(
                name="milestone_status_known",
                condition=Q(status__in=WorkflowStatus.values),
            ),
            models.CheckConstraint(
                name="milestone_published_was_reviewed",
                condition=~Q(status="published") | Q(reviewed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="milestone_published_copy_complete",
                condition=Q(published_at__isnull=True) | Q(published_due__isnull=False),
            ),
            models.CheckConstraint(
                name="milestone_done_after_it_could_start",
                condition=Q(done__isnull=True) | Q(done__year__gte=1990),
            ),
        ]

    def __str__(self):
        return f"{self.task}: {self.title}"

    def display_name(self):
        """The milestone in the page's language, for messages."""
        return f"{self.task.display_title}: {in_language(self.title, self.title_en)}"

    @property
    def display_title(self):
        return in_language(self.published_title, self.published_title_en)

    def clean(self):
        super().clean()
        errors = {}
        if self.done is not None and self.done > timezone.localdate():
            errors["done"] = _("A milestone cannot be done on a day still to come.")
        if self.due_moved() and not self.due_change_reason.strip():
            errors["due_change_reason"] = _(
                "The approved due date was %(date)s: say why it changes."
            ) % {"date": self.published_due.isoformat()}
        elif self.due_moved() and self.reason_already_published():
            errors["due_change_reason"] = REASON_ALREADY_PUBLISHED
        if errors:
            raise ValidationError(errors)

    def due_moved(self):
        return self.published_due is not None and self.due != self.published_due

    def reason_already_published(self):
        """Whether the reason given is one the public already read for an earlier move: a
        second move left with the first one's reason would be published with it."""
        published = Milestone.history.filter(id=self.pk, status=WorkflowStatus.PUBLISHED)
        return published.filter(due_change_reason=self.due_change_reason).exists()

    def publish_refusal(self):
        if self.due_moved() and not self.due_change_reason.strip():
            return _("A new due date needs its reason before it is approved.")
        if self.due_moved() and self.reason_already_published():
            return REASON_ALREADY_PUBLISHED
        return None

    @property
    def public_dates(self):
        return rules.MilestoneDates(self.published_due, self.published_done)

    def status_on(self, today):
        """The timeline's word on `today`: "done", "done_late", "late" or "open"."""
        dates = self.public_dates
        if dates.is_done(today):
            return "done_late" if self.published_done > self.published_due else "done"
        return "late" if dates.is_late(today) else "open"


class ProgressStatement(ReviewedEntry):
    """The lead department's account (形象进度) of a task at the end of a period, quarterly
    by default, with an optional share of the work done."""

    period_end = models.DateField(
        _("period end"),
        help_text=_(
            "The last day of the quarter reported on: 31 March, 30 June, 30 September "
            "or 31 December."
        ),
    )
    text = models.TextField(_("progress (Chinese)"))
    text_en = models.TextField(_("progress (English)"), blank=True)
    percent = models.PositiveSmallIntegerField(
        _("share done (%)"),
        null=True,
        blank=True,
        help_text=_("Optional: how much of the task is done, 0 to 100."),
    )
    completes = models.BooleanField(
        _("the task is complete"),
        default=False,
        help_text=_("Tick when this statement reports the task as done."),
    )
    published_text = models.TextField(_("published progress"), blank=True, editable=False)
    published_text_en = models.TextField(
        _("published progress in English"), blank=True, editable=False
    )
    published_percent = models.PositiveSmallIntegerField(
        _("published share done"), null=True, editable=False
    )
    published_completes = models.BooleanField(
        _("published as complete"), default=False, editable=False
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    PUBLIC_FIELDS = ("text", "text_en", "percent", "completes")
    kind = "statements"  # in web addresses
    not_submitted_message = _("Only submitted statements can be reviewed.")
    own_entry_message = _("You entered this statement: another reviewer must publish or return it.")
    own_submission_message = _(
        "You submitted this statement: another reviewer must publish or return it."
    )

    class Meta:
        verbose_name = _("progress statement")
        verbose_name_plural = _("progress statements")
        ordering = ["task", "-period_end"]
        default_related_name = "statements"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period_end"],
                name="one_statement_per_task_period",
                violation_error_message=_("A statement for this period already exists."),
            ),
            models.CheckConstraint(
                name="statement_status_known",
                condition=Q(status__in=WorkflowStatus.values),
            ),
            models.CheckConstraint(
                name="statement_published_was_reviewed",
                condition=~Q(status="published") | Q(reviewed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="statement_percent_is_a_share",
                condition=Q(percent__isnull=True) | Q(percent__lte=100),
                violation_error_message=_("The share done lies between 0 and 100%."),
            ),
        ]

    def __str__(self):
        return f"{self.task} {self.period_end:%Y-%m-%d}"

    def display_name(self):
        """The statement in the page's language, for messages."""
        return f"{self.task.display_title} {self.period_end:%Y-%m-%d}"

    @property
    def display_text(self):
        return in_language(self.published_text, self.published_text_en)

    def clean(self):
        super().clean()
        if self.period_end is None:
            return
        if not periods.is_quarter_end(self.period_end):
            raise ValidationError({"period_end": _("Not the last day of a quarter.")})
        if self.period_end > periods.quarter_end(timezone.localdate()):
            raise ValidationError({"period_end": _("This quarter has not begun yet.")})
        task = self.task if self.task_id else None
        if task is not None and self.period_end.year != task.year:
            message = _("A statement of a task of %(year)s reports on a quarter of %(year)s.")
            raise ValidationError({"period_end": message % {"year": task.year}})


class TaskVerdictQuerySet(models.QuerySet):
    def refresh(self, today):
        """Make every task's stored verdict true on `today`.

        The database's triggers delete a task's verdict whenever it, its milestones or its
        statements change (tasks/triggers.py), so a verdict that exists is never out of
        date, except when the date moves it: a verdict holds from the day it was judged to
        `holds_until` (rules.holds_until: the next due date, done date, quarter end or year
        end that could move it). The tasks with no verdict holding on `today` are judged
        and written; when there is none, as on most requests, this costs one query."""
        holding = self.filter(task=OuterRef("pk"), judged_on__lte=today, holds_until__gte=today)
        unjudged = Task.objects.filter(~Exists(holding)).order_by()
        years = dict(unjudged.values_list("pk", "year"))
        if not years:
            return
        self.exclude(judged_on__lte=today, holds_until__gte=today).delete()
        milestones, statements = {}, {}
        published = Milestone.objects.published().filter(task__in=unjudged.values("pk"))
        for task_id, due, done in published.order_by().values_list(
            "task", "published_due", "published_done"
        ):
            milestones.setdefault(task_id, []).append(rules.MilestoneDates(due, done))
        reports = ProgressStatement.objects.published().filter(task__in=unjudged.values("pk"))
        for task_id, end, completes in reports.order_by().values_list(
            "task", "period_end", "published_completes"
        ):
            statements.setdefault(task_id, []).append((end, completes))
        verdicts = [
            TaskVerdict.of(pk, year, milestones.get(pk, []), statements.get(pk, []), today)
            for pk, year in years.items()
        ]
        # Two readers at once may judge the same task: the first row stays.
        self.bulk_create(verdicts, ignore_conflicts=True)

    def status_counts(self):
        """(status, count) for every status, worst first."""
        counted = dict(self.order_by().values_list("status").annotate(n=Count("pk")))
        return [(status, counted.get(status, 0)) for status in rules.STATUS_ORDER]

    def tally(self):
        """These verdicts counted by their task's year, theme and status, as a list of
        (year, theme, status, count), each theme built from its row: what /tasks/ reads its
        years, its year's counts and its themes from, in one query."""
        names = ["id", "code", "name", "name_en", "position"]
        rows = (
            self.order_by()
            .values_list("task__year", "status", *(f"task__theme__{name}" for name in names))
            .annotate(n=Count("pk"))
        )
        themes = {}
        tally = []
        for year, status, *fields, count in rows:
            theme = themes.get(fields[0]) or Theme(**dict(zip(names, fields, strict=True)))
            themes[theme.pk] = theme
            tally.append((year, theme, status, count))
        return tally


class TaskVerdict(models.Model):
    """A key task's verdict as the rules (tasks/rules.py) gave it, and the days it holds:
    what the tasks' list, `/`'s counts and the open data sort, count and page by in the
    database, so that they cost the same at 20 tasks and at 10,000 (docs/performance.md).
    Written when read and missing; see `TaskVerdictQuerySet.refresh` for why it is never
    stale."""

    task = models.OneToOneField(
        Task, on_delete=models.CASCADE, primary_key=True, related_name="stored_verdict"
    )
    status = models.CharField(max_length=16)
    status_rank = models.PositiveSmallIntegerField()
    # None where the rules give no colour, as the open data says it.
    rag = models.CharField(max_length=8, null=True)  # noqa: DJ001
    # rules.Reason where the status alone does not say why (a closed year's silent task is
    # not completed for nothing reported); None otherwise, as the open data says it.
    reason = models.CharField(max_length=24, null=True)  # noqa: DJ001
    late = models.PositiveSmallIntegerField()
    milestones_done = models.PositiveSmallIntegerField()
    judged_on = models.DateField()
    holds_until = models.DateField()

    objects = TaskVerdictQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status"], name="task_verdict_status")]

    def __str__(self):
        return f"{self.task_id} {self.status}"

    @classmethod
    def of(cls, task_id, year, milestones, statements, today):
        """The verdict on `today` of a task of `year` with these published milestones
        (MilestoneDates) and statements ((period end, completes))."""
        verdict = rules.record_status(year, milestones, statements, today)
        return cls(
            task_id=task_id,
            status=verdict.status,
            status_rank=rules.STATUS_ORDER.index(verdict.status),
            rag=verdict.rag,
            reason=verdict.reason,
            late=verdict.late,
            milestones_done=sum(milestone.is_done(today) for milestone in milestones),
            judged_on=today,
            holds_until=rules.holds_until(year, milestones, statements, today),
        )

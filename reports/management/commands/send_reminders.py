import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management import BaseCommand
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kpis import periods, webhooks
from kpis.models import Actual, Department, Indicator, Reminder
from tasks.models import Task

SOON = datetime.timedelta(days=periods.REMINDER_DAYS)


@dataclass(frozen=True)
class Item:
    stage: str
    subject: str
    line: object  # called in the reader's language to word the item


class Command(BaseCommand):
    help = (
        f"Remind officials of the periods due within {periods.REMINDER_DAYS} days and the "
        "overdue ones for their "
        "departments, and reviewers of the figures waiting for them: one email per person, "
        "in their language, and a post to each department's webhook. Nobody is reminded "
        "twice of the same period at the same stage. Run it daily from cron."
    )

    def handle(self, **options):
        today = timezone.localdate()
        # The periods of every indicator, worked out once and handed to each reader.
        periods = period_items(Indicator.objects.all(), today) + task_items(today)
        emails = self.email_people(periods)
        posts = self.post_to_departments(periods)
        self.stdout.write(f"{emails} reminder emails sent, {posts} webhook posts.")

    def email_people(self, periods):
        """One email per official or reviewer who has new reminders and an address."""
        model = get_user_model()
        reviewers = set(
            model.objects.with_perm(
                "kpis.review_actual",
                include_superusers=False,
                backend="django.contrib.auth.backends.ModelBackend",
            ).values_list("pk", flat=True)
        )
        people = model.objects.filter(is_active=True).exclude(email="")
        people = people.filter(Q(pk__in=reviewers) | Q(departments__isnull=False)).distinct()
        to_review = list(Actual.objects.waiting_for_review().select_related("indicator"))
        sent = 0
        for person in people.select_related("preference").prefetch_related("departments"):
            # As Indicator.objects.for_entry (from the departments read with the people):
            # superusers every indicator, others their departments'.
            mine = {department.pk for department in person.departments.all()}
            items = [
                item
                for department_id, item in periods
                if person.is_superuser or department_id in mine
            ]
            if person.pk in reviewers:
                items += review_items(person, to_review)
            new = unsent(items, Reminder.objects.filter(user=person))
            if not new:
                continue
            with translation.override(language_of(person)):
                send_mail(subject(new), body(new), None, [person.email])
            Reminder.objects.bulk_create(
                Reminder(user=person, stage=item.stage, subject=item.subject) for item in new
            )
            sent += 1
        return sent

    def post_to_departments(self, periods):
        """One post per department webhook with the department's new reminders."""
        posted = 0
        for department in webhooks.usable(Department.objects.all(), self.stderr.write):
            items = [item for department_id, item in periods if department_id == department.pk]
            new = unsent(items, Reminder.objects.filter(department=department))
            if not new:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                content = f"{department.name}\n{body(new)}"
            payload = {"msgtype": "text", "text": {"content": content}}
            if not webhooks.deliver(department, payload, self.stderr.write):
                continue
            Reminder.objects.bulk_create(
                Reminder(department=department, stage=item.stage, subject=item.subject)
                for item in new
            )
            posted += 1
        return posted


def period_items(indicators, today):
    """The periods of `indicators` that are overdue or due within 7 days, each with its
    indicator's department id."""
    items = []
    for indicator in indicators.due_work(today):
        for period in indicator.due:
            stage = stage_of(period, today)
            if stage is None:
                continue
            subject = f"{indicator.code}:{period.period_end.isoformat()}"
            items.append(
                (indicator.department_id, Item(stage, subject, period_line(indicator, period)))
            )
    return items


def stage_of(period, today):
    """Overdue, due within 7 days, or None: not yet worth a reminder, or before reporting
    started here (welcome, but nobody is chased for it)."""
    if period.backfill:
        return None
    if period.is_overdue(today):
        return Reminder.Stage.OVERDUE
    if period.deadline - today <= SOON:
        return Reminder.Stage.DUE_SOON
    return None


def task_items(today):
    """The key tasks' progress statements overdue or due within 7 days (quarters of the
    task's own year), and their approved milestones due within 7 days and not done, each
    with the lead department's id."""
    items = []
    for task in Task.objects.filter(department__isnull=False).with_due_work(today):
        for period in task.due_statements:
            stage = stage_of(period, today)
            if stage is not None:
                subject = f"statement:{task.code}:{period.period_end.isoformat()}"
                items.append(
                    (task.department_id, Item(stage, subject, statement_line(task, period)))
                )
        for milestone in task.milestones_due_soon:
            subject = f"milestone:{milestone.pk}:{milestone.published_due.isoformat()}"
            line = milestone_line(task, milestone)
            items.append((task.department_id, Item(Reminder.Stage.DUE_SOON, subject, line)))
    return items


def unsent(items, reminders):
    already = set(reminders.values_list("stage", "subject"))
    return [item for item in items if (item.stage, item.subject) not in already]


def review_items(person, to_review):
    return [
        Item(
            Reminder.Stage.REVIEW,
            f"figure:{actual.pk}:{(actual.submitted_at or actual.updated_at):%Y%m%d%H%M%S}",
            review_line(actual),
        )
        for actual in to_review
        if actual.reviewer_refusal(person) is None
    ]


def language_of(person):
    preference = getattr(person, "preference", None)
    return preference.language if preference else settings.LANGUAGE_CODE


def period_line(indicator, period):
    def line():
        return _("%(indicator)s: the period ending %(end)s, deadline %(deadline)s") % {
            "indicator": indicator.display_name,
            "end": period.period_end.isoformat(),
            "deadline": period.deadline.isoformat(),
        }

    return line


def statement_line(task, period):
    def line():
        return _(
            "%(task)s: the progress statement for the quarter ending %(end)s, deadline %(deadline)s"
        ) % {
            "task": task.display_title,
            "end": period.period_end.isoformat(),
            "deadline": period.deadline.isoformat(),
        }

    return line


def milestone_line(task, milestone):
    def line():
        return _("%(task)s: the milestone “%(milestone)s”, due %(due)s") % {
            "task": task.display_title,
            "milestone": milestone.display_title,
            "due": milestone.published_due.isoformat(),
        }

    return line


def review_line(actual):
    def line():
        return _("%(indicator)s: the period ending %(end)s") % {
            "indicator": actual.indicator.display_name,
            "end": actual.period_end.isoformat(),
        }

    return line


def subject(items):
    return _("Guangming targets tracker: %(count)d reminders") % {"count": len(items)}


def body(items):
    headings = {
        Reminder.Stage.OVERDUE: _("Overdue:"),
        Reminder.Stage.DUE_SOON: _("Due within %(days)d days:") % {"days": periods.REMINDER_DAYS},
        Reminder.Stage.REVIEW: _("Waiting for your review:"),
    }
    parts = []
    for stage, heading in headings.items():
        lines = [f"- {item.line()}" for item in items if item.stage == stage]
        if lines:
            parts.append("\n".join([heading, *lines]))
    parts.append(_("Enter or review them at %(url)s") % {"url": settings.SITE_URL + "/my/"})
    return "\n\n".join(parts)

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kpis.templatetags.kpis_tags import badge
from tasks import exports
from tasks.models import Task
from tasks.rules import Rag, Reason, Status

register = template.Library()

STATUS_TEXT = {
    Status.DONE: (_("Done"), "★"),
    Status.ON_SCHEDULE: (_("On schedule"), "✓"),
    Status.DELAYED: (_("Delayed"), "!"),
    Status.NOT_STARTED: (_("Not started"), "○"),
    Status.NO_PLAN: (_("No plan yet"), "–"),
    Status.COMPLETED: (_("Completed"), "★"),
    Status.NOT_COMPLETED: (_("Not completed"), "✕"),
}
REASON_TEXT = {Reason.NOTHING_REPORTED: _("nothing reported")}
RAG_TEXT = {Rag.GREEN: _("green"), Rag.YELLOW: _("yellow"), Rag.RED: _("red")}


@register.filter
def task_status_label(status):
    return STATUS_TEXT[status][0]


@register.filter
def task_status_icon(status):
    return STATUS_TEXT[status][1]


@register.filter
def task_reason_label(reason):
    return REASON_TEXT[reason] if reason else ""


@register.simple_tag
def task_badge(status, rag, reason=None):
    """A task's status as words with an icon, its reason where the status alone does not
    say it ("not completed: nothing reported"), and its colour named, never colour alone."""
    label = task_status_label(status)
    if reason:
        label = format_html(
            gettext("{status}: {reason}"), status=label, reason=task_reason_label(reason)
        )
    if rag is not None:
        label = format_html('{} <span class="rag-word">({})</span>', label, RAG_TEXT[rag])
    return badge(f"task-status rag-{rag or 'none'}", task_status_icon(status), label)


@register.filter
def milestones_done(row):
    """How many milestones of an open data row (a snapshot's) have a done date."""
    return sum(milestone["done"] is not None for milestone in row["milestones"])


# Pages of the other apps show the key tasks through these tags, so that kpis never imports
# tasks (docs/architecture.md), as djangoproject.com's homepage shows the blog's entries.


@register.inclusion_tag("tasks/_summary.html")
def task_summary(year):
    """The key tasks of `year` counted by status, worst first, as on /tasks/ for that year
    (shown on `/` for the year it shows)."""
    tasks = Task.objects.filter(year=year)
    return {"task_counts": tasks.status_counts(timezone.localdate()), "task_year": year}


@register.inclusion_tag("tasks/_data_files.html")
def task_data_files():
    """The key tasks' files and their columns (shown on /data/)."""
    return {"task_columns": exports.COLUMNS}

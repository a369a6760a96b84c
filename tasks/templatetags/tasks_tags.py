from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_TEXT = {
    "done": (_("Done"), "★"),
    "on_schedule": (_("On schedule"), "✓"),
    "delayed": (_("Delayed"), "!"),
    "not_started": (_("Not started"), "○"),
    "no_plan": (_("No plan yet"), "–"),
    "completed": (_("Completed"), "★"),
    "not_completed": (_("Not completed"), "✕"),
}
RAG_TEXT = {"green": _("green"), "yellow": _("yellow"), "red": _("red")}


@register.filter
def task_status_label(status):
    return STATUS_TEXT[status][0]


@register.filter
def task_status_icon(status):
    return STATUS_TEXT[status][1]


@register.simple_tag
def task_badge(status, rag):
    """A task's status as words with an icon, and its colour named, never colour alone."""
    if rag is None:
        return format_html(
            '<span class="task-status rag-none"><span class="status-icon" aria-hidden="true">'
            "{}</span> {}</span>",
            task_status_icon(status),
            task_status_label(status),
        )
    return format_html(
        '<span class="task-status rag-{}"><span class="status-icon" aria-hidden="true">{}'
        '</span> {} <span class="rag-word">({})</span></span>',
        rag,
        task_status_icon(status),
        task_status_label(status),
        RAG_TEXT[rag],
    )


@register.filter
def milestones_done(row):
    """How many milestones of an open data row (a snapshot's) have a done date."""
    return sum(milestone["done"] is not None for milestone in row["milestones"])

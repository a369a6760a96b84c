"""What /my/ (a kpis page) shows of the key tasks: the milestones and statements waiting
for a reviewer, in the same queue as the figures."""

from django import template

from tasks.models import Milestone, ProgressStatement

register = template.Library()


@register.simple_tag
def task_entries_to_review(user):
    if not user.has_perm("tasks.review_task"):
        return []
    return [
        entry
        for model in (Milestone, ProgressStatement)
        for entry in model.objects.waiting_for_review().select_related(
            "task__department", "entered_by"
        )
    ]

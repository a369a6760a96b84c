from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kpis.admin import DepartmentScopedAdmin, ReviewedEntryAdmin
from kpis.forms import HTTPS_URLS
from tasks.forms import MilestoneForm, StatementForm
from tasks.models import Milestone, ProgressStatement, Task

WORKFLOW_FIELDS = [
    "status",
    "return_reason",
    "entered_by",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "published_at",
]


@admin.register(Task)
class TaskAdmin(DepartmentScopedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "code", "theme", "department", "year"]
    list_filter = ["year", "theme", "department"]
    search_fields = ["code", "title", "title_en", "quote"]
    list_select_related = ["theme", "department"]
    filter_horizontal = ["cooperating", "indicators"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class EntryAdmin(ReviewedEntryAdmin, DepartmentScopedAdmin, SimpleHistoryAdmin):
    """Milestones and statements: entered by the lead department's officials, reviewed by
    someone else, through the same model methods as /my/tasks/."""

    formfield_overrides = HTTPS_URLS
    list_select_related = ["task", "entered_by", "reviewed_by"]
    list_filter = ["status", "task__theme", "task__department"]
    search_fields = ["task__code", "task__title"]
    readonly_fields = WORKFLOW_FIELDS
    actions = ["submit_selected", "publish_selected"]
    updated_message = _("%(count)d entries updated.")
    # Evidence files are uploaded and handed out on /my/, where who may see them is asked.
    exclude = ["evidence_file"]


@admin.register(Milestone)
class MilestoneAdmin(EntryAdmin):
    form = MilestoneForm
    list_display = ["task", "title", "due", "done", "status", "published_due", "entered_by"]
    date_hierarchy = "due"
    readonly_fields = WORKFLOW_FIELDS + ["published_title", "published_due", "published_done"]


@admin.register(ProgressStatement)
class ProgressStatementAdmin(EntryAdmin):
    form = StatementForm
    list_display = ["task", "period_end", "percent", "completes", "status", "entered_by"]
    date_hierarchy = "period_end"

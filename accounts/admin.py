"""The security log in the admin: read by audit administrators only, changed by nobody;
exported as JSON lines for the office's log system. A system administrator, who manages
users, does not see it (accounts/roles.py)."""

import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from accounts.audit import audit
from accounts.models import AuditRecord
from accounts.roles import AUDIT_ADMINISTRATOR, separation_refusal
from identity.admin import TrackerUserAdmin


def is_audit_administrator(user):
    return user.is_active and user.groups.filter(name=AUDIT_ADMINISTRATOR).exists()


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "address", "action", "object", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["actor", "object", "address"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditRecord._meta.fields]
    change_list_template = "admin/accounts/auditrecord/change_list.html"

    # Only the audit administrators read the log: not the system administrator, and not a
    # superuser's blanket permissions (the break-glass account is itself what is logged).
    def has_view_permission(self, request, obj=None):
        return is_audit_administrator(request.user)

    def has_module_permission(self, request):
        return is_audit_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def changelist_view(self, request, extra_context=None):
        if is_audit_administrator(request.user):
            audit(AuditRecord.Action.AUDIT_READ, object=request.GET.urlencode()[:300])
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path("export.jsonl", export, name="accounts_auditrecord_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """Every record, oldest first, one JSON object a line."""
        if not is_audit_administrator(request.user):
            raise PermissionDenied
        audit(AuditRecord.Action.AUDIT_EXPORT)
        lines = (
            json.dumps(record.as_json(), ensure_ascii=False) + "\n"
            for record in AuditRecord.objects.order_by("pk").iterator()
        )
        response = StreamingHttpResponse(lines, content_type="application/jsonl; charset=utf-8")
        name = f"security-log-{timezone.localdate():%Y-%m-%d}.jsonl"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


FLAGS = ["is_active", "is_staff", "is_superuser"]


class SeparatedUserAdmin(TrackerUserAdmin):
    """The user form refuses two of the three administrator roles on one account."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class SeparatedForm(form):
            def clean(self):
                cleaned = super().clean()
                groups = cleaned.get("groups")
                if groups is not None:
                    refusal = separation_refusal(group.name for group in groups)
                    if refusal:
                        raise DjangoValidationError({"groups": refusal})
                return cleaned

        return SeparatedForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Groups and permissions are logged as they change (accounts/receivers.py); these
        # flags are permissions too.
        flags = [name for name in FLAGS if name in form.changed_data]
        if flags:
            changes = ", ".join(f"{name}={getattr(obj, name)}" for name in flags)
            audit(AuditRecord.Action.PERMISSION_CHANGE, object=f"{obj}: {changes}")


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), SeparatedUserAdmin)

from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Value
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from kpis.forms import HTTPS_URLS, ActualForm, EditConflict, ReturnForm, save_edit
from kpis.models import (
    Actual,
    Department,
    Indicator,
    Preference,
    Reminder,
    Snapshot,
    Source,
    Target,
    Theme,
)
from kpis.resources import ActualResource, ChineseCSV, template_dataset
from kpis.roles import in_departments, sees_all_departments
from kpis.templatetags.kpis_tags import figure, period_label, status_icon, status_label

admin.site.site_header = _("Guangming District targets tracker")
admin.site.site_title = _("Targets tracker administration")


def scoped_indicators(user, queryset):
    return queryset if sees_all_departments(user) else queryset.for_user(user)


class DepartmentScopedAdmin:
    """Objects outside the user's departments are neither listed nor opened: their change,
    history and delete pages answer 403, whatever the URL typed. Each admin names how to
    reach an object's department with `department_of`."""

    department_of = attrgetter("department_id")

    def get_object(self, request, object_id, from_field=None):
        # Look the object up unscoped so that out-of-scope ids meet the permission checks
        # below (403) instead of Django's "does not exist" redirect.
        opts = self.model._meta
        field = opts.pk if from_field is None else opts.get_field(from_field)
        try:
            return self.model._default_manager.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    def in_scope(self, request, obj):
        return in_departments(request.user, self.department_of(obj))

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Looking at an old version is fine; saving it back would bypass the review of
        # figures and the reasons recorded for target and baseline changes.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ChangeReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("Recorded in the history with your name, e.g. the new source document."),
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not cleaned.get("change_reason"):
            self.add_error("change_reason", _("Say why the figures change."))
        return cleaned


class ReviewedEntryAdmin:
    """What the admin of a reviewed entry (a figure, or a key task's milestone or statement)
    does: it lists the user's own (`for_user`), changes only what `is_editable_by` allows,
    never deletes what the public has seen (it is corrected and reviewed again), tells the
    entry form who the user is, and runs a workflow step on each selected entry, one refused
    entry not stopping the others."""

    updated_message = _("%(count)d figures updated.")

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.published_at is None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"current_user": request.user})

    def apply(self, request, queryset, transition):
        done = 0
        for entry in queryset.select_related(*self.list_select_related):
            try:
                transition(entry)
            except ValidationError as refusal:
                self.message_user(request, f"{entry}: {refusal.messages[0]}", messages.ERROR)
                continue
            entry.save()
            done += 1
        self.message_user(request, self.updated_message % {"count": done}, messages.SUCCESS)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "publisher", "published_on", "author"]
    search_fields = ["title", "publisher", "author"]
    date_hierarchy = "published_on"


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"code": ["name_en"]}


class RecordAdmin(admin.ModelAdmin):
    """A record the app writes by itself (a snapshot, a reminder sent): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(RecordAdmin):
    """Snapshots are taken from /my/ or by `take_snapshot`, and never changed or removed."""

    list_display = ["taken_on", "year", "created_at"]
    date_hierarchy = "taken_on"

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username"]


@admin.register(Reminder)
class ReminderAdmin(RecordAdmin):
    list_display = ["user", "department", "stage", "subject", "sent_at"]
    list_filter = ["stage"]
    search_fields = ["user__username", "subject"]
    date_hierarchy = "sent_at"


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "name_en", "code"]
    search_fields = ["name", "name_en", "code"]
    filter_horizontal = ["members"]


class TargetInline(admin.TabularInline):
    model = Target
    form = ChangeReasonForm
    extra = 0
    fields = ["year", "value", "qualifier", "source", "quote", "change_reason"]


class ActualInline(admin.TabularInline):
    """Figures are listed here for reference; they are entered and reviewed on their own
    pages, where the workflow applies."""

    model = Actual
    extra = 0
    fields = ["period_end", "value", "status", "published_value"]
    readonly_fields = fields
    ordering = ["-period_end"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(DepartmentScopedAdmin, SimpleHistoryAdmin):
    form = ChangeReasonForm
    list_display = [
        "name",
        "code",
        "theme",
        "department",
        "unit",
        "frequency",
        "latest_figure",
        "latest_status",
    ]
    list_filter = ["theme", "department", "frequency", "value_type", "is_public"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["theme", "department"]
    inlines = [TargetInline, ActualInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "theme", "department", "is_public"]}),
        (_("Definition"), {"fields": ["definition", "definition_en"]}),
        (
            _("How it is measured"),
            {
                "fields": [
                    "unit",
                    "unit_en",
                    "decimals",
                    "direction",
                    "value_type",
                    "frequency",
                    "is_share",
                    "seasonal_profile",
                    "seasonal_profile_note",
                    "position",
                ]
            },
        ),
        (
            _("Baseline"),
            {
                "fields": [
                    "baseline_year",
                    "baseline_value",
                    "baseline_qualifier",
                    "source",
                    "baseline_quote",
                ]
            },
        ),
        (None, {"fields": ["change_reason"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            reason = getattr(inline_form, "cleaned_data", {}).get("change_reason")
            inline_form.instance._change_reason = reason or ""
        super().save_formset(request, form, formset, change)

    def get_queryset(self, request):
        # Status is judged in the year the public page opens on; the annotations carry
        # everything the progress rules need, so the list costs no query per row.
        year = Indicator.objects.progress_year()
        return (
            scoped_indicators(request.user, super().get_queryset(request))
            .with_year_figures(year)
            .annotate(status_year=Value(year))
        )

    @admin.display(description=_("latest published figure"), ordering="latest_any_reading")
    def latest_figure(self, indicator):
        indicator.attach_progress(indicator.status_year, timezone.localdate())
        if indicator.latest is None:
            return "—"
        value = figure(indicator.latest.value, indicator)
        return f"{value} ({period_label(indicator.latest.period_end, indicator)})"

    @admin.display(description=_("status in the year shown to the public"))
    def latest_status(self, indicator):
        result = indicator.attach_progress(indicator.status_year, timezone.localdate()).result
        label = f"{status_icon(result.status)} {status_label(result.status)}"
        return f"{label} ({indicator.status_year})"


@admin.register(Actual)
class ActualAdmin(ReviewedEntryAdmin, DepartmentScopedAdmin, ImportExportMixin, SimpleHistoryAdmin):
    department_of = attrgetter("indicator.department_id")
    formfield_overrides = HTTPS_URLS
    form = ActualForm
    import_export_change_list_template = "admin/kpis/actual/change_list.html"
    resource_classes = [ActualResource]
    import_formats = [ChineseCSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    list_display = [
        "indicator",
        "period_end",
        "value",
        "status",
        "published_value",
        "entered_by",
        "reviewed_by",
    ]
    list_filter = ["status", "indicator__theme", "indicator__department"]
    search_fields = ["indicator__name", "indicator__name_en", "indicator__code"]
    list_select_related = ["indicator", "entered_by", "reviewed_by"]
    date_hierarchy = "period_end"
    readonly_fields = [
        "status",
        "published_value",
        "return_reason",
        "entered_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "revised_at",
    ]
    actions = ["submit_selected", "publish_selected", "return_selected"]
    history_list_display = ["value", "status", "published_value"]

    def get_fields(self, request, obj=None):
        fields = ["indicator", "period_end", "value", "note", "evidence_url"]
        if obj is None or self.has_change_permission(request, obj):
            fields += ["confirm_unusual", "seen_version"]
        return fields + self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            save_edit(obj, form.cleaned_data.get("seen_version"))
        except EditConflict as conflict:
            # Raised after validation: the admin has no form to attach it to any more.
            raise PermissionDenied(conflict.messages[0]) from conflict

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return request.user.has_perm("kpis.add_actual")

    def get_urls(self):
        return [
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name="kpis_actual_import_template",
            )
        ] + super().get_urls()

    def import_template_view(self, request):
        """An XLSX file with the periods due for the user's departments, ready to fill in."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        indicators = Indicator.objects.for_user(request.user).due_work(timezone.localdate())
        response = HttpResponse(
            template_dataset(indicators).export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="figures-due.xlsx"'
        return response

    @admin.action(description=_("Submit the selected figures for review"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self.apply(request, queryset, lambda actual: actual.submit(request.user))

    @admin.action(description=_("Publish the selected figures"), permissions=["review"])
    def publish_selected(self, request, queryset):
        self.apply(request, queryset, lambda actual: actual.publish(request.user))

    @admin.action(
        description=_("Return the selected figures with a reason"), permissions=["review"]
    )
    def return_selected(self, request, queryset):
        form = ReturnForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self.apply(
                request, queryset, lambda actual: actual.return_for_correction(request.user, reason)
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return figures for correction"),
            "form": form,
            "actuals": queryset.select_related("indicator"),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/kpis/actual/return_reason.html", context)

    def has_submit_permission(self, request):
        return request.user.has_perm("kpis.submit_actual")

    def has_review_permission(self, request):
        return request.user.has_perm("kpis.review_actual")

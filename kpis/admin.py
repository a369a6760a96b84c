from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.db.models import Value
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats import base_formats
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from kpis import extraction_admin  # 新建来源：从文件提取, whose logic lives there
from kpis.forms import (
    HTTPS_URLS,
    ActualForm,
    ConfirmSpreadsheetImportForm,
    FigureReturnForm,
    IndicatorForm,
    InterimTargetForm,
    SpreadsheetImportForm,
    TargetForm,
)
from kpis.models import (
    EXPLANATION_FIELDS,
    Actual,
    Department,
    EditConflict,
    Indicator,
    InterimTarget,
    Preference,
    Reminder,
    ReturnReason,
    Snapshot,
    Source,
    Target,
    Theme,
    Unit,
)
from kpis.resources import (
    ActualResource,
    ChineseCSV,
    ImportUpload,
    IndicatorResource,
    LimitedXLSX,
    TargetResource,
    targets_workbook,
    template_workbook,
)
from kpis.roles import in_departments
from kpis.templatetags.kpis_tags import figure_html, period_label, status_icon, status_label
from kpis.uploads import UploadRefused

admin.site.site_header = _("Guangming District targets tracker")
admin.site.site_title = _("Targets tracker administration")


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


class ReviewedEntryAdmin:
    """What the admin of a reviewed entry (a figure, or a key task's milestone or statement)
    does: it lists what the user may see (`visible_to`), changes only what
    `is_editable_by` allows, never deletes what the public has seen (it is corrected and
    reviewed again), tells the entry form who the user is, and runs a workflow step on each
    selected entry, one refused entry not stopping the others."""

    updated_message = _("%(count)d figures updated.")

    def department_of(self, obj):
        return obj.owner_department_id()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.published_at is None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"current_user": request.user})

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [name for name in fields if name != "seen_version"]  # nothing to save
        return fields

    # The admin fills in the names of what it lists, as in Django's own "Delete selected".
    @admin.action(
        description=_("Submit the selected %(verbose_name_plural)s for review"),
        permissions=["submit"],
    )
    def submit_selected(self, request, queryset):
        self.apply(request, queryset, lambda entry: entry.submit(request.user))

    @admin.action(
        description=_("Publish the selected %(verbose_name_plural)s"), permissions=["review"]
    )
    def publish_selected(self, request, queryset):
        self.apply(request, queryset, lambda entry: entry.publish(request.user))

    def has_submit_permission(self, request):
        return request.user.has_perm(self.model.submit_permission)

    def has_review_permission(self, request):
        return request.user.has_perm(self.model.review_permission)

    def save_model(self, request, obj, form, change):
        try:
            obj.save_edit(form.cleaned_data.get("seen_version"))
        except EditConflict as conflict:
            # Raised after validation: the admin has no form to attach it to any more.
            raise PermissionDenied(conflict.messages[0]) from conflict

    def apply(self, request, queryset, transition):
        done = 0
        for entry in queryset.select_related(*self.list_select_related):
            try:
                transition(entry)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{entry.display_name()}: {refusal.messages[0]}", messages.ERROR
                )
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
    exclude = ["text"]

    def get_urls(self):
        return extraction_admin.urls(self.admin_site) + super().get_urls()


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


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ["text", "text_en", "position"]
    list_editable = ["position"]


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


class TargetInline(admin.StackedInline):
    """Stacked, with the short fields side by side: as a table row the source's long name and
    the quote pushed the reasons and the delete box off a 1,366 px screen."""

    model = Target
    form = TargetForm
    extra = 0
    fieldsets = [(None, {"fields": [("year", "value", "qualifier"), "source", "quote"]})]
    fieldsets += [(None, {"fields": ["withdrawal_reason", "change_reason"]})]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 70})}
    }

    def has_delete_permission(self, request, obj=None):
        # `obj` is the indicator: once it has been public, its targets are withdrawn with a
        # published reason, never deleted.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.has_been_public())


class InterimTargetInline(admin.TabularInline):
    """Targets for a period within the year (一季度, 上半年, 前三季度, a month), beside the
    year's targets."""

    model = InterimTarget
    form = InterimTargetForm
    extra = 0
    fields = ["period_end", "value", "qualifier", "source", "quote", "confirm_above_year_target"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }


class FigureColumns:
    """A figure's value and published value in its indicator's unit and decimals
    ("400亿元"), not as the database keeps them ("400.0000")."""

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, actual):
        return figure_html(actual.value, actual.indicator)

    @admin.display(description=_("published value"), ordering="published_value")
    def shown_published_value(self, actual):
        return figure_html(actual.published_value, actual.indicator)


class ActualInline(FigureColumns, admin.TabularInline):
    """Figures are listed here for reference; they are entered and reviewed on their own
    pages, where the workflow applies."""

    model = Actual
    extra = 0
    fields = ["period_end", "shown_value", "status", "shown_published_value"]
    readonly_fields = fields
    ordering = ["-period_end"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


class SpreadsheetImportMixin(ImportMixin):
    """The admin's spreadsheet import (see kpis/resources.py): all or nothing, a dry run
    whose confirmation is signed for its user and names only a file this app wrote, and a
    page that lists problems by the sheet's row and column."""

    import_formats = [ChineseCSV, LimitedXLSX]
    import_template_name = "admin/kpis/import.html"
    import_form_class = SpreadsheetImportForm
    confirm_form_class = ConfirmSpreadsheetImportForm
    tmp_storage_class = ImportUpload

    def get_urls(self):
        app_label, model_name = self.get_model_info()
        template = path(
            "import-template/",
            self.admin_site.admin_view(self.import_template_view),
            name=f"{app_label}_{model_name}_import_template",
        )
        return [template] + super().get_urls()

    def import_template(self, request):
        """The XLSX sheet to start from, and its file name."""
        raise NotImplementedError

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        content, filename = self.import_template(request)
        response = HttpResponse(content, content_type=base_formats.XLSX.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_import_resource_kwargs(self, request, form=None, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, form=form, **kwargs)
        # The dry run fills the versions it saw into its form; the confirmation checks them.
        seen_versions = getattr(form, "seen_versions", None)
        return {**kwargs, "user": request.user, "seen_versions": seen_versions}

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, UploadRefused):
            form.add_error("import_file", str(error))
            return
        # django-import-export names the exception (in English); say what to do instead.
        form.add_error(
            "import_file",
            _(
                "The file could not be read: check that the format chosen (CSV or XLSX) "
                "is the file's."
            ),
        )

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: a row refused at the confirmation undoes the rows before it.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["import_file_name"] = ConfirmSpreadsheetImportForm.sign(
                request.user, initial["import_file_name"], import_form.seen_versions
            )
        return initial

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        expired = request.method == "POST" and not self.create_confirm_form(request).is_valid()
        try:
            if not expired:
                return super().process_import(request, **kwargs)
        except FileNotFoundError:
            pass  # confirmed twice (the first confirmation removed the file), or cleaned up
        messages.error(request, _("This import has expired. Upload the file again."))
        app_label, model_name = self.get_model_info()
        return redirect(f"admin:{app_label}_{model_name}_import")

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        messages.error(request, _("Nothing was imported."))
        form_class = self.get_import_form_class(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "opts": self.model._meta,
            "form": form_class(
                self.get_import_formats(), self.get_import_resource_classes(request)
            ),
            "result": result,
        }
        return TemplateResponse(request, [self.import_template_name], context)

    def add_success_message(self, result, request):
        totals = result.totals
        message = _("Imported: %(new)d new, %(updated)d changed.") % {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        }
        messages.success(request, f"{message} {result.skipped}".strip())


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """The units table: managers add a unit an indicator needs (its Chinese and English
    forms, its base unit and scale); a unit in use keeps its Chinese form and stays."""

    list_display = ["zh", "en", "kind", "base", "scale"]
    list_filter = ["kind"]
    search_fields = ["zh", "en"]
    list_select_related = ["base"]
    fields = ["zh", "en", "en_singular", "kind", "base", "scale"]

    def in_use(self, unit):
        return unit is not None and Indicator.objects.filter(unit=unit.zh).exists()

    def get_readonly_fields(self, request, obj=None):
        return ["zh"] if self.in_use(obj) else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.in_use(obj)


@admin.register(Indicator)
class IndicatorAdmin(DepartmentScopedAdmin, SpreadsheetImportMixin, SimpleHistoryAdmin):
    form = IndicatorForm
    prepopulated_fields = {"code": ["name_en"]}
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
    inlines = [TargetInline, InterimTargetInline, ActualInline]
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
                    "growth_basis",
                    "frequency",
                    "reported_as",
                    "release_lag_days",
                    "is_share",
                    "has_release_stages",
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
        (
            _("Discontinued (停止统计)"),
            {
                "fields": [
                    "discontinued_after",
                    "discontinued_reason",
                    "discontinued_reason_en",
                    "replaced_by",
                ],
                "classes": ["collapse"],
            },
        ),
        (None, {"fields": ["change_reason"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Its page, figures and targets have been cited: untick "shown to the public"
        # instead. (The bulk delete action asks this for every indicator selected.)
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.has_been_public())

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
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .with_year_figures(year)
            .annotate(status_year=Value(year))
        )

    @admin.display(description=_("latest published figure"), ordering="latest_any_reading")
    def latest_figure(self, indicator):
        self.judged(indicator)
        if indicator.latest is None:
            return "—"
        value = figure_html(indicator.latest.value, indicator)
        return format_html("{} ({})", value, period_label(indicator.latest.period_end, indicator))

    @admin.display(description=_("status in the year shown to the public"))
    def latest_status(self, indicator):
        result = self.judged(indicator).result
        label = f"{status_icon(result.status)} {status_label(result.status)}"
        return f"{label} ({indicator.status_year})"

    @staticmethod
    def judged(indicator):
        """The row's progress in the year shown, worked out once for its two columns."""
        if not hasattr(indicator, "result"):
            indicator.attach_progress(indicator.status_year, timezone.localdate())
        return indicator

    # Targets of a new work report, or new indicators, many at once (see TargetResource).
    resource_classes = [TargetResource, IndicatorResource]

    def has_import_permission(self, request):
        return request.user.has_perms(
            ["kpis.add_indicator", "kpis.change_indicator", "kpis.add_target", "kpis.change_target"]
        )

    def import_template(self, request):
        """A row for every indicator's target of this year, to fill in."""
        year = timezone.localdate().year
        indicators = Indicator.objects.order_by("position").visible_to(request.user)
        return targets_workbook(indicators, year), f"targets-{year}.xlsx"


@admin.register(Actual)
class ActualAdmin(
    FigureColumns,
    ReviewedEntryAdmin,
    DepartmentScopedAdmin,
    SpreadsheetImportMixin,
    ExportMixin,
    SimpleHistoryAdmin,
):
    formfield_overrides = HTTPS_URLS
    form = ActualForm
    import_export_change_list_template = "admin/kpis/actual/change_list.html"
    resource_classes = [ActualResource]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    ordering = ["indicator__theme__position", "indicator__position", "-period_end"]
    list_display = [
        "indicator",
        "period_end",
        "shown_value",
        "status",
        "shown_published_value",
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
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "revised_at",
        "explanation_requested",
        "published_explanation",
        "published_stage",
        "published_flags",
    ]
    actions = ["submit_selected", "publish_selected", "return_selected"]
    history_list_display = ["value", "status", "published_value"]

    def get_fields(self, request, obj=None):
        fields = ["indicator", "period_end", "value", "stage", "flags", "series_break_note"]
        fields += ["note", "evidence_url", *EXPLANATION_FIELDS]
        if obj is None or self.has_change_permission(request, obj):
            fields += ["confirm_unusual", "seen_version"]
        return fields + self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            super().save_model(request, obj, form, change)
        except IntegrityError:
            # Someone saved the same indicator and period between this form's validation
            # and now (only the constraint saw it): obj stays unsaved, and response_add
            # shows the form again. Once only: a second clash is not that race.
            if getattr(request, "_kpis_period_taken", False):
                raise
            request._kpis_period_taken = True

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            # Validated again, the form now meets the figure that won and says so, as the
            # entry form of /my/ does.
            return self.add_view(request)
        return super().response_add(request, obj, post_url_continue)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return request.user.has_perm("kpis.add_actual")

    def get_urls(self):
        review = path(
            "<int:pk>/review/",
            self.admin_site.admin_view(self.review_view),
            name="kpis_actual_review",
        )
        return [review] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"return_form": FigureReturnForm(), **(extra_context or {})}
        actual = self.get_object(request, object_id)
        if actual is not None and actual.status == Actual.Status.SUBMITTED:
            # The review box shows on submitted figures only; only they pay for the rule.
            context["explanation_required"] = actual.explanation_required()
        return super().change_view(request, object_id, form_url, extra_context=context)

    def review_view(self, request, pk):
        """Publish or return one figure from its change page, as the bulk actions do."""
        if request.method != "POST" or not self.has_review_permission(request):
            raise PermissionDenied
        actual = self.get_object(request, pk)
        if actual is None or not self.has_view_permission(request, actual):
            raise PermissionDenied
        form = FigureReturnForm(request.POST)
        try:
            if "publish" in request.POST:
                actual.publish(request.user)
            else:
                valid = form.is_valid()
                reason = form.cleaned_data["reason"] if valid else ""
                ask = valid and form.cleaned_data["ask_for_explanation"]
                actual.return_for_correction(request.user, reason, ask)
        except ValidationError as refusal:
            self.message_user(request, refusal.messages[0], messages.ERROR)
        else:
            actual.save()
            self.message_user(request, actual.done_message(), messages.SUCCESS)
        return redirect("admin:kpis_actual_change", actual.pk)

    def import_template(self, request):
        """The periods due for the user's departments, ready to fill in."""
        indicators = Indicator.objects.for_entry(request.user).due_work(timezone.localdate())
        return template_workbook(indicators), "figures-due.xlsx"

    @admin.action(
        description=_("Return the selected figures with a reason"), permissions=["review"]
    )
    def return_selected(self, request, queryset):
        form = FigureReturnForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason, ask = form.cleaned_data["reason"], form.cleaned_data["ask_for_explanation"]
            self.apply(
                request,
                queryset,
                lambda actual: actual.return_for_correction(request.user, reason, ask),
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

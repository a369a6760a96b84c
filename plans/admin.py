from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from kpis.forms import ChangeReasonForm
from kpis.views import BULLETIN_TYPES
from plans import reviews
from plans.imports import Refused, import_rows, read_sheet
from plans.models import Plan, PlanReview, PlanTarget

REVISED_FIELDS = {"binding", "path", "base_year", "base_value", "target_value", "qualifier"}
REVISED_FIELDS |= {"rate", "indicator"}


class PlanTargetForm(ChangeReasonForm):
    """Once its plan has been public, a target is revised only with a reason and the source
    of the new value (a mid-term adjustment is public), as annual targets are."""

    def clean(self):
        cleaned = super().clean()
        target = self.instance
        revised = REVISED_FIELDS & set(self.changed_data)
        if target.pk and revised and target.plan.has_been_public():
            source = cleaned.get("source")
            if source is None or "source" not in self.changed_data:
                self.add_error(
                    "source",
                    _(
                        "A public plan's target is revised only with the document the new "
                        "value comes from: choose its source (add it under Sources first)."
                    ),
                )
        return cleaned


class PlanTargetInline(admin.StackedInline):
    model = PlanTarget
    form = PlanTargetForm
    extra = 0
    autocomplete_fields = ["indicator"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("indicator", "binding", "path"),
                    ("base_year", "base_value"),
                    ("target_value", "qualifier", "rate"),
                    "quote",
                    "source",
                    "change_reason",
                    "position",
                ]
            },
        )
    ]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 70})}
    }

    def has_delete_permission(self, request, obj=None):
        # `obj` is the plan: once public, its targets are revised in the open, never deleted.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.has_been_public())


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("XLSX, or CSV in UTF-8 or GBK.")
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and save nothing"),
        required=False,
        initial=True,
    )


class PlanReviewForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        help_text=gettext_lazy(
            "A day of the plan's years; a day still to come makes a rehearsal (YYYY-MM-DD)."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("zh", "中文"), ("en", "English")],
    )


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "start_year", "end_year", "is_public"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["source"]
    autocomplete_fields = ["source"]
    inlines = [PlanTargetInline]

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.has_been_public())

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            reason = getattr(inline_form, "cleaned_data", {}).get("change_reason")
            inline_form.instance._change_reason = reason or ""
        super().save_formset(request, form, formset, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        review = self.admin_site.admin_view(self.review_view)
        return [
            path("import/", view, name="plans_plan_import"),
            path("<int:pk>/review/", review, name="plans_plan_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, pk):
        """The mid-term or final review, made and stored as `manage.py plan_review` does."""
        plan = Plan.objects.filter(pk=pk).first()
        # Those who read the reviews make them: reviewers and managers (plans.roles).
        if plan is None or not request.user.has_perm("plans.view_planreview"):
            raise PermissionDenied
        form = PlanReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            language = reviews.LANGUAGES[form.cleaned_data["language"]]
            try:
                review = reviews.make(plan.code, form.cleaned_data["as_of"], language, request.user)
            except ValueError as refusal:
                form.add_error("as_of", str(refusal))
            else:
                messages.success(request, _("Review made: %(review)s") % {"review": review})
                return redirect("admin:plans_planreview_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Make a review of %(plan)s") % {"plan": plan},
            "form": form,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/plans/plan/review.html", context)

    def import_view(self, request):
        """The sheet import (plans.imports), as `manage.py import_plan_targets` runs it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PlanImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                outcome = import_rows(read_sheet(upload.read(), upload.name), dry_run=dry_run)
            except Refused as refused:
                problems = refused.problems
            else:
                done = _("%(created)d targets new, %(changed)d changed, %(unchanged)d unchanged.")
                text = done % {
                    "created": outcome.targets_created,
                    "changed": outcome.targets_changed,
                    "unchanged": outcome.targets_unchanged,
                }
                if dry_run:
                    messages.info(request, _("Dry run, nothing saved: %s") % text)
                else:
                    messages.success(request, text)
                    return redirect("admin:plans_plan_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import plan targets"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/plans/plan/import.html", context)


@admin.register(PlanReview)
class PlanReviewAdmin(admin.ModelAdmin):
    list_display = ["plan", "as_of", "language", "rehearsal", "made_by", "created_at", "files"]
    list_filter = ["plan", "language", "rehearsal"]
    list_select_related = ["plan", "made_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("docx", "pdf")

    def has_add_permission(self, request):
        return False  # made from its plan ("Make a review") or by the command

    def has_change_permission(self, request, obj=None):
        return False  # kept exactly as made

    @admin.display(description=gettext_lazy("Files"))
    def files(self, review):
        links = [
            (reverse("admin:plans_planreview_file", args=[review.pk, kind]), label)
            for kind, label in (("docx", "Word"), ("pdf", "PDF"))
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self):
        view = self.admin_site.admin_view(self.file_view)
        return [
            path("<int:pk>/<str:file_format>/", view, name="plans_planreview_file"),
            *super().get_urls(),
        ]

    def file_view(self, request, pk, file_format):
        review = PlanReview.objects.filter(pk=pk).select_related("plan").first()
        if review is None or file_format not in BULLETIN_TYPES:
            raise PermissionDenied
        if not self.has_view_permission(request, review):
            raise PermissionDenied
        response = HttpResponse(bytes(getattr(review, file_format)), BULLETIN_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{review.file_name(file_format)}"'
        return response

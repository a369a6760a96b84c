from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import Actual, Department, Indicator, Source, Target, Theme
from kpis.templatetags.kpis_tags import figure, status_icon, status_label

admin.site.site_header = _("Guangming District targets tracker")
admin.site.site_title = _("Targets tracker administration")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "author"]
    search_fields = ["title", "publisher", "author"]
    date_hierarchy = "published_on"


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"code": ["name_en"]}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code"]
    search_fields = ["name", "name_en", "code"]
    filter_horizontal = ["members"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["year", "value", "qualifier", "source", "quote"]


class ActualInline(admin.TabularInline):
    model = Actual
    extra = 0
    fields = ["period_end", "value", "status", "note", "evidence_url"]
    ordering = ["-period_end"]
    show_change_link = True


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
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
            {"fields": ["unit", "decimals", "direction", "value_type", "frequency", "position"]},
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
    ]

    def get_queryset(self, request):
        # Status is judged against the latest year that has targets; the annotations carry
        # everything the progress rules need, so the list costs no query per row.
        year = Target.objects.latest_year() or timezone.localdate().year
        latest = Actual.objects.published().filter(indicator=OuterRef("pk"))
        latest = latest.order_by("-period_end")
        return (
            super()
            .get_queryset(request)
            .with_year_figures(year)
            .annotate(
                status_year=Value(year),
                latest_published_value=Subquery(latest.values("value")[:1]),
                latest_published_end=Subquery(latest.values("period_end")[:1]),
            )
        )

    @admin.display(description=_("latest published figure"), ordering="latest_published_end")
    def latest_figure(self, indicator):
        if indicator.latest_published_value is None:
            return "—"
        value = figure(indicator.latest_published_value, indicator)
        return f"{value} ({indicator.latest_published_end:%Y-%m})"

    @admin.display(description=_("status in the latest target year"))
    def latest_status(self, indicator):
        result = indicator.year_progress(indicator.status_year)
        label = f"{status_icon(result.status)} {status_label(result.status)}"
        return f"{label} ({indicator.status_year})"


@admin.register(Actual)
class ActualAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period_end", "value", "status", "entered_by", "reviewed_at"]
    list_filter = ["status", "indicator__theme", "indicator__department"]
    search_fields = ["indicator__name", "indicator__name_en", "indicator__code"]
    list_select_related = ["indicator", "entered_by"]
    date_hierarchy = "period_end"
    autocomplete_fields = ["indicator"]
    readonly_fields = ["entered_by", "reviewed_by", "reviewed_at", "created_at", "updated_at"]
    actions = ["publish_selected"]

    def save_model(self, request, obj, form, change):
        if obj.entered_by is None:
            obj.entered_by = request.user
        if obj.status == Actual.Status.PUBLISHED and obj.reviewed_at is None:
            obj.publish(request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected figures"))
    def publish_selected(self, request, queryset):
        published = 0
        for actual in queryset.exclude(status=Actual.Status.PUBLISHED):
            actual.publish(request.user)
            actual.save()
            published += 1
        self.message_user(
            request, _("%(count)d figures published.") % {"count": published}, messages.SUCCESS
        )

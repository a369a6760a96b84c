import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.models import STATUS_ORDER, Department, Indicator, Theme
from kpis.templatetags.kpis_tags import status_label


class LocalizedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class LocalizedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LocalizedChoiceField


class ProgressFilter(django_filters.FilterSet):
    """Filters of the public table. Theme and department narrow the query; the status is
    judged in Python from the figures after the query, so the view applies that one."""

    theme = LocalizedModelChoiceFilter(
        label=_("Theme"),
        to_field_name="code",
        queryset=Theme.objects.filter(indicators__is_public=True).distinct(),
        empty_label=_("All themes"),
    )
    department = LocalizedModelChoiceFilter(
        label=_("Department"),
        to_field_name="code",
        queryset=Department.objects.filter(indicators__is_public=True).distinct(),
        empty_label=_("All departments"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status.value, status_label(status)) for status in STATUS_ORDER],
        empty_label=_("All statuses"),
        method="judged_after_the_query",
    )

    class Meta:
        model = Indicator
        fields = ["theme", "department", "status"]

    def judged_after_the_query(self, queryset, name, value):
        return queryset

    def keep_status(self, rows):
        status = self.form.cleaned_data.get("status") if self.is_valid() else None
        if not status:
            return rows
        return [row for row in rows if row.target_value is not None and row.result.status == status]

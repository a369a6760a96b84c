import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from kpis.models import Department, Indicator, Judgement, Theme
from kpis.progress import STATUS_ORDER
from kpis.templatetags.kpis_tags import status_label


class PlainSelect(forms.Select):
    """A flat <select> written out in Python. Django's widget templates render each option
    through a template of its own, about 0.1 ms an option; the public page has three of
    these lists, and the department list grows with the district (docs/performance.md,
    "Where the time of `/` at 1,000 indicators goes")."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class LocalizedChoiceField(forms.ModelChoiceField):
    widget = PlainSelect

    def label_from_instance(self, obj):
        return obj.display_name


class LocalizedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LocalizedChoiceField


class ProgressFilter(django_filters.FilterSet):
    """Filters of the public table, over the indicators' judged rows of the year shown
    (Judgement): theme and department narrow the indicators, the status their verdict. The
    summary counts what the first two let through (`before_status`), the table what all
    three do (`qs`)."""

    theme = LocalizedModelChoiceFilter(
        label=_("Theme"),
        field_name="indicator__theme",
        to_field_name="code",
        queryset=Theme.objects.filter(
            Exists(Indicator.objects.public().filter(theme=OuterRef("pk")))
        ),
        empty_label=_("All themes"),
    )
    department = LocalizedModelChoiceFilter(
        label=_("Department"),
        field_name="indicator__department",
        to_field_name="code",
        queryset=Department.objects.filter(
            Exists(Indicator.objects.public().filter(department=OuterRef("pk")))
        ),
        empty_label=_("All departments"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status.value, status_label(status)) for status in STATUS_ORDER],
        empty_label=_("All statuses"),
        widget=PlainSelect,
    )

    class Meta:
        model = Judgement
        fields = ["theme", "department", "status"]

    def narrows_indicators(self):
        """A theme or a department is chosen: fewer indicators than all the public ones."""
        return self.is_valid() and any(
            self.form.cleaned_data.get(f) for f in ("theme", "department")
        )

    def before_status(self):
        """The judged rows of the theme and department chosen, whatever their status."""
        if not self.narrows_indicators():
            return self.queryset
        queryset = self.queryset
        for name in ("theme", "department"):
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data.get(name))
        return queryset

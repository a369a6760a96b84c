import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.templatetags.kpis_tags import (
    bar_width,
    figure,
    percent,
    qualified,
    status_badge,
)

MUTED = '<span class="muted">{}</span>'


class ProgressTable(tables.Table):
    """The public progress table. Rows are indicators from `progress_rows(year)`: annotated
    with their year's figures and carrying `result`, so no cell costs a query. Cells are
    rendered in Python rather than one template per cell: at 50 rows that is most of the
    page's time saved, and every column still sorts through its `order_by`."""

    # empty_values=(): every cell goes through its render method, which words the blanks.
    name = tables.Column(
        verbose_name=gettext_lazy("Indicator"),
        accessor="code",
        order_by=("theme__position", "position"),
        empty_values=(),
    )
    baseline = tables.Column(
        verbose_name=gettext_lazy("Baseline"), accessor="baseline_value", empty_values=()
    )
    target = tables.Column(
        verbose_name=gettext_lazy("Target"), accessor="target_value", empty_values=()
    )
    actual = tables.Column(
        verbose_name=gettext_lazy("Latest published figure"),
        accessor="result__current",
        empty_values=(),
    )
    attainment = tables.Column(
        verbose_name=gettext_lazy("Attainment"), accessor="result__attainment", empty_values=()
    )
    status = tables.Column(
        verbose_name=gettext_lazy("Status"), order_by="status_rank", empty_values=()
    )

    class Meta:
        attrs = {"class": "progress-table"}
        orderable = True
        empty_text = gettext_lazy("No indicator has a target for this year.")

    def row_cells(self, record):
        """The cells of a row straight from the render methods: django-tables2's generic
        per-cell path costs as much as the rest of the page at 50 rows."""
        if not hasattr(self, "_cell_renderers"):
            # Headers are lazy translations: translated and escaped once, not once per cell.
            self._cell_renderers = [
                (conditional_escape(column.header), getattr(self, f"render_{column.name}"))
                for column in self.columns
            ]
        return format_html_join(
            "",
            '<td data-label="{}">{}</td>',
            ((header, render(record)) for header, render in self._cell_renderers),
        )

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a><span class="theme-name">{}</span>',
            record.get_absolute_url(),
            record.display_name,
            record.theme.display_name,
        )

    def render_baseline(self, record):
        if record.baseline_value is None:
            return format_html(MUTED, _("not given"))
        return format_html(
            '{} <span class="muted">({})</span>',
            qualified(record.baseline_value, record.baseline_qualifier, record),
            record.baseline_year,
        )

    def render_target(self, record):
        if record.target_withdrawn_at is not None:
            target, mark = format_html(MUTED, _("no target")), _("withdrawn")
        elif record.target_value is None:
            return format_html(MUTED, _("no target"))
        elif record.target_revised:
            target = qualified(record.target_value, record.target_qualifier, record)
            mark = _("revised")
        else:
            return qualified(record.target_value, record.target_qualifier, record)
        return format_html(
            '{} <a class="revised-mark" href="{}#revisions">{}</a>',
            target,
            record.get_absolute_url(),
            mark,
        )

    def render_actual(self, record):
        result = record.result
        if result.current is None:
            return format_html(MUTED, _("none published"))
        return format_html("{} " + MUTED, figure(result.current, record), self.as_of(result.as_of))

    def as_of(self, day):
        """ "as of June 2024", worded once a table for each date (most rows share a few)."""
        if not hasattr(self, "_as_of"):
            self._as_of = {}
        if day not in self._as_of:
            month = date_format(day, "YEAR_MONTH_FORMAT")
            self._as_of[day] = _("as of %(date)s") % {"date": month}
        return self._as_of[day]

    def render_attainment(self, record):
        result = record.result
        if result.attainment is None:
            return format_html(MUTED, "—")
        expected = result.expected_attainment
        pace_mark = note = ""
        if expected is not None:
            pace_mark = format_html(
                '<rect class="bar-pace" x="{}" y="0" width="1.5" height="10"/>',
                bar_width(expected),
            )
            note = format_html(
                '<span class="muted small">{}</span>',
                _("expected by now: %(expected)s") % {"expected": percent(expected)},
            )
        return format_html(
            '<span class="attainment-value">{}</span>'
            '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false"><rect class="bar-track" width="100" '
            'height="10"/><rect class="bar-fill status-{}" width="{}" height="10"/>{}</svg>{}',
            percent(result.attainment),
            result.status,
            bar_width(result.attainment),
            pace_mark,
            note,
        )

    def render_status(self, record):
        if record.target_value is None:
            return status_badge("no_data", _("No target this year"))
        return status_badge(record.result.status)

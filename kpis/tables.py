import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.templatetags.kpis_tags import (
    bar_width,
    change_words,
    figure,
    percent,
    period_label,
    qualified,
    status_badge,
    status_label,
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
        empty_text = gettext_lazy("No indicator is published yet.")

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
        if record.target_value is None:
            return format_html(MUTED, _("no target"))
        target = qualified(record.target_value, record.target_qualifier, record)
        if not record.target_revised:
            return target
        return format_html(
            '{} <a class="revised-mark" href="{}#revisions">{}</a>',
            target,
            record.get_absolute_url(),
            _("revised"),
        )

    def render_actual(self, record):
        """The year's figure with its period; or, with none that year, the latest figure of
        any year and how it compares. Either way a figure whose next periods are overdue
        says so."""
        result = record.result
        latest = record.latest
        if result.current is None and latest is None:
            return format_html(MUTED, _("none published"))
        if result.current is not None:
            shown = format_html(
                "{} " + MUTED, figure(result.current, record), self.period(result.as_of, record)
            )
        else:
            shown = format_html(
                "{} " + MUTED + "{}",
                figure(latest.value, record),
                self.period(latest.period_end, record),
                format_html(' <span class="change">{}</span>', change_words(record))
                if record.change
                else "",
            )
        if latest is not None and result.current is not None and latest.period_end > result.as_of:
            shown = format_html(
                '{}<span class="muted small">{}</span>',
                shown,
                _("latest: %(value)s, %(period)s")
                % {
                    "value": figure(latest.value, record),
                    "period": self.period(latest.period_end, record),
                },
            )
        if record.stale:
            shown = format_html(
                '{}<span class="stale small">{}</span>',
                shown,
                _("Latest figure is for %(period)s; later periods are not yet published.")
                % {"period": self.period(latest.period_end, record)},
            )
        return shown

    def period(self, day, record):
        """A period's name ("2026年一季度"), worded once a table for each date and kind."""
        if not hasattr(self, "_periods"):
            self._periods = {}
        key = (day, record.frequency, record.reported_as)
        if key not in self._periods:
            self._periods[key] = period_label(day, record)
        return self._periods[key]

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
        result = record.result
        if result.final_pending:
            due = date_format(result.final_due, "MONTH_DAY_FORMAT")
            return status_badge(
                result.status,
                _("Year-end figure not yet published (due by %(date)s)") % {"date": due},
            )
        if record.stale and result.as_of is not None and not result.year_closed:
            # An old figure's pace is no news about today.
            label = _("%(status)s as of %(period)s") % {
                "status": status_label(result.status),
                "period": self.period(result.as_of, record),
            }
            return status_badge(result.status, label)
        return status_badge(result.status)

import django_tables2 as tables
from django.db.models import F
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.progress import Status
from kpis.templatetags.kpis_tags import (
    bar_width,
    change_words,
    figure,
    figure_html,
    overdue_words,
    percent,
    period_label,
    qualified_html,
    status_badge,
    status_label,
)

MUTED = '<span class="muted">{}</span>'


# The order of indicators everyone sees, which breaks every tie of a sorted column.
PUBLIC_ORDER = ("indicator__theme__position", "indicator__position", "indicator__code")


class ProgressTable(tables.Table):
    """The public progress table. Its data are the indicators' judged rows of the year
    (Judgement), which the database sorts, counts and pages; the 50 rows of the page shown
    are then built as ProgressRows by the view and handed over with `show(rows)` (annotated
    with their year's figures and carrying `result`, so no cell costs a query). Cells are
    rendered in Python rather than one template per cell: at 50 rows that is most of the
    page's time saved (docs/performance.md)."""

    # empty_values=(): every cell goes through its render method, which words the blanks.
    name = tables.Column(
        verbose_name=gettext_lazy("Indicator"),
        order_by=("indicator__theme__position", "indicator__position"),
        empty_values=(),
    )
    baseline = tables.Column(
        verbose_name=gettext_lazy("Baseline"),
        order_by="indicator__baseline_value",
        empty_values=(),
    )
    target = tables.Column(
        verbose_name=gettext_lazy("Target"), order_by="target_value", empty_values=()
    )
    actual = tables.Column(
        verbose_name=gettext_lazy("Latest published figure"), order_by="current", empty_values=()
    )
    attainment = tables.Column(
        verbose_name=gettext_lazy("Attainment"), order_by="attainment", empty_values=()
    )
    status = tables.Column(
        verbose_name=gettext_lazy("Status"), order_by="status_rank", empty_values=()
    )

    class Meta:
        attrs = {"class": "progress-table"}
        orderable = True
        empty_text = gettext_lazy("No indicator is published yet.")

    # Rows without a value come last whichever way a column sorts, on SQLite (where NULL is
    # the smallest value) and PostgreSQL (the largest) alike.
    def order_baseline(self, queryset, is_descending):
        return self.empty_last(queryset, "indicator__baseline_value", is_descending)

    def order_target(self, queryset, is_descending):
        return self.empty_last(queryset, "target_value", is_descending)

    def order_actual(self, queryset, is_descending):
        return self.empty_last(queryset, "current", is_descending)

    def order_attainment(self, queryset, is_descending):
        return self.empty_last(queryset, "attainment", is_descending)

    @staticmethod
    def empty_last(queryset, field, is_descending):
        value = F(field)
        order = value.desc(nulls_last=True) if is_descending else value.asc(nulls_last=True)
        return queryset.order_by(order, *PUBLIC_ORDER), True

    def order_status(self, queryset, is_descending):
        # Ties follow the public order: never the judged rows' ids, which a save renews.
        rank = F("status_rank").desc() if is_descending else F("status_rank").asc()
        return queryset.order_by(rank, *PUBLIC_ORDER), True

    def show(self, rows):
        """The ProgressRows of the judged rows on the page shown, built once by the view."""
        self.progress_rows = {row.id: row for row in rows}

    def row_cells(self, judgement):
        """The cells of a row straight from the render methods: django-tables2's generic
        per-cell path costs as much as the rest of the page at 50 rows."""
        record = self.progress_rows[judgement.indicator_id]
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
            self.link(record),
            record.display_name,
            record.theme.display_name,
        )

    def link(self, record):
        """The indicator's page on the year this table shows."""
        return f"{record.get_absolute_url()}?year={record.result.year}"

    def render_baseline(self, record):
        if record.baseline_value is None:
            return format_html(MUTED, _("not given"))
        return format_html(
            '{} <span class="muted">({})</span>',
            qualified_html(record.baseline_value, record.baseline_qualifier, record),
            record.baseline_year,
        )

    def render_target(self, record):
        if record.target_withdrawn_at is not None:
            target, mark = format_html(MUTED, _("no target")), _("withdrawn")
        elif record.target_value is None:
            return format_html(MUTED, _("no target"))
        elif record.target_revised:
            target = qualified_html(record.target_value, record.target_qualifier, record)
            mark = _("revised")
        else:
            return qualified_html(record.target_value, record.target_qualifier, record)
        return format_html(
            '{} <a class="revised-mark" href="{}#revisions">{}</a>',
            target,
            self.link(record),
            mark,
        )

    def render_actual(self, record):
        """The year's figure with its period, else the latest figure of any year; the
        latest figure where it is later; how the latest figure compares where the year has
        no target; and, where the periods after it are overdue, that it is stale."""
        result = record.result
        latest = record.latest
        if result.current is None and latest is None:
            return format_html(MUTED, _("none published"))
        if result.current is not None:
            value, day = result.current, result.as_of
        else:
            value, day = latest.value, latest.period_end
        shown = format_html("{} " + MUTED, figure_html(value, record), self.period(day, record))
        # The change belongs to the latest figure: it is written beside it, never beside
        # the year's figure.
        change = ""
        if record.change and (result.current is None or result.target is None):
            change = change_words(record)
        if latest.period_end > day:
            latest_words = _("latest: %(value)s, %(period)s") % {
                "value": figure(latest.value, record),
                "period": self.period(latest.period_end, record),
            }
            if change:
                latest_words = _("%(latest)s, %(change)s") % {
                    "latest": latest_words,
                    "change": change,
                }
            shown = format_html('{}<span class="muted small">{}</span>', shown, latest_words)
        elif change:
            shown = format_html('{} <span class="change">{}</span>', shown, change)
        # A closed year's verdict does not wait for later periods, and an overdue status
        # says so itself.
        if record.stale and not result.year_closed and result.status != Status.OVERDUE:
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
        # A closed year is judged on its final figure: no pace is expected of it any more.
        expected = None if result.year_closed else result.expected_attainment
        pace_mark = note = ""
        if expected is not None:
            pace_mark = format_html(
                '<rect class="bar-pace" x="{}" y="0" width="1.5" height="10"/>',
                bar_width(expected),
            )
            note = format_html(
                '<span class="muted small">{}</span>',
                self.expected_words(record, expected),
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

    def expected_words(self, record, expected):
        """The pace's share by the latest period, named: the pace is measured at the
        figure's own period, which is not today (docs/open-data.md, `expected`)."""
        return _("expected by %(period)s: %(expected)s") % {
            "period": self.period(record.result.as_of, record),
            "expected": percent(expected),
        }

    def render_status(self, record):
        result = record.result
        if result.status == Status.OVERDUE:
            return status_badge(result.status, overdue_words(result, record))
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

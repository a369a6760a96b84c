from decimal import Decimal

from django import template
from django.urls import translate_url
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from kpis import progress
from kpis.models import Indicator, Qualifier, in_language

register = template.Library()


UNIT_WORDS = {
    Indicator.Unit.ENTERPRISES: pgettext_lazy("unit after a number", "enterprises"),
    Indicator.Unit.YI_YUAN: pgettext_lazy("unit after a number", "× 100 million yuan"),
    Indicator.Unit.ITEMS: pgettext_lazy("unit after a number", "items"),
    Indicator.Unit.PEOPLE: pgettext_lazy("unit after a number", "people"),
    Indicator.Unit.FUNDS: pgettext_lazy("unit after a number", "funds"),
}


def unit_label(unit):
    return str(UNIT_WORDS.get(unit, unit))


@register.filter
def figure(value, indicator):
    """A value in the indicator's unit and decimals: "2,000家" / "2,000 enterprises"."""
    if value is None:
        return "—"
    number = number_format(
        Decimal(value).quantize(Decimal(1).scaleb(-indicator.decimals)),
        decimal_pos=indicator.decimals,
        use_l10n=True,
        force_grouping=True,
    )
    english = not get_language().startswith("zh")
    label = indicator.unit_en if english and indicator.unit_en else unit_label(indicator.unit)
    if label == "%" or label == indicator.unit:
        return f"{number}{label}"
    return f"{number} {label}"


@register.simple_tag
def qualified(value, qualifier, indicator):
    """A figure with the source's qualifier written out: "超过400亿元" / "more than 400 …"."""
    if value is None:
        return _("not given")
    words = {Qualifier.OVER: _("more than"), Qualifier.ABOUT: _("about")}.get(qualifier, "")
    text = figure(value, indicator)
    if not words:
        return text
    # Chinese writes the qualifier against the number (超过400亿元); English needs a space.
    return f"{words}{text}" if get_language().startswith("zh") else f"{words} {text}"


@register.filter(name="in_language")
def in_language_filter(chinese, english):
    """A bilingual field in the page's language: {{ row.name|in_language:row.name_en }}."""
    return in_language(chinese, english)


@register.filter
def percent(ratio):
    return "—" if ratio is None else progress.percent(Decimal(ratio))


@register.filter
def bar_width(ratio):
    """Bars are capped at 100% (raw attainment is kept and shown as text)."""
    if ratio is None:
        return 0
    return max(0, min(100, int(Decimal(ratio) * 100)))


STATUS_TEXT = {
    "achieved": (gettext_lazy("Achieved"), "★"),
    "on_track": (gettext_lazy("On track"), "✓"),
    "at_risk": (gettext_lazy("At risk"), "!"),
    "behind": (gettext_lazy("Behind"), "✕"),
    "no_data": (gettext_lazy("No data yet"), "–"),
    "unknown_pace": (gettext_lazy("Pace not yet known"), "?"),
    "no_target": (gettext_lazy("No target this year"), "·"),
    "missed": (gettext_lazy("Missed"), "✕"),
    "no_final_figure": (gettext_lazy("No year-end figure"), "…"),
}


QUARTERS = {3: "一", 6: "二", 9: "三", 12: "四"}


@register.filter
def period_label(period_end, indicator):
    """A reporting period as statistics name it: "2026年一季度", "2026年1–6月累计" for a
    figure of the year so far; "Q1 2026", "Jan–Jun 2026 (year to date)"."""
    chinese = get_language().startswith("zh")
    year, month = period_end.year, period_end.month
    if indicator.reported_as == Indicator.ReportedAs.YEAR_TO_DATE and month != 1:
        if chinese:
            return f"{year}年1–{month}月累计"
        return _("Jan–%(month)s %(year)s (year to date)") % {
            "month": date_format(period_end, "M"),
            "year": year,
        }
    if indicator.frequency == Indicator.Frequency.ANNUAL:
        return f"{year}年" if chinese else str(year)
    if indicator.frequency == Indicator.Frequency.QUARTERLY:
        if chinese:
            return f"{year}年{QUARTERS[month]}季度"
        return f"Q{month // 3} {year}"
    return f"{year}年{month}月" if chinese else date_format(period_end, "YEAR_MONTH_FORMAT")


@register.filter
def signed_percent(share):
    """A relative change as "+4.3%" / "−2.0%"."""
    if share is None:
        return "—"
    text = f"{Decimal(share) * 100:+.1f}%"
    return text.replace("-", "−")


@register.simple_tag
def change_words(row):
    """How the latest figure compares: "较2023年基期 +4.3%" / "+4.3% on the 2023 baseline"."""
    change = row.change
    if change is None or change.share is None:
        return ""
    share = signed_percent(change.share)
    year = change.start.period_end.year
    if change.is_baseline:
        return _("%(share)s on the %(year)s baseline") % {"share": share, "year": year}
    return _("%(share)s on the %(year)s year-end figure") % {"share": share, "year": year}


@register.filter
def status_label(status):
    return STATUS_TEXT[status][0]


@register.filter
def status_icon(status):
    return STATUS_TEXT[status][1]


@register.simple_tag
def status_badge(status, label=None):
    """A status as the pages show it: its icon (hidden from screen readers) and its words."""
    return format_html(
        '<span class="status status-{}"><span class="status-icon" aria-hidden="true">{}'
        "</span> {}</span>",
        status,
        status_icon(status),
        status_label(status) if label is None else label,
    )


@register.simple_tag(takes_context=True)
def page_in_language(context, language):
    """This page's address in another language, query string kept."""
    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.filter
def duration_words(delta):
    """A cool-off period in words: "30 minutes"."""
    minutes = int(delta.total_seconds() // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@register.simple_tag
def table_rows(table):
    """The rows of a table's page, each cell labelled with its column for the phone layout.
    One tag for the whole body rather than a template loop: at 50 rows the loop cost as much
    as a column. Tables with a `row_cells` method render their cells themselves (see
    ProgressTable); django-tables2's even/odd row classes are left out (unstyled here)."""
    return format_html_join(
        "", "<tr>{}</tr>", ((row_cells(table, row),) for row in table.paginated_rows)
    )


def row_cells(table, row):
    if hasattr(table, "row_cells"):
        return table.row_cells(row.record)
    return format_html_join(
        "", '<td data-label="{}">{}</td>', ((column.header, cell) for column, cell in row.items())
    )

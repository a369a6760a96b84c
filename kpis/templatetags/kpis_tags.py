from decimal import Decimal

from django import template
from django.urls import translate_url
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from kpis import progress
from kpis.models import EXPLANATION_PARTS, Indicator, Qualifier, in_language

register = template.Library()


UNIT_WORDS = {
    Indicator.Unit.ENTERPRISES: pgettext_lazy("unit after a number", "enterprises"),
    Indicator.Unit.ITEMS: pgettext_lazy("unit after a number", "items"),
    Indicator.Unit.PEOPLE: pgettext_lazy("unit after a number", "people"),
    Indicator.Unit.FUNDS: pgettext_lazy("unit after a number", "funds"),
}
BILLION_YUAN = pgettext_lazy("unit after a number", "billion yuan")
MILLION_YUAN = pgettext_lazy("unit after a number", "million yuan")


def unit_label(unit):
    return str(UNIT_WORDS.get(unit, unit))


def number(value, decimals):
    """`value` rounded to `decimals` places, trailing zeros dropped, grouped in the page's
    style: 400.0 -> "400", 2000 -> "2,000", 7.50 -> "7.5"."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
    places = max(0, -rounded.normalize().as_tuple().exponent)
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def english_yuan(value, decimals):
    """An amount in 亿元 as English writes it: 400 -> "40 billion yuan", 1.5 -> "150
    million yuan" (1亿元 is 100 million yuan)."""
    value = Decimal(value)
    if abs(value) >= 10:
        return f"{number(value / 10, decimals + 1)} {BILLION_YUAN}"
    return f"{number(value * 100, max(decimals - 2, 0))} {MILLION_YUAN}"


def figure(value, indicator):
    """A value in the indicator's unit and decimals, as plain text for sentences and files:
    "400亿元", "2,000家", "40 billion yuan", "2,000 enterprises"."""
    if value is None:
        return "—"
    english = not get_language().startswith("zh")
    if english and indicator.unit == Indicator.Unit.YI_YUAN and not indicator.unit_en:
        return english_yuan(value, indicator.decimals)
    text = number(value, indicator.decimals)
    label = indicator.unit_en if english and indicator.unit_en else unit_label(indicator.unit)
    if label == "%" or label == indicator.unit:
        return f"{text}{label}"
    return f"{text} {label}"


@register.filter(name="figure")
def figure_html(value, indicator):
    """A figure as pages show it (see `figure`); in English an amount of 亿元 keeps the
    Chinese wording in its title: <span title="400亿元">40 billion yuan</span>. Only for
    markup: a sentence that takes a figure takes `figure`'s plain text."""
    text = figure(value, indicator)
    if value is None or indicator.unit != Indicator.Unit.YI_YUAN or get_language().startswith("zh"):
        return text
    chinese = f"{number(value, indicator.decimals)}{indicator.unit}"
    return format_html('<span title="{}">{}</span>', chinese, text)


@register.filter(name="figure_text")
def figure_text(value, indicator):
    """A figure where no markup may go in a template (an SVG title, an attribute)."""
    return figure(value, indicator)


@register.filter
def signed_figure(change, indicator):
    """A change in the indicator's unit with its sign: "+12家", "−3.5 …"."""
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return format_html("{}{}", sign, figure_html(abs(change), indicator))


def qualified(value, qualifier, indicator, shown=figure):
    """A figure with the source's qualifier written out: "超过400亿元" / "more than 40 billion
    yuan"; plain text, or markup where `shown` is `figure_html`."""
    if value is None:
        return _("not given")
    words = {Qualifier.OVER: _("more than"), Qualifier.ABOUT: _("about")}.get(qualifier, "")
    text = shown(value, indicator)
    if not words:
        return text
    # Chinese writes the qualifier against the number (超过400亿元); English needs a space.
    joined = "{}{}" if get_language().startswith("zh") else "{} {}"
    return format_html(joined, words, text) if shown is figure_html else joined.format(words, text)


@register.simple_tag(name="qualified")
def qualified_html(value, qualifier, indicator):
    """`qualified` as pages show it, with the Chinese amount in the title in English."""
    return qualified(value, qualifier, indicator, shown=figure_html)


@register.simple_tag
def explanation_parts(explanation):
    """A public explanation (the open data's shape) as (label, text, lang) parts: on English
    pages each part in English where it has been written, else in Chinese."""
    if not explanation:
        return []
    english = (get_language().startswith("en") and explanation.get("en")) or {}
    parts = []
    for part, label in EXPLANATION_PARTS:
        if english.get(part):
            parts.append((label, english[part], "en"))
        elif explanation.get(part):
            parts.append((label, explanation[part], "zh-Hans"))
    return parts


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

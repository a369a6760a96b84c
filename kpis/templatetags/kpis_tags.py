from decimal import Decimal

from django import template
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from kpis import progress
from kpis.models import EXPLANATION_PARTS, Indicator, Qualifier, in_language

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


@register.filter
def signed_figure(change, indicator):
    """A change in the indicator's unit with its sign: "+12家", "−3.5 …"."""
    text = figure(abs(change), indicator)
    return f"+{text}" if change > 0 else f"−{text}" if change < 0 else text


@register.filter
def signed_percent(share):
    """A share of change with its sign: "+12%", "−4%"."""
    text = progress.percent(abs(Decimal(share)))
    return f"+{text}" if share > 0 else f"−{text}" if share < 0 else text


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


@register.simple_tag
def explanation_parts(explanation):
    """A public explanation (the open data's shape) in the page's language where it has
    that version: {"lang": ..., "parts": [(label, text), ...]}; None without one."""
    if not explanation:
        return None
    english = get_language().startswith("en") and explanation.get("en")
    version = explanation["en"] if english else explanation
    parts = [(label, version[part]) for part, label in EXPLANATION_PARTS if version.get(part)]
    return {"lang": "en" if english else "zh-Hans", "parts": parts}


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
}


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

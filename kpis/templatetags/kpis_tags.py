import datetime
from decimal import Decimal

from django import template
from django.urls import translate_url
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from kpis import evidence, periods, plausibility, progress
from kpis.bilingual import in_language
from kpis.models import EXPLANATION_PARTS, Indicator, unit_scale
from kpis.scales import MAGNITUDES, english_amount
from kpis.vocabulary import QUALIFIER_WORDS, Colour

register = template.Library()


def unit_label(unit, unit_en=""):
    """A unit as a page of the active language names it after a number: 万元 / "10,000
    yuan"; `unit_en`, an indicator's own English word, wins in English."""
    if get_language().startswith("zh"):
        return unit
    return unit_en or unit_scale(unit).en


@register.filter(name="unit_name")
def unit_name(indicator):
    """The indicator's unit in the page's language: 亿元, "100 million yuan"."""
    return unit_label(indicator.unit, indicator.unit_en)


def number(value, decimals, grouped=False):
    """`value` rounded to `decimals` places, trailing zeros dropped, grouped in the page's
    style: 400.0 -> "400", 2000 -> "2,000", 7.50 -> "7.5"; `grouped`: by thousands with
    commas whatever the page's language (Chinese pages otherwise group none)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
    places = max(0, -rounded.normalize().as_tuple().exponent)
    if grouped:
        return f"{rounded:,.{places}f}"
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def writes_in_base_unit(indicator):
    """Whether English writes this indicator's figures in the base unit of its unit
    ("120 million yuan" for 1.2亿元): a scaled unit without an English word of its own."""
    return not indicator.unit_en and unit_scale(indicator.unit).is_scaled


def axis_unit(indicator):
    """(the unit a chart's axis names, what its values are divided by) in the page's
    language and scale: "亿元" and 1 in Chinese, "billion yuan" and 10 in English (400亿元
    is 40 billion yuan, as the sentences beside the chart write it)."""
    if get_language().startswith("zh"):
        return indicator.unit, 1
    unit = unit_scale(indicator.unit)
    if writes_in_base_unit(indicator):
        # The English magnitude just above the unit, as the sentences write its figures:
        # 亿元 (10⁸ yuan) is read in billions of yuan, ten to the billion.
        for size, word in reversed(MAGNITUDES):
            if unit.scale <= size <= 10 * unit.scale:
                return f"{word} {unit.base_en or unit.en}", size / unit.scale
    return unit_label(indicator.unit, indicator.unit_en), 1


def figure(value, indicator, grouped=False):
    """A value in the indicator's unit and decimals, as plain text for sentences and files:
    "400亿元", "2,000家", "40 billion yuan", "2,000 enterprises", "35,000 people"
    (`grouped`: see `number`)."""
    if value is None:
        return "—"
    text = number(value, indicator.decimals, grouped)
    if get_language().startswith("zh"):
        return f"{text}{indicator.unit}"
    unit = unit_scale(indicator.unit)
    if writes_in_base_unit(indicator):
        return english_amount(value, unit, indicator.decimals, number)
    label = indicator.unit_en or unit.en
    if not indicator.unit_en and unit.en_singular and Decimal(value) == 1:
        label = unit.en_singular
    if label in ("%", indicator.unit):
        return f"{text}{label}"
    return f"{text} {label}"


@register.filter(name="figure")
def figure_html(value, indicator):
    """A figure as pages show it (see `figure`); in English an amount of a scaled unit keeps
    the Chinese wording in its title: <span title="400亿元">40 billion yuan</span>. Only for
    markup: a sentence that takes a figure takes `figure`'s plain text."""
    text = figure(value, indicator)
    if value is None or get_language().startswith("zh") or not writes_in_base_unit(indicator):
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
    """A figure with the source's qualifier written out (`vocabulary.QUALIFIER_WORDS`):
    "超过400亿元", "100家以上", "5%以内" / "more than 40 billion yuan", "at least 100
    enterprises", "at most 5%"; plain text, or markup where `shown` is `figure_html`."""
    if value is None:
        return _("not given")
    text = shown(value, indicator)
    words = QUALIFIER_WORDS.get(qualifier)
    if words is None or words.written is None:
        return text
    if shown is figure_html:
        return mark_safe(escape(words.written) % {"figure": conditional_escape(text)})
    return str(words.written) % {"figure": text}


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
    """A share as a whole per cent: Decimal("0.62") -> "62%"."""
    if ratio is None:
        return "—"
    return f"{(Decimal(ratio) * 100).quantize(Decimal(1)):f}%"


@register.filter
def bar_width(ratio):
    """Bars are capped at 100% (raw attainment is kept and shown as text)."""
    if ratio is None:
        return 0
    return max(0, min(100, int(Decimal(ratio) * 100)))


Status = progress.Status

STATUS_TEXT = {
    Status.ACHIEVED: (gettext_lazy("Achieved"), "★"),
    Status.ON_TRACK: (gettext_lazy("On track"), "✓"),
    Status.AT_RISK: (gettext_lazy("At risk"), "!"),
    Status.BEHIND: (gettext_lazy("Behind"), "✕"),
    Status.NO_DATA: (gettext_lazy("No data yet"), "–"),
    Status.UNKNOWN_PACE: (gettext_lazy("Pace not yet known"), "?"),
    Status.NO_TARGET: (gettext_lazy("No target this year"), "·"),
    Status.MISSED: (gettext_lazy("Missed"), "✕"),
    Status.NO_FINAL_FIGURE: (gettext_lazy("No year-end figure"), "…"),
    Status.OVERDUE: (gettext_lazy("Figures overdue"), "◷"),
}

# The end of the sentence on an indicator's page, after its share of the target.
PACE_WORDS = {
    Status.ACHIEVED: gettext_lazy("target achieved"),
    Status.ON_TRACK: gettext_lazy("on or ahead of pace"),
    Status.AT_RISK: gettext_lazy("slightly behind pace"),
    Status.BEHIND: gettext_lazy("behind pace"),
    Status.MISSED: gettext_lazy("target missed"),
}


def progress_sentence(result, indicator=None):
    """One plain sentence on a year's progress, in the active language: what the indicator's
    page says under its name and the chart's description reads. With the `indicator`, an
    overdue year names its latest period as statistics do ("2026年一季度")."""
    year = result.year
    if result.status == Status.OVERDUE:
        return overdue_sentence(result, indicator)
    if result.current is None:
        if result.status == Status.NO_FINAL_FIGURE:
            return final_figure_sentence(result)
        return _("No figure has been published for %(year)s yet.") % {"year": year}
    by = date_format(result.as_of, "YEAR_MONTH_FORMAT")
    if result.target is None:
        return _("By %(month)s: figures are published, but there is no target for %(year)s.") % {
            "month": by,
            "year": year,
        }
    words = PACE_WORDS.get(result.status)
    if result.attainment is None:
        # A target of zero (an indicator brought down to nothing): no share, but still a pace.
        if words:
            return _(
                "By %(month)s: the target is zero, so there is no share to show; %(pace)s."
            ) % {"month": by, "pace": words}
        return _("By %(month)s: the target is zero, so there is no share to show.") % {"month": by}
    share = percent(result.attainment)
    values = {"month": by, "share": share, "year": year, "pace": words}
    if result.status == Status.NO_FINAL_FIGURE:
        return _("By %(month)s: %(share)s of the target; %(final)s") % {
            **values,
            "final": final_figure_sentence(result),
        }
    if result.status == Status.MISSED:
        return _("%(year)s is over; the year-end figure is %(share)s of the target: missed.") % (
            values
        )
    if result.status == Status.UNKNOWN_PACE:
        return (
            _(
                "By %(month)s: %(share)s of the target; with one figure and no baseline, pace "
                "cannot be judged yet."
            )
            % values
        )
    if result.status == Status.ACHIEVED:
        # The badge beside it says "achieved": the sentence gives the share, once.
        return _("By %(month)s: %(share)s of the target reached.") % values
    if result.expected_attainment is None:
        return _("By %(month)s: %(share)s of the target: %(pace)s.") % values
    return _("By %(month)s: %(share)s of the target; expected %(expected)s: %(pace)s.") % {
        **values,
        "expected": percent(result.expected_attainment),
    }


def overdue_words(result, indicator=None):
    """What an overdue year says in its badge and on its page: the latest period and the
    pace verdict as of then, "Overdue: latest is Q1 2026 (on track as of then)"."""
    pace = str(status_label(result.pace_status)).lower()
    if result.as_of is None:
        return _("Overdue: nothing published for %(year)s yet") % {"year": result.year}
    if indicator is None:
        period = date_format(result.as_of, "YEAR_MONTH_FORMAT")
    else:
        period = period_label(result.as_of, indicator)
    return _("Overdue: latest is %(period)s (%(pace)s as of then)") % {
        "period": period,
        "pace": pace,
    }


def overdue_sentence(result, indicator=None):
    words = overdue_words(result, indicator)
    if result.attainment is None:
        return _("%(overdue)s.") % {"overdue": words}
    return _("%(overdue)s; by then %(share)s of the target.") % {
        "overdue": words,
        "share": percent(result.attainment),
    }


def final_figure_sentence(result):
    """What a closed year without its year-end figure says: not yet due, or missing."""
    values = {"year": result.year, "date": date_format(result.final_due, "DATE_FORMAT")}
    if result.final_pending:
        return _(
            "%(year)s is over; its year-end figure is not yet published (due by %(date)s)."
        ) % (values)
    return _("%(year)s is over and its year-end figure, due by %(date)s, was never published.") % (
        values
    )


QUARTER_NUMERALS = "一二三四"


@register.filter
def period_label(period_end, indicator):
    """A reporting period as statistics name it: "2026年一季度", "2026年1–6月累计" for a
    figure of the year so far; "Q1 2026", "Jan–Jun 2026 (year to date)"."""
    if isinstance(period_end, str):
        # A stored document's date (a snapshot's rows).
        period_end = datetime.date.fromisoformat(period_end)
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
            return f"{year}年{QUARTER_NUMERALS[periods.quarter_of(period_end) - 1]}季度"
        return f"Q{periods.quarter_of(period_end)} {year}"
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
    if change.is_baseline and row.baseline_qualifier:
        # "超过100亿元" is not 100亿元: the change against it says what the baseline was.
        return _("%(share)s on the %(year)s baseline (%(baseline)s)") % {
            "share": share,
            "year": year,
            "baseline": qualified(row.baseline_value, row.baseline_qualifier, row),
        }
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
def badge(classes, icon, label):
    """A badge as the pages show a status: its icon, hidden from screen readers, and its
    words, so that no status is told by colour alone; `classes` colour it."""
    return format_html(
        '<span class="{}"><span class="status-icon" aria-hidden="true">{}</span> {}</span>',
        classes,
        icon,
        label,
    )


@register.simple_tag
def stored_status_badge(row, indicator):
    """A stored row's status (a snapshot's), worded as the live table words it: an overdue
    row with its latest period and the pace as of then."""
    pace = row.get("pace_status")
    if row["status"] != Status.OVERDUE or not pace or indicator is None:
        return status_badge(row["status"])
    as_of = pace["as_of"] and datetime.date.fromisoformat(pace["as_of"])
    year = (row.get("target") or {}).get("year")
    result = progress.Progress(
        year=year, status=Status.OVERDUE, as_of=as_of, pace_status=Status(pace["status"])
    )
    return status_badge(row["status"], overdue_words(result, indicator))


@register.simple_tag
def status_badge(status, label=None):
    """A target's status: its icon and its words (or `label`), in its colour."""
    return badge(
        f"status status-{status}",
        status_icon(status),
        status_label(status) if label is None else label,
    )


# A department's punctuality (`periods.Timeliness.code`): its words and icon.
TIMELINESS_TEXT = {
    Colour.GREEN: (gettext_lazy("green"), "●"),
    Colour.YELLOW: (gettext_lazy("yellow"), "▲"),
    Colour.RED: (gettext_lazy("red"), "■"),
    Colour.NONE: (gettext_lazy("no periods due yet"), "–"),
}


@register.simple_tag
def timeliness_badge(code):
    label, icon = TIMELINESS_TEXT[code]
    return badge(f"status code-{code}", icon, label)


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
    """The rows of the ProgressTable's page, each cell labelled with its column for the phone
    layout. One tag for the whole body, the cells written by `ProgressTable.row_cells`,
    rather than a template loop: at 50 rows the loop cost as much as a column
    (docs/performance.md, "Where the time of `/` at 1,000 indicators goes").
    django-tables2's even/odd row classes are left out (unstyled here)."""
    return format_html_join(
        "", "<tr>{}</tr>", ((table.row_cells(row.record),) for row in table.paginated_rows)
    )


@register.filter
def figure_kind(indicator, period_end):
    """What a figure of `indicator` for the period ending `period_end` is, in one sentence:
    "累计值：2026年1–9月的合计", "A stock: the level at the period's end (2026-09-30)"."""
    label = period_label(period_end, indicator)
    date = period_end.isoformat()
    if indicator.value_type == Indicator.ValueType.STOCK:
        return _("A stock: the level at the period's end (%(date)s).") % {"date": date}
    if indicator.value_type == Indicator.ValueType.RATE:
        return _("A rate: the share or growth as of the period's end (%(date)s).") % {"date": date}
    if indicator.reported_as == Indicator.ReportedAs.YEAR_TO_DATE:
        return _(
            "A total of the year so far (累计): the sum from 1 January to %(date)s (%(period)s)."
        ) % {"date": date, "period": label}
    return _("A flow: this period's own amount (%(period)s), not the total of the year.") % {
        "period": label
    }


@register.filter
def guard_threshold(yardstick, indicator):
    """When the entry form holds a figure (kpis.plausibility), in words, with the numbers
    the check itself uses."""
    if yardstick is None:
        return _("Nothing is known yet to check a figure against: any value is taken.")
    words = {
        "against": plausibility.AGAINST[yardstick.kind],
        "value": figure(yardstick.value, indicator),
        "factor": number(plausibility.SCALE_FACTOR, 0),
    }
    if yardstick.kind in ("figure", "year_earlier"):
        words["change"] = number(plausibility.LARGE_CHANGE * 100, 0)
        return (
            _(
                "Checked against %(against)s (%(value)s): a figure %(factor)s times larger or "
                "smaller (a unit slip), or differing by more than %(change)s%%, is held until "
                "you confirm and explain it."
            )
            % words
        )
    return (
        _(
            "Checked against %(against)s (%(value)s): a figure %(factor)s times larger or "
            "smaller (a unit slip) is held until you confirm and explain it."
        )
        % words
    )


@register.filter
def grouped_figure(value, indicator):
    """A figure with its digits grouped by thousands in every language ("1,200,000亿元"), for
    the reviewer who must see a unit slip at a glance (Chinese pages otherwise group none)."""
    if value is None or not get_language().startswith("zh"):
        return figure_html(value, indicator)
    return figure(value, indicator, grouped=True)


@register.filter
def evidence_name(name):
    """The name an evidence file was uploaded with (kpis/evidence.py keeps it last)."""
    return evidence.file_name(name)

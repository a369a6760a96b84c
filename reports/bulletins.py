"""The leaders' bulletin (目标进展通报): the progress of the published targets as of a day,
as a Word document and a PDF.

Three steps, each from the one before only:
1. `bulletin_data`: the rows (published figures of the periods ended by the day, judged as
   on that day) and everything else the document states, as plain JSON: stored with the
   bulletin, so that every number in it can be traced.
2. `content`: the document's words and table cells, written from that data alone.
3. `render_docx` and `render_pdf`: two renderers of the same content.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kpis import periods, progress
from kpis.bilingual import in_language
from kpis.exports import verdict_revisions
from kpis.forms import check_day_and_year  # the form's rules, on every path
from kpis.models import Actual, Bulletin, Department, Indicator, Source
from kpis.progress import plain_decimal
from kpis.templatetags.kpis_tags import STATUS_TEXT, figure, percent, period_label, qualified
from kpis.vocabulary import STAGE_WORDS, Colour
from tasks.models import Task
from tasks.rules import Status as TaskStatus
from tasks.templatetags.tasks_tags import task_reason_label, task_status_label

# The rules' status groups and colours, by their old names here.
LAGGING = progress.NEEDS_EXPLANATION
# The laggards the bulletin lists: those, and an open year's overdue targets, each saying
# which periods are overdue and what pace it needs from its latest figure.
LISTED_LAGGING = (*LAGGING, progress.Status.OVERDUE)
STATUS_COLOURS = progress.STATUS_COLOURS
COLOUR_HEX = {
    Colour.GREEN: "C6EFCE",
    Colour.YELLOW: "FFEB9C",
    Colour.RED: "FFC7CE",
    Colour.GREY: "E7E6E6",
}
# (unknown pace and overdue only when there is one)
SUMMARY_STATUSES = progress.SUMMARY_COUNTED
WITHOUT_DATA = progress.WITHOUT_DATA

# GB/T 9704 (党政机关公文格式): A4, a text area of 156 × 225 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


def number(value):
    return None if value is None else plain_decimal(Decimal(value))


# Step 1: the data.


DAY = datetime.timedelta(days=1)


def end_of(day):
    """The moment `day` ends in the district's time zone: what a bulletin as of `day`
    knows is what was recorded before it."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + DAY


def bulletin_data(as_of, year, language, previous=None, made_on=None):
    """Everything the bulletin of `as_of` states, as JSON-ready values, worked out in
    `language` (names, citations): its rows, the departments' timeliness, the target
    revisions and what changed since `previous` (the bulletin before, or None).

    Targets, their revisions and withdrawals, explanations, key tasks and their milestones
    are as they stood at the end of `as_of` (from their change history), whenever the
    bulletin is made: a bulletin made late says what was true on its day."""
    with translation.override(language):
        indicators = Indicator.objects.public()
        moment = end_of(as_of)
        rows = bulletin_rows(indicators, as_of, year, moment)
        since = end_of(previous.as_of) if previous is not None else None
        return {
            "as_of": as_of.isoformat(),
            "year": year,
            "language": language,
            "made_on": (made_on or timezone.localdate()).isoformat(),
            "rows": rows,
            "departments": department_rows(as_of),
            "revisions": revision_rows(indicators.target_revisions(year, since, moment)),
            "previous": previous_summary(previous),
            "changes": status_changes(previous, rows),
            "delayed_tasks": delayed_task_rows(as_of, year, moment),
            "verdict_revisions": verdict_revision_rows(indicators, as_of, since),
        }


def verdict_revision_rows(indicators, as_of, since):
    """The closed years (of the last three) whose verdict a later release stage turned,
    published since the moment `since` (the previous bulletin) and by `as_of`."""
    since_day = since and timezone.localtime(since).date()
    found = []
    for year in range(as_of.year - 3, as_of.year):
        rows = {row.id: row for row in indicators.progress_rows(year, as_of)}
        for indicator_id, revision in verdict_revisions(rows.values(), year, as_of).items():
            if revision.on > as_of or (since_day and revision.on <= since_day):
                continue
            found.append(
                {
                    "name": rows[indicator_id].display_name,
                    "year": year,
                    "from": str(revision.from_status),
                    "to": str(revision.to_status),
                    "on": revision.on.isoformat(),
                    "stage": revision.stage,
                }
            )
    return found


def delayed_task_rows(as_of, year, moment):
    """The key tasks of `year` delayed or not completed on `as_of`, red first, as stored
    rows: judged from their milestones and statements as published by `moment`."""
    tasks = [
        task
        for task in Task.objects.filter(year=year).with_status_as_of(as_of, moment)
        if task.verdict.status in (TaskStatus.DELAYED, TaskStatus.NOT_COMPLETED)
    ]
    tasks.sort(key=lambda task: (task.verdict.rag != Colour.RED, -task.verdict.late, task.code))
    return [
        {
            "code": task.code,
            "title": task.display_title,
            "department": task.department.display_name if task.department else None,
            "status": str(task.verdict.status),
            "rag": task.verdict.rag and str(task.verdict.rag),
            "late": task.verdict.late,
            "reason": task.verdict.reason and str(task.verdict.reason),
        }
        for task in tasks
    ]


def bulletin_rows(indicators, as_of, year, moment=None):
    """One row per public indicator: the public table's row (`progress_rows`) from the
    periods ended by `as_of` and the targets as they stood at `moment`, with its
    department, public explanation, the pace still needed beside the best monthly pace of
    its published history, and the periods since its figure that are overdue. The same
    queries whatever the number of indicators."""
    moment = moment or end_of(as_of)
    departments = Department.objects.in_bulk()
    sources = Source.objects.in_bulk()
    histories = published_histories(indicators, as_of)
    explanations = published_explanations(indicators, year, moment)
    language = translation.get_language()
    rows = []
    for row in indicators.progress_rows(year, today=as_of, until=as_of, targets_at=moment):
        result = row.result
        department = departments.get(row.department_id)
        source = sources.get(row.target_source_id)
        needed = needed_per_month(result, row.direction, as_of)
        history = histories.get(row.id, [])
        overdue = (
            overdue_periods(result.as_of, row.frequency, as_of, row.release_lag_days)
            if result.as_of is not None and result.as_of.year == year
            else []
        )
        rows.append(
            {
                "code": row.code,
                "name": row.display_name,
                "theme": row.theme.display_name,
                "department": department.display_name if department else None,
                "unit": row.unit,
                "unit_en": row.unit_en,
                "decimals": row.decimals,
                "frequency": row.frequency,
                "reported_as": row.reported_as,
                "target": None
                if row.target_value is None
                else {"value": number(row.target_value), "qualifier": row.target_qualifier},
                "actual": None
                if result.current is None
                else {"period_end": result.as_of.isoformat(), "value": number(result.current)},
                "attainment": number(result.attainment),
                "expected_attainment": number(result.expected_attainment),
                "status": str(result.status),
                "lag": number(lag(result)),
                "needed_per_month": number(needed),
                "overdue_periods": [end.isoformat() for end in overdue],
                "best_monthly_pace": number(
                    best_monthly_pace(
                        history, row.value_type, row.direction, row.reported_as, row.frequency
                    )
                ),
                "explanation": explanation_in(language, explanations.get((row.id, result.as_of))),
                "source": source.citation if source else None,
            }
        )
    return rows


def published_explanations(indicators, year, moment):
    """The public explanations (进展情况, 存在问题, 下一步措施) of `year`'s figures of
    `indicators` as published before `moment`, by (indicator id, period end), each
    {"progress", "problems", "next_steps", "en": {...} | None} as in the open data: read
    from the figures' change history, so that an explanation published after the
    bulletin's day is not in it. One query."""
    records = (
        Actual.history.filter(
            indicator__in=indicators, period_end__year=year, history_date__lt=moment
        )
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_type", "indicator_id", "period_end", "published_explanation")
    )
    standing = {}
    for pk, change, indicator_id, period_end, explanation in records:
        standing[pk] = None if change == "-" else (indicator_id, period_end, explanation)
    return {
        (indicator_id, period_end): explanation
        for indicator_id, period_end, explanation in filter(None, standing.values())
        if explanation
    }


def explanation_in(language, explanation):
    """An explanation's parts in `language`: the English ones where written, else the
    Chinese."""
    if explanation is None:
        return None
    english = explanation.get("en")
    if language.startswith("en") and english:
        return {part: english[part] for part in ("progress", "problems", "next_steps")}
    return {part: explanation[part] for part in ("progress", "problems", "next_steps")}


def published_histories(indicators, as_of):
    """The published figures of `indicators` for the periods ended by `as_of`, as
    {indicator id: [Reading, ...]} oldest first, in one query."""
    histories = {}
    figures = (
        Actual.objects.published()
        .filter(indicator__in=indicators, period_end__lte=as_of)
        .order_by("indicator_id", "period_end")
        .values_list("indicator_id", "period_end", "published_value")
    )
    for indicator_id, period_end, value in figures:
        histories.setdefault(indicator_id, []).append(progress.Reading(period_end, value))
    return histories


def months_between(earlier, later):
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def best_monthly_pace(readings, value_type, direction, reported_as, frequency):
    """The fastest monthly movement in the good direction the figures have shown: for
    flows the largest period's amount per month; for stocks and rates the largest change
    per month between two consecutive figures. None when there is nothing to compare."""
    paces = []
    sign = 1 if direction == Indicator.Direction.INCREASE else -1
    period_months = 12 // len(periods.MONTHS[frequency])
    for before, after in zip([None, *readings], readings, strict=False):
        if value_type == Indicator.ValueType.FLOW and reported_as == progress.ReportedAs.PERIOD:
            paces.append(sign * after.value / period_months)  # the period's own amount
        elif value_type == Indicator.ValueType.FLOW and (
            before is None or before.period_end.year != after.period_end.year
        ):
            # A year-to-date total starts from nothing each January.
            paces.append(sign * after.value / after.period_end.month)
        elif before is not None:
            months = months_between(before.period_end, after.period_end)
            paces.append(sign * (after.value - before.value) / months)
    best = max(paces, default=None)
    return best.quantize(Decimal("0.0001")) if best is not None and best > 0 else None


def months_left(as_of, year):
    """How many months of the target year remain after `as_of`."""
    if as_of.year < year:
        return Decimal(12)
    if as_of.year > year:
        return Decimal(0)
    return 12 * (1 - progress.year_fraction(as_of))


def overdue_periods(period_end, frequency, as_of, lag_days):
    """The periods of its year after the figure of `period_end` whose figures are overdue
    on `as_of` (ended, and their release lag passed)."""
    overdue = []
    end = periods.next_period_end(frequency, period_end)
    while end.year == period_end.year and end + datetime.timedelta(days=lag_days) < as_of:
        overdue.append(end)
        end = periods.next_period_end(frequency, end)
    return overdue


def needed_per_month(result, direction, as_of):
    """How much the indicator must move each month from its latest figure's period to the
    year's end to meet its target (the months since that period, whose figures are not
    in, count as still to come); None when it has no target, meets it already or the year
    is over by `as_of`."""
    if months_left(as_of, result.year) == 0:
        return None
    after = result.as_of if result.current is not None and result.as_of else as_of
    remaining_months = months_left(after, result.year)
    if result.target is None or remaining_months == 0:
        return None
    current = result.current if result.current is not None else Decimal(0)
    increase = direction == Indicator.Direction.INCREASE
    gap = result.target - current if increase else current - result.target
    if gap <= 0:
        return None
    return (gap / remaining_months).quantize(Decimal("0.0001"))


def lag(result):
    """How far behind the even path the indicator is, as a share of the distance from its
    start to its target (the measure the at risk / behind verdict uses)."""
    if result.target is None or result.current is None:
        return None
    reference = result.expected if result.expected is not None else result.target
    distance = abs(result.target - (result.start_value or Decimal(0)))
    if distance == 0:
        return None
    return (abs(reference - result.current) / distance).quantize(Decimal("0.0001"))


def department_rows(as_of):
    return [
        {
            "name": department.display_name,
            "due": department.timeliness.due,
            "on_time": department.timeliness.on_time,
            "median_days_late": number(Decimal(department.timeliness.median_days_late)),
            "code": department.timeliness.code,
        }
        for department in Department.objects.timeliness_list(as_of)
    ]


def revision_rows(revisions):
    return [
        {
            "name": in_language(revision.record.indicator.name, revision.record.indicator.name_en),
            "unit": revision.record.indicator.unit,
            "unit_en": revision.record.indicator.unit_en,
            "decimals": revision.record.indicator.decimals,
            "year": revision.year,
            "old": {"value": number(revision.old_value), "qualifier": revision.old_qualifier},
            "new": None
            if revision.withdrawn
            else {"value": number(revision.new_value), "qualifier": revision.new_qualifier},
            "date": timezone.localtime(revision.record.history_date).date().isoformat(),
            "reason": (
                revision.record.withdrawal_reason
                if revision.withdrawn
                else revision.record.history_change_reason
            )
            or "",
            "source": revision.record.source.citation if revision.record.source else None,
        }
        for revision in revisions
        if revision.record.indicator.is_public
    ]


def previous_summary(previous):
    if previous is None:
        return None
    return {"as_of": previous.as_of.isoformat(), "issue": previous.issue}


def status_changes(previous, rows):
    """The indicators whose status moved since the previous bulletin."""
    if previous is None:
        return []
    before = {row["code"]: row["status"] for row in previous.data["rows"]}
    return [
        {"name": row["name"], "from": before[row["code"]], "to": row["status"]}
        for row in rows
        if row["code"] in before and before[row["code"]] != row["status"]
    ]


def laggards(rows):
    """The targets at risk, behind, missed or overdue, the furthest behind first."""
    lagging = [row for row in rows if row["status"] in LISTED_LAGGING and row["target"]]
    return sorted(lagging, key=lambda row: (-Decimal(row["lag"] or 0), row["code"]))


# Step 2: the content.


class Cell(NamedTuple):
    text: str
    colour: str | None = None  # a status's 三色, printed beside its word


@dataclass
class Table:
    header: list
    rows: list  # lists of Cells
    widths: list  # of the columns, in per cent of the text area's width

    @classmethod
    def of(cls, header, rows, widths):
        """A table of plain texts, or Cells where a cell has a colour."""
        cells = [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in rows]
        return cls(header, cells, widths)


@dataclass
class Content:
    language: str
    title: str
    issue_line: str
    issuer: str
    date_line: str
    # The 公文's parts (GB/T 9704): the document number (发文字号) under the red header and
    # the imprint (版记) at the end: who issued it and the day it was printed.
    number: str = ""
    printed_on: str = ""
    # (kind, payload): ("heading" | "subheading" | "paragraph", text) or ("table", Table)
    blocks: list = field(default_factory=list)
    footnotes: list = field(default_factory=list)


def content(bulletin):
    """The bulletin's words and cells, from its stored data alone, in its language."""
    data = bulletin.data
    with translation.override(data["language"]):
        as_of = datetime.date.fromisoformat(data["as_of"])
        rows = data["rows"]
        issue_line = _("Issue %(issue)d, %(year)d") % {"issue": bulletin.issue, "year": as_of.year}
        if bulletin.version > 1:
            issue_line += " " + _("(version %(version)d)") % {"version": bulletin.version}
        document = Content(
            language=data["language"],
            title=title(as_of, data["year"]),
            issue_line=issue_line,
            issuer=in_language(settings.BULLETIN_ISSUER, settings.BULLETIN_ISSUER_EN),
            date_line=day(datetime.date.fromisoformat(data["made_on"])),
            number=document_number(bulletin.issue, as_of.year),
            printed_on=printed_on(datetime.date.fromisoformat(data["made_on"])),
        )
        blocks = document.blocks
        blocks += [("heading", _("Overview")), ("paragraph", summary(data))]
        blocks.append(("heading", _("Progress by theme")))
        for theme in dict.fromkeys(row["theme"] for row in rows if row["target"]):
            blocks.append(("subheading", theme))
            themed = [r for r in rows if r["theme"] == theme and r["target"]]
            blocks.append(("table", theme_table(themed)))
        blocks.append(("heading", _("Targets lagging behind")))
        lagging = laggards(rows)
        if not lagging:
            blocks.append(("paragraph", _("No target is at risk, behind or missed.")))
        for rank, row in enumerate(lagging, start=1):
            blocks.append(("paragraph", laggard_text(rank, row)))
        if "delayed_tasks" in data:  # bulletins made before key tasks existed have none
            blocks.append(("heading", _("Key tasks delayed")))
            if data["delayed_tasks"]:
                blocks.append(("table", delayed_tasks_table(data["delayed_tasks"])))
            else:
                blocks.append(("paragraph", _("No key task is delayed.")))
        blocks.append(("heading", _("Timeliness of the departments' reporting")))
        blocks.append(("table", timeliness_table(data["departments"])))
        if "verdict_revisions" in data:  # bulletins made before release stages have none
            blocks.append(("heading", _("Verdicts revised by a later release stage")))
            for revised in data["verdict_revisions"]:
                blocks.append(("paragraph", verdict_revision_text(revised)))
            if not data["verdict_revisions"]:
                blocks.append(("paragraph", _("No closed year's verdict was revised.")))
        blocks.append(("heading", _("Target revisions since the previous bulletin")))
        if data["revisions"]:
            blocks.append(("table", revisions_table(data["revisions"])))
        else:
            blocks.append(("paragraph", _("No target was revised.")))
        sources = sorted({row["source"] for row in rows if row["target"] and row["source"]})
        if sources:
            cited = {"sources": "; ".join(sources)}
            document.footnotes.append(_("Sources of the targets: %(sources)s.") % cited)
        document.footnotes.append(
            _("Figures: published figures of the periods ended by %(day)s, judged as on that day.")
            % {"day": day(as_of)}
        )
        return printable_content(document)


def verdict_revision_text(revised):
    return _(
        "%(name)s: the %(stage)s figure published on %(date)s turned %(year)s from “%(from)s” "
        "to “%(to)s”."
    ) % {
        "name": revised["name"],
        "stage": STAGE_WORDS[revised["stage"]],
        "date": day(datetime.date.fromisoformat(revised["on"])),
        "year": revised["year"],
        "from": STATUS_TEXT[revised["from"]][0],
        "to": STATUS_TEXT[revised["to"]][0],
    }


def day(date):
    return date_format(date, "DATE_FORMAT")


def document_number(issue, year):
    """The 发文字号: the prefix (`KPI_BULLETIN_NUMBER_PREFIX`), the year in 六角括号 and
    the issue, which counts per year: 光统通〔2026〕3号."""
    prefix = in_language(settings.BULLETIN_NUMBER_PREFIX, settings.BULLETIN_NUMBER_PREFIX_EN)
    return _("%(prefix)s [%(year)d] No. %(issue)d") % {
        "prefix": prefix,
        "year": year,
        "issue": issue,
    }


def printed_on(made_on):
    """The day of the 印发 line of the 版记 (光明区人民政府办公室  2026年12月6日印发)."""
    return _("Printed and issued on %(day)s") % {"day": day(made_on)}


# Characters XML 1.0 cannot carry (Word's and the PDF's HTML alike), and DEL: a name typed or
# imported with one would make every later bulletin fail.
_UNPRINTABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def printable(text):
    return text.translate(_UNPRINTABLE) if isinstance(text, str) else text


def printable_content(document):
    """The document with every text stripped of control characters, for the renderers."""
    document.title, document.issue_line = printable(document.title), printable(document.issue_line)
    document.issuer, document.date_line = printable(document.issuer), printable(document.date_line)
    document.footnotes = [printable(note) for note in document.footnotes]
    blocks = []
    for kind, payload in document.blocks:
        if isinstance(payload, Table):
            payload = Table(
                [printable(text) for text in payload.header],
                [[Cell(printable(c.text), c.colour) for c in row] for row in payload.rows],
                payload.widths,
            )
        blocks.append((kind, printable(payload)))
    document.blocks = blocks
    return document


def period_words(as_of, year):
    """What the bulletin covers: the whole year once it is over, else a quarter, the months
    of the year so far, or the year up to a day."""
    month_end = (as_of + datetime.timedelta(days=1)).day == 1
    if as_of.year > year:
        return _("whole year")
    if periods.is_quarter_end(as_of):
        words = [_("first quarter"), _("second quarter"), _("third quarter"), _("fourth quarter")]
        return words[periods.quarter_of(as_of) - 1]
    if month_end:
        month = date_format(as_of, pgettext("month in a bulletin title", "F"))
        return _("January to %(month)s") % {"month": month}
    return _("to %(day)s") % {"day": date_format(as_of, "MONTH_DAY_FORMAT")}


def title(as_of, year):
    return _("Guangming District: progress on the %(year)d targets (%(period)s)") % {
        "year": year,
        "period": period_words(as_of, year),
    }


def status_word(status):
    text = STATUS_TEXT.get(status)
    return str(text[0]) if text else status


def status_cell(status):
    return Cell(status_word(status), STATUS_COLOURS.get(status, Colour.GREY))


def unit_of(row):
    """What the figure and period filters read of an indicator, from a stored row."""
    return SimpleNamespace(
        unit=row["unit"],
        unit_en=row["unit_en"],
        decimals=row["decimals"],
        frequency=row.get("frequency"),
        reported_as=row.get("reported_as"),
    )


def summary(data):
    """The opening paragraph: the count of targets by status, and what changed."""
    counted = [row["status"] for row in data["rows"] if row["target"]]
    parts = [
        _("%(count)d %(status)s")
        % {"count": counted.count(status), "status": status_word(status).lower()}
        for status in SUMMARY_STATUSES
        if counted.count(status)
        or status not in (progress.Status.UNKNOWN_PACE, progress.Status.OVERDUE)
    ]
    without = sum(counted.count(status) for status in WITHOUT_DATA)
    parts.append(_("%(count)d without data") % {"count": without})
    as_of = datetime.date.fromisoformat(data["as_of"])
    text = _("As of %(day)s, of the %(total)d targets for %(year)d: %(counts)s.") % {
        "day": day(as_of),
        "total": len(counted),
        "year": data["year"],
        "counts": _(", ").join(parts),
    }
    previous = data["previous"]
    then = "" if data["language"].startswith("zh") else " "  # Chinese sets no space
    if previous is None:
        return text + then + _("This is the first bulletin.")
    since = _("Since the previous bulletin (issue %(issue)d, as of %(day)s)") % {
        "issue": previous["issue"],
        "day": day(datetime.date.fromisoformat(previous["as_of"])),
    }
    if not data["changes"]:
        return text + then + _("%(since)s no target changed its status.") % {"since": since}
    moves = [
        _("%(name)s from %(old)s to %(new)s")
        % {
            "name": change["name"],
            "old": status_word(change["from"]).lower(),
            "new": status_word(change["to"]).lower(),
        }
        for change in data["changes"]
    ]
    return text + then + _("%(since)s: %(moves)s.") % {"since": since, "moves": _("; ").join(moves)}


def theme_table(rows):
    header = [
        _("Indicator"),
        _("Target"),
        _("Latest figure"),
        _("Period"),
        _("Attainment"),
        _("Expected by now"),
        _("Status"),
    ]
    cells = []
    for row in rows:
        unit = unit_of(row)
        actual = row["actual"] or {}
        cells.append(
            [
                row["name"],
                str(qualified(row["target"]["value"], row["target"]["qualifier"], unit)),
                figure(actual.get("value"), unit),
                period_label(datetime.date.fromisoformat(actual["period_end"]), unit)
                if actual
                else "—",
                percent(row["attainment"]),
                percent(row["expected_attainment"]),
                status_cell(row["status"]),
            ]
        )
    return Table.of(header, cells, [25, 13, 13, 11, 13, 13, 12])


def laggard_text(rank, row):
    chinese = translation.get_language().startswith("zh")
    unit = unit_of(row)
    parts = [
        _(
            "%(rank)d. %(name)s (%(department)s): %(status)s; %(attainment)s of the target, "
            "%(expected)s expected by now."
        )
        % {
            "rank": rank,
            "name": row["name"],
            "department": row["department"] or _("no department assigned"),
            "status": status_word(row["status"]),
            "attainment": percent(row["attainment"]),
            "expected": percent(row["expected_attainment"]),
        }
    ]
    overdue = [datetime.date.fromisoformat(end) for end in row.get("overdue_periods") or []]
    if overdue:
        latest = datetime.date.fromisoformat(row["actual"]["period_end"])
        parts.append(
            _(
                "The figures of %(periods)s are overdue: the pace still needed counts "
                "from %(latest)s."
            )
            % {
                "periods": pgettext("between period names", ", ").join(
                    period_label(end, unit) for end in overdue
                ),
                "latest": period_label(latest, unit),
            }
        )
    if row["needed_per_month"]:
        # A month's pace is a fraction of a year's figures: one decimal more than they have.
        pace_unit = SimpleNamespace(**{**vars(unit), "decimals": unit.decimals + 1})
        parts.append(
            _("To meet the target it still needs %(amount)s more each month")
            % {"amount": figure(row["needed_per_month"], pace_unit)}
        )
        best = row["best_monthly_pace"]
        if best is None:
            parts[-1] += _("; its published figures show no monthly pace to compare.")
        elif Decimal(row["needed_per_month"]) > Decimal(best):
            parts[-1] += _(", faster than its best monthly pace so far (%(best)s).") % {
                "best": figure(best, pace_unit)
            }
        else:
            parts[-1] += _(", within its best monthly pace so far (%(best)s).") % {
                "best": figure(best, pace_unit)
            }
    explained = row["explanation"] or {}
    for key, label in (
        ("progress", pgettext("explanation", "Progress")),
        ("problems", pgettext("explanation", "Problems")),
        ("next_steps", pgettext("explanation", "Next steps")),
    ):
        if explained.get(key):
            text = explained[key].strip()
            if text[-1:] not in ("。", "．", ".", "！", "!", "？", "?", "；", ";"):
                text += "。" if chinese else "."
            parts.append(_("%(label)s: %(text)s") % {"label": label, "text": text})
    if not explained:
        parts.append(_("The department has published no explanation."))
    return ("" if chinese else " ").join(parts)  # Chinese sets no space between sentences


def delayed_tasks_table(tasks):
    header = [_("Key task"), _("Lead department"), _("Milestones late"), _("Status")]
    widths = [46, 24, 12, 18]
    rows = [
        [
            task["title"],
            task["department"] or "—",
            str(task["late"]) if task["late"] else "—",
            Cell(task_status_word(task), task["rag"]),
        ]
        for task in tasks
    ]
    return Table.of(header, rows, widths)


def task_status_word(task):
    """ "Not completed: nothing reported" where the status alone does not say why."""
    word = str(task_status_label(task["status"]))
    if task.get("reason"):
        return _("%(status)s: %(reason)s") % {
            "status": word,
            "reason": task_reason_label(task["reason"]),
        }
    return word


def timeliness_table(departments):
    header = [_("Department"), _("Periods due"), _("On time"), _("Median days late")]
    widths = [40, 20, 20, 20]
    rows = [
        [
            department["name"],
            str(department["due"]),
            str(department["on_time"]),
            department["median_days_late"],
        ]
        for department in departments
    ]
    return Table.of(header, rows, widths)


def revisions_table(revisions):
    header = [
        _("Indicator"),
        _("Year"),
        pgettext("target revision", "From"),
        pgettext("target revision", "To"),
        _("Date"),
        _("Reason"),
    ]
    rows = []
    for revision in revisions:
        unit = unit_of(revision)
        rows.append(
            [
                revision["name"],
                str(revision["year"]),
                str(qualified(revision["old"]["value"], revision["old"]["qualifier"], unit)),
                _("withdrawn")
                if revision["new"] is None
                else str(qualified(revision["new"]["value"], revision["new"]["qualifier"], unit)),
                revision["date"],
                revision["reason"] or "—",
            ]
        )
    return Table.of(header, rows, [26, 8, 16, 16, 14, 20])


# Step 3: the renderers.

# The fonts GB/T 9704 asks for, declared in the Word file by their East Asian names: Word
# and WPS use them where installed (they are not free: no Debian package has them).
DOCX_FONTS = {
    "text": "仿宋_GB2312",  # body, 三号
    "heading": "黑体",  # first-level headings
    "subheading": "楷体_GB2312",  # second-level headings
    "title": "方正小标宋简体",  # the title and the red header
}
LATIN_FONT = "Times New Roman"
# The nearest free fonts that ship with Debian, embedded in the PDF: Noto Serif CJK SC for
# 仿宋 (no free 仿宋 is packaged), Noto Sans CJK SC Bold for 黑体 (fonts-noto-cjk), AR PL
# UKai CN for 楷体 (fonts-arphic-ukai), Noto Serif CJK SC Bold for 小标宋.
PDF_FONTS = {
    "text": "Noto Serif CJK SC",
    "heading": "Noto Sans CJK SC",
    "subheading": "AR PL UKai CN",
    "title": "Noto Serif CJK SC",
}
RED = "FF0000"  # the red header and its rule (发文机关标志, 分隔线)
BODY_PT = 16  # 三号
LINE_PT = 28.9  # 22 lines in the 225 mm text area
TITLE_PT = 22  # 二号
ISSUER_PT = {"zh": 30, "en": 18}  # the red header: the office's name on one line
TABLE_PT = 10.5  # 五号
NOTE_PT = 14  # 四号: notes and the imprint (版记)


def render_pdf(document):
    """The content as a PDF: an HTML page laid out by WeasyPrint, fonts embedded."""
    from weasyprint import HTML  # loads Pango: only where a PDF is made

    chinese = document.language.startswith("zh")
    html = render_to_string(
        "kpis/bulletin_document.html",
        {
            "document": document,
            "blocks": document.blocks,
            "margins": MARGINS_MM,
            "fonts": PDF_FONTS,
            "colours": COLOUR_HEX,
            "red": RED,
            "sizes": {
                "body": BODY_PT,
                "line": LINE_PT,
                "title": TITLE_PT,
                "issuer": ISSUER_PT["zh" if chinese else "en"],
                "table": TABLE_PT,
                "note": NOTE_PT,
            },
        },
    )
    return HTML(string=html).write_pdf()


def twips(points):
    return str(round(points * 20))


def set_fonts(properties, east_asia, latin=LATIN_FONT):
    """Declare the fonts of a run's or a style's properties (w:rPr): the Latin ones and the
    East Asian one (w:eastAsia), which Word and WPS use for Chinese characters; theme fonts,
    which would win over them, are dropped."""

    fonts = properties.get_or_add_rFonts()
    _set_font_names(fonts, east_asia, latin)


def _set_font_names(fonts, east_asia, latin=LATIN_FONT):
    from docx.oxml.ns import qn

    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    for key, name in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        fonts.set(qn(f"w:{key}"), name)


def set_paragraph(properties, *, first_line_chars=0, size=BODY_PT, line=None, before=0, after=0):
    """Indent and spacing as paragraph properties (w:pPr) of a style, in the two forms the
    word processors read: w:firstLineChars (in hundredths of a character: WPS, Word) and
    w:firstLine in twips (LibreOffice), and an exact line height."""
    from docx.oxml.ns import qn

    indent = properties.get_or_add_ind()
    indent.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    indent.set(qn("w:firstLine"), twips(first_line_chars * size))
    spacing = properties.get_or_add_spacing()
    spacing.set(qn("w:before"), twips(before))
    spacing.set(qn("w:after"), twips(after))
    if line:
        spacing.set(qn("w:line"), twips(line))
        spacing.set(qn("w:lineRule"), "exact")
    else:
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")


def add_border(properties, side, colour, eighths, space=1):
    """A rule above or below a paragraph (w:pBdr): the red rule under the document number,
    the black ones of the imprint."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = properties.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        successors = ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr")
        properties.insert_element_before(borders, *successors)
    border = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", eighths), ("space", space), ("color", colour)):
        border.set(qn(f"w:{key}"), str(value))
    borders.append(border)


def add_styles(word, chinese):
    """The 公文's paragraph styles, each on Normal (never Word's Title or Heading styles,
    whose theme colours and rules LibreOffice shows): fonts with their East Asian names,
    sizes, first-line indents and exact line heights."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    # The document's defaults too, where the template names theme fonts.
    default_fonts = word.styles.element.find(".//" + qn("w:rPrDefault") + "//" + qn("w:rFonts"))
    if default_fonts is not None:
        _set_font_names(default_fonts, DOCX_FONTS["text"])
    normal = word.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element.get_or_add_rPr(), DOCX_FONTS["text"])
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "zh-CN" if chinese else "en-GB")
    language.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(language)

    centre, justify, right = (
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.JUSTIFY,
        WD_ALIGN_PARAGRAPH.RIGHT,
    )
    specs = {
        # name: (font, size, alignment, first-line chars, exact line, before, after)
        "Gongwen Issuer": ("title", ISSUER_PT["zh" if chinese else "en"], centre, 0, None, 0, 0),
        "Gongwen Number": ("text", BODY_PT, centre, 0, LINE_PT, 2 * LINE_PT, 0),
        "Gongwen Title": ("title", TITLE_PT, centre, 0, 35, 2 * LINE_PT, 0),
        "Gongwen Issue": ("text", BODY_PT, centre, 0, LINE_PT, 0, LINE_PT),
        "Gongwen Body": ("text", BODY_PT, justify, 2, LINE_PT, 0, 0),
        "Gongwen Heading 1": ("heading", BODY_PT, justify, 2, LINE_PT, 0, 0),
        "Gongwen Heading 2": ("subheading", BODY_PT, justify, 2, LINE_PT, 0, 0),
        "Gongwen Signature": ("text", BODY_PT, right, 0, LINE_PT, 0, 0),
        "Gongwen Table": ("text", TABLE_PT, None, 0, None, 0, 0),
        "Gongwen Note": ("text", NOTE_PT, justify, 2, 22, 0, 0),
        "Gongwen Imprint": ("text", NOTE_PT, None, 0, 22, LINE_PT, 0),
    }
    for name, (font, size, alignment, chars, line, before, after) in specs.items():
        style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        style.paragraph_format.alignment = alignment
        set_fonts(style.element.get_or_add_rPr(), DOCX_FONTS[font])
        properties = style.element.get_or_add_pPr()
        set_paragraph(
            properties, first_line_chars=chars, size=size, line=line, before=before, after=after
        )
        if not chinese and font in ("title", "heading"):
            style.font.bold = True  # Latin letters have no 黑体 or 小标宋 of their own
        if name in ("Gongwen Heading 1", "Gongwen Heading 2", "Gongwen Title"):
            outline = OxmlElement("w:outlineLvl")
            level = {"Gongwen Title": "0", "Gongwen Heading 1": "1", "Gongwen Heading 2": "2"}
            outline.set(qn("w:val"), level[name])
            properties.insert_element_before(outline, "w:divId", "w:cnfStyle", "w:rPr")
    issuer = word.styles["Gongwen Issuer"]
    issuer.font.color.rgb = RGBColor.from_string(RED)
    issuer.font.bold = not chinese
    add_border(word.styles["Gongwen Number"].element.get_or_add_pPr(), "bottom", RED, 12, 11)
    imprint = word.styles["Gongwen Imprint"].element.get_or_add_pPr()
    add_border(imprint, "top", "000000", 8)
    add_border(imprint, "bottom", "000000", 8)
    signature = word.styles["Gongwen Signature"].element.get_or_add_pPr()
    signature.get_or_add_ind().set(qn("w:rightChars"), "400")  # 右空四字
    signature.get_or_add_ind().set(qn("w:right"), twips(4 * BODY_PT))


def add_text(paragraph, text, font):
    """A run of `text` whose East Asian font is declared on the run too (w:eastAsia), as
    the style does: WPS reads the run's."""
    run = paragraph.add_run(text)
    set_fonts(run._r.get_or_add_rPr(), DOCX_FONTS[font])
    return run


def render_docx(document):
    """The content as a Word document in the form of a 公文 (GB/T 9704) that the office can
    edit: the red header (发文机关标志) with its red rule under the document number
    (发文字号), the title, the body with its headings, the signature and date, the notes
    and the imprint (版记: 印发 line)."""
    import docx
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    chinese = document.language.startswith("zh")
    word = docx.Document()
    section = word.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    add_styles(word, chinese)

    def paragraph(text, style, font="text"):
        written = word.add_paragraph(style=style)
        add_text(written, text, font)
        return written

    paragraph(document.issuer, "Gongwen Issuer", "title")
    paragraph(document.number, "Gongwen Number")
    paragraph(document.title, "Gongwen Title", "title")
    paragraph(document.issue_line, "Gongwen Issue")
    for kind, payload in document.blocks:
        if kind == "table":
            add_table(word, payload)
        elif kind == "heading":
            paragraph(payload, "Gongwen Heading 1", "heading")
        elif kind == "subheading":
            paragraph(payload, "Gongwen Heading 2", "subheading")
        else:
            paragraph(payload, "Gongwen Body")
    # The signature (署名) and the date (成文日期), right-aligned four characters in.
    paragraph(document.issuer, "Gongwen Signature").paragraph_format.space_before = Pt(LINE_PT)
    paragraph(document.date_line, "Gongwen Signature")
    for note in document.footnotes:
        paragraph(note, "Gongwen Note")
    # The imprint (版记): who printed it on the left, the day on the right, between rules.
    imprint = word.add_paragraph(style="Gongwen Imprint")
    text_width = Mm(PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"])
    imprint.paragraph_format.tab_stops.add_tab_stop(
        text_width - Pt(NOTE_PT), WD_TAB_ALIGNMENT.RIGHT
    )
    imprint.paragraph_format.left_indent = Pt(NOTE_PT)  # 左右各空一字
    add_text(imprint, document.issuer, "text")
    add_text(imprint, "\t", "text")
    add_text(imprint, document.printed_on, "text")

    # Page numbers in the footer, as official documents print them: "— 1 —".
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(footer, "— ", "text")
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1")):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            footer.add_run()._r.append(element)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            footer.add_run()._r.append(element)
        else:
            add_text(footer, text, "text")  # what a reader shows until it updates the field
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    footer.add_run()._r.append(end)
    add_text(footer, " —", "text")
    for run in footer.runs:
        run.font.size = Pt(NOTE_PT)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def add_table(word, table):
    """A table of the Word document: the header through python-docx, the body as one piece
    of WordprocessingML. Cell by cell, python-docx took 4 s for the 1,000 rows of a large
    bulletin (see docs/performance.md, "Bulletin"); the XML below is what it would write."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    grid = word.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.autofit = False
    text_width = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
    from docx.shared import Mm

    for column, cell, share in zip(grid.columns, grid.rows[0].cells, table.widths, strict=True):
        column.width = cell.width = Mm(text_width * share / 100)
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.paragraphs[0].style = word.styles["Gongwen Table"]
        add_text(cell.paragraphs[0], text, "heading").bold = True
    rows = "".join(
        "<w:tr>" + "".join(docx_cell(cell) for cell in cells) + "</w:tr>" for cells in table.rows
    )
    body = parse_xml(f"<w:tbl {nsdecls('w')}>{rows}</w:tbl>")
    grid._tbl.extend(list(body))


def docx_cell(cell):
    shading = f'<w:shd w:val="clear" w:fill="{COLOUR_HEX[cell.colour]}"/>' if cell.colour else ""
    fonts = (
        f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" '
        f'w:eastAsia="{DOCX_FONTS["text"]}" w:cs="{LATIN_FONT}"/>'
    )
    return (
        f'<w:tc><w:tcPr>{shading}</w:tcPr><w:p><w:pPr><w:pStyle w:val="GongwenTable"/></w:pPr>'
        f'<w:r><w:rPr>{fonts}</w:rPr><w:t xml:space="preserve">{escape(cell.text)}</w:t></w:r>'
        "</w:p></w:tc>"
    )


# The one door: the command, the admin and /my/ all make a bulletin through it.


def make(as_of, language, year=None, user=None, approved_by=None):
    """Make and store a new bulletin (or a new version of the day's) with both files, as a
    draft, or approved by `approved_by` (a leader who is not `user`: checked before anything
    is made; a ValidationError says why not).

    The files take seconds at a thousand indicators, so they are built outside the
    transaction that stores them (SQLite's would hold the write lock and keep officials
    waiting); a bulletin of the same day stored meanwhile takes the number, and this one is
    made again with the next."""
    check_day_and_year(as_of, year, timezone.localdate())
    year = year or as_of.year
    if approved_by is not None:
        refused = Bulletin(made_by=user).approval_refused(approved_by)
        if refused:
            raise ValidationError(refused, code="approval_refused")
    while True:
        issue, version = Bulletin.objects.numbering(as_of, language)
        previous = Bulletin.objects.previous(as_of, language)
        bulletin = Bulletin(
            as_of=as_of, year=year, language=language, issue=issue, version=version, made_by=user
        )
        bulletin.data = bulletin_data(as_of, year, language, previous)
        document = content(bulletin)
        bulletin.docx = render_docx(document)
        bulletin.pdf = render_pdf(document)
        try:
            with transaction.atomic():
                if Bulletin.objects.numbering(as_of, language) == (issue, version):
                    bulletin.save()
                    if approved_by is not None:
                        bulletin.approve(approved_by)
                    return bulletin
        except IntegrityError:
            pass

"""Open data: the public progress table as plain data (the JSON contract in
docs/open-data.md), and the same rows as flat CSV and XLSX files."""

import io
from decimal import Decimal

import openpyxl
import tablib
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell

from kpis.models import EXPLANATION_FIELDS, EXPLANATION_PARTS, Actual, Source, unit_scale
from kpis.progress import plain_decimal


def local_time(moment):
    """A moment in the district's time with its offset: "2024-07-01T09:30:00+08:00"."""
    return moment and timezone.localtime(moment).isoformat(timespec="seconds")


def rounded(ratio):
    return None if ratio is None else round(float(ratio), 4)


def source_data(source, quote):
    if source is None:
        return None
    return {
        "title": source.title,
        "publisher": source.publisher,
        "date": source.published_on.isoformat(),
        "quote": quote,
    }


def reading_data(reading):
    if reading is None:
        return None
    return {"period_end": reading.period_end.isoformat(), "value": plain_decimal(reading.value)}


def change_data(change):
    if change is None:
        return None
    return {"from": reading_data(change.start), "share": rounded(change.share)}


def pace_status_data(result):
    """An overdue row's pace verdict as of its latest figure's period, else None."""
    if result.pace_status is None:
        return None
    return {
        "status": str(result.pace_status),
        "as_of": result.as_of and result.as_of.isoformat(),
    }


def withdrawal_data(indicator, year):
    if indicator.target_withdrawn_at is None:
        return None
    return {
        "year": year,
        "withdrawn_on": timezone.localdate(indicator.target_withdrawn_at).isoformat(),
        "reason": indicator.target_withdrawal_reason,
    }


def indicator_row(indicator, sources, explanations):
    """One indicator of `progress_rows(year)` as the open data row; `sources` by id,
    `explanations` by (indicator id, period end)."""
    result = indicator.result
    baseline = None
    if indicator.baseline_value is not None:
        baseline = {
            "year": indicator.baseline_year,
            "value": plain_decimal(indicator.baseline_value),
            "qualifier": indicator.baseline_qualifier or None,
        }
    actual = None
    if result.current is not None:
        actual = {
            "period_end": result.as_of.isoformat(),
            "value": plain_decimal(result.current),
            "explanation": explanations.get((indicator.id, result.as_of)),
        }
    target = None
    if indicator.target_value is not None:
        target = {
            "year": result.year,
            "value": plain_decimal(indicator.target_value),
            "qualifier": indicator.target_qualifier,
        }
        source = source_data(sources.get(indicator.target_source_id), indicator.target_quote)
    else:
        source = source_data(sources.get(indicator.source_id), indicator.baseline_quote)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "theme": indicator.theme.name_en,
        "theme_zh": indicator.theme.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "value_type": indicator.value_type,
        "baseline": baseline,
        "target": target,
        "target_withdrawn": withdrawal_data(indicator, result.year),
        "actual": actual,
        "latest": reading_data(indicator.latest),
        "change": change_data(indicator.change),
        "year_closed": result.year_closed,
        "final_due": result.final_due and result.final_due.isoformat(),
        "stale": indicator.stale,
        "reported_as": indicator.reported_as,
        "attainment": rounded(result.attainment),
        "progress": rounded(result.progress),
        "expected": plain_decimal(result.expected),
        "status": str(result.status),
        "pace_status": pace_status_data(result),
        "source": source,
    }


def progress_document(rows, year, today):
    sources = Source.objects.in_bulk()
    explanations = Actual.objects.published_explanations(year)
    return {
        "year": year,
        "as_of": today.isoformat(),
        "generated_at": local_time(timezone.now()),
        "indicators": [indicator_row(row, sources, explanations) for row in rows],
    }


# Columns of the flat files (CSV, XLSX), in order: the JSON row, one level deep.
COLUMNS = [
    ("code", _("Stable code of the indicator")),
    ("name", _("Name in Chinese")),
    ("name_en", _("Name in English")),
    ("theme", _("Theme, in English")),
    ("theme_zh", _("Theme, in Chinese")),
    ("unit", _("Unit (亿元 = 100 million yuan)")),
    ("direction", _("Direction of good: increase or decrease")),
    ("value_type", _("stock, flow (periods add up within the year) or rate")),
    ("baseline_year", _("Year of the baseline")),
    ("baseline_value", _("Baseline value; empty where the source gives none")),
    ("baseline_qualifier", _("over (more than), reach, about, at_least or at_most")),
    ("target_year", _("Target year")),
    ("target_value", _("Target value")),
    (
        "target_qualifier",
        _(
            "over (must be exceeded), reach, about, at_least (X以上: a floor) or at_most "
            "(X以内: a ceiling, met at or below it)"
        ),
    ),
    ("target_withdrawal_reason", _("Why the year's target was withdrawn; empty while it stands")),
    (
        "reported_as",
        _("period (each period's own amount) or year_to_date (total of the year so far)"),
    ),
    ("actual_period_end", _("End of the period of the year's latest published figure")),
    ("actual_value", _("The year's value so far from published figures")),
    ("latest_period_end", _("End of the period of the latest published figure of any year")),
    ("latest_value", _("The latest published figure of any year")),
    ("change_from_period_end", _("What the latest figure is compared with: its period end")),
    ("change_from_value", _("What the latest figure is compared with: its value")),
    ("change_share", _("Relative change of the latest figure against that one")),
    ("stale", _("true when the periods after the latest figure are overdue")),
    ("attainment", _("Actual divided by target")),
    ("progress", _("Share of the way from baseline to target")),
    ("expected", _("Where the even pace puts the indicator by the latest period")),
    (
        "status",
        _(
            "achieved, on_track, at_risk, behind, no_data, unknown_pace, no_target, missed, "
            "no_final_figure or overdue"
        ),
    ),
    ("pace_status", _("For an overdue row: the pace verdict as of its latest figure's period")),
    ("pace_as_of", _("For an overdue row: the period end that pace verdict is as of")),
    ("year_closed", _("true when the target year is over")),
    ("final_due", _("The day the year-end figure is due, for a year that is over")),
    ("explanation_progress", _("Public explanation of the latest figure: progress")),
    ("explanation_problems", _("Public explanation of the latest figure: problems")),
    ("explanation_next_steps", _("Public explanation of the latest figure: next steps")),
    ("explanation_progress_en", _("The same in English, where given: progress")),
    ("explanation_problems_en", _("The same in English, where given: problems")),
    ("explanation_next_steps_en", _("The same in English, where given: next steps")),
    ("source_title", _("Title of the source document")),
    ("source_publisher", _("Publisher of the source")),
    ("source_date", _("Date of the source")),
    ("source_quote", _("The source's sentence, word for word")),
]
TEXT_COLUMNS = {
    "name",
    "name_en",
    "theme",
    "theme_zh",
    "target_withdrawal_reason",
    "source_title",
    "source_publisher",
    "source_quote",
    *EXPLANATION_FIELDS,
}
HISTORY_COLUMNS = [
    "code",
    "period_end",
    "value",
    "first_published_at",
    "revised_at",
    *EXPLANATION_FIELDS,
]


def explanation_cells(explanation):
    """A published explanation as the flat files' explanation columns, by name."""
    explanation = explanation or {}
    english = explanation.get("en") or {}
    cells = {}
    for part, _label in EXPLANATION_PARTS:
        cells[f"explanation_{part}"] = explanation.get(part)
        cells[f"explanation_{part}_en"] = english.get(part)
    return cells


def neutralise(text):
    """Spreadsheet programs run a cell that starts with = + - @ as a formula (CSV injection);
    a leading apostrophe makes it plain text again."""
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def flat(row):
    # .get: snapshots taken before a column existed lack its key.
    values = {key: row.get(key) for key in ("code", "name", "name_en", "theme", "theme_zh")}
    values |= {key: row[key] for key in ("unit", "direction", "value_type")}
    for part in ("baseline", "target"):
        for key in ("year", "value", "qualifier"):
            values[f"{part}_{key}"] = (row[part] or {}).get(key)
    # Snapshots taken before withdrawals were recorded have no such key.
    values["target_withdrawal_reason"] = (row.get("target_withdrawn") or {}).get("reason")
    values["reported_as"] = row.get("reported_as")
    for part in ("actual", "latest"):
        values[f"{part}_period_end"] = (row.get(part) or {}).get("period_end")
        values[f"{part}_value"] = (row.get(part) or {}).get("value")
    values.update(explanation_cells((row["actual"] or {}).get("explanation")))
    change = row.get("change") or {}
    values["change_from_period_end"] = (change.get("from") or {}).get("period_end")
    values["change_from_value"] = (change.get("from") or {}).get("value")
    values["change_share"] = change.get("share")
    for key in (
        "attainment",
        "progress",
        "expected",
        "status",
        "stale",
        "year_closed",
        "final_due",
    ):
        values[key] = row.get(key)
    # Snapshots taken before `overdue` existed have no such key.
    pace = row.get("pace_status") or {}
    values["pace_status"], values["pace_as_of"] = pace.get("status"), pace.get("as_of")
    for key in ("title", "publisher", "date", "quote"):
        values[f"source_{key}"] = (row["source"] or {}).get(key)
    return [
        neutralise(values[name]) if name in TEXT_COLUMNS else values[name] for name, _ in COLUMNS
    ]


def progress_dataset(document):
    dataset = tablib.Dataset(headers=[name for name, _ in COLUMNS])
    for row in document["indicators"]:
        dataset.append(["" if value is None else value for value in flat(row)])
    return dataset


def unit_data(unit):
    """The unit's facts from the units table: its English form, base unit and scale
    (亿元: "100 million yuan", 元, "100000000")."""
    scale = unit_scale(unit)
    return {"unit_en": scale.en, "unit_base": scale.base, "unit_scale": plain_decimal(scale.scale)}


def history_document(indicator, actuals):
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        **unit_data(indicator.unit),
        "value_type": indicator.value_type,
        "generated_at": local_time(timezone.now()),
        "figures": [
            {
                "period_end": actual.period_end.isoformat(),
                "value": plain_decimal(actual.published_value),
                "first_published_at": local_time(actual.published_at),
                "revised_at": local_time(actual.revised_at),
                "explanation": actual.published_explanation,
            }
            for actual in actuals
        ],
    }


def history_dataset(document):
    dataset = tablib.Dataset(headers=HISTORY_COLUMNS)
    for figure in document["figures"]:
        cells = {**figure, **explanation_cells(figure.get("explanation"))}
        dataset.append(
            [document["code"]] + [neutralise(cells[key] or "") for key in HISTORY_COLUMNS[1:]]
        )
    return dataset


# Columns the XLSX files hold as numbers (CSV has only text): amounts in the indicator's
# unit, shares of the target, years.
AMOUNT_COLUMNS = {"baseline_value", "target_value", "actual_value", "expected", "value"}
AMOUNT_COLUMNS |= {"latest_value", "change_from_value"}
SHARE_COLUMNS = {"attainment", "progress", "change_share"}
YEAR_COLUMNS = {"baseline_year", "target_year"}


def number_format(amount):
    """An Excel number format that shows `amount` with its own decimals: "#,##0.0"."""
    places = max(0, -amount.normalize().as_tuple().exponent)
    return "#,##0" + ("." + "0" * places if places else "")


def spreadsheet_cell(sheet, name, value):
    """`value` as a cell of `sheet`: numbers as numbers with a format, so Excel can add
    them; text as it is."""
    if value in ("", None):
        return None
    if name in YEAR_COLUMNS:
        return int(value)
    if name in AMOUNT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        cell.number_format = number_format(cell.value)
        return cell
    if name in SHARE_COLUMNS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.0%"
        return cell
    return value


def xlsx_file(dataset, title):
    """`dataset` (from `progress_dataset` or `history_dataset`) as an XLSX workbook, written
    row by row (openpyxl's write-only mode: 441 -> 326 ms for 1,000 indicators against a
    workbook kept whole, docs/performance.md)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append(dataset.headers)
    headers = dataset.headers
    for row in dataset:
        sheet.append(
            [spreadsheet_cell(sheet, name, value) for name, value in zip(headers, row, strict=True)]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

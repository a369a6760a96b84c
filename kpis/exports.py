"""Open data: the public progress table as plain data (the JSON contract in
docs/open-data.md), and the same rows as flat CSV and XLSX files."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import Indicator, Snapshot, Source
from kpis.progress import plain_decimal


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


def withdrawal_data(indicator, year):
    if indicator.target_withdrawn_at is None:
        return None
    return {
        "year": year,
        "withdrawn_on": timezone.localdate(indicator.target_withdrawn_at).isoformat(),
        "reason": indicator.target_withdrawal_reason,
    }


def indicator_row(indicator, sources):
    """One indicator of `progress_rows(year)` as the open data row; `sources` by id."""
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
        actual = {"period_end": result.as_of.isoformat(), "value": plain_decimal(result.current)}
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
        "source": source,
    }


def progress_document(rows, year, today):
    sources = Source.objects.in_bulk()
    return {
        "year": year,
        "as_of": today.isoformat(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "indicators": [indicator_row(row, sources) for row in rows],
    }


def take_snapshot(today, year):
    """Freeze the public table of `year` and the key tasks, judged on `today`, as a
    Snapshot."""
    # Here, not at the top: tasks.exports builds on this module.
    from tasks.exports import task_rows

    rows = Indicator.objects.public().progress_rows(year, today)
    document = progress_document(rows, year, today)
    document["tasks"] = task_rows(today)
    return Snapshot.objects.take(today, year, document)


# Columns of the flat files (CSV, XLSX), in order: the JSON row, one level deep.
COLUMNS = [
    ("code", _("Stable code of the indicator")),
    ("name", _("Name in Chinese")),
    ("name_en", _("Name in English")),
    ("theme", _("Theme")),
    ("unit", _("Unit (亿元 = 100 million yuan)")),
    ("direction", _("Direction of good: increase or decrease")),
    ("value_type", _("stock, flow (periods add up within the year) or rate")),
    ("baseline_year", _("Year of the baseline")),
    ("baseline_value", _("Baseline value; empty where the source gives none")),
    ("baseline_qualifier", _("over (more than), reach or about")),
    ("target_year", _("Target year")),
    ("target_value", _("Target value")),
    ("target_qualifier", _("over (must be exceeded), reach or about")),
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
            "achieved, on_track, at_risk, behind, no_data, unknown_pace, no_target, missed or "
            "no_final_figure"
        ),
    ),
    ("year_closed", _("true when the target year is over")),
    ("final_due", _("The day the year-end figure is due, for a year that is over")),
    ("source_title", _("Title of the source document")),
    ("source_publisher", _("Publisher of the source")),
    ("source_date", _("Date of the source")),
    ("source_quote", _("The source's sentence, word for word")),
]
TEXT_COLUMNS = {
    "name",
    "name_en",
    "theme",
    "target_withdrawal_reason",
    "source_title",
    "source_publisher",
    "source_quote",
}
HISTORY_COLUMNS = ["code", "period_end", "value", "first_published_at", "revised_at"]


def neutralise(text):
    """Spreadsheet programs run a cell that starts with = + - @ as a formula (CSV injection);
    a leading apostrophe makes it plain text again."""
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def flat(row):
    values = {
        key: row[key]
        for key in ("code", "name", "name_en", "theme", "unit", "direction", "value_type")
    }
    for part in ("baseline", "target"):
        for key in ("year", "value", "qualifier"):
            values[f"{part}_{key}"] = (row[part] or {}).get(key)
    # Snapshots taken before withdrawals were recorded have no such key.
    values["target_withdrawal_reason"] = (row.get("target_withdrawn") or {}).get("reason")
    values["reported_as"] = row["reported_as"]
    for part in ("actual", "latest"):
        values[f"{part}_period_end"] = (row[part] or {}).get("period_end")
        values[f"{part}_value"] = (row[part] or {}).get("value")
    change = row["change"] or {}
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


def history_document(indicator, actuals):
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "value_type": indicator.value_type,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "figures": [
            {
                "period_end": actual.period_end.isoformat(),
                "value": plain_decimal(actual.published_value),
                "first_published_at": actual.published_at.isoformat(timespec="seconds"),
                "revised_at": actual.revised_at and actual.revised_at.isoformat(timespec="seconds"),
            }
            for actual in actuals
        ],
    }


def history_dataset(document):
    dataset = tablib.Dataset(headers=HISTORY_COLUMNS)
    for figure in document["figures"]:
        dataset.append([document["code"]] + [figure[key] or "" for key in HISTORY_COLUMNS[1:]])
    return dataset

"""Five-year plans as open data: the JSON contract of docs/open-data.md ("Five-year
plans"), and the same plans as flat CSV and XLSX rows (one a target and plan year)."""

import io
from decimal import Decimal

import openpyxl
import tablib
from openpyxl.cell import WriteOnlyCell

from kpis.exports import neutralise, number_format, reading_data, source_data
from kpis.progress import plain_decimal
from plans.models import Plan


def target_row(target):
    """One target of `Plan.objects.with_verdicts(today)` as its open data row."""
    return {
        "indicator": target.indicator.code,
        "binding": target.binding,
        "path": target.path,
        "base": {"year": target.base_year, "value": plain_decimal(target.base_value)},
        "target": {
            "year": target.plan.end_year,
            "value": plain_decimal(target.end_target),
            "qualifier": target.qualifier,
        },
        "rate": plain_decimal(target.rate),
        "years": [
            {
                "year": verdict.year,
                "path_value": plain_decimal(verdict.path_value),
                "actual": reading_data(verdict.actual),
                "status": str(verdict.status),
            }
            for verdict in target.years
        ],
        "status": str(target.status),
    }


def plan_row(plan):
    return {
        "code": plan.code,
        "name": plan.name,
        "name_en": plan.name_en,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "source": source_data(plan.source, None),
        "targets": [target_row(target) for target in plan.plan_targets],
    }


def plans_document(today):
    """Every public plan, its targets judged on `today`."""
    return {"plans": [plan_row(plan) for plan in Plan.objects.public().with_verdicts(today)]}


COLUMNS = [
    "plan_code",
    "plan_name",
    "plan_name_en",
    "indicator",
    "binding",
    "path",
    "base_year",
    "base_value",
    "target_year",
    "target_value",
    "qualifier",
    "rate",
    "target_status",
    "year",
    "path_value",
    "actual_period_end",
    "actual_value",
    "status",
    "source_title",
    "source_publisher",
    "source_date",
]
TEXT_COLUMNS = {"plan_name", "plan_name_en", "source_title", "source_publisher"}
NUMBER_COLUMNS = {"base_value", "target_value", "rate", "path_value", "actual_value"}
YEAR_COLUMNS = {"base_year", "target_year", "year"}


def flat_rows(document):
    for plan in document["plans"]:
        source = plan["source"] or {}
        for target in plan["targets"]:
            for year in target["years"]:
                actual = year["actual"] or {}
                values = {
                    "plan_code": plan["code"],
                    "plan_name": plan["name"],
                    "plan_name_en": plan["name_en"],
                    "indicator": target["indicator"],
                    "binding": target["binding"],
                    "path": target["path"],
                    "base_year": target["base"]["year"],
                    "base_value": target["base"]["value"],
                    "target_year": target["target"]["year"],
                    "target_value": target["target"]["value"],
                    "qualifier": target["target"]["qualifier"],
                    "rate": target["rate"],
                    "target_status": target["status"],
                    "year": year["year"],
                    "path_value": year["path_value"],
                    "actual_period_end": actual.get("period_end"),
                    "actual_value": actual.get("value"),
                    "status": year["status"],
                    **{f"source_{key}": source.get(key) for key in ("title", "publisher", "date")},
                }
                yield [
                    neutralise(values[name]) if name in TEXT_COLUMNS else values[name]
                    for name in COLUMNS
                ]


def plans_dataset(document):
    dataset = tablib.Dataset(headers=COLUMNS)
    for row in flat_rows(document):
        dataset.append(["" if value is None else value for value in row])
    return dataset


def plans_xlsx(dataset):
    """`dataset` as an XLSX workbook whose amounts and years are numbers Excel can add."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("plans")
    sheet.freeze_panes = "A2"
    sheet.append(dataset.headers)
    for row in dataset:
        cells = []
        for name, value in zip(dataset.headers, row, strict=True):
            if value in ("", None):
                cells.append(None)
            elif name in YEAR_COLUMNS:
                cells.append(int(value))
            elif name in NUMBER_COLUMNS:
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell.number_format = number_format(cell.value)
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

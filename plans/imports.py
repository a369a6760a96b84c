"""A sheet of plan targets (XLSX, or CSV in UTF-8 or GBK) read, checked and saved all or
nothing, for `manage.py import_plan_targets` and the admin's upload. docs/spreadsheets.md
lists the columns.

The file is read as the admin's other spreadsheets are (kpis.resources' readers and cell
widgets); every problem is named by the sheet's own row (the heading is row 1) and column,
and a file with any problem saves nothing.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kpis.models import Indicator, Qualifier, Source
from kpis.resources import (
    ChineseCSV,
    FigureWidget,
    LimitedXLSX,
    QualifierWidget,
    WholeNumberWidget,
    is_blank,
)
from plans import rules
from plans.models import PROBLEMS, Plan, PlanTarget

COLUMNS = [
    "plan_code",
    "plan_name",
    "plan_name_en",
    "start_year",
    "end_year",
    "indicator",
    "binding",
    "path",
    "base_year",
    "base_value",
    "target_value",
    "qualifier",
    "rate",
    "source_title",
    "quote",
]
OPTIONAL = {"target_value", "qualifier", "rate", "change_reason"}
PLAN_COLUMNS = ["plan_name", "plan_name_en", "start_year", "end_year", "source_title"]
BINDING_WORDS = {
    "binding": "binding",
    "约束性": "binding",
    "expected": "expected",
    "预期性": "expected",
}
YEARS = {"start_year", "end_year", "base_year"}
AMOUNTS = {"base_value", "target_value", "rate"}
# Which column each of plans.rules.problems' fields is read from.
FIELD_COLUMNS = {"end_year": "end_year", "base_year": "base_year", "rate": "rate"}
FIELD_COLUMNS |= {"target_value": "target_value", "base_value": "base_value", "path": "path"}
PLAN_FIELD_COLUMNS = {"code": "plan_code", "name": "plan_name", "name_en": "plan_name_en"}
PLAN_FIELD_COLUMNS |= {"source": "source_title", "__all__": "end_year"}


class Refused(Exception):
    """The file is refused: `problems` lists (row, column, message)."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems

    def lines(self):
        return [problem_line(*problem) for problem in self.problems]


def problem_line(row, column, message):
    if row is None:
        return _("Column %(column)s: %(message)s") % {"column": column, "message": message}
    return _("Row %(row)s, column %(column)s: %(message)s") % {
        "row": row,
        "column": column,
        "message": message,
    }


@dataclass
class Outcome:
    plans_created: list = field(default_factory=list)
    targets_created: int = 0
    targets_changed: int = 0
    targets_unchanged: int = 0


def read_sheet(data, name=""):
    """The rows of an uploaded file as dicts by column name; XLSX files start as zip files."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise Refused([(None, name, _("The file is too large."))])
    reader = LimitedXLSX() if data[:2] == b"PK" else ChineseCSV()
    try:
        dataset = reader.create_dataset(data)
    except Exception as error:  # a file no reader understands: say so, never a traceback
        raise Refused([(None, name, _("The file cannot be read: %s") % error)]) from None
    headers = [str(header or "").strip().lower() for header in dataset.headers or []]
    missing = [column for column in COLUMNS if column not in headers and column not in OPTIONAL]
    if missing:
        raise Refused([(None, column, _("This column is missing.")) for column in missing])
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise Refused([(None, name, _("The file has too many rows."))])
    rows = []
    for number, values in enumerate(dataset, start=2):
        row = dict(zip(headers, values, strict=False))
        if not all(is_blank(value) for value in row.values()):
            rows.append((number, row))
    return rows


def cell(row, column, number, problems):
    """One cell read as its column wants it, or None with the problem noted."""
    value = row.get(column)
    if is_blank(value):
        if column not in OPTIONAL:
            problems.append((number, column, _("This cell is empty.")))
        return None
    try:
        if column in YEARS:
            return WholeNumberWidget().clean(value)
        if column in AMOUNTS:
            return FigureWidget().clean(value)
    except ValueError as error:
        problems.append((number, column, str(error)))
        return None
    text = str(value).strip()
    if column == "binding":
        if text not in BINDING_WORDS:
            problems.append((number, column, _("Write binding, expected, 约束性 or 预期性.")))
        return BINDING_WORDS.get(text)
    if column == "path":
        if text not in PlanTarget.Path.values:
            problems.append(
                (number, column, _("Write linear, compound, cumulative or annual_change."))
            )
            return None
    if column == "qualifier":
        text = QualifierWidget().clean(text)
        if text not in Qualifier.values:
            problems.append((number, column, _("Unknown qualifier “%s”.") % value))
            return None
    return text


def parse(rows):
    """(plans by code, target rows) from the sheet, or Refused naming every problem."""
    problems = []
    indicators = Indicator.objects.in_bulk(
        {str(row.get("indicator") or "").strip() for _number, row in rows}, field_name="code"
    )
    sources = {}
    for source in Source.objects.filter(
        title__in={str(row.get("source_title") or "").strip() for _number, row in rows}
    ):
        sources.setdefault(source.title, []).append(source)
    plans, targets = {}, []
    for number, row in rows:
        values = {column: cell(row, column, number, problems) for column in COLUMNS}
        values["change_reason"] = str(row.get("change_reason") or "").strip()
        indicator = indicators.get(values["indicator"])
        if values["indicator"] and indicator is None:
            problems.append((number, "indicator", _("No indicator has this code.")))
        found = sources.get(values["source_title"], [])
        if values["source_title"] and len(found) != 1:
            problems.append(
                (number, "source_title", _("Not the title of one source: add it under Sources."))
            )
        values["source"] = found[0] if len(found) == 1 else None
        code = values["plan_code"]
        plan_values = {column: values[column] for column in PLAN_COLUMNS}
        plan_values["source"] = values["source"]
        if code and plans.setdefault(code, (number, plan_values))[1] != plan_values:
            first = plans[code][0]
            problems.append(
                (
                    number,
                    "plan_code",
                    _("The plan's name, years and source differ from row %(row)s.")
                    % {"row": first},
                )
            )
        if indicator is not None and None not in (
            values["start_year"],
            values["end_year"],
            values["base_year"],
            values["base_value"],
            values["path"],
        ):
            terms = rules.Terms(
                path=values["path"],
                start_year=values["start_year"],
                end_year=values["end_year"],
                base_year=values["base_year"],
                base_value=values["base_value"],
                target_value=values["target_value"],
                rate=values["rate"],
                value_type=indicator.value_type,
            )
            for name, problem in rules.problems(terms).items():
                problems.append((number, FIELD_COLUMNS[name], str(PROBLEMS[problem])))
        targets.append((number, values, indicator))
    if problems:
        raise Refused(problems)
    return plans, targets


def import_rows(rows, dry_run=False):
    """Save the sheet's plans and targets, all or nothing; an Outcome, or Refused."""
    plans, targets = parse(rows)
    outcome = Outcome()
    with transaction.atomic():
        saved, problems = {}, []
        for code, (number, values) in plans.items():
            plan = Plan.objects.filter(code=code).first()
            if plan is None:
                plan = Plan(code=code, source=values["source"])
                outcome.plans_created.append(code)
            plan.name, plan.name_en = values["plan_name"], values["plan_name_en"]
            plan.start_year, plan.end_year = values["start_year"], values["end_year"]
            try:
                plan.full_clean()
            except ValidationError as error:
                column, messages = next(iter(error.message_dict.items()))
                problems.append(
                    (number, PLAN_FIELD_COLUMNS.get(column, column), " ".join(messages))
                )
                continue
            plan.save()
            saved[code] = plan
        if problems:
            raise Refused(problems)
        for number, values, indicator in targets:
            problem = save_target(saved[values["plan_code"]], indicator, values, outcome)
            if problem:
                problems.append((number, *problem))
        if problems:
            transaction.set_rollback(True)
            raise Refused(problems)
        if dry_run:
            transaction.set_rollback(True)
    return outcome


TARGET_FIELDS = ["binding", "path", "base_year", "base_value", "target_value", "rate", "quote"]


def save_target(plan, indicator, values, outcome):
    """Create or revise one target; (column, message) when it may not be saved."""
    target = PlanTarget.objects.filter(plan=plan, indicator=indicator).first()
    new = target is None
    if new:
        target = PlanTarget(plan=plan, indicator=indicator)
    before = None if new else [getattr(target, name) for name in TARGET_FIELDS + ["qualifier"]]
    for name in TARGET_FIELDS:
        setattr(target, name, values[name])
    target.qualifier = values["qualifier"] or Qualifier.REACH
    after = [getattr(target, name) for name in TARGET_FIELDS + ["qualifier"]]
    if not new and before == after:
        outcome.targets_unchanged += 1
        return None
    if not new and plan.has_been_public():
        # A public target is revised in the open: why, and on which document.
        if not values["change_reason"]:
            return "change_reason", _(
                "This plan is public: a changed target needs its reason (change_reason) and "
                "the source of the new value (source_title)."
            )
        if values["source"] == plan.source:
            return "source_title", _("A revision needs the document it comes from, not the plan.")
        target.source = values["source"]
    target._change_reason = values["change_reason"][:100]
    try:
        target.full_clean()
    except ValidationError as error:
        column, messages = next(iter(error.message_dict.items()))
        return column, " ".join(messages)
    target.save()
    if new:
        outcome.targets_created += 1
    else:
        outcome.targets_changed += 1
    return None

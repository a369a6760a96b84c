import csv
import datetime

from django.core.management import BaseCommand

from kpis.extraction import IndicatorMatcher, extract, paragraph
from kpis.management.commands.extract_targets import indicator_rows, read_document
from plans.extraction import propose
from plans.imports import COLUMNS


class Command(BaseCommand):
    help = (
        "Propose plan targets from a plan document (.txt in UTF-8, or .docx): 到2030年… "
        "levels, 年均增长… rates, 年均提高…个百分点 steps and 累计… totals, printed as a CSV "
        "in the columns of import_plan_targets, to complete (class, base, indicator, units) "
        "and import."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--plan-code", required=True)
        parser.add_argument("--start-year", required=True, type=int)
        parser.add_argument("--end-year", required=True, type=int)
        parser.add_argument("--date", type=datetime.date.fromisoformat)

    def handle(self, path, plan_code, start_year, end_year, date, **options):
        text = read_document(path)
        matcher = IndicatorMatcher(indicator_rows())
        writer = csv.DictWriter(self.stdout, fieldnames=[*COLUMNS, "unit"], lineterminator="\n")
        writer.writeheader()
        for proposal in propose(extract(text, date), end_year):
            candidate = proposal.candidate
            indicator = matcher.match(candidate, paragraph(text, candidate))
            writer.writerow(
                {
                    "plan_code": plan_code,
                    "start_year": start_year,
                    "end_year": end_year,
                    "indicator": indicator or "",
                    "path": proposal.path,
                    "base_year": start_year - 1,
                    "target_value": blank_if_none(proposal.target_value),
                    "qualifier": proposal.qualifier or "",
                    "rate": blank_if_none(proposal.rate),
                    "quote": proposal.quote,
                    "unit": proposal.unit,
                }
            )


def blank_if_none(value):
    return "" if value is None else value

import datetime
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from plans import reviews


class Command(BaseCommand):
    help = (
        "Write the mid-term or final review of a five-year plan (中期评估 / 总结评估) as of a "
        "day of the plan's years as Word or PDF: the periods that ended by then, judged as on "
        "that day. A day later than today makes a rehearsal, which the file says."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="The plan's code.")
        parser.add_argument("--as-of", required=True, type=datetime.date.fromisoformat)
        parser.add_argument("--format", choices=["docx", "pdf"], required=True)
        parser.add_argument("--lang", choices=sorted(reviews.LANGUAGES), default="zh")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, code, as_of, output, **options):
        if not output.parent.is_dir():
            raise CommandError(f"No such folder: {output.parent}")
        plan = reviews.reviewed_plan(code, as_of)
        if plan is None:
            raise CommandError(f"No plan has the code {code!r}.")
        first, last = reviews.plan_year_range(plan)
        if not first <= as_of <= last:
            raise CommandError(f"--as-of must be a day of the plan's years ({first} to {last}).")
        language = reviews.LANGUAGES[options["lang"]]
        output.write_bytes(reviews.render(plan, as_of, language, options["format"]))
        self.stdout.write(f"Review of {plan.code} as of {as_of} ({language}): {output}")

import datetime
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from plans import reviews


class Command(BaseCommand):
    help = (
        "Make the mid-term or final review of a five-year plan (中期评估 / 总结评估) as of a "
        "day of the plan's years (the periods that ended by then, judged as on that day), "
        "store it and write it as Word or PDF. A day later than today makes a rehearsal, "
        "which the file says and the public pages do not list."
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
        try:
            review = reviews.make(code, as_of, reviews.LANGUAGES[options["lang"]])
        except ValueError as refusal:
            raise CommandError(str(refusal)) from None
        output.write_bytes(bytes(getattr(review, options["format"])))
        self.stdout.write(f"Review of {code} as of {as_of} ({review.language}): {output}")

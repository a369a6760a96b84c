import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from reports import bulletins

LANGUAGES = {"zh": "zh-hans", "en": "en"}


class Command(BaseCommand):
    help = (
        "Make the leaders' bulletin as of a day (the periods that ended by then, with the "
        "figures as published now, judged as on that day), store it as a new version and "
        "write it as Word or PDF. It is listed at /bulletins/ and /en/bulletins/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=datetime.date.fromisoformat)
        parser.add_argument(
            "--year", type=int, help="Target year; the year of --as-of if not given."
        )
        parser.add_argument("--lang", choices=sorted(LANGUAGES), default="zh")
        parser.add_argument("--format", choices=["docx", "pdf"], required=True)
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, **options):
        if not options["output"].parent.is_dir():
            raise CommandError(f"No such folder: {options['output'].parent}")
        try:
            bulletin = bulletins.make(options["as_of"], LANGUAGES[options["lang"]], options["year"])
        except ValidationError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        options["output"].write_bytes(bytes(getattr(bulletin, options["format"])))
        self.stdout.write(
            f"Bulletin {bulletin.as_of} ({bulletin.language}) issue {bulletin.issue}, "
            f"version {bulletin.version}: {options['output']}"
        )

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from plans.imports import Refused, import_rows, read_sheet


class Command(BaseCommand):
    help = (
        "Import a five-year plan's targets from an XLSX or CSV file (UTF-8 or GBK); "
        "docs/spreadsheets.md lists the columns. All rows or none are saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and save nothing."
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from None
        try:
            outcome = import_rows(read_sheet(data, file.name), dry_run=dry_run)
        except Refused as refused:
            for line in refused.lines():
                self.stderr.write(line)
            raise CommandError(_("The file is refused; nothing was saved.")) from None
        summary = _(
            "%(created)d targets new, %(changed)d changed, %(unchanged)d unchanged; "
            "new plans: %(plans)s."
        ) % {
            "created": outcome.targets_created,
            "changed": outcome.targets_changed,
            "unchanged": outcome.targets_unchanged,
            "plans": ", ".join(outcome.plans_created) or "—",
        }
        if dry_run:
            summary = _("Dry run, nothing saved: %(summary)s") % {"summary": summary}
        self.stdout.write(summary)

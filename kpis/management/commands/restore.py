import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from kpis.management.commands.backup import evidence_archive
from kpis.models import Indicator


class Command(BaseCommand):
    help = (
        "Load a copy written by `backup` into this database, after `migrate`. Refuses a "
        "database that has data unless --replace is given, which empties it first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="File written by `backup`")
        parser.add_argument(
            "--replace", action="store_true", help="Delete all data in this database first."
        )

    def handle(self, path, replace=False, **options):
        if Indicator.objects.exists() and not replace:
            raise CommandError(
                "This database has data. Restore into a new database, or add --replace "
                "to delete everything in it first."
            )
        with transaction.atomic():
            if replace:
                call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", path, verbosity=0)
        # The database's triggers raise the data version on raw loads too, so no cached page
        # is served stale; emptying the cache only frees it of the replaced data's pages.
        cache.clear()
        self.stdout.write(f"Restored {path}.")
        files = Path(evidence_archive(path))
        if not files.exists():
            self.stdout.write(f"No evidence files beside it ({files}): none restored.")
            return
        root = Path(settings.KPI_EVIDENCE_ROOT)
        with tempfile.TemporaryDirectory() as unpacked, tarfile.open(files) as archive:
            # The "data" filter refuses links and paths outside the directory.
            archive.extractall(unpacked, filter="data")
            restored = Path(unpacked) / "evidence"
            for source in restored.rglob("*"):
                if source.is_file():
                    target = root / source.relative_to(restored)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(source, target)
        self.stdout.write(f"Restored the evidence files from {files}.")

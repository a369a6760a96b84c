import gzip
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from kpis import encryption, object_store
from kpis.models import Indicator, Unit


class Command(BaseCommand):
    help = (
        "Load a copy written by `backup` into this database, after `migrate`: decrypted with "
        "KPI_BACKUP_KEY when it was encrypted, fetched from the object store first with "
        "--s3. Refuses a database that has data unless --replace is given, which empties it "
        "first (all but the security log, which is append-only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="File written by `backup`")
        parser.add_argument(
            "--replace", action="store_true", help="Delete all data in this database first."
        )
        parser.add_argument(
            "--s3",
            action="store_true",
            help="Fetch the file of this name from the object store into `path` first.",
        )

    def handle(self, path, replace=False, s3=False, **options):
        if Indicator.objects.exists() and not replace:
            raise CommandError(
                "This database has data. Restore into a new database, or add --replace "
                "to delete everything in it first."
            )
        if s3:
            try:
                Path(path).write_bytes(object_store.get(Path(path).name))
            except object_store.ObjectStoreError as failure:
                raise CommandError(f"The backup was not fetched: {failure}") from failure
        with open(path, "rb") as file:
            encrypted = encryption.is_encrypted(file.read(len(encryption.MAGIC)))
        if encrypted:
            with tempfile.TemporaryDirectory() as folder:
                plain = os.path.join(folder, Path(path.removesuffix(".enc")).name)
                try:
                    data = encryption.decrypt(Path(path).read_bytes(), settings.BACKUP_KEY)
                except encryption.WrongKey as wrong:
                    raise CommandError(f"Cannot decrypt {path}: {wrong}.") from wrong
                Path(plain).write_bytes(data)
                self.load(plain, replace)
        else:
            self.load(path, replace)
        self.stdout.write(f"Restored {path}.")

    def load(self, path, replace):
        with transaction.atomic():
            if replace:
                call_command("flush", interactive=False, verbosity=0)
            if brings_units(path):
                # The backup brings its own units table. The one this database was given (by
                # migrate, or again after the flush) has the same units under other ids.
                Unit.objects.filter(base__isnull=False).delete()
                Unit.objects.all().delete()
            call_command("loaddata", path, verbosity=0)
        # The database's triggers raise the data version on raw loads too, so no cached page
        # is served stale; emptying the cache only frees it of the replaced data's pages.
        cache.clear()


def brings_units(path):
    """Whether the backup at `path` (a gzipped XML fixture) holds rows of the units table."""
    with gzip.open(path, "rt", encoding="utf-8") as fixture:
        return any('model="kpis.unit"' in line for line in fixture)

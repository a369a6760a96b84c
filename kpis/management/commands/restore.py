import bz2
import gzip
import io
import lzma
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from kpis import encryption, object_store
from kpis.management.commands.backup import evidence_archive
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
        self.restore_evidence(path, s3)

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

    def restore_evidence(self, path, s3=False):
        """The evidence files from the archive beside the data (decrypted as the data is)."""
        files = Path(evidence_archive(path.removesuffix(".enc")))
        if path.endswith(".enc"):
            files = files.with_name(files.name + ".enc")
        if s3 and not files.exists():
            try:
                files.write_bytes(object_store.get(files.name))
            except object_store.ObjectStoreError:
                pass
        if not files.exists():
            self.stdout.write(f"No evidence files beside it ({files}): none restored.")
            return
        data = files.read_bytes()
        if files.name.endswith(".enc"):
            data = encryption.decrypt(data, settings.BACKUP_KEY)
        root = Path(settings.KPI_EVIDENCE_ROOT)
        with (
            tempfile.TemporaryDirectory() as unpacked,
            tarfile.open(fileobj=io.BytesIO(data)) as archive,
        ):
            # The "data" filter refuses links and paths outside the directory.
            archive.extractall(unpacked, filter="data")
            restored = Path(unpacked) / "evidence"
            for source in restored.rglob("*"):
                if source.is_file():
                    target = root / source.relative_to(restored)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(source, target)
        self.stdout.write(f"Restored the evidence files from {files}.")


OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def brings_units(path):
    """Whether the backup at `path` (an XML fixture, compressed as its name says) holds rows of
    the units table."""
    opener = OPENERS.get(Path(path).suffix, open)
    with opener(path, "rt", encoding="utf-8") as fixture:
        return any('model="kpis.unit"' in line for line in fixture)

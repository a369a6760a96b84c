import io
import os
import re
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction

from kpis import encryption, object_store

# Rebuilt by migrate on the target database, or worthless in a copy. The security log stays
# in its own database, append-only, and goes to the office's log system as JSON lines.
LEFT_OUT = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "kpis.dataversion",
    "accounts.auditrecord",
    "accounts.auditpurge",
    "accounts.accountsession",
]
NAME = r"\.xml(\.(gz|bz2|xz))?"


class Command(BaseCommand):
    help = (
        "Write a consistent copy of all data, change history included, as XML "
        "(compressed when the name ends in .xml.gz, .xml.bz2 or .xml.xz), encrypted with "
        "KPI_BACKUP_KEY when the name ends in .enc, and sent to the S3-compatible object "
        "store of KPI_BACKUP_S3_* with --s3. Restore it with `restore`. The evidence files "
        "(KPI_EVIDENCE_ROOT) go beside it into NAME-evidence.tar.gz (.enc when the data is "
        "encrypted), which `restore` reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write, e.g. backups/kpis-2024-06-30.xml.gz.enc")
        parser.add_argument(
            "--s3", action="store_true", help="Send the file to the object store too."
        )
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="Write a plain copy where KPI_BACKUP_REQUIRE_KEY asks for encryption.",
        )

    def handle(self, path, s3=False, unencrypted=False, **options):
        encrypted = path.endswith(".enc")
        plain_path = path.removesuffix(".enc")
        if not re.search(NAME + "$", plain_path):
            raise CommandError(
                "Name the file *.xml, *.xml.gz, *.xml.bz2 or *.xml.xz, with .enc at the end "
                "to encrypt it."
            )
        if encrypted and not settings.BACKUP_KEY:
            raise CommandError("Set KPI_BACKUP_KEY (a passphrase or a Fernet key) to encrypt.")
        if not encrypted and settings.BACKUP_REQUIRES_KEY and not unencrypted:
            raise CommandError(
                "Backups are encrypted here: name the file *.enc (with KPI_BACKUP_KEY set), "
                "or add --unencrypted."
            )
        if s3 and not object_store.configured():
            raise CommandError("Set KPI_BACKUP_S3_ENDPOINT and KPI_BACKUP_S3_BUCKET for --s3.")
        if encrypted:
            with tempfile.TemporaryDirectory() as folder:
                plain = os.path.join(folder, Path(plain_path).name)
                self.dump(plain)
                Path(path).write_bytes(
                    encryption.encrypt(Path(plain).read_bytes(), settings.BACKUP_KEY)
                )
        else:
            self.dump(path)
        self.stdout.write(f"Backup written to {path}.")
        files = self.write_evidence(plain_path, encrypted)
        if s3:
            for written in (path, files):
                try:
                    object_store.put(Path(written).name, Path(written).read_bytes())
                except object_store.ObjectStoreError as failure:
                    raise CommandError(f"The backup was not sent: {failure}") from failure
                self.stdout.write(f"Sent to {object_store.object_url(Path(written).name)}.")

    def write_evidence(self, plain_path, encrypted):
        """The evidence files as an archive beside the data, encrypted as the data is. Files
        are only added, never changed (kpis/evidence.py), so a copy made just after the data
        holds every file the data names."""
        files = evidence_archive(plain_path)
        root = Path(settings.KPI_EVIDENCE_ROOT)
        packed = io.BytesIO()
        with tarfile.open(fileobj=packed, mode="w:gz") as archive:
            if root.is_dir():
                archive.add(root, arcname="evidence")
        data = packed.getvalue()
        if encrypted:
            files += ".enc"
            data = encryption.encrypt(data, settings.BACKUP_KEY)
        Path(files).write_bytes(data)
        self.stdout.write(f"Evidence files written to {files}.")
        return files

    def dump(self, path):
        # XML, because Django's JSON encoder cuts timestamps to milliseconds.
        already_in_transaction = connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and not already_in_transaction:
                # One snapshot for every table, while officials go on saving. (Called from
                # inside a transaction, as in tests, that transaction's own view is used.)
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            call_command(
                "dumpdata",
                exclude=LEFT_OUT,
                format="xml",
                natural_foreign=True,
                output=path,
                verbosity=0,
            )


def evidence_archive(path):
    """The evidence files' archive beside the data file `path` (without .enc):
    NAME-evidence.tar.gz."""
    return re.sub(r"\.xml(\.(gz|bz2|xz))?$", "", str(path)) + "-evidence.tar.gz"

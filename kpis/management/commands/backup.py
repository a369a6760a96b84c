import re
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction

# Rebuilt by migrate on the target database, or worthless in a copy.
LEFT_OUT = ["contenttypes", "auth.permission", "sessions", "axes", "kpis.dataversion"]


class Command(BaseCommand):
    help = (
        "Write a consistent copy of all data, change history included, as XML "
        "(compressed when the name ends in .xml.gz, .xml.bz2 or .xml.xz). "
        "Restore it with `restore`. The evidence files (KPI_EVIDENCE_ROOT) go beside it "
        "into NAME-evidence.tar.gz, which `restore` reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write, e.g. backups/kpis-2024-06-30.xml.gz")

    def handle(self, path, **options):
        # XML, because Django's JSON encoder cuts timestamps to milliseconds.
        if not re.search(r"\.xml(\.(gz|bz2|xz))?$", path):
            raise CommandError("Name the file *.xml, *.xml.gz, *.xml.bz2 or *.xml.xz.")
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
        self.stdout.write(f"Backup written to {path}.")
        files = evidence_archive(path)
        root = Path(settings.KPI_EVIDENCE_ROOT)
        # Files are only added, never changed (kpis/evidence.py), so a copy made just after
        # the data holds every file the data names.
        with tarfile.open(files, "w:gz") as archive:
            if root.is_dir():
                archive.add(root, arcname="evidence")
        self.stdout.write(f"Evidence files written to {files}.")


def evidence_archive(path):
    """The evidence files' archive beside the data file `path`: NAME-evidence.tar.gz."""
    return re.sub(r"\.xml(\.(gz|bz2|xz))?$", "", str(path)) + "-evidence.tar.gz"

from django.conf import settings
from django.core.management import BaseCommand

from accounts.models import AuditRecord


class Command(BaseCommand):
    help = (
        "Remove the security log's records older than KPI_AUDIT_RETENTION_DAYS (180 at "
        "least), and only those; the chain stays provable from the first record kept."
    )

    def handle(self, **options):
        deleted = AuditRecord.objects.purge()
        self.stdout.write(
            f"Removed {deleted} records older than {settings.AUDIT_RETENTION_DAYS} days."
        )

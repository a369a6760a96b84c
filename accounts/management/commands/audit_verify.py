from django.core.management import BaseCommand, CommandError

from accounts.models import AuditRecord


class Command(BaseCommand):
    help = (
        "Prove the security log's hash chain from its first kept record to its last, or name "
        "the first record that does not match (changed, or a record before it removed)."
    )

    def handle(self, **options):
        broken = AuditRecord.objects.first_broken()
        if broken is not None:
            raise CommandError(
                f"The security log does not match from record {broken.pk} "
                f"({broken.at.isoformat()}, {broken.action}, {broken.actor or '-'}) on: it was "
                "changed, or a record before it was removed."
            )
        records = AuditRecord.objects.order_by("pk")
        first, last = records.first(), records.last()
        if first is None:
            self.stdout.write("The security log is empty.")
            return
        self.stdout.write(
            f"The security log's {records.count()} records, {first.pk} ({first.at.isoformat()}) "
            f"to {last.pk} ({last.at.isoformat()}), form an unbroken chain."
        )

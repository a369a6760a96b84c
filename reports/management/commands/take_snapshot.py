from django.core.management import BaseCommand
from django.utils import timezone

from kpis.models import Indicator
from reports.snapshots import take_snapshot


class Command(BaseCommand):
    help = (
        "Freeze today's public progress table (the latest target year) as a citable "
        "snapshot at /snapshots/<date>/. Once a day at most; run it from cron, e.g. monthly."
    )

    def handle(self, **options):
        year = Indicator.objects.public().progress_year()
        snapshot, created = take_snapshot(timezone.localdate(), year)
        verb = "Took" if created else "Kept the existing"
        self.stdout.write(f"{verb} snapshot of {snapshot.taken_on}: {snapshot.get_absolute_url()}")

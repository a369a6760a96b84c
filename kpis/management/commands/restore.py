from django.core.cache import cache
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

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

from django.db import migrations
from django.utils import timezone


def record_today(apps, schema_editor):
    Installation = apps.get_model("kpis", "Installation")
    if not Installation.objects.exists():
        Installation.objects.create(first_migrated_on=timezone.localdate())


class Migration(migrations.Migration):
    """The day this database was first migrated: reporting starts then unless
    KPI_REPORTING_STARTS says otherwise (see kpis.models.reporting_starts)."""

    dependencies = [("kpis", "0015_years_reporting_lag_and_start")]

    operations = [migrations.RunPython(record_today, migrations.RunPython.noop)]

from django.db import migrations

from kpis.triggers import drop, install

TABLES = ["kpis_snapshot"]


def add_triggers(apps, schema_editor):
    install(schema_editor.connection, TABLES)


def remove_triggers(apps, schema_editor):
    drop(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    """A new snapshot raises the public data version, so /snapshots/ lists it at once."""

    dependencies = [("kpis", "0020_actual_submitted_by")]

    operations = [migrations.RunPython(add_triggers, remove_triggers)]

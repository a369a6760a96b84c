from django.db import migrations, models

from kpis.triggers import install

# The tables of this migration's time (kpis.triggers.TABLES has grown since).
TABLES = [
    "kpis_actual",
    "kpis_indicator",
    "kpis_target",
    "kpis_theme",
    "kpis_department",
    "kpis_source",
]


def create_triggers(apps, schema_editor):
    execute = schema_editor.execute
    execute("CREATE TABLE kpis_dataversion (id integer PRIMARY KEY, counter bigint NOT NULL)")
    execute("INSERT INTO kpis_dataversion (id, counter) VALUES (1, 1)")
    install(schema_editor.connection, TABLES)


def drop_triggers(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            execute(f"DROP TRIGGER {table}_data_version ON {table}")
        execute("DROP FUNCTION kpis_raise_data_version()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER {table}_{event}_data_version")
    execute("DROP TABLE kpis_dataversion")


class Migration(migrations.Migration):
    dependencies = [("kpis", "0010_first_submission_time")]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("counter", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "kpis_dataversion", "managed": False},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

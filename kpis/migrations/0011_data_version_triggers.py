from django.db import migrations, models

# The tables whose rows public pages show; every change to them raises the data version.
TABLES = [
    "kpis_actual",
    "kpis_indicator",
    "kpis_target",
    "kpis_theme",
    "kpis_department",
    "kpis_source",
]

UPSERT = (
    "INSERT INTO kpis_dataversion (id, counter) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET counter = kpis_dataversion.counter + 1"
)


def create_triggers(apps, schema_editor):
    execute = schema_editor.execute
    execute("CREATE TABLE kpis_dataversion (id integer PRIMARY KEY, counter bigint NOT NULL)")
    execute("INSERT INTO kpis_dataversion (id, counter) VALUES (1, 1)")
    if schema_editor.connection.vendor == "postgresql":
        execute(
            "CREATE FUNCTION kpis_raise_data_version() RETURNS trigger AS $$ "
            f"BEGIN {UPSERT}; RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            execute(
                f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR "
                f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                "kpis_raise_data_version()"
            )
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                execute(
                    f"CREATE TRIGGER {table}_{event.lower()}_data_version AFTER {event} ON "
                    f"{table} BEGIN {UPSERT}; END"
                )


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

"""The database triggers that raise the public data version (see DataVersion).

SQLite rebuilds a table for many schema changes, and drops its triggers with it; so the
triggers are (re)installed after every migrate, idempotently, rather than only by the
migration that introduced them.
"""

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


def install(connection, tables=TABLES):
    """Install the triggers on `tables` (other apps pass their own public tables)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION kpis_raise_data_version() RETURNS trigger AS $$ "
                f"BEGIN {UPSERT}; RETURN NULL; END; $$ LANGUAGE plpgsql"
            )
            for table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR "
                    f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                    "kpis_raise_data_version()"
                )
        else:
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_data_version "
                        f"AFTER {event} ON {table} BEGIN {UPSERT}; END"
                    )


def install_after_migrate(sender, using, plan=None, **kwargs):
    """post_migrate receiver: a signal is the one hook Django offers after every migrate.
    An app whose tables public pages show connects it too, naming them in `public_tables`."""
    from django.db import connections

    connection = connections[using]
    if "kpis_dataversion" in connection.introspection.table_names():
        install(connection, getattr(sender, "public_tables", TABLES))

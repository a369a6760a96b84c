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
    "kpis_snapshot",  # /snapshots/ lists them (migration 0021)
    "kpis_unit",  # pages write figures in the units' English forms
]

# A change to an indicator, its figures or its targets removes its judged rows (Judgement) in
# the same transaction; the next reader judges it afresh. (table, the indicator's column)
JUDGED_FROM = [
    ("kpis_actual", "indicator_id"),
    ("kpis_target", "indicator_id"),
    ("kpis_indicator", "id"),
]

UPSERT = (
    "INSERT INTO kpis_dataversion (id, counter) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET counter = kpis_dataversion.counter + 1"
)


def install(connection, tables=TABLES):
    """Install the triggers on `tables` (other apps pass their own public tables); a table
    not made yet (an early migration installing today's list) gets them after migrate."""
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = [table for table in tables if table in existing]
        if "kpis_judgement" in connection.introspection.table_names(cursor):
            install_judgement_triggers(connection, cursor)
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


def unjudge(row, column):
    return f"DELETE FROM kpis_judgement WHERE indicator_id = {row}.{column};"


def install_judgement_triggers(connection, cursor):
    clear_on_change(connection, cursor, "unjudge", JUDGED_FROM, unjudge)


def clear_on_change(connection, cursor, name, sources, clear):
    """Triggers named `<table>_<name>` that run `clear(row, column)`, SQL, for the old and
    the new row of every insert, update or delete on each (table, column) of `sources`, in
    the writer's transaction: how stored verdicts are forgotten when what they judge
    changes (Judgement here, tasks.TaskVerdict in tasks/triggers.py)."""
    for table, column in sources:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_{name}() RETURNS trigger AS $$ BEGIN "
                f"IF TG_OP <> 'INSERT' THEN {clear('OLD', column)} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {clear('NEW', column)} END IF; "
                "RETURN NULL; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {table}_{name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_{name}()"
            )
        else:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}
            for event, names in rows.items():
                body = " ".join(clear(row, column) for row in names)
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_{name} "
                    f"AFTER {event} ON {table} BEGIN {body} END"
                )


def drop_judgement_triggers(connection):
    drop_clearing(connection, "unjudge", JUDGED_FROM)


def drop_clearing(connection, name, sources):
    with connection.cursor() as cursor:
        for table, _column in sources:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_{name}()")
            else:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_{name}")


def drop(connection, tables):
    """Remove the triggers of `tables` (the function they share stays)."""
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
            else:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_data_version")


def install_after_migrate(sender, using, plan=None, **kwargs):
    """post_migrate receiver: a signal is the one hook Django offers after every migrate.
    An app whose tables public pages show connects it too, naming them in `public_tables`."""
    from django.db import connections

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if "kpis_dataversion" in existing:
        # Only the tables there are: a migration back in time may have removed some.
        tables = getattr(sender, "public_tables", TABLES)
        install(connection, [table for table in tables if table in existing])

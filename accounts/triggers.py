"""The triggers that make the security log append-only in the database itself: UPDATE is
refused, and DELETE too except of records older than the purge's limit while the purge
(AuditRecord.objects.purge) holds its row in accounts_auditpurge. Installed after every
migrate, as kpis/triggers.py does, since SQLite drops a table's triggers when it rebuilds it.
"""

REFUSAL = "the security log is append-only"
TABLE = "accounts_auditrecord"
PURGING = "EXISTS (SELECT 1 FROM accounts_auditpurge WHERE OLD.at < accounts_auditpurge.before)"


def install(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$ "
                f"BEGIN IF TG_OP = 'DELETE' AND {PURGING} THEN RETURN OLD; END IF; "
                f"RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only()"
            )
            cursor.execute(
                "CREATE OR REPLACE FUNCTION accounts_audit_no_truncate() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
                "FOR EACH STATEMENT EXECUTE FUNCTION accounts_audit_no_truncate()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
                f"WHEN NOT {PURGING} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )


def drop(connection):
    """What an attacker with the database owner's rights can do; the hash chain still
    tells (tests use this to show audit_verify naming an edited record)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")


def install_after_migrate(sender, using, plan=None, **kwargs):
    from django.db import connections

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {TABLE, "accounts_auditpurge"} <= tables:
        install(connection)

"""The database triggers that keep the key tasks' stored verdicts (TaskVerdict) true: a
change to a task, its milestones or its statements deletes the task's verdict in the
writer's transaction, however it is made (forms, admin, imports, bulk updates), and the
next reader judges the task afresh (`TaskVerdictQuerySet.refresh`). The indicators' judged
rows work the same way (kpis/triggers.py). Installed after every migrate, since SQLite
drops a table's triggers when it rebuilds the table.
"""

from kpis import triggers

# (table, the task's column)
JUDGED_FROM = [
    ("tasks_task", "id"),
    ("tasks_milestone", "task_id"),
    ("tasks_progressstatement", "task_id"),
]
NAME = "forget_verdict"


def forget(row, column):
    return f"DELETE FROM tasks_taskverdict WHERE task_id = {row}.{column};"


def install(connection):
    with connection.cursor() as cursor:
        triggers.clear_on_change(connection, cursor, NAME, JUDGED_FROM, forget)


def drop(connection):
    triggers.drop_clearing(connection, NAME, JUDGED_FROM)


def install_after_migrate(sender, using, plan=None, **kwargs):
    """post_migrate receiver, beside kpis.triggers.install_after_migrate."""
    from django.db import connections

    connection = connections[using]
    if "tasks_taskverdict" in connection.introspection.table_names():
        install(connection)

"""What each role of kpis.roles may do with key tasks. Migration 0002 of this app gives the
groups these permissions from its own frozen copy; a change here needs a data migration of
its own (a test compares the migrated groups with TASK_ROLES). Which tasks an official works
on is the lead department's membership, as for figures."""

from kpis.roles import DATA_ENTRY, INDICATOR_MANAGER, REVIEWER, sync_roles

TASK_ROLES = {
    DATA_ENTRY: [
        "view_task",
        "view_milestone",
        "add_milestone",
        "change_milestone",
        "view_progressstatement",
        "add_progressstatement",
        "change_progressstatement",
        "submit_task",
    ],
    REVIEWER: ["view_task", "view_milestone", "view_progressstatement", "review_task"],
    INDICATOR_MANAGER: [
        "view_task",
        "add_task",
        "change_task",
        "view_milestone",
        "view_progressstatement",
    ],
}


def sync_task_roles(apps, schema_editor=None, roles=TASK_ROLES):
    sync_roles(apps, schema_editor, roles=roles, app_label="tasks")

"""What each role of kpis.roles may do with five-year plans: managers keep them, everyone
else reads them in the admin; reviewers and managers make and read the reviews. Migrations
0002 and 0003 of this app give the groups these permissions from their own frozen copies; a
change here needs a data migration of its own."""

from kpis.roles import DATA_ENTRY, INDICATOR_MANAGER, REVIEWER, sync_roles

PLAN_ROLES = {
    DATA_ENTRY: ["view_plan", "view_plantarget"],
    REVIEWER: ["view_plan", "view_plantarget", "view_planreview"],
    INDICATOR_MANAGER: [
        "view_plan",
        "add_plan",
        "change_plan",
        "view_plantarget",
        "add_plantarget",
        "change_plantarget",
        "view_planreview",
    ],
}


def sync_plan_roles(apps, schema_editor=None, roles=PLAN_ROLES):
    sync_roles(apps, schema_editor, roles=roles, app_label="plans")

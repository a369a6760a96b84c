from django.db import migrations

from plans.roles import sync_plan_roles

# The roles' plan permissions as they were when this migration was written; later changes
# come with their own migration.
PLAN_ROLES_0002 = {
    "数据填报": ["view_plan", "view_plantarget"],
    "审核": ["view_plan", "view_plantarget"],
    "指标管理": [
        "view_plan",
        "add_plan",
        "change_plan",
        "view_plantarget",
        "add_plantarget",
        "change_plantarget",
    ],
}


def grant_plan_permissions(apps, schema_editor):
    sync_plan_roles(apps, schema_editor, roles=PLAN_ROLES_0002)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_plans_and_their_targets"),
        ("kpis", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant_plan_permissions, migrations.RunPython.noop)]

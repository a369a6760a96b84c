from django.db import migrations

from tasks.roles import sync_task_roles

# The roles' task permissions as they were when this migration was written; later changes
# come with their own migration.
TASK_ROLES_0002 = {
    "数据填报": [
        "view_task",
        "view_milestone",
        "add_milestone",
        "change_milestone",
        "view_progressstatement",
        "add_progressstatement",
        "change_progressstatement",
        "submit_task",
    ],
    "审核": ["view_task", "view_milestone", "view_progressstatement", "review_task"],
    "指标管理": [
        "view_task",
        "add_task",
        "change_task",
        "view_milestone",
        "view_progressstatement",
    ],
}


def grant_task_permissions(apps, schema_editor):
    sync_task_roles(apps, schema_editor, roles=TASK_ROLES_0002)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_key_tasks_milestones_statements"),
        ("kpis", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant_task_permissions, migrations.RunPython.noop)]

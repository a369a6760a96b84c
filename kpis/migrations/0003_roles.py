from django.db import migrations

from kpis.roles import sync_roles

# The roles as they were when this migration was written; later changes come with their own
# migration, so that every database goes through the same steps.
ROLES_0003 = {
    "数据填报": [
        "view_indicator",
        "view_target",
        "view_actual",
        "add_actual",
        "change_actual",
        "submit_actual",
    ],
    "审核": ["view_indicator", "view_target", "view_actual", "review_actual"],
    "指标管理": [
        "view_indicator",
        "add_indicator",
        "change_indicator",
        "view_target",
        "add_target",
        "change_target",
        "delete_target",
        "view_actual",
        "view_source",
        "add_source",
        "change_source",
        "view_theme",
        "add_theme",
        "change_theme",
        "view_department",
        "add_department",
        "change_department",
    ],
}


def create_roles(apps, schema_editor):
    sync_roles(apps, schema_editor, roles=ROLES_0003)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("kpis", "0002_actual_review_workflow_and_history"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

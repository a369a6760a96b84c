from django.db import migrations

from kpis.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("kpis", "0002_actual_review_workflow_and_history"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

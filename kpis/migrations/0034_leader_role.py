"""The leader role (领导): signs in to read and approve bulletins, nothing else."""

from django.db import migrations

from kpis.roles import sync_roles

# The role as it was when this migration was written (kpis.roles.ROLES may change later,
# with a migration of its own).
ROLES_0034 = {"领导": ["view_bulletin", "approve_bulletin"]}


def create_leader_role(apps, schema_editor):
    sync_roles(apps, schema_editor, roles=ROLES_0034)


def remove_leader_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="领导").delete()


class Migration(migrations.Migration):
    dependencies = [("kpis", "0033_bulletin_approval")]

    operations = [migrations.RunPython(create_leader_role, remove_leader_role)]

from django.db import migrations

from kpis.roles import sync_roles

# Frozen here: the permissions this migration gives, beside those the managers had.
INTERIM_TARGETS = [
    "view_interimtarget",
    "add_interimtarget",
    "change_interimtarget",
    "delete_interimtarget",
]


def give(apps, schema_editor):
    # Creates the new model's permissions (sync_roles with no roles changes no group).
    sync_roles(apps, schema_editor, roles={})
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name="指标管理")
    managers.permissions.add(
        *Permission.objects.filter(content_type__app_label="kpis", codename__in=INTERIM_TARGETS)
    )


def take_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for managers in Group.objects.filter(name="指标管理"):
        managers.permissions.remove(
            *Permission.objects.filter(content_type__app_label="kpis", codename__in=INTERIM_TARGETS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0030_release_stages_discontinued_indicators_interim_targets"),
    ]

    operations = [migrations.RunPython(give, take_back)]

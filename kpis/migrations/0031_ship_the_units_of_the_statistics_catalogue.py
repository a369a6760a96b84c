from django.db import migrations

from kpis.roles import sync_roles
from kpis.units import install_catalogue

# The indicator managers' permissions as this migration leaves them: units added.
MANAGERS_0031 = {
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
        "view_unit",
        "add_unit",
        "change_unit",
    ],
}


def ship_units(apps, schema_editor):
    install_catalogue(apps)
    sync_roles(apps, schema_editor, roles=MANAGERS_0031)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("kpis", "0030_units_table_growth_basis_and_help_texts"),
    ]

    operations = [migrations.RunPython(ship_units, migrations.RunPython.noop)]

from django.db import migrations

# Frozen copy of accounts.roles.ADMINISTRATORS as this migration made them.
ADMINISTRATORS = {
    "系统管理员": [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "kpis.view_department",
        "kpis.add_department",
        "kpis.change_department",
    ],
    "安全管理员": [
        "auth.view_user",
        "auth.change_user",
        "auth.view_group",
        "auth.add_group",
        "auth.change_group",
        "auth.view_permission",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    ],
    "审计管理员": ["accounts.view_auditrecord"],
}


def make_groups(apps, schema_editor):
    from accounts.roles import sync_administrators

    sync_administrators(apps, schema_editor, ADMINISTRATORS)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ADMINISTRATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_security_log_sessions_password_age"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("kpis", "0003_roles"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0001_initial"),
        ("otp_static", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]

"""The three administrators of 三员分立 (separation of duties), as Django groups.

No account holds two of them (`separation_refusal`); the work roles of kpis/roles.py and
tasks/roles.py combine with each other and with one of these as before. Migration 0002
makes the groups from its own frozen copy of ADMINISTRATORS.
"""

from django.utils.translation import gettext as _

from kpis.roles import create_all_permissions

SYSTEM_ADMINISTRATOR = "系统管理员"
SECURITY_ADMINISTRATOR = "安全管理员"
AUDIT_ADMINISTRATOR = "审计管理员"

# Each group's permissions, as "app_label.codename": users, departments and settings; roles,
# policies and lockouts; the security log, read only. None of them sees figures or targets.
ADMINISTRATORS = {
    SYSTEM_ADMINISTRATOR: [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "kpis.view_department",
        "kpis.add_department",
        "kpis.change_department",
    ],
    SECURITY_ADMINISTRATOR: [
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
    AUDIT_ADMINISTRATOR: ["accounts.view_auditrecord"],
}


def separation_refusal(group_names):
    """Why an account may not hold these groups together, or None."""
    held = sorted(set(group_names) & set(ADMINISTRATORS))
    if len(held) > 1:
        return _(
            "One account may hold only one of the three administrator roles "
            "(system, security, audit); this one would hold %(roles)s."
        ) % {"roles": "、".join(held)}
    return None


def sync_administrators(apps, schema_editor=None, administrators=ADMINISTRATORS):
    """Create the groups and give each exactly its permissions (a migration runs this
    after the permissions exist)."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, labels in administrators.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for label in labels:
            app_label, codename = label.split(".")
            permissions += Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(permissions)

"""The roles of the tracker as Django groups, and the permissions each grants.

Migration 0003 creates the groups with `sync_roles` from its own frozen copy of this table;
a change here needs a data migration of its own (a test compares the migrated groups with
ROLES). Running `sync_roles` again changes nothing but what the table changed. Which
departments an official may work for is not a permission: it is the official's department
membership (`Department.members`).
"""

DATA_ENTRY = "数据填报"
REVIEWER = "审核"
INDICATOR_MANAGER = "指标管理"
# Leaders sign in to read the bulletins and approve them, nothing else (migration 0034).
LEADER = "领导"

ROLES = {
    DATA_ENTRY: [
        "view_indicator",
        "view_target",
        "view_actual",
        "add_actual",
        "change_actual",
        "submit_actual",
    ],
    REVIEWER: [
        "view_indicator",
        "view_target",
        "view_actual",
        "review_actual",
    ],
    INDICATOR_MANAGER: [
        "view_indicator",
        "add_indicator",
        "change_indicator",
        "view_target",
        "add_target",
        "change_target",
        "delete_target",
        # Interim targets (一季度, 上半年 ...): migration 0031.
        "view_interimtarget",
        "add_interimtarget",
        "change_interimtarget",
        "delete_interimtarget",
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
        "view_returnreason",
        "add_returnreason",
        "change_returnreason",
        "delete_returnreason",
    ],
    LEADER: [
        "view_bulletin",
        "approve_bulletin",
    ],
}


def is_leader(user):
    """Whether the user is an active member of the leader role (领导): who may approve a
    bulletin. Not a permission check alone: a superuser is not a leader unless made one."""
    return bool(
        user.is_authenticated and user.is_active and user.groups.filter(name=LEADER).exists()
    )


def reads_draft_bulletins(user):
    """Whether the user may read a bulletin before a leader approved it: leaders, and the
    reviewers who make bulletins."""
    return user.has_perm("kpis.view_bulletin") or user.has_perm("kpis.review_actual")


def lands_on_bulletins(user):
    """Whether the user's work is the bulletins to approve and nothing else: a leader who
    neither enters, reviews nor manages indicators lands there after signing in."""
    return is_leader(user) and not any(
        user.has_perm(permission)
        for permission in ("kpis.add_actual", "kpis.review_actual", "kpis.change_indicator")
    )


def sees_all_departments(user):
    """Reviewers, indicator managers and superusers work across departments."""
    return (
        user.is_superuser
        or user.has_perm("kpis.review_actual")
        or user.has_perm("kpis.change_indicator")
    )


def department_ids(user):
    """The ids of the departments a user enters figures for, read once per user object
    (a request's user): the admin asks for every permission check on a page."""
    if not hasattr(user, "_kpis_department_ids"):
        user._kpis_department_ids = frozenset(user.departments.values_list("pk", flat=True))
    return user._kpis_department_ids


def in_departments(user, department_id):
    """Whether the user may work on what belongs to this department: reviewers, indicator
    managers and superusers on every department, officials on their own."""
    return sees_all_departments(user) or department_id in department_ids(user)


def create_all_permissions(apps):
    """Create every app's permissions now: a data migration runs before Django would."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions skips apps without a models module, which is how the
        # migration state's app configs look; the live registry's are left as they were.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def sync_roles(apps, schema_editor=None, roles=ROLES, app_label="kpis"):
    """Create the permissions (a migration runs before Django would) and the groups, and
    give each group its permissions of `app_label`, leaving those of other apps alone."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        of_app = Permission.objects.filter(content_type__app_label=app_label)
        group.permissions.remove(*of_app.exclude(codename__in=codenames))
        group.permissions.add(*of_app.filter(codename__in=codenames))

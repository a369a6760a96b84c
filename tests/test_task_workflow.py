"""Milestones and progress statements: the figures' workflow, four eyes and history."""


from django.contrib.auth.models import Group

from tasks.roles import TASK_ROLES


def test_the_migrations_give_each_role_the_task_permissions_in_tasks_roles(db):
    for name, codenames in TASK_ROLES.items():
        granted = Group.objects.get(name=name).permissions.filter(content_type__app_label="tasks")
        assert set(granted.values_list("codename", flat=True)) == set(codenames), name

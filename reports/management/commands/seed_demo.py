import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import BaseCommand, call_command
from django.db import transaction

from kpis import roles
from kpis.models import Department, Indicator
from tasks.models import Task

SAMPLE_DEPARTMENTS = [
    # code, Chinese name, English name, themes it is given in the demo
    (
        "sample-science",
        "示例部门：科技创新局（样例）",
        "Sample: Science and Innovation Bureau",
        ["sci-tech-innovation", "research-economy"],
    ),
    (
        "sample-industry",
        "示例部门：产业发展局（样例）",
        "Sample: Industry Development Bureau",
        ["synthetic-biology", "brain-science", "sci-tech-finance"],
    ),
]


class Command(BaseCommand):
    help = (
        "On an empty database: load the article's figures and key tasks and create demo "
        "accounts with random passwords, printed once. On a database that has data: change "
        "nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if Indicator.objects.exists():
            self.stdout.write("The database has indicators already: nothing loaded.")
        else:
            call_command("loaddata", "article_2024", "article_2024_tasks", verbosity=0)
            # Raw loads leave no change history; start it, so later changes show as such.
            call_command("populate_history", auto=True, verbosity=0)
            cache.clear()  # not needed (triggers raise the data version); frees old pages
            self.stdout.write(
                f"Loaded the article's figures: {Indicator.objects.count()} indicators, "
                f"{Task.objects.count()} key tasks."
            )
        if get_user_model().objects.exists():
            self.stdout.write("The database has users already: no demo accounts created.")
            return
        departments = [self.sample_department(*row) for row in SAMPLE_DEPARTMENTS]
        accounts = [
            self.account("admin", is_superuser=True),
            self.account("official-science", roles.DATA_ENTRY, departments[0]),
            self.account("official-industry", roles.DATA_ENTRY, departments[1]),
            self.account("reviewer", roles.REVIEWER),
            self.account("manager", roles.INDICATOR_MANAGER),
        ]
        self.stdout.write(self.style.WARNING("Demo accounts (the passwords are shown only now):"))
        for username, password in accounts:
            self.stdout.write(f"  {username:<18} {password}")

    def sample_department(self, code, name, name_en, themes):
        department = Department.objects.create(code=code, name=name, name_en=name_en)
        for indicator in Indicator.objects.filter(theme__code__in=themes):
            indicator.department = department
            indicator.save()
        for task in Task.objects.filter(theme__code__in=themes):
            task.department = department
            task.save()
        return department

    def account(self, username, role=None, department=None, is_superuser=False):
        password = secrets.token_urlsafe(12)
        user = get_user_model().objects.create_user(
            username, password=password, is_staff=True, is_superuser=is_superuser
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if department is not None:
            department.members.add(user)
        return username, password

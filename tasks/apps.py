from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Key tasks and milestones")
    default_auto_field = "django.db.models.BigAutoField"
    # Public pages show these tables: the data version triggers cover them (kpis.triggers).
    public_tables = [
        "tasks_task",
        "tasks_task_cooperating",
        "tasks_task_indicators",
        "tasks_milestone",
        "tasks_progressstatement",
    ]

    def ready(self):
        from django.db.models.signals import post_migrate

        from kpis.triggers import install_after_migrate
        from tasks import triggers

        post_migrate.connect(install_after_migrate, sender=self)
        post_migrate.connect(triggers.install_after_migrate, sender=self)

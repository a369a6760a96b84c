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

        from kpis.caching import register_known_values
        from kpis.triggers import install_after_migrate
        from tasks import triggers
        from tasks.rules import STATUS_ORDER

        # The statuses /tasks/ filters by, so that its filtered pages are cached.
        register_known_values("status", STATUS_ORDER)

        post_migrate.connect(install_after_migrate, sender=self)
        post_migrate.connect(triggers.install_after_migrate, sender=self)

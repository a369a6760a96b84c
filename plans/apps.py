from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Five-year plans")
    default_auto_field = "django.db.models.BigAutoField"
    # Public pages show these tables: the data version triggers cover them (kpis.triggers).
    public_tables = ["plans_plan", "plans_plantarget", "plans_planreview"]

    def ready(self):
        from django.db.models.signals import post_migrate

        from kpis.triggers import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)

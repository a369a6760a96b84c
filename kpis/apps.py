from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Targets and figures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from kpis.triggers import install_after_migrate
        from kpis.units import install_after_flush

        post_migrate.connect(install_after_migrate, sender=self)
        post_migrate.connect(install_after_flush, sender=self)

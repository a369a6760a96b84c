from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Targets and figures")
    default_auto_field = "django.db.models.BigAutoField"

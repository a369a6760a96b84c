from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and security log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Django's own sign-in, sign-out and group-membership signals are the one hook for
        # what every sign-in path and every membership change must do (record it, end older
        # sessions, refuse two administrator roles): infrastructure, not business rules.
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )
        from django.db.models.signals import m2m_changed, post_migrate
        from import_export.signals import post_export, post_import
        from simple_history.signals import post_create_historical_record

        from accounts import receivers
        from accounts.triggers import install_after_migrate

        user_logged_in.connect(receivers.signed_in)
        user_logged_out.connect(receivers.signed_out)
        user_login_failed.connect(receivers.sign_in_failed)
        User = get_user_model()
        m2m_changed.connect(receivers.groups_changing, sender=User.groups.through)
        m2m_changed.connect(receivers.permissions_changing, sender=User.user_permissions.through)
        m2m_changed.connect(receivers.permissions_changing, sender=Group.permissions.through)
        post_create_historical_record.connect(receivers.history_recorded)
        post_import.connect(receivers.imported)
        post_export.connect(receivers.exported)
        post_migrate.connect(install_after_migrate, sender=self)

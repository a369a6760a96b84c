"""Who a person signed in by the government's identity platform is here.

The platform's stable subject (OIDC `sub`, CAS user) links to a local user, one link per
provider. At every sign-in the platform's role and department codes replace the user's
groups and departments, so a move on the platform moves the scope here.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis import roles
from kpis.models import Department

log = logging.getLogger(__name__)

# The role codes the platform sends by default, and the group each one means.
ROLE_CODES = {
    "data_entry": roles.DATA_ENTRY,
    "reviewer": roles.REVIEWER,
    "indicator_manager": roles.INDICATOR_MANAGER,
    "leader": roles.LEADER,
}


class PlatformCodeQuerySet(models.QuerySet):
    def roles_for(self, codes):
        """The group names the platform's role codes stand for: our own codes
        (`data_entry`, `reviewer`, `indicator_manager`, `leader`) by themselves, others through
        the table."""
        mapped = self.filter(code__in=codes).exclude(role="").values_list("code", "role")
        names = {ROLE_CODES[code] for code in codes if code in ROLE_CODES}
        names |= {ROLE_CODES[role] for _code, role in mapped}
        return names

    def departments_for(self, codes):
        """The departments the platform's organisation codes stand for: a department's own
        code by itself, others through the table."""
        mapped = self.filter(code__in=codes, department__isnull=False).values("department")
        return Department.objects.filter(models.Q(code__in=codes) | models.Q(pk__in=mapped))


class PlatformCode(models.Model):
    class Role(models.TextChoices):
        DATA_ENTRY = "data_entry", _("data entry")
        REVIEWER = "reviewer", _("reviewer")
        INDICATOR_MANAGER = "indicator_manager", _("indicator manager")

    code = models.CharField(
        _("platform code"),
        max_length=100,
        unique=True,
        help_text=_(
            "An organisation or role code exactly as the identity platform sends it. A code "
            "equal to one of our department codes needs no entry here."
        ),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="platform_codes",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    objects = PlatformCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform code")
        verbose_name_plural = _("platform codes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="platform_code_means_one_thing",
                condition=(
                    models.Q(department__isnull=False, role="")
                    | models.Q(department__isnull=True) & ~models.Q(role="")
                ),
                violation_error_message=_("Map the code to a department or to a role."),
            )
        ]

    def __str__(self):
        return self.code


class PlatformAccountQuerySet(models.QuerySet):
    def sign_in(self, provider, subject, *, username, role_codes, department_codes, **names):
        """The local user the platform's subject links to, created at the first sign-in,
        with the roles and departments the platform's codes give it now. Returns None for
        a user deactivated here."""
        with transaction.atomic():
            account = self.select_related("user").filter(provider=provider, subject=subject)
            account = account.first()
            if account is None:
                account = self.create(
                    provider=provider, subject=subject, user=new_user(provider, subject, username)
                )
                log.info("identity: first sign-in of %s subject %s", provider, subject)
            user = account.user
            if not user.is_active:
                log.warning(
                    "identity: refused %s subject %s: local user %s is deactivated",
                    provider,
                    subject,
                    user.username,
                )
                return None
            account.apply(role_codes, department_codes, **names)
        log.info(
            "identity: %s signed in through %s as subject %s", user.username, provider, subject
        )
        return user


def new_user(provider, subject, username):
    """A local user for a subject seen for the first time: named as the platform calls
    the person (or by the subject) where that name is free, never joined to an existing
    account by name."""
    users = get_user_model().objects
    username = username or subject
    if users.filter(username=username).exists():
        username = f"{provider}-{subject}"
    return users.create_user(username[:150], password=None)


class PlatformAccount(models.Model):
    class Provider(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        CAS = "cas", _("CAS")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="platform_accounts",
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    subject = models.CharField(
        _("subject"),
        max_length=255,
        help_text=_("The platform's stable identifier of the person (not the e-mail address)."),
    )
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    objects = PlatformAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="one_link_per_platform_subject"
            )
        ]

    def __str__(self):
        return f"{self.get_provider_display()}: {self.subject}"

    def apply(self, role_codes, department_codes, **names):
        """Make the user's groups and departments what the platform says they are now."""
        user = self.user
        groups = set(Group.objects.filter(name__in=PlatformCode.objects.roles_for(role_codes)))
        departments = set(PlatformCode.objects.departments_for(department_codes))
        before_groups = set(user.groups.filter(name__in=ROLE_CODES.values()))
        before_departments = set(user.departments.all())
        if groups != before_groups:
            log.info(
                "identity: roles of %s changed by the platform: %s -> %s",
                user.username,
                sorted(group.name for group in before_groups),
                sorted(group.name for group in groups),
            )
            user.groups.remove(*(before_groups - groups))
            user.groups.add(*(groups - before_groups))
        if departments != before_departments:
            log.info(
                "identity: departments of %s changed by the platform: %s -> %s",
                user.username,
                sorted(department.code for department in before_departments),
                sorted(department.code for department in departments),
            )
            user.departments.set(departments)
        for field, value in names.items():
            if value:
                setattr(user, field, value)
        # Staff status opens the admin; someone the platform gives no role gets the page
        # that says whom to ask instead.
        if not user.is_superuser:
            user.is_staff = bool(groups)
        user.save()
        self.last_sign_in = timezone.now()
        self.save(update_fields=["last_sign_in"])


def claimed_codes(value):
    """A claim's codes as a list: platforms send a list, or one string of codes separated
    by commas or spaces."""
    if not value:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    return [str(code) for code in value]


def has_a_role(user):
    return user.is_superuser or user.groups.filter(name__in=ROLE_CODES.values()).exists()

"""Tokens that let a department's own system (the statistics bureau's, a project database, a
fund ledger) enter and submit figures through the API, in the name of an account of its own."""

import datetime
import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import Department
from kpis.roles import DATA_ENTRY

# What every key starts with, so that a leaked one is recognisable in logs and code searches.
KEY_PREFIX = "gmkpi_"


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def parse_networks(text):
    """The networks of an "allowed addresses" text: addresses or CIDR ranges, one per line or
    separated by commas. Raises ValueError naming the first that is not one."""
    networks = []
    for item in text.replace(",", "\n").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(item) from None
    return networks


def default_expiry():
    return timezone.now() + datetime.timedelta(days=365)


class TokenQuerySet(models.QuerySet):
    def by_key(self, key):
        """The token of a key as a system sent it, or None; usable or not."""
        if not key or not key.startswith(KEY_PREFIX):
            return None
        return self.select_related("account").filter(key_hash=hash_key(key)).first()


class Token(models.Model):
    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Which system uses it, e.g. 区统计局数据平台."),
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("departments"),
        related_name="api_tokens",
        help_text=_("The departments whose figures the system may enter and submit."),
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_token",
        editable=False,
        help_text=_(
            "The account the system's figures are entered in: a data-entry official of the "
            "token's departments who cannot sign in. Reviewers see it as the figure's author."
        ),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_start = models.CharField(_("key starts with"), max_length=16, editable=False)
    allowed_addresses = models.TextField(
        _("allowed addresses"),
        blank=True,
        help_text=_("Addresses or ranges (CIDR) the system calls from, one per line; empty: any."),
    )
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, editable=False)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            parse_networks(self.allowed_addresses)
        except ValueError as bad:
            raise ValidationError(
                {
                    "allowed_addresses": _("“%(item)s” is neither an address nor a range.")
                    % {"item": bad}
                }
            ) from None

    @transaction.atomic
    def issue(self, created_by=None):
        """Save a new token with a fresh key, and return the key: it is shown once and kept
        only as a hash. The token's account is made here; `grant` gives it its departments."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        account = get_user_model().objects.create_user(username=f"api:{self.name}"[:150])
        account.set_unusable_password()
        account.save()
        account.groups.add(Group.objects.get(name=DATA_ENTRY))
        self.account = account
        self.key_hash = hash_key(key)
        self.key_start = key[: len(KEY_PREFIX) + 4]
        self.created_by = created_by
        self.save()
        return key

    @transaction.atomic
    def grant(self, departments):
        """The token's departments, and its account's: the same in both places."""
        self.departments.set(departments)
        self.account.departments.set(departments)

    def refusal(self, address, now=None):
        """Why this token may not be used now from `address`, or None."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        networks = parse_networks(self.allowed_addresses)
        if networks:
            try:
                client = ipaddress.ip_address(address or "")
            except ValueError:
                return "address"
            if not any(client in network for network in networks):
                return "address"
        return None

    def revoke(self):
        self.revoked_at = self.revoked_at or timezone.now()
        self.save(update_fields=["revoked_at"])


class TokenUse(models.Model):
    """One request made with a token: kept for the administrators (who used it, from where,
    for what, and what came of it)."""

    token = models.ForeignKey(
        Token, verbose_name=_("token"), on_delete=models.CASCADE, related_name="uses"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    address = models.GenericIPAddressField(_("address"), null=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("answer"))
    refusal = models.CharField(_("refused because"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("token use")
        verbose_name_plural = _("token uses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["token", "-at"], name="api_tokenuse_token_at")]

    def __str__(self):
        return f"{self.token} {self.method} {self.path} {self.status_code}"

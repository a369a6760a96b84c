"""The security log (GB/T 22239-2019 8.1.4.3), the sessions of each account, and the age
of each password.

The log is append-only three times over: the model refuses to change or delete a record,
database triggers refuse UPDATE and DELETE (accounts/triggers.py) except the retention
purge, and each record carries the hash of the one before, so `manage.py audit_verify`
names the first record that was changed by other means. The table is unmanaged after its
creation (migration 0001), so `flush` (and `restore --replace`) leave it alone.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def append(self, *, action, actor="", address="", object="", outcome="success"):
        """Add one record at the end of the chain."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Two writers must not both chain to the same last record.
                with connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE accounts_auditrecord IN EXCLUSIVE MODE")
            last = self.order_by("-pk").values_list("hash", flat=True).first() or ""
            record = AuditRecord(
                at=timezone.now(),
                actor=str(actor)[:150],
                address=address or "",
                action=action,
                object=str(object)[:300],
                outcome=outcome,
                previous_hash=last,
            )
            record.hash = record.computed_hash()
            models.Model.save(record, force_insert=True)
            return record

    def first_broken(self):
        """The first record whose hash or link does not match, or None: the chain is
        proved from the first record kept (older ones may have been purged)."""
        previous = None
        for record in self.order_by("pk").iterator():
            if previous is not None and record.previous_hash != previous:
                return record
            if record.hash != record.computed_hash():
                return record
            previous = record.hash
        return None

    def purge(self, today_now=None):
        """Delete the records older than the retention period, and only those."""
        now = today_now or timezone.now()
        before = now - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        with transaction.atomic():
            AuditPurge.objects.create(before=before)
            deleted, _by_model = models.QuerySet.delete(self.filter(at__lt=before))
            AuditPurge.objects.all().delete()
        return deleted

    def update(self, **kwargs):
        raise AppendOnly("The security log is append-only.")

    def delete(self):
        raise AppendOnly("The security log is append-only; records leave only by purge.")


class AuditRecord(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("sign-in")
        SIGN_OUT = "sign_out", _("sign-out")
        SECOND_FACTOR = "second_factor", _("second factor")
        TWO_FACTOR_ENROLMENT = "two_factor_enrolment", _("second factor enrolled")
        SESSION_ENDED = "session_ended", _("session ended")
        PASSWORD_CHANGE = "password_change", _("password change")
        ROLE_CHANGE = "role_change", _("role change")
        PERMISSION_CHANGE = "permission_change", _("permission change")
        PUBLICATION = "publication", _("publication")
        TARGET_CHANGE = "target_change", _("target change")
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")
        TOKEN_USE = "token_use", _("API token use")
        SUPERUSER_ACTION = "superuser_action", _("break-glass superuser action")
        AUDIT_READ = "audit_read", _("security log read")
        AUDIT_EXPORT = "audit_export", _("security log export")

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object = models.CharField(_("object"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=7, choices=Outcome.choices)
    previous_hash = models.CharField(_("previous record's hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        managed = False
        ordering = ["-pk"]
        default_permissions = ["view"]
        verbose_name = _("security log record")
        verbose_name_plural = _("security log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        raise AppendOnly("Records are added with AuditRecord.objects.append().")

    def delete(self, *args, **kwargs):
        raise AppendOnly("The security log is append-only; records leave only by purge.")

    def computed_hash(self):
        at = self.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        fields = [
            self.previous_hash,
            at,
            self.actor,
            self.address,
            self.action,
            self.object,
            self.outcome,
        ]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()

    def as_json(self):
        return {
            "id": self.pk,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "address": self.address,
            "action": self.action,
            "object": self.object,
            "outcome": self.outcome,
            "previous_hash": self.previous_hash,
            "hash": self.hash,
        }


class AuditPurge(models.Model):
    """Present only inside the purge's transaction: the triggers let DELETE through for
    records older than `before` while a row is here."""

    before = models.DateTimeField()

    class Meta:
        default_permissions = []

    def __str__(self):
        return f"purge before {self.before}"


class AccountSession(models.Model):
    """A signed-in session of one account: what ends the older ones (MAX_SESSIONS) and
    every one at sign-out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = []

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


class PasswordAge(models.Model):
    """When the account's password was last seen to change: a fingerprint of the stored
    hash, so a change by any path (the form, the admin, changepassword) counts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_age"
    )
    fingerprint = models.CharField(max_length=64)
    changed_at = models.DateTimeField()

    class Meta:
        default_permissions = []

    def __str__(self):
        return f"{self.user} {self.changed_at:%Y-%m-%d}"

    @staticmethod
    def fingerprint_of(user):
        return hashlib.sha256(user.password.encode()).hexdigest()

    @classmethod
    def expired(cls, user, now):
        """Whether the user's password is older than PASSWORD_MAX_AGE_DAYS (a password
        first seen now counts from now)."""
        fingerprint = cls.fingerprint_of(user)
        age, created = cls.objects.get_or_create(
            user=user, defaults={"fingerprint": fingerprint, "changed_at": now}
        )
        if not created and age.fingerprint != fingerprint:
            age.fingerprint, age.changed_at = fingerprint, now
            age.save()
        return now - age.changed_at > datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)

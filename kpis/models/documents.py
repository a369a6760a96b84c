"""Snapshots and bulletins: documents frozen as they were made."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import (
    OuterRef,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SnapshotQuerySet(models.QuerySet):
    def take(self, today, year, document):
        """Freeze `document`, the public table of `year` as open data on `today`: one
        snapshot a day, never changed afterwards (a second call on the same day returns the
        first)."""
        existing = self.filter(taken_on=today).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                return self.create(taken_on=today, year=year, document=document), True
        except IntegrityError:
            # Another reviewer's click got there first: theirs is today's snapshot.
            return self.get(taken_on=today), False


class Snapshot(models.Model):
    """The public progress table as it stood on a day, for citing: stored as the open data
    document of that moment, so later figures, revisions and target changes leave it as it
    was."""

    taken_on = models.DateField(_("date"), unique=True)
    year = models.PositiveSmallIntegerField(_("target year"))
    document = models.JSONField(_("the table as open data"), editable=False)
    created_at = models.DateTimeField(_("taken at"), default=timezone.now, editable=False)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-taken_on"]

    def __str__(self):
        return f"{self.taken_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("snapshot_detail", args=[self.taken_on])

    def previous(self):
        return Snapshot.objects.filter(taken_on__lt=self.taken_on).first()

    def changes_since(self, earlier):
        """What moved between `earlier` and this snapshot: per indicator, the latest figure
        and the status before and after, where either differs."""
        before = {row["code"]: row for row in earlier.document["indicators"]} if earlier else {}
        changes = []
        for row in self.document["indicators"]:
            old = before.get(row["code"], {})
            moved = figure_of(old.get("actual")) != figure_of(row["actual"])
            if moved or old.get("status") != row["status"]:
                changes.append({"row": row, "old": old})
        return changes


def figure_of(actual):
    """What a snapshot diff compares of a judged figure: its period and value, not its
    explanation."""
    return actual and (actual["period_end"], actual["value"])


class BulletinQuerySet(models.QuerySet):
    def in_language(self, language):
        return self.filter(language=language)

    def approved(self):
        """The bulletins a leader approved: the only ones listed, served to everyone and
        posted to the robots."""
        return self.filter(status=Bulletin.Status.APPROVED)

    def drafts(self):
        return self.filter(status=Bulletin.Status.DRAFT)

    def with_current(self):
        """Each bulletin with `is_current`: no later approved version exists for its date
        and language (a later draft replaces nothing until it is approved)."""
        later = Bulletin.objects.approved().filter(
            as_of=OuterRef("as_of"), language=OuterRef("language"), version__gt=OuterRef("version")
        )
        return self.annotate(is_current=~models.Exists(later))

    def current_approved(self, as_of, language):
        """The latest approved version of the bulletin of `as_of` in `language`, or None:
        what /bulletins/<as_of>.docx serves."""
        return self.approved().current(as_of, language)

    def current(self, as_of, language):
        """The latest version of the bulletin of `as_of` in `language`, or None."""
        return self.filter(as_of=as_of, language=language).order_by("-version").first()

    def previous(self, as_of, language):
        """The current (approved) version of the latest earlier approved bulletin in
        `language`, or None: what a new bulletin of `as_of` reports its changes against, the
        one its readers received."""
        earlier = self.approved().filter(as_of__lt=as_of, language=language)
        return earlier.order_by("-as_of", "-version").first()

    def numbering(self, as_of, language):
        """The issue number (第X期, counted per year of `as_of`) and version a new bulletin of
        `as_of` gets: a new version of a date keeps its issue number."""
        same = self.current(as_of, language)
        if same is not None:
            return same.issue, same.version + 1
        year = self.filter(as_of__year=as_of.year, language=language)
        highest = year.aggregate(highest=models.Max("issue"))["highest"] or 0
        return highest + 1, 1


class Bulletin(models.Model):
    """The leaders' bulletin (通报) as of a day, in one language: the rows it was made from
    and the DOCX and PDF files built from them, kept exactly as issued. A later bulletin of
    the same day and language is a new version; none is ever changed, but for its approval:
    it is stored as a draft and a leader (roles.LEADER) approves it (`approve`) before it is
    listed, served to everyone and posted to the robots."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    as_of = models.DateField(
        _("as of"), help_text=_("The periods that ended by this day, judged as on this day.")
    )
    year = models.PositiveSmallIntegerField(_("target year"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    issue = models.PositiveSmallIntegerField(_("issue number"), help_text=_("第X期 of its year."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    data = models.JSONField(_("the rows it was made from"), editable=False)
    docx = models.BinaryField(_("Word document"), editable=False)
    pdf = models.BinaryField(_("PDF document"), editable=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-as_of", "language", "-version"]
        permissions = [("approve_bulletin", _("Can approve bulletins"))]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "language", "version"],
                name="one_bulletin_per_day_language_version",
            ),
        ]

    def __str__(self):
        return f"{self.as_of:%Y-%m-%d} {self.language} v{self.version}"

    def file_name(self, file_format):
        return f"bulletin-{self.as_of:%Y-%m-%d}-{self.language}-v{self.version}.{file_format}"

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    def approval_refused(self, user):
        """Why `user` may not approve this bulletin, or None: only a leader approves, never
        one they made themselves (four eyes), and only once."""
        from kpis import roles

        if not roles.is_leader(user):
            return _("Only a leader (领导) approves a bulletin.")
        if self.made_by_id is not None and self.made_by_id == user.pk:
            return _("A bulletin is approved by someone other than whoever made it.")
        if self.is_approved:
            return _("This bulletin is approved already.")
        return None

    def approve(self, user):
        """Approve the draft as `user`, a leader who did not make it: from then on it is
        listed on /bulletins/, its files are public and send_bulletin posts it. Recorded in
        the fields `approved_by`, `approved_at` and in the admin's log (the history of a
        bulletin; its files never change)."""
        from django.contrib.admin.models import CHANGE, LogEntry

        refused = self.approval_refused(user)
        if refused:
            raise ValidationError(refused, code="approval_refused")
        self.status = self.Status.APPROVED
        self.approved_by = user
        self.approved_at = timezone.now()
        with transaction.atomic():
            self.save(update_fields=["status", "approved_by", "approved_at"])
            LogEntry.objects.log_actions(
                user.pk, [self], CHANGE, change_message="Approved.", single_object=True
            )

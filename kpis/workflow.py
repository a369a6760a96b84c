"""The review workflow, written once: an official of the department enters and submits, a
reviewer publishes or returns with a reason, never their own entry (four eyes), and an edit
made on a stale copy is refused. Figures (`Actual`) and the key tasks' milestones and
statements inherit `Reviewed`; each says in small hooks what differs (what the public sees
of it, what must be there before it is submitted or published) and, in `department_path`,
how it reaches its department. Re-exported from kpis.models.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.evidence import evidence_path, evidence_storage, validate_evidence
from kpis.roles import department_ids, in_departments, sees_all_departments

# The security log (accounts/audit.py records what is said to this logger).
audit = logging.getLogger("audit")


class EditConflict(ValidationError):
    """An edit made on a copy that someone else has changed since."""


class WorkflowStatus(models.TextChoices):
    """The states of whatever officials enter and reviewers publish (figures, and the key
    tasks' milestones and progress statements)."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for review")
    RETURNED = "returned", _("returned for correction")
    PUBLISHED = "published", _("published")


class DepartmentScopedQuerySet(models.QuerySet):
    """The back office's two scopes of what belongs to a department, reached from a row
    along `department_path`: what a user enters (`for_entry`) and what a user may see
    (`visible_to`)."""

    department_path = "department"

    def for_entry(self, user):
        """What a user enters: their departments' (a superuser: everything). Reviewers and
        managers enter for none but their own departments."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.department_path}__members": user})

    def visible_to(self, user):
        """What a user may see in the back office: reviewers, managers and superusers every
        department's, officials their own departments'."""
        return self if sees_all_departments(user) else self.for_entry(user)


class ReviewedQuerySet(DepartmentScopedQuerySet):
    """The scopes of a `Reviewed` model, along its `department_path`."""

    @property
    def department_path(self):
        return self.model.department_path

    def waiting_for_review(self):
        return self.filter(status=WorkflowStatus.SUBMITTED)


class FourEyes:
    """The four-eyes rule for a reviewed entry with `status`, `entered_by_id` and
    `submitted_by_id`: only what is submitted is reviewed, only by a reviewer, and neither
    by whoever set its value nor by whoever submitted it, whatever other roles they hold.
    The permission and the messages name what is reviewed."""

    review_permission = "kpis.review_actual"
    not_submitted_message = _("Only submitted figures can be reviewed.")
    not_reviewer_message = _("Only reviewers publish or return figures.")
    own_entry_message = _("You entered this figure: another reviewer must publish or return it.")
    own_submission_message = _(
        "You submitted this figure: another reviewer must publish or return it."
    )

    def reviewer_refusal(self, reviewer):
        """Why `reviewer` may not publish or return this entry, or None."""
        if self.status != WorkflowStatus.SUBMITTED:
            return self.not_submitted_message
        if not reviewer.has_perm(self.review_permission):
            return self.not_reviewer_message
        if reviewer.pk is not None and reviewer.pk == self.entered_by_id:
            return self.own_entry_message
        if reviewer.pk is not None and reviewer.pk == self.submitted_by_id:
            return self.own_submission_message
        return None

    def check_reviewer(self, reviewer):
        refusal = self.reviewer_refusal(reviewer)
        if refusal:
            raise ValidationError(refusal)

    def done_message(self):
        """What the last workflow step did, in words for the person who took it."""
        text = {
            WorkflowStatus.DRAFT: _("Saved as a draft: %(figure)s"),
            WorkflowStatus.SUBMITTED: _("Submitted for review: %(figure)s"),
            WorkflowStatus.RETURNED: _("Returned for correction: %(figure)s"),
            WorkflowStatus.PUBLISHED: _("Published: %(figure)s"),
        }[self.status]
        return text % {"figure": self.display_name()}


class Reviewed(FourEyes, models.Model):
    """What officials enter and reviewers publish (figures, and the key tasks' milestones
    and statements): the workflow's fields (its status, who entered, submitted and reviewed
    it, and when, and the version that catches edit conflicts) and its steps. Every writer
    (the pages of /my/, the admin, its actions, the import) takes these steps."""

    Status = WorkflowStatus

    status = models.CharField(
        _("status"), max_length=10, choices=WorkflowStatus.choices, default=WorkflowStatus.DRAFT
    )
    published_at = models.DateTimeField(_("first published at"), null=True, editable=False)
    return_reason = models.TextField(_("reason for return"), blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        help_text=_("Whoever submitted it last; like its author, they may not publish it."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, editable=False)
    first_submitted_at = models.DateTimeField(
        _("first submitted at"),
        null=True,
        editable=False,
        help_text=_(
            "When it was first handed in (for a figure, when its period was first reported); "
            "corrections do not move it."
        ),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, editable=False)
    evidence_file = models.FileField(
        _("evidence file"),
        upload_to=evidence_path,
        storage=evidence_storage,
        validators=[validate_evidence],
        max_length=300,
        blank=True,
        help_text=_(
            "PDF, Word, Excel, JPG or PNG (a scanned statistics form, the bureau's "
            "spreadsheet). Seen by the department and the reviewers only, never published."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    #: The lookup from an entry to the department whose officials enter it
    #: ("indicator__department").
    department_path = None
    #: The fields whose published copy (`published_<name>`) the public sees.
    PUBLIC_FIELDS = ()
    submit_permission = "kpis.submit_actual"
    not_submittable_message = _("Only drafts and returned figures can be submitted.")
    may_not_submit_message = _("You may not submit this figure.")
    reason_missing_message = _("Say why the figure is returned.")
    edit_conflict_message = _("Someone else changed this figure in the meantime.")
    stale_form_message = _(
        "Someone else changed this figure while you were editing it. "
        "Reload the page to see their version, then make your change again."
    )
    already_exists_message = _("A figure for this period already exists.")
    not_editable_message = _(
        "This figure waits for review or is not yours to edit: it stays as it is."
    )

    class Meta:
        abstract = True

    # The hooks: what differs between the kinds of entry.

    def authored_change(self):
        """Whether this edit makes its editor the author (by default, any edit does)."""
        return True

    def public_copy(self):
        """What the public would see were it published now, by the published fields' names."""
        return {f"published_{name}": getattr(self, name) for name in self.PUBLIC_FIELDS}

    def submit_refusal(self):
        """Why it cannot be submitted as it is (say, a missing explanation), or None."""
        return None

    def publish_refusal(self):
        """Why it cannot be published as it is (say, a moved date without its reason), or
        None."""
        return None

    # The rules and steps, the same for every kind.

    def owner_department_id(self):
        """The id of the department whose officials enter it, along `department_path`."""
        *relations, department = self.department_path.split("__")
        owner = self
        for relation in relations:
            owner = getattr(owner, relation)
        return getattr(owner, f"{department}_id")

    def is_visible_to(self, user):
        return in_departments(user, self.owner_department_id())

    def is_editable_by(self, user):
        """Officials edit their departments' entries, except while a reviewer has them.
        (Reviewers and managers see every department but enter for none.)"""
        return (
            self.status != WorkflowStatus.SUBMITTED
            and user.has_perm(f"{self._meta.app_label}.change_{self._meta.model_name}")
            and (user.is_superuser or self.owner_department_id() in department_ids(user))
        )

    def differs_from_published(self):
        return self.published_at is None or any(
            getattr(self, field) != value for field, value in self.public_copy().items()
        )

    def record_entry(self, user):
        """The official's edit: whoever makes it the author (`authored_change`) is kept by
        the four-eyes rule from publishing it; a published entry whose public copy would
        change becomes a draft again, and so does a returned one."""
        if self.entered_by_id is None or self.authored_change():
            self.entered_by = user
        if self.status == WorkflowStatus.RETURNED or (
            self.status == WorkflowStatus.PUBLISHED and self.differs_from_published()
        ):
            self.status = WorkflowStatus.DRAFT

    def check_version(self, seen_version):
        """Refuse an edit of a copy read at `seen_version` (None: this copy's own) that is
        not this one's any more: someone else saved in between."""
        if self.pk and seen_version is not None and seen_version != self.version:
            raise EditConflict(self.stale_form_message)

    def save_edit(self, seen_version=None):
        """Save an edit unless it changed since it was read at `seen_version` (by default,
        the version this copy was loaded with). Every writer of an official's edit (forms,
        admin, import) saves through here; a version of 0 means "read when it did not exist
        yet", which an entry that exists now never matches."""
        with transaction.atomic():
            if self.pk:
                expected = self.version if seen_version is None else seen_version
                claimed = (
                    type(self)
                    ._default_manager.filter(pk=self.pk, version=expected)
                    .update(version=F("version") + 1)
                )
                if not claimed:
                    raise EditConflict(self.edit_conflict_message)
                self.version = expected + 1
            self.save()

    def submit(self, user):
        """Hand it to the reviewers: by an official of its department with the permission
        to submit, whatever the route (form, admin action, import)."""
        if self.status not in (WorkflowStatus.DRAFT, WorkflowStatus.RETURNED):
            raise ValidationError(self.not_submittable_message)
        if not (user.has_perm(self.submit_permission) and self.is_editable_by(user)):
            raise ValidationError(self.may_not_submit_message)
        refusal = self.submit_refusal()
        if refusal:
            raise ValidationError(refusal)
        self.status = WorkflowStatus.SUBMITTED
        self.submitted_by = user
        self.submitted_at = timezone.now()
        self.first_submitted_at = self.first_submitted_at or self.submitted_at
        self.return_reason = ""

    def publish(self, reviewer):
        self.check_reviewer(reviewer)
        refusal = self.publish_refusal()
        if refusal:
            raise ValidationError(refusal)
        now = timezone.now()
        for field, value in self.public_copy().items():
            setattr(self, field, value)
        self.published_at = self.published_at or now
        self.status = WorkflowStatus.PUBLISHED
        self.reviewed_by = reviewer
        self.reviewed_at = now
        audit.info("publication", extra={"actor": reviewer, "object": self.audit_name()})

    def audit_name(self):
        return f"{self._meta.label} {self.pk}: {self}"

    def return_for_correction(self, reviewer, reason):
        self.check_reviewer(reviewer)
        if not reason.strip():
            raise ValidationError(self.reason_missing_message)
        self.status = WorkflowStatus.RETURNED
        self.return_reason = reason.strip()
        self.reviewed_by = reviewer
        self.reviewed_at = timezone.now()

"""Figures entered by a department's system: the entry form's rules (scope, periods, the
unit-slip guard, explanations, edit conflicts) and the workflow's methods, behind the API.

Every figure goes through `kpis.forms.ActualForm` and `Actual.submit` / `save_edit`, the same
doors as the "my updates" pages, so nothing the API does can skip a rule or the review."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kpis.forms import ActualForm
from kpis.models import EXPLANATION_FIELDS, Actual

LANGUAGES = {"zh": "zh-hans", "en": "en"}


def both(message):
    """A message in Chinese and English (a lazy string, or one already in its language)."""
    texts = {}
    for key, language in LANGUAGES.items():
        with translation.override(language):
            texts[key] = str(message)
    return texts


class Refused(Exception):
    """A request the API answers with an error: its status, a code and the messages."""

    def __init__(self, status, code, message, fields=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message if isinstance(message, dict) else both(message)
        self.fields = fields or {}

    def body(self):
        return {"error": self.code, "message": self.message, "fields": self.fields}


def form_data(indicator, period_end, body):
    data = {
        "indicator": indicator.pk,
        "period_end": period_end.isoformat(),
        "value": str(body.value),
        "note": body.note,
        "evidence_url": body.evidence_url,
        "confirm_unusual": "on" if body.confirm_unusual else "",
    }
    for suffix, explanation in (("", body.explanation), ("_en", body.explanation_en)):
        for part in ("progress", "problems", "next_steps"):
            data[f"explanation_{part}{suffix}"] = (
                getattr(explanation, part, "") if explanation else ""
            )
    return data


def same_as_stored(actual, data):
    try:
        value = Decimal(data["value"])
    except (InvalidOperation, ValueError):
        return False
    stored = [actual.note, actual.evidence_url, *(getattr(actual, f) for f in EXPLANATION_FIELDS)]
    sent = [data["note"], data["evidence_url"], *(data[f] for f in EXPLANATION_FIELDS)]
    return value.is_finite() and actual.value == value and stored == sent


def form_errors(form_class, data, instance, account):
    """The form's errors by field, each in both languages: the form is validated once in
    each, since its messages are worded when they are made."""
    errors = {}
    for key, language in LANGUAGES.items():
        with translation.override(language):
            form = form_class(data, instance=instance, user=account)
            form.is_valid()
            for field, messages in form.errors.items():
                for position, message in enumerate(messages):
                    slots = errors.setdefault(field or "__all__", [])
                    if position >= len(slots):
                        slots.append({})
                    slots[position][key] = message
    return {
        field: [{"zh": "", "en": "", **m} for m in messages] for field, messages in errors.items()
    }


def enter(account, indicator, period_end, body, if_match=None):
    """Save (and, if asked, submit) the figure of `indicator` for `period_end` as `body` says,
    in the name of the token's account. Returns (figure, created, changed); raises Refused."""
    existing = Actual.objects.filter(indicator=indicator, period_end=period_end).first()
    data = form_data(indicator, period_end, body)
    if existing is not None and same_as_stored(existing, data):
        if not (body.submit and existing.status in SUBMITTABLE):
            return existing, False, False
    if if_match is not None and (existing is None or if_match != existing.version):
        raise Refused(
            409,
            "conflict",
            _("The figure has changed since the version you sent in If-Match. Read it again."),
        )
    if existing is not None and existing.status == Actual.Status.SUBMITTED:
        raise under_review()
    instance = existing or Actual()
    data["seen_version"] = existing.version if existing is not None else ""
    form = ActualForm(data, instance=instance, user=account)
    if not form.is_valid():
        raise unusual_or_invalid(form, data, indicator, period_end, existing, account)
    return save(form, account, body.submit), existing is None, True


SUBMITTABLE = (Actual.Status.DRAFT, Actual.Status.RETURNED)


def save(form, account, submit):
    """Save a valid entry form in the account's name, and submit the entry if asked: the
    doors of the "my updates" pages (ReviewedForm.save, Reviewed.submit and save_edit)."""
    entry = form.save(commit=False)
    try:
        with transaction.atomic():
            if submit and entry.status in SUBMITTABLE:
                entry.submit(account)
            entry.save_edit(form.cleaned_data.get("seen_version"))
    except ValidationError as refusal:
        raise Refused(400, "invalid", refusal.messages[0]) from None
    except IntegrityError:
        raise Refused(409, "conflict", _("It exists already: read it and send it again.")) from None
    return entry


def under_review():
    return Refused(
        409,
        "under_review",
        _(
            "This entry is waiting for review and cannot be changed now. "
            "Send it again once it has been published or returned."
        ),
    )


def enter_task_entry(form_class, account, instance, data, submit):
    """Save a key task's milestone or statement as `data` says (form field names), unless it
    is stored so already. Returns (entry, created, changed); raises Refused."""
    created = instance.pk is None
    if not created:
        stored = {name: getattr(instance, name) for name in data if hasattr(instance, name)}
        probe = form_class(data, instance=form_class._meta.model(), user=account)
        probe.is_valid()
        sent = {name: probe.cleaned_data.get(name) for name in stored if name != "task"}
        stored.pop("task", None)
        if sent == stored and not (submit and instance.status in SUBMITTABLE):
            return instance, False, False
        if instance.status == instance.Status.SUBMITTED:
            raise under_review()
        data = {**data, "seen_version": instance.version}
    form = form_class(data, instance=instance, user=account)
    if not form.is_valid():
        fields = form_errors(form_class, data, instance, account)
        raise Refused(400, "invalid", _("Nothing was saved: see the fields."), fields)
    return save(form, account, submit), created, True


def unusual_or_invalid(form, data, indicator, period_end, existing, account):
    """A figure the unit-slip guard held is 422 (say what to confirm); any other error 400."""
    fields = form_errors(ActualForm, data, existing or Actual(), account)
    if set(form.errors) == {"value"}:
        value = Decimal(data["value"])
        warning = (existing or Actual()).unconfirmed_warning(
            indicator, period_end, value, data["confirm_unusual"], data["note"]
        )
        if warning:
            return Refused(
                422,
                "unusual",
                _(
                    "The figure looks unusual and was not saved. If it is right, send it again "
                    "with confirm_unusual true and an explanation in note."
                ),
                fields,
            )
    return Refused(400, "invalid", _("The figure was not saved: see the fields."), fields)

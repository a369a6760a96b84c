import datetime

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from kpis.models import EXPLANATION_FIELDS, Actual, EditConflict, Indicator

# A web address typed without a scheme gets https://, as Django 6 will assume (Django 5
# assumes http:// and warns): evidence links, sources and robot webhooks are https in practice.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_urls(model_field, **kwargs):
    """formfield_callback of model forms outside the admin (the admin uses HTTPS_URLS)."""
    if isinstance(model_field, models.URLField):
        kwargs = {**HTTPS_URLS[models.URLField], **kwargs}
    return model_field.formfield(**kwargs)


class ActualForm(forms.ModelForm):
    """Entry of one figure, for the "my updates" pages and the admin alike.

    Holds the rules an official meets whatever the route: the indicator must belong to one
    of the official's departments; the period is fixed once entered; a figure that looks like
    a unit slip, or a jump of more than half, needs a confirmation and an explanation; and an
    edit made on a stale copy is refused instead of overwriting someone else's.
    """

    confirm_unusual = forms.BooleanField(
        label=_("I have checked this figure and explained it in the note"),
        required=False,
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    #: Set by the admin, which builds the form class per request.
    current_user = None

    class Meta:
        model = Actual
        fields = ["indicator", "period_end", "value", "note", "evidence_url", *EXPLANATION_FIELDS]
        formfield_callback = https_urls
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 2}) for name in EXPLANATION_FIELDS},
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "value": forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            # A text field, not type=url: the browser would refuse "www.gm.gov.cn/q2"
            # before the server could complete it with https://.
            "evidence_url": forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user or self.current_user
        if "indicator" in self.fields:
            self.fields["indicator"].queryset = Indicator.objects.for_entry(self.user)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            for name in ("indicator", "period_end"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def entry_fields(self):
        return [field for field in self.visible_fields() if field.name not in EXPLANATION_FIELDS]

    def explanation_fields(self):
        return [self[name] for name in EXPLANATION_FIELDS if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        # The workflow's door, whatever page the form is on: a figure a reviewer has, or of
        # another department, is not rewritten.
        if self.instance.pk and self.user and not self.instance.is_editable_by(self.user):
            raise ValidationError(
                _("This figure waits for review or is not yours to edit: it stays as it is.")
            )
        if self.instance.pk and cleaned.get("seen_version") not in (None, self.instance.version):
            raise EditConflict(
                _(
                    "Someone else changed this figure while you were editing it. "
                    "Reload the page to see their version, then make your change again."
                )
            )
        indicator = cleaned.get("indicator") or getattr(self.instance, "indicator", None)
        period_end = cleaned.get("period_end") or self.instance.period_end
        value = cleaned.get("value")
        if indicator is None or period_end is None or value is None:
            return cleaned
        warning = self.instance.unconfirmed_warning(
            indicator, period_end, value, cleaned.get("confirm_unusual"), cleaned.get("note")
        )
        if warning:
            self.add_error(
                "value",
                warning
                + " "
                + str(_("To keep it, tick the confirmation and explain the figure in the note.")),
            )
        return cleaned

    def save(self, commit=True):
        actual = super().save(commit=False)
        actual.record_entry(self.user)
        if commit:
            actual.save_edit(self.cleaned_data.get("seen_version"))
        return actual


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The official sees this and corrects the figure."),
    )


class FigureReturnForm(ReturnForm):
    """A figure's return may also ask for a public explanation (情况说明)."""

    ask_for_explanation = forms.BooleanField(
        label=_("Ask for a public explanation (情况说明)"),
        required=False,
        help_text=_("The figure cannot be submitted again without one."),
    )


class SpreadsheetImportForm(ImportForm):
    """The upload of a spreadsheet, refused above the size limit before it is read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: The versions the dry run saw, for the confirmation to check (see ActualResource).
        self.seen_versions = {}

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; at most %(limit)s can be imported at once.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class ConfirmSpreadsheetImportForm(ConfirmImportForm):
    """The confirmation of a dry run. It names the uploaded file and the versions the dry run
    saw in one value signed for the user who ran it, so that no one can make the import read
    or remove another file, or confirm another user's upload."""

    SALT = "kpis.import"
    MAX_AGE = datetime.timedelta(hours=8)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.seen_versions = {}

    @classmethod
    def sign(cls, user, file_name, seen_versions):
        value = {"user": user.pk, "file": file_name, "seen": seen_versions}
        return signing.dumps(value, salt=cls.SALT, compress=True)

    def clean_import_file_name(self):
        try:
            value = signing.loads(
                self.cleaned_data["import_file_name"], salt=self.SALT, max_age=self.MAX_AGE
            )
        except signing.BadSignature:
            value = None
        if value is None or value["user"] != self.user.pk:
            raise ValidationError(_("This import has expired. Upload the file again."))
        self.seen_versions = value["seen"]
        return value["file"]


def last_quarter_end(today):
    """The end of the last quarter that is over by `today`: what a bulletin reports on."""
    quarter_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return quarter_start - datetime.timedelta(days=1)


class BulletinForm(forms.Form):
    """What a bulletin is made for: from the admin and from /my/ alike."""

    as_of = forms.DateField(
        label=_("As of"),
        help_text=_("The periods that ended by this day, judged as on this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    year = forms.IntegerField(
        label=_("Target year"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Empty: the year of the date."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("as_of"):
            # The rules of every path (the command too): kpis.bulletins.check_day_and_year.
            from kpis.bulletins import check_day_and_year

            try:
                check_day_and_year(cleaned["as_of"], cleaned.get("year"), timezone.localdate())
            except ValidationError as refusal:
                for name, messages in refusal.message_dict.items():
                    self.add_error(name, messages)
        return cleaned

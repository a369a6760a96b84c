import datetime
import zipfile
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm
from lxml.etree import XMLSyntaxError

from kpis import periods
from kpis.extraction import docx_text
from kpis.models import (
    EXPLANATION_FIELDS,
    FIRST_YEAR,
    LAST_YEAR,
    Actual,
    Indicator,
    InterimTarget,
    Qualifier,
    ReturnReason,
    Source,
    Unit,
)
from kpis.progress import plain_decimal
from kpis.uploads import UploadRefused, check_archive, check_size
from kpis.vocabulary import FLAG_WORDS

# A web address typed without a scheme gets https://, as Django 6 will assume (Django 5
# assumes http:// and warns): evidence links, sources and robot webhooks are https in practice.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_urls(model_field, **kwargs):
    """formfield_callback of model forms outside the admin (the admin uses HTTPS_URLS)."""
    if isinstance(model_field, models.URLField):
        kwargs = {**HTTPS_URLS[models.URLField], **kwargs}
    return model_field.formfield(**kwargs)


# An evidence file has no address to link to (kpis/evidence.py): a plain file input, not
# Django's which links the stored file; a new file replaces it, the history keeps the old.
EVIDENCE_WIDGETS = {
    "evidence_file": forms.FileInput(
        attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
    )
}


class ReviewedForm(forms.ModelForm):
    """The entry form of whatever is reviewed (a figure, a key task's milestone or
    statement), on /my/ and in the admin alike: what it belongs to (its indicator, its task)
    is offered from the user's departments only and fixed once it exists, whoever saves is
    its author, and an edit made on a stale copy is refused instead of overwriting someone
    else's (`Reviewed.check_version` here, `Reviewed.save_edit` on saving)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    #: Set by the admin, which builds the form class per request.
    current_user = None
    #: The fields that cannot change once the entry exists.
    fixed_fields = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user or self.current_user
        owner = self._meta.model.department_path.split("__")[0]
        if owner in self.fields:
            self.fields[owner].queryset = self.fields[owner].queryset.for_entry(self.user)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            for name in self.fixed_fields:
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        # The workflow's door, whatever page the form is on: an entry a reviewer has, or of
        # another department, is not rewritten (say, by "accept as draft").
        if self.instance.pk and self.user and not self.instance.is_editable_by(self.user):
            raise ValidationError(self.instance.not_editable_message)
        self.instance.check_version(cleaned.get("seen_version"))
        return cleaned

    def save(self, commit=True):
        entry = super().save(commit=False)
        entry.record_entry(self.user)
        if commit:
            entry.save_edit(self.cleaned_data.get("seen_version"))
        return entry


class ActualForm(ReviewedForm):
    """Entry of one figure, for the "my updates" pages and the admin alike.

    Besides the rules of every reviewed entry (ReviewedForm), a figure that looks like a
    unit slip, or a jump of more than half, needs a confirmation and an explanation.
    """

    confirm_unusual = forms.BooleanField(
        label=_("I have checked this figure and explained it in the note"),
        required=False,
    )
    flags = forms.TypedMultipleChoiceField(
        label=_("flags"),
        choices=list(FLAG_WORDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A series break (口径调整) needs its note below."),
    )

    fixed_fields = ("indicator", "period_end")

    class Meta:
        model = Actual
        fields = ["indicator", "period_end", "value", "stage", "flags", "series_break_note"]
        fields += ["note", "evidence_url", "evidence_file", *EXPLANATION_FIELDS]
        formfield_callback = https_urls
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 2}) for name in EXPLANATION_FIELDS},
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "series_break_note": forms.Textarea(attrs={"rows": 2}),
            "value": forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            # A text field, not type=url: the browser would refuse "www.gm.gov.cn/q2"
            # before the server could complete it with https://.
            "evidence_url": forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
            **EVIDENCE_WIDGETS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.value is not None:
            # As the official typed it ("1200000"), not as stored ("1200000.0000").
            self.initial["value"] = plain_decimal(Decimal(self.instance.value))
        indicator = self.instance.indicator if self.instance.indicator_id else None
        if indicator is not None and not indicator.has_release_stages and "stage" in self.fields:
            # Only indicators published in stages ask for one.
            self.fields["stage"].widget = forms.HiddenInput()

    def entry_fields(self):
        return [field for field in self.visible_fields() if field.name not in EXPLANATION_FIELDS]

    def explanation_fields(self):
        return [self[name] for name in EXPLANATION_FIELDS if name in self.fields]

    def clean(self):
        cleaned = super().clean()
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


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The official sees this and corrects the figure."),
    )


class BatchReturnForm(forms.Form):
    """The reason of a batch return on /my/: one of the office's common reasons
    (`ReturnReason`), or typed."""

    common_reason = forms.ModelChoiceField(
        label=_("Common reason"),
        queryset=ReturnReason.objects.all(),
        required=False,
        empty_label=_("— choose a common reason —"),
    )
    reason = forms.CharField(
        label=_("or type the reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("reason", "").strip()
        chosen = cleaned.get("common_reason")
        cleaned["reason"] = typed or (chosen.text if chosen else "")
        if not cleaned["reason"]:
            raise ValidationError(_("Choose a common reason or type one to return entries."))
        return cleaned


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
        if "resource" in self.fields:
            # django-import-export's own "Resource" has no Chinese.
            self.fields["resource"].label = _("The sheet holds")

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


# The old name of periods.last_quarter_end, until the next round.
last_quarter_end = periods.last_quarter_end


# No district target is older: a bulletin of a day before it is a typing slip, stored for ever
# if let in.
FIRST_BULLETIN_DAY = datetime.date(2000, 1, 1)


def check_day_and_year(as_of, year, today):
    """Refuse (ValidationError by field) a bulletin of a day before 2000 or not yet over, or
    of a target year other than its day's or the one before (a bulletin of January reports
    on the year just closed); `year` None is the day's. Every path that makes a bulletin
    meets it: this form, reports.bulletins.make and so the `bulletin` command."""
    errors = {}
    if as_of < FIRST_BULLETIN_DAY:
        errors["as_of"] = _("A bulletin reports on a day from 1 January 2000 on.")
    elif as_of > today:
        errors["as_of"] = _("A bulletin reports on days that are over.")
    if year is not None and year not in (as_of.year, as_of.year - 1):
        errors["year"] = _("A bulletin reports on the year of its day or the year before.")
    if errors:
        raise ValidationError(errors)


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
            # The rules of every path (reports.bulletins.make and the command too).
            try:
                check_day_and_year(cleaned["as_of"], cleaned.get("year"), timezone.localdate())
            except ValidationError as refusal:
                for name, messages in refusal.message_dict.items():
                    self.add_error(name, messages)
        return cleaned


class ChangeReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("Recorded in the history with your name, e.g. the new source document."),
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not cleaned.get("change_reason"):
            self.add_error("change_reason", _("Say why the figures change."))
        return cleaned


class TargetForm(ChangeReasonForm):
    """A target is revised (with a reason and the source of the new value) or withdrawn with
    a published reason; its year never moves, and a withdrawn target stays as it was."""

    def clean(self):
        withdrawing = (
            "withdrawal_reason" in self.changed_data and self.instance.withdrawn_at is None
        )
        if withdrawing and not self.cleaned_data.get("change_reason"):
            self.cleaned_data["change_reason"] = self.cleaned_data["withdrawal_reason"][:100]
        cleaned = super().clean()
        # The rules of every path that changes a stored target (the targets import and the
        # extraction page too): Target.revision_errors.
        for field, message in self.instance.revision_errors(self.changed_data).items():
            if field is None:
                raise ValidationError(message)
            self.add_error(field, message)
        return cleaned

    def save(self, commit=True):
        target = super().save(commit=False)
        if self.instance.withdrawn_at is None and target.withdrawal_reason:
            target.withdraw(target.withdrawal_reason, timezone.now())
        if commit:
            target.save()
        return target


class InterimTargetForm(forms.ModelForm):
    """An interim target in the admin: one above the year's target of an indicator that
    should increase is held until the manager confirms it (a warning, not a refusal)."""

    confirm_above_year_target = forms.BooleanField(
        label=_("Keep it above the year's target"), required=False
    )

    class Meta:
        model = InterimTarget
        fields = ["period_end", "value", "qualifier", "source", "quote"]

    def clean(self):
        cleaned = super().clean()
        step = self.instance
        step.period_end, step.value = cleaned.get("period_end"), cleaned.get("value")
        warning = None
        if step.period_end and step.value is not None and step.indicator_id:
            warning = step.beyond_year_target()
        if warning and not cleaned.get("confirm_above_year_target"):
            self.add_error(
                "value",
                f"{warning} {_('Tick “Keep it above the year’s target” if the source says so.')}",
            )
        return cleaned


class IndicatorForm(ChangeReasonForm):
    """A new indicator's code is suggested from its English name as it is typed (Django's
    prepopulate script); without JavaScript, a code left empty is made from it on saving.
    How figures are reported and their release lag may be left empty: today's defaults."""

    DEFAULTED = ["reported_as", "release_lag_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields and not self.instance.pk:
            self.fields["code"].required = False
        for name in self.DEFAULTED:
            if name in self.fields:
                self.fields[name].required = False
        if "unit" in self.fields:
            # A choice of the units table; the model's validator refuses any other unit.
            units = [(unit.zh, str(unit)) for unit in Unit.objects.order_by("zh")]
            if self.instance.unit and self.instance.unit not in dict(units):
                units.append((self.instance.unit, self.instance.unit))
            self.fields["unit"].widget = forms.Select(choices=[("", "---------"), *units])

    def clean_reported_as(self):
        return self.cleaned_data["reported_as"] or Indicator.ReportedAs.PERIOD

    def clean_release_lag_days(self):
        lag = self.cleaned_data["release_lag_days"]
        return Indicator._meta.get_field("release_lag_days").default if lag is None else lag

    def clean(self):
        if not self.cleaned_data.get("code") and not self.instance.pk:
            max_length = Indicator._meta.get_field("code").max_length
            code = slugify(self.cleaned_data.get("name_en", ""))[:max_length].strip("-")
            self.cleaned_data["code"] = code
            if not code:
                self.add_error("code", _("Give a code, or an English name to make it from."))
        return super().clean()


# The admin's "from a document" page (kpis/extraction_admin.py).


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("or a file"),
        required=False,
        help_text=_(".txt in UTF-8, or .docx (its paragraphs become lines)."),
    )
    release = forms.BooleanField(
        label=_("A statistics release (统计月报, 统计快报)"),
        required=False,
        help_text=_(
            "Its results of the periods it names become draft figures of the indicators they "
            "match, for the departments' officials to check and submit in /my/."
        ),
    )

    class Meta:
        model = Source
        fields = ["title", "publisher", "published_on", "author", "url", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}
        formfield_callback = https_urls

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            try:
                cleaned["text"] = read_upload(upload)
            except UploadRefused as refusal:
                self.add_error("upload", str(refusal))
            except (UnicodeDecodeError, ValueError, KeyError, zipfile.BadZipFile, XMLSyntaxError):
                self.add_error("upload", _("This file cannot be read: give UTF-8 text or .docx."))
            else:
                # As for pasted text (Django's own check): PostgreSQL stores no NUL.
                try:
                    ProhibitNullCharactersValidator()(cleaned["text"])
                except ValidationError as refusal:
                    self.add_error("upload", refusal)
        if not cleaned.get("text", "").strip() and not self.errors:
            self.add_error("text", _("Paste the document's text or give its file."))
        return cleaned


def read_upload(upload):
    check_size(upload, settings.EXTRACTION_MAX_BYTES)
    if upload.name.lower().endswith(".docx"):
        check_archive(upload, settings.EXTRACTION_MAX_UNPACKED_BYTES)
        return docx_text(upload)
    return upload.read().decode("utf-8")


class IndicatorCodeField(forms.ModelChoiceField):
    """An indicator typed or picked by its code from the page's one list of indicators
    (a <datalist>), not a <select> of every indicator in every row; an indicator's number
    is still accepted, as the field took before."""

    widget = forms.TextInput(attrs={"list": "indicator-choices", "size": 24})

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            if str(value).isdigit():
                found = self.queryset.filter(pk=int(value)).first()
                if found is not None:
                    return found
            raise


class CandidateForm(forms.Form):
    figure_start = forms.IntegerField(widget=forms.HiddenInput)
    indicator = IndicatorCodeField(
        label=_("indicator"),
        queryset=Indicator.objects.none(),
        to_field_name="code",
        required=False,
    )
    year = forms.IntegerField(label=_("year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    value = forms.DecimalField(label=_("value"), max_digits=20, decimal_places=4)
    qualifier = forms.ChoiceField(label=_("qualifier"), choices=Qualifier.choices)
    period_end = forms.DateField(
        label=_("period within the year ends"),
        required=False,
        help_text=_("Only for an interim target (一季度, 上半年, 前三季度, 1–N月)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"), max_length=100, required=False
    )
    confirm_revision = forms.BooleanField(
        label=_("I confirm this changes the public target"), required=False
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators

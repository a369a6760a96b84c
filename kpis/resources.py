"""Spreadsheet import and export of figures (django-import-export), scoped to departments.

Officials upload CSV (UTF-8 or GBK) or XLSX files in the admin, see a dry run with the
errors of every row, and confirm. A file with any bad row writes nothing; imported figures
arrive as drafts, never published; rows for indicators outside the official's departments
are refused like unknown codes.
"""

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from kpis.models import Actual, Indicator

YES = {"yes", "y", "1", "true", "是", "确认", "確認"}


def decode_text(data):
    """Spreadsheet programs in China save CSV as GBK unless told otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


class ChineseCSV(base_formats.CSV):
    """CSV read as bytes and decoded as UTF-8, or as GBK (GB 18030) when it is not UTF-8."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_text(in_stream)
        return tablib.import_set(in_stream, format="csv")


class ScopedIndicatorWidget(widgets.ForeignKeyWidget):
    def __init__(self, user):
        super().__init__(Indicator, field="code")
        self.user = user

    def get_queryset(self, value, row, *args, **kwargs):
        return Indicator.objects.for_user(self.user)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Indicator.DoesNotExist:
            raise ValueError(
                _("No indicator with code “%(code)s” among your departments' indicators.")
                % {"code": value}
            ) from None


class ActualResource(resources.ModelResource):
    indicator = fields.Field(column_name="indicator_code", attribute="indicator")
    indicator_name = fields.Field(column_name="indicator_name", readonly=True)
    period_end = fields.Field(
        column_name="period_end", attribute="period_end", widget=widgets.DateWidget("%Y-%m-%d")
    )
    value = fields.Field(column_name="value", attribute="value", widget=widgets.DecimalWidget())
    # Empty spreadsheet cells arrive as None; these columns store "" for "nothing".
    note = fields.Field(column_name="note", attribute="note", widget=widgets.CharWidget())
    evidence_url = fields.Field(
        column_name="evidence_url", attribute="evidence_url", widget=widgets.CharWidget()
    )
    status = fields.Field(column_name="status", attribute="status", readonly=True)

    class Meta:
        model = Actual
        import_id_fields = ["indicator", "period_end"]
        fields = ["indicator", "indicator_name", "period_end", "value", "note"]
        fields += ["evidence_url", "status"]
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields["indicator"].widget = ScopedIndicatorWidget(user)
        self.seen = set()

    def dehydrate_indicator_name(self, actual):
        return actual.indicator.name

    def get_or_init_instance(self, instance_loader, row):
        try:
            return super().get_or_init_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError({"indicator": str(error)}) from None

    def before_import_row(self, row, **kwargs):
        key = (str(row.get("indicator_code", "")).strip(), str(row.get("period_end", "")))
        if key in self.seen:
            raise ValidationError(_("This file has this indicator and period twice."))
        self.seen.add(key)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The edit is recorded before validation, so that a new value for a published figure
        # is checked as the revision it becomes.
        instance.record_entry(self.user)
        errors = dict(import_validation_errors or {})
        if instance.pk and instance.status == Actual.Status.SUBMITTED:
            errors["value"] = _("This figure is under review; it cannot be replaced now.")
        elif instance.indicator_id and instance.period_end and instance.value is not None:
            warning = instance.unconfirmed_warning(
                instance.indicator,
                instance.period_end,
                instance.value,
                self.confirmed,
                instance.note,
            )
            if warning:
                errors["value"] = (
                    warning
                    + " "
                    + _("To keep it, write yes in the confirm column and explain it in the note.")
                )
        super().validate_instance(instance, errors, validate_unique=False)

    def import_row(self, row, instance_loader, **kwargs):
        self.confirmed = str(row.get("confirm") or "").strip().lower() in YES
        return super().import_row(row, instance_loader, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk:
            instance.version += 1


def template_dataset(indicators):
    """A spreadsheet pre-filled with the periods due for `indicators` (see `due_work`)."""
    dataset = tablib.Dataset(
        headers=["indicator_code", "indicator_name", "period_end", "value", "note"]
        + ["evidence_url", "confirm"]
    )
    for indicator in indicators:
        for period in indicator.due:
            end = period.period_end.isoformat()
            dataset.append([indicator.code, indicator.name, end, "", "", "", ""])
    return dataset

"""The admin's spreadsheets (django-import-export): figures, scoped to departments, and the
targets and indicators managers import in bulk. docs/spreadsheets.md lists the columns.

Officials download the template of the periods due, fill in the rows they have figures for
and upload it (CSV in UTF-8 or GBK, or XLSX) in the admin. The dry run names every indicator
and says what each row will do; rows left empty are skipped and counted; errors are listed
with the spreadsheet's own row number and column. A file with any bad row writes nothing;
imported figures arrive as drafts, never published; rows for indicators outside the
official's departments are refused like unknown codes. Confirming writes each figure through
`Actual.save_edit` with the version the dry run saw, so a figure someone changed in between
is refused instead of overwritten. Targets and indicators go through the same dry run, with
a source and a reason for every target (see `TargetResource`).
"""

import io
import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import InvalidOperation

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Error, RowResult
from import_export.tmp_storages import TempFolderStorage
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kpis import vocabulary
from kpis.exports import neutralise
from kpis.models import (
    Actual,
    Department,
    EditConflict,
    Indicator,
    InterimTarget,
    Source,
    Target,
    Theme,
)
from kpis.templatetags.kpis_tags import figure, period_label, qualified, unit_label
from kpis.uploads import check_archive

YES = {"yes", "y", "1", "true", "是", "确认", "確認"}

# The columns of the admin's spreadsheets: the name the code uses, and the heading people
# read (in the page's language). Uploads may use either, in Chinese or English.
HEADINGS = {
    "indicator_code": gettext_lazy("indicator code"),
    "indicator_name": gettext_lazy("indicator name"),
    "unit": gettext_lazy("unit"),
    "period": gettext_lazy("reporting period"),
    "period_end": gettext_lazy("period end"),
    "value": gettext_lazy("value"),
    "note": gettext_lazy("internal note"),
    "evidence_url": gettext_lazy("evidence link"),
    "confirm": gettext_lazy("confirm unusual figure"),
    "status": gettext_lazy("status"),
    "name": gettext_lazy("name (Chinese)"),
    "name_en": gettext_lazy("name (English)"),
    "theme_code": gettext_lazy("theme code"),
    "department_code": gettext_lazy("department code"),
    "unit_en": gettext_lazy("unit (English)"),
    "decimals": gettext_lazy("decimal places shown"),
    "direction": gettext_lazy("direction of good"),
    "value_type": gettext_lazy("value type"),
    "frequency": gettext_lazy("reporting frequency"),
    "reported_as": gettext_lazy("figures reported as"),
    "release_lag_days": gettext_lazy("release lag (days)"),
    "is_share": gettext_lazy("share of a whole"),
    "growth_basis": gettext_lazy("basis of the growth rate"),
    "year": gettext_lazy("year"),
    "target_value": gettext_lazy("target value"),
    "qualifier": gettext_lazy("qualifier"),
    "source": gettext_lazy("source"),
    "quote": gettext_lazy("quote"),
    "change_reason": gettext_lazy("Reason for the change"),
}
TEMPLATE_COLUMNS = ["indicator_code", "indicator_name", "unit", "period", "period_end"]
TEMPLATE_COLUMNS += ["value", "note", "evidence_url", "confirm"]


def heading(column):
    return str(HEADINGS.get(column, column))


def column_names():
    """Every heading an upload may use for a column (the code's name, Chinese, English)."""
    names = {}
    for column, label in HEADINGS.items():
        names[column] = column
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = column
    return names


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


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


class LimitedXLSX(base_formats.XLSX):
    """XLSX read no further than the import takes: rows past the limit are not read (the file
    is then refused as too long), and rows left wholly empty after the last filled one (a
    sheet formatted further down) are dropped instead of counted."""

    def create_dataset(self, in_stream):
        # Before openpyxl reads it: its shared strings are read whole into memory.
        check_archive(in_stream, settings.IMPORT_MAX_UNPACKED_BYTES)
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        rows = book.active.iter_rows(values_only=True)
        dataset = tablib.Dataset(headers=list(next(rows, [])))
        limit, empty = settings.IMPORT_MAX_ROWS, []
        for row in rows:
            if all(is_blank(value) for value in row):
                empty.append(row)
                if len(empty) > limit:
                    break
                continue
            for blank in empty:
                dataset.append(blank)
            empty = []
            dataset.append(row)
            if len(dataset) > limit:
                break
        return dataset


class ImportUpload(TempFolderStorage):
    """An uploaded file kept between the dry run and the confirmation, in a folder of its
    own under a random name. Only such names are read or removed: the name comes back from
    the browser (signed, see `kpis.forms.ConfirmSpreadsheetImportForm`), and must never reach any
    other file of the server."""

    NAME = re.compile(r"[0-9a-f]{32}")

    @staticmethod
    def folder():
        path = os.path.join(tempfile.gettempdir(), "kpis-imports")
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    #: Seconds an abandoned upload (a dry run never confirmed) is kept.
    KEPT = 24 * 3600

    def save(self, data):
        self.remove_abandoned()
        self.name = uuid.uuid4().hex
        with open(self.get_full_path(), "wb") as file:
            file.write(data)

    def remove_abandoned(self):
        oldest = time.time() - self.KEPT
        for entry in os.scandir(self.folder()):
            if self.NAME.fullmatch(entry.name) and entry.stat().st_mtime < oldest:
                os.remove(entry.path)

    def get_full_path(self):
        if not self.NAME.fullmatch(self.name or ""):
            raise FileNotFoundError(self.name)
        return os.path.join(self.folder(), self.name)


class FigureWidget(widgets.DecimalWidget):
    """A figure as people type it: digits, with thousands separators or a decimal comma.
    NaN and Infinity are words, not figures."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        try:
            number = super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite():
            raise ValueError(
                _("“%(value)s” is not a figure: write it in digits, e.g. 42.5.") % {"value": value}
            )
        return number


class WholeNumberWidget(FigureWidget):
    """A year or a count of decimals."""

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is not None and number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        return None if number is None else int(number)


class CodeWidget(widgets.ForeignKeyWidget):
    """A related object named in a cell by its code (or another field that names one), among
    those `queryset()` returns (by default all); `missing` is the refusal of any other."""

    def __init__(self, model, field, missing, queryset=None):
        super().__init__(model, field=field)
        self.missing = missing
        self.queryset = queryset

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset() if self.queryset else super().get_queryset(value, row)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned):
            raise ValueError(str(self.missing) % {"code": value}) from None


class QualifierWidget(widgets.CharWidget):
    """A target's qualifier as the code (over, reach, about, at_least, at_most) or as the
    source writes it (超, 突破, 达, 约, 以上, 不超过, 控制在…以内: `vocabulary.read_qualifier`)."""

    def clean(self, value, row=None, **kwargs):
        return vocabulary.read_qualifier(super().clean(value, row, **kwargs))


class ChoiceWidget(widgets.CharWidget):
    """One of a model field's choices, as its code (`year_to_date`) or in the words a
    statistics office writes (`累计`, the keys of `words`); anything else is refused with
    the words the column takes."""

    def __init__(self, choices, words):
        super().__init__()
        self.choices = choices
        self.words = words

    def clean(self, value, row=None, **kwargs):
        text = str(super().clean(value, row, **kwargs) or "").strip()
        codes = {code for code, _label in self.choices.choices}
        if text in codes:
            return text
        if text in self.words:
            return self.words[text]
        allowed = [*sorted(codes), *self.words]
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": text, "allowed": ", ".join(allowed)}
        )


class YesNoWidget(widgets.BooleanWidget):
    """Yes or no as people write it: 是/否, yes/no, 1/0, true/false."""

    NO = {"no", "n", "0", "false", "否"}

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip().lower()
        if text in YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s” is not yes or no: write 是 or 否.") % {"value": value})


@dataclass
class Problem:
    """One thing wrong with an uploaded file, where the official finds it: the
    spreadsheet's own row number (the heading is row 1) and the column's heading."""

    line: int | None
    column: str
    message: str


@dataclass
class Summary:
    """What the preview says about one row: which indicator, what, and what happens."""

    name: str
    details: str
    outcome: str


class SpreadsheetResource(resources.ModelResource):
    """What every spreadsheet of the admin shares: headings in the page's language, any of
    which an upload may use; rows left empty skipped and counted; problems listed by the
    sheet's row and column; a file refused whole when a required column is missing or it is
    too long; and text cells that a spreadsheet program cannot run as a formula (the same
    neutralising as the open data files)."""

    #: Columns without which no row can be read.
    required_columns = []
    #: What a person types into a row; a row with none of them filled in was left empty.
    entered_columns = []
    #: The refusal of a row whose identifying columns repeat an earlier row's.
    repeated = gettext_lazy("This file has this row twice.")

    #: Rows that name an indicator by its code: which indicators they may name, and the
    #: refusal of any other.
    unknown_indicator = None

    class Meta:
        clean_model_instances = True
        use_transactions = True
        # The preview reads each row's object.
        store_instance = True

    def __init__(self, user=None, seen_versions=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.seen_versions = {} if seen_versions is None else seen_versions
        self.keys_seen = set()
        self.empty_rows = 0
        if self.unknown_indicator:
            self.fields["indicator"].widget = CodeWidget(
                Indicator, "code", self.unknown_indicator, queryset=self.indicators
            )

    def indicators(self):
        raise NotImplementedError

    def get_or_init_instance(self, instance_loader, row):
        # The identifying columns are read first; an unknown code is the row's error.
        try:
            return super().get_or_init_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError({self.get_import_id_fields()[0]: str(error)}) from None

    def get_user_visible_fields(self):
        # Only listed on the import and export pages: by their headings, as in the files.
        columns = super().get_user_visible_fields()
        return [fields.Field(column_name=heading(field.column_name)) for field in columns]

    def get_export_headers(self, selected_fields=None):
        return [heading(name) for name in super().get_export_headers(selected_fields)]

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget | widgets.DateWidget):
            return value
        return neutralise(value)

    def rename_columns(self, dataset):
        names = column_names()
        dataset.headers = [
            names.get(str(name or "").strip().lower(), str(name or "").strip())
            for name in dataset.headers or []
        ]

    def file_problem(self, dataset):
        """Why the file as a whole cannot be imported, or None."""
        missing = [column for column in self.required_columns if column not in dataset.headers]
        if missing:
            return _("The file lacks the columns %(columns)s. Start from the template.") % {
                "columns": ", ".join(f"“{heading(column)}”" for column in missing)
            }
        limit = settings.IMPORT_MAX_ROWS
        if len(dataset) > limit:
            return _(
                "The file has more than %(limit)d rows, the most one import takes. "
                "Split it into smaller files."
            ) % {"limit": limit}
        return None

    def import_data(self, dataset, **kwargs):
        self.rename_columns(dataset)
        problem = self.file_problem(dataset)
        if problem:
            result = self.get_result_class()()
            result.append_base_error(Error(ValidationError(problem)))
        else:
            result = super().import_data(dataset, **kwargs)
        result.problems = self.problems(result)
        result.skipped = empty_rows_message(self.empty_rows) if self.empty_rows else ""
        result.preview = [row for row in result.rows if getattr(row, "summary", None)]
        return result

    def import_row(self, row, instance_loader, **kwargs):
        if all(is_blank(row.get(column)) for column in self.entered_columns):
            self.empty_rows += 1
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def before_import_row(self, row, **kwargs):
        key = tuple(
            str(row.get(self.fields[name].column_name) or "").strip()
            for name in self.get_import_id_fields()
        )
        if key in self.keys_seen:
            raise ValidationError(str(self.repeated))
        self.keys_seen.add(key)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance.import_is_new = new

    def after_import_row(self, row, row_result, **kwargs):
        row_result.line = kwargs["row_number"] + 1
        if row_result.instance is not None:
            row_result.summary = self.summary(row_result.instance, row_result)

    def summary(self, instance, row_result):
        raise NotImplementedError

    def column_heading(self, field_name):
        if field_name == NON_FIELD_ERRORS:
            return ""
        columns = {field.attribute: field.column_name for field in self.fields.values()}
        return heading(columns.get(field_name, field_name))

    def problems(self, result):
        found = [
            Problem(None, "", message)
            for error in result.base_errors
            for message in getattr(error.error, "messages", [str(error.error)])
        ]
        for row in result.invalid_rows:
            for field_name, messages in row.error_dict.items():
                column = self.column_heading(field_name)
                found += [Problem(row.number + 1, column, message) for message in messages]
        for row in result.error_rows:
            found += [Problem(row.number + 1, "", str(error.error)) for error in row.errors]
        return sorted(found, key=lambda problem: problem.line or 0)


class ActualResource(SpreadsheetResource):
    indicator = fields.Field(column_name="indicator_code", attribute="indicator")
    indicator_name = fields.Field(column_name="indicator_name", readonly=True)
    unit = fields.Field(column_name="unit", readonly=True)
    period = fields.Field(column_name="period", readonly=True)
    period_end = fields.Field(
        column_name="period_end", attribute="period_end", widget=widgets.DateWidget("%Y-%m-%d")
    )
    value = fields.Field(column_name="value", attribute="value", widget=FigureWidget())
    # Empty spreadsheet cells arrive as None; these columns store "" for "nothing".
    note = fields.Field(column_name="note", attribute="note", widget=widgets.CharWidget())
    evidence_url = fields.Field(
        column_name="evidence_url", attribute="evidence_url", widget=widgets.CharWidget()
    )
    status = fields.Field(column_name="status", attribute="status", readonly=True)

    required_columns = ["indicator_code", "period_end", "value"]
    entered_columns = ["value", "note", "evidence_url", "confirm"]
    repeated = gettext_lazy("This file has this indicator and period twice.")
    unknown_indicator = gettext_lazy(
        "No indicator with code “%(code)s” among your departments' indicators."
    )

    class Meta:
        model = Actual
        import_id_fields = ["indicator", "period_end"]
        fields = ["indicator", "indicator_name", "unit", "period", "period_end", "value"]
        fields += ["note", "evidence_url", "status"]
        skip_unchanged = False
        # Rows left empty are counted, not listed; the preview names each figure it writes.
        report_skipped = False

    def indicators(self):
        return Indicator.objects.for_entry(self.user)

    def get_queryset(self):
        return super().get_queryset().select_related("indicator")

    def dehydrate_indicator_name(self, actual):
        return actual.indicator.display_name

    def dehydrate_unit(self, actual):
        return unit_label(actual.indicator.unit, actual.indicator.unit_en)

    def dehydrate_period(self, actual):
        return period_label(actual.period_end, actual.indicator)

    def import_row(self, row, instance_loader, **kwargs):
        self.confirmed = str(row.get("confirm") or "").strip().lower() in YES
        return super().import_row(row, instance_loader, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The edit is recorded before validation, so that a new value for a published figure
        # is checked as the revision it becomes.
        instance.record_entry(self.user)
        errors = dict(import_validation_errors or {})
        if instance.pk and instance.status == Actual.Status.SUBMITTED:
            errors["value"] = _("This figure is under review; it cannot be replaced now.")
        elif instance.value is None and "value" not in errors:
            errors["value"] = _("Fill in the figure, or leave the row's other cells empty.")
        elif instance.indicator_id and instance.period_end:
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

    def save_instance(self, instance, is_create, row, **kwargs):
        key = f"{instance.indicator_id}:{instance.period_end.isoformat()}"
        if kwargs.get("dry_run"):
            self.seen_versions[key] = 0 if is_create else instance.version
            return super().save_instance(instance, is_create, row, **kwargs)
        try:
            instance.save_edit(self.seen_versions.get(key))
        except (EditConflict, IntegrityError):
            raise ValidationError(
                _(
                    "Someone changed this figure after your dry run. Nothing was imported: "
                    "upload the file again to see the figure as it is now."
                )
            ) from None
        return None

    def summary(self, actual, row_result):
        period = period_label(actual.period_end, actual.indicator)
        return Summary(
            actual.indicator.display_name,
            _("%(period)s: %(value)s")
            % {"period": period, "value": figure(actual.value, actual.indicator)},
            import_outcome(actual),
        )


class ReasonedResource(SpreadsheetResource):
    """Rows that change what the public reads (targets, indicators) carry the reason, which
    the change history keeps and the public list of revisions shows."""

    #: Whether a new row needs a reason too, not only a change.
    reason_for_new = False

    def import_row(self, row, instance_loader, **kwargs):
        self.reason = str(row.get("change_reason") or "").strip()
        return super().import_row(row, instance_loader, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not self.reason and (instance.pk or self.reason_for_new):
            errors["change_reason"] = _(
                "Say why, and from which document: the reason is published with the change."
            )
        elif len(self.reason) > 100:
            errors["change_reason"] = _("At most 100 characters.")
        instance._change_reason = self.reason
        super().validate_instance(instance, errors, validate_unique=False)


class InterimTargetResource(ReasonedResource):
    """The rows of a targets sheet that name a `period_end` within the year: interim targets
    (一季度, 上半年, 前三季度, a month), read by `TargetResource` row by row."""

    indicator = fields.Field(column_name="indicator_code", attribute="indicator")
    period_end = fields.Field(
        column_name="period_end", attribute="period_end", widget=widgets.DateWidget("%Y-%m-%d")
    )
    value = fields.Field(column_name="target_value", attribute="value", widget=FigureWidget())
    qualifier = fields.Field(
        column_name="qualifier", attribute="qualifier", widget=QualifierWidget()
    )
    source = fields.Field(column_name="source", attribute="source")
    quote = fields.Field(column_name="quote", attribute="quote", widget=widgets.CharWidget())
    change_reason = fields.Field(column_name="change_reason")

    entered_columns = ["target_value", "qualifier", "source", "quote", "change_reason"]
    repeated = gettext_lazy("This file has this indicator and period end twice.")
    reason_for_new = True
    unknown_indicator = gettext_lazy("No indicator with code “%(code)s”.")

    class Meta:
        model = InterimTarget
        import_id_fields = ["indicator", "period_end"]
        fields = ["indicator", "period_end", "value", "qualifier", "source", "quote"]
        fields += ["change_reason"]
        skip_unchanged = True

    def __init__(self, source_widget, **kwargs):
        super().__init__(**kwargs)
        self.fields["source"].widget = source_widget

    def indicators(self):
        return Indicator.objects.all().visible_to(self.user)

    def import_row(self, row, instance_loader, **kwargs):
        self.year = str(row.get("year") or "").strip()
        self.confirmed = str(row.get("confirm") or "").strip().lower() in YES
        return super().import_row(row, instance_loader, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        end = instance.period_end
        if end and self.year and self.year != str(end.year):
            errors["period_end"] = [
                _("The period end %(date)s lies outside the row's year %(year)s.")
                % {"date": end.isoformat(), "year": self.year}
            ]
        elif end and instance.indicator_id and instance.value is not None:
            warning = instance.beyond_year_target()
            if warning and not self.confirmed:
                errors["target_value"] = [
                    warning + " " + _("To keep it, write yes in the confirm column.")
                ]
        # Target.revision_errors' rule, for a stored interim target: a new value cites a new
        # source (the period end is the row's key, so it never moves).
        stored = InterimTarget.objects.filter(pk=instance.pk).first() if instance.pk else None
        if stored is not None:
            changed = [
                name
                for name, attribute in REVISABLE.items()
                if name != "year" and getattr(stored, attribute) != getattr(instance, attribute)
            ]
            for field, message in stored.revision_errors(changed).items():
                errors.setdefault(field or NON_FIELD_ERRORS, message)
        super().validate_instance(instance, errors, validate_unique)

    def summary(self, step, row_result):
        indicator = step.indicator
        details = _("Interim target %(date)s: %(target)s") % {
            "date": step.period_end.isoformat(),
            "target": qualified(step.value, step.qualifier, indicator),
        }
        new = row_result.import_type == RowResult.IMPORT_TYPE_NEW
        outcome = _("New interim target: public once imported") if new else _("Changed")
        return Summary(indicator.display_name, details, outcome)


# A target's fields a row can change, by name and attribute.
REVISABLE = {
    "year": "year",
    "value": "value",
    "qualifier": "qualifier",
    "source": "source_id",
    "quote": "quote",
}


class TargetResource(ReasonedResource):
    """Targets for many indicators at once, e.g. those of a new year's work report. Every
    target names its source and gives a reason; a changed target is a public revision. A
    row with a `period_end` is an interim target (`InterimTargetResource`)."""

    indicator = fields.Field(column_name="indicator_code", attribute="indicator")
    indicator_name = fields.Field(column_name="indicator_name", readonly=True)
    year = fields.Field(column_name="year", attribute="year", widget=WholeNumberWidget())
    value = fields.Field(column_name="target_value", attribute="value", widget=FigureWidget())
    qualifier = fields.Field(
        column_name="qualifier", attribute="qualifier", widget=QualifierWidget()
    )
    source = fields.Field(
        column_name="source",
        attribute="source",
        widget=CodeWidget(
            Source,
            "title",
            gettext_lazy(
                "No single source is titled “%(code)s”: add the document under Sources "
                "first, under a title of its own."
            ),
        ),
    )
    quote = fields.Field(column_name="quote", attribute="quote", widget=widgets.CharWidget())
    change_reason = fields.Field(column_name="change_reason")

    required_columns = ["indicator_code", "year", "target_value", "source", "quote"]
    required_columns += ["change_reason"]
    entered_columns = ["target_value", "qualifier", "source", "quote", "change_reason"]
    repeated = gettext_lazy("This file has this indicator and year twice.")
    reason_for_new = True

    class Meta:
        model = Target
        name = gettext_lazy("targets")
        import_id_fields = ["indicator", "year"]
        fields = ["indicator", "indicator_name", "year", "value", "qualifier", "source"]
        fields += ["quote", "change_reason"]
        skip_unchanged = True

    unknown_indicator = gettext_lazy("No indicator with code “%(code)s”.")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The admin's rules for a stored target: a revision cites a new source, a withdrawn
        # target stays as it was, the year never moves.
        errors = dict(import_validation_errors or {})
        stored = Target.objects.filter(pk=instance.pk).first() if instance.pk else None
        if stored is not None:
            changed = [
                name
                for name, attribute in REVISABLE.items()
                if getattr(stored, attribute) != getattr(instance, attribute)
            ]
            for field, message in stored.revision_errors(changed).items():
                errors.setdefault(field or NON_FIELD_ERRORS, message)
        super().validate_instance(instance, errors, validate_unique)

    def indicators(self):
        """The indicators whose targets a manager may set: every department's."""
        indicators = Indicator.objects.all()
        return indicators.visible_to(self.user)

    def import_data_inner(self, dataset, *args, **kwargs):
        self.interim = InterimTargetResource(self.fields["source"].widget, user=self.user)
        self.interim_loader = self.interim._meta.instance_loader_class(self.interim, dataset)
        return super().import_data_inner(dataset, *args, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        if not is_blank(row.get("period_end")):
            return self.interim.import_row(row, self.interim_loader, **kwargs)
        return super().import_row(row, instance_loader, **kwargs)

    def summary(self, target, row_result):
        indicator = target.indicator
        details = _("Target %(year)d: %(target)s") % {
            "year": target.year,
            "target": qualified(target.value, target.qualifier, indicator),
        }
        return Summary(indicator.display_name, details, target_outcome(target, row_result))


def target_outcome(target, row_result):
    if row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
        return _("Unchanged")
    if target.import_is_new:
        return _("New target: public once imported")
    original = row_result.original
    if (original.value, original.qualifier) != (target.value, target.qualifier):
        return _("Revises a public target: listed with its reason and source")
    return _("Changes the target's source or quote")


class IndicatorResource(ReasonedResource):
    """Indicators described in a sheet; a change to an existing one needs a reason, as on
    its admin page. Baselines stay on the admin page, where their source is checked."""

    code = fields.Field(column_name="indicator_code", attribute="code")
    name = fields.Field(column_name="name", attribute="name", widget=widgets.CharWidget())
    name_en = fields.Field(column_name="name_en", attribute="name_en", widget=widgets.CharWidget())
    theme = fields.Field(
        column_name="theme_code",
        attribute="theme",
        widget=CodeWidget(Theme, "code", gettext_lazy("No theme with code “%(code)s”.")),
    )
    department = fields.Field(
        column_name="department_code",
        attribute="department",
        widget=CodeWidget(Department, "code", gettext_lazy("No department with code “%(code)s”.")),
    )
    unit = fields.Field(column_name="unit", attribute="unit", widget=widgets.CharWidget())
    unit_en = fields.Field(column_name="unit_en", attribute="unit_en", widget=widgets.CharWidget())
    decimals = fields.Field(
        column_name="decimals", attribute="decimals", widget=WholeNumberWidget()
    )
    direction = fields.Field(
        column_name="direction",
        attribute="direction",
        widget=ChoiceWidget(Indicator.Direction, {"正向": "increase", "逆向": "decrease"}),
    )
    value_type = fields.Field(
        column_name="value_type",
        attribute="value_type",
        widget=ChoiceWidget(
            Indicator.ValueType, {"时点": "stock", "存量": "stock", "时期": "flow", "比率": "rate"}
        ),
    )
    frequency = fields.Field(
        column_name="frequency",
        attribute="frequency",
        widget=ChoiceWidget(
            Indicator.Frequency, {"月度": "monthly", "季度": "quarterly", "年度": "annual"}
        ),
    )
    reported_as = fields.Field(
        column_name="reported_as",
        attribute="reported_as",
        widget=ChoiceWidget(Indicator.ReportedAs, {"当期": "period", "累计": "year_to_date"}),
    )
    release_lag_days = fields.Field(
        column_name="release_lag_days", attribute="release_lag_days", widget=WholeNumberWidget()
    )
    is_share = fields.Field(column_name="is_share", attribute="is_share", widget=YesNoWidget())
    growth_basis = fields.Field(
        column_name="growth_basis",
        attribute="growth_basis",
        widget=ChoiceWidget(
            Indicator.GrowthBasis,
            {"同比": "year_on_year", "可比价": "comparable_prices", "现价": "current_prices"},
        ),
    )
    change_reason = fields.Field(column_name="change_reason")

    required_columns = ["indicator_code", "name", "name_en", "theme_code", "unit"]
    required_columns += ["value_type", "frequency"]
    entered_columns = ["name", "name_en", "theme_code", "unit", "value_type", "frequency"]
    repeated = gettext_lazy("This file has this indicator twice.")
    #: Optional columns whose empty cell leaves the indicator as it is (a new one: the
    #: field's default, today's behaviour).
    kept_when_empty = ["decimals", "direction", "reported_as", "release_lag_days", "is_share"]
    kept_when_empty += ["growth_basis"]

    class Meta:
        model = Indicator
        name = gettext_lazy("indicators")
        import_id_fields = ["code"]
        fields = ["code", "name", "name_en", "theme", "department", "unit", "unit_en"]
        fields += ["decimals", "direction", "value_type", "frequency", "reported_as"]
        fields += ["release_lag_days", "is_share", "growth_basis", "change_reason"]
        skip_unchanged = True

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in self.kept_when_empty and is_blank(row.get(field.column_name)):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def summary(self, indicator, row_result):
        if row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            outcome = _("Unchanged")
        elif indicator.import_is_new:
            outcome = _("New indicator")
        else:
            outcome = _("Changes the indicator: recorded with its reason")
        return Summary(indicator.display_name, indicator.code, outcome)


def import_outcome(actual):
    """What importing a row does to its figure, as the preview says it."""
    if actual.import_is_new:
        return _("New draft")
    if actual.is_revision:
        return _("Changes a published figure: becomes a revision")
    if actual.status == Actual.Status.PUBLISHED:
        return _("Changes the note of a published figure")
    return _("Changes a draft")


def empty_rows_message(count):
    return ngettext(
        "%(count)d row left empty, skipped.", "%(count)d rows left empty, skipped.", count
    ) % {"count": count}


def workbook(title, columns, rows, choices):
    """An XLSX file ready to fill in: one sheet named `title`, `columns` headed in the page's
    language with the header row frozen, widths that fit, text that cannot run as a formula,
    and a drop-down for each column in `choices` (column: its values)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([heading(column) for column in columns])
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    sheet.freeze_panes = "A2"
    for column, values in choices.items():
        letter = get_column_letter(columns.index(column) + 1)
        drop_down = DataValidation(type="list", formula1=f'"{",".join(values)}"', allow_blank=True)
        drop_down.add(f"{letter}2:{letter}{max(sheet.max_row, 2)}")
        sheet.add_data_validation(drop_down)
    for number, cells in enumerate(sheet.iter_cols(values_only=True), 1):
        sheet.column_dimensions[get_column_letter(number)].width = fitting_width(cells)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def template_workbook(indicators):
    """The periods due for `indicators` (see `due_work`), with each indicator's name, unit and
    period written out, and a yes/no drop-down in the confirm column."""
    rows = []
    for indicator in indicators:
        unit = unit_label(indicator.unit, indicator.unit_en)
        for period in indicator.due:
            end = period.period_end
            wording = period_label(end, indicator)
            rows.append([indicator.code, indicator.display_name, unit, wording, end.isoformat()])
    choices = {"confirm": [_("yes"), _("no")]}
    return workbook(_("Figures due"), TEMPLATE_COLUMNS, rows, choices)


TARGET_TEMPLATE_COLUMNS = ["indicator_code", "indicator_name", "year", "target_value"]
TARGET_TEMPLATE_COLUMNS += ["qualifier", "source", "quote", "change_reason"]
# Each qualifier's one word in a sheet: 超, 达, 约, 以上, 以内.
QUALIFIER_WORDS = {code.value: words.sheet for code, words in vocabulary.QUALIFIER_WORDS.items()}


def targets_workbook(indicators, year):
    """Every indicator with a row for its target of `year`, filled in where one exists: the
    sheet a manager fills from a new work report. Rows left as they are import as unchanged;
    rows left empty are skipped."""
    rows = []
    for indicator in indicators.prefetch_related("targets__source"):
        target = next((t for t in indicator.targets.all() if t.year == year), None)
        row = [indicator.code, indicator.display_name, year]
        if target is not None:
            qualifier = QUALIFIER_WORDS.get(target.qualifier, target.qualifier)
            row += [target.value, qualifier, target.source.title, target.quote]
        rows.append(row)
    choices = {"qualifier": list(QUALIFIER_WORDS.values())}
    return workbook(_("Targets %(year)d") % {"year": year}, TARGET_TEMPLATE_COLUMNS, rows, choices)


def fitting_width(cells):
    """A column width that shows its longest text; a Chinese character takes two places."""
    widest = max(sum(2 if ord(c) > 0x2E7F else 1 for c in str(cell or "")) for cell in cells)
    return min(max(widest + 2, 10), 60)

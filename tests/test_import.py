"""Spreadsheet import of figures through the admin: dry run, confirmation, and the template.

A file with any bad row writes nothing and offers no confirmation; imported figures arrive as
drafts entered by the official; rows for other departments' indicators count as unknown.
"""

import datetime
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape

from kpis.models import Actual

IMPORT_URL = "/admin/kpis/actual/import/"
CONFIRM_URL = "/admin/kpis/actual/process_import/"
TEMPLATE_URL = "/admin/kpis/actual/import-template/"
CSV, XLSX = 0, 1
COLUMNS = ["indicator_code", "period_end", "value", "note", "evidence_url", "confirm"]


class ConfirmFormParser(HTMLParser):
    """Collects the inputs of the form that posts to the confirmation address."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.found = False
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("action") or "").endswith(CONFIRM_URL):
            self.inside = self.found = True
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def confirm_form(html):
    """The confirmation form's fields as the dry-run page renders them, or None."""
    parser = ConfirmFormParser()
    parser.feed(html)
    return parser.fields if parser.found else None


def report(html):
    """What the dry-run page says below its form: the errors or the preview."""
    return html.rsplit("</form>", 1)[-1]


def shown(message, **values):
    """A message as the (Chinese) admin shows it, translated or not yet."""
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return escape(text % values if values else text)


def csv_file(rows, header=COLUMNS, encoding="utf-8"):
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_file(rows, header=COLUMNS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def dry_run(client, content, name="figures.csv", file_format=CSV):
    upload = SimpleUploadedFile(name, content)
    return client.post(IMPORT_URL, {"format": str(file_format), "import_file": upload})


def import_and_confirm(client, content, **kwargs):
    """Upload, then press "confirm import" on the dry-run page; None when it offers none."""
    fields = confirm_form(dry_run(client, content, **kwargs).content.decode())
    if fields is None:
        return None
    return client.post(CONFIRM_URL, fields)


@pytest.fixture
def entry(client, official):
    client.force_login(official)
    return client


@pytest.fixture
def indicator(make_indicator, department):
    return make_indicator(name="脑科学企业", department=department, target="100")


@pytest.fixture
def foreign_indicator(make_indicator, other_department):
    return make_indicator(name="工业投资", department=other_department, target="100")


def test_dry_run_writes_nothing_and_offers_a_confirmation(entry, indicator):
    rows = [
        (indicator.code, "2024-03-31", "40", "", "", ""),
        (indicator.code, "2024-06-30", "42", "", "", ""),
    ]
    response = dry_run(entry, csv_file(rows))
    fields = confirm_form(response.content.decode())
    assert set(fields) >= {"import_file_name", "original_file_name", "format", "resource"}
    assert (fields["original_file_name"], fields["format"]) == ("figures.csv", str(CSV))
    assert not Actual.objects.exists()


def test_confirmed_csv_imports_drafts_entered_by_the_official(entry, official, indicator):
    rows = [
        (indicator.code, "2024-03-31", "40", "季度统计", "https://example.gov.cn/q1", ""),
        (indicator.code, "2024-06-30", "42", "", "", ""),
    ]
    response = import_and_confirm(entry, csv_file(rows))
    imported = Actual.objects.order_by("period_end")
    assert response.status_code == 302
    assert [(a.period_end.isoformat(), a.value) for a in imported] == [
        ("2024-03-31", 40),
        ("2024-06-30", 42),
    ]
    assert {(a.status, a.published_value, a.entered_by) for a in imported} == {
        (Actual.Status.DRAFT, None, official)
    }


def test_gbk_csv_with_chinese_notes_imports(entry, indicator):
    rows = [
        (indicator.code, "2024-03-31", "40", "来自区统计局季度报表", "", ""),
        (indicator.code, "2024-06-30", "42", "含新认定的脑科学企业", "", ""),
    ]
    import_and_confirm(entry, csv_file(rows, encoding="gbk"))
    notes = list(Actual.objects.order_by("period_end").values_list("note", flat=True))
    assert notes == ["来自区统计局季度报表", "含新认定的脑科学企业"]
    assert not Actual.objects.exclude(status=Actual.Status.DRAFT).exists()


def test_xlsx_file_imports(entry, official, indicator):
    rows = [
        (indicator.code, "2024-03-31", 40, "第一季度", "https://example.gov.cn/q1", "no"),
        (indicator.code, "2024-06-30", 42.5, "第二季度", "https://example.gov.cn/q2", "no"),
    ]
    import_and_confirm(entry, xlsx_file(rows), name="figures.xlsx", file_format=XLSX)
    imported = Actual.objects.order_by("period_end")
    assert [(a.period_end.isoformat(), a.value) for a in imported] == [
        ("2024-03-31", 40),
        ("2024-06-30", 42.5),
    ]
    assert {(a.status, a.entered_by) for a in imported} == {(Actual.Status.DRAFT, official)}


def test_xlsx_rows_with_empty_note_and_evidence_cells_import(entry, indicator):
    # Excel leaves unfilled cells empty: they arrive as None, not as "" as in a CSV file.
    rows = [(indicator.code, "2024-03-31", 40, None, None, None)]
    import_and_confirm(entry, xlsx_file(rows), name="figures.xlsx", file_format=XLSX)
    actual = Actual.objects.get()
    assert (actual.value, actual.note, actual.evidence_url) == (40, "", "")


def test_xlsx_period_typed_as_a_date_cell_imports(entry, indicator):
    # Excel turns a typed 2024-03-31 into a date cell, which arrives as a datetime.
    period = datetime.datetime(2024, 3, 31)
    rows = [(indicator.code, period, 40, "第一季度", "https://example.gov.cn/q1", "no")]
    import_and_confirm(entry, xlsx_file(rows), name="figures.xlsx", file_format=XLSX)
    actual = Actual.objects.get()
    assert (actual.period_end, actual.value) == (datetime.date(2024, 3, 31), 40)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (("2024-05-31", "41"), "Not the last day of a %(frequency)s reporting period."),
        (("2024-06-30", "-5"), "Counts and money cannot be negative."),
    ],
    ids=["not-a-quarter-end", "negative-count"],
)
def test_file_with_one_bad_row_shows_its_error_and_writes_nothing(
    entry, indicator, bad_row, message
):
    rows = [
        (indicator.code, "2024-03-31", "40", "", "", ""),
        (indicator.code, *bad_row, "", "", ""),
    ]
    response = dry_run(entry, csv_file(rows))
    html = response.content.decode()
    with translation.override("zh-hans"):
        frequency = str(indicator.get_frequency_display())
    assert shown(message, frequency=frequency) in report(html)
    assert confirm_form(html) is None
    assert not Actual.objects.exists()


def test_file_with_wrong_headers_is_refused(entry, indicator):
    content = csv_file(
        [(indicator.code, "2024-03-31", "40")], header=["指标代码", "报告期", "数值"]
    )
    html = dry_run(entry, content).content.decode()
    assert "indicator_code" in report(html)
    assert confirm_form(html) is None
    assert not Actual.objects.exists()


def test_same_indicator_and_period_twice_is_refused(entry, indicator):
    rows = [
        (indicator.code, "2024-03-31", "40", "", "", ""),
        (indicator.code, "2024-03-31", "41", "", "", ""),
    ]
    html = dry_run(entry, csv_file(rows)).content.decode()
    assert shown("This file has this indicator and period twice.") in report(html)
    assert confirm_form(html) is None
    assert not Actual.objects.exists()


def test_row_for_another_departments_indicator_is_refused_as_unknown(
    entry, indicator, foreign_indicator, make_actual
):
    theirs = make_actual(foreign_indicator, period_end=datetime.date(2024, 3, 31), value="7")
    rows = [
        (indicator.code, "2024-03-31", "40", "", "", ""),
        (foreign_indicator.code, "2024-03-31", "9999", "", "", ""),
    ]
    html = dry_run(entry, csv_file(rows)).content.decode()
    unknown = "No indicator with code “%(code)s” among your departments' indicators."
    assert shown(unknown, code=foreign_indicator.code) in report(html)
    assert confirm_form(html) is None
    assert list(Actual.objects.values_list("pk", "value")) == [(theirs.pk, 7)]


def test_imported_correction_of_a_published_figure_waits_for_review(
    entry, official, indicator, make_actual
):
    actual = make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="40")
    rows = [(indicator.code, "2024-03-31", "41", "统计局更正", "", "")]
    import_and_confirm(entry, csv_file(rows))
    actual.refresh_from_db()
    assert (actual.value, actual.published_value) == (41, 40)
    assert (actual.status, actual.entered_by) == (Actual.Status.DRAFT, official)


def test_row_for_a_figure_under_review_is_refused(entry, indicator, make_actual):
    actual = make_actual(indicator, value="40", status=Actual.Status.SUBMITTED)
    rows = [(indicator.code, "2024-06-30", "41", "", "", "")]
    html = dry_run(entry, csv_file(rows)).content.decode()
    actual.refresh_from_db()
    assert shown("This figure is under review; it cannot be replaced now.") in report(html)
    assert (actual.value, actual.status) == (40, Actual.Status.SUBMITTED)


@pytest.mark.parametrize(
    ("confirm", "note", "imported"),
    [
        ("", "", False),
        ("", "统计口径调整", False),
        ("yes", "", False),
        ("是", "统计口径调整，已与统计局核实", True),
    ],
    ids=["no-confirm-no-note", "note-only", "confirm-only", "confirmed-and-explained"],
)
def test_figure_a_thousand_times_the_last_published_one_needs_confirm_and_note(
    entry, indicator, make_actual, confirm, note, imported
):
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="40")
    rows = [(indicator.code, "2024-06-30", "40000", note, "", confirm)]
    import_and_confirm(entry, csv_file(rows))
    statuses = Actual.objects.filter(period_end=datetime.date(2024, 6, 30)).values_list(
        "status", flat=True
    )
    assert list(statuses) == ([Actual.Status.DRAFT] if imported else [])


def test_refused_unit_slip_explains_itself(entry, indicator, make_actual):
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="40")
    rows = [(indicator.code, "2024-06-30", "40000", "", "", "")]
    html = dry_run(entry, csv_file(rows)).content.decode()
    assert "1,000" in report(html)
    assert confirm_form(html) is None


def test_reviewer_cannot_import_figures(client, reviewer, indicator):
    client.force_login(reviewer)
    response = dry_run(client, csv_file([(indicator.code, "2024-03-31", "40", "", "", "")]))
    assert response.status_code == 403
    assert not Actual.objects.exists()


def test_template_lists_the_due_periods_of_the_officials_departments_only(
    entry, indicator, foreign_indicator, make_actual
):
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="40")
    response = entry.get(TEMPLATE_URL)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    periods = {str(row[header.index("period_end")]) for row in rows}
    assert {row[header.index("indicator_code")] for row in rows} == {indicator.code}
    assert "2024-06-30" in periods and "2024-03-31" not in periods
    assert set(COLUMNS) <= set(header)


def test_filled_in_template_imports(entry, official, indicator):
    sheet = openpyxl.load_workbook(io.BytesIO(entry.get(TEMPLATE_URL).content)).active
    header, first, *_ = [list(row) for row in sheet.iter_rows(values_only=True)]
    first[header.index("value")] = 40
    content = xlsx_file([first], header=header)
    import_and_confirm(entry, content, name="figures-due.xlsx", file_format=XLSX)
    actual = Actual.objects.get()
    # The first period due: from 2023, the year before the indicator's first target.
    assert (actual.indicator, actual.period_end.isoformat()) == (indicator, "2023-03-31")
    assert (actual.value, actual.status, actual.entered_by) == (40, "draft", official)

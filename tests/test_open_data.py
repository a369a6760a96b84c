import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.utils import timezone

from kpis.models import Actual, Indicator


@pytest.fixture
def published(article, make_actual):
    indicator = Indicator.objects.get(code="synbio-valuation")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="240.5")
    make_actual(indicator, period_end=datetime.date(2024, 9, 30), value="999", status="draft")
    return indicator


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    return [dict(zip(header, row, strict=True)) for row in cells]


def test_csv_xlsx_and_json_carry_the_same_rows(anonymous, published):
    from_csv = csv_rows(anonymous.get("/data/progress.csv"))
    from_xlsx = xlsx_rows(anonymous.get("/data/progress.xlsx"))
    from_json = json.loads(anonymous.get("/data/progress.json").content)["indicators"]
    assert from_csv == from_xlsx
    assert [row["code"] for row in from_csv] == [row["code"] for row in from_json]


def test_csv_row_holds_the_published_figure_and_the_source(year_2024_open, anonymous, published):
    row = next(
        row
        for row in csv_rows(anonymous.get("/data/progress.csv"))
        if row["code"] == "synbio-valuation"
    )
    assert (row["target_value"], row["target_qualifier"]) == ("400", "over")
    assert (row["actual_period_end"], row["actual_value"], row["status"]) == (
        "2024-06-30",
        "240.5",
        "on_track",
    )
    assert "集群整體估值超400億元" in row["source_quote"]


def test_open_data_never_contains_drafts(anonymous, published):
    for url in ["/data/progress.csv", "/data/indicators/synbio-valuation.csv"]:
        assert "999" not in anonymous.get(url).content.decode()


def test_year_parameter_is_respected_and_unknown_years_are_404(anonymous, published):
    assert anonymous.get("/data/progress.csv?year=2024").status_code == 200
    assert anonymous.get("/data/progress.xlsx?year=2031").status_code == 404
    response = anonymous.get("/data/progress.csv?year=2024")
    assert response["Content-Disposition"].endswith('filename="progress-2024.csv"')
    # Every target in the file is the 2024 one (indicators without a target leave it blank).
    assert {row["target_year"] for row in csv_rows(response)} == {"2024", ""}


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(anonymous, published):
    Indicator.objects.filter(code="synbio-valuation").update(
        name='=HYPERLINK("http://evil.example","点击")', name_en="@SUM(1+1)"
    )
    row = next(
        row
        for row in csv_rows(anonymous.get("/data/progress.csv"))
        if row["code"] == "synbio-valuation"
    )
    assert row["name"] == '\'=HYPERLINK("http://evil.example","点击")'
    assert row["name_en"] == "'@SUM(1+1)"


def test_negative_numbers_stay_numbers(anonymous, article, make_actual):
    growth = Indicator.objects.get(code="future-industries-growth")
    growth.targets.create(year=2024, value=10, source=growth.source, quote="…")
    make_actual(growth, period_end=datetime.date(2024, 12, 31), value="-3.5")
    row = next(
        row for row in csv_rows(anonymous.get("/data/progress.csv")) if row["code"] == growth.code
    )
    assert row["actual_value"] == "-3.5"


def test_indicator_history_files_list_the_published_figures(anonymous, published):
    rows = csv_rows(anonymous.get("/data/indicators/synbio-valuation.csv"))
    data = json.loads(anonymous.get("/data/indicators/synbio-valuation.json").content)
    assert [(row["period_end"], row["value"]) for row in rows] == [
        ("2024-03-31", "150"),
        ("2024-06-30", "240.5"),
    ]
    assert [figure["value"] for figure in data["figures"]] == ["150", "240.5"]


def test_history_file_marks_a_revised_figure(anonymous, published, official, department, reviewer):
    published.department = department  # the official's, who corrects the figure
    published.save()
    actual = Actual.objects.get(period_end=datetime.date(2024, 3, 31))
    actual.value = 155
    actual.record_entry(official)
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()
    rows = csv_rows(anonymous.get("/data/indicators/synbio-valuation.csv"))
    assert rows[0]["value"] == "155"
    assert rows[0]["revised_at"] != ""


def test_data_page_lists_the_files_columns_and_licence(anonymous, published):
    html = anonymous.get("/en/data/").content.decode()
    assert "/data/progress.xlsx?year=2024" in html
    assert "<code>source_quote</code>" in html
    assert "CC BY 4.0" in html


def test_unknown_format_is_not_found(anonymous, published):
    assert anonymous.get("/data/progress.xml").status_code == 404
    assert anonymous.get("/data/indicators/synbio-valuation.xlsx").status_code == 404


def test_a_withdrawn_target_leaves_the_open_data_with_its_reason(anonymous, published):
    target = published.targets.get()
    target.withdraw("并入全区产业规划", timezone.now())
    target.save()
    row = next(
        row
        for row in json.loads(anonymous.get("/data/progress.json").content)["indicators"]
        if row["code"] == "synbio-valuation"
    )
    assert row["target"] is None
    assert (row["target_withdrawn"]["year"], row["target_withdrawn"]["reason"]) == (
        2024,
        "并入全区产业规划",
    )
    csv_row = next(
        row
        for row in csv_rows(anonymous.get("/data/progress.csv"))
        if row["code"] == "synbio-valuation"
    )
    assert csv_row["target_withdrawal_reason"] == "并入全区产业规划"

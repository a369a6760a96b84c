"""Numbers as people write them: "400亿元", not "400.0亿元"; "40 billion yuan" in English;
spreadsheets that add up; times with their offset."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from kpis.models import Indicator
from kpis.templatetags.kpis_tags import figure, figure_html, figure_text


@pytest.fixture
def synbio(article):
    return Indicator.objects.get(code="synbio-valuation")  # 亿元, one decimal shown


@pytest.fixture
def published(synbio, make_actual):
    make_actual(synbio, period_end=datetime.date(2024, 3, 31), value="150")
    make_actual(synbio, period_end=datetime.date(2024, 6, 30), value="240.5")
    return synbio


def test_whole_amounts_drop_the_zero_decimals(synbio):
    assert figure_text(Decimal("400.0000"), synbio) == "400亿元"
    assert figure_text(Decimal("240.5"), synbio) == "240.5亿元"


def test_decimals_are_rounded_to_what_the_indicator_shows(synbio):
    assert figure_text(Decimal("240.56"), synbio) == "240.6亿元"


def test_english_writes_yi_yuan_in_billions_and_millions(synbio):
    with translation.override("en"):
        assert figure_text(Decimal("400"), synbio) == "40 billion yuan"
        assert figure_text(Decimal("75"), synbio) == "7.5 billion yuan"
        assert figure_text(Decimal("1.5"), synbio) == "150 million yuan"


def test_english_figures_keep_the_chinese_amount_in_the_title(synbio):
    with translation.override("en"):
        assert figure_html(Decimal("400"), synbio) == '<span title="400亿元">40 billion yuan</span>'


def test_indicator_page_in_english_shows_billions_with_the_chinese_title(anonymous, synbio):
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert 'more than <span title="400亿元">40 billion yuan</span>' in html


def test_fund_scale_of_75_yi_reads_7_5_billion_yuan(anonymous, article, make_actual):
    funds = Indicator.objects.get(unit="亿元", baseline_value=75)
    make_actual(funds, period_end=datetime.date(2024, 12, 31), value="75")
    html = anonymous.get(f"/en/indicators/{funds.code}/").content.decode()
    assert '<span title="75亿元">7.5 billion yuan</span>' in html


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_row(sheet, code):
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headers, row, strict=True))
        if cells["code"].value == code:
            return cells
    raise AssertionError(code)


def test_xlsx_values_targets_and_attainment_are_numbers_with_formats(anonymous, published):
    row = xlsx_row(xlsx_sheet(anonymous.get("/data/progress.xlsx")), "synbio-valuation")
    assert (row["target_value"].value, row["target_value"].number_format) == (400, "#,##0")
    assert (row["actual_value"].value, row["actual_value"].number_format) == (240.5, "#,##0.0")
    assert row["attainment"].number_format == "0.0%"
    assert row["target_year"].value == 2024


def test_indicator_history_downloads_as_xlsx_with_numbers(anonymous, published):
    response = anonymous.get("/data/indicators/synbio-valuation.xlsx")
    sheet = xlsx_sheet(response)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [cell.value for cell in sheet["C"]][1:] == ["value", 150, 240.5][1:]


def test_indicator_page_links_its_xlsx(anonymous, published):
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert 'href="/data/indicators/synbio-valuation.xlsx"' in html


def test_csv_names_each_theme_in_both_languages(anonymous, published):
    text = anonymous.get("/data/progress.csv").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["code"] == "synbio-valuation")
    assert (row["theme"], row["theme_zh"]) == ("Synthetic biology", "合成生物")


def test_json_times_carry_the_districts_offset(anonymous, published):
    progress = json.loads(anonymous.get("/data/progress.json").content)
    history = json.loads(anonymous.get("/data/indicators/synbio-valuation.json").content)
    assert progress["generated_at"].endswith("+08:00")
    assert history["figures"][0]["first_published_at"].endswith("+08:00")


def test_a_figure_inside_a_sentence_is_never_shown_as_escaped_markup(
    anonymous, synbio, make_actual
):
    make_actual(synbio, period_end=datetime.date(2024, 6, 30), value="240")
    make_actual(synbio, period_end=datetime.date(2025, 3, 31), value="300")
    html = anonymous.get("/en/?year=2024").content.decode()
    assert "latest: 30 billion yuan" in html
    assert "&lt;span" not in html


def test_figure_is_plain_text_for_sentences_and_files(synbio):
    with translation.override("en"):
        assert figure(Decimal("400"), synbio) == "40 billion yuan"

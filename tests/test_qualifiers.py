"""A floor (100家以上, at_least) and a ceiling (控制在5%以内, at_most) read as such on every
page, file and bulletin, in both languages, and are judged as a floor and a ceiling.

Today is 6 December 2026; the indicators have figures of 2024 to 2026."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import docx
import openpyxl
import pypdf
import pytest
import time_machine

from kpis.models import Indicator, Target
from kpis.resources import TARGET_TEMPLATE_COLUMNS, targets_workbook
from reports import bulletins
from reports.snapshots import take_snapshot
from tests.conftest import SHANGHAI

FLOOR = {"zh-hans": "100家以上", "en": "at least 100 enterprises"}
CEILING = {"zh-hans": "5%以内", "en": "at most 5%"}
PREFIX = {"zh-hans": "", "en": "/en"}


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=False):
        yield datetime.date(2026, 12, 6)


@pytest.fixture
def floor_and_ceiling(today, make_indicator, make_actual, source, department):
    """规上高新技术企业 "100家以上" and 能耗增幅 "控制在5%以内", targets of 2024 to 2026, a
    figure at the end of every year and of the third quarter of 2026."""
    floor = make_indicator(
        code="high-tech-firms", name="规上高新技术企业", name_en="High-tech firms"
    )
    ceiling = make_indicator(
        code="energy-growth",
        name="能耗增幅",
        name_en="Growth of energy use",
        unit=Indicator.Unit.PERCENT,
        value_type=Indicator.ValueType.RATE,
        direction=Indicator.Direction.DECREASE,
        department=department,
    )
    for year in (2024, 2025, 2026):
        Target.objects.create(
            indicator=floor,
            year=year,
            value=Decimal(100),
            qualifier="at_least",
            source=source,
            quote=f"{year}年规上高新技术企业100家以上。",
        )
        Target.objects.create(
            indicator=ceiling,
            year=year,
            value=Decimal(5),
            qualifier="at_most",
            source=source,
            quote=f"{year}年能耗增幅控制在5%以内。",
        )
    for year, firms, growth in [(2024, 98, "5.5"), (2025, 104, "4.8")]:
        make_actual(floor, period_end=datetime.date(year, 12, 31), value=firms)
        make_actual(ceiling, period_end=datetime.date(year, 12, 31), value=growth)
    make_actual(floor, period_end=datetime.date(2026, 9, 30), value=110)
    make_actual(ceiling, period_end=datetime.date(2026, 9, 30), value="4.5")
    return floor, ceiling


def squeezed(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_table_writes_the_floor_and_the_ceiling(anonymous, floor_and_ceiling, language):
    html = anonymous.get(f"{PREFIX[language]}/").content.decode()
    assert FLOOR[language] in html
    assert CEILING[language] in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_indicator_pages_write_the_floor_and_the_ceiling_of_every_year(
    anonymous, floor_and_ceiling, language
):
    floor = anonymous.get(f"{PREFIX[language]}/indicators/high-tech-firms/").content.decode()
    ceiling = anonymous.get(f"{PREFIX[language]}/indicators/energy-growth/").content.decode()
    # The target of the year shown, and the list of targets of 2024 to 2026.
    assert floor.count(FLOOR[language]) >= 4
    assert ceiling.count(CEILING[language]) >= 4


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_snapshot_writes_the_floor_and_the_ceiling(anonymous, floor_and_ceiling, today, language):
    snapshot = take_snapshot(today, 2026)[0]
    html = anonymous.get(f"{PREFIX[language]}/snapshots/{snapshot.taken_on}/").content.decode()
    assert FLOOR[language] in html
    assert CEILING[language] in html


def test_the_open_data_files_carry_at_least_and_at_most(anonymous, floor_and_ceiling):
    rows = json.loads(anonymous.get("/data/progress.json").content)["indicators"]
    from_json = {row["code"]: row["target"]["qualifier"] for row in rows}
    text = anonymous.get("/data/progress.csv").content.decode("utf-8-sig")
    from_csv = {row["code"]: row["target_qualifier"] for row in csv.DictReader(io.StringIO(text))}
    sheet = openpyxl.load_workbook(io.BytesIO(anonymous.get("/data/progress.xlsx").content))
    header, *cells = list(sheet.active.iter_rows(values_only=True))
    from_xlsx = {row[header.index("code")]: row[header.index("target_qualifier")] for row in cells}
    expected = {"high-tech-firms": "at_least", "energy-growth": "at_most"}
    assert from_json == from_csv == from_xlsx == expected


def test_the_open_data_says_what_at_least_and_at_most_mean(anonymous, floor_and_ceiling):
    schema = anonymous.get("/data/").content.decode()
    assert "at_least" in schema and "at_most" in schema


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_bulletin_writes_the_floor_and_the_ceiling_in_word_and_pdf(floor_and_ceiling, language):
    bulletin = bulletins.make(datetime.date(2026, 11, 30), language)
    document = docx.Document(io.BytesIO(bytes(bulletin.docx)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    word = "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    pdf = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(bulletin.pdf)).pages)
    for text in (word, pdf):
        assert squeezed(FLOOR[language]) in squeezed(text)
        assert squeezed(CEILING[language]) in squeezed(text)


def test_the_targets_sheet_offers_and_writes_every_qualifier(floor_and_ceiling):
    book = openpyxl.load_workbook(io.BytesIO(targets_workbook(Indicator.objects.all(), 2026)))
    sheet = book.worksheets[0]
    column = TARGET_TEMPLATE_COLUMNS.index("qualifier")
    written = {row[0]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    offered = " ".join(rule.formula1 for rule in sheet.data_validations.dataValidation)
    assert written == {"high-tech-firms": "以上", "energy-growth": "以内"}
    assert all(word in offered for word in ("超", "达", "约", "以上", "以内"))

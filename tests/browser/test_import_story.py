"""The spreadsheet import in a real browser, as an official does it: download the template
of the periods due, fill in two of its 66 rows, upload it, read the preview, confirm."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from kpis.models import Actual

PASSWORD = "a-long-test-password-41"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def due_work(official, make_indicator, department, monkeypatch):
    """Eleven quarterly indicators with 2024 targets: due from 2023, the year before, six
    periods each by July 2024."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 7, 20))
    official.set_password(PASSWORD)
    official.save()
    for number in range(11):
        make_indicator(name=f"脑科学指标{number + 1}", department=department, target="100")


def filled_in(path, values):
    """The downloaded template with `values` written into its first rows' value column."""
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
    sheet = book.active
    column = [cell.value for cell in sheet[1]].index("数值") + 1
    for row, value in enumerate(values, start=2):
        sheet.cell(row=row, column=column, value=value)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def test_official_imports_two_filled_rows_of_the_66_row_template(live_server, page, due_work):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("official")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(live_server.url + "/admin/kpis/actual/")
    with page.expect_download() as download:
        page.get_by_role("link", name="待填报报告期模板（XLSX）").click()
    content = filled_in(download.value.path(), [40, 42])

    page.get_by_role("link", name="导入").click()
    page.get_by_label("格式").select_option("xlsx")
    page.get_by_label("导入文件").set_input_files(
        {"name": "figures-due.xlsx", "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#content")).to_contain_text("64行未填写，已跳过。")
    expect(page.locator("table.import-preview tbody tr")).to_have_count(2)
    expect(page.locator("table.import-preview")).to_contain_text("新建草稿")
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    page.set_viewport_size({"width": 1280, "height": 900})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "import-preview-desktop.png", full_page=True)

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messagelist")).to_contain_text("已导入：新增2条，修改0条。")
    assert list(Actual.objects.values_list("status", flat=True)) == ["draft", "draft"]

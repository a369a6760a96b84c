"""Bulk import of targets and indicators by indicator managers through the admin: the same
dry run, all or nothing, with a source and a reason for every target; a changed target is
a public revision, listed with its reason."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kpis.models import Indicator, Source, Target
from tests.test_import import (
    XLSX,
    confirm_form,
    csv_file,
    own_temp_folder,
    report,
    shown,
    xlsx_file,
)

IMPORT_URL = "/admin/kpis/indicator/import/"
CONFIRM_URL = "/admin/kpis/indicator/process_import/"
TARGETS_TEMPLATE = "/admin/kpis/indicator/import-template/"
TARGETS, INDICATORS = 0, 1
TARGET_COLUMNS = ["指标代码", "年份", "目标值", "限定词", "来源", "原文", "变更原因"]
INDICATOR_COLUMNS = ["指标代码", "名称（中文）", "名称（英文）", "主题代码", "部门代码"]
INDICATOR_COLUMNS += ["计量单位", "数值类型", "报告频率", "变更原因"]
REPORT = "2025年光明区政府工作报告"
pytestmark = pytest.mark.usefixtures(own_temp_folder.__name__)


def dry_run(client, content, resource=TARGETS, file_format=0):
    upload = SimpleUploadedFile("targets", content)
    data = {"format": str(file_format), "resource": str(resource), "import_file": upload}
    return client.post(IMPORT_URL, data)


def import_and_confirm(client, content, resource=TARGETS, file_format=0):
    fields = confirm_form(dry_run(client, content, resource, file_format).content.decode())
    return None if fields is None else client.post(CONFIRM_URL, fields)


@pytest.fixture
def managing(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def work_report(db):
    return Source.objects.create(
        title=REPORT, publisher="光明区政府", published_on=datetime.date(2025, 1, 20)
    )


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(name="脑科学企业", target="100")


def target_row(indicator, year, value, qualifier="达", reason="2025年工作报告提出"):
    return (indicator.code, year, value, qualifier, REPORT, f"{year}年达{value}家。", reason)


def test_manager_imports_the_targets_of_a_new_work_report(managing, make_indicator, work_report):
    first, second = make_indicator(), make_indicator()
    rows = [target_row(first, 2025, "120", "超"), target_row(second, 2025, "30")]
    import_and_confirm(managing, csv_file(rows, header=TARGET_COLUMNS))
    targets = Target.objects.filter(year=2025).order_by("indicator__position")
    assert [(t.indicator, t.value, t.qualifier, t.source) for t in targets] == [
        (first, Decimal(120), "over", work_report),
        (second, Decimal(30), "reach", work_report),
    ]
    assert {t.history.latest().history_change_reason for t in targets} == {"2025年工作报告提出"}


def test_a_floor_and_a_ceiling_import_in_the_words_of_the_sheet_or_of_the_source(
    managing, make_indicator, work_report
):
    firms, share, growth, energy = (make_indicator() for _ in range(4))
    rows = [
        target_row(firms, 2025, "100", "以上"),
        target_row(share, 2025, "6", "不低于"),
        target_row(growth, 2025, "3", "以内"),
        target_row(energy, 2025, "5", "控制在…以内"),
    ]
    import_and_confirm(managing, csv_file(rows, header=TARGET_COLUMNS))
    targets = Target.objects.filter(year=2025).order_by("indicator__position")
    assert [t.qualifier for t in targets] == ["at_least", "at_least", "at_most", "at_most"]


def test_preview_says_which_target_is_new_and_which_revises_a_public_one(
    managing, indicator, work_report
):
    rows = [target_row(indicator, 2024, "120"), target_row(indicator, 2025, "150")]
    html = report(dry_run(managing, csv_file(rows, header=TARGET_COLUMNS)).content.decode())
    assert "修订已公开的目标：连同原因和来源一并公开列出" in html
    assert "新建目标：导入后即公开" in html and "<td>2025年目标：150家</td>" in html


def test_imported_revision_of_a_target_is_listed_publicly_with_its_reason(
    managing, anonymous, indicator, work_report
):
    rows = [target_row(indicator, 2024, "120", reason="年中调整")]
    import_and_confirm(managing, csv_file(rows, header=TARGET_COLUMNS))
    html = anonymous.get(f"/en/indicators/{indicator.code}/").content.decode()
    revisions = html.split('id="revisions"', 1)[1]
    assert "100 enterprises → 120 enterprises" in revisions and "Reason: 年中调整" in revisions


def test_targets_without_a_reason_or_with_an_unknown_source_write_nothing(
    managing, indicator, make_indicator, work_report
):
    other = make_indicator()
    unknown_source = (other.code, 2025, "5", "达", "没有这个文件", "原文", "新目标")
    rows = [target_row(indicator, 2025, "150", reason=""), unknown_source]
    html = dry_run(managing, csv_file(rows, header=TARGET_COLUMNS)).content.decode()
    reason = "Say why, and from which document: the reason is published with the change."
    assert f"<td>2</td><td>变更原因</td><td>{shown(reason)}" in report(html)
    assert "<td>3</td><td>来源</td>" in report(html)
    assert confirm_form(html) is None and not Target.objects.filter(year=2025).exists()


def test_an_unchanged_target_is_skipped_without_asking_for_a_reason(managing, indicator, source):
    target = indicator.targets.get()
    row = (indicator.code, 2024, "100", "reach", source.title, target.quote, "")
    response = import_and_confirm(managing, csv_file([row], header=TARGET_COLUMNS))
    assert response.status_code == 302
    assert indicator.targets.get().history.count() == 1


def test_a_refused_row_at_confirmation_undoes_the_rows_before_it(
    managing, indicator, make_indicator, work_report
):
    later = make_indicator()
    rows = [target_row(indicator, 2025, "150"), target_row(later, 2025, "9")]
    fields = confirm_form(dry_run(managing, csv_file(rows, header=TARGET_COLUMNS)).content.decode())
    later.delete()  # gone between the dry run and the confirmation
    managing.post(CONFIRM_URL, fields)
    assert not Target.objects.filter(year=2025).exists()


def test_manager_imports_new_indicators(managing, theme, department):
    row = ("brain-chips", "类脑芯片企业", "Brain-inspired chip firms", theme.code, department.code)
    row += ("家", "stock", "quarterly", "")
    import_and_confirm(managing, csv_file([row], header=INDICATOR_COLUMNS), INDICATORS)
    indicator = Indicator.objects.get(code="brain-chips")
    assert (indicator.name, indicator.theme, indicator.department) == (
        "类脑芯片企业",
        theme,
        department,
    )


# The columns of the reporting forms (#24): each optional, in code or in Chinese.
FORM_COLUMNS = ["indicator_code", "name", "name_en", "theme_code", "unit", "value_type"]
FORM_COLUMNS += ["frequency", "reported_as", "release_lag_days", "growth_basis", "is_share"]
FORM_COLUMNS += ["direction", "decimals"]


def form_row(theme, code, unit, *cells):
    return (code, f"指标{code}", f"Indicator {code}", theme.code, unit, *cells)


def test_manager_imports_reporting_forms_written_in_chinese(managing, theme):
    rows = [
        form_row(theme, "ivag", "%", "比率", "月度", "累计", "18", "可比价", "否", "正向", "1"),
        form_row(theme, "pm25", "微克/立方米", "时点", "年度", "当期", "60", "", "", "逆向", ""),
    ]
    import_and_confirm(managing, csv_file(rows, header=FORM_COLUMNS), INDICATORS)
    growth, pm25 = Indicator.objects.get(code="ivag"), Indicator.objects.get(code="pm25")
    assert (growth.value_type, growth.reported_as, growth.release_lag_days) == (
        "rate",
        "year_to_date",
        18,
    )
    assert (growth.growth_basis, growth.decimals) == ("comparable_prices", 1)
    assert (pm25.unit, pm25.direction, pm25.release_lag_days) == ("微克/立方米", "decrease", 60)


def test_manager_imports_reporting_forms_written_as_codes(managing, theme):
    row = form_row(theme, "retail", "亿元", "flow", "monthly", "year_to_date", "20", "", "no")
    row += ("increase", "1")
    import_and_confirm(managing, csv_file([row], header=FORM_COLUMNS), INDICATORS)
    retail = Indicator.objects.get(code="retail")
    assert (retail.unit, retail.reported_as, retail.release_lag_days) == (
        "亿元",
        "year_to_date",
        20,
    )


def test_a_share_is_imported_with_yes(managing, theme):
    row = form_row(theme, "green", "%", "rate", "annual", "", "", "", "是", "", "")
    import_and_confirm(managing, csv_file([row], header=FORM_COLUMNS), INDICATORS)
    assert Indicator.objects.get(code="green").is_share


def test_empty_reporting_form_cells_keep_todays_defaults(managing, theme):
    row = form_row(theme, "jobs", "万人", "flow", "annual", "", "", "", "", "", "")
    import_and_confirm(managing, csv_file([row], header=FORM_COLUMNS), INDICATORS)
    jobs = Indicator.objects.get(code="jobs")
    assert (jobs.reported_as, jobs.release_lag_days, jobs.is_share, jobs.growth_basis) == (
        "period",
        Indicator._meta.get_field("release_lag_days").default,
        False,
        "",
    )
    assert jobs.direction == "increase"


def test_a_sheet_without_the_new_columns_leaves_an_indicators_reporting_form_alone(
    managing, make_indicator, theme
):
    indicator = make_indicator(reported_as="year_to_date", value_type="flow", release_lag_days=40)
    row = (indicator.code, "新名称", indicator.name_en, theme.code, "", "家", "flow", "quarterly")
    row += ("更名",)
    import_and_confirm(managing, csv_file([row], header=INDICATOR_COLUMNS), INDICATORS)
    indicator.refresh_from_db()
    assert (indicator.name, indicator.reported_as, indicator.release_lag_days) == (
        "新名称",
        "year_to_date",
        40,
    )


@pytest.mark.parametrize(
    ("cells", "column", "said"),
    [
        (("cumulative", "", "", ""), "figures reported as", "“cumulative”"),
        (("", "twenty", "", ""), "release lag (days)", "“twenty”"),
        (("", "400", "", ""), "release lag (days)", "366"),
        (("", "", "环比", ""), "basis of the growth rate", "“环比”"),
        (("", "", "", "也许"), "share of a whole", "“也许”"),
    ],
)
def test_a_bad_reporting_form_is_refused_naming_its_row_and_column(
    managing, theme, cells, column, said
):
    good = form_row(theme, "fine", "家", "stock", "annual", "", "", "", "", "", "")
    bad = form_row(theme, "bad", "%", "rate", "monthly", *cells, "", "")
    html = dry_run(managing, csv_file([good, bad], header=FORM_COLUMNS), INDICATORS)
    html = html.content.decode()
    # The heading is row 1: the bad indicator is on the sheet's row 3.
    assert f"<tr><td>3</td><td>{shown(column)}</td><td>" in report(html)
    assert said in report(html)
    assert confirm_form(html) is None
    assert not Indicator.objects.filter(code__in=["fine", "bad"]).exists()


def test_an_unknown_unit_in_a_sheet_is_refused_saying_how_to_add_it(managing, theme):
    row = form_row(theme, "oil", "万桶", "flow", "annual", "", "", "", "", "", "")
    html = dry_run(managing, csv_file([row], header=FORM_COLUMNS), INDICATORS).content.decode()
    assert f"<tr><td>2</td><td>{shown('unit')}</td><td>" in report(html)
    assert "计量单位 → 增加计量单位" in report(html)
    assert not Indicator.objects.filter(code="oil").exists()


def test_a_change_to_an_existing_indicator_needs_a_reason(managing, indicator, theme):
    row = (indicator.code, "脑科学企业数量", indicator.name_en, theme.code, "", "家", "stock")
    row += ("quarterly", "")
    html = dry_run(managing, csv_file([row], header=INDICATOR_COLUMNS), INDICATORS)
    reason = "Say why, and from which document: the reason is published with the change."
    assert shown(reason) in report(html.content.decode())
    indicator.refresh_from_db()
    assert indicator.name == "脑科学企业"


def test_officials_and_reviewers_cannot_import_targets(client, official, reviewer, indicator):
    rows = csv_file([target_row(indicator, 2025, "150")], header=TARGET_COLUMNS)
    for user in (official, reviewer):
        client.force_login(user)
        assert dry_run(client, rows).status_code == 403
        assert client.get(TARGETS_TEMPLATE).status_code == 403
    assert not Target.objects.filter(year=2025).exists()


def test_template_of_targets_rows_left_empty_are_skipped(managing, indicator, work_report):
    rows = [target_row(indicator, 2025, "150"), (indicator.code, 2026, "", "", "", "", "")]
    import_and_confirm(managing, csv_file(rows, header=TARGET_COLUMNS))
    assert list(Target.objects.values_list("year", flat=True).order_by("year")) == [2024, 2025]


def test_indicator_list_offers_the_import_of_targets_or_indicators(managing):
    listing = managing.get("/admin/kpis/indicator/").content.decode()
    assert "href='/admin/kpis/indicator/import/' class=\"import_link\">导入</a>" in listing
    html = managing.get(IMPORT_URL).content.decode()
    assert '<option value="0">目标</option>' in html and '<option value="1">指标</option>' in html


def test_targets_sheet_lists_every_indicator_with_this_years_target_where_there_is_one(
    managing, indicator, make_indicator, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 2, 1))
    make_indicator(name="新指标")
    sheet = openpyxl.load_workbook(io.BytesIO(managing.get(TARGETS_TEMPLATE).content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == TARGET_COLUMNS[:1] + ["指标名称"] + TARGET_COLUMNS[1:]
    assert rows[0][:6] == [indicator.code, "脑科学企业", 2024, 100, "达", "测试来源"]
    assert rows[1][1:3] == ["新指标", 2024] and rows[1][3:] == [None] * 5


def test_targets_sheet_filled_in_for_one_indicator_imports_that_target_only(
    managing, indicator, make_indicator, work_report, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 2, 1))
    new = make_indicator(name="新指标")
    sheet = openpyxl.load_workbook(io.BytesIO(managing.get(TARGETS_TEMPLATE).content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    rows[1][3:] = [25, "超", REPORT, "新指标超25家。", "2024年工作报告"]
    response = import_and_confirm(managing, xlsx_file(rows, header=header), file_format=XLSX)
    assert response.status_code == 302
    assert list(new.targets.values_list("value", "qualifier")) == [(25, "over")]
    assert indicator.targets.get().history.count() == 1

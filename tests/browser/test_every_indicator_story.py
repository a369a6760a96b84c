"""Every indicator a district tracks (issue #24), in a real browser: a manager sets up five
real indicators of kinds the article has none of, by the indicator import and the admin
alone (a cumulative growth rate reported 累计 a month late, a 亿元 total reported 累计, a
quarterly count in 万人, PM2.5 in 微克/立方米 going down under an `at_most` target, GDP
published in stages); officials enter and reviewers publish a year of their figures (one
entry and one publication played in the browser, the rest through the workflow's methods);
the final stage of 2025's GDP, published in May, turns that closed year from achieved to
missed; `/`, the indicator pages, the open data and the bulletin say it all, in both
languages. Today is 6 December 2026."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from kpis.models import Actual, Indicator, Source, Target
from reports import bulletins
from tests.conftest import SHANGHAI

PASSWORD = "a-long-test-password-41"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REPORT = "2026年光明区政府工作报告"

INDICATOR_HEADER = [
    "indicator_code",
    "name",
    "name_en",
    "theme_code",
    "department_code",
    "unit",
    "value_type",
    "frequency",
    "reported_as",
    "release_lag_days",
    "growth_basis",
    "direction",
    "decimals",
]
# As a statistics office writes them: in Chinese words where the sheet takes them.
INDICATOR_ROWS = [
    ["ivag", "规模以上工业增加值增速", "Growth of industrial value added above designated size"]
    + ["%", "比率", "月度", "累计", "18", "可比价", "正向", "1"],
    ["retail", "社会消费品零售总额", "Total retail sales of consumer goods"]
    + ["亿元", "时期", "月度", "累计", "20", "", "正向", "1"],
    ["jobs", "城镇新增就业", "New urban jobs"]
    + ["万人", "flow", "quarterly", "year_to_date", "25", "", "increase", "2"],
    ["pm25", "PM2.5年均浓度", "Annual mean PM2.5 concentration"]
    + ["微克/立方米", "时点", "年度", "当期", "60", "", "逆向", "1"],
    ["gdp", "地区生产总值", "Gross domestic product"]
    + ["亿元", "时期", "年度", "当期", "40", "", "正向", "1"],
]
TARGET_HEADER = ["indicator_code", "year", "target_value", "qualifier", "source", "quote"]
TARGET_HEADER += ["change_reason"]
TARGET_ROWS = [
    [
        "ivag",
        "2026",
        "6",
        "以上",
        REPORT,
        "规模以上工业增加值增长6%以上。",
        "2026年政府工作报告提出",
    ],
    [
        "retail",
        "2026",
        "320",
        "以上",
        REPORT,
        "社会消费品零售总额320亿元以上。",
        "2026年政府工作报告提出",
    ],
    ["jobs", "2026", "1.2", "以上", REPORT, "城镇新增就业1.2万人以上。", "2026年政府工作报告提出"],
    [
        "pm25",
        "2025",
        "25",
        "以内",
        REPORT,
        "PM2.5年均浓度控制在25微克/立方米以内。",
        "2026年政府工作报告提出",
    ],
    [
        "pm25",
        "2026",
        "24",
        "以内",
        REPORT,
        "PM2.5年均浓度控制在24微克/立方米以内。",
        "2026年政府工作报告提出",
    ],
    [
        "gdp",
        "2025",
        "1400",
        "达",
        REPORT,
        "地区生产总值达1400亿元。",
        "2025年目标，据2026年工作报告回顾",
    ],
    ["gdp", "2026", "1500", "达", REPORT, "地区生产总值达1500亿元。", "2026年政府工作报告提出"],
]
PRELIMINARY_DAY = datetime.datetime(2026, 2, 10, 10, tzinfo=SHANGHAI)
FINAL_DAY = datetime.datetime(2026, 5, 10, 10, tzinfo=SHANGHAI)


def month_ends(year, months):
    return [
        (datetime.date(year, month + 1, 1) - datetime.timedelta(days=1))
        if month < 12
        else datetime.date(year, 12, 31)
        for month in months
    ]


def csv_bytes(header, rows):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def december_2026(settings):
    settings.REPORTING_STARTS = datetime.date(2025, 1, 1)
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def people(december_2026, manager, official, reviewer, department, theme):
    for user in (manager, official, reviewer):
        user.set_password(PASSWORD)
        user.save()
    Source.objects.create(
        title=REPORT, publisher="光明区人民政府", published_on=datetime.date(2026, 1, 20)
    )


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/en/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def import_sheet(page, base_url, resource, content):
    page.goto(base_url + "/admin/kpis/indicator/import/")
    page.locator('select[name="format"]').select_option(label="csv")
    page.locator('select[name="resource"]').select_option(index=resource)
    page.locator('input[name="import_file"]').set_input_files(
        {"name": "sheet.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.locator('form:has(input[name="import_file"]) [type="submit"]').click()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messagelist")).to_be_visible()


def enter_and_publish(indicator, period_end, value, official, reviewer, **fields):
    """An official enters a figure and submits it; a reviewer publishes it (the workflow's
    own methods, for the figures the browser does not play)."""
    actual = Actual.objects.filter(indicator=indicator, period_end=period_end).first()
    actual = actual or Actual(indicator=indicator, period_end=period_end)
    actual.value = Decimal(value)
    for name, field_value in fields.items():
        setattr(actual, name, field_value)
    actual.record_entry(official)
    actual.full_clean()
    actual.save_edit()
    actual.submit(official)
    actual.save()
    actual.publish(reviewer)
    actual.save()
    return actual


def a_year_of_figures(official, reviewer):
    """2026 so far for the monthly and quarterly ones (October's retail sales left to the
    browser), 2025 for PM2.5, and 2025's GDP in two stages."""
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    growth = ["5.2", "5.6", "5.9", "6.1", "6.0", "6.2", "6.3", "6.4", "6.5", "6.6"]
    for period_end, value in zip(month_ends(2026, range(1, 11)), growth, strict=True):
        enter_and_publish(indicators["ivag"], period_end, value, official, reviewer)
    for period_end, month in zip(month_ends(2026, range(1, 10)), range(1, 10), strict=True):
        enter_and_publish(indicators["retail"], period_end, 27 * month, official, reviewer)
    for period_end, value in zip(
        month_ends(2026, (3, 6, 9)), ["0.35", "0.68", "0.97"], strict=True
    ):
        enter_and_publish(indicators["jobs"], period_end, value, official, reviewer)
    enter_and_publish(indicators["pm25"], datetime.date(2025, 12, 31), "21.5", official, reviewer)
    with time_machine.travel(PRELIMINARY_DAY, tick=False):
        enter_and_publish(
            indicators["gdp"],
            datetime.date(2025, 12, 31),
            "1420",
            official,
            reviewer,
            stage="preliminary",
        )
    with time_machine.travel(FINAL_DAY, tick=False):
        enter_and_publish(
            indicators["gdp"],
            datetime.date(2025, 12, 31),
            "1385",
            official,
            reviewer,
            stage="final",
            explanation_progress="按最终核实数修订。",
            explanation_problems="第三产业增加值核减。",
            explanation_next_steps="加快重大项目入统。",
        )


def page_text(client, url):
    """A page's words as a reader sees them: tags dropped, spaces run together."""
    html = re.sub(r"(?s)<(script|style).*?</\1>", "", client.get(url).content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def screenshots(page, url, name):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    page.screenshot(path=SCREENSHOTS / f"every-indicator-{name}-desktop.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    page.screenshot(path=SCREENSHOTS / f"every-indicator-{name}-phone.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{url} scrolls sideways by {width - 375} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_five_new_kinds_of_indicator_from_setup_to_bulletin(
    live_server, page, people, official, reviewer, client
):
    base = live_server.url
    page.set_default_timeout(10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The manager: five indicators and their targets by the import, stages in the admin.
    sign_in(page, base, "manager")
    import_sheet(
        page,
        base,
        1,
        csv_bytes(
            INDICATOR_HEADER,
            [[row[0], row[1], row[2], "innovation", "science", *row[3:]] for row in INDICATOR_ROWS],
        ),
    )
    assert Indicator.objects.count() == 5
    growth = Indicator.objects.get(code="ivag")
    assert (growth.value_type, growth.reported_as, growth.release_lag_days) == (
        "rate",
        "year_to_date",
        18,
    )
    assert (growth.growth_basis, growth.frequency) == ("comparable_prices", "monthly")
    assert Indicator.objects.get(code="pm25").direction == "decrease"
    assert Indicator.objects.get(code="jobs").unit == "万人"
    import_sheet(page, base, 0, csv_bytes(TARGET_HEADER, TARGET_ROWS))
    assert Target.objects.count() == 7
    assert Target.objects.get(indicator__code="pm25", year=2025).qualifier == "at_most"

    gdp = Indicator.objects.get(code="gdp")
    page.goto(f"{base}/admin/kpis/indicator/{gdp.pk}/change/")
    page.locator('input[name="has_release_stages"]').check()
    page.locator('[name="change_reason"]').fill("地区生产总值分初步核算、初步核实、最终核实发布。")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Indicator.objects.get(code="gdp").has_release_stages

    # Officials and reviewers: a year of figures, October's retail sales in the browser.
    a_year_of_figures(official, reviewer)
    sign_in(page, base, "official")
    page.goto(f"{base}/en/my/enter/retail/2026-10-31/")
    page.locator('input[name="value"]').fill("268")
    page.get_by_role("button", name="Save and submit for review").click()
    october = Actual.objects.get(indicator__code="retail", period_end="2026-10-31")
    assert october.status == "submitted"
    sign_in(page, base, "reviewer")
    page.goto(f"{base}/en/my/figures/{october.pk}/")
    page.get_by_role("button", name="Publish").click()
    october.refresh_from_db()
    assert october.status == "published"

    # The open data: 2025's verdict revised by the final stage; PM2.5 under its ceiling.
    year_2025 = {
        row["code"]: row for row in client.get("/data/progress.json?year=2025").json()["indicators"]
    }
    assert year_2025["gdp"]["status"] == "missed"
    assert year_2025["gdp"]["actual"]["stage"] == "final"
    assert year_2025["gdp"]["verdict_revised"] == {
        "from": "achieved",
        "to": "missed",
        "on": "2026-05-10",
        "stage": "final",
    }
    assert (year_2025["pm25"]["status"], year_2025["pm25"]["target"]["qualifier"]) == (
        "achieved",
        "at_most",
    )
    year_2026 = {
        row["code"]: row for row in client.get("/data/progress.json?year=2026").json()["indicators"]
    }
    assert year_2026["retail"]["actual"]["value"] == "268"
    assert year_2026["ivag"]["actual"]["value"] == "6.6"
    assert year_2026["jobs"]["actual"]["value"] == "0.97"
    stages = client.get("/data/indicators/gdp.json").json()["figures"][-1]["stages"]
    assert [(stage["stage"], stage["value"]) for stage in stages] == [
        ("preliminary", "1420"),
        ("final", "1385"),
    ]

    # The pages, in both languages.
    chinese = client.get("/indicators/gdp/").content.decode()
    english = client.get("/en/indicators/gdp/").content.decode()
    assert "2026年5月10日发布的最终核实数据使2025年的结论由“已完成”改为“未完成”。" in chinese
    assert (
        "The final (最终核实) figure published on May 10, 2026 turned 2025 from “Achieved” to "
        "“Missed”." in english
    )
    assert "初步核算：1420亿元，2026年2月10日发布" in page_text(client, "/indicators/gdp/")
    for code, words in {
        "ivag": ("6.6% (2026年1–10月累计)", "6.6% (Jan–Oct 2026 (year to date))"),
        "retail": ("268亿元 (2026年1–10月累计)", "26.8 billion yuan (Jan–Oct 2026 (year to date))"),
        "jobs": ("0.97万人", "9,700 people (Jan–Sep 2026 (year to date))"),
        "pm25": ("21.5微克/立方米", "at most 24 μg/m³"),
    }.items():
        assert words[0] in page_text(client, f"/indicators/{code}/"), code
        assert words[1] in page_text(client, f"/en/indicators/{code}/"), code
    page.context.clear_cookies()  # The public's pages, signed out.
    page.goto(f"{base}/?year=2025")
    expect(page.locator("tr", has_text="地区生产总值")).to_contain_text("未完成")
    expect(page.locator("tr", has_text="地区生产总值")).to_contain_text("1385亿元")
    expect(page.locator("tr", has_text="PM2.5年均浓度")).to_contain_text("已完成")
    page.goto(f"{base}/en/?year=2025")
    expect(page.locator("tr", has_text="Gross domestic product")).to_contain_text("Missed")
    expect(page.locator("tr", has_text="Annual mean PM2.5")).to_contain_text("at most 25")
    page.goto(f"{base}/en/?year=2026")
    retail = page.locator("tr", has_text="Total retail sales of consumer goods")
    expect(retail).to_contain_text("26.8 billion yuan")
    expect(retail).to_contain_text("On track")
    expect(page.locator("tr", has_text="New urban jobs")).to_contain_text("9,700 people")
    screenshots(page, f"{base}/?year=2025", "progress-2025")
    screenshots(page, f"{base}/en/indicators/gdp/", "gdp")
    screenshots(page, f"{base}/indicators/retail/", "retail")

    # The bulletin of November lists the revised verdict under its own heading.
    for language, heading, line in (
        ("zh-hans", "后期核实改变的年度结论", "地区生产总值：2026年5月10日发布的最终核实数据"),
        ("en", "Verdicts revised by a later release stage", "Gross domestic product"),
    ):
        bulletin = bulletins.make(datetime.date(2026, 11, 30), language, year=2026)
        blocks = bulletins.content(bulletin).blocks
        text = "\n".join(str(block[1]) for block in blocks)
        index = blocks.index(("heading", heading))
        assert str(blocks[index + 1][1]).startswith(line), language
        for name in ("社会消费品零售总额", "Total retail sales of consumer goods"):
            assert (name in text) == (language == ("zh-hans" if "社" in name else "en"))

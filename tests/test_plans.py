"""Five-year plans as the public, scripts and managers meet them: /plans/, a plan's page,
the indicator page, the open data files, the admin and the sheet import.

Every plan here is SAMPLE data made up for the tests (the district's 十五五 targets were not
found in a public source we could cite); no value here is the district's."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kpis.models import Indicator, Source
from plans.models import Plan, PlanReview, PlanTarget

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
D = datetime.date


@pytest.fixture(autouse=True)
def today():
    """Today is 6 December 2026: the plan's first year is still under way."""
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield D(2026, 12, 6)


@pytest.fixture
def plan_source(db):
    return Source.objects.create(
        title="示例区国民经济和社会发展第十五个五年规划纲要（样例）",
        publisher="Sample District",
        published_on=D(2026, 2, 1),
    )


@pytest.fixture
def make_plan(plan_source):
    def build(**overrides):
        fields = {
            "code": "15th-fyp",
            "name": "十五五规划（样例）",
            "name_en": "15th Five-Year Plan (sample)",
            "start_year": 2026,
            "end_year": 2030,
            "source": plan_source,
        }
        fields.update(overrides)
        return Plan.objects.create(**fields)

    return build


@pytest.fixture
def make_plan_target():
    def build(plan, indicator, **overrides):
        fields = {
            "plan": plan,
            "indicator": indicator,
            "binding": PlanTarget.Binding.EXPECTED,
            "path": PlanTarget.Path.LINEAR,
            "base_year": 2025,
            "base_value": Decimal(2000),
            "target_value": Decimal(3000),
            "quote": f"到2030年，{indicator.name}达到3000家（样例）。",
        }
        fields.update(overrides)
        return PlanTarget.objects.create(**fields)

    return build


@pytest.fixture
def sample_plan(make_plan, make_plan_target, make_indicator, make_actual):
    """A sample plan of four targets, one of each path; 2026's figures published for three."""
    plan = make_plan()
    enterprises = make_indicator(code="hightech", name="高新技术企业", name_en="High-tech firms")
    make_plan_target(plan, enterprises, binding=PlanTarget.Binding.BINDING)
    make_actual(enterprises, period_end=D(2026, 9, 30), value="2050")
    gdp = make_indicator(
        code="gdp-growth",
        name="地区生产总值增速",
        name_en="GDP growth",
        unit=Indicator.Unit.PERCENT,
        value_type=Indicator.ValueType.RATE,
        decimals=1,
    )
    make_plan_target(
        plan,
        gdp,
        path=PlanTarget.Path.COMPOUND,
        base_value=Decimal("5.8"),
        target_value=None,
        rate=Decimal(6),
        qualifier="about",
        quote="地区生产总值年均增长6%左右（样例）。",
    )
    make_actual(gdp, period_end=D(2026, 9, 30), value="6.1")
    jobs = make_indicator(
        code="new-jobs",
        name="城镇新增就业",
        name_en="New urban jobs",
        unit=Indicator.Unit.PEOPLE,
        value_type=Indicator.ValueType.FLOW,
        frequency=Indicator.Frequency.ANNUAL,
    )
    make_plan_target(
        plan,
        jobs,
        path=PlanTarget.Path.CUMULATIVE,
        binding=PlanTarget.Binding.BINDING,
        base_value=Decimal(0),
        target_value=Decimal(50000),
        quote="五年累计新增就业5万人（样例）。",
    )
    rnd = make_indicator(
        code="rnd-intensity",
        name="研发投入强度",
        name_en="R&D intensity",
        unit=Indicator.Unit.PERCENT,
        value_type=Indicator.ValueType.RATE,
        decimals=1,
    )
    make_plan_target(
        plan,
        rnd,
        path=PlanTarget.Path.ANNUAL_CHANGE,
        base_value=Decimal("3.0"),
        target_value=None,
        rate=Decimal("0.2"),
        quote="研发投入强度年均提高0.2个百分点（样例）。",
    )
    make_actual(rnd, period_end=D(2026, 6, 30), value="3.0")
    return plan


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_plans_page_counts_the_targets_by_status_with_the_binding_ones_apart(
    anonymous, sample_plan
):
    page = get(anonymous, "/en/plans/")
    assert "4 targets: 1 on or ahead of their path, 2 lagging, 1 of them binding." in page
    assert "15th Five-Year Plan (sample)" in page


def test_a_plan_page_shows_each_targets_base_path_figure_verdict_and_sentence(
    anonymous, sample_plan
):
    page = get(anonymous, "/en/plans/15th-fyp/")
    # High-tech firms: 2,050 by September against a path of 2,000 -> 2,200 in 2026.
    assert "2,200 enterprises" in page
    assert "到2030年，高新技术企业达到3000家（样例）。" in page
    assert "Behind the path" in page


def test_a_binding_target_behind_its_path_says_it_is_binding(anonymous, sample_plan):
    page = get(anonymous, "/en/plans/15th-fyp/")
    assert 'Behind the path <strong class="binding-lagging">(binding)</strong>' in page


def test_the_plan_page_in_chinese_words_the_verdicts_in_chinese(anonymous, sample_plan):
    page = get(anonymous, "/plans/15th-fyp/")
    assert "滞后于路径" in page
    assert "十五五规划（样例）" in page


def test_the_plan_page_draws_the_path_and_the_figures_as_svg(anonymous, sample_plan):
    page = get(anonymous, "/en/plans/15th-fyp/")
    assert page.count('<polyline class="pace-line"') == 4
    assert "<title>2026: 2,050 enterprises</title>" in page


def test_an_unknown_or_unpublished_plan_is_not_found(anonymous, make_plan):
    make_plan(is_public=False)
    assert anonymous.get("/plans/15th-fyp/").status_code == 404
    assert anonymous.get("/plans/nothing/").status_code == 404


def test_the_indicator_section_shows_the_indicators_plan_target_and_path(sample_plan):
    # The section an indicator's page can include ({% plan_targets_of indicator %}).
    from django.template import Context, Template

    template = Template("{% load plans_tags %}{% plan_targets_of indicator %}")
    with translation.override("en"):
        html = template.render(Context({"indicator": Indicator.objects.get(code="hightech")}))
    assert "Target of 15th Five-Year Plan (sample)" in html
    assert html.count('<polyline class="pace-line"') == 1


def test_the_indicator_section_is_empty_for_an_indicator_in_no_plan(sample_plan, make_indicator):
    from django.template import Context, Template

    template = Template("{% load plans_tags %}{% plan_targets_of indicator %}")
    assert template.render(Context({"indicator": make_indicator()})).strip() == ""


def test_an_indicator_page_shows_its_plan_target_with_this_years_path_value_and_verdict(
    anonymous, sample_plan
):
    html = get(anonymous, "/en/indicators/hightech/")
    section = html.split('<section class="plan-target" id="plan-15th-fyp">', 1)[1]
    assert "Target of 15th Five-Year Plan (sample)" in section
    # Base 2,000 (2025), target 3,000 in 2030: the path stands at 2,200 at the end of 2026,
    # and the 2,050 of the third quarter is behind its pace (a binding target: said so).
    assert "<dt>Path value 2026</dt><dd>2,200 enterprises" in section
    assert 'Behind the path <strong class="binding-lagging">(binding)</strong>' in section


def test_an_indicator_page_in_no_plan_shows_no_plan_section(anonymous, sample_plan, make_indicator):
    make_indicator(code="alone", target="10")
    assert "plan-target" not in get(anonymous, "/en/indicators/alone/")


def test_the_indicator_years_chart_draws_the_plans_path_from_its_base_to_its_target(
    anonymous, sample_plan
):
    html = get(anonymous, "/en/indicators/hightech/")
    chart = html.split('<figure class="chart">')[2]  # the year's chart, then the years'
    assert chart.count('<polyline class="extra-line"') == 1
    assert "Path of 15th Five-Year Plan (sample), 2025: 2,000 enterprises" in chart
    assert "Path of 15th Five-Year Plan (sample), 2030: 3,000 enterprises" in chart


def test_the_years_chart_draws_a_cumulative_path_as_each_years_share(anonymous, sample_plan):
    # The years chart shows each year's own total, so a 50,000 over five years is 10,000 a year.
    html = get(anonymous, "/en/indicators/new-jobs/")
    # The years chart, whichever charts come before it on the page.
    chart = html.split('aria-labelledby="years-chart-title"')[1].split("</figure>")[0]
    assert chart.count('<circle class="extra-point"') == 5
    assert "Path of 15th Five-Year Plan (sample), 2030: 10,000 people" in chart


def test_the_indicator_page_costs_the_same_queries_in_a_plan_of_5_or_50_targets_as_in_none(
    anonymous, make_plan, make_plan_target, make_indicator, make_actual
):
    from django.core.cache import cache

    def page_queries():
        # Built afresh once the first reader after a change has written the judged rows.
        get(anonymous, url)
        cache.clear()
        return queries_for(anonymous, url)

    indicator = make_indicator(code="measured", target="100")
    make_actual(indicator, period_end=D(2026, 9, 30), value="2100")
    url = "/en/indicators/measured/"
    in_no_plan = page_queries()
    plan = make_plan()
    make_plan_target(plan, indicator)
    build_targets(make_plan_target, make_indicator, make_actual, plan, 4)
    in_a_plan = page_queries()
    build_targets(make_plan_target, make_indicator, make_actual, plan, 45)
    fourteenth = make_plan(code="14th-fyp", start_year=2021, end_year=2025)
    make_plan_target(fourteenth, indicator, base_year=2020, base_value=1000)
    assert page_queries() == in_a_plan == in_no_plan


def test_a_new_figure_shows_on_the_cached_plan_page_at_once(anonymous, sample_plan, make_actual):
    assert "3.1%" not in get(anonymous, "/en/plans/15th-fyp/")
    make_actual(Indicator.objects.get(code="rnd-intensity"), period_end=D(2026, 9, 30), value="3.1")
    assert "3.1%" in get(anonymous, "/en/plans/15th-fyp/")


def test_the_plans_json_has_the_documented_shape(anonymous, sample_plan):
    document = json.loads(get(anonymous, "/data/plans.json"))
    plan = document["plans"][0]
    assert list(document) == ["plans"]
    assert list(plan) == [
        "code",
        "name",
        "name_en",
        "start_year",
        "end_year",
        "source",
        "targets",
    ]
    target = plan["targets"][0]
    assert target == {
        "indicator": "hightech",
        "binding": "binding",
        "path": "linear",
        "base": {"year": 2025, "value": "2000"},
        "target": {"year": 2030, "value": "3000", "qualifier": "reach"},
        "rate": None,
        "years": [
            {
                "year": 2026,
                "path_value": "2200",
                "actual": {"period_end": "2026-09-30", "value": "2050"},
                "status": "behind",
            },
            *[
                {"year": year, "path_value": str(value), "actual": None, "status": "not_started"}
                for year, value in [(2027, 2400), (2028, 2600), (2029, 2800), (2030, 3000)]
            ],
        ],
        "status": "behind",
    }


def test_the_plans_json_gives_a_rate_paths_rate_and_derived_target(anonymous, sample_plan):
    targets = json.loads(get(anonymous, "/data/plans.json"))["plans"][0]["targets"]
    rnd = next(target for target in targets if target["indicator"] == "rnd-intensity")
    assert rnd["rate"] == "0.2"
    assert rnd["target"] == {"year": 2030, "value": "4", "qualifier": "reach"}


def test_the_plans_csv_has_one_row_per_target_and_year(anonymous, sample_plan):
    response = anonymous.get("/data/plans.csv")
    text = response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert text.startswith("\ufeff")
    assert len(rows) == 4 * 5
    assert rows[0]["plan_code"] == "15th-fyp" and rows[0]["path_value"] == "2200"


def test_the_plans_csv_neutralises_a_name_that_starts_like_a_formula(
    anonymous, make_plan, make_plan_target, make_indicator
):
    make_plan_target(make_plan(name_en="=HYPERLINK(1)"), make_indicator())
    rows = list(csv.DictReader(io.StringIO(get(anonymous, "/data/plans.csv").lstrip("\ufeff"))))
    assert rows[0]["plan_name_en"] == "'=HYPERLINK(1)"


def test_the_plans_xlsx_holds_amounts_and_years_as_numbers(anonymous, sample_plan):
    response = anonymous.get("/data/plans.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    first = {name: cell.value for name, cell in zip(header, sheet[2], strict=True)}
    assert first["path_value"] == 2200 and first["year"] == 2026
    assert first["actual_value"] == 2050


def build_targets(make_plan_target, make_indicator, make_actual, plan, count):
    for _ in range(count):
        indicator = make_indicator()
        make_plan_target(plan, indicator)
        make_actual(indicator, period_end=D(2026, 9, 30), value="2100")


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        get(client, url)
    return len(context)


@pytest.mark.parametrize(
    "url",
    ["/plans/", "/en/plans/", "/plans/15th-fyp/", "/data/plans.json", "/data/plans.csv"],
)
def test_plan_pages_cost_the_same_queries_at_5_and_50_targets(
    anonymous,
    make_plan,
    make_plan_target,
    make_indicator,
    make_actual,
    django_assert_max_num_queries,
    url,
):
    plan = make_plan()
    build_targets(make_plan_target, make_indicator, make_actual, plan, 5)
    few = queries_for(anonymous, url)
    build_targets(make_plan_target, make_indicator, make_actual, plan, 45)
    with django_assert_max_num_queries(few):
        get(anonymous, url)
    assert few <= 7


# Getting plans in: the sheet import (manage.py import_plan_targets, the admin's upload).

HEADER = (
    "plan_code,plan_name,plan_name_en,start_year,end_year,indicator,binding,path,base_year,"
    "base_value,target_value,qualifier,rate,source_title,quote"
)
TITLE = "示例区国民经济和社会发展第十五个五年规划纲要（样例）"


@pytest.fixture
def plan_indicators(make_indicator, plan_source):
    """Sample indicators of the four kinds of path."""
    return {
        "hightech": make_indicator(code="hightech"),
        "gdp": make_indicator(code="gdp", unit=Indicator.Unit.YI_YUAN, value_type="flow"),
        "jobs": make_indicator(code="jobs", unit=Indicator.Unit.PEOPLE, value_type="flow"),
        "rnd": make_indicator(code="rnd", unit=Indicator.Unit.PERCENT, value_type="rate"),
    }


def sheet(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


PLAN = "fyp15,十五五规划（样例）,15th plan (sample),2026,2030"
ROWS = [
    f"{PLAN},hightech,约束性,linear,2025,2000,3000,达,,{TITLE},到2030年达到3000家（样例）",
    f"{PLAN},gdp,预期性,compound,2025,1000,,约,6,{TITLE},年均增长6%左右（样例）",
    f"{PLAN},jobs,binding,cumulative,2025,0,50000,,,{TITLE},五年累计新增就业5万人（样例）",
    f"{PLAN},rnd,expected,annual_change,2025,3.0,,,0.2,{TITLE},年均提高0.2个百分点（样例）",
]


def run_import(tmp_path, text, *args, encoding="utf-8", name="plan.csv"):
    from django.core.management import call_command

    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_plan_targets", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def refusal(tmp_path, text, language="en"):
    from django.core.management import CommandError, call_command

    path = tmp_path / "plan.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with translation.override(language), pytest.raises(CommandError):
        call_command("import_plan_targets", str(path), stderr=err)
    return err.getvalue()


def test_the_import_saves_a_plan_with_all_four_paths_and_both_classes(tmp_path, plan_indicators):
    run_import(tmp_path, sheet(*ROWS))
    targets = PlanTarget.objects.filter(plan__code="fyp15")
    assert sorted(targets.values_list("path", flat=True)) == [
        "annual_change",
        "compound",
        "cumulative",
        "linear",
    ]
    assert targets.filter(binding="binding").count() == 2
    assert targets.get(indicator__code="gdp").qualifier == "about"


def test_the_import_reads_gbk_csv(tmp_path, plan_indicators):
    run_import(tmp_path, sheet(*ROWS), encoding="gbk")
    assert Plan.objects.get(code="fyp15").name == "十五五规划（样例）"


def test_the_import_reads_xlsx(tmp_path, plan_indicators):
    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(sheet(*ROWS))):
        book.active.append(row)
    path = tmp_path / "plan.xlsx"
    book.save(path)
    from django.core.management import call_command

    call_command("import_plan_targets", str(path), stdout=io.StringIO())
    assert PlanTarget.objects.count() == 4


def test_a_dry_run_saves_nothing_and_says_what_would_happen(tmp_path, plan_indicators):
    out = run_import(tmp_path, sheet(*ROWS), "--dry-run")
    assert "4 targets new" in out
    assert not Plan.objects.exists()


def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(tmp_path, plan_indicators):
    bad = ROWS[3].replace(",2025,3.0,", ",2030,3.0,")
    errors = refusal(tmp_path, sheet(*ROWS[:3], bad))
    assert "Row 5, column base_year: The base year must come before the plan's last year." in errors
    assert not Plan.objects.exists() and not PlanTarget.objects.exists()


def test_the_refusal_is_worded_in_chinese_by_default(tmp_path, plan_indicators):
    bad = ROWS[0].replace(",2025,2000,", ",2030,2000,")
    assert "基期年份必须早于规划末年" in refusal(tmp_path, sheet(bad), "zh-hans")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ROWS[1].replace(",1000,,约,6,", ",0,,约,6,"),
            "Row 2, column base_value: A compound path cannot grow from a base of zero",
        ),
        (
            ROWS[0].replace("hightech,约束性,linear", "hightech,约束性,cumulative"),
            "Row 2, column path: A cumulative target adds up yearly amounts",
        ),
        (
            ROWS[3].replace(",0.2,", ",,"),
            "Row 2, column rate: A compound or annual-change path needs its yearly rate.",
        ),
        (ROWS[0].replace("约束性", "必须"), "Row 2, column binding: Write binding, expected"),
        (ROWS[0].replace(",hightech,", ",nothing,"), "Row 2, column indicator: No indicator"),
        (ROWS[0].replace(TITLE, "某文件"), "Row 2, column source_title: Not the title of one"),
        (ROWS[0].replace(",3000,达,", ",3千,达,"), "Row 2, column target_value: “3千” is not"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(tmp_path, plan_indicators, row, expected):
    assert expected in refusal(tmp_path, sheet(row))
    assert not PlanTarget.objects.exists()


def test_a_file_without_a_required_column_is_refused(tmp_path, plan_indicators):
    text = sheet(*ROWS).replace("base_year,", "year,", 1)
    assert "Column base_year: This column is missing." in refusal(tmp_path, text)


def test_a_public_plans_target_is_revised_only_with_a_reason_and_a_new_source(
    tmp_path, plan_indicators
):
    run_import(tmp_path, sheet(*ROWS))
    Source.objects.create(
        title="中期评估调整（样例）", publisher="Sample", published_on=D(2028, 6, 1)
    )
    changed = ROWS[0].replace(",3000,达,", ",3200,达,")
    assert "column change_reason" in refusal(tmp_path, sheet(changed))
    with_reason = (
        sheet(changed.replace(TITLE, "中期评估调整（样例）"))
        .replace(HEADER, HEADER + ",change_reason")
        .replace("（样例）\n", "（样例）,中期评估调整\n")
    )
    run_import(tmp_path, with_reason)
    target = PlanTarget.objects.get(indicator__code="hightech")
    assert target.target_value == 3200
    assert target.history.first().history_change_reason == "中期评估调整"


def test_a_revised_plan_target_shows_its_revision_with_reason_and_source(
    tmp_path, plan_indicators, anonymous
):
    run_import(tmp_path, sheet(*ROWS))
    Source.objects.create(title="中期评估调整（样例）", publisher="S", published_on=D(2028, 6, 1))
    changed = ROWS[0].replace(",3000,达,", ",3200,达,").replace(TITLE, "中期评估调整（样例）")
    run_import(
        tmp_path,
        sheet(changed).replace(HEADER, HEADER + ",change_reason").replace("）\n", "）,中期调整\n"),
    )
    page = get(anonymous, "/en/plans/fyp15/")
    assert "target 3,000 enterprises → 3,200 enterprises. Reason: 中期调整." in page
    assert "Source: S, June 1, 2028, 中期评估调整（样例）." in page


def test_a_manager_imports_a_plan_in_the_admin_after_a_dry_run(client, manager, plan_indicators):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    upload = SimpleUploadedFile("plan.csv", sheet(*ROWS).encode())
    page = client.post("/admin/plans/plan/import/", {"file": upload, "dry_run": "on"}, follow=True)
    assert "试运行，未保存：新增目标4项" in page.content.decode() and not Plan.objects.exists()
    upload = SimpleUploadedFile("plan.csv", sheet(*ROWS).encode())
    client.post("/admin/plans/plan/import/", {"file": upload})
    assert PlanTarget.objects.count() == 4


def test_the_admin_refuses_to_revise_a_public_plans_target_without_a_new_source(
    admin_client_plan, sample_plan
):
    client, data = admin_client_plan
    data["targets-0-target_value"] = "3200"
    data["targets-0-change_reason"] = "中期调整"
    page = client.post(f"/admin/plans/plan/{sample_plan.pk}/change/", data).content.decode()
    assert "已公开规划的目标只能依据新数值所出自的文件调整" in page
    assert PlanTarget.objects.get(indicator__code="hightech").target_value == 3000


@pytest.fixture
def admin_client_plan(client, admin_user, sample_plan):
    """The admin's change form of the sample plan, as the browser would post it back."""
    client.force_login(admin_user)
    page = client.get(f"/admin/plans/plan/{sample_plan.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    formset = page.context["inline_admin_formsets"][0].formset
    data.update({f"targets-{key}": value for key, value in formset.management_form.initial.items()})
    for index, inline in enumerate(formset.forms):
        for name in inline.fields:
            value = inline[name].value()
            data[f"targets-{index}-{name}"] = "" if value is None else value
    data["is_public"] = "on"
    return client, data


# The mid-term review (plan_review).


def review_file(tmp_path, *args):
    from django.core.management import call_command

    out = tmp_path / "review.out"
    call_command("plan_review", *args, "--output", str(out), stdout=io.StringIO())
    return out.read_bytes()


def docx_text(data):
    import docx

    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


@pytest.fixture
def mid_term(sample_plan, make_actual):
    """Today is 15 July 2028: sample figures of 2026, 2027 and the first half of 2028."""
    with time_machine.travel(datetime.datetime(2028, 7, 15, 10, tzinfo=SHANGHAI), tick=True):
        hightech = Indicator.objects.get(code="hightech")
        make_actual(hightech, period_end=D(2026, 12, 31), value="2210")
        make_actual(hightech, period_end=D(2027, 12, 31), value="2300")  # path 2,400: behind
        make_actual(
            Indicator.objects.get(code="gdp-growth"), period_end=D(2027, 12, 31), value="6.5"
        )
        jobs = Indicator.objects.get(code="new-jobs")
        make_actual(jobs, period_end=D(2026, 12, 31), value="10000")
        make_actual(jobs, period_end=D(2027, 12, 31), value="10000")  # 20,000 of 20,000
        rnd = Indicator.objects.get(code="rnd-intensity")
        make_actual(rnd, period_end=D(2027, 12, 31), value="3.4")
        yield sample_plan


def test_the_mid_term_review_in_word_counts_the_targets_and_names_the_laggards(
    tmp_path, mid_term, make_actual
):
    # A period that ends after the review's day is not read.
    make_actual(Indicator.objects.get(code="hightech"), period_end=D(2028, 9, 30), value="2900")
    text = docx_text(review_file(tmp_path, "15th-fyp", "--as-of", "2028-06-30", "--format", "docx"))
    assert "十五五规划（样例）：目标中期评估" in text
    assert "4项目标中，3项达到或超过进度要求，1项滞后，其中约束性1项。" in text
    assert "1. 高新技术企业（约束性）：2300家（2027年四季度），路径值2400家" in text
    assert "此后每年需增加233家。" in text


def test_the_mid_term_review_in_english_pdf_has_the_table(tmp_path, mid_term):
    import pypdf

    data = review_file(
        tmp_path, "15th-fyp", "--as-of", "2028-06-30", "--format", "pdf", "--lang", "en"
    )
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    squeezed = "".join(text.split())
    assert "mid-termreviewofthetargets" in squeezed
    assert "Behindthepath(binding)" in squeezed


def test_a_review_as_of_a_day_to_come_says_it_is_a_rehearsal(tmp_path, sample_plan):
    text = docx_text(review_file(tmp_path, "15th-fyp", "--as-of", "2028-06-30", "--format", "docx"))
    assert "演练" in text


def test_a_review_as_of_a_day_outside_the_plan_is_refused(tmp_path, sample_plan):
    from django.core.management import CommandError

    with translation.override("en"), pytest.raises(CommandError, match="plan's years"):
        review_file(tmp_path, "15th-fyp", "--as-of", "2031-01-01", "--format", "docx")


def test_a_reviewer_makes_a_review_in_the_admin_and_the_public_downloads_it(
    client, reviewer, anonymous, mid_term
):
    client.force_login(reviewer)
    client.post(
        f"/admin/plans/plan/{mid_term.pk}/review/", {"as_of": "2028-06-30", "language": "en"}
    )
    review = PlanReview.objects.get()
    page = get(anonymous, "/en/plans/15th-fyp/")
    assert "Review as of June 30, 2028 (English)" in page
    response = anonymous.get(f"/plans/15th-fyp/reviews/{review.pk}.docx")
    assert "mid-term review" in docx_text(response.content)


def test_a_rehearsal_review_is_stored_but_not_listed_publicly(tmp_path, anonymous, sample_plan):
    review_file(tmp_path, "15th-fyp", "--as-of", "2028-06-30", "--format", "docx")
    review = PlanReview.objects.get()
    assert review.rehearsal
    assert "No mid-term or final review has been made yet." in get(anonymous, "/en/plans/15th-fyp/")
    assert anonymous.get(f"/plans/15th-fyp/reviews/{review.pk}.pdf").status_code == 404


def test_extract_plan_targets_prints_a_sheet_the_import_reads_once_completed(
    tmp_path, plan_indicators
):
    from django.core.management import call_command

    document = tmp_path / "plan.txt"
    document.write_text("到2030年，国家高新技术企业达到3000家。地区生产总值年均增长6%左右。")
    out = io.StringIO()
    call_command(
        "extract_plan_targets",
        str(document),
        "--plan-code=fyp15",
        "--start-year=2026",
        "--end-year=2030",
        "--date=2026-02-01",
        stdout=out,
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["path"], row["target_value"], row["rate"]) for row in rows] == [
        ("linear", "3000", ""),
        ("compound", "", "6"),
    ]
    assert rows[0]["base_year"] == "2025" and rows[0]["quote"].startswith("到2030年")


def test_a_changed_plan_target_shows_on_the_cached_plan_page_at_once(anonymous, sample_plan):
    get(anonymous, "/en/plans/15th-fyp/")
    PlanTarget.objects.filter(indicator__code="hightech").update(quote="新的原文（样例）")
    assert "新的原文（样例）" in get(anonymous, "/en/plans/15th-fyp/")


def test_a_years_own_annual_target_is_shown_beside_its_path_value(
    anonymous, sample_plan, plan_source
):
    from kpis.models import Target

    Target.objects.create(
        indicator=Indicator.objects.get(code="hightech"),
        year=2026,
        value=Decimal(2250),
        source=plan_source,
        quote="2026年高新技术企业达到2250家（样例）。",
    )
    page = get(anonymous, "/en/plans/15th-fyp/")
    assert '<td data-label="Annual target">2,250 enterprises</td>' in page


def test_the_admin_offers_the_import_and_the_review_to_those_who_may(
    client, manager, official, sample_plan
):
    client.force_login(manager)
    assert "导入规划目标" in client.get("/admin/plans/plan/").content.decode()
    assert "生成评估" in client.get(f"/admin/plans/plan/{sample_plan.pk}/change/").content.decode()
    assert client.get(f"/admin/plans/plan/{sample_plan.pk}/review/").status_code == 200
    client.force_login(official)
    assert client.get("/admin/plans/plan/import/").status_code == 403
    assert client.get(f"/admin/plans/plan/{sample_plan.pk}/review/").status_code == 403


def test_the_open_data_page_lists_the_plan_files_and_their_columns(anonymous, db):
    page = get(anonymous, "/en/data/")
    assert 'href="/data/plans.json"' in page
    assert "<code>path_value</code>" in page


def test_the_migrations_give_each_role_the_plan_permissions_listed_in_plans_roles(db):
    from django.contrib.auth.models import Group

    from plans.roles import PLAN_ROLES

    for name, codenames in PLAN_ROLES.items():
        granted = Group.objects.get(name=name).permissions.filter(content_type__app_label="plans")
        assert set(granted.values_list("codename", flat=True)) == set(codenames), name


# Done when (#25): the shipped SAMPLE sheet of eight targets on the article's indicators,
# imported, judged on the 2026 figures published through the review workflow, reviewed at
# mid-term. Every value in docs/samples/plan-15th-SAMPLE.csv is made up.

SAMPLE_SHEET = Path(__file__).resolve().parent.parent / "docs" / "samples" / "plan-15th-SAMPLE.csv"
# The 2026 year-end figure of each sample target and the verdict it earns against the path.
SAMPLE_2026 = {
    "high-tech-enterprises": ("2700", "on_track"),  # path 2,700
    "srdi-enterprises": ("1200", "ahead"),  # path 1,100
    "innovation-platforms": ("22", "behind"),  # path 24, binding
    "rd-spending": ("119", "on_track"),  # path 118.8
    "industry-fund-scale": ("100", "behind"),  # path 110
    "key-research-projects": ("300", "ahead"),  # path 250 of 1,250
    "sei-share-of-gdp": ("61", "on_track"),  # path 61
    "future-industries-growth": ("18", "behind"),  # path 20 every year
}


def publish_through_the_workflow(indicator, period_end, value, official, reviewer):
    """A figure as an official enters and submits it and a reviewer publishes it."""
    from kpis.models import Actual

    indicator.department = official.departments.get()
    indicator.save()
    actual = Actual(indicator=indicator, period_end=period_end, value=Decimal(value))
    actual.record_entry(official)
    actual.save()
    actual.submit(official)
    actual.save()
    actual.publish(reviewer)
    actual.save()


@pytest.fixture
def sample_sheet_imported(article, manager):
    """A fresh `make run`'s article indicators, the sample plan's document added under
    Sources by the manager, the sample sheet imported as a script does."""
    from django.core.management import call_command

    Source.objects.create(
        title="十五五规划纲要（样例，非真实文件）",
        publisher="SAMPLE",
        published_on=D(2026, 2, 1),
    )
    call_command("import_plan_targets", str(SAMPLE_SHEET), stdout=io.StringIO())
    return Plan.objects.get(code="15th-fyp-sample")


@pytest.fixture
def sample_2026_published(sample_sheet_imported, official, reviewer):
    """Early 2027: the statistics bureau's 2026 year-end figures, published."""
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, tzinfo=SHANGHAI), tick=True):
        for code, (value, _verdict) in SAMPLE_2026.items():
            indicator = Indicator.objects.get(code=code)
            publish_through_the_workflow(indicator, D(2026, 12, 31), value, official, reviewer)
        yield sample_sheet_imported


def test_the_sample_sheet_holds_eight_targets_of_all_four_paths_and_both_classes(
    sample_sheet_imported,
):
    targets = sample_sheet_imported.targets.all()
    assert targets.count() == 8
    assert set(targets.values_list("path", flat=True)) == set(PlanTarget.Path.values)
    assert set(targets.values_list("binding", flat=True)) == {"binding", "expected"}


def test_the_sample_plans_2026_verdicts_show_in_the_open_data(anonymous, sample_2026_published):
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, tzinfo=SHANGHAI), tick=True):
        data = json.loads(get(anonymous, "/data/plans.json"))
    (plan,) = data["plans"]
    verdicts = {
        target["indicator"]: next(y["status"] for y in target["years"] if y["year"] == 2026)
        for target in plan["targets"]
    }
    assert verdicts == {code: verdict for code, (_value, verdict) in SAMPLE_2026.items()}


def test_the_sample_plans_2026_verdicts_show_on_the_plans_page(anonymous, sample_2026_published):
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, tzinfo=SHANGHAI), tick=True):
        html = get(anonymous, "/en/plans/")
    assert "15th Five-Year Plan (SAMPLE)" in html
    # Three of eight behind, one of them binding: the counts leaders read.
    assert "8 targets: 5 on or ahead of their path, 3 lagging, 1 of them binding." in html


def test_each_indicator_page_shows_its_sample_target_judged_on_2026(
    anonymous, sample_2026_published
):
    words = {"on_track": "On the path", "ahead": "Ahead of the path", "behind": "Behind the path"}
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, tzinfo=SHANGHAI), tick=True):
        for code, (_value, verdict) in SAMPLE_2026.items():
            html = get(anonymous, f"/en/indicators/{code}/")
            section = html.split('<section class="plan-target"', 1)[1]
            row_2026 = section.split('<td data-label="Year">2026</td>', 1)[1].split("</tr>")[0]
            assert words[verdict] in row_2026, code
            assert 'class="extra-line"' in html, code


def test_the_sample_plans_mid_term_review_in_word_and_pdf(
    tmp_path, sample_2026_published, official, reviewer
):
    import pypdf

    # Mid-2028: the 2027 year-end figures published too, every one on its path.
    with time_machine.travel(datetime.datetime(2028, 7, 15, 10, tzinfo=SHANGHAI), tick=True):
        for code, value in {
            "high-tech-enterprises": "2900",
            "srdi-enterprises": "1200",
            "innovation-platforms": "24",
            "rd-spending": "128.4",
            "industry-fund-scale": "121",
            "key-research-projects": "200",
            "sei-share-of-gdp": "62",
            "future-industries-growth": "20",
        }.items():
            indicator = Indicator.objects.get(code=code)
            publish_through_the_workflow(indicator, D(2027, 12, 31), value, official, reviewer)
        args = ("15th-fyp-sample", "--as-of", "2028-06-30")
        text = docx_text(review_file(tmp_path, *args, "--format", "docx"))
        pdf = review_file(tmp_path, *args, "--format", "pdf", "--lang", "en")
    pdf_text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "十五五规划（样例）：目标中期评估" in text
    assert "8项目标中，7项达到或超过进度要求，1项滞后，其中约束性1项。" in text
    assert "1. 在建和运营的重大科技创新载体（约束性）：24个（2027年四季度），路径值26个" in text
    assert "mid-termreviewofthetargets" in "".join(pdf_text.split())

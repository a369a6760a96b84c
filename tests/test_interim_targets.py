"""Interim targets (一季度, 上半年, 前三季度, a month): the expected path runs through them
instead of the straight line, each gets a verdict of its own, shown beside the year's and in
the open data; entered in the admin and by the targets import. Today is 6 December 2026."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from kpis import progress
from kpis.forms import InterimTargetForm
from kpis.models import Actual, InterimTarget, Source, Target
from kpis.progress import Reading, Status, YearFigures
from tests.conftest import SHANGHAI
from tests.test_import import csv_file, own_temp_folder, report
from tests.test_target_import import dry_run, import_and_confirm

H1 = datetime.date(2026, 6, 30)
Q1 = datetime.date(2026, 3, 31)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=False):
        yield


def month_end(year, month):
    return (
        datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
        if month < 12
        else (datetime.date(year, 12, 31))
    )


@pytest.fixture
def retail(make_indicator, make_actual, source):
    """A monthly flow reported by period: 2026 target 120, half-year target 70; ten a month
    from January to November 2026 (60 by June: short of 70), and a whole 2024 and 2025."""
    indicator = make_indicator(
        code="retail", frequency="monthly", value_type="flow", unit="亿元", target="100"
    )
    for year in (2025, 2026):
        Target.objects.create(indicator=indicator, year=year, value=120, source=source, quote="…")
    InterimTarget.objects.create(
        indicator=indicator, period_end=H1, value=70, source=source, quote="上半年完成70亿元。"
    )
    for year, months in ((2024, 12), (2025, 12), (2026, 11)):
        for month in range(1, months + 1):
            make_actual(indicator, period_end=month_end(year, month), value="10")
    return indicator


def test_the_expected_path_runs_through_the_interim_target():
    expected = progress.expected_by(
        H1, Decimal(120), None, None, "flow", interim=[Reading(H1, Decimal(70))]
    )
    assert expected == Decimal(70)
    assert progress.expected_by(H1, Decimal(120), None, None, "flow") == Decimal(60)


def test_after_the_interim_target_the_path_goes_on_straight_to_the_year_target():
    september = datetime.date(2026, 9, 30)
    expected = progress.expected_by(
        september, Decimal(120), Decimal(0), Decimal(0), "stock", interim=[Reading(H1, Decimal(70))]
    )
    assert expected == Decimal(95)


def test_pace_is_judged_against_the_interim_path_not_the_straight_line():
    figures = YearFigures(count=6, total=Decimal(60), latest=Reading(H1, Decimal(10)))
    figures = figures._replace(first=Reading(datetime.date(2026, 1, 31), Decimal(10)))
    common = dict(
        year=2026,
        target=Decimal(120),
        qualifier="reach",
        direction="increase",
        value_type="flow",
        figures=figures,
        today=datetime.date(2026, 7, 20),
    )
    assert progress.evaluate(**common).status == Status.ON_TRACK
    with_interim = progress.evaluate(**common, interim=[Reading(H1, Decimal(70))])
    assert with_interim.status == Status.AT_RISK


def test_an_overdue_years_pace_status_is_judged_along_the_interim_path():
    # The June figure is the latest; on 6 December the September figure is long overdue.
    figures = YearFigures(count=6, total=Decimal(60), latest=Reading(H1, Decimal(10)))
    figures = figures._replace(first=Reading(datetime.date(2026, 1, 31), Decimal(10)))
    common = dict(
        year=2026,
        target=Decimal(120),
        qualifier="reach",
        direction="increase",
        value_type="flow",
        figures=figures,
        today=datetime.date(2026, 12, 6),
        frequency="monthly",
        release_lag_days=15,
        latest=Reading(H1, Decimal(10)),
    )
    straight = progress.evaluate(**common)
    assert (straight.status, straight.pace_status) == (Status.OVERDUE, Status.ON_TRACK)
    interim = [Reading(H1, Decimal(70))]
    bent = progress.evaluate(**common, interim=interim)
    assert (bent.status, bent.pace_status) == (Status.OVERDUE, Status.AT_RISK)
    assert bent.expected == Decimal(70)
    # A discontinued indicator with no period after June is never overdue, on either path.
    stopped = progress.evaluate(**common, interim=interim, last_period_end=H1)
    assert (stopped.status, stopped.pace_status) == (Status.AT_RISK, None)


def test_before_its_period_ends_an_interim_target_of_an_overdue_year_takes_its_pace_status():
    step = Reading(datetime.date(2026, 9, 30), Decimal(90))
    now = progress.Progress(
        year=2026, status=Status.OVERDUE, pace_status=Status.BEHIND, current=Decimal(40)
    )
    status = progress.interim_status(
        step, "reach", "increase", None, now, datetime.date(2026, 8, 20)
    )
    assert status == Status.BEHIND


def test_an_interim_target_whose_period_is_over_is_achieved_or_missed():
    step = Reading(H1, Decimal(70))
    now = progress.Progress(year=2026, status=Status.ON_TRACK, current=Decimal(110))
    today = datetime.date(2026, 12, 6)
    assert progress.interim_status(step, "reach", "increase", Decimal(60), now, today) == "missed"
    assert progress.interim_status(step, "reach", "increase", Decimal(75), now, today) == "achieved"
    assert progress.interim_status(step, "reach", "increase", None, now, today) == "no_final_figure"


def test_before_its_period_ends_an_interim_target_takes_the_years_pace():
    step = Reading(H1, Decimal(70))
    now = progress.Progress(year=2026, status=Status.AT_RISK, current=Decimal(40))
    status = progress.interim_status(
        step, "reach", "increase", None, now, datetime.date(2026, 5, 1)
    )
    assert status == Status.AT_RISK


def test_open_data_gives_each_interim_target_with_its_status(retail, anonymous, today):
    row = anonymous.get("/data/progress.json?year=2026").json()["indicators"][0]
    assert row["interim_targets"] == [
        {"period_end": "2026-06-30", "value": "70", "qualifier": "reach", "status": "missed"}
    ]
    # 110 by November against 111.67 on the path through 70 in June: slightly behind, where
    # the straight line (110) would say on track.
    assert row["status"] == "at_risk" and row["expected"].startswith("111.666")


def test_a_year_without_interim_targets_has_an_empty_list(retail, anonymous, today):
    row = anonymous.get("/data/progress.json?year=2025").json()["indicators"][0]
    assert row["interim_targets"] == []


def test_the_indicator_page_shows_the_half_year_verdict_beside_the_years(retail, anonymous, today):
    chinese = anonymous.get("/indicators/retail/").content.decode()
    english = anonymous.get("/en/indicators/retail/").content.decode()
    assert "上半年目标：未完成" in chinese
    assert "H1 target: Missed" in english
    assert "The expected pace runs through this year's interim targets" in english


def test_a_figure_short_of_the_interim_path_needs_its_explanation(
    make_indicator, make_actual, source, today
):
    indicator = make_indicator(frequency="quarterly", value_type="flow")
    Target.objects.create(indicator=indicator, year=2026, value=120, source=source, quote="…")
    make_actual(indicator, period_end=Q1, value="30")
    figure = Actual(indicator=indicator, period_end=H1, value=Decimal(30))
    assert not figure.explanation_required()  # 60 by June: the straight line's pace
    InterimTarget.objects.create(
        indicator=indicator, period_end=H1, value=80, source=source, quote="上半年完成80。"
    )
    assert figure.explanation_required()  # 20 short of the half-year target of 80


def interim_form(indicator, source, **data):
    fields = {"period_end": "2026-06-30", "value": "70", "qualifier": "reach"}
    fields |= {"source": source.pk, "quote": "上半年完成70亿元。", **data}
    return InterimTargetForm(data=fields, instance=InterimTarget(indicator=indicator))


@pytest.mark.parametrize("period_end", ["2026-12-31", "2027-06-30", "2026-06-15"])
def test_an_interim_target_outside_its_year_is_refused_naming_the_period_end(
    make_indicator, source, period_end
):
    indicator = make_indicator(frequency="monthly")
    Target.objects.create(indicator=indicator, year=2026, value=120, source=source, quote="…")
    form = interim_form(indicator, source, period_end=period_end)
    assert not form.is_valid() and "period_end" in form.errors
    assert not InterimTarget.objects.exists()


def test_an_interim_target_above_the_years_target_waits_for_confirmation(make_indicator, source):
    indicator = make_indicator(frequency="monthly")
    Target.objects.create(indicator=indicator, year=2026, value=120, source=source, quote="…")
    form = interim_form(indicator, source, value="130")
    assert not form.is_valid() and "above the year" in str(form.errors["value"]).replace(
        "高于全年目标", "above the year"
    )
    confirmed = interim_form(indicator, source, value="130", confirm_above_year_target="on")
    assert confirmed.is_valid()


@pytest.fixture
def managing(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def work_report(db):
    return Source.objects.create(
        title="2026年光明区政府工作报告",
        publisher="光明区政府",
        published_on=datetime.date(2026, 1, 20),
    )


SHEET = ["指标代码", "年份", "报告期末", "目标值", "限定词", "来源", "原文", "变更原因"]


def sheet_rows(report_title, interim_end):
    return [
        ["retail", "2026", "", "120", "达", report_title, "全年120亿元。", "2026年报告"],
        ["retail", "2026", interim_end, "70", "达", report_title, "上半年70亿元。", "同上"],
    ]


@pytest.mark.usefixtures(own_temp_folder.__name__)
def test_the_targets_import_reads_a_row_with_a_period_end_as_an_interim_target(
    managing,
    make_indicator,
    work_report,  # noqa: F811
):
    make_indicator(code="retail", frequency="monthly", value_type="flow")
    import_and_confirm(
        managing, csv_file(sheet_rows(work_report.title, "2026-06-30"), header=SHEET)
    )
    step = InterimTarget.objects.get()
    assert (step.period_end, step.value, step.quote) == (H1, Decimal(70), "上半年70亿元。")
    assert Target.objects.get().value == Decimal(120)


@pytest.mark.usefixtures(own_temp_folder.__name__)
def test_the_targets_import_refuses_an_interim_target_outside_its_rows_year(
    managing,
    make_indicator,
    work_report,  # noqa: F811
):
    make_indicator(code="retail", frequency="monthly", value_type="flow")
    content = csv_file(sheet_rows(work_report.title, "2025-06-30"), header=SHEET)
    page = report(dry_run(managing, content).content.decode())
    assert "报告期末" in page and "2025-06-30" in page
    assert not Target.objects.exists() and not InterimTarget.objects.exists()


HALF_YEAR_DOCUMENT = "光明区2026年工作安排。\n2026年，全区社会消费品零售总额上半年完成70亿元。"


def test_a_document_naming_the_half_year_offers_its_figure_as_an_interim_target(
    managing, make_indicator, source
):
    indicator = make_indicator(code="retail", name="社会消费品零售总额", frequency="monthly")
    Target.objects.create(indicator=indicator, year=2026, value=120, source=source, quote="…")
    managing.post(
        "/admin/kpis/source/extract/",
        {
            "title": "2026年工作安排",
            "publisher": "光明区人民政府",
            "published_on": "2026-01-20",
            "text": HALF_YEAR_DOCUMENT,
        },
    )
    document = Source.objects.get(title="2026年工作安排")
    review = f"/admin/kpis/source/{document.pk}/review/"
    assert 'value="interim_target"' in managing.get(review).content.decode()
    prefix = str(document.text.index("完成70亿元"))
    fields = {"year": 2026, "value": "70", "qualifier": "reach", "period_end": "2026-06-30"}
    fields |= {"indicator": indicator.pk, "figure_start": prefix, "change_reason": ""}
    data = {f"{prefix}-{key}": value for key, value in fields.items()}
    managing.post(review, {**data, "row": prefix, "action": "interim_target"})
    step = InterimTarget.objects.get()
    assert (step.period_end, step.value, step.source) == (H1, Decimal(70), document)


def test_the_review_page_writes_each_rows_period_end_and_confirmation_inputs(
    managing, make_indicator, source
):
    # The page's inputs are written in Python (security #28), not by the form's widgets: the
    # period end the sentence names and the revision's confirmation are among them.
    make_indicator(code="retail", name="社会消费品零售总额", frequency="monthly")
    document = Source.objects.create(
        title="2026年工作安排",
        publisher="光明区人民政府",
        published_on=datetime.date(2026, 1, 20),
        text=HALF_YEAR_DOCUMENT,
    )
    page = managing.get(f"/admin/kpis/source/{document.pk}/review/").content.decode()
    prefix = str(document.text.index("完成70亿元"))
    assert f'name="{prefix}-period_end" value="2026-06-30"' in page
    assert f'name="{prefix}-confirm_revision"' in page
    assert 'value="interim_target"' in page


@pytest.mark.usefixtures(own_temp_folder.__name__)
def test_the_targets_import_refuses_a_new_interim_value_citing_the_same_source(
    managing, make_indicator, work_report
):
    # Target.revision_errors' rule for interim targets: a new value cites a new source.
    make_indicator(code="retail", frequency="monthly", value_type="flow")
    import_and_confirm(
        managing, csv_file(sheet_rows(work_report.title, "2026-06-30"), header=SHEET)
    )
    rows = sheet_rows(work_report.title, "2026-06-30")
    rows[1][3] = "75"
    page = report(dry_run(managing, csv_file(rows, header=SHEET)).content.decode())
    assert "新的目标值须注明出处" in page
    assert InterimTarget.objects.get().value == Decimal(70)
    Source.objects.create(title="调整通知", publisher="光明区政府", published_on=H1)
    rows[1][5] = "调整通知"
    import_and_confirm(managing, csv_file(rows, header=SHEET))
    assert InterimTarget.objects.get().value == Decimal(75)


@pytest.mark.usefixtures(own_temp_folder.__name__)
def test_the_targets_import_holds_an_interim_target_above_the_years_until_confirmed(
    managing, make_indicator, work_report
):
    make_indicator(code="retail", frequency="monthly", value_type="flow")
    rows = sheet_rows(work_report.title, "2026-06-30")
    rows[1][3] = "130"
    page = report(dry_run(managing, csv_file(rows, header=SHEET)).content.decode())
    assert "高于全年目标120" in page and not InterimTarget.objects.exists()
    confirmed = [row + [""] for row in rows[:1]] + [rows[1] + ["是"]]
    import_and_confirm(managing, csv_file(confirmed, header=[*SHEET, "确认异常数据"]))
    assert InterimTarget.objects.get().value == Decimal(130)


def test_the_public_table_judges_the_year_along_the_interim_path(retail, anonymous, today):
    # The table filters and counts by its judged rows: they take the same path.
    assert "/indicators/retail/" in anonymous.get("/?year=2026&status=at_risk").content.decode()
    assert (
        "/indicators/retail/" not in anonymous.get("/?year=2026&status=on_track").content.decode()
    )

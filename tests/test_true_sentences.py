"""Every public sentence true (#23 items 2, 3, 4 and 9), replayed as a new user would on
6 December 2026 with figures of 2023 to 2026 entered, submitted and published through the
workflow: figures overdue, one figure per period, years without targets, and sentences
that keep a number with its change, period and verdict."""

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis.models import Actual, Indicator, Judgement, Source, Target
from kpis.plausibility import Yardstick, unusual_change
from kpis.progress import Reading, Status, YearFigures, evaluate
from kpis.units import unit_scale, unit_scales
from reports import bulletins
from reports.snapshots import take_snapshot
from tests.conftest import SHANGHAI
from tests.test_public_page import row_for

D = Decimal
DECEMBER_6 = datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI)


def on(day, hour=10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    )


def publish(indicator, period_end, value, official, reviewer):
    """A figure as it reaches the public: entered by an official of the indicator's
    department, submitted, and published by a reviewer."""
    actual = Actual(indicator=indicator, period_end=period_end, value=D(value))
    actual.explanation_progress = "按计划推进。"
    actual.explanation_problems = "无。"
    actual.explanation_next_steps = "继续推进。"
    actual.record_entry(official)
    actual.save_edit()
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()
    return actual


@pytest.fixture
def replay(article, department, official, reviewer):
    """The article's indicators with figures of 2023 to 2026, published on the days they
    came out: high-tech enterprises (quarterly, baseline 超过2000家 of 2023) up to March 2026
    with a 2026 target of 2400家; R&D spending (annual, baseline 超过100亿元 of 2023) for 2023
    and 2024; synthetic biology over its 2024 target of 超400亿元 at the end of 2024."""
    Indicator.objects.update(department=department)
    high_tech = Indicator.objects.get(code="high-tech-enterprises")
    Target.objects.create(
        indicator=high_tech,
        year=2026,
        value=D(2400),
        qualifier="reach",
        source=Source.objects.first(),
        quote="2026年国家高新技术企业达2400家。",
    )
    rd = Indicator.objects.get(code="rd-spending")
    synbio = Indicator.objects.get(code="synbio-valuation")
    figures = [
        (high_tech, "2023-12-31", "2050"),
        (high_tech, "2024-12-31", "2100"),
        (high_tech, "2025-12-31", "2200"),
        (high_tech, "2026-03-31", "2250"),
        (rd, "2023-12-31", "105"),
        (rd, "2024-12-31", "110"),
        (synbio, "2024-12-31", "450"),
    ]
    for indicator, end, value in figures:
        period_end = datetime.date.fromisoformat(end)
        with on(period_end + datetime.timedelta(days=10)):
            publish(indicator, period_end, value, official, reviewer)
    return {"high_tech": high_tech, "rd": rd, "synbio": synbio}


def page(client, url):
    with time_machine.travel(DECEMBER_6):
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_row(client, url, code):
    data = json.loads(page(client, url))
    return next(row for row in data["indicators"] if row["code"] == code)


def words(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- 2. figures overdue ------------------------------------------------------------------


def test_in_december_a_march_figure_reads_overdue_not_on_track(anonymous, replay):
    chinese = row_for(page(anonymous, "/"), "国家高新技术企业")
    english = row_for(page(anonymous, "/en/"), "National high-tech enterprises")
    assert "数据逾期：最新为2026年一季度（按该期进度：进度正常）" in chinese
    assert "Overdue: latest is Q1 2026 (on track as of then)" in english
    assert "进度正常 " not in chinese.replace("按该期进度：进度正常", "")


def test_the_overdue_row_is_amber_and_counted_apart(anonymous, replay):
    html = page(anonymous, "/en/")
    row_html = next(r for r in html.split("<tr") if "National high-tech enterprises" in r)
    assert "status status-overdue" in row_html and "status-on_track" not in row_html
    assert re.search(r'status-count status-overdue".*?class="count">1<', html, flags=re.S)


def test_the_open_data_row_says_overdue_and_keeps_the_pace_as_of_its_period(anonymous, replay):
    row = json_row(anonymous, "/data/progress.json", "high-tech-enterprises")
    assert (row["status"], row["stale"]) == ("overdue", True)
    assert row["pace_status"] == {"status": "on_track", "as_of": "2026-03-31"}
    csv = page(anonymous, "/data/progress.csv").lstrip("\ufeff").splitlines()
    header = csv[0].split(",")
    cells = next(line for line in csv if line.startswith("high-tech-enterprises")).split(",")
    assert cells[header.index("pace_status")] == "on_track"
    assert cells[header.index("pace_as_of")] == "2026-03-31"


def test_the_indicator_page_words_the_expected_level_as_of_its_period(anonymous, replay):
    html = words(page(anonymous, "/indicators/high-tech-enterprises/"))
    english = words(page(anonymous, "/en/indicators/high-tech-enterprises/"))
    assert "数据逾期：最新为2026年一季度（按该期进度：进度正常）" in html
    assert "按进度2026年一季度应达 2250家" in html
    assert "按进度目前应达" not in html
    assert "Overdue: latest is Q1 2026 (on track as of then)" in english


def test_the_expected_level_is_named_by_its_period_while_the_figure_is_fresh(anonymous, replay):
    # On 1 May the March figure is the latest due: its pace is judged, and the level the
    # even path asks for is that of the end of March, not of 1 May.
    with on(datetime.date(2026, 5, 1)):
        html = words(anonymous.get("/indicators/high-tech-enterprises/").content.decode())
        row = row_for(anonymous.get("/en/").content.decode(), "National high-tech enterprises")
    assert "按进度2026年一季度应达 2250家" in html and "目前" not in html
    assert "expected by Q1 2026: 94%" in row and "On track" in row


def test_a_row_turns_overdue_on_the_day_the_next_figure_is_late_without_a_write(anonymous, replay):
    # The June figure is due by 15 July (15 days' lag): on the 15th the March figure's pace
    # stands; on the 16th it is overdue, though nothing was written in between.
    with on(datetime.date(2026, 7, 15)):
        before = anonymous.get("/en/?status=on_track").content.decode()
    with on(datetime.date(2026, 7, 16)):
        after = anonymous.get("/en/?status=overdue").content.decode()
    assert "National high-tech enterprises" in before
    assert "National high-tech enterprises" in after
    high_tech = replay["high_tech"]
    assert Judgement.objects.get(indicator=high_tech, year=2026).status == "overdue"


def test_a_snapshot_follows_the_same_rule_and_names_the_period_as_the_table_does(anonymous, replay):
    with time_machine.travel(DECEMBER_6):
        snapshot, _ = take_snapshot(datetime.date(2026, 12, 6), 2026)
    row = next(r for r in snapshot.document["indicators"] if r["code"] == "high-tech-enterprises")
    assert (row["status"], row["pace_status"]["status"]) == ("overdue", "on_track")
    html = words(page(anonymous, snapshot.get_absolute_url()))
    assert "2250家 (2026年一季度)" in html
    assert "数据逾期：最新为2026年一季度（按该期进度：进度正常）" in html
    assert "2026-03-31" not in html


def test_a_target_already_met_stays_achieved_when_later_figures_are_late():
    result = evaluate(
        year=2026,
        target=D(2200),
        qualifier="reach",
        direction="increase",
        value_type="stock",
        figures=YearFigures.from_readings([Reading(datetime.date(2026, 3, 31), D(2250))], 2026),
        today=datetime.date(2026, 12, 6),
        frequency="quarterly",
        release_lag_days=15,
        latest=Reading(datetime.date(2026, 3, 31), D(2250)),
    )
    assert (result.status, result.pace_status) == (Status.ACHIEVED, None)


# --- 3. one figure per period ------------------------------------------------------------


def test_a_change_compares_with_the_published_2023_figure_not_the_baseline(anonymous, replay):
    row = json_row(anonymous, "/data/progress.json?year=2024", "rd-spending")
    assert row["change"]["from"] == {"period_end": "2023-12-31", "value": "105"}
    table = row_for(page(anonymous, "/?year=2024"), "全社会研发投入")
    assert "较2023年末 +4.8%" in table and "基期" not in table


def test_a_change_against_a_qualified_baseline_says_what_the_baseline_was(
    anonymous, replay, reviewer
):
    Actual.objects.filter(indicator=replay["rd"], period_end__year=2023).delete()
    chinese = row_for(page(anonymous, "/?year=2024"), "全社会研发投入")
    english = row_for(page(anonymous, "/en/?year=2024"), "Society-wide R&amp;D spending")
    assert "较2023年基期（超过100亿元）+10.0%" in chinese
    assert "+10.0% on the 2023 baseline (more than 10 billion yuan)" in english


# --- 4. every year with published figures can be opened ---------------------------------


def test_a_year_without_targets_is_in_the_strip_and_opens(anonymous, replay):
    html = page(anonymous, "/?year=2025")
    strip = words(html.split('class="year-strip"', 1)[1].split("</nav>", 1)[0])
    assert "2025 年度回顾：1项数据" in strip
    assert "2200家" in row_for(html, "国家高新技术企业")
    assert "2025 in review" in page(anonymous, "/en/?year=2025")


def test_the_open_data_of_a_year_without_targets_lists_its_figures(anonymous, replay):
    row = json_row(anonymous, "/data/progress.json?year=2025", "high-tech-enterprises")
    assert (row["status"], row["actual"]["value"]) == ("no_target", "2200")
    assert row["actual"]["period_end"] == "2025-12-31"


def test_the_data_page_offers_the_files_of_a_year_without_targets(anonymous, replay):
    assert "/data/progress.csv?year=2025" in page(anonymous, "/en/data/")


def test_the_indicator_pages_year_navigation_includes_a_year_of_figures_alone(anonymous, replay):
    html = page(anonymous, "/indicators/high-tech-enterprises/?year=2025")
    navigation = html.split('class="year-strip"', 1)[1].split("</nav>", 1)[0]
    assert 'href="?year=2025" aria-current="page"' in navigation


# --- 9. sentences -------------------------------------------------------------------------


def test_the_change_stays_with_the_number_it_belongs_to(anonymous, replay):
    row = row_for(page(anonymous, "/?year=2024"), "国家高新技术企业")
    assert "2100家 2024年四季度 最新：2250家，2026年一季度，较2025年末 +2.3%" in row


def test_a_closed_achieved_year_does_not_say_later_periods_are_missing(anonymous, replay):
    row = row_for(page(anonymous, "/?year=2024"), "合成生物产业集群整体估值")
    detail = page(anonymous, "/indicators/synbio-valuation/?year=2024")
    assert "已完成" in row
    assert "之后各期尚未发布" not in row and "之后各期尚未发布" not in detail


def test_an_achieved_year_says_achieved_once(anonymous, replay):
    summary = page(anonymous, "/indicators/synbio-valuation/?year=2024")
    summary = words(summary.split('class="summary"', 1)[1].split("</p>", 1)[0])
    assert summary.count("已完成") == 1
    assert "截至2024年12月：已达到目标的112%。" in summary


def test_clearing_the_filters_keeps_the_year_shown(anonymous, replay):
    # A theme that exists: an unknown one is not found (issue #28).
    html = page(anonymous, "/?year=2024&theme=sci-tech-innovation")
    assert re.search(r'<a href="/\?year=2024">清除筛选</a>', html)


@pytest.mark.django_db
def test_english_unit_slip_messages_name_the_unit_in_english():
    # As the figure's check calls it: with the unit as the units table describes it.
    unit = unit_scale("亿元")
    with translation.override("en"):
        message = unusual_change(Yardstick(D(70)), D(7), unit, unit_scales())
    with translation.override("zh-hans"):
        chinese = unusual_change(Yardstick(D(70)), D(7), unit, unit_scales())
    assert "(7 billion yuan)" in message and "亿元" not in message
    assert "70亿元" in chinese


def test_the_reason_offered_for_an_accepted_figure_is_in_both_languages(article, manager):
    client = Client()
    client.force_login(manager)
    client.post(
        "/admin/kpis/source/extract/",
        {
            "title": "光明区2025年工作安排",
            "publisher": "光明区人民政府",
            "published_on": "2025-01-20",
            "text": "2025年,光明区力争集群整体估值超500亿元。",
        },
    )
    source = Source.objects.get(title="光明区2025年工作安排")
    html = client.get(f"/admin/kpis/source/{source.pk}/review/").content.decode()
    reason = re.search(r'name="[^"]*change_reason"[^>]*value="([^"]*)"', html).group(1)
    assert reason == (
        "来自光明区人民政府, 2025年1月20日, 光明区2025年工作安排 / "
        "From 光明区人民政府, Jan. 20, 2025, 光明区2025年工作安排"
    )


# --- the property: one indicator, one story ----------------------------------------------

QUARTERS = [datetime.date(2026, 3, 31), datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]


def shown_status(html, marker=None):
    """The status class of the badge in the piece of `html` that follows `marker`."""
    piece = html.split(marker, 1)[1] if marker else html
    return re.search(r'class="status status-(\w+)"', piece).group(1)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(st.integers(1800, 2600), min_size=0, max_size=3),
    day=st.dates(datetime.date(2026, 1, 20), datetime.date(2026, 12, 31)),
)
def test_the_page_the_indicator_page_the_json_row_and_the_bulletin_tell_one_story(
    anonymous, article, values, day
):
    with transaction.atomic():
        indicator = Indicator.objects.get(code="high-tech-enterprises")
        Target.objects.create(
            indicator=indicator,
            year=2026,
            value=D(2400),
            qualifier="reach",
            quote="2400家",
            source=Source.objects.first(),
        )
        # Only periods that have ended by `day` have figures (as on the real site).
        ended = [end for end in QUARTERS if end < day]
        for end, value in zip(ended, values, strict=False):
            Actual.objects.create(
                indicator=indicator,
                period_end=end,
                value=D(value),
                published_value=D(value),
                status=Actual.Status.PUBLISHED,
                reviewed_at=timezone.now(),
                published_at=timezone.now(),
            )
        cache.clear()
        with on(day):
            row = json.loads(anonymous.get("/data/progress.json?year=2026").content)
            row = next(r for r in row["indicators"] if r["code"] == indicator.code)
            table = anonymous.get("/?year=2026").content.decode()
            detail = anonymous.get(f"/indicators/{indicator.code}/?year=2026").content.decode()
            bulletin = bulletins.bulletin_rows(Indicator.objects.public(), day, 2026)
        line = next(r for r in bulletin if r["code"] == indicator.code)
        assert (line["status"], line["actual"]) == (
            row["status"],
            row["actual"] and {k: row["actual"][k] for k in ("period_end", "value")},
        )
        table_row = next(r for r in table.split("<tr") if "国家高新技术企业" in r)
        assert shown_status(table_row) == row["status"]
        assert shown_status(detail, 'class="summary') == row["status"]
        if row["actual"] is not None:
            value = f"{row['actual']['value']}家"
            period = "2026年" + "一二三"[int(row["actual"]["period_end"][5:7]) // 3 - 1] + "季度"
            assert value in table_row and period in table_row
            figures = detail.split(">2026年数据<", 1)[1].split("</dd>", 1)[0]
            assert value in figures and period in figures
        if row["status"] == "overdue":
            assert row["pace_status"]["as_of"] == (row["actual"] or {}).get("period_end")
            assert "数据逾期" in table_row and "数据逾期" in detail
        transaction.set_rollback(True)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(1800, 2600), min_size=0, max_size=4),
    today=st.dates(datetime.date(2025, 6, 1), datetime.date(2027, 3, 1)),
    later=st.integers(0, 400),
    lag=st.sampled_from([0, 15, 45]),
)
def test_a_judged_verdict_holds_every_day_until_its_holds_until(values, today, later, lag):
    # What `/` stores (Judgement) is written once and read on later days: until the day
    # it names, the rules must say the same on each of them.
    ends = [datetime.date(2026, 3, 31), datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    ends.append(datetime.date(2026, 12, 31))
    readings = [Reading(end, D(v)) for end, v in zip(ends, values, strict=False) if end < today]

    def judged_on(day):
        return evaluate(
            year=2026,
            target=D(2400),
            qualifier="reach",
            direction="increase",
            value_type="stock",
            figures=YearFigures.from_readings(readings, 2026),
            today=day,
            baseline=None,
            frequency="quarterly",
            release_lag_days=lag,
            latest=max(readings, default=None),
        )

    first = judged_on(today)
    assert first.holds_until >= today
    if first.status == Status.OVERDUE:
        assert first.pace_status is not None and first.status != Status.ON_TRACK
    day = today + datetime.timedelta(days=later)
    if day <= first.holds_until:
        assert judged_on(day).status == first.status

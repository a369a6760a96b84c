"""Release stages (初步核算, 初步核实, 最终核实) and flags (预计, provisional, 口径调整) on a
figure: each later stage reviewed like any correction, every stage public with its date, and
a closed year's verdict that a later stage turns said on the page, in the open data and in
the next bulletin. Today is 6 December 2026; figures of 2024 to 2026."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from kpis.forms import ActualForm
from kpis.models import Actual, Indicator, Target
from reports import bulletins
from tests.conftest import SHANGHAI

TODAY = datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI)
PRELIMINARY_DAY = datetime.datetime(2026, 2, 10, 10, tzinfo=SHANGHAI)
FINAL_DAY = datetime.datetime(2026, 5, 10, 10, tzinfo=SHANGHAI)
YEAR_END_2025 = datetime.date(2025, 12, 31)

EXPLANATION = {
    "explanation_progress": "已开展核实。",
    "explanation_problems": "口径核减。",
    "explanation_next_steps": "加快项目落地。",
}


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def gdp(make_indicator, department, source):
    """地区生产总值, published in stages, with a target of 100 in 2024, 2025 and 2026."""
    indicator = make_indicator(
        name="地区生产总值",
        name_en="GDP",
        code="gdp",
        unit="亿元",
        frequency="annual",
        department=department,
        has_release_stages=True,
        target="100",
    )
    for year in (2025, 2026):
        Target.objects.create(
            indicator=indicator, year=year, value=100, source=source, quote=f"{year}年达100亿元。"
        )
    return indicator


def enter_and_publish(actual, official, reviewer, when, **fields):
    """An official enters a stage, submits it; a reviewer publishes it, on `when`."""
    with time_machine.travel(when, tick=False):
        for name, value in fields.items():
            setattr(actual, name, value)
        actual.record_entry(official)
        actual.full_clean()
        actual.save_edit()
        actual.submit(official)
        actual.save()
        actual.publish(reviewer)
        actual.save()
    return actual


@pytest.fixture
def revised_2025(gdp, make_actual, official, reviewer):
    """2024 achieved; 2025 published preliminary at 105 (achieved) on 10 February 2026, then
    final at 95 (missed) on 10 May 2026."""
    make_actual(
        gdp,
        period_end=datetime.date(2024, 12, 31),
        value="101",
        stage="final",
        published_stage="final",
    )
    actual = Actual(indicator=gdp, period_end=YEAR_END_2025)
    enter_and_publish(
        actual, official, reviewer, PRELIMINARY_DAY, value=Decimal(105), stage="preliminary"
    )
    enter_and_publish(
        actual, official, reviewer, FINAL_DAY, value=Decimal(95), stage="final", **EXPLANATION
    )
    return actual


def test_a_later_stage_waits_for_review_while_the_public_keeps_the_earlier_one(
    gdp, official, reviewer, anonymous, today
):
    actual = Actual(indicator=gdp, period_end=YEAR_END_2025)
    enter_and_publish(
        actual, official, reviewer, PRELIMINARY_DAY, value=Decimal(105), stage="preliminary"
    )
    actual.value, actual.stage = Decimal(104), "verified"
    actual.record_entry(official)
    actual.save_edit()
    actual.submit(official)
    actual.save()
    row = anonymous.get("/data/indicators/gdp.json").json()["figures"][-1]
    assert actual.status == Actual.Status.SUBMITTED
    assert (row["value"], row["stage"]) == ("105", "preliminary")


def test_the_official_who_entered_a_later_stage_cannot_publish_it(gdp, official, reviewer, today):
    actual = Actual(indicator=gdp, period_end=YEAR_END_2025)
    enter_and_publish(
        actual, official, reviewer, PRELIMINARY_DAY, value=Decimal(105), stage="preliminary"
    )
    actual.stage = "final"
    actual.record_entry(reviewer)
    actual.submit(official)
    with pytest.raises(ValidationError) as refused:
        actual.publish(reviewer)
    assert refused.value.messages == [str(Actual.own_entry_message)]


def test_a_stage_earlier_than_the_published_one_is_refused_and_nothing_is_saved(
    revised_2025, official, today
):
    form = ActualForm(
        data={"value": "96", "stage": "verified", "flags": [], "seen_version": 3},
        instance=revised_2025,
        user=official,
    )
    assert not form.is_valid()
    assert form.errors["stage"] == ["“最终核实”阶段的数据已发布：数据不能退回到更早的发布阶段。"]
    assert Actual.objects.get(pk=revised_2025.pk).value == Decimal(95)


def test_publishing_an_earlier_stage_is_refused_whatever_the_route(
    revised_2025, official, second_reviewer, today
):
    revised_2025.stage = "preliminary"  # not through a form: straight on the model
    revised_2025.record_entry(official)
    revised_2025.status = Actual.Status.SUBMITTED
    revised_2025.submitted_by = official
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        revised_2025.publish(second_reviewer)
    assert "never goes back to an earlier stage" in refused.value.messages[0]


def test_a_series_break_without_its_note_is_refused_naming_the_note(gdp, official, today):
    form = ActualForm(
        data={
            "indicator": gdp.pk,
            "period_end": "2026-06-30",
            "value": "50",
            "stage": "preliminary",
            "flags": ["series_break"],
            "seen_version": 0,
        },
        instance=Actual(indicator=gdp),
        user=official,
    )
    assert not form.is_valid()
    assert "series_break_note" in form.errors
    assert not Actual.objects.exists()


def test_an_indicator_without_stages_refuses_a_stage(make_indicator, today):
    actual = Actual(
        indicator=make_indicator(frequency="annual"),
        period_end=YEAR_END_2025,
        value=Decimal(3),
        stage="final",
    )
    with pytest.raises(ValidationError) as refused:
        actual.full_clean()
    assert "stage" in refused.value.message_dict


def test_progress_json_gives_the_figures_stage_and_flags(
    make_indicator, make_actual, anonymous, today
):
    indicator = make_indicator(target="10")
    make_actual(
        indicator,
        period_end=datetime.date(2026, 9, 30),
        value="8",
        flags=["estimated", "series_break"],
        series_break_note="2026年起含新区。",
        published_flags=["estimated", "series_break"],
        published_series_break_note="2026年起含新区。",
    )
    row = anonymous.get("/data/progress.json?year=2026").json()["indicators"][0]
    assert (row["actual"]["stage"], row["actual"]["flags"]) == (None, ["estimated", "series_break"])
    assert row["latest"]["series_break_note"] == "2026年起含新区。"


def test_a_final_stage_turning_2025_to_missed_is_in_that_years_open_data(
    revised_2025, anonymous, today
):
    row = anonymous.get("/data/progress.json?year=2025").json()["indicators"][0]
    assert row["status"] == "missed"
    assert row["actual"]["stage"] == "final"
    assert row["verdict_revised"] == {
        "from": "achieved",
        "to": "missed",
        "on": "2026-05-10",
        "stage": "final",
    }


def test_a_year_whose_stages_kept_its_verdict_says_nothing_revised(
    gdp, make_actual, anonymous, official, reviewer, today
):
    actual = Actual(indicator=gdp, period_end=YEAR_END_2025)
    enter_and_publish(
        actual, official, reviewer, PRELIMINARY_DAY, value=Decimal(105), stage="preliminary"
    )
    enter_and_publish(actual, official, reviewer, FINAL_DAY, value=Decimal(103), stage="final")
    row = anonymous.get("/data/progress.json?year=2025").json()["indicators"][0]
    assert (row["status"], row["verdict_revised"]) == ("achieved", None)


def test_the_indicator_page_says_the_revised_verdict_in_both_languages(
    revised_2025, anonymous, today
):
    chinese = anonymous.get("/indicators/gdp/").content.decode()
    english = anonymous.get("/en/indicators/gdp/").content.decode()
    assert "2026年5月10日发布的最终核实数据使2025年的结论由“已完成”改为“未完成”。" in chinese
    assert (
        "The final (最终核实) figure published on May 10, 2026 turned 2025 from “Achieved” to "
        "“Missed”." in english
    )


def test_the_indicator_page_shows_every_stage_with_its_date(revised_2025, anonymous, today):
    html = anonymous.get("/en/indicators/gdp/").content.decode()
    assert "preliminary (初步核算): " in html and "published Feb. 10, 2026" in html
    assert "final (最终核实): " in html
    assert "published May 10, 2026" in html


def test_the_indicators_open_data_lists_every_stage(revised_2025, anonymous, today):
    figure = anonymous.get("/data/indicators/gdp.json").json()["figures"][-1]
    assert [(stage["stage"], stage["value"]) for stage in figure["stages"]] == [
        ("preliminary", "105"),
        ("final", "95"),
    ]
    assert figure["stages"][-1]["published_at"].startswith("2026-05-10")
    csv = anonymous.get("/data/indicators/gdp.csv").content.decode("utf-8-sig")
    assert "stage" in csv.splitlines()[0] and "preliminary 105 2026-02-10" in csv


def test_the_next_bulletin_lists_the_revised_verdict_under_its_own_heading(revised_2025, today):
    data = bulletins.bulletin_data(datetime.date(2026, 9, 30), 2026, "zh-hans")
    assert data["verdict_revisions"] == [
        {
            "name": "地区生产总值",
            "year": 2025,
            "from": "achieved",
            "to": "missed",
            "on": "2026-05-10",
            "stage": "final",
        }
    ]
    bulletin = SimpleNamespace(data=data, issue=1, version=1)
    blocks = bulletins.content(bulletin).blocks
    heading = blocks.index(("heading", "后期核实改变的年度结论"))
    assert blocks[heading + 1][1].startswith("地区生产总值：2026年5月10日发布的最终核实数据")


def test_a_bulletin_made_after_the_one_that_listed_it_does_not_list_it_again(revised_2025, today):
    listed_on = datetime.datetime(2026, 6, 1, tzinfo=SHANGHAI)
    with translation.override("en"):
        rows = bulletins.verdict_revision_rows(
            Indicator.objects.public(), datetime.date(2026, 9, 30), listed_on
        )
    assert rows == []

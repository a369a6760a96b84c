"""The five-year plan rules (plans.rules): each kind of path and each year's verdict."""

import datetime
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from kpis.progress import Reading
from plans import rules
from plans.rules import Path, Status, Terms

TODAY = datetime.date(2026, 12, 6)


def terms(**overrides):
    fields = {
        "path": Path.LINEAR,
        "start_year": 2026,
        "end_year": 2030,
        "base_year": 2025,
        "base_value": Decimal(2000),
        "target_value": Decimal(3000),
    }
    fields.update(overrides)
    return Terms(**fields)


def year_end(year, value):
    return Reading(datetime.date(year, 12, 31), Decimal(value))


def statuses(plan_terms, readings, today):
    return {v.year: v.status for v in rules.judge_years(plan_terms, readings, today)}


amounts = st.decimals(min_value=1, max_value=100_000, places=2)
paths = st.sampled_from(list(Path))


def valid_terms(path, base, target, rate):
    value_type = "flow" if path == Path.CUMULATIVE else "stock"
    return terms(path=path, base_value=base, target_value=target, rate=rate, value_type=value_type)


def test_a_linear_path_moves_evenly_from_base_to_target():
    values = rules.path_values(terms())
    assert values == {2026: 2200, 2027: 2400, 2028: 2600, 2029: 2800, 2030: 3000}


def test_a_compound_path_without_a_target_compounds_the_base_at_its_rate():
    values = rules.path_values(
        terms(path=Path.COMPOUND, base_value=Decimal(100), target_value=None, rate=Decimal(6))
    )
    assert values[2026] == Decimal("106.0000")
    assert round(values[2030], 2) == Decimal("133.82")


def test_a_compound_path_on_a_growth_rate_asks_the_rate_every_year():
    values = rules.path_values(
        terms(
            path=Path.COMPOUND,
            value_type="rate",
            base_value=Decimal("5.5"),
            target_value=None,
            rate=Decimal(6),
        )
    )
    assert set(values.values()) == {Decimal(6)}


def test_a_cumulative_path_adds_an_even_share_a_year():
    plan = terms(
        path=Path.CUMULATIVE, value_type="flow", base_value=Decimal(0), target_value=Decimal(5)
    )
    assert rules.path_values(plan)[2027] == Decimal(2)
    assert set(rules.yearly_shares(plan).values()) == {Decimal(1)}


def test_an_annual_change_path_steps_the_rate_each_year():
    plan = terms(
        path=Path.ANNUAL_CHANGE,
        value_type="rate",
        base_value=Decimal("3.0"),
        target_value=None,
        rate=Decimal("0.2"),
    )
    values = rules.path_values(plan)
    assert values[2026] == Decimal("3.2")
    assert values[2030] == Decimal("4.0")


@given(path=paths, base=amounts, target=amounts, rate=st.decimals(min_value=0, max_value=20))
def test_the_paths_last_value_is_the_target(path, base, target, rate):
    plan = valid_terms(path, base, target, rate)
    assert rules.path_values(plan)[2030] == rules.target_value(plan)


@given(target=amounts, years=st.integers(min_value=1, max_value=10))
def test_a_cumulative_paths_yearly_shares_sum_to_the_target(target, years):
    plan = terms(
        path=Path.CUMULATIVE,
        value_type="flow",
        base_value=Decimal(0),
        target_value=target,
        end_year=2025 + years,
    )
    assert sum(rules.yearly_shares(plan).values()) == target


@given(path=paths, base=amounts, target=amounts, rate=st.decimals(min_value=0, max_value=20))
def test_a_year_end_figure_exactly_on_the_path_is_on_track(path, base, target, rate):
    plan = valid_terms(path, base, target, rate)
    path_2027 = rules.path_values(plan)[2027]
    if path == Path.CUMULATIVE:
        readings = [year_end(2026, rules.path_values(plan)[2026])]
        readings.append(year_end(2027, path_2027 - rules.path_values(plan)[2026]))
    else:
        readings = [year_end(2027, path_2027)]
    assert statuses(plan, readings, datetime.date(2028, 3, 1))[2027] == Status.ON_TRACK


@given(
    base=amounts,
    target=amounts,
    figure=amounts,
    direction=st.sampled_from(["increase", "decrease"]),
)
def test_direction_symmetry_mirrored_figures_get_the_same_verdict(base, target, figure, direction):
    other = "decrease" if direction == "increase" else "increase"
    plan = terms(base_value=base, target_value=target, direction=direction)
    mirrored = terms(base_value=-base, target_value=-target, direction=other)
    today = datetime.date(2027, 3, 1)
    judged = statuses(plan, [year_end(2026, figure)], today)[2026]
    assume(plan.base_value != plan.target_value)
    assert statuses(mirrored, [year_end(2026, -figure)], today)[2026] == judged


@given(base=amounts, target=amounts, figure=amounts)
def test_a_better_year_end_figure_is_never_judged_worse(base, target, figure):
    plan = terms(base_value=base, target_value=target)
    today = datetime.date(2027, 3, 1)
    order = [Status.BEHIND, Status.ON_TRACK, Status.AHEAD]
    lower = statuses(plan, [year_end(2026, figure)], today)[2026]
    higher = statuses(plan, [year_end(2026, figure + 1)], today)[2026]
    assert order.index(higher) >= order.index(lower)


def test_a_figure_beyond_the_tolerance_is_ahead_or_behind():
    plan = terms()  # 2026's path value is 2200; 2% of it is 44
    today = datetime.date(2027, 3, 1)
    assert statuses(plan, [year_end(2026, 2244)], today)[2026] == Status.ON_TRACK
    assert statuses(plan, [year_end(2026, 2245)], today)[2026] == Status.AHEAD
    assert statuses(plan, [year_end(2026, 2155)], today)[2026] == Status.BEHIND


def test_a_year_under_way_keeps_pace_towards_its_path_value():
    # 2026's path value is 2200 from 2000; by 30 June about 2100 is expected.
    plan = terms()
    on_pace = [Reading(datetime.date(2026, 6, 30), Decimal(2100))]
    slow = [Reading(datetime.date(2026, 6, 30), Decimal(2000))]
    assert statuses(plan, on_pace, TODAY)[2026] == Status.ON_TRACK
    assert statuses(plan, slow, TODAY)[2026] == Status.BEHIND


def test_later_years_have_not_started_and_an_open_year_without_figures_has_no_data():
    judged = statuses(terms(), [], TODAY)
    assert judged[2026] == Status.NO_DATA
    assert judged[2027] == Status.NOT_STARTED


def test_a_closed_year_without_its_year_end_figure_has_no_final_figure():
    judged = statuses(terms(), [Reading(datetime.date(2026, 9, 30), Decimal(2300))], TODAY)
    assert judged[2026] == Status.ON_TRACK
    next_year = TODAY.replace(year=2027)
    later = statuses(terms(), [Reading(datetime.date(2026, 9, 30), Decimal(2300))], next_year)
    assert later[2026] == Status.NO_FINAL_FIGURE


def test_the_last_year_is_achieved_or_missed_against_the_target_and_its_qualifier():
    readings = [year_end(2030, 3000)]
    today = datetime.date(2031, 3, 1)
    assert statuses(terms(), readings, today)[2030] == Status.ACHIEVED
    assert statuses(terms(qualifier="over"), readings, today)[2030] == Status.MISSED
    assert statuses(terms(), [], today)[2030] == Status.NO_FINAL_FIGURE


def test_a_cumulative_path_compares_the_running_total_of_the_plan_years():
    plan = terms(
        path=Path.CUMULATIVE, value_type="flow", base_value=Decimal(0), target_value=Decimal(50000)
    )
    readings = [year_end(2026, 12000), year_end(2027, 8000)]
    verdicts = rules.judge_years(plan, readings, datetime.date(2028, 3, 1))
    assert verdicts[1].actual.value == Decimal(20000)
    assert [v.status for v in verdicts[:2]] == [Status.AHEAD, Status.ON_TRACK]


def test_a_flow_reported_by_quarter_needs_every_quarter_for_its_year_end_figure():
    plan = terms(
        value_type="flow",
        frequency="quarterly",
        base_value=Decimal(400),
        target_value=Decimal(600),
    )
    readings = [Reading(datetime.date(2026, 12, 31), Decimal(440))]
    assert statuses(plan, readings, datetime.date(2027, 3, 1))[2026] == Status.NO_FINAL_FIGURE


def test_the_target_takes_the_verdict_of_its_latest_judged_year():
    verdicts = rules.judge_years(terms(), [year_end(2026, 2000)], datetime.date(2027, 3, 1))
    assert rules.overall_status(verdicts) == Status.BEHIND


def test_bad_terms_are_named_by_field():
    assert rules.problems(terms(base_year=2030)) == {"base_year": "base_not_before_end"}
    assert rules.problems(terms(path=Path.COMPOUND, rate=None)) == {"rate": "rate_missing"}
    assert rules.problems(terms(path=Path.COMPOUND, rate=Decimal(6), base_value=Decimal(0))) == {
        "base_value": "compound_from_zero"
    }
    assert rules.problems(terms(path=Path.CUMULATIVE)) == {"path": "cumulative_needs_flow"}
    assert rules.problems(terms(path=Path.COMPOUND, rate=Decimal(6), target_value=Decimal(-1))) == {
        "target_value": "compound_to_zero"
    }


def test_a_lagging_target_needs_the_rest_spread_over_the_years_left():
    assert rules.needed_per_year(terms(), Decimal(2300), 2027) == Decimal(700) / 3


@given(
    path=paths,
    value_type=st.sampled_from(["stock", "flow", "rate"]),
    base=st.decimals(min_value=-1000, max_value=1000, places=2),
    target=st.one_of(st.none(), st.decimals(min_value=-1000, max_value=1000, places=2)),
    rate=st.one_of(st.none(), st.decimals(min_value=-200, max_value=20, places=1)),
)
def test_terms_without_problems_always_make_a_path_ending_on_the_target(
    path, value_type, base, target, rate
):
    plan = terms(path=path, value_type=value_type, base_value=base, target_value=target, rate=rate)
    assume(not rules.problems(plan))
    values = rules.path_values(plan)
    assert list(values) == list(range(2026, 2031))
    assert values[2030] == rules.target_value(plan)


# Sample sentences written for the test in the way plans word their targets; not any
# district's values.
PLAN_TEXT = (
    "到2030年，国家高新技术企业达到3000家。研发投入强度年均提高0.2个百分点。"
    "地区生产总值年均增长6%左右。五年累计新增就业5万人。单位能耗年均下降0.5个百分点。"
    "2025年，新增企业100家。"
)


def proposals():
    from kpis.extraction import extract
    from plans.extraction import propose

    return propose(extract(PLAN_TEXT, datetime.date(2026, 2, 1)), 2030)


def test_the_extractor_proposes_each_kind_of_path_from_its_sentence():
    found = [(p.subject, p.path, p.target_value, p.rate) for p in proposals()]
    assert found == [
        ("国家高新技术企业", Path.LINEAR, Decimal(3000), None),
        ("研发投入强度", Path.ANNUAL_CHANGE, None, Decimal("0.2")),
        ("地区生产总值", Path.COMPOUND, None, Decimal(6)),
        ("五年累计新增就业", Path.CUMULATIVE, Decimal(5), None),
        ("单位能耗", Path.ANNUAL_CHANGE, None, Decimal("-0.5")),
    ]


def test_a_proposal_keeps_the_qualifier_and_unit_as_written():
    growth = proposals()[2]
    assert (growth.qualifier, growth.unit) == ("about", "%")
    assert proposals()[3].unit == "万人"

"""The extractor (kpis/extraction.py): figures, years, kinds and quotes read from report text.

Pure functions, no database. The sentences are written like the reports they imitate; the
real documents and their hand-made lists are in tests/documents/ (test_extraction_corpus.py).
"""

import datetime
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.extraction import (
    IndicatorMatcher,
    IndicatorRow,
    document_date,
    extract,
    paragraph,
    score,
    simplified,
)

JAN_2024 = datetime.date(2024, 1, 31)


def figures(text, date=JAN_2024):
    return [(c.value, c.unit, c.qualifier) for c in extract(text, date)]


def only(text, date=JAN_2024):
    (candidate,) = extract(text, date)
    return candidate


@pytest.mark.parametrize(
    ("sentence", "qualifier"),
    [
        ("2024年实现企业总量超60家。", "over"),
        ("创新联合体数量突破50个。", "over"),
        ("全省经营主体超过1800万户。", "over"),
        ("规上工业增加值首次破千亿。", "over"),
        ("城镇新增就业人数110万人以上。", "at_least"),
        ("研发支出占GDP比重稳定达到6%以上。", "at_least"),
        ("研发支出占GDP比重不低于6%。", "at_least"),
        ("预计全省GDP迈上14万亿元新台阶。", "at_least"),
        ("估值10亿元以上企业数量达12家。", "reach"),
        ("全区专精特新企业增至751家。", "reach"),
        ("全年实现地区生产总值1721亿元。", "reach"),
        ("全省研发经费支出约4600亿元。", "about"),
        ("城镇调查失业率5.5%左右。", "about"),
        ("居民消费价格涨幅控制在3%以内。", "at_most"),
        ("单位GDP能耗增幅不超过3%。", "at_most"),
        ("新增企业3000余家。", "over"),
        ("落地项目100多个。", "over"),
        ("全社会研发投入1880.5亿元。", None),
    ],
)
def test_the_words_around_a_figure_give_its_qualifier(sentence, qualifier):
    assert only(sentence).qualifier == qualifier


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("战略性新兴产业产值占GDP比重突破六成。", "60", "%"),
        ("引育技术经纪人超百人。", "100", "人"),
        ("新引进企业两千家。", "2000", "家"),
        ("新增经营主体1.5万家。", "1.5", "万家"),
        ("总建筑面积12.9万平方米。", "12.9", "万平方米"),
        ("引进各类人才三千余人。", "3000", "人"),
        ("固定资产投资近万亿元。", "1", "万亿元"),
        ("进出口总额1,234亿元。", "1234", "亿元"),
        ("常住人口达到120万。", "120", "万"),
        ("固定资产投资再破千亿大关。", "1000", "亿"),
        ("研发人员全时当量达46.1万人年。", "46.1", "万人年"),
        ("超额完成国家下达的110万人年度任务。", "110", "万人"),
        ("组建3个小组。", "3", "个"),
    ],
)
def test_chinese_numerals_and_shorthand_give_the_value_and_unit_as_written(sentence, value, unit):
    candidate = only(sentence)
    assert (candidate.value, candidate.unit) == (value, unit)


def test_each_quantity_of_a_sentence_is_a_figure_of_its_own():
    text = "一、2024年工作回顾\n全年地区生产总值实现1721亿元、增长8.6%,增速全市行政区排名第二。"
    found = extract(text, datetime.date(2025, 3, 2))
    assert [(c.kind, c.year, c.value, c.unit) for c in found] == [
        ("result", 2024, "1721", "亿元"),
        ("result", 2024, "8.6", "%"),
    ]
    assert [c.subject for c in found] == ["地区生产总值", "地区生产总值增长"]


def test_a_qualifier_before_a_list_carries_over_the_list_but_not_to_a_growth_rate():
    assert figures("全区专精特新企业增至751家、“小巨人”企业56家。") == [
        ("751", "家", "reach"),
        ("56", "家", "reach"),
    ]
    assert figures("固定资产投资近万亿元、增长11.0%。")[1] == ("11.0", "%", None)
    assert figures("新增就业超143万人、超额完成国家下达的110万人年度任务。")[1][2] is None


def test_an_explicit_year_belongs_to_the_figures_after_it_in_later_sentences_too():
    text = "2023年,光明科学城建设成效显著。中兵研究院等9个“大院大所”项目加速落地。"
    assert [(c.year, c.value) for c in extract(text)] == [(2023, "9")]


def test_this_year_and_last_year_are_read_from_the_document_date():
    found = extract("去年全区企业超7万家。今年全区企业力争突破8万家。", datetime.date(2024, 1, 23))
    assert [(c.kind, c.year, c.value) for c in found] == [
        ("result", 2023, "7"),
        ("target", 2024, "8"),
    ]


def test_the_whole_year_is_the_year_in_force_else_the_document_year():
    assert only("2023年工作回顾。全年新增企业500家。", JAN_2024).year == 2023
    assert only("全年新增就业超143万人。", datetime.date(2025, 1, 15)).year == 2025


def test_a_figure_no_year_is_named_for_is_stated_as_of_the_document_date():
    found = only("233名代表出席大会。", datetime.date(2024, 1, 19))
    assert (found.kind, found.year) == ("result", 2024)


def test_a_year_used_as_a_point_of_comparison_does_not_change_the_year():
    text = "2024年,全区地区生产总值比2020年增长30%。"
    assert (only(text).year, only(text).kind) == (2024, "target")


def test_a_figure_for_a_later_year_is_a_target_and_for_an_earlier_year_a_result():
    text = "2023年全区企业突破2000家。到2025年,地区生产总值达到1750亿元。"
    assert [(c.kind, c.year) for c in extract(text, datetime.date(2024, 1, 31))] == [
        ("result", 2023),
        ("target", 2025),
    ]


def test_a_figure_reported_within_the_document_year_is_a_result():
    assert only("2024年上半年,全区地区生产总值同比增长9.0%。", JAN_2024).kind == "result"


def test_without_a_date_the_words_of_the_sentence_decide_the_kind():
    found = extract("全区企业达到2000家。主要预期目标是地区生产总值增长5%。")
    assert [c.kind for c in found] == ["result", "target"]


def test_the_document_date_is_read_from_its_dateline():
    assert document_date("光明以科技赋能\n日期:2024-01-31 来源:深圳特区报\n") == JAN_2024
    assert document_date("——2025年3月2日在光明区第二届人民代表大会第三次会议上") == (
        datetime.date(2025, 3, 2)
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "日期:2024-01-31 来源:深圳特区报",
        "增速全市行政区排名第二,位列全国第7名。",
        "光明区二届二次党代会提出,纵深推进区委“1+2+3+4”工作体系。",
        "光明区打造了共42层的科技金融大厦。",
        "围绕科学城三大主攻方向,总结出四套做法,引进一批企业。",
        "落实“十四五”规划,超算二期主体封顶,连续31年居首位。",
        "入选2023年国内十大科技新闻和全国工业百强区,前2%顶尖科学家。",
        "PM2.5浓度下降,5G基站覆盖,建设千亿级产业集群。",
        "十十六家不是一个数。",
    ],
)
def test_dates_ranks_meeting_numbers_and_floors_are_not_figures(sentence):
    assert extract(sentence) == []


def test_a_threshold_that_names_a_class_of_things_is_part_of_the_subject():
    candidate = only("其中估值10亿元以上企业数量达12家。")
    assert (candidate.value, candidate.subject) == ("12", "估值10亿元以上企业数量")


def test_the_thing_counted_after_a_figure_is_its_subject():
    assert only("引进2个全国重点实验室。").subject == "全国重点实验室"


def test_traditional_text_gives_the_figures_of_its_simplified_twin_with_its_own_words():
    candidate = only("2023年全區國家高新技術企業突破2000家。")
    assert (candidate.value, candidate.unit, candidate.qualifier) == ("2000", "家", "over")
    assert candidate.subject == "全區國家高新技術企業"
    assert only("總規模75億元。").unit == "億元"


def test_the_quote_is_the_verbatim_sentence_with_its_offsets():
    text = "开局起势。\n  2023年,全区企业突破2000家,创新联合体超50个。下一句。"
    first, second = extract(text)
    assert first.quote == second.quote == "2023年,全区企业突破2000家,创新联合体超50个。"
    assert text[first.start : first.end] == first.quote
    assert text[second.figure_start : second.figure_end] == "超50个"


def test_a_very_long_sentence_is_quoted_around_the_figure_only():
    text = "全区" + "推进工作" * 300 + "企业突破2000家" + "推进工作" * 300 + "。"
    candidate = only(text)
    assert len(candidate.quote) <= 400
    assert "企业突破2000家" in candidate.quote


def test_the_json_form_has_the_contracts_keys():
    candidate = only("2024年实现企业总量超60家。")
    assert {key: candidate.as_json()[key] for key in ("kind", "year", "value", "unit")} == {
        "kind": "target",
        "year": 2024,
        "value": "60",
        "unit": "家",
    }
    assert set(candidate.as_json()) >= {"subject", "qualifier", "quote", "start", "end"}


def test_score_counts_a_candidate_only_when_every_field_is_right():
    candidates = extract("2023年全區企業突破2000家,产业基金3只。", JAN_2024)
    result = score(
        candidates,
        [["result", 2023, "2000", "家", "over"], ["result", 2023, "3", "只", "reach"]],
    )
    assert (result.recall, result.precision) == (0.5, 0.5)


REPORT_CHARACTERS = "0123456789.,%、，。；：\n年月日第超突破达到以上以内约左右"
REPORT_CHARACTERS += "余多万亿元家个成百千两三六十全今去區國億萬達約餘"
REPORT_CHARACTERS += "企业总量增长实现比较目标2024年2025年"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(REPORT_CHARACTERS)), max_size=300))
def test_every_quote_is_the_text_between_its_offsets_whatever_the_text(text):
    for candidate in extract(text, JAN_2024):
        assert candidate.quote == text[candidate.start : candidate.end]
        assert candidate.start <= candidate.figure_start < candidate.figure_end <= candidate.end
        Decimal(candidate.value)


@given(st.text(max_size=200))
def test_simplifying_keeps_every_offset(text):
    assert len(simplified(text)) == len(text)


def _seconds(text):
    # CPU time of this process, so that other work on the machine does not count.
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        extract(text, JAN_2024)
        best = min(best, time.process_time() - began)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "2023年全区企业突破2000家、增长8.6%,创新联合体超50个。",
        "超超超1111111111万万万,,、、",  # no sentence end: one sentence as long as the text
    ],
)
def test_extraction_time_grows_linearly_with_the_text(unit):
    short = unit * (2_000 // len(unit))
    long = unit * (30_000 // len(unit))
    # 15 times the text may cost at most 30 times the time here: a quadratic step costs 225.
    assert _seconds(long) <= 30 * _seconds(short) + 0.01


def test_a_qualifier_on_the_line_before_does_not_reach_the_figure():
    candidate = only("全区人口约\n9万人。")
    assert (candidate.qualifier, candidate.quote) == (None, "9万人。")


BRAIN = IndicatorRow("brain-valuation", "脑科学与类脑智能产业估值", "亿元", "脑科学与类脑智能")
SYNBIO = IndicatorRow("synbio-valuation", "合成生物产业集群整体估值", "亿元", "合成生物")


def test_the_paragraph_tells_which_of_two_valuations_a_figure_states():
    text = "发展壮大脑科学与类脑智能产业。2024年实现企业总量超60家、估值超80亿元。"
    candidate = extract(text, JAN_2024)[1]
    matcher = IndicatorMatcher([SYNBIO, BRAIN])
    assert matcher.match(candidate, paragraph(text, candidate)) == "brain-valuation"


def test_no_indicator_is_proposed_for_a_figure_in_another_unit_or_about_something_else():
    matcher = IndicatorMatcher([SYNBIO, BRAIN])
    assert matcher.match(only("脑科学企业估值超80家。")) is None
    assert matcher.match(only("全区财政收入超80亿元。")) is None


# Reading a report as a statistics officer does (#26): structure, years, places, measures,
# periods, ranges, classes and tables.

MARCH_2026 = datetime.date(2026, 3, 5)


def test_headings_set_the_year_and_kind_of_what_follows():
    text = (
        "一、2025年工作回顾\n国内生产总值增长5%\n过去5年\n城镇新增就业累计超过6000万人\n"
        "二、“十五五”时期主要目标和重大任务\n人均预期寿命提高到80岁\n"
        "三、2026年经济社会发展总体要求和政策取向\n城镇新增就业1200万人以上"
    )
    found = [(c.kind, c.year, c.value) for c in extract(text, MARCH_2026)]
    assert found == [
        ("result", 2025, "5"),
        ("result", 2025, "6000"),
        ("target", 2030, "80"),
        ("target", 2026, "1200"),
    ]


def test_a_review_heading_makes_the_documents_own_year_a_result():
    text = "光明区政务服务和数据管理局工作总结\n全区汇聚数据超28亿条。"
    candidate = only(text, datetime.date(2024, 12, 20))
    assert (candidate.kind, candidate.year, candidate.unit) == ("result", 2024, "亿条")


def test_a_five_year_review_gives_the_start_and_the_end_of_its_span():
    text = "五年来,中國經濟總量從「十三五」末的103萬億元增長到140萬億元以上。"
    first, last = extract(text, MARCH_2026)
    assert (first.kind, first.year, first.value) == ("result", 2020, "103")
    assert (last.kind, last.year, last.value, last.qualifier) == ("result", 2025, "140", "at_least")


def test_a_year_in_a_title_or_a_dated_event_does_not_hold_for_the_next_paragraph():
    text = (
        "主任作《第十四个五年规划和2035年远景目标纲要》实施中期评估报告。\n"
        "新型研发机构数量超过2400家。\n"
        "2019年8月《意见》发布。\n全区企业达到500家。"
    )
    assert [(c.year, c.value) for c in extract(text, datetime.date(2023, 12, 26))] == [
        (2023, "2400"),
        (2023, "500"),
    ]


def test_without_a_date_a_task_or_a_deadline_is_a_target():
    assert only("拟安排地方政府专项债券4.4万亿元。", None).kind == "target"
    assert only("於2023年底前建成充電樁500個。", None).kind == "target"


def test_another_places_figure_says_whose_it_is_and_gets_no_indicator():
    text = "深圳市规上工业总产值达5.4万亿元。光明区规上工业总产值4726亿元。"
    shenzhen, guangming = extract(text, JAN_2024)
    assert (shenzhen.place, guangming.place) == ("深圳市", None)
    matcher = IndicatorMatcher([IndicatorRow("output", "规上工业总产值", "万亿元")])
    assert matcher.match(shenzhen) is None
    assert matcher.match(extract("全区规上工业总产值达5.4万亿元。", JAN_2024)[0]) == "output"


def test_a_comparison_or_a_rank_names_no_place():
    candidate = only("进出口增长9.8%,增速高于全国平均水平。", JAN_2024)
    assert candidate.place is None


@pytest.mark.parametrize(
    ("sentence", "measure"),
    [
        ("全区专精特新企业总数751家。", "level"),
        ("新增专精特新企业100家。", "increment"),
        ("地区生产总值增长8.6%。", "growth"),
        ("战略性新兴产业增加值占GDP比重提高至57.8%。", "share"),
        ("高新技术产业占比提高1.2个百分点。", "share_change"),
        ("地区生产总值增长到1721亿元。", "level"),
    ],
)
def test_what_a_figure_measures(sentence, measure):
    assert only(sentence).measure == measure


def test_an_increment_or_growth_rate_is_never_proposed_for_a_level_indicator():
    total = IndicatorRow("specialised", "专精特新企业", "家")
    matcher = IndicatorMatcher([total])
    increment = only("新增专精特新企业100家。")
    assert matcher.match(increment) is None
    assert matcher.level_match(increment) == "specialised"
    growth_row = IndicatorRow("gdp-growth", "地区生产总值增速", "%")
    growth = only("地区生产总值增长8.6%。")
    assert IndicatorMatcher([IndicatorRow("gdp", "地区生产总值比重", "%")]).match(growth) is None
    assert IndicatorMatcher([growth_row]).match(growth) == "gdp-growth"


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("粮食产量达到1.43万亿斤。", "1.43", "万亿斤"),
        ("汇聚数据超28亿条。", "28", "亿条"),
        ("集装箱吞吐量3000万标箱。", "3000", "万标箱"),
        ("机场起降架次55万架次。", "55", "万架次"),
        ("生猪出栏量120万头。", "120", "万头"),
        ("供水量25亿方。", "25", "亿方"),
    ],
)
def test_any_measure_word_is_a_unit(sentence, value, unit):
    assert (only(sentence).value, only(sentence).unit) == (value, unit)


@pytest.mark.parametrize(
    "sentence",
    [
        "打造百亿元级产业集群。",
        "围绕9个方面工作部署。",
        "连续10次获评优秀。",
        "建设千万吨炼化基地。",
        "量子科技、空天信息、通用智能等3个重点领域加快布局。",
        "全市37个大类行业中有行业增长。",
        "省级将给予最高1000万元奖补资金。",
    ],
)
def test_classes_and_the_structure_of_the_text_are_not_figures(sentence):
    assert extract(sentence, JAN_2024) == []


def test_the_figure_beside_a_class_is_kept():
    candidate = only("形成10家以上营收百亿元级企业。")
    assert (candidate.value, candidate.unit, candidate.qualifier) == ("10", "家", "at_least")
    examples = only("吸引了高巨创新、好盈科技等74家企业。")
    assert examples.value == "74"


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "qualifier"),
    [
        ("綠化覆蓋率不少於 70%。", "70", "%", "at_least"),
        ("全年舉辦活動約 500 次。", "500", "次", "about"),
        ("回收率至少 75%。", "75", "%", "at_least"),
    ],
)
def test_a_qualifier_reaches_its_figure_across_a_space(sentence, value, unit, qualifier):
    candidate = only(sentence)
    assert (candidate.value, candidate.unit, candidate.qualifier) == (value, unit, qualifier)


def test_a_qualifier_carries_across_and():
    first, second = extract("专精特新企业增至751家和“小巨人”企业56家。", JAN_2024)
    assert (first.qualifier, second.qualifier) == ("reach", "reach")


@pytest.mark.parametrize(
    ("sentence", "value", "value_max", "unit"),
    [
        ("经济增长4.5%—5%。", "4.5", "5", "%"),
        ("新建3—5家研究院。", "3", "5", "家"),
        ("新增2至3所学校。", "2", "3", "所"),
    ],
)
def test_a_range_is_its_floor_with_its_top(sentence, value, value_max, unit):
    candidate = only(sentence)
    assert (candidate.value, candidate.value_max, candidate.unit) == (value, value_max, unit)
    assert candidate.qualifier == "at_least"


def test_a_pair_shares_the_unit_written_after_it():
    first, second = extract("占比提高0.1和1.2个百分点。", JAN_2024)
    assert [(c.value, c.unit) for c in (first, second)] == [
        ("0.1", "个百分点"),
        ("1.2", "个百分点"),
    ]


@pytest.mark.parametrize(
    ("sentence", "period_end", "year_to_date"),
    [
        ("上半年,地区生产总值增长6.1%。", datetime.date(2024, 6, 30), True),
        ("一季度,地区生产总值增长5.2%。", datetime.date(2024, 3, 31), True),
        ("1-6月,规上工业增加值增长8.2%。", datetime.date(2024, 6, 30), True),
        ("前三季度,固定资产投资增长9%。", datetime.date(2024, 9, 30), True),
        ("1—10月份,增加值同比增长3.4%,增速比1—9月份加快0.5个百分点。", None, None),
        ("10月份增加值同比增长7.3%。", datetime.date(2024, 10, 31), False),
        ("全年地区生产总值增长8.6%。", None, False),
    ],
)
def test_a_period_named_before_a_figure_is_its_period(sentence, period_end, year_to_date):
    date = datetime.date(2024, 11, 20)
    candidate = extract(sentence, date)[0]
    if period_end is None and year_to_date is None:  # the first figure's, not the compared
        assert (candidate.period_end, candidate.year_to_date) == (
            date.replace(day=31, month=10),
            True,
        )
        return
    assert (candidate.period_end, candidate.year_to_date) == (period_end, year_to_date)


def test_a_multi_year_target_has_its_end_year_and_its_base():
    candidate = only("到2030年,人均地区生产总值在2025年基础上翻番达到30万元。", MARCH_2026)
    assert (candidate.kind, candidate.plan_year, candidate.base) == ("target", 2030, 2025)
    assert only("今年地区生产总值增长5%。", MARCH_2026).plan_year is None


def test_a_text_table_gives_each_cell_its_rows_subject_and_its_columns_unit_and_year():
    text = (
        "2024年全市地区生产总值及其增长速度\n"
        "指标\t绝对数(亿元)\t比上年增长%\n"
        "地区生产总值\t2313.0\t5.2\n"
        "| 其中:第一产业 | 287.0 | 2.2 |\n"
    )
    found = [
        (c.kind, c.year, c.subject, c.value, c.unit, c.measure) for c in extract(text, MARCH_2026)
    ]
    assert found == [
        ("result", 2024, "地区生产总值", "2313.0", "亿元", "level"),
        ("result", 2024, "地区生产总值", "5.2", "%", "growth"),
        ("result", 2024, "其中:第一产业", "287.0", "亿元", "level"),
        ("result", 2024, "其中:第一产业", "2.2", "%", "growth"),
    ]
    first = extract(text, MARCH_2026)[0]
    assert text[first.figure_start : first.figure_end] == "2313.0"


def test_columns_named_by_year_give_their_year():
    text = "指标（单位）\t2024年\t2025年\n企业数(家)\t751\t820\n"
    assert [(c.year, c.value, c.unit, c.kind) for c in extract(text, MARCH_2026)] == [
        (2024, "751", "家", "result"),
        (2025, "820", "家", "result"),
    ]


def test_the_json_form_has_the_new_optional_keys():
    item = only("上半年,深圳市新增企业100家。", datetime.date(2024, 7, 20)).as_json()
    assert {key: item[key] for key in ("period_end", "year_to_date", "place", "measure")} == {
        "period_end": "2024-06-30",
        "year_to_date": True,
        "place": "深圳市",
        "measure": "increment",
    }
    assert set(item) >= {"value_max", "plan_year", "base"}

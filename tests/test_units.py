"""Units as data (#24): the units table an indicator's unit is checked against, editable by
managers, and every reader of scale (English figures, the unit-slip guard, the extractor,
the open data) reading it; and every reporting form a manager sets in the admin."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kpis.extraction import extract
from kpis.models import Actual, Indicator, Unit
from kpis.plausibility import Yardstick, unusual_change
from kpis.scales import UnitScale, english_amount, slip_partner
from kpis.templatetags.kpis_tags import figure, figure_html
from kpis.units import table_unit_words

ADD_URL = "/admin/kpis/indicator/add/"


def scale_of(zh):
    return Unit.objects.get(zh=zh).scale


# --- the table ------------------------------------------------------------------------------


def test_the_catalogue_ships_the_units_a_district_reports_in(db):
    wanted = "家 亿元 个 人 % 只 万元 万人 万人次 平方米 亩 吨 万吨 个百分点 倍 万标箱 千瓦时 公里"
    wanted += " 万亿元 千元 万户 万辆 万平方米 公顷 万千瓦 亿千瓦时 微克/立方米 吨标准煤 万吨标准煤"
    assert set(wanted.split()) <= set(Unit.objects.values_list("zh", flat=True))


def test_each_scaled_unit_knows_its_base_and_scale(db):
    assert [scale_of(zh) for zh in ("千元", "万元", "亿元", "万亿元")] == [
        Decimal(10) ** 3,
        Decimal(10) ** 4,
        Decimal(10) ** 8,
        Decimal(10) ** 12,
    ]
    assert Unit.objects.get(zh="万人").base.zh == "人"
    assert Unit.objects.get(zh="万人次").base.zh == "人次"


def test_percentage_points_are_a_difference_of_rates_that_may_be_negative(make_indicator):
    points = make_indicator(unit="个百分点")
    people = make_indicator(unit="万人")
    assert Unit.objects.get(zh="个百分点").kind == Unit.Kind.POINTS
    assert points.value_error(Decimal("-0.5")) is None
    assert people.value_error(Decimal("-0.5")) is not None


def test_an_unknown_unit_is_refused_saying_how_to_add_it(make_indicator):
    indicator = make_indicator()
    indicator.unit = "万桶"
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            indicator.full_clean()
        message = str(refused.value.message_dict["unit"][0])
    assert "万桶" in message and "Units → Add unit" in message


def test_a_unit_added_to_the_table_can_be_chosen(make_indicator):
    barrel = Unit.objects.create(zh="桶", en="barrels", en_singular="barrel")
    Unit.objects.create(zh="万桶", en="10,000 barrels", base=barrel, scale=10_000)
    indicator = make_indicator(unit="万桶", decimals=1)
    indicator.full_clean()
    with translation.override("en"):
        assert figure(Decimal("2.5"), indicator) == "25,000 barrels"


def test_the_old_unit_names_stay_importable():
    assert (Indicator.Unit.ENTERPRISES, Indicator.Unit.YI_YUAN) == ("家", "亿元")


def test_a_scaled_unit_needs_its_scale(db):
    unit = Unit(zh="万桶", en="10,000 barrels", base=Unit.objects.get(zh="吨"), scale=1)
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert "scale" in refused.value.message_dict


def test_a_manager_adds_a_unit_in_the_admin(client, manager):
    client.force_login(manager)
    base = Unit.objects.get(zh="吨")
    fields = {"zh": "千吨", "en": "thousand tonnes", "kind": "amount"}
    client.post("/admin/kpis/unit/add/", fields | {"base": base.pk, "scale": "1000"})
    assert Unit.objects.get(zh="千吨").scale == 1000


def test_a_unit_in_use_cannot_be_deleted_or_renamed(client, admin_user, make_indicator):
    make_indicator(unit="万人")
    client.force_login(admin_user)
    unit = Unit.objects.get(zh="万人")
    html = client.get(f"/admin/kpis/unit/{unit.pk}/change/").content.decode()
    assert 'name="zh"' not in html
    assert client.post(f"/admin/kpis/unit/{unit.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Unit.objects.filter(zh="万人").exists()


# --- figures in both languages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "decimals", "value", "chinese", "english"),
    [
        ("亿元", 1, "1.2", "1.2亿元", "120 million yuan"),
        ("亿元", 0, "400", "400亿元", "40 billion yuan"),
        ("万人", 1, "3.5", "3.5万人", "35,000 people"),
        ("万人", 0, "120", "120万人", "1.2 million people"),
        ("万亿元", 1, "1.2", "1.2万亿元", "1.2 trillion yuan"),
        ("万元", 0, "12", "12万元", "120,000 yuan"),
        ("千元", 0, "5", "5千元", "5,000 yuan"),
        ("万吨标准煤", 1, "3.5", "3.5万吨标准煤", "35,000 tonnes of standard coal"),
        ("微克/立方米", 0, "28", "28微克/立方米", "28 μg/m³"),
        ("个百分点", 1, "0.5", "0.5个百分点", "0.5 percentage points"),
        ("人", 0, "1", "1人", "1 person"),
        ("%", 1, "6.5", "6.5%", "6.5%"),
    ],
)
def test_figures_are_written_in_each_language_from_the_units_table(
    make_indicator, unit, decimals, value, chinese, english
):
    indicator = make_indicator(unit=unit, decimals=decimals)
    with translation.override("zh-hans"):
        assert figure(Decimal(value), indicator) == chinese
    with translation.override("en"):
        assert figure(Decimal(value), indicator) == english


def test_an_english_page_keeps_the_chinese_amount_of_any_scaled_unit_in_its_title(
    make_indicator,
):
    indicator = make_indicator(unit="万人", decimals=1)
    with translation.override("en"):
        html = figure_html(Decimal("3.5"), indicator)
    assert html == '<span title="3.5万人">35,000 people</span>'


def test_english_amounts_follow_the_indicators_decimals():
    yuan = UnitScale(zh="亿元", en="100 million yuan", base="元", scale=Decimal(10**8))
    yuan = UnitScale(**{**vars(yuan), "base_en": "yuan"})

    def plain(number, places):
        return f"{number:,.{places}f}"

    with translation.override("en"):
        assert english_amount(Decimal("1.23"), yuan, 2, plain) == "123 million yuan"
        assert english_amount(Decimal("75"), yuan, 0, plain) == "7.5 billion yuan"


def test_the_figure_entry_page_names_the_unit_in_english(
    client, official, department, make_indicator
):
    indicator = make_indicator(unit="万人次", department=department)
    client.force_login(official)
    html = client.get(f"/en/my/enter/{indicator.code}/2024-03-31/").content.decode()
    assert "in 10,000 visits." in html


# --- the unit-slip guard ---------------------------------------------------------------------


def warning_for(indicator, value, language):
    with translation.override(language):
        return Actual(indicator=indicator).unconfirmed_warning(
            indicator, datetime.date(2025, 6, 30), Decimal(value), False, ""
        )


@pytest.fixture
def wan_yuan(make_indicator, make_actual):
    """An indicator counted in 万元 whose last figure was 12万元."""
    indicator = make_indicator(unit="万元", value_type="stock")
    make_actual(indicator, period_end=datetime.date(2025, 3, 31), value="12")
    return indicator


def test_a_figure_ten_thousand_times_too_large_in_wan_yuan_is_the_yuan_slip(wan_yuan):
    warning = warning_for(wan_yuan, "120000", "zh-hans")
    assert "（元、万元）" in warning and "12万元" in warning


def test_the_slip_message_names_the_units_in_english_on_an_english_page(wan_yuan):
    warning = warning_for(wan_yuan, "120000", "en")
    assert "(120,000 yuan)" in warning.replace("120000", "120,000")
    assert "check the unit (yuan / 10,000 yuan)" in warning
    assert "元" not in warning


def test_a_figure_ten_thousand_times_too_small_is_the_yi_yuan_slip(wan_yuan):
    assert "（万元、亿元）" in warning_for(wan_yuan, "0.0012", "zh-hans")


def test_a_plausible_figure_in_wan_yuan_is_not_held(wan_yuan):
    assert warning_for(wan_yuan, "13", "en") is None


def test_the_slip_partner_is_found_by_scale_alone():
    yuan = UnitScale(zh="元", en="yuan", base="元")
    wan = UnitScale(zh="万元", en="10,000 yuan", base="元", scale=Decimal(10**4))
    yi = UnitScale(zh="亿元", en="100 million yuan", base="元", scale=Decimal(10**8))
    assert slip_partner(wan, Decimal(9_800), [yuan, wan, yi]) == yuan
    assert slip_partner(wan, Decimal("0.0001"), [yuan, wan, yi]) == yi
    assert slip_partner(wan, Decimal(1000), [yuan, wan, yi]) is None


def test_the_rule_reads_only_the_unit_it_is_handed():
    barrel = UnitScale(zh="桶", en="barrels", base="桶")
    wan = UnitScale(zh="万桶", en="10,000 barrels", base="桶", scale=Decimal(10**4))
    with translation.override("zh-hans"):
        warning = unusual_change(Yardstick(Decimal(3)), Decimal(30_000), wan, [barrel, wan])
    assert "桶、万桶" in warning


def test_a_cumulative_growth_rate_that_falls_is_not_held(make_indicator, make_actual):
    indicator = make_indicator(
        unit="%", value_type="rate", reported_as="year_to_date", frequency="monthly"
    )
    make_actual(indicator, period_end=datetime.date(2025, 5, 31), value="6.5")
    assert warning_for(indicator, "6.2", "en") is None


# --- the extractor -------------------------------------------------------------------------


def test_the_extractor_reads_any_unit_of_the_table(db):
    text = "2025年PM2.5年均浓度控制在28微克/立方米以内，能源消费总量控制在35万吨标准煤以内。"
    found = extract(text, datetime.date(2025, 1, 20), table_unit_words())
    assert [(c.value, c.unit) for c in found] == [("28", "微克/立方米"), ("35", "万吨标准煤")]


def test_without_the_table_the_extractor_keeps_its_own_units():
    text = "2025年PM2.5年均浓度控制在28微克/立方米以内。"
    assert [c.unit for c in extract(text, datetime.date(2025, 1, 20))] != ["微克/立方米"]


# --- open data ------------------------------------------------------------------------------


def test_an_indicators_open_data_gives_its_units_scale(anonymous, make_indicator, make_actual):
    indicator = make_indicator(unit="亿元")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="1.2")
    history = json.loads(anonymous.get(f"/data/indicators/{indicator.code}.json").content)
    assert (history["unit"], history["unit_base"], history["unit_scale"]) == (
        "亿元",
        "元",
        "100000000",
    )
    assert history["unit_en"] == "100 million yuan"


# --- the admin's indicator form ------------------------------------------------------------


def add_form(theme, **fields):
    data = {
        "name_en": "An indicator",
        "theme": theme.pk,
        "decimals": 0,
        "direction": "increase",
        "frequency": "monthly",
        "position": 0,
        "is_public": "on",
        "seasonal_profile": "null",
        "change_reason": "2025年统计公报",
    }
    for prefix in ("targets", "actuals"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | fields


@pytest.fixture
def managing(client, manager):
    client.force_login(manager)
    return client


def test_a_manager_sets_up_a_cumulative_industrial_growth_rate(managing, theme):
    fields = add_form(
        theme,
        code="industrial-value-added-growth",
        name="规模以上工业增加值增速",
        unit="%",
        decimals=1,
        value_type="rate",
        growth_basis="comparable_prices",
        reported_as="year_to_date",
        release_lag_days=18,
    )
    managing.post(ADD_URL, fields)
    indicator = Indicator.objects.get(code="industrial-value-added-growth")
    assert (indicator.reported_as, indicator.release_lag_days, indicator.growth_basis) == (
        "year_to_date",
        18,
        "comparable_prices",
    )


def test_a_manager_sets_up_retail_sales_in_yi_yuan_reported_cumulatively(
    managing, theme, make_actual
):
    fields = add_form(theme, code="retail-sales", name="社会消费品零售总额", unit="亿元")
    managing.post(
        ADD_URL, fields | {"decimals": 1, "value_type": "flow", "reported_as": "year_to_date"}
    )
    indicator = Indicator.objects.get(code="retail-sales")
    assert (indicator.unit, indicator.reported_as) == ("亿元", "year_to_date")
    with translation.override("en"):
        assert figure(Decimal("1234.5"), indicator) == "123.45 billion yuan"


def test_a_manager_sets_up_new_urban_jobs_in_wan_people(managing, theme):
    fields = add_form(theme, code="new-urban-jobs", name="城镇新增就业", unit="万人")
    managing.post(ADD_URL, fields | {"decimals": 2, "value_type": "flow", "frequency": "annual"})
    indicator = Indicator.objects.get(code="new-urban-jobs")
    with translation.override("en"):
        assert figure(Decimal("3.5"), indicator) == "35,000 people"


def test_a_manager_sets_up_pm25_concentration_where_lower_is_better(managing, theme):
    fields = add_form(theme, code="pm25", name="PM2.5年均浓度", unit="微克/立方米")
    managing.post(ADD_URL, fields | {"direction": "decrease", "value_type": "stock"})
    indicator = Indicator.objects.get(code="pm25")
    assert (indicator.unit, indicator.direction) == ("微克/立方米", "decrease")


def test_the_add_form_offers_the_units_table_and_explains_each_reporting_form(managing):
    html = managing.get(ADD_URL).content.decode()
    assert '<option value="微克/立方米">' in html
    assert "增速口径" in html and "1–6月累计" in html and "15–20" in html


def test_a_basis_on_an_indicator_that_is_no_growth_rate_is_refused(managing, theme):
    fields = add_form(theme, code="retail", name="零售额", unit="亿元", value_type="flow")
    response = managing.post(ADD_URL, fields | {"growth_basis": "year_on_year"})
    assert "只有增速才有计算口径" in response.content.decode()
    assert not Indicator.objects.filter(code="retail").exists()


def test_an_unknown_unit_posted_to_the_add_form_is_refused(managing, theme):
    fields = add_form(theme, code="oil", name="原油产量", unit="万桶", value_type="flow")
    response = managing.post(ADD_URL, fields)
    assert "计量单位 → 增加计量单位" in response.content.decode()
    assert not Indicator.objects.filter(code="oil").exists()

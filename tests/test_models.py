import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kpis.models import Actual, Target


def test_database_refuses_a_second_figure_for_the_same_period(make_indicator, make_actual):
    indicator = make_indicator()
    make_actual(indicator, period_end=datetime.date(2024, 3, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(indicator=indicator, period_end=datetime.date(2024, 3, 31), value=2)
    assert indicator.actuals.count() == 1


def test_database_refuses_a_second_target_for_the_same_year(make_indicator, source):
    indicator = make_indicator(target="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=indicator, year=2024, value=11, source=source, quote="…")
    assert indicator.targets.get().value == 10


def test_database_refuses_a_published_figure_without_review(make_indicator):
    indicator = make_indicator()
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(
            indicator=indicator,
            period_end=datetime.date(2024, 3, 31),
            value=1,
            status=Actual.Status.PUBLISHED,
        )


def test_database_refuses_a_baseline_value_without_its_year(make_indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator(baseline_value=5)


def test_quarterly_figure_must_end_on_a_quarter_end(make_indicator):
    actual = Actual(indicator=make_indicator(), period_end=datetime.date(2024, 5, 31), value=1)
    with pytest.raises(ValidationError) as error:
        actual.full_clean()
    assert "period_end" in error.value.message_dict


def test_figure_for_a_period_that_has_not_ended_is_refused(make_indicator):
    actual = Actual(indicator=make_indicator(), period_end=datetime.date(2099, 12, 31), value=1)
    with pytest.raises(ValidationError) as error:
        actual.full_clean()
    with translation.override("en"):
        assert "has not ended" in str(error.value.message_dict["period_end"])


def test_negative_count_is_refused_with_a_clear_message_in_both_languages(make_indicator):
    actual = Actual(indicator=make_indicator(), period_end=datetime.date(2024, 3, 31), value=-1)
    with pytest.raises(ValidationError) as error:
        actual.full_clean()
    with translation.override("en"):
        assert error.value.message_dict["value"] == ["Counts and money cannot be negative."]
    with translation.override("zh-hans"):
        assert error.value.message_dict["value"] == ["数量和金额不能为负数。"]


def test_monthly_indicator_has_twelve_periods(make_indicator):
    indicator = make_indicator(frequency="monthly")
    ends = indicator.period_ends(2024)
    assert (len(ends), ends[1]) == (12, datetime.date(2024, 2, 29))

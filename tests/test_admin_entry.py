import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kpis import roles
from kpis.admin import ActualAdmin
from kpis.models import Actual, Indicator
from tests.conftest import make_user


@pytest.fixture
def admin_client_zh(client, admin_user):
    client.force_login(admin_user)
    return client


def test_indicator_list_shows_latest_figure_and_status(
    year_2024_open, admin_client_zh, article, make_actual
):
    indicator = Indicator.objects.get(code="synbio-valuation")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="260")
    html = admin_client_zh.get("/admin/kpis/indicator/?q=synbio-valuation").content.decode()
    assert "260亿元 (2024年二季度)" in html
    assert "进度正常 (2024)" in html


def test_indicator_list_costs_no_query_per_row(
    admin_client_zh, article, make_actual, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        admin_client_zh.get("/admin/kpis/indicator/")
    for indicator in Indicator.objects.all():
        make_actual(indicator, period_end=datetime.date(2023, 12, 31), value="5")
    with django_assert_max_num_queries(len(few)):
        admin_client_zh.get("/admin/kpis/indicator/")


def test_official_enters_a_figure_through_the_admin_form(client, official, department, article):
    indicator = Indicator.objects.get(code="brain-science-enterprises")
    indicator.department = department
    indicator.save()
    client.force_login(official)
    response = client.post(
        "/admin/kpis/actual/add/",
        {
            "indicator": indicator.pk,
            "period_end": "2024-03-31",
            "value": "41",
            "note": "来自季度统计",
            "evidence_url": "",
        },
    )
    assert response.status_code == 302
    actual = Actual.objects.get(indicator=indicator)
    assert (actual.value, actual.status, actual.entered_by) == (41, "draft", official)


def test_admin_form_explains_a_wrong_period_in_chinese(client, official, department, article):
    indicator = Indicator.objects.get(code="brain-science-enterprises")
    indicator.department = department
    indicator.save()
    client.force_login(official)
    response = client.post(
        "/admin/kpis/actual/add/",
        {"indicator": indicator.pk, "period_end": "2024-05-31", "value": "41"},
    )
    assert "不是季度报告期的最后一天" in response.content.decode()
    assert not Actual.objects.exists()


def test_admin_fields_carry_chinese_labels_and_unit_help(admin_client_zh, article):
    html = admin_client_zh.get("/admin/kpis/actual/add/").content.decode()
    assert "报告期末" in html
    with translation.override("en"):
        assert "100 million yuan" in str(Indicator._meta.get_field("unit").help_text)


def test_reviewer_publishes_selected_figures_and_is_recorded(
    client, reviewer, article, make_actual
):
    actual = make_actual(
        Indicator.objects.get(code="synbio-valuation"),
        period_end=datetime.date(2024, 3, 31),
        value="150",
        status=Actual.Status.SUBMITTED,
    )
    client.force_login(reviewer)
    client.post(
        "/admin/kpis/actual/",
        {"action": "publish_selected", "_selected_action": [actual.pk]},
    )
    actual.refresh_from_db()
    assert (actual.status, actual.reviewed_by) == ("published", reviewer)


def test_records_the_app_writes_are_shown_but_not_edited(admin_client_zh, department):
    from kpis.models import Reminder

    Reminder.objects.create(department=department, stage="overdue", subject="x:2024-03-31")
    listing = admin_client_zh.get("/admin/kpis/reminder/")
    assert "x:2024-03-31" in listing.content.decode()
    assert admin_client_zh.get("/admin/kpis/snapshot/add/").status_code == 403
    assert admin_client_zh.get("/admin/kpis/reminder/add/").status_code == 403
    reminder = Reminder.objects.get()
    change = f"/admin/kpis/reminder/{reminder.pk}/change/"
    assert 'name="_save"' not in admin_client_zh.get(change).content.decode()
    assert admin_client_zh.post(change, {"subject": "changed"}).status_code == 403
    reminder.refresh_from_db()
    assert reminder.subject == "x:2024-03-31"


def test_an_officials_figure_page_in_the_admin_checks_departments_once(
    client, official, department, make_indicator, make_actual, django_assert_max_num_queries
):
    indicator = make_indicator(target="100", department=department)
    actual = make_actual(
        indicator, period_end=datetime.date(2024, 3, 31), value="5", status="draft"
    )
    client.force_login(official)
    # Every permission check of the page reads the official's departments; they are read
    # once (the page took 25 queries when each check asked again).
    with django_assert_max_num_queries(10):
        response = client.get(f"/admin/kpis/actual/{actual.pk}/change/")
    assert 'name="_save"' in response.content.decode()


def test_figure_lists_show_values_with_units_trimmed_to_the_indicators_decimals(
    admin_client_zh, article, make_actual
):
    indicator = Indicator.objects.get(code="synbio-valuation")  # 亿元, one decimal
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="310")
    html = admin_client_zh.get("/admin/kpis/actual/").content.decode()
    assert "310.0000" not in html and "310亿元" in html


def test_indicator_page_lists_its_figures_with_units(admin_client_zh, article, make_actual):
    indicator = Indicator.objects.get(code="synbio-valuation")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="310")
    html = admin_client_zh.get(f"/admin/kpis/indicator/{indicator.pk}/change/").content.decode()
    assert "310.0000" not in html and "310亿元" in html


def test_change_lists_have_plain_headings(admin_client_zh):
    html = admin_client_zh.get("/admin/kpis/actual/").content.decode()
    assert "<h1>实际数据</h1>" in html and "来修改" not in html


def test_a_new_indicators_code_is_made_from_its_english_name_without_javascript(
    client, manager, theme
):
    client.force_login(manager)
    fields = {
        "name": "种子基金",
        "name_en": "Seed funds in operation",
        "theme": theme.pk,
        "unit": "只",
        "decimals": 0,
        "direction": "increase",
        "value_type": "stock",
        "frequency": "annual",
        "position": 0,
        "is_public": "on",
        "seasonal_profile": "null",
    }
    for prefix in ("targets", "interim_targets", "actuals"):
        fields |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    client.post("/admin/kpis/indicator/add/", fields)
    assert Indicator.objects.get(name="种子基金").code == "seed-funds-in-operation"


def test_two_officials_adding_the_same_period_at_once_get_a_form_error_not_a_server_error(
    client, official, department, article, monkeypatch
):
    indicator = Indicator.objects.get(code="brain-science-enterprises")
    indicator.department = department
    indicator.save()
    colleague = make_user("colleague", roles.DATA_ENTRY)
    department.members.add(colleague)
    save_model = ActualAdmin.save_model

    def colleague_saves_first(self, request, obj, form, change):
        # The colleague's figure arrives after this form was validated, before it is saved.
        monkeypatch.setattr(ActualAdmin, "save_model", save_model)
        Actual.objects.create(
            indicator=indicator, period_end=obj.period_end, value=40, entered_by=colleague
        )
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(ActualAdmin, "save_model", colleague_saves_first)
    client.raise_request_exception = False
    client.force_login(official)
    response = client.post(
        "/admin/kpis/actual/add/",
        {"indicator": indicator.pk, "period_end": "2024-03-31", "value": "41", "note": ""},
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert translation.gettext("A figure for this period already exists.") in (
            response.content.decode()
        )
    assert Actual.objects.get(indicator=indicator).entered_by == colleague

import re
from decimal import Decimal

import pytest

from kpis.models import Indicator, Source


@pytest.fixture
def revised(article, admin_user, client):
    """The synthetic biology target raised from 400 to 450 through the admin, with a reason
    and a new source document."""
    indicator = Indicator.objects.get(code="synbio-valuation")
    target = indicator.targets.get()
    plan = Source.objects.create(
        title="光明区2024年中期调整", publisher="光明区政府", published_on="2024-07-01"
    )
    target.value = Decimal(450)
    target.source = plan
    target._change_reason = "年中调整目标"
    target.save()
    return indicator


def test_indicator_page_lists_the_old_and_new_target_with_date_reason_and_source(
    anonymous, revised
):
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    section = html.split('id="revisions"', 1)[1].split("</ul>", 1)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "more than 400.0 × 100 million yuan → more than 450.0 × 100 million yuan" in text
    assert "Reason: 年中调整目标" in text and "光明区2024年中期调整" in text
    assert "Source: 光明区政府, July 1, 2024, 光明区2024年中期调整" in text


def test_overview_marks_an_indicator_whose_target_was_revised(anonymous, revised):
    html = anonymous.get("/en/").content.decode()
    assert '/en/indicators/synbio-valuation/?year=2024#revisions">revised</a>' in html
    assert html.count('class="revised-mark"') == 1


def test_a_baseline_change_is_listed_too(anonymous, article):
    indicator = Indicator.objects.get(code="high-tech-enterprises")
    indicator.baseline_value = Decimal(2100)
    indicator._change_reason = "统计口径更新"
    indicator.save()
    html = anonymous.get("/en/indicators/high-tech-enterprises/").content.decode()
    assert "Baseline:" in html and "统计口径更新" in html
    revisions = html.split('id="revisions"', 1)[1]
    assert "Baseline:" in revisions
    assert "more than 2,000 enterprises → more than 2,100 enterprises" in revisions


def test_an_edit_that_keeps_the_value_is_not_a_revision(anonymous, article):
    target = Indicator.objects.get(code="synbio-valuation").targets.get()
    target.quote = target.quote + " "
    target.save()
    assert (
        'id="revisions"' not in anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    )


# A public target is never replaced without a public trace (issue 13, item 1)


def change_form_data(response):
    """What the admin's change page would post back unchanged: its form and inline forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value
    return data


@pytest.fixture
def manager_on_synbio(article, manager, client):
    client.force_login(manager)
    indicator = Indicator.objects.get(code="synbio-valuation")
    page = client.get(f"/admin/kpis/indicator/{indicator.pk}/change/")
    return client, indicator, change_form_data(page)


def test_a_public_target_cannot_be_deleted_from_the_indicators_admin_page(manager_on_synbio):
    client, indicator, data = manager_on_synbio
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", {**data, "targets-0-DELETE": "on"})
    assert indicator.targets.get().value == 400


def test_a_deleted_target_cannot_be_replaced_by_a_new_one_for_the_same_year(
    manager_on_synbio, anonymous
):
    client, indicator, data = manager_on_synbio
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", {**data, "targets-0-DELETE": "on"})
    page = client.get(f"/admin/kpis/indicator/{indicator.pk}/change/")
    data = change_form_data(page)
    new_row = {
        "targets-TOTAL_FORMS": "2",
        "targets-1-indicator": indicator.pk,
        "targets-1-year": "2024",
        "targets-1-value": "250",
        "targets-1-qualifier": "over",
        "targets-1-source": indicator.targets.get().source_id,
        "targets-1-quote": "2024年估值超250亿元。",
    }
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", {**data, **new_row})
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert "more than 250" not in html
    assert list(indicator.targets.values_list("value", flat=True)) == [400]


def test_the_year_of_a_public_target_cannot_be_moved(manager_on_synbio):
    client, indicator, data = manager_on_synbio
    data.update({"targets-0-year": "2025", "targets-0-change_reason": "改年份"})
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", data)
    assert indicator.targets.get().year == 2024


def test_a_public_indicator_and_its_targets_are_never_deleted_in_the_admin(
    article, admin_user, client
):
    client.force_login(admin_user)
    indicator = Indicator.objects.get(code="synbio-valuation")
    client.post(f"/admin/kpis/indicator/{indicator.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/kpis/indicator/",
        {"action": "delete_selected", "_selected_action": [indicator.pk], "post": "yes"},
    )
    assert indicator.targets.count() == 1


def test_a_withdrawn_target_is_published_with_its_reason(manager_on_synbio, anonymous):
    client, indicator, data = manager_on_synbio
    data["targets-0-withdrawal_reason"] = "该集群目标并入全区产业规划"
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", data)
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    revisions = html.split('id="revisions"', 1)[1].split("</ul>", 1)[0]
    assert "withdrawn" in revisions and "该集群目标并入全区产业规划" in revisions
    assert "2024年" in html  # the article's sentence stays among the sources


def test_the_overview_marks_a_withdrawn_target_with_a_link_to_its_reason(
    manager_on_synbio, anonymous
):
    client, indicator, data = manager_on_synbio
    data["targets-0-withdrawal_reason"] = "该集群目标并入全区产业规划"
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", data)
    html = anonymous.get("/en/").content.decode()
    assert '/en/indicators/synbio-valuation/?year=2024#revisions">withdrawn</a>' in html


def test_a_target_replaced_before_deletions_were_refused_is_listed_where_revised_points(
    anonymous, article
):
    indicator = Indicator.objects.get(code="synbio-valuation")
    old = indicator.targets.get()
    source, quote = old.source, old.quote
    old.delete()
    indicator.targets.create(year=2024, value=250, qualifier="over", source=source, quote=quote)
    overview = anonymous.get("/en/").content.decode()
    page = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert "#revisions" in overview
    revisions = page.split('id="revisions"', 1)[1].split("</ul>", 1)[0]
    assert "more than 400.0" in revisions and "more than 250.0" in revisions


def test_a_new_target_value_needs_the_document_it_comes_from(manager_on_synbio):
    client, indicator, data = manager_on_synbio
    data.update({"targets-0-value": "250", "targets-0-change_reason": "下调"})
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", data)
    assert indicator.targets.get().value == 400


def test_a_target_revised_with_its_new_source_is_saved_and_listed(manager_on_synbio, anonymous):
    client, indicator, data = manager_on_synbio
    plan = Source.objects.create(
        title="光明区2024年中期调整", publisher="光明区政府", published_on="2024-07-01"
    )
    data.update(
        {
            "targets-0-value": "450",
            "targets-0-source": plan.pk,
            "targets-0-change_reason": "年中调整目标",
        }
    )
    client.post(f"/admin/kpis/indicator/{indicator.pk}/change/", data)
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert "more than 450.0" in html.split('id="revisions"', 1)[1]

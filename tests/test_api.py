"""The write API for departments' systems (/api/v1/): tokens, the figure's rules and the
workflow behind it, and every kind of bad input answered with a clear JSON error."""

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from api.models import Token, TokenUse
from kpis.models import Actual, Indicator

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 6, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def token_key(department):
    token = Token(name="区统计局数据平台")
    key = token.issue()
    token.grant([department])
    return key


@pytest.fixture
def system(token_key):
    """A department's system: a client that sends its token with every request."""
    return Client(headers={"Authorization": f"Bearer {token_key}"})


@pytest.fixture
def quarterly(make_indicator, department):
    return make_indicator(code="hte", department=department, unit=Indicator.Unit.ENTERPRISES)


@pytest.fixture
def foreign(make_indicator, other_department):
    return make_indicator(code="foreign", department=other_department)


def put(client, code, period_end, body, **headers):
    return client.put(
        f"/api/v1/indicators/{code}/figures/{period_end}/",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_a_request_without_a_token_is_refused_in_both_languages(quarterly):
    response = put(Client(), "hte", "2026-09-30", {"value": "2100"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()["message"]) == {"zh", "en"}
    assert not Actual.objects.exists()


@pytest.mark.parametrize("change", ["expired", "revoked", "address"])
def test_an_expired_revoked_or_foreign_address_token_is_refused_and_its_use_recorded(
    system, quarterly, change
):
    token = Token.objects.get()
    if change == "expired":
        token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    elif change == "revoked":
        token.revoked_at = timezone.now()
    else:
        token.allowed_addresses = "10.20.0.0/16\n192.0.2.7"
    token.save()
    response = put(system, "hte", "2026-09-30", {"value": "2100"})
    assert response.status_code == 401
    assert not Actual.objects.exists()
    assert TokenUse.objects.get().refusal == change


def test_a_token_from_an_allowed_address_is_accepted(system, quarterly):
    Token.objects.update(allowed_addresses="127.0.0.0/8")
    assert put(system, "hte", "2026-09-30", {"value": "2100"}).status_code == 201


def test_a_system_lists_its_departments_indicators_with_the_periods_due(
    system, quarterly, foreign, reporting_since_2024
):
    rows = system.get("/api/v1/indicators/").json()
    assert [row["code"] for row in rows] == ["hte"]
    assert {"period_end": "2026-09-30", "deadline": "2026-10-15", "overdue": True,
            "backfill": False} in rows[0]["due"]  # fmt: skip


def test_a_figure_sent_is_saved_and_submitted_in_the_tokens_account(system, quarterly):
    response = put(system, "hte", "2026-09-30", {"value": "2100.0"})
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    figure = Actual.objects.get()
    assert (figure.value, figure.entered_by.username) == (Decimal("2100"), "api:区统计局数据平台")


def test_a_json_number_is_read_as_a_decimal_without_float_error(system, quarterly):
    response = put(system, "hte", "2026-09-30", {"value": 2100.1})
    assert response.json()["value"] == "2100.1"
    assert Actual.objects.get().value == Decimal("2100.1")


def test_sending_the_same_figure_again_changes_nothing_even_under_review(system, quarterly):
    body = {"value": "2100", "note": "季报"}
    first = put(system, "hte", "2026-09-30", body).json()
    again = put(system, "hte", "2026-09-30", body)
    assert again.status_code == 200
    assert again.json()["version"] == first["version"]
    assert Actual.objects.get().history.count() == 1


def test_a_figure_under_review_cannot_be_changed(system, quarterly):
    put(system, "hte", "2026-09-30", {"value": "2100"})
    response = put(system, "hte", "2026-09-30", {"value": "2110"})
    assert response.status_code == 409
    assert response.json()["error"] == "under_review"
    assert Actual.objects.get().value == Decimal("2100")


def test_another_departments_indicator_answers_as_if_it_did_not_exist(system, foreign):
    theirs = put(system, "foreign", "2026-09-30", {"value": "1"})
    nobody = put(system, "no-such-code", "2026-09-30", {"value": "1"})
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.json()["message"]["en"].replace("foreign", "X") == nobody.json()["message"][
        "en"
    ].replace("no-such-code", "X")
    assert not Actual.objects.exists()


def test_a_period_not_of_the_indicator_or_not_over_gets_field_errors_in_both_languages(
    system, quarterly
):
    wrong = put(system, "hte", "2026-08-31", {"value": "2100"})
    future = put(system, "hte", "2026-12-31", {"value": "2100"})
    assert wrong.status_code == future.status_code == 400
    message = wrong.json()["fields"]["period_end"][0]
    assert "quarterly" in message["en"] and "季" in message["zh"]
    assert "not ended" in future.json()["fields"]["period_end"][0]["en"]
    assert not Actual.objects.exists()


def test_a_unit_slip_is_held_with_422_until_confirmed_and_explained(system, quarterly, make_actual):
    make_actual(quarterly, period_end=datetime.date(2026, 6, 30), value="2000")
    held = put(system, "hte", "2026-09-30", {"value": "20000000"})
    assert held.status_code == 422
    assert held.json()["error"] == "unusual"
    kept = put(
        system,
        "hte",
        "2026-09-30",
        {"value": "20000000", "confirm_unusual": True, "note": "口径调整，已核实"},
    )
    assert kept.status_code == 201


def test_if_match_with_an_old_version_is_a_conflict(system, quarterly):
    draft = {"value": "2100", "submit": False}
    put(system, "hte", "2026-09-30", draft)
    stale = put(system, "hte", "2026-09-30", {**draft, "value": "2105"}, **{"If-Match": "7"})
    fresh = put(system, "hte", "2026-09-30", {**draft, "value": "2105"}, **{"If-Match": "1"})
    assert (stale.status_code, fresh.status_code) == (409, 200)
    assert Actual.objects.get().value == Decimal("2105")


def test_a_figure_needing_an_explanation_is_not_submitted_without_one(
    system, quarterly, make_actual
):
    figure = make_actual(quarterly, period_end=datetime.date(2026, 9, 30), value="2000")
    Actual.objects.filter(pk=figure.pk).update(explanation_requested=True, status="returned")
    refused = put(system, "hte", "2026-09-30", {"value": "2000"})
    explanation = {"progress": "已完成", "problems": "无", "next_steps": "跟进"}
    explained = put(system, "hte", "2026-09-30", {"value": "2000", "explanation": explanation})
    assert refused.status_code == 400
    assert explained.status_code == 200 and explained.json()["status"] == "submitted"


def test_a_published_figure_sent_with_another_value_is_a_correction_under_review(
    system, quarterly, make_actual, reviewer
):
    make_actual(quarterly, period_end=datetime.date(2026, 9, 30), value="2000")
    response = put(system, "hte", "2026-09-30", {"value": "2050"})
    figure = Actual.objects.get()
    assert response.json()["status"] == "submitted"
    assert (figure.value, figure.published_value) == (Decimal("2050"), Decimal("2000"))


@pytest.fixture
def staged(make_indicator, department):
    return make_indicator(code="gdp", department=department, has_release_stages=True)


def test_a_figure_of_an_indicator_published_in_stages_needs_its_stage(system, staged):
    refused = put(system, "gdp", "2026-09-30", {"value": "2100"})
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"stage"}
    assert not Actual.objects.exists()
    body = {"value": "2100", "stage": "preliminary", "flags": ["estimated"]}
    response = put(system, "gdp", "2026-09-30", body)
    assert response.status_code == 201
    assert (response.json()["stage"], response.json()["flags"]) == ("preliminary", ["estimated"])
    figure = Actual.objects.get()
    assert (figure.stage, figure.flags) == ("preliminary", ["estimated"])


def test_a_later_stage_by_the_api_is_a_correction_and_a_body_without_it_keeps_the_stage(
    system, staged, make_actual
):
    make_actual(staged, period_end=datetime.date(2026, 9, 30), value="2000", stage="preliminary")
    response = put(system, "gdp", "2026-09-30", {"value": "2050", "stage": "verified"})
    assert (response.json()["status"], response.json()["stage"]) == ("submitted", "verified")
    again = put(system, "gdp", "2026-09-30", {"value": "2050", "submit": False})
    assert again.status_code == 200
    assert again.json()["stage"] == "verified"
    assert again.json()["version"] == response.json()["version"]


def test_a_series_break_by_the_api_needs_its_note_and_an_unknown_flag_is_refused(system, quarterly):
    refused = put(system, "hte", "2026-09-30", {"value": "2100", "flags": ["series_break"]})
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"series_break_note"}
    unknown = put(system, "hte", "2026-09-30", {"value": "2100", "flags": ["guessed"]})
    assert unknown.status_code == 400
    assert not Actual.objects.exists()
    noted = {"value": "2100", "flags": ["series_break"], "series_break_note": "统计口径调整"}
    assert put(system, "hte", "2026-09-30", noted).status_code == 201


def test_a_reviewer_publishes_what_the_system_sent_and_the_public_sees_it(
    system, quarterly, reviewer
):
    put(system, "hte", "2026-09-30", {"value": "2100"})
    figure = Actual.objects.get()
    assert not figure.entered_by.has_perm("kpis.review_actual")
    figure.publish(reviewer)
    figure.save()
    page = Client().get("/indicators/hte/").content.decode()
    assert "2,100" in page or "2100" in page


def test_a_batch_is_all_or_nothing_with_errors_by_item(system, quarterly, foreign):
    body = {
        "figures": [
            {"indicator": "hte", "period_end": "2026-06-30", "value": "2000"},
            {"indicator": "foreign", "period_end": "2026-06-30", "value": "1"},
            {"indicator": "hte", "period_end": "2026-07-31", "value": "2050"},
        ]
    }
    response = system.post("/api/v1/figures/batch/", body, content_type="application/json")
    assert response.status_code == 400
    assert [(item["index"], item["status"]) for item in response.json()["items"]] == [
        (1, 404),
        (2, 400),
    ]
    assert not Actual.objects.exists()


def test_a_good_batch_saves_every_figure(system, quarterly):
    figures = [
        {"indicator": "hte", "period_end": f"2026-{month:02}-{day}", "value": str(2000 + month)}
        for month, day in ((3, 31), (6, 30), (9, 30))
    ]
    response = system.post(
        "/api/v1/figures/batch/", {"figures": figures}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert Actual.objects.filter(status="submitted").count() == 3


def test_a_system_learns_which_figures_were_returned_and_why(system, quarterly, reviewer):
    put(system, "hte", "2026-09-30", {"value": "2100"})
    figure = Actual.objects.get()
    figure.return_for_correction(reviewer, "请附统计表")
    figure.save()
    rows = system.get("/api/v1/figures/?status=returned").json()["figures"]
    assert [(row["period_end"], row["return_reason"]) for row in rows] == [
        ("2026-09-30", "请附统计表")
    ]


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        '{"value": NaN}',
        '{"value": Infinity}',
        '{"value": "NaN"}',
        '{"value": "2100", "explanaton": null}',
        '{"value": true}',
        '{"value": [1]}',
        "[]",
    ],
)
def test_malformed_bodies_get_a_400_and_save_nothing(system, quarterly, body):
    response = system.put(
        "/api/v1/indicators/hte/figures/2026-09-30/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert not Actual.objects.exists()


def test_a_body_over_one_mebibyte_is_refused_unread(system, quarterly):
    response = put(system, "hte", "2026-09-30", {"value": "1", "note": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert not Actual.objects.exists()


def test_past_the_rate_limit_a_token_waits(system, quarterly, settings):
    settings.API_RATE = "3/min"
    answers = [system.get("/api/v1/indicators/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_every_use_of_a_token_is_recorded(system, quarterly):
    put(system, "hte", "2026-09-30", {"value": "2100"})
    system.get("/api/v1/figures/")
    uses = list(TokenUse.objects.order_by("at", "pk").values_list("method", "status_code"))
    assert uses == [("PUT", 201), ("GET", 200)]
    assert Token.objects.get().last_used_at is not None


def test_the_tokens_account_cannot_sign_in(token_key):
    account = Token.objects.get().account
    assert not account.has_usable_password()
    response = Client().post("/accounts/login/", {"username": account.username, "password": ""})
    assert not response.wsgi_request.user.is_authenticated


def test_an_administrator_creates_a_token_whose_key_is_shown_once(admin_user, department):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/api/token/add/",
        {
            "name": "科技局项目库",
            "departments": [department.pk],
            "allowed_addresses": "",
            "expires_at_0": "2027-12-06",
            "expires_at_1": "00:00:00",
            "uses-TOTAL_FORMS": "0",
            "uses-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    key = re.search(r"gmkpi_[A-Za-z0-9_-]+", " ".join(shown)).group()
    token = Token.objects.get()
    assert Token.objects.by_key(key) == token
    assert key not in token.key_hash
    assert list(token.account.departments.all()) == [department]


def test_the_schema_and_its_readable_page_are_served_by_the_app(quarterly):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/indicators/{code}/figures/{period_end}/" in schema["paths"]
    for prefix in ("", "/en"):
        page = Client().get(f"{prefix}/api/docs/").content.decode()
        assert "PUT /api/v1/indicators/{code}/figures/{period_end}/" in page
        assert "cdn" not in page.lower()


def test_a_system_pushes_a_quarter_for_two_departments_and_a_reviewer_publishes_it(
    department, other_department, make_indicator, reviewer
):
    ours = make_indicator(code="hte", department=department, target="2300")
    theirs = make_indicator(
        code="fund", department=other_department, unit="亿元", decimals=1, target="50"
    )
    token = Token(name="区统计局数据平台")
    key = token.issue()
    token.grant([department, other_department])
    system = Client(headers={"Authorization": f"Bearer {key}"})
    figures = [
        {"indicator": "hte", "period_end": "2026-09-30", "value": "2250"},
        {"indicator": "fund", "period_end": "2026-09-30", "value": "46.5"},
    ]
    answer = system.post("/api/v1/figures/batch/", {"figures": figures}, "application/json")
    assert answer.json()["created"] == 2
    desk = Client()
    desk.force_login(reviewer)
    waiting = desk.get("/my/").content.decode()
    assert ours.name in waiting and theirs.name in waiting
    for figure in Actual.objects.all():
        desk.post(f"/my/figures/{figure.pk}/review/", {"publish": "1"})
    assert set(Actual.objects.values_list("status", flat=True)) == {"published"}
    public = Client().get("/?year=2026").content.decode().replace(",", "")
    feed = Client().get("/feeds/published.atom").content.decode().replace(",", "")
    for text in ("2250家", "46.5亿元"):
        assert text in public and text in feed


@pytest.fixture
def task(make_task, department):
    return make_task(code="synbio-platform", department=department, year=2026)


def test_a_system_proposes_a_milestone_and_a_reviewer_sees_it_waiting(system, task, reviewer):
    body = {"title": "完成主体结构", "title_en": "Main structure done", "due": "2026-12-20"}
    response = system.post(f"/api/v1/tasks/{task.code}/milestones/", body, "application/json")
    assert response.status_code == 201
    milestone = task.milestones.get()
    assert (milestone.status, milestone.entered_by.username) == (
        "submitted",
        "api:区统计局数据平台",
    )
    again = system.put(f"/api/v1/milestones/{milestone.pk}/", body, "application/json")
    assert again.status_code == 200 and again.json()["version"] == response.json()["version"]


def test_a_milestone_under_review_cannot_be_changed_and_another_departments_is_not_found(
    system, task, make_task, other_department
):
    body = {"title": "完成主体结构", "due": "2026-12-20"}
    created = system.post(f"/api/v1/tasks/{task.code}/milestones/", body, "application/json")
    changed = system.put(
        f"/api/v1/milestones/{created.json()['id']}/", {**body, "title": "改"}, "application/json"
    )
    theirs = make_task(code="their-task", department=other_department)
    foreign = system.post(f"/api/v1/tasks/{theirs.code}/milestones/", body, "application/json")
    assert (changed.status_code, foreign.status_code) == (409, 404)


def test_a_system_writes_the_quarters_statement_once(system, task):
    path = f"/api/v1/tasks/{task.code}/statements/2026-09-30/"
    body = {"text": "主体结构完成80%", "percent": 80}
    first = system.put(path, body, "application/json")
    again = system.put(path, body, "application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert task.statements.get().text == "主体结构完成80%"


def test_a_statement_with_a_bad_percent_gets_field_errors(system, task):
    path = f"/api/v1/tasks/{task.code}/statements/2026-09-30/"
    response = system.put(path, {"text": "x", "percent": 150}, "application/json")
    assert response.status_code == 400
    assert not task.statements.exists()


def test_the_token_lists_its_tasks_with_milestones_and_statements(system, task, make_task):
    make_task(code="not-ours")
    system.put(
        f"/api/v1/tasks/{task.code}/statements/2026-09-30/", {"text": "进展"}, "application/json"
    )
    rows = system.get("/api/v1/tasks/").json()
    assert [row["code"] for row in rows] == [task.code]
    assert rows[0]["statements"][0]["period_end"] == "2026-09-30"


def test_since_with_an_offset_postgresql_does_not_know_is_read_in_utc(system, quarterly):
    # Found by schemathesis on PostgreSQL: +21:14 is ISO 8601, but no time zone PostgreSQL has.
    response = system.get("/api/v1/figures/", {"since": "0994-04-24T15:38:00+21:14"})
    assert response.status_code == 200
    assert response.json()["figures"] == []

"""The security log (GB/T 22239-2019 8.1.4.3): who did what, when, from where and with what
outcome, for every sign-in, role or permission change, publication, target change, import,
export and token use; append-only and chained by hashes; read and exported by the audit
administrators alone."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from accounts import triggers
from accounts.models import AppendOnly, AuditRecord
from accounts.roles import AUDIT_ADMINISTRATOR, SECURITY_ADMINISTRATOR, SYSTEM_ADMINISTRATOR
from api.models import Token
from kpis import roles
from kpis.models import Actual, Target
from tests.conftest import SHANGHAI, make_user


@pytest.fixture(autouse=True)
def audit_on(settings):
    settings.AUDIT_LOG = True


@pytest.fixture
def auditor(db):
    return make_user("auditor", AUDIT_ADMINISTRATOR)


@pytest.fixture
def system_administrator(db):
    return make_user("sysadmin", SYSTEM_ADMINISTRATOR)


def actions():
    return list(AuditRecord.objects.order_by("pk").values_list("action", "actor", "outcome"))


def append(number):
    return [
        AuditRecord.objects.append(action="sign_in", actor=f"user{index}", address="10.0.0.1")
        for index in range(number)
    ]


def test_a_sign_in_and_a_failed_one_are_recorded_with_the_address(db):
    get_user_model().objects.create_user("li", password="Gm-2026-targets!", is_staff=True)
    Client().post("/accounts/login/", {"username": "li", "password": "wrong"})
    Client().post("/accounts/login/", {"username": "li", "password": "Gm-2026-targets!"})
    records = AuditRecord.objects.order_by("pk")
    assert [(r.action, r.actor, r.outcome) for r in records] == [
        ("sign_in", "li", "failure"),
        ("sign_in", "li", "success"),
    ]
    assert {record.address for record in records} == {"127.0.0.1"}


def test_a_publication_is_recorded_with_its_reviewer(
    make_indicator, department, official, reviewer, make_actual
):
    indicator = make_indicator(target="100", department=department)
    actual = make_actual(indicator, status=Actual.Status.DRAFT, entered_by=official)
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()
    record = AuditRecord.objects.get(action="publication")
    assert (record.actor, record.object) == ("reviewer", f"kpis.Actual {actual.pk}: {actual}")


def test_a_target_change_is_recorded_whoever_makes_it(make_indicator):
    target = Target.objects.get(indicator=make_indicator(target="100"))
    target.value = Decimal("120")
    target.save()
    changes = AuditRecord.objects.filter(action="target_change").values_list("object", flat=True)
    assert [change.split(":")[0] for change in changes.order_by("pk")] == [
        f"kpis.Target {target.pk} created",
        f"kpis.Target {target.pk} changed",
    ]


def test_a_role_change_is_recorded(reviewer):
    reviewer.groups.add(*roles_named(roles.DATA_ENTRY))
    record = AuditRecord.objects.filter(action="role_change").order_by("pk").last()
    assert record.object == f"reviewer: + {roles.DATA_ENTRY}"


def roles_named(*names):
    from django.contrib.auth.models import Group

    return list(Group.objects.filter(name__in=names))


def test_a_token_use_is_recorded_as_in_the_apis_own_record(department):
    token = Token(name="区统计局数据平台")
    key = token.issue()
    token.grant([department])
    Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/indicators/")
    record = AuditRecord.objects.get(action="token_use")
    assert record.actor == f"token {token.pk}: {token}"
    assert record.object == "GET /api/v1/indicators/" and record.address == "127.0.0.1"


def test_a_break_glass_superuser_action_is_recorded(client, admin_user, department):
    client.force_login(admin_user)
    client.post(f"/admin/kpis/department/{department.pk}/change/", {"code": "science"})
    assert ("superuser_action", "admin (superuser)") in [
        (action, actor) for action, actor, _outcome in actions()
    ]


def test_an_audit_administrator_reads_the_log(client, auditor):
    append(2)
    client.force_login(auditor)
    page = client.get("/admin/accounts/auditrecord/").content.decode()
    assert "user0" in page and "user1" in page and "10.0.0.1" in page


def test_an_audit_administrator_exports_the_log_as_json_lines(client, auditor):
    append(2)
    client.force_login(auditor)
    response = client.get("/admin/accounts/auditrecord/export.jsonl")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [line["actor"] for line in lines if line["address"] == "10.0.0.1"] == ["user0", "user1"]
    assert set(lines[0]) >= {"actor", "at", "address", "action", "object", "outcome", "hash"}


def test_an_audit_administrator_changes_nothing(client, auditor, department):
    (record,) = append(1)
    client.force_login(auditor)
    delete = client.post(f"/admin/accounts/auditrecord/{record.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/kpis/department/{department.pk}/change/", {"code": "x"})
    assert (delete.status_code, change.status_code) == (403, 403)
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_a_system_administrator_cannot_read_the_log(client, system_administrator):
    append(1)
    client.force_login(system_administrator)
    assert client.get("/admin/accounts/auditrecord/").status_code == 403
    assert client.get("/admin/accounts/auditrecord/export.jsonl").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 200  # users are their work


def test_a_superuser_cannot_read_the_log_either(client, admin_user):
    append(1)
    client.force_login(admin_user)
    assert client.get("/admin/accounts/auditrecord/").status_code == 403


def test_the_orm_refuses_to_change_or_delete_a_record(db):
    append(1)
    record = AuditRecord.objects.get()
    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.all().delete()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE accounts_auditrecord SET actor = 'nobody'", "DELETE FROM accounts_auditrecord"],
)
def test_the_database_refuses_update_and_delete_by_sql(db, statement):
    append(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditRecord.objects.get().actor == "user0"


def test_audit_verify_proves_an_unbroken_chain(db, capsys):
    append(3)
    call_command("audit_verify")
    assert "3 records" in capsys.readouterr().out


def test_audit_verify_names_the_record_edited_by_sql(db):
    append(3)
    edited = AuditRecord.objects.order_by("pk")[1]
    triggers.drop(connection)  # what the database's owner could do
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditrecord SET outcome = 'failure' WHERE id = %s", [edited.pk]
        )
    with pytest.raises(CommandError, match=f"from record {edited.pk} "):
        call_command("audit_verify")


def test_audit_verify_names_the_record_after_one_deleted_by_sql(db):
    append(3)
    first, second, third = AuditRecord.objects.order_by("pk")
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditrecord WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"from record {third.pk} "):
        call_command("audit_verify")


def test_the_purge_removes_only_records_older_than_the_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    with time_machine.travel(datetime.datetime(2026, 5, 1, tzinfo=SHANGHAI)):
        append(2)
    with time_machine.travel(datetime.datetime(2026, 6, 20, tzinfo=SHANGHAI)):
        append(1)  # 169 days before today: kept
    with time_machine.travel(datetime.datetime(2026, 12, 6, 12, tzinfo=SHANGHAI)):
        call_command("audit_purge", verbosity=0)
    assert AuditRecord.objects.count() == 1
    call_command("audit_verify", verbosity=0)  # from the first record kept


def test_no_account_holds_two_administrator_roles(db):
    user = make_user("both", SYSTEM_ADMINISTRATOR)
    with pytest.raises(ValidationError), transaction.atomic():
        user.groups.add(*roles_named(AUDIT_ADMINISTRATOR))
    assert list(user.groups.values_list("name", flat=True)) == [SYSTEM_ADMINISTRATOR]


def test_no_group_takes_a_member_who_holds_another_administrator_role(db):
    user = make_user("both", SECURITY_ADMINISTRATOR)
    (group,) = roles_named(AUDIT_ADMINISTRATOR)
    with pytest.raises(ValidationError), transaction.atomic():
        group.user_set.add(user)


def test_a_work_role_combines_with_an_administrator_role(db):
    user = make_user("both", SYSTEM_ADMINISTRATOR)
    user.groups.add(*roles_named(roles.REVIEWER, roles.DATA_ENTRY))
    assert user.groups.count() == 3


def test_the_admins_user_form_refuses_two_administrator_roles_with_a_message(client, admin_user):
    user = make_user("both", SYSTEM_ADMINISTRATOR)
    groups = [group.pk for group in roles_named(SYSTEM_ADMINISTRATOR, AUDIT_ADMINISTRATOR)]
    client.force_login(admin_user)
    page = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "both",
            "is_active": "on",
            "is_staff": "on",
            "groups": groups,
            "date_joined_0": "2026-12-06",
            "date_joined_1": "10:00:00",
            "platform_accounts-TOTAL_FORMS": "0",
            "platform_accounts-INITIAL_FORMS": "0",
        },
    ).content.decode()
    assert "一个账号只能担任三员" in page
    assert user.groups.count() == 1


def test_making_someone_a_superuser_in_the_admin_is_recorded(client, admin_user, official):
    client.force_login(admin_user)
    client.post(
        f"/admin/auth/user/{official.pk}/change/",
        {
            "username": "official",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": list(official.groups.values_list("pk", flat=True)),
            "date_joined_0": "2026-12-06",
            "date_joined_1": "10:00:00",
            "platform_accounts-TOTAL_FORMS": "0",
            "platform_accounts-INITIAL_FORMS": "0",
        },
    )
    record = AuditRecord.objects.filter(action="permission_change").order_by("pk").last()
    assert (record.actor, record.object) == ("admin", "official: is_superuser=True")


def test_the_migration_made_the_three_administrators_with_their_permissions(db):
    from django.contrib.auth.models import Group

    from accounts.roles import ADMINISTRATORS

    made = {
        group.name: sorted(
            f"{permission.content_type.app_label}.{permission.codename}"
            for permission in group.permissions.all()
        )
        for group in Group.objects.filter(name__in=ADMINISTRATORS)
    }
    assert made == {name: sorted(labels) for name, labels in ADMINISTRATORS.items()}


@pytest.mark.parametrize("administrator", [SYSTEM_ADMINISTRATOR, AUDIT_ADMINISTRATOR])
def test_an_administrator_sees_no_figures_and_no_targets(db, client, administrator):
    client.force_login(make_user("someone", administrator))
    assert client.get("/admin/kpis/actual/").status_code == 403
    assert client.get("/admin/kpis/indicator/").status_code == 403  # targets are inline


def test_a_retention_below_six_months_is_refused_at_start(db, tmp_path):
    from tests.test_security import run_manage

    result = run_manage(tmp_path, "check", KPI_AUDIT_RETENTION_DAYS="90")
    assert "KPI_AUDIT_RETENTION_DAYS" in result.stderr


def test_an_export_of_figures_from_the_admin_is_recorded(client, admin_user, make_indicator):
    from tests.test_import import CSV, admin_export

    client.force_login(admin_user)
    admin_export(client, CSV)
    assert AuditRecord.objects.filter(action="export", object="kpis.Actual").count() == 1


def test_a_confirmed_import_of_figures_is_recorded_with_its_official(
    client, official, make_indicator, department, tmp_path, monkeypatch
):
    import tempfile

    from tests.test_import import csv_file, import_and_confirm

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    indicator = make_indicator(department=department, target="100")
    client.force_login(official)
    import_and_confirm(client, csv_file([(indicator.code, "2024-03-31", "40", "", "", "")]))
    record = AuditRecord.objects.get(action="import")
    assert (record.actor, record.object) == ("official", "kpis.Actual")

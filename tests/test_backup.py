import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from kpis.models import Indicator
from tests import fake_s3
from tests.fake_s3 import FakeS3


def every_row():
    """Every row of every table the backup covers, as plain values."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {"contenttypes", "sessions", "axes"}:
            continue
        if model._meta.label in {"auth.Permission", "kpis.DataVersion"}:
            continue
        values = model.objects.order_by("pk").values()
        rows[model._meta.label] = [normalised(row) for row in values]
    return rows


def normalised(row):
    # Content types get new ids on a new database; the backup refers to them by name.
    if "content_type_id" in row:
        row["content_type_id"] = ContentType.objects.get_for_id(
            row.pop("content_type_id")
        ).natural_key()
    return row


@pytest.fixture
def populated(article, make_actual, official, reviewer, department):
    indicator = Indicator.objects.get(code="synbio-valuation")
    indicator.department = department
    indicator.save()
    actual = make_actual(
        indicator, period_end=datetime.date(2024, 3, 31), value="150", status="draft"
    )
    actual.entered_by = official
    actual.submit(official)
    actual.publish(reviewer)
    actual.save()
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="222.5", note="内部")


# Committed data, as in real use: PostgreSQL cannot empty tables (TRUNCATE) inside the same
# transaction that has just written to them, which is where a plain test would run.
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_bring_back_every_row(populated, tmp_path):
    before = every_row()
    path = tmp_path / "kpis.xml.gz"
    call_command("backup", str(path), verbosity=0)
    call_command("restore", str(path), replace=True, verbosity=0)
    ContentType.objects.clear_cache()
    assert every_row() == before
    assert len(before["kpis.HistoricalActual"]) == 3  # the history travels too


def test_restore_refuses_a_database_that_has_data(populated, tmp_path):
    path = tmp_path / "kpis.xml"
    call_command("backup", str(path), verbosity=0)
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(path), verbosity=0)


FERNET_KEY = "kJ3qK8mQx0y1h4oP2cW5bV7nA9sD6fG3jL0zX8cV5bM="


def test_backup_refuses_to_write_a_plain_copy_where_encryption_is_required(db, settings, tmp_path):
    settings.BACKUP_REQUIRES_KEY = True
    with pytest.raises(CommandError, match=r"\*\.enc"):
        call_command("backup", str(tmp_path / "kpis.xml.gz"), verbosity=0)


@pytest.mark.parametrize("key", ["光明区 backup passphrase 2026", FERNET_KEY])
@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_restores_every_row_with_the_same_key(
    populated, tmp_path, settings, key
):
    settings.BACKUP_KEY = key
    before = every_row()
    path = tmp_path / "kpis.xml.gz.enc"
    call_command("backup", str(path), verbosity=0)
    call_command("restore", str(path), replace=True, verbosity=0)
    ContentType.objects.clear_cache()
    assert every_row() == before
    assert b"synbio-valuation" not in path.read_bytes()  # nothing readable without the key


def test_an_encrypted_backup_does_not_open_with_another_key(populated, tmp_path, settings):
    settings.BACKUP_KEY = FERNET_KEY
    path = tmp_path / "kpis.xml.enc"
    call_command("backup", str(path), verbosity=0)
    settings.BACKUP_KEY = "another passphrase"
    with pytest.raises(CommandError, match="Cannot decrypt"):
        call_command("restore", str(path), replace=True, verbosity=0)
    assert Indicator.objects.filter(code="synbio-valuation").exists()


@pytest.fixture
def object_store(settings):
    with FakeS3() as server:
        settings.BACKUP_S3_ENDPOINT = server.endpoint
        settings.BACKUP_S3_BUCKET = "gm-backups"
        settings.BACKUP_S3_ACCESS_KEY = fake_s3.ACCESS_KEY
        settings.BACKUP_S3_SECRET_KEY = fake_s3.SECRET_KEY
        settings.BACKUP_S3_REGION = fake_s3.REGION
        yield server


@pytest.mark.django_db(transaction=True)
def test_a_backup_sent_to_the_object_store_restores_from_it_encrypted(
    populated, tmp_path, settings, object_store
):
    settings.BACKUP_KEY = "光明区 backup passphrase 2026"
    before = every_row()
    path = tmp_path / "kpis-2026-12-06.xml.gz.enc"
    call_command("backup", str(path), s3=True, verbosity=0)
    sent = object_store.objects["/gm-backups/kpis-2026-12-06.xml.gz.enc"]
    path.unlink()
    call_command("restore", str(path), s3=True, replace=True, verbosity=0)
    ContentType.objects.clear_cache()
    assert sent.startswith(b"KPI-BACKUP-1")
    assert every_row() == before


def test_the_object_store_refuses_a_wrong_secret(populated, tmp_path, settings, object_store):
    settings.BACKUP_KEY = FERNET_KEY
    settings.BACKUP_S3_SECRET_KEY = "not the office's secret"
    with pytest.raises(CommandError, match="403"):
        call_command("backup", str(tmp_path / "kpis.xml.enc"), s3=True, verbosity=0)
    assert object_store.objects == {}

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from kpis.models import Indicator


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

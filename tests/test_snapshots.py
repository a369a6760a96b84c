import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from kpis.models import Indicator, Snapshot, SnapshotQuerySet
from reports.snapshots import take_snapshot

MARCH, JUNE = datetime.date(2024, 3, 31), datetime.date(2024, 6, 30)


@pytest.fixture
def synbio(article):
    return Indicator.objects.get(code="synbio-valuation")


def take(day):
    return take_snapshot(day, 2024)[0]


def test_a_snapshot_stays_as_it_was_after_later_figures_and_corrections(
    anonymous, synbio, make_actual
):
    actual = make_actual(synbio, period_end=MARCH, value="150")
    snapshot = take(datetime.date(2024, 4, 20))
    actual.value = actual.published_value = 999
    actual.save()
    make_actual(synbio, period_end=JUNE, value="260")
    html = anonymous.get(f"/en/snapshots/{snapshot.taken_on}/").content.decode()
    assert "15 billion yuan" in html
    assert "999" not in html and "260" not in html


def test_a_snapshot_lists_what_changed_since_the_previous_one(anonymous, synbio, make_actual):
    make_actual(synbio, period_end=MARCH, value="150")
    take(datetime.date(2024, 4, 20))
    make_actual(synbio, period_end=JUNE, value="260")
    later = take(datetime.date(2024, 7, 20))
    html = anonymous.get(f"/en/snapshots/{later.taken_on}/").content.decode()
    changes = html.split('class="changes"', 1)[1].split("</ul>", 1)[0]
    assert "Synthetic biology cluster valuation" in changes
    assert "150 → 260" in changes and "Pace not yet known → On track" in changes


def test_a_snapshot_names_indicators_in_the_page_language_with_chinese_as_fallback(
    anonymous, synbio
):
    Indicator.objects.filter(code="brain-science-valuation").update(name_en="")
    snapshot = take(datetime.date(2024, 4, 20))
    english = anonymous.get(f"/en/snapshots/{snapshot.taken_on}/").content.decode()
    chinese = anonymous.get(f"/snapshots/{snapshot.taken_on}/").content.decode()
    assert "<td>Synthetic biology cluster valuation</td>" in english
    assert "<td>脑科学与类脑智能产业估值</td>" in english  # no English name: the Chinese one
    assert "<td>合成生物产业集群整体估值</td>" in chinese


def test_one_snapshot_a_day(synbio):
    first = take(datetime.date(2024, 4, 20))
    second, created = take_snapshot(datetime.date(2024, 4, 20), 2024)
    assert (second, created) == (first, False)


def test_snapshot_downloads_carry_the_frozen_rows(anonymous, synbio, make_actual):
    make_actual(synbio, period_end=MARCH, value="150")
    snapshot = take(datetime.date(2024, 4, 20))
    make_actual(synbio, period_end=JUNE, value="260")
    data = json.loads(anonymous.get(f"/snapshots/{snapshot.taken_on}.json").content)
    row = next(row for row in data["indicators"] if row["code"] == "synbio-valuation")
    csv_text = anonymous.get(f"/snapshots/{snapshot.taken_on}.csv").content.decode()
    assert row["actual"] == {"period_end": "2024-03-31", "value": "150", "explanation": None}
    assert "synbio-valuation" in csv_text and "260" not in csv_text


def test_reviewer_freezes_the_table_from_my_updates(client, reviewer, synbio):
    client.force_login(reviewer)
    response = client.post("/my/snapshots/")
    snapshot = Snapshot.objects.get()
    assert response.url == f"/snapshots/{snapshot.taken_on}/"
    assert snapshot.taken_on == timezone.localdate()


def test_officials_cannot_take_snapshots(client, official, synbio):
    client.force_login(official)
    assert client.post("/my/snapshots/").status_code == 403
    assert not Snapshot.objects.exists()


def test_scheduled_command_takes_todays_snapshot(synbio):
    call_command("take_snapshot", verbosity=0)
    assert Snapshot.objects.get().taken_on == timezone.localdate()


def test_drafts_never_reach_a_snapshot(anonymous, synbio, make_actual):
    make_actual(synbio, period_end=MARCH, value="777.7", status="draft")
    snapshot = take(datetime.date(2024, 4, 20))
    assert "777.7" not in json.dumps(snapshot.document)


def test_a_new_snapshot_is_listed_on_the_very_next_request(anonymous, synbio):
    take(datetime.date(2024, 4, 20))
    anonymous.get("/en/snapshots/")  # cached
    take(datetime.date(2024, 5, 20))
    assert "/en/snapshots/2024-05-20/" in anonymous.get("/en/snapshots/").content.decode()


def test_two_reviewers_taking_todays_snapshot_at_once_get_the_same_one(synbio, monkeypatch):
    theirs = take(JUNE)
    # This reviewer looked for today's snapshot before the other one's was saved.
    monkeypatch.setattr(SnapshotQuerySet, "first", lambda queryset: None)
    assert take_snapshot(JUNE, 2024) == (theirs, False)
    assert Snapshot.objects.count() == 1

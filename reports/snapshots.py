"""Snapshots' documents: the public table of a year and the key tasks, frozen on a day."""

from kpis.exports import progress_document
from kpis.models import Indicator, Snapshot
from tasks.exports import task_rows


def take_snapshot(today, year):
    """Freeze the public table of `year` and the key tasks, judged on `today`, as a
    Snapshot."""
    rows = Indicator.objects.public().progress_rows(year, today)
    document = progress_document(rows, year, today)
    document["tasks"] = task_rows(today)
    return Snapshot.objects.take(today, year, document)

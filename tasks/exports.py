"""Key tasks as open data: the JSON contract of docs/open-data.md ("Key tasks"), and the
same tasks as flat CSV and XLSX rows (one a task)."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.exports import neutralise, source_data
from tasks.models import Task


def task_row(task):
    """One task of `Task.objects.with_status(today)` as its open data row."""
    return {
        "code": task.code,
        "title": task.title,
        "title_en": task.title_en,
        "theme": task.theme.code,
        "department": task.department.code if task.department else None,
        "year": task.year,
        "status": str(task.verdict.status),
        "rag": task.verdict.rag and str(task.verdict.rag),
        "reason": task.verdict.reason and str(task.verdict.reason),
        "milestones": [
            {
                "title": milestone.published_title,
                "title_en": milestone.published_title_en,
                "due": milestone.published_due.isoformat(),
                "done": milestone.published_done and milestone.published_done.isoformat(),
            }
            for milestone in task.public_milestones
        ],
        "progress": [
            {
                "period_end": statement.period_end.isoformat(),
                "percent": statement.published_percent,
                "text": statement.published_text,
                "text_en": statement.published_text_en,
                "complete": statement.published_completes,
            }
            for statement in reversed(task.public_statements)
        ],
        "source": source_data(task.source, task.quote),
    }


def task_rows(today, year=None):
    """Every task (of `year`, where given) as its open data row, judged on `today`."""
    tasks = Task.objects.all() if year is None else Task.objects.filter(year=year)
    return [task_row(task) for task in tasks.with_status(today)]


def tasks_document(today, year=None):
    return {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "tasks": task_rows(today, year),
    }


COLUMNS = [
    ("code", _("Stable code of the task")),
    ("title", _("Title in Chinese")),
    ("title_en", _("Title in English")),
    ("theme", _("Code of the theme")),
    ("department", _("Code of the lead department; empty until one is assigned")),
    ("year", _("Year of the commitment")),
    (
        "status",
        _(
            "done, on_schedule, delayed, not_started, no_plan (open years only), completed "
            "or not_completed"
        ),
    ),
    ("rag", _("green, yellow or red; empty when there is no colour")),
    ("milestones", _("Number of published milestones")),
    ("milestones_done", _("How many of them are done")),
    ("next_due", _("Due date of the earliest milestone not done")),
    ("progress_period_end", _("Period end of the latest published progress statement")),
    ("progress_percent", _("Share done it gives, if any")),
    ("progress_text", _("Its text in Chinese")),
    ("progress_text_en", _("Its text in English")),
    ("source_title", _("Title of the source document")),
    ("source_publisher", _("Publisher of the source")),
    ("source_date", _("Date of the source")),
    ("source_quote", _("The source's sentence, word for word")),
    (
        "reason",
        _("nothing_reported: a task of a closed year of which nothing was ever entered"),
    ),
]
TEXT_COLUMNS = {
    "title",
    "title_en",
    "progress_text",
    "progress_text_en",
    "source_title",
    "source_publisher",
    "source_quote",
}


def flat(row):
    open_dues = [milestone["due"] for milestone in row["milestones"] if not milestone["done"]]
    latest = row["progress"][-1] if row["progress"] else {}
    source = row["source"] or {}
    values = {key: row[key] for key in ("code", "title", "title_en", "theme", "department")}
    values.update(
        year=row["year"],
        status=row["status"],
        rag=row["rag"],
        reason=row.get("reason"),  # absent from snapshots taken before it existed
        milestones=len(row["milestones"]),
        milestones_done=len(row["milestones"]) - len(open_dues),
        next_due=min(open_dues, default=None),
        progress_period_end=latest.get("period_end"),
        progress_percent=latest.get("percent"),
        progress_text=latest.get("text"),
        progress_text_en=latest.get("text_en"),
        **{f"source_{key}": source.get(key) for key in ("title", "publisher", "date", "quote")},
    )
    return [
        neutralise(values[name]) if name in TEXT_COLUMNS else values[name] for name, _ in COLUMNS
    ]


def tasks_dataset(document):
    dataset = tablib.Dataset(headers=[name for name, _ in COLUMNS])
    for row in document["tasks"]:
        dataset.append(["" if value is None else value for value in flat(row)])
    return dataset

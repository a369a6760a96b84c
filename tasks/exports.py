"""Key tasks as open data: the JSON contract of docs/open-data.md ("Key tasks"), and the
same tasks as flat CSV and XLSX rows (one a task)."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.exports import neutralise
from tasks.models import Milestone, ProgressStatement, Task


def task_rows(today, year=None):
    """Every task (of `year`, where given) as its open data row, with its stored verdict
    on `today` (TaskVerdict).
    Three lists of plain values rather than model instances: at 10,000 tasks building
    each task, milestone and statement was most of the file's time (docs/performance.md)."""
    tasks = Task.objects.judged(today)
    published = Milestone.objects.published()
    statements = ProgressStatement.objects.published()
    if year is not None:
        tasks = tasks.filter(year=year)
        published = published.filter(task__year=year)
        statements = statements.filter(task__year=year)
    milestones, progress = {}, {}
    for task_id, title, title_en, due, done in published.order_by(
        "task", "published_due", "position"
    ).values_list(
        "task", "published_title", "published_title_en", "published_due", "published_done"
    ):
        milestones.setdefault(task_id, []).append(
            {
                "title": title,
                "title_en": title_en,
                "due": due.isoformat(),
                "done": done and done.isoformat(),
            }
        )
    for task_id, end, percent, text, text_en, complete in statements.order_by(
        "task", "period_end"
    ).values_list(
        "task",
        "period_end",
        "published_percent",
        "published_text",
        "published_text_en",
        "published_completes",
    ):
        progress.setdefault(task_id, []).append(
            {
                "period_end": end.isoformat(),
                "percent": percent,
                "text": text,
                "text_en": text_en,
                "complete": complete,
            }
        )
    return [
        task_row(dict(zip(FIELDS, values, strict=True)), milestones, progress)
        for values in tasks.values_list(*FIELDS)
    ]


FIELDS = [
    "pk",
    "code",
    "title",
    "title_en",
    "theme__code",
    "department__code",
    "year",
    "stored_verdict__status",
    "stored_verdict__rag",
    "stored_verdict__reason",
    "quote",
    "source__title",
    "source__publisher",
    "source__published_on",
]


def task_row(task, milestones, progress):
    """One task of `task_rows` (its FIELDS by name) as its open data row."""
    source = None
    if task["source__title"] is not None:
        source = {
            "title": task["source__title"],
            "publisher": task["source__publisher"],
            "date": task["source__published_on"].isoformat(),
            "quote": task["quote"],
        }
    return {
        "code": task["code"],
        "title": task["title"],
        "title_en": task["title_en"],
        "theme": task["theme__code"],
        "department": task["department__code"],
        "year": task["year"],
        "status": task["stored_verdict__status"],
        "rag": task["stored_verdict__rag"],
        "reason": task["stored_verdict__reason"],
        "milestones": milestones.get(task["pk"], []),
        "progress": progress.get(task["pk"], []),
        "source": source,
    }


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

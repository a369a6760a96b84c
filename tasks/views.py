from operator import attrgetter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kpis.caching import public_cache
from kpis.converters import parse_year
from kpis.forms import ReturnForm
from kpis.models import Indicator
from kpis.views import (
    data_file,
    page_number,
    review_step,
    reviewed_page,
    save_reviewed,
    submit_step,
)
from tasks import exports, rules
from tasks.forms import MilestoneForm, StatementForm
from tasks.models import Milestone, ProgressStatement, Task, TaskVerdict

TASKS_PER_PAGE = 50


def task_year(request, today, task_years):
    """The year asked for with ?year= (a year with tasks), else the year `/` opens on; and
    the years to choose from."""
    shown = Indicator.objects.public().progress_year(today)
    years = sorted(set(task_years) | {shown})
    asked = request.GET.get("year", "")
    if not asked:
        return shown, years
    year = parse_year(asked)
    if year not in years:
        raise Http404("No key tasks of that year.")
    return year, years


@public_cache
def task_list(request):
    today = timezone.localdate()
    tasks = Task.objects.judged(today)
    tally = TaskVerdict.objects.tally()
    year, years = task_year(request, today, {row[0] for row in tally})
    tally = [row for row in tally if row[0] == year]
    theme = request.GET.get("theme", "")
    status = request.GET.get("status", "")
    if (theme and not Task.objects.filter(theme__code=theme).exists()) or (
        status and status not in rules.STATUS_ORDER
    ):
        raise Http404("No such theme or status.")  # so never cached
    shown = tasks.filter(year=year, theme__code=theme) if theme else tasks.filter(year=year)
    shown = shown.filter(stored_verdict__status=status) if status else shown
    # Sorted, counted and paged in the database; only the page's tasks are built.
    context = {
        "tasks": task_page(request, shown.in_list_order().with_public_record()),
        "task_counts": [
            (option, sum(n for _, _, counted, n in tally if counted == option))
            for option in rules.STATUS_ORDER
        ],
        "themes": sorted({row[1] for row in tally}, key=attrgetter("position", "code")),
        "theme": theme,
        "status": status,
        "task_year": year,
        "years": years,
        "grace_days": rules.GRACE_DAYS,
    }
    return render(request, "tasks/task_list.html", context)


def task_page(request, shown):
    """The page of `shown` the address asks for; a made-up page is not found."""
    try:
        return Paginator(shown, TASKS_PER_PAGE).page(page_number(request))
    except InvalidPage as past_the_last:
        raise Http404("No such page.") from past_the_last


@public_cache
def task_detail(request, code):
    today = timezone.localdate()
    # Only public indicators: an internal one's name and address are not the public's.
    public_indicators = Prefetch("indicators", queryset=Indicator.objects.public())
    queryset = Task.objects.with_public_record().prefetch_related("cooperating", public_indicators)
    task = get_object_or_404(queryset, code=code).attach_status(today)
    milestones = [(milestone, milestone.status_on(today)) for milestone in task.public_milestones]
    context = {
        "task": task,
        "milestones": milestones,
        "statements": task.public_statements,
        "due_date_changes": task.due_date_changes(),
        "grace_days": rules.GRACE_DAYS,
        "today": today,
    }
    return render(request, "tasks/task_detail.html", context)


@public_cache
def tasks_data(request, file_format):
    asked = request.GET.get("year", "")
    year = parse_year(asked) if asked else None
    if asked and year is None:
        raise Http404("Not a year.")
    document = exports.tasks_document(timezone.localdate(), year)
    return data_file(document, exports.tasks_dataset, file_format, "tasks")


# Officials' and reviewers' pages (/my/tasks/): milestones and statements go through the
# figures' workflow, with the same rules on every path as the admin.

KINDS = {"milestones": (Milestone, MilestoneForm), "statements": (ProgressStatement, StatementForm)}


@login_required
def my_tasks(request):
    user = request.user
    mine = Task.objects.for_entry(user).select_related("theme")
    context = {
        "tasks": mine.prefetch_related("milestones", "statements"),
        "to_review": [
            entry
            for model, _ in KINDS.values()
            for entry in model.objects.waiting_for_review().select_related("task", "entered_by")
        ]
        if user.has_perm("tasks.review_task")
        else [],
    }
    return render(request, "tasks/my_tasks.html", context)


@login_required
def new_entry(request, code, kind):
    task = get_object_or_404(Task.objects.for_entry(request.user), code=code)
    model, form_class = KINDS[kind]
    if not request.user.has_perm(f"tasks.add_{model._meta.model_name}"):
        raise PermissionDenied
    form = form_class(
        request.POST or None, request.FILES or None, initial={"task": task}, user=request.user
    )
    form.fields["task"].disabled = True
    if request.method == "POST" and form.is_valid():
        entry = save_reviewed(request, form)
        if entry is not None:
            return redirect("task_entry", kind=kind, pk=entry.pk)
    return render(request, "tasks/entry_form.html", {"form": form, "task": task, "kind": kind})


@login_required
def entry_detail(request, kind, pk):
    model, form_class = KINDS[kind]
    entry = get_object_or_404(model.objects.select_related("task"), pk=pk)
    context = {
        "kind": kind,
        "task": entry.task,
        "return_form": ReturnForm(),
        "review_url": reverse("review_task_entry", kwargs={"kind": kind, "pk": pk}),
        "submit_url": reverse("submit_task_entry", kwargs={"kind": kind, "pk": pk}),
    }
    return reviewed_page(request, entry, form_class, "tasks/entry_detail.html", context)


@login_required
@require_POST
def submit_entry(request, kind, pk):
    entry = get_object_or_404(KINDS[kind][0].objects.select_related("task"), pk=pk)
    return submit_step(request, entry, entry_page(entry))


@login_required
@require_POST
def review_entry(request, kind, pk):
    entry = get_object_or_404(KINDS[kind][0].objects.select_related("task"), pk=pk)
    return review_step(request, entry, entry_page(entry))


def entry_page(entry):
    return reverse("task_entry", kwargs={"kind": entry.kind, "pk": entry.pk})

import datetime
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from kpis import exports, periods, progress, roles
from kpis.caching import public_cache
from kpis.charts import progress_chart, years_chart
from kpis.converters import parse_year
from kpis.filters import ProgressFilter
from kpis.forms import (
    ActualForm,
    BatchReturnForm,
    BulletinForm,
    FigureReturnForm,
    ReturnForm,
    last_quarter_end,
)
from kpis.models import (
    FIRST_YEAR,
    Actual,
    Bulletin,
    Indicator,
    Judgement,
    Snapshot,
    Target,
    default_year,
    reporting_starts,
)
from kpis.tables import ProgressTable
from kpis.templatetags.kpis_tags import axis_unit, figure_kind, progress_sentence


def chosen_year(request, years, today, earliest=None, also=()):
    """The year asked for with ?year= (one of `years` or `also`, or any year from
    `earliest` to this one), else the year `default_year` opens on."""
    asked = request.GET.get("year", "")
    if not asked:
        return default_year(years, today)
    year = parse_year(asked)
    if year is not None and (
        year in years or year in also or (earliest is not None and earliest <= year <= today.year)
    ):
        return year
    raise Http404("No figures or targets for that year.")


@public_cache
def progress_page(request):
    today = timezone.localdate()
    indicators = Indicator.objects.public()
    years, viewable = indicators.years_open_to_view()
    year = chosen_year(request, years, today, earliest=today.year, also=viewable)
    Judgement.objects.refresh(set(viewable) | {year}, today)
    # Only public indicators have judged rows.
    filters = ProgressFilter(request.GET, queryset=Judgement.objects.filter(year=year))
    if not filters.is_valid():
        raise Http404("No such theme, department or status.")  # so never cached
    counts = Judgement.objects.status_counts()
    closed = progress.year_closed(year, today)
    shown = filters.before_status().status_counts() if filters.narrows_indicators() else counts
    context = {
        "table": progress_table(request, filters, year, today),
        "filters": filters,
        "year": year,
        "years": years,
        "closed": closed,
        "has_targets": year in years,
        "counts": status_counts(shown, year, closed) if year in years else [],
        "strip": year_strip(counts, viewable, today),
        "last_published": Actual.objects.filter(indicator__is_public=True).last_publication(),
    }
    return render(request, "kpis/progress.html", context)


def progress_table(request, filters, year, today):
    """The public table: the judged rows of `year` the filters let through, sorted and paged
    in the database; then the rows of the page shown, and only those, built as
    ProgressRows and handed to the table."""
    nothing = _("No indicator matches these filters.") if filters.form.has_changed() else None
    table = ProgressTable(filters.qs.in_table_order(), request=request, empty_text=nothing)
    # Sorting from the address; the page size is the site's, never the address's.
    RequestConfig(request, paginate=False).configure(table)
    try:
        table.paginate(page=page_number(request), per_page=50)
    except InvalidPage as past_the_last:
        raise Http404("No such page.") from past_the_last
    page = [row.record.indicator_id for row in table.paginated_rows]
    table.show(Indicator.objects.public().filter(pk__in=page).progress_rows(year, today))
    return table


def page_number(request):
    """The page the address asks for; one that is not a page number is not found (and a
    page past the last: the paginator says so), so made-up pages are never built."""
    asked = request.GET.get("page") or "1"
    if not (asked.isascii() and asked.isdigit()):
        raise Http404("No such page.")
    return int(asked)


def year_strip(counted, years, today):
    """(year, closed, its status counts, its number of targets, its number of indicators
    with figures but no target) for each year with targets or figures, from the judged rows
    `counted` by (year, status)."""
    strip = []
    for year in sorted(years):
        closed = progress.year_closed(year, today)
        total = sum(
            n
            for (counted_year, status), n in counted.items()
            if counted_year == year and status != progress.Status.NO_TARGET
        )
        without = counted.get((year, progress.Status.NO_TARGET), 0)
        strip.append((year, closed, status_counts(counted, year, closed), total, without))
    return strip


def status_counts(counted, year, closed):
    """How many indicators with a target in `year` stand at each status (`counted` by
    (year, status)), in the table's order: a closed year's verdicts, or an open year's pace
    (pace unknown and figures overdue only where they occur)."""
    if closed:
        return [
            (status, counted.get((year, status), 0)) for status in progress.CLOSED_YEAR_STATUSES
        ]
    return [
        (status, counted.get((year, status), 0))
        for status in progress.OPEN_YEAR_STATUSES
        if status not in (progress.Status.UNKNOWN_PACE, progress.Status.OVERDUE)
        or counted.get((year, status))
    ]


@public_cache
def indicator_detail(request, code):
    # The targets first: their years choose the year, and the page lists them all.
    today = timezone.localdate()
    targets = list(
        Target.objects.filter(indicator__code=code, indicator__is_public=True)
        .select_related("source")
        .order_by("-year")
    )
    years = [target.year for target in targets]
    year = chosen_year(request, years, today, earliest=FIRST_YEAR)
    indicator = (
        Indicator.objects.public()
        .with_year_figures(year, today)
        .for_page()
        .select_related("theme", "source", "replaced_by")
    )
    indicator = get_object_or_404(indicator, code=code).attach_progress(year, today)
    history = indicator.published_history()
    readings = [progress.Reading(actual.period_end, actual.published_value) for actual in history]
    overview = indicator.years_overview(targets, history, today)
    unit, scale = axis_unit(indicator)
    context = {
        "indicator": indicator,
        "interim_verdicts": indicator.interim_verdicts(year, history, today),
        "verdict_revisions": indicator.verdict_revisions(targets, history, today),
        "year": year,
        "years": sorted({row[0] for row in overview} | {year, today.year}),
        "overview": overview,
        "targets": targets,
        "history": history,
        "revisions": indicator.target_revisions(),
        "chart": progress_chart(
            year,
            indicator.value_type,
            readings,
            indicator.result,
            indicator.seasonal_profile,
            indicator.reported_as,
            scale,
        ),
        "years_chart": years_chart(
            readings,
            [(target.year, target.value) for target in targets],
            indicator.value_type,
            indicator.reported_as,
            scale=scale,
        ),
        "axis_unit": unit,
        "summary": progress_sentence(indicator.result, indicator),
    }
    return render(request, "kpis/indicator_detail.html", context)


@public_cache
def progress_data(request, file_format):
    today = timezone.localdate()
    indicators = Indicator.objects.public()
    years, viewable = indicators.years_open_to_view()
    year = chosen_year(request, years, today, earliest=today.year, also=viewable)
    document = exports.progress_document(indicators.progress_rows(year, today), year, today)
    return data_file(document, exports.progress_dataset, file_format, f"progress-{year}")


@public_cache
def indicator_data(request, code, file_format):
    indicator = get_object_or_404(
        Indicator.objects.public().select_related("replaced_by"), code=code
    )
    actuals = indicator.published_history()[::-1]
    document = exports.history_document(indicator, actuals)
    return data_file(document, exports.history_dataset, file_format, code)


DATA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def data_file(document, to_dataset, file_format, name):
    """`document` as JSON, or flattened by `to_dataset` into a CSV or XLSX download."""
    if file_format == "json":
        return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    dataset = to_dataset(document)
    if file_format == "csv":
        # The byte order mark makes Excel read the file as UTF-8 (Chinese names intact).
        body = "\ufeff" + dataset.export("csv")
    else:
        body = exports.xlsx_file(dataset, name[:31])
    response = HttpResponse(body, content_type=DATA_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@public_cache
def snapshot_list(request):
    context = {"snapshots": Snapshot.objects.only("taken_on", "year", "created_at")}
    return render(request, "kpis/snapshot_list.html", context)


@public_cache
def snapshot_detail(request, taken_on):
    snapshot = get_object_or_404(Snapshot, taken_on=taken_on)
    previous = snapshot.previous()
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    rows = [(row, indicators.get(row["code"])) for row in snapshot.document["indicators"]]
    context = {
        "snapshot": snapshot,
        "rows": rows,
        "previous": previous,
        "changes": snapshot.changes_since(previous),
    }
    return render(request, "kpis/snapshot_detail.html", context)


def snapshot_data(request, taken_on, file_format):
    snapshot = get_object_or_404(Snapshot, taken_on=taken_on)
    name = f"progress-{snapshot.year}-as-of-{snapshot.taken_on}"
    return data_file(snapshot.document, exports.progress_dataset, file_format, name)


def bulletin_list(request):
    # Not cached: the bulletins are not among the tables that raise the data version, and
    # the list is one small query.
    # Only approved bulletins are public; drafts are listed apart to those who may read them.
    of_language = Bulletin.objects.in_language(get_language()).defer("data", "docx", "pdf")
    context = {"bulletins": of_language.approved().with_current()}
    if roles.reads_draft_bulletins(request.user):
        context["drafts"] = of_language.drafts()
    return render(request, "kpis/bulletin_list.html", context)


BULLETIN_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def bulletin_file(request, as_of, file_format):
    """The current (latest approved) version of the page language's bulletin of `as_of`,
    or ?version=N; drafts only to leaders and reviewers."""
    found = Bulletin.objects.in_language(get_language()).filter(as_of=as_of)
    if not roles.reads_draft_bulletins(request.user):
        found = found.approved()  # a draft's files are not public
    asked = request.GET.get("version", "")
    if asked:
        # Only digits 0 to 9 (int() reads "²" and "١" too), and no more than a version has.
        known = asked.isascii() and asked.isdigit() and len(asked) <= 9
        found = found.filter(version=int(asked) if known else 0)
    else:
        found = found.approved()  # the current version: the latest approved one
    bulletin = found.order_by("-version").only("as_of", "language", "version", file_format)
    bulletin = bulletin.first()
    if bulletin is None:
        raise Http404("No bulletin of that day.")
    response = HttpResponse(bytes(getattr(bulletin, file_format)), BULLETIN_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{bulletin.file_name(file_format)}"'
    return response


@public_cache
def data_index(request):
    indicators = Indicator.objects.public()
    context = {
        "columns": exports.COLUMNS,
        "history_columns": exports.HISTORY_COLUMNS,
        # Every year with targets or published figures has its files.
        "years": indicators.years_open_to_view()[1],
        "indicators": indicators.select_related("theme"),
        "last_published": Actual.objects.filter(indicator__is_public=True).last_publication(),
        "licence": settings.OPEN_DATA_LICENCE,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
    }
    return render(request, "kpis/data_index.html", context)


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    healthy = database == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": database,
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        },
        status=200 if healthy else 503,
    )


# How long a published figure stays listed on /my/ for the official who entered it.
RECENT = datetime.timedelta(days=30)


@login_required
def my_updates(request):
    """An official's work list: periods due, drafts, returned figures, figures waiting for
    review and those published lately; a reviewer's queue."""
    today = timezone.localdate()
    user = request.user
    if roles.lands_on_bulletins(user):
        return redirect("make_bulletin")  # a leader's work: the bulletins to approve
    if not user.has_perm("kpis.view_actual"):
        # Signed in without any role here: the page that says whom to ask.
        return redirect("no_role")
    mine = Actual.objects.visible_to(user).select_related("indicator", "entered_by")
    own = Actual.objects.for_entry(user).select_related("indicator", "entered_by")
    indicators = due_in_order(Indicator.objects.for_entry(user).due_work(today), today)
    context = {
        "indicators": indicators,
        "period_tables": sorted(
            {period.period_end for indicator in indicators for period in indicator.current},
            reverse=True,
        ),
        "today": today,
        "grace_days": periods.GRACE_DAYS,
        "reporting_starts": reporting_starts(),
        "returned": own.filter(status=Actual.Status.RETURNED),
        "drafts": own.filter(status=Actual.Status.DRAFT),
        "to_review": mine.waiting_for_review().select_related("indicator__department")
        if user.has_perm("kpis.review_actual")
        else [],
        "batch_return_form": BatchReturnForm(),
        "submitted": own.waiting_for_review(),
        "recently_published": own.published_since(timezone.now() - RECENT),
        "recent_days": RECENT.days,
        "bulletin_form": BulletinForm(
            initial={"as_of": last_quarter_end(today), "language": get_language()}
        ),
    }
    return render(request, "kpis/my_updates.html", context)


def due_in_order(indicators, today):
    """The indicators with periods due, in the order of /my/ (`due_order`): each with its
    periods to enter now (`current`) and those to back-fill, folded on the page."""
    listed = []
    for indicator in indicators:
        due = sorted(indicator.due, key=lambda period: due_order(period, today))
        if due:
            indicator.current = [period for period in due if not period.backfill]
            indicator.backfill = [period for period in due if period.backfill]
            listed.append((due_order(due[0], today), indicator.position, indicator))
    return [indicator for *_, indicator in sorted(listed, key=lambda row: row[:2])]


@login_required
def enter_figure(request, code, period_end):
    indicator = get_object_or_404(Indicator.objects.for_entry(request.user), code=code)
    if not request.user.has_perm("kpis.add_actual"):
        raise PermissionDenied
    existing = Actual.objects.filter(indicator=indicator, period_end=period_end).first()
    if existing is not None:
        return redirect("figure_detail", pk=existing.pk)
    initial = {"indicator": indicator, "period_end": period_end}
    form = ActualForm(
        request.POST or None, request.FILES or None, initial=initial, user=request.user
    )
    form.fields["indicator"].disabled = form.fields["period_end"].disabled = True
    # This indicator's kind of figure, not stocks and flows in general.
    form.fields["value"].help_text = figure_kind(indicator, period_end)
    if request.method == "POST" and form.is_valid():
        actual = save_reviewed(request, form)
        if actual is not None and "next" in (request.POST.get("submit"), request.POST.get("save")):
            return redirect(next_due_page(request.user, actual))
        if actual is not None:
            return redirect("figure_detail", pk=actual.pk)
    context = {
        "form": form,
        "indicator": indicator,
        "period_end": period_end,
        "target": indicator.targets.filter(year=period_end.year).first(),
        # The year's interim targets go here once indicators have them (InterimTarget).
        "interim_targets": [],
        "recent": indicator.recent_published(period_end),
        "yardstick": indicator.yardstick(period_end),
    }
    return render(request, "kpis/figure_form.html", context)


def next_due_page(user, actual):
    """The entry page of the department's next due period after `actual`: the same period
    of its other indicators first, then the others in the order of /my/; else /my/."""
    today = timezone.localdate()
    department = actual.indicator.department_id
    due = [
        (period.period_end != actual.period_end, *due_order(period, today), indicator.position)
        + (indicator.code, period.period_end)
        for indicator in Indicator.objects.for_entry(user).due_work(today)
        if indicator.department_id == department
        for period in indicator.due
    ]
    if not due:
        return reverse("my_updates")
    *_, code, period_end = min(due)
    return reverse("enter_figure", args=[code, period_end])


def due_order(period, today):
    """The order of due periods on /my/: this year's first, overdue ones on top, the newest
    period first, periods to back-fill last."""
    return (
        period.backfill,
        period.period_end.year != today.year,
        not period.is_overdue(today),
        -period.period_end.toordinal(),
    )


@login_required
def enter_period(request, period_end):
    """One table for a department's period: a row (an ActualForm) per indicator of the
    official's departments due for `period_end`; the rows filled in are saved all or none."""
    user = request.user
    if not user.has_perm("kpis.add_actual"):
        raise PermissionDenied
    due = Indicator.objects.for_entry(user).due_work(timezone.localdate())
    # A row is named by its indicator's code, not by its place as in a Django formset: when
    # a colleague enters one of the period's figures meanwhile, the rows shift, and a value
    # must never land on the indicator below.
    rows = [
        ActualForm(
            request.POST or None,
            request.FILES or None,
            prefix=indicator.code,
            initial={"indicator": indicator, "period_end": period_end},
            user=user,
        )
        for indicator in due
        if period_end in {period.period_end for period in indicator.due}
    ]
    for row in rows:
        row.fields["indicator"].disabled = row.fields["period_end"].disabled = True
    filled = [row for row in rows if row.has_changed()]
    listed = {row.prefix for row in rows}
    gone = [
        key.removesuffix("-value")
        for key, value in request.POST.items()
        if key.endswith("-value") and value.strip() and key.removesuffix("-value") not in listed
    ]
    for code in gone:
        messages.error(
            request,
            _("%(code)s: a figure for this period was entered meanwhile; nothing was saved.")
            % {"code": code},
        )
    if request.method == "POST" and not gone and save_rows(request, filled):
        return redirect("my_updates")
    nothing_filled = request.method == "POST" and not filled
    context = {"rows": rows, "period_end": period_end, "nothing_filled": nothing_filled}
    return render(request, "kpis/period_form.html", context)


def save_rows(request, rows):
    """Save every row or none: a row refused (invalid, held by the guard, not submittable)
    keeps its error and the others are rolled back."""
    if not rows:
        return False
    if not all([row.is_valid() for row in rows]):
        return False
    with transaction.atomic():
        saved = []
        for row in rows:
            try:
                with transaction.atomic():
                    saved.append(store_reviewed(row, request.user, "submit" in request.POST))
            except (ValidationError, IntegrityError):
                pass
        if len(saved) < len(rows):
            transaction.set_rollback(True)
            return False
    for entry in saved:
        messages.success(request, entry.done_message())
    return True


@login_required
def figure_detail(request, pk):
    figures = Actual.objects.select_related("indicator__department", "entered_by")
    actual = get_object_or_404(figures, pk=pk)
    context = {
        "actual": actual,
        "indicator": actual.indicator,
        "return_form": FigureReturnForm(),
        "explanation_required": actual.explanation_required(),
        "review_url": reverse("review_figure", args=[pk]),
        "submit_url": reverse("submit_figure", args=[pk]),
    }
    return reviewed_page(request, actual, ActualForm, "kpis/figure_detail.html", context)


@login_required
@require_POST
def submit_figure(request, pk):
    actual = get_object_or_404(Actual.objects.select_related("indicator"), pk=pk)
    return submit_step(request, actual, figure_page(actual))


@login_required
@require_POST
def review_figure(request, pk):
    actual = get_object_or_404(Actual.objects.select_related("indicator"), pk=pk)
    return review_step(request, actual, figure_page(actual), FigureReturnForm)


def figure_page(actual):
    return reverse("figure_detail", args=[actual.pk])


# The workflow's pages, the same for figures and the key tasks' milestones and statements
# (tasks/views.py): the entry's own methods (kpis.workflow.Reviewed) decide.


def reviewed_page(request, entry, form_class, template, context):
    """The page of a reviewed entry on /my/: seen by its department's officials and by
    reviewers, edited with `form_class` while its officials may, submitted, published or
    returned. `context` holds what the template shows besides, and `review_url` and
    `submit_url`."""
    user = request.user
    if not entry.is_visible_to(user):
        raise PermissionDenied
    editable = entry.is_editable_by(user)
    reviewing = user.has_perm(entry.review_permission) and entry.status == entry.Status.SUBMITTED
    form = (
        form_class(request.POST or None, request.FILES or None, instance=entry, user=user)
        if editable
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and save_reviewed(request, form) is not None:
            return redirect(request.path)
    context = {
        **context,
        "entry": entry,
        "form": form,
        "history": entry.history.select_related("history_user").order_by("-history_date"),
        "can_submit": editable and user.has_perm(entry.submit_permission),
        "can_review": reviewing,
        # The four-eyes rule shows here already, not only on pressing "publish".
        "review_refusal": reviewing and entry.reviewer_refusal(user),
    }
    return render(request, template, context)


def save_reviewed(request, form):
    """Save the entry form; with the "save and submit" button, submit it too (a published
    entry whose public copy did not change stays published and has nothing to submit).
    Returns the entry, or None with the reason added to the form."""
    try:
        with transaction.atomic():
            entry = store_reviewed(form, request.user, "submit" in request.POST)
    except (ValidationError, IntegrityError):
        return None
    if entry.status == entry.Status.PUBLISHED:
        # A published entry whose note alone changed: saved, and still published.
        messages.success(request, _("Saved: %(figure)s") % {"figure": entry.display_name()})
    else:
        messages.success(request, entry.done_message())
    return entry


def store_reviewed(form, user, submitting):
    """Save a valid entry form and, when `submitting` (and the user may), submit it; a
    refusal is added to the form and raised again, for the caller to roll back."""
    entry = form.save(commit=False)
    submitting = submitting and user.has_perm(entry.submit_permission)
    try:
        if submitting and entry.status in (entry.Status.DRAFT, entry.Status.RETURNED):
            entry.submit(user)
        entry.save_edit(form.cleaned_data.get("seen_version"))
    except ValidationError as refusal:
        form.add_error(None, refusal)
        raise
    except IntegrityError:
        # Saved twice at once (a double click): the first one is there.
        form.add_error(None, entry.already_exists_message)
        raise
    return entry


def submit_step(request, entry, next_url):
    if not (entry.is_editable_by(request.user) and request.user.has_perm(entry.submit_permission)):
        raise PermissionDenied
    return workflow_step(request, entry, partial(entry.submit, request.user), next_url)


def review_step(request, entry, next_url, return_form=ReturnForm):
    """Publish a submitted entry (a figure, or a key task's milestone or statement), or
    return it with the reason of the return form; the entry's own methods say no."""
    if not request.user.has_perm(entry.review_permission):
        raise PermissionDenied
    if "publish" in request.POST:
        step = partial(entry.publish, request.user)
    else:
        form = return_form(request.POST)
        # The entry's own method refuses a return without a reason, in its own words.
        details = form.cleaned_data if form.is_valid() else {"reason": ""}
        step = partial(entry.return_for_correction, request.user, **details)
    return workflow_step(request, entry, step, next_url)


def workflow_step(request, entry, step, next_url):
    try:
        step()
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        entry.save()
        messages.success(request, entry.done_message())
    return redirect(next_url)

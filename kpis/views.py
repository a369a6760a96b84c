import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from kpis import exports, progress
from kpis.forms import ActualForm, ReturnForm, save_edit
from kpis.models import Actual, Indicator, Theme
from kpis.tables import ProgressTable


def chosen_year(request, years):
    """The year asked for with ?year=, else the latest year that has targets."""
    asked = request.GET.get("year", "")
    if not asked:
        return years[0] if years else timezone.localdate().year
    if asked.isdigit() and int(asked) in years:
        return int(asked)
    raise Http404("No targets for that year.")


def progress_page(request):
    indicators = Indicator.objects.public()
    years = list(indicators.target_years())
    year = chosen_year(request, years)
    themes = Theme.objects.filter(indicators__in=indicators).distinct()
    theme = request.GET.get("theme", "")
    if theme:
        indicators = indicators.filter(theme__code=theme)
    table = ProgressTable(indicators.progress_rows(year), request=request)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {"table": table, "year": year, "years": years, "themes": themes, "theme": theme}
    return render(request, "kpis/progress.html", context)


def indicator_detail(request, code):
    indicator = get_object_or_404(Indicator.objects.public(), code=code)
    years = list(Indicator.objects.filter(pk=indicator.pk).target_years())
    year = chosen_year(request, years)
    indicator = Indicator.objects.filter(pk=indicator.pk).progress_rows(year)[0]
    context = {
        "indicator": indicator,
        "year": year,
        "targets": indicator.targets.select_related("source").order_by("-year"),
        "history": indicator.published_history(),
        "summary": progress.summary(indicator.result, get_language()),
    }
    return render(request, "kpis/indicator_detail.html", context)


def progress_json(request):
    indicators = Indicator.objects.public()
    year = chosen_year(request, list(indicators.target_years()))
    document = exports.progress_document(indicators.progress_rows(year), year)
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})


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


@login_required
def my_updates(request):
    """An official's work list: periods due, drafts and returned figures; a reviewer's queue."""
    today = timezone.localdate()
    user = request.user
    mine = Actual.objects.for_user(user).select_related("indicator", "entered_by")
    context = {
        "indicators": [
            indicator
            for indicator in Indicator.objects.for_user(user)
            .select_related("department")
            .due_work(today)
            if indicator.due
        ],
        "today": today,
        "returned": mine.filter(
            status=Actual.Status.RETURNED, indicator__in=Indicator.objects.for_user(user)
        ),
        "drafts": mine.filter(
            status=Actual.Status.DRAFT, indicator__in=Indicator.objects.for_user(user)
        ),
        "to_review": mine.waiting_for_review() if user.has_perm("kpis.review_actual") else [],
    }
    return render(request, "kpis/my_updates.html", context)


@login_required
def enter_figure(request, code, period_end):
    indicator = get_object_or_404(Indicator.objects.for_user(request.user), code=code)
    if not request.user.has_perm("kpis.add_actual"):
        raise PermissionDenied
    existing = Actual.objects.filter(indicator=indicator, period_end=period_end).first()
    if existing is not None:
        return redirect("figure_detail", pk=existing.pk)
    initial = {"indicator": indicator, "period_end": period_end}
    form = ActualForm(request.POST or None, initial=initial, user=request.user)
    form.fields["indicator"].disabled = form.fields["period_end"].disabled = True
    if request.method == "POST" and form.is_valid():
        actual = save_figure(request, form)
        return redirect("figure_detail", pk=actual.pk)
    return render(
        request,
        "kpis/figure_form.html",
        {"form": form, "indicator": indicator, "period_end": period_end},
    )


@login_required
def figure_detail(request, pk):
    actual = get_object_or_404(Actual.objects.select_related("indicator"), pk=pk)
    if not actual.is_visible_to(request.user):
        raise PermissionDenied
    editable = actual.is_editable_by(request.user)
    form = (
        ActualForm(request.POST or None, instance=actual, user=request.user) if editable else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            save_figure(request, form)
            return redirect("figure_detail", pk=actual.pk)
    context = {
        "actual": actual,
        "indicator": actual.indicator,
        "form": form,
        "return_form": ReturnForm(),
        "history": actual.history.select_related("history_user").order_by("-history_date")[:20],
        "can_submit": editable and request.user.has_perm("kpis.submit_actual"),
        "can_review": request.user.has_perm("kpis.review_actual"),
    }
    return render(request, "kpis/figure_detail.html", context)


def save_figure(request, form):
    """Save the entry form; with the "save and submit" button, submit it too."""
    actual = form.save(commit=False)
    with transaction.atomic():
        if "submit" in request.POST and request.user.has_perm("kpis.submit_actual"):
            actual.submit(request.user)
        save_edit(actual, form.cleaned_data.get("seen_version"))
    messages.success(request, _("Saved: %(figure)s") % {"figure": actual})
    return actual


@login_required
@require_POST
def submit_figure(request, pk):
    actual = get_object_or_404(Actual, pk=pk)
    if not (actual.is_editable_by(request.user) and request.user.has_perm("kpis.submit_actual")):
        raise PermissionDenied
    return workflow_step(request, actual, lambda: actual.submit(request.user))


@login_required
@require_POST
def review_figure(request, pk):
    actual = get_object_or_404(Actual, pk=pk)
    if not request.user.has_perm("kpis.review_actual"):
        raise PermissionDenied
    if "publish" in request.POST:
        return workflow_step(request, actual, lambda: actual.publish(request.user))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the figure is returned."))
        return redirect("figure_detail", pk=actual.pk)
    reason = form.cleaned_data["reason"]
    return workflow_step(
        request, actual, lambda: actual.return_for_correction(request.user, reason)
    )


def workflow_step(request, actual, step):
    try:
        step()
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        actual.save()
        messages.success(
            request,
            _("%(figure)s is now: %(status)s.")
            % {"figure": actual, "status": actual.get_status_display()},
        )
    return redirect("figure_detail", pk=actual.pk)

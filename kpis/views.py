import datetime

from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django_tables2 import RequestConfig

from kpis import exports, progress
from kpis.models import Indicator, Theme
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
        "history": indicator.actuals.published().order_by("-period_end"),
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

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kpis.caching import public_cache
from kpis.progress import plain_decimal
from kpis.views import DATA_TYPES, data_file
from plans import exports, rules
from plans.charts import plan_chart
from plans.models import Plan


@public_cache
def plan_list(request):
    plans = Plan.objects.public().with_verdicts(timezone.localdate())
    context = {"plans": plans, "tolerance": plain_decimal(rules.TOLERANCE * 100)}
    return render(request, "plans/plan_list.html", context)


@public_cache
def plan_detail(request, code):
    today = timezone.localdate()
    found = Plan.objects.public().filter(code=code).with_verdicts(today)
    if not found:
        raise Http404
    plan = found[0]
    for target in plan.plan_targets:
        target.chart = plan_chart(target.base_year, target.base_value, target.years)
    return render(request, "plans/plan_detail.html", {"plan": plan, "today": today})


@public_cache
def plans_data(request, file_format):
    document = exports.plans_document(timezone.localdate())
    if file_format != "xlsx":
        return data_file(document, exports.plans_dataset, file_format, "plans")
    body = exports.plans_xlsx(exports.plans_dataset(document))
    response = HttpResponse(body, content_type=DATA_TYPES["xlsx"])
    response["Content-Disposition"] = 'attachment; filename="plans.xlsx"'
    return response

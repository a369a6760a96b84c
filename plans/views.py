from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kpis.caching import public_cache
from kpis.progress import plain_decimal
from kpis.views import BULLETIN_TYPES as REVIEW_TYPES
from kpis.views import DATA_TYPES, data_file
from plans import exports, rules
from plans.charts import plan_chart
from plans.models import Plan, PlanReview


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
    revisions = plan.target_revisions()
    for target in plan.plan_targets:
        target.chart = plan_chart(target.base_year, target.base_value, target.years)
        target.revisions = revisions.get(target.pk, [])
    context = {
        "plan": plan,
        "today": today,
        "reviews": PlanReview.objects.public().filter(plan=plan).listed(),
    }
    return render(request, "plans/plan_detail.html", context)


def plan_review_file(request, code, pk, file_format):
    """A stored review's Word or PDF file, as it was made."""
    found = PlanReview.objects.public().filter(plan__code=code, pk=pk).select_related("plan")
    review = found.only("plan__code", "as_of", "language", file_format).first()
    if review is None:
        raise Http404("No such review.")
    response = HttpResponse(bytes(getattr(review, file_format)), REVIEW_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{review.file_name(file_format)}"'
    return response


@public_cache
def plans_data(request, file_format):
    document = exports.plans_document(timezone.localdate())
    if file_format != "xlsx":
        return data_file(document, exports.plans_dataset, file_format, "plans")
    body = exports.plans_xlsx(exports.plans_dataset(document))
    response = HttpResponse(body, content_type=DATA_TYPES["xlsx"])
    response["Content-Disposition"] = 'attachment; filename="plans.xlsx"'
    return response

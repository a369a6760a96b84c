from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kpis.templatetags.kpis_tags import badge
from plans.charts import plan_chart
from plans.exports import COLUMNS
from plans.models import Plan
from plans.rules import LAGGING, Status

register = template.Library()

STATUS_TEXT = {
    Status.AHEAD: (_("Ahead of the path"), "★"),
    Status.ON_TRACK: (_("On the path"), "✓"),
    Status.AT_RISK: (_("At risk"), "!"),
    Status.BEHIND: (_("Behind the path"), "✕"),
    Status.ACHIEVED: (_("Achieved"), "★"),
    Status.MISSED: (_("Missed"), "✕"),
    Status.NO_FINAL_FIGURE: (_("No year-end figure"), "?"),
    Status.NO_DATA: (_("No figure yet"), "–"),
    Status.NOT_STARTED: (_("Not started"), "○"),
}


@register.filter
def plan_status_label(status):
    return STATUS_TEXT[status][0]


@register.simple_tag
def plan_badge(status, binding=None):
    """A plan year's or target's verdict in words with an icon; a binding target that lags
    says so in words too, so it stands out wherever it is shown."""
    label, icon = STATUS_TEXT[status]
    if binding == "binding" and status in LAGGING:
        label = format_html('{} <strong class="binding-lagging">({})</strong>', label, _("binding"))
    return badge(f"status status-{status}", icon, label)


@register.inclusion_tag("plans/_indicator_plans.html")
def plan_targets_of(indicator):
    """The public plan targets on `indicator`, each judged today with its chart: what an
    indicator's page shows of the plans (kpis knows nothing of them). Four queries."""
    plans = Plan.objects.public().filter(targets__indicator=indicator).distinct()
    targets = []
    for plan in plans.with_verdicts(timezone.localdate()):
        for target in plan.plan_targets:
            if target.indicator_id == indicator.pk:
                target.chart = plan_chart(target.base_year, target.base_value, target.years)
                targets.append(target)
    return {"plan_targets": targets}


@register.simple_tag
def plan_data_columns():
    """The columns of /data/plans.csv and .xlsx, for the open data page."""
    return COLUMNS

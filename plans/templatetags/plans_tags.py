from dataclasses import dataclass, field

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kpis import progress
from kpis.charts import years_chart
from kpis.templatetags.kpis_tags import badge
from plans import rules
from plans.charts import plan_chart
from plans.exports import COLUMNS
from plans.models import Plan, PlanTarget
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


@dataclass
class IndicatorPlans:
    """What an indicator's page shows of the plans: its plan targets, each judged today
    with its own chart, and the indicator's years chart with each plan's path drawn on it
    (None when the indicator is in no plan: the page keeps its own chart)."""

    targets: list = field(default_factory=list)
    years_chart: object = None


def plan_path_points(target):
    """(year, value) of `target`'s path as the years chart draws it: from the base through
    each plan year; a cumulative path as its yearly shares, since the chart shows each
    year's own total."""
    if target.path == PlanTarget.Path.CUMULATIVE:
        return sorted(rules.yearly_shares(target.terms()).items())
    return [(target.base_year, target.base_value)] + [(v.year, v.path_value) for v in target.years]


@register.simple_tag
def plans_of(indicator, history, annual_targets):
    """The public plan targets on `indicator` judged today from the page's own published
    `history` and `annual_targets` (kpis knows nothing of plans: its page asks this tag).
    One query: the targets with their plans and sources."""
    today = timezone.localdate()
    found = list(
        PlanTarget.objects.filter(indicator_id=indicator.pk, plan__is_public=True)
        .select_related("plan__source", "source")
        .order_by("-plan__start_year", "plan__code")
    )
    # The prefetches PlanTarget.attach_verdicts reads, from what the page already has.
    indicator.published_figures = history
    indicator.annual_targets = [t for t in annual_targets if t.withdrawn_at is None]
    for target in found:
        target.indicator = indicator
        target.attach_verdicts(today)
        target.chart = plan_chart(target.base_year, target.base_value, target.years)
    if not found:
        return IndicatorPlans()
    readings = [progress.Reading(a.period_end, a.published_value) for a in history]
    extra_lines = [
        (
            _("Path of %(plan)s") % {"plan": target.plan.display_name},
            plan_path_points(target),
        )
        for target in found
    ]
    chart = years_chart(
        readings,
        [(t.year, t.value) for t in annual_targets],
        indicator.value_type,
        indicator.reported_as,
        extra_lines=extra_lines,
    )
    return IndicatorPlans(found, chart)


@register.inclusion_tag("plans/_indicator_plans.html")
def plan_targets_of(indicator):
    """The public plan targets on `indicator`, each judged today with its chart, for a page
    that has not read the indicator's figures (an indicator's page uses `plans_of`). Four
    queries."""
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

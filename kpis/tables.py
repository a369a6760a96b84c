import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kpis.models import Indicator


class ProgressTable(tables.Table):
    """The public progress table. Rows are indicators annotated by `with_year_figures` and
    carrying `result` (their `progress.Progress`), so every cell reads data already loaded."""

    name = tables.TemplateColumn(
        template_name="kpis/cells/_name.html",
        verbose_name=_("Indicator"),
        order_by=("theme__position", "position"),
    )
    baseline = tables.TemplateColumn(
        template_name="kpis/cells/_baseline.html",
        verbose_name=_("Baseline"),
        order_by="baseline_value",
    )
    target = tables.TemplateColumn(
        template_name="kpis/cells/_target.html",
        verbose_name=_("Target"),
        order_by="target_value",
    )
    actual = tables.TemplateColumn(
        template_name="kpis/cells/_actual.html",
        verbose_name=_("Latest published figure"),
        order_by="result__current",
    )
    attainment = tables.TemplateColumn(
        template_name="kpis/cells/_attainment.html",
        verbose_name=_("Attainment"),
        order_by="result__attainment",
    )
    status = tables.TemplateColumn(
        template_name="kpis/cells/_status.html",
        verbose_name=_("Status"),
        order_by="status_rank",
    )

    class Meta:
        model = Indicator
        fields = ("name", "baseline", "target", "actual", "attainment", "status")
        attrs = {"class": "progress-table"}
        orderable = True
        empty_text = _("No indicator has a target for this year.")

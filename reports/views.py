"""The pages that read both the targets and the key tasks: the departments' scorecard, and
the doors that take a snapshot or make a bulletin."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpis import periods
from kpis.caching import public_cache
from kpis.forms import BulletinForm
from kpis.models import Department, Indicator, reporting_starts
from kpis.templatetags.kpis_tags import percent
from kpis.views import chosen_year
from reports import bulletins, snapshots
from tasks.models import Task


@public_cache
def department_scorecard(request):
    today = timezone.localdate()
    context = {
        "departments": Department.objects.timeliness_list(
            today, also=Task.objects.statement_reporting(today)
        ),
        "today": today,
        "grace_days": periods.GRACE_DAYS,
        "reporting_starts": reporting_starts(),
        "green": percent(Decimal(str(periods.Timeliness.GREEN))),
        "yellow": percent(Decimal(str(periods.Timeliness.YELLOW))),
    }
    return render(request, "kpis/departments.html", context)


@login_required
@require_POST
def take_snapshot(request):
    if not request.user.has_perm("kpis.review_actual"):
        raise PermissionDenied
    today = timezone.localdate()
    indicators = Indicator.objects.public()
    year = chosen_year(request, list(indicators.target_years()), today, earliest=today.year)
    snapshot, created = snapshots.take_snapshot(today, year)
    if not created:
        messages.info(request, _("Today's snapshot exists already; it stays as it was."))
    return redirect(snapshot)


@login_required
@require_POST
def make_bulletin(request):
    if not request.user.has_perm("kpis.review_actual"):
        raise PermissionDenied
    form = BulletinForm(request.POST)
    if not form.is_valid():
        refusals = [message for field in form.errors.values() for message in field]
        messages.error(request, " ".join(refusals) or _("Give a valid date."))
        return redirect("my_updates")
    chosen = form.cleaned_data
    bulletin = bulletins.make(chosen["as_of"], chosen["language"], chosen["year"], request.user)
    messages.success(
        request,
        _("Bulletin issue %(issue)d as of %(day)s made (version %(version)d).")
        % {"issue": bulletin.issue, "day": bulletin.as_of, "version": bulletin.version},
    )
    with translation.override(bulletin.language):
        return redirect("bulletin_list")

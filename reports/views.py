"""The pages that read both the targets and the key tasks: the departments' scorecard, and
the doors that take a snapshot or make a bulletin."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kpis import periods, roles
from kpis.caching import public_cache
from kpis.evidence import evidence_storage, file_name
from kpis.forms import BatchReturnForm, BulletinForm
from kpis.models import Actual, Bulletin, Department, Indicator, reporting_starts
from kpis.templatetags.kpis_tags import percent
from kpis.views import chosen_year
from reports import bulletins, snapshots
from tasks.models import Milestone, ProgressStatement, Task


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
def my_bulletins(request):
    """/my/bulletins/: a leader's page of the bulletins to approve (GET); reviewers make
    one by POSTing here (`make_bulletin`)."""
    if request.method == "POST":
        return make_bulletin(request)
    if not roles.reads_draft_bulletins(request.user):
        raise PermissionDenied
    bulletins_of = Bulletin.objects.defer("data", "docx", "pdf").select_related(
        "made_by", "approved_by"
    )
    context = {
        "drafts": bulletins_of.drafts().order_by("-as_of", "language", "-version"),
        "approved": bulletins_of.approved().order_by("-approved_at")[:10],
        "may_approve": roles.is_leader(request.user),
    }
    return render(request, "kpis/my_bulletins.html", context)


@login_required
@require_POST
def approve_bulletin(request, pk):
    """A leader approves a draft: from then on it is public and posted to the robots."""
    if not request.user.has_perm("kpis.approve_bulletin"):
        raise PermissionDenied
    bulletin = get_object_or_404(Bulletin.objects.defer("data", "docx", "pdf"), pk=pk)
    try:
        bulletin.approve(request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _(
                "Bulletin issue %(issue)d as of %(day)s (version %(version)d) approved: it is "
                "public now."
            )
            % {"issue": bulletin.issue, "day": bulletin.as_of, "version": bulletin.version},
        )
    return redirect("make_bulletin")


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
    messages.info(request, _("It is a draft: a leader approves it before it is public."))
    with translation.override(bulletin.language):
        return redirect("bulletin_list")


# What the batch review of /my/ takes, by the name of its checkboxes.
REVIEWED = {
    "figures": (Actual, "indicator__department"),
    "milestones": (Milestone, "task__department"),
    "statements": (ProgressStatement, "task__department"),
}


@login_required
@require_POST
def batch_review(request):
    """Publish or return the figures, milestones and statements ticked in the queue of
    /my/, each by its own method (four eyes, its own rules): what was done, and what was
    refused and why, is said after."""
    user = request.user
    selected = [
        entry
        for name, (model, department) in REVIEWED.items()
        for entry in model.objects.filter(
            pk__in=[pk for pk in request.POST.getlist(name) if pk.isdigit()]
        ).select_related(department)
    ]
    if not selected:
        messages.error(request, _("Tick at least one entry to review."))
        return redirect(reverse("my_updates") + "#review-heading")
    if "publish" in request.POST:
        step, done_words = (lambda entry: entry.publish(user)), _("Published")
    else:
        form = BatchReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()))
            return redirect(reverse("my_updates") + "#review-heading")
        reason = form.cleaned_data["reason"]
        step = lambda entry: entry.return_for_correction(user, reason)  # noqa: E731
        done_words = _("Returned for correction")
    done = []
    for entry in selected:
        try:
            if not entry.is_visible_to(user):
                raise ValidationError(entry.not_reviewer_message)
            step(entry)
        except ValidationError as refusal:
            messages.error(
                request,
                _("Not done: %(entry)s: %(reason)s")
                % {"entry": entry.display_name(), "reason": refusal.messages[0]},
            )
            continue
        entry.save()
        done.append(entry.display_name())
    if done:
        summary = ngettext(
            "%(done)s %(count)d entry: %(names)s",
            "%(done)s %(count)d entries: %(names)s",
            len(done),
        )
        messages.success(
            request,
            summary % {"done": done_words, "count": len(done), "names": "; ".join(done)},
        )
    return redirect(reverse("my_updates") + "#review-heading")


def evidence_file(request, kind, pk):
    """An entry's evidence file (or, with ?version=, the one a past version of it had), to
    those who may see the entry only; to anyone else, as if there were none."""
    if kind not in REVIEWED:
        raise Http404("No such kind of entry.")
    model, department = REVIEWED[kind]
    entry = get_object_or_404(model.objects.select_related(department), pk=pk)
    if not (request.user.is_authenticated and entry.is_visible_to(request.user)):
        raise Http404("No such file.")
    name = entry.evidence_file.name
    version = request.GET.get("version", "")
    if version:
        record = entry.history.filter(history_id=int(version) if version.isdigit() else 0)
        name = get_object_or_404(record).evidence_file
    if not name:
        raise Http404("No file.")
    try:
        stored = evidence_storage.open(name, "rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    return FileResponse(stored, as_attachment=True, filename=file_name(name))

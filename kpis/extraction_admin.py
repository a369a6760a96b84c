"""The admin's "新建来源：从文件提取" pages: a manager gives a document, then reviews its figures.

The first page saves the document as a Source with its text; the second lists what
kpis.extraction finds in that text, each figure with its sentence and the indicator it most
likely states. Accepting a figure as a target or a baseline goes through the same form the
admin's indicator page uses for them (`ChangeReasonForm`: changing an existing figure needs a
reason, which the change history and the public log of revisions keep), so a figure accepted
here is recorded, shown and later revised like one typed in by hand. A rejected figure is
remembered and not proposed again for that source.

Each row shows what the indicator already has for that year (its target, else its baseline,
else a published figure) beside the proposal, and warns of another place's figure, an
increment or growth rate against a level indicator, a target below an increasing
indicator's baseline and a period that is not the year's end. Revising a public target, or
taking an increment or a growth rate as a level indicator's target, needs the manager to tick
the confirmation and type the reason: the note offered for a new target's history is not one,
and a plain click saves nothing.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms import modelform_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from kpis.bilingual import in_both_languages
from kpis.extraction import (
    GROWTH,
    INCREMENT,
    LEVEL,
    Candidate,
    IndicatorMatcher,
    extract,
    indicator_measure,
    paragraph,
    simplified,
)
from kpis.forms import ActualForm, CandidateForm, ChangeReasonForm, DocumentForm
from kpis.forms import TargetForm as AdminTargetForm
from kpis.models import (
    Actual,
    Indicator,
    Qualifier,
    RejectedCandidate,
    Source,
    Target,
)
from kpis.templatetags.kpis_tags import qualified
from kpis.units import table_unit_words
from kpis.vocabulary import Direction


def urls(admin_site):
    """The two pages, under /admin/kpis/source/, wrapped as admin views."""
    return [
        path("extract/", admin_site.admin_view(new_source), name="kpis_source_extract"),
        path(
            "<int:source_id>/review/",
            admin_site.admin_view(review_source),
            name="kpis_source_review",
        ),
    ]


@dataclass
class Row:
    """One proposed figure as the review page shows it."""

    candidate: Candidate
    form: CandidateForm | None  # None once accepted
    before: str
    figure: str
    after: str
    new_indicator_url: str
    existing: str = ""  # what the proposed indicator has for that year
    warnings: tuple = ()


def new_source(request):
    if not request.user.has_perm("kpis.add_source"):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        source = form.save()
        if form.cleaned_data.get("release"):
            drafts = release_drafts(source)
            messages.success(
                request,
                _("%(count)s draft figures proposed to the departments: %(figures)s")
                % {"count": len(drafts), "figures": "; ".join(map(str, drafts)) or "—"},
            )
        return redirect("admin:kpis_source_review", source_id=source.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("New source: extract from a file"),
        "form": form,
        "opts": Source._meta,
    }
    return TemplateResponse(request, "admin/kpis/source/extract.html", context)


def review_source(request, source_id):
    if not request.user.has_perm("kpis.change_source"):
        raise PermissionDenied
    source = get_object_or_404(Source, pk=source_id)
    user = request.user
    indicators = Indicator.objects.visible_to(user)
    candidates = {c.figure_start: c for c in pending_candidates(source)}
    if request.method == "POST":
        response = act(request, source, candidates, indicators)
        if response:
            return response
    rows = review_rows(source, candidates.values(), indicators)
    context = {
        **admin.site.each_context(request),
        "title": _("Figures proposed from %(source)s") % {"source": source.title},
        "source": source,
        "rows": rows,
        "opts": Source._meta,
    }
    return TemplateResponse(request, "admin/kpis/source/review.html", context)


def release_drafts(source):
    """Draft figures from a statistics release (统计月报: "1—10月，全区规模以上工业增加值同比
    增长8.2%"): each result of this district that matches an indicator, filed under the period
    the text names (else the year's end) when the indicator reports that period, counted
    as the indicator counts (year to date or the period's own) and not entered yet.

    The drafts are nobody's entry yet (`entered_by` empty): they wait in /my/ among the
    drafts of the indicator's department, whose official checks, corrects and submits one
    (`submit(user)`, the usual route) and a reviewer publishes it. The manager who pasted
    the release enters no figure in anyone's name."""
    matcher = IndicatorMatcher(Indicator.objects.match_rows())
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    drafts = []
    for candidate in pending_candidates(source):
        if candidate.kind != "result" or candidate.place or candidate.year is None:
            continue
        indicator = indicators.get(matcher.match(candidate, paragraph(source.text, candidate)))
        if indicator is None:
            continue
        period_ends = indicator.period_ends(candidate.year)
        period_end = candidate.period_end or period_ends[-1]
        counted_so = indicator.reported_as == Indicator.ReportedAs.YEAR_TO_DATE
        if period_end not in period_ends or (
            candidate.year_to_date != counted_so and period_end != period_ends[0]
        ):
            continue
        if indicator.actuals.filter(period_end=period_end).exists():
            continue  # never over an official's figure
        note = _("From %(source)s: %(quote)s") % {
            "source": source.citation,
            "quote": candidate.quote,
        }
        drafts.append(
            Actual.objects.create(
                indicator=indicator,
                period_end=period_end,
                value=Decimal(candidate.value),
                note=note,
                evidence_url=source.url,
            )
        )
    return drafts


def pending_candidates(source):
    """The source's figures, less those a manager rejected."""
    rejected = set(source.rejections.values_list("figure_start", "value", "unit"))
    found = extract(source.text, source.published_on, table_unit_words())
    return [c for c in found if (c.figure_start, c.value, c.unit) not in rejected]


def accepted_figures(source):
    """Whether a candidate was already accepted from this source: as a target, a baseline,
    or a figure whose note quotes the source and the candidate's sentence."""
    targets = source.targets.values_list("quote", "value")
    baselines = Indicator.objects.filter(source=source).values_list(
        "baseline_quote", "baseline_value"
    )
    kept = {(quote, value) for quote, value in [*targets, *baselines] if value is not None}
    notes = list(Actual.objects.filter(note__contains=source.citation).values_list("note", "value"))

    def accepted(candidate):
        value = Decimal(candidate.value)
        return (candidate.quote, value) in kept or any(
            candidate.quote in note and value == figure for note, figure in notes
        )

    return accepted


def review_rows(source, candidates, indicators):
    matcher = IndicatorMatcher(indicators.match_rows())
    codes = dict(indicators.values_list("code", "pk"))
    accepted = accepted_figures(source)
    proposals = []
    for candidate in candidates:
        code = level = None
        if not accepted(candidate):
            context = paragraph(source.text, candidate)
            code = matcher.match(candidate, context)
            level = None if code else matcher.level_match(candidate, context)
        proposals.append((candidate, code, level))
    known = IndicatorFigures({code or level for _, code, level in proposals} - {None}, indicators)
    rows = []
    for candidate, code, level in proposals:
        form = existing = None
        warnings = ()
        if not accepted(candidate):
            initial = {
                "figure_start": candidate.figure_start,
                "indicator": codes.get(code),
                "year": candidate.year,
                "value": candidate.value,
                "qualifier": candidate.qualifier or Qualifier.REACH,
                # The note a new target's history keeps; a revision needs a reason typed
                # instead (`unconfirmed_change`).
                "change_reason": offered_reason(source),
            }
            form = CandidateForm(
                initial=initial, indicators=indicators, prefix=str(candidate.figure_start)
            )
            indicator = known.indicator(code or level)
            existing = known.describe(indicator, candidate.year)
            warnings = row_warnings(candidate, indicator, level)
        rows.append(_row(candidate, form, existing or "", warnings))
    return rows


class IndicatorFigures:
    """The proposed indicators with their targets and published figures, in three queries."""

    def __init__(self, codes, indicators):
        self.indicators = {i.code: i for i in indicators.filter(code__in=codes)}
        self.targets = {
            (target.indicator_id, target.year): target
            for target in Target.objects.filter(
                indicator__code__in=codes, withdrawn_at__isnull=True
            )
        }
        self.actuals = {}
        published = Actual.objects.published().filter(indicator__code__in=codes)
        for actual in published.order_by("period_end"):
            self.actuals[(actual.indicator_id, actual.period_end.year)] = actual

    def indicator(self, code):
        return self.indicators.get(code)

    def describe(self, indicator, year):
        """The indicator's target for `year`, else its baseline, else its latest figure."""
        if indicator is None:
            return ""
        target = self.targets.get((indicator.pk, year))
        if target is not None:
            figure = qualified(target.value, target.qualifier, indicator)
            return _("%(indicator)s: target %(year)s %(figure)s") % {
                "indicator": indicator,
                "year": year,
                "figure": figure,
            }
        if indicator.baseline_year == year and indicator.baseline_value is not None:
            value, qualifier = indicator.baseline_value, indicator.baseline_qualifier
            return _("%(indicator)s: baseline %(year)s %(figure)s") % {
                "indicator": indicator,
                "year": year,
                "figure": qualified(value, qualifier, indicator),
            }
        actual = self.actuals.get((indicator.pk, year))
        if actual is not None:
            return _("%(indicator)s: figure %(date)s %(figure)s") % {
                "indicator": indicator,
                "date": actual.period_end.isoformat(),
                "figure": qualified(actual.value, None, indicator),
            }
        return _("%(indicator)s: nothing for %(year)s yet") % {"indicator": indicator, "year": year}


def row_warnings(candidate, indicator, level):
    """What the manager must look at before accepting the row's figure."""
    warnings = []
    if candidate.place:
        warnings.append(
            _("The figure of %(place)s, not of this district: no indicator is proposed.")
            % {"place": candidate.place}
        )
    if level and candidate.measure == INCREMENT:
        warnings.append(
            _(
                "新增: an increment, not the total; the target of %(indicator)s would be "
                "its baseline + %(value)s."
            )
            % {"indicator": indicator, "value": candidate.value}
        )
    elif level and candidate.measure == GROWTH:
        warnings.append(
            _("A growth rate, not a level: not a target of %(indicator)s.")
            % {"indicator": indicator}
        )
    baseline = indicator.baseline_value if indicator else None
    if (
        candidate.kind == "target"
        and baseline is not None
        and indicator.direction == Direction.INCREASE
        and candidate.measure == LEVEL
        and Decimal(candidate.value) < baseline
    ):
        warnings.append(
            _("Below the baseline (%(baseline)s in %(year)s) of an indicator that should increase.")
            % {
                "baseline": qualified(baseline, indicator.baseline_qualifier, indicator),
                "year": indicator.baseline_year,
            }
        )
    if candidate.period_end and (candidate.period_end.month, candidate.period_end.day) != (12, 31):
        warnings.append(
            _("A figure of the period ending %(date)s, not of the whole year.")
            % {"date": candidate.period_end.isoformat()}
        )
    return tuple(warnings)


def _row(candidate, form, existing="", warnings=()):
    quote, offset = candidate.quote, candidate.start
    figure_start, figure_end = candidate.figure_start - offset, candidate.figure_end - offset
    new_indicator = {
        "name": simplified(candidate.subject),
        "unit": simplified(candidate.unit),
        "baseline_quote": quote,
    }
    return Row(
        candidate,
        form,
        quote[:figure_start],
        quote[figure_start:figure_end],
        quote[figure_end:],
        reverse("admin:kpis_indicator_add") + "?" + urlencode(new_indicator),
        existing,
        warnings,
    )


def act(request, source, candidates, indicators):
    """Carry out one row's button; a response when done, None to show the page again."""
    prefix = request.POST.get("row", "")
    form = CandidateForm(request.POST, indicators=indicators, prefix=prefix)
    if not form.is_valid() or form.cleaned_data["figure_start"] not in candidates:
        messages.error(request, _("This figure could not be read; look at it again."))
        return None
    candidate = candidates[form.cleaned_data["figure_start"]]
    action = request.POST.get("action")
    if action == "reject":
        RejectedCandidate.objects.get_or_create(
            source=source,
            figure_start=candidate.figure_start,
            value=candidate.value,
            unit=candidate.unit,
            defaults={"rejected_by": request.user},
        )
        messages.success(request, _("Rejected: it will not be proposed again for this source."))
        return redirect(request.path)
    if action not in ACCEPTANCES or form.cleaned_data["indicator"] is None:
        messages.error(request, _("Choose the indicator first."))
        return None
    accept, needed = ACCEPTANCES[action]
    if not request.user.has_perm(needed):
        raise PermissionDenied
    unconfirmed = unconfirmed_change(action, candidate, form.cleaned_data, source)
    if unconfirmed:
        messages.error(request, unconfirmed)
        return None
    saved = accept(source, candidate, form.cleaned_data, request.user)
    if saved.errors:
        for error in saved.errors.values():
            messages.error(request, " ".join(error))
        return None
    messages.success(request, _("Accepted: %(figure)s.") % {"figure": saved.instance})
    return redirect(request.path)


def offered_reason(source):
    """The note offered for a new target's history: where it comes from, in both languages."""
    return in_both_languages(lambda: _("From %(source)s") % {"source": source.citation})


def unconfirmed_change(action, candidate, data, source):
    """Why the row's target cannot be saved without the manager's confirmation and typed
    reason, or None: it revises a public target, or sets a level indicator's target from an
    increment or a growth rate. The reason offered for a new target is not a typed one."""
    if action != "target":
        return None
    indicator, year = data["indicator"], data["year"]
    existing = indicator.targets.filter(year=year, withdrawn_at__isnull=True).first()
    revises = existing is not None and (
        existing.value != data["value"] or existing.qualifier != data["qualifier"]
    )
    changes = (
        candidate.measure in (INCREMENT, GROWTH) and indicator_measure(indicator.name) == LEVEL
    )
    if not (revises or changes):
        return None
    reason = data.get("change_reason", "").strip()
    if data.get("confirm_revision") and reason and reason != offered_reason(source):
        return None
    if revises:
        return _(
            "This revises the public target %(figure)s of %(year)s: tick the confirmation and "
            "type the reason for the revision; nothing was saved."
        ) % {"figure": qualified(existing.value, existing.qualifier, indicator), "year": year}
    return _(
        "An increment or a growth rate as the target of the level indicator %(indicator)s: "
        "tick the confirmation and type the reason; nothing was saved."
    ) % {"indicator": indicator}


# The admin's own target form: a revision needs its reason and its source, a withdrawn
# target stays as it was, a year never moves.
TargetForm = modelform_factory(
    Target, form=AdminTargetForm, fields=["value", "qualifier", "source", "quote"]
)
BaselineForm = modelform_factory(
    Indicator,
    form=ChangeReasonForm,
    fields=["baseline_year", "baseline_value", "baseline_qualifier", "source", "baseline_quote"],
)


def accept_target(source, candidate, data, user):
    """The indicator's target for the year, new or revised (with the form's reason)."""
    indicator, year = data["indicator"], data["year"]
    target = indicator.targets.filter(year=year).first() or Target(indicator=indicator, year=year)
    figures = {"value": data["value"], "qualifier": data["qualifier"], "quote": candidate.quote}
    return _save(TargetForm, target, source, figures, data)


def accept_baseline(source, candidate, data, user):
    figures = {
        "baseline_year": data["year"],
        "baseline_value": data["value"],
        "baseline_qualifier": data["qualifier"],
        "baseline_quote": candidate.quote,
    }
    return _save(BaselineForm, data["indicator"], source, figures, data)


def accept_draft(source, candidate, data, user):
    """A draft figure for the year's last period (or the period the text names: 1—10月),
    entered through the officials' own form (their departments, the unit-slip check), to be
    submitted and reviewed as usual."""
    indicator = data["indicator"]
    period_ends = indicator.period_ends(data["year"])
    period_end = period_ends[-1]
    if candidate.period_end and candidate.period_end.year == data["year"]:
        # 1—10月: the figure of the period the text names, if the indicator reports one
        period_end = candidate.period_end if candidate.period_end in period_ends else None
    if period_end is None:
        return Refused(
            _("%(indicator)s reports no period ending %(date)s: enter the figure by hand.")
            % {"indicator": indicator, "date": candidate.period_end.isoformat()}
        )
    actual = indicator.actuals.filter(period_end=period_end).first()
    note = _("From %(source)s: %(quote)s") % {"source": source.citation, "quote": candidate.quote}
    figures = {
        "indicator": indicator.pk,
        "period_end": period_end,
        "value": data["value"],
        "note": note,
        "evidence_url": source.url,
        "seen_version": actual.version if actual else None,
    }
    form = ActualForm(figures, instance=actual, user=user)
    if form.is_valid():
        form.save()
    return form


@dataclass
class Refused:
    """An acceptance refused before any form: its message, as a form's errors."""

    message: str

    @property
    def errors(self):
        return {"__all__": [self.message]}


ACCEPTANCES = {
    "target": (accept_target, "kpis.add_target"),
    "baseline": (accept_baseline, "kpis.change_indicator"),
    "draft": (accept_draft, "kpis.add_actual"),
}


def _save(form_class, instance, source, figures, data):
    form = form_class(
        {**figures, "source": source.pk, "change_reason": data["change_reason"]}, instance=instance
    )
    if form.is_valid():
        # As the admin's own pages do: the reason goes into the change history.
        form.instance._change_reason = form.cleaned_data["change_reason"]
        form.save()
    return form

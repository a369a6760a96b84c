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

import datetime
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.forms import modelform_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from kpis import periods
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
from kpis.forms import (
    ActualForm,
    CandidateForm,
    ChangeReasonForm,
    DocumentForm,
    InterimTargetForm,
)
from kpis.forms import TargetForm as AdminTargetForm  # the admin's rules for a target
from kpis.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Actual,
    Indicator,
    InterimTarget,
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
    decision: str | None  # the row's inputs; None once accepted
    before: str
    figure: str
    after: str
    new_indicator_url: str
    existing: str = ""  # what the proposed indicator has for that year
    warnings: tuple = ()
    period_end: datetime.date | None = None  # the period within the year its sentence names


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
        "indicator_choices": indicators.values_list("code", "name"),
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
    found = stored_candidates(source)
    return [c for c in found if (c.figure_start, c.value, c.unit) not in rejected]


# How long the figures found in a text are kept: the review of a document takes days.
CANDIDATES_KEPT_SECONDS = 14 * 24 * 3600


def stored_candidates(source):
    """The figures of the source's text, extracted once per text and date rather than on
    every view of the review page; kept in the cache, and found again if it lost them."""
    # The units table is data: a unit added since reads the text anew.
    units = table_unit_words()
    text = f"{source.published_on}\n{sorted(units)}\n{source.text}"
    key = "extraction:" + hashlib.sha256(text.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = extract(source.text, source.published_on, units)
        cache.set(key, found, CANDIDATES_KEPT_SECONDS)
    return found


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
    inputs = DecisionInputs()
    rows = []
    for candidate, code, level in proposals:
        decision = existing = None
        warnings = ()
        period_end = interim_period_end(candidate)
        if not accepted(candidate):
            initial = {
                "figure_start": candidate.figure_start,
                "indicator": code,
                "year": candidate.year,
                "value": candidate.value,
                "qualifier": candidate.qualifier or Qualifier.REACH,
                "period_end": period_end,
                # The note a new target's history keeps; a revision needs a reason typed
                # instead (`unconfirmed_change`).
                "change_reason": offered_reason(source),
            }
            decision = inputs.render(str(candidate.figure_start), initial)
            indicator = known.indicator(code or level)
            existing = known.describe(indicator, candidate.year)
            warnings = row_warnings(candidate, indicator, level)
        rows.append(_row(candidate, decision, existing or "", warnings, period_end))
    return rows


class DecisionInputs:
    """The inputs of one row's decision, as CandidateForm reads them, written out in Python:
    a page of a few hundred figures rendered through the widgets' templates took seconds
    (as the public page's filters, see kpis.filters.PlainSelect)."""

    def __init__(self):
        fields = CandidateForm.base_fields
        self.labels = {name: field.label for name, field in fields.items()}
        self.period_end_help = fields["period_end"].help_text
        self.qualifiers = list(fields["qualifier"].choices)
        self.suffix = _(":")  # Django's own label suffix, "：" in Chinese

    def render(self, prefix, initial):
        def label(name):
            return format_html(
                '<label for="id_{}-{}">{}{}</label>', prefix, name, self.labels[name], self.suffix
            )

        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if value == initial["qualifier"] else "", text)
                for value, text in self.qualifiers
            ),
        )
        return format_html(
            '<input type="hidden" name="{0}-figure_start" value="{1}">'
            '{2} <input type="text" name="{0}-indicator" value="{3}" list="indicator-choices" '
            'size="24" id="id_{0}-indicator"> '
            '{4} <input type="number" name="{0}-year" value="{5}" min="{6}" max="{7}" '
            'required id="id_{0}-year"> '
            '{8} <input type="number" name="{0}-value" value="{9}" step="any" required '
            'id="id_{0}-value"> '
            '{10} <select name="{0}-qualifier" id="id_{0}-qualifier">{11}</select> '
            '{12} <input type="text" name="{0}-change_reason" value="{13}" maxlength="100" '
            'id="id_{0}-change_reason"> '
            '{14} <input type="date" name="{0}-period_end" value="{15}" '
            'id="id_{0}-period_end" title="{16}"> '
            '<input type="checkbox" name="{0}-confirm_revision" id="id_{0}-confirm_revision"> '
            "{17}",
            prefix,
            initial["figure_start"],
            label("indicator"),
            initial["indicator"] or "",
            label("year"),
            "" if initial["year"] is None else initial["year"],
            FIRST_YEAR,
            LAST_YEAR,
            label("value"),
            initial["value"],
            label("qualifier"),
            options,
            label("change_reason"),
            initial["change_reason"],
            label("period_end"),
            initial["period_end"].isoformat() if initial.get("period_end") else "",
            self.period_end_help,
            label("confirm_revision"),
        )


# A period within the year, as a sentence names it before its figure: 一季度, 上半年,
# 前三季度, or the months of the year so far (1-5月, 1—5月, 1至5月).
INTERIM_WORDS = {"一季度": 3, "上半年": 6, "前三季度": 9}
MONTHS_SO_FAR = re.compile(r"1\s*[-—–~至到]\s*(1[01]|[2-9])\s*月")


def interim_period_end(candidate):
    """The end of the period within the year a candidate's sentence names before its figure
    (an interim target, e.g. 上半年完成70亿元), or None."""
    before = candidate.quote[: candidate.figure_start - candidate.start]
    if candidate.year is None:
        return None
    month = next((m for word, m in INTERIM_WORDS.items() if word in before), None)
    found = MONTHS_SO_FAR.search(before)
    if month is None and found:
        month = int(found.group(1))
    if month is None:
        return None
    return periods.period_ends(periods.Frequency.MONTHLY, candidate.year)[month - 1]


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


def _row(candidate, decision, existing="", warnings=(), period_end=None):
    quote, offset = candidate.quote, candidate.start
    figure_start, figure_end = candidate.figure_start - offset, candidate.figure_end - offset
    new_indicator = {
        "name": simplified(candidate.subject),
        "unit": simplified(candidate.unit),
        "baseline_quote": quote,
    }
    return Row(
        candidate,
        decision,
        quote[:figure_start],
        quote[figure_start:figure_end],
        quote[figure_end:],
        reverse("admin:kpis_indicator_add") + "?" + urlencode(new_indicator),
        existing,
        warnings,
        period_end,
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
    if action == "interim_target" and form.cleaned_data["period_end"] is None:
        messages.error(request, _("Give the end of the period within the year first."))
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


def accept_interim_target(source, candidate, data, user):
    """An interim target for the period within the year the row names (see
    `interim_period_end`), through the admin's own form and its checks."""
    indicator, period_end = data["indicator"], data["period_end"]
    step = indicator.interim_targets.filter(period_end=period_end).first() or InterimTarget(
        indicator=indicator
    )
    form = InterimTargetForm(
        {
            "period_end": period_end,
            "value": data["value"],
            "qualifier": data["qualifier"],
            "source": source.pk,
            "quote": candidate.quote,
        },
        instance=step,
    )
    if form.is_valid():
        form.save()
    return form


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
    "interim_target": (accept_interim_target, "kpis.add_interimtarget"),
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

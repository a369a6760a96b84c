"""The mid-term and final review of a five-year plan (中期评估 / 总结评估) as a Word document
or a PDF, in the bulletin's A4 house style: the bulletin's content blocks and its two
renderers (reports.bulletins), fed with the plan's targets judged as on a day.

As of a day, only the periods that had ended by then count, judged as on that day. A day
later than today makes a rehearsal, and the file says so.
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kpis.bilingual import in_language
from kpis.templatetags.kpis_tags import figure, period_label, qualified
from plans import rules
from plans.models import Plan, PlanReview
from plans.templatetags.plans_tags import plan_status_label
from reports.bulletins import Cell, Content, Table, day, render_docx, render_pdf

COLOURS = {
    rules.Status.AHEAD: "green",
    rules.Status.ON_TRACK: "green",
    rules.Status.ACHIEVED: "green",
    rules.Status.AT_RISK: "yellow",
    rules.Status.BEHIND: "red",
    rules.Status.MISSED: "red",
}
LANGUAGES = {"zh": "zh-hans", "en": "en"}


def reviewed_plan(code, as_of):
    """The public plan `code` with its targets judged as on `as_of`, or None."""
    found = Plan.objects.filter(code=code).with_verdicts(as_of)
    return found[0] if found else None


def review_content(plan, as_of, language, made_on=None):
    """The review's words and cells (reports.bulletins.Content) in `language`."""
    made_on = made_on or timezone.localdate()
    with translation.override(language):
        final = as_of.year >= plan.end_year
        kind = _("final review") if final else _("mid-term review")
        document = Content(
            language=language,
            title=_("%(plan)s: %(kind)s of the targets")
            % {"plan": plan.display_name, "kind": kind},
            issue_line=_("As of %(day)s") % {"day": day(as_of)},
            issuer=in_language(settings.BULLETIN_ISSUER, settings.BULLETIN_ISSUER_EN),
            date_line=day(made_on),
        )
        blocks = document.blocks
        if as_of > made_on:
            blocks.append(
                (
                    "paragraph",
                    _(
                        "Rehearsal: this review is as of %(day)s, a day still to come when it "
                        "was made (%(made)s); it reads the figures published by then."
                    )
                    % {"day": day(as_of), "made": day(made_on)},
                )
            )
        blocks += [("heading", _("Overview")), ("paragraph", counts_sentence(plan))]
        blocks.append(("heading", _("Targets by theme")))
        targets = plan.plan_targets
        themes = dict.fromkeys(target.indicator.theme for target in targets)
        for theme in themes:
            blocks.append(("subheading", theme.display_name))
            themed = [target for target in targets if target.indicator.theme == theme]
            blocks.append(("table", theme_table(themed)))
        blocks.append(("heading", _("Targets lagging behind their path")))
        lagging = [target for target in targets if target.status in rules.LAGGING]
        if not lagging:
            blocks.append(("paragraph", _("No target lags behind its path.")))
        for rank, target in enumerate(lagging, start=1):
            blocks.append(("paragraph", lagging_text(rank, target)))
        document.footnotes.append(
            _("Source of the targets: %(source)s.") % {"source": plan.source.citation}
        )
        document.footnotes.append(
            _("Figures: published figures of the periods ended by %(day)s, judged as on that day.")
            % {"day": day(as_of)}
        )
    return document


def counts_sentence(plan):
    return _(
        "Of %(total)d targets, %(pace)d on or ahead of their path, %(lagging)d lagging, "
        "%(binding)d of them binding."
    ) % {
        "total": len(plan.plan_targets),
        "pace": plan.keeping_pace,
        "lagging": plan.lagging,
        "binding": plan.binding_lagging,
    }


def status_cell(target):
    label = str(plan_status_label(target.status))
    if target.is_binding and target.status in rules.LAGGING:
        label += _(" (binding)")
    return Cell(label, COLOURS.get(target.status, "grey"))


def theme_table(targets):
    header = [
        _("Indicator"),
        _("Class"),
        _("Base"),
        _("Path value"),
        _("Latest figure"),
        _("Target"),
        _("Verdict"),
    ]
    rows = []
    for target in targets:
        indicator, judged = target.indicator, target.judged_year
        actual = judged.actual if judged else None
        rows.append(
            [
                indicator.display_name,
                str(target.get_binding_display()),
                f"{figure(target.base_value, indicator)} ({target.base_year})",
                f"{figure(judged.path_value, indicator)} ({judged.year})" if judged else "—",
                f"{figure(actual.value, indicator)} ({period_label(actual.period_end, indicator)})"
                if actual
                else "—",
                f"{qualified(target.end_target, target.qualifier, indicator)} "
                f"({target.plan.end_year})",
                status_cell(target),
            ]
        )
    return Table.of(header, rows, [22, 10, 14, 14, 16, 12, 12])


def lagging_text(rank, target):
    """What a lagging target stands at, and what it needs each year to the end."""
    indicator, judged = target.indicator, target.judged_year
    actual = judged.actual
    terms = target.terms()
    needed = rules.needed_per_year(terms, actual.value, judged.year)
    words = {
        "rank": rank,
        "name": indicator.display_name,
        "binding": target.get_binding_display(),
        "figure": figure(actual.value, indicator),
        "period": period_label(actual.period_end, indicator),
        "path": figure(judged.path_value, indicator),
        "target": qualified(target.end_target, target.qualifier, indicator),
        "end": target.plan.end_year,
    }
    text = (
        _(
            "%(rank)d. %(name)s (%(binding)s): %(figure)s (%(period)s) against a path value of "
            "%(path)s; target %(target)s by %(end)d."
        )
        % words
    )
    if needed is None:
        return text
    space = "" if translation.get_language().startswith("zh") else " "
    if target.path == rules.Path.COMPOUND and not terms.growth_rate:
        need = _("It needs growth of %(rate)s%% a year to the end.") % {"rate": f"{needed:.1f}"}
    else:
        need = _("It needs %(amount)s a year to the end.") % {"amount": figure(needed, indicator)}
    return text + space + need


def plan_year_range(plan):
    return datetime.date(plan.start_year, 1, 1), datetime.date(plan.end_year, 12, 31)


def make(code, as_of, language, user=None):
    """Make and store the review of plan `code` as of `as_of` with both files: the one door
    of the command and the admin. ValueError when there is no such plan or `as_of` is not a
    day of its years."""
    plan = reviewed_plan(code, as_of)
    if plan is None:
        raise ValueError(_("No plan has the code %(code)s.") % {"code": code})
    first, last = plan_year_range(plan)
    if not first <= as_of <= last:
        raise ValueError(
            _("The day must be one of the plan's years (%(first)s to %(last)s).")
            % {"first": first, "last": last}
        )
    made_on = timezone.localdate()
    document = review_content(plan, as_of, language, made_on)
    return PlanReview.objects.create(
        plan=plan,
        as_of=as_of,
        language=language,
        rehearsal=as_of > made_on,
        docx=render_docx(document),
        pdf=render_pdf(document),
        made_by=user,
    )

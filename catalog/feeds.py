"""Atom feeds of what is published: figures and their corrections, target revisions and
bulletins (`/feeds/published.atom`), and one indicator's (`/indicators/<code>/feed.atom`), in
the page's language. Django's syndication framework writes valid Atom 1.0."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpis.models import Actual, Bulletin, Indicator, Target, target_changes
from kpis.templatetags.kpis_tags import figure_text, period_label, qualified

LIMIT = 50


@dataclass
class Entry:
    key: str
    title: str
    link: str
    updated: datetime
    summary: str


def figure_entries(indicators):
    published = Actual.objects.filter(indicator__in=indicators, published_at__isnull=False)
    moment = Greatest("published_at", Coalesce("revised_at", "published_at"))
    rows = published.annotate(moment=moment).select_related("indicator").order_by("-moment")
    for actual in rows[:LIMIT]:
        indicator = actual.indicator
        words = {
            "name": indicator.display_name,
            "period": period_label(actual.period_end, indicator),
            "figure": figure_text(actual.published_value, indicator),
        }
        corrected = actual.revised_at is not None and actual.revised_at > actual.published_at
        title = (
            _("Corrected: %(name)s, %(period)s: %(figure)s")
            if corrected
            else _("Published: %(name)s, %(period)s: %(figure)s")
        ) % words
        yield Entry(
            f"figure-{actual.pk}-{actual.moment:%Y%m%d%H%M%S}",
            title,
            indicator.get_absolute_url(),
            actual.moment,
            title,
        )


def revision_entries(indicators):
    records = Target.history.filter(indicator__in=indicators).select_related("indicator")
    recent = records.order_by("-history_date")[: LIMIT * 2]
    for revision in target_changes(records.filter(pk__in=[r.pk for r in recent])):
        record = revision.record
        indicator = record.indicator
        before = qualified(revision.old_value, revision.old_qualifier, indicator, figure_text)
        if revision.withdrawn:
            title = _("Target withdrawn: %(name)s %(year)s (was %(before)s)")
            after = ""
        else:
            after = qualified(revision.new_value, revision.new_qualifier, indicator, figure_text)
            title = _("Target revised: %(name)s %(year)s: %(before)s → %(after)s")
        words = {"name": indicator.display_name, "year": revision.year, "before": before}
        title %= {**words, "after": after}
        yield Entry(
            f"target-{record.history_id}",
            title,
            indicator.get_absolute_url(),
            record.history_date,
            f"{title} {getattr(record, 'history_change_reason', '') or ''}".strip(),
        )


def bulletin_entries():
    listed = Bulletin.objects.in_language(get_language()).with_current().filter(is_current=True)
    for bulletin in listed.defer("data", "docx", "pdf").order_by("-created_at")[:LIMIT]:
        title = _("Bulletin as of %(date)s (issue %(issue)s)") % {
            "date": bulletin.as_of.isoformat(),
            "issue": bulletin.issue,
        }
        yield Entry(
            f"bulletin-{bulletin.pk}",
            title,
            reverse("bulletin_file", args=[bulletin.as_of, "pdf"]),
            bulletin.created_at,
            title,
        )


class PublishedFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Guangming District targets tracker"

    def title(self):
        return _("Published in the Guangming District targets tracker")

    def subtitle(self):
        return _("Every figure, correction, target revision and bulletin made public.")

    def link(self):
        return reverse("progress")

    def items(self):
        indicators = Indicator.objects.public()
        entries = [
            *figure_entries(indicators),
            *revision_entries(indicators),
            *bulletin_entries(),
        ]
        return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:LIMIT]

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return entry.summary

    def item_link(self, entry):
        return entry.link

    def item_guid(self, entry):
        return f"urn:guangming-targets:{entry.key}"

    item_guid_is_permalink = False

    def item_updateddate(self, entry):
        return entry.updated

    def item_pubdate(self, entry):
        return entry.updated


class IndicatorFeed(PublishedFeed):
    def get_object(self, request, code):
        return get_object_or_404(Indicator.objects.public(), code=code)

    def title(self, indicator):
        return _("%(name)s: published figures") % {"name": indicator.display_name}

    def subtitle(self, indicator):
        return _("Every published figure, correction and target revision of this indicator.")

    def link(self, indicator):
        return indicator.get_absolute_url()

    def items(self, indicator):
        indicators = Indicator.objects.filter(pk=indicator.pk)
        entries = [*figure_entries(indicators), *revision_entries(indicators)]
        return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:LIMIT]

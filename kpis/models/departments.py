"""Departments: who reports what, their robots and their timeliness."""

import datetime
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis import periods
from kpis.bilingual import in_language
from kpis.models.figures import Actual
from kpis.models.indicators import Indicator, Target
from kpis.models.records import reporting_starts


def webhook_error(url):
    """Why the server must not post reminders to `url`, or None: only the group robots of
    the chat services named in KPI_WEBHOOK_HOSTS, over HTTPS, never an internal address.

    The host checked is the one the HTTP client (urllib, in send_reminders) will connect
    to, as it parses the address itself: parsers disagree on odd addresses such as
    https://127.0.0.1:1\\@robot.host/, so anything they could read two ways is refused."""
    parts = urlsplit(url)
    try:
        connects_to = urllib.request.Request(url).host
        port = parts.port
    except ValueError:
        return _("This is not an address reminders can be posted to.")
    if "@" in parts.netloc or "\\" in url:
        return _("A robot address carries no user name or password.")
    expected = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if parts.hostname not in settings.WEBHOOK_HOSTS or connects_to.lower() != expected:
        return _("Only these robot hosts are allowed: %(hosts)s.") % {
            "hosts": ", ".join(settings.WEBHOOK_HOSTS)
        }
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        return _("The robot address must start with https://.")
    return None


def validate_webhook_url(url):
    error = webhook_error(url)
    if error:
        raise ValidationError(error)


class DepartmentQuerySet(models.QuerySet):
    def timeliness_list(self, today, also=None):
        """A list (not a queryset) of the departments that own public indicators, each with
        `timeliness`: how punctually their published figures came over the last twelve
        months (see `periods.timeliness`). Four queries whatever the number of departments.

        `also` adds what other apps have due, as (`periods.Owned` rows by department id,
        their published reports by (id, period end)): the key tasks' statements."""
        also_owned, also_figures = also or ({}, {})
        departments = list(
            self.filter(Q(indicators__is_public=True) | Q(pk__in=list(also_owned))).distinct()
        )
        indicators = Indicator.objects.public().filter(department__in=departments)
        first_years = dict(
            Target.objects.filter(indicator__in=indicators)
            .values("indicator")
            .annotate(first=models.Min("year"))
            .values_list("indicator", "first")
        )
        started = reporting_starts()
        owned = {}
        fields = ("pk", "department", "frequency", "baseline_year", "release_lag_days")
        fields += ("discontinued_after",)
        listed = list(indicators.only(*fields))
        for indicator in listed:
            target_years = [first_years[indicator.pk]] if indicator.pk in first_years else []
            first_year = indicator.first_reporting_year(target_years, started or today)
            owned.setdefault(indicator.department_id, []).append(
                periods.Owned(
                    indicator.pk,
                    indicator.frequency,
                    first_year,
                    indicator.release_lag_days,
                    last_period_end=indicator.discontinued_after,
                )
            )
        # The earliest period whose deadline falls in the window.
        longest_lag = max((i.release_lag_days for i in listed), default=periods.GRACE_DAYS)
        since = today - datetime.timedelta(days=periods.WINDOW_DAYS + longest_lag)
        figures = {}
        published = Actual.objects.published().filter(
            indicator__in=indicators, period_end__gte=since
        )
        for indicator_id, end, submitted, first_published, revised in published.values_list(
            "indicator", "period_end", "first_submitted_at", "published_at", "revised_at"
        ):
            moment = timezone.localtime(submitted or first_published).date()
            figures[(indicator_id, end)] = (moment, revised is not None)
        figures.update(also_figures)
        for department in departments:
            reporting = owned.get(department.pk, []) + also_owned.get(department.pk, [])
            department.timeliness = periods.timeliness(
                reporting,
                figures,
                today,
                reporting_starts=department.reporting_since or started,
            )
        return departments


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials"),
        related_name="departments",
        blank=True,
        help_text=_("Officials who enter figures for this department's indicators."),
    )
    webhook_url = models.URLField(
        _("reminder webhook"),
        blank=True,
        validators=[validate_webhook_url],
        help_text=_(
            "Optional: a WeCom or DingTalk group robot address; reminders for this "
            "department are posted there as well as emailed."
        ),
    )
    reporting_since = models.DateField(
        _("reporting here since"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the day this department started reporting in the tracker. Periods "
            "that ended before it are to back-fill, never late. Empty: the day the tracker "
            "started (KPI_REPORTING_STARTS)."
        ),
    )

    objects = DepartmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # Moving the day later once it has passed would take the lateness of periods
        # already due off the public scorecard: refused. An earlier day only adds periods.
        if self.pk is None:
            return
        stored = Department.objects.filter(pk=self.pk).values_list("reporting_since", flat=True)
        stored = stored.first()
        started = reporting_starts()
        before, after = stored or started, self.reporting_since or started
        if before and after and before <= timezone.localdate() and after > before:
            raise ValidationError(
                {
                    "reporting_since": _(
                        "Reporting here started on %(date)s: that day cannot move later, "
                        "which would take periods already due off the public scorecard. "
                        "An earlier day is allowed."
                    )
                    % {"date": before.isoformat()}
                }
            )

    @property
    def display_name(self):
        return in_language(self.name, self.name_en)

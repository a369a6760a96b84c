"""What the installation records about itself: its first day, and the public data version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Installation(models.Model):
    """The day this database was first migrated (one row, written by migration 0016): the
    day reporting started here unless KPI_REPORTING_STARTS says otherwise."""

    first_migrated_on = models.DateField(_("first migrated on"))

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installation")

    def __str__(self):
        return str(self.first_migrated_on)


def reporting_starts(department=None):
    """The first day from which a period's figure can be late here: the department's
    "reporting since" date where set, else KPI_REPORTING_STARTS, else the day this database
    was first migrated. Periods that ended before it are to back-fill."""
    if department is not None and department.reporting_since:
        return department.reporting_since
    if settings.REPORTING_STARTS:
        return settings.REPORTING_STARTS
    return Installation.objects.values_list("first_migrated_on", flat=True).first()


class DataVersion(models.Model):
    """One row whose counter the database itself raises, by triggers, on every change to a
    table the public pages show (migration 0011), however the change is made: forms,
    admin, imports, fixtures, bulk updates. The public cache keys pages with it.

    Unmanaged, so that emptying the database (flush) does not reset the counter and bring
    back the versions of pages cached before.
    """

    counter = models.BigIntegerField(default=0)

    class Meta:
        managed = False
        db_table = "kpis_dataversion"

    def __str__(self):
        return str(self.counter)

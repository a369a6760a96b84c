"""Where targets come from (sources, rejected candidates), themes, qualifiers."""

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis import vocabulary
from kpis.bilingual import in_language

_QUALIFIER_WORDS = vocabulary.QUALIFIER_WORDS


STAGE_WORDS = vocabulary.STAGE_WORDS


# The years a figure, target or baseline may have (database constraints say so too).
FIRST_YEAR, LAST_YEAR = 1990, 2100


class Qualifier(models.TextChoices):
    # The values and words of the rules' vocabulary.Qualifier, which they read.
    OVER = vocabulary.Qualifier.OVER.value, _QUALIFIER_WORDS[vocabulary.Qualifier.OVER].label
    REACH = vocabulary.Qualifier.REACH.value, _QUALIFIER_WORDS[vocabulary.Qualifier.REACH].label
    ABOUT = vocabulary.Qualifier.ABOUT.value, _QUALIFIER_WORDS[vocabulary.Qualifier.ABOUT].label
    AT_LEAST = (
        vocabulary.Qualifier.AT_LEAST.value,
        _QUALIFIER_WORDS[vocabulary.Qualifier.AT_LEAST].label,
    )
    AT_MOST = (
        vocabulary.Qualifier.AT_MOST.value,
        _QUALIFIER_WORDS[vocabulary.Qualifier.AT_MOST].label,
    )


class Source(models.Model):
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    published_on = models.DateField(_("date of publication"))
    author = models.CharField(_("author"), max_length=200, blank=True)
    url = models.URLField(_("web address"), blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("The document's text, kept when its figures were proposed from it."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "title"]

    def __str__(self):
        return f"{self.publisher} {self.published_on:%Y-%m-%d}: {self.title}"

    @property
    def citation(self):
        """ "Publisher, date, title", the date in the page's language."""
        return f"{self.publisher}, {date_format(self.published_on, 'DATE_FORMAT')}, {self.title}"


class RejectedCandidate(models.Model):
    """A figure proposed from a source's text that a manager rejected: not proposed again."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="rejections"
    )
    figure_start = models.PositiveIntegerField(_("position in the text"))
    value = models.CharField(_("value"), max_length=40)
    unit = models.CharField(_("unit"), max_length=20)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rejected candidate")
        verbose_name_plural = _("rejected candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "figure_start", "value", "unit"],
                name="one_rejection_per_candidate",
            )
        ]

    def __str__(self):
        return f"{self.source_id} @{self.figure_start}: {self.value}{self.unit}"


class Theme(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return in_language(self.name, self.name_en)

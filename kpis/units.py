"""The units table: every unit an indicator may be counted in, editable by managers in the
admin (admin → units), shipped with the units of the national statistics catalogue a
district uses (migration 0030). An indicator keeps its unit's Chinese form as text
(`Indicator.unit`, what scripts and the open data read), checked against this table.

The rules read a unit as a `kpis.scales.UnitScale`; `unit_scales()` hands them the whole
table, read once per process and minute (a unit is edited a few times a year), and again
at once in the process that saved it.
"""

import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpis.scales import UnitKind, UnitScale, unit_words

# Seconds another process may go on using a unit as it was before an edit.
UNITS_KEPT_SECONDS = 60


class Unit(models.Model):
    class Kind(models.TextChoices):
        # The same values as scales.UnitKind, which the rules read.
        AMOUNT = UnitKind.AMOUNT.value, _("amount: a count, money or a physical quantity")
        PERCENT = UnitKind.PERCENT.value, _("per cent: a share of a whole or a rate")
        POINTS = UnitKind.POINTS.value, _("percentage points: the difference of two rates")
        MULTIPLE = UnitKind.MULTIPLE.value, _("multiple (倍)")

    zh = models.CharField(
        _("Chinese form"),
        max_length=10,
        unique=True,
        help_text=_(
            "As written after a number, e.g. 万元, 个百分点. Indicators keep this text; "
            "never change it once an indicator uses the unit."
        ),
    )
    en = models.CharField(
        _("English form"),
        max_length=40,
        help_text=_(
            "After a number, in the plural, or how English names the unit: people, "
            "10,000 people, 100 million yuan, percentage points."
        ),
    )
    en_singular = models.CharField(
        _("English singular"),
        max_length=40,
        blank=True,
        help_text=_("Only where it differs from the plural and a figure can be 1: person."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.AMOUNT,
        help_text=_(
            "Per cent and percentage points may be negative (a fall); amounts may not. "
            "个百分点 is a difference of rates, not a share."
        ),
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("base unit"),
        on_delete=models.PROTECT,
        related_name="multiples",
        limit_choices_to={"base__isnull": True},
        null=True,
        blank=True,
        help_text=_("For a multiple of another unit: 元 for 万元 and 亿元. Empty for a base unit."),
    )
    scale = models.DecimalField(
        _("scale"),
        max_digits=20,
        decimal_places=6,
        default=Decimal(1),
        help_text=_(
            "How many base units one of this unit holds: 10000 for 万元 (base 元), "
            "100000000 for 亿元, 1 for a base unit."
        ),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["base__zh", "scale", "zh"]
        constraints = [
            models.CheckConstraint(
                name="unit_scale_positive",
                condition=Q(scale__gt=0),
                violation_error_message=_("A unit's scale must be more than 0."),
            ),
            models.CheckConstraint(
                name="unit_base_unit_has_scale_one",
                condition=Q(base__isnull=False) | Q(scale=1),
                violation_error_message=_(
                    "A unit without a base unit is a base unit: its scale is 1."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.zh} ({self.en})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_unit_scales()  # this process writes the new form at once

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        forget_unit_scales()
        return deleted

    def clean(self):
        if self.base_id is not None:
            if self.base.base_id is not None:
                raise ValidationError(
                    {"base": _("The base unit must itself be a base unit (without a base).")}
                )
            if self.base_id == self.pk:
                raise ValidationError({"base": _("A unit cannot be its own base.")})
            if self.scale == 1:
                raise ValidationError(
                    {"scale": _("Give how many base units one of this unit holds, e.g. 10000.")}
                )

    def as_scale(self, base=None):
        base = base or self.base or self
        return UnitScale(
            zh=self.zh,
            en=self.en,
            base=base.zh,
            scale=Decimal(self.scale),
            base_en=base.en,
            kind=self.kind,
            en_singular=self.en_singular,
        )


_loaded = {"at": None, "scales": {}}


def unit_scales():
    """Every unit of the table as a `UnitScale`, by Chinese form."""
    now = time.monotonic()
    if _loaded["at"] is None or now - _loaded["at"] > UNITS_KEPT_SECONDS:
        units = {unit.pk: unit for unit in Unit.objects.all()}
        _loaded["scales"] = {
            unit.zh: unit.as_scale(units.get(unit.base_id)) for unit in units.values()
        }
        _loaded["at"] = now
    return _loaded["scales"]


def forget_unit_scales():
    """Read the table afresh at the next `unit_scales()` (after an edit, or between tests)."""
    _loaded["at"] = None


def unit_scale(zh):
    """The `UnitScale` of the unit written `zh`; a unit missing from the table (a figure
    read before a migration, a test's made-up unit) counts as a base unit of its own."""
    return unit_scales().get(zh) or UnitScale(zh=zh, en=zh, base=zh)


def table_unit_words():
    """The words the extractor reads as units, from the units table (see `scales.unit_words`)."""
    return unit_words(unit_scales().values())


def validate_unit(zh):
    """Refuse a unit that is not in the units table, saying how to add one."""
    if not Unit.objects.filter(zh=zh).exists():
        raise ValidationError(
            _(
                "“%(unit)s” is not in the units table. A manager adds it in the admin "
                "(Units → Add unit), with its English form and its scale; then choose it here."
            ),
            code="unknown_unit",
            params={"unit": zh},
        )


# The units of the national statistics catalogue a district uses, shipped by migration
# 0030: (Chinese, English after a number, English singular, kind, base unit, scale).
CATALOGUE = [
    ("元", "yuan", "", "amount", "", 1),
    ("千元", "thousand yuan", "", "amount", "元", 10**3),
    ("万元", "10,000 yuan", "", "amount", "元", 10**4),
    ("亿元", "100 million yuan", "", "amount", "元", 10**8),
    ("万亿元", "trillion yuan", "", "amount", "元", 10**12),
    ("人", "people", "person", "amount", "", 1),
    ("万人", "10,000 people", "", "amount", "人", 10**4),
    ("人次", "visits", "visit", "amount", "", 1),
    ("万人次", "10,000 visits", "", "amount", "人次", 10**4),
    ("家", "enterprises", "enterprise", "amount", "", 1),
    ("个", "items", "item", "amount", "", 1),
    ("只", "funds", "fund", "amount", "", 1),
    ("户", "households", "household", "amount", "", 1),
    ("万户", "10,000 households", "", "amount", "户", 10**4),
    ("辆", "vehicles", "vehicle", "amount", "", 1),
    ("万辆", "10,000 vehicles", "", "amount", "辆", 10**4),
    ("吨", "tonnes", "tonne", "amount", "", 1),
    ("万吨", "10,000 tonnes", "", "amount", "吨", 10**4),
    ("吨标准煤", "tonnes of standard coal", "tonne of standard coal", "amount", "", 1),
    ("万吨标准煤", "10,000 tonnes of standard coal", "", "amount", "吨标准煤", 10**4),
    ("平方米", "square metres", "square metre", "amount", "", 1),
    ("万平方米", "10,000 square metres", "", "amount", "平方米", 10**4),
    ("亩", "mu", "", "amount", "", 1),
    ("公顷", "hectares", "hectare", "amount", "", 1),
    ("公里", "km", "", "amount", "", 1),
    ("千瓦", "kW", "", "amount", "", 1),
    ("万千瓦", "10,000 kW", "", "amount", "千瓦", 10**4),
    ("千瓦时", "kWh", "", "amount", "", 1),
    ("亿千瓦时", "100 million kWh", "", "amount", "千瓦时", 10**8),
    ("标箱", "TEU", "", "amount", "", 1),
    ("万标箱", "10,000 TEU", "", "amount", "标箱", 10**4),
    ("微克/立方米", "μg/m³", "", "amount", "", 1),
    ("%", "%", "", "percent", "", 1),
    ("个百分点", "percentage points", "percentage point", "points", "", 1),
    ("倍", "times", "", "multiple", "", 1),
]


def catalogue_unit_words():
    """The extractor's words for the shipped units, without a database (the corpus score)."""
    return unit_words(UnitScale(zh=zh, en=en, base=base or zh) for zh, en, *_, base, _ in CATALOGUE)


def install_catalogue(apps):
    """Add the units of `CATALOGUE` the table lacks (the data migration; and after a test
    empties the database, as the groups of `kpis.roles` are put back)."""
    model = apps.get_model("kpis", "Unit")
    known = {unit.zh: unit for unit in model.objects.all()}
    for zh, en, en_singular, kind, base, scale in CATALOGUE:
        if zh not in known:
            known[zh] = model.objects.create(
                zh=zh,
                en=en,
                en_singular=en_singular,
                kind=kind,
                base=known[base] if base else None,
                scale=Decimal(scale),
            )
    forget_unit_scales()


def install_after_flush(sender, using="default", apps=None, **kwargs):
    """post_migrate (also sent after `flush`): an emptied units table gets the catalogue."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    try:
        model = apps.get_model("kpis", "Unit")
    except LookupError:
        return
    if not model.objects.using(using).exists():
        install_catalogue(apps)

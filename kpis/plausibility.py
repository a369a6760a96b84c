"""Plausibility rules: is a new figure believable next to what is known of its indicator?

The typical slip in government statistics is the unit: a figure keyed in 元 or 万元 where the
indicator counts 亿元 comes out 10,000 or 100,000,000 times too large, and 2,100,000家 is
2,000家 typed as 万家 the wrong way round. Such a figure, and any jump or fall of more than
half against the last comparable figure, is held until the official confirms it and
explains it. The rules are pure: the model hands them the yardstick.
"""

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.progress import plain_decimal

SCALE_FACTOR = Decimal(1000)
LARGE_CHANGE = Decimal("0.5")

# What a figure was compared with, as the message names it.
AGAINST = {
    "figure": gettext_lazy("the last published figure"),
    "year_earlier": gettext_lazy("the same period a year earlier"),
    "earlier_total": gettext_lazy("the last published total of the year so far"),
    "baseline": gettext_lazy("the baseline"),
    "target": gettext_lazy("the share of the year's target expected by then"),
}
# The units a slip usually confuses, by the indicator's unit.
SLIPS = {"亿元": "元、万元、亿元", "万元": "元、万元、亿元", "元": "元、万元、亿元"}


class Yardstick(NamedTuple):
    """What a new value is checked against: a value and what it is (a key of AGAINST).
    Against a baseline or a target only the unit rule applies: a first figure may well be
    far from a whole year's plan, but not a thousand times."""

    value: Decimal
    kind: str = "figure"


def likely_slip(unit):
    """The units an official may have confused with `unit`: "元、万元、亿元", "家、万家"."""
    if unit in SLIPS:
        return SLIPS[unit]
    if unit == "%":
        return _("a share (%) and a plain number")
    return f"{unit}、万{unit}"


def unusual_change(yardstick, value, unit):
    """A sentence on why `value` looks wrong next to `yardstick`, or None when it looks fine."""
    if yardstick is None or yardstick.value == 0 or value is None:
        return None
    previous = Decimal(yardstick.value)
    against = str(AGAINST[yardstick.kind])
    ratio = abs(Decimal(value) / previous)
    if ratio >= SCALE_FACTOR or (value != 0 and ratio <= 1 / SCALE_FACTOR):
        return _(
            "This figure is about %(factor)s times %(against)s (%(previous)s%(unit)s): "
            "check the unit (%(slip)s)."
        ) % {
            "factor": _times(ratio),
            "against": against,
            "previous": plain_decimal(previous),
            "unit": unit,
            "slip": likely_slip(unit),
        }
    if yardstick.kind not in ("figure", "year_earlier"):
        return None
    change = (Decimal(value) - previous) / abs(previous)
    if abs(change) > LARGE_CHANGE:
        return _("This figure differs from %(against)s (%(previous)s%(unit)s) by %(change)s%%.") % {
            "against": against,
            "previous": plain_decimal(previous),
            "unit": unit,
            "change": f"{change * 100:+.0f}",
        }
    return None


def falling_total(earlier, value):
    """A total of the year so far cannot fall below an earlier total of the same year."""
    if earlier is None or value is None or value >= earlier.value:
        return None
    return _(
        "A total of the year so far cannot fall: the total up to %(date)s was %(previous)s."
    ) % {"date": earlier.period_end.isoformat(), "previous": plain_decimal(earlier.value)}


def _times(ratio):
    if ratio >= 1:
        return f"{ratio:,.0f}"
    return f"1/{1 / ratio:,.0f}"

"""Plausibility rules: is a new figure believable next to what is known of its indicator?

The typical slip in government statistics is the unit: a figure keyed in 元 or 万元 where the
indicator counts 亿元 comes out 10,000 or 100,000,000 times too large, and 2,100,000家 is
2,000家 typed as 万家 the wrong way round. Such a figure, and any jump or fall of more than
half against the last comparable figure, is held until the official confirms it and
explains it. The rules are pure: the model hands them the yardstick.
"""

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

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
YUAN_UNITS = ("元", "万元", "亿元")
SLIPS = dict.fromkeys(YUAN_UNITS, YUAN_UNITS)
# A unit's name in the page's language: English messages carry no Chinese unit words.
UNIT_NAMES = {
    "元": pgettext_lazy("unit name", "yuan"),
    "万元": pgettext_lazy("unit name", "10,000 yuan"),
    "亿元": pgettext_lazy("unit name", "100 million yuan"),
    "家": pgettext_lazy("unit name", "enterprises"),
    "个": pgettext_lazy("unit name", "items"),
    "人": pgettext_lazy("unit name", "people"),
    "只": pgettext_lazy("unit name", "funds"),
}
# Amounts English writes in its own scale: 70亿元 is 7 billion yuan.
ENGLISH_SCALE = {
    "亿元": (Decimal("0.1"), pgettext_lazy("unit name", "billion yuan")),
    "万元": (Decimal("0.01"), pgettext_lazy("unit name", "million yuan")),
}


class Yardstick(NamedTuple):
    """What a new value is checked against: a value and what it is (a key of AGAINST).
    Against a baseline or a target only the unit rule applies: a first figure may well be
    far from a whole year's plan, but not a thousand times."""

    value: Decimal
    kind: str = "figure"


def unit_name(unit):
    """`unit` in the page's language: "亿元" / "100 million yuan"."""
    return str(UNIT_NAMES.get(unit, unit))


def amount(value, unit):
    """An amount with its unit in the page's language: "70亿元" / "7 billion yuan"."""
    if get_language().startswith("zh") or unit == "%":
        return f"{plain_decimal(Decimal(value))}{unit}"
    if unit in ENGLISH_SCALE:
        factor, name = ENGLISH_SCALE[unit]
        return f"{plain_decimal(Decimal(value) * factor)} {name}"
    return f"{plain_decimal(Decimal(value))} {unit_name(unit)}"


def likely_slip(unit):
    """The units an official may have confused with `unit`: "元、万元、亿元", "家、万家";
    "yuan, 10,000 yuan, 100 million yuan" in English."""
    if unit == "%":
        return _("a share (%) and a plain number")
    units = SLIPS.get(unit) or (unit, f"万{unit}")
    separator = "、" if get_language().startswith("zh") else ", "
    return separator.join(
        unit_name(one)
        if one == unit or one in UNIT_NAMES
        else _("10,000 %(unit)s") % {"unit": unit_name(unit)}
        for one in units
    )


def unusual_change(yardstick, value, unit):
    """A sentence on why `value` looks wrong next to `yardstick`, or None when it looks fine."""
    if yardstick is None or yardstick.value == 0 or value is None:
        return None
    previous = Decimal(yardstick.value)
    against = str(AGAINST[yardstick.kind])
    ratio = abs(Decimal(value) / previous)
    if ratio >= SCALE_FACTOR or (value != 0 and ratio <= 1 / SCALE_FACTOR):
        return _(
            "This figure is about %(factor)s times %(against)s (%(previous)s): "
            "check the unit (%(slip)s)."
        ) % {
            "factor": _times(ratio),
            "against": against,
            "previous": amount(previous, unit),
            "slip": likely_slip(unit),
        }
    if yardstick.kind not in ("figure", "year_earlier"):
        return None
    change = (Decimal(value) - previous) / abs(previous)
    if abs(change) > LARGE_CHANGE:
        return _("This figure differs from %(against)s (%(previous)s) by %(change)s%%.") % {
            "against": against,
            "previous": amount(previous, unit),
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

"""Plausibility rules: is a new figure believable next to what is known of its indicator?

The typical slip in government statistics is the unit: a figure keyed in 元 or 万元 where the
indicator counts 亿元 comes out 10,000 or 100,000,000 times too large, and 2,100,000家 is
2,000家 typed as 万家 the wrong way round. Such a figure, and any jump or fall of more than
half against the last comparable figure, is held until the official confirms it and
explains it. The rules are pure: the model hands them the yardstick and the units (each a
`kpis.scales.UnitScale` of the units table), whose scales say which unit was slipped into.
"""

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kpis.progress import plain_decimal
from kpis.scales import UnitKind, UnitScale, english_amount, power_of_ten, slip_partner

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


class Yardstick(NamedTuple):
    """What a new value is checked against: a value and what it is (a key of AGAINST).
    Against a baseline or a target only the unit rule applies: a first figure may well be
    far from a whole year's plan, but not a thousand times."""

    value: Decimal
    kind: str = "figure"


# Units a factor of 万 (10⁴) apart: the steps of Chinese numbers, which a slip jumps.
WAN = 4


def _english():
    return not (get_language() or "zh").startswith("zh")


def _named(units):
    """Units named in the page's language, with no Chinese unit word in English:
    "元、万元" / "yuan / 10,000 yuan"."""
    if not _english():
        return "、".join(unit.zh for unit in units)
    return " / ".join(unit.en for unit in units)


def likely_slip(unit, ratio=None, units=()):
    """The units an official may have confused with `unit` (a UnitScale) when a figure came
    out `ratio` times the expected, named in the page's language: "元、万元" (10,000 times in
    万元), "元、万元、亿元、万亿元" (the 万-steps of the family, when no one unit fits), "家、万家",
    "yuan / 10,000 yuan (元、万元)"."""
    if isinstance(unit, str):
        unit = UnitScale(zh=unit, en=unit, base=unit)
    if unit.kind in (UnitKind.PERCENT, UnitKind.POINTS):
        return _("a share (%) and a plain number")
    partner = slip_partner(unit, ratio, units) if ratio else None
    if partner is not None:
        return _named(sorted([partner, unit], key=lambda u: u.scale))
    steps = [
        u
        for u in units
        if u.base == unit.base and (power_of_ten(u.scale) - power_of_ten(unit.scale)) % WAN == 0
    ]
    if len(steps) > 1:
        return _named(sorted(steps, key=lambda u: u.scale))
    # No multiple in the table: 2,100,000家 is still 210万家 typed the wrong way round.
    wan = UnitScale(zh=f"万{unit.zh}", en=f"10,000 {unit.en}", base=unit.base)
    return _named([unit, wan])


def amount_in(value, unit):
    """A value in `unit` for a sentence of the page's language: "12万元", "120000 yuan"."""
    if not _english():
        return f"{plain_decimal(value)}{unit.zh}"
    if unit.is_scaled:
        return english_amount(value, unit, 6, lambda number, places: plain_decimal(number))
    if unit.en == "%":
        return f"{plain_decimal(value)}%"
    return f"{plain_decimal(value)} {unit.en}"


def unusual_change(yardstick, value, unit, units=()):
    """A sentence on why `value` looks wrong next to `yardstick`, or None when it looks fine.
    `unit` is the indicator's UnitScale (or its Chinese form), `units` the units table."""
    if yardstick is None or yardstick.value == 0 or value is None:
        return None
    if isinstance(unit, str):
        unit = UnitScale(zh=unit, en=unit, base=unit)
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
            "previous": amount_in(previous, unit),
            "slip": likely_slip(unit, ratio, units),
        }
    if yardstick.kind not in ("figure", "year_earlier"):
        return None
    change = (Decimal(value) - previous) / abs(previous)
    if abs(change) > LARGE_CHANGE:
        return _("This figure differs from %(against)s (%(previous)s) by %(change)s%%.") % {
            "against": against,
            "previous": amount_in(previous, unit),
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

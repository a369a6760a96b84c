"""Plausibility checks on a new figure against the last published one.

The typical slip in government statistics is the unit: a figure keyed in 元 or 万元 where the
indicator counts 亿元 comes out 10,000 or 100,000,000 times too large. Such a figure, and any
jump or fall of more than half, is held until the official confirms it and explains it.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from kpis.progress import plain_decimal

SCALE_FACTOR = Decimal(1000)
LARGE_CHANGE = Decimal("0.5")


def unusual_change(previous, value):
    """A sentence on why `value` looks wrong next to `previous`, or None when it looks fine."""
    if previous is None or previous == 0 or value is None:
        return None
    ratio = abs(Decimal(value) / Decimal(previous))
    if ratio >= SCALE_FACTOR or (value != 0 and ratio <= 1 / SCALE_FACTOR):
        return _(
            "This figure is about %(factor)s times the last published figure (%(previous)s): "
            "check the unit (元, 万元 or 亿元)."
        ) % {"factor": _times(ratio), "previous": plain_decimal(Decimal(previous))}
    change = (Decimal(value) - Decimal(previous)) / abs(Decimal(previous))
    if abs(change) > LARGE_CHANGE:
        return _(
            "This figure differs from the last published figure (%(previous)s) by %(change)s%%."
        ) % {"previous": plain_decimal(Decimal(previous)), "change": f"{change * 100:+.0f}"}
    return None


def _times(ratio):
    if ratio >= 1:
        return f"{ratio:,.0f}"
    return f"1/{1 / ratio:,.0f}"

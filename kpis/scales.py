"""Units of measure as the rules see them: a frozen `UnitScale` for each unit of the units
table (`kpis.units.Unit`), handed to the pure functions by the models.

A unit's **scale** is how many of its **base unit** one of it holds: 1万元 = 10⁴ 元,
1亿元 = 10⁸ 元, 1万人 = 10⁴ 人; a base unit (元, 人, %) has scale 1 and is its own base.
Units of one base are one **family**: a figure keyed in the wrong member of the family (元
for 万元) comes out a power of ten off, which the unit-slip guard names. English writes an
amount in the base unit ("1.2亿元" is "120 million yuan", "3.5万人" is "35,000 people").

A **kind** says what may be done with a figure: a percentage (a share or a rate) and
percentage points (个百分点, a difference of two rates, not a share) may be negative;
counts, money and physical amounts may not.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import pgettext_lazy


class UnitKind(StrEnum):
    AMOUNT = "amount"  # counts, money, physical quantities: never negative
    PERCENT = "percent"  # % : a share of a whole or a rate of growth
    POINTS = "points"  # 个百分点: the difference of two rates
    MULTIPLE = "multiple"  # 倍


# Kinds whose figures may be negative (a fall, a narrowing gap).
SIGNED_KINDS = {UnitKind.PERCENT, UnitKind.POINTS}


@dataclass(frozen=True)
class UnitScale:
    """One unit: its Chinese form (what an indicator keeps), its English form after a number
    (plural, or a display form such as "10,000 people"), its base unit's Chinese and English
    forms, and its scale relative to the base unit."""

    zh: str
    en: str
    base: str = ""
    scale: Decimal = Decimal(1)
    base_en: str = ""
    kind: str = UnitKind.AMOUNT
    en_singular: str = ""

    @property
    def is_scaled(self):
        return self.scale != 1

    @property
    def is_signed(self):
        return self.kind in SIGNED_KINDS


# English magnitudes of an amount in its base unit, largest first.
MAGNITUDES = [
    (Decimal(10) ** 12, pgettext_lazy("magnitude after a number", "trillion")),
    (Decimal(10) ** 9, pgettext_lazy("magnitude after a number", "billion")),
    (Decimal(10) ** 6, pgettext_lazy("magnitude after a number", "million")),
]


def power_of_ten(number):
    """log10 of `number` rounded to a whole: 10000 -> 4."""
    return round(math.log10(number)) if number > 0 else 0


def english_amount(value, unit, decimals, number):
    """`value` in the scaled `unit` written in its base unit as English does, with `number`
    (value, decimals) formatting the digits: 1.2 in 亿元 -> "120 million yuan", 400 ->
    "40 billion yuan", 3.5 in 万人 -> "35,000 people". Decimals shown follow the indicator's:
    a figure kept to 0.1亿元 is not written to the yuan."""
    amount = Decimal(value) * unit.scale
    label = unit.base_en or unit.en
    shift = power_of_ten(unit.scale)
    for size, word in MAGNITUDES:
        if abs(amount) >= size:
            places = max(decimals + power_of_ten(size) - shift, 0)
            return f"{number(amount / size, places)} {word} {label}"
    return f"{number(amount, max(decimals - shift, 0))} {label}"


def slip_partner(unit, ratio, family):
    """The unit of `family` (units of the same base as `unit`) an official most likely
    typed instead of `unit` when a figure came out `ratio` times the expected: 10,000 times
    in 万元 is a figure in 元. None when no member of the family is that far off."""
    best, closest = None, None
    for other in family:
        if other.zh == unit.zh or other.base != unit.base:
            continue
        # A figure in `other` reads (unit.scale / other.scale) times too large.
        expected = unit.scale / other.scale
        distance = abs(math.log10(ratio) - math.log10(expected))
        if distance <= 0.5 and (closest is None or distance < closest):
            best, closest = other, distance
    return best


def family_of(unit, units):
    """The units of `units` sharing `unit`'s base, smallest first."""
    return sorted((u for u in units if u.base == unit.base), key=lambda u: u.scale)


def unit_words(units):
    """The words a text writes for `units` after its number and magnitude (万, 亿, 万亿):
    元 for 万元 and 亿元, 微克/立方米, 吨标准煤, 千元."""
    words = set()
    for unit in units:
        for word in (unit.zh, unit.base):
            for magnitude in ("万亿", "亿", "万"):
                if word.startswith(magnitude) and len(word) > len(magnitude):
                    word = word[len(magnitude) :]
                    break
            if word:
                words.add(word)
    return words

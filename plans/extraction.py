"""Plan targets proposed from a plan document's text: the numeric targets kpis.extraction
finds, read for the kind of path their sentence sets.

Pure functions, no database. A target of the plan's last year (到2030年…达到3000家) is a
`linear` level; 年均增长6% is `compound` at that rate; 年均提高0.2个百分点 an `annual_change`
(年均下降 a negative step); 累计… a `cumulative` total. The value and unit stay as the text
writes them (5万人), and the class (约束性/预期性), the base and the indicator are for a person
to fill in or confirm: a proposal is never a plan target until imported.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from kpis.extraction import TARGET
from plans.rules import Path

GROWTH = re.compile(r"年均(?:增长|增速)(?:达到|为)?$")
STEP = re.compile(r"年均(提高|增加|提升|上升|下降|降低|减少)$")
FALLING = {"下降", "降低", "减少"}
POINTS = {"个百分点", "百分点"}


@dataclass(frozen=True)
class Proposal:
    subject: str
    path: str
    target_value: Decimal | None
    rate: Decimal | None
    unit: str
    qualifier: str | None
    quote: str
    candidate: object


def propose(candidates, end_year):
    """A Proposal for each target candidate that sets a path to `end_year` (the plan's
    last year), in the order of the text."""
    proposals = []
    for candidate in candidates:
        if candidate.kind != TARGET:
            continue
        subject, value = candidate.subject, candidate.decimal_value
        growth, step = GROWTH.search(subject), STEP.search(subject)
        if growth and candidate.unit == "%":
            path, target, rate, subject = Path.COMPOUND, None, value, subject[: growth.start()]
        elif step and candidate.unit in POINTS:
            rate = -value if step.group(1) in FALLING else value
            path, target, subject = Path.ANNUAL_CHANGE, None, subject[: step.start()]
        elif "累计" in subject:
            path, target, rate = Path.CUMULATIVE, value, None
        elif candidate.year == end_year:
            path, target, rate = Path.LINEAR, value, None
        else:
            continue
        proposals.append(
            Proposal(
                subject=subject.strip(),
                path=path,
                target_value=target,
                rate=rate,
                unit=candidate.unit,
                qualifier=candidate.qualifier,
                quote=candidate.quote,
                candidate=candidate,
            )
        )
    return proposals

"""The shapes the API reads and writes (docs/api.md is their contract)."""

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    # Unknown keys are refused: a misspelt "explanaton" must not vanish silently.
    model_config = ConfigDict(extra="forbid")


class Explanation(Strict):
    progress: str = Field("", max_length=5000)
    problems: str = Field("", max_length=5000)
    next_steps: str = Field("", max_length=5000)


class FigureIn(Strict):
    value: Decimal | str = Field(
        description='The figure in the indicator\'s unit, as a JSON string ("123.4") or number.'
    )
    note: str = Field("", max_length=5000, description="Internal note for the reviewers.")
    evidence_url: str = Field("", max_length=200)
    explanation: Explanation | None = Field(
        None, description="The public explanation (情况说明), in Chinese."
    )
    explanation_en: Explanation | None = Field(None, description="The same in English.")
    confirm_unusual: bool = Field(
        False, description="Keep a figure the unit-slip guard held (explain it in note)."
    )
    submit: bool = Field(True, description="Hand the figure to the reviewers once saved.")


class BatchItem(FigureIn):
    indicator: str = Field(max_length=50)
    period_end: datetime.date


class BatchIn(Strict):
    figures: list[BatchItem] = Field(max_length=1000)


class Message(Schema):
    zh: str
    en: str


class Error(Schema):
    error: str = Field(description="A code: invalid, not_found, conflict, unusual, ...")
    message: Message
    fields: dict[str, list[Message]] = {}


class FigureOut(Schema):
    indicator: str
    period_end: datetime.date
    value: str
    status: str = Field(description="draft, submitted, returned or published")
    version: int
    published_value: str | None
    return_reason: str
    note: str
    evidence_url: str
    explanation: Explanation
    explanation_en: Explanation
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    updated_at: datetime.datetime


class BatchItemError(Error):
    index: int
    status: int


class BatchErrors(Schema):
    """A refused batch: `items` names each refused figure (a body of the wrong shape has
    `fields` instead, as every other 400)."""

    error: str
    message: Message
    fields: dict[str, list[Message]] = {}
    items: list[BatchItemError] = []


class BatchResult(Schema):
    figures: list[FigureOut]
    created: int
    changed: int
    unchanged: int


class DuePeriodOut(Schema):
    period_end: datetime.date
    deadline: datetime.date
    overdue: bool
    backfill: bool


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    department: str
    unit: str
    decimals: int
    frequency: str
    value_type: str
    reported_as: str
    release_lag_days: int
    due: list[DuePeriodOut]


class FigureList(Schema):
    figures: list[FigureOut]
    count: int
    limit: int
    offset: int


class MilestoneIn(Strict):
    title: str = Field(max_length=200)
    title_en: str = Field("", max_length=200)
    due: datetime.date
    done: datetime.date | None = None
    evidence: str = Field("", max_length=5000)
    due_change_reason: str = Field(
        "", max_length=300, description="Why an approved due date moves (published with it)."
    )
    submit: bool = Field(True, description="Hand the milestone to the reviewers once saved.")


class MilestoneOut(Schema):
    id: int
    task: str
    title: str
    title_en: str
    due: datetime.date
    done: datetime.date | None
    evidence: str
    status: str
    version: int
    return_reason: str
    updated_at: datetime.datetime


class StatementIn(Strict):
    text: str = Field(max_length=5000, description="The progress in the quarter, in Chinese.")
    text_en: str = Field("", max_length=5000)
    percent: int | None = Field(None, ge=0, le=100)
    completes: bool = Field(False, description="The task is complete with this statement.")
    submit: bool = Field(True, description="Hand the statement to the reviewers once saved.")


class StatementOut(Schema):
    id: int
    task: str
    period_end: datetime.date
    text: str
    text_en: str
    percent: int | None
    completes: bool
    status: str
    version: int
    return_reason: str
    updated_at: datetime.datetime


class TaskOut(Schema):
    code: str
    title: str
    title_en: str
    year: int
    department: str | None
    milestones: list[MilestoneOut]
    statements: list[StatementOut]

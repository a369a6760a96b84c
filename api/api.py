"""The write API for departments' systems, /api/v1/ (contract: docs/api.md).

django-ninja: the request and response shapes are type-annotated schemas, from which it
writes the OpenAPI 3 document at /api/v1/openapi.json, and it validates every body against
them before our code runs."""

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from api import entry, schemas
from api.entry import Refused, both
from api.models import Token
from kpis.models import Actual, Indicator
from tasks.forms import MilestoneForm, StatementForm
from tasks.models import Milestone, ProgressStatement, Task
from tracker.proxies import client_ip


class DecimalJSON(Parser):
    """JSON numbers read as decimals (never floats), and NaN or Infinity refused."""

    def parse_body(self, request):
        def refuse(constant):
            raise ValueError(f"{constant} is not a number")

        return json.loads(request.body, parse_float=Decimal, parse_constant=refuse)


class Bearer(HttpBearer):
    """A token of `Token`, usable now from the client's address. Every use is recorded
    (`api.middleware.record_token_use`), refusals too."""

    def authenticate(self, request, key):
        token = Token.objects.by_key(key)
        if token is None:
            return None
        request.api_token = token
        request.api_refusal = token.refusal(client_ip(request))
        if request.api_refusal:
            return None
        return token


class TokenRate(AuthRateThrottle):
    """KPI_API_RATE requests per token, read from the settings on each request."""

    def __init__(self):
        super().__init__(settings.API_RATE)

    def allow_request(self, request):
        self.rate = settings.API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


api = NinjaAPI(
    title="Guangming targets tracker: API for departments' systems",
    version="1",
    description=(
        "Departments' systems enter and submit figures with a token an administrator "
        "issued; reviewers publish them on /my/. See docs/api.md."
    ),
    auth=Bearer(),
    parser=DecimalJSON(),
    throttle=[TokenRate()],
    urls_namespace="api",
    docs_url=None,
)

ERRORS = {400: schemas.Error, 401: schemas.Error, 404: schemas.Error, 429: schemas.Error}


def error(request, status, code, message, fields=None):
    body = {"error": code, "message": both(message), "fields": fields or {}}
    return api.create_response(request, body, status=status)


@api.exception_handler(Refused)
def refused(request, exc):
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    fields = {}
    for problem in exc.errors:
        where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "__all__"
        text = problem.get("msg", "invalid")
        fields.setdefault(where, []).append({"zh": f"格式不符：{text}", "en": text})
    return error(
        request, 400, "invalid", _("The request does not have the documented shape."), fields
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = error(
        request,
        401,
        "unauthenticated",
        _("Send a valid, unexpired token as “Authorization: Bearer <token>”."),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def throttled(request, exc):
    return error(request, 429, "rate_limited", _("Too many requests: wait and send again."))


@api.exception_handler(HttpError)
def http_error(request, exc):
    # The body could not be parsed: not JSON, or NaN/Infinity in it.
    return error(request, exc.status_code, "invalid", _("The body is not valid JSON."))


def in_utc(moment):
    """`moment` in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise Refused(400, "invalid", _("“since” is out of range.")) from None


def token_indicators(token):
    return Indicator.objects.for_entry(token.account).select_related("department")


def figure_out(actual):
    def explanation(suffix):
        return {
            part: getattr(actual, f"explanation_{part}{suffix}")
            for part in ("progress", "problems", "next_steps")
        }

    return {
        "indicator": actual.indicator.code,
        "period_end": actual.period_end,
        "value": format(actual.value.normalize(), "f"),
        "status": actual.status,
        "version": actual.version,
        "published_value": (
            None
            if actual.published_value is None
            else format(actual.published_value.normalize(), "f")
        ),
        "return_reason": actual.return_reason,
        "note": actual.note,
        "evidence_url": actual.evidence_url,
        "stage": actual.stage or None,
        "flags": list(actual.flags or []),
        "series_break_note": actual.series_break_note,
        "explanation": explanation(""),
        "explanation_en": explanation("_en"),
        "submitted_at": actual.submitted_at,
        "reviewed_at": actual.reviewed_at,
        "updated_at": actual.updated_at,
    }


def not_found(code):
    return Refused(404, "not_found", _("No indicator “%(code)s” for this token.") % {"code": code})


@api.get("/indicators/", response={200: list[schemas.IndicatorOut], **ERRORS})
def list_indicators(request):
    """The token's indicators, with their reporting form and the periods due now."""
    today = timezone.localdate()
    rows = []
    for indicator in token_indicators(request.auth).due_work(today):
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "name_en": indicator.name_en,
                "department": indicator.department.code,
                "unit": indicator.unit,
                "decimals": indicator.decimals,
                "frequency": indicator.frequency,
                "value_type": indicator.value_type,
                "reported_as": indicator.reported_as,
                "release_lag_days": indicator.release_lag_days,
                "due": [
                    {
                        "period_end": due.period_end,
                        "deadline": due.deadline,
                        "overdue": due.is_overdue(today),
                        "backfill": due.backfill,
                    }
                    for due in indicator.due
                ],
            }
        )
    return rows


@api.put(
    "/indicators/{code}/figures/{period_end}/",
    response={
        200: schemas.FigureOut,
        201: schemas.FigureOut,
        409: schemas.Error,
        422: schemas.Error,
        **ERRORS,
    },
)
def put_figure(request, code: str, period_end: datetime.date, body: schemas.FigureIn):
    """Enter (and by default submit) one figure. Sending the stored figure again changes
    nothing; a published figure sent with another value becomes a correction under review."""
    indicator = token_indicators(request.auth).filter(code=code).first()
    if indicator is None:
        raise not_found(code)
    if_match = request.headers.get("If-Match")
    version = None
    if if_match:
        try:
            version = int(if_match.strip().strip('"').removeprefix("W/").strip('"'))
        except ValueError:
            raise Refused(
                400, "invalid", _("If-Match must be a figure's version number.")
            ) from None
    actual, created, _changed = entry.enter(
        request.auth.account, indicator, period_end, body, if_match=version
    )
    return Status(201 if created else 200, figure_out(actual))


@api.post(
    "/figures/batch/",
    response={
        200: schemas.BatchResult,
        400: schemas.BatchErrors,
        401: schemas.Error,
        429: schemas.Error,
    },
)
def batch(request, body: schemas.BatchIn):
    """Up to 1,000 figures, all or nothing: one refused item saves none, and the answer lists
    every refused item with its own status and errors."""
    indicators = {i.code: i for i in token_indicators(request.auth)}
    saved, refusals, counts = [], [], {"created": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        for index, item in enumerate(body.figures):
            try:
                indicator = indicators.get(item.indicator)
                if indicator is None:
                    raise not_found(item.indicator)
                actual, created, changed = entry.enter(
                    request.auth.account, indicator, item.period_end, item
                )
            except Refused as refusal:
                refusals.append({"index": index, "status": refusal.status, **refusal.body()})
                continue
            saved.append(actual)
            key = "created" if created else "changed" if changed else "unchanged"
            counts[key] += 1
        if refusals:
            transaction.set_rollback(True)
            message = both(
                _("Nothing was saved: %(count)s figures were refused.") % {"count": len(refusals)}
            )
            refused_batch = {"error": "invalid", "message": message, "fields": {}}
            return Status(400, {**refused_batch, "items": refusals})
    return Status(200, {"figures": [figure_out(actual) for actual in saved], **counts})


@api.get("/figures/", response={200: schemas.FigureList, **ERRORS})
def list_figures(
    request,
    status: Actual.Status | None = None,
    since: datetime.datetime | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**6),
):
    """The figures of the token's indicators and their review state (a returned figure says
    why), most recently changed first; `since` keeps those changed after that moment."""
    figures = Actual.objects.filter(indicator__in=token_indicators(request.auth))
    if status:
        figures = figures.filter(status=status)
    if since:
        figures = figures.filter(updated_at__gt=in_utc(since))
    page = figures.select_related("indicator").order_by("-updated_at", "-pk")
    return {
        "figures": [figure_out(actual) for actual in page[offset : offset + limit]],
        "count": figures.count(),
        "limit": limit,
        "offset": offset,
    }


def milestone_out(milestone):
    fields = ("id", "title", "title_en", "due", "done", "evidence", "status", "version")
    return {
        **{name: getattr(milestone, name) for name in fields},
        "task": milestone.task.code,
        "return_reason": milestone.return_reason,
        "updated_at": milestone.updated_at,
    }


def statement_out(statement):
    fields = ("id", "period_end", "text", "text_en", "percent", "completes", "status", "version")
    return {
        **{name: getattr(statement, name) for name in fields},
        "task": statement.task.code,
        "return_reason": statement.return_reason,
        "updated_at": statement.updated_at,
    }


def token_tasks(token):
    return Task.objects.for_entry(token.account).select_related("department")


def task_of(token, code):
    task = token_tasks(token).filter(code=code).first()
    if task is None:
        raise Refused(
            404, "not_found", _("No key task “%(code)s” for this token.") % {"code": code}
        )
    return task


@api.get("/tasks/", response={200: list[schemas.TaskOut], **ERRORS})
def list_tasks(request):
    """The token's key tasks with their milestones and progress statements."""
    tasks = token_tasks(request.auth).prefetch_related("milestones__task", "statements__task")
    return [
        {
            "code": task.code,
            "title": task.title,
            "title_en": task.title_en,
            "year": task.year,
            "department": task.department.code if task.department else None,
            "milestones": [milestone_out(m) for m in task.milestones.all()],
            "statements": [statement_out(s) for s in task.statements.all()],
        }
        for task in tasks
    ]


def milestone_data(task, body):
    data = body.dict(exclude={"submit"})
    return {**data, "task": task.pk, "done": data["done"] or ""}


@api.post(
    "/tasks/{code}/milestones/",
    response={201: schemas.MilestoneOut, 409: schemas.Error, **ERRORS},
)
def add_milestone(request, code: str, body: schemas.MilestoneIn):
    """Propose a milestone (节点) of a key task; by default it goes to the reviewers."""
    task = task_of(request.auth, code)
    milestone, _created, _changed = entry.enter_task_entry(
        MilestoneForm, request.auth.account, Milestone(), milestone_data(task, body), body.submit
    )
    return Status(201, milestone_out(milestone))


@api.put(
    "/milestones/{milestone_id}/",
    response={200: schemas.MilestoneOut, 409: schemas.Error, **ERRORS},
)
def put_milestone(request, milestone_id: int, body: schemas.MilestoneIn):
    """Change a milestone (its done date, a moved due date with its reason...). Sending it as
    stored changes nothing."""
    milestone = (
        Milestone.objects.filter(task__in=token_tasks(request.auth), pk=milestone_id)
        .select_related("task")
        .first()
    )
    if milestone is None:
        raise Refused(404, "not_found", _("No such milestone for this token."))
    milestone, _created, _changed = entry.enter_task_entry(
        MilestoneForm,
        request.auth.account,
        milestone,
        milestone_data(milestone.task, body),
        body.submit,
    )
    return Status(200, milestone_out(milestone))


@api.put(
    "/tasks/{code}/statements/{period_end}/",
    response={200: schemas.StatementOut, 201: schemas.StatementOut, 409: schemas.Error, **ERRORS},
)
def put_statement(request, code: str, period_end: datetime.date, body: schemas.StatementIn):
    """Write the progress statement (形象进度) of a quarter; sending it as stored changes
    nothing."""
    task = task_of(request.auth, code)
    statement = ProgressStatement.objects.filter(task=task, period_end=period_end).first()
    data = {
        **body.dict(exclude={"submit"}),
        "task": task.pk,
        "period_end": period_end.isoformat(),
    }
    data["percent"] = "" if data["percent"] is None else data["percent"]
    data["completes"] = "on" if data["completes"] else ""
    statement, created, _changed = entry.enter_task_entry(
        StatementForm, request.auth.account, statement or ProgressStatement(), data, body.submit
    )
    return Status(201 if created else 200, statement_out(statement))

"""What the API does around every request: refuse oversized bodies before they are read, and
record each use of a token (refusals too) with its address and answer."""

import json
import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from api.entry import both
from api.models import Token, TokenUse
from tracker.proxies import client_ip

PREFIX = "/api/v1/"
# The security log (accounts/audit.py records what is said to this logger).
audit = logging.getLogger("audit")


def too_large():
    body = {
        "error": "too_large",
        "message": both(_("The body is larger than the API accepts (1 MiB).")),
        "fields": {},
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=413, content_type="application/json"
    )


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            return too_large()
        response = self.get_response(request)
        record_token_use(request, response)
        return response


def record_token_use(request, response):
    token = getattr(request, "api_token", None)
    if not isinstance(token, Token):
        return
    now = timezone.now()
    TokenUse.objects.create(
        token=token,
        address=client_ip(request),
        method=request.method,
        path=request.path[:300],
        status_code=response.status_code,
        refusal=getattr(request, "api_refusal", None) or "",
    )
    Token.objects.filter(pk=token.pk).update(last_used_at=now)
    audit.info(
        "token_use",
        extra={
            "actor": f"token {token.pk}: {token}",
            "address": client_ip(request),
            "object": f"{request.method} {request.path}"[:300],
            "outcome": "success" if response.status_code < 400 else "failure",
        },
    )

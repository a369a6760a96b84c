"""Writing the security log, from any app, without importing this one.

The lower apps (kpis, tasks, api) say what happened to the standard library's "audit"
logger: `logging.getLogger("audit").info("publication", extra={"actor": reviewer,
"object": figure})`; settings.LOGGING sends that logger to AuditHandler, which appends an
AuditRecord with the address of the request under way (set by the middleware). A failure to
record raises, so nothing that must be logged happens unlogged.
"""

import contextvars
import logging

from django.conf import settings

# Who and from where, for the request under way (accounts.middleware sets them).
request_address = contextvars.ContextVar("request_address", default="")
request_actor = contextvars.ContextVar("request_actor", default="")


class AuditHandler(logging.Handler):
    def emit(self, record):
        if not settings.AUDIT_LOG:
            return
        from accounts.models import AuditRecord

        AuditRecord.objects.append(
            action=record.getMessage(),
            actor=getattr(record, "actor", "") or request_actor.get(),
            address=getattr(record, "address", "") or request_address.get(),
            object=getattr(record, "object", ""),
            outcome=getattr(record, "outcome", "success"),
        )

    def handleError(self, record):
        raise


def audit(action, actor="", object="", outcome="success", address=""):
    """Record one event (the same door the other apps reach through logging)."""
    logging.getLogger("audit").info(
        action, extra={"actor": actor, "object": object, "outcome": outcome, "address": address}
    )

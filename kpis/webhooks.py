"""Posting to the departments' group robots (WeCom, DingTalk): reminders and bulletins."""

import http.client
import json
import logging
import urllib.parse
import urllib.request

from kpis.models import webhook_error

logger = logging.getLogger(__name__)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A robot is posted to at the address checked, never wherever it points on to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


ROBOT_CLIENT = urllib.request.build_opener(NoRedirects)


def usable(departments, warn):
    """The departments whose robot address may be posted to; `warn` hears of the others."""
    for department in departments.exclude(webhook_url=""):
        refused = webhook_error(department.webhook_url)
        if refused:
            logger.warning("Webhook of %s not used: %s", department.code, refused)
            warn(f"Webhook of {department.code} not used: {refused}")
            continue
        yield department


def deliver(department, payload, warn):
    """POST `payload` as JSON to the department's robot; False (and `warn` told) when it
    cannot be reached or answers garbled. An unreachable robot must not stop the others: it
    is tried again on the next run, since the caller records nothing as sent."""
    request = urllib.request.Request(
        department.webhook_url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with ROBOT_CLIENT.open(request, timeout=10) as response:
            response.read()
    except (OSError, ValueError, http.client.HTTPException) as error:
        logger.warning("Webhook of %s failed: %s", department.code, error)
        warn(f"Webhook of {department.code} failed: {error}")
        return False
    return True


def markdown(url, title, text):
    """A markdown message in the form the robot's service expects."""
    if urllib.parse.urlsplit(url).hostname == "oapi.dingtalk.com":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}

"""The error pages: 503 while the database does not answer, and the 500 handler."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """When the database does not answer, say so with a 503 page instead of a traceback.

    The page is rendered without touching the database, and Django opens a new connection on
    the next request, so the site recovers by itself when the database is back. Errors
    raised outside views reach `server_error`, the 500 handler, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return unavailable(exception)
        return None


DATABASE_DOWN = (OperationalError, InterfaceError)


def unavailable(error):
    logger.error("Database unavailable: %s", error)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


def server_error(request):
    """The 500 handler: a database that does not answer is a 503 here too, wherever it was
    noticed (a middleware saving a session, say), not only in a view."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        return unavailable(error)
    return HttpResponseServerError(render_to_string("500.html"))

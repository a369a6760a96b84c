"""Cached public pages that are never stale.

A page is cached under a key that includes a version of the data it is built from: a
counter that the database itself raises, by triggers, on every change to a table a public
page shows (see DataVersion and migration 0011), read on every request in one primary-key
lookup. Publishing a figure, a revision, an edit of an indicator, target, theme, department
or source, an import, a fixture, a bulk update: each raises it, so the very next request
builds the page afresh, on every app server. Nothing in the code has to remember to
invalidate anything, and the cache may be lost at any time.
"""

import functools
import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language


def data_version():
    """The counter the database raises on every change to what public pages show."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT counter FROM kpis_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


# Values the public pages of apps above kpis know, by parameter: each app registers its own
# (tasks.apps.TasksConfig.ready), as kpis imports nothing of them.
REGISTERED = {"status": set(), "sort": set()}


def register_known_values(parameter, values):
    """Let `values` of `parameter` ("status" or "sort") make keys of the cache."""
    REGISTERED[parameter].update(str(value) for value in values)
    known_values.cache_clear()


@functools.cache
def known_values():
    """The values of the public pages' status filters and sorting, by parameter."""
    from kpis.progress import STATUS_ORDER
    from kpis.tables import ProgressTable

    return {
        "status": {str(status) for status in STATUS_ORDER} | REGISTERED["status"],
        "sort": {prefix + name for name in ProgressTable.base_columns for prefix in ("", "-")}
        | REGISTERED["sort"],
    }


# The query parameters public pages read, and the values of each that may make a key of
# the cache; any other parameter or value makes the request uncacheable, so that made-up
# addresses cannot fill the cache (the page itself answers them, or says "not found").
# A theme's or department's code of no such theme or department is the page's to refuse
# ("not found"), which is never cached.
FORMATS = {
    "year": re.compile(r"[12][0-9]{3}"),
    "page": re.compile(r"[1-9][0-9]{0,4}"),
    "theme": re.compile(r"[A-Za-z0-9_-]{1,50}"),
    "department": re.compile(r"[A-Za-z0-9_-]{1,50}"),
}
PARAMETERS = {"year", "theme", "department", "status", "sort", "page"}


def known(query):
    """Whether every parameter of `query` (a QueryDict) is one public pages read, given
    once, with a value they know (empty means "all")."""
    if not PARAMETERS.issuperset(query):
        return False
    for name, values in query.lists():
        if len(values) != 1:
            return False
        value = values[0]
        if not value:
            continue
        if name in FORMATS:
            if not FORMATS[name].fullmatch(value):
                return False
        elif value not in known_values()[name]:
            return False
    return True


def personal(request):
    """Whether a page for this request may carry something of the reader's own: a signed-in
    reader, or messages waiting to be shown, which a signed-in user can leave behind in a
    cookie that outlives the session. A session cookie alone is not: anyone can send one,
    of no session at all, and a page for an anonymous reader is the same for all."""
    return request.user.is_authenticated or bool(messages.get_messages(request))


def public_cache(view):
    """Serve anonymous GET requests from the cache, keyed by data version, language, date
    (the scorecard and the files' "generated" stamp depend on it), path and parameters.

    Only a page that is the same for every reader is cached or served from the cache: a
    request with a session or a message waiting gets a page of its own, so that nothing
    of one reader (their links, "saved: …") reaches another.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method != "GET" or personal(request) or not known(request.GET):
            return view(request, *args, **kwargs)
        version = data_version()
        query = sorted(request.GET.lists())
        address = hashlib.sha1(f"{request.path}?{query}".encode(), usedforsecurity=False)
        key = f"public:{version}:{get_language()}:{timezone.localdate()}:{address.hexdigest()}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            # Asked again: the view itself may have added a message, or set a cookie.
            if response.status_code == 200 and not response.cookies and not personal(request):
                cache.set(key, response, settings.PUBLIC_CACHE_SECONDS)
        return response

    return cached_view

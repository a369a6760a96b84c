"""Cached public pages that are never stale.

A page is cached under a key that includes a version of the data it is built from. The
version is read from the database on every request, in one cheap query: the newest entry of
the change history of every table a public page shows (which records every save and
delete), and the highest id of the tables fixtures load. Publishing a figure,
a revision, an edit of an indicator, target, theme, department or source, an import: each
changes the version, so the very next request builds the page afresh, on every app server.
Nothing has to remember to invalidate anything, and the cache may be lost at any time.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from kpis.models import Actual, Department, Indicator, Source, Target, Theme


def _version_sql():
    # The newest change-history id of each table, and for the tables fixtures load the
    # highest id, which catches rows loaded raw (they leave no history). Both are index
    # lookups: a count would cost PostgreSQL a scan on every request. `restore`, which
    # reloads everything raw, clears the cache itself.
    #
    # History ids are handed out when a change is made, not when it commits, so a change
    # may commit after one with a higher id. The number of history rows among the newest
    # RECENT ids catches that late arrival, still from the index.
    parts = []
    for model in (Actual, Indicator, Target, Theme, Department, Source):
        history = model.history.model._meta.db_table
        newest = f"(SELECT MAX(history_id) FROM {history})"
        parts.append(newest)
        parts.append(f"(SELECT COUNT(*) FROM {history} WHERE history_id > {newest} - {RECENT})")
        if model is not Actual:
            parts.append(f"(SELECT MAX(id) FROM {model._meta.db_table})")
    return "SELECT " + ", ".join(parts)


RECENT = 1000


def data_version():
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


# The query parameters public pages read; any other makes the request uncacheable, so
# that made-up addresses cannot fill the cache.
PARAMETERS = {"year", "theme", "department", "status", "sort", "page"}


def public_cache(view):
    """Serve anonymous GET requests from the cache, keyed by data version, language, date
    (the scorecard and the files' "generated" stamp depend on it), path and parameters.

    Signed-in users always get a fresh page: theirs shows their own links, and they are
    the ones who just changed something.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if (
            request.method != "GET"
            or not PARAMETERS.issuperset(request.GET)
            or (settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated)
        ):
            return view(request, *args, **kwargs)
        query = sorted(request.GET.lists())
        address = hashlib.sha1(f"{request.path}?{query}".encode(), usedforsecurity=False)
        key = (
            f"public:{data_version()}:{get_language()}:{timezone.localdate()}:{address.hexdigest()}"
        )
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                cache.set(key, response, settings.PUBLIC_CACHE_SECONDS)
        return response

    return cached_view

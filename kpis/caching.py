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
from django.utils.translation import get_language

from kpis.models import Actual, Department, Indicator, Source, Target, Theme


def _version_sql():
    # The newest change-history id of each table, and for the tables fixtures load the
    # highest id, which catches rows loaded raw (they leave no history). Both are index
    # lookups: a count would cost PostgreSQL a scan on every request. `restore`, which
    # reloads everything raw, clears the cache itself.
    parts = [f"(SELECT MAX(history_id) FROM {Actual.history.model._meta.db_table})"]
    for model in (Indicator, Target, Theme, Department, Source):
        history = model.history.model._meta.db_table
        parts.append(f"(SELECT MAX(history_id) FROM {history})")
        parts.append(f"(SELECT MAX(id) FROM {model._meta.db_table})")
    return "SELECT " + ", ".join(parts)


def data_version():
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


def public_cache(view):
    """Serve anonymous GET requests from the cache, keyed by data version and address.

    Signed-in users (who carry a session cookie) always get a fresh page: theirs shows their
    own links, and they are the ones who just changed something.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        address = hashlib.sha1(request.get_full_path().encode(), usedforsecurity=False)
        key = f"public:{data_version()}:{get_language()}:{address.hexdigest()}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                cache.set(key, response, settings.PUBLIC_CACHE_SECONDS)
        return response

    return cached_view

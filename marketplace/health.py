"""`/healthz`: is this app server able to serve? For the load balancer and the monitoring."""

import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .errors import DATABASE_ERRORS


def _database() -> str:
    # Each database this server uses, the replica included when there is one.
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    # A write and a read of a key of its own: a cache that only answers reads is not healthy.
    key, value = "healthz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was written")
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 with {"database": "ok", "cache": "ok"}, or 503 naming what failed (never how)."""
    checks = {}
    for name, check, errors in (("database", _database, DATABASE_ERRORS), ("cache", _cache, Exception)):
        try:
            checks[name] = check()
        except errors:
            checks[name] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)

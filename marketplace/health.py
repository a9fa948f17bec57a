"""
`/healthz`: is this app server able to serve? For the load balancer and the monitoring.

Each dependency is "ok" or "unavailable", and `status` sums them up: "ok"; "degraded" when
only the cache (Redis) is down, which the site serves through (marketplace.cache: pages from
the database and the listing's index, sessions from the database): still 200, so the load
balancer keeps the server; "unavailable" (503) when the database is down, since no page can
be served without it.
"""

import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import redis_answers
from .errors import DATABASE_ERRORS


def _database() -> str:
    # Each database this server uses, the replica included when there is one.
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    # Redis itself, whatever the worker's circuit breaker says; then a write and a read of a key of its own:
    # a cache that only answers reads is not healthy.
    if redis_answers() is False:
        raise ConnectionError("Redis does not answer")
    key, value = "healthz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was written")
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 with {"database": "ok", "cache": "ok", "status": "ok"}, "degraded" (200) or "unavailable" (503)."""
    checks = {}
    for name, check, errors in (("database", _database, DATABASE_ERRORS), ("cache", _cache, Exception)):
        try:
            checks[name] = check()
        except errors:
            checks[name] = "unavailable"
    if checks["database"] != "ok":
        checks["status"] = "unavailable"
    else:
        checks["status"] = "ok" if checks["cache"] == "ok" else "degraded"
    return JsonResponse(checks, status=503 if checks["status"] == "unavailable" else 200)

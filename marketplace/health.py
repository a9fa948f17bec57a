"""
`/healthz`: is this app server able to serve? For the load balancer and the monitoring.

Each dependency is "ok" or "unavailable", and `status` sums them up: "ok"; "degraded" when
the cache (Redis) or the replica is down, which the site serves through (marketplace.cache:
pages from the database and the listing's index, sessions from the database;
marketplace.db_router: reads from the primary): still 200, so the load balancer keeps the
server; "unavailable" (503) when the primary database is down, since no page can be served
without it.
"""

import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import redis_answers
from .db_router import PRIMARY, replica_fit, replica_in_use
from .errors import DATABASE_ERRORS


def _database() -> str:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _replica() -> str:
    # Down, or lagging past REPLICA_MAX_LAG: public pages then read the primary (marketplace.db_router).
    return "ok" if replica_fit() else "unavailable"


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
    """200 with each dependency's state and "status": "ok" or "degraded"; 503 with "status": "unavailable"."""
    checks = {}
    dependencies = [("database", _database, DATABASE_ERRORS), ("cache", _cache, Exception)]
    if replica_in_use():
        dependencies.append(("replica", _replica, DATABASE_ERRORS))
    for name, check, errors in dependencies:
        try:
            checks[name] = check()
        except errors:
            checks[name] = "unavailable"
    if checks["database"] != "ok":
        checks["status"] = "unavailable"
    else:
        checks["status"] = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JsonResponse(checks, status=503 if checks["status"] == "unavailable" else 200)

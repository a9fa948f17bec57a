"""
The site's own middleware: the request log, the Permissions-Policy header,
replica reads for public pages, and the friendly 503 while the database is away.
"""

import logging
import time

from django.conf import settings
from django.utils.functional import empty

from .db_router import allow_replica_reads, replica_reads
from .errors import DATABASE_ERRORS, service_unavailable

request_log = logging.getLogger("atelier.request")


def _user_id(request):
    """The signed-in user's id, if the request already looked them up; never a query of its own."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk


class RequestLogMiddleware:
    """One line per request: method, path, status, duration in milliseconds, user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response


class PermissionsPolicyMiddleware:
    """Django has no setting for this header; the site uses no camera, microphone, location or payment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ReplicaReadsMiddleware:
    """
    GET and HEAD of the views that run outside ATOMIC_REQUESTS (the public
    pages) may read the replica, template rendering included; any other
    request reads the primary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with replica_reads(allowed=False):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD") and "default" in getattr(view_func, "_non_atomic_requests", ()):
            allow_replica_reads()


class DatabaseUnavailableMiddleware:
    """
    A view that lost the database answers the friendly 503 page instead of a 500.

    The view ran in its ATOMIC_REQUESTS transaction, which was rolled back, so
    the page can tell a visitor who sent a form that nothing of it was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return service_unavailable(nothing_saved=request.method not in ("GET", "HEAD", "OPTIONS"))

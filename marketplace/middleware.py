"""
The site's own middleware: the request log, the Permissions-Policy header,
replica reads for public pages, and the friendly 503s while the database or
the photo storage is away.
"""

import logging
import time

from django.conf import settings
from django.shortcuts import render
from django.utils.functional import empty

from .db_router import REPLICA_AFTER_WRITE_COOKIE, allow_replica_reads, replica_in_use, replica_reads, writes_recorded
from .errors import DATABASE_ERRORS, service_unavailable
from .storage import COOLDOWN as STORAGE_COOLDOWN
from .storage import StorageUnavailable

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

    Read-your-writes: a request that wrote (any POST, PUT, PATCH or DELETE, and
    any other request that wrote outside the public pages, whose only writes are
    their own bookkeeping) gives the visitor a signed cookie, valid for
    REPLICA_AFTER_WRITE_SECONDS, and while it is valid none of their reads go to
    the replica, which may not have their write yet (db_router).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with replica_reads(allowed=False), writes_recorded() as writes:
            response = self.get_response(request)
        public_page = getattr(request, "_replica_readable", False)
        wrote = request.method not in SAFE_METHODS or (writes["wrote"] and not public_page)
        if wrote and replica_in_use():
            response.set_signed_cookie(
                REPLICA_AFTER_WRITE_COOKIE,
                "1",
                salt=REPLICA_AFTER_WRITE_COOKIE,
                max_age=settings.REPLICA_AFTER_WRITE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD") and "default" in getattr(view_func, "_non_atomic_requests", ()):
            request._replica_readable = True
            if not _wrote_lately(request):
                allow_replica_reads()


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _wrote_lately(request) -> bool:
    """Whether the visitor wrote something within REPLICA_AFTER_WRITE_SECONDS (their signed cookie says so)."""
    return bool(
        request.get_signed_cookie(
            REPLICA_AFTER_WRITE_COOKIE,
            default=None,
            salt=REPLICA_AFTER_WRITE_COOKIE,
            max_age=settings.REPLICA_AFTER_WRITE_SECONDS,
        )
    )


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


class StorageUnavailableMiddleware:
    """
    An upload that the photo storage refused (marketplace.storage) and no form
    caught answers a friendly 503 page instead of a 500. The view ran in its
    ATOMIC_REQUESTS transaction, which was rolled back: nothing of it was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        response = render(request, "503_storage.html", {"message": exception.message}, status=503)
        response["Retry-After"] = str(int(STORAGE_COOLDOWN))
        return response

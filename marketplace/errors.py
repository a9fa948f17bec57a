"""
The friendly error pages: 400, 403, 404, 500 and 503 (429 is marketplace.ratelimit's).

They say what happened and what to do, in the site's design, and leak nothing:
no exception, no path of ours, no setting. The 400, 500 and 503 pages are
rendered without the request, so without its context processors: they read
neither the session nor the database, which may be what just failed.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

# What Django raises when the database cannot be reached or the connection was lost.
DATABASE_ERRORS = (OperationalError, InterfaceError)

# Seconds a client (or a load balancer) is asked to wait before trying again.
RETRY_AFTER = 5


def _standalone(template: str, status: int, **context) -> HttpResponse:
    body = render_to_string(template, {"SITE_NAME": settings.SITE_NAME, **context})
    return HttpResponse(body, status=status)


def service_unavailable(*, nothing_saved: bool | None) -> HttpResponse:
    """
    The 503 page. `nothing_saved`: True when a form's transaction was rolled
    back, False for a plain page, None when it is not known (the error came
    after the view) and the visitor should check before sending again.
    """
    response = _standalone("503.html", 503, nothing_saved=nothing_saved, retry_after=RETRY_AFTER)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def bad_request(request, exception=None):
    return _standalone("400.html", 400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    return render(request, "403.html", {"csrf_failure": True}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """A database that went away after the view (or before it) still gets the 503 page."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return service_unavailable(nothing_saved=None if request.method not in ("GET", "HEAD") else False)
    return _standalone("500.html", 500)

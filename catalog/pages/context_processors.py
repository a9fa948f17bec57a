"""
Values every page's base template needs.

Part of the pages room; named in the TEMPLATES setting (marketplace/settings.py).
"""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from catalog.pages import compare


def site(request):
    # Lazy: only pages that show compare buttons read the session.
    return {
        "SITE_NAME": settings.SITE_NAME,
        "compare_tray": SimpleLazyObject(lambda: compare.tray(request.session)),
    }

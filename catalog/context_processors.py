"""Values every page's base template needs."""

from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME}

"""
The site's URLs: the two apps, the makers' studio, accounts, the admin (at
ADMIN_URL), the health check, /favicon.ico, the friendly error pages, and media files while developing.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.db.transaction import non_atomic_requests
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from django.views.static import serve

from catalog.pages.sitemaps import SITEMAPS
from catalog.pages.views import robots_txt

from .health import healthz

admin.site.site_header = "Atelier curation"
admin.site.site_title = "Atelier admin"
admin.site.index_title = "Curate makers, pieces and collections"

# Browsers ask for /favicon.ico whatever the page links; send them to the static icon, under its
# hashed name once DEBUG is off (resolved per request, after `collectstatic` wrote the manifest).
favicon = RedirectView.as_view(url=lazy(static, str)("favicon.ico"))

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", non_atomic_requests(healthz), name="healthz"),
    path("accounts/", include("catalog.people.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("catalog.studio.urls")),
    path("", include("catalog.shoppers.urls")),
    path("artisans/", include("artisans.urls")),
    path("requests/", include("catalog.personalization.urls")),
    path("", include("catalog.pages.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", non_atomic_requests(cache_control(max_age=60 * 60 * 24)(favicon)), name="favicon"),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
]

# Media from the local disk while developing, or with SERVE_MEDIA on one machine (`make serve`). With
# several app servers media live on object storage (S3_BUCKET) and never pass through here.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            non_atomic_requests(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler400 = "marketplace.errors.bad_request"
handler403 = "marketplace.errors.permission_denied"
handler404 = "marketplace.errors.page_not_found"
handler500 = "marketplace.errors.server_error"

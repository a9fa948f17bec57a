"""The site's URLs: the two apps, the makers' studio, accounts, the admin, and media files while developing."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from catalog.sitemaps import SITEMAPS
from catalog.views import robots_txt

admin.site.site_header = "Atelier curation"
admin.site.site_title = "Atelier admin"
admin.site.index_title = "Curate makers, pieces and collections"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("catalog.studio.urls")),
    path("artisans/", include("artisans.urls")),
    path("requests/", include("catalog.request_urls")),
    path("", include("catalog.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

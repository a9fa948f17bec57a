"""The site's URLs: the two apps, the admin, and media files while developing."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Atelier curation"
admin.site.site_title = "Atelier admin"
admin.site.index_title = "Curate makers, pieces and collections"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("artisans/", include("artisans.urls")),
    path("", include("catalog.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

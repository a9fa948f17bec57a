"""
The public pages' URLs, namespace "catalog": home, the listing, the piece page
(with its report page, the trust room's catalog.trust.views), compare, the guide,
collections and the makers' directory.

Part of the pages room; marketplace.urls includes it at the root.
"""

from django.db.transaction import non_atomic_requests
from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from catalog.pages import suggest, views
from catalog.trust import views as report_views

app_name = "catalog"

# Public pages only read: they run outside ATOMIC_REQUESTS' transaction.
urlpatterns = [
    path("", non_atomic_requests(views.HomeView.as_view()), name="home"),
    path("pieces/", non_atomic_requests(views.PieceListView.as_view()), name="piece_list"),
    # Before the piece page, whose slug would take "suggest".
    path("pieces/suggest/", non_atomic_requests(suggest.piece_suggest), name="piece_suggest"),
    path(
        "pieces/<slug:slug>/",
        # Revalidated on every visit (no-cache), answered 304 while the ETag holds.
        non_atomic_requests(
            cache_control(private=True, no_cache=True)(
                condition(etag_func=views.piece_etag)(views.PieceDetailView.as_view())
            )
        ),
        name="piece_detail",
    ),
    path("pieces/<slug:slug>/report/", report_views.PieceReportView.as_view(), name="piece_report"),
    path("artisans/", non_atomic_requests(views.ArtisanDirectoryView.as_view()), name="artisan_list"),
    path("guide/", non_atomic_requests(views.GuideView.as_view()), name="guide"),
    path("compare/", non_atomic_requests(views.CompareView.as_view()), name="compare"),
    path("compare/toggle/", views.compare_toggle, name="compare_toggle"),
    path("compare/remove/", views.compare_remove, name="compare_remove"),
    path("compare/clear/", views.compare_clear, name="compare_clear"),
    path(
        "collections/<slug:slug>/",
        non_atomic_requests(views.CollectionDetailView.as_view()),
        name="collection_detail",
    ),
]

from django.db.transaction import non_atomic_requests
from django.urls import path

from . import report_views, views

app_name = "catalog"

# Public pages only read: they run outside ATOMIC_REQUESTS' transaction.
urlpatterns = [
    path("", non_atomic_requests(views.HomeView.as_view()), name="home"),
    path("pieces/", non_atomic_requests(views.PieceListView.as_view()), name="piece_list"),
    path("pieces/<slug:slug>/", non_atomic_requests(views.PieceDetailView.as_view()), name="piece_detail"),
    path("pieces/<slug:slug>/report/", report_views.PieceReportView.as_view(), name="piece_report"),
    path("artisans/", non_atomic_requests(views.ArtisanDirectoryView.as_view()), name="artisan_list"),
    path("guide/", non_atomic_requests(views.GuideView.as_view()), name="guide"),
    path("compare/", non_atomic_requests(views.CompareView.as_view()), name="compare"),
    path("compare/toggle/", views.compare_toggle, name="compare_toggle"),
    path(
        "collections/<slug:slug>/",
        non_atomic_requests(views.CollectionDetailView.as_view()),
        name="collection_detail",
    ),
]

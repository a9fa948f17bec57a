"""
/sell/ (what selling asks, and the application at /sell/apply/) and /studio/, one namespace: "studio".

Part of the studio room; marketplace.urls includes it at the root.
"""

from django.urls import path

from catalog.studio import (
    certification_views,
    duplicate_views,
    import_files_views,
    import_progress_views,
    import_views,
    request_views,
    review_views,
    sell_views,
    views,
)

app_name = "studio"

urlpatterns = [
    path("sell/", sell_views.SellView.as_view(), name="sell"),
    path("sell/apply/", views.ApplyView.as_view(), name="apply"),
    path("studio/", views.DashboardView.as_view(), name="dashboard"),
    path("studio/profile/", views.ProfileView.as_view(), name="profile"),
    path("studio/pieces/new/", views.PieceCreateView.as_view(), name="piece_create"),
    path("studio/pieces/<int:pk>/", views.PieceUpdateView.as_view(), name="piece_update"),
    path("studio/pieces/<int:pk>/preview/", views.PiecePreviewView.as_view(), name="piece_preview"),
    path("studio/pieces/<int:pk>/duplicate/", duplicate_views.PieceDuplicateView.as_view(), name="piece_duplicate"),
    path("studio/pieces/<int:pk>/<str:action>/", views.PieceActionView.as_view(), name="piece_action"),
    path("studio/import/", import_views.ImportView.as_view(), name="import"),
    path("studio/import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("studio/import/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import_confirm"),
    path(
        "studio/import/<int:pk>/progress/",
        import_progress_views.import_progress,
        name="import_progress",
    ),
    path("studio/import/template.csv", import_files_views.ImportTemplateView.as_view(), name="import_template"),
    path("studio/export.csv", import_files_views.ExportView.as_view(), name="export"),
    path("studio/reviews/", review_views.ReviewListView.as_view(), name="reviews"),
    path("studio/reviews/<int:pk>/appeal/", review_views.ReviewAppealView.as_view(), name="review_appeal"),
    path("studio/certifications/", certification_views.CertificationListView.as_view(), name="certifications"),
    path(
        "studio/certifications/<int:pk>/withdraw/",
        certification_views.CertificationWithdrawView.as_view(),
        name="certification_withdraw",
    ),
    path("studio/requests/", request_views.InboxView.as_view(), name="requests"),
    path("studio/requests/<int:pk>/", request_views.StudioRequestDetailView.as_view(), name="request_detail"),
    path(
        "studio/requests/<int:pk>/<str:action>/",
        request_views.StudioRequestActionView.as_view(),
        name="request_action",
    ),
]

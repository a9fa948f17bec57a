"""
The shoppers room's URLs, namespace "shoppers": saved pieces, followed makers, saved searches and
their unsubscribe links. marketplace.urls includes it at the root.
"""

from django.urls import path  # noqa: F401 (the sections below fill urlpatterns)

from catalog.shoppers import search_views
from catalog.shoppers.views import FollowingView, SavedView, maker_follow_toggle, piece_save_toggle

app_name = "shoppers"

urlpatterns = [
    # --- Saved pieces and followed makers ---
    path("pieces/<slug:slug>/save/", piece_save_toggle, name="piece_save"),
    path("artisans/<slug:slug>/follow/", maker_follow_toggle, name="maker_follow"),
    path("saved/", SavedView.as_view(), name="saved"),
    path("following/", FollowingView.as_view(), name="following"),
    # --- Saved searches and their alerts ---
    path("searches/", search_views.SearchListView.as_view(), name="searches"),
    path("searches/save/", search_views.SearchSaveView.as_view(), name="search_save"),
    path("searches/<int:pk>/name/", search_views.SearchEditView.as_view(action="name"), name="search_rename"),
    path(
        "searches/<int:pk>/frequency/",
        search_views.SearchEditView.as_view(action="frequency"),
        name="search_frequency",
    ),
    path("searches/<int:pk>/delete/", search_views.SearchEditView.as_view(action="delete"), name="search_delete"),
    path("searches/unsubscribe/<str:token>/", search_views.UnsubscribeView.as_view(), name="unsubscribe"),
]

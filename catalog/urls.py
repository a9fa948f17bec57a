from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("pieces/", views.PieceListView.as_view(), name="piece_list"),
    path("pieces/<slug:slug>/", views.PieceDetailView.as_view(), name="piece_detail"),
    path("collections/<slug:slug>/", views.CollectionDetailView.as_view(), name="collection_detail"),
]

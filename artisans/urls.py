from django.urls import path

from . import views

app_name = "artisans"

urlpatterns = [
    path("<slug:slug>/", views.ArtisanDetailView.as_view(), name="artisan_detail"),
]

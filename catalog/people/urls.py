"""The people room's URLs, namespace "people": a person's display name. Included under /accounts/."""

from django.urls import path

from catalog.people import views

app_name = "people"

urlpatterns = [
    path("name/", views.DisplayNameView.as_view(), name="name"),
]

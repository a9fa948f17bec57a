"""
The people room's URLs, namespace "people": a person's display name, their data to download, and
deleting their account. Included under /accounts/, before allauth. No id in any of them: each page is
the signed-in person's own.
"""

from django.urls import path

from catalog.people import views

app_name = "people"

urlpatterns = [
    path("name/", views.DisplayNameView.as_view(), name="name"),
    path("data/", views.DataView.as_view(), name="data"),
    path("data/download/", views.data_download, name="data_download"),
    path("delete/", views.AccountDeleteView.as_view(), name="delete"),
]
